//! Per-caller limits: a caller over its request rate gets 429 with
//! `Retry-After` (RESOURCE_EXHAUSTED with a RetryInfo on gRPC) and is served
//! again once the wait is over, while other callers are served all along;
//! a caller at its cap of open streams cannot open another (and starts no
//! task trying) until one ends.
#![cfg(feature = "client")]

mod support;

use std::time::Duration;

use a2akit::ErrorKind;
use a2akit::client::{ApiKey, ApiKeyLocation, ClientFactory, RetryPolicy};
use a2akit::server::auth::{Authenticator, Credential, Denied, Identity};
use a2akit::server::http::Routes;
use a2akit::server::{RateLimit, RequestHandler, RequestHandlerBuilder};
use a2akit::types::{
    APIKeySecurityScheme, AgentInterface, ListTasksRequest, Message, SecurityScheme, SendMessageRequest,
    binding,
};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use support::agents::Paced;

/// An agent whose callers name themselves with an API key (`alice`, `bob`).
async fn agent(configure: impl FnOnce(RequestHandlerBuilder) -> RequestHandlerBuilder) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let card = support::agents::card_on_every_binding("limited", &base)
        .streaming(true)
        .security_scheme(
            "key",
            SecurityScheme::ApiKey(APIKeySecurityScheme::new("header", "X-API-Key")),
        )
        .build();
    let auth = Authenticator::builder(&card)
        .verify("key", |c: &Credential| match c.secret() {
            who @ ("alice" | "bob") => Ok(Identity::new(who)),
            _ => Err(Denied::unauthenticated("unknown key")),
        })
        .build()
        .unwrap();
    let handler = configure(RequestHandler::builder(card, Paced)).build();
    let app = Routes::new(handler).authenticate(auth).all("/");
    tokio::spawn(a2akit::server::serve(listener, app));
    base
}

fn body(text: &str) -> Value {
    json!({"message": {"messageId": uuid::Uuid::new_v4().to_string(), "role": "ROLE_USER", "parts": [{"text": text}]}})
}

async fn send(base: &str, jsonrpc: bool, who: &str, text: &str) -> reqwest::Response {
    let http = reqwest::Client::new();
    let request = match jsonrpc {
        true => http
            .post(format!("{base}/"))
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": body(text)})),
        false => http.post(format!("{base}/message:send")).json(&body(text)),
    };
    request
        .header("A2A-Version", "1.0")
        .header("X-API-Key", who)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_caller_over_its_rate_waits_while_others_are_served() {
    let base = agent(|b| b.rate_limit(RateLimit::per_second(4).burst(2))).await;
    for jsonrpc in [false, true] {
        // A fresh second for each binding: the allowance refills.
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(send(&base, jsonrpc, "alice", "1 0").await.status(), 200);
        assert_eq!(send(&base, jsonrpc, "alice", "1 0").await.status(), 200);
        let refused = send(&base, jsonrpc, "alice", "1 0").await;
        assert_eq!(refused.status(), 429);
        let retry: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=2).contains(&retry), "{retry}");
        let body: Value = refused.json().await.unwrap();
        match jsonrpc {
            true => assert_eq!(body["error"]["code"], -32000, "{body}"),
            false => assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED", "{body}"),
        }
        // Bob has his own allowance.
        assert_eq!(send(&base, jsonrpc, "bob", "1 0").await.status(), 200);
        // A quarter of a second later Alice has one request again.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(send(&base, jsonrpc, "alice", "1 0").await.status(), 200);
    }
}

#[cfg(feature = "grpc")]
#[tokio::test]
async fn grpc_says_resource_exhausted_and_when_to_retry() {
    let base = agent(|b| b.rate_limit(RateLimit::per_minute(60).burst(1))).await;
    // Without retries: the client would wait as told and send again.
    let client = ClientFactory::new()
        .retry_policy(RetryPolicy::none())
        .interceptor(ApiKey::new(ApiKeyLocation::Header, "X-API-Key", "alice"))
        .client_for_interface(AgentInterface::new(
            base.trim_start_matches("http://"),
            binding::GRPC,
        ))
        .unwrap();
    let send = || client.send_message(SendMessageRequest::new(Message::user("1 0")));
    send().await.unwrap();
    let err = send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResourceExhausted, "{err}");
    let wait = err.retry_after().expect("a RetryInfo");
    // One request a second: the next is due within the second, however slow this machine was
    // between the two calls.
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
}

#[tokio::test]
async fn a_caller_at_its_stream_cap_opens_no_more_and_starts_nothing() {
    let base = agent(|b| b.max_streams_per_caller(1)).await;
    let http = reqwest::Client::new();
    let stream = |who: &'static str, text: &'static str| {
        http.post(format!("{base}/message:stream"))
            .header("A2A-Version", "1.0")
            .header("X-API-Key", who)
            .json(&body(text))
            .send()
    };
    let first = stream("alice", "4 100").await.unwrap();
    assert_eq!(first.status(), 200);
    let refused = stream("alice", "1 0").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Bob streams while Alice is at her cap.
    let bob = stream("bob", "1 0").await.unwrap();
    assert_eq!(bob.status(), 200);
    bob.text().await.unwrap();
    // The refused stream started no task: Alice has one.
    let alice = ClientFactory::new()
        .interceptor(ApiKey::new(ApiKeyLocation::Header, "X-API-Key", "alice"))
        .client_for_interface(AgentInterface::new(&base, binding::HTTP_JSON))
        .unwrap();
    let listed = alice.list_tasks(ListTasksRequest::default()).await.unwrap();
    assert_eq!(listed.tasks.len(), 1);
    // Once her stream ends, she may open another.
    let mut body = first.bytes_stream();
    while let Some(chunk) = body.next().await {
        chunk.unwrap();
    }
    drop(body);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let again = stream("alice", "1 0").await.unwrap();
    assert_eq!(again.status(), 200);
}
