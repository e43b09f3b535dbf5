#!/usr/bin/env bash
# Installs what the Python peer comparison needs: the peer (rerun-sdk) in its own
# git-ignored environment (bench/.venv-peer), and reel built in release mode into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure.sh
ensure_rust
ensure_python
(cd python && VIRTUAL_ENV="$PWD/../.venv" PATH="$PWD/../.venv/bin:$PATH" ../.venv/bin/maturin develop --release --quiet)
if [ ! -x bench/.venv-peer/bin/python ]; then
    python3 -m venv bench/.venv-peer
fi
# The catalog extra brings the peer's query path (its local server with DataFusion), used by
# bench/store_peer.py.
bench/.venv-peer/bin/pip install --quiet --disable-pip-version-check "rerun-sdk[catalog]==0.41.*" numpy
