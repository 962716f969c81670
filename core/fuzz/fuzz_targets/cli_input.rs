//! The command line's `--input` reader (CSV or one ID per line): see `cli_properties::cli_input`.
#![no_main]

#[path = "../cli_properties.rs"]
mod cli_properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| cli_properties::cli_input(data));
