//! Runs every shared vector in `tests/vectors/` against the in-process emulator over real HTTP.

mod common;

use std::time::{Duration, Instant};

use graph_emulator::ScriptedResponse;
use intune_passcode::Target;
use serde_json::Value;

fn vectors() -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("tests/vectors exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable");
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).expect("valid JSON"),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn opt_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shared_vector_passes() {
    let emu = common::emulator().await;
    let all = vectors();
    assert!(
        all.len() >= 25,
        "expected the shared vectors, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    for (file, v) in &all {
        if let Err(why) = run_one(&emu, v).await {
            failures.push(format!("{file}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "failing vectors:\n{}",
        failures.join("\n")
    );
}

async fn run_one(emu: &graph_emulator::EmulatorHandle, v: &Value) -> Result<(), String> {
    let t = &v["target"];
    let device = t["device_id"].as_str().unwrap_or_default().to_string();
    let responses: Vec<ScriptedResponse> =
        serde_json::from_value(v["responses"].clone()).map_err(|e| format!("responses: {e}"))?;
    if !responses.is_empty() {
        emu.script(&device, responses);
    }
    let o = &v["options"];
    let mut b = common::builder(emu)
        .max_retries(o["max_retries"].as_u64().unwrap_or(3) as u32)
        .timeout(Duration::from_millis(
            o["timeout_ms"].as_u64().unwrap_or(20_000),
        ));
    b = b.max_total_wait(Duration::from_secs(180));
    let client = b.build().map_err(|e| format!("build: {e}"))?;
    let started = Instant::now();
    let outcome = match Target::new(
        device.clone(),
        opt_str(&t["user_id"]),
        opt_str(&t["detected_app_id"]),
    ) {
        Ok(target) => client.reset_passcode(&target).await,
        Err(e) => Err(e),
    };
    let elapsed = started.elapsed().as_millis() as u64;
    let x = &v["expect"];
    let check = |key: &str, got: Value| -> Result<(), String> {
        match x.get(key) {
            Some(want) if *want != got => Err(format!("{key}: want {want}, got {got}")),
            _ => Ok(()),
        }
    };
    check("ok", Value::Bool(outcome.is_ok()))?;
    match &outcome {
        Ok(r) => {
            check("status", r.status.into())?;
            check("attempts", r.attempts.into())?;
            check("request_id", r.request_id.clone().into())?;
        }
        Err(e) => {
            check("code", e.code().into())?;
            check("status", e.status().into())?;
            check("graph_code", e.graph_code().into())?;
            check("request_id", e.request_id().into())?;
            check("attempts", e.attempts().into())?;
            check(
                "retry_after_ms",
                e.retry_after().map(|d| d.as_millis() as u64).into(),
            )?;
            check(
                "intune_activity_id",
                e.intune().and_then(|i| i.activity_id.clone()).into(),
            )?;
        }
    }
    let seen = emu.requests(&device);
    check("requests_sent", seen.len().into())?;
    check("path", seen.first().map(|r| r.path.clone()).into())?;
    let crids: Vec<_> = seen
        .iter()
        .map(|r| r.headers.get("client-request-id").cloned())
        .collect();
    check(
        "same_client_request_id",
        Value::Bool(!crids.is_empty() && crids.iter().all(|c| c.is_some() && *c == crids[0])),
    )?;
    check(
        "retry_attempt_headers",
        seen.iter()
            .map(|r| r.headers.get("retry-attempt").cloned().into())
            .collect::<Vec<Value>>()
            .into(),
    )?;
    if let Some(min) = x["min_elapsed_ms"].as_u64() {
        if elapsed < min {
            return Err(format!(
                "took {elapsed} ms, less than the {min} ms Graph asked to wait"
            ));
        }
    }
    if let Some(max) = x["max_elapsed_ms"].as_u64() {
        if elapsed > max {
            return Err(format!(
                "took {elapsed} ms; it should have returned at once (bound {max} ms)"
            ));
        }
    }
    Ok(())
}
