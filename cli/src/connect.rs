//! A `Client` from the connection flags: explicit credentials if given, else the default chain (`AZURE_*`
//! variables, workload identity, managed identity).

use intune_passcode::{Client, Cloud, Secret, TextOptions};

use crate::args::Connection;
use crate::exit::Fail;

/// The value of the environment variable `name`, which must hold a secret.
fn secret_from_env(flag: &str, name: &str) -> Result<Secret, Fail> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
        Ok(_) => Err(Fail::nothing_sent(format!(
            "{flag}: the variable {name} is empty"
        ))),
        Err(_) => Err(Fail::nothing_sent(format!(
            "{flag}: the variable {name} is not set"
        ))),
    }
}

/// The cloud the flags name (`--cloud`, default global).
pub fn cloud(c: &Connection) -> Result<Cloud, Fail> {
    match c.cloud.as_deref() {
        None => Ok(Cloud::Global),
        Some(name) => Cloud::from_name(name).ok_or_else(|| {
            Fail::usage(format!(
                "--cloud {name} is not one of global, us_gov_l4, us_gov_l5, china"
            ))
        }),
    }
}

/// Build the client; nothing is sent.
pub fn client(c: &Connection) -> Result<Client, Fail> {
    let mut b = Client::builder().user_agent_suffix("cli");
    let explicit = c.tenant_id.is_some() || c.client_id.is_some();
    b = match (&c.token_env, &c.client_secret_env, &c.certificate) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
            return Err(Fail::usage(
                "give one of --token-env, --client-secret-env and --certificate",
            ));
        }
        (Some(name), None, None) => {
            if explicit {
                return Err(Fail::usage(
                    "--token-env takes no --tenant-id or --client-id",
                ));
            }
            b.token(secret_from_env("--token-env", name)?)
        }
        (None, secret, cert) if secret.is_some() || cert.is_some() => {
            let (Some(t), Some(id)) = (&c.tenant_id, &c.client_id) else {
                return Err(Fail::usage(
                    "--client-secret-env and --certificate need --tenant-id and --client-id",
                ));
            };
            match (secret, cert) {
                (Some(name), _) => {
                    b.client_secret(t, id, secret_from_env("--client-secret-env", name)?)
                }
                (None, Some(path)) => {
                    let password = match &c.certificate_password_env {
                        Some(name) => Some(secret_from_env("--certificate-password-env", name)?),
                        None => std::env::var("AZURE_CLIENT_CERTIFICATE_PASSWORD")
                            .ok()
                            .map(Secret::new),
                    };
                    b.client_certificate(t, id, path, password)
                }
                (None, None) => unreachable!("one of them is set"),
            }
        }
        _ => {
            if explicit {
                return Err(Fail::usage(
                    "--tenant-id and --client-id need --client-secret-env NAME or --certificate PATH \
                     (or leave them out and use the AZURE_* variables)",
                ));
            }
            b.default_credential()
        }
    };
    if let Some(t) = c.timeout {
        b = b.timeout_secs(t);
    }
    b = b.text_options(TextOptions {
        base_url: c.base_url.clone(),
        authority_url: c.authority_url.clone(),
        cloud: c.cloud.clone(),
        api_version: c.api_version.clone(),
        ca_cert: c.ca_cert.clone(),
        proxy: c.proxy.clone(),
    });
    Ok(b.build()?)
}
