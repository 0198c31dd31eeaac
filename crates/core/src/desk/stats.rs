//! The publicity figures of task 六 (issue 20, point 3): gathered for a period and a hall, and
//! written as a one-page PDF summary and an XLSX (supervisor). Typical cases are the ones the
//! supervisor names, with the subject masked.

use std::path::Path;

use chrono::NaiveDate;

use super::act::AuditLine;
use super::{Desk, DeskError};
use crate::documents::stats::{StatsFileError, render_summary, write_xlsx};
use crate::domain::case::CaseId;
use crate::domain::dishonesty::{Outcome, assess_record};
use crate::domain::operator::Action;
use crate::domain::stats::{
    Figures, StatsPeriod, TypicalCase, count_cases, count_credit, typical_case,
};
use crate::store::CreditFilter;

/// Records read per slice when counting arrears (memory stays bounded).
const SLICE: i64 = 20_000;

impl From<StatsFileError> for DeskError {
    fn from(e: StatsFileError) -> Self {
        DeskError::FileWrite(e.to_string())
    }
}

/// What `stats` produced.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatsReport {
    pub period: StatsPeriod,
    pub figures: Figures,
    pub typical: Vec<TypicalCase>,
}

impl Desk {
    /// The figures of a period (`from` ..= `to`) and hall (supervisor). Records and standings are
    /// the city's whatever the hall (they belong to no hall); cases, commitments, repairs and
    /// objections count for the hall that accepted them.
    pub fn publicity_figures(
        &self,
        period: &StatsPeriod,
        typical_ids: &[CaseId],
    ) -> Result<StatsReport, DeskError> {
        self.authorize(Action::ExportLists)?;
        if period.from > period.to {
            return Err(DeskError::InvalidDate {
                field: "统计期间",
                reason: format!("开始日期 {} 晚于结束日期 {}", period.from, period.to),
            });
        }
        let r = self.store.read();
        let mut f = Figures::default();
        let halls: std::collections::HashMap<String, String> = r
            .operators()?
            .into_iter()
            .map(|o| (o.staff_no, o.hall))
            .collect();
        for c in r.commitments_made_between(period.from, period.to)? {
            let hall = halls.get(&c.issued_by).map(String::as_str).unwrap_or("");
            if period.hall.as_deref().is_some_and(|h| h != hall) {
                continue;
            }
            f.commitments_issued += 1;
            if c.signed_file.is_some() {
                f.commitments_signed += 1;
            }
        }
        let cases = r.cases_for_period(period.from, period.to)?;
        count_cases(&mut f, &cases, period);
        let all = CreditFilter::default();
        count_credit(&mut f, &r.repairs(&all)?, &r.objections(&all)?, period);
        let (now, yes, no) = r.trust_counts(period.from, period.to)?;
        f.trusted_now = now;
        f.trusted_decided = yes;
        f.untrusted_decided = no;
        f.dishonesty[1] = r.count_records_dated("theft", period.from, period.to)?;
        f.dishonesty[2] = r.count_records_dated("violation_usage", period.from, period.to)?;
        // Arrears become dishonesty records six months after a reminder (D-1): judged as of
        // the period's end, counted by the day they became one.
        let params = self.dishonesty_params()?;
        let mut after = 0;
        loop {
            let slice = r.records_after(&["arrears", "person_arrears"], after, SLICE)?;
            for (_, s) in &slice {
                if let Outcome::Dishonest(x) = assess_record(&s.record, period.to, &params)
                    && period.contains(x.since)
                {
                    f.dishonesty[0] += 1;
                }
            }
            match slice.last() {
                Some((_, s)) if slice.len() as i64 == SLICE => after = s.id.0,
                _ => break,
            }
        }
        let mut typical = Vec::new();
        for id in typical_ids {
            let c = r
                .case(*id)?
                .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的信易电案件")))?;
            let s = r
                .subject(c.subject_id)?
                .ok_or_else(|| DeskError::NotFound(format!("案件 {id} 的主体")))?;
            typical.push(typical_case(&c, &s.name, s.kind));
        }
        Ok(StatsReport {
            period: period.clone(),
            figures: f,
            typical,
        })
    }

    /// Write the figures (supervisor): `out` ending in `.pdf` gets the one-page summary, in
    /// `.xlsx` the tables; recorded in the audit trail.
    pub fn export_publicity(
        &mut self,
        period: &StatsPeriod,
        typical_ids: &[CaseId],
        out: &Path,
    ) -> Result<StatsReport, DeskError> {
        let act = self.begin(Action::ExportLists)?;
        let report = self.publicity_figures(period, typical_ids)?;
        let ext = out
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let tmp = out.with_extension(format!("{ext}.part"));
        match ext.as_str() {
            "pdf" => {
                let pdf = render_summary(&report.figures, period, &report.typical, act.today)?;
                std::fs::write(&tmp, pdf).map_err(|e| {
                    DeskError::FileWrite(format!(
                        "无法写入“{}”：{}",
                        out.display(),
                        crate::documents::io_reason(&e)
                    ))
                })?;
            }
            "xlsx" => write_xlsx(&tmp, &report.figures, period, &report.typical)?,
            _ => {
                return Err(DeskError::FileWrite(format!(
                    "输出文件“{}”应以 .pdf 或 .xlsx 结尾",
                    out.display()
                )));
            }
        }
        std::fs::rename(&tmp, out).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            DeskError::FileWrite(format!(
                "无法保存“{}”：{}",
                out.display(),
                crate::documents::io_reason(&e)
            ))
        })?;
        let detail = format!(
            "导出诚信宣传数据（{}）到 {}，典型案例 {} 件",
            period.label(),
            out.display(),
            report.typical.len()
        );
        self.commit(act, |_, _| Ok(((), AuditLine::new(None, detail))))?;
        Ok(report)
    }
}

/// A period as typed (`YYYY-MM-DD`), for the CLI and the window.
pub fn stats_period(from: NaiveDate, to: NaiveDate, hall: Option<&str>) -> StatsPeriod {
    StatsPeriod {
        from,
        to,
        hall: hall
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_string),
    }
}
