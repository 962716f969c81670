//! What MSAL (Python, Node) reads before it asks for a token: the tenant's OpenID configuration
//! (`/{tenant}/v2.0/.well-known/openid-configuration`) and Entra ID's instance discovery
//! (`/common/discovery/instance`), both pointing back at this emulator.

use crate::responses::{Resp, plain_json};
use crate::state::State;

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub fn openid_configuration(state: &State, tenant: &str) -> Resp {
    if tenant != state.tenant_id && tenant != "organizations" && tenant != "common" {
        return plain_json(
            400,
            &serde_json::json!({
                "error": "invalid_tenant",
                "error_description": format!("AADSTS90002: Tenant '{tenant}' not found."),
            }),
        );
    }
    let base = &state.identity.base_url;
    let t = &state.tenant_id;
    plain_json(
        200,
        &serde_json::json!({
            "token_endpoint": format!("{base}/{t}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{base}/{t}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": format!("{base}/{t}/v2.0"),
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": format!("{base}/oidc/userinfo"),
            "authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/devicecode"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": format!("{base}/{t}/oauth2/v2.0/logout"),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid"],
            "kerberos_endpoint": format!("{base}/{t}/kerberos"),
            "tenant_region_scope": "WW",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }),
    )
}

/// `GET /common/discovery/instance`: this emulator is its own, only, instance.
pub fn instance_discovery(state: &State) -> Resp {
    let base = &state.identity.base_url;
    let host = base.split("://").nth(1).unwrap_or(base);
    plain_json(
        200,
        &serde_json::json!({
            "tenant_discovery_endpoint": format!("{base}/{}/v2.0/.well-known/openid-configuration", state.tenant_id),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }),
    )
}
