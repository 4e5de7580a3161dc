//! What the in-memory task store costs per task, and that its bound holds.
//!
//! ```sh
//! cargo run --release --example memory
//! ```
//!
//! Runs 100,000 small tasks through the store the way the engine does (the
//! task created with the user's message, then WORKING, an artifact, and
//! COMPLETED with the agent's answer, as the echo agent leaves them) and
//! reports the growth of the resident set per task: first while finished
//! tasks still keep their event logs (the first minute after they end, by
//! default), then once the logs are gone, which is what a finished task costs
//! for the rest of its time to live. Then it pushes 100,000 more tasks
//! through a store bounded to 10,000 and reports its size and resident set.

use std::sync::Arc;
use std::time::Duration;

use a2akit::server::InMemoryTaskStore;
use a2akit::server::store::{TaskKey, TaskStore};
use a2akit::types::{
    Artifact, Message, StreamResponse, Task, TaskArtifactUpdateEvent, TaskState, TaskStatus,
    TaskStatusUpdateEvent,
};

/// The resident set of this process, in bytes (Linux).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm");
    pages * 4096
}

/// Creates one small task and takes it to COMPLETED in three appends.
async fn run_task(store: &InMemoryTaskStore, i: usize) {
    let id = uuid::Uuid::new_v4().to_string();
    let context = uuid::Uuid::new_v4().to_string();
    let question = Message::user(format!("hello {i}"))
        .with_task_id(&id)
        .with_context_id(&context);
    let task = Task::new(&id, &context, TaskStatus::new(TaskState::Submitted)).with_history([question]);
    let key = TaskKey::new("", &id);
    store.create(&key, "", &task).await.expect("stored");
    let answer = Message::agent("hello back")
        .with_task_id(&id)
        .with_context_id(&context);
    let events = [
        StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(
            &id,
            &context,
            TaskStatus::new(TaskState::Working),
        )),
        StreamResponse::ArtifactUpdate(TaskArtifactUpdateEvent::new(
            &id,
            &context,
            Artifact::text("echo", "hello"),
        )),
        StreamResponse::StatusUpdate(TaskStatusUpdateEvent::new(
            &id,
            &context,
            TaskStatus::new(TaskState::Completed).with_message(answer),
        )),
    ];
    for (n, event) in events.into_iter().enumerate() {
        store
            .append(&key, 1 + n as u64, &[Arc::new(event)])
            .await
            .expect("appended");
    }
}

async fn fill(store: &InMemoryTaskStore, count: usize) {
    for i in 0..count {
        run_task(store, i).await;
    }
}

fn report(what: &str, before: u64, after: u64, tasks: usize) {
    println!("{what}");
    println!(
        "  resident set grew by {:.1} MiB, {} bytes per task",
        (after - before) as f64 / (1 << 20) as f64,
        (after - before) / tasks as u64
    );
}

/// Each measurement runs in a process of its own, so that memory one
/// freed cannot hide what the next one costs.
fn main() {
    let mode = std::env::args().nth(1);
    let Some(mode) = mode else {
        for mode in ["kept", "dropped", "bounded"] {
            let exe = std::env::current_exe().expect("this example");
            let status = std::process::Command::new(exe).arg(mode).status().expect("runs");
            assert!(status.success());
        }
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(measure(&mode));
}

async fn measure(mode: &str) {
    const TASKS: usize = 100_000;
    match mode {
        "kept" | "dropped" => {
            let store = InMemoryTaskStore::new().with_capacity(TASKS);
            let store = if mode == "dropped" {
                store.with_event_log(Duration::ZERO, InMemoryTaskStore::DEFAULT_LOG_LENGTH)
            } else {
                store
            };
            let before = resident_bytes();
            fill(&store, TASKS).await;
            let after = resident_bytes();
            let what = if mode == "kept" {
                "event logs still kept (the first minute)"
            } else {
                "event logs dropped (the steady state)"
            };
            report(
                &format!("{TASKS} small completed tasks, {what}"),
                before,
                after,
                TASKS,
            );
        }
        _ => {
            let bounded = InMemoryTaskStore::new().with_capacity(10_000);
            fill(&bounded, 10_000).await;
            let steady = resident_bytes();
            fill(&bounded, TASKS).await;
            println!("{} tasks through a store bounded to 10,000", TASKS + 10_000);
            println!("  tasks held: {}", bounded.len());
            println!(
                "  resident set after the bound was reached: {:.1} MiB, after {} more tasks: {:.1} MiB",
                steady as f64 / (1 << 20) as f64,
                TASKS,
                resident_bytes() as f64 / (1 << 20) as f64
            );
        }
    }
}
