"""The shared vectors in tests/vectors/, run through the Python binding."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Dict

import pytest

from intune_passcode import Client, IntunePasscodeError

VECTORS = sorted((Path(__file__).resolve().parents[2] / "tests" / "vectors").glob("*.json"))


def test_vectors_are_there() -> None:
    assert len(VECTORS) == 30


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
    started = time.monotonic()
    try:
        r = client.reset_passcode(t["device_id"], user_id=t["user_id"], detected_app_id=t["detected_app_id"])
        got: Dict[str, Any] = {"ok": True, "status": r.status, "attempts": r.attempts, "request_id": r.request_id}
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
