//! The in-process fixture the bindings ship: a background emulator's ledger, scripting and settings, and what stopping
//! it releases.

use std::io::{Read, Write};
use std::net::TcpStream;

use graph_emulator::{
    BackgroundEmulator, EmulatorConfig, FaultConfig, ScriptedResponse, ThrottleConfig,
};

fn small() -> EmulatorConfig {
    EmulatorConfig {
        devices: 40,
        ..EmulatorConfig::default()
    }
}

/// `POST` a reset with plain HTTP/1.1 (no client library: this tests the emulator, not a client); the status.
fn reset(emu: &BackgroundEmulator, path: &str) -> u16 {
    let addr = emu.base_url.trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&addr).expect("connects");
    write!(
        s,
        "POST /v1.0{path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nAccept: application/json\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n",
        emu.token
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn records_each_reset_with_its_route_and_names_devices_reset_twice() {
    let emu = BackgroundEmulator::start(small()).expect("starts");
    let device = emu.samples["device_id"].clone();
    let user = emu.samples["user_id"].clone();
    assert!(emu.devices_reset_twice().is_empty());
    assert_eq!(emu.reset_twice_report(), None);
    assert_eq!(
        reset(
            &emu,
            &format!("/deviceManagement/managedDevices/{device}/resetPasscode")
        ),
        204
    );
    assert_eq!(emu.devices_reset_twice(), vec![]);
    assert_eq!(
        reset(
            &emu,
            &format!("/users/{user}/managedDevices/{device}/resetPasscode")
        ),
        204
    );
    let resets = emu.resets();
    assert_eq!(resets.len(), 2);
    assert_eq!(resets[0]["route"], "device");
    assert_eq!(resets[1]["route"], "user");
    assert_eq!(resets[1]["device_id"], device.as_str());
    assert!(resets[0]["at_ms"].as_u64() <= resets[1]["at_ms"].as_u64());
    assert_eq!(emu.devices_reset_twice(), vec![(device.clone(), 2)]);
    assert_eq!(
        emu.reset_twice_report(),
        Some(format!(
            "1 devices were reset more than once: {device} (2 times)"
        ))
    );
    assert_eq!(emu.reset_count(&device), 2);
}

#[test]
fn scripts_one_device_and_filters_devices_by_platform() {
    let emu = BackgroundEmulator::start(small()).expect("starts");
    let device = emu.samples["device_id"].clone();
    emu.script(
        &device,
        vec![ScriptedResponse {
            status: 504,
            ..Default::default()
        }],
    );
    let path = format!("/deviceManagement/managedDevices/{device}/resetPasscode");
    assert_eq!(reset(&emu, &path), 504);
    assert_eq!(emu.reset_count(&device), 0, "a scripted 504 does not run");
    assert_eq!(reset(&emu, &path), 204, "then normal behaviour resumes");
    let refused = emu.script_json(&device, r#"[{"status": 429}, {"status": 42}]"#);
    assert!(refused.unwrap_err().contains("42 is not a status"));
    assert_eq!(reset(&emu, &path), 204, "a refused script queues nothing");
    let refused = emu.script_json(&device, r#"[{"status": 0, "fault": "drop"}]"#);
    assert!(refused.unwrap_err().contains("unknown fault \"drop\""));
    // A connection fault's status is never sent, so the vectors write 0 there.
    emu.script_json(&device, r#"[{"status": 0, "fault": "reset_before"}]"#)
        .expect("a connection fault needs no status");
    assert_eq!(emu.reset_count(&device), 2);
    let windows = emu.devices_of(Some("WINDOWS"));
    assert!(!windows.is_empty());
    assert!(windows.iter().all(|d| d["platform"] == "windows"));
    assert_eq!(emu.devices_of(None).len(), 40);
}

#[test]
fn takes_devices_offline_and_back() {
    let emu = BackgroundEmulator::start(small()).expect("starts");
    let device = emu.samples["device_id"].clone();
    let offline = |emu: &BackgroundEmulator| {
        emu.devices_of(None)
            .into_iter()
            .find(|d| d["id"] == device.as_str())
            .map(|d| d["offline"].clone())
    };
    assert_eq!(offline(&emu), Some(false.into()));
    assert!(emu.set_offline(&device, true));
    assert_eq!(offline(&emu), Some(true.into()));
    assert!(emu.set_offline(&device, false));
    assert!(!emu.set_offline("no-such-device", true));
}

#[test]
fn gives_the_environment_of_a_secret_credential() {
    let emu = BackgroundEmulator::start(small()).expect("starts");
    let env: std::collections::HashMap<_, _> = emu.env().into_iter().collect();
    assert_eq!(env["AZURE_TENANT_ID"], emu.tenant_id);
    assert_eq!(env["AZURE_CLIENT_ID"], emu.client_id);
    assert_eq!(env["AZURE_CLIENT_SECRET"], emu.client_secret);
    assert_eq!(env["AZURE_AUTHORITY_HOST"], emu.authority_url);
}

#[test]
fn stopping_releases_the_port_and_removes_its_files() {
    let emu = BackgroundEmulator::start(small()).expect("starts");
    let port: u16 = emu.base_url.rsplit(':').next().unwrap().parse().unwrap();
    let pem = emu.certificates.client_certificate_pem.clone();
    assert!(std::path::Path::new(&pem).exists());
    emu.stop();
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
    assert!(
        !std::path::Path::new(&pem).exists(),
        "its certificate files are removed"
    );
}

#[test]
fn two_emulators_share_nothing() {
    let a = BackgroundEmulator::start(small()).expect("starts");
    let b = BackgroundEmulator::start(small()).expect("starts");
    assert_ne!(a.base_url, b.base_url);
    let device = a.samples["device_id"].clone();
    assert_eq!(
        reset(
            &a,
            &format!("/deviceManagement/managedDevices/{device}/resetPasscode")
        ),
        204
    );
    assert_eq!(a.reset_count(&device), 1);
    assert_eq!(b.reset_count(&device), 0);
    assert!(b.resets().is_empty());
}

#[test]
fn bad_settings_are_refused_and_start_nothing() {
    let refused = |c: EmulatorConfig| BackgroundEmulator::start(c).err().expect("refused");
    assert!(
        refused(EmulatorConfig {
            devices: 0,
            ..small()
        })
        .contains("devices must be from 1")
    );
    let unknown = FaultConfig::from_pairs([("430", 0.1)]).unwrap_err();
    assert!(
        unknown.contains("unknown fault '430'") && unknown.contains("stale_504"),
        "{unknown}"
    );
    assert!(
        FaultConfig::from_pairs([("429", 1.5)])
            .unwrap_err()
            .contains("from 0 to 1")
    );
    assert!(FaultConfig::from_pairs([("429", -0.1)]).is_err());
    assert!(FaultConfig::from_pairs([("429", f64::NAN)]).is_err());
    assert!(FaultConfig::from_pairs([("429", 0.6), ("504", 0.6)]).is_err());
    assert!(FaultConfig::from_pairs([("504", 1.0)]).is_ok());
    assert!(ThrottleConfig::parse("sometimes").is_err());
    assert_eq!(
        ThrottleConfig::parse("intune").unwrap(),
        Some(ThrottleConfig::intune())
    );
    assert!(ThrottleConfig::per_window(0, 1.0).is_err());
    assert!(ThrottleConfig::per_window(10, 0.0).is_err());
    assert!(ThrottleConfig::per_window(10, f64::INFINITY).is_err());
    assert_eq!(
        ThrottleConfig::per_window(10, 2.0).unwrap().tenant_limit,
        20
    );
}
