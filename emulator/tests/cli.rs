//! The `graph-emulator` binary: its ready line, and clear refusals of bad flags and tenant files.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_graph-emulator");

fn refused(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().expect("runs");
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(out.stdout.is_empty(), "no ready line on failure");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_flags_and_files_exit_non_zero_with_a_message() {
    assert!(refused(&["--bogus"]).contains("unknown argument '--bogus'"));
    assert!(refused(&["--port"]).contains("--port needs a value"));
    assert!(refused(&["--port", "70000"]).contains("--port"));
    assert!(refused(&["--throttle", "sometimes"]).contains("--throttle"));
    assert!(refused(&["--faults", "429=2"]).contains("not a rate"));
    assert!(refused(&["--devices", "0"]).contains("--devices"));
    assert!(
        refused(&["--tenant", "/nonexistent/tenant.json"]).contains("/nonexistent/tenant.json")
    );
    let dir = std::env::temp_dir().join(format!("emu-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    assert!(refused(&["--tenant", bad.to_str().unwrap()]).contains("not valid"));
}

#[test]
fn prints_a_ready_line_and_serves_a_tenant_file() {
    let dir = std::env::temp_dir().join(format!("emu-cli-ok-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tenant.json");
    std::fs::write(
        &file,
        r#"{"tenant_id":"t-1","apps":[{"client_id":"c-1","client_secret":"s-1","privileged":true}],
            "devices":[{"id":"dev-1","userId":"u-1","platform":"aosp","detectedAppIds":["app-1"]}]}"#,
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--tenant", file.to_str().unwrap(), "--tls"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let ready: serde_json::Value = serde_json::from_str(&line).expect("the first line is JSON");
    for key in [
        "graph_url",
        "authority_url",
        "ca_cert",
        "tenant_id",
        "client_id",
        "client_secret",
        "unprivileged_client_id",
        "unprivileged_client_secret",
    ] {
        assert!(ready.get(key).is_some(), "{key} missing from {line}");
    }
    assert_eq!(ready["tenant_id"], "t-1");
    assert_eq!(ready["client_id"], "c-1");
    assert!(
        ready["graph_url"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:")
    );
    assert!(ready["graph_url"].as_str().unwrap().ends_with("/v1.0"));
    let ca = ready["ca_cert"].as_str().unwrap();
    assert!(
        std::fs::read_to_string(ca)
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    assert_eq!(
        ready["samples"]["device_id"],
        serde_json::Value::Null,
        "aosp is not an android* sample"
    );
}
