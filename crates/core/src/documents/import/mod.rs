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

mod columns;
mod guard;
mod row;
mod sheet;
mod stream;
mod text_source;

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use csv::ByteRecord;
use serde::Serialize;

use crate::domain::records::{Record, RecordKind};
use crate::domain::text::shown_value;

use columns::{ColumnMap, MIN_KNOWN, col_letter, known_count, match_header};
use row::{Cell, RowCtx};
use sheet::SheetSource;
use text_source::{GbkReader, Guard, MAX_RECORD_BYTES, SNIFF_BYTES, Shared, Sniffed, lock};

/// Up to this many non-blank rows may precede the header (a title such as 公用事业缴费信息, a date
/// line); the first row with known column names is the header.
pub(crate) const MAX_TITLE_ROWS: usize = 10;

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

/// A CSV being read.
struct CsvSource {
    reader: csv::Reader<Box<dyn Read + Send>>,
    shared: Shared,
    total: u64,
    /// The next non-blank record, read ahead so that the last one is known as last.
    pending: Option<(u64, ByteRecord)>,
    /// A spare buffer, swapped with `pending` to avoid one allocation per row.
    spare: ByteRecord,
    /// Number of header cells up to the last named one.
    header_width: usize,
    /// A read error met while reading ahead, reported after the row before it.
    deferred: Option<RowError>,
    last_row: u64,
}

enum Source {
    Csv(Box<CsvSource>),
    /// XLS and ODS, read whole.
    Sheet(SheetSource),
    /// XLSX, streamed.
    Stream(Box<stream::StreamSource>),
}

/// An open record file: the kind, the header summary and an iterator over the data rows.
pub struct RecordReader {
    header: HeaderSummary,
    format: FileFormat,
    map: ColumnMap,
    today: NaiveDate,
    source: Source,
    finished: bool,
}

/// Open a record file. `kind` forces the record kind; `None` recognises it from the headers.
/// `today` is the date used for the identifier checks (a birth date may not be in the future)
/// and for dates that may not lie after today (缴纳日期, 催告日期, …).
pub fn open_records(
    path: &Path,
    kind: Option<RecordKind>,
    today: NaiveDate,
) -> Result<RecordReader, ImportError> {
    let shown = path.display().to_string();
    let open_err = |e: std::io::Error| ImportError::Open {
        path: shown.clone(),
        reason: super::io_reason(&e),
    };
    // A folder opens on some systems and fails only at the first read, in English.
    if path.is_dir() {
        return Err(ImportError::Open {
            path: shown,
            reason: "这是一个文件夹，不是文件".into(),
        });
    }
    let mut file = File::open(path).map_err(open_err)?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = Vec::with_capacity(SNIFF_BYTES.min(total as usize + 1));
    (&mut file)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| ImportError::Read {
            path: shown.clone(),
            reason: super::io_reason(&e),
        })?;
    let complete = head.len() < SNIFF_BYTES;
    let format = match text_source::sniff(&head, complete) {
        Sniffed::Empty => return Err(ImportError::Empty { path: shown }),
        Sniffed::Utf16 => return Err(ImportError::Utf16),
        Sniffed::Binary => return Err(ImportError::NotText),
        Sniffed::BadEncoding { line } => return Err(ImportError::WrongEncoding { line }),
        // OpenDocument puts its media type, stored, first in the zip.
        Sniffed::Zip if is_opendocument(&head) => FileFormat::Ods,
        Sniffed::Zip => FileFormat::Xlsx,
        Sniffed::Cfb => FileFormat::Xls,
        Sniffed::Utf8 { bom } => FileFormat::CsvUtf8 { bom },
        Sniffed::Gbk => FileFormat::CsvGbk,
    };
    match format {
        FileFormat::Xlsx | FileFormat::Xls | FileFormat::Ods => {
            drop(file);
            open_sheet(path, format, kind, today)
        }
        FileFormat::CsvUtf8 { .. } | FileFormat::CsvGbk => {
            open_csv(head, file, total, format, kind, today, shown)
        }
    }
}

/// An OpenDocument package: its first entry is `mimetype`, stored, naming the media type.
fn is_opendocument(head: &[u8]) -> bool {
    head.get(30..38) == Some(&b"mimetype"[..])
        && head
            .get(38..)
            .is_some_and(|rest| rest.starts_with(b"application/vnd.oasis.opendocument"))
}

fn open_sheet(
    path: &Path,
    format: FileFormat,
    kind: Option<RecordKind>,
    today: NaiveDate,
) -> Result<RecordReader, ImportError> {
    if format == FileFormat::Xlsx {
        let (opened, source) = match stream::open(path, kind) {
            Ok(o) => o,
            // A zip without the package relationships: an OpenDocument sheet, perhaps.
            Err(ImportError::Workbook { reason }) if reason == guard::NOT_XLSX => {
                return open_sheet(path, FileFormat::Ods, kind, today);
            }
            Err(e) => return Err(e),
        };
        return Ok(sheet_reader(
            opened.sheet,
            opened.header_row,
            opened.header_cells,
            opened.header,
            format,
            today,
            Source::Stream(Box::new(source)),
        ));
    }
    // XLS and ODS are read whole by calamine: bounded by their size first.
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    match format {
        FileFormat::Ods => guard::check_ods(path)?,
        _ => guard::check_file_size(len, guard::MAX_WHOLE_FILE_BYTES, ".xls 文件")?,
    }
    let opened = sheet::open(path, format, kind)?;
    Ok(sheet_reader(
        opened.sheet,
        opened.header_row,
        opened.header_cells,
        opened.header,
        format,
        today,
        Source::Sheet(opened.source),
    ))
}

/// The reader of a worksheet once its header is found, streamed (XLSX) or read whole (XLS,
/// ODS).
fn sheet_reader(
    sheet: String,
    header_row: u64,
    header_cells: Vec<String>,
    header: columns::HeaderMatch,
    format: FileFormat,
    today: NaiveDate,
    source: Source,
) -> RecordReader {
    RecordReader {
        header: HeaderSummary {
            kind: header.kind,
            kind_detected: header.detected,
            row: header_row,
            sheet: Some(sheet),
            columns: header_cells,
            unknown: header.unknown,
            absent_optional: header.absent_optional,
        },
        format,
        map: header.map,
        today,
        source,
        finished: false,
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
    columns::spec(kind)
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

fn open_csv(
    head: Vec<u8>,
    file: File,
    total: u64,
    format: FileFormat,
    kind: Option<RecordKind>,
    today: NaiveDate,
    shown: String,
) -> Result<RecordReader, ImportError> {
    let delim = text_source::delimiter(&head);
    let shared = Shared::default();
    let raw = Guard::new(Cursor::new(head).chain(file), delim, shared.clone());
    let input: Box<dyn Read + Send> = if format == FileFormat::CsvGbk {
        Box::new(GbkReader::new(raw))
    } else {
        Box::new(raw)
    };
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .buffer_capacity(64 * 1024)
        .from_reader(input);
    let mut src = CsvSource {
        reader,
        shared,
        total,
        pending: None,
        spare: ByteRecord::new(),
        header_width: 0,
        deferred: None,
        last_row: 0,
    };
    // Find the header among the first rows (a title row may come first).
    let mut checked = 0;
    let mut first_text: Option<String> = None;
    let (header_row, header_cells) = loop {
        let next = src
            .read_nonblank()
            .map_err(|e| e.into_import_error(&shown))?;
        let Some((row, rec)) = next else {
            return Err(match first_text {
                None => ImportError::Empty { path: shown },
                Some(first_row) => ImportError::HeaderNotFound {
                    rows_checked: checked,
                    first_row,
                },
            });
        };
        checked += 1;
        let cells: Vec<String> = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        first_text.get_or_insert_with(|| preview(&cells));
        if known_count(cells.iter().map(String::as_str)) >= MIN_KNOWN {
            break (row, cells);
        }
        if checked >= MAX_TITLE_ROWS {
            return Err(ImportError::HeaderNotFound {
                rows_checked: checked,
                first_row: first_text.unwrap_or_default(),
            });
        }
    };
    let header = match_header(&header_cells, kind, header_row)?;
    src.header_width = header_cells
        .iter()
        .rposition(|c| !c.trim().trim_start_matches('\u{feff}').is_empty())
        .map_or(0, |p| p + 1);
    match src.read_nonblank() {
        Ok(Some(first)) => src.pending = Some(first),
        Ok(None) => return Err(ImportError::HeadersOnly { header_row }),
        Err(e) => return Err(e.into_import_error(&shown)),
    }
    // The header cells as the clerk wrote them, without the BOM.
    let columns = header_cells
        .iter()
        .map(|c| c.trim_start_matches('\u{feff}').to_string())
        .collect();
    Ok(RecordReader {
        header: HeaderSummary {
            kind: header.kind,
            kind_detected: header.detected,
            row: header_row,
            sheet: None,
            columns,
            unknown: header.unknown,
            absent_optional: header.absent_optional,
        },
        format,
        map: header.map,
        today,
        source: Source::Csv(Box::new(src)),
        finished: false,
    })
}

/// A read failure in the middle of a CSV.
enum ReadFailure {
    TooLong { row: u64 },
    Io { row: u64, reason: String },
}

impl ReadFailure {
    fn into_import_error(self, path: &str) -> ImportError {
        match self {
            ReadFailure::TooLong { row } => ImportError::RowTooLong {
                row,
                limit_kb: MAX_RECORD_BYTES / 1024,
            },
            ReadFailure::Io { reason, .. } => ImportError::Read {
                path: path.to_string(),
                reason,
            },
        }
    }

    fn into_row_error(self) -> RowError {
        let (row, reason) = match self {
            ReadFailure::TooLong { row } => (
                row,
                ImportError::RowTooLong {
                    row,
                    limit_kb: MAX_RECORD_BYTES / 1024,
                }
                .to_string(),
            ),
            ReadFailure::Io { row, reason } => (
                row,
                format!("读取文件时出错（{reason}），导入在这里中止：请检查文件后重新导入"),
            ),
        };
        RowError {
            row,
            problems: vec![CellProblem {
                column: String::new(),
                value: String::new(),
                reason,
            }],
            cells: Vec::new(),
            fatal: true,
        }
    }
}

impl CsvSource {
    /// The next record that is not blank, with its Excel row; `None` at the end.
    fn read_nonblank(&mut self) -> Result<Option<(u64, ByteRecord)>, ReadFailure> {
        let mut rec = std::mem::take(&mut self.spare);
        loop {
            match self.reader.read_byte_record(&mut rec) {
                Ok(true) => {
                    let row = lock(&self.shared)
                        .starts
                        .pop_front()
                        .unwrap_or(self.last_row + 1);
                    self.last_row = row;
                    if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    return Ok(Some((row, rec)));
                }
                Ok(false) => {
                    self.spare = rec;
                    return Ok(None);
                }
                Err(e) => {
                    let too_long = lock(&self.shared).too_long_row;
                    return Err(match too_long {
                        Some(row) => ReadFailure::TooLong { row },
                        None => ReadFailure::Io {
                            row: self.last_row + 1,
                            reason: csv_reason(&e),
                        },
                    });
                }
            }
        }
    }
}

impl RecordReader {
    /// The record kind of every row.
    pub fn kind(&self) -> RecordKind {
        self.header.kind
    }

    /// What the header row said (kind, ignored and absent columns).
    pub fn header(&self) -> &HeaderSummary {
        &self.header
    }

    /// The detected file format.
    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// How far reading has got: bytes of a CSV (of the file's size), rows of a worksheet.
    pub fn progress(&self) -> ReadProgress {
        match &self.source {
            Source::Csv(c) => ReadProgress {
                done: lock(&c.shared).bytes.min(c.total),
                total: c.total,
                unit: ProgressUnit::Bytes,
            },
            Source::Sheet(s) => ReadProgress {
                done: s.next as u64,
                total: s.height() as u64,
                unit: ProgressUnit::Rows,
            },
            Source::Stream(s) => ReadProgress {
                done: s.done,
                total: s.last_row.max(s.done),
                unit: ProgressUnit::Rows,
            },
        }
    }

    /// Validate one row's cells.
    fn check(
        map: &ColumnMap,
        kind: RecordKind,
        today: NaiveDate,
        row: u64,
        cells: &[Cell<'_>],
        mut extra: Vec<CellProblem>,
    ) -> Result<ImportedRow, RowError> {
        // Cells beyond the header: usually a name with an unquoted comma that shifted the row.
        let width = map.names.len();
        let overflow = cells
            .iter()
            .enumerate()
            .skip(width)
            .filter(|(_, c)| !c.is_blank())
            .count();
        if overflow > 0 {
            extra.push(CellProblem {
                column: format!("{} 列之后", col_letter(width.saturating_sub(1))),
                value: String::new(),
                reason: format!(
                    "本行比表头多出 {overflow} 个有内容的单元格（可能是名称里有逗号却没有加引号），请核对"
                ),
            });
        }
        let mut ctx = RowCtx::new(cells, map, today);
        ctx.problems = extra;
        match row::build(&mut ctx, kind) {
            Some(record) => Ok(ImportedRow {
                row,
                record,
                notes: ctx.notes,
            }),
            None => Err(RowError {
                row,
                problems: ctx.problems,
                cells: cells.iter().map(Cell::raw).collect(),
                fatal: false,
            }),
        }
    }

    fn next_csv(&mut self) -> Option<Result<ImportedRow, RowError>> {
        let Source::Csv(src) = &mut self.source else {
            return None;
        };
        let Some((row, rec)) = src.pending.take() else {
            return src.deferred.take().map(Err);
        };
        let is_last = match src.read_nonblank() {
            Ok(Some(next)) => {
                src.pending = Some(next);
                false
            }
            Ok(None) => true,
            Err(e) => {
                src.deferred = Some(e.into_row_error());
                false
            }
        };
        let mut extra = Vec::new();
        let width = rec.len();
        // One UTF-8 check for the whole row (csv checks the field boundaries too); only a row
        // that fails is looked at field by field, to name the bad cell.
        let (valid, raw) = match csv::StringRecord::from_byte_record(rec) {
            Ok(valid) => (valid, None),
            Err(e) => (csv::StringRecord::new(), Some(e.into_byte_record())),
        };
        // Text only for a row with a bad cell (owned, repaired); a valid row's cells borrow it.
        let texts: Vec<Cow<'_, str>> = match &raw {
            None => Vec::new(),
            Some(rec) => rec
            .iter()
            .enumerate()
            .map(|(i, f)| match std::str::from_utf8(f) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => {
                    extra.push(CellProblem::quoting(
                        self
                            .map
                            .names
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("{} 列", col_letter(i))),
                        &String::from_utf8_lossy(f),
                        "含有不是 UTF-8 编码的字符：请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”后重新导入".into(),
                    ));
                    Cow::Owned(String::from_utf8_lossy(f).into_owned())
                }
            })
            .collect(),
        };
        if is_last {
            let (in_quotes, last_byte_is_break) = {
                let s = lock(&src.shared);
                (s.ended_in_quotes, s.ends_with_break)
            };
            if in_quotes || (width < src.header_width && !last_byte_is_break) {
                extra.push(CellProblem {
                    column: String::new(),
                    value: String::new(),
                    reason: format!(
                        "文件在这一行中断（{}），文件可能不完整或被截断：请重新导出后再导入",
                        if in_quotes {
                            "引号没有闭合".to_string()
                        } else {
                            format!("只有 {width} 列，表头有 {} 列", src.header_width)
                        }
                    ),
                });
            }
        }
        let cells: Vec<Cell<'_>> = match &raw {
            None => valid.iter().map(Cell::Text).collect(),
            Some(_) => texts.iter().map(|t| Cell::Text(t)).collect(),
        };
        let result = Self::check(&self.map, self.header.kind, self.today, row, &cells, extra);
        drop(cells);
        drop(texts);
        src.spare = raw.unwrap_or_else(|| valid.into_byte_record());
        Some(result)
    }

    fn next_sheet(&mut self) -> Option<Result<ImportedRow, RowError>> {
        let Source::Sheet(src) = &mut self.source else {
            return None;
        };
        while src.next < src.height() {
            let r = src.next;
            src.next += 1;
            let cells = src.row(r);
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            let row = src.first_row + r as u64;
            return Some(Self::check(
                &self.map,
                self.header.kind,
                self.today,
                row,
                &cells,
                Vec::new(),
            ));
        }
        None
    }

    fn next_stream(&mut self) -> Option<Result<ImportedRow, RowError>> {
        let Source::Stream(src) = &mut self.source else {
            return None;
        };
        Some(match src.next_row()? {
            Ok((row, cells)) => Self::check(
                &self.map,
                self.header.kind,
                self.today,
                row,
                &cells,
                Vec::new(),
            ),
            Err(e) => Err(e),
        })
    }
}

impl Iterator for RecordReader {
    type Item = Result<ImportedRow, RowError>;

    /// The next data row (blank rows are skipped). After a fatal [`RowError`] the iterator ends.
    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let item = match self.source {
            Source::Csv(_) => self.next_csv(),
            Source::Sheet(_) => self.next_sheet(),
            Source::Stream(_) => self.next_stream(),
        };
        match &item {
            None | Some(Err(RowError { fatal: true, .. })) => self.finished = true,
            _ => {}
        }
        item
    }
}

/// Writes the rejected rows of an import (`--skip-invalid`) as a CSV the clerk can open in Excel
/// (UTF-8 with BOM): the original columns, then a 原因 column with the row number and every
/// problem. Cells beyond the header (a shifted row) follow the 原因 column.
pub struct RejectWriter {
    writer: csv::Writer<BufWriter<File>>,
    width: usize,
    path: PathBuf,
    rows: u64,
}

impl RejectWriter {
    /// Create (or overwrite) `path` with the header of the imported file plus 原因.
    pub fn create(path: &Path, header: &HeaderSummary) -> Result<Self, ImportError> {
        let err = |e: &std::io::Error| ImportError::RejectFile {
            path: path.display().to_string(),
            reason: super::io_reason(e),
        };
        let file = File::create(path).map_err(|e| err(&e))?;
        let mut out = BufWriter::new(file);
        out.write_all(b"\xEF\xBB\xBF").map_err(|e| err(&e))?;
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(out);
        let mut head: Vec<&str> = header.columns.iter().map(String::as_str).collect();
        head.push("原因");
        writer.write_record(&head).map_err(|e| csv_err(path, &e))?;
        Ok(Self {
            writer,
            width: header.columns.len(),
            path: path.to_path_buf(),
            rows: 0,
        })
    }

    /// Append one rejected row.
    pub fn write(&mut self, error: &RowError) -> Result<(), ImportError> {
        let mut record: Vec<Cow<'_, str>> = (0..self.width)
            .map(|i| Cow::Borrowed(error.cells.get(i).map_or("", String::as_str)))
            .collect();
        record.push(Cow::Owned(error.to_string()));
        record.extend(
            error
                .cells
                .iter()
                .skip(self.width)
                .map(|c| Cow::Borrowed(c.as_str())),
        );
        self.writer
            .write_record(record.iter().map(|c| c.as_bytes()))
            .map_err(|e| self.error(&e))?;
        self.rows += 1;
        Ok(())
    }

    /// Flush and close; returns the number of rows written.
    pub fn finish(mut self) -> Result<u64, ImportError> {
        self.writer.flush().map_err(|e| ImportError::RejectFile {
            path: self.path.display().to_string(),
            reason: super::io_reason(&e),
        })?;
        Ok(self.rows)
    }

    fn error(&self, e: &csv::Error) -> ImportError {
        csv_err(&self.path, e)
    }
}

/// A CSV writer's error in Chinese (it is an I/O error underneath).
fn csv_err(path: &Path, e: &csv::Error) -> ImportError {
    ImportError::RejectFile {
        path: path.display().to_string(),
        reason: csv_reason(e),
    }
}

/// The reason of a csv error: an I/O error said in Chinese; csv's own text otherwise.
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => super::io_reason(io),
        _ => e.to_string(),
    }
}
