//! The trust check (rules T-1..T-7): is the subject a 守信用电主体, and may it substitute the
//! credit report and commitment for the property proof in a 信易电 business?
//!
//! Data-driven: [`RULES`] lists every rule with its ID, title, basis and which determination it
//! belongs to; each rule is a plain function of a [`Context`], testable on its own. A verdict
//! lists every rule with its outcome and evidence; a rule that cannot be evaluated says so and
//! never passes. Pure: the caller gathers the inputs and passes `today`.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::credit::{self, CreditMarks, GradeSettings};
use super::dishonesty::{Assessment, CommitmentBreach, DishonestyParams, RuleId, assess};
use super::id_codes::normalize;
use super::park::Park;
use super::records::Record;
use super::report::{AdverseKind, Chapter, CreditReport, Freshness, adverse_hits, freshness};
use super::subject::SubjectId;

/// Database key of a stored verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct VerdictId(pub i64);

/// A 守信用电主体 for the T-7 export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedRow {
    pub subject_id: SubjectId,
    pub name: String,
    pub kind: String,
    pub code_type: String,
    pub code: String,
    pub phone: String,
    pub address: String,
    pub as_of: NaiveDate,
}

/// Rule T-2: the lookback window in years.
pub const LOOKBACK_YEARS: u32 = 3;

/// Rule T-3: default largest age of the report in calendar days (a setting).
pub const DEFAULT_REPORT_MAX_AGE_DAYS: u32 = 5;

/// The incentives of rule T-7, as badges.
pub const INCENTIVES: [&str; 5] = [
    "专属客户经理",
    "上门服务",
    "VIP 绿色通道",
    "容缺受理",
    "节能光伏项目优先",
];

/// The business a 信易电 application is for (rule T-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Business {
    /// 用电报装: a new connection.
    #[serde(rename = "用电报装")]
    NewConnection,
    /// 更名过户: change of name or transfer.
    #[serde(rename = "更名过户")]
    Transfer,
}

impl Business {
    pub const ALL: [Business; 2] = [Business::NewConnection, Business::Transfer];

    pub fn label(self) -> &'static str {
        match self {
            Business::NewConnection => "用电报装",
            Business::Transfer => "更名过户",
        }
    }

    /// Read a business type as typed on the command line or stored.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "用电报装" | "报装" | "new" | "new_connection" => Some(Business::NewConnection),
            "更名过户" | "过户" | "更名" | "transfer" => Some(Business::Transfer),
            _ => None,
        }
    }
}

/// A rule's outcome in a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    Pass,
    Fail,
    /// Waiting for something the applicant or clerk still has to supply (a signed letter, a
    /// report, a confirmed park).
    Pending,
    /// The rule does not belong to the determination asked for.
    NotApplicable,
}

impl RuleOutcome {
    pub fn label(self) -> &'static str {
        match self {
            RuleOutcome::Pass => "符合",
            RuleOutcome::Fail => "不符合",
            RuleOutcome::Pending => "待补充",
            RuleOutcome::NotApplicable => "不适用",
        }
    }

    /// A mark the bundled font has.
    pub fn mark(self) -> &'static str {
        match self {
            RuleOutcome::Pass => "√",
            RuleOutcome::Fail => "×",
            RuleOutcome::Pending => "？",
            RuleOutcome::NotApplicable => "—",
        }
    }
}

/// The rules a verdict lists, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rule {
    /// T-1(a) / C-1: the commitment letter has been given.
    T1a,
    /// T-1(b): a full three-year power-side record without arrears, theft or violation-usage
    /// dishonesty records (T-2: no shortened window for 守信用电主体).
    T1b,
    /// T-6: for 信易电, the same power-side record in the shortened window of annex 3 §3
    /// (since use began, when that is less than three years ago).
    T6Power,
    /// D-4: no broken credit commitment in the window.
    D4,
    /// T-1(c): not on the serious-dishonesty list.
    T1c,
    /// T-3: the report is fresh and from an accepted portal.
    T3,
    /// T-4: the report shows no bad record in the window.
    T4,
    /// T-5: the usage address lies in a pilot park.
    T5,
}

/// What a rule is: its ID, title, basis, and the determinations it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct RuleSpec {
    pub rule: Rule,
    /// The RULES.md ID cited in explanations.
    pub id: &'static str,
    pub title: &'static str,
    /// The policy text the rule rests on.
    pub basis: &'static str,
    /// Part of the 守信用电主体 determination (T-1).
    pub for_trust: bool,
    /// Part of the 信易电 eligibility determination (T-6).
    pub for_eligibility: bool,
    pub eval: fn(&Context<'_>) -> Finding,
}

/// Every rule of the check, in display order.
pub const RULES: [RuleSpec; 8] = [
    RuleSpec {
        rule: Rule::T1a,
        id: "T-1(a)",
        title: "已作出诚信守法用电承诺",
        basis: "守信用电主体须已签署诚信守法用电承诺书；信易电须书面作出承诺（T-1(a)、C-1）",
        for_trust: true,
        for_eligibility: true,
        eval: rule_t1a,
    },
    RuleSpec {
        rule: Rule::T1b,
        id: "T-1(b)",
        title: "连续三年无欠费、窃电、违约用电失信记录",
        basis: "认定日前连续 3 年供电记录中无欠费、窃电、违约用电失信记录；用电未满 3 年的不能认定（T-1(b)、T-2、D-1~D-3）",
        for_trust: true,
        for_eligibility: false,
        eval: rule_t1b,
    },
    RuleSpec {
        rule: Rule::T6Power,
        id: "T-6",
        title: "信易电：回溯期内无欠费、窃电、违约用电失信记录",
        basis: "近三年（企业用电不满三年的自用电以来）供电记录中无欠费、窃电、违约用电失信记录（T-6、T-2、附件 3 第三条）",
        for_trust: false,
        for_eligibility: true,
        eval: rule_t6_power,
    },
    RuleSpec {
        rule: Rule::D4,
        id: "D-4",
        title: "回溯期内无违反信用承诺记录",
        basis: "违反信用承诺（如接火送电后一年内未补交物业权属证明）列入失信记录（D-4、C-2）",
        for_trust: true,
        for_eligibility: true,
        eval: rule_d4,
    },
    RuleSpec {
        rule: Rule::T1c,
        id: "T-1(c)",
        title: "未列入严重失信主体名单",
        basis: "认定之日前未被列入严重失信主体名单（T-1(c)）",
        for_trust: true,
        for_eligibility: false,
        eval: rule_t1c,
    },
    RuleSpec {
        rule: Rule::T3,
        id: "T-3",
        title: "信用报告在有效期内",
        basis: "公共信用信息报告须于核查前 5 天内从信用中国、信用广东或信用湛江下载（T-3）",
        for_trust: false,
        for_eligibility: true,
        eval: rule_t3,
    },
    RuleSpec {
        rule: Rule::T4,
        id: "T-4",
        title: "信用报告无不良信用记录",
        basis: "回溯期内无严重失信主体名单、行政处罚、经营（活动）异常名录、失信被执行人及其他失信信息（T-4、T-2）",
        for_trust: false,
        for_eligibility: true,
        eval: rule_t4,
    },
    RuleSpec {
        rule: Rule::T5,
        id: "T-5",
        title: "用电地址位于信易电试点区域",
        basis: "信易电限于附件 1 所列试点区域（T-5）",
        for_trust: false,
        for_eligibility: true,
        eval: rule_t5,
    },
];

/// The spec of one rule.
pub fn spec(rule: Rule) -> &'static RuleSpec {
    // RULES holds every variant; the fallback is never taken but keeps this total.
    RULES.iter().find(|s| s.rule == rule).unwrap_or(&RULES[0])
}

/// A rule function's answer: outcome, evidence lines, what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub outcome: RuleOutcome,
    pub evidence: Vec<String>,
    pub advice: Option<String>,
}

impl Finding {
    fn new(outcome: RuleOutcome, evidence: Vec<String>, advice: Option<String>) -> Self {
        Self {
            outcome,
            evidence,
            advice,
        }
    }
}

/// The commitment letter's state (rules C-1, C-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LetterState {
    /// No letter issued yet.
    None,
    /// Issued (printed) but the signed scan is not attached.
    Issued { code: String, issued_on: NaiveDate },
    /// Signed and attached.
    Signed { code: String, signed_on: NaiveDate },
    /// Every letter the subject gave was broken (D-4): a broken letter is no commitment given.
    Broken { code: String, decided_on: NaiveDate },
}

/// The subject facts the check needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectFacts {
    pub name: String,
    /// 统一社会信用代码 / 证件号码, normalised.
    pub code: String,
    /// 成立日期 (rule T-2, credit-report side).
    pub founded_on: Option<NaiveDate>,
    /// The earliest 用电开始日期 of its accounts (rule T-2, power side).
    pub supply_start: Option<NaiveDate>,
}

/// Where the usage address of the business lies (rule T-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "match", rename_all = "snake_case")]
pub enum ParkMatch {
    /// The clerk chose the park on the account.
    Chosen { park: Park },
    /// No park chosen, but the address names one: to be confirmed.
    Hinted { park: Park },
    /// The address lies in no pilot park.
    Outside,
    /// No account or address was given.
    Unknown,
}

/// The 信易电 business asked about (rule T-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessRequest {
    pub business: Business,
    pub account_no: Option<String>,
    pub usage_address: Option<String>,
    pub park: ParkMatch,
}

/// The settings a check uses (stored with the verdict).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSettings {
    pub report_max_age_days: u32,
    pub dishonesty: DishonestyParams,
    /// How old the platform's newest list snapshot may be to decide T-1(c) (rule E-2), in
    /// calendar days (verdicts stored before this setting read as the default).
    #[serde(default = "default_list_max_age_days")]
    pub list_max_age_days: u32,
    /// The grade of each dishonesty record kind (rule X-2; verdicts stored before it read as
    /// the default).
    #[serde(default)]
    pub grades: GradeSettings,
}

/// The default of [`CheckSettings::list_max_age_days`]: the platform updates its lists monthly.
pub const DEFAULT_LIST_MAX_AGE_DAYS: u32 = 31;

fn default_list_max_age_days() -> u32 {
    DEFAULT_LIST_MAX_AGE_DAYS
}

impl Default for CheckSettings {
    fn default() -> Self {
        Self {
            report_max_age_days: DEFAULT_REPORT_MAX_AGE_DAYS,
            dishonesty: DishonestyParams::default(),
            list_max_age_days: DEFAULT_LIST_MAX_AGE_DAYS,
            grades: GradeSettings::default(),
        }
    }
}

/// Everything a check looks at.
#[derive(Debug, Clone)]
pub struct CheckInput<'a> {
    pub today: NaiveDate,
    pub subject: SubjectFacts,
    /// The subject's power-supply records (payments may be left out: they never count).
    pub records: &'a [Record],
    /// Its decided commitment cases (rules D-4, D-5).
    pub breaches: &'a [CommitmentBreach],
    /// Its repairs, withdrawals and open objections (rules ).
    pub credit: &'a CreditMarks,
    /// Its latest credit report, with a label that identifies it in evidence.
    pub report: Option<(&'a CreditReport, String)>,
    pub letter: LetterState,
    pub business: Option<BusinessRequest>,
    pub settings: CheckSettings,
    /// What the city platform's dishonesty lists say of the subject (rule E-2), when the bureau
    /// has imported them; `None`: no list was ever imported (T-1(c) then rests on the report).
    pub lists: Option<ListStanding>,
}

/// The subject as the platform's newest list snapshot shows it (rule E-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListStanding {
    /// The newest snapshot is older than the setting allows: it decides nothing.
    Stale {
        /// 名单截至 of the newest snapshot.
        as_of: NaiveDate,
        max_age_days: u32,
    },
    /// A snapshot fresh enough, and the subject's entries in it (on any list).
    Current {
        as_of: NaiveDate,
        entries: Vec<ListHit>,
    },
}

/// One entry of a platform list naming the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListHit {
    /// 名单类型, e.g. 严重失信主体名单.
    pub list_type: String,
    /// Whether the list is the 严重失信主体名单 (T-1(c)); other lists are shown, never decide.
    pub serious: bool,
    pub listed_on: NaiveDate,
    pub removed_on: Option<NaiveDate>,
    pub reason: String,
    pub authority: String,
}

impl ListHit {
    /// Listed before or on `day` and not removed by then (T-1(c): "before the determination
    /// date").
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.listed_on <= day && self.removed_on.is_none_or(|r| r > day)
    }

    fn evidence(&self, as_of: NaiveDate) -> String {
        let mut s = format!(
            "市公共信用信息共享平台{}（名单截至 {as_of}）：{} 列入",
            self.list_type, self.listed_on
        );
        if !self.reason.is_empty() {
            s.push_str(&format!("，原因：{}", self.reason));
        }
        if !self.authority.is_empty() {
            s.push_str(&format!("，认定机关：{}", self.authority));
        }
        if let Some(r) = self.removed_on {
            s.push_str(&format!("，{r} 移出"));
        }
        s
    }
}

/// A lookback window `[start, end]`, both days included, with how it was chosen (rule T-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub note: String,
}

impl Window {
    /// Rule T-2: the 3 calendar years that end on `today` — from the day after `today` minus 3
    /// years (29 February minus 3 years is 28 February) — or, when the subject began later, from
    /// that start. `None` when `began` lies after `today` (the check cannot be evaluated).
    pub fn lookback(today: NaiveDate, began: Option<NaiveDate>, began_label: &str) -> Option<Self> {
        let three_years_back = today
            .checked_sub_months(Months::new(12 * LOOKBACK_YEARS))
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .unwrap_or(NaiveDate::MIN);
        match began {
            Some(b) if b > today => None,
            Some(b) if b > three_years_back => Some(Window {
                start: b,
                end: today,
                note: format!(
                    "{began_label}不满三年，自{began_label} {b} 起至 {today}（依据 T-2）"
                ),
            }),
            _ => Some(Window {
                start: three_years_back,
                end: today,
                note: format!("近三年：{three_years_back} 至 {today}（依据 T-2）"),
            }),
        }
    }

    fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

/// What rule functions see: the input plus what every rule shares (windows, assessment).
pub struct Context<'a> {
    pub input: &'a CheckInput<'a>,
    pub assessment: Assessment,
    /// 守信用电主体 (rule T-1(b)): the full three years, never shortened (T-2).
    pub trust_window: Option<Window>,
    /// Power side of 信易电 (rule T-6) and D-4: since the first supply start when that is less
    /// than three years ago (T-2, annex 3 §3).
    pub power_window: Option<Window>,
    /// Credit-report side (rule T-4): since the founding date.
    pub report_window: Option<Window>,
}

impl<'a> Context<'a> {
    pub fn new(input: &'a CheckInput<'a>) -> Self {
        // Repairs, withdrawals and the maximum publication period take a record
        // out of every rule at once.
        let assessment = credit::apply(
            assess(
                input.records,
                input.breaches,
                input.today,
                &input.settings.dishonesty,
            ),
            input.today,
            &input.settings.grades,
            input.credit,
        );
        let founded = input.subject.founded_on;
        // The power window can only begin once the subject exists.
        let power_began = match (input.subject.supply_start, founded) {
            (Some(s), _) => Some(s),
            (None, f) => f.filter(|f| *f > input.today),
        };
        Self {
            assessment,
            trust_window: Window::lookback(input.today, None, ""),
            power_window: Window::lookback(input.today, power_began, "用电时间"),
            report_window: Window::lookback(input.today, founded, "成立时间"),
            input,
        }
    }

    /// Dishonesty records that count on the check date (see [`Verdict::dishonesty_records`]).
    fn counting_dishonesty(&self) -> usize {
        let inside = |w: &Option<Window>, d: NaiveDate| w.as_ref().is_some_and(|w| w.contains(d));
        self.assessment
            .findings
            .iter()
            .filter(|f| {
                if f.rule == RuleId::D4 {
                    inside(&self.power_window, f.since)
                } else {
                    f.rule.is_power_side() && inside(&self.trust_window, f.since)
                }
            })
            .count()
    }

    /// Why no window could be set: the check date lies before the subject began.
    fn no_window(&self) -> Finding {
        let s = &self.input.subject;
        let began = [s.founded_on, s.supply_start]
            .into_iter()
            .flatten()
            .filter(|d| *d > self.input.today)
            .max();
        let what = match began {
            Some(d) => format!(
                "核查日期 {} 早于主体成立或用电开始日期 {d}",
                self.input.today
            ),
            None => format!("核查日期 {} 无效", self.input.today),
        };
        Finding::new(
            RuleOutcome::Fail,
            vec![format!("{what}，无法评估本项")],
            Some("请核对核查日期和主体的成立日期、用电开始日期".into()),
        )
    }

    /// The report, unless it is about another subject (then the reason).
    fn report(&self) -> Result<Option<(&'a CreditReport, &'a str)>, Finding> {
        let Some((r, label)) = &self.input.report else {
            return Ok(None);
        };
        if let Some(reason) = report_mismatch(r, &self.input.subject) {
            return Err(Finding::new(
                RuleOutcome::Fail,
                vec![format!("{label}：{reason}，无法用于本主体")],
                Some("请申请人下载本主体的信用报告后重新导入".into()),
            ));
        }
        Ok(Some((r, label.as_str())))
    }
}

/// Why a report is not about the subject, if it is not (name or code differ).
pub fn report_mismatch(r: &CreditReport, s: &SubjectFacts) -> Option<String> {
    if let Some(code) = &r.subject_code
        && normalize(code) != normalize(&s.code)
    {
        return Some(format!("报告主体代码 {code} 与本主体 {} 不符", s.code));
    }
    if let Some(name) = &r.subject_name
        && normalize(name) != normalize(&s.name)
    {
        return Some(format!("报告主体名称「{name}」与本主体「{}」不符", s.name));
    }
    None
}

fn no_report(advice: &str) -> Finding {
    Finding::new(
        RuleOutcome::Pending,
        vec!["尚未导入信用报告".into()],
        Some(advice.into()),
    )
}

const DOWNLOAD_ADVICE: &str =
    "请申请人从信用中国、信用广东或信用湛江下载公共信用信息报告，导入后重新核查";

/// T-1(a) / C-1: the commitment letter.
pub fn rule_t1a(ctx: &Context<'_>) -> Finding {
    match &ctx.input.letter {
        LetterState::Signed { code, signed_on } => Finding::new(
            RuleOutcome::Pass,
            vec![format!("承诺书 {code} 已于 {signed_on} 签署并上传")],
            None,
        ),
        LetterState::Issued { code, issued_on } => Finding::new(
            RuleOutcome::Pending,
            vec![format!(
                "承诺书 {code} 已于 {issued_on} 出具，尚未上传签字盖章件"
            )],
            Some("请申请人在承诺书上签字盖章，扫描后上传".into()),
        ),
        LetterState::Broken { code, decided_on } => Finding::new(
            RuleOutcome::Fail,
            vec![format!(
                "承诺书 {code} 已于 {decided_on} 被认定违诺（全部未履行，D-4），不再视为已作出承诺"
            )],
            Some("违诺记录可按修复程序申请信用修复（X-1）；修复前不能认定为守信用电主体".into()),
        ),
        LetterState::None => Finding::new(
            RuleOutcome::Pending,
            vec!["尚未出具诚信守法用电承诺书".into()],
            Some("请填写并打印诚信守法用电承诺书，由申请人签字盖章".into()),
        ),
    }
}

/// Power-side dishonesty records (D-1..D-3) inside `w`: evidence lines and whether one counts.
fn power_side_findings(ctx: &Context<'_>, w: &Window) -> (Vec<String>, bool) {
    let mut evidence = vec![format!("回溯期：{}", w.note)];
    let mut failed = false;
    for f in ctx
        .assessment
        .findings
        .iter()
        .filter(|f| f.rule.is_power_side())
    {
        if w.contains(f.since) {
            failed = true;
            evidence.push(format!("失信记录（{}）：{}", f.rule, f.reason));
        } else if f.since < w.start {
            evidence.push(format!("回溯期前的失信记录，不计入：{}", f.reason));
        }
    }
    for l in ctx
        .assessment
        .lifted
        .iter()
        .filter(|l| l.finding.rule.is_power_side() && w.contains(l.finding.since))
    {
        evidence.push(format!(
            "不再计入的失信记录（{}）：{}；{}",
            l.finding.rule, l.finding.reason, l.why
        ));
    }
    for c in &ctx.assessment.cleared {
        if let (Some(RuleId::D1), Some(on)) = (c.rule, c.becomes_on)
            && on > ctx.input.today
        {
            evidence.push(format!("尚未构成失信记录：{}", c.reason));
        }
    }
    (evidence, failed)
}

/// The answer of a power-side rule once its findings are known.
fn power_side_finding(ctx: &Context<'_>, mut evidence: Vec<String>, failed: bool) -> Finding {
    if failed {
        return Finding::new(
            RuleOutcome::Fail,
            evidence,
            Some("失信记录可按修复程序申请信用修复（X-1）；修复前不能认定为守信用电主体".into()),
        );
    }
    evidence.push(format!(
        "回溯期内无欠费、窃电、违约用电失信记录（数额较大标准：{} 元）",
        ctx.input
            .settings
            .dishonesty
            .large_arrears_threshold
            .to_yuan_string()
    ));
    Finding::new(RuleOutcome::Pass, evidence, None)
}

/// T-1(b): a full three-year power-side record (T-2) without dishonesty records (D-1..D-3).
/// A subject that has used electricity for less than three years has no such record yet and is
/// not a 守信用电主体, however clean its short history; one whose start of use is not recorded
/// cannot be shown to have it.
pub fn rule_t1b(ctx: &Context<'_>) -> Finding {
    // No power window: the check date lies before the subject began (founded or supplied).
    let (Some(w), Some(_)) = (&ctx.trust_window, &ctx.power_window) else {
        return ctx.no_window();
    };
    let (mut evidence, failed) = power_side_findings(ctx, w);
    if failed {
        return power_side_finding(ctx, evidence, true);
    }
    match ctx.input.subject.supply_start {
        Some(began) if began > w.start => {
            evidence.push(format!(
                "用电未满 3 年：用电开始日期 {began}，认定需 {} 起连续 3 年的用电记录（依据 T-2）",
                w.start
            ));
            let full_on = began
                .checked_add_months(Months::new(12 * LOOKBACK_YEARS))
                .and_then(|d| d.checked_sub_days(Days::new(1)));
            Finding::new(
                RuleOutcome::Fail,
                evidence,
                Some(match full_on {
                    Some(d) => format!("用电满 3 年后（{d} 起）可再次核查"),
                    None => "用电满 3 年后可再次核查".into(),
                }),
            )
        }
        Some(_) => power_side_finding(ctx, evidence, false),
        None => {
            evidence.push("用电户未登记用电开始日期，无法确认已连续用电满 3 年".into());
            Finding::new(
                RuleOutcome::Pending,
                evidence,
                Some("请在主体的用电户上填写用电开始日期后重新核查".into()),
            )
        }
    }
}

/// T-6: the power side of 信易电 eligibility, in the shortened window of annex 3 §3 (since use
/// began when that is less than three years ago).
pub fn rule_t6_power(ctx: &Context<'_>) -> Finding {
    let Some(w) = &ctx.power_window else {
        return ctx.no_window();
    };
    let (evidence, failed) = power_side_findings(ctx, w);
    power_side_finding(ctx, evidence, failed)
}

/// D-4: broken credit commitments inside the power window.
pub fn rule_d4(ctx: &Context<'_>) -> Finding {
    let Some(w) = &ctx.power_window else {
        return ctx.no_window();
    };
    let mut evidence = Vec::new();
    let mut failed = false;
    for f in ctx
        .assessment
        .findings
        .iter()
        .filter(|f| f.rule == RuleId::D4)
    {
        if w.contains(f.since) {
            failed = true;
            evidence.push(format!("失信记录（D-4）：{}", f.reason));
        } else if f.since < w.start {
            evidence.push(format!("回溯期前的违诺记录，不计入：{}", f.reason));
        }
    }
    for l in ctx
        .assessment
        .lifted
        .iter()
        .filter(|l| l.finding.rule == RuleId::D4 && w.contains(l.finding.since))
    {
        evidence.push(format!(
            "不再计入的违诺记录（D-4）：{}；{}",
            l.finding.reason, l.why
        ));
    }
    for c in &ctx.assessment.cleared {
        if c.rule == Some(RuleId::D5) {
            evidence.push(c.reason.clone());
        }
    }
    if failed {
        Finding::new(RuleOutcome::Fail, evidence, None)
    } else {
        evidence.insert(0, "回溯期内无违反信用承诺记录".into());
        Finding::new(RuleOutcome::Pass, evidence, None)
    }
}

/// T-1(c): the serious-dishonesty list. Decided from the platform's newest list snapshot when
/// one is fresh enough (rule E-2: for every subject, without a report); otherwise as the
/// subject's report shows it (any listing before today). A listing on either fails.
pub fn rule_t1c(ctx: &Context<'_>) -> Finding {
    let today = ctx.input.today;
    let from_report = rule_t1c_report(ctx);
    match &ctx.input.lists {
        Some(ListStanding::Current { as_of, entries }) => {
            let listed: Vec<String> = entries
                .iter()
                .filter(|e| e.serious && e.in_force_on(today))
                .map(|e| e.evidence(*as_of))
                .collect();
            if !listed.is_empty() {
                return Finding::new(RuleOutcome::Fail, listed, None);
            }
            if from_report.outcome == RuleOutcome::Fail {
                return from_report;
            }
            let mut evidence = vec![format!(
                "市公共信用信息共享平台严重失信主体名单：未列入（名单截至 {as_of}）"
            )];
            // Earlier listings, since removed, and other lists: shown, not counted.
            evidence.extend(
                entries
                    .iter()
                    .filter(|e| !(e.serious && e.in_force_on(today)))
                    .map(|e| format!("（不影响本项）{}", e.evidence(*as_of))),
            );
            Finding::new(RuleOutcome::Pass, evidence, None)
        }
        Some(ListStanding::Stale {
            as_of,
            max_age_days,
        }) if from_report.outcome != RuleOutcome::Fail
            && from_report.outcome != RuleOutcome::Pass =>
        {
            Finding::new(
                RuleOutcome::Pending,
                vec![format!(
                    "市公共信用信息共享平台名单截至 {as_of}，已超过 {max_age_days} 天，不能作为依据"
                )],
                Some("请导入平台最新的严重失信主体名单，或导入申请人的信用报告".into()),
            )
        }
        _ => from_report,
    }
}

/// T-1(c) as the report shows it.
fn rule_t1c_report(ctx: &Context<'_>) -> Finding {
    let (report, label) = match ctx.report() {
        Err(f) => return f,
        Ok(None) => {
            return no_report("导入申请人的信用报告后，才能核实是否列入严重失信主体名单");
        }
        Ok(Some(r)) => r,
    };
    let today = ctx.input.today;
    let listed: Vec<String> = report
        .adverse
        .iter()
        .filter(|e| e.kind == AdverseKind::SeriousDishonestyList)
        .filter(|e| e.date.is_none_or(|d| d.date <= today))
        .map(|e| match e.date {
            Some(d) => format!("{label}：{}（{} {}）", e.title, d.label.label(), d.date),
            None => format!("{label}：{}（未读到日期）", e.title),
        })
        .collect();
    if !listed.is_empty() {
        return Finding::new(RuleOutcome::Fail, listed, None);
    }
    if let Some(n) = report.summary.serious_dishonesty
        && n > 0
    {
        return Finding::new(
            RuleOutcome::Fail,
            vec![format!("{label}：信用信息概要显示严重失信主体名单 {n} 条")],
            Some("请对照纸质报告核实名单条目".into()),
        );
    }
    if report
        .unread_adverse_chapters()
        .contains(&Chapter::SeriousDishonesty)
    {
        return Finding::new(
            RuleOutcome::Pending,
            vec![format!("{label}：未读到“严重失信主体名单信息”一章")],
            Some("请对照纸质报告核实后手工录入，或导入完整的报告".into()),
        );
    }
    Finding::new(
        RuleOutcome::Pass,
        vec![format!("{label}：未列入严重失信主体名单")],
        None,
    )
}

/// T-3: freshness and portal of the report.
pub fn rule_t3(ctx: &Context<'_>) -> Finding {
    let (report, label) = match ctx.report() {
        Err(f) => return f,
        Ok(None) => return no_report(DOWNLOAD_ADVICE),
        Ok(Some(r)) => r,
    };
    if !report.platform.is_accepted() {
        return Finding::new(
            RuleOutcome::Fail,
            vec![format!("{label}：出具平台为“{}”", report.platform.label())],
            Some("只接受信用中国、信用广东或信用湛江出具的报告，请申请人重新下载".into()),
        );
    }
    let Some(generated) = report.generated_on() else {
        return Finding::new(
            RuleOutcome::Pending,
            vec![format!("{label}：未读到报告生成日期")],
            Some("请对照报告手工录入生成日期".into()),
        );
    };
    let max = ctx.input.settings.report_max_age_days;
    let f = freshness(generated, ctx.input.today, max);
    let evidence = vec![format!(
        "{label}：{}，生成于 {generated}；{}",
        report.platform.label(),
        f.explain(max)
    )];
    match f {
        Freshness::Fresh { .. } => Finding::new(RuleOutcome::Pass, evidence, None),
        Freshness::Stale { .. } => Finding::new(
            RuleOutcome::Fail,
            evidence,
            Some(format!("报告已超过 {max} 天，请申请人重新下载")),
        ),
        Freshness::FutureDated { .. } => Finding::new(
            RuleOutcome::Fail,
            evidence,
            Some("报告日期晚于核查日期，请核对报告和本机日期".into()),
        ),
    }
}

/// T-4: bad records in the report inside the report window. A dated entry inside the window
/// fails; otherwise the rule never passes while the reader doubts the report (a summary count
/// the body does not match, a chapter or page it could not read, an entry without a date) until
/// a clerk has confirmed the facts by hand; then it is decided on the confirmed facts (an entry
/// still undated counts as inside the window).
pub fn rule_t4(ctx: &Context<'_>) -> Finding {
    use crate::domain::report::{WindowHit, WindowReason};
    let (report, label) = match ctx.report() {
        Err(f) => return f,
        Ok(None) => return no_report(DOWNLOAD_ADVICE),
        Ok(Some(r)) => r,
    };
    let Some(w) = &ctx.report_window else {
        return ctx.no_window();
    };
    let mut evidence = vec![format!("回溯期：{}", w.note)];
    let hits = adverse_hits(report, w.start, w.end);
    let confirmed = report.confirmed.as_ref();
    let describe = |h: &WindowHit<'_>| {
        let date = match h.entry.date {
            Some(d) => format!("{} {}", d.label.label(), d.date),
            None => "无日期".into(),
        };
        format!(
            "{}：{}（{date}，{}）",
            h.entry.kind.label(),
            h.entry.title,
            h.reason.label()
        )
    };
    let certain = hits
        .iter()
        .any(|h| h.reason != WindowReason::Undated || confirmed.is_some());
    if certain {
        evidence.extend(hits.iter().map(describe));
        return Finding::new(
            RuleOutcome::Fail,
            evidence,
            Some("报告有不良信用记录，不能以信用报告代替物业权属证明；请提供物业权属证明或完成信用修复后重新下载报告".into()),
        );
    }
    let unread = report.unread_adverse_chapters();
    let doubts = report.open_doubts();
    if !unread.is_empty() || !doubts.is_empty() || !hits.is_empty() {
        if !unread.is_empty() {
            let names: Vec<&str> = unread.iter().map(|c| c.label()).collect();
            evidence.push(format!("{label}：未读到章节 {}", names.join("、")));
        }
        evidence.extend(doubts.iter().map(|d| format!("{label}：{d}")));
        evidence.extend(hits.iter().map(describe));
        return Finding::new(
            RuleOutcome::Pending,
            evidence,
            Some("程序读取报告时有疑问：请对照纸质报告核实不良信息（补录漏读的条目及日期）后，在报告页点“人工核对确认”，或导入完整的报告".into()),
        );
    }
    let before = report.adverse.len();
    evidence.push(format!("{label}：回溯期内无不良信用记录"));
    if before > 0 {
        evidence.push(format!("回溯期前的不良记录 {before} 条，不计入"));
    }
    if let Some(c) = confirmed {
        evidence.push(format!(
            "{label}：已由 {} 于 {} 对照原件人工核对确认",
            c.operator,
            c.at.format("%Y-%m-%d %H:%M")
        ));
    }
    Finding::new(RuleOutcome::Pass, evidence, None)
}

/// T-5: the usage address lies in a pilot park.
pub fn rule_t5(ctx: &Context<'_>) -> Finding {
    let Some(b) = &ctx.input.business else {
        return Finding::new(
            RuleOutcome::NotApplicable,
            vec!["未指定信易电业务".into()],
            None,
        );
    };
    let place = match (&b.account_no, &b.usage_address) {
        (Some(a), Some(addr)) => format!("用电户 {a}（{addr}）"),
        (Some(a), None) => format!("用电户 {a}"),
        (None, Some(addr)) => format!("用电地址 {addr}"),
        (None, None) => "未指定用电户".into(),
    };
    match &b.park {
        ParkMatch::Chosen { park } => Finding::new(
            RuleOutcome::Pass,
            vec![format!("{place} 位于试点区域：{}", park.label())],
            None,
        ),
        ParkMatch::Hinted { park } => Finding::new(
            RuleOutcome::Pending,
            vec![format!(
                "{place} 的地址含“{}”，可能位于 {}",
                park.name,
                park.label()
            )],
            Some("请在用电户上确认所属试点园区后重新核查".into()),
        ),
        ParkMatch::Outside => Finding::new(
            RuleOutcome::Fail,
            vec![format!("{place} 不在信易电试点区域")],
            Some("试点区域外不能以信用报告和承诺代替物业权属证明，请申请人提供物业权属证明".into()),
        ),
        ParkMatch::Unknown => Finding::new(
            RuleOutcome::Pending,
            vec![place],
            Some("请指定办理业务的用电户（用户编号）或用电地址".into()),
        ),
    }
}

/// One rule's row in a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule: Rule,
    pub id: String,
    pub title: String,
    pub basis: String,
    pub outcome: RuleOutcome,
    pub evidence: Vec<String>,
    pub advice: Option<String>,
    pub for_trust: bool,
    pub for_eligibility: bool,
}

/// The result of a check: both determinations and every rule with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub date: NaiveDate,
    pub subject: SubjectFacts,
    pub business: Option<Business>,
    pub account_no: Option<String>,
    /// 守信用电主体 (rule T-1): every T-1 rule passes.
    pub trustworthy: bool,
    /// 信易电 eligibility (rule T-6); `None` when no business was asked about. True when no rule
    /// fails and only the commitment letter is still to be signed: the letter is signed as part
    /// of the business, after this check.
    pub eligible: Option<bool>,
    /// No rule is pending: the verdict is final.
    pub complete: bool,
    /// One line for the clerk: 守信用电主体 / 可办理信易电 / 不符合.
    pub headline: String,
    /// The full three years of rule T-1(b) (absent in verdicts stored before it existed).
    #[serde(default)]
    pub trust_window: Option<Window>,
    pub power_window: Option<Window>,
    pub report_window: Option<Window>,
    /// How many dishonesty records count against the subject on the check date: power-side
    /// ones (D-1..D-3) in the three years of T-1(b), broken commitments (D-4) in their window.
    #[serde(default)]
    pub dishonesty_records: usize,
    pub rules: Vec<RuleResult>,
    /// Rule T-7 badges (empty unless trustworthy).
    pub incentives: Vec<String>,
}

impl Verdict {
    /// The row of one rule.
    pub fn rule(&self, rule: Rule) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.rule == rule)
    }
}

/// Run every rule and combine them (rules T-1 and T-6).
pub fn check(input: &CheckInput<'_>) -> Verdict {
    let ctx = Context::new(input);
    let asked_business = input.business.is_some();
    let rules: Vec<RuleResult> = RULES
        .iter()
        .map(|s| {
            let applies = s.for_trust || (s.for_eligibility && asked_business);
            let f = if applies {
                (s.eval)(&ctx)
            } else {
                Finding::new(
                    RuleOutcome::NotApplicable,
                    vec!["未指定信易电业务（用电报装或更名过户），本项不适用".into()],
                    None,
                )
            };
            RuleResult {
                rule: s.rule,
                id: s.id.into(),
                title: s.title.into(),
                basis: s.basis.into(),
                outcome: f.outcome,
                evidence: f.evidence,
                advice: f.advice,
                for_trust: s.for_trust,
                for_eligibility: s.for_eligibility,
            }
        })
        .collect();
    let trustworthy = rules
        .iter()
        .filter(|r| r.for_trust)
        .all(|r| r.outcome == RuleOutcome::Pass);
    let eligible = asked_business.then(|| {
        rules.iter().filter(|r| r.for_eligibility).all(|r| {
            r.outcome == RuleOutcome::Pass
                || (r.rule == Rule::T1a && r.outcome == RuleOutcome::Pending)
        })
    });
    let pending = rules
        .iter()
        .filter(|r| r.outcome == RuleOutcome::Pending)
        .count();
    let failed = rules.iter().any(|r| r.outcome == RuleOutcome::Fail);
    let headline = headline(
        trustworthy,
        eligible,
        failed,
        pending,
        input.business.as_ref(),
    );
    Verdict {
        date: input.today,
        subject: input.subject.clone(),
        business: input.business.as_ref().map(|b| b.business),
        account_no: input.business.as_ref().and_then(|b| b.account_no.clone()),
        trustworthy,
        eligible,
        complete: pending == 0,
        headline,
        trust_window: ctx.trust_window.clone(),
        dishonesty_records: ctx.counting_dishonesty(),
        power_window: ctx.power_window.clone(),
        report_window: ctx.report_window.clone(),
        rules,
        incentives: if trustworthy {
            INCENTIVES.iter().map(|s| s.to_string()).collect()
        } else {
            Vec::new()
        },
    }
}

fn headline(
    trustworthy: bool,
    eligible: Option<bool>,
    failed: bool,
    pending: usize,
    business: Option<&BusinessRequest>,
) -> String {
    let xyd = match (eligible, business) {
        (Some(true), Some(b)) if pending == 0 => {
            Some(format!("可办理信易电（{}）", b.business.label()))
        }
        (Some(true), Some(b)) => Some(format!(
            "可办理信易电（{}，待签署承诺书）",
            b.business.label()
        )),
        _ => None,
    };
    match (trustworthy, xyd) {
        (true, Some(x)) => format!("守信用电主体 · {x}"),
        (true, None) => "守信用电主体".into(),
        (false, Some(x)) => x,
        (false, None) if failed => "不符合".into(),
        // Nothing failed: the check cannot decide yet, which is not a refusal (issue 15).
        (false, None) => format!("待补充（{pending} 项），补齐后重新核查"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::park::ParkId;
    use crate::domain::report::{
        AdverseEntry, ChapterSeen, DateLabel, LabeledDate, Platform, ReportKind,
    };
    use chrono::NaiveDateTime;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn subject() -> SubjectFacts {
        SubjectFacts {
            name: "湛江市海港贸易有限公司".into(),
            code: "91440800MA4UMB8E0X".into(),
            founded_on: Some(d(2015, 3, 1)),
            supply_start: Some(d(2016, 1, 1)),
        }
    }

    fn report(generated: NaiveDate) -> CreditReport {
        let mut r = CreditReport::empty();
        r.report_no = Some("2026112509301200000001".into());
        r.generated_at = Some(NaiveDateTime::new(generated, chrono::NaiveTime::MIN));
        r.platform = Platform::CreditChina;
        r.kind = Some(ReportKind::Organization);
        r.subject_name = Some(subject().name);
        r.subject_code = Some(subject().code);
        r.chapters = crate::domain::report::ADVERSE_CHAPTERS
            .iter()
            .map(|c| ChapterSeen {
                chapter: *c,
                entries: 0,
                marked_empty: true,
            })
            .collect();
        r.refresh_found();
        r
    }

    fn park() -> Park {
        Park {
            id: ParkId(1),
            zone: "湛江经济技术开发区".into(),
            name: "石化产业园区".into(),
            keywords: vec!["石化产业园".into()],
            active: true,
        }
    }

    fn input<'a>(today: NaiveDate, report: Option<&'a CreditReport>) -> CheckInput<'a> {
        CheckInput {
            today,
            subject: subject(),
            records: &[],
            breaches: &[],
            credit: &crate::domain::credit::NO_MARKS,
            report: report.map(|r| (r, "报告 2026112509301200000001".to_string())),
            letter: LetterState::Signed {
                code: "44080020261120000001".into(),
                signed_on: d(2026, 11, 20),
            },
            business: Some(BusinessRequest {
                business: Business::NewConnection,
                account_no: Some("0301234567".into()),
                usage_address: Some("东海岛石化产业园 8 号".into()),
                park: ParkMatch::Chosen { park: park() },
            }),
            settings: CheckSettings::default(),
            lists: None,
        }
    }

    fn hit(list_type: &str, listed: NaiveDate, removed: Option<NaiveDate>) -> ListHit {
        ListHit {
            list_type: list_type.into(),
            serious: list_type == "严重失信主体名单",
            listed_on: listed,
            removed_on: removed,
            reason: "拒不履行法定义务".into(),
            authority: "湛江市发展和改革局".into(),
        }
    }

    #[test]
    fn t1c_from_a_current_list_snapshot_fails_with_the_entry_and_passes_with_its_date() {
        let today = d(2026, 11, 25);
        // No report at all: the snapshot decides alone (rule E-2).
        let mut i = input(today, None);
        i.lists = Some(ListStanding::Current {
            as_of: d(2026, 11, 20),
            entries: vec![hit("严重失信主体名单", d(2025, 3, 5), None)],
        });
        let f = rule_t1c(&Context::new(&i));
        assert_eq!(f.outcome, RuleOutcome::Fail);
        assert!(
            f.evidence[0].contains("2025-03-05 列入"),
            "{:?}",
            f.evidence
        );
        assert!(f.evidence[0].contains("名单截至 2026-11-20"));
        assert!(f.evidence[0].contains("湛江市发展和改革局"));
        // Removed before today, or listed only after today, or another list: not listed.
        for entries in [
            vec![],
            vec![hit("严重失信主体名单", d(2025, 3, 5), Some(d(2026, 1, 1)))],
            vec![hit("严重失信主体名单", d(2026, 11, 26), None)],
            vec![hit("失信被执行人名单", d(2025, 3, 5), None)],
        ] {
            i.lists = Some(ListStanding::Current {
                as_of: d(2026, 11, 20),
                entries,
            });
            let f = rule_t1c(&Context::new(&i));
            assert_eq!(f.outcome, RuleOutcome::Pass, "{:?}", f.evidence);
            assert_eq!(
                f.evidence[0],
                "市公共信用信息共享平台严重失信主体名单：未列入（名单截至 2026-11-20）"
            );
        }
    }

    #[test]
    fn t1c_with_a_stale_snapshot_is_pending_without_a_report() {
        let today = d(2026, 11, 25);
        let mut i = input(today, None);
        i.lists = Some(ListStanding::Stale {
            as_of: d(2026, 9, 1),
            max_age_days: 30,
        });
        let f = rule_t1c(&Context::new(&i));
        assert_eq!(f.outcome, RuleOutcome::Pending);
        assert!(f.evidence[0].contains("名单截至 2026-09-01，已超过 30 天"));
    }

    #[test]
    fn window_is_three_calendar_years_ending_today() {
        let w = Window::lookback(d(2026, 11, 28), None, "").unwrap();
        assert_eq!((w.start, w.end), (d(2023, 11, 29), d(2026, 11, 28)));
        // 29 February minus 3 years is 28 February; the window starts the day after.
        let w = Window::lookback(d(2028, 2, 29), None, "").unwrap();
        assert_eq!(w.start, d(2025, 3, 1));
        let w = Window::lookback(d(2026, 11, 28), Some(d(2026, 1, 28)), "用电时间").unwrap();
        assert_eq!(w.start, d(2026, 1, 28));
        assert!(w.note.contains("不满三年"));
        assert!(Window::lookback(d(2026, 11, 28), Some(d(2026, 11, 29)), "").is_none());
    }

    #[test]
    fn clean_subject_with_signed_letter_is_trustworthy_and_eligible() {
        let r = report(d(2026, 11, 25));
        let v = check(&input(d(2026, 11, 28), Some(&r)));
        assert!(v.trustworthy, "{v:#?}");
        assert_eq!(v.eligible, Some(true));
        assert!(v.complete);
        assert_eq!(v.headline, "守信用电主体 · 可办理信易电（用电报装）");
        assert_eq!(v.incentives.len(), INCENTIVES.len());
        assert!(v.rules.iter().all(|r| r.outcome == RuleOutcome::Pass));
    }

    #[test]
    fn unsigned_letter_is_pending_and_still_eligible_but_not_trustworthy() {
        let r = report(d(2026, 11, 25));
        let mut i = input(d(2026, 11, 28), Some(&r));
        i.letter = LetterState::None;
        let v = check(&i);
        assert!(!v.trustworthy);
        assert_eq!(v.eligible, Some(true));
        assert!(!v.complete);
        assert_eq!(v.rule(Rule::T1a).unwrap().outcome, RuleOutcome::Pending);
        assert!(v.headline.contains("待签署承诺书"), "{}", v.headline);
        assert!(v.incentives.is_empty());
    }

    #[test]
    fn report_five_days_old_passes_six_fails_future_fails() {
        for (generated, outcome) in [
            (d(2026, 11, 23), RuleOutcome::Pass),
            (d(2026, 11, 22), RuleOutcome::Fail),
            (d(2026, 11, 29), RuleOutcome::Fail),
        ] {
            let r = report(generated);
            let v = check(&input(d(2026, 11, 28), Some(&r)));
            let row = v.rule(Rule::T3).unwrap();
            assert_eq!(row.outcome, outcome, "{generated}: {row:?}");
            if generated == d(2026, 11, 22) {
                assert_eq!(
                    row.advice.as_deref(),
                    Some("报告已超过 5 天，请申请人重新下载")
                );
                assert_eq!(v.eligible, Some(false));
            }
        }
    }

    #[test]
    fn report_of_another_subject_never_passes() {
        let mut r = report(d(2026, 11, 25));
        r.subject_name = Some("湛江市另一家公司".into());
        let v = check(&input(d(2026, 11, 28), Some(&r)));
        for rule in [Rule::T1c, Rule::T3, Rule::T4] {
            let row = v.rule(rule).unwrap();
            assert_eq!(row.outcome, RuleOutcome::Fail);
            assert!(row.evidence[0].contains("不符"), "{row:?}");
        }
        assert!(!v.trustworthy);
        assert_eq!(v.eligible, Some(false));
    }

    #[test]
    fn no_report_is_pending_never_pass() {
        let v = check(&input(d(2026, 11, 28), None));
        for rule in [Rule::T1c, Rule::T3, Rule::T4] {
            assert_eq!(v.rule(rule).unwrap().outcome, RuleOutcome::Pending);
        }
        assert!(!v.trustworthy);
        assert_eq!(v.eligible, Some(false));
        assert_eq!(v.headline, "待补充（3 项），补齐后重新核查");
    }

    fn penalty(on: NaiveDate) -> AdverseEntry {
        AdverseEntry {
            kind: AdverseKind::AdministrativePenalty,
            chapter: Chapter::Administrative,
            index: 1,
            title: "行政处罚决定书文号:湛市监罚〔2024〕12号".into(),
            date: Some(LabeledDate {
                label: DateLabel::PenaltyDecision,
                date: on,
            }),
            dates: vec![],
            raw: String::new(),
        }
    }

    #[test]
    fn adverse_entry_exactly_three_years_back_is_outside_one_day_later_inside() {
        let today = d(2026, 11, 28);
        let mut r = report(d(2026, 11, 25));
        r.adverse = vec![penalty(d(2023, 11, 28))];
        let v = check(&input(today, Some(&r)));
        assert_eq!(v.rule(Rule::T4).unwrap().outcome, RuleOutcome::Pass);
        r.adverse = vec![penalty(d(2023, 11, 29))];
        let v = check(&input(today, Some(&r)));
        let row = v.rule(Rule::T4).unwrap();
        assert_eq!(row.outcome, RuleOutcome::Fail);
        assert!(row.evidence.iter().any(|e| e.contains("湛市监罚")));
    }

    #[test]
    fn company_founded_two_years_ago_looks_back_to_its_founding() {
        let today = d(2026, 11, 28);
        let mut r = report(d(2026, 11, 25));
        let mut i = input(today, Some(&r));
        i.subject.founded_on = Some(d(2024, 11, 28));
        let v = check(&i);
        assert_eq!(v.report_window.as_ref().unwrap().start, d(2024, 11, 28));
        // A penalty before the founding lies outside the window (e.g. the predecessor's).
        r.adverse = vec![penalty(d(2024, 6, 1))];
        let mut i = input(today, Some(&r));
        i.subject.founded_on = Some(d(2024, 11, 28));
        assert_eq!(check(&i).rule(Rule::T4).unwrap().outcome, RuleOutcome::Pass);
    }

    #[test]
    fn serious_list_fails_t1c_at_any_date() {
        let mut r = report(d(2026, 11, 25));
        r.adverse = vec![AdverseEntry {
            kind: AdverseKind::SeriousDishonestyList,
            chapter: Chapter::SeriousDishonesty,
            index: 1,
            title: "列入严重失信主体名单".into(),
            date: Some(LabeledDate {
                label: DateLabel::Listed,
                date: d(2019, 5, 1),
            }),
            dates: vec![],
            raw: String::new(),
        }];
        let v = check(&input(d(2026, 11, 28), Some(&r)));
        assert_eq!(v.rule(Rule::T1c).unwrap().outcome, RuleOutcome::Fail);
        assert!(!v.trustworthy);
    }

    #[test]
    fn park_outside_fails_hint_pending_no_business_not_applicable() {
        let r = report(d(2026, 11, 25));
        let mut i = input(d(2026, 11, 28), Some(&r));
        i.business.as_mut().unwrap().park = ParkMatch::Outside;
        let v = check(&i);
        assert_eq!(v.rule(Rule::T5).unwrap().outcome, RuleOutcome::Fail);
        assert_eq!(v.eligible, Some(false));
        assert!(v.trustworthy, "T-5 is not part of T-1");
        i.business.as_mut().unwrap().park = ParkMatch::Hinted { park: park() };
        assert_eq!(
            check(&i).rule(Rule::T5).unwrap().outcome,
            RuleOutcome::Pending
        );
        i.business = None;
        let v = check(&i);
        assert_eq!(v.eligible, None);
        for rule in [Rule::T3, Rule::T4, Rule::T5] {
            assert_eq!(v.rule(rule).unwrap().outcome, RuleOutcome::NotApplicable);
        }
        assert_eq!(v.headline, "守信用电主体");
    }

    #[test]
    fn check_date_before_the_subject_existed_cannot_pass() {
        let r = report(d(2026, 11, 25));
        let mut i = input(d(2014, 1, 1), Some(&r));
        i.letter = LetterState::None;
        let v = check(&i);
        let row = v.rule(Rule::T1b).unwrap();
        assert_eq!(row.outcome, RuleOutcome::Fail);
        assert!(row.evidence[0].contains("无法评估"), "{row:?}");
        assert!(!v.trustworthy);
    }

    #[test]
    fn business_names_parse() {
        assert_eq!(Business::parse("用电报装"), Some(Business::NewConnection));
        assert_eq!(Business::parse(" 更名过户 "), Some(Business::Transfer));
        assert_eq!(Business::parse("销户"), None);
    }
}
