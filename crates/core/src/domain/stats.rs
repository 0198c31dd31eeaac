//! The publicity figures of task 六 (诚信宣传月, issue 20 point 3): what the bureau did with
//! credit in a period and a hall, counted from the facts the desk gathers; and the masking of a
//! typical case for the 宣传 material.
//!
//! Pure: the counting takes the facts and the period; the desk reads them.

use chrono::NaiveDate;
use serde::Serialize;

use super::case::Case;
use super::credit::{Objection, ObjectionStatus, RepairApplication, RepairStatus};
use super::subject::SubjectKind;

/// The period and hall of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `None`: every hall.
    pub hall: Option<String>,
}

impl StatsPeriod {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    fn hall_ok(&self, hall: &str) -> bool {
        self.hall.as_deref().is_none_or(|h| h == hall)
    }

    /// "2026-01-01 至 2026-12-31（霞山营业厅）".
    pub fn label(&self) -> String {
        match &self.hall {
            Some(h) => format!("{} 至 {}（{h}）", self.from, self.to),
            None => format!("{} 至 {}（全部营业厅）", self.from, self.to),
        }
    }
}

/// The figures, each a count in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// 诚信守法用电承诺书 issued, and of them signed.
    pub commitments_issued: u64,
    pub commitments_signed: u64,
    /// 信易电 cases by what happened in the period.
    pub cases_accepted: u64,
    pub cases_connected: u64,
    pub cases_fulfilled: u64,
    pub cases_broken: u64,
    pub cases_withdrawn: u64,
    /// 守信用电主体 now, and standings decided in the period (trusted / not).
    pub trusted_now: u64,
    pub trusted_decided: u64,
    pub untrusted_decided: u64,
    /// Repairs and objections opened and decided in the period.
    pub repairs_opened: u64,
    pub repairs_granted: u64,
    pub repairs_refused: u64,
    pub objections_opened: u64,
    pub objections_corrected: u64,
    pub objections_upheld: u64,
    /// Dishonesty records that began in the period, by rule: D-1 欠费, D-2 窃电, D-3 违约用电,
    /// D-4 违反信用承诺.
    pub dishonesty: [u64; 4],
}

impl Figures {
    /// The rows of the summary table: (group, item, count).
    pub fn rows(&self) -> Vec<(&'static str, &'static str, u64)> {
        vec![
            (
                "信用承诺",
                "出具诚信守法用电承诺书",
                self.commitments_issued,
            ),
            ("信用承诺", "其中已签字盖章", self.commitments_signed),
            ("信易电", "受理", self.cases_accepted),
            ("信易电", "接火送电", self.cases_connected),
            ("信易电", "补交物业权属证明", self.cases_fulfilled),
            ("信易电", "认定违诺", self.cases_broken),
            ("信易电", "中止报装", self.cases_withdrawn),
            ("守信用电主体", "现有守信用电主体", self.trusted_now),
            ("守信用电主体", "期内认定为守信", self.trusted_decided),
            ("守信用电主体", "期内认定为非守信", self.untrusted_decided),
            ("信用修复", "受理申请", self.repairs_opened),
            ("信用修复", "准予修复", self.repairs_granted),
            ("信用修复", "不予受理或不予修复", self.repairs_refused),
            ("异议申诉", "登记异议", self.objections_opened),
            ("异议申诉", "更正", self.objections_corrected),
            ("异议申诉", "不予受理或不予更正", self.objections_upheld),
            ("失信记录", "欠费（D-1）", self.dishonesty[0]),
            ("失信记录", "窃电（D-2）", self.dishonesty[1]),
            ("失信记录", "违约用电（D-3）", self.dishonesty[2]),
            ("失信记录", "违反信用承诺（D-4）", self.dishonesty[3]),
        ]
    }
}

/// Count the cases' events in the period (the hall filters by the accepting hall).
pub fn count_cases(f: &mut Figures, cases: &[Case], p: &StatsPeriod) {
    for c in cases.iter().filter(|c| p.hall_ok(&c.hall)) {
        if p.contains(c.applied_on) {
            f.cases_accepted += 1;
        }
        if c.connected_on.is_some_and(|d| p.contains(d)) {
            f.cases_connected += 1;
        }
        if c.proof.as_ref().is_some_and(|x| p.contains(x.attached_on)) {
            f.cases_fulfilled += 1;
        }
        if c.decision
            .as_ref()
            .is_some_and(|x| p.contains(x.decided_on))
        {
            f.cases_broken += 1;
            f.dishonesty[3] += 1;
        }
        if c.withdrawal
            .as_ref()
            .is_some_and(|x| p.contains(x.withdrawn_on))
        {
            f.cases_withdrawn += 1;
        }
    }
}

/// Count repairs and objections opened and decided in the period.
pub fn count_credit(
    f: &mut Figures,
    repairs: &[RepairApplication],
    objections: &[Objection],
    p: &StatsPeriod,
) {
    let decided_on = |steps: &[super::credit::Step], label: &str| {
        steps.iter().rev().find(|s| s.status == label).map(|s| s.on)
    };
    for a in repairs.iter().filter(|a| p.hall_ok(&a.hall)) {
        if p.contains(a.opened_on) {
            f.repairs_opened += 1;
        }
        match a.status {
            RepairStatus::Repaired if a.repaired_on.is_some_and(|d| p.contains(d)) => {
                f.repairs_granted += 1
            }
            RepairStatus::NotAccepted | RepairStatus::Rejected
                if decided_on(&a.steps, a.status.label()).is_some_and(|d| p.contains(d)) =>
            {
                f.repairs_refused += 1
            }
            _ => {}
        }
    }
    for o in objections.iter().filter(|o| p.hall_ok(&o.hall)) {
        if p.contains(o.opened_on) {
            f.objections_opened += 1;
        }
        match o.status {
            ObjectionStatus::Corrected if o.decided_on.is_some_and(|d| p.contains(d)) => {
                f.objections_corrected += 1
            }
            ObjectionStatus::NotAccepted | ObjectionStatus::Upheld
                if decided_on(&o.steps, o.status.label()).is_some_and(|d| p.contains(d)) =>
            {
                f.objections_upheld += 1
            }
            _ => {}
        }
    }
}

/// A typical case for the 宣传 material, with the subject masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypicalCase {
    pub case_id: i64,
    pub subject: String,
    pub business: String,
    pub park: String,
    pub applied_on: NaiveDate,
    pub connected_on: Option<NaiveDate>,
    pub outcome: String,
}

/// A subject's name as published: a person keeps the surname (陈某某), an organisation its first
/// three and last four characters (湛江市＊＊＊有限公司), so the case can be told without naming it.
pub fn mask_name(name: &str, kind: SubjectKind) -> String {
    let chars: Vec<char> = name.chars().collect();
    match kind {
        SubjectKind::NaturalPerson => match chars.first() {
            Some(c) => format!("{c}{}", "某".repeat(chars.len().clamp(2, 3) - 1)),
            None => String::new(),
        },
        _ if chars.len() <= 7 => {
            let keep: String = chars.iter().take(2).collect();
            format!("{keep}＊＊＊")
        }
        _ => {
            let head: String = chars.iter().take(3).collect();
            let tail: String = chars[chars.len() - 4..].iter().collect();
            format!("{head}＊＊＊{tail}")
        }
    }
}

/// The typical case of `c` (its outcome as of its stored stage).
pub fn typical_case(c: &Case, name: &str, kind: SubjectKind) -> TypicalCase {
    let outcome = match (&c.proof, &c.decision, &c.withdrawal) {
        (Some(p), _, _) => format!("{} 补交物业权属证明，承诺全部履行", p.attached_on),
        (_, Some(d), _) => format!("{} 认定违反信用承诺", d.decided_on),
        (_, _, Some(w)) => format!("{} 接火送电前中止报装，不作信用记录", w.withdrawn_on),
        _ => match c.deadline {
            Some(d) => format!("已接火送电，物业权属证明补交期限 {d}"),
            None => "已受理，待接火送电".into(),
        },
    };
    TypicalCase {
        case_id: c.id.0,
        subject: mask_name(name, kind),
        business: c.business.label().into(),
        park: c.park.clone(),
        applied_on: c.applied_on,
        connected_on: c.connected_on,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_for_publication() {
        assert_eq!(
            mask_name("湛江市霞山区海港贸易有限公司", SubjectKind::Organization),
            "湛江市＊＊＊有限公司"
        );
        assert_eq!(mask_name("陈海明", SubjectKind::NaturalPerson), "陈某某");
        assert_eq!(mask_name("陈明", SubjectKind::NaturalPerson), "陈某");
        assert_eq!(
            mask_name("海港商行", SubjectKind::IndividualBusiness),
            "海港＊＊＊"
        );
        assert_eq!(mask_name("", SubjectKind::NaturalPerson), "");
    }

    #[test]
    fn the_period_and_hall_bound_what_counts() {
        let p = StatsPeriod {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            hall: Some("霞山营业厅".into()),
        };
        assert!(p.contains(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()));
        assert!(!p.contains(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
        assert!(p.hall_ok("霞山营业厅") && !p.hall_ok("赤坎营业厅"));
        assert_eq!(Figures::default().rows().len(), 20);
    }
}
