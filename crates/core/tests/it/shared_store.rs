//! The shared PostgreSQL store of a hall (issue 17): moving a hall's SQLite file into it with
//! `db copy`, all or nothing. PostgreSQL only: skipped (and said so) without a test server.

use chrono::{NaiveDate, NaiveDateTime};

use xinyidian_core::desk::{Desk, FixedClock, OpenMode, OpenOptions};
use xinyidian_core::dev::engines::{fresh_schema_url, key_dir, on_postgres};
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::operator::OperatorDraft;
use xinyidian_core::domain::subject::{SubjectDraft, SubjectKind};
use xinyidian_core::store::Store;

const PW: &str = "counter-2026";

fn clock() -> Box<FixedClock> {
    Box::new(FixedClock::At(NaiveDateTime::new(
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
    )))
}

fn opts() -> OpenOptions {
    OpenOptions {
        key_dir: Some(key_dir()),
        ..OpenOptions::new(OpenMode::Create)
    }
}

/// A desk on `at` with its first administrator A1, signed in.
fn admin_desk(at: &std::path::Path) -> Desk {
    let mut d = Desk::new(Store::open_with(at, &opts()).unwrap(), clock());
    d.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员甲".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    d.set_accepting_unit(&xinyidian_core::dev::test_unit())
        .unwrap();
    d
}

/// A hall's file with an administrator, subjects and their audit rows.
fn hall_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("hall.sqlite3");
    let mut d = admin_desk(&path);
    for n in 0..30u32 {
        let body = format!("91440800{n:09}");
        d.create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: format!("湛江市第{n}贸易有限公司"),
            code: format!("{body}{}", uscc_check_char(&body).unwrap()),
            legal_rep_name: "陈海明".into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    }
    path
}

#[test]
fn db_copy_moves_every_row_and_the_chain_and_refuses_a_second_copy() {
    on_postgres(|| {
        let dir = tempfile::tempdir().unwrap();
        let file = hall_file(dir.path());
        let url = fresh_schema_url();
        let to = std::path::PathBuf::from(&url);
        let mut seen = Vec::new();
        let summary = xinyidian_core::desk::copy_database(&file, &to, &opts(), &mut |t, n| {
            seen.push((t.to_string(), n))
        })
        .unwrap();
        assert!(seen.contains(&("subject".to_string(), 30)), "{seen:?}");
        let subjects = summary.tables.iter().find(|t| t.0 == "subject").unwrap();
        assert_eq!(subjects.1, 30);
        assert!(summary.audit_rows >= 31, "{summary:?}");
        // The server is a working store: the subjects are found, the chain (with the copy's own
        // row) verifies, and a new subject continues after the copied ids.
        let mut d = Desk::new(Store::open_with(&to, &opts()).unwrap(), clock());
        d.sign_in("A1", PW).unwrap();
        assert_eq!(d.lookup("贸易", 100).unwrap().hits.len(), 30);
        let v = d.verify_audit().unwrap();
        assert!(v.intact(), "{v:?}");
        let body = "914408009999";
        let code = format!("{body}{:05}", 1);
        let code = format!("{}{}", &code[..17], uscc_check_char(&code[..17]).unwrap());
        let id = d
            .create_subject(&SubjectDraft {
                kind: SubjectKind::Organization,
                name: "湛江市新开贸易有限公司".into(),
                code,
                legal_rep_name: "李小梅".into(),
                ..SubjectDraft::default()
            })
            .unwrap();
        assert!(id.0 > 30, "{id:?}");
        drop(d);
        // A second copy into the same database is refused and changes nothing.
        let e =
            xinyidian_core::desk::copy_database(&file, &to, &opts(), &mut |_, _| {}).unwrap_err();
        assert!(e.to_string().contains("目标数据库已有数据"), "{e}");
        let d = Desk::new(Store::open_with(&to, &opts()).unwrap(), clock());
        assert_eq!(d.lookup("贸易", 100).unwrap().hits.len(), 31);
    });
}

#[test]
fn a_connection_lost_mid_work_fails_one_action_in_chinese_and_the_next_goes_through() {
    on_postgres(|| {
        let name = format!("xyd_drop_{}", std::process::id());
        let url = format!("{}&application_name={name}", fresh_schema_url());
        let to = std::path::PathBuf::from(&url);
        let mut d = admin_desk(&to);
        let draft = |n: u32| {
            let body = format!("91440800{n:09}");
            SubjectDraft {
                kind: SubjectKind::Organization,
                name: format!("湛江市第{n}贸易有限公司"),
                code: format!("{body}{}", uscc_check_char(&body).unwrap()),
                legal_rep_name: "陈海明".into(),
                ..SubjectDraft::default()
            }
        };
        d.create_subject(&draft(1)).unwrap();
        // The server ends the counter's connection (a restart, a cut network).
        let base = xinyidian_core::dev::engines::server().unwrap();
        let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        let killed = admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
            .unwrap();
        assert_eq!(killed.len(), 1);
        let e = d.create_subject(&draft(2)).unwrap_err();
        assert!(e.to_string().contains("数据库服务器"), "{e}");
        // The next action connects again; the failed one left nothing behind.
        d.create_subject(&draft(3)).unwrap();
        let hits = d.lookup("贸易", 100).unwrap().hits;
        let names: Vec<&str> = hits.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["湛江市第1贸易有限公司", "湛江市第3贸易有限公司"]);
    });
}

#[test]
fn a_connection_cut_during_an_import_writes_nothing_and_the_import_can_be_run_again() {
    on_postgres(|| {
        let name = format!("xyd_cut_{}", std::process::id());
        let url = format!("{}&application_name={name}", fresh_schema_url());
        let to = std::path::PathBuf::from(&url);
        let mut d = admin_desk(&to);
        let body = "914408000000000010";
        let code = format!("{}{}", &body[..17], uscc_check_char(&body[..17]).unwrap());
        d.create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: "湛江市海港贸易有限公司".into(),
            code: code.clone(),
            ..SubjectDraft::default()
        })
        .unwrap();
        // 60,000 payments: several batches, so the cut falls between two of them.
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("缴费.csv");
        let mut text = String::from(
            "机构名称,统一社会信用代码,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期\n",
        );
        for i in 0..60_000u32 {
            text.push_str(&format!(
                "湛江市海港贸易有限公司,{code},电费,否,2020-01-01,2020-01-31,{},千瓦时,{}.00,湛江供电局,,2020-02-05\n",
                i + 1,
                i + 1
            ));
        }
        std::fs::write(&csv, text).unwrap();
        let progress = xinyidian_core::desk::Progress::new();
        let watch = progress.clone();
        let base = xinyidian_core::dev::engines::server().unwrap();
        let killer = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            while watch.get().0 == 0 && started.elapsed() < std::time::Duration::from_secs(60) {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
            admin
                .query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                     WHERE application_name = $1",
                    &[&name],
                )
                .unwrap()
                .len()
        });
        let e = d
            .import_records(&csv, None, Default::default(), &progress)
            .unwrap_err();
        assert_eq!(killer.join().unwrap(), 1);
        assert!(e.to_string().contains("数据库服务器"), "{e}");
        // Nothing of it was kept, and the same file imports whole once the server is back.
        assert_eq!(d.count_records().unwrap(), 0);
        let s = d
            .import_records(
                &csv,
                None,
                Default::default(),
                &xinyidian_core::desk::Progress::new(),
            )
            .unwrap();
        assert_eq!((s.inserted, d.count_records().unwrap()), (60_000, 60_000));
    });
}

#[test]
fn a_record_of_a_subject_that_does_not_exist_is_refused_by_the_server_itself() {
    // Schema step 15 checks power_record's subjects per statement instead of per row (bulk
    // import speed); the server still refuses a record whose subject is missing, with the
    // foreign key's SQLSTATE.
    on_postgres(|| {
        let url = fresh_schema_url();
        let mut d = admin_desk(std::path::Path::new(&url));
        let body = "91440800000000077";
        let id = d
            .create_subject(&SubjectDraft {
                kind: SubjectKind::Organization,
                name: "湛江市某某实业有限公司".into(),
                code: format!("{body}{}", uscc_check_char(body).unwrap()),
                legal_rep_name: "陈海明".into(),
                ..SubjectDraft::default()
            })
            .unwrap();
        drop(d);
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let insert = "INSERT INTO power_record (subject_id, kind, key_digest, record_date, payload,
                          source, created_at, updated_at)
                      VALUES ($1, 'payment', $2, '2026-01-01', '\\x00', 't', 't', 't')";
        let e = c.execute(insert, &[&(id.0 + 1000), &1i64]).unwrap_err();
        assert_eq!(
            e.code(),
            Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION),
            "{e}"
        );
        assert_eq!(c.execute(insert, &[&id.0, &2i64]).unwrap(), 1);
        // Moving a record to a missing subject is refused too.
        let e = c
            .execute(
                "UPDATE power_record SET subject_id = $1 WHERE key_digest = 2",
                &[&(id.0 + 1000)],
            )
            .unwrap_err();
        assert_eq!(
            e.code(),
            Some(&postgres::error::SqlState::FOREIGN_KEY_VIOLATION)
        );
        let n: i64 = c
            .query_one("SELECT count(*) FROM power_record", &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 1);
    });
}
