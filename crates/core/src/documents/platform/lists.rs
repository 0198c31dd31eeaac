//! A dishonesty list snapshot from the platform (rule E-2): the 严重失信主体名单 and other lists,
//! XLSX or CSV (UTF-8 or GBK), columns in any order under the names lists use, extra columns
//! ignored, full-width characters folded, dates as text in the usual forms or as Excel dates.
//!
//! Every row becomes a [`ListEntry`] or one [`RowProblem`] per wrong cell (row, column, value,
//! reason): a broken USCC check character or ID check digit (rules ID-1, ID-2), a missing or
//! unparseable date, a 移出日期 before the 列入日期. Whether a file with problems is taken at all
//! is the caller's decision (a snapshot is usually all or nothing).

use std::path::Path;

use chrono::NaiveDate;

use super::table::{MAX_TITLE_ROWS, Value, date_of, match_header, read_table};
use super::{PlatformFileError, RowProblem};
use crate::domain::id_codes::mask_id_number;
use crate::domain::platform::{ListCode, ListEntry};

/// The longest name, reason or authority kept (characters).
const MAX_TEXT_CHARS: usize = 2_000;

/// A list snapshot, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListFile {
    pub entries: Vec<ListEntry>,
    pub problems: Vec<RowProblem>,
    /// The snapshot's date when the file says it: a 名单截至日期 column or a title row such as
    /// `严重失信主体名单（截至2024年3月5日）`.
    pub snapshot_date_hint: Option<NaiveDate>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum F {
    Name,
    Uscc,
    IdNumber,
    EitherCode,
    ListType,
    ListedOn,
    Reason,
    Authority,
    RemovedOn,
    AsOf,
}

const FIELDS: [(F, &[&str]); 10] = [
    (
        F::Name,
        &[
            "名称",
            "主体名称",
            "企业名称",
            "单位名称",
            "姓名",
            "当事人名称",
            "当事人",
            "失信主体名称",
            "市场主体名称",
            "被执行人名称",
        ],
    ),
    (F::Uscc, &["统一社会信用代码", "社会信用代码", "信用代码"]),
    (F::IdNumber, &["身份证号码", "身份证号", "居民身份证号码"]),
    (
        F::EitherCode,
        &[
            "证件号码",
            "证照号码",
            "主体代码",
            "统一社会信用代码/身份证号码",
            "统一社会信用代码/证件号码",
            "统一社会信用代码（身份证号码）",
            "代码",
        ],
    ),
    (
        F::ListType,
        &["名单类型", "列入名单类型", "名单类别", "名单名称", "名单"],
    ),
    (
        F::ListedOn,
        &["列入日期", "认定日期", "列入时间", "认定时间", "决定日期"],
    ),
    (
        F::Reason,
        &[
            "列入原因",
            "失信行为",
            "失信原因",
            "列入事由",
            "认定原因",
            "失信行为情形",
        ],
    ),
    (
        F::Authority,
        &[
            "认定机关",
            "认定部门",
            "认定单位",
            "列入机关",
            "决定机关",
            "认定机构",
        ],
    ),
    (F::RemovedOn, &["移出日期", "移出时间", "退出日期"]),
    (
        F::AsOf,
        &[
            "名单截至日期",
            "截至日期",
            "截止日期",
            "数据截至日期",
            "快照日期",
        ],
    ),
];

/// A date in a title row after 截至 / 截止 (`截至2024年3月5日`, `截止日期：2024-03-05`).
fn date_in_title(text: &str) -> Option<NaiveDate> {
    let i = text.find("截至").or_else(|| text.find("截止"))?;
    let after = &text[i + "截至".len()..];
    let after = after.trim_start_matches(['日', '期', ':', '：', ' ', '\u{3000}']);
    // The date runs up to the first character no date form uses.
    let end = after
        .char_indices()
        .find(|(_, c)| {
            !(c.is_ascii_digit()
                || ('０'..='９').contains(c)
                || matches!(c, '-' | '/' | '.' | '年' | '月' | '日' | '－' | '／' | '．'))
        })
        .map_or(after.len(), |(i, _)| i);
    date_of(&Value::Text(after[..end].to_string()))
        .ok()
        .flatten()
}

/// The list's name in a title row (`严重失信主体名单（截至…）` → 严重失信主体名单).
fn list_in_title(text: &str) -> Option<String> {
    let end = text.find("名单")? + "名单".len();
    let start = text[..end]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '：' | ':' | '（' | '(' | '、' | '，'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = text[start..end].trim();
    (name.chars().count() > 2).then(|| name.to_string())
}

fn shown_code(column: F, value: &str) -> String {
    // A personal number in a problem is masked (rule ID-3); a USCC is shown whole.
    let v: String = value.chars().take(60).collect();
    let personal = v.len() >= 15 && v.bytes().take(17).all(|b| b.is_ascii_digit());
    if column == F::IdNumber || personal {
        mask_id_number(&v)
    } else {
        v
    }
}

fn capped(s: String) -> String {
    if s.chars().count() > MAX_TEXT_CHARS {
        let mut t: String = s.chars().take(MAX_TEXT_CHARS).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// Read a list snapshot. `today` is the date the identifier checks use (a birth date may not lie
/// in the future). Refused whole: an empty or header-only file, a file whose header lacks 名称,
/// a code column (统一社会信用代码, 身份证号码 or 证件号码) or 列入日期.
pub fn read_list_file(path: &Path, today: NaiveDate) -> Result<ListFile, PlatformFileError> {
    let aliases: Vec<&[&str]> = FIELDS.iter().map(|(_, a)| *a).collect();
    let mut out = ListFile::default();
    let mut columns: Option<Vec<Option<usize>>> = None;
    let mut names: Vec<String> = Vec::new();
    let mut header_row = 0u64;
    let mut seen = 0usize;
    let mut first_row = String::new();
    let mut title_list: Option<String> = None;
    let mut data_rows = 0u64;
    read_table(path, |row, cells| {
        let Some(cols) = &columns else {
            seen += 1;
            let joined = cells
                .iter()
                .map(|c| c.text().into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            if seen == 1 {
                first_row = joined.chars().take(100).collect();
            }
            let found = match_header(cells, &aliases)?;
            let known = found.iter().filter(|f| f.is_some()).count();
            if known >= 2 {
                let has = |f: F| found[f as usize].is_some();
                let mut missing = Vec::new();
                if !has(F::Name) {
                    missing.push("名称（或 主体名称、企业名称、姓名）");
                }
                if !has(F::Uscc) && !has(F::IdNumber) && !has(F::EitherCode) {
                    missing.push("统一社会信用代码 或 身份证号码（证件号码）");
                }
                if !has(F::ListedOn) {
                    missing.push("列入日期（或 认定日期）");
                }
                if !missing.is_empty() {
                    return Err(PlatformFileError::MissingColumns {
                        what: "名单文件",
                        missing: missing.join("、"),
                        header_row: row,
                    });
                }
                header_row = row;
                names = cells.iter().map(|c| c.text().into_owned()).collect();
                columns = Some(found);
                return Ok(());
            }
            if out.snapshot_date_hint.is_none() {
                out.snapshot_date_hint = date_in_title(&joined);
            }
            if title_list.is_none() {
                title_list = list_in_title(&joined);
            }
            if seen >= MAX_TITLE_ROWS {
                return Err(PlatformFileError::HeaderNotFound {
                    what: "名单文件",
                    rows_checked: MAX_TITLE_ROWS,
                    expected: "名称、统一社会信用代码、列入日期",
                    first_row: first_row.clone(),
                });
            }
            return Ok(());
        };
        data_rows += 1;
        let before = out.problems.len();
        let cell = |f: F| cols[f as usize].and_then(|c| cells.get(c));
        let text = |f: F| cell(f).map(|v| v.text().into_owned()).unwrap_or_default();
        let column = |f: F| {
            cols[f as usize]
                .and_then(|c| names.get(c))
                .cloned()
                .unwrap_or_default()
        };
        let mut problem = |f: F, value: String, reason: String| {
            out.problems.push(RowProblem {
                row,
                column: column(f),
                value,
                reason,
            });
        };
        for (f, _) in FIELDS {
            if let Some(Value::TooLong(n)) = cell(f) {
                problem(
                    f,
                    String::new(),
                    format!("内容长达 {n} 字，超过上限：请核对"),
                );
            }
        }
        let name = text(F::Name);
        if name.is_empty() {
            problem(
                F::Name,
                String::new(),
                "名称为空：请填写主体名称或姓名".into(),
            );
        }
        // The code: whichever code column of the row is filled (a USCC column first).
        let code = [F::Uscc, F::IdNumber, F::EitherCode]
            .into_iter()
            .filter(|f| cols[*f as usize].is_some())
            .map(|f| (f, text(f)))
            .find(|(_, v)| !v.is_empty());
        let code = match code {
            None => {
                let f = [F::Uscc, F::IdNumber, F::EitherCode]
                    .into_iter()
                    .find(|f| cols[*f as usize].is_some())
                    .unwrap_or(F::Uscc);
                problem(
                    f,
                    String::new(),
                    "代码为空：请填写统一社会信用代码或身份证号码".into(),
                );
                None
            }
            Some((f, v)) => {
                let parsed = match f {
                    // A 统一社会信用代码 column of a list often holds a person's number too
                    // (lists mix subjects): whichever the value validates as.
                    F::IdNumber => ListCode::parse_resident_id(&v, today),
                    _ => ListCode::parse(&v, today),
                };
                match parsed {
                    Ok(c) => Some(c),
                    Err(e) => {
                        problem(f, shown_code(f, &v), e.to_string());
                        None
                    }
                }
            }
        };
        let mut date = |f: F, required: bool| -> Option<NaiveDate> {
            let v = cell(f)?;
            match date_of(v) {
                Ok(Some(d)) => Some(d),
                Ok(None) => {
                    if required {
                        problem(f, String::new(), "日期为空：请填写，如 2024-03-05".into());
                    }
                    None
                }
                Err(reason) => {
                    problem(f, v.text().chars().take(60).collect(), reason);
                    None
                }
            }
        };
        let listed_on = date(F::ListedOn, true);
        let removed_on = date(F::RemovedOn, false);
        if out.snapshot_date_hint.is_none()
            && let Some(Ok(Some(d))) = cell(F::AsOf).map(date_of)
        {
            out.snapshot_date_hint = Some(d);
        }
        if let (Some(l), Some(r)) = (listed_on, removed_on)
            && r < l
        {
            problem(
                F::RemovedOn,
                r.format("%Y-%m-%d").to_string(),
                format!("移出日期早于列入日期 {}：请核对", l.format("%Y-%m-%d")),
            );
        }
        let mut list_type = text(F::ListType);
        if list_type.is_empty() {
            match &title_list {
                Some(t) => list_type = t.clone(),
                None => {
                    let f = if cols[F::ListType as usize].is_some() {
                        F::ListType
                    } else {
                        F::Name
                    };
                    let reason = if f == F::ListType {
                        "名单类型为空：请填写，如 严重失信主体名单"
                    } else {
                        "文件没有“名单类型”列，标题中也没有名单名称：请补上名单类型列"
                    };
                    problem(f, String::new(), reason.into());
                }
            }
        }
        if out.problems.len() > before {
            return Ok(());
        }
        let (Some(code), Some(listed_on)) = (code, listed_on) else {
            return Ok(());
        };
        out.entries.push(ListEntry {
            name: capped(name),
            code,
            list_type: capped(list_type),
            listed_on,
            reason: capped(text(F::Reason)),
            authority: capped(text(F::Authority)),
            removed_on,
        });
        Ok(())
    })?;
    if columns.is_none() {
        return Err(PlatformFileError::HeaderNotFound {
            what: "名单文件",
            rows_checked: seen,
            expected: "名称、统一社会信用代码、列入日期",
            first_row,
        });
    }
    if data_rows == 0 {
        return Err(PlatformFileError::HeaderOnly { header_row });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_codes::{resident_id_check_char, uscc_check_char};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn uscc(body: &str) -> String {
        format!("{body}{}", uscc_check_char(body).unwrap())
    }

    fn resident(first17: &str) -> String {
        format!("{first17}{}", resident_id_check_char(first17).unwrap())
    }

    /// `code` with its last character replaced by a wrong one.
    fn broken(code: &str) -> String {
        let last = code.chars().last().unwrap();
        let wrong = if last == '1' { '2' } else { '1' };
        format!("{}{wrong}", &code[..code.len() - 1])
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/platform"
        ))
        .join(name)
    }

    fn today() -> NaiveDate {
        d(2026, 1, 1)
    }

    #[test]
    fn reordered_columns_dates_in_several_forms_and_removal() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        let a = uscc("91440800MA4UMB8E0");
        let b = uscc("91440802MA51XYK31");
        let person = resident("44080219850101123");
        std::fs::write(
            &p,
            format!(
                "严重失信主体名单（截至2024年3月5日）\n\
                 移出日期,备注,列入日期,认定机关,ＵＳＣＣ,统一社会信用代码,主体名称,失信行为\n\
                 ,x,2024-03-05,湛江市发展和改革局,,{a},甲公司,拖欠电费\n\
                 2025年1月1日,,2024/3/5,,,{b},乙公司,\n\
                 ,,20240305,,,{person},丙,\n\
                 ,,2024年3月5日,,,{bad},丁公司,\n",
                bad = broken(&a)
            ),
        )
        .unwrap();
        let f = read_list_file(&p, today()).unwrap();
        assert_eq!(f.snapshot_date_hint, Some(d(2024, 3, 5)));
        assert_eq!(f.entries.len(), 3, "{:?}", f.problems);
        let e = &f.entries[0];
        assert_eq!(e.name, "甲公司");
        assert_eq!(e.code.as_str(), a);
        assert_eq!(e.list_type, "严重失信主体名单", "from the title");
        assert!(e.is_serious());
        assert_eq!(e.reason, "拖欠电费");
        assert_eq!(e.authority, "湛江市发展和改革局");
        assert!(f.entries.iter().all(|e| e.listed_on == d(2024, 3, 5)));
        // The person's number sits in the USCC column: read as what it is (a resident ID).
        assert!(matches!(f.entries[2].code, ListCode::Person(_)));
        let removed = &f.entries[1];
        assert_eq!(removed.removed_on, Some(d(2025, 1, 1)));
        assert!(removed.in_force_on(d(2024, 12, 31)));
        assert!(!removed.in_force_on(d(2025, 1, 1)));
        // The broken check character is named with row, column and value.
        assert_eq!(f.problems.len(), 1);
        let p = &f.problems[0];
        assert_eq!((p.row, p.column.as_str()), (6, "统一社会信用代码"));
        assert_eq!(p.value, broken(&a));
        assert!(p.reason.contains("校验位"), "{}", p.reason);
    }

    #[test]
    fn wrong_dates_and_removal_before_listing_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        let a = uscc("91440800MA4UMB8E0");
        let person = resident("44080219850101123");
        std::fs::write(
            &p,
            format!(
                "名称,身份证号码,名单类型,列入日期,移出日期\n\
                 甲,{person},严重失信主体名单,2024-03-05,2024-03-01\n\
                 乙,{person},严重失信主体名单,,\n\
                 丙,{person},严重失信主体名单,2024-02-30,\n\
                 丁,{bad},重点关注名单,2024-03-05,\n\
                 戊,{a},严重失信主体名单,2024-03-05,\n",
                bad = broken(&person)
            ),
        )
        .unwrap();
        let f = read_list_file(&p, today()).unwrap();
        assert!(f.entries.is_empty());
        let got: Vec<(u64, &str)> = f
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "移出日期"),
                (3, "列入日期"),
                (4, "列入日期"),
                (5, "身份证号码"),
                (6, "身份证号码")
            ]
        );
        assert_eq!(f.problems[2].value, "2024-02-30");
        // A personal number is masked in the problem (rule ID-3).
        assert_eq!(f.problems[3].value, mask_id_number(&broken(&person)));
        assert!(!f.problems[3].to_string().contains(&broken(&person)));
    }

    #[test]
    fn files_without_the_needed_columns_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.csv");
        std::fs::write(&p, "名称,名单类型,备注\n甲,严重失信主体名单,\n").unwrap();
        let e = read_list_file(&p, today()).unwrap_err();
        assert!(
            e.to_string().contains("统一社会信用代码 或 身份证号码"),
            "{e}"
        );
        assert!(e.to_string().contains("列入日期"), "{e}");
        std::fs::write(&p, "名称,统一社会信用代码,列入日期\n").unwrap();
        assert_eq!(
            read_list_file(&p, today()),
            Err(PlatformFileError::HeaderOnly { header_row: 1 })
        );
    }

    #[test]
    fn xlsx_with_date_cells_written_by_rust_xlsxwriter() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.xlsx");
        let a = uscc("91440800MA4UMB8E0");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
        for (c, h) in [
            "列入名单类型",
            "企业名称",
            "认定日期",
            "统一社会信用代码",
            "移出日期",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "严重失信主体名单").unwrap();
        ws.write_string(1, 1, "甲公司").unwrap();
        ws.write_datetime_with_format(
            1,
            2,
            ExcelDateTime::from_ymd(2024, 3, 5).unwrap(),
            &date_fmt,
        )
        .unwrap();
        ws.write_string(1, 3, &a).unwrap();
        ws.write_number(1, 4, 45658.0).unwrap();
        wb.save(&p).unwrap();
        let f = read_list_file(&p, today()).unwrap();
        assert_eq!(f.problems, vec![]);
        assert_eq!(f.entries[0].listed_on, d(2024, 3, 5));
        assert_eq!(f.entries[0].removed_on, Some(d(2025, 1, 1)));
        assert_eq!(f.entries[0].code.as_str(), a);
    }

    #[test]
    fn lists_of_other_producers() {
        // openpyxl: a title row, date cells, text dates, extra columns.
        let f = read_list_file(&fixture("list-openpyxl.xlsx"), today()).unwrap();
        assert_eq!(f.snapshot_date_hint, Some(d(2024, 3, 1)));
        assert_eq!(f.entries.len(), 3, "{:?}", f.problems);
        assert_eq!(f.problems.len(), 1);
        assert_eq!(f.problems[0].row, 6);
        assert_eq!(f.problems[0].column, "统一社会信用代码");
        assert_eq!(f.entries[0].listed_on, d(2023, 6, 1));
        assert_eq!(f.entries[1].removed_on, Some(d(2024, 1, 15)));
        assert!(matches!(f.entries[2].code, ListCode::Person(_)));
        // iconv: GBK text, full-width digits.
        let f = read_list_file(&fixture("list-gbk.csv"), today()).unwrap();
        assert_eq!(f.problems, vec![]);
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[0].name, "湛江市某某贸易有限公司");
        assert_eq!(f.entries[1].listed_on, d(2024, 3, 5));
        assert_eq!(f.entries[1].list_type, "严重失信主体名单");
    }

    #[test]
    fn titles_give_the_snapshot_date_and_list() {
        assert_eq!(
            date_in_title("严重失信主体名单（截至2024年3月5日）"),
            Some(d(2024, 3, 5))
        );
        assert_eq!(
            date_in_title("数据截止日期：2024-03-05 导出"),
            Some(d(2024, 3, 5))
        );
        assert_eq!(date_in_title("严重失信主体名单"), None);
        assert_eq!(
            list_in_title("湛江市 严重失信主体名单（截至2024年3月5日）").as_deref(),
            Some("严重失信主体名单")
        );
    }

    #[test]
    fn a_hundred_thousand_rows_read_correctly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.csv");
        let code = uscc("91440800MA4UMB8E0");
        let mut text = String::from("主体名称,统一社会信用代码,名单类型,列入日期\n");
        for i in 0..100_000 {
            text.push_str(&format!("公司{i},{code},严重失信主体名单,2024-03-05\n"));
        }
        std::fs::write(&p, text).unwrap();
        let f = read_list_file(&p, today()).unwrap();
        assert_eq!(f.entries.len(), 100_000);
        assert_eq!(f.entries[99_999].name, "公司99999");
    }
}
