//! `libintune_passcode`: the C ABI of the intune-passcode core. Types and errors only; behaviour is the core's.
//! The header `include/intune_passcode.h` is generated from this crate by cbindgen (see cbindgen.toml).

mod action;
mod boundary;
mod bulk_options;
mod client;
mod code;
mod error;
mod logging;
mod options;
mod read;
mod receipt;

pub use action::ipc_action;
pub use bulk_options::{ipc_bulk_options, ipc_journal_counts};
pub use client::{ipc_client, ipc_result_fn};
pub use code::ipc_code;
pub use error::ipc_error;
pub use options::ipc_options;
pub use receipt::ipc_receipt;

/// The library's version ("0.1.0"). Static.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_version() -> *const std::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
