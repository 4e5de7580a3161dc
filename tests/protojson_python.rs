//! Randomised ProtoJSON round trips against the official protobuf library.
//!
//! `tests/python/protojson_fuzz.py` builds random A2A messages with the
//! generated protobuf classes (the official Python SDK's) and writes each
//! with `json_format`, with varied options, often reworked into another form
//! the official parser reads as the same message (snake_case keys, enums as
//! numbers or numeric strings, quoted integers, URL-safe or unpadded base64
//! with stray characters, timestamps with offsets, `null` for absent
//! fields...). Every such input must be read by our decoder; what we write
//! back must be read by the official parser (unknown fields not ignored) as
//! the original message, and must be canonical ProtoJSON (lowerCamelCase
//! names, enum names, integers as numbers, RFC 3339 UTC timestamps,
//! standard padded base64, defaults left out but for REQUIRED fields).
//!
//! The seed is random on each run and printed on failure; set
//! `PROTOJSON_SEED` to replay one, `PROTOJSON_CASES` for the number of
//! cases (2000 by default). The interpreter is the interop venv's (see
//! `tests/support/python.rs`); in CI a missing one fails the test.

mod support;

use std::fmt::Debug;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use a2akit::types::{
    AgentCard, Artifact, CancelTaskRequest, DeleteTaskPushNotificationConfigRequest,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    ListTaskPushNotificationConfigsRequest, ListTaskPushNotificationConfigsResponse, ListTasksRequest,
    ListTasksResponse, Message, Part, SecurityScheme, SendMessageRequest, SendMessageResponse,
    StreamResponse, SubscribeToTaskRequest, Task, TaskArtifactUpdateEvent, TaskPushNotificationConfig,
    TaskStatusUpdateEvent, json,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/protojson_fuzz.py")
}

/// Reads `input` as a `T` and writes it back; our own output must read back
/// as the same value.
fn through<T: DeserializeOwned + Serialize + PartialEq + Debug>(input: &str) -> Result<String, String> {
    let value: T = json::from_str(input).map_err(|err| format!("our decoder refused it: {err}"))?;
    let ours = serde_json::to_string(&value).map_err(|err| format!("cannot write {value:?}: {err}"))?;
    let again: T =
        json::from_str(&ours).map_err(|err| format!("our decoder refused our own output {ours}: {err}"))?;
    if again != value {
        return Err(format!("our own output {ours} reads as {again:?}, not {value:?}"));
    }
    Ok(ours)
}

/// Our output for `input`, read as the message type the Python side names.
fn round_trip(type_name: &str, input: &str) -> Result<String, String> {
    macro_rules! by_name {
        ($($name:ident),+ $(,)?) => {
            match type_name {
                $( stringify!($name) => through::<$name>(input), )+
                other => Err(format!("the test knows no type {other}")),
            }
        };
    }
    by_name!(
        Task,
        Message,
        Part,
        Artifact,
        StreamResponse,
        SendMessageResponse,
        AgentCard,
        SecurityScheme,
        SendMessageRequest,
        TaskPushNotificationConfig,
        ListTasksRequest,
        ListTasksResponse,
        GetTaskRequest,
        CancelTaskRequest,
        SubscribeToTaskRequest,
        GetTaskPushNotificationConfigRequest,
        DeleteTaskPushNotificationConfigRequest,
        ListTaskPushNotificationConfigsRequest,
        ListTaskPushNotificationConfigsResponse,
        TaskStatusUpdateEvent,
        TaskArtifactUpdateEvent,
        GetExtendedAgentCardRequest,
    )
}

fn python(interpreter: &Path) -> Command {
    let mut command = Command::new(interpreter);
    command
        .arg(script())
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONHASHSEED", "0")
        .stderr(Stdio::inherit());
    command
}

/// Keeps a failure report readable.
fn shorten(text: &str) -> String {
    const MAX: usize = 2000;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}… ({} bytes)", &text[..at], text.len()),
        None => text.to_owned(),
    }
}

#[test]
fn what_the_official_parser_accepts_we_read_and_write_back_canonically() {
    let Some(interpreter) = support::python::interpreter() else {
        return;
    };
    let seed: u64 = match std::env::var("PROTOJSON_SEED") {
        Ok(seed) => seed.parse().expect("PROTOJSON_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 % 1_000_000_007)
            .unwrap_or(1),
    };
    let cases: usize = std::env::var("PROTOJSON_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let replay = format!("PROTOJSON_SEED={seed} PROTOJSON_CASES={cases}");
    eprintln!("protojson round trips: {replay}");

    // The cases, from the official library.
    let generated = python(&interpreter)
        .args(["generate", &seed.to_string(), &cases.to_string()])
        .output()
        .expect("the Python generator runs");
    assert!(
        generated.status.success(),
        "the Python generator failed ({replay})"
    );
    let lines = String::from_utf8(generated.stdout).expect("UTF-8 cases");

    // Through our decoder and encoder.
    let mut failures = Vec::new();
    let mut outputs = String::new();
    let mut count = 0;
    for line in lines.lines() {
        let mut case: Value = serde_json::from_str(line).expect("a case is JSON");
        count += 1;
        let type_name = case["type"].as_str().expect("a type").to_owned();
        let input = case["input"].as_str().expect("an input").to_owned();
        match round_trip(&type_name, &input) {
            Ok(ours) => {
                case["ours"] = Value::from(ours);
                outputs.push_str(&case.to_string());
                outputs.push('\n');
            }
            Err(why) => failures.push(format!(
                "case {} ({type_name}, {}): {why}\n  input: {}",
                case["case"],
                case["how"].as_str().unwrap_or_default(),
                shorten(&input)
            )),
        }
    }
    assert_eq!(count, cases, "the generator wrote every case ({replay})");

    // Back through the official parser, and checked for canonical form.
    let mut checker = python(&interpreter)
        .arg("check")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the Python checker runs");
    let mut stdin = checker.stdin.take().expect("a stdin");
    let writer = std::thread::spawn(move || stdin.write_all(outputs.as_bytes()));
    let checked = checker.wait_with_output().expect("the checker finishes");
    writer
        .join()
        .expect("the writer thread")
        .expect("the checker reads every output");
    for line in String::from_utf8_lossy(&checked.stdout).lines() {
        let record: Value = serde_json::from_str(line).expect("a failure record is JSON");
        failures.push(format!(
            "case {} ({}, {}):\n  {}\n  input: {}\n  ours:  {}",
            record["case"],
            record["type"].as_str().unwrap_or_default(),
            record["how"].as_str().unwrap_or_default(),
            record["problems"]
                .as_array()
                .map(|problems| problems
                    .iter()
                    .map(|p| p.as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
                    .join("\n  "))
                .unwrap_or_default(),
            shorten(record["input"].as_str().unwrap_or_default()),
            shorten(record["ours"].as_str().unwrap_or_default()),
        ));
    }
    assert!(
        failures.is_empty() && checked.status.success(),
        "{} of {cases} cases failed (replay with {replay}):\n\n{}",
        failures.len().max(1),
        failures.iter().take(8).cloned().collect::<Vec<_>>().join("\n\n")
    );
}
