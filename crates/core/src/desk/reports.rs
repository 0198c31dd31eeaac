//! Counter actions on the applicant's public credit report (rules T-3, T-4): import the PDF, keep
//! the original as evidence, check it against the subject at the counter and its age, complete it
//! by hand when the file cannot be read, and show it.
//!
//! Reading and parsing a file ([`PreparedReport::from_path`]) needs no desk, so the window runs it
//! on a worker thread and hands the result to [`Desk::import_prepared_report`].

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::act::{Act, AuditLine};
use super::{Desk, DeskError};
use crate::documents::credit_report::{
    MAX_FILE_BYTES, ParsedReport, ReportReadError, parse_report_text, read_report_pdf,
};
use crate::domain::id_codes::normalize;
use crate::domain::operator::Action;
use crate::domain::report::{
    AdverseEntry, AdverseKind, ChapterSeen, CreditReport, Freshness, ReportFact, freshness,
};
use crate::domain::subject::{Subject, SubjectId};
use crate::store::{HandEntrySummary, NewReport, ReportId, ReportStatus, ReportView, sha256_hex};

/// Setting key of rule T-3's maximum age, in calendar days.
pub const REPORT_MAX_AGE_KEY: &str = "report_max_age_days";
/// Rule T-3's default: at most 5 days old.
pub const REPORT_MAX_AGE_DEFAULT: u32 = 5;

/// How much of the extracted text a hand-entry form shows.
const PARTIAL_TEXT_CHARS: usize = 20_000;

/// The facts without which a report cannot be checked against the subject and rule T-3.
pub const ESSENTIAL_FACTS: [ReportFact; 3] = [
    ReportFact::GeneratedAt,
    ReportFact::SubjectName,
    ReportFact::SubjectCode,
];

/// Why a report was refused. Nothing is stored. `Display` is the Chinese message for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ReportRefusal {
    /// The report is about someone else.
    #[error(
        "报告主体与柜台办理的主体不一致：报告上的{field}是“{on_report}”，柜台主体的是“{at_counter}”。未保存：请核对申请人提供的是否为本主体的信用报告"
    )]
    SubjectMismatch {
        field: &'static str,
        on_report: String,
        at_counter: String,
    },
    /// Generated after today (rule T-3).
    #[error(
        "报告生成日期 {generated} 晚于今天 {today}，日期有误，未保存：请核对报告生成日期和本机日期（依据 T-3）"
    )]
    FutureDated {
        generated: NaiveDate,
        today: NaiveDate,
    },
    /// Unreadable in a way hand entry cannot fix: empty, too large, corrupt, hostile.
    #[error("{0}。未保存任何内容")]
    Unreadable(ReportReadError),
    /// The file itself could not be opened.
    #[error("无法读取文件“{path}”（{detail}）：请检查文件是否存在、是否有权限")]
    CannotOpen { path: String, detail: String },
    /// Hand entry still lacks facts the checks need.
    #[error("还缺少：{}。请对照报告原件填写后再保存", labels(.0))]
    MissingFacts(Vec<ReportFact>),
    /// A typed value was refused (the message names the fact).
    #[error("{0}")]
    HandFact(String),
}

fn labels(facts: &[ReportFact]) -> String {
    facts
        .iter()
        .map(|f| f.label())
        .collect::<Vec<_>>()
        .join("、")
}

/// A report file read and parsed, not yet stored. Built without a desk (a worker thread can).
#[derive(Debug, Clone)]
pub struct PreparedReport {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub media_type: &'static str,
    /// The parse, or why the file could not be read.
    pub read: Result<ReadReport, ReportReadError>,
}

/// What was read from a PDF with a text layer.
#[derive(Debug, Clone)]
pub struct ReadReport {
    pub parsed: ParsedReport,
    /// The extracted text (pages separated by a form feed).
    pub text: String,
}

/// The media type of an original, from its first bytes.
pub fn sniff_media_type(bytes: &[u8]) -> &'static str {
    let head = bytes.get(..1024).unwrap_or(bytes);
    if head.windows(5).any(|w| w == b"%PDF-") {
        "application/pdf"
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if head.starts_with(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        "image/tiff"
    } else {
        "application/octet-stream"
    }
}

fn extension_for(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/tiff" => "tif",
        _ => "bin",
    }
}

impl PreparedReport {
    /// Read `path` (at most [`MAX_FILE_BYTES`], checked before reading) and parse it.
    pub fn from_path(path: &Path) -> Result<Self, DeskError> {
        let shown = path.display().to_string();
        let cannot = |e: std::io::Error| {
            DeskError::ReportRefused(ReportRefusal::CannotOpen {
                path: shown.clone(),
                detail: crate::documents::io_reason(&e),
            })
        };
        let file = std::fs::File::open(path).map_err(cannot)?;
        let len = file.metadata().map_err(cannot)?.len();
        if len > MAX_FILE_BYTES as u64 {
            return Err(DeskError::ReportRefused(ReportRefusal::Unreadable(
                ReportReadError::TooLarge {
                    bytes: len,
                    limit: MAX_FILE_BYTES as u64,
                },
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        // One byte past the limit: a file that grew since `metadata` is still caught.
        file.take(MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().chars().take(200).collect())
            .unwrap_or_else(|| "信用报告".to_string());
        Ok(Self::from_bytes(file_name, bytes))
    }

    /// Parse bytes already in memory (a dropped file, a test).
    pub fn from_bytes(file_name: String, bytes: Vec<u8>) -> Self {
        let read = read_report_pdf(&bytes).map(|text| {
            let whole = text.text();
            let mut parsed = parse_report_text(&whole);
            for page in &text.unreadable_pages {
                parsed
                    .problems
                    .push(crate::documents::credit_report::ParseProblem {
                        fact: None,
                        message: format!("第 {page} 页的文字无法读取：请对照原件核对该页内容"),
                    });
            }
            ReadReport {
                parsed,
                text: whole,
            }
        });
        Self {
            file_name,
            sha256: sha256_hex(&bytes),
            media_type: sniff_media_type(&bytes),
            bytes,
            read,
        }
    }

    /// Whatever text could be read, for the hand-entry form.
    pub fn partial_text(&self) -> String {
        let text = match &self.read {
            Ok(r) => r.text.as_str(),
            Err(ReportReadError::NoTextLayer { partial_text, .. }) => partial_text.as_str(),
            Err(_) => "",
        };
        text.chars().take(PARTIAL_TEXT_CHARS).collect()
    }

    /// Whether the failure to read lets the clerk type the facts from the paper (not a PDF,
    /// encrypted, a scan), or refuses the file outright (empty, too large, corrupt, hostile).
    fn hand_entry_possible(e: &ReportReadError) -> bool {
        matches!(
            e,
            ReportReadError::NotPdf { .. }
                | ReportReadError::Encrypted
                | ReportReadError::NoTextLayer { .. }
        )
    }
}

/// The clerk must type facts from the paper report before it can be saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandEntryNeeded {
    /// Why (in Chinese, for the form's header).
    pub reason: String,
    /// Whatever text could be read.
    pub partial_text: String,
    /// What was read already, to complete.
    pub prefilled: CreditReport,
    /// The facts the clerk must still fill in.
    pub missing: Vec<ReportFact>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReportImport {
    /// Stored (fresh: 有效; stale: 已过期 with `advice`).
    Stored {
        view: Box<ReportView>,
        freshness: Freshness,
        /// For a stale report: download a fresh one.
        advice: Option<String>,
        /// What the parser could not find or found inconsistent.
        warnings: Vec<String>,
    },
    /// The same file was already imported for this subject: nothing new stored.
    AlreadyImported { view: Box<ReportView> },
    /// The file could not be read (fully): the clerk types the facts.
    NeedsHandEntry(Box<HandEntryNeeded>),
}

impl ReportImport {
    /// The message for the clerk.
    pub fn message(&self) -> String {
        match self {
            ReportImport::Stored {
                view,
                freshness,
                advice,
                ..
            } => {
                let head = format!(
                    "已保存信用报告（编号 {}，生成于 {}），状态：{}",
                    view.report.report_no.as_deref().unwrap_or("未读到"),
                    view.report
                        .generated_on()
                        .map_or_else(|| "未知".into(), |d| d.to_string()),
                    view.status_at_import.label()
                );
                match (advice, freshness) {
                    (Some(a), _) => format!("{head}。{a}"),
                    (None, Freshness::Fresh { age_days }) => {
                        format!("{head}（生成于 {age_days} 天前，符合时效要求）")
                    }
                    (None, _) => head,
                }
            }
            ReportImport::AlreadyImported { view } => format!(
                "该文件已于 {} 由 {} 导入过（报告记录 {}），未重复保存",
                view.imported_at.format("%Y-%m-%d %H:%M"),
                view.imported_by,
                view.id
            ),
            ReportImport::NeedsHandEntry(h) => format!("{}：请对照报告原件手工录入", h.reason),
        }
    }

    /// The stored or recognised report.
    pub fn view(&self) -> Option<&ReportView> {
        match self {
            ReportImport::Stored { view, .. } | ReportImport::AlreadyImported { view } => {
                Some(view)
            }
            ReportImport::NeedsHandEntry(_) => None,
        }
    }
}

/// An adverse entry typed from the paper report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandAdverse {
    pub kind: AdverseKind,
    pub date: Option<NaiveDate>,
    pub title: String,
}

/// What the clerk typed from the paper report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandFacts {
    /// Facts with the typed value; blank values are skipped, values equal to what was read are
    /// not recorded as typed.
    pub facts: Vec<(ReportFact, String)>,
    pub adverse: Vec<HandAdverse>,
    /// The clerk checked the rule T-4 chapters (二、四、五、八、九) on the paper: chapters the
    /// program could not read then count as read, with the typed entries.
    pub chapters_confirmed: bool,
}

/// Names compared as printed: spaces dropped, full-width letters and brackets folded. A `*` on the
/// report (a masked character of a personal name or number) matches any one character.
fn same_text(on_report: &str, at_counter: &str) -> bool {
    let a: Vec<char> = normalize(on_report).chars().collect();
    let b: Vec<char> = normalize(at_counter).chars().collect();
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || *x == '*')
}

fn check_subject(report: &CreditReport, subject: &Subject) -> Result<(), ReportRefusal> {
    if let Some(code) = &report.subject_code
        && !same_text(code, subject.code.full())
    {
        return Err(ReportRefusal::SubjectMismatch {
            field: subject.code.type_label(),
            on_report: code.clone(),
            at_counter: subject.code.full().to_string(),
        });
    }
    if let Some(name) = &report.subject_name
        && !same_text(name, &subject.name)
    {
        return Err(ReportRefusal::SubjectMismatch {
            field: "名称",
            on_report: name.clone(),
            at_counter: subject.name.clone(),
        });
    }
    Ok(())
}

fn missing_essentials(report: &CreditReport) -> Vec<ReportFact> {
    ESSENTIAL_FACTS
        .iter()
        .copied()
        .filter(|f| !report.has(*f))
        .collect()
}

fn stale_advice(age_days: u32, max_age: u32) -> String {
    format!(
        "该报告生成于 {age_days} 天前，超过 {max_age} 天，已保存但标记为“已过期”：请申请人重新从信用中国、信用广东或信用湛江下载最新的信用报告（依据 T-3）"
    )
}

/// Everything one store write needs.
struct Checked {
    report: CreditReport,
    status: ReportStatus,
    freshness: Freshness,
    advice: Option<String>,
}

impl Desk {
    /// Rule T-3's maximum age in calendar days (setting `report_max_age_days`, default 5).
    pub fn report_max_age_days(&self) -> Result<u32, DeskError> {
        Ok(self
            .store
            .read()
            .setting(REPORT_MAX_AGE_KEY)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(REPORT_MAX_AGE_DEFAULT))
    }

    /// Change rule T-3's maximum age (admin), 1 to 60 days.
    pub fn set_report_max_age_days(&mut self, days: u32) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        if !(1..=60).contains(&days) {
            return Err(DeskError::Setting(
                "信用报告有效天数应在 1 到 60 天之间".into(),
            ));
        }
        let before = self.report_max_age_days()?;
        self.commit(act, |w, _| {
            w.set_setting(REPORT_MAX_AGE_KEY, &days.to_string())?;
            let detail = format!("信用报告有效天数 {before} 天 → {days} 天（规则 T-3）");
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// Import the credit report PDF at `path` for `subject` (rules T-3, T-4). Refused, with
    /// nothing stored, when it names another subject or is dated after today; stored as 已过期
    /// when too old; [`ReportImport::NeedsHandEntry`] when it cannot be read (not a PDF,
    /// encrypted, a scan, or key facts not found).
    pub fn import_report(
        &mut self,
        subject: SubjectId,
        path: &Path,
    ) -> Result<ReportImport, DeskError> {
        self.authorize(Action::ImportReport)?;
        let prepared = PreparedReport::from_path(path)?;
        self.import_prepared_report(subject, &prepared)
    }

    /// As [`Desk::import_report`], for a file already read and parsed (off the UI thread).
    pub fn import_prepared_report(
        &mut self,
        subject: SubjectId,
        prepared: &PreparedReport,
    ) -> Result<ReportImport, DeskError> {
        let act = self.begin(Action::ImportReport)?;
        let subject = self.subject(subject)?;
        if let Some(view) = self
            .store
            .read()
            .report_by_hash(subject.id, &prepared.sha256)?
        {
            return Ok(ReportImport::AlreadyImported {
                view: Box::new(view),
            });
        }
        let read = match &prepared.read {
            Ok(r) => r,
            Err(e) if PreparedReport::hand_entry_possible(e) => {
                return Ok(ReportImport::NeedsHandEntry(Box::new(HandEntryNeeded {
                    reason: e.to_string(),
                    partial_text: prepared.partial_text(),
                    prefilled: CreditReport::empty(),
                    missing: ESSENTIAL_FACTS.to_vec(),
                })));
            }
            Err(e) => {
                return Err(DeskError::ReportRefused(ReportRefusal::Unreadable(
                    e.clone(),
                )));
            }
        };
        let report = read.parsed.report.clone();
        // A wrong subject is refused even when other facts are missing: no form to fill then.
        check_subject(&report, &subject).map_err(DeskError::ReportRefused)?;
        let missing = missing_essentials(&report);
        if !missing.is_empty() {
            return Ok(ReportImport::NeedsHandEntry(Box::new(HandEntryNeeded {
                reason: format!("未能从报告中读到：{}", labels(&missing)),
                partial_text: prepared.partial_text(),
                prefilled: report,
                missing,
            })));
        }
        let checked = self.check_dates(report, act.today)?;
        let warnings: Vec<String> = read
            .parsed
            .problems
            .iter()
            .map(|p| p.message.clone())
            .collect();
        let extracted = checked.report.found.clone();
        let id = self.store_report(
            act, &subject, prepared, &checked, &extracted, None, &warnings,
        )?;
        self.stored(id, checked, warnings)
    }

    /// Save a report whose facts the clerk typed from the paper (the file could not be read, or
    /// some facts were missing or wrong). The original is stored too, and each typed fact is
    /// recorded with the operator. The same checks as an import apply.
    pub fn save_hand_entered_report(
        &mut self,
        subject: SubjectId,
        path: &Path,
        facts: &HandFacts,
    ) -> Result<ReportImport, DeskError> {
        self.authorize(Action::ImportReport)?;
        let prepared = PreparedReport::from_path(path)?;
        self.save_hand_entered_prepared(subject, &prepared, facts)
    }

    /// As [`Desk::save_hand_entered_report`], for a file already read.
    pub fn save_hand_entered_prepared(
        &mut self,
        subject: SubjectId,
        prepared: &PreparedReport,
        facts: &HandFacts,
    ) -> Result<ReportImport, DeskError> {
        let act = self.begin(Action::ImportReport)?;
        let subject = self.subject(subject)?;
        if let Some(view) = self
            .store
            .read()
            .report_by_hash(subject.id, &prepared.sha256)?
        {
            return Ok(ReportImport::AlreadyImported {
                view: Box::new(view),
            });
        }
        let (mut report, problems, reason) = match &prepared.read {
            Ok(r) => (
                r.parsed.report.clone(),
                r.parsed
                    .problems
                    .iter()
                    .map(|p| p.message.clone())
                    .collect::<Vec<_>>(),
                "部分内容未能从报告中读到或有误".to_string(),
            ),
            Err(e) if PreparedReport::hand_entry_possible(e) => {
                (CreditReport::empty(), Vec::new(), e.to_string())
            }
            Err(e) => {
                return Err(DeskError::ReportRefused(ReportRefusal::Unreadable(
                    e.clone(),
                )));
            }
        };
        let extracted = report.found.clone();
        apply_hand_facts(&mut report, facts, &act.me.staff_no).map_err(DeskError::ReportRefused)?;
        let missing = missing_essentials(&report);
        if !missing.is_empty() {
            return Err(DeskError::ReportRefused(ReportRefusal::MissingFacts(
                missing,
            )));
        }
        check_subject(&report, &subject).map_err(DeskError::ReportRefused)?;
        let checked = self.check_dates(report, act.today)?;
        let hand = HandEntrySummary {
            staff_no: act.me.staff_no.clone(),
            operator_name: act.me.name.clone(),
            adverse_typed: u32::try_from(facts.adverse.len()).unwrap_or(u32::MAX),
            chapters_confirmed: facts.chapters_confirmed,
            reason,
        };
        let id = self.store_report(
            act,
            &subject,
            prepared,
            &checked,
            &extracted,
            Some(&hand),
            &problems,
        )?;
        self.stored(id, checked, problems)
    }

    /// 人工核对确认 (rule T-4): the clerk has checked the stored report's bad entries and its
    /// chapters 二、四、五、八、九 against the paper. Entries the reader missed are typed in
    /// `facts.adverse` (with their dates), corrected facts in `facts.facts`; the report then
    /// records who confirmed and when, its doubts no longer hold T-4 back, and T-4 is decided
    /// on the confirmed facts. Recorded in the audit trail.
    pub fn confirm_report_by_hand(
        &mut self,
        id: ReportId,
        facts: &HandFacts,
    ) -> Result<ReportView, DeskError> {
        let act = self.begin(Action::ImportReport)?;
        let me = &act.me;
        let view = self.report(id)?;
        let subject = self.subject(view.subject_id)?;
        let mut report = view.report.clone();
        let facts = HandFacts {
            chapters_confirmed: true,
            ..facts.clone()
        };
        apply_hand_facts(&mut report, &facts, &me.staff_no).map_err(DeskError::ReportRefused)?;
        check_subject(&report, &subject).map_err(DeskError::ReportRefused)?;
        report
            .confirm_by_hand(&me.staff_no, act.now)
            .map_err(|e| DeskError::ReportRefused(ReportRefusal::HandFact(e)))?;
        let typed = u32::try_from(facts.adverse.len()).unwrap_or(u32::MAX);
        let hand = HandEntrySummary {
            staff_no: me.staff_no.clone(),
            operator_name: me.name.clone(),
            adverse_typed: view
                .hand_entry
                .as_ref()
                .map_or(0, |h| h.adverse_typed)
                .saturating_add(typed),
            chapters_confirmed: true,
            reason: view.hand_entry.as_ref().map_or_else(
                || "人工核对确认".to_string(),
                |h| format!("{}；人工核对确认", h.reason),
            ),
        };
        let doubts = view.report.doubts.len();
        self.commit(act, |w, _| {
            w.confirm_report(id, &report, &hand)?;
            let detail = format!(
                "人工核对确认“{}”的信用报告（记录 {id}，编号 {}）：程序存疑 {doubts} 处，补录不良信息 {typed} 条，现共 {} 条不良信息（规则 T-4）",
                subject.name,
                report.report_no.as_deref().unwrap_or("未读到"),
                report.adverse.len()
            );
            Ok(((), AuditLine::new(Some(subject.id.0), detail)))
        })?;
        self.report(id)
    }

    /// Rule T-3 at import: refuse a future date, mark a stale report.
    fn check_dates(&self, report: CreditReport, today: NaiveDate) -> Result<Checked, DeskError> {
        let max_age = self.report_max_age_days()?;
        let generated =
            report
                .generated_on()
                .ok_or(DeskError::ReportRefused(ReportRefusal::MissingFacts(vec![
                    ReportFact::GeneratedAt,
                ])))?;
        let f = freshness(generated, today, max_age);
        let (status, advice) = match f {
            Freshness::FutureDated { .. } => {
                return Err(DeskError::ReportRefused(ReportRefusal::FutureDated {
                    generated,
                    today,
                }));
            }
            Freshness::Fresh { .. } => (ReportStatus::Valid, None),
            Freshness::Stale { age_days } => {
                (ReportStatus::Expired, Some(stale_advice(age_days, max_age)))
            }
        };
        Ok(Checked {
            report,
            status,
            freshness: f,
            advice,
        })
    }

    /// The original, the report row and the audit row, in one transaction.
    #[allow(clippy::too_many_arguments)]
    fn store_report(
        &mut self,
        act: Act,
        subject: &Subject,
        prepared: &PreparedReport,
        checked: &Checked,
        extracted: &[ReportFact],
        hand: Option<&HandEntrySummary>,
        problems: &[String],
    ) -> Result<ReportId, DeskError> {
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { ref me, now, .. }| {
            let blob = w.put_blob(&prepared.bytes, prepared.media_type)?;
            let id = w.insert_report(&NewReport {
                subject: subject.id,
                sha256: &blob.sha256,
                file_name: &prepared.file_name,
                report: &checked.report,
                extracted,
                hand_entry: hand,
                problems,
                status: checked.status,
                imported_by: &me.staff_no,
                imported_by_name: &me.name,
                imported_at: now,
            })?;
            // The report decides T-1(c) (the serious-dishonesty list).
            refresh.subject(w, subject.id)?;
            let r = &checked.report;
            let mut summary = format!(
                "导入“{}”的信用报告“{}”：编号 {}，生成于 {}，{} 条不良信息，状态 {}，SHA-256 {}",
                subject.name,
                prepared.file_name,
                r.report_no.as_deref().unwrap_or("未读到"),
                r.generated_on()
                    .map_or_else(|| "未知".into(), |d| d.to_string()),
                r.adverse.len(),
                checked.status.label(),
                blob.sha256
            );
            if let Some(h) = hand {
                let typed: Vec<&str> = r.hand_entered.iter().map(|x| x.fact.label()).collect();
                summary.push_str(&format!(
                    "；手工录入：{}，不良信息 {} 条{}",
                    if typed.is_empty() {
                        "无".to_string()
                    } else {
                        typed.join("、")
                    },
                    h.adverse_typed,
                    if h.chapters_confirmed {
                        "，已对照原件核对不良信息章节"
                    } else {
                        ""
                    }
                ));
            }
            Ok((id, AuditLine::new(Some(subject.id.0), summary)))
        })
    }

    fn stored(
        &self,
        id: ReportId,
        checked: Checked,
        warnings: Vec<String>,
    ) -> Result<ReportImport, DeskError> {
        let view = self.report(id)?;
        Ok(ReportImport::Stored {
            view: Box::new(view),
            freshness: checked.freshness,
            advice: checked.advice,
            warnings,
        })
    }

    /// Every report of a subject, the most recently generated first.
    pub fn reports_of(&self, subject: SubjectId) -> Result<Vec<ReportView>, DeskError> {
        Ok(self.store.read().reports_of(subject)?)
    }

    /// One report.
    pub fn report(&self, id: ReportId) -> Result<ReportView, DeskError> {
        self.store
            .read()
            .report(id)?
            .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的信用报告")))
    }

    /// The subject's most recently generated report (ties: the last imported), for the trust
    /// check (rules T-3, T-4). `None`: no report imported yet.
    pub fn latest_report(&self, subject: SubjectId) -> Result<Option<ReportView>, DeskError> {
        Ok(self.store.read().latest_report(subject)?)
    }

    /// Write the original of a report to a temporary file named by its hash (so the system viewer
    /// can open it) and return that path. The stored original itself is never touched.
    pub fn original_path_for_viewing(&self, id: ReportId) -> Result<PathBuf, DeskError> {
        let view = self.report(id)?;
        let blob = self
            .store
            .read()
            .get_blob(&view.sha256)?
            .ok_or_else(|| DeskError::NotFound(format!("信用报告 {id} 的原件")))?;
        let dir = std::env::temp_dir().join("xinyidian-originals");
        let io = |e: std::io::Error| {
            DeskError::Internal(format!(
                "无法把原件写入临时文件夹“{}”（{}）",
                dir.display(),
                crate::documents::io_reason(&e)
            ))
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let path = dir.join(format!(
            "{}.{}",
            blob.sha256,
            extension_for(&blob.media_type)
        ));
        // Rewrite unless an identical copy is already there (a viewer may hold it open).
        let same = std::fs::read(&path).is_ok_and(|b| sha256_hex(&b) == blob.sha256);
        if !same {
            std::fs::write(&path, &blob.bytes).map_err(io)?;
        }
        Ok(path)
    }
}

/// Put the typed facts and entries into `report`, each fact recorded with `staff_no`.
fn apply_hand_facts(
    report: &mut CreditReport,
    facts: &HandFacts,
    staff_no: &str,
) -> Result<(), ReportRefusal> {
    // In form order, so that the report kind is known before the code is checked against it.
    let mut typed: Vec<&(ReportFact, String)> = facts
        .facts
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    typed.sort_by_key(|(f, _)| ReportFact::ALL.iter().position(|x| x == f));
    for (fact, value) in typed {
        let unchanged = report
            .fact_text(*fact)
            .is_some_and(|current| normalize(&current) == normalize(value));
        if unchanged {
            continue;
        }
        report
            .set_fact_by_hand(*fact, value, staff_no)
            .map_err(ReportRefusal::HandFact)?;
    }
    let mut per_kind: std::collections::BTreeMap<AdverseKind, u32> = Default::default();
    for e in &report.adverse {
        *per_kind.entry(e.kind).or_default() += 1;
    }
    for a in &facts.adverse {
        let n = per_kind.entry(a.kind).or_default();
        *n += 1;
        report
            .adverse
            .push(AdverseEntry::by_hand(a.kind, *n, a.date, &a.title));
    }
    if facts.chapters_confirmed {
        for ch in report.unread_adverse_chapters() {
            let entries = report.adverse.iter().filter(|e| e.chapter == ch).count();
            report.chapters.push(ChapterSeen {
                chapter: ch,
                entries: u32::try_from(entries).unwrap_or(u32::MAX),
                marked_empty: entries == 0,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_as_printed_with_masks() {
        assert!(same_text(
            "湛江市（霞山）贸易有限公司",
            "湛江市(霞山)贸易有限公司"
        ));
        assert!(same_text(" 湛江 市霞山 ", "湛江市霞山"));
        assert!(same_text("4408**********123X", "44080219900101123X"));
        assert!(!same_text("4408**********123X", "44080219900101124X"));
        assert!(same_text("张*", "张三"));
        assert!(!same_text("张*", "张三丰"));
        assert!(!same_text("湛江市甲公司", "湛江市乙公司"));
    }

    #[test]
    fn media_types_are_sniffed() {
        assert_eq!(sniff_media_type(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(sniff_media_type(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(sniff_media_type(b"\xff\xd8\xff\xe0"), "image/jpeg");
        assert_eq!(sniff_media_type(b"<html>"), "application/octet-stream");
        assert_eq!(extension_for("image/png"), "png");
    }
}
