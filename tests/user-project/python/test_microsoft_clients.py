"""Microsoft's own clients against the emulator: azure-identity gets a token from its Entra ID endpoint, and
msgraph-sdk reads a managed device from its Graph.

MSAL (under azure-identity) insists on https, so these tests start the emulator with `tls=True` and trust its CA:
azure-identity's requests transport reads REQUESTS_CA_BUNDLE, and msgraph-sdk's httpx client reads SSL_CERT_FILE
when it is made. Instance discovery is turned off: MSAL would ask login.microsoftonline.com itself.

requirements.txt installs both; only the msgraph test is skipped where msgraph-sdk is missing.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable, Iterator

import pytest
from azure.identity import ClientSecretCredential

from intune_passcode.testing import Emulator

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@pytest.fixture
def tls_emulator(intune_emulator_factory: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    emu = intune_emulator_factory(tls=True)
    assert emu.ca_cert_path and emu.graph_url.startswith("https://")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.ca_cert_path)  # azure-identity (requests)
    monkeypatch.setenv("SSL_CERT_FILE", emu.ca_cert_path)  # msgraph-sdk (httpx), read when its client is made
    yield emu


def credential(emu: Emulator) -> ClientSecretCredential:
    return ClientSecretCredential(emu.tenant_id, emu.client_id, emu.client_secret,
                                  authority=emu.authority_url, disable_instance_discovery=True)


def test_azure_identity_gets_a_token_graph_accepts(tls_emulator: Emulator) -> None:
    token = credential(tls_emulator).get_token(GRAPH_SCOPE)
    assert token.token and token.expires_on > time.time() + 3000
    # The emulated Graph takes it: our client, signed in with that bearer token, resets a device.
    device = tls_emulator.samples["device_id"]
    assert tls_emulator.client(token=token.token).reset_passcode(device).status == 204
    assert tls_emulator.reset_count(device) == 1


def test_msgraph_sdk_reads_a_managed_device(tls_emulator: Emulator) -> None:
    GraphServiceClient = pytest.importorskip("msgraph").GraphServiceClient
    device_id = tls_emulator.samples["device_id"]

    async def read() -> object:
        graph = GraphServiceClient(credentials=credential(tls_emulator), scopes=[GRAPH_SCOPE])
        graph.request_adapter.base_url = tls_emulator.graph_url  # instead of https://graph.microsoft.com/v1.0
        return await graph.device_management.managed_devices.by_managed_device_id(device_id).get()

    device = asyncio.run(read())
    assert device is not None
    assert device.id == device_id
    assert device.operating_system == "Android"  # samples["device_id"] is an online Android device
    assert [r["method"] for r in tls_emulator.requests(device_id)] == ["GET"]
