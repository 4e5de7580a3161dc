//! An agent card kept in a JSON file, and a handler's card kept in step
//! with it: the file is polled, re-read on SIGHUP if asked, or on demand.
//!
//! Polling needs no file-system notification API and works the same on
//! every platform and file system (network mounts and the symlink swaps of
//! Kubernetes config maps included). Each poll reads the file (at most
//! [`CardFile::MAX_LEN`] bytes, on a blocking thread) and compares a hash
//! of its bytes with the last one seen, so a card is parsed only when the
//! file changed, and a broken file is reported once rather than at every
//! poll.

use std::hash::{Hash as _, Hasher as _};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::handler::{CardError, RequestHandler};
use crate::types::AgentCard;

/// A JSON file holding an agent card: read it to build a handler, then
/// [`watch`](Self::watch) it to serve each new version.
///
/// ```no_run
/// use a2akit::server::{self, AgentExecutor, CardFile, RequestHandler};
/// use std::time::Duration;
///
/// # async fn run(agent: impl AgentExecutor) -> Result<(), Box<dyn std::error::Error>> {
/// let file = CardFile::new("/etc/agent/card.json").poll_interval(Duration::from_secs(5));
/// let handler = RequestHandler::builder(file.load()?, agent).build();
/// // Until `_watch` is dropped, an edit of the file is served within five seconds.
/// let _watch = file.watch(&handler)?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// server::serve(listener, server::http::router(handler)).await?;
/// # Ok(())
/// # }
/// ```
///
/// A version of the file that cannot be read, is not a card, or is a card
/// the handler refuses (see [`RequestHandler::set_card`]) is logged as a
/// warning and the card served stays as it was. An editor that rewrites
/// the file in place may be caught halfway: that version is reported
/// and the next poll reads the whole file. Writing a new file and renaming
/// it over the old one avoids the noise.
#[derive(Debug, Clone)]
pub struct CardFile {
    path: PathBuf,
    poll: Option<Duration>,
    #[cfg(unix)]
    hangup: bool,
}

impl CardFile {
    /// How often the file is read unless told otherwise: two seconds.
    pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);

    /// The largest card file read, in bytes (1 MiB); a larger file is
    /// refused without being read whole.
    pub const MAX_LEN: u64 = 1 << 20;

    /// The card in the file at `path`, polled every
    /// [`DEFAULT_POLL_INTERVAL`](Self::DEFAULT_POLL_INTERVAL) once watched.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            poll: Some(Self::DEFAULT_POLL_INTERVAL),
            #[cfg(unix)]
            hangup: false,
        }
    }

    /// Reads the file every `every` (at least 10 ms) while watched.
    #[must_use]
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll = Some(every.max(Duration::from_millis(10)));
        self
    }

    /// Does not poll: the file is read only on SIGHUP (see
    /// [`reload_on_hangup`](Self::reload_on_hangup)) or
    /// [`CardWatch::reload`].
    #[must_use]
    pub fn no_polling(mut self) -> Self {
        self.poll = None;
        self
    }

    /// Also reads the file when the process receives SIGHUP, the
    /// conventional "reload your configuration" signal.
    ///
    /// Opt-in because listening replaces the signal's default action, for
    /// the whole process and for good: without a listener SIGHUP ends the
    /// process, and from the first [`watch`](Self::watch) that asks for it
    /// it no longer does, even after the watch is dropped.
    #[cfg(unix)]
    #[must_use]
    pub fn reload_on_hangup(mut self) -> Self {
        self.hangup = true;
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the card in the file now (blocking: for start-up, before the
    /// server runs). The card is checked as
    /// [`RequestHandler::set_card`] checks a new one.
    pub fn load(&self) -> Result<AgentCard, CardError> {
        parse(&self.path, &read(&self.path)?)
    }

    /// Keeps `handler`'s card in step with the file until the returned
    /// [`CardWatch`] is dropped: the file is read at once and at every
    /// poll interval (unless polling is off), on SIGHUP if asked, and on
    /// [`CardWatch::reload`]; each new version is put in
    /// place with [`RequestHandler::set_card`] (the card served and the
    /// capabilities the handler checks change together). A version equal
    /// to the card served changes nothing, and a card set in code stays
    /// until the file changes again.
    ///
    /// Fails outside a Tokio runtime, or when the SIGHUP listener cannot
    /// be installed (an I/O-less runtime).
    pub fn watch(self, handler: &RequestHandler) -> std::io::Result<CardWatch> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|err| {
            std::io::Error::other(format!("a card file is watched on a Tokio runtime: {err}"))
        })?;
        // Installed here, before this returns, so that a SIGHUP sent once
        // the watch exists can never take the default action (ending the process).
        #[cfg(unix)]
        let hangup = match self.hangup {
            true => {
                let _guard = runtime.enter();
                Some(tokio::signal::unix::signal(
                    tokio::signal::unix::SignalKind::hangup(),
                )?)
            }
            false => None,
        };
        #[cfg(not(unix))]
        let hangup: Option<std::convert::Infallible> = None;
        let watched = Arc::new(Watched {
            path: self.path,
            handler: handler.clone(),
            seen: Mutex::new(None),
        });
        let task = runtime.spawn(Arc::clone(&watched).run(self.poll, hangup));
        Ok(CardWatch { watched, task })
    }
}

/// Keeps a handler's card in step with a [`CardFile`]; stops when dropped.
#[must_use = "the file is watched only while the CardWatch lives"]
pub struct CardWatch {
    watched: Arc<Watched>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for CardWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardWatch")
            .field("path", &self.watched.path)
            .finish_non_exhaustive()
    }
}

impl CardWatch {
    /// Reads the file now and puts its card in place, as SIGHUP does.
    /// Returns whether the card served changed, or why the file's card
    /// was not taken (the card served then stays as it was).
    pub async fn reload(&self) -> Result<bool, CardError> {
        self.watched.reload().await
    }
}

impl Drop for CardWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the watch task and [`CardWatch::reload`] share.
struct Watched {
    path: PathBuf,
    handler: RequestHandler,
    /// A hash of what the last read found (the bytes, or the error).
    seen: Mutex<Option<u64>>,
}

impl Watched {
    /// Polls until aborted; the first poll is at once.
    async fn run(
        self: Arc<Self>,
        poll: Option<Duration>,
        #[cfg(unix)] mut hangup: Option<tokio::signal::unix::Signal>,
        #[cfg(not(unix))] _hangup: Option<std::convert::Infallible>,
    ) {
        let mut ticks = poll.map(|every| {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks
        });
        loop {
            let tick = async {
                match &mut ticks {
                    Some(ticks) => {
                        ticks.tick().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            #[cfg(unix)]
            let signal = async {
                // A listener that can hear no more leaves only the polls.
                let heard = match &mut hangup {
                    Some(signal) => signal.recv().await.is_some(),
                    None => false,
                };
                if !heard {
                    std::future::pending::<()>().await;
                }
            };
            #[cfg(not(unix))]
            let signal = std::future::pending::<()>();
            tokio::select! {
                () = tick => self.poll().await,
                () = signal => {
                    tracing::info!(path = %self.path.display(), "SIGHUP: reading the agent card file");
                    if let Err(err) = self.reload().await {
                        self.refused(&err);
                    }
                }
            }
        }
    }

    /// Reads the file; takes its card if the file changed since the last read.
    async fn poll(&self) {
        let read = self.read().await;
        if !self.saw(&read) {
            return;
        }
        if let Err(err) = read.and_then(|bytes| self.take(&bytes)) {
            self.refused(&err);
        }
    }

    /// Reads the file and takes its card, changed or not.
    async fn reload(&self) -> Result<bool, CardError> {
        let read = self.read().await;
        self.saw(&read);
        self.take(&read?)
    }

    async fn read(&self) -> Result<Vec<u8>, CardError> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || read(&path))
            .await
            .unwrap_or_else(|err| Err(CardError::new(format!("the file was not read: {err}"))))
    }

    /// Records what a read found; says whether it differs from the read before.
    fn saw(&self, read: &Result<Vec<u8>, CardError>) -> bool {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        match read {
            Ok(bytes) => (0u8, bytes).hash(&mut hasher),
            Err(err) => (1u8, err.to_string()).hash(&mut hasher),
        }
        let fingerprint = hasher.finish();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.replace(fingerprint) != Some(fingerprint)
    }

    fn take(&self, bytes: &[u8]) -> Result<bool, CardError> {
        let changed = self.handler.set_card(parse(&self.path, bytes)?)?;
        if changed {
            tracing::info!(path = %self.path.display(), "agent card reloaded from its file");
        }
        Ok(changed)
    }

    fn refused(&self, err: &CardError) {
        tracing::warn!(
            path = %self.path.display(), error = %err,
            "the agent card file was not taken; the card served stays as it was"
        );
    }
}

/// The file's bytes, up to [`CardFile::MAX_LEN`].
fn read(path: &Path) -> Result<Vec<u8>, CardError> {
    let cannot = |err: std::io::Error| CardError::new(format!("cannot read {}: {err}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(CardFile::MAX_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > CardFile::MAX_LEN {
        return Err(CardError::new(format!(
            "{} is larger than {} bytes",
            path.display(),
            CardFile::MAX_LEN
        )));
    }
    Ok(bytes)
}

fn parse(path: &Path, bytes: &[u8]) -> Result<AgentCard, CardError> {
    let card: AgentCard = crate::types::json::from_slice(bytes)
        .map_err(|err| CardError::new(format!("{} is not an agent card: {err}", path.display())))?;
    super::handler::check_card(&card)?;
    Ok(card)
}
