//! What Graph records about a reset on the device itself (`managedDevice.deviceActionResults`), as the library
//! reads it back: the action's state, its times and, on Android, the new passcode.

use std::time::SystemTime;

use serde::Deserialize;

use crate::convert::parse_time;
use crate::secret::Secret;

/// The state of a device action (Graph's `actionState`). Members Graph adds later are kept as `Unknown`, never an
/// error.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActionState {
    /// `none`: not a valid state.
    None,
    /// `pending`: accepted, waiting for the device to check in (possibly for days).
    Pending,
    /// `canceled`.
    Canceled,
    /// `active`.
    Active,
    /// `done`: completed without errors.
    Done,
    /// `failed`.
    Failed,
    /// `notSupported`: e.g. an Android work profile whose reset token was never activated.
    NotSupported,
    /// A state this version does not know, as Graph spelt it.
    Unknown(String),
}

impl ActionState {
    /// Graph's spelling to a state (case-insensitive).
    pub fn parse(s: &str) -> ActionState {
        match s.to_ascii_lowercase().as_str() {
            "none" => ActionState::None,
            "pending" => ActionState::Pending,
            "canceled" | "cancelled" => ActionState::Canceled,
            "active" => ActionState::Active,
            "done" => ActionState::Done,
            "failed" => ActionState::Failed,
            "notsupported" => ActionState::NotSupported,
            _ => ActionState::Unknown(s.to_string()),
        }
    }

    /// Graph's spelling (`notSupported`), or the unknown state as it came.
    pub fn as_str(&self) -> &str {
        match self {
            ActionState::None => "none",
            ActionState::Pending => "pending",
            ActionState::Canceled => "canceled",
            ActionState::Active => "active",
            ActionState::Done => "done",
            ActionState::Failed => "failed",
            ActionState::NotSupported => "notSupported",
            ActionState::Unknown(s) => s,
        }
    }

    /// True for states an action does not leave: `done`, `failed`, `notSupported`, `canceled`.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ActionState::Done
                | ActionState::Failed
                | ActionState::NotSupported
                | ActionState::Canceled
        )
    }
}

/// The device's record of one `resetPasscode` action. The passcode is a [`Secret`]: it never appears in `Debug`,
/// logs or errors; [`Secret::expose`] reveals it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetAction {
    /// Where the action stands.
    pub state: ActionState,
    /// When Graph accepted it (`startDateTime`).
    pub started_at: SystemTime,
    /// When its state last changed (`lastUpdatedDateTime`), when Graph says.
    pub updated_at: Option<SystemTime>,
    /// Graph's `errorCode` (0 when none; its values are not documented).
    pub error_code: Option<i32>,
    /// The new passcode (Android Enterprise and AOSP, once the device has it); `None` on iOS/iPadOS, where the
    /// action removes the passcode, and while the action is pending.
    pub passcode: Option<Secret>,
}

/// How a receipt's reset is known to have been accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfirmedBy {
    /// Graph answered 2xx.
    Response,
    /// The answer was lost, but the device's action record shows a reset started after the request was sent.
    ActionResult,
}

impl ConfirmedBy {
    /// `response` or `action_result`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmedBy::Response => "response",
            ConfirmedBy::ActionResult => "action_result",
        }
    }
}

/// What [`Client::confirm_reset`](crate::Client::confirm_reset) found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// The device records a reset started at or after the request was sent (less the skew allowance): it was
    /// accepted. Never send it again.
    Accepted(ResetAction),
    /// No such record appeared in the time allowed. This proves nothing: Graph documents no delay before the
    /// record appears. `latest` is the last `resetPasscode` record seen, if any (an older reset).
    NotSeen {
        /// The device's latest `resetPasscode` record, older than the request.
        latest: Option<ResetAction>,
    },
}

#[derive(Deserialize)]
struct Device {
    #[serde(rename = "deviceActionResults", default)]
    results: Option<Vec<serde_json::Value>>,
}

/// The latest `resetPasscode` record in a managed device's JSON (`Err` when the body is not a device).
pub(crate) fn latest_reset(body: &[u8]) -> Result<Option<ResetAction>, String> {
    let device: Device = serde_json::from_slice(body)
        .map_err(|e| format!("Graph's answer is not a managed device: {e}"))?;
    let Some(results) = device.results else {
        return Err("Graph's answer has no deviceActionResults".into());
    };
    Ok(results
        .iter()
        .filter_map(reset_action)
        .max_by_key(|a| a.started_at))
}

/// One element of `deviceActionResults` as a reset record, when it is one.
fn reset_action(v: &serde_json::Value) -> Option<ResetAction> {
    let name = v.get("actionName").and_then(|n| n.as_str());
    let odata = v.get("@odata.type").and_then(|n| n.as_str());
    let is_reset = name.is_some_and(|n| n.eq_ignore_ascii_case("resetPasscode"))
        || odata.is_some_and(|t| {
            t.trim_start_matches('#') == "microsoft.graph.resetPasscodeActionResult"
        });
    if !is_reset {
        return None;
    }
    let started_at = parse_time(v.get("startDateTime")?.as_str()?)?;
    let state = v
        .get("actionState")
        .and_then(|s| s.as_str())
        .map_or(ActionState::Unknown(String::new()), ActionState::parse);
    Some(ResetAction {
        state,
        started_at,
        updated_at: v
            .get("lastUpdatedDateTime")
            .and_then(|s| s.as_str())
            .and_then(parse_time),
        error_code: v
            .get("errorCode")
            .and_then(|c| c.as_i64())
            .and_then(|c| i32::try_from(c).ok()),
        passcode: v
            .get("passcode")
            .and_then(|p| p.as_str())
            .filter(|p| !p.is_empty())
            .map(Secret::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::format_time;

    #[test]
    fn reads_the_latest_reset_and_tolerates_the_rest() {
        let body = br##"{"id":"d","deviceActionResults":[
            {"actionName":"remoteLock","actionState":"done","startDateTime":"2026-11-29T12:00:00Z"},
            {"@odata.type":"#microsoft.graph.resetPasscodeActionResult","actionName":"resetPasscode",
             "actionState":"awaitingAdminAction","startDateTime":"2026-11-29T10:00:00.1234567Z",
             "lastUpdatedDateTime":"2026-11-29T10:00:01+00:00","passcode":"482913","errorCode":0},
            {"actionName":"resetPasscode","actionState":"done","startDateTime":"2026-11-28T10:00:00Z"}]}"##;
        let a = latest_reset(body).unwrap().unwrap();
        assert_eq!(a.state, ActionState::Unknown("awaitingAdminAction".into()));
        assert_eq!(a.passcode.as_ref().map(Secret::expose), Some("482913"));
        assert!(!format!("{a:?}").contains("482913"));
        assert_eq!(format_time(a.started_at), "2026-11-29T10:00:00.123Z");
        assert_eq!(
            latest_reset(br#"{"id":"d","deviceActionResults":[]}"#).unwrap(),
            None
        );
        assert!(latest_reset(br#"{"id":"d"}"#).is_err());
        assert!(latest_reset(b"[]").is_err());
        assert!(ActionState::parse("NotSupported").is_final());
        assert!(!ActionState::Pending.is_final());
    }

    #[test]
    fn every_documented_state_is_known_and_final_where_graph_says() {
        let states = [
            ("none", ActionState::None, false),
            ("pending", ActionState::Pending, false),
            ("canceled", ActionState::Canceled, true),
            ("cancelled", ActionState::Canceled, true),
            ("active", ActionState::Active, false),
            ("done", ActionState::Done, true),
            ("failed", ActionState::Failed, true),
            ("notSupported", ActionState::NotSupported, true),
        ];
        for (text, state, is_final) in states {
            let parsed = ActionState::parse(text);
            assert_eq!(parsed, state, "{text}");
            assert_eq!(parsed.is_final(), is_final, "{text}");
        }
        assert_eq!(ActionState::NotSupported.as_str(), "notSupported");
        assert_eq!(ConfirmedBy::Response.as_str(), "response");
        assert_eq!(ConfirmedBy::ActionResult.as_str(), "action_result");
    }

    #[test]
    fn a_record_is_a_reset_by_its_name_or_by_its_type() {
        let by_type = br##"{"deviceActionResults":[{"@odata.type":"#microsoft.graph.resetPasscodeActionResult",
            "actionState":"done","startDateTime":"2026-11-29T10:00:00Z"}]}"##;
        assert!(latest_reset(by_type).unwrap().is_some());
        let by_name =
            br#"{"deviceActionResults":[{"actionName":"ResetPasscode","actionState":"done",
            "startDateTime":"2026-11-29T10:00:00Z"}]}"#;
        assert!(latest_reset(by_name).unwrap().is_some());
        let other = br##"{"deviceActionResults":[{"@odata.type":"#microsoft.graph.remoteLockActionResult",
            "actionName":"remoteLock","actionState":"done","startDateTime":"2026-11-29T10:00:00Z"}]}"##;
        assert!(latest_reset(other).unwrap().is_none());
    }
}
