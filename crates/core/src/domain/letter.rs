//! The 诚信守法用电承诺书 (rule C-1): the annex 2 wording, the fields a clerk fills in, their
//! validation, and the 承诺编码 printed on every page (rule C-4).
//!
//! The wording is kept here as constants, character for character as annex 2 of the seed policy
//! reads (the line breaks that the policy's PDF put inside sentences are joined; the punctuation,
//! including the half-width `:` and `( )` the annex uses in places, is kept as it is). A unit test
//! compares the constants with the seed text.
//!
//! Annex 2 is written for a 申请用电单位. A 自然人 signs the derived person form
//! ([`LetterForm::Person`]): the same letter with the wording changed only where the annex speaks
//! of a 单位 — 申请人姓名 and the person's own 证件类型 / 证件号码 instead of the unit's name, code
//! and legal representative, 我 for 我单位 (in the preamble and commitments 二 and 三), and one
//! 申请人（签字） line instead of 法定代表人（签字） and 单位名称（盖章）. It is not annex text; the
//! README says so, and unit tests check that it differs from annex 2 in nothing else.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::id_codes::{IdDocKind, IdDocument, Uscc, normalize};
use super::subject::{MAX_NAME, MAX_PERSON_NAME};
use super::text::{FieldError, require_text};

/// Title of the letter (annex 2).
pub const TITLE: &str = "诚信守法用电承诺书";
/// Label before the applicant's name.
pub const LABEL_APPLICANT_NAME: &str = "申请用电单位名称:";
/// Label before the applicant's 统一社会信用代码.
pub const LABEL_USCC: &str = "统一社会信用代码:";
/// Label before the legal representative's name.
pub const LABEL_LEGAL_REP_NAME: &str = "法定代表人姓名:";
/// Label before the blank that takes the legal representative's 证件类型.
pub const LABEL_LEGAL_REP_ID_KIND: &str = "法定代表人身份证件类型";
/// Label before the legal representative's 证件号码 (same line as the 证件类型).
pub const LABEL_LEGAL_REP_ID_NUMBER: &str = "证件号码:";
/// Label before the relation to the building.
pub const LABEL_RELATION: &str = "申请单位与用电地址对应建筑物的关系:";
/// The choices printed after the relation blank in the empty annex.
pub const RELATION_CHOICES: &str = "(业主/租户)";
/// A blank of the annex, as printed in it.
pub const BLANK: &str = "_____";
/// The sentence before the seven commitments.
pub const PREAMBLE: &str = "我单位郑重承诺:";
/// The seven numbered commitments, verbatim.
pub const COMMITMENTS: [&str; 7] = [
    "一、所提供的资料均合法、真实、准确和有效，不伪造证明材料，不隐瞒实际情况，不妨害供电企业或其他主体权益；",
    "二、用电地址对应建筑物为我单位合法使用，不存在违章、违建或其他违法情形及纠纷；",
    "三、承诺在接火送电后一年内补齐物业权属证明或相关证明文件，如在规定时限内无法提供，供电企业可配合相关执法部门对我单位进行停电处理，我单位配合供电企业停电工作。",
    "四、严格遵守国家法律、法规、规章和政策规定，依法用电，不窃电，不破坏、哄抢、盗窃电力设施；",
    "五、自觉履行合同义务，诚信用电，不拖欠电费，不违约用电；做好自有产权界面电力设备、设施的运行维护，根据供电企业通知及时整改安全隐患；",
    "六、若未遵守本承诺内容，将依照有关法律、法规、规章政策或合同约定承担相应责任，并自愿接受、承担终止供用电关系的处置以及由此产生的后果；",
    "七、本《诚信守法用电承诺书》统一向社会公开，自愿承担违反本承诺的后果。",
];
/// Signature line of the legal representative (signed by hand: the blank stays empty).
pub const SIGN_LEGAL_REP: &str = "法定代表人：";
/// Note after the legal representative's blank.
pub const SIGN_LEGAL_REP_NOTE: &str = "(签字)";
/// Seal line of the applicant (stamped by hand: the blank stays empty).
pub const SIGN_ORGANIZATION: &str = "单位名称：";
/// Note after the seal blank.
pub const SIGN_ORGANIZATION_NOTE: &str = "(盖章)";
/// Date line, written by hand when the letter is signed.
pub const DATE_LINE: &str = "____年____月____日";

/// The whole annex 2 in reading order, blanks unfilled: what the empty form says.
pub fn annex_text() -> Vec<String> {
    let mut out = vec![
        TITLE.to_string(),
        LABEL_APPLICANT_NAME.to_string(),
        LABEL_USCC.to_string(),
        LABEL_LEGAL_REP_NAME.to_string(),
        format!("{LABEL_LEGAL_REP_ID_KIND} {BLANK} {LABEL_LEGAL_REP_ID_NUMBER}"),
        format!("{LABEL_RELATION} {BLANK} {RELATION_CHOICES}"),
        PREAMBLE.to_string(),
    ];
    out.extend(COMMITMENTS.iter().map(|c| c.to_string()));
    out.extend([
        format!("{SIGN_LEGAL_REP}{BLANK}"),
        SIGN_LEGAL_REP_NOTE.to_string(),
        format!("{SIGN_ORGANIZATION}{BLANK}"),
        SIGN_ORGANIZATION_NOTE.to_string(),
        DATE_LINE.to_string(),
    ]);
    out
}

/// Person form (derived, not annex text): label before the applicant's name.
pub const PERSON_LABEL_NAME: &str = "申请人姓名:";
/// Person form: label before the blank that takes the applicant's 证件类型 (the annex's
/// 法定代表人身份证件类型 without 法定代表人).
pub const PERSON_LABEL_ID_KIND: &str = "身份证件类型";
/// Person form: label before the applicant's 证件号码 (as in the annex).
pub const PERSON_LABEL_ID_NUMBER: &str = LABEL_LEGAL_REP_ID_NUMBER;
/// Person form: label before the relation to the building (申请单位 → 申请人).
pub const PERSON_LABEL_RELATION: &str = "申请人与用电地址对应建筑物的关系:";
/// Person form: the sentence before the commitments (我单位 → 我).
pub const PERSON_PREAMBLE: &str = "我郑重承诺:";
/// Person form: annex 2's seven commitments with 我单位 → 我 (in 二 and 三); the other five are
/// the annex's own sentences.
pub const PERSON_COMMITMENTS: [&str; 7] = [
    COMMITMENTS[0],
    "二、用电地址对应建筑物为我合法使用，不存在违章、违建或其他违法情形及纠纷；",
    "三、承诺在接火送电后一年内补齐物业权属证明或相关证明文件，如在规定时限内无法提供，供电企业可配合相关执法部门对我进行停电处理，我配合供电企业停电工作。",
    COMMITMENTS[3],
    COMMITMENTS[4],
    COMMITMENTS[5],
    COMMITMENTS[6],
];
/// Person form: the applicant signs in person (法定代表人 → 申请人); the annex's 单位名称（盖章）
/// line has no counterpart for a person and is left out.
pub const PERSON_SIGN: &str = "申请人：";
/// Note after the applicant's signature blank.
pub const PERSON_SIGN_NOTE: &str = SIGN_LEGAL_REP_NOTE;

/// The person form in reading order, blanks unfilled (the counterpart of [`annex_text`]).
pub fn person_form_text() -> Vec<String> {
    let mut out = vec![
        TITLE.to_string(),
        PERSON_LABEL_NAME.to_string(),
        format!("{PERSON_LABEL_ID_KIND} {BLANK} {PERSON_LABEL_ID_NUMBER}"),
        format!("{PERSON_LABEL_RELATION} {BLANK} {RELATION_CHOICES}"),
        PERSON_PREAMBLE.to_string(),
    ];
    out.extend(PERSON_COMMITMENTS.iter().map(|c| c.to_string()));
    out.extend([
        format!("{PERSON_SIGN}{BLANK}"),
        PERSON_SIGN_NOTE.to_string(),
        DATE_LINE.to_string(),
    ]);
    out
}

/// Which form of the letter is filled in (rule C-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterForm {
    /// Annex 2 verbatim: a 法人、非法人组织 or 个体工商户 with its 统一社会信用代码 and legal
    /// representative. Records stored before the person form existed are this form.
    #[default]
    Unit,
    /// The derived 自然人 form: 申请人姓名、证件类型、证件号码.
    Person,
}

impl LetterForm {
    /// The seven commitments this form prints.
    pub fn commitments(self) -> &'static [&'static str; 7] {
        match self {
            LetterForm::Unit => &COMMITMENTS,
            LetterForm::Person => &PERSON_COMMITMENTS,
        }
    }
}

/// 申请单位与用电地址对应建筑物的关系 (annex 2: 业主/租户).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// 业主: the applicant owns the building.
    Owner,
    /// 租户: the applicant rents it.
    Tenant,
}

impl Relation {
    pub const ALL: [Relation; 2] = [Relation::Owner, Relation::Tenant];

    /// The word printed on the letter.
    pub fn label(self) -> &'static str {
        match self {
            Relation::Owner => "业主",
            Relation::Tenant => "租户",
        }
    }

    /// The stable key stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            Relation::Owner => "owner",
            Relation::Tenant => "tenant",
        }
    }

    /// Accepts the key or the Chinese word (CLI and import files use either).
    pub fn from_label_or_key(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.key() == s || r.label() == s)
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Every field of the letter form, for messages that name the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterField {
    ApplicantName,
    Uscc,
    LegalRepName,
    LegalRepIdKind,
    LegalRepIdNumber,
    Relation,
    /// Person form: 申请人姓名 (the `applicant_name` field).
    PersonName,
    /// Person form: the applicant's 证件号码.
    PersonIdNumber,
    /// Person form: 申请人与用电地址对应建筑物的关系.
    PersonRelation,
}

impl LetterField {
    /// The field's name as the letter prints it.
    pub fn label(self) -> &'static str {
        match self {
            LetterField::ApplicantName => "申请用电单位名称",
            LetterField::Uscc => "统一社会信用代码",
            LetterField::LegalRepName => "法定代表人姓名",
            LetterField::LegalRepIdKind => "法定代表人身份证件类型",
            LetterField::LegalRepIdNumber => "法定代表人证件号码",
            LetterField::Relation => "申请单位与用电地址对应建筑物的关系",
            LetterField::PersonName => "申请人姓名",
            LetterField::PersonIdNumber => "证件号码",
            LetterField::PersonRelation => "申请人与用电地址对应建筑物的关系",
        }
    }
}

/// What the clerk fills in on the letter, as typed (rule C-1). The unit form uses the USCC and
/// legal-representative fields, the person form the `person_id_*` fields; the others are
/// ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterFields {
    /// 单位 (annex 2) or 自然人 (derived form). Absent in records stored before the person
    /// form: those are unit letters.
    #[serde(default)]
    pub form: LetterForm,
    /// 申请用电单位名称, or 申请人姓名 on the person form.
    pub applicant_name: String,
    pub uscc: String,
    pub legal_rep_name: String,
    pub legal_rep_id_kind: IdDocKind,
    pub legal_rep_id_number: String,
    /// Person form: the applicant's 证件类型.
    #[serde(default = "default_id_kind")]
    pub person_id_kind: IdDocKind,
    /// Person form: the applicant's 证件号码.
    #[serde(default)]
    pub person_id_number: String,
    /// `None` until the clerk chooses 业主 or 租户.
    pub relation: Option<Relation>,
}

fn default_id_kind() -> IdDocKind {
    IdDocKind::ResidentId
}

impl Default for LetterFields {
    fn default() -> Self {
        Self {
            form: LetterForm::Unit,
            applicant_name: String::new(),
            uscc: String::new(),
            legal_rep_name: String::new(),
            legal_rep_id_kind: IdDocKind::ResidentId,
            legal_rep_id_number: String::new(),
            person_id_kind: IdDocKind::ResidentId,
            person_id_number: String::new(),
            relation: None,
        }
    }
}

/// Who makes the commitment on a valid letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicant {
    /// Annex 2: a unit, its code and its legal representative, who signs.
    Unit {
        uscc: Uscc,
        legal_rep_name: String,
        /// Printed in full (rule ID-3 allows it on the printed letter only).
        legal_rep_id: IdDocument,
    },
    /// The derived person form: the applicant signs for himself or herself.
    Person {
        /// Printed in full (rule ID-3 allows it on the printed letter only).
        id: IdDocument,
    },
}

/// A letter whose fields passed validation: the only input the printer takes, so nothing
/// unchecked (control characters, over-long names, wrong check digits) reaches paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLetter {
    applicant_name: String,
    applicant: Applicant,
    relation: Relation,
}

impl ValidLetter {
    /// 申请用电单位名称 (or 申请人姓名 on the person form), trimmed.
    pub fn applicant_name(&self) -> &str {
        &self.applicant_name
    }

    /// Which form the letter is.
    pub fn form(&self) -> LetterForm {
        match self.applicant {
            Applicant::Unit { .. } => LetterForm::Unit,
            Applicant::Person { .. } => LetterForm::Person,
        }
    }

    /// The unit and its representative, or the person.
    pub fn applicant(&self) -> &Applicant {
        &self.applicant
    }

    /// 统一社会信用代码, normalised (unit form only).
    pub fn uscc(&self) -> Option<&Uscc> {
        match &self.applicant {
            Applicant::Unit { uscc, .. } => Some(uscc),
            Applicant::Person { .. } => None,
        }
    }

    /// 法定代表人姓名, trimmed (unit form only).
    pub fn legal_rep_name(&self) -> Option<&str> {
        match &self.applicant {
            Applicant::Unit { legal_rep_name, .. } => Some(legal_rep_name),
            Applicant::Person { .. } => None,
        }
    }

    /// The legal representative's identity document (unit form only); the letter prints the
    /// full number (rule ID-3 allows it on the printed letter only).
    pub fn legal_rep_id(&self) -> Option<&IdDocument> {
        match &self.applicant {
            Applicant::Unit { legal_rep_id, .. } => Some(legal_rep_id),
            Applicant::Person { .. } => None,
        }
    }

    /// The applicant's own identity document (person form only), printed in full.
    pub fn person_id(&self) -> Option<&IdDocument> {
        match &self.applicant {
            Applicant::Unit { .. } => None,
            Applicant::Person { id } => Some(id),
        }
    }

    /// 业主 or 租户.
    pub fn relation(&self) -> Relation {
        self.relation
    }
}

impl LetterFields {
    /// Validate every field as of `today` (a birth date in an ID number may not lie in the
    /// future); all problems are returned at once so that a form can mark each wrong field
    /// (rules C-1, ID-1, ID-2). Only the fields of the chosen form are looked at.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidLetter, Vec<FieldError<LetterField>>> {
        self.validate_inner(today, false)
    }

    /// Like [`LetterFields::validate`], but accepts a 统一社会信用代码 whose national check
    /// character fails: rule ID-1 lets a supervisor accept a few legally issued pilot-era codes,
    /// and the letter of such a subject must still print. The caller records who allowed it.
    pub fn validate_accepting_uscc_check_failure(
        &self,
        today: NaiveDate,
    ) -> Result<ValidLetter, Vec<FieldError<LetterField>>> {
        self.validate_inner(today, true)
    }

    fn validate_inner(
        &self,
        today: NaiveDate,
        accept_uscc_check_failure: bool,
    ) -> Result<ValidLetter, Vec<FieldError<LetterField>>> {
        match self.form {
            LetterForm::Unit => self.validate_unit(today, accept_uscc_check_failure),
            LetterForm::Person => self.validate_person(today),
        }
    }

    fn validate_unit(
        &self,
        today: NaiveDate,
        accept_uscc_check_failure: bool,
    ) -> Result<ValidLetter, Vec<FieldError<LetterField>>> {
        let mut errors = Vec::new();
        let mut err = |field, message: String| errors.push(FieldError { field, message });

        let applicant_name = require_text(&self.applicant_name, MAX_NAME)
            .map_err(|m| err(LetterField::ApplicantName, format!("申请用电单位名称{m}")));

        let uscc = if accept_uscc_check_failure {
            Uscc::parse_accepting_check_failure(&self.uscc)
        } else {
            Uscc::parse(&self.uscc)
        }
        .map_err(|e| err(LetterField::Uscc, e.to_string()));

        let legal_rep_name = if self.legal_rep_name.trim().is_empty() {
            err(
                LetterField::LegalRepName,
                "法定代表人姓名不能为空：承诺书须由法定代表人签字，请填写法定代表人姓名".into(),
            );
            Err(())
        } else {
            require_text(&self.legal_rep_name, MAX_PERSON_NAME)
                .map_err(|m| err(LetterField::LegalRepName, format!("法定代表人姓名{m}")))
        };

        let legal_rep_id = if normalize(&self.legal_rep_id_number).is_empty() {
            err(
                LetterField::LegalRepIdNumber,
                format!(
                    "法定代表人证件号码不能为空：请按所选证件类型（{}）填写",
                    self.legal_rep_id_kind.label()
                ),
            );
            Err(())
        } else {
            IdDocument::parse(self.legal_rep_id_kind, &self.legal_rep_id_number, today).map_err(
                |e| {
                    err(
                        LetterField::LegalRepIdNumber,
                        format!("法定代表人{}：{e}", self.legal_rep_id_kind.label()),
                    )
                },
            )
        };

        let relation = self.relation.ok_or_else(|| {
            err(
                LetterField::Relation,
                "请选择申请单位与用电地址对应建筑物的关系：业主或租户".into(),
            )
        });

        match (applicant_name, uscc, legal_rep_name, legal_rep_id, relation) {
            (Ok(applicant_name), Ok(uscc), Ok(legal_rep_name), Ok(legal_rep_id), Ok(relation))
                if errors.is_empty() =>
            {
                Ok(ValidLetter {
                    applicant_name,
                    applicant: Applicant::Unit {
                        uscc,
                        legal_rep_name,
                        legal_rep_id,
                    },
                    relation,
                })
            }
            _ => Err(errors),
        }
    }

    /// The person form: 申请人姓名, the person's 证件类型 and 证件号码, and the relation.
    fn validate_person(
        &self,
        today: NaiveDate,
    ) -> Result<ValidLetter, Vec<FieldError<LetterField>>> {
        let mut errors = Vec::new();
        let mut err = |field, message: String| errors.push(FieldError { field, message });

        let applicant_name = if self.applicant_name.trim().is_empty() {
            err(
                LetterField::PersonName,
                "申请人姓名不能为空：承诺书须由申请人本人签字，请填写申请人姓名".into(),
            );
            Err(())
        } else {
            require_text(&self.applicant_name, MAX_PERSON_NAME)
                .map_err(|m| err(LetterField::PersonName, format!("申请人姓名{m}")))
        };

        let id = if normalize(&self.person_id_number).is_empty() {
            err(
                LetterField::PersonIdNumber,
                format!(
                    "申请人证件号码不能为空：请按所选证件类型（{}）填写",
                    self.person_id_kind.label()
                ),
            );
            Err(())
        } else {
            IdDocument::parse(self.person_id_kind, &self.person_id_number, today).map_err(|e| {
                err(
                    LetterField::PersonIdNumber,
                    format!("申请人{}：{e}", self.person_id_kind.label()),
                )
            })
        };

        let relation = self.relation.ok_or_else(|| {
            err(
                LetterField::PersonRelation,
                "请选择申请人与用电地址对应建筑物的关系：业主或租户".into(),
            )
        });

        match (applicant_name, id, relation) {
            (Ok(applicant_name), Ok(id), Ok(relation)) if errors.is_empty() => Ok(ValidLetter {
                applicant_name,
                applicant: Applicant::Person { id },
                relation,
            }),
            _ => Err(errors),
        }
    }
}

/// Region code of the accepting place that starts every 承诺编码 issued here (湛江, rule C-4).
pub const COMMITMENT_REGION: &str = "440800";
/// Length of a 承诺编码: 6-digit region + 8-digit date + 6-digit serial (rule C-4).
pub const COMMITMENT_CODE_LEN: usize = 20;
/// Largest serial number of one day.
pub const MAX_COMMITMENT_SERIAL: u32 = 999_999;

/// Why a 承诺编码 was refused. `Display` names the position that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CommitmentCodeError {
    #[error("承诺编码应为 20 位数字（440800 + 8 位日期 + 6 位序号），输入的是 {actual} 位")]
    WrongLength { actual: usize },
    #[error("承诺编码第 {position} 位“{ch}”不是数字：承诺编码只由数字组成")]
    NotDigit { position: usize, ch: char },
    #[error("承诺编码第 1–6 位应为湛江的区划码 440800，输入的是 {found}")]
    Region { found: String },
    #[error("承诺编码第 7–14 位“{text}”不是真实的日期（应为 yyyyMMdd，如 20240229）")]
    Date { text: String },
    #[error("承诺编码第 15–20 位的序号不能是 000000：序号从 000001 开始")]
    SerialZero,
    #[error("承诺编码序号 {serial} 超出范围：一天的序号为 1–999999")]
    SerialOutOfRange { serial: u32 },
    #[error("承诺日期 {date} 超出可编码的年份范围（1000–9999 年）")]
    DateOutOfRange { date: NaiveDate },
}

/// A 承诺编码 (rule C-4): `440800` + date `yyyyMMdd` + 6-digit serial, 20 digits, unique (the
/// store hands out the serial).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct CommitmentCode {
    code: String,
    date: NaiveDate,
    serial: u32,
}

impl CommitmentCode {
    /// The code of the `serial`-th commitment made on `date` (serial 1..=999999).
    pub fn new(date: NaiveDate, serial: u32) -> Result<Self, CommitmentCodeError> {
        if serial == 0 {
            return Err(CommitmentCodeError::SerialZero);
        }
        if serial > MAX_COMMITMENT_SERIAL {
            return Err(CommitmentCodeError::SerialOutOfRange { serial });
        }
        if !(1000..=9999).contains(&date.year()) {
            return Err(CommitmentCodeError::DateOutOfRange { date });
        }
        Ok(Self {
            code: format!("{COMMITMENT_REGION}{}{serial:06}", date.format("%Y%m%d")),
            date,
            serial,
        })
    }

    /// Check a code as typed or read from a file: surrounding spaces and full-width digits are
    /// tolerated; the region, the date and the serial are checked (rule C-4).
    pub fn parse(input: &str) -> Result<Self, CommitmentCodeError> {
        let s = normalize(input);
        let n = s.chars().count();
        if let Some((i, ch)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(CommitmentCodeError::NotDigit {
                position: i + 1,
                ch,
            });
        }
        if n != COMMITMENT_CODE_LEN {
            return Err(CommitmentCodeError::WrongLength { actual: n });
        }
        // All 20 characters are ASCII digits from here on: 6 + 8 + 6 bytes.
        let (region, rest) = s
            .split_at_checked(6)
            .ok_or(CommitmentCodeError::WrongLength { actual: n })?;
        let (date_text, serial_text) = rest
            .split_at_checked(8)
            .ok_or(CommitmentCodeError::WrongLength { actual: n })?;
        if region != COMMITMENT_REGION {
            return Err(CommitmentCodeError::Region {
                found: region.to_string(),
            });
        }
        let date = NaiveDate::parse_from_str(date_text, "%Y%m%d").map_err(|_| {
            CommitmentCodeError::Date {
                text: date_text.to_string(),
            }
        })?;
        let serial: u32 = serial_text
            .parse()
            .map_err(|_| CommitmentCodeError::SerialZero)?;
        Self::new(date, serial)
    }

    /// The 20 digits.
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// 承诺作出日期 encoded in positions 7–14.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The serial of that day, positions 15–20.
    pub fn serial(&self) -> u32 {
        self.serial
    }
}

impl fmt::Display for CommitmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl From<CommitmentCode> for String {
    fn from(c: CommitmentCode) -> Self {
        c.code
    }
}

impl TryFrom<String> for CommitmentCode {
    type Error = CommitmentCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2024, 6, 1)
    }

    /// A valid resident ID: 440802 + 19900101 + 123 + check character.
    fn resident_id() -> String {
        let body = "44080219900101123";
        format!(
            "{body}{}",
            crate::domain::id_codes::resident_id_check_char(body).unwrap()
        )
    }

    /// A valid USCC: 91440800 + an organisation code + check character.
    fn uscc() -> String {
        let org8 = "MA4W1234";
        let org = format!(
            "{org8}{}",
            crate::domain::id_codes::org_code_check_char(org8).unwrap()
        );
        let body = format!("91440800{org}");
        let body = body.as_str();
        format!(
            "{body}{}",
            crate::domain::id_codes::uscc_check_char(body).unwrap()
        )
    }

    fn fields() -> LetterFields {
        LetterFields {
            applicant_name: "湛江市某某实业有限公司".into(),
            uscc: uscc(),
            legal_rep_name: "张三".into(),
            legal_rep_id_kind: IdDocKind::ResidentId,
            legal_rep_id_number: resident_id(),
            relation: Some(Relation::Tenant),
            ..LetterFields::default()
        }
    }

    fn person_fields() -> LetterFields {
        LetterFields {
            form: LetterForm::Person,
            applicant_name: "陈𨋢明".into(),
            person_id_kind: IdDocKind::ResidentId,
            person_id_number: resident_id(),
            relation: Some(Relation::Owner),
            ..LetterFields::default()
        }
    }

    /// Annex 2 of the policy, from the line after "附件 2" up to the next annex's title. The
    /// policy is a public government document, kept in the repository as a fixture (a copy of
    /// the steering repo's seed) so that a clone of this repository alone passes its tests.
    fn seed_annex2() -> String {
        let seed: &str = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/policy/zhanjiang-power-credit-plan-2022.txt"
        ));
        let lines: Vec<&str> = seed.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.trim() == "附件 2")
            .expect("seed has a line 附件 2");
        let end = lines[start..]
            .iter()
            .position(|l| l.trim() == "湛江市信易电服务指引")
            .expect("annex 2 is followed by 湛江市信易电服务指引")
            + start;
        lines[start + 1..end].join("\n")
    }

    fn strip_ws(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    #[test]
    fn wording_is_annex_2_verbatim() {
        // The seed was extracted from a PDF: it letter-spaces some labels and breaks lines inside
        // sentences. Whitespace is the only thing ignored; every other character must match.
        let seed = strip_ws(&seed_annex2());
        let ours = strip_ws(&annex_text().concat());
        assert_eq!(ours, seed);
    }

    #[test]
    fn each_commitment_is_one_paragraph_of_the_seed() {
        // Joining the seed's paragraphs (blank-line separated) gives exactly our seven sentences.
        let seed = seed_annex2();
        let paragraphs: Vec<String> = seed
            .split("\n\n")
            .map(|p| p.replace('\n', ""))
            .filter(|p| !p.trim().is_empty())
            .collect();
        for c in COMMITMENTS {
            assert!(
                paragraphs.iter().any(|p| p == c),
                "not a seed paragraph: {c}"
            );
            assert!(!c.chars().any(char::is_whitespace));
        }
        let numbers = ["一、", "二、", "三、", "四、", "五、", "六、", "七、"];
        for (c, n) in COMMITMENTS.iter().zip(numbers) {
            assert!(c.starts_with(n));
        }
    }

    #[test]
    fn valid_fields_pass() {
        let v = fields().validate(today()).unwrap();
        assert_eq!(v.applicant_name(), "湛江市某某实业有限公司");
        assert_eq!(v.form(), LetterForm::Unit);
        assert_eq!(v.uscc().unwrap().as_str(), uscc());
        assert_eq!(v.legal_rep_name(), Some("张三"));
        assert_eq!(v.legal_rep_id().unwrap().number, resident_id());
        assert_eq!(v.person_id(), None);
        assert_eq!(v.relation(), Relation::Tenant);
    }

    #[test]
    fn person_form_differs_from_annex_2_only_where_it_speaks_of_a_unit() {
        // Commitments: 我单位 → 我, nothing else; five of seven are the annex's sentences.
        for (annex, person) in COMMITMENTS.iter().zip(PERSON_COMMITMENTS) {
            assert_eq!(person, annex.replace("我单位", "我"));
            assert!(!person.contains("单位"), "{person}");
        }
        let unchanged = COMMITMENTS
            .iter()
            .zip(PERSON_COMMITMENTS)
            .filter(|(a, p)| **a == *p)
            .count();
        assert_eq!(unchanged, 5);
        assert_eq!(PERSON_PREAMBLE, PREAMBLE.replace("我单位", "我"));
        assert_eq!(
            PERSON_LABEL_RELATION,
            LABEL_RELATION.replace("申请单位", "申请人")
        );
        assert_eq!(
            PERSON_LABEL_ID_KIND,
            LABEL_LEGAL_REP_ID_KIND.replace("法定代表人", "")
        );
        assert_eq!(PERSON_SIGN, SIGN_LEGAL_REP.replace("法定代表人", "申请人"));
        // No 单位 anywhere, no 盖章 line, and no added wording such as 按手印.
        let text = person_form_text().concat();
        assert!(!text.contains("单位"), "{text}");
        assert!(!text.contains("盖章") && !text.contains("手印"), "{text}");
        assert_eq!(LetterForm::Person.commitments(), &PERSON_COMMITMENTS);
        assert_eq!(LetterForm::Unit.commitments(), &COMMITMENTS);
    }

    #[test]
    fn valid_person_fields_pass_and_ignore_the_unit_fields() {
        let v = person_fields().validate(today()).unwrap();
        assert_eq!(v.form(), LetterForm::Person);
        assert_eq!(v.applicant_name(), "陈𨋢明");
        assert_eq!(v.person_id().unwrap().number, resident_id());
        assert_eq!(v.uscc(), None);
        assert_eq!(v.legal_rep_name(), None);
        assert_eq!(v.relation(), Relation::Owner);
    }

    #[test]
    fn person_form_errors_name_the_person_fields() {
        let mut f = person_fields();
        f.applicant_name = " ".into();
        f.person_id_number = String::new();
        f.relation = None;
        let errs = f.validate(today()).unwrap_err();
        let fields: Vec<LetterField> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                LetterField::PersonName,
                LetterField::PersonIdNumber,
                LetterField::PersonRelation
            ]
        );
        assert!(errs[0].message.contains("申请人姓名不能为空"));
        assert!(
            errs[1].message.contains("居民身份证"),
            "{}",
            errs[1].message
        );
        assert!(errs[2].message.contains("申请人与用电地址"));
        let mut f = person_fields();
        f.applicant_name = "王".repeat(MAX_PERSON_NAME + 1);
        let good = resident_id();
        let wrong = if good.ends_with('1') { '2' } else { '1' };
        f.person_id_number = format!("{}{wrong}", &good[..17]);
        let errs = f.validate(today()).unwrap_err();
        assert!(
            errs[0].message.contains("最多 50 个字"),
            "{}",
            errs[0].message
        );
        assert!(
            errs[1].message.starts_with("申请人居民身份证"),
            "{}",
            errs[1].message
        );
    }

    #[test]
    fn records_stored_before_the_person_form_read_as_unit_letters() {
        let json = r#"{"applicant_name":"湛江市某某实业有限公司","uscc":"X","legal_rep_name":"张三",
            "legal_rep_id_kind":"resident_id","legal_rep_id_number":"1","relation":"owner"}"#;
        let f: LetterFields = serde_json::from_str(json).unwrap();
        assert_eq!(f.form, LetterForm::Unit);
        assert_eq!(f.person_id_kind, IdDocKind::ResidentId);
        assert!(f.person_id_number.is_empty());
    }

    #[test]
    fn missing_legal_rep_is_named() {
        let mut f = fields();
        f.legal_rep_name = "  ".into();
        let errs = f.validate(today()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, LetterField::LegalRepName);
        assert!(
            errs[0].message.contains("法定代表人姓名不能为空"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn failing_id_number_names_the_check_character() {
        let mut f = fields();
        let good = resident_id();
        let wrong = if good.ends_with('1') { '2' } else { '1' };
        f.legal_rep_id_number = format!("{}{wrong}", &good[..17]);
        let errs = f.validate(today()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, LetterField::LegalRepIdNumber);
        let expected = good.chars().last().unwrap();
        assert!(
            errs[0].message.contains(&format!("校验位应为 {expected}")),
            "{}",
            errs[0].message
        );
        assert!(errs[0].message.starts_with("法定代表人居民身份证"));
    }

    #[test]
    fn empty_id_number_and_missing_relation_and_long_name_all_reported() {
        let mut f = fields();
        f.legal_rep_id_number = " ".into();
        f.relation = None;
        f.applicant_name = "湛".repeat(MAX_NAME + 1);
        f.legal_rep_name = "王".repeat(MAX_PERSON_NAME + 1);
        let errs = f.validate(today()).unwrap_err();
        let fields: Vec<LetterField> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                LetterField::ApplicantName,
                LetterField::LegalRepName,
                LetterField::LegalRepIdNumber,
                LetterField::Relation
            ]
        );
        assert!(
            errs[0].message.contains("最多 100 个字"),
            "{}",
            errs[0].message
        );
        assert!(
            errs[1].message.contains("最多 50 个字"),
            "{}",
            errs[1].message
        );
        assert!(errs[3].message.contains("业主或租户"));
    }

    #[test]
    fn control_characters_and_bad_uscc_refused() {
        let mut f = fields();
        f.applicant_name = "某某\n公司".into();
        f.uscc = "91440800MA4W12345X".into();
        let errs = f.validate(today()).unwrap_err();
        assert_eq!(errs[0].field, LetterField::ApplicantName);
        assert!(errs[0].message.contains("控制字符"));
        assert_eq!(errs[1].field, LetterField::Uscc);
    }

    #[test]
    fn supervisor_accepted_uscc_still_prints() {
        let mut f = fields();
        let good = uscc();
        let wrong = if good.ends_with('0') { '1' } else { '0' };
        f.uscc = format!("{}{wrong}", &good[..17]);
        assert!(f.validate(today()).is_err());
        let v = f.validate_accepting_uscc_check_failure(today()).unwrap();
        assert_eq!(v.uscc().unwrap().as_str(), f.uscc);
    }

    #[test]
    fn future_birth_date_refused_as_of_today() {
        let mut f = fields();
        // Born 1990: valid in 2024, not in 1980.
        assert!(f.validate(d(1980, 1, 1)).is_err());
        f.legal_rep_id_kind = IdDocKind::Passport;
        f.legal_rep_id_number = "E12345678".into();
        assert!(f.validate(d(1980, 1, 1)).is_ok());
    }

    #[test]
    fn relation_words() {
        assert_eq!(Relation::from_label_or_key("业主"), Some(Relation::Owner));
        assert_eq!(
            Relation::from_label_or_key(" tenant "),
            Some(Relation::Tenant)
        );
        assert_eq!(Relation::from_label_or_key("房东"), None);
        assert_eq!(Relation::Tenant.to_string(), "租户");
    }

    #[test]
    fn commitment_code_round_trip() {
        let c = CommitmentCode::new(d(2024, 2, 29), 7).unwrap();
        assert_eq!(c.as_str(), "44080020240229000007");
        assert_eq!(c.as_str().len(), COMMITMENT_CODE_LEN);
        assert_eq!(CommitmentCode::parse(c.as_str()), Ok(c.clone()));
        assert_eq!(
            CommitmentCode::parse(" ４４０８００２０２４０２２９０００００７ ").unwrap(),
            c
        );
        assert_eq!(c.date(), d(2024, 2, 29));
        assert_eq!(c.serial(), 7);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"44080020240229000007\"");
        assert_eq!(serde_json::from_str::<CommitmentCode>(&json).unwrap(), c);
        assert!(serde_json::from_str::<CommitmentCode>("\"44080020230229000007\"").is_err());
        assert_eq!(
            CommitmentCode::new(d(2024, 1, 1), MAX_COMMITMENT_SERIAL)
                .unwrap()
                .as_str(),
            "44080020240101999999"
        );
    }

    #[test]
    fn commitment_code_errors_name_the_position() {
        use CommitmentCodeError as E;
        assert_eq!(
            CommitmentCode::parse("4408002024022900000"),
            Err(E::WrongLength { actual: 19 })
        );
        assert_eq!(
            CommitmentCode::parse("44080020240229A00007"),
            Err(E::NotDigit {
                position: 15,
                ch: 'A'
            })
        );
        assert_eq!(
            CommitmentCode::parse("44080120240229000007"),
            Err(E::Region {
                found: "440801".into()
            })
        );
        let e = CommitmentCode::parse("44080020230229000007").unwrap_err();
        assert_eq!(
            e,
            E::Date {
                text: "20230229".into()
            }
        );
        assert!(e.to_string().contains("第 7–14 位"));
        assert_eq!(
            CommitmentCode::parse("44080020240229000000"),
            Err(E::SerialZero)
        );
        assert_eq!(CommitmentCode::new(d(2024, 1, 1), 0), Err(E::SerialZero));
        assert_eq!(
            CommitmentCode::new(d(2024, 1, 1), 1_000_000),
            Err(E::SerialOutOfRange { serial: 1_000_000 })
        );
        assert!(matches!(
            CommitmentCode::new(d(10000, 1, 1), 1),
            Err(E::DateOutOfRange { .. })
        ));
        assert_eq!(CommitmentCode::parse(""), Err(E::WrongLength { actual: 0 }));
        // Hostile input: long and non-ASCII, answered without panicking.
        assert!(CommitmentCode::parse(&"９".repeat(100_000)).is_err());
        assert!(CommitmentCode::parse("４４０８００２０２４０２２９００００é７").is_err());
    }
}
