//! # intune-passcode
//!
//! Reset Intune managed-device passcodes through Microsoft Graph's `resetPasscode` action, carefully: the action is
//! not idempotent (each run makes a new passcode), so calls are retried only when Graph says they were not executed
//! or nothing was sent; an answer that never came is reported as [`ErrorKind::OutcomeUnknown`], never re-sent.
//!
//! ```no_run
//! # async fn demo() -> Result<(), intune_passcode::Error> {
//! use intune_passcode::{Client, Target};
//! let client = Client::builder().token("eyJ...").build()?;
//! let receipt = client.reset_passcode(&Target::device("0a1b...")?).await?;
//! println!("{} {:?}", receipt.status, receipt.request_id);
//! # Ok(()) }
//! ```

mod action;
mod builder;
mod bulk;
mod classify;
mod client;
mod clock;
mod cloud;
mod credential;
mod error;
mod intune;
mod journal;
mod pacer;
mod receipt;
mod retry;
mod secret;
mod target;
mod token_cache;
mod verify;

pub use action::{ActionState, Confirmation, ConfirmedBy, ResetAction, format_time, parse_time};
pub use builder::{
    ClientBuilder, CredentialParts, DEFAULT_TIMEOUT, TextOptions, duration_from_millis,
    duration_from_secs, time_from_epoch_millis,
};
pub use bulk::{
    BulkItem, BulkOptions, DEFAULT_RECENT, DEFAULT_VERIFY_UNKNOWN, KeyedStream, MAX_CONCURRENCY,
    MAX_VERIFY_UNKNOWN, ThrottleWatch,
};
pub use classify::{PERMISSION, kind_for_status};
pub use client::Client;
pub use clock::CLOCK_MARGIN;
pub use cloud::{ApiVersion, Cloud};
pub use credential::{
    AccessToken, AssertionAlgorithm, AssertionCallback, CertificateCredential, CertificateOptions,
    ClientAssertionCredential, ClientSecretCredential, DefaultCredential, EnvSnapshot,
    EnvironmentCredential, ManagedIdentityCredential, ManagedIdentityId, StaticToken,
    TokenCredential, WorkloadIdentityCredential,
};
pub use error::{Error, ErrorKind};
pub use intune::{GraphError, IntuneEnvelope, parse_graph_error, parse_intune_envelope};
pub use journal::{
    DeviceRecord, DeviceState, Event as JournalEvent, FORMAT as JOURNAL_FORMAT, Journal,
    JournalSummary, RecentResets, journal_syncs,
};
pub use pacer::Pace;
pub use receipt::Receipt;
pub use retry::{MAX_RETRIES_CAP, RetryPolicy, parse_retry_after};
pub use secret::Secret;
pub use target::{MAX_ID_BYTES, Target, canonical_id, encode_segment};
pub use verify::{CLOCK_SKEW, READ_PERMISSION};

/// The crate's version, as sent in the User-Agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
