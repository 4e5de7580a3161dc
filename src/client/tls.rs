//! Which servers a client trusts, and the certificate it shows them.

use crate::Error;

/// TLS settings of a client, for every binding (HTTP and gRPC alike).
///
/// By default a client trusts the Mozilla roots and shows no certificate.
///
/// ```no_run
/// use a2akit::client::{ClientFactory, ClientTls};
/// # fn demo() -> Result<(), a2akit::Error> {
/// let tls = ClientTls::new()
///     .root_certificates_pem(std::fs::read("ca.pem").unwrap())
///     .identity_pem(std::fs::read("client.pem").unwrap(), std::fs::read("client-key.pem").unwrap());
/// let factory = ClientFactory::with_tls(tls)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct ClientTls {
    pub(crate) roots: Vec<Vec<u8>>,
    pub(crate) only_given_roots: bool,
    pub(crate) identity: Option<(Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls")
            .field("roots", &self.roots.len())
            .field("only_given_roots", &self.only_given_roots)
            .field("identity", &self.identity.is_some())
            .finish()
    }
}

impl ClientTls {
    /// The default: the Mozilla roots, no client certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also trusts the CA certificates in `pem` (one or more).
    pub fn root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots.push(pem.into());
        self
    }

    /// Trusts only the roots given here, not the Mozilla ones.
    pub fn only_given_roots(mut self) -> Self {
        self.only_given_roots = true;
        self
    }

    /// Shows this certificate chain (leaf first) and private key, PEM, to
    /// servers that ask for one (mutual TLS).
    pub fn identity_pem(mut self, chain: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.identity = Some((chain.into(), key.into()));
        self
    }

    /// A `reqwest` builder with these settings.
    pub(crate) fn apply(&self, mut builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
        let bad = |what: &str, err: reqwest::Error| Error::invalid_params(format!("{what}: {err}"));
        for pem in &self.roots {
            for certificate in
                reqwest::Certificate::from_pem_bundle(pem).map_err(|e| bad("a root certificate", e))?
            {
                builder = builder.add_root_certificate(certificate);
            }
        }
        if self.only_given_roots {
            builder = builder.tls_built_in_root_certs(false);
        }
        if let Some((chain, key)) = &self.identity {
            let mut pem = chain.clone();
            pem.push(b'\n');
            pem.extend_from_slice(key);
            builder = builder
                .identity(reqwest::Identity::from_pem(&pem).map_err(|e| bad("the client certificate", e))?);
        }
        Ok(builder)
    }

    /// The gRPC channel's TLS settings.
    #[cfg(feature = "grpc")]
    pub(crate) fn grpc(&self) -> tonic::transport::ClientTlsConfig {
        let mut tls = tonic::transport::ClientTlsConfig::new();
        if !self.only_given_roots {
            tls = tls.with_webpki_roots();
        }
        for pem in &self.roots {
            tls = tls.ca_certificate(tonic::transport::Certificate::from_pem(pem));
        }
        if let Some((chain, key)) = &self.identity {
            tls = tls.identity(tonic::transport::Identity::from_pem(chain, key));
        }
        tls
    }
}
