//! `reel`: inspect and verify reel recordings from the command line.
//!
//! Exit codes: 0 success, 1 the recording is damaged or incomplete, 2 usage or I/O error.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "reel", version, about = "Inspect and verify reel recordings")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print what a recording holds: stores, entities, timelines and their ranges,
    /// components with instance counts, rows and bytes.
    Print {
        /// The recording file (`-` for standard input).
        file: PathBuf,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode every message; fail with the error and its byte offset on damage.
    Verify {
        /// The recording file (`-` for standard input).
        file: PathBuf,
    },
}

fn open(path: &Path) -> Result<Box<dyn std::io::Read>, String> {
    if path == Path::new("-") {
        return Ok(Box::new(BufReader::new(std::io::stdin().lock())));
    }
    File::open(path)
        .map(|f| Box::new(BufReader::with_capacity(1 << 20, f)) as Box<dyn std::io::Read>)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Print { file, json } => {
            let summary = reel_cli::summarize(open(&file)?);
            let mut out = std::io::stdout().lock();
            let written = if json {
                serde_json::to_writer_pretty(&mut out, &summary)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out))
            } else {
                write!(out, "{}: {summary}", file.display())
            };
            written.map_err(|e| format!("writing output: {e}"))?;
            Ok(if summary.error.is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Verify { file } => {
            let v = reel_cli::verify(open(&file)?);
            match v.error {
                None => {
                    println!(
                        "{}: ok, {} messages, {} bytes",
                        file.display(),
                        v.messages,
                        v.bytes
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(e) => {
                    eprintln!("{}: error: {e}", file.display());
                    eprintln!(
                        "{} whole messages decoded before it (bytes 0..{} are intact)",
                        v.messages, v.valid_up_to
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("reel: {e}");
            ExitCode::from(2)
        }
    }
}
