//! `ListTasks` on SQL: one indexed query for the page, a count once per
//! walk, and one query for the events of the page's tasks when the view
//! wants history or artifacts.

use std::collections::HashMap;

use super::error::classify;
use super::tasks::{EventRow, Head, fold};
use super::{Backend, SqlStore, on_pool};
use crate::server::store::cursor::{Cursor, nanos};
use crate::server::store::{StoreError, TaskKey, TaskPage, TaskQuery};
use crate::types::Task;

/// A logged event of one of several tasks: the task id, then the event.
type ListedEventRow = (String, i64, i32, String);

impl SqlStore {
    /// [`TaskStore::list`](crate::server::store::TaskStore::list).
    pub(super) async fn list_tasks(&self, query: &TaskQuery) -> Result<TaskPage, StoreError> {
        let after = query.page_token.as_deref().map(Cursor::decode).transpose()?;
        let listing = Listing::new(self.sql.backend, query, after.as_ref());
        let page_size = i64::try_from(query.page_size).unwrap_or(i64::MAX);
        let view = query.view;
        let result: Result<(Vec<ListedRow>, i64, Vec<ListedEventRow>), sqlx::Error> =
            on_pool!(&self.pool, |pool| {
                let mut select = sqlx::query_as::<_, ListedRow>(sqlx::AssertSqlSafe(listing.select.clone()));
                for arg in &listing.args {
                    select = match arg {
                        Arg::Text(text) => select.bind(text),
                        Arg::Int(n) => select.bind(n),
                    };
                }
                // One more than a page: whether there is a next page.
                let rows = select.bind(page_size + 1).fetch_all(pool).await?;
                // Counted once per walk: later pages carry the first page's count.
                let total = match after.as_ref().and_then(|cursor| cursor.total) {
                    Some(total) => i64::try_from(total).unwrap_or(i64::MAX),
                    None => {
                        let mut count =
                            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(listing.count.clone()));
                        for arg in &listing.args[..listing.filter_args] {
                            count = match arg {
                                Arg::Text(text) => count.bind(text),
                                Arg::Int(n) => count.bind(n),
                            };
                        }
                        count.fetch_one(pool).await?
                    }
                };
                let mut events = Vec::new();
                let shown = &rows[..rows.len().min(query.page_size)];
                if !shown.is_empty() && (view.history != Some(0) || view.artifacts) {
                    let text = listing.events(shown.len(), view.artifacts);
                    let mut select = sqlx::query_as(sqlx::AssertSqlSafe(text)).bind(&query.tenant);
                    for row in shown {
                        select = select.bind(&row.0);
                    }
                    events = select.fetch_all(pool).await?;
                }
                Ok((rows, total, events))
            });
        let (mut rows, total, events) = result.map_err(|err| classify(err, "listing tasks"))?;
        let next_page_token = if rows.len() > query.page_size {
            rows.truncate(query.page_size);
            rows.last()
                .map(|(id, _, _, _, _, _, status_at, _)| {
                    Cursor {
                        timestamp: *status_at,
                        id: id.clone(),
                        total: u64::try_from(total).ok(),
                    }
                    .encode()
                })
                .unwrap_or_default()
        } else {
            String::new()
        };
        let mut logs: HashMap<String, Vec<EventRow>> = HashMap::new();
        for (task_id, sequence, kind, body) in events {
            logs.entry(task_id).or_default().push((sequence, kind, body));
        }
        let tasks = rows
            .into_iter()
            .map(
                |(id, owner, context_id, last_seq, base_seq, status, _, metadata)| {
                    let key = TaskKey::new(query.tenant.clone(), id);
                    let head = Head::decode((owner, context_id, last_seq, base_seq, status, metadata), &key)?;
                    let log = logs.remove(&key.id).unwrap_or_default();
                    let log: Vec<_> = log
                        .into_iter()
                        .filter(|(sequence, _, _)| (head.base_seq..=head.last_seq).contains(sequence))
                        .collect();
                    let mut task = fold(&head, &key.id, &log, &key)?;
                    view.trim(&mut task);
                    Ok(task)
                },
            )
            .collect::<Result<Vec<Task>, StoreError>>()?;
        Ok(TaskPage {
            tasks,
            next_page_token,
            total_size: usize::try_from(total).unwrap_or(0),
        })
    }
}

/// A listed row: id, owner, context, last and base sequence, status, status
/// time (for the cursor) and metadata.
type ListedRow = (String, String, String, i64, i64, String, i64, Option<String>);

enum Arg {
    Text(String),
    Int(i64),
}

/// The `ListTasks` statements for one query: its filters are optional, so
/// the text is built per query (a handful of shapes, each prepared once per
/// connection).
struct Listing {
    select: String,
    count: String,
    /// The filter arguments, then the cursor's.
    args: Vec<Arg>,
    /// How many of `args` are filters (shared with the count).
    filter_args: usize,
    backend: Backend,
}

impl Listing {
    fn new(backend: Backend, query: &TaskQuery, after: Option<&Cursor>) -> Self {
        let mut filter = String::from("tenant = ? AND owner = ?");
        let mut args = vec![Arg::Text(query.tenant.clone()), Arg::Text(query.owner.clone())];
        if let Some(context_id) = &query.context_id {
            filter.push_str(" AND context_id = ?");
            args.push(Arg::Text(context_id.clone()));
        }
        if let Some(state) = query.status {
            filter.push_str(" AND state = ?");
            args.push(Arg::Int(i64::from(state.number())));
        }
        if let Some(since) = query.status_timestamp_after {
            filter.push_str(" AND status_at >= ?");
            args.push(Arg::Int(nanos(Some(since))));
        }
        let filter_args = args.len();
        let mut page = filter.clone();
        if let Some(after) = after {
            // After the cursor in (status_at DESC, id) order. The first bound
            // alone is a range the index seeks to, so a deep page costs what
            // a first page does; the rest drops the ties already shown.
            page.push_str(" AND status_at <= ? AND (status_at < ? OR id > ?)");
            args.push(Arg::Int(after.timestamp));
            args.push(Arg::Int(after.timestamp));
            args.push(Arg::Text(after.id.clone()));
        }
        let select = format!(
            "SELECT id, owner, context_id, last_seq, base_seq, status, status_at, metadata FROM a2a_tasks \
             WHERE {page} ORDER BY status_at DESC, id LIMIT ?"
        );
        let count = format!("SELECT COUNT(*) FROM a2a_tasks WHERE {filter}");
        Self {
            select: super::statements::render(backend, &select),
            count: super::statements::render(backend, &count),
            args,
            filter_args,
            backend,
        }
    }

    /// The events of `n` listed tasks, for folding their history and artifacts.
    fn events(&self, n: usize, artifacts: bool) -> String {
        let ids = vec!["?"; n].join(", ");
        let kinds = match artifacts {
            true => "kind <> 4",
            false => "kind IN (1, 2, 3)",
        };
        super::statements::render(
            self.backend,
            &format!(
                "SELECT task_id, seq, kind, body FROM a2a_task_events \
                 WHERE tenant = ? AND task_id IN ({ids}) AND {kinds} ORDER BY task_id, seq"
            ),
        )
    }
}
