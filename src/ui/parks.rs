//! Pilot parks (rule T-5): the admin's table in 设置, and the park chosen on each account of a
//! subject page (the address text is only a hint).

use std::collections::HashMap;

use egui::RichText;

use super::Command;
use super::forms;
use super::saving::{self, Queued};
use crate::desk::Desk;
use crate::domain::operator::Action;
use crate::domain::park::{Park, ParkDraft, ParkId, hint_for_address};
use crate::domain::subject::{AccountId, Subject};

/// The 试点园区 section of the settings page.
#[derive(Default)]
pub struct ParksSettings {
    parks: Option<Vec<Park>>,
    draft: ParkDraft,
    message: Option<(bool, String)>,
    toggling: Queued<Park>,
}

impl ParksSettings {
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.strong("信易电试点园区（规则 T-5）");
        if self.parks.is_none() {
            match desk.parks() {
                Ok(p) => self.parks = Some(p),
                Err(e) => self.message = Some((false, e.to_string())),
            }
        }
        let admin = desk.may(Action::ManageParks);
        let mut toggle = None;
        if let Some(parks) = &self.parks {
            egui::Grid::new("parks").striped(true).show(ui, |ui| {
                for t in ["试点区域", "园区", "地址关键词", "状态"] {
                    ui.strong(t);
                }
                ui.end_row();
                for p in parks {
                    ui.label(&p.zone);
                    ui.label(&p.name);
                    ui.label(p.keywords.join("、"));
                    if admin {
                        let label = if p.active { "停用" } else { "启用" };
                        ui.horizontal(|ui| {
                            ui.label(if p.active { "试点中" } else { "已停用" });
                            if ui.button(label).clicked() {
                                toggle = Some(p.clone());
                            }
                        });
                    } else {
                        ui.label(if p.active { "试点中" } else { "已停用" });
                    }
                    ui.end_row();
                }
            });
        }
        let toggled = self.toggling.run(ui, "toggle_park", toggle, |p| {
            let draft = ParkDraft {
                zone: p.zone.clone(),
                name: p.name.clone(),
                keywords: p.keywords.join(" "),
            };
            desk.update_park(p.id, &draft, !p.active)
                .map(|()| format!("已{}“{}”", if p.active { "停用" } else { "启用" }, p.name))
        });
        if let Some((_, r)) = toggled {
            self.after(r);
        }
        if admin {
            ui.horizontal_wrapped(|ui| {
                // Enter in any box adds the park (issue 15, point 3).
                let mut enter = false;
                for (label, value, width) in [
                    ("试点区域", &mut self.draft.zone, 200.0),
                    ("园区名称", &mut self.draft.name, 160.0),
                    ("地址关键词", &mut self.draft.keywords, 160.0),
                ] {
                    let l = ui.label(label);
                    let r = ui
                        .add(egui::TextEdit::singleline(value).desired_width(width))
                        .labelled_by(l.id);
                    enter |= forms::enter_in(ui, &r);
                }
                let asked = ui.button("新增园区（Enter）").clicked() || enter;
                if let Some(r) = saving::save(ui, "add_park", asked, || desk.add_park(&self.draft))
                {
                    let r = r.map(|_| {
                        let msg = format!("已新增试点园区“{}”", self.draft.name.trim());
                        self.draft = ParkDraft::default();
                        msg
                    });
                    self.after(r);
                }
            });
        }
        if let Some((ok, text)) = &self.message {
            forms::outcome_ui(ui, *ok, text);
        }
    }

    fn after(&mut self, r: Result<String, crate::desk::DeskError>) {
        match r {
            Ok(m) => {
                self.message = Some((true, m));
                self.parks = None;
            }
            Err(e) => self.message = Some((false, e.to_string())),
        }
    }
}

/// The parks, and the park chosen on each account.
type Loaded = (Vec<Park>, HashMap<AccountId, Option<ParkId>>);

/// The park of each account on a subject page.
#[derive(Default)]
pub struct AccountParks {
    loaded: Option<Loaded>,
    changing: Queued<(AccountId, Option<ParkId>)>,
}

impl AccountParks {
    /// Forget what was loaded (the accounts changed).
    pub fn reset(&mut self) {
        self.loaded = None;
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk, subject: &Subject) -> Option<Command> {
        if subject.accounts.is_empty() {
            return None;
        }
        if self.loaded.is_none() {
            let parks = match desk.parks() {
                Ok(p) => p,
                Err(e) => return Some(Command::error(e.to_string())),
            };
            let mut chosen = HashMap::new();
            for a in &subject.accounts {
                match desk.account_park(a.id) {
                    Ok(p) => {
                        chosen.insert(a.id, p.map(|p| p.id));
                    }
                    Err(e) => return Some(Command::error(e.to_string())),
                }
            }
            self.loaded = Some((parks, chosen));
        }
        let mut notice = None;
        let mut change = None;
        let may = desk.may(Action::EditAccount);
        if let Some((parks, chosen)) = &self.loaded {
            ui.strong("所属试点园区（规则 T-5，信易电仅限试点区域）");
            egui::Grid::new("account_parks").show(ui, |ui| {
                for a in &subject.accounts {
                    let l = ui.monospace(&a.account_no);
                    let current = chosen.get(&a.id).copied().flatten();
                    let name = |id: Option<ParkId>| {
                        id.and_then(|id| parks.iter().find(|p| p.id == id))
                            .map_or_else(|| "不在试点园区".to_string(), Park::label)
                    };
                    if may {
                        let mut sel = current;
                        egui::ComboBox::from_id_salt(("park", a.id.0))
                            .selected_text(name(sel))
                            .width(300.0)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(&mut sel, None, "不在试点园区");
                                for p in parks.iter().filter(|p| p.active) {
                                    ui.selectable_value(&mut sel, Some(p.id), p.label());
                                }
                            })
                            .response
                            .labelled_by(l.id);
                        if sel != current {
                            change = Some((a.id, sel));
                        }
                    } else {
                        ui.label(name(current));
                    }
                    if current.is_none()
                        && let Some(h) = hint_for_address(parks, &a.usage_address)
                    {
                        ui.label(
                            RichText::new(format!(
                                "地址提示：可能位于 {}，请核实后选择",
                                h.label()
                            ))
                            .color(egui::Color32::from_rgb(170, 110, 0)),
                        );
                    }
                    ui.end_row();
                }
            });
        }
        let changed = self
            .changing
            .run(ui, "account_park", change, |&(account, park)| {
                desk.set_account_park(account, park)
            });
        if let Some((_, r)) = changed {
            match r {
                Ok(()) => {
                    notice = Some(Command::info("已更新用电户所属园区"));
                    self.loaded = None;
                }
                Err(e) => notice = Some(Command::error(e.to_string())),
            }
        }
        notice
    }
}
