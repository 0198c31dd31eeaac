//! Documents that come in and go out: the applicant's credit report (PDF), the commitment letter
//! (PDF), and record files from the marketing system (CSV/XLSX). No SQL and no window here.

pub mod audit_csv;
pub mod calendar;
pub mod cases_xlsx;
pub mod credit_report;
pub mod import;
pub mod letter_pdf;
pub mod platform;
pub mod stats;
pub mod trusted_xlsx;
pub mod xlsx_table;

/// An operating-system error in Chinese, for messages that name a file ("No such file or
/// directory (os error 2)" has no place inside a Chinese sentence).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件不存在，请检查文件名和所在文件夹".into(),
        K::PermissionDenied => "没有权限读写这个文件，请检查文件权限或换一个位置".into(),
        K::IsADirectory => "这是一个文件夹，不是文件".into(),
        K::NotADirectory => "路径中有一段不是文件夹".into(),
        K::AlreadyExists => "文件已存在".into(),
        K::StorageFull => "磁盘空间不足".into(),
        K::ReadOnlyFilesystem => "所在位置是只读的，不能写入".into(),
        K::FileTooLarge => "文件太大".into(),
        K::InvalidFilename => "文件名不合法（太长或含有不允许的字符）".into(),
        K::ResourceBusy | K::ExecutableFileBusy => "文件正被其他程序占用，请关闭后再试".into(),
        K::Interrupted | K::TimedOut => "读写被中断，请重试".into(),
        K::UnexpectedEof => "文件不完整（提前结束）".into(),
        K::InvalidData => "文件内容无法识别".into(),
        K::OutOfMemory => "内存不足".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("系统读写错误（错误代码 {code}）"),
            None => "系统读写错误".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::io_reason;
    use std::io::{Error, ErrorKind};

    #[test]
    fn os_errors_are_said_in_chinese() {
        assert_eq!(
            io_reason(&Error::from(ErrorKind::NotFound)),
            "文件不存在，请检查文件名和所在文件夹"
        );
        assert!(io_reason(&Error::from(ErrorKind::PermissionDenied)).contains("没有权限"));
        assert!(io_reason(&Error::from(ErrorKind::IsADirectory)).contains("文件夹"));
        let odd = io_reason(&Error::from_raw_os_error(5));
        assert!(!odd.contains("os error") && !odd.is_ascii(), "{odd}");
    }
}
