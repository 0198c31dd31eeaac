//! The PC's own printer and PDF viewer behind the desk's [`PrintSink`] (issue 15, point 7): CUPS
//! `lp` on Linux and macOS, the print verb of the registered PDF viewer on Windows, `opener` for
//! the viewer. The core starts no program; this is the only place that does for printing.

use std::path::Path;
use std::process::Command;

use crate::desk::PrintSink;

/// The real printer and viewer of this PC. `lp` may be another command: `XINYIDIAN_LP` (a
/// site's own print wrapper) or [`use_lp_command`] (tests).
#[derive(Debug, Clone, Default)]
pub struct SystemPrint;

static LP_OVERRIDE: std::sync::Mutex<Option<std::path::PathBuf>> = std::sync::Mutex::new(None);

/// Print through `command` instead of `lp` for the rest of the process (tests use a script that
/// records what it was given).
pub fn use_lp_command(command: &Path) {
    if let Ok(mut g) = LP_OVERRIDE.lock() {
        *g = Some(command.to_path_buf());
    }
}

fn lp_command() -> std::ffi::OsString {
    if let Some(p) = LP_OVERRIDE.lock().ok().and_then(|g| g.clone()) {
        return p.into_os_string();
    }
    std::env::var_os("XINYIDIAN_LP").unwrap_or_else(|| "lp".into())
}

impl PrintSink for SystemPrint {
    fn print(&self, pdf: &Path, printer: &str) -> Result<String, String> {
        let out = if cfg!(windows) {
            // The print verb of the PDF viewer registered for .pdf (untested here: no Windows
            // machine); a printer name selects nothing on this path.
            let path = pdf.display().to_string().replace('\'', "''");
            Command::new("powershell")
                .args([
                    "-NoProfile",
                    "-NonInteractive",
                    "-Command",
                    &format!("Start-Process -FilePath '{path}' -Verb Print"),
                ])
                .output()
        } else {
            let mut cmd = Command::new(lp_command());
            if !printer.trim().is_empty() {
                cmd.arg("-d").arg(printer.trim());
            }
            cmd.arg("--").arg(pdf).output()
        };
        match out {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(if cfg!(windows) {
                "找不到 PowerShell，无法直接打印：请在 PDF 阅读器中打开后打印".into()
            } else {
                "本机没有安装打印系统（CUPS 的 lp 命令）：请安装 cups-client 并添加打印机，或在设置中关闭“直接打印”".into()
            }),
            Err(e) => Err(format!("无法启动打印命令（{e}）")),
            Ok(o) if o.status.success() => {
                let said = String::from_utf8_lossy(&o.stdout).trim().to_string();
                Ok(if said.is_empty() {
                    "已送打印机".into()
                } else {
                    said
                })
            }
            Ok(o) => {
                let said = String::from_utf8_lossy(&o.stderr).trim().to_string();
                Err(if said.is_empty() {
                    format!("打印命令失败（{}）", o.status)
                } else {
                    format!("打印机未接受：{said}")
                })
            }
        }
    }

    fn open(&self, pdf: &Path) -> Result<(), String> {
        opener::open(pdf).map_err(|e| format!("无法打开 PDF 阅读器（{e}）"))
    }
}

/// The folder exports and printed letters go to by default: `XINYIDIAN_DOCUMENTS_DIR` when set
/// (`cargo test` sets it under `target/`, so tests never write into a real documents folder; a
/// hall may point it at a shared folder), else the user's documents folder (the home folder, or
/// the temp folder, when the system names none).
pub fn documents_dir() -> std::path::PathBuf {
    if let Some(d) = std::env::var_os("XINYIDIAN_DOCUMENTS_DIR").filter(|d| !d.is_empty()) {
        return d.into();
    }
    directories::UserDirs::new()
        .map(|u| {
            u.document_dir()
                .map_or_else(|| u.home_dir().to_path_buf(), Path::to_path_buf)
        })
        .unwrap_or_else(std::env::temp_dir)
}

/// Where printed letters are kept: `信易电承诺书` in the documents folder.
pub fn letters_dir() -> std::path::PathBuf {
    documents_dir().join("信易电承诺书")
}
