"""Driven by test_secrets.py in a child process: every error path with logging at DEBUG and RUST_LOG=trace, every
error and client printed (str, repr, attributes, cause). The parent reads all of it and looks for the secrets.

    python secrets_driver.py INFO_JSON FAKE_TOKEN FAKE_SECRET ANDROID_DEVICE_ID
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any, Callable

import intune_passcode as ip
from intune_passcode import _native

info = json.loads(sys.argv[1])
fake_token, fake_secret, android = sys.argv[2], sys.argv[3], sys.argv[4]
url, samples = info["graph_url"], info["samples"]
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
_native.reset_logging()


def show(what: str, call: Callable[[], Any]) -> None:
    try:
        print(what, "returned", repr(call()))
    except BaseException as e:  # noqa: BLE001 - every error is printed whole
        attrs = {k: getattr(e, k) for k in dir(e) if not k.startswith("__") and not callable(getattr(e, k))}
        print(what, "raised", type(e).__name__, str(e), repr(e), attrs, repr(e.__cause__), repr(e.args))


good = ip.Client(token=info["token"], base_url=url, max_retries=1)
print(repr(good))
show("ok", lambda: good.reset_passcode(samples["device_id"]))
show("404", lambda: good.reset_passcode("no-such-device"))
show("403", lambda: ip.Client(tenant_id=info["tenant_id"], client_id=info["unprivileged_client_id"],
                              client_secret=info["unprivileged_client_secret"], base_url=url,
                              authority_url=info["authority_url"]).reset_passcode(samples["device_id"]))
show("429", lambda: good.reset_passcode("secrets-429"))
show("401", lambda: ip.Client(token=fake_token, base_url=url).reset_passcode(samples["device_id"]))
show("wrong secret", lambda: ip.Client(tenant_id=info["tenant_id"], client_id=info["client_id"],
                                       client_secret=fake_secret, base_url=url,
                                       authority_url=info["authority_url"]).reset_passcode(samples["device_id"]))
show("right secret", lambda: ip.Client(tenant_id=info["tenant_id"], client_id=info["client_id"],
                                       client_secret=info["client_secret"], base_url=url,
                                       authority_url=info["authority_url"]).reset_passcode(samples["device_id"]))


class Raising:
    def get_token(self, *scopes: str) -> Any:
        raise RuntimeError("vault sealed")


class Garbage:
    def get_token(self, *scopes: str) -> Any:
        return type("AccessToken", (), {"token": fake_token + "\n", "expires_on": "soon"})()


# The new passcode (read back last, so the parent can reveal it and look for it): every object that holds it printed.
receipt = good.reset_passcode(android)
action = good.wait_for_reset(android, receipt.sent_at, timeout=15)
show("passcode", lambda: (action, action.passcode, str(action.passcode), good.reset_status(android)))
show("confirm", lambda: good.confirm_reset(android, receipt.sent_at, within=2))
show("credential raises", lambda: ip.Client(credential=Raising(), base_url=url).reset_passcode("d"))
show("credential garbage", lambda: ip.Client(credential=Garbage(), base_url=url).reset_passcode("d"))
show("invalid id", lambda: good.reset_passcode("a\x00b"))
show("http to another host", lambda: ip.Client(token=fake_token, base_url="http://graph.example.com/v1.0"))
show("other cloud's host", lambda: ip.Client(token=fake_token, base_url="https://graph.microsoft.us/v1.0"))
show("secret and token", lambda: ip.Client(token=fake_token, tenant_id="t", client_id="c", client_secret=fake_secret))
print([(repr(i), repr(i.error)) for i in good.reset_passcodes([samples["device_id"], "no-such-device", ""])])


async def run_async() -> None:
    c = ip.AsyncClient(token=fake_token, base_url=url)
    print(repr(c))
    try:
        await c.reset_passcode(samples["device_id"])
    except ip.IntunePasscodeError as e:
        print("async 401", str(e), repr(e))


asyncio.run(run_async())
print("driver done")
