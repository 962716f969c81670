//! Retry behaviour that needs a clock: HTTP-date Retry-After in the future, the total-wait budget, backoff
//! without Retry-After, and the emulator's early-retry detector staying at zero.

mod common;

use std::time::{Duration, Instant, SystemTime};

use intune_passcode::{ErrorKind, Target};

#[tokio::test]
async fn an_http_date_in_the_future_is_waited_for() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    // HTTP-dates have whole seconds: 2 s ahead is between 1 and 2 s of real wait.
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    emu.script(
        "dev-date",
        vec![
            common::answer(429, &[("Retry-After", &when)], None),
            common::answer(204, &[], None),
        ],
    );
    let started = Instant::now();
    let r = client
        .reset_passcode(&Target::device("dev-date").unwrap())
        .await
        .unwrap();
    assert_eq!(r.attempts, 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert!(r.waited >= Duration::from_millis(900));
    assert_eq!(emu.stats()["early_retries"], 0);
}

#[tokio::test]
async fn no_retry_after_means_backoff_from_the_base_delay() {
    let emu = common::emulator().await;
    let client = common::builder(&emu)
        .retry_policy(intune_passcode::RetryPolicy {
            base_delay: Duration::from_millis(200),
            ..Default::default()
        })
        .build()
        .unwrap();
    emu.script(
        "dev-backoff",
        vec![
            common::answer(503, &[], None),
            common::answer(503, &[], None),
            common::answer(204, &[], None),
        ],
    );
    let started = Instant::now();
    let r = client
        .reset_passcode(&Target::device("dev-backoff").unwrap())
        .await
        .unwrap();
    assert_eq!(r.attempts, 3);
    // 200 ms then 400 ms, each plus up to 25% jitter.
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_total_wait_budget_stops_retries_early() {
    let emu = common::emulator().await;
    let client = common::builder(&emu)
        .max_total_wait(Duration::from_secs(1))
        .build()
        .unwrap();
    emu.script(
        "dev-budget",
        vec![
            common::answer(429, &[("Retry-After", "2")], None),
            common::answer(204, &[], None),
        ],
    );
    let started = Instant::now();
    let e = client
        .reset_passcode(&Target::device("dev-budget").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Throttled);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "returned at once"
    );
    assert_eq!(emu.requests("dev-budget").len(), 1);
}

#[tokio::test]
async fn real_throttling_is_waited_out_without_early_retries() {
    let emu = common::emulator_with(graph_emulator::EmulatorConfig {
        throttle: Some(graph_emulator::ThrottleConfig {
            app_limit: 3,
            tenant_limit: 6,
            window: Duration::from_secs(1),
        }),
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let devices = common::resettable_devices(&emu);
    for d in devices.iter().take(5) {
        client
            .reset_passcode(&Target::device(d).unwrap())
            .await
            .unwrap();
    }
    let stats = emu.stats();
    assert!(stats["throttled_429"].as_u64().unwrap() >= 1, "{stats}");
    assert_eq!(stats["early_retries"], 0, "{stats}");
    assert_eq!(stats["devices_reset_more_than_once"], 0);
}
