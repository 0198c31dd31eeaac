//! The audit trail as a CSV for a supervisor (issue 15, point 6): UTF-8 with BOM so that Excel
//! opens it as Chinese, one row per audit row, newest first as the page shows them.

use std::path::Path;

use crate::domain::audit::AuditEntry;

/// Write `rows` to `path`; `names` gives a subject's name by its key (empty when unknown).
pub fn write_audit_csv(
    path: &Path,
    rows: &[AuditEntry],
    names: &dyn Fn(i64) -> String,
) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| crate::documents::io_reason(&e))?;
    let mut out = std::io::BufWriter::new(file);
    std::io::Write::write_all(&mut out, "\u{FEFF}".as_bytes())
        .map_err(|e| crate::documents::io_reason(&e))?;
    let mut w = csv::Writer::from_writer(out);
    let err = |e: csv::Error| e.to_string();
    w.write_record([
        "序号",
        "时间",
        "业务日期",
        "工号",
        "窗口",
        "操作",
        "主体",
        "内容",
    ])
    .map_err(err)?;
    for e in rows {
        let c = &e.content;
        w.write_record([
            e.seq.to_string(),
            c.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            c.business_date.map(|d| d.to_string()).unwrap_or_default(),
            c.staff_no.clone(),
            c.window.clone(),
            c.action.clone(),
            c.subject_id.map(names).unwrap_or_default(),
            c.summary.clone(),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| crate::documents::io_reason(&e))
}
