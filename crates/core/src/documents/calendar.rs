//! The working-day calendar as a file (rule X-3: holidays and adjusted working days are data):
//! the shipped one (`assets/calendar/holidays.csv`, 2025–2027) and the files an admin imports,
//! CSV (UTF-8 or GBK) or XLSX with the columns 日期, 类型 (放假 / 上班) and 名称, in any order.
//!
//! All or nothing: every bad row is named (row, column, value, reason) and nothing is returned.

use std::path::Path;

use crate::documents::platform::table::{MAX_TITLE_ROWS, Value, date_of, match_header, read_table};
use crate::documents::platform::{PlatformFileError, RowProblem};
use crate::domain::calendar::{CalendarDay, DayKind};

/// The shipped calendar: the State Council's notices for 2025 (国办发明电〔2024〕12号) and 2026
/// (国办发明电〔2025〕7号); for 2027 only the statutory holidays (全国年节及纪念日放假办法), since
/// its 调休 notice was not yet published when this file was made — an admin imports it.
pub const SHIPPED_CALENDAR: &str = include_str!("../../assets/calendar/holidays.csv");

/// The most rows a calendar file may have (a few dozen a year).
const MAX_ROWS: usize = 5000;

/// Why a calendar file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarFileError {
    #[error(transparent)]
    File(#[from] PlatformFileError),
    #[error("工作日历文件有 {} 处问题，未导入：{}", .0.len(), list(.0))]
    Rows(Vec<RowProblem>),
    #[error("工作日历文件没有数据行：请按“日期、类型（放假/上班）、名称”三列填写")]
    NoRows,
    #[error("工作日历文件超过 {MAX_ROWS} 行：一个文件请只放几年的安排")]
    TooManyRows,
}

fn list(p: &[RowProblem]) -> String {
    let mut s: Vec<String> = p.iter().take(20).map(|p| p.to_string()).collect();
    if p.len() > 20 {
        s.push(format!("……另有 {} 处", p.len() - 20));
    }
    s.join("；")
}

const FIELDS: [&[&str]; 3] = [
    &["日期", "date"],
    &["类型", "kind", "放假/上班"],
    &["名称", "节日", "name"],
];

/// One data row: its cells under the matched columns.
fn day_of(
    row: u64,
    cells: &[Value],
    cols: &[Option<usize>],
    problems: &mut Vec<RowProblem>,
) -> Option<CalendarDay> {
    let cell = |i: usize| cols[i].and_then(|c| cells.get(c)).unwrap_or(&Value::Empty);
    let date = match date_of(cell(0)) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            problems.push(RowProblem {
                row,
                column: "日期".into(),
                value: String::new(),
                reason: "日期不能为空".into(),
            });
            None
        }
        Err(e) => {
            problems.push(RowProblem {
                row,
                column: "日期".into(),
                value: cell(0).text().into_owned(),
                reason: format!("不是日期（{e}），请写成 2027-10-01"),
            });
            None
        }
    };
    let kind_text = cell(1).text();
    let kind = DayKind::parse(&kind_text);
    if kind.is_none() {
        problems.push(RowProblem {
            row,
            column: "类型".into(),
            value: kind_text.into_owned(),
            reason: "类型只能填“放假”或“上班”".into(),
        });
    }
    let name = cell(2).text().chars().take(40).collect::<String>();
    Some(CalendarDay {
        date: date?,
        kind: kind?,
        name,
    })
}

fn finish(
    days: Vec<CalendarDay>,
    mut problems: Vec<RowProblem>,
    rows: &[u64],
) -> Result<Vec<CalendarDay>, CalendarFileError> {
    // The same date twice is a mistake in the file, not a choice.
    let mut seen = std::collections::HashMap::new();
    for (d, row) in days.iter().zip(rows) {
        if let Some(first) = seen.insert(d.date, *row) {
            problems.push(RowProblem {
                row: *row,
                column: "日期".into(),
                value: d.date.to_string(),
                reason: format!("与第 {first} 行重复"),
            });
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(CalendarFileError::Rows(problems));
    }
    if days.is_empty() {
        return Err(CalendarFileError::NoRows);
    }
    Ok(days)
}

/// Read a calendar file an admin chose.
pub fn read_calendar(path: &Path) -> Result<Vec<CalendarDay>, CalendarFileError> {
    let mut cols: Option<Vec<Option<usize>>> = None;
    let mut days = Vec::new();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut title_rows = 0usize;
    let mut too_many = false;
    read_table(path, |row, cells| {
        match &cols {
            None => {
                let found = match_header(cells, &FIELDS)?;
                if found[0].is_some() && found[1].is_some() {
                    cols = Some(found);
                } else {
                    title_rows += 1;
                    if title_rows >= MAX_TITLE_ROWS {
                        return Err(PlatformFileError::HeaderNotFound {
                            what: "工作日历",
                            rows_checked: MAX_TITLE_ROWS,
                            expected: "日期、类型、名称",
                            first_row: String::new(),
                        });
                    }
                }
            }
            Some(c) => {
                if days.len() + problems.len() >= MAX_ROWS {
                    too_many = true;
                    return Ok(());
                }
                if let Some(d) = day_of(row, cells, c, &mut problems) {
                    days.push(d);
                    rows.push(row);
                }
            }
        }
        Ok(())
    })?;
    if too_many {
        return Err(CalendarFileError::TooManyRows);
    }
    if cols.is_none() {
        return Err(CalendarFileError::NoRows);
    }
    finish(days, problems, &rows)
}

/// Parse calendar CSV text (the shipped file).
pub fn parse_calendar_csv(text: &str) -> Result<Vec<CalendarDay>, CalendarFileError> {
    let mut days = Vec::new();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut lines = text.lines().enumerate();
    let header: Vec<Value> = match lines.next() {
        Some((_, h)) => h.split(',').map(|c| Value::Text(c.to_string())).collect(),
        None => return Err(CalendarFileError::NoRows),
    };
    let cols = match_header(&header, &FIELDS)?;
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<Value> = line
            .split(',')
            .map(|c| Value::Text(c.to_string()))
            .collect();
        let row = i as u64 + 1;
        if let Some(d) = day_of(row, &cells, &cols, &mut problems) {
            days.push(d);
            rows.push(row);
        }
    }
    finish(days, problems, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn the_shipped_calendar_reads_and_covers_2025_to_2027() {
        let days = parse_calendar_csv(SHIPPED_CALENDAR).unwrap();
        let cal = crate::domain::calendar::WorkCalendar::new(days);
        assert_eq!(cal.years(), vec![2025, 2026, 2027]);
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // 2026 国庆: 1–7 October off, Saturday 10 October worked.
        assert!(!cal.is_working_day(d(2026, 10, 5)));
        assert!(cal.is_working_day(d(2026, 10, 10)));
        // 2025 春节: Sunday 26 January worked.
        assert!(cal.is_working_day(d(2025, 1, 26)));
    }

    #[test]
    fn a_bad_file_names_every_bad_row() {
        let e = parse_calendar_csv("日期,类型,名称\n2027-13-01,放假,x\n2027-10-01,休假,国庆\n2027-10-02,放假,国庆\n2027-10-02,放假,国庆\n")
            .unwrap_err();
        let CalendarFileError::Rows(p) = &e else {
            panic!("{e}")
        };
        assert_eq!(p.len(), 3, "{e}");
        assert_eq!(p[0].row, 2);
        assert_eq!(p[1].column, "类型");
        assert!(p[2].reason.contains("重复"));
    }

    #[test]
    fn an_xlsx_or_gbk_csv_file_reads_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("2027.csv");
        let (gbk, _, _) = encoding_rs::GBK
            .encode("名称,日期,类型\n国庆节,2027-10-01,放假\n国庆节调休,2027-10-09,上班\n");
        std::fs::write(&path, &gbk).unwrap();
        let days = read_calendar(&path).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].kind, DayKind::Workday);
        assert_eq!(days[0].name, "国庆节");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write(0, 0, "日期").unwrap();
        ws.write(0, 1, "类型").unwrap();
        ws.write(1, 0, "2027-10-01").unwrap();
        ws.write(1, 1, "放假").unwrap();
        let x = dir.path().join("2027.xlsx");
        wb.save(&x).unwrap();
        assert_eq!(read_calendar(&x).unwrap().len(), 1);
    }
}
