//! The eleven operations, binding-agnostic: every protocol rule lives here.
//!
//! `RequestHandler` and its builder are here, with the checks every
//! operation shares; the operations live by what they deal with:
//! `send` (messages and the runs they start), `tasks` (reading,
//! cancelling and following tasks) and `push` (push notification configs);
//! `card` holds the public card, which can be replaced while the handler runs.

mod card;
mod lifecycle;
mod limits;
mod push;
mod send;
mod tasks;

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub use card::CardError;
pub(crate) use card::{CardRevision, check_card};
pub use limits::RateLimit;

use super::bus::{EventBus, InMemoryEventBus};
use super::call::CallContext;
use super::daemon::Daemon;
use super::executor::{AgentExecutor, CancelContext, RequestContext, TaskUpdater};
use super::push::sender::PushSender;
use super::push::{PushDelivery, WebhookGuard};
use super::store::{
    DynStore, InMemoryTaskStore, PushConfigStore, PushOutbox, Sequence, TaskKey, TaskStore, TaskView,
};
use super::task::live::{Engine, LiveTask};
use super::task::{InMemoryRunOwnership, RunOwnership};
use crate::Error;
use crate::jsonrpc::Method;
use crate::server::telemetry;
use crate::types::{AgentCard, GetExtendedAgentCardRequest, Task};

type BoxFuture<'a, T> = Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// [`AgentExecutor`] behind a pointer.
trait DynExecutor: Send + Sync + 'static {
    fn execute(&self, context: RequestContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>>;
    fn cancel(&self, context: CancelContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>>;
}

impl<E: AgentExecutor> DynExecutor for E {
    fn execute(&self, context: RequestContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(AgentExecutor::execute(self, context, updater))
    }
    fn cancel(&self, context: CancelContext, updater: TaskUpdater) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(AgentExecutor::cancel(self, context, updater))
    }
}

/// Which `A2A-Version` values are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum VersionPolicy {
    /// Any `1.x` (what the official Python SDK does): a newer minor version
    /// is served with 1.0 semantics.
    #[default]
    AnyMinor,
    /// Exactly `1.0` (patch digits ignored).
    Exact,
}

/// The protocol engine: the eleven operations on top of an [`AgentExecutor`]
/// and the stores. Bindings decode a request, call one method, and encode
/// what it returns. Cheap to clone.
///
/// ```
/// use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
/// use a2akit::types::AgentCard;
///
/// struct Done;
/// impl AgentExecutor for Done {
///     async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), a2akit::Error> {
///         updater.complete().await
///     }
/// }
///
/// let card = AgentCard::builder().name("Done").description("Finishes at once").build();
/// let handler = RequestHandler::builder(card, Done).build();
/// assert_eq!(handler.card().name, "Done");
/// ```
#[derive(Clone)]
pub struct RequestHandler {
    inner: Arc<Inner>,
}

struct Inner {
    /// The public card; replaced whole by [`RequestHandler::set_card`].
    card: card::CardSlot,
    extended_card: Option<AgentCard>,
    public_extended_card: bool,
    executor: Arc<dyn DynExecutor>,
    engine: Arc<Engine>,
    limits: limits::Limits,
    /// Where runs were traced, so that push deliveries join their trace.
    run_traces: Arc<super::telemetry::RunTraces>,
    executor_timeout: Option<Duration>,
    version_policy: VersionPolicy,
    /// Whether v0.3 requests are served beside 1.0 ones.
    serve_v0_3: bool,
    webhook_guard: WebhookGuard,
    /// Sends push notifications: made the first time the card declares
    /// them (at build, or when a new card does), then kept; `None` inside
    /// if no HTTP client could be built.
    sender: OnceLock<Option<PushSender>>,
    /// How the sender sends, for when it is made.
    push_delivery: PushDelivery,
    /// Fails the tasks whose run was lost with its process, when run
    /// ownership is shared between processes.
    recovery: Option<Daemon>,
}

impl std::fmt::Debug for RequestHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestHandler")
            .field("agent", &self.card().name)
            .finish_non_exhaustive()
    }
}

/// Configures a [`RequestHandler`]; see [`RequestHandler::builder`].
#[must_use]
pub struct RequestHandlerBuilder {
    card: AgentCard,
    extended_card: Option<AgentCard>,
    public_extended_card: bool,
    executor: Arc<dyn DynExecutor>,
    rate_limit: Option<RateLimit>,
    max_streams: Option<usize>,
    store: Arc<dyn DynStore>,
    bus: Arc<dyn EventBus>,
    runs: Arc<dyn RunOwnership>,
    executor_timeout: Option<Duration>,
    max_history: usize,
    version_policy: VersionPolicy,
    serve_v0_3: bool,
    webhook_guard: WebhookGuard,
    push_delivery: PushDelivery,
    abandoned_after: Duration,
}

impl RequestHandlerBuilder {
    /// The default cap on a task's history.
    pub const DEFAULT_MAX_HISTORY: usize = 1_000;

    /// Keeps tasks and push configs in `store` instead of a new
    /// [`InMemoryTaskStore`]. Pass an `Arc` to keep a handle on it.
    pub fn store<S: TaskStore + PushConfigStore + PushOutbox>(mut self, store: S) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// Carries events and cancels on `bus` instead of a new [`InMemoryEventBus`].
    pub fn event_bus(mut self, bus: impl EventBus) -> Self {
        self.bus = Arc::new(bus);
        self
    }

    /// Decides who runs a task with `runs` instead of a new [`InMemoryRunOwnership`].
    pub fn run_ownership(mut self, runs: impl RunOwnership) -> Self {
        self.runs = Arc::new(runs);
        self
    }

    /// Fails a run that takes longer than `timeout` (default: 10 minutes).
    pub fn executor_timeout(mut self, timeout: Duration) -> Self {
        self.executor_timeout = Some(timeout);
        self
    }

    /// Lets runs take as long as they like.
    pub fn no_executor_timeout(mut self) -> Self {
        self.executor_timeout = None;
        self
    }

    /// How many messages a task's history may hold (default
    /// [`Self::DEFAULT_MAX_HISTORY`]). A client message beyond it is refused
    /// with UnsupportedOperationError, telling the client to start a new task.
    pub fn max_history(mut self, messages: usize) -> Self {
        self.max_history = messages;
        self
    }

    /// The card `GetExtendedAgentCard` returns (the public card must declare
    /// `extendedAgentCard`).
    pub fn extended_card(mut self, card: AgentCard) -> Self {
        self.extended_card = Some(card);
        self
    }

    /// Limits how many requests one caller makes (default: no limit).
    /// Callers are told apart by tenant and identity: the
    /// [`Caller`](crate::server::Caller) an authentication layer named,
    /// else the client's IP address (when the server was started with
    /// connect info, as [`serve`](crate::server::serve) does), else one
    /// allowance all anonymous callers share (behind a reverse proxy every
    /// anonymous caller has the proxy's address: authenticate callers, or
    /// rate-limit at the proxy). A caller over its rate is
    /// answered with ResourceExhausted and when to retry: HTTP 429 with
    /// `Retry-After` on JSON-RPC and HTTP+JSON, `RESOURCE_EXHAUSTED` with
    /// a `google.rpc.RetryInfo` on gRPC.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Limits how many streams (`SendStreamingMessage`, `SubscribeToTask`)
    /// one caller (told apart as for [`rate_limit`](Self::rate_limit)) has
    /// open at once (default: no limit). One more is refused before it
    /// starts anything, as for the rate limit.
    pub fn max_streams_per_caller(mut self, streams: usize) -> Self {
        self.max_streams = Some(streams);
        self
    }

    /// Serves the extended card to anonymous callers too, even when the
    /// public card declares security schemes (by default they are told to
    /// authenticate). For an agent whose authentication happens outside
    /// this crate and does not name a [`Caller`](crate::server::Caller).
    pub fn public_extended_card(mut self) -> Self {
        self.public_extended_card = true;
        self
    }

    /// Which webhook URLs push configs may name (default
    /// [`WebhookGuard::new`]: public targets only). A config the guard
    /// refuses is answered with InvalidParams naming the field, and nothing
    /// is stored.
    pub fn webhook_guard(mut self, guard: WebhookGuard) -> Self {
        self.webhook_guard = guard;
        self
    }

    /// How push notifications are sent (default [`PushDelivery::new`]):
    /// timeouts, retries, signing keys. Deliveries are sent only when the
    /// card declares `capabilities.pushNotifications`; the handler starts
    /// its sender when it is built inside a Tokio runtime, or else on its
    /// first request (or when a card that declares them replaces one that
    /// did not, see [`RequestHandler::set_card`]).
    pub fn push_delivery(mut self, delivery: PushDelivery) -> Self {
        self.push_delivery = delivery;
        self
    }

    /// How long an unfinished task whose run is gone stays as it is before
    /// it is failed (default one minute; keep it above the run lease). A
    /// run is gone when the process running it died: with run ownership
    /// shared between processes ([`RunOwnership::is_shared`], the SQL
    /// stores' `run_ownership()`), a process (the restarted one, or
    /// another replica) finds the tasks that are submitted or working,
    /// held by no lease, and whose status has not changed for this long,
    /// and fails each with a message saying why: the client sees a failed
    /// task instead of one working forever. It is not run again, as an
    /// agent's work is not assumed safe to repeat. With run ownership that
    /// is not shared, nothing is looked for.
    pub fn abandoned_after(mut self, quiet: Duration) -> Self {
        self.abandoned_after = quiet.max(Duration::from_secs(1));
        self
    }

    /// Which `A2A-Version` values are served (default: any `1.x`).
    pub fn version_policy(mut self, policy: VersionPolicy) -> Self {
        self.version_policy = policy;
        self
    }

    /// Whether requests of protocol v0.3 are served too (default: yes).
    ///
    /// Served, a v0.3 client is answered on the same routers as a 1.0 one,
    /// by the same engine and store: on JSON-RPC, a request naming a v0.3
    /// method (`message/send`, `tasks/get`…) with no `A2A-Version` or a 0.3
    /// one; on HTTP+JSON, v0.3's paths (`/v1/message:send`…) under the same
    /// base; on gRPC (feature `grpc`), v0.3's service `a2a.v1.A2AService`
    /// beside 1.0's. The card then lists a v0.3 interface beside each 1.x
    /// one ([`v0_3::with_interfaces`](crate::v0_3::with_interfaces), unless
    /// the card is signed: sign it after adding them) and carries the v0.3
    /// members a v0.3 client reads ([`v0_3::dual_card`](crate::v0_3::dual_card)).
    /// A task is one task whichever version reads or writes it. Not served,
    /// a v0.3 request is refused as a 1.0 request of an unsupported version
    /// would be.
    pub fn serve_v0_3(mut self, serve: bool) -> Self {
        self.serve_v0_3 = serve;
        self
    }

    /// The handler.
    pub fn build(self) -> RequestHandler {
        let run_traces = Arc::new(super::telemetry::RunTraces::default());
        let push = self.card.capabilities.supports_push_notifications();
        let engine = Engine::new(self.store, self.bus, self.runs, self.max_history);
        let recovery = engine.runs.is_shared().then(|| {
            let (engine, quiet) = (Arc::downgrade(&engine), self.abandoned_after);
            Daemon::new(move || {
                let engine = engine.clone();
                async move {
                    loop {
                        tokio::time::sleep(quiet / 4).await;
                        let Some(engine) = engine.upgrade() else { return };
                        engine.fail_abandoned(quiet).await;
                    }
                }
            })
        });
        if let Some(recovery) = &recovery {
            recovery.ensure_started();
        }
        let handler = RequestHandler {
            inner: Arc::new(Inner {
                card: card::CardSlot::new(card::served_card(self.card, self.serve_v0_3)),
                extended_card: self.extended_card,
                public_extended_card: self.public_extended_card,
                limits: limits::Limits::new(self.rate_limit, self.max_streams),
                run_traces,
                executor: self.executor,
                engine,
                executor_timeout: self.executor_timeout,
                version_policy: self.version_policy,
                serve_v0_3: self.serve_v0_3,
                webhook_guard: self.webhook_guard,
                sender: OnceLock::new(),
                push_delivery: self.push_delivery,
                recovery,
            }),
        };
        if push {
            handler.start_push_sender();
        }
        handler
    }
}

/// A field the protocol marks REQUIRED. The wire layer reads an absent one
/// as its default (an empty string), as the official parsers do, so that a
/// message from a newer or sloppier peer is still read; the check that it is
/// there is the server's, and names the field.
fn check_required(field: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        Err(Error::invalid_field(field, "is required"))
    } else {
        Ok(())
    }
}

fn check_history_length(field: &str, history_length: Option<i32>) -> Result<Option<usize>, Error> {
    match history_length {
        Some(n) if n < 0 => Err(Error::invalid_field(
            field,
            format!("must not be negative, got {n}"),
        )),
        Some(n) => Ok(Some(n as usize)),
        None => Ok(None),
    }
}

impl RequestHandler {
    /// Starts a handler for the agent described by `card`, run by `executor`,
    /// on an in-memory store, bus and run ownership.
    pub fn builder(card: AgentCard, executor: impl AgentExecutor) -> RequestHandlerBuilder {
        RequestHandlerBuilder {
            card,
            extended_card: None,
            public_extended_card: false,
            rate_limit: None,
            max_streams: None,
            executor: Arc::new(executor),
            store: Arc::new(InMemoryTaskStore::new()),
            bus: Arc::new(InMemoryEventBus::new()),
            runs: Arc::new(InMemoryRunOwnership::default()),
            executor_timeout: Some(Duration::from_secs(600)),
            max_history: RequestHandlerBuilder::DEFAULT_MAX_HISTORY,
            version_policy: VersionPolicy::default(),
            serve_v0_3: true,
            webhook_guard: WebhookGuard::default(),
            push_delivery: PushDelivery::default(),
            abandoned_after: Duration::from_secs(60),
        }
    }

    /// How many tasks are live in memory now: running, or being written.
    /// Finished tasks nobody writes to live only in the store.
    pub fn live_tasks(&self) -> usize {
        self.inner.engine.live_count()
    }

    /// Checks the `A2A-Version` a client asked for (`None` or empty: 0.3).
    /// Patch digits are ignored.
    pub fn check_version(&self, requested: Option<&str>) -> Result<(), Error> {
        let requested = requested.map(str::trim).unwrap_or_default();
        let mut parts = requested.split('.');
        let major = parts.next().and_then(|p| p.parse::<u32>().ok());
        let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
        let served = matches!(
            (major, minor, self.inner.version_policy),
            (Some(1), Some(_), VersionPolicy::AnyMinor) | (Some(1), Some(0), VersionPolicy::Exact)
        );
        if served {
            Ok(())
        } else {
            Err(Error::version_not_supported(requested))
        }
    }

    /// Whether v0.3 requests are served ([`RequestHandlerBuilder::serve_v0_3`]).
    pub fn serves_v0_3(&self) -> bool {
        self.inner.serve_v0_3
    }

    /// Checks the capabilities and extensions every operation depends on.
    fn check_call(&self, call: &CallContext) -> Result<(), Error> {
        self.inner.limits.admit(call)?;
        if let Some(Some(sender)) = self.inner.sender.get() {
            sender.ensure_started();
        }
        if let Some(recovery) = &self.inner.recovery {
            recovery.ensure_started();
        }
        self.inner.card.read(|card| {
            match card
                .capabilities
                .extensions
                .iter()
                .find(|extension| extension.required && !call.extensions.contains(&extension.uri))
            {
                Some(missing) => Err(Error::extension_support_required(&missing.uri)),
                None => Ok(()),
            }
        })
    }

    fn check_streaming(&self) -> Result<(), Error> {
        if self
            .inner
            .card
            .read(|card| card.capabilities.supports_streaming())
        {
            Ok(())
        } else {
            Err(Error::unsupported_operation(
                "this agent does not support streaming",
            ))
        }
    }

    fn check_push(&self) -> Result<(), Error> {
        if self
            .inner
            .card
            .read(|card| card.capabilities.supports_push_notifications())
        {
            Ok(())
        } else {
            Err(Error::push_notification_not_supported())
        }
    }

    /// Makes the push sender unless it exists, and starts it (inside a
    /// Tokio runtime; else the next request does). Called when a card
    /// declaring push notifications is put in place.
    fn start_push_sender(&self) {
        let sender = self.inner.sender.get_or_init(|| {
            PushSender::new(
                Arc::clone(&self.inner.engine.store),
                self.inner.push_delivery.clone(),
                self.inner.webhook_guard.clone(),
                Arc::clone(&self.inner.run_traces),
            )
        });
        if let Some(sender) = sender {
            sender.ensure_started();
        }
    }

    fn store(&self) -> &Arc<dyn DynStore> {
        &self.inner.engine.store
    }

    /// Reads a stored task the caller may see, projected to `view`.
    async fn visible_task(
        &self,
        call: &CallContext,
        id: &str,
        view: TaskView,
    ) -> Result<(Task, Sequence), Error> {
        let key = TaskKey::new(&call.tenant, id);
        match self.store().get(&key, view).await? {
            Some(stored) if stored.owner == call.owner() => Ok((stored.task, stored.sequence)),
            _ => Err(Error::task_not_found(id)),
        }
    }

    /// Checks that a task exists and the caller may see it, loading as little as possible.
    async fn check_visible(&self, call: &CallContext, id: &str) -> Result<(), Error> {
        let bare = TaskView::FULL.history_length(Some(0)).include_artifacts(false);
        self.visible_task(call, id, bare).await.map(drop)
    }

    /// Opens the live task of a task the caller may see.
    async fn visible_live(&self, call: &CallContext, id: &str) -> Result<Arc<LiveTask>, Error> {
        let key = TaskKey::new(&call.tenant, id);
        match self.inner.engine.open(&key).await? {
            Some(live) if live.owner == call.owner() => Ok(live),
            _ => Err(Error::task_not_found(id)),
        }
    }

    /// `GetExtendedAgentCard`. When the public card declares security
    /// schemes, only an authenticated caller (one an authentication layer
    /// named, see [`auth`](crate::server::auth)) gets it; others are told
    /// to authenticate. [`RequestHandlerBuilder::public_extended_card`]
    /// turns that off.
    pub async fn get_extended_agent_card(
        &self,
        call: &CallContext,
        _request: GetExtendedAgentCardRequest,
    ) -> Result<AgentCard, Error> {
        let operation = telemetry::operation(Method::GetExtendedAgentCard, call, "");
        operation
            .run(async move {
                // One reading of the card for both questions, whatever replaces it meanwhile.
                let card = self.card();
                if !card.capabilities.supports_extended_agent_card() {
                    return Err(Error::unsupported_operation(
                        "this agent has no extended agent card",
                    ));
                }
                self.check_call(call)?;
                let secured = !card.security_schemes.is_empty();
                if secured && call.caller.is_none() && !self.inner.public_extended_card {
                    return Err(Error::unauthenticated(
                        "the extended agent card is for authenticated callers",
                    ));
                }
                self.inner
                    .extended_card
                    .clone()
                    .ok_or_else(Error::extended_agent_card_not_configured)
            })
            .await
    }
}

fn not_cancelable(task: &Task) -> Error {
    Error::task_not_cancelable(&task.id, format_args!("it is already {}", task.status.state))
}
