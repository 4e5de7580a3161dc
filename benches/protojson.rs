//! Parsing and writing the wire types, next to `serde_json::Value` on the same bytes.
//!
//! `cargo bench --bench protojson` prints, for each document, the throughput
//! of our typed parse and of a parse into `serde_json::Value`, and the same
//! for writing.

use std::hint::black_box;

use a2akit::types::{
    Artifact, Message, Part, SendMessageConfiguration, SendMessageRequest, Task, TaskState, TaskStatus,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn send_message_request() -> SendMessageRequest {
    let message = Message::user("Summarise the attached report and list the three main risks.")
        .with_part(
            Part::raw(vec![7u8; 600])
                .with_filename("report.txt")
                .with_media_type("text/plain"),
        )
        .with_part(Part::data(
            json!({"priority": "high", "tags": ["finance", "q3"], "limit": 3}),
        ))
        .with_context_id("c7e4f8a2-5b1d-4e9f-a3c6-2d8b0f1e4a77");
    SendMessageRequest::new(message).with_configuration(
        SendMessageConfiguration::default()
            .with_accepted_output_modes(["text/plain", "application/json"])
            .with_history_length(10),
    )
}

fn task_with_history() -> Task {
    let context = "c7e4f8a2-5b1d-4e9f-a3c6-2d8b0f1e4a77";
    let history = (0..20).map(|i| {
        let message = if i % 2 == 0 {
            Message::user(format!(
                "Question number {i}: what changed in section {i} of the plan?"
            ))
        } else {
            Message::agent(format!(
                "Answer {i}: section {i} moved the deadline by two weeks and added a review step."
            ))
        };
        let mut metadata = serde_json::Map::new();
        metadata.insert("turn".into(), json!(i));
        message
            .with_context_id(context)
            .with_task_id("9b2d6c1e-1f7a-4c55-8e0e-3f1d2b7a6c90")
            .with_metadata(metadata)
    });
    let artifacts = (0..5).map(|i| {
        Artifact::new(
            format!("artifact-{i}"),
            [
                Part::text("A paragraph of generated text. ".repeat(8)),
                Part::data(json!({"score": 0.875, "rank": i})),
            ],
        )
        .with_name(format!("Result {i}"))
    });
    let status = TaskStatus::new(TaskState::Completed).with_message(Message::agent("Done."));
    Task::new("9b2d6c1e-1f7a-4c55-8e0e-3f1d2b7a6c90", context, status)
        .with_history(history)
        .with_artifacts(artifacts)
}

fn compare<T: Serialize + DeserializeOwned>(c: &mut Criterion, name: &str, value: &T) {
    let bytes = serde_json::to_vec(value).unwrap();
    let parsed: Value = serde_json::from_slice(&bytes).unwrap();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("parse typed", |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(&bytes)).unwrap())
    });
    group.bench_function("parse Value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&bytes)).unwrap())
    });
    group.bench_function("write typed", |b| {
        b.iter(|| serde_json::to_vec(black_box(value)).unwrap())
    });
    group.bench_function("write Value", |b| {
        b.iter(|| serde_json::to_vec(black_box(&parsed)).unwrap())
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    compare(c, "send_message_request", &send_message_request());
    // The same request without its 600-byte file part, whose base64 decoding
    // is work a parse into `Value` does not do.
    let mut text_only = send_message_request();
    text_only
        .message
        .parts
        .retain(|part| !matches!(part.content, a2akit::types::PartContent::Raw(_)));
    compare(c, "send_message_request_without_file", &text_only);
    compare(c, "task_20_messages_5_artifacts", &task_with_history());
}

criterion_group!(protojson, benches);
criterion_main!(protojson);
