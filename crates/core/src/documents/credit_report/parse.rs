//! Parsing the extracted text of a report into a [`CreditReport`].
//!
//! The text is first cleaned line by line: full-width forms folded (`：` → `:`), spaces next to
//! Chinese characters dropped (`报 告 编 号` → `报告编号`, `第 1 条` → `第1条`), page numbers and
//! the headers/footers repeated at the edges of every page removed, and labels wrapped over two
//! lines (`法定代表人/` + `负责人`) joined. Facts are then read by label (same line, next line, or
//! a row of labels over a row of values), chapters by their numbered titles, and entries by
//! `第N条`. What decides that an entry is bad (rule T-4) is the chapter it stands in: 四 and 五
//! always, 二 only 行政处罚, 八 only 失信被执行人, 九 unless it is clearly a good record.

use crate::domain::id_codes::{Uscc, normalize};
use crate::domain::report::{
    ADVERSE_CHAPTERS, AdverseEntry, AdverseKind, Chapter, ChapterSeen, CreditReport, DateLabel,
    LabeledDate, Platform, ReportFact, ReportKind, SummaryCounts, check_report_no, parse_date_time,
};

use super::{PAGE_BREAK, ParseProblem, ParsedReport};

/// Every label the parser knows. A value ends where the next known label starts; a label wrapped
/// over two lines is joined again. Longer labels first where one contains another.
const LABELS: &[&str] = &[
    "报告编号",
    "报告生成日期",
    "报告生成时间",
    "生成日期",
    "报告出具单位",
    "出具单位",
    "出具机构",
    "机构名称",
    "主体名称",
    "企业名称",
    "姓名",
    "数据来源单位统一社会信用代码",
    "统一社会信用代码",
    "法定代表人/负责人",
    "法定代表人(负责人)",
    "法定代表人",
    "身份证号码",
    "证件号码",
    "证件类型",
    "性别",
    "登记状态",
    "经营状态",
    "企业类型",
    "主体类型",
    "成立日期",
    "注册资本",
    "注册地址",
    "住所",
    "登记机关",
    "核准日期",
    "营业期限",
    "经营范围",
    "查询日期",
    "行政处罚决定书文号",
    "行政许可决定文书号",
    "行政许可决定文书名称",
    "处罚决定日期",
    "处罚类别",
    "处罚内容",
    "处罚机关",
    "违法事实",
    "失信被执行人姓名/名称",
    "失信被执行人行为具体情形",
    "立案时间",
    "发布时间",
    "列入日期",
    "列入时间",
    "认定日期",
    "记录日期",
    "入库时间",
    "入库日期",
    "列入经营异常名录原因类型名称",
    "列入决定机关名称",
    "数据来源",
    "序号",
    "案号",
    "名单类型",
    "执行法院",
];

const REPORT_NO: &[&str] = &["报告编号"];
const GENERATED: &[&str] = &["报告生成日期", "报告生成时间", "生成日期"];
const ISSUER: &[&str] = &["报告出具单位", "出具单位", "出具机构"];
const ORG_NAME: &[&str] = &["机构名称", "主体名称", "企业名称"];
const PERSON_NAME: &[&str] = &["姓名"];
const USCC: &[&str] = &["统一社会信用代码"];
const PERSON_CODE: &[&str] = &["身份证号码", "证件号码"];
const LEGAL_REP: &[&str] = &["法定代表人/负责人", "法定代表人(负责人)", "法定代表人"];

/// Registration status words printed in the subject block, possibly without a label.
const STATUS_WORDS: &[&str] = &[
    "存续", "在业", "开业", "注销", "吊销", "撤销", "迁出", "停业", "正常",
];
/// Tags printed in the subject block.
const TAGS: &[&str] = &["守信激励对象", "失信惩戒对象", "重点关注对象"];

/// Endings of organisation names: a name that ends so is complete.
const NAME_ENDINGS: &[&str] = &[
    "公司",
    "厂",
    "店",
    "中心",
    "合作社",
    "院",
    "所",
    "局",
    "会",
    "部",
    "处",
    "站",
    "社",
    "行",
    "馆",
    "室",
    "场",
    "队",
    "校",
    "园",
];

const EMPTY_CHAPTER: &str = "查询期内无相关信息";

// ---------------------------------------------------------------------------------------------
// Cleaning

fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\t' | '\u{2002}'..='\u{200B}' => ' ',
        other => other,
    }
}

/// Characters next to which a space is an artefact of extraction, not a word break.
fn cjkish(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3001}'..='\u{303F}'
        | '\u{2018}'..='\u{201D}'
        | ':' | '/' | '(' | ')' | ',' | ';')
}

/// Fold full-width forms and drop spaces that touch a Chinese character (see the module docs).
pub(super) fn normalize_line(s: &str) -> String {
    let folded: Vec<char> = s.chars().map(fold).collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = folded.get(i) {
        if c.is_whitespace() {
            while folded.get(i).is_some_and(|c| c.is_whitespace()) {
                i += 1;
            }
            let prev = out.chars().next_back();
            let next = folded.get(i).copied();
            if let (Some(p), Some(n)) = (prev, next)
                && !cjkish(p)
                && !cjkish(n)
            {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// `第 2 页`, `第2页 共5页`, `2/5`, `- 2 -`, `Page 2 of 5`.
fn is_page_number(line: &str) -> bool {
    let c: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let c = c.trim_matches(|ch| matches!(ch, '-' | '—' | '–'));
    if c.is_empty() || !c.chars().any(|ch| ch.is_ascii_digit()) {
        return false;
    }
    if c.contains('页') {
        return c.chars().all(|ch| {
            ch.is_ascii_digit() || matches!(ch, '第' | '页' | '共' | '/' | ',' | '、' | '.')
        });
    }
    if let Some((a, b)) = c.split_once('/') {
        let digits = |s: &str| !s.is_empty() && s.chars().all(|ch| ch.is_ascii_digit());
        return digits(a) && digits(b);
    }
    let lower = c.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("page") {
        return rest
            .chars()
            .all(|ch| ch.is_ascii_digit() || "of".contains(ch));
    }
    // A bare number between dashes (`- 2 -`) was trimmed to digits.
    c.len() <= 4 && c.chars().all(|ch| ch.is_ascii_digit()) && line.contains(['-', '—', '–'])
}

/// The key under which a page-edge line is compared with the other pages' (digits vary).
fn edge_key(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Lines that must never be taken for a repeated header or footer.
fn is_content_line(line: &str) -> bool {
    entry_marker(line).is_some()
        || line.contains(EMPTY_CHAPTER)
        || is_empty_value(line)
        || heading_parts(line).is_some()
}

/// Split into cleaned lines: normalised, page numbers dropped, headers and footers that repeat at
/// the edges of most pages dropped except their first occurrence, wrapped labels joined.
pub(super) fn clean_lines(text: &str) -> Vec<String> {
    const EDGE: usize = 3;
    let pages: Vec<Vec<String>> = text
        .split(PAGE_BREAK)
        .map(|p| {
            p.lines()
                .map(normalize_line)
                .filter(|l| !l.is_empty() && !is_page_number(l))
                .collect()
        })
        .collect();
    let mut repeated: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    if pages.len() >= 2 {
        for page in &pages {
            let mut keys: Vec<String> = page
                .iter()
                .enumerate()
                .filter(|(i, l)| (*i < EDGE || *i + EDGE >= page.len()) && !is_content_line(l))
                .map(|(_, l)| edge_key(l))
                .collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                *repeated.entry(k).or_default() += 1;
            }
        }
    }
    let threshold = 2.max(pages.len().div_ceil(2));
    let mut kept_once: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut lines = Vec::new();
    for page in pages {
        let n = page.len();
        for (i, line) in page.into_iter().enumerate() {
            let at_edge = i < EDGE || i + EDGE >= n;
            if at_edge && !is_content_line(&line) {
                let key = edge_key(&line);
                if repeated.get(&key).copied().unwrap_or(0) >= threshold && !kept_once.insert(key) {
                    continue;
                }
            }
            lines.push(line);
        }
    }
    join_wrapped(lines)
}

/// Join a label wrapped over two lines (`法定代表人/` + `负责人:张三`), and a chapter number
/// left alone on its line (`四、` + `严重失信主体名单信息`).
fn join_wrapped(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        if let Some(prev) = out.last_mut()
            && (wraps_label(prev, &line) || is_lone_numeral(prev))
        {
            prev.push_str(&line);
            continue;
        }
        out.push(line);
    }
    out
}

fn is_lone_numeral(line: &str) -> bool {
    let t = line.trim_end_matches(['、', '.', ' ']);
    line.len() > t.len() && !t.is_empty() && t.chars().all(is_cn_numeral)
}

fn wraps_label(a: &str, b: &str) -> bool {
    LABELS.iter().any(|label| {
        // Split points leaving at least two characters on the first line.
        label.char_indices().skip(2).any(|(at, _)| {
            let (Some(head), Some(tail)) = (label.get(..at), label.get(at..)) else {
                return false;
            };
            a.ends_with(head)
                && !a.ends_with(label)
                && b.strip_prefix(tail)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', ' ']))
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Recognising lines

fn is_cn_numeral(c: char) -> bool {
    "一二三四五六七八九十".contains(c)
}

/// `四、严重失信主体名单信息` → the title after the number.
fn heading_parts(line: &str) -> Option<&str> {
    let numeral_len: usize = line
        .chars()
        .take_while(|&c| is_cn_numeral(c))
        .map(char::len_utf8)
        .sum();
    if numeral_len == 0 || numeral_len > 3 * 3 {
        return None;
    }
    let rest = line.get(numeral_len..)?;
    let title = rest
        .strip_prefix('、')
        .or_else(|| rest.strip_prefix('.'))
        .or_else(|| rest.strip_prefix(' '))?
        .trim();
    let len = title.chars().count();
    // A table of contents line ends in a page number or leader dots; a sentence is long.
    let toc = title.ends_with(|c: char| c.is_ascii_digit())
        || title.contains("..")
        || title.contains('…');
    (len > 0 && len <= 20 && !toc).then_some(title)
}

/// The chapter a heading line opens, if it is one.
fn heading(line: &str) -> Option<Chapter> {
    if let Some(title) = heading_parts(line) {
        return Chapter::from_title(title);
    }
    let t = line.trim_end_matches(':');
    (t == "报告说明").then_some(Chapter::Notes)
}

/// `第3条…` → (3, the rest of the line).
fn entry_marker(line: &str) -> Option<(u32, &str)> {
    let rest = line.strip_prefix('第')?;
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 5 {
        return None;
    }
    let n: u32 = rest.get(..digits)?.parse().ok()?;
    let after = rest.get(digits..)?.strip_prefix('条')?;
    Some((n, after.trim_start_matches([':', ' '])))
}

/// `— —`, `--`, `无` alone: the report's way of printing an empty field.
fn is_empty_value(v: &str) -> bool {
    let t: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    t.is_empty() || t.chars().all(|c| matches!(c, '—' | '-' | '–' | '―' | '一')) || t == "无"
}

fn starts_with_label(line: &str) -> bool {
    LABELS.iter().any(|l| line.starts_with(l))
}

/// Byte offset of the earliest known label in `s` after its first character.
fn next_label_at(s: &str) -> Option<usize> {
    let skip = s.chars().next().map_or(0, char::len_utf8);
    LABELS
        .iter()
        .filter_map(|l| s.get(skip..).and_then(|t| t.find(l)).map(|p| p + skip))
        .min()
}

fn cut_at_next_label(s: &str) -> &str {
    let end = next_label_at(s).unwrap_or(s.len());
    s.get(..end).unwrap_or(s).trim()
}

/// Whether `label` found at byte `at` of `line` is really that label and not the end of a longer
/// one (`数据来源单位统一社会信用代码` is not `统一社会信用代码`).
fn is_whole_label(line: &str, at: usize, label: &str) -> bool {
    let upto = line.get(..at + label.len()).unwrap_or("");
    !LABELS
        .iter()
        .any(|l| l.len() > label.len() && l.ends_with(label) && upto.ends_with(l))
}

/// Labels that tile a whole line (`报告编号 报告生成日期`): a header row over a row of values.
fn label_row(line: &str) -> Option<Vec<&'static str>> {
    let mut rest = line.trim();
    let mut row = Vec::new();
    while !rest.is_empty() {
        let label = LABELS
            .iter()
            .filter(|l| rest.starts_with(**l))
            .max_by_key(|l| l.len())?;
        row.push(*label);
        rest = rest.get(label.len()..)?.trim_start_matches([':', ' ']);
    }
    (row.len() >= 2).then_some(row)
}

/// Where a field's value was found.
struct Field {
    value: String,
    line: usize,
    /// The value ran to the end of its line (it may continue on the next one).
    to_line_end: bool,
}

/// The value of the first of `labels` found in `lines`: on the label's line up to the next known
/// label, else on the next line, else in the value row under a row of labels.
fn field(lines: &[String], labels: &[&str]) -> Option<Field> {
    for (i, line) in lines.iter().enumerate() {
        for label in labels {
            let mut from = 0;
            while let Some(p) = line.get(from..).and_then(|t| t.find(label)) {
                let at = from + p;
                from = at + label.len();
                if !is_whole_label(line, at, label) {
                    continue;
                }
                let rest = line
                    .get(from..)
                    .unwrap_or("")
                    .trim_start_matches([':', ' ']);
                let value = cut_at_next_label(rest);
                if !value.is_empty() && !starts_with_label(rest) {
                    if is_empty_value(value) {
                        return None;
                    }
                    return Some(Field {
                        value: value.to_string(),
                        line: i,
                        to_line_end: value.len() == rest.trim().len(),
                    });
                }
                let next = lines.get(i + 1);
                if let Some(row) = label_row(line)
                    && let Some(next) = next
                {
                    let cells: Vec<&str> = next.split(' ').filter(|c| !c.is_empty()).collect();
                    if cells.len() == row.len()
                        && let Some(j) = row.iter().position(|l| l == label)
                        && let Some(cell) = cells.get(j)
                    {
                        return (!is_empty_value(cell)).then(|| Field {
                            value: (*cell).to_string(),
                            line: i + 1,
                            to_line_end: false,
                        });
                    }
                }
                if rest.is_empty()
                    && let Some(next) = next
                    && !starts_with_label(next)
                    && heading(next).is_none()
                    && entry_marker(next).is_none()
                {
                    let value = cut_at_next_label(next);
                    if is_empty_value(value) {
                        return None;
                    }
                    return Some(Field {
                        value: value.to_string(),
                        to_line_end: value.len() == next.trim().len(),
                        line: i + 1,
                    });
                }
            }
        }
    }
    None
}

/// An organisation's name, with a continuation line when the name was wrapped.
fn name_field(lines: &[String], labels: &[&str], wraps: bool) -> Option<String> {
    let f = field(lines, labels)?;
    let mut name = f.value;
    if wraps
        && f.to_line_end
        && let Some(next) = lines.get(f.line + 1)
    {
        let complete = NAME_ENDINGS.iter().any(|e| name.ends_with(e));
        let next_is_tail =
            next.chars().count() <= 12 && NAME_ENDINGS.iter().any(|e| next.ends_with(e));
        let plausible = next.chars().count() <= 20
            && !next.contains(':')
            && !starts_with_label(next)
            && heading(next).is_none()
            && entry_marker(next).is_none()
            && !next.contains("报告")
            && !STATUS_WORDS.iter().chain(TAGS).any(|w| next.starts_with(w))
            && next
                .chars()
                .all(|c| cjkish(c) || c.is_ascii_alphanumeric() || c == '(' || c == ')');
        if plausible && (!complete || next_is_tail) {
            name.push_str(next);
        }
    }
    Some(name)
}

/// The leading run of code characters of a value, at most `max` (`9144…X 存续` → `9144…X`).
fn code_value(value: &str, allow_mask: bool, max: usize) -> Option<String> {
    let n = normalize(value);
    let code: String = n
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || (allow_mask && *c == '*'))
        .take(max)
        .collect();
    (!code.is_empty()).then_some(code)
}

// ---------------------------------------------------------------------------------------------
// Chapters and entries

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

struct Body {
    chapters: Vec<ChapterSeen>,
    adverse: Vec<AdverseEntry>,
    /// Index of the line where the first chapter after 一 starts (the end of the front matter).
    front_end: usize,
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

fn parse_body(lines: &[String]) -> Body {
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

// ---------------------------------------------------------------------------------------------
// Summary

const SUMMARY_KEYS: [(&[&str], Chapter); 8] = [
    (&["行政管理"], Chapter::Administrative),
    (&["诚实守信"], Chapter::Honors),
    (&["严重失信"], Chapter::SeriousDishonesty),
    (
        &["经营异常", "经营(活动)异常", "异常名录"],
        Chapter::AbnormalOperation,
    ),
    (&["信用承诺"], Chapter::Commitments),
    (&["信用评价"], Chapter::Evaluations),
    (&["司法判决", "司法"], Chapter::Judicial),
    (&["其他", "其它"], Chapter::Other),
];

/// `N条` counts at byte offsets in `s`.
fn counts_in(s: &str) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    for (at, _) in s.match_indices('条') {
        let before = s.get(..at).unwrap_or("");
        let digits: String = before
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !digits.is_empty()
            && digits.len() <= 6
            && !before
                .get(..before.len() - digits.len())
                .is_some_and(|b| b.ends_with('第'))
            && let Ok(n) = digits.parse()
        {
            out.push((at, n));
        }
    }
    out
}

/// The `信用信息概要` counts, by category (each category's first `N条` before the next category;
/// or, for a row of categories over a row of counts, the counts in order).
fn parse_summary(lines: &[String], front_end: usize) -> SummaryCounts {
    let mut counts = SummaryCounts::default();
    let Some(start) = lines
        .iter()
        .take(front_end.max(1))
        .position(|l| l.contains("信用信息概要"))
    else {
        return counts;
    };
    let end = front_end.max(start + 1).min(start + 60).min(lines.len());
    let text = lines.get(start..end).unwrap_or(&[]).join("\n");
    let text = text
        .split_once("信用信息概要")
        .map_or(text.as_str(), |(_, t)| t);
    let mut found: Vec<(usize, Chapter)> = SUMMARY_KEYS
        .iter()
        .filter_map(|(keys, ch)| keys.iter().find_map(|k| text.find(k)).map(|p| (p, *ch)))
        .collect();
    found.sort();
    let all = counts_in(text);
    // A row of categories over a row of counts: every category before the first count.
    if let (Some((last, _)), Some((first_count, _))) = (found.last(), all.first())
        && last < first_count
    {
        if all.len() >= found.len() {
            for ((_, ch), (_, n)) in found.iter().zip(&all) {
                counts.set(*ch, *n);
            }
        }
        return counts;
    }
    for (i, (pos, ch)) in found.iter().enumerate() {
        let next = found.get(i + 1).map_or(text.len(), |(p, _)| *p);
        if let Some((_, n)) = all.iter().find(|(at, _)| at > pos && *at < next) {
            counts.set(*ch, *n);
        }
    }
    counts
}

// ---------------------------------------------------------------------------------------------
// The whole report

fn problem(fact: Option<ReportFact>, message: impl Into<String>) -> ParseProblem {
    ParseProblem {
        fact,
        message: message.into(),
    }
}

/// Parse the text of a report (pages separated by form feeds, as [`super::ReportText::text`]
/// gives it; plain text works too). Never fails: what is not found is `None` in the report and
/// named in the problems.
pub fn parse_report_text(text: &str) -> ParsedReport {
    let lines = clean_lines(text);
    let body = parse_body(&lines);
    let front = lines.get(..body.front_end).unwrap_or(&lines);
    let mut report = CreditReport::empty();
    let mut problems = Vec::new();

    // Title and kind.
    let title = front.iter().find(|l| l.contains("信用信息报告"));
    report.kind = title.and_then(|t| {
        if t.contains("法人") || t.contains("组织") {
            Some(ReportKind::Organization)
        } else if t.contains("个人") || t.contains("自然人") {
            Some(ReportKind::Person)
        } else {
            None
        }
    });
    if report.kind.is_none() {
        let inferred = if field(front, USCC).is_some() || field(front, ORG_NAME).is_some() {
            Some(ReportKind::Organization)
        } else if field(front, PERSON_CODE).is_some() || field(front, PERSON_NAME).is_some() {
            Some(ReportKind::Person)
        } else {
            None
        };
        report.kind = inferred;
        let msg = match inferred {
            Some(k) => format!("未找到报告标题，按内容判断为{}报告：请核对", k.label()),
            None => "未找到报告标题，无法判断是法人和非法人组织报告还是个人报告：请手工选择".into(),
        };
        problems.push(problem(Some(ReportFact::Kind), msg));
    }

    // Header.
    report.report_no = field(front, REPORT_NO).and_then(|f| code_value(&f.value, false, 40));
    if let Some(f) = field(front, GENERATED) {
        match parse_date_time(&f.value) {
            Some((at, time_known)) => {
                report.generated_at = Some(at);
                report.generated_time_known = time_known;
            }
            None => problems.push(problem(
                Some(ReportFact::GeneratedAt),
                format!("报告生成日期“{}”无法识别：请对照原件手工录入", f.value),
            )),
        }
    }
    report.issuing_unit = field(front, ISSUER).map(|f| f.value);
    let header_text: String = front
        .iter()
        .take(12)
        .chain(title)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    report.platform = Platform::detect(report.issuing_unit.as_deref(), &header_text);

    // Subject.
    match report.kind {
        Some(ReportKind::Person) => {
            report.subject_name = name_field(front, PERSON_NAME, false);
            report.subject_code =
                field(front, PERSON_CODE).and_then(|f| code_value(&f.value, true, 18));
        }
        _ => {
            report.subject_name = name_field(front, ORG_NAME, true);
            report.subject_code = field(front, USCC).and_then(|f| code_value(&f.value, false, 18));
            report.legal_rep = field(front, LEGAL_REP).map(|f| f.value);
            if let Some(code) = &report.subject_code
                && let Err(e) = Uscc::parse(code)
            {
                problems.push(problem(
                    Some(ReportFact::SubjectCode),
                    format!("报告上的统一社会信用代码 {code} 未通过校验（{e}）：请对照原件核对"),
                ));
            }
        }
    }

    // Status and tags: a line of their own, or the value of 登记状态 / 经营状态.
    report.status = field(front, &["登记状态", "经营状态"])
        .map(|f| f.value)
        .or_else(|| {
            front
                .iter()
                .find_map(|l| STATUS_WORDS.iter().find(|w| l.as_str() == **w))
                .map(|w| (*w).to_string())
        });
    report.tags = TAGS
        .iter()
        .filter(|t| front.iter().any(|l| l.contains(**t)))
        .map(|t| (*t).to_string())
        .collect();

    report.summary = parse_summary(&lines, body.front_end);
    report.chapters = body.chapters;
    report.adverse = body.adverse;
    report.refresh_found();

    for fact in report.missing.clone() {
        let msg = match fact {
            ReportFact::Platform => "未能从报告出具单位或标题识别下载平台（信用中国 / 信用广东 / 信用湛江）：请核对报告来源（依据 T-3）".to_string(),
            ReportFact::Summary => "未找到“信用信息概要”的条数：请对照原件核对".to_string(),
            other => format!("未找到{}：请对照原件手工录入", other.label()),
        };
        problems.push(problem(Some(fact), msg));
    }
    if let (Some(no), Some(at)) = (&report.report_no, report.generated_at)
        && let Some(w) = check_report_no(no, at, report.generated_time_known)
    {
        problems.push(problem(Some(ReportFact::ReportNo), w));
    }

    // Rule T-4 must not pass on a report the reader doubts: each doubt is a problem for the
    // clerk and is kept on the report, where T-4 finds it.
    let mut doubts: Vec<ParseProblem> = Vec::new();
    for ch in ADVERSE_CHAPTERS {
        let seen = report.chapters.iter().find(|c| c.chapter == ch);
        let summary = report.summary.get(ch);
        match (seen, summary) {
            (None, _) => doubts.push(problem(
                None,
                format!(
                    "未找到“{}”一章：无法确认其中有无不良信息，请对照原件核对（依据 T-4）",
                    ch.label()
                ),
            )),
            (Some(s), Some(n)) if s.entries != n => doubts.push(problem(
                Some(ReportFact::Summary),
                format!(
                    "信用信息概要中“{}”为 {n} 条，正文读到 {} 条：请对照原件核对（依据 T-4）",
                    ch.label(),
                    s.entries
                ),
            )),
            _ => {}
        }
    }
    if report.tags.iter().any(|t| t == "失信惩戒对象") && report.adverse.is_empty() {
        doubts.push(problem(
            None,
            "报告标注为“失信惩戒对象”，但正文中没有读到不良信息：请对照原件核对（依据 T-4）",
        ));
    }
    for e in &report.adverse {
        if e.date.is_none() {
            doubts.push(problem(
                None,
                format!(
                    "{}未读到日期，按在核查期间内处理：请对照原件核对（依据 T-4）",
                    e.place()
                ),
            ));
        }
    }
    report.doubts = doubts.iter().map(|p| p.message.clone()).collect();
    problems.extend(doubts);
    ParsedReport { report, problems }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A valid USCC for the fixtures (check character computed).
    fn uscc() -> String {
        let body = "91440800MA4UJ4K37";
        let c = crate::domain::id_codes::uscc_check_char(body).unwrap();
        format!("{body}{c}")
    }

    fn clean_report(code: &str) -> String {
        format!(
            "法人和非法人组织公共信用信息报告\n\
             报告编号：2026050419025750859D39\n\
             报告生成日期：2026年05月04日\n\
             报告出具单位：国家公共信用和地理空间信息中心\n\
             机构名称：湛江市霞山区海港贸易有限公司\n\
             统一社会信用代码：{code}\n\
             法定代表人/负责人：张三\n\
             存续\n\
             信用信息概要\n\
             行政管理 1条 诚实守信 0条 严重失信主体名单 0条 经营异常 0条\n\
             信用承诺 0条 信用评价 0条 司法判决 0条 其他 0条\n\
             一、登记注册基础信息\n\
             机构名称：湛江市霞山区海港贸易有限公司\n\
             二、行政管理信息\n\
             行政许可信息\n\
             第 1 条\n\
             行政许可决定文书号：湛霞许字〔2024〕1号\n\
             许可决定日期：2024年03月01日\n\
             行政处罚信息\n\
             查询期内无相关信息\n\
             三、诚实守信相关荣誉信息\n查询期内无相关信息\n\
             四、严重失信主体名单信息\n查询期内无相关信息\n\
             五、经营（活动）异常名录\n查询期内无相关信息\n\
             六、信用承诺信息\n查询期内无相关信息\n\
             七、信用评价信息\n查询期内无相关信息\n\
             八、司法判决及执行信息\n查询期内无相关信息\n\
             九、其他信息\n查询期内无相关信息\n\
             十、信用状况提升建议\n一、建议主动作出信用承诺\n\
             报告说明\n一、本报告中的严重失信主体名单信息第1条仅为示例\n"
        )
    }

    #[test]
    fn normalises_spacing_and_width() {
        assert_eq!(
            normalize_line("报 告 编 号 ： 2026 0504"),
            "报告编号:2026 0504"
        );
        assert_eq!(normalize_line("第 1 条"), "第1条");
        assert_eq!(normalize_line("2024-12-24 10:03:11"), "2024-12-24 10:03:11");
        assert_eq!(
            normalize_line("法定代表人 / 负责人：张三"),
            "法定代表人/负责人:张三"
        );
        assert_eq!(normalize_line("经营（活动）异常名录"), "经营(活动)异常名录");
        assert_eq!(normalize_line("\u{3000}ＡＢＣ  DEF "), "ABC DEF");
    }

    #[test]
    fn clean_report_is_read_whole() {
        let code = uscc();
        let p = parse_report_text(&clean_report(&code));
        let r = &p.report;
        assert_eq!(r.report_no.as_deref(), Some("2026050419025750859D39"));
        assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
        assert!(!r.generated_time_known);
        assert_eq!(
            r.issuing_unit.as_deref(),
            Some("国家公共信用和地理空间信息中心")
        );
        assert_eq!(r.platform, Platform::CreditChina);
        assert_eq!(r.kind, Some(ReportKind::Organization));
        assert_eq!(
            r.subject_name.as_deref(),
            Some("湛江市霞山区海港贸易有限公司")
        );
        assert_eq!(r.subject_code.as_deref(), Some(code.as_str()));
        assert_eq!(r.legal_rep.as_deref(), Some("张三"));
        assert_eq!(r.status.as_deref(), Some("存续"));
        assert!(r.tags.is_empty());
        assert_eq!(r.summary.administrative, Some(1));
        assert_eq!(r.summary.other, Some(0));
        assert!(r.adverse.is_empty(), "{:?}", r.adverse);
        assert!(r.missing.is_empty(), "{:?}", r.missing);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(r.chapters.len(), 11, "{:?}", r.chapters);
        let admin = r
            .chapters
            .iter()
            .find(|c| c.chapter == Chapter::Administrative)
            .unwrap();
        assert_eq!((admin.entries, admin.marked_empty), (1, true));
    }

    #[test]
    fn adverse_entries_by_chapter_rule() {
        let text = "法人和非法人组织公共信用信息报告\n\
            二、行政管理信息\n\
            行政许可\n第1条\n行政许可决定文书号:X\n许可决定日期:2025-01-01\n\
            行政处罚\n第1条\n行政处罚决定书文号:湛霞市监罚〔2024〕12号\n处罚决定日期:2024年12月24日\n\
            三、诚实守信相关荣誉信息\n第1条 荣誉:纳税信用A级\n\
            四、严重失信主体名单信息\n第1条\n名单类型:重大税收违法失信主体\n列入日期:2023-06-30\n\
            五、经营(活动)异常名录\n第1条\n列入经营异常名录原因类型名称:未按规定报送年度报告\n列入日期:— —\n\
            八、司法判决及执行信息\n\
            (一)司法判决\n第1条\n案号:(2023)粤0802民初1号\n\
            (二)失信被执行人\n第1条\n立案时间:2022年5月6日\n发布时间:2023年1月9日\n\
            九、其他信息\n第1条 纳税信用A级纳税人\n第2条 拖欠农民工工资失信联合惩戒对象\n记录日期:2025/3/1\n\
            十、信用状况提升建议\n";
        let p = parse_report_text(text);
        let got: Vec<(AdverseKind, u32, Option<NaiveDate>)> = p
            .report
            .adverse
            .iter()
            .map(|e| (e.kind, e.index, e.date.map(|x| x.date)))
            .collect();
        assert_eq!(
            got,
            vec![
                (AdverseKind::AdministrativePenalty, 1, Some(d(2024, 12, 24))),
                (AdverseKind::SeriousDishonestyList, 1, Some(d(2023, 6, 30))),
                (AdverseKind::AbnormalOperation, 1, None),
                (AdverseKind::DishonestExecutee, 1, Some(d(2023, 1, 9))),
                (AdverseKind::OtherDishonesty, 2, Some(d(2025, 3, 1))),
            ]
        );
        let exec = &p.report.adverse[3];
        assert_eq!(exec.date.unwrap().label, DateLabel::Published);
        assert_eq!(exec.dates.len(), 2);
        assert!(p.report.adverse[0].title.contains("湛霞市监罚"));
        // The undated entry is named among the problems.
        assert!(
            p.problems.iter().any(|x| x
                .message
                .starts_with("“经营（活动）异常名录”第 1 条未读到日期")),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn labels_and_values_on_separate_lines_and_wrapped() {
        let code = uscc();
        let text = format!(
            "法人和非法人组织\n公共信用信息报告\n报告编号\n2026050419025750859D39\n报告生成日期\n2026-05-04 19:02:57\n\
             报告出具单位\n信用湛江\n机构名称:湛江市霞山区海港贸易有\n限公司\n统一社会\n信用代码:{code}\n\
             法定代表人/\n负责人:李四\n一、登记注册基础信息\n二、行政管理信息\n"
        );
        let p = parse_report_text(&text);
        let r = &p.report;
        assert_eq!(r.report_no.as_deref(), Some("2026050419025750859D39"));
        assert_eq!(
            r.generated_at,
            Some(d(2026, 5, 4).and_hms_opt(19, 2, 57).unwrap())
        );
        assert!(r.generated_time_known);
        assert_eq!(r.platform, Platform::CreditZhanjiang);
        assert_eq!(
            r.subject_name.as_deref(),
            Some("湛江市霞山区海港贸易有限公司")
        );
        assert_eq!(r.subject_code.as_deref(), Some(code.as_str()));
        assert_eq!(r.legal_rep.as_deref(), Some("李四"));
        assert!(
            !p.problems
                .iter()
                .any(|x| x.fact == Some(ReportFact::ReportNo)),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn spaced_words_and_half_width_colons() {
        let code = uscc();
        let text = format!(
            "法 人 和 非 法 人 组 织 公 共 信 用 信 息 报 告\n报 告 编 号 : 2026050419025750859D39\n\
             报 告 生 成 日 期 : 2026 年 5 月 4 日\n机 构 名 称 : 湛 江 市 赤 坎 区 示 例 厂\n\
             统 一 社 会 信 用 代 码 : {code}\n"
        );
        let r = parse_report_text(&text).report;
        assert_eq!(r.report_no.as_deref(), Some("2026050419025750859D39"));
        assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
        assert_eq!(r.subject_name.as_deref(), Some("湛江市赤坎区示例厂"));
        assert_eq!(r.subject_code.as_deref(), Some(code.as_str()));
    }

    #[test]
    fn values_in_a_row_under_labels_and_several_pairs_per_line() {
        let code = uscc();
        let text = format!(
            "法人和非法人组织公共信用信息报告\n报告编号 报告生成日期\n2026050419025750859D39 2026年05月04日\n\
             机构名称 湛江市示例有限公司 统一社会信用代码 {code}\n"
        );
        let r = parse_report_text(&text).report;
        assert_eq!(r.report_no.as_deref(), Some("2026050419025750859D39"));
        assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
        assert_eq!(r.subject_name.as_deref(), Some("湛江市示例有限公司"));
        assert_eq!(r.subject_code.as_deref(), Some(code.as_str()));
    }

    #[test]
    fn repeated_headers_footers_and_page_numbers_are_dropped() {
        let page = |n: usize, body: &str| {
            format!(
                "报告编号:2026050419025750859D39\n湛江市霞山区海港贸易有限公司\n{body}\n本报告仅供参考\n第 {n} 页 共 3 页\n"
            )
        };
        let text = [
            page(
                1,
                "法人和非法人组织公共信用信息报告\n机构名称:湛江市霞山区海港贸易有限公司",
            ),
            page(2, "四、严重失信主体名单信息\n第1条\n列入日期:2024-01-02"),
            page(
                3,
                "数据来源:国家税务总局\n五、经营(活动)异常名录\n查询期内无相关信息",
            ),
        ]
        .join("\u{c}");
        let lines = clean_lines(&text);
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("报告编号")).count(),
            1,
            "{lines:?}"
        );
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.contains("本报告仅供参考"))
                .count(),
            1,
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.contains("页")), "{lines:?}");
        let p = parse_report_text(&text);
        assert_eq!(
            p.report.report_no.as_deref(),
            Some("2026050419025750859D39")
        );
        assert_eq!(p.report.adverse.len(), 1);
        // The entry's text does not carry the next page's header.
        assert_eq!(
            p.report.adverse[0].raw,
            "列入日期:2024-01-02\n数据来源:国家税务总局"
        );
    }

    #[test]
    fn person_report() {
        let text = "个人公共信用信息报告\n报告编号:2026050419025750859D39\n报告生成日期:2026年05月04日\n\
            报告出具单位:信用广东\n姓名:王五\n证件类型:居民身份证\n证件号码:440802********1234\n\
            一、基础信息\n二、行政管理信息\n查询期内无相关信息\n";
        let p = parse_report_text(text);
        let r = &p.report;
        assert_eq!(r.kind, Some(ReportKind::Person));
        assert_eq!(r.platform, Platform::CreditGuangdong);
        assert_eq!(r.subject_name.as_deref(), Some("王五"));
        assert_eq!(r.subject_code.as_deref(), Some("440802********1234"));
        assert!(
            p.problems
                .iter()
                .any(|x| x.message.contains("严重失信主体名单信息") && x.message.contains("T-4"))
        );
    }

    #[test]
    fn missing_facts_and_summary_mismatch_are_problems() {
        let text = "法人和非法人组织公共信用信息报告\n信用信息概要\n严重失信主体名单 2条\n\
            四、严重失信主体名单信息\n第1条\n列入日期:2024-01-02\n";
        let p = parse_report_text(text);
        assert!(p.report.missing.contains(&ReportFact::ReportNo));
        assert!(
            p.problems
                .iter()
                .any(|x| x.fact == Some(ReportFact::ReportNo))
        );
        assert!(
            p.problems
                .iter()
                .any(|x| x.message.contains("为 2 条，正文读到 1 条")),
            "{:?}",
            p.problems
        );
        let empty = parse_report_text("");
        assert_eq!(empty.report.missing.len(), ReportFact::ALL.len());
        assert!(empty.problems.len() >= ReportFact::ALL.len());
    }

    #[test]
    fn a_dishonesty_tag_without_entries_is_a_problem() {
        let text = "法人和非法人组织公共信用信息报告\n机构名称:湛江市示例有限公司\n失信惩戒对象\n\
                    四、严重失信主体名单信息\n查询期内无相关信息\n";
        let p = parse_report_text(text);
        assert_eq!(p.report.tags, vec!["失信惩戒对象".to_string()]);
        assert_eq!(p.report.subject_name.as_deref(), Some("湛江市示例有限公司"));
        assert!(
            p.problems
                .iter()
                .any(|x| x.message.contains("失信惩戒对象"))
        );
    }

    #[test]
    fn summary_as_a_row_of_counts() {
        let text = "信用信息概要\n行政管理 诚实守信 严重失信主体名单 经营异常 信用承诺 信用评价 司法判决 其他\n\
                    3条 0条 1条 0条 2条 0条 0条 5条\n一、登记注册基础信息\n";
        let lines = clean_lines(text);
        let s = parse_summary(&lines, lines.len());
        assert_eq!(s.administrative, Some(3));
        assert_eq!(s.serious_dishonesty, Some(1));
        assert_eq!(s.commitments, Some(2));
        assert_eq!(s.other, Some(5));
    }

    #[test]
    fn report_number_mismatch_warns() {
        let text = "法人和非法人组织公共信用信息报告\n报告编号:2026050119025750859D39\n报告生成日期:2026年05月04日\n";
        let p = parse_report_text(text);
        assert!(
            p.problems
                .iter()
                .any(|x| x.fact == Some(ReportFact::ReportNo) && x.message.contains("不一致")),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn line_helpers() {
        assert_eq!(
            entry_marker("第12条行政处罚决定书文号:X"),
            Some((12, "行政处罚决定书文号:X"))
        );
        assert_eq!(entry_marker("第一条"), None);
        assert!(is_page_number("第 2 页 共 5 页"));
        assert!(is_page_number("2 / 5"));
        assert!(is_page_number("- 3 -"));
        assert!(!is_page_number("2024-12-24"));
        assert!(!is_page_number("3条"));
        assert_eq!(
            heading("四、严重失信主体名单信息"),
            Some(Chapter::SeriousDishonesty)
        );
        assert_eq!(heading("四、严重失信主体名单信息......5"), None);
        assert_eq!(heading("报告说明"), Some(Chapter::Notes));
        assert!(is_empty_value("— —"));
        assert!(wraps_label("法定代表人/", "负责人:张三"));
        assert!(!wraps_label("湛江市法定", "代表大会"));
        assert_eq!(
            clean_lines("四、\n严重失信主体名单信息"),
            vec!["四、严重失信主体名单信息"]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panic(
            s in "[第条一二三四五六七八九十、:：报告编号生成日期机构名称统一社会信用代码信息概要严重失信查询期内无相关 0-9年月日/—\\-\n\u{c}]{0,300}"
        ) {
            let p = parse_report_text(&s);
            proptest::prop_assert_eq!(p.report.found.len() + p.report.missing.len(), ReportFact::ALL.len());
        }
    }

    #[test]
    fn hostile_text_does_not_panic() {
        for s in [
            "第",
            "第99999999999条",
            "报告编号:",
            "报告生成日期:\n",
            "信用信息概要",
            "一、",
            "：：：",
            "\u{c}\u{c}\u{c}",
        ] {
            let _ = parse_report_text(s);
        }
        let long = "第1条 ".repeat(10_000) + &"九、其他信息\n".repeat(100);
        let p = parse_report_text(&long);
        assert!(p.report.chapters.len() <= 1);
    }
}
