//! Our client over gRPC on a bad day, against our own server (through a
//! proxy that can cut its connections) and against raw HTTP/2 servers that
//! misbehave: streams cut or gone silent are resumed, a stream's head is
//! bounded, retries never repeat what the agent may have acted on and wait
//! as long as it asks, and TLS is used as written while a bare address on
//! this machine stays plaintext.
#![cfg(feature = "grpc")]

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use a2akit::client::{
    Client, ClientFactory, ClientStream, ClientTls, Interceptor, OutgoingRequest, RetryPolicy,
};
use a2akit::server::tls::{TlsConfig, serve_tls};
use a2akit::server::{AgentExecutor, RateLimit, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{
    AgentCard, AgentInterface, Artifact, GetTaskRequest, Message, SendMessageResponse, StreamResponse,
    SubscribeToTaskRequest, Task, TaskState, binding,
};
use a2akit::{Error, ErrorKind};
use futures_util::StreamExt as _;
use support::agents::{Paced, WhoAmI};

/// A TCP proxy in front of an agent that can cut every connection it carries.
struct Proxy {
    address: String,
    connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    accepted: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let connections: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let accepted = Arc::new(AtomicUsize::new(0));
        let (held, count) = (Arc::clone(&connections), Arc::clone(&accepted));
        tokio::spawn(async move {
            loop {
                let (mut inbound, _) = listener.accept().await.unwrap();
                count.fetch_add(1, Ordering::SeqCst);
                let carried = tokio::spawn(async move {
                    let mut outbound = tokio::net::TcpStream::connect(upstream).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
                held.lock().unwrap().push(carried);
            }
        });
        Proxy {
            address,
            connections,
            accepted,
        }
    }

    /// Drops every connection open now, both ways, without a goodbye.
    fn cut(&self) {
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// Our server with `agent` (streaming on), and its address.
async fn serve(agent: impl AgentExecutor) -> (support::TestServer, SocketAddr) {
    let card = AgentCard::builder()
        .name("grpc")
        .description("d")
        .streaming(true)
        .build();
    let server = support::start(RequestHandler::builder(card, agent).build()).await;
    let address = server.base.trim_start_matches("http://").parse().unwrap();
    (server, address)
}

fn grpc(factory: ClientFactory, address: &str) -> Client {
    factory
        .client_for_interface(AgentInterface::new(address, binding::GRPC))
        .unwrap()
}

/// Reads a stream to its end within 10 s, with `during` shown each event as it comes.
async fn read_all(
    stream: &mut ClientStream,
    mut during: impl FnMut(&[StreamResponse]),
) -> Result<Vec<StreamResponse>, (Vec<StreamResponse>, Error)> {
    let mut events = Vec::new();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("the stream ends in time");
        match next {
            Some(Ok(event)) => {
                events.push(event);
                during(&events);
            }
            Some(Err(err)) => return Err((events, err)),
            None => return Ok(events),
        }
    }
}

/// The task the events make, folded from the first snapshot on.
fn folded(events: &[StreamResponse]) -> Task {
    let mut task: Option<Task> = None;
    for event in events {
        match (&mut task, event) {
            (_, StreamResponse::Task(snapshot)) => task = Some(snapshot.clone()),
            (Some(task), event) => task.apply(event),
            (None, other) => panic!("an update before any snapshot: {other:?}"),
        }
    }
    task.expect("a task")
}

fn snapshots(events: &[StreamResponse]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, StreamResponse::Task(_)))
        .count()
}

fn artifacts_seen(events: &[StreamResponse]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, StreamResponse::ArtifactUpdate(_)))
        .count()
}

/// A streamed send whose connection is cut mid-task is resumed over a new
/// connection (a fresh subscription: gRPC has no event ids) and followed
/// to the task's end, every artifact accounted for.
#[tokio::test]
async fn a_send_whose_connection_is_cut_is_resumed_to_the_end() {
    let (_server, upstream) = serve(Paced).await;
    let proxy = Proxy::start(upstream).await;
    let client = grpc(ClientFactory::new(), &proxy.address);
    let mut stream = client.send_streaming_message("5 150").await.unwrap();
    let mut cut = false;
    let events = read_all(&mut stream, |events| {
        if !cut && artifacts_seen(events) == 2 {
            proxy.cut();
            cut = true;
        }
    })
    .await
    .unwrap_or_else(|(events, err)| panic!("{err} after {events:?}"));
    assert!(cut, "{events:?}");
    let task = folded(&events);
    assert_eq!(task.status.state, TaskState::Completed, "{events:?}");
    assert_eq!(task.artifacts.len(), 5, "{task:?}");
    assert!(
        snapshots(&events) >= 2,
        "resumed with a fresh snapshot: {events:?}"
    );
    assert!(proxy.accepted() >= 2, "over a new connection");
}

/// The same for a subscription.
#[tokio::test]
async fn a_subscription_whose_connection_is_cut_is_resumed_to_the_end() {
    let (_server, upstream) = serve(Paced).await;
    let direct = grpc(ClientFactory::new(), &upstream.to_string());
    let mut started = direct.send_streaming_message("6 150").await.unwrap();
    let task_id = match started.next().await.unwrap().unwrap() {
        StreamResponse::Task(task) => task.id,
        other => panic!("a task first, not {other:?}"),
    };
    drop(started);
    let proxy = Proxy::start(upstream).await;
    let client = grpc(ClientFactory::new(), &proxy.address);
    let mut stream = client
        .subscribe_to_task(SubscribeToTaskRequest::new(&task_id))
        .await
        .unwrap();
    let mut cut = false;
    let events = read_all(&mut stream, |events| {
        if !cut && artifacts_seen(events) == 1 {
            proxy.cut();
            cut = true;
        }
    })
    .await
    .unwrap_or_else(|(events, err)| panic!("{err} after {events:?}"));
    let task = folded(&events);
    assert_eq!(task.status.state, TaskState::Completed, "{events:?}");
    assert_eq!(task.artifacts.len(), 6, "{task:?}");
    assert!(proxy.accepted() >= 2);
}

/// Works (in silence) for as many milliseconds as its message says, then
/// reports one artifact and completes.
struct Quiet;

impl AgentExecutor for Quiet {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        let ms = context.message.text().trim().parse().unwrap_or(0);
        updater.start_work().await?;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        updater.add_artifact(Artifact::text("done", "done")).await?;
        updater.complete().await
    }
}

/// A stream with no message for the idle timeout is given up and resumed
/// like a broken one; while resuming brings nothing new, it ends in a
/// `Timeout` that says the stream was silent.
#[tokio::test]
async fn a_silent_stream_is_resumed_and_stays_silent_only_so_long() {
    let (_server, upstream) = serve(Quiet).await;
    let factory = || ClientFactory::new().stream_idle_timeout(Some(Duration::from_millis(300)));
    let client = grpc(factory(), &upstream.to_string());
    let mut stream = client.send_streaming_message("600").await.unwrap();
    let events = read_all(&mut stream, |_| {})
        .await
        .unwrap_or_else(|(events, err)| panic!("{err} after {events:?}"));
    assert_eq!(folded(&events).status.state, TaskState::Completed, "{events:?}");
    assert!(snapshots(&events) >= 2, "resumed after the silence: {events:?}");

    let client = grpc(
        ClientFactory::new().stream_idle_timeout(Some(Duration::from_millis(200))),
        &upstream.to_string(),
    );
    let started = Instant::now();
    let mut stream = client.send_streaming_message("8000").await.unwrap();
    let (events, err) = read_all(&mut stream, |_| {}).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.message().contains("silent"), "{err}");
    assert!(err.metadata().contains_key("taskId"), "{err:?}");
    assert!(!events.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

/// An HTTP/2 server that takes gRPC calls and never answers them.
async fn never_answers() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let app = axum::Router::new().route(
        "/lf.a2a.v1.A2AService/{method}",
        axum::routing::post(std::future::pending::<()>),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

/// A stream whose response headers never come fails within the call
/// timeout, for a send and a subscription alike.
#[tokio::test]
async fn a_stream_head_that_never_comes_is_bounded() {
    let address = never_answers().await;
    let client = grpc(
        ClientFactory::new()
            .timeout(Some(Duration::from_millis(300)))
            .retry_policy(RetryPolicy::none()),
        &address,
    );
    let started = Instant::now();
    let err = client.send_streaming_message("hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let err = client
        .subscribe_to_task(SubscribeToTaskRequest::new("t1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// A raw gRPC agent that answers every call with `status` (a trailers-only
/// response) and records which method was called when.
async fn answers_with(status: tonic::Status) -> (String, Arc<Mutex<Vec<(String, Instant)>>>) {
    let calls: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let mut headers = axum::http::HeaderMap::new();
    status.add_header(&mut headers).unwrap();
    headers.insert("content-type", "application/grpc".parse().unwrap());
    let seen = Arc::clone(&calls);
    let answer = move |uri: axum::http::Uri| {
        let (seen, headers) = (Arc::clone(&seen), headers.clone());
        async move {
            let method = uri.path().rsplit('/').next().unwrap_or_default().to_owned();
            seen.lock().unwrap().push((method, Instant::now()));
            (headers, "")
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let app = axum::Router::new().route("/lf.a2a.v1.A2AService/{method}", axum::routing::post(answer));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, calls)
}

fn resource_exhausted(retry_after: Option<Duration>) -> tonic::Status {
    use tonic_types::StatusExt as _;
    let mut details = tonic_types::ErrorDetails::new();
    if let Some(wait) = retry_after {
        details.set_retry_info(Some(wait));
    }
    tonic::Status::with_error_details(tonic::Code::ResourceExhausted, "slow down", details)
}

fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(20))
}

/// `RESOURCE_EXHAUSTED` without a `RetryInfo` may come from a resource
/// that ran out midway: a send is not repeated, a read is.
#[tokio::test]
async fn resource_exhausted_without_a_time_to_come_back_repeats_only_reads() {
    let (address, calls) = answers_with(resource_exhausted(None)).await;
    let client = grpc(ClientFactory::new().retry_policy(quick(3)), &address);
    let err = client.send_message("hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResourceExhausted, "{err}");
    let err = client.get_task(GetTaskRequest::new("t1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResourceExhausted, "{err}");
    let methods: Vec<String> = calls.lock().unwrap().iter().map(|(m, _)| m.clone()).collect();
    assert_eq!(methods, ["SendMessage", "GetTask", "GetTask", "GetTask"]);
}

/// With a `RetryInfo` the agent refused the call before acting and named
/// when to come back: even a send is repeated, after that wait (bounded
/// by the policy's longest delay).
#[tokio::test]
async fn resource_exhausted_with_retry_info_is_repeated_after_the_wait_it_names() {
    let (address, calls) = answers_with(resource_exhausted(Some(Duration::from_millis(400)))).await;
    let patient = RetryPolicy::default()
        .max_attempts(2)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_secs(5));
    let client = grpc(ClientFactory::new().retry_policy(patient), &address);
    let err = client.send_message("hello").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResourceExhausted, "{err}");
    {
        let calls = calls.lock().unwrap();
        assert_eq!(calls.len(), 2, "{calls:?}");
        let waited = calls[1].1 - calls[0].1;
        assert!(waited >= Duration::from_millis(380), "{waited:?}");
    }

    let (address, calls) = answers_with(resource_exhausted(Some(Duration::from_secs(30)))).await;
    let client = grpc(ClientFactory::new().retry_policy(quick(2)), &address);
    client.send_message("hello").await.unwrap_err();
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls[1].1 - calls[0].1 < Duration::from_secs(2),
        "capped by max_delay"
    );
}

/// Counts the attempts at each `SendMessage` (gRPC interceptors run once per attempt).
struct CountsSends(Arc<AtomicUsize>);

impl Interceptor for CountsSends {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        if outgoing.method == a2akit::jsonrpc::Method::SendMessage {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// Our server's rate limit refuses before acting and says when to come
/// back: a send over the limit is repeated after that wait and goes through.
#[tokio::test]
async fn a_send_refused_by_the_rate_limit_goes_through_after_the_wait() {
    let card = AgentCard::builder().name("limited").description("d").build();
    // One call every three seconds: the second comes well within that,
    // however slow the machine.
    let handler = RequestHandler::builder(card, WhoAmI)
        .rate_limit(RateLimit::per_minute(20).burst(1))
        .build();
    let server = support::start(handler).await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let factory = ClientFactory::new().interceptor(CountsSends(Arc::clone(&attempts)));
    let client = grpc(factory, server.base.trim_start_matches("http://"));
    client.send_message("one").await.unwrap();
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    let answer = client.send_message("two").await.unwrap();
    assert!(matches!(answer, SendMessageResponse::Task(_)), "{answer:?}");
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        3,
        "the second send was refused once, then went through"
    );
}

/// Refuses every `GetTask` on this side, counting how often it was asked.
struct Refuses(Arc<AtomicUsize>);

impl Interceptor for Refuses {
    fn before(&self, outgoing: &mut OutgoingRequest<'_>) -> Result<(), Error> {
        self.0.fetch_add(1, Ordering::SeqCst);
        match outgoing.method {
            a2akit::jsonrpc::Method::GetTask => Err(Error::permission_denied("not from this client")),
            _ => Ok(()),
        }
    }
}

/// A failure on this side is not retried: the same request would fail the
/// same way.
#[tokio::test]
async fn a_local_failure_is_not_retried() {
    let (address, calls) = answers_with(tonic::Status::unavailable("down")).await;
    let asked = Arc::new(AtomicUsize::new(0));
    let client = grpc(
        ClientFactory::new()
            .retry_policy(quick(3))
            .interceptor(Refuses(Arc::clone(&asked))),
        &address,
    );
    let err = client.get_task(GetTaskRequest::new("t1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert!(calls.lock().unwrap().is_empty());
    // A failure of the agent's own, on a read, is.
    client
        .list_tasks(a2akit::types::ListTasksRequest::default())
        .await
        .unwrap_err();
    assert_eq!(calls.lock().unwrap().len(), 3);
}

/// A test CA, and a server certificate for `names` it issued, PEM.
fn certificates(names: &[&str]) -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "test CA");
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf.signed_by(&key, &ca, &ca_key).unwrap();
    (ca.pem(), leaf.pem(), key.serialize_pem())
}

async fn who(client: &Client) -> Result<SendMessageResponse, Error> {
    client.send_message(Message::user("hi")).await
}

/// Over TLS, `https://127.0.0.1` reaches an agent with the roots given;
/// a bare `127.0.0.1` or `localhost` is this machine, which stays
/// plaintext (and so fails against a TLS-only agent) while it works against
/// a plaintext one. (That a bare address elsewhere gets TLS is shown by the
/// transport's unit tests: reaching one takes a name server or an address
/// beyond loopback.)
#[tokio::test]
async fn tls_as_written_and_plaintext_on_this_machine() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (ca, chain, key) = certificates(&["127.0.0.1", "localhost"]);
    let card = AgentCard::builder().name("tls").description("d").build();
    let routes = a2akit::server::http::Routes::new(RequestHandler::builder(card, WhoAmI).build());
    let tls = TlsConfig::from_pem(chain.as_bytes(), key.as_bytes()).unwrap();
    tokio::spawn(serve_tls(listener, routes.all("/"), tls.build().unwrap()));
    let factory = || {
        ClientFactory::with_tls(ClientTls::new().root_certificates_pem(ca.clone()))
            .unwrap()
            .retry_policy(RetryPolicy::none())
    };
    who(&grpc(factory(), &format!("https://127.0.0.1:{port}")))
        .await
        .expect("TLS as written");
    for bare in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let err = who(&grpc(factory(), &bare))
            .await
            .expect_err("plaintext to a TLS-only agent");
        assert!(
            matches!(err.kind(), ErrorKind::Connect | ErrorKind::Internal),
            "{bare}: {err}"
        );
    }

    let (_server, plain) = serve(WhoAmI).await;
    for bare in [plain.to_string(), format!("localhost:{}", plain.port())] {
        who(&grpc(factory(), &bare))
            .await
            .unwrap_or_else(|err| panic!("{bare}: plaintext on this machine: {err}"));
    }
}
