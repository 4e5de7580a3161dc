//! Run ownership: who is running a task, so that two messages can never
//! start two runs of one task at once.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use crate::server::store::{StoreError, TaskKey};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Hands out the right to run a task, one holder at a time.
///
/// A claim is held by a [`RunLease`]; dropping the lease releases it. The
/// engine releases it as soon as the run reaches an interrupted or terminal
/// state, so that the answer to an interrupted task is never refused while
/// the previous run winds down. An implementation shared between processes
/// gives leases an expiry, so that a process that dies releases its tasks.
pub trait RunOwnership: Send + Sync + 'static {
    /// Claims `key`; `None` if a run holds it.
    fn claim<'a>(&'a self, key: &'a TaskKey) -> BoxFuture<'a, Result<Option<RunLease>, StoreError>>;

    /// Whether claims are seen by every process on the store, and outlive
    /// the process that made them only until they expire (false by
    /// default). Only then can a process tell a task whose run died from
    /// one that another process is running, so only then does the handler
    /// look for abandoned tasks to fail
    /// ([`abandoned_after`](crate::server::RequestHandlerBuilder::abandoned_after)).
    fn is_shared(&self) -> bool {
        false
    }
}

/// The right to run one task, released when dropped.
///
/// A release that talks to a database is asynchronous: the engine awaits
/// [`release`](Self::release) where the next claim must find the task free
/// (when a run settles); dropping the lease elsewhere spawns the release on
/// the current Tokio runtime.
pub struct RunLease {
    release: Option<Release>,
}

enum Release {
    Now(Box<dyn FnOnce() + Send + Sync>),
    Later(BoxFuture<'static, ()>),
}

impl RunLease {
    /// A lease that calls `release` when it is dropped.
    pub fn new(release: impl FnOnce() + Send + Sync + 'static) -> Self {
        Self {
            release: Some(Release::Now(Box::new(release))),
        }
    }

    /// A lease released by running `release` to completion: awaited by
    /// [`release`](Self::release), spawned when the lease is dropped.
    pub fn new_async(release: impl Future<Output = ()> + Send + 'static) -> Self {
        Self {
            release: Some(Release::Later(Box::pin(release))),
        }
    }

    /// Releases the claim and waits until it is released.
    pub async fn release(mut self) {
        match self.release.take() {
            Some(Release::Now(release)) => release(),
            Some(Release::Later(release)) => release.await,
            None => {}
        }
    }
}

impl Drop for RunLease {
    fn drop(&mut self) {
        match self.release.take() {
            Some(Release::Now(release)) => release(),
            Some(Release::Later(release)) => {
                // Without a runtime the claim lapses when its lease expires.
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(release);
                }
            }
            None => {}
        }
    }
}

impl std::fmt::Debug for RunLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunLease").finish_non_exhaustive()
    }
}

/// Run ownership within one process: the default.
///
/// ```
/// use a2akit::server::task::{InMemoryRunOwnership, RunOwnership};
/// use a2akit::server::store::TaskKey;
///
/// # futures_executor_stub::block_on(async {
/// let runs = InMemoryRunOwnership::default();
/// let key = TaskKey::new("", "t1");
/// let lease = runs.claim(&key).await.unwrap();
/// assert!(lease.is_some());
/// assert!(runs.claim(&key).await.unwrap().is_none());
/// drop(lease);
/// assert!(runs.claim(&key).await.unwrap().is_some());
/// # });
/// # mod futures_executor_stub {
/// #     pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #         tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// #     }
/// # }
/// ```
#[derive(Debug, Default)]
pub struct InMemoryRunOwnership {
    running: Arc<Mutex<HashSet<TaskKey>>>,
}

impl RunOwnership for InMemoryRunOwnership {
    fn claim<'a>(&'a self, key: &'a TaskKey) -> BoxFuture<'a, Result<Option<RunLease>, StoreError>> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let lease = running.insert(key.clone()).then(|| {
            let running = Arc::clone(&self.running);
            let key = key.clone();
            RunLease::new(move || {
                running.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
            })
        });
        Box::pin(std::future::ready(Ok(lease)))
    }
}
