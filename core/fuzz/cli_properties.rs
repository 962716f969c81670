//! The fuzzing property of the command line's input reader, shared by the cargo-fuzz target `cli_input` and by the
//! regression test that replays its corpus on stable Rust (`cli/tests/fuzz_corpus.rs`). Panics when it does not hold.

use intune_passcode_cli::Exit;
use intune_passcode_cli::input;

/// Any bytes as `--input`: the reader never panics. It refuses with a usage error (exit 2) that names the input,
/// or gives rows each with a device ID (trimmed, not empty) and the 1-based line it came from; making each row's
/// target never panics either (a bad ID is that row's error, not the run's).
pub fn cli_input(data: &[u8]) {
    match input::parse("fuzz.csv", data) {
        Ok(rows) => {
            for row in &rows {
                assert!(!row.device_id.is_empty(), "{row:?}");
                assert_eq!(row.device_id.trim(), row.device_id, "{row:?}");
                assert!(row.line >= 1, "{row:?}");
                let _ = row.target();
            }
            let (kept, dropped) = input::dedupe(rows.clone());
            assert_eq!(kept.len() + dropped, rows.len());
        }
        Err(fail) => {
            assert_eq!(fail.exit, Exit::Usage, "{}", fail.message);
            assert!(fail.message.starts_with("fuzz.csv"), "{}", fail.message);
        }
    }
}
