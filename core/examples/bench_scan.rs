//! Benchmark of the cross-job check (`make bench`, W9): a folder of JOURNALS journals of DEVICES devices each, as a
//! journaled run consults it before sending. Prints one JSON line: the folder's size, the first scan (every index
//! built from its journal) and the median of later scans (indexes current).
//!
//!     cargo run --release -p intune-passcode --example bench_scan -- [JOURNALS] [DEVICES] [DIR]

use std::io::Write;
use std::time::{Duration, Instant, SystemTime};

use intune_passcode::{RecentResets, format_time};

const GRAPH: &str = "https://graph.microsoft.com/v1.0/";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let journals: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let devices: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let dir = args
        .get(3)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("ipc-bench-scan-{}", std::process::id()))
        });
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let sent = format_time(SystemTime::now() - Duration::from_secs(3600));
    let mut bytes = 0u64;
    for j in 0..journals {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(dir.join(format!("job-{j:04}.jsonl"))).expect("journal"),
        );
        let mut line = |v: serde_json::Value| {
            let s = format!("{v}\n");
            bytes += s.len() as u64;
            out.write_all(s.as_bytes()).expect("write");
        };
        line(
            serde_json::json!({"event": "header", "format": 1, "job_id": format!("j-{j}"), "graph_base": GRAPH,
            "tenant_id": "t", "api_version": "v1.0", "created_at": sent, "library": "bench"}),
        );
        for d in 0..devices {
            let id = uuid::Uuid::from_u64_pair(j as u64, d as u64).to_string();
            line(
                serde_json::json!({"event": "planned", "device_id": id, "user_id": null, "detected_app_id": null}),
            );
            line(
                serde_json::json!({"event": "intent", "device_id": id, "client_request_id": "c", "sent_at": sent}),
            );
            line(
                serde_json::json!({"event": "result", "device_id": id, "ok": true, "code": null, "status": 204,
                "request_id": "r", "client_request_id": "c", "confirmed_by": "response", "sent_at": sent,
                "at": sent}),
            );
        }
    }
    let scan = || {
        let t = Instant::now();
        let r = RecentResets::scan(&dir, GRAPH, Some("t"), Duration::from_secs(7 * 86_400))
            .expect("scan");
        assert_eq!(r.len(), journals * devices, "every device held");
        t.elapsed().as_secs_f64()
    };
    let first = scan();
    let mut warm: Vec<f64> = (0..5).map(|_| scan()).collect();
    warm.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({"journals": journals, "devices_each": devices, "journal_bytes": bytes,
            "first_scan_s": first, "scan_s": warm[warm.len() / 2], "scan_max_s": warm[warm.len() - 1]})
    );
    let _ = std::fs::remove_dir_all(&dir);
}
