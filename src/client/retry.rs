//! When and how a failed call is tried again.

use std::time::Duration;

pub(crate) use crate::backoff::retry_after;

use crate::jsonrpc::Method;

/// Retries with jittered exponential backoff, never repeating a call the
/// agent may have acted on unless told to.
///
/// Any call, `SendMessage` included, is retried when the agent cannot have
/// acted on it:
/// - the request never left (the connection could not be made);
/// - the agent refused it before acting and asked to be called again:
///   HTTP 429 (*Too Many Requests* is by definition a refusal of the
///   request), or gRPC `RESOURCE_EXHAUSTED` with a `google.rpc.RetryInfo`
///   (the agent naming when to come back, as a 429's `Retry-After` does;
///   this crate's server sends one with every such refusal).
///
/// Failures after which the agent may have acted are retried only for
/// calls that are safe to repeat (reads, subscriptions, deletes) unless
/// [`retry_non_idempotent`](Self::retry_non_idempotent) is set: timeouts,
/// HTTP 502 / 503 / 504, gRPC `UNAVAILABLE` on a connection that carried
/// the call, and gRPC `RESOURCE_EXHAUSTED` without a `RetryInfo` (the code
/// also covers a resource that ran out midway, such as a store that filled
/// up while the task was being written).
///
/// Failures on this side are never retried, since the same request would
/// fail the same way: an interceptor's refusal, a request that cannot be
/// encoded, an answer that does not fit the protocol or exceeds the size
/// limit. The wait a `Retry-After` header or a `RetryInfo` names is
/// honoured up to `max_delay`.
///
/// ```
/// use std::time::Duration;
/// use a2akit::client::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_attempts(5).base_delay(Duration::from_millis(50));
/// assert_eq!(policy.attempts(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    /// Three attempts, 200 ms base delay, 5 s cap, non-idempotent calls not repeated.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            retry_non_idempotent: false,
        }
    }
}

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The request never reached the agent.
    Connect,
    /// No answer in time: the agent may have acted.
    Timeout,
    /// A resource ran out, with nothing saying it was before the agent
    /// acted (gRPC `RESOURCE_EXHAUSTED` without a `RetryInfo`).
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))]
    Exhausted,
    /// An HTTP status (429 being a refusal before acting).
    Status(u16),
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets how many attempts a call gets in all (1 = no retry).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first delay; each retry doubles it, up to `max_delay`.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the longest delay between attempts (also the cap on `Retry-After`).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Also repeats `SendMessage` and other calls that change state after a
    /// failure the agent may have acted on (a timeout, a 502 / 503 / 504,
    /// their gRPC equivalents), accepting that it may see them twice.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// How many attempts a call gets.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether `method` may be sent twice without changing the outcome.
    pub fn is_idempotent(method: Method) -> bool {
        method.is_idempotent()
    }

    /// Whether attempt `attempt` (1-based) that failed with `failure` is tried again.
    pub(crate) fn should_retry(&self, method: Method, failure: Failure, attempt: u32) -> bool {
        if attempt >= self.max_attempts {
            return false;
        }
        let repeatable = Self::is_idempotent(method) || self.retry_non_idempotent;
        match failure {
            Failure::Connect => true,
            Failure::Status(429) => true,
            Failure::Timeout | Failure::Exhausted | Failure::Status(502..=504) => repeatable,
            Failure::Status(_) => false,
        }
    }

    /// How long to wait before attempt `attempt + 1`: the server's
    /// `Retry-After` if it gave one (capped), else full-jitter exponential backoff.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        crate::backoff::jittered(self.base_delay, attempt, self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_failures_and_429_are_always_retried() {
        let policy = RetryPolicy::default();
        assert!(policy.should_retry(Method::SendMessage, Failure::Connect, 1));
        assert!(policy.should_retry(Method::SendMessage, Failure::Status(429), 1));
    }

    #[test]
    fn maybe_processed_failures_are_retried_only_when_safe_or_allowed() {
        let policy = RetryPolicy::default();
        for failure in [
            Failure::Timeout,
            Failure::Exhausted,
            Failure::Status(502),
            Failure::Status(503),
            Failure::Status(504),
        ] {
            assert!(
                !policy.should_retry(Method::SendMessage, failure, 1),
                "{failure:?}"
            );
            assert!(
                !policy.should_retry(Method::CancelTask, failure, 1),
                "{failure:?}"
            );
            assert!(policy.should_retry(Method::GetTask, failure, 1), "{failure:?}");
            assert!(
                policy.should_retry(Method::SubscribeToTask, failure, 1),
                "{failure:?}"
            );
        }
        let bold = RetryPolicy::default().retry_non_idempotent(true);
        assert!(bold.should_retry(Method::SendMessage, Failure::Timeout, 1));
    }

    #[test]
    fn other_statuses_and_the_last_attempt_are_final() {
        let policy = RetryPolicy::default().max_attempts(3);
        assert!(!policy.should_retry(Method::GetTask, Failure::Status(500), 1));
        assert!(!policy.should_retry(Method::GetTask, Failure::Status(404), 1));
        assert!(!policy.should_retry(Method::GetTask, Failure::Connect, 3));
        assert!(!RetryPolicy::none().should_retry(Method::GetTask, Failure::Connect, 1));
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        for _ in 0..50 {
            assert!(policy.delay(1, None) <= Duration::from_millis(100));
            assert!(policy.delay(2, None) <= Duration::from_millis(200));
            assert!(policy.delay(5, None) <= Duration::from_millis(350));
        }
        let spread: std::collections::HashSet<_> = (0..20).map(|_| policy.delay(3, None)).collect();
        assert!(spread.len() > 1, "delays are jittered");
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let policy = RetryPolicy::default().max_delay(Duration::from_secs(2));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(60))),
            Duration::from_secs(2)
        );
    }
}
