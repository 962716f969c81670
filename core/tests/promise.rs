//! The promise across calls and jobs ("never resets a device twice by accident"): the sequences a user runs, each
//! counted on the emulator's ledger of executed resets.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use graph_emulator::{EmulatorHandle, ScriptedResponse};
use intune_passcode::{BulkOptions, Client, DeviceState, Journal, Pace, Target};

fn options(path: &Path) -> BulkOptions {
    BulkOptions {
        concurrency: 4,
        pace: Pace::Off,
        verify_unknown: Some(Duration::from_secs(1)),
        ..BulkOptions::default()
    }
    .journal(path)
}

/// Each target's outcome code (`ok` or the error's code), keyed by the device ID the library reports.
async fn run(client: &Client, targets: Vec<Target>, opts: BulkOptions) -> HashMap<String, String> {
    let mut stream = client.reset_passcodes(targets, opts).unwrap();
    let mut out = HashMap::new();
    while let Some((t, r)) = stream.next().await {
        let code = match r {
            Ok(_) => "ok".to_string(),
            Err(e) => e.code().to_string(),
        };
        out.insert(t.device_id().to_string(), code);
    }
    out
}

/// A 5xx that is not 503 may have run upstream (a TLS-inspecting proxy's 52x or 599 for a request that went
/// through): it is `OUTCOME_UNKNOWN`, settled from the record, and a resume never sends it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_odd_5xx_that_ran_is_never_sent_again_by_a_resume() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let path = common::temp_dir("odd5xx").join("job.jsonl");
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(3)
        .collect();
    for (id, status) in ids.iter().zip([599u16, 520, 501]) {
        emu.script(
            id,
            vec![ScriptedResponse {
                execute: Some(true),
                ..common::answer(status, &[], None)
            }],
        );
    }
    let targets = || ids.iter().map(|d| Target::device(d).unwrap()).collect();
    // No time to look for the record: the outcome stays unknown in the journal.
    let mut opts = options(&path);
    opts.verify_unknown = None;
    let first = run(&client, targets(), opts).await;
    for id in &ids {
        assert_eq!(first[id], "OUTCOME_UNKNOWN", "{id}: {first:?}");
    }
    let second = run(&client, targets(), options(&path)).await;
    for id in &ids {
        assert_eq!(second[id], "ok", "settled from the record: {second:?}");
        assert_eq!(common::posts(&emu, id), 1, "{id} sent again by the resume");
        assert_eq!(emu.reset_count(id), 1);
    }
}

/// `ABCD…`, `abcd…` and `{abcd…}` are one device: one POST, one journal record, in the lower-case spelling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_guid_in_three_spellings_is_one_device() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let path = common::temp_dir("spellings").join("job.jsonl");
    let id = common::resettable_devices(&emu).remove(0);
    assert_eq!(id, id.to_lowercase(), "the emulator's IDs are lower case");
    let spellings = [id.to_uppercase(), format!("{{{id}}}"), id.clone()];
    let targets = spellings
        .iter()
        .map(|s| Target::device(s).unwrap())
        .collect();
    let out = run(&client, targets, options(&path)).await;
    assert_eq!(out.len(), 1, "reported under one spelling: {out:?}");
    assert_eq!(common::posts(&emu, &id), 1);
    assert_eq!(emu.reset_count(&id), 1);
    let j = Journal::open(&path).unwrap();
    let records: Vec<_> = j.records().collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].device_id, id);
    assert_eq!(records[0].state, DeviceState::Ok);

    // A second run in another spelling finds it in the journal.
    let again = run(
        &client,
        vec![Target::device(format!("{{{}}}", id.to_uppercase())).unwrap()],
        options(&path),
    )
    .await;
    assert_eq!(again[&id], "ok");
    assert_eq!(
        common::posts(&emu, &id),
        1,
        "sent again under another spelling"
    );
}

/// A "proxy" that records what reaches it and answers nothing.
async fn recording_proxy() -> (String, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(500), conn.read(&mut buf)).await
            {
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        }
    });
    (url, seen)
}

/// Managed identity never goes through a proxy: IMDS is link-local, and App Service's header and token would cross
/// it in clear. Graph's own requests still do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managed_identity_bypasses_the_proxy_that_graph_requests_take() {
    use intune_passcode::{EnvSnapshot, ManagedIdentityId};
    let emu = common::emulator().await;
    let (proxy, seen) = recording_proxy().await;
    let header = emu.certificates.identity_header.clone();
    let imds =
        EnvSnapshot::from_pairs([("AZURE_POD_IDENTITY_AUTHORITY_HOST", emu.base_url.as_str())]);
    let app_service = EnvSnapshot::from_pairs([
        (
            "IDENTITY_ENDPOINT",
            emu.certificates.identity_endpoint.as_str(),
        ),
        ("IDENTITY_HEADER", header.as_str()),
    ]);
    let id = common::resettable_devices(&emu).remove(0);
    for (n, env) in [imds, app_service].into_iter().enumerate() {
        let client = Client::builder()
            .base_url(&emu.graph_url)
            .proxy(&proxy)
            .timeout(Duration::from_secs(3))
            .credential_env(env)
            .managed_identity(ManagedIdentityId::SystemAssigned)
            .build()
            .unwrap();
        // Graph is unreachable through this proxy, so the reset fails; the token was fetched directly.
        let e = client
            .reset_passcode(&Target::device(&id).unwrap())
            .await
            .unwrap_err();
        assert_ne!(e.kind(), intune_passcode::ErrorKind::Credential, "{e}");
        assert_eq!(emu.managed_identity_requests().len(), n + 1, "{e}");
    }
    let through = String::from_utf8_lossy(&seen.lock().unwrap()).to_string();
    assert!(
        through.contains("resetPasscode"),
        "Graph goes through the proxy: {through}"
    );
    assert!(
        !through.contains("metadata/identity") && !through.contains(&header),
        "{through}"
    );
}

/// A journal left by a run that died with `ids` in flight (intent on disk, no outcome), sent at `sent_at`.
fn journal_in_flight(path: &Path, client: &Client, ids: &[String], sent_at: SystemTime) {
    let sent_at = intune_passcode::format_time(sent_at);
    let line = |v: serde_json::Value| format!("{v}\n");
    let mut text = line(
        serde_json::json!({"event": "header", "format": 1, "job_id": "j-1", "graph_base": client.graph_base(),
        "tenant_id": null, "api_version": "v1.0", "created_at": sent_at, "library": "0.1.0"}),
    );
    for d in ids {
        text += &line(
            serde_json::json!({"event": "planned", "device_id": d, "user_id": null, "detected_app_id": null}),
        );
        text += &line(
            serde_json::json!({"event": "intent", "device_id": d, "client_request_id": "c", "sent_at": sent_at}),
        );
    }
    std::fs::write(path, text).unwrap();
}

fn gets(emu: &EmulatorHandle, id: &str) -> usize {
    emu.requests(id)
        .iter()
        .filter(|r| r.method == "GET")
        .count()
}

/// `verify_unknown: None` turns looking off on resume too: what was in flight stays unknown, with no read and no wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_with_verification_off_reads_nothing_and_sends_nothing_in_flight() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let path = common::temp_dir("verify-off").join("job.jsonl");
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(2)
        .collect();
    journal_in_flight(
        &path,
        &client,
        &ids[..1],
        SystemTime::now() - Duration::from_secs(5),
    );
    let mut opts = options(&path);
    opts.verify_unknown = None;
    let targets = ids.iter().map(|d| Target::device(d).unwrap()).collect();
    let out = run(&client, targets, opts).await;
    assert_eq!(out[&ids[0]], "OUTCOME_UNKNOWN");
    assert_eq!(gets(&emu, &ids[0]), 0, "looked although told not to");
    assert_eq!(common::posts(&emu, &ids[0]), 0);
    assert_eq!(out[&ids[1]], "ok", "the rest of the job runs");
}

/// When resume cannot read a device (the app lacks Read.All), the outcome says so and names the permission, instead
/// of pointing only at the unsafe `resend_unconfirmed`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_without_the_read_permission_says_why_it_could_not_check() {
    let mut tenant = graph_emulator::Tenant::generate(7, 50);
    tenant.apps[0].read = Some(false);
    let emu = common::emulator_with(graph_emulator::EmulatorConfig {
        tenant: Some(tenant),
        ..graph_emulator::EmulatorConfig::default()
    })
    .await;
    let client = Client::builder()
        .base_url(&emu.graph_url)
        .authority_url(&emu.authority_url)
        .client_secret(&emu.tenant_id, &emu.client_id, emu.client_secret.as_str())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let path = common::temp_dir("no-read").join("job.jsonl");
    let id = common::resettable_devices(&emu).remove(0);
    journal_in_flight(
        &path,
        &client,
        std::slice::from_ref(&id),
        SystemTime::now() - Duration::from_secs(5),
    );
    let mut stream = client
        .reset_passcodes(vec![Target::device(&id).unwrap()], options(&path))
        .unwrap();
    let (_, r) = stream.next().await.unwrap();
    let e = r.unwrap_err();
    assert_eq!(e.code(), "OUTCOME_UNKNOWN");
    let text = e.to_string();
    assert!(
        text.contains("DeviceManagementManagedDevices.Read.All") && text.contains("grant it"),
        "{text}"
    );
    assert_eq!(common::posts(&emu, &id), 0);
}

/// A record read before a request left can never confirm that request: resume reads a colleague's reset (older than
/// our crashed request by more than the margin), then `resend_unconfirmed` sends again and the answer is lost (a 504
/// that never ran). The colleague's record, seconds older, must not pass for the new request's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_read_before_sending_never_confirms_the_request_sent_after() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let path = common::temp_dir("seen-before").join("job.jsonl");
    let id = common::resettable_devices(&emu).remove(0);
    // A colleague's portal reset, just now.
    client
        .reset_passcode(&Target::device(&id).unwrap())
        .await
        .unwrap();
    // Our crashed request, stamped after it by more than the margin: the colleague's record is not ours.
    journal_in_flight(
        &path,
        &client,
        std::slice::from_ref(&id),
        SystemTime::now() + intune_passcode::CLOCK_MARGIN + Duration::from_secs(1),
    );
    emu.script(
        &id,
        vec![ScriptedResponse {
            method: Some("POST".into()),
            ..common::answer(504, &[], None)
        }],
    );
    let opts = options(&path).resend_unconfirmed(true);
    let out = run(&client, vec![Target::device(&id).unwrap()], opts).await;
    assert_eq!(emu.reset_count(&id), 1, "the 504 did not run");
    assert_eq!(
        out[&id], "OUTCOME_UNKNOWN",
        "the colleague's record, read before sending, confirmed the new request"
    );
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.records().next().unwrap().state, DeviceState::Unknown);
}

/// Outcomes with the job that holds each: `(code, held_by)`.
async fn run_held(
    client: &Client,
    ids: &[String],
    opts: BulkOptions,
) -> HashMap<String, (String, Option<String>)> {
    let targets: Vec<Target> = ids.iter().map(|d| Target::device(d).unwrap()).collect();
    let mut stream = client.reset_passcodes(targets, opts).unwrap();
    let mut out = HashMap::new();
    while let Some((t, r)) = stream.next().await {
        let v = match r {
            Ok(r) => ("ok".to_string(), r.held_by),
            Err(e) => (e.code().to_string(), e.held_by().map(str::to_string)),
        };
        out.insert(t.device_id().to_string(), v);
    }
    out
}

/// A changed input is a new job, and it knows the old one: `A B C` then `A B C D` resets D alone, so does the same
/// list through Graph's beta version, and a device the first job left unknown is not sent by the second either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_job_does_not_reset_what_another_job_reset_recently() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let dir = common::temp_dir("across");
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(5)
        .collect();
    let (abc, d, lost) = (&ids[..3], &ids[3], &ids[4]);
    // Job 1: A B C reset; `lost` sent and its answer lost (a 504 that never ran), left unknown.
    emu.script(lost, vec![common::answer(504, &[], None)]);
    let mut first = abc.to_vec();
    first.push(lost.clone());
    let mut opts = options(&dir.join("job-1.jsonl"));
    opts.verify_unknown = None;
    let out = run_held(&client, &first, opts).await;
    assert_eq!(out[lost].0, "OUTCOME_UNKNOWN");

    // Job 2: the same devices and D, in another order.
    let mut second = vec![d.clone(), lost.clone()];
    second.extend(abc.iter().rev().cloned());
    let out = run_held(&client, &second, options(&dir.join("job-2.jsonl"))).await;
    for id in abc {
        assert_eq!(out[id], ("ok".into(), Some("job-1".into())), "{id}");
        assert_eq!(
            common::posts(&emu, id),
            1,
            "{id} reset again by a changed input"
        );
    }
    assert_eq!(out[lost], ("OUTCOME_UNKNOWN".into(), Some("job-1".into())));
    assert_eq!(
        common::posts(&emu, lost),
        1,
        "an unknown held by another job is not resent"
    );
    assert_eq!(out[d], ("ok".into(), None));
    assert_eq!(common::posts(&emu, d), 1);

    // Job 3: Graph's beta version of the same Graph, D alone: held by job 2 now.
    let beta = common::builder(&emu)
        .base_url(emu.graph_url.replace("/v1.0", "/beta"))
        .build()
        .unwrap();
    let out = run_held(
        &beta,
        std::slice::from_ref(d),
        options(&dir.join("job-3.jsonl")),
    )
    .await;
    assert_eq!(out[d], ("ok".into(), Some("job-2".into())));
    assert_eq!(common::posts(&emu, d), 1);
    // The journal of job 2 keeps who held what.
    let j = Journal::open(dir.join("job-2.jsonl")).unwrap();
    let held: Vec<_> = j.records().filter(|r| r.held_by.is_some()).collect();
    assert_eq!(held.len(), 4);

    // The explicit override: no window, the devices are reset again.
    let again = options(&dir.join("job-4.jsonl")).recent(None);
    let out = run_held(&client, std::slice::from_ref(d), again).await;
    assert_eq!(out[d], ("ok".into(), None));
    assert_eq!(common::posts(&emu, d), 2);
}

/// The window and the tenant: a reset older than the window, or in another tenant's journal, does not hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_resets_and_other_tenants_do_not_hold_a_device() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let dir = common::temp_dir("window");
    let ids: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(3)
        .collect();
    let line = |v: serde_json::Value| format!("{v}\n");
    let journal = |name: &str, tenant: serde_json::Value, id: &str, sent: SystemTime| {
        let sent = intune_passcode::format_time(sent);
        let mut text = line(
            serde_json::json!({"event": "header", "format": 1, "job_id": name, "graph_base": client.graph_base(),
            "tenant_id": tenant, "api_version": "v1.0", "created_at": sent, "library": "0.1.0"}),
        );
        text += &line(
            serde_json::json!({"event": "planned", "device_id": id, "user_id": null, "detected_app_id": null}),
        );
        text += &line(
            serde_json::json!({"event": "result", "device_id": id, "ok": true, "code": null,
            "status": 204, "request_id": "r", "client_request_id": "c", "confirmed_by": "response",
            "sent_at": sent, "at": sent}),
        );
        std::fs::write(dir.join(format!("{name}.jsonl")), text).unwrap();
    };
    let day = Duration::from_secs(86_400);
    journal(
        "old",
        serde_json::Value::Null,
        &ids[0],
        SystemTime::now() - 8 * day,
    );
    journal("other-tenant", "t-other".into(), &ids[1], SystemTime::now());
    journal(
        "recent",
        serde_json::Value::Null,
        &ids[2],
        SystemTime::now() - 6 * day,
    );
    let out = run_held(&client, &ids, options(&dir.join("new.jsonl"))).await;
    assert_eq!(
        out[&ids[0]],
        ("ok".into(), None),
        "8 days old: outside the window"
    );
    assert_eq!(out[&ids[2]], ("ok".into(), Some("recent".into())));
    assert_eq!(common::posts(&emu, &ids[2]), 0);
    // Our tenant is unknown (a bare token): another tenant's journal still holds, when in doubt.
    assert_eq!(out[&ids[1]], ("ok".into(), Some("other-tenant".into())));
    // Our tenant known and different: not held. A 10-day window brings the old one in.
    std::fs::remove_file(dir.join("new.jsonl")).unwrap();
    let with_tenant = common::builder(&emu)
        .client_secret(&emu.tenant_id, &emu.client_id, emu.client_secret.as_str())
        .build()
        .unwrap();
    let opts = options(&dir.join("newer.jsonl")).recent(Some(10 * day));
    let out = run_held(&with_tenant, &ids[..2], opts).await;
    assert_eq!(out[&ids[0]], ("ok".into(), Some("old".into())));
    assert_eq!(
        out[&ids[1]],
        ("ok".into(), None),
        "another tenant's journal does not hold"
    );
    assert_eq!(common::posts(&emu, &ids[1]), 1);
}
