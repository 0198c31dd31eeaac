//! The 待办 page: the 信易电 cases that need work (rule C-2). Tabs (30/60/90 days, 逾期,
//! 待认定, 待接电, 全部在办), filters by hall, clerk and park, a sortable virtualised table with
//! the phone to call; supervisors decide 违诺 (D-4) or extend from it, clerks read it.
//!
//! With 100,000 open cases (issue 8) the page never holds a whole tab: it keeps the tab's count
//! and a window of [`WINDOW`] rows around what is on screen, sorted and cut by the database, and
//! fetches another window when the table scrolls out of it. The XLSX export runs on a worker
//! thread with a progress bar and 取消.

use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use chrono::NaiveDate;
use egui::{Color32, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::Command;
use super::dashboard::Dashboard;
use super::forms::ERROR_COLOR;
use super::saving;
use crate::desk::{Desk, DeskError, Progress, QueueFilters};
use crate::domain::case::{
    CaseId, CaseState, QueueCounts, QueueQuery, QueueRow, QueueSort, QueueTab,
};
use crate::domain::operator::Action;
use crate::domain::text::parse_date;

/// Rows fetched at a time around the visible ones: a table screen shows about 30, so a window
/// lasts several screens of scrolling and costs a few milliseconds to fetch.
pub const WINDOW: usize = 500;

/// When the visible rows come this close to an edge of the window, the next window is read
/// ahead on the prefetch thread.
const MARGIN: usize = 150;

/// The tabs, in order.
pub const TABS: [QueueTab; 7] = [
    QueueTab::DueWithin(30),
    QueueTab::DueWithin(60),
    QueueTab::DueWithin(90),
    QueueTab::Overdue,
    QueueTab::AwaitingDecision,
    QueueTab::AwaitingConnection,
    QueueTab::AllOpen,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DecisionKind {
    Breach,
    Extend,
}

/// A supervisor's decision being filled in for one case.
#[derive(Debug, Clone)]
struct DecisionForm {
    case: CaseId,
    subject: String,
    kind: DecisionKind,
    reason: String,
    liability: String,
    until: String,
    error: Option<String>,
}

/// An export running on a worker thread.
struct ExportJob {
    handle: JoinHandle<Result<usize, DeskError>>,
    progress: Progress,
    path: PathBuf,
}

/// A window asked for: (generation, query, first row).
type WindowRequest = (u64, QueueQuery, usize);
/// A window read: (generation, first row, rows).
type WindowReply = (u64, usize, Result<Vec<QueueRow>, DeskError>);

/// A thread with its own connection that reads the next window while the table scrolls, so
/// that wheel scrolling rarely waits for the database. It ends with the page (its channel
/// closes).
struct Prefetcher {
    requests: mpsc::Sender<WindowRequest>,
    replies: mpsc::Receiver<WindowReply>,
    pending: bool,
}

impl Prefetcher {
    /// `None` for a database without a second connection (tests): windows are read in place.
    fn start(desk: &Desk) -> Option<Self> {
        let worker = desk.worker_desk().ok()??;
        let (requests, inbox) = mpsc::channel::<WindowRequest>();
        let (outbox, replies) = mpsc::channel();
        std::thread::Builder::new()
            .name("xinyidian-queue".into())
            .spawn(move || {
                while let Ok(mut req) = inbox.recv() {
                    // Only the latest request matters.
                    while let Ok(newer) = inbox.try_recv() {
                        req = newer;
                    }
                    let (generation, q, start) = req;
                    let rows = worker.case_queue_window(&q, start as u64, WINDOW as u64);
                    if outbox.send((generation, start, rows)).is_err() {
                        break;
                    }
                }
            })
            .ok()?;
        Some(Self {
            requests,
            replies,
            pending: false,
        })
    }
}

/// The 待办 page.
pub struct QueuePage {
    tab: QueueTab,
    hall: Option<String>,
    clerk: Option<String>,
    park: Option<i64>,
    sort: QueueSort,
    descending: bool,
    /// Cases in the tab with its filters.
    total: usize,
    /// The cached window: rows `start .. start + rows.len()` of the tab in its sort order.
    start: usize,
    rows: Vec<QueueRow>,
    counts: QueueCounts,
    filters: QueueFilters,
    today: NaiveDate,
    selected: Option<usize>,
    form: Option<DecisionForm>,
    dashboard: Option<Dashboard>,
    export_path: String,
    export: Option<ExportJob>,
    /// A row the table should scroll to on the next frame.
    scroll_to: Option<usize>,
    prefetch: Option<Prefetcher>,
    /// Bumped whenever the rows may have changed (reload, another sort): older prefetched
    /// windows are dropped.
    generation: u64,
    /// The rows on screen in the last frame.
    visible: (usize, usize),
    error: Option<String>,
}

fn default_export_path(today: NaiveDate) -> String {
    let dir = directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(|d| d.to_path_buf()))
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("信易电待办-{today}.xlsx"))
        .display()
        .to_string()
}

impl QueuePage {
    /// Open the page on the 30-day tab (or 待认定 for supervisors when something awaits them).
    pub fn load(desk: &Desk) -> Self {
        let today = desk.today();
        let mut p = Self {
            tab: QueueTab::DueWithin(30),
            hall: None,
            clerk: None,
            park: None,
            sort: QueueSort::Deadline,
            descending: false,
            total: 0,
            start: 0,
            rows: Vec::new(),
            counts: QueueCounts::default(),
            filters: QueueFilters::default(),
            today,
            selected: None,
            form: None,
            dashboard: None,
            export_path: default_export_path(today),
            export: None,
            scroll_to: None,
            prefetch: Prefetcher::start(desk),
            generation: 0,
            visible: (0, 0),
            error: None,
        };
        p.reload(desk);
        if desk.may(Action::DecideCase) && p.counts.awaiting_decision > 0 {
            p.tab = QueueTab::AwaitingDecision;
            p.reload(desk);
        }
        p
    }

    /// The counts of the tabs (the navigation label shows [`QueueCounts::attention`]).
    pub fn counts(&self) -> QueueCounts {
        self.counts
    }

    fn query(&self) -> QueueQuery {
        QueueQuery {
            hall: self.hall.clone(),
            clerk: self.clerk.clone(),
            park_id: self.park,
            sort: self.sort,
            descending: self.descending,
            ..QueueQuery::new(self.tab, self.today)
        }
    }

    /// Cases in the current tab with its filters.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Row `i` of the tab, when it is in the cached window.
    pub fn row(&self, i: usize) -> Option<&QueueRow> {
        self.rows.get(i.checked_sub(self.start)?)
    }

    /// Read the count, the first window, the tab counts and the filter choices again.
    pub fn reload(&mut self, desk: &Desk) {
        self.today = desk.today();
        let q = self.query();
        let result = desk.case_queue_count(&q).and_then(|total| {
            Ok((
                total,
                desk.case_queue_window(&q, 0, WINDOW as u64)?,
                desk.case_counts()?,
                desk.queue_filters()?,
            ))
        });
        self.generation += 1;
        match result {
            Ok((total, rows, counts, filters)) => {
                self.total = usize::try_from(total).unwrap_or(usize::MAX);
                self.start = 0;
                self.rows = rows;
                self.counts = counts;
                self.filters = filters;
                self.selected = None;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Fetch the window holding row `i` (half of it before `i`, so that scrolling either way
    /// stays inside it for a while). Returns false, with the error shown, when it failed.
    fn fetch_around(&mut self, desk: &Desk, i: usize) -> bool {
        let start = i.saturating_sub(WINDOW / 2);
        match desk.case_queue_window(&self.query(), start as u64, WINDOW as u64) {
            Ok(rows) => {
                self.start = start;
                self.rows = rows;
                true
            }
            Err(e) => {
                self.error = Some(e.to_string());
                false
            }
        }
    }

    /// Take a window read ahead, when it is of the current rows and holds what is on screen;
    /// ask for one when the screen nears an edge of the window or left it (a jump: the rows
    /// show as “…” for the frame or two the read takes, the frame itself never waits).
    fn prefetch_ui(&mut self, ui: &egui::Ui) {
        let q = self.query();
        let Some(p) = &mut self.prefetch else {
            return;
        };
        while let Ok((generation, start, rows)) = p.replies.try_recv() {
            p.pending = false;
            let (lo, hi) = self.visible;
            if let Ok(rows) = rows
                && generation == self.generation
                && start <= lo
                && hi < start + rows.len()
            {
                self.start = start;
                self.rows = rows;
            }
        }
        let (lo, hi) = self.visible;
        let end = self.start + self.rows.len();
        let near_end = hi + MARGIN >= end && end < self.total;
        let near_start = lo < self.start + MARGIN && self.start > 0;
        let missing = lo < self.start || hi >= end;
        if missing || ((near_end || near_start) && !p.pending) {
            let start = ((lo + hi) / 2).saturating_sub(WINDOW / 2);
            p.pending = p.requests.send((self.generation, q, start)).is_ok();
        }
        if p.pending {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(30));
        }
    }

    /// Start the export of the current tab on a worker thread (on this thread for a database
    /// without a second connection: tests).
    fn start_export(&mut self, desk: &mut Desk) -> Option<Command> {
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
    fn poll_export(&mut self, ui: &egui::Ui) -> Option<Command> {
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

    /// Switch to `tab` and read it.
    pub fn show_tab(&mut self, tab: QueueTab, desk: &Desk) {
        self.tab = tab;
        self.reload(desk);
    }

    /// Scroll the table to row `i` of the tab on the next frame (its window is fetched then).
    pub fn scroll_to_row(&mut self, i: usize) {
        self.scroll_to = Some(i);
    }

    /// Whether an export is running.
    pub fn is_exporting(&self) -> bool {
        self.export.is_some()
    }

    /// Draw the page; returns a notice for the status line after an action.
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let mut notice = None;
        let may_decide = desk.may(Action::DecideCase);
        let may_export = desk.may(Action::ExportLists);
        ui.horizontal(|ui| {
            ui.heading("待办：信易电补证");
            ui.label(
                RichText::new(if may_decide {
                    "接电后一年内补交物业权属证明（C-2）；逾期由班长认定违诺（D-4）或批准延期"
                } else {
                    "只读：认定违诺与延期由班长办理"
                })
                .weak(),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let label = if self.dashboard.is_some() {
                    "返回待办"
                } else {
                    "统计图表"
                };
                if ui.button(label).clicked() {
                    self.dashboard = match self.dashboard {
                        Some(_) => None,
                        None => match desk.case_stats() {
                            Ok(s) => Some(Dashboard::new(s)),
                            Err(e) => {
                                self.error = Some(e.to_string());
                                None
                            }
                        },
                    };
                }
                if ui.button("刷新").clicked() {
                    self.reload(desk);
                }
            });
        });
        if let Some(d) = &mut self.dashboard {
            d.ui(ui);
            return None;
        }
        self.tabs_ui(ui, desk);
        self.filters_ui(ui, desk);
        if let Some(n) = self.poll_export(ui) {
            notice = Some(n);
        }
        if may_export {
            ui.horizontal(|ui| {
                let label = ui.label("导出到");
                ui.add_enabled(
                    self.export.is_none(),
                    egui::TextEdit::singleline(&mut self.export_path).desired_width(420.0),
                )
                .labelled_by(label.id);
                match &self.export {
                    Some(job) => {
                        let (done, steps) = job.progress.get();
                        let what = if done * 2 < steps { "读取" } else { "写入" };
                        ui.add(
                            egui::ProgressBar::new(job.progress.fraction())
                                .desired_width(200.0)
                                .text(format!("正在导出（{what}）…")),
                        );
                        if ui.button("取消").clicked() {
                            job.progress.cancel();
                        }
                    }
                    None => {
                        if ui.button("导出 XLSX").clicked()
                            && let Some(n) = self.start_export(desk)
                        {
                            notice = Some(n);
                        }
                    }
                }
            });
        }
        if let Some(e) = &self.error {
            ui.colored_label(ERROR_COLOR, e);
        }
        if let Some(n) = self.form_ui(ui, desk) {
            notice = Some(n);
        }
        ui.separator();
        if self.total == 0 {
            ui.add_space(12.0);
            ui.label(format!("“{}”中没有案件。", self.tab.label()));
            return notice;
        }
        ui.label(format!("共 {} 件", self.total));
        if let Some((i, kind)) = self.table_ui(ui, desk, may_decide)
            && let Some(r) = self.row(i)
        {
            self.form = Some(DecisionForm {
                case: r.case_id,
                subject: r.subject_name.clone(),
                kind,
                reason: String::new(),
                liability: String::new(),
                until: String::new(),
                error: None,
            });
        }
        notice
    }

    fn tabs_ui(&mut self, ui: &mut egui::Ui, desk: &Desk) {
        ui.horizontal_wrapped(|ui| {
            for tab in TABS {
                let caption = match self.counts.of(tab) {
                    Some(n) => format!("{} ({n})", tab.label()),
                    None => tab.label(),
                };
                if ui.selectable_label(self.tab == tab, caption).clicked() && self.tab != tab {
                    self.show_tab(tab, desk);
                }
            }
        });
    }

    fn filters_ui(&mut self, ui: &mut egui::Ui, desk: &Desk) {
        let before = (self.hall.clone(), self.clerk.clone(), self.park);
        ui.horizontal(|ui| {
            let l = ui.label("营业厅");
            egui::ComboBox::from_id_salt("queue_hall")
                .selected_text(self.hall.as_deref().unwrap_or("全部"))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.hall, None, "全部");
                    for h in &self.filters.halls {
                        ui.selectable_value(&mut self.hall, Some(h.clone()), h);
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label("受理柜员");
            egui::ComboBox::from_id_salt("queue_clerk")
                .selected_text(self.clerk.as_deref().unwrap_or("全部"))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.clerk, None, "全部");
                    for c in &self.filters.clerks {
                        ui.selectable_value(&mut self.clerk, Some(c.clone()), c);
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label("园区");
            let park_name = self
                .park
                .and_then(|id| self.filters.parks.iter().find(|p| p.0 == id))
                .map_or("全部", |p| p.1.as_str())
                .to_string();
            egui::ComboBox::from_id_salt("queue_park")
                .selected_text(park_name)
                .width(260.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.park, None, "全部");
                    for (id, name) in &self.filters.parks {
                        ui.selectable_value(&mut self.park, Some(*id), name);
                    }
                })
                .response
                .labelled_by(l.id);
        });
        if before != (self.hall.clone(), self.clerk.clone(), self.park) {
            self.reload(desk);
        }
    }

    /// The supervisor's form for the case chosen in the table.
    fn form_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let form = self.form.as_mut()?;
        let mut done = None;
        let mut cancel = false;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            match form.kind {
                DecisionKind::Breach => {
                    ui.strong(format!("认定违诺：案件 {}（{}）", form.case, form.subject));
                    let l = ui.label("未履行的承诺内容（认定理由）");
                    ui.add(
                        egui::TextEdit::multiline(&mut form.reason)
                            .hint_text(crate::domain::case::DEFAULT_UNFULFILLED)
                            .desired_rows(2)
                            .desired_width(600.0),
                    )
                    .labelled_by(l.id);
                    let l = ui.label("违诺责任追究内容（可不填：记入失信记录并推送共享平台）");
                    ui.add(egui::TextEdit::singleline(&mut form.liability).desired_width(600.0))
                        .labelled_by(l.id);
                }
                DecisionKind::Extend => {
                    ui.strong(format!("批准延期：案件 {}（{}）", form.case, form.subject));
                    let l = ui.label("新的补证期限");
                    ui.add(
                        egui::TextEdit::singleline(&mut form.until)
                            .hint_text("YYYY-MM-DD")
                            .desired_width(140.0),
                    )
                    .labelled_by(l.id);
                    let l = ui.label("延期理由");
                    ui.add(egui::TextEdit::singleline(&mut form.reason).desired_width(600.0))
                        .labelled_by(l.id);
                }
            }
            if let Some(e) = &form.error {
                ui.colored_label(ERROR_COLOR, e);
            }
            ui.horizontal(|ui| {
                let confirm = match form.kind {
                    DecisionKind::Breach => "确认认定违诺",
                    DecisionKind::Extend => "确认延期",
                };
                let asked = ui.button(confirm).clicked();
                let result = match form.kind {
                    DecisionKind::Breach => saving::save(ui, "decide_breach", asked, || {
                        desk.decide_breach(form.case, &form.reason, &form.liability)
                            .map(|c| format!("已认定案件 {} 违诺（D-4）", c.id))
                    }),
                    DecisionKind::Extend => {
                        let until = parse_date(&form.until).map_err(|e| {
                            crate::desk::DeskError::InvalidDate {
                                field: "新的补证期限",
                                reason: e.to_string(),
                            }
                        });
                        saving::save_parsed(ui, "extend_case", asked, until, |until| {
                            desk.extend_case(form.case, until, &form.reason)
                                .map(|c| format!("案件 {} 的补证期限已延至 {until}", c.id))
                        })
                    }
                };
                match result {
                    Some(Ok(msg)) => done = Some(msg),
                    Some(Err(e)) => form.error = Some(e.to_string()),
                    None => {}
                }
                if ui.button("取消").clicked() {
                    cancel = true;
                }
            });
        });
        if cancel {
            self.form = None;
        }
        let msg = done?;
        self.form = None;
        self.reload(desk);
        Some(Command::info(msg))
    }

    /// The table; returns a row and the decision a supervisor asked for on it.
    fn table_ui(
        &mut self,
        ui: &mut egui::Ui,
        desk: &Desk,
        may_decide: bool,
    ) -> Option<(usize, DecisionKind)> {
        let mut asked = None;
        let mut resort = None;
        // One failed fetch per frame is enough (the error is shown; no retry per row).
        let mut fetch_failed = false;
        let mut shown: Option<(usize, usize)> = None;
        let today = self.today;
        ui.style_mut().interaction.selectable_labels = false;
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
        let headers: [(&str, Option<QueueSort>); 11] = [
            ("案件", None),
            ("状态", None),
            ("补证期限", Some(QueueSort::Deadline)),
            ("剩余天数", None),
            ("主体", Some(QueueSort::Subject)),
            ("联系电话", None),
            ("用户编号", None),
            ("受理日期", Some(QueueSort::Applied)),
            ("营业厅", Some(QueueSort::Hall)),
            ("柜员", Some(QueueSort::Clerk)),
            ("操作", None),
        ];
        let mut table = TableBuilder::new(ui);
        if let Some(i) = self.scroll_to.take() {
            table = table.scroll_to_row(i, Some(egui::Align::TOP));
        }
        table
            .striped(true)
            .sense(Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(56.0))
            .column(Column::exact(56.0))
            .column(Column::exact(96.0))
            .column(Column::exact(72.0))
            .column(Column::initial(180.0).at_least(120.0).clip(true))
            .column(Column::exact(120.0))
            .column(Column::exact(110.0))
            .column(Column::exact(96.0))
            .column(Column::initial(84.0).clip(true))
            .column(Column::exact(60.0))
            .column(Column::remainder().at_least(150.0))
            .header(row_height, |mut h| {
                for (title, sort) in headers {
                    h.col(|ui| match sort {
                        Some(s) => {
                            let arrow = match (self.sort == s, self.descending) {
                                (true, false) => " ▲",
                                (true, true) => " ▼",
                                _ => "",
                            };
                            if ui
                                .add(
                                    egui::Button::new(
                                        RichText::new(format!("{title}{arrow}")).strong(),
                                    )
                                    .frame(false),
                                )
                                .clicked()
                            {
                                resort = Some(s);
                            }
                        }
                        None => {
                            ui.strong(title);
                        }
                    });
                }
            })
            .body(|body| {
                // Virtualised: only the visible rows are laid out, and only they need to be
                // in the window.
                body.rows(row_height, self.total, |mut row| {
                    let i = row.index();
                    shown = Some(shown.map_or((i, i), |(lo, hi)| (lo.min(i), hi.max(i))));
                    // Without a prefetch thread (no second connection) the window is read here.
                    if self.row(i).is_none() && !fetch_failed && self.prefetch.is_none() {
                        fetch_failed = !self.fetch_around(desk, i);
                    }
                    let Some(r) = self.row(i) else {
                        row.col(|ui| {
                            ui.weak("…");
                        });
                        return;
                    };
                    row.set_selected(self.selected == Some(i));
                    let state = r.state(today);
                    row.col(|ui| {
                        ui.label(r.case_id.to_string());
                    });
                    row.col(|ui| {
                        let color = match state {
                            CaseState::Overdue | CaseState::Broken => ERROR_COLOR,
                            CaseState::Accepted => Color32::GRAY,
                            _ => Color32::from_rgb(0, 90, 160),
                        };
                        ui.label(RichText::new(state.label()).color(color));
                    });
                    row.col(|ui| {
                        ui.label(r.deadline.map(|d| d.to_string()).unwrap_or_default());
                    });
                    row.col(|ui| {
                        if let Some(n) = r.days_left(today).filter(|_| state != CaseState::Broken) {
                            let text = if n < 0 {
                                RichText::new(format!("逾期 {} 天", -n)).color(ERROR_COLOR)
                            } else {
                                RichText::new(format!("{n} 天"))
                            };
                            ui.label(text);
                        }
                    });
                    row.col(|ui| {
                        ui.label(&r.subject_name);
                    });
                    row.col(|ui| {
                        ui.label(&r.phone);
                    });
                    row.col(|ui| {
                        ui.label(&r.account_no);
                    });
                    row.col(|ui| {
                        ui.label(r.applied_on.to_string());
                    });
                    row.col(|ui| {
                        ui.label(&r.hall);
                    });
                    row.col(|ui| {
                        ui.label(&r.opened_by);
                    });
                    row.col(|ui| {
                        if may_decide && r.status == crate::domain::case::CaseStatus::Connected {
                            if state == CaseState::Overdue && ui.button("认定违诺").clicked() {
                                asked = Some((i, DecisionKind::Breach));
                            }
                            if ui.button("延期").clicked() {
                                asked = Some((i, DecisionKind::Extend));
                            }
                        }
                    });
                    if row.response().clicked() {
                        self.selected = Some(i);
                    }
                });
            });
        if let Some(s) = resort {
            if self.sort == s {
                self.descending = !self.descending;
            } else {
                self.sort = s;
                self.descending = false;
            }
            // Sorted by the database (with LIMIT, so only the window is materialised): the
            // window is read again where the table is.
            self.selected = None;
            self.generation += 1;
            let at = self.start + WINDOW / 2;
            self.fetch_around(desk, at);
        }
        if let Some(v) = shown {
            self.visible = v;
        }
        self.prefetch_ui(ui);
        if let Some((i, _)) = asked {
            self.selected = Some(i);
        }
        asked
    }

    /// The table alone, read-only (benchmarks).
    pub fn table_only_ui(&mut self, ui: &mut egui::Ui, desk: &Desk) {
        self.table_ui(ui, desk, false);
    }
}

fn export_notice(r: Result<usize, DeskError>, path: &std::path::Path) -> Command {
    match r {
        Ok(n) => Command::info(format!("已导出 {n} 件：{}", path.display())),
        Err(e) => Command::error(e.to_string()),
    }
}
