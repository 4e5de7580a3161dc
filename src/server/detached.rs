//! Work a request starts that must finish even if the request goes away.
//!
//! Handing such work to `tokio::spawn` costs a wake-up on another thread
//! for every step the request waits on. A [`Detached`] job instead runs
//! inside the request, polled alongside whatever the request waits for, and
//! is spawned on its own only if the request is dropped (a client that
//! disconnects) or returns before the job is done.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A job that runs in the request that owns it while the request waits, and
/// on its own once the request lets go of it.
///
/// While it holds a job, a request must await only through
/// [`alongside`](Self::alongside): the job may be queued for a lock (a
/// task's write lock is fair) that the awaited future needs too, and only
/// polling the job lets it take the lock and give it back.
pub(crate) struct Detached {
    job: Option<Job>,
    /// The request's span: a job spawned on its own stays in it.
    span: tracing::Span,
}

impl Detached {
    pub(crate) fn new(job: impl Future<Output = ()> + Send + 'static) -> Self {
        Self {
            job: Some(Box::pin(job)),
            span: tracing::Span::current(),
        }
    }

    /// Waits for `wait`, driving the job meanwhile.
    pub(crate) async fn alongside<T>(&mut self, wait: impl Future<Output = T>) -> T {
        let mut wait = std::pin::pin!(wait);
        poll_fn(|cx| {
            if let Poll::Ready(out) = wait.as_mut().poll(cx) {
                return Poll::Ready(out);
            }
            if let Some(job) = self.job.as_mut() {
                if job.as_mut().poll(cx).is_ready() {
                    self.job = None;
                    // The job may have been what `wait` waited for.
                    return wait.as_mut().poll(cx);
                }
            }
            Poll::Pending
        })
        .await
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(tracing::Instrument::instrument(job, self.span.clone()));
                }
                Err(_) => tracing::warn!("no runtime left to finish a detached job"),
            }
        }
    }
}
