//! Workload identity federation (AKS, any Kubernetes with the webhook): the service-account token in
//! `AZURE_FEDERATED_TOKEN_FILE` is the client assertion. The file is read at every token fetch because the kubelet
//! rotates it; tokens are cached, so that is rare.

use std::path::PathBuf;

use futures_util::future::BoxFuture;

use super::app::AppEndpoint;
use super::environment::{EnvSnapshot, Resolved};
use super::{AccessToken, TokenCredential, standalone_http};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// An app registration with a federated credential that trusts a Kubernetes service account (or any issuer whose
/// token is written to a file).
pub struct WorkloadIdentityCredential {
    app: AppEndpoint,
    token_file: PathBuf,
}

impl std::fmt::Debug for WorkloadIdentityCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkloadIdentityCredential")
            .field("app", &self.app)
            .field("token_file", &self.token_file)
            .finish()
    }
}

impl WorkloadIdentityCredential {
    /// A stand-alone credential reading `token_file` at each fetch.
    pub fn with_authority(
        authority: &str,
        tenant_id: &str,
        client_id: &str,
        token_file: impl Into<PathBuf>,
    ) -> Result<Self, Error> {
        Ok(WorkloadIdentityCredential {
            app: AppEndpoint::new(standalone_http()?, authority, tenant_id, client_id)?,
            token_file: token_file.into(),
        })
    }

    /// From `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_FEDERATED_TOKEN_FILE`, or why not.
    pub(crate) fn resolve(
        http: reqwest::Client,
        env: &EnvSnapshot,
        authority: &str,
    ) -> Resolved<Self> {
        let names = [
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
            "AZURE_FEDERATED_TOKEN_FILE",
        ];
        let missing = env.missing(&names);
        let (Some(tenant), Some(client), Some(file)) =
            (env.get(names[0]), env.get(names[1]), env.get(names[2]))
        else {
            return Ok(Err(format!("{} not set", missing.join(", "))));
        };
        Ok(Ok(WorkloadIdentityCredential {
            app: AppEndpoint::new(http, authority, tenant, client)?,
            token_file: PathBuf::from(file),
        }))
    }

    async fn read_token(&self) -> Result<Secret, Error> {
        // A small local file, read rarely (tokens are cached): a blocking read costs less than a thread hop.
        let text = std::fs::read_to_string(&self.token_file).map_err(|e| {
            Error::new(
                ErrorKind::Credential,
                format!(
                    "the federated token file '{}' cannot be read: {e}",
                    self.token_file.display()
                ),
            )
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(Error::new(
                ErrorKind::Credential,
                format!(
                    "the federated token file '{}' is empty",
                    self.token_file.display()
                ),
            ));
        }
        Ok(Secret::new(token))
    }
}

impl TokenCredential for WorkloadIdentityCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let assertion = self.read_token().await?;
            self.app.with_assertion(&assertion, scopes).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_prints_its_app_and_token_file_never_a_token() {
        let c = WorkloadIdentityCredential::with_authority(
            "https://login.example",
            "tenant",
            "client",
            "/var/run/secrets/token",
        )
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            shown.contains("WorkloadIdentityCredential")
                && shown.contains("/var/run/secrets/token"),
            "{shown}"
        );
    }
}
