//! Cutting the body of a report into chapters and entries, and deciding which entries are bad
//! (rule T-4).
//!
//! Chapters are found by their numbered titles, entries by `第N条`, `序号` or, in a table
//! without numbers, by the first field repeating. What makes an entry bad is the chapter (and
//! section) it stands in: 四 and 五 always, 二 only 行政处罚, 八 only 失信被执行人, 九 unless it
//! is clearly a good record. Kept apart from the header reading because it is the part rule T-4
//! depends on.

use crate::domain::report::{
    AdverseEntry, AdverseKind, Chapter, ChapterSeen, DateLabel, LabeledDate, parse_date_time,
};

use super::EMPTY_CHAPTER;
use super::clean::{entry_marker, heading};
use super::fields::{LABELS, starts_with_label};

/// A section inside a chapter that decides whether its entries are bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Unknown,
    Permit,
    Penalty,
    DishonestExecutee,
    OtherJudicial,
}

fn section_heading(chapter: Chapter, line: &str) -> Option<Section> {
    if line.contains(':') || line.chars().count() > 24 || starts_with_label(line) {
        return None;
    }
    match chapter {
        Chapter::Administrative if line.contains("行政处罚") => Some(Section::Penalty),
        Chapter::Administrative if line.contains("行政许可") => Some(Section::Permit),
        Chapter::Judicial if line.contains("失信被执行人") => {
            Some(Section::DishonestExecutee)
        }
        Chapter::Judicial
            if [
                "被执行人",
                "司法判决",
                "裁判文书",
                "限制高消费",
                "终结本次",
                "终本",
            ]
            .iter()
            .any(|k| line.contains(k)) =>
        {
            Some(Section::OtherJudicial)
        }
        _ => None,
    }
}

const PENALTY_MARKS: &[&str] = &[
    "处罚决定日期",
    "行政处罚决定书文号",
    "处罚类别",
    "处罚内容",
    "处罚机关",
    "违法事实",
];
const BAD_WORDS: &[&str] = &[
    "失信",
    "黑名单",
    "违法",
    "违规",
    "不良",
    "惩戒",
    "欠税",
    "处罚",
    "严重",
    "异常",
    "限制",
    "拖欠",
    "欠薪",
    "逃废债",
    "被执行",
];
const GOOD_WORDS: &[&str] = &[
    "守信",
    "红名单",
    "荣誉",
    "表彰",
    "激励",
    "示范",
    "A级",
    "信用良好",
    "先进",
];

/// Whether an entry counts against rule T-4, and as what.
fn classify(chapter: Chapter, section: Section, text: &str) -> Option<AdverseKind> {
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    match chapter {
        Chapter::SeriousDishonesty => Some(AdverseKind::SeriousDishonestyList),
        Chapter::AbnormalOperation => Some(AdverseKind::AbnormalOperation),
        Chapter::Administrative => {
            // The entry's own fields win over the section it seems to stand in; an entry that is
            // neither clearly a permit nor a penalty counts, so that nothing passes silently.
            if has(PENALTY_MARKS) || section == Section::Penalty {
                Some(AdverseKind::AdministrativePenalty)
            } else if section == Section::Permit || text.contains("许可") {
                None
            } else {
                Some(AdverseKind::AdministrativePenalty)
            }
        }
        Chapter::Judicial => (text.contains("失信被执行人")
            || section == Section::DishonestExecutee)
            .then_some(AdverseKind::DishonestExecutee),
        // 九 (and a local portal's supplement): bad unless clearly a good record.
        Chapter::Other | Chapter::LocalSupplement => {
            (has(BAD_WORDS) || !has(GOOD_WORDS)).then_some(AdverseKind::OtherDishonesty)
        }
        _ => None,
    }
}

/// Every labelled date of an entry (the value must follow its label).
fn entry_dates(text: &str) -> Vec<LabeledDate> {
    let mut out = Vec::new();
    for (label_text, label) in DateLabel::TEXTS {
        let mut from = 0;
        while let Some(p) = text.get(from..).and_then(|t| t.find(label_text)) {
            let at = from + p + label_text.len();
            from = at;
            let rest = text
                .get(at..)
                .unwrap_or("")
                .trim_start_matches(|c: char| c == ':' || c.is_whitespace());
            if let Some((when, _)) = parse_date_time(rest) {
                out.push(LabeledDate {
                    label,
                    date: when.date(),
                });
            }
        }
    }
    out
}

struct EntryBuf {
    chapter: Chapter,
    section: Section,
    index: u32,
    lines: Vec<String>,
    /// Started by a field without a `第N条` or `序号` marker (a table of label and value cells):
    /// the same field again starts the next entry.
    implicit: bool,
}

/// `序号 2`, `序号:2` (a table's row of its own): the start of an entry, as `第2条` is.
fn serial_marker(line: &str) -> Option<u32> {
    let rest = line.strip_prefix("序号")?.trim_start_matches([':', ' ']);
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 5 || rest.len() != digits {
        return None;
    }
    rest.parse().ok()
}

/// The label a line opens with, if any (the longest that matches).
fn leading_label(line: &str) -> Option<&'static str> {
    LABELS
        .iter()
        .copied()
        .filter(|l| line.starts_with(l))
        .max_by_key(|l| l.len())
}

pub(super) struct Body {
    pub(super) chapters: Vec<ChapterSeen>,
    pub(super) adverse: Vec<AdverseEntry>,
    /// Index of the line where the first chapter after 一 starts (the end of the front matter).
    pub(super) front_end: usize,
}

fn flush(entry: Option<EntryBuf>, body: &mut Body) {
    let Some(e) = entry else { return };
    if let Some(seen) = body
        .chapters
        .iter_mut()
        .rev()
        .find(|c| c.chapter == e.chapter)
    {
        seen.entries += 1;
    }
    let text = e.lines.join("\n");
    let Some(kind) = classify(e.chapter, e.section, &text) else {
        return;
    };
    let dates = entry_dates(&text);
    let date = dates.iter().copied().max_by_key(|d| d.date);
    let title: String = e
        .lines
        .iter()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.chars().take(60).collect())
        .unwrap_or_default();
    body.adverse.push(AdverseEntry {
        kind,
        chapter: e.chapter,
        index: e.index,
        title,
        date,
        dates,
        raw: text,
    });
}

pub(super) fn parse_body(lines: &[String]) -> Body {
    let mut body = Body {
        chapters: Vec::new(),
        adverse: Vec::new(),
        front_end: lines.len(),
    };
    let mut chapter: Option<Chapter> = None;
    let mut section = Section::Unknown;
    let mut entry: Option<EntryBuf> = None;
    // Unnumbered entries are numbered within their section, as `第N条` are.
    let mut unnumbered = 0;
    for (i, line) in lines.iter().enumerate() {
        let notes = chapter == Some(Chapter::Notes);
        if !notes
            && let Some(ch) = heading(line)
            && !body.chapters.iter().any(|c| c.chapter == ch)
        {
            flush(entry.take(), &mut body);
            if ch != Chapter::Registration && body.front_end == lines.len() {
                body.front_end = i;
            }
            chapter = Some(ch);
            section = Section::Unknown;
            unnumbered = 0;
            body.chapters.push(ChapterSeen {
                chapter: ch,
                entries: 0,
                marked_empty: false,
            });
            continue;
        }
        let Some(ch) = chapter else { continue };
        if notes {
            continue;
        }
        if line.contains(EMPTY_CHAPTER) {
            flush(entry.take(), &mut body);
            if let Some(seen) = body.chapters.last_mut() {
                seen.marked_empty = true;
            }
            continue;
        }
        if let Some(s) = section_heading(ch, line) {
            flush(entry.take(), &mut body);
            section = s;
            unnumbered = 0;
            continue;
        }
        if let Some((index, rest)) = entry_marker(line) {
            flush(entry.take(), &mut body);
            entry = Some(EntryBuf {
                chapter: ch,
                section,
                index,
                lines: if rest.is_empty() {
                    Vec::new()
                } else {
                    vec![rest.to_string()]
                },
                implicit: false,
            });
            continue;
        }
        if let Some(index) = serial_marker(line) {
            flush(entry.take(), &mut body);
            entry = Some(EntryBuf {
                chapter: ch,
                section,
                index,
                lines: Vec::new(),
                implicit: false,
            });
            continue;
        }
        // A table of label and value cells without numbered entries: a field outside any entry
        // opens one, and the first field of an unnumbered entry seen again opens the next.
        let marked_empty = body.chapters.last().is_some_and(|c| c.marked_empty);
        if let Some(label) = leading_label(line)
            && ch != Chapter::Registration
            && label != "数据来源"
            && !marked_empty
        {
            let repeats = entry.as_ref().is_some_and(|e| {
                e.implicit
                    && e.lines
                        .first()
                        .is_some_and(|first| first.starts_with(label))
            });
            if entry.is_none() || repeats {
                flush(entry.take(), &mut body);
                unnumbered += 1;
                entry = Some(EntryBuf {
                    chapter: ch,
                    section,
                    index: unnumbered,
                    lines: vec![line.clone()],
                    implicit: true,
                });
                continue;
            }
        }
        if let Some(e) = entry.as_mut() {
            e.lines.push(line.clone());
        }
    }
    flush(entry, &mut body);
    body
}
