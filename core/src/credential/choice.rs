//! Which credential a client uses: the builder's setters, a binding's loose parts (one decision table for every
//! front door) and the `AZURE_*` variables all end here, and become one [`TokenCredential`] when the client is built.

use std::sync::Arc;

use super::{
    AssertionCallback, CertificateCredential, CertificateOptions, ClientAssertionCredential,
    ClientSecretCredential, DefaultCredential, EnvSnapshot, EnvironmentCredential,
    ManagedIdentityCredential, ManagedIdentityId, StaticToken, TokenCredential,
    WorkloadIdentityCredential,
};
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

/// The one credential a builder was given, before it is made.
pub(crate) enum CredentialChoice {
    Custom(Arc<dyn TokenCredential>),
    Static(Secret),
    ClientSecret {
        tenant_id: String,
        client_id: String,
        secret: Secret,
    },
    Certificate {
        tenant_id: String,
        client_id: String,
        path: std::path::PathBuf,
        password: Option<Secret>,
        options: CertificateOptions,
    },
    Assertion {
        tenant_id: String,
        client_id: String,
        callback: AssertionCallback,
    },
    WorkloadIdentity,
    ManagedIdentity(ManagedIdentityId),
    Environment,
    Default,
}

/// A credential as a binding receives it: loose parts, of which exactly one kind must be given (a token; a tenant,
/// client ID and secret together; or a credential object).
#[derive(Default)]
pub struct CredentialParts {
    /// A bearer token.
    pub token: Option<Secret>,
    /// Directory (tenant) ID, for the client-credentials flow.
    pub tenant_id: Option<String>,
    /// Application (client) ID, for the client-credentials flow.
    pub client_id: Option<String>,
    /// Client secret, for the client-credentials flow.
    pub client_secret: Option<Secret>,
    /// Any credential object.
    pub credential: Option<Arc<dyn TokenCredential>>,
    /// A certificate (PEM or PFX) for the client-credentials flow, with `tenant_id` and `client_id`.
    pub certificate_path: Option<String>,
    /// The PFX's password.
    pub certificate_password: Option<Secret>,
    /// Send the certificate chain (`x5c`).
    pub send_certificate_chain: bool,
    /// A managed identity.
    pub managed_identity: Option<ManagedIdentityId>,
    /// Workload identity from `AZURE_*` variables.
    pub workload_identity: bool,
    /// The default chain (environment → workload identity → managed identity).
    pub from_environment: bool,
}

impl CredentialParts {
    /// Exactly one kind of credential, or why not.
    pub(crate) fn resolve(self) -> Result<CredentialChoice, Error> {
        let CredentialParts {
            token,
            tenant_id,
            client_id,
            client_secret,
            credential,
            certificate_path,
            certificate_password,
            send_certificate_chain,
            managed_identity,
            workload_identity,
            from_environment,
        } = self;
        const KINDS: &str = "a token; tenant_id + client_id + client_secret; tenant_id + client_id + \
                             certificate_path; a managed identity; workload identity; the environment; or a \
                             credential object";
        let app_given = tenant_id.is_some() || client_id.is_some();
        let kinds = [
            token.is_some(),
            client_secret.is_some() || (app_given && certificate_path.is_none()),
            certificate_path.is_some(),
            credential.is_some(),
            managed_identity.is_some(),
            workload_identity,
            from_environment,
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if kinds > 1 {
            return Err(Error::invalid(format!("give one credential: {KINDS}")));
        }
        if certificate_path.is_none() && (certificate_password.is_some() || send_certificate_chain)
        {
            return Err(Error::invalid(
                "certificate_password and send_certificate_chain go with certificate_path",
            ));
        }
        if let Some(path) = certificate_path {
            return match (tenant_id, client_id) {
                (Some(tenant_id), Some(client_id)) => Ok(CredentialChoice::Certificate {
                    tenant_id,
                    client_id,
                    path: path.into(),
                    password: certificate_password,
                    options: CertificateOptions {
                        send_certificate_chain,
                        ..CertificateOptions::default()
                    },
                }),
                _ => Err(Error::invalid(
                    "a certificate credential needs tenant_id and client_id as well as certificate_path",
                )),
            };
        }
        if let Some(id) = managed_identity {
            return Ok(CredentialChoice::ManagedIdentity(id));
        }
        if workload_identity {
            return Ok(CredentialChoice::WorkloadIdentity);
        }
        if from_environment {
            return Ok(CredentialChoice::Default);
        }
        match (token, tenant_id, client_id, client_secret, credential) {
            (Some(t), ..) => Ok(CredentialChoice::Static(t)),
            (None, Some(tenant_id), Some(client_id), Some(secret), None) => {
                Ok(CredentialChoice::ClientSecret {
                    tenant_id,
                    client_id,
                    secret,
                })
            }
            (None, _, _, _, Some(c)) => Ok(CredentialChoice::Custom(c)),
            (None, None, None, None, None) => {
                Err(Error::invalid(format!("a credential is required: {KINDS}")))
            }
            _ => Err(Error::invalid(
                "the client-credentials flow needs all three of tenant_id, client_id and client_secret \
                 (or certificate_path instead of client_secret)",
            )),
        }
    }
}

impl CredentialChoice {
    /// The tenant the credential signs in to, when it is known before a token is fetched.
    pub(crate) fn tenant_id(&self, env: &EnvSnapshot) -> Option<String> {
        match self {
            Self::ClientSecret { tenant_id, .. }
            | Self::Certificate { tenant_id, .. }
            | Self::Assertion { tenant_id, .. } => Some(tenant_id.clone()),
            Self::WorkloadIdentity | Self::Environment | Self::Default => {
                env.get("AZURE_TENANT_ID").map(str::to_string)
            }
            _ => None,
        }
    }

    /// The credential itself, sharing the client's HTTP client; `authority` is the configured one, `env_authority`
    /// the one credentials configured by variables use (`AZURE_AUTHORITY_HOST` unless an authority was given).
    pub(crate) fn into_credential(
        self,
        http: &reqwest::Client,
        authority: &str,
        env: &EnvSnapshot,
        env_authority: &str,
    ) -> Result<Arc<dyn TokenCredential>, Error> {
        let not_configured = |what: &str, reason: String| {
            Error::new(
                ErrorKind::Credential,
                format!("{what} is not configured: {reason}"),
            )
        };
        Ok(match self {
            Self::Custom(c) => c,
            Self::Static(t) => {
                if t.expose().is_empty() {
                    return Err(Error::invalid("token is empty"));
                }
                if t.expose().chars().any(|c| !c.is_ascii_graphic()) {
                    return Err(Error::invalid(
                        "token holds characters a header cannot carry",
                    ));
                }
                Arc::new(StaticToken::new(t))
            }
            Self::ClientSecret {
                tenant_id,
                client_id,
                secret,
            } => Arc::new(ClientSecretCredential::new(
                http.clone(),
                authority,
                &tenant_id,
                &client_id,
                secret,
            )?),
            Self::Certificate {
                tenant_id,
                client_id,
                path,
                password,
                options,
            } => Arc::new(CertificateCredential::new(
                http.clone(),
                authority,
                &tenant_id,
                &client_id,
                &path,
                password.as_ref(),
                options,
            )?),
            Self::Assertion {
                tenant_id,
                client_id,
                callback,
            } => Arc::new(ClientAssertionCredential::new(
                http.clone(),
                authority,
                &tenant_id,
                &client_id,
                callback,
            )?),
            Self::WorkloadIdentity => Arc::new(
                WorkloadIdentityCredential::resolve(http.clone(), env, env_authority)?
                    .map_err(|r| not_configured("workload identity", r))?,
            ),
            Self::ManagedIdentity(id) => {
                Arc::new(ManagedIdentityCredential::resolve(env, id, false)?)
            }
            Self::Environment => Arc::new(
                EnvironmentCredential::resolve(http.clone(), env, env_authority)?
                    .map_err(|r| not_configured("the environment credential", r))?,
            ),
            Self::Default => Arc::new(DefaultCredential::resolve(
                http.clone(),
                env,
                env_authority,
            )?),
        })
    }
}

#[cfg(test)]
mod tests {
    //! The decision table every binding and the command line go through (found untested by cargo-mutants: the
    //! bindings' suites exercised it, the core's did not).
    use super::*;

    fn app() -> CredentialParts {
        CredentialParts {
            tenant_id: Some("tenant".into()),
            client_id: Some("client".into()),
            ..CredentialParts::default()
        }
    }

    fn refused(parts: CredentialParts, wants: &str) {
        match parts.resolve() {
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidArgument);
                assert!(e.message().contains(wants), "{e} (wanted {wants:?})");
            }
            Ok(_) => panic!("accepted; wanted an error saying {wants:?}"),
        }
    }

    #[test]
    fn each_kind_alone_is_that_kind() {
        let token = CredentialParts {
            token: Some("t".into()),
            ..CredentialParts::default()
        };
        assert!(matches!(token.resolve(), Ok(CredentialChoice::Static(_))));
        let secret = CredentialParts {
            client_secret: Some("s".into()),
            ..app()
        };
        assert!(matches!(
            secret.resolve(),
            Ok(CredentialChoice::ClientSecret { tenant_id, client_id, .. }) if tenant_id == "tenant" && client_id == "client"
        ));
        let certificate = CredentialParts {
            certificate_path: Some("app.pfx".into()),
            certificate_password: Some("pw".into()),
            send_certificate_chain: true,
            ..app()
        };
        match certificate.resolve() {
            Ok(CredentialChoice::Certificate {
                path,
                password,
                options,
                ..
            }) => {
                assert_eq!(path, std::path::PathBuf::from("app.pfx"));
                assert_eq!(
                    password.map(|p| p.expose().to_string()).as_deref(),
                    Some("pw")
                );
                assert!(options.send_certificate_chain);
            }
            _ => panic!("not a certificate credential"),
        }
        let managed = CredentialParts {
            managed_identity: Some(ManagedIdentityId::SystemAssigned),
            ..CredentialParts::default()
        };
        assert!(matches!(
            managed.resolve(),
            Ok(CredentialChoice::ManagedIdentity(_))
        ));
        let workload = CredentialParts {
            workload_identity: true,
            ..CredentialParts::default()
        };
        assert!(matches!(
            workload.resolve(),
            Ok(CredentialChoice::WorkloadIdentity)
        ));
        let environment = CredentialParts {
            from_environment: true,
            ..CredentialParts::default()
        };
        assert!(matches!(
            environment.resolve(),
            Ok(CredentialChoice::Default)
        ));
        let custom = CredentialParts {
            credential: Some(Arc::new(StaticToken::new("t"))),
            ..CredentialParts::default()
        };
        assert!(matches!(custom.resolve(), Ok(CredentialChoice::Custom(_))));
    }

    #[test]
    fn none_two_or_half_a_kind_is_refused_saying_why() {
        refused(CredentialParts::default(), "a credential is required");
        // Two kinds, however they are mixed: nothing is silently ignored.
        refused(
            CredentialParts {
                token: Some("t".into()),
                managed_identity: Some(ManagedIdentityId::SystemAssigned),
                ..CredentialParts::default()
            },
            "give one credential",
        );
        refused(
            CredentialParts {
                token: Some("t".into()),
                tenant_id: Some("tenant".into()),
                ..CredentialParts::default()
            },
            "give one credential",
        );
        refused(
            CredentialParts {
                client_secret: Some("s".into()),
                certificate_path: Some("app.pem".into()),
                ..app()
            },
            "give one credential",
        );
        // Half of the client-credentials flow.
        refused(app(), "needs all three");
        refused(
            CredentialParts {
                client_secret: Some("s".into()),
                ..CredentialParts::default()
            },
            "needs all three",
        );
        refused(
            CredentialParts {
                tenant_id: Some("tenant".into()),
                client_secret: Some("s".into()),
                ..CredentialParts::default()
            },
            "needs all three",
        );
        refused(
            CredentialParts {
                client_id: Some("client".into()),
                certificate_path: Some("app.pem".into()),
                ..CredentialParts::default()
            },
            "needs tenant_id and client_id",
        );
        // A certificate's options without a certificate.
        refused(
            CredentialParts {
                token: Some("t".into()),
                certificate_password: Some("pw".into()),
                ..CredentialParts::default()
            },
            "go with certificate_path",
        );
        refused(
            CredentialParts {
                token: Some("t".into()),
                send_certificate_chain: true,
                ..CredentialParts::default()
            },
            "go with certificate_path",
        );
    }

    #[test]
    fn the_tenant_is_known_before_a_token_where_the_credential_names_it() {
        // What a journal's header records as the job's tenant.
        let env = EnvSnapshot::from_pairs([("AZURE_TENANT_ID", "env-tenant")]);
        let secret = CredentialParts {
            client_secret: Some("s".into()),
            ..app()
        };
        assert_eq!(
            secret.resolve().unwrap().tenant_id(&env).as_deref(),
            Some("tenant")
        );
        for from_variables in [
            CredentialChoice::WorkloadIdentity,
            CredentialChoice::Environment,
            CredentialChoice::Default,
        ] {
            assert_eq!(
                from_variables.tenant_id(&env).as_deref(),
                Some("env-tenant")
            );
            assert_eq!(
                from_variables.tenant_id(&EnvSnapshot::from_pairs::<&str, &str>([])),
                None
            );
        }
        assert_eq!(CredentialChoice::Static("t".into()).tenant_id(&env), None);
        assert_eq!(
            CredentialChoice::ManagedIdentity(ManagedIdentityId::SystemAssigned).tenant_id(&env),
            None
        );
    }
}
