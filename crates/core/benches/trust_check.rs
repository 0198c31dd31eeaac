//! The trust check's speed (issue 6 targets): one check of a subject with 10 years of monthly
//! records (< 1 ms median), and `check --all` over N subjects with 12 records each (target: 1M
//! subjects and 12M records in < 120 s).
//!
//! Run: `cargo bench --bench trust_check` (N = 100,000), or
//! `TRUST_BENCH_SUBJECTS=1000000 cargo bench --bench trust_check` for the full target.

use std::time::{Duration, Instant};

use chrono::{Months, NaiveDate, NaiveDateTime};
use xinyidian_core::desk::{Desk, FixedClock, Progress};
use xinyidian_core::domain::dishonesty::DishonestyParams;
use xinyidian_core::domain::id_codes::{Uscc, uscc_check_char};
use xinyidian_core::domain::operator::OperatorDraft;
use xinyidian_core::domain::records::{ArrearsRecord, Fen, PaymentRecord, Record};
use xinyidian_core::domain::subject::{SubjectCode, SubjectId};
use xinyidian_core::domain::trust::{CheckInput, CheckSettings, LetterState, SubjectFacts, check};
use xinyidian_core::store::Store;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn code() -> SubjectCode {
    let body = "91440800MA4UMB8E0";
    SubjectCode::Uscc {
        code: Uscc::parse(&format!("{body}{}", uscc_check_char(body).unwrap())).unwrap(),
    }
}

fn payment(account: &str, month: NaiveDate) -> Record {
    let end = month
        .checked_add_months(Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    Record::Payment(PaymentRecord {
        subject: code(),
        subject_name: "湛江市海港贸易有限公司".into(),
        account_no: Some(account.into()),
        fee_type: "电费".into(),
        prepaid: Some(false),
        period_start: month,
        period_end: end,
        usage: None,
        usage_unit: None,
        amount: Fen::from_yuan(1200),
        agency_name: None,
        agency_uscc: None,
        paid_on: end,
    })
}

fn arrears(account: &str, month: NaiveDate) -> Record {
    Record::Arrears(ArrearsRecord {
        subject: code(),
        subject_name: "湛江市海港贸易有限公司".into(),
        account_no: Some(account.into()),
        arrears_type: "电费".into(),
        period_start: month,
        period_end: month.checked_add_months(Months::new(1)).unwrap(),
        amount: Fen::from_yuan(15_000),
        determined_by: None,
        determined_by_uscc: None,
        determined_on: None,
        reminded_on: month.checked_add_months(Months::new(2)),
        just_cause: None,
        paid_off_on: month.checked_add_months(Months::new(3)),
    })
}

/// Ten years of monthly payments, plus one arrears record a year (paid within the grace).
fn ten_years(account: &str) -> Vec<Record> {
    let start = NaiveDate::from_ymd_opt(2016, 12, 1).unwrap();
    let mut v = Vec::new();
    for m in 0..120 {
        let month = start.checked_add_months(Months::new(m)).unwrap();
        v.push(payment(account, month));
        if m % 12 == 6 {
            v.push(arrears(account, month));
        }
    }
    v
}

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();

    // 1. One check, pure rules, 10 years of monthly records.
    let records = ten_years("0301234567");
    let facts = SubjectFacts {
        name: "湛江市海港贸易有限公司".into(),
        code: "91440800MA4UMB8E0X".into(),
        founded_on: Some(NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()),
        supply_start: Some(NaiveDate::from_ymd_opt(2016, 12, 1).unwrap()),
    };
    let input = CheckInput {
        today,
        subject: facts,
        records: &records,
        breaches: &[],
        credit: &xinyidian_core::domain::credit::NO_MARKS,
        report: None,
        letter: LetterState::None,
        business: None,
        settings: CheckSettings {
            report_max_age_days: 5,
            dishonesty: DishonestyParams::default(),
            ..CheckSettings::default()
        },
        lists: None,
    };
    let mut times = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let v = check(&input);
        times.push(t.elapsed());
        assert!(!v.rules.is_empty());
    }
    println!(
        "one check, {} records (pure rules): median {:.3} ms",
        records.len(),
        ms(median(times))
    );

    // 2. The same through the desk (read subject and records, run, store verdict + audit).
    let dir = std::env::temp_dir().join(format!("xinyidian-trust-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bench.sqlite3");
    let at = NaiveDateTime::new(today, chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    let mut desk = Desk::new(Store::open(&path).unwrap(), Box::new(FixedClock::At(at)));
    desk.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "基准".into(),
            ..OperatorDraft::default()
        },
        "counter-2026",
    )
    .unwrap();
    let n: u64 = std::env::var("TRUST_BENCH_SUBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let t = Instant::now();
    desk.generate_demo(n, 2022, &Progress::new()).unwrap();
    println!(
        "generated {n} subjects in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // 12 records per subject: 11 monthly payments and one arrears record, written directly
    // through the store in one transaction (the fast path, not 12N desk calls).
    let t = Instant::now();
    let mut store = Store::open(&path).unwrap();
    let start = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    store
        .write(|w| {
            let mut ids = Vec::new();
            w.for_each_check_row(|row| {
                ids.push(row.subject_id);
                Ok(true)
            })?;
            for SubjectId(id) in ids {
                let account = format!("B{id:010}");
                for m in 0..12u32 {
                    let month = start.checked_add_months(Months::new(m)).unwrap();
                    let r = if m == 5 {
                        arrears(&account, month)
                    } else {
                        payment(&account, month)
                    };
                    w.upsert_record(SubjectId(id), &r, "bench", at)?;
                }
            }
            Ok::<_, xinyidian_core::store::StoreError>(())
        })
        .unwrap();
    drop(store);
    println!(
        "wrote {} records in {:.1} s",
        n * 12,
        t.elapsed().as_secs_f64()
    );

    // The single check through the desk on this database.
    let id = desk.lookup("湛江", 1).unwrap().hits[0].id;
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        desk.run_check(id, None, None).unwrap();
        times.push(t.elapsed());
    }
    println!(
        "one check through the desk (incl. storing the verdict): median {:.3} ms",
        ms(median(times))
    );

    let t = Instant::now();
    let r = desk.check_all(&Progress::new()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "check --all: {} subjects, {} records in {:.1} s ({:.0} subjects/s); trustworthy {}, with dishonesty {}",
        r.subjects,
        n * 12,
        secs,
        r.subjects as f64 / secs,
        r.trustworthy,
        r.with_dishonesty
    );
    let _ = std::fs::remove_dir_all(&dir);
}
