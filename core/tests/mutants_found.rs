//! Behaviour that cargo-mutants found no test for (docs/reliability.md lists each mutant): the error body cap, the
//! explanation built from Intune's envelope, time spent waiting for pacing, one token refresh per call, and the
//! client's own accessors.

mod common;

use std::time::Duration;

use futures_util::StreamExt;
use intune_passcode::{BulkOptions, Client, ErrorKind, Pace, Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_intune_envelope_is_still_read_whole() {
    // Over a KiB of envelope: a cap that cut the body short would lose the envelope and call it BAD_REQUEST.
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let summary = format!(
        "The action resetPasscode is not supported here {}",
        "x".repeat(5000)
    );
    let envelope = serde_json::json!({"_version": 3, "Message": format!("{summary} - Operation ID (for customer support): op-1 - Activity ID: act-1 - Url: u")});
    let body =
        serde_json::json!({"error": {"code": "BadRequest", "message": envelope.to_string()}});
    emu.script("long-envelope", vec![common::answer(400, &[], Some(body))]);
    let e = client
        .reset_passcode(&Target::device("long-envelope").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedDevice, "{e}");
    assert_eq!(e.intune().unwrap().activity_id.as_deref(), Some("act-1"));
    // The message quotes the envelope's summary, not its JSON.
    assert!(e.message().contains("not supported here"), "{e}");
    assert!(!e.message().contains("_version"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_without_a_summary_or_a_blank_message_leaves_no_dangling_text() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let empty = serde_json::json!({"_version": 3, "Message": " - Operation ID (for customer support): op-2 - Activity ID: act-2"});
    let body = serde_json::json!({"error": {"code": "BadRequest", "message": empty.to_string()}});
    emu.script("empty-envelope", vec![common::answer(400, &[], Some(body))]);
    let e = client
        .reset_passcode(&Target::device("empty-envelope").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedDevice);
    assert!(
        e.message().contains("_version"),
        "with no summary, Graph's whole message is quoted: {e}"
    );
    let blank = serde_json::json!({"error": {"code": "Conflict", "message": "   "}});
    emu.script("blank", vec![common::answer(409, &[], Some(blank))]);
    let e = client
        .reset_passcode(&Target::device("blank").unwrap())
        .await
        .unwrap_err();
    assert!(e.message().ends_with("(HTTP 409)"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_spent_waiting_for_pacing_is_in_the_receipt() {
    // One write per second: the throttled device's retry waits for the pacer, and its receipt says so.
    let emu = common::emulator().await;
    let client = common::client(&emu);
    emu.script(
        "paced-retry",
        vec![
            common::answer(429, &[("Retry-After", "0.01")], None),
            common::answer(204, &[], None),
        ],
    );
    let options = BulkOptions {
        concurrency: 1,
        pace: Pace::Limit {
            writes: 1,
            per: Duration::from_secs(1),
        },
        ..BulkOptions::default()
    };
    let mut stream = client
        .reset_passcodes(vec![Target::device("paced-retry").unwrap()], options)
        .unwrap();
    let (_, r) = stream.next().await.unwrap();
    let r = r.unwrap();
    assert_eq!(r.attempts, 2);
    assert!(r.waited >= Duration::from_millis(800), "{:?}", r.waited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_refreshes_its_token_once_however_many_401s_follow() {
    // The client-credentials flow hands out a new token each time it is asked, so only the once-per-call rule
    // stops a loop of 401s.
    let emu = common::emulator().await;
    let client = Client::builder()
        .base_url(&emu.graph_url)
        .authority_url(&emu.authority_url)
        .client_secret(&emu.tenant_id, &emu.client_id, emu.client_secret.as_str())
        .build()
        .unwrap();
    let unauthorized = || common::answer(401, &[], None);
    emu.script(
        "always-401",
        vec![
            unauthorized(),
            unauthorized(),
            unauthorized(),
            common::answer(204, &[], None),
        ],
    );
    let e = client
        .reset_passcode(&Target::device("always-401").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(emu.requests("always-401").len(), 2);
}

#[test]
fn the_client_tells_its_deadline_and_prints_its_graph_url() {
    let client = Client::builder()
        .token("t")
        .timeout(Duration::from_secs(42))
        .build()
        .unwrap();
    assert_eq!(client.timeout(), Duration::from_secs(42));
    let shown = format!("{client:?}");
    assert!(
        shown.contains("graph.microsoft.com") && shown.contains("42"),
        "{shown}"
    );
}
