//! The Graph routes: the three `resetPasscode` routes and reading a device's `deviceActionResults`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hyper::HeaderMap;
use percent_encoding::percent_decode_str;

use crate::responses::{Ctx, Resp, error, graph, intune_envelope, retry_after_header};
use crate::state::{LoggedRequest, ScriptedResponse, State, lock};
use crate::tenant::supports_reset;

/// Which route a request named.
#[derive(Debug, PartialEq)]
pub enum Route {
    /// `POST .../resetPasscode` by one of the three routes.
    Reset {
        /// Managed device.
        device: String,
        /// `/users/{u}/...`.
        user: Option<String>,
        /// `/deviceManagement/detectedApps/{a}/...`.
        app: Option<String>,
    },
    /// `GET` one managed device by one of the three routes.
    GetDevice {
        /// Managed device.
        device: String,
        /// `/users/{u}/...`.
        user: Option<String>,
        /// `/deviceManagement/detectedApps/{a}/...`.
        app: Option<String>,
    },
    /// `GET /deviceManagement/managedDevices` (the list: `deviceActionResults` always empty, as Graph does).
    ListDevices,
}

fn is(seg: &str, name: &str) -> bool {
    seg.eq_ignore_ascii_case(name)
}

/// Parse a path below the version segment into a route. `Err` holds Graph's complaint.
pub fn parse_route(segments: &[String], method: &hyper::Method) -> Result<Route, String> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let post = method == hyper::Method::POST;
    let get = method == hyper::Method::GET;
    match s.as_slice() {
        [u, ud, md, d, rp]
            if is(u, "users") && is(md, "managedDevices") && is(rp, "resetPasscode") && post =>
        {
            Ok(Route::Reset {
                device: d.to_string(),
                user: Some(ud.to_string()),
                app: None,
            })
        }
        [dm, md, d, rp]
            if is(dm, "deviceManagement")
                && is(md, "managedDevices")
                && is(rp, "resetPasscode")
                && post =>
        {
            Ok(Route::Reset {
                device: d.to_string(),
                user: None,
                app: None,
            })
        }
        [dm, da, a, md, d, rp]
            if is(dm, "deviceManagement")
                && is(da, "detectedApps")
                && is(md, "managedDevices")
                && is(rp, "resetPasscode")
                && post =>
        {
            Ok(Route::Reset {
                device: d.to_string(),
                user: None,
                app: Some(a.to_string()),
            })
        }
        [dm, md] if is(dm, "deviceManagement") && is(md, "managedDevices") && get => {
            Ok(Route::ListDevices)
        }
        [dm, md, d] if is(dm, "deviceManagement") && is(md, "managedDevices") && get => {
            Ok(Route::GetDevice {
                device: d.to_string(),
                user: None,
                app: None,
            })
        }
        [u, ud, md, d] if is(u, "users") && is(md, "managedDevices") && get => {
            Ok(Route::GetDevice {
                device: d.to_string(),
                user: Some(ud.to_string()),
                app: None,
            })
        }
        [dm, da, a, md, d]
            if is(dm, "deviceManagement")
                && is(da, "detectedApps")
                && is(md, "managedDevices")
                && get =>
        {
            Ok(Route::GetDevice {
                device: d.to_string(),
                user: None,
                app: Some(a.to_string()),
            })
        }
        _ => Err(format!(
            "Resource not found for the segment '{}'.",
            s.last().copied().unwrap_or_default()
        )),
    }
}

/// Split a raw path into percent-decoded segments; `None` when a segment is not UTF-8.
pub fn decode_segments(raw_path: &str) -> Option<Vec<String>> {
    raw_path
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        })
        .collect()
}

/// A request as the Graph handler sees it.
pub struct GraphRequest {
    /// Method.
    pub method: hyper::Method,
    /// Raw path and query.
    pub path_and_query: String,
    /// Raw path.
    pub path: String,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Vec<u8>,
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Headers as logged: lower-case names, the token replaced.
fn logged_headers(h: &HeaderMap) -> HashMap<String, String> {
    h.iter()
        .map(|(k, v)| {
            let mut v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            if k == hyper::header::AUTHORIZATION {
                v = match v.split_once(' ') {
                    Some((scheme, _)) => format!("{scheme} ***"),
                    None => "***".into(),
                };
            }
            (k.as_str().to_string(), v)
        })
        .collect()
}

/// What the Graph handler decided: an answer, or closing the connection without one.
pub enum Answer {
    /// Send this.
    Respond(Resp),
    /// Close the connection with no answer (the "connection reset" faults).
    Hang,
}

impl From<Resp> for Answer {
    fn from(r: Resp) -> Self {
        Answer::Respond(r)
    }
}

/// Handle a request under `/v1.0` or `/beta`. Callers run this detached from the connection (`tokio::spawn`):
/// Graph's backend finishes what it started even when the caller hangs up, so a late answer's reset still runs.
pub async fn handle(state: Arc<State>, req: GraphRequest) -> Answer {
    state.stats.requests.fetch_add(1, Ordering::Relaxed);
    let _in_flight = crate::state::InFlight::enter(&state.stats);
    let ctx = Ctx {
        request_id: uuid::Uuid::new_v4().to_string(),
        client_request_id: header(&req.headers, "client-request-id")
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        path: req.path.clone(),
    };
    let Some(segments) = decode_segments(&req.path) else {
        return error(
            400,
            &ctx,
            "BadRequest",
            "The request URI is not valid.",
            &[],
        )
        .into();
    };
    let version = segments.first().cloned().unwrap_or_default();
    let route = parse_route(&segments[1.min(segments.len())..], &req.method);
    let device_id = match &route {
        Ok(Route::Reset { device, .. }) | Ok(Route::GetDevice { device, .. }) => {
            Some(device.clone())
        }
        Ok(Route::ListDevices) | Err(_) => None,
    };
    state.log_request(LoggedRequest {
        method: req.method.to_string(),
        path: req.path_and_query.clone(),
        device_id: device_id.clone(),
        headers: logged_headers(&req.headers),
        body_len: req.body.len(),
        at_ms: state.started.elapsed().as_millis() as u64,
    });
    if version != "v1.0" && version != "beta" {
        return error(
            400,
            &ctx,
            "BadRequest",
            &format!("Invalid version: {version}"),
            &[],
        )
        .into();
    }
    let route = match route {
        Ok(r) => r,
        Err(msg) => return error(400, &ctx, "BadRequest", &msg, &[]).into(),
    };
    state.check_early_retry(&ctx.client_request_id);

    if let Some(device) = &device_id {
        // A script kept for another method (`method`) waits: a read does not use up the answer meant for a reset.
        let script = lock(&state.scripts).get_mut(device).and_then(|q| {
            let applies = q.front().is_some_and(|s| {
                s.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(req.method.as_str()))
            });
            if applies { q.pop_front() } else { None }
        });
        if let Some(script) = script {
            return scripted(&state, &ctx, device, script).await;
        }
    }

    let app = match authenticate(&state, &req.headers, &ctx) {
        Ok(app) => app,
        Err(resp) => return (*resp).into(),
    };
    match route {
        Route::GetDevice {
            device,
            user,
            app: detected,
        } => {
            let target = ResetTarget {
                device: &device,
                user: user.as_deref(),
                detected: detected.as_deref(),
            };
            crate::read::get_device(&state, &ctx, &req, app, &target, &version).into()
        }
        Route::ListDevices => crate::read::list_devices(&state, &ctx, &req, app, &version).into(),
        Route::Reset {
            device,
            user,
            app: detected,
        } => {
            let target = ResetTarget {
                device: &device,
                user: user.as_deref(),
                detected: detected.as_deref(),
            };
            reset(&state, &ctx, &req, app, &target).await
        }
    }
}

/// The IDs a request named.
pub struct ResetTarget<'a> {
    /// Managed device.
    pub device: &'a str,
    /// `/users/{u}/...`.
    pub user: Option<&'a str>,
    /// `/deviceManagement/detectedApps/{a}/...`.
    pub detected: Option<&'a str>,
}

impl ResetTarget<'_> {
    /// The device's platform when it exists and the route's user or detected app lists it.
    pub fn platform(&self, state: &State) -> Option<String> {
        let devices = lock(&state.devices);
        devices
            .get(self.device)
            .filter(|d| {
                self.user.is_none_or(|u| d.user_id == u)
                    && self
                        .detected
                        .is_none_or(|a| d.detected_app_ids.iter().any(|x| x == a))
            })
            .map(|d| d.platform.clone())
    }

    /// Graph's 404 message for a route that names nothing.
    pub fn not_found(&self, state: &State) -> String {
        match (self.user, self.detected) {
            (Some(u), _) if !state.users.contains(u) => format!("User '{u}' does not exist."),
            (_, Some(a)) if !state.detected_apps.contains(a) => {
                format!("Detected app '{a}' does not exist.")
            }
            _ => format!(
                "Resource '{}' does not exist or one of its queried reference-property objects are not present.",
                self.device
            ),
        }
    }
}

/// The app behind the bearer token, or Graph's 401.
fn authenticate(state: &State, headers: &HeaderMap, ctx: &Ctx) -> Result<usize, Box<Resp>> {
    let auth = header(headers, "authorization").unwrap_or_default();
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        return Err(Box::new(error(
            401,
            ctx,
            "InvalidAuthenticationToken",
            "Access token is empty.",
            &[],
        )));
    }
    let issued = lock(&state.tokens).get(token).cloned();
    match issued {
        None => Err(Box::new(error(
            401,
            ctx,
            "InvalidAuthenticationToken",
            "IDX14100: JWT is not well formed, there are no dots (.).",
            &[],
        ))),
        Some(t) if Instant::now() >= t.expires => Err(Box::new(error(
            401,
            ctx,
            "InvalidAuthenticationToken",
            "Lifetime validation failed, the token is expired.",
            &[],
        ))),
        Some(t) => Ok(t.app),
    }
}

fn count_and_wait(state: &State, ctx: &Ctx, name: &str, secs: f64) -> (String, Duration) {
    state.count_fault(name);
    let header = retry_after_header(secs, false);
    let wait = Duration::from_secs_f64(header.parse::<f64>().unwrap_or(secs));
    state.expect_retry_after(&ctx.client_request_id, wait);
    (header, wait)
}

async fn reset(
    state: &State,
    ctx: &Ctx,
    req: &GraphRequest,
    app: usize,
    target: &ResetTarget<'_>,
) -> Answer {
    if !state.apps.get(app).is_some_and(|a| a.privileged) {
        let msg = intune_envelope(
            "Application is not authorized to perform this operation. Application must have one of the following \
             scopes: DeviceManagementManagedDevices.PrivilegedOperations.All",
            ctx,
            &req.path,
        );
        return error(403, ctx, "Forbidden", &msg, &[]).into();
    }
    if let Err(wait) = state.take_write_slot(app) {
        state.stats.throttled.fetch_add(1, Ordering::Relaxed);
        state.stats.window_429.fetch_add(1, Ordering::Relaxed);
        let header = retry_after_header(wait.as_secs_f64(), true);
        let secs: u64 = header.parse().unwrap_or(1);
        state.expect_retry_after(&ctx.client_request_id, Duration::from_secs(secs));
        return error(
            429,
            ctx,
            "TooManyRequests",
            "Too many requests from Identifier:app+tenant under category:writes. Please try again later.",
            &[("retry-after", header)],
        )
        .into();
    }
    // What Intune would answer without faults; a fault that executes runs the reset only where this would have.
    let verdict = check_reset(state, ctx, req, target);
    if let Some(answer) = injected_fault(state, ctx, target.device, verdict.is_ok()).await {
        return answer;
    }
    match verdict {
        Ok(()) => {
            state.execute(target.device, &ctx.path);
            graph(204, ctx, &[], None).into()
        }
        Err(resp) => (*resp).into(),
    }
}

/// Body, device, route and platform checks: `Ok` when Intune would run the reset, else its answer.
fn check_reset(
    state: &State,
    ctx: &Ctx,
    req: &GraphRequest,
    t: &ResetTarget<'_>,
) -> Result<(), Box<Resp>> {
    if !body_is_empty(req) {
        return Err(Box::new(error(
            400,
            ctx,
            "BadRequest",
            "The action resetPasscode takes no parameters: send no request body, or the empty JSON object {}.",
            &[],
        )));
    }
    let Some(platform) = t.platform(state) else {
        return Err(Box::new(error(
            404,
            ctx,
            "ResourceNotFound",
            &t.not_found(state),
            &[],
        )));
    };
    if !supports_reset(&platform) {
        let msg = intune_envelope(
            &format!("The action resetPasscode is not supported on {platform} devices"),
            ctx,
            &req.path,
        );
        return Err(Box::new(error(400, ctx, "BadRequest", &msg, &[])));
    }
    Ok(())
}

/// No body, or (the OData rule for an action without parameters) the empty JSON object sent as JSON.
fn body_is_empty(req: &GraphRequest) -> bool {
    if req.body.is_empty() {
        return true;
    }
    let json = header(&req.headers, "content-type")
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json"));
    json && serde_json::from_slice::<serde_json::Value>(&req.body)
        .is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty()))
}

/// Roll the seeded dice for this request's fault, if any. A fault that runs the reset does so only when Intune would
/// have (`executable`).
async fn injected_fault(
    state: &State,
    ctx: &Ctx,
    device: &str,
    executable: bool,
) -> Option<Answer> {
    let f = &state.faults;
    if f.latency > 0.0 && state.roll() < f.latency {
        state.count_fault("latency");
        tokio::time::sleep(Duration::from_millis(f.latency_ms)).await;
    }
    let roll = state.roll();
    let mut edge = 0.0;
    let mut hit = |rate: f64| {
        edge += rate;
        rate > 0.0 && roll < edge
    };
    let execute = |state: &State| {
        if executable {
            state.execute(device, &ctx.path);
        }
    };
    if hit(f.throttle_429) {
        let (ra, _) = count_and_wait(state, ctx, "429", f.retry_after_secs);
        state.stats.throttled.fetch_add(1, Ordering::Relaxed);
        return Some(
            error(
                429,
                ctx,
                "TooManyRequests",
                "Too many requests. Please try again later.",
                &[("retry-after", ra)],
            )
            .into(),
        );
    }
    if hit(f.unavailable_503) {
        let (ra, _) = count_and_wait(state, ctx, "503", f.retry_after_secs);
        return Some(unavailable(ctx, ra));
    }
    if hit(f.unavailable_503_after) {
        let (ra, _) = count_and_wait(state, ctx, "503_after", f.retry_after_secs);
        if executable {
            state.execute(device, &ctx.path);
            state.note_answered_not_executed(device);
        }
        return Some(unavailable(ctx, ra));
    }
    // A fault after which the backend may have acted: half of its hits ran the reset (seeded), counted as `NAME_executed`.
    let ran_on_half = |state: &State, name: &str| {
        state.count_fault(name);
        if state.roll() < 0.5 {
            state.count_fault(&format!("{name}_executed"));
            execute(state);
        }
    };
    if hit(f.error_500) {
        // Graph can fail after acting.
        ran_on_half(state, "500");
        return Some(
            error(
                500,
                ctx,
                "InternalServerError",
                "An internal server error occurred.",
                &[],
            )
            .into(),
        );
    }
    if hit(f.timeout_504) {
        // A gateway timeout cannot tell whether the backend got there.
        ran_on_half(state, "504");
        return Some(gateway_timeout(ctx));
    }
    if hit(f.error_599) {
        // A TLS-inspecting proxy's own code for a request it passed upstream.
        ran_on_half(state, "599");
        return Some(
            error(
                599,
                ctx,
                "ProxyError",
                "Network connect timeout error.",
                &[],
            )
            .into(),
        );
    }
    if hit(f.stale_504) {
        // A colleague's portal reset a little while ago, then our request's 504 that never ran.
        state.count_fault("stale_504");
        state.execute_elsewhere(device, Duration::from_secs(crate::config::STALE_SECS));
        return Some(gateway_timeout(ctx));
    }
    if hit(f.reset_before) {
        state.count_fault("reset_before");
        return Some(Answer::Hang);
    }
    if hit(f.reset_after) {
        state.count_fault("reset_after");
        execute(state);
        return Some(Answer::Hang);
    }
    None
}

/// Graph's 504: the gateway gave up on the backend.
fn gateway_timeout(ctx: &Ctx) -> Answer {
    error(
        504,
        ctx,
        "GatewayTimeout",
        "The gateway timed out waiting for the backend.",
        &[],
    )
    .into()
}

fn unavailable(ctx: &Ctx, retry_after: String) -> Answer {
    error(
        503,
        ctx,
        "ServiceUnavailable",
        "The service is temporarily unavailable. Please try again later.",
        &[("retry-after", retry_after)],
    )
    .into()
}

async fn scripted(state: &State, ctx: &Ctx, device: &str, s: ScriptedResponse) -> Answer {
    if let Some(ms) = s.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let execute = s.execute.unwrap_or((200..300).contains(&s.status));
    match s.fault.as_deref() {
        Some("reset_before") => return Answer::Hang,
        Some("reset_after") => {
            state.execute(device, &ctx.path);
            return Answer::Hang;
        }
        _ => {}
    }
    if execute {
        state.execute(device, &ctx.path);
    }
    if let Some(ra) = s
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        && let Some(wait) = crate::retry_after_seconds(ra.1)
    {
        state.expect_retry_after(&ctx.client_request_id, wait);
    }
    let mut extra: Vec<(&str, String)> = s
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    if let Some(ms) = s.date_offset_ms {
        let d = Duration::from_millis(ms.unsigned_abs());
        let now = std::time::SystemTime::now();
        let date = if ms >= 0 { now + d } else { now - d };
        extra.push(("date", httpdate::fmt_http_date(date)));
    }
    let body = s.body.map(|b| match b {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    });
    graph(s.status, ctx, &extra, body).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let seg = |p: &str| decode_segments(p).unwrap();
        let post = hyper::Method::POST;
        assert_eq!(
            parse_route(
                &seg("/users/u/managedDevices/a%2Fb/resetPasscode")[..],
                &post
            ),
            Ok(Route::Reset {
                device: "a/b".into(),
                user: Some("u".into()),
                app: None
            })
        );
        assert!(
            parse_route(
                &seg("/deviceManagement/managedDevices/d/resetPasscode"),
                &hyper::Method::GET
            )
            .is_err()
        );
        assert!(parse_route(&seg("/deviceManagement/managedDevices/d/wipe"), &post).is_err());
        assert!(decode_segments("/a%FF").is_none());
    }
}
