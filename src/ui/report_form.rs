//! The hand-entry form of a credit report that the program could not read (not a PDF, encrypted,
//! a scan) or read only in part: the clerk types the key facts and the adverse entries from the
//! paper, next to whatever text could be read. Each typed fact is recorded with the operator.

use egui::RichText;

use super::forms::{ERROR_COLOR, FormKeys, FormOutcome};
use super::saving;
use crate::desk::{Desk, HandAdverse, HandEntryNeeded, HandFacts, PreparedReport, ReportImport};
use crate::domain::report::{AdverseKind, ReportFact};
use crate::domain::subject::SubjectId;
use crate::domain::text::parse_date;

/// The facts the form asks for, in order.
const FORM_FACTS: [(ReportFact, &str); 7] = [
    (ReportFact::ReportNo, "22 位，如 2026050419025750859D39"),
    (
        ReportFact::GeneratedAt,
        "如 2026-05-04 或 2026-05-04 19:02:57",
    ),
    (ReportFact::Platform, "信用中国、信用广东或信用湛江"),
    (ReportFact::IssuingUnit, "如 国家公共信用和地理空间信息中心"),
    (ReportFact::Kind, "法人和非法人组织 或 个人"),
    (ReportFact::SubjectName, "照报告填写"),
    (ReportFact::SubjectCode, "统一社会信用代码或证件号码"),
];

/// One adverse entry being typed.
struct AdverseRow {
    kind: AdverseKind,
    date: String,
    title: String,
}

/// What the form asks of its owner.
pub enum ReportFormOutcome {
    Saved(ReportImport),
    Cancel,
    Nothing,
}

pub struct ReportForm {
    subject: SubjectId,
    prepared: PreparedReport,
    needed: HandEntryNeeded,
    values: Vec<(ReportFact, String)>,
    adverse: Vec<AdverseRow>,
    chapters_confirmed: bool,
    /// The facts as read from the file: Esc on a changed form asks first.
    opened_with: Vec<(ReportFact, String)>,
    /// The keyboard contract (issue 15, point 3).
    keys: FormKeys,
}

impl ReportForm {
    pub fn new(subject: SubjectId, prepared: PreparedReport, needed: HandEntryNeeded) -> Self {
        let values: Vec<(ReportFact, String)> = FORM_FACTS
            .iter()
            .map(|(f, _)| (*f, needed.prefilled.fact_text(*f).unwrap_or_default()))
            .collect();
        Self {
            subject,
            prepared,
            needed,
            opened_with: values.clone(),
            values,
            adverse: Vec::new(),
            chapters_confirmed: false,
            keys: FormKeys::new(),
        }
    }

    fn facts(&self) -> Result<HandFacts, String> {
        let mut adverse = Vec::new();
        for (i, row) in self.adverse.iter().enumerate() {
            let date = match row.date.trim() {
                "" => None,
                d => Some(
                    parse_date(d)
                        .map_err(|e| format!("第 {} 条不良信息的日期“{d}”：{e}", i + 1))?,
                ),
            };
            adverse.push(HandAdverse {
                kind: row.kind,
                date,
                title: row.title.clone(),
            });
        }
        Ok(HandFacts {
            facts: self.values.clone(),
            adverse,
            chapters_confirmed: self.chapters_confirmed,
        })
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> ReportFormOutcome {
        let mut outcome = ReportFormOutcome::Nothing;
        ui.add_space(6.0);
        ui.strong(format!("手工录入信用报告：{}", self.prepared.file_name));
        ui.label(RichText::new(&self.needed.reason).color(ERROR_COLOR));
        if !self.needed.missing.is_empty() {
            let names: Vec<&str> = self.needed.missing.iter().map(|f| f.label()).collect();
            ui.label(format!(
                "请对照报告原件填写，至少需要：{}",
                names.join("、")
            ));
        }
        let mut enter = false;
        let keys = &mut self.keys;
        ui.columns(2, |cols| {
            let [left, right] = cols else {
                return;
            };
            egui::Grid::new("report_form_facts")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(left, |ui| {
                    for ((fact, value), (_, hint)) in self.values.iter_mut().zip(FORM_FACTS) {
                        enter |= keys.grid_line(ui, fact.label(), value, hint, 260.0);
                    }
                });
            right.label(RichText::new("已读到的文字（供参考）").weak());
            let text = if self.needed.partial_text.trim().is_empty() {
                "（文件中没有可读取的文字）"
            } else {
                self.needed.partial_text.as_str()
            };
            egui::ScrollArea::vertical()
                .id_salt("report_form_text")
                .max_height(240.0)
                .show(right, |ui| {
                    // A selectable label: the clerk can copy a number from it.
                    ui.add(egui::Label::new(RichText::new(text).monospace()).selectable(true));
                });
        });

        ui.add_space(6.0);
        ui.strong(
            "不良信息（严重失信主体名单、行政处罚、经营异常名录、失信被执行人、其他失信信息）",
        );
        let mut remove = None;
        for (i, row) in self.adverse.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("第 {} 条", i + 1));
                egui::ComboBox::from_id_salt(("adverse_kind", i))
                    .selected_text(row.kind.label())
                    .show_ui(ui, |ui| {
                        for k in AdverseKind::ALL {
                            ui.selectable_value(&mut row.kind, k, k.label());
                        }
                    });
                let l = ui.label("日期");
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut row.date)
                            .hint_text("2024-12-24")
                            .desired_width(100.0),
                    )
                    .labelled_by(l.id);
                enter |= super::forms::enter_in(ui, &r);
                let l = ui.label("内容");
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut row.title)
                            .hint_text("决定书文号、名单类型等")
                            .desired_width(280.0),
                    )
                    .labelled_by(l.id);
                enter |= super::forms::enter_in(ui, &r);
                if ui.button("删除").clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            self.adverse.remove(i);
        }
        if ui.button("添加一条不良信息").clicked() {
            self.adverse.push(AdverseRow {
                kind: AdverseKind::AdministrativePenalty,
                date: String::new(),
                title: String::new(),
            });
        }
        ui.checkbox(
            &mut self.chapters_confirmed,
            "已对照原件核对第二、四、五、八、九章，上面列出了全部不良信息（依据 T-4）",
        );
        let dirty =
            self.values != self.opened_with || !self.adverse.is_empty() || self.chapters_confirmed;
        let pressed = self.keys.buttons(ui, "保存报告（Enter）", enter, dirty);
        let asked = pressed == FormOutcome::Submit;
        let saved = match self.facts() {
            Ok(facts) => saving::save(ui, "save_report", asked, || {
                desk.save_hand_entered_prepared(self.subject, &self.prepared, &facts)
            })
            .map(|r| r.map_err(|e| e.to_string())),
            Err(e) => asked.then_some(Err(e)),
        };
        match saved {
            Some(Ok(o)) => outcome = ReportFormOutcome::Saved(o),
            Some(Err(e)) => self.keys.refuse(e),
            None if pressed == FormOutcome::Cancel => outcome = ReportFormOutcome::Cancel,
            None => {}
        }
        outcome
    }
}
