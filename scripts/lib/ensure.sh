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

# A local virtual environment (.venv) with maturin, numpy, pyarrow and pytest, and the
# `reel` Python package built from this checkout (editable, so Python changes need no
# rebuild; Rust changes are rebuilt incrementally).
ensure_python() {
    local root venv
    root="$(pwd)"
    venv="$root/.venv"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" || {
            echo "error: cannot create a Python virtual environment (is python3-venv installed?)" >&2
            exit 2
        }
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements-dev.txt
    (cd python && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" "$venv/bin/maturin" develop --quiet)
}
