//! The tower-http stack of `server::layers` around a real agent: a browser's
//! CORS preflight and call, request ids, a unary timeout that leaves an SSE
//! stream alone, compression of unary answers but never of streams, and a
//! panicking handler answered with a 500 the client can read.

mod support;

use std::time::Duration;

use a2akit::server::RequestHandler;
use a2akit::server::auth::{Authenticator, Credential, Denied, Identity};
use a2akit::server::http::Routes;
use a2akit::server::layers::{ServerLayers, browser_cors};
use a2akit::types::{APIKeySecurityScheme, AgentCard, SecurityScheme};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use support::agents::Paced;

const ORIGIN: &str = "https://app.example";

async fn serve(layers: ServerLayers, secured: bool) -> String {
    let mut card = AgentCard::builder()
        .name("layered")
        .description("d")
        .streaming(true);
    if secured {
        card = card.security_scheme(
            "key",
            SecurityScheme::ApiKey(APIKeySecurityScheme::new("header", "X-API-Key")),
        );
    }
    let card = card.build();
    let mut routes = Routes::new(RequestHandler::builder(card.clone(), Paced).build());
    if secured {
        let check = |c: &Credential| match c.secret() {
            "k" => Ok(Identity::new("browser-user")),
            _ => Err(Denied::unauthenticated("unknown key")),
        };
        routes = routes.authenticate(
            Authenticator::builder(&card)
                .verify("key", check)
                .build()
                .unwrap(),
        );
    }
    let app = routes.all("/").route(
        "/boom",
        axum::routing::get(|| async { panic!("boom") as &'static str }),
    );
    let app = layers.apply(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(a2akit::server::serve(listener, app));
    base
}

/// A POST of `text` as a message to `path` of the agent at `base`.
fn call(http: &reqwest::Client, base: &str, path: &str, text: &str) -> reqwest::RequestBuilder {
    http.post(format!("{base}{path}"))
        .header("A2A-Version", "1.0")
        .json(&message(text))
}

fn message(text: &str) -> Value {
    json!({"message": {"messageId": format!("m-{text}"), "role": "ROLE_USER", "parts": [{"text": text}]}})
}

#[tokio::test]
async fn a_browser_preflight_and_call_pass_cors_even_with_authentication() {
    let base = serve(
        ServerLayers::new().cors(browser_cors([ORIGIN.parse().unwrap()])),
        true,
    )
    .await;
    let http = reqwest::Client::new();
    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{base}/message:send"))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,a2a-version,x-api-key",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("a2a-version") && allowed.contains("x-api-key"),
        "{allowed}"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );

    let served = call(&http, &base, "/message:send", "1 0")
        .header("Origin", ORIGIN)
        .header("X-API-Key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.headers()["access-control-allow-origin"], ORIGIN);
    // A refusal is readable by the page too: its challenge is exposed.
    let refused = call(&http, &base, "/message:send", "1 0")
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(refused.headers()["access-control-allow-origin"], ORIGIN);
    let exposed = refused.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("www-authenticate"), "{exposed}");
    // Another origin gets no permission.
    let stranger = http
        .request(reqwest::Method::OPTIONS, format!("{base}/message:send"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(stranger.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn requests_get_an_id_and_keep_the_one_they_bring() {
    let base = serve(ServerLayers::new(), false).await;
    let http = reqwest::Client::new();
    let card = http
        .get(format!("{base}/.well-known/agent-card.json"))
        .send()
        .await
        .unwrap();
    let id = card.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let mine = http
        .get(format!("{base}/.well-known/agent-card.json"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(mine.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn the_timeout_cuts_a_slow_blocking_send_but_not_a_longer_stream() {
    let base = serve(ServerLayers::new().timeout(Duration::from_millis(400)), false).await;
    let http = reqwest::Client::new();
    let slow = call(&http, &base, "/message:send", "3 400").send().await.unwrap();
    assert_eq!(slow.status().as_u16(), 504);

    // Eight events 150 ms apart: three times the timeout, untouched.
    let stream = call(&http, &base, "/message:stream", "8 150")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    let mut body = stream.bytes_stream();
    let mut text = String::new();
    while let Some(chunk) = body.next().await {
        text.push_str(&String::from_utf8_lossy(&chunk.expect("the stream is not cut")));
    }
    let frames = text.matches("\n\n").count();
    assert!(
        frames >= 10,
        "snapshot, working, 8 artifacts, completed: {frames} frames"
    );
    assert!(text.contains("TASK_STATE_COMPLETED"));
}

#[tokio::test]
async fn unary_answers_are_compressed_and_streams_never() {
    let base = serve(ServerLayers::new(), false).await;
    let http = reqwest::Client::new();
    let unary = call(&http, &base, "/message:send", "5 0")
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(unary.status().as_u16(), 200);
    assert_eq!(unary.headers()["content-encoding"], "gzip");
    let stream = call(&http, &base, "/message:stream", "5 0")
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    assert!(stream.headers().get("content-encoding").is_none());
    assert!(stream.text().await.unwrap().contains("TASK_STATE_COMPLETED"));
}

#[tokio::test]
async fn a_panicking_handler_gets_a_readable_500_and_the_server_goes_on() {
    let base = serve(ServerLayers::new(), false).await;
    let response = reqwest::get(format!("{base}/boom")).await.unwrap();
    assert_eq!(response.status().as_u16(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["status"], "INTERNAL");
    assert!(
        !body.to_string().contains("boom"),
        "the panic stays in the log: {body}"
    );
    let card = reqwest::get(format!("{base}/.well-known/agent-card.json"))
        .await
        .unwrap();
    assert_eq!(card.status().as_u16(), 200);
}
