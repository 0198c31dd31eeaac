//! The results table of the search bar (and the recent subjects when nothing was searched).
//! Virtualised with `TableBuilder::rows`: only visible rows are laid out, so it stays smooth with
//! 100k rows.

use egui::{Key, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::Command;
use crate::domain::subject::{SubjectId, SubjectSummary};

/// The rows on screen and which one the keyboard is on.
#[derive(Default)]
pub struct ResultsPanel {
    pub title: String,
    pub rows: Vec<SubjectSummary>,
    pub selected: Option<usize>,
    /// The search hit its limit: more subjects match than are shown.
    pub truncated: bool,
    /// Rows that are 守信用电主体 (rule T-7 badge).
    pub trusted: std::collections::HashSet<SubjectId>,
}

impl ResultsPanel {
    pub fn set(&mut self, title: String, rows: Vec<SubjectSummary>, truncated: bool) {
        self.title = title;
        self.selected = (!rows.is_empty()).then_some(0);
        self.rows = rows;
        self.truncated = truncated;
        self.trusted.clear();
    }

    /// The ids on the table (to look up their badges).
    pub fn ids(&self) -> Vec<SubjectId> {
        self.rows.iter().map(|r| r.id).collect()
    }

    /// [`Command::OpenSubject`] for the subject to open (row clicked, or Enter on the selected
    /// row when the search bar does not have the keyboard).
    pub fn ui(&mut self, ui: &mut egui::Ui, keyboard: bool) -> Option<Command> {
        let mut open = None;
        ui.horizontal(|ui| {
            ui.heading(&self.title);
            ui.label(format!("共 {} 条", self.rows.len()));
            if self.truncated {
                ui.label(RichText::new("（只显示前面的结果，请输入更完整的名称）").weak());
            }
        });
        if self.rows.is_empty() {
            ui.add_space(12.0);
            ui.label("没有找到符合条件的主体。可以换一个名称片段，或点“新建主体”登记。");
            return None;
        }
        let mut scroll_to = None;
        if keyboard {
            let (down, up, enter) = ui.input(|i| {
                (
                    i.key_pressed(Key::ArrowDown),
                    i.key_pressed(Key::ArrowUp),
                    i.key_pressed(Key::Enter),
                )
            });
            let last = self.rows.len() - 1;
            if down {
                self.selected = Some(self.selected.map_or(0, |s| (s + 1).min(last)));
                scroll_to = self.selected;
            }
            if up {
                self.selected = Some(self.selected.map_or(0, |s| s.saturating_sub(1)));
                scroll_to = self.selected;
            }
            if enter {
                open = self.selected.and_then(|s| self.rows.get(s)).map(|r| r.id);
            }
        }
        // Selectable labels would swallow the click meant for the row.
        ui.style_mut().interaction.selectable_labels = false;
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .sense(Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(300.0).at_least(160.0).clip(true))
            .column(Column::initial(120.0))
            .column(Column::initial(190.0))
            .column(Column::initial(130.0))
            .column(Column::remainder().clip(true));
        if let Some(row) = scroll_to {
            table = table.scroll_to_row(row, None);
        }
        table
            .header(row_height, |mut h| {
                for t in ["名称", "类别", "代码 / 证件号码", "联系电话", "地址"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.rows.len(), |mut row| {
                    let i = row.index();
                    let Some(s) = self.rows.get(i) else {
                        return;
                    };
                    row.set_selected(self.selected == Some(i));
                    let trusted = self.trusted.contains(&s.id);
                    row.col(|ui| {
                        ui.label(&s.name);
                        if trusted {
                            ui.label(
                                RichText::new("守信")
                                    .small()
                                    .color(egui::Color32::from_rgb(20, 120, 50)),
                            )
                            .on_hover_text(
                                "守信用电主体：专属客户经理、上门服务、VIP 绿色通道、容缺受理（T-7）",
                            );
                        }
                    });
                    row.col(|ui| {
                        ui.label(s.kind.label());
                    });
                    row.col(|ui| {
                        ui.monospace(&s.code_masked);
                    });
                    row.col(|ui| {
                        ui.label(&s.phone);
                    });
                    row.col(|ui| {
                        ui.label(&s.address);
                    });
                    if row.response().clicked() {
                        self.selected = Some(i);
                        open = Some(s.id);
                    }
                });
            });
        open.map(Command::OpenSubject)
    }
}
