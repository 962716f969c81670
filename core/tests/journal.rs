//! The journal: a job's intent on disk before each request, resume that settles what was in flight from the device's
//! record and never resets a device twice, and clear refusals (nothing sent, the file untouched) for bad journals.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use intune_passcode::{
    BulkOptions, Client, ConfirmedBy, DeviceState, ErrorKind, Journal, Pace, Target, format_time,
};

/// A journal path in a new empty folder.
fn temp(name: &str) -> PathBuf {
    common::temp_dir(name).join("job.jsonl")
}

fn options(path: &Path) -> BulkOptions {
    BulkOptions {
        concurrency: 8,
        pace: Pace::Off,
        verify_unknown: Some(Duration::from_secs(1)),
        ..BulkOptions::default()
    }
    .journal(path)
}

/// Every outcome of a run by device ID: `Ok(from_journal)` or `Err((code, from_journal))`.
async fn run(
    client: &Client,
    ids: &[String],
    opts: BulkOptions,
) -> HashMap<String, Result<(bool, ConfirmedBy), (String, bool)>> {
    let targets: Vec<Target> = ids.iter().map(|d| Target::device(d).unwrap()).collect();
    let mut stream = client.reset_passcodes(targets, opts).unwrap();
    let mut out = HashMap::new();
    while let Some((t, r)) = stream.next().await {
        let v = r
            .map(|r| (r.from_journal, r.confirmed_by))
            .map_err(|e| (e.code().to_string(), e.from_journal()));
        out.insert(t.device_id().to_string(), v);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_is_journaled_and_running_it_again_sends_nothing() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let path = temp("again");
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(50)
        .collect();
    let first = run(&client, &ids, options(&path)).await;
    assert_eq!(first.len(), 50);
    assert!(
        first
            .values()
            .all(|r| r == &Ok((false, ConfirmedBy::Response)))
    );

    let text = std::fs::read_to_string(&path).unwrap();
    let kinds: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["event"].to_string())
        .collect();
    assert_eq!(kinds[0], "\"header\"");
    for k in ["\"planned\"", "\"intent\"", "\"result\""] {
        assert_eq!(kinds.iter().filter(|x| *x == k).count(), 50, "{k}");
    }
    assert!(!text.contains(&emu.token), "no token in the journal");
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.summary().ok, 50);
    assert_eq!(j.summary().total, 50);
    assert_eq!(j.graph_base(), client.graph_base());

    let requests = common::graph_requests(&emu);
    let again = run(&client, &ids, options(&path)).await;
    assert!(
        again.values().all(|r| matches!(r, Ok((true, _)))),
        "{again:?}"
    );
    assert_eq!(common::graph_requests(&emu), requests, "nothing sent");
    assert!(ids.iter().all(|d| emu.reset_count(d) == 1));
}

/// A journal as a crash would leave it, written by hand: each line as the library writes it.
fn line(v: serde_json::Value) -> String {
    format!("{v}\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_settles_what_was_in_flight_and_sends_only_what_may_be_sent() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let path = temp("resume");
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(6)
        .collect();
    let [ran, lost, throttled, missing, fresh, planned] = ids.as_slice() else {
        unreachable!()
    };
    // `ran`: its request left and ran, and the crash came before its answer was written.
    let sent_at = format_time(SystemTime::now() - Duration::from_secs(1));
    client
        .reset_passcode(&Target::device(ran).unwrap())
        .await
        .unwrap();
    let header = serde_json::json!({"event": "header", "format": 1, "job_id": "j-1", "graph_base": client.graph_base(),
        "tenant_id": null, "api_version": "v1.0", "created_at": sent_at, "library": "0.1.0", "future_field": 1});
    let mut text = line(header);
    for d in [ran, lost, throttled, missing, planned] {
        text += &line(
            serde_json::json!({"event": "planned", "device_id": d, "user_id": null, "detected_app_id": null}),
        );
    }
    for d in [ran, lost, throttled, missing] {
        text += &line(
            serde_json::json!({"event": "intent", "device_id": d, "client_request_id": "c", "sent_at": sent_at}),
        );
    }
    for (d, code) in [(throttled, "THROTTLED"), (missing, "NOT_FOUND")] {
        text += &line(
            serde_json::json!({"event": "result", "device_id": d, "ok": false, "code": code, "status": 429,
            "request_id": null, "client_request_id": "c", "confirmed_by": null, "sent_at": sent_at, "at": sent_at}),
        );
    }
    // A crash in the middle of writing a line.
    text += r#"{"event":"intent","device_id":"#;
    std::fs::write(&path, &text).unwrap();

    let mut all = ids.clone();
    all.push(fresh.clone()); // listed twice: run once
    let out = run(&client, &all, options(&path)).await;
    assert_eq!(out.len(), 6);
    assert_eq!(
        out[ran],
        Ok((true, ConfirmedBy::ActionResult)),
        "confirmed from the record"
    );
    assert_eq!(common::posts(&emu, ran), 1, "never sent again");
    assert_eq!(out[lost], Err(("OUTCOME_UNKNOWN".into(), true)));
    assert_eq!(common::posts(&emu, lost), 0, "unconfirmed: not resent");
    assert_eq!(
        out[throttled],
        Ok((false, ConfirmedBy::Response)),
        "transient: sent again"
    );
    assert_eq!(out[missing], Err(("NOT_FOUND".into(), true)));
    assert_eq!(common::posts(&emu, missing), 0);
    assert_eq!(out[fresh], Ok((false, ConfirmedBy::Response)));
    assert_eq!(out[planned], Ok((false, ConfirmedBy::Response)));
    assert_eq!(
        common::posts(&emu, fresh),
        1,
        "a device listed twice runs once"
    );

    let j = Journal::open(&path).unwrap();
    assert_eq!(j.job_id(), "j-1");
    assert_eq!(j.created_at(), sent_at);
    let states: HashMap<&str, DeviceState> = j
        .records()
        .map(|r| (r.device_id.as_str(), r.state))
        .collect();
    assert_eq!(states[ran.as_str()], DeviceState::Ok);
    assert_eq!(states[lost.as_str()], DeviceState::Unknown);
    assert_eq!(states[missing.as_str()], DeviceState::Failed);
    assert_eq!(j.summary().total, 6);

    // Asked explicitly: the unconfirmed and the permanently failed are sent.
    let opts = options(&path).resend_unconfirmed(true).retry_failed(true);
    let out = run(&client, &ids, opts).await;
    assert_eq!(out[lost], Ok((false, ConfirmedBy::Response)));
    assert_eq!(out[missing], Ok((false, ConfirmedBy::Response)));
    assert_eq!(out[ran], Ok((true, ConfirmedBy::ActionResult)));
    assert_eq!(Journal::open(&path).unwrap().summary().ok, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_journals_are_refused_with_nothing_sent_and_the_file_untouched() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(3)
        .collect();
    let targets = || {
        ids.iter()
            .map(|d| Target::device(d).unwrap())
            .collect::<Vec<_>>()
    };
    let header = |format: u32, base: &str| {
        serde_json::json!({"event": "header", "format": format, "job_id": "j", "graph_base": base,
            "tenant_id": null, "api_version": "v1.0", "created_at": "2026-11-30T00:00:00Z", "library": "0.1.0"})
        .to_string()
            + "\n"
    };
    let cases = [
        ("not ours", "hello, world\n".to_string(), "not a journal event"),
        ("no header", "{\"event\":\"planned\",\"device_id\":\"d\",\"user_id\":null,\"detected_app_id\":null}\n".into(), "not a header"),
        ("newer", header(99, client.graph_base()), "newer"),
        ("another graph", header(1, "https://graph.microsoft.com/v1.0/"), "made for"),
        ("nonsense mid-file", header(1, client.graph_base()) + "{\"event\":\"intent\"}\n{}\n", "line 2"),
        ("empty but torn", "{\"event\":\"hea".into(), "nothing was sent for this job, and the file may be removed"),
    ];
    for (name, text, says) in cases {
        let path = temp(&format!("bad-{}", name.replace(' ', "-")));
        std::fs::write(&path, &text).unwrap();
        let e = client
            .reset_passcodes(targets(), options(&path))
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"));
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{name}: {e}");
        assert!(e.message().contains(says), "{name}: {e}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{name}: the file changed"
        );
    }
    // A path that cannot be opened for writing (its folder does not exist), and a folder. (A file without write
    // permission is no test here: the suite runs as root, which writes anyway.)
    for path in [
        Path::new("/no-such-folder/job.jsonl"),
        &std::env::temp_dir(),
    ] {
        let e = client
            .reset_passcodes(targets(), options(path))
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert!(e.message().contains("cannot"), "{e}");
    }
    // In use by a run that has not ended.
    let path = temp("locked");
    let held = client.reset_passcodes(targets(), options(&path)).unwrap();
    let e = client
        .reset_passcodes(targets(), options(&path))
        .err()
        .unwrap();
    assert!(e.message().contains("in use"), "{e}");
    drop(held);
    assert!(client.reset_passcodes(targets(), options(&path)).is_ok());
    assert_eq!(emu.stats()["requests"], 0, "nothing sent for any of them");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_in_flight_has_its_intent_on_disk() {
    // Answers take 1.5 s: while they are in flight, the file must already hold an intent for every request the
    // emulator has received (the journal is read from disk by another reader, as a resume after a crash would).
    let emu = common::emulator_with(graph_emulator::EmulatorConfig {
        faults: graph_emulator::FaultConfig {
            latency: 1.0,
            latency_ms: 1500,
            ..graph_emulator::FaultConfig::parse("").unwrap()
        },
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let path = temp("inflight");
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(16)
        .collect();
    let targets: Vec<Target> = ids.iter().map(|d| Target::device(d).unwrap()).collect();
    let mut stream = client.reset_passcodes(targets, options(&path)).unwrap();
    let reader = tokio::spawn(async move { while stream.next().await.is_some() {} });
    tokio::time::sleep(Duration::from_millis(700)).await;
    let in_flight: Vec<&String> = ids.iter().filter(|d| !emu.requests(d).is_empty()).collect();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(in_flight.len() >= 8, "{} in flight", in_flight.len());
    for d in in_flight {
        assert!(
            text.lines()
                .any(|l| l.contains("\"intent\"") && l.contains(d.as_str())),
            "{d} is in flight without an intent on disk"
        );
    }
    reader.await.unwrap();
}

/// A run holds its journal through a sidecar lock: a second run is refused, a reader is not (on Windows a lock on the
/// data itself would be mandatory and block `jobs show`), and the journal is its owner's alone on Unix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_job_refuses_a_second_run_but_not_a_reader() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let path = temp("reader");
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(3)
        .collect();
    let targets: Vec<Target> = ids.iter().map(|d| Target::device(d).unwrap()).collect();
    let mut opts = options(&path);
    opts.concurrency = 1;
    let mut stream = client.reset_passcodes(targets.clone(), opts).unwrap();
    let first = stream.next().await.unwrap();
    assert!(first.1.is_ok());
    // Mid-run: the journal is read while the run holds it.
    let j = Journal::open(&path).unwrap();
    assert!(j.summary().total >= 1, "{:?}", j.summary());
    let second = client.reset_passcodes(targets.clone(), options(&path));
    let e = second
        .err()
        .expect("a second run of a held journal is refused");
    assert!(e.to_string().contains("in use by another run"), "{e}");
    while stream.next().await.is_some() {}
    drop(stream);
    assert!(
        client.reset_passcodes(targets, options(&path)).is_ok(),
        "released at the end"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the journal lists a tenant's devices");
    }
}
