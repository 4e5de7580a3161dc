//! The command line the example agents share: `--port N` and `--store URL`.
#![allow(dead_code)]

use a2akit::server::RequestHandlerBuilder;

/// The value after `name` on the command line.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// `--port N`, or `default`.
pub fn port(default: u16) -> u16 {
    arg("--port")
        .map(|port| port.parse().expect("--port takes a number"))
        .unwrap_or(default)
}

/// Puts the handler on the store `--store URL` names (`memory`, the default;
/// `sqlite://agent.db`, `postgres://…`, `mysql://…`). A SQL store also
/// decides who runs a task, so that several agents on one database never run
/// one task twice.
pub async fn store(builder: RequestHandlerBuilder) -> RequestHandlerBuilder {
    match arg("--store").as_deref() {
        None | Some("memory") => builder,
        Some(url) => sql_store(builder, url).await,
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
async fn sql_store(builder: RequestHandlerBuilder, url: &str) -> RequestHandlerBuilder {
    use std::error::Error as _;
    match a2akit::server::store::sql::SqlStore::connect(url).await {
        Ok(store) => builder.run_ownership(store.run_ownership()).store(store),
        Err(err) => {
            let cause = err.source().map(|s| format!(": {s}")).unwrap_or_default();
            eprintln!("--store {url}: {err}{cause}");
            std::process::exit(2)
        }
    }
}

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
async fn sql_store(_: RequestHandlerBuilder, url: &str) -> RequestHandlerBuilder {
    eprintln!("--store {url}: build with `--features sqlite` (or postgres, mysql) for a SQL store");
    std::process::exit(2)
}
