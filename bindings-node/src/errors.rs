//! Core errors on their way to JavaScript: a napi error whose `code` is the stable code and whose message is a
//! JSON record of every field, turned into an `IntunePasscodeError` subclass by the package's wrapper.

use intune_passcode::{Error, ErrorKind};

/// The JavaScript class for each kind. No `_` arm: a new kind fails to compile until mapped here.
pub fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidArgument => "InvalidArgumentError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::PermissionDenied => "PermissionDeniedError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::UnsupportedDevice => "UnsupportedDeviceError",
        ErrorKind::BadRequest => "BadRequestError",
        ErrorKind::Throttled => "ThrottledError",
        ErrorKind::ServiceUnavailable => "ServiceUnavailableError",
        ErrorKind::OutcomeUnknown => "OutcomeUnknownError",
        ErrorKind::Network => "NetworkError",
        ErrorKind::Timeout => "TimeoutError",
        ErrorKind::Credential => "CredentialError",
        ErrorKind::UnexpectedResponse => "UnexpectedResponseError",
    }
}

/// A credential callback's rejection, kept by the wrapper under this number so it can become `cause`.
#[derive(Debug)]
pub struct JsCause(pub u32);

impl std::fmt::Display for JsCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the credential callback failed")
    }
}

impl std::error::Error for JsCause {}

/// Every field of an error, as the JSON record the wrapper reads.
pub fn record(e: &Error) -> serde_json::Value {
    let cause = std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<JsCause>())
        .map(|c| c.0);
    serde_json::json!({
        "name": class_name(e.kind()),
        "code": e.code(),
        "message": e.to_string(),
        "status": e.status(),
        "graphCode": e.graph_code(),
        "graphMessage": e.graph_message(),
        "requestId": e.request_id(),
        "clientRequestId": e.client_request_id(),
        "date": e.date(),
        "retryAfterMs": e.retry_after().map(|d| d.as_millis() as f64),
        "attempts": e.attempts(),
        "intuneActivityId": e.intune().and_then(|i| i.activity_id.clone()),
        "intuneOperationId": e.intune().and_then(|i| i.operation_id.clone()),
        "sentAtMs": e.sent_at().map(crate::action::epoch_ms),
        "fromJournal": e.from_journal(),
        "heldBy": e.held_by(),
        "causeId": cause,
    })
}

/// A napi error carrying the record (`code` is the stable code; the wrapper parses the message).
pub fn to_napi(e: &Error) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, record(e).to_string())
}

/// Every stable code, for the wrapper's completeness test.
pub fn all_codes() -> Vec<(String, String)> {
    ErrorKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), class_name(*k).to_string()))
        .collect()
}
