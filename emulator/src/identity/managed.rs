//! Managed identity endpoints: Azure VM IMDS (`GET /metadata/identity/oauth2/token`, `Metadata: true`,
//! `api-version=2018-02-01`) and App Service / Functions / Automation (`GET /msi/token`, `X-IDENTITY-HEADER`,
//! `api-version=2019-08-01`). System-assigned means the privileged app; a user-assigned identity is named by any
//! app's client ID (`client_id`), object ID (`object_id`) or resource ID (`msi_res_id` on IMDS, `mi_res_id` on App
//! Service). Faults set through `/_emulator/managed_identity` answer first.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;

use crate::responses::{Resp, plain_json};
use crate::state::{State, lock};

/// Which endpoint was asked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The VM instance metadata service.
    Imds,
    /// App Service, Functions, Automation.
    AppService,
}

/// Injected answers: the next statuses in order, then `forever` if set.
#[derive(Default)]
pub struct Faults {
    /// Served one each, first.
    pub next: VecDeque<u16>,
    /// Served to every request after `next` runs out.
    pub forever: Option<u16>,
}

/// The object ID of app `i`'s user-assigned identity.
pub fn object_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

/// The resource ID of app `i`'s user-assigned identity.
pub fn resource_id(i: usize) -> String {
    format!(
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-{i}"
    )
}

fn error(status: u16, error: &str, description: &str) -> Resp {
    plain_json(
        status,
        &serde_json::json!({"error": error, "error_description": description}),
    )
}

/// Answer a managed-identity token request.
pub fn handle(
    state: &State,
    source: Source,
    headers: &hyper::HeaderMap,
    query: &HashMap<String, String>,
) -> Resp {
    let id = &state.identity;
    id.mi_requests.fetch_add(1, Ordering::Relaxed);
    lock(&id.mi_log).push(state.started.elapsed().as_millis() as u64);
    let injected = {
        let mut f = lock(&id.mi_faults);
        f.next.pop_front().or(f.forever)
    };
    if let Some(status) = injected {
        return error(
            status,
            "emulated_fault",
            &format!("fault injected: HTTP {status}"),
        );
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (version, id_param_res) = match source {
        Source::Imds => {
            if header("metadata") != Some("true") {
                return error(
                    400,
                    "invalid_request",
                    "Required metadata header not specified",
                );
            }
            ("2018-02-01", "msi_res_id")
        }
        Source::AppService => {
            if header("x-identity-header") != Some(id.identity_header.as_str()) {
                return error(
                    401,
                    "unauthorized",
                    "The X-IDENTITY-HEADER header is missing or wrong.",
                );
            }
            ("2019-08-01", "mi_res_id")
        }
    };
    match query.get("api-version") {
        Some(v) if v == version => {}
        Some(v) => {
            return error(
                400,
                "invalid_request",
                &format!("api-version {v} is not supported here; use {version}"),
            );
        }
        None => {
            return error(
                400,
                "invalid_request",
                "Required query variable 'api-version' is missing",
            );
        }
    }
    let resource = query
        .get("resource")
        .map(String::as_str)
        .unwrap_or_default();
    let known = [
        "https://graph.microsoft.com",
        "https://graph.microsoft.us",
        "https://dod-graph.microsoft.us",
        "https://microsoftgraph.chinacloudapi.cn",
    ];
    if !known.contains(&resource.trim_end_matches('/')) {
        return error(
            400,
            "invalid_resource",
            &format!(
                "AADSTS500011: The resource principal named {resource} was not found in the tenant."
            ),
        );
    }
    let wrong_res = if source == Source::Imds {
        "mi_res_id"
    } else {
        "msi_res_id"
    };
    if query.contains_key(wrong_res) {
        return error(
            400,
            "invalid_request",
            &format!("'{wrong_res}' is not a parameter of this endpoint; use '{id_param_res}'"),
        );
    }
    let given: Vec<&str> = ["client_id", "object_id", id_param_res]
        .into_iter()
        .filter(|k| query.contains_key(*k))
        .collect();
    let app = match given.as_slice() {
        [] => state.apps.iter().position(|a| a.privileged),
        ["client_id"] => state
            .apps
            .iter()
            .position(|a| Some(&a.client_id) == query.get("client_id")),
        ["object_id"] => {
            (0..state.apps.len()).find(|i| Some(&object_id(*i)) == query.get("object_id"))
        }
        [_] => (0..state.apps.len()).find(|i| Some(&resource_id(*i)) == query.get(id_param_res)),
        _ => {
            return error(
                400,
                "invalid_request",
                "give at most one of client_id, object_id and the resource ID",
            );
        }
    };
    let Some(app) = app else {
        return error(400, "invalid_request", "Identity not found");
    };
    let (token, life) = state.issue_token(app);
    let expires_on = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + life.as_secs();
    // IMDS sends its numbers as strings; App Service sends expires_on as a number.
    let expires_on = match source {
        Source::Imds => serde_json::json!(expires_on.to_string()),
        Source::AppService => serde_json::json!(expires_on),
    };
    plain_json(
        200,
        &serde_json::json!({
            "access_token": token,
            "client_id": state.apps[app].client_id,
            "expires_in": life.as_secs().to_string(),
            "expires_on": expires_on,
            "ext_expires_in": life.as_secs().to_string(),
            "not_before": "0",
            "resource": resource,
            "token_type": "Bearer",
        }),
    )
}
