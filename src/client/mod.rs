//! The A2A client: one method per operation, the same whatever the binding.
//!
//! [`ClientFactory`] reads an agent's card and picks the interface;
//! [`Client`] then calls it. Server errors arrive as the same [`Error`] kinds
//! the server uses (`TaskNotFound`, `TaskNotCancelable`…), transport failures
//! as `Connect`, `Timeout`, `UnexpectedStatus` or `InvalidResponse`.
//!
//! Streams survive a dropped connection: when one ends before the task
//! reached a state that ends it, the client resumes it from the last event
//! id (see [`Client::subscribe_from`]) and splices the rest in, without gaps
//! or repeats; if it cannot, the stream ends with a `Connect` error rather
//! than quietly.
//!
//! ```no_run
//! # async fn run() -> Result<(), a2akit::Error> {
//! use futures_util::StreamExt as _;
//! use a2akit::client::ClientFactory;
//! use a2akit::types::{Message, SendMessageRequest, StreamResponse};
//!
//! let client = ClientFactory::new().connect("http://127.0.0.1:8080").await?;
//! let mut events = client.send_streaming_message(SendMessageRequest::new(Message::user("hello"))).await?;
//! while let Some(event) = events.next().await {
//!     match event? {
//!         StreamResponse::StatusUpdate(update) => println!("now {}", update.status.state),
//!         StreamResponse::ArtifactUpdate(update) => println!("artifact {}", update.artifact.artifact_id),
//!         other => println!("{other:?}"),
//!     }
//! }
//! # Ok(()) }
//! ```

mod factory;
mod interceptor;
mod reply;
mod resume;
mod retry;
mod sse;
mod stream;
mod tls;
pub mod transport;

use std::sync::Arc;

use serde::de::DeserializeOwned;

pub use factory::{AGENT_CARD_PATH, ClientFactory};
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
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("interface", &self.interface)
            .finish_non_exhaustive()
    }
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    json::from_slice(bytes).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("the agent's answer does not fit the protocol: {err}"),
        )
    })
}

impl Client {
    /// A client over your own transport.
    pub fn with_transport(transport: impl Transport, interface: AgentInterface) -> Self {
        Self {
            transport: Arc::new(transport),
            interface,
            streaming: true,
            card: None,
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
            resume::WithoutIds::Fail
        };
        resume::follow(self.transport.clone(), without_ids, origin, first)
    }

    /// Sends a unary call and reads its result message.
    async fn unary<T: ReplyMessage + DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        match self.transport.call(self.prepare(call)).await? {
            Reply::Json(bytes) => decode(&bytes),
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
    /// stream ends after a terminal or interrupted state (and a final task
    /// snapshot, if the agent sends one). A connection that drops earlier is
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
            };
            return Ok(ClientStream::new(futures_util::stream::once(
                async move { Ok(item) },
            )));
        }
        let mut call = self.prepare(Call::SendStreamingMessage(request));
        let tenant = call.tenant_mut().clone();
        let stream = self.transport.stream(call).await?;
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
        let stream = match last_seen {
            Some(last) => self.transport.subscribe_from(request, last).await?,
            None => self.transport.stream(Call::SubscribeToTask(request)).await?,
        };
        Ok(self.follow(origin, stream))
    }

    /// `DeleteTaskPushNotificationConfig`.
    pub async fn delete_task_push_notification_config(
        &self,
        request: DeleteTaskPushNotificationConfigRequest,
    ) -> Result<(), Error> {
        let reply = self
            .transport
            .call(self.prepare(Call::DeleteTaskPushNotificationConfig(request)))
            .await?;
        // `{}` from most agents, `null` from some, nothing over gRPC: all mean done.
        let done = match reply {
            Reply::Empty => true,
            Reply::Json(bytes) => matches!(
                serde_json::from_slice::<serde_json::Value>(&bytes),
                Ok(serde_json::Value::Object(_) | serde_json::Value::Null)
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
