//! The shared test vectors (`tests/vectors/*.json`): loading them, scripting them into an emulator, and checking
//! what a client observed against what they expect. Used by the Rust suites of the core and of the C binding.

use std::path::Path;

use serde_json::Value;

use crate::{EmulatorHandle, LoggedRequest, ScriptedResponse};

/// One vector file.
#[derive(Clone, Debug)]
pub struct Vector {
    /// File name.
    pub file: String,
    /// The whole JSON.
    pub json: Value,
}

impl Vector {
    /// `target.device_id`.
    pub fn device_id(&self) -> String {
        self.json["target"]["device_id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    /// `target.user_id`.
    pub fn user_id(&self) -> Option<String> {
        self.json["target"]["user_id"].as_str().map(str::to_string)
    }
    /// `target.detected_app_id`.
    pub fn detected_app_id(&self) -> Option<String> {
        self.json["target"]["detected_app_id"]
            .as_str()
            .map(str::to_string)
    }
    /// `call`: `reset_passcode` (the default), `reset_status` or `confirm_reset`.
    pub fn call(&self) -> String {
        self.json["call"]
            .as_str()
            .unwrap_or("reset_passcode")
            .to_string()
    }
    /// `options.sent_at` (RFC 3339), for `confirm_reset`.
    pub fn sent_at(&self) -> Option<String> {
        self.json["options"]["sent_at"].as_str().map(str::to_string)
    }
    /// `options.within_ms`, for `confirm_reset` (default 10000).
    pub fn within_ms(&self) -> u64 {
        self.json["options"]["within_ms"].as_u64().unwrap_or(10_000)
    }
    /// `options.max_retries` (default 3).
    pub fn max_retries(&self) -> u32 {
        self.json["options"]["max_retries"].as_u64().unwrap_or(3) as u32
    }
    /// `options.timeout_ms` (default 20000).
    pub fn timeout_ms(&self) -> u64 {
        self.json["options"]["timeout_ms"]
            .as_u64()
            .unwrap_or(20_000)
    }
    /// Serve the vector's responses for its device.
    pub fn script(&self, emu: &EmulatorHandle) -> Result<(), String> {
        let responses: Vec<ScriptedResponse> =
            serde_json::from_value(self.json["responses"].clone())
                .map_err(|e| format!("responses: {e}"))?;
        if !responses.is_empty() {
            emu.script(&self.device_id(), responses);
        }
        Ok(())
    }

    /// Compare what the caller saw (`observed`), the emulator's log for the device and the call's duration with
    /// `expect`. Walks `expect`: every key must be one this checker knows, and every observed key it names must have
    /// been reported, so a runner that leaves a field out fails instead of passing unchecked.
    pub fn check(
        &self,
        observed: &Value,
        emu: &EmulatorHandle,
        elapsed_ms: u64,
    ) -> Result<(), String> {
        check_expect(
            &self.json["expect"],
            observed,
            &emu.requests(&self.device_id()),
            elapsed_ms,
        )
    }
}

/// Keys a runner reports from the outcome: `ok`, then on success `status`/`attempts`/`request_id` (a reset),
/// `found`/`state`/`passcode` (`reset_status`) or `confirmation`/`state`/`latest_state` (`confirm_reset`), and on
/// failure `code`/`status`/`graph_code`/`request_id`/`attempts`/`retry_after_ms`/`intune_activity_id`.
pub const OBSERVED_KEYS: &[&str] = &[
    "ok",
    "status",
    "attempts",
    "request_id",
    "code",
    "graph_code",
    "retry_after_ms",
    "intune_activity_id",
    "found",
    "state",
    "passcode",
    "confirmation",
    "latest_state",
];

/// Check one vector's `expect` against an observation, the requests the emulator logged for its device, and the
/// call's duration in milliseconds (measured inside the runner, around the call alone).
pub fn check_expect(
    expect: &Value,
    observed: &Value,
    seen: &[LoggedRequest],
    elapsed_ms: u64,
) -> Result<(), String> {
    let Some(expect) = expect.as_object() else {
        return Err("the vector has no `expect` object".into());
    };
    let same = |key: &str, want: &Value, got: Value| {
        if *want == got {
            Ok(())
        } else {
            Err(format!("{key}: want {want}, got {got}"))
        }
    };
    for (key, want) in expect {
        match key.as_str() {
            k if OBSERVED_KEYS.contains(&k) => match observed.get(k) {
                Some(got) => same(k, want, got.clone())?,
                None => {
                    return Err(format!(
                        "{k}: expected {want}, but the runner did not report it"
                    ));
                }
            },
            "requests_sent" => same(key, want, seen.len().into())?,
            "path" => same(key, want, seen.first().map(|r| r.path.clone()).into())?,
            "same_client_request_id" => {
                let crids: Vec<_> = seen
                    .iter()
                    .map(|r| r.headers.get("client-request-id").cloned())
                    .collect();
                let all_same =
                    !crids.is_empty() && crids.iter().all(|c| c.is_some() && *c == crids[0]);
                same(key, want, Value::Bool(all_same))?
            }
            "retry_attempt_headers" => {
                let attempts: Vec<Value> = seen
                    .iter()
                    .map(|r| r.headers.get("retry-attempt").cloned().into())
                    .collect();
                same(key, want, attempts.into())?
            }
            "min_elapsed_ms" => {
                let min = want.as_u64().ok_or("min_elapsed_ms is not a number")?;
                if elapsed_ms < min {
                    return Err(format!(
                        "took {elapsed_ms} ms, less than the {min} ms Graph asked to wait"
                    ));
                }
            }
            "max_elapsed_ms" => {
                let max = want.as_u64().ok_or("max_elapsed_ms is not a number")?;
                if elapsed_ms > max {
                    return Err(format!(
                        "took {elapsed_ms} ms; it should have returned sooner (bound {max} ms)"
                    ));
                }
            }
            other => return Err(format!("unknown key `{other}` in expect")),
        }
    }
    Ok(())
}

/// Every vector in `dir`, sorted by file name.
pub fn load(dir: &Path) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|x| x == "json") {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let json =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(Vector { file, json });
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_expect_not_the_observation() {
        let ok = json!({"ok": false, "code": "NOT_FOUND"});
        assert!(check_expect(&json!({"ok": false, "code": "NOT_FOUND"}), &ok, &[], 0).is_ok());
        // A key the runner did not report fails, instead of passing unchecked.
        let e = check_expect(&json!({"intune_activity_id": "a"}), &ok, &[], 0).unwrap_err();
        assert!(e.contains("did not report"), "{e}");
        // A key the checker does not know fails (a typo would otherwise check nothing).
        let e = check_expect(&json!({"requests_snet": 0}), &ok, &[], 0).unwrap_err();
        assert!(e.contains("unknown key"), "{e}");
        assert!(check_expect(&json!({"code": "THROTTLED"}), &ok, &[], 0).is_err());
        assert!(check_expect(&json!({"requests_sent": 1}), &ok, &[], 0).is_err());
        assert!(check_expect(&json!({"max_elapsed_ms": 10}), &ok, &[], 11).is_err());
        assert!(check_expect(&json!({"min_elapsed_ms": 10}), &ok, &[], 9).is_err());
    }
}
