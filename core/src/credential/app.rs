//! An app registration's token endpoint: where its client-credentials requests go, and as which client.

use super::{AccessToken, token_endpoint, token_url};
use crate::error::Error;
use crate::secret::Secret;

/// The token URL, the client ID and the HTTP client every client-credentials flavour shares.
pub(crate) struct AppEndpoint {
    pub(crate) token_url: String,
    pub(crate) client_id: String,
    pub(crate) http: reqwest::Client,
}

impl std::fmt::Debug for AppEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppEndpoint")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .finish()
    }
}

impl AppEndpoint {
    /// `{authority}/{tenant}/oauth2/v2.0/token` for `client_id`, the IDs checked.
    pub(crate) fn new(
        http: reqwest::Client,
        authority: &str,
        tenant_id: &str,
        client_id: &str,
    ) -> Result<Self, Error> {
        Ok(AppEndpoint {
            token_url: token_url(authority, tenant_id, client_id)?,
            client_id: client_id.to_string(),
            http,
        })
    }

    /// Trade a client assertion for a token.
    pub(crate) async fn with_assertion(
        &self,
        assertion: &Secret,
        scopes: &[String],
    ) -> Result<AccessToken, Error> {
        token_endpoint::request_with_assertion(
            &self.http,
            &self.token_url,
            &self.client_id,
            assertion,
            scopes,
        )
        .await
    }
}
