//! Operators (柜员, 班长, 管理员), what each role may do, and the sign-in lockout rule.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::id_codes::normalize;
use super::text::{FieldError, require_text};

/// Database key of an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OperatorId(pub i64);

/// Roles, each including the powers of the ones below it: a 班长 can do all a 柜员 can, a
/// 管理员 all a 班长 can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clerk,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Clerk, Role::Supervisor, Role::Admin];

    pub fn label(self) -> &'static str {
        match self {
            Role::Clerk => "柜员",
            Role::Supervisor => "班长",
            Role::Admin => "管理员",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == s)
    }

    /// Accepts the key or the Chinese label (CLI).
    pub fn from_label_or_key(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.key() == s || r.label() == s)
            .or(match s {
                "主管" => Some(Role::Supervisor),
                _ => None,
            })
    }

    /// Whether this role may do what `needed` allows.
    pub fn includes(self, needed: Role) -> bool {
        self >= needed
    }
}

/// Every action that changes data or shows the audit trail, with the role it needs. The desk
/// checks this before acting; the window only hides what the desk would refuse anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    CreateSubject,
    EditSubject,
    AddAccount,
    EditAccount,
    /// Bulk import of power-supply records from the marketing system (rule S-2).
    ImportRecords,
    /// Rule ID-1: register a legally issued USCC that fails the national check character.
    AcceptUsccCheckFailure,
    ViewAudit,
    ManageOperators,
    ChangeSettings,
    GenerateDemo,
    /// Counter entry or correction of one power-supply record: reminder, payment, just cause.
    EnterRecord,
    /// Import an applicant's public credit report (rules T-3, T-4), or type its facts by hand.
    ImportReport,
    /// Run and store a trust check (rules T-1..T-7).
    RunCheck,
    /// Edit the pilot-park table (rule T-5).
    ManageParks,
    /// Issue (and reprint) an integrity commitment letter (rules C-1..C-3).
    IssueLetter,
    /// Attach the signed letter's scan (rule C-4).
    AttachSignedLetter,
    /// Open a 信易电 case, enter its connection date, attach the proof, or record a withdrawal.
    ManageCase,
    /// Decide a broken commitment (rule D-4) or extend a deadline.
    DecideCase,
    /// Export dishonesty and trustworthy lists for the city platform.
    ExportLists,
    /// Exchange data with 湛江市公共信用信息共享平台: batches, feedback, list snapshots,
    /// publication (rules E-1..E-3).
    ExchangePlatform,
    /// Register a repair application or an objection at the counter, print the 信用修复承诺书,
    /// attach evidence and the signed scans (rules ).
    HandleCredit,
    /// Accept, refuse, review and decide repairs and objections (rules ).
    DecideCredit,
    /// Back up and restore the database, and its backup settings (issue 20).
    ManageBackups,
    /// The backup the admin's schedule asks for, run for whoever has the window open.
    ScheduledBackup,
}

impl Action {
    pub const ALL: [Action; 24] = [
        Action::CreateSubject,
        Action::EditSubject,
        Action::AddAccount,
        Action::EditAccount,
        Action::ImportRecords,
        Action::AcceptUsccCheckFailure,
        Action::ViewAudit,
        Action::ManageOperators,
        Action::ChangeSettings,
        Action::GenerateDemo,
        Action::EnterRecord,
        Action::ImportReport,
        Action::RunCheck,
        Action::ManageParks,
        Action::IssueLetter,
        Action::AttachSignedLetter,
        Action::ManageCase,
        Action::DecideCase,
        Action::ExportLists,
        Action::ExchangePlatform,
        Action::HandleCredit,
        Action::DecideCredit,
        Action::ManageBackups,
        Action::ScheduledBackup,
    ];

    /// The least role allowed to take this action.
    pub fn required_role(self) -> Role {
        match self {
            Action::CreateSubject
            | Action::EditSubject
            | Action::AddAccount
            | Action::EditAccount
            | Action::ImportRecords
            | Action::EnterRecord
            | Action::ImportReport
            | Action::RunCheck
            | Action::IssueLetter
            | Action::AttachSignedLetter
            | Action::ManageCase
            | Action::HandleCredit
            | Action::ScheduledBackup => Role::Clerk,
            Action::AcceptUsccCheckFailure
            | Action::ViewAudit
            | Action::DecideCase
            | Action::ExportLists
            | Action::ExchangePlatform
            | Action::DecideCredit => Role::Supervisor,
            Action::ManageOperators
            | Action::ChangeSettings
            | Action::GenerateDemo
            | Action::ManageParks
            | Action::ManageBackups => Role::Admin,
        }
    }

    /// The Chinese name used in refusals and the audit trail.
    pub fn label(self) -> &'static str {
        match self {
            Action::CreateSubject => "登记主体",
            Action::EditSubject => "修改主体",
            Action::AddAccount => "添加用电户",
            Action::EditAccount => "修改用电户",
            Action::ImportRecords => "导入用电记录",
            Action::AcceptUsccCheckFailure => "认可校验位不符的统一社会信用代码",
            Action::ViewAudit => "查看操作日志",
            Action::ManageOperators => "管理操作员",
            Action::ChangeSettings => "修改设置",
            Action::GenerateDemo => "生成演示数据",
            Action::EnterRecord => "录入用电记录",
            Action::ImportReport => "导入信用报告",
            Action::RunCheck => "信用核查",
            Action::ManageParks => "维护试点园区",
            Action::IssueLetter => "出具承诺书",
            Action::AttachSignedLetter => "上传已签承诺书",
            Action::ManageCase => "办理信易电业务",
            Action::DecideCase => "认定违诺或延期",
            Action::ExportLists => "导出名单",
            Action::ExchangePlatform => "与信用平台交换数据",
            Action::HandleCredit => "受理信用修复或异议申请",
            Action::DecideCredit => "审核信用修复或异议",
            Action::ManageBackups => "备份与恢复数据库",
            Action::ScheduledBackup => "按计划自动备份",
        }
    }
}

/// A stored operator (never with the password hash: that stays in the store and the desk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub id: OperatorId,
    /// 工号.
    pub staff_no: String,
    pub name: String,
    pub role: Role,
    /// 营业厅.
    pub hall: String,
    /// 窗口.
    pub window: String,
    pub active: bool,
    pub failed_attempts: u32,
    pub locked_until: Option<NaiveDateTime>,
}

impl Operator {
    /// "柜员 张三（霞山营业厅 3 号窗口）" for the title bar and audit summaries.
    pub fn display(&self) -> String {
        let place = [self.hall.as_str(), self.window.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if place.is_empty() {
            format!("{} {}", self.role.label(), self.name)
        } else {
            format!("{} {}（{place}）", self.role.label(), self.name)
        }
    }
}

/// Fields of the operator form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorField {
    StaffNo,
    Name,
    Hall,
    Window,
    Password,
}

impl OperatorField {
    pub fn label(self) -> &'static str {
        match self {
            OperatorField::StaffNo => "工号",
            OperatorField::Name => "姓名",
            OperatorField::Hall => "营业厅",
            OperatorField::Window => "窗口",
            OperatorField::Password => "密码",
        }
    }
}

/// What the operator form supplies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorDraft {
    pub staff_no: String,
    pub name: String,
    pub role: Role,
    pub hall: String,
    pub window: String,
}

impl Default for OperatorDraft {
    fn default() -> Self {
        Self {
            staff_no: String::new(),
            name: String::new(),
            role: Role::Clerk,
            hall: String::new(),
            window: String::new(),
        }
    }
}

/// A validated operator draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOperator {
    pub staff_no: String,
    pub name: String,
    pub role: Role,
    pub hall: String,
    pub window: String,
}

pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 128;

/// Password policy: at least 8 characters.
pub fn validate_password(pw: &str) -> Result<(), String> {
    let n = pw.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "密码至少 {MIN_PASSWORD_CHARS} 个字符，现在是 {n} 个，请设置更长的密码"
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!("密码最多 {MAX_PASSWORD_CHARS} 个字符"));
    }
    Ok(())
}

impl OperatorDraft {
    pub fn validate(&self) -> Result<ValidOperator, Vec<FieldError<OperatorField>>> {
        let mut errors = Vec::new();
        let staff_no = normalize(&self.staff_no);
        if staff_no.is_empty() {
            errors.push(FieldError::new(
                OperatorField::StaffNo,
                "工号不能为空，请填写",
            ));
        } else if staff_no.len() > 20 || !staff_no.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.push(FieldError::new(
                OperatorField::StaffNo,
                "工号只能由字母和数字组成，最多 20 位",
            ));
        }
        let name = require_text(&self.name, 50)
            .map_err(|m| errors.push(FieldError::new(OperatorField::Name, m)));
        let optional = |s: &str, f, errors: &mut Vec<_>| {
            if s.trim().is_empty() {
                String::new()
            } else {
                require_text(s, 50).unwrap_or_else(|m| {
                    errors.push(FieldError::new(f, m));
                    String::new()
                })
            }
        };
        let hall = optional(&self.hall, OperatorField::Hall, &mut errors);
        let window = optional(&self.window, OperatorField::Window, &mut errors);
        match name {
            Ok(name) if errors.is_empty() => Ok(ValidOperator {
                staff_no,
                name,
                role: self.role,
                hall,
                window,
            }),
            _ => Err(errors),
        }
    }
}

/// Wrong passwords in a row that lock an account.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;
/// How long the lock lasts.
pub const LOCKOUT_MINUTES: i64 = 15;

/// After a wrong password: the new failure count, and the time until which the account is locked
/// when this failure reaches the limit.
pub fn after_failed_sign_in(
    failures_before: u32,
    now: NaiveDateTime,
) -> (u32, Option<NaiveDateTime>) {
    let failures = failures_before.saturating_add(1);
    if failures >= MAX_FAILED_ATTEMPTS {
        (failures, Some(now + Duration::minutes(LOCKOUT_MINUTES)))
    } else {
        (failures, None)
    }
}

/// Whether the account is locked at `now`.
pub fn is_locked(locked_until: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    locked_until.is_some_and(|t| now < t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn roles_include_lower_roles() {
        assert!(Role::Admin.includes(Role::Supervisor));
        assert!(Role::Supervisor.includes(Role::Clerk));
        assert!(!Role::Clerk.includes(Role::Supervisor));
        assert!(!Role::Supervisor.includes(Role::Admin));
        assert_eq!(Role::from_label_or_key("班长"), Some(Role::Supervisor));
    }

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes() {
        let mut failures = 0;
        for _ in 0..4 {
            let (f, lock) = after_failed_sign_in(failures, t(9, 0));
            assert!(lock.is_none());
            failures = f;
        }
        let (f, lock) = after_failed_sign_in(failures, t(9, 0));
        assert_eq!(f, 5);
        assert_eq!(lock, Some(t(9, 15)));
        assert!(is_locked(lock, t(9, 14)));
        assert!(!is_locked(lock, t(9, 15)));
    }

    #[test]
    fn password_policy() {
        assert!(
            validate_password("1234567")
                .unwrap_err()
                .contains("至少 8 个字符")
        );
        assert!(validate_password("12345678").is_ok());
        assert!(validate_password("密码密码密码密码").is_ok());
    }

    #[test]
    fn operator_draft_validation() {
        let ok = OperatorDraft {
            staff_no: " zj００１ ".into(),
            name: "张三".into(),
            ..OperatorDraft::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.staff_no, "ZJ001");
        let errs = OperatorDraft {
            staff_no: "张-1".into(),
            name: String::new(),
            ..OperatorDraft::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(errs.len(), 2);
    }
}
