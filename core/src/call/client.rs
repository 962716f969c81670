//! `Client::reset_passcode`: one logical call, its attempts, its retries and its deadline.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, HeaderMap};
use tokio::time::{Instant, timeout_at};
use tracing::Instrument;

use super::classify::classify;
use super::clock::GraphClock;
use super::retry::{RetryPolicy, parse_retry_after};
use super::target::Target;
use crate::credential::TokenCache;
use crate::error::{Error, ErrorKind};
use crate::http::describe;
use crate::http::header;
use crate::outcome::ConfirmedBy;
use crate::outcome::Receipt;
use crate::pacing::{Pacer, Permit};

/// Most of an error body we read: Graph's are a few hundred bytes.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The Graph client: cheap to clone, safe to share between threads and tasks; one connection pool, one token cache.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) graph_base: String,
    pub(crate) tokens: TokenCache,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    /// The directory the credential belongs to, where the client knows it (journals record it).
    pub(crate) tenant_id: Option<String>,
    /// Graph's clock, measured from every answer's `Date`.
    pub(crate) clock: GraphClock,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("graph_base", &self.inner.graph_base)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Awaited once per call, just before its first attempt leaves, with its `client-request-id` and `sent_at`.
pub(crate) type Gate = dyn Fn(String, SystemTime) -> futures_util::future::BoxFuture<'static, Result<(), Error>>
    + Send
    + Sync;

/// Where a call stands between attempts.
struct Progress {
    client_request_id: String,
    deadline: Instant,
    attempts: u32,
    retries: u32,
    waited: Duration,
    /// Just before the first attempt was sent; `None` while nothing has been.
    sent_at: Option<SystemTime>,
}

impl Progress {
    /// Stamp an error with what this call knows.
    fn stamp(&self, e: Error) -> Error {
        e.with_ids(None, Some(self.client_request_id.clone()), None)
            .with_attempts(self.attempts)
            .with_sent_at(self.sent_at)
    }
}

impl Client {
    pub(crate) fn from_inner(inner: ClientInner) -> Client {
        Client {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn inner(&self) -> &ClientInner {
        &self.inner
    }

    /// The Graph URL this client sends to, version included, ending in `/`.
    pub fn graph_base(&self) -> &str {
        &self.inner.graph_base
    }

    /// The directory (tenant) the credential belongs to, where the client knows it (a bare token: `None`). Journals
    /// record it, and the cross-job check compares it.
    pub fn tenant_id(&self) -> Option<&str> {
        self.inner.tenant_id.as_deref()
    }

    /// The deadline of one call.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Reset (or on iOS/iPadOS remove) the passcode of one device. Retries only what Graph says was not executed
    /// (429, 503) and what was never sent; an answer that never came is `OutcomeUnknown`, never re-sent.
    pub async fn reset_passcode(&self, target: &Target) -> Result<Receipt, Error> {
        self.run(target, None).await
    }

    /// One logical call; with a pacer (bulk runs) each attempt first takes a pacing token, and the deadline starts
    /// once the first one is granted (queueing behind other devices of the run is not this call's time).
    pub(crate) async fn run(
        &self,
        target: &Target,
        pacer: Option<&Arc<Pacer>>,
    ) -> Result<Receipt, Error> {
        self.run_gated(target, pacer, None).await
    }

    /// `run`, with a gate awaited just before the first attempt leaves (the journal's intent): when it fails,
    /// nothing is sent.
    pub(crate) async fn run_gated(
        &self,
        target: &Target,
        pacer: Option<&Arc<Pacer>>,
        gate: Option<&Gate>,
    ) -> Result<Receipt, Error> {
        let first_permit = match pacer {
            Some(p) => Some(p.acquire().await),
            None => None,
        };
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let span = tracing::info_span!("reset_passcode", client_request_id = %client_request_id, target = %target);
        let progress = Progress {
            client_request_id,
            deadline: Instant::now() + self.inner.timeout,
            attempts: 0,
            retries: 0,
            waited: Duration::ZERO,
            sent_at: None,
        };
        self.attempts(target, pacer, first_permit, progress, gate)
            .instrument(span)
            .await
    }

    async fn attempts(
        &self,
        target: &Target,
        pacer: Option<&Arc<Pacer>>,
        mut permit: Option<Permit>,
        mut p: Progress,
        gate: Option<&Gate>,
    ) -> Result<Receipt, Error> {
        let inner = &*self.inner;
        let url = format!("{}{}", inner.graph_base, target.path());
        // After a 401 we retry once with a new token; if the credential hands back the same one, we stop.
        let mut rejected_token = None;
        let mut last_error: Option<Error> = None;
        loop {
            let token = match timeout_at(p.deadline, inner.tokens.get(p.deadline)).await {
                Ok(Ok(t)) => t,
                Ok(Err(e)) => return Err(p.stamp(e)),
                Err(_) => return Err(p.stamp(deadline_error(last_error, "fetching a token"))),
            };
            if rejected_token.as_ref() == Some(&token)
                && let Some(e) = last_error
            {
                return Err(e);
            }
            if permit.is_none()
                && let Some(pacer) = pacer
            {
                let t0 = Instant::now();
                match timeout_at(p.deadline, pacer.acquire()).await {
                    Ok(granted) => permit = Some(granted),
                    Err(_) => {
                        return Err(p.stamp(deadline_error(last_error, "waiting for pacing")));
                    }
                }
                p.waited += t0.elapsed();
            }

            p.attempts += 1;
            let mut req = inner
                .http
                .post(&url)
                .header(AUTHORIZATION, format!("Bearer {}", token.expose()))
                .header(ACCEPT, "application/json")
                .header("client-request-id", &p.client_request_id)
                .header(CONTENT_LENGTH, "0");
            if p.attempts > 1 {
                req = req.header("Retry-Attempt", (p.attempts - 1).to_string());
            }
            tracing::debug!(attempt = p.attempts, "sending");
            // Taken before the first attempt leaves: a record of this reset on the device cannot start earlier.
            if p.sent_at.is_none() {
                let now = SystemTime::now();
                if let Some(gate) = gate
                    && let Err(e) = gate(p.client_request_id.clone(), now).await
                {
                    if let Some(permit) = permit.take() {
                        permit.unsent();
                    }
                    return Err(p.stamp(e));
                }
                p.sent_at = Some(now);
            }
            let resp = match timeout_at(p.deadline, req.send()).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) if e.is_connect() => {
                    // Nothing reached Graph: safe to try again.
                    if let Some(permit) = permit.take() {
                        permit.unsent();
                    }
                    let err = p.stamp(Error::new(
                        ErrorKind::Network,
                        format!(
                            "could not connect to Graph; nothing was sent: {}",
                            describe(&e)
                        ),
                    ));
                    let wait = inner.retry.backoff(p.retries + 1);
                    if !self.may_wait(&p, wait) {
                        return Err(err);
                    }
                    tracing::warn!(
                        attempt = p.attempts,
                        wait_ms = wait.as_millis() as u64,
                        "connect failed; retrying"
                    );
                    self.wait(&mut p, wait).await;
                    last_error = Some(err);
                    continue;
                }
                Ok(Err(e)) => {
                    drop(permit.take());
                    return Err(p.stamp(Error::new(
                        ErrorKind::OutcomeUnknown,
                        format!(
                            "the connection failed after the request was sent; the passcode may or may not have \
                             been reset: {}",
                            describe(&e)
                        ),
                    )));
                }
                Err(_) => {
                    drop(permit.take());
                    return Err(p.stamp(Error::new(
                        ErrorKind::OutcomeUnknown,
                        "the deadline passed while waiting for Graph's answer; the passcode may or may not have \
                         been reset",
                    )));
                }
            };

            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            inner
                .clock
                .observe(header(&headers, "date").as_deref(), SystemTime::now());
            let retry_after = header(&headers, "retry-after")
                .and_then(|v| parse_retry_after(&v, SystemTime::now()));
            tracing::debug!(
                attempt = p.attempts,
                status,
                request_id = header(&headers, "request-id").as_deref().unwrap_or(""),
                "answered"
            );
            if (200..300).contains(&status) {
                // Drain whatever body came so the connection goes back to the pool.
                let _ = timeout_at(p.deadline, resp.bytes()).await;
                drop(permit.take());
                return Ok(self.receipt(status, &headers, &p));
            }
            let body = read_capped(resp, p.deadline, MAX_ERROR_BODY).await;
            drop(permit.take());
            let err = p.stamp(classify(status, &headers, &body).with_retry_after(retry_after));

            match status {
                429 | 503 => {
                    let wait = retry_after.unwrap_or_else(|| inner.retry.backoff(p.retries + 1));
                    if status == 429
                        && let Some(pacer) = pacer
                    {
                        pacer.pause_for(wait);
                    }
                    if !self.may_wait(&p, wait) {
                        return Err(err);
                    }
                    tracing::warn!(
                        attempt = p.attempts,
                        status,
                        wait_ms = wait.as_millis() as u64,
                        "not executed; retrying"
                    );
                    self.wait(&mut p, wait).await;
                    last_error = Some(err);
                }
                401 if rejected_token.is_none() => {
                    tracing::info!("token rejected; fetching a new one");
                    inner.tokens.invalidate(&token).await;
                    rejected_token = Some(token);
                    last_error = Some(err);
                }
                _ => return Err(err),
            }
        }
    }

    /// True when one more retry after `wait` fits the retry count, the total-wait budget and the deadline.
    fn may_wait(&self, p: &Progress, wait: Duration) -> bool {
        let policy = &self.inner.retry;
        p.retries < policy.max_retries
            && p.waited + wait <= policy.max_total_wait
            && Instant::now() + wait < p.deadline
    }

    async fn wait(&self, p: &mut Progress, wait: Duration) {
        tokio::time::sleep(wait).await;
        p.waited += wait;
        p.retries += 1;
    }

    fn receipt(&self, status: u16, headers: &HeaderMap, p: &Progress) -> Receipt {
        let r = Receipt {
            status,
            request_id: header(headers, "request-id"),
            client_request_id: p.client_request_id.clone(),
            date: header(headers, "date"),
            ags_diagnostic: header(headers, "x-ms-ags-diagnostic"),
            attempts: p.attempts,
            waited: p.waited,
            sent_at: p.sent_at.unwrap_or_else(SystemTime::now),
            confirmed_by: ConfirmedBy::Response,
            action: None,
            from_journal: false,
            held_by: None,
        };
        tracing::info!(
            status,
            request_id = r.request_id.as_deref().unwrap_or(""),
            attempts = r.attempts,
            "reset accepted"
        );
        r
    }
}

/// The error to report when the deadline passes between attempts: the last answer if there was one (it says why
/// we were waiting), else a plain `Timeout` (nothing was sent).
pub(crate) fn deadline_error(last: Option<Error>, during: &str) -> Error {
    last.unwrap_or_else(|| {
        Error::new(
            ErrorKind::Timeout,
            format!("the deadline passed while {during}; nothing was sent"),
        )
    })
}

/// Read at most `max` bytes of a body before the deadline; what cannot be read is left out.
pub(crate) async fn read_capped(
    mut resp: reqwest::Response,
    deadline: Instant,
    max: usize,
) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < max {
        match timeout_at(deadline, resp.chunk()).await {
            Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(max);
    body
}
