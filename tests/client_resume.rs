//! The client keeps a stream whole when its connection drops: it resumes
//! with `SubscribeToTask` + `Last-Event-ID`, splices the rest in without
//! gaps or repeats, and fails loudly when it cannot. Each test runs a small
//! scripted agent (the `fake` module) on 127.0.0.1.

use std::time::Duration;

use a2akit::client::{Client, ClientFactory, ClientStream, RetryPolicy};
use a2akit::types::{AgentInterface, StreamResponse, binding};
use a2akit::{Error, ErrorKind};
use fake::{Answer, End, Fake, artifact, status, task};
use futures_util::StreamExt as _;

/// A scripted agent speaking JSON-RPC or HTTP+JSON: it answers the streamed
/// send with a fixed script and each subscription as `subscribe` decides,
/// and records the `Last-Event-ID` of every subscription.
mod fake {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use a2akit::Error;
    use axum::body::Body;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use futures_util::StreamExt as _;
    use serde_json::{Value, json};

    /// How a streamed answer ends.
    #[derive(Clone, Copy)]
    pub enum End {
        /// The body ends cleanly.
        Close,
        /// The connection breaks off mid-body.
        Abort,
    }

    /// What the agent answers one call with.
    #[derive(Clone)]
    pub enum Answer {
        /// These events, each with its SSE id (if any), then `End`.
        Stream(Vec<(Option<u64>, Value)>, End),
        /// This error instead of a stream.
        Refuse(Error),
    }

    type Subscribe = dyn Fn(Option<u64>) -> Answer + Send + Sync;

    #[derive(Clone)]
    pub struct Fake {
        send: Answer,
        subscribe: Arc<Subscribe>,
        /// The `Last-Event-ID` of each subscription, in order.
        pub resumed_from: Arc<Mutex<Vec<Option<String>>>>,
    }

    pub fn task(state: &str) -> Value {
        json!({"task": {"id": "t1", "contextId": "c1", "status": {"state": state}}})
    }

    pub fn status(state: &str) -> Value {
        json!({"statusUpdate": {"taskId": "t1", "contextId": "c1", "status": {"state": state}}})
    }

    pub fn artifact(id: &str) -> Value {
        json!({"artifactUpdate": {"taskId": "t1", "contextId": "c1",
            "artifact": {"artifactId": id, "parts": [{"text": id}]}}})
    }

    impl Fake {
        pub fn new(send: Answer, subscribe: impl Fn(Option<u64>) -> Answer + Send + Sync + 'static) -> Self {
            Self {
                send,
                subscribe: Arc::new(subscribe),
                resumed_from: Arc::default(),
            }
        }

        pub fn resumed_from(&self) -> Vec<Option<String>> {
            self.resumed_from.lock().unwrap().clone()
        }

        fn answer(&self, subscription: bool, headers: &HeaderMap) -> Answer {
            if !subscription {
                return self.send.clone();
            }
            let last = headers
                .get("last-event-id")
                .map(|v| v.to_str().unwrap().to_owned());
            self.resumed_from.lock().unwrap().push(last.clone());
            (self.subscribe)(last.map(|v| v.parse().unwrap()))
        }

        /// Serves the JSON-RPC binding at `/`.
        pub async fn jsonrpc(self) -> String {
            let app = axum::Router::new().route(
                "/",
                axum::routing::post(move |headers: HeaderMap, body: String| {
                    let fake = self.clone();
                    async move {
                        let request: Value = serde_json::from_str(&body).unwrap();
                        let subscription = match request["method"].as_str().unwrap() {
                            "SendStreamingMessage" => false,
                            "SubscribeToTask" => true,
                            other => panic!("unexpected method {other}"),
                        };
                        let id = request["id"].clone();
                        match fake.answer(subscription, &headers) {
                            Answer::Stream(events, end) => {
                                let wrap = |event| json!({"jsonrpc": "2.0", "id": id, "result": event});
                                sse(events.into_iter().map(|(n, e)| (n, wrap(e))).collect(), end)
                            }
                            Answer::Refuse(err) => {
                                let body = json!({"jsonrpc": "2.0", "id": id, "error": err.to_jsonrpc()});
                                json_response(StatusCode::OK, &body)
                            }
                        }
                    }
                }),
            );
            serve(app).await
        }

        /// Serves the HTTP+JSON binding (`POST /message:stream`,
        /// `POST|GET /tasks/{id}:subscribe`).
        pub async fn rest(self) -> String {
            let answer = |fake: Fake, subscription: bool, headers: HeaderMap| async move {
                match fake.answer(subscription, &headers) {
                    Answer::Stream(events, end) => sse(events, end),
                    Answer::Refuse(err) => {
                        let status = StatusCode::from_u16(err.kind().http_status()).unwrap();
                        json_response(status, &serde_json::to_value(err.to_http()).unwrap())
                    }
                }
            };
            let send = self.clone();
            let app = axum::Router::new()
                .route(
                    "/message:stream",
                    axum::routing::post(move |headers| answer(send.clone(), false, headers)),
                )
                // `{id}:subscribe` is one segment: match it whole and check the verb's suffix.
                .route(
                    "/tasks/{id}",
                    axum::routing::any(
                        move |axum::extract::Path(id): axum::extract::Path<String>, headers| {
                            assert_eq!(id, "t1:subscribe");
                            answer(self.clone(), true, headers)
                        },
                    ),
                );
            serve(app).await
        }
    }

    /// An SSE response with `events`; an abort waits a moment first so the
    /// events before it reach the client rather than die in a buffer.
    fn sse(events: Vec<(Option<u64>, Value)>, end: End) -> Response {
        let frames = events.into_iter().map(|(id, event)| {
            let id = id.map(|n| format!("id: {n}\n")).unwrap_or_default();
            Ok::<_, std::io::Error>(format!("{id}data: {event}\n\n"))
        });
        let tail = futures_util::stream::once(async move {
            match end {
                End::Close => Ok(String::new()),
                End::Abort => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err(std::io::Error::other("connection dropped"))
                }
            }
        });
        let body = Body::from_stream(futures_util::stream::iter(frames).chain(tail));
        ([("content-type", "text/event-stream")], body).into_response()
    }

    fn json_response(status: StatusCode, body: &Value) -> Response {
        (status, [("content-type", "application/json")], body.to_string()).into_response()
    }

    async fn serve(app: axum::Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        base
    }
}

fn client(base: &str, binding: &str) -> Client {
    ClientFactory::new()
        .retry_policy(RetryPolicy::none())
        .client_for_interface(AgentInterface::new(base, binding))
        .unwrap()
}

async fn send(client: &Client) -> ClientStream {
    let request = a2akit::types::SendMessageRequest::new(a2akit::types::Message::user("go"));
    client.send_streaming_message(request).await.unwrap()
}

/// Everything the stream yields until it ends, errors included.
async fn drain(stream: &mut ClientStream) -> Vec<Result<StreamResponse, Error>> {
    let mut items = Vec::new();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("the stream ends in time")
    {
        items.push(item);
    }
    items
}

/// The events as the client should parse them.
fn parsed(events: &[serde_json::Value]) -> Vec<Result<StreamResponse, Error>> {
    events
        .iter()
        .map(|e| Ok(serde_json::from_value(e.clone()).unwrap()))
        .collect()
}

fn numbered(events: &[serde_json::Value], first: u64) -> Vec<(Option<u64>, serde_json::Value)> {
    (first..).map(Some).zip(events.iter().cloned()).collect()
}

/// Task, two updates (ids 1 to 3), then the two that end it (ids 4 and 5).
fn five_events() -> [serde_json::Value; 5] {
    [
        task("TASK_STATE_SUBMITTED"),
        status("TASK_STATE_WORKING"),
        artifact("a1"),
        artifact("a2"),
        status("TASK_STATE_COMPLETED"),
    ]
}

/// An agent whose send breaks off after event 3 (as `end` says) and whose
/// subscriptions replay from `replay_from`, up to event 5 and what `after` adds.
fn resumable(end: End, replay_from: u64, after: Vec<serde_json::Value>) -> Fake {
    let all = five_events();
    let send = Answer::Stream(numbered(&all[..3], 1), end);
    Fake::new(send, move |last| {
        assert_eq!(last, Some(3), "resumes after the last event seen");
        let mut events = numbered(&all[replay_from as usize - 1..], replay_from);
        events.extend(after.iter().map(|e| (Some(6), e.clone())));
        Answer::Stream(events, End::Close)
    })
}

#[tokio::test]
async fn jsonrpc_stream_that_ends_early_is_resumed_from_its_last_event() {
    let fake = resumable(End::Close, 4, Vec::new());
    let base = fake.clone().jsonrpc().await;
    let client = client(&format!("{base}/"), binding::JSONRPC);
    let mut stream = send(&client).await;
    assert_eq!(drain(&mut stream).await, parsed(&five_events()));
    assert_eq!(fake.resumed_from(), [Some("3".to_owned())]);
    assert_eq!(stream.last_event_id(), Some(5));
}

#[tokio::test]
async fn rest_stream_that_breaks_is_resumed_without_repeats_and_keeps_the_final_snapshot() {
    // The agent replays from event 2: events 2 and 3 were seen and are dropped.
    let snapshot = task("TASK_STATE_COMPLETED");
    let fake = resumable(End::Abort, 2, vec![snapshot.clone()]);
    let base = fake.clone().rest().await;
    let items = drain(&mut send_on(&base, binding::HTTP_JSON).await).await;
    let mut expected = five_events().to_vec();
    expected.push(snapshot);
    assert_eq!(items, parsed(&expected));
    assert_eq!(fake.resumed_from(), [Some("3".to_owned())]);
}

/// The stream yields events 1 to 3, then an error that says where it stopped.
fn assert_broke_after_three(items: &[Result<StreamResponse, Error>]) -> &Error {
    assert_eq!(items.len(), 4, "{items:?}");
    assert_eq!(items[..3], parsed(&five_events()[..3]));
    let err = items[3].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert_eq!(err.metadata().get("taskId").map(String::as_str), Some("t1"));
    assert_eq!(err.metadata().get("lastEventId").map(String::as_str), Some("3"));
    err
}

#[tokio::test]
async fn a_refused_resume_ends_the_stream_with_an_error_on_both_bindings() {
    for rest in [false, true] {
        let send = Answer::Stream(numbered(&five_events()[..3], 1), End::Close);
        let fake = Fake::new(send, |_| Answer::Refuse(Error::task_not_found("t1")));
        let items = if rest {
            let base = fake.clone().rest().await;
            drain(&mut send_on(&base, binding::HTTP_JSON).await).await
        } else {
            let base = fake.clone().jsonrpc().await;
            drain(&mut send_on(&format!("{base}/"), binding::JSONRPC).await).await
        };
        let err = assert_broke_after_three(&items);
        assert!(err.message().contains("refused"), "{err}");
        // HTTP+JSON tries POST, then GET on the 404: both carry the header.
        assert!(fake.resumed_from().iter().all(|h| h.as_deref() == Some("3")));
    }
}

async fn send_on(base: &str, binding: &str) -> ClientStream {
    send(&client(base, binding)).await
}

#[tokio::test]
async fn resuming_gives_up_after_three_attempts_that_bring_nothing() {
    let send = Answer::Stream(numbered(&five_events()[..3], 1), End::Close);
    let fake = Fake::new(send, |_| Answer::Stream(Vec::new(), End::Close));
    let base = fake.clone().jsonrpc().await;
    let items = drain(&mut send_on(&format!("{base}/"), binding::JSONRPC).await).await;
    let err = assert_broke_after_three(&items);
    assert!(err.message().contains("3 attempts"), "{err}");
    assert_eq!(fake.resumed_from().len(), 3);
}

#[tokio::test]
async fn a_stream_without_ids_or_without_a_task_cannot_resume_and_says_so() {
    let events: Vec<_> = five_events()[..3].iter().map(|e| (None, e.clone())).collect();
    let no_ids = Fake::new(Answer::Stream(events, End::Close), |_| panic!("no resume"));
    let base = no_ids.clone().rest().await;
    let items = drain(&mut send_on(&base, binding::HTTP_JSON).await).await;
    let err = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!((items.len(), err.kind()), (4, ErrorKind::Connect), "{err}");
    assert!(err.message().contains("no event ids"), "{err}");

    let nothing = Fake::new(Answer::Stream(Vec::new(), End::Abort), |_| panic!("no resume"));
    let base = nothing.clone().jsonrpc().await;
    let items = drain(&mut send_on(&format!("{base}/"), binding::JSONRPC).await).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap_err().kind(), ErrorKind::Connect);
    assert!(nothing.resumed_from().is_empty());
}

#[tokio::test]
async fn subscribe_from_sends_the_last_seen_id_and_follows_the_task_to_its_end() {
    let all = five_events();
    for rest in [false, true] {
        let tail = numbered(&all[3..], 4);
        let fake = Fake::new(Answer::Refuse(Error::internal("no send")), move |last| {
            assert_eq!(last, Some(3));
            Answer::Stream(tail.clone(), End::Close)
        });
        let client = if rest {
            client(&fake.clone().rest().await, binding::HTTP_JSON)
        } else {
            client(&format!("{}/", fake.clone().jsonrpc().await), binding::JSONRPC)
        };
        let mut stream = client.subscribe_from("t1", 3).await.unwrap();
        assert_eq!(stream.last_event_id(), Some(3));
        assert_eq!(drain(&mut stream).await, parsed(&all[3..]));
        assert_eq!(stream.last_event_id(), Some(5));
        assert_eq!(fake.resumed_from(), [Some("3".to_owned())]);
    }
}

#[tokio::test]
async fn auth_required_does_not_end_a_subscription_and_a_break_after_it_is_resumed() {
    let first = vec![
        (Some(1), task("TASK_STATE_WORKING")),
        (Some(2), status("TASK_STATE_AUTH_REQUIRED")),
    ];
    let fake = Fake::new(
        Answer::Refuse(Error::internal("no send")),
        move |last| match last {
            None => Answer::Stream(first.clone(), End::Abort),
            Some(2) => Answer::Stream(vec![(Some(3), status("TASK_STATE_COMPLETED"))], End::Close),
            other => panic!("unexpected resume after {other:?}"),
        },
    );
    let client = client(&format!("{}/", fake.clone().jsonrpc().await), binding::JSONRPC);
    let request = a2akit::types::SubscribeToTaskRequest::new("t1");
    let mut stream = client.subscribe_to_task(request).await.unwrap();
    let mut ids = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(10), stream.next_event())
        .await
        .expect("the stream ends in time")
    {
        ids.push(event.unwrap().id);
    }
    assert_eq!(ids, [Some(1), Some(2), Some(3)]);
    assert_eq!(fake.resumed_from(), [None, Some("2".to_owned())]);
}
