//! A handler's background loops: started on the first Tokio runtime that
//! asks, started again if that runtime goes away, stopped with the handler.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

type Loop = dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// One background loop of a handler.
pub(crate) struct Daemon {
    make: Box<Loop>,
    task: Mutex<Option<JoinHandle<()>>>,
    /// Cleared when the loop's task ends, however it ends (a runtime shut
    /// down included), so that the next call starts it again.
    running: Arc<AtomicBool>,
}

impl Daemon {
    /// A loop that `make` builds each time it starts.
    pub(crate) fn new<F>(make: impl Fn() -> F + Send + Sync + 'static) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Self {
            make: Box::new(move || Box::pin(make())),
            task: Mutex::new(None),
            running: Arc::default(),
        }
    }

    /// Starts the loop on the current runtime unless it runs; does nothing
    /// outside a runtime (a later call from inside one starts it). Cheap
    /// when it runs: one atomic load.
    pub(crate) fn ensure_started(&self) {
        if self.running.load(Ordering::Acquire) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut task = self.task.lock().unwrap_or_else(|p| p.into_inner());
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let running = Running(Arc::clone(&self.running));
        let body = (self.make)();
        *task = Some(runtime.spawn(async move {
            let _running = running;
            body.await;
        }));
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(task) = self.task.get_mut().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

/// Clears the running flag when the loop's task ends.
struct Running(Arc<AtomicBool>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn a_loop_starts_once_per_runtime_and_again_on_the_next() {
        let starts = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&starts);
        let daemon = Daemon::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>()
        });
        daemon.ensure_started();
        assert_eq!(starts.load(Ordering::SeqCst), 0, "no runtime, no start");
        for _ in 0..2 {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            runtime.block_on(async {
                daemon.ensure_started();
                daemon.ensure_started();
                tokio::task::yield_now().await;
            });
            drop(runtime);
        }
        assert_eq!(starts.load(Ordering::SeqCst), 2);
    }
}
