//! Waiting before trying again, shared by the client's retries and the
//! server's push deliveries: full-jitter exponential backoff, and the
//! peer's `Retry-After`.

use std::hash::{BuildHasher as _, Hasher as _};
use std::time::{Duration, SystemTime};

/// The wait before attempt `attempt + 1` (`attempt` is 1-based): a random
/// point between zero and `base · 2^(attempt-1)`, capped at `max`, so that
/// many failing callers do not come back in step.
pub(crate) fn jittered(base: Duration, attempt: u32, max: Duration) -> Duration {
    let exponential = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    let ceiling = exponential.min(max);
    // A fresh `RandomState` is randomly seeded: enough randomness for
    // spreading retries, without a dependency.
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    ceiling.mul_f64((random % 10_000) as f64 / 10_000.0)
}

/// Reads a `Retry-After` header: seconds, or an HTTP date.
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        for attempt in 1..12 {
            let ceiling = base.saturating_mul(1 << (attempt - 1)).min(max);
            assert!(jittered(base, attempt, max) <= ceiling);
        }
        let spread: std::collections::HashSet<Duration> = (0..20).map(|_| jittered(base, 8, max)).collect();
        assert!(spread.len() > 1, "delays are jittered");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        headers.insert(http::header::RETRY_AFTER, later.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
