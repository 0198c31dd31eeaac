//! 信易电 cases at the counter (rules C-2, D-4, D-5): open a case from a commitment, enter the
//! connection date, attach the property proof, record a withdrawal; supervisors decide a broken
//! commitment or extend a deadline. Each action is authorised, audited and one transaction; a
//! refusal writes nothing. The 待办 queue, its counts, the dashboard figures and the export.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::act::{Act, AuditLine};
use super::files::{file_name, read_scan};
use super::{Desk, DeskError, Progress};
use crate::domain::case::{
    Case, CaseId, CaseRefusal, CaseStats, CaseStatus, Proof, QueueCounts, QueueQuery, QueueRow,
};
use crate::domain::commitment::{Commitment, CommitmentId, Fulfilment, sniff_scan};
use crate::domain::dishonesty::{CommitmentBreach, Withdrawal};
use crate::domain::id_codes::normalize;
use crate::domain::operator::Action;
use crate::domain::subject::SubjectId;
use crate::store::VerdictId;

impl From<CaseRefusal> for DeskError {
    fn from(e: CaseRefusal) -> Self {
        DeskError::CaseRefused(e.0)
    }
}

/// Halls and clerks to filter the queue by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilters {
    pub halls: Vec<String>,
    pub clerks: Vec<String>,
    /// Pilot parks (id, name).
    pub parks: Vec<(i64, String)>,
}

/// A temporary file beside `path` (same directory, so the final rename is atomic).
fn temp_beside(path: &Path) -> PathBuf {
    let mut name = path.file_name().map_or_else(
        || std::ffi::OsString::from("export"),
        std::ffi::OsStr::to_os_string,
    );
    name.push(format!(".{}.part", std::process::id()));
    path.with_file_name(name)
}

impl Desk {
    /// One case.
    pub fn case(&self, id: CaseId) -> Result<Case, DeskError> {
        self.store
            .read()
            .case(id)?
            .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的信易电案件")))
    }

    /// A subject's cases, newest first.
    pub fn cases_of(&self, subject: SubjectId) -> Result<Vec<Case>, DeskError> {
        Ok(self.store.read().cases_of(subject)?)
    }

    /// The subject's commitments an application may still be accepted on: not yet decided, and
    /// without a running case (the same rule `open_case` enforces).
    pub fn commitments_awaiting_case(
        &self,
        subject: SubjectId,
    ) -> Result<Vec<Commitment>, DeskError> {
        let cases = self.cases_of(subject)?;
        Ok(self
            .commitments_of(subject)?
            .into_iter()
            .filter(|c| c.fulfilment.is_none())
            .filter(|c| {
                !cases
                    .iter()
                    .any(|k| k.commitment_id == c.id && k.status != CaseStatus::Withdrawn)
            })
            .collect())
    }

    /// Open a 信易电 case (已受理) on a commitment: the application is accepted with the letter
    /// standing in for the property proof. `account_no` is the 用户编号 for a transfer or an
    /// existing account; without it the account of the check the letter was issued on is used,
    /// else the subject's address. One running case per commitment; a withdrawn case may be
    /// followed by a new one.
    pub fn open_case(
        &mut self,
        commitment: CommitmentId,
        account_no: Option<&str>,
    ) -> Result<Case, DeskError> {
        let act = self.begin(Action::ManageCase)?;
        let c = self.commitment(commitment)?;
        if let Some(f) = c.fulfilment {
            return Err(DeskError::CaseRefused(format!(
                "承诺 {} 的履行状态已认定为“{}”，不能再据此受理信易电业务：请重新出具承诺书",
                c.code,
                f.label()
            )));
        }
        let existing = self.store.read().cases_of_commitment(commitment)?;
        if let Some(x) = existing.iter().find(|x| x.status != CaseStatus::Withdrawn) {
            return Err(DeskError::CaseRefused(format!(
                "承诺 {} 已有信易电案件 {}（{}），不能重复受理",
                c.code,
                x.id,
                x.status.label()
            )));
        }
        let s = self.subject(c.subject_id)?;
        let verdict = self.store.read().commitment_verdict(commitment)?;
        let wanted = match account_no.map(normalize).filter(|a| !a.is_empty()) {
            Some(no) => Some(no),
            None => match verdict {
                Some(v) => self.verdict(VerdictId(v))?.verdict.account_no,
                None => None,
            },
        };
        let account = match wanted {
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
        let park = match &account {
            Some(a) => self.store.read().account_park(a.id)?,
            None => None,
        };
        let (me, today) = (&act.me, act.today);
        let mut case = Case {
            id: CaseId(0),
            subject_id: s.id,
            commitment_id: c.id,
            commitment_code: c.code.clone(),
            verdict_id: verdict,
            business: c.business,
            account_no: account
                .as_ref()
                .map(|a| a.account_no.clone())
                .unwrap_or_default(),
            usage_address: account
                .as_ref()
                .map_or_else(|| s.address.clone(), |a| a.usage_address.clone()),
            park_id: park.as_ref().map(|p| p.id.0),
            park: park.as_ref().map(|p| p.label()).unwrap_or_default(),
            applied_on: today,
            opened_by: me.staff_no.clone(),
            hall: me.hall.clone(),
            status: CaseStatus::Accepted,
            connected_on: None,
            deadline: None,
            extensions: Vec::new(),
            proof: None,
            decision: None,
            withdrawal: None,
        };
        self.commit(act, |w, a| {
            case.id = w.insert_case(&case, a.now)?;
            let detail = format!(
                "受理信易电业务：案件 {}，{}，承诺 {}{}",
                case.id,
                case.business.label(),
                case.commitment_code,
                if case.account_no.is_empty() {
                    String::new()
                } else {
                    format!("，用户编号 {}", case.account_no)
                }
            );
            Ok(((), AuditLine::new(Some(s.id.0), detail)))
        })?;
        Ok(case)
    }

    /// Save one step of a case: the case, its commitment when the step changes it, and the
    /// audit row, in one transaction.
    fn save_case_step(
        &mut self,
        act: Act,
        base: &Case,
        next: &Case,
        commitment: Option<&Commitment>,
        summary: String,
    ) -> Result<(), DeskError> {
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, .. }| {
            w.update_case(base, next, now)?;
            if let Some(c) = commitment {
                w.update_commitment(c, now)?;
            }
            // A breach (D-4) or a withdrawal (D-5) changes the subject's standing.
            refresh.subject(w, next.subject_id)?;
            Ok(((), AuditLine::new(Some(next.subject_id.0), summary)))
        })
    }

    /// Enter the connection date (接火送电): the proof is due one year later (rule C-2), and
    /// the commitment's 承诺有效期 becomes that day.
    pub fn connect_case(&mut self, id: CaseId, on: NaiveDate) -> Result<Case, DeskError> {
        let act = self.begin(Action::ManageCase)?;
        let base = self.case(id)?;
        let next = base.connect(on, act.today)?;
        let mut c = self.commitment(next.commitment_id)?;
        c.valid_until = next.deadline;
        self.save_case_step(
            act,
            &base,
            &next,
            Some(&c),
            format!(
                "信易电案件 {} 接电：{on}，补证期限 {}",
                next.id,
                next.deadline.map(|d| d.to_string()).unwrap_or_default()
            ),
        )?;
        Ok(next)
    }

    /// Attach the property-ownership proof (PDF, JPG or PNG by content, at most 20 MB): the
    /// case is 已补证 and the commitment 全部履行. The file goes to the evidence store in the
    /// same transaction; a refusal stores nothing.
    pub fn fulfil_case(&mut self, id: CaseId, path: &Path) -> Result<Case, DeskError> {
        let act = self.begin(Action::ManageCase)?;
        let case = self.case(id)?;
        let (me, today) = (act.me.clone(), act.today);
        // The state is checked before the file is read: an overdue case is refused either way.
        let probe = Proof {
            sha256: String::new(),
            file_name: file_name(path),
            media_type: String::new(),
            attached_on: today,
            attached_by: me.staff_no.clone(),
        };
        case.fulfil(probe, today)?;
        let bytes = read_scan(path, "物业权属证明文件")?;
        let kind = sniff_scan(&bytes).ok_or_else(|| {
            DeskError::FileRead(format!(
                "“{}”不是 PDF、JPG 或 PNG 文件（按文件内容判断）：请上传物业权属证明的扫描件或照片",
                file_name(path)
            ))
        })?;
        let mut c = self.commitment(case.commitment_id)?;
        let unit = self.accepting_unit()?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, .. }| {
            let blob = w.put_blob(&bytes, kind.media_type())?;
            let next = case.fulfil(
                Proof {
                    sha256: blob.sha256.clone(),
                    file_name: file_name(path),
                    media_type: kind.media_type().to_string(),
                    attached_on: today,
                    attached_by: me.staff_no.clone(),
                },
                today,
            )?;
            c.fulfilment = Some(Fulfilment::Full);
            c.fulfilment_decided_on = Some(today);
            c.deciding_unit = Some(unit.clone());
            w.update_case(&case, &next, now)?;
            w.update_commitment(&c, now)?;
            refresh.subject(w, next.subject_id)?;
            let detail = format!(
                "信易电案件 {} 补证：{}（{} 字节，SHA-256 {}），承诺 {} 全部履行",
                next.id,
                file_name(path),
                bytes.len(),
                &blob.sha256[..16],
                c.code
            );
            let line = AuditLine::new(Some(next.subject_id.0), detail);
            Ok((next, line))
        })
    }

    /// Record that the applicant withdrew before connection (rule D-5: no credit record).
    pub fn withdraw_case(&mut self, id: CaseId, reason: &str) -> Result<Case, DeskError> {
        let act = self.begin(Action::ManageCase)?;
        let (me, today) = (act.me.clone(), act.today);
        let base = self.case(id)?;
        let next = base.withdraw(reason, &me.staff_no, today)?;
        self.save_case_step(
            act,
            &base,
            &next,
            None,
            format!(
                "信易电案件 {} 接电前中止：{}（D-5，不作信用记录）",
                next.id,
                next.withdrawal
                    .as_ref()
                    .map(|w| w.reason.as_str())
                    .unwrap_or_default()
            ),
        )?;
        Ok(next)
    }

    /// A supervisor decides the commitment broken (rule D-4) after the deadline: the case is
    /// 违诺, the commitment 全部未履行 with 未履行的承诺内容, 违诺责任追究内容, 认定日期 and
    /// 认定单位 (the accepting unit); later trust checks fail rule D-4.
    pub fn decide_breach(
        &mut self,
        id: CaseId,
        unfulfilled: &str,
        liability_pursued: &str,
    ) -> Result<Case, DeskError> {
        let act = self.begin(Action::DecideCase)?;
        let (me, today) = (act.me.clone(), act.today);
        let unit = self.accepting_unit()?;
        let base = self.case(id)?;
        let next =
            base.decide_breach(unfulfilled, liability_pursued, &unit, &me.staff_no, today)?;
        let Some(decision) = next.decision.clone() else {
            return Err(DeskError::Internal("违诺认定未生成".into()));
        };
        let mut c = self.commitment(next.commitment_id)?;
        c.fulfilment = Some(Fulfilment::None);
        c.unfulfilled = Some(decision.unfulfilled.clone());
        c.liability_pursued = Some(decision.liability_pursued.clone());
        c.fulfilment_decided_on = Some(today);
        c.deciding_unit = Some(unit);
        self.save_case_step(
            act,
            &base,
            &next,
            Some(&c),
            format!(
                "认定信易电案件 {} 违诺（D-4）：承诺 {} 全部未履行；未履行内容：{}；责任追究：{}",
                next.id, c.code, decision.unfulfilled, decision.liability_pursued
            ),
        )?;
        Ok(next)
    }

    /// A supervisor extends a connected case's deadline to `until`, with a reason.
    pub fn extend_case(
        &mut self,
        id: CaseId,
        until: NaiveDate,
        reason: &str,
    ) -> Result<Case, DeskError> {
        let act = self.begin(Action::DecideCase)?;
        let (me, today) = (act.me.clone(), act.today);
        let base = self.case(id)?;
        let next = base.extend(until, reason, &me.staff_no, today)?;
        let mut c = self.commitment(next.commitment_id)?;
        c.valid_until = Some(until);
        let ext = next.extensions.last();
        self.save_case_step(
            act,
            &base,
            &next,
            Some(&c),
            format!(
                "信易电案件 {} 延期：{} → {until}；理由：{}",
                next.id,
                ext.map(|e| e.previous_deadline.to_string())
                    .unwrap_or_default(),
                ext.map(|e| e.reason.as_str()).unwrap_or_default()
            ),
        )?;
        Ok(next)
    }

    /// The 待办 queue, every row (read-only: clerks and supervisors alike; the CLI list). The
    /// window pages with [`Desk::case_queue_window`].
    pub fn case_queue(&self, q: &QueueQuery) -> Result<Vec<QueueRow>, DeskError> {
        Ok(self.store.read().case_queue(q)?)
    }

    /// How many cases the queue holds with its filters (an index-only count).
    pub fn case_queue_count(&self, q: &QueueQuery) -> Result<u64, DeskError> {
        Ok(self.store.read().case_queue_count(q)?)
    }

    /// Rows `offset .. offset + limit` of the queue in its sort order: only these are read, so
    /// a page costs the same whatever the tab holds (issue 8: 100,000 open cases).
    pub fn case_queue_window(
        &self,
        q: &QueueQuery,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<QueueRow>, DeskError> {
        Ok(self
            .store
            .read()
            .case_queue_window(q, offset, Some(limit))?)
    }

    /// Counts of the queue tabs as of today (the navigation label).
    pub fn case_counts(&self) -> Result<QueueCounts, DeskError> {
        Ok(self.store.read().case_counts(self.today())?)
    }

    /// What the queue can be filtered by.
    pub fn queue_filters(&self) -> Result<QueueFilters, DeskError> {
        let r = self.store.read();
        let (halls, clerks) = r.case_halls_and_clerks()?;
        let parks = r
            .parks()?
            .into_iter()
            .map(|p| (p.id.0, p.label()))
            .collect();
        Ok(QueueFilters {
            halls,
            clerks,
            parks,
        })
    }

    /// Cases per month by status, fulfilled vs broken (the dashboard).
    pub fn case_stats(&self) -> Result<CaseStats, DeskError> {
        Ok(self.store.read().case_stats()?)
    }

    /// Write a queue to an XLSX file (supervisors). Returns how many rows were written.
    pub fn export_cases(&mut self, q: &QueueQuery, path: &Path) -> Result<usize, DeskError> {
        self.export_cases_with(q, path, &Progress::new())
    }

    /// [`Desk::export_cases`] reporting progress (reading the rows, then writing them) and
    /// stopping when cancelled. The workbook is written to a temporary file beside `path` and
    /// renamed at the end, so a cancel or a failure leaves no half-written file (and an older
    /// file at `path` untouched).
    pub fn export_cases_with(
        &mut self,
        q: &QueueQuery,
        path: &Path,
        progress: &Progress,
    ) -> Result<usize, DeskError> {
        self.authorize(Action::ExportLists)?;
        let cancelled = || DeskError::Cancelled("导出已取消，未写入文件".into());
        let total = self.case_queue_count(q)?;
        // Reading is the first half of the bar, writing the second.
        let steps = total.saturating_mul(2).max(1);
        progress.set(0, steps).map_err(|_| cancelled())?;
        let mut rows = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        let complete = self.store.read().case_queue_each(q, 0, None, &mut |r| {
            rows.push(r);
            let done = rows.len() as u64;
            if done.is_multiple_of(1000) && progress.set(done.min(total), steps).is_err() {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        })?;
        if !complete {
            return Err(cancelled());
        }
        let n = rows.len() as u64;
        let tmp = temp_beside(path);
        let written = crate::documents::cases_xlsx::write_cases_with(&tmp, &rows, q.today, |i| {
            !i.is_multiple_of(1000) || progress.set(n + i as u64, steps).is_ok()
        });
        let finish = match written {
            Ok(true) => std::fs::rename(&tmp, path).map_err(|e| {
                DeskError::FileWrite(format!(
                    "无法写入文件 {}：{e}。请换一个位置或文件名，并确认文件未被 Excel 打开",
                    path.display()
                ))
            }),
            Ok(false) => Err(cancelled()),
            Err(e) => Err(DeskError::FileWrite(e.to_string())),
        };
        if let Err(e) = finish {
            // Nothing half-done: the temporary file goes (it may not exist yet).
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let _ = progress.set(steps, steps);
        let n = rows.len();
        // Authorised again (the same session) and timed now: the row says when the file was
        // written, after a long export.
        self.act(Action::ExportLists, |_, _| {
            let detail = format!(
                "导出信易电待办（{}）{n} 件：{}",
                q.tab.label(),
                path.display()
            );
            Ok(((), AuditLine::new(None, detail)))
        })?;
        Ok(n)
    }
}

/// A subject's withdrawals before connection, as D-5 exemptions for the trust check.
pub(super) fn withdrawals_for_check(
    r: &crate::store::Reader<'_>,
    subject: SubjectId,
) -> Result<Vec<CommitmentBreach>, DeskError> {
    Ok(r.cases_of(subject)?
        .into_iter()
        .filter_map(|c| {
            let w = c.withdrawal?;
            Some(CommitmentBreach {
                commitment_code: c.commitment_code,
                unfulfilled: format!("接火送电前主动中止：{}", w.reason),
                determined_on: w.withdrawn_on,
                withdrawal: Some(Withdrawal {
                    withdrawn_on: w.withdrawn_on,
                    connected_on: c.connected_on,
                    investment_wasted: false,
                }),
            })
        })
        .collect())
}
