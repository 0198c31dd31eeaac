//! Counter entry of power-supply records (rule S-2): add one record for a subject, correct one,
//! and the three facts rule D-1 turns on — a reminder (催告日期), the payment that settles the
//! arrears (结清日期) and a just cause (正当理由). Each action is one transaction with its audit row.
//!
//! Also the worker desk: a second connection for long work (imports) off the window's thread.

use std::fmt::Write as _;
use std::time::Instant;

use chrono::{NaiveDate, NaiveDateTime};

use super::act::{Act, AuditLine};
use super::records::RecordView;
use super::{Clock, Desk, DeskError};
use crate::domain::dishonesty::assess_record;
use crate::domain::operator::Action;
use crate::domain::record_draft::{
    RecordDraft, RecordField, validate_just_cause, validate_reminder, validate_settlement,
};
use crate::domain::records::{ArrearsRecord, Record, RecordKind};
use crate::domain::subject::{Subject, SubjectId};
use crate::domain::text::FieldError;
use crate::store::{RecordId, Store, Writer};

/// Where counter-entered records say they came from.
pub const COUNTER_SOURCE: &str = "counter";

/// "请修改以下栏目后再保存：【欠费金额】…" for [`DeskError::InvalidRecord`].
pub(super) fn describe(kind: &RecordKind, errors: &[FieldError<RecordField>]) -> String {
    let mut s = String::from("请修改以下栏目后再保存：");
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            s.push('；');
        }
        let _ = write!(s, "【{}】{}", e.field.label_for(*kind), e.message);
    }
    s
}

impl DeskError {
    /// The record-form fields the desk refused, when the action was refused for its input.
    pub fn record_field_errors(&self) -> &[FieldError<RecordField>] {
        match self {
            DeskError::InvalidRecord { errors, .. } => errors,
            _ => &[],
        }
    }
}

/// A clock that goes on from another desk's "now" at the computer's pace, so that a worker desk
/// agrees with the window's (possibly fixed) date.
struct ForkedClock {
    start: NaiveDateTime,
    at: Instant,
    business_date: Option<NaiveDate>,
}

impl Clock for ForkedClock {
    fn now(&self) -> NaiveDateTime {
        let elapsed = chrono::Duration::from_std(self.at.elapsed()).unwrap_or_default();
        self.start + elapsed
    }

    fn business_date(&self) -> Option<NaiveDate> {
        self.business_date
    }
}

fn subject_of(w: &Writer<'_>, id: SubjectId) -> Result<Subject, DeskError> {
    w.subject(id)?
        .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的主体")))
}

fn stored(w: &Writer<'_>, id: RecordId) -> Result<(Subject, Record), DeskError> {
    let (subject, r) = w
        .record(id)?
        .ok_or_else(|| DeskError::NotFound(format!("编号为 {} 的用电记录", id.0)))?;
    Ok((subject_of(w, subject)?, r.record))
}

fn arrears(record: Record, action: &str) -> Result<ArrearsRecord, DeskError> {
    match record {
        Record::Arrears(a) => Ok(a),
        other => Err(DeskError::RecordRefused(format!(
            "只有欠费记录可以{action}，这是一条{}",
            other.kind().label()
        ))),
    }
}

fn invalid(kind: RecordKind, e: FieldError<RecordField>) -> DeskError {
    DeskError::InvalidRecord {
        kind,
        errors: vec![e],
    }
}

impl Desk {
    /// A second desk on the same database file, signed in as the same operator, for long work on
    /// another thread (the window keeps its own desk). SQLite in WAL mode lets the window read
    /// while the worker writes; a write from the window waits for the worker's transaction (up to
    /// the busy timeout). An in-memory database (tests) has no second connection: `None`.
    pub fn worker_desk(&self) -> Result<Option<Desk>, DeskError> {
        let Some(path) = self.store.path() else {
            return Ok(None);
        };
        let store = Store::open(path)?;
        let clock = ForkedClock {
            start: self.now(),
            at: Instant::now(),
            business_date: self.business_date(),
        };
        let mut desk = Desk::new(store, Box::new(clock));
        desk.session = self.session.clone();
        Ok(Some(desk))
    }

    /// One record with its judgement as of today.
    pub fn record_view(&self, id: RecordId) -> Result<RecordView, DeskError> {
        let r = self.store.read();
        let (subject, s) = r
            .record(id)?
            .ok_or_else(|| DeskError::NotFound(format!("编号为 {} 的用电记录", id.0)))?;
        let params = self.dishonesty_params()?;
        let grades = super::credit::grades(&r)?;
        let marks = super::credit::credit_marks(&r, subject)?;
        let today = self.today();
        let (outcome, _, credit) = crate::domain::credit::judge(
            assess_record(&s.record, today, &params),
            today,
            &grades,
            &marks,
        );
        Ok(RecordView {
            id: s.id,
            platform_refusal: super::records::refusal_of(&r, s.id)?,
            outcome,
            credit,
            record: s.record,
            source: s.source,
        })
    }

    /// Add one record of any kind for `subject` (rule S-2). A record that is already stored (same
    /// natural key) is refused: correct it instead.
    pub fn enter_record(
        &mut self,
        subject: SubjectId,
        draft: &RecordDraft,
    ) -> Result<RecordId, DeskError> {
        let act = self.begin(Action::EnterRecord)?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, today, .. }| {
            let s = subject_of(w, subject)?;
            let record = draft
                .validate(&s, today)
                .map_err(|errors| DeskError::InvalidRecord {
                    kind: crate::domain::record_draft::kind_for(draft.kind, s.kind),
                    errors,
                })?;
            if let Some((_, owner)) = w.record_by_key(subject, &record)? {
                let whose = if owner == subject {
                    "该主体已有这条记录".to_string()
                } else {
                    "这条记录已登记在另一个主体名下".to_string()
                };
                return Err(DeskError::RecordRefused(format!(
                    "{whose}（{}）：不能重复录入，如需修改请在用电记录中选中它后点“更正”",
                    record.summary()
                )));
            }
            let id = w.insert_record(subject, &record, COUNTER_SOURCE, now)?;
            entry_done(w, &refresh, subject, format!("录入{}", record.summary()))
                .map(|line| (id, line))
        })
    }

    /// Correct a stored record. The kind stays; a change to a key field (dates, 用户编号, type, a
    /// payment's amount) moves the natural key, and a key that another record already holds is
    /// refused so that a later re-import cannot create a duplicate.
    pub fn correct_record(&mut self, id: RecordId, draft: &RecordDraft) -> Result<(), DeskError> {
        let act = self.begin(Action::EnterRecord)?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, today, .. }| {
            let (subject, before, after) = correct_in(w, id, draft, today, now)?;
            entry_done(w, &refresh, subject, format!("更正{before} → {after}"))
                .map(|line| ((), line))
        })
    }

    /// Record the reminder (催告日期) of an arrears record: rule D-1's six months run from it.
    pub fn record_reminder(&mut self, id: RecordId, reminded_on: &str) -> Result<(), DeskError> {
        let act = self.begin(Action::EnterRecord)?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, today, .. }| {
            let (s, r) = stored(w, id)?;
            let kind = r.kind();
            let mut a = arrears(r, "登记催告")?;
            let d = validate_reminder(&a, reminded_on, today).map_err(|e| invalid(kind, e))?;
            a.reminded_on = Some(d);
            let r = Record::Arrears(a);
            w.replace_record(id, &r, now)?;
            entry_done(
                w,
                &refresh,
                s.id,
                format!("登记催告日期 {d}：{}", r.summary()),
            )
            .map(|line| ((), line))
        })
    }

    /// Record the payment that settles an arrears record (结清日期). Paid within six months of the
    /// reminder, it never becomes a dishonesty record (rule D-1).
    pub fn settle_arrears(&mut self, id: RecordId, paid_off_on: &str) -> Result<(), DeskError> {
        let act = self.begin(Action::EnterRecord)?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, today, .. }| {
            let (s, r) = stored(w, id)?;
            let kind = r.kind();
            let mut a = arrears(r, "登记结清")?;
            let d = validate_settlement(&a, paid_off_on, today).map_err(|e| invalid(kind, e))?;
            a.paid_off_on = Some(d);
            let r = Record::Arrears(a);
            w.replace_record(id, &r, now)?;
            entry_done(
                w,
                &refresh,
                s.id,
                format!("登记结清日期 {d}：{}", r.summary()),
            )
            .map(|line| ((), line))
        })
    }

    /// Record a just cause (正当理由) for an arrears record, with its text: with one, the arrears
    /// never become a dishonesty record (rule D-1).
    pub fn record_just_cause(&mut self, id: RecordId, cause: &str) -> Result<(), DeskError> {
        let act = self.begin(Action::EnterRecord)?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, .. }| {
            let (s, r) = stored(w, id)?;
            let kind = r.kind();
            let mut a = arrears(r, "登记正当理由")?;
            let text = validate_just_cause(cause).map_err(|e| invalid(kind, e))?;
            let before = a.just_cause.replace(text.clone());
            let r = Record::Arrears(a);
            w.replace_record(id, &r, now)?;
            let was = before.map(|b| format!("（原为：{b}）")).unwrap_or_default();
            entry_done(
                w,
                &refresh,
                s.id,
                format!("登记正当理由“{text}”{was}：{}", r.summary()),
            )
            .map(|line| ((), line))
        })
    }
}

/// Correct a stored record inside the caller's transaction (the counter's 更正, or an upheld
/// objection, rule X-3): the kind stays, a key another record holds is refused. Returns the
/// subject and the record's summary before and after.
pub(super) fn correct_in(
    w: &Writer<'_>,
    id: RecordId,
    draft: &RecordDraft,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<(SubjectId, String, String), DeskError> {
    let (s, before) = stored(w, id)?;
    let kind = crate::domain::record_draft::kind_for(draft.kind, s.kind);
    if kind != before.kind() {
        return Err(DeskError::RecordRefused(format!(
            "更正不能改变记录类别（原为{}）：如类别录错，请另行录入正确的记录",
            before.kind().label()
        )));
    }
    let after = draft
        .validate(&s, today)
        .map_err(|errors| DeskError::InvalidRecord { kind, errors })?;
    if after == before {
        return Err(DeskError::RecordRefused(
            "内容没有改变，无需保存".to_string(),
        ));
    }
    if let Some((other, _)) = w.record_by_key(s.id, &after)?
        && other != id
    {
        return Err(DeskError::RecordRefused(format!(
            "更正后与另一条已登记的记录相同（{}）：请核对日期、用户编号和类型名称，或改为更正那一条记录",
            after.summary()
        )));
    }
    w.replace_record(id, &after, now)?;
    Ok((s.id, before.summary(), after.summary()))
}

/// The audit row of a record entry, after the subject's standing is refreshed (a record can
/// make or clear a dishonesty record, D-1..D-3).
fn entry_done(
    w: &Writer<'_>,
    refresh: &super::trust::Refresh,
    subject: SubjectId,
    summary: String,
) -> Result<AuditLine, DeskError> {
    refresh.subject(w, subject)?;
    Ok(AuditLine::new(Some(subject.0), summary))
}
