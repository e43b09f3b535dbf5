//! Embeds the web viewer built by `scripts/build_web.sh` (the wasm-bindgen glue and the
//! gzipped wasm) when it exists; without it the crate still builds and says at run time how
//! to build the viewer. The directory is `REEL_WEB_ASSETS`, else `target/web_viewer` of the
//! workspace; it is created empty when missing so that Cargo can watch it.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=REEL_WEB_ASSETS");
    let dir = match std::env::var_os("REEL_WEB_ASSETS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env("CARGO_MANIFEST_DIR")).join("../../target/web_viewer"),
    };
    let _ = std::fs::create_dir_all(&dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    let glue = dir.join("reel_web.js");
    let wasm = dir.join("reel_web_bg.wasm.gz");
    let code = if glue.is_file() && wasm.is_file() {
        format!(
            "Some((include_bytes!({:?}).as_slice(), include_bytes!({:?}).as_slice()))",
            canonical(&glue),
            canonical(&wasm)
        )
    } else {
        "None".to_owned()
    };
    let out = PathBuf::from(env("OUT_DIR")).join("built.rs");
    let text = format!("/// The glue and the gzipped wasm, when they were built.\nconst BUILT: Option<(&[u8], &[u8])> = {code};\n");
    if let Err(e) = std::fs::write(&out, text) {
        panic!("cannot write {}: {e}", out.display());
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn canonical(path: &std::path::Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string()
}
