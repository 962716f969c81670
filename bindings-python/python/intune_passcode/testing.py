"""Test your automation without a tenant: the Graph emulator, in-process.

>>> from intune_passcode.testing import Emulator
>>> with Emulator(devices=50) as emu:
...     device = emu.samples["ios_device_id"]
...     receipt = emu.client().reset_passcode(device)
...     assert emu.reset_count(device) == 1

The emulator is a real HTTP server on 127.0.0.1 (a free port per instance) that speaks Graph's ``resetPasscode``
routes, ``deviceActionResults``, Entra ID's token endpoint (secrets, certificates, federated tokens), managed
identity, Intune's throttling and seeded faults. It runs on threads of its own inside this process. Every instance
is a fresh tenant: nothing is shared between two of them. An instance a test forgets to stop is stopped when the
interpreter exits.

Microsoft's clients accept it too: point ``msgraph`` / ``azure-identity`` at :attr:`Emulator.graph_url` and
:attr:`Emulator.authority_url`. See docs/testing.md for what it models and what it assumes.
"""

from __future__ import annotations

import atexit
import json
import threading
import weakref
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._native import FAULT_NAMES, AsyncClient, Client, EmulatorServer

__all__ = ["Emulator", "FAULTS"]

#: Every fault name ``faults=`` takes: rates per write request from 0 to 1 (``latency_ms`` and ``retry_after`` are
#: a delay in milliseconds and seconds).
FAULTS = tuple(FAULT_NAMES)

_Throttle = Union[str, Tuple[int, float], None]
_Response = Union[int, Mapping[str, Any]]

# Emulators not yet stopped, stopped at exit so that their threads and files go with the process.
_live: "weakref.WeakSet[Emulator]" = weakref.WeakSet()
_live_lock = threading.Lock()


@atexit.register
def _stop_all() -> None:
    with _live_lock:
        running = list(_live)
    for emu in running:
        emu.stop()


class Emulator:
    """A Graph emulator started in-process: ``with Emulator(...) as emu:``, ``async with``, or
    ``Emulator.start(...)`` and ``.stop()``.

    :param devices: managed devices in the generated tenant (about 3% offline; Android, iOS, Windows, macOS mixed).
    :param seed: seed of the tenant and of the fault draws (the same seed, the same tenant).
    :param throttle: ``"off"``; ``"intune"`` (200 writes per app and 400 per tenant in any 20 s, with ``Retry-After``);
        or ``(writes, seconds)``: that many writes per app (twice that per tenant) in a window of that many seconds.
    :param faults: rates of injected faults, e.g. ``{"429": 0.05, "504": 0.02}``; the names are :data:`FAULTS`.
    :param action_lag: seconds before an executed reset shows in ``deviceActionResults``.
    :param action_lag_random: draw each device's lag from 0 to ``action_lag`` instead.
    :param action_done_after: seconds an online device takes to finish a reset (``pending`` until then).
    :param tenant: a tenant file (JSON, as the ``graph-emulator --tenant`` flag takes) instead of a generated tenant.
    :param tls: serve HTTPS with a generated CA (:attr:`ca_cert_path`).
    :param token_lifetime: seconds an issued token lives.
    :raises ValueError: a setting it cannot use (nothing is started).
    """

    def __init__(
        self,
        *,
        devices: int = 200,
        seed: int = 1,
        throttle: _Throttle = "off",
        faults: Optional[Mapping[Union[str, int], float]] = None,
        action_lag: Optional[float] = None,
        action_lag_random: bool = False,
        action_done_after: float = 0.0,
        tenant: Optional[str] = None,
        tls: bool = False,
        token_lifetime: float = 3599.0,
    ) -> None:
        if isinstance(devices, bool) or not isinstance(devices, int):
            raise ValueError(f"devices must be a whole number, not {devices!r}")
        if faults is not None and not isinstance(faults, Mapping):
            raise ValueError(f"faults takes a mapping such as {{'429': 0.05}}, not {faults!r}")
        self._server = EmulatorServer(
            devices=devices,
            seed=seed,
            throttle=throttle,
            faults=dict(faults) if faults is not None else None,
            action_lag=action_lag,
            action_lag_random=action_lag_random,
            action_done_after=action_done_after,
            tenant=tenant,
            tls=tls,
            token_lifetime=token_lifetime,
        )
        info: Dict[str, Any] = json.loads(self._server.ready_json())
        #: ``http://127.0.0.1:PORT/v1.0``: a client's Graph URL (``base_url``).
        self.graph_url: str = info["graph_url"]
        #: ``http://127.0.0.1:PORT``: the authority (``authority_url``, ``AZURE_AUTHORITY_HOST``).
        self.authority_url: str = info["authority_url"]
        #: The directory (tenant) ID.
        self.tenant_id: str = info["tenant_id"]
        #: An app that holds ``DeviceManagementManagedDevices.PrivilegedOperations.All`` and ``Read.All``.
        self.client_id: str = info["client_id"]
        #: Its secret.
        self.client_secret: str = info["client_secret"]
        #: Its certificate and key, one PEM file (``certificate_path=``).
        self.certificate_path: str = info["client_certificate_pem"]
        #: The same as PKCS#12, and its password.
        self.certificate_pfx_path: str = info["client_certificate_pfx"]
        self.certificate_password: str = info["client_certificate_password"]
        #: An app with ``Read.All`` only (reads devices; its resets get 403).
        self.reader_client_id: str = info["reader_client_id"]
        self.reader_client_secret: str = info["reader_client_secret"]
        #: An app with neither permission.
        self.unprivileged_client_id: str = info["unprivileged_client_id"]
        self.unprivileged_client_secret: str = info["unprivileged_client_secret"]
        #: A long-lived bearer token of the privileged app (``Client(token=...)``).
        self.token: str = info["token"]
        #: The CA to trust with ``tls=True`` (``ca_cert=``), else None.
        self.ca_cert_path: Optional[str] = info.get("ca_cert")
        #: A service-account token file the privileged app accepts (``AZURE_FEDERATED_TOKEN_FILE``).
        self.federated_token_file: str = info["federated_token_file"]
        #: Sample IDs: ``device_id``, ``user_id``, ``detected_app_id``, ``ios_device_id``, ``windows_device_id``, ...
        self.samples: Dict[str, str] = info["samples"]
        with _live_lock:
            _live.add(self)

    @classmethod
    def start(cls, **settings: Any) -> "Emulator":
        """Start an emulator (the same settings as the constructor); call :meth:`stop` when done."""
        return cls(**settings)

    def stop(self) -> None:
        """Stop serving: its port, threads and files are released. Stopping twice does nothing."""
        self._server.stop()
        with _live_lock:
            _live.discard(self)

    @property
    def running(self) -> bool:
        """Whether it still serves."""
        return self._server.running

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> "Emulator":
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Emulator {self.graph_url} tenant={self.tenant_id} {state}>"

    # -- clients -------------------------------------------------------------------------------------------------

    def _client_options(self, options: Dict[str, Any]) -> Dict[str, Any]:
        merged: Dict[str, Any] = {"base_url": self.graph_url, "authority_url": self.authority_url}
        if self.ca_cert_path:
            merged["ca_cert"] = self.ca_cert_path
        if not any(k in options for k in ("token", "credential", "certificate_path", "managed_identity",
                                           "workload_identity", "client_secret")):
            merged.update(tenant_id=self.tenant_id, client_id=self.client_id, client_secret=self.client_secret)
        merged.update(options)
        return merged

    def client(self, **options: Any) -> Client:
        """A :class:`~intune_passcode.Client` pointed at this emulator, signed in with the privileged app's secret
        unless ``options`` name another credential; ``options`` are the constructor's (``max_retries=``, ...)."""
        return Client(**self._client_options(options))

    def async_client(self, **options: Any) -> AsyncClient:
        """An :class:`~intune_passcode.AsyncClient` pointed at this emulator (as :meth:`client`)."""
        return AsyncClient(**self._client_options(options))

    def env(self) -> Dict[str, str]:
        """The ``AZURE_*`` variables of the privileged app's secret, for code that reads the environment
        (``Client.from_environment(base_url=emu.graph_url)``, ``DefaultAzureCredential``, the command line with
        ``--base-url``)."""
        return dict(self._server.env())

    # -- the tenant and its ledger -------------------------------------------------------------------------------

    def devices(self, platform: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every managed device, or those of one platform (a whole name, any case: ``"androidFullyManaged"``,
        ``"androidDedicated"``, ``"androidWorkProfile"``, ``"aosp"``, ``"iOS"``, ``"iPadOS"``, ``"windows"``,
        ``"macOS"``): ``id``, ``userId``, ``platform``, ``resetCount``, ``offline``, ..."""
        devices: List[Dict[str, Any]] = json.loads(self._server.devices_json(platform))
        return devices

    def reset_count(self, device_id: str) -> int:
        """How many resets of ``device_id`` Graph executed (0 for an unknown device)."""
        return self._server.reset_count(device_id)

    def resets(self) -> List[Dict[str, Any]]:
        """Every executed reset, oldest first: ``device_id``, ``at`` (RFC 3339), ``at_ms`` (since start),
        ``route`` (``"device"``, ``"user"`` or ``"detected_app"``) and ``path``."""
        resets: List[Dict[str, Any]] = json.loads(self._server.resets_json())
        return resets

    def requests(self, device_id: str) -> List[Dict[str, Any]]:
        """The requests that named ``device_id``, oldest first (the bearer token shown as ``***``)."""
        requests: List[Dict[str, Any]] = json.loads(self._server.requests_json(device_id))
        return requests

    def stats(self) -> Dict[str, Any]:
        """Counters: ``requests``, ``executed``, ``throttled_429``, ``early_retries``, ``faults``, ..."""
        stats: Dict[str, Any] = json.loads(self._server.stats_json())
        return stats

    def script(self, device_id: str, responses: Sequence[_Response]) -> None:
        """Answer the next requests that name ``device_id`` with ``responses``, in order, then behave normally.

        Each is a status (``429``, ``504``: not executed; a 2xx runs the reset) or a dict with ``status`` and any of
        ``headers``, ``body``, ``execute`` (run the reset anyway, as a 504 may have), ``fault`` (``"reset_before"``
        or ``"reset_after"``: drop the connection), ``delay_ms``, ``method``.
        """
        if isinstance(responses, (str, bytes)) or not isinstance(responses, Sequence):
            raise ValueError("script takes a list of statuses or dicts, e.g. [429, 504]")
        items: List[Mapping[str, Any]] = []
        for r in responses:
            if isinstance(r, bool) or not isinstance(r, (int, Mapping)):
                raise ValueError(f"script: {r!r} is neither a status nor a dict")
            items.append({"status": r} if isinstance(r, int) else dict(r))
        self._server.script_json(device_id, json.dumps(items))

    def set_offline(self, device_id: str, offline: bool = True) -> None:
        """Make a device never check in (its resets stay ``pending``), or check in again."""
        if not self._server.set_offline(device_id, offline):
            raise KeyError(f"no device {device_id!r} in this tenant")

    def assert_no_device_reset_twice(self) -> None:
        """Raise :class:`AssertionError` naming every device Graph reset more than once (resets Graph answered as
        not executed, which a client was right to send again, are not counted)."""
        report = self._server.reset_twice_report()
        if report is not None:
            raise AssertionError(report)
