//! What a successful call returns: the response metadata Microsoft support asks for.

use std::time::Duration;

/// Proof that Graph accepted a reset, with the identifiers support asks for (the official SDKs throw these away).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// HTTP status (204 expected; any 2xx is success).
    pub status: u16,
    /// Graph's `request-id` header.
    pub request_id: Option<String>,
    /// The `client-request-id` we sent (the same on every attempt of the call).
    pub client_request_id: String,
    /// Graph's `Date` header, as sent.
    pub date: Option<String>,
    /// Graph's `x-ms-ags-diagnostic` header (data centre, slice, role instance).
    pub ags_diagnostic: Option<String>,
    /// HTTP attempts made, the successful one included.
    pub attempts: u32,
    /// Time spent waiting between attempts (Retry-After, backoff, pacing pauses).
    pub waited: Duration,
}

impl Receipt {
    /// The receipt as a JSON object (field names as in Python; `waited_ms` in milliseconds).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "status": self.status,
            "request_id": self.request_id,
            "client_request_id": self.client_request_id,
            "date": self.date,
            "ags_diagnostic": self.ags_diagnostic,
            "attempts": self.attempts,
            "waited_ms": self.waited.as_millis() as u64,
        })
    }
}
