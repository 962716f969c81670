//! Runs every shared vector in `tests/vectors/` against the in-process emulator over real HTTP: resets, and the
//! read-back calls (`reset_status`, `confirm_reset`).

mod common;

use std::time::{Duration, Instant, SystemTime};

use graph_emulator::vectors::{self, Vector};
use intune_passcode::{Client, Confirmation, Error, ResetAction, Target};
use serde_json::{Value, json};

/// The vectors in `tests/vectors/`: the count is exact, so that none can go missing unnoticed.
pub const VECTORS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_vector_passes() {
    let emu = common::emulator().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let all = vectors::load(&dir).expect("vectors load");
    assert_eq!(all.len(), VECTORS, "the shared vectors");
    let mut failures = Vec::new();
    for v in &all {
        if let Err(why) = run_one(&emu, v).await {
            failures.push(format!("{}: {why}", v.file));
        }
    }
    assert!(
        failures.is_empty(),
        "failing vectors:\n{}",
        failures.join("\n")
    );
}

async fn run_one(emu: &graph_emulator::EmulatorHandle, v: &Vector) -> Result<(), String> {
    v.script(emu)?;
    let client = common::builder(emu)
        .max_retries(v.max_retries())
        .timeout(Duration::from_millis(v.timeout_ms()))
        .build()
        .map_err(|e| format!("build: {e}"))?;
    let started = Instant::now();
    let observed = match Target::new(v.device_id(), v.user_id(), v.detected_app_id()) {
        Ok(target) => call(&client, v, &target).await?,
        Err(e) => failed(&e),
    };
    let elapsed = started.elapsed().as_millis() as u64;
    v.check(&observed, emu, elapsed)
}

/// Make the vector's call and report what came back.
async fn call(client: &Client, v: &Vector, target: &Target) -> Result<Value, String> {
    Ok(match v.call().as_str() {
        "reset_passcode" => match client.reset_passcode(target).await {
            Ok(r) => {
                json!({"ok": true, "status": r.status, "attempts": r.attempts, "request_id": r.request_id})
            }
            Err(e) => failed(&e),
        },
        "reset_status" => match client.reset_status(target).await {
            Ok(a) => {
                let mut o = json!({"ok": true, "found": a.is_some()});
                if let Some(a) = a {
                    o["state"] = a.state.as_str().into();
                    o["passcode"] = a.passcode.as_ref().map(|p| p.expose()).into();
                }
                o
            }
            Err(e) => failed(&e),
        },
        "confirm_reset" => {
            let sent_at = v.sent_at().ok_or("confirm_reset needs options.sent_at")?;
            let sent_at: SystemTime = httpdate_or_rfc3339(&sent_at)?;
            let within = Duration::from_millis(v.within_ms());
            match client.confirm_reset(target, sent_at, within).await {
                Ok(Confirmation::Accepted(a)) => {
                    json!({"ok": true, "confirmation": "accepted", "state": a.state.as_str()})
                }
                Ok(Confirmation::NotSeen { latest }) => json!({
                    "ok": true,
                    "confirmation": "not_seen",
                    "latest_state": latest.as_ref().map(|a: &ResetAction| a.state.as_str()),
                }),
                Err(e) => failed(&e),
            }
        }
        other => return Err(format!("unknown call {other}")),
    })
}

fn failed(e: &Error) -> Value {
    json!({
        "ok": false,
        "code": e.code(),
        "status": e.status(),
        "graph_code": e.graph_code(),
        "request_id": e.request_id(),
        "attempts": e.attempts(),
        "retry_after_ms": e.retry_after().map(|d| d.as_millis() as u64),
        "intune_activity_id": e.intune().and_then(|i| i.activity_id.clone()),
    })
}

fn httpdate_or_rfc3339(s: &str) -> Result<SystemTime, String> {
    intune_passcode::parse_time(s).ok_or_else(|| format!("not an RFC 3339 time: {s}"))
}
