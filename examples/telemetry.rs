//! An agent that reports to an OpenTelemetry collector over OTLP (gRPC):
//! a span per operation, per agent run and per push delivery, continuing
//! the caller's trace, and the server's metrics.
//!
//! ```sh
//! # a collector on localhost:4317, e.g. `docker run -p 4317:4317 otel/opentelemetry-collector`
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 cargo run --example telemetry --features telemetry
//! ```
//!
//! It also logs every span to the terminal, so it shows what it does with
//! no collector running (the exporter then only warns).

use std::time::Duration;

use a2akit::Error;
use a2akit::server::http::{Routes, Shutdown, serve_with_shutdown};
use a2akit::server::layers::ServerLayers;
use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, Artifact, binding};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

struct Echo;

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        tracing::info!(task_id = %context.task_id, "echoing");
        updater
            .add_artifact(Artifact::text("echo", context.message.text()))
            .await?;
        updater.complete().await
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let resource = Resource::builder().with_service_name("a2a-echo").build();
    let spans = opentelemetry_otlp::SpanExporter::builder().with_tonic().build()?;
    let tracer_provider = SdkTracerProvider::builder()
        .with_batch_exporter(spans)
        .with_resource(resource.clone())
        .build();
    let metrics = opentelemetry_otlp::MetricExporter::builder()
        .with_tonic()
        .build()?;
    let meter_provider = SdkMeterProvider::builder()
        .with_periodic_exporter(metrics)
        .with_resource(resource)
        .build();
    // Before the handler is built: its instruments are made on the global provider.
    opentelemetry::global::set_meter_provider(meter_provider.clone());
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer())
        .with(tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("a2a-echo")))
        .init();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let card = AgentCard::builder()
        .name("Traced echo")
        .description("Says it back, and tells the collector")
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(&base, binding::HTTP_JSON)
        .streaming(true)
        .build();
    let handler = RequestHandler::builder(card, Echo).build();
    let app = ServerLayers::new().apply(Routes::new(handler.clone()).all("/"));
    tracing::info!(%base, "listening");
    let shutdown = Shutdown::on_signal()
        .handler(&handler)
        .grace(Duration::from_secs(10));
    serve_with_shutdown(listener, app, shutdown).await?;
    tracer_provider.shutdown()?;
    meter_provider.shutdown()?;
    Ok(())
}
