//! The client-credentials flow with a client assertion the caller supplies: any OIDC federation (GitHub Actions,
//! another cloud, a custom signer).

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::app::AppEndpoint;
use super::{AccessToken, TokenCredential, standalone_http};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// Returns a fresh client assertion (a JWT) each time it is called.
pub type AssertionCallback =
    Arc<dyn Fn() -> BoxFuture<'static, Result<Secret, Error>> + Send + Sync>;

/// An app registration that proves itself with a JWT from a callback, asked anew at every token fetch.
pub struct ClientAssertionCredential {
    app: AppEndpoint,
    callback: AssertionCallback,
}

impl std::fmt::Debug for ClientAssertionCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAssertionCredential")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

impl ClientAssertionCredential {
    /// A stand-alone credential for `tenant_id`/`client_id` at `authority`.
    pub fn with_authority(
        authority: &str,
        tenant_id: &str,
        client_id: &str,
        callback: AssertionCallback,
    ) -> Result<Self, Error> {
        ClientAssertionCredential::new(
            standalone_http()?,
            authority,
            tenant_id,
            client_id,
            callback,
        )
    }

    pub(crate) fn new(
        http: reqwest::Client,
        authority: &str,
        tenant_id: &str,
        client_id: &str,
        callback: AssertionCallback,
    ) -> Result<Self, Error> {
        Ok(ClientAssertionCredential {
            app: AppEndpoint::new(http, authority, tenant_id, client_id)?,
            callback,
        })
    }
}

impl TokenCredential for ClientAssertionCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let assertion = (self.callback)().await?;
            if assertion.expose().trim().is_empty() {
                return Err(Error::new(
                    ErrorKind::Credential,
                    "the client assertion callback returned an empty assertion",
                ));
            }
            self.app.with_assertion(&assertion, scopes).await
        })
    }
}
