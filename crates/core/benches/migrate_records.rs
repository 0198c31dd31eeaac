//! Migration 11 on a database of 1,000,000 power-supply records: the one-time wait at the first
//! start after the upgrade, while the JSON payloads of version 10 are rewritten in the compact
//! stored form. No target: it runs once; the figure tells a supervisor how long to expect.
//!
//! The version-10 file is made here: a current database whose `power_record` table is put back
//! in its version-10 shape (natural-key text, JSON payload) and filled with payment records.
//!
//! Run: `cargo bench --bench migrate_records` (`MIGRATE_BENCH_ROWS=N` for another size).

use std::time::Instant;

use chrono::{Days, NaiveDate};
use xinyidian_core::domain::id_codes::{Uscc, uscc_check_char};
use xinyidian_core::domain::records::{Fen, PaymentRecord, Quantity, Record};
use xinyidian_core::domain::subject::{SubjectCode, SubjectId};
use xinyidian_core::store::{SCHEMA_VERSION, Store, key_digest};

const SUBJECTS: u64 = 10_000;

fn uscc(n: u64) -> Uscc {
    let body = format!("91440800{n:09}");
    let code = format!("{body}{}", uscc_check_char(&body).expect("check char"));
    Uscc::parse(&code).expect("valid code")
}

fn main() {
    let rows: u64 = std::env::var("MIGRATE_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("v10.sqlite3");
    drop(Store::open(&db).expect("create database"));

    let started = Instant::now();
    let mut conn = rusqlite::Connection::open(&db).expect("open");
    let tx = conn.transaction().expect("begin");
    tx.execute_batch(
        "DROP TABLE power_record;
         CREATE TABLE power_record (
             id          INTEGER PRIMARY KEY,
             subject_id  INTEGER NOT NULL REFERENCES subject (id) ON DELETE CASCADE,
             kind        TEXT NOT NULL,
             key_digest  INTEGER NOT NULL,
             natural_key TEXT NOT NULL,
             account_no  TEXT,
             record_date TEXT NOT NULL,
             payload     TEXT NOT NULL,
             source      TEXT NOT NULL,
             created_at  TEXT NOT NULL,
             updated_at  TEXT NOT NULL,
             UNIQUE (subject_id, key_digest)
         );
         CREATE UNIQUE INDEX power_record_account_key ON power_record (key_digest)
             WHERE kind IN ('violation_usage', 'theft');
         CREATE INDEX power_record_adverse ON power_record (subject_id, id)
             WHERE kind NOT IN ('payment', 'person_payment');
         PRAGMA user_version = 10;",
    )
    .expect("version-10 table");
    {
        let mut subject = tx
            .prepare(
                "INSERT INTO subject (id, kind, code_type, code, name, created_at, updated_at)
                 VALUES (?1, 'organization', 'uscc', ?2, ?3, '2025-01-01 09:00:00',
                         '2025-01-01 09:00:00')",
            )
            .expect("prepare");
        for n in 1..=SUBJECTS {
            subject
                .execute(rusqlite::params![
                    n as i64,
                    uscc(n).as_str(),
                    format!("湛江市第{n}号贸易有限公司")
                ])
                .expect("subject");
        }
        let mut record = tx
            .prepare(
                "INSERT INTO power_record (subject_id, kind, key_digest, natural_key, account_no,
                     record_date, payload, source, created_at, updated_at)
                 VALUES (?1, 'payment', ?2, ?3, ?4, ?5, ?6, 'import:缴费.csv',
                         '2026-01-05 09:00:00', '2026-01-05 09:00:00')",
            )
            .expect("prepare");
        let agency = uscc(190_345_678);
        let first = NaiveDate::from_ymd_opt(2016, 1, 1).expect("date");
        for i in 0..rows {
            let n = i % SUBJECTS + 1;
            let start = first + Days::new(i / SUBJECTS * 31);
            let r = Record::Payment(PaymentRecord {
                subject: SubjectCode::Uscc { code: uscc(n) },
                subject_name: format!("湛江市第{n}号贸易有限公司"),
                account_no: Some(format!("03{n:08}")),
                fee_type: "电费".into(),
                prepaid: Some(false),
                period_start: start,
                period_end: start + Days::new(30),
                usage: Some(Quantity(1_234_000 + i as i64 % 1000)),
                usage_unit: Some("千瓦时".into()),
                amount: Fen(123_450 + i as i64 % 1000),
                agency_name: Some("广东电网有限责任公司湛江供电局".into()),
                agency_uscc: Some(agency.clone()),
                paid_on: start + Days::new(35),
            });
            let key = r.key();
            record
                .execute(rusqlite::params![
                    n as i64,
                    key_digest(key.as_str()),
                    key.as_str(),
                    r.account_no(),
                    r.date().to_string(),
                    serde_json::to_string(&r).expect("json")
                ])
                .expect("record");
        }
    }
    tx.commit().expect("commit");
    drop(conn);
    println!(
        "made a version-10 database of {rows} records in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let store = Store::open(&db).expect("open and migrate");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(store.read().count_records().expect("count"), rows as i64);
    let first = store.read().records_of(SubjectId(1)).expect("records");
    assert_eq!(first.len() as u64, rows.div_ceil(SUBJECTS));
    println!(
        "migration 11 (JSON → stored form) of {rows} records: {secs:.1} s ({:.0} records/s)",
        rows as f64 / secs
    );
}
