//! Benchmark: bulk and sequential resets against a running emulator; prints calls/s and peak RSS.
//!
//! ```text
//! graph-emulator --throttle off --devices 20000 &   # read graph_url and token from its first line
//! cargo run --release -p intune-passcode --example bulk_bench -- --graph-url URL --token T \
//!     [--count 20000] [--concurrency 64] [--sequential 2000]
//! ```
//! Device IDs come from the emulator's `GET /_emulator/devices`. Not a test: it asserts nothing about speed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use intune_passcode::{BulkOptions, Client, Pace, Target};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Peak resident set size of this process, from /proc (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let graph_url = arg(&args, "--graph-url").ok_or("--graph-url is required")?;
    let token = arg(&args, "--token").ok_or("--token is required")?;
    let count: usize = arg(&args, "--count").map_or(Ok(20_000), |v| v.parse())?;
    let concurrency: usize = arg(&args, "--concurrency").map_or(Ok(64), |v| v.parse())?;
    let sequential: usize = arg(&args, "--sequential").map_or(Ok(0), |v| v.parse())?;

    let client = Client::builder()
        .base_url(&graph_url)
        .token(token.as_str())
        .timeout(Duration::from_secs(100))
        .build()?;
    let control = graph_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&graph_url);
    let devices: Vec<serde_json::Value> = reqwest::get(format!("{control}/_emulator/devices"))
        .await?
        .json()
        .await?;
    let ids: Vec<String> = devices
        .iter()
        .filter_map(|d| d["id"].as_str().map(str::to_string))
        .take(count)
        .collect();
    if ids.len() < count {
        return Err(format!(
            "the emulator has {} devices; start it with --devices {count}",
            ids.len()
        )
        .into());
    }

    if sequential > 0 {
        let mut times = Vec::with_capacity(sequential);
        for id in ids.iter().cycle().take(sequential) {
            let t = Instant::now();
            let _ = client.reset_passcode(&Target::device(id)?).await;
            times.push(t.elapsed());
        }
        times.sort();
        let total: Duration = times.iter().sum();
        println!(
            "sequential: {sequential} calls, {:.0} calls/s, median {:.3} ms, p99 {:.3} ms",
            sequential as f64 / total.as_secs_f64(),
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() * 99 / 100].as_secs_f64() * 1e3
        );
    }

    let targets: Vec<Target> = ids.iter().map(Target::device).collect::<Result<_, _>>()?;
    let started = Instant::now();
    let mut outcomes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut stream = client.reset_passcodes(
        targets,
        BulkOptions {
            concurrency,
            pace: Pace::Off,
        },
    )?;
    while let Some((_, r)) = stream.next().await {
        *outcomes
            .entry(r.map_or_else(|e| e.code(), |_| "OK"))
            .or_default() += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "bulk: {count} calls at concurrency {concurrency} in {secs:.2} s = {:.0} calls/s; outcomes {outcomes:?}; peak RSS {:.1} MiB",
        count as f64 / secs,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    Ok(())
}
