//! Signed push notifications: the Standard Webhooks scheme an agent signs
//! each delivery with, and what a receiver checks before it believes one.
//!
//! A delivery carries three headers: `webhook-id` (stable across retries,
//! so a receiver can drop duplicates), `webhook-timestamp` (Unix seconds)
//! and `webhook-signature`, one or more space-separated `v1,<base64>`
//! entries, each the HMAC-SHA256 of `"<id>.<timestamp>.<body>"` under one
//! key (several during a key rotation). Any Standard Webhooks library
//! verifies them; with the A2A push config's `token` as the key, a client
//! that set a token needs nothing else:
//!
//! ```
//! use a2akit::webhook::{Receiver, SigningKey, signature_header};
//!
//! let key = SigningKey::from_token("s3cret-token");
//! let body = br#"{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}"#;
//! let now = 1_767_225_600;
//! let signature = signature_header(&[key.clone()], "msg_1", now, body);
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("webhook-id", "msg_1".parse().unwrap());
//! headers.insert("webhook-timestamp", now.to_string().parse().unwrap());
//! headers.insert("webhook-signature", signature.parse().unwrap());
//!
//! let receiver = Receiver::new(key);
//! let delivery = receiver.verify_at(&headers, body, now).unwrap();
//! assert_eq!(delivery.id, "msg_1");
//! // The same delivery twice is a replay.
//! assert!(receiver.verify_at(&headers, body, now).is_err());
//! ```

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit as _, Mac as _};

use crate::types::StreamResponse;

/// The header with the delivery's id.
pub const WEBHOOK_ID: &str = "webhook-id";
/// The header with the time of signing, in Unix seconds.
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
/// The header with the `v1,<base64>` signatures.
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";
/// The header with the push config's token, as the A2A specification names it.
pub const NOTIFICATION_TOKEN: &str = "a2a-notification-token";
/// The same token under the name some SDKs use; senders set both.
pub const X_NOTIFICATION_TOKEN: &str = "x-a2a-notification-token";

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// A key deliveries are signed with. Its bytes never appear in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey(Arc<[u8]>);

impl SigningKey {
    /// The key a push config's `token` stands for: its UTF-8 bytes.
    pub fn from_token(token: &str) -> Self {
        Self(token.as_bytes().into())
    }

    /// A key of raw bytes.
    pub fn from_bytes(bytes: impl AsRef<[u8]>) -> Self {
        Self(bytes.as_ref().into())
    }

    /// A key in the Standard Webhooks secret form: `whsec_` and the key in
    /// base64 (the prefix is optional).
    pub fn from_secret(secret: &str) -> Result<Self, WebhookError> {
        let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
        let bytes = STANDARD
            .decode(encoded.trim_end_matches('='))
            .or_else(|_| STANDARD.decode(encoded))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD.decode(encoded.trim_end_matches('='))
            })
            .map_err(|_| WebhookError::BadSecret)?;
        if bytes.is_empty() {
            return Err(WebhookError::BadSecret);
        }
        Ok(Self(bytes.into()))
    }

    /// This key in the Standard Webhooks secret form, `whsec_<base64>`, to
    /// hand to a receiver written with another library.
    pub fn to_secret(&self) -> String {
        format!("whsec_{}", STANDARD.encode(&self.0))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length.
        let mut mac = HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The signature of one delivery under this key: `v1,<base64>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, body).finalize().into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    /// Whether `signature` (the base64 after `v1,`) is this key's, compared
    /// in constant time.
    fn signed(&self, id: &str, timestamp: i64, body: &[u8], signature: &str) -> bool {
        match STANDARD.decode(signature) {
            Ok(tag) => self.mac(id, timestamp, body).verify_slice(&tag).is_ok(),
            Err(_) => false,
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({} bytes)", self.0.len())
    }
}

/// The `webhook-signature` header value for a delivery: one `v1,` entry
/// per key, space-separated.
pub fn signature_header(keys: &[SigningKey], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|key| key.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a delivery was not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is absent or not text.
    #[error("the delivery has no {0} header")]
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not a number of seconds.
    #[error("the delivery's timestamp is not a number of seconds")]
    BadTimestamp,
    /// The timestamp is further from now than the tolerance.
    #[error("the delivery was signed {0} s from now, more than the tolerance allows")]
    Stale(i64),
    /// No `v1` signature matches any of the receiver's keys.
    #[error("no signature of the delivery matches")]
    BadSignature,
    /// The notification token is missing or not the expected one.
    #[error("the delivery's notification token is not the expected one")]
    BadToken,
    /// A delivery with this id was already accepted.
    #[error("delivery {0} was already received")]
    Replayed(String),
    /// The body is not a `StreamResponse`.
    #[error("the delivery's body is not a StreamResponse: {0}")]
    BadBody(String),
    /// A `whsec_` secret that is not base64 of a non-empty key.
    #[error("not a webhook secret (whsec_ followed by base64)")]
    BadSecret,
}

/// A delivery that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Its id (the same on every retry of it).
    pub id: String,
    /// When it was signed, in Unix seconds.
    pub timestamp: i64,
    /// The task event it carries. An event of a kind this version does not
    /// know (a newer agent's) is [`StreamResponse::Unrecognized`]: it is
    /// accepted, so that the sender does not retry it forever, and the
    /// handler decides what to do with it.
    pub event: StreamResponse,
}

/// Checks deliveries: signature under any of its keys, timestamp within the
/// tolerance (five minutes by default, either way), the notification token
/// when one is expected, and ids not seen before within the tolerance.
#[derive(Debug)]
pub struct Receiver {
    keys: Vec<SigningKey>,
    tolerance: Duration,
    token: Option<String>,
    seen: Mutex<Seen>,
}

impl Receiver {
    /// A receiver of deliveries signed with `key`.
    pub fn new(key: SigningKey) -> Self {
        Self {
            keys: vec![key],
            tolerance: Duration::from_secs(300),
            token: None,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Accepts signatures under `key` too (during a key rotation).
    pub fn with_key(mut self, key: SigningKey) -> Self {
        self.keys.push(key);
        self
    }

    /// How far from now a timestamp may be.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Requires the notification token header to be `token`.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Forgets a delivery id, so that the sender's next attempt of it is
    /// accepted again: for a handler that verified a delivery but failed to
    /// act on it, before it answers with an error the sender retries (5xx).
    /// Without this, the retry is refused as a replay, and the sender takes
    /// that answer (409) as "already received".
    pub fn forget(&self, id: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.ids.remove(id) {
            seen.order.retain(|(_, old)| old != id);
        }
    }

    /// Checks a delivery received now.
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Delivery, WebhookError> {
        self.verify_at(headers, body, chrono::Utc::now().timestamp())
    }

    /// Checks a delivery as if received at `now` (Unix seconds).
    pub fn verify_at(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<Delivery, WebhookError> {
        let header = |name: &'static str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .filter(|value| !value.is_empty())
                .ok_or(WebhookError::MissingHeader(name))
        };
        let id = header(WEBHOOK_ID)?;
        let timestamp: i64 = header(WEBHOOK_TIMESTAMP)?
            .trim()
            .parse()
            .map_err(|_| WebhookError::BadTimestamp)?;
        let skew = timestamp.saturating_sub(now);
        if skew.unsigned_abs() > self.tolerance.as_secs() {
            return Err(WebhookError::Stale(skew));
        }
        let signatures = header(WEBHOOK_SIGNATURE)?;
        let signed = signatures
            .split(' ')
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .any(|signature| {
                self.keys
                    .iter()
                    .any(|key| key.signed(id, timestamp, body, signature))
            });
        if !signed {
            return Err(WebhookError::BadSignature);
        }
        if let Some(expected) = &self.token {
            let given = headers
                .get(NOTIFICATION_TOKEN)
                .or_else(|| headers.get(X_NOTIFICATION_TOKEN))
                .map(|value| value.as_bytes())
                .unwrap_or_default();
            if !same_bytes(given, expected.as_bytes()) {
                return Err(WebhookError::BadToken);
            }
        }
        let event: StreamResponse =
            crate::types::json::from_slice(body).map_err(|err| WebhookError::BadBody(err.to_string()))?;
        // Remembered only once everything else holds: a forged delivery
        // cannot burn a genuine id.
        let window = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if !seen.insert(id, timestamp, now.saturating_sub(window)) {
            return Err(WebhookError::Replayed(id.to_owned()));
        }
        Ok(Delivery {
            id: id.to_owned(),
            timestamp,
            event,
        })
    }
}

/// An axum extractor that accepts only verified deliveries, checked by the
/// [`Receiver`] the app's state holds (as `Arc<Receiver>`, or anything it
/// can be taken from with `FromRef`). A delivery that fails a check is
/// answered 401 (signature, timestamp, token), 409 (a replay, which a
/// sender may stop retrying) or 400 (a body that is not a `StreamResponse`);
/// bodies are bounded by 2 MiB.
///
/// A delivery's id is remembered once it is verified, before the handler
/// runs: a handler that fails and wants the delivery again calls
/// [`Receiver::forget`] with its id before answering 5xx.
///
/// ```
/// use std::sync::Arc;
/// use a2akit::webhook::{Receiver, SigningKey, Verified};
/// use axum::{Router, routing::post};
///
/// async fn hook(Verified(delivery): Verified) {
///     println!("{}: {:?}", delivery.id, delivery.event);
/// }
///
/// let receiver = Arc::new(Receiver::new(SigningKey::from_token("my-token")));
/// let app: Router = Router::new().route("/hook", post(hook)).with_state(receiver);
/// ```
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
#[derive(Debug, Clone)]
pub struct Verified(pub Delivery);

#[cfg(feature = "server")]
impl<S> axum::extract::FromRequest<S> for Verified
where
    S: Send + Sync,
    Arc<Receiver>: axum::extract::FromRef<S>,
{
    type Rejection = (http::StatusCode, String);

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver: Arc<Receiver> = axum::extract::FromRef::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, 2 << 20).await.map_err(|_| {
            (
                http::StatusCode::PAYLOAD_TOO_LARGE,
                "the delivery is too large".to_owned(),
            )
        })?;
        receiver
            .verify(&parts.headers, &body)
            .map(Verified)
            .map_err(|err| {
                let status = match err {
                    WebhookError::Replayed(_) => http::StatusCode::CONFLICT,
                    WebhookError::BadBody(_) => http::StatusCode::BAD_REQUEST,
                    _ => http::StatusCode::UNAUTHORIZED,
                };
                (status, err.to_string())
            })
    }
}

/// Equal bytes, compared in time that depends on the length only.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Ids accepted within the tolerance window, oldest first, bounded.
#[derive(Debug, Default)]
struct Seen {
    order: VecDeque<(i64, String)>,
    ids: HashSet<String>,
}

impl Seen {
    /// At most this many ids are remembered; the oldest go first.
    const LIMIT: usize = 100_000;

    /// Records `id`; `false` if it was already there. Forgets ids signed
    /// before `horizon`: their deliveries are stale anyway.
    fn insert(&mut self, id: &str, timestamp: i64, horizon: i64) -> bool {
        while let Some((at, _)) = self.order.front() {
            if *at >= horizon && self.order.len() < Self::LIMIT {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        if !self.ids.insert(id.to_owned()) {
            return false;
        }
        self.order.push_back((timestamp, id.to_owned()));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] =
        br#"{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_WORKING"}}}"#;
    const NOW: i64 = 1_767_225_600;

    fn headers(id: &str, timestamp: i64, signature: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(WEBHOOK_ID, id.parse().unwrap());
        headers.insert(WEBHOOK_TIMESTAMP, timestamp.to_string().parse().unwrap());
        headers.insert(WEBHOOK_SIGNATURE, signature.parse().unwrap());
        headers
    }

    fn signed(key: &SigningKey, id: &str, timestamp: i64, body: &[u8]) -> http::HeaderMap {
        headers(
            id,
            timestamp,
            &signature_header(std::slice::from_ref(key), id, timestamp, body),
        )
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_id_timestamp_and_body() {
        // Computed independently: printf 'msg_1.1767225600.hello' | openssl dgst -sha256 -hmac key -binary | base64
        let key = SigningKey::from_token("key");
        assert_eq!(
            key.sign("msg_1", NOW, b"hello"),
            "v1,9e9Y0s1hlsigPLFkICQDNmegj7m3Y/P42H4JYAWEAzU="
        );
    }

    #[test]
    fn a_genuine_delivery_passes_and_is_parsed() {
        let key = SigningKey::from_token("s3cret");
        let delivery = Receiver::new(key.clone())
            .verify_at(&signed(&key, "msg_1", NOW, BODY), BODY, NOW + 10)
            .unwrap();
        assert_eq!(delivery.id, "msg_1");
        assert!(matches!(delivery.event, StreamResponse::StatusUpdate(_)));
    }

    #[test]
    fn tampering_a_wrong_key_staleness_and_replay_are_refused() {
        let key = SigningKey::from_token("s3cret");
        let receiver = Receiver::new(key.clone());
        let tampered = BODY
            .to_vec()
            .into_iter()
            .map(|b| if b == b'W' { b'X' } else { b })
            .collect::<Vec<_>>();
        assert_eq!(
            receiver.verify_at(&signed(&key, "a", NOW, BODY), &tampered, NOW),
            Err(WebhookError::BadSignature)
        );
        let other = SigningKey::from_token("other");
        assert_eq!(
            receiver.verify_at(&signed(&other, "b", NOW, BODY), BODY, NOW),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            receiver.verify_at(&signed(&key, "c", NOW - 301, BODY), BODY, NOW),
            Err(WebhookError::Stale(-301))
        );
        assert_eq!(
            receiver.verify_at(&signed(&key, "d", NOW + 301, BODY), BODY, NOW),
            Err(WebhookError::Stale(301))
        );
        // The timestamp is signed: moving it breaks the signature.
        let mut moved = signed(&key, "e", NOW - 1000, BODY);
        moved.insert(WEBHOOK_TIMESTAMP, NOW.to_string().parse().unwrap());
        assert_eq!(
            receiver.verify_at(&moved, BODY, NOW),
            Err(WebhookError::BadSignature)
        );
        let genuine = signed(&key, "f", NOW, BODY);
        assert!(receiver.verify_at(&genuine, BODY, NOW).is_ok());
        assert_eq!(
            receiver.verify_at(&genuine, BODY, NOW + 1),
            Err(WebhookError::Replayed("f".into()))
        );
        // A handler that failed forgets the id: the retry is accepted once.
        receiver.forget("f");
        assert!(receiver.verify_at(&genuine, BODY, NOW + 2).is_ok());
        assert!(receiver.verify_at(&genuine, BODY, NOW + 3).is_err());
    }

    #[test]
    fn a_rotation_signs_with_both_keys_and_either_verifies() {
        let (old, new) = (SigningKey::from_bytes(b"old"), SigningKey::from_bytes(b"new"));
        let header = signature_header(&[old.clone(), new.clone()], "msg", NOW, BODY);
        assert_eq!(header.split(' ').count(), 2);
        for key in [old, new] {
            assert!(
                Receiver::new(key)
                    .verify_at(&headers("msg", NOW, &header), BODY, NOW)
                    .is_ok()
            );
        }
    }

    #[test]
    fn missing_headers_and_bad_tokens_are_named() {
        let key = SigningKey::from_token("s3cret");
        let receiver = Receiver::new(key.clone()).with_token("tok");
        let mut partial = signed(&key, "m", NOW, BODY);
        partial.remove(WEBHOOK_SIGNATURE);
        assert_eq!(
            receiver.verify_at(&partial, BODY, NOW),
            Err(WebhookError::MissingHeader(WEBHOOK_SIGNATURE))
        );
        let mut wrong = signed(&key, "m", NOW, BODY);
        wrong.insert(NOTIFICATION_TOKEN, "nope".parse().unwrap());
        assert_eq!(receiver.verify_at(&wrong, BODY, NOW), Err(WebhookError::BadToken));
        let mut right = signed(&key, "m", NOW, BODY);
        right.insert(X_NOTIFICATION_TOKEN, "tok".parse().unwrap());
        assert!(receiver.verify_at(&right, BODY, NOW).is_ok());
    }

    #[test]
    fn a_secret_round_trips_and_garbage_is_refused() {
        let key = SigningKey::from_bytes(b"\x00\x01binary key");
        assert_eq!(SigningKey::from_secret(&key.to_secret()).unwrap(), key);
        assert_eq!(SigningKey::from_secret("whsec_!!!"), Err(WebhookError::BadSecret));
        assert_eq!(SigningKey::from_secret("whsec_"), Err(WebhookError::BadSecret));
        assert!(!format!("{key:?}").contains("binary"));
    }

    #[test]
    fn the_replay_window_forgets_old_ids() {
        let mut seen = Seen::default();
        assert!(seen.insert("a", 100, 0));
        assert!(!seen.insert("a", 100, 0));
        assert!(seen.insert("b", 500, 400));
        assert!(seen.insert("a", 500, 400), "a was signed before the window");
    }
}
