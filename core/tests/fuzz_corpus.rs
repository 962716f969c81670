//! The fuzz corpus as a regression test on stable Rust: every committed input under `core/fuzz/corpus/` (and any
//! crash kept under `core/fuzz/regressions/`) replayed through the same properties the fuzzers check.

#[path = "../fuzz/properties.rs"]
mod properties;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut all = Vec::new();
    for dir in [
        fuzz.join("corpus").join(target),
        fuzz.join("regressions").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            all.push((entry.path().display().to_string(), bytes));
        }
    }
    all
}

/// Every input of `target` through `property`; at least three inputs must be there.
fn replay(target: &str, property: fn(&[u8])) {
    let all = inputs(target);
    assert!(all.len() >= 3, "the {target} corpus is missing");
    for (name, data) in all {
        if std::panic::catch_unwind(|| property(&data)).is_err() {
            panic!("{name} breaks a {target} property");
        }
    }
}

#[test]
fn the_route_corpus_keeps_its_properties() {
    replay("route", properties::route);
}

#[test]
fn the_parser_corpus_keeps_its_properties() {
    replay("parsers", properties::parsers);
}

#[test]
fn the_journal_corpus_keeps_its_properties() {
    replay("journal", properties::journal);
}
