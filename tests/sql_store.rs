//! The SQL stores: the store contract against SQLite (in memory and in a
//! file), the real PostgreSQL and the real MariaDB, then what only they
//! promise: their schema, their faults, run ownership through the database.
#![cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]

#[path = "support/databases.rs"]
mod databases;
mod store_contract;

#[cfg(feature = "sqlite")]
mod sqlite_memory {
    use a2akit::server::store::sql::SqlStore;
    crate::store_contract::contract_tests!(SqlStore::connect("sqlite::memory:").await.unwrap());
}

#[cfg(feature = "sqlite")]
mod sqlite_file {
    use a2akit::server::store::sql::SqlStore;
    crate::store_contract::contract_tests!(SqlStore::connect(&crate::databases::sqlite_url()).await.unwrap());
}

#[cfg(feature = "postgres")]
mod postgres {
    use a2akit::server::store::sql::SqlStore;
    crate::store_contract::contract_tests!(
        SqlStore::connect(&crate::databases::postgres_url().await)
            .await
            .unwrap()
    );
}

#[cfg(feature = "mysql")]
mod mysql {
    use a2akit::server::store::sql::SqlStore;
    crate::store_contract::contract_tests!(
        SqlStore::connect(&crate::databases::mysql_url().await)
            .await
            .unwrap()
    );
}
