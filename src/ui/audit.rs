//! 日志: the audit trail for supervisors, filtered by operator, subject (its code, 用户编号 or
//! name), action and dates, and exported as CSV; subjects are shown by name.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use super::forms::{self, ERROR_COLOR};
use crate::desk::{AuditFilter, Desk};
use crate::domain::audit::AuditEntry;
use crate::domain::text::parse_date;

const AUDIT_LIMIT: usize = 5000;

pub struct AuditPage {
    staff_no: String,
    /// The subject as typed: code, 用户编号 or name.
    subject: String,
    action: String,
    from: String,
    to: String,
    rows: Vec<AuditEntry>,
    /// Names of the subjects the rows name.
    names: std::collections::HashMap<i64, String>,
    error: Option<String>,
    verdict: Option<(bool, String)>,
    /// The CSV just exported, offered to open.
    exported: Option<std::path::PathBuf>,
    export_path: String,
}

impl Default for AuditPage {
    fn default() -> Self {
        let dir = crate::print::documents_dir();
        Self {
            staff_no: String::new(),
            subject: String::new(),
            action: String::new(),
            from: String::new(),
            to: String::new(),
            rows: Vec::new(),
            names: Default::default(),
            error: None,
            verdict: None,
            exported: None,
            export_path: dir.join("操作日志.csv").display().to_string(),
        }
    }
}

impl AuditPage {
    pub fn load(desk: &Desk) -> Self {
        let mut p = Self::default();
        p.query(desk);
        p
    }

    fn filter(&self, desk: &Desk) -> Result<AuditFilter, String> {
        let opt = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        let date = |s: &str, what: &str| match opt(s) {
            None => Ok(None),
            Some(t) => parse_date(&t).map(Some).map_err(|e| format!("{what}：{e}")),
        };
        let subject_id = match opt(&self.subject) {
            None => None,
            Some(t) => Some(desk.audit_subject(&t).map_err(|e| e.to_string())?.0),
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
        match self.filter(desk) {
            Ok(f) => match desk.audit_log(&f, AUDIT_LIMIT) {
                Ok(rows) => {
                    for id in rows.iter().filter_map(|e| e.content.subject_id) {
                        if !self.names.contains_key(&id)
                            && let Ok(s) = desk.subject(crate::domain::subject::SubjectId(id))
                        {
                            self.names.insert(id, s.name);
                        }
                    }
                    self.rows = rows;
                }
                Err(e) => self.error = Some(e.to_string()),
            },
            Err(e) => self.error = Some(e),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.heading("操作日志");
        ui.add_space(6.0);
        let mut go = false;
        ui.horizontal_wrapped(|ui| {
            for (label, value, width) in [
                ("工号", &mut self.staff_no, 80.0),
                ("主体（代码或名称）", &mut self.subject, 200.0),
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
        ui.horizontal(|ui| {
            super::files::path_row(
                ui,
                "导出到",
                &mut self.export_path,
                "",
                360.0,
                super::files::Browse::Save("操作日志.csv", &["csv"]),
                true,
            );
            if ui.button("导出 CSV").clicked() {
                let path = std::path::PathBuf::from(self.export_path.trim());
                self.verdict = Some(match self.filter(desk) {
                    Ok(f) => match desk.export_audit(&f, AUDIT_LIMIT, &path) {
                        Ok(n) => {
                            self.exported = Some(path.clone());
                            (true, format!("已导出 {n} 条到 {}", path.display()))
                        }
                        Err(e) => (false, e.to_string()),
                    },
                    Err(e) => (false, e),
                });
            }
        });
        if let Some((ok, text)) = self.verdict.clone() {
            let (ok, text) = (&ok, &text);
            ui.horizontal_wrapped(|ui| {
                forms::outcome_ui(ui, *ok, text);
                if let Some(p) = &self.exported
                    && *ok
                    && text.starts_with("已导出")
                    && let Some(e) = super::files::open_buttons(ui, p)
                {
                    self.verdict = Some((false, e));
                }
            });
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
            .column(Column::initial(160.0).clip(true))
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
                        ui.label(
                            c.subject_id
                                .map(|i| {
                                    self.names.get(&i).cloned().unwrap_or_else(|| i.to_string())
                                })
                                .unwrap_or_default(),
                        );
                    });
                    row.col(|ui| {
                        ui.label(&c.summary);
                    });
                });
            });
    }
}
