//! Where tokens come from: the `TokenCredential` trait, a static token, and the client-credentials flow.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;
use crate::target::encode_segment;

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

/// The OAuth 2.0 client-credentials flow against Microsoft Entra ID:
/// `POST {authority}/{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials`.
pub struct ClientSecretCredential {
    token_url: String,
    client_id: String,
    secret: Secret,
    http: reqwest::Client,
}

impl std::fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    error: Option<String>,
    error_description: Option<String>,
}

impl ClientSecretCredential {
    /// A stand-alone credential for `tenant_id`/`client_id` at `authority` (e.g. `Cloud::Global.authority()`), with
    /// its own connection pool. Clients built with `ClientBuilder::client_secret` make one of these themselves,
    /// sharing their pool, CA and proxy.
    pub fn with_authority(
        authority: &str,
        tenant_id: &str,
        client_id: &str,
        secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        crate::builder::install_crypto_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::invalid(format!("the HTTP client could not be built: {e}")))?;
        ClientSecretCredential::new(http, authority, tenant_id, client_id, secret.into())
    }

    /// A credential for `tenant_id`/`client_id` at `authority` (e.g. `https://login.microsoftonline.com`),
    /// sending its requests through `http` (the client's own pool, with its CA and proxy settings).
    pub(crate) fn new(
        http: reqwest::Client,
        authority: &str,
        tenant_id: &str,
        client_id: &str,
        secret: Secret,
    ) -> Result<Self, Error> {
        for (name, v) in [("tenant_id", tenant_id), ("client_id", client_id)] {
            if v.trim().is_empty() || v.len() > 256 || v.chars().any(char::is_control) {
                return Err(Error::invalid(format!(
                    "{name} must be a non-empty ID without control characters"
                )));
            }
        }
        if secret.expose().is_empty() {
            return Err(Error::invalid("client_secret is empty"));
        }
        Ok(ClientSecretCredential {
            token_url: format!(
                "{}/{}/oauth2/v2.0/token",
                authority.trim_end_matches('/'),
                encode_segment(tenant_id)
            ),
            client_id: client_id.to_string(),
            secret,
            http,
        })
    }

    async fn fetch(&self, scopes: &[String]) -> Result<AccessToken, Error> {
        let scope = scopes.join(" ");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.secret.expose()),
            ("scope", scope.as_str()),
        ];
        let started = SystemTime::now();
        let resp = self
            .http
            .post(&self.token_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                Error::new(
                    ErrorKind::Credential,
                    format!(
                        "the token endpoint {} could not be reached: {}",
                        self.token_url,
                        describe(&e)
                    ),
                )
            })?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| {
            Error::new(
                ErrorKind::Credential,
                format!("the token endpoint's answer was cut off: {}", describe(&e)),
            )
            .with_status(status)
        })?;
        let answer: Option<TokenAnswer> = serde_json::from_slice(&body).ok();
        match answer {
            Some(TokenAnswer {
                access_token: Some(token),
                expires_in,
                ..
            }) if (200..300).contains(&status) => {
                let secs = match expires_in {
                    Some(serde_json::Value::Number(n)) => n.as_f64(),
                    Some(serde_json::Value::String(s)) => s.parse::<f64>().ok(),
                    _ => None,
                }
                .filter(|s| s.is_finite() && *s >= 0.0)
                .unwrap_or(3599.0)
                .min(1e9);
                Ok(AccessToken::new(
                    token,
                    Some(started + Duration::from_secs_f64(secs)),
                ))
            }
            Some(TokenAnswer {
                error: Some(code),
                error_description,
                ..
            }) => Err(Error::new(
                ErrorKind::Credential,
                format!(
                    "the token endpoint refused: {code}: {}",
                    error_description.unwrap_or_default().trim()
                ),
            )
            .with_status(status)
            .with_graph(Some(code), None, None)),
            _ => Err(Error::new(
                ErrorKind::Credential,
                format!("the token endpoint answered HTTP {status} without a token"),
            )
            .with_status(status)),
        }
    }
}

impl TokenCredential for ClientSecretCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(self.fetch(scopes))
    }
}

/// A reqwest error as one line, with its causes, never the request (whose body may hold a secret).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}
