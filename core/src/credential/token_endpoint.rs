//! One token request to Entra ID's token endpoint and its answer, shared by every client-credentials flavour
//! (secret, certificate, assertion, workload identity).

use std::time::{Duration, SystemTime};

use serde::Deserialize;

use super::{AccessToken, call_deadline};
use crate::error::{Error, ErrorKind};
use crate::http::describe;

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Seconds as Entra ID and the managed identity endpoints send them: a number or a string of one.
pub(crate) fn seconds(v: Option<&serde_json::Value>) -> Option<f64> {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|s| s.is_finite() && *s >= 0.0)
}

/// `POST token_url` with `form` (`grant_type=client_credentials` and the caller's fields); the token or a
/// `Credential` error carrying Entra ID's `error` code and description.
pub(crate) async fn request(
    http: &reqwest::Client,
    token_url: &str,
    form: &[(&str, &str)],
) -> Result<AccessToken, Error> {
    let started = SystemTime::now();
    let mut req = http
        .post(token_url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form);
    if let Some(deadline) = call_deadline() {
        req = req.timeout(deadline.saturating_duration_since(tokio::time::Instant::now()));
    }
    let resp = req.send().await.map_err(|e| {
        Error::new(
            ErrorKind::Credential,
            format!(
                "the token endpoint {token_url} could not be reached: {}",
                describe(&e)
            ),
        )
    })?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| {
        Error::new(
            ErrorKind::Credential,
            format!("the token endpoint's answer was cut off: {}", describe(&e)),
        )
        .with_status(status)
    })?;
    let answer: Option<TokenAnswer> = serde_json::from_slice(&body).ok();
    match answer {
        Some(TokenAnswer {
            access_token: Some(token),
            expires_in,
            ..
        }) if (200..300).contains(&status) => {
            let secs = seconds(expires_in.as_ref()).unwrap_or(3599.0).min(1e9);
            Ok(AccessToken::new(
                token,
                Some(started + Duration::from_secs_f64(secs)),
            ))
        }
        Some(TokenAnswer {
            error: Some(code),
            error_description,
            ..
        }) => Err(Error::new(
            ErrorKind::Credential,
            format!(
                "the token endpoint refused: {code}: {}",
                error_description.unwrap_or_default().trim()
            ),
        )
        .with_status(status)
        .with_graph(Some(code), None, None)),
        _ => Err(Error::new(
            ErrorKind::Credential,
            format!("the token endpoint answered HTTP {status} without a token"),
        )
        .with_status(status)),
    }
}

/// The client-credentials flow with a client assertion (a certificate-signed or federated JWT).
pub(crate) async fn request_with_assertion(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    assertion: &crate::secret::Secret,
    scopes: &[String],
) -> Result<AccessToken, Error> {
    let scope = scopes.join(" ");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion.expose()),
        ("scope", scope.as_str()),
    ];
    request(http, token_url, &form).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_come_as_a_number_or_a_string_of_one_and_never_negative() {
        let v = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        assert_eq!(seconds(Some(&v("3599"))), Some(3599.0));
        assert_eq!(seconds(Some(&v("\" 86399 \""))), Some(86399.0));
        assert_eq!(seconds(Some(&v("\"soon\""))), None);
        assert_eq!(seconds(Some(&v("-5"))), None);
        assert_eq!(seconds(Some(&v("\"-5\""))), None);
        assert_eq!(seconds(Some(&v("true"))), None);
        assert_eq!(seconds(None), None);
    }
}
