//! Backups, restore and the integrity check through the desk (issue 20, points 1 and 2): a
//! backup taken while another connection writes is consistent, a restore round trip gives back
//! what was backed up (the current file kept aside), a damaged backup is detected, and bad
//! folders or files change nothing.

use std::path::{Path, PathBuf};

use chrono::Duration;
use xinyidian_core::desk::{
    BackupSettings, Desk, DeskError, ManualClock, list_backups, verify_backup,
};
use xinyidian_core::domain::subject::{SubjectDraft, SubjectKind};
use xinyidian_core::store::{AuditFilter, OpenMode, OpenOptions, Store};

use crate::support::{PW, d, uscc};

struct Env {
    _dir: tempfile::TempDir,
    db: PathBuf,
    keys: PathBuf,
    backups: PathBuf,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let backups = dir.path().join("备份");
        std::fs::create_dir(&backups).unwrap();
        Self {
            db: dir.path().join("counter.sqlite3"),
            keys: dir.path().join("keys"),
            backups,
            _dir: dir,
        }
    }

    fn store(&self, mode: OpenMode) -> Store {
        Store::open_with(
            &self.db,
            &OpenOptions {
                key_dir: Some(self.keys.clone()),
                ..OpenOptions::new(mode)
            },
        )
        .unwrap()
    }
}

fn clock() -> ManualClock {
    ManualClock::new(d(2026, 11, 28).and_hms_opt(9, 0, 0).unwrap())
}

/// A desk on the env's file with the admin A1 signed in (set up on first use).
fn desk(env: &Env, clock: &ManualClock) -> Desk {
    let fresh = !env.db.exists();
    let mut desk = Desk::new(env.store(OpenMode::Create), Box::new(clock.clone()));
    if fresh {
        desk.setup_admin(
            &xinyidian_core::domain::operator::OperatorDraft {
                staff_no: "A1".into(),
                name: "管理员甲".into(),
                ..Default::default()
            },
            PW,
        )
        .unwrap();
    } else {
        desk.sign_in("A1", PW).unwrap();
    }
    desk
}

/// Add the clerk C1 and sign in as C1.
fn sign_in_a_clerk(desk: &mut Desk) {
    desk.add_operator(
        &xinyidian_core::domain::operator::OperatorDraft {
            staff_no: "C1".into(),
            name: "柜员乙".into(),
            role: xinyidian_core::domain::operator::Role::Clerk,
            ..Default::default()
        },
        PW,
    )
    .unwrap();
    desk.sign_in("C1", PW).unwrap();
}

fn add(desk: &mut Desk, n: u32) {
    desk.create_subject(&SubjectDraft {
        kind: SubjectKind::Organization,
        name: format!("湛江市测试{n}号有限公司"),
        code: uscc(n),
        ..SubjectDraft::default()
    })
    .unwrap();
}

fn subjects(desk: &Desk) -> usize {
    desk.recent_subjects(10_000).unwrap().len()
}

fn settings(env: &Env, keep: u32) -> BackupSettings {
    BackupSettings {
        dir: Some(env.backups.clone()),
        keep,
        ..BackupSettings::default()
    }
}

fn raw(path: &Path, sql: &str) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(sql).unwrap();
}

#[test]
fn a_backup_taken_while_another_connection_writes_is_consistent() {
    let env = Env::new();
    let clock = clock();
    let mut main = desk(&env, &clock);
    for n in 1..=20 {
        add(&mut main, n);
    }
    main.set_backup_settings(&settings(&env, 5)).unwrap();
    // Another counter writes all the while (its own connection, as another process would).
    let writer = {
        let env_db = env.db.clone();
        let keys = env.keys.clone();
        let clock = clock.clone();
        std::thread::spawn(move || {
            let store = Store::open_with(
                &env_db,
                &OpenOptions {
                    key_dir: Some(keys),
                    ..OpenOptions::new(OpenMode::Existing)
                },
            )
            .unwrap();
            let mut other = Desk::new(store, Box::new(clock));
            other.sign_in("A1", PW).unwrap();
            for n in 100..160 {
                add(&mut other, n);
            }
        })
    };
    let done = main.backup_now(None).unwrap();
    writer.join().unwrap();
    assert!(done.check.ok(), "{}", done.check.summary());
    assert!(
        done.check.summary().starts_with("检查通过"),
        "{}",
        done.check.summary()
    );
    // Verified again from the file alone: pages, evidence, the chain up to its signed head.
    let again = verify_backup(&done.path, Some(env.keys.clone())).unwrap();
    assert!(again.ok(), "{}", again.summary());
    assert!(again.audit.head.is_some());
    // The copy holds a prefix of what was written, whole: between 20 and 80 subjects.
    let copy = Desk::new(
        Store::open_with(
            &done.path,
            &OpenOptions {
                key_dir: Some(env.keys.clone()),
                ..OpenOptions::new(OpenMode::ReadOnly)
            },
        )
        .unwrap(),
        Box::new(clock.clone()),
    );
    let n = subjects(&copy);
    assert!((20..=80).contains(&n), "{n}");
    assert_eq!(
        copy.verify_audit().unwrap().rows_checked,
        again.audit.rows_checked
    );
    // Recorded: the last backup and an audit row.
    assert!(main.last_backup().unwrap().is_some());
    let log = main.audit_log(&AuditFilter::default(), 500).unwrap();
    assert!(
        log.iter()
            .any(|e| e.content.summary.contains("备份数据库到")),
        "{:?}",
        log[0].content.summary
    );
}

#[test]
fn a_restore_gives_back_the_backup_and_keeps_the_current_file_aside() {
    let env = Env::new();
    let clock = clock();
    let mut desk = desk(&env, &clock);
    for n in 1..=3 {
        add(&mut desk, n);
    }
    desk.set_backup_settings(&settings(&env, 2)).unwrap();
    let first = desk.backup_now(None).unwrap();
    for n in 4..=6 {
        add(&mut desk, n);
    }
    // Rotation: three backups a second apart, two kept (newest first).
    clock.advance(Duration::seconds(1));
    desk.backup_now(None).unwrap();
    clock.advance(Duration::seconds(1));
    let third = desk.backup_now(None).unwrap();
    assert_eq!(third.removed, vec![first.path.clone()]);
    let list = list_backups(&env.backups).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].path, third.path);
    assert!(list.iter().all(|b| b.has_head && b.bytes > 0));

    let second = list[1].path.clone();
    add(&mut desk, 7);
    assert_eq!(subjects(&desk), 7);
    let done = desk.restore_backup(&second).unwrap();
    assert!(done.kept_aside.exists());
    // Signed out; the restored database has the backup's six subjects and a sound chain that
    // records the restore.
    assert!(desk.operator().is_none());
    desk.sign_in("A1", PW).unwrap();
    assert_eq!(subjects(&desk), 6);
    let v = desk.verify_audit().unwrap();
    assert!(v.intact(), "{:?}", v.broken);
    let log = desk.audit_log(&AuditFilter::default(), 5).unwrap();
    assert!(log.iter().any(|e| e.content.summary.contains("从备份")));
    // The file kept aside still has all seven.
    let aside = Desk::new(
        Store::open_with(
            &done.kept_aside,
            &OpenOptions {
                key_dir: Some(env.keys.clone()),
                ..OpenOptions::new(OpenMode::ReadOnly)
            },
        )
        .unwrap(),
        Box::new(clock.clone()),
    );
    assert_eq!(subjects(&aside), 7);
}

#[test]
fn a_damaged_backup_is_detected_and_never_restored() {
    let env = Env::new();
    let clock = clock();
    let mut desk = desk(&env, &clock);
    add(&mut desk, 1);
    desk.set_backup_settings(&settings(&env, 10)).unwrap();
    let b = desk.backup_now(None).unwrap().path;

    // An edited audit row in the backup: the chain breaks.
    let edited = env.backups.join("edited.sqlite3");
    std::fs::copy(&b, &edited).unwrap();
    std::fs::copy(
        b.with_file_name(format!(
            "{}.audit-head",
            b.file_name().unwrap().to_string_lossy()
        )),
        env.backups.join("edited.sqlite3.audit-head"),
    )
    .unwrap();
    raw(
        &edited,
        "DROP TRIGGER IF EXISTS audit_no_update; UPDATE audit SET summary = '篡改' WHERE seq = 2;",
    );
    let v = verify_backup(&edited, Some(env.keys.clone())).unwrap();
    assert!(!v.ok() && v.audit.broken.is_some(), "{}", v.summary());

    // Bytes overwritten in the middle of the file.
    let mut broken = std::fs::read(&b).unwrap();
    let mid = broken.len() / 2;
    let end = mid + 4096.min(broken.len() - mid);
    for x in &mut broken[mid..end] {
        *x = 0xA5;
    }
    let smashed = env.backups.join("smashed.sqlite3");
    std::fs::write(&smashed, &broken).unwrap();
    match verify_backup(&smashed, Some(env.keys.clone())) {
        Ok(v) => assert!(!v.ok(), "{}", v.summary()),
        Err(e) => assert!(!e.to_string().is_empty()),
    }

    // Neither, nor a text file, nor a newer version, is restored; the database is untouched.
    let text = env.backups.join("readme.sqlite3");
    std::fs::write(&text, "这不是数据库").unwrap();
    let newer = env.backups.join("newer.sqlite3");
    std::fs::copy(&b, &newer).unwrap();
    raw(&newer, "PRAGMA user_version = 99;");
    for bad in [&edited, &smashed, &text, &newer] {
        let e = desk.restore_backup(bad).unwrap_err();
        assert!(!e.to_string().is_empty());
        assert_eq!(subjects(&desk), 1, "{}", bad.display());
    }
    let e = desk.restore_backup(&newer).unwrap_err().to_string();
    assert!(e.contains("99") || e.contains("新"), "{e}");
}

#[test]
fn bad_folders_are_refused_with_the_reason_and_only_admins_back_up() {
    let env = Env::new();
    let clock = clock();
    let mut desk = desk(&env, &clock);
    let missing = env.backups.join("没有这个文件夹");
    let e = desk.backup_now(Some(&missing)).unwrap_err().to_string();
    assert!(e.contains("备份文件夹不存在"), "{e}");
    let file = env.backups.join("文件");
    std::fs::write(&file, "x").unwrap();
    let e = desk.backup_now(Some(&file)).unwrap_err().to_string();
    assert!(e.contains("不是文件夹"), "{e}");
    let e = desk.backup_now(None).unwrap_err().to_string();
    assert!(e.contains("尚未设置备份文件夹"), "{e}");
    assert!(
        desk.set_backup_settings(&BackupSettings {
            keep: 0,
            ..settings(&env, 1)
        })
        .is_err()
    );
    assert!(list_backups(&env.backups).unwrap().is_empty());
    // db check: clean here; a clerk may not run backups.
    let check = desk.db_check(&mut |_, _| {}).unwrap();
    assert!(check.ok(), "{}", check.summary());
    sign_in_a_clerk(&mut desk);
    assert!(matches!(
        desk.backup_now(Some(&env.backups)),
        Err(DeskError::Forbidden { .. })
    ));
    assert!(matches!(
        desk.db_check(&mut |_, _| {}),
        Err(DeskError::Forbidden { .. })
    ));
}

#[test]
fn the_integrity_check_finds_an_edited_evidence_file() {
    let env = Env::new();
    let clock = clock();
    let mut desk = desk(&env, &clock);
    add(&mut desk, 1);
    desk.set_backup_settings(&settings(&env, 10)).unwrap();
    let b = desk.backup_now(None).unwrap().path;
    raw(
        &b,
        "INSERT INTO evidence_blob (sha256, bytes, size, media_type)
         VALUES ('0000000000000000000000000000000000000000000000000000000000000000', x'41', 1, 'text/plain');",
    );
    let v = verify_backup(&b, Some(env.keys.clone())).unwrap();
    assert_eq!(v.integrity.bad_blobs.len(), 1, "{}", v.summary());
    assert!(
        v.summary().contains("证明文件内容被改动"),
        "{}",
        v.summary()
    );
}

#[test]
fn the_schedule_backs_up_once_a_day_for_whoever_is_signed_in() {
    use xinyidian_core::desk::BackupSchedule;
    let env = Env::new();
    let clock = clock();
    let mut desk = desk(&env, &clock);
    desk.set_backup_settings(&BackupSettings {
        schedule: BackupSchedule::DailyAtStart,
        ..settings(&env, 10)
    })
    .unwrap();
    sign_in_a_clerk(&mut desk);
    // Not at start: nothing; at start: once a day.
    assert!(desk.run_scheduled_backup(false).unwrap().is_none());
    assert!(desk.run_scheduled_backup(true).unwrap().is_some());
    assert!(desk.run_scheduled_backup(true).unwrap().is_none());
    clock.advance(Duration::days(1));
    assert!(desk.run_scheduled_backup(true).unwrap().is_some());
    assert_eq!(list_backups(&env.backups).unwrap().len(), 2);
    // At a time: not before it, once after it.
    desk.sign_in("A1", PW).unwrap();
    desk.set_backup_settings(&BackupSettings {
        schedule: BackupSchedule::parse("18:00").unwrap(),
        ..settings(&env, 10)
    })
    .unwrap();
    clock.advance(Duration::days(1));
    assert!(desk.run_scheduled_backup(false).unwrap().is_none());
    clock.advance(Duration::hours(9) + Duration::minutes(1));
    assert!(desk.run_scheduled_backup(false).unwrap().is_some());
    assert!(desk.run_scheduled_backup(false).unwrap().is_none());
}

#[test]
fn a_server_database_is_verified_the_same_way_and_not_backed_up_here() {
    xinyidian_core::dev::engines::on_postgres(|| {
        use xinyidian_core::dev::engines::{fresh_schema_url, key_dir};
        let url = fresh_schema_url();
        let clock = clock();
        let store = Store::open_with(
            Path::new(&url),
            &OpenOptions {
                key_dir: Some(key_dir()),
                ..OpenOptions::new(OpenMode::Create)
            },
        )
        .unwrap();
        let mut desk = Desk::new(store, Box::new(clock.clone()));
        desk.setup_admin(
            &xinyidian_core::domain::operator::OperatorDraft {
                staff_no: "A1".into(),
                name: "管理员甲".into(),
                ..Default::default()
            },
            PW,
        )
        .unwrap();
        add(&mut desk, 1);
        // What `backup verify` does on a database restored from pg_dump.
        let v = verify_backup(Path::new(&url), Some(key_dir())).unwrap();
        assert!(v.ok(), "{}", v.summary());
        assert!(!v.integrity.pages_checked);
        // The counters do not back up a shared server: the IT staff's pg_dump does.
        let e = desk
            .backup_now(Some(Path::new("/tmp")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("pg_dump"), "{e}");
        assert!(desk.db_location_is_server());
    });
}
