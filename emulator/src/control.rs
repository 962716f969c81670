//! Control endpoints under `/_emulator/` (never under a Graph version): what tests read and script.

use std::sync::atomic::Ordering;

use serde::Deserialize;

use crate::responses::{Resp, plain_json};
use crate::state::{ScriptedResponse, State, lock};

#[derive(Deserialize)]
struct Script {
    device_id: String,
    responses: serde_json::Value,
}

/// `POST /_emulator/managed_identity`: `{"next": [410, 500], "forever": 410}`.
#[derive(Deserialize)]
struct MiFaults {
    #[serde(default)]
    next: Vec<u16>,
    #[serde(default)]
    forever: Option<u16>,
}

/// Answer `/_emulator/{what}`.
pub fn handle(state: &State, method: &hyper::Method, what: &str, query: &str, body: &[u8]) -> Resp {
    match (method.as_str(), what) {
        ("GET", "devices") => plain_json(200, &devices_json(state)),
        ("GET", "stats") => plain_json(200, &stats_json(state)),
        ("GET", "requests") => {
            let device = query_param(query, "device_id");
            let log = lock(&state.log);
            let hits: Vec<_> = log
                .iter()
                .filter(|r| device.is_none() || r.device_id == device)
                .collect();
            plain_json(200, &serde_json::json!(hits))
        }
        ("POST", "federated_token/rotate") => match state.identity.federated.rotate() {
            Ok(()) => plain_json(200, &serde_json::json!({"ok": true})),
            Err(e) => plain_json(500, &serde_json::json!({"error": e})),
        },
        ("GET", "managed_identity") => plain_json(
            200,
            &serde_json::json!({"at_ms": *lock(&state.identity.mi_log)}),
        ),
        ("POST", "managed_identity") => match serde_json::from_slice::<MiFaults>(body) {
            Ok(f) => {
                let mut cur = lock(&state.identity.mi_faults);
                cur.next = f.next.into();
                cur.forever = f.forever;
                plain_json(200, &serde_json::json!({"ok": true}))
            }
            Err(e) => plain_json(
                400,
                &serde_json::json!({"error": format!("bad faults: {e}")}),
            ),
        },
        ("POST", "check") => plain_json(200, &check_vector(state, body)),
        ("POST", "script") => {
            let parsed = serde_json::from_slice::<Script>(body)
                .map_err(|e| format!("bad script: {e}"))
                .and_then(|s| Ok((s.device_id, ScriptedResponse::list(s.responses)?)));
            match parsed {
                Ok((device_id, responses)) => {
                    lock(&state.scripts)
                        .entry(device_id)
                        .or_default()
                        .extend(responses);
                    plain_json(200, &serde_json::json!({"ok": true}))
                }
                Err(e) => plain_json(400, &serde_json::json!({ "error": e })),
            }
        }
        _ => plain_json(
            404,
            &serde_json::json!({"error": "control endpoints: GET devices, GET stats, GET requests?device_id=, POST script, POST check, POST federated_token/rotate, GET|POST managed_identity"}),
        ),
    }
}

/// `POST /_emulator/check` with `{"vector": {...}, "observed": {...}, "elapsed_ms": N}`: the shared vector checker for
/// runners in other languages, so that every language is held to the same rules. `{"ok": true}` or
/// `{"ok": false, "error": "..."}`.
fn check_vector(state: &State, body: &[u8]) -> serde_json::Value {
    let req: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return serde_json::json!({"ok": false, "error": format!("bad check request: {e}")});
        }
    };
    let device = req["vector"]["target"]["device_id"]
        .as_str()
        .unwrap_or_default();
    let seen: Vec<_> = lock(&state.log)
        .iter()
        .filter(|r| r.device_id.as_deref() == Some(device))
        .cloned()
        .collect();
    let Some(elapsed_ms) = req["elapsed_ms"].as_f64() else {
        return serde_json::json!({"ok": false, "error": "elapsed_ms is missing"});
    };
    match crate::vectors::check_expect(
        &req["vector"]["expect"],
        &req["observed"],
        &seen,
        elapsed_ms.max(0.0).floor() as u64,
    ) {
        Ok(()) => serde_json::json!({"ok": true}),
        Err(e) => serde_json::json!({"ok": false, "error": e}),
    }
}

/// `[{"id", "userId", "platform", "detectedAppIds", "resetCount", "otherResets", "answeredNotExecuted", "offline", "noResetToken",
/// "lastResetAt"}]`.
pub fn devices_json(state: &State) -> serde_json::Value {
    let devices = lock(&state.devices);
    let mut list: Vec<_> = devices
        .iter()
        .map(|(id, d)| {
            serde_json::json!({
                "id": id,
                "userId": d.user_id,
                "platform": d.platform,
                "detectedAppIds": d.detected_app_ids,
                "resetCount": d.resets.len(),
                "otherResets": d.other_resets.len(),
                "answeredNotExecuted": d.answered_not_executed,
                "offline": d.offline,
                "noResetToken": d.no_reset_token,
                "lastResetAt": d.resets.last().map(|r| r.at.clone()),
            })
        })
        .collect();
    list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    serde_json::Value::Array(list)
}

/// Counters: requests, executed, 429s sent (all, and the sliding window's alone), early retries, requests in flight
/// (including answers still running after their client left), devices reset more than once, faults by kind.
pub fn stats_json(state: &State) -> serde_json::Value {
    let s = &state.stats;
    let reset_twice = lock(&state.devices)
        .values()
        .filter(|d| d.resets.len() > 1)
        .count();
    serde_json::json!({
        "started_unix_ms": state.started_unix_ms,
        "requests": s.requests.load(Ordering::Relaxed),
        "executed": s.executed.load(Ordering::Relaxed),
        "throttled_429": s.throttled.load(Ordering::Relaxed),
        "window_429": s.window_429.load(Ordering::Relaxed),
        "early_retries": s.early_retries.load(Ordering::Relaxed),
        "token_requests": s.token_requests.load(Ordering::Relaxed),
        "in_flight": s.in_flight.load(Ordering::Relaxed),
        "max_in_flight": s.max_in_flight.load(Ordering::Relaxed),
        "devices_reset_more_than_once": reset_twice,
        "faults": *lock(&s.faults),
    })
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}
