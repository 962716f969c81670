"""The console script `intune-passcode` is the Rust command line: the same output and journal as the Rust binary,
and on a terminal (a pty) the typed confirmation and the progress bar."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

from conftest import ROOT, Emulator

SCRIPT = shutil.which("intune-passcode", path=str(Path(sys.executable).parent))
RUST_BIN = Path(os.environ.get("CLI_BIN", ROOT / "target" / "debug" / "intune-passcode"))


def cli_env(emu: Emulator, state: Path) -> Dict[str, str]:
    i = emu.info
    return {
        "PATH": os.environ.get("PATH", ""), "INTUNE_PASSCODE_STATE_DIR": str(state),
        "AZURE_TENANT_ID": i["tenant_id"], "AZURE_CLIENT_ID": i["client_id"],
        "AZURE_CLIENT_SECRET": i["client_secret"], "AZURE_AUTHORITY_HOST": i["authority_url"],
    }


def run(cmd: List[str], env: Dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_the_console_script_is_the_rust_command_line(fresh_emu: Emulator, tmp_path: Path) -> None:
    assert SCRIPT, "the console script is installed with the package"
    env = cli_env(fresh_emu, tmp_path)
    ids = fresh_emu.resettable()[:3]
    base = ["--base-url", fresh_emu.graph_url]
    # The same dry run, word for word, from both.
    dry = ["reset", "--dry-run", *ids, *base]
    py, rust = run([SCRIPT, *dry], env), run([str(RUST_BIN), *dry], env)
    assert py.returncode == rust.returncode == 0, py.stderr + rust.stderr
    assert py.stdout == rust.stdout and py.stdout.count("POST ") == 3
    # A real run from Python; its journal read by the Rust binary.
    out = run([SCRIPT, "reset", "--yes", "--json", *ids, *base], env)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [x["outcome"] for x in lines[:3]] == ["ok"] * 3 and lines[3]["type"] == "summary"
    job = lines[3]["job"]
    report = run([str(RUST_BIN), "jobs", "report", job, "--format", "jsonl"], env)
    assert report.returncode == 0, report.stderr
    assert sorted(json.loads(line)["device_id"] for line in report.stdout.splitlines()) == sorted(ids)
    # Exit codes come through: usage is 2, and the same input again is refused.
    assert run([SCRIPT, "reset", *base], env).returncode == 2
    again = run([SCRIPT, "reset", "--yes", *ids, *base], env)
    assert again.returncode == 2 and "already ran this input" in again.stderr
    assert fresh_emu.stats()["devices_reset_more_than_once"] == 0


def test_on_a_terminal_it_asks_for_the_count_and_draws_a_progress_bar(fresh_emu: Emulator, tmp_path: Path) -> None:
    assert SCRIPT
    env = dict(cli_env(fresh_emu, tmp_path), TERM="xterm")
    ids = fresh_emu.resettable()[:6]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console script on the pty
        os.execve(SCRIPT, [SCRIPT, "reset", *ids, "--base-url", fresh_emu.graph_url, "--pace", "2/1"], env)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if not answered and b"Type 6 to go ahead" in seen:
            os.write(fd, b"6\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    text = seen.decode(errors="replace")
    assert answered, text
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "/6 ok" in text, "the progress bar was drawn: " + text[-2000:]
    assert all(fresh_emu.requests(d) for d in ids)


def test_a_wrong_count_on_the_terminal_sends_nothing(fresh_emu: Emulator, tmp_path: Path) -> None:
    assert SCRIPT
    env = dict(cli_env(fresh_emu, tmp_path), TERM="xterm")
    ids = fresh_emu.resettable()[:2]
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(SCRIPT, [SCRIPT, "reset", *ids, "--base-url", fresh_emu.graph_url], env)
    seen = b""
    while b"Type 2 to go ahead" not in seen:
        seen += os.read(fd, 4096)
    os.write(fd, b"3\n")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 2
    assert fresh_emu.stats()["requests"] == 0
