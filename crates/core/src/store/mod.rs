//! The store: the embedded SQLite file of one counter PC, or the PostgreSQL server a hall or the
//! city shares (`store/postgres.rs`); opening (with the checks a counter needs), migrations, and
//! typed queries written once over both engines (`store/sql.rs`). Nothing outside this module
//! writes SQL.
//!
//! Reads go through [`Reader`]; every user action that writes runs inside one
//! [`Store::write`] call, which is one `BEGIN IMMEDIATE` transaction: it commits when the closure
//! returns `Ok` and rolls back otherwise, so a failed action leaves nothing half-written. On
//! PostgreSQL the transaction first takes the store's write lock, so writers queue there as they
//! do on SQLite.

mod anchor;
mod backup;
mod bulk;
mod cases;
mod commitments;
mod copy;
mod credit;
mod migrations;
mod operators;
mod parks;
mod platform;
mod postgres;
mod record_codec;
mod record_copy;
mod record_import;
mod records;
mod reports;
pub(crate) mod sql;
mod stats;
mod subjects;
mod trust;

pub use anchor::{HeadState, KEY_DIR_ENV, REANCHOR_ACTION, default_key_dir, head_path};
pub use backup::IntegrityReport;
pub use bulk::SubjectBulk;
pub use copy::CopySummary;
pub use credit::CreditFilter;
pub use operators::AuditFilter;
pub use platform::{BatchRow, ItemRow, NewItem, NewListEntry, SentState, SnapshotRow};
pub use postgres::{PASSWORD_ENV, is_server_url};
pub use record_import::RecordImport;
pub use records::{EncodedRecord, StoredRecord, Upsert, key_digest};
pub use reports::{
    Blob, BlobRef, HandEntrySummary, NewReport, ReportStatus, ReportView, sha256_hex,
};
pub use sql::Engine;

pub use trust::{CheckRow, NewVerdict, StoredVerdict, TrustStatus, VerdictRow};
// The ids and the T-7 list row are domain types; named here too for the store's callers.
pub use crate::domain::records::RecordId;
pub use crate::domain::report::ReportId;
pub use crate::domain::trust::{TrustedRow, VerdictId};

use std::cell::{Cell, RefCell};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, ffi};

use crate::domain::audit::{AuditKey, HeadRecord};
pub use migrations::{KEYED_AUDIT_VERSION, SCHEMA_VERSION};

/// How long a write waits for another connection's lock (a long import in another window)
/// before giving up. Long on purpose (issue 14, point 9): the waiting write is told through
/// [`Store::on_lock_wait`] and goes through once the other transaction commits.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// After this much waiting in one episode, [`Store::on_lock_wait`]'s callback is called (a
/// shorter wait is ordinary contention between windows and says nothing).
pub const LOCK_NOTICE_AFTER: Duration = Duration::from_millis(500);

/// The `PRAGMA application_id` of a xinyidian database ("XYD1"): a file with another id was
/// written by another program and is never opened (issue 14, point 8).
pub const APPLICATION_ID: i32 = 0x5859_4431;

/// Why the store could not do what was asked. `Display` is the Chinese message for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "文件“{path}”不是信易电数据库（不是 SQLite 数据库文件）：请检查 --db 参数或所选文件是否正确"
    )]
    NotADatabase { path: String },
    #[error(
        "文件“{path}”不是信易电数据库（{why}）：为免改动其他程序的数据，本程序不会打开它。请检查 --db 参数或所选文件是否正确"
    )]
    NotOurs { path: String, why: &'static str },
    #[error(
        "数据库文件“{path}”不存在：请检查 --db 参数是否写错；新数据库请先打开柜台窗口，或用 operator add 创建第一个管理员"
    )]
    Missing { path: String },
    #[error("数据库文件“{path}”是只读的，无法保存：请检查文件权限，或用 --db 指定一个可写的位置")]
    ReadOnly { path: String },
    #[error("本命令以只读方式打开数据库，不能保存：请改用写操作命令（需 --operator）")]
    OpenedReadOnly,
    #[error(
        "数据库“{path}”是旧版本（数据库版本 {found}），只读打开时无法升级：请先用本程序的窗口或任一写操作命令打开一次（audit verify 可直接校验旧版本数据库）"
    )]
    NeedsUpgrade { path: String, found: i64 },
    #[error(
        "数据库正被其他程序锁定，等待后仍无法写入：请关闭其他正在使用该数据库的信易电窗口或程序后重试"
    )]
    Locked,
    #[error("磁盘空间已满，本次操作未保存：请清理磁盘后重试")]
    DiskFull,
    #[error("数据库文件已损坏，无法读取：请联系管理员从备份恢复")]
    Corrupt,
    #[error(
        "该数据库由较新版本的信易电创建（数据库版本 {found}，本程序支持到 {supported}）：请先升级本程序再打开，以免损坏数据"
    )]
    TooNew { found: i64, supported: i64 },
    #[error("无法打开数据库文件“{path}”：{detail}。请检查路径是否存在、是否有权限")]
    CannotOpen { path: String, detail: String },
    #[error("数据库中的数据无法识别（{0}）：请联系管理员")]
    BadData(String),
    #[error("操作日志的审计密钥或锚定文件出错：{0}。请联系管理员")]
    Anchor(String),
    #[error("数据库操作失败：{0}")]
    Sqlite(String),
    #[error(
        "无法连接数据库服务器“{target}”：{detail}。已输入的内容没有丢失：请检查网络或服务器是否运行（联系信息管理员），稍后重试"
    )]
    Unreachable { target: String, detail: String },
    #[error(
        "数据库服务器“{target}”拒绝了登录（用户名或密码错误）：请核对密码（环境变量 XINYIDIAN_DB_PASSWORD 或启动时输入），或联系信息管理员"
    )]
    LoginRefused { target: String },
    #[error(
        "数据库服务器“{target}”需要密码：请在启动时输入，或设置环境变量 XINYIDIAN_DB_PASSWORD（密码不能写在 --db 中）"
    )]
    PasswordNeeded { target: String },
    #[error("数据库地址“{target}”有误：{why}")]
    BadServerUrl { target: String, why: String },
    #[error(
        "数据库“{target}”不是信易电数据库（{why}）：为免改动其他程序的数据，本程序不会使用它。请检查 --db 中的数据库名"
    )]
    ServerNotOurs { target: String, why: String },
    #[error(
        "本机的审计密钥与共享数据库的不一致（数据库要求密钥 {expected}，本机为 {found}）：请向信息管理员取得该数据库的审计密钥文件 audit-key，放入本机的密钥文件夹后重试"
    )]
    ForeignAuditKey { expected: String, found: String },
    #[error(
        "数据库“{target}”中还没有信易电的数据：请检查 --db 中的数据库名；新的共用数据库请先用柜台窗口或 operator add 初始化（见 README“营业厅共用数据库”）"
    )]
    ServerEmpty { target: String },
    /// Another window saved the same record first (optimistic check): nothing was saved.
    #[error("{0}")]
    Conflict(String),
    /// A backup could not be written (issue 20); the database itself is untouched.
    #[error("备份到“{path}”失败：{detail}。当前数据库未受影响，请换一个位置或清理磁盘后重试")]
    Backup { path: String, detail: String },
    /// What this engine does not do (a backup of a server database).
    #[error("{0}")]
    Unsupported(String),
    #[error("数据库服务器出错：{0}。本次操作未保存，请稍后重试")]
    Server(String),
}

impl StoreError {
    fn from_sqlite(e: rusqlite::Error, path: &str) -> Self {
        if let rusqlite::Error::SqliteFailure(f, detail) = &e {
            return match f.code {
                ffi::ErrorCode::NotADatabase => StoreError::NotADatabase {
                    path: path.to_string(),
                },
                ffi::ErrorCode::ReadOnly => StoreError::ReadOnly {
                    path: path.to_string(),
                },
                ffi::ErrorCode::DatabaseBusy | ffi::ErrorCode::DatabaseLocked => StoreError::Locked,
                ffi::ErrorCode::DiskFull => StoreError::DiskFull,
                ffi::ErrorCode::DatabaseCorrupt => StoreError::Corrupt,
                ffi::ErrorCode::CannotOpen | ffi::ErrorCode::PermissionDenied => {
                    StoreError::CannotOpen {
                        path: path.to_string(),
                        detail: detail.clone().unwrap_or_else(|| f.to_string()),
                    }
                }
                _ => StoreError::Sqlite(e.to_string()),
            };
        }
        StoreError::Sqlite(e.to_string())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::from_sqlite(e, "")
    }
}

impl From<sql::SqlError> for StoreError {
    fn from(e: sql::SqlError) -> Self {
        match e {
            sql::SqlError::NoRows => StoreError::Sqlite("查询没有结果".into()),
            sql::SqlError::Lite(e) => StoreError::from_sqlite(e, ""),
            sql::SqlError::Pg(e, target) => postgres::store_error(&e, &target),
            sql::SqlError::Type { column, why } => StoreError::BadData(format!("{column}：{why}")),
        }
    }
}

/// How a database file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// For writing, created (with its folder) when missing: the window's first start and the
    /// first administrator's setup.
    Create,
    /// For writing; a missing file is an error (write commands: a mistyped path is not
    /// silently made into a new database).
    Existing,
    /// For reading only: nothing in the file or beside it changes, a missing file is an error,
    /// and a read-only file (an evidence copy) can be read.
    ReadOnly,
}

/// How [`Store::open_with`] opens a file.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub mode: OpenMode,
    /// How long a write waits for another connection's write lock.
    pub lock_wait: Duration,
    /// How long a write waits before [`Store::on_lock_wait`]'s callback is called.
    pub lock_notice_after: Duration,
    /// The folder of the audit key; `None`: [`default_key_dir`].
    pub key_dir: Option<PathBuf>,
    /// `synchronous=FULL`: every commit is on disk when it returns (issue 14, point 13). Only
    /// the commit-latency benchmark turns it off.
    pub durable: bool,
    /// Read-only: accept a file of an older schema version, whose tables may lack columns this
    /// version reads (only `audit verify` reads such a file).
    pub allow_old_schema: bool,
    /// The server password (PostgreSQL), when not in the environment: asked for by the CLI.
    pub password: Option<String>,
    /// Told before each schema upgrade step (step about to run, counted from 1, and how many
    /// run in this open): the window shows it while a large database is upgraded (issue 15,
    /// point 10).
    pub on_upgrade_step: Option<UpgradeSteps>,
}

/// The callback of [`OpenOptions::on_upgrade_step`].
#[derive(Clone)]
pub struct UpgradeSteps(pub std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for UpgradeSteps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UpgradeSteps")
    }
}

impl UpgradeSteps {
    fn tell(steps: Option<&UpgradeSteps>, step: u64, of: u64) {
        if let Some(s) = steps {
            (s.0)(step, of);
        }
    }
}

impl OpenOptions {
    pub fn new(mode: OpenMode) -> Self {
        Self {
            mode,
            lock_wait: DEFAULT_BUSY_TIMEOUT,
            lock_notice_after: LOCK_NOTICE_AFTER,
            key_dir: None,
            durable: true,
            allow_old_schema: false,
            password: None,
            on_upgrade_step: None,
        }
    }
}

/// The audit chain's key and head (see `store/anchor.rs`).
struct AuditAnchor {
    /// Signs keyed rows; `None` only on a read-only open of a computer without the key.
    key: Option<AuditKey>,
    /// The head file; `None` in memory.
    head: Option<PathBuf>,
    /// The next audit row is preceded by a re-anchoring row (the head file was missing or not
    /// signed by this key on a database already keyed).
    reanchor: Option<String>,
    /// Business date set apart from the calendar (`--date`), recorded on audit rows.
    business_date: Option<NaiveDate>,
}

pub(super) type LockNotice = Arc<dyn Fn() + Send + Sync>;

/// The connection of a store: the embedded file, or a PostgreSQL server.
enum Db {
    Lite(Connection),
    Pg(Box<postgres::PgStore>),
}

/// The open database of one counter.
pub struct Store {
    db: Db,
    path: Option<PathBuf>,
    /// The folder of the audit key it was opened with (a backup reopens with it).
    key_dir: Option<PathBuf>,
    read_only: bool,
    audit: AuditAnchor,
    lock_wait: Duration,
    lock_notice_after: Duration,
    notice: Arc<std::sync::Mutex<Option<LockNotice>>>,
}

impl Store {
    /// Open (creating if needed) the database at `path`, with its parent folder; apply pending
    /// migrations; refuse a database written by a newer version of the program or by another
    /// program.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, &OpenOptions::new(OpenMode::Create))
    }

    /// As [`Store::open`], but a missing file is an error.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, &OpenOptions::new(OpenMode::Existing))
    }

    /// Open an existing database for reading only (see [`OpenMode::ReadOnly`]).
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, &OpenOptions::new(OpenMode::ReadOnly))
    }

    /// As [`Store::open`], with a chosen lock wait (tests use a short one).
    pub fn open_with_timeout(path: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        Self::open_with(
            path,
            &OpenOptions {
                lock_wait: busy_timeout,
                ..OpenOptions::new(OpenMode::Create)
            },
        )
    }

    /// Open the database at `path` as `opts` say.
    pub fn open_with(path: &Path, opts: &OpenOptions) -> Result<Self, StoreError> {
        if let Some(url) = path.to_str().filter(|p| is_server_url(Path::new(p))) {
            return postgres::open(url, opts);
        }
        let shown = path.display().to_string();
        let exists = path.exists();
        if !exists && opts.mode != OpenMode::Create {
            return Err(StoreError::Missing { path: shown });
        }
        let conn = match opts.mode {
            OpenMode::ReadOnly => open_read_only_conn(path, &shown)?,
            OpenMode::Create | OpenMode::Existing => {
                if opts.mode == OpenMode::Create
                    && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::CannotOpen {
                        path: shown.clone(),
                        detail: format!("无法创建文件夹“{}”（{e}）", dir.display()),
                    })?;
                }
                let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                if opts.mode == OpenMode::Create {
                    flags |= OpenFlags::SQLITE_OPEN_CREATE;
                }
                let conn = Connection::open_with_flags(path, flags)
                    .map_err(|e| StoreError::from_sqlite(e, &shown))?;
                // SQLite silently falls back to read-only when the file is not writable; the
                // counter must save what the clerk enters, so say so now rather than at the
                // first save.
                if conn.is_readonly("main").unwrap_or(false) {
                    return Err(StoreError::ReadOnly { path: shown });
                }
                conn
            }
        };
        let mut store = Store {
            db: Db::Lite(conn),
            path: Some(path.to_path_buf()),
            key_dir: opts.key_dir.clone().or_else(default_key_dir),
            read_only: opts.mode == OpenMode::ReadOnly,
            audit: AuditAnchor {
                key: None,
                head: Some(anchor::head_path(path)),
                reanchor: None,
                business_date: None,
            },
            lock_wait: opts.lock_wait,
            lock_notice_after: opts.lock_notice_after,
            notice: Arc::default(),
        };
        store.install_busy_handler()?;
        let version = store.check_owner(&shown, opts)?;
        let key_dir = match &opts.key_dir {
            Some(d) => Some(d.clone()),
            None => default_key_dir(),
        };
        if store.read_only {
            store.audit.key = match key_dir {
                Some(dir) => anchor::load_key(&dir)?,
                None => None,
            };
            return Ok(store);
        }
        let dir = key_dir.ok_or_else(|| {
            StoreError::Anchor(
                "无法确定本机审计密钥的存放位置：请设置环境变量 XINYIDIAN_KEY_DIR".into(),
            )
        })?;
        store.audit.key = Some(anchor::load_or_create_key(&dir)?);
        store.configure(true, opts.durable, &shown, opts.on_upgrade_step.as_ref())?;
        store.anchor_at_open(version)?;
        Ok(store)
    }

    /// A private in-memory database (tests, benchmarks). Its audit rows are signed with a key
    /// that lives as long as the store; there is no head file.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            db: Db::Lite(conn),
            path: None,
            key_dir: None,
            read_only: false,
            audit: AuditAnchor {
                key: Some(anchor::random_key()?),
                head: None,
                reanchor: None,
                business_date: None,
            },
            lock_wait: DEFAULT_BUSY_TIMEOUT,
            lock_notice_after: LOCK_NOTICE_AFTER,
            notice: Arc::default(),
        };
        store.install_busy_handler()?;
        store.configure(false, true, ":memory:", None)?;
        Ok(store)
    }

    /// Wait up to the lock wait for another connection's lock, telling [`Store::on_lock_wait`]'s
    /// callback once per wait that lasts (issue 14, point 9).
    fn install_busy_handler(&mut self) -> Result<(), StoreError> {
        let (wait, notice_after) = (self.lock_wait, self.lock_notice_after);
        let notice = self.notice.clone();
        let mut started = Instant::now();
        let mut told = false;
        let Db::Lite(conn) = &mut self.db else {
            // PostgreSQL waits for locks itself (lock_timeout, see `store/postgres.rs`).
            return Ok(());
        };
        conn.busy_handler(Some(move |n: i32| {
            if n == 0 {
                started = Instant::now();
                told = false;
            }
            let waited = started.elapsed();
            if waited >= wait {
                return false;
            }
            if !told && waited >= notice_after {
                told = true;
                if let Some(f) = notice.lock().ok().and_then(|g| g.clone()) {
                    f();
                }
            }
            let step = if n < 10 { 5 } else { 50 };
            std::thread::sleep(Duration::from_millis(step).min(wait - waited));
            true
        }))?;
        Ok(())
    }

    /// Change how long a write waits for another connection's transaction. The window sets a
    /// short wait so that its thread never blocks on another window's import: the write comes
    /// back [`StoreError::Locked`] and the window tries again on a later frame (issue 14, point 9).
    pub fn set_lock_wait(&mut self, wait: Duration) -> Result<(), StoreError> {
        self.lock_wait = wait;
        if let Db::Pg(pg) = &self.db {
            pg.set_lock_wait(wait);
        }
        self.install_busy_handler()
    }

    /// Call `f` when a write has waited a while for another window's transaction (the CLI
    /// prints "正在等待其他窗口完成导入…"; the window can show it in its status line).
    pub fn on_lock_wait(&mut self, f: impl Fn() + Send + Sync + 'static) {
        if let Ok(mut g) = self.notice.lock() {
            *g = Some(Arc::new(f));
        }
    }

    /// Refuse a file this program did not create; the schema version in the file.
    fn check_owner(&self, shown: &str, opts: &OpenOptions) -> Result<i64, StoreError> {
        let Db::Lite(conn) = &self.db else {
            return Ok(SCHEMA_VERSION);
        };
        let map = |e| StoreError::from_sqlite(e, shown);
        // Reading the header is the first real read: it fails here for a non-SQLite file.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(map)?;
        let app_id: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(map)?;
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .map_err(map)?;
        let not_ours = |why| StoreError::NotOurs {
            path: shown.to_string(),
            why,
        };
        if app_id != APPLICATION_ID {
            if app_id != 0 {
                return Err(not_ours("文件头标明它属于另一个程序"));
            }
            if pages == 0 {
                // An empty file: a new database when opened for writing.
                if self.read_only {
                    return Err(not_ours("文件是空的"));
                }
            } else {
                // Files of earlier versions carry no id: ours if they hold our schema.
                let ours = version >= 1
                    && conn
                        .query_row(
                            "SELECT count(*) FROM sqlite_master
                             WHERE type = 'table' AND name IN ('subject', 'account')",
                            [],
                            |r| r.get::<_, i64>(0),
                        )
                        .map_err(map)?
                        == 2;
                if !ours {
                    return Err(not_ours(if version == 0 {
                        "SQLite 数据库，但不含信易电的数据表"
                    } else {
                        "SQLite 数据库，由其他程序创建"
                    }));
                }
            }
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if self.read_only && version < SCHEMA_VERSION && !opts.allow_old_schema {
            return Err(StoreError::NeedsUpgrade {
                path: shown.to_string(),
                found: version,
            });
        }
        Ok(version)
    }

    fn configure(
        &mut self,
        wal: bool,
        durable: bool,
        shown: &str,
        steps: Option<&UpgradeSteps>,
    ) -> Result<(), StoreError> {
        let Db::Lite(conn) = &mut self.db else {
            return Ok(());
        };
        let map = |e| StoreError::from_sqlite(e, shown);
        if wal {
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(map)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Sqlite(format!(
                    "无法启用 WAL 日志模式（{mode}）"
                )));
            }
        }
        // FULL: a commit is on disk when it returns, so a letter printed a moment before a power
        // cut keeps its record (issue 14, point 13). In WAL mode this is one sync of the log per
        // transaction, so a bulk import (one transaction) syncs once, at its end.
        conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })
            .map_err(map)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(map)?;
        let app_id: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(map)?;
        if app_id != APPLICATION_ID {
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(map)?;
        }
        migrations::migrate(conn, &|step, of| UpgradeSteps::tell(steps, step, of)).map_err(map)?;
        Ok(())
    }

    /// After a write-open: a database created or upgraded now is anchored at its current end;
    /// one keyed before whose head file is missing, or not signed by this computer's key, is
    /// re-anchored by its next audit row, which says so in the trail.
    fn anchor_at_open(&mut self, version_before: i64) -> Result<(), StoreError> {
        let (Some(head_path), Some(key)) = (self.audit.head.clone(), self.audit.key.clone()) else {
            return Ok(());
        };
        let state = anchor::read_head(&head_path);
        // A file of an earlier version has no keyed row and no head of this key; one that has
        // either was keyed before and then set back (its newest rows may have been cut): it is
        // re-anchored visibly, never silently.
        let set_back = self.read().count_keyed_audit()? > 0
            || matches!(&state, HeadState::Present(_, h) if h.is_signed_by(&key) && h.seq > 0);
        if version_before == 0 || (version_before < KEYED_AUDIT_VERSION && !set_back) {
            // New (a head left by a deleted database of the same name is replaced) or just
            // upgraded: anchored at its current end, the last row of the old rule.
            let (seq, hash) = self.read().last_audit()?;
            let count = self.read().count_audit()?;
            let head = HeadRecord::sign(&key, seq, &hash, count);
            return anchor::write_head(&head_path, &head, true);
        }
        let why = match state {
            HeadState::Present(_, h)
                if h.is_signed_by(&key) && version_before >= KEYED_AUDIT_VERSION =>
            {
                return Ok(());
            }
            HeadState::Present(_, h) if h.is_signed_by(&key) => "数据库被改回过旧版本",
            HeadState::Missing(_) => "锚定文件缺失",
            HeadState::Present(..) => "锚定文件不是本机审计密钥签名的（数据库可能来自另一台电脑）",
            HeadState::Unreadable(_) | HeadState::NotAnchored => "锚定文件无法读取",
        };
        self.audit.reanchor = Some(why.to_string());
        Ok(())
    }

    fn shown_path(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| ":memory:".into(), |p| p.display().to_string())
    }

    /// Where the store lives, as the 设置 page shows it: the file, the server (without
    /// password), or the in-memory database.
    pub fn location(&self) -> String {
        match (&self.db, &self.path) {
            (Db::Pg(pg), _) => format!("数据库服务器 {}", pg.shown()),
            (Db::Lite(_), Some(p)) => p.display().to_string(),
            (Db::Lite(_), None) => "（内存数据库）".into(),
        }
    }

    /// The file this store lives in (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether the store was opened for reading only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Record `date` on every audit row written from now on whose real date differs from it
    /// (the CLI's `--date`).
    pub fn set_business_date(&mut self, date: Option<NaiveDate>) {
        self.audit.business_date = date;
    }

    /// The key that signs (and verifies) audit rows on this computer.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.audit.key.as_ref()
    }

    /// The head file's state.
    pub fn audit_head(&self) -> HeadState {
        match &self.audit.head {
            Some(p) => anchor::read_head(p),
            None => HeadState::NotAnchored,
        }
    }

    /// Typed read-only queries.
    pub fn read(&self) -> Reader<'_> {
        if let Db::Pg(pg) = &self.db {
            // A connection lost since the last action (server restart, network cut) is
            // replaced here; if the server is still away, the read itself says so.
            let _ = pg.reconnect_if_lost();
        }
        Reader {
            conn: match &self.db {
                Db::Lite(c) => sql::Conn::Lite(c),
                Db::Pg(p) => sql::Conn::Pg(p.conn()),
            },
        }
    }

    /// Run one user action as one transaction. The closure's error rolls everything back. When
    /// it wrote audit rows, the head file is rewritten after the commit.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        if self.read_only {
            return Err(StoreError::OpenedReadOnly.into());
        }
        let shown = self.shown_path();
        let conn = match &self.db {
            Db::Lite(c) => c,
            Db::Pg(pg) => {
                let notice = self.notice.lock().ok().and_then(|g| g.clone());
                return postgres::write(pg, &self.audit, notice, self.lock_notice_after, f);
            }
        };
        // A shared borrow of the connection: the transaction commits or rolls back on drop.
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(e, &shown))?;
        let writer = Writer {
            reader: Reader {
                conn: sql::Conn::Lite(&tx),
            },
            audit: &self.audit,
            reanchor: Cell::new(self.audit.reanchor.is_some()),
            appended: RefCell::new(None),
        };
        let out = f(&writer)?;
        let reanchored = self.audit.reanchor.is_some() && !writer.reanchor.get();
        let head = match (writer.appended.take(), &self.audit.key) {
            (Some((seq, hash)), Some(key)) => {
                let count = writer.count_audit()?;
                Some(HeadRecord::sign(key, seq, &hash, count))
            }
            _ => None,
        };
        drop(writer);
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(e, &shown))?;
        if reanchored {
            self.audit.reanchor = None;
        }
        if let (Some(h), Some(path)) = (head, &self.audit.head) {
            // The action is saved whatever happens here. A head not written now lags one write
            // behind, which `audit verify` reports until the next write rewrites it.
            let _ = anchor::write_head(path, &h, false);
        }
        Ok(out)
    }

    /// [`Store::write`] for an action that writes a great deal at once (a bulk import). Its
    /// commit does not copy the write-ahead log into the database file (the automatic
    /// checkpoint, as long again as the writing of a million rows); a background thread with its
    /// own connection does that afterwards, while the clerk already reads the result. The data
    /// is committed either way: readers find it in the log until it is copied.
    ///
    /// Foreign keys are not checked inside: every reference `f` writes must come from a lookup
    /// or an insert in the same transaction (the import resolves each subject that way), so the
    /// check would only look up again, for every row, what was just found.
    pub fn write_bulk<T, E>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        // Both settings can only change outside a transaction, and both are restored before
        // anything else uses the connection.
        let Db::Lite(conn) = &self.db else {
            // PostgreSQL: one ordinary transaction (its bulk statements are the store's own).
            return self.write(f);
        };
        conn.pragma_update(None, "foreign_keys", false)
            .map_err(StoreError::from)?;
        let out = match self.path.clone() {
            // In memory: no log to copy.
            None => self.write(f),
            Some(path) => self.write_without_checkpoint(path, f),
        };
        let restored = match &self.db {
            Db::Lite(c) => c.pragma_update(None, "foreign_keys", true),
            Db::Pg(_) => Ok(()),
        };
        match (out, restored) {
            (Ok(_), Err(e)) => Err(StoreError::Sqlite(format!(
                "导入已保存，但无法恢复外键检查（{e}）：请重新启动程序后再继续办理"
            ))
            .into()),
            (out, _) => out,
        }
    }

    fn write_without_checkpoint<T, E>(
        &mut self,
        path: PathBuf,
        f: impl FnOnce(&Writer<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let Db::Lite(conn) = &self.db else {
            return self.write(f);
        };
        let old: i64 = conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(StoreError::from)?;
        let out = self.write(f);
        // Only the speed of later commits depends on this setting; a failure to restore it is
        // left to the next open.
        if let Db::Lite(c) = &self.db {
            let _ = c.pragma_update(None, "wal_autocheckpoint", old);
        }
        if out.is_ok() {
            checkpoint_in_background(path);
        }
        out
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        match &self.db {
            Db::Lite(c) => Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?),
            Db::Pg(pg) => postgres::schema_version(pg),
        }
    }

    /// Which engine this store runs on.
    pub fn engine(&self) -> Engine {
        match &self.db {
            Db::Lite(_) => Engine::Sqlite,
            Db::Pg(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection (tests of this module).
    #[cfg(test)]
    pub(crate) fn lite(&self) -> &Connection {
        match &self.db {
            Db::Lite(c) => c,
            Db::Pg(_) => panic!("not a SQLite store"),
        }
    }
}

/// Open `path` read-only. A database in WAL mode needs its `-shm` index, which SQLite creates
/// beside the file even on a read-only open; where it cannot (a read-only evidence copy, or a
/// read-only folder) the file is opened as immutable: SQLite then reads the database file alone,
/// which is exact for a copy that nothing writes. A `-wal` file beside such a copy is not read;
/// a copy is taken whole after a checkpoint (README).
fn open_read_only_conn(path: &Path, shown: &str) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let first = Connection::open_with_flags(path, flags).and_then(|c| {
        c.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        Ok(c)
    });
    match first {
        Ok(c) => Ok(c),
        Err(e) if is_not_a_database(&e) => Err(StoreError::from_sqlite(e, shown)),
        Err(first_error) => {
            open_immutable(path).map_err(|_| StoreError::from_sqlite(first_error, shown))
        }
    }
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ffi::ErrorCode::NotADatabase)
}

/// Open `path` with SQLite's `immutable=1` (no locks, no `-shm`, nothing written).
fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    let text = abs.to_string_lossy().replace('\\', "/");
    if !text.starts_with('/') {
        // A Windows drive path: file:///C:/…
        uri.push('/');
    }
    for ch in text.chars() {
        match ch {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3F"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let c = Connection::open_with_flags(uri, flags)?;
    c.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(c)
}

/// Copy the write-ahead log into the database file from a thread of its own (see
/// [`Store::write_bulk`]). PASSIVE: it never waits for, nor blocks, the counter's own reads and
/// writes; whatever it cannot copy now the next automatic checkpoint copies. Nothing is lost if
/// the program ends meanwhile.
fn checkpoint_in_background(path: PathBuf) {
    let spawned = std::thread::Builder::new()
        .name("xyd-checkpoint".into())
        .spawn(move || {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            if let Ok(conn) = Connection::open_with_flags(&path, flags) {
                let _ = conn.busy_timeout(Duration::from_secs(5));
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        });
    // Without a thread the next automatic checkpoint does the work.
    drop(spawned);
}

/// Typed queries over a connection or an open transaction.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    conn: sql::Conn<'a>,
}

impl Reader<'_> {
    /// `(id, JSON)` rows of a query with one integer parameter (records kept whole as JSON:
    /// commitments, cases).
    fn id_json_rows(&self, sql: &str, key: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(sql)?
            .query_map([key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<sql::Result<Vec<_>>>()?)
    }
}

/// Typed writes inside one transaction; every read is available too.
pub struct Writer<'a> {
    reader: Reader<'a>,
    audit: &'a AuditAnchor,
    /// A re-anchoring row is still to be written before the next audit row.
    reanchor: Cell<bool>,
    /// The last audit row this transaction appended: `(seq, hash)`.
    appended: RefCell<Option<(i64, String)>>,
}

impl<'a> Deref for Writer<'a> {
    type Target = Reader<'a>;
    fn deref(&self) -> &Reader<'a> {
        &self.reader
    }
}

const TS_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

fn ts_to_sql(t: NaiveDateTime) -> String {
    t.format(TS_FORMAT).to_string()
}

/// A stored timestamp.
pub fn ts_from_sql(s: &str) -> Result<NaiveDateTime, StoreError> {
    NaiveDateTime::parse_from_str(s, TS_FORMAT)
        .map_err(|_| StoreError::BadData(format!("时间“{s}”")))
}

fn date_from_sql(s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.map(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|_| StoreError::BadData(format!("日期“{s}”")))
    })
    .transpose()
}

/// Where the database lives when no `--db` is given: the platform data directory
/// (Linux `~/.local/share/xinyidian`, Windows `%APPDATA%\湛江供电局\xinyidian\data`).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "湛江供电局", "xinyidian")
        .map(|d| d.data_dir().join("xinyidian.sqlite3"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_in_memory_and_twice_on_disk() {
        let s = Store::open_in_memory().unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/x.sqlite3");
        drop(Store::open(&path).unwrap());
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = s
            .lite()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = s
            .lite()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn refuses_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        {
            // As a newer version writes it: our application id, a later schema.
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
        assert!(err.to_string().contains("较新版本"));
    }

    #[test]
    fn refuses_a_file_that_is_not_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "这不是数据库".repeat(200)).unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "这不是数据库".repeat(200)
        );
    }

    #[test]
    fn refuses_a_read_only_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro.sqlite3");
        drop(Store::open(&path).unwrap());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let probe = std::fs::OpenOptions::new().write(true).open(&path);
        if probe.is_ok() {
            // Running as root: permissions do not bind, so there is nothing to observe here.
            // The read-only flag itself is still exercised through SQLite's own read-only open.
            let conn =
                Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            assert!(conn.is_readonly("main").unwrap());
            return;
        }
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    }

    fn opts(mode: OpenMode, keys: &Path) -> OpenOptions {
        OpenOptions {
            key_dir: Some(keys.to_path_buf()),
            ..OpenOptions::new(mode)
        }
    }

    fn tables(path: &Path) -> i64 {
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap()
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn new_database_carries_the_application_id_and_syncs_every_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        let s = Store::open_with(&path, &opts(OpenMode::Create, dir.path())).unwrap();
        let id: i32 = s
            .lite()
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(id, APPLICATION_ID);
        // 2 = FULL: a commit is on disk when it returns (issue 14, point 13).
        let sync: i64 = s
            .lite()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2);
        assert!(
            head_path(&path).exists(),
            "a new database is anchored at once"
        );
    }

    #[test]
    fn other_programs_files_are_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let foreign = dir.path().join("other.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE notes (x); INSERT INTO notes VALUES (1);")
            .unwrap();
        let empty = dir.path().join("empty.db");
        Connection::open(&empty)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); DROP TABLE t;")
            .unwrap();
        let other_id = dir.path().join("other-id.db");
        Connection::open(&other_id)
            .unwrap()
            .execute_batch("PRAGMA application_id = 1234; CREATE TABLE subject (x);")
            .unwrap();
        for path in [&foreign, &empty, &other_id] {
            let before = (tables(path), std::fs::read(path).unwrap());
            for mode in [OpenMode::ReadOnly, OpenMode::Existing, OpenMode::Create] {
                let err = Store::open_with(path, &opts(mode, &keys)).err().unwrap();
                assert!(matches!(err, StoreError::NotOurs { .. }), "{err:?}");
                assert!(err.to_string().contains("不是信易电数据库"), "{err}");
            }
            assert_eq!((tables(path), std::fs::read(path).unwrap()), before);
            assert!(!head_path(path).exists());
        }
    }

    #[test]
    fn a_read_never_creates_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let path = dir.path().join("typo/counter.sqlite3");
        for mode in [OpenMode::ReadOnly, OpenMode::Existing] {
            let err = Store::open_with(&path, &opts(mode, &keys)).err().unwrap();
            assert!(matches!(err, StoreError::Missing { .. }), "{err:?}");
            assert!(err.to_string().contains("数据库文件"), "{err}");
            assert!(err.to_string().contains("不存在"), "{err}");
        }
        assert!(!dir.path().join("typo").exists());
        assert!(!keys.exists(), "a refused open creates no key either");
    }

    #[test]
    fn a_read_only_copy_is_read_and_refuses_writes() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let path = dir.path().join("live.sqlite3");
        {
            let mut s = Store::open_with(&path, &opts(OpenMode::Create, &keys)).unwrap();
            s.write(|w| w.set_setting("k", "v")).unwrap();
        }
        let copy = dir.path().join("evidence.sqlite3");
        std::fs::copy(&path, &copy).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
        let mut s = Store::open_with(&copy, &opts(OpenMode::ReadOnly, &keys)).unwrap();
        assert!(s.lite().is_readonly("main").unwrap());
        assert_eq!(s.read().setting("k").unwrap().as_deref(), Some("v"));
        let refused = s.write(|w| w.set_setting("k", "w"));
        assert!(
            matches!(refused, Err(StoreError::OpenedReadOnly)),
            "{refused:?}"
        );
        // Where SQLite cannot make the WAL index beside a read-only copy, the copy is opened
        // immutable; tests run as root, where permissions do not bind, so open it so directly.
        let c = open_immutable(&copy).unwrap();
        let v: String = c
            .query_row("SELECT value FROM setting WHERE key = 'k'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(v, "v");
    }

    #[test]
    fn a_write_waits_for_a_long_transaction_and_goes_through() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let path = dir.path().join("busy.sqlite3");
        let mut a = Store::open_with(&path, &opts(OpenMode::Create, &keys)).unwrap();
        // B polls as the old 5 s timeout did, but waits as long as it takes (here up to a
        // minute) for A's long transaction, and says so at once.
        let mut b = Store::open_with(
            &path,
            &OpenOptions {
                lock_wait: Duration::from_secs(60),
                lock_notice_after: Duration::ZERO,
                ..opts(OpenMode::Existing, &keys)
            },
        )
        .unwrap();
        let told = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let t = told.clone();
        b.on_lock_wait(move || {
            t.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            a.write(|w| {
                w.set_setting("order", "a")?;
                started_tx.send(()).unwrap();
                // Longer than B's first polls: B must wait.
                std::thread::sleep(Duration::from_millis(300));
                Ok::<_, StoreError>(())
            })
        });
        started_rx.recv().unwrap();
        b.write(|w| {
            // A committed before B's transaction began.
            assert_eq!(w.setting("order")?.as_deref(), Some("a"));
            w.set_setting("order", "b")
        })
        .unwrap();
        holder.join().unwrap().unwrap();
        assert_eq!(b.read().setting("order").unwrap().as_deref(), Some("b"));
        assert!(told.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    }

    #[test]
    fn locked_database_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locked.sqlite3");
        let mut a = Store::open(&path).unwrap();
        let mut b = Store::open_with_timeout(&path, Duration::from_millis(50)).unwrap();
        let res: Result<(), StoreError> = a.write(|_| {
            let inner: Result<(), StoreError> = b.write(|_| Ok(()));
            assert!(matches!(inner, Err(StoreError::Locked)), "{inner:?}");
            Ok(())
        });
        res.unwrap();
    }

    #[test]
    fn failed_action_rolls_back() {
        let mut s = Store::open_in_memory().unwrap();
        let res: Result<(), StoreError> = s.write(|w| {
            w.conn
                .execute("CREATE TABLE scratch(x)", sql::params![])
                .map_err(StoreError::from)?;
            Err(StoreError::BadData("故意失败".into()))
        });
        assert!(res.is_err());
        let n: i64 = s
            .lite()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name='scratch'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn bulk_writes_leave_foreign_keys_checked() {
        let dir = tempfile::tempdir().unwrap();
        let fk = |s: &Store| -> i64 {
            s.lite()
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap()
        };
        for mut s in [
            Store::open(&dir.path().join("a.sqlite3")).unwrap(),
            Store::open_in_memory().unwrap(),
        ] {
            let ok: Result<(), StoreError> = s.write_bulk(|_| Ok(()));
            assert!(ok.is_ok());
            assert_eq!(fk(&s), 1);
            let failed: Result<(), StoreError> =
                s.write_bulk(|_| Err(StoreError::BadData("故意失败".into())));
            assert!(failed.is_err());
            assert_eq!(fk(&s), 1);
            // And enforced again: a record of a subject that does not exist is refused.
            let orphan = s.write(|w| {
                w.conn
                    .execute(
                        "INSERT INTO power_record (subject_id, kind, key_digest, record_date,
                             payload, source, created_at, updated_at)
                         VALUES (424242, 'payment', 1, '2025-01-01', x'01', 'counter', '', '')",
                        sql::params![],
                    )
                    .map_err(StoreError::from)
            });
            assert!(orphan.is_err());
        }
    }
}
