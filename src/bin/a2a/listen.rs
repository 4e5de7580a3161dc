//! `a2a push listen`: a webhook on 127.0.0.1 that prints what arrives.

use std::sync::Arc;

use a2akit::types::StreamResponse;
use a2akit::webhook::{Receiver, SigningKey};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tokio::sync::mpsc;

use crate::Failure;
use crate::output::Output;

#[derive(Clone)]
struct Hook {
    /// Checks signature, timestamp, token and replays when a token was given.
    receiver: Option<Arc<Receiver>>,
    arrived: mpsc::Sender<(String, StreamResponse)>,
}

/// The largest delivery read.
const MAX_BODY: usize = 2 << 20;

async fn deliver(State(hook): State<Hook>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if body.len() > MAX_BODY {
        return StatusCode::PAYLOAD_TOO_LARGE;
    }
    let (id, event) = match &hook.receiver {
        Some(receiver) => match receiver.verify(&headers, &body) {
            Ok(delivery) => (delivery.id, delivery.event),
            Err(err) => {
                eprintln!("refused a delivery: {err}");
                return StatusCode::UNAUTHORIZED;
            }
        },
        None => match a2akit::types::json::from_slice::<StreamResponse>(&body) {
            Ok(event) => {
                let id = headers
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("(no id)")
                    .to_owned();
                (id, event)
            }
            Err(err) => {
                eprintln!("refused a delivery that is not a StreamResponse: {err}");
                return StatusCode::BAD_REQUEST;
            }
        },
    };
    let _ = hook.arrived.send((id, event)).await;
    StatusCode::OK
}

/// Listens on `port` and prints each delivery, until `count` arrived (or forever).
pub(crate) async fn run(
    out: &Output,
    port: u16,
    token: Option<String>,
    count: Option<u64>,
) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|err| Failure::Transport(format!("cannot listen on 127.0.0.1:{port}: {err}")))?;
    let address = listener
        .local_addr()
        .map_err(|err| Failure::Transport(err.to_string()))?;
    let receiver =
        token.map(|token| Arc::new(Receiver::new(SigningKey::from_token(&token)).with_token(token)));
    let (arrived, mut deliveries) = mpsc::channel(64);
    let app = axum::Router::new()
        .fallback(axum::routing::post(deliver))
        .with_state(Hook { receiver, arrived });
    let url = format!("http://{address}/webhook");
    if out.json {
        out.json_line(&serde_json::json!({"listening": url}));
    } else {
        out.line(format!("listening on {url}"));
    }
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut seen = 0;
    let mut mid_line = false;
    while let Some((id, event)) = deliveries.recv().await {
        if out.json {
            out.json_line(&serde_json::json!({"id": id, "event": event}));
        } else {
            out.text(&format!("{id} "));
            out.event(&event, &mut mid_line);
            if std::mem::take(&mut mid_line) {
                out.line("");
            }
        }
        seen += 1;
        if count.is_some_and(|count| seen >= count) {
            break;
        }
    }
    Ok(())
}
