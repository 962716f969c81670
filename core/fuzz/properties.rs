//! The fuzzing properties, shared by the cargo-fuzz targets (`fuzz_targets/`) and by the regression test that
//! replays the committed corpus on stable Rust (`core/tests/fuzz_corpus.rs`). Each function panics when its
//! property does not hold.

use std::time::{Duration, SystemTime};

use intune_passcode::{
    ErrorKind, Journal, Target, encode_segment, parse_graph_error, parse_intune_envelope,
    parse_retry_after,
};

/// Route building and ID encoding. Input: a route selector byte, then up to two IDs separated by a 0xFF byte
/// (never valid UTF-8, so any string can be an ID). For every ID `Target` accepts: each encoded segment holds only
/// unreserved characters and `%XX` escapes and decodes back to the ID; the path has exactly the route's segments,
/// and a URL parser reads the same segments back.
pub fn route(data: &[u8]) {
    let Some((&route, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(2, |b| *b == 0xFF);
    let Ok(first) = std::str::from_utf8(parts.next().unwrap_or_default()) else {
        return;
    };
    let Ok(second) = std::str::from_utf8(parts.next().unwrap_or_default()) else {
        return;
    };

    // encode_segment on its own, for any string at all.
    check_segment(&encode_segment(first), first);

    let (target, expected) = match route % 3 {
        0 => (
            Target::device(first),
            vec!["deviceManagement", "managedDevices", first, "resetPasscode"],
        ),
        1 => (
            Target::user_device(second, first),
            vec!["users", second, "managedDevices", first, "resetPasscode"],
        ),
        _ => (
            Target::detected_app_device(second, first),
            vec![
                "deviceManagement",
                "detectedApps",
                second,
                "managedDevices",
                first,
                "resetPasscode",
            ],
        ),
    };
    let Ok(target) = target else { return };
    let path = target.path();
    let segments: Vec<&str> = path.split('/').collect();
    assert_eq!(segments.len(), expected.len(), "{path}");
    for (seg, want) in segments.iter().zip(&expected) {
        check_segment(seg, want);
    }
    // What the HTTP client will send: a URL parser must not fold, split or join any segment.
    let url =
        url::Url::parse(&format!("https://graph.microsoft.com/v1.0/{path}")).expect("a valid URL");
    let parsed: Vec<&str> = url.path_segments().expect("segments").collect();
    assert_eq!(parsed[0], "v1.0");
    assert_eq!(
        &parsed[1..],
        &segments[..],
        "the URL parser changed the path {path}"
    );
    assert!(url.query().is_none() && url.fragment().is_none());
}

/// The parsers of what Graph sends back: the Graph error body, the Intune envelope inside its message, and
/// `Retry-After`. No panic on any bytes, and a Retry-After is never longer than the cap (u32::MAX seconds).
pub fn parsers(data: &[u8]) {
    let error = parse_graph_error(data);
    if let Some(message) = error.message.as_deref() {
        let _ = parse_intune_envelope(message);
    }
    let text = String::from_utf8_lossy(data);
    let _ = parse_intune_envelope(&text);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    if let Some(wait) = parse_retry_after(&text, now) {
        assert!(
            wait <= Duration::from_secs(u64::from(u32::MAX)),
            "Retry-After {text:?} gave {wait:?}"
        );
    }
}

fn check_segment(encoded: &str, original: &str) {
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => i += 1,
            b'%' => {
                assert!(
                    i + 2 < bytes.len()
                        && bytes[i + 1].is_ascii_hexdigit()
                        && bytes[i + 2].is_ascii_hexdigit(),
                    "a bare '%' in {encoded:?}"
                );
                i += 3;
            }
            other => panic!("{other:#x} left unencoded in {encoded:?}"),
        }
    }
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .expect("decodes to UTF-8");
    assert_eq!(
        decoded, original,
        "the segment does not decode back to its ID"
    );
}

/// The journal reader: any bytes as a journal file. `Journal::open` never panics: it refuses with an
/// `INVALID_ARGUMENT` naming the file, or reads a job whose device states add up to its devices, one record each.
pub fn journal(data: &[u8]) {
    let path = std::env::temp_dir().join(format!(
        "ipc-fuzz-journal-{}-{:?}.jsonl",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&path, data).expect("temp file");
    let shown = path.display().to_string();
    match Journal::open(&path) {
        Ok(journal) => {
            let s = journal.summary();
            assert_eq!(
                s.total,
                s.planned + s.sending + s.ok + s.failed + s.unknown,
                "{s:?}"
            );
            assert_eq!(journal.records().count(), s.total);
            assert!(!journal.job_id().is_empty());
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
            assert!(
                e.to_string().contains(&shown),
                "the error names the file: {e}"
            );
        }
    }
    let _ = std::fs::remove_file(&path);
}
