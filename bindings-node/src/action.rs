//! What Graph records about a reset on the device, for JavaScript: times as epoch milliseconds, the passcode as a
//! string the wrapper seals at once in a `Passcode` object (whose `toString`, `toJSON` and inspection show `***`).

use std::time::{SystemTime, UNIX_EPOCH};

use intune_passcode::{Confirmation, ResetAction};
use napi_derive::napi;

/// Milliseconds since the epoch.
pub fn epoch_ms(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64() * 1000.0,
        Err(e) => -e.duration().as_secs_f64() * 1000.0,
    }
}

/// The device's record of one `resetPasscode` action.
#[napi(object)]
pub struct ResetActionJs {
    pub state: String,
    pub is_final: bool,
    pub started_at_ms: f64,
    pub updated_at_ms: Option<f64>,
    pub error_code: Option<i32>,
    /// Sealed into a `Passcode` by the wrapper before any user code sees it.
    pub passcode: Option<String>,
}

impl From<ResetAction> for ResetActionJs {
    fn from(a: ResetAction) -> Self {
        ResetActionJs {
            state: a.state.as_str().to_string(),
            is_final: a.state.is_final(),
            started_at_ms: epoch_ms(a.started_at),
            updated_at_ms: a.updated_at.map(epoch_ms),
            error_code: a.error_code,
            passcode: a.passcode.map(|p| p.expose().to_string()),
        }
    }
}

/// What `confirmReset` found.
#[napi(object)]
pub struct ConfirmationJs {
    pub accepted: bool,
    /// The record that confirmed it (when accepted).
    pub action: Option<ResetActionJs>,
    /// The latest, older record (when not seen).
    pub latest: Option<ResetActionJs>,
}

impl From<Confirmation> for ConfirmationJs {
    fn from(c: Confirmation) -> Self {
        match c {
            Confirmation::Accepted(a) => ConfirmationJs {
                accepted: true,
                action: Some(a.into()),
                latest: None,
            },
            Confirmation::NotSeen { latest } => ConfirmationJs {
                accepted: false,
                action: None,
                latest: latest.map(Into::into),
            },
        }
    }
}
