//! The webhook receiver as an axum extractor, over a real socket: a signed
//! delivery reaches the handler; tampered, unsigned, stale and replayed ones
//! are answered with the status that says why, and never reach it.
#![cfg(feature = "server")]

use std::sync::{Arc, Mutex};

use a2akit::types::StreamResponse;
use a2akit::webhook::{Receiver, SigningKey, Verified, signature_header};
use axum::Router;
use axum::extract::State;
use axum::routing::post;

#[derive(Clone)]
struct App {
    receiver: Arc<Receiver>,
    received: Arc<Mutex<Vec<String>>>,
}

impl axum::extract::FromRef<App> for Arc<Receiver> {
    fn from_ref(app: &App) -> Self {
        Arc::clone(&app.receiver)
    }
}

async fn hook(State(app): State<App>, Verified(delivery): Verified) {
    assert!(matches!(delivery.event, StreamResponse::StatusUpdate(_)));
    app.received.lock().unwrap().push(delivery.id);
}

#[tokio::test]
async fn only_verified_deliveries_reach_the_handler() {
    let key = SigningKey::from_token("push-token");
    let app = App {
        receiver: Arc::new(Receiver::new(key.clone()).with_token("push-token")),
        received: Arc::default(),
    };
    let router = Router::new().route("/hook", post(hook)).with_state(app.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let body =
        r#"{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}"#;
    let now = chrono::Utc::now().timestamp();
    let post = |id: &str, timestamp: i64, body: &str, signed_body: &str, token: &str| {
        reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                signature_header(std::slice::from_ref(&key), id, timestamp, signed_body.as_bytes()),
            )
            .header("a2a-notification-token", token)
            .body(body.to_owned())
            .send()
    };
    let status = |response: reqwest::Response| response.status().as_u16();

    assert_eq!(
        status(post("d1", now, body, body, "push-token").await.unwrap()),
        200
    );
    assert_eq!(
        status(post("d1", now, body, body, "push-token").await.unwrap()),
        409,
        "a replay"
    );
    let tampered = body.replace("COMPLETED", "FAILED");
    assert_eq!(
        status(post("d2", now, &tampered, body, "push-token").await.unwrap()),
        401
    );
    assert_eq!(
        status(post("d3", now - 3600, body, body, "push-token").await.unwrap()),
        401,
        "stale"
    );
    assert_eq!(
        status(post("d4", now, body, body, "wrong").await.unwrap()),
        401,
        "token"
    );
    assert_eq!(
        status(post("d5", now, "[1, 2]", "[1, 2]", "push-token").await.unwrap()),
        400,
        "not an event"
    );
    let unsigned = reqwest::Client::new().post(&url).body(body).send().await.unwrap();
    assert_eq!(status(unsigned), 401);

    assert_eq!(*app.received.lock().unwrap(), ["d1"]);
}
