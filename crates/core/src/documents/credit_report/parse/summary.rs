//! Reading the 信用信息概要: the count of entries per category, which rule T-4's reader compares
//! with the entries it found in each chapter.
//!
//! Separate because the summary is printed in two layouts (a category followed by its count, or
//! a row of categories over a row of counts) that have nothing to do with the entries.

use crate::domain::report::{Chapter, SummaryCounts};

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
pub(super) fn parse_summary(lines: &[String], front_end: usize) -> SummaryCounts {
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

#[cfg(test)]
mod tests {
    use super::super::clean::clean_lines;
    use super::*;

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
}
