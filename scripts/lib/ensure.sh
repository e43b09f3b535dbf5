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
    # A one-off build (CI) gains nothing from incremental caches, which only cost disk.
    if [ "${CI:-}" = true ]; then
        export CARGO_INCREMENTAL=0
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

# What the viewer needs at run time on Debian-like machines: a virtual X server for tests
# and headless machines (xvfb; imagemagick's `import` takes its screenshots), and Mesa's
# software Vulkan/OpenGL drivers for machines without a GPU. Building needs none of them (X11, GL and Vulkan are loaded at run time).
ensure_viewer_runtime() {
    local missing=()
    command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
    command -v import >/dev/null 2>&1 || missing+=(imagemagick)
    ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers libvulkan1)
    compgen -G "/usr/lib/*/dri/swrast_dri.so" >/dev/null || compgen -G "/usr/lib/*/dri/llvmpipe_dri.so" >/dev/null \
        || missing+=(libgl1-mesa-dri libegl-mesa0 libglx-mesa0)
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "warning: the viewer's tests need ${missing[*]} (or your system's equivalents); install them" >&2
        return 0
    fi
    echo "installing the viewer's run-time packages: ${missing[*]}" >&2
    apt_install "${missing[@]}"
}

# Whether a window can open here (the same rule as the viewer's: REEL_HEADLESS=1 or no
# X display means no).
have_display() {
    case "${REEL_HEADLESS:-}" in 1|true|TRUE|True) return 1 ;; esac
    [ "$(uname -s)" != "Linux" ] && return 0
    [ -n "${DISPLAY:-}" ]
}

# The web viewer's toolchain: the wasm32 target and the wasm-bindgen CLI at the version of
# the wasm-bindgen crate in Cargo.lock (they must match exactly). Installed without
# --locked: a locked dependency of the CLI is not on every registry mirror.
ensure_web_toolchain() {
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown
    local want
    want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
    if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
        echo "installing wasm-bindgen-cli $want" >&2
        cargo install --quiet wasm-bindgen-cli --version "$want"
    fi
}

# Chromium for the web viewer's browser tests (driven headless by playwright, which uses
# this system browser instead of downloading its own).
ensure_browser() {
    command -v chromium >/dev/null 2>&1 && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: the web viewer's tests need Chromium; install it and retry" >&2
        exit 2
    fi
    echo "installing chromium (for the web viewer's browser tests)" >&2
    apt_install chromium
}

# Installs Debian packages (refreshing the package lists once if that is what it takes),
# through sudo when not root; exits with a clear error when it cannot.
apt_install() {
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo -n)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null \
        || { "${sudo[@]}" apt-get update -q >/dev/null \
             && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; } \
        || { echo "error: could not install $*; install them and retry" >&2; exit 2; }
}
