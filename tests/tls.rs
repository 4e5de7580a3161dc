//! HTTPS with certificates made in the test: our client trusts the test CA
//! and is served on JSON-RPC, HTTP+JSON and gRPC over TLS; a client that
//! does not trust it is refused. With mutual TLS, a client certificate from
//! the CA is accepted and names the caller (through the card's mTLS scheme);
//! no certificate, or one from another CA, fails the handshake, and the
//! server goes on serving.
#![cfg(feature = "client")]

mod support;

use a2akit::Error;
use a2akit::client::{Client, ClientFactory, ClientTls};
use a2akit::server::RequestHandler;
use a2akit::server::auth::{Authenticator, Credential, Denied, Identity};
use a2akit::server::http::Routes;
use a2akit::server::tls::{TlsConfig, serve_tls};
use a2akit::types::{
    AgentCard, AgentInterface, Message, MutualTlsSecurityScheme, SecurityScheme, SendMessageRequest,
    SendMessageResponse, binding,
};
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use support::agents::WhoAmI;

/// A CA, and certificates it issues.
struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    fn pem(&self) -> String {
        self.cert.pem()
    }

    /// A certificate and its key, PEM, for `names` (DNS names or IPs).
    fn issue(&self, names: &[&str], client: bool) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.extended_key_usages = vec![match client {
            true => ExtendedKeyUsagePurpose::ClientAuth,
            false => ExtendedKeyUsagePurpose::ServerAuth,
        }];
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

/// Serves the echo agent over TLS; with `clients`, mutual TLS against that
/// CA, the caller named by the certificate's fingerprint.
async fn agent(server_ca: &Ca, clients: Option<(&Ca, String)>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    let mut card = AgentCard::builder().name("tls").description("d");
    let (chain, key) = server_ca.issue(&["127.0.0.1", "localhost"], false);
    let mut tls = TlsConfig::from_pem(chain.as_bytes(), key.as_bytes()).unwrap();
    let mut auth = None;
    if let Some((ca, known)) = clients {
        tls = tls.require_client_certificates(ca.pem().as_bytes()).unwrap();
        card = card.security_scheme(
            "mtls",
            SecurityScheme::MutualTls(MutualTlsSecurityScheme::default()),
        );
        let check = move |credential: &Credential| match credential {
            Credential::Certificate(cert) if cert.fingerprint() == known => Ok(Identity::new("client-a")),
            _ => Err(Denied::forbidden("an unknown certificate")),
        };
        auth = Some(check);
    }
    let card = card.build();
    let mut routes = Routes::new(RequestHandler::builder(card.clone(), WhoAmI).build());
    if let Some(check) = auth {
        routes = routes.authenticate(
            Authenticator::builder(&card)
                .verify("mtls", check)
                .build()
                .unwrap(),
        );
    }
    tokio::spawn(serve_tls(listener, routes.all("/"), tls.build().unwrap()));
    base
}

fn client(factory: &ClientFactory, base: &str, binding: &str) -> Client {
    let url = match binding {
        binding::JSONRPC => format!("{base}/"),
        _ => base.to_owned(),
    };
    factory
        .client_for_interface(AgentInterface::new(url, binding))
        .unwrap()
}

async fn who(client: &Client) -> Result<String, Error> {
    match client
        .send_message(SendMessageRequest::new(Message::user("hi")))
        .await?
    {
        SendMessageResponse::Task(task) => Ok(task.artifacts[0].parts[0]
            .as_text()
            .unwrap_or_default()
            .to_owned()),
        other => panic!("a task, not {other:?}"),
    }
}

/// The DER of a PEM certificate, for its fingerprint.
fn fingerprint(pem: &str) -> String {
    use sha2::Digest as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).unwrap();
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_client_that_trusts_the_ca_is_served_on_every_binding() {
    let ca = Ca::new("test CA");
    let base = agent(&ca, None).await;
    let trusting = ClientFactory::with_tls(ClientTls::new().root_certificates_pem(ca.pem())).unwrap();
    let default = ClientFactory::new();
    for binding in support::agents::binding_names() {
        assert_eq!(
            who(&client(&trusting, &base, binding)).await.unwrap(),
            "anonymous",
            "{binding}"
        );
        let err = who(&client(&default, &base, binding)).await.unwrap_err();
        assert_eq!(err.kind(), a2akit::ErrorKind::Connect, "{binding}: {err}");
    }
}

#[tokio::test]
async fn mutual_tls_accepts_the_cas_clients_and_refuses_the_rest() {
    let server_ca = Ca::new("server CA");
    let client_ca = Ca::new("client CA");
    let (chain, key) = client_ca.issue(&["client-a"], true);
    let base = agent(&server_ca, Some((&client_ca, fingerprint(&chain)))).await;
    let roots = ClientTls::new()
        .root_certificates_pem(server_ca.pem())
        .only_given_roots();
    let with_cert = ClientFactory::with_tls(roots.clone().identity_pem(chain.clone(), key.clone())).unwrap();
    let without = ClientFactory::with_tls(roots.clone()).unwrap();
    let stranger_ca = Ca::new("stranger CA");
    let (other_chain, other_key) = stranger_ca.issue(&["client-b"], true);
    let wrong = ClientFactory::with_tls(roots.identity_pem(other_chain, other_key)).unwrap();
    for binding in support::agents::binding_names() {
        assert!(
            who(&client(&without, &base, binding)).await.is_err(),
            "{binding}: no certificate"
        );
        assert!(
            who(&client(&wrong, &base, binding)).await.is_err(),
            "{binding}: another CA"
        );
        assert_eq!(
            who(&client(&with_cert, &base, binding)).await.unwrap(),
            "client-a",
            "{binding}"
        );
    }
}
