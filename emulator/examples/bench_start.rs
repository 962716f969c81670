//! W8, the test fixture: how long an in-process emulator takes from start to ready (median and p95 of 100 starts),
//! and what 10,000 start/stop cycles leave behind (RSS and thread count before and after). `make bench` runs it:
//!
//!     cargo run --release -p graph-emulator --example bench_start -- [CYCLES]
//!
//! Prints one JSON line.

use std::time::Instant;

use graph_emulator::{BackgroundEmulator, EmulatorConfig};

fn status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let cycles: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    // The Python and Node fixtures' default tenant.
    let config = EmulatorConfig {
        devices: 200,
        ..EmulatorConfig::default()
    };
    let mut starts = Vec::with_capacity(100);
    for _ in 0..100 {
        let t = Instant::now();
        let emu = BackgroundEmulator::start(config.clone()).expect("starts");
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
        emu.stop();
    }
    starts.sort_by(f64::total_cmp);
    let (rss_before, threads_before) = (status("VmRSS:"), status("Threads:"));
    let t = Instant::now();
    let mut rss_mid = 0;
    for i in 0..cycles {
        BackgroundEmulator::start(config.clone())
            .expect("starts")
            .stop();
        if i == cycles / 2 {
            rss_mid = status("VmRSS:");
        }
    }
    let cycle_ms = t.elapsed().as_secs_f64() * 1000.0 / cycles.max(1) as f64;
    println!(
        "{}",
        serde_json::json!({
            "workload": "W8",
            "start_ms_median": starts[50],
            "start_ms_p95": starts[95],
            "cycles": cycles,
            "cycle_ms": cycle_ms,
            "rss_kib_before": rss_before,
            "rss_kib_half_way": rss_mid,
            "rss_kib_after": status("VmRSS:"),
            "threads_before": threads_before,
            "threads_after": status("Threads:"),
        })
    );
}
