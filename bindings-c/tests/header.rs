//! The committed header is what cbindgen (pinned 0.29.4) makes of this crate now.
//! Regenerate: `REGENERATE_HEADER=1 cargo test -p intune-passcode-c --test header` (or `make -C bindings-c header`).

use std::path::Path;

#[test]
fn the_committed_header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let fresh = String::from_utf8(fresh).expect("UTF-8 header");
    let path = dir.join("include/intune_passcode.h");
    if std::env::var_os("REGENERATE_HEADER").is_some() {
        std::fs::write(&path, &fresh).expect("write the header");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/intune_passcode.h is out of date: run `make -C bindings-c header` and commit it"
    );
}
