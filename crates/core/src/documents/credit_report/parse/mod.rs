//! Parsing the extracted text of a report into a [`CreditReport`].
//!
//! The text is first cleaned line by line: full-width forms folded (`：` → `:`), spaces next to
//! Chinese characters dropped (`报 告 编 号` → `报告编号`, `第 1 条` → `第1条`), page numbers and
//! the headers/footers repeated at the edges of every page removed, and labels wrapped over two
//! lines (`法定代表人/` + `负责人`) joined. Facts are then read by label (same line, next line, or
//! a row of labels over a row of values), chapters by their numbered titles, and entries by
//! `第N条`. What decides that an entry is bad (rule T-4) is the chapter it stands in: 四 and 五
//! always, 二 only 行政处罚, 八 only 失信被执行人, 九 unless it is clearly a good record.
//!
//! The parts, in the order the text goes through them: `clean` turns the extracted text into
//! lines and recognises the lines that structure a report; `fields` reads a labelled value;
//! `chapters` cuts the body into chapters and entries and decides which entries are bad
//! (rule T-4); `summary` reads the 信用信息概要 counts. This file reads the header and the
//! subject block and puts the report together, with the problems for the clerk.

mod chapters;
mod clean;
mod fields;
mod summary;

use crate::domain::id_codes::Uscc;
use crate::domain::report::{
    ADVERSE_CHAPTERS, CreditReport, Platform, ReportFact, ReportKind, check_report_no,
    parse_date_time,
};

use super::{ParseProblem, ParsedReport};
use chapters::parse_body;
use clean::clean_lines;
use fields::{code_value, field, name_field};
use summary::parse_summary;

/// The labels of each header fact; every one is also in `fields::LABELS`, where a value ends.
const REPORT_NO: &[&str] = &["报告编号"];
const GENERATED: &[&str] = &["报告生成日期", "报告生成时间", "生成日期"];
const ISSUER: &[&str] = &["报告出具单位", "出具单位", "出具机构"];
const ORG_NAME: &[&str] = &["机构名称", "主体名称", "企业名称"];
const PERSON_NAME: &[&str] = &["姓名"];
const USCC: &[&str] = &["统一社会信用代码"];
const PERSON_CODE: &[&str] = &["身份证号码", "证件号码"];
const LEGAL_REP: &[&str] = &["法定代表人/负责人", "法定代表人(负责人)", "法定代表人"];

/// Registration status words printed in the subject block, possibly without a label.
const STATUS_WORDS: &[&str] = &[
    "存续", "在业", "开业", "注销", "吊销", "撤销", "迁出", "停业", "正常",
];
/// Tags printed in the subject block.
const TAGS: &[&str] = &["守信激励对象", "失信惩戒对象", "重点关注对象"];

/// What a chapter prints when it has no entry: it was read, and holds nothing.
const EMPTY_CHAPTER: &str = "查询期内无相关信息";

fn problem(fact: Option<ReportFact>, message: impl Into<String>) -> ParseProblem {
    ParseProblem {
        fact,
        message: message.into(),
    }
}

/// Parse the text of a report (pages separated by form feeds, as [`super::ReportText::text`]
/// gives it; plain text works too). Never fails: what is not found is `None` in the report and
/// named in the problems.
pub fn parse_report_text(text: &str) -> ParsedReport {
    let lines = clean_lines(text);
    let body = parse_body(&lines);
    let front = lines.get(..body.front_end).unwrap_or(&lines);
    let mut report = CreditReport::empty();
    let mut problems = Vec::new();

    // Title and kind.
    let title = front.iter().find(|l| l.contains("信用信息报告"));
    report.kind = title.and_then(|t| {
        if t.contains("法人") || t.contains("组织") {
            Some(ReportKind::Organization)
        } else if t.contains("个人") || t.contains("自然人") {
            Some(ReportKind::Person)
        } else {
            None
        }
    });
    if report.kind.is_none() {
        let inferred = if field(front, USCC).is_some() || field(front, ORG_NAME).is_some() {
            Some(ReportKind::Organization)
        } else if field(front, PERSON_CODE).is_some() || field(front, PERSON_NAME).is_some() {
            Some(ReportKind::Person)
        } else {
            None
        };
        report.kind = inferred;
        let msg = match inferred {
            Some(k) => format!("未找到报告标题，按内容判断为{}报告：请核对", k.label()),
            None => "未找到报告标题，无法判断是法人和非法人组织报告还是个人报告：请手工选择".into(),
        };
        problems.push(problem(Some(ReportFact::Kind), msg));
    }

    // Header.
    report.report_no = field(front, REPORT_NO).and_then(|f| code_value(&f.value, false, 40));
    if let Some(f) = field(front, GENERATED) {
        match parse_date_time(&f.value) {
            Some((at, time_known)) => {
                report.generated_at = Some(at);
                report.generated_time_known = time_known;
            }
            None => problems.push(problem(
                Some(ReportFact::GeneratedAt),
                format!("报告生成日期“{}”无法识别：请对照原件手工录入", f.value),
            )),
        }
    }
    report.issuing_unit = field(front, ISSUER).map(|f| f.value);
    let header_text: String = front
        .iter()
        .take(12)
        .chain(title)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    report.platform = Platform::detect(report.issuing_unit.as_deref(), &header_text);

    // Subject.
    match report.kind {
        Some(ReportKind::Person) => {
            report.subject_name = name_field(front, PERSON_NAME, false);
            report.subject_code =
                field(front, PERSON_CODE).and_then(|f| code_value(&f.value, true, 18));
        }
        _ => {
            report.subject_name = name_field(front, ORG_NAME, true);
            report.subject_code = field(front, USCC).and_then(|f| code_value(&f.value, false, 18));
            report.legal_rep = field(front, LEGAL_REP).map(|f| f.value);
            if let Some(code) = &report.subject_code
                && let Err(e) = Uscc::parse(code)
            {
                problems.push(problem(
                    Some(ReportFact::SubjectCode),
                    format!("报告上的统一社会信用代码 {code} 未通过校验（{e}）：请对照原件核对"),
                ));
            }
        }
    }

    // Status and tags: a line of their own, or the value of 登记状态 / 经营状态.
    report.status = field(front, &["登记状态", "经营状态"])
        .map(|f| f.value)
        .or_else(|| {
            front
                .iter()
                .find_map(|l| STATUS_WORDS.iter().find(|w| l.as_str() == **w))
                .map(|w| (*w).to_string())
        });
    report.tags = TAGS
        .iter()
        .filter(|t| front.iter().any(|l| l.contains(**t)))
        .map(|t| (*t).to_string())
        .collect();

    report.summary = parse_summary(&lines, body.front_end);
    report.chapters = body.chapters;
    report.adverse = body.adverse;
    report.refresh_found();

    for fact in report.missing.clone() {
        let msg = match fact {
            ReportFact::Platform => "未能从报告出具单位或标题识别下载平台（信用中国 / 信用广东 / 信用湛江）：请核对报告来源（依据 T-3）".to_string(),
            ReportFact::Summary => "未找到“信用信息概要”的条数：请对照原件核对".to_string(),
            other => format!("未找到{}：请对照原件手工录入", other.label()),
        };
        problems.push(problem(Some(fact), msg));
    }
    if let (Some(no), Some(at)) = (&report.report_no, report.generated_at)
        && let Some(w) = check_report_no(no, at, report.generated_time_known)
    {
        problems.push(problem(Some(ReportFact::ReportNo), w));
    }

    // Rule T-4 must not pass on a report the reader doubts: each doubt is a problem for the
    // clerk and is kept on the report, where T-4 finds it.
    let mut doubts: Vec<ParseProblem> = Vec::new();
    for ch in ADVERSE_CHAPTERS {
        let seen = report.chapters.iter().find(|c| c.chapter == ch);
        let summary = report.summary.get(ch);
        match (seen, summary) {
            (None, _) => doubts.push(problem(
                None,
                format!(
                    "未找到“{}”一章：无法确认其中有无不良信息，请对照原件核对（依据 T-4）",
                    ch.label()
                ),
            )),
            (Some(s), Some(n)) if s.entries != n => doubts.push(problem(
                Some(ReportFact::Summary),
                format!(
                    "信用信息概要中“{}”为 {n} 条，正文读到 {} 条：请对照原件核对（依据 T-4）",
                    ch.label(),
                    s.entries
                ),
            )),
            _ => {}
        }
    }
    if report.tags.iter().any(|t| t == "失信惩戒对象") && report.adverse.is_empty() {
        doubts.push(problem(
            None,
            "报告标注为“失信惩戒对象”，但正文中没有读到不良信息：请对照原件核对（依据 T-4）",
        ));
    }
    for e in &report.adverse {
        if e.date.is_none() {
            doubts.push(problem(
                None,
                format!(
                    "{}未读到日期，按在核查期间内处理：请对照原件核对（依据 T-4）",
                    e.place()
                ),
            ));
        }
    }
    report.doubts = doubts.iter().map(|p| p.message.clone()).collect();
    problems.extend(doubts);
    ParsedReport { report, problems }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{AdverseKind, Chapter, DateLabel};
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A valid USCC for the fixtures (check character computed).
    fn uscc() -> String {
        let body = "91440800MA4UJ4K37";
        let c = crate::domain::id_codes::uscc_check_char(body).unwrap();
        format!("{body}{c}")
    }

    fn clean_report(code: &str) -> String {
        format!(
            "法人和非法人组织公共信用信息报告\n\
             报告编号：2026050419025750859D39\n\
             报告生成日期：2026年05月04日\n\
             报告出具单位：国家公共信用和地理空间信息中心\n\
             机构名称：湛江市霞山区海港贸易有限公司\n\
             统一社会信用代码：{code}\n\
             法定代表人/负责人：张三\n\
             存续\n\
             信用信息概要\n\
             行政管理 1条 诚实守信 0条 严重失信主体名单 0条 经营异常 0条\n\
             信用承诺 0条 信用评价 0条 司法判决 0条 其他 0条\n\
             一、登记注册基础信息\n\
             机构名称：湛江市霞山区海港贸易有限公司\n\
             二、行政管理信息\n\
             行政许可信息\n\
             第 1 条\n\
             行政许可决定文书号：湛霞许字〔2024〕1号\n\
             许可决定日期：2024年03月01日\n\
             行政处罚信息\n\
             查询期内无相关信息\n\
             三、诚实守信相关荣誉信息\n查询期内无相关信息\n\
             四、严重失信主体名单信息\n查询期内无相关信息\n\
             五、经营（活动）异常名录\n查询期内无相关信息\n\
             六、信用承诺信息\n查询期内无相关信息\n\
             七、信用评价信息\n查询期内无相关信息\n\
             八、司法判决及执行信息\n查询期内无相关信息\n\
             九、其他信息\n查询期内无相关信息\n\
             十、信用状况提升建议\n一、建议主动作出信用承诺\n\
             报告说明\n一、本报告中的严重失信主体名单信息第1条仅为示例\n"
        )
    }

    #[test]
    fn clean_report_is_read_whole() {
        let code = uscc();
        let p = parse_report_text(&clean_report(&code));
        let r = &p.report;
        assert_eq!(r.report_no.as_deref(), Some("2026050419025750859D39"));
        assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
        assert!(!r.generated_time_known);
        assert_eq!(
            r.issuing_unit.as_deref(),
            Some("国家公共信用和地理空间信息中心")
        );
        assert_eq!(r.platform, Platform::CreditChina);
        assert_eq!(r.kind, Some(ReportKind::Organization));
        assert_eq!(
            r.subject_name.as_deref(),
            Some("湛江市霞山区海港贸易有限公司")
        );
        assert_eq!(r.subject_code.as_deref(), Some(code.as_str()));
        assert_eq!(r.legal_rep.as_deref(), Some("张三"));
        assert_eq!(r.status.as_deref(), Some("存续"));
        assert!(r.tags.is_empty());
        assert_eq!(r.summary.administrative, Some(1));
        assert_eq!(r.summary.other, Some(0));
        assert!(r.adverse.is_empty(), "{:?}", r.adverse);
        assert!(r.missing.is_empty(), "{:?}", r.missing);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(r.chapters.len(), 11, "{:?}", r.chapters);
        let admin = r
            .chapters
            .iter()
            .find(|c| c.chapter == Chapter::Administrative)
            .unwrap();
        assert_eq!((admin.entries, admin.marked_empty), (1, true));
    }

    #[test]
    fn adverse_entries_by_chapter_rule() {
        let text = "法人和非法人组织公共信用信息报告\n\
            二、行政管理信息\n\
            行政许可\n第1条\n行政许可决定文书号:X\n许可决定日期:2025-01-01\n\
            行政处罚\n第1条\n行政处罚决定书文号:湛霞市监罚〔2024〕12号\n处罚决定日期:2024年12月24日\n\
            三、诚实守信相关荣誉信息\n第1条 荣誉:纳税信用A级\n\
            四、严重失信主体名单信息\n第1条\n名单类型:重大税收违法失信主体\n列入日期:2023-06-30\n\
            五、经营(活动)异常名录\n第1条\n列入经营异常名录原因类型名称:未按规定报送年度报告\n列入日期:— —\n\
            八、司法判决及执行信息\n\
            (一)司法判决\n第1条\n案号:(2023)粤0802民初1号\n\
            (二)失信被执行人\n第1条\n立案时间:2022年5月6日\n发布时间:2023年1月9日\n\
            九、其他信息\n第1条 纳税信用A级纳税人\n第2条 拖欠农民工工资失信联合惩戒对象\n记录日期:2025/3/1\n\
            十、信用状况提升建议\n";
        let p = parse_report_text(text);
        let got: Vec<(AdverseKind, u32, Option<NaiveDate>)> = p
            .report
            .adverse
            .iter()
            .map(|e| (e.kind, e.index, e.date.map(|x| x.date)))
            .collect();
        assert_eq!(
            got,
            vec![
                (AdverseKind::AdministrativePenalty, 1, Some(d(2024, 12, 24))),
                (AdverseKind::SeriousDishonestyList, 1, Some(d(2023, 6, 30))),
                (AdverseKind::AbnormalOperation, 1, None),
                (AdverseKind::DishonestExecutee, 1, Some(d(2023, 1, 9))),
                (AdverseKind::OtherDishonesty, 2, Some(d(2025, 3, 1))),
            ]
        );
        let exec = &p.report.adverse[3];
        assert_eq!(exec.date.unwrap().label, DateLabel::Published);
        assert_eq!(exec.dates.len(), 2);
        assert!(p.report.adverse[0].title.contains("湛霞市监罚"));
        // The undated entry is named among the problems.
        assert!(
            p.problems.iter().any(|x| x
                .message
                .starts_with("“经营（活动）异常名录”第 1 条未读到日期")),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn labels_and_values_on_separate_lines_and_wrapped() {
        let code = uscc();
        let text = format!(
            "法人和非法人组织\n公共信用信息报告\n报告编号\n2026050419025750859D39\n报告生成日期\n2026-05-04 19:02:57\n\
             报告出具单位\n信用湛江\n机构名称:湛江市霞山区海港贸易有\n限公司\n统一社会\n信用代码:{code}\n\
             法定代表人/\n负责人:李四\n一、登记注册基础信息\n二、行政管理信息\n"
        );
        let p = parse_report_text(&text);
        let r = &p.report;
        assert_eq!(r.report_no.as_deref(), Some("2026050419025750859D39"));
        assert_eq!(
            r.generated_at,
            Some(d(2026, 5, 4).and_hms_opt(19, 2, 57).unwrap())
        );
        assert!(r.generated_time_known);
        assert_eq!(r.platform, Platform::CreditZhanjiang);
        assert_eq!(
            r.subject_name.as_deref(),
            Some("湛江市霞山区海港贸易有限公司")
        );
        assert_eq!(r.subject_code.as_deref(), Some(code.as_str()));
        assert_eq!(r.legal_rep.as_deref(), Some("李四"));
        assert!(
            !p.problems
                .iter()
                .any(|x| x.fact == Some(ReportFact::ReportNo)),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn spaced_words_and_half_width_colons() {
        let code = uscc();
        let text = format!(
            "法 人 和 非 法 人 组 织 公 共 信 用 信 息 报 告\n报 告 编 号 : 2026050419025750859D39\n\
             报 告 生 成 日 期 : 2026 年 5 月 4 日\n机 构 名 称 : 湛 江 市 赤 坎 区 示 例 厂\n\
             统 一 社 会 信 用 代 码 : {code}\n"
        );
        let r = parse_report_text(&text).report;
        assert_eq!(r.report_no.as_deref(), Some("2026050419025750859D39"));
        assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
        assert_eq!(r.subject_name.as_deref(), Some("湛江市赤坎区示例厂"));
        assert_eq!(r.subject_code.as_deref(), Some(code.as_str()));
    }

    #[test]
    fn values_in_a_row_under_labels_and_several_pairs_per_line() {
        let code = uscc();
        let text = format!(
            "法人和非法人组织公共信用信息报告\n报告编号 报告生成日期\n2026050419025750859D39 2026年05月04日\n\
             机构名称 湛江市示例有限公司 统一社会信用代码 {code}\n"
        );
        let r = parse_report_text(&text).report;
        assert_eq!(r.report_no.as_deref(), Some("2026050419025750859D39"));
        assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
        assert_eq!(r.subject_name.as_deref(), Some("湛江市示例有限公司"));
        assert_eq!(r.subject_code.as_deref(), Some(code.as_str()));
    }

    #[test]
    fn repeated_headers_footers_and_page_numbers_are_dropped() {
        let page = |n: usize, body: &str| {
            format!(
                "报告编号:2026050419025750859D39\n湛江市霞山区海港贸易有限公司\n{body}\n本报告仅供参考\n第 {n} 页 共 3 页\n"
            )
        };
        let text = [
            page(
                1,
                "法人和非法人组织公共信用信息报告\n机构名称:湛江市霞山区海港贸易有限公司",
            ),
            page(2, "四、严重失信主体名单信息\n第1条\n列入日期:2024-01-02"),
            page(
                3,
                "数据来源:国家税务总局\n五、经营(活动)异常名录\n查询期内无相关信息",
            ),
        ]
        .join("\u{c}");
        let lines = clean_lines(&text);
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("报告编号")).count(),
            1,
            "{lines:?}"
        );
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.contains("本报告仅供参考"))
                .count(),
            1,
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.contains("页")), "{lines:?}");
        let p = parse_report_text(&text);
        assert_eq!(
            p.report.report_no.as_deref(),
            Some("2026050419025750859D39")
        );
        assert_eq!(p.report.adverse.len(), 1);
        // The entry's text does not carry the next page's header.
        assert_eq!(
            p.report.adverse[0].raw,
            "列入日期:2024-01-02\n数据来源:国家税务总局"
        );
    }

    #[test]
    fn person_report() {
        let text = "个人公共信用信息报告\n报告编号:2026050419025750859D39\n报告生成日期:2026年05月04日\n\
            报告出具单位:信用广东\n姓名:王五\n证件类型:居民身份证\n证件号码:440802********1234\n\
            一、基础信息\n二、行政管理信息\n查询期内无相关信息\n";
        let p = parse_report_text(text);
        let r = &p.report;
        assert_eq!(r.kind, Some(ReportKind::Person));
        assert_eq!(r.platform, Platform::CreditGuangdong);
        assert_eq!(r.subject_name.as_deref(), Some("王五"));
        assert_eq!(r.subject_code.as_deref(), Some("440802********1234"));
        assert!(
            p.problems
                .iter()
                .any(|x| x.message.contains("严重失信主体名单信息") && x.message.contains("T-4"))
        );
    }

    #[test]
    fn missing_facts_and_summary_mismatch_are_problems() {
        let text = "法人和非法人组织公共信用信息报告\n信用信息概要\n严重失信主体名单 2条\n\
            四、严重失信主体名单信息\n第1条\n列入日期:2024-01-02\n";
        let p = parse_report_text(text);
        assert!(p.report.missing.contains(&ReportFact::ReportNo));
        assert!(
            p.problems
                .iter()
                .any(|x| x.fact == Some(ReportFact::ReportNo))
        );
        assert!(
            p.problems
                .iter()
                .any(|x| x.message.contains("为 2 条，正文读到 1 条")),
            "{:?}",
            p.problems
        );
        let empty = parse_report_text("");
        assert_eq!(empty.report.missing.len(), ReportFact::ALL.len());
        assert!(empty.problems.len() >= ReportFact::ALL.len());
    }

    #[test]
    fn a_dishonesty_tag_without_entries_is_a_problem() {
        let text = "法人和非法人组织公共信用信息报告\n机构名称:湛江市示例有限公司\n失信惩戒对象\n\
                    四、严重失信主体名单信息\n查询期内无相关信息\n";
        let p = parse_report_text(text);
        assert_eq!(p.report.tags, vec!["失信惩戒对象".to_string()]);
        assert_eq!(p.report.subject_name.as_deref(), Some("湛江市示例有限公司"));
        assert!(
            p.problems
                .iter()
                .any(|x| x.message.contains("失信惩戒对象"))
        );
    }

    #[test]
    fn report_number_mismatch_warns() {
        let text = "法人和非法人组织公共信用信息报告\n报告编号:2026050119025750859D39\n报告生成日期:2026年05月04日\n";
        let p = parse_report_text(text);
        assert!(
            p.problems
                .iter()
                .any(|x| x.fact == Some(ReportFact::ReportNo) && x.message.contains("不一致")),
            "{:?}",
            p.problems
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panic(
            s in "[第条一二三四五六七八九十、:：报告编号生成日期机构名称统一社会信用代码信息概要严重失信查询期内无相关 0-9年月日/—\\-\n\u{c}]{0,300}"
        ) {
            let p = parse_report_text(&s);
            proptest::prop_assert_eq!(p.report.found.len() + p.report.missing.len(), ReportFact::ALL.len());
        }
    }

    #[test]
    fn hostile_text_does_not_panic() {
        for s in [
            "第",
            "第99999999999条",
            "报告编号:",
            "报告生成日期:\n",
            "信用信息概要",
            "一、",
            "：：：",
            "\u{c}\u{c}\u{c}",
        ] {
            let _ = parse_report_text(s);
        }
        let long = "第1条 ".repeat(10_000) + &"九、其他信息\n".repeat(100);
        let p = parse_report_text(&long);
        assert!(p.report.chapters.len() <= 1);
    }
}
