//! The gRPC binding: `lf.a2a.v1.A2AService` over a tonic channel.
//!
//! Interceptors run on a stand-in HTTP request whose headers then become
//! gRPC metadata, so credentials work the same on every binding (an API key
//! placed in the query has no gRPC equivalent and is dropped; `after` hooks
//! do not run, as there is no HTTP response to show them). The credential
//! provider is asked for every call, each attempt and each resumed stream
//! included, and what it gives goes with that call only; header values
//! marked sensitive stay so as metadata.
//!
//! Streamed messages carry no event id, so a stream over gRPC cannot say
//! how far it got; a resumed subscription sends `a2a-last-event-id` when the
//! caller knows the id, and the client's automatic resume falls back to a
//! fresh subscription (snapshot first) instead.
//!
//! Which interfaces get TLS: `https://` does and `http://` does not, as
//! written. A bare `host:port`, the way cards write gRPC interfaces, may
//! name any host on the network, so it gets TLS too, unless the host is
//! this machine, where no one else can listen in (loopback: `127.0.0.0/8`,
//! `::1`, `localhost`; or the unspecified `0.0.0.0` / `::`, which a card
//! gets from a server bound to every interface and which reaches this
//! machine too), or the caller asked for plaintext.
//!
//! A stream's head (the agent's response headers) is bounded by the call
//! timeout; its messages by the idle timeout: past it without a message,
//! the stream fails with `Timeout` and the client resumes it. gRPC has no
//! keep-alive messages, so a task that works in silence for longer is
//! resubscribed (a fresh snapshot) each time; the channel's TCP and HTTP/2
//! keep-alive pings find a peer that vanished without closing.
//!
//! To an interface that declares v0.3, the same channel carries v0.3's
//! service instead ([`v0_3`]).

mod v0_3;

use std::time::Duration;

use futures_util::StreamExt as _;
use tonic::metadata::{MetadataKey, MetadataValue};
use tonic::transport::{Channel, Endpoint};

use super::{BoxFuture, Call, ClientStream, HttpCore, Reply, ReplyMessage as _, Transport};
use crate::client::credentials::Credential;
use crate::client::interceptor::OutgoingRequest;
use crate::client::redact;
use crate::client::retry::Failure;
use crate::client::stream::idle_bounded;
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
    channel: std::sync::OnceLock<Channel>,
    target: reqwest::Url,
    core: HttpCore,
}

impl std::fmt::Debug for GrpcTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcTransport")
            .field("target", &redact::url(self.target.as_str()))
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

/// How a gRPC interface is dialled: the URI to connect to, and whether
/// with TLS (see the module's documentation for the rule).
fn dial(url: &str, plaintext: bool) -> Result<(String, bool), Error> {
    let url = url.trim();
    let not_an_address = |why: &dyn std::fmt::Display| {
        Error::invalid_params(format!("{:?} is not a gRPC address: {why}", redact::url(url)))
    };
    let scheme = url
        .split_once("://")
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("https") => return Ok((url.to_owned(), true)),
        Some("http") => return Ok((url.to_owned(), false)),
        Some(other) => {
            return Err(not_an_address(&format!(
                "the scheme {other} is neither http nor https"
            )));
        }
        None => {}
    }
    let parsed = reqwest::Url::parse(&format!("http://{url}")).map_err(|err| not_an_address(&err))?;
    let tls = !plaintext && !parsed.host_str().is_some_and(is_this_machine);
    let scheme = if tls { "https" } else { "http" };
    Ok((format!("{scheme}://{url}"), tls))
}

/// Whether `host` (as a parsed URL writes it) names this machine: a
/// loopback address (`127.0.0.0/8`, `::1`, `::ffff:127.x.y.z`), the
/// unspecified one (`0.0.0.0`, `::`), `localhost` or a name under it (RFC
/// 6761).
fn is_this_machine(host: &str) -> bool {
    let local = |ip: std::net::Ipv4Addr| ip.is_loopback() || ip.is_unspecified();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => local(ip),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.is_unspecified() || ip.to_ipv4_mapped().is_some_and(local)
        }
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

impl GrpcTransport {
    /// A transport to `url`: `host:port` as cards write it, or with a
    /// scheme; TLS or not as [`dial`] decides.
    pub(crate) fn new(url: &str, core: HttpCore) -> Result<Self, Error> {
        let (with_scheme, tls) = dial(url, core.grpc_plaintext)?;
        let shown = redact::url(url);
        let not_an_address = |err: &dyn std::fmt::Display| {
            Error::invalid_params(format!("{shown:?} is not a gRPC address: {err}"))
        };
        let target = reqwest::Url::parse(&with_scheme).map_err(|err| not_an_address(&err))?;
        let mut endpoint = Endpoint::from_shared(with_scheme)
            .map_err(|err| not_an_address(&err))?
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            // A peer that vanished without closing is noticed: TCP and
            // HTTP/2 pings, also while a stream waits for its next event.
            .tcp_keepalive(Some(Duration::from_secs(30)))
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_timeout(Duration::from_secs(20))
            .keep_alive_while_idle(true);
        // TLS trusts the Mozilla roots, or what the factory's TLS settings say.
        if tls {
            let tls = match &core.tls {
                Some(tls) => tls.grpc(),
                None => tonic::transport::ClientTlsConfig::new().with_webpki_roots(),
            };
            endpoint = endpoint.tls_config(tls).map_err(|err| {
                Error::invalid_params(format!("TLS for {shown:?} could not be set up: {err}"))
            })?;
        }
        Ok(Self {
            endpoint,
            channel: std::sync::OnceLock::new(),
            target,
            core,
        })
    }

    /// The channel, connecting lazily on the current runtime the first time.
    fn channel(&self) -> Channel {
        self.channel.get_or_init(|| self.endpoint.connect_lazy()).clone()
    }

    /// The service client.
    fn client(&self) -> A2aServiceClient<Channel> {
        A2aServiceClient::new(self.channel())
            .max_decoding_message_size(self.core.max_event_size)
            .max_encoding_message_size(self.core.max_event_size)
    }

    /// The error a status from the agent means.
    fn error_of(&self, status: &tonic::Status) -> Error {
        if self.core.v0_3 {
            v0_3::error_from_status(status)
        } else {
            error_from_status(status)
        }
    }

    /// The credential for a call of `method`, asked of the provider now
    /// (`None` without one, or when the target is not one of its origins).
    async fn credential(&self, method: Method) -> Result<Option<Credential>, Error> {
        match &self.core.credentials {
            Some(credentials) => credentials.prepare(method, &self.target).await,
            None => Ok(None),
        }
    }

    /// A request with the protocol metadata, `credential`, and whatever the
    /// interceptors add.
    fn request<T>(
        &self,
        method: Method,
        message: T,
        unary: bool,
        credential: Option<&Credential>,
    ) -> Result<tonic::Request<T>, Error> {
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
            if self.core.v0_3 {
                // The key's name before 1.0.
                metadata.insert("x-a2a-extensions", value.clone());
            }
            metadata.insert("a2a-extensions", value);
        }
        if credential.is_some() || !self.core.interceptors.is_empty() {
            let mut stand_in = reqwest::Request::new(reqwest::Method::POST, self.target.clone());
            if let Some(credential) = credential {
                credential.apply(&mut stand_in)?;
            }
            for interceptor in &self.core.interceptors {
                interceptor.before(&mut OutgoingRequest {
                    method,
                    request: &mut stand_in,
                })?;
            }
            for (name, value) in stand_in.headers() {
                let key = MetadataKey::from_bytes(name.as_str().as_bytes())
                    .map_err(|_| Error::invalid_params(format!("{name} cannot be gRPC metadata")))?;
                let mut metadata_value = MetadataValue::try_from(value.as_bytes()).map_err(|_| {
                    Error::invalid_params(format!("the value of {name} cannot be gRPC metadata"))
                })?;
                // A credential stays out of HTTP/2 header tables and logs.
                metadata_value.set_sensitive(value.is_sensitive());
                metadata.insert(key, metadata_value);
            }
        }
        Ok(request)
    }

    /// Opens a streaming call; a resumed subscription says where it left off.
    async fn open(&self, call: Call, last_event_id: Option<u64>) -> Result<ClientStream, Error> {
        if self.core.v0_3 {
            return self.open_v0_3(call, last_event_id).await;
        }
        let method = call.method();
        let credential = self.credential(method).await?;
        let credential = credential.as_ref();
        let mut client = self.client();
        let opening = match call {
            Call::SendStreamingMessage(r) => {
                let request = self.request(method, v1::SendMessageRequest::from(r), false, credential)?;
                Box::pin(async move { client.send_streaming_message(request).await })
                    as BoxFuture<
                        '_,
                        Result<tonic::Response<tonic::Streaming<v1::StreamResponse>>, tonic::Status>,
                    >
            }
            Call::SubscribeToTask(r) => {
                let mut request =
                    self.request(method, v1::SubscribeToTaskRequest::from(r), false, credential)?;
                if let Some(last) = last_event_id {
                    let value = MetadataValue::try_from(last.to_string().as_str())
                        .expect("decimal digits are valid metadata");
                    request.metadata_mut().insert(LAST_EVENT_ID, value);
                }
                Box::pin(async move { client.subscribe_to_task(request).await })
            }
            _ => return Err(Error::invalid_params("a unary call is not a stream")),
        };
        self.watch(opening).await
    }

    /// Waits for a stream's head, bounded by the call timeout (its events
    /// are not), and reads its messages as 1.0 events, bounded by the idle
    /// timeout.
    async fn watch<M>(
        &self,
        opening: BoxFuture<'_, Result<tonic::Response<tonic::Streaming<M>>, tonic::Status>>,
    ) -> Result<ClientStream, Error>
    where
        M: Send + 'static,
        types::StreamResponse: TryFrom<M, Error = Error>,
    {
        let response = match self.core.call_timeout {
            Some(limit) => tokio::time::timeout(limit, opening).await.map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    format!("the agent did not open the stream within {limit:?}"),
                )
            })?,
            None => opening.await,
        };
        let stream = response.map_err(|status| self.error_of(&status))?.into_inner();
        let v0_3 = self.core.v0_3;
        let messages = stream.map(move |item| match item {
            Ok(event) => read::<_, types::StreamResponse>(event),
            Err(status) => Err(broken_stream(&status).unwrap_or_else(|| {
                if v0_3 {
                    v0_3::error_from_status(&status)
                } else {
                    error_from_status(&status)
                }
            })),
        });
        let watched = idle_bounded(messages, self.core.stream_idle, "no message");
        Ok(ClientStream::new(watched))
    }
}

/// The error of a stream whose connection failed under it (reset, closed,
/// keep-alive unanswered), so that the client resumes it, rather than a
/// status the agent sent. tonic marks such a status with the transport
/// error it came from; one read off the wire has no source.
fn broken_stream(status: &tonic::Status) -> Option<Error> {
    std::error::Error::source(status)?;
    Some(Error::new(
        ErrorKind::Connect,
        format!("the stream broke: {}", status.message()),
    ))
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
                if self.core.v0_3 {
                    return self.call_once_v0_3(call).await;
                }
                let method = call.method();
                let credential = self.credential(method).await.map_err(Attempt::Local)?;
                let credential = credential.as_ref();
                let mut client = self.client();
                match call {
                    $(Call::$Name(request) => {
                        unary_rpc!($kind self, client, method, credential, request, $fn($Request) -> $Response)
                    })*
                }
            }
        }
    };
}

/// One arm of `call_once`: a unary rpc, or a refusal for a stream.
macro_rules! unary_rpc {
    (unary $transport:ident, $client:ident, $method:ident, $credential:ident, $request:ident, $fn:ident($Request:ident) -> $Response:ident) => {{
        let message: v1::$Request = $request.into();
        let request = $transport
            .request($method, message, true, $credential)
            .map_err(Attempt::Local)?;
        let answer = $client.$fn(request).await?.into_inner();
        let answer: types::$Response = read(answer).map_err(Attempt::Local)?;
        Ok(answer.into_reply())
    }};
    (stream $transport:ident, $client:ident, $method:ident, $credential:ident, $request:ident, $($signature:tt)*) => {{
        let _ = ($request, $credential);
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
/// only. `RESOURCE_EXHAUSTED` with a `RetryInfo` is the agent refusing the
/// call and naming when to come back (a 429 with `Retry-After`); without
/// one, a resource may have run out midway, which repeats only what is safe
/// to repeat. A message over a size limit is never retried: no retry fixes it.
fn failure(status: &tonic::Status) -> Option<Failure> {
    match status.code() {
        tonic::Code::Unavailable if never_connected(status) => Some(Failure::Connect),
        tonic::Code::Unavailable => Some(Failure::Status(503)),
        tonic::Code::DeadlineExceeded => Some(Failure::Timeout),
        tonic::Code::ResourceExhausted if over_size_limit(status) => None,
        tonic::Code::ResourceExhausted if retry_info(status).is_some() => Some(Failure::Status(429)),
        tonic::Code::ResourceExhausted => Some(Failure::Exhausted),
        _ => None,
    }
}

/// The status's `google.rpc.RetryInfo`, if it has one: the wait it asks for
/// (`None` inside when it names none).
fn retry_info(status: &tonic::Status) -> Option<Option<Duration>> {
    use tonic_types::StatusExt as _;
    status.get_details_retry_info().map(|info| info.retry_delay)
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
                            return Err(self.error_of(&status));
                        }
                        let asked = retry_info(&status).flatten();
                        tokio::time::sleep(self.core.retry.delay(attempt, asked)).await;
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
        // A port bound but not listening: refused, and no one else's meanwhile.
        let reserved = tokio::net::TcpSocket::new_v4().unwrap();
        reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let closed = reserved.local_addr().unwrap();
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
        // Busy, and maybe midway: repeated only where that is safe.
        let busy = tonic::Status::resource_exhausted("try later");
        assert_eq!(failure(&busy), Some(Failure::Exhausted));
        // Refused, with a time to come back: a 429.
        let mut details = tonic_types::ErrorDetails::new();
        details.set_retry_info(Some(Duration::from_millis(1500)));
        let refused = {
            use tonic_types::StatusExt as _;
            tonic::Status::with_error_details(tonic::Code::ResourceExhausted, "slow down", details)
        };
        assert_eq!(failure(&refused), Some(Failure::Status(429)));
        assert_eq!(retry_info(&refused), Some(Some(Duration::from_millis(1500))));
        let too_big = tonic::Status::resource_exhausted(
            "grpc: received message larger than max (decoded message length too large)",
        );
        assert_eq!(failure(&too_big), None);
    }

    #[test]
    fn a_credential_stays_sensitive_as_metadata() {
        let transport = GrpcTransport::new("127.0.0.1:1", HttpCore::new(reqwest::Client::new())).unwrap();
        let bearer = Credential::bearer("s3cret");
        let request = transport
            .request(Method::GetTask, (), true, Some(&bearer))
            .unwrap();
        let authorization = request.metadata().get("authorization").unwrap();
        assert_eq!(authorization, "Bearer s3cret");
        assert!(authorization.is_sensitive());
        assert!(!request.metadata().get("a2a-version").unwrap().is_sensitive());
    }

    #[test]
    fn no_secret_of_an_address_shows() {
        let core = HttpCore::new(reqwest::Client::new());
        let transport = GrpcTransport::new("https://ann:s3cret@agent.example.com:443/?key=k3y", core.clone());
        let shown = format!("{:?}", transport.unwrap());
        assert!(!shown.contains("s3cret") && !shown.contains("k3y"), "{shown}");
        let err = GrpcTransport::new("grpcs://ann:s3cret@agent.example.com:443", core.clone()).unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        let err = GrpcTransport::new("tok:s3cret@agent example:1", core).unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[tokio::test]
    async fn addresses_are_read_with_or_without_a_scheme() {
        let core = HttpCore::new(reqwest::Client::new());
        assert!(GrpcTransport::new("127.0.0.1:50051", core.clone()).is_ok());
        assert!(GrpcTransport::new("http://127.0.0.1:50051", core.clone()).is_ok());
        assert!(GrpcTransport::new("https://agent.example.com:443", core.clone()).is_ok());
        let err = GrpcTransport::new("no spaces allowed:1 2", core.clone()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParams);
        let err = GrpcTransport::new("grpcs://agent.example.com:443", core).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParams);
    }

    #[test]
    fn bare_addresses_get_tls_unless_they_are_loopback_or_the_caller_says_plaintext() {
        let tls = |url: &str| dial(url, false).unwrap();
        // As written.
        assert_eq!(
            tls("https://127.0.0.1:1"),
            ("https://127.0.0.1:1".to_owned(), true)
        );
        assert_eq!(
            tls("HTTP://agent.example.com:80"),
            ("HTTP://agent.example.com:80".to_owned(), false)
        );
        // Bare, somewhere on the network.
        for remote in [
            "agent.example.com:443",
            "10.0.0.7:50051",
            "[2001:db8::1]:443",
            "[::ffff:10.0.0.7]:1",
            "localhost.example.com:1",
        ] {
            assert_eq!(tls(remote), (format!("https://{remote}"), true), "{remote}");
            assert_eq!(
                dial(remote, true).unwrap(),
                (format!("http://{remote}"), false),
                "{remote}"
            );
        }
        // Bare, on this machine.
        for local in [
            "127.0.0.1:50051",
            "127.8.9.10:1",
            "[::1]:50051",
            "[::ffff:127.0.0.1]:1",
            "localhost:1",
            "LocalHost.:1",
            "agent.localhost:1",
            "0.0.0.0:8080",
            "[::]:8080",
        ] {
            assert_eq!(tls(local), (format!("http://{local}"), false), "{local}");
        }
    }
}
