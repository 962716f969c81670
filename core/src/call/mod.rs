//! One `resetPasscode` call, from the builder to the receipt.
//!
//! * [`Target`] is a checked device and the route that reaches it (the three routes of the Graph page).
//! * [`ClientBuilder`] checks every option once; [`Client`] sends the call, retrying only when Graph says it did not
//!   run ([`RetryPolicy`], `Retry-After`), and classifies every other answer into one [`ErrorKind`](crate::ErrorKind).
//! * `clock` follows Graph's `Date` so that times compared with Graph's records are Graph's.

mod builder;
mod classify;
mod client;
mod clock;
mod retry;
mod target;

pub use builder::{ClientBuilder, DEFAULT_TIMEOUT, TextOptions};
pub(crate) use classify::classify;
pub use classify::{PERMISSION, kind_for_status};
pub use client::Client;
pub(crate) use client::{Gate, deadline_error, read_capped};
pub use clock::CLOCK_MARGIN;
pub use retry::{MAX_RETRIES_CAP, RetryPolicy, parse_retry_after};
pub use target::{MAX_ID_BYTES, Target, canonical_id};
