//! Logging for C hosts: when `RUST_LOG` is set (e.g. `RUST_LOG=intune_passcode=debug`), the library writes its log
//! records to stderr, through env_logger. The core logs through `tracing`; with no tracing subscriber in a C
//! process its events become `log` records (tracing's `log` feature). Records carry no token or secret.

use std::sync::Once;

static INIT: Once = Once::new();

/// Install the stderr logger once, on the first client, and only when `RUST_LOG` asks for it.
pub fn init_from_env() {
    INIT.call_once(|| {
        if std::env::var_os("RUST_LOG").is_some() {
            // Fails only when the host already installed a `log` logger: theirs stays.
            let _ = env_logger::Builder::from_default_env()
                .target(env_logger::Target::Stderr)
                .try_init();
        }
    });
}
