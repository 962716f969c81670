//! Each app's client certificate: made at start from the app's fixed test key, written as PEM (certificate + key)
//! and PFX, and registered with its SHA-1 and SHA-256 thumbprints. The privileged app also gets an expired
//! certificate, registered too, so that tests can see Entra ID's answer to one.

use std::path::{Path, PathBuf};

use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;

const PRIVILEGED_KEY: &str = include_str!("../../keys/privileged.key.pem");
const UNPRIVILEGED_KEY: &str = include_str!("../../keys/unprivileged.key.pem");
const READER_KEY: &str = include_str!("../../keys/reader.key.pem");

/// The password of every PFX file the emulator writes.
pub const PFX_PASSWORD: &str = "emulator-pfx-password";

/// A certificate registered on an app.
pub struct RegisteredCert {
    /// Index into the tenant's apps.
    pub app: usize,
    /// SHA-1 of the DER (`x5t`).
    pub sha1: Vec<u8>,
    /// SHA-256 of the DER (`x5t#S256`).
    pub sha256: Vec<u8>,
    /// The key's `RSAPublicKey` DER, to check signatures.
    pub public_key: Vec<u8>,
    /// Past its `notAfter`.
    pub expired: bool,
}

/// Files written for one app.
#[derive(Clone, Debug, Default)]
pub struct AppFiles {
    /// Certificate and key in one PEM file.
    pub pem: PathBuf,
    /// PKCS#12 with [`PFX_PASSWORD`].
    pub pfx: PathBuf,
}

/// The key PEM an app signs with: by role, so that the three printed apps differ.
pub fn key_for(privileged: bool, can_read: bool) -> &'static str {
    match (privileged, can_read) {
        (true, _) => PRIVILEGED_KEY,
        (false, true) => READER_KEY,
        (false, false) => UNPRIVILEGED_KEY,
    }
}

/// Make a self-signed certificate for `client_id` with `key_pem`; `expired` puts its validity in 2020.
fn make_cert(key_pem: &str, client_id: &str, expired: bool) -> Result<(String, Vec<u8>), String> {
    let err = |e: &dyn std::fmt::Display| format!("could not make an app certificate: {e}");
    let key = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(key_pem, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| err(&e))?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| err(&e))?;
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        format!("graph-emulator app {client_id}"),
    );
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    } else {
        params.not_before = rcgen::date_time_ymd(2025, 1, 1);
        params.not_after = rcgen::date_time_ymd(2045, 1, 1);
    }
    let cert = params.self_signed(&key).map_err(|e| err(&e))?;
    Ok((cert.pem(), cert.der().to_vec()))
}

/// The `RSAPublicKey` DER of a PKCS#8 PEM key.
pub fn public_key_of(key_pem: &str) -> Result<Vec<u8>, String> {
    use ring::signature::KeyPair;
    let der = PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| format!("bad test key: {e}"))?;
    let pair = ring::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
        .map_err(|e| format!("bad test key: {e}"))?;
    Ok(pair.public_key().as_ref().to_vec())
}

fn register(
    app: usize,
    der: &[u8],
    key_pem: &str,
    expired: bool,
) -> Result<RegisteredCert, String> {
    Ok(RegisteredCert {
        app,
        sha1: ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der)
            .as_ref()
            .to_vec(),
        sha256: ring::digest::digest(&ring::digest::SHA256, der)
            .as_ref()
            .to_vec(),
        public_key: public_key_of(key_pem)?,
        expired,
    })
}

fn write_pfx(path: &Path, key_pem: &str, cert_der: &[u8], alias: &str) -> Result<(), String> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let err = |e: &dyn std::fmt::Display| format!("could not write {}: {e}", path.display());
    let der = PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| err(&e))?;
    let key = PrivateKey::from_der(der.secret_pkcs8_der()).map_err(|e| err(&e))?;
    let cert = Certificate::from_der(cert_der).map_err(|e| err(&e))?;
    let chain = PrivateKeyChain::new(alias.as_bytes(), key, [cert]);
    let mut store = KeyStore::new();
    store.add_entry(alias, KeyStoreEntry::PrivateKeyChain(chain));
    let bytes = store.writer(PFX_PASSWORD).write().map_err(|e| err(&e))?;
    std::fs::write(path, bytes).map_err(|e| err(&e))
}

/// Certificates for every app (and an expired one for `expired_for`), written under `dir`.
pub fn make_all(
    apps: &[crate::tenant::App],
    expired_for: usize,
    dir: &Path,
) -> Result<(Vec<RegisteredCert>, Vec<AppFiles>, PathBuf), String> {
    let mut registered = Vec::new();
    let mut files = Vec::new();
    let mut expired_pem = PathBuf::new();
    for (i, app) in apps.iter().enumerate() {
        let key_pem = key_for(app.privileged, app.can_read());
        let (cert_pem, der) = make_cert(key_pem, &app.client_id, false)?;
        registered.push(register(i, &der, key_pem, false)?);
        let pem = dir.join(format!("app-{i}.pem"));
        std::fs::write(&pem, format!("{cert_pem}{key_pem}"))
            .map_err(|e| format!("could not write {}: {e}", pem.display()))?;
        let pfx = dir.join(format!("app-{i}.pfx"));
        write_pfx(&pfx, key_pem, &der, &format!("app-{i}"))?;
        files.push(AppFiles { pem, pfx });
        if i == expired_for {
            let (cert_pem, der) = make_cert(key_pem, &app.client_id, true)?;
            registered.push(register(i, &der, key_pem, true)?);
            expired_pem = dir.join(format!("app-{i}-expired.pem"));
            std::fs::write(&expired_pem, format!("{cert_pem}{key_pem}"))
                .map_err(|e| format!("could not write {}: {e}", expired_pem.display()))?;
        }
    }
    Ok((registered, files, expired_pem))
}
