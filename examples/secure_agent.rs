//! An agent that serves only callers it knows: its card declares an HTTP
//! Bearer scheme (JWTs) and an API key scheme, and the crate enforces them
//! on JSON-RPC, HTTP+JSON and (with the `grpc` feature) gRPC.
//!
//! ```sh
//! cargo run --example secure_agent
//! ```
//!
//! Without settings it is its own token issuer, for a demonstration: it
//! makes an Ed25519 key, publishes it at `/demo-issuer/jwks.json` and
//! prints a token and an API key to call it with. Point it at a real
//! issuer with `A2A_JWKS_URL` (and `A2A_JWT_ISSUER`, `A2A_JWT_AUDIENCE`);
//! `A2A_API_KEYS=alice=key1,bob=key2` sets the API keys.
//!
//! ```sh
//! curl -s localhost:8080/message:send -H 'A2A-Version: 1.0' -H "X-API-Key: $KEY" \
//!   -H 'Content-Type: application/json' \
//!   -d '{"message":{"messageId":"1","role":"ROLE_USER","parts":[{"text":"hi"}]}}'
//! ```

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use a2akit::Error;
use a2akit::server::auth::{Authenticator, Credential, Denied, Identity, JwtVerifier};
use a2akit::server::http::{Routes, Shutdown, serve_with_shutdown};
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{
    APIKeySecurityScheme, AgentCard, Artifact, HTTPAuthSecurityScheme, SecurityRequirement, SecurityScheme,
    binding,
};
use base64::Engine as _;
use ring::signature::KeyPair as _;

/// Greets its caller by the name authentication gave it.
struct Greeter;

impl AgentExecutor for Greeter {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let who = context
            .call
            .caller
            .as_ref()
            .map_or("stranger", |caller| caller.id());
        updater
            .add_artifact(Artifact::text("greeting", format!("hello, {who}")))
            .await?;
        updater.complete().await
    }
}

fn card(base: &str) -> AgentCard {
    let builder = AgentCard::builder()
        .name("Secure greeter")
        .description("Greets the callers it knows")
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(base, binding::HTTP_JSON);
    #[cfg(feature = "grpc")]
    let builder = builder.interface(base.trim_start_matches("http://"), binding::GRPC);
    builder
        .security_scheme(
            "bearer",
            SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("Bearer").with_bearer_format("JWT")),
        )
        .security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(APIKeySecurityScheme::new("header", "X-API-Key")),
        )
        // Either one is enough.
        .security_requirement(SecurityRequirement::new().with_scheme("bearer", Vec::<String>::new()))
        .security_requirement(SecurityRequirement::new().with_scheme("apiKey", Vec::<String>::new()))
        .build()
}

/// The API keys: `A2A_API_KEYS=alice=key1,bob=key2`, or one made up now.
fn api_keys() -> HashMap<String, String> {
    match std::env::var("A2A_API_KEYS") {
        Ok(list) => list
            .split(',')
            .filter_map(|pair| pair.split_once('='))
            .map(|(who, key)| (key.trim().to_owned(), who.trim().to_owned()))
            .collect(),
        Err(_) => HashMap::from([(format!("demo-{}", uuid::Uuid::new_v4()), "demo".to_owned())]),
    }
}

/// A demonstration issuer: a fresh Ed25519 key, its JWKS, and a token for `demo`.
struct DemoIssuer {
    jwks: serde_json::Value,
    token: String,
}

fn demo_issuer(base: &str) -> DemoIssuer {
    let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
    let jwks = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": "demo", "x": x}]});
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let claims = serde_json::json!({"sub": "demo", "iss": base, "aud": base, "exp": now + 3600});
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some("demo".into());
    let token = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ed_der(pkcs8.as_ref()),
    )
    .unwrap();
    DemoIssuer { jwks, token }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let card = card(&base);

    let demo = std::env::var("A2A_JWKS_URL").is_err().then(|| demo_issuer(&base));
    let jwks_url = std::env::var("A2A_JWKS_URL").unwrap_or_else(|_| format!("{base}/demo-issuer/jwks.json"));
    let issuer = std::env::var("A2A_JWT_ISSUER").unwrap_or_else(|_| base.clone());
    let audience = std::env::var("A2A_JWT_AUDIENCE").unwrap_or_else(|_| base.clone());
    let jwt = JwtVerifier::builder(jwks_url)
        .issuer(issuer)
        .audience(audience)
        .build();

    let keys = api_keys();
    let shown_keys: Vec<String> = keys.iter().map(|(key, who)| format!("{who}: {key}")).collect();
    let check_key = move |credential: &Credential| match keys.get(credential.secret()) {
        Some(who) => Ok(Identity::new(who.clone())),
        None => Err(Denied::unauthenticated("unknown API key")),
    };
    let auth = Authenticator::builder(&card)
        .verify("bearer", jwt)
        .verify("apiKey", check_key)
        .build()
        .expect("the card's schemes all have verifiers");

    let handler = RequestHandler::builder(card, Greeter).build();
    let routes = Routes::new(handler.clone()).authenticate(auth);
    let mut app = routes.all("/").merge(routes.health());
    if let Some(demo) = &demo {
        let jwks = demo.jwks.clone();
        app = app.route(
            "/demo-issuer/jwks.json",
            axum::routing::get(move || async move { axum::Json(jwks) }),
        );
        println!("demo bearer token: {}", demo.token);
    }
    println!("API keys: {}", shown_keys.join(", "));
    println!("secure greeter listening on {base}");
    let shutdown = Shutdown::on_signal()
        .handler(&handler)
        .grace(Duration::from_secs(10));
    serve_with_shutdown(listener, app, shutdown).await
}
