//! Subjects (承诺人, rule S-1) and their power-supply accounts, with the validation a clerk's form
//! or an import row goes through before anything is stored.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::id_codes::{IdDocKind, IdDocument, Uscc, normalize};
use super::text::{FieldError, parse_date, require_text};

/// Database key of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubjectId(pub i64);

/// Database key of a power-supply account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub i64);

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// 承诺人类别 (rule S-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 法人及非法人组织, keyed by USCC.
    Organization,
    /// 个体工商户, keyed by USCC.
    IndividualBusiness,
    /// 自然人, keyed by 证件类型 + 证件号码.
    NaturalPerson,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 3] = [
        SubjectKind::Organization,
        SubjectKind::IndividualBusiness,
        SubjectKind::NaturalPerson,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Organization => "法人及非法人组织",
            SubjectKind::IndividualBusiness => "个体工商户",
            SubjectKind::NaturalPerson => "自然人",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            SubjectKind::Organization => "organization",
            SubjectKind::IndividualBusiness => "individual_business",
            SubjectKind::NaturalPerson => "natural_person",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Accepts the key, the Chinese label or a common short form ("法人", "个体", "个人").
    pub fn from_label_or_key(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s || k.label() == s)
            .or(match s {
                "法人" | "组织" | "企业" | "单位" => Some(SubjectKind::Organization),
                "个体" | "个体户" => Some(SubjectKind::IndividualBusiness),
                "个人" | "自然人" => Some(SubjectKind::NaturalPerson),
                _ => None,
            })
    }

    /// Organisations and individual businesses are keyed by USCC.
    pub fn keyed_by_uscc(self) -> bool {
        !matches!(self, SubjectKind::NaturalPerson)
    }
}

/// The key that identifies a subject (rule S-1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SubjectCode {
    Uscc { code: Uscc },
    Person { doc: IdDocument },
}

impl SubjectCode {
    /// The code as stored: `uscc` or the 证件类型 key, then the normalised number.
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            SubjectCode::Uscc { code } => ("uscc", code.as_str()),
            SubjectCode::Person { doc } => (doc.kind.key(), doc.number.as_str()),
        }
    }

    /// The full code (only on the subject's own page and the printed letter, rule ID-3).
    pub fn full(&self) -> &str {
        self.parts().1
    }

    /// The code as shown in lists, search results and exports: personal numbers masked (ID-3).
    pub fn display_masked(&self) -> String {
        match self {
            SubjectCode::Uscc { code } => code.to_string(),
            SubjectCode::Person { doc } => doc.masked(),
        }
    }

    /// The label of the code, e.g. 统一社会信用代码 or 居民身份证.
    pub fn type_label(&self) -> &'static str {
        match self {
            SubjectCode::Uscc { .. } => "统一社会信用代码",
            SubjectCode::Person { doc } => doc.kind.label(),
        }
    }
}

/// The 法定代表人 of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalRep {
    pub name: String,
    pub doc: Option<IdDocument>,
}

/// A stored power-supply account (用户编号).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub subject_id: SubjectId,
    pub account_no: String,
    pub usage_address: String,
    pub supply_start: Option<NaiveDate>,
}

/// A stored subject with its accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub id: SubjectId,
    pub kind: SubjectKind,
    pub code: SubjectCode,
    pub name: String,
    pub legal_rep: Option<LegalRep>,
    pub founded_on: Option<NaiveDate>,
    pub phone: String,
    pub address: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub accounts: Vec<Account>,
}

/// A row of a search result: what a list shows (personal numbers masked, rule ID-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectSummary {
    pub id: SubjectId,
    pub kind: SubjectKind,
    pub code_masked: String,
    pub name: String,
    pub phone: String,
    pub address: String,
}

/// Longest texts the store accepts; longer input is refused with the field named.
pub const MAX_NAME: usize = 100;
pub const MAX_PERSON_NAME: usize = 50;
pub const MAX_ADDRESS: usize = 200;
pub const MAX_ACCOUNT_NO: usize = 20;

/// Every field of the subject form, for messages that name the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Kind,
    Name,
    Code,
    IdKind,
    LegalRepName,
    LegalRepIdKind,
    LegalRepIdNumber,
    FoundedOn,
    Phone,
    Address,
    AccountNo,
    UsageAddress,
    SupplyStart,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Kind => "主体类别",
            Field::Name => "名称",
            Field::Code => "代码/证件号码",
            Field::IdKind => "证件类型",
            Field::LegalRepName => "法定代表人姓名",
            Field::LegalRepIdKind => "法定代表人证件类型",
            Field::LegalRepIdNumber => "法定代表人证件号码",
            Field::FoundedOn => "成立日期",
            Field::Phone => "联系电话",
            Field::Address => "注册地址",
            Field::AccountNo => "用户编号",
            Field::UsageAddress => "用电地址",
            Field::SupplyStart => "用电开始日期",
        }
    }
}

/// What a form or a CLI call supplies for a subject, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDraft {
    pub kind: SubjectKind,
    pub name: String,
    /// USCC for organisations and individual businesses, the ID number for a person.
    pub code: String,
    /// 证件类型 of a natural person (ignored for USCC-keyed kinds).
    pub id_kind: IdDocKind,
    pub legal_rep_name: String,
    pub legal_rep_id_kind: IdDocKind,
    pub legal_rep_id_number: String,
    pub founded_on: String,
    pub phone: String,
    pub address: String,
}

impl Default for SubjectDraft {
    fn default() -> Self {
        Self {
            kind: SubjectKind::Organization,
            name: String::new(),
            code: String::new(),
            id_kind: IdDocKind::ResidentId,
            legal_rep_name: String::new(),
            legal_rep_id_kind: IdDocKind::ResidentId,
            legal_rep_id_number: String::new(),
            founded_on: String::new(),
            phone: String::new(),
            address: String::new(),
        }
    }
}

/// A subject that passed validation, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSubject {
    pub kind: SubjectKind,
    pub code: SubjectCode,
    pub name: String,
    pub legal_rep: Option<LegalRep>,
    pub founded_on: Option<NaiveDate>,
    pub phone: String,
    pub address: String,
}

impl SubjectDraft {
    /// Fill a draft from a stored subject (the edit form starts from it).
    pub fn from_subject(s: &Subject) -> Self {
        let (id_kind, code) = match &s.code {
            SubjectCode::Uscc { code } => (IdDocKind::ResidentId, code.to_string()),
            SubjectCode::Person { doc } => (doc.kind, doc.number.clone()),
        };
        let (lr_name, lr_kind, lr_no) = match &s.legal_rep {
            Some(lr) => (
                lr.name.clone(),
                lr.doc.as_ref().map_or(IdDocKind::ResidentId, |d| d.kind),
                lr.doc.as_ref().map_or(String::new(), |d| d.number.clone()),
            ),
            None => (String::new(), IdDocKind::ResidentId, String::new()),
        };
        Self {
            kind: s.kind,
            name: s.name.clone(),
            code,
            id_kind,
            legal_rep_name: lr_name,
            legal_rep_id_kind: lr_kind,
            legal_rep_id_number: lr_no,
            founded_on: s.founded_on.map(|d| d.to_string()).unwrap_or_default(),
            phone: s.phone.clone(),
            address: s.address.clone(),
        }
    }

    /// Validate every field as of `today`; all problems are returned at once so that a form can
    /// mark each wrong field (rules ID-1, ID-2, S-1).
    pub fn validate(&self, today: NaiveDate) -> Result<ValidSubject, Vec<FieldError<Field>>> {
        self.validate_inner(today, false)
    }

    /// As [`SubjectDraft::validate`], but a USCC whose only fault is its check character passes:
    /// only for a supervisor's explicit acceptance of a legally issued early code (rule ID-1).
    pub fn validate_accepting_check_failure(
        &self,
        today: NaiveDate,
    ) -> Result<ValidSubject, Vec<FieldError<Field>>> {
        self.validate_inner(today, true)
    }

    fn validate_inner(
        &self,
        today: NaiveDate,
        accept_check_failure: bool,
    ) -> Result<ValidSubject, Vec<FieldError<Field>>> {
        let mut errors = Vec::new();
        let mut err = |field, message: String| errors.push(FieldError { field, message });

        let name_max = if self.kind == SubjectKind::NaturalPerson {
            MAX_PERSON_NAME
        } else {
            MAX_NAME
        };
        let name = require_text(&self.name, name_max).map_err(|m| err(Field::Name, m));

        let code = if self.kind.keyed_by_uscc() {
            let parsed = if accept_check_failure {
                Uscc::parse_accepting_check_failure(&self.code)
            } else {
                Uscc::parse(&self.code)
            };
            parsed
                .map(|code| SubjectCode::Uscc { code })
                .map_err(|e| err(Field::Code, e.to_string()))
        } else {
            IdDocument::parse(self.id_kind, &self.code, today)
                .map(|doc| SubjectCode::Person { doc })
                .map_err(|e| err(Field::Code, e.to_string()))
        };

        let legal_rep = if self.kind == SubjectKind::NaturalPerson {
            Ok(None)
        } else {
            let lr_name = self.legal_rep_name.trim();
            let lr_no = normalize(&self.legal_rep_id_number);
            if lr_name.is_empty() && lr_no.is_empty() {
                Ok(None)
            } else if lr_name.is_empty() {
                err(
                    Field::LegalRepName,
                    "填写了法定代表人证件号码，请同时填写法定代表人姓名".into(),
                );
                Err(())
            } else {
                let name =
                    require_text(lr_name, MAX_PERSON_NAME).map_err(|m| err(Field::LegalRepName, m));
                let doc = if lr_no.is_empty() {
                    Ok(None)
                } else {
                    IdDocument::parse(self.legal_rep_id_kind, &lr_no, today)
                        .map(Some)
                        .map_err(|e| err(Field::LegalRepIdNumber, e.to_string()))
                };
                match (name, doc) {
                    (Ok(name), Ok(doc)) => Ok(Some(LegalRep { name, doc })),
                    _ => Err(()),
                }
            }
        };

        let founded_on = if self.founded_on.trim().is_empty() {
            Ok(None)
        } else {
            match parse_date(&self.founded_on) {
                Ok(d) if d > today => {
                    err(Field::FoundedOn, format!("成立日期 {d} 晚于今天，请核对"));
                    Err(())
                }
                Ok(d) => Ok(Some(d)),
                Err(m) => {
                    err(Field::FoundedOn, m);
                    Err(())
                }
            }
        };

        let phone = validate_phone(&self.phone).map_err(|m| err(Field::Phone, m));
        let address = optional_text(&self.address, MAX_ADDRESS).map_err(|m| err(Field::Address, m));

        match (name, code, legal_rep, founded_on, phone, address) {
            (Ok(name), Ok(code), Ok(legal_rep), Ok(founded_on), Ok(phone), Ok(address))
                if errors.is_empty() =>
            {
                Ok(ValidSubject {
                    kind: self.kind,
                    code,
                    name,
                    legal_rep,
                    founded_on,
                    phone,
                    address,
                })
            }
            _ => Err(errors),
        }
    }
}

/// What a form or CLI call supplies for an account, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDraft {
    pub account_no: String,
    pub usage_address: String,
    pub supply_start: String,
}

/// An account that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAccount {
    pub account_no: String,
    pub usage_address: String,
    pub supply_start: Option<NaiveDate>,
}

impl AccountDraft {
    /// Validate as of `today`: 用户编号 of letters and digits, a usage address, and a supply start
    /// date that is not in the future.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidAccount, Vec<FieldError<Field>>> {
        let mut errors = Vec::new();
        let no = normalize(&self.account_no);
        if no.is_empty() {
            errors.push(FieldError::new(
                Field::AccountNo,
                "用户编号不能为空，请输入",
            ));
        } else if no.chars().count() > MAX_ACCOUNT_NO
            || !no.chars().all(|c| c.is_ascii_alphanumeric())
        {
            errors.push(FieldError::new(
                Field::AccountNo,
                format!("用户编号只能由字母和数字组成，最多 {MAX_ACCOUNT_NO} 位"),
            ));
        }
        let usage_address = require_text(&self.usage_address, MAX_ADDRESS)
            .map_err(|m| errors.push(FieldError::new(Field::UsageAddress, m)));
        let supply_start = if self.supply_start.trim().is_empty() {
            None
        } else {
            match parse_date(&self.supply_start) {
                Ok(d) if d > today => {
                    errors.push(FieldError::new(
                        Field::SupplyStart,
                        format!("用电开始日期 {d} 晚于今天，请核对"),
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(m) => {
                    errors.push(FieldError::new(Field::SupplyStart, m));
                    None
                }
            }
        };
        match usage_address {
            Ok(usage_address) if errors.is_empty() => Ok(ValidAccount {
                account_no: no,
                usage_address,
                supply_start,
            }),
            _ => Err(errors),
        }
    }
}

fn optional_text(s: &str, max: usize) -> Result<String, String> {
    if s.trim().is_empty() {
        Ok(String::new())
    } else {
        require_text(s, max)
    }
}

/// A phone number: a mainland mobile (11 digits starting with 1, optionally +86) or a landline with
/// area code (湛江 0759-xxxxxxx), optionally with an extension. Empty is allowed.
pub fn validate_phone(s: &str) -> Result<String, String> {
    let t = normalize(s);
    if t.is_empty() {
        return Ok(t);
    }
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let allowed = t.chars().all(|c| c.is_ascii_digit() || "+-()".contains(c));
    let national = digits
        .strip_prefix("86")
        .filter(|_| t.starts_with('+'))
        .unwrap_or(&digits);
    let mobile = national.len() == 11 && national.starts_with('1');
    let landline = national.starts_with('0') && (10..=17).contains(&national.len());
    if allowed && (mobile || landline) {
        Ok(t)
    } else {
        Err("联系电话格式不正确：请填写 11 位手机号码，或带区号的固话（如 0759-2345678）".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_codes::{resident_id_check_char, uscc_check_char};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn uscc() -> String {
        let body = "91440800MA4UMB8E0";
        format!("{body}{}", uscc_check_char(body).unwrap())
    }

    fn wrong_check_uscc() -> String {
        let good = uscc();
        let wrong = if good.ends_with('0') { '1' } else { '0' };
        format!("{}{wrong}", &good[..17])
    }

    fn rid() -> String {
        let body = "44080319850315123";
        format!("{body}{}", resident_id_check_char(body).unwrap())
    }

    fn org_draft() -> SubjectDraft {
        SubjectDraft {
            name: "湛江市霞山区海港贸易有限公司".into(),
            code: uscc(),
            legal_rep_name: "陈海".into(),
            legal_rep_id_number: rid(),
            founded_on: "2019-05-06".into(),
            phone: "0759-2345678".into(),
            address: "湛江市霞山区人民大道南 88 号".into(),
            ..SubjectDraft::default()
        }
    }

    #[test]
    fn valid_organisation() {
        let v = org_draft().validate(today()).unwrap();
        assert_eq!(v.code.full(), uscc());
        assert_eq!(v.legal_rep.unwrap().doc.unwrap().number, rid());
        assert_eq!(v.founded_on, NaiveDate::from_ymd_opt(2019, 5, 6));
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let d = SubjectDraft {
            name: "  ".into(),
            code: wrong_check_uscc(),
            legal_rep_id_number: "123".into(),
            founded_on: "2023-02-30".into(),
            phone: "12".into(),
            address: "路".repeat(MAX_ADDRESS + 1),
            ..org_draft()
        };
        let errs = d.validate(today()).unwrap_err();
        let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
        for f in [
            Field::Name,
            Field::Code,
            Field::LegalRepIdNumber,
            Field::FoundedOn,
            Field::Phone,
            Field::Address,
        ] {
            assert!(fields.contains(&f), "{f:?} missing in {errs:?}");
        }
    }

    #[test]
    fn natural_person_keyed_by_document() {
        let d = SubjectDraft {
            kind: SubjectKind::NaturalPerson,
            name: "李小梅".into(),
            code: rid().to_lowercase(),
            ..SubjectDraft::default()
        };
        let v = d.validate(today()).unwrap();
        assert_eq!(v.code.parts(), ("resident_id", rid().as_str()));
        assert!(v.code.display_masked().contains("********"));
        assert!(v.legal_rep.is_none());
    }

    #[test]
    fn legal_rep_number_without_name_is_refused() {
        let d = SubjectDraft {
            legal_rep_name: String::new(),
            ..org_draft()
        };
        let errs = d.validate(today()).unwrap_err();
        assert_eq!(errs[0].field, Field::LegalRepName);
    }

    #[test]
    fn future_founding_date_refused() {
        let d = SubjectDraft {
            founded_on: "2027-01-01".into(),
            ..org_draft()
        };
        assert_eq!(d.validate(today()).unwrap_err()[0].field, Field::FoundedOn);
    }

    #[test]
    fn phones() {
        assert!(validate_phone("13800138000").is_ok());
        assert!(validate_phone("+86 138 0013 8000").is_ok());
        assert!(validate_phone("0759-2345678").is_ok());
        assert!(validate_phone("").is_ok());
        assert!(validate_phone("2345678").is_err());
        assert!(validate_phone("abc").is_err());
    }

    #[test]
    fn accounts() {
        let ok = AccountDraft {
            account_no: " 0300１２3456 ".into(),
            usage_address: "湛江经济技术开发区钢铁产业园区 1 号".into(),
            supply_start: "2020/3/1".into(),
        }
        .validate(today())
        .unwrap();
        assert_eq!(ok.account_no, "0300123456");
        let errs = AccountDraft {
            account_no: "03-1".into(),
            usage_address: String::new(),
            supply_start: "2099-01-01".into(),
        }
        .validate(today())
        .unwrap_err();
        assert_eq!(errs.len(), 3);
    }

    #[test]
    fn kind_labels_round_trip() {
        for k in SubjectKind::ALL {
            assert_eq!(SubjectKind::from_key(k.key()), Some(k));
            assert_eq!(SubjectKind::from_label_or_key(k.label()), Some(k));
        }
        assert_eq!(
            SubjectKind::from_label_or_key("个体"),
            Some(SubjectKind::IndividualBusiness)
        );
    }
}
