//! Agent processes on a SQL store: killed with SIGKILL and started again on
//! the same database, and two processes sharing one database. The agents are
//! this test binary started again in agent mode (see [`agent_process`]),
//! serving the conformance agent's executor on the store a URL names.
#![cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]

#[path = "../examples/conformance/executor.rs"]
mod executor;
mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use a2akit::ErrorKind;
use a2akit::server::store::sql::SqlStore;
use a2akit::types::{
    ListTasksRequest, ListTasksResponse, Role, SendMessageResponse, Task, TaskPushNotificationConfig,
    TaskState,
};
use support::{Binding, Client, databases, send, user_message};

const STORE_VAR: &str = "A2AKIT_TEST_AGENT_STORE";

/// Not a test of its own: the entry point of the agent processes the tests
/// start. Without the variable that names its store, it does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_process() {
    let Ok(url) = std::env::var(STORE_VAR) else {
        return;
    };
    let store = SqlStore::connect(&url).await.expect("the agent's store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // The conformance agent: push on, webhooks on loopback allowed.
    let handler = executor::builder(&base)
        .run_ownership(store.run_ownership())
        .store(store)
        .build();
    println!("agent listening on {base}");
    a2akit::server::serve(listener, a2akit::server::http::router(handler))
        .await
        .unwrap();
}

/// An agent process; killed with SIGKILL when dropped.
struct Agent {
    child: Child,
    base: String,
}

impl Agent {
    fn start(store_url: &str) -> Agent {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["agent_process", "--exact", "--nocapture", "--test-threads", "1"])
            .env(STORE_VAR, store_url)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("an agent process");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().expect("the agent printed its address").unwrap();
            if let Some((_, base)) = line.split_once("agent listening on ") {
                break base.to_owned();
            }
        };
        // Keep reading what it prints so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Agent { child, base }
    }

    fn client(&self) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            binding: Binding::JsonRpc,
            tenant: String::new(),
        }
    }

    /// SIGKILL: no shutdown, no flush, nothing but what was committed.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Everything a client can read about the tasks: each task in full, every
/// page of the listing, each task's push configs.
#[derive(Debug, PartialEq)]
struct Seen {
    tasks: Vec<Task>,
    pages: Vec<ListTasksResponse>,
    configs: Vec<Vec<TaskPushNotificationConfig>>,
}

async fn look(client: &Client, ids: &[String]) -> Seen {
    let mut tasks = Vec::new();
    let mut configs = Vec::new();
    for id in ids {
        tasks.push(client.get_task(id, None).await.unwrap());
        let listed = client.list_push_configs(id).await.unwrap();
        configs.push(listed.configs);
    }
    let mut pages = Vec::new();
    let mut token = String::new();
    loop {
        let request = ListTasksRequest {
            page_size: Some(2),
            page_token: token.clone(),
            include_artifacts: Some(true),
            ..Default::default()
        };
        let page = client.list_tasks(&request).await.unwrap();
        token.clone_from(&page.next_page_token);
        pages.push(page);
        if token.is_empty() {
            break;
        }
    }
    Seen {
        tasks,
        pages,
        configs,
    }
}

async fn task_of(client: &Client, message_id: &str) -> Task {
    match client
        .send_message(&send(user_message(message_id, "hello")))
        .await
        .unwrap()
    {
        SendMessageResponse::Task(task) => task,
        other => panic!("{message_id}: expected a task, got {other:?}"),
    }
}

async fn survives_sigkill(url: String) {
    let agent = Agent::start(&url);
    let client = agent.client();
    let completed = task_of(&client, "tck-complete-task-1").await;
    let waiting = task_of(&client, "tck-input-required-1").await;
    let with_artifacts = task_of(&client, "tck-artifact-data-1").await;
    let chunked = task_of(&client, "tck-stream-artifact-chunked-1").await;
    assert_eq!(waiting.status.state, TaskState::InputRequired);
    for (task, n) in [(&completed, 1), (&waiting, 2)] {
        for i in 0..n {
            let config = TaskPushNotificationConfig::new(format!("https://hooks.example.com/{i}"))
                .with_task_id(&task.id)
                .with_id(format!("hook-{i}"))
                .with_token("secret");
            client.create_push_config(&config).await.unwrap();
        }
    }
    let ids: Vec<String> = [&completed, &waiting, &with_artifacts, &chunked]
        .iter()
        .map(|t| t.id.clone())
        .collect();
    let before = look(&client, &ids).await;
    assert_eq!(before.pages.iter().map(|p| p.tasks.len()).sum::<usize>(), 4);
    assert_eq!(before.configs[1].len(), 2);
    agent.kill();

    let agent = Agent::start(&url);
    let client = agent.client();
    let after = look(&client, &ids).await;
    assert_eq!(
        after, before,
        "{url}: what a client reads is the same after SIGKILL"
    );

    // The conversation goes on where it stopped.
    let answer = user_message("tck-complete-task-2", "here you go").with_task_id(&waiting.id);
    let answered = match client.send_message(&send(answer)).await.unwrap() {
        SendMessageResponse::Task(task) => task,
        other => panic!("expected a task, got {other:?}"),
    };
    assert_eq!(answered.status.state, TaskState::Completed, "{url}");
    let history = client.get_task(&waiting.id, None).await.unwrap().history;
    let roles: Vec<Role> = history.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [Role::User, Role::Agent, Role::User, Role::Agent],
        "{url}: question, answer, and both replies"
    );
    // A finished task still refuses more.
    let late = user_message("tck-complete-task-3", "more").with_task_id(&completed.id);
    let err = client.send_message(&send(late)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
}

/// Two agents on one database, answering one waiting task at the same time
/// round after round: each answer is taken by exactly one of them or
/// refused with a clear error, and the history alternates question and
/// answer, with nothing lost or twice.
async fn two_agents_never_run_one_task_twice(url: String) {
    let (a, b) = (Agent::start(&url), Agent::start(&url));
    let (client_a, client_b) = (a.client(), b.client());
    let task = task_of(&client_a, "tck-input-required-0").await;
    let mut accepted = 0;
    for round in 0..20 {
        let answer = |side: &str| {
            send(user_message(&format!("tck-input-required-{side}{round}"), "answer").with_task_id(&task.id))
        };
        let (answer_a, answer_b) = (answer("a"), answer("b"));
        let (ra, rb) = tokio::join!(client_a.send_message(&answer_a), client_b.send_message(&answer_b));
        for result in [ra, rb] {
            match result {
                Ok(SendMessageResponse::Task(t)) => {
                    assert_eq!(t.status.state, TaskState::InputRequired, "{url}");
                    accepted += 1;
                }
                Ok(other) => panic!("{url}: expected a task, got {other:?}"),
                Err(err) => assert!(
                    matches!(
                        err.kind(),
                        ErrorKind::UnsupportedOperation | ErrorKind::ResourceExhausted
                    ),
                    "{url}: a refusal says why: {err:?}"
                ),
            }
        }
    }
    assert!(accepted >= 20, "{url}: every round has a winner ({accepted})");
    let history = client_b.get_task(&task.id, None).await.unwrap().history;
    let roles: Vec<Role> = history.iter().map(|m| m.role).collect();
    let expected: Vec<Role> = (0..=accepted).flat_map(|_| [Role::User, Role::Agent]).collect();
    assert_eq!(
        roles, expected,
        "{url}: one run per accepted answer, never two at once"
    );
    drop((a, b));
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_agent_survives_sigkill() {
    survives_sigkill(databases::sqlite_url()).await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_agent_survives_sigkill() {
    survives_sigkill(databases::postgres_url().await).await;
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_agent_survives_sigkill() {
    survives_sigkill(databases::mysql_url().await).await;
}

/// Deliveries queued while the webhook was down and the agent was killed
/// go out from the next process on the same database.
async fn pending_deliveries_go_out_after_a_restart(url: String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let agent = Agent::start(&url);
    let client = agent.client();
    let waiting = task_of(&client, "tck-input-required-1").await;
    let config = TaskPushNotificationConfig::new(format!("http://127.0.0.1:{port}/hook"))
        .with_task_id(&waiting.id)
        .with_id("hook")
        .with_token("restart-token");
    client.create_push_config(&config).await.unwrap();
    let answer = user_message("tck-complete-task-2", "done").with_task_id(&waiting.id);
    client.send_message(&send(answer)).await.unwrap();
    // The webhook is down: the first attempts fail, then the agent dies.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    agent.kill();

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let webhook = tokio::spawn(async move { axum::serve(listener, app).await });
    let _agent = Agent::start(&url);
    let receiver = a2akit::webhook::Receiver::new(a2akit::webhook::SigningKey::from_token("restart-token"));
    // A claim the killed process held runs out first (the timeout and 30 s).
    let completed = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some((headers, body)) = rx.recv().await {
            let delivery = receiver.verify(&headers, &body).expect("a signed delivery");
            if let a2akit::types::StreamResponse::StatusUpdate(update) = delivery.event {
                if update.status.state == TaskState::Completed {
                    assert_eq!(update.task_id, waiting.id);
                    return;
                }
            }
        }
    })
    .await;
    webhook.abort();
    assert!(
        completed.is_ok(),
        "{url}: the completed status was delivered after the restart"
    );
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_pending_deliveries_go_out_after_a_restart() {
    pending_deliveries_go_out_after_a_restart(databases::sqlite_url()).await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_pending_deliveries_go_out_after_a_restart() {
    pending_deliveries_go_out_after_a_restart(databases::postgres_url().await).await;
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_pending_deliveries_go_out_after_a_restart() {
    pending_deliveries_go_out_after_a_restart(databases::mysql_url().await).await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_agents_share_a_task_without_running_it_twice() {
    two_agents_never_run_one_task_twice(databases::sqlite_url()).await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_agents_share_a_task_without_running_it_twice() {
    two_agents_never_run_one_task_twice(databases::postgres_url().await).await;
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_agents_share_a_task_without_running_it_twice() {
    two_agents_never_run_one_task_twice(databases::mysql_url().await).await;
}
