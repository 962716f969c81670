//! Runs every shared vector in `tests/vectors/` against the in-process emulator over real HTTP.

mod common;

use std::time::{Duration, Instant};

use graph_emulator::vectors::{self, Vector};
use intune_passcode::Target;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_vector_passes() {
    let emu = common::emulator().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let all = vectors::load(&dir).expect("vectors load");
    assert!(
        all.len() == 30,
        "expected the shared vectors, found {}",
        all.len()
    );
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
    let outcome = match Target::new(v.device_id(), v.user_id(), v.detected_app_id()) {
        Ok(target) => client.reset_passcode(&target).await,
        Err(e) => Err(e),
    };
    let elapsed = started.elapsed().as_millis() as u64;
    let observed: Value = match &outcome {
        Ok(r) => {
            json!({"ok": true, "status": r.status, "attempts": r.attempts, "request_id": r.request_id})
        }
        Err(e) => json!({
            "ok": false,
            "code": e.code(),
            "status": e.status(),
            "graph_code": e.graph_code(),
            "request_id": e.request_id(),
            "attempts": e.attempts(),
            "retry_after_ms": e.retry_after().map(|d| d.as_millis() as u64),
            "intune_activity_id": e.intune().and_then(|i| i.activity_id.clone()),
        }),
    };
    v.check(&observed, emu, elapsed)
}
