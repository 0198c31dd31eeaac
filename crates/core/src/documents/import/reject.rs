//! The rejected-rows file of an import (`--skip-invalid`): the refused rows written back as a
//! CSV the clerk can open in Excel, each with its reasons, to correct and import again.
//!
//! Separate from the opener because it writes, never reads, and works on any [`RowError`].

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::documents::io_reason;

use super::{HeaderSummary, ImportError, RowError, csv_reason};

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
            reason: io_reason(e),
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
            reason: io_reason(&e),
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
