//! Import of power-supply record files from the marketing system (rule S-2): CSV (UTF-8 with or
//! without BOM, or GBK) and Excel workbooks (XLSX, XLS, ODS).
//!
//! Streaming: a CSV is read a buffer at a time and never held whole in memory; a workbook is
//! read one worksheet at a time (calamine's unit). Column headers are annex 4's Chinese data-item
//! names (plus 用户编号, 催告日期, 正当理由, 结清日期 and the 窃电 columns) in any order; the record
//! kind comes from the headers unless the caller names it. Every data row becomes a typed
//! [`Record`] or a [`RowError`] that names the row as the clerk sees it in Excel, the column, the
//! value and the reason in Chinese. Rows are validated only; storing them is the caller's job.
//!
//! ```no_run
//! # use xinyidian_core::documents::import::*;
//! # fn demo(today: chrono::NaiveDate) -> Result<(), ImportError> {
//! let mut reader = open_records(std::path::Path::new("缴费.csv"), None, today)?;
//! println!("{}", reader.header().kind.label());
//! for row in reader.by_ref() {
//!     match row {
//!         Ok(ok) => { /* store ok.record, keyed by ok.record.key() */ }
//!         Err(bad) => eprintln!("{bad}"),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The parts: `open` opens a file (format sniffed from its content), finds the header and
//! iterates over the rows, reading CSV itself and worksheets through `sheet` and `stream`;
//! `header` says what the header row held and which columns each kind reads (the matching of
//! names is `columns`); `reject` writes the refused rows back out for the clerk. This file holds
//! the errors and the row results that pass between them and the caller.

mod columns;
mod guard;
mod header;
mod open;
mod reject;
mod row;
mod sheet;
mod stream;
mod text_source;

use std::fmt;

use serde::Serialize;

use crate::domain::records::Record;
use crate::domain::text::shown_value;

pub use header::{ColumnSpec, HeaderSummary, columns};
pub(crate) use header::{MAX_TITLE_ROWS, preview};
pub use open::{RecordReader, open_records};
pub use reject::RejectWriter;

/// Why a file cannot be imported at all. `Display` is the Chinese message for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("无法打开文件“{path}”：{reason}。请确认文件存在、没有被其他程序占用")]
    Open { path: String, reason: String },
    #[error("读取文件“{path}”时出错：{reason}")]
    Read { path: String, reason: String },
    #[error("文件“{path}”是空的：请选择从营销系统导出的、含表头和数据行的记录文件")]
    Empty { path: String },
    #[error("文件只有表头（第 {header_row} 行），没有数据行：请确认导出时选中了记录")]
    HeadersOnly { header_row: u64 },
    #[error(
        "文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法读取：请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”后重新导入"
    )]
    Utf16,
    #[error(
        "文件既不是 UTF-8 也不是 GBK 编码的文本（第 {line} 行附近有无法识别的字节）：请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”后重新导入"
    )]
    WrongEncoding { line: u64 },
    #[error(
        "文件不是 CSV 文本，也不是 Excel 工作簿（.xlsx / .xls）：请选择从营销系统导出的记录文件"
    )]
    NotText,
    #[error("Excel 文件无法读取（{reason}）：文件可能已损坏或没有完整下载，请重新导出后再试")]
    Workbook { reason: String },
    /// A workbook beyond the limits that keep the import's memory bounded (issue 14): too
    /// large, a compression bomb, a part far larger than any spreadsheet has.
    #[error(
        "Excel 文件{reason}：为防止程序内存耗尽，不予读取。请在 Excel 中打开该文件，“另存为”新的工作簿（或把记录分成几个文件）后再导入"
    )]
    WorkbookLimit { reason: String },
    #[error(
        "工作表“{sheet}”{place}的单元格内容超过 {limit} 字（Excel 单元格最多 {limit} 字），文件可能已损坏或被恶意构造：请检查该单元格后重新导出"
    )]
    CellTooLong {
        sheet: String,
        place: String,
        limit: usize,
    },
    #[error(
        "工作表“{sheet}”的单元格位置“{cell}”超出 Excel 的范围（最多 1048576 行、16384 列，即 XFD1048576）：文件已损坏，请重新导出"
    )]
    CellOutsideGrid { sheet: String, cell: String },
    #[error("工作簿中没有含数据的工作表")]
    NoSheet,
    #[error(
        "没有找到表头：前 {rows_checked} 行中没有一行是附件 4 的数据项名称（如 机构名称、统一社会信用代码、缴费金额）。文件第一行是：{first_row}"
    )]
    HeaderNotFound {
        rows_checked: usize,
        first_row: String,
    },
    #[error(
        "无法从表头判断记录类别：最接近的是“{closest}”，但缺少列：{missing}。请按附件 4 的数据项名称补上这些列，或导入时指定类别"
    )]
    UnknownKind {
        closest: &'static str,
        missing: String,
    },
    #[error(
        "缺少“{kind}”的必填列：{missing}（表头在第 {header_row} 行）。请按附件 4 的数据项名称补上这些列"
    )]
    MissingColumns {
        kind: &'static str,
        missing: String,
        header_row: u64,
    },
    #[error("表头中“{name}”出现了两次（{first} 列和 {second} 列）：请删除或改名其中一列")]
    DuplicateColumn {
        name: String,
        first: String,
        second: String,
    },
    #[error(
        "第 {row} 行超过 {limit_kb} KB，文件可能已损坏（例如引号没有闭合，把后面的内容都并进了这一行）：请检查该行后重新导出"
    )]
    RowTooLong { row: u64, limit_kb: u64 },
    #[error("无法写入被拒绝行文件“{path}”：{reason}")]
    RejectFile { path: String, reason: String },
}

/// The file's format as detected from its content (not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    CsvUtf8 { bom: bool },
    CsvGbk,
    Xlsx,
    Xls,
    Ods,
}

impl FileFormat {
    pub fn label(self) -> &'static str {
        match self {
            FileFormat::CsvUtf8 { bom: true } => "CSV（UTF-8，带 BOM）",
            FileFormat::CsvUtf8 { bom: false } => "CSV（UTF-8）",
            FileFormat::CsvGbk => "CSV（GBK）",
            FileFormat::Xlsx => "Excel 工作簿（.xlsx）",
            FileFormat::Xls => "Excel 97-2003 工作簿（.xls）",
            FileFormat::Ods => "OpenDocument 表格（.ods）",
        }
    }
}

/// A note on a row that was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum RowNote {
    /// A 15-digit first-generation 居民身份证 number was converted to 18 digits (rule ID-2).
    FirstGenerationIdUpgraded { column: String },
}

impl fmt::Display for RowNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowNote::FirstGenerationIdUpgraded { column } => write!(
                f,
                "{column}是 15 位第一代身份证号码，已按规则 ID-2 转换为 18 位，请核对"
            ),
        }
    }
}

/// A row that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedRow {
    /// Excel row number.
    pub row: u64,
    pub record: Record,
    pub notes: Vec<RowNote>,
}

/// One problem of a row: the column as the file names it (empty for a row-level problem), the
/// value (证件号码 masked, rule ID-3) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellProblem {
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl CellProblem {
    /// A problem quoting `value` as an error line may: at most ~60 characters, hidden characters
    /// escaped ([`shown_value`]); the reason's own quotation of the value (a parser's message
    /// such as 日期“…”无法识别) is shortened the same way.
    pub(crate) fn quoting(column: String, value: &str, reason: String) -> Self {
        let shown = shown_value(value);
        let reason = if shown == value {
            reason
        } else {
            let trimmed = value.trim();
            let reason = if trimmed.is_empty() {
                reason
            } else {
                reason.replace(trimmed, &shown_value(trimmed))
            };
            // Whatever else of the value is left in the reason is cut there too.
            shown_long(&reason)
        };
        Self {
            column,
            value: shown,
            reason,
        }
    }
}

/// A reason that should never be long: escaped, and cut at a few hundred characters.
fn shown_long(s: &str) -> String {
    const MAX: usize = 300;
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i >= MAX {
            out.push('…');
            break;
        }
        if crate::domain::text::is_hidden_char(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for CellProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.column.is_empty(), self.value.is_empty()) {
            (true, _) => f.write_str(&self.reason),
            (false, true) => write!(f, "{}：{}", self.column, self.reason),
            (false, false) => write!(f, "{}“{}”：{}", self.column, self.value, self.reason),
        }
    }
}

/// A row that was refused, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// Excel row number.
    pub row: u64,
    pub problems: Vec<CellProblem>,
    /// The row's cells as written (for the rejected-rows file).
    pub cells: Vec<String>,
    /// The file could not be read any further: no rows follow and the import is incomplete.
    pub fatal: bool,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 行：", self.row)?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("；")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// How far reading has got, for a progress bar: bytes of a CSV, rows of a worksheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReadProgress {
    pub done: u64,
    pub total: u64,
    pub unit: ProgressUnit,
}

/// The unit of [`ReadProgress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressUnit {
    Bytes,
    Rows,
}

impl ReadProgress {
    /// 0..=1.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0) as f32
        }
    }
}

/// The reason of a csv error: an I/O error said in Chinese; csv's own text otherwise.
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => super::io_reason(io),
        _ => e.to_string(),
    }
}
