//! The 待办 XLSX export: written on a worker thread with a progress bar and 取消, so the window
//! keeps drawing while 100,000 rows are written.

use std::path::PathBuf;
use std::thread::JoinHandle;

use chrono::NaiveDate;

use super::QueuePage;
use crate::desk::{Desk, DeskError, Progress};
use crate::ui::Command;

/// An export running on a worker thread.
pub(super) struct ExportJob {
    pub(super) handle: JoinHandle<Result<usize, DeskError>>,
    pub(super) progress: Progress,
    pub(super) path: PathBuf,
}

pub(super) fn default_export_path(today: NaiveDate) -> String {
    let dir = crate::print::documents_dir();
    dir.join(format!("信易电待办-{today}.xlsx"))
        .display()
        .to_string()
}

pub(super) fn export_notice(r: Result<usize, DeskError>, path: &std::path::Path) -> Command {
    match r {
        Ok(n) => Command::saved(
            format!("已导出 {n} 件：{}", path.display()),
            path.to_path_buf(),
        ),
        Err(e) => Command::error(e.to_string()),
    }
}

impl QueuePage {
    /// Start the export of the current tab on a worker thread (on this thread for a database
    /// without a second connection: tests).
    pub(super) fn start_export(&mut self, desk: &mut Desk) -> Option<Command> {
        let path = PathBuf::from(self.export_path.trim());
        if self.export_path.trim().is_empty() {
            return Some(Command::error("请填写导出文件的位置和文件名（.xlsx）"));
        }
        let q = self.query();
        let progress = Progress::new();
        match desk.worker_desk() {
            Ok(Some(mut worker)) => {
                let p = progress.clone();
                let file = path.clone();
                match std::thread::Builder::new()
                    .name("xinyidian-export".into())
                    .spawn(move || worker.export_cases_with(&q, &file, &p))
                {
                    Ok(handle) => {
                        self.export = Some(ExportJob {
                            handle,
                            progress,
                            path,
                        });
                        None
                    }
                    Err(e) => Some(Command::error(format!("无法启动后台任务（{e}），未导出"))),
                }
            }
            Ok(None) => Some(export_notice(
                desk.export_cases_with(&q, &path, &progress),
                &path,
            )),
            Err(e) => Some(Command::error(e.to_string())),
        }
    }

    /// The export's outcome once the worker is done.
    pub(super) fn poll_export(&mut self, ui: &egui::Ui) -> Option<Command> {
        let job = self.export.take()?;
        if !job.handle.is_finished() {
            self.export = Some(job);
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
            return None;
        }
        Some(match job.handle.join() {
            Ok(r) => export_notice(r, &job.path),
            Err(_) => Command::error("内部错误：导出任务意外中止，未写入文件，请联系管理员"),
        })
    }

    /// Whether an export is running.
    pub fn is_exporting(&self) -> bool {
        self.export.is_some()
    }
}
