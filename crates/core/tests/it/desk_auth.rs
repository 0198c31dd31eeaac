//! Operators, permissions, lockout and the audit trail, at the desk level.

use chrono::{Duration, NaiveDate};

use xinyidian_core::desk::{Desk, DeskError, ManualClock, Progress};
use xinyidian_core::domain::operator::{Action, OperatorDraft, Role};
use xinyidian_core::domain::record_draft::RecordDraft;
use xinyidian_core::domain::records::RecordKind;
use xinyidian_core::domain::subject::{AccountDraft, SubjectDraft, SubjectKind};
use xinyidian_core::store::{AuditFilter, Store};

const USCC: &str = "91440300708461136T";
const PW: &str = "counter-2026";

fn clock() -> ManualClock {
    ManualClock::new(
        NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
    )
}

/// A desk with an admin (A1), a supervisor (S1) and a clerk (C1); signed in as the admin.
fn desk_on(store: Store, clock: &ManualClock) -> Desk {
    let mut d = Desk::new(store, Box::new(clock.clone()));
    d.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员甲".into(),
            hall: "霞山营业厅".into(),
            window: "1 号窗口".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    for (no, name, role) in [
        ("S1", "班长乙", Role::Supervisor),
        ("C1", "柜员丙", Role::Clerk),
    ] {
        d.add_operator(
            &OperatorDraft {
                staff_no: no.into(),
                name: name.into(),
                role,
                hall: "霞山营业厅".into(),
                window: "3 号窗口".into(),
            },
            PW,
        )
        .unwrap();
    }
    d
}

fn desk(clock: &ManualClock) -> Desk {
    desk_on(xinyidian_core::dev::engines::fresh_store(), clock)
}

fn org(name: &str, code: &str) -> SubjectDraft {
    SubjectDraft {
        kind: SubjectKind::Organization,
        name: name.into(),
        code: code.into(),
        ..SubjectDraft::default()
    }
}

/// A valid USCC unique to `n`, or one with a wrong check character.
fn uscc(n: usize, valid: bool) -> String {
    let body = format!("91440800{n:09}");
    let check = xinyidian_core::domain::id_codes::uscc_check_char(&body).unwrap();
    let c = if valid {
        check
    } else if check == '0' {
        '1'
    } else {
        '0'
    };
    format!("{body}{c}")
}

/// Try `action` as the signed-in operator; Ok(()) or the refusal.
fn attempt(d: &mut Desk, action: Action, n: usize) -> Result<(), DeskError> {
    match action {
        Action::CreateSubject => d.create_subject(&org("试验公司", &uscc(n, true))).map(drop),
        Action::EditSubject => {
            let s = d.subject_by_code(USCC)?;
            d.update_subject(s.id, &SubjectDraft::from_subject(&s))
        }
        Action::AddAccount => {
            let s = d.subject_by_code(USCC)?;
            d.add_account(
                s.id,
                &AccountDraft {
                    account_no: format!("0399{n:06}"),
                    usage_address: "湛江市霞山区".into(),
                    supply_start: String::new(),
                },
            )
            .map(drop)
        }
        Action::EditAccount => {
            let s = d.subject_by_code(USCC)?;
            let a = &s.accounts[0];
            d.update_account(
                a.id,
                &AccountDraft {
                    account_no: a.account_no.clone(),
                    usage_address: format!("湛江市霞山区 {n} 号"),
                    supply_start: String::new(),
                },
            )
        }
        Action::AcceptUsccCheckFailure => d
            .create_subject_accepting_code(&org("早期试点企业", &uscc(n, false)), "已核对执照原件")
            .map(drop),
        Action::ImportRecords => {
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("缴费.csv");
            std::fs::write(
                &f,
                format!(
                    "机构名称,统一社会信用代码,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期\n\
                     湛江市霞山区海港贸易有限公司,{USCC},电费,否,2024-{m:02}-01,2024-{m:02}-28,800,千瓦时,100,湛江供电局,,2024-{m:02}-28\n",
                    m = n % 12 + 1
                ),
            )
            .unwrap();
            d.import_records(
                &f,
                None,
                xinyidian_core::desk::ImportOptions::default(),
                &Progress::new(),
            )
            .map(drop)
        }
        Action::ViewAudit => d.audit_log(&AuditFilter::default(), 10).map(drop),
        Action::ManageOperators => d.operators().map(drop),
        Action::ChangeSettings => d.set_idle_lock_minutes(10 + n as u32 % 5),
        Action::GenerateDemo => d.generate_demo(3, n as u64, &Progress::new()).map(drop),
        Action::ImportReport => {
            // A report about the test subject: stale on 2026-11-28, so kept as 已过期; the
            // second role's import of the same file is recognised as already imported.
            use xinyidian_core::dev::report_pdf as fx;
            let s = d.subject_by_code(USCC)?;
            let mut lines = fx::org_header(&s.name, USCC);
            lines.extend(fx::clean_org_lines().into_iter().skip(lines.len()));
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("信用报告.pdf");
            std::fs::write(&f, fx::render(&fx::paginate(lines), None, None)).unwrap();
            d.import_report(s.id, &f).map(drop)
        }
        // Actions whose use cases are still being built: the gate alone. Replace each arm with
        // the real use case when it lands.
        Action::RunCheck => {
            let s = d.subject_by_code(USCC)?;
            d.run_check(s.id, None, None).map(drop)
        }
        Action::ManageParks => d
            .add_park(&xinyidian_core::domain::park::ParkDraft {
                zone: format!("试点区域 {n}"),
                name: "新材料产业园区".into(),
                keywords: String::new(),
            })
            .map(drop),
        Action::ExchangePlatform => d.platform_batches().map(drop),
        Action::ExportLists => {
            let dir = tempfile::tempdir().unwrap();
            d.export_trusted(&dir.path().join("守信.xlsx")).map(drop)
        }
        Action::IssueLetter => {
            let s = d.subject_by_code(USCC)?;
            let mut f = d.letter_fields_for(s.id)?;
            f.legal_rep_name = "陈海明".into();
            f.legal_rep_id_number = "11010519491231002X".into();
            f.relation = Some(xinyidian_core::domain::letter::Relation::Owner);
            d.issue_letter(
                s.id,
                xinyidian_core::domain::trust::Business::NewConnection,
                &f,
            )
            .map(drop)
        }
        Action::AttachSignedLetter => {
            let s = d.subject_by_code(USCC)?;
            d.authorize(Action::AttachSignedLetter)?;
            let c = match d.commitments_of(s.id)?.into_iter().next() {
                Some(c) => c,
                None => return Err(DeskError::NotFound("承诺".into())),
            };
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("已签.pdf");
            std::fs::write(&f, format!("%PDF-1.4 signed {n}")).unwrap();
            d.attach_signed_letter(c.id, &f).map(drop)
        }
        Action::EnterRecord => {
            let s = d.subject_by_code(USCC)?;
            d.enter_record(
                s.id,
                &RecordDraft {
                    period_start: "2024-01-01".into(),
                    period_end: "2024-01-31".into(),
                    amount: format!("{}.50", 100 + n),
                    date: "2024-02-05".into(),
                    ..RecordDraft::new(RecordKind::Payment)
                },
            )
            .map(drop)
        }
        Action::ManageCase => {
            // Open a case on this role's newest commitment (issued just before).
            let s = d.subject_by_code(USCC)?;
            d.authorize(Action::ManageCase)?;
            let c = match d.commitments_of(s.id)?.into_iter().next() {
                Some(c) => c,
                None => return Err(DeskError::NotFound("承诺".into())),
            };
            d.open_case(c.id, Some("0300000001")).map(drop)
        }
        Action::DecideCase => {
            // Connect the newest case if needed, then extend its deadline.
            let s = d.subject_by_code(USCC)?;
            d.authorize(Action::DecideCase)?;
            let Some(case) = d.cases_of(s.id)?.into_iter().next() else {
                return Err(DeskError::NotFound("信易电案件".into()));
            };
            let case = match case.deadline {
                Some(_) => case,
                None => d.connect_case(case.id, d.today())?,
            };
            let until = case.deadline.unwrap() + Duration::days(30 + n as i64);
            d.extend_case(case.id, until, "不动产登记中心补办中")
                .map(drop)
        }
        Action::HandleCredit => {
            // An objection on this role's newest record (entered just before).
            let s = d.subject_by_code(USCC)?;
            d.authorize(Action::HandleCredit)?;
            let Some(r) = d.records_of(s.id)?.into_iter().max_by_key(|r| r.id.0) else {
                return Err(DeskError::NotFound("用电记录".into()));
            };
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("异议承诺书.pdf");
            std::fs::write(&f, format!("%PDF-1.4 sealed {n}")).unwrap();
            d.open_objection(&xinyidian_core::desk::ObjectionRequest {
                subject: s.id,
                target: xinyidian_core::domain::credit::TargetRef::Record { id: r.id.0 },
                grounds: vec![xinyidian_core::domain::credit::ObjectionGround::Error],
                statement: "金额有误".into(),
                evidence: Vec::new(),
                commitment_scan: f,
            })
            .map(drop)
        }
        // Not due (no folder set): nothing to do, but allowed.
        Action::ScheduledBackup => {
            d.authorize(Action::ScheduledBackup)?;
            d.run_scheduled_backup(true).map(drop)
        }
        Action::ManageBackups => d
            .set_backup_settings(&xinyidian_core::desk::BackupSettings::default())
            .map(drop),
        Action::DecideCredit => {
            d.authorize(Action::DecideCredit)?;
            let open = d.objections(&xinyidian_core::store::CreditFilter {
                statuses: vec!["submitted".into()],
                ..Default::default()
            })?;
            let Some(o) = open.into_iter().next() else {
                return Err(DeskError::NotFound("异议申诉".into()));
            };
            d.decide_objection(o.id, &xinyidian_core::desk::ObjectionStep::Accept)
                .map(drop)
        }
    }
}

xinyidian_core::on_both_engines! {
fn permission_matrix_every_action_and_role() {
    let clock = clock();
    let mut d = desk(&clock);
    d.create_subject(&org("湛江市霞山区海港贸易有限公司", USCC))
        .unwrap();
    // Letters need the accepting unit (rule C-3).
    d.set_accepting_unit(&xinyidian_core::dev::test_unit())
        .unwrap();
    let s = d.subject_by_code(USCC).unwrap();
    d.add_account(
        s.id,
        &AccountDraft {
            account_no: "0300000001".into(),
            usage_address: "湛江市霞山区".into(),
            supply_start: String::new(),
        },
    )
    .unwrap();
    let mut n = 0;
    for (staff_no, role) in [
        ("C1", Role::Clerk),
        ("S1", Role::Supervisor),
        ("A1", Role::Admin),
    ] {
        d.sign_out().unwrap();
        d.sign_in(staff_no, PW).unwrap();
        for action in Action::ALL {
            n += 1;
            let r = attempt(&mut d, action, n);
            let allowed = role.includes(action.required_role());
            match (&r, allowed) {
                (Err(DeskError::Forbidden { .. }), false) => {}
                (Err(DeskError::Forbidden { .. }), true) => {
                    panic!("{role:?} must be allowed {action:?}: {r:?}")
                }
                (_, false) => panic!("{role:?} must be refused {action:?}: {r:?}"),
                (Err(e), true) => panic!("{role:?} {action:?} failed: {e}"),
                (Ok(()), true) => {}
            }
        }
    }
    // Signed out, every write is refused.
    d.sign_out().unwrap();
    for action in Action::ALL {
        assert!(matches!(
            attempt(&mut d, action, 99),
            Err(DeskError::NotSignedIn)
        ));
    }
}
}

xinyidian_core::on_both_engines! {
fn forbidden_message_names_the_role_needed() {
    let clock = clock();
    let mut d = desk(&clock);
    d.sign_out().unwrap();
    d.sign_in("C1", PW).unwrap();
    let e = d.operators().unwrap_err();
    assert!(e.to_string().contains("需要管理员权限"), "{e}");
}
}

xinyidian_core::on_both_engines! {
fn wrong_password_and_unknown_staff_no_read_the_same() {
    let clock = clock();
    let mut d = desk(&clock);
    d.sign_out().unwrap();
    let unknown = d.sign_in("NOBODY", PW).unwrap_err().to_string();
    let wrong = d.sign_in("C1", "wrong-password").unwrap_err().to_string();
    assert_eq!(unknown, wrong);
    assert!(wrong.contains("工号或密码不正确"));
}
}

xinyidian_core::on_both_engines! {
fn five_failures_lock_for_fifteen_minutes_and_are_audited() {
    let clock = clock();
    let mut d = desk(&clock);
    d.sign_out().unwrap();
    for _ in 0..5 {
        assert!(matches!(
            d.sign_in("C1", "wrong-password"),
            Err(DeskError::BadCredentials)
        ));
    }
    // Even the right password is refused while locked.
    assert!(matches!(
        d.sign_in("C1", PW),
        Err(DeskError::AccountLocked { .. })
    ));
    clock.advance(Duration::minutes(14));
    assert!(matches!(
        d.sign_in("C1", PW),
        Err(DeskError::AccountLocked { .. })
    ));
    clock.advance(Duration::minutes(1));
    assert_eq!(d.sign_in("C1", PW).unwrap().staff_no, "C1");

    d.sign_out().unwrap();
    d.sign_in("A1", PW).unwrap();
    let rows = d
        .audit_log(
            &AuditFilter {
                staff_no: Some("C1".into()),
                ..AuditFilter::default()
            },
            100,
        )
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.content.action.as_str()).collect();
    assert!(actions.contains(&"账号锁定"), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "登录失败").count(), 4);
}
}

xinyidian_core::on_both_engines! {
fn disabled_operator_cannot_sign_in_and_short_password_refused() {
    let clock = clock();
    let mut d = desk(&clock);
    let c1 = d
        .operators()
        .unwrap()
        .into_iter()
        .find(|o| o.staff_no == "C1")
        .unwrap();
    d.set_operator_active(c1.id, false).unwrap();
    let e = d
        .add_operator(
            &OperatorDraft {
                staff_no: "C2".into(),
                name: "柜员丁".into(),
                ..OperatorDraft::default()
            },
            "short",
        )
        .unwrap_err();
    assert!(e.to_string().contains("至少 8 个字符"));
    d.sign_out().unwrap();
    assert!(matches!(
        d.sign_in("C1", PW),
        Err(DeskError::BadCredentials)
    ));
}
}

xinyidian_core::on_both_engines! {
fn setup_only_once() {
    let clock = clock();
    let mut d = desk(&clock);
    let e = d
        .setup_admin(
            &OperatorDraft {
                staff_no: "A9".into(),
                name: "冒充".into(),
                ..OperatorDraft::default()
            },
            PW,
        )
        .unwrap_err();
    assert!(matches!(e, DeskError::SetupDone));
}
}

xinyidian_core::on_both_engines! {
fn accepted_check_failure_needs_a_reason_and_is_recorded() {
    let clock = clock();
    let mut d = desk(&clock);
    let bad = "91440300708461136A";
    assert!(d.create_subject(&org("早期试点企业", bad)).is_err());
    assert!(matches!(
        d.create_subject_accepting_code(&org("早期试点企业", bad), "  "),
        Err(DeskError::OverrideReasonMissing)
    ));
    let id = d
        .create_subject_accepting_code(
            &org("早期试点企业", bad),
            "福建早期试点代码，已核对执照原件",
        )
        .unwrap();
    let rows = d
        .audit_log(
            &AuditFilter {
                subject_id: Some(id.0),
                ..AuditFilter::default()
            },
            10,
        )
        .unwrap();
    assert!(rows[0].content.summary.contains("已核对执照原件"));
    assert_eq!(rows[0].content.staff_no, "A1");
}
}

xinyidian_core::on_both_engines! {
fn audit_summaries_mask_personal_numbers() {
    let clock = clock();
    let mut d = desk(&clock);
    d.create_subject(&SubjectDraft {
        kind: SubjectKind::NaturalPerson,
        name: "李小梅".into(),
        code: "11010519491231002X".into(),
        ..SubjectDraft::default()
    })
    .unwrap();
    let rows = d.audit_log(&AuditFilter::default(), 1).unwrap();
    assert!(rows[0].content.summary.contains("110105********002X"));
    assert!(!rows[0].content.summary.contains("11010519491231002X"));
}
}

fn raw(path: &std::path::Path, sql: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

#[test]
fn audit_verify_detects_an_edited_row() {
    let clock = clock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.sqlite3");
    {
        let mut d = desk_on(Store::open(&path).unwrap(), &clock);
        d.create_subject(&org("湛江市霞山区海港贸易有限公司", USCC))
            .unwrap();
        d.create_subject(&org("湛江市坡头区南海水产有限公司", "91110108551385082Q"))
            .unwrap();
        let v = d.verify_audit().unwrap();
        assert!(v.broken.is_none());
        assert!(v.rows_checked >= 5);
    }
    let verify = || {
        Desk::new(Store::open(&path).unwrap(), Box::new(clock.clone()))
            .verify_audit()
            .unwrap()
    };
    raw(&path, "UPDATE audit SET summary = '篡改' WHERE seq = 3");
    assert_eq!(
        verify().broken.map(|b| b.to_string()),
        Some("第 3 条日志的内容被改动过（哈希不符）".to_string())
    );
}

#[test]
fn audit_verify_detects_deleted_and_inserted_rows() {
    let clock = clock();
    for tamper in [
        "DELETE FROM audit WHERE seq = 2",
        "INSERT INTO audit (seq, at, staff_no, window, action, subject_id, summary, prev_hash, hash)
         SELECT 1000, at, staff_no, window, action, subject_id, '伪造', prev_hash, hash
         FROM audit WHERE seq = 2",
        "UPDATE audit SET seq = seq + 100 WHERE seq >= 3; \
         INSERT INTO audit (seq, at, staff_no, window, action, subject_id, summary, prev_hash, hash)
         SELECT 3, at, staff_no, window, action, subject_id, '插入', prev_hash, hash
         FROM audit WHERE seq = 2",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.sqlite3");
        {
            let mut d = desk_on(Store::open(&path).unwrap(), &clock);
            d.create_subject(&org("湛江市霞山区海港贸易有限公司", USCC)).unwrap();
        }
        raw(&path, tamper);
        let v = Desk::new(Store::open(&path).unwrap(), Box::new(clock.clone()))
            .verify_audit()
            .unwrap();
        assert!(v.broken.is_some(), "not detected: {tamper}");
    }
}

// ---- issue 14, points 6 to 8: the real clock, the anchored chain, opening only our files ----

use xinyidian_core::desk::FixedClock;
use xinyidian_core::domain::audit::{ChainBreak, chain_hash};
use xinyidian_core::store::{OpenMode, OpenOptions, REANCHOR_ACTION, head_path};

/// Open `path` with the audit key in `keys` (tests never touch $HOME).
fn store_at(path: &std::path::Path, keys: &std::path::Path, mode: OpenMode) -> Store {
    Store::open_with(
        path,
        &OpenOptions {
            key_dir: Some(keys.to_path_buf()),
            ..OpenOptions::new(mode)
        },
    )
    .unwrap()
}

fn real_today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// `audit verify` as the CLI runs it: read-only, older schemas accepted.
fn verify_at(path: &std::path::Path, keys: &std::path::Path) -> xinyidian_core::desk::AuditVerdict {
    let store = Store::open_with(
        path,
        &OpenOptions {
            key_dir: Some(keys.to_path_buf()),
            allow_old_schema: true,
            ..OpenOptions::new(OpenMode::ReadOnly)
        },
    )
    .unwrap();
    Desk::new(store, Box::new(clock())).verify_audit().unwrap()
}

xinyidian_core::on_both_engines! {
fn a_locked_account_stays_locked_when_the_business_date_moves() {
    let dir = tempfile::tempdir().unwrap();
    let (path, keys) = (dir.path().join("lock.sqlite3"), dir.path().join("keys"));
    let today = real_today();
    {
        let mut d = Desk::new(
            store_at(&path, &keys, OpenMode::Create),
            Box::new(FixedClock::Date(today)),
        );
        d.setup_admin(
            &OperatorDraft {
                staff_no: "A1".into(),
                name: "管理员甲".into(),
                ..OperatorDraft::default()
            },
            PW,
        )
        .unwrap();
        d.sign_out().unwrap();
        for _ in 0..5 {
            assert!(matches!(
                d.sign_in("A1", "wrong-password"),
                Err(DeskError::BadCredentials | DeskError::AccountLocked { .. })
            ));
        }
    }
    // `--date` a day, a month, a year on: the lock runs on the real clock and still holds.
    for later in [1, 30, 365] {
        let mut d = Desk::new(
            store_at(&path, &keys, OpenMode::Existing),
            Box::new(FixedClock::Date(today + Duration::days(later))),
        );
        assert!(
            matches!(d.sign_in("A1", PW), Err(DeskError::AccountLocked { .. })),
            "signed in with --date {later} days on"
        );
    }
}
}

xinyidian_core::on_both_engines! {
fn audit_rows_carry_the_real_time_and_the_business_date() {
    let dir = tempfile::tempdir().unwrap();
    let (path, keys) = (dir.path().join("dates.sqlite3"), dir.path().join("keys"));
    let business = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let before = chrono::Local::now().naive_local() - Duration::seconds(1);
    {
        let mut d = Desk::new(
            store_at(&path, &keys, OpenMode::Create),
            Box::new(FixedClock::Date(business)),
        );
        assert_eq!(d.today(), business);
        d.setup_admin(
            &OperatorDraft {
                staff_no: "A1".into(),
                name: "管理员甲".into(),
                ..OperatorDraft::default()
            },
            PW,
        )
        .unwrap();
        d.create_subject(&org("湛江市霞山区海港贸易有限公司", USCC))
            .unwrap();
        let after = chrono::Local::now().naive_local() + Duration::seconds(1);
        let rows = d.audit_log(&AuditFilter::default(), 10).unwrap();
        assert!(rows.len() >= 2);
        for r in &rows {
            assert!(
                (before..=after).contains(&r.content.at),
                "stamped {} instead of the real time",
                r.content.at
            );
            assert_eq!(r.content.business_date, Some(business));
        }
    }
    assert!(verify_at(&path, &keys).intact());
    // The business date is signed with the row: moving it is an edit.
    raw(
        &path,
        "UPDATE audit SET business_date = '2021-01-01' WHERE seq = 2",
    );
    assert_eq!(
        verify_at(&path, &keys).broken,
        Some(ChainBreak::Edited { seq: 2 })
    );
}
}

/// A file database with the admin and two subjects (5 audit rows), closed.
fn filled(path: &std::path::Path, keys: &std::path::Path) {
    let mut d = desk_on(store_at(path, keys, OpenMode::Create), &clock());
    d.create_subject(&org("湛江市霞山区海港贸易有限公司", USCC))
        .unwrap();
    d.create_subject(&org("湛江市坡头区南海水产有限公司", "91110108551385082Q"))
        .unwrap();
}

xinyidian_core::on_both_engines! {
fn deleting_the_newest_rows_is_detected_and_their_numbers_never_reused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, keys) = (dir.path().join("cut.sqlite3"), dir.path().join("keys"));
    filled(&path, &keys);
    let v = verify_at(&path, &keys);
    assert!(v.intact(), "{:?}", v.broken);
    assert_eq!(v.head.as_ref().map(|h| h.seq), Some(5));
    raw(&path, "DELETE FROM audit WHERE seq >= 4");
    assert!(matches!(
        verify_at(&path, &keys).broken,
        Some(ChainBreak::Truncated {
            head_seq: 5,
            last_seq: 3,
            ..
        })
    ));
    // Later writes do not hide it by taking the deleted numbers again.
    {
        let mut d = Desk::new(
            store_at(&path, &keys, OpenMode::Existing),
            Box::new(clock()),
        );
        d.sign_in("A1", PW).unwrap();
    }
    let seqs: Vec<i64> = rusqlite::Connection::open(&path)
        .unwrap()
        .prepare("SELECT seq FROM audit ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 6]);
    assert_eq!(
        verify_at(&path, &keys).broken,
        Some(ChainBreak::Gap {
            expected: 4,
            found: 6
        })
    );
    // Even with the highest number given forgotten as well.
    raw(
        &path,
        "DELETE FROM audit WHERE seq = 6; DELETE FROM sqlite_sequence;",
    );
    {
        let mut d = Desk::new(
            store_at(&path, &keys, OpenMode::Existing),
            Box::new(clock()),
        );
        d.sign_in("A1", PW).unwrap();
    }
    assert!(verify_at(&path, &keys).broken.is_some());
}
}

xinyidian_core::on_both_engines! {
fn an_edited_and_rechained_trail_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (path, keys) = (dir.path().join("rechain.sqlite3"), dir.path().join("keys"));
    filled(&path, &keys);
    // Edit row 3 and recompute every hash from there, as anyone can without the key.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE audit SET summary = '篡改' WHERE seq = 3", [])
        .unwrap();
    let mut prev: String = conn
        .query_row("SELECT hash FROM audit WHERE seq = 2", [], |r| r.get(0))
        .unwrap();
    let d = Desk::new(
        store_at(&path, &keys, OpenMode::Existing),
        Box::new(clock()),
    );
    let mut all = Vec::new();
    {
        let mut d = d;
        d.sign_in("A1", PW).unwrap();
        all.extend(d.audit_log(&AuditFilter::default(), 100).unwrap());
    }
    all.sort_by_key(|r| r.seq);
    for r in all.iter().filter(|r| r.seq >= 3) {
        let hash = chain_hash(r.seq, &prev, &r.content);
        conn.execute(
            "UPDATE audit SET prev_hash = ?2, hash = ?3, key_id = NULL WHERE seq = ?1",
            rusqlite::params![r.seq, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    drop(conn);
    let v = verify_at(&path, &keys);
    assert_eq!(v.broken, Some(ChainBreak::Unkeyed { seq: 3 }), "{v:?}");
}
}

xinyidian_core::on_both_engines! {
fn a_database_of_an_earlier_version_keeps_its_old_rows_verifiable_and_is_keyed_from_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let (path, keys) = (dir.path().join("old.sqlite3"), dir.path().join("keys"));
    filled(&path, &keys);
    // Make it what version 11 wrote: unkeyed SHA-256 rows, no application id, no head file.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut rows = {
        let d = Desk::new(
            store_at(&path, &keys, OpenMode::Existing),
            Box::new(clock()),
        );
        let mut d = d;
        d.sign_in("A1", PW).unwrap();
        d.audit_log(&AuditFilter::default(), 100).unwrap()
    };
    rows.sort_by_key(|r| r.seq);
    let mut prev = xinyidian_core::domain::audit::GENESIS_HASH.to_string();
    for r in &rows {
        let mut c = r.content.clone();
        c.business_date = None;
        let hash = chain_hash(r.seq, &prev, &c);
        conn.execute(
            "UPDATE audit SET prev_hash = ?2, hash = ?3, key_id = NULL, business_date = NULL
             WHERE seq = ?1",
            rusqlite::params![r.seq, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    // Without the tables of later steps (13: the platform exchange, 14: repairs and
    // objections), which version 11 lacked.
    conn.execute_batch(
        "DROP TABLE platform_item; DROP TABLE platform_sent; DROP TABLE platform_batch;
         DROP TABLE list_entry; DROP TABLE list_snapshot;
         DROP TABLE credit_target; DROP TABLE objection; DROP TABLE repair_application;
         DROP TABLE work_calendar;
         PRAGMA user_version = 11; PRAGMA application_id = 0;",
    )
    .unwrap();
    drop(conn);
    std::fs::remove_file(head_path(&path)).unwrap();
    let old = rows.len() as u64;
    // A read-only verify of the old file: old rule, nothing to anchor yet.
    let v = verify_at(&path, &keys);
    assert!(v.intact(), "{:?}", v.broken);
    assert_eq!((v.legacy_rows, v.keyed_since, v.head), (old, None, None));
    // The first write-open upgrades it and anchors it; the next row is keyed.
    {
        let mut d = Desk::new(
            store_at(&path, &keys, OpenMode::Existing),
            Box::new(clock()),
        );
        d.sign_in("A1", PW).unwrap();
    }
    let v = verify_at(&path, &keys);
    assert!(v.intact(), "{:?}", v.broken);
    assert_eq!(v.legacy_rows, old);
    assert_eq!(v.keyed_since, Some(old as i64 + 1));
    assert!(v.reanchored.is_empty());
    // The old rows are anchored too: the first keyed row signs the last old hash.
    raw(&path, "UPDATE audit SET summary = '改' WHERE seq = 2");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut prev = xinyidian_core::domain::audit::GENESIS_HASH.to_string();
    for r in rows.iter_mut() {
        if r.seq == 2 {
            r.content.summary = "改".into();
        }
        r.content.business_date = None;
        let hash = chain_hash(r.seq, &prev, &r.content);
        conn.execute(
            "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            rusqlite::params![r.seq, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    drop(conn);
    assert_eq!(
        verify_at(&path, &keys).broken,
        Some(ChainBreak::Unlinked {
            seq: old as i64 + 1
        })
    );
}
}

xinyidian_core::on_both_engines! {
fn a_missing_head_file_is_reported_and_a_rebuilt_one_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (path, keys) = (dir.path().join("head.sqlite3"), dir.path().join("keys"));
    filled(&path, &keys);
    std::fs::remove_file(head_path(&path)).unwrap();
    assert!(matches!(
        verify_at(&path, &keys).broken,
        Some(ChainBreak::HeadMissing { .. })
    ));
    {
        let mut d = Desk::new(
            store_at(&path, &keys, OpenMode::Existing),
            Box::new(clock()),
        );
        d.sign_in("A1", PW).unwrap();
        let rows = d.audit_log(&AuditFilter::default(), 2).unwrap();
        assert_eq!(rows[1].content.action, REANCHOR_ACTION);
        assert!(rows[1].content.summary.contains("锚定文件缺失"));
    }
    let v = verify_at(&path, &keys);
    assert!(v.intact(), "{:?}", v.broken);
    assert_eq!(v.reanchored, vec![6]);
    // Another computer's key cannot vouch for these rows.
    let other = dir.path().join("other-keys");
    let v = verify_at(&path, &other);
    assert!(
        matches!(v.broken, Some(ChainBreak::NoKey { .. })),
        "{:?}",
        v.broken
    );
}
}

xinyidian_core::on_both_engines! {
fn a_read_only_desk_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, keys) = (dir.path().join("ro.sqlite3"), dir.path().join("keys"));
    filled(&path, &keys);
    let mut d = Desk::new(
        store_at(&path, &keys, OpenMode::ReadOnly),
        Box::new(clock()),
    );
    let err = d.sign_in("A1", PW).unwrap_err();
    assert!(err.to_string().contains("只读"), "{err}");
    assert_eq!(d.lookup("海港贸易", 10).unwrap().hits.len(), 1);
}
}
