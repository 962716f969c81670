"""Journaled bulk runs from Python: a rerun sends nothing, Ctrl-C leaves a journal a resume finishes, bad journals
are refused with nothing sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import intune_passcode as ip
from intune_passcode import AsyncClient, Client, Journal


def test_a_rerun_reports_from_the_journal_and_sends_nothing(fresh_emu: Any, tmp_path: Path) -> None:
    c = Client(token=fresh_emu.token, base_url=fresh_emu.graph_url)
    ids = fresh_emu.resettable()[:30]
    path = tmp_path / "job.jsonl"  # a pathlib.Path works as well as a str
    first = list(c.reset_passcodes(ids, pace=None, journal=path))
    assert all(i.ok and not i.from_journal for i in first)
    j = Journal(str(path))
    assert j.summary() == {"total": 30, "planned": 0, "sending": 0, "ok": 30, "failed": 0, "unknown": 0}
    records = list(j)
    assert [r["device_id"] for r in records] == ids and {r["state"] for r in records} == {"ok"}
    assert len(j) == 30 and "ok=30" in repr(j) and j.graph_base.startswith(fresh_emu.graph_url)
    sent = fresh_emu.stats()["requests"]
    again = list(c.reset_passcodes(ids, pace=None, journal=path))
    assert all(i.ok and i.from_journal for i in again) and "from_journal=True" in repr(again[0])
    assert fresh_emu.stats()["requests"] == sent

    async def run() -> list[Any]:
        a = AsyncClient(token=fresh_emu.token, base_url=fresh_emu.graph_url)
        return [i async for i in a.reset_passcodes(ids, pace=None, journal=str(path))]

    import asyncio

    assert all(i.from_journal for i in asyncio.run(run()))
    assert fresh_emu.stats()["requests"] == sent


def test_bad_journals_are_refused(emu: Any, tmp_path: Path) -> None:
    c = Client(token=emu.token, base_url=emu.graph_url)
    bad = tmp_path / "notes.txt"
    bad.write_text("my shopping list\n")
    with pytest.raises(ip.InvalidArgumentError, match="not a journal event"):
        c.reset_passcodes(["d"], journal=bad)
    assert bad.read_text() == "my shopping list\n"
    with pytest.raises(ip.InvalidArgumentError):
        Journal(bad)
    with pytest.raises(ip.InvalidArgumentError):
        Journal(tmp_path / "missing.jsonl")
    with pytest.raises(TypeError):
        c.reset_passcodes(["d"], journal=5)  # type: ignore[arg-type]
    held = c.reset_passcodes(["d"], journal=tmp_path / "held.jsonl")
    with pytest.raises(ip.InvalidArgumentError, match="in use"):
        c.reset_passcodes(["d"], journal=tmp_path / "held.jsonl")
    del held



def test_another_job_in_the_folder_holds_its_devices_until_told_again(fresh_emu: Any, tmp_path: Path) -> None:
    """A changed input is a new job, and knows the old one: held devices are reported with the job that holds them
    and not sent; a GUID in upper case with braces is the same device; recent=None is the explicit "again"."""
    c = Client(token=fresh_emu.token, base_url=fresh_emu.graph_url)
    ids = fresh_emu.resettable()[:4]
    first = list(c.reset_passcodes(ids[:3], pace=None, journal=tmp_path / "job-1.jsonl"))
    assert all(i.ok and i.held_by is None for i in first)
    changed = ["{%s}" % ids[0].upper(), *ids[1:]]
    second = {i.device_id: i for i in c.reset_passcodes(changed, pace=None, journal=tmp_path / "job-2.jsonl")}
    assert [second[d].held_by for d in changed] == ["job-1", "job-1", "job-1", None]
    assert all(second[d].ok and second[d].from_journal for d in changed[:3])
    assert "held_by='job-1'" in repr(second[changed[0]])
    posts = lambda d: sum(1 for r in fresh_emu.requests(d) if r["method"] == "POST")  # noqa: E731
    assert [posts(d) for d in ids] == [1, 1, 1, 1]
    again = list(c.reset_passcodes(ids[:1], pace=None, journal=tmp_path / "job-3.jsonl", recent=None))
    assert again[0].ok and again[0].held_by is None and posts(ids[0]) == 2
    with pytest.raises(ip.InvalidArgumentError, match="recent"):
        c.reset_passcodes(ids, journal=tmp_path / "job-4.jsonl", recent=-1)

INTERRUPTED = """
import signal
# A harness that started us in the background may have set SIGINT to be ignored: Ctrl-C is what is tested.
signal.signal(signal.SIGINT, signal.default_int_handler)
import sys
from intune_passcode import Client
c = Client(token=sys.argv[2], base_url=sys.argv[1])
ids = open(sys.argv[3]).read().split()
print("ready", flush=True)
try:
    for n, _ in enumerate(c.reset_passcodes(ids, pace=None, concurrency=4, journal=sys.argv[4]), 1):
        print("done", n, flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def test_ctrl_c_mid_run_leaves_a_journal_that_a_resume_finishes(tmp_path: Path) -> None:
    from conftest import Emulator

    emu = Emulator("--throttle", "off", "--devices", "600", "--faults", "latency=1,latency_ms=40")
    try:
        ids = emu.resettable()[:200]
        ids_file = tmp_path / "ids.txt"
        ids_file.write_text("\n".join(ids))
        path = tmp_path / "job.jsonl"
        p = subprocess.Popen(
            [sys.executable, "-c", INTERRUPTED, emu.graph_url, emu.token, str(ids_file), str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        while True:  # let a few finish, then Ctrl-C
            line = p.stdout.readline()
            if line.startswith("done 20"):
                break
        os.kill(p.pid, signal.SIGINT)
        out, _ = p.communicate(timeout=10)
        assert "interrupted" in out, out
        partial = Journal(path).summary()
        assert 20 <= partial["ok"] < 200, partial
        time.sleep(0.5)  # answers still on their way when the process ended have run by now
        c = Client(token=emu.token, base_url=emu.graph_url)
        items = list(c.reset_passcodes(ids, pace=None, concurrency=16, journal=path, verify_unknown=3))
        assert len(items) == 200
        assert sum(i.from_journal for i in items) >= partial["ok"]
        ledger = {d["id"]: d["resetCount"] for d in emu.devices()}
        for i in items:
            if i.ok:
                assert ledger[i.device_id] == 1, i
            else:
                # Its intent was on disk but Ctrl-C came before the request left: unconfirmed, so not resent.
                assert isinstance(i.error, ip.OutcomeUnknownError) and i.from_journal, i
                assert ledger[i.device_id] == 0, i
        # Asked explicitly, the unconfirmed ones are sent; now every device has been reset exactly once.
        rest = list(c.reset_passcodes(ids, pace=None, journal=path, verify_unknown=1, resend_unconfirmed=True))
        assert all(i.ok for i in rest)
        ledger = {d["id"]: d["resetCount"] for d in emu.devices()}
        assert all(ledger[d] == 1 for d in ids), "every device reset exactly once"
        assert Journal(path).summary()["ok"] == 200
    finally:
        emu.stop()
