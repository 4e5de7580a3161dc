//! v0.3's gRPC service, `a2a.v1.A2AService`, over the same handler as 1.0's:
//! its messages ([`crate::proto::v0_3`]) to and from [`crate::types`], its
//! metadata to a [`CallContext`], errors to statuses as v0.3 servers sent
//! them.
//!
//! A call's `a2a-version` must be absent, empty or a 0.3 one (v0.3 clients
//! send none). Errors take v0.3's status codes (a task that cannot be
//! canceled, an unsupported operation: `UNIMPLEMENTED`…) and its message
//! form, `TaskNotFoundError: …`, which v0.3 clients read; the
//! `google.rpc.ErrorInfo` of 1.0 rides along in the details, so that a
//! client of this crate knows the exact kind. `GetAgentCard` answers the
//! extended card to a caller entitled to it, else the public card, as v0.3
//! servers answered with their card.

use std::sync::Arc;

use futures_util::StreamExt as _;
use tonic::{Request, Response, Status};

use super::call_context;
use crate::proto::status_from_error;
use crate::proto::v0_3 as wire;
use crate::proto::v0_3::a2a_service_server::{A2aService, A2aServiceServer};
use crate::server::EventStream;
use crate::server::call::CallContext;
use crate::server::handler::RequestHandler;
use crate::types;
use crate::{Error, ErrorKind};

/// The tonic service of v0.3 (`a2a.v1.A2AService`) for one [`RequestHandler`].
///
/// [`GrpcService::into_router`](super::GrpcService::into_router) serves it
/// beside 1.0's when the handler serves v0.3; on tonic's own server, add
/// [`into_server`](Self::into_server) next to 1.0's.
#[derive(Clone, Debug)]
pub struct GrpcServiceV0_3 {
    handler: RequestHandler,
}

/// A stream of v0.3 gRPC `StreamResponse`s.
type V03EventStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<wire::StreamResponse, Status>> + Send>>;

impl GrpcServiceV0_3 {
    /// The service for `handler`.
    pub fn new(handler: RequestHandler) -> Self {
        Self { handler }
    }

    /// The tonic server, to add to a `tonic::transport::Server`.
    pub fn into_server(self) -> A2aServiceServer<Self> {
        A2aServiceServer::new(self)
    }

    /// Adds the service's routes (under `/a2a.v1.A2AService/`) to `router`.
    pub(super) fn route(self, router: axum::Router) -> axum::Router {
        use tonic::server::NamedService as _;
        let path = format!("/{}/{{*method}}", A2aServiceServer::<Self>::NAME);
        router.route_service(&path, self.into_server())
    }

    /// The version check and the call context.
    fn call<T>(&self, request: &Request<T>) -> Result<CallContext, Status> {
        if let Some(version) = request.metadata().get("a2a-version") {
            let version = version.to_str().unwrap_or("?").trim();
            if !version.is_empty() && !crate::v0_3::is_v0_3(version) {
                return Err(status(Error::version_not_supported(version)));
            }
        }
        Ok(call_context(request, ""))
    }
}

/// The status a v0.3 server sent for `error`: v0.3's code and message form,
/// with 1.0's details (see the module docs).
fn status(error: Error) -> Status {
    let v1 = status_from_error(&error);
    let (code, name) = match error.kind() {
        ErrorKind::ParseError => (tonic::Code::Internal, "JSONParseError"),
        ErrorKind::InvalidRequest => (tonic::Code::InvalidArgument, "InvalidRequestError"),
        ErrorKind::MethodNotFound => (tonic::Code::NotFound, "MethodNotFoundError"),
        ErrorKind::InvalidParams => (tonic::Code::InvalidArgument, "InvalidParamsError"),
        ErrorKind::Internal => (tonic::Code::Internal, "InternalError"),
        ErrorKind::TaskNotFound => (tonic::Code::NotFound, "TaskNotFoundError"),
        ErrorKind::TaskNotCancelable => (tonic::Code::Unimplemented, "TaskNotCancelableError"),
        ErrorKind::PushNotificationNotSupported => {
            (tonic::Code::Unimplemented, "PushNotificationNotSupportedError")
        }
        ErrorKind::UnsupportedOperation => (tonic::Code::Unimplemented, "UnsupportedOperationError"),
        ErrorKind::ContentTypeNotSupported => (tonic::Code::Unimplemented, "ContentTypeNotSupportedError"),
        ErrorKind::InvalidAgentResponse => (tonic::Code::Internal, "InvalidAgentResponseError"),
        ErrorKind::ExtendedAgentCardNotConfigured => {
            (v1.code(), "AuthenticatedExtendedCardNotConfiguredError")
        }
        // What v0.3 had no error for keeps 1.0's status as it is.
        _ => return v1,
    };
    let mut answer = Status::with_details(
        code,
        format!("{name}: {}", error.message()),
        v1.details().to_vec().into(),
    );
    *answer.metadata_mut() = v1.metadata().clone();
    answer
}

/// Reads a v0.3 request as the protocol's request message.
fn decode<P, T>(message: P) -> Result<T, Status>
where
    T: TryFrom<P, Error = Error>,
{
    T::try_from(message).map_err(status)
}

/// Answers a streaming operation with v0.3 events.
fn streaming(stream: Result<EventStream, Error>) -> Result<Response<V03EventStream>, Status> {
    let events = stream.map_err(status)?.map(|item| match item {
        Ok(event) => Ok(wire::StreamResponse::from(Arc::unwrap_or_clone(event.event))),
        Err(err) => Err(status(err)),
    });
    Ok(Response::new(Box::pin(events)))
}

#[tonic::async_trait]
impl A2aService for GrpcServiceV0_3 {
    type SendStreamingMessageStream = V03EventStream;
    type TaskSubscriptionStream = V03EventStream;

    async fn send_message(
        &self,
        request: Request<wire::SendMessageRequest>,
    ) -> Result<Response<wire::SendMessageResponse>, Status> {
        let call = self.call(&request)?;
        let message: types::SendMessageRequest = decode(request.into_inner())?;
        let answer = self.handler.send_message(&call, message).await.map_err(status)?;
        Ok(Response::new(answer.into()))
    }

    async fn send_streaming_message(
        &self,
        request: Request<wire::SendMessageRequest>,
    ) -> Result<Response<Self::SendStreamingMessageStream>, Status> {
        let call = self.call(&request)?;
        let message: types::SendMessageRequest = decode(request.into_inner())?;
        streaming(self.handler.send_streaming_message(&call, message).await)
    }

    async fn get_task(&self, request: Request<wire::GetTaskRequest>) -> Result<Response<wire::Task>, Status> {
        let call = self.call(&request)?;
        let message: types::GetTaskRequest = decode(request.into_inner())?;
        let task = self.handler.get_task(&call, message).await.map_err(status)?;
        Ok(Response::new(task.into()))
    }

    async fn cancel_task(
        &self,
        request: Request<wire::CancelTaskRequest>,
    ) -> Result<Response<wire::Task>, Status> {
        let call = self.call(&request)?;
        let message: types::CancelTaskRequest = decode(request.into_inner())?;
        let task = self.handler.cancel_task(&call, message).await.map_err(status)?;
        Ok(Response::new(task.into()))
    }

    /// v0.3's name for `SubscribeToTask`, resumed after the event named by
    /// the `a2a-last-event-id` metadata if the request has it.
    async fn task_subscription(
        &self,
        request: Request<wire::TaskSubscriptionRequest>,
    ) -> Result<Response<Self::TaskSubscriptionStream>, Status> {
        let call = self.call(&request)?;
        let resume = request
            .metadata()
            .get(super::LAST_EVENT_ID)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse().ok());
        let message: types::SubscribeToTaskRequest = decode(request.into_inner())?;
        match resume {
            Some(last_seen) => streaming(self.handler.resume_task(&call, message, last_seen).await),
            None => streaming(self.handler.subscribe_to_task(&call, message).await),
        }
    }

    /// A config set without an id takes the task's id, as v0.3 servers did.
    async fn create_task_push_notification_config(
        &self,
        request: Request<wire::CreateTaskPushNotificationConfigRequest>,
    ) -> Result<Response<wire::TaskPushNotificationConfig>, Status> {
        let call = self.call(&request)?;
        let mut config: types::TaskPushNotificationConfig = decode(request.into_inner())?;
        if config.id.is_empty() {
            config.id.clone_from(&config.task_id);
        }
        let created = self
            .handler
            .create_task_push_notification_config(&call, config)
            .await
            .map_err(status)?;
        Ok(Response::new(created.into()))
    }

    async fn get_task_push_notification_config(
        &self,
        request: Request<wire::GetTaskPushNotificationConfigRequest>,
    ) -> Result<Response<wire::TaskPushNotificationConfig>, Status> {
        let call = self.call(&request)?;
        let message: types::GetTaskPushNotificationConfigRequest = decode(request.into_inner())?;
        let config = self
            .handler
            .get_task_push_notification_config(&call, message)
            .await
            .map_err(status)?;
        Ok(Response::new(config.into()))
    }

    async fn list_task_push_notification_config(
        &self,
        request: Request<wire::ListTaskPushNotificationConfigRequest>,
    ) -> Result<Response<wire::ListTaskPushNotificationConfigResponse>, Status> {
        let call = self.call(&request)?;
        let message: types::ListTaskPushNotificationConfigsRequest = decode(request.into_inner())?;
        let listed = self
            .handler
            .list_task_push_notification_configs(&call, message)
            .await
            .map_err(status)?;
        Ok(Response::new(listed.into()))
    }

    async fn get_agent_card(
        &self,
        request: Request<wire::GetAgentCardRequest>,
    ) -> Result<Response<wire::AgentCard>, Status> {
        let call = self.call(&request)?;
        let extended = self
            .handler
            .get_extended_agent_card(&call, types::GetExtendedAgentCardRequest::default())
            .await;
        let card = match extended {
            Ok(card) => crate::v0_3::with_interfaces(card),
            Err(_) => (*self.handler.card()).clone(),
        };
        Ok(Response::new(card.into()))
    }

    async fn delete_task_push_notification_config(
        &self,
        request: Request<wire::DeleteTaskPushNotificationConfigRequest>,
    ) -> Result<Response<()>, Status> {
        let call = self.call(&request)?;
        let message: types::DeleteTaskPushNotificationConfigRequest = decode(request.into_inner())?;
        self.handler
            .delete_task_push_notification_config(&call, message)
            .await
            .map_err(status)?;
        Ok(Response::new(()))
    }
}
