//! The trust-check panel of a subject page (rules T-1..T-7): choose the business and account,
//! run the check, read the headline and every rule with its evidence and what to do next, and
//! browse past verdicts exactly as they were decided.

use egui::{Color32, RichText};

use super::Command;
use super::saving;
use crate::desk::{Desk, VerdictRow};
use crate::domain::subject::Subject;
use crate::domain::trust::{Business, RuleOutcome, Verdict, VerdictId};

const GREEN: Color32 = Color32::from_rgb(20, 120, 50);
const RED: Color32 = Color32::from_rgb(190, 30, 30);
const AMBER: Color32 = Color32::from_rgb(170, 110, 0);

/// Colour of a rule outcome.
pub fn outcome_color(o: RuleOutcome) -> Color32 {
    match o {
        RuleOutcome::Pass => GREEN,
        RuleOutcome::Fail => RED,
        RuleOutcome::Pending => AMBER,
        RuleOutcome::NotApplicable => Color32::GRAY,
    }
}

/// The T-7 incentive badges.
pub fn incentive_badges_ui(ui: &mut egui::Ui, incentives: &[String]) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("守信用电主体").strong().color(GREEN));
        for i in incentives {
            ui.label(
                RichText::new(format!(" {i} "))
                    .background_color(Color32::from_rgb(225, 245, 230))
                    .color(GREEN),
            );
        }
    });
}

/// Show a verdict: headline, then each rule row.
pub fn verdict_ui(ui: &mut egui::Ui, v: &Verdict) {
    let color = if v.trustworthy || v.eligible == Some(true) {
        GREEN
    } else if v.rules.iter().any(|r| r.outcome == RuleOutcome::Fail) {
        RED
    } else {
        AMBER
    };
    ui.label(RichText::new(&v.headline).heading().color(color));
    let business = v
        .business
        .map(|b| format!("业务：{}", b.label()))
        .unwrap_or_else(|| "未指定信易电业务".into());
    ui.label(
        RichText::new(format!(
            "核查日期 {}　{business}{}",
            v.date,
            v.account_no
                .as_ref()
                .map(|a| format!("　用电户 {a}"))
                .unwrap_or_default()
        ))
        .weak(),
    );
    if !v.incentives.is_empty() {
        incentive_badges_ui(ui, &v.incentives);
    }
    ui.add_space(4.0);
    for r in &v.rules {
        ui.separator();
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("{} {}", r.outcome.mark(), r.outcome.label()))
                    .strong()
                    .color(outcome_color(r.outcome)),
            );
            ui.label(RichText::new(format!("[{}]", r.id)).monospace());
            ui.label(RichText::new(&r.title).strong())
                .on_hover_text(&r.basis);
        });
        for e in &r.evidence {
            ui.label(format!("　{e}"));
        }
        if let Some(a) = &r.advice {
            ui.label(RichText::new(format!("　下一步：{a}")).color(outcome_color(r.outcome)));
        }
    }
}

/// The check panel of one subject.
pub struct TrustPanel {
    business: Option<Business>,
    account_no: Option<String>,
    /// The verdict shown: the one just run or one picked from the history.
    shown: Option<(VerdictId, Verdict, bool)>,
    history: Option<Vec<VerdictRow>>,
}

impl TrustPanel {
    pub fn new(subject: &Subject) -> Self {
        Self {
            business: None,
            account_no: subject.accounts.first().map(|a| a.account_no.clone()),
            shown: None,
            history: None,
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk, subject: &Subject) -> Option<Command> {
        let mut notice = None;
        if self.history.is_none() {
            match desk.verdicts_of(subject.id, 50) {
                Ok(h) => {
                    if self.shown.is_none()
                        && let Some(last) = h.first()
                        && let Ok(v) = desk.verdict(last.id)
                    {
                        self.shown = Some((last.id, v.verdict, true));
                    }
                    self.history = Some(h);
                }
                Err(e) => notice = Some(Command::error(e.to_string())),
            }
        }
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("信易电业务：");
            egui::ComboBox::from_id_salt("check_business")
                .selected_text(
                    self.business
                        .map_or("不指定（仅认定守信用电主体）", |b| b.label()),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.business, None, "不指定（仅认定守信用电主体）");
                    for b in Business::ALL {
                        ui.selectable_value(&mut self.business, Some(b), b.label());
                    }
                })
                .response
                .labelled_by(l.id);
            if self.business.is_some() {
                let l = ui.label("用电户：");
                egui::ComboBox::from_id_salt("check_account")
                    .selected_text(self.account_no.as_deref().unwrap_or("未指定"))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.account_no, None, "未指定");
                        for a in &subject.accounts {
                            ui.selectable_value(
                                &mut self.account_no,
                                Some(a.account_no.clone()),
                                format!("{}　{}", a.account_no, a.usage_address),
                            );
                        }
                    })
                    .response
                    .labelled_by(l.id);
            }
            let asked = ui.button("运行信用核查").clicked();
            let account = if self.business.is_some() {
                self.account_no.as_deref()
            } else {
                None
            };
            let business = self.business;
            let ran = saving::save(ui, "run_check", asked, || {
                desk.run_check(subject.id, business, account)
            });
            match ran {
                Some(Ok(out)) => {
                    notice = Some(Command::info(format!("核查完成：{}", out.verdict.headline)));
                    self.shown = Some((out.id, out.verdict, false));
                    self.history = None;
                }
                Some(Err(e)) => notice = Some(Command::error(e.to_string())),
                None => {}
            }
        });
        ui.add_space(6.0);
        match &self.shown {
            Some((id, v, past)) => {
                if *past {
                    ui.label(
                        RichText::new(format!(
                            "以下为核查记录 {} 的原始结论（按当时的数据）",
                            id.0
                        ))
                        .weak(),
                    );
                }
                verdict_ui(ui, v);
            }
            None => {
                ui.label("尚未核查。选择业务后点击“运行信用核查”。");
            }
        }
        ui.add_space(8.0);
        ui.separator();
        ui.strong("核查记录");
        let mut pick = None;
        if let Some(h) = &self.history {
            if h.is_empty() {
                ui.label(RichText::new("暂无").weak());
            }
            for row in h {
                let text = format!(
                    "{}　{}　{}　{}　操作员 {}",
                    row.checked_at.format("%Y-%m-%d %H:%M"),
                    row.business.map_or("—", |b| b.label()),
                    row.account_no.as_deref().unwrap_or(""),
                    row.headline,
                    row.operator
                );
                let selected = self.shown.as_ref().is_some_and(|(id, _, _)| *id == row.id);
                if ui.selectable_label(selected, text).clicked() {
                    pick = Some(row.id);
                }
            }
        }
        if let Some(id) = pick {
            match desk.verdict(id) {
                Ok(v) => self.shown = Some((id, v.verdict, true)),
                Err(e) => notice = Some(Command::error(e.to_string())),
            }
        }
        notice
    }
}
