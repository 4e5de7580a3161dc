//! `GET /.well-known/agent-card.json`: the public card, cacheable.
//!
//! The handler's card can be replaced while it runs
//! ([`RequestHandler::set_card`]), so each request serves the current
//! revision. A revision is encoded once, on the first request that sees
//! it; its `ETag` is a hash of those bytes and its `Last-Modified` the
//! moment it became the handler's card. `If-None-Match` (or, without it,
//! `If-Modified-Since`) gets a 304 while the revision it names is current,
//! and the new card with a 200 once another one replaced it.

use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Options;
use crate::server::handler::{CardRevision, RequestHandler};

/// The path of the public agent card.
pub const AGENT_CARD_PATH: &str = "/.well-known/agent-card.json";

/// One revision of the card, encoded.
struct CardResponse {
    revision: Arc<CardRevision>,
    body: Bytes,
    etag: HeaderValue,
    last_modified: HeaderValue,
}

impl CardResponse {
    /// Encodes a revision: as 1.0 alone, or for both generations when v0.3
    /// is served.
    fn new(revision: Arc<CardRevision>, serve_v0_3: bool) -> Self {
        let body = if serve_v0_3 {
            serde_json::to_vec(&crate::v0_3::dual_card(&revision.card))
        } else {
            serde_json::to_vec(&*revision.card)
        };
        let body = Bytes::from(body.expect("an agent card always encodes"));
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        Self {
            etag: HeaderValue::try_from(format!("\"{:016x}\"", hasher.finish()))
                .expect("hex is a valid header"),
            last_modified: HeaderValue::try_from(httpdate::fmt_http_date(revision.since))
                .expect("a date is a valid header"),
            body,
            revision,
        }
    }
}

/// What one card router keeps between requests.
struct CardEndpoint {
    handler: RequestHandler,
    cache_control: HeaderValue,
    /// The revision served last, encoded.
    encoded: Mutex<Option<Arc<CardResponse>>>,
}

impl CardEndpoint {
    /// The handler's current card, encoded: from the cache while it is the
    /// revision cached, else encoded now and cached.
    fn current(&self) -> Arc<CardResponse> {
        let revision = self.handler.card_revision();
        let mut encoded = self.encoded.lock().unwrap_or_else(|p| p.into_inner());
        match &*encoded {
            Some(cached) if Arc::ptr_eq(&cached.revision, &revision) => Arc::clone(cached),
            _ => {
                let fresh = Arc::new(CardResponse::new(revision, self.handler.serves_v0_3()));
                *encoded = Some(Arc::clone(&fresh));
                fresh
            }
        }
    }
}

pub(super) fn router(handler: RequestHandler, options: &Options) -> Router {
    let endpoint = Arc::new(CardEndpoint {
        handler,
        cache_control: HeaderValue::try_from(format!("public, max-age={}", options.card_max_age.as_secs()))
            .expect("a number is a valid header"),
        encoded: Mutex::new(None),
    });
    Router::new().route(
        AGENT_CARD_PATH,
        get(move |headers: HeaderMap| serve_card(Arc::clone(&endpoint), headers)),
    )
}

async fn serve_card(endpoint: Arc<CardEndpoint>, request: HeaderMap) -> Response {
    let card = endpoint.current();
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
            .is_some_and(|since| card.revision.since <= since),
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, card.etag.clone());
    headers.insert(header::LAST_MODIFIED, card.last_modified.clone());
    headers.insert(header::CACHE_CONTROL, endpoint.cache_control.clone());
    if not_modified {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    (StatusCode::OK, headers, card.body.clone()).into_response()
}
