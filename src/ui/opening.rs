//! What the window shows before the counter: the database is opened (and, after an upgrade,
//! migrated) on a worker thread behind a screen that says what is being done and how far, so the
//! window appears at once (issue 15, point 10); a PostgreSQL server that asks for a password gets
//! it from a password box here, never from the command line (issue 17, point 1); a server that is
//! down or refuses the login is named, with 重试 (the window keeps running).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use egui::{Key, RichText};

use super::forms::ERROR_COLOR;
use crate::desk::{Desk, DeskError, StoreError, UpgradeSteps};

/// Opens the desk: called on a worker thread with the password typed in the window (`None` at
/// first: the environment's, if any) and the callback for upgrade steps.
pub type OpenFn =
    Arc<dyn Fn(Option<String>, UpgradeSteps) -> Result<Desk, DeskError> + Send + Sync>;

/// How the window opens its database.
#[derive(Clone)]
pub struct Opener {
    /// The database as the screen names it (a file path, or `user@host:port/db`).
    pub location: String,
    pub open: OpenFn,
}

/// The step being run and how many there are (0 of 0 until an upgrade starts).
#[derive(Default)]
struct StepCounter {
    step: AtomicU64,
    of: AtomicU64,
}

enum Stage {
    Working {
        rx: mpsc::Receiver<Result<Desk, DeskError>>,
        steps: Arc<StepCounter>,
        since: Instant,
    },
    Password {
        target: String,
        password: String,
        error: Option<String>,
        focus: bool,
    },
    Failed {
        message: String,
    },
}

/// The opening screen; [`OpeningScreen::ui`] hands over the desk once it is open.
pub struct OpeningScreen {
    opener: Opener,
    stage: Stage,
    /// The last password typed, kept while a retry runs so a refused one can be corrected.
    typed: String,
}

impl OpeningScreen {
    /// Start opening at once, in the background.
    pub fn start(opener: Opener) -> Self {
        let mut screen = Self {
            opener,
            stage: Stage::Failed {
                message: String::new(),
            },
            typed: String::new(),
        };
        screen.spawn(None);
        screen
    }

    fn spawn(&mut self, password: Option<String>) {
        let (tx, rx) = mpsc::channel();
        let steps = Arc::new(StepCounter::default());
        let open = Arc::clone(&self.opener.open);
        let counter = Arc::clone(&steps);
        let report = UpgradeSteps(Arc::new(move |step, of| {
            counter.of.store(of, Ordering::Relaxed);
            counter.step.store(step, Ordering::Relaxed);
        }));
        let spawned = std::thread::Builder::new()
            .name("xyd-open".into())
            .spawn(move || {
                // The receiver may be gone (the window closed): nothing to tell then.
                let _ = tx.send(open(password, report));
            });
        self.stage = match spawned {
            Ok(_) => Stage::Working {
                rx,
                steps,
                since: Instant::now(),
            },
            Err(e) => Stage::Failed {
                message: format!("无法启动打开数据库的后台任务（{e}）：请关闭程序后重新打开"),
            },
        };
    }

    /// Draw the screen; `Some(desk)` once the database is open.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<Desk> {
        let mut retry: Option<Option<String>> = None;
        let mut opened = None;
        if let Stage::Working { rx, .. } = &self.stage {
            match rx.try_recv() {
                Ok(Ok(desk)) => opened = Some(desk),
                Ok(Err(e)) => self.stage = self.failure(e),
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.stage = Stage::Failed {
                        message:
                            "打开数据库时出现内部错误：请关闭程序后重新打开，仍不行请联系系统管理员"
                                .into(),
                    }
                }
            }
        }
        if opened.is_some() {
            return opened;
        }
        let location = self.opener.location.clone();
        egui::CentralPanel::default().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(ui.available_height() * 0.15);
                ui.heading(RichText::new("信易电柜台").size(28.0));
                ui.add_space(12.0);
                egui::Frame::group(ui.style())
                    .inner_margin(16.0)
                    .show(ui, |ui| {
                        ui.set_max_width(460.0);
                        match &mut self.stage {
                            Stage::Working { steps, since, .. } => {
                                working_ui(ui, &location, steps, *since);
                            }
                            Stage::Password {
                                target,
                                password,
                                error,
                                focus,
                            } => {
                                ui.label(format!("数据库服务器 {target} 需要密码"));
                                ui.add_space(6.0);
                                let resp = ui.add(
                                    egui::TextEdit::singleline(password)
                                        .password(true)
                                        .hint_text("数据库密码")
                                        .desired_width(280.0),
                                );
                                if std::mem::take(focus) {
                                    resp.request_focus();
                                }
                                let enter =
                                    resp.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                                // Reserved, so the buttons do not move when a message appears.
                                let msg = error.as_deref().unwrap_or(" ");
                                ui.label(RichText::new(msg).color(ERROR_COLOR));
                                ui.horizontal(|ui| {
                                    if (ui.button("连接").clicked() || enter)
                                        && !password.is_empty()
                                    {
                                        retry = Some(Some(password.clone()));
                                    }
                                    if ui.button("退出").clicked() {
                                        ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                                    }
                                });
                                ui.label(
                                    RichText::new(format!(
                                        "也可在启动前把密码放在环境变量 {} 中",
                                        crate::desk::PASSWORD_ENV
                                    ))
                                    .weak(),
                                );
                            }
                            Stage::Failed { message } => {
                                ui.label(RichText::new("无法打开数据库").strong());
                                ui.label(RichText::new(location.as_str()).weak());
                                ui.add_space(6.0);
                                ui.label(RichText::new(message.as_str()).color(ERROR_COLOR));
                                ui.add_space(6.0);
                                ui.horizontal(|ui| {
                                    if ui.button("重试").clicked() {
                                        retry = Some(None);
                                    }
                                    if ui.button("退出").clicked() {
                                        ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                                    }
                                });
                            }
                        }
                    });
            });
        });
        if let Some(password) = retry {
            // A retry after a refusal keeps the password typed last (the server may just have
            // been down); a new one replaces it.
            if let Some(p) = &password {
                self.typed.clone_from(p);
            }
            let password =
                password.or_else(|| (!self.typed.is_empty()).then(|| self.typed.clone()));
            self.spawn(password);
        }
        if matches!(self.stage, Stage::Working { .. }) {
            // The worker does not wake the window: look again soon.
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
        None
    }

    fn failure(&mut self, e: DeskError) -> Stage {
        match e {
            DeskError::Store(StoreError::PasswordNeeded { target }) => Stage::Password {
                target,
                password: String::new(),
                error: None,
                focus: true,
            },
            DeskError::Store(e @ StoreError::LoginRefused { .. }) if !self.typed.is_empty() => {
                // The typed password was wrong: ask again, the box emptied.
                let target = self.opener.location.clone();
                self.typed.clear();
                Stage::Password {
                    target,
                    password: String::new(),
                    error: Some(e.to_string()),
                    focus: true,
                }
            }
            e => Stage::Failed {
                message: e.to_string(),
            },
        }
    }
}

fn working_ui(ui: &mut egui::Ui, location: &str, steps: &StepCounter, since: Instant) {
    let (step, of) = (
        steps.step.load(Ordering::Relaxed),
        steps.of.load(Ordering::Relaxed),
    );
    ui.horizontal(|ui| {
        ui.spinner();
        if of == 0 {
            ui.label("正在打开数据库…");
        } else {
            ui.label(format!("正在升级数据库结构：第 {step} / {of} 步"));
        }
    });
    ui.label(RichText::new(location).weak());
    if of > 0 {
        let done = step.saturating_sub(1) as f32 / of as f32;
        ui.add(egui::ProgressBar::new(done).show_percentage());
        ui.label(RichText::new("升级大型数据库可能需要一两分钟，请勿关闭程序").weak());
    }
    let secs = since.elapsed().as_secs();
    if secs >= 3 {
        ui.label(RichText::new(format!("已用 {secs} 秒")).weak());
    }
}
