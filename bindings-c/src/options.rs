//! `ipc_options`: the client's settings, set one by one; every setter copies its strings.

#![allow(non_camel_case_types)]

use std::ffi::c_char;

use ipc_core::Secret;

use crate::boundary::{fail, guard, text};
use crate::code::ipc_code;

/// Client settings. Make with ipc_options_new, free with ipc_options_free.
#[derive(Default)]
pub struct ipc_options {
    pub(crate) token: Option<Secret>,
    pub(crate) tenant_id: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<Secret>,
    pub(crate) base_url: Option<String>,
    pub(crate) authority_url: Option<String>,
    pub(crate) cloud: Option<String>,
    pub(crate) api_version: Option<String>,
    pub(crate) ca_cert: Option<String>,
    pub(crate) proxy: Option<String>,
    pub(crate) timeout_ms: Option<u64>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) certificate_path: Option<String>,
    pub(crate) certificate_password: Option<Secret>,
    pub(crate) managed_identity: Option<ipc_core::ManagedIdentityId>,
    pub(crate) workload_identity: bool,
    pub(crate) from_environment: bool,
}

/// Apply `f` to the options behind `options` (IPC_NULL_PARAMETER when NULL).
fn set(
    options: *mut ipc_options,
    f: impl FnOnce(&mut ipc_options) -> Result<(), crate::error::ipc_error>,
) -> ipc_code {
    guard(std::ptr::null_mut(), || {
        // SAFETY: a non-NULL options pointer is a live ipc_options of ours, not shared across threads while set.
        let o = unsafe { options.as_mut() }
            .ok_or_else(|| fail(ipc_code::IPC_NULL_PARAMETER, "options is NULL"))?;
        f(o)
    })
}

/// New default settings (global cloud, v1.0, 100 s deadline, 3 retries). NULL only if memory ran out.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_new() -> *mut ipc_options {
    std::panic::catch_unwind(|| Box::into_raw(Box::new(ipc_options::default())))
        .unwrap_or(std::ptr::null_mut())
}

/// A bearer token.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_token(
    options: *mut ipc_options,
    token: *const c_char,
) -> ipc_code {
    set(options, |o| {
        o.token = Some(Secret::new(text(token, "token")?));
        Ok(())
    })
}

/// The client-credentials flow: tenant (directory) ID, application (client) ID and client secret.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_client_secret(
    options: *mut ipc_options,
    tenant: *const c_char,
    client_id: *const c_char,
    secret: *const c_char,
) -> ipc_code {
    set(options, |o| {
        let (t, c, s) = (
            text(tenant, "tenant")?,
            text(client_id, "client_id")?,
            text(secret, "secret")?,
        );
        o.tenant_id = Some(t);
        o.client_id = Some(c);
        o.client_secret = Some(Secret::new(s));
        Ok(())
    })
}

/// The client-credentials flow with a certificate: `path` is a PEM file (certificate + unencrypted PKCS#8 or PKCS#1
/// RSA key) or a PKCS#12/PFX file, which `password` (NULL: none) opens. The file is read by ipc_client_new; a bad
/// one is IPC_CREDENTIAL there.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_certificate(
    options: *mut ipc_options,
    tenant: *const c_char,
    client_id: *const c_char,
    path: *const c_char,
    password: *const c_char,
) -> ipc_code {
    set(options, |o| {
        let (t, c, p) = (
            text(tenant, "tenant")?,
            text(client_id, "client_id")?,
            text(path, "path")?,
        );
        let pw = crate::boundary::opt_text(password, "password")?;
        o.tenant_id = Some(t);
        o.client_id = Some(c);
        o.certificate_path = Some(p);
        o.certificate_password = pw.map(Secret::new);
        Ok(())
    })
}

/// The managed identity of the Azure resource this runs on: system-assigned when `client_id` is NULL, else the
/// user-assigned identity with that client ID. IMDS, or App Service when IDENTITY_ENDPOINT and IDENTITY_HEADER are
/// set.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_managed_identity(
    options: *mut ipc_options,
    client_id: *const c_char,
) -> ipc_code {
    set(options, |o| {
        o.managed_identity = Some(match crate::boundary::opt_text(client_id, "client_id")? {
            Some(id) => ipc_core::ManagedIdentityId::ClientId(id),
            None => ipc_core::ManagedIdentityId::SystemAssigned,
        });
        Ok(())
    })
}

/// Workload identity federation from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (read by
/// ipc_client_new; the file itself at every token fetch).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_workload_identity(options: *mut ipc_options) -> ipc_code {
    set(options, |o| {
        o.workload_identity = true;
        Ok(())
    })
}

/// The default chain, configured as every Azure tool is: AZURE_* variables (a client secret or a certificate), then
/// workload identity, then managed identity. Variables are read by ipc_client_new.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_use_environment(options: *mut ipc_options) -> ipc_code {
    set(options, |o| {
        o.from_environment = true;
        Ok(())
    })
}

/// Graph URL with the version (e.g. "http://127.0.0.1:8080/v1.0"); plain http only on loopback.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_base_url(
    options: *mut ipc_options,
    url: *const c_char,
) -> ipc_code {
    set(options, |o| {
        o.base_url = Some(text(url, "url")?);
        Ok(())
    })
}

/// Token authority (e.g. an emulator's); tokens come from {authority}/{tenant}/oauth2/v2.0/token.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_authority_url(
    options: *mut ipc_options,
    url: *const c_char,
) -> ipc_code {
    set(options, |o| {
        o.authority_url = Some(text(url, "url")?);
        Ok(())
    })
}

/// The cloud: "global", "us_gov_l4", "us_gov_l5" or "china".
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_cloud(
    options: *mut ipc_options,
    cloud: *const c_char,
) -> ipc_code {
    set(options, |o| {
        o.cloud = Some(text(cloud, "cloud")?);
        Ok(())
    })
}

/// The API version: "v1.0" or "beta".
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_api_version(
    options: *mut ipc_options,
    version: *const c_char,
) -> ipc_code {
    set(options, |o| {
        o.api_version = Some(text(version, "version")?);
        Ok(())
    })
}

/// An extra CA to trust: a PEM file's path, or PEM text.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_ca_cert(
    options: *mut ipc_options,
    path_or_pem: *const c_char,
) -> ipc_code {
    set(options, |o| {
        o.ca_cert = Some(text(path_or_pem, "path_or_pem")?);
        Ok(())
    })
}

/// A proxy URL.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_proxy(options: *mut ipc_options, url: *const c_char) -> ipc_code {
    set(options, |o| {
        o.proxy = Some(text(url, "url")?);
        Ok(())
    })
}

/// The deadline of one call in milliseconds: token fetch, every attempt and every wait (default 100000).
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_timeout_ms(options: *mut ipc_options, ms: u64) -> ipc_code {
    set(options, |o| {
        o.timeout_ms = Some(ms);
        Ok(())
    })
}

/// Retries after the first attempt, 0 to 10 (default 3); checked by ipc_client_new.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_set_max_retries(options: *mut ipc_options, n: u32) -> ipc_code {
    set(options, |o| {
        o.max_retries = Some(n);
        Ok(())
    })
}

/// Free settings; NULL is fine.
#[unsafe(no_mangle)]
pub extern "C" fn ipc_options_free(options: *mut ipc_options) {
    crate::boundary::free(options);
}
