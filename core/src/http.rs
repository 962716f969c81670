//! What every HTTP request of the library shares, calls and credentials alike: the TLS provider, the URL rules
//! (https, or http on loopback), path-segment encoding, the User-Agent, and reqwest errors as one line.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use reqwest::header::HeaderMap;

use crate::error::Error;

/// RFC 6570 simple expansion: everything but the unreserved characters `A-Z a-z 0-9 - . _ ~` is encoded,
/// exactly as Microsoft's Kiota SDKs encode path parameters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// reqwest is built without a default crypto provider (ring halves the cold build): install ring once. If the
/// host process already installed one, that one is used.
pub(crate) fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// `https://` anywhere, `http://` only on loopback; no credentials, query or fragment.
pub(crate) fn checked_url(name: &str, raw: &str) -> Result<Url, Error> {
    let url =
        Url::parse(raw.trim()).map_err(|e| Error::invalid(format!("{name} is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(format!(
            "{name} may not hold a user name or password"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(format!(
            "{name} may not have a query or fragment"
        )));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::invalid(format!(
            "{name} uses plain http:// to a host that is not loopback; tokens travel only over https:// \
             (http:// is accepted for 127.0.0.0/8, ::1 and localhost)"
        ))),
        other => Err(Error::invalid(format!(
            "{name} has the scheme '{other}'; use https://"
        ))),
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `intune-passcode/<version>`, with the caller's printable suffix in parentheses.
pub(crate) fn user_agent(suffix: Option<&str>) -> Result<String, Error> {
    let base = format!("intune-passcode/{}", env!("CARGO_PKG_VERSION"));
    match suffix {
        None => Ok(base),
        Some(s) if s.len() <= 200 && s.chars().all(|c| c.is_ascii_graphic() || c == ' ') => {
            Ok(format!("{base} ({s})"))
        }
        Some(_) => Err(Error::invalid(
            "user_agent_suffix must be printable ASCII, at most 200 characters",
        )),
    }
}

/// Percent-encode one path segment as an RFC 6570 simple expansion (uppercase hex, UTF-8).
pub fn encode_segment(id: &str) -> String {
    utf8_percent_encode(id, SEGMENT).to_string()
}

/// A reqwest error as one line, with its causes, never the request (whose body may hold a secret).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

/// A header's value as text, when present and printable.
pub(crate) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
