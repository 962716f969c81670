//! The journal's lines: one JSON object per event. Readers ignore fields they do not know, so later versions may add
//! fields; a new kind of line or a new meaning needs a new format number.

use serde::{Deserialize, Serialize};

/// The format this version writes; a journal with a higher number is refused, not misread.
pub const FORMAT: u32 = 1;

/// One line of a journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The first line: what the job is and where it sends.
    Header {
        /// Format version ([`FORMAT`]).
        format: u32,
        /// The job's ID.
        job_id: String,
        /// The Graph URL, version included (the journal refuses another).
        graph_base: String,
        /// The directory, where the client knows it (the journal refuses another).
        tenant_id: Option<String>,
        /// `v1.0` or `beta`.
        api_version: String,
        /// When the job was made (RFC 3339).
        created_at: String,
        /// The library that made it.
        library: String,
    },
    /// A device joined the job.
    Planned {
        /// Managed device.
        device_id: String,
        /// The route's user, if any.
        user_id: Option<String>,
        /// The route's detected app, if any.
        detected_app_id: Option<String>,
    },
    /// A request is about to leave: written and synced to disk before it does.
    Intent {
        /// Managed device.
        device_id: String,
        /// The `client-request-id` every attempt of this call carries.
        client_request_id: String,
        /// When it left (just before): what a confirmation looks for records after.
        sent_at: String,
    },
    /// What the call came to.
    Result {
        /// Managed device.
        device_id: String,
        /// Success (2xx, or confirmed from the device's record).
        ok: bool,
        /// The error's stable code, on failure.
        code: Option<String>,
        /// HTTP status of the answer that carried the outcome, if any.
        status: Option<u16>,
        /// Graph's `request-id`.
        request_id: Option<String>,
        /// The `client-request-id` sent.
        client_request_id: Option<String>,
        /// `response` or `action_result`, on success.
        confirmed_by: Option<String>,
        /// When the request left, where one did.
        sent_at: Option<String>,
        /// When the outcome was known.
        at: String,
        /// The other job whose journal held this device, when the outcome is that job's (nothing was sent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        held_by: Option<String>,
    },
    /// What a confirmation (at resume, or inside a run) found on the device.
    Verify {
        /// Managed device.
        device_id: String,
        /// True when a record of this reset was found (it ran).
        found: bool,
        /// The record's state, when found.
        state: Option<String>,
        /// The matched record's `startDateTime` (Graph's clock), when found.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        started_at: Option<String>,
        /// When it was checked.
        at: String,
    },
}
