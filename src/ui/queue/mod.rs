//! The 待办 page: the 信易电 cases that need work (rule C-2). Tabs (30/60/90 days, 逾期,
//! 待认定, 待接电, 全部在办), filters by hall, clerk and park, a sortable virtualised table with
//! the phone to call; supervisors decide 违诺 (D-4) or extend from it, clerks read it.
//!
//! With 100,000 open cases (issue 8) the page never holds a whole tab: it keeps the tab's count
//! and a window of [`WINDOW`] rows around what is on screen, sorted and cut by the database, and
//! fetches another window when the table scrolls out of it. The XLSX export runs on a worker
//! thread with a progress bar and 取消.

use chrono::NaiveDate;
use egui::RichText;

mod decision;
mod export;
mod paging;
mod table;

use decision::DecisionForm;
use export::{ExportJob, default_export_path};
use paging::Prefetcher;

use super::Command;
use super::dashboard::Dashboard;
use super::forms::ERROR_COLOR;
use crate::desk::{Desk, QueueFilters};
use crate::domain::case::{QueueCounts, QueueQuery, QueueRow, QueueSort, QueueTab};
use crate::domain::operator::Action;

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
    /// The 修复申请 or 异议申诉 tab when one is chosen (issue 19: their own tabs), with its
    /// counts of open items.
    credit: Option<super::credit_page::CreditPanel>,
    credit_counts: (usize, usize),
    credit_attention: u64,
    /// Name, code or 用户编号 typed into 查找.
    search: String,
    /// Operators' names by 工号 (柜员 column).
    staff: std::collections::HashMap<String, String>,
    /// A subject to open (double click, the name's link, or Enter on the selected row).
    open: Option<crate::domain::subject::SubjectId>,
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
            credit: None,
            credit_counts: (0, 0),
            credit_attention: 0,
            search: String::new(),
            staff: desk.staff_names().unwrap_or_default(),
            open: None,
        };
        p.reload(desk);
        if desk.may(Action::DecideCase) && p.counts.awaiting_decision > 0 {
            p.tab = QueueTab::AwaitingDecision;
            p.reload(desk);
        }
        p
    }

    /// What the navigation label counts: cases needing attention plus repairs and objections
    /// due soon or overdue.
    pub fn attention(&self) -> u64 {
        self.counts.attention() + self.credit_attention
    }

    /// The counts of the tabs.
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
            search: Some(self.search.trim().to_string()).filter(|s| !s.is_empty()),
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
                if let Ok((r, o)) = desk.credit_queue() {
                    self.credit_counts = (r.len(), o.len());
                }
                self.credit_attention = super::credit_attention(desk);
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

    /// The tab shown (the window remembers it between visits).
    pub fn tab(&self) -> QueueTab {
        self.tab
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
        if let Some(panel) = &mut self.credit {
            ui.separator();
            let command = panel.ui(ui, desk);
            if command.is_some() {
                self.credit_counts = desk
                    .credit_queue()
                    .map(|(r, o)| (r.len(), o.len()))
                    .unwrap_or(self.credit_counts);
            }
            return command;
        }
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
        ui.label(format!("共 {} 件（双击一行或回车打开该主体）", self.total));
        // At 1024 px the columns are wider than the window: the table scrolls sideways so that
        // 延期 and 认定违诺 stay reachable (issue 15, point 1).
        let asked = egui::ScrollArea::horizontal()
            .id_salt("queue_table")
            .show(ui, |ui| self.table_ui(ui, desk, may_decide))
            .inner;
        if let Some((i, kind)) = asked
            && let Some(r) = self.row(i)
        {
            self.form = Some(DecisionForm {
                case: r.case_id,
                subject: r.subject_name.clone(),
                kind,
                reason: String::new(),
                liability: String::new(),
                until: String::new(),
                keys: crate::ui::forms::FormKeys::new(),
            });
        }
        // Enter on the selected row opens its subject (the table has the keyboard when no
        // text box does).
        if self.form.is_none()
            && !ui.ctx().egui_wants_keyboard_input()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && let Some(r) = self.selected.and_then(|i| self.row(i))
        {
            self.open = Some(r.subject_id);
        }
        if let Some(id) = self.open.take() {
            return Some(Command::OpenSubject(id));
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
                let on = self.credit.is_none() && self.tab == tab;
                if ui.selectable_label(on, caption).clicked() && !on {
                    self.credit = None;
                    self.show_tab(tab, desk);
                }
            }
            ui.separator();
            use super::credit_page::{CreditKind, CreditPanel};
            for (kind, n) in [
                (CreditKind::Repairs, self.credit_counts.0),
                (CreditKind::Objections, self.credit_counts.1),
            ] {
                let on = self.credit.as_ref().is_some_and(|c| c.kind() == kind);
                if ui
                    .selectable_label(on, format!("{} ({n})", kind.label()))
                    .clicked()
                    && !on
                {
                    self.credit = Some(CreditPanel::new(kind, true, desk));
                }
            }
        });
    }

    fn filters_ui(&mut self, ui: &mut egui::Ui, desk: &Desk) {
        let before = (self.hall.clone(), self.clerk.clone(), self.park);
        let mut searched = false;
        ui.horizontal(|ui| {
            let l = ui.label("查找");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.search)
                        .hint_text("名称、代码或用户编号，回车")
                        .desired_width(200.0),
                )
                .labelled_by(l.id);
            searched = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
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
        if searched || before != (self.hall.clone(), self.clerk.clone(), self.park) {
            self.reload(desk);
        }
    }
}
