//! The applicant's public credit report (公共信用信息报告) as read from its PDF, and the two rules
//! that judge it: freshness (rule T-3) and bad records inside the lookback window (rule T-4).
//!
//! Everything here is pure. The parser in `crate::documents::credit_report` fills a
//! [`CreditReport`]; facts it could not find stay `None` and are listed in
//! [`CreditReport::missing`], so the clerk can complete them by hand
//! ([`CreditReport::set_fact_by_hand`]), recorded with the operator.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::id_codes::{Uscc, normalize};
use super::text::parse_date;

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

/// The kinds of bad record that rule T-4 counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdverseKind {
    /// 严重失信主体名单 (every entry of chapter 四).
    SeriousDishonestyList,
    /// 行政处罚 (the penalty entries of chapter 二, not the 行政许可 ones).
    AdministrativePenalty,
    /// 经营（活动）异常名录 (every entry of chapter 五).
    AbnormalOperation,
    /// 失信被执行人 (those entries of chapter 八).
    DishonestExecutee,
    /// 其他失信信息 (dishonesty entries of chapter 九).
    OtherDishonesty,
}

impl AdverseKind {
    /// Every kind, in chapter order.
    pub const ALL: [AdverseKind; 5] = [
        AdverseKind::AdministrativePenalty,
        AdverseKind::SeriousDishonestyList,
        AdverseKind::AbnormalOperation,
        AdverseKind::DishonestExecutee,
        AdverseKind::OtherDishonesty,
    ];

    /// The name shown to the clerk.
    pub fn label(self) -> &'static str {
        match self {
            AdverseKind::SeriousDishonestyList => "严重失信主体名单",
            AdverseKind::AdministrativePenalty => "行政处罚",
            AdverseKind::AbnormalOperation => "经营（活动）异常名录",
            AdverseKind::DishonestExecutee => "失信被执行人",
            AdverseKind::OtherDishonesty => "其他失信信息",
        }
    }

    /// The chapter such entries are printed in.
    pub fn chapter(self) -> Chapter {
        match self {
            AdverseKind::SeriousDishonestyList => Chapter::SeriousDishonesty,
            AdverseKind::AdministrativePenalty => Chapter::Administrative,
            AdverseKind::AbnormalOperation => Chapter::AbnormalOperation,
            AdverseKind::DishonestExecutee => Chapter::Judicial,
            AdverseKind::OtherDishonesty => Chapter::Other,
        }
    }

    /// The date label that usually decides such an entry.
    pub fn date_label(self) -> DateLabel {
        match self {
            AdverseKind::AdministrativePenalty => DateLabel::PenaltyDecision,
            AdverseKind::DishonestExecutee => DateLabel::Published,
            AdverseKind::SeriousDishonestyList | AdverseKind::AbnormalOperation => {
                DateLabel::Listed
            }
            AdverseKind::OtherDishonesty => DateLabel::Recorded,
        }
    }
}

/// The chapters whose entries rule T-4 counts: 二, 四, 五, 八, 九.
pub const ADVERSE_CHAPTERS: [Chapter; 5] = [
    Chapter::Administrative,
    Chapter::SeriousDishonesty,
    Chapter::AbnormalOperation,
    Chapter::Judicial,
    Chapter::Other,
];

/// Which label an entry's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateLabel {
    /// 处罚决定日期 (行政处罚).
    PenaltyDecision,
    /// 立案时间 (失信被执行人).
    CaseFiled,
    /// 发布时间 (失信被执行人).
    Published,
    /// 列入日期 (also 列入时间, 认定日期).
    Listed,
    /// 记录日期.
    Recorded,
    /// 入库时间.
    Stored,
}

impl DateLabel {
    /// Every label with the texts that name it in a report, most specific first.
    pub const TEXTS: [(&'static str, DateLabel); 9] = [
        ("处罚决定日期", DateLabel::PenaltyDecision),
        ("立案时间", DateLabel::CaseFiled),
        ("发布时间", DateLabel::Published),
        ("列入日期", DateLabel::Listed),
        ("列入时间", DateLabel::Listed),
        ("认定日期", DateLabel::Listed),
        ("记录日期", DateLabel::Recorded),
        ("入库时间", DateLabel::Stored),
        ("入库日期", DateLabel::Stored),
    ];

    /// The label as printed in the report.
    pub fn label(self) -> &'static str {
        match self {
            DateLabel::PenaltyDecision => "处罚决定日期",
            DateLabel::CaseFiled => "立案时间",
            DateLabel::Published => "发布时间",
            DateLabel::Listed => "列入日期",
            DateLabel::Recorded => "记录日期",
            DateLabel::Stored => "入库时间",
        }
    }
}

/// A date read from an entry, with the label it stood under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabeledDate {
    pub label: DateLabel,
    pub date: NaiveDate,
}

/// One bad entry of the report (rule T-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseEntry {
    pub kind: AdverseKind,
    /// The chapter it was printed in.
    pub chapter: Chapter,
    /// N of `第 N 条` (counted within its chapter or section, as printed).
    pub index: u32,
    /// The first line of the entry (e.g. `行政处罚决定书文号:…`), for lists and verdicts.
    pub title: String,
    /// The decisive date: the latest of the entry's labelled dates, so that an entry published
    /// inside the window is never dropped because it was filed before it.
    pub date: Option<LabeledDate>,
    /// Every labelled date found in the entry.
    pub dates: Vec<LabeledDate>,
    /// The entry's text as extracted (page headers and footers removed).
    pub raw: String,
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

/// A fact the clerk typed because the parser could not read it (or read it wrongly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandEntered {
    pub fact: ReportFact,
    pub operator: String,
    /// What the parser had read before, if anything.
    pub previous: Option<String>,
}

/// A clerk's confirmation, made against the paper report, that its rule T-4 facts (the bad
/// entries and the chapters) are as recorded: the reader's doubts no longer hold T-4 back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandConfirmation {
    /// 工号 of the clerk who checked the paper.
    pub operator: String,
    /// When (the desk's clock).
    pub at: NaiveDateTime,
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

    /// The reader's doubts that still hold rule T-4 back: none once a clerk has confirmed the
    /// facts by hand.
    pub fn open_doubts(&self) -> &[String] {
        if self.confirmed.is_some() {
            &[]
        } else {
            &self.doubts
        }
    }

    /// Record that `operator` checked the rule T-4 facts against the paper report at `at`
    /// (entries the reader missed must have been added first). The error is a Chinese message.
    pub fn confirm_by_hand(&mut self, operator: &str, at: NaiveDateTime) -> Result<(), String> {
        let operator = operator.trim();
        if operator.is_empty() {
            return Err("请先登录：人工核对确认需要记录经办人".into());
        }
        self.confirmed = Some(HandConfirmation {
            operator: operator.to_string(),
            at,
        });
        Ok(())
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

    /// Record a fact the clerk typed from the paper report, replacing what the parser read.
    /// The value is checked as the fact requires (a date, a known portal, a code of the right
    /// shape); the error is a Chinese message for the clerk.
    pub fn set_fact_by_hand(
        &mut self,
        fact: ReportFact,
        value: &str,
        operator: &str,
    ) -> Result<(), String> {
        let operator = operator.trim();
        if operator.is_empty() {
            return Err("请先登录：手工补录报告内容需要记录经办人".into());
        }
        let v = value.trim();
        if v.is_empty() && fact != ReportFact::Summary {
            return Err(format!("{}不能为空，请照报告原件填写", fact.label()));
        }
        let previous = self.fact_text(fact);
        match fact {
            ReportFact::ReportNo => self.report_no = Some(normalize(v)),
            ReportFact::GeneratedAt => {
                let (at, time_known) = parse_date_time(v).ok_or_else(|| {
                    format!(
                        "报告生成日期“{v}”无法识别，请按 2026-05-04 或 2026-05-04 19:02:57 填写"
                    )
                })?;
                self.generated_at = Some(at);
                self.generated_time_known = time_known;
            }
            ReportFact::IssuingUnit => {
                self.issuing_unit = Some(v.to_string());
                if self.platform == Platform::Unknown {
                    self.platform = Platform::from_text(v);
                }
            }
            ReportFact::Platform => {
                self.platform = Platform::from_label(v).ok_or_else(|| {
                    format!(
                        "下载平台“{v}”不在受理范围内：只认信用中国、信用广东、信用湛江（依据 T-3）"
                    )
                })?;
            }
            ReportFact::Kind => {
                self.kind = Some(ReportKind::from_text(v).ok_or_else(|| {
                    format!("报告类型“{v}”无法识别，请填写“法人和非法人组织”或“个人”")
                })?);
            }
            ReportFact::SubjectName => self.subject_name = Some(v.to_string()),
            ReportFact::SubjectCode => {
                let code = normalize(v);
                if self.kind == Some(ReportKind::Organization) {
                    Uscc::parse(&code).map_err(|e| format!("统一社会信用代码：{e}"))?;
                }
                self.subject_code = Some(code);
            }
            ReportFact::Summary => {
                return Err("信用信息概要请逐类填写条数，不能整体补录".into());
            }
        }
        self.hand_entered.push(HandEntered {
            fact,
            operator: operator.to_string(),
            previous,
        });
        self.refresh_found();
        Ok(())
    }

    /// The current value of a fact as text (for the hand-entry record and forms).
    pub fn fact_text(&self, fact: ReportFact) -> Option<String> {
        match fact {
            ReportFact::ReportNo => self.report_no.clone(),
            ReportFact::GeneratedAt => self.generated_at.map(|t| {
                if self.generated_time_known {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                } else {
                    t.format("%Y-%m-%d").to_string()
                }
            }),
            ReportFact::IssuingUnit => self.issuing_unit.clone(),
            ReportFact::Platform => {
                (self.platform != Platform::Unknown).then(|| self.platform.label().to_string())
            }
            ReportFact::Kind => self.kind.map(|k| k.label().to_string()),
            ReportFact::SubjectName => self.subject_name.clone(),
            ReportFact::SubjectCode => self.subject_code.clone(),
            ReportFact::Summary => None,
        }
    }
}

/// Parse `2024年12月24日`, `2024-12-24`, `2024-12-24 10:03:11`, `2024-12-2410:03:11` (a lost
/// space) or `2024年12月24日 10:03`. Returns the moment and whether a time of day was given.
/// The date must open the text (after spaces): `编号 20240305` is not a date.
pub fn parse_date_time(s: &str) -> Option<(NaiveDateTime, bool)> {
    let s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let (date, end) = date_at(&chars, 0)?;
    let rest = chars
        .get(end)
        .map_or("", |&(b, _)| s.get(b..).unwrap_or(""));
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    Some(match scan_time(rest) {
        Some(t) => (date.and_time(t), true),
        None => (date.and_time(NaiveTime::MIN), false),
    })
}

/// Find the first date in `s` (`2024年12月24日`, `2024-12-24`, `2024/12/24`, `2024.12.24`,
/// digits possibly full-width, spaces allowed around the separators). Returns the date and the
/// text after it.
pub fn scan_date(s: &str) -> Option<(NaiveDate, &str)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars.get(i).is_some_and(|&(_, c)| digit(c))
            && (i == 0 || chars.get(i - 1).is_none_or(|&(_, c)| !digit(c)));
        if starts_number && let Some((date, end)) = date_at(&chars, i) {
            let rest = chars
                .get(end)
                .map_or("", |&(b, _)| s.get(b..).unwrap_or(""));
            return Some((date, rest));
        }
        i += 1;
    }
    None
}

/// Read `yyyy<sep>m<sep>d[日]` starting at `i`; returns the date and the index after it.
fn date_at(chars: &[(usize, char)], i: usize) -> Option<(NaiveDate, usize)> {
    let mut pos = i;
    let mut parts = [0u32; 3];
    for (n, part) in parts.iter_mut().enumerate() {
        let (max, want) = if n == 0 { (4, 4..=4) } else { (2, 1..=2) };
        let (v, len) = number_at(chars, pos, max)?;
        if !want.contains(&len) {
            return None;
        }
        *part = v;
        pos += len;
        pos = skip_spaces(chars, pos);
        let sep = chars.get(pos).map(|&(_, c)| c);
        match (n, sep) {
            (0, Some('年')) | (1, Some('月')) => pos += 1,
            (0 | 1, Some('-' | '/' | '.' | '－' | '／' | '．')) => pos += 1,
            (2, Some('日' | '号')) => pos += 1,
            (2, _) => {}
            _ => return None,
        }
        pos = if n < 2 { skip_spaces(chars, pos) } else { pos };
    }
    let [y, m, d] = parts;
    let text = format!("{y:04}-{m:02}-{d:02}");
    parse_date(&text).ok().map(|date| (date, pos))
}

fn skip_spaces(chars: &[(usize, char)], mut pos: usize) -> usize {
    while chars
        .get(pos)
        .is_some_and(|&(_, c)| c.is_whitespace() || c == '\u{3000}')
    {
        pos += 1;
    }
    pos
}

/// Up to `max` (at most 9) digits, ASCII or full-width, at `pos`: their value and count.
fn number_at(chars: &[(usize, char)], pos: usize, max: usize) -> Option<(u32, usize)> {
    let mut v: u32 = 0;
    let mut len = 0;
    while let Some(&(_, c)) = chars.get(pos + len) {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => break,
        };
        if len >= max.min(9) {
            break;
        }
        v = v * 10 + d;
        len += 1;
    }
    (len > 0).then_some((v, len))
}

/// Read `HH:MM[:SS]` at the start of `s`.
fn scan_time(s: &str) -> Option<NaiveTime> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let (h, hl) = number_at(&chars, 0, 2)?;
    let mut pos = hl;
    let colon = |c: char| c == ':' || c == '：';
    if !(1..=2).contains(&hl) || !chars.get(pos).is_some_and(|&(_, c)| colon(c)) {
        return None;
    }
    pos += 1;
    let (m, ml) = number_at(&chars, pos, 2)?;
    if ml != 2 {
        return None;
    }
    pos += ml;
    let mut sec = 0;
    if chars.get(pos).is_some_and(|&(_, c)| colon(c))
        && let Some((s2, sl)) = number_at(&chars, pos + 1, 2)
        && sl == 2
    {
        sec = s2;
    }
    NaiveTime::from_hms_opt(h, m, sec)
}

/// Rule T-3: how old the report is on the check date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Freshness {
    /// At most `max_age_days` calendar days old.
    Fresh { age_days: u32 },
    /// Older than allowed.
    Stale { age_days: u32 },
    /// Dated after the check date: an error (wrong date on the report or at the counter).
    FutureDated { days_ahead: u32 },
}

impl Freshness {
    /// Whether rule T-3 passes.
    pub fn is_fresh(self) -> bool {
        matches!(self, Freshness::Fresh { .. })
    }

    /// The explanation shown in a verdict (cites T-3).
    pub fn explain(self, max_age_days: u32) -> String {
        match self {
            Freshness::Fresh { age_days } => format!(
                "报告生成于核查日前 {age_days} 天，未超过 {max_age_days} 天，符合时效要求（依据 T-3）"
            ),
            Freshness::Stale { age_days } => format!(
                "报告生成于核查日前 {age_days} 天，超过 {max_age_days} 天：请申请人重新下载信用报告（依据 T-3）"
            ),
            Freshness::FutureDated { days_ahead } => format!(
                "报告生成日期晚于核查日 {days_ahead} 天，日期有误：请核对报告生成日期和本机日期（依据 T-3）"
            ),
        }
    }
}

/// Rule T-3: a report generated `max_age_days` or fewer calendar days before `today` is fresh
/// (with the default 5: 5 days old is fresh, 6 is stale); one dated after `today` is an error.
pub fn freshness(generated: NaiveDate, today: NaiveDate, max_age_days: u32) -> Freshness {
    let age = today.signed_duration_since(generated).num_days();
    let clamp = |d: i64| u32::try_from(d).unwrap_or(u32::MAX);
    if age < 0 {
        Freshness::FutureDated {
            days_ahead: clamp(-age),
        }
    } else if age <= i64::from(max_age_days) {
        Freshness::Fresh {
            age_days: clamp(age),
        }
    } else {
        Freshness::Stale {
            age_days: clamp(age),
        }
    }
}

/// Why an adverse entry counts for the window (rule T-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowReason {
    /// Its date lies inside the window.
    Inside,
    /// No date could be read: it counts, so that nothing passes silently.
    Undated,
    /// Dated after the window's end (after the check date): a misreading or an error, it counts.
    AfterWindow,
}

impl WindowReason {
    /// The explanation shown in a verdict.
    pub fn label(self) -> &'static str {
        match self {
            WindowReason::Inside => "在核查期间内",
            WindowReason::Undated => "未读到日期，按在核查期间内处理",
            WindowReason::AfterWindow => "日期晚于核查日，按在核查期间内处理，请核对",
        }
    }
}

/// An adverse entry that counts against rule T-4, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowHit<'a> {
    pub entry: &'a AdverseEntry,
    pub reason: WindowReason,
}

/// Rule T-4 with reasons: every adverse entry except those whose date is known and lies before
/// `window_start`. Undated entries and entries dated after `window_end` count.
pub fn adverse_hits(
    report: &CreditReport,
    window_start: NaiveDate,
    window_end: NaiveDate,
) -> Vec<WindowHit<'_>> {
    report
        .adverse
        .iter()
        .filter_map(|entry| {
            let reason = match entry.date {
                None => WindowReason::Undated,
                Some(d) if d.date < window_start => return None,
                Some(d) if d.date > window_end => WindowReason::AfterWindow,
                Some(_) => WindowReason::Inside,
            };
            Some(WindowHit { entry, reason })
        })
        .collect()
}

/// Rule T-4: the adverse entries inside the lookback window `[window_start, window_end]`.
/// Entries without a date count as inside (never silently pass), and so do entries dated after
/// the window's end; see [`adverse_hits`] for the reasons.
pub fn adverse_in_window(
    report: &CreditReport,
    window_start: NaiveDate,
    window_end: NaiveDate,
) -> Vec<&AdverseEntry> {
    adverse_hits(report, window_start, window_end)
        .into_iter()
        .map(|h| h.entry)
        .collect()
}

/// A 报告编号 as issued by 信用中国: 22 characters, the first 14 the generation time
/// `yyyyMMddHHmmss`, then 8 digits or capital letters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportNo {
    pub text: String,
    pub generated_at: NaiveDateTime,
}

/// Why a 报告编号 does not have the 信用中国 shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ReportNoError {
    #[error("报告编号应为 22 位，读到的是 {actual} 位：请核对报告编号")]
    WrongLength { actual: usize },
    #[error(
        "报告编号第 {position} 位“{ch}”不对：前 14 位应为数字（生成时间），后 8 位为数字或大写字母"
    )]
    BadChar { position: usize, ch: char },
    #[error("报告编号前 14 位“{text}”不是有效的时间（应为年月日时分秒）")]
    BadTime { text: String },
}

impl ReportNo {
    /// Normalise (spaces removed, full-width folded, upper-cased) and check the shape.
    pub fn parse(input: &str) -> Result<Self, ReportNoError> {
        let text = normalize(input);
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 22 {
            return Err(ReportNoError::WrongLength {
                actual: chars.len(),
            });
        }
        for (i, &c) in chars.iter().enumerate() {
            let ok = if i < 14 {
                c.is_ascii_digit()
            } else {
                c.is_ascii_digit() || c.is_ascii_uppercase()
            };
            if !ok {
                return Err(ReportNoError::BadChar {
                    position: i + 1,
                    ch: c,
                });
            }
        }
        let stamp: String = chars.iter().take(14).collect();
        let generated_at = NaiveDateTime::parse_from_str(&stamp, "%Y%m%d%H%M%S")
            .map_err(|_| ReportNoError::BadTime { text: stamp })?;
        Ok(Self { text, generated_at })
    }
}

/// How far the 报告编号's time may lie from the printed generation time before it is worth a
/// warning: the portals stamp the number when the request is made, the header when it is drawn.
pub const REPORT_NO_TOLERANCE_MINUTES: i64 = 10;

/// Cross-check the 报告编号 against the header's generation time. `None`: consistent. A text:
/// the warning for the clerk (not an error: local portals may number reports differently).
/// When the header printed only a date (`time_known` false), only the dates are compared.
pub fn check_report_no(
    report_no: &str,
    generated_at: NaiveDateTime,
    time_known: bool,
) -> Option<String> {
    let no = match ReportNo::parse(report_no) {
        Ok(no) => no,
        Err(e) => {
            return Some(format!(
                "{e}；与信用中国的编号规则不同，请核对报告是否为原件"
            ));
        }
    };
    let fmt_header = if time_known {
        generated_at.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        generated_at.format("%Y-%m-%d").to_string()
    };
    let consistent = if time_known {
        (no.generated_at - generated_at).num_minutes().abs() <= REPORT_NO_TOLERANCE_MINUTES
    } else {
        no.generated_at.date() == generated_at.date()
    };
    if consistent {
        None
    } else {
        Some(format!(
            "报告编号中的时间 {} 与报告生成日期 {} 不一致：请核对报告是否被改动过",
            no.generated_at.format("%Y-%m-%d %H:%M:%S"),
            fmt_header
        ))
    }
}

impl AdverseEntry {
    /// An entry the clerk typed from the paper report (a scan, or an entry the parser missed).
    pub fn by_hand(kind: AdverseKind, index: u32, date: Option<NaiveDate>, title: &str) -> Self {
        let date = date.map(|date| LabeledDate {
            label: kind.date_label(),
            date,
        });
        Self {
            kind,
            chapter: kind.chapter(),
            index,
            title: title.trim().to_string(),
            date,
            dates: date.into_iter().collect(),
            raw: String::new(),
        }
    }

    /// Where the entry stands: `“行政管理信息”第 2 条（行政处罚）`.
    pub fn place(&self) -> String {
        if self.chapter.label() == self.kind.label() {
            format!("“{}”第 {} 条", self.chapter.label(), self.index)
        } else {
            format!(
                "“{}”第 {} 条（{}）",
                self.chapter.label(),
                self.index,
                self.kind.label()
            )
        }
    }
}

impl fmt::Display for AdverseEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.place())?;
        match self.date {
            Some(d) => write!(f, "，{} {}", d.label.label(), d.date)?,
            None => write!(f, "，未读到日期")?,
        }
        if !self.title.is_empty() {
            write!(f, "：{}", self.title)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn entry(kind: AdverseKind, index: u32, date: Option<NaiveDate>) -> AdverseEntry {
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
    fn freshness_boundaries_t3() {
        let today = d(2026, 5, 9);
        assert_eq!(
            freshness(d(2026, 5, 9), today, 5),
            Freshness::Fresh { age_days: 0 }
        );
        assert_eq!(
            freshness(d(2026, 5, 4), today, 5),
            Freshness::Fresh { age_days: 5 }
        );
        assert_eq!(
            freshness(d(2026, 5, 3), today, 5),
            Freshness::Stale { age_days: 6 }
        );
        assert_eq!(
            freshness(d(2026, 5, 10), today, 5),
            Freshness::FutureDated { days_ahead: 1 }
        );
        assert!(!freshness(d(2026, 5, 10), today, 5).is_fresh());
        // A different setting, across a month end and a leap day.
        assert_eq!(
            freshness(d(2024, 2, 28), d(2024, 3, 1), 1),
            Freshness::Stale { age_days: 2 }
        );
        assert_eq!(
            freshness(d(2024, 2, 28), d(2024, 3, 1), 2),
            Freshness::Fresh { age_days: 2 }
        );
        assert!(Freshness::Stale { age_days: 6 }.explain(5).contains("T-3"));
        assert!(Freshness::Stale { age_days: 6 }.explain(5).contains("6 天"));
    }

    #[test]
    fn window_keeps_undated_and_drops_only_older_t4() {
        let mut r = CreditReport::empty();
        r.adverse = vec![
            entry(AdverseKind::AdministrativePenalty, 1, Some(d(2022, 12, 31))),
            entry(AdverseKind::AdministrativePenalty, 2, Some(d(2023, 1, 1))),
            entry(AdverseKind::AbnormalOperation, 3, None),
            entry(AdverseKind::DishonestExecutee, 4, Some(d(2026, 1, 1))),
            entry(AdverseKind::OtherDishonesty, 5, Some(d(2026, 6, 1))),
        ];
        let hits = adverse_hits(&r, d(2023, 1, 1), d(2026, 5, 9));
        let got: Vec<(u32, WindowReason)> =
            hits.iter().map(|h| (h.entry.index, h.reason)).collect();
        assert_eq!(
            got,
            vec![
                (2, WindowReason::Inside),
                (3, WindowReason::Undated),
                (4, WindowReason::Inside),
                (5, WindowReason::AfterWindow),
            ]
        );
        let idx: Vec<u32> = adverse_in_window(&r, d(2023, 1, 1), d(2026, 5, 9))
            .iter()
            .map(|e| e.index)
            .collect();
        assert_eq!(idx, vec![2, 3, 4, 5]);
        assert!(adverse_in_window(&CreditReport::empty(), d(2023, 1, 1), d(2026, 5, 9)).is_empty());
    }

    #[test]
    fn report_no_shape_and_time() {
        let no = ReportNo::parse("2026050419025750859D39").unwrap();
        assert_eq!(
            no.generated_at,
            d(2026, 5, 4).and_hms_opt(19, 2, 57).unwrap()
        );
        assert_eq!(
            ReportNo::parse(" ２０２６050419025750859d39 ")
                .unwrap()
                .text,
            "2026050419025750859D39"
        );
        assert_eq!(
            ReportNo::parse("202605041902575085"),
            Err(ReportNoError::WrongLength { actual: 18 })
        );
        assert_eq!(
            ReportNo::parse("2026050419025A50859D39"),
            Err(ReportNoError::BadChar {
                position: 14,
                ch: 'A'
            })
        );
        assert!(matches!(
            ReportNo::parse("2026023019025750859D39"),
            Err(ReportNoError::BadTime { .. })
        ));
        assert!(
            ReportNo::parse("2026050419025750859D3-")
                .unwrap_err()
                .to_string()
                .contains("第 22 位")
        );
    }

    #[test]
    fn report_no_cross_check() {
        let at = d(2026, 5, 4).and_hms_opt(19, 2, 57).unwrap();
        assert_eq!(check_report_no("2026050419025750859D39", at, true), None);
        assert_eq!(
            check_report_no(
                "2026050419025750859D39",
                d(2026, 5, 4).and_time(NaiveTime::MIN),
                false
            ),
            None
        );
        let w = check_report_no("2026050319025750859D39", at, true).unwrap();
        assert!(
            w.contains("2026-05-03 19:02:57") && w.contains("不一致"),
            "{w}"
        );
        let w = check_report_no(
            "2026050419025750859D39",
            d(2026, 5, 5).and_time(NaiveTime::MIN),
            false,
        )
        .unwrap();
        assert!(w.contains("2026-05-05"), "{w}");
        // More than the tolerance apart on the same day.
        assert!(check_report_no("2026050418025750859D39", at, true).is_some());
        assert!(check_report_no("ABC", at, true).unwrap().contains("22 位"));
    }

    #[test]
    fn dates_and_times_as_printed() {
        let at = |s: &str| parse_date_time(s);
        let noon = d(2024, 12, 24).and_hms_opt(10, 3, 11).unwrap();
        assert_eq!(at("2024-12-24 10:03:11"), Some((noon, true)));
        assert_eq!(at("2024-12-2410:03:11"), Some((noon, true)));
        assert_eq!(
            at("2024年12月24日"),
            Some((d(2024, 12, 24).and_time(NaiveTime::MIN), false))
        );
        assert_eq!(
            at("2024 年 12 月 24 日"),
            Some((d(2024, 12, 24).and_time(NaiveTime::MIN), false))
        );
        assert_eq!(
            at("２０２４年１２月２４日"),
            Some((d(2024, 12, 24).and_time(NaiveTime::MIN), false))
        );
        assert_eq!(
            at("2024/1/5"),
            Some((d(2024, 1, 5).and_time(NaiveTime::MIN), false))
        );
        assert_eq!(at("— —"), None);
        assert_eq!(at("2023年2月29日"), None);
        assert_eq!(at("123456"), None);
        assert_eq!(
            scan_date("处罚决定日期:2024.03.05 罚款").map(|x| x.0),
            Some(d(2024, 3, 5))
        );
        assert_eq!(scan_date("编号 20240305 无").map(|x| x.0), None);
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
    fn hand_entry_is_checked_and_recorded() {
        let mut r = CreditReport::empty();
        r.kind = Some(ReportKind::Organization);
        assert!(
            r.set_fact_by_hand(ReportFact::GeneratedAt, "昨天", "张三")
                .unwrap_err()
                .contains("无法识别")
        );
        assert!(r.set_fact_by_hand(ReportFact::ReportNo, "x", " ").is_err());
        r.set_fact_by_hand(ReportFact::GeneratedAt, "2026-05-04 19:02:57", "张三")
            .unwrap();
        assert!(r.generated_time_known);
        assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
        let e = r
            .set_fact_by_hand(ReportFact::SubjectCode, "91440800MA4UJ4K37A", "张三")
            .unwrap_err();
        assert!(e.contains("校验位"), "{e}");
        assert!(
            r.set_fact_by_hand(ReportFact::Platform, "百度", "张三")
                .unwrap_err()
                .contains("T-3")
        );
        r.set_fact_by_hand(ReportFact::Platform, "信用湛江", "张三")
            .unwrap();
        assert_eq!(r.platform, Platform::CreditZhanjiang);
        assert_eq!(r.hand_entered.len(), 2);
        assert_eq!(r.hand_entered[0].operator, "张三");
        assert!(r.found.contains(&ReportFact::GeneratedAt));
        assert!(r.missing.contains(&ReportFact::SubjectName));
        assert!(!r.missing.contains(&ReportFact::Platform));
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

    #[test]
    fn entries_by_hand_and_unread_chapters() {
        let e = AdverseEntry::by_hand(
            AdverseKind::DishonestExecutee,
            1,
            Some(d(2025, 1, 2)),
            " 案号 ",
        );
        assert_eq!(e.chapter, Chapter::Judicial);
        assert_eq!(e.date.unwrap().label, DateLabel::Published);
        assert_eq!(e.title, "案号");
        let mut r = CreditReport::empty();
        assert_eq!(r.unread_adverse_chapters(), ADVERSE_CHAPTERS.to_vec());
        r.chapters.push(ChapterSeen {
            chapter: Chapter::SeriousDishonesty,
            entries: 0,
            marked_empty: true,
        });
        assert!(
            !r.unread_adverse_chapters()
                .contains(&Chapter::SeriousDishonesty)
        );
        assert_eq!(r.unread_adverse_chapters().len(), 4);
    }

    #[test]
    fn display_of_an_entry() {
        let e = entry(AdverseKind::AdministrativePenalty, 2, Some(d(2024, 12, 24)));
        let s = e.to_string();
        assert!(
            s.contains("行政处罚") && s.contains("第 2 条") && s.contains("2024-12-24"),
            "{s}"
        );
        assert!(
            entry(AdverseKind::AbnormalOperation, 1, None)
                .to_string()
                .contains("未读到日期")
        );
    }
}
