//! Builds the C11 and C++17 test programs against libintune_passcode (shared and static) and runs them against
//! the in-process emulator: the shared vectors, hostile input, bulk, threads, error fields, and once under valgrind.
//! Needs `cargo build -p intune-passcode-c` first (make test does it) for the .so and .a.

use std::path::{Path, PathBuf};
use std::process::Command;

use graph_emulator::{Emulator, EmulatorConfig, EmulatorHandle, vectors};
use serde_json::Value;

/// target/debug (or wherever this test binary lives).
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compile `source` with `compiler` and `std`; `link` picks the shared or static library.
fn compile(compiler: &str, std: &str, source: &str, out: &Path, link_static: bool) {
    let lib = lib_dir();
    let so = lib.join("libintune_passcode.so");
    let a = lib.join("libintune_passcode.a");
    assert!(
        so.exists() && a.exists(),
        "{} and .a are missing: run `cargo build -p intune-passcode-c`",
        so.display()
    );
    let mut cmd = Command::new(compiler);
    cmd.args([std, "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(crate_dir().join("tests").join(source))
        .arg("-o")
        .arg(out);
    if link_static {
        cmd.arg(&a).args(["-lpthread", "-ldl", "-lm"]);
    } else {
        cmd.arg("-L")
            .arg(&lib)
            .arg("-lintune_passcode")
            .arg("-lpthread");
        cmd.arg(format!("-Wl,-rpath,{}", lib.display()));
    }
    let status = cmd.status().expect("the compiler runs");
    assert!(status.success(), "{compiler} {source} failed");
}

/// Compile the C11 test program with AddressSanitizer and UndefinedBehaviorSanitizer, linked to the static
/// library (the Rust side is not instrumented; ASan still checks every allocation it makes through malloc).
fn compile_sanitized(out: &Path) {
    let mut cmd = Command::new("cc");
    cmd.args([
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-g",
        "-O1",
        "-fno-omit-frame-pointer",
        "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all",
    ])
    .arg("-I")
    .arg(crate_dir().join("include"))
    .arg(crate_dir().join("tests").join("test_c.c"))
    .arg("-o")
    .arg(out)
    .arg(lib_dir().join("libintune_passcode.a"))
    .args(["-lpthread", "-ldl", "-lm"]);
    let status = cmd.status().expect("the compiler runs");
    assert!(status.success(), "cc -fsanitize=address,undefined failed");
}

/// Run a program; returns (exit ok, stdout, stderr).
async fn run(
    program: &Path,
    args: Vec<String>,
    under: Option<Vec<String>>,
) -> (bool, String, String) {
    run_with_env(program, args, under, Vec::new()).await
}

/// Run a program with extra environment variables; returns (exit ok, stdout, stderr).
async fn run_with_env(
    program: &Path,
    args: Vec<String>,
    under: Option<Vec<String>>,
    env: Vec<(&'static str, String)>,
) -> (bool, String, String) {
    let program = program.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut cmd = match &under {
            Some(wrapper) => {
                let mut c = Command::new(&wrapper[0]);
                c.args(&wrapper[1..]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let out = cmd
            .args(&args)
            .envs(env)
            .output()
            .expect("the program runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .expect("join")
}

fn ids_file(dir: &Path, name: &str, ids: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, ids.join("\n") + "\n").expect("write ids");
    path.display().to_string()
}

fn resettable(emu: &EmulatorHandle) -> Vec<String> {
    emu.devices()
        .as_array()
        .expect("devices")
        .iter()
        .filter(|d| !matches!(d["platform"].as_str(), Some("windows") | Some("macOS")))
        .map(|d| d["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_c_and_cpp_programs_pass_against_the_emulator() {
    let dir = std::env::temp_dir().join(format!("ipc-c-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shared = dir.join("test_c");
    let statik = dir.join("test_c_static");
    let cpp = dir.join("test_cpp");
    compile("cc", "-std=c11", "test_c.c", &shared, false);
    compile("cc", "-std=c11", "test_c.c", &statik, true);
    compile("c++", "-std=c++17", "test_cpp.cpp", &cpp, false);

    let emu = Emulator::start(EmulatorConfig {
        devices: 9000,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = emu.graph_url.clone();
    let token = emu.token.clone();

    // Shared vectors, through the shared library.
    let all = vectors::load(&crate_dir().join("../tests/vectors")).unwrap();
    assert_eq!(all.len(), 40, "the shared vectors");
    let mut failures = Vec::new();
    for v in &all {
        assert!(
            !v.device_id().contains('\0'),
            "{}: argv cannot carry a NUL",
            v.file
        );
        v.script(&emu).unwrap();
        let args = vec![
            "vector".into(),
            url.clone(),
            token.clone(),
            v.device_id(),
            v.user_id().unwrap_or_else(|| "-".into()),
            v.detected_app_id().unwrap_or_else(|| "-".into()),
            v.max_retries().to_string(),
            v.timeout_ms().to_string(),
            v.call(),
            v.sent_at()
                .and_then(|t| ipc_core::parse_time(&t))
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_millis())
                .to_string(),
            v.within_ms().to_string(),
        ];
        let (ok, out, err) = run(&shared, args, None).await;
        let observed: Value = match serde_json::from_str(out.trim()) {
            Ok(v) if ok => v,
            _ => {
                failures.push(format!("{}: program failed: {out} {err}", v.file));
                continue;
            }
        };
        // Measured inside the program, around the call alone.
        let Some(elapsed) = observed["elapsed_ms"].as_u64() else {
            failures.push(format!("{}: no elapsed_ms in {out}", v.file));
            continue;
        };
        if let Err(why) = v.check(&observed, &emu, elapsed) {
            failures.push(format!("{}: {why}", v.file));
        }
    }
    assert!(
        failures.is_empty(),
        "failing vectors in C:\n{}",
        failures.join("\n")
    );

    // Hostile input, both link kinds.
    for program in [&shared, &statik] {
        let (ok, _, err) = run(program, vec!["hostile".into()], None).await;
        assert!(ok, "hostile checks failed: {err}");
    }

    // Error cases with their fields.
    let error_args = vec![
        "errors".into(),
        url.clone(),
        token.clone(),
        emu.authority_url.clone(),
        emu.tenant_id.clone(),
        emu.client_id.clone(),
    ];
    let (ok, _, err) = run(&shared, error_args.clone(), None).await;
    assert!(ok, "error checks failed: {err}");

    // Every credential kind, and the bad ones, in C (the executed count proves each reset ran).
    let c = &emu.certificates;
    let fixtures = crate_dir().join("../tests/fixtures/credentials");
    // Devices at the end of the tenant: the bulk run below takes the first 5,000, the others take unreset ones.
    let cred_devices: Vec<String> = resettable(&emu).into_iter().rev().take(7).collect();
    let credential_args = vec![
        "credentials".into(),
        url.clone(),
        emu.authority_url.clone(),
        emu.tenant_id.clone(),
        emu.client_id.clone(),
        c.client_certificate_pem.clone(),
        c.client_certificate_pfx.clone(),
        c.client_certificate_password.clone(),
        c.expired_client_certificate_pem.clone(),
        fixtures.join("encrypted.pem").display().to_string(),
        emu.base_url.clone(),
        c.identity_endpoint.clone(),
        c.identity_header.clone(),
        c.federated_token_file.clone(),
        ids_file(&dir, "credentials.txt", &cred_devices),
    ];
    let (ok, _, err) = run(&shared, credential_args, None).await;
    assert!(ok, "credential checks failed: {err}");
    assert!(
        cred_devices.iter().all(|d| emu.reset_count(d) == 1),
        "seven credentials each reset their device once"
    );

    // Secrets audit: every error path at RUST_LOG=trace; no token or client secret in any byte of output.
    emu.script(
        "secrets-429",
        vec![
            serde_json::from_value(
                serde_json::json!({"status": 429, "headers": {"Retry-After": "0.01"}})
            )
            .unwrap();
            2
        ],
    );
    let (fake_token, fake_secret) = (
        "eyJFAKE-TOKEN-f00dfeed-5ecret-b0dy",
        "CLIENT-SECRET-d00d-c0ffee-5ecret",
    );
    let secrets_args = vec![
        "secrets".into(),
        url.clone(),
        token.clone(),
        emu.authority_url.clone(),
        emu.tenant_id.clone(),
        emu.client_id.clone(),
        emu.client_secret.clone(),
        emu.unprivileged_client_id.clone(),
        emu.unprivileged_client_secret.clone(),
        fake_token.into(),
        fake_secret.into(),
        emu.samples["device_id"].clone(),
    ];
    let (ok, out, err) = run_with_env(
        &shared,
        secrets_args,
        None,
        vec![("RUST_LOG", "trace".into())],
    )
    .await;
    let all = format!("{out}{err}");
    assert!(ok, "secrets mode failed: {all}");
    for seen in [
        "404: NOT_FOUND",
        "403: PERMISSION_DENIED",
        "429: THROTTLED",
        "401: AUTHENTICATION",
        "wrong secret: CREDENTIAL",
        "invalid id: INVALID_ARGUMENT",
        "TRACE",
        "intune_passcode",
    ] {
        assert!(
            all.contains(seen),
            "{seen:?} not in the secrets run's output: {all}"
        );
    }
    for secret in [
        fake_token,
        fake_secret,
        token.as_str(),
        emu.client_secret.as_str(),
        emu.unprivileged_client_secret.as_str(),
    ] {
        assert!(
            !all.contains(secret),
            "a secret appears in the C output or logs"
        );
    }

    // Bulk: 5,000 IDs, one callback each, nobody reset twice.
    let all_ids: Vec<String> = emu
        .devices()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    let file = ids_file(&dir, "bulk.txt", &all_ids[..5000]);
    let (ok, out, err) = run(
        &statik,
        vec!["bulk".into(), url.clone(), token.clone(), file, "32".into()],
        None,
    )
    .await;
    assert!(ok, "bulk failed: {err}");
    let tally: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(tally["callbacks"], 5000);
    assert_eq!(tally["exactly_once"], 5000);
    let stats = emu.stats();
    assert_eq!(stats["devices_reset_more_than_once"], 0, "{stats}");

    // Pacing takes effect through the C ABI: 30 writes at 10 per second, on an emulator that does not throttle.
    let paced: Vec<String> = resettable(&emu)
        .into_iter()
        .filter(|d| emu.reset_count(d) == 0)
        .take(30)
        .collect();
    let file = ids_file(&dir, "paced.txt", &paced);
    let (ok, _, err) = run(
        &shared,
        vec![
            "bulk".into(),
            url.clone(),
            token.clone(),
            file,
            "16".into(),
            "10".into(),
            "1000".into(),
        ],
        None,
    )
    .await;
    assert!(ok, "paced bulk failed: {err}");
    let mut times: Vec<u64> = paced
        .iter()
        .flat_map(|d| emu.requests(d))
        .map(|r| r.at_ms)
        .collect();
    times.sort_unstable();
    assert_eq!(times.len(), 30);
    let busiest = times
        .iter()
        .map(|t| times.iter().filter(|u| **u >= *t && **u < t + 1000).count())
        .max()
        .unwrap_or(0);
    assert!(busiest <= 10, "{busiest} writes in one 1 s window");
    assert!(times[29] - times[0] >= 1900, "{times:?}");

    // Reading resets back: Android with its passcode, iOS without; bad arguments refused.
    let (ok, out, err) = run(
        &shared,
        vec![
            "readback".into(),
            url.clone(),
            token.clone(),
            emu.samples["device_id"].clone(),
            emu.samples["ios_device_id"].clone(),
        ],
        None,
    )
    .await;
    assert!(ok, "readback failed: {out} {err}");

    // A bulk run with ipc_bulk_options settles lost answers from the record, against the ledger, never resending.
    let gw = Emulator::start(EmulatorConfig {
        devices: 300,
        faults: graph_emulator::FaultConfig::parse("504=1").unwrap(),
        ..Default::default()
    })
    .await
    .unwrap();
    let gw_ids: Vec<String> = resettable(&gw).into_iter().take(40).collect();
    let file = ids_file(&dir, "verify.txt", &gw_ids);
    let (ok, out, err) = run(
        &statik,
        vec![
            "verify".into(),
            gw.graph_url.clone(),
            gw.token.clone(),
            file,
        ],
        None,
    )
    .await;
    assert!(ok, "verify failed: {err}");
    let (mut confirmed, mut unknown) = (0, 0);
    for line in out.lines() {
        let (id, code) = line.rsplit_once(' ').unwrap();
        match code {
            "CONFIRMED" => {
                assert_eq!(gw.reset_count(id), 1, "{id}: confirmed but not executed");
                confirmed += 1;
            }
            "OUTCOME_UNKNOWN" => {
                assert_eq!(gw.reset_count(id), 0, "{id}: executed but left unknown");
                unknown += 1;
            }
            other => panic!("{id}: {other}"),
        }
    }
    assert!(
        confirmed > 0 && unknown > 0 && confirmed + unknown == 40,
        "{out}"
    );
    let posts = gw_ids
        .iter()
        .flat_map(|d| gw.requests(d))
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 40, "verification never resends");

    // A journaled run, then the same again: every device from the journal, nothing sent; the summary counts them.
    let journaled: Vec<String> = resettable(&emu)
        .into_iter()
        .filter(|d| emu.reset_count(d) == 0)
        .take(30)
        .collect();
    let file = ids_file(&dir, "journaled.txt", &journaled);
    let journal = dir.join("job.jsonl");
    let _ = std::fs::remove_file(&journal);
    let (ok, out, err) = run(
        &shared,
        vec![
            "journal".into(),
            url.clone(),
            token.clone(),
            file,
            journal.display().to_string(),
        ],
        None,
    )
    .await;
    assert!(ok, "journal failed: {out} {err}");
    // Once by the job, once more by a job told not to consult the others (recent 0); never by the job they held.
    assert!(journaled.iter().all(|d| emu.reset_count(d) == 2));

    // 8 threads x 100 calls on one client (devices not reset above).
    let fresh: Vec<String> = resettable(&emu)
        .into_iter()
        .filter(|d| emu.reset_count(d) == 0)
        .take(800)
        .collect();
    let file = ids_file(&dir, "threads.txt", &fresh);
    let (ok, out, err) = run(
        &shared,
        vec!["threads".into(), url.clone(), token.clone(), file],
        None,
    )
    .await;
    assert!(ok, "threads failed: {err}");
    assert_eq!(
        serde_json::from_str::<Value>(out.trim()).unwrap()["ok"],
        800
    );

    // C++17.
    let device = emu.samples["device_id"].clone();
    let (ok, out, err) = run(&cpp, vec![url.clone(), token.clone(), device], None).await;
    assert!(
        ok && out.contains("\"status\":204"),
        "C++ failed: {out} {err}"
    );

    // Under AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on): hostile input, errors, secrets
    // paths, bulk and threads; any report fails the run (exit code 99).
    let asan = dir.join("test_c_asan");
    compile_sanitized(&asan);
    let sanitizer_env = vec![
        (
            "ASAN_OPTIONS",
            "detect_leaks=1:exitcode=99:abort_on_error=0".to_string(),
        ),
        (
            "UBSAN_OPTIONS",
            "print_stacktrace=1:halt_on_error=1:exitcode=99".to_string(),
        ),
    ];
    let fresh: Vec<String> = resettable(&emu)
        .into_iter()
        .filter(|d| emu.reset_count(d) == 0)
        .take(1000)
        .collect();
    let bulk_file = ids_file(&dir, "asan-bulk.txt", &fresh[..200]);
    let threads_file = ids_file(&dir, "asan-threads.txt", &fresh[200..1000]);
    for args in [
        vec!["hostile".to_string()],
        error_args.clone(),
        vec![
            "bulk".into(),
            url.clone(),
            token.clone(),
            bulk_file,
            "16".into(),
        ],
        vec!["threads".into(), url.clone(), token.clone(), threads_file],
        vec![
            "readback".into(),
            url.clone(),
            token.clone(),
            emu.samples["device_id"].clone(),
            emu.samples["ios_device_id"].clone(),
        ],
    ] {
        let (ok, _, err) = run_with_env(&asan, args.clone(), None, sanitizer_env.clone()).await;
        assert!(ok, "sanitizers ({}): {err}", args[0]);
        assert!(
            !err.contains("Sanitizer"),
            "a sanitizer report ({}): {err}",
            args[0]
        );
    }

    // Once under valgrind: no memory errors, no definite leaks.
    let valgrind = vec![
        "valgrind".to_string(),
        "--quiet".into(),
        "--error-exitcode=99".into(),
        "--leak-check=full".into(),
        "--errors-for-leak-kinds=definite".into(),
    ];
    let (ok, _, err) = run(&shared, vec!["hostile".into()], Some(valgrind.clone())).await;
    assert!(ok, "valgrind (hostile): {err}");
    let (ok, _, err) = run(&shared, error_args, Some(valgrind)).await;
    assert!(ok, "valgrind (errors): {err}");
    let _ = std::fs::remove_dir_all(&dir);
}
