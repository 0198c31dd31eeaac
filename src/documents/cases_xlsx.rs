//! The 信易电 待办 queue as XLSX (rule C-2): what the supervisors review and the clerks call.

use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::domain::case::QueueRow;

/// Why the list could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写入文件 {path}：{source}。请换一个位置或文件名，并确认文件未被 Excel 打开")]
    Write {
        path: String,
        #[source]
        source: XlsxError,
    },
}

const HEADERS: [(&str, f64); 16] = [
    ("序号", 6.0),
    ("案件编号", 10.0),
    ("主体名称", 36.0),
    ("联系电话", 14.0),
    ("用户编号", 14.0),
    ("用电地址", 40.0),
    ("业务类型", 10.0),
    ("承诺编码", 24.0),
    ("状态", 8.0),
    ("受理日期", 12.0),
    ("接电日期", 12.0),
    ("补证期限", 12.0),
    ("剩余天数", 10.0),
    ("营业厅", 14.0),
    ("受理柜员", 10.0),
    ("试点园区", 30.0),
];

/// Write the rows to `path` (one sheet, a header row, frozen and filterable), as of `today`.
pub fn write_cases(path: &Path, rows: &[QueueRow], today: NaiveDate) -> Result<(), ExportError> {
    write_cases_with(path, rows, today, |_| true).map(|_| ())
}

/// [`write_cases`], asking `go_on(rows done)` before each row whether to continue (progress and
/// cancel). Returns `Ok(false)`, with nothing saved, when stopped.
pub fn write_cases_with(
    path: &Path,
    rows: &[QueueRow],
    today: NaiveDate,
    mut go_on: impl FnMut(usize) -> bool,
) -> Result<bool, ExportError> {
    let err = |source| ExportError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = Format::new().set_bold();
    ws.set_name("信易电待办").map_err(err)?;
    for (c, (h, w)) in HEADERS.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &header)
            .map_err(err)?;
        ws.set_column_width(c, *w).map_err(err)?;
    }
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for (i, r) in rows.iter().enumerate() {
        if !go_on(i) {
            return Ok(false);
        }
        let row = i as u32 + 1;
        let cells = [
            (i + 1).to_string(),
            r.case_id.to_string(),
            r.subject_name.clone(),
            r.phone.clone(),
            r.account_no.clone(),
            r.usage_address.clone(),
            r.business.label().to_string(),
            r.commitment_code.clone(),
            r.state(today).label().to_string(),
            r.applied_on.to_string(),
            day(r.connected_on),
            day(r.deadline),
            r.days_left(today)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            r.hall.clone(),
            r.opened_by.clone(),
            r.park.clone(),
        ];
        for (c, v) in cells.into_iter().enumerate() {
            ws.write_string(row, c as u16, v).map_err(err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, rows.len() as u32, HEADERS.len() as u16 - 1)
        .map_err(err)?;
    wb.save(path).map_err(err)?;
    Ok(true)
}
