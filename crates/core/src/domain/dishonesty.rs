//! Which power-supply records are dishonesty records (失信记录), and why (rules D-1..D-5).
//!
//! Pure: the caller passes a subject's records, its broken-commitment cases and `today`; the
//! result lists every finding with its rule, a Chinese reason that names the dates and amounts,
//! and the date the record became a dishonesty record (rule T-2 looks back three years from the
//! check date over these dates). Records that are not dishonesty records are listed too, with the
//! reason, so that a verdict can show its evidence both ways.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::records::ViolationRecord;
use super::records::{ArrearsRecord, Fen, Record, RecordKey, RecordKind, TheftRecord};

/// Proposed default for 数额较大 (rule D-1): 10,000 元. The seed gives no figure, so this is a
/// setting the lead stores; every explanation states the threshold actually used.
pub const DEFAULT_LARGE_ARREARS_THRESHOLD: Fen = Fen::from_yuan(10_000);

/// 经催告后超过六个月 (rule D-1).
pub const ARREARS_GRACE_MONTHS: u32 = 6;

/// The parameters of the dishonesty rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DishonestyParams {
    /// 数额较大: arrears of at least this amount can become a dishonesty record (rule D-1).
    pub large_arrears_threshold: Fen,
}

impl Default for DishonestyParams {
    fn default() -> Self {
        Self {
            large_arrears_threshold: DEFAULT_LARGE_ARREARS_THRESHOLD,
        }
    }
}

/// The rules of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RuleId {
    /// Arrears: no just cause, large amount, unpaid more than six months after a reminder.
    D1,
    /// Electricity theft.
    D2,
    /// Violation usage.
    D3,
    /// Broken credit commitment.
    D4,
    /// Withdrawal before connection: no record at all.
    D5,
}

impl RuleId {
    /// `D-1` … `D-5`, as cited in explanations ("依据 D-1").
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::D1 => "D-1",
            RuleId::D2 => "D-2",
            RuleId::D3 => "D-3",
            RuleId::D4 => "D-4",
            RuleId::D5 => "D-5",
        }
    }

    /// Short Chinese title of the rule.
    pub fn title(self) -> &'static str {
        match self {
            RuleId::D1 => "无正当理由欠缴电费，数额较大，经催告后超过六个月仍未缴纳",
            RuleId::D2 => "窃电",
            RuleId::D3 => "违约用电",
            RuleId::D4 => "违反信用承诺",
            RuleId::D5 => "接火送电前主动中止报装，不作为信用行为登记",
        }
    }

    /// Whether the rule is a power-side record of rule T-1(b) (欠费、窃电、违约用电).
    pub fn is_power_side(self) -> bool {
        matches!(self, RuleId::D1 | RuleId::D2 | RuleId::D3)
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding or clearance is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Source {
    /// A power-supply record, by kind and natural key (the store maps the key to its row).
    Record { kind: RecordKind, key: RecordKey },
    /// A credit commitment, by 承诺编码 (rule C-4).
    Commitment { code: String },
}

/// One dishonesty record (失信记录) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: RuleId,
    pub source: Source,
    /// Chinese reason with the dates and amounts, ending with the rule cited.
    pub reason: String,
    /// The day the record became a dishonesty record (rule T-2 counts from here).
    pub since: NaiveDate,
}

/// A record or commitment that is not (or not yet) a dishonesty record, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clearance {
    /// The rule that was applied, or `None` for records no rule makes dishonest (payments).
    pub rule: Option<RuleId>,
    pub source: Source,
    pub reason: String,
    /// When the record will become a dishonesty record if nothing changes (rule D-1: the day
    /// after reminder + six months while still unpaid).
    pub becomes_on: Option<NaiveDate>,
}

/// The outcome for one record or commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Dishonest(Finding),
    NotDishonest(Clearance),
}

/// All outcomes for a subject as of a date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    pub cleared: Vec<Clearance>,
    /// Dishonesty records that no longer count: repaired, withdrawn or past their maximum
    /// publication period (rules; filled by [`super::credit::apply`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifted: Vec<super::credit::Lifted>,
}

/// A withdrawn application (rule D-5): the subject could not obtain the property proof and
/// stopped its 用电报装 application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The day the application was withdrawn (主动中止用电报装).
    pub withdrawn_on: NaiveDate,
    /// 接火送电 date, `None` when supply was never connected.
    pub connected_on: Option<NaiveDate>,
    /// Whether the bureau's investment was wasted (the bureau's own finding).
    pub investment_wasted: bool,
}

impl Withdrawal {
    /// Rule D-5: withdrawn strictly before connection (or never connected) and no wasted
    /// investment → no credit record at all.
    pub fn exempts(&self) -> bool {
        !self.investment_wasted && self.connected_on.is_none_or(|c| self.withdrawn_on < c)
    }
}

/// A commitment case the bureau determined as broken (rule D-4), fed from commitment cases
/// (e.g. rule C-2: the property proof was not supplied within a year of connection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentBreach {
    /// 承诺编码 (rule C-4).
    pub commitment_code: String,
    /// 未履行的承诺内容, e.g. 未在接火送电后一年内补交物业权属证明.
    pub unfulfilled: String,
    /// 承诺履行状态认定日期: the day the breach was determined.
    pub determined_on: NaiveDate,
    /// Set when the subject withdrew its application (rule D-5).
    pub withdrawal: Option<Withdrawal>,
}

/// The last day arrears may still be paid without becoming a dishonesty record: the reminder
/// date plus six months (rule D-1; 31 August + 6 months is the last day of February). `None` only
/// for dates at the end of chrono's range.
pub fn arrears_last_day(reminded_on: NaiveDate) -> Option<NaiveDate> {
    reminded_on.checked_add_months(Months::new(ARREARS_GRACE_MONTHS))
}

fn record_source(r: &Record) -> Source {
    Source::Record {
        kind: r.kind(),
        key: r.key(),
    }
}

/// Assess one record as of `today`.
pub fn assess_record(record: &Record, today: NaiveDate, params: &DishonestyParams) -> Outcome {
    let source = record_source(record);
    match record {
        Record::Payment(_) => Outcome::NotDishonest(Clearance {
            rule: None,
            source,
            reason: "缴费记录，不构成失信记录".into(),
            becomes_on: None,
        }),
        Record::Arrears(a) => assess_arrears(a, source, today, params),
        Record::Theft(t) => assess_theft(t, source, today),
        Record::Violation(v) => assess_violation(v, source, today),
    }
}

fn assess_arrears(
    a: &ArrearsRecord,
    source: Source,
    today: NaiveDate,
    params: &DishonestyParams,
) -> Outcome {
    let threshold = params.large_arrears_threshold;
    let head = format!(
        "{} 至 {} 欠缴{} {}（数额较大标准：{}）",
        a.period_start, a.period_end, a.arrears_type, a.amount, threshold
    );
    let cite = "依据 D-1";
    // Every unmet condition is named, not only the first, so the clerk sees the whole picture.
    let mut unmet: Vec<String> = Vec::new();
    if let Some(cause) = &a.just_cause {
        unmet.push(format!("有正当理由：{cause}"));
    }
    if a.amount < threshold {
        unmet.push(format!(
            "欠费金额 {} 低于数额较大标准 {}",
            a.amount, threshold
        ));
    }
    let Some(reminded_on) = a.reminded_on else {
        unmet.push("尚未催告".into());
        return cleared_arrears(source, &head, &unmet, cite, None);
    };
    let Some(last_day) = arrears_last_day(reminded_on) else {
        unmet.push(format!("催告日期 {reminded_on} 无效"));
        return cleared_arrears(source, &head, &unmet, cite, None);
    };
    let since = last_day.succ_opt().unwrap_or(last_day);
    match a.paid_off_on {
        Some(paid) if paid <= last_day => {
            unmet.push(format!(
                "已于 {paid} 结清，未超过催告（{reminded_on}）后六个月的期限 {last_day}"
            ));
            return cleared_arrears(source, &head, &unmet, cite, None);
        }
        _ => {}
    }
    if today <= last_day {
        unmet.push(format!(
            "{reminded_on} 催告，六个月期限到 {last_day} 为止，尚未超过（今天 {today}）"
        ));
        let becomes_on = (a.just_cause.is_none() && a.amount >= threshold).then_some(since);
        return cleared_arrears(source, &head, &unmet, cite, becomes_on);
    }
    if !unmet.is_empty() {
        return cleared_arrears(source, &head, &unmet, cite, None);
    }
    let paid_note = match a.paid_off_on {
        Some(paid) => format!("，直到 {paid} 才结清（晚于期限，失信记录仍保留，可申请信用修复）"),
        None => "，至今仍未缴纳".into(),
    };
    Outcome::Dishonest(Finding {
        rule: RuleId::D1,
        source,
        reason: format!(
            "{head}：无正当理由，数额较大，{reminded_on} 催告后超过六个月（期限 {last_day}）仍未缴纳{paid_note}；自 {since} 起为失信记录。{cite}"
        ),
        since,
    })
}

fn cleared_arrears(
    source: Source,
    head: &str,
    unmet: &[String],
    cite: &str,
    becomes_on: Option<NaiveDate>,
) -> Outcome {
    let tail = match becomes_on {
        Some(d) => format!("；如仍未缴纳，将自 {d} 起成为失信记录"),
        None => String::new(),
    };
    Outcome::NotDishonest(Clearance {
        rule: Some(RuleId::D1),
        source,
        reason: format!(
            "{head}：不构成失信记录，因为{}{tail}。{cite}",
            unmet.join("；")
        ),
        becomes_on,
    })
}

fn assess_theft(t: &TheftRecord, source: Source, today: NaiveDate) -> Outcome {
    let facts = format!(
        "{} 发现窃电，补缴电费 {}，违约使用电费 {}，处理状态：{}",
        t.found_on,
        t.recovered_fees,
        t.penalty_fees,
        t.status.label()
    );
    if t.found_on > today {
        return Outcome::NotDishonest(Clearance {
            rule: Some(RuleId::D2),
            source,
            reason: format!("{facts}：发现日期晚于今天 {today}，请核对记录。依据 D-2"),
            becomes_on: Some(t.found_on),
        });
    }
    Outcome::Dishonest(Finding {
        rule: RuleId::D2,
        source,
        reason: format!("{facts}；窃电自 {} 起为失信记录。依据 D-2", t.found_on),
        since: t.found_on,
    })
}

fn assess_violation(v: &ViolationRecord, source: Source, today: NaiveDate) -> Outcome {
    let period = if v.period_text.is_empty() {
        String::new()
    } else {
        format!("（时间段 {}）", v.period_text)
    };
    let facts = format!(
        "用户编号 {} 于 {} 违约用电{period}，违约用电总金额 {}",
        v.account_no, v.occurred_on, v.total_amount
    );
    if v.occurred_on > today {
        return Outcome::NotDishonest(Clearance {
            rule: Some(RuleId::D3),
            source,
            reason: format!("{facts}：违约用电日期晚于今天 {today}，请核对记录。依据 D-3"),
            becomes_on: Some(v.occurred_on),
        });
    }
    Outcome::Dishonest(Finding {
        rule: RuleId::D3,
        source,
        reason: format!("{facts}；自 {} 起为失信记录。依据 D-3", v.occurred_on),
        since: v.occurred_on,
    })
}

/// Assess one broken-commitment case as of `today` (rules D-4 and D-5).
pub fn assess_breach(b: &CommitmentBreach, today: NaiveDate) -> Outcome {
    let source = Source::Commitment {
        code: b.commitment_code.clone(),
    };
    if let Some(w) = &b.withdrawal {
        let connected = match w.connected_on {
            Some(c) => format!("接火送电日期 {c}"),
            None => "未接火送电".into(),
        };
        if w.exempts() {
            return Outcome::NotDishonest(Clearance {
                rule: Some(RuleId::D5),
                source,
                reason: format!(
                    "承诺 {}：申请人于 {} 在接火送电前主动中止用电报装（{connected}），未造成投资浪费，不作为信用行为登记。依据 D-5",
                    b.commitment_code, w.withdrawn_on
                ),
                becomes_on: None,
            });
        }
        // Withdrawn too late or with wasted investment: D-5 does not apply, D-4 does (below).
    }
    if b.determined_on > today {
        return Outcome::NotDishonest(Clearance {
            rule: Some(RuleId::D4),
            source,
            reason: format!(
                "承诺 {}：违诺认定日期 {} 晚于今天 {today}，请核对。依据 D-4",
                b.commitment_code, b.determined_on
            ),
            becomes_on: Some(b.determined_on),
        });
    }
    let d5_note = match &b.withdrawal {
        Some(w) if w.investment_wasted => "（虽已中止报装，但造成了投资浪费，不适用 D-5）",
        Some(_) => "（中止报装时已接火送电，不适用 D-5）",
        None => "",
    };
    Outcome::Dishonest(Finding {
        rule: RuleId::D4,
        source,
        reason: format!(
            "承诺 {}：{}，{} 认定违反信用承诺{d5_note}；自 {} 起为失信记录。依据 D-4",
            b.commitment_code, b.unfulfilled, b.determined_on, b.determined_on
        ),
        since: b.determined_on,
    })
}

/// Assess all of a subject's records and commitment cases as of `today`. Findings are sorted by
/// the date they began, newest first.
pub fn assess(
    records: &[Record],
    breaches: &[CommitmentBreach],
    today: NaiveDate,
    params: &DishonestyParams,
) -> Assessment {
    let mut out = Assessment::default();
    let outcomes = records
        .iter()
        .map(|r| assess_record(r, today, params))
        .chain(breaches.iter().map(|b| assess_breach(b, today)));
    for o in outcomes {
        match o {
            Outcome::Dishonest(f) => out.findings.push(f),
            Outcome::NotDishonest(c) => out.cleared.push(c),
        }
    }
    out.findings.sort_by_key(|f| std::cmp::Reverse(f.since));
    out
}

/// The findings that became dishonesty records inside `[start, end]`, both days included (the
/// lookback window of rule T-2 is computed by the caller).
pub fn findings_in_window(findings: &[Finding], start: NaiveDate, end: NaiveDate) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| start <= f.since && f.since <= end)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_codes::{Uscc, uscc_check_char};
    use crate::domain::records::{SubjectRef, TheftStatus};
    use crate::domain::subject::SubjectCode;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn code() -> SubjectCode {
        let body = "91440800MA4UMB8E0";
        SubjectCode::Uscc {
            code: Uscc::parse(&format!("{body}{}", uscc_check_char(body).unwrap())).unwrap(),
        }
    }

    fn arrears(amount_yuan: i64, reminded: Option<NaiveDate>) -> ArrearsRecord {
        ArrearsRecord {
            subject: code(),
            subject_name: "湛江市海港贸易有限公司".into(),
            account_no: Some("0301234567".into()),
            arrears_type: "电费".into(),
            period_start: d(2023, 1, 1),
            period_end: d(2023, 6, 30),
            amount: Fen::from_yuan(amount_yuan),
            determined_by: None,
            determined_by_uscc: None,
            determined_on: None,
            reminded_on: reminded,
            just_cause: None,
            paid_off_on: None,
        }
    }

    fn params() -> DishonestyParams {
        DishonestyParams::default()
    }

    fn outcome(a: ArrearsRecord, today: NaiveDate) -> Outcome {
        assess_record(&Record::Arrears(a), today, &params())
    }

    #[test]
    fn d1_exactly_six_months_is_not_yet() {
        let a = arrears(20_000, Some(d(2023, 8, 15)));
        match outcome(a, d(2024, 2, 15)) {
            Outcome::NotDishonest(c) => {
                assert_eq!(c.rule, Some(RuleId::D1));
                assert_eq!(c.becomes_on, Some(d(2024, 2, 16)));
                assert!(
                    c.reason.contains("数额较大标准：10,000.00 元"),
                    "{}",
                    c.reason
                );
                assert!(c.reason.contains("2024-02-15"), "{}", c.reason);
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn d1_one_day_more_is_a_dishonesty_record() {
        let a = arrears(20_000, Some(d(2023, 8, 15)));
        match outcome(a, d(2024, 2, 16)) {
            Outcome::Dishonest(f) => {
                assert_eq!(f.rule, RuleId::D1);
                assert_eq!(f.since, d(2024, 2, 16));
                assert!(f.reason.contains("20,000.00 元"));
                assert!(f.reason.contains("数额较大标准：10,000.00 元"));
                assert!(f.reason.contains("2023-08-15 催告"));
                assert!(f.reason.contains("依据 D-1"));
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn d1_month_end_reminder_clamps_to_february() {
        // 2023-08-31 + 6 months = 2024-02-29 (leap year); the record starts 2024-03-01.
        assert_eq!(arrears_last_day(d(2023, 8, 31)), Some(d(2024, 2, 29)));
        let a = arrears(20_000, Some(d(2023, 8, 31)));
        assert!(matches!(
            outcome(a.clone(), d(2024, 2, 29)),
            Outcome::NotDishonest(_)
        ));
        match outcome(a, d(2024, 3, 1)) {
            Outcome::Dishonest(f) => assert_eq!(f.since, d(2024, 3, 1)),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn d1_just_cause_prevents_the_record() {
        let mut a = arrears(20_000, Some(d(2023, 1, 10)));
        a.just_cause = Some("计量装置故障，电量存在争议".into());
        match outcome(a, d(2025, 1, 1)) {
            Outcome::NotDishonest(c) => {
                assert!(
                    c.reason.contains("有正当理由：计量装置故障"),
                    "{}",
                    c.reason
                );
                assert_eq!(c.becomes_on, None);
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn d1_under_the_threshold_is_never_a_record() {
        let a = arrears(9_999, Some(d(2023, 1, 10)));
        match outcome(a.clone(), d(2025, 1, 1)) {
            Outcome::NotDishonest(c) => {
                assert!(
                    c.reason.contains("低于数额较大标准 10,000.00 元"),
                    "{}",
                    c.reason
                );
            }
            o => panic!("{o:?}"),
        }
        // Exactly the threshold counts as 数额较大.
        let a = arrears(10_000, Some(d(2023, 1, 10)));
        assert!(matches!(outcome(a, d(2025, 1, 1)), Outcome::Dishonest(_)));
        // A lower threshold setting changes the verdict and the explanation.
        let low = DishonestyParams {
            large_arrears_threshold: Fen::from_yuan(5_000),
        };
        match assess_record(
            &Record::Arrears(arrears(9_999, Some(d(2023, 1, 10)))),
            d(2025, 1, 1),
            &low,
        ) {
            Outcome::Dishonest(f) => assert!(f.reason.contains("数额较大标准：5,000.00 元")),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn d1_paid_on_or_before_the_last_day_never_becomes_a_record() {
        let mut a = arrears(20_000, Some(d(2023, 8, 15)));
        a.paid_off_on = Some(d(2024, 2, 15));
        match outcome(a.clone(), d(2026, 1, 1)) {
            Outcome::NotDishonest(c) => {
                assert!(c.reason.contains("已于 2024-02-15 结清"), "{}", c.reason)
            }
            o => panic!("{o:?}"),
        }
        // Paid one day late: the record stands from that day.
        a.paid_off_on = Some(d(2024, 2, 16));
        match outcome(a, d(2026, 1, 1)) {
            Outcome::Dishonest(f) => {
                assert_eq!(f.since, d(2024, 2, 16));
                assert!(f.reason.contains("直到 2024-02-16 才结清"));
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn d1_without_reminder_is_not_a_record_and_lists_every_reason() {
        let mut a = arrears(100, None);
        a.just_cause = Some("政府停产令".into());
        match outcome(a, d(2026, 1, 1)) {
            Outcome::NotDishonest(c) => {
                assert!(c.reason.contains("尚未催告"));
                assert!(c.reason.contains("有正当理由"));
                assert!(c.reason.contains("低于数额较大标准"));
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn d2_and_d3_are_records_from_their_date() {
        let t = Record::Theft(TheftRecord {
            subject: SubjectRef::Code { code: code() },
            subject_name: "甲".into(),
            account_no: None,
            found_on: d(2024, 3, 5),
            energy: None,
            recovered_fees: Fen::from_yuan(3_000),
            penalty_fees: Fen::from_yuan(9_000),
            status: TheftStatus::Settled,
            settled_on: Some(d(2024, 4, 1)),
        });
        let v = Record::Violation(ViolationRecord {
            account_no: "0301234567".into(),
            user_name: "甲".into(),
            occurred_on: d(2025, 6, 1),
            amount: None,
            energy: None,
            days: Some(3),
            total_amount: Fen::from_yuan(450),
            period_text: "2025-06-01至2025-06-03".into(),
        });
        let a = assess(&[t.clone(), v], &[], d(2026, 1, 1), &params());
        assert_eq!(a.findings.len(), 2);
        assert_eq!(a.findings[0].rule, RuleId::D3);
        assert_eq!(a.findings[0].since, d(2025, 6, 1));
        assert!(a.findings[0].reason.contains("450.00 元"));
        assert_eq!(a.findings[1].rule, RuleId::D2);
        assert_eq!(a.findings[1].since, d(2024, 3, 5));
        assert!(a.findings[1].reason.contains("违约使用电费 9,000.00 元"));
        assert_eq!(
            a.findings[1].source,
            Source::Record {
                kind: RecordKind::Theft,
                key: t.key()
            }
        );
        // A date after today is not counted yet.
        let early = assess(&[t], &[], d(2024, 3, 4), &params());
        assert!(early.findings.is_empty());
        assert_eq!(early.cleared[0].becomes_on, Some(d(2024, 3, 5)));
    }

    fn breach(withdrawal: Option<Withdrawal>) -> CommitmentBreach {
        CommitmentBreach {
            commitment_code: "44080020240105000001".into(),
            unfulfilled: "未在接火送电后一年内补交物业权属证明".into(),
            determined_on: d(2025, 2, 10),
            withdrawal,
        }
    }

    #[test]
    fn d4_broken_commitment_is_a_record() {
        match assess_breach(&breach(None), d(2026, 1, 1)) {
            Outcome::Dishonest(f) => {
                assert_eq!(f.rule, RuleId::D4);
                assert_eq!(f.since, d(2025, 2, 10));
                assert!(!f.rule.is_power_side());
                assert!(f.reason.contains("44080020240105000001"));
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn d5_withdrawal_before_connection_leaves_no_record() {
        let w = Withdrawal {
            withdrawn_on: d(2024, 3, 1),
            connected_on: None,
            investment_wasted: false,
        };
        assert!(w.exempts());
        let a = assess(&[], &[breach(Some(w))], d(2026, 1, 1), &params());
        assert!(a.findings.is_empty());
        assert_eq!(a.cleared[0].rule, Some(RuleId::D5));
        assert!(a.cleared[0].reason.contains("不作为信用行为登记"));
        // Withdrawn the day before a planned connection still counts as before connection.
        let w = Withdrawal {
            withdrawn_on: d(2024, 3, 1),
            connected_on: Some(d(2024, 3, 2)),
            investment_wasted: false,
        };
        assert!(w.exempts());
    }

    #[test]
    fn d5_does_not_apply_after_connection_or_with_wasted_investment() {
        let after = Withdrawal {
            withdrawn_on: d(2024, 3, 2),
            connected_on: Some(d(2024, 3, 2)),
            investment_wasted: false,
        };
        assert!(!after.exempts());
        match assess_breach(&breach(Some(after)), d(2026, 1, 1)) {
            Outcome::Dishonest(f) => assert!(f.reason.contains("不适用 D-5")),
            o => panic!("{o:?}"),
        }
        let wasted = Withdrawal {
            withdrawn_on: d(2024, 3, 1),
            connected_on: None,
            investment_wasted: true,
        };
        assert!(!wasted.exempts());
        assert!(matches!(
            assess_breach(&breach(Some(wasted)), d(2026, 1, 1)),
            Outcome::Dishonest(_)
        ));
    }

    #[test]
    fn window_keeps_both_ends() {
        let f = |since| Finding {
            rule: RuleId::D3,
            source: Source::Commitment { code: "x".into() },
            reason: String::new(),
            since,
        };
        let all = [
            f(d(2022, 12, 31)),
            f(d(2023, 1, 1)),
            f(d(2025, 6, 1)),
            f(d(2026, 1, 1)),
            f(d(2026, 1, 2)),
        ];
        let inside = findings_in_window(&all, d(2023, 1, 1), d(2026, 1, 1));
        let dates: Vec<_> = inside.iter().map(|f| f.since).collect();
        assert_eq!(dates, vec![d(2023, 1, 1), d(2025, 6, 1), d(2026, 1, 1)]);
    }

    #[test]
    fn payments_are_never_records() {
        let p = crate::domain::records::PaymentRecord {
            subject: code(),
            subject_name: "甲".into(),
            account_no: None,
            fee_type: "电费".into(),
            prepaid: None,
            period_start: d(2024, 1, 1),
            period_end: d(2024, 1, 31),
            usage: None,
            usage_unit: None,
            amount: Fen(100),
            agency_name: None,
            agency_uscc: None,
            paid_on: d(2024, 2, 1),
        };
        let a = assess(&[Record::Payment(p)], &[], d(2026, 1, 1), &params());
        assert!(a.findings.is_empty());
        assert_eq!(a.cleared[0].rule, None);
        assert_eq!(RuleId::D1.to_string(), "D-1");
    }
}
