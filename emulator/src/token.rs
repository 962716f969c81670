//! The token endpoint: `POST /{tenant}/oauth2/v2.0/token`, client credentials, Entra ID's AADSTS errors.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use crate::identity;
use crate::responses::{Resp, plain_json};
use crate::state::State;

fn aad_error(status: u16, error: &str, description: &str) -> Resp {
    plain_json(
        status,
        &serde_json::json!({
            "error": error,
            "error_description": format!(
                "{description}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
                uuid::Uuid::new_v4(),
                uuid::Uuid::new_v4(),
                humantime::format_rfc3339_seconds(std::time::SystemTime::now())
            ),
            "error_codes": [description.split(':').next().unwrap_or("").trim_start_matches("AADSTS").parse::<u64>().unwrap_or(0)],
        }),
    )
}

/// Answer a token request for `tenant` with a form-encoded `body`.
pub fn handle(state: &State, tenant: &str, body: &[u8]) -> Resp {
    state.stats.token_requests.fetch_add(1, Ordering::Relaxed);
    let form: HashMap<String, String> = url_decode_form(body);
    if tenant != state.tenant_id {
        return aad_error(
            400,
            "invalid_request",
            &format!(
                "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID."
            ),
        );
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return aad_error(
            400,
            "unsupported_grant_type",
            "AADSTS70003: The app requested an unsupported grant type. Only client_credentials is emulated.",
        );
    }
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let Some(app) = state.apps.iter().position(|a| a.client_id == client_id) else {
        return aad_error(
            400,
            "unauthorized_client",
            &format!(
                "AADSTS700016: Application with identifier '{client_id}' was not found in the directory."
            ),
        );
    };
    let assertion = form.get("client_assertion");
    match (form.get("client_secret"), assertion) {
        (None, None) => {
            return aad_error(
                401,
                "invalid_client",
                "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
            );
        }
        (Some(_), Some(_)) => {
            return aad_error(
                400,
                "invalid_request",
                "AADSTS90014: Send either client_secret or client_assertion, not both.",
            );
        }
        (None, Some(a)) => {
            if let Err((status, error, description)) =
                check_assertion(state, app, &client_id, tenant, &form, a)
            {
                return aad_error(status, error, &description);
            }
        }
        (Some(_), None) => {}
    }
    if assertion.is_none() && form.get("client_secret") != Some(&state.apps[app].client_secret) {
        return aad_error(
            401,
            "invalid_client",
            &format!(
                "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        );
    }
    let scope = form.get("scope").cloned().unwrap_or_default();
    if !scope.ends_with("/.default") || scope.contains(' ') {
        return aad_error(
            400,
            "invalid_scope",
            &format!(
                "AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier."
            ),
        );
    }
    let (token, life) = state.issue_token(app);
    plain_json(
        200,
        &serde_json::json!({
            "token_type": "Bearer",
            "expires_in": life.as_secs(),
            "ext_expires_in": life.as_secs(),
            "access_token": token,
        }),
    )
}

/// A client assertion: the app's certificate-signed JWT, or (privileged app only) the test issuer's federated token.
fn check_assertion(
    state: &State,
    app: usize,
    client_id: &str,
    tenant: &str,
    form: &HashMap<String, String>,
    assertion: &str,
) -> Result<(), (u16, &'static str, String)> {
    const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    if form.get("client_assertion_type").map(String::as_str) != Some(JWT_BEARER) {
        return Err((
            400,
            "invalid_request",
            format!("AADSTS50027: client_assertion_type must be '{JWT_BEARER}'."),
        ));
    }
    let Some(jwt) = identity::jwt::decode(assertion) else {
        return Err((
            400,
            "invalid_request",
            "AADSTS50027: JWT token is invalid or malformed.".into(),
        ));
    };
    let id = &state.identity;
    if identity::federated::Federated::is_ours(&jwt) {
        if !state.apps[app].privileged {
            return Err((
                401,
                "invalid_client",
                format!(
                    "AADSTS70021: No matching federated identity record found for presented assertion. No federated credential is configured on app '{client_id}'."
                ),
            ));
        }
        return id
            .federated
            .check(&jwt)
            .map_err(|d| (401, "invalid_client", d));
    }
    let token_url = format!("{}/{tenant}/oauth2/v2.0/token", id.base_url);
    identity::assertion::check(&jwt, app, client_id, &token_url, &id.certs)
}

/// `application/x-www-form-urlencoded` into a map (`+` is a space; bad UTF-8 is replaced).
pub fn url_decode_form(body: &[u8]) -> HashMap<String, String> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((decode(k), decode(v)))
        })
        .collect()
}
