//! The integrity commitment letter at the counter (rules C-1..C-5): fill it from the subject,
//! issue it with a unique 承诺编码, print and reprint it, and keep the commitment record.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::act::{Act, AuditLine};
use super::files::{file_name, read_scan};
use super::{Desk, DeskError};
use crate::documents::letter_pdf::render_letter;
use crate::domain::commitment::{
    AcceptingUnit, Commitment, CommitmentId, CommitmentType, LIABILITY, Publicity,
    committer_kind_label, content_text_for, reason_text, sniff_scan,
};
use crate::domain::id_codes::normalize;
use crate::domain::installation::{InstallationNo, next_serial, serial_block};
use crate::domain::letter::{
    Applicant, CommitmentCode, LetterField, LetterFields, LetterForm, ValidLetter,
};
use crate::domain::operator::Action;
use crate::domain::subject::{Subject, SubjectCode, SubjectId, SubjectKind};
use crate::domain::text::FieldError;
use crate::domain::trust::Business;
use crate::store::VerdictId;

/// Setting keys of the accepting unit (承诺受理单位, rule C-3).
pub const ACCEPTING_UNIT_NAME_KEY: &str = "accepting_unit_name";
pub const ACCEPTING_UNIT_USCC_KEY: &str = "accepting_unit_uscc";
/// Setting key of this PC's installation number (本机安装编号, rule C-4's serial blocks); absent
/// or empty: block 0.
pub const INSTALLATION_NO_KEY: &str = "installation_no";

/// The installation number stored in the settings. A value this program would not have stored
/// is refused rather than read as block 0, which could reuse another PC's serials.
/// The next free 承诺编码 of `today` in this installation's block (rule C-4), for a letter or a
/// 信用修复承诺书: both take their serial from one space, so that no two share a code. Call inside
/// the issuing transaction: writers are serialised, so the number stays free until it ends, and
/// a rollback leaves no gap.
pub(super) fn next_commitment_code(
    w: &crate::store::Writer<'_>,
    today: chrono::NaiveDate,
) -> Result<(CommitmentCode, u32), DeskError> {
    let installation = installation_setting(w)?;
    let (first, last) = serial_block(installation);
    let largest = w.largest_commitment_serial(today, first, last)?;
    let serial = next_serial(installation, largest).ok_or_else(|| {
        DeskError::LetterRefused(format!(
            "本机今天的承诺编码已用完（序号 {first:06}–{last:06}），请明天再出具，\
             或由管理员在“设置”中为本机换一个未用的安装编号"
        ))
    })?;
    let code = CommitmentCode::new(today, serial)
        .map_err(|e| DeskError::Internal(format!("承诺编码：{e}")))?;
    Ok((code, serial))
}

fn installation_setting(r: &crate::store::Reader<'_>) -> Result<Option<InstallationNo>, DeskError> {
    match r.setting(INSTALLATION_NO_KEY)? {
        None => Ok(None),
        Some(v) => InstallationNo::parse(&v).map_err(|e| {
            DeskError::Setting(format!(
                "{e}（数据库中的设置值有误，请由管理员在“设置”中重新填写）"
            ))
        }),
    }
}

/// A letter issued (or reissued) at the counter, with its PDF.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedLetter {
    pub commitment: Commitment,
    /// The running commitment was reused: same 承诺编码, no new record.
    pub reused: bool,
    #[serde(skip)]
    pub pdf: Vec<u8>,
}

impl Desk {
    /// The accepting unit from the settings.
    pub fn accepting_unit(&self) -> Result<AcceptingUnit, DeskError> {
        let r = self.store.read();
        let d = AcceptingUnit::default();
        Ok(AcceptingUnit {
            name: r.setting(ACCEPTING_UNIT_NAME_KEY)?.unwrap_or(d.name),
            uscc: r.setting(ACCEPTING_UNIT_USCC_KEY)?.unwrap_or(d.uscc),
        })
    }

    /// Change the accepting unit (admin). The USCC must be valid or empty.
    pub fn set_accepting_unit(&mut self, unit: &AcceptingUnit) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        let name = crate::domain::text::require_text(&unit.name, 100)
            .map_err(|m| DeskError::Setting(format!("承诺受理单位名称{m}")))?;
        let uscc = normalize(&unit.uscc);
        if !uscc.is_empty() {
            crate::domain::id_codes::Uscc::parse(&uscc)
                .map_err(|e| DeskError::Setting(format!("承诺受理单位统一社会信用代码：{e}")))?;
        }
        self.commit(act, |w, _| {
            w.set_setting(ACCEPTING_UNIT_NAME_KEY, &name)?;
            w.set_setting(ACCEPTING_UNIT_USCC_KEY, &uscc)?;
            let detail = format!("承诺受理单位：{name}（{uscc}）");
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// This PC's installation number (本机安装编号), which picks its block of 承诺编码 serials
    /// (rule C-4, `domain::installation`).
    pub fn installation_no(&self) -> Result<Option<InstallationNo>, DeskError> {
        installation_setting(&self.store.read())
    }

    /// Set or clear this PC's installation number (admin). Every PC of a hall that keeps its own
    /// database needs a different one, so that no two PCs hand out the same 承诺编码.
    pub fn set_installation_no(&mut self, no: Option<InstallationNo>) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        let before = self.installation_no()?;
        self.commit(act, |w, _| {
            let text = no.map(|n| n.to_string()).unwrap_or_default();
            w.set_setting(INSTALLATION_NO_KEY, &text)?;
            let shown =
                |n: Option<InstallationNo>| n.map_or("未设置".to_string(), |n| n.to_string());
            let (first, last) = serial_block(no);
            let detail = format!(
                "本机安装编号 {} → {}（承诺编码序号 {first:06}–{last:06}）",
                shown(before),
                shown(no)
            );
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// The letter's fields filled from the subject (rule C-1); the clerk checks and completes
    /// them (the relation 业主/租户 is always the clerk's choice). A 自然人 gets the person form
    /// (申请人姓名、证件类型、证件号码), every other subject annex 2's unit form.
    pub fn letter_fields_for(&self, subject: SubjectId) -> Result<LetterFields, DeskError> {
        let s = self.subject(subject)?;
        let mut f = match &s.code {
            SubjectCode::Uscc { code } => LetterFields {
                form: LetterForm::Unit,
                applicant_name: s.name.clone(),
                uscc: code.as_str().to_string(),
                ..LetterFields::default()
            },
            SubjectCode::Person { doc } => LetterFields {
                form: LetterForm::Person,
                applicant_name: s.name.clone(),
                person_id_kind: doc.kind,
                person_id_number: doc.number.clone(),
                ..LetterFields::default()
            },
        };
        if f.form == LetterForm::Unit
            && let Some(rep) = &s.legal_rep
        {
            f.legal_rep_name = rep.name.clone();
            if let Some(doc) = &rep.doc {
                f.legal_rep_id_kind = doc.kind;
                f.legal_rep_id_number = doc.number.clone();
            }
        }
        Ok(f)
    }

    /// The letter must be about this subject, in the subject's form: a typo in a code would
    /// bind someone else, and a unit's letter cannot be signed by a person or the reverse.
    fn check_letter_binds(subject: &Subject, letter: &ValidLetter) -> Result<(), DeskError> {
        let person = subject.kind == SubjectKind::NaturalPerson;
        match (letter.applicant(), &subject.code) {
            (Applicant::Unit { uscc, .. }, SubjectCode::Uscc { code }) if !person => {
                if uscc.as_str() != code.as_str() {
                    return Err(DeskError::InvalidLetter(vec![FieldError::new(
                        LetterField::Uscc,
                        format!(
                            "统一社会信用代码 {} 与本主体登记的 {} 不一致：请核对，或先修改主体信息",
                            uscc.as_str(),
                            code.as_str()
                        ),
                    )]));
                }
                Ok(())
            }
            (Applicant::Person { id }, SubjectCode::Person { doc }) if person => {
                if id.kind != doc.kind || id.number != doc.number {
                    // Both numbers masked: an error message is not the subject's own page (ID-3).
                    return Err(DeskError::InvalidLetter(vec![FieldError::new(
                        LetterField::PersonIdNumber,
                        format!(
                            "申请人证件（{} {}）与本主体登记的（{} {}）不一致：请核对，或先修改主体信息",
                            id.kind.label(),
                            id.masked(),
                            doc.kind.label(),
                            doc.masked()
                        ),
                    )]));
                }
                Ok(())
            }
            (Applicant::Unit { .. }, _) => Err(DeskError::LetterRefused(format!(
                "“{}”是自然人：请使用自然人承诺书（申请人姓名、证件类型、证件号码），不能出具单位承诺书",
                subject.name
            ))),
            (Applicant::Person { .. }, _) => Err(DeskError::LetterRefused(format!(
                "“{}”是{}：承诺书须由单位出具（统一社会信用代码、法定代表人签字），不能使用自然人承诺书",
                subject.name,
                subject.kind.label()
            ))),
        }
    }

    fn validate_letter(
        &self,
        subject_code: &SubjectCode,
        fields: &LetterFields,
    ) -> Result<ValidLetter, DeskError> {
        let today = self.today();
        match fields.validate(today) {
            Ok(v) => Ok(v),
            Err(errors) => {
                // A pilot-era USCC a supervisor accepted at registration (rule ID-1) prints too,
                // but only the subject's own code.
                let only_check_char = errors.iter().all(|e| e.field == LetterField::Uscc);
                let own_code = matches!(subject_code, SubjectCode::Uscc { code }
                    if code.as_str() == normalize(&fields.uscc));
                if only_check_char && own_code {
                    fields
                        .validate_accepting_uscc_check_failure(today)
                        .map_err(DeskError::InvalidLetter)
                } else {
                    Err(DeskError::InvalidLetter(errors))
                }
            }
        }
    }

    /// Issue the commitment letter for a 信易电 business: validate the fields, give it a
    /// 承诺编码 (440800 + date + 6-digit serial, gap-free), store the commitment record of rule
    /// C-3 and render the PDF — all in one transaction, so a failure writes nothing. While the
    /// subject's commitment for this business is unsigned, issuing again reprints it with the
    /// same code (corrected fields replace the old ones) and creates no new record. A new
    /// commitment is linked to the subject's latest verdict, if any (its 用户编号 is the one a
    /// case and the final check then use).
    pub fn issue_letter(
        &mut self,
        subject: SubjectId,
        business: Business,
        fields: &LetterFields,
    ) -> Result<IssuedLetter, DeskError> {
        let act = self.begin(Action::IssueLetter)?;
        let s = self.subject(subject)?;
        let letter = self.validate_letter(&s.code, fields)?;
        Self::check_letter_binds(&s, &letter)?;
        let unit = self.accepting_unit()?;
        // The commitment record names its accepting unit and that unit's USCC (rule C-3); a
        // letter issued without them would read 湛江供电局（） and the platform refuses it.
        if unit.name.trim().is_empty() || unit.uscc.trim().is_empty() {
            return Err(DeskError::LetterRefused(
                "设置中尚未填写承诺受理单位的名称和统一社会信用代码，不能出具承诺书：请管理员在“设置 → 承诺受理单位”中填写后再出具".into(),
            ));
        }
        let refresh = self.refresh()?;
        let font = crate::assets::LETTER_FONT;
        self.commit(
            act,
            |w,
             &Act {
                 ref me, now, today, ..
             }| {
                if let Some(mut c) = w.open_commitment(subject, business)? {
                    let code = CommitmentCode::parse(&c.code)
                        .map_err(|e| DeskError::Internal(format!("承诺编码 {}：{e}", c.code)))?;
                    let pdf = render_letter(&letter, &code, font)
                        .map_err(|e| DeskError::LetterPdf(e.to_string()))?;
                    let changed = c.letter != *fields;
                    if changed {
                        c.letter = fields.clone();
                        c.committer_name = letter.applicant_name().to_string();
                        c.content = content_text_for(letter.form());
                        w.update_commitment(&c, now)?;
                    }
                    let detail = format!(
                        "重新打印承诺书 {}{}",
                        c.code,
                        if changed {
                            "（已更正填写内容）"
                        } else {
                            ""
                        }
                    );
                    let issued = IssuedLetter {
                        commitment: c,
                        reused: true,
                        pdf,
                    };
                    return Ok((issued, AuditLine::new(Some(subject.0), detail)));
                }
                let (code, serial) = next_commitment_code(w, today)?;
                let pdf = render_letter(&letter, &code, font)
                    .map_err(|e| DeskError::LetterPdf(e.to_string()))?;
                let mut c = Commitment {
                    id: CommitmentId(0),
                    subject_id: subject,
                    code: code.as_str().to_string(),
                    committer_name: letter.applicant_name().to_string(),
                    committer_kind: s.kind,
                    committer_code: s.code.parts().1.to_string(),
                    commitment_type: CommitmentType::ProofSubstitute,
                    business,
                    reason: reason_text(business),
                    content: content_text_for(letter.form()),
                    liability: LIABILITY.to_string(),
                    made_on: today,
                    valid_until: None,
                    fulfilment: None,
                    unfulfilled: None,
                    liability_pursued: None,
                    fulfilment_decided_on: None,
                    accepting_unit: unit.clone(),
                    deciding_unit: None,
                    publicity: Publicity::Public,
                    letter: fields.clone(),
                    signed_file: None,
                    signed_on: None,
                    issued_by: me.staff_no.clone(),
                };
                // The commitment links the subject's latest verdict, chosen here so that the window
                // and the CLI link the same one.
                let verdict = w.verdicts_of(subject, 1)?.first().map(|v| v.id.0);
                c.id = w.insert_commitment(&c, serial, verdict, now)?;
                refresh.subject(w, subject)?;
                let detail = format!(
                    "出具诚信守法用电承诺书 {}（{}，{}）",
                    c.code,
                    committer_kind_label(s.kind),
                    business.label()
                );
                let issued = IssuedLetter {
                    commitment: c,
                    reused: false,
                    pdf,
                };
                Ok((issued, AuditLine::new(Some(subject.0), detail)))
            },
        )
    }

    /// The letter of a stored commitment as PDF, exactly as issued (same code, same fields);
    /// nothing is written.
    pub fn letter_pdf(&self, id: CommitmentId) -> Result<Vec<u8>, DeskError> {
        let c = self.commitment(id)?;
        let s = self.subject(c.subject_id)?;
        let letter = self.validate_letter(&s.code, &c.letter)?;
        let code = CommitmentCode::parse(&c.code)
            .map_err(|e| DeskError::Internal(format!("承诺编码 {}：{e}", c.code)))?;
        render_letter(&letter, &code, crate::assets::LETTER_FONT)
            .map_err(|e| DeskError::LetterPdf(e.to_string()))
    }

    /// Attach the scan of the signed and stamped letter (PDF, JPG or PNG, at most 20 MB) as
    /// 承诺书文件, stored by SHA-256 (rule C-3). The commitment then counts as given for rule
    /// T-1(a). The file is checked by its content, not its name; a refusal stores nothing.
    pub fn attach_signed_letter(
        &mut self,
        id: CommitmentId,
        path: &Path,
    ) -> Result<Commitment, DeskError> {
        let act = self.begin(Action::AttachSignedLetter)?;
        let mut c = self.commitment(id)?;
        if c.fulfilment.is_some() {
            return Err(DeskError::LetterRefused(format!(
                "承诺 {} 的履行状态已认定，不能再更换承诺书文件",
                c.code
            )));
        }
        let bytes = read_scan(path, "签字盖章的承诺书扫描件")?;
        let kind = sniff_scan(&bytes).ok_or_else(|| {
            DeskError::FileRead(format!(
                "“{}”不是 PDF、JPG 或 PNG 文件（按文件内容判断）：请上传签字盖章后的承诺书扫描件或照片",
                file_name(path)
            ))
        })?;
        let refresh = self.refresh()?;
        self.commit(act, |w, &Act { now, today, .. }| {
            let blob = w.put_blob(&bytes, kind.media_type())?;
            let replaced = c.signed_file.replace(blob.sha256.clone());
            c.signed_on = Some(today);
            w.update_commitment(&c, now)?;
            // The signed letter is T-1(a)'s evidence.
            refresh.subject(w, c.subject_id)?;
            let detail = format!(
                "上传已签承诺书 {}：{}（{} 字节，SHA-256 {}）{}",
                c.code,
                file_name(path),
                bytes.len(),
                &blob.sha256[..16],
                if replaced.is_some() {
                    "，替换原文件"
                } else {
                    ""
                }
            );
            Ok(((), AuditLine::new(Some(c.subject_id.0), detail)))
        })?;
        Ok(c)
    }

    /// Write the signed scan to a temporary file for the system viewer.
    pub fn signed_letter_for_viewing(&self, id: CommitmentId) -> Result<PathBuf, DeskError> {
        let c = self.commitment(id)?;
        let sha = c
            .signed_file
            .ok_or_else(|| DeskError::NotFound(format!("承诺 {} 的已签承诺书文件", c.code)))?;
        let blob = self
            .store
            .read()
            .get_blob(&sha)?
            .ok_or_else(|| DeskError::NotFound(format!("文件 {}", &sha[..16])))?;
        let ext = match blob.media_type.as_str() {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            _ => "pdf",
        };
        let path = std::env::temp_dir().join(format!("承诺书-{}-{}.{ext}", c.code, &sha[..8]));
        std::fs::write(&path, &blob.bytes).map_err(|e| {
            DeskError::FileWrite(format!(
                "无法写出临时文件 {}：{}",
                path.display(),
                crate::documents::io_reason(&e)
            ))
        })?;
        Ok(path)
    }

    /// Re-run the trust check a commitment was issued for, now that its letter is signed: the
    /// verdict is final when nothing else is pending (rule T-1(a)).
    pub fn finalise_check(&mut self, id: CommitmentId) -> Result<super::CheckOutcome, DeskError> {
        let c = self.commitment(id)?;
        if !c.is_signed() {
            return Err(DeskError::LetterRefused(format!(
                "承诺 {} 尚未上传签字盖章的承诺书，请先上传",
                c.code
            )));
        }
        let account = match self.store.read().commitment_verdict(id)? {
            Some(v) => self.verdict(VerdictId(v))?.verdict.account_no,
            None => None,
        };
        self.run_check(c.subject_id, Some(c.business), account.as_deref())
    }

    /// One commitment.
    pub fn commitment(&self, id: CommitmentId) -> Result<Commitment, DeskError> {
        self.store
            .read()
            .commitment(id)?
            .ok_or_else(|| DeskError::NotFound(format!("编号为 {id} 的承诺")))
    }

    /// The commitment with this 承诺编码.
    pub fn commitment_by_code(&self, code: &str) -> Result<Commitment, DeskError> {
        let code = normalize(code);
        self.store
            .read()
            .commitment_by_code(&code)?
            .ok_or_else(|| DeskError::NotFound(format!("承诺编码为 {code} 的承诺")))
    }

    /// A subject's commitments, newest first.
    pub fn commitments_of(&self, subject: SubjectId) -> Result<Vec<Commitment>, DeskError> {
        Ok(self.store.read().commitments_of(subject)?)
    }
}
