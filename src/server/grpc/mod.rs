//! The gRPC binding: `lf.a2a.v1.A2AService` as a tonic service over the same
//! [`RequestHandler`] as the HTTP bindings. It only translates: proto
//! messages to and from [`crate::types`], metadata to a [`CallContext`],
//! errors to `google.rpc.Status`.
//!
//! When the handler serves v0.3, the router also serves v0.3's service,
//! `a2a.v1.A2AService` ([`GrpcServiceV0_3`]), beside 1.0's: the two live
//! under different paths, so one listener serves both.
//!
//! Serve it on its own port, or in the same Axum app as JSON-RPC and
//! HTTP+JSON (one listener; gRPC over HTTP/2 cleartext):
//!
//! ```no_run
//! # async fn run(handler: a2akit::server::RequestHandler) -> Result<(), Box<dyn std::error::Error>> {
//! use a2akit::server::{self, grpc::GrpcService};
//!
//! // One listener for all three bindings: `http::router` includes gRPC with this feature.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! tokio::spawn(server::serve(listener, server::http::router(handler.clone())));
//!
//! // Or gRPC alone, on a port of its own, with tonic's server.
//! tonic::transport::Server::builder()
//!     .add_service(GrpcService::new(handler).into_server())
//!     .serve("127.0.0.1:8081".parse()?)
//!     .await?;
//! # Ok(())
//! # }
//! ```

mod v0_3;
pub use v0_3::GrpcServiceV0_3;

use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt as _};
use tonic::{Request, Response, Status};

use super::EventStream;
use super::call::{CallContext, Caller};
use super::handler::RequestHandler;
use crate::Error;
use crate::proto::status_from_error;
use crate::proto::v1;
use crate::proto::v1::a2a_service_server::{A2aService, A2aServiceServer};
use crate::types;

/// The tonic service of one [`RequestHandler`].
#[derive(Clone, Debug)]
pub struct GrpcService {
    handler: RequestHandler,
}

/// A stream of gRPC `StreamResponse`s.
pub type GrpcEventStream = Pin<Box<dyn Stream<Item = Result<v1::StreamResponse, Status>> + Send>>;

impl GrpcService {
    /// The service for `handler`.
    pub fn new(handler: RequestHandler) -> Self {
        Self { handler }
    }

    /// The tonic server, to add to a `tonic::transport::Server`.
    pub fn into_server(self) -> A2aServiceServer<Self> {
        A2aServiceServer::new(self)
    }

    /// The service as an Axum router (routes under `/lf.a2a.v1.A2AService/`,
    /// and, when the handler serves v0.3, `/a2a.v1.A2AService/`), to merge
    /// with the HTTP bindings so that one listener serves all three. It
    /// routes only its own paths: every other path keeps the app's answers.
    pub fn into_router(self) -> axum::Router {
        use tonic::server::NamedService as _;
        let path = format!("/{}/{{*method}}", A2aServiceServer::<Self>::NAME);
        let router = axum::Router::new();
        let router = if self.handler.serves_v0_3() {
            GrpcServiceV0_3::new(self.handler.clone()).route(router)
        } else {
            router
        };
        router.route_service(&path, self.into_server())
    }

    /// The version check and the call context, from the request's metadata.
    fn call<T>(&self, request: &Request<T>, tenant: &str) -> Result<CallContext, Status> {
        let version = request
            .metadata()
            .get("a2a-version")
            .map(|v| v.to_str().unwrap_or("?").to_owned());
        self.handler
            .check_version(version.as_deref())
            .map_err(|err| status_from_error(&err))?;
        Ok(call_context(request, tenant))
    }
}

/// The call context of a request, from its metadata: tenant, caller,
/// requested extensions (`a2a-extensions`, or v0.3's `x-a2a-extensions`),
/// address and trace context.
fn call_context<T>(request: &Request<T>, tenant: &str) -> CallContext {
    {
        let metadata = request.metadata();
        let values = metadata
            .get_all("a2a-extensions")
            .iter()
            .chain(metadata.get_all("x-a2a-extensions").iter())
            .filter_map(|value| value.to_str().ok());
        let extensions = CallContext::parse_extensions(values);
        let text = |name: &str| {
            metadata
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        CallContext {
            tenant: tenant.to_owned(),
            caller: request.extensions().get::<Caller>().cloned(),
            extensions,
            remote: crate::server::http::remote_address(request.extensions()),
            binding: crate::types::binding::GRPC,
            traceparent: text("traceparent"),
            tracestate: text("tracestate"),
        }
    }
}

fn status(error: Error) -> Status {
    status_from_error(&error)
}

/// Reads a proto request as the protocol's request message.
fn decode<P, T>(message: P) -> Result<T, Status>
where
    T: TryFrom<P, Error = Error>,
{
    T::try_from(message).map_err(status)
}

/// The request metadata key that resumes `SubscribeToTask` after an event:
/// the gRPC twin of SSE's `Last-Event-ID`, holding an event's sequence number.
pub const LAST_EVENT_ID: &str = "a2a-last-event-id";

/// Answers a streaming operation: an error before it starts is the call's
/// status; events go out as proto messages.
fn streaming(stream: Result<EventStream, Error>) -> Result<Response<GrpcEventStream>, Status> {
    let events = stream.map_err(status)?.map(|item| match item {
        Ok(event) => Ok(v1::StreamResponse::from(Arc::unwrap_or_clone(event.event))),
        Err(err) => Err(status(err)),
    });
    Ok(Response::new(Box::pin(events)))
}

/// The proto messages, by the names the operation table uses
/// (`google.protobuf.Empty` is `()` in the generated code).
mod wire {
    pub(super) use crate::proto::v1::*;
    pub(super) type Empty = ();
}

/// Generates the `A2aService` impl from the operation table
/// (`crate::operations`): a unary rpc reads its tenant and metadata, decodes
/// its request, calls the handler and encodes the result; a stream is the
/// function of its name below, written by hand.
macro_rules! service {
    ($(
        $(#[doc = $doc:literal])*
        $Name:ident = $wire:literal,
        $fn:ident($Request:ident) -> $kind:ident $Response:ident, idempotent: $idempotent:literal;
    )*) => {
        #[tonic::async_trait]
        impl A2aService for GrpcService {
            // The streams' types, which tonic names after their rpcs.
            type SendStreamingMessageStream = GrpcEventStream;
            type SubscribeToTaskStream = GrpcEventStream;

            $(
                async fn $fn(
                    &self,
                    request: Request<wire::$Request>,
                ) -> Result<Response<answer!($kind $Response)>, Status> {
                    rpc!($kind self, request, $fn($Request))
                }
            )*
        }
    };
}

/// What an rpc answers with.
macro_rules! answer {
    (unary $Response:ident) => {
        wire::$Response
    };
    (stream $Response:ident) => {
        GrpcEventStream
    };
}

/// The body of an rpc.
macro_rules! rpc {
    (unary $service:ident, $request:ident, $fn:ident($Request:ident)) => {{
        let call = $service.call(&$request, &$request.get_ref().tenant)?;
        let message: types::$Request = decode($request.into_inner())?;
        let answer = $service.handler.$fn(&call, message).await.map_err(status)?;
        Ok(Response::new(answer.into()))
    }};
    (stream $service:ident, $request:ident, $fn:ident($Request:ident)) => {
        $fn($service, $request).await
    };
}

crate::operations::for_each_operation!(service);

/// `SendStreamingMessage`.
async fn send_streaming_message(
    service: &GrpcService,
    request: Request<v1::SendMessageRequest>,
) -> Result<Response<GrpcEventStream>, Status> {
    let call = service.call(&request, &request.get_ref().tenant)?;
    let message: types::SendMessageRequest = decode(request.into_inner())?;
    streaming(service.handler.send_streaming_message(&call, message).await)
}

/// `SubscribeToTask`, resumed after the event named by the
/// [`LAST_EVENT_ID`] metadata if the request has it.
async fn subscribe_to_task(
    service: &GrpcService,
    request: Request<v1::SubscribeToTaskRequest>,
) -> Result<Response<GrpcEventStream>, Status> {
    let call = service.call(&request, &request.get_ref().tenant)?;
    let resume = request
        .metadata()
        .get(LAST_EVENT_ID)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok());
    let message: types::SubscribeToTaskRequest = decode(request.into_inner())?;
    match resume {
        Some(last_seen) => streaming(service.handler.resume_task(&call, message, last_seen).await),
        None => streaming(service.handler.subscribe_to_task(&call, message).await),
    }
}
