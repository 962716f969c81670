//! The client-credentials flow with a certificate: each token fetch sends a freshly signed client assertion.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::app::AppEndpoint;
use super::certificate_file::{self, KeyMaterial};
use super::{AccessToken, TokenCredential, jwt, standalone_http};
use crate::error::Error;
use crate::secret::Secret;

/// How the assertion is signed and which thumbprint it names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AssertionAlgorithm {
    /// RSASSA-PSS with SHA-256 and the `x5t#S256` header: what Entra ID documents today (the default).
    #[default]
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 and the SHA-1 `x5t` header: for ADFS and tenants that refuse PS256
    /// (`AADSTS5002730`).
    Rs256,
}

/// Options of a certificate credential.
#[derive(Clone, Debug, Default)]
pub struct CertificateOptions {
    /// PS256 (default) or RS256.
    pub algorithm: AssertionAlgorithm,
    /// Send the certificate chain in `x5c` (subject name/issuer authentication).
    pub send_certificate_chain: bool,
    /// For PEM: the private key's own file, when it is not in the certificate's file.
    pub key_path: Option<PathBuf>,
}

/// An app registration that proves itself with a certificate: PEM (certificate chain + unencrypted PKCS#8 or
/// PKCS#1 RSA key, one file or two) or PKCS#12/PFX with its password. The key never prints.
pub struct CertificateCredential {
    app: AppEndpoint,
    path: PathBuf,
    material: Arc<KeyMaterial>,
    options: CertificateOptions,
}

impl std::fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("app", &self.app)
            .field("path", &self.path)
            .field("options", &self.options)
            .field("key", &"***")
            .finish()
    }
}

impl CertificateCredential {
    /// A stand-alone credential for `tenant_id`/`client_id` at `authority` (e.g. `Cloud::Global.authority()`),
    /// reading `path` now (a PEM or PFX file; `password` opens a PFX).
    pub fn with_authority(
        authority: &str,
        tenant_id: &str,
        client_id: &str,
        path: impl AsRef<Path>,
        password: Option<Secret>,
        options: CertificateOptions,
    ) -> Result<Self, Error> {
        CertificateCredential::new(
            standalone_http()?,
            authority,
            tenant_id,
            client_id,
            path.as_ref(),
            password.as_ref(),
            options,
        )
    }

    /// As [`CertificateCredential::with_authority`], sending through `http` (the client's pool).
    pub(crate) fn new(
        http: reqwest::Client,
        authority: &str,
        tenant_id: &str,
        client_id: &str,
        path: &Path,
        password: Option<&Secret>,
        options: CertificateOptions,
    ) -> Result<Self, Error> {
        let app = AppEndpoint::new(http, authority, tenant_id, client_id)?;
        let material = certificate_file::load(path, options.key_path.as_deref(), password)?;
        Ok(CertificateCredential {
            app,
            path: path.to_path_buf(),
            material: Arc::new(material),
            options,
        })
    }
}

impl TokenCredential for CertificateCredential {
    fn get_token<'a>(&'a self, scopes: &'a [String]) -> BoxFuture<'a, Result<AccessToken, Error>> {
        Box::pin(async move {
            let assertion = jwt::client_assertion(
                &self.material,
                &self.app.client_id,
                &self.app.token_url,
                self.options.algorithm,
                self.options.send_certificate_chain,
            )?;
            self.app.with_assertion(&assertion, scopes).await
        })
    }
}
