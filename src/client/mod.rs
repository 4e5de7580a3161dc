//! The A2A client: one method per operation, the same whatever the binding.
//!
//! [`ClientFactory`] reads an agent's card and picks the interface;
//! [`Client`] then calls it. Server errors arrive as the same [`Error`] kinds
//! the server uses (`TaskNotFound`, `TaskNotCancelable`…), transport failures
//! as `Connect`, `Timeout`, `UnexpectedStatus` or `InvalidResponse`.
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
mod retry;
mod sse;
pub mod transport;

use std::sync::Arc;

use serde::de::DeserializeOwned;

pub use factory::{AGENT_CARD_PATH, ClientFactory};
pub use interceptor::{ApiKey, ApiKeyLocation, BasicAuth, BearerToken, Interceptor, OutgoingRequest};
pub use retry::RetryPolicy;
pub use transport::{Call, ClientStream, Reply, Transport};

use crate::types::{
    AgentCard, AgentInterface, CancelTaskRequest, DeleteTaskPushNotificationConfigRequest,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    ListTaskPushNotificationConfigsRequest, ListTaskPushNotificationConfigsResponse, ListTasksRequest,
    ListTasksResponse, SendMessageRequest, SendMessageResponse, StreamResponse, SubscribeToTaskRequest, Task,
    TaskPushNotificationConfig, json,
};
use crate::{Error, ErrorKind};

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

/// A result message a unary call can answer with.
trait Answer: DeserializeOwned {
    /// The message, if the reply is one of this kind.
    fn from_reply(reply: Reply) -> Option<Self>;

    fn read(reply: Reply) -> Result<Self, Error> {
        match reply {
            Reply::Json(bytes) => decode(&bytes),
            other => Self::from_reply(other).ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidResponse,
                    "the transport answered with another message than expected",
                )
            }),
        }
    }
}

macro_rules! answer {
    ($($ty:ty => $variant:ident),+ $(,)?) => {
        $(impl Answer for $ty {
            fn from_reply(reply: Reply) -> Option<Self> {
                match reply {
                    Reply::$variant(message) => Some(message),
                    _ => None,
                }
            }
        })+
    };
}

answer!(
    SendMessageResponse => SendMessage,
    Task => Task,
    ListTasksResponse => ListTasks,
    TaskPushNotificationConfig => PushConfig,
    ListTaskPushNotificationConfigsResponse => PushConfigs,
    AgentCard => AgentCard,
);

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
        let tenant = call.tenant_mut();
        if tenant.is_empty() {
            tenant.clone_from(&self.interface.tenant);
        }
        call
    }

    async fn unary<T: Answer>(&self, call: Call) -> Result<T, Error> {
        T::read(self.transport.call(self.prepare(call)).await?)
    }

    /// `SendMessage`: the task (finished or interrupted, unless
    /// `returnImmediately`) or the agent's direct message.
    pub async fn send_message(&self, request: SendMessageRequest) -> Result<SendMessageResponse, Error> {
        self.unary(Call::SendMessage(request)).await
    }

    /// `SendStreamingMessage`: the task (or a message) then its updates; the
    /// stream ends after a terminal or interrupted state. When the agent's
    /// card declares no streaming, this sends a blocking message and yields
    /// its answer as a one-item stream.
    pub async fn send_streaming_message(&self, request: SendMessageRequest) -> Result<ClientStream, Error> {
        if !self.streaming {
            let answer = self.send_message(request).await?;
            let item = match answer {
                SendMessageResponse::Task(task) => StreamResponse::Task(task),
                SendMessageResponse::Message(message) => StreamResponse::Message(message),
            };
            return Ok(Box::pin(futures_util::stream::once(async move { Ok(item) })));
        }
        let stream = self
            .transport
            .stream(self.prepare(Call::SendStreamingMessage(request)))
            .await?;
        Ok(transport::until_last(stream, true))
    }

    /// `GetTask`.
    pub async fn get_task(&self, request: GetTaskRequest) -> Result<Task, Error> {
        self.unary(Call::GetTask(request)).await
    }

    /// `ListTasks`: one page; follow `next_page_token` for more.
    pub async fn list_tasks(&self, request: ListTasksRequest) -> Result<ListTasksResponse, Error> {
        self.unary(Call::ListTasks(request)).await
    }

    /// `CancelTask`.
    pub async fn cancel_task(&self, request: CancelTaskRequest) -> Result<Task, Error> {
        self.unary(Call::CancelTask(request)).await
    }

    /// `SubscribeToTask`: the task now, then its updates until it finishes.
    pub async fn subscribe_to_task(&self, request: SubscribeToTaskRequest) -> Result<ClientStream, Error> {
        if !self.streaming {
            return Err(Error::unsupported_operation(
                "the agent's card declares no streaming",
            ));
        }
        let stream = self
            .transport
            .stream(self.prepare(Call::SubscribeToTask(request)))
            .await?;
        Ok(transport::until_last(stream, false))
    }

    /// `CreateTaskPushNotificationConfig`.
    pub async fn create_task_push_notification_config(
        &self,
        config: TaskPushNotificationConfig,
    ) -> Result<TaskPushNotificationConfig, Error> {
        self.unary(Call::CreateTaskPushNotificationConfig(config)).await
    }

    /// `GetTaskPushNotificationConfig`.
    pub async fn get_task_push_notification_config(
        &self,
        request: GetTaskPushNotificationConfigRequest,
    ) -> Result<TaskPushNotificationConfig, Error> {
        self.unary(Call::GetTaskPushNotificationConfig(request)).await
    }

    /// `ListTaskPushNotificationConfigs`.
    pub async fn list_task_push_notification_configs(
        &self,
        request: ListTaskPushNotificationConfigsRequest,
    ) -> Result<ListTaskPushNotificationConfigsResponse, Error> {
        self.unary(Call::ListTaskPushNotificationConfigs(request)).await
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
