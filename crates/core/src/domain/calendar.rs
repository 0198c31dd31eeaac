//! Working days (工作日) for the time limits of repairs and objections (rule X-3: limits are in
//! working days; Chinese public holidays and adjusted working days 调休 are data, not code).
//!
//! A day is a working day when the calendar names it an adjusted working day (调休上班, e.g. a
//! Saturday before 国庆), or when it is Monday to Friday and the calendar does not name it a
//! holiday. Years the calendar does not cover fall back to Monday to Friday; the desk warns when
//! a limit reaches into such a year.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// What the calendar says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 放假: a public holiday (or a weekday given off in exchange for an adjusted working day).
    Holiday,
    /// 调休上班: a Saturday or Sunday that is worked.
    Workday,
}

impl DayKind {
    /// 放假 / 上班, as in the State Council's notices and the calendar file.
    pub fn label(self) -> &'static str {
        match self {
            DayKind::Holiday => "放假",
            DayKind::Workday => "上班",
        }
    }

    /// Reads the label (or `holiday` / `workday`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "放假" | "休" | "holiday" => Some(DayKind::Holiday),
            "上班" | "班" | "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// One dated entry of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday it belongs to (国庆节, 春节调休…).
    pub name: String,
}

/// The calendar of holidays and adjusted working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<NaiveDate, CalendarDay>,
}

/// The most working days a limit may span: a bound on the walk, far beyond any setting.
pub const MAX_WORKING_DAYS: u32 = 366;

impl WorkCalendar {
    /// A calendar of the given entries (a later entry for the same date wins).
    pub fn new(days: impl IntoIterator<Item = CalendarDay>) -> Self {
        Self {
            days: days.into_iter().map(|d| (d.date, d)).collect(),
        }
    }

    /// All entries in date order.
    pub fn days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.days.values()
    }

    /// The entries of one year.
    pub fn year(&self, year: i32) -> Vec<&CalendarDay> {
        self.days
            .values()
            .filter(|d| d.date.year() == year)
            .collect()
    }

    /// The years that have at least one entry.
    pub fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.days.keys().map(|d| d.year()).collect();
        y.dedup();
        y
    }

    /// Whether the calendar has entries for `year` (otherwise only weekends are known).
    pub fn covers(&self, year: i32) -> bool {
        self.days.keys().any(|d| d.year() == year)
    }

    /// The entry of a date, if any.
    pub fn entry(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.days.get(&date)
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date).map(|d| d.kind) {
            Some(DayKind::Workday) => true,
            Some(DayKind::Holiday) => false,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`-th working day after `start` (the start day itself never counts, as in "自受理之日
    /// 起 5 个工作日内"): with n = 0, `start` itself. `None` past chrono's range or beyond
    /// [`MAX_WORKING_DAYS`].
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        if n > MAX_WORKING_DAYS {
            return None;
        }
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day.checked_add_days(Days::new(1))?;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Some(day)
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is before
    /// `from`. Bounded: beyond ten years the count stops growing.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut n = 0i64;
        let mut day = a;
        for _ in 0..3660 {
            if day >= b {
                break;
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if self.is_working_day(day) {
                n += 1;
            }
        }
        sign * n
    }

    /// The years from `start` to `end` that the calendar does not cover (their holidays are
    /// unknown, only weekends are skipped).
    pub fn uncovered_years(&self, start: NaiveDate, end: NaiveDate) -> Vec<i32> {
        (start.year()..=end.year())
            .filter(|y| !self.covers(*y))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// 2025's 国庆节、中秋节: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
    fn national_day_2025() -> WorkCalendar {
        let mut days: Vec<CalendarDay> = (1..=8)
            .map(|n| CalendarDay {
                date: d(2025, 10, n),
                kind: DayKind::Holiday,
                name: "国庆节、中秋节".into(),
            })
            .collect();
        for w in [d(2025, 9, 28), d(2025, 10, 11)] {
            days.push(CalendarDay {
                date: w,
                kind: DayKind::Workday,
                name: "国庆节、中秋节调休".into(),
            });
        }
        WorkCalendar::new(days)
    }

    #[test]
    fn weekends_are_off_and_weekdays_worked_without_entries() {
        let c = WorkCalendar::default();
        assert!(c.is_working_day(d(2026, 12, 1)));
        assert!(!c.is_working_day(d(2026, 12, 5)));
        // Friday 4 December + 1 working day = Monday 7 December.
        assert_eq!(c.add_working_days(d(2026, 12, 4), 1), Some(d(2026, 12, 7)));
        assert_eq!(c.add_working_days(d(2026, 12, 4), 0), Some(d(2026, 12, 4)));
    }

    #[test]
    fn limits_run_across_national_day_and_the_adjusted_saturday() {
        let c = national_day_2025();
        // Friday 26 September: Sunday the 28th is worked (1), the 29th and 30th (2, 3), then
        // eight days off, Thursday the 9th (4), Friday the 10th (5), Saturday the 11th worked (6).
        assert_eq!(c.add_working_days(d(2025, 9, 26), 1), Some(d(2025, 9, 28)));
        assert_eq!(c.add_working_days(d(2025, 9, 26), 3), Some(d(2025, 9, 30)));
        assert_eq!(c.add_working_days(d(2025, 9, 26), 4), Some(d(2025, 10, 9)));
        assert_eq!(c.add_working_days(d(2025, 9, 26), 6), Some(d(2025, 10, 11)));
        // Without the calendar the same limit would end a week earlier.
        assert_eq!(
            WorkCalendar::default().add_working_days(d(2025, 9, 26), 4),
            Some(d(2025, 10, 2))
        );
        assert!(c.is_working_day(d(2025, 10, 11)));
        assert!(!c.is_working_day(d(2025, 10, 6)));
        assert_eq!(c.working_days_between(d(2025, 9, 26), d(2025, 10, 11)), 6);
        assert_eq!(c.working_days_between(d(2025, 10, 11), d(2025, 9, 26)), -6);
    }

    #[test]
    fn a_limit_is_bounded() {
        let c = WorkCalendar::default();
        assert_eq!(
            c.add_working_days(d(2026, 1, 1), MAX_WORKING_DAYS + 1),
            None
        );
        assert_eq!(c.add_working_days(NaiveDate::MAX, 1), None);
        assert!(c.working_days_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
    }

    #[test]
    fn coverage_is_by_year() {
        let c = national_day_2025();
        assert!(c.covers(2025));
        assert!(!c.covers(2026));
        assert_eq!(c.years(), vec![2025]);
        assert_eq!(
            c.uncovered_years(d(2025, 12, 20), d(2026, 1, 10)),
            vec![2026]
        );
        assert_eq!(DayKind::parse("上班"), Some(DayKind::Workday));
        assert_eq!(DayKind::parse("放假"), Some(DayKind::Holiday));
        assert_eq!(DayKind::parse("周末"), None);
    }
}
