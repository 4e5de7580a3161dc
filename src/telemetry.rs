//! OpenTelemetry glue (feature `telemetry`): W3C trace context in and out
//! of requests, and the crate's metric instruments.
//!
//! Spans are `tracing` spans; `tracing-opentelemetry` turns them into
//! OpenTelemetry spans when the application installs its layer. Metrics go
//! to the global meter provider (`opentelemetry::global`): install it
//! before building handlers and clients, as instruments are made once.

#[cfg(feature = "server")]
use std::sync::OnceLock;

#[cfg(feature = "server")]
use opentelemetry::metrics::{Counter, Histogram, UpDownCounter};
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry::trace::TraceFlags;
#[cfg(feature = "server")]
use opentelemetry::trace::{SpanContext, SpanId, TraceId, TraceState};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Writes the current span's W3C trace context (`traceparent`, and
/// `tracestate` when there is one) into `headers`.
pub(crate) fn inject_current(headers: &mut http::HeaderMap) {
    let context = tracing::Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    if !span_context.is_valid() {
        return;
    }
    let parent = format!(
        "00-{}-{}-{:02x}",
        span_context.trace_id(),
        span_context.span_id(),
        span_context.trace_flags().to_u8() & TraceFlags::SAMPLED.to_u8()
    );
    if let Ok(value) = http::HeaderValue::from_str(&parent) {
        headers.insert("traceparent", value);
    }
    let state = span_context.trace_state().header();
    if let Ok(value) = http::HeaderValue::from_str(&state) {
        if !state.is_empty() {
            headers.insert("tracestate", value);
        }
    }
}

#[cfg(feature = "server")]
/// `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`; zero ids, version
/// `ff` and malformed headers are ignored (W3C Trace Context).
fn parse(header: &str) -> Option<(TraceId, SpanId, TraceFlags)> {
    let mut parts = header.trim().split('-');
    let version = parts.next()?;
    let (trace, span, flags) = (parts.next()?, parts.next()?, parts.next()?);
    if version.len() != 2 || version == "ff" || trace.len() != 32 || span.len() != 16 || flags.len() != 2 {
        return None;
    }
    if version == "00" && parts.next().is_some() {
        return None;
    }
    let trace = TraceId::from_hex(trace).ok().filter(|t| *t != TraceId::INVALID)?;
    let span = SpanId::from_hex(span).ok().filter(|s| *s != SpanId::INVALID)?;
    let flags = TraceFlags::new(u8::from_str_radix(flags, 16).ok()? & TraceFlags::SAMPLED.to_u8());
    Some((trace, span, flags))
}

/// Makes `span` a child of the remote span named by `traceparent`.
#[cfg(feature = "server")]
pub(crate) fn adopt_parent(span: &tracing::Span, traceparent: &str, tracestate: Option<&str>) {
    let Some((trace, span_id, flags)) = parse(traceparent) else {
        return;
    };
    let state = tracestate
        .and_then(|s| s.parse::<TraceState>().ok())
        .unwrap_or_default();
    let remote = SpanContext::new(trace, span_id, flags, true, state);
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
}

/// The OpenTelemetry context of `span`, to link later work to it.
#[cfg(feature = "server")]
pub(crate) fn context_of(span: &tracing::Span) -> opentelemetry::Context {
    span.context()
}

/// Makes `span` a child of `parent`.
#[cfg(feature = "server")]
pub(crate) fn set_parent(span: &tracing::Span, parent: opentelemetry::Context) {
    let _ = span.set_parent(parent);
}

/// The crate's instruments, on the global meter provider.
#[cfg(feature = "server")]
pub(crate) struct Instruments {
    pub(crate) requests: Counter<u64>,
    pub(crate) duration: Histogram<f64>,
    pub(crate) tasks: UpDownCounter<i64>,
    pub(crate) streams: UpDownCounter<i64>,
    pub(crate) pushes: Counter<u64>,
    pub(crate) store: Histogram<f64>,
}

/// The instruments, made on first use.
#[cfg(feature = "server")]
pub(crate) fn instruments() -> &'static Instruments {
    static INSTRUMENTS: OnceLock<Instruments> = OnceLock::new();
    INSTRUMENTS.get_or_init(|| {
        let meter = opentelemetry::global::meter("a2akit");
        Instruments {
            requests: meter
                .u64_counter("a2a.server.requests")
                .with_description("Operations served, by method, binding and outcome")
                .build(),
            duration: meter
                .f64_histogram("a2a.server.duration")
                .with_unit("s")
                .with_description("How long operations took until their answer (a stream: until it opened)")
                .build(),
            tasks: meter
                .i64_up_down_counter("a2a.server.tasks.active")
                .with_description("Unfinished tasks this process has seen, by state")
                .build(),
            streams: meter
                .i64_up_down_counter("a2a.server.streams.open")
                .with_description("Open event streams, by method")
                .build(),
            pushes: meter
                .u64_counter("a2a.push.deliveries")
                .with_description("Push notification attempts, by outcome (delivered, retry, dropped)")
                .build(),
            store: meter
                .f64_histogram("a2a.store.duration")
                .with_unit("s")
                .with_description("How long task store calls took, by call")
                .build(),
        }
    })
}
