//! Bench worker for the Rust core (see `bench/README.md` for the protocol every contender speaks):
//!
//! ```text
//! bench_worker MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY [PACE_WRITES PACE_SECONDS]
//! ```
//! MODE is `bulk` (N resets through `reset_passcodes`), `seq` (N resets one after another) or `throttled` (bulk,
//! paced at PACE_WRITES per PACE_SECONDS). Prints one JSON line: calls, seconds, median ms (seq) and outcomes by
//! code. Not a test: it asserts nothing about speed.
//!
//! The fault soak (`tests/soak/run.py`) reuses it: with `BENCH_OUTCOMES=FILE` each bulk outcome is also written to
//! FILE as `DEVICE_ID CODE` lines (`CONFIRMED` for a success confirmed from the device's action record),
//! `BENCH_TIMEOUT_SECS` sets the client's per-call deadline (default 100) and `BENCH_VERIFY_SECS` the bulk run's
//! `verify_unknown` (seconds, or `off`; default the library's) and `BENCH_JOURNAL` its journal file.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use intune_passcode::{BulkOptions, Client, ConfirmedBy, Pace, Target};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() < 6 {
        return Err(
            "usage: bench_worker MODE GRAPH_URL TOKEN IDS_FILE N CONCURRENCY [WRITES SECONDS]"
                .into(),
        );
    }
    let (mode, graph_url, token) = (a[0].as_str(), a[1].as_str(), a[2].as_str());
    let n: usize = a[4].parse()?;
    let concurrency: usize = a[5].parse()?;
    let pace = match (a.get(6), a.get(7)) {
        (Some(w), Some(s)) if mode == "throttled" => Pace::limit(w.parse()?, s.parse()?)?,
        _ => Pace::Off,
    };
    let ids: Vec<String> = std::fs::read_to_string(&a[3])?
        .lines()
        .take(n)
        .map(str::to_string)
        .collect();
    let client = Client::builder()
        .base_url(graph_url)
        .token(token)
        .timeout(Duration::from_secs_f64(
            std::env::var("BENCH_TIMEOUT_SECS").map_or(Ok(100.0), |v| v.parse())?,
        ))
        .build()?;

    let mut outcomes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut times = Vec::new();
    let started = Instant::now();
    if mode == "seq" {
        for id in &ids {
            let t = Instant::now();
            let r = client.reset_passcode(&Target::device(id)?).await;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            *outcomes
                .entry(r.map_or_else(|e| e.code(), |_| "OK"))
                .or_default() += 1;
        }
    } else {
        // Lazily, as a user with a long list would: the run holds only what is in flight.
        let targets = ids.into_iter().filter_map(|id| Target::device(id).ok());
        let verify_unknown = match std::env::var("BENCH_VERIFY_SECS") {
            Ok(v) if v == "off" => None,
            Ok(v) => Some(Duration::from_secs_f64(v.parse()?)),
            Err(_) => BulkOptions::default().verify_unknown,
        };
        let options = BulkOptions {
            concurrency,
            pace,
            verify_unknown,
            journal: std::env::var_os("BENCH_JOURNAL").map(Into::into),
            ..BulkOptions::default()
        };
        let mut stream = client.reset_passcodes(targets, options)?;
        let mut log = match std::env::var_os("BENCH_OUTCOMES") {
            Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
            None => None,
        };
        while let Some((t, r)) = stream.next().await {
            // The log says how a success is known: Graph's 2xx (OK) or the device's record (CONFIRMED).
            let logged = match &r {
                Ok(receipt) if receipt.confirmed_by == ConfirmedBy::ActionResult => "CONFIRMED",
                Ok(_) => "OK",
                Err(e) => e.code(),
            };
            let code = r.map_or_else(|e| e.code(), |_| "OK");
            if let Some(log) = log.as_mut() {
                writeln!(log, "{} {logged}", t.device_id())?;
            }
            *outcomes.entry(code).or_default() += 1;
        }
        if let Some(mut log) = log {
            log.flush()?;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let line = serde_json::json!({
        "calls": outcomes.values().sum::<usize>(),
        "secs": secs,
        "median_ms": times.get(times.len() / 2),
        "outcomes": outcomes,
        "fsyncs": intune_passcode::journal_syncs(),
    });
    println!("{line}");
    Ok(())
}
