//! Counter entry of one power-supply record (rule S-2): what the clerk types, validated field by
//! field into a [`Record`] of the subject whose page is open. The same draft corrects a stored
//! record ([`RecordDraft::from_record`]), and the single-field actions (催告日期, 结清日期, 正当理由)
//! are validated here too, so the window can show each problem beside its field.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::id_codes::{Uscc, normalize};
use super::records::{
    ArrearsRecord, Fen, PaymentRecord, Quantity, Record, RecordKind, SubjectRef, TheftRecord,
    TheftStatus, ViolationRecord, parse_amount, parse_quantity,
};
use super::subject::{MAX_ACCOUNT_NO, MAX_NAME, Subject, SubjectKind};
use super::text::{FieldError, parse_date, require_text};

/// Longest free texts (the same limits as the import).
pub const MAX_TYPE_NAME: usize = 30;
pub const MAX_UNIT: usize = 20;
pub const MAX_PERIOD_TEXT: usize = 100;
pub const MAX_JUST_CAUSE: usize = 200;

/// The default 缴费类型名称 / 欠缴类型名称.
pub const DEFAULT_TYPE_NAME: &str = "电费";

/// The record classes a clerk chooses from; the 自然人 variants follow the subject.
pub const ENTRY_KINDS: [RecordKind; 4] = [
    RecordKind::Payment,
    RecordKind::Arrears,
    RecordKind::ViolationUsage,
    RecordKind::Theft,
];

/// Every field of the record form, for messages that name the field. Several fields mean
/// different annex-4 items per kind (the amount is 缴费金额, 欠费金额, …): see
/// [`RecordField::label_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordField {
    Kind,
    AccountNo,
    TypeName,
    PeriodStart,
    PeriodEnd,
    /// 缴纳日期, 违约用电日期 or 窃电发现日期.
    Date,
    /// 缴费金额, 欠费金额, 违约用电总金额 or 补缴电费金额.
    Amount,
    /// 违约用电金额 or 违约使用电费金额.
    SecondAmount,
    /// 使用量, 违约用电量 or 窃电量.
    Quantity,
    UsageUnit,
    Days,
    PeriodText,
    Prepaid,
    /// 经办机关全称 or 认定机构.
    Agency,
    AgencyUscc,
    DeterminedOn,
    RemindedOn,
    JustCause,
    /// 结清日期.
    SettledOn,
    Status,
}

impl RecordField {
    /// The annex-4 data-item name of the field for `kind`.
    pub fn label_for(self, kind: RecordKind) -> &'static str {
        use RecordField as F;
        use RecordKind as K;
        match (self, kind) {
            (F::Kind, _) => "记录类别",
            (F::AccountNo, _) => "用户编号",
            (F::TypeName, K::Payment | K::PersonPayment) => "缴费类型名称",
            (F::TypeName, _) => "欠缴类型名称",
            (F::PeriodStart, K::Payment | K::PersonPayment) => "计量开始日",
            (F::PeriodStart, _) => "欠缴统计开始日",
            (F::PeriodEnd, K::Payment | K::PersonPayment) => "计量截止日",
            (F::PeriodEnd, _) => "欠缴统计截止日",
            (F::Date, K::ViolationUsage) => "违约用电日期",
            (F::Date, K::Theft) => "窃电发现日期",
            (F::Date, _) => "缴纳日期",
            (F::Amount, K::Payment | K::PersonPayment) => "缴费金额",
            (F::Amount, K::Arrears | K::PersonArrears) => "欠费金额",
            (F::Amount, K::ViolationUsage) => "违约用电总金额",
            (F::Amount, K::Theft) => "补缴电费金额",
            (F::SecondAmount, K::Theft) => "违约使用电费金额",
            (F::SecondAmount, _) => "违约用电金额",
            (F::Quantity, K::ViolationUsage) => "违约用电量",
            (F::Quantity, K::Theft) => "窃电量",
            (F::Quantity, _) => "使用量",
            (F::UsageUnit, _) => "使用单位",
            (F::Days, _) => "违约用电天数",
            (F::PeriodText, _) => "违约用电时间段",
            (F::Prepaid, _) => "是否预缴费",
            (F::Agency, K::Payment | K::PersonPayment) => "经办机关全称",
            (F::Agency, _) => "认定机构",
            (F::AgencyUscc, K::Payment | K::PersonPayment) => "经办机关统一社会信用代码",
            (F::AgencyUscc, _) => "认定机构统一社会信用代码",
            (F::DeterminedOn, _) => "认定日期",
            (F::RemindedOn, _) => "催告日期",
            (F::JustCause, _) => "正当理由",
            (F::SettledOn, _) => "结清日期",
            (F::Status, _) => "处理状态",
        }
    }

    /// The fields the form shows for `kind`, in annex-4 order.
    pub fn fields_of(kind: RecordKind) -> &'static [RecordField] {
        use RecordField as F;
        match kind {
            RecordKind::Payment | RecordKind::PersonPayment => &[
                F::AccountNo,
                F::TypeName,
                F::Prepaid,
                F::PeriodStart,
                F::PeriodEnd,
                F::Quantity,
                F::UsageUnit,
                F::Amount,
                F::Agency,
                F::AgencyUscc,
                F::Date,
            ],
            RecordKind::Arrears | RecordKind::PersonArrears => &[
                F::AccountNo,
                F::TypeName,
                F::PeriodStart,
                F::PeriodEnd,
                F::Amount,
                F::Agency,
                F::AgencyUscc,
                F::DeterminedOn,
                F::RemindedOn,
                F::JustCause,
                F::SettledOn,
            ],
            RecordKind::ViolationUsage => &[
                F::AccountNo,
                F::Date,
                F::PeriodText,
                F::Days,
                F::Quantity,
                F::SecondAmount,
                F::Amount,
            ],
            RecordKind::Theft => &[
                F::AccountNo,
                F::Date,
                F::Quantity,
                F::Amount,
                F::SecondAmount,
                F::Status,
                F::SettledOn,
            ],
        }
    }
}

/// What the record form supplies, as typed. One draft serves every kind; fields a kind does not
/// use are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDraft {
    /// The class; a 自然人 subject's payments and arrears become the 自然人 variants.
    pub kind: RecordKind,
    /// 用户编号: one of the subject's accounts, or empty (required for 违约用电).
    pub account_no: String,
    pub type_name: String,
    pub period_start: String,
    pub period_end: String,
    pub date: String,
    pub amount: String,
    pub second_amount: String,
    pub quantity: String,
    pub usage_unit: String,
    pub days: String,
    pub period_text: String,
    pub prepaid: Option<bool>,
    pub agency: String,
    pub agency_uscc: String,
    pub determined_on: String,
    pub reminded_on: String,
    pub just_cause: String,
    pub settled_on: String,
    pub status: TheftStatus,
}

impl Default for RecordDraft {
    fn default() -> Self {
        Self {
            kind: RecordKind::Payment,
            account_no: String::new(),
            type_name: DEFAULT_TYPE_NAME.into(),
            period_start: String::new(),
            period_end: String::new(),
            date: String::new(),
            amount: String::new(),
            second_amount: String::new(),
            quantity: String::new(),
            usage_unit: String::new(),
            days: String::new(),
            period_text: String::new(),
            prepaid: None,
            agency: String::new(),
            agency_uscc: String::new(),
            determined_on: String::new(),
            reminded_on: String::new(),
            just_cause: String::new(),
            settled_on: String::new(),
            status: TheftStatus::Pending,
        }
    }
}

/// The kind a record of class `kind` has for `subject`: a natural person's payments and arrears
/// are the 自然人 variants of annex 4, an organisation's are not.
pub fn kind_for(kind: RecordKind, subject: SubjectKind) -> RecordKind {
    let person = subject == SubjectKind::NaturalPerson;
    match kind {
        RecordKind::Payment | RecordKind::PersonPayment if person => RecordKind::PersonPayment,
        RecordKind::Payment | RecordKind::PersonPayment => RecordKind::Payment,
        RecordKind::Arrears | RecordKind::PersonArrears if person => RecordKind::PersonArrears,
        RecordKind::Arrears | RecordKind::PersonArrears => RecordKind::Arrears,
        other => other,
    }
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn opt_fen(f: Option<Fen>) -> String {
    f.map(|f| f.to_yuan_string()).unwrap_or_default()
}

fn opt_qty(q: Option<Quantity>) -> String {
    q.map(|q| q.to_string()).unwrap_or_default()
}

impl RecordDraft {
    /// A blank draft of class `kind`.
    pub fn new(kind: RecordKind) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }

    /// Fill a draft from a stored record (the correction form starts from it).
    pub fn from_record(r: &Record) -> Self {
        let mut d = Self::new(r.kind());
        d.account_no = r.account_no().unwrap_or_default().to_string();
        match r {
            Record::Payment(p) => {
                d.type_name = p.fee_type.clone();
                d.prepaid = p.prepaid;
                d.period_start = p.period_start.to_string();
                d.period_end = p.period_end.to_string();
                d.quantity = opt_qty(p.usage);
                d.usage_unit = p.usage_unit.clone().unwrap_or_default();
                d.amount = p.amount.to_yuan_string();
                d.agency = p.agency_name.clone().unwrap_or_default();
                d.agency_uscc = p
                    .agency_uscc
                    .as_ref()
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                d.date = p.paid_on.to_string();
            }
            Record::Arrears(a) => {
                d.type_name = a.arrears_type.clone();
                d.period_start = a.period_start.to_string();
                d.period_end = a.period_end.to_string();
                d.amount = a.amount.to_yuan_string();
                d.agency = a.determined_by.clone().unwrap_or_default();
                d.agency_uscc = a
                    .determined_by_uscc
                    .as_ref()
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                d.determined_on = opt_date(a.determined_on);
                d.reminded_on = opt_date(a.reminded_on);
                d.just_cause = a.just_cause.clone().unwrap_or_default();
                d.settled_on = opt_date(a.paid_off_on);
            }
            Record::Violation(v) => {
                d.date = v.occurred_on.to_string();
                d.period_text = v.period_text.clone();
                d.days = v.days.map(|n| n.to_string()).unwrap_or_default();
                d.quantity = opt_qty(v.energy);
                d.second_amount = opt_fen(v.amount);
                d.amount = v.total_amount.to_yuan_string();
            }
            Record::Theft(t) => {
                d.date = t.found_on.to_string();
                d.quantity = opt_qty(t.energy);
                d.amount = t.recovered_fees.to_yuan_string();
                d.second_amount = t.penalty_fees.to_yuan_string();
                d.status = t.status;
                d.settled_on = opt_date(t.settled_on);
            }
        }
        d
    }

    /// Validate every field for a record of `subject` as of `today`; all problems are returned at
    /// once so that a form can mark each wrong field.
    pub fn validate(
        &self,
        subject: &Subject,
        today: NaiveDate,
    ) -> Result<Record, Vec<FieldError<RecordField>>> {
        let kind = kind_for(self.kind, subject.kind);
        let mut v = Check {
            kind,
            today,
            errors: Vec::new(),
        };
        let account_no = v.account(
            &self.account_no,
            subject,
            kind == RecordKind::ViolationUsage,
        );
        let record = match kind {
            RecordKind::Payment | RecordKind::PersonPayment => {
                let fee_type = v.type_name(&self.type_name);
                let period_start = v.req_date(RecordField::PeriodStart, &self.period_start, false);
                let period_end = v.req_date(RecordField::PeriodEnd, &self.period_end, false);
                v.order(period_start, RecordField::PeriodEnd, period_end);
                let usage = v.quantity(&self.quantity);
                let usage_unit = v.opt_text(RecordField::UsageUnit, &self.usage_unit, MAX_UNIT);
                let amount = v.req_amount(RecordField::Amount, &self.amount);
                let agency_name = v.opt_text(RecordField::Agency, &self.agency, MAX_NAME);
                let agency_uscc = v.uscc(&self.agency_uscc);
                let paid_on = v.req_date(RecordField::Date, &self.date, true);
                (|| {
                    Some(Record::Payment(PaymentRecord {
                        subject: subject.code.clone(),
                        subject_name: subject.name.clone(),
                        account_no: account_no?,
                        fee_type: fee_type?,
                        prepaid: self.prepaid,
                        period_start: period_start?,
                        period_end: period_end?,
                        usage: usage?,
                        usage_unit: usage_unit?,
                        amount: amount?,
                        agency_name: agency_name?,
                        agency_uscc: agency_uscc?,
                        paid_on: paid_on?,
                    }))
                })()
            }
            RecordKind::Arrears | RecordKind::PersonArrears => {
                let arrears_type = v.type_name(&self.type_name);
                let period_start = v.req_date(RecordField::PeriodStart, &self.period_start, true);
                let period_end = v.req_date(RecordField::PeriodEnd, &self.period_end, false);
                v.order(period_start, RecordField::PeriodEnd, period_end);
                let amount = v.req_amount(RecordField::Amount, &self.amount);
                let determined_by = v.opt_text(RecordField::Agency, &self.agency, MAX_NAME);
                let determined_by_uscc = v.uscc(&self.agency_uscc);
                let determined_on =
                    v.opt_date(RecordField::DeterminedOn, &self.determined_on, true);
                let reminded_on = v.opt_date(RecordField::RemindedOn, &self.reminded_on, true);
                v.not_before(period_start, RecordField::RemindedOn, reminded_on.flatten());
                let just_cause =
                    v.opt_text(RecordField::JustCause, &self.just_cause, MAX_JUST_CAUSE);
                let paid_off_on = v.opt_date(RecordField::SettledOn, &self.settled_on, true);
                v.not_before(period_start, RecordField::SettledOn, paid_off_on.flatten());
                (|| {
                    Some(Record::Arrears(ArrearsRecord {
                        subject: subject.code.clone(),
                        subject_name: subject.name.clone(),
                        account_no: account_no?,
                        arrears_type: arrears_type?,
                        period_start: period_start?,
                        period_end: period_end?,
                        amount: amount?,
                        determined_by: determined_by?,
                        determined_by_uscc: determined_by_uscc?,
                        determined_on: determined_on?,
                        reminded_on: reminded_on?,
                        just_cause: just_cause?,
                        paid_off_on: paid_off_on?,
                    }))
                })()
            }
            RecordKind::ViolationUsage => {
                let occurred_on = v.req_date(RecordField::Date, &self.date, true);
                let period_text =
                    v.opt_text(RecordField::PeriodText, &self.period_text, MAX_PERIOD_TEXT);
                let days = v.days(&self.days);
                let energy = v.quantity(&self.quantity);
                let amount = v.opt_amount(RecordField::SecondAmount, &self.second_amount);
                let total_amount = v.req_amount(RecordField::Amount, &self.amount);
                (|| {
                    Some(Record::Violation(ViolationRecord {
                        account_no: account_no??,
                        user_name: subject.name.clone(),
                        occurred_on: occurred_on?,
                        amount: amount?,
                        energy: energy?,
                        days: days?,
                        total_amount: total_amount?,
                        period_text: period_text?.unwrap_or_default(),
                    }))
                })()
            }
            RecordKind::Theft => {
                let found_on = v.req_date(RecordField::Date, &self.date, true);
                let energy = v.quantity(&self.quantity);
                let recovered_fees = v.req_amount(RecordField::Amount, &self.amount);
                let penalty_fees = v.req_amount(RecordField::SecondAmount, &self.second_amount);
                let settled_on = v.opt_date(RecordField::SettledOn, &self.settled_on, true);
                v.not_before(found_on, RecordField::SettledOn, settled_on.flatten());
                if self.status == TheftStatus::Settled && matches!(settled_on, Some(None)) {
                    v.err(
                        RecordField::SettledOn,
                        "处理状态为“已结清”时请填写结清日期".into(),
                    );
                }
                (|| {
                    Some(Record::Theft(TheftRecord {
                        subject: SubjectRef::Code {
                            code: subject.code.clone(),
                        },
                        subject_name: subject.name.clone(),
                        account_no: account_no?,
                        found_on: found_on?,
                        energy: energy?,
                        recovered_fees: recovered_fees?,
                        penalty_fees: penalty_fees?,
                        status: self.status,
                        settled_on: settled_on?,
                    }))
                })()
            }
        };
        match record {
            Some(r) if v.errors.is_empty() => Ok(r),
            _ => Err(v.errors),
        }
    }
}

/// Collects the problems of one draft. Each parser returns `None` when the field is wrong (and
/// records why), `Some(value)` otherwise; optional fields give `Some(None)` when left empty.
struct Check {
    kind: RecordKind,
    today: NaiveDate,
    errors: Vec<FieldError<RecordField>>,
}

impl Check {
    fn err(&mut self, field: RecordField, message: String) {
        self.errors.push(FieldError::new(field, message));
    }

    fn label(&self, field: RecordField) -> &'static str {
        field.label_for(self.kind)
    }

    fn account(&mut self, s: &str, subject: &Subject, required: bool) -> Option<Option<String>> {
        let no = normalize(s);
        if no.is_empty() {
            if required {
                self.err(
                    RecordField::AccountNo,
                    "违约用电信息按用户编号登记，请选择该主体的用电户".into(),
                );
                return None;
            }
            return Some(None);
        }
        if no.chars().count() > MAX_ACCOUNT_NO || !no.chars().all(|c| c.is_ascii_alphanumeric()) {
            self.err(
                RecordField::AccountNo,
                format!("用户编号只能由字母和数字组成，最多 {MAX_ACCOUNT_NO} 位"),
            );
            return None;
        }
        if !subject.accounts.iter().any(|a| a.account_no == no) {
            self.err(
                RecordField::AccountNo,
                format!(
                    "用户编号 {no} 不是“{}”的用电户：请从列表中选择，或先在“用电户”中添加",
                    subject.name
                ),
            );
            return None;
        }
        Some(Some(no))
    }

    fn type_name(&mut self, s: &str) -> Option<String> {
        if s.trim().is_empty() {
            return Some(DEFAULT_TYPE_NAME.to_string());
        }
        require_text(s, MAX_TYPE_NAME)
            .map_err(|m| self.err(RecordField::TypeName, m))
            .ok()
    }

    fn opt_text(&mut self, field: RecordField, s: &str, max: usize) -> Option<Option<String>> {
        if s.trim().is_empty() {
            return Some(None);
        }
        require_text(s, max)
            .map(Some)
            .map_err(|m| self.err(field, m))
            .ok()
    }

    fn date(&mut self, field: RecordField, s: &str, not_after_today: bool) -> Option<NaiveDate> {
        match parse_date(s) {
            Ok(d) if not_after_today && d > self.today => {
                let today = self.today;
                self.err(
                    field,
                    format!("{} {d} 晚于今天（{today}），请核对", self.label(field)),
                );
                None
            }
            Ok(d) => Some(d),
            Err(m) => {
                self.err(field, m);
                None
            }
        }
    }

    fn req_date(
        &mut self,
        field: RecordField,
        s: &str,
        not_after_today: bool,
    ) -> Option<NaiveDate> {
        if s.trim().is_empty() {
            self.err(field, "不能为空，请填写，如 2024-02-29".into());
            return None;
        }
        self.date(field, s, not_after_today)
    }

    fn opt_date(
        &mut self,
        field: RecordField,
        s: &str,
        not_after_today: bool,
    ) -> Option<Option<NaiveDate>> {
        if s.trim().is_empty() {
            return Some(None);
        }
        self.date(field, s, not_after_today).map(Some)
    }

    fn order(&mut self, start: Option<NaiveDate>, end_field: RecordField, end: Option<NaiveDate>) {
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            let name = self.label(end_field);
            self.err(end_field, format!("{name} {e} 早于开始日 {s}，请核对"));
        }
    }

    fn not_before(&mut self, start: Option<NaiveDate>, field: RecordField, d: Option<NaiveDate>) {
        if let (Some(s), Some(d)) = (start, d)
            && d < s
        {
            let (name, start_name) = match self.kind {
                RecordKind::Theft => (self.label(field), "窃电发现日期"),
                _ => (self.label(field), "欠缴统计开始日"),
            };
            self.err(field, format!("{name} {d} 早于{start_name} {s}，请核对"));
        }
    }

    fn req_amount(&mut self, field: RecordField, s: &str) -> Option<Fen> {
        parse_amount(s).map_err(|m| self.err(field, m)).ok()
    }

    fn opt_amount(&mut self, field: RecordField, s: &str) -> Option<Option<Fen>> {
        if s.trim().is_empty() {
            return Some(None);
        }
        self.req_amount(field, s).map(Some)
    }

    fn quantity(&mut self, s: &str) -> Option<Option<Quantity>> {
        if s.trim().is_empty() {
            return Some(None);
        }
        parse_quantity(s)
            .map(Some)
            .map_err(|m| self.err(RecordField::Quantity, m))
            .ok()
    }

    fn days(&mut self, s: &str) -> Option<Option<u32>> {
        if s.trim().is_empty() {
            return Some(None);
        }
        match normalize(s)
            .trim_end_matches('天')
            .parse::<u32>()
            .ok()
            .filter(|d| *d <= 36_600)
        {
            Some(d) => Some(Some(d)),
            None => {
                self.err(
                    RecordField::Days,
                    format!("天数“{}”应为不小于 0 的整数，如 15", s.trim()),
                );
                None
            }
        }
    }

    fn uscc(&mut self, s: &str) -> Option<Option<Uscc>> {
        if s.trim().is_empty() {
            return Some(None);
        }
        Uscc::parse(s)
            .map(Some)
            .map_err(|e| self.err(RecordField::AgencyUscc, e.to_string()))
            .ok()
    }
}

/// Validate a 催告日期 for an arrears record as of `today` (rule D-1 counts six months from it).
pub fn validate_reminder(
    a: &ArrearsRecord,
    s: &str,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError<RecordField>> {
    let f = RecordField::RemindedOn;
    // A later reminder must not restart the six months of rule D-1; a wrong date is corrected.
    if let Some(r) = a.reminded_on {
        return Err(FieldError::new(
            f,
            format!("该欠费已于 {r} 催告，六个月从首次催告起算：如催告日期有误，请用“更正”修改"),
        ));
    }
    let d = single_date(f, s, today)?;
    if d < a.period_start {
        return Err(FieldError::new(
            f,
            format!("催告日期 {d} 早于欠缴统计开始日 {}，请核对", a.period_start),
        ));
    }
    if let Some(paid) = a.paid_off_on
        && paid <= d
    {
        return Err(FieldError::new(
            f,
            format!("该欠费已于 {paid} 结清，不能在结清后催告：如结清日期有误，请用“更正”修改"),
        ));
    }
    Ok(d)
}

/// Validate a 结清日期 for an arrears record as of `today`.
pub fn validate_settlement(
    a: &ArrearsRecord,
    s: &str,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError<RecordField>> {
    let f = RecordField::SettledOn;
    if let Some(paid) = a.paid_off_on {
        return Err(FieldError::new(
            f,
            format!("该欠费已于 {paid} 结清：如结清日期有误，请用“更正”修改"),
        ));
    }
    let d = single_date(f, s, today)?;
    if d < a.period_start {
        return Err(FieldError::new(
            f,
            format!("结清日期 {d} 早于欠缴统计开始日 {}，请核对", a.period_start),
        ));
    }
    Ok(d)
}

/// Validate the text of a 正当理由 (rule D-1).
pub fn validate_just_cause(s: &str) -> Result<String, FieldError<RecordField>> {
    require_text(s, MAX_JUST_CAUSE)
        .map_err(|m| FieldError::new(RecordField::JustCause, format!("正当理由{m}")))
}

fn single_date(
    f: RecordField,
    s: &str,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError<RecordField>> {
    let label = f.label_for(RecordKind::Arrears);
    if s.trim().is_empty() {
        return Err(FieldError::new(
            f,
            format!("{label}不能为空，请填写，如 2024-02-29"),
        ));
    }
    let d = parse_date(s).map_err(|m| FieldError::new(f, m))?;
    if d > today {
        return Err(FieldError::new(
            f,
            format!("{label} {d} 晚于今天（{today}），请核对"),
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_codes::{IdDocKind, IdDocument};
    use crate::domain::subject::{Account, AccountId, SubjectCode, SubjectId};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn subject(kind: SubjectKind) -> Subject {
        let code = match kind {
            SubjectKind::NaturalPerson => SubjectCode::Person {
                doc: IdDocument::parse(IdDocKind::ResidentId, "11010519491231002X", d(2026, 1, 1))
                    .unwrap(),
            },
            _ => SubjectCode::Uscc {
                code: Uscc::parse("91440300708461136T").unwrap(),
            },
        };
        let t = d(2020, 1, 1).and_hms_opt(0, 0, 0).unwrap();
        Subject {
            id: SubjectId(1),
            kind,
            code,
            name: "湛江市霞山区海港贸易有限公司".into(),
            legal_rep: None,
            founded_on: None,
            phone: String::new(),
            address: String::new(),
            created_at: t,
            updated_at: t,
            accounts: vec![Account {
                id: AccountId(1),
                subject_id: SubjectId(1),
                account_no: "0300123456".into(),
                usage_address: "一路 8 号".into(),
                supply_start: None,
            }],
        }
    }

    fn arrears_draft() -> RecordDraft {
        RecordDraft {
            period_start: "2025-01-01".into(),
            period_end: "2025-03-31".into(),
            amount: "¥23,000.50".into(),
            reminded_on: "2025/4/10".into(),
            ..RecordDraft::new(RecordKind::Arrears)
        }
    }

    #[test]
    fn arrears_round_trip_through_the_form() {
        let s = subject(SubjectKind::Organization);
        let r = arrears_draft().validate(&s, d(2026, 1, 1)).unwrap();
        let Record::Arrears(a) = &r else {
            panic!("{r:?}")
        };
        assert_eq!(a.amount, Fen(2_300_050));
        assert_eq!(a.reminded_on, Some(d(2025, 4, 10)));
        assert_eq!(a.arrears_type, "电费");
        assert_eq!(a.subject_name, s.name);
        let again = RecordDraft::from_record(&r).validate(&s, d(2026, 1, 1));
        assert_eq!(again, Ok(r));
    }

    #[test]
    fn person_subjects_get_the_person_variant() {
        let s = subject(SubjectKind::NaturalPerson);
        let r = arrears_draft().validate(&s, d(2026, 1, 1)).unwrap();
        assert_eq!(r.kind(), RecordKind::PersonArrears);
    }

    #[test]
    fn every_problem_is_named_by_field() {
        let s = subject(SubjectKind::Organization);
        let draft = RecordDraft {
            account_no: "0399999999".into(),
            period_start: "2025-03-01".into(),
            period_end: "2025-02-01".into(),
            amount: "-5".into(),
            date: "2026-02-01".into(),
            ..RecordDraft::new(RecordKind::Payment)
        };
        let errs = draft.validate(&s, d(2026, 1, 1)).unwrap_err();
        let msg = |f: RecordField| {
            errs.iter()
                .find(|e| e.field == f)
                .map(|e| e.message.clone())
                .unwrap_or_default()
        };
        assert!(msg(RecordField::AccountNo).contains("不是"), "{errs:?}");
        assert!(msg(RecordField::PeriodEnd).contains("早于开始日"));
        assert!(msg(RecordField::Amount).contains("负数"));
        assert!(msg(RecordField::Date).contains("晚于今天"));
        assert_eq!(errs.len(), 4);
    }

    #[test]
    fn violation_needs_an_account_and_theft_settlement_needs_a_date() {
        let s = subject(SubjectKind::Organization);
        let v = RecordDraft {
            date: "2025-05-01".into(),
            amount: "300".into(),
            ..RecordDraft::new(RecordKind::ViolationUsage)
        };
        let errs = v.validate(&s, d(2026, 1, 1)).unwrap_err();
        assert_eq!(errs[0].field, RecordField::AccountNo);
        let ok = RecordDraft {
            account_no: "0300123456".into(),
            ..v
        };
        assert!(ok.validate(&s, d(2026, 1, 1)).is_ok());

        let t = RecordDraft {
            date: "2025-05-01".into(),
            amount: "300".into(),
            second_amount: "900".into(),
            status: TheftStatus::Settled,
            ..RecordDraft::new(RecordKind::Theft)
        };
        let errs = t.validate(&s, d(2026, 1, 1)).unwrap_err();
        assert_eq!(errs[0].field, RecordField::SettledOn);
    }

    #[test]
    fn single_field_actions() {
        let s = subject(SubjectKind::Organization);
        let Record::Arrears(mut a) = arrears_draft().validate(&s, d(2026, 1, 1)).unwrap() else {
            panic!()
        };
        let today = d(2026, 1, 1);
        assert!(
            validate_reminder(&a, "2025-06-01", today)
                .unwrap_err()
                .message
                .contains("已于 2025-04-10 催告")
        );
        a.reminded_on = None;
        assert_eq!(
            validate_reminder(&a, "2025-06-01", today),
            Ok(d(2025, 6, 1))
        );
        assert!(
            validate_reminder(&a, "2024-12-31", today)
                .unwrap_err()
                .message
                .contains("早于")
        );
        assert!(
            validate_reminder(&a, "2026-01-02", today)
                .unwrap_err()
                .message
                .contains("晚于今天")
        );
        assert!(validate_settlement(&a, "", today).is_err());
        a.paid_off_on = Some(d(2025, 7, 1));
        assert!(
            validate_settlement(&a, "2025-08-01", today)
                .unwrap_err()
                .message
                .contains("已于 2025-07-01 结清")
        );
        assert!(validate_reminder(&a, "2025-07-02", today).is_err());
        assert!(validate_just_cause("  ").is_err());
        assert_eq!(
            validate_just_cause(" 供电设施故障停产 ").unwrap(),
            "供电设施故障停产"
        );
    }
}
