//! How push notifications are sent: timeouts, retries, signing keys.

use std::time::Duration;

use crate::webhook::SigningKey;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// How an agent sends push notifications; see
/// [`RequestHandlerBuilder::push_delivery`](crate::server::RequestHandlerBuilder::push_delivery).
///
/// Every event of a task with push configs is POSTed to each config's URL:
/// the `StreamResponse` JSON as the body, `Content-Type: application/json`,
/// `Authorization: <scheme> <credentials>` from the config's
/// `authentication`, its `token` in both `A2A-Notification-Token` and
/// `X-A2A-Notification-Token` (the official SDKs read one or the other),
/// and the Standard Webhooks headers `webhook-id` (the same for every
/// attempt of one delivery), `webhook-timestamp` and `webhook-signature`.
///
/// Deliveries are at least once, in order per task and config: a 2xx answer
/// (or 409, a receiver saying it has this one already) ends a delivery; a
/// connection error, a timeout, 408, 425, 429 or 5xx is tried again after
/// an exponential backoff with jitter, or after the receiver's
/// `Retry-After`; any other answer (redirects included: none is followed)
/// and a target the [`WebhookGuard`](super::WebhookGuard) refuses give up at
/// once. After [`max_attempts`](Self::max_attempts) or
/// [`max_age`](Self::max_age) a delivery is dropped and logged.
///
/// Signatures: with [`signing_key`](Self::signing_key) set, every delivery
/// is signed with the agent's keys (several during a rotation, each its own
/// `v1,` entry); otherwise with the config's `token` as the key, so a client
/// that set a token can verify deliveries with nothing else; a config with
/// neither goes unsigned.
///
/// ```
/// use std::time::Duration;
/// use a2akit::server::push::PushDelivery;
/// use a2akit::webhook::SigningKey;
///
/// let delivery = PushDelivery::new()
///     .timeout(Duration::from_secs(5))
///     .max_attempts(8)
///     .signing_key(SigningKey::from_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap());
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct PushDelivery {
    pub(crate) timeout: Duration,
    pub(crate) max_attempts: u32,
    pub(crate) max_age: Duration,
    pub(crate) first_retry: Duration,
    pub(crate) max_retry: Duration,
    pub(crate) concurrency: usize,
    pub(crate) poll_interval: Duration,
    pub(crate) keys: Vec<SigningKey>,
}

impl Default for PushDelivery {
    fn default() -> Self {
        Self::new()
    }
}

impl PushDelivery {
    /// The defaults: 10 s per attempt, 12 attempts within a day, retries
    /// from 1 s up to 10 minutes apart, 64 deliveries in flight, the outbox
    /// polled every second, signed with the configs' tokens.
    pub fn new() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_attempts: 12,
            max_age: Duration::from_secs(24 * 3600),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(600),
            concurrency: 64,
            poll_interval: Duration::from_secs(1),
            keys: Vec::new(),
        }
    }

    /// How long one attempt may take, connecting included (default 10 s,
    /// at most an hour).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.clamp(Duration::from_millis(1), HOUR);
        self
    }

    /// How many attempts a delivery gets (default 12, at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// How long after its event a delivery is still tried (default a day,
    /// at most a year). A delivery found older than this when its turn comes
    /// is dropped without an attempt, so a backlog behind a dead webhook
    /// ends.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = age.min(365 * DAY);
        self
    }

    /// The backoff: the first retry waits up to `first`, each later one up
    /// to twice as long as the one before, never more than `max`
    /// (defaults 1 s and 10 minutes). A `Retry-After` from the receiver
    /// takes precedence.
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.first_retry = first.min(DAY);
        self.max_retry = max.clamp(self.first_retry, DAY);
        self
    }

    /// How many deliveries may be in flight at once (default 64, at most
    /// 10,000).
    pub fn concurrency(mut self, deliveries: usize) -> Self {
        self.concurrency = deliveries.clamp(1, 10_000);
        self
    }

    /// How often the outbox is read for deliveries this process was not
    /// told about: retries coming due, deliveries left by a restart or
    /// queued by another process on the same database (default 1 s).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.clamp(Duration::from_millis(10), HOUR);
        self
    }

    /// Signs every delivery with `key` instead of the configs' tokens.
    /// Called again, adds a key: during a rotation both sign, so receivers
    /// holding either keep verifying.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.keys.push(key);
        self
    }
}
