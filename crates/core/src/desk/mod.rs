//! The counter's use cases: one function per action a clerk or supervisor takes. The window, the
//! CLI and the tests all call these; none of them reaches the store directly.
//!
//! The desk is the lowest layer that may read the clock, and it does so only through [`Clock`],
//! so tests and the CLI's `--date` can fix "today".

mod act;
mod auth;
mod backup;
mod cases;
mod credit;
mod demo;
mod files;
mod import_preview;
mod letters;
mod parks;
mod platform;
mod print;
mod progress;
mod record_entry;
mod records;
mod reports;
mod stats;
mod subjects;
mod trust;

use std::fmt;
use std::path::Path;

use chrono::{Local, NaiveDate, NaiveDateTime};

use crate::domain::letter::LetterField;
use crate::domain::operator::{Operator, OperatorField};
use crate::domain::park::ParkField;
use crate::domain::subject::Field;
use crate::domain::text::FieldError;
use crate::store::Store;

pub use crate::domain::report::ReportId;
// Store types the window and the command line name (they use no `store` path themselves).
pub use crate::store::{
    AuditFilter, CreditFilter, Engine, OpenMode, OpenOptions, PASSWORD_ENV, ReportStatus,
    ReportView, StoreError, UpgradeSteps, VerdictRow, default_key_dir, default_path, is_server_url,
};
pub use auth::{AuditVerdict, IDLE_LOCK_DEFAULT};
pub use backup::{
    BackupDone, BackupEntry, BackupSchedule, BackupSettings, DbCheck, RestoreDone, list_backups,
    verify_backup,
};
pub use cases::QueueFilters;
pub use credit::{
    CalendarImport, CreditQueueRow, CreditTarget, GRADES_KEY, LIMITS_KEY, ObjectionRequest,
    ObjectionStep, OpenedRepair, RepairRequest, RepairStep,
};
pub use demo::DemoSummary;
pub use import_preview::{ImportPreview, PreviewColumn, PreviewRow, preview_records};
pub use letters::{
    ACCEPTING_UNIT_NAME_KEY, ACCEPTING_UNIT_USCC_KEY, INSTALLATION_NO_KEY, IssuedLetter,
};
pub use platform::{
    CATALOG_KEY, ClassCount, ExportOptions, ExportSummary, FeedbackSummary, ListImportSummary,
    RefusedRow, SEND_THEFT_KEY, batch_status_label,
};
pub use print::{PrintRoute, PrintSettings, PrintSink, Printed, letter_file_name};
pub use progress::{Cancelled, Progress};
pub use record_entry::COUNTER_SOURCE;
pub use records::{ImportOptions, ImportSummary, LARGE_ARREARS_KEY, RecordView};
pub use reports::{
    ESSENTIAL_FACTS, HandAdverse, HandEntryNeeded, HandFacts, PreparedReport,
    REPORT_MAX_AGE_DEFAULT, REPORT_MAX_AGE_KEY, ReadReport, ReportImport, ReportRefusal,
    sniff_media_type,
};
pub use stats::{StatsReport, stats_period};
pub use subjects::Lookup;
pub use trust::LIST_MAX_AGE_KEY;
pub use trust::{CheckAllSummary, CheckOutcome, Standing};

/// Where "now" and "today" come from. Two different things (issue 14, point 6):
///
/// - [`Clock::now`] is the real instant: sign-in, lockout, the idle lock and every stored
///   timestamp (audit rows included) use it, so moving the business date cannot lift a lockout
///   or back-date the audit trail;
/// - [`Clock::today`] is the business date the rules and documents are judged on, which the
///   CLI's `--date` may set apart from the calendar.
pub trait Clock: Send {
    /// The real instant.
    fn now(&self) -> NaiveDateTime;
    /// A business date deliberately set apart from the real calendar (`--date`); `None` when
    /// the business date is simply the date of [`Clock::now`].
    fn business_date(&self) -> Option<NaiveDate> {
        None
    }
    /// The business date.
    fn today(&self) -> NaiveDate {
        self.business_date().unwrap_or_else(|| self.now().date())
    }
}

/// The computer's local clock (China Standard Time at the counter).
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        Local::now().naive_local()
    }
}

/// `Date`: the computer's real clock with a chosen business date (`--date`): `today()` is the
/// date, `now()` stays the real instant. `At`: a clock standing still at a chosen instant, for
/// both (tests).
pub enum FixedClock {
    Date(NaiveDate),
    At(NaiveDateTime),
}

impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        match self {
            FixedClock::Date(_) => Local::now().naive_local(),
            FixedClock::At(t) => *t,
        }
    }

    fn business_date(&self) -> Option<NaiveDate> {
        match self {
            FixedClock::Date(d) => Some(*d),
            FixedClock::At(_) => None,
        }
    }
}

/// A clock that tests move by hand (idle lock, lockout expiry). Clones share the same time.
#[derive(Clone)]
pub struct ManualClock(std::sync::Arc<std::sync::Mutex<NaiveDateTime>>);

impl ManualClock {
    pub fn new(at: NaiveDateTime) -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(at)))
    }

    /// Move the clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Why an action was refused. `Display` is the Chinese message for the clerk.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// The database refused or failed (busy, newer schema, disk).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The subject or account form has wrong fields.
    #[error("{}", FieldList("请修改以下栏目后再保存：", .0, |f| f.label()))]
    Invalid(Vec<FieldError<Field>>),
    /// The subject's code is already registered.
    #[error("{code_label} {code} 已登记为“{name}”，不能重复登记：请在查询中打开该主体修改")]
    DuplicateSubject {
        code_label: &'static str,
        code: String,
        name: String,
    },
    /// The account number already belongs to a subject.
    #[error("用户编号 {account_no} 已属于“{name}”，不能重复登记")]
    DuplicateAccount { account_no: String, name: String },
    /// What the action names does not exist.
    #[error("未找到{0}：请核对后重试，或先登记该主体")]
    NotFound(String),
    /// The operator cancelled a long action; nothing was written.
    #[error("已取消：{0}")]
    Cancelled(String),
    /// No operator is signed in.
    #[error("请先登录")]
    NotSignedIn,
    /// The signed-in operator's role may not do this.
    #[error("“{action}”需要{needed}权限，当前登录的是{have}：请由{needed}操作")]
    Forbidden {
        action: &'static str,
        needed: &'static str,
        have: &'static str,
    },
    /// Wrong staff number or password, or a disabled account.
    #[error("工号或密码不正确（账号停用时也无法登录，如有疑问请联系管理员）")]
    BadCredentials,
    /// Too many wrong passwords: locked until the time named.
    #[error("该账号连续多次密码错误，已锁定到 {until}：请稍后再试，或请管理员重置密码")]
    AccountLocked { until: String },
    /// First-run setup was asked for on a database that has operators.
    #[error("本数据库已有操作员，不能再次初始化：请用管理员账号登录后在“设置”中添加")]
    SetupDone,
    /// The operator form has wrong fields.
    #[error("{}", FieldList("请修改以下栏目：", .0, |f| f.label()))]
    InvalidOperator(Vec<FieldError<OperatorField>>),
    /// The new password breaks the password rules, or the old one is wrong.
    #[error("{0}")]
    Password(String),
    /// The staff number is taken.
    #[error("工号 {staff_no} 已被“{name}”使用，请换一个工号")]
    DuplicateOperator { staff_no: String, name: String },
    /// An administrator may not demote or disable their own account.
    #[error("{0}")]
    SelfChange(&'static str),
    /// A setting value is out of range or malformed.
    #[error("{0}")]
    Setting(String),
    /// Accepting a code with a wrong check character needs a reason.
    #[error("认可校验位不符的代码必须填写原因（例如：早期试点代码，已核对营业执照原件）")]
    OverrideReasonMissing,
    /// A state the program should never reach; the message names it for the administrator.
    #[error("内部错误：{0}，请联系管理员")]
    Internal(String),
    /// A record file could not be opened or read, or is empty.
    #[error("{0}")]
    Import(String),
    /// The credit report was refused (rules T-3, T-4: wrong subject, unreadable, too old).
    #[error(transparent)]
    ReportRefused(#[from] reports::ReportRefusal),
    /// A record import found bad rows and wrote nothing; the summary lists them.
    #[error("导入未写入：共 {} 行，其中 {} 行有问题（见导入结果）", .0.rows, .0.rejected)]
    ImportNotWritten(Box<ImportSummary>),
    /// The pilot-park form has wrong fields.
    #[error("{}", FieldList("请修改以下栏目后再保存：", .0, |f| f.label()))]
    InvalidPark(Vec<FieldError<ParkField>>),
    /// A 信易电 case step the case's state does not allow (rule C-5), or a second case on one
    /// commitment.
    #[error("{0}")]
    CaseRefused(String),
    /// A letter the subject's kind or the commitment's state does not allow (rules C-1..C-4),
    /// or the day's 承诺编码 are used up.
    #[error("{0}")]
    LetterRefused(String),
    /// The letter's PDF could not be drawn (a glyph or layout problem); nothing was stored.
    #[error("{0}")]
    LetterPdf(String),
    /// A file the clerk chose could not be read or is not of the kind asked for.
    #[error("{0}")]
    FileRead(String),
    /// A file the program writes (an export, a temporary copy for the viewer) could not be
    /// written; nothing half-written is left behind.
    #[error("{0}")]
    FileWrite(String),
    /// The pilot park is already in the list (rule T-5).
    #[error("{0}")]
    DuplicatePark(String),
    /// A date typed into a form is not a date.
    #[error("{field}：{reason}")]
    InvalidDate { field: &'static str, reason: String },
    /// The letter form has wrong fields.
    #[error("{}", FieldList("请修改承诺书的以下栏目：", .0, |f| f.label()))]
    InvalidLetter(Vec<FieldError<LetterField>>),
    /// The record form has wrong fields.
    #[error("{}", record_entry::describe(.kind, .errors))]
    InvalidRecord {
        kind: crate::domain::records::RecordKind,
        errors: Vec<FieldError<crate::domain::record_draft::RecordField>>,
    },
    /// A record step the record's state does not allow (rules D-1..D-4).
    #[error("{0}")]
    RecordRefused(String),
    /// An exchange with the city platform refused (rules E-1..E-3).
    #[error("{0}")]
    Platform(String),
    /// A repair or objection step refused (rules X-1..X-3); nothing was written.
    #[error("{0}")]
    Credit(String),
}

impl DeskError {
    /// The write found the database held by another window's transaction (a long import) for
    /// longer than the lock wait; nothing was written and the same action may simply be retried.
    pub fn is_busy(&self) -> bool {
        matches!(self, DeskError::Store(StoreError::Locked))
    }

    /// The field-level problems, when the action was refused for its input.
    pub fn field_errors(&self) -> &[FieldError<Field>] {
        match self {
            DeskError::Invalid(v) => v,
            _ => &[],
        }
    }
}

/// A refusal's field list: a heading, then `【栏目】说明` for each wrong field.
struct FieldList<'a, F: Copy>(&'static str, &'a [FieldError<F>], fn(F) -> &'static str);

impl<F: Copy> fmt::Display for FieldList<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)?;
        for (i, e) in self.1.iter().enumerate() {
            if i > 0 {
                f.write_str("；")?;
            }
            write!(f, "【{}】{}", (self.2)(e.field), e.message)?;
        }
        Ok(())
    }
}

/// What the 设置 page shows about the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbInfo {
    pub path: String,
    pub schema_version: i64,
    pub subjects: i64,
}

/// One counter's session: the store, the clock and the signed-in operator.
pub struct Desk {
    store: Store,
    clock: Box<dyn Clock>,
    session: Option<Operator>,
}

impl Desk {
    pub fn new(mut store: Store, clock: Box<dyn Clock>) -> Self {
        // Audit rows record a business date set apart from the calendar beside the real time.
        store.set_business_date(clock.business_date());
        Self {
            store,
            clock,
            session: None,
        }
    }

    /// Open (creating if needed) the database at `path` with the system clock.
    pub fn open(path: &Path) -> Result<Self, DeskError> {
        Ok(Self::new(Store::open(path)?, Box::new(SystemClock)))
    }

    /// Open the database at `path` as `opts` says (read-only for the CLI's reads, an existing
    /// file for its writes, created only at the window's first start), with `clock`.
    pub fn open_with(
        path: &Path,
        opts: &OpenOptions,
        clock: Box<dyn Clock>,
    ) -> Result<Self, DeskError> {
        Ok(Self::new(Store::open_with(path, opts)?, clock))
    }

    /// Open an existing database for reading only (read commands, `audit verify`, evidence
    /// copies): nothing is created or written, and every write action is refused.
    pub fn open_read_only(path: &Path) -> Result<Self, DeskError> {
        Ok(Self::new(
            Store::open_read_only(path)?,
            Box::new(SystemClock),
        ))
    }

    /// How long a write waits for another window's transaction before it is refused as busy
    /// ([`DeskError::is_busy`]). The default (30 minutes) suits the CLI; the window sets a short
    /// wait and retries on later frames, so it never freezes behind another window's import.
    pub fn set_lock_wait(&mut self, wait: std::time::Duration) -> Result<(), DeskError> {
        Ok(self.store.set_lock_wait(wait)?)
    }

    /// Call `f` when a write has waited a while for another window's transaction, e.g. a long
    /// import (the CLI prints "正在等待其他窗口完成导入…"); the write goes through afterwards.
    pub fn on_lock_wait(&mut self, f: impl Fn() + Send + Sync + 'static) {
        self.store.on_lock_wait(f);
    }

    /// The business date (rules, documents): `--date` when given.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The business date when it was set apart from the calendar (`--date`).
    pub fn business_date(&self) -> Option<NaiveDate> {
        self.clock.business_date()
    }

    /// The real instant (sign-in, lockout, idle lock, timestamps); `--date` does not move it.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// The database file, if any (shown in 设置 and the status bar).
    pub fn db_path(&self) -> Option<&Path> {
        self.store.path()
    }

    /// Which engine the database runs on (the embedded file or a shared server).
    /// The store behind the desk, the session ended (a test moves it to another clock).
    pub fn into_store(self) -> Store {
        self.store
    }

    pub fn engine(&self) -> Engine {
        self.store.engine()
    }

    /// Facts about the database for the 设置 page.
    pub fn db_info(&self) -> Result<DbInfo, DeskError> {
        Ok(DbInfo {
            path: self.store.location(),
            schema_version: self.store.schema_version()?,
            subjects: self.store.read().count_subjects()?,
        })
    }
}

/// `db copy` (issue 17, point 6): move the SQLite file at `from` whole into the empty
/// PostgreSQL store at `to`, verified and all or nothing (see `store/copy.rs`). The file is
/// opened read-only and is not changed. One audit row on the server records the copy.
pub fn copy_database(
    from: &Path,
    to: &Path,
    opts: &OpenOptions,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<crate::store::CopySummary, DeskError> {
    if !is_server_url(to) {
        return Err(DeskError::FileWrite(
            "--to 应为数据库服务器地址，例如 postgres://xinyidian@db.hall/xinyidian".into(),
        ));
    }
    if is_server_url(from) {
        return Err(DeskError::FileRead(
            "--from 应为本机数据库文件（.sqlite3），不是服务器地址".into(),
        ));
    }
    let source = Store::open_with(
        from,
        &OpenOptions {
            mode: OpenMode::ReadOnly,
            ..opts.clone()
        },
    )?;
    let mut target = Store::open_with(
        to,
        &OpenOptions {
            mode: OpenMode::Create,
            ..opts.clone()
        },
    )?;
    let summary = source.copy_into(&target, progress)?;
    let rows: u64 = summary.tables.iter().map(|t| t.1).sum();
    let line = crate::domain::audit::AuditContent {
        at: SystemClock.now(),
        staff_no: String::new(),
        window: String::new(),
        action: "复制数据库".into(),
        subject_id: None,
        summary: format!(
            "从本机数据库文件“{}”复制 {} 张表共 {rows} 行（操作日志 {} 条，校验一致）",
            from.display(),
            summary.tables.len(),
            summary.audit_rows
        ),
        business_date: None,
    };
    target.write(|w| w.append_audit(&line))?;
    Ok(summary)
}
