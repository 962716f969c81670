//! Bad options and bad input: a clear InvalidArgument when the client is built or the target made; nothing sent.

mod common;

use std::time::Duration;

use intune_passcode::{BulkOptions, Client, ErrorKind, Pace, Target};

fn kind_of(b: intune_passcode::ClientBuilder) -> ErrorKind {
    b.build().unwrap_err().kind()
}

#[test]
fn builder_refuses_unsafe_or_nonsense_options() {
    let b = || Client::builder().token("t");
    assert_eq!(
        Client::builder().build().unwrap_err().kind(),
        ErrorKind::InvalidArgument,
        "no credential"
    );
    for url in [
        "http://graph.example.com/v1.0",
        "http://10.0.0.1/v1.0",
        "ftp://127.0.0.1/v1.0",
        "not a url",
        "https://user:pw@graph.microsoft.com/v1.0",
        "https://graph.microsoft.com/v1.0?x=1",
    ] {
        assert_eq!(
            kind_of(b().base_url(url)),
            ErrorKind::InvalidArgument,
            "{url}"
        );
    }
    for url in [
        "http://127.0.0.1:1/v1.0",
        "http://localhost:1/v1.0",
        "http://[::1]:1/v1.0",
        "http://127.9.9.9/v1.0",
    ] {
        b().base_url(url)
            .build()
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    assert_eq!(
        kind_of(b().authority_url("http://login.example.com")),
        ErrorKind::InvalidArgument
    );
    // A token for the global cloud is never sent to a national cloud's Graph.
    assert_eq!(
        kind_of(b().base_url("https://graph.microsoft.us/v1.0")),
        ErrorKind::InvalidArgument
    );
    b().cloud(intune_passcode::Cloud::UsGovL4)
        .base_url("https://graph.microsoft.us/v1.0")
        .build()
        .unwrap();
    assert_eq!(kind_of(b().max_retries(11)), ErrorKind::InvalidArgument);
    b().max_retries(10).build().unwrap();
    assert_eq!(
        kind_of(b().timeout(Duration::ZERO)),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind_of(b().ca_cert_pem("not a pem")),
        ErrorKind::InvalidArgument
    );
    assert_eq!(kind_of(b().proxy("::::")), ErrorKind::InvalidArgument);
    assert_eq!(
        kind_of(b().user_agent_suffix("bad\nheader")),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind_of(Client::builder().token("")),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind_of(Client::builder().token("a b\r\nX: y")),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind_of(Client::builder().client_secret("", "c", "s")),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        kind_of(Client::builder().client_secret("t", "c", "")),
        ErrorKind::InvalidArgument
    );
}

#[tokio::test]
async fn bulk_options_are_checked_before_anything_runs() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let t = || vec![Target::device("d").unwrap()];
    for opts in [
        BulkOptions {
            concurrency: 0,
            ..Default::default()
        },
        BulkOptions {
            concurrency: 1025,
            ..Default::default()
        },
        BulkOptions {
            concurrency: 1,
            pace: Pace::Limit {
                writes: 0,
                per: Duration::from_secs(1),
            },
            ..BulkOptions::default()
        },
        BulkOptions {
            concurrency: 1,
            pace: Pace::Limit {
                writes: 1,
                per: Duration::ZERO,
            },
            ..BulkOptions::default()
        },
        BulkOptions::default().verify_unknown(Some(Duration::from_secs(86_401))),
    ] {
        let e = client
            .reset_passcodes(t(), opts.clone())
            .err()
            .expect("refused");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{opts:?}");
    }
    assert_eq!(emu.stats()["requests"], 0);
    // The bounds themselves are allowed.
    for opts in [
        BulkOptions::default().concurrency(1),
        BulkOptions::default().concurrency(1024),
        BulkOptions::default().verify_unknown(Some(Duration::from_secs(86_400))),
        BulkOptions::default().verify_unknown(None),
    ] {
        assert!(
            client.reset_passcodes(t(), opts.clone()).is_ok(),
            "{opts:?}"
        );
    }
}

#[tokio::test]
async fn nothing_listening_is_a_network_error_after_quick_retries() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let client = Client::builder()
        .token("t")
        .base_url(format!("http://127.0.0.1:{port}/v1.0"))
        .retry_policy(intune_passcode::RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(20),
            ..Default::default()
        })
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let e = client
        .reset_passcode(&Target::device("d").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert_eq!(
        e.attempts(),
        3,
        "connect failures are retried: nothing was sent"
    );
    // The backoff doubles: 20 ms, then 40 ms (each plus up to 25%), never the base twice.
    assert!(
        started.elapsed() >= Duration::from_millis(60),
        "{:?}",
        started.elapsed()
    );
    assert!(e.client_request_id().is_some());
}

#[test]
fn text_options_apply_each_option_and_report_the_first_bad_one() {
    use intune_passcode::TextOptions;
    let b = || Client::builder().token("t");
    let c = b()
        .text_options(TextOptions {
            base_url: Some("http://127.0.0.1:1/beta".into()),
            api_version: Some("beta".into()),
            ..Default::default()
        })
        .build()
        .unwrap();
    assert_eq!(c.graph_base(), "http://127.0.0.1:1/beta/");
    for bad in [
        TextOptions {
            cloud: Some("mars".into()),
            ..Default::default()
        },
        TextOptions {
            api_version: Some("v2".into()),
            ..Default::default()
        },
        TextOptions {
            base_url: Some("http://graph.example.com/v1.0".into()),
            ..Default::default()
        },
        TextOptions {
            ca_cert: Some("/nonexistent.pem".into()),
            ..Default::default()
        },
        TextOptions {
            proxy: Some("::::".into()),
            ..Default::default()
        },
    ] {
        assert_eq!(kind_of(b().text_options(bad)), ErrorKind::InvalidArgument);
    }
}

#[test]
fn milliseconds_and_epoch_times_from_bindings_are_checked_and_name_their_unit() {
    use intune_passcode::{duration_from_millis, time_from_epoch_millis};
    assert_eq!(
        duration_from_millis("withinMs", 1500.0).unwrap(),
        Duration::from_millis(1500)
    );
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 4e10] {
        let e = duration_from_millis("withinMs", bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("milliseconds"), "{e}");
    }
    assert_eq!(
        time_from_epoch_millis("sentAt", 1_000.0).unwrap(),
        std::time::UNIX_EPOCH + Duration::from_secs(1)
    );
    for bad in [-1.0, f64::NAN, 1e16] {
        assert!(time_from_epoch_millis("sentAt", bad).is_err(), "{bad}");
    }
}
