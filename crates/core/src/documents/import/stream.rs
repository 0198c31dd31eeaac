//! XLSX streamed a row at a time (calamine's `XlsxCellReader`), with bounded memory: the sheet
//! is never built as a rectangle, so a cell at XFD1048576 costs one row, not 2^34 cells.
//!
//! The cell reader borrows the workbook, so the workbook lives on its own thread, which finds
//! the header and then sends the data rows in small batches over a bounded channel; dropping the
//! [`StreamSource`] ends the thread at its next send. Before the thread opens anything,
//! [`super::guard::check_xlsx`] has checked every part calamine reads.

use std::collections::VecDeque;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Data, Reader, Xlsx, XlsxCellReader, XlsxError, open_workbook};

use crate::domain::records::RecordKind;

use super::columns::{HeaderMatch, MIN_KNOWN, col_letter, known_count, match_header};
use super::guard::{self, MAX_COLS, MAX_ROWS};
use super::row::Cell;
use super::sheet::cell_of;
use super::{CellProblem, ImportError, MAX_TITLE_ROWS, RowError};

/// Rows a batch carries; a few batches in flight keep both threads busy.
const BATCH_ROWS: usize = 256;
const BATCHES_IN_FLIGHT: usize = 4;

/// One row of the sheet: its Excel row number and its cells by column.
type Row = (u64, Vec<Data>);

enum Msg {
    Opened(Result<Box<Opened>, ImportError>),
    Rows(Vec<Row>),
    /// The sheet could not be read further (a row error that ends the import).
    Fatal(RowError),
    End,
}

/// What the thread found before the first data row.
pub(crate) struct Opened {
    pub(crate) sheet: String,
    pub(crate) header_row: u64,
    pub(crate) header_cells: Vec<String>,
    pub(crate) header: HeaderMatch,
    /// The sheet's last row as its dimension says (for progress; 0 when unknown).
    pub(crate) last_row: u64,
}

/// The receiving end: data rows in file order.
pub(crate) struct StreamSource {
    rx: Receiver<Msg>,
    batch: VecDeque<Row>,
    current: Vec<Data>,
    /// Excel row of the last row handed out.
    pub(crate) done: u64,
    pub(crate) last_row: u64,
    ended: bool,
}

impl StreamSource {
    /// The next non-blank data row, its cells borrowed from the source; `Err` for a row the sheet
    /// could not be read past.
    pub(crate) fn next_row(&mut self) -> Option<Result<(u64, Vec<Cell<'_>>), RowError>> {
        loop {
            if let Some((row, cells)) = self.batch.pop_front() {
                self.current = cells;
                self.done = row;
                return Some(Ok((row, self.current.iter().map(cell_of).collect())));
            }
            if self.ended {
                return None;
            }
            match self.rx.recv() {
                Ok(Msg::Rows(rows)) => self.batch = rows.into(),
                Ok(Msg::Fatal(e)) => {
                    self.ended = true;
                    return Some(Err(e));
                }
                Ok(Msg::End) => {
                    self.ended = true;
                    return None;
                }
                // The reading thread ended without saying so: the rows after are missing.
                Ok(Msg::Opened(_)) | Err(_) => {
                    self.ended = true;
                    return Some(Err(fatal(
                        self.done + 1,
                        "读取工作表时意外中断，导入在这里中止：请重新导入".into(),
                    )));
                }
            }
        }
    }
}

fn fatal(row: u64, reason: String) -> RowError {
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

/// Check the workbook, then open it on a reading thread; returns once the header is found.
pub(crate) fn open(
    path: &Path,
    kind: Option<RecordKind>,
) -> Result<(Opened, StreamSource), ImportError> {
    guard::check_xlsx(path)?;
    let (tx, rx) = sync_channel(BATCHES_IN_FLIGHT);
    let path: PathBuf = path.to_path_buf();
    std::thread::Builder::new()
        .name("xlsx-reader".into())
        .spawn(move || read_workbook(&path, kind, &tx))
        .map_err(|_| ImportError::Workbook {
            reason: "无法启动读取线程".into(),
        })?;
    let opened = match rx.recv() {
        Ok(Msg::Opened(o)) => o?,
        _ => {
            return Err(ImportError::Workbook {
                reason: "读取工作簿时意外中断".into(),
            });
        }
    };
    let last_row = opened.last_row;
    Ok((
        *opened,
        StreamSource {
            rx,
            batch: VecDeque::new(),
            current: Vec::new(),
            done: 0,
            last_row,
            ended: false,
        },
    ))
}

/// calamine's message for a sheet it cannot read, kept as the detail of a Chinese message.
fn workbook_error(e: XlsxError) -> ImportError {
    ImportError::Workbook {
        reason: e.to_string(),
    }
}

/// Cells grouped into rows as the sheet stores them (ascending rows; cells of a row together).
struct Rows<'a> {
    cells: XlsxCellReader<'a, BufReader<File>>,
    sheet: &'a str,
    pending: Option<(u32, u32, Data)>,
    finished: bool,
}

/// Why the rows of a sheet stop.
enum Stop {
    /// calamine could not parse the sheet.
    Parse(XlsxError),
    /// A cell outside Excel's grid: the row and the error.
    Outside(u64, ImportError),
}

impl Rows<'_> {
    fn next_cell(&mut self) -> Result<Option<(u32, u32, Data)>, Stop> {
        if let Some(c) = self.pending.take() {
            return Ok(Some(c));
        }
        if self.finished {
            return Ok(None);
        }
        match self.cells.next_cell().map_err(Stop::Parse)? {
            None => {
                self.finished = true;
                Ok(None)
            }
            Some(c) => {
                let (r, col) = c.get_position();
                // The scan refused such references already; a cell without one is placed by
                // calamine's count and checked here.
                if r >= MAX_ROWS || col >= MAX_COLS {
                    return Err(Stop::Outside(
                        u64::from(r) + 1,
                        ImportError::CellOutsideGrid {
                            sheet: self.sheet.to_string(),
                            cell: format!("{}{}", col_letter(col as usize), u64::from(r) + 1),
                        },
                    ));
                }
                Ok(Some((r, col, Data::from(c.get_value().clone()))))
            }
        }
    }

    /// The next row that has a cell (blank or not).
    fn next_row(&mut self) -> Result<Option<Row>, Stop> {
        let Some((r, c, v)) = self.next_cell()? else {
            return Ok(None);
        };
        let mut cells = Vec::new();
        put(&mut cells, c, v);
        while let Some((r2, c2, v2)) = self.next_cell()? {
            if r2 != r {
                self.pending = Some((r2, c2, v2));
                break;
            }
            put(&mut cells, c2, v2);
        }
        Ok(Some((u64::from(r) + 1, cells)))
    }

    fn next_nonblank(&mut self) -> Result<Option<Row>, Stop> {
        while let Some(row) = self.next_row()? {
            if !row.1.iter().all(|d| cell_of(d).is_blank()) {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// Place a cell at its column; a blank cell beyond the last one is not stored (a styled but
/// empty cell far to the right costs nothing).
fn put(cells: &mut Vec<Data>, col: u32, value: Data) {
    let col = col as usize;
    if col >= cells.len() {
        if cell_of(&value).is_blank() {
            return;
        }
        cells.resize(col + 1, Data::Empty);
    }
    cells[col] = value;
}

fn read_workbook(path: &Path, kind: Option<RecordKind>, tx: &SyncSender<Msg>) {
    let mut book: Xlsx<BufReader<File>> = match open_workbook(path) {
        Ok(b) => b,
        Err(e) => {
            let _ = tx.send(Msg::Opened(Err(workbook_error(e))));
            return;
        }
    };
    let mut first_error: Option<ImportError> = None;
    for name in book.sheet_names() {
        let cells = match book.worksheet_cells_reader(&name) {
            Ok(c) => c,
            // A chart sheet, or a sheet the workbook lists but does not contain.
            Err(XlsxError::NotAWorksheet(_) | XlsxError::WorksheetNotFound(_)) => continue,
            Err(e) => {
                let _ = tx.send(Msg::Opened(Err(workbook_error(e))));
                return;
            }
        };
        let last_row = u64::from(cells.dimensions().end.0) + 1;
        let mut rows = Rows {
            cells,
            sheet: &name,
            pending: None,
            finished: false,
        };
        match find_header(&mut rows, kind) {
            Ok(None) => continue,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
            Ok(Some((header_row, header_cells, header))) => {
                let first = match rows.next_nonblank() {
                    Ok(Some(first)) => first,
                    Ok(None) => {
                        let _ = tx.send(Msg::Opened(Err(ImportError::HeadersOnly { header_row })));
                        return;
                    }
                    Err(stop) => {
                        let _ = tx.send(Msg::Opened(Err(stop_error(stop))));
                        return;
                    }
                };
                let opened = Opened {
                    sheet: name.clone(),
                    header_row,
                    header_cells,
                    header,
                    last_row,
                };
                if tx.send(Msg::Opened(Ok(Box::new(opened)))).is_err() {
                    return;
                }
                send_rows(&mut rows, first, tx);
                return;
            }
        }
    }
    let _ = tx.send(Msg::Opened(
        Err(first_error.unwrap_or(ImportError::NoSheet)),
    ));
}

fn stop_error(stop: Stop) -> ImportError {
    match stop {
        Stop::Parse(e) => workbook_error(e),
        Stop::Outside(_, e) => e,
    }
}

fn send_rows(rows: &mut Rows<'_>, first: Row, tx: &SyncSender<Msg>) {
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    batch.push(first);
    let mut last = 0;
    loop {
        match rows.next_nonblank() {
            Ok(Some(row)) => {
                last = row.0;
                batch.push(row);
                if batch.len() >= BATCH_ROWS {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                    if tx.send(Msg::Rows(full)).is_err() {
                        return;
                    }
                }
            }
            Ok(None) => {
                if !batch.is_empty() && tx.send(Msg::Rows(batch)).is_err() {
                    return;
                }
                let _ = tx.send(Msg::End);
                return;
            }
            Err(stop) => {
                if !batch.is_empty() {
                    last = batch.last().map_or(last, |r| r.0);
                    if tx.send(Msg::Rows(batch)).is_err() {
                        return;
                    }
                }
                let e = match stop {
                    Stop::Parse(e) => fatal(
                        last + 1,
                        format!(
                            "工作表在第 {} 行之后无法读取（{e}），导入在这里中止：文件可能已损坏，请重新导出后再导入",
                            last
                        ),
                    ),
                    Stop::Outside(row, e) => fatal(row, e.to_string()),
                };
                let _ = tx.send(Msg::Fatal(e));
                return;
            }
        }
    }
}

type Found = (u64, Vec<String>, HeaderMatch);

/// The header among the first non-blank rows; `None` for a sheet without any.
fn find_header(
    rows: &mut Rows<'_>,
    kind: Option<RecordKind>,
) -> Result<Option<Found>, ImportError> {
    let mut first_text: Option<String> = None;
    let mut checked = 0;
    while checked < MAX_TITLE_ROWS {
        let Some((row, cells)) = rows.next_nonblank().map_err(stop_error)? else {
            break;
        };
        checked += 1;
        let texts: Vec<String> = cells.iter().map(|d| cell_of(d).raw()).collect();
        first_text.get_or_insert_with(|| super::preview(&texts));
        if known_count(texts.iter().map(String::as_str)) >= MIN_KNOWN {
            let header = match_header(&texts, kind, row)?;
            return Ok(Some((row, texts, header)));
        }
    }
    match first_text {
        None => Ok(None),
        Some(first_row) => Err(ImportError::HeaderNotFound {
            rows_checked: checked,
            first_row,
        }),
    }
}
