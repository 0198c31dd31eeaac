//! Cleaning the extracted text into lines, and recognising the lines that give a report its
//! structure.
//!
//! Text extraction leaves artefacts that no label or title survives: full-width forms, a space
//! between every two characters, page numbers, the headers and footers repeated on every page,
//! labels wrapped over two lines. They are removed here once, so that the readers of fields,
//! chapters and counts see the text as printed. Recognising chapter headings, `第N条` markers and
//! empty values lives here too, because cleaning needs it: those lines are content and must never
//! be taken for a repeated page header.

use crate::documents::credit_report::PAGE_BREAK;
use crate::domain::report::Chapter;

use super::EMPTY_CHAPTER;
use super::fields::LABELS;

fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\t' | '\u{2002}'..='\u{200B}' => ' ',
        other => other,
    }
}

/// Characters next to which a space is an artefact of extraction, not a word break.
pub(super) fn cjkish(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3001}'..='\u{303F}'
        | '\u{2018}'..='\u{201D}'
        | ':' | '/' | '(' | ')' | ',' | ';')
}

/// Fold full-width forms and drop spaces that touch a Chinese character (see the module docs).
fn normalize_line(s: &str) -> String {
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
pub(super) fn heading(line: &str) -> Option<Chapter> {
    if let Some(title) = heading_parts(line) {
        return Chapter::from_title(title);
    }
    let t = line.trim_end_matches(':');
    (t == "报告说明").then_some(Chapter::Notes)
}

/// `第3条…` → (3, the rest of the line).
pub(super) fn entry_marker(line: &str) -> Option<(u32, &str)> {
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
pub(super) fn is_empty_value(v: &str) -> bool {
    let t: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    t.is_empty() || t.chars().all(|c| matches!(c, '—' | '-' | '–' | '―' | '一')) || t == "无"
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
