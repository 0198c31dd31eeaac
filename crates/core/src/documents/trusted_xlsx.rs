//! The 守信用电主体 list as XLSX (rule T-7: priority in energy-saving and PV projects). Personal
//! ID numbers are masked (rule ID-3): the list leaves the counter.

use std::path::Path;

use super::xlsx_table::{ExportError, write_table};
use crate::domain::id_codes::mask_id_number;
use crate::domain::trust::TrustedRow;

const HEADERS: [(&str, f64); 7] = [
    ("序号", 6.0),
    ("主体名称", 36.0),
    ("主体类别", 16.0),
    ("统一社会信用代码/证件号码", 24.0),
    ("联系电话", 14.0),
    ("注册地址", 40.0),
    ("认定日期", 12.0),
];

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "organization" => "法人及非法人组织",
        "individual_business" => "个体工商户",
        _ => "自然人",
    }
}

/// Write the list to `path` (one sheet, a header row, frozen and filterable).
pub fn write_trusted(path: &Path, rows: &[TrustedRow]) -> Result<(), ExportError> {
    let cells = rows.iter().enumerate().map(|(i, r)| {
        let code = if r.code_type == "uscc" {
            r.code.clone()
        } else {
            mask_id_number(&r.code)
        };
        vec![
            (i + 1).to_string(),
            r.name.clone(),
            kind_label(&r.kind).to_string(),
            code,
            r.phone.clone(),
            r.address.clone(),
            r.as_of.to_string(),
        ]
    });
    write_table(path, "守信用电主体", &HEADERS, cells).map(drop)
}
