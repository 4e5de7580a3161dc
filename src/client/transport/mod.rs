//! Transports: how each binding puts a call on the wire. They only
//! translate; retries, timeouts, interceptors and headers common to every
//! binding live in one shared core beside them.

mod jsonrpc;
mod rest;
mod v0_3;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;

#[cfg(feature = "grpc")]
mod grpc;

#[cfg(feature = "grpc")]
pub use grpc::GrpcTransport;
pub use jsonrpc::JsonRpcTransport;
pub(crate) use jsonrpc::read_reply;
pub use rest::RestTransport;

use super::credentials::CredentialBinding;
use super::interceptor::{Interceptor, OutgoingRequest};
use super::redact;
use super::retry::{Failure, RetryPolicy, retry_after};
pub use super::stream::{ClientStream, StreamEvent};
use crate::jsonrpc::Method;
use crate::types::{
    AgentCard, Empty, ListTaskPushNotificationConfigsResponse, ListTasksResponse, SendMessageResponse,
    SubscribeToTaskRequest, Task, TaskPushNotificationConfig,
};
use crate::{Error, ErrorKind};

type BoxFuture<'a, T> = Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Generates [`Call`] from the operation table (`crate::operations`).
macro_rules! calls {
    ($(
        $(#[doc = $doc:literal])*
        $Name:ident = $wire:literal,
        $fn:ident($Request:ident) -> $kind:ident $Response:ident, idempotent: $idempotent:literal;
    )*) => {
        /// One call of one of the eleven operations, with its request message.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Call {
            $(
                #[doc = concat!("`", $wire, "`.")]
                $Name(crate::types::$Request),
            )*
        }

        impl Call {
            /// The operation.
            pub fn method(&self) -> Method {
                match self {
                    $(Call::$Name(_) => Method::$Name,)*
                }
            }

            /// The request's tenant field.
            pub(crate) fn tenant(&self) -> &str {
                match self {
                    $(Call::$Name(request) => &request.tenant,)*
                }
            }

            /// The request's tenant field, to fill in.
            pub(crate) fn tenant_mut(&mut self) -> &mut String {
                match self {
                    $(Call::$Name(request) => &mut request.tenant,)*
                }
            }

            /// The request message, to encode as JSON.
            pub(crate) fn message(&self) -> impl serde::Serialize + '_ {
                CallMessage(self)
            }
        }

        /// The request message of a [`Call`], encoded as itself.
        struct CallMessage<'a>(&'a Call);

        impl serde::Serialize for CallMessage<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self.0 {
                    $(Call::$Name(request) => request.serialize(serializer),)*
                }
            }
        }
    };
}

crate::operations::for_each_operation!(calls);

/// The result of a unary call: the JSON of the operation's response
/// message, as the HTTP bindings receive it, or the message itself, as a
/// binding that decodes on its own (gRPC) has it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Reply {
    /// The JSON of the response message.
    Json(Bytes),
    /// A whole JSON-RPC response (an HTTP body the agent answered with
    /// success), to the request with this `id`: its `result` is the
    /// response message, or its `error` the agent's error. The client reads
    /// it in one pass into the message it expects.
    JsonRpc {
        /// The response body.
        body: Bytes,
        /// The id of the request it must answer.
        id: i64,
    },
    /// A `SendMessage` answer.
    SendMessage(SendMessageResponse),
    /// A task (`GetTask`, `CancelTask`).
    Task(Task),
    /// A page of tasks.
    ListTasks(ListTasksResponse),
    /// A push notification config.
    PushConfig(TaskPushNotificationConfig),
    /// A page of push notification configs.
    PushConfigs(ListTaskPushNotificationConfigsResponse),
    /// An agent card.
    AgentCard(AgentCard),
    /// `google.protobuf.Empty`.
    Empty,
}

/// A response message, and the [`Reply`] variant that carries it.
pub(crate) trait ReplyMessage: Sized {
    /// The message, if `reply` carries one of this kind.
    fn from_reply(reply: Reply) -> Option<Self>;

    /// The reply that carries the message, for a binding that decodes on its own.
    #[cfg(feature = "grpc")]
    fn into_reply(self) -> Reply;
}

/// Implements [`ReplyMessage`] for each message, carried by its variant.
macro_rules! reply_messages {
    ($($message:ident => $variant:ident),+ $(,)?) => {
        $(impl ReplyMessage for $message {
            fn from_reply(reply: Reply) -> Option<Self> {
                match reply {
                    Reply::$variant(message) => Some(message),
                    _ => None,
                }
            }

            #[cfg(feature = "grpc")]
            fn into_reply(self) -> Reply {
                Reply::$variant(self)
            }
        })+
    };
}

reply_messages!(
    SendMessageResponse => SendMessage,
    Task => Task,
    ListTasksResponse => ListTasks,
    TaskPushNotificationConfig => PushConfig,
    ListTaskPushNotificationConfigsResponse => PushConfigs,
    AgentCard => AgentCard,
);

impl ReplyMessage for Empty {
    fn from_reply(reply: Reply) -> Option<Self> {
        matches!(reply, Reply::Empty).then_some(Empty {})
    }

    #[cfg(feature = "grpc")]
    fn into_reply(self) -> Reply {
        Reply::Empty
    }
}

/// A binding: sends a [`Call`] and returns its result, or opens its stream.
pub trait Transport: Send + Sync + 'static {
    /// A unary call.
    fn call(&self, call: Call) -> BoxFuture<'_, Result<Reply, Error>>;

    /// A streaming call (`SendStreamingMessage`, `SubscribeToTask`): the
    /// events as they arrive, with their ids where the wire has them.
    fn stream(&self, call: Call) -> BoxFuture<'_, Result<ClientStream, Error>>;

    /// `SubscribeToTask` resumed after event `last_event_id`: the agent
    /// sends every event after it, then live ones (or, if it no longer
    /// holds them, a task snapshot first). The HTTP bindings send the
    /// `Last-Event-ID` header, gRPC the `a2a-last-event-id` metadata key.
    ///
    /// The default answers `UnsupportedOperation`, so a transport that
    /// cannot resume makes a broken stream end in an error rather than
    /// silently resubscribe with a gap.
    fn subscribe_from(
        &self,
        request: SubscribeToTaskRequest,
        last_event_id: u64,
    ) -> BoxFuture<'_, Result<ClientStream, Error>> {
        let _ = (request, last_event_id);
        Box::pin(async {
            Err(Error::unsupported_operation(
                "this transport cannot resume a stream",
            ))
        })
    }
}

/// The HTTP header that resumes a subscription (as EventSource sends it).
pub(crate) const LAST_EVENT_ID: &str = "last-event-id";

/// What every HTTP binding shares: the HTTP client, interceptors, retries,
/// timeouts, the version and extension headers, the stream event cap.
#[derive(Clone)]
pub(crate) struct HttpCore {
    pub(crate) http: reqwest::Client,
    pub(crate) interceptors: Vec<Arc<dyn Interceptor>>,
    pub(crate) retry: RetryPolicy,
    pub(crate) call_timeout: Option<Duration>,
    /// Bounds a `SendMessage` call, which by default waits for its task.
    pub(crate) send_timeout: Option<Duration>,
    /// How long a stream may stay silent (not a byte, keep-alive comments
    /// included) before it is given up.
    pub(crate) stream_idle: Option<Duration>,
    pub(crate) extensions: Vec<String>,
    pub(crate) max_event_size: usize,
    /// The `A2A-Version` sent: the one the chosen interface declares (1.x),
    /// or 0.3 to a v0.3 interface.
    pub(crate) version: reqwest::header::HeaderValue,
    /// Whether the interface speaks v0.3: its method names, shapes and
    /// header names.
    pub(crate) v0_3: bool,
    /// The TLS settings the HTTP client was built with, for gRPC channels.
    pub(crate) tls: Option<crate::client::ClientTls>,
    /// Dial bare `host:port` gRPC interfaces in plaintext even when the
    /// host is not loopback (see the gRPC transport's rule).
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))]
    pub(crate) grpc_plaintext: bool,
    /// The client's credential provider, bound to its origins, asked for
    /// each request (each attempt, each resumed stream).
    pub(crate) credentials: Option<Arc<CredentialBinding>>,
    /// How many times a stream may be resumed in all.
    pub(crate) max_resumes: u32,
    next_id: Arc<AtomicU64>,
}

/// The per-request timeout of a stream: far enough never to end one. It
/// replaces the total timeout a caller's own `reqwest::Client` may carry,
/// which would otherwise cut every stream at that age; a stream is bounded
/// by its idle timeout instead.
const STREAM_LIFETIME: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// What every client does before the caller's interceptors: with the
/// `telemetry` feature, send the current trace context.
fn default_interceptors() -> Vec<Arc<dyn Interceptor>> {
    #[cfg(feature = "telemetry")]
    {
        vec![Arc::new(crate::client::interceptor::TraceContext)]
    }
    #[cfg(not(feature = "telemetry"))]
    {
        Vec::new()
    }
}

impl HttpCore {
    pub(crate) fn new(http: reqwest::Client) -> Self {
        Self {
            http,
            interceptors: default_interceptors(),
            retry: RetryPolicy::default(),
            call_timeout: Some(Duration::from_secs(60)),
            send_timeout: None,
            stream_idle: Some(Duration::from_secs(60)),
            extensions: Vec::new(),
            max_event_size: 16 << 20,
            version: reqwest::header::HeaderValue::from_static(crate::PROTOCOL_VERSION),
            v0_3: false,
            tls: None,
            grpc_plaintext: false,
            credentials: None,
            max_resumes: super::resume::MAX_RESUMES,
            next_id: Arc::new(AtomicU64::new(1)),
        }
    }

    /// The bound of one attempt at a unary call: a blocking `SendMessage`
    /// waits for its task, as the protocol says, unless told otherwise.
    pub(crate) fn unary_timeout(&self, method: Method) -> Option<Duration> {
        match method {
            Method::SendMessage => self.send_timeout,
            _ => self.call_timeout,
        }
    }

    /// This core, speaking the version `declared` by an interface when it
    /// is a 1.x version, or v0.3 when it is a 0.3 one (anything else, or
    /// none, is sent as 1.0).
    pub(crate) fn for_version(&self, declared: &str) -> Self {
        let mut core = self.clone();
        let declared = declared.trim();
        if crate::v0_3::is_v0_3(declared) {
            core.version = reqwest::header::HeaderValue::from_static(v0_3::VERSION);
            core.v0_3 = true;
            return core;
        }
        let is_v1 =
            declared.starts_with("1.") && declared[2..].chars().all(|c| c.is_ascii_digit() || c == '.');
        if is_v1 {
            if let Ok(value) = reqwest::header::HeaderValue::from_str(declared) {
                core.version = value;
            }
        }
        core
    }

    /// A fresh JSON-RPC request id.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends the request `build` makes, with the protocol headers, the
    /// credential (where it is bound to the request's origin) and through
    /// the interceptors, retrying as the policy allows. Streams get no total
    /// timeout (only the connection and the first response are bounded),
    /// not even one the HTTP client was built with.
    pub(crate) async fn send(
        &self,
        method: Method,
        streaming: bool,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, Error> {
        let mut attempt = 1;
        loop {
            let mut builder = build(&self.http).header(
                reqwest::header::HeaderName::from_static("a2a-version"),
                self.version.clone(),
            );
            if !self.extensions.is_empty() {
                builder = builder.header("A2A-Extensions", self.extensions.join(", "));
                if self.v0_3 {
                    // The header's name before 1.0.
                    builder = builder.header("X-A2A-Extensions", self.extensions.join(", "));
                }
            }
            if streaming {
                builder = builder
                    .header(reqwest::header::ACCEPT, "text/event-stream")
                    .timeout(STREAM_LIFETIME);
            } else if let Some(timeout) = self.unary_timeout(method) {
                builder = builder.timeout(timeout);
            }
            let mut request = builder.build().map_err(|err| {
                Error::invalid_params("the request could not be built").with_source(err.without_url())
            })?;
            // Shown in messages: where the call went, before any interceptor
            // could add a credential to it, and without query or userinfo
            // (redacted only when a message needs it).
            let target = request.url().clone();
            let shown = || redact::url(target.as_str());
            // The credential asked for this very request, put on it before
            // the caller's interceptors see it.
            if let Some(credentials) = &self.credentials {
                if let Some(credential) = credentials.prepare(method, request.url()).await? {
                    credential.apply(&mut request)?;
                }
            }
            for interceptor in &self.interceptors {
                interceptor.before(&mut OutgoingRequest {
                    method,
                    request: &mut request,
                })?;
            }
            // A stream's head is bounded by the call timeout; its body is not.
            let sent = match (streaming, self.call_timeout) {
                (true, Some(limit)) => match tokio::time::timeout(limit, self.http.execute(request)).await {
                    Ok(sent) => sent.map_err(Some),
                    Err(_) => Err(None),
                },
                _ => self.http.execute(request).await.map_err(Some),
            };
            let (failure, retry_after, outcome) = match sent {
                Ok(response) => {
                    for interceptor in self.interceptors.iter().rev() {
                        interceptor.after(method, &response);
                    }
                    let status = response.status().as_u16();
                    let wait = retry_after(response.headers());
                    (Failure::Status(status), wait, Ok(response))
                }
                Err(None) => {
                    let err = Error::new(
                        ErrorKind::Timeout,
                        format!("waiting for {} failed: no response in time", shown()),
                    );
                    (Failure::Timeout, None, Err(err))
                }
                Err(Some(err)) if err.is_connect() => {
                    (Failure::Connect, None, Err(transport_error(&shown(), err)))
                }
                Err(Some(err)) if err.is_timeout() => {
                    (Failure::Timeout, None, Err(transport_error(&shown(), err)))
                }
                Err(Some(err)) => return Err(transport_error(&shown(), err)),
            };
            let retryable = match &outcome {
                Ok(response) if response.status().is_success() => false,
                _ => self.retry.should_retry(method, failure, attempt),
            };
            if !retryable {
                return outcome;
            }
            tokio::time::sleep(self.retry.delay(attempt, retry_after)).await;
            attempt += 1;
        }
    }
}

/// Describes a transport failure: what, where (`url`, already redacted),
/// keeping reqwest's error, without its URL, as the source.
pub(crate) fn transport_error(url: &str, err: reqwest::Error) -> Error {
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else if err.is_connect() {
        ErrorKind::Connect
    } else {
        ErrorKind::UnexpectedStatus
    };
    let err = err.without_url();
    // The innermost cause says what happened ("Connection refused").
    let mut cause = None;
    let mut source = std::error::Error::source(&err);
    while let Some(inner) = source {
        cause = Some(inner.to_string());
        source = inner.source();
    }
    let cause = cause.unwrap_or_else(|| err.to_string());
    Error::new(kind, format!("{} {url} failed: {cause}", kind_word(kind))).with_source(err)
}

/// The `WWW-Authenticate` challenges of a response, joined as one value.
pub(crate) fn challenge(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// The error of a response whose status carries no protocol error body: a
/// bare 401 or 403 is the agent refusing the caller, anything else an
/// unexpected status. `what` says which request it answered.
pub(crate) fn status_error(status: reqwest::StatusCode, what: &str, body: &[u8]) -> Error {
    let kind = match status.as_u16() {
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        _ => ErrorKind::UnexpectedStatus,
    };
    let shown = excerpt(body);
    let message = match shown.trim() {
        "" => format!("{what} answered HTTP {status}"),
        text => format!("{what} answered HTTP {status}: {text}"),
    };
    Error::new(kind, message)
}

/// `error` with the challenge of the response it came from, if any.
pub(crate) fn with_challenge(error: Error, challenge: Option<String>) -> Error {
    match challenge {
        Some(challenge) if error.www_authenticate().is_none() => error.with_www_authenticate(challenge),
        _ => error,
    }
}

fn kind_word(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Timeout => "waiting for",
        ErrorKind::Connect => "connecting to",
        _ => "calling",
    }
}

/// Reads a body up to `limit` bytes.
pub(crate) async fn read_body(response: reqwest::Response, limit: usize) -> Result<Bytes, Error> {
    let too_large = || {
        Error::new(
            ErrorKind::InvalidResponse,
            format!("the response exceeds {limit} bytes"),
        )
    };
    let target = response.url().clone();
    let failed = |err| transport_error(&redact::url(target.as_str()), err);
    match response.content_length() {
        Some(len) if len > limit as u64 => Err(too_large()),
        // A declared length within the limit: read it in one go.
        Some(_) => response.bytes().await.map_err(failed),
        None => {
            let mut body = Vec::new();
            let mut stream = response.bytes_stream();
            while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
                let chunk = chunk.map_err(failed)?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Bytes::from(body))
        }
    }
}

/// Whether a response is an SSE stream.
pub(crate) fn is_event_stream(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/event-stream")
        })
}

/// A short, printable excerpt of a body for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    text.chars().filter(|c| !c.is_control()).collect()
}
