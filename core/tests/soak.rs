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
        "429=0.05,503=0.05,500=0.02,504=0.02,reset_before=0.01,reset_after=0.01,latency=0.01,latency_ms=2500,retry_after=0.2",
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
    let client = common::builder(&emu)
        .timeout(Duration::from_secs(2))
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
            },
        )
        .unwrap();
    while let Some((t, r)) = stream.next().await {
        outcomes
            .entry(t.device_id().to_string())
            .or_default()
            .push(r.map(|_| ()).map_err(|e| e.kind()));
    }

    let mut by_kind: HashMap<String, usize> = HashMap::new();
    for id in &ids {
        let got = outcomes.get(id).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(got.len(), 1, "{id}: {} outcomes", got.len());
        let executed = emu.reset_count(id);
        assert!(executed <= 1, "{id} was reset {executed} times");
        match got[0] {
            Ok(()) => assert_eq!(executed, 1, "{id}: success reported but not executed"),
            Err(ErrorKind::OutcomeUnknown) => {}
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
    assert_eq!(stats["devices_reset_more_than_once"], 0, "{stats}");
    // The faults really happened.
    for fault in [
        "429",
        "503",
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
