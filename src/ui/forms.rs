//! Subject and account forms with inline validation. Keyboard-first: Tab moves through the fields
//! in reading order, Enter in any field submits, Esc cancels.

use chrono::NaiveDate;
use egui::{Color32, Key, RichText};

use crate::desk::DeskError;
use crate::domain::id_codes::{IdDocKind, IdError, Uscc};
use crate::domain::subject::{AccountDraft, Field, SubjectDraft, SubjectKind};
use crate::domain::text::FieldError;

/// What the user did with a form this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Nothing,
    Submit,
    Cancel,
}

/// The red used for validation messages.
pub const ERROR_COLOR: Color32 = Color32::from_rgb(190, 30, 30);

/// The green of a done action or a valid state.
pub const OK_COLOR: Color32 = Color32::from_rgb(20, 120, 40);

/// The colour of an outcome: green when it went well, red otherwise.
pub fn outcome_color(ok: bool) -> Color32 {
    if ok { OK_COLOR } else { ERROR_COLOR }
}

/// An action's outcome as one line, green or red.
pub fn outcome_ui(ui: &mut egui::Ui, ok: bool, text: &str) {
    ui.label(RichText::new(text).color(outcome_color(ok)));
}

/// Errors for the fields of one form: live validation plus what the desk refused.
#[derive(Default)]
struct Messages {
    live: Vec<FieldError<Field>>,
    refused: Option<String>,
    submitted: bool,
    /// The field the cursor goes to on the next frame: the first one when the form opens, the
    /// first one in error after a refused save (issue 15, point 3).
    focus: Option<Field>,
}

impl Messages {
    fn for_field(&self, field: Field, value: &str) -> Option<&str> {
        // Before the first save only fields already typed into are judged, so an empty new form
        // is not a wall of red.
        if !self.submitted && value.trim().is_empty() {
            return None;
        }
        self.live
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// One labelled single-line field with its message underneath; takes the cursor when `focus`
/// is set. Returns (changed, enter pressed). The message line under the box is always there,
/// empty when all is well, so a message appearing or going never moves the fields and buttons
/// below it (issue 15, point 3).
pub(super) fn field_ui(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    error: Option<&str>,
    focus: bool,
) -> (bool, bool) {
    let resp = grid_box_row(ui, label, |ui| ui.add(text_box(value, hint, 360.0)), error);
    if focus {
        resp.request_focus();
    }
    let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
    (resp.changed(), enter)
}

/// One grid row for one box: its label, then the box with its message line under it. The grid
/// centres a row's cells, which would put the label level with the gap between box and
/// message; so the label's cell is made as high as the box's and the label drawn level with the
/// box's text (a text box is its text plus the button padding, at least `interact_size` high).
/// Ends the row.
pub(super) fn grid_box_row(
    ui: &mut egui::Ui,
    label: &str,
    add_box: impl FnOnce(&mut egui::Ui) -> egui::Response,
    message: Option<&str>,
) -> egui::Response {
    let body = ui.text_style_height(&egui::TextStyle::Body);
    let small = ui.text_style_height(&egui::TextStyle::Small);
    let box_height = text_box_height(ui);
    let l = ui
        .vertical(|ui| {
            ui.spacing_mut().item_spacing.y = 0.0;
            ui.set_min_height(box_height + MESSAGE_GAP + small);
            ui.add_space((box_height - body) / 2.0);
            ui.label(label)
        })
        .inner;
    let resp = ui
        .vertical(|ui| {
            ui.spacing_mut().item_spacing.y = MESSAGE_GAP;
            let resp = add_box(ui).labelled_by(l.id);
            message_line(ui, message);
            resp
        })
        .inner;
    ui.end_row();
    resp
}

/// The height of a one-line text box: its text plus the button padding above and below, at
/// least `interact_size` (egui's default text-edit style). A row of other controls made this
/// high lines up with [`grid_box_row`]'s label.
pub(super) fn text_box_height(ui: &egui::Ui) -> f32 {
    let body = ui.text_style_height(&egui::TextStyle::Body);
    (body + 2.0 * ui.spacing().button_padding.y).max(ui.spacing().interact_size.y)
}

/// Between a box and its message line.
const MESSAGE_GAP: f32 = 1.0;

/// A one-line text box `width` wide with its grey hint.
fn text_box<'t>(value: &'t mut String, hint: &str, width: f32) -> egui::TextEdit<'t> {
    egui::TextEdit::singleline(value)
        .hint_text(hint)
        .desired_width(width)
}

/// The message line under a box: always there, empty when all is well.
fn message_line(ui: &mut egui::Ui, message: Option<&str>) {
    ui.label(
        RichText::new(message.unwrap_or(" "))
            .color(ERROR_COLOR)
            .small(),
    );
}

pub(super) fn id_kind_combo_ui(ui: &mut egui::Ui, label: &str, salt: &str, value: &mut IdDocKind) {
    let label = ui.label(label);
    egui::ComboBox::from_id_salt(salt)
        .selected_text(value.label())
        .width(240.0)
        .show_ui(ui, |ui| {
            for k in IdDocKind::ALL {
                ui.selectable_value(value, k, k.label());
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
}

pub(super) fn buttons_ui(ui: &mut egui::Ui, submit_label: &str, enter: bool) -> FormOutcome {
    let mut outcome = FormOutcome::Nothing;
    ui.horizontal(|ui| {
        if ui.button(submit_label).clicked() || enter {
            outcome = FormOutcome::Submit;
        }
        if ui.button("取消（Esc）").clicked() {
            outcome = FormOutcome::Cancel;
        }
    });
    if ui.input(|i| i.key_pressed(Key::Escape)) {
        outcome = FormOutcome::Cancel;
    }
    outcome
}

/// Whether Esc was pressed this frame.
pub(super) fn esc_pressed(ui: &egui::Ui) -> bool {
    ui.input(|i| i.key_pressed(Key::Escape))
}

/// Whether Enter ended the input in `resp` (a single-line box: Enter takes its focus away).
pub(super) fn enter_in(ui: &egui::Ui, resp: &egui::Response) -> bool {
    resp.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))
}

/// Ctrl+Enter in a multi-line box submits its form: Enter alone keeps its new line.
pub(super) fn ctrl_enter_in(ui: &egui::Ui, resp: &egui::Response) -> bool {
    resp.has_focus() && ui.input(|i| i.modifiers.command && i.key_pressed(Key::Enter))
}

/// The keyboard contract of a form built from plain boxes (issue 15, point 3), shared so every
/// form behaves alike: the cursor starts in the first box; Enter in a single-line box (Ctrl+Enter
/// in a multi-line one) submits; Esc cancels, but asks first when something was typed; a refusal
/// is shown under the box it names (the desk's messages name the field by its label) with the
/// cursor put there, else above the buttons; every box keeps a line for its message, so nothing
/// moves when a message comes or goes; a message goes as soon as its box is changed.
#[derive(Debug, Clone)]
pub struct FormKeys {
    /// Put the cursor in the next box drawn (the form's first, on its first frame).
    focus_first: bool,
    /// The refusal being shown.
    error: Option<String>,
    /// Send the cursor to the box the refusal names, on the next frame.
    focus_error: bool,
    /// Whether a box this frame showed the refusal (else it goes above the buttons).
    placed: bool,
    /// Esc (or 取消) was pressed on a filled form: the next one discards it.
    discard_asked: bool,
}

impl Default for FormKeys {
    fn default() -> Self {
        Self::new()
    }
}

impl FormKeys {
    /// A form just opened: its first box takes the cursor.
    pub fn new() -> Self {
        Self {
            focus_first: true,
            error: None,
            focus_error: false,
            placed: false,
            discard_asked: false,
        }
    }

    /// Show a refusal; the cursor goes to the box it names.
    pub fn refuse(&mut self, message: impl Into<String>) {
        self.error = Some(message.into());
        self.focus_error = true;
    }

    /// Forget the refusal (the form was saved, or its input changed).
    pub fn clear(&mut self) {
        self.error = None;
        self.focus_error = false;
    }

    /// The refusal when it names `label`, claimed for that box if no earlier box took it.
    fn claim(&mut self, label: &str) -> Option<String> {
        let e = self.error.as_deref()?;
        // The field's name without the keyboard hint in brackets: "异议事由说明（Ctrl+Enter…）".
        let name = label.split('（').next().unwrap_or(label).trim();
        if self.placed || name.is_empty() || !e.contains(name) {
            return None;
        }
        self.placed = true;
        Some(e.to_string())
    }

    /// Whether the box just drawn takes the cursor; `claimed`: it shows the refusal.
    fn takes_focus(&mut self, claimed: bool) -> bool {
        if std::mem::take(&mut self.focus_first) {
            return true;
        }
        claimed && std::mem::take(&mut self.focus_error)
    }

    /// After a box is drawn: the cursor goes in when it is its turn, and a refusal the box
    /// showed goes as soon as the box is changed.
    fn settle(&mut self, resp: &egui::Response, claimed: bool) {
        if self.takes_focus(claimed) {
            resp.request_focus();
        }
        if resp.changed() && claimed {
            self.clear();
        }
    }

    /// A labelled single-line box for a vertical layout: the label above the box, the message
    /// line under it. Returns whether Enter was pressed in it.
    pub fn line(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        value: &mut String,
        hint: &str,
        width: f32,
    ) -> bool {
        self.one_line(ui, label, |ui, message| {
            let l = ui.label(label);
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing.y = MESSAGE_GAP;
                let resp = ui.add(text_box(value, hint, width)).labelled_by(l.id);
                message_line(ui, message);
                resp
            })
            .inner
        })
    }

    /// [`FormKeys::line`] as one row of a two-column grid (label | box with its message line
    /// under it, see [`grid_box_row`]); ends the row.
    pub fn grid_line(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        value: &mut String,
        hint: &str,
        width: f32,
    ) -> bool {
        self.one_line(ui, label, |ui, message| {
            grid_box_row(
                ui,
                label,
                |ui| ui.add(text_box(value, hint, width)),
                message,
            )
        })
    }

    /// A one-line box drawn by `draw` (given the refusal it shows, if any), with the cursor
    /// and the refusal settled after it. Returns whether Enter was pressed in it.
    fn one_line(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        draw: impl FnOnce(&mut egui::Ui, Option<&str>) -> egui::Response,
    ) -> bool {
        let message = self.claim(label);
        let resp = draw(ui, message.as_deref());
        self.settle(&resp, message.is_some());
        enter_in(ui, &resp)
    }

    /// A labelled multi-line box (label above) with its message line. Returns whether Ctrl+Enter
    /// was pressed in it.
    pub fn multiline(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        value: &mut String,
        hint: &str,
        rows: usize,
        width: f32,
    ) -> bool {
        let message = self.claim(label);
        let l = ui.label(label);
        let resp = ui
            .add(
                egui::TextEdit::multiline(value)
                    .hint_text(hint)
                    .desired_rows(rows)
                    .desired_width(width),
            )
            .labelled_by(l.id);
        message_line(ui, message.as_deref());
        self.settle(&resp, message.is_some());
        ctrl_enter_in(ui, &resp)
    }

    /// The form's buttons: the refusal no box claimed, [submit] and 取消（Esc）, and the question
    /// before a filled form is thrown away. `dirty`: something was typed since the form opened.
    /// Returns [`FormOutcome::Cancel`] only when the form may close.
    pub fn buttons(
        &mut self,
        ui: &mut egui::Ui,
        submit_label: &str,
        enter: bool,
        dirty: bool,
    ) -> FormOutcome {
        if !std::mem::take(&mut self.placed)
            && let Some(e) = &self.error
        {
            ui.label(RichText::new(e).color(ERROR_COLOR));
        }
        let outcome = buttons_ui(ui, submit_label, enter);
        self.guard(ui, outcome, dirty)
    }

    /// Esc and 取消 on a filled form ask first; draws the question while it is asked.
    pub fn guard(&mut self, ui: &mut egui::Ui, outcome: FormOutcome, dirty: bool) -> FormOutcome {
        let mut outcome = outcome;
        if outcome == FormOutcome::Cancel && dirty && !self.discard_asked {
            self.discard_asked = true;
            outcome = FormOutcome::Nothing;
        }
        if outcome == FormOutcome::Submit {
            self.discard_asked = false;
        }
        if self.discard_asked && outcome == FormOutcome::Nothing {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new("已填写的内容尚未保存，放弃吗？（再按 Esc 也是放弃）")
                        .color(ERROR_COLOR),
                );
                if ui.button("放弃").clicked() {
                    outcome = FormOutcome::Cancel;
                }
                if ui.button("继续填写").clicked() {
                    self.discard_asked = false;
                }
            });
        }
        outcome
    }
}

/// The new-subject and edit-subject form.
pub struct SubjectForm {
    pub draft: SubjectDraft,
    messages: Messages,
    /// Editing an existing subject keeps its kind fixed (a different kind is a different key).
    editing: bool,
    /// A supervisor accepts a legally issued code whose check character fails (rule ID-1).
    pub accept_check_failure: bool,
    pub override_reason: String,
    /// The draft as the form opened (a code taken from the search counts as not typed).
    opened_with: SubjectDraft,
    /// Esc on a filled form asks first.
    keys: FormKeys,
}

impl SubjectForm {
    /// Whether anything was typed since the form opened (Esc then asks first).
    pub fn is_touched(&self) -> bool {
        self.draft != self.opened_with
    }

    /// Remember the draft as it is now as the opening state (a code filled in from the search).
    pub fn opened_now(&mut self) {
        self.opened_with = self.draft.clone();
    }

    pub fn new() -> Self {
        Self {
            draft: SubjectDraft::default(),
            messages: Messages {
                focus: Some(Field::Name),
                ..Messages::default()
            },
            editing: false,
            accept_check_failure: false,
            override_reason: String::new(),
            opened_with: SubjectDraft::default(),
            keys: FormKeys::new(),
        }
    }

    pub fn edit(draft: SubjectDraft) -> Self {
        Self {
            opened_with: draft.clone(),
            draft,
            messages: Messages {
                focus: Some(Field::Name),
                ..Messages::default()
            },
            editing: true,
            accept_check_failure: false,
            override_reason: String::new(),
            keys: FormKeys::new(),
        }
    }

    /// Show the desk's refusal: field errors inline (the cursor goes to the first of them),
    /// anything else above the buttons.
    pub fn show_refusal(&mut self, err: &DeskError) {
        self.messages.submitted = true;
        if err.field_errors().is_empty() {
            self.messages.refused = Some(err.to_string());
        } else {
            self.messages.live = err.field_errors().to_vec();
            self.messages.focus = err.field_errors().first().map(|e| e.field);
            self.messages.refused = Some("有栏目需要修改，请看标红的提示".into());
        }
    }

    /// `may_override`: the operator may accept a USCC whose only fault is its check character.
    pub fn ui(&mut self, ui: &mut egui::Ui, today: NaiveDate, may_override: bool) -> FormOutcome {
        self.messages.live = self.draft.validate(today).err().unwrap_or_default();
        let focus = self.messages.focus.take();
        let m = &self.messages;
        let d = &mut self.draft;
        let mut enter = false;
        let mut changed = false;

        if !self.editing {
            ui.horizontal(|ui| {
                ui.label("主体类别");
                for k in SubjectKind::ALL {
                    ui.radio_value(&mut d.kind, k, k.label());
                }
            });
        } else {
            ui.label(format!("主体类别：{}", d.kind.label()));
        }
        ui.add_space(4.0);
        egui::Grid::new("subject_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let mut field = |ui: &mut egui::Ui, label, value: &mut String, hint, f| {
                    let err = m.for_field(f, value).map(str::to_owned);
                    let (c, e) = field_ui(ui, label, value, hint, err.as_deref(), focus == Some(f));
                    changed |= c;
                    enter |= e;
                };
                let person = d.kind == SubjectKind::NaturalPerson;
                field(
                    ui,
                    if person { "姓名" } else { "名称" },
                    &mut d.name,
                    if person {
                        "与证件一致"
                    } else {
                        "与营业执照一致"
                    },
                    Field::Name,
                );
                if person {
                    id_kind_combo_ui(ui, "证件类型", "id_kind", &mut d.id_kind);
                    field(
                        ui,
                        "证件号码",
                        &mut d.code,
                        "18 位身份证号码，末位可为 X",
                        Field::Code,
                    );
                } else {
                    field(
                        ui,
                        "统一社会信用代码",
                        &mut d.code,
                        "18 位，可直接扫码录入",
                        Field::Code,
                    );
                    field(
                        ui,
                        "法定代表人姓名",
                        &mut d.legal_rep_name,
                        "",
                        Field::LegalRepName,
                    );
                    id_kind_combo_ui(
                        ui,
                        "法定代表人证件类型",
                        "legal_rep_id_kind",
                        &mut d.legal_rep_id_kind,
                    );
                    field(
                        ui,
                        "法定代表人证件号码",
                        &mut d.legal_rep_id_number,
                        "",
                        Field::LegalRepIdNumber,
                    );
                    field(
                        ui,
                        "成立日期",
                        &mut d.founded_on,
                        "如 2019-05-06",
                        Field::FoundedOn,
                    );
                }
                field(
                    ui,
                    "联系电话",
                    &mut d.phone,
                    "手机或 0759-xxxxxxx",
                    Field::Phone,
                );
                field(
                    ui,
                    if person { "住址" } else { "注册地址" },
                    &mut d.address,
                    "",
                    Field::Address,
                );
            });
        if changed {
            self.messages.refused = None;
        }
        let check_char_only = self.draft.kind.keyed_by_uscc()
            && matches!(
                Uscc::parse(&self.draft.code),
                Err(IdError::CheckChar { .. })
            );
        if may_override && !self.editing && check_char_only {
            ui.checkbox(
                &mut self.accept_check_failure,
                "该代码为合法签发的早期代码，校验位不符，由班长认可（依据 ID-1）",
            );
            if self.accept_check_failure {
                ui.horizontal(|ui| {
                    let l = ui.label("认可原因");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.override_reason)
                            .hint_text("如：福建早期试点代码，已核对营业执照原件")
                            .desired_width(360.0),
                    )
                    .labelled_by(l.id);
                });
            }
        } else {
            self.accept_check_failure = false;
        }
        if let Some(msg) = &self.messages.refused {
            ui.label(RichText::new(msg).color(ERROR_COLOR));
        }
        ui.add_space(6.0);
        let outcome = buttons_ui(ui, "保存（Enter）", enter);
        let dirty = self.is_touched();
        self.keys.guard(ui, outcome, dirty)
    }
}

impl Default for SubjectForm {
    fn default() -> Self {
        Self::new()
    }
}

/// The add-account form on a subject page.
#[derive(Default)]
pub struct AccountForm {
    pub draft: AccountDraft,
    messages: Messages,
    /// Esc on a filled form asks first.
    keys: FormKeys,
}

impl AccountForm {
    pub fn show_refusal(&mut self, err: &DeskError) {
        self.messages.submitted = true;
        if err.field_errors().is_empty() {
            self.messages.refused = Some(err.to_string());
        } else {
            self.messages.live = err.field_errors().to_vec();
            self.messages.focus = err.field_errors().first().map(|e| e.field);
            self.messages.refused = None;
        }
    }

    /// A new form, the cursor in its first field.
    pub fn new() -> Self {
        Self {
            draft: AccountDraft::default(),
            messages: Messages {
                focus: Some(Field::AccountNo),
                ..Messages::default()
            },
            keys: FormKeys::new(),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, today: NaiveDate) -> FormOutcome {
        self.messages.live = self.draft.validate(today).err().unwrap_or_default();
        let focus = self.messages.focus.take();
        let m = &self.messages;
        let d = &mut self.draft;
        let mut enter = false;
        egui::Grid::new("account_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                for (label, value, hint, f) in [
                    (
                        "用户编号",
                        &mut d.account_no,
                        "营销系统中的用户编号",
                        Field::AccountNo,
                    ),
                    ("用电地址", &mut d.usage_address, "", Field::UsageAddress),
                    (
                        "用电开始日期",
                        &mut d.supply_start,
                        "如 2021-03-01",
                        Field::SupplyStart,
                    ),
                ] {
                    let err = m.for_field(f, value).map(str::to_owned);
                    enter |= field_ui(ui, label, value, hint, err.as_deref(), focus == Some(f)).1;
                }
            });
        if let Some(msg) = &self.messages.refused {
            ui.label(RichText::new(msg).color(ERROR_COLOR));
        }
        let outcome = buttons_ui(ui, "添加用电户", enter);
        let dirty = self.draft != AccountDraft::default();
        self.keys.guard(ui, outcome, dirty)
    }
}
