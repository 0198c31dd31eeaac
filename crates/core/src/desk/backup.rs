//! Backups, restore and the integrity check (issue 20, points 1 and 2).
//!
//! - `backup_now`: a consistent copy (`VACUUM INTO`) into the backup folder, named by the real
//!   time, with its signed head file; verified at once (integrity, evidence hashes, audit chain
//!   to its head) and recorded in the audit trail; the oldest beyond `keep` are removed.
//! - `verify_backup`: the same checks on any backup file, without opening it for writing.
//! - `restore_backup`: verified first; the current file (and its head) moved aside under a
//!   dated name, the backup copied in, reopened, and the restore recorded in the restored
//!   trail. A refused restore leaves the current database untouched.
//! - The schedule (设置): off, at the first start of each day, or daily at a time.
//!
//! The backup's file name takes the real clock, never `--date`: it says when the copy was made.

use std::path::{Path, PathBuf};

use chrono::{NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::act::AuditLine;
use super::auth::append_audit;
use super::{AuditVerdict, Desk, DeskError, SystemClock};
use crate::domain::operator::Action;
use crate::store::{IntegrityReport, OpenMode, OpenOptions, Store, StoreError, head_path};

/// Setting key of the backup settings, as JSON.
pub const BACKUP_KEY: &str = "backup";
/// Setting key of the last backup's real time (`YYYY-MM-DD HH:MM:SS`).
pub const LAST_BACKUP_KEY: &str = "backup_last";

const PREFIX: &str = "xinyidian-";
const SUFFIX: &str = ".sqlite3";

/// When backups run by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BackupSchedule {
    /// Only on demand.
    #[default]
    Off,
    /// At the first start of the window each day.
    DailyAtStart,
    /// Every day at this time (the window checks while it runs).
    DailyAt { time: NaiveTime },
}

impl BackupSchedule {
    /// 不自动备份 / 每天首次启动时 / 每天 HH:MM.
    pub fn label(&self) -> String {
        match self {
            BackupSchedule::Off => "不自动备份".into(),
            BackupSchedule::DailyAtStart => "每天首次启动时".into(),
            BackupSchedule::DailyAt { time } => format!("每天 {}", time.format("%H:%M")),
        }
    }

    /// `off`, `start` or `HH:MM`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "off" | "不自动备份" => Some(BackupSchedule::Off),
            "start" | "每天首次启动时" => Some(BackupSchedule::DailyAtStart),
            t => NaiveTime::parse_from_str(t, "%H:%M")
                .ok()
                .map(|time| BackupSchedule::DailyAt { time }),
        }
    }
}

/// Where backups go, how many are kept, and when they run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupSettings {
    pub dir: Option<PathBuf>,
    pub keep: u32,
    pub schedule: BackupSchedule,
}

impl Default for BackupSettings {
    fn default() -> Self {
        Self {
            dir: None,
            keep: 14,
            schedule: BackupSchedule::Off,
        }
    }
}

/// The result of the integrity check of a database or a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbCheck {
    pub integrity: IntegrityReport,
    pub audit: AuditVerdict,
}

impl DbCheck {
    /// Whether everything is in order.
    pub fn ok(&self) -> bool {
        self.integrity.is_clean() && self.audit.intact()
    }

    /// One Chinese summary line.
    pub fn summary(&self) -> String {
        let i = &self.integrity;
        let mut parts = Vec::new();
        if !i.pages_checked {
            parts.push("数据页由数据库服务器自行保证".to_string());
        } else if i.problems.is_empty() {
            parts.push("数据页与索引完好".to_string());
        } else {
            parts.push(format!(
                "数据页或索引损坏 {} 处（{}）",
                i.problems.len(),
                i.problems.first().cloned().unwrap_or_default()
            ));
        }
        if i.foreign_key_errors > 0 {
            parts.push(format!("{} 行引用了不存在的数据", i.foreign_key_errors));
        } else {
            parts.push("引用关系完整".into());
        }
        if i.bad_blobs.is_empty() {
            parts.push(format!("{} 个证明文件与其 SHA-256 相符", i.blobs_checked));
        } else {
            parts.push(format!(
                "{} 个证明文件内容被改动（{}…）",
                i.bad_blobs.len(),
                &i.bad_blobs[0][..16.min(i.bad_blobs[0].len())]
            ));
        }
        match &self.audit.broken {
            None => parts.push(format!("操作日志 {} 条完整", self.audit.rows_checked)),
            Some(b) => parts.push(format!("操作日志有问题：{b}")),
        }
        format!(
            "{}：{}",
            if self.ok() {
                "检查通过"
            } else {
                "发现问题"
            },
            parts.join("；")
        )
    }
}

/// One backup file in the folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupEntry {
    pub path: PathBuf,
    pub bytes: u64,
    /// When it was made, from its name.
    pub made_at: Option<NaiveDateTime>,
    /// Whether its signed head file is beside it.
    pub has_head: bool,
}

/// What a backup did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupDone {
    pub path: PathBuf,
    pub bytes: u64,
    pub check: DbCheck,
    /// Older backups removed by the rotation.
    pub removed: Vec<PathBuf>,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreDone {
    /// Where the database as it was before the restore now lies.
    pub kept_aside: PathBuf,
    pub check: DbCheck,
}

fn backup_error(path: &Path, detail: impl Into<String>) -> DeskError {
    DeskError::Store(StoreError::Backup {
        path: path.display().to_string(),
        detail: detail.into(),
    })
}

fn name_time(path: &Path) -> Option<NaiveDateTime> {
    let name = path.file_name()?.to_str()?;
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()
}

/// The backups in `dir`, newest first (only files named as this program names them).
pub fn list_backups(dir: &Path) -> Result<Vec<BackupEntry>, DeskError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        backup_error(
            dir,
            format!("无法读取备份文件夹（{}）", crate::documents::io_reason(&e)),
        )
    })?;
    let mut out = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        let Some(made_at) = name_time(&path) else {
            continue;
        };
        let bytes = e.metadata().map(|m| m.len()).unwrap_or(0);
        out.push(BackupEntry {
            has_head: head_path(&path).exists(),
            made_at: Some(made_at),
            bytes,
            path,
        });
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.made_at));
    Ok(out)
}

/// Check a database or backup at `path`, opened read-only (refused when it is not ours or of
/// a newer version): integrity, evidence hashes, and the audit chain up to its head file.
pub fn verify_backup(path: &Path, key_dir: Option<PathBuf>) -> Result<DbCheck, DeskError> {
    if !path.is_file() && !crate::store::is_server_url(path) {
        return Err(DeskError::NotFound(format!("备份文件“{}”", path.display())));
    }
    let store = Store::open_with(
        path,
        &OpenOptions {
            key_dir,
            ..OpenOptions::new(OpenMode::ReadOnly)
        },
    )?;
    let desk = Desk::new(store, Box::new(SystemClock));
    desk.check_store(&mut |_, _| {})
}

impl Desk {
    fn check_store(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<DbCheck, DeskError> {
        Ok(DbCheck {
            integrity: self.store.integrity(progress)?,
            audit: self.verify_audit()?,
        })
    }

    /// `db check` (supervisor): SQLite's integrity, references, evidence hashes and the audit
    /// chain, with one Chinese summary. `progress` hears the evidence files checked.
    pub fn db_check(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<DbCheck, DeskError> {
        self.authorize(Action::ViewAudit)?;
        self.check_store(progress)
    }

    /// Whether the database is a shared server (backed up with pg_dump, not here).
    pub fn db_location_is_server(&self) -> bool {
        self.store.engine() == crate::store::Engine::Postgres
    }

    /// The folder of the audit key (to verify a backup with).
    pub fn key_dir(&self) -> Option<PathBuf> {
        self.store.key_dir().map(Path::to_path_buf)
    }

    /// The backup settings.
    pub fn backup_settings(&self) -> Result<BackupSettings, DeskError> {
        match self.store.read().setting(BACKUP_KEY)? {
            None => Ok(BackupSettings::default()),
            Some(j) => serde_json::from_str(&j)
                .map_err(|e| DeskError::Internal(format!("备份设置无法读取（{e}）"))),
        }
    }

    /// Change the backup settings (admin; audited). The folder must exist and be writable.
    pub fn set_backup_settings(&mut self, s: &BackupSettings) -> Result<(), DeskError> {
        let act = self.begin(Action::ManageBackups)?;
        if !(1..=365).contains(&s.keep) {
            return Err(DeskError::Setting(format!(
                "保留份数应为 1 到 365，填写的是 {}",
                s.keep
            )));
        }
        if let Some(dir) = &s.dir {
            writable_dir(dir)?;
        }
        let json =
            serde_json::to_string(s).map_err(|e| DeskError::Internal(format!("备份设置：{e}")))?;
        let detail = format!(
            "备份设置：文件夹 {}，保留 {} 份，{}",
            s.dir
                .as_ref()
                .map_or("未设置".into(), |d| d.display().to_string()),
            s.keep,
            s.schedule.label()
        );
        self.commit(act, |w, _| {
            w.set_setting(BACKUP_KEY, &json)?;
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// When the last backup was made (real time).
    pub fn last_backup(&self) -> Result<Option<NaiveDateTime>, DeskError> {
        Ok(self
            .store
            .read()
            .setting(LAST_BACKUP_KEY)?
            .and_then(|s| NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S").ok()))
    }

    /// Whether the schedule wants a backup now (`at_start`: the window has just started). Judged
    /// on the real clock.
    pub fn backup_due(&self, at_start: bool) -> Result<bool, DeskError> {
        let s = self.backup_settings()?;
        if s.dir.is_none() || self.store.path().is_none() {
            return Ok(false);
        }
        let now = self.now();
        let done_today = self.last_backup()?.is_some_and(|t| t.date() >= now.date());
        Ok(match s.schedule {
            BackupSchedule::Off => false,
            BackupSchedule::DailyAtStart => at_start && !done_today,
            BackupSchedule::DailyAt { time } => now.time() >= time && !done_today,
        })
    }

    /// Back up now (admin) into `dir`, or the folder of the settings: a consistent copy,
    /// verified, recorded, and the oldest beyond the settings' `keep` removed.
    pub fn backup_now(&mut self, dir: Option<&Path>) -> Result<BackupDone, DeskError> {
        let act = self.begin(Action::ManageBackups)?;
        self.backup_with(act, dir)
    }

    /// The backup the schedule asks for, if it is due (`at_start`: the window has just been
    /// opened): run for whoever is signed in, into the settings' folder, recorded as such.
    pub fn run_scheduled_backup(
        &mut self,
        at_start: bool,
    ) -> Result<Option<BackupDone>, DeskError> {
        if !self.backup_due(at_start)? {
            return Ok(None);
        }
        let act = self.begin(Action::ScheduledBackup)?;
        self.backup_with(act, None).map(Some)
    }

    fn backup_with(
        &mut self,
        act: super::act::Act,
        dir: Option<&Path>,
    ) -> Result<BackupDone, DeskError> {
        let settings = self.backup_settings()?;
        let dir = match dir.map(Path::to_path_buf).or(settings.dir.clone()) {
            Some(d) => d,
            None => {
                return Err(DeskError::Setting(
                    "尚未设置备份文件夹：请在“设置”中选择，或在命令中用 --dir 指定".into(),
                ));
            }
        };
        if self.store.path().is_none() {
            return Err(DeskError::Setting(
                "共用数据库服务器请由信息管理员用 pg_dump 备份（见 README），本机不备份".into(),
            ));
        }
        writable_dir(&dir)?;
        // The real time names the file, not the business date.
        let now = act.now;
        let path = dir.join(format!("{PREFIX}{}{SUFFIX}", now.format("%Y%m%d-%H%M%S")));
        let bytes = self.store.backup_into(&path)?;
        let check = match verify_backup(&path, self.store.key_dir().map(Path::to_path_buf)) {
            Ok(c) => c,
            Err(e) => {
                remove_backup(&path);
                return Err(backup_error(
                    &path,
                    format!("备份写出后校验失败（{e}），已删除"),
                ));
            }
        };
        if !check.ok() {
            remove_backup(&path);
            return Err(backup_error(
                &path,
                format!("备份写出后校验未通过（{}），已删除", check.summary()),
            ));
        }
        let mut removed = Vec::new();
        let keep = settings.keep.max(1) as usize;
        if let Ok(all) = list_backups(&dir) {
            for old in all.into_iter().skip(keep) {
                remove_backup(&old.path);
                removed.push(old.path);
            }
        }
        let stamp = now.format("%Y-%m-%d %H:%M:%S").to_string();
        let detail = format!(
            "备份数据库到 {}（{} 字节，校验通过：{}）{}",
            path.display(),
            bytes,
            check.summary(),
            if removed.is_empty() {
                String::new()
            } else {
                format!("，按保留 {keep} 份删除较早的备份 {} 份", removed.len())
            }
        );
        self.commit(act, |w, _| {
            w.set_setting(LAST_BACKUP_KEY, &stamp)?;
            Ok(((), AuditLine::new(None, detail)))
        })?;
        Ok(BackupDone {
            path,
            bytes,
            check,
            removed,
        })
    }

    /// Restore the database from a backup (admin): the backup is verified first; then the
    /// current file and its head are moved aside (`…before-restore-<time>.sqlite3`), the backup
    /// copied in with its head, and the restore recorded in the restored trail. The operator is
    /// signed out afterwards (the restored operators are the backup's). Refused, nothing moves.
    pub fn restore_backup(&mut self, backup: &Path) -> Result<RestoreDone, DeskError> {
        let act = self.begin(Action::ManageBackups)?;
        let Some(current) = self.store.path().map(Path::to_path_buf) else {
            return Err(DeskError::Setting(
                "共用数据库服务器请由信息管理员用 pg_restore 恢复（见 README）".into(),
            ));
        };
        let key_dir = self.store.key_dir().map(Path::to_path_buf);
        if backup == current {
            return Err(DeskError::Setting("不能用当前数据库本身恢复".into()));
        }
        let check = verify_backup(backup, key_dir.clone())?;
        if !check.ok() {
            return Err(backup_error(
                backup,
                format!("备份校验未通过，不能用于恢复：{}", check.summary()),
            ));
        }
        if !head_path(backup).exists() {
            return Err(backup_error(
                backup,
                "备份旁没有签名的锚定文件（.audit-head），无法确认它是本程序完整写出的备份",
            ));
        }
        let stamp = act.now.format("%Y%m%d-%H%M%S");
        let stem = current
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "xinyidian".into());
        let aside = current.with_file_name(format!("{stem}.before-restore-{stamp}.sqlite3"));
        // Copy the backup next to the database first: a failure here changes nothing.
        let incoming = current.with_file_name(format!("{stem}.restoring-{stamp}"));
        std::fs::copy(backup, &incoming).map_err(|e| {
            let _ = std::fs::remove_file(&incoming);
            backup_error(
                &current,
                format!("无法复制备份（{}）", crate::documents::io_reason(&e)),
            )
        })?;
        // Close the current database (its WAL is folded in), then swap the files. A WAL left
        // behind means another connection still has the file open: its pages would be applied
        // to the restored file, so the restore waits for it to close.
        let old = std::mem::replace(&mut self.store, Store::open_in_memory()?);
        drop(old);
        let mut wal = current.as_os_str().to_os_string();
        wal.push("-wal");
        if std::fs::metadata(PathBuf::from(&wal)).is_ok_and(|m| m.len() > 0) {
            let _ = std::fs::remove_file(&incoming);
            self.store = Store::open_with(
                &current,
                &OpenOptions {
                    key_dir: key_dir.clone(),
                    ..OpenOptions::new(OpenMode::Existing)
                },
            )?;
            return Err(DeskError::Setting(
                "另一个窗口或程序正打开着这个数据库：请先关闭其他信易电窗口和命令，再恢复".into(),
            ));
        }
        let swap = || -> std::io::Result<()> {
            std::fs::rename(&current, &aside)?;
            let head = head_path(&current);
            if head.exists() {
                std::fs::rename(&head, head_path(&aside))?;
            }
            std::fs::rename(&incoming, &current)?;
            std::fs::copy(head_path(backup), head_path(&current))?;
            Ok(())
        };
        let swapped = swap();
        let opts = OpenOptions {
            key_dir,
            ..OpenOptions::new(OpenMode::Existing)
        };
        if let Err(e) = swapped {
            // Put the current file back where it was.
            if !current.exists() && aside.exists() {
                let _ = std::fs::rename(&aside, &current);
                let _ = std::fs::rename(head_path(&aside), head_path(&current));
            }
            let _ = std::fs::remove_file(&incoming);
            self.store = Store::open_with(&current, &opts)?;
            return Err(backup_error(
                &current,
                format!(
                    "无法替换数据库文件（{}），已恢复原状",
                    crate::documents::io_reason(&e)
                ),
            ));
        }
        self.store = Store::open_with(&current, &opts)?;
        let me = act.me.clone();
        let detail = format!(
            "从备份 {} 恢复数据库；恢复前的数据库已另存为 {}",
            backup.display(),
            aside.display()
        );
        self.store.write(|w| {
            append_audit(
                w,
                Some(&me),
                act.now,
                Action::ManageBackups.label(),
                None,
                detail,
            )
        })?;
        self.session = None;
        Ok(RestoreDone {
            kept_aside: aside,
            check,
        })
    }
}

fn remove_backup(path: &Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(head_path(path));
}

/// Refuse a folder that is missing, not a folder, or not writable, saying which.
fn writable_dir(dir: &Path) -> Result<(), DeskError> {
    let meta = std::fs::metadata(dir)
        .map_err(|_| backup_error(dir, "备份文件夹不存在：请先建好文件夹，或换一个位置"))?;
    if !meta.is_dir() {
        return Err(backup_error(dir, "这不是文件夹"));
    }
    let probe = dir.join(format!(".xinyidian-probe-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(backup_error(
            dir,
            format!(
                "无法在备份文件夹中写入（{}）",
                crate::documents::io_reason(&e)
            ),
        )),
    }
}
