"""Credentials production tenants allow: certificate (PEM, PFX), managed identity (IMDS, App Service), workload
identity and the environment, each resetting a device; bad input a CredentialError with nothing sent to Graph and no
secret in any message or log; and Microsoft's azure-identity getting tokens from the emulator (the proof that it
speaks Entra ID's protocol, not just ours)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

import intune_passcode as ip
from intune_passcode import AsyncClient, Client

from conftest import Emulator

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "credentials"
AZURE_VARS = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
              "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "AZURE_AUTHORITY_HOST",
              "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
              "AZURE_POD_IDENTITY_AUTHORITY_HOST", "MSI_ENDPOINT"]


@pytest.fixture()
def cred_emu() -> Iterator[Emulator]:
    e = Emulator("--throttle", "off", "--devices", "50")
    yield e
    e.stop()


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in AZURE_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def resets(emu: Emulator, client: Client) -> None:
    device = emu.info["samples"]["device_id"]
    before = emu.stats()["executed"]
    assert client.reset_passcode(device).status == 204
    assert emu.stats()["executed"] == before + 1


def refused(emu: Emulator, client: Client) -> ip.CredentialError:
    before = emu.stats()["requests"]
    with pytest.raises(ip.CredentialError) as info:
        client.reset_passcode(emu.info["samples"]["device_id"])
    assert emu.stats()["requests"] == before, "nothing may reach Graph"
    return info.value


def at(emu: Emulator, **kw: Any) -> Dict[str, Any]:
    return dict(base_url=emu.graph_url, authority_url=emu.info["authority_url"], **kw)


def test_certificates_pem_and_pfx_sync_and_async(cred_emu: Emulator) -> None:
    i = cred_emu.info
    app = dict(tenant_id=i["tenant_id"], client_id=i["client_id"])
    resets(cred_emu, Client(certificate_path=i["client_certificate_pem"], **app, **at(cred_emu)))
    resets(cred_emu, Client(certificate_path=i["client_certificate_pfx"],
                            certificate_password=i["client_certificate_password"], send_certificate_chain=True,
                            **app, **at(cred_emu)))
    async def run() -> int:
        ac = AsyncClient(certificate_path=i["client_certificate_pfx"],
                         certificate_password=i["client_certificate_password"], **app, **at(cred_emu))
        return (await ac.reset_passcode(i["samples"]["device_id"])).status

    assert asyncio.run(run()) == 204


def test_bad_certificates_are_credential_errors_naming_the_file_not_its_contents(cred_emu: Emulator,
                                                                                 tmp_path: Path) -> None:
    i = cred_emu.info
    pem = Path(i["client_certificate_pem"]).read_text()
    cert_only = tmp_path / "cert-only.pem"
    cert_only.write_text(pem[: pem.index("-----BEGIN PRIVATE KEY")])
    cases = [
        (i["client_certificate_pfx"], "hunter2-wrong", "password is wrong"),
        (str(cert_only), None, "holds no private key"),
        (str(FIXTURES / "encrypted.pem"), None, "is encrypted"),
        (str(FIXTURES / "ec.pem"), None, "not an RSA key"),
        (str(tmp_path / "absent.pfx"), None, "cannot be read"),
    ]
    for path, password, want in cases:
        with pytest.raises(ip.CredentialError) as info:
            Client(tenant_id=i["tenant_id"], client_id=i["client_id"], certificate_path=path,
                   certificate_password=password, **at(cred_emu))
        text = f"{info.value} {info.value!r}"
        assert want in text and path in text, text
        assert "hunter2-wrong" not in text and "BEGIN" not in text
    # An expired certificate: Entra ID's answer, with its AADSTS code, and nothing sent to Graph.
    c = Client(tenant_id=i["tenant_id"], client_id=i["client_id"],
               certificate_path=i["expired_client_certificate_pem"], **at(cred_emu))
    e = refused(cred_emu, c)
    assert "AADSTS700027" in str(e) and e.code == "CREDENTIAL"


def test_one_credential_kind_at_a_time(cred_emu: Emulator) -> None:
    i = cred_emu.info
    with pytest.raises(ip.InvalidArgumentError, match="give one credential"):
        Client(token="t", managed_identity=True, **at(cred_emu))
    with pytest.raises(ip.InvalidArgumentError, match="give one credential"):
        Client(tenant_id=i["tenant_id"], client_id=i["client_id"], client_secret="s",
               certificate_path=i["client_certificate_pem"], **at(cred_emu))
    with pytest.raises(ip.InvalidArgumentError, match="go with certificate_path"):
        Client(token="t", certificate_password="p", **at(cred_emu))
    with pytest.raises(TypeError, match="managed_identity must be True or a client ID"):
        Client(managed_identity=3, **at(cred_emu))  # type: ignore[arg-type]


def test_managed_identity_on_imds_and_app_service(cred_emu: Emulator, clean_env: pytest.MonkeyPatch) -> None:
    i = cred_emu.info
    clean_env.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", cred_emu.base)
    resets(cred_emu, Client(managed_identity=True, base_url=cred_emu.graph_url))
    resets(cred_emu, Client(managed_identity=i["client_id"], base_url=cred_emu.graph_url))
    # The client ID reaches IMDS: the reader's identity gets the reader's token, which may not reset.
    with pytest.raises(ip.PermissionDeniedError):
        Client(managed_identity=i["reader_client_id"], base_url=cred_emu.graph_url).reset_passcode(
            i["samples"]["device_id"])
    clean_env.setenv("IDENTITY_ENDPOINT", i["identity_endpoint"])
    clean_env.setenv("IDENTITY_HEADER", i["identity_header"])
    resets(cred_emu, Client(managed_identity=True, base_url=cred_emu.graph_url))
    assert len(cred_emu.control("managed_identity")["at_ms"]) == 4


def test_managed_identity_refusals_inside_the_deadline(cred_emu: Emulator, clean_env: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    clean_env.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", cred_emu.base)
    cred_emu.control("managed_identity", {"forever": 400})
    e = refused(cred_emu, Client(managed_identity="not-assigned", base_url=cred_emu.graph_url))
    assert e.status == 400 and len(cred_emu.control("managed_identity")["at_ms"]) == 1
    cred_emu.control("managed_identity", {"forever": 410})
    started = time.monotonic()
    e = refused(cred_emu, Client(managed_identity=True, base_url=cred_emu.graph_url, timeout=3.0))
    assert time.monotonic() - started < 3.0 and "410" in str(e) and "deadline" in str(e)
    # The App Service header is a secret: a wrong one is refused, and neither appears anywhere.
    clean_env.setenv("IDENTITY_ENDPOINT", cred_emu.info["identity_endpoint"])
    clean_env.setenv("IDENTITY_HEADER", "wrong-header-" + cred_emu.info["identity_header"][:8])
    cred_emu.control("managed_identity", {})
    with caplog.at_level(logging.DEBUG, logger="intune_passcode"):
        c = Client(managed_identity=True, base_url=cred_emu.graph_url)
        e = refused(cred_emu, c)
    text = f"{e} {e!r} {c!r} " + " ".join(r.getMessage() for r in caplog.records)
    assert e.status == 401
    assert cred_emu.info["identity_header"] not in text and "wrong-header-" not in text


def test_workload_identity_and_its_bad_token_files(cred_emu: Emulator, clean_env: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    i = cred_emu.info
    clean_env.setenv("AZURE_TENANT_ID", i["tenant_id"])
    clean_env.setenv("AZURE_CLIENT_ID", i["client_id"])
    clean_env.setenv("AZURE_AUTHORITY_HOST", i["authority_url"])
    clean_env.setenv("AZURE_FEDERATED_TOKEN_FILE", i["federated_token_file"])
    resets(cred_emu, Client(workload_identity=True, base_url=cred_emu.graph_url))
    (tmp_path / "empty").write_text("")
    for path, want in [(tmp_path / "empty", "is empty"), (tmp_path / "absent", "cannot be read")]:
        clean_env.setenv("AZURE_FEDERATED_TOKEN_FILE", str(path))
        fresh = Emulator("--throttle", "off", "--devices", "10")
        try:
            e = refused(fresh, Client(workload_identity=True, base_url=fresh.graph_url,
                                      authority_url=fresh.info["authority_url"]))
            assert want in str(e)
        finally:
            fresh.stop()


def test_from_environment_secret_certificate_and_the_reasons_when_nothing_works(
        cred_emu: Emulator, clean_env: pytest.MonkeyPatch) -> None:
    i = cred_emu.info
    clean_env.setenv("AZURE_TENANT_ID", i["tenant_id"])
    clean_env.setenv("AZURE_CLIENT_ID", i["client_id"])
    clean_env.setenv("AZURE_AUTHORITY_HOST", i["authority_url"])
    clean_env.setenv("AZURE_CLIENT_SECRET", i["client_secret"])
    resets(cred_emu, Client.from_environment(base_url=cred_emu.graph_url))
    clean_env.delenv("AZURE_CLIENT_SECRET")
    clean_env.setenv("AZURE_CLIENT_CERTIFICATE_PATH", i["client_certificate_pfx"])
    clean_env.setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", i["client_certificate_password"])
    async def run() -> int:
        ac = AsyncClient.from_environment(base_url=cred_emu.graph_url)
        return (await ac.reset_passcode(i["samples"]["device_id"])).status

    assert asyncio.run(run()) == 204
    for name in AZURE_VARS:
        clean_env.delenv(name, raising=False)
    # Nothing configured, and IMDS is a closed port: every reason in one error.
    clean_env.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")
    e = refused(cred_emu, Client.from_environment(base_url=cred_emu.graph_url))
    for part in ["environment:", "workload identity:", "managed identity"]:
        assert part in str(e), str(e)


# --- Microsoft's azure-identity against the emulator -------------------------------------------------------------


@pytest.fixture()
def tls_emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """MSAL insists on https authorities: the emulator with its own CA, trusted through REQUESTS_CA_BUNDLE."""
    e = Emulator("--throttle", "off", "--devices", "20", "--tls")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", e.info["ca_cert"])
    yield e
    e.stop()


def test_azure_identity_secret_certificate_and_managed_identity_get_tokens_from_the_emulator(
        tls_emu: Emulator, clean_env: pytest.MonkeyPatch) -> None:
    azure_identity = pytest.importorskip("azure.identity")
    i = tls_emu.info
    # Instance discovery asks login.microsoftonline.com itself, which no emulator can be: turn it off, as Microsoft
    # documents for private clouds and Azure Stack.
    kw: Dict[str, Any] = dict(authority=i["authority_url"], disable_instance_discovery=True)
    creds = [
        azure_identity.ClientSecretCredential(i["tenant_id"], i["client_id"], i["client_secret"], **kw),
        azure_identity.CertificateCredential(i["tenant_id"], i["client_id"], i["client_certificate_pem"], **kw),
        azure_identity.CertificateCredential(i["tenant_id"], i["client_id"], i["client_certificate_pfx"],
                                             password=i["client_certificate_password"], **kw),
    ]
    clean_env.setenv("IDENTITY_ENDPOINT", i["identity_endpoint"])
    clean_env.setenv("IDENTITY_HEADER", i["identity_header"])
    creds.append(azure_identity.ManagedIdentityCredential())
    for cred in creds:
        c = Client(credential=cred, base_url=tls_emu.graph_url, ca_cert=i["ca_cert"])
        resets(tls_emu, c)
    # The emulator's AADSTS answer reaches azure-identity's users as Entra ID's would.
    expired = azure_identity.CertificateCredential(i["tenant_id"], i["client_id"],
                                                   i["expired_client_certificate_pem"], **kw)
    with pytest.raises(Exception, match="AADSTS700027"):
        expired.get_token("https://graph.microsoft.com/.default")
