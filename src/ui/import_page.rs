//! 导入: bring a record file from the marketing system into the database (rule S-2). Choose the
//! file (path field or 浏览…), see how its header and first rows are understood, choose the
//! options, run the import with a progress bar and 取消, then read the summary.
//!
//! The preview and the import run on worker threads so the window stays responsive. The import
//! needs the database, and the window's [`Desk`] stays on the window's thread: the worker gets its
//! own desk on the same database file, signed in as the same operator ([`Desk::worker_desk`]).
//! SQLite's WAL mode lets the window keep reading meanwhile; a save in the window waits for the
//! import's transaction without blocking the window's thread, with a message beside its button
//! ([`super::saving`]).

use std::path::PathBuf;
use std::thread::JoinHandle;

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use super::forms::{self, ERROR_COLOR};
use crate::desk::{
    Desk, DeskError, ImportOptions, ImportPreview, ImportSummary, Progress, preview_records,
};
use crate::domain::operator::Action;
use crate::domain::records::RecordKind;

/// Rows the preview shows.
pub const PREVIEW_ROWS: usize = 20;
/// Refused cells the summary table shows (the rejected-rows file has them all).
const REPORT_ROWS: usize = 200;

type Outcome<T> = Result<T, String>;

/// Work on another thread, polled each frame.
struct Pending<T> {
    handle: JoinHandle<Result<T, DeskError>>,
}

impl<T: Send + 'static> Pending<T> {
    fn spawn(f: impl FnOnce() -> Result<T, DeskError> + Send + 'static) -> Outcome<Self> {
        std::thread::Builder::new()
            .name("xinyidian-import".into())
            .spawn(f)
            .map(|handle| Self { handle })
            .map_err(|e| format!("无法启动后台任务（{e}）"))
    }

    /// The result once the work is done.
    fn poll(self) -> Result<Outcome<T>, Self> {
        if !self.handle.is_finished() {
            return Err(self);
        }
        Ok(match self.handle.join() {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err("内部错误：后台任务意外中止，未写入任何记录，请联系管理员".into()),
        })
    }
}

/// The import page. It lives as long as the window, so an import keeps running (and its summary
/// waits) while the clerk visits other pages.
#[derive(Default)]
pub struct ImportPage {
    /// The file, as typed or chosen with 浏览….
    pub path: String,
    /// `None`: recognise the kind from the headers.
    pub kind: Option<RecordKind>,
    pub opts: ImportOptions,
    preview: Option<Outcome<ImportPreview>>,
    /// The file and kind the preview is of.
    previewed: Option<(String, Option<RecordKind>)>,
    previewing: Option<Pending<ImportPreview>>,
    running: Option<(Pending<ImportSummary>, Progress)>,
    summary: Option<Outcome<ImportSummary>>,
    /// The file (and kind) last imported with 开始导入: the button waits for a new preview, so a
    /// double click imports once (issue 15, point 4).
    imported: Option<(String, Option<RecordKind>)>,
}

impl ImportPage {
    /// Whether an import is running (the status line says so).
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    fn start_preview(&mut self, desk: &Desk) {
        let path = PathBuf::from(self.path.trim());
        if self.path.trim().is_empty() {
            self.preview = Some(Err("请先填写或选择要导入的文件".into()));
            return;
        }
        let (kind, today) = (self.kind, desk.today());
        // Options are per file: a new file starts from the defaults (all or nothing, no dry run).
        if self.previewed.as_ref().map(|(p, _)| p) != Some(&self.path) {
            self.opts = ImportOptions::default();
        }
        self.previewed = Some((self.path.clone(), self.kind));
        self.imported = None;
        self.summary = None;
        match Pending::spawn(move || preview_records(&path, kind, today, PREVIEW_ROWS)) {
            Ok(p) => {
                self.preview = None;
                self.previewing = Some(p);
            }
            Err(e) => self.preview = Some(Err(e)),
        }
    }

    fn start_import(&mut self, desk: &mut Desk) {
        let path = PathBuf::from(self.path.trim());
        let (kind, opts) = (self.kind, self.opts);
        let progress = Progress::new();
        self.summary = None;
        match desk.worker_desk() {
            Ok(Some(mut worker)) => {
                let p = progress.clone();
                match Pending::spawn(move || worker.import_records(&path, kind, opts, &p)) {
                    Ok(job) => self.running = Some((job, progress)),
                    Err(e) => self.summary = Some(Err(e)),
                }
            }
            // An in-memory database has no second connection (tests): import on this thread.
            Ok(None) => {
                self.summary = Some(
                    desk.import_records(&path, kind, opts, &progress)
                        .map_err(|e| e.to_string()),
                );
            }
            Err(e) => self.summary = Some(Err(e.to_string())),
        }
    }

    fn poll(&mut self, ui: &egui::Ui) {
        if let Some(p) = self.previewing.take() {
            match p.poll() {
                Ok(r) => self.preview = Some(r),
                Err(p) => self.previewing = Some(p),
            }
        }
        if let Some((job, progress)) = self.running.take() {
            match job.poll() {
                Ok(r) => self.summary = Some(r),
                Err(job) => self.running = Some((job, progress)),
            }
        }
        // A written import waits for a new preview before the next (issue 15, point 4).
        if let Some(Ok(r)) = &self.summary
            && r.written
            && self.imported.is_none()
        {
            self.imported.clone_from(&self.previewed);
        }
        if self.previewing.is_some() || self.running.is_some() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        self.poll(ui);
        ui.heading("导入用电记录");
        ui.label(
            RichText::new(
                "从营销系统导出的 CSV（UTF-8 或 GBK）或 Excel 文件，表头为附件 4 的数据项名称，列的顺序不限。",
            )
            .weak(),
        );
        if !desk.may(Action::ImportRecords) {
            ui.label(RichText::new("当前登录的操作员没有导入权限").color(ERROR_COLOR));
            return;
        }
        let busy = self.running.is_some();
        ui.add_enabled_ui(!busy, |ui| self.file_ui(ui, desk));
        egui::ScrollArea::vertical().show(ui, |ui| {
            // The options and the button, then the result (and a running import), where they
            // are seen without scrolling; the preview below.
            if matches!(self.preview, Some(Ok(_))) {
                ui.add_enabled_ui(!busy, |ui| self.options_ui(ui, desk));
                ui.separator();
            }
            if let Some((_, progress)) = &self.running {
                ui.horizontal(|ui| {
                    let (done, total) = progress.get();
                    ui.add(
                        egui::ProgressBar::new(progress.fraction())
                            .desired_width(420.0)
                            .show_percentage(),
                    );
                    if total > 0 {
                        ui.label(RichText::new(format!("{done} / {total}")).weak());
                    }
                    if ui.button("取消").clicked() {
                        progress.cancel();
                    }
                });
                ui.label(RichText::new("正在导入……取消后不会写入任何记录").weak());
            }
            match &self.summary {
                Some(Ok(r)) => summary_ui(ui, r, self.opts),
                Some(Err(e)) => {
                    ui.label(RichText::new(e).color(ERROR_COLOR));
                }
                None => {}
            }
            if self.previewing.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("正在读取文件……");
                });
            }
            match &self.preview {
                Some(Ok(p)) => preview_ui(ui, p),
                Some(Err(e)) => {
                    ui.label(RichText::new(e).color(ERROR_COLOR));
                }
                None => {}
            }
        });
    }

    fn file_ui(&mut self, ui: &mut egui::Ui, desk: &Desk) {
        let mut want_preview = false;
        ui.horizontal_wrapped(|ui| {
            let row = super::files::path_row(
                ui,
                "文件",
                &mut self.path,
                "文件路径，或点“浏览…”选择",
                520.0,
                super::files::Browse::Open("记录文件", &["csv", "txt", "xlsx", "xls", "ods"]),
                true,
            );
            want_preview |= row.enter || row.picked;
            if ui.button("预览").clicked() {
                want_preview = true;
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label("记录类别");
            let before = self.kind;
            egui::ComboBox::from_id_salt("import_kind")
                .selected_text(self.kind.map_or("自动识别（按表头）", |k| k.label()))
                .width(260.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.kind, None, "自动识别（按表头）");
                    for k in RecordKind::ALL {
                        ui.selectable_value(&mut self.kind, Some(k), k.label());
                    }
                })
                .response
                .labelled_by(l.id);
            if self.kind != before && self.previewed.is_some() {
                want_preview = true;
            }
        });
        if want_preview {
            self.start_preview(desk);
        }
    }

    fn options_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.strong("导入选项");
        ui.checkbox(&mut self.opts.dry_run, "试运行：只检查，不写入");
        ui.checkbox(
            &mut self.opts.skip_invalid,
            "跳过有问题的行：其余行照常导入，有问题的行另存为 CSV（默认：有一行有问题就全部不导入）",
        );
        if desk.may(Action::CreateSubject) {
            ui.checkbox(
                &mut self.opts.create_subjects,
                "自动登记文件中出现但尚未登记的主体",
            );
        } else {
            self.opts.create_subjects = false;
        }
        let current = (self.path.clone(), self.kind);
        let stale = self.previewed.as_ref() != Some(&current);
        let done = self.imported.as_ref() == Some(&current);
        if stale {
            ui.label(RichText::new("文件或类别已改变，请先重新预览").color(ERROR_COLOR));
        } else if done {
            ui.label(RichText::new("该文件已导入；如需再次导入，请重新预览").weak());
        }
        let label = if self.opts.dry_run {
            "开始检查"
        } else {
            "开始导入"
        };
        if ui
            .add_enabled(
                !stale && !done && self.running.is_none(),
                egui::Button::new(label),
            )
            .clicked()
        {
            self.start_import(desk);
        }
    }
}

fn preview_ui(ui: &mut egui::Ui, p: &ImportPreview) {
    ui.separator();
    ui.strong("预览");
    let how = if p.kind_detected {
        "按表头自动识别"
    } else {
        "按所选类别"
    };
    let sheet = p
        .sheet
        .as_ref()
        .map(|s| format!("，工作表“{s}”"))
        .unwrap_or_default();
    ui.label(format!(
        "{}，记录类别：{}（{how}），表头在第 {} 行{sheet}",
        p.format,
        p.kind.label(),
        p.header_row
    ));
    ui.horizontal_wrapped(|ui| {
        ui.label("列（绿色为识别的数据项）：");
        for c in &p.columns {
            if c.used {
                ui.label(RichText::new(c.name.as_str()).color(forms::OK_COLOR));
            } else {
                ui.label(RichText::new(format!("{}（忽略）", c.name)).color(ERROR_COLOR));
            }
        }
    });
    for n in &p.notices {
        ui.label(RichText::new(n).color(egui::Color32::from_rgb(150, 90, 0)));
    }
    let bad = p.rows.iter().filter(|r| r.summary.is_none()).count();
    ui.label(format!(
        "前 {} 行{}：{} 行合格，{bad} 行有问题",
        p.rows.len(),
        if p.more {
            "（文件还有更多行）"
        } else {
            ""
        },
        p.rows.len() - bad
    ));
    ui.push_id("preview_rows", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(false)
            .column(Column::exact(60.0))
            .column(Column::remainder().clip(true))
            .header(22.0, |mut h| {
                for t in ["行", "内容或问题"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|mut body| {
                for r in &p.rows {
                    body.row(22.0, |mut row| {
                        row.col(|ui| {
                            ui.label(format!("第 {} 行", r.row));
                        });
                        row.col(|ui| match &r.summary {
                            Some(s) => {
                                ui.label(s);
                            }
                            None => {
                                let text = r
                                    .problems
                                    .iter()
                                    .map(|p| p.to_string())
                                    .collect::<Vec<_>>()
                                    .join("；");
                                ui.label(RichText::new(text).color(ERROR_COLOR));
                            }
                        });
                    });
                }
            });
    });
}

fn summary_ui(ui: &mut egui::Ui, r: &ImportSummary, opts: ImportOptions) {
    ui.separator();
    ui.strong("导入结果");
    let verdict = if r.written {
        "已写入数据库".to_string()
    } else if opts.dry_run && r.rejected == 0 {
        "检查通过（试运行，未写入）".to_string()
    } else if opts.dry_run {
        format!("试运行：有 {} 行有问题，未写入", r.rejected)
    } else {
        format!(
            "未写入任何记录：有 {} 行有问题。请修改后重新导入，或勾选“跳过有问题的行”",
            r.rejected
        )
    };
    forms::outcome_ui(ui, r.written || (opts.dry_run && r.rejected == 0), &verdict);
    egui::Grid::new("import_counts")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for (k, v) in [
                ("记录类别", r.kind.clone()),
                ("文件格式", r.format.clone()),
                ("数据行", r.rows.to_string()),
                ("新增", r.inserted.to_string()),
                ("更新", r.updated.to_string()),
                ("未变", r.unchanged.to_string()),
                ("新登记主体", r.created_subjects.to_string()),
                ("有问题的行", r.rejected.to_string()),
            ] {
                ui.label(RichText::new(k).weak());
                ui.label(v);
                ui.end_row();
            }
        });
    if let Some(p) = r.reject_file.as_ref().filter(|_| r.rejected > 0) {
        ui.label(format!("有问题的行已另存为：{}", p.display()));
    }
    for n in r.notices.iter().chain(&r.row_notes) {
        ui.label(RichText::new(n).weak());
    }
    if r.bad_cells.is_empty() {
        return;
    }
    ui.push_id("bad_rows", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(false)
            .column(Column::exact(70.0))
            .column(Column::initial(160.0).clip(true))
            .column(Column::initial(180.0).clip(true))
            .column(Column::remainder().clip(true))
            .header(22.0, |mut h| {
                for t in ["行", "列", "值", "原因"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|mut body| {
                for (row_no, p) in r.bad_cells.iter().take(REPORT_ROWS) {
                    body.row(22.0, |mut row| {
                        row.col(|ui| {
                            ui.label(format!("第 {row_no} 行"));
                        });
                        row.col(|ui| {
                            ui.label(&p.column);
                        });
                        row.col(|ui| {
                            ui.label(&p.value);
                        });
                        row.col(|ui| {
                            ui.label(RichText::new(&p.reason).color(ERROR_COLOR));
                        });
                    });
                }
            });
    });
    if r.bad_cells.len() > REPORT_ROWS || (r.rejected as usize) > r.errors.len() {
        ui.label(RichText::new("仅列出前面的问题；全部问题见另存的 CSV 或命令行输出").weak());
    }
}
