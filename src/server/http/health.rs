//! Liveness and readiness endpoints for orchestrators and load balancers.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

use crate::server::handler::RequestHandler;

/// How long the readiness probe waits for the store.
const STORE_PROBE: Duration = Duration::from_secs(2);

/// `GET /healthz` (the process answers: 200) and `GET /readyz` (the handler
/// serves and its store answers: 200, else 503 with the reason, and 503 as
/// soon as a shutdown begins so that a load balancer stops sending work).
pub(super) fn router(handler: RequestHandler) -> Router {
    Router::new().route("/healthz", get(|| async { "ok" })).route(
        "/readyz",
        get(move || {
            let handler = handler.clone();
            async move {
                match handler.ready(STORE_PROBE).await {
                    Ok(()) => (StatusCode::OK, "ready".to_owned()),
                    Err(why) => (StatusCode::SERVICE_UNAVAILABLE, why),
                }
            }
        }),
    )
}
