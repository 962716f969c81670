"""The console scripts: `intune-passcode` (the Rust command line, the same code as `cargo install --path cli`) and
`intune-passcode-emulator` (the `graph-emulator` binary's, for tests in any language)."""

import sys

from ._native import run_cli, run_emulator


def main() -> None:
    """Run the command line with this process's arguments and exit with its code."""
    # Python buffers its own stdout; the command line writes to the file descriptors directly.
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(run_cli(["intune-passcode", *sys.argv[1:]]))


def emulator_main() -> None:
    """Serve the Graph emulator until Ctrl-C or SIGTERM; its first stdout line is the ready line (JSON)."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        code = run_emulator(["intune-passcode-emulator", *sys.argv[1:]])
    except KeyboardInterrupt:  # Ctrl-C stopped the emulator; Python noticed the same signal afterwards
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    main()
