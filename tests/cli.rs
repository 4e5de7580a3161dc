#![cfg(feature = "cli")]
//! The `a2a` command line tool, run for real as a child process:
//!
//! * against its own echo agent (`a2a serve --echo`), over every binding
//!   the echo agent's card lists;
//! * against the official Python SDK's agent (`tests/python/agent.py`), over
//!   every binding it serves (skipped outside CI when the SDK's venv is
//!   missing, as in `interop_python.rs`);
//! * against agents that are missing, broken or lying, and with bad
//!   arguments: each must end with one `error:` line and the documented exit
//!   code, never a panic and never a hang.
//!
//! Every run has a deadline and every child is killed when its test ends.

mod support;

use std::io::{BufRead as _, BufReader, Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use a2akit::server::{AgentExecutor, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, StreamResponse, Task, TaskPushNotificationConfig, TaskState, binding, json};
use axum::Router;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

/// How long one run of `a2a`, or one line from a background process, may take.
const DEADLINE: Duration = Duration::from_secs(30);

/// An address where nothing listens.
const NOWHERE: &str = "http://127.0.0.1:1";

// --- Running the tool ---------------------------------------------------------

/// The `a2a` command, with nothing inherited that would change its behaviour.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_a2a"));
    command
        .args(args)
        .env_remove("A2A_BEARER")
        .env_remove("A2A_API_KEY")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Reads a pipe to its end on a thread of its own.
fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    let mut pipe = pipe.expect("a piped stream");
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// Kills the child when dropped, also when a test panics.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One finished run of `a2a`.
#[derive(Debug)]
struct Run {
    args: Vec<String>,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `a2a` to its end (at most [`DEADLINE`]).
fn a2a(args: &[&str]) -> Run {
    a2a_with_input(args, None)
}

/// Runs `a2a` with `input` on its stdin.
fn a2a_with_input(args: &[&str], input: Option<&str>) -> Run {
    let mut command = command(args);
    if input.is_some() {
        command.stdin(Stdio::piped());
    }
    let mut child = ChildGuard(command.spawn().expect("a2a starts"));
    if let Some(input) = input {
        // Dropping stdin ends the input.
        let mut stdin = child.0.stdin.take().expect("piped stdin");
        stdin.write_all(input.as_bytes()).expect("write to a2a");
    }
    let stdout = drain(child.0.stdout.take());
    let stderr = drain(child.0.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("poll a2a") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            drop(child);
            panic!(
                "a2a {args:?} did not finish within {DEADLINE:?}\nstdout: {}\nstderr: {}",
                stdout.join().unwrap_or_default(),
                stderr.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        args: args.iter().map(|arg| (*arg).to_owned()).collect(),
        code: status.code(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    };
    assert!(!run.stderr.contains("panicked"), "a2a panicked: {run:#?}");
    run
}

impl Run {
    /// Exit code 0 and nothing on stderr.
    #[track_caller]
    fn ok(self) -> Self {
        assert_eq!(self.code, Some(0), "a2a should succeed: {self:#?}");
        assert!(
            self.stderr.is_empty(),
            "a2a succeeded but wrote to stderr: {self:#?}"
        );
        self
    }

    /// Exit code `code` and one line on stderr, `error: …`.
    #[track_caller]
    fn fails(self, code: i32) -> Self {
        assert_eq!(self.code, Some(code), "a2a should exit with {code}: {self:#?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert!(
            lines.len() == 1 && lines[0].starts_with("error: ") && lines[0].len() > "error: ".len(),
            "a2a should say why on one `error:` line: {self:#?}"
        );
        self
    }

    /// A usage error as the argument parser reports it: exit code 2, and a
    /// message that starts with `error:` (followed by the usage).
    #[track_caller]
    fn usage_error(self) -> Self {
        assert_eq!(self.code, Some(2), "a usage error exits with 2: {self:#?}");
        assert!(
            self.stderr.starts_with("error: "),
            "a usage error says so: {self:#?}"
        );
        self
    }

    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Every line of stdout, parsed as a `T`.
    #[track_caller]
    fn json<T: DeserializeOwned>(&self) -> Vec<T> {
        self.stdout
            .lines()
            .map(|line| {
                json::from_str(line)
                    .unwrap_or_else(|err| panic!("a2a {:?} printed {line:?}: {err}", self.args))
            })
            .collect()
    }

    /// The one line of stdout, parsed as a `T`.
    #[track_caller]
    fn one<T: DeserializeOwned>(&self) -> T {
        let mut all = self.json::<T>();
        assert_eq!(all.len(), 1, "one JSON line: {self:#?}");
        all.remove(0)
    }
}

/// A child process that keeps running (an agent, a webhook listener), whose
/// stdout is read line by line.
struct Background {
    child: ChildGuard,
    lines: mpsc::Receiver<String>,
    stderr: Option<JoinHandle<String>>,
}

impl Background {
    fn spawn(mut command: Command) -> Self {
        let mut child = ChildGuard(command.spawn().expect("the process starts"));
        let stdout = child.0.stdout.take().expect("piped stdout");
        let stderr = drain(child.0.stderr.take());
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Self {
            child,
            lines,
            stderr: Some(stderr),
        }
    }

    /// `a2a ARGS` in the background.
    fn a2a(args: &[&str]) -> Self {
        Self::spawn(command(args))
    }

    /// Kills the process and fails the test with what it said.
    fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
        let stderr = self
            .stderr
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        panic!("{why}; its stderr:\n{stderr}");
    }

    /// The next line of stdout.
    fn line(&mut self) -> String {
        match self.lines.recv_timeout(DEADLINE) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => self.fail(&format!("no line within {DEADLINE:?}")),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                self.fail("the process ended before it printed a line")
            }
        }
    }

    /// Waits for the process to end by itself; its exit status, and the
    /// lines it printed that were not read yet.
    fn finish(self) -> (ExitStatus, Vec<String>) {
        self.finish_within(DEADLINE)
    }

    fn finish_within(mut self, within: Duration) -> (ExitStatus, Vec<String>) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.0.try_wait().expect("poll the process") {
                break status;
            }
            if started.elapsed() > within {
                self.fail(&format!("the process did not end within {within:?}"));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(DEADLINE) {
            rest.push(line);
        }
        let stderr = self
            .stderr
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        assert!(!stderr.contains("panicked"), "the process panicked: {stderr}");
        (status, rest)
    }
}

/// `task ID STATE`, the first line `send`, `tasks get` and `stream` print:
/// the id and the state.
#[track_caller]
fn task_line(line: &str) -> (&str, &str) {
    line.strip_prefix("task ")
        .and_then(|rest| rest.split_once(' '))
        .unwrap_or_else(|| panic!("a `task ID STATE` line: {line:?}"))
}

/// The wire name of a `--binding` value.
fn wire(name: &str) -> &'static str {
    match name {
        "jsonrpc" => binding::JSONRPC,
        "http_json" => binding::HTTP_JSON,
        _ => binding::GRPC,
    }
}

/// The last state a stream reported.
fn last_state(events: &[StreamResponse]) -> Option<TaskState> {
    events.iter().rev().find_map(|event| match event {
        StreamResponse::Task(task) => Some(task.status.state),
        StreamResponse::StatusUpdate(update) => Some(update.status.state),
        _ => None,
    })
}

/// Every task of `context`, one page at a time (`--page-size 1 --all`).
fn every_task_in(run: &dyn Fn(&[&str]) -> Run, url: &str, context: &str) -> Vec<Task> {
    run(&[
        "--json",
        "tasks",
        "list",
        url,
        "--context",
        context,
        "--page-size",
        "1",
        "--all",
    ])
    .ok()
    .json()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

// --- Our echo agent -------------------------------------------------------------

/// `a2a serve --echo` on a free port.
struct EchoAgent {
    base: String,
    _process: Background,
}

fn echo_agent() -> EchoAgent {
    let mut process = Background::a2a(&["serve", "--echo", "--port", "0"]);
    let line = process.line();
    let Some(base) = line.strip_prefix("echo agent listening on ") else {
        process.fail(&format!("serve announced {line:?}"))
    };
    EchoAgent {
        base: base.to_owned(),
        _process: process,
    }
}

/// Every command against the echo agent, over one binding.
fn echo_scenario(name: &str) {
    let agent = echo_agent();
    let url = agent.base.as_str();
    let run = |args: &[&str]| a2a(&[&["--binding", name][..], args].concat());
    let mut created = Vec::new();

    // The card, for people and as JSON.
    let shown = a2a(&["card", url]).ok();
    assert!(shown.stdout.starts_with("a2a echo "), "{shown:#?}");
    assert!(shown.stdout.contains(wire(name)), "{shown:#?}");
    assert!(
        shown.stdout.contains("streaming, push notifications"),
        "{shown:#?}"
    );
    let card: AgentCard = a2a(&["--json", "card", url]).ok().one();
    assert_eq!(card.name, "a2a echo");
    assert!(
        card.supported_interfaces
            .iter()
            .any(|i| i.protocol_binding == wire(name)),
        "the echo agent's card lists {name}: {card:?}"
    );

    // send: the echo comes back as the final message and as an artifact.
    let text = format!("hello over {name}");
    let sent = run(&["send", url, &text]).ok();
    let lines = sent.lines();
    let (id, state) = task_line(lines[0]);
    assert_eq!(state, "completed", "{sent:#?}");
    assert_eq!(
        lines[1..],
        [format!("  {text}"), format!("  [echo] {text}")],
        "{sent:#?}"
    );
    created.push(id.to_owned());

    let task: Task = run(&["--json", "send", url, "as json"]).ok().one();
    assert_eq!(task.status.state, TaskState::Completed, "{task:?}");
    assert_eq!(
        task.status.message.as_ref().map(|m| m.text()).as_deref(),
        Some("as json")
    );
    created.push(task.id.clone());

    // Attachments travel as parts of the message.
    let file = std::env::temp_dir().join(format!("a2a-cli-{}-{name}.txt", std::process::id()));
    std::fs::write(&file, "attached").expect("write the attachment");
    let with_parts: Task = run(&[
        "--json",
        "send",
        url,
        "with parts",
        "--data",
        r#"{"k":1}"#,
        "--file",
        file.to_str().expect("a UTF-8 path"),
    ])
    .ok()
    .one();
    let _ = std::fs::remove_file(&file);
    let asked = with_parts
        .history
        .first()
        .expect("the user's message is in the history");
    assert_eq!(asked.parts.len(), 3, "{with_parts:?}");
    assert!(
        asked.parts.iter().any(|part| part.filename.ends_with(".txt")),
        "{asked:?}"
    );
    created.push(with_parts.id.clone());

    let quick: Task = run(&["--json", "send", url, "do not wait", "--no-wait"])
        .ok()
        .one();
    assert!(!quick.id.is_empty());
    created.push(quick.id.clone());

    // stream: the updates as they come, for people and as JSON.
    let streamed = run(&["stream", url, "streamed words"]).ok();
    let lines = streamed.lines();
    let (id, _) = task_line(lines[0]);
    assert!(lines.contains(&"[working]"), "{streamed:#?}");
    assert_eq!(lines.last(), Some(&"[completed] streamed words"), "{streamed:#?}");
    created.push(id.to_owned());

    let events: Vec<StreamResponse> = run(&["--json", "stream", url, "streamed json"]).ok().json();
    let Some(StreamResponse::Task(first)) = events.first() else {
        panic!("a stream starts with the task: {events:?}")
    };
    created.push(first.id.clone());
    assert!(
        events
            .iter()
            .any(|e| matches!(e, StreamResponse::ArtifactUpdate(_))),
        "{events:?}"
    );
    match events.last() {
        Some(StreamResponse::StatusUpdate(update)) => {
            assert_eq!(update.status.state, TaskState::Completed, "{events:?}");
            assert_eq!(update.task_id, first.id);
        }
        other => panic!("a stream ends with the final status update: {other:?}"),
    }

    // tasks list, a page at a time, in a context of its own.
    let context = format!("cli-{name}-{}", std::process::id());
    let mut in_context = Vec::new();
    for n in 0..3 {
        let task: Task = run(&["--json", "send", url, &format!("page {n}"), "--context", &context])
            .ok()
            .one();
        assert_eq!(task.context_id, context);
        in_context.push(task.id.clone());
        created.push(task.id);
    }
    let page = run(&["tasks", "list", url, "--context", &context, "--page-size", "1"]).ok();
    let [row, more] = page.lines()[..] else {
        panic!("one task and a `more:` line: {page:#?}")
    };
    let columns: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(columns.len(), 3, "{page:#?}");
    assert!(in_context.iter().any(|id| id == columns[0]), "{page:#?}");
    assert_eq!(columns[1..], ["completed", context.as_str()], "{page:#?}");
    let token = more
        .strip_prefix("more: --page-token ")
        .unwrap_or_else(|| panic!("a `more:` line: {page:#?}"));
    let next = run(&[
        "tasks",
        "list",
        url,
        "--context",
        &context,
        "--page-size",
        "1",
        "--page-token",
        token,
    ])
    .ok();
    let second = next.lines()[0]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_ne!(second, columns[0], "{next:#?}");
    assert!(in_context.contains(&second), "{next:#?}");

    let whole = run(&["tasks", "list", url, "--context", &context]).ok();
    assert_eq!(whole.lines().len(), 4, "{whole:#?}");
    assert_eq!(whole.lines().last(), Some(&"3 of 3 tasks"), "{whole:#?}");

    let listed = every_task_in(&run, url, &context);
    assert_eq!(
        sorted(listed.into_iter().map(|t| t.id).collect()),
        sorted(in_context.clone())
    );
    let everything: Vec<Task> = run(&["--json", "tasks", "list", url, "--all", "--page-size", "2"])
        .ok()
        .json();
    assert_eq!(
        sorted(everything.into_iter().map(|t| t.id).collect()),
        sorted(created.clone())
    );

    // tasks get.
    let got = run(&["tasks", "get", url, &task.id]).ok();
    assert_eq!(
        task_line(got.lines()[0]),
        (task.id.as_str(), "completed"),
        "{got:#?}"
    );
    let got: Task = run(&["--json", "tasks", "get", url, &task.id, "--history", "1"])
        .ok()
        .one();
    assert_eq!(got.id, task.id);
    assert!(got.history.len() <= 1, "{got:?}");

    // A question: the task waits for input; cancel it.
    let waiting: Task = run(&["--json", "send", url, "ask me anything"]).ok().one();
    assert_eq!(waiting.status.state, TaskState::InputRequired, "{waiting:?}");
    assert_eq!(
        waiting.status.message.as_ref().map(|m| m.text()).as_deref(),
        Some("what else?")
    );
    for state in ["input-required", "TASK_STATE_INPUT_REQUIRED"] {
        let open: Vec<Task> = run(&["--json", "tasks", "list", url, "--status", state])
            .ok()
            .json();
        assert_eq!(
            open.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            [waiting.id.as_str()]
        );
    }
    let canceled = run(&["tasks", "cancel", url, &waiting.id]).ok();
    assert_eq!(
        task_line(canceled.lines()[0]),
        (waiting.id.as_str(), "canceled"),
        "{canceled:#?}"
    );
    let after: Task = run(&["--json", "tasks", "get", url, &waiting.id]).ok().one();
    assert_eq!(after.status.state, TaskState::Canceled);
    // A finished task cannot be canceled again: the agent refuses.
    let refused = run(&["tasks", "cancel", url, &waiting.id]).fails(4);
    assert!(refused.stdout.is_empty(), "{refused:#?}");

    // A task that does not exist.
    let missing = run(&["tasks", "get", url, "no-such-task"]).fails(4);
    assert!(missing.stderr.contains("no-such-task"), "{missing:#?}");
    assert!(missing.stdout.is_empty(), "{missing:#?}");

    // tasks subscribe follows an open task to its end.
    let open: Task = run(&["--json", "send", url, "ask for a follower"]).ok().one();
    let mut follower = Background::a2a(&["--binding", name, "tasks", "subscribe", url, &open.id]);
    let first = follower.line();
    assert_eq!(task_line(&first), (open.id.as_str(), "input-required"));
    let answered = run(&["send", url, "the answer", "--task", &open.id]).ok();
    assert_eq!(
        task_line(answered.lines()[0]),
        (open.id.as_str(), "completed"),
        "{answered:#?}"
    );
    let (status, rest) = follower.finish();
    assert!(status.success(), "subscribe exited with {status}: {rest:?}");
    assert_eq!(
        rest.last().map(String::as_str),
        Some("[completed] the answer"),
        "{rest:?}"
    );

    // chat: the answer to a question goes to the task that asked it.
    let chat = a2a_with_input(
        &["--binding", name, "--json", "chat", url],
        Some("ask away\nmy answer\n"),
    )
    .ok();
    let turns: Vec<Task> = chat.json();
    let [question, answer] = &turns[..] else {
        panic!("two turns: {chat:#?}")
    };
    assert_eq!(question.status.state, TaskState::InputRequired);
    assert_eq!(
        (answer.id.as_str(), answer.status.state),
        (question.id.as_str(), TaskState::Completed)
    );
    let chat = a2a_with_input(&["--binding", name, "chat", url], Some("hi there\n")).ok();
    assert!(chat.stdout.starts_with("talking to a2a echo at "), "{chat:#?}");
    assert!(chat.stdout.contains("[echo] hi there"), "{chat:#?}");
}

/// Push notifications from the echo agent, received by `a2a push listen`.
fn echo_push_scenario(name: &str) {
    let agent = echo_agent();
    let url = agent.base.as_str();
    let run = |args: &[&str]| a2a(&[&["--binding", name][..], args].concat());
    let token = "cli-push-token";

    let mut listener = Background::a2a(&["--json", "push", "listen", "--count", "1", "--token", token]);
    let announced: serde_json::Value =
        serde_json::from_str(&listener.line()).expect("listen announces its address as JSON");
    let webhook = announced["listening"].as_str().expect("a URL").to_owned();
    assert!(webhook.starts_with("http://127.0.0.1:"), "{announced}");

    let task: Task = run(&["--json", "send", url, "ask before the webhook"]).ok().one();
    assert_eq!(task.status.state, TaskState::InputRequired);
    let set = run(&[
        "push", "set", url, &task.id, &webhook, "--token", token, "--id", "hook",
    ])
    .ok();
    assert_eq!(set.lines(), [format!("{} hook → {webhook}", task.id)], "{set:#?}");
    let spare: TaskPushNotificationConfig = run(&[
        "--json",
        "push",
        "set",
        url,
        &task.id,
        "http://127.0.0.1:1/spare",
        "--id",
        "spare",
        "--auth",
        "Bearer abc",
    ])
    .ok()
    .one();
    let auth = spare.authentication.as_ref().expect("the credentials are kept");
    assert_eq!(
        (auth.scheme.as_str(), auth.credentials.as_str()),
        ("Bearer", "abc")
    );

    let listed: Vec<TaskPushNotificationConfig> = run(&["--json", "push", "list", url, &task.id]).ok().json();
    assert_eq!(
        sorted(listed.iter().map(|c| c.id.clone()).collect()),
        ["hook", "spare"]
    );
    let hook = listed.iter().find(|c| c.id == "hook").expect("hook");
    assert_eq!(
        (hook.url.as_str(), hook.token.as_str()),
        (webhook.as_str(), token)
    );
    let got: TaskPushNotificationConfig = run(&["--json", "push", "get", url, &task.id, "spare"]).ok().one();
    assert_eq!(got.url, "http://127.0.0.1:1/spare");
    let deleted = run(&["push", "delete", url, &task.id, "spare"]).ok();
    assert_eq!(deleted.lines(), ["deleted"]);
    run(&["push", "get", url, &task.id, "spare"]).fails(4);

    // The answer moves the task on: the agent delivers, signed with the token.
    run(&["send", url, "answer for the webhook", "--task", &task.id]).ok();
    assert_one_delivery_for(listener, &task.id);
}

/// `push listen --json --count 1` ended well after one delivery, an event
/// of task `task_id` with an id of its own.
fn assert_one_delivery_for(listener: Background, task_id: &str) {
    let (status, deliveries) = listener.finish();
    assert!(status.success(), "listen exited with {status}: {deliveries:?}");
    let [delivery] = &deliveries[..] else {
        panic!("one delivery line: {deliveries:?}")
    };
    let delivery: serde_json::Value = serde_json::from_str(delivery).expect("a JSON delivery line");
    assert!(
        delivery["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{delivery}"
    );
    let event: StreamResponse = json::from_value(delivery["event"].clone()).expect("a StreamResponse");
    let of = match &event {
        StreamResponse::Task(t) => &t.id,
        StreamResponse::StatusUpdate(u) => &u.task_id,
        StreamResponse::ArtifactUpdate(u) => &u.task_id,
        StreamResponse::Message(m) => &m.task_id,
        StreamResponse::Unrecognized => panic!("an unrecognized event: {delivery}"),
    };
    assert_eq!(of, task_id, "{delivery}");
}

#[test]
fn echo_agent_over_jsonrpc() {
    echo_scenario("jsonrpc");
}

#[test]
fn echo_agent_over_http_json() {
    echo_scenario("http_json");
}

/// gRPC on the echo agent's port, listed in its card when built with it.
#[cfg(feature = "grpc")]
#[test]
fn echo_agent_over_grpc() {
    echo_scenario("grpc");
}

#[test]
fn push_delivery_from_echo_agent_over_jsonrpc() {
    echo_push_scenario("jsonrpc");
}

#[test]
fn push_delivery_from_echo_agent_over_http_json() {
    echo_push_scenario("http_json");
}

#[cfg(feature = "grpc")]
#[test]
fn push_delivery_from_echo_agent_over_grpc() {
    echo_push_scenario("grpc");
}

/// `serve` and `push listen` announce their address as text or as JSON, and
/// a port already taken is a clear error.
#[test]
fn serve_and_listen_announce_their_address() {
    let mut serve = Background::a2a(&["--json", "serve", "--echo", "--port", "0"]);
    let announced: serde_json::Value = serde_json::from_str(&serve.line()).expect("serve announces JSON");
    let base = announced["listening"].as_str().expect("a URL").to_owned();
    let card: AgentCard = a2a(&["--json", "card", &base]).ok().one();
    assert_eq!(card.name, "a2a echo");

    let mut listen = Background::a2a(&["push", "listen"]);
    let line = listen.line();
    assert!(
        line.starts_with("listening on http://127.0.0.1:") && line.ends_with("/webhook"),
        "{line:?}"
    );

    let port = base.rsplit(':').next().expect("a port");
    a2a(&["serve", "--echo", "--port", port]).fails(5);
    a2a(&["push", "listen", "--port", port]).fails(5);
}

// --- A task that ends badly -------------------------------------------------------

/// Fails every task, or rejects it when told `reject`.
struct Refuser;

impl AgentExecutor for Refuser {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), a2akit::Error> {
        updater.start_work().await?;
        if context.message.text() == "reject" {
            updater.reject(updater.message("not for me")).await
        } else {
            updater.fail(updater.message("it broke")).await
        }
    }
}

/// An app served in-process on a free port, stopped when dropped.
struct InProcess {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for InProcess {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_app(make: impl FnOnce(&str) -> Router) -> InProcess {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let app = make(&base);
    let task = tokio::spawn(async move {
        let _ = a2akit::server::serve(listener, app).await;
    });
    InProcess { base, task }
}

/// A failed or rejected task is exit code 3, the task still printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_ends_badly_exits_3() {
    let agent = serve_app(|base| {
        let card = AgentCard::builder()
            .name("refuser")
            .description("Fails everything")
            .version("1.0.0")
            .interface(format!("{base}/"), binding::JSONRPC)
            .interface(base, binding::HTTP_JSON)
            .streaming(true)
            .build();
        a2akit::server::http::router(RequestHandler::builder(card, Refuser).build())
    })
    .await;
    let url = agent.base.as_str();
    for name in ["jsonrpc", "http_json"] {
        let failed = a2a(&["--binding", name, "send", url, "please"]).fails(3);
        let (id, state) = task_line(failed.lines()[0]);
        assert_eq!(state, "failed", "{failed:#?}");
        assert!(
            failed.stderr.contains(&format!("task {id} ended failed")),
            "{failed:#?}"
        );

        let task: Task = a2a(&["--binding", name, "--json", "send", url, "please"])
            .fails(3)
            .one();
        assert_eq!(task.status.state, TaskState::Failed);

        let rejected = a2a(&["--binding", name, "stream", url, "reject"]).fails(3);
        assert!(rejected.stderr.contains("ended rejected"), "{rejected:#?}");
        let events: Vec<StreamResponse> = a2a(&["--binding", name, "--json", "stream", url, "x"])
            .fails(3)
            .json();
        assert_eq!(last_state(&events), Some(TaskState::Failed), "{events:?}");
    }
}

// --- Agents that are missing, broken or lying ---------------------------------------

/// An agent card, raw, with the given interfaces (`[url, binding]`).
fn raw_card(interfaces: &[(&str, &str)]) -> String {
    let interfaces: Vec<serde_json::Value> = interfaces
        .iter()
        .map(|(url, binding)| serde_json::json!({"url": url, "protocolBinding": binding, "protocolVersion": "1.0"}))
        .collect();
    serde_json::json!({
        "name": "odd agent",
        "description": "Not quite right",
        "version": "1.0.0",
        "supportedInterfaces": interfaces,
        "capabilities": {"streaming": true, "pushNotifications": true},
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["text/plain"],
        "skills": [],
    })
    .to_string()
}

/// Serves `card` at the well-known path, and hands everything else to `rest`.
fn card_then<H, T>(card: String, rest: H) -> Router
where
    H: axum::handler::Handler<T, ()>,
    T: 'static,
{
    Router::new()
        .route(
            "/.well-known/agent-card.json",
            axum::routing::get(move || async move { ([(CONTENT_TYPE, "application/json")], card) }),
        )
        .fallback(rest)
}

#[test]
fn an_unreachable_agent_is_a_transport_error() {
    for args in [
        &["card", NOWHERE][..],
        &["send", NOWHERE, "hello"],
        &["stream", NOWHERE, "hello"],
        &["tasks", "list", NOWHERE],
        &["push", "list", NOWHERE, "task-1"],
        &["--json", "send", NOWHERE, "hello"],
    ] {
        let run = a2a(args).fails(5);
        assert!(run.stdout.is_empty(), "{run:#?}");
    }
    a2a(&["card", "not a url"]).fails(5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_page_is_not_a_card() {
    let site = serve_app(|_| {
        Router::new().fallback(|| async {
            (
                [(CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!doctype html><html><body><h1>Welcome</h1></body></html>",
            )
        })
    })
    .await;
    let url = site.base.as_str();
    for args in [
        &["card", url][..],
        &["send", url, "hello"],
        &["tasks", "get", url, "t"],
    ] {
        let run = a2a(args).fails(5);
        assert!(run.stderr.contains("agent card"), "{run:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_with_no_interface_we_speak() {
    let agent = serve_app(|base| {
        card_then(raw_card(&[(&format!("{base}/soap"), "SOAP")]), || async {
            "<soap:Envelope/>"
        })
    })
    .await;
    let url = agent.base.as_str();
    // The card itself can be shown...
    let shown = a2a(&["card", url]).ok();
    assert!(shown.stdout.contains("SOAP"), "{shown:#?}");
    // ...but nothing can be sent.
    for args in [
        &["send", url, "hello"][..],
        &["stream", url, "hello"],
        &["tasks", "list", url],
        &["--binding", "jsonrpc", "send", url, "hello"],
        &["--binding", "grpc", "tasks", "get", url, "t"],
    ] {
        let run = a2a(args).fails(5);
        assert!(run.stderr.contains("no interface"), "{run:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_that_answers_garbage() {
    let agent = serve_app(|base| {
        let card = raw_card(&[
            (&format!("{base}/"), binding::JSONRPC),
            (base, binding::HTTP_JSON),
        ]);
        card_then(card, || async { "not json" })
    })
    .await;
    let url = agent.base.as_str();
    for name in ["jsonrpc", "http_json"] {
        for args in [
            &["send", url, "hello"][..],
            &["--json", "send", url, "hello"],
            &["stream", url, "hello"],
            &["tasks", "get", url, "t"],
            &["tasks", "list", url, "--all"],
            &["tasks", "cancel", url, "t"],
            &["tasks", "subscribe", url, "t"],
            &["push", "set", url, "t", "http://127.0.0.1:1/hook"],
            &["push", "list", url, "t"],
        ] {
            let run = a2a(&[&["--binding", name][..], args].concat()).fails(5);
            assert!(run.stdout.is_empty(), "{run:#?}");
        }
    }
}

/// An agent that takes the request and never answers: `--timeout` ends the wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_that_never_answers_times_out() {
    let agent = serve_app(|base| {
        let card = raw_card(&[
            (&format!("{base}/"), binding::JSONRPC),
            (base, binding::HTTP_JSON),
        ]);
        card_then(card, std::future::pending::<&'static str>)
    })
    .await;
    let silent = serve_app(|_| Router::new().fallback(std::future::pending::<&'static str>)).await;
    let started = Instant::now();
    a2a(&["--timeout", "1", "card", &silent.base]).fails(5);
    for name in ["jsonrpc", "http_json"] {
        for args in [
            &["tasks", "get", &agent.base, "t"][..],
            &["stream", &agent.base, "hello"],
            &["send", &agent.base, "hello", "--no-wait"],
        ] {
            a2a(&[&["--timeout", "1", "--binding", name][..], args].concat()).fails(5);
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn usage_errors_exit_2() {
    // No command at all: the usage, on stderr.
    let bare = a2a(&[]);
    assert_eq!(bare.code, Some(2), "{bare:#?}");
    assert!(bare.stderr.contains("Usage: a2a"), "{bare:#?}");
    for args in [
        &["send"][..],
        &["send", NOWHERE],
        &["frobnicate"],
        &["tasks", "frobnicate", NOWHERE],
        &["serve"],
        &["--binding", "soap", "card", NOWHERE],
        &["--timeout", "soon", "card", NOWHERE],
        &["tasks", "get", NOWHERE, "t", "--history", "many"],
    ] {
        let run = a2a(args).usage_error();
        assert!(run.stdout.is_empty(), "{run:#?}");
    }
}

/// `--help` says what the tool is for (not what the library is).
#[test]
fn help_describes_the_tool() {
    let help = a2a(&["--help"]).ok();
    assert!(help.stdout.starts_with("Talk to A2A agents"), "{help:#?}");
    let version = a2a(&["--version"]).ok();
    assert_eq!(
        version.stdout.trim(),
        format!("a2a {}", env!("CARGO_PKG_VERSION"))
    );
}

/// `push listen --count 0` has nothing to wait for: it must not wait forever.
#[test]
fn listen_for_no_deliveries_ends() {
    let listen = Background::a2a(&["push", "listen", "--count", "0"]);
    let (status, lines) = listen.finish_within(Duration::from_secs(5));
    assert!(matches!(status.code(), Some(0 | 2)), "{status}: {lines:?}");
}

/// Option values the tool itself finds malformed are usage errors too,
/// found before the agent is asked anything (the agent here is unreachable,
/// so a transport error would mean the tool went to it first).
#[test]
fn malformed_option_values_are_usage_errors() {
    let missing = std::env::temp_dir().join(format!("a2a-cli-{}-missing.txt", std::process::id()));
    let missing = missing.to_str().expect("a UTF-8 path");
    let mut wrong = Vec::new();
    for args in [
        &["--api-key", "no-equals-sign", "tasks", "list", NOWHERE][..],
        &["--header", "no colon", "tasks", "list", NOWHERE],
        &["send", NOWHERE, "hello", "--data", "{not json"],
        &["send", NOWHERE, "hello", "--file", missing],
        &["tasks", "list", NOWHERE, "--status", "sleepy"],
    ] {
        let run = a2a(args);
        let one_line = run.stderr.lines().count() == 1 && run.stderr.starts_with("error: ");
        if run.code != Some(2) || !one_line {
            wrong.push(run);
        }
    }
    assert!(
        wrong.is_empty(),
        "each should exit with 2 and one `error:` line: {wrong:#?}"
    );
}

// --- The official Python SDK's agent ---------------------------------------------

/// The Python interpreter that has the SDK (see `support::python`).
fn python() -> Option<PathBuf> {
    support::python::interpreter()
}

/// `agent.py` on free ports; its base URL once it printed `READY`.
fn python_agent(python: &Path) -> (String, Background) {
    let mut command = Command::new(python);
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/agent.py"))
        .arg("0")
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut process = Background::spawn(command);
    loop {
        let line = process.line();
        if let Some(ports) = line.strip_prefix("READY ") {
            let port = ports.split_whitespace().next().unwrap_or_default().to_owned();
            return (format!("http://127.0.0.1:{port}"), process);
        }
    }
}

/// The commands that work whatever the Python agent's behaviour (it picks
/// it by message id; any id it does not know completes the task).
fn python_scenario(name: &str) {
    let Some(python) = python() else { return };
    let (base, _agent) = python_agent(&python);
    let url = base.as_str();
    let run = |args: &[&str]| a2a(&[&["--binding", name][..], args].concat());

    let shown = a2a(&["card", url]).ok();
    assert!(shown.stdout.starts_with("a2a-sdk interop agent "), "{shown:#?}");
    assert!(shown.stdout.contains(wire(name)), "{shown:#?}");
    let card: AgentCard = a2a(&["--json", "card", url]).ok().one();
    assert!(
        card.supported_interfaces
            .iter()
            .any(|i| i.protocol_binding == wire(name)),
        "{card:?}"
    );
    assert_eq!(card.capabilities.push_notifications, Some(true));

    // send and stream complete the task.
    let sent = run(&["send", url, "hello from the CLI"]).ok();
    assert_eq!(task_line(sent.lines()[0]).1, "completed", "{sent:#?}");
    let done: Task = run(&["--json", "send", url, "hello again"]).ok().one();
    assert_eq!(done.status.state, TaskState::Completed, "{done:?}");
    let streamed = run(&["stream", url, "stream it"]).ok();
    assert!(
        streamed
            .lines()
            .last()
            .is_some_and(|line| line.starts_with("[completed]")),
        "{streamed:#?}"
    );
    let events: Vec<StreamResponse> = run(&["--json", "stream", url, "stream json"]).ok().json();
    assert_eq!(last_state(&events), Some(TaskState::Completed), "{events:?}");

    // tasks list and get.
    let context = format!("cli-py-{name}-{}", std::process::id());
    let mut in_context = Vec::new();
    for n in 0..2 {
        let task: Task = run(&["--json", "send", url, &format!("page {n}"), "--context", &context])
            .ok()
            .one();
        in_context.push(task.id);
    }
    let page = run(&["tasks", "list", url, "--context", &context, "--page-size", "1"]).ok();
    assert_eq!(page.lines().len(), 2, "{page:#?}");
    assert!(page.lines()[1].starts_with("more: --page-token "), "{page:#?}");
    let listed = every_task_in(&run, url, &context);
    assert_eq!(
        sorted(listed.into_iter().map(|t| t.id).collect()),
        sorted(in_context)
    );
    let got: Task = run(&["--json", "tasks", "get", url, &done.id]).ok().one();
    assert_eq!(
        (got.id.as_str(), got.status.state),
        (done.id.as_str(), TaskState::Completed)
    );
    run(&["tasks", "get", url, "no-such-task"]).fails(4);
    run(&["tasks", "cancel", url, &done.id]).fails(4);

    // Push notification configs.
    let hook = "https://example.com/hook";
    let set: TaskPushNotificationConfig = run(&[
        "--json", "push", "set", url, &done.id, hook, "--id", "cli-1", "--token", "t",
    ])
    .ok()
    .one();
    assert_eq!((set.id.as_str(), set.url.as_str()), ("cli-1", hook), "{set:?}");
    let listed: Vec<TaskPushNotificationConfig> = run(&["--json", "push", "list", url, &done.id]).ok().json();
    assert!(
        listed.iter().any(|c| c.id == "cli-1" && c.url == hook),
        "{listed:?}"
    );
    let shown = run(&["push", "get", url, &done.id, "cli-1"]).ok();
    assert_eq!(
        shown.lines(),
        [format!("{} cli-1 → {hook}", done.id)],
        "{shown:#?}"
    );
    assert_eq!(
        run(&["push", "delete", url, &done.id, "cli-1"]).ok().lines(),
        ["deleted"]
    );
    run(&["push", "get", url, &done.id, "cli-1"]).fails(4);
}

/// The Python agent delivers to `a2a push listen`: a task asked for input
/// (chosen by message id), a webhook set on it, the answer, and the
/// agent's POST of the task's progress.
fn python_push_scenario(name: &str) {
    let Some(python) = python() else { return };
    let (base, _agent) = python_agent(&python);
    let url = base.as_str();
    let run = |args: &[&str]| a2a(&[&["--binding", name][..], args].concat());
    let mut listener = Background::a2a(&["--json", "push", "listen", "--count", "1"]);
    let announced: serde_json::Value =
        serde_json::from_str(&listener.line()).expect("listen announces its address as JSON");
    let webhook = announced["listening"].as_str().expect("a URL").to_owned();
    let task: Task = run(&[
        "--json",
        "send",
        url,
        "open",
        "--message-id",
        &format!("tck-input-required-cli-{name}"),
    ])
    .ok()
    .one();
    assert_eq!(task.status.state, TaskState::InputRequired);
    run(&["push", "set", url, &task.id, &webhook, "--token", "python-token"]).ok();
    run(&[
        "send",
        url,
        "done",
        "--task",
        &task.id,
        "--message-id",
        &format!("tck-complete-task-cli-{name}"),
    ])
    .ok();
    assert_one_delivery_for(listener, &task.id);
}

#[test]
fn python_agent_delivers_to_the_listener_over_jsonrpc() {
    python_push_scenario("jsonrpc");
}

#[test]
fn python_agent_delivers_to_the_listener_over_http_json() {
    python_push_scenario("http_json");
}

#[test]
fn python_agent_over_jsonrpc() {
    python_scenario("jsonrpc");
}

#[test]
fn python_agent_over_http_json() {
    python_scenario("http_json");
}

#[cfg(feature = "grpc")]
#[test]
fn python_agent_over_grpc() {
    python_scenario("grpc");
}
