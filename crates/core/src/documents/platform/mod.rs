//! Files of the exchange with 湛江市公共信用信息共享平台 (rules E-1..E-3):
//!
//! - `batch_file`: one class's data file of a batch (XLSX or CSV with BOM), streamed, byte-identical
//!   when the same rows are written again, its header exactly the catalog's data items (E-1);
//! - `manifest`: the batch's 变更清单.csv (which row is a 新增/更正/撤销 of which record) and
//!   批次说明.csv (batch number, time, operator, rows and SHA-256 per file);
//! - `feedback`: the platform's return file (the rows it refused and why);
//! - `lists`: the 严重失信主体名单 and other dishonesty list snapshots that come back (E-2);
//! - `publication`: the 信用湛江 publication file of public commitments (E-3).
//!
//! The readers (`table`) accept CSV in UTF-8 (with or without BOM) or GBK and XLSX workbooks,
//! columns in any order and extra columns, and report problems per row ([`RowProblem`]) instead of
//! stopping at the first. Every input is bounded: file size, rows, cell length and record length.

mod batch_file;
mod feedback;
mod lists;
mod manifest;
mod publication;
pub(crate) mod table;
mod xlsx_stream;

use std::fmt;

pub use batch_file::{BatchFileWriter, BatchFormat, FileDigest, sanitize_sheet_name};
pub use feedback::{Feedback, FeedbackRow, read_feedback};
pub use lists::{ListFile, read_list_file};
pub use manifest::{
    BATCH_SUMMARY_COLUMNS, BatchSummary, MANIFEST_COLUMNS, ManifestEntry, ManifestWriter,
    SummaryFile, write_batch_summary,
};
pub use publication::{PublicationWriter, write_publication};
pub use table::{MAX_CELL_CHARS, MAX_READ_ROWS};

/// Why a platform file could not be read or written. `Display` is the Chinese message for the
/// clerk: it names the file, the row or the column and says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformFileError {
    #[error("无法打开文件“{path}”：{reason}")]
    Open { path: String, reason: String },
    #[error("读取文件“{path}”时出错：{reason}")]
    Read { path: String, reason: String },
    #[error("无法写入文件“{path}”：{reason}。请换一个位置或文件名，并确认文件未被 Excel 打开")]
    Write { path: String, reason: String },
    #[error("文件“{path}”是空的：请选择含表头和数据行的文件")]
    Empty { path: String },
    #[error("文件只有表头（第 {header_row} 行），没有数据行：请确认导出时选中了数据")]
    HeaderOnly { header_row: u64 },
    #[error(
        "文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法读取：请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”或 Excel 工作簿（.xlsx）后重试"
    )]
    Utf16,
    #[error(
        "文件既不是 UTF-8 也不是 GBK 编码的文本（第 {line} 行附近有无法识别的字节）：请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”后重试"
    )]
    WrongEncoding { line: u64 },
    #[error(
        "文件是 Excel 97-2003 工作簿（.xls）：请在 Excel 中“另存为”Excel 工作簿（.xlsx）或 CSV UTF-8 后重试"
    )]
    Xls,
    #[error("文件不是 CSV 文本，也不是 Excel 工作簿（.xlsx）：请选择平台下发的文件")]
    NotTable,
    #[error("Excel 文件无法读取（{reason}）：文件可能已损坏或没有完整下载，请重新下载后再试")]
    Workbook { reason: String },
    #[error(
        "文件{reason}：为防止程序内存耗尽，不予读取。请在 Excel 中打开，另存为新文件（或分成几个文件）后再试"
    )]
    Limit { reason: String },
    #[error("工作簿中没有含数据的工作表")]
    NoSheet,
    #[error(
        "没有找到{what}的表头：前 {rows_checked} 行中没有一行含有 {expected} 等列名。文件第一行是：{first_row}"
    )]
    HeaderNotFound {
        what: &'static str,
        rows_checked: usize,
        expected: &'static str,
        first_row: String,
    },
    #[error("{what}缺少列：{missing}（表头在第 {header_row} 行）。请补上这些列后重试")]
    MissingColumns {
        what: &'static str,
        missing: String,
        header_row: u64,
    },
    #[error("表头中“{name}”出现了两次（{first} 列和 {second} 列）：请删除或改名其中一列")]
    DuplicateColumn {
        name: String,
        first: String,
        second: String,
    },
    #[error("文件超过 {limit} 行数据：请分成几个文件后再试")]
    TooManyRows { limit: u64 },
    #[error(
        "第 {row} 行超过 {limit_kb} KB，文件可能已损坏（例如引号没有闭合，把后面的内容都并进了这一行）：请检查该行"
    )]
    RowTooLong { row: u64, limit_kb: u64 },
    #[error("一个 Excel 工作表最多 {limit} 行数据，本次已超过：请改用 CSV 格式，或分批导出")]
    SheetFull { limit: u64 },
    #[error("第 {row} 行第 {column} 列的内容超过 {limit} 字（Excel 单元格的上限）：请核对该数据")]
    CellTooLong { row: u64, column: u64, limit: usize },
    #[error("第 {row} 行有 {actual} 列，表头有 {expected} 列：每行的列数应与表头一致")]
    WrongWidth {
        row: u64,
        expected: usize,
        actual: usize,
    },
    #[error("文件太大（超过 4 GB）：请分批导出")]
    TooLarge,
}

/// One problem of one row of a file that was read: the row as Excel shows it, the column as the
/// file names it (empty for a problem of the whole row), the value (a personal ID number masked,
/// rule ID-3) and the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 行", self.row)?;
        match (self.column.is_empty(), self.value.is_empty()) {
            (true, _) => write!(f, "：{}", self.reason),
            (false, true) => write!(f, "“{}”列：{}", self.column, self.reason),
            (false, false) => write!(f, "“{}”列的“{}”：{}", self.column, self.value, self.reason),
        }
    }
}

/// A temporary file beside `target` (same folder, so the final rename stays on one disk), named
/// so that it is recognisable and does not collide with another export running at the same time.
fn temp_path_for(target: &std::path::Path) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "导出".into());
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{}-{seq}.part", std::process::id()))
}

/// SHA-256 (hex) of a file, read a buffer at a time.
fn file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_row_column_and_value() {
        let p = RowProblem {
            row: 7,
            column: "统一社会信用代码".into(),
            value: "91440800MA4UMB8E01".into(),
            reason: "校验位不对".into(),
        };
        assert_eq!(
            p.to_string(),
            "第 7 行“统一社会信用代码”列的“91440800MA4UMB8E01”：校验位不对"
        );
        let whole = RowProblem {
            row: 3,
            column: String::new(),
            value: String::new(),
            reason: "行号和记录标识都为空".into(),
        };
        assert_eq!(whole.to_string(), "第 3 行：行号和记录标识都为空");
    }

    #[test]
    fn temporary_files_sit_beside_the_target() {
        let t = std::path::Path::new("/x/y/公用事业缴费信息.xlsx");
        let a = temp_path_for(t);
        let b = temp_path_for(t);
        assert_eq!(a.parent(), t.parent());
        assert_ne!(a, b);
        assert!(
            a.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".公用事业缴费信息.xlsx.")
        );
    }
}
