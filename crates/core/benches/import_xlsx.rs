//! Importing a 200,000-row 公用事业缴费信息 XLSX (issue 14 point 5): the workbook is streamed a
//! row at a time, so the peak resident memory must stay under 150 MB (VmHWM of
//! /proc/self/status). Two measurements, each in a child process (this program run again) so
//! that the memory rust_xlsxwriter used to write the file does not count:
//! 1. parse and validate only (`open_records`, the import's parsing thread);
//! 2. the whole import into a new database (`Desk::import_records`, subjects created from the
//!    rows).
//!
//! Run: `cargo bench --bench import_xlsx` (`IMPORT_BENCH_ROWS=N` for another size,
//! `IMPORT_BENCH_SUBJECTS=N` for the number of distinct subjects, default 5,000).

mod support;

use std::path::Path;
use std::time::Instant;
use support::{env_u64, peak_rss_mb};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use xinyidian_core::desk::{Desk, FixedClock, ImportOptions, Progress};
use xinyidian_core::documents::import::open_records;
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::operator::OperatorDraft;
use xinyidian_core::domain::records::RecordKind;
use xinyidian_core::store::Store;

const TARGET_PEAK_MB: f64 = 150.0;
const PASSWORD: &str = "bench-password";
const HEADER: &str = "机构名称,统一社会信用代码,用户编号,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期";

fn excel_date(d: NaiveDate) -> ExcelDateTime {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).expect("date")
}

fn write_xlsx(path: &Path, rows: u64, subjects: u64) {
    let codes: Vec<String> = (0..subjects)
        .map(|i| {
            let body = format!("91440800MA{:07}", i);
            format!("{body}{}", uscc_check_char(&body).expect("check char"))
        })
        .collect();
    let agency = {
        let body = "91440800190345678";
        format!("{body}{}", uscc_check_char(body).expect("check char"))
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("缴费").expect("name");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in HEADER.split(',').enumerate() {
        ws.write_string(0, c as u16, h).expect("write");
    }
    for i in 0..rows {
        let r = (i + 1) as u32;
        let s = (i % subjects) as usize;
        let month = (i / subjects % 12 + 1) as u32;
        let year = 2015 + (i / subjects / 12 % 10) as i32;
        let start = NaiveDate::from_ymd_opt(year, month, 1).expect("date");
        let end = start
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .expect("date");
        let paid = end + chrono::Days::new(5);
        let w = |res: Result<&mut rust_xlsxwriter::Worksheet, _>| {
            res.expect("write");
        };
        w(ws.write_string(r, 0, format!("湛江市霞山区第{s}号贸易有限公司")));
        w(ws.write_string(r, 1, &codes[s]));
        w(ws.write_string(r, 2, format!("03{s:08}")));
        w(ws.write_string(r, 3, "电费"));
        w(ws.write_string(r, 4, "否"));
        w(ws.write_datetime_with_format(r, 5, excel_date(start), &date));
        w(ws.write_datetime_with_format(r, 6, excel_date(end), &date));
        w(ws.write_number(r, 7, (i % 9_000 + 100) as f64 + (i % 10) as f64 / 10.0));
        w(ws.write_string(r, 8, "千瓦时"));
        w(ws.write_number(r, 9, (i % 90_000 + 1) as f64 + (i % 100) as f64 / 100.0));
        w(ws.write_string(r, 10, "广东电网有限责任公司湛江供电局"));
        w(ws.write_string(r, 11, &agency));
        w(ws.write_datetime_with_format(r, 12, excel_date(paid), &date));
    }
    wb.save(path).expect("save xlsx");
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
}

/// Child 1: parse and validate every row.
fn parse_only(path: &Path, rows: u64) -> bool {
    let before = peak_rss_mb();
    let started = Instant::now();
    let mut reader = open_records(path, None, today()).expect("open");
    assert_eq!(reader.kind(), RecordKind::Payment);
    let (mut ok, mut bad) = (0u64, 0u64);
    for row in reader.by_ref() {
        match row {
            Ok(_) => ok += 1,
            Err(e) => {
                bad += 1;
                if bad <= 3 {
                    eprintln!("{e}");
                }
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let peak = peak_rss_mb();
    println!(
        "1. parse and validate: {ok} rows ({bad} refused) in {secs:.2} s: {:.0} rows/s; peak RSS (VmHWM) {} (target < {TARGET_PEAK_MB:.0} MB; {} before opening)",
        ok as f64 / secs,
        peak.map_or("n/a".into(), |p| format!("{p:.1} MB")),
        before.map_or("n/a".into(), |p| format!("{p:.1} MB")),
    );
    assert_eq!(ok, rows, "every generated row is valid");
    peak.is_none_or(|p| p < TARGET_PEAK_MB)
}

/// Child 2: the whole import into a new database.
fn full_import(path: &Path, db: &Path, rows: u64) -> bool {
    let at = NaiveDate::from_ymd_opt(2026, 1, 5)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("date");
    let mut d = Desk::new(
        Store::open(db).expect("open database"),
        Box::new(FixedClock::At(at)),
    );
    d.setup_admin(
        &OperatorDraft {
            staff_no: "BENCH".into(),
            name: "基准测试".into(),
            ..OperatorDraft::default()
        },
        PASSWORD,
    )
    .expect("admin");
    d.sign_in("BENCH", PASSWORD).expect("sign in");
    let before = peak_rss_mb();
    let started = Instant::now();
    let opts = ImportOptions {
        create_subjects: true,
        ..ImportOptions::default()
    };
    let report = d
        .import_records(path, None, opts, &Progress::new())
        .expect("import");
    let secs = started.elapsed().as_secs_f64();
    let peak = peak_rss_mb();
    assert!(report.written, "{:?}", report.errors.first());
    assert_eq!(report.inserted, rows);
    println!(
        "2. whole import: {} rows (inserted {}, new subjects {}) in {secs:.2} s: {:.0} rows/s; peak RSS (VmHWM) {} (target < {TARGET_PEAK_MB:.0} MB; {} before importing)",
        report.rows,
        report.inserted,
        report.created_subjects,
        report.rows as f64 / secs,
        peak.map_or("n/a".into(), |p| format!("{p:.1} MB")),
        before.map_or("n/a".into(), |p| format!("{p:.1} MB")),
    );
    peak.is_none_or(|p| p < TARGET_PEAK_MB)
}

fn main() {
    let rows = env_u64("IMPORT_BENCH_ROWS", 200_000);
    let subjects = env_u64("IMPORT_BENCH_SUBJECTS", 5_000);
    if let Ok(which) = std::env::var("IMPORT_XLSX_CHILD") {
        let file = std::env::var("IMPORT_XLSX_FILE").expect("file");
        let pass = match which.as_str() {
            "parse" => parse_only(Path::new(&file), rows),
            _ => full_import(
                Path::new(&file),
                &Path::new(&file).with_extension("sqlite3"),
                rows,
            ),
        };
        std::process::exit(if pass { 0 } else { 2 });
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("缴费.xlsx");
    let started = Instant::now();
    write_xlsx(&path, rows, subjects);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {rows} payment rows for {subjects} subjects, {:.1} MB XLSX, in {:.1} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let mut pass = true;
    for which in ["parse", "import"] {
        let status = std::process::Command::new(std::env::current_exe().expect("own path"))
            .env("IMPORT_XLSX_CHILD", which)
            .env("IMPORT_XLSX_FILE", &path)
            .env("IMPORT_BENCH_ROWS", rows.to_string())
            .status()
            .expect("run child");
        pass &= status.success();
    }
    println!("{}", if pass { "PASS" } else { "FAIL: above target" });
}
