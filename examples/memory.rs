//! What the in-memory task store costs per task, and that its bound holds.
//!
//! ```sh
//! cargo run --release --example memory
//! ```
//!
//! Stores 100,000 small completed tasks (one user message, one agent
//! message, one text artifact, as the echo agent leaves them) and reports the
//! growth of the resident set per task; then pushes 100,000 more tasks
//! through a store bounded to 10,000 and reports its size and the resident set.

use a2akit::server::InMemoryTaskStore;
use a2akit::server::store::{TaskKey, TaskStore};
use a2akit::types::{Artifact, Message, Task, TaskState, TaskStatus};

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

fn small_task(i: usize) -> Task {
    let id = uuid::Uuid::new_v4().to_string();
    let context = uuid::Uuid::new_v4().to_string();
    let question = Message::user(format!("hello {i}"))
        .with_task_id(&id)
        .with_context_id(&context);
    let answer = Message::agent("hello back")
        .with_task_id(&id)
        .with_context_id(&context);
    let status = TaskStatus::new(TaskState::Completed).with_message(answer.clone());
    Task::new(id, context, status)
        .with_history([question, answer])
        .with_artifacts([Artifact::text("echo", "hello")])
}

async fn fill(store: &InMemoryTaskStore, count: usize) {
    for i in 0..count {
        let task = small_task(i);
        let key = TaskKey::new("", &task.id);
        store.create(&key, "", &task).await.expect("stored");
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    const TASKS: usize = 100_000;
    let json_size = serde_json::to_vec(&small_task(0)).unwrap().len();

    let store = InMemoryTaskStore::new().with_capacity(TASKS);
    let before = resident_bytes();
    fill(&store, TASKS).await;
    let after = resident_bytes();
    println!("{TASKS} small completed tasks ({json_size} B of JSON each)");
    println!(
        "  resident set grew by {:.1} MiB",
        (after - before) as f64 / (1 << 20) as f64
    );
    println!("  {} bytes per stored task", (after - before) / TASKS as u64);
    drop(store);

    let bounded = InMemoryTaskStore::new().with_capacity(10_000);
    fill(&bounded, 10_000).await;
    let steady = resident_bytes();
    fill(&bounded, TASKS).await;
    println!("\n{} tasks through a store bounded to 10,000", TASKS + 10_000);
    println!("  tasks held: {}", bounded.len());
    println!(
        "  resident set after the bound was reached: {:.1} MiB, after {} more tasks: {:.1} MiB",
        steady as f64 / (1 << 20) as f64,
        TASKS,
        resident_bytes() as f64 / (1 << 20) as f64
    );
}
