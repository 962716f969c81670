//! Managed identity: the Azure VM instance metadata service (IMDS) or, where `IDENTITY_ENDPOINT` and
//! `IDENTITY_HEADER` are set, App Service / Functions / Automation. Retries follow Azure's IMDS guidance: 404, 408,
//! 429 and 5xx with exponential back-off, 410 (IMDS updating) for at least 70 s, never 400 (no such identity);
//! all inside the call's deadline.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::environment::EnvSnapshot;
use super::token_endpoint::seconds;
use super::{AccessToken, TokenCredential, call_deadline};
use crate::error::{Error, ErrorKind};
use crate::http::describe;
use crate::secret::Secret;

/// Where IMDS answers on every Azure VM.
pub const IMDS_URL: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// How long the first request of a chained (probing) managed identity waits for IMDS: off Azure nothing answers.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// Keep retrying 410 until this much time has passed (IMDS "available within 70 s").
const GONE_PATIENCE: Duration = Duration::from_secs(75);

/// Retries of 404/408/429/5xx and connection failures.
const MAX_TRANSIENT_RETRIES: u32 = 5;

/// Which identity: the resource's own, or a user-assigned one named by one of its IDs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ManagedIdentityId {
    /// The system-assigned identity.
    #[default]
    SystemAssigned,
    /// A user-assigned identity by client ID.
    ClientId(String),
    /// A user-assigned identity by object (principal) ID.
    ObjectId(String),
    /// A user-assigned identity by Azure resource ID.
    ResourceId(String),
}

#[derive(Clone, Debug)]
enum Source {
    Imds { url: String },
    AppService { url: String, header: Secret },
}

/// Tokens from the managed identity of the Azure resource this runs on.
pub struct ManagedIdentityCredential {
    source: Source,
    id: ManagedIdentityId,
    http: reqwest::Client,
    /// In a chain, the first IMDS request is a probe with a short timeout (off Azure, IMDS hangs).
    probing: AtomicBool,
}

impl std::fmt::Debug for ManagedIdentityCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Imds { url } => format!("IMDS {url}"),
            Source::AppService { url, .. } => format!("App Service {url}"),
        };
        f.debug_struct("ManagedIdentityCredential")
            .field("source", &source)
            .field("id", &self.id)
            .finish()
    }
}

#[derive(Deserialize)]
struct MiAnswer {
    access_token: Option<String>,
    expires_on: Option<serde_json::Value>,
    expires_in: Option<serde_json::Value>,
}

impl ManagedIdentityCredential {
    /// The identity `id`, found as azure-identity finds it: App Service when `IDENTITY_ENDPOINT` and
    /// `IDENTITY_HEADER` are set, else IMDS (at `AZURE_POD_IDENTITY_AUTHORITY_HOST` if set).
    pub fn new(id: ManagedIdentityId) -> Result<Self, Error> {
        Self::resolve(&EnvSnapshot::from_process(), id, false)
    }

    /// From `env` (see [`ManagedIdentityCredential::new`]); `probing` makes the first IMDS request short. Its requests
    /// never go through a proxy, whatever the client's `proxy` or `HTTP(S)_PROXY` say: IMDS is a link-local address a
    /// proxy cannot reach, and App Service's endpoint is on the same host, its header and the token in clear over
    /// `http://` (azure-identity bypasses proxies for both for the same reasons).
    pub(crate) fn resolve(
        env: &EnvSnapshot,
        id: ManagedIdentityId,
        probing: bool,
    ) -> Result<Self, Error> {
        let source = match (env.get("IDENTITY_ENDPOINT"), env.get("IDENTITY_HEADER")) {
            (Some(url), Some(header)) => Source::AppService {
                url: checked(url)?,
                header: Secret::new(header),
            },
            _ => Source::Imds {
                url: match env.get("AZURE_POD_IDENTITY_AUTHORITY_HOST") {
                    Some(host) => checked(&format!(
                        "{}/metadata/identity/oauth2/token",
                        host.trim_end_matches('/')
                    ))?,
                    None => IMDS_URL.to_string(),
                },
            },
        };
        for v in match &id {
            ManagedIdentityId::SystemAssigned => vec![],
            ManagedIdentityId::ClientId(v)
            | ManagedIdentityId::ObjectId(v)
            | ManagedIdentityId::ResourceId(v) => vec![v],
        } {
            if v.trim().is_empty() || v.len() > 1024 || v.chars().any(char::is_control) {
                return Err(Error::invalid(
                    "a managed identity ID must be non-empty, without control characters",
                ));
            }
        }
        Ok(ManagedIdentityCredential {
            source,
            id,
            http: identity_http()?,
            probing: AtomicBool::new(probing),
        })
    }

    /// A short description for the default chain's messages.
    pub(crate) fn describe_source(&self) -> String {
        match &self.source {
            Source::Imds { url } => format!("IMDS at {url}"),
            Source::AppService { url, .. } => format!("App Service endpoint {url}"),
        }
    }

    fn request(&self, resource: &str) -> reqwest::RequestBuilder {
        let (url, version, res_param) = match &self.source {
            Source::Imds { url } => (url, "2018-02-01", "msi_res_id"),
            Source::AppService { url, .. } => (url, "2019-08-01", "mi_res_id"),
        };
        let mut query = vec![("api-version", version), ("resource", resource)];
        match &self.id {
            ManagedIdentityId::SystemAssigned => {}
            ManagedIdentityId::ClientId(v) => query.push(("client_id", v)),
            ManagedIdentityId::ObjectId(v) => query.push(("object_id", v)),
            ManagedIdentityId::ResourceId(v) => query.push((res_param, v)),
        }
        let url =
            url::Url::parse_with_params(url, &query).expect("the endpoint was checked as a URL");
        let req = self.http.get(url).header("Metadata", "true");
        match &self.source {
            Source::Imds { .. } => req,
            Source::AppService { header, .. } => req.header("X-IDENTITY-HEADER", header.expose()),
        }
    }

    async fn fetch(&self, scopes: &[String]) -> Result<AccessToken, Error> {
        let [scope] = scopes else {
            return Err(Error::invalid("managed identity takes exactly one scope"));
        };
        let resource = scope.strip_suffix("/.default").unwrap_or(scope);
        let started = tokio::time::Instant::now();
        let deadline = call_deadline();
        let mut attempt = 0u32;
        loop {
            let mut req = self.request(resource);
            let probe = self.probing.load(Ordering::Relaxed);
            if probe {
                req = req.timeout(PROBE_TIMEOUT);
            } else if let Some(d) = deadline {
                req = req.timeout(d.saturating_duration_since(tokio::time::Instant::now()));
            }
            let sent = SystemTime::now();
            let (status, error) = match req.send().await {
                Err(e) if probe => {
                    return Err(Error::new(
                        ErrorKind::Credential,
                        format!(
                            "{} did not answer within {} s (not running on Azure?): {}",
                            self.describe_source(),
                            PROBE_TIMEOUT.as_secs(),
                            describe(&e)
                        ),
                    ));
                }
                Err(e) => (
                    None,
                    Error::new(
                        ErrorKind::Credential,
                        format!(
                            "{} could not be reached: {}",
                            self.describe_source(),
                            describe(&e)
                        ),
                    ),
                ),
                Ok(resp) => {
                    self.probing.store(false, Ordering::Relaxed);
                    let status = resp.status().as_u16();
                    let body = resp.bytes().await.unwrap_or_default();
                    if (200..300).contains(&status) {
                        return parse(&body, sent, &self.describe_source());
                    }
                    (
                        Some(status),
                        answer_error(status, &body, &self.describe_source()),
                    )
                }
            };
            let Some(wait) = retry_wait(status, attempt, started.elapsed()) else {
                return Err(error);
            };
            if deadline.is_some_and(|d| tokio::time::Instant::now() + wait >= d) {
                let e = Error::new(
                    ErrorKind::Credential,
                    format!(
                        "{} (gave up after {} attempts: the next retry would pass the call's deadline)",
                        error.message(),
                        attempt + 1
                    ),
                );
                return Err(match status {
                    Some(s) => e.with_status(s),
                    None => e,
                });
            }
            tracing::debug!(?status, ?wait, "managed identity retry");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// The wait before retry `attempt + 1` after `status` (`None`: no answer), `elapsed` since the first request; `None`
/// when this failure is final.
pub(crate) fn retry_wait(status: Option<u16>, attempt: u32, elapsed: Duration) -> Option<Duration> {
    match status {
        // IMDS is being updated: every 2, 4, 8, then 16 s, until it has had its 70 s.
        Some(410) => (elapsed < GONE_PATIENCE).then(|| Duration::from_secs(2u64 << attempt.min(3))),
        None | Some(404 | 408 | 429 | 500..=599) => {
            (attempt < MAX_TRANSIENT_RETRIES).then(|| Duration::from_secs(1u64 << attempt))
        }
        _ => None,
    }
}

fn answer_error(status: u16, body: &[u8], source: &str) -> Error {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let code = v["error"].as_str().map(str::to_string);
    let text = v["error_description"]
        .as_str()
        .or(v["message"].as_str())
        .unwrap_or("")
        .trim()
        .chars()
        .take(500)
        .collect::<String>();
    let hint = if status == 400 {
        " (HTTP 400: no such identity is assigned to this resource, or the request was refused)"
    } else {
        ""
    };
    Error::new(
        ErrorKind::Credential,
        format!(
            "{source} answered HTTP {status}: {}{}{hint}",
            code.as_deref().unwrap_or("no error code"),
            if text.is_empty() {
                String::new()
            } else {
                format!(": {text}")
            }
        ),
    )
    .with_status(status)
    .with_graph(code, None, None)
}

fn parse(body: &[u8], sent: SystemTime, source: &str) -> Result<AccessToken, Error> {
    let answer: MiAnswer = serde_json::from_slice(body).map_err(|_| {
        Error::new(
            ErrorKind::Credential,
            format!("{source} answered without a JSON token"),
        )
    })?;
    let Some(token) = answer.access_token.filter(|t| !t.is_empty()) else {
        return Err(Error::new(
            ErrorKind::Credential,
            format!("{source} answered without a token"),
        ));
    };
    let expires = match seconds(answer.expires_on.as_ref()) {
        Some(on) => Some(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(on.min(1e11))),
        None => {
            seconds(answer.expires_in.as_ref()).map(|s| sent + Duration::from_secs_f64(s.min(1e9)))
        }
    };
    Ok(AccessToken::new(token, expires))
}

/// The client for identity endpoints: no proxy of any kind (not even the environment's), no redirects.
fn identity_http() -> Result<reqwest::Client, Error> {
    crate::http::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(crate::http::user_agent(None)?)
        .build()
        .map_err(|e| Error::invalid(format!("the HTTP client could not be built: {e}")))
}

/// `http://` only to loopback and the link-local IMDS address; anything else must be `https://`.
fn checked(url: &str) -> Result<String, Error> {
    let u = url::Url::parse(url.trim())
        .map_err(|e| Error::invalid(format!("the managed identity endpoint is not a URL: {e}")))?;
    let local = match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_link_local(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match u.scheme() {
        "https" => Ok(u.to_string()),
        "http" if local => Ok(u.to_string()),
        _ => Err(Error::invalid(format!(
            "the managed identity endpoint {u} must be https://, or http:// to a loopback or link-local address"
        ))),
    }
}

impl TokenCredential for ManagedIdentityCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(self.fetch(scopes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gone_is_retried_for_at_least_70_seconds_and_bad_request_never() {
        let mut elapsed = Duration::ZERO;
        let mut attempt = 0;
        while let Some(w) = retry_wait(Some(410), attempt, elapsed) {
            elapsed += w;
            attempt += 1;
        }
        assert!(
            elapsed >= Duration::from_secs(70),
            "410 given up after {elapsed:?}"
        );
        assert!(
            elapsed <= Duration::from_secs(100),
            "410 retried for {elapsed:?}"
        );
        assert_eq!(retry_wait(Some(400), 0, Duration::ZERO), None);
        assert_eq!(retry_wait(Some(401), 0, Duration::ZERO), None);
        for s in [404, 408, 429, 500, 503] {
            let waits: Vec<_> = (0..10)
                .map_while(|a| retry_wait(Some(s), a, Duration::ZERO))
                .collect();
            assert_eq!(waits.len(), MAX_TRANSIENT_RETRIES as usize, "{s}");
            assert_eq!(waits[0], Duration::from_secs(1));
            assert!(waits.windows(2).all(|w| w[1] == w[0] * 2), "{s}: {waits:?}");
        }
    }
}
