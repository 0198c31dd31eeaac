//! 日志: the audit trail for supervisors, filtered by operator, subject, action and dates.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use super::forms::{self, ERROR_COLOR};
use crate::desk::{AuditFilter, Desk};
use crate::domain::audit::AuditEntry;
use crate::domain::text::parse_date;

const AUDIT_LIMIT: usize = 5000;

#[derive(Default)]
pub struct AuditPage {
    staff_no: String,
    subject_id: String,
    action: String,
    from: String,
    to: String,
    rows: Vec<AuditEntry>,
    error: Option<String>,
    verdict: Option<(bool, String)>,
}

impl AuditPage {
    pub fn load(desk: &Desk) -> Self {
        let mut p = Self::default();
        p.query(desk);
        p
    }

    fn filter(&self) -> Result<AuditFilter, String> {
        let opt = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        let date = |s: &str, what: &str| match opt(s) {
            None => Ok(None),
            Some(t) => parse_date(&t).map(Some).map_err(|e| format!("{what}：{e}")),
        };
        let subject_id = match opt(&self.subject_id) {
            None => None,
            Some(t) => Some(
                t.parse::<i64>()
                    .map_err(|_| "主体编号应为数字（见主体页的编号）".to_string())?,
            ),
        };
        Ok(AuditFilter {
            staff_no: opt(&self.staff_no).map(|s| s.to_uppercase()),
            subject_id,
            action: opt(&self.action),
            from: date(&self.from, "开始日期")?,
            to: date(&self.to, "结束日期")?,
        })
    }

    fn query(&mut self, desk: &Desk) {
        self.error = None;
        match self.filter() {
            Ok(f) => match desk.audit_log(&f, AUDIT_LIMIT) {
                Ok(rows) => self.rows = rows,
                Err(e) => self.error = Some(e.to_string()),
            },
            Err(e) => self.error = Some(e),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &Desk) {
        ui.heading("操作日志");
        ui.add_space(6.0);
        let mut go = false;
        ui.horizontal_wrapped(|ui| {
            for (label, value, width) in [
                ("工号", &mut self.staff_no, 80.0),
                ("主体编号", &mut self.subject_id, 80.0),
                ("操作", &mut self.action, 120.0),
                ("从", &mut self.from, 100.0),
                ("到", &mut self.to, 100.0),
            ] {
                let l = ui.label(label);
                let r = ui
                    .add(egui::TextEdit::singleline(value).desired_width(width))
                    .labelled_by(l.id);
                go |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            }
            go |= ui.button("筛选").clicked();
            if ui.button("校验日志完整性").clicked() {
                self.verdict = Some(match desk.verify_audit() {
                    Ok(v) => match v.broken {
                        None => (
                            true,
                            format!("日志完整：共 {} 条，哈希链未被改动", v.rows_checked),
                        ),
                        Some(b) => (false, format!("日志被改动：{b}")),
                    },
                    Err(e) => (false, e.to_string()),
                });
            }
        });
        if go {
            self.query(desk);
        }
        if let Some((ok, text)) = &self.verdict {
            forms::outcome_ui(ui, *ok, text);
        }
        if let Some(e) = &self.error {
            ui.label(RichText::new(e).color(ERROR_COLOR));
        }
        ui.label(format!(
            "共 {} 条（最多显示 {AUDIT_LIMIT} 条，最新的在前）",
            self.rows.len()
        ));
        ui.style_mut().interaction.selectable_labels = false;
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::initial(50.0))
            .column(Column::initial(140.0))
            .column(Column::initial(70.0))
            .column(Column::initial(150.0))
            .column(Column::initial(150.0))
            .column(Column::initial(60.0))
            .column(Column::remainder().clip(true))
            .header(24.0, |mut h| {
                for t in ["序号", "时间", "工号", "窗口", "操作", "主体", "内容"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, self.rows.len(), |mut row| {
                    let Some(e) = self.rows.get(row.index()) else {
                        return;
                    };
                    let c = &e.content;
                    row.col(|ui| {
                        ui.label(e.seq.to_string());
                    });
                    row.col(|ui| {
                        ui.label(c.at.format("%Y-%m-%d %H:%M:%S").to_string());
                    });
                    row.col(|ui| {
                        ui.label(&c.staff_no);
                    });
                    row.col(|ui| {
                        ui.label(&c.window);
                    });
                    row.col(|ui| {
                        ui.label(&c.action);
                    });
                    row.col(|ui| {
                        ui.label(c.subject_id.map(|i| i.to_string()).unwrap_or_default());
                    });
                    row.col(|ui| {
                        ui.label(&c.summary);
                    });
                });
            });
    }
}
