//! Printing a commitment letter (issue 15, point 7): the PDF is always kept in a folder the
//! clerk can find again (never only in the temp folder), then either sent straight to the PC's
//! printer (设置 → 打印: CUPS `lp` on Linux, the system's print verb on Windows) or opened in the
//! PDF viewer to print from there. Every print is an audit row that says which letter, how it
//! went out and where the PDF is, whether or not the printer took it.
//!
//! The system side sits behind [`PrintSink`] (the app's `print::SystemPrint` runs `lp` or the
//! viewer) so that the core starts no program and tests see what would be sent without a
//! printer.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::act::AuditLine;
use super::{Desk, DeskError};
use crate::domain::commitment::CommitmentId;
use crate::domain::operator::Action;

/// The setting key of [`PrintSettings`].
const PRINT_KEY: &str = "print";

/// How 打印 prints on this installation (设置 → 打印; admin).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintSettings {
    /// Send the letter straight to the printer instead of opening it in the PDF viewer.
    pub direct: bool,
    /// The printer's name for direct printing; empty: the PC's default printer (on a shared
    /// server every PC then uses its own default).
    #[serde(default)]
    pub printer: String,
}

/// How a letter went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintRoute {
    /// Sent to the printer.
    Printer,
    /// Opened in the PDF viewer, to print from there.
    Viewer,
}

/// What printing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// Where the PDF is kept.
    pub path: PathBuf,
    pub route: PrintRoute,
    /// The system's answer (the print job) or why it failed; the PDF is kept either way.
    pub sent: Result<String, String>,
}

/// The system side of printing.
pub trait PrintSink {
    /// Send `pdf` to the printer (`printer` empty: the default one); the job's name on success.
    fn print(&self, pdf: &Path, printer: &str) -> Result<String, String>;
    /// Open `pdf` in the PDF viewer.
    fn open(&self, pdf: &Path) -> Result<(), String>;
}

/// The file name a printed letter is kept under.
pub fn letter_file_name(code: &str) -> String {
    format!("诚信守法用电承诺书-{code}.pdf")
}

impl Desk {
    /// How 打印 prints here.
    pub fn print_settings(&self) -> Result<PrintSettings, DeskError> {
        match self.store.read().setting(PRINT_KEY)? {
            None => Ok(PrintSettings::default()),
            Some(j) => serde_json::from_str(&j)
                .map_err(|e| DeskError::Internal(format!("打印设置无法读取（{e}）"))),
        }
    }

    /// Change how 打印 prints (admin; audited).
    pub fn set_print_settings(&mut self, s: &PrintSettings) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        let printer = s.printer.trim();
        if printer.chars().any(|c| c.is_control() || c == '/')
            || printer.starts_with('-')
            || printer.chars().count() > 127
        {
            return Err(DeskError::Setting(
                "打印机名称不正确：只填写系统中打印机的名称（不含斜杠、控制字符，不以“-”开头，最多 127 个字符），留空表示默认打印机".into(),
            ));
        }
        let s = PrintSettings {
            direct: s.direct,
            printer: printer.to_string(),
        };
        let json =
            serde_json::to_string(&s).map_err(|e| DeskError::Internal(format!("打印设置：{e}")))?;
        let detail = if s.direct {
            format!(
                "打印设置：直接送打印机（{}）",
                if s.printer.is_empty() {
                    "默认打印机"
                } else {
                    &s.printer
                }
            )
        } else {
            "打印设置：用 PDF 阅读器打开后打印".to_string()
        };
        self.commit(act, |w, _| {
            w.set_setting(PRINT_KEY, &json)?;
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// Print a stored commitment's letter, exactly as issued (same code and fields): the PDF is
    /// written into `dir` (created if missing) and kept, then sent to the printer or opened in
    /// the viewer as [`PrintSettings`] say, and the print is audited with how it went. A printer
    /// that refuses the job is not an error: [`Printed::sent`] says why, the PDF is there to
    /// print by hand, and the audit row records the failure too.
    pub fn print_letter(
        &mut self,
        id: CommitmentId,
        dir: &Path,
        sink: &dyn PrintSink,
    ) -> Result<Printed, DeskError> {
        let act = self.begin(Action::IssueLetter)?;
        let settings = self.print_settings()?;
        let c = self.commitment(id)?;
        let pdf = self.letter_pdf(id)?;
        let path = dir.join(letter_file_name(&c.code));
        write_kept(&path, &pdf)?;
        let route = if settings.direct {
            PrintRoute::Printer
        } else {
            PrintRoute::Viewer
        };
        let sent = match route {
            PrintRoute::Printer => sink.print(&path, &settings.printer),
            PrintRoute::Viewer => sink.open(&path).map(|()| "已用 PDF 阅读器打开".to_string()),
        };
        let how = match (&route, &sent) {
            (PrintRoute::Printer, Ok(job)) => format!(
                "已送{}（{job}）",
                if settings.printer.is_empty() {
                    "默认打印机".to_string()
                } else {
                    format!("打印机 {}", settings.printer)
                }
            ),
            (PrintRoute::Printer, Err(e)) => format!("未能送打印机：{e}"),
            (PrintRoute::Viewer, Ok(_)) => "已用 PDF 阅读器打开，由柜员在阅读器中打印".into(),
            (PrintRoute::Viewer, Err(e)) => format!("未能打开 PDF 阅读器：{e}"),
        };
        let detail = format!(
            "打印承诺书 {}：{how}；PDF 保存在 {}",
            c.code,
            path.display()
        );
        let subject = c.subject_id.0;
        self.commit(act, |_, _| Ok(((), AuditLine::new(Some(subject), detail))))?;
        Ok(Printed { path, route, sent })
    }
}

/// Write the PDF whole or not at all (a part file renamed into place), so a failed write never
/// leaves a truncated letter where the clerk looks for it.
fn write_kept(path: &Path, pdf: &[u8]) -> Result<(), DeskError> {
    let fail = |e: std::io::Error| {
        DeskError::FileWrite(format!(
            "无法把承诺书保存到“{}”：{}。请在设置中检查导出文件夹，或另存为其他位置",
            path.display(),
            crate::documents::io_reason(&e)
        ))
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let tmp = path.with_extension("pdf.part");
    std::fs::write(&tmp, pdf)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(e)
        })
}
