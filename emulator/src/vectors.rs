//! The shared test vectors (`tests/vectors/*.json`): loading them, scripting them into an emulator, and checking
//! what a client observed against what they expect. Used by the Rust suites of the core and of the C binding.

use std::path::Path;

use serde_json::Value;

use crate::{EmulatorHandle, ScriptedResponse};

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

    /// Compare what the caller saw (`observed`: `ok`, and `status`/`attempts`/`request_id` on success or
    /// `code`/`status`/`graph_code`/`request_id`/`attempts`/`retry_after_ms`/`intune_activity_id` on failure), the
    /// emulator's log for the device, and the call's duration with `expect`. Only keys present in `expect` count.
    pub fn check(
        &self,
        observed: &Value,
        emu: &EmulatorHandle,
        elapsed_ms: u64,
    ) -> Result<(), String> {
        let x = &self.json["expect"];
        let want = |key: &str, got: Value| match x.get(key) {
            Some(w) if *w != got => Err(format!("{key}: want {w}, got {got}")),
            _ => Ok(()),
        };
        if let Some(obj) = observed.as_object() {
            for (k, v) in obj {
                want(k, v.clone())?;
            }
        }
        let seen = emu.requests(&self.device_id());
        want("requests_sent", seen.len().into())?;
        want("path", seen.first().map(|r| r.path.clone()).into())?;
        let crids: Vec<_> = seen
            .iter()
            .map(|r| r.headers.get("client-request-id").cloned())
            .collect();
        want(
            "same_client_request_id",
            Value::Bool(!crids.is_empty() && crids.iter().all(|c| c.is_some() && *c == crids[0])),
        )?;
        let attempts: Vec<Value> = seen
            .iter()
            .map(|r| r.headers.get("retry-attempt").cloned().into())
            .collect();
        want("retry_attempt_headers", attempts.into())?;
        if let Some(min) = x["min_elapsed_ms"].as_u64() {
            if elapsed_ms < min {
                return Err(format!(
                    "took {elapsed_ms} ms, less than the {min} ms Graph asked to wait"
                ));
            }
        }
        if let Some(max) = x["max_elapsed_ms"].as_u64() {
            if elapsed_ms > max {
                return Err(format!(
                    "took {elapsed_ms} ms; it should have returned at once (bound {max} ms)"
                ));
            }
        }
        Ok(())
    }
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
