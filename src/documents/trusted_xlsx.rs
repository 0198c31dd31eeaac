//! The 守信用电主体 list as XLSX (rule T-7: priority in energy-saving and PV projects). Personal
//! ID numbers are masked (rule ID-3): the list leaves the counter.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::domain::ids::mask_id_number;
use crate::store::TrustedRow;

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
    let err = |source| ExportError::Write {
        path: path.display().to_string(),
        source,
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = Format::new().set_bold();
    ws.set_name("守信用电主体").map_err(err)?;
    for (c, (h, w)) in HEADERS.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &header)
            .map_err(err)?;
        ws.set_column_width(c, *w).map_err(err)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let code = if r.code_type == "uscc" {
            r.code.clone()
        } else {
            mask_id_number(&r.code)
        };
        let cells = [
            (i + 1).to_string(),
            r.name.clone(),
            kind_label(&r.kind).to_string(),
            code,
            r.phone.clone(),
            r.address.clone(),
            r.as_of.to_string(),
        ];
        for (c, v) in cells.into_iter().enumerate() {
            ws.write_string(row, c as u16, v).map_err(err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, rows.len() as u32, HEADERS.len() as u16 - 1)
        .map_err(err)?;
    wb.save(path).map_err(err)
}
