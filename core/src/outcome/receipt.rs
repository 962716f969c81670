//! What a successful call returns: the response metadata Microsoft support asks for.

use std::time::{Duration, SystemTime};

use crate::convert::format_time;
use crate::outcome::{ConfirmedBy, ResetAction};

/// Proof that Graph accepted a reset, with the identifiers support asks for (the official SDKs throw these away).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// HTTP status of the answer that carried the outcome (204 expected; any 2xx is success). For a reset confirmed
    /// from the device's action record it is the status that did come (e.g. 504), or 0 when no answer came: never an
    /// invented 2xx.
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
    /// When the request left (just before its first attempt was sent): what `confirm_reset` and `wait_for_reset`
    /// take.
    pub sent_at: SystemTime,
    /// How the reset is known to have been accepted: Graph's 2xx, or the device's action record.
    pub confirmed_by: ConfirmedBy,
    /// The device's action record, when the reset was confirmed from it.
    pub action: Option<ResetAction>,
    /// Reported from a journal (an earlier run's outcome); no request was sent for it this time.
    pub from_journal: bool,
    /// The other job whose journal holds this reset, when the outcome is that job's (see
    /// [`BulkOptions::recent`](crate::BulkOptions::recent)).
    pub held_by: Option<String>,
}

impl Receipt {
    /// The receipt as a JSON object (field names as in Python; `waited_ms` in milliseconds; never the passcode).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "status": self.status,
            "request_id": self.request_id,
            "client_request_id": self.client_request_id,
            "date": self.date,
            "ags_diagnostic": self.ags_diagnostic,
            "attempts": self.attempts,
            "waited_ms": self.waited.as_millis() as u64,
            "sent_at": format_time(self.sent_at),
            "confirmed_by": self.confirmed_by.as_str(),
            "action_state": self.action.as_ref().map(|a| a.state.as_str()),
            "action_started_at": self.action.as_ref().map(|a| format_time(a.started_at)),
            "from_journal": self.from_journal,
            "held_by": self.held_by,
        })
    }
}
