//! Authentication enforced from the card, on every binding: an agent whose
//! card declares a Bearer (JWT) scheme and an API key scheme refuses calls
//! without credentials or with wrong ones (401 / UNAUTHENTICATED, with a
//! challenge), serves the right ones as their caller (and callers never see
//! each other's tasks), keeps its public card public, and gives the
//! extended card only to authenticated callers. JWTs are checked against a
//! JWKS served here, with keys made in the test: valid, expired, wrong
//! audience, wrong key, rotated key, missing scope.
#![cfg(feature = "client")]

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::agents::WhoAmI;

use a2akit::client::{ApiKey, ApiKeyLocation, BearerToken, Client, ClientFactory};
use a2akit::server::RequestHandler;
use a2akit::server::auth::{Authenticator, Credential, Denied, Identity, JwtVerifier};
use a2akit::server::http::Routes;
use a2akit::types::{
    APIKeySecurityScheme, AgentCard, AgentInterface, GetTaskRequest, HTTPAuthSecurityScheme, Message,
    SecurityRequirement, SecurityScheme, SendMessageRequest, SendMessageResponse, binding,
};
use a2akit::{Error, ErrorKind};
use serde_json::{Value, json};
use support::jwt::{SigningKey, issuer};

const AUDIENCE: &str = "https://agent.test/";
use support::jwt::ISSUER;

fn card(base: &str, scoped: bool) -> AgentCard {
    let bearer = match scoped {
        true => SecurityRequirement::new().with_scheme("bearer", ["tasks:write"]),
        false => SecurityRequirement::new().with_scheme("bearer", Vec::<String>::new()),
    };
    support::agents::card_on_every_binding("Secure", base)
        .streaming(true)
        .extended_agent_card(true)
        .security_scheme(
            "bearer",
            SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("Bearer").with_bearer_format("JWT")),
        )
        .security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(APIKeySecurityScheme::new("header", "X-API-Key")),
        )
        .security_requirement(bearer)
        .security_requirement(SecurityRequirement::new().with_scheme("apiKey", Vec::<String>::new()))
        .build()
}

fn api_keys(credential: &Credential) -> Result<Identity, Denied> {
    match credential.secret() {
        "alice-key" => Ok(Identity::new("alice")),
        "bob-key" => Ok(Identity::new("bob")),
        _ => Err(Denied::unauthenticated("unknown API key")),
    }
}

struct Agent {
    base: String,
    _task: tokio::task::JoinHandle<()>,
}

async fn agent(jwks: &str, scoped: bool) -> Agent {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let card = card(&base, scoped);
    let extended = AgentCard {
        description: "the full story".into(),
        ..card.clone()
    };
    let jwt = JwtVerifier::builder(jwks)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .leeway(Duration::ZERO)
        .min_refetch(Duration::ZERO)
        .build();
    let auth = Authenticator::builder(&card)
        .verify("bearer", jwt)
        .verify("apiKey", api_keys)
        .build()
        .unwrap();
    let handler = RequestHandler::builder(card, WhoAmI)
        .extended_card(extended)
        .build();
    let app = Routes::new(handler).authenticate(auth).all("/");
    let task = tokio::spawn(async move { a2akit::server::serve(listener, app).await.unwrap() });
    Agent { base, _task: task }
}

fn send_body() -> Value {
    json!({"message": {"messageId": uuid(), "role": "ROLE_USER", "parts": [{"text": "hi"}]}})
}

fn uuid() -> String {
    format!(
        "m-{}",
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos()
    )
}

/// A raw SendMessage over JSON-RPC or HTTP+JSON with `headers`.
async fn raw_send(base: &str, jsonrpc: bool, headers: &[(&str, &str)]) -> reqwest::Response {
    let http = reqwest::Client::new();
    let mut request = match jsonrpc {
        true => http
            .post(format!("{base}/"))
            .json(&json!({"jsonrpc": "2.0", "id": 7, "method": "SendMessage", "params": send_body()})),
        false => http.post(format!("{base}/message:send")).json(&send_body()),
    };
    request = request.header("A2A-Version", "1.0");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

async fn assert_refused(response: reqwest::Response, jsonrpc: bool, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let challenges: Vec<String> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    if status == 401 {
        assert!(
            challenges.iter().any(|c| c.starts_with("Bearer ")),
            "{challenges:?}"
        );
        assert!(
            challenges.iter().any(|c| c.contains("X-API-Key")),
            "{challenges:?}"
        );
    }
    let body: Value = response.json().await.unwrap();
    let expected = match status {
        401 => (-31401, "UNAUTHENTICATED"),
        _ => (-31403, "PERMISSION_DENIED"),
    };
    match jsonrpc {
        true => {
            assert_eq!(body["jsonrpc"], "2.0");
            assert_eq!(body["id"], Value::Null);
            assert_eq!(body["error"]["code"], expected.0, "{body}");
        }
        false => {
            assert_eq!(body["error"]["code"], status, "{body}");
            assert_eq!(body["error"]["status"], expected.1, "{body}");
        }
    }
    body
}

#[tokio::test]
async fn http_bindings_refuse_missing_and_wrong_credentials_and_serve_right_ones() {
    let key = SigningKey::new("k1");
    let issuer = issuer(vec![key.jwk()]).await;
    let agent = agent(&issuer.url, false).await;
    let good = key.token("carol", AUDIENCE, 300, "");
    let bearer = format!("Bearer {good}");
    for jsonrpc in [true, false] {
        assert_refused(raw_send(&agent.base, jsonrpc, &[]).await, jsonrpc, 401).await;
        assert_refused(
            raw_send(&agent.base, jsonrpc, &[("X-API-Key", "nope")]).await,
            jsonrpc,
            401,
        )
        .await;
        assert_refused(
            raw_send(&agent.base, jsonrpc, &[("Authorization", "Bearer not-a-jwt")]).await,
            jsonrpc,
            401,
        )
        .await;
        for headers in [[("X-API-Key", "alice-key")], [("Authorization", bearer.as_str())]] {
            let response = raw_send(&agent.base, jsonrpc, &headers).await;
            assert_eq!(response.status().as_u16(), 200);
            let body: Value = response.json().await.unwrap();
            let task = if jsonrpc {
                &body["result"]["task"]
            } else {
                &body["task"]
            };
            let who = &task["artifacts"][0]["parts"][0]["text"];
            let expected = if headers[0].0 == "X-API-Key" {
                "alice"
            } else {
                "carol"
            };
            assert_eq!(who, expected, "{body}");
        }
    }
    // The public card stays public.
    let card = reqwest::get(format!("{}/.well-known/agent-card.json", agent.base))
        .await
        .unwrap();
    assert_eq!(card.status().as_u16(), 200);
}

fn client(agent: &Agent, binding: &str, credential: Option<&str>) -> Client {
    let url = match binding {
        binding::JSONRPC => format!("{}/", agent.base),
        binding::GRPC => agent.base.trim_start_matches("http://").to_owned(),
        _ => agent.base.clone(),
    };
    let mut factory = ClientFactory::new();
    match credential {
        Some(key) if key.ends_with("-key") => {
            factory = factory.interceptor(ApiKey::new(ApiKeyLocation::Header, "X-API-Key", key))
        }
        Some(token) => factory = factory.interceptor(BearerToken::new(token)),
        None => {}
    }
    factory
        .client_for_interface(AgentInterface::new(url, binding))
        .unwrap()
}

fn first_text(task: &a2akit::types::Task) -> &str {
    task.artifacts[0].parts[0].as_text().unwrap_or_default()
}

async fn send(client: &Client) -> Result<a2akit::types::Task, Error> {
    match client
        .send_message(SendMessageRequest::new(Message::user("hi")))
        .await?
    {
        SendMessageResponse::Task(task) => Ok(task),
        other => panic!("a task, not {other:?}"),
    }
}

#[tokio::test]
async fn every_binding_enforces_the_card_and_keeps_callers_apart() {
    let key = SigningKey::new("k1");
    let issuer = issuer(vec![key.jwk()]).await;
    let agent = agent(&issuer.url, false).await;
    let dave = key.token("dave", AUDIENCE, 300, "");
    for binding in support::agents::binding_names() {
        let anonymous = client(&agent, binding, None);
        let err = send(&anonymous).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{binding}: {err}");
        let wrong = client(&agent, binding, Some("eve-key"));
        let err = send(&wrong).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{binding}: {err}");
        let expired = client(&agent, binding, Some(&key.token("dave", AUDIENCE, -30, "")));
        let err = send(&expired).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{binding}: {err}");

        let alice = client(&agent, binding, Some("alice-key"));
        let bob = client(&agent, binding, Some("bob-key"));
        let by_token = client(&agent, binding, Some(&dave));
        let task = send(&alice).await.unwrap();
        assert_eq!(first_text(&task), "alice", "{binding}");
        assert_eq!(first_text(&send(&by_token).await.unwrap()), "dave", "{binding}");
        // Alice's task is hers: Bob and Dave do not see it.
        let get = GetTaskRequest::new(&task.id);
        assert_eq!(alice.get_task(get.clone()).await.unwrap().id, task.id);
        for other in [&bob, &by_token] {
            let err = other.get_task(get.clone()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TaskNotFound, "{binding}: {err}");
        }
        // The extended card goes to authenticated callers only.
        let card = alice.get_extended_agent_card().await.unwrap();
        assert_eq!(card.description, "the full story", "{binding}");
        let err = anonymous.get_extended_agent_card().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{binding}: {err}");
    }
}

#[tokio::test]
async fn jwts_are_checked_for_expiry_audience_key_and_rotation() {
    let old = SigningKey::new("old");
    let issuer = issuer(vec![old.jwk()]).await;
    let agent = agent(&issuer.url, false).await;
    let status = |token: String| {
        let base = agent.base.clone();
        async move {
            let header = format!("Bearer {token}");
            raw_send(&base, false, &[("Authorization", header.as_str())])
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(status(old.token("u", AUDIENCE, 300, "")).await, 200, "valid");
    assert_eq!(status(old.token("u", AUDIENCE, -5, "")).await, 401, "expired");
    assert_eq!(
        status(old.token("u", "https://elsewhere.test/", 300, "")).await,
        401,
        "wrong audience"
    );
    // A key the issuer never published, under a key id it did publish.
    let forged = SigningKey::new("old");
    assert_eq!(
        status(forged.token("u", AUDIENCE, 300, "")).await,
        401,
        "wrong key"
    );
    // An unknown key id makes the verifier fetch the keys again.
    let new = SigningKey::new("new");
    let before = issuer.fetches.load(Ordering::SeqCst);
    assert_eq!(
        status(new.token("u", AUDIENCE, 300, "")).await,
        401,
        "not published yet"
    );
    assert!(issuer.fetches.load(Ordering::SeqCst) > before);
    // The issuer rotates: the new key is published, the old one withdrawn.
    *issuer.keys.write().unwrap() = vec![new.jwk()];
    assert_eq!(
        status(new.token("u", AUDIENCE, 300, "")).await,
        200,
        "rotated key"
    );
    let reason = raw_send(
        &agent.base,
        false,
        &[(
            "Authorization",
            &format!("Bearer {}", forged.token("u", AUDIENCE, 300, "")),
        )],
    )
    .await;
    let body = assert_refused(reason, false, 401).await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(!message.contains("eyJ"), "no token in the message: {message}");
}

#[tokio::test]
async fn a_token_without_the_required_scope_is_forbidden() {
    let key = SigningKey::new("k1");
    let issuer = issuer(vec![key.jwk()]).await;
    let agent = agent(&issuer.url, true).await;
    let without = format!("Bearer {}", key.token("u", AUDIENCE, 300, "tasks:read"));
    let with = format!(
        "Bearer {}",
        key.token("u", AUDIENCE, 300, "tasks:read tasks:write")
    );
    for jsonrpc in [true, false] {
        let response = raw_send(&agent.base, jsonrpc, &[("Authorization", without.as_str())]).await;
        assert_refused(response, jsonrpc, 403).await;
        let response = raw_send(&agent.base, jsonrpc, &[("Authorization", with.as_str())]).await;
        assert_eq!(response.status().as_u16(), 200);
    }
    #[cfg(feature = "grpc")]
    {
        let scoped = client(&agent, binding::GRPC, Some(without.trim_start_matches("Bearer ")));
        let err = send(&scoped).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    }
}

#[test]
fn an_authenticator_refuses_a_card_it_cannot_enforce() {
    let card = card("http://127.0.0.1:1", false);
    let err = Authenticator::builder(&card)
        .verify("apiKey", api_keys)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("bearer"), "{err}");
    let err = Authenticator::builder(&card)
        .verify("apiKey", api_keys)
        .verify("bearer", api_keys)
        .verify("nonesuch", api_keys)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("nonesuch"), "{err}");
}

/// The official Python SDK's client, with its own `AuthInterceptor`, calls
/// the agent on every binding: refused without credentials, served as the
/// caller its API key or JWT names, and given the extended card.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_client_calls_with_credentials() {
    let Some(python) = support::python::interpreter() else {
        return;
    };
    let key = SigningKey::new("k1");
    let issuer = issuer(vec![key.jwk()]).await;
    let agent = agent(&issuer.url, false).await;
    let token = key.token("carol", AUDIENCE, 300, "");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/secure_client.py");
    let mut names = vec!["jsonrpc", "http_json"];
    if cfg!(feature = "grpc") {
        names.push("grpc");
    }
    for binding in names {
        let output = tokio::process::Command::new(&python)
            .arg(&script)
            .args([agent.base.as_str(), binding, "alice-key", token.as_str()])
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .await
            .expect("secure_client.py runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let steps: Vec<Value> = stdout
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let passed: Vec<&str> = steps
            .iter()
            .filter(|s| s["ok"] == true)
            .filter_map(|s| s["step"].as_str())
            .collect();
        assert_eq!(
            passed,
            [
                "public_card",
                "anonymous_refused",
                "api_key",
                "bearer_jwt",
                "extended_card"
            ],
            "{binding}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Basic credentials, and API keys in a query parameter or a cookie, read
/// from where the card's schemes put them.
#[tokio::test]
async fn basic_query_and_cookie_credentials_are_read_where_the_card_puts_them() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let card = AgentCard::builder()
        .name("Many ways")
        .description("d")
        .security_scheme(
            "basic",
            SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("basic")),
        )
        .security_scheme(
            "query",
            SecurityScheme::ApiKey(APIKeySecurityScheme::new("query", "key")),
        )
        .security_scheme(
            "cookie",
            SecurityScheme::ApiKey(APIKeySecurityScheme::new("cookie", "session")),
        )
        .build();
    let auth = Authenticator::builder(&card)
        .verify("basic", |c: &Credential| match c {
            Credential::Basic { user, password } if password == "pw" => Ok(Identity::new(user.clone())),
            _ => Err(Denied::unauthenticated("wrong password")),
        })
        .verify("query", |c: &Credential| match c.secret() {
            "q1" => Ok(Identity::new("by-query")),
            _ => Err(Denied::unauthenticated("unknown key")),
        })
        .verify("cookie", |c: &Credential| match c.secret() {
            "c1" => Ok(Identity::new("by-cookie")),
            _ => Err(Denied::unauthenticated("unknown session")),
        })
        .build()
        .unwrap();
    let handler = RequestHandler::builder(card, WhoAmI).build();
    tokio::spawn(a2akit::server::serve(
        listener,
        Routes::new(handler).authenticate(auth).all("/"),
    ));
    let http = reqwest::Client::new();
    let who = |request: reqwest::RequestBuilder| async move {
        let response = request
            .header("A2A-Version", "1.0")
            .json(&send_body())
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            200 => {
                let body: Value = response.json().await.unwrap();
                body["task"]["artifacts"][0]["parts"][0]["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
            status => status.to_string(),
        }
    };
    let send = format!("{base}/message:send");
    assert_eq!(
        who(http.post(&send).basic_auth("carol", Some("pw"))).await,
        "carol"
    );
    assert_eq!(
        who(http.post(&send).basic_auth("carol", Some("nope"))).await,
        "401"
    );
    assert_eq!(who(http.post(format!("{send}?key=q1"))).await, "by-query");
    assert_eq!(who(http.post(format!("{send}?key=q2"))).await, "401");
    assert_eq!(
        who(http.post(&send).header("Cookie", "theme=dark; session=c1")).await,
        "by-cookie"
    );
    assert_eq!(who(http.post(&send)).await, "401");
}

/// An OpenID Connect verifier finds the keys and the issuer through the
/// discovery document, and holds tokens to that issuer.
#[tokio::test]
async fn an_openid_verifier_follows_the_discovery_document() {
    let key = SigningKey::new("oidc");
    let jwks = json!({"keys": [key.jwk()]});
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let discovery = json!({"issuer": support::jwt::ISSUER, "jwks_uri": format!("{base}/keys")});
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || async move { axum::Json(discovery) }),
        )
        .route(
            "/keys",
            axum::routing::get(move || async move { axum::Json(jwks) }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let verifier = JwtVerifier::openid(format!("{base}/.well-known/openid-configuration"))
        .audience(AUDIENCE)
        .build();
    let identity = verifier
        .check(&key.token("erin", AUDIENCE, 60, "a b"))
        .await
        .unwrap();
    assert_eq!(identity.caller().id(), "erin");
    assert_eq!(identity.scopes(), ["a", "b"]);
    // A token from another issuer, signed with the same key, is refused.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let claims = json!({"sub": "x", "iss": "https://other.test/", "aud": AUDIENCE, "exp": now + 60});
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some("oidc".into());
    let foreign = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ed_der(key.pkcs8()),
    )
    .unwrap();
    let denied = verifier.check(&foreign).await.unwrap_err();
    assert!(denied.reason().contains("issuer"), "{}", denied.reason());
}

/// A key set larger than any real one is not read whole: tokens are
/// refused, and the agent goes on.
#[tokio::test]
async fn an_oversized_key_set_is_refused_not_read() {
    let key = SigningKey::new("k1");
    let huge = format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(2 << 20));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/jwks.json", axum::routing::get(move || async move { huge }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let verifier = JwtVerifier::builder(url).audience(AUDIENCE).build();
    let denied = verifier
        .check(&key.token("u", AUDIENCE, 60, ""))
        .await
        .unwrap_err();
    assert!(
        denied.reason().contains("cannot be fetched"),
        "{}",
        denied.reason()
    );
}
