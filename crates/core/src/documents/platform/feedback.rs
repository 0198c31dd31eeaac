//! The platform's return file for a batch (rule E-1: each send is recorded, and what the platform
//! refused must be corrected and sent again): which rows were refused and why. XLSX or CSV
//! (UTF-8 or GBK), columns in any order, extra columns ignored.
//!
//! Columns: 原因 / 失败原因 / 错误原因 (required); 行号 and/or 记录标识 (at least one: the row of our
//! data file, or the 记录标识 of our 变更清单); 批次号, 信息类 and 状态 (成功/失败) optional. A 批次号
//! may also stand in a title row (`批次号：…`). Success rows, and rows with neither a status nor a
//! reason, are the rows the platform accepted and are left out.

use std::path::Path;

use super::table::{MAX_TITLE_ROWS, Value, header_form, match_header, read_table};
use super::{PlatformFileError, RowProblem};
use crate::domain::platform::PlatformClass;

/// The longest reason kept (characters); a longer one is cut with `…`.
const MAX_REASON_CHARS: usize = 2_000;

/// A return file, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Feedback {
    /// The 批次号 the file names (a title row or the 批次号 column), if any.
    pub batch_no: Option<String>,
    /// The refused rows.
    pub rows: Vec<FeedbackRow>,
    /// Rows that could not be understood, each named (row, column, value, reason).
    pub problems: Vec<RowProblem>,
}

/// One refused row of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRow {
    /// The row in the feedback file (as Excel shows it).
    pub line: u64,
    /// The class, when the file names it.
    pub class: Option<PlatformClass>,
    /// The row of our data file the platform refers to.
    pub row_no: Option<u64>,
    /// The 记录标识 of our 变更清单.
    pub record_key: Option<String>,
    pub reason: String,
}

#[derive(Clone, Copy)]
enum F {
    Batch,
    Class,
    RowNo,
    Key,
    Reason,
    Status,
}

const FIELDS: [(F, &[&str]); 6] = [
    (F::Batch, &["批次号", "批次编号", "批次"]),
    (
        F::Class,
        &["信息类", "信息类名称", "信息类别", "数据类别", "资源名称"],
    ),
    (F::RowNo, &["行号", "数据行号", "原行号", "所在行"]),
    (
        F::Key,
        &["记录标识", "记录编号", "数据标识", "唯一标识", "记录ID"],
    ),
    (
        F::Reason,
        &[
            "原因",
            "失败原因",
            "错误原因",
            "错误信息",
            "失败说明",
            "校验信息",
            "问题描述",
        ],
    ),
    (
        F::Status,
        &["状态", "处理状态", "处理结果", "校验结果", "结果"],
    ),
];

fn aliases() -> Vec<&'static [&'static str]> {
    FIELDS.iter().map(|(_, a)| *a).collect()
}

/// What a 状态 cell says.
fn status_failed(s: &str) -> Option<bool> {
    match header_form(s).as_str() {
        "成功" | "通过" | "已入库" | "入库成功" | "正常" | "校验通过" | "接收成功" => {
            Some(false)
        }
        "失败" | "不通过" | "未通过" | "错误" | "退回" | "异常" | "入库失败" | "校验失败"
        | "接收失败" => Some(true),
        _ => None,
    }
}

/// A 批次号 in a title row: `批次号：X`, `批次号:X` or `批次号 X`.
fn batch_in_title(cells: &[Value]) -> Option<String> {
    let joined: Vec<String> = cells.iter().map(|c| c.text().into_owned()).collect();
    let text = joined.join(" ");
    let (_, after) = text.split_once("批次号")?;
    let value: String = after
        .trim_start_matches([':', '：', ' ', '\u{3000}'])
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '，' | ',' | '；' | ';'))
        .collect();
    (!value.is_empty()).then_some(value)
}

fn row_number(s: &str) -> Option<u64> {
    let t = crate::domain::id_codes::normalize(s);
    let t = t.trim_start_matches('第').trim_end_matches('行');
    let t = t.strip_suffix(".0").unwrap_or(t);
    t.parse::<u64>().ok().filter(|n| *n >= 1)
}

/// Read a return file. A file without a reason column, or without both 行号 and 记录标识, is
/// refused; problems of single rows are listed in [`Feedback::problems`].
pub fn read_feedback(path: &Path) -> Result<Feedback, PlatformFileError> {
    let fields = aliases();
    let mut out = Feedback::default();
    let mut columns: Option<Vec<Option<usize>>> = None;
    let mut header_row = 0u64;
    let mut seen = 0usize;
    let mut first_row = String::new();
    let mut data_rows = 0u64;
    let mut header_names: Vec<String> = Vec::new();
    read_table(path, |row, cells| {
        let Some(cols) = &columns else {
            seen += 1;
            if seen == 1 {
                first_row = cells
                    .iter()
                    .map(|c| c.text().into_owned())
                    .collect::<Vec<_>>()
                    .join("，");
            }
            let found = match_header(cells, &fields)?;
            let known = found.iter().filter(|f| f.is_some()).count();
            if found[F::Reason as usize].is_some()
                && (found[F::RowNo as usize].is_some() || found[F::Key as usize].is_some())
            {
                header_row = row;
                header_names = cells.iter().map(|c| c.text().into_owned()).collect();
                columns = Some(found);
            } else if known >= 2 {
                // A header, but not a usable one: say what is missing.
                let mut missing = Vec::new();
                if found[F::Reason as usize].is_none() {
                    missing.push("原因（或 失败原因、错误原因）");
                }
                if found[F::RowNo as usize].is_none() && found[F::Key as usize].is_none() {
                    missing.push("行号 或 记录标识");
                }
                return Err(PlatformFileError::MissingColumns {
                    what: "平台反馈文件",
                    missing: missing.join("、"),
                    header_row: row,
                });
            } else if out.batch_no.is_none() {
                out.batch_no = batch_in_title(cells);
            }
            if columns.is_none() && seen >= MAX_TITLE_ROWS {
                return Err(PlatformFileError::HeaderNotFound {
                    what: "平台反馈文件",
                    rows_checked: MAX_TITLE_ROWS,
                    expected: "行号、记录标识、失败原因",
                    first_row: first_row.chars().take(100).collect(),
                });
            }
            return Ok(());
        };
        data_rows += 1;
        let get = |f: F| cols[f as usize].and_then(|c| cells.get(c));
        let name = |f: F| {
            cols[f as usize]
                .and_then(|c| header_names.get(c))
                .cloned()
                .unwrap_or_default()
        };
        let problem = |f: F, value: &str, reason: &str| RowProblem {
            row,
            column: name(f),
            value: value.chars().take(60).collect(),
            reason: reason.to_string(),
        };
        if let Some(Value::TooLong(n)) = cells.iter().find(|c| matches!(c, Value::TooLong(_))) {
            out.problems.push(RowProblem {
                row,
                column: String::new(),
                value: String::new(),
                reason: format!("有一个单元格长达 {n} 字，超过上限：请核对"),
            });
            return Ok(());
        }
        let text = |f: F| get(f).map(|v| v.text().into_owned()).unwrap_or_default();
        let status = text(F::Status);
        let failed = if status.is_empty() {
            None
        } else {
            match status_failed(&status) {
                Some(f) => Some(f),
                None => {
                    out.problems.push(problem(
                        F::Status,
                        &status,
                        "无法识别的状态：应为 成功 或 失败",
                    ));
                    return Ok(());
                }
            }
        };
        if failed == Some(false) {
            return Ok(());
        }
        let reason = text(F::Reason);
        if reason.is_empty() {
            if failed == Some(true) {
                out.problems.push(problem(
                    F::Reason,
                    "",
                    "状态为失败，但原因为空：请向平台核实",
                ));
            }
            // No status and no reason: an accepted row listed with the others.
            return Ok(());
        }
        let mut bad = false;
        let row_text = text(F::RowNo);
        let row_no = if row_text.is_empty() {
            None
        } else {
            match row_number(&row_text) {
                Some(n) => Some(n),
                None => {
                    out.problems
                        .push(problem(F::RowNo, &row_text, "行号应为正整数（如 12）"));
                    bad = true;
                    None
                }
            }
        };
        let key = text(F::Key);
        let record_key = (!key.is_empty()).then_some(key);
        if !bad && row_no.is_none() && record_key.is_none() {
            out.problems.push(RowProblem {
                row,
                column: String::new(),
                value: String::new(),
                reason: "行号和记录标识都为空，无法对应到报送的数据行".into(),
            });
            bad = true;
        }
        let class_text = text(F::Class);
        let class = if class_text.is_empty() {
            None
        } else {
            match PlatformClass::from_label_or_key(&class_text) {
                Some(c) => Some(c),
                None => {
                    out.problems.push(problem(
                        F::Class,
                        &class_text,
                        "不是已知的信息类名称（如 公用事业缴费信息、信用承诺信息）",
                    ));
                    bad = true;
                    None
                }
            }
        };
        let batch = text(F::Batch);
        if !batch.is_empty() {
            match &out.batch_no {
                None => out.batch_no = Some(batch),
                Some(b) if *b == batch => {}
                Some(b) => {
                    out.problems.push(problem(
                        F::Batch,
                        &batch,
                        &format!("与文件的批次号“{b}”不同：一个反馈文件应只对应一个批次"),
                    ));
                    bad = true;
                }
            }
        }
        if bad {
            return Ok(());
        }
        let reason = if reason.chars().count() > MAX_REASON_CHARS {
            let mut r: String = reason.chars().take(MAX_REASON_CHARS).collect();
            r.push('…');
            r
        } else {
            reason
        };
        out.rows.push(FeedbackRow {
            line: row,
            class,
            row_no,
            record_key,
            reason,
        });
        Ok(())
    })?;
    if columns.is_none() {
        return Err(PlatformFileError::HeaderNotFound {
            what: "平台反馈文件",
            rows_checked: seen,
            expected: "行号、记录标识、失败原因",
            first_row: first_row.chars().take(100).collect(),
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

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/platform"
        ))
        .join(name)
    }

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn rows_by_number_and_by_key_with_unknown_columns_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "f.csv",
            "\u{FEFF}批次号：PT-2024-0001\n\
             序号,备注,失败原因,状态,行号,信息类,记录标识\n\
             1,x,统一社会信用代码校验位错误,失败,12,公用事业缴费信息,\n\
             2,,,成功,13,公用事业缴费信息,\n\
             3,,缴费金额为空,失败,,信用承诺信息,44080020240305000001\n\
             4,,,,14,,\n",
        );
        let f = read_feedback(&p).unwrap();
        assert_eq!(f.batch_no.as_deref(), Some("PT-2024-0001"));
        assert_eq!(f.problems, vec![]);
        assert_eq!(
            f.rows,
            vec![
                FeedbackRow {
                    line: 3,
                    class: Some(PlatformClass::Payment),
                    row_no: Some(12),
                    record_key: None,
                    reason: "统一社会信用代码校验位错误".into()
                },
                FeedbackRow {
                    line: 5,
                    class: Some(PlatformClass::Commitment),
                    row_no: None,
                    record_key: Some("44080020240305000001".into()),
                    reason: "缴费金额为空".into()
                },
            ]
        );
    }

    #[test]
    fn a_file_without_reason_or_row_reference_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "a.csv", "行号,状态\n1,失败\n");
        let e = read_feedback(&p).unwrap_err();
        assert!(
            matches!(e, PlatformFileError::MissingColumns { header_row: 1, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("原因"), "{e}");
        let p = write(&dir, "b.csv", "失败原因,状态\n格式错误,失败\n");
        let e = read_feedback(&p).unwrap_err();
        assert!(e.to_string().contains("行号 或 记录标识"), "{e}");
        let p = write(&dir, "c.csv", "行号,失败原因\n");
        assert_eq!(
            read_feedback(&p),
            Err(PlatformFileError::HeaderOnly { header_row: 1 })
        );
        let p = write(&dir, "d.csv", "");
        assert!(matches!(
            read_feedback(&p),
            Err(PlatformFileError::Empty { .. })
        ));
        let p = write(&dir, "e.csv", "甲,乙\n丙,丁\n");
        assert!(matches!(
            read_feedback(&p),
            Err(PlatformFileError::HeaderNotFound { .. })
        ));
    }

    #[test]
    fn bad_rows_are_named_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "g.csv",
            "批次号,行号,记录标识,原因,状态,信息类\n\
             B1,abc,,错,失败,\n\
             B1,,,错,失败,\n\
             B2,3,,错,失败,\n\
             B1,4,,错,待定,\n\
             B1,5,,错,失败,燃气信息\n\
             B1,6,,金额错误,失败,违约用电信息\n",
        );
        let f = read_feedback(&p).unwrap();
        assert_eq!(f.batch_no.as_deref(), Some("B1"));
        let rows: Vec<(u64, &str, &str)> = f
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (2, "行号", "abc"),
                (3, "", ""),
                (4, "批次号", "B2"),
                (5, "状态", "待定"),
                (6, "信息类", "燃气信息")
            ]
        );
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].row_no, Some(6));
        assert_eq!(f.rows[0].class, Some(PlatformClass::Violation));
    }

    #[test]
    fn return_files_of_other_producers() {
        // openpyxl: title row with the batch, reordered columns, an extra column, number cells.
        let f = read_feedback(&fixture("feedback-openpyxl.xlsx")).unwrap();
        assert_eq!(f.batch_no.as_deref(), Some("PT20240305001"));
        assert_eq!(f.problems, vec![]);
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[0].row_no, Some(2));
        assert_eq!(f.rows[0].class, Some(PlatformClass::PersonPayment));
        assert_eq!(f.rows[0].reason, "证件号码校验位错误");
        assert_eq!(
            f.rows[1].record_key.as_deref(),
            Some("44080020240305000002")
        );
        // iconv: GBK text.
        let f = read_feedback(&fixture("feedback-gbk.csv")).unwrap();
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[1].reason, "欠费金额格式不正确");
        assert_eq!(f.rows[1].row_no, Some(7));
    }
}
