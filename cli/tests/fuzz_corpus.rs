//! The `cli_input` fuzz corpus as a regression test on stable Rust: every committed input under
//! `core/fuzz/corpus/cli_input/` (and any crash kept under `core/fuzz/regressions/cli_input/`) replayed through the
//! property the fuzzer checks.

#[path = "../../core/fuzz/cli_properties.rs"]
mod cli_properties;

use std::path::Path;

#[test]
fn the_input_reader_corpus_keeps_its_properties() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/fuzz");
    let mut n = 0;
    for dir in [
        fuzz.join("corpus/cli_input"),
        fuzz.join("regressions/cli_input"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let data = std::fs::read(entry.path()).unwrap();
            if std::panic::catch_unwind(|| cli_properties::cli_input(&data)).is_err() {
                panic!("{} breaks the cli_input property", entry.path().display());
            }
            n += 1;
        }
    }
    assert!(n >= 3, "the cli_input corpus is missing");
}
