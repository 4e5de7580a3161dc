//! The gRPC binding: `lf.a2a.v1.A2AService` over a tonic channel.
//!
//! Interceptors run on a stand-in HTTP request whose headers then become
//! gRPC metadata, so credentials work the same on every binding (an API key
//! placed in the query has no gRPC equivalent and is dropped; `after` hooks
//! do not run, as there is no HTTP response to show them).
//!
//! Streamed messages carry no event id, so a stream over gRPC cannot say
//! how far it got; a resumed subscription sends `a2a-last-event-id` when the
//! caller knows the id, and the client's automatic resume falls back to a
//! fresh subscription (snapshot first) instead.

use std::time::Duration;

use futures_util::StreamExt as _;
use tonic::metadata::{MetadataKey, MetadataValue};
use tonic::transport::{Channel, Endpoint};

use super::{BoxFuture, Call, ClientStream, HttpCore, Reply, ReplyMessage as _, Transport};
use crate::client::interceptor::OutgoingRequest;
use crate::client::retry::Failure;
use crate::jsonrpc::Method;
use crate::proto::v1::a2a_service_client::A2aServiceClient;
use crate::proto::{error_from_status, v1};
use crate::types;
use crate::{Error, ErrorKind};

/// The metadata key that resumes a subscription (gRPC's `Last-Event-ID`).
const LAST_EVENT_ID: &str = "a2a-last-event-id";

/// Speaks gRPC to one `host:port`.
#[derive(Clone)]
pub struct GrpcTransport {
    /// Where to connect; the channel is made on the first call, inside the
    /// runtime that makes it (a channel needs one, a client need not).
    endpoint: Endpoint,
    channel: std::sync::OnceLock<A2aServiceClient<Channel>>,
    target: reqwest::Url,
    core: HttpCore,
}

impl std::fmt::Debug for GrpcTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcTransport")
            .field("target", &self.target.as_str())
            .finish_non_exhaustive()
    }
}

fn read<P, T>(message: P) -> Result<T, Error>
where
    T: TryFrom<P>,
    T::Error: std::fmt::Display,
{
    T::try_from(message).map_err(|err| {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("the agent's answer does not fit the protocol: {err}"),
        )
    })
}

impl GrpcTransport {
    /// A transport to `url`: `host:port` as cards write it (plaintext), or
    /// with a scheme (`https://` for TLS).
    pub(crate) fn new(url: &str, core: HttpCore) -> Result<Self, Error> {
        let with_scheme = if url.contains("://") {
            url.to_owned()
        } else {
            format!("http://{url}")
        };
        let target = reqwest::Url::parse(&with_scheme)
            .map_err(|err| Error::invalid_params(format!("{url:?} is not a gRPC address: {err}")))?;
        let mut endpoint = Endpoint::from_shared(with_scheme)
            .map_err(|err| Error::invalid_params(format!("{url:?} is not a gRPC address: {err}")))?
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            // A peer that vanished without closing is noticed: TCP and
            // HTTP/2 pings, also while a stream waits for its next event.
            .tcp_keepalive(Some(Duration::from_secs(30)))
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_timeout(Duration::from_secs(20))
            .keep_alive_while_idle(true);
        // A bare `host:port` is plaintext HTTP/2, as cards write local agents;
        // `https://` gets TLS: the Mozilla roots, or the factory's TLS settings.
        if target.scheme() == "https" {
            let tls = match &core.tls {
                Some(tls) => tls.grpc(),
                None => tonic::transport::ClientTlsConfig::new().with_webpki_roots(),
            };
            endpoint = endpoint.tls_config(tls).map_err(|err| {
                Error::invalid_params(format!("TLS for {url:?} could not be set up: {err}"))
            })?;
        }
        Ok(Self {
            endpoint,
            channel: std::sync::OnceLock::new(),
            target,
            core,
        })
    }

    /// The service client, connecting lazily on the current runtime the first time.
    fn client(&self) -> A2aServiceClient<Channel> {
        self.channel
            .get_or_init(|| {
                A2aServiceClient::new(self.endpoint.connect_lazy())
                    .max_decoding_message_size(self.core.max_event_size)
                    .max_encoding_message_size(self.core.max_event_size)
            })
            .clone()
    }

    /// A request with the protocol metadata and whatever the interceptors add.
    fn request<T>(&self, method: Method, message: T, unary: bool) -> Result<tonic::Request<T>, Error> {
        let mut request = tonic::Request::new(message);
        if unary {
            if let Some(timeout) = self.core.unary_timeout(method) {
                request.set_timeout(timeout);
            }
        }
        let metadata = request.metadata_mut();
        let version = MetadataValue::try_from(self.core.version.as_bytes())
            .unwrap_or_else(|_| MetadataValue::from_static(crate::PROTOCOL_VERSION));
        metadata.insert("a2a-version", version);
        if !self.core.extensions.is_empty() {
            let value = self.core.extensions.join(", ");
            let value = MetadataValue::try_from(value.as_str())
                .map_err(|_| Error::invalid_params("an extension URI is not valid gRPC metadata"))?;
            metadata.insert("a2a-extensions", value);
        }
        if !self.core.interceptors.is_empty() {
            let mut stand_in = reqwest::Request::new(reqwest::Method::POST, self.target.clone());
            for interceptor in &self.core.interceptors {
                interceptor.before(&mut OutgoingRequest {
                    method,
                    request: &mut stand_in,
                })?;
            }
            for (name, value) in stand_in.headers() {
                let key = MetadataKey::from_bytes(name.as_str().as_bytes())
                    .map_err(|_| Error::invalid_params(format!("{name} cannot be gRPC metadata")))?;
                let value = MetadataValue::try_from(value.as_bytes()).map_err(|_| {
                    Error::invalid_params(format!("the value of {name} cannot be gRPC metadata"))
                })?;
                metadata.insert(key, value);
            }
        }
        Ok(request)
    }

    /// Opens a streaming call; a resumed subscription says where it left off.
    async fn open(&self, call: Call, last_event_id: Option<u64>) -> Result<ClientStream, Error> {
        let method = call.method();
        let mut client = self.client();
        let opening = match call {
            Call::SendStreamingMessage(r) => {
                let request = self.request(method, v1::SendMessageRequest::from(r), false)?;
                Box::pin(async move { client.send_streaming_message(request).await })
                    as BoxFuture<
                        '_,
                        Result<tonic::Response<tonic::Streaming<v1::StreamResponse>>, tonic::Status>,
                    >
            }
            Call::SubscribeToTask(r) => {
                let mut request = self.request(method, v1::SubscribeToTaskRequest::from(r), false)?;
                if let Some(last) = last_event_id {
                    let value = MetadataValue::try_from(last.to_string().as_str())
                        .expect("decimal digits are valid metadata");
                    request.metadata_mut().insert(LAST_EVENT_ID, value);
                }
                Box::pin(async move { client.subscribe_to_task(request).await })
            }
            _ => return Err(Error::invalid_params("a unary call is not a stream")),
        };
        // The stream's head is bounded by the call timeout; its events are not.
        let response = match self.core.call_timeout {
            Some(limit) => tokio::time::timeout(limit, opening).await.map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    format!("the agent did not open the stream within {limit:?}"),
                )
            })?,
            None => opening.await,
        };
        let stream = response
            .map_err(|status| error_from_status(&status))?
            .into_inner();
        Ok(ClientStream::new(stream.map(|item| match item {
            Ok(event) => read::<_, types::StreamResponse>(event),
            Err(status) => Err(error_from_status(&status)),
        })))
    }
}

/// Generates `GrpcTransport::call_once` from the operation table
/// (`crate::operations`): every unary operation is the rpc of its name.
macro_rules! call_once {
    ($(
        $(#[doc = $doc:literal])*
        $Name:ident = $wire:literal,
        $fn:ident($Request:ident) -> $kind:ident $Response:ident, idempotent: $idempotent:literal;
    )*) => {
        impl GrpcTransport {
            /// One attempt at a unary call.
            async fn call_once(&self, call: Call) -> Result<Reply, Attempt> {
                let method = call.method();
                let mut client = self.client();
                match call {
                    $(Call::$Name(request) => {
                        unary_rpc!($kind self, client, method, request, $fn($Request) -> $Response)
                    })*
                }
            }
        }
    };
}

/// One arm of `call_once`: a unary rpc, or a refusal for a stream.
macro_rules! unary_rpc {
    (unary $transport:ident, $client:ident, $method:ident, $request:ident, $fn:ident($Request:ident) -> $Response:ident) => {{
        let message: v1::$Request = $request.into();
        let request = $transport
            .request($method, message, true)
            .map_err(Attempt::Local)?;
        let answer = $client.$fn(request).await?.into_inner();
        let answer: types::$Response = read(answer).map_err(Attempt::Local)?;
        Ok(answer.into_reply())
    }};
    (stream $transport:ident, $client:ident, $method:ident, $request:ident, $($signature:tt)*) => {{
        let _ = $request;
        Err(Attempt::Local(Error::invalid_params(
            "a streaming call is not unary",
        )))
    }};
}

crate::operations::for_each_operation!(call_once);

/// Why an attempt failed: the agent's status, or something on this side
/// (an interceptor's refusal, an answer that does not fit the protocol),
/// which keeps its own error kind.
enum Attempt {
    Status(tonic::Status),
    Local(Error),
}

impl From<tonic::Status> for Attempt {
    fn from(status: tonic::Status) -> Self {
        Attempt::Status(status)
    }
}

/// How a failed attempt counts for the retry policy. `UNAVAILABLE` is a
/// connection that never carried the call only when the channel could not
/// connect; otherwise the agent may have acted on it (a reset mid-call, a
/// server going away), so it counts as a 503: repeated for idempotent calls
/// only. `RESOURCE_EXHAUSTED` is the agent saying "later" (a 429), except a
/// message over a size limit, which no retry fixes.
fn failure(status: &tonic::Status) -> Option<Failure> {
    match status.code() {
        tonic::Code::Unavailable if never_connected(status) => Some(Failure::Connect),
        tonic::Code::Unavailable => Some(Failure::Status(503)),
        tonic::Code::DeadlineExceeded => Some(Failure::Timeout),
        tonic::Code::ResourceExhausted if over_size_limit(status) => None,
        tonic::Code::ResourceExhausted => Some(Failure::Status(429)),
        _ => None,
    }
}

/// Whether a status is the channel failing to connect (refused, no route,
/// a name that does not resolve), so the call was never sent.
fn never_connected(status: &tonic::Status) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(status);
    while let Some(err) = cause {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionRefused | AddrNotAvailable | HostUnreachable | NetworkUnreachable
            ) {
                return true;
            }
        }
        let text = err.to_string();
        if text.contains("tcp connect error") || text.contains("dns error") {
            return true;
        }
        cause = err.source();
    }
    status.message().contains("tcp connect error")
}

/// Whether a `RESOURCE_EXHAUSTED` is a message size limit (ours or the agent's).
fn over_size_limit(status: &tonic::Status) -> bool {
    let message = status.message().to_ascii_lowercase();
    message.contains("message length too large")
        || message.contains("too large")
        || message.contains("size limit")
}

impl Transport for GrpcTransport {
    fn call(&self, call: Call) -> BoxFuture<'_, Result<Reply, Error>> {
        Box::pin(async move {
            let method = call.method();
            let mut attempt = 1;
            loop {
                match self.call_once(call.clone()).await {
                    Ok(reply) => return Ok(reply),
                    Err(Attempt::Local(err)) => return Err(err),
                    Err(Attempt::Status(status)) => {
                        let retry = failure(&status)
                            .is_some_and(|f| self.core.retry.should_retry(method, f, attempt));
                        if !retry {
                            return Err(error_from_status(&status));
                        }
                        tokio::time::sleep(self.core.retry.delay(attempt, None)).await;
                        attempt += 1;
                    }
                }
            }
        })
    }

    fn stream(&self, call: Call) -> BoxFuture<'_, Result<ClientStream, Error>> {
        Box::pin(self.open(call, None))
    }

    fn subscribe_from(
        &self,
        request: types::SubscribeToTaskRequest,
        last_event_id: u64,
    ) -> BoxFuture<'_, Result<ClientStream, Error>> {
        Box::pin(self.open(Call::SubscribeToTask(request), Some(last_event_id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_a_call_that_never_left_is_a_connect_failure() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let transport =
            GrpcTransport::new(&closed.to_string(), HttpCore::new(reqwest::Client::new())).unwrap();
        let refused = transport
            .client()
            .get_task(tonic::Request::new(v1::GetTaskRequest::default()))
            .await
            .unwrap_err();
        assert_eq!(failure(&refused), Some(Failure::Connect), "{refused:?}");
        let going_away = tonic::Status::unavailable("the agent is going away");
        assert_eq!(failure(&going_away), Some(Failure::Status(503)));
        let busy = tonic::Status::resource_exhausted("try later");
        assert_eq!(failure(&busy), Some(Failure::Status(429)));
        let too_big = tonic::Status::resource_exhausted(
            "grpc: received message larger than max (decoded message length too large)",
        );
        assert_eq!(failure(&too_big), None);
    }

    #[tokio::test]
    async fn addresses_are_read_with_or_without_a_scheme() {
        let core = HttpCore::new(reqwest::Client::new());
        assert!(GrpcTransport::new("127.0.0.1:50051", core.clone()).is_ok());
        assert!(GrpcTransport::new("http://127.0.0.1:50051", core.clone()).is_ok());
        assert!(GrpcTransport::new("https://agent.example.com:443", core.clone()).is_ok());
        let err = GrpcTransport::new("no spaces allowed:1 2", core).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParams);
    }
}
