//! Power-supply records (rule S-2): the bureau's own records from its marketing system or entered
//! at the counter, with the data items of annex 4 (湛江市公共信用信息资源目录) plus what the
//! dishonesty rules D-1..D-3 need (催告日期, 正当理由, 结清日期, 窃电 records).
//!
//! Money is held in fen ([`Fen`], `i64`), never in `f64`. Every record names its subject (USCC,
//! 证件类型 + 证件号码, or for 违约用电 the 用户编号) and, where given, the account (用户编号), and has a
//! natural key ([`Record::key`]) so that importing the same file twice never duplicates a record.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::id_codes::{IdDocument, Uscc, normalize};
use super::subject::SubjectCode;

/// Database key of a power-supply record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub i64);

/// An amount of money in fen (分, 1/100 元). Never negative once validated.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// The largest amount accepted anywhere: 一万亿元. Far above any electricity bill, and it keeps every
/// sum of amounts well inside `i64`.
pub const MAX_AMOUNT: Fen = Fen(100_000_000_000_000);

impl Fen {
    /// Whole yuan to fen (saturating: only used for constants and settings).
    pub const fn from_yuan(yuan: i64) -> Self {
        Self(yuan.saturating_mul(100))
    }

    /// Plain decimal yuan without separators or unit, e.g. `1234.50`: for export files.
    pub fn to_yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// `1,234.50 元`: how explanations and the window show an amount.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}{grouped}.{:02} 元", abs % 100)
    }
}

/// A quantity such as 使用量 or 违约用电量, in thousandths of its unit (three decimals are enough
/// for kWh readings and keep arithmetic exact).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Quantity(pub i64);

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let frac = abs % 1000;
        if frac == 0 {
            write!(f, "{sign}{}", abs / 1000)
        } else {
            let s = format!("{frac:03}");
            write!(f, "{sign}{}.{}", abs / 1000, s.trim_end_matches('0'))
        }
    }
}

/// Parse an amount of money as clerks and spreadsheets write it: `1234.5`, `1,234.50`,
/// `¥1234.5`, `１２３４．５` (full-width), `1234.50元`. Refuses negatives, more than two decimals
/// (unless the extra digits are zeros), wrong thousands grouping and absurd sizes. The message
/// names the value and the expected form.
pub fn parse_amount(s: &str) -> Result<Fen, String> {
    let t = s.trim();
    // The common case (plain digits, comma and point) needs no normalisation or allocation.
    if is_plain_number(t) {
        return parse_decimal(s, t, 2, "金额").map(Fen);
    }
    let t = strip_currency(&normalize(s));
    parse_decimal(s, &t, 2, "金额").map(Fen)
}

/// Parse a quantity (使用量, 违约用电量): like [`parse_amount`] without the currency sign, up to three
/// decimals.
pub fn parse_quantity(s: &str) -> Result<Quantity, String> {
    let t = s.trim();
    if is_plain_number(t) {
        return parse_decimal(s, t, 3, "数量").map(Quantity);
    }
    parse_decimal(s, &normalize(s), 3, "数量").map(Quantity)
}

fn is_plain_number(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
}

/// An amount that came as a number cell of a spreadsheet. Binary floating point cannot hold every
/// decimal exactly, so the value is rounded to the fen when it is within a thousandth of a fen of
/// one; anything with real sub-fen digits is refused.
pub fn amount_from_number(value: f64) -> Result<Fen, String> {
    number_to_scaled(value, 100, "金额").map(Fen)
}

/// A quantity that came as a number cell of a spreadsheet (see [`amount_from_number`]).
pub fn quantity_from_number(value: f64) -> Result<Quantity, String> {
    number_to_scaled(value, 1000, "数量").map(Quantity)
}

fn number_to_scaled(value: f64, scale: i64, what: &str) -> Result<i64, String> {
    if !value.is_finite() {
        return Err(format!("{what}不是有效的数字，请核对"));
    }
    if value < 0.0 {
        return Err(format!("{what}不能为负数（{value}），请核对"));
    }
    let scaled = value * scale as f64;
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 0.001 {
        let digits = if scale == 100 { "两" } else { "三" };
        return Err(format!("{what} {value} 超过{digits}位小数，请核对"));
    }
    // MAX_AMOUNT is far below 2^53, so the comparison and the cast are exact.
    if rounded > MAX_AMOUNT.0 as f64 {
        return Err(format!("{what} {value} 过大，请核对"));
    }
    Ok(rounded as i64)
}

fn strip_currency(t: &str) -> String {
    let t = t
        .trim_start_matches(['¥', '￥'])
        .trim_start_matches("RMB")
        .trim_end_matches("元");
    t.to_string()
}

/// The shared decimal parser: `t` is the normalised text, `original` what the clerk wrote.
fn parse_decimal(original: &str, t: &str, decimals: u32, what: &str) -> Result<i64, String> {
    let shown = original.trim();
    if t.is_empty() {
        return Err(format!("{what}不能为空，请填写"));
    }
    if t.starts_with(['-', '−', '(', '（']) {
        return Err(format!("{what}不能为负数：“{shown}”，请核对"));
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    let bad = || {
        format!(
            "{what}“{shown}”无法识别，请只填数字，如 1234.50（可带千分位逗号 1,234.50 或 ¥ 符号）"
        )
    };
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if frac_part.contains('.') {
        return Err(bad());
    }
    // Thousands separators: every group after the first has exactly three digits, so that a
    // European decimal comma (1,5) is not silently read as fifteen.
    if int_part.contains(',') {
        let mut groups = int_part.split(',');
        let first = groups.next().unwrap_or("");
        if first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3) {
            return Err(format!(
                "{what}“{shown}”的千分位逗号位置不对，请写成 1,234.50 或 1234.50"
            ));
        }
    }
    let int_digits = || int_part.bytes().filter(|b| *b != b',');
    if int_digits().next().is_none() && frac_part.is_empty() {
        return Err(bad());
    }
    if !int_digits().all(|b| b.is_ascii_digit()) || !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let significant_frac = frac_part.trim_end_matches('0');
    if significant_frac.len() > decimals as usize {
        let digits = if decimals == 2 { "两" } else { "三" };
        return Err(format!("{what}“{shown}”最多{digits}位小数，请核对"));
    }
    // At most 13 significant integer digits: far beyond any bill, and no overflow below.
    if int_digits().skip_while(|b| *b == b'0').count() > 13 {
        return Err(format!("{what}“{shown}”过大，请核对"));
    }
    let int_value: i64 = int_digits().fold(0, |acc, b| acc * 10 + i64::from(b - b'0'));
    let mut frac_value: i64 = 0;
    for i in 0..decimals as usize {
        let d = significant_frac
            .as_bytes()
            .get(i)
            .map_or(0, |b| i64::from(b - b'0'));
        frac_value = frac_value * 10 + d;
    }
    let scale = 10_i64.pow(decimals);
    let value = int_value
        .checked_mul(scale)
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(bad)?;
    let max = if decimals == 2 {
        MAX_AMOUNT.0
    } else {
        MAX_AMOUNT.0 * 10
    };
    if value > max {
        return Err(format!("{what}“{shown}”过大，请核对"));
    }
    Ok(value)
}

/// The kinds of power-supply record (rule S-2). The five annex-4 classes plus 窃电, which the
/// bureau records too (rule D-2). The 自然人 variants hold the same facts keyed by 证件类型 +
/// 证件号码 instead of 统一社会信用代码.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// 公用事业缴费信息.
    Payment,
    /// 拖欠公用事业费用信息.
    Arrears,
    /// 违约用电信息.
    ViolationUsage,
    /// 窃电信息 (not an annex-4 class; recorded for rule D-2).
    Theft,
    /// 公用事业缴费信息（自然人）.
    PersonPayment,
    /// 拖欠公用事业费用信息（自然人）.
    PersonArrears,
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Payment,
        RecordKind::Arrears,
        RecordKind::ViolationUsage,
        RecordKind::Theft,
        RecordKind::PersonPayment,
        RecordKind::PersonArrears,
    ];

    /// The annex-4 class name (信息类名称), used as the title of lists and of export files.
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Payment => "公用事业缴费信息",
            RecordKind::Arrears => "拖欠公用事业费用信息",
            RecordKind::ViolationUsage => "违约用电信息",
            RecordKind::Theft => "窃电信息",
            RecordKind::PersonPayment => "公用事业缴费信息（自然人）",
            RecordKind::PersonArrears => "拖欠公用事业费用信息（自然人）",
        }
    }

    /// The stable key stored in the database and used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            RecordKind::Payment => "payment",
            RecordKind::Arrears => "arrears",
            RecordKind::ViolationUsage => "violation_usage",
            RecordKind::Theft => "theft",
            RecordKind::PersonPayment => "person_payment",
            RecordKind::PersonArrears => "person_arrears",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Accepts the key, the label (full-width or half-width parentheses) or a short form.
    pub fn from_label_or_key(s: &str) -> Option<Self> {
        let s = s.trim().replace('(', "（").replace(')', "）");
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s || k.label() == s)
            .or(match s.as_str() {
                "缴费" | "缴费信息" => Some(RecordKind::Payment),
                "欠费" | "欠费信息" | "拖欠" => Some(RecordKind::Arrears),
                "违约用电" => Some(RecordKind::ViolationUsage),
                "窃电" | "窃电记录" => Some(RecordKind::Theft),
                "个人缴费" => Some(RecordKind::PersonPayment),
                "个人欠费" => Some(RecordKind::PersonArrears),
                _ => None,
            })
    }

    /// Kinds keyed by 证件类型 + 证件号码 (rule S-1).
    pub fn is_person_variant(self) -> bool {
        matches!(self, RecordKind::PersonPayment | RecordKind::PersonArrears)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Whom a record is about: a subject code (USCC or 证件类型 + 号码, rule S-1), or only a 用户编号
/// (违约用电信息 of annex 4 names the account, not the subject; the store resolves the account to
/// its subject).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SubjectRef {
    Code { code: SubjectCode },
    Account { account_no: String },
}

impl SubjectRef {
    /// `(type, value)`: `uscc`, a 证件类型 key, or `account`, then the normalised value.
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            SubjectRef::Code { code } => code.parts(),
            SubjectRef::Account { account_no } => ("account", account_no.as_str()),
        }
    }

    /// For lists and explanations: personal numbers masked (rule ID-3).
    pub fn display_masked(&self) -> String {
        match self {
            SubjectRef::Code { code } => format!("{} {}", code.type_label(), code.display_masked()),
            SubjectRef::Account { account_no } => format!("用户编号 {account_no}"),
        }
    }
}

/// 公用事业缴费信息, and its 自然人 variant when `subject` is a person (annex 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// 统一社会信用代码, or 证件类型 + 证件号码 for the 自然人 variant.
    pub subject: SubjectCode,
    /// 机构名称 (or 姓名).
    pub subject_name: String,
    /// 用户编号, when the file gives it (not an annex-4 item).
    pub account_no: Option<String>,
    /// 缴费类型名称, e.g. 电费.
    pub fee_type: String,
    /// 是否预缴费.
    pub prepaid: Option<bool>,
    /// 计量开始日.
    pub period_start: NaiveDate,
    /// 计量截止日.
    pub period_end: NaiveDate,
    /// 使用量.
    pub usage: Option<Quantity>,
    /// 使用单位, e.g. 千瓦时.
    pub usage_unit: Option<String>,
    /// 缴费金额.
    pub amount: Fen,
    /// 经办机关全称.
    pub agency_name: Option<String>,
    /// 经办机关统一社会信用代码.
    pub agency_uscc: Option<Uscc>,
    /// 缴纳日期.
    pub paid_on: NaiveDate,
}

/// 拖欠公用事业费用信息, and its 自然人 variant when `subject` is a person (annex 4), with the facts
/// rule D-1 needs: 催告日期, 正当理由 and 结清日期.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrearsRecord {
    /// 统一社会信用代码, or 证件类型 + 证件号码 for the 自然人 variant.
    pub subject: SubjectCode,
    /// 机构名称 (or 欠费人).
    pub subject_name: String,
    /// 用户编号, when given.
    pub account_no: Option<String>,
    /// 欠缴类型名称, e.g. 电费.
    pub arrears_type: String,
    /// 欠缴统计开始日 (自然人: 欠费开始日期).
    pub period_start: NaiveDate,
    /// 欠缴统计截止日 (自然人: 欠费统计截止日期).
    pub period_end: NaiveDate,
    /// 欠费金额.
    pub amount: Fen,
    /// 认定机构.
    pub determined_by: Option<String>,
    /// 认定机构统一社会信用代码 (not in the 自然人 variant).
    pub determined_by_uscc: Option<Uscc>,
    /// 认定日期 (not in the 自然人 variant of annex 4; accepted when given).
    pub determined_on: Option<NaiveDate>,
    /// 催告日期: the six months of rule D-1 run from here.
    pub reminded_on: Option<NaiveDate>,
    /// 正当理由: the text of the just cause, `None` when there is none (rule D-1).
    pub just_cause: Option<String>,
    /// 结清日期: the day the arrears were paid off, `None` while unpaid.
    pub paid_off_on: Option<NaiveDate>,
}

/// 违约用电信息 (annex 4): keyed by 用户编号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationRecord {
    /// 用户编号.
    pub account_no: String,
    /// 用户名称.
    pub user_name: String,
    /// 违约用电日期.
    pub occurred_on: NaiveDate,
    /// 违约用电金额.
    pub amount: Option<Fen>,
    /// 违约用电量.
    pub energy: Option<Quantity>,
    /// 违约用电天数.
    pub days: Option<u32>,
    /// 违约用电总金额.
    pub total_amount: Fen,
    /// 违约用电时间段, as written (e.g. `2024-01-01至2024-01-31`); empty when not given.
    pub period_text: String,
}

/// How far a theft case has got (rule D-2; repair route X-1 needs the fees paid in full).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TheftStatus {
    /// 处理中: found, fees not yet paid in full.
    Pending,
    /// 已结清: 电费 and 违约使用电费 paid in full.
    Settled,
    /// 已移送: handed over to the police or the courts.
    Referred,
}

impl TheftStatus {
    pub const ALL: [TheftStatus; 3] = [
        TheftStatus::Pending,
        TheftStatus::Settled,
        TheftStatus::Referred,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TheftStatus::Pending => "处理中",
            TheftStatus::Settled => "已结清",
            TheftStatus::Referred => "已移送",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            TheftStatus::Pending => "pending",
            TheftStatus::Settled => "settled",
            TheftStatus::Referred => "referred",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Accepts the key, the label or the words marketing systems use.
    pub fn from_label_or_key(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s || k.label() == s)
            .or(match s {
                "待处理" | "未结清" | "未缴清" | "查处中" => Some(TheftStatus::Pending),
                "已缴清" | "已处理" | "已补缴" | "结清" => Some(TheftStatus::Settled),
                "移送公安" | "已移送公安" | "已移送司法机关" | "移送司法" => {
                    Some(TheftStatus::Referred)
                }
                _ => None,
            })
    }
}

/// A 窃电 record (rule D-2): who, when found, the fees and 违约使用电费, and the case status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TheftRecord {
    /// USCC or 证件 when given, else the 用户编号.
    pub subject: SubjectRef,
    /// 用户名称.
    pub subject_name: String,
    /// 用户编号, when given.
    pub account_no: Option<String>,
    /// 窃电发现日期.
    pub found_on: NaiveDate,
    /// 窃电量.
    pub energy: Option<Quantity>,
    /// 补缴电费金额.
    pub recovered_fees: Fen,
    /// 违约使用电费金额.
    pub penalty_fees: Fen,
    /// 处理状态.
    pub status: TheftStatus,
    /// 结清日期 (fees and 违约使用电费 paid in full).
    pub settled_on: Option<NaiveDate>,
}

/// One power-supply record of any kind (rule S-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Payment(PaymentRecord),
    Arrears(ArrearsRecord),
    Violation(ViolationRecord),
    Theft(TheftRecord),
}

/// The natural key of a record: equal keys mean the same real-world record, so a re-import
/// updates instead of duplicating (the store keeps it in a UNIQUE column). It holds the subject's
/// code, so treat it like the code itself (rule ID-3: never log it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordKey(String);

impl RecordKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Builds a key from parts joined by `|`; free text is escaped so that parts cannot run together.
struct KeyBuilder(String);

impl KeyBuilder {
    fn new(kind: &str) -> Self {
        // Room for a payment's key without growing: one is built for every imported row.
        let mut key = String::with_capacity(128);
        key.push_str(kind);
        Self(key)
    }

    fn part(mut self, s: &str) -> Self {
        self.0.push('|');
        if !s.bytes().any(|b| b == b'|' || b == b'\\') {
            self.0.push_str(s);
            return self;
        }
        for c in s.chars() {
            if c == '|' || c == '\\' {
                self.0.push('\\');
            }
            self.0.push(c);
        }
        self
    }

    fn date(mut self, d: NaiveDate) -> Self {
        // `%Y-%m-%d` (digits and '-', nothing to escape). Four-digit years, all real ones, skip
        // the formatter: a key is built for every imported row, and formatting cost more than
        // the rest of the key. Other years keep `Display`'s form (sign, more digits).
        if (1000..=9999).contains(&d.year()) {
            let mut buf = [0u8; 10];
            self.0.push('|');
            self.0.push_str(crate::domain::text::iso_date(d, &mut buf));
        } else {
            use std::fmt::Write;
            let _ = write!(self.0, "|{d}");
        }
        self
    }

    fn number(mut self, n: i64) -> Self {
        // Digits and '-', nothing to escape.
        use std::fmt::Write;
        let _ = write!(self.0, "|{n}");
        self
    }

    fn code(self, c: &SubjectCode) -> Self {
        let (t, v) = c.parts();
        self.part(t).part(v)
    }

    fn subject(self, s: &SubjectRef) -> Self {
        let (t, v) = s.parts();
        self.part(t).part(v)
    }

    fn finish(self) -> RecordKey {
        RecordKey(self.0)
    }
}

fn code_ref(code: &SubjectCode) -> SubjectRef {
    SubjectRef::Code { code: code.clone() }
}

impl Record {
    /// The kind, with the 自然人 variants told apart by the subject.
    pub fn kind(&self) -> RecordKind {
        let person = |c: &SubjectCode| matches!(c, SubjectCode::Person { .. });
        match self {
            Record::Payment(p) if person(&p.subject) => RecordKind::PersonPayment,
            Record::Payment(_) => RecordKind::Payment,
            Record::Arrears(a) if person(&a.subject) => RecordKind::PersonArrears,
            Record::Arrears(_) => RecordKind::Arrears,
            Record::Violation(_) => RecordKind::ViolationUsage,
            Record::Theft(_) => RecordKind::Theft,
        }
    }

    /// [`Record::subject`]'s `(code type, code)` without a copy: `("account", 用户编号)` for a
    /// record that names its subject by account.
    pub fn subject_parts(&self) -> (&'static str, &str) {
        match self {
            Record::Payment(p) => p.subject.parts(),
            Record::Arrears(a) => a.subject.parts(),
            Record::Violation(v) => ("account", v.account_no.as_str()),
            Record::Theft(t) => t.subject.parts(),
        }
    }

    /// Whom the record is about.
    pub fn subject(&self) -> SubjectRef {
        match self {
            Record::Payment(p) => code_ref(&p.subject),
            Record::Arrears(a) => code_ref(&a.subject),
            Record::Violation(v) => SubjectRef::Account {
                account_no: v.account_no.clone(),
            },
            Record::Theft(t) => t.subject.clone(),
        }
    }

    /// 机构名称 / 姓名 / 欠费人 / 用户名称 as the record gives it.
    pub fn subject_name(&self) -> &str {
        match self {
            Record::Payment(p) => &p.subject_name,
            Record::Arrears(a) => &a.subject_name,
            Record::Violation(v) => &v.user_name,
            Record::Theft(t) => &t.subject_name,
        }
    }

    /// The 用户编号, when the record gives one.
    pub fn account_no(&self) -> Option<&str> {
        match self {
            Record::Payment(p) => p.account_no.as_deref(),
            Record::Arrears(a) => a.account_no.as_deref(),
            Record::Violation(v) => Some(&v.account_no),
            Record::Theft(t) => t.account_no.as_deref(),
        }
    }

    /// The date the record is about (缴纳日期, 欠缴统计开始日, 违约用电日期, 窃电发现日期): for sorting.
    pub fn date(&self) -> NaiveDate {
        match self {
            Record::Payment(p) => p.paid_on,
            Record::Arrears(a) => a.period_start,
            Record::Violation(v) => v.occurred_on,
            Record::Theft(t) => t.found_on,
        }
    }

    /// The natural key. What it holds, per kind, and why:
    ///
    /// - 缴费 (both variants): subject + 用户编号 + 缴费类型名称 + 计量开始日 + 计量截止日 + 缴纳日期 +
    ///   缴费金额. A payment never changes once made, so every identifying fact may be in the key;
    ///   two different payments with all of these equal are not told apart by the file either.
    /// - 欠费 (both variants): subject + 用户编号 + 欠缴类型名称 + 欠缴统计开始日 + 欠缴统计截止日. Not the
    ///   amount, 催告日期, 正当理由 or 结清日期: an arrears record evolves (reminded, adjusted, paid
    ///   off) and a later export must update the same record, not add a second one.
    /// - 违约用电: 用户编号 + 违约用电日期 + 违约用电时间段. Amounts may be corrected later.
    /// - 窃电: subject + 用户编号 + 窃电发现日期. Fees, status and 结清日期 change as the case goes on.
    pub fn key(&self) -> RecordKey {
        let account = self.account_no().unwrap_or("");
        match self {
            Record::Payment(p) => KeyBuilder::new(self.kind().key())
                .code(&p.subject)
                .part(account)
                .part(&p.fee_type)
                .date(p.period_start)
                .date(p.period_end)
                .date(p.paid_on)
                .number(p.amount.0)
                .finish(),
            Record::Arrears(a) => KeyBuilder::new(self.kind().key())
                .code(&a.subject)
                .part(account)
                .part(&a.arrears_type)
                .date(a.period_start)
                .date(a.period_end)
                .finish(),
            Record::Violation(v) => KeyBuilder::new(self.kind().key())
                .part(&v.account_no)
                .date(v.occurred_on)
                .part(&v.period_text)
                .finish(),
            Record::Theft(t) => KeyBuilder::new(self.kind().key())
                .subject(&t.subject)
                .part(account)
                .date(t.found_on)
                .finish(),
        }
    }

    /// A one-line Chinese summary for lists and evidence (personal numbers are not included).
    pub fn summary(&self) -> String {
        match self {
            Record::Payment(p) => format!(
                "{}：{} 至 {} 的{}，{} 缴纳 {}",
                self.kind().label(),
                p.period_start,
                p.period_end,
                p.fee_type,
                p.paid_on,
                p.amount
            ),
            Record::Arrears(a) => format!(
                "{}：{} 至 {} 欠缴{} {}",
                self.kind().label(),
                a.period_start,
                a.period_end,
                a.arrears_type,
                a.amount
            ),
            Record::Violation(v) => format!(
                "违约用电：用户编号 {}，{} 违约用电，总金额 {}",
                v.account_no, v.occurred_on, v.total_amount
            ),
            Record::Theft(t) => format!(
                "窃电：{} 发现，补缴电费 {}，违约使用电费 {}（{}）",
                t.found_on,
                t.recovered_fees,
                t.penalty_fees,
                t.status.label()
            ),
        }
    }
}

/// A subject code for a person from a validated document (helper for callers building records).
pub fn person_code(doc: IdDocument) -> SubjectCode {
    SubjectCode::Person { doc }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_codes::{IdDocKind, uscc_check_char};

    #[test]
    fn key_dates_are_written_as_before() {
        // Stored natural keys must not change form, or a re-import would duplicate records.
        for (y, m, d) in [
            (2024, 2, 29),
            (1, 1, 1),
            (999, 12, 31),
            (9999, 12, 31),
            (12345, 6, 7),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                KeyBuilder::new("k").date(date).finish().as_str(),
                format!("k|{}", date.format("%Y-%m-%d"))
            );
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn uscc() -> Uscc {
        let body = "91440800MA4UMB8E0";
        Uscc::parse(&format!("{body}{}", uscc_check_char(body).unwrap())).unwrap()
    }

    fn payment() -> PaymentRecord {
        PaymentRecord {
            subject: SubjectCode::Uscc { code: uscc() },
            subject_name: "湛江市海港贸易有限公司".into(),
            account_no: Some("0301234567".into()),
            fee_type: "电费".into(),
            prepaid: Some(false),
            period_start: d(2024, 1, 1),
            period_end: d(2024, 1, 31),
            usage: Some(Quantity(1_234_500)),
            usage_unit: Some("千瓦时".into()),
            amount: Fen(123_450),
            agency_name: None,
            agency_uscc: None,
            paid_on: d(2024, 2, 5),
        }
    }

    #[test]
    fn natural_keys_keep_their_stored_form() {
        // Stored keys (and their digests) must never change form: pinned as first shipped.
        let code = uscc();
        let mut p = payment();
        assert_eq!(
            Record::Payment(p.clone()).key().as_str(),
            format!("payment|uscc|{code}|0301234567|电费|2024-01-01|2024-01-31|2024-02-05|123450")
        );
        p.fee_type = "电费|附加\\费".into();
        p.amount = Fen(-5);
        p.account_no = None;
        assert_eq!(
            Record::Payment(p).key().as_str(),
            format!("payment|uscc|{code}||电费\\|附加\\\\费|2024-01-01|2024-01-31|2024-02-05|-5")
        );
    }

    #[test]
    fn amounts_in_every_written_form() {
        for s in [
            "1234.5",
            "1,234.50",
            "¥1234.5",
            "￥1,234.50",
            "１２３４．５",
            "1234.50元",
            " 1234.500 ",
            "+1234.5",
        ] {
            assert_eq!(parse_amount(s), Ok(Fen(123_450)), "{s}");
        }
        assert_eq!(parse_amount("0"), Ok(Fen(0)));
        assert_eq!(parse_amount(".5"), Ok(Fen(50)));
        assert_eq!(parse_amount("1,234,567"), Ok(Fen(123_456_700)));
    }

    #[test]
    fn amounts_refused_with_reasons() {
        assert!(parse_amount("-5").unwrap_err().contains("负数"));
        assert!(parse_amount("－5").unwrap_err().contains("负数"));
        assert!(parse_amount("(5)").unwrap_err().contains("负数"));
        assert!(parse_amount("1.234").unwrap_err().contains("两位小数"));
        assert!(parse_amount("1,5").unwrap_err().contains("千分位"));
        assert!(parse_amount("12,34.5").unwrap_err().contains("千分位"));
        assert!(parse_amount("abc").unwrap_err().contains("无法识别"));
        assert!(parse_amount("1.2.3").unwrap_err().contains("无法识别"));
        assert!(parse_amount("").unwrap_err().contains("不能为空"));
        assert!(
            parse_amount("99999999999999999999")
                .unwrap_err()
                .contains("过大")
        );
        assert!(parse_amount("1e5").is_err());
    }

    #[test]
    fn numbers_from_spreadsheets_round_to_the_fen() {
        assert_eq!(amount_from_number(1234.5), Ok(Fen(123_450)));
        assert_eq!(amount_from_number(0.1 + 0.2), Ok(Fen(30)));
        assert!(amount_from_number(1.234).is_err());
        assert!(amount_from_number(-1.0).unwrap_err().contains("负数"));
        assert!(amount_from_number(f64::NAN).is_err());
        assert!(amount_from_number(1e300).unwrap_err().contains("过大"));
        assert_eq!(quantity_from_number(12.345), Ok(Quantity(12_345)));
    }

    #[test]
    fn quantities_and_display() {
        assert_eq!(parse_quantity("1,234.5"), Ok(Quantity(1_234_500)));
        assert!(parse_quantity("1.2345").is_err());
        assert_eq!(Quantity(1_234_500).to_string(), "1234.5");
        assert_eq!(Quantity(7_000).to_string(), "7");
        assert_eq!(Fen(123_456_789).to_string(), "1,234,567.89 元");
        assert_eq!(Fen(5).to_string(), "0.05 元");
        assert_eq!(Fen(100_000).to_string(), "1,000.00 元");
        assert_eq!(Fen(123_450).to_yuan_string(), "1234.50");
        assert_eq!(Fen::from_yuan(10_000), Fen(1_000_000));
    }

    #[test]
    fn kinds_have_labels_and_stable_keys() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::from_key(k.key()), Some(k));
            assert_eq!(RecordKind::from_label_or_key(k.label()), Some(k));
        }
        assert_eq!(
            RecordKind::from_label_or_key("公用事业缴费信息(自然人)"),
            Some(RecordKind::PersonPayment)
        );
        assert_eq!(RecordKind::from_label_or_key("无此类"), None);
        for s in TheftStatus::ALL {
            assert_eq!(TheftStatus::from_key(s.key()), Some(s));
            assert_eq!(TheftStatus::from_label_or_key(s.label()), Some(s));
        }
        assert_eq!(
            TheftStatus::from_label_or_key("已缴清"),
            Some(TheftStatus::Settled)
        );
    }

    #[test]
    fn person_variants_follow_the_subject() {
        let mut p = payment();
        assert_eq!(Record::Payment(p.clone()).kind(), RecordKind::Payment);
        p.subject = person_code(
            IdDocument::parse(IdDocKind::HkMacaoPermit, "H12345678", d(2026, 1, 1)).unwrap(),
        );
        let r = Record::Payment(p);
        assert_eq!(r.kind(), RecordKind::PersonPayment);
        assert!(
            r.key()
                .as_str()
                .starts_with("person_payment|hk_macao_permit|H12345678|")
        );
    }

    #[test]
    fn payment_key_is_stable_and_distinguishes_payments() {
        let a = Record::Payment(payment());
        assert_eq!(a.key(), Record::Payment(payment()).key());
        let mut other = payment();
        other.amount = Fen(1);
        assert_ne!(a.key(), Record::Payment(other).key());
        let mut other = payment();
        other.paid_on = d(2024, 2, 6);
        assert_ne!(a.key(), Record::Payment(other).key());
        // Fields outside the key do not change it.
        let mut same = payment();
        same.usage = None;
        same.agency_name = Some("湛江供电局".into());
        assert_eq!(a.key(), Record::Payment(same).key());
    }

    #[test]
    fn arrears_key_ignores_what_evolves() {
        let base = ArrearsRecord {
            subject: SubjectCode::Uscc { code: uscc() },
            subject_name: "甲".into(),
            account_no: None,
            arrears_type: "电费".into(),
            period_start: d(2024, 1, 1),
            period_end: d(2024, 3, 31),
            amount: Fen(2_000_000),
            determined_by: None,
            determined_by_uscc: None,
            determined_on: None,
            reminded_on: None,
            just_cause: None,
            paid_off_on: None,
        };
        let mut later = base.clone();
        later.reminded_on = Some(d(2024, 4, 10));
        later.paid_off_on = Some(d(2024, 12, 1));
        later.amount = Fen(2_100_000);
        assert_eq!(
            Record::Arrears(base.clone()).key(),
            Record::Arrears(later).key()
        );
        let mut other_type = base.clone();
        other_type.arrears_type = "违约金".into();
        assert_ne!(
            Record::Arrears(base).key(),
            Record::Arrears(other_type).key()
        );
    }

    #[test]
    fn key_parts_cannot_run_together() {
        let v = |no: &str, period: &str| {
            Record::Violation(ViolationRecord {
                account_no: no.into(),
                user_name: "乙".into(),
                occurred_on: d(2024, 5, 1),
                amount: None,
                energy: None,
                days: None,
                total_amount: Fen(100),
                period_text: period.into(),
            })
            .key()
        };
        assert_ne!(v("A", "x|y"), v("A", "x\\|y"));
        assert!(v("A", "x|y").as_str().ends_with("x\\|y"));
    }

    #[test]
    fn summary_and_masked_subject() {
        let r = Record::Payment(payment());
        assert!(r.summary().contains("1,234.50 元"));
        let doc =
            IdDocument::parse(IdDocKind::ResidentId, "11010519491231002X", d(2026, 1, 1)).unwrap();
        let s = SubjectRef::Code {
            code: person_code(doc),
        };
        assert_eq!(s.display_masked(), "居民身份证 110105********002X");
        assert_eq!(r.date(), d(2024, 2, 5));
        assert_eq!(r.account_no(), Some("0301234567"));
    }
}
