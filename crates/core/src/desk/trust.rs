//! The trust check at the counter and overnight (rules T-1..T-7): gather a subject's inputs, run
//! the rules, store the verdict with everything it used, and keep the 守信用电主体 list current.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::act::{Act, AuditLine};
use super::{Desk, DeskError, Progress};
use crate::domain::commitment::Fulfilment;
use crate::domain::dishonesty::CommitmentBreach;
use crate::domain::id_codes::normalize;
use crate::domain::operator::Action;
use crate::domain::park::hint_for_address;
use crate::domain::records::{Record, RecordKind};
use crate::domain::report::CreditReport;
use crate::domain::subject::{Subject, SubjectId};
use crate::domain::trust::{
    Business, BusinessRequest, CheckInput, CheckSettings, LetterState, ListStanding, ParkMatch,
    SubjectFacts, Verdict, check,
};
use crate::store::{
    CheckRow, NewVerdict, Reader, StoredVerdict, TrustStatus, TrustedRow, VerdictId, VerdictRow,
    Writer,
};

/// Setting: how old the platform's list snapshot may be for T-1(c), in days (rule E-2).
pub const LIST_MAX_AGE_KEY: &str = "list_max_age_days";

/// A verdict just decided and stored.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOutcome {
    pub id: VerdictId,
    pub verdict: Verdict,
}

/// What the overnight re-evaluation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckAllSummary {
    pub subjects: u64,
    pub trustworthy: u64,
    /// Subjects with a power-side or commitment dishonesty record in their window.
    pub with_dishonesty: u64,
    pub date: Option<NaiveDate>,
    /// Subjects whose stored standing this run changed (rule E-2: e.g. a new list snapshot),
    /// and the first of them: (subject, name, 守信用电主体 now).
    pub changed: u64,
    pub changed_list: Vec<(SubjectId, String, bool)>,
    /// The list snapshot T-1(c) was decided from (名单截至), if a current one was used.
    pub list_as_of: Option<NaiveDate>,
}

/// How many changed subjects a check-all summary names (the count has them all).
const MAX_LISTED_CHANGES: usize = 1000;

/// The credit report a check uses, with how it is identified in evidence and inputs.
struct ReportUsed {
    report: CreditReport,
    label: String,
    inputs: serde_json::Value,
}

fn report_used(v: crate::store::ReportView) -> ReportUsed {
    let label = match &v.report.report_no {
        Some(no) => format!("信用报告 {no}"),
        None => format!("信用报告（{}）", v.file_name),
    };
    ReportUsed {
        inputs: json!({
            "id": v.id,
            "sha256": v.sha256,
            "report_no": v.report.report_no,
            "generated_at": v.report.generated_at,
            "platform": v.report.platform.label(),
            "hand_entered": v.hand_entered,
            "imported_at": v.imported_at,
            "imported_by": v.imported_by,
        }),
        report: v.report,
        label,
    }
}

fn subject_facts(s: &Subject) -> SubjectFacts {
    SubjectFacts {
        name: s.name.clone(),
        code: s.code.parts().1.to_string(),
        founded_on: s.founded_on,
        supply_start: s.accounts.iter().filter_map(|a| a.supply_start).min(),
    }
}

/// The latest credit report of the subject, if any (rules T-1(c), T-3, T-4).
fn report_for_check(r: &Reader<'_>, subject: SubjectId) -> Result<Option<ReportUsed>, DeskError> {
    Ok(r.latest_report(subject)?.map(report_used))
}

/// The commitment letter's state (rule C-1) and decided commitment cases (rules D-4, D-5).
pub(super) fn commitments_for_check(
    r: &Reader<'_>,
    subject: SubjectId,
) -> Result<(LetterState, Vec<CommitmentBreach>), DeskError> {
    let all = r.commitments_of(subject)?;
    let broken =
        |c: &&crate::domain::commitment::Commitment| c.fulfilment == Some(Fulfilment::None);
    // A signed letter counts as given (T-1(a)) unless that commitment was broken; a letter
    // still running comes next; only when every letter was broken is the letter broken.
    let signed = all.iter().find(|c| c.is_signed() && !broken(c));
    let running = all.iter().find(|c| c.fulfilment.is_none());
    let letter = match (signed, running, all.iter().find(broken)) {
        (Some(c), _, _) => LetterState::Signed {
            code: c.code.clone(),
            signed_on: c.signed_on.unwrap_or(c.made_on),
        },
        (None, Some(c), _) => LetterState::Issued {
            code: c.code.clone(),
            issued_on: c.made_on,
        },
        (None, None, Some(c)) => LetterState::Broken {
            code: c.code.clone(),
            decided_on: c.fulfilment_decided_on.unwrap_or(c.made_on),
        },
        _ => LetterState::None,
    };
    let mut breaches: Vec<CommitmentBreach> = all
        .iter()
        .filter(broken)
        .filter_map(|c| {
            Some(CommitmentBreach {
                commitment_code: c.code.clone(),
                unfulfilled: c.unfulfilled.clone().unwrap_or_else(|| "未履行承诺".into()),
                determined_on: c.fulfilment_decided_on?,
                withdrawal: None,
            })
        })
        .collect();
    // Withdrawals before connection show as D-5 exemptions (no record).
    breaches.extend(super::cases::withdrawals_for_check(r, subject)?);
    Ok((letter, breaches))
}

/// What the trust check reads about one subject, all through one reader, so that inside a
/// write transaction it sees the transaction's own changes.
struct Gathered {
    subject: Subject,
    stored: Vec<crate::store::StoredRecord>,
    records: Vec<Record>,
    report: Option<ReportUsed>,
    letter: LetterState,
    breaches: Vec<CommitmentBreach>,
    /// Its repairs, withdrawals and open objections (rules ).
    credit: crate::domain::credit::CreditMarks,
    /// The platform's lists on the subject (rule E-2).
    lists: Option<crate::domain::trust::ListStanding>,
}

/// What the platform's lists say of a subject with `code` on `today` (rule E-2): from the newest
/// snapshot dated on or before `today`, when it is at most `max_age` days old.
pub(super) fn list_standing(
    r: &Reader<'_>,
    code: &str,
    today: NaiveDate,
    max_age: u32,
) -> Result<Option<ListStanding>, DeskError> {
    let Some(snap) = r.newest_list_snapshot(today)? else {
        return Ok(None);
    };
    Ok(Some(standing_in(
        r, snap.id, snap.as_of, code, today, max_age,
    )?))
}

fn standing_in(
    r: &Reader<'_>,
    snapshot: i64,
    as_of: NaiveDate,
    code: &str,
    today: NaiveDate,
    max_age: u32,
) -> Result<ListStanding, crate::store::StoreError> {
    if (today - as_of).num_days() > i64::from(max_age) {
        return Ok(ListStanding::Stale {
            as_of,
            max_age_days: max_age,
        });
    }
    Ok(ListStanding::Current {
        as_of,
        entries: r.list_hits(snapshot, code)?,
    })
}

fn gather(
    r: &Reader<'_>,
    subject: SubjectId,
    today: NaiveDate,
    settings: CheckSettings,
) -> Result<Gathered, DeskError> {
    let s = r
        .subject(subject)?
        .ok_or_else(|| DeskError::NotFound(format!("编号为 {subject} 的主体")))?;
    let stored = r.records_of(subject)?;
    let records = stored.iter().map(|r| r.record.clone()).collect();
    let (letter, breaches) = commitments_for_check(r, subject)?;
    let credit = super::credit::credit_marks(r, subject)?;
    let code = s.code.full().to_string();
    let s_code = code.as_str();
    Ok(Gathered {
        subject: s,
        stored,
        records,
        report: report_for_check(r, subject)?,
        letter,
        breaches,
        credit,
        lists: list_standing(r, s_code, today, settings.list_max_age_days)?,
    })
}

impl Gathered {
    fn input(&self, today: NaiveDate, settings: CheckSettings) -> CheckInput<'_> {
        CheckInput {
            today,
            subject: subject_facts(&self.subject),
            records: &self.records,
            breaches: &self.breaches,
            credit: &self.credit,
            report: self.report.as_ref().map(|r| (&r.report, r.label.clone())),
            letter: self.letter.clone(),
            business: None,
            settings,
            lists: self.lists.clone(),
        }
    }
}

/// Re-decide a subject's 守信用电主体 standing (rule T-1) inside the transaction of the action
/// that changed its inputs (a record, a breach, a withdrawal, a signed letter, a report), so
/// that the stored standing — badges, the 守信用电主体 list — never contradicts the records.
pub(super) fn refresh_standing(
    w: &Writer<'_>,
    subject: SubjectId,
    today: NaiveDate,
    settings: CheckSettings,
) -> Result<Verdict, DeskError> {
    let g = gather(w, subject, today, settings)?;
    let v = check(&g.input(today, settings));
    w.set_trust_status(subject, v.trustworthy, today, &v.headline, None)?;
    Ok(v)
}

/// The business date and settings a standing refresh decides with, read before the write
/// transaction starts (the closure cannot reach the desk).
#[derive(Debug, Clone, Copy)]
pub(super) struct Refresh {
    today: NaiveDate,
    settings: CheckSettings,
}

impl Refresh {
    /// Refresh one subject's stored standing inside `w` (see [`refresh_standing`]).
    pub(super) fn subject(&self, w: &Writer<'_>, subject: SubjectId) -> Result<(), DeskError> {
        refresh_standing(w, subject, self.today, self.settings).map(|_| ())
    }
}

/// A subject's standing as the current data decide it today (rule T-1), for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub trustworthy: bool,
    pub headline: String,
    /// Dishonesty records counting today (D-1..D-4), see [`Verdict::dishonesty_records`].
    pub dishonesty_records: usize,
    /// T-7 badges (empty unless trustworthy).
    pub incentives: Vec<String>,
    pub as_of: NaiveDate,
}

impl Desk {
    /// The subject's standing decided afresh from its current records, letters, cases and
    /// report as of the business date; nothing is stored (reads need no sign-in).
    pub fn standing(&self, subject: SubjectId) -> Result<Standing, DeskError> {
        let settings = self.check_settings()?;
        let today = self.today();
        let g = gather(&self.store.read(), subject, today, settings)?;
        let v = check(&g.input(today, settings));
        Ok(Standing {
            trustworthy: v.trustworthy,
            headline: v.headline,
            dishonesty_records: v.dishonesty_records,
            incentives: v.incentives,
            as_of: today,
        })
    }

    /// Grows with every committed action here or at another counter (see
    /// [`Reader::data_version`]); a page re-reads what it derives when this moves.
    pub fn data_version(&self) -> Result<i64, DeskError> {
        Ok(self.store.read().data_version()?)
    }

    /// What a write needs to refresh the standing of the subjects it changes.
    pub(super) fn refresh(&self) -> Result<Refresh, DeskError> {
        Ok(Refresh {
            today: self.today(),
            settings: self.check_settings()?,
        })
    }

    /// How old a list snapshot may be to decide T-1(c), in days (rule E-2).
    pub fn list_max_age_days(&self) -> Result<u32, DeskError> {
        Ok(self
            .store
            .read()
            .setting(LIST_MAX_AGE_KEY)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(crate::domain::trust::DEFAULT_LIST_MAX_AGE_DAYS))
    }

    /// Change [`Desk::list_max_age_days`] (admin), 1 to 366 days.
    pub fn set_list_max_age_days(&mut self, days: u32) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        if !(1..=366).contains(&days) {
            return Err(DeskError::Setting(
                "平台名单有效天数应在 1 到 366 天之间".into(),
            ));
        }
        let before = self.list_max_age_days()?;
        self.commit(act, |w, _| {
            w.set_setting(LIST_MAX_AGE_KEY, &days.to_string())?;
            let detail = format!("平台名单有效天数 {before} 天 → {days} 天（规则 E-2）");
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// The check settings in force (rules T-3 and D-1).
    pub fn check_settings(&self) -> Result<CheckSettings, DeskError> {
        Ok(CheckSettings {
            report_max_age_days: self.report_max_age_days()?,
            dishonesty: self.dishonesty_params()?,
            list_max_age_days: self.list_max_age_days()?,
            grades: self.credit_grades()?,
        })
    }

    /// Where the business takes place: the account's chosen park, else a hint from its address.
    fn park_match(
        &self,
        account: Option<&crate::domain::subject::Account>,
    ) -> Result<ParkMatch, DeskError> {
        let Some(a) = account else {
            return Ok(ParkMatch::Unknown);
        };
        let r = self.store.read();
        if let Some(p) = r.account_park(a.id)?
            && p.active
        {
            return Ok(ParkMatch::Chosen { park: p });
        }
        let parks = r.parks()?;
        Ok(match hint_for_address(&parks, &a.usage_address) {
            Some(p) => ParkMatch::Hinted { park: p.clone() },
            None => ParkMatch::Outside,
        })
    }

    /// Run the trust check for a subject and store the verdict with everything it used.
    /// `business` asks about 信易电 eligibility (rule T-6) at `account_no` (one of the
    /// subject's 用户编号; for a new connection without an account yet, leave it empty).
    pub fn run_check(
        &mut self,
        subject: SubjectId,
        business: Option<Business>,
        account_no: Option<&str>,
    ) -> Result<CheckOutcome, DeskError> {
        let act = self.begin(Action::RunCheck)?;
        let (me, today) = (act.me.clone(), act.today);
        let settings = self.check_settings()?;
        let g = gather(&self.store.read(), subject, today, settings)?;
        let s = &g.subject;
        let account = match account_no.map(normalize).filter(|a| !a.is_empty()) {
            Some(no) => Some(
                s.accounts
                    .iter()
                    .find(|a| a.account_no == no)
                    .cloned()
                    .ok_or_else(|| {
                        DeskError::NotFound(format!("“{}”名下用户编号为 {no} 的用电户", s.name))
                    })?,
            ),
            None => None,
        };
        let business_req = match business {
            Some(b) => Some(BusinessRequest {
                business: b,
                account_no: account.as_ref().map(|a| a.account_no.clone()),
                usage_address: account.as_ref().map(|a| a.usage_address.clone()),
                park: self.park_match(account.as_ref())?,
            }),
            None => None,
        };
        let settings = self.check_settings()?;
        let input = CheckInput {
            business: business_req.clone(),
            ..g.input(today, settings)
        };
        let verdict = check(&input);
        let (stored, report, letter, breaches) = (&g.stored, &g.report, &g.letter, &g.breaches);
        // What the verdict used, so that it can be shown as it was after data change.
        let inputs = json!({
            "date": today,
            "operator": me.staff_no,
            "settings": settings,
            "report": report.as_ref().map(|r| r.inputs.clone()),
            "records": stored.iter().filter(|r| !matches!(r.record.kind(), RecordKind::Payment | RecordKind::PersonPayment)).map(|r| json!({
                "id": r.id.0, "kind": r.record.kind().key(), "key": r.record.key().as_str(), "date": r.record.date(),
            })).collect::<Vec<_>>(),
            "payments": stored.iter().filter(|r| matches!(r.record.kind(), RecordKind::Payment | RecordKind::PersonPayment)).count(),
            "letter": letter,
            "breaches": breaches,
            "business": business_req,
        });
        let summary = format!(
            "信用核查：{}（{}）{}",
            s.name,
            verdict.headline,
            business
                .map(|b| format!("，业务 {}", b.label()))
                .unwrap_or_default()
        );
        let id = self.commit(act, |w, &Act { now, .. }| {
            let id = w.insert_verdict(&NewVerdict {
                subject,
                checked_at: now,
                operator: &me.staff_no,
                verdict: &verdict,
                inputs: &inputs,
            })?;
            Ok((id, AuditLine::new(Some(subject.0), summary)))
        })?;
        Ok(CheckOutcome { id, verdict })
    }

    /// A subject's check history, newest first.
    pub fn verdicts_of(
        &self,
        subject: SubjectId,
        limit: usize,
    ) -> Result<Vec<VerdictRow>, DeskError> {
        Ok(self.store.read().verdicts_of(subject, limit)?)
    }

    /// A past verdict exactly as it was decided.
    pub fn verdict(&self, id: VerdictId) -> Result<StoredVerdict, DeskError> {
        self.store
            .read()
            .verdict(id)?
            .ok_or_else(|| DeskError::NotFound(format!("编号为 {} 的核查记录", id.0)))
    }

    /// The subject's current 守信用电主体 status, if it was ever checked.
    pub fn trust_status(&self, subject: SubjectId) -> Result<Option<TrustStatus>, DeskError> {
        Ok(self.store.read().trust_status(subject)?)
    }

    /// Which of these subjects are 守信用电主体 (badges in search results, rule T-7).
    pub fn trusted_among(
        &self,
        ids: &[SubjectId],
    ) -> Result<std::collections::HashSet<SubjectId>, DeskError> {
        Ok(self.store.read().trusted_among(ids)?)
    }

    /// Every current 守信用电主体.
    pub fn trusted_subjects(&self) -> Result<Vec<TrustedRow>, DeskError> {
        Ok(self.store.read().trusted_subjects()?)
    }

    /// Re-evaluate every subject as of today (the nightly refresh of the 守信用电主体 list).
    /// One transaction: cancelled or failed, nothing changes.
    pub fn check_all(&mut self, progress: &Progress) -> Result<CheckAllSummary, DeskError> {
        let act = self.begin(Action::RunCheck)?;
        let today = act.today;
        let settings = self.check_settings()?;
        let total = self.store.read().count_subjects()?.max(0) as u64;
        let mut report = CheckAllSummary {
            date: Some(today),
            ..CheckAllSummary::default()
        };
        // Subjects with a report, letter or commitment case are few: looked up first, so that
        // everything else streams.
        let mut commitments = std::collections::HashMap::new();
        let mut reports = std::collections::HashMap::new();
        let marks;
        {
            let r = self.store.read();
            marks = super::credit::all_credit_marks(&r)?;
            for id in r.subjects_with_commitments()? {
                commitments.insert(id, commitments_for_check(&r, id)?);
            }
            for id in r.subjects_with_reports()? {
                if let Some(rep) = report_for_check(&r, id)? {
                    reports.insert(id, rep);
                }
            }
        }
        let none = (LetterState::None, Vec::new());
        let snapshot = self.store.read().newest_list_snapshot(today)?;
        if let Some(s) = &snapshot
            && (today - s.as_of).num_days() <= i64::from(settings.list_max_age_days)
        {
            report.list_as_of = Some(s.as_of);
        }
        let mut cancelled = false;
        let result = self.commit(act, |w, _| {
            w.for_each_check_row(|row: CheckRow| {
                let lists = match &snapshot {
                    Some(s) => Some(standing_in(
                        w,
                        s.id,
                        s.as_of,
                        row.code.as_str(),
                        today,
                        settings.list_max_age_days,
                    )?),
                    None => None,
                };
                let name = row.name.clone();
                let facts = SubjectFacts {
                    name: row.name,
                    code: row.code,
                    founded_on: row.founded_on,
                    supply_start: row.supply_start,
                };
                let (letter, breaches) = commitments.get(&row.subject_id).unwrap_or(&none);
                let input = CheckInput {
                    today,
                    subject: facts,
                    records: &row.records,
                    breaches,
                    credit: marks
                        .get(&row.subject_id)
                        .unwrap_or(&crate::domain::credit::NO_MARKS),
                    report: reports
                        .get(&row.subject_id)
                        .map(|r| (&r.report, r.label.clone())),
                    letter: letter.clone(),
                    business: None,
                    settings,
                    lists,
                };
                let v = check(&input);
                if w.trust_flag(row.subject_id)? != Some(v.trustworthy) {
                    report.changed += 1;
                    if report.changed_list.len() < MAX_LISTED_CHANGES {
                        report
                            .changed_list
                            .push((row.subject_id, name, v.trustworthy));
                    }
                }
                report.subjects += 1;
                if v.trustworthy {
                    report.trustworthy += 1;
                }
                if v.dishonesty_records > 0 {
                    report.with_dishonesty += 1;
                }
                w.set_trust_status(row.subject_id, v.trustworthy, today, &v.headline, None)?;
                if report.subjects.is_multiple_of(1024)
                    && progress.set(report.subjects, total).is_err()
                {
                    cancelled = true;
                    return Ok(false);
                }
                Ok(true)
            })?;
            if cancelled {
                return Err(DeskError::Cancelled("全部重新核查未保存".into()));
            }
            let detail = format!(
                "全部主体重新核查（{today}）：{} 个主体，守信用电主体 {} 个",
                report.subjects, report.trustworthy
            );
            Ok(((), AuditLine::new(None, detail)))
        });
        result?;
        let _ = progress.set(report.subjects, total);
        Ok(report)
    }

    /// Write the 守信用电主体 list to an XLSX file (rule T-7: priority for energy-saving and PV
    /// projects). Returns how many subjects were written.
    pub fn export_trusted(&mut self, path: &Path) -> Result<usize, DeskError> {
        self.authorize(Action::ExportLists)?;
        let rows = self.trusted_subjects()?;
        crate::documents::trusted_xlsx::write_trusted(path, &rows)
            .map_err(|e| DeskError::FileWrite(e.to_string()))?;
        let n = rows.len();
        // Authorised again (the same session) and timed now: the row says when the file was
        // written.
        self.act(Action::ExportLists, |_, _| {
            let detail = format!("导出守信用电主体名单 {n} 个：{}", path.display());
            Ok(((), AuditLine::new(None, detail)))
        })?;
        Ok(n)
    }
}
