//! 守信名单: the current 守信用电主体 (rule T-1) with the incentives they are owed (T-7), a
//! filter, and the XLSX export for the PV and energy-saving priority (issue 15, point 6).

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use super::Command;
use super::forms;
use crate::desk::Desk;
use crate::domain::operator::Action;
use crate::domain::trust::{INCENTIVES, TrustedRow};

pub struct TrustedPage {
    rows: Vec<TrustedRow>,
    filter: String,
    export_path: String,
    message: Option<(bool, String)>,
    /// The list just exported, offered to open.
    exported: Option<std::path::PathBuf>,
}

impl TrustedPage {
    pub fn load(desk: &Desk) -> Self {
        let dir = crate::print::documents_dir();
        let (rows, message) = match desk.trusted_subjects() {
            Ok(r) => (r, None),
            Err(e) => (Vec::new(), Some((false, e.to_string()))),
        };
        Self {
            rows,
            filter: String::new(),
            export_path: dir
                .join(format!("守信用电主体名单-{}.xlsx", desk.today()))
                .display()
                .to_string(),
            message,
            exported: None,
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let mut command = None;
        ui.heading("守信用电主体名单");
        ui.label(
            RichText::new(format!(
                "共 {} 个（规则 T-1，每次核查和夜间全量核查时更新）；可享受：{}（T-7）",
                self.rows.len(),
                INCENTIVES.join("、")
            ))
            .weak(),
        );
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("筛选");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("名称、代码或地址")
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
            if desk.may(Action::ExportLists) {
                super::files::path_row(
                    ui,
                    "导出到",
                    &mut self.export_path,
                    "",
                    320.0,
                    super::files::Browse::Save("守信用电主体名单.xlsx", &["xlsx"]),
                    true,
                );
                if ui.button("导出 XLSX").clicked() {
                    let path = std::path::PathBuf::from(self.export_path.trim());
                    self.message = Some(match desk.export_trusted(&path) {
                        Ok(n) => {
                            self.exported = Some(path.clone());
                            (true, format!("已导出 {n} 个：{}", path.display()))
                        }
                        Err(e) => (false, e.to_string()),
                    });
                }
            }
        });
        if let Some((ok, m)) = self.message.clone() {
            let (ok, m) = (&ok, &m);
            ui.horizontal_wrapped(|ui| {
                forms::outcome_ui(ui, *ok, m);
                if let Some(p) = &self.exported
                    && *ok
                    && let Some(e) = super::files::open_buttons(ui, p)
                {
                    self.message = Some((false, e));
                }
            });
        }
        let needle = self.filter.trim().to_uppercase();
        let shown: Vec<&TrustedRow> = self
            .rows
            .iter()
            .filter(|r| {
                needle.is_empty()
                    || r.name.to_uppercase().contains(&needle)
                    || r.code.to_uppercase().contains(&needle)
                    || r.address.contains(&needle)
            })
            .collect();
        egui::ScrollArea::horizontal().show(ui, |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .column(Column::initial(240.0).at_least(120.0).clip(true))
                .column(Column::initial(110.0))
                .column(Column::initial(180.0))
                .column(Column::initial(110.0))
                .column(Column::initial(90.0))
                .column(Column::remainder().at_least(160.0).clip(true))
                .header(24.0, |mut h| {
                    for t in ["名称", "类别", "代码", "电话", "认定日期", "地址"] {
                        h.col(|ui| {
                            ui.strong(t);
                        });
                    }
                })
                .body(|body| {
                    body.rows(24.0, shown.len(), |mut row| {
                        let Some(r) = shown.get(row.index()) else {
                            return;
                        };
                        row.col(|ui| {
                            if ui.link(&r.name).clicked() {
                                command = Some(Command::OpenSubject(r.subject_id));
                            }
                        });
                        row.col(|ui| {
                            ui.label(&r.kind);
                        });
                        row.col(|ui| {
                            ui.label(format!("{} {}", r.code_type, r.code));
                        });
                        row.col(|ui| {
                            ui.label(&r.phone);
                        });
                        row.col(|ui| {
                            ui.label(r.as_of.to_string());
                        });
                        row.col(|ui| {
                            ui.label(&r.address);
                        });
                    });
                });
        });
        command
    }
}
