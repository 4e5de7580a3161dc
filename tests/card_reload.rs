//! Cards that change while the agent runs: a card file that is edited, a
//! card set in code, SIGHUP. The card endpoint serves the new card with a
//! new `ETag` and `Last-Modified` (conditional requests naming the old one
//! get the new card), and the capabilities the handler checks change at
//! the same moment: a capability withdrawn is refused from then on, on
//! every binding. A file that is not a card changes nothing.
#![cfg(feature = "server")]

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant, SystemTime};

use a2akit::server::push::{PushDelivery, WebhookGuard};
use a2akit::server::{AgentExecutor, CardFile, CardWatch, RequestContext, RequestHandler, TaskUpdater};
use a2akit::types::{AgentCard, SendMessageConfiguration, TaskPushNotificationConfig, binding};
use a2akit::{Error, ErrorKind};
use support::{Binding, Client, TestServer, assert_kind, send, send_with, user_message};

/// How long a change may take to show.
const DEADLINE: Duration = Duration::from_secs(15);

/// How often the tests' card files are read.
const POLL: Duration = Duration::from_millis(50);

/// Works, then completes.
struct Done;

impl AgentExecutor for Done {
    async fn execute(&self, _: RequestContext, updater: TaskUpdater) -> Result<(), Error> {
        updater.start_work().await?;
        updater.complete().await
    }
}

/// The bindings the server has, each spoken by the tests' client.
fn bindings() -> Vec<Binding> {
    [Binding::JsonRpc, Binding::Rest]
        .into_iter()
        .chain(grpc())
        .collect()
}

#[cfg(feature = "grpc")]
fn grpc() -> Option<Binding> {
    Some(Binding::Grpc)
}

#[cfg(not(feature = "grpc"))]
fn grpc() -> Option<Binding> {
    None
}

/// A directory of its own under the system's temporary directory, removed
/// when dropped, holding `card.json`.
struct CardDir(PathBuf);

impl CardDir {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("a2akit-card-reload-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        Self(dir)
    }

    fn path(&self) -> PathBuf {
        self.0.join("card.json")
    }

    fn write(&self, card: &AgentCard) {
        self.write_bytes(&serde_json::to_vec_pretty(card).unwrap());
    }

    /// Edits the file in place, as an operator's editor would.
    fn write_bytes(&self, bytes: &[u8]) {
        std::fs::write(self.path(), bytes).expect("the card file is written");
    }

    /// Replaces the file whole (a new file renamed over it), so that no
    /// read sees it halfway.
    fn replace_bytes(&self, bytes: &[u8]) {
        let next = self.0.join("card.json.next");
        std::fs::write(&next, bytes).expect("the next card file is written");
        std::fs::rename(next, self.path()).expect("the card file is replaced");
    }
}

impl Drop for CardDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn card(base: &str, description: &str, streaming: bool, push: bool) -> AgentCard {
    AgentCard::builder()
        .name("Reloadable")
        .description(description)
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(base, binding::HTTP_JSON)
        .streaming(streaming)
        .push_notifications(push)
        .build()
}

/// An agent served on 127.0.0.1 from a card file, its file watched.
struct Agent {
    server: TestServer,
    handler: RequestHandler,
    dir: CardDir,
    watch: CardWatch,
}

impl Agent {
    /// Serves the card "first" (streaming and push notifications) from a
    /// file, watched as `watched` configures it.
    async fn start(test: &str, watched: impl FnOnce(CardFile) -> CardFile) -> Self {
        Self::start_with(test, true, watched).await
    }

    async fn start_with(test: &str, push: bool, watched: impl FnOnce(CardFile) -> CardFile) -> Self {
        let dir = CardDir::new(test);
        let mut built = None;
        let server = support::start_with(|base| {
            dir.write(&card(base, "first", true, push));
            let card = CardFile::new(dir.path()).load().expect("the card file loads");
            let handler = RequestHandler::builder(card, Done)
                .webhook_guard(WebhookGuard::new().allow_loopback())
                .push_delivery(PushDelivery::new().poll_interval(Duration::from_millis(50)))
                .build();
            built = Some(handler.clone());
            handler
        })
        .await;
        let handler = built.expect("the handler was built");
        let watch = watched(CardFile::new(dir.path()))
            .watch(&handler)
            .expect("the file is watched");
        Self {
            server,
            handler,
            dir,
            watch,
        }
    }

    fn card(&self, description: &str, streaming: bool, push: bool) -> AgentCard {
        card(&self.server.base, description, streaming, push)
    }

    fn client(&self, binding: Binding) -> Client {
        Client::new(&self.server, binding)
    }
}

/// One answer of the card endpoint.
#[derive(Debug)]
struct Served {
    status: u16,
    etag: String,
    last_modified: String,
    card: Option<AgentCard>,
}

impl Served {
    fn description(&self) -> &str {
        self.card.as_ref().map_or("", |card| &card.description)
    }

    fn modified_at(&self) -> SystemTime {
        httpdate::parse_http_date(&self.last_modified).expect("Last-Modified is an HTTP date")
    }
}

async fn fetch(base: &str, conditions: &[(&str, &str)]) -> Served {
    let mut request = reqwest::Client::new().get(format!("{base}/.well-known/agent-card.json"));
    for (name, value) in conditions {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the card endpoint answers");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .unwrap_or_else(|| panic!("the card is served with {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (etag, last_modified) = (header("etag"), header("last-modified"));
    let body = response.bytes().await.expect("the body is read");
    let card = (status == 200).then(|| serde_json::from_slice(&body).expect("the body is a card"));
    Served {
        status,
        etag,
        last_modified,
        card,
    }
}

/// Asks for the card until it has `description`, or fails at the deadline.
async fn served_until(base: &str, description: &str) -> Served {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let served = fetch(base, &[]).await;
        assert_eq!(served.status, 200);
        if served.description() == description {
            return served;
        }
        assert!(
            Instant::now() < deadline,
            "the card {description:?} was not served within {DEADLINE:?}; still {:?}",
            served.description()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Opens a stream and reads it to its end.
async fn stream(client: &Client, id: &str) -> Result<(), Error> {
    let events = client.stream_all(&send(user_message(id, "stream"))).await?;
    assert!(!events.is_empty(), "{:?}: a stream with events", client.binding);
    Ok(())
}

fn inline_push(url: &str) -> SendMessageConfiguration {
    SendMessageConfiguration::default().with_push_notification_config(TaskPushNotificationConfig::new(url))
}

// --- The log, to see that a broken file was read ------------------------------

static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Keeps what every test of this file logs, in [`LOG`].
fn capture_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| LogWriter)
            .with_max_level(tracing::Level::INFO)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    });
}

/// The lines logged so far that mention `path` and `what`.
fn logged(path: &Path, what: &str) -> Vec<String> {
    let path = path.display().to_string();
    String::from_utf8_lossy(&LOG.lock().unwrap())
        .lines()
        .filter(|line| line.contains(&path) && line.contains(what))
        .map(str::to_owned)
        .collect()
}

/// Waits until `count` lines mention `path` and `what`.
async fn logged_until(path: &Path, what: &str, count: usize) -> Vec<String> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let lines = logged(path, what);
        if lines.len() >= count {
            return lines;
        }
        assert!(
            Instant::now() < deadline,
            "no {count} lines with {what:?} about {} within {DEADLINE:?}",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// --- The tests ------------------------------------------------------------------

#[tokio::test]
async fn an_edited_card_file_is_served_with_a_new_etag_and_its_withdrawn_capabilities_are_refused() {
    let agent = Agent::start("edited", |file| file.poll_interval(POLL)).await;
    let base = agent.server.base.clone();
    let before = fetch(&base, &[]).await;
    assert_eq!((before.status, before.description()), (200, "first"));
    let mut tasks = Vec::new();
    for binding in bindings() {
        let client = agent.client(binding);
        stream(&client, "before").await.expect("streaming is declared");
        let task = client.send_task(&send(user_message("task", "hello"))).await;
        client
            .list_push_configs(&task.id)
            .await
            .expect("push notifications are declared");
        tasks.push((client, task.id));
    }

    agent.dir.write(&agent.card("second", false, false));
    let after = served_until(&base, "second").await;
    assert_ne!(after.etag, before.etag, "a new card has a new ETag");
    assert!(
        after.modified_at() > before.modified_at(),
        "{after:?} after {before:?}"
    );
    assert_eq!(agent.handler.card().description, "second");

    // The old validators get the new card, the new ones a 304.
    let old_tag = fetch(&base, &[("if-none-match", &before.etag)]).await;
    assert_eq!((old_tag.status, old_tag.description()), (200, "second"));
    assert_eq!(old_tag.etag, after.etag);
    let new_tag = fetch(&base, &[("if-none-match", &after.etag)]).await;
    assert_eq!((new_tag.status, &new_tag.etag), (304, &after.etag));
    let old_date = fetch(&base, &[("if-modified-since", &before.last_modified)]).await;
    assert_eq!((old_date.status, old_date.description()), (200, "second"));
    let new_date = fetch(&base, &[("if-modified-since", &after.last_modified)]).await;
    assert_eq!(new_date.status, 304);

    // And the capabilities it withdrew are refused from then on.
    for (client, task_id) in &tasks {
        let refused = stream(client, "after").await;
        assert_kind(refused, ErrorKind::UnsupportedOperation);
        let refused = client.list_push_configs(task_id).await;
        assert_kind(refused, ErrorKind::PushNotificationNotSupported);
        let inline = send_with(
            user_message("inline", "hi"),
            inline_push("https://example.com/hook"),
        );
        let refused = client.send_message(&inline).await;
        assert_kind(refused, ErrorKind::PushNotificationNotSupported);
        // What the card still allows goes on.
        client.send_task(&send(user_message("still", "hello"))).await;
    }
}

#[tokio::test]
async fn a_card_file_that_is_not_a_card_keeps_the_card_served() {
    capture_logs();
    let agent = Agent::start("broken", |file| file.poll_interval(POLL)).await;
    let base = agent.server.base.clone();
    let path = agent.dir.path();
    let before = fetch(&base, &[]).await;

    // Halfway through an edit: not JSON.
    agent.dir.replace_bytes(br#"{"name": "Reloadable", "descrip"#);
    logged_until(&path, "not taken", 1).await;
    // JSON, but not a card: every field of a card is optional on the wire.
    agent.dir.replace_bytes(br#"{"listen": "0.0.0.0:80"}"#);
    let lines = logged_until(&path, "not taken", 2).await;
    assert!(lines[1].contains("no name"), "{lines:?}");
    let during = fetch(&base, &[("if-none-match", &before.etag)]).await;
    assert_eq!(during.status, 304, "the card served is the one before");
    for binding in bindings() {
        stream(&agent.client(binding), "during")
            .await
            .expect("streaming is still declared");
    }
    // A broken file is reported once, not at every poll, and reading it on demand says why.
    let refused = agent.watch.reload().await.expect_err("not a card");
    assert!(refused.to_string().contains("no name"), "{refused}");
    assert_eq!(logged(&path, "not taken").len(), 2);

    agent.dir.write(&agent.card("mended", true, true));
    let after = served_until(&base, "mended").await;
    assert_ne!(after.etag, before.etag);
}

#[tokio::test]
async fn a_card_set_in_code_is_served_and_checked_at_once() {
    let agent = Agent::start("in-code", CardFile::no_polling).await;
    let base = agent.server.base.clone();
    let before = fetch(&base, &[]).await;

    assert!(
        agent
            .handler
            .set_card(agent.card("from code", false, true))
            .unwrap()
    );
    // No waiting: the swap is done when `set_card` returns.
    let after = fetch(&base, &[]).await;
    assert_eq!(after.description(), "from code");
    assert_ne!(after.etag, before.etag);
    for binding in bindings() {
        assert_kind(
            stream(&agent.client(binding), "code").await,
            ErrorKind::UnsupportedOperation,
        );
    }

    // The same card again changes nothing, not even the validators.
    assert!(
        !agent
            .handler
            .set_card(agent.card("from code", false, true))
            .unwrap()
    );
    let again = fetch(&base, &[]).await;
    assert_eq!(
        (&again.etag, &again.last_modified),
        (&after.etag, &after.last_modified)
    );
    // A card without a name is refused, and the card served stays.
    let nameless = AgentCard {
        name: String::new(),
        ..agent.card("nameless", true, true)
    };
    assert!(agent.handler.set_card(nameless).is_err());
    assert_eq!(fetch(&base, &[]).await.description(), "from code");

    // Reading the file on demand puts its card back.
    assert!(agent.watch.reload().await.expect("the file holds a card"));
    assert_eq!(fetch(&base, &[]).await.description(), "first");
    for binding in bindings() {
        stream(&agent.client(binding), "file")
            .await
            .expect("streaming again");
    }
}

#[tokio::test]
async fn declaring_push_notifications_in_a_new_card_starts_sending_them() {
    let (hits, webhook) = webhook().await;
    let agent = Agent::start_with("push-on", false, CardFile::no_polling).await;
    let client = agent.client(Binding::JsonRpc);
    let request = send_with(user_message("push", "hello"), inline_push(&webhook));
    assert_kind(
        client.send_message(&request).await,
        ErrorKind::PushNotificationNotSupported,
    );

    agent.handler.set_card(agent.card("pushes", true, true)).unwrap();
    client.send_task(&request).await;
    let deadline = Instant::now() + DEADLINE;
    while hits.lock().unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no push notification within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A webhook on 127.0.0.1 that counts what it is sent.
async fn webhook() -> (Arc<Mutex<Vec<String>>>, String) {
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&hits);
    let app = axum::Router::new().fallback(move |body: String| {
        let seen = Arc::clone(&seen);
        async move {
            seen.lock().unwrap().push(body);
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (hits, url)
}

/// Sends SIGHUP to this test process. Safe only once a watch that
/// listens for it exists: without a listener the signal ends the process.
#[cfg(unix)]
async fn hang_up(pid: u32) {
    let status = tokio::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .await
        .expect("kill runs");
    assert!(status.success());
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_reads_the_card_file_again() {
    let agent = Agent::start("hangup", |file| file.no_polling().reload_on_hangup()).await;
    let base = agent.server.base.clone();
    agent.dir.write(&agent.card("after the signal", false, true));
    // Without polling, only the signal makes the edit show.
    hang_up(std::process::id()).await;
    served_until(&base, "after the signal").await;
    assert_kind(
        stream(&agent.client(Binding::Rest), "signal").await,
        ErrorKind::UnsupportedOperation,
    );
}

#[test]
fn loading_a_card_file_says_why_it_cannot() {
    let dir = CardDir::new("load");
    let missing = CardFile::new(dir.path()).load().unwrap_err();
    assert!(missing.to_string().starts_with("cannot read"), "{missing}");
    let mut big = std::fs::File::create(dir.path()).unwrap();
    big.write_all(b"{\"name\": \"big\", \"description\": \"").unwrap();
    big.write_all(&vec![b'x'; CardFile::MAX_LEN as usize]).unwrap();
    big.write_all(b"\"}").unwrap();
    drop(big);
    let too_large = CardFile::new(dir.path()).load().unwrap_err();
    assert!(too_large.to_string().contains("larger than"), "{too_large}");
}

/// `a2a serve --card FILE` serves the file's card, follows its edits, and
/// lives through SIGHUP (which reads the file again).
#[cfg(all(feature = "cli", unix))]
#[tokio::test]
async fn the_cli_serves_a_card_file_and_follows_it() {
    use tokio::io::AsyncBufReadExt as _;

    let dir = CardDir::new("cli");
    dir.write(&card("http://127.0.0.1:1", "first", true, true));
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_a2a"))
        .args(["--json", "serve", "--echo", "--port", "0", "--card"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("a2a starts");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(DEADLINE, lines.next_line())
        .await
        .expect("a2a announces its address in time")
        .unwrap()
        .expect("a line");
    let announced: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    let base = announced["listening"].as_str().expect("the address").to_owned();
    assert_eq!(fetch(&base, &[]).await.description(), "first");

    dir.write(&card("http://127.0.0.1:1", "edited", true, true));
    served_until(&base, "edited").await;

    dir.write(&card("http://127.0.0.1:1", "hung up", true, true));
    hang_up(child.id().expect("a2a runs")).await;
    served_until(&base, "hung up").await;
    assert!(child.try_wait().unwrap().is_none(), "a2a lives through SIGHUP");
}
