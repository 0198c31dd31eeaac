//! The applicant's public credit report (公共信用信息报告) as read from its PDF, and the two rules
//! that judge it: freshness (rule T-3) and bad records inside the lookback window (rule T-4).
//!
//! Everything here is pure. The parser in `crate::documents::credit_report` fills a
//! [`CreditReport`]; facts it could not find stay `None` and are listed in
//! [`CreditReport::missing`], so the clerk can complete them by hand
//! ([`CreditReport::set_fact_by_hand`]), recorded with the operator.
//!
//! The parts: the report's own types are here; `adverse` holds the bad entries and rule T-4's
//! lookback window, `freshness` rule T-3's age check, `report_no` the cross-check of the
//! 报告编号 against the generation time, `dates` the reading of dates as reports print them, and
//! `hand` the clerk's completion and confirmation of a report by hand.

mod adverse;
mod dates;
mod freshness;
mod hand;
mod report_no;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::id_codes::normalize;

pub use adverse::{
    ADVERSE_CHAPTERS, AdverseEntry, AdverseKind, DateLabel, LabeledDate, WindowHit, WindowReason,
    adverse_hits, adverse_in_window,
};
pub use dates::{parse_date_time, scan_date};
pub use freshness::{Freshness, freshness};
pub use hand::{HandConfirmation, HandEntered};
pub use report_no::{REPORT_NO_TOLERANCE_MINUTES, ReportNo, ReportNoError, check_report_no};

/// Database key of an imported credit report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReportId(pub i64);

impl std::fmt::Display for ReportId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The two kinds of the national report standard (公共信用信息报告标准).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 《法人和非法人组织公共信用信息报告》.
    Organization,
    /// 《个人公共信用信息报告》.
    Person,
}

impl ReportKind {
    /// The name shown to the clerk.
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Organization => "法人和非法人组织",
            ReportKind::Person => "个人",
        }
    }

    /// Accepts the label, the key or a title fragment (`法人`, `个人`, `organization`, …).
    pub fn from_text(s: &str) -> Option<Self> {
        let t = normalize(s);
        if t.contains("法人") || t.contains("组织") || t == "ORGANIZATION" {
            Some(ReportKind::Organization)
        } else if t.contains("个人") || t.contains("自然人") || t == "PERSON" {
            Some(ReportKind::Person)
        } else {
            None
        }
    }
}

/// The portal the report was downloaded from. Rule T-3 accepts 信用中国, 信用广东 and 信用湛江.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// 信用中国 (issued by 国家公共信用信息中心 / 国家公共信用和地理空间信息中心).
    CreditChina,
    /// 信用广东.
    CreditGuangdong,
    /// 信用湛江.
    CreditZhanjiang,
    /// Not recognised from the issuing unit or the title: the clerk must confirm it.
    Unknown,
}

impl Platform {
    /// The name shown to the clerk.
    pub fn label(self) -> &'static str {
        match self {
            Platform::CreditChina => "信用中国",
            Platform::CreditGuangdong => "信用广东",
            Platform::CreditZhanjiang => "信用湛江",
            Platform::Unknown => "未识别",
        }
    }

    /// Whether rule T-3 accepts reports from this portal.
    pub fn is_accepted(self) -> bool {
        !matches!(self, Platform::Unknown)
    }

    /// Recognise the portal in a piece of text (the issuing unit, a title line). Local portals are
    /// tried first: a 信用湛江 report may still mention 信用中国 in its notes.
    pub fn from_text(s: &str) -> Self {
        let t = normalize(s);
        if t.contains("信用湛江")
            || t.contains("湛江市公共信用")
            || t.contains("湛江市发展和改革局")
        {
            Platform::CreditZhanjiang
        } else if t.contains("信用广东")
            || t.contains("广东省公共信用")
            || t.contains("广东省发展和改革委员会")
            || t.contains("广东省政务服务")
        {
            Platform::CreditGuangdong
        } else if t.contains("信用中国")
            || t.contains("国家公共信用信息中心")
            || t.contains("国家公共信用和地理空间信息中心")
        {
            Platform::CreditChina
        } else {
            Platform::Unknown
        }
    }

    /// Detect the portal: the issuing unit (报告出具单位) decides; failing that, the title and
    /// header text (pass only the first lines of the report, not its notes).
    pub fn detect(issuing_unit: Option<&str>, header_text: &str) -> Self {
        match issuing_unit.map(Platform::from_text) {
            Some(p) if p != Platform::Unknown => p,
            _ => Platform::from_text(header_text),
        }
    }

    /// Accepts the label or a text naming the portal.
    pub fn from_label(s: &str) -> Option<Self> {
        match Platform::from_text(s) {
            Platform::Unknown => None,
            p => Some(p),
        }
    }
}

/// The chapters of the report, in the order of the national standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chapter {
    /// 一、登记注册基础信息 (个人: 基础信息).
    Registration,
    /// 二、行政管理信息 (行政许可, 行政处罚).
    Administrative,
    /// 三、诚实守信相关荣誉信息.
    Honors,
    /// 四、严重失信主体名单信息.
    SeriousDishonesty,
    /// 五、经营（活动）异常名录.
    AbnormalOperation,
    /// 六、信用承诺信息.
    Commitments,
    /// 七、信用评价信息.
    Evaluations,
    /// 八、司法判决及执行信息.
    Judicial,
    /// 九、其他信息.
    Other,
    /// 十、信用状况提升建议.
    Advice,
    /// 公共信用信息地方补充内容 (local portals).
    LocalSupplement,
    /// 报告说明.
    Notes,
}

impl Chapter {
    /// The chapter title as printed (without its number).
    pub fn label(self) -> &'static str {
        match self {
            Chapter::Registration => "登记注册基础信息",
            Chapter::Administrative => "行政管理信息",
            Chapter::Honors => "诚实守信相关荣誉信息",
            Chapter::SeriousDishonesty => "严重失信主体名单信息",
            Chapter::AbnormalOperation => "经营（活动）异常名录",
            Chapter::Commitments => "信用承诺信息",
            Chapter::Evaluations => "信用评价信息",
            Chapter::Judicial => "司法判决及执行信息",
            Chapter::Other => "其他信息",
            Chapter::Advice => "信用状况提升建议",
            Chapter::LocalSupplement => "公共信用信息地方补充内容",
            Chapter::Notes => "报告说明",
        }
    }

    /// Recognise a chapter from its title text (number already removed). Keywords, not exact
    /// titles: the 2021 and 2022 editions and the local portals word them slightly differently.
    pub fn from_title(title: &str) -> Option<Self> {
        let t = normalize(title);
        let has = |k: &str| t.contains(k);
        if has("登记注册") || has("基础信息") || has("基本信息") {
            Some(Chapter::Registration)
        } else if has("行政管理") {
            Some(Chapter::Administrative)
        } else if has("诚实守信") || has("荣誉") {
            Some(Chapter::Honors)
        } else if has("严重失信") {
            Some(Chapter::SeriousDishonesty)
        } else if has("异常名录") || has("经营异常") {
            Some(Chapter::AbnormalOperation)
        } else if has("信用承诺") {
            Some(Chapter::Commitments)
        } else if has("信用评价") {
            Some(Chapter::Evaluations)
        } else if has("司法") {
            Some(Chapter::Judicial)
        } else if has("提升建议") || has("修复建议") {
            Some(Chapter::Advice)
        } else if has("地方补充") {
            Some(Chapter::LocalSupplement)
        } else if has("其他") || has("其它") {
            Some(Chapter::Other)
        } else if has("报告说明") {
            Some(Chapter::Notes)
        } else {
            None
        }
    }
}

/// The `信用信息概要` counts (`N条`), by category. `None`: the category was not found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryCounts {
    /// 行政管理 (许可 and 处罚 together).
    pub administrative: Option<u32>,
    /// 诚实守信.
    pub honors: Option<u32>,
    /// 严重失信主体名单.
    pub serious_dishonesty: Option<u32>,
    /// 经营异常.
    pub abnormal_operation: Option<u32>,
    /// 信用承诺.
    pub commitments: Option<u32>,
    /// 信用评价.
    pub evaluations: Option<u32>,
    /// 司法判决.
    pub judicial: Option<u32>,
    /// 其他.
    pub other: Option<u32>,
}

impl SummaryCounts {
    /// Category names as printed in the summary, with the chapter each one counts.
    pub const CATEGORIES: [(&'static str, Chapter); 8] = [
        ("行政管理", Chapter::Administrative),
        ("诚实守信", Chapter::Honors),
        ("严重失信主体名单", Chapter::SeriousDishonesty),
        ("经营异常", Chapter::AbnormalOperation),
        ("信用承诺", Chapter::Commitments),
        ("信用评价", Chapter::Evaluations),
        ("司法判决", Chapter::Judicial),
        ("其他", Chapter::Other),
    ];

    /// The count of the category that summarises `chapter`.
    pub fn get(&self, chapter: Chapter) -> Option<u32> {
        match chapter {
            Chapter::Administrative => self.administrative,
            Chapter::Honors => self.honors,
            Chapter::SeriousDishonesty => self.serious_dishonesty,
            Chapter::AbnormalOperation => self.abnormal_operation,
            Chapter::Commitments => self.commitments,
            Chapter::Evaluations => self.evaluations,
            Chapter::Judicial => self.judicial,
            Chapter::Other => self.other,
            _ => None,
        }
    }

    /// Set the count of the category that summarises `chapter` (ignored for other chapters).
    pub fn set(&mut self, chapter: Chapter, n: u32) {
        let slot = match chapter {
            Chapter::Administrative => &mut self.administrative,
            Chapter::Honors => &mut self.honors,
            Chapter::SeriousDishonesty => &mut self.serious_dishonesty,
            Chapter::AbnormalOperation => &mut self.abnormal_operation,
            Chapter::Commitments => &mut self.commitments,
            Chapter::Evaluations => &mut self.evaluations,
            Chapter::Judicial => &mut self.judicial,
            Chapter::Other => &mut self.other,
            _ => return,
        };
        *slot = Some(n);
    }

    /// Whether any category was found.
    pub fn any_found(&self) -> bool {
        Self::CATEGORIES
            .iter()
            .any(|(_, ch)| self.get(*ch).is_some())
    }
}

/// What the parser saw of one chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapterSeen {
    pub chapter: Chapter,
    /// `第 N 条` entries found in it (adverse or not).
    pub entries: u32,
    /// It read `查询期内无相关信息`.
    pub marked_empty: bool,
}

/// A fact of the report that the parser looks for and the clerk may enter by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFact {
    /// 报告编号.
    ReportNo,
    /// 报告生成日期 (date, and time when printed).
    GeneratedAt,
    /// 报告出具单位.
    IssuingUnit,
    /// The portal (信用中国 / 信用广东 / 信用湛江).
    Platform,
    /// 法人和非法人组织 / 个人.
    Kind,
    /// 机构名称 / 姓名.
    SubjectName,
    /// 统一社会信用代码 / 证件号码.
    SubjectCode,
    /// 信用信息概要.
    Summary,
}

impl ReportFact {
    /// Every fact, in the order a form shows them.
    pub const ALL: [ReportFact; 8] = [
        ReportFact::ReportNo,
        ReportFact::GeneratedAt,
        ReportFact::IssuingUnit,
        ReportFact::Platform,
        ReportFact::Kind,
        ReportFact::SubjectName,
        ReportFact::SubjectCode,
        ReportFact::Summary,
    ];

    /// The name shown to the clerk.
    pub fn label(self) -> &'static str {
        match self {
            ReportFact::ReportNo => "报告编号",
            ReportFact::GeneratedAt => "报告生成日期",
            ReportFact::IssuingUnit => "报告出具单位",
            ReportFact::Platform => "下载平台",
            ReportFact::Kind => "报告类型",
            ReportFact::SubjectName => "主体名称",
            ReportFact::SubjectCode => "统一社会信用代码/证件号码",
            ReportFact::Summary => "信用信息概要",
        }
    }
}

/// A public credit report as read from its PDF (and completed by hand where needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditReport {
    /// 报告编号, whitespace removed.
    pub report_no: Option<String>,
    /// 报告生成日期; midnight when only the date was printed (see `generated_time_known`).
    pub generated_at: Option<NaiveDateTime>,
    /// Whether `generated_at` carries a printed time of day.
    pub generated_time_known: bool,
    /// 报告出具单位.
    pub issuing_unit: Option<String>,
    pub platform: Platform,
    pub kind: Option<ReportKind>,
    /// 机构名称 / 姓名.
    pub subject_name: Option<String>,
    /// 统一社会信用代码 / 证件号码, normalised (`crate::domain::id_codes::normalize`).
    pub subject_code: Option<String>,
    /// 法定代表人/负责人, when printed.
    pub legal_rep: Option<String>,
    /// Registration status printed in the subject block (存续, 注销, …).
    pub status: Option<String>,
    /// Tags printed in the subject block (守信激励对象, 失信惩戒对象, …).
    pub tags: Vec<String>,
    pub summary: SummaryCounts,
    /// Bad entries (rule T-4), in report order.
    pub adverse: Vec<AdverseEntry>,
    /// The chapters found, in report order.
    pub chapters: Vec<ChapterSeen>,
    /// Facts found (by the parser or by hand).
    pub found: Vec<ReportFact>,
    /// Facts still missing.
    pub missing: Vec<ReportFact>,
    /// Facts entered by hand, with the operator.
    pub hand_entered: Vec<HandEntered>,
    /// What the reader doubts about the rule T-4 facts: a summary count the body does not match,
    /// a chapter or page it could not read, an entry without a date. While any is open, T-4
    /// cannot pass (it is 待补充 with these as evidence).
    #[serde(default)]
    pub doubts: Vec<String>,
    /// The clerk confirmed the rule T-4 facts by hand; `None` until then.
    #[serde(default)]
    pub confirmed: Option<HandConfirmation>,
}

impl CreditReport {
    /// An empty report: nothing found yet, every fact missing.
    pub fn empty() -> Self {
        Self {
            report_no: None,
            generated_at: None,
            generated_time_known: false,
            issuing_unit: None,
            platform: Platform::Unknown,
            kind: None,
            subject_name: None,
            subject_code: None,
            legal_rep: None,
            status: None,
            tags: Vec::new(),
            summary: SummaryCounts::default(),
            adverse: Vec::new(),
            chapters: Vec::new(),
            found: Vec::new(),
            missing: ReportFact::ALL.to_vec(),
            hand_entered: Vec::new(),
            doubts: Vec::new(),
            confirmed: None,
        }
    }

    /// Whether `fact` is known.
    pub fn has(&self, fact: ReportFact) -> bool {
        match fact {
            ReportFact::ReportNo => self.report_no.is_some(),
            ReportFact::GeneratedAt => self.generated_at.is_some(),
            ReportFact::IssuingUnit => self.issuing_unit.is_some(),
            ReportFact::Platform => self.platform != Platform::Unknown,
            ReportFact::Kind => self.kind.is_some(),
            ReportFact::SubjectName => self.subject_name.is_some(),
            ReportFact::SubjectCode => self.subject_code.is_some(),
            ReportFact::Summary => self.summary.any_found(),
        }
    }

    /// Recompute `found` and `missing` from the fields.
    pub fn refresh_found(&mut self) {
        let (found, missing): (Vec<ReportFact>, Vec<ReportFact>) =
            ReportFact::ALL.iter().partition(|f| self.has(**f));
        self.found = found;
        self.missing = missing;
    }

    /// The generation date, if known (rule T-3 compares dates).
    pub fn generated_on(&self) -> Option<NaiveDate> {
        self.generated_at.map(|t| t.date())
    }

    /// Rule T-4 chapters that were not found in the text: a verdict must not pass on this report
    /// until the clerk has checked them on the paper (empty when every one was read).
    pub fn unread_adverse_chapters(&self) -> Vec<Chapter> {
        ADVERSE_CHAPTERS
            .iter()
            .copied()
            .filter(|ch| !self.chapters.iter().any(|c| c.chapter == *ch))
            .collect()
    }

    /// Whether the report is about the subject with this 统一社会信用代码 / 证件号码 (both
    /// normalised). `None` when the report's code is unknown.
    pub fn is_about(&self, code: &str) -> Option<bool> {
        self.subject_code.as_ref().map(|c| *c == normalize(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fixtures are shared with the tests of the parts, which import them from here.
    pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub(super) fn entry(kind: AdverseKind, index: u32, date: Option<NaiveDate>) -> AdverseEntry {
        let date = date.map(|date| LabeledDate {
            label: DateLabel::PenaltyDecision,
            date,
        });
        AdverseEntry {
            kind,
            chapter: Chapter::Administrative,
            index,
            title: format!("第{index}条"),
            date,
            dates: date.into_iter().collect(),
            raw: String::new(),
        }
    }

    #[test]
    fn platform_detection() {
        assert_eq!(
            Platform::detect(Some("国家公共信用和地理空间信息中心"), ""),
            Platform::CreditChina
        );
        assert_eq!(
            Platform::detect(Some("国家公共信用信息中心"), ""),
            Platform::CreditChina
        );
        assert_eq!(
            Platform::detect(None, "信用湛江 公共信用信息报告"),
            Platform::CreditZhanjiang
        );
        assert_eq!(
            Platform::detect(Some("某某公司"), "信用广东"),
            Platform::CreditGuangdong
        );
        assert_eq!(Platform::detect(Some("某某公司"), "无"), Platform::Unknown);
        assert!(!Platform::Unknown.is_accepted());
    }

    #[test]
    fn serde_round_trip() {
        let mut r = CreditReport::empty();
        r.report_no = Some("2026050419025750859D39".into());
        r.adverse.push(entry(
            AdverseKind::AdministrativePenalty,
            1,
            Some(d(2024, 12, 24)),
        ));
        r.summary.set(Chapter::SeriousDishonesty, 2);
        r.refresh_found();
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("administrative_penalty"), "{json}");
        let back: CreditReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.summary.get(Chapter::SeriousDishonesty), Some(2));
    }
}
