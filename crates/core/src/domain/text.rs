//! Small text rules shared by every form and import: required text, length limits, dates as
//! clerks write them, and field-level errors.

use chrono::NaiveDate;
use serde::Serialize;

/// One wrong field of a form or import row, with the Chinese message that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError<F> {
    pub field: F,
    pub message: String,
}

impl<F> FieldError<F> {
    pub fn new(field: F, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Trimmed text that must not be empty, must fit `max` characters and carries no control
/// characters (a pasted tab or newline would break exports and the printed letter).
pub fn require_text(s: &str, max: usize) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("不能为空，请填写".into());
    }
    let n = t.chars().count();
    if n > max {
        return Err(format!("最多 {max} 个字，现在是 {n} 个字，请删减"));
    }
    if t.chars().any(char::is_control) {
        return Err("含有换行或制表符等控制字符，请删除".into());
    }
    refuse_unprintable(t)?;
    Ok(t.to_string())
}

/// Refuse what a name, address or reason must not hold although it is not a control character:
/// invisible characters (zero-width spaces, direction overrides that make "公司A" read "A司公"),
/// emoji and private-use characters. Each message names the character, since the clerk cannot
/// see it; the letter (C-1), exports and the platform feed (E-1) all need plain text.
pub fn refuse_unprintable(t: &str) -> Result<(), String> {
    for (i, c) in t.chars().enumerate() {
        let at = i + 1;
        if is_hidden_char(c) {
            return Err(format!(
                "第 {at} 个字处有一个看不见的字符（U+{:04X}），多半是复制时带来的：请删除后重新输入",
                c as u32
            ));
        }
        if is_emoji(c) {
            return Err(format!(
                "第 {at} 个字“{c}”是表情符号，承诺书和报送数据不能使用：请删除"
            ));
        }
        if matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}') {
            return Err(format!(
                "第 {at} 个字（U+{:04X}）是自定义字符，其他电脑无法显示：请改用标准汉字",
                c as u32
            ));
        }
    }
    Ok(())
}

/// Emoji and pictographs (the blocks emoji are drawn from; no name or address needs them).
pub fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}'
        | '\u{E0020}'..='\u{E007F}' | '\u{20E3}')
}

/// How many characters of a user's value an error message quotes (a bad cell may be a
/// 900 KB paste; the clerk needs to recognise it, not read it).
pub const SHOWN_VALUE_CHARS: usize = 60;

/// A value as an error message quotes it: at most [`SHOWN_VALUE_CHARS`] characters, then
/// "…（共 N 字）"; control, bidirectional and invisible characters written as `\u{…}` so that
/// nothing in a hostile file can move the terminal's cursor, reorder the line or hide itself.
pub fn shown_value(s: &str) -> String {
    let mut out = String::new();
    let mut count = 0usize;
    for c in s.chars() {
        count += 1;
        if count > SHOWN_VALUE_CHARS {
            continue;
        }
        if is_hidden_char(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    if count > SHOWN_VALUE_CHARS {
        out.push_str(&format!("…（共 {count} 字）"));
    }
    out
}

/// Characters a reader cannot see or that change how the text around them is shown: controls,
/// zero-width characters, bidirectional overrides and isolates, the BOM, the soft hyphen and
/// variation selectors. They have no place in a name, a code or an address.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E0FFF}')
}

/// Parse a date as clerks and spreadsheets write it: `2024-02-29`, `2024/2/29`, `2024.2.29`,
/// `2024年2月29日`, `20240229`. The message names the date and the expected form.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = super::id_codes::normalize(s);
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let ymd = match parts.as_slice() {
        [y, m, d] => Some((*y, *m, *d)),
        [compact] if compact.len() == 8 && compact.chars().all(|c| c.is_ascii_digit()) => {
            Some((&compact[..4], &compact[4..6], &compact[6..]))
        }
        _ => None,
    };
    let bad = || format!("日期“{}”无法识别，请按 2024-02-29 的格式填写", s.trim());
    let (y, m, d) = ymd.ok_or_else(bad)?;
    let (y, m, d) = match (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
        (Ok(y), Ok(m), Ok(d)) if (1800..=2200).contains(&y) => (y, m, d),
        _ => return Err(bad()),
    };
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| format!("{y} 年 {m} 月没有 {d} 日，请核对日期“{}”", s.trim()))
}

/// `YYYY-MM-DD` without going through the formatter (years 0–9999, as SQLite stores them). Used
/// for every row of a bulk import, where the formatter cost more than the rest of the row.
pub fn iso_date(d: NaiveDate, buf: &mut [u8; 10]) -> &str {
    use chrono::Datelike;
    let y = d.year().clamp(0, 9999) as u32;
    let (m, day) = (d.month(), d.day());
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        10,
        m / 10,
        m % 10,
        10,
        day / 10,
        day % 10,
    ];
    for (b, v) in buf.iter_mut().zip(digits) {
        *b = if v == 10 { b'-' } else { b'0' + v as u8 };
    }
    // Only ASCII digits and '-' were written.
    std::str::from_utf8(buf).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_and_emoji_are_refused_by_name() {
        let e = require_text("\u{200B}\u{200B}", 10).unwrap_err();
        assert!(e.contains("U+200B"), "{e}");
        let e = require_text("湛江\u{202E}公司", 10).unwrap_err();
        assert!(e.contains("第 3 个字") && e.contains("U+202E"), "{e}");
        let e = require_text("海港贸易😀", 10).unwrap_err();
        assert!(e.contains("😀") && e.contains("表情符号"), "{e}");
        // A CJK Extension B character (Cantonese names) is a legal name character.
        assert_eq!(require_text("陈𨋢", 10).unwrap(), "陈𨋢");
    }

    #[test]
    fn shown_value_cuts_and_escapes() {
        assert_eq!(shown_value("湛江"), "湛江");
        assert_eq!(shown_value("a\u{1b}[2Jb"), "a\\u{001B}[2Jb");
        assert_eq!(shown_value("x\u{202E}y\u{200B}"), "x\\u{202E}y\\u{200B}");
        let long = "码".repeat(900_000);
        let shown = shown_value(&long);
        assert!(shown.starts_with(&"码".repeat(SHOWN_VALUE_CHARS)));
        assert!(shown.ends_with("…（共 900000 字）"), "{shown}");
        assert!(shown.chars().count() < 80);
    }

    #[test]
    fn dates_in_common_forms() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        for s in [
            "2024-02-29",
            "2024/2/29",
            "2024.2.29",
            "2024年2月29日",
            "20240229",
            " ２０２４-０２-２９ ",
        ] {
            assert_eq!(parse_date(s), Ok(d), "{s}");
        }
        assert!(parse_date("2023-02-29").unwrap_err().contains("没有 29 日"));
        assert!(parse_date("2023-02-30").is_err());
        assert!(parse_date("昨天").unwrap_err().contains("无法识别"));
        assert!(parse_date("0001-01-01").is_err());
    }

    #[test]
    fn required_text() {
        assert_eq!(require_text("  名称 ", 10).unwrap(), "名称");
        assert!(require_text(" ", 10).is_err());
        assert!(
            require_text("一二三", 2)
                .unwrap_err()
                .contains("最多 2 个字")
        );
        assert!(require_text("a\tb", 10).is_err());
    }

    #[test]
    fn iso_dates_match_chrono() {
        let mut buf = [0u8; 10];
        for (y, m, d) in [(2026, 1, 5), (1999, 12, 31), (2024, 2, 29), (5, 3, 9)] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(iso_date(date, &mut buf), date.to_string());
        }
    }
}
