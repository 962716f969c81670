//! An error as JSON, the counterpart of [`Receipt::to_json`](crate::Receipt::to_json): what the command line
//! prints and reports for a device that failed. Here rather than in `error/`, which every module uses, because it
//! writes times as the outcomes do.

use crate::convert::format_time;
use crate::error::Error;

impl Error {
    /// The error as a JSON object, the counterpart of [`Receipt::to_json`](crate::Receipt::to_json): `code`,
    /// `message` (the whole line, as `Display` prints it), `status`, Graph's `graph_code` and `graph_message`, the
    /// request IDs, `date`, `sent_at`, `attempts`, `from_journal`, `held_by`, and Intune's `intune_activity_id` and
    /// `intune_operation_id`. Never a token.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code(),
            "message": self.to_string(),
            "status": self.status(),
            "graph_code": self.graph_code(),
            "graph_message": self.graph_message(),
            "request_id": self.request_id(),
            "client_request_id": self.client_request_id(),
            "date": self.date(),
            "sent_at": self.sent_at().map(format_time),
            "attempts": self.attempts(),
            "from_journal": self.from_journal(),
            "held_by": self.held_by(),
            "intune_activity_id": self.intune().and_then(|e| e.activity_id.clone()),
            "intune_operation_id": self.intune().and_then(|e| e.operation_id.clone()),
        })
    }
}
