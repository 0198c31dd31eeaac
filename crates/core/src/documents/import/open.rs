//! Opening a record file and reading its rows: the format sniffed from the content (not the
//! name), the header found among the first rows, then one [`ImportedRow`] or [`RowError`] per
//! data row. CSV is read here, a buffer at a time; worksheets come from `sheet` (XLS, ODS, read
//! whole) and `stream` (XLSX, streamed).
//!
//! Separate from the row types in `mod.rs`, which the caller handles without any file, and from
//! the reject-file writer, which only writes: this is where the order of the rows is decided.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use chrono::NaiveDate;
use csv::ByteRecord;

use crate::documents::io_reason;
use crate::domain::records::RecordKind;

use super::columns::{self, ColumnMap, MIN_KNOWN, col_letter, known_count, match_header};
use super::row::{self, Cell, RowCtx};
use super::sheet::{self, SheetSource};
use super::text_source::{
    self, GbkReader, Guard, MAX_RECORD_BYTES, SNIFF_BYTES, Shared, Sniffed, lock,
};
use super::{
    CellProblem, FileFormat, HeaderSummary, ImportError, ImportedRow, MAX_TITLE_ROWS, ProgressUnit,
    ReadProgress, RowError, csv_reason, guard, preview, stream,
};

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
        reason: io_reason(&e),
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
            reason: io_reason(&e),
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
