//! A supervisor's decision on a case from the 待办 table: 认定违诺 (rule D-4) or 延期 of the
//! proof deadline, with its reason.

use super::QueuePage;
use crate::desk::Desk;
use crate::domain::case::CaseId;
use crate::domain::text::parse_date;
use crate::ui::Command;
use crate::ui::forms::{FormKeys, FormOutcome};
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
    /// The keyboard contract (issue 15, point 3): the cursor in the first box, Enter (Ctrl+Enter
    /// in the reason) submits, Esc asks before throwing typed text away, the refusal beside the
    /// box it names.
    pub(super) keys: FormKeys,
}

impl QueuePage {
    /// The supervisor's form for the case chosen in the table.
    pub(super) fn form_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let form = self.form.as_mut()?;
        let mut done = None;
        let mut cancel = false;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            let mut enter = false;
            match form.kind {
                DecisionKind::Breach => {
                    ui.strong(format!("认定违诺：案件 {}（{}）", form.case, form.subject));
                    enter |= form.keys.multiline(
                        ui,
                        "未履行的承诺内容（认定理由）",
                        &mut form.reason,
                        crate::domain::case::DEFAULT_UNFULFILLED,
                        2,
                        600.0,
                    );
                    enter |= form.keys.line(
                        ui,
                        "违诺责任追究内容（可不填：记入失信记录并推送共享平台）",
                        &mut form.liability,
                        "",
                        600.0,
                    );
                }
                DecisionKind::Extend => {
                    ui.strong(format!("批准延期：案件 {}（{}）", form.case, form.subject));
                    enter |=
                        form.keys
                            .line(ui, "新的补证期限", &mut form.until, "YYYY-MM-DD", 140.0);
                    enter |= form.keys.line(ui, "延期理由", &mut form.reason, "", 600.0);
                }
            }
            let confirm = match form.kind {
                DecisionKind::Breach => "确认认定违诺",
                DecisionKind::Extend => "确认延期（Enter）",
            };
            let dirty = !form.reason.trim().is_empty()
                || !form.liability.trim().is_empty()
                || !form.until.trim().is_empty();
            let outcome = form.keys.buttons(ui, confirm, enter, dirty);
            cancel = outcome == FormOutcome::Cancel;
            let asked = outcome == FormOutcome::Submit;
            let result = match form.kind {
                DecisionKind::Breach => saving::save(ui, "decide_breach", asked, || {
                    desk.decide_breach(form.case, &form.reason, &form.liability)
                        .map(|c| format!("已认定案件 {} 违诺（D-4）", c.id))
                }),
                DecisionKind::Extend => {
                    let until =
                        parse_date(&form.until).map_err(|e| crate::desk::DeskError::InvalidDate {
                            field: "新的补证期限",
                            reason: e.to_string(),
                        });
                    saving::save_parsed(ui, "extend_case", asked, until, |until| {
                        desk.extend_case(form.case, until, &form.reason)
                            .map(|c| format!("案件 {} 的补证期限已延至 {until}", c.id))
                    })
                }
            };
            match result {
                Some(Ok(msg)) => done = Some(msg),
                Some(Err(e)) => form.keys.refuse(e.to_string()),
                None => {}
            }
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
