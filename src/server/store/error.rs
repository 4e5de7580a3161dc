//! The one error every store method returns.

use std::error::Error as StdError;
use std::fmt;

use crate::Error;

/// What kind of failure a [`StoreError`] is: what the caller can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// Someone else wrote first: the key of a new task is taken, or the task
    /// changed since the writer read it. Re-read and try again.
    Conflict,
    /// The task (or the task of a push config) does not exist.
    NotFound,
    /// The store, or the caller's share of it, is full. Try again later.
    Capacity,
    /// The backend cannot be reached now. Try again later.
    Unavailable,
    /// A `ListTasks` page token this store did not issue.
    InvalidPageToken,
    /// Stored data could not be read (a corrupt row).
    Corrupt,
    /// A value the store cannot hold, such as an id longer than its column:
    /// the request is at fault, and the same request will fail again.
    Invalid,
    /// Any other backend failure.
    Backend,
}

/// Why a store refused, with the backend's own error as its source.
///
/// ```
/// use a2akit::server::store::{StoreError, StoreErrorKind};
///
/// let err = StoreError::capacity("the task store holds 10000 tasks");
/// assert_eq!(err.kind(), StoreErrorKind::Capacity);
/// assert!(err.is_retryable());
/// ```
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl StoreError {
    /// An error of `kind`, described by `message`.
    pub fn new(kind: StoreErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the backend error that caused this one.
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// [`StoreErrorKind::Conflict`].
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StoreErrorKind::Conflict, message)
    }

    /// [`StoreErrorKind::NotFound`] for task `id`.
    pub fn not_found(id: &str) -> Self {
        Self::new(StoreErrorKind::NotFound, format!("task {id} not found"))
    }

    /// [`StoreErrorKind::Capacity`].
    pub fn capacity(message: impl Into<String>) -> Self {
        Self::new(StoreErrorKind::Capacity, message)
    }

    /// [`StoreErrorKind::Unavailable`].
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StoreErrorKind::Unavailable, message)
    }

    /// [`StoreErrorKind::Backend`].
    pub fn backend(message: impl Into<String>) -> Self {
        Self::new(StoreErrorKind::Backend, message)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// The description, without the source.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the same call may succeed later: a full or unreachable store,
    /// or a conflict (after re-reading the task).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            StoreErrorKind::Capacity | StoreErrorKind::Unavailable | StoreErrorKind::Conflict
        )
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}

/// What a client is told. Backend details (connection strings, SQL, row
/// contents) stay in the server's log: the client sees a generic reason.
impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err.kind {
            StoreErrorKind::NotFound => Error::new(crate::ErrorKind::TaskNotFound, err.message),
            StoreErrorKind::InvalidPageToken => {
                Error::invalid_field("pageToken", "not a page token this agent issued")
            }
            StoreErrorKind::Capacity => Error::resource_exhausted(err.message),
            StoreErrorKind::Invalid => Error::invalid_params(err.message),
            StoreErrorKind::Unavailable | StoreErrorKind::Conflict => {
                tracing::warn!(error = %err, "task store busy or unavailable");
                Error::resource_exhausted("the task store is busy; try again later")
            }
            StoreErrorKind::Corrupt | StoreErrorKind::Backend => {
                tracing::error!(error = %err, "task store failure");
                Error::internal("the task store failed")
            }
        }
    }
}
