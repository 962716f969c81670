"""Secrets audit: a recognisable token and client secret never appear in any output, log, error or repr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import intune_passcode as ip

FAKE_TOKEN = "eyJFAKE-TOKEN-f00dfeed-5ecret-b0dy"
FAKE_SECRET = "CLIENT-SECRET-d00d-c0ffee-5ecret"


def test_no_secret_in_any_output_log_error_or_repr(emu: Any) -> None:
    emu.script("secrets-429", [{"status": 429, "headers": {"Retry-After": "0.01"}}] * 2)
    info = dict(emu.info, token=emu.token)
    android = next(d["id"] for d in emu.devices() if d["platform"] == "androidDedicated" and not d["offline"]
                   and d["resetCount"] == 0)
    driver = Path(__file__).with_name("secrets_driver.py")
    out = subprocess.run(
        [sys.executable, str(driver), json.dumps(info), FAKE_TOKEN, FAKE_SECRET, android],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, RUST_LOG="trace"),
    )
    text = out.stdout + out.stderr
    assert out.returncode == 0 and "driver done" in out.stdout, text[-3000:]
    # The audit looked at something: every path ran, and the logs were on at DEBUG.
    for seen in ["raised NotFoundError", "raised PermissionDeniedError", "raised ThrottledError",
                 "raised AuthenticationError", "raised CredentialError", "raised InvalidArgumentError",
                 "intune_passcode", "DEBUG"]:
        assert seen in text, f"{seen!r} not in the driver's output"
    # The passcode the driver read back (it resets nothing after it), revealed here only.
    action = ip.Client(token=emu.token, base_url=emu.graph_url).reset_status(android)
    assert action is not None and action.passcode is not None and "Passcode('***')" in text
    passcode = action.passcode.reveal()
    for secret in [FAKE_TOKEN, FAKE_SECRET, emu.token, emu.info["client_secret"],
                   emu.info["unprivileged_client_secret"], passcode]:
        assert secret not in text, "a secret appears in the output"
