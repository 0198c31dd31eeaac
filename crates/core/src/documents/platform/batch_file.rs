//! One data file of a batch (rule E-1): a header row that is exactly the catalog's data items of
//! the class, then one row per record. Streamed (memory stays bounded for a million rows), written
//! to a temporary file beside the target and renamed only when complete, so a failed or cancelled
//! export never leaves half a file under the real name; byte-identical when the same rows are
//! written again, so a repeated batch has the same SHA-256 as the first.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::xlsx_stream::{MAX_CELL, XlsxStream, XlsxStreamError};
use super::{PlatformFileError, file_sha256, temp_path_for};
use crate::documents::io_reason;

/// The format of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BatchFormat {
    /// Excel workbook, one sheet named after the class (the default: what the platform's upload
    /// page takes).
    #[default]
    Xlsx,
    /// CSV, UTF-8 with BOM (so Excel shows the Chinese), CRLF line ends, quoted where needed.
    CsvBom,
}

impl BatchFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            BatchFormat::Xlsx => "xlsx",
            BatchFormat::CsvBom => "csv",
        }
    }
}

/// What a finished file holds: its data rows (the header not counted) and its SHA-256 in hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    pub rows: u64,
    pub sha256: String,
}

enum Sink {
    Xlsx(Box<XlsxStream>),
    Csv {
        writer: Box<csv::Writer<BufWriter<File>>>,
        rows: u64,
    },
}

/// A data file being written. Dropped without [`BatchFileWriter::finish`], it removes its
/// temporary file and leaves nothing behind.
pub struct BatchFileWriter {
    sink: Option<Sink>,
    target: PathBuf,
    temp: PathBuf,
    width: usize,
}

/// A sheet name Excel accepts: no `[ ] : * ? / \`, no apostrophe at either end, at most 31
/// characters, never empty (→ `Sheet1`).
pub fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .collect();
    let trimmed = cleaned.trim().trim_matches('\'');
    let cut: String = trimmed.chars().take(31).collect();
    let cut = cut.trim_end_matches('\'').trim().to_string();
    // "History" is reserved by Excel.
    if cut.is_empty() || cut.eq_ignore_ascii_case("history") {
        "Sheet1".into()
    } else {
        cut
    }
}

impl BatchFileWriter {
    /// Start a data file at `path` with `header` (the class's catalog columns). An XLSX sheet is
    /// named after the file's stem (the class name: files are named after their class).
    pub fn create(
        path: &Path,
        format: BatchFormat,
        header: &[String],
    ) -> Result<Self, PlatformFileError> {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self::create_with(path, format, &stem, header, None)
    }

    /// [`BatchFileWriter::create`] with the sheet name and the workbook's creation time given
    /// (`None`: no creation time, the same bytes whenever written).
    pub fn create_with(
        path: &Path,
        format: BatchFormat,
        sheet: &str,
        header: &[String],
        created: Option<NaiveDateTime>,
    ) -> Result<Self, PlatformFileError> {
        let temp = temp_path_for(path);
        let write_err = |reason: String| PlatformFileError::Write {
            path: path.display().to_string(),
            reason,
        };
        let file = File::create(&temp).map_err(|e| write_err(io_reason(&e)))?;
        let mut this = Self {
            sink: None,
            target: path.to_path_buf(),
            temp,
            width: header.len(),
        };
        let sink = match format {
            BatchFormat::Xlsx => {
                let sheet = sanitize_sheet_name(sheet);
                XlsxStream::start(file, &sheet, header, created)
                    .map(|x| Sink::Xlsx(Box::new(x)))
                    .map_err(|e| this.stream_error(e, 1))?
            }
            BatchFormat::CsvBom => {
                let mut out = BufWriter::with_capacity(256 * 1024, file);
                out.write_all(b"\xEF\xBB\xBF")
                    .map_err(|e| write_err(io_reason(&e)))?;
                let mut writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .quote_style(csv::QuoteStyle::Necessary)
                    .from_writer(out);
                writer
                    .write_record(header)
                    .map_err(|e| write_err(csv_reason(&e)))?;
                Sink::Csv {
                    writer: Box::new(writer),
                    rows: 0,
                }
            }
        };
        this.sink = Some(sink);
        Ok(this)
    }

    fn stream_error(&self, e: XlsxStreamError, row: u64) -> PlatformFileError {
        let path = self.target.display().to_string();
        match e {
            XlsxStreamError::Io(e) => PlatformFileError::Write {
                path,
                reason: io_reason(&e),
            },
            XlsxStreamError::Zip(e) => PlatformFileError::Write {
                path,
                reason: e.to_string(),
            },
            XlsxStreamError::SheetFull => PlatformFileError::SheetFull {
                limit: super::xlsx_stream::MAX_SHEET_ROWS,
            },
            XlsxStreamError::CellTooLong { column } => PlatformFileError::CellTooLong {
                row,
                column,
                limit: MAX_CELL,
            },
            XlsxStreamError::TooLarge => PlatformFileError::TooLarge,
        }
    }

    /// Data rows written so far.
    pub fn rows(&self) -> u64 {
        match &self.sink {
            Some(Sink::Xlsx(x)) => x.rows(),
            Some(Sink::Csv { rows, .. }) => *rows,
            None => 0,
        }
    }

    /// Append one data row: exactly one cell per header column.
    pub fn write_row(&mut self, cells: &[String]) -> Result<(), PlatformFileError> {
        // The file's row as Excel numbers it: the header is row 1.
        let row = self.rows() + 2;
        if cells.len() != self.width {
            return Err(PlatformFileError::WrongWidth {
                row,
                expected: self.width,
                actual: cells.len(),
            });
        }
        let path = self.target.display().to_string();
        match self.sink.as_mut() {
            Some(Sink::Xlsx(x)) => match x.write_row(cells) {
                Ok(()) => Ok(()),
                Err(e) => Err(self.stream_error(e, row)),
            },
            Some(Sink::Csv { writer, rows }) => {
                if let Some(i) = cells.iter().position(|c| c.chars().count() > MAX_CELL) {
                    return Err(PlatformFileError::CellTooLong {
                        row,
                        column: i as u64 + 1,
                        limit: MAX_CELL,
                    });
                }
                writer
                    .write_record(cells)
                    .map_err(|e| PlatformFileError::Write {
                        path,
                        reason: csv_reason(&e),
                    })?;
                *rows += 1;
                Ok(())
            }
            None => Err(PlatformFileError::Write {
                path,
                reason: "文件已关闭".into(),
            }),
        }
    }

    /// Complete the file: flushed, synced, renamed to its real name (replacing an older file of
    /// that name), and its digest computed from the bytes on disk.
    pub fn finish(mut self) -> Result<FileDigest, PlatformFileError> {
        let path = self.target.display().to_string();
        let write_err = |reason: String| PlatformFileError::Write {
            path: path.clone(),
            reason,
        };
        let rows = self.rows();
        match self.sink.take() {
            Some(Sink::Xlsx(x)) => x.finish().map_err(|e| self.stream_error(e, rows + 1))?,
            Some(Sink::Csv { writer, .. }) => {
                let out = writer
                    .into_inner()
                    .map_err(|e| write_err(io_reason(e.error())))?;
                let file = out
                    .into_inner()
                    .map_err(|e| write_err(io_reason(e.error())))?;
                file.sync_all().map_err(|e| write_err(io_reason(&e)))?;
            }
            None => return Err(write_err("文件已关闭".into())),
        }
        let sha256 = file_sha256(&self.temp).map_err(|e| write_err(io_reason(&e)))?;
        std::fs::rename(&self.temp, &self.target).map_err(|e| write_err(io_reason(&e)))?;
        Ok(FileDigest { rows, sha256 })
    }
}

impl Drop for BatchFileWriter {
    fn drop(&mut self) {
        // Not finished (an error or a cancel): the half-written file goes. After a finish the
        // temporary name no longer exists and this does nothing.
        drop(self.sink.take());
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io_reason(io),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::platform::{Catalog, PlatformClass};
    use calamine::{Data, Reader, Xlsx, open_workbook};

    pub(crate) fn header(class: PlatformClass) -> Vec<String> {
        Catalog::builtin().class(class).unwrap().columns.clone()
    }

    fn rows(n: usize, width: usize) -> Vec<Vec<String>> {
        (0..n)
            .map(|r| {
                (0..width)
                    .map(|c| match c {
                        0 => format!("湛江市第{r}号公司 & <甲>"),
                        1 => format!("{:018}", r),
                        _ => String::new(),
                    })
                    .collect()
            })
            .collect()
    }

    fn write(
        path: &Path,
        format: BatchFormat,
        header: &[String],
        rows: &[Vec<String>],
    ) -> FileDigest {
        let mut w = BatchFileWriter::create(path, format, header).unwrap();
        for r in rows {
            w.write_row(r).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn xlsx_is_byte_identical_on_rewrite_and_reads_back_with_the_catalog_header() {
        let dir = tempfile::tempdir().unwrap();
        let header = header(PlatformClass::PersonPayment);
        let data = rows(300, header.len());
        let a = dir.path().join("公用事业缴费信息（自然人）.xlsx");
        let first = write(&a, BatchFormat::Xlsx, &header, &data);
        let b = dir.path().join("again.xlsx");
        let mut w = BatchFileWriter::create_with(
            &b,
            BatchFormat::Xlsx,
            "公用事业缴费信息（自然人）",
            &header,
            None,
        )
        .unwrap();
        for r in &data {
            w.write_row(r).unwrap();
        }
        let second = w.finish().unwrap();
        assert_eq!(first.rows, 300);
        assert_eq!(first, second, "same rows, same bytes");
        assert_eq!(first.sha256, file_sha256(&a).unwrap());
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

        let mut wb: Xlsx<_> = open_workbook(&a).unwrap();
        assert_eq!(
            wb.sheet_names(),
            vec!["公用事业缴费信息（自然人）".to_string()]
        );
        let range = wb.worksheet_range("公用事业缴费信息（自然人）").unwrap();
        let got: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(got, header, "the header is exactly the catalog's items");
        assert_eq!(range.height(), 301);
        let row = &range.rows().nth(300).unwrap();
        assert_eq!(row[0], Data::String("湛江市第299号公司 & <甲>".into()));
        // Text cells: leading zeros survive.
        assert_eq!(row[1], Data::String(format!("{:018}", 299)));
        // Nothing but the two files is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        // A different row changes the digest.
        let mut other = data.clone();
        other[5][0] = "别的公司".into();
        let c = dir.path().join("c.xlsx");
        assert_ne!(
            write(&c, BatchFormat::Xlsx, &header, &other).sha256,
            first.sha256
        );
    }

    #[test]
    fn xlsx_header_is_bold_and_frozen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xlsx");
        write(&p, BatchFormat::Xlsx, &header(PlatformClass::Payment), &[]);
        let mut zip = zip::ZipArchive::new(File::open(&p).unwrap()).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        assert!(sheet.contains(r#"state="frozen""#) && sheet.contains(r#"ySplit="1""#));
        assert!(sheet.contains(r#"<c r="A1" s="1" t="inlineStr"><is><t>机构名称</t>"#));
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles)
            .unwrap();
        assert!(styles.contains("<font><b/>"));
    }

    #[test]
    fn csv_has_bom_crlf_and_quotes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        let header = vec!["机构名称".to_string(), "缴费金额".to_string()];
        let d1 = write(
            &p,
            BatchFormat::CsvBom,
            &header,
            &[
                vec!["甲,乙\"公司\"".into(), "1.00".into()],
                vec!["丙".into(), String::new()],
            ],
        );
        let bytes = std::fs::read(&p).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF\xE6\x9C\xBA"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "机构名称,缴费金额\r\n\"甲,乙\"\"公司\"\"\",1.00\r\n丙,\r\n"
        );
        assert_eq!(d1.rows, 2);
    }

    #[test]
    fn an_unfinished_file_leaves_nothing_and_wrong_widths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.xlsx");
        let mut w = BatchFileWriter::create(&p, BatchFormat::Xlsx, &["a".to_string()]).unwrap();
        w.write_row(&["1".to_string()]).unwrap();
        let e = w
            .write_row(&["1".to_string(), "2".to_string()])
            .unwrap_err();
        assert!(
            matches!(
                e,
                PlatformFileError::WrongWidth {
                    row: 3,
                    expected: 1,
                    actual: 2
                }
            ),
            "{e}"
        );
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let long = "字".repeat(MAX_CELL + 1);
        let mut w = BatchFileWriter::create(&p, BatchFormat::CsvBom, &["a".to_string()]).unwrap();
        assert!(matches!(
            w.write_row(&[long]),
            Err(PlatformFileError::CellTooLong {
                row: 2,
                column: 1,
                ..
            })
        ));
    }

    #[test]
    fn sheet_names_follow_excel_rules() {
        assert_eq!(
            sanitize_sheet_name("公用事业缴费信息（自然人）"),
            "公用事业缴费信息（自然人）"
        );
        assert_eq!(sanitize_sheet_name("a/b:c*d?[e]\\"), "abcde");
        assert_eq!(sanitize_sheet_name("'x'"), "x");
        assert_eq!(sanitize_sheet_name(&"长".repeat(40)).chars().count(), 31);
        assert_eq!(sanitize_sheet_name("  "), "Sheet1");
        assert_eq!(sanitize_sheet_name("History"), "Sheet1");
    }
}
