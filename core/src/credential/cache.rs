//! Caches a credential's token: one fetch in flight however many calls wait, refreshed before it expires, and
//! still served while valid when a refresh fails (the refresh is tried again after a pause).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{Mutex, RwLock};

use super::{AccessToken, TokenCredential};
use crate::error::Error;
use crate::secret::Secret;

/// Libraries treat a token as expired this long before it really is.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// After a failed refresh, the still-valid token is served this long before the next refresh is tried.
const RETRY_REFRESH_AFTER: Duration = Duration::from_secs(30);

struct Cached {
    token: AccessToken,
    fetched: SystemTime,
    /// When a refresh last failed while this token was still valid.
    refresh_failed: Option<SystemTime>,
}

impl Cached {
    /// Fresh unless within the margin of expiry; short-lived tokens (under 10 minutes) are refreshed at half-life so
    /// that a 5-minute margin does not mean fetching before every call.
    fn fresh(&self, now: SystemTime) -> bool {
        let Some(exp) = self.token.expires_on else {
            return true;
        };
        let life = exp.duration_since(self.fetched).unwrap_or(Duration::ZERO);
        let margin = REFRESH_MARGIN.min(life / 2);
        match exp.checked_sub(margin) {
            Some(refresh_at) => now < refresh_at,
            None => false,
        }
    }

    /// Not expired yet (a token with no known expiry always is valid).
    fn valid(&self, now: SystemTime) -> bool {
        self.token.expires_on.is_none_or(|exp| now < exp)
    }

    /// Served without trying a refresh: fresh, or valid and a refresh failed less than a pause ago.
    fn usable(&self, now: SystemTime) -> bool {
        self.fresh(now)
            || (self.valid(now)
                && self.refresh_failed.is_some_and(|t| {
                    now.duration_since(t).unwrap_or(Duration::ZERO) < RETRY_REFRESH_AFTER
                }))
    }
}

/// The client's token cache over any [`TokenCredential`].
pub(crate) struct TokenCache {
    credential: Arc<dyn TokenCredential>,
    scopes: Vec<String>,
    cached: RwLock<Option<Cached>>,
    refresh: Mutex<()>,
}

impl TokenCache {
    pub(crate) fn new(credential: Arc<dyn TokenCredential>, scopes: Vec<String>) -> Self {
        TokenCache {
            credential,
            scopes,
            cached: RwLock::new(None),
            refresh: Mutex::new(()),
        }
    }

    /// A fresh token, fetching at most once however many callers wait; the fetch knows the call's `deadline`.
    pub(crate) async fn get(&self, deadline: tokio::time::Instant) -> Result<Secret, Error> {
        if let Some(t) = self.peek().await {
            return Ok(t);
        }
        let _only_one = self.refresh.lock().await;
        // Another caller may have refreshed while we waited for the lock.
        if let Some(t) = self.peek().await {
            return Ok(t);
        }
        let fetched = SystemTime::now();
        let result =
            crate::credential::with_deadline(deadline, self.credential.get_token(&self.scopes))
                .await;
        let mut guard = self.cached.write().await;
        match result {
            Ok(token) => {
                let secret = token.token.clone();
                tracing::debug!(expires_on = ?token.expires_on, "token fetched");
                *guard = Some(Cached {
                    token,
                    fetched,
                    refresh_failed: None,
                });
                Ok(secret)
            }
            Err(e) => match guard.as_mut() {
                // The old token still works: keep serving it, and try again after a pause.
                Some(c) if c.valid(SystemTime::now()) => {
                    tracing::warn!(error = %e, "token refresh failed; the cached token is still valid and is used");
                    c.refresh_failed = Some(SystemTime::now());
                    Ok(c.token.token.clone())
                }
                _ => Err(e),
            },
        }
    }

    async fn peek(&self) -> Option<Secret> {
        let guard = self.cached.read().await;
        let c = guard.as_ref()?;
        c.usable(SystemTime::now()).then(|| c.token.token.clone())
    }

    /// Graph rejected `rejected`: forget it (if it is still the cached one) so the next `get` fetches anew.
    pub(crate) async fn invalidate(&self, rejected: &Secret) {
        let mut guard = self.cached.write().await;
        if guard.as_ref().is_some_and(|c| &c.token.token == rejected) {
            *guard = None;
        }
    }
}
