//! Reading a client certificate and its private key: PEM (certificate chain and an unencrypted PKCS#8 or PKCS#1 RSA
//! key, in one file or two) or PKCS#12/PFX with its password. Every failure is a `Credential` error that names the
//! file, never its contents.

use std::path::Path;

use ring::signature::{KeyPair, RsaKeyPair};
use rustls_pki_types::pem::{PemObject, SectionKind};

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// A certificate's private key, its chain (leaf first) and the leaf's thumbprints.
pub(crate) struct KeyMaterial {
    /// The RSA key that signs assertions.
    pub key: RsaKeyPair,
    /// DER certificates, the key's own first.
    pub chain: Vec<Vec<u8>>,
    /// SHA-1 of the leaf DER (`x5t`).
    pub sha1: Vec<u8>,
    /// SHA-256 of the leaf DER (`x5t#S256`).
    pub sha256: Vec<u8>,
}

fn fail(message: String) -> Error {
    Error::new(ErrorKind::Credential, message)
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| {
        fail(format!(
            "the certificate file '{}' cannot be read: {e}",
            path.display()
        ))
    })
}

/// Load `cert_path` (PEM or PFX, told apart by content) and, for PEM, the key from `key_path` if given (else from
/// the same file). `password` opens a PFX; PEM keys must be unencrypted.
pub(crate) fn load(
    cert_path: &Path,
    key_path: Option<&Path>,
    password: Option<&Secret>,
) -> Result<KeyMaterial, Error> {
    let bytes = read(cert_path)?;
    if is_pem(&bytes) {
        let key_bytes = match key_path {
            Some(k) => Some((read(k)?, k)),
            None => None,
        };
        let (key_src, key_name) = match &key_bytes {
            Some((b, p)) => (b.as_slice(), *p),
            None => (bytes.as_slice(), cert_path),
        };
        from_pem(&bytes, cert_path, key_src, key_name)
    } else {
        if key_path.is_some() {
            return Err(fail(format!(
                "'{}' is not PEM; a separate key file goes only with a PEM certificate",
                cert_path.display()
            )));
        }
        from_pfx(&bytes, cert_path, password)
    }
}

fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(10).any(|w| w == b"-----BEGIN")
}

fn from_pem(
    cert_bytes: &[u8],
    cert_path: &Path,
    key_bytes: &[u8],
    key_path: &Path,
) -> Result<KeyMaterial, Error> {
    let text = String::from_utf8_lossy(key_bytes);
    if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(fail(format!(
            "the private key in '{}' is encrypted; give it decrypted (openssl pkcs8 -topk8 -nocrypt) or as a PFX \
             with its password",
            key_path.display()
        )));
    }
    let mut certs = Vec::new();
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(cert_bytes) {
        match item {
            Ok((SectionKind::Certificate, der)) => certs.push(der),
            Ok(_) => {}
            Err(e) => {
                return Err(fail(format!(
                    "'{}' is not valid PEM: {e}",
                    cert_path.display()
                )));
            }
        }
    }
    let mut key = None;
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(key_bytes) {
        let Ok((kind, der)) = item else {
            return Err(fail(format!("'{}' is not valid PEM", key_path.display())));
        };
        let parsed = match kind {
            SectionKind::PrivateKey => RsaKeyPair::from_pkcs8(&der),
            SectionKind::RsaPrivateKey => RsaKeyPair::from_der(&der),
            SectionKind::EcPrivateKey => {
                return Err(not_rsa(key_path));
            }
            _ => continue,
        };
        key = Some(parsed.map_err(|e| key_error(&e, key_path))?);
        break;
    }
    let Some(key) = key else {
        return Err(fail(format!(
            "'{}' holds no private key: give an unencrypted PKCS#8 or PKCS#1 RSA key with the certificate, in the \
             same PEM file or a second one",
            key_path.display()
        )));
    };
    finish(key, certs, cert_path)
}

/// Why ring refused the key in `path`: another algorithm, or a broken RSA key.
fn key_error(e: &ring::error::KeyRejected, path: &Path) -> Error {
    if e.to_string().contains("WrongAlgorithm") {
        not_rsa(path)
    } else {
        fail(format!(
            "the private key in '{}' is not a usable RSA key ({e})",
            path.display()
        ))
    }
}

fn not_rsa(path: &Path) -> Error {
    fail(format!(
        "the private key in '{}' is not an RSA key; Entra ID client assertions are signed with RSA (PS256 or RS256)",
        path.display()
    ))
}

fn from_pfx(bytes: &[u8], path: &Path, password: Option<&Secret>) -> Result<KeyMaterial, Error> {
    let pw = password.map(Secret::expose).unwrap_or("");
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(bytes, pw).map_err(|e| match e {
        p12_keystore::error::Error::MacError(_) | p12_keystore::error::Error::UnpadError => {
            fail(format!(
                "the PFX file '{}' could not be opened: the password is wrong{}",
                path.display(),
                if password.is_none() {
                    " (none was given)"
                } else {
                    ""
                }
            ))
        }
        other => fail(format!(
            "'{}' is neither PEM nor a PKCS#12/PFX file that can be read: {other}",
            path.display()
        )),
    })?;
    let Some(bag) = archive.keys.first() else {
        return Err(fail(format!(
            "the PFX file '{}' holds no private key",
            path.display()
        )));
    };
    let key = RsaKeyPair::from_pkcs8(bag.key.as_der()).map_err(|e| key_error(&e, path))?;
    let certs = archive
        .certs
        .iter()
        .map(|c| c.cert.as_der().to_vec())
        .collect();
    finish(key, certs, path)
}

/// Put the key's own certificate first; refuse a file whose certificates are none of them the key's.
fn finish(key: RsaKeyPair, mut certs: Vec<Vec<u8>>, path: &Path) -> Result<KeyMaterial, Error> {
    if certs.is_empty() {
        return Err(fail(format!("'{}' holds no certificate", path.display())));
    }
    let public = key.public_key().as_ref().to_vec();
    let leaf = certs.iter().position(|der| {
        x509_parser::parse_x509_certificate(der).is_ok_and(|(_, c)| {
            c.public_key().subject_public_key.data.as_ref() == public.as_slice()
        })
    });
    let Some(leaf) = leaf else {
        return Err(fail(format!(
            "no certificate in '{}' belongs to the private key given with it (the certificate is another key's)",
            path.display()
        )));
    };
    let leaf_der = certs.remove(leaf);
    certs.insert(0, leaf_der);
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &certs[0])
        .as_ref()
        .to_vec();
    let sha256 = ring::digest::digest(&ring::digest::SHA256, &certs[0])
        .as_ref()
        .to_vec();
    Ok(KeyMaterial {
        key,
        chain: certs,
        sha1,
        sha256,
    })
}
