//! The client assertion a certificate credential sends: a JWT signed with the certificate's key.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::certificate::AssertionAlgorithm;
use super::certificate_file::KeyMaterial;
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// How long an assertion is valid: Entra ID's documentation asks for "5-10 minutes after nbf at most".
const LIFETIME_SECS: u64 = 600;

/// A fresh assertion for `client_id` at `token_url`: `aud` the exact token URL, `iss` = `sub` = client ID, a new
/// `jti`, `nbf` = `iat` = now, `exp` = now + 10 min.
pub(crate) fn client_assertion(
    material: &KeyMaterial,
    client_id: &str,
    token_url: &str,
    alg: AssertionAlgorithm,
    send_chain: bool,
) -> Result<Secret, Error> {
    let mut header = serde_json::json!({"typ": "JWT"});
    match alg {
        AssertionAlgorithm::Ps256 => {
            header["alg"] = "PS256".into();
            header["x5t#S256"] = URL_SAFE_NO_PAD.encode(&material.sha256).into();
        }
        AssertionAlgorithm::Rs256 => {
            header["alg"] = "RS256".into();
            header["x5t"] = URL_SAFE_NO_PAD.encode(&material.sha1).into();
        }
    }
    if send_chain {
        // RFC 7515 §4.1.6: standard base64 (not url-safe) of each DER certificate, the key's own first.
        header["x5c"] = material
            .chain
            .iter()
            .map(|der| STANDARD.encode(der))
            .collect();
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let claims = serde_json::json!({
        "aud": token_url,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now,
        "iat": now,
        "exp": now + LIFETIME_SECS,
    });
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let padding: &'static dyn ring::signature::RsaEncoding = match alg {
        AssertionAlgorithm::Ps256 => &ring::signature::RSA_PSS_SHA256,
        AssertionAlgorithm::Rs256 => &ring::signature::RSA_PKCS1_SHA256,
    };
    let mut sig = vec![0; material.key.public().modulus_len()];
    material
        .key
        .sign(
            padding,
            &ring::rand::SystemRandom::new(),
            signed.as_bytes(),
            &mut sig,
        )
        .map_err(|_| {
            Error::new(
                ErrorKind::Credential,
                "the client assertion could not be signed",
            )
        })?;
    Ok(Secret::new(format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(sig)
    )))
}
