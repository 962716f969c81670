//! Shared helpers for the integration tests: an in-process emulator and clients pointed at it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use graph_emulator::{Emulator, EmulatorConfig, EmulatorHandle, ScriptedResponse};
use intune_passcode::{Client, ClientBuilder, Target};

/// An emulator with the test defaults (no throttling, no faults, 3,000 devices).
pub async fn emulator() -> EmulatorHandle {
    emulator_with(EmulatorConfig::default()).await
}

/// An emulator with these settings.
pub async fn emulator_with(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).await.expect("emulator starts")
}

/// A builder pointed at the emulator with its long-lived token and a 20 s deadline (the default retry policy).
pub fn builder(emu: &EmulatorHandle) -> ClientBuilder {
    Client::builder()
        .base_url(&emu.graph_url)
        .authority_url(&emu.authority_url)
        .token(emu.token.as_str())
        .timeout(Duration::from_secs(20))
}

/// A built client with the emulator's token.
pub fn client(emu: &EmulatorHandle) -> Client {
    builder(emu).build().expect("client builds")
}

/// A scripted answer.
pub fn answer(
    status: u16,
    headers: &[(&str, &str)],
    body: Option<serde_json::Value>,
) -> ScriptedResponse {
    ScriptedResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body,
        ..ScriptedResponse::default()
    }
}

/// The resets (POSTs) the emulator received for a device.
pub fn posts(emu: &EmulatorHandle, id: &str) -> usize {
    emu.requests(id)
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

/// IDs of generated devices whose platform supports the reset.
pub fn resettable_devices(emu: &EmulatorHandle) -> Vec<String> {
    devices_where(emu, |d| {
        !matches!(d["platform"].as_str(), Some("windows") | Some("macOS"))
    })
}

/// IDs of generated devices matching `pred`.
pub fn devices_where(
    emu: &EmulatorHandle,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> Vec<String> {
    emu.devices()
        .as_array()
        .expect("device list")
        .iter()
        .filter(|d| pred(d))
        .map(|d| d["id"].as_str().expect("id").to_string())
        .collect()
}

/// A new empty folder under the system's temp folder, unique to this process and call (`name` says which test).
pub fn temp_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("ipc-test-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

/// Graph requests the emulator has received (token and control requests not counted).
pub fn graph_requests(emu: &EmulatorHandle) -> u64 {
    emu.stats()["requests"].as_u64().expect("stats.requests")
}

/// Reset the sample device with `client` and check that the emulator executed exactly that one reset.
pub async fn resets_sample(emu: &EmulatorHandle, client: &Client) {
    let id = &emu.samples["device_id"];
    let before = emu.reset_count(id);
    client
        .reset_passcode(&Target::device(id).expect("sample ID"))
        .await
        .expect("the reset succeeds");
    assert_eq!(emu.reset_count(id), before + 1);
}
