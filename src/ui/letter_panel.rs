//! The commitment-letter panel of a subject page (rules C-1..C-5): check and correct the filled
//! fields, issue the letter (承诺编码 and the C-3 record), print or save the PDF, reprint, and
//! attach the signed scan, which then finalises the trust check.

use std::path::PathBuf;

use egui::RichText;

use super::Command;
use super::files::{Browse, Picked};
use super::forms::{
    ERROR_COLOR, FormOutcome, field_ui, grid_box_row, id_kind_combo_ui, text_box_height,
};
use super::saving;
use crate::desk::{Desk, DeskError, PrintRoute};
use crate::domain::commitment::{Commitment, CommitmentId};
use crate::domain::letter::{LetterField, LetterFields, LetterForm, Relation};
use crate::domain::subject::Subject;
use crate::domain::text::FieldError;
use crate::domain::trust::Business;

/// 打印 (and Ctrl+P, 重新打印): the desk keeps the PDF in the letters folder, sends it to the
/// printer or the viewer as 设置 say, and audits it (issue 15, point 7). The notice says where the
/// PDF is and what the printer said.
fn print(desk: &mut Desk, id: CommitmentId) -> Command {
    let dir = crate::print::letters_dir();
    match desk.print_letter(id, &dir, &crate::print::SystemPrint) {
        Ok(p) => match (p.route, p.sent) {
            (PrintRoute::Printer, Ok(job)) => Command::saved(
                format!("已送打印机（{job}）；PDF 保存在 {}", p.path.display()),
                p.path,
            ),
            (PrintRoute::Viewer, Ok(_)) => Command::saved(
                format!(
                    "已在 PDF 阅读器中打开，请在阅读器中打印；PDF 保存在 {}",
                    p.path.display()
                ),
                p.path,
            ),
            (_, Err(e)) => {
                let text = format!(
                    "{e}。承诺书已保存在 {}，可打开该文件后打印",
                    p.path.display()
                );
                Command::Notice(super::Notice {
                    error: true,
                    ..super::Notice::saved(text, p.path)
                })
            }
        },
        Err(e) => Command::error(e.to_string()),
    }
}

/// Ask where to save a PDF (另存为) and write it; `None` when the clerk cancelled.
fn save_pdf_as(code: &str, pdf: &[u8]) -> Option<Result<PathBuf, String>> {
    let name = crate::desk::letter_file_name(code);
    let path = match Browse::Save(&name, &["pdf"]).run("另存承诺书", "") {
        Picked::Path(p) => p,
        Picked::Cancelled => return None,
        Picked::NoDialog => {
            return Some(Err(format!(
                "本机无法打开文件对话框：请用“打印”，承诺书会保存在 {}",
                crate::print::letters_dir().display()
            )));
        }
    };
    Some(
        std::fs::write(&path, pdf)
            .map(|()| path.clone())
            .map_err(|e| format!("无法保存到 {}：{e}", path.display())),
    )
}

/// The letter panel of one subject.
pub struct LetterPanel {
    business: Business,
    fields: Option<LetterFields>,
    errors: Vec<FieldError<LetterField>>,
    refusal: Option<String>,
    /// The letter just issued: its commitment, code and PDF, for 打印 / 另存为.
    issued: Option<(CommitmentId, String, Vec<u8>)>,
    commitments: Option<Vec<Commitment>>,
    /// The field the cursor goes to on the next frame (the first one in error).
    focus: Option<LetterField>,
    /// Path of the signed scan to attach, per commitment.
    scan_path: String,
    scan_for: Option<CommitmentId>,
    /// The fields as filled from the register (or as last issued): Esc on a changed letter asks
    /// before the page is left (issue 15, point 3).
    opened_with: Option<LetterFields>,
    keys: super::forms::FormKeys,
}

impl Default for LetterPanel {
    fn default() -> Self {
        Self {
            business: Business::NewConnection,
            fields: None,
            errors: Vec::new(),
            refusal: None,
            issued: None,
            commitments: None,
            focus: None,
            scan_path: String::new(),
            scan_for: None,
            opened_with: None,
            keys: super::forms::FormKeys::new(),
        }
    }
}

impl LetterPanel {
    /// Whether the clerk changed the letter's fields since they were filled in.
    pub fn is_touched(&self) -> bool {
        self.fields.is_some() && self.fields != self.opened_with
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk, subject: &Subject) -> Option<Command> {
        let mut notice = None;
        if self.fields.is_none() {
            match desk.letter_fields_for(subject.id) {
                Ok(f) => {
                    self.opened_with = Some(f.clone());
                    self.fields = Some(f);
                }
                Err(e) => {
                    ui.label(RichText::new(e.to_string()).color(ERROR_COLOR));
                    return None;
                }
            }
        }
        if self.commitments.is_none() {
            match desk.commitments_of(subject.id) {
                Ok(c) => self.commitments = Some(c),
                Err(e) => notice = Some(Command::error(e.to_string())),
            }
        }
        ui.strong("填写诚信守法用电承诺书");
        let hint = if self.fields.as_ref().map(|f| f.form) == Some(LetterForm::Person) {
            "以下内容按主体登记信息自动填写，请与申请人核对。自然人使用由附件 2 改写的自然人承诺书：仅将附件中“单位”的表述改为申请人本人（如“我单位”改为“我”），由申请人本人签字。"
        } else {
            "以下内容按主体登记信息自动填写，请与申请人核对；打印的措辞与附件 2 一字不差。"
        };
        ui.label(RichText::new(hint).weak());
        let mut submit = false;
        if let Some(f) = &mut self.fields {
            let errors = std::mem::take(&mut self.errors);
            // After a refusal the cursor goes to the first field in error (issue 15, point 3).
            let focus = self.focus.take();
            let err = |field| {
                errors
                    .iter()
                    .find(|e: &&FieldError<LetterField>| e.field == field)
                    .map(|e| e.message.as_str())
            };
            egui::Grid::new("letter_form")
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    let l = ui.label("信易电业务");
                    egui::ComboBox::from_id_salt("letter_business")
                        .selected_text(self.business.label())
                        .show_ui(ui, |ui| {
                            for b in Business::ALL {
                                ui.selectable_value(&mut self.business, b, b.label());
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    let mut enter = false;
                    let person = f.form == LetterForm::Person;
                    if person {
                        // The derived 自然人 form (申请人姓名、证件类型、证件号码).
                        enter |= field_ui(
                            ui,
                            "申请人姓名",
                            &mut f.applicant_name,
                            "",
                            err(LetterField::PersonName),
                            focus == Some(LetterField::PersonName),
                        )
                        .1;
                        id_kind_combo_ui(
                            ui,
                            "身份证件类型",
                            "letter_person_id_kind",
                            &mut f.person_id_kind,
                        );
                        enter |= field_ui(
                            ui,
                            "证件号码",
                            &mut f.person_id_number,
                            "",
                            err(LetterField::PersonIdNumber),
                            focus == Some(LetterField::PersonIdNumber),
                        )
                        .1;
                    } else {
                        enter |= field_ui(
                            ui,
                            "申请用电单位名称",
                            &mut f.applicant_name,
                            "",
                            err(LetterField::ApplicantName),
                            focus == Some(LetterField::ApplicantName),
                        )
                        .1;
                        enter |= field_ui(
                            ui,
                            "统一社会信用代码",
                            &mut f.uscc,
                            "18 位",
                            err(LetterField::Uscc),
                            focus == Some(LetterField::Uscc),
                        )
                        .1;
                        enter |= field_ui(
                            ui,
                            "法定代表人姓名",
                            &mut f.legal_rep_name,
                            "",
                            err(LetterField::LegalRepName),
                            focus == Some(LetterField::LegalRepName),
                        )
                        .1;
                        id_kind_combo_ui(
                            ui,
                            "法定代表人身份证件类型",
                            "letter_id_kind",
                            &mut f.legal_rep_id_kind,
                        );
                        enter |= field_ui(
                            ui,
                            "证件号码",
                            &mut f.legal_rep_id_number,
                            "",
                            err(LetterField::LegalRepIdNumber),
                            focus == Some(LetterField::LegalRepIdNumber),
                        )
                        .1;
                    }
                    let relation_field = if person {
                        LetterField::PersonRelation
                    } else {
                        LetterField::Relation
                    };
                    // Its message line is always there, as under every box.
                    grid_box_row(
                        ui,
                        "与用电地址建筑物的关系",
                        |ui| {
                            ui.horizontal(|ui| {
                                ui.set_min_height(text_box_height(ui));
                                for r in [Relation::Owner, Relation::Tenant] {
                                    ui.radio_value(&mut f.relation, Some(r), r.label());
                                }
                            })
                            .response
                        },
                        err(relation_field),
                    );
                    submit = enter;
                });
            self.errors = errors;
        }
        if let Some(r) = &self.refusal {
            ui.label(RichText::new(r).color(ERROR_COLOR));
        }
        ui.horizontal(|ui| {
            if ui.button("出具承诺书").clicked() {
                submit = true;
            }
            if let Some((id, code, pdf)) = &self.issued {
                ui.label(RichText::new(format!("承诺编码 {code}")).strong());
                let ctrl_p =
                    ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::P));
                if ui
                    .button("打印")
                    .on_hover_text("Ctrl+P；PDF 同时保存在“文档/信易电承诺书”")
                    .clicked()
                    || ctrl_p
                {
                    notice = Some(print(desk, *id));
                }
                if ui.button("另存为…").clicked() {
                    match save_pdf_as(code, pdf) {
                        Some(Ok(p)) => {
                            notice = Some(Command::saved(format!("已保存到 {}", p.display()), p))
                        }
                        Some(Err(e)) => notice = Some(Command::error(e)),
                        None => {}
                    }
                }
            }
        });
        let business = self.business;
        let issued = self.fields.as_ref().and_then(|f| {
            saving::save(ui, "issue_letter", submit, || {
                desk.issue_letter(subject.id, business, f)
            })
        });
        if let (Some(result), Some(f)) = (issued, &self.fields) {
            match result {
                Ok(issued) => {
                    self.errors.clear();
                    self.refusal = None;
                    let code = issued.commitment.code.clone();
                    notice = Some(Command::info(if issued.reused {
                        format!("承诺书 {code} 尚未签署，已按原编码重新生成（未新建记录）")
                    } else {
                        format!(
                            "已出具承诺书 {code}，请打印后由申请人{}",
                            if f.form == LetterForm::Person {
                                "本人签字"
                            } else {
                                "签字盖章"
                            }
                        )
                    }));
                    self.issued = Some((issued.commitment.id, code, issued.pdf));
                    self.opened_with = Some(f.clone());
                    self.commitments = None;
                }
                Err(DeskError::InvalidLetter(errs)) => {
                    self.refusal = Some("承诺书未出具：请按红字提示修改".into());
                    self.focus = errs.first().map(|e| e.field);
                    self.errors = errs;
                }
                Err(e) => {
                    self.errors.clear();
                    self.refusal = Some(e.to_string());
                }
            }
        }
        // Esc leaves the page; with the letter changed it asks first. (Unchanged, the subject
        // page takes Esc back to the results itself.)
        if self.is_touched() {
            let esc = if super::forms::esc_pressed(ui) {
                FormOutcome::Cancel
            } else {
                FormOutcome::Nothing
            };
            if self.keys.guard(ui, esc, true) == FormOutcome::Cancel {
                notice = Some(Command::BackToResults);
            }
        }
        ui.add_space(10.0);
        ui.separator();
        ui.strong("信用承诺记录");
        if let Some(list) = self.commitments.clone() {
            if list.is_empty() {
                ui.label(RichText::new("暂无").weak());
            }
            for c in &list {
                notice = self.commitment_row_ui(ui, desk, c).or(notice);
            }
        }
        notice
    }

    fn commitment_row_ui(
        &mut self,
        ui: &mut egui::Ui,
        desk: &mut Desk,
        c: &Commitment,
    ) -> Option<Command> {
        let mut notice = None;
        let status = match (c.fulfilment, c.is_signed()) {
            (Some(f), _) => f.label().to_string(),
            (None, true) => format!(
                "已签署（{}）",
                c.signed_on.map(|d| d.to_string()).unwrap_or_default()
            ),
            (None, false) => "待签署".into(),
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&c.code).monospace());
            ui.label(format!(
                "{}　{}　{}　有效期至 {}",
                c.made_on,
                c.business.label(),
                status,
                c.valid_until.map_or("接电后确定".into(), |d| d.to_string())
            ));
            if ui.button("重新打印").clicked() {
                notice = Some(print(desk, c.id));
            }
            if c.is_signed() {
                if ui.button("查看已签文件").clicked() {
                    let r = desk
                        .signed_letter_for_viewing(c.id)
                        .map_err(|e| e.to_string())
                        .and_then(|p| {
                            opener::open(&p)
                                .map_err(|e| format!("无法打开（{e}）：{}", p.display()))
                        });
                    if let Err(e) = r {
                        notice = Some(Command::error(e));
                    }
                }
            } else if c.fulfilment.is_none() && ui.button("上传已签承诺书…").clicked() {
                self.scan_for = Some(c.id);
                self.scan_path.clear();
            }
        });
        if self.scan_for == Some(c.id) {
            ui.horizontal(|ui| {
                let row = super::files::path_row(
                    ui,
                    "扫描件（PDF/JPG/PNG）",
                    &mut self.scan_path,
                    "文件路径，或点“浏览…”选择",
                    320.0,
                    super::files::Browse::Open("扫描件", &["pdf", "jpg", "jpeg", "png"]),
                    true,
                );
                let asked = ui.button("上传").clicked() || row.enter;
                let path = PathBuf::from(self.scan_path.trim());
                let salt = format!("attach_letter{}", c.id.0);
                let attached =
                    saving::save(ui, &salt, asked, || desk.attach_signed_letter(c.id, &path));
                if let Some(r) = attached {
                    match r {
                        Ok(_) => {
                            self.scan_for = None;
                            self.commitments = None;
                            notice = Some(match desk.finalise_check(c.id) {
                                Ok(out) => Command::info(format!(
                                    "已上传承诺书 {} 的签字盖章件；重新核查：{}",
                                    c.code, out.verdict.headline
                                )),
                                Err(e) => Command::error(format!("已上传，但重新核查失败：{e}")),
                            });
                        }
                        Err(e) => notice = Some(Command::error(e.to_string())),
                    }
                }
                if ui.button("取消").clicked() {
                    self.scan_for = None;
                }
            });
        }
        notice
    }
}
