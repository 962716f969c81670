//! Reading managed devices: one by ID (by any of the three routes), with `$select`, its `deviceActionResults` kept
//! the way Graph does; and the list, whose `deviceActionResults` is always empty (Graph's known quirk).

use std::time::Instant;

use crate::graph::{GraphRequest, ResetTarget};
use crate::responses::{Ctx, Resp, error, graph, retry_after_header};
use crate::state::{DeviceState, State, lock};

/// Properties `$select` may name (more exist on Graph's managedDevice; these are the ones the emulator keeps).
const PROPERTIES: &[&str] = &[
    "id",
    "userId",
    "deviceName",
    "operatingSystem",
    "managementState",
    "deviceActionResults",
];

/// `GET .../managedDevices/{id}`: the entity as a top-level object with `@odata.context`.
pub fn get_device(
    state: &State,
    ctx: &Ctx,
    req: &GraphRequest,
    app: usize,
    target: &ResetTarget<'_>,
    version: &str,
) -> Resp {
    let select = match admit(state, ctx, req, app) {
        Ok(s) => s,
        Err(resp) => return *resp,
    };
    if target.platform(state).is_none() {
        return error(404, ctx, "ResourceNotFound", &target.not_found(state), &[]);
    }
    let devices = lock(&state.devices);
    let Some(d) = devices.get(target.device) else {
        return error(404, ctx, "ResourceNotFound", &target.not_found(state), &[]);
    };
    let results: Vec<serde_json::Value> = state
        .action_result(target.device, d, Instant::now())
        .into_iter()
        .collect();
    let mut body = entity(target.device, d, results, &select);
    body.insert(
        "@odata.context".into(),
        format!(
            "https://graph.microsoft.com/{version}/$metadata#deviceManagement/managedDevices({})/$entity",
            select.join(",")
        )
        .into(),
    );
    graph(
        200,
        ctx,
        &[],
        Some(serde_json::Value::Object(body).to_string()),
    )
}

/// `GET /deviceManagement/managedDevices`: every device, `deviceActionResults` empty.
pub fn list_devices(
    state: &State,
    ctx: &Ctx,
    req: &GraphRequest,
    app: usize,
    version: &str,
) -> Resp {
    let select = match admit(state, ctx, req, app) {
        Ok(s) => s,
        Err(resp) => return *resp,
    };
    let devices = lock(&state.devices);
    let mut ids: Vec<&String> = devices.keys().collect();
    ids.sort();
    let value: Vec<serde_json::Value> = ids
        .into_iter()
        .map(|id| serde_json::Value::Object(entity(id, &devices[id], Vec::new(), &select)))
        .collect();
    let body = serde_json::json!({
        "@odata.context": format!("https://graph.microsoft.com/{version}/$metadata#deviceManagement/managedDevices"),
        "value": value,
    });
    graph(200, ctx, &[], Some(body.to_string()))
}

/// What every read goes through: the permission, the seeded read faults, and `$select` (the properties to show).
fn admit(
    state: &State,
    ctx: &Ctx,
    req: &GraphRequest,
    app: usize,
) -> Result<Vec<&'static str>, Box<Resp>> {
    may_read(state, ctx, app)?;
    if let Some(resp) = read_fault(state, ctx) {
        return Err(Box::new(resp));
    }
    select(req).map_err(|refuse| Box::new(refuse(ctx)))
}

/// The app may read devices: `DeviceManagementManagedDevices.Read.All` (or the privileged app's grants).
fn may_read(state: &State, ctx: &Ctx, app: usize) -> Result<(), Box<Resp>> {
    if state.apps.get(app).is_some_and(|a| a.can_read()) {
        return Ok(());
    }
    Err(Box::new(error(
        403,
        ctx,
        "Forbidden",
        "Application is not authorized to perform this operation. Application must have one of the following \
         scopes: DeviceManagementManagedDevices.Read.All, DeviceManagementManagedDevices.ReadWrite.All",
        &[],
    )))
}

/// Seeded read faults: 429 or 503 with `Retry-After`.
fn read_fault(state: &State, ctx: &Ctx) -> Option<Resp> {
    let f = &state.faults;
    if f.read_429 + f.read_503 <= 0.0 {
        return None;
    }
    let roll = state.roll();
    let (status, code, name, message) = if roll < f.read_429 {
        (
            429,
            "TooManyRequests",
            "read_429",
            "Too many requests. Please try again later.",
        )
    } else if roll < f.read_429 + f.read_503 {
        (
            503,
            "ServiceUnavailable",
            "read_503",
            "The service is temporarily unavailable. Please try again later.",
        )
    } else {
        return None;
    };
    state.count_fault(name);
    let ra = retry_after_header(f.retry_after_secs, false);
    if let Some(wait) = crate::retry_after_seconds(&ra) {
        state.expect_retry_after(&ctx.client_request_id, wait);
    }
    Some(error(status, ctx, code, message, &[("retry-after", ra)]))
}

type Refusal = Box<dyn FnOnce(&Ctx) -> Resp>;

/// The properties `$select` names (all of them when absent), or Graph's 400 for one it does not know.
fn select(req: &GraphRequest) -> Result<Vec<&'static str>, Refusal> {
    let query = req.path_and_query.split_once('?').map_or("", |(_, q)| q);
    let raw = query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        let k = percent_encoding::percent_decode_str(k).decode_utf8_lossy();
        (k == "$select").then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    });
    let Some(raw) = raw else {
        return Ok(PROPERTIES.to_vec());
    };
    let mut out = Vec::new();
    for name in raw.split(',').map(str::trim) {
        match PROPERTIES.iter().find(|p| p.eq_ignore_ascii_case(name)) {
            Some(p) => out.push(*p),
            None => {
                let msg = format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.managedDevice'."
                );
                return Err(Box::new(move |ctx: &Ctx| {
                    error(400, ctx, "BadRequest", &msg, &[])
                }));
            }
        }
    }
    Ok(out)
}

/// The device's JSON properties, limited to `select` (Graph always includes `id`).
fn entity(
    id: &str,
    d: &DeviceState,
    results: Vec<serde_json::Value>,
    select: &[&str],
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("id".into(), id.into());
    for p in select {
        let v: serde_json::Value = match *p {
            "id" => continue,
            "userId" => d.user_id.clone().into(),
            "deviceName" => format!("{}-{}", d.platform, &id[..id.len().min(8)]).into(),
            "operatingSystem" => operating_system(&d.platform).into(),
            "managementState" => "managed".into(),
            "deviceActionResults" => results.clone().into(),
            _ => continue,
        };
        m.insert((*p).to_string(), v);
    }
    m
}

/// Graph's `operatingSystem` for the emulator's platform.
fn operating_system(platform: &str) -> &'static str {
    match platform {
        "iOS" => "iOS",
        "iPadOS" => "iPadOS",
        "windows" => "Windows",
        "macOS" => "macOS",
        _ => "Android",
    }
}
