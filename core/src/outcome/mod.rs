//! What a reset came to, as every front door reports it.
//!
//! * [`Receipt`] is what a successful call returns: Graph's identifiers, attempts, waits, and how it was confirmed.
//! * [`ResetAction`] is the device's own record of the reset (`deviceActionResults`), read to settle an answer that
//!   never came and to read the new passcode back; [`Confirmation`] is what such a read found.
//!
//! Both are plain data: the call, verification, the journal and bulk runs all produce or read them.

mod action;
mod error_json;
mod receipt;

pub(crate) use action::latest_reset;
pub use action::{ActionState, Confirmation, ConfirmedBy, ResetAction};
pub use receipt::Receipt;
