//! The emulator's faults mean what Graph's would: a late answer's reset runs even after the client left, a 504 ran
//! the reset on some hits and not on others, a lying 503 ran it, and no fault runs a reset Intune would refuse. The
//! soak's ledger checks are only as strong as these.

mod common;

use std::time::Duration;

use graph_emulator::{EmulatorConfig, FaultConfig};
use intune_passcode::{ErrorKind, RetryPolicy, Target};

fn faults(spec: &str) -> FaultConfig {
    FaultConfig::parse(spec).expect("fault spec")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_answer_still_resets_after_the_client_gave_up() {
    let emu = common::emulator_with(EmulatorConfig {
        faults: faults("latency=1,latency_ms=1200"),
        ..Default::default()
    })
    .await;
    let device = common::resettable_devices(&emu)[0].clone();
    let client = common::builder(&emu)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .reset_passcode(&Target::device(&device).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(emu.reset_count(&device), 0, "not yet: the backend is slow");
    // The backend finishes what it started although the caller hung up.
    for _ in 0..40 {
        if emu.reset_count(&device) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(emu.reset_count(&device), 1);
    assert_eq!(emu.stats()["in_flight"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_504_ran_the_reset_on_some_hits_and_not_on_others() {
    let emu = common::emulator_with(EmulatorConfig {
        faults: faults("504=1"),
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let devices: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(200)
        .collect();
    for d in &devices {
        let err = client
            .reset_passcode(&Target::device(d).unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutcomeUnknown);
    }
    let executed = devices.iter().filter(|d| emu.reset_count(d) == 1).count();
    assert!(
        (50..=150).contains(&executed),
        "{executed} of 200 ran; a gateway timeout should be a coin toss"
    );
    assert!(devices.iter().all(|d| emu.reset_count(d) <= 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_503_ran_the_reset_and_says_so_in_the_ledger() {
    let emu = common::emulator_with(EmulatorConfig {
        faults: faults("503_after=1,retry_after=0.05"),
        ..Default::default()
    })
    .await;
    let client = common::builder(&emu).max_retries(1).build().unwrap();
    let device = common::resettable_devices(&emu)[0].clone();
    let err = client
        .reset_passcode(&Target::device(&device).unwrap())
        .await
        .unwrap_err();
    // Graph said "not executed" twice, so the client retried once, as it should; both attempts ran.
    assert_eq!(err.kind(), ErrorKind::ServiceUnavailable);
    assert_eq!(emu.reset_count(&device), 2);
    let entry = emu
        .devices()
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == device.as_str())
        .cloned()
        .unwrap();
    assert_eq!(entry["answeredNotExecuted"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_that_execute_never_reset_a_device_intune_would_refuse() {
    let emu = common::emulator_with(EmulatorConfig {
        faults: faults("504=0.5,reset_after=0.25,503_after=0.25,retry_after=0.01"),
        ..Default::default()
    })
    .await;
    let client = common::builder(&emu)
        .retry_policy(RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let refused = common::devices_where(&emu, |d| {
        matches!(d["platform"].as_str(), Some("windows") | Some("macOS"))
    });
    assert!(refused.len() >= 20);
    for d in refused.iter().take(40) {
        let _ = client.reset_passcode(&Target::device(d).unwrap()).await;
        let _ = client
            .reset_passcode(&Target::user_device("no-such-user", d).unwrap())
            .await;
    }
    assert_eq!(emu.stats()["executed"], 0, "{}", emu.stats());
}
