//! `reel`: inspect, verify and serve reel recordings from the command line.
//!
//! Exit codes: 0 success, 1 the recording is damaged or incomplete, 2 usage or I/O error.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(reel_cli::cli::run_from_args(std::env::args_os()))
}
