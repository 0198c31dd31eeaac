//! The bad entries of a report and rule T-4: which kinds count, which chapters they stand in,
//! the dates read from them, and which of them fall inside the lookback window.
//!
//! Separate from the report's other types because this is what rule T-4 judges: an entry
//! without a date, or dated after the window, counts, so that nothing passes silently.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Chapter, CreditReport};

/// The kinds of bad record that rule T-4 counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdverseKind {
    /// 严重失信主体名单 (every entry of chapter 四).
    SeriousDishonestyList,
    /// 行政处罚 (the penalty entries of chapter 二, not the 行政许可 ones).
    AdministrativePenalty,
    /// 经营（活动）异常名录 (every entry of chapter 五).
    AbnormalOperation,
    /// 失信被执行人 (those entries of chapter 八).
    DishonestExecutee,
    /// 其他失信信息 (dishonesty entries of chapter 九).
    OtherDishonesty,
}

impl AdverseKind {
    /// Every kind, in chapter order.
    pub const ALL: [AdverseKind; 5] = [
        AdverseKind::AdministrativePenalty,
        AdverseKind::SeriousDishonestyList,
        AdverseKind::AbnormalOperation,
        AdverseKind::DishonestExecutee,
        AdverseKind::OtherDishonesty,
    ];

    /// The name shown to the clerk.
    pub fn label(self) -> &'static str {
        match self {
            AdverseKind::SeriousDishonestyList => "严重失信主体名单",
            AdverseKind::AdministrativePenalty => "行政处罚",
            AdverseKind::AbnormalOperation => "经营（活动）异常名录",
            AdverseKind::DishonestExecutee => "失信被执行人",
            AdverseKind::OtherDishonesty => "其他失信信息",
        }
    }

    /// The chapter such entries are printed in.
    pub fn chapter(self) -> Chapter {
        match self {
            AdverseKind::SeriousDishonestyList => Chapter::SeriousDishonesty,
            AdverseKind::AdministrativePenalty => Chapter::Administrative,
            AdverseKind::AbnormalOperation => Chapter::AbnormalOperation,
            AdverseKind::DishonestExecutee => Chapter::Judicial,
            AdverseKind::OtherDishonesty => Chapter::Other,
        }
    }

    /// The date label that usually decides such an entry.
    pub fn date_label(self) -> DateLabel {
        match self {
            AdverseKind::AdministrativePenalty => DateLabel::PenaltyDecision,
            AdverseKind::DishonestExecutee => DateLabel::Published,
            AdverseKind::SeriousDishonestyList | AdverseKind::AbnormalOperation => {
                DateLabel::Listed
            }
            AdverseKind::OtherDishonesty => DateLabel::Recorded,
        }
    }
}

/// The chapters whose entries rule T-4 counts: 二, 四, 五, 八, 九.
pub const ADVERSE_CHAPTERS: [Chapter; 5] = [
    Chapter::Administrative,
    Chapter::SeriousDishonesty,
    Chapter::AbnormalOperation,
    Chapter::Judicial,
    Chapter::Other,
];

/// Which label an entry's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateLabel {
    /// 处罚决定日期 (行政处罚).
    PenaltyDecision,
    /// 立案时间 (失信被执行人).
    CaseFiled,
    /// 发布时间 (失信被执行人).
    Published,
    /// 列入日期 (also 列入时间, 认定日期).
    Listed,
    /// 记录日期.
    Recorded,
    /// 入库时间.
    Stored,
}

impl DateLabel {
    /// Every label with the texts that name it in a report, most specific first.
    pub const TEXTS: [(&'static str, DateLabel); 9] = [
        ("处罚决定日期", DateLabel::PenaltyDecision),
        ("立案时间", DateLabel::CaseFiled),
        ("发布时间", DateLabel::Published),
        ("列入日期", DateLabel::Listed),
        ("列入时间", DateLabel::Listed),
        ("认定日期", DateLabel::Listed),
        ("记录日期", DateLabel::Recorded),
        ("入库时间", DateLabel::Stored),
        ("入库日期", DateLabel::Stored),
    ];

    /// The label as printed in the report.
    pub fn label(self) -> &'static str {
        match self {
            DateLabel::PenaltyDecision => "处罚决定日期",
            DateLabel::CaseFiled => "立案时间",
            DateLabel::Published => "发布时间",
            DateLabel::Listed => "列入日期",
            DateLabel::Recorded => "记录日期",
            DateLabel::Stored => "入库时间",
        }
    }
}

/// A date read from an entry, with the label it stood under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabeledDate {
    pub label: DateLabel,
    pub date: NaiveDate,
}

/// One bad entry of the report (rule T-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseEntry {
    pub kind: AdverseKind,
    /// The chapter it was printed in.
    pub chapter: Chapter,
    /// N of `第 N 条` (counted within its chapter or section, as printed).
    pub index: u32,
    /// The first line of the entry (e.g. `行政处罚决定书文号:…`), for lists and verdicts.
    pub title: String,
    /// The decisive date: the latest of the entry's labelled dates, so that an entry published
    /// inside the window is never dropped because it was filed before it.
    pub date: Option<LabeledDate>,
    /// Every labelled date found in the entry.
    pub dates: Vec<LabeledDate>,
    /// The entry's text as extracted (page headers and footers removed).
    pub raw: String,
}

/// Why an adverse entry counts for the window (rule T-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowReason {
    /// Its date lies inside the window.
    Inside,
    /// No date could be read: it counts, so that nothing passes silently.
    Undated,
    /// Dated after the window's end (after the check date): a misreading or an error, it counts.
    AfterWindow,
}

impl WindowReason {
    /// The explanation shown in a verdict.
    pub fn label(self) -> &'static str {
        match self {
            WindowReason::Inside => "在核查期间内",
            WindowReason::Undated => "未读到日期，按在核查期间内处理",
            WindowReason::AfterWindow => "日期晚于核查日，按在核查期间内处理，请核对",
        }
    }
}

/// An adverse entry that counts against rule T-4, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowHit<'a> {
    pub entry: &'a AdverseEntry,
    pub reason: WindowReason,
}

/// Rule T-4 with reasons: every adverse entry except those whose date is known and lies before
/// `window_start`. Undated entries and entries dated after `window_end` count.
pub fn adverse_hits(
    report: &CreditReport,
    window_start: NaiveDate,
    window_end: NaiveDate,
) -> Vec<WindowHit<'_>> {
    report
        .adverse
        .iter()
        .filter_map(|entry| {
            let reason = match entry.date {
                None => WindowReason::Undated,
                Some(d) if d.date < window_start => return None,
                Some(d) if d.date > window_end => WindowReason::AfterWindow,
                Some(_) => WindowReason::Inside,
            };
            Some(WindowHit { entry, reason })
        })
        .collect()
}

/// Rule T-4: the adverse entries inside the lookback window `[window_start, window_end]`.
/// Entries without a date count as inside (never silently pass), and so do entries dated after
/// the window's end; see [`adverse_hits`] for the reasons.
pub fn adverse_in_window(
    report: &CreditReport,
    window_start: NaiveDate,
    window_end: NaiveDate,
) -> Vec<&AdverseEntry> {
    adverse_hits(report, window_start, window_end)
        .into_iter()
        .map(|h| h.entry)
        .collect()
}

impl AdverseEntry {
    /// An entry the clerk typed from the paper report (a scan, or an entry the parser missed).
    pub fn by_hand(kind: AdverseKind, index: u32, date: Option<NaiveDate>, title: &str) -> Self {
        let date = date.map(|date| LabeledDate {
            label: kind.date_label(),
            date,
        });
        Self {
            kind,
            chapter: kind.chapter(),
            index,
            title: title.trim().to_string(),
            date,
            dates: date.into_iter().collect(),
            raw: String::new(),
        }
    }

    /// Where the entry stands: `“行政管理信息”第 2 条（行政处罚）`.
    pub fn place(&self) -> String {
        if self.chapter.label() == self.kind.label() {
            format!("“{}”第 {} 条", self.chapter.label(), self.index)
        } else {
            format!(
                "“{}”第 {} 条（{}）",
                self.chapter.label(),
                self.index,
                self.kind.label()
            )
        }
    }
}

impl fmt::Display for AdverseEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.place())?;
        match self.date {
            Some(d) => write!(f, "，{} {}", d.label.label(), d.date)?,
            None => write!(f, "，未读到日期")?,
        }
        if !self.title.is_empty() {
            write!(f, "：{}", self.title)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::ChapterSeen;
    use crate::domain::report::tests::{d, entry};

    #[test]
    fn window_keeps_undated_and_drops_only_older_t4() {
        let mut r = CreditReport::empty();
        r.adverse = vec![
            entry(AdverseKind::AdministrativePenalty, 1, Some(d(2022, 12, 31))),
            entry(AdverseKind::AdministrativePenalty, 2, Some(d(2023, 1, 1))),
            entry(AdverseKind::AbnormalOperation, 3, None),
            entry(AdverseKind::DishonestExecutee, 4, Some(d(2026, 1, 1))),
            entry(AdverseKind::OtherDishonesty, 5, Some(d(2026, 6, 1))),
        ];
        let hits = adverse_hits(&r, d(2023, 1, 1), d(2026, 5, 9));
        let got: Vec<(u32, WindowReason)> =
            hits.iter().map(|h| (h.entry.index, h.reason)).collect();
        assert_eq!(
            got,
            vec![
                (2, WindowReason::Inside),
                (3, WindowReason::Undated),
                (4, WindowReason::Inside),
                (5, WindowReason::AfterWindow),
            ]
        );
        let idx: Vec<u32> = adverse_in_window(&r, d(2023, 1, 1), d(2026, 5, 9))
            .iter()
            .map(|e| e.index)
            .collect();
        assert_eq!(idx, vec![2, 3, 4, 5]);
        assert!(adverse_in_window(&CreditReport::empty(), d(2023, 1, 1), d(2026, 5, 9)).is_empty());
    }

    #[test]
    fn entries_by_hand_and_unread_chapters() {
        let e = AdverseEntry::by_hand(
            AdverseKind::DishonestExecutee,
            1,
            Some(d(2025, 1, 2)),
            " 案号 ",
        );
        assert_eq!(e.chapter, Chapter::Judicial);
        assert_eq!(e.date.unwrap().label, DateLabel::Published);
        assert_eq!(e.title, "案号");
        let mut r = CreditReport::empty();
        assert_eq!(r.unread_adverse_chapters(), ADVERSE_CHAPTERS.to_vec());
        r.chapters.push(ChapterSeen {
            chapter: Chapter::SeriousDishonesty,
            entries: 0,
            marked_empty: true,
        });
        assert!(
            !r.unread_adverse_chapters()
                .contains(&Chapter::SeriousDishonesty)
        );
        assert_eq!(r.unread_adverse_chapters().len(), 4);
    }

    #[test]
    fn display_of_an_entry() {
        let e = entry(AdverseKind::AdministrativePenalty, 2, Some(d(2024, 12, 24)));
        let s = e.to_string();
        assert!(
            s.contains("行政处罚") && s.contains("第 2 条") && s.contains("2024-12-24"),
            "{s}"
        );
        assert!(
            entry(AdverseKind::AbnormalOperation, 1, None)
                .to_string()
                .contains("未读到日期")
        );
    }
}
