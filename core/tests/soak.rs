//! A small fault soak (the smoke size of a bad day): every fault at once, throttling at a time-scaled Intune limit,
//! then the client's outcomes against the emulator's ledger. Nothing lost, nothing done twice, no early retry.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use graph_emulator::{EmulatorConfig, FaultConfig, ThrottleConfig};
use intune_passcode::{BulkOptions, ErrorKind, Pace, Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_device_ends_with_exactly_one_known_outcome() {
    let faults = FaultConfig::parse(
        "429=0.05,503=0.05,503_after=0.01,500=0.02,504=0.02,reset_before=0.01,reset_after=0.01,latency=0.01,\
         latency_ms=6000,retry_after=0.2",
    )
    .unwrap();
    let throttle = ThrottleConfig {
        app_limit: 200,
        tenant_limit: 400,
        window: Duration::from_secs(1),
    };
    let emu = common::emulator_with(EmulatorConfig {
        devices: 2000,
        seed: 7,
        faults,
        throttle: Some(throttle),
        ..Default::default()
    })
    .await;
    // A deadline above the 3 s first backoff, so a wrongly retried 500 or 504 would be re-sent here and seen, and
    // below the late answers' 6 s.
    let client = common::builder(&emu)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let ids = common::devices_where(&emu, |_| true);
    let targets: Vec<Target> = ids.iter().map(|d| Target::device(d).unwrap()).collect();
    let pace = Pace::Limit {
        writes: 200,
        per: Duration::from_secs(1),
    };
    let mut outcomes: HashMap<String, Vec<Result<(), ErrorKind>>> = HashMap::new();
    let mut stream = client
        .reset_passcodes(
            targets,
            BulkOptions {
                concurrency: 64,
                pace,
                // The action record shows at once here: every executed unknown must be settled within this.
                verify_unknown: Some(Duration::from_secs(3)),
                ..BulkOptions::default()
            },
        )
        .unwrap();
    while let Some((t, r)) = stream.next().await {
        outcomes
            .entry(t.device_id().to_string())
            .or_default()
            .push(r.map(|_| ()).map_err(|e| e.kind()));
    }

    // Late answers run after their client left: read the ledger once nothing is in flight.
    for _ in 0..100 {
        if emu.stats()["in_flight"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(emu.stats()["in_flight"], 0);
    let lied: HashMap<String, u64> = emu
        .devices()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let id = d["id"].as_str().unwrap().to_string();
            (id, d["answeredNotExecuted"].as_u64().unwrap())
        })
        .collect();
    let mut by_kind: HashMap<String, usize> = HashMap::new();
    for id in &ids {
        let got = outcomes.get(id).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(got.len(), 1, "{id}: {} outcomes", got.len());
        let executed = emu.reset_count(id) as u64;
        // Only a reset Graph answered as "not executed" (a lying 503) may be repeated: the client was told to.
        let lies = lied[id];
        assert!(executed <= 1 + lies, "{id} was reset {executed} times");
        match got[0] {
            Ok(()) => assert!(executed >= 1, "{id}: success reported but not executed"),
            Err(ErrorKind::OutcomeUnknown) => {}
            Err(ErrorKind::ServiceUnavailable | ErrorKind::Throttled) if lies > 0 => {}
            Err(kind) => assert_eq!(
                executed, 0,
                "{id}: executed but reported as a definite {kind}"
            ),
        }
        let key = got[0].map_or_else(|k| k.code().to_string(), |_| "OK".to_string());
        *by_kind.entry(key).or_default() += 1;
    }
    let stats = emu.stats();
    assert_eq!(stats["early_retries"], 0, "{stats}");
    assert_eq!(stats["window_429"], 0, "paced at the limit: {stats}");
    // The faults really happened.
    for fault in [
        "429",
        "503",
        "503_after",
        "500",
        "504",
        "reset_before",
        "reset_after",
        "latency",
    ] {
        assert!(
            stats["faults"][fault].as_u64().unwrap_or(0) > 0,
            "no {fault} fault in {stats}"
        );
    }
    assert!(
        by_kind.contains_key("OUTCOME_UNKNOWN") && by_kind["OK"] > 1000,
        "{by_kind:?}"
    );
    eprintln!("soak outcomes: {by_kind:?}; emulator: {stats}");
}
