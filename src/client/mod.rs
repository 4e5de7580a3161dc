//! The A2A client: one method per operation, the same whatever the binding.
//!
//! [`Client::connect`] reads an agent's card and picks the interface;
//! [`Client::builder`] (a [`ClientFactory`]) sets timeouts, credentials and
//! binding preferences first. [`Client`] then calls the agent, and
//! [`Conversation`] threads the context and task through follow-ups. Server errors arrive as the same [`Error`] kinds
//! the server uses (`TaskNotFound`, `TaskNotCancelable`…), transport failures
//! as `Connect`, `Timeout`, `UnexpectedStatus` or `InvalidResponse`. A bare
//! HTTP 401 / 403 reads as `Unauthenticated` / `PermissionDenied` on every
//! binding, with the agent's challenge in [`Error::www_authenticate`]; what
//! caused an error (the reqwest, tonic or JSON error) is its
//! [`source`](std::error::Error::source). No message, `Debug` output or
//! source shows a URL's query or userinfo, where credentials may travel.
//!
//! Credentials come from a [`CredentialProvider`] (a static token or key,
//! or [`OAuth2ClientCredentials`]) and go only to the origins they are bound
//! to, never with the public card: see [`credentials`].
//!
//! Streams survive a dropped connection: when one ends before the task
//! reached a state that ends it, the client resumes it and splices the rest
//! in; a stream that stays silent too long is resumed the same way. Where
//! the agent numbers its events (SSE `id:` lines, or a gRPC stream resumed
//! with [`Client::subscribe_from`]), it resumes after the last event id:
//! no gap, no repeat. Where it does not (most gRPC streams, agents without
//! SSE ids), it subscribes afresh: the new stream opens with a task
//! snapshot that repeats what was already delivered and stands in for the
//! events lost in between, which are not replayed one by one. If it cannot
//! resume (or has resumed [`max_stream_resumes`](ClientFactory::max_stream_resumes)
//! times already), the stream ends with a `Connect` or `Timeout` error
//! rather than quietly.
//!
//! ```no_run
//! # async fn run() -> Result<(), a2akit::Error> {
//! use futures_util::StreamExt as _;
//! use a2akit::client::Client;
//! use a2akit::types::StreamResponse;
//!
//! let client = Client::connect("http://127.0.0.1:8080").await?;
//! let mut events = client.send_streaming_message("hello").await?;
//! while let Some(event) = events.next().await {
//!     match event? {
//!         StreamResponse::StatusUpdate(update) => println!("now {}", update.status.state),
//!         StreamResponse::ArtifactUpdate(update) => println!("artifact {}", update.artifact.artifact_id),
//!         other => println!("{other:?}"),
//!     }
//! }
//! # Ok(()) }
//! ```

mod conversation;
pub mod credentials;
mod factory;
mod interceptor;
mod redact;
mod reply;
mod resume;
mod retry;
mod sse;
mod stream;
mod tls;
pub mod transport;

use std::sync::Arc;

use serde::de::DeserializeOwned;

pub use conversation::Conversation;
pub use credentials::{
    ClientAuthentication, Credential, CredentialFuture, CredentialProvider, CredentialRequest,
    OAuth2ClientCredentials,
};
pub use factory::{AGENT_CARD_PATH, ClientFactory, redirect_policy};
pub use interceptor::{ApiKey, ApiKeyLocation, BasicAuth, BearerToken, Interceptor, OutgoingRequest};
pub use reply::StreamedReply;
pub use retry::RetryPolicy;
pub use tls::ClientTls;
pub use transport::{Call, ClientStream, Reply, StreamEvent, Transport};

use crate::types::{
    AgentCard, AgentInterface, DeleteTaskPushNotificationConfigRequest, GetExtendedAgentCardRequest,
    SendMessageRequest, SendMessageResponse, StreamResponse, SubscribeToTaskRequest, binding, json,
};
use crate::{Error, ErrorKind};
use transport::ReplyMessage;

/// Generates a `Client` method for each unary operation of the table
/// (`crate::operations`) that takes its request and answers with its result
/// message; the streams, the delete (which answers `()`) and the extended
/// card call (which takes no request) are written by hand.
macro_rules! unary_methods {
    ($(
        $(#[doc = $doc:literal])*
        $Name:ident = $wire:literal,
        $fn:ident($Request:ident) -> $kind:ident $Response:ident, idempotent: $idempotent:literal;
    )*) => {
        $(unary_method!($kind $Name $wire, $fn($Request) -> $Response $(, $doc)*);)*
    };
}

/// One generated `Client` method, or none for an operation written by hand.
macro_rules! unary_method {
    (stream $($hand_written:tt)*) => {};
    (unary DeleteTaskPushNotificationConfig $($hand_written:tt)*) => {};
    (unary GetExtendedAgentCard $($hand_written:tt)*) => {};
    (unary $Name:ident $wire:literal, $fn:ident($Request:ident) -> $Response:ident $(, $doc:literal)*) => {
        #[doc = concat!("`", $wire, "`: ")]
        $(#[doc = $doc])*
        pub async fn $fn(
            &self,
            request: impl Into<crate::types::$Request>,
        ) -> Result<crate::types::$Response, Error> {
            self.unary(Call::$Name(request.into())).await
        }
    };
}

/// A connection to one agent interface. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    transport: Arc<dyn Transport>,
    interface: AgentInterface,
    streaming: bool,
    card: Option<Arc<AgentCard>>,
    /// The credential provider, bound to the client's origins.
    credentials: Option<Arc<credentials::CredentialBinding>>,
    /// How many times a stream may be resumed in all.
    max_resumes: u32,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &redact::url(&self.interface.url))
            .field("binding", &self.interface.protocol_binding)
            .field("tenant", &self.interface.tenant)
            .finish_non_exhaustive()
    }
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    json::from_slice(bytes).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("the agent's answer does not fit the protocol: {err}"),
        )
        .with_source(err)
    })
}

impl Client {
    /// Settings for clients, as `reqwest::Client::builder()` starts them: the
    /// [`ClientFactory`] returned carries timeouts, credentials and binding
    /// preferences, and builds a client per agent (`connect`,
    /// `client_for_card`, `client_for_interface`), sharing one connection
    /// pool and card cache.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), a2akit::Error> {
    /// use std::time::Duration;
    /// use a2akit::client::Client;
    ///
    /// let client = Client::builder()
    ///     .timeout(Duration::from_secs(10))
    ///     .connect("http://127.0.0.1:3000")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn builder() -> ClientFactory {
        ClientFactory::new()
    }

    /// A client for the agent at `base_url` with the default settings: its
    /// card is fetched and the best interface picked (see
    /// [`ClientFactory::connect`]).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), a2akit::Error> {
    /// let client = a2akit::client::Client::connect("http://127.0.0.1:3000").await?;
    /// let answer = client.send_message("hello").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(base_url: &str) -> Result<Self, Error> {
        ClientFactory::new().connect(base_url).await
    }

    /// A client over your own transport.
    pub fn with_transport(transport: impl Transport, interface: AgentInterface) -> Self {
        Self {
            transport: Arc::new(transport),
            interface,
            streaming: true,
            card: None,
            credentials: None,
            max_resumes: resume::MAX_RESUMES,
        }
    }

    /// The interface this client calls.
    pub fn interface(&self) -> &AgentInterface {
        &self.interface
    }

    /// The agent card the client was built from, if any.
    pub fn card(&self) -> Option<&AgentCard> {
        self.card.as_deref()
    }

    /// Sends a call with the interface's tenant when the request names none.
    fn prepare(&self, mut call: Call) -> Call {
        self.fill_tenant(call.tenant_mut());
        call
    }

    fn fill_tenant(&self, tenant: &mut String) {
        if tenant.is_empty() {
            tenant.clone_from(&self.interface.tenant);
        }
    }

    /// Follows a stream to its normal end, resuming it if its connection drops.
    fn follow(&self, origin: resume::Origin, first: ClientStream) -> ClientStream {
        // gRPC messages carry no event id: there, resuming means a fresh
        // subscription (a snapshot, then live events).
        let without_ids = if self
            .interface
            .protocol_binding
            .eq_ignore_ascii_case(binding::GRPC)
        {
            resume::WithoutIds::Resubscribe
        } else {
            resume::WithoutIds::Missing
        };
        let settings = resume::Settings {
            without_ids,
            credentials: self.credentials.clone(),
            max_resumes: self.max_resumes,
        };
        resume::follow(self.transport.clone(), settings, origin, first)
    }

    /// Runs `attempt` (which asks the provider for its credential through
    /// the transport), and once more with a fresh credential when the agent
    /// refused the one it sent as unauthenticated and the provider may give
    /// another.
    async fn authorized<T, F, Fut>(&self, attempt: F) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        credentials::authorized(self.credentials.as_deref(), attempt).await
    }

    /// Sends a unary call (with the client's credential) and reads its result message.
    async fn unary<T: ReplyMessage + DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        let call = self.prepare(call);
        // A call is sent twice only when a credential it carried was refused.
        let reply = match &self.credentials {
            None => self.transport.call(call).await?,
            Some(_) => self.authorized(|| self.transport.call(call.clone())).await?,
        };
        match reply {
            Reply::Json(bytes) => decode(&bytes),
            Reply::JsonRpc { body, id } => transport::read_reply(&body, id),
            other => T::from_reply(other).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidResponse,
                    "the transport answered with another message than expected",
                )
            }),
        }
    }

    // `send_message`, `get_task`, `list_tasks`, `cancel_task` and the
    // push config calls (but delete), generated from the operation table.
    crate::operations::for_each_operation!(unary_methods);

    /// `SendStreamingMessage`: the task (or a message) then its updates; the
    /// stream ends after a terminal state or INPUT_REQUIRED (and a final task
    /// snapshot, if the agent sends one). It reads on past AUTH_REQUIRED,
    /// since the task goes on once the caller authorizes elsewhere, unless
    /// the agent closes the stream there. A connection that drops earlier is
    /// resumed once the agent has named the task. When the agent's card
    /// declares no streaming, this sends a blocking message and yields its
    /// answer as a one-item stream.
    pub async fn send_streaming_message(
        &self,
        request: impl Into<SendMessageRequest>,
    ) -> Result<ClientStream, Error> {
        let request = request.into();
        if !self.streaming {
            let answer = self.send_message(request).await?;
            let item = match answer {
                SendMessageResponse::Task(task) => StreamResponse::Task(task),
                SendMessageResponse::Message(message) => StreamResponse::Message(message),
                SendMessageResponse::Unrecognized => StreamResponse::Unrecognized,
            };
            return Ok(ClientStream::new(futures_util::stream::once(
                async move { Ok(item) },
            )));
        }
        let mut call = self.prepare(Call::SendStreamingMessage(request));
        let tenant = call.tenant_mut().clone();
        let stream = self.authorized(|| self.transport.stream(call.clone())).await?;
        let origin = resume::Origin {
            op: resume::Op::Send,
            // Not the message's task id: until the agent names the task, it is
            // unknown whether it got the message at all.
            task_id: None,
            tenant,
            last_seen: None,
        };
        Ok(self.follow(origin, stream))
    }

    /// `SubscribeToTask`: the task now, then its updates until it finishes
    /// (and a final task snapshot, if the agent sends one). A connection that
    /// drops earlier is resumed.
    pub async fn subscribe_to_task(&self, request: SubscribeToTaskRequest) -> Result<ClientStream, Error> {
        self.subscribe(request, None).await
    }

    /// `SubscribeToTask` resumed after event `last_seen`: no snapshot, but
    /// every event after it, then live ones until the task finishes (or, if
    /// the agent no longer holds those events, a task snapshot first). Take
    /// `last_seen` from [`ClientStream::last_event_id`] of a stream that
    /// broke off. Over HTTP the id goes in `Last-Event-ID`, over gRPC in the
    /// `a2a-last-event-id` metadata key.
    ///
    /// ```no_run
    /// # async fn run(client: a2akit::client::Client) -> Result<(), a2akit::Error> {
    /// use futures_util::StreamExt as _;
    ///
    /// // Events 1 to 41 of task t-7 were handled before the process restarted.
    /// let mut events = client.subscribe_from("t-7", 41).await?;
    /// while let Some(event) = events.next().await {
    ///     println!("{:?} (event {:?})", event?, events.last_event_id());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn subscribe_from(
        &self,
        task_id: impl Into<String>,
        last_seen: u64,
    ) -> Result<ClientStream, Error> {
        self.subscribe(SubscribeToTaskRequest::new(task_id), Some(last_seen))
            .await
    }

    async fn subscribe(
        &self,
        mut request: SubscribeToTaskRequest,
        last_seen: Option<u64>,
    ) -> Result<ClientStream, Error> {
        if !self.streaming {
            return Err(Error::unsupported_operation(
                "the agent's card declares no streaming",
            ));
        }
        self.fill_tenant(&mut request.tenant);
        let origin = resume::Origin {
            op: resume::Op::Subscribe,
            task_id: Some(request.id.clone()),
            tenant: request.tenant.clone(),
            last_seen,
        };
        let stream = self
            .authorized(|| match last_seen {
                Some(last) => self.transport.subscribe_from(request.clone(), last),
                None => self.transport.stream(Call::SubscribeToTask(request.clone())),
            })
            .await?;
        Ok(self.follow(origin, stream))
    }

    /// `DeleteTaskPushNotificationConfig`.
    pub async fn delete_task_push_notification_config(
        &self,
        request: DeleteTaskPushNotificationConfigRequest,
    ) -> Result<(), Error> {
        let call = self.prepare(Call::DeleteTaskPushNotificationConfig(request));
        let reply = self.authorized(|| self.transport.call(call.clone())).await?;
        // `{}` from most agents, `null` from some, nothing over gRPC: all mean done.
        let done = match reply {
            Reply::Empty => true,
            Reply::Json(bytes) => matches!(
                serde_json::from_slice::<serde_json::Value>(&bytes),
                Ok(serde_json::Value::Object(_) | serde_json::Value::Null)
            ),
            Reply::JsonRpc { body, id } => matches!(
                transport::read_reply::<serde_json::Value>(&body, id)?,
                serde_json::Value::Object(_) | serde_json::Value::Null
            ),
            _ => false,
        };
        if done {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::InvalidResponse,
                "a delete was answered with something other than {}",
            ))
        }
    }

    /// `GetExtendedAgentCard`.
    pub async fn get_extended_agent_card(&self) -> Result<AgentCard, Error> {
        self.unary(Call::GetExtendedAgentCard(GetExtendedAgentCardRequest::default()))
            .await
    }
}
