//! What the header row of a record file said, and the columns each record kind reads.
//!
//! The names are matched in `columns`; this is what the caller sees of the result (kind,
//! ignored and absent columns, for the notices shown before the rows) and the column list that
//! blank templates, help texts and rule E-1 export headers are made from. Separate from the
//! opener because it is about what the header means, not about reading a file: the CSV reader,
//! `sheet` and `stream` share its limit on title rows and its preview of a first row.

use serde::Serialize;

use crate::domain::records::RecordKind;
use crate::domain::text::shown_value;

/// Up to this many non-blank rows may precede the header (a title such as 公用事业缴费信息, a date
/// line); the first row with known column names is the header.
pub(crate) const MAX_TITLE_ROWS: usize = 10;

/// What the header row said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderSummary {
    pub kind: RecordKind,
    /// The kind was recognised from the headers (not given by the caller).
    pub kind_detected: bool,
    /// Excel row number of the header.
    pub row: u64,
    /// The worksheet read, for workbooks.
    pub sheet: Option<String>,
    /// Every header cell as written (the rejected-rows file repeats them).
    pub columns: Vec<String>,
    /// Columns that are ignored: unknown names, or names this kind does not use.
    pub unknown: Vec<String>,
    /// Optional columns of this kind the file does not have.
    pub absent_optional: Vec<&'static str>,
}

impl HeaderSummary {
    /// Chinese notices for the clerk (ignored and absent columns); empty when all is as expected.
    pub fn notices(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.unknown.is_empty() {
            out.push(format!(
                "以下列不是“{}”的数据项，导入时忽略：{}",
                self.kind.label(),
                self.unknown
                    .iter()
                    .map(|c| shown_value(c))
                    .collect::<Vec<_>>()
                    .join("、")
            ));
        }
        if !self.absent_optional.is_empty() {
            out.push(format!(
                "文件没有以下可选列，相应信息留空：{}",
                self.absent_optional.join("、")
            ));
        }
        out
    }
}

/// One column a record kind reads: the annex-4 data-item name and whether it is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub required: bool,
}

/// The columns of `kind` in annex-4 order (for blank templates, help texts and rule E-1 export
/// headers). A required column must be present and filled in every row.
pub fn columns(kind: RecordKind) -> Vec<ColumnSpec> {
    super::columns::spec(kind)
        .iter()
        .map(|(c, required)| ColumnSpec {
            name: c.label(),
            required: *required,
        })
        .collect()
}

/// A first-row preview for error messages: the cells joined, as [`shown_value`] quotes a value.
pub(crate) fn preview(cells: &[String]) -> String {
    let joined = cells
        .iter()
        .map(|c| c.trim())
        .collect::<Vec<_>>()
        .join("，");
    shown_value(&joined)
}
