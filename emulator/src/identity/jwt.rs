//! Just enough JWT for the emulator: split and decode leniently (clients pad, use either base64 alphabet), verify
//! an RS256 or PS256 signature, and sign the test issuer's RS256 tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A decoded JWT.
pub struct Jwt {
    /// The header object.
    pub header: serde_json::Value,
    /// The claims object.
    pub claims: serde_json::Value,
    /// `header.claims`, the signed bytes.
    pub signed: String,
    /// The signature.
    pub signature: Vec<u8>,
}

/// Base64url without padding, or with it, or in the standard alphabet: what clients send.
pub fn b64_lenient(s: &str) -> Option<Vec<u8>> {
    let clean: String = s
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(clean).ok()
}

/// Split and decode; `None` when it is not three base64 segments with JSON objects in the first two.
pub fn decode(token: &str) -> Option<Jwt> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return None;
    };
    let header: serde_json::Value = serde_json::from_slice(&b64_lenient(h)?).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&b64_lenient(c)?).ok()?;
    if !header.is_object() || !claims.is_object() {
        return None;
    }
    Some(Jwt {
        header,
        claims,
        signed: format!("{h}.{c}"),
        signature: b64_lenient(s)?,
    })
}

impl Jwt {
    /// A header field as text.
    pub fn head(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(|v| v.as_str())
    }
    /// A claim as text.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(|v| v.as_str())
    }
    /// A numeric claim (seconds since 1970).
    pub fn time(&self, name: &str) -> Option<i64> {
        let v = self.claims.get(name)?;
        v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
    }
    /// True when `public_key` (`RSAPublicKey` DER) verifies the signature under `alg` (PS256 or RS256).
    pub fn verify(&self, alg: &str, public_key: &[u8]) -> bool {
        let params: &dyn ring::signature::VerificationAlgorithm = match alg {
            "PS256" => &ring::signature::RSA_PSS_2048_8192_SHA256,
            "RS256" => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            _ => return false,
        };
        ring::signature::UnparsedPublicKey::new(params, public_key)
            .verify(self.signed.as_bytes(), &self.signature)
            .is_ok()
    }
}

/// An RS256 JWT signed with `key` (PKCS#8 PEM).
pub fn sign_rs256(
    key_pem: &str,
    header: &serde_json::Value,
    claims: &serde_json::Value,
) -> Result<String, String> {
    use rustls_pki_types::PrivatePkcs8KeyDer;
    use rustls_pki_types::pem::PemObject;
    let der = PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| e.to_string())?;
    let pair = ring::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
        .map_err(|e| e.to_string())?;
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signed.as_bytes(),
        &mut sig,
    )
    .map_err(|e| e.to_string())?;
    Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// Seconds since 1970, now.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
