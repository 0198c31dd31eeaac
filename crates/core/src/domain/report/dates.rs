//! Dates and times as reports print them: `2024年12月24日`, `2024-12-24 10:03:11`, full-width
//! digits, spaces around the separators, a space lost before the time.
//!
//! Separate because both the parser (entry dates, the generation date) and the clerk's hand
//! entry read dates this way, and because it is the fiddliest text handling of the report.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::text::parse_date;

/// Parse `2024年12月24日`, `2024-12-24`, `2024-12-24 10:03:11`, `2024-12-2410:03:11` (a lost
/// space) or `2024年12月24日 10:03`. Returns the moment and whether a time of day was given.
/// The date must open the text (after spaces): `编号 20240305` is not a date.
pub fn parse_date_time(s: &str) -> Option<(NaiveDateTime, bool)> {
    let s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let (date, end) = date_at(&chars, 0)?;
    let rest = chars
        .get(end)
        .map_or("", |&(b, _)| s.get(b..).unwrap_or(""));
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    Some(match scan_time(rest) {
        Some(t) => (date.and_time(t), true),
        None => (date.and_time(NaiveTime::MIN), false),
    })
}

/// Find the first date in `s` (`2024年12月24日`, `2024-12-24`, `2024/12/24`, `2024.12.24`,
/// digits possibly full-width, spaces allowed around the separators). Returns the date and the
/// text after it.
pub fn scan_date(s: &str) -> Option<(NaiveDate, &str)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars.get(i).is_some_and(|&(_, c)| digit(c))
            && (i == 0 || chars.get(i - 1).is_none_or(|&(_, c)| !digit(c)));
        if starts_number && let Some((date, end)) = date_at(&chars, i) {
            let rest = chars
                .get(end)
                .map_or("", |&(b, _)| s.get(b..).unwrap_or(""));
            return Some((date, rest));
        }
        i += 1;
    }
    None
}

/// Read `yyyy<sep>m<sep>d[日]` starting at `i`; returns the date and the index after it.
fn date_at(chars: &[(usize, char)], i: usize) -> Option<(NaiveDate, usize)> {
    let mut pos = i;
    let mut parts = [0u32; 3];
    for (n, part) in parts.iter_mut().enumerate() {
        let (max, want) = if n == 0 { (4, 4..=4) } else { (2, 1..=2) };
        let (v, len) = number_at(chars, pos, max)?;
        if !want.contains(&len) {
            return None;
        }
        *part = v;
        pos += len;
        pos = skip_spaces(chars, pos);
        let sep = chars.get(pos).map(|&(_, c)| c);
        match (n, sep) {
            (0, Some('年')) | (1, Some('月')) => pos += 1,
            (0 | 1, Some('-' | '/' | '.' | '－' | '／' | '．')) => pos += 1,
            (2, Some('日' | '号')) => pos += 1,
            (2, _) => {}
            _ => return None,
        }
        pos = if n < 2 { skip_spaces(chars, pos) } else { pos };
    }
    let [y, m, d] = parts;
    let text = format!("{y:04}-{m:02}-{d:02}");
    parse_date(&text).ok().map(|date| (date, pos))
}

fn skip_spaces(chars: &[(usize, char)], mut pos: usize) -> usize {
    while chars
        .get(pos)
        .is_some_and(|&(_, c)| c.is_whitespace() || c == '\u{3000}')
    {
        pos += 1;
    }
    pos
}

/// Up to `max` (at most 9) digits, ASCII or full-width, at `pos`: their value and count.
fn number_at(chars: &[(usize, char)], pos: usize, max: usize) -> Option<(u32, usize)> {
    let mut v: u32 = 0;
    let mut len = 0;
    while let Some(&(_, c)) = chars.get(pos + len) {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => break,
        };
        if len >= max.min(9) {
            break;
        }
        v = v * 10 + d;
        len += 1;
    }
    (len > 0).then_some((v, len))
}

/// Read `HH:MM[:SS]` at the start of `s`.
fn scan_time(s: &str) -> Option<NaiveTime> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let (h, hl) = number_at(&chars, 0, 2)?;
    let mut pos = hl;
    let colon = |c: char| c == ':' || c == '：';
    if !(1..=2).contains(&hl) || !chars.get(pos).is_some_and(|&(_, c)| colon(c)) {
        return None;
    }
    pos += 1;
    let (m, ml) = number_at(&chars, pos, 2)?;
    if ml != 2 {
        return None;
    }
    pos += ml;
    let mut sec = 0;
    if chars.get(pos).is_some_and(|&(_, c)| colon(c))
        && let Some((s2, sl)) = number_at(&chars, pos + 1, 2)
        && sl == 2
    {
        sec = s2;
    }
    NaiveTime::from_hms_opt(h, m, sec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::tests::d;

    #[test]
    fn dates_and_times_as_printed() {
        let at = |s: &str| parse_date_time(s);
        let noon = d(2024, 12, 24).and_hms_opt(10, 3, 11).unwrap();
        assert_eq!(at("2024-12-24 10:03:11"), Some((noon, true)));
        assert_eq!(at("2024-12-2410:03:11"), Some((noon, true)));
        assert_eq!(
            at("2024年12月24日"),
            Some((d(2024, 12, 24).and_time(NaiveTime::MIN), false))
        );
        assert_eq!(
            at("2024 年 12 月 24 日"),
            Some((d(2024, 12, 24).and_time(NaiveTime::MIN), false))
        );
        assert_eq!(
            at("２０２４年１２月２４日"),
            Some((d(2024, 12, 24).and_time(NaiveTime::MIN), false))
        );
        assert_eq!(
            at("2024/1/5"),
            Some((d(2024, 1, 5).and_time(NaiveTime::MIN), false))
        );
        assert_eq!(at("— —"), None);
        assert_eq!(at("2023年2月29日"), None);
        assert_eq!(at("123456"), None);
        assert_eq!(
            scan_date("处罚决定日期:2024.03.05 罚款").map(|x| x.0),
            Some(d(2024, 3, 5))
        );
        assert_eq!(scan_date("编号 20240305 无").map(|x| x.0), None);
    }
}
