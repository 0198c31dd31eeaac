//! The contract suite on both engines (issue 17, point 7): the store and desk tests written once
//! with [`on_both_engines!`](crate::on_both_engines) run on the embedded SQLite store and, when
//! `XINYIDIAN_TEST_PG` names a server (`.ci/run` starts one), on PostgreSQL. Without a server the
//! PostgreSQL half of each test returns at once and says it was skipped, so `cargo test` passes
//! on any machine.
//!
//! Each PostgreSQL test gets a schema of its own in a database made for this test process, so
//! tests run in parallel without seeing each other's rows.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::store::{Engine, OpenMode, OpenOptions, Store};

/// The server the PostgreSQL half uses, e.g. `postgres://postgres@localhost:5433/postgres`.
pub const TEST_PG_ENV: &str = "XINYIDIAN_TEST_PG";

thread_local! {
    static ENGINE: Cell<Engine> = const { Cell::new(Engine::Sqlite) };
}

/// The engine the current test runs on.
pub fn current() -> Engine {
    ENGINE.with(Cell::get)
}

/// The server address, if the PostgreSQL half is to run.
pub fn server() -> Option<String> {
    std::env::var(TEST_PG_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// Run `f` with [`fresh_store`] giving PostgreSQL stores; skipped (and said so) without a server.
pub fn on_postgres(f: impl FnOnce()) {
    if server().is_none() {
        eprintln!("PostgreSQL 部分已跳过：未设置 {TEST_PG_ENV}（.ci/run 会启动测试用的服务器）");
        return;
    }
    ENGINE.with(|e| e.set(Engine::Postgres));
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            ENGINE.with(|e| e.set(Engine::Sqlite));
        }
    }
    let _reset = Reset;
    f();
}

/// A new, empty store on the current test's engine.
pub fn fresh_store() -> Store {
    match current() {
        Engine::Sqlite => Store::open_in_memory().expect("in-memory store"),
        Engine::Postgres => Store::open_with(
            std::path::Path::new(&fresh_schema_url()),
            &OpenOptions {
                key_dir: Some(key_dir()),
                ..OpenOptions::new(OpenMode::Create)
            },
        )
        .expect("PostgreSQL test store"),
    }
}

/// The address of a new, empty schema on the test server (PostgreSQL half only).
pub fn fresh_schema_url() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let db = test_database();
    let schema = format!("t{}", N.fetch_add(1, Ordering::SeqCst));
    let base = server().expect("PostgreSQL test server");
    let mut admin = connect(&with_database(&base, &db));
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .expect("create test schema");
    let url = with_database(&base, &db);
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}%2Cpublic")
}

/// The folder of the audit key the PostgreSQL tests of this process share.
pub fn key_dir() -> PathBuf {
    std::env::temp_dir().join(format!("xyd-test-keys-{}", std::process::id()))
}

fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("connect to the test server")
}

/// `url` with its database replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{db}", &base[..host_end]);
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// The database of this test process: made once, with pg_trgm in its public schema (every
/// test schema finds it there). Databases left by earlier runs are dropped when idle.
fn test_database() -> String {
    static DB: OnceLock<String> = OnceLock::new();
    DB.get_or_init(|| {
        let base = server().expect("PostgreSQL test server");
        let mut admin = connect(&base);
        let name = format!("xyd_test_{}", std::process::id());
        let old: Vec<String> = admin
            .query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'xyd\\_test\\_%'",
                &[],
            )
            .expect("list test databases")
            .iter()
            .map(|r| r.get(0))
            .collect();
        for d in old.iter().filter(|d| **d != name) {
            // In use by a run still going: left for a later run.
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {d}"));
        }
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
        admin
            .batch_execute(&format!(
                "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
            ))
            .expect("create test database");
        connect(&with_database(&base, &name))
            .batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            .expect("pg_trgm");
        name
    })
    .clone()
}

/// Write tests once, run them on both engines: each `fn name() {…}` becomes a module `name`
/// with the tests `sqlite` and `postgres`. Inside, [`fresh_store`] gives the engine's store.
#[macro_export]
macro_rules! on_both_engines {
    ($( $(#[$m:meta])* fn $name:ident() $body:block )*) => {$(
        $(#[$m])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn body() $body
            #[test]
            fn sqlite() {
                body()
            }
            #[test]
            fn postgres() {
                $crate::dev::engines::on_postgres(body)
            }
        }
    )*};
}

/// A database several connections open at once (several counters on one store): a file in a
/// fresh folder on SQLite, a fresh schema on PostgreSQL. The folder goes when this is dropped.
pub struct SharedDb {
    location: PathBuf,
    folder: Option<PathBuf>,
}

impl SharedDb {
    /// A new, empty shared database on the current test's engine.
    pub fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        match current() {
            Engine::Sqlite => {
                let folder = std::env::temp_dir().join(format!(
                    "xyd-shared-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::create_dir_all(&folder).expect("test folder");
                Self {
                    location: folder.join("shared.sqlite3"),
                    folder: Some(folder),
                }
            }
            Engine::Postgres => Self {
                location: PathBuf::from(fresh_schema_url()),
                folder: None,
            },
        }
    }

    /// One more connection to it (created on first open), with this process's test key.
    pub fn open(&self) -> Store {
        let keys = match &self.folder {
            Some(f) => f.join("keys"),
            None => key_dir(),
        };
        Store::open_with(
            &self.location,
            &OpenOptions {
                key_dir: Some(keys),
                ..OpenOptions::new(OpenMode::Create)
            },
        )
        .expect("open the shared test database")
    }
}

impl Default for SharedDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SharedDb {
    fn drop(&mut self) {
        if let Some(f) = &self.folder {
            let _ = std::fs::remove_dir_all(f);
        }
    }
}
