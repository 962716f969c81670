//! Where tokens come from: the `TokenCredential` trait, a static token, and every way an app proves who it is to
//! Entra ID (client secret, certificate, client assertion, workload identity, managed identity, the environment).

mod app;
mod assertion;
mod cache;
mod certificate;
mod certificate_file;
mod choice;
mod client_secret;
mod default;
mod environment;
mod jwt;
mod managed_identity;
mod token_endpoint;
mod workload_identity;

pub use assertion::{AssertionCallback, ClientAssertionCredential};
pub(crate) use cache::TokenCache;
pub use certificate::{AssertionAlgorithm, CertificateCredential, CertificateOptions};
pub(crate) use choice::CredentialChoice;
pub use choice::CredentialParts;
pub use client_secret::ClientSecretCredential;
pub use default::DefaultCredential;
pub use environment::{EnvSnapshot, EnvironmentCredential};
pub use managed_identity::{ManagedIdentityCredential, ManagedIdentityId};
pub use workload_identity::WorkloadIdentityCredential;

use std::sync::Arc;
use std::time::SystemTime;

use futures_util::future::BoxFuture;

use crate::error::Error;
use crate::secret::Secret;

/// A bearer token and when it stops being valid (`None`: never expires as far as we know).
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The token itself; prints as `***`.
    pub token: Secret,
    /// When it expires.
    pub expires_on: Option<SystemTime>,
}

impl AccessToken {
    /// A token that expires at `expires_on`.
    pub fn new(token: impl Into<Secret>, expires_on: Option<SystemTime>) -> Self {
        AccessToken {
            token: token.into(),
            expires_on,
        }
    }
}

/// Anything that can produce a token for Graph. The client caches what it returns (see `Client`), so an
/// implementation may be slow; it is asked again only near expiry or after Graph rejects its token.
pub trait TokenCredential: Send + Sync + 'static {
    /// A token for `scopes` (one scope: `{graph root}/.default`). Failures should be `ErrorKind::Credential`.
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>>;
}

impl<T: TokenCredential + ?Sized> TokenCredential for Arc<T> {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        (**self).get_token(scopes)
    }
}

/// A token you already have (from a script, a pipeline secret, `az account get-access-token`).
#[derive(Clone, Debug)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A token with no known expiry; Graph's 401 tells us when it is no good.
    pub fn new(token: impl Into<Secret>) -> Self {
        StaticToken(AccessToken::new(token, None))
    }
}

impl TokenCredential for StaticToken {
    fn get_token<'a>(&'a self, _scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

tokio::task_local! {
    /// The deadline of the call a token fetch serves: credentials that retry (managed identity) stop before it.
    static DEADLINE: tokio::time::Instant;
}

/// Run `f` (a token fetch) knowing the call's deadline.
pub(crate) async fn with_deadline<F: std::future::Future>(
    deadline: tokio::time::Instant,
    f: F,
) -> F::Output {
    DEADLINE.scope(deadline, f).await
}

/// The deadline of the call this token fetch serves, when the client set one.
pub(crate) fn call_deadline() -> Option<tokio::time::Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

/// `{authority}/{tenant}/oauth2/v2.0/token`, with the tenant and client ID checked.
pub(crate) fn token_url(
    authority: &str,
    tenant_id: &str,
    client_id: &str,
) -> Result<String, Error> {
    for (name, v) in [("tenant_id", tenant_id), ("client_id", client_id)] {
        if v.trim().is_empty() || v.len() > 256 || v.chars().any(char::is_control) {
            return Err(Error::invalid(format!(
                "{name} must be a non-empty ID without control characters"
            )));
        }
    }
    Ok(format!(
        "{}/{}/oauth2/v2.0/token",
        authority.trim_end_matches('/'),
        crate::http::encode_segment(tenant_id)
    ))
}

/// A stand-alone HTTP client for credentials built outside a `Client` (no redirects, ring as TLS provider).
pub(crate) fn standalone_http() -> Result<reqwest::Client, Error> {
    crate::http::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::invalid(format!("the HTTP client could not be built: {e}")))
}
