//! Backups of the embedded database and the integrity check (issue 20, points 1 and 2).
//!
//! A backup is `VACUUM INTO` a new file: one read transaction, so it is consistent however other
//! windows write meanwhile, and compact. Beside it goes its own head file, signed with this
//! computer's audit key at the backup's chain end, so that a backup is verified exactly like a
//! live database (`audit verify` on it) and a restored one needs no re-anchoring.
//!
//! The integrity check reads the database's own consistency (SQLite's `integrity_check` and
//! `foreign_key_check`), and every evidence file against the SHA-256 it is stored under.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::sql::{OptionalExtension, params};
use super::{Db, OpenMode, OpenOptions, Store, StoreError, anchor};
use crate::domain::audit::HeadRecord;

/// Problems listed at most per kind (a damaged file can have thousands).
const MAX_LISTED: usize = 50;

/// What [`Store::integrity`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IntegrityReport {
    /// SQLite's `integrity_check` problems (empty: 完好; on a server: not applicable).
    pub problems: Vec<String>,
    /// Rows whose reference points nowhere.
    pub foreign_key_errors: u64,
    pub blobs_checked: u64,
    /// Evidence files whose content no longer matches their SHA-256.
    pub bad_blobs: Vec<String>,
    /// Whether the engine's own page check ran (SQLite) or the server vouches for it.
    pub pages_checked: bool,
}

impl IntegrityReport {
    /// Whether nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.foreign_key_errors == 0 && self.bad_blobs.is_empty()
    }
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> StoreError {
    let reason = match e.kind() {
        std::io::ErrorKind::PermissionDenied => "没有写入权限（文件夹只读）".to_string(),
        std::io::ErrorKind::NotFound => "文件夹不存在".to_string(),
        _ if e.raw_os_error() == Some(28) => "磁盘空间不足".to_string(),
        _ => e.to_string(),
    };
    StoreError::Backup {
        path: path.display().to_string(),
        detail: format!("{what}：{reason}"),
    }
}

impl Store {
    /// The folder of the audit key this store was opened with.
    pub fn key_dir(&self) -> Option<&Path> {
        self.key_dir.as_deref()
    }

    /// Write a consistent copy of this SQLite database to `dest` (which must not exist) with
    /// its signed head file beside it; returns the copy's size in bytes. Nothing is left at
    /// `dest` when it fails.
    pub fn backup_into(&self, dest: &Path) -> Result<u64, StoreError> {
        let Db::Lite(conn) = &self.db else {
            return Err(StoreError::Unsupported(
                "数据库服务器请用 pg_dump 备份（见 README）".into(),
            ));
        };
        if dest.exists() {
            return Err(StoreError::Backup {
                path: dest.display().to_string(),
                detail: "同名备份文件已存在".into(),
            });
        }
        let mut part = dest.as_os_str().to_os_string();
        part.push(".part");
        let part = PathBuf::from(part);
        let _ = std::fs::remove_file(&part);
        let text = part.to_str().ok_or_else(|| StoreError::Backup {
            path: part.display().to_string(),
            detail: "路径含有无法识别的字符".into(),
        })?;
        if let Err(e) = conn.execute("VACUUM INTO ?1", [text]) {
            let _ = std::fs::remove_file(&part);
            let shown = dest.display().to_string();
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DiskFull) => StoreError::Backup {
                    path: shown,
                    detail: "磁盘空间不足，备份未完成".into(),
                },
                Some(rusqlite::ErrorCode::CannotOpen)
                | Some(rusqlite::ErrorCode::ReadOnly)
                | Some(rusqlite::ErrorCode::PermissionDenied) => StoreError::Backup {
                    path: shown,
                    detail: "无法在该文件夹写入（不存在、只读或没有权限）".into(),
                },
                _ => StoreError::Backup {
                    path: shown,
                    detail: e.to_string(),
                },
            });
        }
        std::fs::rename(&part, dest).map_err(|e| {
            let _ = std::fs::remove_file(&part);
            io_error("无法保存备份文件", dest, &e)
        })?;
        // The copy's own chain end, signed: read from the copy, not from the live database
        // (other windows may have written since).
        let sign = || -> Result<(), StoreError> {
            let key = self
                .audit
                .key
                .clone()
                .ok_or_else(|| StoreError::Anchor("本机没有审计密钥，无法为备份签名".into()))?;
            let copy = Store::open_with(
                dest,
                &OpenOptions {
                    key_dir: self.key_dir.clone(),
                    ..OpenOptions::new(OpenMode::ReadOnly)
                },
            )?;
            let (seq, hash) = copy.read().last_audit()?;
            let count = copy.read().count_audit()?;
            anchor::write_head(
                &anchor::head_path(dest),
                &HeadRecord::sign(&key, seq, &hash, count),
                true,
            )
        };
        if let Err(e) = sign() {
            let _ = std::fs::remove_file(dest);
            let _ = std::fs::remove_file(anchor::head_path(dest));
            return Err(e);
        }
        std::fs::metadata(dest)
            .map(|m| m.len())
            .map_err(|e| io_error("无法读取备份文件", dest, &e))
    }

    /// Check the database: SQLite's page and index check, references, and every evidence file
    /// against its SHA-256 (read one at a time). `progress` hears (blobs checked, blobs).
    pub fn integrity(
        &self,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<IntegrityReport, StoreError> {
        let mut out = IntegrityReport::default();
        if let Db::Lite(conn) = &self.db {
            out.pages_checked = true;
            let mut stmt = conn.prepare("PRAGMA integrity_check(100)")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for r in rows {
                let r = r?;
                if r != "ok" && out.problems.len() < MAX_LISTED {
                    out.problems.push(r);
                }
            }
            let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {
                out.foreign_key_errors += 1;
            }
        }
        let r = self.read();
        let total: i64 = r
            .conn
            .prepare_cached("SELECT count(*) FROM evidence_blob")?
            .query_row(params![], |row| row.get(0))?;
        let total = u64::try_from(total).unwrap_or(0);
        let mut last = String::new();
        loop {
            let row: Option<(String, Vec<u8>)> = r
                .conn
                .prepare_cached(
                    "SELECT sha256, bytes FROM evidence_blob WHERE sha256 > ?1
                     ORDER BY sha256 LIMIT 1",
                )?
                .query_row([last.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let Some((sha, bytes)) = row else { break };
            out.blobs_checked += 1;
            if hex::encode(Sha256::digest(&bytes)) != sha && out.bad_blobs.len() < MAX_LISTED {
                out.bad_blobs.push(sha.clone());
            }
            progress(out.blobs_checked, total);
            last = sha;
        }
        Ok(out)
    }
}
