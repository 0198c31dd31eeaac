//! The record forms of the 用电记录 tab: add or correct one record, and the one-field forms for a
//! reminder (催告日期), a settlement (结清日期) and a just cause (正当理由). Inline validation as in
//! the subject form: each problem under its field, in the words of annex 4.

use chrono::NaiveDate;
use egui::RichText;

use super::forms::{ERROR_COLOR, FormKeys, FormOutcome, buttons_ui, field_ui};
use crate::desk::{DeskError, RecordView};
use crate::domain::record_draft::{
    ENTRY_KINDS, RecordDraft, RecordField, kind_for, validate_just_cause, validate_reminder,
    validate_settlement,
};
use crate::domain::records::{ArrearsRecord, Record, RecordId, RecordKind, TheftStatus};
use crate::domain::subject::Subject;
use crate::domain::text::FieldError;

/// Whether the form adds a record or corrects a stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormMode {
    New,
    Correct(RecordId),
}

/// The add/correct form.
pub struct RecordForm {
    pub draft: RecordDraft,
    pub mode: RecordFormMode,
    live: Vec<FieldError<RecordField>>,
    refused: Option<String>,
    submitted: bool,
    /// The box that takes the cursor next frame: the first one when the form opens, the first
    /// one in error after a refusal (issue 15, point 3).
    focus: Option<RecordField>,
    /// The draft as the form opened: Esc on a changed form asks first.
    opened_with: RecordDraft,
    keys: FormKeys,
}

/// The first box of a kind's form that takes typing (the account is a drop-down).
fn first_text_field(kind: RecordKind) -> Option<RecordField> {
    RecordField::fields_of(kind).iter().copied().find(|f| {
        !matches!(
            f,
            RecordField::AccountNo | RecordField::Prepaid | RecordField::Status
        )
    })
}

fn hint(field: RecordField) -> &'static str {
    match field {
        RecordField::PeriodStart
        | RecordField::PeriodEnd
        | RecordField::Date
        | RecordField::DeterminedOn
        | RecordField::RemindedOn
        | RecordField::SettledOn => "如 2024-02-29",
        RecordField::Amount | RecordField::SecondAmount => "元，如 1234.50",
        RecordField::Quantity => "如 8000",
        RecordField::UsageUnit => "如 千瓦时",
        RecordField::Days => "如 15",
        RecordField::PeriodText => "如 2024-01-01至2024-01-31",
        RecordField::JustCause => "无正当理由请留空",
        RecordField::TypeName => "默认 电费",
        RecordField::AgencyUscc => "18 位，可留空",
        _ => "",
    }
}

fn text_of(d: &mut RecordDraft, field: RecordField) -> Option<&mut String> {
    Some(match field {
        RecordField::TypeName => &mut d.type_name,
        RecordField::PeriodStart => &mut d.period_start,
        RecordField::PeriodEnd => &mut d.period_end,
        RecordField::Date => &mut d.date,
        RecordField::Amount => &mut d.amount,
        RecordField::SecondAmount => &mut d.second_amount,
        RecordField::Quantity => &mut d.quantity,
        RecordField::UsageUnit => &mut d.usage_unit,
        RecordField::Days => &mut d.days,
        RecordField::PeriodText => &mut d.period_text,
        RecordField::Agency => &mut d.agency,
        RecordField::AgencyUscc => &mut d.agency_uscc,
        RecordField::DeterminedOn => &mut d.determined_on,
        RecordField::RemindedOn => &mut d.reminded_on,
        RecordField::JustCause => &mut d.just_cause,
        RecordField::SettledOn => &mut d.settled_on,
        RecordField::Kind | RecordField::AccountNo | RecordField::Prepaid | RecordField::Status => {
            return None;
        }
    })
}

fn combo_ui<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    salt: &str,
    value: &mut T,
    options: &[(T, String)],
) {
    let l = ui.label(label);
    let shown = options
        .iter()
        .find(|(v, _)| v == value)
        .map(|(_, s)| s.clone())
        .unwrap_or_default();
    egui::ComboBox::from_id_salt(salt)
        .selected_text(shown)
        .width(240.0)
        .show_ui(ui, |ui| {
            for (v, s) in options {
                ui.selectable_value(value, *v, s);
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
}

impl RecordForm {
    /// A blank form for a new record of the subject.
    pub fn new(subject: &Subject) -> Self {
        let mut draft = RecordDraft::new(RecordKind::Payment);
        // A subject with a single account: that account is the usual case.
        if let [a] = subject.accounts.as_slice() {
            draft.account_no = a.account_no.clone();
        }
        Self {
            opened_with: draft.clone(),
            focus: first_text_field(kind_for(draft.kind, subject.kind)),
            draft,
            mode: RecordFormMode::New,
            live: Vec::new(),
            refused: None,
            submitted: false,
            keys: FormKeys::new(),
        }
    }

    /// The correction form, filled from the stored record.
    pub fn correct(view: &RecordView) -> Self {
        let draft = RecordDraft::from_record(&view.record);
        Self {
            opened_with: draft.clone(),
            focus: first_text_field(view.record.kind()),
            draft,
            mode: RecordFormMode::Correct(view.id),
            live: Vec::new(),
            refused: None,
            submitted: false,
            keys: FormKeys::new(),
        }
    }

    /// Show the desk's refusal: field errors inline, anything else above the buttons.
    pub fn show_refusal(&mut self, err: &DeskError) {
        self.submitted = true;
        if err.record_field_errors().is_empty() {
            self.refused = Some(err.to_string());
        } else {
            self.live = err.record_field_errors().to_vec();
            self.focus = err.record_field_errors().first().map(|e| e.field);
            self.refused = Some("有栏目需要修改，请看标红的提示".into());
        }
    }

    fn message(&self, field: RecordField, value: &str) -> Option<String> {
        // Before the first save only fields already typed into are judged.
        if !self.submitted && value.trim().is_empty() {
            return None;
        }
        self.live
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, subject: &Subject, today: NaiveDate) -> FormOutcome {
        let kind = kind_for(self.draft.kind, subject.kind);
        let focus = self.focus.take();
        match self.mode {
            RecordFormMode::New => {
                ui.strong("录入用电记录");
                ui.horizontal(|ui| {
                    ui.label("记录类别");
                    for k in ENTRY_KINDS {
                        let kind_label = kind_for(k, subject.kind).label();
                        if ui
                            .radio_value(&mut self.draft.kind, k, kind_label)
                            .changed()
                        {
                            // Another kind, other boxes: the cursor goes to the first of them.
                            self.focus = first_text_field(kind_for(k, subject.kind));
                        }
                    }
                });
            }
            RecordFormMode::Correct(_) => {
                ui.strong(format!("更正记录：{}", kind.label()));
            }
        }
        self.live = match self.draft.validate(subject, today) {
            Ok(_) => Vec::new(),
            Err(e) => e,
        };
        let mut enter = false;
        let mut changed = false;
        egui::Grid::new("record_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                for &field in RecordField::fields_of(kind) {
                    let label = field.label_for(kind);
                    match field {
                        RecordField::AccountNo => {
                            let mut options = vec![(usize::MAX, "（不指定）".to_string())];
                            options.extend(
                                subject
                                    .accounts
                                    .iter()
                                    .enumerate()
                                    .map(|(i, a)| (i, a.account_no.clone())),
                            );
                            let mut chosen = subject
                                .accounts
                                .iter()
                                .position(|a| a.account_no == self.draft.account_no)
                                .unwrap_or(usize::MAX);
                            let before = chosen;
                            combo_ui(ui, label, "record_account", &mut chosen, &options);
                            if chosen != before {
                                changed = true;
                                self.draft.account_no = subject
                                    .accounts
                                    .get(chosen)
                                    .map(|a| a.account_no.clone())
                                    .unwrap_or_default();
                            }
                            // The account's message line is always there, as under every box.
                            let picked = self.draft.account_no.clone();
                            let m = self.message(field, &picked);
                            ui.label("");
                            ui.label(
                                RichText::new(m.as_deref().unwrap_or(" "))
                                    .color(ERROR_COLOR)
                                    .small(),
                            );
                            ui.end_row();
                        }
                        RecordField::Prepaid => combo_ui(
                            ui,
                            label,
                            "record_prepaid",
                            &mut self.draft.prepaid,
                            &[
                                (None, "（未填）".into()),
                                (Some(true), "是".into()),
                                (Some(false), "否".into()),
                            ],
                        ),
                        RecordField::Status => combo_ui(
                            ui,
                            label,
                            "record_status",
                            &mut self.draft.status,
                            &TheftStatus::ALL.map(|s| (s, s.label().to_string())),
                        ),
                        _ => {
                            let current = text_of(&mut self.draft, field)
                                .map(|v| v.clone())
                                .unwrap_or_default();
                            let msg = self.message(field, &current);
                            if let Some(value) = text_of(&mut self.draft, field) {
                                let (c, e) = field_ui(
                                    ui,
                                    label,
                                    value,
                                    hint(field),
                                    msg.as_deref(),
                                    focus == Some(field),
                                );
                                changed |= c;
                                enter |= e;
                            }
                        }
                    }
                }
            });
        if changed {
            self.refused = None;
        }
        if let Some(msg) = &self.refused {
            ui.label(RichText::new(msg).color(ERROR_COLOR));
        }
        ui.add_space(6.0);
        let submit = match self.mode {
            RecordFormMode::New => "保存记录（Enter）",
            RecordFormMode::Correct(_) => "保存更正（Enter）",
        };
        let outcome = buttons_ui(ui, submit, enter);
        let dirty = self.draft != self.opened_with;
        self.keys.guard(ui, outcome, dirty)
    }
}

/// The one-field actions on an arrears record (rule D-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickAction {
    Reminder,
    Settle,
    JustCause,
}

impl QuickAction {
    /// The button that opens the form.
    pub fn button(self) -> &'static str {
        match self {
            QuickAction::Reminder => "登记催告",
            QuickAction::Settle => "登记结清",
            QuickAction::JustCause => "登记正当理由",
        }
    }

    fn field(self) -> RecordField {
        match self {
            QuickAction::Reminder => RecordField::RemindedOn,
            QuickAction::Settle => RecordField::SettledOn,
            QuickAction::JustCause => RecordField::JustCause,
        }
    }
}

/// A one-field form for a reminder, a settlement or a just cause.
pub struct QuickForm {
    pub action: QuickAction,
    pub record: RecordId,
    arrears: ArrearsRecord,
    pub value: String,
    refused: Option<String>,
    submitted: bool,
    /// The value as the form opened, and the cursor's next place (issue 15, point 3).
    opened_with: String,
    focus: bool,
    keys: FormKeys,
}

impl QuickForm {
    /// `None` when the record is not an arrears record.
    pub fn new(action: QuickAction, view: &RecordView, today: NaiveDate) -> Option<Self> {
        let Record::Arrears(a) = &view.record else {
            return None;
        };
        let value = match action {
            QuickAction::Reminder | QuickAction::Settle => today.to_string(),
            QuickAction::JustCause => a.just_cause.clone().unwrap_or_default(),
        };
        Some(Self {
            action,
            record: view.id,
            arrears: a.clone(),
            opened_with: value.clone(),
            value,
            refused: None,
            submitted: false,
            focus: true,
            keys: FormKeys::new(),
        })
    }

    pub fn show_refusal(&mut self, err: &DeskError) {
        self.submitted = true;
        self.refused = Some(match err.record_field_errors().first() {
            Some(e) => e.message.clone(),
            None => err.to_string(),
        });
        self.focus = true;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, today: NaiveDate) -> FormOutcome {
        let live = match self.action {
            QuickAction::Reminder => validate_reminder(&self.arrears, &self.value, today).err(),
            QuickAction::Settle => validate_settlement(&self.arrears, &self.value, today).err(),
            QuickAction::JustCause => validate_just_cause(&self.value).err(),
        };
        let shown = if self.submitted || !self.value.trim().is_empty() {
            live.map(|e| e.message).or_else(|| self.refused.clone())
        } else {
            None
        };
        ui.strong(format!(
            "{}：{} 至 {} 欠缴{} {}",
            self.action.button(),
            self.arrears.period_start,
            self.arrears.period_end,
            self.arrears.arrears_type,
            self.arrears.amount
        ));
        let mut enter = false;
        let mut changed = false;
        egui::Grid::new("quick_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let field = self.action.field();
                let (c, e) = field_ui(
                    ui,
                    field.label_for(RecordKind::Arrears),
                    &mut self.value,
                    hint(field),
                    shown.as_deref(),
                    std::mem::take(&mut self.focus),
                );
                changed = c;
                enter = e;
            });
        if changed {
            self.refused = None;
        }
        let outcome = buttons_ui(ui, self.action.button(), enter);
        let dirty = self.value != self.opened_with;
        self.keys.guard(ui, outcome, dirty)
    }
}
