//! The engine's own cost, with no transport: `RequestHandler` calls on an
//! echo agent over the in-memory store, in one thread.
//!
//! `cargo bench --bench engine` reports the time of a blocking SendMessage
//! (the task created, the agent's artifact and completion stored, the answer
//! built) once the store is full and evicting, as a loaded server's is, and
//! of a GetTask of a finished task.

use std::hint::black_box;

use a2akit::Error;
use a2akit::server::{
    AgentExecutor, CallContext, InMemoryTaskStore, RequestContext, RequestHandler, TaskUpdater,
};
use a2akit::types::{AgentCard, Artifact, GetTaskRequest, Message, SendMessageRequest, SendMessageResponse};
use criterion::{Criterion, criterion_group, criterion_main};

/// Answers with its input as an artifact.
struct Echo;

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater
            .add_artifact(Artifact::text("echo", context.message.text()))
            .await?;
        updater.complete().await
    }
}

fn engine(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let card = AgentCard::builder().name("Echo").description("echo").build();
    let handler = RequestHandler::builder(card, Echo).build();
    let call = CallContext::new("");
    let request = SendMessageRequest::new(
        Message::user("The quick brown fox jumps over the lazy dog. ".repeat(4)).with_message_id("m-1"),
    );
    // Fill the store so that every send also evicts, as under load.
    runtime.block_on(async {
        for _ in 0..InMemoryTaskStore::DEFAULT_CAPACITY {
            handler.send_message(&call, request.clone()).await.expect("sent");
        }
    });
    c.bench_function("SendMessage, blocking, full store", |b| {
        b.iter(|| {
            runtime.block_on(async {
                black_box(handler.send_message(&call, request.clone()).await.expect("sent"));
            })
        })
    });
    let id = match runtime.block_on(handler.send_message(&call, request.clone())) {
        Ok(SendMessageResponse::Task(task)) => task.id,
        other => panic!("{other:?}"),
    };
    c.bench_function("GetTask, finished task", |b| {
        b.iter(|| {
            runtime.block_on(async {
                black_box(
                    handler
                        .get_task(&call, GetTaskRequest::new(&id))
                        .await
                        .expect("found"),
                );
            })
        })
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
