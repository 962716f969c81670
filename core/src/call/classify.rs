//! Turning Graph's error answers into our error kinds.

use reqwest::header::HeaderMap;

use crate::error::{Error, ErrorKind, parse_graph_error};
use crate::http::header;

/// The permission this action needs, named in 403 errors.
pub const PERMISSION: &str = "DeviceManagementManagedDevices.PrivilegedOperations.All";

/// The kind an HTTP status means for this action. `has_envelope`: Intune's JSON envelope was in `error.message`.
pub fn kind_for_status(status: u16, has_envelope: bool) -> ErrorKind {
    match status {
        // The action takes no parameters, so a 400 that Intune itself explains (its envelope) is about the
        // device: the platform does not support it. A 400 without one comes from Graph's front door.
        400 if has_envelope => ErrorKind::UnsupportedDevice,
        401 => ErrorKind::Authentication,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::Throttled,
        400..=499 => ErrorKind::BadRequest,
        // Only 503 says "not executed" (Graph's documented retry-later answer). Every other 5xx may come after the
        // action ran: a gateway that gave up (504), a backend that failed after acting (500, 502), or a TLS-inspecting
        // proxy's own codes (52x, 599) for a request that went upstream. None of them is safe to send again.
        503 => ErrorKind::ServiceUnavailable,
        500..=599 => ErrorKind::OutcomeUnknown,
        _ => ErrorKind::UnexpectedResponse,
    }
}

fn explain(kind: ErrorKind, status: u16) -> String {
    match kind {
        ErrorKind::Authentication => {
            "Graph rejected the token (missing, invalid or expired)".into()
        }
        ErrorKind::PermissionDenied => format!(
            "Graph refused: the app needs the permission {PERMISSION}, granted with admin consent"
        ),
        ErrorKind::NotFound => {
            "Graph found no such device (or it is not that user's or that detected app's device)"
                .into()
        }
        ErrorKind::UnsupportedDevice => {
            "Intune does not support resetting the passcode on this device".into()
        }
        ErrorKind::BadRequest => format!("Graph refused the request (HTTP {status})"),
        ErrorKind::Throttled => "Graph throttled the call and it was not executed".into(),
        ErrorKind::ServiceUnavailable => {
            format!("Graph failed (HTTP {status}); the reset was not confirmed")
        }
        ErrorKind::OutcomeUnknown if status == 504 => {
            "Graph's gateway timed out; the passcode may or may not have been reset".into()
        }
        ErrorKind::OutcomeUnknown => format!(
            "Graph failed (HTTP {status}) after the request was sent; the passcode may or may not have been reset"
        ),
        ErrorKind::UnexpectedResponse if (300..400).contains(&status) => {
            format!("Graph answered with a redirect (HTTP {status}); redirects are not followed")
        }
        _ => format!("Graph answered HTTP {status}, which this action does not expect"),
    }
}

/// An error answer as our `Error`, with every identifier Graph gave.
pub(crate) fn classify(status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let g = parse_graph_error(body);
    let kind = kind_for_status(status, g.intune.is_some());
    let graph_text = match &g.intune {
        Some(env) if !env.summary.is_empty() => Some(env.summary.clone()),
        _ => g.message.clone().filter(|m| !m.trim().is_empty()),
    };
    let mut message = explain(kind, status);
    if let Some(t) = &graph_text {
        message.push_str(": ");
        message.push_str(t);
    }
    Error::new(kind, message)
        .with_status(status)
        .with_ids(
            header(headers, "request-id").or(g.request_id),
            header(headers, "client-request-id").or(g.client_request_id),
            header(headers, "date").or(g.date),
        )
        .with_graph(g.code, g.message, g.intune)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_explanation_says_what_happened() {
        let cases = [
            (ErrorKind::Authentication, 401, "token"),
            (ErrorKind::PermissionDenied, 403, PERMISSION),
            (ErrorKind::NotFound, 404, "no such device"),
            (ErrorKind::UnsupportedDevice, 400, "does not support"),
            (ErrorKind::BadRequest, 409, "HTTP 409"),
            (ErrorKind::Throttled, 429, "not executed"),
            (ErrorKind::ServiceUnavailable, 503, "HTTP 503"),
            (ErrorKind::OutcomeUnknown, 504, "gateway timed out"),
            (ErrorKind::OutcomeUnknown, 500, "HTTP 500"),
            (ErrorKind::UnexpectedResponse, 302, "redirect"),
            (ErrorKind::UnexpectedResponse, 101, "HTTP 101"),
        ];
        for (kind, status, words) in cases {
            let text = explain(kind, status);
            assert!(text.contains(words), "{kind:?} {status}: {text}");
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(kind_for_status(400, true), ErrorKind::UnsupportedDevice);
        assert_eq!(kind_for_status(400, false), ErrorKind::BadRequest);
        assert_eq!(kind_for_status(409, false), ErrorKind::BadRequest);
        assert_eq!(kind_for_status(504, false), ErrorKind::OutcomeUnknown);
        assert_eq!(kind_for_status(500, false), ErrorKind::OutcomeUnknown);
        assert_eq!(kind_for_status(502, false), ErrorKind::OutcomeUnknown);
        assert_eq!(kind_for_status(503, false), ErrorKind::ServiceUnavailable);
        for status in [501, 505, 520, 522, 524, 599] {
            assert_eq!(
                kind_for_status(status, false),
                ErrorKind::OutcomeUnknown,
                "{status}"
            );
        }
        assert_eq!(kind_for_status(302, false), ErrorKind::UnexpectedResponse);
    }
}
