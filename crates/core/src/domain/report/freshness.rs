//! Rule T-3's age check: a report generated at most the set number of days before the check
//! date is fresh; one dated after it is an error.
//!
//! Separate from the report's types because the rule compares a date with the desk's clock and
//! a setting, and knows nothing else of the report.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Rule T-3: how old the report is on the check date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Freshness {
    /// At most `max_age_days` calendar days old.
    Fresh { age_days: u32 },
    /// Older than allowed.
    Stale { age_days: u32 },
    /// Dated after the check date: an error (wrong date on the report or at the counter).
    FutureDated { days_ahead: u32 },
}

impl Freshness {
    /// Whether rule T-3 passes.
    pub fn is_fresh(self) -> bool {
        matches!(self, Freshness::Fresh { .. })
    }

    /// The explanation shown in a verdict (cites T-3).
    pub fn explain(self, max_age_days: u32) -> String {
        match self {
            Freshness::Fresh { age_days } => format!(
                "报告生成于核查日前 {age_days} 天，未超过 {max_age_days} 天，符合时效要求（依据 T-3）"
            ),
            Freshness::Stale { age_days } => format!(
                "报告生成于核查日前 {age_days} 天，超过 {max_age_days} 天：请申请人重新下载信用报告（依据 T-3）"
            ),
            Freshness::FutureDated { days_ahead } => format!(
                "报告生成日期晚于核查日 {days_ahead} 天，日期有误：请核对报告生成日期和本机日期（依据 T-3）"
            ),
        }
    }
}

/// Rule T-3: a report generated `max_age_days` or fewer calendar days before `today` is fresh
/// (with the default 5: 5 days old is fresh, 6 is stale); one dated after `today` is an error.
pub fn freshness(generated: NaiveDate, today: NaiveDate, max_age_days: u32) -> Freshness {
    let age = today.signed_duration_since(generated).num_days();
    let clamp = |d: i64| u32::try_from(d).unwrap_or(u32::MAX);
    if age < 0 {
        Freshness::FutureDated {
            days_ahead: clamp(-age),
        }
    } else if age <= i64::from(max_age_days) {
        Freshness::Fresh {
            age_days: clamp(age),
        }
    } else {
        Freshness::Stale {
            age_days: clamp(age),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::tests::d;

    #[test]
    fn freshness_boundaries_t3() {
        let today = d(2026, 5, 9);
        assert_eq!(
            freshness(d(2026, 5, 9), today, 5),
            Freshness::Fresh { age_days: 0 }
        );
        assert_eq!(
            freshness(d(2026, 5, 4), today, 5),
            Freshness::Fresh { age_days: 5 }
        );
        assert_eq!(
            freshness(d(2026, 5, 3), today, 5),
            Freshness::Stale { age_days: 6 }
        );
        assert_eq!(
            freshness(d(2026, 5, 10), today, 5),
            Freshness::FutureDated { days_ahead: 1 }
        );
        assert!(!freshness(d(2026, 5, 10), today, 5).is_fresh());
        // A different setting, across a month end and a leap day.
        assert_eq!(
            freshness(d(2024, 2, 28), d(2024, 3, 1), 1),
            Freshness::Stale { age_days: 2 }
        );
        assert_eq!(
            freshness(d(2024, 2, 28), d(2024, 3, 1), 2),
            Freshness::Fresh { age_days: 2 }
        );
        assert!(Freshness::Stale { age_days: 6 }.explain(5).contains("T-3"));
        assert!(Freshness::Stale { age_days: 6 }.explain(5).contains("6 天"));
    }
}
