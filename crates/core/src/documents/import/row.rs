//! One row → one typed record, or every problem of the row at once (rules S-2, ID-1, ID-2).

use std::borrow::Cow;

use chrono::{Datelike, Days, NaiveDate};

use crate::domain::id_codes::{IdDocKind, IdDocument, ResidentId, Uscc, mask_id_number, normalize};
use crate::domain::records::{
    ArrearsRecord, Fen, PaymentRecord, Quantity, Record, RecordKind, SubjectRef, TheftRecord,
    TheftStatus, ViolationRecord, amount_from_number, parse_amount, parse_quantity,
    quantity_from_number,
};
use crate::domain::subject::{MAX_ACCOUNT_NO, MAX_NAME, MAX_PERSON_NAME, SubjectCode};
use crate::domain::text::{parse_date, require_text};

use super::columns::{Col, ColumnMap};
use super::{CellProblem, RowNote};

/// One cell as the file gives it: CSV cells are always text; spreadsheet cells carry a type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A formula error such as `#DIV/0!`.
    Error(&'static str),
}

impl Cell<'_> {
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, for error messages and the rejected-rows file.
    pub(crate) fn raw(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => (*s).to_string(),
            Cell::Number(f) => number_text(*f),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => (*e).to_string(),
        }
    }
}

/// A number as Excel shows it in a general cell: integers without `.0`.
pub(crate) fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Longest free texts.
const MAX_TYPE_NAME: usize = 30;
const MAX_UNIT: usize = 20;
const MAX_PERIOD_TEXT: usize = 100;
const MAX_JUST_CAUSE: usize = 200;

/// Words a clerk writes in 正当理由 to say there is none.
const NO_JUST_CAUSE: [&str; 9] = ["无", "否", "没有", "/", "-", "—", "无正当理由", "N", "NO"];

/// The default 缴费类型名称 / 欠缴类型名称 when the column is absent or empty.
pub(crate) const DEFAULT_FEE_TYPE: &str = "电费";

/// The first serial day Excel shows as 1900-03-01; serial 60 is Excel's fictitious 1900-02-29.
const EXCEL_SERIAL_LEAP_BUG: i64 = 60;

/// Excel serial day number (1900 date system) → date. Serial 60 does not exist.
pub(crate) fn excel_serial_date(serial: f64) -> Result<NaiveDate, String> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(format!(
            "“{}”不是有效的 Excel 日期序号",
            number_text(serial)
        ));
    }
    let days = serial.floor() as i64;
    if days == EXCEL_SERIAL_LEAP_BUG {
        return Err("Excel 日期序号 60 是不存在的 1900-02-29，请核对".into());
    }
    let (base, offset) = if days < EXCEL_SERIAL_LEAP_BUG {
        (NaiveDate::from_ymd_opt(1899, 12, 31), days)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 30), days)
    };
    let date = base
        .and_then(|b| b.checked_add_days(Days::new(offset.unsigned_abs())))
        .ok_or_else(|| format!("“{}”不是有效的 Excel 日期序号", number_text(serial)))?;
    if date.year() > 2200 {
        return Err(format!(
            "“{}”按 Excel 日期序号是 {date}，不是合理的日期，请核对",
            number_text(serial)
        ));
    }
    Ok(date)
}

/// A date written as text: the forms of [`parse_date`], a trailing time of day
/// (`2024-02-29 10:30:00`), or an Excel serial day number (`45351`) that a CSV export left behind.
pub(crate) fn date_from_text(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    // Fast path for the form exports use (YYYY-MM-DD); anything else, and any impossible date
    // (for its message), goes through the general parser.
    if let &[y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = t.as_bytes() {
        let digits = [y1, y2, y3, y4, m1, m2, d1, d2];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |ds: &[u8]| ds.iter().fold(0u32, |a, b| a * 10 + u32::from(b - b'0'));
            let year = n(&[y1, y2, y3, y4]) as i32;
            if (1800..=2200).contains(&year)
                && let Some(d) = NaiveDate::from_ymd_opt(year, n(&[m1, m2]), n(&[d1, d2]))
            {
                return Ok(d);
            }
        }
    }
    let t = match t.find([' ', 'T']) {
        Some(i) if t.get(i + 1..).is_some_and(|rest| rest.contains(':')) => t.get(..i).unwrap_or(t),
        _ => t,
    };
    let n = normalize(t);
    let (int_part, frac) = n.split_once('.').unwrap_or((n.as_str(), ""));
    let serial_like = (1..=6).contains(&int_part.len())
        && int_part.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if serial_like && let Ok(v) = n.parse::<f64>() {
        return excel_serial_date(v);
    }
    parse_date(t)
}

/// Validates one row, collecting every problem.
pub(crate) struct RowCtx<'a, 'c> {
    pub(crate) cells: &'a [Cell<'c>],
    pub(crate) map: &'a ColumnMap,
    pub(crate) today: NaiveDate,
    pub(crate) problems: Vec<CellProblem>,
    pub(crate) notes: Vec<RowNote>,
}

impl<'a, 'c> RowCtx<'a, 'c> {
    pub(crate) fn new(cells: &'a [Cell<'c>], map: &'a ColumnMap, today: NaiveDate) -> Self {
        Self {
            cells,
            map,
            today,
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn cell(&self, col: Col) -> Cell<'c> {
        self.map
            .position(col)
            .and_then(|p| self.cells.get(p).copied())
            .unwrap_or(Cell::Empty)
    }

    fn problem(&mut self, col: Col, value: String, reason: impl Into<String>) {
        self.problems.push(CellProblem::quoting(
            self.map.name(col).to_string(),
            &value,
            reason.into(),
        ));
    }

    fn missing(&mut self, col: Col) {
        self.problem(col, String::new(), "不能为空，请填写");
    }

    /// Text of a cell; `None` when blank.
    fn text(&mut self, col: Col) -> Option<Cow<'c, str>> {
        match self.cell(col) {
            Cell::Empty => None,
            Cell::Text(s) if s.trim().is_empty() => None,
            Cell::Text(s) => {
                if s.contains('\u{fffd}') {
                    self.problem(
                        col,
                        s.to_string(),
                        "含有无法识别的字符：文件编码可能有误，请另存为“CSV UTF-8（逗号分隔）”后重新导入",
                    );
                    return None;
                }
                Some(Cow::Borrowed(s))
            }
            Cell::Error(e) => {
                self.problem(
                    col,
                    e.to_string(),
                    "单元格是公式错误值，请在 Excel 中修正公式",
                );
                None
            }
            other => Some(Cow::Owned(other.raw())),
        }
    }

    fn req_text(&mut self, col: Col, max: usize) -> Option<String> {
        match self.text(col) {
            Some(t) => self.check_text(col, t, max),
            None => {
                if !self.has_problem(col) {
                    self.missing(col);
                }
                None
            }
        }
    }

    fn opt_text(&mut self, col: Col, max: usize) -> Option<String> {
        let t = self.text(col)?;
        self.check_text(col, t, max)
    }

    fn check_text(&mut self, col: Col, t: Cow<'c, str>, max: usize) -> Option<String> {
        match require_text(&t, max) {
            Ok(v) => Some(v),
            Err(m) => {
                self.problem(col, t.into_owned(), m);
                None
            }
        }
    }

    fn has_problem(&self, col: Col) -> bool {
        let name = self.map.name(col);
        self.problems.iter().any(|p| p.column == name)
    }

    fn date_of(&mut self, col: Col, not_after_today: bool) -> Option<NaiveDate> {
        let parsed = match self.cell(col) {
            Cell::Date(d) => Ok(d),
            Cell::Number(f) => excel_serial_date(f),
            Cell::Bool(_) => Err("不是日期，请按 2024-02-29 的格式填写".to_string()),
            Cell::Empty => return None,
            Cell::Text(s) if s.trim().is_empty() => return None,
            Cell::Text(s) => date_from_text(s),
            Cell::Error(e) => {
                self.problem(
                    col,
                    e.to_string(),
                    "单元格是公式错误值，请在 Excel 中修正公式",
                );
                return None;
            }
        };
        match parsed {
            Ok(d) if not_after_today && d > self.today => {
                let today = self.today;
                self.problem(
                    col,
                    self.cell(col).raw(),
                    format!("{} {d} 晚于今天（{today}），请核对", self.map.name(col)),
                );
                None
            }
            Ok(d) => Some(d),
            Err(m) => {
                self.problem(col, self.cell(col).raw(), m);
                None
            }
        }
    }

    fn req_date(&mut self, col: Col, not_after_today: bool) -> Option<NaiveDate> {
        if self.cell(col).is_blank() {
            self.missing(col);
            return None;
        }
        self.date_of(col, not_after_today)
    }

    fn opt_date(&mut self, col: Col, not_after_today: bool) -> Option<NaiveDate> {
        self.date_of(col, not_after_today)
    }

    fn amount_of(&mut self, col: Col) -> Option<Fen> {
        let parsed = match self.cell(col) {
            Cell::Number(f) => amount_from_number(f),
            Cell::Text(s) if !s.trim().is_empty() => parse_amount(s),
            Cell::Empty | Cell::Text(_) => return None,
            Cell::Error(e) => {
                self.problem(
                    col,
                    e.to_string(),
                    "单元格是公式错误值，请在 Excel 中修正公式",
                );
                return None;
            }
            Cell::Date(_) | Cell::Bool(_) => Err("不是金额，请填写数字，如 1234.50".to_string()),
        };
        parsed
            .map_err(|m| self.problem(col, self.cell(col).raw(), m))
            .ok()
    }

    fn req_amount(&mut self, col: Col) -> Option<Fen> {
        if self.cell(col).is_blank() {
            self.missing(col);
            return None;
        }
        self.amount_of(col)
    }

    fn opt_quantity(&mut self, col: Col) -> Option<Quantity> {
        let parsed = match self.cell(col) {
            Cell::Number(f) => quantity_from_number(f),
            Cell::Text(s) if !s.trim().is_empty() => parse_quantity(s),
            Cell::Empty | Cell::Text(_) => return None,
            Cell::Error(e) => {
                self.problem(
                    col,
                    e.to_string(),
                    "单元格是公式错误值，请在 Excel 中修正公式",
                );
                return None;
            }
            Cell::Date(_) | Cell::Bool(_) => Err("不是数量，请填写数字".to_string()),
        };
        parsed
            .map_err(|m| self.problem(col, self.cell(col).raw(), m))
            .ok()
    }

    fn opt_days(&mut self, col: Col) -> Option<u32> {
        let raw = self.cell(col).raw();
        let value = match self.cell(col) {
            Cell::Number(f) if f.fract() == 0.0 && (0.0..=36_600.0).contains(&f) => Some(f as u32),
            Cell::Text(s) if !s.trim().is_empty() => normalize(s)
                .trim_end_matches('天')
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= 36_600),
            Cell::Empty | Cell::Text(_) => return None,
            _ => None,
        };
        if value.is_none() {
            self.problem(col, raw, "天数应为不小于 0 的整数，如 15");
        }
        value
    }

    fn opt_bool(&mut self, col: Col) -> Option<bool> {
        match self.cell(col) {
            Cell::Bool(b) => Some(b),
            Cell::Number(f) if f == 0.0 || f == 1.0 => Some(f == 1.0),
            Cell::Text(s) if !s.trim().is_empty() => match normalize(s).as_str() {
                "是" | "Y" | "YES" | "1" | "TRUE" | "预缴" | "预缴费" => Some(true),
                "否" | "N" | "NO" | "0" | "FALSE" | "非预缴" | "不是" => Some(false),
                _ => {
                    self.problem(col, s.to_string(), "请填写“是”或“否”");
                    None
                }
            },
            Cell::Empty | Cell::Text(_) => None,
            other => {
                self.problem(col, other.raw(), "请填写“是”或“否”");
                None
            }
        }
    }

    /// A 统一社会信用代码 (rule ID-1). A number cell gets a hint: Excel keeps only 15 significant
    /// digits, so a long code typed into a number cell has lost its last digits.
    fn uscc_of(&mut self, col: Col, required: bool) -> Option<Uscc> {
        let cell = self.cell(col);
        let Some(t) = self.text(col) else {
            if required && !self.has_problem(col) {
                self.missing(col);
            }
            return None;
        };
        match Uscc::parse(&t) {
            Ok(u) => Some(u),
            Err(e) => {
                let hint = number_cell_hint(&cell);
                self.problem(col, t.into_owned(), format!("{e}{hint}"));
                None
            }
        }
    }

    fn account_of(&mut self, col: Col, required: bool) -> Option<String> {
        let Some(t) = self.text(col) else {
            if required && !self.has_problem(col) {
                self.missing(col);
            }
            return None;
        };
        // Account numbers are nearly always plain digits: nothing to normalise.
        let no = if t
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            t.to_string()
        } else {
            normalize(&t)
        };
        if no.chars().count() > MAX_ACCOUNT_NO || !no.chars().all(|c| c.is_ascii_alphanumeric()) {
            self.problem(
                col,
                t.into_owned(),
                format!("用户编号只能由字母和数字组成，最多 {MAX_ACCOUNT_NO} 位"),
            );
            return None;
        }
        Some(no)
    }

    /// 证件类型 + 证件号码 (rule ID-2). A 15-digit first-generation 居民身份证 number is converted to
    /// 18 digits and the row flagged (bulk import only). Values of the 证件号码 column are masked in
    /// messages (rule ID-3).
    fn person_doc(&mut self, kind_required: bool) -> Option<IdDocument> {
        let kind_text = self.text(Col::IdType);
        let kind = match kind_text {
            Some(t) => match IdDocKind::from_label_or_key(&t) {
                Some(k) => Some(k),
                None => {
                    self.problem(
                        Col::IdType,
                        t.into_owned(),
                        "证件类型无法识别：请填写 居民身份证、护照、港澳居民来往内地通行证、台湾居民来往大陆通行证、外国人永久居留身份证 或 其他",
                    );
                    return None;
                }
            },
            None if kind_required => {
                if !self.has_problem(Col::IdType) {
                    self.missing(Col::IdType);
                }
                None
            }
            // Theft records may give only the number: a 居民身份证 is the usual case.
            None => Some(IdDocKind::ResidentId),
        };
        let cell = self.cell(Col::IdNumber);
        let Some(number) = self.text(Col::IdNumber) else {
            if !self.has_problem(Col::IdNumber) {
                self.missing(Col::IdNumber);
            }
            return None;
        };
        let kind = kind?;
        let n = normalize(&number);
        if kind == IdDocKind::ResidentId && n.len() == 15 && n.bytes().all(|b| b.is_ascii_digit()) {
            return match ResidentId::upgrade_first_generation(&n, self.today) {
                Ok(id) => {
                    self.notes.push(RowNote::FirstGenerationIdUpgraded {
                        column: self.map.name(Col::IdNumber).to_string(),
                    });
                    IdDocument::parse(kind, id.as_str(), self.today)
                        .map_err(|e| self.problem(Col::IdNumber, mask_id_number(&n), e.to_string()))
                        .ok()
                }
                Err(e) => {
                    self.problem(Col::IdNumber, mask_id_number(&n), e.to_string());
                    None
                }
            };
        }
        match IdDocument::parse(kind, &number, self.today) {
            Ok(doc) => Some(doc),
            Err(e) => {
                let hint = number_cell_hint(&cell);
                self.problem(Col::IdNumber, mask_id_number(&n), format!("{e}{hint}"));
                None
            }
        }
    }

    fn just_cause(&mut self) -> Option<String> {
        let t = self.text(Col::JustCause)?;
        if NO_JUST_CAUSE.contains(&normalize(&t).as_str()) {
            return None;
        }
        self.check_text(Col::JustCause, t, MAX_JUST_CAUSE)
    }

    fn type_name(&mut self, col: Col) -> String {
        self.opt_text(col, MAX_TYPE_NAME)
            .unwrap_or_else(|| DEFAULT_FEE_TYPE.to_string())
    }

    fn check_order(&mut self, start: Option<NaiveDate>, end_col: Col, end: Option<NaiveDate>) {
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            let name = self.map.name(end_col).to_string();
            self.problem(
                end_col,
                e.to_string(),
                format!("{name} {e} 早于开始日 {s}，请核对"),
            );
        }
    }
}

fn number_cell_hint(cell: &Cell<'_>) -> &'static str {
    if matches!(cell, Cell::Number(_)) {
        "（该单元格是数字格式，Excel 只保留 15 位有效数字，末几位可能已丢失：请把该列设为“文本”后重新填写）"
    } else {
        ""
    }
}

/// Validate a row of `kind`. Returns the record, or `None` with `ctx.problems` filled.
pub(crate) fn build(ctx: &mut RowCtx<'_, '_>, kind: RecordKind) -> Option<Record> {
    let record = match kind {
        RecordKind::Payment | RecordKind::PersonPayment => payment(ctx, kind),
        RecordKind::Arrears | RecordKind::PersonArrears => arrears(ctx, kind),
        RecordKind::ViolationUsage => violation(ctx),
        RecordKind::Theft => theft(ctx),
    };
    if ctx.problems.is_empty() {
        record
    } else {
        None
    }
}

fn subject_of(ctx: &mut RowCtx<'_, '_>, kind: RecordKind) -> (Option<SubjectCode>, Option<String>) {
    if kind.is_person_variant() {
        let name_col = if kind == RecordKind::PersonArrears {
            Col::Debtor
        } else {
            Col::PersonName
        };
        let name = ctx.req_text(name_col, MAX_PERSON_NAME);
        let doc = ctx.person_doc(true);
        (doc.map(|doc| SubjectCode::Person { doc }), name)
    } else {
        let name = ctx.req_text(Col::OrgName, MAX_NAME);
        let code = ctx.uscc_of(Col::Uscc, true);
        (code.map(|code| SubjectCode::Uscc { code }), name)
    }
}

fn payment(ctx: &mut RowCtx<'_, '_>, kind: RecordKind) -> Option<Record> {
    let (subject, subject_name) = subject_of(ctx, kind);
    let account_no = ctx.account_of(Col::AccountNo, false);
    let fee_type = ctx.type_name(Col::FeeType);
    let prepaid = ctx.opt_bool(Col::Prepaid);
    // A prepaid period may lie in the future, so period dates are not checked against today.
    let period_start = ctx.req_date(Col::MeterStart, false);
    let period_end = ctx.req_date(Col::MeterEnd, false);
    ctx.check_order(period_start, Col::MeterEnd, period_end);
    let usage = ctx.opt_quantity(Col::Usage);
    let usage_unit = ctx.opt_text(Col::UsageUnit, MAX_UNIT);
    let amount = ctx.req_amount(Col::PaidAmount);
    let agency_name = ctx.opt_text(Col::AgencyName, MAX_NAME);
    let agency_uscc = ctx.uscc_of(Col::AgencyUscc, false);
    let paid_on = ctx.req_date(Col::PaidOn, true);
    Some(Record::Payment(PaymentRecord {
        subject: subject?,
        subject_name: subject_name?,
        account_no,
        fee_type,
        prepaid,
        period_start: period_start?,
        period_end: period_end?,
        usage,
        usage_unit,
        amount: amount?,
        agency_name,
        agency_uscc,
        paid_on: paid_on?,
    }))
}

fn arrears(ctx: &mut RowCtx<'_, '_>, kind: RecordKind) -> Option<Record> {
    let (subject, subject_name) = subject_of(ctx, kind);
    let account_no = ctx.account_of(Col::AccountNo, false);
    let arrears_type = ctx.type_name(Col::ArrearsType);
    let (start_col, end_col) = if kind == RecordKind::PersonArrears {
        (Col::PersonArrearsStart, Col::PersonArrearsEnd)
    } else {
        (Col::ArrearsStart, Col::ArrearsEnd)
    };
    let period_start = ctx.req_date(start_col, true);
    let period_end = ctx.req_date(end_col, false);
    ctx.check_order(period_start, end_col, period_end);
    let amount = ctx.req_amount(Col::ArrearsAmount);
    let determined_by = ctx.opt_text(Col::DeterminedBy, MAX_NAME);
    let determined_by_uscc = ctx.uscc_of(Col::DeterminedByUscc, false);
    let determined_on = ctx.opt_date(Col::DeterminedOn, true);
    let reminded_on = ctx.opt_date(Col::RemindedOn, true);
    if let (Some(s), Some(r)) = (period_start, reminded_on)
        && r < s
    {
        let start_name = ctx.map.name(start_col).to_string();
        ctx.problem(
            Col::RemindedOn,
            r.to_string(),
            format!("催告日期 {r} 早于{start_name} {s}，请核对"),
        );
    }
    let just_cause = ctx.just_cause();
    let paid_off_on = ctx.opt_date(Col::PaidOffOn, true);
    Some(Record::Arrears(ArrearsRecord {
        subject: subject?,
        subject_name: subject_name?,
        account_no,
        arrears_type,
        period_start: period_start?,
        period_end: period_end?,
        amount: amount?,
        determined_by,
        determined_by_uscc,
        determined_on,
        reminded_on,
        just_cause,
        paid_off_on,
    }))
}

fn violation(ctx: &mut RowCtx<'_, '_>) -> Option<Record> {
    let account_no = ctx.account_of(Col::AccountNo, true);
    let user_name = ctx.req_text(Col::UserName, MAX_NAME);
    let occurred_on = ctx.req_date(Col::ViolationDate, true);
    let amount = ctx.amount_of(Col::ViolationAmount);
    let energy = ctx.opt_quantity(Col::ViolationEnergy);
    let days = ctx.opt_days(Col::ViolationDays);
    let total_amount = ctx.req_amount(Col::ViolationTotal);
    let period_text = ctx
        .opt_text(Col::ViolationPeriod, MAX_PERIOD_TEXT)
        .unwrap_or_default();
    Some(Record::Violation(ViolationRecord {
        account_no: account_no?,
        user_name: user_name?,
        occurred_on: occurred_on?,
        amount,
        energy,
        days,
        total_amount: total_amount?,
        period_text,
    }))
}

fn theft(ctx: &mut RowCtx<'_, '_>) -> Option<Record> {
    let account_no = ctx.account_of(Col::AccountNo, false);
    let subject_name = ctx.req_text(Col::UserName, MAX_NAME);
    // The subject: a USCC when given, else a personal document, else the 用户编号.
    let has_uscc = !ctx.cell(Col::Uscc).is_blank();
    let has_doc = !ctx.cell(Col::IdNumber).is_blank();
    let subject = if has_uscc {
        ctx.uscc_of(Col::Uscc, true).map(|code| SubjectRef::Code {
            code: SubjectCode::Uscc { code },
        })
    } else if has_doc {
        ctx.person_doc(false).map(|doc| SubjectRef::Code {
            code: SubjectCode::Person { doc },
        })
    } else if let Some(no) = &account_no {
        Some(SubjectRef::Account {
            account_no: no.clone(),
        })
    } else {
        if !ctx.has_problem(Col::AccountNo) {
            ctx.problem(
                Col::AccountNo,
                String::new(),
                "请至少填写统一社会信用代码、证件号码或用户编号之一，以确定窃电主体",
            );
        }
        None
    };
    let found_on = ctx.req_date(Col::TheftFoundOn, true);
    let energy = ctx.opt_quantity(Col::TheftEnergy);
    let recovered_fees = ctx.req_amount(Col::RecoveredFees);
    let penalty_fees = ctx.req_amount(Col::PenaltyFees);
    let settled_on = ctx.opt_date(Col::PaidOffOn, true);
    ctx.check_order(found_on, Col::PaidOffOn, settled_on);
    // An empty status means 已结清 when a 结清日期 is given, else 处理中.
    let status = match ctx.text(Col::TheftStatus) {
        Some(t) => match TheftStatus::from_label_or_key(&t) {
            Some(s) => Some(s),
            None => {
                ctx.problem(
                    Col::TheftStatus,
                    t.into_owned(),
                    "处理状态无法识别：请填写 处理中、已结清 或 已移送",
                );
                None
            }
        },
        None if settled_on.is_some() => Some(TheftStatus::Settled),
        None => Some(TheftStatus::Pending),
    };
    Some(Record::Theft(TheftRecord {
        subject: subject?,
        subject_name: subject_name?,
        account_no,
        found_on: found_on?,
        energy,
        recovered_fees: recovered_fees?,
        penalty_fees: penalty_fees?,
        status: status?,
        settled_on,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial_date(1.0), Ok(d(1900, 1, 1)));
        assert_eq!(excel_serial_date(59.0), Ok(d(1900, 2, 28)));
        assert!(excel_serial_date(60.0).unwrap_err().contains("1900-02-29"));
        assert_eq!(excel_serial_date(61.0), Ok(d(1900, 3, 1)));
        assert_eq!(excel_serial_date(45351.0), Ok(d(2024, 2, 29)));
        assert_eq!(excel_serial_date(45351.75), Ok(d(2024, 2, 29)));
        assert!(excel_serial_date(0.0).is_err());
        assert!(excel_serial_date(f64::INFINITY).is_err());
        assert!(
            excel_serial_date(999_999.0)
                .unwrap_err()
                .contains("不是合理的日期")
        );
    }

    #[test]
    fn dates_from_text() {
        assert_eq!(date_from_text("45351"), Ok(d(2024, 2, 29)));
        assert_eq!(date_from_text("２０２４年２月２９日"), Ok(d(2024, 2, 29)));
        assert_eq!(date_from_text("2024-02-29 10:30:00"), Ok(d(2024, 2, 29)));
        assert_eq!(date_from_text("2024/2/29T08:00"), Ok(d(2024, 2, 29)));
        assert_eq!(date_from_text("20240229"), Ok(d(2024, 2, 29)));
        assert!(
            date_from_text("2023-02-30")
                .unwrap_err()
                .contains("没有 30 日")
        );
        assert!(date_from_text("下周").is_err());
    }

    #[test]
    fn number_text_like_excel() {
        assert_eq!(number_text(301234567.0), "301234567");
        assert_eq!(number_text(1234.5), "1234.5");
    }
}
