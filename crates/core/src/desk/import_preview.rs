//! The import page's preview (rule S-2): how the header of a record file was understood and what
//! its first rows become, before anything is imported. Reads the file only; writes nothing.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Desk, DeskError};
use crate::documents::import::{CellProblem, open_records};
use crate::domain::records::RecordKind;

/// One column of the file's header and what the import does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewColumn {
    /// The header as written in the file.
    pub name: String,
    /// Read as an annex-4 data item of the kind (`false`: ignored).
    pub used: bool,
}

/// One of the first data rows: the record it becomes, or its problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewRow {
    /// Row number as Excel shows it.
    pub row: u64,
    /// The record's one-line summary when the row is valid (personal numbers are not in it).
    pub summary: Option<String>,
    pub problems: Vec<CellProblem>,
}

/// What the preview found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPreview {
    pub kind: RecordKind,
    /// The kind was recognised from the headers.
    pub kind_detected: bool,
    pub format: String,
    pub header_row: u64,
    pub sheet: Option<String>,
    pub columns: Vec<PreviewColumn>,
    /// Chinese notices: ignored columns, absent optional columns.
    pub notices: Vec<String>,
    pub rows: Vec<PreviewRow>,
    /// More data rows follow the ones shown.
    pub more: bool,
}

/// Read the header and the first `limit` data rows of a record file as of `today` (pure reading:
/// the window runs it off its thread, as a large workbook takes a while to open).
pub fn preview_records(
    path: &Path,
    kind: Option<RecordKind>,
    today: NaiveDate,
    limit: usize,
) -> Result<ImportPreview, DeskError> {
    let mut reader =
        open_records(path, kind, today).map_err(|e| DeskError::Import(e.to_string()))?;
    let header = reader.header().clone();
    let format = reader.format().label().to_string();
    let mut rows = Vec::new();
    let mut more = false;
    for item in reader.by_ref() {
        if rows.len() == limit {
            more = true;
            break;
        }
        let fatal = match item {
            Ok(r) => {
                rows.push(PreviewRow {
                    row: r.row,
                    summary: Some(r.record.summary()),
                    problems: Vec::new(),
                });
                false
            }
            Err(e) => {
                rows.push(PreviewRow {
                    row: e.row,
                    summary: None,
                    problems: e.problems,
                });
                e.fatal
            }
        };
        if fatal {
            break;
        }
    }
    let columns = header
        .columns
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| PreviewColumn {
            name: c.clone(),
            used: !header.unknown.contains(c),
        })
        .collect();
    Ok(ImportPreview {
        kind: header.kind,
        kind_detected: header.kind_detected,
        format,
        header_row: header.row,
        sheet: header.sheet.clone(),
        columns,
        notices: header.notices(),
        rows,
        more,
    })
}

impl Desk {
    /// [`preview_records`] as of the desk's today.
    pub fn preview_records(
        &self,
        path: &Path,
        kind: Option<RecordKind>,
        limit: usize,
    ) -> Result<ImportPreview, DeskError> {
        preview_records(path, kind, self.today(), limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_lists_columns_and_rows_with_their_problems() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("缴费.csv");
        let good = "湛江市霞山区海港贸易有限公司,91440300708461136T,电费,2024-01-01,2024-01-31,100,2024-02-05,x";
        let bad = "湛江市霞山区海港贸易有限公司,91440300708461136T,电费,2024-01-01,2024-01-31,-5,2024-02-05,x";
        let mut text =
            "机构名称,统一社会信用代码,缴费类型名称,计量开始日,计量截止日,缴费金额,缴纳日期,备注\n"
                .to_string();
        for line in [good, bad, good, good] {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&f, text).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let p = preview_records(&f, None, today, 3).unwrap();
        assert_eq!(p.kind, RecordKind::Payment);
        assert!(p.kind_detected);
        assert_eq!(p.rows.len(), 3);
        assert!(p.more);
        assert!(p.rows[0].summary.as_deref().unwrap().contains("100.00 元"));
        assert_eq!(p.rows[1].row, 3);
        assert!(p.rows[1].problems[0].reason.contains("负数"));
        assert!(p.columns.iter().any(|c| c.name == "备注" && !c.used));
        assert!(p.columns.iter().any(|c| c.name == "缴费金额" && c.used));
        assert!(p.notices[0].contains("备注"));
        let err = preview_records(&dir.path().join("无.csv"), None, today, 3).unwrap_err();
        assert!(err.to_string().contains("无法打开文件"), "{err}");
    }
}
