//! The bus over PostgreSQL: `NOTIFY` carries the news, the store the events.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::{mpsc, watch};

use super::relay::{Background, Note, Relay, payloads};
use super::{BusStream, EventBus};
use crate::server::store::sql::{SqlPool, SqlStore};
use crate::server::store::{StoreError, StoreErrorKind, TaskEvent, TaskKey};

/// The channel events are announced on.
const EVENTS: &str = "a2akit_events";
/// The channel cancels are sent on.
const CANCELS: &str = "a2akit_cancels";
/// The largest payload sent: PostgreSQL takes up to 8000 bytes.
const PAYLOAD: usize = 7_900;

/// Carries events and cancels between the processes that share one
/// PostgreSQL database, so that a task can be followed, resumed and
/// canceled from any of them, whichever runs it.
///
/// Each process publishes its events to its own subscribers directly, and
/// announces them to the others with `NOTIFY` on `a2akit_events`: a
/// payload of task keys and sequence numbers, batched, never the events
/// themselves (a payload holds at most 8000 bytes; the store has the
/// events). A process whose subscribers follow an announced task reads the
/// new events from the store, so they arrive in the log's order on every
/// process. Cancels go the same way on `a2akit_cancels` and reach the run
/// wherever it is.
///
/// Notifications are not kept: those sent while a listener's connection is
/// down are lost. So after a reconnect every followed task is read again,
/// and any followed task that stays quiet for the quiet time (default 5 s)
/// is read again as well; a subscriber never waits on a notification that
/// never came. Announcements are sent after the events are committed, from
/// a background task: if a process dies in between, the quiet time covers it.
///
/// The bus holds one connection of the store's pool for listening, and
/// uses the pool for sending.
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
        let (relay, notes) = Relay::new(store.clone(), quiet.max(Duration::from_millis(100)));
        let mut listener = PgListener::connect_with(&pool)
            .await
            .map_err(|err| unavailable("listening for the bus", err))?;
        listener
            .listen_all([EVENTS, CANCELS])
            .await
            .map_err(|err| unavailable("listening for the bus", err))?;
        let tasks = vec![
            tokio::spawn(send(pool, notes)),
            tokio::spawn(listen(Arc::clone(&relay), listener)),
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

/// Sends the notes, as many to a `NOTIFY` as fit.
async fn send(pool: PgPool, mut notes: mpsc::Receiver<Note>) {
    let mut batch = Vec::new();
    loop {
        if notes.recv_many(&mut batch, 512).await == 0 {
            return;
        }
        let (cancels, events): (Vec<Note>, Vec<Note>) = batch.drain(..).partition(Note::is_cancel);
        for (channel, notes) in [(CANCELS, cancels), (EVENTS, events)] {
            for payload in payloads(&notes, PAYLOAD) {
                let sent = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(channel)
                    .bind(&payload)
                    .execute(&pool)
                    .await;
                if let Err(err) = sent {
                    // Receivers catch up from the store.
                    tracing::warn!(error = %err, "bus notification not sent");
                }
            }
        }
    }
}

/// Hands what other processes announce to the relay; after a lost
/// connection, reads every followed task again.
async fn listen(relay: Arc<Relay>, mut listener: PgListener) {
    let mut failures = 0u32;
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                failures = 0;
                relay.receive(Note::decode_all(notification.payload())).await;
            }
            Ok(None) => {
                tracing::warn!("the bus's listening connection was lost; reconnecting");
                relay.catch_up_quiet(true).await;
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                if failures == 1 || failures.is_power_of_two() {
                    tracing::warn!(error = %err, "the bus cannot listen; retrying");
                }
                tokio::time::sleep(Duration::from_millis(100) * failures.min(50)).await;
                relay.catch_up_quiet(true).await;
            }
        }
    }
}

impl EventBus for PgEventBus {
    fn publish(&self, key: &TaskKey, event: &TaskEvent) {
        self.relay.publish(key, event);
    }

    fn subscribe(&self, key: &TaskKey) -> BusStream {
        self.relay.subscribe(key)
    }

    fn cancel(&self, key: &TaskKey) {
        self.relay.cancel(key);
    }

    fn cancel_signal(&self, key: &TaskKey) -> watch::Receiver<bool> {
        self.relay.cancel_signal(key)
    }
}
