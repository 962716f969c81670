"""Reading resets back from Python: the record, the passcode that never prints, confirming lost answers in bulk."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from typing import Any, Iterator

import pytest

import intune_passcode as ip
from intune_passcode import AsyncClient, Client

from conftest import Emulator


@pytest.fixture()
def gateway_timeouts() -> Iterator[Emulator]:
    """Every reset answers 504; half of them ran (seeded), as a gateway timeout cannot tell."""
    e = Emulator("--throttle", "off", "--devices", "400", "--faults", "504=1")
    yield e
    e.stop()


def test_android_gets_a_passcode_that_never_prints_and_ios_none(emu: Any) -> None:
    c = Client(token=emu.token, base_url=emu.graph_url)
    android, ios = emu.info["samples"]["device_id"], emu.info["samples"]["ios_device_id"]
    r = c.reset_passcode(android)
    assert r.confirmed_by == "response" and r.action is None
    assert isinstance(r.sent_at, datetime) and r.sent_at.tzinfo is not None
    assert abs((datetime.now(timezone.utc) - r.sent_at).total_seconds()) < 30
    assert "request_id='" in repr(r) and "Some(" not in repr(r)
    a = c.wait_for_reset(android, r.sent_at, timeout=15)
    assert a.state == "done" and a.is_final and a.error_code == 0
    assert a.started_at >= r.sent_at.replace(microsecond=0)
    assert a.passcode is not None
    secret = a.passcode.reveal()
    assert re.fullmatch(r"\d{8}", secret)
    assert str(a.passcode) == "***" and repr(a.passcode) == "Passcode('***')"
    assert secret not in repr(a) and secret not in str(a)
    latest = c.reset_status(android)
    assert latest is not None and latest.state == "done"

    r = c.reset_passcode(ios)
    a = c.wait_for_reset(ios, r.sent_at.timestamp(), timeout=15)  # seconds since the epoch work too
    assert a.state == "done" and a.passcode is None


def test_read_back_from_asyncio(emu: Any) -> None:
    async def run() -> Any:
        c = AsyncClient(token=emu.token, base_url=emu.graph_url)
        device = emu.resettable()[700]
        assert await c.reset_status(device) is None
        r = await c.reset_passcode(device)
        found = await c.confirm_reset(device, r.sent_at, within=5)
        assert found and found.accepted and found.action is not None
        # Read before a request left, that record can never confirm it: only a newer one could.
        seen = found.action.started_at
        again = await c.confirm_reset(device, r.sent_at, within=0.6, seen_before=seen)
        assert not again.accepted and again.latest is not None
        return await c.wait_for_reset(device, r.sent_at, timeout=15)

    a = asyncio.run(run())
    assert a.is_final


def test_bad_read_back_arguments_are_refused_before_anything_is_sent(fresh_emu: Any) -> None:
    c = Client(token=fresh_emu.token, base_url=fresh_emu.graph_url)
    with pytest.raises(ValueError, match="naive"):
        c.confirm_reset("d", datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        c.confirm_reset("d", "yesterday")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seen_before is a naive datetime"):
        c.confirm_reset("d", 0.0, seen_before=datetime(2026, 1, 1))
    with pytest.raises(ip.InvalidArgumentError):
        c.confirm_reset("d", 0.0, within=0)
    with pytest.raises(ip.InvalidArgumentError):
        c.wait_for_reset("", 0.0)
    with pytest.raises(ip.InvalidArgumentError):
        c.reset_passcodes(["d"], verify_unknown=-1)
    assert fresh_emu.stats()["requests"] == 0


def test_a_bulk_run_confirms_lost_answers_from_the_record_and_never_resends(gateway_timeouts: Any) -> None:
    emu = gateway_timeouts
    c = Client(token=emu.token, base_url=emu.graph_url)
    ids = emu.resettable()[:40]
    items = list(c.reset_passcodes(ids, pace=None, concurrency=8, verify_unknown=3))
    ledger = {d["id"]: d["resetCount"] for d in emu.devices()}
    confirmed = unknown = 0
    for item in items:
        if item.ok:
            assert item.receipt is not None
            assert item.receipt.confirmed_by == "action_result" and item.receipt.status == 504
            assert item.receipt.action is not None
            assert ledger[item.device_id] == 1
            confirmed += 1
        else:
            assert isinstance(item.error, ip.OutcomeUnknownError), item
            assert item.error.sent_at is not None and "action record" in str(item.error)
            assert ledger[item.device_id] == 0
            unknown += 1
    assert confirmed and unknown and confirmed + unknown == 40
    posts = [r for d in ids for r in emu.requests(d) if r["method"] == "POST"]
    assert len(posts) == 40
    # Turned off, the unknowns are reported as they are, with nothing read.
    more = emu.resettable()[40:50]
    items = list(c.reset_passcodes(more, pace=None, verify_unknown=None))
    assert all(isinstance(i.error, ip.OutcomeUnknownError) for i in items)
    assert not [r for d in more for r in emu.requests(d) if r["method"] == "GET"]
    # 0 is off too, as in Node, C and the command line.
    zero = emu.resettable()[50:60]
    items = list(c.reset_passcodes(zero, pace=None, verify_unknown=0))
    assert len(items) == 10 and all(isinstance(i.error, ip.OutcomeUnknownError) for i in items)
    assert not [r for d in zero for r in emu.requests(d) if r["method"] == "GET"]
