//! A JavaScript credential as a core `TokenCredential`: the wrapper passes a function
//! `(scopes) => Promise<{ token, expiresOnTimestamp } | { causeId }>` (rejections already caught and numbered).

use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use intune_passcode::{AccessToken, Error, ErrorKind, TokenCredential};
use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

use crate::errors::JsCause;

/// What the wrapper's credential function resolves with.
#[napi(object)]
pub struct TokenAnswer {
    /// The bearer token.
    pub token: Option<String>,
    /// Epoch milliseconds (as `@azure/identity` gives it).
    pub expires_on_timestamp: Option<f64>,
    /// Set instead when `getToken` threw or rejected: the wrapper keeps the error under this number.
    pub cause_id: Option<u32>,
}

/// The callback type: called with the scopes, returns a Promise of a `TokenAnswer`.
/// Weak: a client holding a credential must not keep the process alive.
pub type CredentialFn =
    ThreadsafeFunction<Vec<String>, Promise<TokenAnswer>, Vec<String>, napi::Status, false, true>;

/// Calls the JavaScript credential through a thread-safe function.
pub struct JsCredential {
    pub callback: std::sync::Arc<CredentialFn>,
}

fn garbage(what: &str) -> Error {
    Error::new(
        ErrorKind::Credential,
        format!(
            "the credential's getToken returned {what}; expected {{ token: string, expiresOnTimestamp: number }}"
        ),
    )
}

impl TokenCredential for JsCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        let callback = self.callback.clone();
        let scopes = scopes.to_vec();
        Box::pin(async move {
            let promise = callback.call_async(scopes).await.map_err(|e| {
                Error::new(
                    ErrorKind::Credential,
                    format!("the credential could not be called: {}", e.reason),
                )
            })?;
            let answer = promise
                .await
                .map_err(|_| garbage("something that is not a token object"))?;
            if let Some(id) = answer.cause_id {
                return Err(Error::new(
                    ErrorKind::Credential,
                    "the credential's getToken threw or rejected",
                )
                .with_cause(Box::new(JsCause(id))));
            }
            let token = answer.token.ok_or_else(|| garbage("no token"))?;
            if token.is_empty() || !token.chars().all(|c| c.is_ascii_graphic()) {
                return Err(garbage("an empty or non-printable token"));
            }
            let expires_on = match answer.expires_on_timestamp {
                Some(ms) if ms.is_finite() && (0.0..1e14).contains(&ms) => {
                    Some(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(ms / 1000.0))
                }
                Some(_) => return Err(garbage("an expiresOnTimestamp out of range")),
                None => None,
            };
            Ok(AccessToken::new(token, expires_on))
        })
    }
}
