"""The `reel` console script: the same command line as the Rust `reel` binary."""

from __future__ import annotations

import signal
import sys

from . import _reel


def main() -> None:
    """Runs ``reel`` with this process's arguments and exits with its code."""
    # The command runs in Rust without the GIL; let Ctrl-C stop it as it stops a binary.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(_reel.cli_main(["reel", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
