//! Serving a router: `TCP_NODELAY` on every connection, and a graceful
//! shutdown that ends streams cleanly and gives running tasks a grace period.

use std::future::{Future, IntoFuture as _};
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;

use crate::server::handler::RequestHandler;

/// How long connections may take to deliver their last answers once the
/// grace period is over, before they are dropped.
pub(crate) const LAST_WORDS: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` with `TCP_NODELAY` on every connection, so
/// that small SSE writes leave at once instead of waiting for an ACK.
///
/// With your own `axum::serve`, do the same:
/// `axum::serve(listener.tap_io(|tcp| { let _ = tcp.set_nodelay(true); }), app)`
/// (`tap_io` is in `axum::serve::ListenerExt`).
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(nodelay(listener), connect_info(router)).await
}

fn nodelay(listener: TcpListener) -> axum::serve::TapIo<TcpListener, fn(&mut tokio::net::TcpStream)> {
    listener.tap_io(set_nodelay)
}

fn set_nodelay(tcp: &mut tokio::net::TcpStream) {
    if let Err(err) = tcp.set_nodelay(true) {
        tracing::debug!(error = %err, "could not set TCP_NODELAY");
    }
}

/// The router as a service that gives each request the client's address
/// (`ConnectInfo<SocketAddr>`), which rate limits use to tell anonymous
/// callers apart.
fn connect_info(
    router: Router,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
    router.into_make_service_with_connect_info::<SocketAddr>()
}

/// When and how [`serve_with_shutdown`] stops.
///
/// ```no_run
/// use std::time::Duration;
/// use a2akit::server::http::{Shutdown, serve_with_shutdown};
/// # async fn demo(handler: a2akit::server::RequestHandler) -> std::io::Result<()> {
/// let app = a2akit::server::http::router(handler.clone());
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// // On SIGTERM or Ctrl-C: stop accepting, end streams, give tasks 20 s.
/// let shutdown = Shutdown::on_signal().handler(&handler).grace(Duration::from_secs(20));
/// serve_with_shutdown(listener, app, shutdown).await
/// # }
/// ```
pub struct Shutdown {
    signal: Pin<Box<dyn Future<Output = ()> + Send>>,
    handlers: Vec<RequestHandler>,
    grace: Duration,
}

impl std::fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shutdown")
            .field("handlers", &self.handlers.len())
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

impl Shutdown {
    /// The default grace period for running tasks.
    pub const DEFAULT_GRACE: Duration = Duration::from_secs(30);

    /// Shuts down when `signal` completes.
    pub fn new(signal: impl Future<Output = ()> + Send + 'static) -> Self {
        Self {
            signal: Box::pin(signal),
            handlers: Vec::new(),
            grace: Self::DEFAULT_GRACE,
        }
    }

    /// The signal, the handlers and the grace period.
    pub(crate) fn into_parts(
        self,
    ) -> (
        Pin<Box<dyn Future<Output = ()> + Send>>,
        Vec<RequestHandler>,
        Duration,
    ) {
        (self.signal, self.handlers, self.grace)
    }

    /// Shuts down on SIGTERM (what orchestrators send) or Ctrl-C.
    pub fn on_signal() -> Self {
        Self::new(termination())
    }

    /// A handler to shut down with the server (see
    /// [`RequestHandler::shutdown`]); without one, streams and running
    /// tasks are not told, and only the connections are drained.
    pub fn handler(mut self, handler: &RequestHandler) -> Self {
        self.handlers.push(handler.clone());
        self
    }

    /// How long running tasks may take to finish (default
    /// [`Self::DEFAULT_GRACE`]); connections then get a few more seconds
    /// to deliver the answers.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }
}

/// Starts shutting the handlers down, each on a task of its own.
pub(crate) fn begin_shutdown(
    handlers: Vec<RequestHandler>,
    grace: Duration,
) -> Vec<tokio::task::JoinHandle<usize>> {
    tracing::info!(?grace, "shutting down");
    handlers
        .into_iter()
        .map(|handler| tokio::spawn(async move { handler.shutdown(grace).await }))
        .collect()
}

/// Completes on SIGTERM or Ctrl-C (on other platforms, Ctrl-C alone).
async fn termination() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Serves like [`serve`] until `shutdown`'s signal, then shuts down
/// gracefully: the listener stops accepting; every handler given to the
/// [`Shutdown`] ends its open streams at once (clients resume them with
/// `Last-Event-ID`) and gives its running tasks the grace period before it
/// fails those still running ([`RequestHandler::shutdown`]); unary requests
/// in flight finish (a blocking `SendMessage` with its task); idle
/// connections close. Returns once every connection has closed, or a few
/// seconds after the grace period, whichever comes first.
///
/// What survives: with a durable store every event acknowledged to a client
/// is stored before it is sent, and a task cut short is stored as failed
/// with a message saying why. Interrupted tasks wait in the store for
/// their answer.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    router: Router,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    let Shutdown {
        signal,
        handlers,
        grace,
    } = shutdown;
    let (fired, heard) = tokio::sync::oneshot::channel::<Vec<tokio::task::JoinHandle<usize>>>();
    let serving = axum::serve(nodelay(listener), connect_info(router))
        .with_graceful_shutdown(async move {
            signal.await;
            let _ = fired.send(begin_shutdown(handlers, grace));
        })
        .into_future();
    tokio::pin!(serving);
    let stopping = tokio::select! {
        out = &mut serving => return out,
        Ok(stopping) = heard => stopping,
    };
    // The handlers' shutdowns end their runs; the connections close once
    // their last answers are out. Both are waited for, within bounds.
    let handlers = async {
        for stopping in stopping {
            let _ = stopping.await;
        }
    };
    let (out, ()) =
        match tokio::time::timeout(grace + LAST_WORDS, async { tokio::join!(serving, handlers) }).await {
            Ok(done) => done,
            Err(_) => {
                tracing::warn!("connections still open after the grace period are dropped");
                (Ok(()), ())
            }
        };
    out
}
