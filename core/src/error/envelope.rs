//! Parsers for what Graph puts in an error answer: the OData error body and Intune's JSON-in-a-string envelope.
//!
//! These read bytes from the network, so they never panic and accept anything.

use serde::Deserialize;

/// Graph's error body: `{"error": {"code", "message", "innerError": {...}}}`, the parts we keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphError {
    /// `error.code`, e.g. `ResourceNotFound`.
    pub code: Option<String>,
    /// `error.message`, as sent.
    pub message: Option<String>,
    /// `error.innerError.request-id`.
    pub request_id: Option<String>,
    /// `error.innerError.client-request-id`.
    pub client_request_id: Option<String>,
    /// `error.innerError.date`.
    pub date: Option<String>,
    /// The Intune envelope, when `error.message` is one.
    pub intune: Option<IntuneEnvelope>,
}

/// Intune's envelope inside `error.message`: `{"_version":3,"Message":"… - Operation ID (for customer support): … -
/// Activity ID: … - Url: …", "CustomApiErrorPhrase": "", "RetryAfter": null, "ErrorSourceService": "", …}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntuneEnvelope {
    /// `_version`.
    pub version: Option<i64>,
    /// `Message`, whole.
    pub message: String,
    /// The text of `Message` before its first ` - Operation ID` part.
    pub summary: String,
    /// `Operation ID (for customer support): …`.
    pub operation_id: Option<String>,
    /// `Activity ID: …`.
    pub activity_id: Option<String>,
    /// `Url: …`.
    pub url: Option<String>,
    /// `CustomApiErrorPhrase`, when not empty.
    pub custom_api_error_phrase: Option<String>,
    /// `ErrorSourceService`, when not empty.
    pub error_source_service: Option<String>,
}

#[derive(Deserialize)]
struct Body {
    error: Option<RawError>,
}

#[derive(Deserialize)]
struct RawError {
    code: Option<serde_json::Value>,
    message: Option<serde_json::Value>,
    #[serde(rename = "innerError", alias = "innererror")]
    inner_error: Option<RawInner>,
}

#[derive(Deserialize)]
struct RawInner {
    #[serde(rename = "request-id")]
    request_id: Option<serde_json::Value>,
    #[serde(rename = "client-request-id")]
    client_request_id: Option<serde_json::Value>,
    date: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "_version")]
    version: Option<serde_json::Value>,
    #[serde(rename = "Message")]
    message: Option<serde_json::Value>,
    #[serde(rename = "CustomApiErrorPhrase")]
    custom_api_error_phrase: Option<serde_json::Value>,
    #[serde(rename = "ErrorSourceService")]
    error_source_service: Option<serde_json::Value>,
}

/// A JSON value as text: strings as they are, other scalars printed, null/objects dropped.
fn text(v: Option<serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// Parse a Graph error body. Anything that is not one yields `GraphError::default()`.
pub fn parse_graph_error(body: &[u8]) -> GraphError {
    let Ok(Body { error: Some(raw) }) = serde_json::from_slice::<Body>(body) else {
        return GraphError::default();
    };
    let message = text(raw.message);
    let intune = message.as_deref().and_then(parse_intune_envelope);
    let (request_id, client_request_id, date) = match raw.inner_error {
        Some(i) => (text(i.request_id), text(i.client_request_id), text(i.date)),
        None => (None, None, None),
    };
    GraphError {
        code: non_empty(text(raw.code)),
        message,
        request_id,
        client_request_id,
        date,
        intune,
    }
}

/// Parse Intune's envelope out of `error.message`, when it is one (a JSON object with `_version` or `Message`).
pub fn parse_intune_envelope(message: &str) -> Option<IntuneEnvelope> {
    let trimmed = message.trim_start();
    if !trimmed.starts_with('{') {
        return None;
    }
    let raw: RawEnvelope = serde_json::from_str(trimmed).ok()?;
    let version = raw.version.as_ref().and_then(|v| v.as_i64());
    let msg = text(raw.message);
    if version.is_none() && msg.is_none() {
        return None;
    }
    let msg = msg.unwrap_or_default();
    Some(IntuneEnvelope {
        version,
        summary: summary_of(&msg),
        operation_id: field_after(&msg, "Operation ID (for customer support):"),
        activity_id: field_after(&msg, "Activity ID:"),
        url: field_after(&msg, "Url:"),
        custom_api_error_phrase: non_empty(text(raw.custom_api_error_phrase)),
        error_source_service: non_empty(text(raw.error_source_service)),
        message: msg,
    })
}

/// The text before the first ` - Operation ID` part, trimmed.
fn summary_of(msg: &str) -> String {
    let end = msg.find(" - Operation ID").unwrap_or(msg.len());
    msg[..end].trim().to_string()
}

/// The value after `label` up to the next ` - ` separator (or the end).
fn field_after(msg: &str, label: &str) -> Option<String> {
    let start = msg.find(label)? + label.len();
    let rest = &msg[start..];
    let end = rest.find(" - ").unwrap_or(rest.len());
    non_empty(Some(rest[..end].trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_body_with_envelope() {
        let body = br#"{"error":{"code":"BadRequest","message":"{\"_version\":3,\"Message\":\"An error has occurred - Operation ID (for customer support): 0000-1 - Activity ID: abc-2 - Url: https://fef.example/x\",\"CustomApiErrorPhrase\":\"\",\"RetryAfter\":null,\"ErrorSourceService\":\"\",\"HttpHeaders\":\"{}\"}","innerError":{"date":"2026-01-01T00:00:00","request-id":"r1","client-request-id":"c1"}}}"#;
        let g = parse_graph_error(body);
        assert_eq!(g.code.as_deref(), Some("BadRequest"));
        assert_eq!(g.request_id.as_deref(), Some("r1"));
        assert_eq!(g.client_request_id.as_deref(), Some("c1"));
        let env = g.intune.expect("envelope");
        assert_eq!(env.version, Some(3));
        assert_eq!(env.summary, "An error has occurred");
        assert_eq!(env.operation_id.as_deref(), Some("0000-1"));
        assert_eq!(env.activity_id.as_deref(), Some("abc-2"));
        assert_eq!(env.url.as_deref(), Some("https://fef.example/x"));
        assert_eq!(env.custom_api_error_phrase, None);
    }

    #[test]
    fn plain_message_has_no_envelope() {
        let g = parse_graph_error(
            br#"{"error":{"code":"ResourceNotFound","message":"Resource not found"}}"#,
        );
        assert_eq!(g.code.as_deref(), Some("ResourceNotFound"));
        assert_eq!(g.intune, None);
    }

    #[test]
    fn scalar_fields_are_kept_as_text() {
        let g = parse_graph_error(br#"{"error":{"code":true,"message":42}}"#);
        assert_eq!(g.code.as_deref(), Some("true"));
        assert_eq!(g.message.as_deref(), Some("42"));
    }

    #[test]
    fn garbage_is_empty_not_a_panic() {
        for b in [
            &b""[..],
            b"{",
            b"null",
            b"[]",
            b"{\"error\":5}",
            b"{\"error\":{\"message\":{}}}",
            &[0xff, 0xfe],
        ] {
            assert_eq!(parse_graph_error(b), GraphError::default(), "{b:?}");
        }
        assert_eq!(
            parse_intune_envelope("{\"Message\": 5}").map(|e| e.message),
            Some("5".into())
        );
        assert_eq!(parse_intune_envelope("{}"), None);
        assert_eq!(parse_intune_envelope("Activity ID:"), None);
    }
}
