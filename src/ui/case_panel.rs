//! The 信易电 cases of a subject (rules C-2, D-4, D-5): accept an application on a commitment,
//! record the connection (the deadline is one year later), attach the property proof, or record
//! a withdrawal before connection. Breach decisions and extensions are the supervisors', in 待办.

use std::path::PathBuf;

use egui::RichText;

use super::Command;
use super::forms::ERROR_COLOR;
use super::saving;
use crate::desk::Desk;
use crate::domain::case::{Case, CaseId, CaseState};
use crate::domain::commitment::Commitment;
use crate::domain::subject::Subject;
use crate::domain::text::parse_date;

/// What the clerk is typing for one case.
#[derive(Default)]
struct Input {
    date: String,
    path: String,
    reason: String,
}

/// The cases tab of a subject page.
#[derive(Default)]
pub struct CasePanel {
    /// The subject's cases, and the commitments an application may still be accepted on.
    loaded: Option<(Vec<Case>, Vec<Commitment>)>,
    /// The account chosen for a new case, per commitment code.
    account: Option<String>,
    input: std::collections::HashMap<CaseId, Input>,
    /// A refusal, shown beside what was refused: under the case's boxes (`Some` case), or
    /// under the commitments to accept (`None`). Issue 15, point 3.
    error: Option<(Option<CaseId>, String)>,
}

impl CasePanel {
    fn reload(&mut self) {
        self.loaded = None;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk, subject: &Subject) -> Option<Command> {
        if self.loaded.is_none() {
            match (
                desk.cases_of(subject.id),
                desk.commitments_awaiting_case(subject.id),
            ) {
                (Ok(c), Ok(m)) => self.loaded = Some((c, m)),
                (Err(e), _) | (_, Err(e)) => return Some(Command::error(e.to_string())),
            }
        }
        let (cases, free) = self.loaded.clone()?;
        let mut notice = None;
        let today = desk.today();

        // Commitments without a running case: accept the application on one of them.
        ui.strong("受理信易电业务");
        if free.is_empty() {
            ui.label(
                RichText::new("没有可受理的承诺：请先在“承诺书”页出具诚信守法用电承诺书。").weak(),
            );
        }
        for c in &free {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "承诺 {}（{}，{}）",
                    c.code,
                    c.business.label(),
                    if c.is_signed() {
                        "已签署"
                    } else {
                        "待签署"
                    }
                ));
                let l = ui.label("用电户");
                egui::ComboBox::from_id_salt(("case_account", c.id.0))
                    .selected_text(self.account.as_deref().unwrap_or("新装（暂无用户编号）"))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.account, None, "新装（暂无用户编号）");
                        for a in &subject.accounts {
                            ui.selectable_value(
                                &mut self.account,
                                Some(a.account_no.clone()),
                                format!("{}　{}", a.account_no, a.usage_address),
                            );
                        }
                    })
                    .response
                    .labelled_by(l.id);
                let asked = ui.button("受理").clicked();
                let account = self.account.as_deref();
                let opened = saving::save(ui, &format!("open_case{}", c.id), asked, || {
                    desk.open_case(c.id, account)
                });
                if let Some(r) = opened {
                    match r {
                        Ok(k) => {
                            notice = Some(Command::info(format!(
                                "已受理信易电业务（案件 {}），接火送电后请登记接电日期",
                                k.id
                            )));
                            self.error = None;
                            self.reload();
                        }
                        Err(e) => self.error = Some((None, e.to_string())),
                    }
                }
            });
        }
        if let Some((None, e)) = &self.error {
            ui.label(RichText::new(e).color(ERROR_COLOR));
        }

        ui.add_space(8.0);
        ui.separator();
        ui.strong(format!("信易电案件（{}）", cases.len()));
        if cases.is_empty() {
            ui.label(RichText::new("暂无").weak());
        }
        for k in &cases {
            ui.separator();
            let state = k.state(today);
            let color = match state {
                CaseState::Overdue | CaseState::Broken => ERROR_COLOR,
                CaseState::Fulfilled => egui::Color32::from_rgb(20, 120, 50),
                _ => ui.visuals().text_color(),
            };
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("案件 {}　{}", k.id, state.label()))
                        .strong()
                        .color(color),
                );
                ui.label(format!(
                    "{}　承诺 {}　{}{}　受理于 {}",
                    k.business.label(),
                    k.commitment_code,
                    if k.account_no.is_empty() {
                        "新装".to_string()
                    } else {
                        format!("用电户 {}", k.account_no)
                    },
                    if k.park.is_empty() {
                        String::new()
                    } else {
                        format!("（{}）", k.park)
                    },
                    k.applied_on
                ));
            });
            if let (Some(on), Some(deadline)) = (k.connected_on, k.deadline) {
                let left = k.days_left(today).unwrap_or(0);
                let due = if left >= 0 {
                    format!("还剩 {left} 天")
                } else {
                    format!("已逾期 {} 天", -left)
                };
                ui.label(format!(
                    "接火送电 {on}，物业权属证明须于 {deadline} 前补交（C-2）{}",
                    if k.status.is_open() {
                        format!("，{due}")
                    } else {
                        String::new()
                    }
                ));
            }
            for x in &k.extensions {
                ui.label(format!(
                    "延期：{} → {}（{}，{}）",
                    x.previous_deadline, x.until, x.reason, x.granted_by
                ));
            }
            if let Some(d) = &k.decision {
                ui.label(
                    RichText::new(format!(
                        "{} 认定违诺：{}；违诺责任追究：{}（D-4）",
                        d.decided_on, d.unfulfilled, d.liability_pursued
                    ))
                    .color(ERROR_COLOR),
                );
            }
            if let Some(w) = &k.withdrawal {
                ui.label(format!(
                    "{} 中止：{}（接火送电前中止，不作为信用记录，D-5）",
                    w.withdrawn_on, w.reason
                ));
            }
            notice = self.actions_ui(ui, desk, k, state).or(notice);
        }
        notice
    }

    fn actions_ui(
        &mut self,
        ui: &mut egui::Ui,
        desk: &mut Desk,
        k: &Case,
        state: CaseState,
    ) -> Option<Command> {
        let mut notice = None;
        let today = desk.today();
        let input = self.input.entry(k.id).or_insert_with(|| Input {
            date: today.to_string(),
            ..Input::default()
        });
        let mut result: Option<Result<String, String>> = None;
        match state {
            CaseState::Accepted => {
                ui.horizontal_wrapped(|ui| {
                    let l = ui.label("接火送电日期");
                    let r = ui
                        .add(egui::TextEdit::singleline(&mut input.date).desired_width(110.0))
                        .labelled_by(l.id);
                    // Enter in the date submits, as on every form (issue 15, point 3).
                    let enter = super::forms::enter_in(ui, &r);
                    let asked = ui.button("登记接电").clicked() || enter;
                    match parse_date(&input.date) {
                        Ok(d) => {
                            let salt = format!("connect_case{}", k.id);
                            if let Some(r) =
                                saving::save(ui, &salt, asked, || desk.connect_case(k.id, d))
                            {
                                result = Some(
                                    r.map(|c| {
                                        format!(
                                            "已登记接电，物业权属证明须于 {} 前补交",
                                            c.deadline.map(|d| d.to_string()).unwrap_or_default()
                                        )
                                    })
                                    .map_err(|e| e.to_string()),
                                );
                            }
                        }
                        Err(m) if asked => result = Some(Err(format!("接火送电日期：{m}"))),
                        Err(_) => {}
                    }
                });
                ui.horizontal_wrapped(|ui| {
                    let l = ui.label("中止原因");
                    let r = ui
                        .add(egui::TextEdit::singleline(&mut input.reason).desired_width(260.0))
                        .labelled_by(l.id);
                    let enter = super::forms::enter_in(ui, &r);
                    let asked = ui.button("申请人中止报装").clicked() || enter;
                    let salt = format!("withdraw_case{}", k.id);
                    let reason = &input.reason;
                    if let Some(r) =
                        saving::save(ui, &salt, asked, || desk.withdraw_case(k.id, reason))
                    {
                        result = Some(
                            r.map(|_| "已中止：接火送电前中止，不作为信用记录（D-5）".to_string())
                                .map_err(|e| e.to_string()),
                        );
                    }
                });
            }
            CaseState::Connected => {
                ui.horizontal_wrapped(|ui| {
                    let row = super::files::path_row(
                        ui,
                        "物业权属证明（PDF/JPG/PNG）",
                        &mut input.path,
                        "文件路径，或点“浏览…”选择",
                        300.0,
                        super::files::Browse::Open("证明文件", &["pdf", "jpg", "jpeg", "png"]),
                        true,
                    );
                    let asked = ui.button("上传并补证").clicked() || row.enter;
                    let salt = format!("fulfil_case{}", k.id);
                    let path = PathBuf::from(input.path.trim());
                    if let Some(r) =
                        saving::save(ui, &salt, asked, || desk.fulfil_case(k.id, &path))
                    {
                        result = Some(
                            r.map(|_| "已补交物业权属证明，承诺全部履行".to_string())
                                .map_err(|e| e.to_string()),
                        );
                    }
                });
            }
            CaseState::Overdue => {
                ui.label(
                    RichText::new("已逾期未补证：请班长在“待办”中认定违诺或批准延期")
                        .color(ERROR_COLOR),
                );
            }
            _ => {}
        }
        if let Some((Some(id), e)) = &self.error
            && *id == k.id
        {
            ui.label(RichText::new(e).color(ERROR_COLOR));
        }
        match result {
            Some(Ok(m)) => {
                notice = Some(Command::info(m));
                self.error = None;
                self.input.remove(&k.id);
                self.reload();
            }
            Some(Err(e)) => self.error = Some((Some(k.id), e)),
            None => {}
        }
        notice
    }
}
