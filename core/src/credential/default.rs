//! The production chain: environment → workload identity → managed identity, the first that is configured. Each
//! one skipped says why, and if the one chosen fails, its error lists every reason.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::environment::{EnvSnapshot, EnvironmentCredential};
use super::{
    AccessToken, ManagedIdentityCredential, ManagedIdentityId, TokenCredential,
    WorkloadIdentityCredential,
};
use crate::error::{Error, ErrorKind};

/// Environment variables, then workload identity, then managed identity (as azure-identity's
/// `DefaultAzureCredential` in its `prod` form; no developer tools).
pub struct DefaultCredential {
    inner: Arc<dyn TokenCredential>,
    chosen: String,
    skipped: Vec<String>,
}

impl std::fmt::Debug for DefaultCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DefaultCredential")
            .field("chosen", &self.chosen)
            .field("skipped", &self.skipped)
            .finish()
    }
}

impl DefaultCredential {
    /// From this process's variables, for the global cloud unless `AZURE_AUTHORITY_HOST` says otherwise.
    pub fn new() -> Result<Self, Error> {
        let env = EnvSnapshot::from_process();
        let authority = env.authority(None, crate::cloud::Cloud::Global.authority());
        Self::resolve(super::standalone_http()?, &env, &authority)
    }

    /// Pick the first configured credential.
    pub(crate) fn resolve(
        http: reqwest::Client,
        env: &EnvSnapshot,
        authority: &str,
    ) -> Result<Self, Error> {
        let mut skipped = Vec::new();
        match EnvironmentCredential::resolve(http.clone(), env, authority)? {
            Ok(c) => {
                return Ok(DefaultCredential {
                    inner: Arc::new(c),
                    chosen: "environment".into(),
                    skipped,
                });
            }
            Err(reason) => skipped.push(format!("environment: {reason}")),
        }
        match WorkloadIdentityCredential::resolve(http.clone(), env, authority)? {
            Ok(c) => {
                return Ok(DefaultCredential {
                    inner: Arc::new(c),
                    chosen: "workload identity".into(),
                    skipped,
                });
            }
            Err(reason) => skipped.push(format!("workload identity: {reason}")),
        }
        // AZURE_CLIENT_ID doubles as a user-assigned identity's client ID, as in azure-identity.
        let id = match env.get("AZURE_CLIENT_ID") {
            Some(c) => ManagedIdentityId::ClientId(c.to_string()),
            None => ManagedIdentityId::SystemAssigned,
        };
        let mi = ManagedIdentityCredential::resolve(env, id, true)?;
        Ok(DefaultCredential {
            chosen: format!("managed identity ({})", mi.describe_source()),
            inner: Arc::new(mi),
            skipped,
        })
    }

    /// Which credential the chain chose.
    pub fn chosen(&self) -> &str {
        &self.chosen
    }
}

impl TokenCredential for DefaultCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            self.inner.get_token(scopes).await.map_err(|e| {
                if self.skipped.is_empty() || e.kind() != ErrorKind::Credential {
                    return e;
                }
                let mut reasons = self.skipped.clone();
                reasons.push(format!("{}: {}", self.chosen, e.message()));
                let mut out = Error::new(
                    ErrorKind::Credential,
                    format!(
                        "no credential of the default chain worked; {}",
                        reasons.join("; ")
                    ),
                );
                if let Some(s) = e.status() {
                    out = out.with_status(s);
                }
                out
            })
        })
    }
}
