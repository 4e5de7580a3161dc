//! Credentials on the client: an OAuth 2.0 client credentials provider
//! whose token is fetched once, kept until it expires and fetched anew
//! once when the agent refuses it, resumed gRPC streams included;
//! credentials sent only to the origin they are bound to, never with the
//! public card, but with the extended card; on every binding (gRPC
//! metadata included); and never carried to another origin by a redirect,
//! from the agent or from the token endpoint.
#![cfg(feature = "client")]

mod support;

use support::net::refusing_port;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use a2akit::client::{
    ApiKey, ApiKeyLocation, BearerToken, ClientFactory, Credential, OAuth2ClientCredentials, RetryPolicy,
};
use a2akit::server::RequestHandler;
use a2akit::server::auth::{Authenticator, Credential as Presented, Denied, Identity};
use a2akit::server::http::Routes;
use a2akit::types::{
    AgentCard, AgentInterface, HTTPAuthSecurityScheme, Message, SecurityRequirement, SecurityScheme,
    SendMessageRequest, SendMessageResponse, binding,
};
use a2akit::{Error, ErrorKind};
use axum::routing::{get, post};

type Tokens = Arc<Mutex<HashSet<String>>>;

/// An OAuth 2.0 token endpoint issuing `tok-1`, `tok-2`… and counting its fetches.
struct TokenServer {
    url: String,
    fetches: Arc<AtomicUsize>,
    /// The `expires_in` of the next tokens.
    lifetime: Arc<AtomicU64>,
    /// Whether the agent accepts the next tokens.
    accepted: Arc<AtomicBool>,
    forms: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

async fn token_server(valid: Tokens) -> TokenServer {
    let fetches = Arc::new(AtomicUsize::new(0));
    let lifetime = Arc::new(AtomicU64::new(3600));
    let accepted = Arc::new(AtomicBool::new(true));
    let forms = Arc::new(Mutex::new(Vec::new()));
    let (count, life, ok, sink) = (fetches.clone(), lifetime.clone(), accepted.clone(), forms.clone());
    let app = axum::Router::new().route(
        "/token",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            let form: HashMap<String, String> =
                form_urlencoded::parse(body.as_bytes()).into_owned().collect();
            let content_type = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            sink.lock().unwrap().push(form);
            let token = format!("tok-{n}");
            if ok.load(Ordering::SeqCst) {
                valid.lock().unwrap().insert(token.clone());
            }
            let expires_in = life.load(Ordering::SeqCst);
            async move {
                assert_eq!(content_type, "application/x-www-form-urlencoded");
                axum::Json(serde_json::json!({
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": expires_in,
                }))
            }
        }),
    );
    let base = serve(app).await;
    TokenServer {
        url: format!("{base}/token"),
        fetches,
        lifetime,
        accepted,
        forms,
    }
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { a2akit::server::serve(listener, app).await.unwrap() });
    base
}

/// A request an agent received: its path and the credentials on it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    authorization: Option<String>,
    legacy_key: Option<String>,
}

/// An agent on every binding that records each request it receives; with
/// `valid`, it requires a bearer token from that set (and keeps, in
/// `presented`, every token it was shown).
struct Agent {
    base: String,
    log: Arc<Mutex<Vec<Seen>>>,
    presented: Arc<Mutex<Vec<String>>>,
}

impl Agent {
    fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    fn presented(&self) -> Vec<String> {
        self.presented.lock().unwrap().clone()
    }

    fn interface(&self, wire: &str) -> AgentInterface {
        interface_at(&self.base, wire)
    }
}

fn interface_at(base: &str, wire: &str) -> AgentInterface {
    match wire {
        binding::JSONRPC => AgentInterface::new(format!("{base}/"), wire),
        binding::GRPC => AgentInterface::new(base.trim_start_matches("http://"), wire),
        _ => AgentInterface::new(base, wire),
    }
}

fn card_naming(base: &str, secure: bool) -> AgentCard {
    let mut builder = AgentCard::builder()
        .name("agent")
        .description("the public story")
        .extended_agent_card(true);
    for wire in support::agents::binding_names() {
        builder = builder.supported_interface(interface_at(base, wire));
    }
    if secure {
        builder = builder
            .security_scheme(
                "bearer",
                SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("Bearer")),
            )
            .security_requirement(SecurityRequirement::new().with_scheme("bearer", Vec::<String>::new()));
    }
    builder.build()
}

async fn agent(valid: Option<Tokens>) -> Agent {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let card = card_naming(&base, valid.is_some());
    let extended = AgentCard {
        description: "the full story".into(),
        ..card.clone()
    };
    let handler = RequestHandler::builder(card.clone(), support::agents::WhoAmI)
        .extended_card(extended)
        .build();
    let presented = Arc::new(Mutex::new(Vec::new()));
    let mut routes = Routes::new(handler);
    if let Some(valid) = valid {
        let shown = presented.clone();
        let verify = move |credential: &Presented| -> Result<Identity, Denied> {
            let token = credential.secret().to_owned();
            shown.lock().unwrap().push(token.clone());
            match valid.lock().unwrap().contains(&token) {
                true => Ok(Identity::new(token)),
                false => Err(Denied::unauthenticated("unknown token")),
            }
        };
        let auth = Authenticator::builder(&card)
            .verify("bearer", verify)
            .build()
            .unwrap();
        routes = routes.authenticate(auth);
    }
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    // `/moved/…` has moved to `/…`, on this origin.
    let moved = |axum::extract::Path(rest): axum::extract::Path<String>| async move {
        (
            axum::http::StatusCode::PERMANENT_REDIRECT,
            [("location", format!("/{rest}"))],
        )
    };
    let app = routes
        .all("/")
        .route(
            "/moved/",
            axum::routing::any(|| async {
                (axum::http::StatusCode::PERMANENT_REDIRECT, [("location", "/")])
            }),
        )
        .route("/moved/{*rest}", axum::routing::any(moved))
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let header = |name: &str| {
                    request
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                sink.lock().unwrap().push(Seen {
                    path: request.uri().path().to_owned(),
                    authorization: header("authorization"),
                    legacy_key: header("x-legacy-key"),
                });
                next.run(request)
            },
        ));
    tokio::spawn(async move { a2akit::server::serve(listener, app).await.unwrap() });
    Agent { base, log, presented }
}

async fn send(client: &a2akit::client::Client) -> Result<(), Error> {
    match client
        .send_message(SendMessageRequest::new(Message::user("hi")))
        .await?
    {
        SendMessageResponse::Task(_) => Ok(()),
        other => panic!("a task, not {other:?}"),
    }
}

/// How long the tokens of the expiry test live: long enough for a fetch
/// and three calls (a lazy gRPC connect included) on a loaded machine.
const SHORT_LIFETIME: Duration = Duration::from_secs(4);

#[tokio::test]
async fn oauth_tokens_are_kept_refreshed_on_expiry_and_fetched_once_more_after_a_refusal() {
    // The bindings side by side: each waits for a token to expire.
    let runs = support::agents::binding_names().into_iter().map(oauth_on);
    futures_util::future::join_all(runs).await;
}

async fn oauth_on(wire: &'static str) {
    {
        let valid: Tokens = Arc::default();
        let tokens = token_server(valid.clone()).await;
        let agent = agent(Some(valid.clone())).await;
        tokens.lifetime.store(SHORT_LIFETIME.as_secs(), Ordering::SeqCst);
        let oauth = OAuth2ClientCredentials::new(&tokens.url, "caller", "client-secret")
            .scope("tasks:read")
            .scope("tasks:write")
            .refresh_margin(Duration::ZERO);
        let client = ClientFactory::new()
            .retry_policy(RetryPolicy::none())
            .credentials(oauth)
            .client_for_interface(agent.interface(wire))
            .unwrap();

        // Kept: three calls, one fetch.
        for _ in 0..3 {
            send(&client).await.unwrap_or_else(|err| panic!("{wire}: {err}"));
        }
        assert_eq!(tokens.fetches.load(Ordering::SeqCst), 1, "{wire}");
        assert_eq!(agent.presented(), ["tok-1"; 3], "{wire}");
        let form = tokens.forms.lock().unwrap()[0].clone();
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["client_id"], "caller");
        assert_eq!(form["client_secret"], "client-secret");
        assert_eq!(form["scope"], "tasks:read tasks:write");

        // Expired: fetched anew.
        tokio::time::sleep(SHORT_LIFETIME + Duration::from_millis(100)).await;
        tokens.lifetime.store(3600, Ordering::SeqCst);
        send(&client).await.unwrap();
        assert_eq!(tokens.fetches.load(Ordering::SeqCst), 2, "{wire}");
        assert_eq!(agent.presented().last().unwrap(), "tok-2");

        // Refused (revoked): one more fetch, and the call sent once more.
        valid.lock().unwrap().remove("tok-2");
        let before = agent.presented().len();
        send(&client).await.unwrap_or_else(|err| panic!("{wire}: {err}"));
        assert_eq!(tokens.fetches.load(Ordering::SeqCst), 3, "{wire}");
        assert_eq!(agent.presented()[before..], ["tok-2", "tok-3"], "{wire}");

        // Refused again and again: one refresh only, then the refusal.
        tokens.accepted.store(false, Ordering::SeqCst);
        valid.lock().unwrap().clear();
        let before = agent.presented().len();
        let err = send(&client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{wire}: {err}");
        assert_eq!(tokens.fetches.load(Ordering::SeqCst), 4, "{wire}");
        assert_eq!(agent.presented()[before..], ["tok-3", "tok-4"], "{wire}");
    }
}

#[tokio::test]
async fn concurrent_calls_share_one_token_fetch() {
    let valid: Tokens = Arc::default();
    let tokens = token_server(valid.clone()).await;
    let agent = agent(Some(valid)).await;
    let client = ClientFactory::new()
        .credentials(OAuth2ClientCredentials::new(
            &tokens.url,
            "caller",
            "client-secret",
        ))
        .client_for_interface(agent.interface(binding::JSONRPC))
        .unwrap();
    let calls: Vec<_> = (0..8).map(|_| send(&client)).collect();
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(tokens.fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_static_token_is_not_sent_again_and_an_unreachable_token_endpoint_fails_the_call() {
    let valid: Tokens = Arc::default();
    let agent = agent(Some(valid)).await;
    let (_reserved, closed) = refusing_port();
    for wire in support::agents::binding_names() {
        let before = agent.presented().len();
        let client = ClientFactory::new()
            .retry_policy(RetryPolicy::none())
            .credentials(BearerToken::new("wrong"))
            .client_for_interface(agent.interface(wire))
            .unwrap();
        let err = send(&client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{wire}: {err}");
        assert_eq!(agent.presented()[before..], ["wrong"], "{wire}");

        let requests = agent.seen().len();
        let unreachable =
            OAuth2ClientCredentials::new(format!("http://{closed}/token"), "caller", "client-secret");
        let client = ClientFactory::new()
            .credentials(unreachable)
            .client_for_interface(agent.interface(wire))
            .unwrap();
        let err = send(&client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{wire}: {err}");
        assert!(err.message().contains("token endpoint"), "{err}");
        assert!(!err.to_string().contains("client-secret"));
        assert_eq!(agent.seen().len(), requests, "{wire}: the agent was not called");
    }
}

/// Serves only a card, at the well-known path.
async fn card_host(card: AgentCard) -> String {
    let body = serde_json::to_string(&card).unwrap();
    let app = axum::Router::new().route(
        "/.well-known/agent-card.json",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    serve(app).await
}

fn factory(wire: &str) -> ClientFactory {
    ClientFactory::new()
        .retry_policy(RetryPolicy::none())
        .preferred_bindings([wire])
        .credentials(BearerToken::new("tok-a"))
        .interceptor(ApiKey::new(ApiKeyLocation::Header, "X-Legacy-Key", "legacy"))
}

fn is_card_fetch(seen: &Seen) -> bool {
    seen.path.ends_with("/.well-known/agent-card.json")
}

#[tokio::test]
async fn credentials_reach_the_cards_own_origin_and_the_extended_card_but_not_the_public_card() {
    let valid: Tokens = Arc::new(Mutex::new(HashSet::from(["tok-a".to_owned()])));
    let agent = agent(Some(valid)).await;
    for wire in support::agents::binding_names() {
        let before = agent.seen().len();
        let client = factory(wire).connect(&agent.base).await.unwrap();
        assert_eq!(client.interface().protocol_binding, wire);
        send(&client).await.unwrap_or_else(|err| panic!("{wire}: {err}"));
        let extended = client.get_extended_agent_card().await.unwrap();
        assert_eq!(extended.description, "the full story", "{wire}");
        let seen = agent.seen()[before..].to_vec();
        let (cards, calls): (Vec<Seen>, Vec<Seen>) = seen.into_iter().partition(is_card_fetch);
        assert!(!cards.is_empty(), "{wire}: the card was fetched");
        for card in &cards {
            assert_eq!(card.authorization, None, "{wire}: {card:?}");
            assert_eq!(card.legacy_key, None, "{wire}: {card:?}");
        }
        assert_eq!(calls.len(), 2, "{wire}: {calls:?}");
        for call in &calls {
            assert_eq!(
                call.authorization.as_deref(),
                Some("Bearer tok-a"),
                "{wire}: {call:?}"
            );
            assert_eq!(call.legacy_key.as_deref(), Some("legacy"), "{wire}: {call:?}");
        }
    }
}

#[tokio::test]
async fn an_agent_a_card_places_on_another_origin_gets_no_credential_unless_named() {
    let elsewhere = agent(None).await;
    let host = card_host(card_naming(&elsewhere.base, false)).await;
    for wire in support::agents::binding_names() {
        // Through the card of another origin: no credential.
        let before = elsewhere.seen().len();
        let client = factory(wire).connect(&host).await.unwrap();
        send(&client).await.unwrap_or_else(|err| panic!("{wire}: {err}"));
        // A card handed over without its origin: no credential either.
        let card = factory(wire).resolve_card(&host).await.unwrap();
        let client = factory(wire).client_for_card(card.clone()).unwrap();
        send(&client).await.unwrap();
        let seen = elsewhere.seen()[before..].to_vec();
        assert!(seen.len() >= 2, "{wire}: {seen:?}");
        for request in &seen {
            assert_eq!(request.authorization, None, "{wire}: {request:?}");
            assert_eq!(request.legacy_key, None, "{wire}: {request:?}");
        }

        // Named by the caller: sent.
        let before = elsewhere.seen().len();
        let named = factory(wire).credential_origins([elsewhere.base.as_str()]);
        let client = named.connect(&host).await.unwrap();
        send(&client).await.unwrap();
        let calls: Vec<Seen> = elsewhere.seen()[before..]
            .iter()
            .filter(|seen| !is_card_fetch(seen))
            .cloned()
            .collect();
        assert_eq!(calls.len(), 1, "{wire}: {calls:?}");
        assert_eq!(calls[0].authorization.as_deref(), Some("Bearer tok-a"), "{wire}");
        assert_eq!(calls[0].legacy_key.as_deref(), Some("legacy"), "{wire}");
        // The card's own origin, stated by the caller, is not that origin either.
        let client = factory(wire).client_for_card_from(card, &host).unwrap();
        let before = elsewhere.seen().len();
        send(&client).await.unwrap();
        assert_eq!(elsewhere.seen()[before].authorization, None, "{wire}");
    }
    let err = ClientFactory::new()
        .credential_origins(["not an origin"])
        .client_for_interface(AgentInterface::new("http://127.0.0.1:9/", binding::JSONRPC))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParams, "{err}");
}

#[tokio::test]
async fn a_huge_token_lifetime_keeps_the_token() {
    let valid: Tokens = Arc::default();
    let tokens = token_server(valid.clone()).await;
    tokens.lifetime.store(u64::MAX, Ordering::SeqCst);
    let agent = agent(Some(valid)).await;
    let client = ClientFactory::new()
        .credentials(OAuth2ClientCredentials::new(
            &tokens.url,
            "caller",
            "client-secret",
        ))
        .client_for_interface(agent.interface(binding::JSONRPC))
        .unwrap();
    for _ in 0..3 {
        send(&client).await.unwrap();
    }
    assert_eq!(tokens.fetches.load(Ordering::SeqCst), 1);
    assert_eq!(agent.presented(), ["tok-1"; 3]);
}

/// A request a server received: its URL and headers, and its body.
type Recorded = Arc<Mutex<Vec<(String, axum::http::HeaderMap, String)>>>;

/// A server on another origin that records every request and answers `{}`.
async fn recorder() -> (String, Recorded) {
    let log: Recorded = Arc::default();
    let sink = log.clone();
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: String| {
            sink.lock().unwrap().push((uri.to_string(), headers, body));
            async { ([("content-type", "application/json")], "{}") }
        },
    );
    (serve(app).await, log)
}

/// Answers every request with a `status` redirect to `to` (the same path).
async fn redirecting(status: axum::http::StatusCode, to: String) -> String {
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let location = format!("{to}{}", uri.path());
        async move { (status, [("location", location)], "") }
    });
    serve(app).await
}

const SECRETS: [&str; 3] = ["CUSTOMSECRET", "HEADERKEYSECRET", "QUERYKEYSECRET"];

fn redirect_factory() -> ClientFactory {
    ClientFactory::new()
        .retry_policy(RetryPolicy::none())
        .credentials(Credential::header("X-Custom-Token", "CUSTOMSECRET"))
        .interceptor(ApiKey::new(
            ApiKeyLocation::Header,
            "X-API-Key",
            "HEADERKEYSECRET",
        ))
        .interceptor(ApiKey::new(ApiKeyLocation::Query, "api_key", "QUERYKEYSECRET"))
}

/// An agent that redirects to another origin does not get the credentials
/// sent there: the redirect is not followed, and no `Referer` (which would
/// show the query, API key included) goes anywhere.
#[tokio::test]
async fn a_redirect_to_another_origin_carries_no_credential_and_no_referer() {
    let (elsewhere, log) = recorder().await;
    for status in [307, 308, 302] {
        let status = axum::http::StatusCode::from_u16(status).unwrap();
        let agent = redirecting(status, elsewhere.clone()).await;
        for wire in [binding::JSONRPC, binding::HTTP_JSON] {
            let url = match wire {
                binding::JSONRPC => format!("{agent}/"),
                _ => agent.clone(),
            };
            let client = redirect_factory()
                .client_for_interface(AgentInterface::new(url, wire))
                .unwrap();
            let err = send(&client).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnexpectedStatus, "{wire} {status}: {err}");
            assert!(err.message().contains(status.as_str()), "{err}");
        }
    }
    for (url, headers, body) in log.lock().unwrap().iter() {
        assert!(headers.get("referer").is_none(), "{url}: {headers:?}");
        let shown = format!("{url} {headers:?} {body}");
        for secret in SECRETS {
            assert!(
                !shown.contains(secret),
                "{secret} reached another origin: {shown}"
            );
        }
    }
    assert!(log.lock().unwrap().is_empty(), "the redirect was not followed");
}

/// A redirect within the agent's origin is followed, credentials and all.
#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let valid: Tokens = Arc::new(Mutex::new(HashSet::from(["tok-a".to_owned()])));
    let agent = agent(Some(valid)).await;
    for wire in [binding::JSONRPC, binding::HTTP_JSON] {
        let url = match wire {
            binding::JSONRPC => format!("{}/moved/", agent.base),
            _ => format!("{}/moved", agent.base),
        };
        let before = agent.seen().len();
        let client = ClientFactory::new()
            .retry_policy(RetryPolicy::none())
            .credentials(BearerToken::new("tok-a"))
            .client_for_interface(AgentInterface::new(url, wire))
            .unwrap();
        send(&client).await.unwrap_or_else(|err| panic!("{wire}: {err}"));
        let seen = agent.seen()[before..].to_vec();
        assert_eq!(seen.len(), 2, "{wire}: {seen:?}");
        assert!(seen[0].path.starts_with("/moved"), "{wire}: {seen:?}");
        assert!(!seen[1].path.starts_with("/moved"), "{wire}: {seen:?}");
        assert_eq!(seen[1].authorization.as_deref(), Some("Bearer tok-a"), "{wire}");
    }
}

/// A token endpoint that redirects (307 and 308 would post the form again)
/// does not get the client secret re-posted to another origin.
#[tokio::test]
async fn a_token_endpoint_redirect_is_not_followed() {
    let (elsewhere, log) = recorder().await;
    let agent = agent(None).await;
    for status in [307, 308] {
        let status = axum::http::StatusCode::from_u16(status).unwrap();
        let endpoint = redirecting(status, elsewhere.clone()).await;
        let oauth = OAuth2ClientCredentials::new(format!("{endpoint}/token"), "caller", "client-secret");
        let client = ClientFactory::new()
            .credentials(oauth)
            .client_for_interface(agent.interface(binding::JSONRPC))
            .unwrap();
        let err = send(&client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedStatus, "{status}: {err}");
        assert!(err.message().contains("token endpoint"), "{err}");
    }
    let log = log.lock().unwrap();
    assert!(
        log.iter().all(|(_, _, body)| !body.contains("client-secret")),
        "{log:?}"
    );
    assert!(log.is_empty(), "{log:?}");
}

/// A TCP proxy that can cut every connection it carries.
#[cfg(feature = "grpc")]
struct Proxy {
    address: String,
    connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

#[cfg(feature = "grpc")]
impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let held = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let carried = tokio::spawn(async move {
                    let mut outbound = tokio::net::TcpStream::connect(upstream).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
                held.lock().unwrap().push(carried);
            }
        });
        Proxy { address, connections }
    }

    /// Drops every connection open now, without a goodbye.
    fn cut(&self) {
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }
}

/// A gRPC stream resumed after its token expired, or after the agent
/// revoked it, carries a fresh token: the resume asks the provider like
/// any call, and a refused token is fetched anew once.
#[cfg(feature = "grpc")]
#[tokio::test]
async fn a_resumed_grpc_stream_asks_for_a_fresh_token() {
    let valid: Tokens = Arc::default();
    let tokens = token_server(valid.clone()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap().to_string();
    let card = AgentCard::builder()
        .name("paced")
        .description("takes its time")
        .interface(&upstream, binding::GRPC)
        .streaming(true)
        .security_scheme(
            "bearer",
            SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("Bearer")),
        )
        .security_requirement(SecurityRequirement::new().with_scheme("bearer", Vec::<String>::new()))
        .build();
    let presented: Arc<Mutex<Vec<String>>> = Arc::default();
    let (shown, accepted) = (presented.clone(), valid.clone());
    // Every token is the same caller's: its tasks stay visible to it.
    let verify = move |credential: &Presented| -> Result<Identity, Denied> {
        let token = credential.secret().to_owned();
        shown.lock().unwrap().push(token.clone());
        match accepted.lock().unwrap().contains(&token) {
            true => Ok(Identity::new("caller")),
            false => Err(Denied::unauthenticated("unknown token")),
        }
    };
    let auth = Authenticator::builder(&card)
        .verify("bearer", verify)
        .build()
        .unwrap();
    let handler = RequestHandler::builder(card, support::agents::Paced).build();
    let app = Routes::new(handler).authenticate(auth).all("/");
    tokio::spawn(async move { a2akit::server::serve(listener, app).await.unwrap() });
    let proxy = Proxy::start(upstream).await;

    tokens.lifetime.store(1, Ordering::SeqCst);
    let oauth =
        OAuth2ClientCredentials::new(&tokens.url, "caller", "client-secret").refresh_margin(Duration::ZERO);
    let client = ClientFactory::new()
        .credentials(oauth)
        .client_for_interface(AgentInterface::new(&proxy.address, binding::GRPC))
        .unwrap();

    // Expired meanwhile (and refused by the agent, as expired tokens are):
    // the resume fetches a new one rather than send the old one again.
    let at_cut = || {
        valid.lock().unwrap().remove("tok-1");
        tokens.lifetime.store(3600, Ordering::SeqCst);
        presented.lock().unwrap().len()
    };
    let cut_at = follow_through_a_cut(&client, &proxy, at_cut, Duration::from_millis(1200)).await;
    assert_eq!(tokens.fetches.load(Ordering::SeqCst), 2);
    let after = presented.lock().unwrap()[cut_at..].to_vec();
    assert!(
        !after.is_empty() && after.iter().all(|t| t == "tok-2"),
        "{after:?}"
    );

    // Revoked while fresh: refused once, fetched anew, and the resume goes on.
    let at_cut = || {
        valid.lock().unwrap().remove("tok-2");
        presented.lock().unwrap().len()
    };
    let cut_at = follow_through_a_cut(&client, &proxy, at_cut, Duration::ZERO).await;
    assert_eq!(tokens.fetches.load(Ordering::SeqCst), 3);
    let after = presented.lock().unwrap()[cut_at..].to_vec();
    assert_eq!(after.first().map(String::as_str), Some("tok-2"), "{after:?}");
    assert!(after[1..].iter().all(|t| t == "tok-3"), "{after:?}");
}

/// Streams a paced task, and at its first artifact runs `at_cut`, cuts
/// every connection and waits `wait` before reading on; the stream must
/// end with the task complete. What `at_cut` returned.
#[cfg(feature = "grpc")]
async fn follow_through_a_cut<T>(
    client: &a2akit::client::Client,
    proxy: &Proxy,
    at_cut: impl FnOnce() -> T,
    wait: Duration,
) -> T {
    use a2akit::types::{StreamResponse, TaskState};
    use futures_util::StreamExt as _;

    let mut stream = client.send_streaming_message("6 250").await.unwrap();
    let mut task: Option<a2akit::types::Task> = None;
    let mut at_cut = Some(at_cut);
    let mut returned = None;
    while let Some(event) = tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .expect("the stream ends in time")
    {
        let event = event.unwrap_or_else(|err| panic!("not resumed: {err}"));
        match (&mut task, &event) {
            (_, StreamResponse::Task(snapshot)) => task = Some(snapshot.clone()),
            (Some(task), event) => task.apply(event),
            (None, other) => panic!("an update before the task: {other:?}"),
        }
        if matches!(event, StreamResponse::ArtifactUpdate(_)) {
            if let Some(at_cut) = at_cut.take() {
                returned = Some(at_cut());
                proxy.cut();
                tokio::time::sleep(wait).await;
            }
        }
    }
    let task = task.expect("a task");
    assert_eq!(task.status.state, TaskState::Completed, "{task:?}");
    assert_eq!(task.artifacts.len(), 6, "{task:?}");
    returned.expect("the connection was cut")
}

/// A token endpoint that answers something other than a token response
/// (here a bare JSON string holding a token) is an `InvalidResponse` that
/// does not quote the answer, in its message or its source.
#[tokio::test]
async fn a_token_endpoint_answer_that_is_no_token_response_is_not_quoted() {
    use std::error::Error as _;

    let app = axum::Router::new().route(
        "/token",
        post(|| async { ([("content-type", "application/json")], "\"tok-ANSWERSECRET\"") }),
    );
    let endpoint = serve(app).await;
    let agent = agent(None).await;
    let client = ClientFactory::new()
        .credentials(OAuth2ClientCredentials::new(
            format!("{endpoint}/token"),
            "caller",
            "client-secret",
        ))
        .client_for_interface(agent.interface(binding::JSONRPC))
        .unwrap();
    let err = send(&client).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
    let mut shown = vec![err.to_string(), format!("{err:?}")];
    let mut source = err.source();
    while let Some(cause) = source {
        shown.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
    for text in shown {
        assert!(!text.contains("ANSWERSECRET"), "{text}");
    }
}
