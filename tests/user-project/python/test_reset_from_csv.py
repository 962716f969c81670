"""Tests of reset_from_csv.py against the Graph emulator, through the fixtures of intune-passcode's pytest plugin
(`intune_emulator`: a fresh 200-device tenant per test, no throttling). No tenant, no network."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Dict, List

from intune_passcode.testing import Emulator

from reset_from_csv import run

UNSUPPORTED = ("windows", "macOS")


def write_csv(path: Path, devices: List[Dict[str, Any]]) -> Path:
    """The portal's export, as far as the script reads it: Device ID, Device name, OS."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Device ID", "Device name", "OS"])
        for d in devices:
            w.writerow([d["id"], f"{d['platform']}-{d['id'][:8]}", d["platform"]])
    return path


def resettable(emu: Emulator, n: int) -> List[Dict[str, Any]]:
    return [d for d in emu.devices() if d["platform"] not in UNSUPPORTED][:n]


def posts(emu: Emulator, device_id: str) -> int:
    return sum(1 for r in emu.requests(device_id) if r["method"] == "POST")


def test_resettable_devices_are_all_ok(intune_emulator: Emulator, tmp_path: Path) -> None:
    devices = resettable(intune_emulator, 12)
    summary = run(write_csv(tmp_path / "devices.csv", devices), intune_emulator.client(), tmp_path / "job.jsonl")
    assert summary == {"ok": 12, "unknown": 0, "failed": 0}
    assert sorted(r["device_id"] for r in intune_emulator.resets()) == sorted(d["id"] for d in devices)
    intune_emulator.assert_no_device_reset_twice()


def test_a_504_ends_unknown_and_the_next_run_does_not_send_it_again(intune_emulator: Emulator, tmp_path: Path) -> None:
    devices = resettable(intune_emulator, 5)
    lost = devices[0]["id"]
    intune_emulator.script(lost, [504])  # the gateway gave up; this one did not run the reset
    csv_path = write_csv(tmp_path / "devices.csv", devices)
    journal = tmp_path / "job.jsonl"

    first = run(csv_path, intune_emulator.client(), journal, verify_unknown=1)
    assert first == {"ok": 4, "unknown": 1, "failed": 0}
    assert posts(intune_emulator, lost) == 1  # a 504 is never retried: it may have run
    assert intune_emulator.reset_count(lost) == 0

    # The same job again (a rerun after the 504): done devices come from the journal, the unknown one stays unknown.
    second = run(csv_path, intune_emulator.client(), journal, verify_unknown=1)
    assert second == first
    assert posts(intune_emulator, lost) == 1
    assert intune_emulator.reset_count(lost) == 0
    assert intune_emulator.stats()["executed"] == 4
    intune_emulator.assert_no_device_reset_twice()


def test_a_504_that_did_run_is_confirmed_from_the_device_record(intune_emulator: Emulator, tmp_path: Path) -> None:
    devices = resettable(intune_emulator, 3)
    ran = devices[0]["id"]
    intune_emulator.script(ran, [{"status": 504, "execute": True}])  # the backend got there before the gateway quit
    summary = run(write_csv(tmp_path / "devices.csv", devices), intune_emulator.client(), tmp_path / "job.jsonl",
                  verify_unknown=5)
    assert summary == {"ok": 3, "unknown": 0, "failed": 0}
    assert (posts(intune_emulator, ran), intune_emulator.reset_count(ran)) == (1, 1)
    intune_emulator.assert_no_device_reset_twice()


def test_windows_devices_fail_cleanly(intune_emulator: Emulator, tmp_path: Path) -> None:
    windows = intune_emulator.devices(platform="windows")[:3]
    android = resettable(intune_emulator, 2)
    lines: List[str] = []
    summary = run(write_csv(tmp_path / "devices.csv", windows + android), intune_emulator.client(),
                  tmp_path / "job.jsonl", out=lines.append)
    assert summary == {"ok": 2, "unknown": 0, "failed": 3}
    failed = [line for line in lines if line.startswith("failed")]
    assert len(failed) == 3 and all("UNSUPPORTED_DEVICE" in line for line in failed), lines
    assert all(intune_emulator.reset_count(d["id"]) == 0 for d in windows)  # Intune refused: nothing executed
    assert sorted(r["device_id"] for r in intune_emulator.resets()) == sorted(d["id"] for d in android)
