//! The three routes against the emulator's real tenant, the request as Graph sees it, TLS and API versions.

mod common;

use graph_emulator::EmulatorConfig;
use intune_passcode::{ErrorKind, Target};

#[tokio::test]
async fn three_routes_reset_real_devices_once_each() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let s = &emu.samples;
    let device = &s["device_id"];
    let r = client
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status, 204);
    assert_eq!(r.attempts, 1);
    assert!(r.request_id.is_some() && r.date.is_some() && r.ags_diagnostic.is_some());
    assert_eq!(emu.reset_count(device), 1);

    let r = client
        .reset_passcode(&Target::user_device(&s["user_id"], device).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status, 204);
    assert_eq!(emu.reset_count(device), 2);

    let app_device = &s["detected_app_device_id"];
    let before = emu.reset_count(app_device);
    client
        .reset_passcode(&Target::detected_app_device(&s["detected_app_id"], app_device).unwrap())
        .await
        .unwrap();
    assert_eq!(emu.reset_count(app_device), before + 1);
}

#[tokio::test]
async fn the_request_is_what_graph_expects() {
    let emu = common::emulator().await;
    let client = common::builder(&emu)
        .user_agent_suffix("rust-tests")
        .build()
        .unwrap();
    let device = &emu.samples["device_id"];
    let r = client
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap();
    let seen = emu.requests(device);
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.body_len, 0);
    assert_eq!(req.headers["authorization"], "Bearer ***");
    assert_eq!(req.headers["accept"], "application/json");
    assert_eq!(req.headers["content-length"], "0");
    assert_eq!(req.headers["client-request-id"], r.client_request_id);
    assert!(uuid_like(&r.client_request_id), "{}", r.client_request_id);
    assert!(!req.headers.contains_key("retry-attempt"));
    let ua = &req.headers["user-agent"];
    assert!(
        ua.starts_with(&format!("intune-passcode/{}", intune_passcode::VERSION))
            && ua.ends_with("(rust-tests)"),
        "{ua}"
    );
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

#[tokio::test]
async fn wrong_owner_or_unknown_ids_are_not_found_and_nothing_runs() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let device = &emu.samples["device_id"];
    for target in [
        Target::device("no-such-device").unwrap(),
        Target::user_device("no-such-user", device).unwrap(),
        Target::detected_app_device("no-such-app", device).unwrap(),
    ] {
        let e = client.reset_passcode(&target).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{target:?}: {e}");
        assert_eq!(e.graph_code(), Some("ResourceNotFound"));
        assert!(e.request_id().is_some());
    }
    assert_eq!(emu.reset_count(device), 0);
}

#[tokio::test]
async fn unsupported_platforms_get_the_intune_envelope() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let windows = &emu.samples["windows_device_id"];
    let e = client
        .reset_passcode(&Target::device(windows).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnsupportedDevice, "{e}");
    let env = e.intune().expect("envelope parsed");
    assert_eq!(env.version, Some(3));
    assert!(env.activity_id.is_some() && env.operation_id.is_some());
    assert!(e.to_string().contains("not supported on windows"), "{e}");
    // iOS: the same call removes the passcode.
    let ios = &emu.samples["ios_device_id"];
    client
        .reset_passcode(&Target::device(ios).unwrap())
        .await
        .unwrap();
    assert_eq!(emu.reset_count(ios), 1);
}

#[tokio::test]
async fn hostile_ids_stay_in_their_segment() {
    let emu = common::emulator().await;
    let client = common::client(&emu);
    let id = "../../users/x?$filter=1#frag %2F+é";
    let e = client
        .reset_passcode(&Target::device(id).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let seen = emu.requests(id);
    assert_eq!(seen.len(), 1, "the emulator decoded the same ID back");
    assert_eq!(
        seen[0].path,
        "/v1.0/deviceManagement/managedDevices/..%2F..%2Fusers%2Fx%3F%24filter%3D1%23frag%20%252F%2B%C3%A9/resetPasscode"
    );
}

#[tokio::test]
async fn beta_and_https_with_an_extra_ca() {
    let emu = common::emulator_with(EmulatorConfig {
        tls: true,
        ..EmulatorConfig::default()
    })
    .await;
    let pem = emu.ca_cert_pem.clone().expect("CA");
    let beta = emu.graph_url.replace("/v1.0", "/beta");
    let client = common::builder(&emu)
        .base_url(&beta)
        .ca_cert_pem(pem)
        .build()
        .unwrap();
    let device = &emu.samples["device_id"];
    client
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap();
    assert!(emu.requests(device)[0].path.starts_with("/beta/"));

    // Without the CA the TLS handshake fails: nothing was sent.
    let untrusting = common::builder(&emu).max_retries(0).build().unwrap();
    let e = untrusting
        .reset_passcode(&Target::device(device).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert_eq!(emu.reset_count(device), 1);
}
