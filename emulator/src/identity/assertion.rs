//! Client assertions signed with an app's certificate, checked as Entra ID does, each failure with its AADSTS code:
//! the thumbprint header names a registered certificate, `alg` fits it, the signature verifies, `aud` is the exact
//! token URL, `iss` and `sub` are the client ID, the time window holds and `jti` is present.

use super::certs::RegisteredCert;
use super::jwt::{self, Jwt};

/// Clock skew tolerated on `nbf` and `exp`, in seconds.
const SKEW: i64 = 300;

/// Check `t` for app `app` (client `client_id`) at `token_url`; `Err((status, error, description))`.
pub fn check(
    t: &Jwt,
    app: usize,
    client_id: &str,
    token_url: &str,
    certs: &[RegisteredCert],
) -> Result<(), (u16, &'static str, String)> {
    let invalid = |d: String| (401, "invalid_client", d);
    let alg = t.head("alg").unwrap_or_default();
    let (by_sha256, thumb) = match (t.head("x5t#S256"), t.head("x5t")) {
        (Some(s), _) => (true, s),
        (None, Some(s)) => (false, s),
        (None, None) => {
            return Err(invalid(
                "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: 'none']".into(),
            ));
        }
    };
    if !matches!(alg, "PS256" | "RS256") {
        return Err(invalid(format!(
            "AADSTS5002730: Invalid JWT token. Unsupported key for the signing algorithm '{alg}'."
        )));
    }
    let thumb_bytes = jwt::b64_lenient(thumb).unwrap_or_default();
    let cert = certs.iter().find(|c| {
        c.app == app
            && if by_sha256 {
                c.sha256 == thumb_bytes
            } else {
                c.sha1 == thumb_bytes
            }
    });
    let Some(cert) = cert else {
        return Err(invalid(format!(
            "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{thumb}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]"
        )));
    };
    if cert.expired {
        return Err(invalid(format!(
            "AADSTS700027: The certificate with identifier used to sign the client assertion is expired on application. [Reason - The key used is expired., Thumbprint of key used by client: '{thumb}']"
        )));
    }
    if !t.verify(alg, &cert.public_key) {
        return Err(invalid(
            "AADSTS700027: Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]".into(),
        ));
    }
    if t.claim("aud") != Some(token_url) {
        return Err(invalid(format!(
            "AADSTS50013: Assertion audience claim does not match the required value. The audience '{}' is not this token endpoint ('{token_url}').",
            t.claim("aud").unwrap_or_default()
        )));
    }
    if t.claim("iss") != Some(client_id) || t.claim("sub") != Some(client_id) {
        return Err(invalid(
            "AADSTS50013: Assertion failed: the issuer and the subject of a client assertion must both be the client ID.".into(),
        ));
    }
    let now = jwt::now_secs();
    let exp = t.time("exp");
    let nbf = t.time("nbf").or(t.time("iat"));
    if exp.is_none_or(|e| e < now - SKEW) || nbf.is_some_and(|n| n > now + SKEW) {
        return Err(invalid(format!(
            "AADSTS700024: Client assertion is not within its valid time range. Current time: {now}, assertion valid from {}, expiry time of assertion {}.",
            nbf.unwrap_or(0),
            exp.unwrap_or(0)
        )));
    }
    if t.claim("jti").is_none_or(str::is_empty) {
        return Err(invalid(
            "AADSTS50013: Assertion failed: the client assertion has no jti claim.".into(),
        ));
    }
    Ok(())
}
