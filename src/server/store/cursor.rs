//! The `ListTasks` page token every store issues: where the last page ended
//! in the newest-first order.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

use super::{StoreError, StoreErrorKind};

/// A position in the listing order: newest status timestamp first, ties by
/// task id (byte order). A page token is the position of the last task on
/// its page, so a page stays correct when tasks are added or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// The status timestamp in nanoseconds since the epoch; `i64::MIN` for a
    /// status without one, so that such tasks list last.
    pub(crate) timestamp: i64,
    /// The task id.
    pub(crate) id: String,
    /// How many tasks matched when the walk began, for stores that count
    /// once per walk rather than once per page.
    pub(crate) total: Option<u64>,
}

impl Cursor {
    pub(crate) fn of(timestamp: Option<DateTime<Utc>>, id: &str) -> Self {
        Self {
            timestamp: nanos(timestamp),
            id: id.to_owned(),
            total: None,
        }
    }

    /// Whether `self` comes before `other`, or is it, in the listing order.
    pub(crate) fn is_before_or_at(&self, other: &Cursor) -> bool {
        self.timestamp > other.timestamp || (self.timestamp == other.timestamp && self.id <= other.id)
    }

    pub(crate) fn encode(&self) -> String {
        let text = match self.total {
            None => format!("{}/{}", self.timestamp, self.id),
            Some(total) => format!("{}:{total}/{}", self.timestamp, self.id),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    pub(crate) fn decode(token: &str) -> Result<Self, StoreError> {
        let invalid = || {
            StoreError::new(
                StoreErrorKind::InvalidPageToken,
                "not a page token this store issued",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (position, id) = text.split_once('/').ok_or_else(invalid)?;
        let (timestamp, total) = match position.split_once(':') {
            Some((timestamp, total)) => (timestamp, Some(total.parse().map_err(|_| invalid())?)),
            None => (position, None),
        };
        Ok(Self {
            timestamp: timestamp.parse().map_err(|_| invalid())?,
            id: id.to_owned(),
            total,
        })
    }
}

/// A status timestamp as the listing orders it: nanoseconds since the epoch
/// (saturating outside 1677–2262), `i64::MIN` when absent.
pub(crate) fn nanos(timestamp: Option<DateTime<Utc>>) -> i64 {
    timestamp.map_or(i64::MIN, |t| {
        t.timestamp_nanos_opt()
            .unwrap_or(t.timestamp().saturating_mul(1_000_000_000))
    })
}
