//! Column headers: annex 4's Chinese data-item names (plus the extra columns the dishonesty rules
//! need), which columns each record kind requires, and the header → column map.

use crate::domain::id_codes::normalize;
use crate::domain::records::RecordKind;

use super::ImportError;

/// Every column the import understands. The label is the annex-4 data-item name (rule E-1 uses the
/// same names for export).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Col {
    OrgName,
    Uscc,
    PersonName,
    Debtor,
    IdType,
    IdNumber,
    AccountNo,
    UserName,
    FeeType,
    Prepaid,
    MeterStart,
    MeterEnd,
    Usage,
    UsageUnit,
    PaidAmount,
    AgencyName,
    AgencyUscc,
    PaidOn,
    ArrearsType,
    ArrearsStart,
    ArrearsEnd,
    PersonArrearsStart,
    PersonArrearsEnd,
    ArrearsAmount,
    DeterminedBy,
    DeterminedByUscc,
    DeterminedOn,
    RemindedOn,
    JustCause,
    PaidOffOn,
    ViolationDate,
    ViolationAmount,
    ViolationEnergy,
    ViolationDays,
    ViolationTotal,
    ViolationPeriod,
    TheftFoundOn,
    TheftEnergy,
    RecoveredFees,
    PenaltyFees,
    TheftStatus,
}

pub(crate) const COL_COUNT: usize = 41;

impl Col {
    pub(crate) const ALL: [Col; COL_COUNT] = [
        Col::OrgName,
        Col::Uscc,
        Col::PersonName,
        Col::Debtor,
        Col::IdType,
        Col::IdNumber,
        Col::AccountNo,
        Col::UserName,
        Col::FeeType,
        Col::Prepaid,
        Col::MeterStart,
        Col::MeterEnd,
        Col::Usage,
        Col::UsageUnit,
        Col::PaidAmount,
        Col::AgencyName,
        Col::AgencyUscc,
        Col::PaidOn,
        Col::ArrearsType,
        Col::ArrearsStart,
        Col::ArrearsEnd,
        Col::PersonArrearsStart,
        Col::PersonArrearsEnd,
        Col::ArrearsAmount,
        Col::DeterminedBy,
        Col::DeterminedByUscc,
        Col::DeterminedOn,
        Col::RemindedOn,
        Col::JustCause,
        Col::PaidOffOn,
        Col::ViolationDate,
        Col::ViolationAmount,
        Col::ViolationEnergy,
        Col::ViolationDays,
        Col::ViolationTotal,
        Col::ViolationPeriod,
        Col::TheftFoundOn,
        Col::TheftEnergy,
        Col::RecoveredFees,
        Col::PenaltyFees,
        Col::TheftStatus,
    ];

    /// The data-item name as annex 4 writes it (or, for the extra columns, as this product names
    /// them).
    pub(crate) fn label(self) -> &'static str {
        match self {
            Col::OrgName => "机构名称",
            Col::Uscc => "统一社会信用代码",
            Col::PersonName => "姓名",
            Col::Debtor => "欠费人",
            Col::IdType => "证件类型",
            Col::IdNumber => "证件号码",
            Col::AccountNo => "用户编号",
            Col::UserName => "用户名称",
            Col::FeeType => "缴费类型名称",
            Col::Prepaid => "是否预缴费",
            Col::MeterStart => "计量开始日",
            Col::MeterEnd => "计量截止日",
            Col::Usage => "使用量",
            Col::UsageUnit => "使用单位",
            Col::PaidAmount => "缴费金额",
            Col::AgencyName => "经办机关全称",
            Col::AgencyUscc => "经办机关统一社会信用代码",
            Col::PaidOn => "缴纳日期",
            Col::ArrearsType => "欠缴类型名称",
            Col::ArrearsStart => "欠缴统计开始日",
            Col::ArrearsEnd => "欠缴统计截止日",
            Col::PersonArrearsStart => "欠费开始日期",
            Col::PersonArrearsEnd => "欠费统计截止日期",
            Col::ArrearsAmount => "欠费金额",
            Col::DeterminedBy => "认定机构",
            Col::DeterminedByUscc => "认定机构统一社会信用代码",
            Col::DeterminedOn => "认定日期",
            Col::RemindedOn => "催告日期",
            Col::JustCause => "正当理由",
            Col::PaidOffOn => "结清日期",
            Col::ViolationDate => "违约用电日期",
            Col::ViolationAmount => "违约用电金额",
            Col::ViolationEnergy => "违约用电量",
            Col::ViolationDays => "违约用电天数",
            Col::ViolationTotal => "违约用电总金额",
            Col::ViolationPeriod => "违约用电时间段",
            Col::TheftFoundOn => "窃电发现日期",
            Col::TheftEnergy => "窃电量",
            Col::RecoveredFees => "补缴电费金额",
            Col::PenaltyFees => "违约使用电费金额",
            Col::TheftStatus => "处理状态",
        }
    }

    /// Other names seen in hand-made sheets, already in normalised form.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::Uscc => &["社会信用代码", "信用代码"],
            Col::IdNumber => &["身份证号码", "证件号", "身份证号"],
            Col::AccountNo => &["户号", "用电户号"],
            Col::PaidOn => &["缴费日期"],
            Col::TheftFoundOn => &["窃电日期", "发现日期"],
            Col::RecoveredFees => &["补缴电费"],
            Col::PenaltyFees => &["违约使用电费"],
            Col::TheftStatus => &["状态"],
            Col::PaidOffOn => &["缴清日期"],
            Col::RemindedOn => &["催缴日期"],
            _ => &[],
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The columns of a kind: `(column, required)`. A required column must be in the header and
/// must not be empty in any row. The choice keeps what identifies the record, its natural key and
/// its amount required, and lets the rest of annex 4 be absent (exports fill the bureau's own
/// name as 经办机关 / 认定机构).
pub(crate) fn spec(kind: RecordKind) -> &'static [(Col, bool)] {
    use Col::*;
    match kind {
        RecordKind::Payment => &[
            (OrgName, true),
            (Uscc, true),
            (AccountNo, false),
            (FeeType, false),
            (Prepaid, false),
            (MeterStart, true),
            (MeterEnd, true),
            (Usage, false),
            (UsageUnit, false),
            (PaidAmount, true),
            (AgencyName, false),
            (AgencyUscc, false),
            (PaidOn, true),
        ],
        RecordKind::PersonPayment => &[
            (PersonName, true),
            (IdType, true),
            (IdNumber, true),
            (AccountNo, false),
            (FeeType, false),
            (Prepaid, false),
            (MeterStart, true),
            (MeterEnd, true),
            (Usage, false),
            (UsageUnit, false),
            (PaidAmount, true),
            (AgencyName, false),
            (AgencyUscc, false),
            (PaidOn, true),
        ],
        RecordKind::Arrears => &[
            (OrgName, true),
            (Uscc, true),
            (AccountNo, false),
            (ArrearsType, false),
            (ArrearsStart, true),
            (ArrearsEnd, true),
            (ArrearsAmount, true),
            (DeterminedBy, false),
            (DeterminedByUscc, false),
            (DeterminedOn, false),
            (RemindedOn, false),
            (JustCause, false),
            (PaidOffOn, false),
        ],
        RecordKind::PersonArrears => &[
            (Debtor, true),
            (IdType, true),
            (IdNumber, true),
            (AccountNo, false),
            (ArrearsType, false),
            (PersonArrearsStart, true),
            (PersonArrearsEnd, true),
            (ArrearsAmount, true),
            (DeterminedBy, false),
            (DeterminedOn, false),
            (RemindedOn, false),
            (JustCause, false),
            (PaidOffOn, false),
        ],
        RecordKind::ViolationUsage => &[
            (AccountNo, true),
            (UserName, true),
            (ViolationDate, true),
            (ViolationAmount, false),
            (ViolationEnergy, false),
            (ViolationDays, false),
            (ViolationTotal, true),
            (ViolationPeriod, false),
        ],
        RecordKind::Theft => &[
            (AccountNo, false),
            (UserName, true),
            (Uscc, false),
            (IdType, false),
            (IdNumber, false),
            (TheftFoundOn, true),
            (TheftEnergy, false),
            (RecoveredFees, true),
            (PenaltyFees, true),
            (TheftStatus, false),
            (PaidOffOn, false),
        ],
    }
}

/// Normalise a header cell: drop the BOM and every space, fold full-width forms, drop a required
/// marker `*` and a trailing unit in parentheses (`缴费金额（元）`, `使用量(千瓦时)`).
pub(crate) fn normalize_header(s: &str) -> String {
    let mut t = normalize(s.trim_start_matches('\u{feff}'));
    t = t.trim_matches(['*', '※']).to_string();
    if t.ends_with(')')
        && let Some(open) = t.rfind('(')
        && open > 0
    {
        t.truncate(open);
    }
    t
}

/// The column a header cell names, if any.
pub(crate) fn lookup(header: &str) -> Option<Col> {
    let h = normalize_header(header);
    if h.is_empty() {
        return None;
    }
    Col::ALL
        .into_iter()
        .find(|c| c.label() == h || c.aliases().contains(&h.as_str()))
}

/// How many cells of a row name a known column: a header row has at least [`MIN_KNOWN`].
pub(crate) fn known_count<'a>(cells: impl Iterator<Item = &'a str>) -> usize {
    cells.filter(|c| lookup(c).is_some()).count()
}

/// A row is taken as the header when at least this many of its cells are known column names.
pub(crate) const MIN_KNOWN: usize = 2;

/// Where each column of the chosen kind is in the file.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap {
    /// Position of each [`Col`] in the row, when the file has it.
    pub(crate) pos: [Option<usize>; COL_COUNT],
    /// The header text as the file writes it, per position (named in error messages).
    pub(crate) names: Vec<String>,
}

impl ColumnMap {
    pub(crate) fn position(&self, col: Col) -> Option<usize> {
        self.pos.get(col.index()).copied().flatten()
    }

    /// The column's name as the clerk's file writes it (falls back to the annex-4 name).
    pub(crate) fn name(&self, col: Col) -> &str {
        self.position(col)
            .and_then(|p| self.names.get(p))
            .map_or(col.label(), |s| s.trim())
    }
}

/// The outcome of reading the header row.
pub(crate) struct HeaderMatch {
    pub(crate) kind: RecordKind,
    pub(crate) detected: bool,
    pub(crate) map: ColumnMap,
    pub(crate) unknown: Vec<String>,
    pub(crate) absent_optional: Vec<&'static str>,
}

/// Excel's column letters for a 0-based position (A, B, …, Z, AA, …).
pub(crate) fn col_letter(mut idx: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (idx % 26) as u8);
        if idx < 26 {
            break;
        }
        idx = idx / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Map a header row to a kind (given or detected) and column positions.
pub(crate) fn match_header(
    cells: &[String],
    kind: Option<RecordKind>,
    header_row: u64,
) -> Result<HeaderMatch, ImportError> {
    let mut found: [Option<usize>; COL_COUNT] = [None; COL_COUNT];
    for (i, cell) in cells.iter().enumerate() {
        if let Some(col) = lookup(cell)
            && let Some(slot) = found.get_mut(col.index())
        {
            if let Some(first) = *slot {
                return Err(ImportError::DuplicateColumn {
                    name: col.label().to_string(),
                    first: col_letter(first),
                    second: col_letter(i),
                });
            }
            *slot = Some(i);
        }
    }
    let at = |c: Col| found.get(c.index()).copied().flatten();
    let missing_of = |k: RecordKind| -> Vec<&'static str> {
        spec(k)
            .iter()
            .filter(|(c, req)| *req && at(*c).is_none())
            .map(|(c, _)| c.label())
            .collect()
    };
    let (kind, detected) = match kind {
        Some(k) => {
            let missing = missing_of(k);
            if !missing.is_empty() {
                return Err(ImportError::MissingColumns {
                    kind: k.label(),
                    missing: missing.join("、"),
                    header_row,
                });
            }
            (k, false)
        }
        None => {
            // The kind whose required columns are all present and which recognises the most
            // columns of the file; ties go to the earlier kind in RecordKind::ALL.
            let score = |k: RecordKind| spec(k).iter().filter(|(c, _)| at(*c).is_some()).count();
            let best = RecordKind::ALL
                .into_iter()
                .filter(|k| missing_of(*k).is_empty())
                .max_by_key(|k| (score(*k), std::cmp::Reverse(*k)));
            match best {
                Some(k) => (k, true),
                None => {
                    let closest = RecordKind::ALL
                        .into_iter()
                        .max_by_key(|k| {
                            let req = spec(*k).iter().filter(|(_, r)| *r).count();
                            let have = req - missing_of(*k).len();
                            // Highest share of required columns present, then most recognised.
                            (have * 1000 / req.max(1), score(*k), std::cmp::Reverse(*k))
                        })
                        .unwrap_or(RecordKind::Payment);
                    return Err(ImportError::UnknownKind {
                        closest: closest.label(),
                        missing: missing_of(closest).join("、"),
                    });
                }
            }
        }
    };
    let mut pos: [Option<usize>; COL_COUNT] = [None; COL_COUNT];
    let mut absent_optional = Vec::new();
    for (col, req) in spec(kind) {
        if let Some(slot) = pos.get_mut(col.index()) {
            *slot = at(*col);
        }
        if !req && at(*col).is_none() {
            absent_optional.push(col.label());
        }
    }
    // Known names that this kind does not use are reported like unknown ones: they are ignored.
    let mut unknown = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let t = cell.trim().trim_start_matches('\u{feff}');
        if t.is_empty() {
            continue;
        }
        let used = pos.contains(&Some(i));
        if !used {
            unknown.push(t.to_string());
        }
    }
    Ok(HeaderMatch {
        kind,
        detected,
        map: ColumnMap {
            pos,
            names: cells.to_vec(),
        },
        unknown,
        absent_optional,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_kind_is_detected_from_its_own_required_columns() {
        for kind in RecordKind::ALL {
            let names: Vec<String> = spec(kind)
                .iter()
                .filter(|(_, r)| *r)
                .map(|(c, _)| c.label().to_string())
                .collect();
            let m = match_header(&names, None, 1).unwrap();
            assert_eq!(m.kind, kind, "{names:?}");
            assert!(m.detected);
        }
    }

    #[test]
    fn headers_are_normalised() {
        assert_eq!(lookup("\u{feff}缴费金额（元）"), Some(Col::PaidAmount));
        assert_eq!(lookup(" *统一社会信用代码 "), Some(Col::Uscc));
        assert_eq!(lookup("使用量(千瓦时)"), Some(Col::Usage));
        assert_eq!(lookup("社会信用代码"), Some(Col::Uscc));
        assert_eq!(lookup("备注"), None);
        assert_eq!(lookup(""), None);
    }

    #[test]
    fn unknown_and_unused_columns_are_reported() {
        let m = match_header(
            &cells(&[
                "备注",
                "机构名称",
                "统一社会信用代码",
                "计量开始日",
                "计量截止日",
                "缴费金额",
                "缴纳日期",
                "违约用电日期",
                "",
            ]),
            None,
            1,
        )
        .unwrap();
        assert_eq!(m.kind, RecordKind::Payment);
        assert_eq!(
            m.unknown,
            vec!["备注".to_string(), "违约用电日期".to_string()]
        );
        assert!(m.absent_optional.contains(&"使用量"));
        assert_eq!(m.map.position(Col::PaidAmount), Some(5));
    }

    #[test]
    fn missing_and_duplicate_columns_are_errors() {
        let err = match_header(
            &cells(&["机构名称", "统一社会信用代码", "缴费金额"]),
            Some(RecordKind::Payment),
            3,
        )
        .err()
        .unwrap();
        let msg = err.to_string();
        assert!(msg.contains("计量开始日") && msg.contains("缴纳日期") && msg.contains("第 3 行"));
        let err = match_header(
            &cells(&["机构名称", "统一社会信用代码", "缴费金额"]),
            None,
            1,
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("公用事业缴费信息"), "{err}");
        let err = match_header(&cells(&["机构名称", "机构名称（全称）"]), None, 1)
            .err()
            .unwrap();
        assert!(matches!(err, ImportError::DuplicateColumn { .. }));
        assert!(err.to_string().contains("A 列") && err.to_string().contains("B 列"));
    }

    #[test]
    fn public_column_list_matches_the_spec() {
        let cols = crate::documents::import::columns(RecordKind::PersonArrears);
        assert_eq!(cols[0].name, "欠费人");
        assert!(cols[0].required);
        assert!(cols.iter().any(|c| c.name == "催告日期" && !c.required));
    }

    #[test]
    fn column_letters() {
        assert_eq!(col_letter(0), "A");
        assert_eq!(col_letter(25), "Z");
        assert_eq!(col_letter(26), "AA");
        assert_eq!(col_letter(701), "ZZ");
        assert_eq!(col_letter(702), "AAA");
    }
}
