//! Reading a labelled value: the label vocabulary and the search for a label's value on the
//! same line, the next line, or in a row of values under a row of labels.
//!
//! Separate from the cleaning because it works on lines already cleaned, and from the header
//! reading in `mod.rs` because the same search serves every fact (报告编号, 机构名称, …); which
//! labels name which fact is decided there.

use crate::domain::id_codes::normalize;

use super::clean::{cjkish, entry_marker, heading, is_empty_value};
use super::{STATUS_WORDS, TAGS};

/// Every label the parser knows. A value ends where the next known label starts; a label wrapped
/// over two lines is joined again. Longer labels first where one contains another.
pub(super) const LABELS: &[&str] = &[
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

pub(super) fn starts_with_label(line: &str) -> bool {
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
pub(super) struct Field {
    pub(super) value: String,
    line: usize,
    /// The value ran to the end of its line (it may continue on the next one).
    to_line_end: bool,
}

/// The value of the first of `labels` found in `lines`: on the label's line up to the next known
/// label, else on the next line, else in the value row under a row of labels.
pub(super) fn field(lines: &[String], labels: &[&str]) -> Option<Field> {
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
pub(super) fn name_field(lines: &[String], labels: &[&str], wraps: bool) -> Option<String> {
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
pub(super) fn code_value(value: &str, allow_mask: bool, max: usize) -> Option<String> {
    let n = normalize(value);
    let code: String = n
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || (allow_mask && *c == '*'))
        .take(max)
        .collect();
    (!code.is_empty()).then_some(code)
}
