//! Reading resets back from the emulator as Graph keeps them: the record's states per platform, the passcode as a
//! secret, the read permission, confirming a lost answer against the ledger, and bulk runs that settle their
//! unknown outcomes without ever resending.

mod common;

use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use graph_emulator::{ActionConfig, EmulatorConfig, EmulatorHandle, FaultConfig};
use intune_passcode::{
    ActionState, BulkOptions, Client, Confirmation, ConfirmedBy, ErrorKind, Pace, Target,
};

fn sample(emu: &EmulatorHandle, key: &str) -> Target {
    Target::device(emu.samples[key].as_str()).unwrap()
}

fn app_client(emu: &EmulatorHandle, client_id: &str, secret: &str) -> Client {
    Client::builder()
        .base_url(&emu.graph_url)
        .authority_url(&emu.authority_url)
        .client_secret(&emu.tenant_id, client_id, secret)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_platform_ends_as_intune_says_and_only_android_has_a_passcode() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let wait = Duration::from_secs(10);

    let android = sample(&emu, "device_id");
    assert_eq!(client.reset_status(&android).await.unwrap(), None);
    let r = client.reset_passcode(&android).await.unwrap();
    assert_eq!(r.confirmed_by, ConfirmedBy::Response);
    let pending = client.reset_status(&android).await.unwrap().unwrap();
    assert_eq!(pending.state, ActionState::Pending);
    assert!(pending.passcode.is_none());
    let done = client
        .wait_for_reset(&android, r.sent_at, wait)
        .await
        .unwrap();
    assert_eq!(done.state, ActionState::Done);
    let passcode = done.passcode.clone().expect("Android gets a new passcode");
    assert_eq!(passcode.expose().len(), 8);
    assert!(!format!("{done:?}").contains(passcode.expose()));
    assert!(done.started_at + Duration::from_millis(1) > r.sent_at);

    let ios = sample(&emu, "ios_device_id");
    let r = client.reset_passcode(&ios).await.unwrap();
    let done = client.wait_for_reset(&ios, r.sent_at, wait).await.unwrap();
    assert_eq!((done.state, done.passcode), (ActionState::Done, None));

    let no_token = sample(&emu, "no_reset_token_device_id");
    let r = client.reset_passcode(&no_token).await.unwrap();
    let done = client
        .wait_for_reset(&no_token, r.sent_at, wait)
        .await
        .unwrap();
    assert_eq!(done.state, ActionState::NotSupported);

    let offline = sample(&emu, "offline_device_id");
    let r = client.reset_passcode(&offline).await.unwrap();
    let e = client
        .wait_for_reset(&offline, r.sent_at, Duration::from_millis(2500))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.message().contains("pending"), "{e}");

    // A second reset replaces the record: a new start and a new passcode.
    let r2 = client.reset_passcode(&android).await.unwrap();
    let again = client
        .wait_for_reset(&android, r2.sent_at, wait)
        .await
        .unwrap();
    assert!(again.started_at > done_started(&client, &ios).await);
    assert_ne!(again.passcode, Some(passcode));
}

async fn done_started(client: &Client, t: &Target) -> SystemTime {
    client.reset_status(t).await.unwrap().unwrap().started_at
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_needs_read_all_and_resetting_needs_privileged_operations() {
    let emu = common::emulator().await;
    let device = sample(&emu, "device_id");
    let reader = app_client(&emu, &emu.reader_client_id, &emu.reader_client_secret);
    assert_eq!(reader.reset_status(&device).await.unwrap(), None);
    let e = reader.reset_passcode(&device).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);

    let nobody = app_client(
        &emu,
        &emu.unprivileged_client_id,
        &emu.unprivileged_client_secret,
    );
    let e = nobody.reset_status(&device).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(
        e.message()
            .contains("DeviceManagementManagedDevices.Read.All"),
        "{e}"
    );
    assert!(e.message().contains("nothing about whether the reset ran"));
    assert_eq!(emu.stats()["executed"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_reads_as_graph_does() {
    let emu = common::emulator().await;
    let http = reqwest::Client::new();
    let auth = format!("Bearer {}", emu.token);
    let device = emu.samples["device_id"].clone();
    let base = &emu.graph_url;
    let get = |path: String| {
        http.get(format!("{base}/{path}"))
            .header("Authorization", &auth)
            .send()
    };

    // One device by id, with $select; the list shows deviceActionResults empty even after a reset.
    let client = common::client(&emu);
    client
        .reset_passcode(&Target::device(&device).unwrap())
        .await
        .unwrap();
    let one: serde_json::Value = get(format!(
        "deviceManagement/managedDevices/{device}?$select=id,operatingSystem,deviceActionResults"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(one["operatingSystem"], "Android");
    assert!(one["@odata.context"].as_str().unwrap().ends_with("$entity"));
    assert_eq!(one["deviceActionResults"][0]["actionName"], "resetPasscode");
    assert_eq!(one["deviceActionResults"][0]["errorCode"], 0);
    assert!(one.get("userId").is_none(), "$select limits the properties");
    let list: serde_json::Value = get("deviceManagement/managedDevices".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == device.as_str())
        .unwrap();
    assert_eq!(listed["deviceActionResults"], serde_json::json!([]));
    // An unknown property gets Graph's 400.
    let bad = get(format!(
        "deviceManagement/managedDevices/{device}?$select=id,passcodeColor"
    ))
    .await
    .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("passcodeColor")
    );

    // The action takes no parameters: no body, or {} sent as JSON; anything else is a 400.
    let post = |body: &'static str, json: bool| {
        let mut req = http
            .post(format!(
                "{base}/deviceManagement/managedDevices/{device}/resetPasscode"
            ))
            .header("Authorization", &auth)
            .body(body);
        if json {
            req = req.header("Content-Type", "application/json");
        }
        req.send()
    };
    assert_eq!(post("{}", true).await.unwrap().status(), 204);
    assert_eq!(post("", false).await.unwrap().status(), 204);
    assert_eq!(
        post(r#"{"deviceIds":[]}"#, true).await.unwrap().status(),
        400
    );
    assert_eq!(post("{}", false).await.unwrap().status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_reset_agrees_with_the_ledger_and_never_resends() {
    let emu = common::emulator_with(EmulatorConfig {
        faults: FaultConfig::parse("504=1").unwrap(),
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let devices: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(20)
        .collect();
    let (mut accepted, mut not_seen) = (0, 0);
    for d in &devices {
        let t = Target::device(d).unwrap();
        let e = client.reset_passcode(&t).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
        let sent_at = e.sent_at().expect("a request was sent");
        match client
            .confirm_reset(&t, sent_at, Duration::from_millis(800))
            .await
            .unwrap()
        {
            Confirmation::Accepted(a) => {
                assert_eq!(emu.reset_count(d), 1, "{d}: confirmed but not executed");
                // Graph (and the emulator) keep milliseconds.
                assert!(a.started_at + Duration::from_millis(1) > sent_at);
                accepted += 1;
            }
            Confirmation::NotSeen { latest } => {
                assert_eq!(latest, None);
                assert_eq!(emu.reset_count(d), 0, "{d}: executed but not seen");
                not_seen += 1;
            }
        }
    }
    assert!(accepted > 0 && not_seen > 0, "{accepted} / {not_seen}");
    let posts = devices
        .iter()
        .flat_map(|d| emu.requests(d))
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, devices.len(), "a confirmation never resends");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_run_settles_unknowns_from_the_record_despite_lag_and_read_faults() {
    let emu = common::emulator_with(EmulatorConfig {
        faults: FaultConfig::parse("504=0.5,500=0.3,read_429=0.2,read_503=0.1,retry_after=0.05")
            .unwrap(),
        action: ActionConfig {
            lag: Duration::from_millis(800),
            lag_random: true,
            ..ActionConfig::default()
        },
        ..Default::default()
    })
    .await;
    let client = common::client(&emu);
    let devices: Vec<String> = common::resettable_devices(&emu)
        .into_iter()
        .take(120)
        .collect();
    let targets: Vec<Target> = devices.iter().map(|d| Target::device(d).unwrap()).collect();
    let options = BulkOptions {
        concurrency: 32,
        pace: Pace::Off,
        verify_unknown: Some(Duration::from_secs(4)),
        ..BulkOptions::default()
    };
    let mut stream = client.reset_passcodes(targets, options).unwrap();
    let (mut confirmed, mut unknown, mut ok) = (0, 0, 0);
    while let Some((t, outcome)) = stream.next().await {
        let executed = emu.reset_count(t.device_id());
        match outcome {
            Ok(r) if r.confirmed_by == ConfirmedBy::ActionResult => {
                assert_eq!(executed, 1, "confirmed but not executed");
                assert!(
                    matches!(r.status, 500 | 504),
                    "the status that came: {}",
                    r.status
                );
                assert!(r.action.is_some());
                confirmed += 1;
            }
            Ok(r) => {
                assert_eq!((executed, r.status), (1, 204));
                ok += 1;
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
                assert_eq!(
                    executed, 0,
                    "executed, lag below the window, yet left unknown: {e}"
                );
                assert!(e.message().contains("action record"), "{e}");
                unknown += 1;
            }
        }
    }
    assert_eq!(confirmed + unknown + ok, devices.len());
    assert!(
        confirmed > 0 && unknown > 0,
        "{confirmed} confirmed, {unknown} unknown"
    );
    let posts = devices
        .iter()
        .flat_map(|d| emu.requests(d))
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, devices.len(), "verification never resends");
    let faults = &emu.stats()["faults"];
    assert!(faults["read_429"].as_u64().unwrap_or(0) > 0, "{faults}");
}
