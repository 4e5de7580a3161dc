//! OpenTelemetry with in-memory exporters: one trace holds the client's
//! call, the server's operation span, the agent's run and the push
//! delivery the run caused (whose webhook request carries the trace too);
//! the server's metrics are recorded.
//!
//! One test per process: it installs the global tracing subscriber and
//! meter provider.
#![cfg(all(feature = "telemetry", feature = "client"))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use a2akit::Error;
use a2akit::client::ClientFactory;
use a2akit::server::http::Routes;
use a2akit::server::push::WebhookGuard;
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{
    AgentCard, AgentInterface, Artifact, Message, SendMessageConfiguration, SendMessageRequest,
    TaskPushNotificationConfig, binding,
};
use futures_util::StreamExt as _;
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

struct Echo;

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        tracing::info!("working");
        updater
            .add_artifact(Artifact::text("echo", context.message.text()))
            .await?;
        updater.complete().await
    }
}

/// A webhook that keeps the `traceparent` of every delivery.
async fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let kept = Arc::clone(&kept);
            async move {
                let parent = headers
                    .get("traceparent")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("none")
                    .to_owned();
                kept.lock().unwrap().push(parent);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_links_client_server_run_and_push_and_metrics_are_recorded() {
    let spans = InMemorySpanExporter::default();
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build();
    let tracer = tracer_provider.tracer("test");
    let subscriber = tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let metrics = InMemoryMetricExporter::default();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metrics.clone()).build())
        .build();
    opentelemetry::global::set_meter_provider(meter_provider.clone());

    let (hook, deliveries) = webhook().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let card = AgentCard::builder()
        .name("traced")
        .description("d")
        .streaming(true)
        .push_notifications(true)
        .build();
    let handler = RequestHandler::builder(card, Echo)
        .webhook_guard(WebhookGuard::new().allow_loopback())
        .build();
    tokio::spawn(a2akit::server::serve(listener, Routes::new(handler).all("/")));

    let root = tracing::info_span!("test.client");
    let trace_id = root.context().span().span_context().trace_id();
    assert_ne!(trace_id, opentelemetry::trace::TraceId::INVALID);
    for binding in [binding::JSONRPC, binding::HTTP_JSON, binding::GRPC] {
        let url = match binding {
            binding::GRPC => base.trim_start_matches("http://").to_owned(),
            binding::JSONRPC => format!("{base}/"),
            _ => base.clone(),
        };
        let client = ClientFactory::new()
            .client_for_interface(AgentInterface::new(url, binding))
            .unwrap();
        let config = SendMessageConfiguration::default()
            .with_push_notification_config(TaskPushNotificationConfig::new(hook.clone()));
        let request = SendMessageRequest::new(Message::user("hello")).with_configuration(config);
        async {
            client.send_message(request.clone()).await.unwrap();
            let mut stream = client.send_streaming_message(request).await.unwrap();
            while let Some(event) = stream.next().await {
                event.unwrap();
            }
        }
        .instrument(root.clone())
        .await;
    }
    drop(root);

    // The push deliveries arrive, carrying the trace.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while deliveries.lock().unwrap().len() < 6 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let parents = deliveries.lock().unwrap().clone();
    assert!(!parents.is_empty());
    for parent in &parents {
        assert!(
            parent.contains(&trace_id.to_string()),
            "webhook traceparent {parent} vs {trace_id}"
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    tracer_provider.force_flush().unwrap();
    let finished = spans.get_finished_spans().unwrap();
    let in_trace = |name: &str| {
        finished
            .iter()
            .filter(|s| s.name == name && s.span_context.trace_id() == trace_id)
            .count()
    };
    assert!(in_trace("test.client") == 1);
    // Operation spans are named after the operation (`otel.name`).
    let operations = in_trace("SendMessage") + in_trace("SendStreamingMessage");
    assert!(
        operations >= 6,
        "an operation span per call on each binding: {operations}"
    );
    assert!(in_trace("a2a.run") >= 6, "the runs");
    assert!(in_trace("a2a.push.deliver") >= 6, "the deliveries");
    let operation = finished
        .iter()
        .find(|s| s.name == "SendMessage" && s.span_context.trace_id() == trace_id)
        .unwrap();
    let attributes: Vec<(String, String)> = operation
        .attributes
        .iter()
        .map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .collect();
    for key in [
        "a2a.method",
        "a2a.binding",
        "a2a.task_id",
        "a2a.context_id",
        "a2a.outcome",
    ] {
        assert!(
            attributes.iter().any(|(k, _)| k == key),
            "{key} in {attributes:?}"
        );
    }

    meter_provider.force_flush().unwrap();
    let recorded: Vec<String> = metrics
        .get_finished_metrics()
        .unwrap()
        .iter()
        .flat_map(|resource| resource.scope_metrics())
        .flat_map(|scope| scope.metrics())
        .map(|metric| metric.name().to_owned())
        .collect();
    for name in [
        "a2a.server.requests",
        "a2a.server.duration",
        "a2a.server.tasks.active",
        "a2a.server.streams.open",
        "a2a.push.deliveries",
        "a2a.store.duration",
    ] {
        assert!(recorded.iter().any(|n| n == name), "{name} in {recorded:?}");
    }
}
