//! One-sheet XLSX tables for the lists the bureau exports (守信用电主体, 信易电待办): a bold,
//! frozen, filterable header row with fixed column widths, then text cells.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Why a list could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写入文件 {path}：{source}。请换一个位置或文件名，并确认文件未被 Excel 打开")]
    Write {
        path: String,
        #[source]
        source: XlsxError,
    },
}

/// Write `rows` under `headers` (title, column width) to `path`, on a sheet named `sheet`.
/// Returns how many rows were written.
pub fn write_table(
    path: &Path,
    sheet: &str,
    headers: &[(&str, f64)],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<usize, ExportError> {
    write_table_with(path, sheet, headers, rows, |_| true).map(|n| n.unwrap_or(0))
}

/// [`write_table`], asking `go_on(rows done)` before each row whether to continue (progress and
/// cancel). `Ok(None)`, with nothing saved, when stopped.
pub fn write_table_with(
    path: &Path,
    sheet: &str,
    headers: &[(&str, f64)],
    rows: impl IntoIterator<Item = Vec<String>>,
    mut go_on: impl FnMut(usize) -> bool,
) -> Result<Option<usize>, ExportError> {
    let err = |source| ExportError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    ws.set_name(sheet).map_err(err)?;
    for (c, (h, w)) in headers.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &bold).map_err(err)?;
        ws.set_column_width(c, *w).map_err(err)?;
    }
    let mut n = 0u32;
    for cells in rows {
        if !go_on(n as usize) {
            return Ok(None);
        }
        n += 1;
        for (c, v) in cells.into_iter().enumerate() {
            ws.write_string(n, c as u16, v).map_err(err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    let last_col = headers.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, n, last_col).map_err(err)?;
    wb.save(path).map_err(err)?;
    Ok(Some(n as usize))
}
