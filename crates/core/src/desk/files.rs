//! Files the clerk hands to the desk: the signed letter's scan (rule C-4) and the property
//! proof (rule C-2), both checked before they are read whole.

use std::path::Path;

use super::DeskError;
use crate::domain::commitment::MAX_SCAN_BYTES;

/// The file's own name, for messages.
pub(super) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Read a scanned document (`what` names it in messages), refusing what is missing, not a file,
/// empty or over 20 MB before reading it whole.
pub(super) fn read_scan(path: &Path, what: &str) -> Result<Vec<u8>, DeskError> {
    let name = file_name(path);
    let meta = std::fs::metadata(path).map_err(|e| {
        DeskError::FileRead(format!(
            "无法读取{what}“{name}”：{e}。请确认文件存在且未被其他程序占用"
        ))
    })?;
    if !meta.is_file() {
        return Err(DeskError::FileRead(format!(
            "“{name}”不是文件：请选择{what}"
        )));
    }
    if meta.len() == 0 {
        return Err(DeskError::FileRead(format!("“{name}”是空文件，请重新扫描")));
    }
    if meta.len() > MAX_SCAN_BYTES {
        return Err(DeskError::FileRead(format!(
            "“{name}”有 {:.1} MB，超过 20 MB：请降低扫描分辨率（200 dpi 足够）后再上传",
            meta.len() as f64 / 1_048_576.0
        )));
    }
    std::fs::read(path).map_err(|e| {
        DeskError::FileRead(format!(
            "无法读取“{name}”：{}",
            crate::documents::io_reason(&e)
        ))
    })
}
