//! The bus over NATS JetStream: a stream carries the news, the store the events.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt as _;
use tokio::sync::mpsc;

use super::relay::{Background, Note, Relay, payloads, relay_bus};
use crate::server::store::{StoreError, StoreErrorKind, TaskEvent, TaskKey, TaskStore};

/// The largest message published; far below the server's default limit.
const PAYLOAD: usize = 64 * 1024;

/// Carries events and cancels between agent processes through NATS
/// JetStream, for agents that already run NATS. The same contract as
/// [`PgEventBus`](super::PgEventBus): each process delivers its own
/// events to its own subscribers and publishes notes (task keys and
/// sequences, batched) on `<prefix>.events`, cancels on `<prefix>.cancels`;
/// a process whose subscribers follow a task reads its new events from the
/// store all processes share. The notes live in a JetStream stream
/// (`A2AKIT` by default, in memory, kept one minute, at most 64 MiB), read
/// by an ordered consumer per process: a process that loses its connection
/// for a moment gets the notes it missed when it is back; if the stream is
/// gone (a restarted server), it is created again and every followed task
/// read from the store; and any followed task that stays quiet for the
/// quiet time (default 5 s) is read again regardless. A stream of that
/// name that exists without the bus's subjects is refused at connect.
///
/// ```no_run
/// # async fn run(card: a2akit::types::AgentCard, agent: impl a2akit::server::AgentExecutor)
/// # -> Result<(), Box<dyn std::error::Error>> {
/// use a2akit::server::RequestHandler;
/// use a2akit::server::bus::NatsEventBus;
/// use a2akit::server::store::sql::SqlStore;
///
/// let store = SqlStore::connect("postgres://localhost/agents").await?;
/// let bus = NatsEventBus::connect("nats://127.0.0.1:4222", store.clone()).await?;
/// let handler = RequestHandler::builder(card, agent)
///     .event_bus(bus)
///     .run_ownership(store.run_ownership())
///     .store(store)
///     .build();
/// # let _ = handler; Ok(()) }
/// ```
#[derive(Clone)]
pub struct NatsEventBus {
    relay: Arc<Relay>,
    _tasks: Arc<Background>,
}

impl std::fmt::Debug for NatsEventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsEventBus")
            .field("process", &self.relay.origin())
            .finish_non_exhaustive()
    }
}

/// Where a [`NatsEventBus`] publishes: the subject prefix, the stream name
/// and the quiet time.
#[derive(Debug, Clone)]
#[must_use]
pub struct NatsBusOptions {
    prefix: String,
    stream: String,
    quiet: Duration,
}

impl Default for NatsBusOptions {
    fn default() -> Self {
        Self {
            prefix: "a2akit".into(),
            stream: "A2AKIT".into(),
            quiet: Duration::from_secs(5),
        }
    }
}

impl NatsBusOptions {
    /// Subjects `<prefix>.events` and `<prefix>.cancels` in stream `stream`:
    /// agents that must not hear each other use their own.
    pub fn names(mut self, prefix: impl Into<String>, stream: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self.stream = stream.into();
        self
    }

    /// How long a followed task may stay quiet before it is read again (at
    /// least 100 ms).
    pub fn quiet(mut self, quiet: Duration) -> Self {
        self.quiet = quiet.max(Duration::from_millis(100));
        self
    }
}

impl NatsEventBus {
    /// Connects to the NATS server at `url` with the default options;
    /// events are read from `store`, the store every process shares.
    pub async fn connect<S: TaskStore>(url: &str, store: S) -> Result<Self, StoreError> {
        Self::connect_with(url, store, NatsBusOptions::default()).await
    }

    /// Connects with `options`.
    pub async fn connect_with<S: TaskStore>(
        url: &str,
        store: S,
        options: NatsBusOptions,
    ) -> Result<Self, StoreError> {
        let client = async_nats::connect(url)
            .await
            .map_err(|err| unavailable("connecting to NATS", err))?;
        Self::with_client(client, store, options).await
    }

    /// A bus on a client you have already connected.
    pub async fn with_client<S: TaskStore>(
        client: async_nats::Client,
        store: S,
        options: NatsBusOptions,
    ) -> Result<Self, StoreError> {
        let context = jetstream::new(client);
        let messages = subscribe(&context, &options).await?;
        let (relay, notes) = Relay::new(store, options.quiet);
        let tasks = vec![
            tokio::spawn(send(context.clone(), options.prefix.clone(), notes)),
            tokio::spawn(listen(Arc::clone(&relay), context, options, messages)),
            tokio::spawn(Arc::clone(&relay).sweep()),
        ];
        Ok(Self {
            relay,
            _tasks: Arc::new(Background(tasks)),
        })
    }
}

/// The stream of the notes (created if missing, and checked to carry the
/// bus's subjects), and an ordered consumer of what comes next.
async fn subscribe(
    context: &jetstream::Context,
    options: &NatsBusOptions,
) -> Result<consumer::pull::Ordered, StoreError> {
    let subjects = format!("{}.>", options.prefix);
    let stream = context
        .get_or_create_stream(stream::Config {
            name: options.stream.clone(),
            subjects: vec![subjects.clone()],
            storage: stream::StorageType::Memory,
            max_age: Duration::from_secs(60),
            max_bytes: 64 << 20,
            ..Default::default()
        })
        .await
        .map_err(|err| unavailable("creating the bus's JetStream stream", err))?;
    if !stream.cached_info().config.subjects.contains(&subjects) {
        return Err(StoreError::new(
            StoreErrorKind::Invalid,
            format!(
                "the JetStream stream {} exists without the subjects {subjects}: give the bus a stream of its own",
                options.stream
            ),
        ));
    }
    let consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy: consumer::DeliverPolicy::New,
            ..Default::default()
        })
        .await
        .map_err(|err| unavailable("creating the bus's consumer", err))?;
    consumer
        .messages()
        .await
        .map_err(|err| unavailable("reading the bus's stream", err))
}

fn unavailable(what: &str, err: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::unavailable(format!("{what} failed")).with_source(err)
}

/// Publishes the notes, as many to a message as fit, and waits for the
/// stream to hold them.
async fn send(context: jetstream::Context, prefix: String, mut notes: mpsc::Receiver<Note>) {
    let (events, cancels) = (format!("{prefix}.events"), format!("{prefix}.cancels"));
    let mut batch = Vec::new();
    loop {
        if notes.recv_many(&mut batch, 1024).await == 0 {
            return;
        }
        let (cancel_notes, event_notes): (Vec<Note>, Vec<Note>) = batch.drain(..).partition(Note::is_cancel);
        for (subject, notes) in [(&cancels, cancel_notes), (&events, event_notes)] {
            for payload in payloads(&notes, PAYLOAD) {
                let published = match context.publish(subject.clone(), payload.into()).await {
                    Ok(ack) => ack.await.map(drop).map_err(|err| err.to_string()),
                    Err(err) => Err(err.to_string()),
                };
                if let Err(err) = published {
                    // Receivers catch up from the store.
                    tracing::warn!(error = %err, "bus note not published");
                }
            }
        }
    }
}

/// Hands what other processes publish to the relay. When the stream ends
/// or fails (a restarted server lost it, say), subscribes again, creating
/// the stream if need be, then reads every followed task: notes sent
/// meanwhile may be gone.
async fn listen(
    relay: Arc<Relay>,
    context: jetstream::Context,
    options: NatsBusOptions,
    mut messages: consumer::pull::Ordered,
) {
    let mut failures = 0u32;
    loop {
        while let Some(message) = messages.next().await {
            match message {
                Ok(message) => {
                    failures = 0;
                    let payload = String::from_utf8_lossy(&message.payload);
                    relay.receive(Note::decode_all(&payload)).await;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the bus's stream could not be read; subscribing again");
                    break;
                }
            }
        }
        loop {
            failures = failures.saturating_add(1);
            tokio::time::sleep(Duration::from_millis(100).saturating_mul(failures.min(50))).await;
            match subscribe(&context, &options).await {
                Ok(fresh) => {
                    messages = fresh;
                    relay.catch_up_quiet(true).await;
                    break;
                }
                Err(err) if failures == 1 || failures.is_power_of_two() => {
                    tracing::warn!(error = %err, "the bus cannot subscribe to its stream; retrying");
                }
                Err(_) => {}
            }
        }
    }
}

relay_bus!(NatsEventBus);
