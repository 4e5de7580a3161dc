//! What one caller may ask of the agent: a request rate, and a number of
//! open streams. Callers are told apart by tenant and by who they are (the
//! authenticated caller, else the client's address, else one shared
//! anonymous allowance).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;

use crate::Error;
use crate::jsonrpc::Method;
use crate::server::call::CallContext;
use crate::server::follow::EventStream;
use crate::server::telemetry::OpenStream;

/// At most this many callers are tracked; past it, those with a full
/// allowance (idle ones) are forgotten.
const TRACKED: usize = 100_000;

/// A request rate per caller: a token bucket that refills at `per_second`
/// and holds at most `burst` requests.
///
/// ```
/// use a2akit::server::RateLimit;
/// let limit = RateLimit::per_second(20).burst(40);
/// # let _ = limit;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    per_second: f64,
    burst: f64,
}

impl RateLimit {
    /// `n` requests a second, with a burst of `n`.
    pub fn per_second(n: u32) -> Self {
        let n = f64::from(n.max(1));
        Self {
            per_second: n,
            burst: n,
        }
    }

    /// `n` requests a minute, with a burst of `n`.
    pub fn per_minute(n: u32) -> Self {
        let n = f64::from(n.max(1));
        Self {
            per_second: n / 60.0,
            burst: n,
        }
    }

    /// How many requests may come at once after a quiet time.
    pub fn burst(mut self, n: u32) -> Self {
        self.burst = f64::from(n.max(1));
        self
    }
}

/// Who a limit counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Who {
    Caller(String),
    Address(IpAddr),
    Anonymous,
}

type Key = (String, Who);

fn key(call: &CallContext) -> Key {
    let who = match (&call.caller, call.remote) {
        (Some(caller), _) => Who::Caller(caller.id().to_owned()),
        (None, Some(address)) => Who::Address(address.ip()),
        (None, None) => Who::Anonymous,
    };
    (call.tenant.clone(), who)
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The limits of one handler, and where each caller stands.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    rate: Option<RateLimit>,
    buckets: Mutex<HashMap<Key, Bucket>>,
    max_streams: Option<usize>,
    streams: Arc<Mutex<HashMap<Key, usize>>>,
}

impl Limits {
    pub(crate) fn new(rate: Option<RateLimit>, max_streams: Option<usize>) -> Self {
        Self {
            rate,
            max_streams,
            ..Self::default()
        }
    }

    /// Counts a request against its caller's rate; refused (with when to
    /// retry) when the caller has none left.
    pub(crate) fn admit(&self, call: &CallContext) -> Result<(), Error> {
        let Some(rate) = self.rate else { return Ok(()) };
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let mut key = key(call);
        if buckets.len() >= TRACKED && !buckets.contains_key(&key) {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * rate.per_second < rate.burst
            });
            if buckets.len() >= TRACKED {
                // Too many callers at once (a flood from many addresses):
                // the ones not tracked yet share one allowance, so memory
                // stays bounded and the flood stays limited.
                key = (String::new(), Who::Anonymous);
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: rate.burst,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate.per_second).min(rate.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = Duration::from_secs_f64((1.0 - bucket.tokens) / rate.per_second);
        Err(Error::resource_exhausted(format!(
            "too many requests from this caller; try again in {:.1} s",
            wait.as_secs_f64()
        ))
        .with_retry_after(wait))
    }

    /// Opens a stream for the caller, if it has fewer than the cap open.
    pub(crate) fn open_stream(&self, call: &CallContext) -> Result<Option<StreamPermit>, Error> {
        let Some(cap) = self.max_streams else {
            return Ok(None);
        };
        let key = key(call);
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let open = streams.entry(key.clone()).or_insert(0);
        if *open >= cap {
            return Err(Error::resource_exhausted(format!(
                "this caller already has {cap} open streams; close one or try again later"
            ))
            .with_retry_after(Duration::from_secs(1)));
        }
        *open += 1;
        Ok(Some(StreamPermit {
            key,
            streams: Arc::clone(&self.streams),
        }))
    }
}

/// One open stream of a caller; it counts until dropped.
pub(crate) struct StreamPermit {
    key: Key,
    streams: Arc<Mutex<HashMap<Key, usize>>>,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(open) = streams.get_mut(&self.key) {
            *open -= 1;
            if *open == 0 {
                streams.remove(&self.key);
            }
        }
    }
}

/// `stream`, holding `permit` (and counting itself open) until it is dropped.
pub(crate) fn holding(stream: EventStream, permit: Option<StreamPermit>, method: Method) -> EventStream {
    let open = OpenStream::new(method);
    Box::pin(stream.map(move |event| {
        let _held = (&permit, &open);
        event
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::call::Caller;

    #[test]
    fn a_flood_of_new_callers_shares_one_allowance_and_memory_stays_bounded() {
        let limits = Limits::new(Some(RateLimit::per_minute(1)), None);
        let call = |id: usize| CallContext::new("").with_caller(Caller::new(format!("c{id}")));
        for id in 0..TRACKED {
            limits.admit(&call(id)).unwrap();
        }
        // Every tracked caller has spent its allowance: newcomers share one.
        assert!(limits.admit(&call(TRACKED)).is_ok());
        let err = limits.admit(&call(TRACKED + 1)).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::ResourceExhausted);
        assert!(err.retry_after().is_some());
        let tracked = limits.buckets.lock().unwrap().len();
        assert!(tracked <= TRACKED + 1, "{tracked}");
    }
}
