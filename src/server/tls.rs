//! Serving HTTPS (HTTP/1.1 and HTTP/2, so gRPC too) with rustls, from PEM
//! files, with client certificates checked against a CA for mutual TLS.
//!
//! ```no_run
//! use a2akit::server::tls::{TlsConfig, serve_tls};
//! # async fn demo(app: axum::Router) -> std::io::Result<()> {
//! let tls = TlsConfig::from_pem_files("cert.pem", "key.pem")?
//!     .require_client_certificates(&std::fs::read("clients-ca.pem")?)?
//!     .build()?;
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8443").await?;
//! serve_tls(listener, app, tls).await
//! # }
//! ```
//!
//! Each request carries the client's address (axum's
//! `ConnectInfo<SocketAddr>`) and, when the client presented one, its
//! [`ClientCertificate`]: the `mtlsSecurityScheme` of an
//! [`Authenticator`](crate::server::auth::Authenticator) reads it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::Digest as _;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::Service as _;

use super::http::Shutdown;

/// How long a client may take to finish its TLS handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// The certificate a client presented (its leaf, DER), checked against the
/// CA the server was given; in the request's extensions.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate(Arc<[u8]>);

impl ClientCertificate {
    /// The certificate, DER-encoded: parse it with an X.509 crate to read
    /// its subject or SANs.
    pub fn der(&self) -> &[u8] {
        &self.0
    }

    /// The SHA-256 fingerprint of the DER, in lowercase hex: a stable id
    /// for a certificate.
    pub fn fingerprint(&self) -> String {
        sha2::Sha256::digest(&self.0)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ClientCertificate")
            .field(&self.fingerprint())
            .finish()
    }
}

/// A server's TLS settings; see [`TlsConfig::from_pem`].
#[derive(Clone)]
pub struct TlsConfig {
    server: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("alpn", &self.server.alpn_protocols.len())
            .finish_non_exhaustive()
    }
}

/// Builds a [`TlsConfig`].
pub struct TlsConfigBuilder {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    clients: Option<(rustls::RootCertStore, bool)>,
}

impl std::fmt::Debug for TlsConfigBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfigBuilder")
            .field("chain", &self.chain.len())
            .field(
                "client_certificates",
                &self.clients.as_ref().map(|(_, required)| *required),
            )
            .finish_non_exhaustive()
    }
}

fn invalid(why: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string())
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certificates(pem: &[u8]) -> std::io::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| invalid(format!("the certificates cannot be read: {err}")))?;
    if chain.is_empty() {
        return Err(invalid("no certificate in the PEM"));
    }
    Ok(chain)
}

impl TlsConfig {
    /// The server's certificate chain (leaf first) and private key, PEM.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> std::io::Result<TlsConfigBuilder> {
        let chain = certificates(chain)?;
        let key = PrivateKeyDer::from_pem_slice(key)
            .map_err(|err| invalid(format!("the private key cannot be read: {err}")))?;
        Ok(TlsConfigBuilder {
            chain,
            key,
            clients: None,
        })
    }

    /// [`from_pem`](Self::from_pem) with the PEM read from files.
    pub fn from_pem_files(
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> std::io::Result<TlsConfigBuilder> {
        Self::from_pem(&std::fs::read(chain)?, &std::fs::read(key)?)
    }
}

impl TlsConfigBuilder {
    /// Mutual TLS: a client must present a certificate issued by one of the
    /// CAs in `ca_pem`, or the handshake fails.
    pub fn require_client_certificates(self, ca_pem: &[u8]) -> std::io::Result<Self> {
        self.client_roots(ca_pem, true)
    }

    /// A client may present a certificate issued by one of the CAs in
    /// `ca_pem` (a wrong one fails the handshake); without one it connects
    /// anonymously, and the authenticator decides.
    pub fn accept_client_certificates(self, ca_pem: &[u8]) -> std::io::Result<Self> {
        self.client_roots(ca_pem, false)
    }

    fn client_roots(mut self, ca_pem: &[u8], required: bool) -> std::io::Result<Self> {
        let mut roots = rustls::RootCertStore::empty();
        for ca in certificates(ca_pem)? {
            roots
                .add(ca)
                .map_err(|err| invalid(format!("a CA certificate is unusable: {err}")))?;
        }
        self.clients = Some((roots, required));
        Ok(self)
    }

    /// The settings: TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`.
    pub fn build(self) -> std::io::Result<TlsConfig> {
        let builder = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(invalid)?;
        let builder = match self.clients {
            None => builder.with_no_client_auth(),
            Some((roots, required)) => {
                let verifier =
                    rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider());
                let verifier = match required {
                    true => verifier.build(),
                    false => verifier.allow_unauthenticated().build(),
                }
                .map_err(invalid)?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut server = builder.with_single_cert(self.chain, self.key).map_err(invalid)?;
        server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsConfig {
            server: Arc::new(server),
        })
    }
}

/// Serves `router` over TLS on `listener` until the process ends: HTTP/1.1
/// and HTTP/2 by ALPN (gRPC included), `TCP_NODELAY` on every connection.
/// A client whose handshake fails is dropped; the server goes on.
pub async fn serve_tls(listener: TcpListener, router: Router, tls: TlsConfig) -> std::io::Result<()> {
    serve_tls_with_shutdown(listener, router, tls, Shutdown::new(std::future::pending())).await
}

/// [`serve_tls`] with a graceful shutdown, as
/// [`serve_with_shutdown`](super::http::serve_with_shutdown) does it.
pub async fn serve_tls_with_shutdown(
    listener: TcpListener,
    router: Router,
    tls: TlsConfig,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    let (signal, handlers, grace) = shutdown.into_parts();
    let acceptor = TlsAcceptor::from(tls.server);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut signal = signal;
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of descriptors, or a connection reset before it
                    // was accepted: wait a moment rather than spin.
                    tracing::debug!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let router = router.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(err)) => {
                    tracing::debug!(%peer, error = %err, "a TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "a TLS handshake took too long");
                    return;
                }
            };
            let certificate = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .map(|leaf| ClientCertificate(Arc::from(leaf.as_ref())));
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    if let Some(certificate) = &certificate {
                        request.extensions_mut().insert(certificate.clone());
                    }
                    router.clone().call(request)
                });
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(err) = watcher.watch(connection.into_owned()).await {
                tracing::debug!(%peer, error = %err, "a TLS connection ended with an error");
            }
        });
    }
    drop(listener);
    let stopping = super::http::begin_shutdown(handlers, grace);
    let connections = async {
        graceful.shutdown().await;
    };
    let handlers = async {
        for stopping in stopping {
            let _ = stopping.await;
        }
    };
    if tokio::time::timeout(grace + super::http::LAST_WORDS, async {
        tokio::join!(connections, handlers)
    })
    .await
    .is_err()
    {
        tracing::warn!("connections still open after the grace period are dropped");
    }
    Ok(())
}
