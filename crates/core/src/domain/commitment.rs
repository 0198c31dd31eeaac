//! The credit commitment record (信用承诺信息, rules C-3..C-5): what the city platform expects
//! for every 诚信守法用电承诺书 the bureau accepts.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::letter::{LetterFields, LetterForm};
use super::subject::{SubjectId, SubjectKind};
use super::trust::Business;

/// Database key of a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CommitmentId(pub i64);

impl std::fmt::Display for CommitmentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// 承诺类型 (rule C-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentType {
    ApprovalSubstitute,
    MissingDocuments,
    /// 证明事项型: the letter stands in for the property-ownership proof (信易电).
    ProofSubstitute,
    CreditRepair,
    SelfDiscipline,
    Voluntary,
    Other,
}

impl CommitmentType {
    pub fn label(self) -> &'static str {
        match self {
            CommitmentType::ApprovalSubstitute => "审批替代型",
            CommitmentType::MissingDocuments => "容缺受理型",
            CommitmentType::ProofSubstitute => "证明事项型",
            CommitmentType::CreditRepair => "信用修复型",
            CommitmentType::SelfDiscipline => "行业自律型",
            CommitmentType::Voluntary => "主动型",
            CommitmentType::Other => "其他",
        }
    }
}

/// 承诺履行状态 (rule C-5); empty while the commitment runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    /// 全部履行.
    Full,
    /// 部分履行.
    Partial,
    /// 全部未履行.
    None,
}

impl Fulfilment {
    pub fn label(self) -> &'static str {
        match self {
            Fulfilment::Full => "全部履行",
            Fulfilment::Partial => "部分履行",
            Fulfilment::None => "全部未履行",
        }
    }
}

/// 公开类型 (rule C-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Publicity {
    /// 可向社会公开 (the default: commitment seven says the letter is public).
    #[default]
    Public,
    /// 特定范围内公开.
    Restricted,
    /// 不可公开.
    Private,
}

impl Publicity {
    pub fn label(self) -> &'static str {
        match self {
            Publicity::Public => "可向社会公开",
            Publicity::Restricted => "特定范围内公开",
            Publicity::Private => "不可公开",
        }
    }
}

/// 承诺人类别 as the platform names it (a 自然人 signs the person form of the letter).
pub fn committer_kind_label(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Organization => "法人及非法人组织",
        SubjectKind::IndividualBusiness => "个体工商户",
        SubjectKind::NaturalPerson => "自然人",
    }
}

/// 承诺内容: the seven commitments of annex 2, as one text.
pub fn content_text() -> String {
    content_text_for(LetterForm::Unit)
}

/// 承诺内容 of a letter of this form: what the applicant signed (the person form says 我 where
/// annex 2 says 我单位).
pub fn content_text_for(form: LetterForm) -> String {
    form.commitments().concat()
}

/// 违诺责任: what breaking the commitment entails (annex 2 items 三 and 六, rules C-2, D-4).
pub const LIABILITY: &str = "未在接火送电后一年内补齐物业权属证明或相关证明文件的，供电企业可配合相关执法部门停电处理；违反承诺的，依照有关法律、法规、规章政策或合同约定承担相应责任，承担终止供用电关系的处置及由此产生的后果，违诺行为记入失信记录并推送湛江市公共信用信息共享平台。";

/// 承诺事由 for a 信易电 business.
pub fn reason_text(business: Business) -> String {
    format!(
        "信易电：以信用报告和信用承诺暂代物业权属证明办理{}",
        business.label()
    )
}

/// Rule C-2: the property proof is due one year after connection (29 February → 28 February).
pub fn proof_deadline(connected_on: NaiveDate) -> Option<NaiveDate> {
    connected_on.checked_add_months(Months::new(12))
}

/// The accepting unit (承诺受理单位) and its USCC, from the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptingUnit {
    pub name: String,
    pub uscc: String,
}

impl Default for AcceptingUnit {
    fn default() -> Self {
        Self {
            name: "广东电网有限责任公司湛江供电局".into(),
            uscc: String::new(),
        }
    }
}

/// A commitment as stored: every field of rule C-3, the letter as printed, and its scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub id: CommitmentId,
    pub subject_id: SubjectId,
    /// 承诺编码 (rule C-4).
    pub code: String,
    /// 承诺人名称.
    pub committer_name: String,
    /// 承诺人类别.
    pub committer_kind: SubjectKind,
    /// 承诺人代码: the 统一社会信用代码, or a 自然人's 证件号码 (shown masked, rule ID-3).
    pub committer_code: String,
    /// 承诺类型.
    pub commitment_type: CommitmentType,
    pub business: Business,
    /// 承诺事由.
    pub reason: String,
    /// 承诺内容.
    pub content: String,
    /// 违诺责任.
    pub liability: String,
    /// 承诺作出日期 (the day the letter was issued).
    pub made_on: NaiveDate,
    /// 承诺有效期: until the property-proof deadline, known once connected (rule C-2).
    pub valid_until: Option<NaiveDate>,
    /// 承诺履行状态; `None` while running.
    pub fulfilment: Option<Fulfilment>,
    /// 未履行的承诺内容.
    pub unfulfilled: Option<String>,
    /// 违诺责任追究内容.
    pub liability_pursued: Option<String>,
    /// 承诺履行状态认定日期.
    pub fulfilment_decided_on: Option<NaiveDate>,
    /// 承诺受理单位 and its USCC.
    pub accepting_unit: AcceptingUnit,
    /// 承诺履行状态认定单位 and its code.
    pub deciding_unit: Option<AcceptingUnit>,
    /// 公开类型.
    pub publicity: Publicity,
    /// The letter's fields as printed (reprints use exactly these).
    pub letter: LetterFields,
    /// 承诺书文件: SHA-256 of the signed scan, once attached (rule C-4, T-1(a)).
    pub signed_file: Option<String>,
    pub signed_on: Option<NaiveDate>,
    /// 工号 of the clerk who issued it.
    pub issued_by: String,
}

impl Commitment {
    /// Whether the signed letter is attached (rule T-1(a) then counts it as given).
    pub fn is_signed(&self) -> bool {
        self.signed_file.is_some()
    }
}

/// What is known of a file offered as the signed letter's scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanKind {
    Pdf,
    Jpeg,
    Png,
}

impl ScanKind {
    pub fn media_type(self) -> &'static str {
        match self {
            ScanKind::Pdf => "application/pdf",
            ScanKind::Jpeg => "image/jpeg",
            ScanKind::Png => "image/png",
        }
    }
}

/// Largest scan accepted (20 MB).
pub const MAX_SCAN_BYTES: u64 = 20 * 1024 * 1024;

/// Recognise a scan by its first bytes (never by its name: a renamed file is caught).
pub fn sniff_scan(head: &[u8]) -> Option<ScanKind> {
    if head.starts_with(b"%PDF-") {
        Some(ScanKind::Pdf)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ScanKind::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ScanKind::Png)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn deadline_is_one_year_after_connection_and_leap_day_falls_to_28_february() {
        assert_eq!(proof_deadline(d(2024, 2, 29)), Some(d(2025, 2, 28)));
        assert_eq!(proof_deadline(d(2026, 3, 1)), Some(d(2027, 3, 1)));
    }

    #[test]
    fn scans_are_recognised_by_content() {
        assert_eq!(sniff_scan(b"%PDF-1.7\n"), Some(ScanKind::Pdf));
        assert_eq!(sniff_scan(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ScanKind::Jpeg));
        assert_eq!(sniff_scan(b"\x89PNG\r\n\x1a\n...."), Some(ScanKind::Png));
        assert_eq!(sniff_scan(b"PK\x03\x04"), None);
        assert_eq!(sniff_scan(b""), None);
    }

    #[test]
    fn content_is_the_seven_commitments() {
        let c = content_text();
        assert!(c.starts_with("一、所提供的资料"));
        assert!(c.contains("七、本《诚信守法用电承诺书》统一向社会公开"));
        assert!(c.contains("对我单位进行停电处理"));
        let p = content_text_for(LetterForm::Person);
        assert!(p.contains("对我进行停电处理，我配合供电企业停电工作"));
        assert!(!p.contains("单位"));
        assert_eq!(committer_kind_label(SubjectKind::NaturalPerson), "自然人");
        assert_eq!(
            reason_text(Business::Transfer),
            "信易电：以信用报告和信用承诺暂代物业权属证明办理更名过户"
        );
    }
}
