//! Measures the task stores side by side on this machine: JSON-RPC
//! `SendMessage` throughput over loopback with each store, the bytes each
//! writes per event, and `ListTasks` latency with many stored tasks (the
//! first page, and pages deep into the cursor).
//!
//! ```sh
//! cargo run --release --example stores --features sqlite,postgres,mysql -- \
//!     --seconds 5 --connections 16 --tasks 100000
//! ```
//!
//! Runs the memory store and every SQL backend the build has, on the local
//! servers (`A2AKIT_BENCH_POSTGRES_URL` and `A2AKIT_BENCH_MYSQL_URL` point
//! elsewhere) in a schema or database named `a2akit_bench` that it drops and
//! creates, and a SQLite file in the temporary directory.

#[path = "common/args.rs"]
mod args;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use a2akit::Error;
use a2akit::server::store::{TaskKey, TaskQuery, TaskView};
use a2akit::server::{self, AgentExecutor, RequestContext, RequestHandler, TaskStore, TaskUpdater};
use a2akit::types::{
    AgentCard, Artifact, StreamResponse, Task, TaskState, TaskStatus, TaskStatusUpdateEvent, binding,
};

/// Answers with its input as an artifact: three events per task
/// (creation, artifact, completed).
struct Echo;

impl AgentExecutor for Echo {
    async fn execute(&self, context: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater
            .add_artifact(Artifact::text("echo", context.message.text()))
            .await?;
        updater.complete().await
    }
}

fn number(name: &str, default: u64) -> u64 {
    args::arg(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let seconds = number("--seconds", 5);
    let connections = number("--connections", 16);
    let tasks = number("--tasks", 100_000);

    println!("SendMessage, {connections} connections, {seconds} s each");
    let memory = send_message(RequestHandler::builder(card(), Echo), seconds, connections).await;
    println!("  {:<10} {memory:>8.0} req/s", "memory");
    for (name, store) in sql::stores().await {
        let builder = RequestHandler::builder(card(), Echo).store(store.clone());
        let rate = send_message(builder, seconds, connections).await;
        println!("  {name:<10} {rate:>8.0} req/s  ({:.2}x memory)", rate / memory);
        sql::bytes_per_event(name, &store).await;
        list_latency(name, &store, tasks).await;
    }
}

fn card() -> AgentCard {
    AgentCard::builder()
        .name("Echo")
        .description("echo")
        .interface("http://127.0.0.1/", binding::JSONRPC)
        .build()
}

/// Requests per second from `connections` loops over `seconds`.
async fn send_message(builder: server::RequestHandlerBuilder, seconds: u64, connections: u64) -> f64 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = server::http::Routes::new(builder.build()).jsonrpc("/");
    let server = tokio::spawn(server::serve(listener, app));
    let body = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "SendMessage",
        "params": {"message": {"messageId": "m-1", "role": "ROLE_USER",
            "parts": [{"text": "The quick brown fox jumps over the lazy dog."}]}}
    })
    .to_string();
    let client = reqwest::Client::new();
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let loops: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, body, done) = (client.clone(), url.clone(), body.clone(), Arc::clone(&done));
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let response = client
                        .post(&url)
                        .header("A2A-Version", "1.0")
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .expect("request");
                    let text = response.text().await.expect("body");
                    assert!(text.contains("TASK_STATE_COMPLETED"), "{text}");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in loops {
        task.await.unwrap();
    }
    server.abort();
    done.load(Ordering::Relaxed) as f64 / seconds as f64
}

/// Stores `tasks` finished tasks (ten per context), then times `ListTasks`:
/// the first page, a context's first page, and every page of a walk through
/// the whole cursor (its median and its deepest tenth).
async fn list_latency(name: &str, store: &sql::Store, tasks: u64) {
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..16)
        .map(|_| {
            let (store, next) = (store.clone(), Arc::clone(&next));
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= tasks {
                        return;
                    }
                    let id = format!("list-{n:07}");
                    let context = format!("ctx-{}", n / 10);
                    let task = Task::new(&id, &context, TaskStatus::new(TaskState::Submitted));
                    let key = TaskKey::new("bench", &id);
                    store.create(&key, "owner", &task).await.unwrap();
                    let done =
                        TaskStatusUpdateEvent::new(&id, &context, TaskStatus::new(TaskState::Completed));
                    store
                        .append(&key, 1, &[Arc::new(StreamResponse::StatusUpdate(done))])
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let seeded = started.elapsed();
    sql::analyze(store).await;
    let query = |page_token: Option<String>, context_id: Option<String>| TaskQuery {
        tenant: "bench".into(),
        owner: "owner".into(),
        context_id,
        status: None,
        status_timestamp_after: None,
        page_size: 100,
        page_token,
        view: TaskView::FULL.history_length(Some(0)).include_artifacts(false),
    };
    let time = |query: TaskQuery| {
        let store = store.clone();
        async move {
            let started = Instant::now();
            let page = store.list(&query).await.unwrap();
            (started.elapsed(), page)
        }
    };
    let mut first = Vec::new();
    let mut by_context = Vec::new();
    for i in 0..20 {
        first.push(time(query(None, None)).await.0);
        by_context.push(
            time(query(
                None,
                Some(format!("ctx-{}", i * 997 % (tasks / 10).max(1))),
            ))
            .await
            .0,
        );
    }
    let mut walk = Vec::new();
    let mut token = None;
    loop {
        let (elapsed, page) = time(query(token, None)).await;
        walk.push(elapsed);
        if page.next_page_token.is_empty() {
            break;
        }
        token = Some(page.next_page_token);
    }
    let deep = walk[walk.len() * 9 / 10..].to_vec();
    println!(
        "  {name:<10} ListTasks over {tasks} tasks (seeded in {:.0} s): first page {}, a context {}, \
         cursor walk of {} pages median {}, deepest tenth {}",
        seeded.as_secs_f64(),
        ms(median(first)),
        ms(median(by_context)),
        walk.len(),
        ms(median(walk)),
        ms(median(deep)),
    );
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod sql {
    use a2akit::server::store::sql::{SqlPool, SqlStore};

    /// A fresh store of each backend this build has.
    pub type Store = SqlStore;

    pub async fn stores() -> Vec<(&'static str, SqlStore)> {
        #[allow(unused_mut)]
        let mut stores = Vec::new();
        #[cfg(feature = "sqlite")]
        {
            let path = std::env::temp_dir().join("a2akit_bench.db");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let store = SqlStore::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            stores.push(("sqlite", store));
        }
        #[cfg(feature = "postgres")]
        {
            use sqlx::Connection as _;
            let base = std::env::var("A2AKIT_BENCH_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
            sqlx::query("DROP SCHEMA IF EXISTS a2akit_bench CASCADE")
                .execute(&mut admin)
                .await
                .unwrap();
            sqlx::query("CREATE SCHEMA a2akit_bench")
                .execute(&mut admin)
                .await
                .unwrap();
            let url = format!("{base}?options=-c%20search_path%3Da2akit_bench");
            stores.push(("postgres", SqlStore::connect(&url).await.unwrap()));
        }
        #[cfg(feature = "mysql")]
        {
            use sqlx::Connection as _;
            let base = std::env::var("A2AKIT_BENCH_MYSQL_URL")
                .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
            let mut admin = sqlx::MySqlConnection::connect(&base).await.unwrap();
            sqlx::query("DROP DATABASE IF EXISTS a2akit_bench")
                .execute(&mut admin)
                .await
                .unwrap();
            sqlx::query("CREATE DATABASE a2akit_bench CHARACTER SET utf8mb4")
                .execute(&mut admin)
                .await
                .unwrap();
            let url = format!("{}/a2akit_bench", base.trim_end_matches('/'));
            stores.push(("mysql", SqlStore::connect(&url).await.unwrap()));
        }
        stores
    }

    /// Refreshes the planner's statistics after the bulk load, as a running
    /// database's autovacuum would.
    pub async fn analyze(store: &SqlStore) {
        let statement = match store.backend() {
            a2akit::server::store::sql::Backend::Postgres => "ANALYZE a2a_tasks",
            a2akit::server::store::sql::Backend::MySql => "ANALYZE TABLE a2a_tasks",
            _ => "ANALYZE",
        };
        match store.pool() {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => drop(sqlx::query(statement).execute(pool).await),
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => drop(sqlx::query(statement).execute(pool).await),
            #[cfg(feature = "mysql")]
            SqlPool::MySql(pool) => drop(sqlx::query(statement).execute(pool).await),
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    /// The event log's payload and on-disk size (rows and indexes) per event.
    pub async fn bytes_per_event(name: &str, store: &SqlStore) {
        let (events, payload, disk): (i64, f64, Option<i64>) = match store.pool() {
            #[cfg(feature = "sqlite")]
            SqlPool::Sqlite(pool) => {
                let (events, payload): (i64, f64) =
                    sqlx::query_as("SELECT COUNT(*), AVG(LENGTH(body)) FROM a2a_task_events")
                        .fetch_one(pool)
                        .await
                        .unwrap();
                (events, payload, None)
            }
            #[cfg(feature = "postgres")]
            SqlPool::Postgres(pool) => {
                let (events, payload, disk): (i64, f64, i64) = sqlx::query_as(
                    "SELECT COUNT(*), AVG(LENGTH(body))::float8, pg_total_relation_size('a2a_task_events') \
                     FROM a2a_task_events",
                )
                .fetch_one(pool)
                .await
                .unwrap();
                (events, payload, Some(disk))
            }
            #[cfg(feature = "mysql")]
            SqlPool::MySql(pool) => {
                sqlx::query("ANALYZE TABLE a2a_task_events")
                    .execute(pool)
                    .await
                    .unwrap();
                let (events, payload): (i64, f64) =
                    sqlx::query_as("SELECT COUNT(*), CAST(AVG(LENGTH(body)) AS DOUBLE) FROM a2a_task_events")
                        .fetch_one(pool)
                        .await
                        .unwrap();
                let disk: i64 = sqlx::query_scalar(
                    "SELECT CAST(data_length + index_length AS SIGNED) FROM information_schema.tables \
                     WHERE table_schema = DATABASE() AND table_name = 'a2a_task_events'",
                )
                .fetch_one(pool)
                .await
                .unwrap();
                (events, payload, Some(disk))
            }
            #[allow(unreachable_patterns)]
            _ => return,
        };
        let disk = disk
            .map(|bytes| {
                format!(
                    ", {:.0} B per event on disk with its index",
                    bytes as f64 / events.max(1) as f64
                )
            })
            .unwrap_or_default();
        println!("  {name:<10} {events} events: {payload:.0} B of JSON per event{disk}");
    }
}

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
mod sql {
    use std::sync::Arc;

    use a2akit::server::InMemoryTaskStore;

    pub type Store = Arc<InMemoryTaskStore>;

    pub async fn stores() -> Vec<(&'static str, Arc<InMemoryTaskStore>)> {
        println!("(build with --features sqlite,postgres,mysql to compare the SQL stores)");
        Vec::new()
    }

    pub async fn bytes_per_event(_: &str, _: &Arc<InMemoryTaskStore>) {}

    pub async fn analyze(_: &Arc<InMemoryTaskStore>) {}
}
