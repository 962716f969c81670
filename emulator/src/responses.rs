//! Graph-shaped answers: the headers Graph always sends, its error body, Intune's envelope.

use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

/// What every answer is.
pub type Resp = Response<Full<Bytes>>;

/// The identifiers of one Graph request.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Ours, new per request.
    pub request_id: String,
    /// The caller's, echoed (or ours when it sent none).
    pub client_request_id: String,
    /// The request's path as sent (recorded with an executed reset).
    pub path: String,
}

const AGS: &str = r#"{"ServerInfo":{"DataCenter":"Emulator","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"EMU-0"}}"#;

/// An answer with Graph's headers (`request-id`, `client-request-id`, `Date`, `x-ms-ags-diagnostic`).
pub fn graph(status: u16, ctx: &Ctx, extra: &[(&str, String)], body: Option<String>) -> Resp {
    let mut b = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("request-id", &ctx.request_id)
        .header("client-request-id", &ctx.client_request_id)
        .header("date", httpdate::fmt_http_date(SystemTime::now()))
        .header("x-ms-ags-diagnostic", AGS)
        .header("strict-transport-security", "max-age=31536000");
    // Extra headers replace the defaults (a script may set its own request-id).
    if let Some(h) = b.headers_mut() {
        for (k, v) in extra {
            if let (Ok(name), Ok(value)) = (
                hyper::header::HeaderName::from_bytes(k.as_bytes()),
                hyper::header::HeaderValue::from_str(v),
            ) {
                h.insert(name, value);
            }
        }
    }
    let body = match body {
        Some(text) => {
            b = b.header("content-type", "application/json");
            Bytes::from(text)
        }
        None => Bytes::new(),
    };
    b.body(Full::new(body))
        .unwrap_or_else(|_| plain(500, "could not build the answer"))
}

/// Graph's error body: `{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}`.
pub fn error_body(ctx: &Ctx, code: &str, message: &str) -> String {
    serde_json::json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": humantime::format_rfc3339_seconds(SystemTime::now()).to_string().trim_end_matches('Z'),
                "request-id": ctx.request_id,
                "client-request-id": ctx.client_request_id,
            }
        }
    })
    .to_string()
}

/// A Graph error answer.
pub fn error(status: u16, ctx: &Ctx, code: &str, message: &str, extra: &[(&str, String)]) -> Resp {
    graph(status, ctx, extra, Some(error_body(ctx, code, message)))
}

/// Intune's `_version: 3` envelope, as a string to put in `error.message`.
pub fn intune_envelope(summary: &str, ctx: &Ctx, url: &str) -> String {
    serde_json::json!({
        "_version": 3,
        "Message": format!(
            "{summary} - Operation ID (for customer support): {} - Activity ID: {} - Url: {url}",
            uuid::Uuid::new_v4(),
            ctx.client_request_id
        ),
        "CustomApiErrorPhrase": "",
        "RetryAfter": null,
        "ErrorSourceService": "",
        "HttpHeaders": "{}",
    })
    .to_string()
}

/// A JSON answer without Graph's headers (token endpoint, control endpoints).
pub fn plain_json(status: u16, value: &serde_json::Value) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(value.to_string())))
        .unwrap_or_else(|_| plain(500, "could not build the answer"))
}

/// A text answer.
pub fn plain(status: u16, text: &str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(text.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

/// `Retry-After` as Graph sends it: whole seconds, rounded up, at least 1 (or the fraction as given for faults).
pub fn retry_after_header(secs: f64, whole: bool) -> String {
    if whole {
        format!("{}", secs.ceil().max(1.0) as u64)
    } else if secs.fract() == 0.0 {
        format!("{}", secs as u64)
    } else {
        format!("{secs}")
    }
}
