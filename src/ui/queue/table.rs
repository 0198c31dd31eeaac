//! The 待办 table itself: sortable columns, virtualised rows (only what is on screen is laid
//! out), the phone to call, and the row buttons that open a supervisor's decision.

use egui::{Color32, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::decision::DecisionKind;
use super::{QueuePage, WINDOW};
use crate::desk::Desk;
use crate::domain::case::{CaseState, QueueSort};
use crate::ui::forms::ERROR_COLOR;

impl QueuePage {
    /// The table; returns a row and the decision a supervisor asked for on it.
    pub(super) fn table_ui(
        &mut self,
        ui: &mut egui::Ui,
        desk: &Desk,
        may_decide: bool,
    ) -> Option<(usize, DecisionKind)> {
        let mut asked = None;
        let mut resort = None;
        let mut open = None;
        let mut picked = None;
        // One failed fetch per frame is enough (the error is shown; no retry per row).
        let mut fetch_failed = false;
        let mut shown: Option<(usize, usize)> = None;
        let today = self.today;
        ui.style_mut().interaction.selectable_labels = false;
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
        let headers: [(&str, Option<QueueSort>); 11] = [
            ("案件", None),
            ("操作", None),
            ("状态", None),
            ("补证期限", Some(QueueSort::Deadline)),
            ("剩余天数", None),
            ("主体", Some(QueueSort::Subject)),
            ("联系电话", None),
            ("用户编号", None),
            ("受理日期", Some(QueueSort::Applied)),
            ("营业厅", Some(QueueSort::Hall)),
            ("柜员", Some(QueueSort::Clerk)),
        ];
        let mut table = TableBuilder::new(ui);
        if let Some(i) = self.scroll_to.take() {
            table = table.scroll_to_row(i, Some(egui::Align::TOP));
        }
        table
            .striped(true)
            .sense(Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(56.0))
            // The actions come early, so they stay in view on a narrow screen (issue 15).
            .column(Column::exact(150.0))
            .column(Column::exact(56.0))
            .column(Column::exact(96.0))
            .column(Column::exact(72.0))
            // The subject takes the width left over, so names are not cut while there is room.
            .column(Column::remainder().at_least(140.0).clip(true))
            .column(Column::exact(120.0))
            .column(Column::exact(110.0))
            .column(Column::exact(96.0))
            .column(Column::initial(84.0).clip(true))
            .column(Column::initial(72.0).clip(true))
            .header(row_height, |mut h| {
                for (title, sort) in headers {
                    h.col(|ui| match sort {
                        Some(s) => {
                            let arrow = match (self.sort == s, self.descending) {
                                (true, false) => " ▲",
                                (true, true) => " ▼",
                                _ => "",
                            };
                            if ui
                                .add(
                                    egui::Button::new(
                                        RichText::new(format!("{title}{arrow}")).strong(),
                                    )
                                    .frame(false),
                                )
                                .clicked()
                            {
                                resort = Some(s);
                            }
                        }
                        None => {
                            ui.strong(title);
                        }
                    });
                }
            })
            .body(|body| {
                // Virtualised: only the visible rows are laid out, and only they need to be
                // in the window.
                body.rows(row_height, self.total, |mut row| {
                    let i = row.index();
                    shown = Some(shown.map_or((i, i), |(lo, hi)| (lo.min(i), hi.max(i))));
                    // Without a prefetch thread (no second connection) the window is read here.
                    if self.row(i).is_none() && !fetch_failed && self.prefetch.is_none() {
                        fetch_failed = !self.fetch_around(desk, i);
                    }
                    let Some(r) = self.row(i) else {
                        row.col(|ui| {
                            ui.weak("…");
                        });
                        return;
                    };
                    row.set_selected(self.selected == Some(i));
                    let state = r.state(today);
                    row.col(|ui| {
                        ui.label(r.case_id.to_string());
                    });
                    row.col(|ui| {
                        if may_decide && r.status == crate::domain::case::CaseStatus::Connected {
                            if state == CaseState::Overdue && ui.button("认定违诺").clicked() {
                                asked = Some((i, DecisionKind::Breach));
                            }
                            if ui.button("延期").clicked() {
                                asked = Some((i, DecisionKind::Extend));
                            }
                        }
                    });
                    row.col(|ui| {
                        let color = match state {
                            CaseState::Overdue | CaseState::Broken => ERROR_COLOR,
                            CaseState::Accepted => Color32::GRAY,
                            _ => Color32::from_rgb(0, 90, 160),
                        };
                        ui.label(RichText::new(state.label()).color(color));
                    });
                    row.col(|ui| {
                        ui.label(r.deadline.map(|d| d.to_string()).unwrap_or_default());
                    });
                    row.col(|ui| {
                        if let Some(n) = r.days_left(today).filter(|_| state != CaseState::Broken) {
                            let text = if n < 0 {
                                RichText::new(format!("逾期 {} 天", -n)).color(ERROR_COLOR)
                            } else {
                                RichText::new(format!("{n} 天"))
                            };
                            ui.label(text);
                        }
                    });
                    row.col(|ui| {
                        if ui.link(&r.subject_name).clicked() {
                            open = Some(r.subject_id);
                        }
                    });
                    row.col(|ui| {
                        ui.label(&r.phone);
                    });
                    row.col(|ui| {
                        ui.label(&r.account_no);
                    });
                    row.col(|ui| {
                        ui.label(r.applied_on.to_string());
                    });
                    row.col(|ui| {
                        ui.label(&r.hall);
                    });
                    row.col(|ui| {
                        // The clerk by name (工号 on hover).
                        let name = self.staff.get(&r.opened_by).unwrap_or(&r.opened_by);
                        ui.label(name).on_hover_text(&r.opened_by);
                    });

                    let resp = row.response();
                    if resp.clicked() {
                        picked = Some(i);
                    }
                    if resp.double_clicked() {
                        open = Some(r.subject_id);
                    }
                });
            });
        if let Some(i) = picked {
            self.selected = Some(i);
        }
        if open.is_some() {
            self.open = open;
        }
        if let Some(s) = resort {
            if self.sort == s {
                self.descending = !self.descending;
            } else {
                self.sort = s;
                self.descending = false;
            }
            // Sorted by the database (with LIMIT, so only the window is materialised): the
            // window is read again where the table is.
            self.selected = None;
            self.generation += 1;
            let at = self.start + WINDOW / 2;
            self.fetch_around(desk, at);
        }
        if let Some(v) = shown {
            self.visible = v;
        }
        self.prefetch_ui(ui);
        if let Some((i, _)) = asked {
            self.selected = Some(i);
        }
        asked
    }

    /// The table alone, read-only (benchmarks).
    pub fn table_only_ui(&mut self, ui: &mut egui::Ui, desk: &Desk) {
        self.table_ui(ui, desk, false);
    }
}
