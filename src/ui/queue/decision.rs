//! A supervisor's decision on a case from the 待办 table: 认定违诺 (rule D-4) or 延期 of the
//! proof deadline, with its reason.

use super::QueuePage;
use crate::desk::Desk;
use crate::domain::case::CaseId;
use crate::domain::text::parse_date;
use crate::ui::Command;
use crate::ui::forms::ERROR_COLOR;
use crate::ui::saving;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DecisionKind {
    Breach,
    Extend,
}

/// A supervisor's decision being filled in for one case.
#[derive(Debug, Clone)]
pub(super) struct DecisionForm {
    pub(super) case: CaseId,
    pub(super) subject: String,
    pub(super) kind: DecisionKind,
    pub(super) reason: String,
    pub(super) liability: String,
    pub(super) until: String,
    pub(super) error: Option<String>,
}

impl QueuePage {
    /// The supervisor's form for the case chosen in the table.
    pub(super) fn form_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
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
                // Enter in a single-line box submits (a multi-line reason keeps its Enter); Esc
                // cancels, as on every form (issue 15, point 3).
                let enter = form.kind == DecisionKind::Extend
                    && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let label = match form.kind {
                    DecisionKind::Extend => format!("{confirm}（Enter）"),
                    DecisionKind::Breach => confirm.to_string(),
                };
                let asked = ui.button(label).clicked() || enter;
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
                if ui.button("取消（Esc）").clicked()
                    || ui.input(|i| i.key_pressed(egui::Key::Escape))
                {
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
}
