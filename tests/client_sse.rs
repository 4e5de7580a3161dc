//! Our client reading SSE streams from agents that misbehave, on JSON-RPC
//! and HTTP+JSON: bytes that are not UTF-8, events under other names, a
//! stream that goes silent, one without event ids that breaks off, a task
//! that finished while the client was away, and peers that close every
//! resumed stream again. Each agent is a small
//! scripted axum server (the `fake` module) on 127.0.0.1.
#![cfg(all(feature = "client", feature = "server"))]

use std::time::{Duration, Instant};

use a2akit::client::{Client, ClientFactory, ClientStream, RetryPolicy};
use a2akit::types::{AgentInterface, StreamResponse, TaskState, binding};
use a2akit::{Error, ErrorKind};
use fake::{Answer, Binding, Fake};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

/// A scripted agent: it answers the streamed send, each subscription and
/// each `GetTask` as told, and records the `Last-Event-ID` of every
/// subscription.
mod fake {
    use std::sync::{Arc, Mutex};

    use a2akit::Error;
    use axum::body::{Body, Bytes};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use futures_util::StreamExt as _;
    use serde_json::{Value, json};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Binding {
        JsonRpc,
        Rest,
    }

    pub const BOTH: [Binding; 2] = [Binding::JsonRpc, Binding::Rest];

    /// What the agent answers one call with.
    #[derive(Clone)]
    pub enum Answer {
        /// These raw SSE bytes, then the body ends, or (`hang`) stays open
        /// without another byte.
        Stream { bytes: Vec<u8>, hang: bool },
        /// This error instead.
        Refuse(Error),
        /// This task (for `GetTask`).
        Task(Value),
    }

    #[derive(Clone)]
    pub struct Fake {
        pub binding: Binding,
        send: Answer,
        subscribe: Answer,
        get: Answer,
        /// The `Last-Event-ID` of each subscription, in order.
        resumed_from: Arc<Mutex<Vec<Option<String>>>>,
    }

    /// One SSE event carrying `event` as the binding wraps it, with an
    /// `id:` when given.
    pub fn frame(binding: Binding, id: Option<u64>, event: &Value) -> Vec<u8> {
        let id = id.map(|n| format!("id: {n}\n")).unwrap_or_default();
        let data = match binding {
            Binding::JsonRpc => json!({"jsonrpc": "2.0", "id": 1, "result": event}),
            Binding::Rest => event.clone(),
        };
        format!("{id}data: {data}\n\n").into_bytes()
    }

    /// SSE frames of `events`, numbered from `first` (or without ids).
    pub fn frames(binding: Binding, first: Option<u64>, events: &[Value]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, event) in events.iter().enumerate() {
            out.extend(frame(binding, first.map(|n| n + i as u64), event));
        }
        out
    }

    impl Fake {
        pub fn new(binding: Binding, send: Answer, subscribe: Answer, get: Answer) -> Self {
            Self {
                binding,
                send,
                subscribe,
                get,
                resumed_from: Arc::default(),
            }
        }

        pub fn resumed_from(&self) -> Vec<Option<String>> {
            self.resumed_from.lock().unwrap().clone()
        }

        fn answer(&self, call: &str, id: Value, headers: &HeaderMap) -> Response {
            let answer = match call {
                "SendStreamingMessage" => self.send.clone(),
                "SubscribeToTask" => {
                    let last = headers
                        .get("last-event-id")
                        .map(|v| v.to_str().unwrap().to_owned());
                    self.resumed_from.lock().unwrap().push(last);
                    self.subscribe.clone()
                }
                "GetTask" => self.get.clone(),
                other => panic!("unexpected call {other}"),
            };
            match (answer, self.binding) {
                (Answer::Stream { bytes, hang }, _) => sse(bytes, hang),
                (Answer::Refuse(err), Binding::JsonRpc) => json_response(
                    StatusCode::OK,
                    &json!({"jsonrpc": "2.0", "id": id, "error": err.to_jsonrpc()}),
                ),
                (Answer::Refuse(err), Binding::Rest) => {
                    let status = StatusCode::from_u16(err.kind().http_status()).unwrap();
                    json_response(status, &serde_json::to_value(err.to_http()).unwrap())
                }
                (Answer::Task(task), Binding::JsonRpc) => json_response(
                    StatusCode::OK,
                    &json!({"jsonrpc": "2.0", "id": id, "result": task}),
                ),
                (Answer::Task(task), Binding::Rest) => json_response(StatusCode::OK, &task),
            }
        }

        /// Serves the agent; the URL of its interface.
        pub async fn serve(self) -> String {
            let binding = self.binding;
            let rpc = self.clone();
            let rest = self.clone();
            let app = axum::Router::new()
                .route(
                    "/",
                    axum::routing::post(move |headers: HeaderMap, body: String| {
                        let fake = rpc.clone();
                        async move {
                            let request: Value = serde_json::from_str(&body).unwrap();
                            fake.answer(
                                request["method"].as_str().unwrap(),
                                request["id"].clone(),
                                &headers,
                            )
                        }
                    }),
                )
                .route(
                    "/message:stream",
                    axum::routing::post({
                        let fake = self.clone();
                        move |headers: HeaderMap| async move {
                            fake.answer("SendStreamingMessage", Value::Null, &headers)
                        }
                    }),
                )
                // `{id}:subscribe` is one segment: match it whole.
                .route(
                    "/tasks/{id}",
                    axum::routing::any(
                        move |axum::extract::Path(id): axum::extract::Path<String>, headers: HeaderMap| {
                            let fake = rest.clone();
                            async move {
                                match id.strip_suffix(":subscribe") {
                                    Some(_) => fake.answer("SubscribeToTask", Value::Null, &headers),
                                    None => fake.answer("GetTask", Value::Null, &headers),
                                }
                            }
                        },
                    ),
                );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            match binding {
                Binding::JsonRpc => format!("{base}/"),
                Binding::Rest => base,
            }
        }
    }

    fn sse(bytes: Vec<u8>, hang: bool) -> Response {
        let head = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]);
        let body = match hang {
            true => Body::from_stream(head.chain(futures_util::stream::pending())),
            false => Body::from_stream(head),
        };
        ([("content-type", "text/event-stream")], body).into_response()
    }

    fn json_response(status: StatusCode, body: &Value) -> Response {
        (status, [("content-type", "application/json")], body.to_string()).into_response()
    }
}

fn task(state: &str) -> Value {
    json!({"id": "t1", "contextId": "c1", "status": {"state": state}})
}

fn task_event(state: &str) -> Value {
    json!({"task": task(state)})
}

fn status(state: &str) -> Value {
    json!({"statusUpdate": {"taskId": "t1", "contextId": "c1", "status": {"state": state}}})
}

fn artifact(id: &str) -> Value {
    json!({"artifactUpdate": {"taskId": "t1", "contextId": "c1",
        "artifact": {"artifactId": id, "parts": [{"text": id}]}}})
}

fn closed(bytes: Vec<u8>) -> Answer {
    Answer::Stream { bytes, hang: false }
}

fn client(url: &str, binding: Binding, idle: Option<Duration>) -> Client {
    let name = match binding {
        Binding::JsonRpc => binding::JSONRPC,
        Binding::Rest => binding::HTTP_JSON,
    };
    ClientFactory::new()
        .retry_policy(RetryPolicy::none())
        .stream_idle_timeout(idle)
        .client_for_interface(AgentInterface::new(url, name))
        .unwrap()
}

async fn send(client: &Client) -> ClientStream {
    client.send_streaming_message("go").await.unwrap()
}

/// Everything the stream yields until it ends (within 10 s), errors included.
async fn drain(stream: &mut ClientStream) -> Vec<Result<StreamResponse, Error>> {
    let mut items = Vec::new();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("the stream ends in time, it does not stall")
    {
        items.push(item);
    }
    items
}

fn parsed(event: &Value) -> StreamResponse {
    serde_json::from_value(event.clone()).unwrap()
}

fn state_of(item: &Result<StreamResponse, Error>) -> TaskState {
    match item.as_ref().unwrap() {
        StreamResponse::Task(task) => task.status.state,
        StreamResponse::StatusUpdate(update) => update.status.state,
        other => panic!("{other:?}"),
    }
}

/// Bytes that are not UTF-8 end the stream with an `InvalidResponse` error
/// where the event they belong to would have been, after the events before
/// it, at once: the connection is held open behind them, and nothing the
/// agent sends after them is read or kept.
#[tokio::test]
async fn invalid_utf8_is_an_error_not_a_stall() {
    for binding in fake::BOTH {
        let mut bytes = fake::frame(binding, Some(1), &task_event("TASK_STATE_WORKING"));
        let mut bad = fake::frame(binding, Some(2), &status("TASK_STATE_WORKING"));
        let at = bad.len() - 10;
        bad[at] = 0xff;
        bytes.extend(bad);
        bytes.extend(fake::frames(binding, Some(3), &[status("TASK_STATE_COMPLETED")]).repeat(200));
        let hold = Answer::Stream { bytes, hang: true };
        let refuse = || Answer::Refuse(Error::internal("not called"));
        let url = Fake::new(binding, hold, refuse(), refuse()).serve().await;
        let started = Instant::now();
        let items = drain(&mut send(&client(&url, binding, None)).await).await;
        assert_eq!(items.len(), 2, "{binding:?}: {items:?}");
        assert_eq!(
            items[0].as_ref().unwrap(),
            &parsed(&task_event("TASK_STATE_WORKING"))
        );
        let err = items[1].as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{binding:?}: {err}");
        assert!(err.message().contains("UTF-8"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{binding:?}");
    }
}

/// Events under a name of their own (`event: ping`, a server's custom
/// event) are not the protocol's: they are skipped, whatever their data,
/// and the stream reads on.
#[tokio::test]
async fn events_with_another_name_are_skipped() {
    for binding in fake::BOTH {
        let mut bytes = fake::frame(binding, Some(1), &task_event("TASK_STATE_WORKING"));
        bytes.extend(b"event: ping\ndata: {}\n\n");
        bytes.extend(fake::frame(binding, Some(2), &artifact("a1")));
        bytes.extend(b"event: progress\nid: 99\ndata: not JSON at all\n\n");
        bytes.extend(fake::frame(binding, Some(3), &status("TASK_STATE_COMPLETED")));
        let refuse = || Answer::Refuse(Error::internal("not called"));
        let fake = Fake::new(binding, closed(bytes), refuse(), refuse());
        let url = fake.clone().serve().await;
        let mut stream = send(&client(&url, binding, None)).await;
        let items = drain(&mut stream).await;
        let expected: Vec<Result<StreamResponse, Error>> = [
            task_event("TASK_STATE_WORKING"),
            artifact("a1"),
            status("TASK_STATE_COMPLETED"),
        ]
        .iter()
        .map(|e| Ok(parsed(e)))
        .collect();
        assert_eq!(items, expected, "{binding:?}");
        assert_eq!(stream.last_event_id(), Some(3), "{binding:?}");
        assert!(fake.resumed_from().is_empty());
    }
}

/// A stream that goes silent past the idle timeout is resumed from its
/// last event id, as if it had broken off.
#[tokio::test]
async fn a_silent_stream_is_resumed_from_its_last_event() {
    for binding in fake::BOTH {
        let first = [task_event("TASK_STATE_WORKING"), status("TASK_STATE_WORKING")];
        let silent = Answer::Stream {
            bytes: fake::frames(binding, Some(1), &first),
            hang: true,
        };
        let rest = closed(fake::frames(binding, Some(3), &[status("TASK_STATE_COMPLETED")]));
        let fake = Fake::new(
            binding,
            silent,
            rest,
            Answer::Refuse(Error::internal("not called")),
        );
        let url = fake.clone().serve().await;
        let mut stream = send(&client(&url, binding, Some(Duration::from_millis(300)))).await;
        let items = drain(&mut stream).await;
        let states: Vec<TaskState> = items.iter().map(state_of).collect();
        use TaskState::*;
        assert_eq!(states, [Working, Working, Completed], "{binding:?}");
        assert_eq!(fake.resumed_from(), [Some("2".to_owned())], "{binding:?}");
    }
}

/// An agent that sends no event ids cannot be resumed exactly; a stream of
/// it that breaks off is followed afresh (`SubscribeToTask`: a snapshot,
/// then live events) rather than failed.
#[tokio::test]
async fn a_stream_without_ids_is_followed_afresh() {
    for binding in fake::BOTH {
        let first = [task_event("TASK_STATE_WORKING"), artifact("a1")];
        let again = [
            task_event("TASK_STATE_WORKING"),
            artifact("a2"),
            status("TASK_STATE_COMPLETED"),
        ];
        let fake = Fake::new(
            binding,
            closed(fake::frames(binding, None, &first)),
            closed(fake::frames(binding, None, &again)),
            Answer::Refuse(Error::internal("not called")),
        );
        let url = fake.clone().serve().await;
        let items = drain(&mut send(&client(&url, binding, None)).await).await;
        assert_eq!(items.len(), 5, "{binding:?}: {items:?}");
        assert!(items.iter().all(Result::is_ok), "{binding:?}: {items:?}");
        assert_eq!(state_of(&items[4]), TaskState::Completed);
        assert_eq!(fake.resumed_from(), [None], "{binding:?}");
    }
}

/// When the agent will not follow the task any more because it finished
/// (`UnsupportedOperation`), the client reads it with `GetTask`: the
/// finished task is the stream's last event, not an error.
#[tokio::test]
async fn a_task_that_finished_while_away_ends_the_stream_with_its_snapshot() {
    for binding in fake::BOTH {
        let first = [task_event("TASK_STATE_WORKING")];
        let mut done = task("TASK_STATE_COMPLETED");
        done["artifacts"] = json!([{"artifactId": "a1", "parts": [{"text": "all of it"}]}]);
        let fake = Fake::new(
            binding,
            closed(fake::frames(binding, None, &first)),
            Answer::Refuse(Error::unsupported_operation("task t1 is already completed")),
            Answer::Task(done.clone()),
        );
        let url = fake.clone().serve().await;
        let items = drain(&mut send(&client(&url, binding, None)).await).await;
        assert_eq!(items.len(), 2, "{binding:?}: {items:?}");
        assert_eq!(
            items[1].as_ref().unwrap(),
            &parsed(&json!({"task": done})),
            "{binding:?}"
        );
        assert_eq!(fake.resumed_from(), [None], "{binding:?}");
    }
}

/// An agent that answers every subscription with a snapshot and the same
/// status update, then closes, brings nothing new: the client gives up
/// after a few resumes instead of resubscribing forever.
#[tokio::test]
async fn a_peer_that_repeats_itself_on_every_resume_is_given_up() {
    for binding in fake::BOTH {
        let same = [task_event("TASK_STATE_WORKING"), status("TASK_STATE_WORKING")];
        let fake = Fake::new(
            binding,
            closed(fake::frames(binding, None, &same)),
            closed(fake::frames(binding, None, &same)),
            Answer::Refuse(Error::internal("not called")),
        );
        let url = fake.clone().serve().await;
        let items = drain(&mut send(&client(&url, binding, None)).await).await;
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{binding:?}: {err}");
        assert_eq!(fake.resumed_from().len(), 3, "{binding:?}");
    }
}

/// A peer whose every resumed stream looks new (the state goes back and
/// forth) before it closes is resumed only so many times in all.
#[tokio::test]
async fn resumes_are_capped_in_all() {
    for binding in fake::BOTH {
        let flip = [
            task_event("TASK_STATE_WORKING"),
            status("TASK_STATE_AUTH_REQUIRED"),
        ];
        let fake = Fake::new(
            binding,
            closed(fake::frames(binding, None, &[task_event("TASK_STATE_WORKING")])),
            closed(fake::frames(binding, None, &flip)),
            Answer::Refuse(Error::internal("not called")),
        );
        let url = fake.clone().serve().await;
        let name = match binding {
            Binding::JsonRpc => binding::JSONRPC,
            Binding::Rest => binding::HTTP_JSON,
        };
        let client = ClientFactory::new()
            .retry_policy(RetryPolicy::none())
            .max_stream_resumes(5)
            .client_for_interface(AgentInterface::new(&url, name))
            .unwrap();
        let request = a2akit::types::SubscribeToTaskRequest::new("t1");
        let items = drain(&mut client.subscribe_to_task(request).await.unwrap()).await;
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect, "{binding:?}: {err}");
        assert!(err.message().contains("resumed 5 times"), "{err}");
        assert_eq!(
            fake.resumed_from().len(),
            6,
            "{binding:?}: the first call and five resumes"
        );
    }
}
