//! What stands before the counter: the first-start admin setup, the sign-in screen and the idle
//! lock. The lock screen covers the window without dropping the page behind it, so a half-filled
//! form is still there after the password is entered again.

use egui::{Key, RichText};

use super::Command;
use super::forms::ERROR_COLOR;
use super::saving;
use crate::desk::Desk;
use crate::domain::operator::OperatorDraft;

/// Which gate is up.
pub enum Gate {
    Setup(SetupForm),
    SignIn(SignInForm),
    Locked(UnlockForm),
    Open,
}

impl Gate {
    /// The gate for a desk: open when someone is signed in, setup on a new database, else sign-in.
    pub fn initial(desk: &Desk) -> Self {
        if desk.operator().is_some() {
            return Gate::Open;
        }
        match desk.needs_setup() {
            Ok(true) => Gate::Setup(SetupForm::default()),
            Ok(false) => Gate::SignIn(SignInForm::default()),
            Err(e) => Gate::SignIn(SignInForm {
                error: Some(e.to_string()),
                ..SignInForm::default()
            }),
        }
    }
}

fn centered_card_ui<R>(ui: &mut egui::Ui, title: &str, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.15);
        ui.heading(RichText::new("信易电柜台").size(28.0));
        ui.add_space(4.0);
        ui.label(title);
        ui.add_space(12.0);
        egui::Frame::group(ui.style())
            .inner_margin(16.0)
            .show(ui, |ui| {
                ui.set_max_width(420.0);
                add(ui)
            })
            .inner
    })
    .inner
}

/// One labelled line; returns whether Enter ended the input. `focus` puts the cursor in it (the
/// first field of a screen, so the clerk can type at once).
fn line_ui(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    password: bool,
    focus: bool,
) -> bool {
    let l = ui.label(label);
    let resp = ui
        .add(
            egui::TextEdit::singleline(value)
                .password(password)
                .desired_width(260.0),
        )
        .labelled_by(l.id);
    if focus {
        resp.request_focus();
    }
    ui.end_row();
    resp.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))
}

fn error_ui(ui: &mut egui::Ui, error: &Option<String>) {
    if let Some(e) = error {
        ui.label(RichText::new(e).color(ERROR_COLOR));
    }
}

/// The first start: create the administrator account.
#[derive(Default)]
pub struct SetupForm {
    draft: OperatorDraft,
    password: String,
    confirm: String,
    error: Option<String>,
    focused: bool,
}

impl SetupForm {
    /// [`Command::SignedIn`] once the admin exists and is signed in.
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        centered_card_ui(ui, "首次使用：请创建管理员账号", |ui| {
            let mut enter = false;
            egui::Grid::new("setup").num_columns(2).show(ui, |ui| {
                let first = !std::mem::replace(&mut self.focused, true);
                enter |= line_ui(ui, "工号", &mut self.draft.staff_no, false, first);
                enter |= line_ui(ui, "姓名", &mut self.draft.name, false, false);
                enter |= line_ui(ui, "营业厅", &mut self.draft.hall, false, false);
                enter |= line_ui(ui, "窗口", &mut self.draft.window, false, false);
                enter |= line_ui(ui, "密码", &mut self.password, true, false);
                enter |= line_ui(ui, "确认密码", &mut self.confirm, true, false);
            });
            error_ui(ui, &self.error);
            let mut asked = ui.button("创建管理员并登录").clicked() || enter;
            if asked && self.password != self.confirm {
                self.error = Some("两次输入的密码不一致，请重新输入".into());
                asked = false;
            }
            match saving::save(ui, "setup_admin", asked, || {
                desk.setup_admin(&self.draft, &self.password)
            }) {
                Some(Ok(_)) => return Some(Command::SignedIn),
                Some(Err(e)) => self.error = Some(e.to_string()),
                None => {}
            }
            None
        })
    }
}

/// The sign-in screen.
#[derive(Default)]
pub struct SignInForm {
    staff_no: String,
    password: String,
    error: Option<String>,
    focused: bool,
    /// After a wrong password the cursor goes back into the password box (issue 15, point 3).
    refocus_password: bool,
}

impl SignInForm {
    /// [`Command::SignedIn`] once signed in.
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        centered_card_ui(ui, "请登录", |ui| {
            let mut enter = false;
            egui::Grid::new("sign_in").num_columns(2).show(ui, |ui| {
                let first = !std::mem::replace(&mut self.focused, true);
                enter |= line_ui(ui, "工号", &mut self.staff_no, false, first);
                let again = std::mem::take(&mut self.refocus_password);
                enter |= line_ui(ui, "密码", &mut self.password, true, again);
            });
            error_ui(ui, &self.error);
            let asked = ui.button("登录").clicked() || enter;
            // The password stays in its box while the sign-in waits for the database.
            let result = saving::save(ui, "sign_in", asked, || {
                desk.sign_in(&self.staff_no, &self.password)
            });
            if let Some(result) = result {
                self.password.clear();
                match result {
                    Ok(_) => return Some(Command::SignedIn),
                    Err(e) => {
                        self.error = Some(e.to_string());
                        self.refocus_password = true;
                    }
                }
            }
            None
        })
    }
}

/// The idle lock.
#[derive(Default)]
pub struct UnlockForm {
    password: String,
    error: Option<String>,
    focused: bool,
}

impl UnlockForm {
    /// [`Command::Unlocked`], or [`Command::SignedOut`] when another operator takes the window
    /// (or the account got locked).
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let who = desk.operator().map(|o| o.display()).unwrap_or_default();
        centered_card_ui(ui, "窗口已锁定", |ui| {
            ui.label(format!(
                "{who} 已离开一段时间，请输入密码继续（未保存的内容仍在）"
            ));
            let mut enter = false;
            egui::Grid::new("unlock").num_columns(2).show(ui, |ui| {
                let first = !std::mem::replace(&mut self.focused, true);
                enter |= line_ui(ui, "密码", &mut self.password, true, first);
            });
            error_ui(ui, &self.error);
            let mut outcome = None;
            ui.horizontal(|ui| {
                let asked = ui.button("解锁").clicked() || enter;
                if let Some(r) = saving::save(ui, "unlock", asked, || desk.unlock(&self.password)) {
                    self.password.clear();
                    match r {
                        Ok(()) => outcome = Some(Command::Unlocked),
                        Err(e) if desk.operator().is_none() => {
                            self.error = Some(e.to_string());
                            outcome = Some(Command::SignedOut);
                        }
                        Err(e) => self.error = Some(e.to_string()),
                    }
                }
                if ui.button("切换用户（放弃未保存的内容）").clicked() {
                    let _ = desk.sign_out();
                    outcome = Some(Command::SignedOut);
                }
            });
            outcome
        })
    }
}
