//! XLS / ODS via calamine, one worksheet at a time, read whole (bounded first by their size, see
//! [`super::guard`]); XLSX is streamed ([`super::stream`]) and shares [`cell_of`]. Numbers,
//! strings, the cached values of formulas, and date cells (as dates, 1900 and 1904 systems).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{CellErrorType, Data, Ods, Range, Reader, Sheets, Xls, Xlsx, open_workbook};
use chrono::NaiveDate;

use crate::domain::records::RecordKind;

use super::columns::{HeaderMatch, MIN_KNOWN, known_count, match_header};
use super::row::Cell;
use super::{FileFormat, ImportError, MAX_TITLE_ROWS};

/// The cell as the row check sees it (borrowing the sheet's strings).
pub(crate) fn cell_of(d: &Data) -> Cell<'_> {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(day)) {
                Some(date) => Cell::Date(date),
                // Excel's fictitious 1900-02-29: the serial check explains it.
                None => Cell::Number(dt.as_f64()),
            }
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
        Data::Error(e) => Cell::Error(match e {
            CellErrorType::Div0 => "#DIV/0!",
            CellErrorType::NA => "#N/A",
            CellErrorType::Name => "#NAME?",
            CellErrorType::Null => "#NULL!",
            CellErrorType::Num => "#NUM!",
            CellErrorType::Ref => "#REF!",
            CellErrorType::Value => "#VALUE!",
            CellErrorType::GettingData => "#GETTING_DATA",
        }),
    }
}

/// One worksheet, positioned after its header row.
pub(crate) struct SheetSource {
    pub(crate) range: Range<Data>,
    /// Next relative row to read.
    pub(crate) next: usize,
    /// Excel row number (1-based) of relative row 0.
    pub(crate) first_row: u64,
}

impl SheetSource {
    pub(crate) fn height(&self) -> usize {
        self.range.height()
    }

    /// The cells of relative row `r`.
    pub(crate) fn row(&self, r: usize) -> Vec<Cell<'_>> {
        (0..self.range.width())
            .map(|c| self.range.get((r, c)).map_or(Cell::Empty, cell_of))
            .collect()
    }

    fn row_is_blank(&self, r: usize) -> bool {
        self.row(r).iter().all(Cell::is_blank)
    }
}

/// What opening a workbook found: the sheet, its name and its header.
pub(crate) struct OpenedSheet {
    pub(crate) source: SheetSource,
    pub(crate) sheet: String,
    pub(crate) header_row: u64,
    pub(crate) header_cells: Vec<String>,
    pub(crate) header: HeaderMatch,
}

fn workbook_error(e: impl std::fmt::Display) -> ImportError {
    ImportError::Workbook {
        reason: e.to_string(),
    }
}

/// Open a workbook and pick the first worksheet whose header names a record kind (`kind`, or
/// any when `None`). Sheets before it (a cover page, notes) are skipped.
pub(crate) fn open(
    path: &Path,
    format: FileFormat,
    kind: Option<RecordKind>,
) -> Result<OpenedSheet, ImportError> {
    let mut book: Sheets<BufReader<File>> = match format {
        FileFormat::Xls => Sheets::Xls(open_workbook::<Xls<_>, _>(path).map_err(workbook_error)?),
        FileFormat::Ods => Sheets::Ods(open_workbook::<Ods<_>, _>(path).map_err(workbook_error)?),
        _ => match open_workbook::<Xlsx<_>, _>(path) {
            Ok(x) => Sheets::Xlsx(x),
            // A zip that is not an xlsx may be an OpenDocument sheet.
            Err(e) => match open_workbook::<Ods<_>, _>(path) {
                Ok(o) => Sheets::Ods(o),
                Err(_) => return Err(workbook_error(e)),
            },
        },
    };
    let mut first_error: Option<ImportError> = None;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(workbook_error)?;
        if range.is_empty() {
            continue;
        }
        let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
        let source = SheetSource {
            range,
            next: 0,
            first_row,
        };
        match find_header(&source, kind) {
            Ok((rel, cells, header)) => {
                let mut source = source;
                source.next = rel + 1;
                if !(source.next..source.height()).any(|r| !source.row_is_blank(r)) {
                    return Err(ImportError::HeadersOnly {
                        header_row: first_row + rel as u64,
                    });
                }
                return Ok(OpenedSheet {
                    header_row: first_row + rel as u64,
                    source,
                    sheet: name,
                    header_cells: cells,
                    header,
                });
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(ImportError::NoSheet))
}

type Found = (usize, Vec<String>, HeaderMatch);

fn find_header(source: &SheetSource, kind: Option<RecordKind>) -> Result<Found, ImportError> {
    let mut first_text: Option<String> = None;
    let mut checked = 0;
    for r in 0..source.height() {
        if checked >= MAX_TITLE_ROWS {
            break;
        }
        let cells: Vec<String> = source.row(r).iter().map(Cell::raw).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        checked += 1;
        first_text.get_or_insert_with(|| super::preview(&cells));
        if known_count(cells.iter().map(String::as_str)) >= MIN_KNOWN {
            let header = match_header(&cells, kind, source.first_row + r as u64)?;
            return Ok((r, cells, header));
        }
    }
    Err(ImportError::HeaderNotFound {
        rows_checked: checked,
        first_row: first_text.unwrap_or_default(),
    })
}
