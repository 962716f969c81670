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

// The table of contents: each capability's folder, then what it makes public (every public name is at the root).

// Shared by everything: the error vocabulary (with Graph's and Intune's error bodies), secrets, clouds, checked
// numbers and times, and what every HTTP request shares.
mod error;
pub use error::{
    Error, ErrorKind, GraphError, IntuneEnvelope, parse_graph_error, parse_intune_envelope,
};
mod secret;
pub use secret::Secret;
mod cloud;
pub use cloud::{ApiVersion, Cloud};
mod convert;
pub use convert::{
    duration_from_millis, duration_from_secs, format_time, optional_duration_from_millis,
    optional_duration_from_secs, parse_time, time_from_epoch_millis,
};
mod http;
pub use http::encode_segment;

// Where tokens come from: one kind per file, the `AZURE_*` chain, and the token cache.
mod credential;
pub use credential::{
    AccessToken, AssertionAlgorithm, AssertionCallback, CertificateCredential, CertificateOptions,
    ClientAssertionCredential, ClientSecretCredential, CredentialParts, DefaultCredential,
    EnvSnapshot, EnvironmentCredential, ManagedIdentityCredential, ManagedIdentityId, StaticToken,
    TokenCredential, WorkloadIdentityCredential,
};

// What a reset came to: the receipt, and the device's own record of the action.
mod outcome;
pub use outcome::{ActionState, Confirmation, ConfirmedBy, Receipt, ResetAction};

// How bulk runs stay under Intune's limit (the single call takes its permits too).
mod pacing;
pub use pacing::{Pace, ThrottleWatch};

// One call: a target, a client, retries, Graph's answers classified.
mod call;
pub use call::{
    CLOCK_MARGIN, Client, ClientBuilder, DEFAULT_TIMEOUT, MAX_ID_BYTES, MAX_RETRIES_CAP,
    PERMISSION, RetryPolicy, Target, TextOptions, canonical_id, kind_for_status, parse_retry_after,
};

// Verification: read the device's action record to settle an answer that never came.
mod verify;
pub use verify::{CLOCK_SKEW, READ_PERMISSION};

// The durable journal: one job per file, so that no run, however it dies, resets a device twice.
mod journal;
pub use journal::{
    DeviceRecord, DeviceState, Event as JournalEvent, FORMAT as JOURNAL_FORMAT, Journal,
    JournalSummary, RecentResets, journal_syncs, linked_journals,
};

// Many devices: concurrency, pacing, the journal, and settling unknowns.
mod bulk;
pub use bulk::{
    BulkItem, BulkOptions, DEFAULT_RECENT, DEFAULT_VERIFY_UNKNOWN, KeyedStream, MAX_CONCURRENCY,
    MAX_VERIFY_UNKNOWN, platform_can_reset,
};

/// The crate's version, as sent in the User-Agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
