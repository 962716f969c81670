//! One error vocabulary for every front door (Rust, Python, Node, C).

use std::fmt;
use std::time::{Duration, SystemTime};

mod envelope;

pub use envelope::{GraphError, IntuneEnvelope, parse_graph_error, parse_intune_envelope};

/// What went wrong, as one stable vocabulary shared by every binding.
///
/// Deliberately not `#[non_exhaustive]`: bindings map it with an exhaustive `match`, so a new kind fails to compile
/// until every language maps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The caller passed something unusable; nothing was sent.
    InvalidArgument,
    /// Graph answered 401: the token was missing, invalid or expired (after one refresh where possible).
    Authentication,
    /// Graph answered 403: the app lacks `DeviceManagementManagedDevices.PrivilegedOperations.All`.
    PermissionDenied,
    /// Graph answered 404: no such device (or not that user's / that detected app's device).
    NotFound,
    /// Graph answered 400 with Intune's envelope: the device's platform does not support the action.
    UnsupportedDevice,
    /// Graph answered another 4xx.
    BadRequest,
    /// Graph answered 429 and retries were exhausted or would pass the deadline; the action was not executed.
    Throttled,
    /// Graph answered 503 (its "not executed, try later") and retries were exhausted or would pass the deadline. The only
    /// 5xx that says the action did not run; every other 5xx is `OutcomeUnknown`.
    ServiceUnavailable,
    /// The request may have reached Graph and no verdict came: any 5xx but 503 (500, 501, 502, 504, 505–599, which
    /// proxies also use), or the connection lost or the deadline passed after sending. The passcode may or may not
    /// have been reset: a bulk run settles it from the device's record, and nothing sends it again on its own.
    OutcomeUnknown,
    /// Nothing was sent: DNS, connect or TLS failure.
    Network,
    /// The call's deadline passed before the request was sent.
    Timeout,
    /// No token could be had: the token endpoint refused or was unreachable, or the credential failed.
    Credential,
    /// Graph answered something this library does not expect for this action (a redirect, a 1xx).
    UnexpectedResponse,
}

impl ErrorKind {
    /// Whether a failure of this kind says nothing lasting about the device (throttling, the network, a credential
    /// or token refused): a journaled job's resume sends such a device again without being asked, so a job holding
    /// one is unfinished.
    pub fn resent_on_resume(self) -> bool {
        matches!(
            self,
            ErrorKind::Throttled
                | ErrorKind::ServiceUnavailable
                | ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::Credential
                | ErrorKind::Authentication
        )
    }

    /// Every kind, in the order of the C enum's numbers (C adds `IPC_OK`, `IPC_NULL_PARAMETER`, `IPC_PANIC`).
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidArgument,
        ErrorKind::Authentication,
        ErrorKind::PermissionDenied,
        ErrorKind::NotFound,
        ErrorKind::UnsupportedDevice,
        ErrorKind::BadRequest,
        ErrorKind::Throttled,
        ErrorKind::ServiceUnavailable,
        ErrorKind::OutcomeUnknown,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Credential,
        ErrorKind::UnexpectedResponse,
    ];

    /// The stable SCREAMING_SNAKE code: Python's `e.code`, Node's `err.code`, the C enumerator's suffix.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Authentication => "AUTHENTICATION",
            ErrorKind::PermissionDenied => "PERMISSION_DENIED",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::UnsupportedDevice => "UNSUPPORTED_DEVICE",
            ErrorKind::BadRequest => "BAD_REQUEST",
            ErrorKind::Throttled => "THROTTLED",
            ErrorKind::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorKind::OutcomeUnknown => "OUTCOME_UNKNOWN",
            ErrorKind::Network => "NETWORK",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Credential => "CREDENTIAL",
            ErrorKind::UnexpectedResponse => "UNEXPECTED_RESPONSE",
        }
    }

    /// The kind whose `code()` is `code`, if any.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// True when the device may have been reset despite the error: only `OutcomeUnknown`.
    pub fn may_have_executed(self) -> bool {
        self == ErrorKind::OutcomeUnknown
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An error from the library: a kind plus everything Graph told us that support may ask for.
///
/// Never holds a token or a secret.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    graph_code: Option<String>,
    graph_message: Option<String>,
    request_id: Option<String>,
    client_request_id: Option<String>,
    date: Option<String>,
    retry_after: Option<Duration>,
    intune: Option<IntuneEnvelope>,
    attempts: u32,
    sent_at: Option<SystemTime>,
    from_journal: bool,
    held_by: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// A new error of `kind` with a human message (no secrets in it, ever).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                graph_code: None,
                graph_message: None,
                request_id: None,
                client_request_id: None,
                date: None,
                retry_after: None,
                intune: None,
                attempts: 0,
                sent_at: None,
                from_journal: false,
                held_by: None,
                source: None,
            }),
        }
    }

    /// Shorthand for an `InvalidArgument` error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// The stable code string of the kind.
    pub fn code(&self) -> &'static str {
        self.inner.kind.code()
    }
    /// Our own description of what went wrong.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// The HTTP status Graph answered, when an answer came.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// Graph's `error.code` (`ResourceNotFound`, `TooManyRequests`, …).
    pub fn graph_code(&self) -> Option<&str> {
        self.inner.graph_code.as_deref()
    }
    /// Graph's `error.message`, as sent.
    pub fn graph_message(&self) -> Option<&str> {
        self.inner.graph_message.as_deref()
    }
    /// Graph's `request-id` header (or `innerError.request-id`).
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }
    /// The `client-request-id` this call sent (the same on every attempt).
    pub fn client_request_id(&self) -> Option<&str> {
        self.inner.client_request_id.as_deref()
    }
    /// Graph's `Date` header, as sent.
    pub fn date(&self) -> Option<&str> {
        self.inner.date.as_deref()
    }
    /// How long Graph asked us to wait (`Throttled`, `ServiceUnavailable`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// The Intune `_version: 3` envelope, when `error.message` held one.
    pub fn intune(&self) -> Option<&IntuneEnvelope> {
        self.inner.intune.as_ref()
    }
    /// How many HTTP attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }
    /// Reported from a journal (an earlier run's outcome); nothing was sent for it this time.
    pub fn from_journal(&self) -> bool {
        self.inner.from_journal
    }
    pub(crate) fn with_from_journal(mut self) -> Self {
        self.inner.from_journal = true;
        self
    }
    /// The other job whose journal holds this device (its outcome is that job's; nothing was sent this time).
    pub fn held_by(&self) -> Option<&str> {
        self.inner.held_by.as_deref()
    }
    pub(crate) fn with_held_by(mut self, job: &str) -> Self {
        self.inner.held_by = Some(job.to_string());
        self
    }
    /// When the request left, where one was sent (just before its first attempt): give it to
    /// [`Client::confirm_reset`](crate::Client::confirm_reset) to settle an `OutcomeUnknown`.
    pub fn sent_at(&self) -> Option<SystemTime> {
        self.inner.sent_at
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }
    pub(crate) fn with_graph(
        mut self,
        code: Option<String>,
        message: Option<String>,
        intune: Option<IntuneEnvelope>,
    ) -> Self {
        self.inner.graph_code = code;
        self.inner.graph_message = message;
        self.inner.intune = intune;
        self
    }
    pub(crate) fn with_ids(
        mut self,
        request_id: Option<String>,
        client_request_id: Option<String>,
        date: Option<String>,
    ) -> Self {
        if request_id.is_some() {
            self.inner.request_id = request_id;
        }
        if client_request_id.is_some() {
            self.inner.client_request_id = client_request_id;
        }
        if date.is_some() {
            self.inner.date = date;
        }
        self
    }
    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.inner.retry_after = retry_after;
        self
    }
    /// The same error under another kind and message (identifiers kept).
    pub(crate) fn with_kind(mut self, kind: ErrorKind, message: String) -> Self {
        self.inner.kind = kind;
        self.inner.message = message;
        self
    }
    pub(crate) fn with_sent_at(mut self, sent_at: Option<SystemTime>) -> Self {
        if sent_at.is_some() {
            self.inner.sent_at = sent_at;
        }
        self
    }
    /// Add what a verification found to the message (an `OUTCOME_UNKNOWN` that stays unknown says what was checked).
    pub(crate) fn with_note(mut self, note: &str) -> Self {
        self.inner.message.push_str("; ");
        self.inner.message.push_str(note);
        self
    }
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }
    /// Attach the underlying cause (for example a binding's own exception, already made secret-free).
    pub fn with_cause(self, cause: Box<dyn std::error::Error + Send + Sync>) -> Self {
        let mut e = self;
        e.inner.source = Some(cause);
        e
    }
}

impl fmt::Display for Error {
    /// `NOT_FOUND (HTTP 404 ResourceNotFound): <message> [request-id: …] [client-request-id: …]`, then Intune's
    /// activity and operation IDs when its envelope had them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "{}", i.kind.code())?;
        match (i.status, &i.graph_code) {
            (Some(s), Some(c)) => write!(f, " (HTTP {s} {c})")?,
            (Some(s), None) => write!(f, " (HTTP {s})")?,
            (None, Some(c)) => write!(f, " ({c})")?,
            (None, None) => {}
        }
        write!(f, ": {}", i.message)?;
        if let Some(ra) = i.retry_after {
            write!(f, " [retry after {:.3}s]", ra.as_secs_f64())?;
        }
        if let Some(r) = &i.request_id {
            write!(f, " [request-id: {r}]")?;
        }
        if let Some(c) = &i.client_request_id {
            write!(f, " [client-request-id: {c}]")?;
        }
        // What Intune support asks for: its activity ID (and the operation ID) from the envelope.
        if let Some(env) = &i.intune {
            if let Some(a) = &env.activity_id {
                write!(f, " [Intune activity ID: {a}]")?;
            }
            if let Some(o) = &env.operation_id {
                write!(f, " [Intune operation ID: {o}]")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("message", &i.message)
            .field("status", &i.status)
            .field("graph_code", &i.graph_code)
            .field("graph_message", &i.graph_message)
            .field("request_id", &i.request_id)
            .field("client_request_id", &i.client_request_id)
            .field("date", &i.date)
            .field("retry_after", &i.retry_after)
            .field("intune", &i.intune)
            .field("attempts", &i.attempts)
            .field("sent_at", &i.sent_at)
            .field("from_journal", &i.from_journal)
            .field("held_by", &i.held_by)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
