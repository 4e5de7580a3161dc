//! What the server tells the tracing and metrics systems: a span per
//! operation and per agent run, and (feature `telemetry`) OpenTelemetry
//! trace context taken from requests and metrics.
//!
//! The operation span is `a2a.operation` with the fields `a2a.method`,
//! `a2a.binding`, `a2a.tenant`, `a2a.task_id`, `a2a.context_id` and
//! `a2a.outcome` (`ok` or the error's kind); the agent's run is `a2a.run`
//! inside it, and a push delivery is `a2a.push.deliver`. With the
//! `telemetry` feature and `tracing-opentelemetry` installed, an incoming
//! `traceparent` makes the operation a child of the caller's span, the
//! client sends the current context with every call, and a push delivery
//! joins the trace of the run that caused it (in the process that ran it).

use std::future::Future;
use std::time::Instant;

use tracing::Instrument as _;
use tracing::field::Empty;

use crate::Error;
use crate::jsonrpc::Method;
use crate::server::call::CallContext;
use crate::types::TaskState;

/// One operation being served.
pub(crate) struct Operation {
    span: tracing::Span,
    #[cfg(feature = "telemetry")]
    labels: [opentelemetry::KeyValue; 2],
    started: Instant,
}

/// Starts the span of `method` for `call` (`task_id` when the request names one).
pub(crate) fn operation(method: Method, call: &CallContext, task_id: &str) -> Operation {
    let span = tracing::info_span!(
        "a2a.operation",
        otel.name = method.as_str(),
        otel.kind = "server",
        a2a.method = method.as_str(),
        a2a.binding = call.binding,
        a2a.tenant = call.tenant.as_str(),
        a2a.task_id = Empty,
        a2a.context_id = Empty,
        a2a.outcome = Empty,
    );
    if !task_id.is_empty() {
        span.record("a2a.task_id", task_id);
    }
    #[cfg(feature = "telemetry")]
    if let Some(parent) = &call.traceparent {
        crate::telemetry::adopt_parent(&span, parent, call.tracestate.as_deref());
    }
    Operation {
        span,
        #[cfg(feature = "telemetry")]
        labels: [
            opentelemetry::KeyValue::new("a2a.method", method.as_str()),
            opentelemetry::KeyValue::new("a2a.binding", call.binding),
        ],
        started: Instant::now(),
    }
}

impl Operation {
    /// Runs the operation inside its span and records how it went.
    pub(crate) async fn run<T>(self, work: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        let out = work.instrument(self.span.clone()).await;
        let outcome = match &out {
            Ok(_) => "ok",
            Err(err) => kind_name(err),
        };
        self.span.record("a2a.outcome", outcome);
        #[cfg(feature = "telemetry")]
        {
            let instruments = crate::telemetry::instruments();
            let [method, binding] = self.labels;
            let labels = [
                method,
                binding,
                opentelemetry::KeyValue::new("a2a.outcome", outcome),
            ];
            instruments.requests.add(1, &labels);
            instruments
                .duration
                .record(self.started.elapsed().as_secs_f64(), &labels);
        }
        #[cfg(not(feature = "telemetry"))]
        let _ = self.started;
        out
    }
}

/// Records the task and conversation of the current operation, once known.
pub(crate) fn task_known(task_id: &str, context_id: &str) {
    let span = tracing::Span::current();
    span.record("a2a.task_id", task_id);
    span.record("a2a.context_id", context_id);
}

fn kind_name(err: &Error) -> &'static str {
    err.kind().reason().unwrap_or(match err.kind().grpc_code() {
        crate::error::GrpcCode::InvalidArgument => "INVALID_ARGUMENT",
        crate::error::GrpcCode::Unauthenticated => "UNAUTHENTICATED",
        crate::error::GrpcCode::PermissionDenied => "PERMISSION_DENIED",
        crate::error::GrpcCode::ResourceExhausted => "RESOURCE_EXHAUSTED",
        crate::error::GrpcCode::Unimplemented => "UNIMPLEMENTED",
        _ => "INTERNAL",
    })
}

/// The span of an agent's run on a task.
pub(crate) fn run_span(task_id: &str, context_id: &str) -> tracing::Span {
    tracing::info_span!("a2a.run", a2a.task_id = task_id, a2a.context_id = context_id)
}

/// A task moved from `from` (none: it was just created) to `to`.
pub(crate) fn task_moved(from: Option<TaskState>, to: TaskState) {
    #[cfg(feature = "telemetry")]
    {
        if from == Some(to) {
            return;
        }
        let tasks = &crate::telemetry::instruments().tasks;
        let counted = |state: TaskState| !state.is_terminal();
        if let Some(from) = from.filter(|s| counted(*s)) {
            tasks.add(-1, &[opentelemetry::KeyValue::new("a2a.state", from.to_string())]);
        }
        if counted(to) {
            tasks.add(1, &[opentelemetry::KeyValue::new("a2a.state", to.to_string())]);
        }
    }
    #[cfg(not(feature = "telemetry"))]
    let _ = (from, to);
}

/// Counts an open stream until dropped.
pub(crate) struct OpenStream {
    #[cfg(feature = "telemetry")]
    method: &'static str,
}

impl OpenStream {
    pub(crate) fn new(method: Method) -> Self {
        #[cfg(feature = "telemetry")]
        {
            crate::telemetry::instruments()
                .streams
                .add(1, &[opentelemetry::KeyValue::new("a2a.method", method.as_str())]);
            Self {
                method: method.as_str(),
            }
        }
        #[cfg(not(feature = "telemetry"))]
        {
            let _ = method;
            Self {}
        }
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        #[cfg(feature = "telemetry")]
        crate::telemetry::instruments()
            .streams
            .add(-1, &[opentelemetry::KeyValue::new("a2a.method", self.method)]);
    }
}

/// A push delivery attempt ended: `delivered`, `retry` or `dropped`.
pub(crate) fn push_outcome(outcome: &'static str) {
    #[cfg(feature = "telemetry")]
    crate::telemetry::instruments()
        .pushes
        .add(1, &[opentelemetry::KeyValue::new("outcome", outcome)]);
    #[cfg(not(feature = "telemetry"))]
    let _ = outcome;
}

/// Times a store call.
pub(crate) async fn store_call<T>(call: &'static str, work: impl Future<Output = T>) -> T {
    #[cfg(feature = "telemetry")]
    {
        let started = Instant::now();
        let out = work.await;
        crate::telemetry::instruments().store.record(
            started.elapsed().as_secs_f64(),
            &[opentelemetry::KeyValue::new("a2a.store.call", call)],
        );
        out
    }
    #[cfg(not(feature = "telemetry"))]
    {
        let _ = call;
        work.await
    }
}

/// Where the runs of recent tasks were traced, so that their push
/// deliveries join the same trace. Bounded: the oldest are forgotten.
#[derive(Default)]
pub(crate) struct RunTraces {
    #[cfg(feature = "telemetry")]
    runs: std::sync::Mutex<(
        std::collections::HashMap<crate::server::store::TaskKey, opentelemetry::Context>,
        std::collections::VecDeque<crate::server::store::TaskKey>,
    )>,
}

/// How many runs' traces are remembered.
#[cfg(feature = "telemetry")]
const REMEMBERED: usize = 10_000;

impl RunTraces {
    /// Remembers the trace of `span`, the run of the task `key`.
    pub(crate) fn remember(&self, key: &crate::server::store::TaskKey, span: &tracing::Span) {
        #[cfg(feature = "telemetry")]
        {
            let context = crate::telemetry::context_of(span);
            let mut runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
            let (map, order) = &mut *runs;
            if map.insert(key.clone(), context).is_none() {
                order.push_back(key.clone());
            }
            while order.len() > REMEMBERED {
                if let Some(oldest) = order.pop_front() {
                    map.remove(&oldest);
                }
            }
        }
        #[cfg(not(feature = "telemetry"))]
        let _ = (key, span);
    }

    /// The span of a push delivery for the task `key`, in its run's trace when known.
    pub(crate) fn delivery_span(&self, key: &crate::server::store::TaskKey, sequence: u64) -> tracing::Span {
        let span = tracing::info_span!(
            "a2a.push.deliver",
            otel.kind = "client",
            a2a.task_id = key.id.as_str(),
            a2a.sequence = sequence,
        );
        #[cfg(feature = "telemetry")]
        {
            let runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(parent) = runs.0.get(key) {
                crate::telemetry::set_parent(&span, parent.clone());
            }
        }
        span
    }
}
