//! The counter window (egui). Panels only: every action goes through [`crate::desk`], never to
//! the store.
//!
//! Layout: the search bar always on top, navigation on the left (查询, 待办, 导入, 导出, 设置),
//! the page in the middle, a status line at the bottom.

pub mod audit;
pub mod backup_panel;
pub mod case_panel;
pub mod command;
pub mod credit_page;
pub mod dashboard;
pub mod export_page;
pub mod files;
pub mod fonts;
pub mod forms;
pub mod gate;
pub mod help;
pub mod import_page;
pub mod letter_panel;
pub mod opening;
pub mod parks;
pub mod queue;
pub mod record_form;
pub mod records_tab;
pub mod report_form;
pub mod report_page;
pub mod results;
pub mod saving;
pub mod settings;
pub mod subject_page;
pub mod trust_panel;
pub mod trusted_page;

use std::time::Instant;

use chrono::NaiveDateTime;
use egui::{Color32, Key, RichText};

use crate::desk::Desk;
use crate::domain::operator::Action;
use crate::domain::subject::SubjectId;
use audit::AuditPage;
pub use command::Command;
use forms::{FormOutcome, SubjectForm};
use gate::{Gate, UnlockForm};
use import_page::ImportPage;
use queue::QueuePage;
use report_page::ReportPage;
use results::ResultsPanel;
use settings::SettingsPage;
use subject_page::SubjectPage;

/// How many hits a search shows at most; more means the fragment is too vague to read anyway.
pub const SEARCH_LIMIT: usize = 2000;
/// How many subjects the start page lists.
const RECENT_LIMIT: usize = 200;

/// A message on the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    /// A file just written (an export, a printed letter): the status line offers to open it
    /// and its folder (issue 15, point 8).
    pub file: Option<std::path::PathBuf>,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            error: false,
            file: None,
        }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            error: true,
            file: None,
        }
    }

    /// A file was written to `path`.
    pub fn saved(text: impl Into<String>, path: std::path::PathBuf) -> Self {
        Self {
            file: Some(path),
            ..Self::info(text)
        }
    }
}

/// The navigation entries of the left panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Search,
    Todo,
    Credit,
    Trusted,
    Import,
    Export,
    Audit,
    Settings,
}

impl Nav {
    fn label(self) -> &'static str {
        match self {
            Nav::Search => "查询",
            Nav::Todo => "待办",
            Nav::Credit => "修复异议",
            Nav::Trusted => "守信名单",
            Nav::Import => "导入",
            Nav::Export => "导出",
            Nav::Audit => "日志",
            Nav::Settings => "设置",
        }
    }
}

/// What the middle of the window shows.
enum Page {
    Results,
    NewSubject(SubjectForm),
    Subject(Box<SubjectPage>),
    Report(Box<ReportPage>),
    Settings(Box<SettingsPage>),
    Audit(AuditPage),
    Import,
    Export,
    Queue(Box<QueuePage>),
    Credit(Box<credit_page::CreditPage>),
    Trusted(Box<trusted_page::TrustedPage>),
}

/// The whole counter window.
pub struct CounterApp {
    desk: Desk,
    query: String,
    results: ResultsPanel,
    page: Page,
    notice: Option<Notice>,
    styled: bool,
    focus_search: bool,
    gate: Gate,
    /// When the clerk last touched the window (desk clock), for the idle lock.
    last_activity: NaiveDateTime,
    /// Kept while the clerk visits other pages, so a running import and its report survive.
    import: ImportPage,
    /// Kept like the import page: an export keeps running while the supervisor looks elsewhere.
    export: export_page::ExportPage,
    /// 信易电 cases needing attention (due within 30 days + awaiting a decision), for 待办 (n).
    todo_count: Option<u64>,
    /// The backup the schedule started (issue 20), and when the schedule was last looked at.
    backup_job: Option<backup_panel::Job>,
    backup_checked: Option<NaiveDateTime>,
    /// The 待办 tab last shown, shown again on the next visit (issue 15, point 5).
    queue_tab: Option<crate::domain::case::QueueTab>,
    /// F1's help window is open.
    help: bool,
}

/// What 待办 (n) counts: cases needing attention, and repairs and objections due within their
/// warning days or past their limits (rule X-3).
fn todo_count(desk: &Desk) -> Option<u64> {
    let cases = desk.case_counts().ok()?.attention();
    Some(cases + credit_attention(desk))
}

/// Repairs and objections due soon or overdue.
pub(crate) fn credit_attention(desk: &Desk) -> u64 {
    use crate::domain::credit::Urgency;
    desk.credit_queue()
        .map(|(r, o)| {
            r.iter()
                .chain(o.iter())
                .filter(|q| q.urgency != Urgency::InTime)
                .count() as u64
        })
        .unwrap_or(0)
}

impl CounterApp {
    pub fn new(mut desk: Desk) -> Self {
        // Saves on the window's thread never wait long for another window's import: they show
        // that they are waiting and retry (ui::saving).
        let lock_wait = desk.set_lock_wait(saving::UI_LOCK_WAIT);
        let gate = Gate::initial(&desk);
        let last_activity = desk.now();
        let todo_count = todo_count(&desk);
        let mut app = Self {
            desk,
            gate,
            last_activity,
            query: String::new(),
            results: ResultsPanel::default(),
            page: Page::Results,
            notice: None,
            styled: false,
            focus_search: true,
            import: ImportPage::default(),
            export: export_page::ExportPage::default(),
            todo_count,
            backup_job: None,
            backup_checked: None,
            queue_tab: None,
            help: false,
        };
        app.show_recent();
        if let Err(e) = lock_wait {
            app.notice = Some(Notice::error(e.to_string()));
        }
        app
    }

    /// The desk behind the window (tests inspect what was saved).
    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    fn show_recent(&mut self) {
        match self.desk.recent_subjects(RECENT_LIMIT) {
            Ok(rows) => self.results.set("最近办理".into(), rows, false),
            Err(e) => self.notice = Some(Notice::error(e.to_string())),
        }
        self.load_badges();
    }

    /// Rule T-7 badges for the rows on the results table.
    fn load_badges(&mut self) {
        match self.desk.trusted_among(&self.results.ids()) {
            Ok(t) => self.results.trusted = t,
            Err(e) => self.notice = Some(Notice::error(e.to_string())),
        }
    }

    fn search(&mut self) {
        let q = self.query.trim().to_string();
        if q.is_empty() {
            self.show_recent();
            self.page = Page::Results;
            return;
        }
        match self.desk.lookup(&q, SEARCH_LIMIT) {
            Ok(l) if l.exact && l.hits.len() == 1 => {
                let id = l.hits[0].id;
                self.results.set(format!("“{q}”"), l.hits, false);
                self.open_subject(id);
            }
            Ok(l) if l.hits.is_empty() => {
                // An 18-character code that found nothing is often mistyped: name the wrong
                // character instead of only "没有找到" (issue 15, point 6).
                let norm = crate::domain::id_codes::normalize(&q);
                let check = crate::domain::id_codes::check_code(&q, self.desk.today());
                let why = match &check.result {
                    Err(e) if norm.chars().count() == 18 => format!("：{e}"),
                    _ => String::new(),
                };
                self.results.set(format!("“{q}”的查询结果"), l.hits, false);
                self.page = Page::Results;
                self.notice = Some(if why.is_empty() {
                    Notice::info(format!(
                        "没有找到“{q}”：可点“新建主体”登记（代码会自动带入）"
                    ))
                } else {
                    Notice::error(format!("没有找到“{q}”{why}"))
                });
            }
            Ok(l) => {
                let truncated = l.hits.len() >= SEARCH_LIMIT;
                self.results
                    .set(format!("“{q}”的查询结果"), l.hits, truncated);
                self.load_badges();
                self.page = Page::Results;
            }
            Err(e) => self.notice = Some(Notice::error(e.to_string())),
        }
    }

    fn open_subject(&mut self, id: SubjectId) {
        match self.desk.subject(id) {
            Ok(s) => self.page = Page::Subject(Box::new(SubjectPage::new(s))),
            Err(e) => self.notice = Some(Notice::error(e.to_string())),
        }
    }

    /// Carry out what a panel asked for: the one place where one panel's outcome changes another
    /// part of the window.
    fn run(&mut self, command: Command) {
        match command {
            Command::Notice(n) => self.notice = Some(n),
            Command::OpenSubject(id) => self.open_subject(id),
            Command::OpenReport(id) => match ReportPage::load(&self.desk, id) {
                Ok(p) => self.page = Page::Report(Box::new(p)),
                Err(e) => self.notice = Some(Notice::error(e.to_string())),
            },
            Command::BackToResults => {
                self.page = Page::Results;
                self.focus_search = true;
            }
            Command::SignedIn => self.after_sign_in(),
            Command::Unlocked => {
                self.gate = Gate::Open;
                self.last_activity = self.desk.now();
            }
            Command::SignedOut => self.signed_out(),
        }
    }

    fn current_nav(&self) -> Nav {
        match self.page {
            Page::Settings(_) => Nav::Settings,
            Page::Audit(_) => Nav::Audit,
            Page::Import => Nav::Import,
            Page::Export => Nav::Export,
            Page::Queue(_) => Nav::Todo,
            Page::Credit(_) => Nav::Credit,
            Page::Trusted(_) => Nav::Trusted,
            _ => Nav::Search,
        }
    }

    /// Draw one frame of the whole window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if !self.styled {
            fonts::install(ui.ctx());
            self.styled = true;
        }
        self.idle_check(ui);
        let open = match &mut self.gate {
            Gate::Open => true,
            gate => {
                let desk = &mut self.desk;
                let command = egui::CentralPanel::default()
                    .show(ui, |ui| match gate {
                        Gate::Setup(form) => form.ui(ui, desk),
                        Gate::SignIn(form) => form.ui(ui, desk),
                        Gate::Locked(form) => form.ui(ui, desk),
                        Gate::Open => None,
                    })
                    .inner;
                if let Some(c) = command {
                    self.run(c);
                }
                false
            }
        };
        if open {
            self.scheduled_backup(false);
            self.shortcuts(ui);
            self.dropped_files(ui);
            self.search_bar_ui(ui);
            self.status_ui(ui);
            self.nav_ui(ui);
            egui::CentralPanel::default().show(ui, |ui| self.page_ui(ui));
            let page = self.page_name();
            help::window(ui.ctx(), &mut self.help, page);
        }
    }

    /// Lock the window after the idle time; any input counts as activity. Judged before this
    /// frame's input is used, so the key press that wakes an idle window does not reach a form.
    fn idle_check(&mut self, ui: &egui::Ui) {
        let now = self.desk.now();
        if matches!(self.gate, Gate::Open) {
            let minutes = i64::from(
                self.desk
                    .idle_lock_minutes()
                    .unwrap_or(crate::desk::IDLE_LOCK_DEFAULT),
            );
            if now - self.last_activity >= chrono::Duration::minutes(minutes) {
                self.gate = Gate::Locked(UnlockForm::default());
            }
            // Wake up now and then so the lock shows even when nobody touches the window.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(15));
        }
        if ui.input(|i| !i.events.is_empty() || i.pointer.any_down()) {
            self.last_activity = now;
        }
    }

    /// A file dropped on the window while a subject page is open is imported as that subject's
    /// credit report.
    fn dropped_files(&mut self, ui: &egui::Ui) {
        let dropped: Vec<std::path::PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        let Some(path) = dropped.into_iter().next() else {
            return;
        };
        match &mut self.page {
            Page::Subject(page) if self.desk.may(Action::ImportReport) => {
                page.reports.start_import(path);
            }
            _ => {
                self.notice = Some(Notice::error(
                    "请先打开要导入信用报告的主体，再把报告文件拖到窗口上",
                ))
            }
        }
    }

    fn after_sign_in(&mut self) {
        self.gate = Gate::Open;
        self.last_activity = self.desk.now();
        self.page = Page::Results;
        self.focus_search = true;
        self.show_recent();
        self.todo_count = todo_count(&self.desk);
        self.scheduled_backup(true);
        self.notice = self
            .desk
            .operator()
            .map(|o| Notice::info(format!("{} 已登录", o.display())));
    }

    /// Start the backup the schedule asks for, on a worker thread (at sign-in; and each minute
    /// for a backup at a time of day), and report it when it ends.
    fn scheduled_backup(&mut self, at_start: bool) {
        if let Some(job) = &self.backup_job {
            if let Some(r) = job.poll() {
                self.backup_job = None;
                self.notice = Some(match r {
                    Ok(m) if m.is_empty() => return,
                    Ok(m) => Notice::info(m),
                    Err(e) => Notice::error(format!("按计划自动备份失败：{e}")),
                });
            }
            return;
        }
        let now = self.desk.now();
        if !at_start
            && self
                .backup_checked
                .is_some_and(|t| now - t < chrono::Duration::minutes(1))
        {
            return;
        }
        self.backup_checked = Some(now);
        if !self.desk.backup_due(at_start).unwrap_or(false) {
            return;
        }
        if let Ok(job) = backup_panel::Job::start(&self.desk, "按计划备份", move |d| {
            d.run_scheduled_backup(at_start).map(|b| match b {
                Some(b) => format!("已按计划自动备份到 {}", b.path.display()),
                None => String::new(),
            })
        }) {
            self.backup_job = Some(job);
        }
    }

    /// The 新建主体 form, with the searched text as its code when it looks like one (a code
    /// that was not found is usually the one to register).
    fn new_subject(&mut self) {
        let mut form = SubjectForm::new();
        let q = self.query.trim();
        if (15..=20).contains(&q.chars().count()) && q.chars().all(|c| c.is_ascii_alphanumeric()) {
            form.draft.code = q.to_ascii_uppercase();
            form.opened_now();
        }
        self.page = Page::NewSubject(form);
    }

    /// The page's name for its help (F1).
    fn page_name(&self) -> &'static str {
        match self.page {
            Page::Results => "results",
            Page::NewSubject(_) => "new_subject",
            Page::Subject(_) => "subject",
            Page::Report(_) => "report",
            Page::Settings(_) => "settings",
            Page::Audit(_) => "audit",
            Page::Import => "import",
            Page::Export => "export",
            Page::Queue(_) => "queue",
            Page::Credit(_) => "credit",
            Page::Trusted(_) => "trusted",
        }
    }

    /// Ctrl+F: the search box; Ctrl+N: 新建主体; F1: this page's help (issue 15, point 8).
    fn shortcuts(&mut self, ui: &egui::Ui) {
        let open_help = self.help;
        let (find, new, help, esc) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, Key::F),
                i.consume_key(egui::Modifiers::COMMAND, Key::N),
                i.consume_key(egui::Modifiers::NONE, Key::F1),
                // Esc closes the help first, before a page takes it as "cancel".
                open_help && i.consume_key(egui::Modifiers::NONE, Key::Escape),
            )
        });
        if help {
            self.help = !self.help;
        }
        if esc {
            self.help = false;
        }
        if find {
            self.focus_search = true;
        }
        if new {
            self.new_subject();
        }
    }

    fn signed_out(&mut self) {
        self.page = Page::Results;
        self.query.clear();
        self.results = ResultsPanel::default();
        self.notice = None;
        self.gate = Gate::initial(&self.desk);
    }

    fn search_bar_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("search_bar").show(ui, |ui| {
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new("信易电柜台")
                        .heading()
                        .color(Color32::from_rgb(0, 90, 160)),
                );
                ui.add_space(12.0);
                let label = ui.label("查询");
                let resp = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.query)
                            .hint_text("名称片段、统一社会信用代码、证件号码或用户编号，回车查询")
                            // Room is kept for the buttons and the operator's name on the
                            // right, so nothing overlaps at 1024 px (issue 15, point 1).
                            .desired_width((ui.available_width() - 520.0).clamp(180.0, 520.0)),
                    )
                    .labelled_by(label.id);
                if std::mem::take(&mut self.focus_search) {
                    resp.request_focus();
                }
                // Consume the Enter that ends the query so the results table does not also take
                // it as "open the selected row".
                let enter = resp.lost_focus()
                    && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Enter));
                if ui.button("查询").clicked() || enter {
                    self.search();
                }
                if ui.button("新建主体").clicked() {
                    self.new_subject();
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let asked = ui.button("退出登录").clicked();
                    if let Some(r) = saving::save(ui, "sign_out", asked, || self.desk.sign_out()) {
                        if let Err(e) = r {
                            self.notice = Some(Notice::error(e.to_string()));
                        }
                        self.signed_out();
                    }
                    if let Some(op) = self.desk.operator() {
                        ui.label(op.display());
                    }
                });
            });
            ui.add_space(6.0);
        });
    }

    fn nav_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::left("nav")
            .resizable(false)
            .exact_size(96.0)
            .show(ui, |ui| {
                ui.add_space(8.0);
                let current = self.current_nav();
                let may_audit = self.desk.may(Action::ViewAudit);
                for nav in [
                    Nav::Search,
                    Nav::Todo,
                    Nav::Credit,
                    Nav::Trusted,
                    Nav::Import,
                    Nav::Export,
                    Nav::Audit,
                    Nav::Settings,
                ] {
                    // The audit trail is for supervisors; the desk refuses it to clerks anyway.
                    if nav == Nav::Audit && !may_audit {
                        continue;
                    }
                    let available = true;
                    let label = match (nav, self.todo_count) {
                        (Nav::Todo, Some(n)) if n > 0 => format!("{} ({n})", nav.label()),
                        _ => nav.label().to_string(),
                    };
                    let resp = ui.add_enabled(
                        available,
                        egui::Button::selectable(current == nav, label)
                            .min_size(egui::vec2(80.0, 32.0)),
                    );
                    let resp = resp.on_disabled_hover_text("本版本尚未提供，后续版本开放");
                    if resp.clicked() {
                        match nav {
                            Nav::Search => {
                                self.page = Page::Results;
                                self.focus_search = true;
                            }
                            Nav::Settings => {
                                self.page = Page::Settings(Box::new(SettingsPage::load(&self.desk)))
                            }
                            Nav::Audit => self.page = Page::Audit(AuditPage::load(&self.desk)),
                            Nav::Import => self.page = Page::Import,
                            Nav::Todo => {
                                let mut page = QueuePage::load(&self.desk);
                                if let Some(tab) = self.queue_tab
                                    && tab != page.tab()
                                {
                                    page.show_tab(tab, &self.desk);
                                }
                                self.todo_count = Some(page.attention());
                                self.page = Page::Queue(Box::new(page));
                            }
                            Nav::Export => self.page = Page::Export,
                            Nav::Trusted => {
                                self.page = Page::Trusted(Box::new(
                                    trusted_page::TrustedPage::load(&self.desk),
                                ))
                            }
                            Nav::Credit => {
                                self.page = Page::Credit(Box::new(credit_page::CreditPage::load(
                                    &self.desk,
                                )))
                            }
                        }
                    }
                }
            });
    }

    fn status_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                if let Some(n) = &self.notice {
                    forms::outcome_ui(ui, !n.error, &n.text);
                    if let Some(path) = &n.file
                        && let Some(e) = files::open_buttons(ui, path)
                    {
                        self.notice = Some(Notice::error(e));
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    // A business date set apart from the calendar (`--date`) is said plainly:
                    // every check, letter and deadline of this window uses it (issue 15).
                    match self.desk.business_date() {
                        Some(d) => ui.label(
                            RichText::new(format!(
                                "业务日期 {d}（启动时用 --date 指定，不是今天的日期）"
                            ))
                            .color(forms::ERROR_COLOR),
                        ),
                        None => {
                            ui.label(RichText::new(format!("今天 {}", self.desk.today())).weak())
                        }
                    };
                });
            });
        });
    }

    fn page_ui(&mut self, ui: &mut egui::Ui) {
        match &mut self.page {
            Page::Results => {
                // Arrow keys and Enter drive the table only when the search bar is not typing.
                let keyboard = !ui.ctx().egui_wants_keyboard_input();
                if let Some(c) = self.results.ui(ui, keyboard) {
                    self.run(c);
                }
            }
            Page::NewSubject(form) => {
                ui.heading("新建主体");
                ui.add_space(6.0);
                let may_override = self.desk.may(Action::AcceptUsccCheckFailure);
                let outcome = form.ui(ui, self.desk.today(), may_override);
                let desk = &mut self.desk;
                let saved = saving::save(ui, "new_subject", outcome == FormOutcome::Submit, || {
                    if form.accept_check_failure {
                        desk.create_subject_accepting_code(&form.draft, &form.override_reason)
                    } else {
                        desk.create_subject(&form.draft)
                    }
                });
                match saved {
                    Some(Ok(id)) => {
                        self.notice =
                            Some(Notice::info(format!("已登记“{}”", form.draft.name.trim())));
                        self.open_subject(id);
                    }
                    Some(Err(e)) => form.show_refusal(&e),
                    // The form itself asks before a filled form is thrown away (issue 15,
                    // point 3): Cancel arrives only once the clerk confirmed.
                    None if outcome == FormOutcome::Cancel => {
                        self.page = Page::Results;
                        self.focus_search = true;
                    }
                    None => {}
                }
            }
            Page::Subject(page) => {
                let editing = page.is_editing();
                match page.ui(ui, &mut self.desk) {
                    Some(c) => self.run(c),
                    None => {
                        if !editing && ui.input(|i| i.key_pressed(Key::Escape)) {
                            self.run(Command::BackToResults);
                        }
                    }
                }
            }
            Page::Report(page) => {
                if let Some(c) = page.ui(ui, &mut self.desk) {
                    self.run(c);
                }
            }
            Page::Settings(page) => {
                if let Some(c) = page.ui(ui, &mut self.desk) {
                    self.run(c);
                }
            }
            Page::Audit(page) => page.ui(ui, &mut self.desk),
            Page::Import => self.import.ui(ui, &mut self.desk),
            Page::Export => self.export.ui(ui, &mut self.desk),
            Page::Trusted(page) => {
                if let Some(c) = page.ui(ui, &mut self.desk) {
                    self.run(c);
                }
            }
            Page::Credit(page) => {
                if let Some(c) = page.ui(ui, &mut self.desk) {
                    self.run(c);
                }
            }
            Page::Queue(page) => {
                let command = page.ui(ui, &mut self.desk);
                self.queue_tab = Some(page.tab());
                self.todo_count = Some(page.attention());
                if let Some(c) = command {
                    self.run(c);
                }
            }
        }
    }
}

impl eframe::App for CounterApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        CounterApp::ui(self, ui);
    }
}

/// The window: the opening screen until the database is open, then the counter.
pub enum Window {
    Opening(opening::OpeningScreen),
    Counter(Box<CounterApp>),
}

/// The eframe app around [`Window`].
pub struct WindowApp {
    window: Window,
    /// Set by `XINYIDIAN_FIRST_FRAME_PROBE`: print the time to the first frame and close.
    probe: Option<Instant>,
}

impl WindowApp {
    /// Start opening the database behind the opening screen.
    pub fn new(opener: opening::Opener) -> Self {
        Self {
            window: Window::Opening(opening::OpeningScreen::start(opener)),
            probe: None,
        }
    }

    /// The counter, once the database is open (tests).
    pub fn counter(&self) -> Option<&CounterApp> {
        match &self.window {
            Window::Counter(app) => Some(app),
            Window::Opening(_) => None,
        }
    }

    /// Draw one frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        match &mut self.window {
            Window::Opening(screen) => {
                if let Some(desk) = screen.ui(ui) {
                    let mut app = CounterApp::new(desk);
                    app.styled = true;
                    self.window = Window::Counter(Box::new(app));
                    ui.ctx().request_repaint();
                }
            }
            Window::Counter(app) => app.ui(ui),
        }
        if let Some(started) = self.probe.take() {
            eprintln!(
                "首帧耗时：{:.0} 毫秒",
                started.elapsed().as_secs_f64() * 1e3
            );
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

impl eframe::App for WindowApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        WindowApp::ui(self, ui);
    }
}

/// Open the counter window. `started` is when the process started (for the first-frame probe).
/// The database is opened by `opener` on a worker thread after the first frame.
pub fn run(opener: opening::Opener, started: Instant) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("信易电柜台")
            .with_inner_size([1280.0, 720.0])
            .with_min_inner_size([960.0, 600.0]),
        ..Default::default()
    };
    let probe = std::env::var_os("XINYIDIAN_FIRST_FRAME_PROBE").is_some();
    eframe::run_native(
        "信易电柜台",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            let mut app = WindowApp::new(opener);
            if probe {
                app.probe = Some(started);
            }
            Ok(Box::new(app))
        }),
    )
}
