//! The local SQLite store: opening (with the checks a counter PC needs), migrations, and typed
//! queries. Nothing outside this module writes SQL.
//!
//! Reads go through [`Reader`]; every user action that writes runs inside one
//! [`Store::write`] call, which is one `BEGIN IMMEDIATE` transaction: it commits when the closure
//! returns `Ok` and rolls back otherwise, so a failed action leaves nothing half-written.

mod bulk;
mod cases;
mod commitments;
mod migrations;
mod operators;
mod record_codec;
mod record_import;
mod records;
mod reports;
mod subjects;
mod trust;

pub use bulk::SubjectBulk;
pub use operators::AuditFilter;
pub use record_import::RecordImport;
pub use records::{EncodedRecord, RecordId, StoredRecord, Upsert, key_digest};
pub use reports::{
    Blob, BlobRef, HandEntrySummary, NewReport, ReportId, ReportStatus, ReportView, sha256_hex,
};
pub use trust::{
    CheckRow, NewVerdict, StoredVerdict, TrustStatus, TrustedRow, VerdictId, VerdictRow,
};

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OpenFlags, TransactionBehavior, ffi};

pub use migrations::SCHEMA_VERSION;

/// How long a writer waits for another connection's lock before giving up.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the store could not do what was asked. `Display` is the Chinese message for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "文件“{path}”不是信易电数据库（不是 SQLite 数据库文件）：请检查 --db 参数或所选文件是否正确"
    )]
    NotADatabase { path: String },
    #[error("数据库文件“{path}”是只读的，无法保存：请检查文件权限，或用 --db 指定一个可写的位置")]
    ReadOnly { path: String },
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
    #[error("数据库操作失败：{0}")]
    Sqlite(String),
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

/// The open database of one counter.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Open (creating if needed) the database at `path`, with its parent folder; apply pending
    /// migrations; refuse a database written by a newer version of the program.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// As [`Store::open`], with a chosen lock wait (tests use a short one).
    pub fn open_with_timeout(path: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::CannotOpen {
                path: shown.clone(),
                detail: format!("无法创建文件夹“{}”（{e}）", dir.display()),
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::from_sqlite(e, &shown))?;
        // SQLite silently falls back to read-only when the file is not writable; the counter must
        // save what the clerk enters, so say so now rather than at the first save.
        if conn.is_readonly("main").unwrap_or(false) {
            return Err(StoreError::ReadOnly { path: shown });
        }
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        store.configure(busy_timeout, true)?;
        Ok(store)
    }

    /// A private in-memory database (tests, benchmarks).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store { conn, path: None };
        store.configure(DEFAULT_BUSY_TIMEOUT, false)?;
        Ok(store)
    }

    fn configure(&mut self, busy_timeout: Duration, wal: bool) -> Result<(), StoreError> {
        let shown = self.shown_path();
        let conn = &self.conn;
        let map = |e| StoreError::from_sqlite(e, &shown);
        conn.busy_timeout(busy_timeout).map_err(map)?;
        // Reading the schema version is the first real read: it fails here for a non-SQLite file.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(map)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if wal {
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(map)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Sqlite(format!(
                    "无法启用 WAL 日志模式（{mode}）"
                )));
            }
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(map)?;
        }
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(map)?;
        migrations::migrate(&mut self.conn).map_err(map)?;
        Ok(())
    }

    fn shown_path(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| ":memory:".into(), |p| p.display().to_string())
    }

    /// The file this store lives in (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Typed read-only queries.
    pub fn read(&self) -> Reader<'_> {
        Reader { conn: &self.conn }
    }

    /// Run one user action as one transaction. The closure's error rolls everything back.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let shown = self.shown_path();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(e, &shown))?;
        let out = f(&Writer {
            reader: Reader { conn: &tx },
        })?;
        tx.commit()
            .map_err(|e| StoreError::from_sqlite(e, &shown))?;
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
        self.conn
            .pragma_update(None, "foreign_keys", false)
            .map_err(StoreError::from)?;
        let out = match self.path.clone() {
            // In memory: no log to copy.
            None => self.write(f),
            Some(path) => self.write_without_checkpoint(path, f),
        };
        let restored = self.conn.pragma_update(None, "foreign_keys", true);
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
        let old: i64 = self
            .conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(StoreError::from)?;
        let out = self.write(f);
        // Only the speed of later commits depends on this setting; a failure to restore it is
        // left to the next open.
        let _ = self.conn.pragma_update(None, "wal_autocheckpoint", old);
        if out.is_ok() {
            checkpoint_in_background(path);
        }
        out
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
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
                let _ = conn.busy_timeout(DEFAULT_BUSY_TIMEOUT);
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        });
    // Without a thread the next automatic checkpoint does the work.
    drop(spawned);
}

/// Typed queries over a connection or an open transaction.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    conn: &'a Connection,
}

impl Reader<'_> {
    /// `(id, JSON)` rows of a query with one integer parameter (records kept whole as JSON:
    /// commitments, cases).
    fn id_json_rows(&self, sql: &str, key: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(sql)?
            .query_map([key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// Typed writes inside one transaction; every read is available too.
pub struct Writer<'a> {
    reader: Reader<'a>,
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

fn ts_from_sql(s: &str) -> Result<NaiveDateTime, StoreError> {
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
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = s
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn refuses_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        {
            let c = Connection::open(&path).unwrap();
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
                .execute("CREATE TABLE scratch(x)", [])
                .map_err(StoreError::from)?;
            Err(StoreError::BadData("故意失败".into()))
        });
        assert!(res.is_err());
        let n: i64 = s
            .conn
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
            s.conn
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
                        [],
                    )
                    .map_err(StoreError::from)
            });
            assert!(orphan.is_err());
        }
    }
}
