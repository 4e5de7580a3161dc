//! The sender: claims due deliveries from the outbox and posts them.
//!
//! One loop per handler claims what is due (the oldest delivery of each
//! task and config, so order holds) and hands each to a task of its own,
//! at most [`PushDelivery::concurrency`] at once: a slow webhook holds one
//! slot and its own queue, nothing else. The loop wakes when the store
//! queues a delivery in this process, when a delivery ends (the next one of
//! its queue is due), and every poll interval for the rest.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sha2::{Digest as _, Sha256};
use tokio::sync::{Notify, Semaphore};
use tracing::Instrument as _;

use super::resolve::{GuardedResolver, Refused};
use super::{PushDelivery, WebhookGuard};
use crate::server::daemon::Daemon;
use crate::server::store::{DynStore, PendingPush, PushId};
use crate::server::telemetry::{self, RunTraces};
use crate::webhook::{self, SigningKey};

/// The most of a webhook's answer that is read; the rest is dropped.
const MAX_ANSWER: usize = 64 * 1024;

/// The sender of one handler: the handler owns it, and dropping it stops
/// the loop (deliveries in flight finish).
pub(crate) struct PushSender {
    daemon: Daemon,
}

/// What the loop and every delivery share.
struct Sender {
    store: Arc<dyn DynStore>,
    settings: PushDelivery,
    guard: WebhookGuard,
    http: reqwest::Client,
    /// Where the runs were traced, for the deliveries' spans.
    traces: Arc<RunTraces>,
    /// A delivery ended: its queue may have another one due.
    ended: Notify,
}

/// What one attempt came to.
#[derive(Debug)]
enum Verdict {
    /// The receiver has it.
    Delivered,
    /// Worth another attempt, after the receiver's `Retry-After` if it gave one.
    Retry(String, Option<Duration>),
    /// Never going to work.
    GiveUp(String),
}

impl PushSender {
    /// A sender for `store`; `None`, logged, if no HTTP client can be built
    /// (deliveries then wait in the outbox for a process that can send).
    pub(crate) fn new(
        store: Arc<dyn DynStore>,
        settings: PushDelivery,
        guard: WebhookGuard,
        traces: Arc<RunTraces>,
    ) -> Option<Self> {
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver::new(guard.clone())))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(concat!("a2akit/", env!("CARGO_PKG_VERSION")))
            .build();
        let http = match http {
            Ok(http) => http,
            Err(err) => {
                tracing::error!(error = %err, "no HTTP client for push notifications: none will be sent");
                return None;
            }
        };
        let core = Arc::new(Sender {
            store,
            settings,
            guard,
            http,
            traces,
            ended: Notify::new(),
        });
        Some(Self {
            daemon: Daemon::new(move || Arc::clone(&core).run()),
        })
    }

    /// Starts the loop on the current Tokio runtime unless it runs.
    pub(crate) fn ensure_started(&self) {
        self.daemon.ensure_started();
    }
}

/// A std duration as a chrono one; the settings keep every duration far
/// below where this would saturate.
fn span(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::days(3650))
}

impl Sender {
    /// How long a claim hides a delivery from other senders: the attempt,
    /// and a margin for recording how it went.
    fn claim_time(&self) -> chrono::Duration {
        span(self.settings.timeout) + chrono::Duration::seconds(30)
    }

    /// Claims what is due and sends it, at most `concurrency` at once, until aborted.
    async fn run(self: Arc<Self>) {
        let signal = self.store.queued_signal().unwrap_or_default();
        let slots = Arc::new(Semaphore::new(self.settings.concurrency));
        let mut failing = 0u32;
        loop {
            let mut full_batch = false;
            let free = slots.available_permits();
            if free > 0 {
                let now = Utc::now();
                match self.store.claim_due(now, now + self.claim_time(), free).await {
                    Ok(batch) => {
                        failing = 0;
                        full_batch = batch.len() == free;
                        for push in batch {
                            let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                                break;
                            };
                            let sender = Arc::clone(&self);
                            tokio::spawn(async move {
                                sender.deliver(push).await;
                                drop(slot);
                                sender.ended.notify_one();
                            });
                        }
                    }
                    Err(err) => {
                        failing = failing.saturating_add(1);
                        if failing == 1 || failing.is_power_of_two() {
                            tracing::warn!(error = %err, "could not read the push outbox");
                        }
                    }
                }
            }
            if full_batch && slots.available_permits() > 0 {
                continue;
            }
            // A store that keeps failing is asked less often, up to 30 polls apart.
            let wait = self.settings.poll_interval.saturating_mul(failing.clamp(1, 30));
            tokio::select! {
                _ = signal.notified() => {}
                _ = self.ended.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Posts a delivery, then records how it went.
    async fn deliver(&self, push: PendingPush) {
        let span = self.traces.delivery_span(&push.id.key, push.id.sequence);
        self.deliver_traced(push).instrument(span).await;
    }

    async fn deliver_traced(&self, push: PendingPush) {
        let id = &push.id;
        let deadline = push.queued_at + span(self.settings.max_age);
        let verdict = if Utc::now() > deadline {
            Verdict::GiveUp(format!("older than {:?}", self.settings.max_age))
        } else {
            self.attempt(&push).await
        };
        let outcome = match verdict {
            Verdict::Delivered => {
                telemetry::push_outcome("delivered");
                self.store.finish_push(&push).await
            }
            Verdict::GiveUp(why) => {
                telemetry::push_outcome("dropped");
                tracing::warn!(
                    task_id = %id.key.id, config_id = %id.config_id, sequence = id.sequence,
                    attempts = push.attempts, reason = %why,
                    "push notification dropped"
                );
                self.store.finish_push(&push).await
            }
            Verdict::Retry(why, retry_after) => {
                let wait = retry_after.unwrap_or_else(|| {
                    crate::backoff::jittered(
                        self.settings.first_retry,
                        push.attempts,
                        self.settings.max_retry,
                    )
                });
                let at = Utc::now() + span(wait);
                if push.attempts >= self.settings.max_attempts || at > deadline {
                    telemetry::push_outcome("dropped");
                    tracing::warn!(
                        task_id = %id.key.id, config_id = %id.config_id, sequence = id.sequence,
                        attempts = push.attempts, reason = %why,
                        "push notification dropped after its last attempt"
                    );
                    self.store.finish_push(&push).await
                } else {
                    telemetry::push_outcome("retry");
                    tracing::debug!(
                        task_id = %id.key.id, config_id = %id.config_id, sequence = id.sequence,
                        attempts = push.attempts, reason = %why, retry_in = ?wait,
                        "push notification will be tried again"
                    );
                    self.store.retry_push(&push, at).await
                }
            }
        };
        if let Err(err) = outcome {
            // The claim runs out and the delivery is tried again: at least once.
            tracing::warn!(task_id = %id.key.id, error = %err, "could not record a push notification's outcome");
        }
    }

    /// One POST.
    async fn attempt(&self, push: &PendingPush) -> Verdict {
        let config = &push.config;
        // Literal addresses never reach the resolver: check them here, as
        // the configs in a store may predate the guard.
        if let Err(why) = self.guard.check_url(&config.url) {
            return Verdict::GiveUp(format!("the webhook URL {why}"));
        }
        let body = match serde_json::to_vec(push.event.as_ref()) {
            Ok(body) => body,
            Err(err) => return Verdict::GiveUp(format!("the event cannot be written as JSON: {err}")),
        };
        let id = delivery_id(&push.id);
        let timestamp = Utc::now().timestamp();
        let mut request = self
            .http
            .post(&config.url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(webhook::WEBHOOK_ID, &id)
            .header(webhook::WEBHOOK_TIMESTAMP, timestamp.to_string());
        #[cfg(feature = "telemetry")]
        {
            let mut headers = http::HeaderMap::new();
            crate::telemetry::inject_current(&mut headers);
            request = request.headers(headers);
        }
        if let Some(auth) = &config.authentication {
            request = request.header(
                http::header::AUTHORIZATION,
                format!("{} {}", auth.scheme, auth.credentials),
            );
        }
        if !config.token.is_empty() {
            request = request
                .header(webhook::NOTIFICATION_TOKEN, &config.token)
                .header(webhook::X_NOTIFICATION_TOKEN, &config.token);
        }
        let token_key;
        let keys: &[SigningKey] = if !self.settings.keys.is_empty() {
            &self.settings.keys
        } else if !config.token.is_empty() {
            token_key = [SigningKey::from_token(&config.token)];
            &token_key
        } else {
            &[]
        };
        if !keys.is_empty() {
            request = request.header(
                webhook::WEBHOOK_SIGNATURE,
                webhook::signature_header(keys, &id, timestamp, &body),
            );
        }
        match request.body(body).send().await {
            Ok(mut response) => {
                let verdict = verdict_of(&response);
                // Read (a bounded part of) what the webhook said, so that
                // the connection can carry the next delivery.
                let mut read = 0;
                while let Ok(Some(chunk)) = response.chunk().await {
                    read += chunk.len();
                    if read > MAX_ANSWER {
                        break;
                    }
                }
                verdict
            }
            // URLs may carry secrets in their query: they stay out of the log.
            Err(err) if refused(&err) => Verdict::GiveUp(chain(&err.without_url())),
            Err(err) if err.is_builder() => Verdict::GiveUp(chain(&err.without_url())),
            Err(err) => Verdict::Retry(chain(&err.without_url()), None),
        }
    }
}

/// The stable id of a delivery, the same on every attempt and after a
/// restart, so that receivers can drop duplicates: `msg_` and 32 hex
/// digits of a hash of the tenant, task, config and sequence.
pub(crate) fn delivery_id(id: &PushId) -> String {
    let mut hash = Sha256::new();
    for part in [
        id.key.tenant.as_bytes(),
        id.key.id.as_bytes(),
        id.config_id.as_bytes(),
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.update(id.sequence.to_be_bytes());
    let digest = hash.finalize();
    let mut out = String::with_capacity(36);
    out.push_str("msg_");
    for byte in &digest[..16] {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

fn verdict_of(response: &reqwest::Response) -> Verdict {
    let status = response.status();
    match status.as_u16() {
        200..=299 | 409 => Verdict::Delivered,
        408 | 425 | 429 | 500..=599 => Verdict::Retry(
            format!("the webhook answered {status}"),
            crate::backoff::retry_after(response.headers())
                .map(|wait| wait.min(Duration::from_secs(24 * 3600))),
        ),
        300..=399 => Verdict::GiveUp(format!(
            "the webhook answered {status}; redirects are not followed"
        )),
        _ => Verdict::GiveUp(format!("the webhook answered {status}")),
    }
}

/// Whether the guard refused the address a name resolved to.
fn refused(err: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if current.is::<Refused>() {
            return true;
        }
        source = current.source();
    }
    false
}

/// An error with its causes, for the log.
fn chain(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::TaskKey;

    #[test]
    fn delivery_ids_are_stable_and_distinct() {
        let id = |task: &str, config: &str, sequence| PushId {
            key: TaskKey::new("", task),
            config_id: config.into(),
            sequence,
        };
        assert_eq!(delivery_id(&id("t", "c", 2)), delivery_id(&id("t", "c", 2)));
        assert_ne!(delivery_id(&id("t", "c", 2)), delivery_id(&id("t", "c", 3)));
        assert_ne!(delivery_id(&id("t", "c", 2)), delivery_id(&id("tc", "", 2)));
        assert_eq!(delivery_id(&id("t", "c", 2)).len(), 36);
    }
}
