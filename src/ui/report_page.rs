//! The credit report in the window (rules T-3, T-4): the subject page's list of reports with the
//! 导入信用报告 button ([`ReportsPanel`]), and one report's own page ([`ReportPage`]): the facts,
//! the adverse entries with their dates, a freshness badge and 打开原件.
//!
//! Reading and parsing a PDF runs on a worker thread (a bounded few hundred milliseconds, but the
//! window must not freeze); the result comes back over a channel and is stored by the desk.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};

use chrono::NaiveDate;
use egui::{Color32, RichText};

use super::Command;
use super::forms::{ERROR_COLOR, OK_COLOR};
use super::report_form::{ReportForm, ReportFormOutcome};
use super::saving::{self, Queued};
use crate::desk::{
    Desk, DeskError, HandAdverse, HandFacts, PreparedReport, ReportId, ReportImport, ReportView,
};
use crate::domain::report::{AdverseKind, Freshness, ReportFact};
use crate::domain::subject::SubjectId;
use crate::domain::text::parse_date;

/// The freshness badge of a report on `today` (rule T-3): text and colour.
pub fn badge(view: &ReportView, today: NaiveDate, max_age: u32) -> (&'static str, Color32) {
    match view.freshness(today, max_age) {
        Some(Freshness::Fresh { .. }) => ("有效", OK_COLOR),
        Some(Freshness::Stale { .. }) => ("已过期", ERROR_COLOR),
        Some(Freshness::FutureDated { .. }) => ("日期有误", ERROR_COLOR),
        None => ("日期未知", ERROR_COLOR),
    }
}

fn badge_ui(ui: &mut egui::Ui, text: &str, color: Color32) {
    egui::Frame::new()
        .fill(color)
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 2))
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(Color32::WHITE).strong());
        });
}

/// A file being read on the worker thread.
struct Pending {
    file_name: String,
    rx: Receiver<Result<PreparedReport, DeskError>>,
}

/// The subject page's 信用报告 section: the list, the import button, the worker, the hand-entry
/// form.
pub struct ReportsPanel {
    subject: SubjectId,
    reports: Option<Vec<ReportView>>,
    max_age: u32,
    pending: Option<Pending>,
    /// A read report whose save waits for the database.
    saving: Queued<PreparedReport>,
    form: Option<Box<ReportForm>>,
    error: Option<String>,
    /// The report file as typed or chosen with 浏览… (issue 15, point 2: a path box where no
    /// file dialog opens).
    path: String,
}

impl ReportsPanel {
    /// The section for `subject`; the list loads on first draw.
    pub fn new(subject: SubjectId) -> Self {
        Self {
            subject,
            reports: None,
            max_age: crate::desk::REPORT_MAX_AGE_DEFAULT,
            pending: None,
            saving: Queued::default(),
            form: None,
            error: None,
            path: String::new(),
        }
    }

    /// A file is being read or the hand-entry form is open (Esc belongs to the panel then).
    pub fn is_busy(&self) -> bool {
        self.pending.is_some() || self.saving.is_some() || self.form.is_some()
    }

    /// Read and parse `path` on a worker thread; the result is imported when it arrives (a
    /// dropped file, or the file dialog's choice).
    pub fn start_import(&mut self, path: PathBuf) {
        let (tx, rx) = std::sync::mpsc::channel();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::thread::spawn(move || {
            // The receiver may be gone (cancelled): nothing to do then.
            let _ = tx.send(PreparedReport::from_path(&path));
        });
        self.error = None;
        self.form = None;
        self.pending = Some(Pending { file_name, rx });
    }

    fn reload(&mut self, desk: &Desk) {
        match desk.reports_of(self.subject) {
            Ok(r) => self.reports = Some(r),
            Err(e) => {
                self.reports = Some(Vec::new());
                self.error = Some(e.to_string());
            }
        }
        self.max_age = desk
            .report_max_age_days()
            .unwrap_or(crate::desk::REPORT_MAX_AGE_DEFAULT);
    }

    fn imported(&mut self, desk: &Desk, outcome: &ReportImport) -> Option<Command> {
        self.reload(desk);
        let msg = outcome.message();
        match outcome {
            // A stale report is saved but needs a fresh one: shown as a warning.
            ReportImport::Stored { advice, .. } => Some(if advice.is_some() {
                Command::error(msg)
            } else {
                Command::info(msg)
            }),
            ReportImport::AlreadyImported { .. } => Some(Command::info(msg)),
            ReportImport::NeedsHandEntry(_) => None,
        }
    }

    fn poll(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let mut fresh = None;
        if let Some(pending) = self.pending.as_ref() {
            let got = match pending.rx.try_recv() {
                Ok(r) => r,
                Err(TryRecvError::Empty) => {
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_millis(50));
                    return None;
                }
                Err(TryRecvError::Disconnected) => {
                    Err(DeskError::Internal("读取信用报告的后台任务意外中止".into()))
                }
            };
            self.pending = None;
            match got {
                Ok(prepared) => fresh = Some(prepared),
                Err(e) => {
                    let msg = e.to_string();
                    self.error = Some(msg.clone());
                    return Some(Command::error(msg));
                }
            }
        }
        // The parsed report is kept while its save waits for another window's import.
        let subject = self.subject;
        let (prepared, result) = self.saving.run(ui, "import_report", fresh, |prepared| {
            desk.import_prepared_report(subject, prepared)
        })?;
        match result.map(|o| (prepared, o)) {
            Ok((prepared, ReportImport::NeedsHandEntry(needed))) => {
                self.form = Some(Box::new(ReportForm::new(self.subject, prepared, *needed)));
                None
            }
            Ok((_, outcome)) => self.imported(desk, &outcome),
            Err(e) => {
                let msg = e.to_string();
                self.error = Some(msg.clone());
                Some(Command::error(msg))
            }
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        if self.reports.is_none() {
            self.reload(desk);
        }
        let mut action = self.poll(ui, desk);
        let today = desk.today();
        let count = self.reports.as_ref().map_or(0, Vec::len);
        ui.horizontal(|ui| {
            ui.strong(format!("信用报告（{count}）"));
            let may = desk.may(crate::domain::operator::Action::ImportReport);
            let idle = !self.is_busy();
            let row = super::files::path_row(
                ui,
                "报告文件",
                &mut self.path,
                "PDF 路径，或点“浏览…”选择，也可把文件拖到窗口上",
                320.0,
                super::files::Browse::Open("PDF 文件", &["pdf", "PDF"]),
                may && idle,
            );
            let ready = may && idle && !self.path.trim().is_empty();
            if ui
                .add_enabled(ready, egui::Button::new("导入信用报告"))
                .on_hover_text(
                    "申请人从信用中国、信用广东或信用湛江下载的 PDF；也可以把文件拖到窗口上",
                )
                .clicked()
                || (ready && row.enter)
            {
                let path = std::path::PathBuf::from(self.path.trim());
                self.error = None;
                self.start_import(path);
            }
        });
        if let Some(p) = &self.pending {
            let mut cancel = false;
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("正在读取“{}”……", p.file_name));
                cancel = ui.button("取消").clicked();
            });
            if cancel {
                self.pending = None;
            }
        }
        if let Some(e) = &self.error {
            ui.label(RichText::new(e).color(ERROR_COLOR));
        }
        if let Some(form) = &mut self.form {
            match form.ui(ui, desk) {
                ReportFormOutcome::Saved(outcome) => {
                    self.form = None;
                    action = self.imported(desk, &outcome);
                }
                ReportFormOutcome::Cancel => self.form = None,
                ReportFormOutcome::Nothing => {}
            }
            return action;
        }
        let reports = self.reports.as_deref().unwrap_or_default();
        if reports.is_empty() {
            ui.label(RichText::new("尚未导入信用报告").weak());
            return action;
        }
        egui::Grid::new("subject_reports")
            .num_columns(6)
            .striped(true)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for t in ["报告编号", "生成日期", "平台", "不良信息", "状态", ""] {
                    ui.strong(t);
                }
                ui.end_row();
                for v in reports {
                    ui.monospace(v.report.report_no.as_deref().unwrap_or("—"));
                    ui.label(
                        v.report
                            .generated_on()
                            .map_or_else(|| "—".into(), |d| d.to_string()),
                    );
                    ui.label(v.report.platform.label());
                    ui.label(format!("{} 条", v.report.adverse.len()));
                    let (text, color) = badge(v, today, self.max_age);
                    badge_ui(ui, text, color);
                    if ui
                        .link(format!("查看报告 {}", v.id))
                        .on_hover_text(&v.file_name)
                        .clicked()
                    {
                        action = Some(Command::OpenReport(v.id));
                    }
                    ui.end_row();
                }
            });
        action
    }
}

/// The 人工核对确认 section (rule T-4): entries the reader missed, typed from the paper.
#[derive(Default)]
struct Confirming {
    /// (kind, date as typed, title).
    rows: Vec<(AdverseKind, String, String)>,
    checked: bool,
    error: Option<String>,
}

impl Confirming {
    fn facts(&self) -> Result<HandFacts, String> {
        let mut adverse = Vec::new();
        for (i, (kind, date, title)) in self.rows.iter().enumerate() {
            let date = match date.trim() {
                "" => None,
                d => Some(
                    parse_date(d).map_err(|e| format!("第 {} 条补录的日期“{d}”：{e}", i + 1))?,
                ),
            };
            adverse.push(HandAdverse {
                kind: *kind,
                date,
                title: title.clone(),
            });
        }
        Ok(HandFacts {
            adverse,
            ..HandFacts::default()
        })
    }
}

/// One report's own page.
pub struct ReportPage {
    pub view: ReportView,
    max_age: u32,
    confirming: Confirming,
}

impl ReportPage {
    pub fn load(desk: &Desk, id: ReportId) -> Result<Self, DeskError> {
        Ok(Self {
            view: desk.report(id)?,
            max_age: desk.report_max_age_days()?,
            confirming: Confirming::default(),
        })
    }

    /// 人工核对确认: shown while the reader doubts the report and no clerk has confirmed it.
    fn confirm_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let r = &self.view.report;
        if let Some(c) = &r.confirmed {
            ui.label(
                RichText::new(format!(
                    "已由 {} 于 {} 对照原件人工核对确认（依据 T-4）",
                    c.operator,
                    c.at.format("%Y-%m-%d %H:%M")
                ))
                .color(OK_COLOR),
            );
            return None;
        }
        if r.open_doubts().is_empty() && r.unread_adverse_chapters().is_empty() {
            return None;
        }
        ui.add_space(8.0);
        ui.strong("人工核对确认（依据 T-4）");
        ui.label("程序读取时有疑问，核查规则 T-4 暂为待补充：请对照纸质报告核对第二、四、五、八、九章，补录漏读的不良信息（含日期）后确认。");
        for d in r.open_doubts() {
            ui.label(RichText::new(format!("· {d}")).color(ERROR_COLOR));
        }
        let c = &mut self.confirming;
        let mut remove = None;
        for (i, (kind, date, title)) in c.rows.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                let l = ui.label("类别");
                egui::ComboBox::from_id_salt(("confirm_kind", i))
                    .selected_text(kind.label())
                    .show_ui(ui, |ui| {
                        for k in AdverseKind::ALL {
                            ui.selectable_value(kind, k, k.label());
                        }
                    })
                    .response
                    .labelled_by(l.id);
                let l = ui.label("日期");
                ui.add(
                    egui::TextEdit::singleline(date)
                        .hint_text("如 2025-06-06")
                        .desired_width(110.0),
                )
                .labelled_by(l.id);
                let l = ui.label("文号或内容");
                ui.add(egui::TextEdit::singleline(title).desired_width(220.0))
                    .labelled_by(l.id);
                if ui.button("删除").clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            c.rows.remove(i);
        }
        if ui.button("补录一条不良信息").clicked() {
            c.rows
                .push((AdverseKind::DishonestExecutee, String::new(), String::new()));
        }
        ui.checkbox(
            &mut c.checked,
            "我已对照报告原件核对各章，不良信息以本页所列（含补录）为准",
        );
        let mut action = None;
        let asked = ui
            .add_enabled(c.checked, egui::Button::new("人工核对确认"))
            .clicked();
        let facts = c.facts();
        if asked && let Err(e) = &facts {
            c.error = Some(e.clone());
        }
        let id = self.view.id;
        let done = match &facts {
            Ok(f) => saving::save(ui, "confirm_report", asked, || {
                desk.confirm_report_by_hand(id, f)
            })
            .map(|r| r.map_err(|e| e.to_string())),
            Err(_) => None,
        };
        if let Some(done) = done {
            match done {
                Ok(view) => {
                    self.view = view;
                    self.confirming = Confirming::default();
                    action = Some(Command::info(
                        "已记录人工核对确认；请重新核查该主体".to_string(),
                    ));
                }
                Err(e) => self.confirming.error = Some(e),
            }
        }
        if let Some(e) = &self.confirming.error {
            ui.label(RichText::new(e).color(ERROR_COLOR));
        }
        action
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let mut action = None;
        let v = &self.view;
        let r = &v.report;
        let today = desk.today();
        ui.horizontal(|ui| {
            if ui.button("← 返回主体").clicked() {
                action = Some(Command::OpenSubject(v.subject_id));
            }
            ui.heading(format!(
                "信用报告 {}",
                r.report_no.as_deref().unwrap_or("（编号未读到）")
            ));
            let (text, color) = badge(v, today, self.max_age);
            badge_ui(ui, text, color);
            if ui
                .button("打开原件")
                .on_hover_text("用本机的 PDF 阅读器打开申请人提交的原始文件")
                .clicked()
            {
                let opened = desk
                    .original_path_for_viewing(v.id)
                    .map_err(|e| e.to_string())
                    .and_then(|p| {
                        opener::open(&p)
                            .map_err(|e| format!("无法打开原件（{e}）：文件在 {}", p.display()))
                    });
                if let Err(e) = opened {
                    action = Some(Command::error(e));
                }
            }
        });
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            action = Some(Command::OpenSubject(v.subject_id));
        }
        if let Some(f) = v.freshness(today, self.max_age) {
            let color = if f.is_fresh() { OK_COLOR } else { ERROR_COLOR };
            ui.label(RichText::new(f.explain(self.max_age)).color(color));
        }
        ui.separator();
        let mut confirmed = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            let v = &self.view;
            let r = &v.report;
            facts_ui(ui, v);
            ui.add_space(10.0);
            ui.separator();
            adverse_ui(ui, v);
            let unread = r.unread_adverse_chapters();
            if !unread.is_empty() {
                let names: Vec<&str> = unread.iter().map(|c| c.label()).collect();
                ui.label(
                    RichText::new(format!(
                        "未读到以下章节，请对照原件核对：{}（依据 T-4）",
                        names.join("、")
                    ))
                    .color(ERROR_COLOR),
                );
            }
            if !v.problems.is_empty() {
                ui.add_space(8.0);
                ui.strong("读取时的提示");
                for p in &v.problems {
                    ui.label(format!("· {p}"));
                }
            }
            confirmed = self.confirm_ui(ui, desk);
        });
        action.or(confirmed)
    }
}

fn facts_ui(ui: &mut egui::Ui, v: &ReportView) {
    let r = &v.report;
    let typed_by = |f: ReportFact| {
        r.hand_entered
            .iter()
            .rev()
            .find(|h| h.fact == f)
            .map(|h| format!("（{} 手工录入）", h.operator))
            .unwrap_or_default()
    };
    egui::Grid::new("report_facts")
        .num_columns(2)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            let mut row = |k: &str, value: String| {
                ui.label(RichText::new(k).weak());
                ui.label(value);
                ui.end_row();
            };
            for f in [
                ReportFact::ReportNo,
                ReportFact::GeneratedAt,
                ReportFact::Platform,
                ReportFact::IssuingUnit,
                ReportFact::Kind,
                ReportFact::SubjectName,
                ReportFact::SubjectCode,
            ] {
                let value = r.fact_text(f).unwrap_or_else(|| "未读到".into());
                row(f.label(), format!("{value}{}", typed_by(f)));
            }
            if let Some(lr) = &r.legal_rep {
                row("法定代表人/负责人", lr.clone());
            }
            if let Some(s) = &r.status {
                row("登记状态", s.clone());
            }
            if !r.tags.is_empty() {
                row("标签", r.tags.join("、"));
            }
            if r.summary.any_found() {
                let counts: Vec<String> = crate::domain::report::SummaryCounts::CATEGORIES
                    .iter()
                    .filter_map(|(name, ch)| r.summary.get(*ch).map(|n| format!("{name} {n} 条")))
                    .collect();
                row("信用信息概要", counts.join("，"));
            }
            row("原件", format!("{}（{} 字节）", v.file_name, v.size));
            row("SHA-256", v.sha256.clone());
            row(
                "导入",
                format!(
                    "{}（{}）于 {}，当时{}",
                    v.imported_by_name,
                    v.imported_by,
                    v.imported_at.format("%Y-%m-%d %H:%M"),
                    v.status_at_import.label()
                ),
            );
            if let Some(h) = &v.hand_entry {
                row(
                    "手工录入",
                    format!(
                        "{}（{}）：{}；不良信息 {} 条{}",
                        h.operator_name,
                        h.staff_no,
                        h.reason,
                        h.adverse_typed,
                        if h.chapters_confirmed {
                            "，已对照原件核对各章"
                        } else {
                            ""
                        }
                    ),
                );
            }
        });
}

fn adverse_ui(ui: &mut egui::Ui, v: &ReportView) {
    let entries = &v.report.adverse;
    ui.strong(format!("不良信息（{} 条）", entries.len()));
    if entries.is_empty() {
        ui.label("报告中没有不良信息");
        return;
    }
    egui::Grid::new("report_adverse")
        .num_columns(4)
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for t in ["类别", "位置", "日期", "内容"] {
                ui.strong(t);
            }
            ui.end_row();
            for e in entries {
                ui.label(e.kind.label());
                ui.label(format!("{}第 {} 条", e.chapter.label(), e.index));
                ui.label(match e.date {
                    Some(d) => format!("{} {}", d.label.label(), d.date),
                    None => "未读到日期".into(),
                });
                ui.label(&e.title);
                ui.end_row();
            }
        });
}
