//! The 信易电 待办 queue as XLSX (rule C-2): what the supervisors review and the clerks call.

use std::path::Path;

use chrono::NaiveDate;

pub use super::xlsx_table::ExportError;
use super::xlsx_table::write_table_with;
use crate::domain::case::QueueRow;

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
    go_on: impl FnMut(usize) -> bool,
) -> Result<bool, ExportError> {
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let cells = rows.iter().enumerate().map(|(i, r)| {
        vec![
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
        ]
    });
    write_table_with(path, "信易电待办", &HEADERS, cells, go_on).map(|n| n.is_some())
}
