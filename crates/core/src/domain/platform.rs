//! The exchange with 湛江市公共信用信息共享平台 (rules E-1..E-3), as pure rules: the catalog of
//! information classes and their data items (annex 4, 湛江市公共信用信息资源目录), the mapping from
//! a data-item name to a record's value, the publication row of a commitment, the change type of
//! a batch row and the entries of the dishonesty lists the platform sends back.
//!
//! # The catalog as data
//!
//! The catalog is a CSV text (`assets/platform/annex4.csv`, embedded), one line per data item
//! with the columns 信息类键, 信息分类, 信息类名称, 数据项名称, in the order of the items within
//! their class; lines starting with `#` are comments. The built-in file holds annex 4's six
//! classes with its exact names in its order, plus 窃电信息, which is **ours, not annex 4's**: rule
//! E-1 sends theft (D-2) as a class of its own when a setting allows, and the 2022 catalog has no
//! such class, so its items are this program's choice (taken from [`TheftRecord`]'s fields and
//! named as the record import names them).
//!
//! A city may replace the catalog with its own template file ([`Catalog::parse`]): items may be
//! reordered, dropped or renamed. An item this program does not hold becomes an empty column and
//! is reported ([`Catalog::unknown_columns`]); a class absent from the file is not exported.
//! Rows are built by data-item NAME ([`record_row`], [`commitment_row`]), never by position, so a
//! changed template needs no code change.

use chrono::NaiveDate;

use super::commitment::{AcceptingUnit, Commitment, Publicity, committer_kind_label};
use super::id_codes::{CodeKind, IdDocKind, IdDocument, IdError, Uscc, check_code, mask_id_number};
use super::records::{Record, RecordKind, SubjectRef};
use super::subject::{SubjectCode, SubjectKind};

/// The built-in catalog (annex 4 plus 窃电信息), see the module documentation for its form.
const BUILTIN_CATALOG: &str = include_str!("../../assets/platform/annex4.csv");

/// The most lines a catalog file may have: annex 4 has 70 items; a template ten times longer is
/// not a catalog.
const MAX_CATALOG_LINES: usize = 2_000;
/// The longest class or data-item name accepted in a catalog file (characters).
const MAX_CATALOG_NAME: usize = 100;

/// An information class of the exchange (rule E-1): annex 4's six classes and 窃电信息.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlatformClass {
    /// 公用事业缴费信息.
    Payment,
    /// 拖欠公用事业费用信息 (arrears determined as dishonesty under D-1).
    Arrears,
    /// 违约用电信息 (D-3).
    Violation,
    /// 公用事业缴费信息（自然人）.
    PersonPayment,
    /// 拖欠公用事业费用信息（自然人）.
    PersonArrears,
    /// 信用承诺信息 (C-3).
    Commitment,
    /// 窃电信息: not an annex-4 class; sent when a setting allows (E-1, D-2).
    Theft,
}

impl PlatformClass {
    /// Every class, annex 4's in annex 4's order, then 窃电信息.
    pub const ALL: [PlatformClass; 7] = [
        PlatformClass::Payment,
        PlatformClass::Arrears,
        PlatformClass::Violation,
        PlatformClass::PersonPayment,
        PlatformClass::PersonArrears,
        PlatformClass::Commitment,
        PlatformClass::Theft,
    ];

    /// The class name (信息类名称) as annex 4 writes it.
    pub fn label(self) -> &'static str {
        match self {
            PlatformClass::Payment => "公用事业缴费信息",
            PlatformClass::Arrears => "拖欠公用事业费用信息",
            PlatformClass::Violation => "违约用电信息",
            PlatformClass::PersonPayment => "公用事业缴费信息（自然人）",
            PlatformClass::PersonArrears => "拖欠公用事业费用信息（自然人）",
            PlatformClass::Commitment => "信用承诺信息",
            PlatformClass::Theft => "窃电信息",
        }
    }

    /// The stable ASCII key (settings, the database, the command line, file names).
    pub fn key(self) -> &'static str {
        match self {
            PlatformClass::Payment => "payment",
            PlatformClass::Arrears => "arrears",
            PlatformClass::Violation => "violation_usage",
            PlatformClass::PersonPayment => "person_payment",
            PlatformClass::PersonArrears => "person_arrears",
            PlatformClass::Commitment => "commitment",
            PlatformClass::Theft => "theft",
        }
    }

    /// The class of a key, `None` for anything else.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The class of a key or a class name; half-width parentheses and spaces are tolerated, as
    /// a platform's return file or a city's template may write them.
    pub fn from_label_or_key(s: &str) -> Option<Self> {
        let t = item_form(s);
        Self::ALL
            .into_iter()
            .find(|c| c.key() == t || c.label() == t)
    }

    /// The class a power-supply record is sent in (rule E-1).
    pub fn for_record_kind(kind: RecordKind) -> PlatformClass {
        match kind {
            RecordKind::Payment => PlatformClass::Payment,
            RecordKind::Arrears => PlatformClass::Arrears,
            RecordKind::ViolationUsage => PlatformClass::Violation,
            RecordKind::Theft => PlatformClass::Theft,
            RecordKind::PersonPayment => PlatformClass::PersonPayment,
            RecordKind::PersonArrears => PlatformClass::PersonArrears,
        }
    }

    /// Whether annex 4 names the class (窃电信息 is ours).
    pub fn in_annex4(self) -> bool {
        self != PlatformClass::Theft
    }
}

impl std::fmt::Display for PlatformClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A name as compared: trimmed, inner spaces dropped, half-width parentheses made full-width
/// (annex 4 writes `（自然人）`; hand-edited files often write `(自然人)`).
fn item_form(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            other => other,
        })
        .collect()
}

/// One class of the catalog: its 信息分类, 信息类名称 and data items (the export's column headers,
/// in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassDef {
    pub class: PlatformClass,
    /// 信息分类, e.g. 公共信用类-公用事业缴费信息.
    pub category: String,
    /// 信息类名称 as the catalog file writes it.
    pub name: String,
    /// 数据项名称, in the order of the file: the headers of the class's export file.
    pub columns: Vec<String>,
}

/// A data item of a catalog that this program holds no value for: exported as an empty column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownColumn {
    pub class: PlatformClass,
    pub column: String,
    /// The catalog file's line.
    pub line: u64,
}

/// The catalog: which classes are exported, with which columns (rule E-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    classes: Vec<ClassDef>,
    unknown: Vec<UnknownColumn>,
}

/// Why a catalog file was refused. `Display` is the Chinese message for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "信息类目录文件是空的：应有表头“信息类键,信息分类,信息类名称,数据项名称”和至少一行数据项"
    )]
    Empty,
    #[error("信息类目录文件超过 {limit} 行，不像是信息类目录：请检查文件")]
    TooLong { limit: usize },
    #[error(
        "信息类目录第 {line} 行无法读取（{reason}）：每行应为“信息类键,信息分类,信息类名称,数据项名称”四列"
    )]
    Syntax { line: u64, reason: String },
    #[error("信息类目录第 {line} 行：{column}“{value}”{reason}")]
    Cell {
        line: u64,
        column: &'static str,
        value: String,
        reason: String,
    },
    #[error(
        "信息类目录第 {line} 行：“{class}”的数据项“{column}”重复（第 {first} 行已有）：请删除其中一行"
    )]
    DuplicateColumn {
        line: u64,
        first: u64,
        class: &'static str,
        column: String,
    },
}

/// The data items [`record_row`] and [`commitment_row`] fill, per class: any other name in a
/// catalog is an unknown column.
fn known_items(class: PlatformClass) -> &'static [&'static str] {
    match class {
        PlatformClass::Payment | PlatformClass::PersonPayment => &[
            "机构名称",
            "姓名",
            "统一社会信用代码",
            "证件类型",
            "证件号码",
            "用户编号",
            "缴费类型名称",
            "是否预缴费",
            "计量开始日",
            "计量截止日",
            "使用量",
            "使用单位",
            "缴费金额",
            "经办机关全称",
            "经办机关统一社会信用代码",
            "缴纳日期",
        ],
        PlatformClass::Arrears | PlatformClass::PersonArrears => &[
            "机构名称",
            "欠费人",
            "统一社会信用代码",
            "证件类型",
            "证件号码",
            "用户编号",
            "欠缴类型名称",
            "欠缴统计开始日",
            "欠缴统计截止日",
            "欠费开始日期",
            "欠费统计截止日期",
            "欠费金额",
            "认定机构",
            "认定机构统一社会信用代码",
            "认定日期",
            "催告日期",
            "结清日期",
        ],
        PlatformClass::Violation => &[
            "用户编号",
            "用户名称",
            "违约用电日期",
            "违约用电金额",
            "违约用电量",
            "违约用电天数",
            "违约用电总金额",
            "违约用电时间段",
        ],
        PlatformClass::Theft => &[
            "用户编号",
            "用户名称",
            "统一社会信用代码",
            "证件类型",
            "证件号码",
            "窃电发现日期",
            "窃电量",
            "补缴电费金额",
            "违约使用电费金额",
            "处理状态",
            "结清日期",
            "认定机构",
            "认定机构统一社会信用代码",
        ],
        PlatformClass::Commitment => &[
            "承诺编码",
            "承诺人名称",
            "承诺人类别",
            "承诺人代码（统一社会信用代码/身份证件）",
            "承诺人代码",
            "承诺类型",
            "承诺事由",
            "承诺内容",
            "违诺责任",
            "承诺作出日期",
            "承诺有效期",
            "承诺履行状态",
            "未履行的承诺内容",
            "违诺责任追究内容",
            "承诺履行状态认定日期",
            "承诺受理单位",
            "承诺受理单位统一社会信用代码",
            "承诺履行状态认定单位",
            "承诺履行状态认定单位代码",
            "公开类型",
            "承诺书文件",
        ],
    }
}

impl Catalog {
    /// The built-in catalog: annex 4 as published in 2022, plus 窃电信息.
    pub fn builtin() -> Catalog {
        // The embedded file is checked by a unit test; should it ever fail to parse, an empty
        // catalog exports nothing rather than stopping the program.
        Catalog::parse(BUILTIN_CATALOG).unwrap_or(Catalog {
            classes: Vec::new(),
            unknown: Vec::new(),
        })
    }

    /// Parse a catalog file (see the module documentation). The class is named by 信息类键 or,
    /// when that cell is empty, by 信息类名称; lines of an unknown class are skipped (a city's
    /// template may hold classes the bureau does not send). Unknown data items are kept (an
    /// empty column) and listed in [`Catalog::unknown_columns`].
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let mut classes: Vec<ClassDef> = Vec::new();
        let mut unknown = Vec::new();
        let mut first_line: Vec<(PlatformClass, String, u64)> = Vec::new();
        let mut header_seen = false;
        let mut items = 0usize;
        for (i, rec) in reader.records().enumerate() {
            if i >= MAX_CATALOG_LINES {
                return Err(CatalogError::TooLong {
                    limit: MAX_CATALOG_LINES,
                });
            }
            let rec = rec.map_err(|e| CatalogError::Syntax {
                line: e.position().map_or(0, |p| p.line()),
                reason: e.to_string(),
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let cell = |n: usize| rec.get(n).map(str::trim).unwrap_or("");
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if !header_seen && item_form(cell(3)) == "数据项名称" {
                header_seen = true;
                continue;
            }
            if rec.len() < 4 {
                return Err(CatalogError::Syntax {
                    line,
                    reason: format!("只有 {} 列", rec.len()),
                });
            }
            let (key, category, name, column) = (cell(0), cell(1), cell(2), cell(3));
            for (label, value) in [
                ("信息分类", category),
                ("信息类名称", name),
                ("数据项名称", column),
            ] {
                if value.chars().count() > MAX_CATALOG_NAME {
                    return Err(CatalogError::Cell {
                        line,
                        column: label,
                        value: value.chars().take(20).collect::<String>() + "…",
                        reason: format!("超过 {MAX_CATALOG_NAME} 字"),
                    });
                }
            }
            let class = if key.is_empty() {
                PlatformClass::from_label_or_key(name)
            } else {
                match PlatformClass::from_key(key) {
                    Some(c) => Some(c),
                    None => {
                        return Err(CatalogError::Cell {
                            line,
                            column: "信息类键",
                            value: key.to_string(),
                            reason: format!(
                                "不是已知的信息类键（可用：{}），或留空按信息类名称识别",
                                PlatformClass::ALL.map(PlatformClass::key).join("、")
                            ),
                        });
                    }
                }
            };
            let Some(class) = class else {
                // A class the bureau does not hold (another unit's part of the city template).
                continue;
            };
            if column.is_empty() {
                return Err(CatalogError::Cell {
                    line,
                    column: "数据项名称",
                    value: String::new(),
                    reason: "不能为空".into(),
                });
            }
            if let Some((_, _, first)) = first_line
                .iter()
                .find(|(c, col, _)| *c == class && item_form(col) == item_form(column))
            {
                return Err(CatalogError::DuplicateColumn {
                    line,
                    first: *first,
                    class: class.label(),
                    column: column.to_string(),
                });
            }
            first_line.push((class, column.to_string(), line));
            items += 1;
            if !known_items(class)
                .iter()
                .any(|k| *k == item_form(column).as_str())
            {
                unknown.push(UnknownColumn {
                    class,
                    column: column.to_string(),
                    line,
                });
            }
            match classes.iter_mut().find(|d| d.class == class) {
                Some(def) => def.columns.push(column.to_string()),
                None => classes.push(ClassDef {
                    class,
                    category: category.to_string(),
                    name: if name.is_empty() {
                        class.label().to_string()
                    } else {
                        name.to_string()
                    },
                    columns: vec![column.to_string()],
                }),
            }
        }
        if items == 0 {
            return Err(CatalogError::Empty);
        }
        Ok(Catalog { classes, unknown })
    }

    /// The definition of a class, `None` when the catalog does not export it.
    pub fn class(&self, class: PlatformClass) -> Option<&ClassDef> {
        self.classes.iter().find(|d| d.class == class)
    }

    /// The classes in the catalog's order.
    pub fn classes(&self) -> &[ClassDef] {
        &self.classes
    }

    /// Data items this program holds no value for (exported empty): to show the clerk when a
    /// template is loaded.
    pub fn unknown_columns(&self) -> &[UnknownColumn] {
        &self.unknown
    }
}

/// What a record row needs beyond the record: the bureau as 经办机关 and 认定机构 (rule E-1), and
/// the day the arrears were determined as dishonesty (rule D-1), when the record has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordContext {
    /// 经办机关全称 + 统一社会信用代码; also 认定机构 (the bureau decides D-1..D-3).
    pub unit: AcceptingUnit,
    /// 认定日期 for arrears (D-1 determination) when the record has no 认定日期 of its own.
    pub decided_on: Option<NaiveDate>,
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_default()
}

fn or_unit(own: Option<&str>, unit: &str) -> String {
    match own {
        Some(s) if !s.trim().is_empty() => s.to_string(),
        _ => unit.to_string(),
    }
}

/// `(统一社会信用代码, 证件类型, 证件号码)` of a subject code. Numbers IN FULL: the platform feed is
/// a government exchange, not a publication (rule ID-3 masks only what is shown or published).
fn code_cells(code: &SubjectCode) -> (String, String, String) {
    match code {
        SubjectCode::Uscc { code } => (code.to_string(), String::new(), String::new()),
        SubjectCode::Person { doc } => (
            String::new(),
            doc.kind.label().to_string(),
            doc.number.clone(),
        ),
    }
}

/// The value of data item `item` of `record`, empty when the record does not hold it.
fn record_value(item: &str, record: &Record, ctx: &RecordContext) -> String {
    let unit = &ctx.unit;
    match record {
        Record::Payment(p) => {
            let (uscc, kind, number) = code_cells(&p.subject);
            match item {
                "机构名称" | "姓名" => p.subject_name.clone(),
                "统一社会信用代码" => uscc,
                "证件类型" => kind,
                "证件号码" => number,
                "用户编号" => p.account_no.clone().unwrap_or_default(),
                "缴费类型名称" => p.fee_type.clone(),
                "是否预缴费" => match p.prepaid {
                    Some(true) => "是".into(),
                    Some(false) => "否".into(),
                    None => String::new(),
                },
                "计量开始日" => date(p.period_start),
                "计量截止日" => date(p.period_end),
                "使用量" => p.usage.map(|q| q.to_string()).unwrap_or_default(),
                "使用单位" => p.usage_unit.clone().unwrap_or_default(),
                "缴费金额" => p.amount.to_yuan_string(),
                "经办机关全称" => or_unit(p.agency_name.as_deref(), &unit.name),
                "经办机关统一社会信用代码" => {
                    or_unit(p.agency_uscc.as_ref().map(Uscc::as_str), &unit.uscc)
                }
                "缴纳日期" => date(p.paid_on),
                _ => String::new(),
            }
        }
        Record::Arrears(a) => {
            let (uscc, kind, number) = code_cells(&a.subject);
            match item {
                "机构名称" | "欠费人" => a.subject_name.clone(),
                "统一社会信用代码" => uscc,
                "证件类型" => kind,
                "证件号码" => number,
                "用户编号" => a.account_no.clone().unwrap_or_default(),
                "欠缴类型名称" => a.arrears_type.clone(),
                "欠缴统计开始日" | "欠费开始日期" => date(a.period_start),
                "欠缴统计截止日" | "欠费统计截止日期" => date(a.period_end),
                "欠费金额" => a.amount.to_yuan_string(),
                "认定机构" => or_unit(a.determined_by.as_deref(), &unit.name),
                "认定机构统一社会信用代码" => {
                    or_unit(a.determined_by_uscc.as_ref().map(Uscc::as_str), &unit.uscc)
                }
                "认定日期" => opt_date(a.determined_on.or(ctx.decided_on)),
                "催告日期" => opt_date(a.reminded_on),
                "结清日期" => opt_date(a.paid_off_on),
                _ => String::new(),
            }
        }
        Record::Violation(v) => match item {
            "用户编号" => v.account_no.clone(),
            "用户名称" => v.user_name.clone(),
            "违约用电日期" => date(v.occurred_on),
            "违约用电金额" => v.amount.map(|f| f.to_yuan_string()).unwrap_or_default(),
            "违约用电量" => v.energy.map(|q| q.to_string()).unwrap_or_default(),
            "违约用电天数" => v.days.map(|d| d.to_string()).unwrap_or_default(),
            "违约用电总金额" => v.total_amount.to_yuan_string(),
            "违约用电时间段" => v.period_text.clone(),
            _ => String::new(),
        },
        Record::Theft(t) => {
            let (uscc, kind, number) = match &t.subject {
                SubjectRef::Code { code } => code_cells(code),
                SubjectRef::Account { .. } => Default::default(),
            };
            match item {
                "用户编号" => t.account_no.clone().unwrap_or_else(|| match &t.subject {
                    SubjectRef::Account { account_no } => account_no.clone(),
                    SubjectRef::Code { .. } => String::new(),
                }),
                "用户名称" | "机构名称" | "姓名" => t.subject_name.clone(),
                "统一社会信用代码" => uscc,
                "证件类型" => kind,
                "证件号码" => number,
                "窃电发现日期" => date(t.found_on),
                "窃电量" => t.energy.map(|q| q.to_string()).unwrap_or_default(),
                "补缴电费金额" => t.recovered_fees.to_yuan_string(),
                "违约使用电费金额" => t.penalty_fees.to_yuan_string(),
                "处理状态" => t.status.label().to_string(),
                "结清日期" => opt_date(t.settled_on),
                "认定机构" => unit.name.clone(),
                "认定机构统一社会信用代码" => unit.uscc.clone(),
                _ => String::new(),
            }
        }
    }
}

/// One export row of `record` under `def`'s columns (rule E-1): one cell per column, by the
/// column's NAME, so a template's reordered or dropped columns work; an item the record does not
/// hold is an empty cell. Dates `YYYY-MM-DD`, money in yuan with two decimals, 是否预缴费 是/否;
/// the 自然人 classes carry 证件类型 and 证件号码 in full (a government feed, not a publication).
pub fn record_row(def: &ClassDef, record: &Record, ctx: &RecordContext) -> Vec<String> {
    RowPlan::new(def).record_row(record, ctx)
}

/// A class's columns as data items, normalised once: an export of a million rows builds each
/// row from it ([`record_row`] and [`commitment_row`] normalise the names on every call).
#[derive(Debug, Clone)]
pub struct RowPlan {
    items: Vec<String>,
}

impl RowPlan {
    pub fn new(def: &ClassDef) -> Self {
        Self {
            items: def.columns.iter().map(|c| item_form(c)).collect(),
        }
    }

    /// As [`record_row`].
    pub fn record_row(&self, record: &Record, ctx: &RecordContext) -> Vec<String> {
        self.items
            .iter()
            .map(|i| record_value(i, record, ctx))
            .collect()
    }

    /// As [`commitment_row`].
    pub fn commitment_row(&self, c: &Commitment) -> Vec<String> {
        self.items
            .iter()
            .map(|i| commitment_value(i, c, &c.committer_code))
            .collect()
    }
}

/// The value of C-3 item `item` of `c`; the 承诺人代码 as `code` gives it (full or masked).
fn commitment_value(item: &str, c: &Commitment, code: &str) -> String {
    let deciding = c.deciding_unit.as_ref();
    match item {
        "承诺编码" => c.code.clone(),
        "承诺人名称" => c.committer_name.clone(),
        "承诺人类别" => committer_kind_label(c.committer_kind).to_string(),
        "承诺人代码（统一社会信用代码/身份证件）" | "承诺人代码" => {
            code.to_string()
        }
        "承诺类型" => c.commitment_type.label().to_string(),
        "承诺事由" => c.reason.clone(),
        "承诺内容" => c.content.clone(),
        "违诺责任" => c.liability.clone(),
        "承诺作出日期" => date(c.made_on),
        "承诺有效期" => opt_date(c.valid_until),
        // C-5: empty while the commitment runs.
        "承诺履行状态" => c
            .fulfilment
            .map(|f| f.label().to_string())
            .unwrap_or_default(),
        "未履行的承诺内容" => c.unfulfilled.clone().unwrap_or_default(),
        "违诺责任追究内容" => c.liability_pursued.clone().unwrap_or_default(),
        "承诺履行状态认定日期" => opt_date(c.fulfilment_decided_on),
        "承诺受理单位" => c.accepting_unit.name.clone(),
        "承诺受理单位统一社会信用代码" => c.accepting_unit.uscc.clone(),
        "承诺履行状态认定单位" => deciding.map(|u| u.name.clone()).unwrap_or_default(),
        "承诺履行状态认定单位代码" => {
            deciding.map(|u| u.uscc.clone()).unwrap_or_default()
        }
        "公开类型" => c.publicity.label().to_string(),
        "承诺书文件" => c.signed_file.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// One 信用承诺信息 row of `c` under `def`'s columns (rule C-3), by column name. Every commitment
/// is sent, 不可公开 ones too (rule E-1); 承诺人代码 in full; 承诺书文件 is the signed scan's SHA-256,
/// empty until it is attached.
pub fn commitment_row(def: &ClassDef, c: &Commitment) -> Vec<String> {
    def.columns
        .iter()
        .map(|col| commitment_value(&item_form(col), c, &c.committer_code))
        .collect()
}

/// The columns of the publication file (rule E-3): the C-3 items without 承诺书文件 (the scan is
/// not published).
pub const PUBLICATION_COLUMNS: &[&str] = &[
    "承诺编码",
    "承诺人名称",
    "承诺人类别",
    "承诺人代码（统一社会信用代码/身份证件）",
    "承诺类型",
    "承诺事由",
    "承诺内容",
    "违诺责任",
    "承诺作出日期",
    "承诺有效期",
    "承诺履行状态",
    "未履行的承诺内容",
    "违诺责任追究内容",
    "承诺履行状态认定日期",
    "承诺受理单位",
    "承诺受理单位统一社会信用代码",
    "承诺履行状态认定单位",
    "承诺履行状态认定单位代码",
    "公开类型",
];

/// The publication row of `c` under [`PUBLICATION_COLUMNS`] (rule E-3): only a 可向社会公开
/// commitment is published (特定范围内公开 and 不可公开 → `None`), and a 自然人's 证件号码 is masked
/// (rule ID-3).
pub fn publication_row(c: &Commitment) -> Option<Vec<String>> {
    if c.publicity != Publicity::Public {
        return None;
    }
    let code = if c.committer_kind == SubjectKind::NaturalPerson {
        mask_id_number(&c.committer_code)
    } else {
        c.committer_code.clone()
    };
    Some(
        PUBLICATION_COLUMNS
            .iter()
            .map(|col| commitment_value(col, c, &code))
            .collect(),
    )
}

/// What a batch row does to the platform's copy (rule E-1: each send is what changed since the
/// last accepted batch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// 新增: first sent.
    New,
    /// 更正: sent before, changed since.
    Corrected,
    /// 撤销: sent before, to be withdrawn (deleted or found wrong).
    Withdrawn,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 3] = [
        ChangeKind::New,
        ChangeKind::Corrected,
        ChangeKind::Withdrawn,
    ];

    /// 新增 / 更正 / 撤销, as the change list writes it.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::New => "新增",
            ChangeKind::Corrected => "更正",
            ChangeKind::Withdrawn => "撤销",
        }
    }

    /// The stable ASCII key.
    pub fn key(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Corrected => "corrected",
            ChangeKind::Withdrawn => "withdrawn",
        }
    }

    /// The change of a label or key.
    pub fn from_label_or_key(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s || k.label() == s)
    }
}

/// The subject code of a list entry (rule E-2): a 统一社会信用代码 or a 居民身份证号码, each
/// validated with its check character (rules ID-1, ID-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListCode {
    Uscc(Uscc),
    Person(IdDocument),
}

impl ListCode {
    /// A code from a column that may hold either kind: whichever validates; when neither does,
    /// the shape decides which error names the problem (as `code check` does).
    pub fn parse(input: &str, today: NaiveDate) -> Result<ListCode, IdError> {
        let check = check_code(input, today);
        match (check.kind, check.result) {
            (CodeKind::Uscc, Ok(())) => Uscc::parse(input).map(ListCode::Uscc),
            (CodeKind::ResidentId, Ok(())) => {
                IdDocument::parse(IdDocKind::ResidentId, input, today).map(ListCode::Person)
            }
            (CodeKind::ResidentId, Err(e)) => Err(e),
            // Not shaped like a resident ID: report it as a USCC, the codes lists mostly hold.
            (_, _) => Uscc::parse(input).map(ListCode::Uscc),
        }
    }

    /// A 统一社会信用代码 column.
    pub fn parse_uscc(input: &str) -> Result<ListCode, IdError> {
        Uscc::parse(input).map(ListCode::Uscc)
    }

    /// A 身份证号码 column.
    pub fn parse_resident_id(input: &str, today: NaiveDate) -> Result<ListCode, IdError> {
        IdDocument::parse(IdDocKind::ResidentId, input, today).map(ListCode::Person)
    }

    /// The code in full (for matching; never shown in lists, rule ID-3).
    pub fn as_str(&self) -> &str {
        match self {
            ListCode::Uscc(u) => u.as_str(),
            ListCode::Person(d) => &d.number,
        }
    }

    /// As shown: a personal number masked (rule ID-3).
    pub fn display_masked(&self) -> String {
        match self {
            ListCode::Uscc(u) => u.to_string(),
            ListCode::Person(d) => d.masked(),
        }
    }

    /// Whether the entry is about the subject with this code.
    pub fn matches(&self, code: &SubjectCode) -> bool {
        match (self, code) {
            (ListCode::Uscc(a), SubjectCode::Uscc { code }) => a == code,
            (ListCode::Person(a), SubjectCode::Person { doc }) => {
                a.kind == doc.kind && a.number == doc.number
            }
            _ => false,
        }
    }
}

/// One entry of a dishonesty list snapshot the platform sends back (rule E-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// 名称 / 姓名 as the list writes it.
    pub name: String,
    pub code: ListCode,
    /// e.g. 严重失信主体名单.
    pub list_type: String,
    /// 列入日期 (认定日期).
    pub listed_on: NaiveDate,
    /// 列入原因 / 失信行为.
    pub reason: String,
    /// 认定机关.
    pub authority: String,
    /// 移出日期, `None` while listed.
    pub removed_on: Option<NaiveDate>,
}

impl ListEntry {
    /// Whether the entry is in force on `date`: listed on or before it and not removed by then
    /// (removal takes effect on its day).
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.listed_on <= date && self.removed_on.is_none_or(|r| r > date)
    }

    /// Whether this entry is on a 严重失信主体名单 (T-1(c) turns on it).
    pub fn is_serious(&self) -> bool {
        is_serious_list(&self.list_type)
    }
}

/// Whether a list type names the 严重失信主体名单, in the spellings lists use: 严重失信主体名单,
/// 严重失信名单, 严重失信主体, 严重失信黑名单, 失信联合惩戒对象名单 (the older name), with or without
/// spaces or a 类型/名单 suffix. Other lists (重点关注名单, 经营异常名录, …) are not.
pub fn is_serious_list(list_type: &str) -> bool {
    let t = item_form(list_type);
    t.contains("严重失信") || t.contains("失信联合惩戒对象")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::commitment::{CommitmentId, CommitmentType, Fulfilment};
    use crate::domain::id_codes::{resident_id_check_char, uscc_check_char};
    use crate::domain::letter::LetterFields;
    use crate::domain::records::{
        ArrearsRecord, Fen, PaymentRecord, Quantity, TheftRecord, TheftStatus, ViolationRecord,
    };
    use crate::domain::subject::SubjectId;
    use crate::domain::trust::Business;

    /// The annex text as published, copied verbatim into the repository.
    const ANNEX: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/platform/annex4-source.txt"
    ));

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn uscc(body: &str) -> Uscc {
        Uscc::parse(&format!("{body}{}", uscc_check_char(body).unwrap())).unwrap()
    }

    fn resident(first17: &str) -> String {
        format!("{first17}{}", resident_id_check_char(first17).unwrap())
    }

    /// `(信息分类, 信息类名称, 数据项名称…)` of every row of annex 4's table, read from the text.
    fn annex_rows() -> Vec<(String, String, Vec<String>)> {
        let after = ANNEX.split_once("附件 4").unwrap().1;
        after
            .lines()
            .filter(|l| l.trim_start().starts_with('|'))
            .map(|l| {
                l.trim()
                    .trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|cells| {
                cells.len() == 3 && cells[1] != "信息类名称" && !cells[1].starts_with('-')
            })
            .map(|cells| {
                let items = cells[2].split('、').map(str::to_string).collect();
                (cells[0].clone(), cells[1].clone(), items)
            })
            .collect()
    }

    #[test]
    fn builtin_catalog_has_annex_4_names_exactly_in_its_order() {
        let annex = annex_rows();
        assert_eq!(annex.len(), 6, "annex 4 has six classes");
        let catalog = Catalog::builtin();
        let annex_classes: Vec<&ClassDef> = catalog
            .classes()
            .iter()
            .filter(|d| d.class.in_annex4())
            .collect();
        assert_eq!(annex_classes.len(), 6);
        for ((category, name, items), def) in annex.iter().zip(&annex_classes) {
            assert_eq!(&def.name, name);
            assert_eq!(def.class.label(), name);
            assert_eq!(&def.category, category);
            assert_eq!(&def.columns, items, "{name}");
        }
        // Every item of the built-in catalog is one the rows fill.
        assert_eq!(catalog.unknown_columns(), &[]);
        let theft = catalog.class(PlatformClass::Theft).unwrap();
        assert!(theft.columns.contains(&"窃电发现日期".to_string()));
        assert_eq!(
            catalog.classes().last().unwrap().class,
            PlatformClass::Theft
        );
    }

    #[test]
    fn class_keys_and_labels_round_trip() {
        for c in PlatformClass::ALL {
            assert_eq!(PlatformClass::from_key(c.key()), Some(c));
            assert_eq!(PlatformClass::from_label_or_key(c.label()), Some(c));
        }
        assert_eq!(
            PlatformClass::from_label_or_key("拖欠公用事业费用信息(自然人)"),
            Some(PlatformClass::PersonArrears)
        );
        assert_eq!(PlatformClass::from_key("violation"), None);
        for k in RecordKind::ALL {
            assert_eq!(PlatformClass::for_record_kind(k).label(), k.label());
        }
        for k in ChangeKind::ALL {
            assert_eq!(ChangeKind::from_label_or_key(k.label()), Some(k));
        }
        assert_eq!(ChangeKind::Withdrawn.label(), "撤销");
    }

    fn ctx() -> RecordContext {
        RecordContext {
            unit: AcceptingUnit {
                name: "广东电网有限责任公司湛江供电局".into(),
                uscc: uscc("91440800190336042").to_string(),
            },
            decided_on: Some(d(2024, 9, 1)),
        }
    }

    fn payment() -> PaymentRecord {
        PaymentRecord {
            subject: SubjectCode::Uscc {
                code: uscc("91440800MA4UMB8E0"),
            },
            subject_name: "湛江市海港贸易有限公司".into(),
            account_no: Some("0301234567".into()),
            fee_type: "电费".into(),
            prepaid: Some(true),
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
    fn payment_row_follows_the_annex_columns() {
        let catalog = Catalog::builtin();
        let def = catalog.class(PlatformClass::Payment).unwrap();
        let row = record_row(def, &Record::Payment(payment()), &ctx());
        assert_eq!(
            row,
            vec![
                "湛江市海港贸易有限公司",
                uscc("91440800MA4UMB8E0").as_str(),
                "电费",
                "是",
                "2024-01-01",
                "2024-01-31",
                "1234.5",
                "千瓦时",
                "1234.50",
                "广东电网有限责任公司湛江供电局",
                ctx().unit.uscc.as_str(),
                "2024-02-05",
            ]
        );
    }

    #[test]
    fn a_template_with_reordered_and_dropped_columns_shapes_the_rows() {
        let template = "\u{FEFF}信息类键,信息分类,信息类名称,数据项名称\n\
            ,公共信用类,公用事业缴费信息,缴纳日期\n\
            ,公共信用类,公用事业缴费信息,缴费金额\n\
            ,公共信用类,公用事业缴费信息, 机构名称 \n\
            ,公共信用类,公用事业缴费信息,备注\n\
            ,公共信用类,燃气缴费信息,燃气户号\n";
        let catalog = Catalog::parse(template).unwrap();
        let def = catalog.class(PlatformClass::Payment).unwrap();
        assert_eq!(def.columns, ["缴纳日期", "缴费金额", "机构名称", "备注"]);
        assert_eq!(
            record_row(def, &Record::Payment(payment()), &ctx()),
            ["2024-02-05", "1234.50", "湛江市海港贸易有限公司", ""]
        );
        // The unknown item is reported with its line; a class the file lacks is not exported.
        assert_eq!(
            catalog.unknown_columns(),
            &[UnknownColumn {
                class: PlatformClass::Payment,
                column: "备注".into(),
                line: 5
            }]
        );
        assert!(catalog.class(PlatformClass::Arrears).is_none());
    }

    #[test]
    fn catalog_files_with_errors_are_refused_with_their_line() {
        assert_eq!(Catalog::parse("# 只有注释\n"), Err(CatalogError::Empty));
        let dup = "payment,类,公用事业缴费信息,缴费金额\npayment,类,公用事业缴费信息,缴费金额\n";
        assert!(matches!(
            Catalog::parse(dup),
            Err(CatalogError::DuplicateColumn {
                line: 2,
                first: 1,
                ..
            })
        ));
        let bad_key = "paymnt,类,公用事业缴费信息,缴费金额\n";
        let e = Catalog::parse(bad_key).unwrap_err();
        assert!(
            e.to_string().contains("第 1 行") && e.to_string().contains("paymnt"),
            "{e}"
        );
        let short = "payment,类,公用事业缴费信息\n";
        assert!(matches!(
            Catalog::parse(short),
            Err(CatalogError::Syntax { line: 1, .. })
        ));
    }

    #[test]
    fn person_rows_carry_the_full_id_number() {
        let number = resident("44080219850101123");
        let doc = IdDocument::parse(IdDocKind::ResidentId, &number, d(2026, 1, 1)).unwrap();
        let mut p = payment();
        p.subject = SubjectCode::Person { doc: doc.clone() };
        p.subject_name = "张三".into();
        p.prepaid = Some(false);
        let record = Record::Payment(p);
        let catalog = Catalog::builtin();
        let def = catalog
            .class(PlatformClass::for_record_kind(record.kind()))
            .unwrap();
        assert_eq!(def.class, PlatformClass::PersonPayment);
        let row = record_row(def, &record, &ctx());
        assert_eq!(
            &row[..5],
            ["张三", "居民身份证", number.as_str(), "电费", "否"]
        );

        let arrears = Record::Arrears(ArrearsRecord {
            subject: SubjectCode::Person { doc },
            subject_name: "张三".into(),
            account_no: None,
            arrears_type: "电费".into(),
            period_start: d(2024, 1, 1),
            period_end: d(2024, 3, 31),
            amount: Fen(2_000_000),
            determined_by: None,
            determined_by_uscc: None,
            determined_on: None,
            reminded_on: Some(d(2024, 4, 1)),
            just_cause: None,
            paid_off_on: None,
        });
        let def = catalog.class(PlatformClass::PersonArrears).unwrap();
        assert_eq!(
            record_row(def, &arrears, &ctx()),
            [
                "张三",
                "居民身份证",
                number.as_str(),
                "电费",
                "2024-01-01",
                "2024-03-31",
                "20000.00",
                "广东电网有限责任公司湛江供电局"
            ]
        );
        // The organisation variant takes the D-1 determination date from the context.
        let def = catalog.class(PlatformClass::Arrears).unwrap();
        let row = record_row(def, &arrears, &ctx());
        assert_eq!(row.last().map(String::as_str), Some("2024-09-01"));
    }

    #[test]
    fn violation_and_theft_rows() {
        let catalog = Catalog::builtin();
        let v = Record::Violation(ViolationRecord {
            account_no: "0301".into(),
            user_name: "乙".into(),
            occurred_on: d(2024, 5, 1),
            amount: None,
            energy: Some(Quantity(12_000)),
            days: Some(3),
            total_amount: Fen(100),
            period_text: "2024-05-01至2024-05-03".into(),
        });
        let def = catalog.class(PlatformClass::Violation).unwrap();
        assert_eq!(
            record_row(def, &v, &ctx()),
            [
                "0301",
                "乙",
                "2024-05-01",
                "",
                "12",
                "3",
                "1.00",
                "2024-05-01至2024-05-03"
            ]
        );
        let t = Record::Theft(TheftRecord {
            subject: SubjectRef::Account {
                account_no: "0302".into(),
            },
            subject_name: "丙".into(),
            account_no: None,
            found_on: d(2024, 6, 1),
            energy: None,
            recovered_fees: Fen(50_000),
            penalty_fees: Fen(150_000),
            status: TheftStatus::Settled,
            settled_on: Some(d(2024, 7, 1)),
        });
        let def = catalog.class(PlatformClass::Theft).unwrap();
        let row = record_row(def, &t, &ctx());
        let cell = |name: &str| {
            let i = def.columns.iter().position(|c| c == name).unwrap();
            row[i].clone()
        };
        assert_eq!(cell("用户编号"), "0302");
        assert_eq!(cell("违约使用电费金额"), "1500.00");
        assert_eq!(cell("处理状态"), "已结清");
        assert_eq!(cell("结清日期"), "2024-07-01");
        assert_eq!(cell("统一社会信用代码"), "");
    }

    pub(crate) fn commitment(kind: SubjectKind, code: &str, publicity: Publicity) -> Commitment {
        Commitment {
            id: CommitmentId(1),
            subject_id: SubjectId(1),
            code: "44080020240305000001".into(),
            committer_name: "李四".into(),
            committer_kind: kind,
            committer_code: code.into(),
            commitment_type: CommitmentType::ProofSubstitute,
            business: Business::NewConnection,
            reason: "信易电".into(),
            content: "一、……".into(),
            liability: "违诺责任".into(),
            made_on: d(2024, 3, 5),
            valid_until: Some(d(2025, 3, 5)),
            fulfilment: Some(Fulfilment::Full),
            unfulfilled: None,
            liability_pursued: None,
            fulfilment_decided_on: Some(d(2025, 3, 6)),
            accepting_unit: AcceptingUnit::default(),
            deciding_unit: None,
            publicity,
            letter: LetterFields::default(),
            signed_file: Some("ab".repeat(32)),
            signed_on: Some(d(2024, 3, 5)),
            issued_by: "Z001".into(),
        }
    }

    #[test]
    fn commitment_row_has_every_c3_item_and_the_full_code() {
        let number = resident("44080219850101123");
        let c = commitment(SubjectKind::NaturalPerson, &number, Publicity::Private);
        let catalog = Catalog::builtin();
        let def = catalog.class(PlatformClass::Commitment).unwrap();
        let row = commitment_row(def, &c);
        assert_eq!(row.len(), 20);
        assert_eq!(row[0], "44080020240305000001");
        assert_eq!(row[2], "自然人");
        assert_eq!(row[3], number);
        assert_eq!(row[4], "证明事项型");
        assert_eq!(row[10], "全部履行");
        assert_eq!(row[14], "广东电网有限责任公司湛江供电局");
        assert_eq!(row[18], "不可公开");
        assert_eq!(row[19], "ab".repeat(32));
    }

    #[test]
    fn publication_masks_numbers_and_leaves_out_what_is_not_public() {
        let number = resident("44080219850101123");
        let c = commitment(SubjectKind::NaturalPerson, &number, Publicity::Public);
        let row = publication_row(&c).unwrap();
        assert_eq!(row.len(), PUBLICATION_COLUMNS.len());
        assert!(!PUBLICATION_COLUMNS.contains(&"承诺书文件"));
        assert_eq!(row[3], mask_id_number(&number));
        assert!(!row.iter().any(|cell| cell.contains(&number)));
        assert!(!row.contains(&"ab".repeat(32)));
        for p in [Publicity::Restricted, Publicity::Private] {
            assert_eq!(
                publication_row(&commitment(SubjectKind::NaturalPerson, &number, p)),
                None
            );
        }
        // An organisation's USCC is public.
        let code = uscc("91440800MA4UMB8E0").to_string();
        let org = commitment(SubjectKind::Organization, &code, Publicity::Public);
        assert_eq!(publication_row(&org).unwrap()[3], code);
    }

    #[test]
    fn list_entries_in_force_and_serious_lists() {
        let code = ListCode::parse(uscc("91440800MA4UMB8E0").as_str(), d(2026, 1, 1)).unwrap();
        assert!(matches!(code, ListCode::Uscc(_)));
        let mut e = ListEntry {
            name: "甲".into(),
            code,
            list_type: "严重失信主体名单".into(),
            listed_on: d(2024, 3, 5),
            reason: "欠费".into(),
            authority: "湛江市发展和改革局".into(),
            removed_on: None,
        };
        assert!(!e.in_force_on(d(2024, 3, 4)));
        assert!(e.in_force_on(d(2024, 3, 5)));
        assert!(e.in_force_on(d(2030, 1, 1)));
        e.removed_on = Some(d(2025, 1, 1));
        assert!(e.in_force_on(d(2024, 12, 31)));
        assert!(!e.in_force_on(d(2025, 1, 1)));
        assert!(e.is_serious());
        for s in [
            "严重失信主体名单",
            "严重失信 名单",
            "严重失信黑名单",
            "失信联合惩戒对象名单",
        ] {
            assert!(is_serious_list(s), "{s}");
        }
        for s in ["重点关注名单", "经营异常名录", "失信被执行人"] {
            assert!(!is_serious_list(s), "{s}");
        }
    }

    #[test]
    fn list_codes_are_validated_and_matched() {
        let today = d(2026, 1, 1);
        let number = resident("44080219850101123");
        let code = ListCode::parse(&number, today).unwrap();
        assert!(matches!(code, ListCode::Person(_)));
        assert_eq!(code.display_masked(), mask_id_number(&number));
        let doc = IdDocument::parse(IdDocKind::ResidentId, &number, today).unwrap();
        assert!(code.matches(&SubjectCode::Person { doc }));
        // A broken check digit is named.
        let mut bad = number.clone();
        let last = if bad.ends_with('0') { '1' } else { '0' };
        bad.pop();
        bad.push(last);
        assert!(matches!(
            ListCode::parse(&bad, today),
            Err(IdError::CheckChar { .. })
        ));
        let good = uscc("91440800MA4UMB8E0").to_string();
        let broken = format!(
            "{}{}",
            &good[..17],
            if good.ends_with('0') { '1' } else { '0' }
        );
        assert!(matches!(
            ListCode::parse(&broken, today),
            Err(IdError::CheckChar { .. })
        ));
    }
}
