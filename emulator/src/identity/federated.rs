//! Workload identity federation: a test issuer (like an AKS cluster's OIDC issuer) whose service-account token the
//! emulator writes to `federated_token_file`; the privileged app trusts that issuer and subject, so the token works
//! as its client assertion. Rotating writes a new token and revokes the old one, as a projected token's expiry
//! would, so a client that does not re-read the file fails.

use std::path::PathBuf;
use std::sync::Mutex;

use super::jwt::{self, Jwt};

const ISSUER_KEY: &str = include_str!("../../keys/issuer.key.pem");

/// The audience Entra ID expects on federated tokens.
pub const AUDIENCE: &str = "api://AzureADTokenExchange";
/// The test issuer's URL (never fetched).
pub const ISSUER: &str = "https://oidc.graph-emulator.invalid/cluster";
/// The service account the privileged app trusts.
pub const SUBJECT: &str = "system:serviceaccount:it-automation:intune-passcode";

/// The issuer's file and current token.
pub struct Federated {
    /// Where the current token is written.
    pub file: PathBuf,
    public_key: Vec<u8>,
    /// The only token accepted now (`jti`).
    current_jti: Mutex<String>,
    /// Tokens written so far.
    pub rotations: std::sync::atomic::AtomicU64,
}

/// Why a federated token was refused: `(AADSTS code and wording)`.
pub type Refusal = String;

impl Federated {
    /// Write the first token to `file`.
    pub fn new(file: PathBuf) -> Result<Federated, String> {
        let f = Federated {
            file,
            public_key: super::certs::public_key_of(ISSUER_KEY)?,
            current_jti: Mutex::new(String::new()),
            rotations: Default::default(),
        };
        f.rotate()?;
        Ok(f)
    }

    /// Write a new token (valid one hour) and revoke the previous one.
    pub fn rotate(&self) -> Result<(), String> {
        let now = jwt::now_secs();
        let jti = uuid::Uuid::new_v4().to_string();
        let token = jwt::sign_rs256(
            ISSUER_KEY,
            &serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "emulator-issuer"}),
            &serde_json::json!({
                "iss": ISSUER, "sub": SUBJECT, "aud": [AUDIENCE],
                "iat": now, "nbf": now, "exp": now + 3600, "jti": jti,
            }),
        )?;
        // Written whole then renamed, as the kubelet does, so a reader never sees half a token.
        let tmp = self.file.with_extension("tmp");
        std::fs::write(&tmp, token)
            .map_err(|e| format!("could not write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &self.file)
            .map_err(|e| format!("could not write {}: {e}", self.file.display()))?;
        *super::lock(&self.current_jti) = jti;
        self.rotations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// True when `assertion` claims to come from the test issuer (then [`Federated::check`] decides).
    pub fn is_ours(assertion: &Jwt) -> bool {
        assertion.claim("iss") == Some(ISSUER)
    }

    /// Check a federated assertion: signature, audience, subject, time, and that it is the current token.
    pub fn check(&self, t: &Jwt) -> Result<(), Refusal> {
        let aud_ok = match t.claims.get("aud") {
            Some(serde_json::Value::String(a)) => a == AUDIENCE,
            Some(serde_json::Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(AUDIENCE)),
            _ => false,
        };
        if t.head("alg") != Some("RS256") || !t.verify("RS256", &self.public_key) {
            return Err("AADSTS50013: Assertion failed signature validation.".into());
        }
        if !aud_ok || t.claim("sub") != Some(SUBJECT) {
            return Err(format!(
                "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '{ISSUER}'. Assertion Subject: '{}'. Assertion Audience: '{}'.",
                t.claim("sub").unwrap_or_default(),
                t.claims
                    .get("aud")
                    .map(|a| a.to_string())
                    .unwrap_or_default()
            ));
        }
        let now = jwt::now_secs();
        if t.time("exp").is_none_or(|exp| exp < now - 30) {
            return Err(
                "AADSTS700024: Client assertion is not within its valid time range.".into(),
            );
        }
        if t.claim("jti") != Some(super::lock(&self.current_jti).as_str()) {
            return Err("AADSTS700024: Client assertion is not within its valid time range. The federated token was rotated; this one is no longer accepted.".into());
        }
        Ok(())
    }
}
