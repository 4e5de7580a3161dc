//! The errors our client reports on a bad day: a bare 401 / 403 is a
//! refusal with the agent's challenge on every binding, errors keep what
//! caused them, gRPC statuses read like HTTP ones with every detail kept,
//! no secret (a query API key, a token, a password in a URL) shows in any
//! message or `Debug` output, and a caller's own HTTP client with a total
//! timeout does not cut streams.
#![cfg(feature = "client")]

mod support;

use support::net::refusing_port;

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use a2akit::client::{ApiKey, ApiKeyLocation, BearerToken, Client, ClientFactory, RetryPolicy};
use a2akit::server::RequestHandler;
use a2akit::server::auth::{Authenticator, Credential, Denied, Identity};
use a2akit::server::http::Routes;
use a2akit::types::{
    AgentCard, AgentInterface, GetTaskRequest, HTTPAuthSecurityScheme, Message, SecurityRequirement,
    SecurityScheme, SendMessageRequest, SendMessageResponse, StreamResponse, TaskState, binding,
};
use a2akit::{Error, ErrorKind};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use futures_util::StreamExt as _;

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// Answers every request with `status`, a challenge and a body that is no
/// protocol error.
async fn refusing(status: StatusCode) -> String {
    let app = axum::Router::new().fallback(move || async move {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"agents\", scope=\"tasks:write\""),
        );
        (status, headers, "go away")
    });
    serve(app).await
}

fn client(url: &str, wire: &str) -> Client {
    ClientFactory::new()
        .retry_policy(RetryPolicy::none())
        .client_for_interface(AgentInterface::new(url, wire))
        .unwrap()
}

fn http_url(base: &str, wire: &str) -> String {
    match wire {
        binding::JSONRPC => format!("{base}/"),
        _ => base.to_owned(),
    }
}

#[tokio::test]
async fn bare_refusals_read_as_unauthenticated_or_permission_denied_with_the_challenge() {
    for (status, kind) in [
        (StatusCode::UNAUTHORIZED, ErrorKind::Unauthenticated),
        (StatusCode::FORBIDDEN, ErrorKind::PermissionDenied),
    ] {
        let base = refusing(status).await;
        for wire in [binding::JSONRPC, binding::HTTP_JSON] {
            let client = client(&http_url(&base, wire), wire);
            let unary = client.get_task(GetTaskRequest::new("t1")).await.unwrap_err();
            let stream = client
                .send_streaming_message(SendMessageRequest::new(Message::user("hi")))
                .await
                .unwrap_err();
            for err in [unary, stream] {
                assert_eq!(err.kind(), kind, "{wire}: {err}");
                assert_eq!(
                    err.www_authenticate(),
                    Some("Bearer realm=\"agents\", scope=\"tasks:write\""),
                    "{wire}"
                );
                assert!(err.message().contains("go away"), "{err}");
            }
        }
        let card = ClientFactory::new().resolve_card(&base).await.unwrap_err();
        assert_eq!(card.kind(), kind, "{card}");
        assert!(card.www_authenticate().unwrap().starts_with("Bearer"));
        let connect = ClientFactory::new().connect(&base).await.unwrap_err();
        assert_eq!(connect.kind(), kind, "{connect}");
    }
}

fn secure_card(base: &str) -> AgentCard {
    support::agents::card_on_every_binding("Secure", base)
        .security_scheme(
            "bearer",
            SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("Bearer")),
        )
        .security_requirement(SecurityRequirement::new().with_scheme("bearer", Vec::<String>::new()))
        .build()
}

fn only_good(credential: &Credential) -> Result<Identity, Denied> {
    match credential.secret() {
        "good" => Ok(Identity::new("good")),
        _ => Err(Denied::unauthenticated("unknown token")),
    }
}

#[tokio::test]
async fn our_agents_refusals_carry_the_challenge_on_every_binding() {
    // The served card's URLs do not matter here: the client is given the real ones.
    let card = secure_card("http://127.0.0.1:1");
    let auth = Authenticator::builder(&card)
        .verify("bearer", only_good)
        .build()
        .unwrap();
    let server = support::start_routes(
        Routes::new(RequestHandler::builder(card, support::agents::WhoAmI).build()).authenticate(auth),
    )
    .await;
    let card = secure_card(&server.base);
    for interface in &card.supported_interfaces {
        let wire = interface.protocol_binding.as_str();
        let client = ClientFactory::new()
            .retry_policy(RetryPolicy::none())
            .credentials(BearerToken::new("bad"))
            .client_for_interface(interface.clone())
            .unwrap();
        let err = client
            .send_message(SendMessageRequest::new(Message::user("hi")))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthenticated, "{wire}: {err}");
        let challenge = err
            .www_authenticate()
            .unwrap_or_else(|| panic!("{wire}: no challenge in {err:?}"));
        assert!(challenge.starts_with("Bearer"), "{wire}: {challenge}");
    }
}

#[tokio::test]
async fn errors_keep_what_caused_them() {
    let (_reserved, closed) = refusing_port();
    for wire in support::agents::binding_names() {
        let url = match wire {
            binding::GRPC => closed.to_string(),
            _ => format!("http://{closed}/"),
        };
        let err = client(&url, wire)
            .get_task(GetTaskRequest::new("t1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{wire}: {err}");
        let source = err
            .source()
            .unwrap_or_else(|| panic!("{wire}: no source in {err:?}"));
        #[cfg(feature = "grpc")]
        if wire == binding::GRPC {
            assert!(source.downcast_ref::<tonic::Status>().is_some(), "{source:?}");
            continue;
        }
        assert!(source.downcast_ref::<reqwest::Error>().is_some(), "{source:?}");
        // Down to what the system said.
        let mut innermost = source;
        while let Some(next) = innermost.source() {
            innermost = next;
        }
        assert!(
            innermost.downcast_ref::<std::io::Error>().is_some(),
            "{innermost:?}"
        );
    }
    // An answer that is not JSON keeps the parser's error.
    let base = serve(axum::Router::new().fallback(|| async { "<html>hello</html>" })).await;
    let err = client(&format!("{base}/"), binding::JSONRPC)
        .get_task(GetTaskRequest::new("t1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
    assert!(
        err.source()
            .unwrap()
            .downcast_ref::<serde_json::Error>()
            .is_some()
    );
    // A clone keeps the source; equality leaves it out.
    let copy = err.clone();
    assert!(copy.source().is_some());
    assert_eq!(copy, Error::new(err.kind(), err.message()));
}

#[cfg(feature = "grpc")]
#[test]
fn grpc_statuses_read_like_http_statuses_with_every_detail_kept() {
    use a2akit::proto::error_from_status;
    use prost::Message as _;

    let read =
        |code: tonic::Code, message: &str| error_from_status(&tonic::Status::new(code, message)).kind();
    assert_eq!(read(tonic::Code::DeadlineExceeded, "late"), ErrorKind::Timeout);
    assert_eq!(
        read(
            tonic::Code::OutOfRange,
            "Error, decoded message length too large: found 900 bytes, the limit is: 100 bytes"
        ),
        ErrorKind::InvalidResponse
    );
    assert_eq!(
        read(
            tonic::Code::ResourceExhausted,
            "grpc: received message larger than max (900 vs. 100)"
        ),
        ErrorKind::InvalidResponse
    );
    assert_eq!(
        read(tonic::Code::ResourceExhausted, "slow down"),
        ErrorKind::ResourceExhausted
    );
    assert_eq!(
        read(tonic::Code::OutOfRange, "page 9 of 3"),
        ErrorKind::InvalidParams
    );
    assert_eq!(
        read(tonic::Code::Unauthenticated, "who?"),
        ErrorKind::Unauthenticated
    );
    assert_eq!(
        read(tonic::Code::PermissionDenied, "no"),
        ErrorKind::PermissionDenied
    );

    let mut details = tonic_types::ErrorDetails::new();
    details
        .set_error_info(
            "TASK_NOT_FOUND",
            "a2a-protocol.org",
            [("taskId".to_owned(), "t9".to_owned())],
        )
        .set_retry_info(Some(Duration::from_millis(1500)))
        .set_bad_request(vec![tonic_types::FieldViolation::new("id", "missing")])
        .set_debug_info(vec!["frame 1".into()], "stack")
        .set_quota_failure(vec![tonic_types::QuotaViolation::new("caller", "too many")])
        .set_precondition_failure(vec![tonic_types::PreconditionViolation::new(
            "TOS",
            "x",
            "not accepted",
        )])
        .set_request_info("req-1", "")
        .set_resource_info("task", "t9", "", "gone")
        .set_help(vec![tonic_types::HelpLink::new(
            "docs",
            "https://example.com/help",
        )])
        .set_localized_message("fr-FR", "introuvable");
    let status = <tonic::Status as tonic_types::StatusExt>::with_error_details(
        tonic::Code::NotFound,
        "no such task",
        details,
    );
    // Add a detail of a type nobody here knows, as a newer peer might.
    let mut raw = tonic_types::pb::Status::decode(status.details()).unwrap();
    raw.details.push(prost_types::Any {
        type_url: "type.googleapis.com/example.Custom".into(),
        value: vec![1, 2, 3],
    });
    let mut metadata = tonic::metadata::MetadataMap::new();
    metadata.insert("www-authenticate", "Bearer realm=\"x\"".parse().unwrap());
    let status = tonic::Status::with_details_and_metadata(
        tonic::Code::NotFound,
        "no such task",
        raw.encode_to_vec().into(),
        metadata,
    );
    let err = error_from_status(&status);
    assert_eq!(err.kind(), ErrorKind::TaskNotFound);
    assert_eq!(err.metadata()["taskId"], "t9");
    assert_eq!(err.retry_after(), Some(Duration::from_millis(1500)));
    assert_eq!(err.www_authenticate(), Some("Bearer realm=\"x\""));
    assert!(err.source().unwrap().downcast_ref::<tonic::Status>().is_some());
    let types: Vec<&str> = err
        .details()
        .iter()
        .map(|d| d["@type"].as_str().unwrap())
        .collect();
    for name in [
        "RetryInfo",
        "BadRequest",
        "DebugInfo",
        "QuotaFailure",
        "PreconditionFailure",
        "RequestInfo",
        "ResourceInfo",
        "Help",
        "LocalizedMessage",
    ] {
        assert!(
            types.contains(&format!("type.googleapis.com/google.rpc.{name}").as_str()),
            "{name} in {types:?}"
        );
    }
    let find = |name: &str| {
        err.details()
            .iter()
            .find(|d| d["@type"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    assert_eq!(find("BadRequest")["fieldViolations"][0]["field"], "id");
    assert_eq!(find("QuotaFailure")["violations"][0]["subject"], "caller");
    assert_eq!(find("PreconditionFailure")["violations"][0]["type"], "TOS");
    assert_eq!(find("Help")["links"][0]["url"], "https://example.com/help");
    assert_eq!(find("LocalizedMessage")["message"], "introuvable");
    assert_eq!(find("DebugInfo")["stackEntries"][0], "frame 1");
    assert_eq!(find("example.Custom")["value"], "AQID");
}

/// An agent answering every call with a task, on every binding.
async fn who_am_i() -> support::TestServer {
    support::start_with(|base| {
        let card = support::agents::card_on_every_binding("who", base).streaming(true);
        RequestHandler::builder(card.build(), support::agents::WhoAmI).build()
    })
    .await
}

#[cfg(feature = "grpc")]
#[tokio::test]
async fn a_grpc_answer_over_the_size_limit_is_an_invalid_response() {
    let server = who_am_i().await;
    let client = ClientFactory::new()
        .max_response_size(64)
        .client_for_interface(AgentInterface::new(
            server.base.trim_start_matches("http://"),
            binding::GRPC,
        ))
        .unwrap();
    let err = client
        .send_message(SendMessageRequest::new(Message::user("hi")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
}

/// Every secret the test configures.
const SECRETS: [&str; 4] = ["QUERYSECRET", "BEARERSECRET", "URLSECRET", "USERSECRET"];

fn assert_no_secret(what: &str, err: &Error) {
    let mut shown = vec![err.to_string(), format!("{err:?}")];
    let mut source = err.source();
    while let Some(cause) = source {
        shown.push(cause.to_string());
        shown.push(format!("{cause:?}"));
        source = cause.source();
    }
    for text in &shown {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{what}: {secret} in {text}");
        }
    }
}

/// Accepts connections and never answers.
async fn silent() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    address
}

#[tokio::test]
async fn no_secret_shows_in_any_error_or_debug_output() {
    let (_reserved, closed) = refusing_port();
    let closed = closed.to_string();
    let silent = silent().await;
    let failing = serve(
        axum::Router::new()
            .fallback(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "the database is down") }),
    )
    .await;
    let failing = failing.trim_start_matches("http://").to_owned();
    let html = serve(axum::Router::new().fallback(|| async { "<html>hello</html>" })).await;
    let html = html.trim_start_matches("http://").to_owned();
    let agent = who_am_i().await;
    let agent = agent.base.trim_start_matches("http://").to_owned();

    // Short only where the peer is silent: a slow local answer elsewhere
    // must not read as a timeout.
    let factory = |timeout: Duration| {
        ClientFactory::new()
            .retry_policy(RetryPolicy::none())
            .timeout(Some(timeout))
            .send_timeout(Some(timeout))
            .interceptor(ApiKey::new(ApiKeyLocation::Query, "key", "QUERYSECRET"))
            .credentials(BearerToken::new("BEARERSECRET"))
    };
    let (short, generous) = (Duration::from_millis(300), Duration::from_secs(8));
    let cases = [
        ("connect", closed.as_str(), ErrorKind::Connect, generous),
        ("timeout", silent.as_str(), ErrorKind::Timeout, short),
        ("status", failing.as_str(), ErrorKind::UnexpectedStatus, generous),
        ("invalid", html.as_str(), ErrorKind::InvalidResponse, generous),
    ];
    for wire in support::agents::binding_names() {
        for (what, address, kind, timeout) in cases {
            let factory = factory(timeout);
            let url = match wire {
                binding::GRPC => address.to_owned(),
                _ => format!("http://ann:USERSECRET@{address}/a2a?api_key=URLSECRET"),
            };
            let client = factory
                .client_for_interface(AgentInterface::new(url, wire))
                .unwrap();
            for secret in SECRETS {
                assert!(!format!("{client:?}").contains(secret), "{client:?}");
            }
            let unary = tokio::time::timeout(
                Duration::from_secs(20),
                client.get_task(GetTaskRequest::new("t1")),
            );
            let unary = unary.await.expect("the call ends").unwrap_err();
            let stream = tokio::time::timeout(
                Duration::from_secs(20),
                client.send_streaming_message(SendMessageRequest::new(Message::user("hi"))),
            );
            let stream = match stream.await.expect("the stream opens or fails") {
                Ok(mut events) => match events.next().await {
                    Some(Err(err)) => err,
                    other => panic!("{wire} {what}: {other:?}"),
                },
                Err(err) => err,
            };
            if wire != binding::GRPC {
                assert_eq!(unary.kind(), kind, "{wire} {what}: {unary:?}");
            }
            assert_no_secret(&format!("{wire} {what}"), &unary);
            assert_no_secret(&format!("{wire} {what} stream"), &stream);
        }
    }
    // gRPC: an answer over the size limit, from a real agent.
    #[cfg(feature = "grpc")]
    {
        let client = ClientFactory::new()
            .max_response_size(64)
            .credentials(BearerToken::new("BEARERSECRET"))
            .client_for_interface(AgentInterface::new(agent, binding::GRPC))
            .unwrap();
        let err = client
            .send_message(SendMessageRequest::new(Message::user("hi")))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
        assert_no_secret("grpc size", &err);
    }
    #[cfg(not(feature = "grpc"))]
    let _ = agent;
    for secret in SECRETS {
        assert!(!format!("{:?}", factory(short)).contains(secret));
    }
}

#[tokio::test]
async fn a_total_timeout_on_the_callers_http_client_does_not_cut_streams() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let card = AgentCard::builder()
        .name("paced")
        .description("takes its time")
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(&base, binding::HTTP_JSON)
        .streaming(true)
        .build();
    // Counts requests: a stream that was cut would be resumed with another.
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let app = Routes::new(RequestHandler::builder(card, support::agents::Paced).build())
        .all("/")
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                counter.fetch_add(1, Ordering::SeqCst);
                next.run(request)
            },
        ));
    tokio::spawn(async move { a2akit::server::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    for wire in [binding::JSONRPC, binding::HTTP_JSON] {
        let client = ClientFactory::with_http_client(http.clone())
            .client_for_interface(AgentInterface::new(http_url(&base, wire), wire))
            .unwrap();
        let before = requests.load(Ordering::SeqCst);
        // Five artifacts 250 ms apart: the stream lives well past 400 ms.
        let mut events = client
            .send_streaming_message(SendMessageRequest::new(Message::user("5 250")))
            .await
            .unwrap();
        let mut artifacts = 0;
        let mut last_state = None;
        while let Some(event) = events.next().await {
            match event.unwrap_or_else(|err| panic!("{wire}: {err}")) {
                StreamResponse::ArtifactUpdate(_) => artifacts += 1,
                StreamResponse::StatusUpdate(update) => last_state = Some(update.status.state),
                StreamResponse::Task(task) => last_state = Some(task.status.state),
                _ => {}
            }
        }
        assert_eq!(artifacts, 5, "{wire}");
        assert_eq!(last_state, Some(TaskState::Completed), "{wire}");
        assert_eq!(
            requests.load(Ordering::SeqCst) - before,
            1,
            "{wire}: the stream was cut and resumed"
        );
        // The caller's bound still holds where this factory sets none: a
        // blocking send that takes longer fails with it.
        let answer = client
            .send_message(SendMessageRequest::new(Message::user("3 300")))
            .await;
        match answer {
            Err(err) => assert_eq!(err.kind(), ErrorKind::Timeout, "{wire}: {err}"),
            Ok(SendMessageResponse::Task(task)) => panic!("{wire}: finished past the bound: {task:?}"),
            Ok(other) => panic!("{wire}: {other:?}"),
        }
    }
}
