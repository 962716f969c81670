//! The accept loop: HTTP/1.1 and HTTP/2 over TCP or TLS, each connection closable from its handler (the
//! "connection reset" faults), and dispatch to the token, control and Graph handlers.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Request, service::service_fn};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::graph::{self, GraphRequest};
use crate::responses::{Resp, plain};
use crate::state::State;
use crate::{control, identity, token};

/// Largest request body read (Graph requests here have none; the token form is small).
const MAX_BODY: usize = 1 << 20;

/// Lets a handler close its own connection without answering.
#[derive(Default)]
pub struct ConnCtl {
    kill: Notify,
}

impl ConnCtl {
    /// Close the connection this request came on.
    pub fn kill(&self) {
        self.kill.notify_one();
    }
}

/// Accept connections until the task is dropped.
pub async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let (tcp, _) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let state = state.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_conn(tcp, state).await,
                Some(acceptor) => match acceptor.accept(tcp).await {
                    Ok(stream) => serve_conn(stream, state).await,
                    Err(e) => tracing::debug!("TLS handshake failed: {e}"),
                },
            }
        });
    }
}

async fn serve_conn<I>(io: I, state: Arc<State>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let ctl = Arc::new(ConnCtl::default());
    let svc_ctl = ctl.clone();
    let svc = service_fn(move |req| {
        let state = state.clone();
        let ctl = svc_ctl.clone();
        async move { Ok::<_, Infallible>(dispatch(state, ctl, req).await) }
    });
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    tokio::select! {
        r = conn => if let Err(e) = r { tracing::debug!("connection ended: {e}") },
        // Dropping the connection future closes the socket with no answer sent.
        _ = ctl.kill.notified() => tracing::debug!("connection closed by a fault"),
    }
}

async fn dispatch(state: Arc<State>, ctl: Arc<ConnCtl>, req: Request<Incoming>) -> Resp {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return plain(413, "request body too large or cut off"),
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    if let Some(what) = path.strip_prefix("/_emulator/") {
        return control::handle(&state, &parts.method, what, &query, &body);
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if parts.method == hyper::Method::GET {
        let q = || token::url_decode_form(query.as_bytes());
        match segs.as_slice() {
            [tenant, "v2.0", ".well-known", "openid-configuration"] => {
                let tenant = percent_encoding::percent_decode_str(tenant).decode_utf8_lossy();
                return identity::discovery::openid_configuration(&state, &tenant);
            }
            ["common", "discovery", "instance"] => {
                return identity::discovery::instance_discovery(&state);
            }
            ["metadata", "identity", "oauth2", "token"] => {
                return identity::managed::handle(
                    &state,
                    identity::managed::Source::Imds,
                    &parts.headers,
                    &q(),
                );
            }
            ["msi", "token"] => {
                return identity::managed::handle(
                    &state,
                    identity::managed::Source::AppService,
                    &parts.headers,
                    &q(),
                );
            }
            _ => {}
        }
    }
    if let [tenant, "oauth2", "v2.0", "token"] = segs.as_slice()
        && parts.method == hyper::Method::POST
    {
        let tenant = percent_encoding::percent_decode_str(tenant).decode_utf8_lossy();
        return token::handle(&state, &tenant, &body);
    }
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let req = GraphRequest {
        method: parts.method,
        path_and_query,
        path,
        headers: parts.headers,
        body: body.to_vec(),
    };
    // Detached: if the client hangs up, this future is dropped but the handler (and the reset) runs to its end.
    match tokio::spawn(graph::handle(state, req)).await {
        Ok(graph::Answer::Respond(resp)) => resp,
        Ok(graph::Answer::Hang) => {
            ctl.kill();
            // Never answer: the connection is closed under us.
            std::future::pending::<Resp>().await
        }
        Err(e) => plain(500, &format!("the handler failed: {e}")),
    }
}

/// A fresh CA and a `localhost`/`127.0.0.1` certificate it signed: the CA's PEM and the server config.
pub fn make_tls() -> Result<(String, Arc<rustls::ServerConfig>), String> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let err = |e: &dyn std::fmt::Display| format!("could not make the TLS certificate: {e}");
    let ca_key = KeyPair::generate().map_err(|e| err(&e))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| err(&e))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "graph-emulator test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| err(&e))?;
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().map_err(|e| err(&e))?;
    let mut leaf_params = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .map_err(|e| err(&e))?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .map_err(|e| err(&e))?;
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| err(&e))?
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .map_err(|e| err(&e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((ca_cert.pem(), Arc::new(config)))
}
