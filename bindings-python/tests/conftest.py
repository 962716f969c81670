"""Fixtures: the emulator binary on port 0 (its ready line read), and helpers for its control endpoints."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
EMULATOR = Path(os.environ.get("EMULATOR_BIN", ROOT / "target" / "debug" / "graph-emulator"))


class Emulator:
    """A running emulator binary and its ready line."""

    def __init__(self, *args: str) -> None:
        if not EMULATOR.exists():
            raise RuntimeError(f"{EMULATOR} is missing: run `cargo build -p graph-emulator` (make test does)")
        self.proc = subprocess.Popen(
            [str(EMULATOR), "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator exited before its ready line")
        self.info: Dict[str, Any] = json.loads(line)
        self.graph_url: str = self.info["graph_url"]
        self.token: str = self.info["token"]
        self.base = self.graph_url.rsplit("/", 1)[0]

    def control(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base}/_emulator/{path}", data=data, method="POST" if data else "GET")
        ctx = ssl.create_default_context(cafile=self.info["ca_cert"]) if self.info.get("ca_cert") else None
        with urllib.request.urlopen(req, context=ctx) as resp:
            return json.loads(resp.read())

    def devices(self) -> List[Dict[str, Any]]:
        return self.control("devices")

    def resettable(self) -> List[str]:
        return [d["id"] for d in self.devices() if d["platform"] not in ("windows", "macOS")]

    def stats(self) -> Dict[str, Any]:
        return self.control("stats")

    def requests(self, device_id: str) -> List[Dict[str, Any]]:
        return self.control("requests?device_id=" + urllib.parse.quote(device_id, safe=""))

    def script(self, device_id: str, responses: List[Dict[str, Any]]) -> None:
        self.control("script", {"device_id": device_id, "responses": responses})

    def check_vector(self, vector: Dict[str, Any], observed: Dict[str, Any], elapsed_ms: float) -> None:
        """The shared vector checker (the emulator's): every key of `expect`, against the observation and its log."""
        verdict = self.control("check", {"vector": vector, "observed": observed, "elapsed_ms": elapsed_ms})
        assert verdict["ok"], verdict.get("error")

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="session")
def emu() -> Iterator[Emulator]:
    e = Emulator("--throttle", "off", "--devices", "8000")
    yield e
    e.stop()


@pytest.fixture()
def fresh_emu() -> Iterator[Emulator]:
    """An emulator of one's own, for tests that count everything it saw."""
    e = Emulator("--throttle", "off", "--devices", "6000")
    yield e
    e.stop()
