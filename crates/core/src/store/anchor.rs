//! Where the audit chain is anchored outside the database (issue 14, point 7): the key that
//! signs every row, and the head record of the chain's end.
//!
//! - The key is 32 random bytes in a file `audit-key` in the key folder: `XINYIDIAN_KEY_DIR`
//!   when set, otherwise the platform configuration folder (Linux `~/.config/xinyidian`, Windows
//!   `%APPDATA%\湛江供电局\xinyidian\config`). It is created once, readable by its owner only
//!   (0600 on Linux). The database never holds it, so whoever edits the database alone cannot
//!   re-sign an edited row.
//! - The head record is a small JSON file beside the database (`<数据库文件名>.audit-head`),
//!   rewritten after each committed write that added audit rows, and signed with the key: a
//!   database whose newest rows were deleted no longer reaches its head.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::StoreError;
use crate::domain::audit::{AuditKey, HeadRecord};

/// The environment variable naming the key folder (tests and operators moving a database to
/// another computer).
pub const KEY_DIR_ENV: &str = "XINYIDIAN_KEY_DIR";

/// The action name of the row the program writes when it re-anchors a chain whose head file
/// was missing or not signed by this computer's key; `audit verify` lists such rows.
pub const REANCHOR_ACTION: &str = "重新锚定操作日志";

const KEY_FILE: &str = "audit-key";

/// The key folder: `XINYIDIAN_KEY_DIR`, else the platform configuration folder.
pub fn default_key_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(KEY_DIR_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("cn", "湛江供电局", "xinyidian")
        .map(|d| d.config_dir().to_path_buf())
}

/// The head file of the database at `db`: beside it, named after it.
pub fn head_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".audit-head");
    db.with_file_name(name)
}

fn anchor_error(what: &str, path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Anchor(format!("{what}“{}”（{e}）", path.display()))
}

fn parse_key(text: &str) -> Option<AuditKey> {
    let bytes = hex::decode(text.trim()).ok()?;
    let arr: [u8; 32] = bytes.try_into().ok()?;
    Some(AuditKey::from_bytes(arr))
}

/// The key in `dir`, if there is one (a read never creates it).
pub(super) fn load_key(dir: &Path) -> Result<Option<AuditKey>, StoreError> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_key(&text).map(Some).ok_or_else(|| {
            anchor_error(
                "审计密钥文件已损坏，无法使用",
                &path,
                "内容不是 64 位十六进制数",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anchor_error("无法读取审计密钥文件", &path, e)),
    }
}

/// A fresh random key (an in-memory database's, or a new key file's).
pub(super) fn random_key() -> Result<AuditKey, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Anchor(format!("无法生成审计密钥（系统随机数不可用：{e}）")))?;
    Ok(AuditKey::from_bytes(bytes))
}

/// The key in `dir`, created there on first use.
pub(super) fn load_or_create_key(dir: &Path) -> Result<AuditKey, StoreError> {
    if let Some(key) = load_key(dir)? {
        return Ok(key);
    }
    std::fs::create_dir_all(dir).map_err(|e| anchor_error("无法创建审计密钥文件夹", dir, e))?;
    let key = random_key()?;
    let path = dir.join(KEY_FILE);
    // Written whole to a private temporary file, then linked into place: two programs starting
    // at once never see a half-written key, and the second one takes the first one's key.
    // One temporary file per attempt, not per process: two stores of one process (the window
    // and its worker, parallel tests) may create the key at the same moment.
    static ATTEMPT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = ATTEMPT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{KEY_FILE}.{}.{n}.tmp", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut f = private_file(&tmp)?;
        f.write_all(hex::encode(key.as_bytes()).as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    })();
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, &path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            load_key(dir)?.ok_or_else(|| anchor_error("无法读取审计密钥文件", &path, "文件为空"))
        }
        Err(e) => Err(anchor_error("无法保存审计密钥文件", &path, e)),
    }
}

/// A new file only its owner may read (0600 on Unix). On Windows the file inherits the
/// per-user ACL of the configuration folder; it is not DPAPI-protected (see README).
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// What the head file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadState {
    /// An in-memory database has no head file.
    NotAnchored,
    Missing(PathBuf),
    /// Present but not a head record.
    Unreadable(PathBuf),
    Present(PathBuf, HeadRecord),
}

/// Read the head file at `path`.
pub(super) fn read_head(path: &Path) -> HeadState {
    let mut text = String::new();
    let read = File::open(path).and_then(|f| f.take(64 * 1024).read_to_string(&mut text));
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => HeadState::Missing(path.into()),
        Err(_) => HeadState::Unreadable(path.into()),
        Ok(_) => match serde_json::from_str::<HeadRecord>(&text) {
            Ok(h) => HeadState::Present(path.into(), h),
            Err(_) => HeadState::Unreadable(path.into()),
        },
    }
}

/// Replace the head file with `head`, unless it already holds a later head of the same key (two
/// windows committing one after the other may write their heads in the other order); `force`:
/// whatever it holds (a database created or upgraded now). The file is synced and renamed into
/// place, so it is never half-written.
pub(super) fn write_head(path: &Path, head: &HeadRecord, force: bool) -> Result<(), StoreError> {
    let mut lock_name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    lock_name.push(".lock");
    let lock_path = path.with_file_name(lock_name);
    let lock = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| anchor_error("无法写入操作日志锚定文件", &lock_path, e))?;
    lock.lock()
        .map_err(|e| anchor_error("无法锁定操作日志锚定文件", &lock_path, e))?;
    if !force
        && let HeadState::Present(_, current) = read_head(path)
        && current.key_id == head.key_id
        && current.seq > head.seq
    {
        return Ok(());
    }
    let mut tmp_name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let json = serde_json::to_string_pretty(head)
        .map_err(|e| anchor_error("无法写入操作日志锚定文件", path, e))?;
    let written = (|| -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(json.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(|e| anchor_error("无法写入操作日志锚定文件", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        assert_eq!(load_key(&keys).unwrap(), None);
        let a = load_or_create_key(&keys).unwrap();
        let b = load_or_create_key(&keys).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(keys.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(keys.join(KEY_FILE), "不是密钥").unwrap();
        assert!(matches!(load_key(&keys), Err(StoreError::Anchor(_))));
    }

    #[test]
    fn head_file_round_trips_and_never_goes_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.sqlite3");
        let path = head_path(&db);
        assert_eq!(path, dir.path().join("x.sqlite3.audit-head"));
        assert_eq!(read_head(&path), HeadState::Missing(path.clone()));
        let key = AuditKey::from_bytes([1; 32]);
        let later = HeadRecord::sign(&key, 9, "ab", 9);
        write_head(&path, &later, false).unwrap();
        write_head(&path, &HeadRecord::sign(&key, 8, "cd", 8), false).unwrap();
        assert_eq!(read_head(&path), HeadState::Present(path.clone(), later));
        let fresh = HeadRecord::sign(&key, 0, "00", 0);
        write_head(&path, &fresh, true).unwrap();
        assert_eq!(read_head(&path), HeadState::Present(path.clone(), fresh));
        std::fs::write(&path, "{").unwrap();
        assert_eq!(read_head(&path), HeadState::Unreadable(path));
    }
}
