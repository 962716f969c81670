//! Builds the C11 and C++17 test programs against libintune_passcode (shared and static) and runs them against
//! the in-process emulator: the shared vectors, hostile input, bulk, threads, error fields, and once under valgrind.
//! Needs `cargo build -p intune-passcode-c` first (make test does it) for the .so and .a.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

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

/// Run a program; returns (exit ok, stdout).
async fn run(
    program: &Path,
    args: Vec<String>,
    under: Option<Vec<String>>,
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
        let out = cmd.args(&args).output().expect("the program runs");
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
        devices: 7000,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = emu.graph_url.clone();
    let token = emu.token.clone();

    // Shared vectors, through the shared library.
    let all = vectors::load(&crate_dir().join("../tests/vectors")).unwrap();
    assert!(all.len() >= 25);
    let mut failures = Vec::new();
    for v in &all {
        if v.device_id().contains('\0') {
            continue; // argv cannot carry a NUL; the Rust suite covers it
        }
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
        ];
        let started = Instant::now();
        let (ok, out, err) = run(&shared, args, None).await;
        let elapsed = started.elapsed().as_millis() as u64;
        let observed: Value = match serde_json::from_str(out.trim()) {
            Ok(v) if ok => v,
            _ => {
                failures.push(format!("{}: program failed: {out} {err}", v.file));
                continue;
            }
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
