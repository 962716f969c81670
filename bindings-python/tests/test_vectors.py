"""The shared vectors in tests/vectors/, run through the Python binding."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Dict

import pytest

from intune_passcode import Client, IntunePasscodeError

VECTORS = sorted((Path(__file__).resolve().parents[2] / "tests" / "vectors").glob("*.json"))


def test_vectors_are_there() -> None:
    assert len(VECTORS) == 40


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(emu: Any, path: Path) -> None:
    v: Dict[str, Any] = json.loads(path.read_text())
    t = v["target"]
    if v["responses"]:
        emu.script(t["device_id"], v["responses"])
    o = v["options"]
    client = Client(
        token=emu.token,
        base_url=emu.graph_url,
        max_retries=o.get("max_retries", 3),
        timeout=o.get("timeout_ms", 20000) / 1000,
    )
    route = {"user_id": t["user_id"], "detected_app_id": t["detected_app_id"]}
    call = v.get("call", "reset_passcode")
    started = time.monotonic()
    got: Dict[str, Any]
    try:
        if call == "reset_passcode":
            r = client.reset_passcode(t["device_id"], **route)
            got = {"ok": True, "status": r.status, "attempts": r.attempts, "request_id": r.request_id}
        elif call == "reset_status":
            a = client.reset_status(t["device_id"], **route)
            got = {"ok": True, "found": a is not None}
            if a is not None:
                got.update(state=a.state, passcode=None if a.passcode is None else a.passcode.reveal())
        else:
            assert call == "confirm_reset", call
            sent_at = datetime.fromisoformat(o["sent_at"].replace("Z", "+00:00"))
            c = client.confirm_reset(t["device_id"], sent_at, within=o.get("within_ms", 10000) / 1000, **route)
            if c.accepted:
                assert c.action is not None
                got = {"ok": True, "confirmation": "accepted", "state": c.action.state}
            else:
                got = {"ok": True, "confirmation": "not_seen", "latest_state": c.latest and c.latest.state}
    except IntunePasscodeError as e:
        got = {
            "ok": False,
            "code": e.code,
            "status": e.status,
            "graph_code": e.graph_code,
            "request_id": e.request_id,
            "attempts": e.attempts,
            "retry_after_ms": None if e.retry_after is None else round(e.retry_after * 1000),
            "intune_activity_id": e.intune_activity_id,
        }
    elapsed_ms = (time.monotonic() - started) * 1000
    # One checker for every language: it walks `expect` and reads the request log itself (also for an empty ID).
    emu.check_vector(v, got, elapsed_ms)
