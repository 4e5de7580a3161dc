//! The bus over PostgreSQL: `NOTIFY` carries the news, the store the events.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::mpsc;

use super::relay::{Background, Note, Relay, payloads, relay_bus};
use crate::server::store::sql::{SqlPool, SqlStore};
use crate::server::store::{StoreError, StoreErrorKind, TaskEvent, TaskKey};

/// The largest payload sent: PostgreSQL takes up to 8000 bytes.
const PAYLOAD: usize = 7_900;
/// How long one `NOTIFY` may take before it is given up.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(5);

/// The channels of the processes whose store lives in one schema: notes
/// are per database in PostgreSQL, and agents in other schemas of it need
/// not hear them.
#[derive(Debug, Clone)]
struct Channels {
    events: String,
    cancels: String,
}

impl Channels {
    fn for_schema(schema: &str) -> Self {
        // Channel names are identifiers: at most 63 bytes.
        let schema: String = schema
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        Self {
            events: format!("a2akit_events_{schema}"),
            cancels: format!("a2akit_cancels_{schema}"),
        }
    }
}

/// Carries events and cancels between the processes that share one
/// PostgreSQL database, so that a task can be followed, resumed and
/// canceled from any of them, whichever runs it.
///
/// Each process publishes its events to its own subscribers directly, and
/// announces them to the others with `NOTIFY` on `a2akit_events_<schema>`
/// (the store's schema, so that agents in other schemas of the database do
/// not hear them): a payload of task keys and sequence numbers, batched,
/// never the events themselves (a payload holds at most 8000 bytes; the
/// store has the events). A process whose subscribers follow an announced
/// task reads the new events from the store, so they arrive in the log's
/// order on every process. Cancels go the same way on
/// `a2akit_cancels_<schema>` and reach the run wherever it is.
///
/// Notifications are not kept: those sent while a listener's connection is
/// down are lost. So after a reconnect every followed task is read again,
/// and any followed task that stays quiet for the quiet time (default 5 s)
/// is read again as well; a subscriber never waits on a notification that
/// never came. Announcements are sent after the events are committed, from
/// a background task: if a process dies in between, the quiet time covers it.
///
/// The bus holds one connection of the store's pool for listening (a
/// session of its own: not through a transaction-pooling proxy), and uses
/// the pool for sending; drop the bus before closing the store.
///
/// ```no_run
/// # async fn run(card: a2akit::types::AgentCard, agent: impl a2akit::server::AgentExecutor)
/// # -> Result<(), a2akit::server::store::StoreError> {
/// use a2akit::server::RequestHandler;
/// use a2akit::server::bus::PgEventBus;
/// use a2akit::server::store::sql::SqlStore;
///
/// let store = SqlStore::connect("postgres://localhost/agents").await?;
/// let handler = RequestHandler::builder(card, agent)
///     .event_bus(PgEventBus::connect(&store).await?)
///     .run_ownership(store.run_ownership())
///     .store(store)
///     .build();
/// # let _ = handler; Ok(()) }
/// ```
#[derive(Clone)]
pub struct PgEventBus {
    relay: Arc<Relay>,
    _tasks: Arc<Background>,
}

impl std::fmt::Debug for PgEventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgEventBus")
            .field("process", &self.relay.origin())
            .finish_non_exhaustive()
    }
}

impl PgEventBus {
    /// A bus for the processes on `store`'s database, which must be
    /// PostgreSQL, with the default quiet time (5 s). Starts listening
    /// before it returns.
    pub async fn connect(store: &SqlStore) -> Result<Self, StoreError> {
        Self::connect_with(store, Duration::from_secs(5)).await
    }

    /// A bus that reads a followed task again after it has been quiet for
    /// `quiet` (at least 100 ms): the longest a subscriber waits when a
    /// notification is lost.
    pub async fn connect_with(store: &SqlStore, quiet: Duration) -> Result<Self, StoreError> {
        #[allow(irrefutable_let_patterns)] // when PostgreSQL is the only backend built
        let SqlPool::Postgres(pool) = store.pool() else {
            return Err(StoreError::new(
                StoreErrorKind::Invalid,
                "PgEventBus needs a PostgreSQL store",
            ));
        };
        let pool = pool.clone();
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await
            .map_err(|err| unavailable("reading the store's schema", err))?;
        let channels = Channels::for_schema(&schema);
        let (relay, notes) = Relay::new(store.clone(), quiet.max(Duration::from_millis(100)));
        let listener = listener(&pool, &channels).await?;
        let tasks = vec![
            tokio::spawn(send(pool.clone(), channels.clone(), notes)),
            tokio::spawn(listen(Arc::clone(&relay), pool, channels, listener)),
            tokio::spawn(Arc::clone(&relay).sweep()),
        ];
        Ok(Self {
            relay,
            _tasks: Arc::new(Background(tasks)),
        })
    }
}

fn unavailable(what: &str, err: sqlx::Error) -> StoreError {
    StoreError::unavailable(format!("{what} failed")).with_source(err)
}

/// A listener on `channels`, on a connection of its own from `pool`.
async fn listener(pool: &PgPool, channels: &Channels) -> Result<PgListener, StoreError> {
    let mut listener = PgListener::connect_with(pool)
        .await
        .map_err(|err| unavailable("listening for the bus", err))?;
    listener
        .listen_all([channels.events.as_str(), channels.cancels.as_str()])
        .await
        .map_err(|err| unavailable("listening for the bus", err))?;
    Ok(listener)
}

/// Sends the notes, as many to a `NOTIFY` as fit.
async fn send(pool: PgPool, channels: Channels, mut notes: mpsc::Receiver<Note>) {
    let mut batch = Vec::new();
    loop {
        if notes.recv_many(&mut batch, 512).await == 0 {
            return;
        }
        let (cancels, events): (Vec<Note>, Vec<Note>) = batch.drain(..).partition(Note::is_cancel);
        for (channel, notes) in [(&channels.cancels, cancels), (&channels.events, events)] {
            for payload in payloads(&notes, PAYLOAD) {
                let notify = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(channel)
                    .bind(&payload)
                    .execute(&pool);
                let failure = match tokio::time::timeout(NOTIFY_TIMEOUT, notify).await {
                    Ok(Ok(_)) => continue,
                    Ok(Err(err)) => err.to_string(),
                    Err(_) => format!("no answer within {NOTIFY_TIMEOUT:?}"),
                };
                // Receivers catch up from the store.
                tracing::warn!(error = %failure, "bus notification not sent");
            }
        }
    }
}

/// Hands what other processes announce to the relay. After a lost
/// connection, and once listening again, reads every followed task: the
/// notes sent meanwhile are gone. A listener that keeps failing is
/// replaced.
async fn listen(relay: Arc<Relay>, pool: PgPool, channels: Channels, mut listener: PgListener) {
    let mut failures = 0u32;
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                failures = 0;
                relay.receive(Note::decode_all(notification.payload())).await;
            }
            Ok(None) => {
                // Reconnected on the next call; what was sent meanwhile is lost.
                tracing::warn!("the bus's listening connection was lost; reconnecting");
                failures = failures.saturating_add(1);
                tokio::time::sleep(backoff(failures)).await;
                relay.catch_up_quiet(true).await;
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                if failures == 1 || failures.is_power_of_two() {
                    tracing::warn!(error = %err, "the bus cannot listen; starting a new listener");
                }
                tokio::time::sleep(backoff(failures)).await;
                match self::listener(&pool, &channels).await {
                    Ok(fresh) => {
                        listener = fresh;
                        relay.catch_up_quiet(true).await;
                    }
                    Err(err) => tracing::debug!(error = %err, "no new listener yet"),
                }
            }
        }
    }
}

/// How long to wait after `failures` failures in a row: from nothing up to five seconds.
fn backoff(failures: u32) -> Duration {
    Duration::from_millis(100).saturating_mul(failures.saturating_sub(1).min(50))
}

relay_bus!(PgEventBus);
