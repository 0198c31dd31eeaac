//! Completing a report by hand: a fact the parser could not read, typed by the clerk from the
//! paper report and recorded with the operator, and the clerk's confirmation of the rule T-4
//! facts that clears the reader's doubts.
//!
//! Separate from the report's types because every change here is checked and recorded with the
//! operator who made it, and nothing here comes from the PDF.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::domain::id_codes::{Uscc, normalize};

use super::{CreditReport, Platform, ReportFact, ReportKind, parse_date_time};

/// A fact the clerk typed because the parser could not read it (or read it wrongly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandEntered {
    pub fact: ReportFact,
    pub operator: String,
    /// What the parser had read before, if anything.
    pub previous: Option<String>,
}

/// A clerk's confirmation, made against the paper report, that its rule T-4 facts (the bad
/// entries and the chapters) are as recorded: the reader's doubts no longer hold T-4 back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandConfirmation {
    /// 工号 of the clerk who checked the paper.
    pub operator: String,
    /// When (the desk's clock).
    pub at: NaiveDateTime,
}

impl CreditReport {
    /// The reader's doubts that still hold rule T-4 back: none once a clerk has confirmed the
    /// facts by hand.
    pub fn open_doubts(&self) -> &[String] {
        if self.confirmed.is_some() {
            &[]
        } else {
            &self.doubts
        }
    }

    /// Record that `operator` checked the rule T-4 facts against the paper report at `at`
    /// (entries the reader missed must have been added first). The error is a Chinese message.
    pub fn confirm_by_hand(&mut self, operator: &str, at: NaiveDateTime) -> Result<(), String> {
        let operator = operator.trim();
        if operator.is_empty() {
            return Err("请先登录：人工核对确认需要记录经办人".into());
        }
        self.confirmed = Some(HandConfirmation {
            operator: operator.to_string(),
            at,
        });
        Ok(())
    }

    /// Record a fact the clerk typed from the paper report, replacing what the parser read.
    /// The value is checked as the fact requires (a date, a known portal, a code of the right
    /// shape); the error is a Chinese message for the clerk.
    pub fn set_fact_by_hand(
        &mut self,
        fact: ReportFact,
        value: &str,
        operator: &str,
    ) -> Result<(), String> {
        let operator = operator.trim();
        if operator.is_empty() {
            return Err("请先登录：手工补录报告内容需要记录经办人".into());
        }
        let v = value.trim();
        if v.is_empty() && fact != ReportFact::Summary {
            return Err(format!("{}不能为空，请照报告原件填写", fact.label()));
        }
        let previous = self.fact_text(fact);
        match fact {
            ReportFact::ReportNo => self.report_no = Some(normalize(v)),
            ReportFact::GeneratedAt => {
                let (at, time_known) = parse_date_time(v).ok_or_else(|| {
                    format!(
                        "报告生成日期“{v}”无法识别，请按 2026-05-04 或 2026-05-04 19:02:57 填写"
                    )
                })?;
                self.generated_at = Some(at);
                self.generated_time_known = time_known;
            }
            ReportFact::IssuingUnit => {
                self.issuing_unit = Some(v.to_string());
                if self.platform == Platform::Unknown {
                    self.platform = Platform::from_text(v);
                }
            }
            ReportFact::Platform => {
                self.platform = Platform::from_label(v).ok_or_else(|| {
                    format!(
                        "下载平台“{v}”不在受理范围内：只认信用中国、信用广东、信用湛江（依据 T-3）"
                    )
                })?;
            }
            ReportFact::Kind => {
                self.kind = Some(ReportKind::from_text(v).ok_or_else(|| {
                    format!("报告类型“{v}”无法识别，请填写“法人和非法人组织”或“个人”")
                })?);
            }
            ReportFact::SubjectName => self.subject_name = Some(v.to_string()),
            ReportFact::SubjectCode => {
                let code = normalize(v);
                if self.kind == Some(ReportKind::Organization) {
                    Uscc::parse(&code).map_err(|e| format!("统一社会信用代码：{e}"))?;
                }
                self.subject_code = Some(code);
            }
            ReportFact::Summary => {
                return Err("信用信息概要请逐类填写条数，不能整体补录".into());
            }
        }
        self.hand_entered.push(HandEntered {
            fact,
            operator: operator.to_string(),
            previous,
        });
        self.refresh_found();
        Ok(())
    }

    /// The current value of a fact as text (for the hand-entry record and forms).
    pub fn fact_text(&self, fact: ReportFact) -> Option<String> {
        match fact {
            ReportFact::ReportNo => self.report_no.clone(),
            ReportFact::GeneratedAt => self.generated_at.map(|t| {
                if self.generated_time_known {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                } else {
                    t.format("%Y-%m-%d").to_string()
                }
            }),
            ReportFact::IssuingUnit => self.issuing_unit.clone(),
            ReportFact::Platform => {
                (self.platform != Platform::Unknown).then(|| self.platform.label().to_string())
            }
            ReportFact::Kind => self.kind.map(|k| k.label().to_string()),
            ReportFact::SubjectName => self.subject_name.clone(),
            ReportFact::SubjectCode => self.subject_code.clone(),
            ReportFact::Summary => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::tests::d;

    #[test]
    fn hand_entry_is_checked_and_recorded() {
        let mut r = CreditReport::empty();
        r.kind = Some(ReportKind::Organization);
        assert!(
            r.set_fact_by_hand(ReportFact::GeneratedAt, "昨天", "张三")
                .unwrap_err()
                .contains("无法识别")
        );
        assert!(r.set_fact_by_hand(ReportFact::ReportNo, "x", " ").is_err());
        r.set_fact_by_hand(ReportFact::GeneratedAt, "2026-05-04 19:02:57", "张三")
            .unwrap();
        assert!(r.generated_time_known);
        assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
        let e = r
            .set_fact_by_hand(ReportFact::SubjectCode, "91440800MA4UJ4K37A", "张三")
            .unwrap_err();
        assert!(e.contains("校验位"), "{e}");
        assert!(
            r.set_fact_by_hand(ReportFact::Platform, "百度", "张三")
                .unwrap_err()
                .contains("T-3")
        );
        r.set_fact_by_hand(ReportFact::Platform, "信用湛江", "张三")
            .unwrap();
        assert_eq!(r.platform, Platform::CreditZhanjiang);
        assert_eq!(r.hand_entered.len(), 2);
        assert_eq!(r.hand_entered[0].operator, "张三");
        assert!(r.found.contains(&ReportFact::GeneratedAt));
        assert!(r.missing.contains(&ReportFact::SubjectName));
        assert!(!r.missing.contains(&ReportFact::Platform));
    }
}
