//! The 用电记录 tab of a subject page (rule S-2): the subject's power-supply records, newest first,
//! dishonesty records (失信记录) highlighted with their rule and reason (rules D-1..D-3), the 数额较大
//! threshold in force, and the buttons that add, correct, remind, settle and record a just cause.

use chrono::NaiveDate;
use egui::{Color32, RichText, Stroke};

use super::Command;
use super::forms::{ERROR_COLOR, FormOutcome};
use super::record_form::{QuickAction, QuickForm, RecordForm, RecordFormMode};
use super::saving;
use crate::desk::{Desk, RecordView};
use crate::domain::dishonesty::Outcome;
use crate::domain::operator::Action;
use crate::domain::records::{Fen, Record};
use crate::domain::subject::{Subject, SubjectId};

/// Background of a dishonesty record.
const DISHONEST_FILL: Color32 = Color32::from_rgb(253, 232, 232);

/// The tab's state: the records as loaded, and the open form if any.
#[derive(Default)]
pub struct RecordsTab {
    /// Which subject, as of which day, the views were judged for.
    loaded: Option<(SubjectId, NaiveDate)>,
    views: Vec<RecordView>,
    /// The subject's broken commitments (D-4) with their repair/objection standing.
    breaches: Vec<crate::desk::CreditTarget>,
    threshold: Option<Fen>,
    error: Option<String>,
    form: Option<RecordForm>,
    quick: Option<QuickForm>,
    /// 申请信用修复 or 提出异议 on a record (rules ).
    credit: Option<CreditForm>,
}

/// The repair or objection form open on the tab.
enum CreditForm {
    Repair(super::credit_page::RepairForm),
    Objection(super::credit_page::ObjectionForm),
}

/// What a record's buttons asked for.
enum Chosen {
    Correct,
    Quick(QuickAction),
    Repair,
    Objection,
}

/// The amount a timeline row shows: what was paid, owed, or (theft) recovered plus the penalty.
fn amount_of(r: &Record) -> Fen {
    match r {
        Record::Payment(p) => p.amount,
        Record::Arrears(a) => a.amount,
        Record::Violation(v) => v.total_amount,
        Record::Theft(t) => Fen(t.recovered_fees.0.saturating_add(t.penalty_fees.0)),
    }
}

fn source_label(source: &str) -> String {
    match source.strip_prefix("import:") {
        Some(file) => format!("来源：导入“{file}”"),
        None if source == crate::desk::COUNTER_SOURCE => "来源：柜台录入".into(),
        None => format!("来源：{source}"),
    }
}

impl RecordsTab {
    /// Whether a form on the tab is open (Esc then belongs to it).
    pub fn is_editing(&self) -> bool {
        self.form.is_some() || self.quick.is_some() || self.credit.is_some()
    }

    fn reload(&mut self, desk: &Desk, subject: SubjectId) {
        self.loaded = Some((subject, desk.today()));
        match desk.records_of(subject) {
            Ok(v) => {
                self.views = v;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.breaches = desk
            .credit_targets(subject)
            .map(|t| {
                t.into_iter()
                    .filter(|t| {
                        matches!(
                            t.target.target,
                            crate::domain::credit::TargetRef::Commitment { .. }
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.threshold = desk
            .dishonesty_params()
            .ok()
            .map(|p| p.large_arrears_threshold);
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk, subject: &Subject) -> Option<Command> {
        if self.loaded != Some((subject.id, desk.today())) {
            self.reload(desk, subject.id);
        }
        let mut notice = None;
        let may_enter = desk.may(Action::EnterRecord);
        let may_credit = desk.may(Action::HandleCredit);
        let dishonest = self
            .views
            .iter()
            .filter(|v| matches!(v.outcome, Outcome::Dishonest(_)))
            .count();
        ui.horizontal(|ui| {
            ui.strong(format!(
                "用电记录（{} 条，其中失信记录 {dishonest} 条）",
                self.views.len()
            ));
            if may_enter && !self.is_editing() && ui.button("录入用电记录").clicked() {
                self.form = Some(RecordForm::new(subject));
            }
        });
        if let Some(t) = self.threshold {
            ui.label(
                RichText::new(format!(
                    "欠费“数额较大”标准：{t}（规则 D-1，管理员可在“设置”中修改）"
                ))
                .weak(),
            );
        }
        if let Some(e) = &self.error {
            ui.label(RichText::new(e).color(ERROR_COLOR));
        }
        ui.separator();

        egui::ScrollArea::vertical().show(ui, |ui| {
            if let Some(n) = self.forms_ui(ui, desk, subject) {
                notice = Some(n);
            }
            if self.views.is_empty() {
                ui.label(RichText::new("尚无用电记录").weak());
            }
            let mut open: Option<(RecordView, Chosen)> = None;
            let free = !self.is_editing();
            for v in self.views.iter().rev() {
                if let Some(a) = entry_ui(ui, v, may_enter && free, may_credit && free) {
                    open = Some((v.clone(), a));
                }
            }
            // Broken commitments (D-4) are dishonesty records too: repaired or disputed here.
            let mut on_breach: Option<(crate::desk::CreditTarget, bool)> = None;
            for t in &self.breaches {
                let frame = egui::Frame::new().stroke(Stroke::new(1.5, ERROR_COLOR));
                frame.inner_margin(8.0).corner_radius(4.0).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(
                        RichText::new("违反信用承诺 · D-4")
                            .color(ERROR_COLOR)
                            .strong(),
                    );
                    ui.label(&t.target.summary);
                    let mark = t.credit.label();
                    if !mark.is_empty() {
                        ui.label(RichText::new(format!("【{mark}】")).strong());
                    }
                    if may_credit && free {
                        ui.horizontal(|ui| {
                            if t.repairable && ui.small_button("申请信用修复").clicked() {
                                on_breach = Some((t.clone(), true));
                            }
                            if t.credit.disputed.is_none()
                                && t.credit.withdrawn.is_none()
                                && ui.small_button("提出异议").clicked()
                            {
                                on_breach = Some((t.clone(), false));
                            }
                        });
                    }
                });
                ui.add_space(4.0);
            }
            match on_breach {
                Some((t, true)) => {
                    self.credit = Some(CreditForm::Repair(
                        super::credit_page::RepairForm::for_target(&t),
                    ))
                }
                Some((t, false)) => {
                    self.credit = Some(CreditForm::Objection(
                        super::credit_page::ObjectionForm::for_target(&t),
                    ))
                }
                None => {}
            }
            match open {
                Some((v, Chosen::Correct)) => self.form = Some(RecordForm::correct(&v)),
                Some((v, Chosen::Quick(a))) => self.quick = QuickForm::new(a, &v, desk.today()),
                Some((v, Chosen::Repair)) => {
                    self.credit = Some(CreditForm::Repair(super::credit_page::RepairForm::new(&v)))
                }
                Some((v, Chosen::Objection)) => {
                    self.credit = Some(CreditForm::Objection(
                        super::credit_page::ObjectionForm::new(&v),
                    ))
                }
                None => {}
            }
        });
        notice
    }

    /// The open form, if any, above the timeline.
    fn forms_ui(
        &mut self,
        ui: &mut egui::Ui,
        desk: &mut Desk,
        subject: &Subject,
    ) -> Option<Command> {
        let today = desk.today();
        let mut notice = None;
        if let Some(form) = &mut self.form {
            let outcome = form.ui(ui, subject, today);
            let saved =
                saving::save(
                    ui,
                    "record_form",
                    outcome == FormOutcome::Submit,
                    || match form.mode {
                        RecordFormMode::New => desk.enter_record(subject.id, &form.draft).map(drop),
                        RecordFormMode::Correct(id) => desk.correct_record(id, &form.draft),
                    },
                );
            match (saved, outcome) {
                (Some(r), _) => match r {
                    Ok(()) => {
                        let done = match form.mode {
                            RecordFormMode::New => "已录入用电记录",
                            RecordFormMode::Correct(_) => "已保存更正",
                        };
                        notice = Some(Command::info(done));
                        self.form = None;
                        self.reload(desk, subject.id);
                    }
                    Err(e) => form.show_refusal(&e),
                },
                (None, FormOutcome::Cancel) => self.form = None,
                (None, _) => {}
            }
            ui.separator();
        }
        if let Some(f) = &mut self.credit {
            let done = match f {
                CreditForm::Repair(f) => f.ui(ui, desk, subject),
                CreditForm::Objection(f) => f.ui(ui, desk, subject),
            };
            if let super::credit_page::FormDone::Closed(n) = done {
                self.credit = None;
                if n.is_some() {
                    notice = n;
                    self.reload(desk, subject.id);
                }
            }
            ui.separator();
        }
        if let Some(q) = &mut self.quick {
            let outcome = q.ui(ui, today);
            let saved = saving::save(ui, "quick_form", outcome == FormOutcome::Submit, || match q
                .action
            {
                QuickAction::Reminder => desk.record_reminder(q.record, &q.value),
                QuickAction::Settle => desk.settle_arrears(q.record, &q.value),
                QuickAction::JustCause => desk.record_just_cause(q.record, &q.value),
            });
            match (saved, outcome) {
                (Some(r), _) => match r {
                    Ok(()) => {
                        notice = Some(Command::info(format!("已{}", q.action.button())));
                        self.quick = None;
                        self.reload(desk, subject.id);
                    }
                    Err(e) => q.show_refusal(&e),
                },
                (None, FormOutcome::Cancel) => self.quick = None,
                (None, _) => {}
            }
            ui.separator();
        }
        notice
    }
}

/// One record of the timeline. Returns the action the clerk chose.
fn entry_ui(ui: &mut egui::Ui, v: &RecordView, buttons: bool, credit: bool) -> Option<Chosen> {
    let finding = match &v.outcome {
        Outcome::Dishonest(f) => Some(f),
        Outcome::NotDishonest(_) => None,
    };
    let frame = if finding.is_some() {
        egui::Frame::new()
            .fill(DISHONEST_FILL)
            .stroke(Stroke::new(1.5, ERROR_COLOR))
    } else {
        egui::Frame::new().stroke(Stroke::new(1.0, Color32::from_gray(200)))
    };
    let mut chosen = None;
    ui.push_id(v.id.0, |ui| {
        frame.inner_margin(8.0).corner_radius(4.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            let r = &v.record;
            ui.horizontal_wrapped(|ui| {
                ui.monospace(r.date().to_string());
                ui.strong(r.kind().label());
                if let Some(no) = r.account_no() {
                    ui.label(format!("用户编号 {no}"));
                }
                ui.label(amount_of(r).to_string());
                if let Some(f) = finding {
                    ui.label(
                        RichText::new(format!("失信记录 · {}", f.rule))
                            .color(ERROR_COLOR)
                            .strong(),
                    );
                }
            });
            ui.label(r.summary());
            match &v.outcome {
                Outcome::Dishonest(f) => {
                    ui.label(
                        RichText::new(format!("{}：{}", f.rule.title(), f.reason))
                            .color(ERROR_COLOR),
                    );
                }
                Outcome::NotDishonest(c) if c.rule.is_some() => {
                    ui.label(RichText::new(&c.reason).weak());
                }
                Outcome::NotDishonest(_) => {}
            }
            if let Some(refusal) = &v.platform_refusal {
                ui.label(RichText::new(refusal).color(ERROR_COLOR));
            }
            // 已修复 / 已撤销 / 公示期满 / 异议中 (rules ).
            let mark = v.credit.label();
            if !mark.is_empty() {
                ui.label(
                    RichText::new(format!("【{mark}】"))
                        .strong()
                        .color(egui::Color32::from_rgb(0, 110, 60)),
                );
            }
            ui.horizontal(|ui| {
                ui.label(RichText::new(source_label(&v.source)).weak().small());
                if credit {
                    if v.credit.counts() && ui.small_button("申请信用修复").clicked() {
                        chosen = Some(Chosen::Repair);
                    }
                    if v.credit.disputed.is_none()
                        && v.credit.withdrawn.is_none()
                        && ui.small_button("提出异议").clicked()
                    {
                        chosen = Some(Chosen::Objection);
                    }
                }
                if !buttons {
                    return;
                }
                if ui.small_button("更正").clicked() {
                    chosen = Some(Chosen::Correct);
                }
                if let Record::Arrears(a) = r {
                    let mut actions = Vec::new();
                    if a.reminded_on.is_none() && a.paid_off_on.is_none() {
                        actions.push(QuickAction::Reminder);
                    }
                    if a.paid_off_on.is_none() {
                        actions.push(QuickAction::Settle);
                    }
                    actions.push(QuickAction::JustCause);
                    for action in actions {
                        if ui.small_button(action.button()).clicked() {
                            chosen = Some(Chosen::Quick(action));
                        }
                    }
                }
            });
        });
    });
    ui.add_space(4.0);
    chosen
}
