//! 导出: the exchange with 湛江市公共信用信息共享平台 (rules E-1..E-3, issue 18) for supervisors —
//! what would be sent since the last accepted batch, the batch itself (on a worker thread, with
//! progress and 取消), the batch history with 确认接收 / 作废 / 重新生成, the platform's feedback,
//! its list snapshots, and the publication file of commitments.

use std::path::PathBuf;
use std::thread::JoinHandle;

use egui::RichText;

use super::forms::outcome_ui;
use crate::desk::{
    Desk, DeskError, ExportOptions, ExportSummary, ListImportSummary, Progress, batch_status_label,
};
use crate::documents::platform::BatchFormat;
use crate::domain::operator::Action;
use xinyidian_core::store::{BatchRow, SnapshotRow};

type Job<T> = (JoinHandle<Result<T, DeskError>>, Progress);

/// The 导出 page; it lives as long as the window, so a running export survives a visit elsewhere.
pub struct ExportPage {
    pub out_dir: String,
    pub csv: bool,
    pub feedback_path: String,
    pub list_path: String,
    pub list_as_of: String,
    pub publish_path: String,
    void_reason: String,
    counts: Option<Result<ExportSummary, String>>,
    counting: Option<Job<ExportSummary>>,
    exporting: Option<Job<ExportSummary>>,
    listing: Option<Job<ListImportSummary>>,
    message: Option<(bool, String)>,
    batches: Vec<BatchRow>,
    snapshots: Vec<SnapshotRow>,
    loaded: bool,
    /// 诚信宣传数据 (issue 20, point 3): period, hall, typical cases, output, the running job.
    pub stats_from: String,
    pub stats_to: String,
    pub stats_hall: String,
    pub stats_typical: String,
    pub stats_out: String,
    stats_job: Option<super::backup_panel::Job>,
}

impl Default for ExportPage {
    fn default() -> Self {
        let docs = crate::print::documents_dir();
        Self {
            out_dir: docs.display().to_string(),
            publish_path: docs.join("信用承诺公示.xlsx").display().to_string(),
            csv: false,
            feedback_path: String::new(),
            list_path: String::new(),
            list_as_of: String::new(),
            void_reason: String::new(),
            counts: None,
            counting: None,
            exporting: None,
            listing: None,
            message: None,
            batches: Vec::new(),
            snapshots: Vec::new(),
            loaded: false,
            stats_from: String::new(),
            stats_to: String::new(),
            stats_hall: String::new(),
            stats_typical: String::new(),
            stats_out: docs.join("诚信宣传数据.pdf").display().to_string(),
            stats_job: None,
        }
    }
}

fn spawn<T: Send + 'static>(
    desk: &Desk,
    f: impl FnOnce(&mut Desk, &Progress) -> Result<T, DeskError> + Send + 'static,
) -> Result<Option<Job<T>>, String> {
    let progress = Progress::new();
    match desk.worker_desk().map_err(|e| e.to_string())? {
        Some(mut worker) => {
            let p = progress.clone();
            std::thread::Builder::new()
                .name("xinyidian-platform".into())
                .spawn(move || f(&mut worker, &p))
                .map(|h| Some((h, progress)))
                .map_err(|e| format!("无法启动后台任务（{e}）"))
        }
        None => Ok(None),
    }
}

/// A labelled one-line box (the label names it for screen readers and tests).
fn field(ui: &mut egui::Ui, label: &str, value: &mut String, width: f32, hint: Option<&str>) {
    let l = ui.label(label);
    let mut edit = egui::TextEdit::singleline(value).desired_width(width);
    if let Some(h) = hint {
        edit = edit.hint_text(h);
    }
    ui.add(edit).labelled_by(l.id);
}

fn poll<T>(job: &mut Option<Job<T>>) -> Option<Result<T, String>> {
    let (h, _) = job.as_ref()?;
    if !h.is_finished() {
        return None;
    }
    let (h, _) = job.take()?;
    Some(match h.join() {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("内部错误：后台任务意外中止，未作任何更改".into()),
    })
}

fn progress_ui<T>(ui: &mut egui::Ui, job: &Option<Job<T>>, what: &str) {
    if let Some((_, p)) = job {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.add(
                egui::ProgressBar::new(p.fraction())
                    .desired_width(240.0)
                    .show_percentage(),
            );
            ui.label(what);
            if ui.button("取消").clicked() {
                p.cancel();
            }
        });
    }
}

impl ExportPage {
    fn options(&self, dry_run: bool) -> ExportOptions {
        ExportOptions {
            classes: Vec::new(),
            format: if self.csv {
                BatchFormat::CsvBom
            } else {
                BatchFormat::Xlsx
            },
            dry_run,
        }
    }

    fn reload(&mut self, desk: &Desk) {
        self.loaded = true;
        match desk.platform_batches() {
            Ok(b) => self.batches = b,
            Err(e) => self.message = Some((false, e.to_string())),
        }
        if let Ok(s) = desk.list_snapshots() {
            self.snapshots = s;
        }
    }

    fn count(&mut self, desk: &mut Desk) {
        let opts = self.options(true);
        let out = PathBuf::from(self.out_dir.trim());
        let (o2, out2) = (opts.clone(), out.clone());
        match spawn(desk, move |d, p| d.platform_export(&o2, &out2, p)) {
            Ok(Some(job)) => self.counting = Some(job),
            Ok(None) => {
                self.counts = Some(
                    desk.platform_export(&opts, &out, &Progress::new())
                        .map_err(|e| e.to_string()),
                );
            }
            Err(e) => self.counts = Some(Err(e)),
        }
    }

    fn export(&mut self, desk: &mut Desk) {
        let opts = self.options(false);
        let out = PathBuf::from(self.out_dir.trim());
        let (o2, out2) = (opts.clone(), out.clone());
        match spawn(desk, move |d, p| d.platform_export(&o2, &out2, p)) {
            Ok(Some(job)) => self.exporting = Some(job),
            Ok(None) => {
                let r = desk.platform_export(&opts, &out, &Progress::new());
                self.finish_export(desk, r.map_err(|e| e.to_string()));
            }
            Err(e) => self.message = Some((false, e)),
        }
    }

    fn finish_export(&mut self, desk: &Desk, r: Result<ExportSummary, String>) {
        self.message = Some(match &r {
            Ok(s) => (
                true,
                format!(
                    "已生成批次 {}：共 {} 行，文件在 {}",
                    s.batch_no.clone().unwrap_or_default(),
                    s.rows(),
                    s.dir
                        .as_ref()
                        .map(|d| d.display().to_string())
                        .unwrap_or_default()
                ),
            ),
            Err(e) => (false, e.clone()),
        });
        self.counts = r.ok().map(Ok);
        self.reload(desk);
    }

    /// Draw the page.
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.heading("与市公共信用信息共享平台交换数据");
        if !desk.may(Action::ExchangePlatform) {
            ui.label("报送、反馈与名单导入需要主管权限：请由主管登录后操作。");
            return;
        }
        if !self.loaded {
            self.reload(desk);
        }
        if let Some(r) = poll(&mut self.counting) {
            self.counts = Some(r);
        }
        if let Some(r) = poll(&mut self.exporting) {
            self.finish_export(desk, r);
        }
        if let Some(r) = poll(&mut self.listing) {
            self.message = Some(match r {
                Ok(s) => (
                    true,
                    format!(
                        "已导入名单（截至 {}）：{} 条，严重失信主体名单 {} 条；新列入本库主体 {}，移出 {}",
                        s.as_of.map(|d| d.to_string()).unwrap_or_default(),
                        s.entries,
                        s.serious,
                        s.newly_listed.len(),
                        s.no_longer_listed.len()
                    ),
                ),
                Err(e) => (false, e),
            });
            self.reload(desk);
        }
        if self.counting.is_some() || self.exporting.is_some() || self.listing.is_some() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        // The result first, where it is seen without scrolling.
        let msg = self.message.clone();
        if let Some((ok, text)) = &msg {
            outcome_ui(ui, *ok, text);
        }
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.batch_ui(ui, desk);
                ui.separator();
                self.history_ui(ui, desk);
                ui.separator();
                self.feedback_ui(ui, desk);
                ui.separator();
                self.lists_ui(ui, desk);
                ui.separator();
                self.publish_ui(ui, desk);
                ui.separator();
                self.stats_ui(ui, desk);
            });
    }

    /// 诚信宣传数据 (task 六): a period, a hall, chosen typical cases, a PDF or XLSX, made on a
    /// worker thread.
    fn stats_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.label(RichText::new("诚信宣传数据（任务六：一页 PDF 摘要或 XLSX 数据表）").strong());
        if self.stats_from.is_empty() {
            let today = desk.today();
            self.stats_from = format!("{}-01-01", chrono::Datelike::year(&today));
            self.stats_to = today.to_string();
        }
        ui.horizontal_wrapped(|ui| {
            field(ui, "统计开始", &mut self.stats_from, 100.0, None);
            field(ui, "统计结束", &mut self.stats_to, 100.0, None);
            field(
                ui,
                "营业厅",
                &mut self.stats_hall,
                120.0,
                Some("留空：全部"),
            );
            field(
                ui,
                "典型案例",
                &mut self.stats_typical,
                160.0,
                Some("案件编号，逗号分隔"),
            );
        });
        ui.horizontal_wrapped(|ui| {
            super::files::path_row(
                ui,
                "保存为",
                &mut self.stats_out,
                ".pdf 或 .xlsx",
                360.0,
                super::files::Browse::Save("诚信宣传数据.pdf", &["pdf", "xlsx"]),
                true,
            );
            if let Some(job) = &self.stats_job {
                ui.spinner();
                ui.label("正在统计…");
                if let Some(r) = job.poll() {
                    self.message = Some(match r {
                        Ok(m) => (true, m),
                        Err(e) => (false, e),
                    });
                    self.stats_job = None;
                } else {
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_millis(200));
                }
                return;
            }
            if !ui.button("生成").clicked() {
                return;
            }
            let date = |s: &str, field: &'static str| {
                crate::domain::text::parse_date(s)
                    .map_err(|reason| DeskError::InvalidDate { field, reason })
            };
            let typical: Result<Vec<crate::domain::case::CaseId>, DeskError> = self
                .stats_typical
                .split([',', '，', ' ', '、'])
                .filter(|t| !t.trim().is_empty())
                .map(|t| {
                    t.trim()
                        .parse::<i64>()
                        .map(crate::domain::case::CaseId)
                        .map_err(|_| DeskError::InvalidDate {
                            field: "典型案例",
                            reason: format!("“{t}”不是案件编号（应为数字）"),
                        })
                })
                .collect();
            let parsed = (|| {
                Ok::<_, DeskError>((
                    date(&self.stats_from, "统计开始")?,
                    date(&self.stats_to, "统计结束")?,
                    typical?,
                ))
            })();
            let (from, to, typical) = match parsed {
                Ok(p) => p,
                Err(e) => {
                    self.message = Some((false, e.to_string()));
                    return;
                }
            };
            let period = crate::desk::stats_period(from, to, Some(&self.stats_hall));
            let out = std::path::PathBuf::from(self.stats_out.trim());
            match super::backup_panel::Job::start(desk, "统计", move |d| {
                d.export_publicity(&period, &typical, &out)
                    .map(|_| format!("已生成诚信宣传数据：{}", out.display()))
            }) {
                Ok(j) => self.stats_job = Some(j),
                Err(e) => self.message = Some((false, e)),
            }
        });
    }

    fn batch_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.label(RichText::new("报送批次（规则 E-1）").strong());
        ui.horizontal(|ui| {
            super::files::path_row(
                ui,
                "导出到文件夹",
                &mut self.out_dir,
                "",
                360.0,
                super::files::Browse::Folder,
                true,
            );
            ui.radio_value(&mut self.csv, false, "Excel 工作簿");
            ui.radio_value(&mut self.csv, true, "CSV（UTF-8）");
        });
        let busy = self.counting.is_some() || self.exporting.is_some();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!busy, egui::Button::new("统计待报送"))
                .clicked()
            {
                self.count(desk);
            }
            if ui
                .add_enabled(!busy, egui::Button::new("生成批次"))
                .clicked()
            {
                self.export(desk);
            }
        });
        progress_ui(ui, &self.counting, "正在统计…");
        progress_ui(ui, &self.exporting, "正在生成批次…");
        match &self.counts {
            Some(Ok(s)) => {
                egui::Grid::new("platform_counts")
                    .striped(true)
                    .show(ui, |ui| {
                        for h in ["信息类", "新增", "更正", "撤销", "被拒收未修改"] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        for c in &s.classes {
                            ui.label(&c.class);
                            ui.label(c.new.to_string());
                            ui.label(c.corrected.to_string());
                            ui.label(c.withdrawn.to_string());
                            ui.label(c.still_refused.to_string());
                            ui.end_row();
                        }
                    });
            }
            Some(Err(e)) => outcome_ui(ui, false, e),
            None => {}
        }
    }

    fn history_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.label(RichText::new("批次记录").strong());
        if self.batches.is_empty() {
            ui.label("尚无报送批次");
            return;
        }
        let mut action: Option<(String, &'static str)> = None;
        egui::Grid::new("platform_batches")
            .striped(true)
            .show(ui, |ui| {
                for h in ["批次号", "生成时间", "操作员", "状态", "说明", "操作"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for b in &self.batches {
                    ui.label(&b.batch_no);
                    ui.label(&b.created_at);
                    ui.label(&b.staff_no);
                    ui.label(batch_status_label(&b.status));
                    ui.label(b.note.clone().unwrap_or_default());
                    ui.horizontal(|ui| {
                        if b.status == "pending" {
                            if ui.button("确认全部接收").clicked() {
                                action = Some((b.batch_no.clone(), "accept"));
                            }
                            if ui.button("作废").clicked() {
                                action = Some((b.batch_no.clone(), "void"));
                            }
                        }
                        if ui.button("重新生成文件").clicked() {
                            action = Some((b.batch_no.clone(), "rewrite"));
                        }
                    });
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            field(ui, "作废原因", &mut self.void_reason, 300.0, None);
        });
        if let Some((no, what)) = action {
            let r = match what {
                "accept" => desk
                    .platform_accept(&no)
                    .map(|s| format!("已确认平台接收批次 {}：{} 行", s.batch_no, s.accepted)),
                "void" => desk
                    .platform_void(&no, &self.void_reason)
                    .map(|()| format!("已作废批次 {no}")),
                _ => desk
                    .platform_rewrite(&no, &PathBuf::from(self.out_dir.trim()))
                    .map(|d| format!("已重新生成批次 {no} 的文件：{}", d.display())),
            };
            self.message = Some(match r {
                Ok(t) => (true, t),
                Err(e) => (false, e.to_string()),
            });
            self.reload(desk);
        }
    }

    fn feedback_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.label(RichText::new("平台反馈").strong());
        ui.horizontal(|ui| {
            super::files::path_row(
                ui,
                "反馈文件",
                &mut self.feedback_path,
                "平台返回的反馈 CSV 或 XLSX",
                360.0,
                super::files::Browse::Open("反馈文件", &["csv", "xlsx"]),
                true,
            );
            if ui.button("导入反馈").clicked() {
                let r = desk.platform_feedback(&PathBuf::from(self.feedback_path.trim()));
                self.message = Some(match r {
                    Ok(s) => (
                        true,
                        format!(
                            "批次 {}：接收 {} 行，拒收 {} 行（拒收的行修改后随下一批次重报）",
                            s.batch_no, s.accepted, s.refused
                        ),
                    ),
                    Err(e) => (false, e.to_string()),
                });
                self.feedback_path.clear();
                self.reload(desk);
            }
        });
        if let Some(b) = self.batches.iter().find(|b| b.status == "accepted")
            && let Ok(rows) = desk.platform_refusals(&b.batch_no)
            && !rows.is_empty()
        {
            ui.label(format!("批次 {} 被拒收的行：", b.batch_no));
            egui::Grid::new("platform_refused")
                .striped(true)
                .show(ui, |ui| {
                    for h in ["信息类", "行号", "记录标识", "变更", "原因"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for r in rows.iter().take(200) {
                        ui.label(&r.class);
                        ui.label(r.row.to_string());
                        ui.label(&r.record_key);
                        ui.label(&r.change);
                        ui.label(&r.reason);
                        ui.end_row();
                    }
                });
        }
    }

    fn lists_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.label(RichText::new("平台名单（规则 E-2：据此认定 T-1(c)）").strong());
        ui.horizontal(|ui| {
            super::files::path_row(
                ui,
                "名单文件",
                &mut self.list_path,
                "CSV 或 XLSX",
                300.0,
                super::files::Browse::Open("名单文件", &["csv", "xlsx"]),
                true,
            );
            field(
                ui,
                "名单截至",
                &mut self.list_as_of,
                160.0,
                Some("YYYY-MM-DD（文件未写明时）"),
            );
            if ui
                .add_enabled(self.listing.is_none(), egui::Button::new("导入名单"))
                .clicked()
            {
                self.import_list(desk);
            }
        });
        progress_ui(ui, &self.listing, "正在导入名单…");
        if self.snapshots.is_empty() {
            ui.label("尚未导入平台名单：T-1(c) 只能依据申请人的信用报告认定");
        }
        egui::Grid::new("platform_lists")
            .striped(true)
            .show(ui, |ui| {
                for s in &self.snapshots {
                    ui.label(format!("截至 {}", s.as_of));
                    ui.label(format!("{} 条", s.entries));
                    ui.label(&s.file_name);
                    ui.label(format!("{} 导入（{}）", s.imported_at, s.staff_no));
                    ui.end_row();
                }
            });
    }

    fn import_list(&mut self, desk: &mut Desk) {
        let as_of = match self.list_as_of.trim() {
            "" => None,
            t => match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    self.message = Some((false, format!("名单截至日期“{t}”应写成 2026-11-30")));
                    return;
                }
            },
        };
        let path = PathBuf::from(self.list_path.trim());
        let p2 = path.clone();
        match spawn(desk, move |d, p| d.import_list_snapshot(&p2, as_of, p)) {
            Ok(Some(job)) => self.listing = Some(job),
            Ok(None) => {
                let r = desk.import_list_snapshot(&path, as_of, &Progress::new());
                self.message = Some(match r {
                    Ok(s) => (true, format!("已导入名单：{} 条", s.entries)),
                    Err(e) => (false, e.to_string()),
                });
                self.reload(desk);
            }
            Err(e) => self.message = Some((false, e)),
        }
    }

    fn publish_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.label(
            RichText::new("信用承诺公示（规则 E-3：仅可向社会公开的承诺，个人证件号码遮蔽）")
                .strong(),
        );
        ui.horizontal(|ui| {
            super::files::path_row(
                ui,
                "公示文件",
                &mut self.publish_path,
                "",
                360.0,
                super::files::Browse::Save("信用承诺公示.xlsx", &["xlsx", "csv"]),
                true,
            );
            if ui.button("生成公示文件").clicked() {
                let path = PathBuf::from(self.publish_path.trim());
                let format = if path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
                {
                    BatchFormat::CsvBom
                } else {
                    BatchFormat::Xlsx
                };
                let r = desk.publish_commitments(&path, format, &Progress::new());
                self.message = Some(match r {
                    Ok(n) => (true, format!("已生成公示文件 {}：{n} 条", path.display())),
                    Err(e) => (false, e.to_string()),
                });
            }
        });
    }
}
