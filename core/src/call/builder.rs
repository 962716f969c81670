//! `ClientBuilder`: every option a caller can set, checked once when the client is built.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use super::client::{Client, ClientInner};
use super::clock::GraphClock;
use super::retry::RetryPolicy;
use crate::cloud::{ApiVersion, Cloud};
use crate::convert::duration_from_secs;
use crate::credential::{
    AssertionCallback, CertificateOptions, CredentialChoice, CredentialParts, EnvSnapshot,
    ManagedIdentityId, TokenCache, TokenCredential,
};
use crate::error::Error;
use crate::http::{checked_url, install_crypto_provider, user_agent};
use crate::secret::Secret;

/// Default deadline of one call: token fetch, every attempt and every wait together.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);

/// The longest a connect may take before it counts as a `Network` failure (nothing was sent).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The options every front door takes as text, applied by [`ClientBuilder::text_options`] in one go: each binding
/// fills it from its own types instead of calling the setters one by one. `None` leaves the default.
#[derive(Default)]
pub struct TextOptions {
    /// Graph URL with the version (see [`ClientBuilder::base_url`]).
    pub base_url: Option<String>,
    /// Token endpoint authority (see [`ClientBuilder::authority_url`]).
    pub authority_url: Option<String>,
    /// Cloud name (see [`ClientBuilder::cloud_name`]).
    pub cloud: Option<String>,
    /// `v1.0` or `beta` (see [`ClientBuilder::api_version_name`]).
    pub api_version: Option<String>,
    /// An extra CA: a PEM file's path or the PEM itself (see [`ClientBuilder::ca_cert_path_or_pem`]).
    pub ca_cert: Option<String>,
    /// Proxy URL (see [`ClientBuilder::proxy`]).
    pub proxy: Option<String>,
}

/// Builds a [`Client`]. Only the credential is required. Setters that parse (names, numbers, files) keep the first
/// problem and report it from [`ClientBuilder::build`], so a binding can pass its arguments straight through.
pub struct ClientBuilder {
    pending: Option<Error>,
    credential: Option<CredentialChoice>,
    cloud: Cloud,
    api_version: ApiVersion,
    base_url: Option<String>,
    authority_url: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
    ca_pems: Vec<Vec<u8>>,
    proxy: Option<String>,
    user_agent_suffix: Option<String>,
    env: Option<EnvSnapshot>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("cloud", &self.cloud)
            .field("api_version", &self.api_version)
            .field("base_url", &self.base_url)
            .field("authority_url", &self.authority_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            pending: None,
            credential: None,
            cloud: Cloud::Global,
            api_version: ApiVersion::V1,
            base_url: None,
            authority_url: None,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            ca_pems: Vec::new(),
            proxy: None,
            user_agent_suffix: None,
            env: None,
        }
    }
}

impl Client {
    /// Start building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}

impl ClientBuilder {
    /// Any [`TokenCredential`]; its tokens are cached by the client.
    pub fn credential(mut self, credential: impl TokenCredential) -> Self {
        self.credential = Some(CredentialChoice::Custom(Arc::new(credential)));
        self
    }
    /// A shared [`TokenCredential`].
    pub fn credential_arc(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.credential = Some(CredentialChoice::Custom(credential));
        self
    }
    /// A bearer token you already have.
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Some(CredentialChoice::Static(token.into()));
        self
    }
    /// The client-credentials flow for an app registration with a client secret.
    pub fn client_secret(
        mut self,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        secret: impl Into<Secret>,
    ) -> Self {
        self.credential = Some(CredentialChoice::ClientSecret {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            secret: secret.into(),
        });
        self
    }
    /// The client-credentials flow with a certificate: `path` is PEM (certificate + unencrypted RSA key) or
    /// PKCS#12/PFX (`password` opens it). Read when the client is built; PS256 assertions.
    pub fn client_certificate(
        self,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        path: impl Into<std::path::PathBuf>,
        password: Option<Secret>,
    ) -> Self {
        self.client_certificate_with(
            tenant_id,
            client_id,
            path,
            password,
            CertificateOptions::default(),
        )
    }
    /// [`ClientBuilder::client_certificate`] with options (RS256, `x5c`, a separate PEM key file).
    pub fn client_certificate_with(
        mut self,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        path: impl Into<std::path::PathBuf>,
        password: Option<Secret>,
        options: CertificateOptions,
    ) -> Self {
        self.credential = Some(CredentialChoice::Certificate {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            path: path.into(),
            password,
            options,
        });
        self
    }
    /// The client-credentials flow with a client assertion from `callback`, asked at each token fetch.
    pub fn client_assertion(
        mut self,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        callback: AssertionCallback,
    ) -> Self {
        self.credential = Some(CredentialChoice::Assertion {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            callback,
        });
        self
    }
    /// Workload identity federation from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE` (and
    /// `AZURE_AUTHORITY_HOST`).
    pub fn workload_identity(mut self) -> Self {
        self.credential = Some(CredentialChoice::WorkloadIdentity);
        self
    }
    /// The managed identity of the Azure resource this runs on (IMDS, or App Service when `IDENTITY_ENDPOINT` and
    /// `IDENTITY_HEADER` are set).
    pub fn managed_identity(mut self, id: ManagedIdentityId) -> Self {
        self.credential = Some(CredentialChoice::ManagedIdentity(id));
        self
    }
    /// A client secret or certificate from `AZURE_*` variables (azure-identity's `EnvironmentCredential`).
    pub fn environment_credential(mut self) -> Self {
        self.credential = Some(CredentialChoice::Environment);
        self
    }
    /// The default chain: environment, then workload identity, then managed identity.
    pub fn default_credential(mut self) -> Self {
        self.credential = Some(CredentialChoice::Default);
        self
    }
    /// Read credential variables from `env` instead of the process's environment (tests; hosts that keep their
    /// configuration elsewhere).
    pub fn credential_env(mut self, env: EnvSnapshot) -> Self {
        self.env = Some(env);
        self
    }
    /// The cloud (default `Global`): decides the Graph root, the token authority and the token's scope.
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }
    /// `v1.0` (default) or `beta`. Ignored when a base URL is set (it names the version itself).
    pub fn api_version(mut self, v: ApiVersion) -> Self {
        self.api_version = v;
        self
    }
    /// Send Graph requests here instead (version included, e.g. `http://127.0.0.1:8080/v1.0`): an emulator or a
    /// test proxy. Plain `http://` only for loopback hosts. The token's scope still comes from the cloud.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    /// Fetch tokens from this authority instead of the cloud's (e.g. an emulator's).
    pub fn authority_url(mut self, url: impl Into<String>) -> Self {
        self.authority_url = Some(url.into());
        self
    }
    /// The deadline of one call: token fetch, every attempt and every wait (default 100 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }
    /// The whole retry policy.
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = p;
        self
    }
    /// Retries after the first attempt (default 3, at most 10).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry.max_retries = n;
        self
    }
    /// The most one call may wait between attempts, all waits added (default 180 s).
    pub fn max_total_wait(mut self, t: Duration) -> Self {
        self.retry.max_total_wait = t;
        self
    }
    /// Trust this CA (PEM, one or more certificates) besides the platform's roots.
    pub fn ca_cert_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pems.push(pem.into());
        self
    }
    /// Send everything through this proxy (`http://host:port`).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }
    /// Appended to the User-Agent in parentheses (bindings set `python/3.11` and the like).
    pub fn user_agent_suffix(mut self, s: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(s.into());
        self
    }

    fn fail(mut self, e: Error) -> Self {
        if self.pending.is_none() {
            self.pending = Some(e);
        }
        self
    }

    /// Apply every option given in `o`; the first one that does not parse is reported by [`ClientBuilder::build`].
    pub fn text_options(mut self, o: TextOptions) -> Self {
        if let Some(u) = o.base_url {
            self = self.base_url(u);
        }
        if let Some(u) = o.authority_url {
            self = self.authority_url(u);
        }
        if let Some(c) = o.cloud {
            self = self.cloud_name(&c);
        }
        if let Some(v) = o.api_version {
            self = self.api_version_name(&v);
        }
        if let Some(c) = o.ca_cert {
            self = self.ca_cert_path_or_pem(&c);
        }
        if let Some(p) = o.proxy {
            self = self.proxy(p);
        }
        self
    }

    /// Exactly one kind of credential out of loose parts (see [`CredentialParts`]).
    pub fn credential_parts(mut self, parts: CredentialParts) -> Self {
        match parts.resolve() {
            Ok(choice) => {
                self.credential = Some(choice);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// The cloud by name: `global`, `us_gov_l4` (`usGovL4`), `us_gov_l5` (`usGovL5`), `china`.
    pub fn cloud_name(self, name: &str) -> Self {
        match Cloud::from_name(name) {
            Some(c) => self.cloud(c),
            None => self.fail(Error::invalid(format!(
                "cloud '{name}' is not one of global, us_gov_l4, us_gov_l5, china"
            ))),
        }
    }

    /// The API version by name: `v1.0` or `beta`.
    pub fn api_version_name(self, name: &str) -> Self {
        match ApiVersion::from_name(name) {
            Some(v) => self.api_version(v),
            None => self.fail(Error::invalid(format!(
                "api_version '{name}' is not v1.0 or beta"
            ))),
        }
    }

    /// The deadline in (fractional) seconds, as bindings receive it.
    pub fn timeout_secs(self, secs: f64) -> Self {
        match duration_from_secs("timeout", secs) {
            Ok(d) => self.timeout(d),
            Err(e) => self.fail(e),
        }
    }

    /// An extra CA given either as PEM text or as the path of a PEM file.
    pub fn ca_cert_path_or_pem(self, value: &str) -> Self {
        if value.contains("-----BEGIN") {
            return self.ca_cert_pem(value.as_bytes().to_vec());
        }
        match std::fs::read(value) {
            Ok(pem) => self.ca_cert_pem(pem),
            Err(e) => self.fail(Error::invalid(format!(
                "ca_cert: cannot read '{value}': {e}"
            ))),
        }
    }

    /// Check every option and build the client. Nothing is sent.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.pending {
            return Err(e);
        }
        let credential = self.credential.ok_or_else(|| {
            Error::invalid(
                "a credential is required: a token, a client secret or a credential object",
            )
        })?;
        if self.timeout.is_zero() {
            return Err(Error::invalid("timeout must be longer than 0"));
        }
        self.retry.validate()?;
        let graph_base = match &self.base_url {
            Some(u) => checked_url("base_url", u)?,
            None => checked_url(
                "graph root",
                &format!("{}/{}", self.cloud.graph_root(), self.api_version.as_str()),
            )?,
        };
        refuse_other_cloud(&graph_base, &self.cloud)?;
        let authority = match &self.authority_url {
            Some(u) => checked_url("authority_url", u)?,
            None => checked_url("authority", self.cloud.authority())?,
        };
        let user_agent = user_agent(self.user_agent_suffix.as_deref())?;
        install_crypto_provider();

        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(user_agent)
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout))
            .tcp_nodelay(true);
        for pem in &self.ca_pems {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::invalid(format!("ca_cert is not a PEM certificate: {e}")))?;
            if certs.is_empty() {
                return Err(Error::invalid("ca_cert holds no PEM certificate"));
            }
            for c in certs {
                http = http.add_root_certificate(c);
            }
        }
        if let Some(p) = &self.proxy {
            let proxy = reqwest::Proxy::all(p.as_str())
                .map_err(|e| Error::invalid(format!("proxy is not a usable URL: {e}")))?;
            http = http.proxy(proxy);
        }
        let http = http
            .build()
            .map_err(|e| Error::invalid(format!("the HTTP client could not be built: {e}")))?;

        let env = self.env.clone().unwrap_or_else(EnvSnapshot::from_process);
        // An explicit authority wins; then AZURE_AUTHORITY_HOST for the credentials configured by variables.
        let env_authority = env.authority(self.authority_url.as_deref(), authority.as_str());
        if env_authority != authority.as_str() {
            checked_url("AZURE_AUTHORITY_HOST", &env_authority)?;
        }
        let tenant_id = credential.tenant_id(&env);
        let credential =
            credential.into_credential(&http, authority.as_str(), &env, &env_authority)?;
        let mut base = graph_base.to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        Ok(Client::from_inner(ClientInner {
            http,
            graph_base: base,
            tokens: TokenCache::new(credential, vec![self.cloud.scope()]),
            retry: self.retry,
            timeout: self.timeout,
            tenant_id,
            clock: GraphClock::default(),
        }))
    }
}

/// A token is minted for one cloud: refuse a base URL on another cloud's Graph host.
fn refuse_other_cloud(base: &Url, cloud: &Cloud) -> Result<(), Error> {
    let host = base.host_str().unwrap_or_default();
    for other in [Cloud::Global, Cloud::UsGovL4, Cloud::UsGovL5, Cloud::China] {
        let other_host = other.graph_root().trim_start_matches("https://");
        if host.eq_ignore_ascii_case(other_host) && other.graph_root() != cloud.graph_root() {
            return Err(Error::invalid(format!(
                "base_url points at {other_host}, another cloud's Graph than the one configured ({}); \
                 set the cloud instead",
                cloud.graph_root()
            )));
        }
    }
    Ok(())
}
