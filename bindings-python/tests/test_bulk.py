"""Bulk from Python: one item per ID, nothing reset twice, lazy input, bad items, a raising generator, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any, Iterator

import pytest

import intune_passcode as ip
from intune_passcode import Client


def test_five_thousand_ids_five_thousand_items_none_reset_twice(fresh_emu: Any) -> None:
    c = Client(token=fresh_emu.token, base_url=fresh_emu.graph_url)
    ids = [d["id"] for d in fresh_emu.devices()][:5000]
    seen = {}
    for item in c.reset_passcodes(ids, concurrency=32, pace=None):
        seen[item.device_id] = seen.get(item.device_id, 0) + 1
        assert item.ok == (item.receipt is not None) == (item.error is None)
        if not item.ok:
            assert isinstance(item.error, ip.UnsupportedDeviceError), item
    assert len(seen) == 5000 and set(seen.values()) == {1}
    stats = fresh_emu.stats()
    assert stats["requests"] == 5000 and stats["devices_reset_more_than_once"] == 0


def test_input_is_read_lazily_and_bad_items_get_their_own_error(emu: Any) -> None:
    c = Client(token=emu.token, base_url=emu.graph_url)
    good = emu.resettable()[200:203]
    pulled = []

    def gen() -> Iterator[Any]:
        for x in [good[0], 5, "\ud800", "", good[1], None, good[2]]:
            pulled.append(x)
            yield x

    items = list(c.reset_passcodes(gen(), pace=None))
    assert len(items) == 7 and len(pulled) == 7
    by_id = {repr(i.device_id): i for i in items}
    for g in good:
        assert by_id[repr(g)].ok
    for bad in [5, "\ud800", "", None]:
        assert isinstance(by_id[repr(bad)].error, ip.InvalidArgumentError)


def test_a_generator_that_raises_midway_ends_the_run_with_its_exception(emu: Any) -> None:
    c = Client(token=emu.token, base_url=emu.graph_url)
    good = emu.resettable()[300:310]

    def gen() -> Iterator[str]:
        yield from good[:5]
        raise RuntimeError("the source broke")

    got = []
    with pytest.raises(RuntimeError, match="the source broke"):
        for item in c.reset_passcodes(gen(), pace=None):
            got.append(item)
    assert len(got) == 5 and all(i.ok for i in got), "the devices already read still got their outcomes"


def test_bulk_options_are_checked(emu: Any) -> None:
    c = Client(token=emu.token, base_url=emu.graph_url)
    for kw in [{"concurrency": 0}, {"concurrency": 5000}, {"pace": (0, 1.0)}, {"pace": (10, 0.0)}, {"pace": "fast"}]:
        with pytest.raises(ip.InvalidArgumentError):
            c.reset_passcodes(["d"], **kw)
    with pytest.raises(TypeError):
        c.reset_passcodes(["d"], pace=[1, 2])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.reset_passcodes(5)  # type: ignore[arg-type]
    list(c.reset_passcodes(emu.resettable()[400:402], pace=(100, 1.0)))


def test_input_is_pulled_as_the_run_needs_it_not_all_at_once(emu: Any) -> None:
    c = Client(token=emu.token, base_url=emu.graph_url)
    ids = emu.resettable()[2000:4000]
    assert len(ids) == 2000
    pulled = []

    def gen() -> Iterator[str]:
        for x in ids:
            pulled.append(x)
            yield x

    it = c.reset_passcodes(gen(), concurrency=4, pace=None)
    first = next(it)
    assert first.ok
    # Checked while iterating: a run that read its input eagerly would have pulled all 2,000 by now; ours reads
    # ahead in batches of 256 (one GIL acquisition each).
    assert len(pulled) < 1000, len(pulled)
    del it


def test_pace_holds_every_window_to_its_writes(fresh_emu: Any) -> None:
    # The emulator does not throttle here: only the client's pacing can spread these 30 writes over 2 s or more.
    c = Client(token=fresh_emu.token, base_url=fresh_emu.graph_url)
    ids = fresh_emu.resettable()[:30]
    items = list(c.reset_passcodes(ids, concurrency=16, pace=(10, 1.0)))
    assert all(i.ok for i in items) and len(items) == 30
    times = sorted(r["at_ms"] for d in ids for r in fresh_emu.requests(d))
    assert len(times) == 30
    busiest = max(sum(1 for u in times if t <= u < t + 1000) for t in times)
    assert busiest <= 10, f"{busiest} writes in one 1 s window; pace was 10 per second"
    assert times[-1] - times[0] >= 1900, times


INTERRUPTED = """
import sys, time
import signal
# A harness that started us in the background may have set SIGINT to be ignored: Ctrl-C is what is tested.
signal.signal(signal.SIGINT, signal.default_int_handler)
from intune_passcode import Client
c = Client(token=sys.argv[2], base_url=sys.argv[1])
print("ready", flush=True)
started = time.monotonic()
try:
    if sys.argv[3] == "single":
        c.reset_passcode("slow-device")
    else:
        for _ in c.reset_passcodes(["slow-device"] * 3, pace=None):
            pass
except KeyboardInterrupt:
    print("interrupted after %.2f" % (time.monotonic() - started), flush=True)
"""


@pytest.mark.parametrize("mode", ["single", "bulk"])
def test_ctrl_c_interrupts_a_blocking_call_promptly(emu: Any, mode: str) -> None:
    emu.script("slow-device", [{"status": 204, "delay_ms": 10000}] * 3)
    p = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, emu.graph_url, emu.token, mode], stdout=subprocess.PIPE, text=True
    )
    assert p.stdout is not None
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    os.kill(p.pid, signal.SIGINT)
    out, _ = p.communicate(timeout=5)
    assert out.startswith("interrupted after"), out
    assert float(out.split()[-1]) < 2.0
