//! `GET /.well-known/agent-card.json`: the public card, cacheable.
//!
//! The card is encoded once. Its `ETag` is a hash of those bytes and its
//! `Last-Modified` the moment the router was built; `If-None-Match` and
//! `If-Modified-Since` get a 304.

use std::hash::{Hash as _, Hasher as _};
use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Options;
use crate::types::AgentCard;

/// The path of the public agent card.
pub const AGENT_CARD_PATH: &str = "/.well-known/agent-card.json";

struct CardResponse {
    body: Bytes,
    etag: HeaderValue,
    last_modified: HeaderValue,
    modified_at: SystemTime,
    cache_control: HeaderValue,
}

pub(super) fn router(card: &AgentCard, options: &Options) -> Router {
    let body = Bytes::from(serde_json::to_vec(card).expect("an agent card always encodes"));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    // Whole seconds: HTTP dates have no finer resolution, and comparisons must agree.
    let now = SystemTime::now();
    let modified_at = httpdate::parse_http_date(&httpdate::fmt_http_date(now)).unwrap_or(now);
    let response = Arc::new(CardResponse {
        etag: HeaderValue::try_from(format!("\"{:016x}\"", hasher.finish())).expect("hex is a valid header"),
        last_modified: HeaderValue::try_from(httpdate::fmt_http_date(modified_at))
            .expect("a date is a valid header"),
        modified_at,
        cache_control: HeaderValue::try_from(format!("public, max-age={}", options.card_max_age.as_secs()))
            .expect("a number is a valid header"),
        body,
    });
    Router::new().route(
        AGENT_CARD_PATH,
        get(move |headers: HeaderMap| serve_card(Arc::clone(&response), headers)),
    )
}

async fn serve_card(card: Arc<CardResponse>, request: HeaderMap) -> Response {
    let not_modified = match request.get(header::IF_NONE_MATCH) {
        Some(tags) => tags.to_str().is_ok_and(|tags| {
            let ours = card.etag.to_str().unwrap_or_default();
            tags.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
        }),
        None => request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|since| since.to_str().ok())
            .and_then(|since| httpdate::parse_http_date(since).ok())
            .is_some_and(|since| card.modified_at <= since),
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, card.etag.clone());
    headers.insert(header::LAST_MODIFIED, card.last_modified.clone());
    headers.insert(header::CACHE_CONTROL, card.cache_control.clone());
    if not_modified {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    (StatusCode::OK, headers, card.body.clone()).into_response()
}
