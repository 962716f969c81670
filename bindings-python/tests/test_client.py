"""The blocking Client: routes, receipts, every exception class with its attributes, argument types, credentials."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, List

import pytest

import intune_passcode as ip
from intune_passcode import Client


def client(emu: Any, **kw: Any) -> Client:
    kw.setdefault("token", emu.token)
    return Client(base_url=emu.graph_url, **kw)


def test_three_routes_and_the_receipt(emu: Any) -> None:
    s = emu.info["samples"]
    c = client(emu)
    r = c.reset_passcode(s["device_id"])
    assert (r.status, r.attempts) == (204, 1)
    assert r.request_id and r.client_request_id and r.date and r.ags_diagnostic
    assert r.waited == 0.0
    assert "Receipt(status=204" in repr(r)
    c.reset_passcode(s["device_id"], user_id=s["user_id"])
    c.reset_passcode(s["detected_app_device_id"], detected_app_id=s["detected_app_id"])
    paths = [q["path"] for q in emu.requests(s["device_id"])]
    assert any(p.startswith("/v1.0/users/") for p in paths)
    assert any("/detectedApps/" in q["path"] for q in emu.requests(s["detected_app_device_id"]))
    ua = emu.requests(s["device_id"])[0]["headers"]["user-agent"]
    assert ua.startswith("intune-passcode/") and "(python/3." in ua


def expect(exc: type, fn: Any, *args: Any, **kw: Any) -> Any:
    with pytest.raises(exc) as info:
        fn(*args, **kw)
    assert isinstance(info.value, ip.IntunePasscodeError)
    return info.value


def test_every_error_class_has_its_code_and_attributes(emu: Any) -> None:
    s = emu.info["samples"]
    c = client(emu, max_retries=1)
    e = expect(ip.NotFoundError, c.reset_passcode, "no-such-device")
    assert isinstance(e, LookupError)
    assert (e.code, e.status, e.graph_code) == ("NOT_FOUND", 404, "ResourceNotFound")
    assert e.request_id and e.client_request_id and e.date and e.attempts == 1
    assert "NOT_FOUND" in str(e) and "404" in str(e) and e.request_id in str(e)

    e = expect(ip.UnsupportedDeviceError, c.reset_passcode, s["windows_device_id"])
    assert e.code == "UNSUPPORTED_DEVICE" and e.intune_activity_id

    unpriv = Client(
        tenant_id=emu.info["tenant_id"],
        client_id=emu.info["unprivileged_client_id"],
        client_secret=emu.info["unprivileged_client_secret"],
        base_url=emu.graph_url,
        authority_url=emu.info["authority_url"],
    )
    e = expect(ip.PermissionDeniedError, unpriv.reset_passcode, s["device_id"])
    assert "DeviceManagementManagedDevices.PrivilegedOperations.All" in str(e)

    e = expect(ip.AuthenticationError, client(emu, token="not-a-token").reset_passcode, s["device_id"])
    assert (e.code, e.status, e.graph_code) == ("AUTHENTICATION", 401, "InvalidAuthenticationToken")

    emu.script("py-429", [{"status": 429, "headers": {"Retry-After": "0.05"}}] * 2)
    e = expect(ip.ThrottledError, c.reset_passcode, "py-429")
    assert e.retry_after == pytest.approx(0.05) and e.attempts == 2

    emu.script("py-503", [{"status": 503, "headers": {"Retry-After": "0.05"}}] * 2)
    assert expect(ip.ServiceUnavailableError, c.reset_passcode, "py-503").status == 503

    emu.script("py-504", [{"status": 504}])
    assert expect(ip.OutcomeUnknownError, c.reset_passcode, "py-504").code == "OUTCOME_UNKNOWN"

    emu.script("py-400", [{"status": 400, "body": {"error": {"code": "BadRequest", "message": "no"}}}])
    assert expect(ip.BadRequestError, c.reset_passcode, "py-400").graph_code == "BadRequest"

    emu.script("py-302", [{"status": 302, "headers": {"Location": "https://example.com/"}}])
    assert expect(ip.UnexpectedResponseError, c.reset_passcode, "py-302").status == 302

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    dead = Client(token="t", base_url=f"http://127.0.0.1:{port}/v1.0", max_retries=0)
    e = expect(ip.NetworkError, dead.reset_passcode, "d")
    assert isinstance(e, ConnectionError)

    e = expect(
        ip.CredentialError,
        Client(
            tenant_id=emu.info["tenant_id"],
            client_id=emu.info["client_id"],
            client_secret="wrong",
            base_url=emu.graph_url,
            authority_url=emu.info["authority_url"],
        ).reset_passcode,
        s["device_id"],
    )
    assert "AADSTS7000215" in str(e) and e.graph_code == "invalid_client"


def test_bad_input_is_typed_and_sends_nothing(emu: Any) -> None:
    c = client(emu)
    before = emu.stats()["requests"]
    for bad in ["", "..", "a\x00b", "x" * 1025, "x" * (1 << 20), "\ud800"]:
        e = expect(ip.InvalidArgumentError, c.reset_passcode, bad)
        assert isinstance(e, ValueError) and e.code == "INVALID_ARGUMENT"
    expect(ip.InvalidArgumentError, c.reset_passcode, "d", user_id="u", detected_app_id="a")
    for wrong in [None, 5, b"bytes", object()]:
        with pytest.raises(TypeError):
            c.reset_passcode(wrong)  # type: ignore[arg-type]

    class Evil:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(TypeError):
        c.reset_passcode(Evil())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.reset_passcode("d", user_id=7)  # type: ignore[arg-type]
    assert emu.stats()["requests"] == before
    for kw in [
        {"base_url": "http://graph.example.com/v1.0"},
        {"timeout": 0},
        {"timeout": float("nan")},
        {"max_retries": 11},
        {"max_retries": -1},
        {"cloud": "mars"},
        {"api_version": "v2"},
        {"ca_cert": "/nonexistent.pem"},
    ]:
        expect(ip.InvalidArgumentError, Client, token="t", **kw)
    expect(ip.InvalidArgumentError, Client)
    expect(ip.InvalidArgumentError, Client, token="t", tenant_id="x", client_id="y", client_secret="z")
    expect(ip.InvalidArgumentError, Client, tenant_id="x", client_id="y")
    with pytest.raises(TypeError):
        Client(token=5)  # type: ignore[arg-type]


class CountingCredential:
    def __init__(self, token: str, lifetime: float) -> None:
        self.token, self.lifetime, self.calls, self.scopes = token, lifetime, 0, []  # type: List[Any]

    def get_token(self, *scopes: str) -> Any:
        self.calls += 1
        self.scopes.append(scopes)
        return type("AccessToken", (), {"token": self.token, "expires_on": int(time.time() + self.lifetime)})()


def test_a_credential_object_is_called_once_per_expiry(emu: Any) -> None:
    cred = CountingCredential(emu.token, 3600)
    c = Client(credential=cred, base_url=emu.graph_url)
    for d in emu.resettable()[:20]:
        c.reset_passcode(d)
    assert cred.calls == 1
    assert cred.scopes[0] == ("https://graph.microsoft.com/.default",)
    short = CountingCredential(emu.token, 2)
    c = Client(credential=short, base_url=emu.graph_url)
    c.reset_passcode(emu.info["samples"]["device_id"])
    time.sleep(1.2)  # past half its life: refreshed before use
    c.reset_passcode(emu.info["samples"]["device_id"])
    assert short.calls == 2


def test_credential_failures_become_credential_error_with_the_cause(emu: Any) -> None:
    class Raises:
        def get_token(self, *scopes: str) -> Any:
            raise KeyError("vault sealed")

    e = expect(ip.CredentialError, Client(credential=Raises(), base_url=emu.graph_url).reset_passcode, "d")
    assert isinstance(e.__cause__, KeyError)

    class Garbage:
        def get_token(self, *scopes: str) -> Any:
            return 42

    expect(ip.CredentialError, Client(credential=Garbage(), base_url=emu.graph_url).reset_passcode, "d")

    class Hangs:
        def get_token(self, *scopes: str) -> Any:
            time.sleep(3)
            raise RuntimeError("too late")

    c = Client(credential=Hangs(), base_url=emu.graph_url, timeout=0.3)
    started = time.monotonic()
    expect(ip.TimeoutError, c.reset_passcode, "d")
    assert time.monotonic() - started < 2.5


def test_client_credentials_flow(emu: Any) -> None:
    c = Client(
        tenant_id=emu.info["tenant_id"],
        client_id=emu.info["client_id"],
        client_secret=emu.info["client_secret"],
        base_url=emu.graph_url,
        authority_url=emu.info["authority_url"],
    )
    before = emu.stats()["token_requests"]
    for d in emu.resettable()[100:110]:
        assert c.reset_passcode(d).status == 204
    assert emu.stats()["token_requests"] == before + 1


def test_sixteen_threads_share_one_client(fresh_emu: Any) -> None:
    c = client(fresh_emu)
    devices = fresh_emu.resettable()[:1600]
    errors: List[BaseException] = []

    def work(ids: List[str]) -> None:
        try:
            for d in ids:
                assert c.reset_passcode(d).status == 204
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(devices[i::16],)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    stats = fresh_emu.stats()
    assert stats["executed"] == 1600 and stats["devices_reset_more_than_once"] == 0


def test_reprs_read_as_python_and_errors_carry_intunes_ids(emu: Any) -> None:
    s = emu.info["samples"]
    c = client(emu)
    r = c.reset_passcode(s["device_id"])
    text = repr(r)
    assert "Some(" not in text and "None" not in text.replace("=None", "") and f"request_id='{r.request_id}'" in text
    with pytest.raises(ip.UnsupportedDeviceError) as info:
        c.reset_passcode(s["windows_device_id"])
    e = info.value
    assert e.intune_activity_id and f"Intune activity ID: {e.intune_activity_id}" in str(e)
    assert e.intune_operation_id and f"Intune operation ID: {e.intune_operation_id}" in str(e)
    assert "not supported on windows devices" in str(e)
    assert "Some(" not in repr(e)
