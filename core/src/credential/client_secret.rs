//! The client-credentials flow with a client secret.

use futures_util::future::BoxFuture;

use super::app::AppEndpoint;
use super::{AccessToken, TokenCredential, standalone_http, token_endpoint};
use crate::error::Error;
use crate::secret::Secret;

/// The OAuth 2.0 client-credentials flow against Microsoft Entra ID:
/// `POST {authority}/{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials` and a client secret.
pub struct ClientSecretCredential {
    app: AppEndpoint,
    secret: Secret,
}

impl std::fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("app", &self.app)
            .field("secret", &self.secret)
            .finish()
    }
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
        ClientSecretCredential::new(
            standalone_http()?,
            authority,
            tenant_id,
            client_id,
            secret.into(),
        )
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
        let app = AppEndpoint::new(http, authority, tenant_id, client_id)?;
        if secret.expose().is_empty() {
            return Err(Error::invalid("client_secret is empty"));
        }
        Ok(ClientSecretCredential { app, secret })
    }
}

impl TokenCredential for ClientSecretCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let scope = scopes.join(" ");
            let form = [
                ("grant_type", "client_credentials"),
                ("client_id", self.app.client_id.as_str()),
                ("client_secret", self.secret.expose()),
                ("scope", scope.as_str()),
            ];
            token_endpoint::request(&self.app.http, &self.app.token_url, &form).await
        })
    }
}
