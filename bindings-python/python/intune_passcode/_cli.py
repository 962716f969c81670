"""The `intune-passcode` console script: the Rust command line, the same code as `cargo install --path cli`."""

import sys

from ._native import run_cli


def main() -> None:
    """Run the command line with this process's arguments and exit with its code."""
    # Python buffers its own stdout; the command line writes to the file descriptors directly.
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(run_cli(["intune-passcode", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
