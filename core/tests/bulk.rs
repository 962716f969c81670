//! Bulk runs: one outcome per input, no double resets, the concurrency bound, pacing, global pauses on 429, and
//! stopping when the stream is dropped.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use graph_emulator::{EmulatorConfig, FaultConfig, ThrottleConfig};
use intune_passcode::{BulkOptions, Error, ErrorKind, Pace, Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_targets_one_outcome_each_none_reset_twice() {
    let emu = common::emulator_with(EmulatorConfig {
        devices: 10_000,
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let ids = common::devices_where(&emu, |_| true);
    assert_eq!(ids.len(), 10_000);
    let platform: HashMap<String, String> = emu
        .devices()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["platform"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let targets: Vec<Target> = ids.iter().map(|d| Target::device(d).unwrap()).collect();
    let mut stream = client
        .reset_passcodes(
            targets,
            BulkOptions {
                concurrency: 64,
                pace: Pace::Off,
                ..BulkOptions::default()
            },
        )
        .unwrap();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut ok, mut unsupported) = (0, 0);
    while let Some((target, outcome)) = stream.next().await {
        *seen.entry(target.device_id().to_string()).or_default() += 1;
        let p = &platform[target.device_id()];
        match outcome {
            Ok(r) => {
                assert_eq!(r.status, 204);
                ok += 1;
            }
            Err(e)
                if e.kind() == ErrorKind::UnsupportedDevice && (p == "windows" || p == "macOS") =>
            {
                unsupported += 1
            }
            Err(e) => panic!("{}: {e}", target.device_id()),
        }
    }
    assert_eq!(seen.len(), 10_000);
    assert!(seen.values().all(|n| *n == 1));
    assert_eq!(ok + unsupported, 10_000);
    let stats = emu.stats();
    assert_eq!(stats["executed"].as_u64().unwrap(), ok as u64);
    assert_eq!(stats["devices_reset_more_than_once"], 0);
    assert_eq!(
        stats["requests"].as_u64().unwrap(),
        10_000,
        "no request was sent twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_concurrency_bound_holds_and_is_used() {
    let faults = FaultConfig {
        latency: 1.0,
        latency_ms: 25,
        ..FaultConfig::parse("").unwrap()
    };
    let emu = common::emulator_with(EmulatorConfig {
        faults,
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let targets: Vec<Target> = common::resettable_devices(&emu)
        .iter()
        .take(200)
        .map(|d| Target::device(d).unwrap())
        .collect();
    let n = client
        .reset_passcodes(
            targets,
            BulkOptions {
                concurrency: 8,
                pace: Pace::Off,
                ..BulkOptions::default()
            },
        )
        .unwrap()
        .filter(|(_, r)| std::future::ready(r.is_ok()))
        .count()
        .await;
    assert_eq!(n, 200);
    assert_eq!(emu.stats()["max_in_flight"], 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_at_the_servers_limit_earns_no_429() {
    let limit = ThrottleConfig {
        app_limit: 20,
        tenant_limit: 40,
        window: Duration::from_secs(1),
    };
    let emu = common::emulator_with(EmulatorConfig {
        throttle: Some(limit),
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let targets: Vec<Target> = common::resettable_devices(&emu)
        .iter()
        .take(60)
        .map(|d| Target::device(d).unwrap())
        .collect();
    let started = Instant::now();
    let pace = Pace::Limit {
        writes: 20,
        per: Duration::from_secs(1),
    };
    let outcomes: Vec<_> = client
        .reset_passcodes(
            targets,
            BulkOptions {
                concurrency: 16,
                pace,
                ..BulkOptions::default()
            },
        )
        .unwrap()
        .collect()
        .await;
    assert!(outcomes.iter().all(|(_, r)| r.is_ok()));
    assert_eq!(emu.stats()["throttled_429"], 0, "{}", emu.stats());
    // 60 writes at 20 per second: the third batch cannot start before 2 s.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_pauses_every_worker_until_its_retry_after() {
    // Every other request takes 20 ms, so 200 of them at concurrency 4 keep the workers busy for about a second:
    // without a global pause, dozens of them would land inside the throttled device's Retry-After.
    let faults = FaultConfig {
        latency: 1.0,
        latency_ms: 20,
        ..FaultConfig::parse("").unwrap()
    };
    let emu = common::emulator_with(EmulatorConfig {
        faults,
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    emu.script(
        "throttled-one",
        vec![
            common::answer(429, &[("Retry-After", "1")], None),
            common::answer(204, &[], None),
        ],
    );
    let mut targets = vec![Target::device("throttled-one").unwrap()];
    targets.extend(
        common::resettable_devices(&emu)
            .iter()
            .take(200)
            .map(|d| Target::device(d).unwrap()),
    );
    let outcomes: Vec<_> = client
        .reset_passcodes(
            targets,
            BulkOptions {
                concurrency: 4,
                pace: Pace::Off,
                ..BulkOptions::default()
            },
        )
        .unwrap()
        .collect()
        .await;
    assert_eq!(outcomes.len(), 201);
    assert!(outcomes.iter().all(|(_, r)| r.is_ok()));
    let t429 = emu.requests("throttled-one")[0].at_ms;
    let all = all_request_times(&emu);
    assert_eq!(all.len(), 202, "every request is in the log");
    // Requests already on their way when the 429 arrived land within a few ms of it; every later one waits out the
    // Retry-After (1 s; 50 ms of slack for the log's clock).
    let during_pause: Vec<_> = all
        .iter()
        .filter(|t| **t > t429 + 50 && **t < t429 + 950)
        .collect();
    assert!(
        during_pause.is_empty(),
        "{} requests sent during the pause (429 at {t429} ms): {during_pause:?}",
        during_pause.len()
    );
    let after = all.iter().filter(|t| **t >= t429 + 950).count();
    assert!(
        after > 100,
        "the run was still going when the pause ended ({after} requests after it)"
    );
    assert_eq!(emu.stats()["early_retries"], 0);
}

fn all_request_times(emu: &graph_emulator::EmulatorHandle) -> Vec<u64> {
    common::devices_where(emu, |_| true)
        .iter()
        .chain(std::iter::once(&"throttled-one".to_string()))
        .flat_map(|d| emu.requests(d))
        .map(|r| r.at_ms)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_stops_the_run() {
    let faults = FaultConfig {
        latency: 1.0,
        latency_ms: 20,
        ..FaultConfig::parse("").unwrap()
    };
    let emu = common::emulator_with(EmulatorConfig {
        faults,
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let targets: Vec<Target> = common::resettable_devices(&emu)
        .iter()
        .map(|d| Target::device(d).unwrap())
        .collect();
    let mut stream = client
        .reset_passcodes(
            targets,
            BulkOptions {
                concurrency: 4,
                pace: Pace::Off,
                ..BulkOptions::default()
            },
        )
        .unwrap();
    for _ in 0..5 {
        let (_, outcome) = stream.next().await.unwrap();
        outcome.unwrap();
    }
    drop(stream);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = common::graph_requests(&emu);
    assert!(
        sent <= 5 + 4,
        "{sent} requests: the run went on after the stream was dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_aborts_calls_still_waiting_to_send() {
    // 5 writes per second: the first five go at once, the next calls wait about a second for pacing. Dropping the
    // stream must abort them there, so nothing more is ever sent.
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let targets: Vec<Target> = common::resettable_devices(&emu)
        .iter()
        .take(100)
        .map(|d| Target::device(d).unwrap())
        .collect();
    let mut stream = client
        .reset_passcodes(
            targets,
            BulkOptions {
                concurrency: 4,
                pace: Pace::Limit {
                    writes: 5,
                    per: Duration::from_secs(1),
                },
                ..BulkOptions::default()
            },
        )
        .unwrap();
    for _ in 0..5 {
        let (_, outcome) = stream.next().await.unwrap();
        outcome.unwrap();
    }
    drop(stream);
    tokio::time::sleep(Duration::from_millis(1800)).await;
    assert_eq!(
        emu.stats()["requests"],
        5,
        "calls waiting for pacing went on after the stream was dropped"
    );
}

#[tokio::test]
async fn keyed_inputs_pass_bad_targets_through_as_outcomes() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let good = emu.samples["device_id"].clone();
    let inputs = vec![
        (0usize, Target::device(&good)),
        (1, Target::device("")),
        (2, Err(Error::invalid("made up"))),
    ];
    let mut out: Vec<_> = client
        .reset_passcodes_keyed(futures_util::stream::iter(inputs), BulkOptions::default())
        .unwrap()
        .collect()
        .await;
    out.sort_by_key(|(k, _)| *k);
    assert!(out[0].1.is_ok());
    assert_eq!(
        out[1].1.as_ref().unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(out[2].1.as_ref().unwrap_err().message(), "made up");
    assert_eq!(emu.stats()["requests"], 1);
}

/// A target whose input states an OS Intune cannot reset is not sent by a bulk run (no journal here), unless
/// `send_unsupported`; a stated OS that can be reset, or none, is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stated_unsupported_os_is_skipped_unless_send_unsupported() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let windows = common::devices_where(&emu, |d| d["platform"] == "windows")[0].clone();
    let android = common::resettable_devices(&emu)[0].clone();
    let targets = vec![
        Target::device(&windows)
            .unwrap()
            .with_platform("Windows 11"),
        Target::device(&android).unwrap().with_platform("Android"),
    ];
    let options = BulkOptions::default().pace(Pace::Off);
    let out: HashMap<String, Result<_, Error>> = client
        .reset_passcodes(targets.clone(), options.clone())
        .unwrap()
        .map(|(t, r)| (t.device_id().to_string(), r))
        .collect()
        .await;
    let e = out[&windows].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedDevice);
    assert!(
        e.to_string()
            .contains("skipped: the input says OS=Windows 11"),
        "{e}"
    );
    assert_eq!(common::posts(&emu, &windows), 0);
    assert!(out[&android].is_ok());
    let sent: Vec<_> = client
        .reset_passcodes(vec![targets[0].clone()], options.send_unsupported(true))
        .unwrap()
        .collect()
        .await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        common::posts(&emu, &windows),
        1,
        "send_unsupported sends it"
    );
}
