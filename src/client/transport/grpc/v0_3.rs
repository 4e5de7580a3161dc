//! v0.3's gRPC service, `a2a.v1.A2AService`, on the same channel: each 1.0
//! call as the rpc of the same operation (`SubscribeToTask` is v0.3's
//! `TaskSubscription`, `GetExtendedAgentCard` its `GetAgentCard`), each
//! answer read back as the 1.0 message. v0.3 has no `ListTasks`.
//!
//! v0.3 servers said what went wrong in the status message
//! (`TaskNotFoundError: …`) and with codes of their own (`UNIMPLEMENTED` for
//! a task that cannot be canceled); a status with 1.0's
//! `google.rpc.ErrorInfo` is read as 1.0 reads it, any other by that name.

use tonic::transport::Channel;
use tonic_types::StatusExt as _;

use super::{Attempt, GrpcTransport, read};
use crate::client::transport::{BoxFuture, Call, ClientStream, Reply};
use crate::proto::error_from_status as v1_error;
use crate::proto::v0_3 as wire;
use crate::proto::v0_3::a2a_service_client::A2aServiceClient;
use crate::{Error, ErrorKind};

/// The error names v0.3 servers put before a status message, and their kinds.
const NAMED_ERRORS: [(&str, ErrorKind); 12] = [
    ("JSONParseError", ErrorKind::ParseError),
    ("InvalidRequestError", ErrorKind::InvalidRequest),
    ("MethodNotFoundError", ErrorKind::MethodNotFound),
    ("InvalidParamsError", ErrorKind::InvalidParams),
    ("InternalError", ErrorKind::Internal),
    ("TaskNotFoundError", ErrorKind::TaskNotFound),
    ("TaskNotCancelableError", ErrorKind::TaskNotCancelable),
    (
        "PushNotificationNotSupportedError",
        ErrorKind::PushNotificationNotSupported,
    ),
    ("UnsupportedOperationError", ErrorKind::UnsupportedOperation),
    ("ContentTypeNotSupportedError", ErrorKind::ContentTypeNotSupported),
    ("InvalidAgentResponseError", ErrorKind::InvalidAgentResponse),
    (
        "AuthenticatedExtendedCardNotConfiguredError",
        ErrorKind::ExtendedAgentCardNotConfigured,
    ),
];

/// The error a v0.3 agent's status means (see the module docs).
pub(super) fn error_from_status(status: &tonic::Status) -> Error {
    let error = v1_error(status);
    if status.get_details_error_info().is_some() {
        return error;
    }
    let named = status.message().split_once(':').and_then(|(name, rest)| {
        NAMED_ERRORS
            .iter()
            .find(|(known, _)| *known == name.trim())
            .map(|(_, kind)| (*kind, rest.trim()))
    });
    match named {
        Some((kind, message)) => Error::new(kind, message.to_owned()).with_source(status.clone()),
        None => error,
    }
}

/// One unary rpc: the request made from the call's message, the answer read
/// into the reply's variant.
macro_rules! rpc {
    ($transport:ident, $client:ident, $method:ident, $credential:ident, $fn:ident($message:expr) -> $Variant:ident) => {{
        let request = $transport
            .request($method, $message, true, $credential)
            .map_err(Attempt::Local)?;
        let answer = $client.$fn(request).await?.into_inner();
        Reply::$Variant(read(answer).map_err(Attempt::Local)?)
    }};
}

impl GrpcTransport {
    /// The v0.3 service's client, on the transport's channel.
    fn client_v0_3(&self) -> A2aServiceClient<Channel> {
        A2aServiceClient::new(self.channel())
            .max_decoding_message_size(self.core.max_event_size)
            .max_encoding_message_size(self.core.max_event_size)
    }

    /// One attempt at a unary call, to a v0.3 agent.
    pub(super) async fn call_once_v0_3(&self, call: Call) -> Result<Reply, Attempt> {
        let method = call.method();
        let credential = self.credential(method).await.map_err(Attempt::Local)?;
        let credential = credential.as_ref();
        let mut client = self.client_v0_3();
        let reply = match call {
            Call::SendMessage(r) => {
                rpc!(self, client, method, credential, send_message(wire::SendMessageRequest::from(r)) -> SendMessage)
            }
            Call::GetTask(r) => {
                rpc!(self, client, method, credential, get_task(wire::GetTaskRequest::from(r)) -> Task)
            }
            Call::CancelTask(r) => {
                rpc!(self, client, method, credential, cancel_task(wire::CancelTaskRequest::from(r)) -> Task)
            }
            Call::CreateTaskPushNotificationConfig(r) => rpc!(
                self, client, method, credential,
                create_task_push_notification_config(wire::CreateTaskPushNotificationConfigRequest::from(r)) -> PushConfig
            ),
            Call::GetTaskPushNotificationConfig(r) => rpc!(
                self, client, method, credential,
                get_task_push_notification_config(wire::GetTaskPushNotificationConfigRequest::from(r)) -> PushConfig
            ),
            Call::ListTaskPushNotificationConfigs(r) => rpc!(
                self, client, method, credential,
                list_task_push_notification_config(wire::ListTaskPushNotificationConfigRequest::from(r)) -> PushConfigs
            ),
            Call::DeleteTaskPushNotificationConfig(r) => {
                let message = wire::DeleteTaskPushNotificationConfigRequest::from(r);
                let request = self
                    .request(method, message, true, credential)
                    .map_err(Attempt::Local)?;
                client.delete_task_push_notification_config(request).await?;
                Reply::Empty
            }
            Call::GetExtendedAgentCard(_) => {
                rpc!(self, client, method, credential, get_agent_card(wire::GetAgentCardRequest {}) -> AgentCard)
            }
            Call::ListTasks(_) => {
                return Err(Attempt::Local(Error::unsupported_operation(
                    "a v0.3 agent has no ListTasks operation",
                )));
            }
            Call::SendStreamingMessage(_) | Call::SubscribeToTask(_) => {
                return Err(Attempt::Local(Error::invalid_params(
                    "a streaming call is not unary",
                )));
            }
        };
        Ok(reply)
    }

    /// Opens a streaming call to a v0.3 agent; a resumed subscription says
    /// where it left off, as to a 1.0 agent.
    pub(super) async fn open_v0_3(
        &self,
        call: Call,
        last_event_id: Option<u64>,
    ) -> Result<ClientStream, Error> {
        let method = call.method();
        let credential = self.credential(method).await?;
        let credential = credential.as_ref();
        let mut client = self.client_v0_3();
        let opening = match call {
            Call::SendStreamingMessage(r) => {
                let request = self.request(method, wire::SendMessageRequest::from(r), false, credential)?;
                Box::pin(async move { client.send_streaming_message(request).await })
                    as BoxFuture<
                        '_,
                        Result<tonic::Response<tonic::Streaming<wire::StreamResponse>>, tonic::Status>,
                    >
            }
            Call::SubscribeToTask(r) => {
                let mut request =
                    self.request(method, wire::TaskSubscriptionRequest::from(r), false, credential)?;
                if let Some(last) = last_event_id {
                    let value = tonic::metadata::MetadataValue::try_from(last.to_string().as_str())
                        .expect("decimal digits are valid metadata");
                    request.metadata_mut().insert(super::LAST_EVENT_ID, value);
                }
                Box::pin(async move { client.task_subscription(request).await })
            }
            _ => return Err(Error::invalid_params("a unary call is not a stream")),
        };
        self.watch(opening).await
    }
}
