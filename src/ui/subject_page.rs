//! A subject's own page: its facts (the full ID number is shown only here, rule ID-3), its
//! accounts, and the edit and add-account forms.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use super::Command;
use super::forms::{AccountForm, FormOutcome, SubjectForm};
use super::letter_panel::LetterPanel;
use super::records_tab::RecordsTab;
use super::report_page::ReportsPanel;
use super::saving;
use super::trust_panel::{TrustPanel, incentive_badges_ui};
use crate::desk::Desk;
use crate::domain::subject::{Subject, SubjectDraft};

/// The tabs of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectTab {
    #[default]
    Facts,
    Records,
    Check,
    Letter,
    Cases,
}

pub struct SubjectPage {
    pub subject: Subject,
    edit: Option<SubjectForm>,
    account: Option<AccountForm>,
    /// The subject's credit reports, with the import button and the hand-entry form.
    pub reports: ReportsPanel,
    pub tab: SubjectTab,
    records: RecordsTab,
    check: TrustPanel,
    letter: LetterPanel,
    cases: super::case_panel::CasePanel,
    parks: super::parks::AccountParks,
    /// The subject's standing (rule T-1; T-7 badges), with the data version it was read at:
    /// re-read whenever any action here or at another counter moved the data.
    standing: Option<(i64, Option<crate::desk::Standing>)>,
}

impl SubjectPage {
    pub fn new(subject: Subject) -> Self {
        Self {
            reports: ReportsPanel::new(subject.id),
            edit: None,
            account: None,
            tab: SubjectTab::default(),
            records: RecordsTab::default(),
            check: TrustPanel::new(&subject),
            letter: LetterPanel::default(),
            cases: super::case_panel::CasePanel::default(),
            standing: None,
            parks: super::parks::AccountParks::default(),
            subject,
        }
    }

    /// Whether a form on the page is open (Esc then belongs to it).
    pub fn is_editing(&self) -> bool {
        self.edit.is_some()
            || self.account.is_some()
            || self.reports.is_busy()
            || self.records.is_editing()
            || (self.tab == SubjectTab::Letter && self.letter.is_touched())
    }

    fn reload(&mut self, desk: &Desk) -> Option<Command> {
        match desk.subject(self.subject.id) {
            Ok(s) => {
                self.subject = s;
                None
            }
            Err(e) => Some(Command::error(e.to_string())),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let mut action = None;
        let s = &self.subject;
        ui.horizontal(|ui| {
            if ui.button("← 返回结果").clicked() {
                action = Some(Command::BackToResults);
            }
            ui.heading(&s.name);
            ui.label(RichText::new(s.kind.label()).weak());
        });
        let version = desk.data_version().unwrap_or(-1);
        if self.standing.as_ref().is_none_or(|(v, _)| *v != version) {
            self.standing = Some((version, desk.standing(s.id).ok()));
        }
        if let Some((_, Some(st))) = &self.standing {
            if st.trustworthy {
                incentive_badges_ui(ui, &st.incentives);
            }
            if st.dishonesty_records > 0 {
                ui.label(
                    RichText::new(format!(
                        "失信记录 {} 条（依据 D-1~D-4，截至 {}）",
                        st.dishonesty_records, st.as_of
                    ))
                    .color(super::forms::ERROR_COLOR),
                );
            }
        }
        ui.horizontal(|ui| {
            for (tab, label) in [
                (SubjectTab::Facts, "基本信息"),
                (SubjectTab::Records, "用电记录"),
                (SubjectTab::Check, "信用核查"),
                (SubjectTab::Letter, "承诺书"),
                (SubjectTab::Cases, "信易电业务"),
            ] {
                ui.selectable_value(&mut self.tab, tab, label);
            }
        });
        ui.separator();
        if self.tab == SubjectTab::Check {
            let n = egui::ScrollArea::vertical()
                .id_salt("check_tab")
                .show(ui, |ui| self.check.ui(ui, desk, &self.subject))
                .inner;
            return n.or(action);
        }
        if self.tab == SubjectTab::Cases {
            let n = egui::ScrollArea::vertical()
                .id_salt("cases_tab")
                .show(ui, |ui| self.cases.ui(ui, desk, &self.subject))
                .inner;
            return n.or(action);
        }
        if self.tab == SubjectTab::Letter {
            let n = egui::ScrollArea::vertical()
                .id_salt("letter_tab")
                .show(ui, |ui| self.letter.ui(ui, desk, &self.subject))
                .inner;
            return n.or(action);
        }
        if self.tab == SubjectTab::Records {
            return self.records.ui(ui, desk, &self.subject).or(action);
        }

        // Its own id per subject: the results table's scroll offset (↓↓ Enter) must not carry
        // over and open the page scrolled past the code and representative (issue 15).
        egui::ScrollArea::vertical()
            .id_salt(("facts_tab", self.subject.id))
            .show(ui, |ui| {
                if let Some(form) = &mut self.edit {
                    ui.strong("修改主体信息");
                    let outcome = form.ui(ui, desk.today(), false);
                    let id = self.subject.id;
                    let saved =
                        saving::save(ui, "update_subject", outcome == FormOutcome::Submit, || {
                            desk.update_subject(id, &form.draft)
                        });
                    match saved {
                        Some(Ok(())) => {
                            self.edit = None;
                            action = self.reload(desk).or(Some(Command::info("已保存主体信息")));
                        }
                        Some(Err(e)) => form.show_refusal(&e),
                        None if outcome == FormOutcome::Cancel => self.edit = None,
                        None => {}
                    }
                } else {
                    facts_ui(ui, &self.subject);
                    if ui.button("编辑主体信息").clicked() {
                        self.edit =
                            Some(SubjectForm::edit(SubjectDraft::from_subject(&self.subject)));
                    }
                }
                ui.add_space(12.0);
                ui.separator();
                ui.horizontal(|ui| {
                    ui.strong(format!("用电户（{}）", self.subject.accounts.len()));
                    if self.account.is_none() && ui.button("添加用电户").clicked() {
                        self.account = Some(AccountForm::new());
                    }
                });
                accounts_ui(ui, &self.subject);
                if let Some(c) = self.parks.ui(ui, desk, &self.subject) {
                    action = Some(c);
                }
                if let Some(form) = &mut self.account {
                    ui.add_space(6.0);
                    let outcome = form.ui(ui, desk.today());
                    let id = self.subject.id;
                    let saved =
                        saving::save(ui, "add_account", outcome == FormOutcome::Submit, || {
                            desk.add_account(id, &form.draft)
                        });
                    match saved {
                        Some(Ok(_)) => {
                            let no = form.draft.account_no.trim().to_string();
                            self.account = None;
                            action = self
                                .reload(desk)
                                .or(Some(Command::info(format!("已添加用电户 {no}"))));
                        }
                        Some(Err(e)) => form.show_refusal(&e),
                        None if outcome == FormOutcome::Cancel => self.account = None,
                        None => {}
                    }
                }
                ui.add_space(12.0);
                ui.separator();
                if let Some(c) = self.reports.ui(ui, desk) {
                    action = Some(c);
                }
            });
        action
    }
}

fn facts_ui(ui: &mut egui::Ui, s: &Subject) {
    egui::Grid::new("subject_facts")
        .num_columns(2)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            let mut row = |k: &str, v: String| {
                ui.label(RichText::new(k).weak());
                ui.label(v);
                ui.end_row();
            };
            row(s.code.type_label(), s.code.full().to_string());
            if let Some(lr) = &s.legal_rep {
                row("法定代表人", lr.name.clone());
                if let Some(doc) = &lr.doc {
                    row(
                        "法定代表人证件",
                        format!("{} {}", doc.kind.label(), doc.number),
                    );
                }
            }
            if let Some(d) = s.founded_on {
                row("成立日期", d.format("%Y年%m月%d日").to_string());
            }
            row("联系电话", s.phone.clone());
            row("地址", s.address.clone());
            row(
                "登记时间",
                s.created_at.format("%Y-%m-%d %H:%M").to_string(),
            );
            row(
                "最近修改",
                s.updated_at.format("%Y-%m-%d %H:%M").to_string(),
            );
        });
}

fn accounts_ui(ui: &mut egui::Ui, s: &Subject) {
    if s.accounts.is_empty() {
        ui.label(RichText::new("尚未登记用电户").weak());
        return;
    }
    ui.push_id("accounts", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .vscroll(false)
            .column(Column::initial(140.0))
            .column(Column::initial(420.0).clip(true))
            .column(Column::remainder())
            .header(24.0, |mut h| {
                for t in ["用户编号", "用电地址", "用电开始日期"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|mut body| {
                for a in &s.accounts {
                    body.row(22.0, |mut row| {
                        row.col(|ui| {
                            ui.monospace(&a.account_no);
                        });
                        row.col(|ui| {
                            ui.label(&a.usage_address);
                        });
                        row.col(|ui| {
                            ui.label(a.supply_start.map(|d| d.to_string()).unwrap_or_default());
                        });
                    });
                }
            });
    });
}
