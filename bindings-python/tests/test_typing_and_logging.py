"""The stubs match the native module (stubtest), the example type-checks (mypy --strict), and core events reach
Python's logging without the token."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import intune_passcode as ip
from intune_passcode import Client, _native

HERE = Path(__file__).resolve().parent


def test_stubs_match_the_native_module() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "intune_passcode._native"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_example_type_checks() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(HERE.parent / "examples" / "reset.py"),
         str(HERE.parent / "python" / "intune_passcode" / "testing.py"),
         str(HERE.parent / "python" / "intune_passcode" / "pytest_plugin.py")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_example_runs(emu: Any) -> None:
    s = emu.info["samples"]
    out = subprocess.run(
        [sys.executable, str(HERE.parent / "examples" / "reset.py"), emu.graph_url, emu.token, s["device_id"],
         s["windows_device_id"], s["ios_device_id"]],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "HTTP 204" in out.stdout and "UNSUPPORTED_DEVICE" in out.stdout


def test_core_events_reach_logging_without_secrets(emu: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _native.reset_logging()
    c = Client(token=emu.token, base_url=emu.graph_url)
    c.reset_passcode(emu.info["samples"]["device_id"])
    with pytest.raises(ip.NotFoundError):
        c.reset_passcode("no-such-device")
    records = [r for r in caplog.records if r.name.startswith("intune_passcode")]
    assert any("reset accepted" in r.getMessage() for r in records), [r.getMessage() for r in records][:5]
    text = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert emu.token not in text


LATE_LOGGING = """
import sys
import intune_passcode as ip
assert "logging" not in sys.modules, "intune_passcode imported logging"
c = ip.Client(token=sys.argv[1], base_url=sys.argv[2])
c.reset_passcode(sys.argv[3])                  # logging not in use: nothing to forward to
import logging
seen = []
class Keep(logging.Handler):
    def emit(self, record): seen.append(record.getMessage())
logging.getLogger("intune_passcode").addHandler(Keep())
logging.getLogger("intune_passcode").setLevel(logging.DEBUG)
c.reset_passcode(sys.argv[4])
before = len(seen)
ip.reset_logging()                             # what the README says to call
c.reset_passcode(sys.argv[5])
print(before, len(seen) - before)
"""


def test_logging_set_up_after_the_client_forwards_records_once_reset_logging_is_called(emu: Any) -> None:
    ids = emu.resettable()[:3]
    out = subprocess.run([sys.executable, "-c", LATE_LOGGING, emu.token, emu.graph_url, *ids],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    before, after = (int(n) for n in out.stdout.split())
    assert before == 0 and after > 0, out.stdout
