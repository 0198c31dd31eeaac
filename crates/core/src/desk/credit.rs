//! Credit repair and objections at the counter (rules X-1..X-3): a clerk registers a repair
//! application on a subject's dishonesty records (route, evidence, the printed 信用修复承诺书 with
//! its own 承诺编码) or an objection on any of its records (grounds, evidence, the sealed
//! 异议申诉信用承诺书); a supervisor takes each through 受理 → 审核/核实 → decision. Grades,
//! time limits and the working-day calendar are settings. Every step is authorised, audited and
//! one transaction; a refusal writes nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::act::AuditLine;
use super::files::{file_name, read_scan};
use super::{Desk, DeskError};
use crate::documents::calendar::{SHIPPED_CALENDAR, parse_calendar_csv, read_calendar};
use crate::documents::letter_pdf::{TextLetter, render_text_letter};
use crate::domain::calendar::{CalendarDay, WorkCalendar};
use crate::domain::commitment::{CommitmentId, sniff_scan};
use crate::domain::credit::{
    Correction, CreditLimits, CreditMarks, CreditRefusal, CreditRow, Dispute, EvidenceFile, Grade,
    GradeSettings, Objection, ObjectionGround, ObjectionId, ObjectionStatus, REPAIR_COMMITMENTS,
    REPAIR_LETTER_TITLE, RecordCredit, Relief, ReliefKind, RepairApplication, RepairCommitment,
    RepairId, RepairRoute, RepairStatus, Target, TargetRef, Urgency, early_targets, judge,
    repair_content, repair_preamble,
};
use crate::domain::dishonesty::{Outcome, RuleId, Source, assess_breach, assess_record};
use crate::domain::letter::CommitmentCode;
use crate::domain::operator::Action;
use crate::domain::record_draft::RecordDraft;
use crate::domain::subject::{SubjectId, SubjectKind};
use crate::store::{CreditFilter, Reader, RecordId, Writer};

/// Setting key of the grades (rule X-2), as JSON.
pub const GRADES_KEY: &str = "credit_grades";
/// Setting key of the time limits (rule X-3), as JSON.
pub const LIMITS_KEY: &str = "credit_limits";

/// The longest statement (整改情况, 异议事由) accepted.
const MAX_STATEMENT_CHARS: usize = 2000;
/// The most evidence files of one application.
const MAX_EVIDENCE_FILES: usize = 20;

impl From<CreditRefusal> for DeskError {
    fn from(e: CreditRefusal) -> Self {
        DeskError::Credit(e.0)
    }
}

/// A repair application as the clerk fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairRequest {
    pub subject: SubjectId,
    /// The dishonesty records to repair (one or several).
    pub targets: Vec<TargetRef>,
    pub route: RepairRoute,
    /// 整改情况 in the subject's words.
    pub statement: String,
    /// Evidence files with what each is (缴费凭证, 整改证明…).
    pub evidence: Vec<(PathBuf, String)>,
}

/// A registered application and its 信用修复承诺书 to print.
#[derive(Debug, Clone)]
pub struct OpenedRepair {
    pub application: RepairApplication,
    pub pdf: Vec<u8>,
}

/// A supervisor's step on a repair application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairStep {
    Accept,
    NotAccept { reason: String },
    Review,
    Repair,
    Reject { reason: String },
}

/// An objection as the clerk fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionRequest {
    pub subject: SubjectId,
    pub target: TargetRef,
    pub grounds: Vec<ObjectionGround>,
    pub statement: String,
    pub evidence: Vec<(PathBuf, String)>,
    /// The sealed 异议申诉信用承诺书 (required).
    pub commitment_scan: PathBuf,
}

/// A supervisor's step on an objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectionStep {
    Accept,
    NotAccept {
        reason: String,
    },
    Verify,
    /// 已更正 by withdrawing the record (撤销).
    Withdraw {
        reason: String,
    },
    /// 已更正 by correcting the record's fields (power-supply records only).
    Amend {
        draft: Box<RecordDraft>,
        reason: String,
    },
    /// 不予更正.
    Uphold {
        reason: String,
    },
}

/// A row of the 待办 tabs of repairs and objections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditQueueRow {
    #[serde(flatten)]
    pub row: CreditRow,
    pub urgency: Urgency,
}

/// One of a subject's records or broken commitments with its standing as to repair and
/// objection (what 申请信用修复 / 提出异议 may be applied to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditTarget {
    pub target: Target,
    pub credit: RecordCredit,
    /// Whether it is a dishonesty record that counts today (a repair may be applied for).
    pub repairable: bool,
}

/// What a calendar import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarImport {
    pub years: Vec<i32>,
    pub days: usize,
}

/// Evidence read and checked before the transaction: what it is, its bytes and media type.
struct ReadyFile {
    label: String,
    name: String,
    bytes: Vec<u8>,
    media_type: &'static str,
}

fn ready_file(path: &Path, label: &str) -> Result<ReadyFile, DeskError> {
    let what = if label.trim().is_empty() {
        "证明材料"
    } else {
        label.trim()
    };
    let bytes = read_scan(path, what)?;
    let kind = sniff_scan(&bytes).ok_or_else(|| {
        DeskError::FileRead(format!(
            "“{}”不是 PDF、JPG 或 PNG 文件（按文件内容判断）：{what}请上传扫描件或照片",
            file_name(path)
        ))
    })?;
    Ok(ReadyFile {
        label: what.chars().take(40).collect(),
        name: file_name(path),
        bytes,
        media_type: kind.media_type(),
    })
}

fn store_file(
    w: &Writer<'_>,
    f: &ReadyFile,
    today: NaiveDate,
    by: &str,
) -> Result<EvidenceFile, DeskError> {
    let blob = w.put_blob(&f.bytes, f.media_type)?;
    Ok(EvidenceFile {
        sha256: blob.sha256,
        file_name: f.name.clone(),
        media_type: f.media_type.to_string(),
        label: f.label.clone(),
        attached_on: today,
        attached_by: by.to_string(),
    })
}

fn statement(text: &str, what: &str) -> Result<String, DeskError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DeskError::Credit(format!("请填写{what}")));
    }
    if t.chars().count() > MAX_STATEMENT_CHARS {
        return Err(DeskError::Credit(format!(
            "{what}不能超过 {MAX_STATEMENT_CHARS} 字"
        )));
    }
    Ok(t.to_string())
}

/// The working-day calendar: the shipped years, each replaced by the admin's import when there
/// is one.
pub(super) fn calendar(r: &Reader<'_>) -> Result<WorkCalendar, DeskError> {
    let shipped = parse_calendar_csv(SHIPPED_CALENDAR)
        .map_err(|e| DeskError::Internal(format!("内置工作日历：{e}")))?;
    let imported = r.calendar_days()?;
    let imported_years: std::collections::BTreeSet<i32> = imported
        .iter()
        .map(|d| chrono::Datelike::year(&d.date))
        .collect();
    let days = shipped
        .into_iter()
        .filter(|d| !imported_years.contains(&chrono::Datelike::year(&d.date)))
        .chain(imported);
    Ok(WorkCalendar::new(days))
}

/// The grades in force (rule X-2).
pub(super) fn grades(r: &Reader<'_>) -> Result<GradeSettings, DeskError> {
    match r.setting(GRADES_KEY)? {
        None => Ok(GradeSettings::default()),
        Some(j) => serde_json::from_str(&j)
            .map_err(|e| DeskError::Internal(format!("失信信息等级设置无法读取（{e}）"))),
    }
}

fn limits(r: &Reader<'_>) -> Result<CreditLimits, DeskError> {
    match r.setting(LIMITS_KEY)? {
        None => Ok(CreditLimits::default()),
        Some(j) => serde_json::from_str(&j)
            .map_err(|e| DeskError::Internal(format!("办理时限设置无法读取（{e}）"))),
    }
}

/// What a target is to the rules: the source the assessment names it by.
fn source_of(r: &Reader<'_>, t: &TargetRef) -> Result<Option<Source>, DeskError> {
    Ok(match t {
        TargetRef::Record { id } => r.record(RecordId(*id))?.map(|(_, s)| Source::Record {
            kind: s.record.kind(),
            key: s.record.key(),
        }),
        TargetRef::Commitment { code, .. } => Some(Source::Commitment { code: code.clone() }),
    })
}

/// A subject's repairs (已修复), withdrawals and open objections as the checks see them.
pub(super) fn credit_marks(r: &Reader<'_>, subject: SubjectId) -> Result<CreditMarks, DeskError> {
    let mut marks = CreditMarks::default();
    let only = |statuses: &[&str]| CreditFilter {
        statuses: statuses.iter().map(|s| s.to_string()).collect(),
        subject: Some(subject),
        ..CreditFilter::default()
    };
    for a in r.repairs(&only(&["repaired"]))? {
        let Some(on) = a.repaired_on else { continue };
        for t in &a.targets {
            if let Some(source) = source_of(r, &t.target)? {
                marks.reliefs.push(Relief {
                    source,
                    from: on,
                    kind: ReliefKind::Repaired { application: a.id },
                });
            }
        }
    }
    let mut marking = ObjectionStatus::open_keys();
    marking.push(ObjectionStatus::Corrected.key());
    for o in r.objections(&only(&marking))? {
        let Some(source) = source_of(r, &o.target.target)? else {
            continue;
        };
        if o.status.is_open() {
            marks.disputes.push(Dispute {
                source,
                objection: o.id,
                opened_on: o.opened_on,
            });
        } else if let Some(on) = o.withdrawn_on() {
            marks.reliefs.push(Relief {
                source,
                from: on,
                kind: ReliefKind::Withdrawn { objection: o.id },
            });
        }
    }
    Ok(marks)
}

/// The power-supply records repaired or withdrawn on or before `today`: the platform export no
/// longer sends them, so the platform hears them withdrawn (rules, E-1).
pub(super) fn relieved_records(
    r: &Reader<'_>,
    today: NaiveDate,
) -> Result<std::collections::HashSet<i64>, DeskError> {
    let mut out = std::collections::HashSet::new();
    let only = |k: &str| CreditFilter {
        statuses: vec![k.to_string()],
        ..CreditFilter::default()
    };
    for a in r.repairs(&only("repaired"))? {
        if a.repaired_on.is_some_and(|d| d <= today) {
            out.extend(a.targets.iter().filter_map(|t| match t.target {
                TargetRef::Record { id } => Some(id),
                TargetRef::Commitment { .. } => None,
            }));
        }
    }
    for o in r.objections(&only("corrected"))? {
        if let (Some(d), TargetRef::Record { id }) = (o.withdrawn_on(), &o.target.target)
            && d <= today
        {
            out.insert(*id);
        }
    }
    Ok(out)
}

/// The 信用修复承诺书 of an application as the credit commitment record the platform receives in
/// 信用承诺信息 (rules C-3, E-1): 承诺类型 信用修复型, its own 承诺编码. Built for the batch
/// only; the letters' table never holds it.
pub(super) fn repair_commitment_record(
    r: &Reader<'_>,
    a: &RepairApplication,
    unit: &crate::domain::commitment::AcceptingUnit,
) -> Result<crate::domain::commitment::Commitment, DeskError> {
    use crate::domain::commitment::{Commitment, CommitmentType, Publicity};
    let s = r
        .subject(a.subject_id)?
        .ok_or_else(|| DeskError::NotFound(format!("修复申请 {} 的主体", a.id)))?;
    let list: Vec<String> = a.targets.iter().map(|t| t.summary.clone()).collect();
    Ok(Commitment {
        id: CommitmentId(a.id.0),
        subject_id: s.id,
        code: a.commitment.code.clone(),
        committer_name: a.subject_name.clone(),
        committer_kind: s.kind,
        committer_code: s.code.parts().1.to_string(),
        commitment_type: CommitmentType::CreditRepair,
        // Not a column of 信用承诺信息: the commitment is about no 信易电 business.
        business: crate::domain::trust::Business::NewConnection,
        reason: format!("申请信用修复：{}", list.join("；")),
        content: a.commitment.content.clone(),
        liability: "违反承诺的，撤销信用修复、重新公示失信信息，并记入违反信用承诺失信记录".into(),
        made_on: a.commitment.made_on,
        valid_until: None,
        fulfilment: None,
        unfulfilled: None,
        liability_pursued: None,
        fulfilment_decided_on: None,
        accepting_unit: unit.clone(),
        deciding_unit: None,
        publicity: Publicity::Public,
        letter: crate::domain::letter::LetterFields::default(),
        signed_file: a.commitment.signed.as_ref().map(|f| f.sha256.clone()),
        signed_on: a.commitment.signed.as_ref().map(|f| f.attached_on),
        issued_by: a.opened_by.clone(),
    })
}

/// Every subject's marks, for the nightly check of all subjects (few subjects have any).
pub(super) fn all_credit_marks(
    r: &Reader<'_>,
) -> Result<HashMap<SubjectId, CreditMarks>, DeskError> {
    let mut out = HashMap::new();
    for id in r.subjects_with_credit_marks()? {
        out.insert(id, credit_marks(r, id)?);
    }
    Ok(out)
}

/// Every record and broken commitment of a subject with its outcome today.
fn subject_targets(
    desk: &Desk,
    r: &Reader<'_>,
    subject: SubjectId,
) -> Result<Vec<CreditTarget>, DeskError> {
    let today = desk.today();
    let params = desk.dishonesty_params()?;
    let grades = grades(r)?;
    let marks = credit_marks(r, subject)?;
    let mut out = Vec::new();
    for s in r.records_of(subject)? {
        let outcome = assess_record(&s.record, today, &params);
        out.push(credit_target(
            TargetRef::Record { id: s.id.0 },
            s.record.summary(),
            outcome,
            today,
            &grades,
            &marks,
        ));
    }
    let (_, breaches) = super::trust::commitments_for_check(r, subject)?;
    for b in &breaches {
        let Some(c) = r.commitment_by_code(&b.commitment_code)? else {
            continue;
        };
        let outcome = assess_breach(b, today);
        out.push(credit_target(
            TargetRef::Commitment {
                id: c.id.0,
                code: c.code.clone(),
            },
            format!("承诺 {}：{}", c.code, b.unfulfilled),
            outcome,
            today,
            &grades,
            &marks,
        ));
    }
    Ok(out)
}

fn credit_target(
    target: TargetRef,
    summary: String,
    outcome: Outcome,
    today: NaiveDate,
    grades: &GradeSettings,
    marks: &CreditMarks,
) -> CreditTarget {
    let rule = match &outcome {
        Outcome::Dishonest(f) => Some(f.rule),
        Outcome::NotDishonest(_) => None,
    };
    let (judged, _, credit) = judge(outcome, today, grades, marks);
    CreditTarget {
        target: Target {
            target,
            rule,
            summary,
            periods: credit.periods,
        },
        repairable: matches!(judged, Outcome::Dishonest(_)),
        credit,
    }
}

fn row_of_repair(a: &RepairApplication) -> CreditRow {
    CreditRow {
        kind: "repair",
        id: a.id.0,
        subject_id: a.subject_id,
        subject_name: a.subject_name.clone(),
        subject_code: a.subject_code.clone(),
        status: a.status.key().into(),
        status_label: a.status.label().into(),
        opened_on: a.opened_on,
        opened_by: a.opened_by.clone(),
        hall: a.hall.clone(),
        deadline: a.deadline,
        targets: a
            .targets
            .iter()
            .map(|t| t.target.label())
            .collect::<Vec<_>>()
            .join("、"),
    }
}

fn row_of_objection(o: &Objection) -> CreditRow {
    CreditRow {
        kind: "objection",
        id: o.id.0,
        subject_id: o.subject_id,
        subject_name: o.subject_name.clone(),
        subject_code: o.subject_code.clone(),
        status: o.status.key().into(),
        status_label: o.status.label().into(),
        opened_on: o.opened_on,
        opened_by: o.opened_by.clone(),
        hall: o.hall.clone(),
        deadline: o.deadline,
        targets: o.target.target.label(),
    }
}

impl Desk {
    // -----------------------------------------------------------------------------------------
    // Settings and the calendar

    /// The grade of each dishonesty record kind (rule X-2).
    pub fn credit_grades(&self) -> Result<GradeSettings, DeskError> {
        grades(&self.store.read())
    }

    /// Change the grade of one record kind (admin; audited). Takes effect in every check from
    /// now on, in both directions (a longer maximum period brings an expired record back).
    pub fn set_credit_grade(&mut self, rule: RuleId, grade: Grade) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        let mut g = self.credit_grades()?;
        let Some(before) = g.of(rule) else {
            return Err(DeskError::Setting(format!(
                "{}（{}）不形成失信记录，没有等级",
                rule,
                rule.title()
            )));
        };
        g.set(rule, grade);
        let json =
            serde_json::to_string(&g).map_err(|e| DeskError::Internal(format!("等级设置：{e}")))?;
        self.commit(act, |w, _| {
            w.set_setting(GRADES_KEY, &json)?;
            let detail = format!(
                "失信信息等级：{}（{}）{} → {}（规则 X-2）",
                rule,
                rule.title(),
                before.label(),
                grade.label()
            );
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// The time limits of repairs and objections (working days).
    pub fn credit_limits(&self) -> Result<CreditLimits, DeskError> {
        limits(&self.store.read())
    }

    /// Change the time limits (admin; audited). Each must be 1..=60 working days; the warning
    /// 0..=10.
    pub fn set_credit_limits(&mut self, new: CreditLimits) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        for (what, v) in [
            ("受理时限", new.accept_days),
            ("核实时限", new.verify_days),
            ("决定时限", new.decide_days),
        ] {
            if !(1..=60).contains(&v) {
                return Err(DeskError::Setting(format!(
                    "{what}应为 1 到 60 个工作日，填写的是 {v}"
                )));
            }
        }
        if new.warn_days > 10 {
            return Err(DeskError::Setting(format!(
                "到期提醒应为 0 到 10 个工作日，填写的是 {}",
                new.warn_days
            )));
        }
        let before = self.credit_limits()?;
        let json = serde_json::to_string(&new)
            .map_err(|e| DeskError::Internal(format!("时限设置：{e}")))?;
        self.commit(act, |w, _| {
            w.set_setting(LIMITS_KEY, &json)?;
            let detail = format!(
                "信用修复与异议办理时限（工作日）：受理 {}→{}，核实 {}→{}，决定 {}→{}，提前提醒 {}→{}（规则 X-3）",
                before.accept_days,
                new.accept_days,
                before.verify_days,
                new.verify_days,
                before.decide_days,
                new.decide_days,
                before.warn_days,
                new.warn_days
            );
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// The working-day calendar in force.
    pub fn work_calendar(&self) -> Result<WorkCalendar, DeskError> {
        calendar(&self.store.read())
    }

    /// Import a calendar file (admin): the years it covers replace what was there (shipped or
    /// imported); all or nothing.
    pub fn import_calendar(&mut self, path: &Path) -> Result<CalendarImport, DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        let days: Vec<CalendarDay> =
            read_calendar(path).map_err(|e| DeskError::Import(e.to_string()))?;
        let mut years: Vec<i32> = days
            .iter()
            .map(|d| chrono::Datelike::year(&d.date))
            .collect();
        years.sort_unstable();
        years.dedup();
        let n = days.len();
        let name = file_name(path);
        self.commit(act, |w, _| {
            w.replace_calendar_years(&years, &days)?;
            let list: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            let detail = format!(
                "导入工作日历“{name}”：{} 年，共 {n} 天（放假与调休上班，规则 X-3）",
                list.join("、")
            );
            Ok(((), AuditLine::new(None, detail)))
        })?;
        Ok(CalendarImport { years, days: n })
    }

    // -----------------------------------------------------------------------------------------
    // What may be repaired or disputed

    /// Every record and broken commitment of a subject, with its grade, periods and standing as
    /// to repair and objection today.
    pub fn credit_targets(&self, subject: SubjectId) -> Result<Vec<CreditTarget>, DeskError> {
        let r = self.store.read();
        subject_targets(self, &r, subject)
    }

    fn target_for(
        &self,
        r: &Reader<'_>,
        subject: SubjectId,
        t: &TargetRef,
    ) -> Result<CreditTarget, DeskError> {
        // A target must be the subject's own: another subject's record is refused by name.
        let owner = match t {
            TargetRef::Record { id } => r
                .record(RecordId(*id))?
                .map(|(s, _)| s)
                .ok_or_else(|| DeskError::NotFound(format!("编号为 R{id} 的用电记录")))?,
            TargetRef::Commitment { id, .. } => {
                r.commitment(CommitmentId(*id))?
                    .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的承诺")))?
                    .subject_id
            }
        };
        if owner != subject {
            return Err(DeskError::Credit(format!(
                "{}不属于本主体，不能为本主体申请：请在该记录所属主体的页面办理",
                t.label()
            )));
        }
        subject_targets(self, r, subject)?
            .into_iter()
            .find(|x| x.target.target.parts() == t.parts())
            .ok_or_else(|| {
                DeskError::Credit(format!(
                    "{}不是本主体的失信记录（只有欠费、窃电、违约用电和违反信用承诺的失信记录可以申请修复）",
                    t.label()
                ))
            })
    }

    // -----------------------------------------------------------------------------------------
    // Repairs

    /// Register a repair application (clerk): each record must be one of the subject's
    /// dishonesty records that still counts, not in another open application, and past its
    /// minimum period (X-2, the earliest date named otherwise); at least one evidence file (PDF,
    /// JPG or PNG, at most 20 MB each). The 信用修复承诺书 gets its 承诺编码 from the letters'
    /// serial space and is returned as a PDF to print and sign.
    pub fn open_repair(&mut self, req: &RepairRequest) -> Result<OpenedRepair, DeskError> {
        let act = self.begin(Action::HandleCredit)?;
        if req.targets.is_empty() {
            return Err(DeskError::Credit(
                "请至少选择一条要修复的失信记录".to_string(),
            ));
        }
        let statement = statement(&req.statement, "整改情况说明")?;
        if req.evidence.is_empty() {
            return Err(DeskError::Credit(
                "请上传至少一份证明材料（缴费凭证、整改证明等，X-1）".to_string(),
            ));
        }
        if req.evidence.len() > MAX_EVIDENCE_FILES {
            return Err(DeskError::Credit(format!(
                "证明材料最多 {MAX_EVIDENCE_FILES} 份"
            )));
        }
        let s = self.subject(req.subject)?;
        let today = act.today;
        let mut targets = Vec::new();
        {
            let r = self.store.read();
            for t in &req.targets {
                let ct = self.target_for(&r, s.id, t)?;
                if ct.credit.repaired.is_some() {
                    return Err(DeskError::Credit(format!(
                        "{}已于 {} 修复，无需再次申请",
                        t.label(),
                        ct.credit
                            .repaired
                            .map(|(d, _)| d.to_string())
                            .unwrap_or_default()
                    )));
                }
                if !ct.repairable {
                    let why = if ct.credit.withdrawn.is_some() {
                        "已经异议更正撤销"
                    } else if ct.credit.expired.is_some() {
                        "已过最长公示期，不再计入"
                    } else {
                        "不是失信记录"
                    };
                    return Err(DeskError::Credit(format!(
                        "{}（{}）{why}，无需修复",
                        t.label(),
                        ct.target.summary
                    )));
                }
                for (kind, id) in r.credit_owners(t)? {
                    if kind == "repair"
                        && let Some(a) = r.repair(RepairId(id))?
                        && a.status.is_open()
                    {
                        return Err(DeskError::Credit(format!(
                            "{}已在修复申请 {}（{}）中，不能重复申请",
                            t.label(),
                            a.id,
                            a.status.label()
                        )));
                    }
                }
                if targets
                    .iter()
                    .any(|x: &Target| x.target.parts() == t.parts())
                {
                    continue;
                }
                targets.push(ct.target);
            }
        }
        early_targets(&targets, today)?;
        let files = req
            .evidence
            .iter()
            .map(|(p, label)| ready_file(p, label))
            .collect::<Result<Vec<_>, _>>()?;
        let unit = self.accepting_unit()?;
        let limits = self.credit_limits()?;
        let cal = self.work_calendar()?;
        let deadline = cal.add_working_days(today, limits.accept_days);
        let person = s.kind == SubjectKind::NaturalPerson;
        let code_label = if person {
            "证件号码"
        } else {
            "统一社会信用代码"
        };
        let route = req.route;
        let refresh = self.refresh()?;
        self.commit(act, |w, a| {
            let (code, serial) = super::letters::next_commitment_code(w, today)?;
            let letter = TextLetter {
                title: REPAIR_LETTER_TITLE.to_string(),
                fields: vec![
                    ("承诺人名称：".into(), s.name.clone()),
                    (format!("{code_label}："), s.code.full().to_string()),
                    ("修复方式：".into(), route.label().into()),
                ],
                preamble: repair_preamble(&unit.name, &targets),
                paragraphs: REPAIR_COMMITMENTS.iter().map(|c| c.to_string()).collect(),
                person,
            };
            let pdf = render_text_letter(&letter, &code)
                .map_err(|e| DeskError::LetterPdf(e.to_string()))?;
            let evidence = files
                .iter()
                .map(|f| store_file(w, f, today, &a.me.staff_no))
                .collect::<Result<Vec<_>, _>>()?;
            let mut app = RepairApplication {
                id: RepairId(0),
                subject_id: s.id,
                subject_name: s.name.clone(),
                subject_code: s.code.full().to_string(),
                targets: targets.clone(),
                route,
                statement: statement.clone(),
                evidence,
                commitment: RepairCommitment {
                    code: code.as_str().to_string(),
                    made_on: today,
                    content: repair_content(&unit.name, &targets),
                    signed: None,
                },
                status: RepairStatus::Submitted,
                opened_on: today,
                opened_by: a.me.staff_no.clone(),
                hall: a.me.hall.clone(),
                deadline,
                repaired_on: None,
                steps: vec![crate::domain::credit::Step {
                    status: RepairStatus::Submitted.label().into(),
                    on: today,
                    by: a.me.staff_no.clone(),
                    reason: None,
                    deadline,
                }],
            };
            app.id = w.insert_repair(&app, serial, a.now)?;
            refresh.subject(w, s.id)?;
            let list: Vec<String> = targets.iter().map(|t| t.target.label()).collect();
            let detail = format!(
                "登记信用修复申请 {}：{}，{}，证明材料 {} 份，信用修复承诺书 {}",
                app.id,
                list.join("、"),
                route.label(),
                app.evidence.len(),
                app.commitment.code
            );
            Ok((
                OpenedRepair {
                    application: app,
                    pdf,
                },
                AuditLine::new(Some(s.id.0), detail),
            ))
        })
    }

    /// One repair application.
    pub fn repair_application(&self, id: RepairId) -> Result<RepairApplication, DeskError> {
        self.store
            .read()
            .repair(id)?
            .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的信用修复申请")))
    }

    /// Repair applications, newest first.
    pub fn repair_applications(
        &self,
        filter: &CreditFilter,
    ) -> Result<Vec<RepairApplication>, DeskError> {
        Ok(self.store.read().repairs(filter)?)
    }

    /// The 信用修复承诺书 of an application as PDF, exactly as printed when it was registered.
    pub fn repair_letter_pdf(&self, id: RepairId) -> Result<Vec<u8>, DeskError> {
        let a = self.repair_application(id)?;
        let s = self.subject(a.subject_id)?;
        let person = s.kind == SubjectKind::NaturalPerson;
        let code = CommitmentCode::parse(&a.commitment.code)
            .map_err(|e| DeskError::Internal(format!("承诺编码 {}：{e}", a.commitment.code)))?;
        // The preamble as printed (the first line of the kept wording).
        let preamble = a.commitment.content.lines().next().unwrap_or_default();
        let letter = TextLetter {
            title: REPAIR_LETTER_TITLE.to_string(),
            fields: vec![
                ("承诺人名称：".into(), a.subject_name.clone()),
                (
                    if person {
                        "证件号码：".into()
                    } else {
                        "统一社会信用代码：".into()
                    },
                    a.subject_code.clone(),
                ),
                ("修复方式：".into(), a.route.label().into()),
            ],
            preamble: preamble.to_string(),
            paragraphs: REPAIR_COMMITMENTS.iter().map(|c| c.to_string()).collect(),
            person,
        };
        render_text_letter(&letter, &code).map_err(|e| DeskError::LetterPdf(e.to_string()))
    }

    /// Attach the signed and sealed 信用修复承诺书 (clerk), while the application is open.
    pub fn attach_repair_letter(
        &mut self,
        id: RepairId,
        path: &Path,
    ) -> Result<RepairApplication, DeskError> {
        let act = self.begin(Action::HandleCredit)?;
        let base = self.repair_application(id)?;
        if !base.status.is_open() {
            return Err(DeskError::Credit(format!(
                "修复申请 {id} 已{}，不能再上传承诺书",
                base.status.label()
            )));
        }
        let f = ready_file(path, "签字盖章的信用修复承诺书")?;
        self.commit(act, |w, a| {
            let mut next = base.clone();
            let file = store_file(w, &f, a.today, &a.me.staff_no)?;
            let detail = format!(
                "上传修复申请 {id} 的已签信用修复承诺书 {}：{}（SHA-256 {}）",
                base.commitment.code,
                file.file_name,
                &file.sha256[..16]
            );
            next.commitment.signed = Some(file);
            w.update_repair(&base, &next, a.now)?;
            Ok((next, AuditLine::new(Some(base.subject_id.0), detail)))
        })
    }

    /// Add an evidence file to an open application (clerk).
    pub fn add_repair_evidence(
        &mut self,
        id: RepairId,
        path: &Path,
        label: &str,
    ) -> Result<RepairApplication, DeskError> {
        let act = self.begin(Action::HandleCredit)?;
        let base = self.repair_application(id)?;
        if !base.status.is_open() {
            return Err(DeskError::Credit(format!(
                "修复申请 {id} 已{}，不能再补充材料",
                base.status.label()
            )));
        }
        if base.evidence.len() >= MAX_EVIDENCE_FILES {
            return Err(DeskError::Credit(format!(
                "证明材料最多 {MAX_EVIDENCE_FILES} 份"
            )));
        }
        let f = ready_file(path, label)?;
        self.commit(act, |w, a| {
            let mut next = base.clone();
            let file = store_file(w, &f, a.today, &a.me.staff_no)?;
            let detail = format!(
                "修复申请 {id} 补充证明材料“{}”：{}（SHA-256 {}）",
                file.label,
                file.file_name,
                &file.sha256[..16]
            );
            next.evidence.push(file);
            w.update_repair(&base, &next, a.now)?;
            Ok((next, AuditLine::new(Some(base.subject_id.0), detail)))
        })
    }

    /// A supervisor's step on a repair application. 已修复 takes the records out of every
    /// rule from today; the subject's standing is refreshed in the same transaction.
    pub fn decide_repair(
        &mut self,
        id: RepairId,
        step: &RepairStep,
    ) -> Result<RepairApplication, DeskError> {
        let act = self.begin(Action::DecideCredit)?;
        let base = self.repair_application(id)?;
        let today = act.today;
        let by = act.me.staff_no.clone();
        let limits = self.credit_limits()?;
        let cal = self.work_calendar()?;
        let next = match step {
            RepairStep::Accept => base.accept(today, &by, &cal, &limits)?,
            RepairStep::NotAccept { reason } => base.refuse_to_accept(reason, today, &by)?,
            RepairStep::Review => base.review(today, &by, &cal, &limits)?,
            RepairStep::Repair => {
                // The periods as they stand today (a grade may have changed since the
                // application was registered).
                let mut fresh = base.clone();
                {
                    let r = self.store.read();
                    let now_targets = subject_targets(self, &r, base.subject_id)?;
                    for t in &mut fresh.targets {
                        if let Some(x) = now_targets
                            .iter()
                            .find(|x| x.target.target.parts() == t.target.parts())
                            && x.target.periods.is_some()
                        {
                            t.periods = x.target.periods;
                        }
                    }
                }
                let mut n = fresh.repair(today, &by)?;
                n.targets = fresh.targets;
                n
            }
            RepairStep::Reject { reason } => base.reject(reason, today, &by)?,
        };
        let refresh = self.refresh()?;
        self.commit(act, |w, a| {
            w.update_repair(&base, &next, a.now)?;
            if next.status == RepairStatus::Repaired {
                refresh.subject(w, next.subject_id)?;
            }
            let reason = next
                .steps
                .last()
                .and_then(|s| s.reason.clone())
                .map(|r| format!("，理由：{r}"))
                .unwrap_or_default();
            let detail = format!(
                "信用修复申请 {id}：{} → {}{reason}{}",
                base.status.label(),
                next.status.label(),
                if next.status == RepairStatus::Repaired {
                    let list: Vec<String> = next.targets.iter().map(|t| t.target.label()).collect();
                    format!("，{} 自 {today} 起不再计入（X-2）", list.join("、"))
                } else {
                    String::new()
                }
            );
            Ok((
                next.clone(),
                AuditLine::new(Some(next.subject_id.0), detail),
            ))
        })
    }

    // -----------------------------------------------------------------------------------------
    // Objections

    /// Register an objection on one of the subject's records (clerk): grounds, the
    /// subject's statement, evidence and the sealed 异议申诉信用承诺书 (required). One open
    /// objection per record. The record shows 异议中 until the objection is decided; nothing
    /// else changes.
    pub fn open_objection(&mut self, req: &ObjectionRequest) -> Result<Objection, DeskError> {
        let act = self.begin(Action::HandleCredit)?;
        if req.grounds.is_empty() {
            return Err(DeskError::Credit(
                "请选择异议理由（错误、遗漏、重复、不应公示、超期公示、与认定机关不一致）".into(),
            ));
        }
        let statement = statement(&req.statement, "异议事由说明")?;
        if req.evidence.len() > MAX_EVIDENCE_FILES {
            return Err(DeskError::Credit(format!(
                "证明材料最多 {MAX_EVIDENCE_FILES} 份"
            )));
        }
        let s = self.subject(req.subject)?;
        let target = {
            let r = self.store.read();
            // Any record may be disputed, a payment record too: only ownership is required.
            let ct = self.target_for(&r, s.id, &req.target)?;
            for (kind, id) in r.credit_owners(&req.target)? {
                if kind == "objection"
                    && let Some(o) = r.objection(ObjectionId(id))?
                    && o.status.is_open()
                {
                    return Err(DeskError::Credit(format!(
                        "{}已有异议申诉 {}（{}），请在其中补充材料",
                        req.target.label(),
                        o.id,
                        o.status.label()
                    )));
                }
            }
            ct.target
        };
        let scan = ready_file(&req.commitment_scan, "盖章的异议申诉信用承诺书")?;
        let files = req
            .evidence
            .iter()
            .map(|(p, label)| ready_file(p, label))
            .collect::<Result<Vec<_>, _>>()?;
        let limits = self.credit_limits()?;
        let cal = self.work_calendar()?;
        let today = act.today;
        let deadline = cal.add_working_days(today, limits.accept_days);
        let grounds = req.grounds.clone();
        let refresh = self.refresh()?;
        self.commit(act, |w, a| {
            let by = a.me.staff_no.clone();
            let evidence = files
                .iter()
                .map(|f| store_file(w, f, today, &by))
                .collect::<Result<Vec<_>, _>>()?;
            let mut o = Objection {
                id: ObjectionId(0),
                subject_id: s.id,
                subject_name: s.name.clone(),
                subject_code: s.code.full().to_string(),
                target: target.clone(),
                grounds: grounds.clone(),
                statement: statement.clone(),
                evidence,
                commitment_scan: store_file(w, &scan, today, &by)?,
                status: ObjectionStatus::Submitted,
                opened_on: today,
                opened_by: by.clone(),
                hall: a.me.hall.clone(),
                deadline,
                correction: None,
                decided_on: None,
                steps: vec![crate::domain::credit::Step {
                    status: ObjectionStatus::Submitted.label().into(),
                    on: today,
                    by: by.clone(),
                    reason: None,
                    deadline,
                }],
            };
            o.id = w.insert_objection(&o, a.now)?;
            refresh.subject(w, s.id)?;
            let g: Vec<&str> = grounds.iter().map(|g| g.label()).collect();
            let detail = format!(
                "登记异议申诉 {}：{}（{}），理由：{}",
                o.id,
                target.target.label(),
                target.summary,
                g.join("、")
            );
            Ok((o, AuditLine::new(Some(s.id.0), detail)))
        })
    }

    /// One objection.
    pub fn objection(&self, id: ObjectionId) -> Result<Objection, DeskError> {
        self.store
            .read()
            .objection(id)?
            .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的异议申诉")))
    }

    /// Objections, newest first.
    pub fn objections(&self, filter: &CreditFilter) -> Result<Vec<Objection>, DeskError> {
        Ok(self.store.read().objections(filter)?)
    }

    /// A supervisor's step on an objection. 已更正 either withdraws the record (it stops
    /// counting from today) or corrects its fields; both are audited with before and after, and
    /// the change reaches the platform in the next batch (E-1).
    pub fn decide_objection(
        &mut self,
        id: ObjectionId,
        step: &ObjectionStep,
    ) -> Result<Objection, DeskError> {
        let act = self.begin(Action::DecideCredit)?;
        let base = self.objection(id)?;
        let today = act.today;
        let by = act.me.staff_no.clone();
        let limits = self.credit_limits()?;
        let cal = self.work_calendar()?;
        let mut amend: Option<&RecordDraft> = None;
        let next = match step {
            ObjectionStep::Accept => base.accept(today, &by, &cal, &limits)?,
            ObjectionStep::NotAccept { reason } => base.refuse_to_accept(reason, today, &by)?,
            ObjectionStep::Verify => base.verify(today, &by, &cal, &limits)?,
            ObjectionStep::Withdraw { reason } => {
                base.correct(Correction::Withdrawn, reason, today, &by)?
            }
            ObjectionStep::Amend { draft, reason } => {
                if !matches!(base.target.target, TargetRef::Record { .. }) {
                    return Err(DeskError::Credit(
                        "违诺认定不能在此更正字段：如认定有误，请选择“撤销该记录”".into(),
                    ));
                }
                amend = Some(draft);
                // The before/after summaries are filled in inside the transaction.
                base.correct(
                    Correction::Amended {
                        before: String::new(),
                        after: String::new(),
                    },
                    reason,
                    today,
                    &by,
                )?
            }
            ObjectionStep::Uphold { reason } => base.uphold(reason, today, &by)?,
        };
        let refresh = self.refresh()?;
        self.commit(act, |w, a| {
            let mut next = next.clone();
            let mut change = String::new();
            if let (Some(draft), TargetRef::Record { id: rid }) = (amend, &base.target.target) {
                let (_, before, after) =
                    super::record_entry::correct_in(w, RecordId(*rid), draft, today, a.now)?;
                change = format!("，记录更正：{before} → {after}");
                next.correction = Some(Correction::Amended { before, after });
            }
            if next.status == ObjectionStatus::Corrected
                && matches!(next.correction, Some(Correction::Withdrawn))
            {
                change = format!(
                    "，{}（{}）自 {today} 起撤销，不再计入（X-3）",
                    base.target.target.label(),
                    base.target.summary
                );
            }
            w.update_objection(&base, &next, a.now)?;
            // Opening and closing an objection changes how the record shows; a correction
            // changes the record itself.
            refresh.subject(w, next.subject_id)?;
            let reason = next
                .steps
                .last()
                .and_then(|s| s.reason.clone())
                .map(|r| format!("，理由：{r}"))
                .unwrap_or_default();
            let detail = format!(
                "异议申诉 {id}：{} → {}{reason}{change}",
                base.status.label(),
                next.status.label()
            );
            Ok((
                next.clone(),
                AuditLine::new(Some(next.subject_id.0), detail),
            ))
        })
    }

    // -----------------------------------------------------------------------------------------
    // The 待办 tabs

    /// Open repair applications and objections, each with where it stands against its limit,
    /// the most urgent first.
    pub fn credit_queue(&self) -> Result<(Vec<CreditQueueRow>, Vec<CreditQueueRow>), DeskError> {
        let today = self.today();
        let r = self.store.read();
        let cal = calendar(&r)?;
        let warn = limits(&r)?.warn_days;
        let urgency = |d: Option<NaiveDate>| match d {
            Some(d) => Urgency::of(d, today, &cal, warn),
            None => Urgency::InTime,
        };
        let open = |keys: &[&str]| CreditFilter {
            statuses: keys.iter().map(|s| s.to_string()).collect(),
            ..CreditFilter::default()
        };
        let mut repairs: Vec<CreditQueueRow> = r
            .repairs(&open(&RepairStatus::open_keys()))?
            .iter()
            .map(|a| CreditQueueRow {
                urgency: urgency(a.deadline),
                row: row_of_repair(a),
            })
            .collect();
        let mut objections: Vec<CreditQueueRow> = r
            .objections(&open(&ObjectionStatus::open_keys()))?
            .iter()
            .map(|o| CreditQueueRow {
                urgency: urgency(o.deadline),
                row: row_of_objection(o),
            })
            .collect();
        let key = |q: &CreditQueueRow| (q.row.deadline.unwrap_or(NaiveDate::MAX), q.row.id);
        repairs.sort_by_key(key);
        objections.sort_by_key(key);
        Ok((repairs, objections))
    }

    /// A list row of an application (for pages and the CLI).
    pub fn repair_row(a: &RepairApplication) -> CreditRow {
        row_of_repair(a)
    }

    /// A list row of an objection.
    pub fn objection_row(o: &Objection) -> CreditRow {
        row_of_objection(o)
    }

    /// Write an evidence file of a repair or objection to a temporary file for the viewer.
    pub fn credit_file_for_viewing(&self, f: &EvidenceFile) -> Result<PathBuf, DeskError> {
        let blob = self.store.read().get_blob(&f.sha256)?.ok_or_else(|| {
            DeskError::NotFound(format!("文件 {}", &f.sha256[..16.min(f.sha256.len())]))
        })?;
        let ext = match blob.media_type.as_str() {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            _ => "pdf",
        };
        let short = &f.sha256[..8.min(f.sha256.len())];
        let path = std::env::temp_dir().join(format!("证明材料-{short}.{ext}"));
        std::fs::write(&path, &blob.bytes).map_err(|e| {
            DeskError::FileWrite(format!(
                "无法写出临时文件 {}：{}",
                path.display(),
                crate::documents::io_reason(&e)
            ))
        })?;
        Ok(path)
    }
}
