//! The parsers of what Graph sends back: the Graph error body, the Intune envelope inside its message, and
//! `Retry-After`. Property: no panic on any bytes, and a Retry-After is never longer than the cap (u32::MAX seconds).
#![no_main]

use std::time::{Duration, SystemTime};

use intune_passcode::{parse_graph_error, parse_intune_envelope, parse_retry_after};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
});
