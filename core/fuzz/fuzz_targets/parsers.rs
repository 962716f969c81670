//! The Graph error, Intune envelope and Retry-After parsers: see `properties::parsers`.
#![no_main]

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::parsers(data));
