"""One exception per error code of the core, all under :class:`IntunePasscodeError`.

Each also inherits the builtin that fits, so ``except ValueError`` or ``except TimeoutError`` work too. Branch on
``e.code`` (the same strings in Python, Node and C) or on the class, never on the message.
"""

from __future__ import annotations

import builtins

# `typing` only for the checkers: importing it at run time costs ~4 ms of `import intune_passcode`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Optional

__all__ = [
    "IntunePasscodeError",
    "InvalidArgumentError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "UnsupportedDeviceError",
    "BadRequestError",
    "ThrottledError",
    "ServiceUnavailableError",
    "OutcomeUnknownError",
    "NetworkError",
    "TimeoutError",
    "CredentialError",
    "UnexpectedResponseError",
]


class IntunePasscodeError(Exception):
    """Base of every error this package raises.

    Attributes: ``code`` (stable, e.g. ``"NOT_FOUND"``), ``status`` (HTTP status or None), ``graph_code``
    (Graph's ``error.code``), ``graph_message``, ``request_id``, ``client_request_id``, ``date``, ``retry_after``
    (seconds Graph asked to wait, for throttling), ``attempts`` (HTTP attempts made), ``intune_activity_id`` and
    ``intune_operation_id`` (from Intune's error envelope; Microsoft support asks for them),
    ``sent_at`` (a UTC ``datetime``: when the request left, where one was sent; give it to ``confirm_reset``).
    """

    code: str = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        status: Optional[int] = None,
        graph_code: Optional[str] = None,
        graph_message: Optional[str] = None,
        request_id: Optional[str] = None,
        client_request_id: Optional[str] = None,
        date: Optional[str] = None,
        retry_after: Optional[float] = None,
        attempts: int = 0,
        intune_activity_id: Optional[str] = None,
        intune_operation_id: Optional[str] = None,
        sent_at: Optional[datetime] = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.status = status
        self.graph_code = graph_code
        self.graph_message = graph_message
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.date = date
        self.retry_after = retry_after
        self.attempts = attempts
        self.intune_activity_id = intune_activity_id
        self.intune_operation_id = intune_operation_id
        self.sent_at = sent_at

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r}, request_id={self.request_id!r})"


class InvalidArgumentError(IntunePasscodeError, ValueError):
    """Bad input or options; nothing was sent."""

    code = "INVALID_ARGUMENT"


class AuthenticationError(IntunePasscodeError):
    """Graph answered 401 (after one token refresh where possible)."""

    code = "AUTHENTICATION"


class PermissionDeniedError(IntunePasscodeError):
    """Graph answered 403: the app lacks DeviceManagementManagedDevices.PrivilegedOperations.All."""

    code = "PERMISSION_DENIED"


class NotFoundError(IntunePasscodeError, LookupError):
    """Graph answered 404: no such device, or not that user's or detected app's."""

    code = "NOT_FOUND"


class UnsupportedDeviceError(IntunePasscodeError):
    """Graph answered 400 with Intune's envelope: the platform does not support the action."""

    code = "UNSUPPORTED_DEVICE"


class BadRequestError(IntunePasscodeError):
    """Graph answered another 4xx."""

    code = "BAD_REQUEST"


class ThrottledError(IntunePasscodeError):
    """Graph answered 429 and retries ran out (or the wait would pass the deadline). Not executed."""

    code = "THROTTLED"


class ServiceUnavailableError(IntunePasscodeError):
    """Graph answered 503 (not executed) and retries ran out or would pass the deadline; every other 5xx is OUTCOME_UNKNOWN."""

    code = "SERVICE_UNAVAILABLE"


class OutcomeUnknownError(IntunePasscodeError):
    """Sent, no verdict (any 5xx but 503, a lost connection, the deadline after sending): the passcode may or may not have been reset."""

    code = "OUTCOME_UNKNOWN"


class NetworkError(IntunePasscodeError, ConnectionError):
    """DNS, connect or TLS failure: nothing was sent."""

    code = "NETWORK"


class TimeoutError(IntunePasscodeError, builtins.TimeoutError):  # noqa: A001 - the code is TIMEOUT
    """The call's deadline passed before the request was sent."""

    code = "TIMEOUT"


class CredentialError(IntunePasscodeError):
    """No token could be had; a credential object's own exception is the ``__cause__``."""

    code = "CREDENTIAL"


class UnexpectedResponseError(IntunePasscodeError):
    """Graph answered something this action never gives (a redirect); not followed."""

    code = "UNEXPECTED_RESPONSE"
