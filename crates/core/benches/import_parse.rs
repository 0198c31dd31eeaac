//! Parsing and validating a 1,000,000-row 公用事业缴费信息 CSV (no database): target at least
//! 200,000 rows/s with a peak resident memory under 300 MB (VmHWM of /proc/self/status). This is
//! the work of the import's parsing thread, so it also reports the time spent encoding each row
//! for storage (natural key digest, stored form), inside the total.
//!
//! Run: `cargo bench --bench import_parse` (`IMPORT_BENCH_ROWS=N` for another size,
//! `IMPORT_BENCH_SUBJECTS=N` for the number of distinct subjects, default 5,000: a marketing
//! export repeats each subject on its monthly rows).

mod support;

use std::io::{BufWriter, Write};
use std::time::Instant;
use support::peak_rss_mb;

use chrono::NaiveDate;
use xinyidian_core::documents::import::open_records;
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::records::RecordKind;
use xinyidian_core::store::EncodedRecord;

const TARGET_ROWS_PER_SEC: f64 = 200_000.0;
const TARGET_PEAK_MB: f64 = 300.0;

fn main() {
    let rows: u64 = std::env::var("IMPORT_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("payments.csv");

    let subjects: u64 = std::env::var("IMPORT_BENCH_SUBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(5_000);
    // Distinct subjects with valid codes, so the USCC check runs on real data.
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
    let started = Instant::now();
    {
        let file = std::fs::File::create(&path).expect("create csv");
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all("\u{feff}机构名称,统一社会信用代码,用户编号,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期\n".as_bytes())
            .expect("write");
        for i in 0..rows {
            let s = (i % subjects) as usize;
            let month = (i / subjects % 12 + 1) as u32;
            let year = 2015 + (i / subjects / 12 % 10) as i32;
            let start = NaiveDate::from_ymd_opt(year, month, 1).expect("date");
            let end = start
                .checked_add_months(chrono::Months::new(1))
                .and_then(|d| d.pred_opt())
                .expect("date");
            let paid = end + chrono::Days::new(5);
            writeln!(
                w,
                "湛江市霞山区第{s}号贸易有限公司,{},03{:08},电费,否,{start},{end},{}.{},千瓦时,\"{},{:03}.{:02}\",广东电网有限责任公司湛江供电局,{agency},{paid}",
                codes[s],
                s,
                i % 9_000 + 100,
                i % 10,
                i % 90 + 1,
                i % 1_000,
                i % 100
            )
            .expect("write");
        }
        w.flush().expect("flush");
    }
    let gen_time = started.elapsed();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {rows} rows for {subjects} subjects, {:.1} MB, in {:.2} s",
        size as f64 / 1e6,
        gen_time.as_secs_f64()
    );
    let before_mb = peak_rss_mb();

    let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let started = Instant::now();
    let mut reader = open_records(&path, None, today).expect("open");
    assert_eq!(reader.kind(), RecordKind::Payment);
    let (mut ok, mut bad) = (0u64, 0u64);
    let mut amount_sum: i64 = 0;
    // What the import's parsing thread adds for the writer: the key digest and the stored form.
    let mut encoding = std::time::Duration::ZERO;
    let mut payload_bytes = 0usize;
    for row in reader.by_ref() {
        match row {
            Ok(r) => {
                ok += 1;
                let t = Instant::now();
                let enc = EncodedRecord::new(&r.record);
                encoding += t.elapsed();
                payload_bytes += enc.payload.len();
                if let xinyidian_core::domain::records::Record::Payment(p) = &r.record {
                    amount_sum += p.amount.0;
                }
            }
            Err(e) => {
                bad += 1;
                if bad <= 3 {
                    eprintln!("{e}");
                }
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let progress = reader.progress();
    let per_row = |bytes: usize| bytes as f64 / ok.max(1) as f64;
    println!(
        "of which encoding for storage {:.2} s ({:.2} µs a row; stored form {:.0} B a row)",
        encoding.as_secs_f64(),
        encoding.as_secs_f64() * 1e6 / ok.max(1) as f64,
        per_row(payload_bytes)
    );
    let rate = ok as f64 / secs;
    let peak = peak_rss_mb();
    println!(
        "parsed and validated {ok} rows ({bad} refused) in {secs:.2} s: {rate:.0} rows/s (target ≥ {TARGET_ROWS_PER_SEC:.0}); {:.1} MB read of {:.1} MB; sum of amounts {amount_sum} fen",
        progress.done as f64 / 1e6,
        progress.total as f64 / 1e6
    );
    match (before_mb, peak) {
        (Some(b), Some(p)) => println!(
            "peak RSS (VmHWM) {p:.1} MB (target < {TARGET_PEAK_MB:.0} MB; {b:.1} MB before parsing)"
        ),
        _ => println!("peak RSS: /proc/self/status not available"),
    }
    assert_eq!(ok, rows, "every generated row is valid");
    let pass_rate = rate >= TARGET_ROWS_PER_SEC;
    let pass_mem = peak.is_none_or(|p| p < TARGET_PEAK_MB);
    println!(
        "{}",
        if pass_rate && pass_mem {
            "PASS"
        } else {
            "FAIL: below target"
        }
    );
}
