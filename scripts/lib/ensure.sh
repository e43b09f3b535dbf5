# Sourced by the scripts: makes sure the tools they need are installed.
# Each ensure_* installs what is missing where it can and explains what it cannot.

ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        if [ -x "$HOME/.cargo/bin/cargo" ]; then
            export PATH="$HOME/.cargo/bin:$PATH"
        else
            echo "error: cargo is not installed; install Rust (https://rustup.rs) and retry" >&2
            exit 2
        fi
    fi
    local missing=()
    cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
    cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "installing Rust components: ${missing[*]}" >&2
        rustup component add "${missing[@]}"
    fi
}
