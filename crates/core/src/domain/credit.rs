//! The way back out of a dishonesty record: credit repair (信用修复, rules X-1, X-2) and
//! objections (异议申诉, rule X-3).
//!
//! Pure: grades and publication periods of a dishonesty record, how repairs, withdrawals and
//! open objections change what counts on a day, and the lifecycles of a repair application and
//! of an objection as functions of the application and `today`. A refusal says why in Chinese.
//!
//! - X-2: each record kind has a grade (a setting). From the decision date (the day the record
//!   became a dishonesty record) the minimum period must pass before repair may be granted, and
//!   at the maximum period the record stops counting by itself.
//! - A repaired record (已修复) or one withdrawn after an objection (已更正 by 撤销) no longer
//!   counts in any rule from that day; a check dated before it still sees it.
//! - An open objection marks the record 异议中 and changes nothing else (X-3).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::WorkCalendar;
use super::dishonesty::{Assessment, Clearance, Finding, Outcome, RuleId, Source};
use super::subject::SubjectId;

/// Database key of a repair application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RepairId(pub i64);

/// Database key of an objection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObjectionId(pub i64);

impl std::fmt::Display for RepairId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::fmt::Display for ObjectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a step was refused (the message for the operator).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CreditRefusal(pub String);

fn refuse<T>(msg: impl Into<String>) -> Result<T, CreditRefusal> {
    Err(CreditRefusal(msg.into()))
}

// ---------------------------------------------------------------------------------------------
// Grades and periods (X-2)

/// An enum whose values have a stable key (typed on the command line, named in SQL) and a
/// Chinese label: `ALL`, `key`, `label`, and `parse` of either form. Stored JSON uses serde's
/// snake_case names.
macro_rules! keyed_enum {
    ($(#[$m:meta])* pub enum $name:ident {
        $($(#[$vm:meta])* $v:ident => ($key:literal, $label:literal)),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $v),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: [$name; [$(stringify!($v)),+].len()] = [$($name::$v),+];

            /// The stable key.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$v => $key),+
                }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$v => $label),+
                }
            }

            /// Reads the key or the label.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.into_iter().find(|k| k.key() == s || k.label() == s)
            }
        }
    };
}

keyed_enum! {
    /// The grade of dishonesty information (信用修复管理办法, NDRC Order No. 36).
    pub enum Grade {
        /// 轻微: normally not published, at most 3 months.
        Minor => ("minor", "轻微"),
        /// 一般: published at least 3 months, at most 1 year.
        General => ("general", "一般"),
        /// 严重: published at least 1 year, at most 3 years.
        Serious => ("serious", "严重"),
    }
}

impl Grade {
    /// Minimum publication period in months: repair may be granted once it has passed.
    pub fn min_months(self) -> u32 {
        match self {
            Grade::Minor => 0,
            Grade::General => 3,
            Grade::Serious => 12,
        }
    }

    /// Maximum publication period in months: the record stops counting at its end.
    pub fn max_months(self) -> u32 {
        match self {
            Grade::Minor => 3,
            Grade::General => 12,
            Grade::Serious => 36,
        }
    }

    /// "一般（最短 3 个月，最长 1 年）".
    pub fn describe(self) -> String {
        format!(
            "{}（最短公示 {}，最长 {}）",
            self.label(),
            months_text(self.min_months()),
            months_text(self.max_months())
        )
    }
}

fn months_text(m: u32) -> String {
    match m {
        0 => "无".into(),
        m if m % 12 == 0 => format!("{} 年", m / 12),
        m => format!("{m} 个月"),
    }
}

/// The grade of each dishonesty record kind (X-2 leaves it to the recording body: a setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeSettings {
    /// D-1 欠费.
    pub arrears: Grade,
    /// D-2 窃电.
    pub theft: Grade,
    /// D-3 违约用电.
    pub violation: Grade,
    /// D-4 违反信用承诺.
    pub breach: Grade,
}

impl Default for GradeSettings {
    /// Our proposal: theft is 严重 (a crime under the 电力法), the others 一般.
    fn default() -> Self {
        Self {
            arrears: Grade::General,
            theft: Grade::Serious,
            violation: Grade::General,
            breach: Grade::General,
        }
    }
}

impl GradeSettings {
    /// The rules that have a grade.
    pub const RULES: [RuleId; 4] = [RuleId::D1, RuleId::D2, RuleId::D3, RuleId::D4];

    /// The grade of a rule's records (`None` for D-5, which records nothing).
    pub fn of(&self, rule: RuleId) -> Option<Grade> {
        match rule {
            RuleId::D1 => Some(self.arrears),
            RuleId::D2 => Some(self.theft),
            RuleId::D3 => Some(self.violation),
            RuleId::D4 => Some(self.breach),
            RuleId::D5 => None,
        }
    }

    /// Change one rule's grade (D-5 has none: ignored).
    pub fn set(&mut self, rule: RuleId, grade: Grade) {
        match rule {
            RuleId::D1 => self.arrears = grade,
            RuleId::D2 => self.theft = grade,
            RuleId::D3 => self.violation = grade,
            RuleId::D4 => self.breach = grade,
            RuleId::D5 => {}
        }
    }
}

/// The publication periods of one dishonesty record (X-2), counted from its decision date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Periods {
    pub grade: Grade,
    /// The day the record became a dishonesty record.
    pub decided_on: NaiveDate,
    /// The first day repair may be granted (decision + minimum period).
    pub earliest_repair: NaiveDate,
    /// The day the record stops counting by itself (decision + maximum period).
    pub publication_end: NaiveDate,
}

/// The periods of a finding, or `None` for a rule without a grade or at the end of chrono's
/// range.
pub fn periods(rule: RuleId, decided_on: NaiveDate, grades: &GradeSettings) -> Option<Periods> {
    let grade = grades.of(rule)?;
    Some(Periods {
        grade,
        decided_on,
        earliest_repair: decided_on.checked_add_months(Months::new(grade.min_months()))?,
        publication_end: decided_on.checked_add_months(Months::new(grade.max_months()))?,
    })
}

// ---------------------------------------------------------------------------------------------
// What changes what counts

/// Why a dishonesty record stopped counting on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReliefKind {
    /// 已修复 by a repair application (X-2).
    Repaired { application: RepairId },
    /// Withdrawn (撤销) after an objection was upheld (X-3).
    Withdrawn { objection: ObjectionId },
}

/// A record or commitment that no longer counts from a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relief {
    pub source: Source,
    pub from: NaiveDate,
    pub kind: ReliefKind,
}

/// A record under an open objection (异议中, X-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    pub source: Source,
    pub objection: ObjectionId,
    pub opened_on: NaiveDate,
}

/// A subject's repairs, withdrawals and open objections, as the checks see them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditMarks {
    pub reliefs: Vec<Relief>,
    pub disputes: Vec<Dispute>,
}

/// No repair, withdrawal or objection (for checks of subjects without any).
pub static NO_MARKS: CreditMarks = CreditMarks::NONE;

impl CreditMarks {
    /// No repair, withdrawal or objection.
    pub const NONE: CreditMarks = CreditMarks {
        reliefs: Vec::new(),
        disputes: Vec::new(),
    };

    fn relief(&self, source: &Source) -> Option<&Relief> {
        // The earliest relief wins (a record is repaired once).
        self.reliefs
            .iter()
            .filter(|r| &r.source == source)
            .min_by_key(|r| r.from)
    }

    fn dispute(&self, source: &Source) -> Option<&Dispute> {
        self.disputes.iter().find(|d| &d.source == source)
    }
}

/// A dishonesty record that no longer counts, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifted {
    pub finding: Finding,
    /// The day it stopped counting.
    pub from: NaiveDate,
    /// Chinese reason naming the application or period, ending with the rule cited.
    pub why: String,
}

/// How a record stands as to repair and objection on a day (the 修复/异议 column).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCredit {
    /// For a dishonesty record: its grade and periods.
    pub periods: Option<Periods>,
    /// 已修复 on that day by that application.
    pub repaired: Option<(NaiveDate, RepairId)>,
    /// Withdrawn on that day after that objection.
    pub withdrawn: Option<(NaiveDate, ObjectionId)>,
    /// Past its maximum publication period since that day.
    pub expired: Option<NaiveDate>,
    /// 异议中: that objection is open.
    pub disputed: Option<ObjectionId>,
}

impl RecordCredit {
    /// The short status shown beside a record: 已修复 / 已撤销 / 公示期满 / 异议中, or empty.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some((on, _)) = self.repaired {
            parts.push(format!("已修复（{on}）"));
        } else if let Some((on, _)) = self.withdrawn {
            parts.push(format!("已撤销（{on}）"));
        } else if let Some(on) = self.expired {
            parts.push(format!("公示期满（{on}）"));
        }
        if self.disputed.is_some() {
            parts.push("异议中".into());
        }
        parts.join("，")
    }

    /// Whether the record is a dishonesty record that counts today (a repair may be applied for).
    pub fn counts(&self) -> bool {
        self.periods.is_some()
            && self.repaired.is_none()
            && self.withdrawn.is_none()
            && self.expired.is_none()
    }
}

/// One record's outcome as of `today` once repairs, withdrawals, periods and objections are
/// applied: a finding that no longer counts becomes a clearance (and the [`Lifted`] says why),
/// a counting one names its grade, earliest repair date and any open objection.
pub fn judge(
    outcome: Outcome,
    today: NaiveDate,
    grades: &GradeSettings,
    marks: &CreditMarks,
) -> (Outcome, Option<Lifted>, RecordCredit) {
    let source = match &outcome {
        Outcome::Dishonest(f) => f.source.clone(),
        Outcome::NotDishonest(c) => c.source.clone(),
    };
    let mut credit = RecordCredit {
        disputed: marks.dispute(&source).map(|d| d.objection),
        ..RecordCredit::default()
    };
    let relief = marks.relief(&source);
    if let Some(r) = relief {
        // Shown whatever the outcome: a record withdrawn or repaired stays in the history.
        match r.kind {
            ReliefKind::Repaired { application } if r.from <= today => {
                credit.repaired = Some((r.from, application))
            }
            ReliefKind::Withdrawn { objection } if r.from <= today => {
                credit.withdrawn = Some((r.from, objection))
            }
            _ => {}
        }
    }
    let Outcome::Dishonest(mut f) = outcome else {
        return (outcome, None, credit);
    };
    let p = periods(f.rule, f.since, grades);
    credit.periods = p;
    let disputed_note = match credit.disputed {
        Some(o) => format!("【异议中：异议申诉 {o} 核实期间本记录照常计入，依据 X-3】"),
        None => String::new(),
    };
    let lift = |f: Finding, from: NaiveDate, why: String| {
        let clearance = Clearance {
            rule: Some(f.rule),
            source: f.source.clone(),
            reason: format!("{}；{why}", f.reason),
            becomes_on: None,
        };
        (
            Outcome::NotDishonest(clearance),
            Some(Lifted {
                finding: f,
                from,
                why,
            }),
        )
    };
    if let Some(r) = relief.filter(|r| r.from <= today) {
        let why = match r.kind {
            ReliefKind::Repaired { application } => format!(
                "已于 {} 信用修复（修复申请 {application}），自该日起不再计入{disputed_note}。依据 X-2",
                r.from
            ),
            ReliefKind::Withdrawn { objection } => format!(
                "已于 {} 经异议申诉 {objection} 核实撤销，自该日起不再计入。依据 X-3",
                r.from
            ),
        };
        let (o, l) = lift(f, r.from, why);
        return (o, l, credit);
    }
    if let Some(p) = p.filter(|p| p.publication_end <= today) {
        credit.expired = Some(p.publication_end);
        let why = format!(
            "{}失信信息最长公示 {}，自 {} 认定起至 {} 公示期满，自该日起不再计入{disputed_note}。依据 X-2",
            p.grade.label(),
            months_text(p.grade.max_months()),
            p.decided_on,
            p.publication_end
        );
        let (o, l) = lift(f, p.publication_end, why);
        return (o, l, credit);
    }
    if let Some(p) = p {
        let when = if p.earliest_repair <= today {
            format!(
                "已可申请信用修复（最短公示期至 {} 已满）",
                p.earliest_repair
            )
        } else {
            format!("可于 {} 起申请信用修复", p.earliest_repair)
        };
        f.reason = format!(
            "{}（{}失信信息，{when}；{} 公示期满后不再计入，依据 X-2）{disputed_note}",
            f.reason,
            p.grade.label(),
            p.publication_end
        );
    } else if !disputed_note.is_empty() {
        f.reason.push_str(&disputed_note);
    }
    (Outcome::Dishonest(f), None, credit)
}

/// A subject's assessment with repairs, withdrawals, periods and objections applied
/// ([`judge`] for every finding): the findings that still count, the clearances (now including
/// the lifted findings' clearances), and the lifted findings with their reasons.
pub fn apply(
    a: Assessment,
    today: NaiveDate,
    grades: &GradeSettings,
    marks: &CreditMarks,
) -> Assessment {
    let mut out = Assessment {
        findings: Vec::new(),
        cleared: a.cleared,
        lifted: Vec::new(),
    };
    for f in a.findings {
        match judge(Outcome::Dishonest(f), today, grades, marks) {
            (Outcome::Dishonest(f), _, _) => out.findings.push(f),
            (Outcome::NotDishonest(_), Some(l), _) => out.lifted.push(l),
            (Outcome::NotDishonest(c), None, _) => out.cleared.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Time limits (X-3: working days)

/// The time limits of repairs and objections, in working days (settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLimits {
    /// From the application to 受理 / 不予受理.
    pub accept_days: u32,
    /// From 受理 to the start of verification with the data's source (审核中 / 核实中).
    pub verify_days: u32,
    /// From the start of verification to the decision.
    pub decide_days: u32,
    /// How many working days before its limit an item shows as 即将到期 in the queue.
    pub warn_days: u32,
}

impl Default for CreditLimits {
    /// Our proposal after the practice of city credit platforms: 受理 within 2 working days,
    /// verification begun within 3 and decided within 5 more.
    fn default() -> Self {
        Self {
            accept_days: 2,
            verify_days: 3,
            decide_days: 5,
            warn_days: 1,
        }
    }
}

/// Where an item stands against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Not near its limit.
    InTime,
    /// 即将到期: within the warning days.
    DueSoon,
    /// 已超期: past its limit.
    Overdue,
}

impl Urgency {
    pub fn label(self) -> &'static str {
        match self {
            Urgency::InTime => "办理中",
            Urgency::DueSoon => "即将到期",
            Urgency::Overdue => "已超期",
        }
    }

    /// Of a deadline on `today` with the calendar and the warning days.
    pub fn of(deadline: NaiveDate, today: NaiveDate, cal: &WorkCalendar, warn_days: u32) -> Self {
        if today > deadline {
            Urgency::Overdue
        } else if cal.working_days_between(today, deadline) <= i64::from(warn_days) {
            Urgency::DueSoon
        } else {
            Urgency::InTime
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What an application or objection is about

/// A record or commitment a repair or objection names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TargetRef {
    /// A power-supply record, by its database key.
    Record { id: i64 },
    /// A broken commitment (D-4), by its database key and 承诺编码.
    Commitment { id: i64, code: String },
}

impl TargetRef {
    /// `r` or `c` and the key, as the store indexes it.
    pub fn parts(&self) -> (&'static str, i64) {
        match self {
            TargetRef::Record { id } => ("r", *id),
            TargetRef::Commitment { id, .. } => ("c", *id),
        }
    }

    /// "记录 R12" / "承诺 4408002026…".
    pub fn label(&self) -> String {
        match self {
            TargetRef::Record { id } => format!("记录 R{id}"),
            TargetRef::Commitment { code, .. } => format!("承诺 {code}"),
        }
    }
}

/// One record as an application names it, with what it was on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub target: TargetRef,
    /// The dishonesty rule, for a dishonesty record.
    pub rule: Option<RuleId>,
    /// Short description of the record (kind, dates, amount).
    pub summary: String,
    /// For a dishonesty record: its periods on the day of the application.
    pub periods: Option<Periods>,
}

/// A file given as evidence, stored by SHA-256 in the evidence store like the letters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
    /// What it is (缴费凭证, 整改证明, 决定书…).
    pub label: String,
    pub attached_on: NaiveDate,
    /// 工号 of the operator who attached it.
    pub attached_by: String,
}

/// One step of an application or objection, as its history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The status label the step led to (已受理, 不予修复…).
    pub status: String,
    pub on: NaiveDate,
    /// 工号 of the operator.
    pub by: String,
    pub reason: Option<String>,
    /// The limit of the next step, if any.
    pub deadline: Option<NaiveDate>,
}

fn reason_given(reason: &str, what: &str) -> Result<String, CreditRefusal> {
    let r = reason.trim();
    if r.is_empty() {
        return refuse(format!("请填写{what}的理由：理由会记入档案并告知申请人"));
    }
    if r.chars().count() > 500 {
        return refuse(format!("{what}的理由不能超过 500 字"));
    }
    Ok(r.to_string())
}

// ---------------------------------------------------------------------------------------------
// Repair applications (X-1, X-2)

keyed_enum! {
    /// The repair route of annex 3 §4 (X-1).
    pub enum RepairRoute {
        /// 停止违法行为并提供真实证据.
        StopAndEvidence => ("stop", "停止违法违规行为并提供真实有效的证明材料"),
        /// 停止窃电、整改并足额缴纳电费和违约使用电费.
        TheftRectified => ("theft", "停止窃电、完成整改并足额补缴电费和违约使用电费"),
        /// 在规定期限内缴清欠费及违约金.
        ArrearsPaid => ("arrears", "在规定期限内缴清欠费及违约金"),
    }
}

keyed_enum! {
    /// The stage of a repair application.
    pub enum RepairStatus {
        /// 待受理: registered at the counter.
        Submitted => ("submitted", "待受理"),
        /// 已受理.
        Accepted => ("accepted", "已受理"),
        /// 不予受理 (with a reason).
        NotAccepted => ("not_accepted", "不予受理"),
        /// 审核中.
        Reviewing => ("reviewing", "审核中"),
        /// 已修复: the records no longer count from the decision date.
        Repaired => ("repaired", "已修复"),
        /// 不予修复 (with a reason).
        Rejected => ("rejected", "不予修复"),
    }
}

impl RepairStatus {
    /// The keys of the statuses still waiting for a step (lists of open items).
    pub fn open_keys() -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| s.key())
            .collect()
    }

    /// Whether the application still waits for a step.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RepairStatus::Submitted | RepairStatus::Accepted | RepairStatus::Reviewing
        )
    }
}

/// The 信用修复承诺书 of an application (承诺类型 信用修复型, its own 承诺编码, rule X-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairCommitment {
    /// 承诺编码 (C-4), from the same serial space as the letters.
    pub code: String,
    pub made_on: NaiveDate,
    /// The printed wording (kept as printed, so a reprint is identical).
    pub content: String,
    /// The signed and sealed scan, once attached.
    pub signed: Option<EvidenceFile>,
}

/// A repair application (X-1, X-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairApplication {
    pub id: RepairId,
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub subject_code: String,
    pub targets: Vec<Target>,
    pub route: RepairRoute,
    /// What the subject did (整改情况), in its words.
    pub statement: String,
    pub evidence: Vec<EvidenceFile>,
    pub commitment: RepairCommitment,
    pub status: RepairStatus,
    pub opened_on: NaiveDate,
    /// 工号 of the clerk who registered it.
    pub opened_by: String,
    pub hall: String,
    /// The limit of the step it waits for (working days, X-3's practice), `None` once decided.
    pub deadline: Option<NaiveDate>,
    /// 已修复: the day the records stopped counting.
    pub repaired_on: Option<NaiveDate>,
    pub steps: Vec<Step>,
}

fn limit(cal: &WorkCalendar, from: NaiveDate, days: u32) -> Result<NaiveDate, CreditRefusal> {
    cal.add_working_days(from, days).ok_or_else(|| {
        CreditRefusal(format!(
            "办理时限 {days} 个工作日无法从 {from} 起计算：请管理员核对时限设置"
        ))
    })
}

impl RepairApplication {
    fn step(&self, status: RepairStatus, today: NaiveDate) -> Result<Self, CreditRefusal> {
        if today < self.opened_on {
            return refuse(format!(
                "办理日期 {today} 早于申请日期 {}：请核对业务日期",
                self.opened_on
            ));
        }
        let mut next = self.clone();
        next.status = status;
        Ok(next)
    }

    fn expect(&self, wanted: RepairStatus, what: &str) -> Result<(), CreditRefusal> {
        if self.status != wanted {
            return refuse(format!(
                "修复申请 {} 当前为“{}”，不能{what}（需为“{}”）",
                self.id,
                self.status.label(),
                wanted.label()
            ));
        }
        Ok(())
    }

    /// 受理: the limit of verification starts.
    pub fn accept(
        &self,
        today: NaiveDate,
        by: &str,
        cal: &WorkCalendar,
        limits: &CreditLimits,
    ) -> Result<Self, CreditRefusal> {
        self.expect(RepairStatus::Submitted, "受理")?;
        let mut n = self.step(RepairStatus::Accepted, today)?;
        n.deadline = Some(limit(cal, today, limits.verify_days)?);
        n.steps.push(Step {
            status: RepairStatus::Accepted.label().into(),
            on: today,
            by: by.into(),
            reason: None,
            deadline: n.deadline,
        });
        Ok(n)
    }

    /// 不予受理, with a reason.
    pub fn refuse_to_accept(
        &self,
        reason: &str,
        today: NaiveDate,
        by: &str,
    ) -> Result<Self, CreditRefusal> {
        self.expect(RepairStatus::Submitted, "作出不予受理决定")?;
        let reason = reason_given(reason, "不予受理")?;
        let mut n = self.step(RepairStatus::NotAccepted, today)?;
        n.deadline = None;
        n.steps.push(Step {
            status: RepairStatus::NotAccepted.label().into(),
            on: today,
            by: by.into(),
            reason: Some(reason),
            deadline: None,
        });
        Ok(n)
    }

    /// 审核中: verification begins; the limit of the decision starts.
    pub fn review(
        &self,
        today: NaiveDate,
        by: &str,
        cal: &WorkCalendar,
        limits: &CreditLimits,
    ) -> Result<Self, CreditRefusal> {
        self.expect(RepairStatus::Accepted, "开始审核")?;
        let mut n = self.step(RepairStatus::Reviewing, today)?;
        n.deadline = Some(limit(cal, today, limits.decide_days)?);
        n.steps.push(Step {
            status: RepairStatus::Reviewing.label().into(),
            on: today,
            by: by.into(),
            reason: None,
            deadline: n.deadline,
        });
        Ok(n)
    }

    /// 已修复: every record has passed its minimum period (X-2) and the signed 信用修复承诺书
    /// is attached; the records stop counting from `today`.
    pub fn repair(&self, today: NaiveDate, by: &str) -> Result<Self, CreditRefusal> {
        self.expect(RepairStatus::Reviewing, "作出修复决定")?;
        if self.commitment.signed.is_none() {
            return refuse(format!(
                "修复申请 {} 的信用修复承诺书（{}）尚未上传签字盖章件：作出公开信用承诺是修复的条件（X-2），请先上传",
                self.id, self.commitment.code
            ));
        }
        early_targets(&self.targets, today)?;
        let mut n = self.step(RepairStatus::Repaired, today)?;
        n.deadline = None;
        n.repaired_on = Some(today);
        n.steps.push(Step {
            status: RepairStatus::Repaired.label().into(),
            on: today,
            by: by.into(),
            reason: None,
            deadline: None,
        });
        Ok(n)
    }

    /// 不予修复, with a reason.
    pub fn reject(&self, reason: &str, today: NaiveDate, by: &str) -> Result<Self, CreditRefusal> {
        self.expect(RepairStatus::Reviewing, "作出不予修复决定")?;
        let reason = reason_given(reason, "不予修复")?;
        let mut n = self.step(RepairStatus::Rejected, today)?;
        n.deadline = None;
        n.steps.push(Step {
            status: RepairStatus::Rejected.label().into(),
            on: today,
            by: by.into(),
            reason: Some(reason),
            deadline: None,
        });
        Ok(n)
    }

    /// The reason of the last refusal or rejection, if any.
    pub fn reason(&self) -> Option<&str> {
        self.steps.last().and_then(|s| s.reason.as_deref())
    }
}

/// Refuses when a target has not passed its minimum period on `today`, naming the earliest date.
pub fn early_targets(targets: &[Target], today: NaiveDate) -> Result<(), CreditRefusal> {
    let early: Vec<String> = targets
        .iter()
        .filter_map(|t| {
            let p = t.periods?;
            (p.earliest_repair > today).then(|| {
                format!(
                    "{}（{}，{} 认定）最早可于 {} 申请修复",
                    t.target.label(),
                    p.grade.label(),
                    p.decided_on,
                    p.earliest_repair
                )
            })
        })
        .collect();
    if early.is_empty() {
        Ok(())
    } else {
        refuse(format!(
            "未满最短公示期，不能修复（依据 X-2）：{}",
            early.join("；")
        ))
    }
}

/// The wording of the 信用修复承诺书, drafted from X-1 and the national practice (NDRC Order
/// No. 36: a public credit commitment is a condition of repair). Numbered commitments, one per
/// paragraph.
pub const REPAIR_LETTER_TITLE: &str = "信用修复承诺书";

/// The commitments of the 信用修复承诺书, numbered as printed.
pub const REPAIR_COMMITMENTS: [&str; 5] = [
    "一、本承诺人已停止上述失信行为，已按要求完成整改，并已依法履行相关义务（包括缴清所欠电费及违约金、足额补缴电费和违约使用电费等）。",
    "二、本承诺人为申请信用修复所提交的全部材料真实、准确、完整、有效，不存在隐瞒、虚构或伪造；如有虚假，自愿承担相应法律责任。",
    "三、本承诺人今后将严格遵守《中华人民共和国电力法》《电力供应与使用条例》《供电营业规则》等法律法规，依法依规用电，按时足额缴纳电费，不窃电，不违约用电。",
    "四、本承诺人同意将本承诺书及其履行情况作为公共信用信息，归集至湛江市公共信用信息共享平台并依法公开，自愿接受湛江供电局和社会的监督。",
    "五、如违反本承诺，本承诺人自愿接受撤销信用修复、重新公示失信信息、记入违反信用承诺失信记录等处理，并依法承担相应责任。",
];

/// The preamble, with the accepting unit and the records to repair filled in.
pub fn repair_preamble(unit: &str, targets: &[Target]) -> String {
    let list: Vec<String> = targets.iter().map(|t| t.summary.clone()).collect();
    format!(
        "本承诺人就以下失信信息向{unit}申请信用修复：{}。为此郑重承诺如下：",
        list.join("；")
    )
}

/// The whole wording as kept with the application (preamble and commitments).
pub fn repair_content(unit: &str, targets: &[Target]) -> String {
    let mut s = repair_preamble(unit, targets);
    for c in REPAIR_COMMITMENTS {
        s.push('\n');
        s.push_str(c);
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Objections (X-3)

keyed_enum! {
    /// The grounds of an objection (X-3).
    pub enum ObjectionGround {
        Error => ("error", "错误"),
        Omission => ("omission", "遗漏"),
        Duplicate => ("duplicate", "重复"),
        ShouldNotPublish => ("should_not_publish", "不应公示"),
        OverduePublication => ("overdue", "超期公示"),
        Inconsistent => ("inconsistent", "与认定机关不一致"),
    }
}

keyed_enum! {
    /// The stage of an objection.
    pub enum ObjectionStatus {
        /// 待受理.
        Submitted => ("submitted", "待受理"),
        /// 已受理.
        Accepted => ("accepted", "已受理"),
        /// 不予受理 (with a reason).
        NotAccepted => ("not_accepted", "不予受理"),
        /// 核实中: verified with the data's source.
        Verifying => ("verifying", "核实中"),
        /// 已更正: the record corrected or withdrawn.
        Corrected => ("corrected", "已更正"),
        /// 不予更正 (with reasons).
        Upheld => ("upheld", "不予更正"),
    }
}

impl ObjectionStatus {
    /// The keys of the statuses still waiting for a step (lists of open items).
    pub fn open_keys() -> Vec<&'static str> {
        Self::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| s.key())
            .collect()
    }

    /// Whether the objection is still open: the record shows 异议中.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ObjectionStatus::Submitted | ObjectionStatus::Accepted | ObjectionStatus::Verifying
        )
    }
}

/// How an upheld objection corrected its record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Correction {
    /// The record's fields were corrected: what it said before and after.
    Amended { before: String, after: String },
    /// The record was withdrawn (撤销): it no longer counts from the decision date.
    Withdrawn,
}

/// An objection (异议申诉, X-3) on one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: ObjectionId,
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub subject_code: String,
    pub target: Target,
    pub grounds: Vec<ObjectionGround>,
    /// The subject's statement of what is wrong.
    pub statement: String,
    pub evidence: Vec<EvidenceFile>,
    /// The sealed 异议申诉信用承诺书 scan (required to open).
    pub commitment_scan: EvidenceFile,
    pub status: ObjectionStatus,
    pub opened_on: NaiveDate,
    pub opened_by: String,
    pub hall: String,
    pub deadline: Option<NaiveDate>,
    pub correction: Option<Correction>,
    pub decided_on: Option<NaiveDate>,
    pub steps: Vec<Step>,
}

impl Objection {
    fn expect(&self, wanted: ObjectionStatus, what: &str) -> Result<(), CreditRefusal> {
        if self.status != wanted {
            return refuse(format!(
                "异议申诉 {} 当前为“{}”，不能{what}（需为“{}”）",
                self.id,
                self.status.label(),
                wanted.label()
            ));
        }
        Ok(())
    }

    fn next(
        &self,
        status: ObjectionStatus,
        today: NaiveDate,
        by: &str,
        reason: Option<String>,
        deadline: Option<NaiveDate>,
    ) -> Result<Self, CreditRefusal> {
        if today < self.opened_on {
            return refuse(format!(
                "办理日期 {today} 早于申请日期 {}：请核对业务日期",
                self.opened_on
            ));
        }
        let mut n = self.clone();
        n.status = status;
        n.deadline = deadline;
        n.steps.push(Step {
            status: status.label().into(),
            on: today,
            by: by.into(),
            reason,
            deadline,
        });
        Ok(n)
    }

    /// 受理.
    pub fn accept(
        &self,
        today: NaiveDate,
        by: &str,
        cal: &WorkCalendar,
        limits: &CreditLimits,
    ) -> Result<Self, CreditRefusal> {
        self.expect(ObjectionStatus::Submitted, "受理")?;
        let d = limit(cal, today, limits.verify_days)?;
        self.next(ObjectionStatus::Accepted, today, by, None, Some(d))
    }

    /// 不予受理, with a reason.
    pub fn refuse_to_accept(
        &self,
        reason: &str,
        today: NaiveDate,
        by: &str,
    ) -> Result<Self, CreditRefusal> {
        self.expect(ObjectionStatus::Submitted, "作出不予受理决定")?;
        let r = reason_given(reason, "不予受理")?;
        self.next(ObjectionStatus::NotAccepted, today, by, Some(r), None)
    }

    /// 核实中: verification with the data's source begins.
    pub fn verify(
        &self,
        today: NaiveDate,
        by: &str,
        cal: &WorkCalendar,
        limits: &CreditLimits,
    ) -> Result<Self, CreditRefusal> {
        self.expect(ObjectionStatus::Accepted, "开始核实")?;
        let d = limit(cal, today, limits.decide_days)?;
        self.next(ObjectionStatus::Verifying, today, by, None, Some(d))
    }

    /// 已更正: the record corrected or withdrawn, with the reason of the correction.
    pub fn correct(
        &self,
        correction: Correction,
        reason: &str,
        today: NaiveDate,
        by: &str,
    ) -> Result<Self, CreditRefusal> {
        self.expect(ObjectionStatus::Verifying, "作出更正决定")?;
        let r = reason_given(reason, "更正")?;
        let mut n = self.next(ObjectionStatus::Corrected, today, by, Some(r), None)?;
        n.correction = Some(correction);
        n.decided_on = Some(today);
        Ok(n)
    }

    /// 不予更正, with reasons.
    pub fn uphold(&self, reason: &str, today: NaiveDate, by: &str) -> Result<Self, CreditRefusal> {
        self.expect(ObjectionStatus::Verifying, "作出不予更正决定")?;
        let r = reason_given(reason, "不予更正")?;
        let mut n = self.next(ObjectionStatus::Upheld, today, by, Some(r), None)?;
        n.decided_on = Some(today);
        Ok(n)
    }

    /// The record stops counting from this day (withdrawn).
    pub fn withdrawn_on(&self) -> Option<NaiveDate> {
        match (&self.status, &self.correction) {
            (ObjectionStatus::Corrected, Some(Correction::Withdrawn)) => self.decided_on,
            _ => None,
        }
    }

    /// The reason of the last step, if any.
    pub fn reason(&self) -> Option<&str> {
        self.steps.last().and_then(|s| s.reason.as_deref())
    }
}

/// A row of the repair or objection lists and of their 待办 tabs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditRow {
    /// `repair` or `objection`.
    pub kind: &'static str,
    pub id: i64,
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub subject_code: String,
    pub status: String,
    pub status_label: String,
    pub opened_on: NaiveDate,
    pub opened_by: String,
    pub hall: String,
    pub deadline: Option<NaiveDate>,
    /// The records named, short.
    pub targets: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn source() -> Source {
        Source::Commitment {
            code: "44080020250101000001".into(),
        }
    }

    fn finding(rule: RuleId, since: NaiveDate) -> Finding {
        Finding {
            rule,
            source: source(),
            reason: "违诺".into(),
            since,
        }
    }

    #[test]
    fn periods_follow_the_grade_from_the_decision_date() {
        let g = GradeSettings::default();
        let p = periods(RuleId::D1, d(2024, 2, 29), &g).unwrap();
        assert_eq!(p.grade, Grade::General);
        assert_eq!(p.earliest_repair, d(2024, 5, 29));
        // 29 February + 1 year = 28 February.
        assert_eq!(p.publication_end, d(2025, 2, 28));
        let p = periods(RuleId::D2, d(2024, 2, 29), &g).unwrap();
        assert_eq!(p.earliest_repair, d(2025, 2, 28));
        assert_eq!(p.publication_end, d(2027, 2, 28));
        assert!(periods(RuleId::D5, d(2024, 1, 1), &g).is_none());
        let mut minor = g;
        minor.set(RuleId::D3, Grade::Minor);
        let p = periods(RuleId::D3, d(2026, 1, 10), &minor).unwrap();
        assert_eq!(p.earliest_repair, d(2026, 1, 10));
        assert_eq!(p.publication_end, d(2026, 4, 10));
        assert_eq!(Grade::parse("严重"), Some(Grade::Serious));
        assert_eq!(
            Grade::General.describe(),
            "一般（最短公示 3 个月，最长 1 年）"
        );
    }

    #[test]
    fn a_repair_lifts_the_record_from_its_date_only() {
        let g = GradeSettings::default();
        let marks = CreditMarks {
            reliefs: vec![Relief {
                source: source(),
                from: d(2026, 6, 1),
                kind: ReliefKind::Repaired {
                    application: RepairId(7),
                },
            }],
            disputes: vec![],
        };
        let f = finding(RuleId::D4, d(2026, 1, 1));
        let (before, lifted, credit) =
            judge(Outcome::Dishonest(f.clone()), d(2026, 5, 31), &g, &marks);
        assert!(matches!(before, Outcome::Dishonest(_)));
        assert!(lifted.is_none());
        assert!(credit.counts());
        let (after, lifted, credit) = judge(Outcome::Dishonest(f), d(2026, 6, 1), &g, &marks);
        let Outcome::NotDishonest(c) = after else {
            panic!("repaired record still counts")
        };
        assert!(c.reason.contains("修复申请 7"), "{}", c.reason);
        assert_eq!(lifted.unwrap().from, d(2026, 6, 1));
        assert_eq!(credit.label(), "已修复（2026-06-01）");
        assert!(!credit.counts());
    }

    #[test]
    fn a_record_past_its_maximum_period_stops_counting_by_itself() {
        let g = GradeSettings::default();
        let a = Assessment {
            findings: vec![finding(RuleId::D4, d(2025, 3, 1))],
            cleared: vec![],
            lifted: vec![],
        };
        let kept = apply(a.clone(), d(2026, 2, 28), &g, &CreditMarks::NONE);
        assert_eq!(kept.findings.len(), 1);
        assert!(kept.findings[0].reason.contains("2026-03-01 公示期满"));
        let gone = apply(a, d(2026, 3, 1), &g, &CreditMarks::NONE);
        assert!(gone.findings.is_empty());
        assert_eq!(gone.lifted.len(), 1);
        assert!(
            gone.lifted[0].why.contains("公示期满"),
            "{}",
            gone.lifted[0].why
        );
        assert!(gone.lifted[0].why.contains("X-2"));
    }

    #[test]
    fn an_objection_marks_the_record_but_changes_nothing() {
        let g = GradeSettings::default();
        let marks = CreditMarks {
            reliefs: vec![],
            disputes: vec![Dispute {
                source: source(),
                objection: ObjectionId(3),
                opened_on: d(2026, 5, 1),
            }],
        };
        let (o, lifted, credit) = judge(
            Outcome::Dishonest(finding(RuleId::D4, d(2026, 1, 1))),
            d(2026, 5, 2),
            &g,
            &marks,
        );
        let Outcome::Dishonest(f) = o else {
            panic!("an objection changed the outcome")
        };
        assert!(lifted.is_none());
        assert!(f.reason.contains("异议中"), "{}", f.reason);
        assert_eq!(credit.label(), "异议中");
        // A record that is not a dishonesty record shows it too.
        let other = Source::Commitment {
            code: "44080020260101000009".into(),
        };
        let marks = CreditMarks {
            reliefs: vec![],
            disputes: vec![Dispute {
                source: other.clone(),
                objection: ObjectionId(4),
                opened_on: d(2026, 5, 1),
            }],
        };
        let (_, _, credit) = judge(
            Outcome::NotDishonest(Clearance {
                rule: None,
                source: other,
                reason: "缴费".into(),
                becomes_on: None,
            }),
            d(2026, 5, 2),
            &g,
            &marks,
        );
        assert_eq!(credit.disputed, Some(ObjectionId(4)));
    }

    fn application() -> RepairApplication {
        let g = GradeSettings::default();
        RepairApplication {
            id: RepairId(1),
            subject_id: SubjectId(1),
            subject_name: "湛江市海港贸易有限公司".into(),
            subject_code: "91440800MA4UMB8E0X".into(),
            targets: vec![Target {
                target: TargetRef::Record { id: 5 },
                rule: Some(RuleId::D1),
                summary: "欠费".into(),
                periods: periods(RuleId::D1, d(2026, 1, 1), &g),
            }],
            route: RepairRoute::ArrearsPaid,
            statement: "已缴清".into(),
            evidence: vec![],
            commitment: RepairCommitment {
                code: "44080020260401000001".into(),
                made_on: d(2026, 4, 1),
                content: String::new(),
                signed: None,
            },
            status: RepairStatus::Submitted,
            opened_on: d(2026, 4, 1),
            opened_by: "S001".into(),
            hall: "霞山营业厅".into(),
            deadline: Some(d(2026, 4, 3)),
            repaired_on: None,
            steps: vec![],
        }
    }

    fn scan() -> EvidenceFile {
        EvidenceFile {
            sha256: "0".repeat(64),
            file_name: "承诺书.pdf".into(),
            media_type: "application/pdf".into(),
            label: "信用修复承诺书".into(),
            attached_on: d(2026, 4, 1),
            attached_by: "S001".into(),
        }
    }

    #[test]
    fn repair_steps_legal_and_illegal() {
        let cal = WorkCalendar::default();
        let lim = CreditLimits::default();
        let a = application();
        // Only a submitted application can be accepted or refused.
        assert!(a.review(d(2026, 4, 2), "M1", &cal, &lim).is_err());
        assert!(a.repair(d(2026, 4, 2), "M1").is_err());
        assert!(a.refuse_to_accept("  ", d(2026, 4, 2), "M1").is_err());
        let refused = a.refuse_to_accept("材料不全", d(2026, 4, 2), "M1").unwrap();
        assert_eq!(refused.status, RepairStatus::NotAccepted);
        assert_eq!(refused.reason(), Some("材料不全"));
        assert!(refused.accept(d(2026, 4, 2), "M1", &cal, &lim).is_err());
        // Thursday 2 April + 3 working days = Tuesday 7 April.
        let acc = a.accept(d(2026, 4, 2), "M1", &cal, &lim).unwrap();
        assert_eq!(acc.deadline, Some(d(2026, 4, 7)));
        assert!(acc.accept(d(2026, 4, 2), "M1", &cal, &lim).is_err());
        let rev = acc.review(d(2026, 4, 3), "M1", &cal, &lim).unwrap();
        assert_eq!(rev.status, RepairStatus::Reviewing);
        // The signed commitment is required.
        let e = rev.repair(d(2026, 4, 3), "M1").unwrap_err();
        assert!(e.0.contains("信用修复承诺书"), "{e}");
        let mut signed = rev.clone();
        signed.commitment.signed = Some(scan());
        // A 一般 record decided on 1 January may be repaired from 1 April.
        let done = signed.repair(d(2026, 4, 3), "M1").unwrap();
        assert_eq!(done.status, RepairStatus::Repaired);
        assert_eq!(done.repaired_on, Some(d(2026, 4, 3)));
        assert!(done.reject("x", d(2026, 4, 3), "M1").is_err());
        let rejected = signed.reject("证明材料不实", d(2026, 4, 3), "M1").unwrap();
        assert_eq!(rejected.status, RepairStatus::Rejected);
        assert!(signed.reject("", d(2026, 4, 3), "M1").is_err());
        // A business date before the application is refused.
        assert!(a.accept(d(2026, 3, 31), "M1", &cal, &lim).is_err());
    }

    #[test]
    fn repair_before_the_minimum_period_names_the_earliest_date() {
        let mut a = application();
        a.targets[0].periods = periods(RuleId::D1, d(2026, 3, 1), &GradeSettings::default());
        let e = early_targets(&a.targets, d(2026, 4, 1)).unwrap_err();
        assert!(e.0.contains("2026-06-01"), "{e}");
        assert!(e.0.contains("X-2"));
        assert!(early_targets(&a.targets, d(2026, 6, 1)).is_ok());
    }

    #[test]
    fn objection_steps_legal_and_illegal() {
        let cal = WorkCalendar::default();
        let lim = CreditLimits::default();
        let o = Objection {
            id: ObjectionId(2),
            subject_id: SubjectId(1),
            subject_name: "甲".into(),
            subject_code: "x".into(),
            target: application().targets[0].clone(),
            grounds: vec![ObjectionGround::Error],
            statement: "金额错误".into(),
            evidence: vec![],
            commitment_scan: scan(),
            status: ObjectionStatus::Submitted,
            opened_on: d(2026, 4, 1),
            opened_by: "S001".into(),
            hall: String::new(),
            deadline: None,
            correction: None,
            decided_on: None,
            steps: vec![],
        };
        assert!(o.status.is_open());
        assert!(o.verify(d(2026, 4, 2), "M", &cal, &lim).is_err());
        assert!(o.uphold("理由", d(2026, 4, 2), "M").is_err());
        let acc = o.accept(d(2026, 4, 2), "M", &cal, &lim).unwrap();
        let ver = acc.verify(d(2026, 4, 3), "M", &cal, &lim).unwrap();
        // Friday 3 April + 5 working days: 清明 is not in this empty calendar → Friday 10 April.
        assert_eq!(ver.deadline, Some(d(2026, 4, 10)));
        assert!(
            ver.correct(Correction::Withdrawn, "", d(2026, 4, 3), "M")
                .is_err()
        );
        let done = ver
            .correct(
                Correction::Withdrawn,
                "经核实系重复登记",
                d(2026, 4, 8),
                "M",
            )
            .unwrap();
        assert_eq!(done.withdrawn_on(), Some(d(2026, 4, 8)));
        assert!(!done.status.is_open());
        let kept = ver.uphold("经核实记录无误", d(2026, 4, 8), "M").unwrap();
        assert_eq!(kept.status, ObjectionStatus::Upheld);
        assert_eq!(kept.withdrawn_on(), None);
        let no = o
            .refuse_to_accept("非本局认定的信息", d(2026, 4, 2), "M")
            .unwrap();
        assert!(!no.status.is_open());
    }

    #[test]
    fn urgency_against_the_limit() {
        let cal = WorkCalendar::default();
        assert_eq!(
            Urgency::of(d(2026, 12, 10), d(2026, 12, 1), &cal, 1),
            Urgency::InTime
        );
        assert_eq!(
            Urgency::of(d(2026, 12, 2), d(2026, 12, 1), &cal, 1),
            Urgency::DueSoon
        );
        assert_eq!(
            Urgency::of(d(2026, 12, 1), d(2026, 12, 2), &cal, 1),
            Urgency::Overdue
        );
    }
}
