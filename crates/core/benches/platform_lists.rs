//! Reading a 100,000-row 严重失信主体名单 snapshot (rule E-2), as CSV and as XLSX (the XLSX written
//! by the batch file writer, so writing a large sheet is timed too): target well under 5 s each in
//! release. Also writes a 1,000,000-row batch XLSX and reports the peak resident memory (the
//! writer is streamed: memory must not grow with the rows).
//!
//! Measured (2 cores, release): list CSV 0.41 s, list XLSX 0.91 s for 100,000 rows; batch XLSX of
//! 1,000,000 rows 14.5 s, 69 MB on disk, peak memory 73 MB (72 MB before it: no growth).
//!
//! Run: `cargo bench --bench platform_lists` (`LIST_BENCH_ROWS=N` for another size,
//! `BATCH_BENCH_ROWS=N` for the batch file, 0 to skip it).

mod support;

use std::io::{BufWriter, Write};
use std::time::Instant;
use support::peak_rss_mb;

use chrono::NaiveDate;
use xinyidian_core::documents::platform::{BatchFileWriter, BatchFormat, read_list_file};
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::platform::{Catalog, PlatformClass};

const TARGET_SECS: f64 = 5.0;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let rows = env("LIST_BENCH_ROWS", 100_000);
    let batch_rows = env("BATCH_BENCH_ROWS", 1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let codes: Vec<String> = (0..1_000u64)
        .map(|i| {
            let body = format!("91440800MA{:07}", i);
            format!("{body}{}", uscc_check_char(&body).expect("valid body"))
        })
        .collect();
    let header: Vec<String> = [
        "主体名称",
        "统一社会信用代码",
        "列入名单类型",
        "列入日期",
        "列入原因",
        "认定部门",
        "移出日期",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let row = |i: u64| -> Vec<String> {
        vec![
            format!("湛江市第{i}号贸易有限公司"),
            codes[(i % 1_000) as usize].clone(),
            "严重失信主体名单".into(),
            format!("2024/{}/{}", i % 12 + 1, i % 28 + 1),
            "拖欠电费，经催告六个月仍未缴清".into(),
            "湛江市发展和改革局".into(),
            if i.is_multiple_of(10) {
                "2025-01-01".into()
            } else {
                String::new()
            },
        ]
    };

    let csv = dir.path().join("名单.csv");
    {
        let mut out = BufWriter::new(std::fs::File::create(&csv).expect("csv"));
        writeln!(out, "{}", header.join(",")).expect("write");
        for i in 0..rows {
            writeln!(out, "{}", row(i).join(",")).expect("write");
        }
    }
    let t = Instant::now();
    let f = read_list_file(&csv, today).expect("read csv");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(f.entries.len() as u64, rows, "{:?}", f.problems.first());
    println!(
        "list CSV  {rows} rows: {secs:.2} s ({:.0} rows/s) {}",
        rows as f64 / secs,
        if secs < TARGET_SECS { "OK" } else { "SLOW" }
    );

    let xlsx = dir.path().join("名单.xlsx");
    let t = Instant::now();
    let mut w = BatchFileWriter::create(&xlsx, BatchFormat::Xlsx, &header).expect("xlsx");
    for i in 0..rows {
        w.write_row(&row(i)).expect("row");
    }
    w.finish().expect("finish");
    println!(
        "list XLSX {rows} rows written: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let f = read_list_file(&xlsx, today).expect("read xlsx");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(f.entries.len() as u64, rows);
    println!(
        "list XLSX {rows} rows: {secs:.2} s ({:.0} rows/s) {}",
        rows as f64 / secs,
        if secs < TARGET_SECS { "OK" } else { "SLOW" }
    );
    let after_reads = peak_rss_mb().unwrap_or(0.0);
    println!("peak memory after the reads: {after_reads:.0} MB");

    if batch_rows > 0 {
        let def = Catalog::builtin();
        let cols = def
            .class(PlatformClass::Payment)
            .expect("payment class")
            .columns
            .clone();
        let path = dir.path().join("公用事业缴费信息.xlsx");
        let t = Instant::now();
        let mut w = BatchFileWriter::create(&path, BatchFormat::Xlsx, &cols).expect("batch");
        let mut cells = vec![String::new(); cols.len()];
        for i in 0..batch_rows {
            for (c, cell) in cells.iter_mut().enumerate() {
                cell.clear();
                use std::fmt::Write as _;
                let _ = write!(cell, "{}-{i}", &cols[c]);
            }
            w.write_row(&cells).expect("row");
        }
        let d = w.finish().expect("finish");
        println!(
            "batch XLSX {batch_rows} rows: {:.2} s, {} MB, peak memory {:.0} MB (was {after_reads:.0} MB before)",
            t.elapsed().as_secs_f64(),
            std::fs::metadata(&path).map(|m| m.len() >> 20).unwrap_or(0),
            peak_rss_mb().unwrap_or(0.0)
        );
        assert_eq!(d.rows, batch_rows);
    }
}
