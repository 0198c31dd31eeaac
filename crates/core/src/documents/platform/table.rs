//! Reading a table the platform sends (a return file, a list snapshot): CSV in UTF-8 (with or
//! without BOM) or GBK, or an XLSX workbook, row by row into a visitor, with every input bounded.
//!
//! The record import (`documents::import`) has the same capabilities, but its opening and row
//! machinery is private to it and tied to the record kinds' headers; this reader is the small
//! generic part the platform files need, with the same rules: format sniffed from the content,
//! GBK decoded as a stream, one CSV record at most [`MAX_RECORD_BYTES`], a cell at most
//! [`MAX_CELL_CHARS`] characters, at most [`MAX_READ_ROWS`] rows, workbooks checked against
//! compression bombs before calamine reads them, the worksheet streamed cell by cell.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};
use chrono::{Datelike, Days, NaiveDate};
use encoding_rs::{DecoderResult, GBK};

use super::PlatformFileError;
use crate::documents::io_reason;
use crate::domain::id_codes::normalize;
use crate::domain::text::parse_date;

/// The most data rows read from one file.
pub const MAX_READ_ROWS: u64 = 2_000_000;
/// The longest cell accepted (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// The longest CSV record (one row) accepted: a longer one is a damaged file.
const MAX_RECORD_BYTES: u64 = 1024 * 1024;
/// Columns read from a row; platform tables have a few dozen.
const MAX_COLS: usize = 512;
/// The largest file read: return files and list snapshots are far smaller.
const MAX_FILE_BYTES: u64 = 512 << 20;
/// The largest workbook; its parts may not unpack beyond these sizes or this ratio.
const MAX_XLSX_BYTES: u64 = 256 << 20;
const MAX_PART_BYTES: u64 = 1 << 30;
const MAX_SHARED_STRINGS_BYTES: u64 = 128 << 20;
const MAX_TOTAL_UNPACKED: u64 = 2 << 30;
const MAX_RATIO: u64 = 200;
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Rows looked at for the header.
pub(crate) const MAX_TITLE_ROWS: usize = 10;

const SNIFF_BYTES: usize = 64 * 1024;

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel date cell: its serial day number.
    Date(f64),
    /// A cell longer than [`MAX_CELL_CHARS`] (its length), reported by the caller.
    TooLong(usize),
}

impl Value {
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text (numbers without a needless `.0`; a date cell as `YYYY-MM-DD`).
    pub(crate) fn text(&self) -> Cow<'_, str> {
        match self {
            Value::Empty | Value::TooLong(_) => Cow::Borrowed(""),
            Value::Text(s) => Cow::Borrowed(s.trim()),
            Value::Number(f) => Cow::Owned(number_text(*f)),
            Value::Date(f) => Cow::Owned(
                excel_serial_date(*f)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|_| number_text(*f)),
            ),
        }
    }
}

/// A number as a spreadsheet shows it: whole numbers without decimals.
pub(crate) fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Excel serial day number (1900 date system) → date; serial 60 is Excel's fictitious
/// 1900-02-29 and does not exist.
pub(crate) fn excel_serial_date(serial: f64) -> Result<NaiveDate, String> {
    let bad = || format!("“{}”不是有效的 Excel 日期", number_text(serial));
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(bad());
    }
    let days = serial.floor() as u64;
    if days == 60 {
        return Err("Excel 日期序号 60 是不存在的 1900-02-29，请核对".into());
    }
    let base = if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    };
    let date = base
        .and_then(|b| b.checked_add_days(Days::new(days)))
        .ok_or_else(bad)?;
    if !(1900..=2200).contains(&date.year()) {
        return Err(bad());
    }
    Ok(date)
}

/// A date cell: an Excel date or serial number, or text in the forms clerks write
/// (`2024-03-05`, `2024/3/5`, `2024年3月5日`, `20240305`, full-width digits, a trailing time of
/// day). `Ok(None)` for an empty cell.
pub(crate) fn date_of(v: &Value) -> Result<Option<NaiveDate>, String> {
    match v {
        Value::Empty => Ok(None),
        Value::TooLong(_) => Err("内容过长，不是日期".into()),
        Value::Date(f) | Value::Number(f) => excel_serial_date(*f).map(Some),
        Value::Text(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            let t = match t.find([' ', 'T', '\u{3000}']) {
                Some(i) if t[i..].contains(':') || t[i..].contains('：') => t[..i].trim(),
                _ => t,
            };
            let n = normalize(t);
            // A serial number that a CSV export left behind (five digits: 1927..2173).
            if n.len() == 5
                && n.bytes().all(|b| b.is_ascii_digit())
                && let Ok(v) = n.parse::<f64>()
            {
                return excel_serial_date(v).map(Some);
            }
            parse_date(t).map(Some)
        }
    }
}

/// A header cell as compared: full-width folded, spaces dropped, upper-cased ([`normalize`]),
/// required-markers and a trailing colon removed.
pub(crate) fn header_form(s: &str) -> String {
    let n = normalize(s).replace('\u{FEFF}', "");
    let n = n
        .trim_start_matches('*')
        .trim_end_matches('*')
        .trim_end_matches([':', '：'])
        .to_string();
    n.replace("(必填)", "").replace("(选填)", "")
}

/// Spreadsheet column letters of a 0-based index.
pub(crate) fn col_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Find the columns of `fields` (each a list of accepted names, in header form) in a header
/// row: per field, the column index. Two columns for one field are refused.
pub(crate) fn match_header(
    cells: &[Value],
    fields: &[&[&str]],
) -> Result<Vec<Option<usize>>, PlatformFileError> {
    let mut found: Vec<Option<usize>> = vec![None; fields.len()];
    for (c, cell) in cells.iter().enumerate() {
        let name = header_form(&cell.text());
        if name.is_empty() {
            continue;
        }
        if let Some(f) = fields
            .iter()
            .position(|aliases| aliases.iter().any(|a| header_form(a) == name))
        {
            if let Some(first) = found[f] {
                return Err(PlatformFileError::DuplicateColumn {
                    name: cell.text().into_owned(),
                    first: col_letter(first),
                    second: col_letter(c),
                });
            }
            found[f] = Some(c);
        }
    }
    Ok(found)
}

/// Read the first table of `path`, handing each non-blank row (its row number as Excel shows
/// it, its cells) to `visit`. Stops at the first error `visit` returns.
pub(crate) fn read_table(
    path: &Path,
    mut visit: impl FnMut(u64, &[Value]) -> Result<(), PlatformFileError>,
) -> Result<(), PlatformFileError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(PlatformFileError::Open {
            path: shown,
            reason: "这是一个文件夹，不是文件".into(),
        });
    }
    let mut file = File::open(path).map_err(|e| PlatformFileError::Open {
        path: shown.clone(),
        reason: io_reason(&e),
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FILE_BYTES {
        return Err(PlatformFileError::Limit {
            reason: format!("超过 {} MB", MAX_FILE_BYTES >> 20),
        });
    }
    let mut head = Vec::with_capacity(SNIFF_BYTES.min(len as usize + 1));
    (&mut file)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| PlatformFileError::Read {
            path: shown.clone(),
            reason: io_reason(&e),
        })?;
    let complete = head.len() < SNIFF_BYTES;
    let mut rows = 0u64;
    let mut counted = |row: u64, cells: &[Value]| {
        if cells.iter().all(Value::is_blank) {
            return Ok(());
        }
        rows += 1;
        if rows > MAX_READ_ROWS + MAX_TITLE_ROWS as u64 {
            return Err(PlatformFileError::TooManyRows {
                limit: MAX_READ_ROWS,
            });
        }
        visit(row, cells)
    };
    match sniff(&head, complete) {
        Sniffed::Empty => Err(PlatformFileError::Empty { path: shown }),
        Sniffed::Utf16 => Err(PlatformFileError::Utf16),
        Sniffed::Xls => Err(PlatformFileError::Xls),
        Sniffed::Binary => Err(PlatformFileError::NotTable),
        Sniffed::BadEncoding { line } => Err(PlatformFileError::WrongEncoding { line }),
        Sniffed::Zip => {
            drop(file);
            read_xlsx(path, len, &mut counted)
        }
        Sniffed::Text { gbk } => {
            let delimiter = delimiter(&head);
            let rest = io::Cursor::new(head).chain(file);
            let source: Box<dyn Read> = if gbk {
                Box::new(GbkRead::new(rest))
            } else {
                Box::new(rest)
            };
            read_csv(source, delimiter, &shown, &mut counted)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Empty,
    Zip,
    Xls,
    Utf16,
    Binary,
    Text { gbk: bool },
    BadEncoding { line: u64 },
}

fn sniff(head: &[u8], complete: bool) -> Sniffed {
    if head.starts_with(b"PK\x03\x04") {
        return Sniffed::Zip;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Sniffed::Xls;
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Sniffed::Utf16;
    }
    let (bom, body) = match head.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, head),
    };
    if body
        .iter()
        .all(|b| b.is_ascii_whitespace() || *b == b',' || *b == b'\t')
    {
        return Sniffed::Empty;
    }
    if body.contains(&0) {
        return Sniffed::Binary;
    }
    if bom {
        return Sniffed::Text { gbk: false };
    }
    // A full sniff may end inside a character: judge up to its last line break.
    let judged = if complete {
        body
    } else {
        match body.iter().rposition(|b| *b == b'\n') {
            Some(p) => &body[..p],
            None => body,
        }
    };
    match std::str::from_utf8(judged) {
        Ok(_) => return Sniffed::Text { gbk: false },
        Err(e) if !complete && e.error_len().is_none() => return Sniffed::Text { gbk: false },
        Err(_) => {}
    }
    let mut decoder = GBK.new_decoder_without_bom_handling();
    let mut out = vec![0u8; judged.len().saturating_mul(3).saturating_add(16)];
    let (result, read, _) = decoder.decode_to_utf8_without_replacement(judged, &mut out, complete);
    match result {
        DecoderResult::Malformed(..) => Sniffed::BadEncoding {
            line: 1 + judged[..read.min(judged.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64,
        },
        _ => Sniffed::Text { gbk: true },
    }
}

/// A tab when the first line has tabs and no commas (Excel's 文本文件（制表符分隔）).
fn delimiter(head: &[u8]) -> u8 {
    let first = head.split(|b| *b == b'\n').next().unwrap_or(head);
    if !first.contains(&b',') && first.contains(&b'\t') {
        b'\t'
    } else {
        b','
    }
}

/// Bytes of GBK that are not GBK: the line where decoding stopped.
#[derive(Debug)]
struct NotGbk {
    line: u64,
}

impl std::fmt::Display for NotGbk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第 {} 行附近有不是 GBK 编码的字节", self.line)
    }
}

impl std::error::Error for NotGbk {}

/// GBK → UTF-8 as a stream (a few buffers, whatever the file's size).
struct GbkRead<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    done: bool,
    lines: u64,
}

impl<R: Read> GbkRead<R> {
    fn new(inner: R) -> Self {
        const IN: usize = 32 * 1024;
        Self {
            inner,
            decoder: GBK.new_decoder_without_bom_handling(),
            input: vec![0; IN],
            in_start: 0,
            in_end: 0,
            output: vec![0; IN * 3 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            done: false,
            lines: 1,
        }
    }
}

impl<R: Read> Read for GbkRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            self.lines += self.output[..written]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            match result {
                DecoderResult::Malformed(..) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        NotGbk { line: self.lines },
                    ));
                }
                DecoderResult::InputEmpty if self.eof => self.done = true,
                _ => {}
            }
        }
    }
}

/// Refuses a CSV record longer than [`MAX_RECORD_BYTES`] before the csv reader buffers it (an
/// unclosed quote would otherwise pull the rest of the file into one record). Follows the quoting
/// as the csv reader does: a quote opens a field only at its start.
struct RecordGuard<R> {
    inner: R,
    delimiter: u8,
    state: CsvState,
    run: u64,
    line: u64,
    record_start: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CsvState {
    FieldStart,
    Unquoted,
    Quoted,
    AfterQuote,
}

/// The record that was too long: its first line.
#[derive(Debug)]
struct TooLong {
    row: u64,
}

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第 {} 行过长", self.row)
    }
}

impl std::error::Error for TooLong {}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.run += 1;
            self.state = match (self.state, b) {
                (CsvState::FieldStart, b'"') => CsvState::Quoted,
                (CsvState::Quoted, b'"') => CsvState::AfterQuote,
                (CsvState::Quoted, _) => CsvState::Quoted,
                (CsvState::AfterQuote, b'"') => CsvState::Quoted,
                (_, b'\n') => {
                    self.line += 1;
                    self.run = 0;
                    self.record_start = self.line;
                    CsvState::FieldStart
                }
                (_, d) if d == self.delimiter => CsvState::FieldStart,
                _ => CsvState::Unquoted,
            };
            if self.state == CsvState::Quoted && b == b'\n' {
                self.line += 1;
            }
            if self.run > MAX_RECORD_BYTES {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    TooLong {
                        row: self.record_start,
                    },
                ));
            }
        }
        Ok(n)
    }
}

fn read_csv(
    source: Box<dyn Read>,
    delimiter: u8,
    shown: &str,
    visit: &mut impl FnMut(u64, &[Value]) -> Result<(), PlatformFileError>,
) -> Result<(), PlatformFileError> {
    let guard = RecordGuard {
        inner: source,
        delimiter,
        state: CsvState::FieldStart,
        run: 0,
        line: 1,
        record_start: 1,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(256 * 1024)
        .from_reader(guard);
    let mut record = csv::ByteRecord::new();
    let mut cells: Vec<Value> = Vec::new();
    let mut first = true;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(csv_error(e, shown)),
        }
        let row = record.position().map_or(0, |p| p.line());
        cells.clear();
        for (i, field) in record.iter().enumerate().take(MAX_COLS) {
            let field = if first && i == 0 {
                field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
            } else {
                field
            };
            let text = std::str::from_utf8(field)
                .map_err(|_| PlatformFileError::WrongEncoding { line: row })?;
            let chars = text.chars().count();
            cells.push(if chars > MAX_CELL_CHARS {
                Value::TooLong(chars)
            } else if text.is_empty() {
                Value::Empty
            } else {
                Value::Text(text.to_string())
            });
        }
        first = false;
        visit(row, &cells)?;
    }
}

fn csv_error(e: csv::Error, shown: &str) -> PlatformFileError {
    if let csv::ErrorKind::Io(io) = e.kind() {
        if let Some(inner) = io.get_ref() {
            if let Some(g) = inner.downcast_ref::<NotGbk>() {
                return PlatformFileError::WrongEncoding { line: g.line };
            }
            if let Some(t) = inner.downcast_ref::<TooLong>() {
                return PlatformFileError::RowTooLong {
                    row: t.row,
                    limit_kb: MAX_RECORD_BYTES >> 10,
                };
            }
        }
        return PlatformFileError::Read {
            path: shown.to_string(),
            reason: io_reason(io),
        };
    }
    PlatformFileError::Read {
        path: shown.to_string(),
        reason: e.to_string(),
    }
}

/// The zip's own directory, before calamine unpacks anything: sizes and ratios bounded.
fn check_zip(path: &Path, len: u64) -> Result<(), PlatformFileError> {
    let limit = |reason: String| PlatformFileError::Limit { reason };
    if len > MAX_XLSX_BYTES {
        return Err(limit(format!("超过 {} MB", MAX_XLSX_BYTES >> 20)));
    }
    let file = File::open(path).map_err(|e| PlatformFileError::Open {
        path: path.display().to_string(),
        reason: io_reason(&e),
    })?;
    let mut zip =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| PlatformFileError::Workbook {
            reason: e.to_string(),
        })?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(limit(format!("含有 {} 个部件", zip.len())));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| PlatformFileError::Workbook {
                reason: e.to_string(),
            })?;
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        let name = entry
            .name()
            .map(|n| n.to_ascii_lowercase())
            .unwrap_or_default();
        total = total.saturating_add(size);
        let cap = if name.ends_with("sharedstrings.xml") {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_PART_BYTES
        };
        if size > cap || total > MAX_TOTAL_UNPACKED {
            return Err(limit(format!("解压后过大（{} MB）", size.max(total) >> 20)));
        }
        if size > (1 << 20) && size / packed > MAX_RATIO {
            return Err(limit(format!("的压缩比异常（{} 倍）", size / packed)));
        }
    }
    Ok(())
}

fn read_xlsx(
    path: &Path,
    len: u64,
    visit: &mut impl FnMut(u64, &[Value]) -> Result<(), PlatformFileError>,
) -> Result<(), PlatformFileError> {
    check_zip(path, len)?;
    let workbook_err = |e: calamine::XlsxError| PlatformFileError::Workbook {
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(|e| PlatformFileError::Open {
        path: path.display().to_string(),
        reason: io_reason(&e),
    })?;
    let mut wb: Xlsx<BufReader<File>> = Xlsx::new(BufReader::new(file)).map_err(workbook_err)?;
    for name in wb.sheet_names() {
        let mut cells = wb.worksheet_cells_reader(&name).map_err(workbook_err)?;
        let mut current: Option<u32> = None;
        let mut row: Vec<Value> = Vec::new();
        let mut any = false;
        while let Some(cell) = cells.next_cell().map_err(workbook_err)? {
            let (r, c) = cell.get_position();
            if current != Some(r) {
                if let Some(prev) = current {
                    any = true;
                    visit(u64::from(prev) + 1, &row)?;
                }
                current = Some(r);
                row.clear();
            }
            let c = c as usize;
            if c >= MAX_COLS {
                continue;
            }
            let value = match cell.get_value() {
                DataRef::Empty => Value::Empty,
                DataRef::String(s) => text_value(s),
                DataRef::SharedString(s) => text_value(s),
                DataRef::Int(i) => Value::Number(*i as f64),
                DataRef::Float(f) => Value::Number(*f),
                DataRef::Bool(b) => Value::Text(if *b { "TRUE" } else { "FALSE" }.into()),
                DataRef::DateTime(d) => Value::Date(d.as_f64()),
                DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text_value(s),
                DataRef::Error(e) => Value::Text(format!("#{e}")),
            };
            if row.len() <= c {
                row.resize(c + 1, Value::Empty);
            }
            row[c] = value;
        }
        if let Some(prev) = current {
            any = true;
            visit(u64::from(prev) + 1, &row)?;
        }
        if any {
            return Ok(());
        }
    }
    Err(PlatformFileError::NoSheet)
}

fn text_value(s: &str) -> Value {
    let chars = s.chars().count();
    if chars > MAX_CELL_CHARS {
        Value::TooLong(chars)
    } else if s.is_empty() {
        Value::Empty
    } else {
        Value::Text(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_every_written_form() {
        for v in [
            Value::Text("2024-03-05".into()),
            Value::Text("2024/3/5".into()),
            Value::Text("2024年3月5日".into()),
            Value::Text("20240305".into()),
            Value::Text("２０２４－０３－０５".into()),
            Value::Text("2024-03-05 10:30:00".into()),
            Value::Text("45356".into()),
            Value::Date(45356.0),
            Value::Number(45356.0),
        ] {
            assert_eq!(date_of(&v), Ok(Some(d(2024, 3, 5))), "{v:?}");
        }
        assert_eq!(date_of(&Value::Text("  ".into())), Ok(None));
        assert!(
            date_of(&Value::Text("2024-02-30".into()))
                .unwrap_err()
                .contains("没有 30 日")
        );
        assert!(date_of(&Value::Text("三月五日".into())).is_err());
        assert!(date_of(&Value::Number(60.0)).is_err());
    }

    #[test]
    fn headers_match_in_any_form() {
        assert_eq!(
            header_form("＊统一社会信用代码（必填）："),
            "统一社会信用代码"
        );
        assert_eq!(header_form(" 列入 日期 "), "列入日期");
        let cells = vec![
            Value::Text("备注".into()),
            Value::Text("失败原因".into()),
            Value::Text("行号".into()),
        ];
        let found =
            match_header(&cells, &[&["行号"], &["原因", "失败原因"], &["记录标识"]]).unwrap();
        assert_eq!(found, vec![Some(2), Some(1), None]);
        let dup = vec![Value::Text("原因".into()), Value::Text("失败原因".into())];
        let e = match_header(&dup, &[&["原因", "失败原因"]]).unwrap_err();
        assert!(e.to_string().contains("A 列和 B 列"), "{e}");
    }

    #[test]
    fn gbk_is_decoded_as_a_stream() {
        let (bytes, _, _) = GBK.encode("名称,日期\r\n湛江,2024-03-05\r\n");
        let mut out = String::new();
        GbkRead::new(io::Cursor::new(bytes.to_vec()))
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "名称,日期\r\n湛江,2024-03-05\r\n");
        assert_eq!(sniff(&bytes, true), Sniffed::Text { gbk: true });
        assert_eq!(sniff("名称".as_bytes(), true), Sniffed::Text { gbk: false });
        assert_eq!(sniff(b"\xFF\xFEa", true), Sniffed::Utf16);
        assert_eq!(sniff(b" ,,\r\n", true), Sniffed::Empty);
    }

    #[test]
    fn an_unclosed_quote_is_stopped_at_the_record_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.csv");
        let mut text = String::from("名称,原因\n甲,\"没有闭合\n");
        for _ in 0..40_000 {
            text.push_str("后面的内容都并进了这一行,,,,,\n");
        }
        std::fs::write(&p, text).unwrap();
        let e = read_table(&p, |_, _| Ok(())).unwrap_err();
        assert_eq!(
            e,
            PlatformFileError::RowTooLong {
                row: 2,
                limit_kb: 1024
            }
        );
    }

    #[test]
    fn empty_and_foreign_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.csv");
        std::fs::write(&p, "\u{FEFF}\r\n").unwrap();
        assert!(matches!(
            read_table(&p, |_, _| Ok(())),
            Err(PlatformFileError::Empty { .. })
        ));
        std::fs::write(&p, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]).unwrap();
        assert_eq!(read_table(&p, |_, _| Ok(())), Err(PlatformFileError::Xls));
        assert!(matches!(
            read_table(&dir.path().join("none.csv"), |_, _| Ok(())),
            Err(PlatformFileError::Open { .. })
        ));
    }
}
