"""The fixture users get: `intune_passcode.testing.Emulator` and the pytest plugin's fixtures, each feature used as a
user's test would use it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

import intune_passcode
from intune_passcode import OutcomeUnknownError, UnsupportedDeviceError
from intune_passcode.testing import FAULTS, Emulator


def resettable(emu: Emulator) -> "list[str]":
    return [d["id"] for d in emu.devices() if d["platform"] not in ("windows", "macOS") and not d["offline"]]


def test_the_plugin_fixture_is_a_fresh_tenant_that_counts_resets(intune_emulator: Emulator) -> None:
    device = resettable(intune_emulator)[0]
    receipt = intune_emulator.client().reset_passcode(device)
    assert receipt.status == 204
    assert intune_emulator.reset_count(device) == 1
    [record] = intune_emulator.resets()
    assert (record["device_id"], record["route"]) == (device, "device")
    user = next(d["userId"] for d in intune_emulator.devices() if d["id"] == device)
    intune_emulator.assert_no_device_reset_twice()
    intune_emulator.client().reset_passcode(device, user_id=user)
    assert [r["route"] for r in intune_emulator.resets()] == ["device", "user"]
    with pytest.raises(AssertionError, match=f"{device} \\(2 times\\)"):
        intune_emulator.assert_no_device_reset_twice()
    assert intune_emulator.stats()["executed"] == 2
    assert [r["method"] for r in intune_emulator.requests(device)] == ["POST", "POST"]


def test_each_test_gets_its_own_tenant(intune_emulator: Emulator) -> None:
    # The previous test reset devices of a tenant with the same seed: none of it is here.
    assert intune_emulator.resets() == []
    assert len(intune_emulator.devices()) == 200


def test_a_scripted_504_ends_unknown_and_is_not_sent_again(intune_emulator: Emulator) -> None:
    device = resettable(intune_emulator)[0]
    intune_emulator.script(device, [504])
    with pytest.raises(OutcomeUnknownError):
        intune_emulator.client().reset_passcode(device)
    assert len(intune_emulator.requests(device)) == 1
    assert intune_emulator.reset_count(device) == 0
    with pytest.raises(ValueError, match="42 is not a status from 100 to 599"):
        intune_emulator.script(device, [429, 42])
    intune_emulator.script(device, [429, {"status": 204}])
    assert intune_emulator.client().reset_passcode(device).status == 204
    assert intune_emulator.reset_count(device) == 1


def test_windows_devices_fail_cleanly(intune_emulator: Emulator) -> None:
    windows = intune_emulator.devices(platform="Windows")
    assert windows and all(d["platform"] == "windows" for d in windows)
    with pytest.raises(UnsupportedDeviceError):
        intune_emulator.client().reset_passcode(windows[0]["id"])
    assert intune_emulator.resets() == []


def test_the_factory_takes_throttling_and_faults(intune_emulator_factory: Callable[..., Emulator]) -> None:
    emu = intune_emulator_factory(devices=30, throttle=(3, 60), faults={"latency": 0, "retry_after": 0})
    ids = resettable(emu)
    client = emu.client(max_retries=0)
    for d in ids[:3]:
        client.reset_passcode(d)
    with pytest.raises(intune_passcode.ThrottledError):
        client.reset_passcode(ids[3])
    gw = intune_emulator_factory(devices=30, faults={504: 1.0})
    with pytest.raises(OutcomeUnknownError):
        gw.client().reset_passcode(resettable(gw)[0])
    # A gateway timeout cannot tell whether the backend ran the reset; the fault runs it on half of its hits.
    assert gw.stats()["faults"]["504"] == 1
    assert gw.stats()["executed"] in (0, 1)


def test_env_serves_code_that_reads_the_environment(intune_emulator: Emulator,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in intune_emulator.env().items():
        monkeypatch.setenv(k, v)
    device = resettable(intune_emulator)[0]
    intune_passcode.Client.from_environment(base_url=intune_emulator.graph_url).reset_passcode(device)
    assert intune_emulator.reset_count(device) == 1


def test_offline_devices_stay_pending(intune_emulator: Emulator) -> None:
    device = resettable(intune_emulator)[0]
    intune_emulator.set_offline(device)
    assert next(d for d in intune_emulator.devices() if d["id"] == device)["offline"] is True
    intune_emulator.client().reset_passcode(device)
    time.sleep(0.05)
    status = intune_emulator.client().reset_status(device)
    assert status is not None and status.state == "pending"
    intune_emulator.set_offline(device, False)
    with pytest.raises(KeyError):
        intune_emulator.set_offline("no-such-device")


def test_two_emulators_share_nothing() -> None:
    with Emulator(devices=20) as a, Emulator(devices=20) as b:
        assert a.graph_url != b.graph_url
        device = resettable(a)[0]
        a.client().reset_passcode(device)
        assert (a.reset_count(device), b.reset_count(device)) == (1, 0)


def test_async_with_and_the_async_client() -> None:
    async def main() -> int:
        async with Emulator(devices=20) as emu:
            device = resettable(emu)[0]
            receipt = await emu.async_client().reset_passcode(device)
            return receipt.status

    assert asyncio.run(main()) == 204


def test_stop_releases_the_port_and_files() -> None:
    emu = Emulator.start(devices=10)
    port = int(emu.graph_url.rsplit(":", 1)[1].split("/")[0])
    assert emu.running and os.path.exists(emu.certificate_path)
    emu.stop()
    emu.stop()
    assert not emu.running and not os.path.exists(emu.certificate_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
    with pytest.raises(RuntimeError, match="stopped"):
        emu.devices()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (dict(faults={"430": 0.1}), "unknown fault '430'.*stale_504"),
        (dict(faults={"429": 1.5}), "from 0 to 1"),
        (dict(faults={"429": -0.1}), "0 or more"),
        (dict(faults={"429": "often"}), "must be a number"),
        (dict(faults={"429": 0.6, "504": 0.6}), "more than 1"),
        (dict(faults=[429]), "mapping"),
        (dict(devices=0), "devices must be from 1"),
        (dict(devices=-5), "devices must be from 1"),
        (dict(devices=2.5), "whole number"),
        (dict(throttle="sometimes"), "throttle"),
        (dict(throttle=(0, 20)), "positive whole number"),
        (dict(throttle=(10, 0)), "seconds above 0"),
        (dict(throttle=("a", "b")), "throttle"),
        (dict(action_lag=-1), "action_lag"),
        (dict(token_lifetime=float("nan")), "token_lifetime"),
    ],
)
def test_bad_settings_are_a_value_error_and_start_nothing(settings: "dict[str, Any]", message: str) -> None:
    # By thread ID, not count: an idle runtime thread of an earlier test may end meanwhile (seen in CI: 10 then 9).
    before = set(os.listdir("/proc/self/task"))
    with pytest.raises(ValueError, match=message):
        Emulator(**settings)
    assert set(os.listdir("/proc/self/task")) - before == set(), "a thread was started"


def test_a_tenant_file_that_is_not_ours_is_refused(tmp_path: Path) -> None:
    for text, message in [('{"value": []}', "not valid"), ("not json", "not valid"),
                          ('{"tenant_id": "t", "apps": [], "devices": []}', "privileged")]:
        f = tmp_path / "tenant.json"
        f.write_text(text)
        with pytest.raises(ValueError, match=message):
            Emulator(tenant=str(f))
    with pytest.raises(ValueError, match="missing.json"):
        Emulator(tenant=str(tmp_path / "missing.json"))
    f.write_text(json.dumps({"tenant_id": "t-1", "apps": [{"client_id": "c-1", "client_secret": "s-1",
                                                            "privileged": True}],
                             "devices": [{"id": "d-1", "userId": "u-1", "platform": "iOS"}]}))
    with Emulator(tenant=str(f)) as emu:
        assert emu.tenant_id == "t-1" and [d["id"] for d in emu.devices()] == ["d-1"]
        emu.client().reset_passcode("d-1")


def test_fault_names_are_the_emulators() -> None:
    # Each name the module lists is accepted, and a typo is refused with the list.
    for name in FAULTS:
        Emulator(devices=1, faults={name: 0}).stop()


def test_a_forgotten_emulator_does_not_hold_the_interpreter_at_exit(tmp_path: Path) -> None:
    code = ("from intune_passcode.testing import Emulator\n"
            "e = Emulator(devices=10, faults={'latency': 1, 'latency_ms': 60000})\n"
            "import threading\n"
            "threading._emulator = e  # a reference that lives as long as the interpreter (not collected early)\n"
            "print(e.certificate_path, flush=True)\n")
    t = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert time.monotonic() - t < 10
    assert not os.path.exists(out.stdout.strip()), "stopped at exit: its files are gone"


def test_importing_the_package_or_the_plugin_does_not_load_the_fixture() -> None:
    code = ("import sys, intune_passcode, intune_passcode.pytest_plugin\n"
            "assert 'intune_passcode.testing' not in sys.modules\n"
            "import intune_passcode.testing\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_the_emulator_console_script_prints_the_ready_line_and_stops_on_sigterm() -> None:
    script = Path(sys.executable).parent / "intune-passcode-emulator"
    proc = subprocess.Popen([str(script), "--devices", "5", "--throttle", "off"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        assert ready["graph_url"].startswith("http://127.0.0.1:") and ready["samples"]["device_id"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
    bad = subprocess.run([str(script), "--faults", "nope=1"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "unknown fault 'nope'" in bad.stderr


def test_azure_identity_gets_tokens_from_a_fixture_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    azure_identity = pytest.importorskip("azure.identity")
    with Emulator(devices=10, tls=True) as emu:
        assert emu.ca_cert_path
        # MSAL insists on https authorities: the fixture's own CA, trusted through REQUESTS_CA_BUNDLE.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.ca_cert_path)
        cred = azure_identity.ClientSecretCredential(emu.tenant_id, emu.client_id, emu.client_secret,
                                                     authority=emu.authority_url, disable_instance_discovery=True)
        assert cred.get_token("https://graph.microsoft.com/.default").token
        device = resettable(emu)[0]
        emu.client(credential=cred).reset_passcode(device)
        assert emu.reset_count(device) == 1
