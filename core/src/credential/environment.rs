//! Configuration from `AZURE_*` environment variables, with azure-identity's names and precedence: a client secret
//! (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`), else a certificate (`AZURE_CLIENT_CERTIFICATE_PATH`,
//! `AZURE_CLIENT_CERTIFICATE_PASSWORD`, `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN`); `AZURE_AUTHORITY_HOST` moves the
//! token endpoint (another cloud, an emulator).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::{
    AccessToken, CertificateCredential, CertificateOptions, ClientSecretCredential, TokenCredential,
};
use crate::error::Error;
use crate::secret::Secret;

/// Every variable any credential here reads.
const NAMES: [&str; 12] = [
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
    "AZURE_AUTHORITY_HOST",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "MSI_ENDPOINT",
];

/// The credential variables as read once (from the process, or given by a test). `Debug` shows names, not values.
#[derive(Clone, Default)]
pub struct EnvSnapshot(HashMap<String, String>);

impl std::fmt::Debug for EnvSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        f.debug_tuple("EnvSnapshot").field(&names).finish()
    }
}

impl EnvSnapshot {
    /// The variables of this process now.
    pub fn from_process() -> Self {
        EnvSnapshot(
            NAMES
                .iter()
                .filter_map(|n| std::env::var(n).ok().map(|v| (n.to_string(), v)))
                .collect(),
        )
    }

    /// Given variables (tests; a host that keeps its configuration elsewhere).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        EnvSnapshot(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// A variable's value, when set and not blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// The names among `names` that are not set.
    pub(crate) fn missing<'n>(&self, names: &[&'n str]) -> Vec<&'n str> {
        names
            .iter()
            .copied()
            .filter(|n| self.get(n).is_none())
            .collect()
    }

    /// `explicit` if the caller set one, else `AZURE_AUTHORITY_HOST` (a scheme is added if missing), else `fallback`.
    pub(crate) fn authority(&self, explicit: Option<&str>, fallback: &str) -> String {
        if let Some(a) = explicit {
            return a.to_string();
        }
        match self.get("AZURE_AUTHORITY_HOST") {
            Some(h) if h.contains("://") => h.to_string(),
            Some(h) => format!("https://{h}"),
            None => fallback.to_string(),
        }
    }
}

/// `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN` as azure-identity reads it: `1` or `true` (any case) turns it on.
fn send_certificate_chain(env: &EnvSnapshot) -> bool {
    env.get("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN")
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Whether a credential's variables are present: `Ok(None)` with the reason when they are not.
pub(crate) type Resolved<T> = Result<Result<T, String>, Error>;

/// A client secret or certificate credential configured by `AZURE_*` variables.
pub struct EnvironmentCredential {
    inner: Arc<dyn TokenCredential>,
    kind: &'static str,
}

impl std::fmt::Debug for EnvironmentCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvironmentCredential")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl EnvironmentCredential {
    /// From this process's variables, for the global cloud unless `AZURE_AUTHORITY_HOST` says otherwise.
    pub fn new() -> Result<Self, Error> {
        let env = EnvSnapshot::from_process();
        let authority = env.authority(None, crate::cloud::Cloud::Global.authority());
        match Self::resolve(super::standalone_http()?, &env, &authority)? {
            Ok(c) => Ok(c),
            Err(reason) => Err(Error::new(crate::error::ErrorKind::Credential, reason)),
        }
    }

    /// Which of a secret or a certificate the variables configure, or why neither.
    pub(crate) fn resolve(
        http: reqwest::Client,
        env: &EnvSnapshot,
        authority: &str,
    ) -> Resolved<Self> {
        let ids = env.missing(&["AZURE_TENANT_ID", "AZURE_CLIENT_ID"]);
        let (Some(tenant), Some(client)) = (env.get("AZURE_TENANT_ID"), env.get("AZURE_CLIENT_ID"))
        else {
            return Ok(Err(format!("{} not set", ids.join(" and "))));
        };
        if let Some(secret) = env.get("AZURE_CLIENT_SECRET") {
            let c =
                ClientSecretCredential::new(http, authority, tenant, client, Secret::new(secret))?;
            return Ok(Ok(EnvironmentCredential {
                inner: Arc::new(c),
                kind: "client secret",
            }));
        }
        if let Some(path) = env.get("AZURE_CLIENT_CERTIFICATE_PATH") {
            let send_chain = send_certificate_chain(env);
            let password = env
                .get("AZURE_CLIENT_CERTIFICATE_PASSWORD")
                .map(Secret::new);
            let c = CertificateCredential::new(
                http,
                authority,
                tenant,
                client,
                Path::new(path),
                password.as_ref(),
                CertificateOptions {
                    send_certificate_chain: send_chain,
                    ..CertificateOptions::default()
                },
            )?;
            return Ok(Ok(EnvironmentCredential {
                inner: Arc::new(c),
                kind: "certificate",
            }));
        }
        Ok(Err(
            "neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH is set".to_string(),
        ))
    }
}

impl TokenCredential for EnvironmentCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        self.inner.get_token(scopes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_prints_the_names_it_holds_never_their_values() {
        let env =
            EnvSnapshot::from_pairs([("AZURE_CLIENT_SECRET", "hush"), ("AZURE_TENANT_ID", "t")]);
        let shown = format!("{env:?}");
        assert!(
            shown.contains("AZURE_CLIENT_SECRET") && shown.contains("AZURE_TENANT_ID"),
            "{shown}"
        );
        assert!(!shown.contains("hush"), "{shown}");
    }

    #[test]
    fn the_authority_is_the_callers_else_the_variable_with_a_scheme_else_the_fallback() {
        let none = EnvSnapshot::from_pairs::<&str, &str>([]);
        assert_eq!(none.authority(None, "https://fallback"), "https://fallback");
        assert_eq!(
            none.authority(Some("http://127.0.0.1:1"), "x"),
            "http://127.0.0.1:1"
        );
        let bare = EnvSnapshot::from_pairs([("AZURE_AUTHORITY_HOST", "login.microsoftonline.us")]);
        assert_eq!(
            bare.authority(None, "x"),
            "https://login.microsoftonline.us"
        );
        assert_eq!(bare.authority(Some("https://given"), "x"), "https://given");
        let full = EnvSnapshot::from_pairs([("AZURE_AUTHORITY_HOST", "http://127.0.0.1:9")]);
        assert_eq!(full.authority(None, "x"), "http://127.0.0.1:9");
    }

    #[test]
    fn the_certificate_chain_is_sent_for_1_or_true_only() {
        for (value, on) in [
            ("1", true),
            ("true", true),
            ("TRUE", true),
            ("0", false),
            ("false", false),
            ("yes", false),
        ] {
            let env = EnvSnapshot::from_pairs([("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", value)]);
            assert_eq!(send_certificate_chain(&env), on, "{value}");
        }
        assert!(!send_certificate_chain(&EnvSnapshot::from_pairs::<
            &str,
            &str,
        >([])));
    }

    #[test]
    fn the_credential_says_which_kind_the_variables_made_and_no_secret() {
        let env = EnvSnapshot::from_pairs([
            ("AZURE_TENANT_ID", "tenant"),
            ("AZURE_CLIENT_ID", "client"),
            ("AZURE_CLIENT_SECRET", "hush"),
        ]);
        let c = EnvironmentCredential::resolve(
            super::super::standalone_http().unwrap(),
            &env,
            "https://login.example",
        )
        .unwrap()
        .unwrap();
        let shown = format!("{c:?}");
        assert!(shown.contains("client secret"), "{shown}");
        assert!(!shown.contains("hush"), "{shown}");
    }
}
