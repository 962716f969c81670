//! The emulator checks client assertions and managed identity requests as Entra ID and Azure do: each defect gets
//! its AADSTS code or HTTP status. (Microsoft's own clients are the other half of the proof: the Python and Node
//! suites get tokens from it with azure-identity and @azure/identity.)

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use graph_emulator::EmulatorHandle;
use ring::signature::RsaKeyPair;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};

struct Signer {
    key: RsaKeyPair,
    sha256: Vec<u8>,
}

fn signer(pem_path: &str) -> Signer {
    let pem = std::fs::read(pem_path).unwrap();
    let cert = CertificateDer::from_pem_slice(&pem).unwrap();
    let key = PrivatePkcs8KeyDer::from_pem_slice(&pem).unwrap();
    Signer {
        key: RsaKeyPair::from_pkcs8(key.secret_pkcs8_der()).unwrap(),
        sha256: ring::digest::digest(&ring::digest::SHA256, &cert)
            .as_ref()
            .to_vec(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn jwt(s: &Signer, header: serde_json::Value, claims: serde_json::Value) -> String {
    let signed = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let mut sig = vec![0; s.key.public().modulus_len()];
    s.key
        .sign(
            &ring::signature::RSA_PSS_SHA256,
            &ring::rand::SystemRandom::new(),
            signed.as_bytes(),
            &mut sig,
        )
        .unwrap();
    format!("{signed}.{}", B64.encode(sig))
}

fn token_url(emu: &EmulatorHandle) -> String {
    format!("{}/{}/oauth2/v2.0/token", emu.authority_url, emu.tenant_id)
}

/// A plain HTTP client (ring as rustls's provider, as the library installs it).
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// POST the token form; (status, body text).
async fn post(emu: &EmulatorHandle, form: &[(&str, &str)]) -> (u16, String) {
    let r = http().post(token_url(emu)).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn with_assertion(emu: &EmulatorHandle, client_id: &str, assertion: &str) -> (u16, String) {
    post(
        emu,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("scope", "https://graph.microsoft.com/.default"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ],
    )
    .await
}

#[tokio::test]
async fn each_defect_of_a_client_assertion_gets_entra_ids_code() {
    let emu = common::emulator().await;
    let c = &emu.certificates;
    let me = signer(&c.client_certificate_pem);
    let other = signer(&c.reader_client_certificate_pem);
    let id = emu.client_id.as_str();
    let aud = token_url(&emu);
    let header = |s: &Signer| serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": B64.encode(&s.sha256)});
    let claims = |aud: &str, iss: &str, nbf: i64, exp: i64, jti: Option<&str>| {
        let mut v = serde_json::json!({"aud": aud, "iss": iss, "sub": id, "nbf": nbf, "iat": nbf, "exp": exp});
        if let Some(j) = jti {
            v["jti"] = j.into();
        }
        v
    };
    let t = now();
    let good = claims(&aud, id, t, t + 600, Some("j1"));
    let mut hs = header(&me);
    hs["alg"] = "HS256".into();
    let cases: Vec<(&str, String, &str)> = vec![
        ("valid", jwt(&me, header(&me), good.clone()), ""),
        (
            "wrong audience",
            jwt(
                &me,
                header(&me),
                claims(
                    "https://login.microsoftonline.com/x/oauth2/v2.0/token",
                    id,
                    t,
                    t + 600,
                    Some("j"),
                ),
            ),
            "AADSTS50013",
        ),
        (
            "issuer is not the client",
            jwt(
                &me,
                header(&me),
                claims(&aud, "someone-else", t, t + 600, Some("j")),
            ),
            "AADSTS50013",
        ),
        (
            "expired",
            jwt(
                &me,
                header(&me),
                claims(&aud, id, t - 7200, t - 3600, Some("j")),
            ),
            "AADSTS700024",
        ),
        (
            "not yet valid",
            jwt(
                &me,
                header(&me),
                claims(&aud, id, t + 3600, t + 4200, Some("j")),
            ),
            "AADSTS700024",
        ),
        (
            "no jti",
            jwt(&me, header(&me), claims(&aud, id, t, t + 600, None)),
            "AADSTS50013",
        ),
        (
            "signed by another key",
            jwt(&other, header(&me), good.clone()),
            "failed signature validation",
        ),
        (
            "unregistered certificate",
            jwt(&other, header(&other), good.clone()),
            "not registered",
        ),
        (
            "unsupported alg",
            jwt(&me, hs, good.clone()),
            "AADSTS5002730",
        ),
        ("not a JWT", "abc.def".to_string(), "AADSTS50027"),
    ];
    for (what, assertion, want) in cases {
        let (status, body) = with_assertion(&emu, id, &assertion).await;
        if want.is_empty() {
            assert_eq!(status, 200, "{what}: {body}");
        } else {
            assert!(
                status >= 400 && body.contains(want),
                "{what}: want {want}, got {status} {body}"
            );
        }
    }
    // Neither a secret nor an assertion; both.
    let base = [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (_, body) = post(&emu, &base).await;
    assert!(body.contains("AADSTS7000216"), "{body}");
    let assertion = jwt(&me, header(&me), good);
    let mut both = base.to_vec();
    both.extend([
        ("client_secret", emu.client_secret.as_str()),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion.as_str()),
    ]);
    let (status, body) = post(&emu, &both).await;
    assert_eq!(status, 400, "{body}");
    // The federated token is trusted by the privileged app only.
    let federated = std::fs::read_to_string(&c.federated_token_file).unwrap();
    let (status, _) = with_assertion(&emu, id, &federated).await;
    assert_eq!(status, 200);
    let (_, body) = with_assertion(&emu, &emu.unprivileged_client_id, &federated).await;
    assert!(body.contains("AADSTS70021"), "{body}");
}

#[tokio::test]
async fn managed_identity_endpoints_check_headers_versions_and_parameters() {
    let emu = common::emulator().await;
    let c = &emu.certificates;
    let http = http();
    let get = |url: String, headers: Vec<(&'static str, String)>| {
        let mut r = http.get(url);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        async move { r.send().await.unwrap().status().as_u16() }
    };
    let imds = |q: &str| format!("{}?{q}", c.imds_url);
    let res = "resource=https://graph.microsoft.com";
    let meta = || vec![("Metadata", "true".to_string())];
    assert_eq!(
        get(imds(&format!("api-version=2018-02-01&{res}")), meta()).await,
        200
    );
    assert_eq!(
        get(imds(&format!("api-version=2018-02-01&{res}")), vec![]).await,
        400,
        "no Metadata header"
    );
    assert_eq!(get(imds(res), meta()).await, 400, "no api-version");
    assert_eq!(
        get(
            imds("api-version=2018-02-01&resource=https://example.com"),
            meta()
        )
        .await,
        400,
        "unknown resource"
    );
    assert_eq!(
        get(
            imds(&format!("api-version=2018-02-01&{res}&client_id=nobody")),
            meta()
        )
        .await,
        400,
        "no such identity"
    );
    assert_eq!(
        get(
            imds(&format!("api-version=2018-02-01&{res}&mi_res_id=x")),
            meta()
        )
        .await,
        400,
        "App Service's parameter"
    );
    let app = |q: &str| format!("{}?{q}", c.identity_endpoint);
    let header = || vec![("X-IDENTITY-HEADER", c.identity_header.clone())];
    assert_eq!(
        get(app(&format!("api-version=2019-08-01&{res}")), header()).await,
        200
    );
    assert_eq!(
        get(
            app(&format!("api-version=2019-08-01&{res}")),
            vec![("X-IDENTITY-HEADER", "no".into())]
        )
        .await,
        401
    );
    assert_eq!(
        get(app(&format!("api-version=2018-02-01&{res}")), header()).await,
        400,
        "IMDS's version"
    );
    assert_eq!(
        get(
            app(&format!("api-version=2019-08-01&{res}&msi_res_id=x")),
            header()
        )
        .await,
        400,
        "IMDS's parameter"
    );
    emu.managed_identity_faults(vec![404, 410, 429, 500], None);
    for want in [404, 410, 429, 500, 200] {
        assert_eq!(
            get(imds(&format!("api-version=2018-02-01&{res}")), meta()).await,
            want
        );
    }
}
