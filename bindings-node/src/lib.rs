//! The native half of the `intune-passcode` Node package: types and errors over the core. The package's
//! `intune-passcode.js` wraps it into the public API (error classes, AbortSignal, async iteration).

mod action;
mod bulk;
mod cancel;
mod credential;
mod emulator;
mod errors;
mod journal;
mod logger;

use std::sync::Arc;

use intune_passcode::{
    Client, CredentialParts, ManagedIdentityId, Receipt, Secret, Target, TextOptions,
};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

pub use bulk::NativeBulk;
pub use cancel::CancelToken;
use credential::{JsCredential, TokenAnswer};
pub use emulator::{
    EmulatorOptions, EmulatorServer, StartEmulator, fault_names, run_emulator,
    start_emulator_server,
};
use errors::to_napi;
pub use logger::{LogRecord, set_log_hook};

/// `new Client(options)` as the native layer receives it (`credential` comes separately, as a function).
#[napi(object)]
pub struct ClientOptions {
    pub token: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub base_url: Option<String>,
    pub authority_url: Option<String>,
    pub cloud: Option<String>,
    pub api_version: Option<String>,
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    pub ca_cert: Option<String>,
    pub proxy: Option<String>,
    pub certificate_path: Option<String>,
    pub certificate_password: Option<String>,
    pub send_certificate_chain: Option<bool>,
    /// System-assigned managed identity (the wrapper turns `managedIdentity: true` into this).
    pub managed_identity: Option<bool>,
    /// A user-assigned identity's client ID (`managedIdentity: { clientId }`).
    pub managed_identity_client_id: Option<String>,
    pub workload_identity: Option<bool>,
    /// The default chain (`Client.fromEnvironment`).
    pub from_environment: Option<bool>,
}

/// A successful reset.
#[napi(object)]
pub struct ReceiptJs {
    pub status: u32,
    pub request_id: Option<String>,
    pub client_request_id: String,
    pub date: Option<String>,
    pub ags_diagnostic: Option<String>,
    pub attempts: u32,
    pub waited_ms: f64,
    pub sent_at_ms: f64,
    /// `response` or `action_result`.
    pub confirmed_by: String,
    pub action: Option<action::ResetActionJs>,
    /// Reported from the journal; nothing sent this time.
    pub from_journal: bool,
    /// The other job whose journal held the device (its outcome is that job's).
    pub held_by: Option<String>,
}

impl From<Receipt> for ReceiptJs {
    fn from(r: Receipt) -> Self {
        ReceiptJs {
            status: r.status as u32,
            request_id: r.request_id,
            client_request_id: r.client_request_id,
            date: r.date,
            ags_diagnostic: r.ags_diagnostic,
            attempts: r.attempts,
            waited_ms: r.waited.as_secs_f64() * 1000.0,
            sent_at_ms: action::epoch_ms(r.sent_at),
            confirmed_by: r.confirmed_by.as_str().to_string(),
            action: r.action.map(Into::into),
            from_journal: r.from_journal,
            held_by: r.held_by,
        }
    }
}

/// UTF-16 from JavaScript into Rust text; a lone surrogate is an `InvalidArgument`, not a silent U+FFFD.
pub(crate) fn text(
    name: &str,
    s: Utf16String,
) -> std::result::Result<String, intune_passcode::Error> {
    String::from_utf16(&s).map_err(|_| {
        intune_passcode::Error::invalid(format!(
            "{name} is not valid text (it holds a lone surrogate)"
        ))
    })
}

fn opt_text(
    name: &str,
    s: Option<Utf16String>,
) -> std::result::Result<Option<String>, intune_passcode::Error> {
    s.map(|s| text(name, s)).transpose()
}

/// The native client.
#[napi]
pub struct NativeClient {
    inner: Client,
}

#[napi]
impl NativeClient {
    /// Build the core client; throws the error record (`INVALID_ARGUMENT`) on bad options.
    // The callback's type is spelt out (not the `CredentialFn` alias) so that napi writes a real function type
    // into index.d.ts.
    #[napi(constructor)]
    #[allow(clippy::type_complexity)]
    pub fn new(
        options: ClientOptions,
        credential: Option<
            ThreadsafeFunction<Vec<String>, Promise<TokenAnswer>, Vec<String>, Status, false, true>,
        >,
    ) -> Result<Self> {
        build(options, credential)
            .map(|inner| NativeClient { inner })
            .map_err(|e| to_napi(&e))
    }

    /// Reset one device; rejects with the error record. `cancel` abandons the call.
    #[napi]
    pub fn reset_passcode<'env>(
        &self,
        env: &'env Env,
        device_id: Utf16String,
        user_id: Option<Utf16String>,
        detected_app_id: Option<Utf16String>,
        cancel: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, ReceiptJs>> {
        let target = text("deviceId", device_id).and_then(|d| {
            Target::new(
                d,
                opt_text("userId", user_id)?,
                opt_text("detectedAppId", detected_app_id)?,
            )
        });
        let client = self.inner.clone();
        let cancel = cancel.cloned();
        env.spawn_future(async move {
            let target = target.map_err(|e| to_napi(&e))?;
            let call = client.reset_passcode(&target);
            let outcome = match cancel {
                None => call.await,
                Some(c) => tokio::select! {
                    r = call => r,
                    _ = c.wait() => return Err(bulk::aborted()),
                },
            };
            outcome.map(ReceiptJs::from).map_err(|e| to_napi(&e))
        })
    }

    /// The device's latest `resetPasscode` record, or null. Needs `DeviceManagementManagedDevices.Read.All`.
    #[napi]
    pub fn reset_status<'env>(
        &self,
        env: &'env Env,
        device_id: Utf16String,
        user_id: Option<Utf16String>,
        detected_app_id: Option<Utf16String>,
        cancel: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, Option<action::ResetActionJs>>> {
        let target = target(device_id, user_id, detected_app_id);
        let client = self.inner.clone();
        let cancel = cancel.cloned();
        env.spawn_future(async move {
            let target = target.map_err(|e| to_napi(&e))?;
            let outcome = cancellable(cancel, client.reset_status(&target)).await?;
            outcome.map(|a| a.map(Into::into)).map_err(|e| to_napi(&e))
        })
    }

    /// Settle a reset whose answer was lost: look for its record for up to `within_ms`; with `seen_before_ms` (the
    /// `startedAt` of a record read before the request left), only a newer record confirms it. Never resends.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn confirm_reset<'env>(
        &self,
        env: &'env Env,
        device_id: Utf16String,
        sent_at_ms: f64,
        within_ms: f64,
        user_id: Option<Utf16String>,
        detected_app_id: Option<Utf16String>,
        cancel: Option<&CancelToken>,
        seen_before_ms: Option<f64>,
    ) -> Result<PromiseRaw<'env, action::ConfirmationJs>> {
        let args = target(device_id, user_id, detected_app_id).and_then(|t| {
            let sent_at = intune_passcode::time_from_epoch_millis("sentAt", sent_at_ms)?;
            let within = intune_passcode::duration_from_millis("withinMs", within_ms)?;
            let seen_before = seen_before_ms
                .map(|ms| intune_passcode::time_from_epoch_millis("seenBefore", ms))
                .transpose()?;
            Ok((t, sent_at, within, seen_before))
        });
        let client = self.inner.clone();
        let cancel = cancel.cloned();
        env.spawn_future(async move {
            let (target, sent_at, within, seen_before) = args.map_err(|e| to_napi(&e))?;
            let call = client.confirm_reset_newer_than(&target, sent_at, within, seen_before);
            let outcome = cancellable(cancel, call).await?;
            outcome.map(Into::into).map_err(|e| to_napi(&e))
        })
    }

    /// Wait until the reset sent at `sent_at_ms` reaches a final state; its record (on Android, with the passcode).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn wait_for_reset<'env>(
        &self,
        env: &'env Env,
        device_id: Utf16String,
        sent_at_ms: f64,
        timeout_ms: f64,
        user_id: Option<Utf16String>,
        detected_app_id: Option<Utf16String>,
        cancel: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, action::ResetActionJs>> {
        let args = target(device_id, user_id, detected_app_id).and_then(|t| {
            let sent_at = intune_passcode::time_from_epoch_millis("sentAt", sent_at_ms)?;
            let timeout = intune_passcode::duration_from_millis("timeoutMs", timeout_ms)?;
            Ok((t, sent_at, timeout))
        });
        let client = self.inner.clone();
        let cancel = cancel.cloned();
        env.spawn_future(async move {
            let (target, sent_at, timeout) = args.map_err(|e| to_napi(&e))?;
            let call = client.wait_for_reset(&target, sent_at, timeout);
            let outcome = cancellable(cancel, call).await?;
            outcome.map(Into::into).map_err(|e| to_napi(&e))
        })
    }

    /// Start a bulk run (validates the options); feed it with `push` and read it with `next`.
    /// `verify_unknown_ms`: how long to look for the record of a reset whose answer was lost (null: do not).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn start_bulk(
        &self,
        concurrency: f64,
        pace: bulk::PaceJs,
        verify_unknown_ms: Option<f64>,
        journal: bulk::JournalJs,
        user_id: Option<Utf16String>,
        detected_app_id: Option<Utf16String>,
        cancel: Option<&CancelToken>,
    ) -> Result<NativeBulk> {
        bulk::start(
            &self.inner,
            bulk::Settings {
                concurrency,
                pace,
                verify_unknown_ms,
                journal,
            },
            user_id,
            detected_app_id,
            cancel.cloned(),
        )
    }

    /// The Graph URL this client sends to.
    #[napi(getter)]
    pub fn graph_base(&self) -> String {
        self.inner.graph_base().to_string()
    }
}

/// A target from JavaScript strings.
fn target(
    device_id: Utf16String,
    user_id: Option<Utf16String>,
    detected_app_id: Option<Utf16String>,
) -> std::result::Result<Target, intune_passcode::Error> {
    text("deviceId", device_id).and_then(|d| {
        Target::new(
            d,
            opt_text("userId", user_id)?,
            opt_text("detectedAppId", detected_app_id)?,
        )
    })
}

/// Run `call`, or reject with `AbortError` when `cancel` trips first.
async fn cancellable<T>(
    cancel: Option<CancelToken>,
    call: impl std::future::Future<Output = T>,
) -> Result<T> {
    match cancel {
        None => Ok(call.await),
        Some(c) => tokio::select! {
            r = call => Ok(r),
            _ = c.wait() => Err(bulk::aborted()),
        },
    }
}

fn build(
    o: ClientOptions,
    credential: Option<credential::CredentialFn>,
) -> std::result::Result<Client, intune_passcode::Error> {
    let mut b = Client::builder()
        .user_agent_suffix(format!(
            "node/{}",
            std::env::var("INTUNE_PASSCODE_NODE_VERSION").unwrap_or_else(|_| "unknown".into())
        ))
        .credential_parts(CredentialParts {
            token: o.token.map(Secret::new),
            tenant_id: o.tenant_id,
            client_id: o.client_id,
            client_secret: o.client_secret.map(Secret::new),
            credential: credential.map(|c| {
                Arc::new(JsCredential {
                    callback: Arc::new(c),
                }) as _
            }),
            certificate_path: o.certificate_path,
            certificate_password: o.certificate_password.map(Secret::new),
            send_certificate_chain: o.send_certificate_chain.unwrap_or(false),
            managed_identity: match (o.managed_identity, o.managed_identity_client_id) {
                (_, Some(id)) => Some(ManagedIdentityId::ClientId(id)),
                (Some(true), None) => Some(ManagedIdentityId::SystemAssigned),
                _ => None,
            },
            workload_identity: o.workload_identity.unwrap_or(false),
            from_environment: o.from_environment.unwrap_or(false),
        });
    if let Some(ms) = o.timeout_ms {
        b = b.timeout_secs(ms / 1000.0);
    }
    if let Some(n) = o.max_retries {
        if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64) {
            return Err(intune_passcode::Error::invalid(format!(
                "maxRetries must be a whole number from 0 to 10, not {n}"
            )));
        }
        b = b.max_retries(n as u32);
    }
    b.text_options(TextOptions {
        base_url: o.base_url,
        authority_url: o.authority_url,
        cloud: o.cloud,
        api_version: o.api_version,
        ca_cert: o.ca_cert,
        proxy: o.proxy,
    })
    .build()
}

/// The `intune-passcode` command line with `args` (program name first): its exit code. Synchronous, on the JS
/// thread, on purpose: the command line runs its own runtime (napi's async functions run on a tokio thread, where
/// that is not allowed), and a `bin` has nothing else to do meanwhile.
#[napi]
pub fn run_cli(args: Vec<String>) -> i32 {
    intune_passcode_cli::run(args)
}

/// The core's default window of the cross-job check, in milliseconds (the wrapper's `recentMs` default).
#[napi]
pub fn default_recent_ms() -> f64 {
    intune_passcode::DEFAULT_RECENT.as_millis() as f64
}

/// `[code, className]` for every core error kind (the wrapper checks it has a class for each).
#[napi]
pub fn error_codes() -> Vec<Vec<String>> {
    errors::all_codes()
        .into_iter()
        .map(|(c, n)| vec![c, n])
        .collect()
}

/// The core's version.
#[napi]
pub fn version() -> String {
    intune_passcode::VERSION.to_string()
}
