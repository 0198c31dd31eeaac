//! Counter entry of power-supply records at the desk level (rule S-2): add, correct, reminder,
//! settlement and just cause, with the refusals and the rule D-1 outcome each leads to.

use chrono::{Duration, NaiveDate};

use xinyidian_core::desk::{Desk, DeskError, ManualClock};
use xinyidian_core::domain::dishonesty::{Outcome, RuleId};
use xinyidian_core::domain::operator::OperatorDraft;
use xinyidian_core::domain::record_draft::{RecordDraft, RecordField};
use xinyidian_core::domain::records::{Record, RecordKind, TheftStatus};
use xinyidian_core::domain::subject::{AccountDraft, SubjectDraft, SubjectId, SubjectKind};
use xinyidian_core::store::{AuditFilter, RecordId, Store};

const USCC: &str = "91440300708461136T";
const OTHER_USCC: &str = "91110108551385082Q";
const ACCOUNT: &str = "0300123456";
const PW: &str = "counter-2026";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn clock() -> ManualClock {
    ManualClock::new(d(2026, 11, 28).and_hms_opt(9, 0, 0).unwrap())
}

/// A desk with the admin A1 signed in, one subject with one account, and a second subject.
fn desk_on(store: Store, clock: &ManualClock) -> (Desk, SubjectId) {
    let mut desk = Desk::new(store, Box::new(clock.clone()));
    desk.setup_admin(
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
    let id = desk
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: "湛江市霞山区海港贸易有限公司".into(),
            code: USCC.into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    desk.add_account(
        id,
        &AccountDraft {
            account_no: ACCOUNT.into(),
            usage_address: "湛江经济技术开发区钢铁产业园区一路 8 号".into(),
            supply_start: "2021-03-01".into(),
        },
    )
    .unwrap();
    desk.create_subject(&SubjectDraft {
        kind: SubjectKind::Organization,
        name: "湛江市坡头区南海水产有限公司".into(),
        code: OTHER_USCC.into(),
        ..SubjectDraft::default()
    })
    .unwrap();
    (desk, id)
}

fn desk(clock: &ManualClock) -> (Desk, SubjectId) {
    desk_on(xinyidian_core::dev::engines::fresh_store(), clock)
}

fn audit_rows(desk: &Desk) -> usize {
    desk.audit_log(&AuditFilter::default(), 10_000)
        .unwrap()
        .len()
}

fn payment() -> RecordDraft {
    RecordDraft {
        account_no: ACCOUNT.into(),
        period_start: "2026-01-01".into(),
        period_end: "2026-01-31".into(),
        quantity: "8,000".into(),
        usage_unit: "千瓦时".into(),
        amount: "¥6,400.00".into(),
        date: "2026-02-05".into(),
        ..RecordDraft::new(RecordKind::Payment)
    }
}

/// 23,000 元 of arrears for the first quarter of 2026, not yet reminded.
fn arrears() -> RecordDraft {
    RecordDraft {
        account_no: ACCOUNT.into(),
        period_start: "2026-01-01".into(),
        period_end: "2026-03-31".into(),
        amount: "23000".into(),
        ..RecordDraft::new(RecordKind::Arrears)
    }
}

fn view(desk: &Desk, id: RecordId) -> xinyidian_core::desk::RecordView {
    desk.record_view(id).unwrap()
}

fn reason(o: &Outcome) -> &str {
    match o {
        Outcome::Dishonest(f) => &f.reason,
        Outcome::NotDishonest(c) => &c.reason,
    }
}

xinyidian_core::on_both_engines! {
fn a_payment_is_stored_audited_and_judged() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let before = audit_rows(&desk);
    let id = desk.enter_record(subject, &payment()).unwrap();
    let views = desk.records_of(subject).unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].id, id);
    assert_eq!(views[0].source, "counter");
    let Record::Payment(p) = &views[0].record else {
        panic!("{:?}", views[0].record)
    };
    assert_eq!(p.amount.0, 640_000);
    assert_eq!(p.account_no.as_deref(), Some(ACCOUNT));
    assert_eq!(p.subject_name, "湛江市霞山区海港贸易有限公司");
    assert!(matches!(views[0].outcome, Outcome::NotDishonest(_)));
    let log = desk.audit_log(&AuditFilter::default(), 10).unwrap();
    assert_eq!(log.len(), before + 1);
    assert_eq!(log[0].content.action, "录入用电记录");
    assert_eq!(log[0].content.subject_id, Some(subject.0));
    assert!(
        log[0].content.summary.contains("6,400.00 元"),
        "{}",
        log[0].content.summary
    );
}
}

xinyidian_core::on_both_engines! {
fn invalid_fields_are_named_and_nothing_is_written() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let before = audit_rows(&desk);
    let bad = RecordDraft {
        amount: "-6400".into(),
        date: "2026-11-29".into(),
        account_no: "0399999999".into(),
        ..payment()
    };
    let err = desk.enter_record(subject, &bad).unwrap_err();
    let fields: Vec<RecordField> = err.record_field_errors().iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            RecordField::AccountNo,
            RecordField::Amount,
            RecordField::Date
        ]
    );
    let text = err.to_string();
    assert!(text.contains("【缴费金额】金额不能为负数"), "{text}");
    assert!(
        text.contains("【缴纳日期】缴纳日期 2026-11-29 晚于今天"),
        "{text}"
    );
    assert!(
        text.contains("不是“湛江市霞山区海港贸易有限公司”的用电户"),
        "{text}"
    );
    assert_eq!(desk.count_records().unwrap(), 0);
    assert_eq!(audit_rows(&desk), before);
}
}

xinyidian_core::on_both_engines! {
fn every_kind_can_be_entered_and_a_person_gets_the_person_variant() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    desk.enter_record(subject, &arrears()).unwrap();
    desk.enter_record(
        subject,
        &RecordDraft {
            account_no: ACCOUNT.into(),
            date: "2026-05-01".into(),
            period_text: "2026-04-01至2026-04-30".into(),
            days: "30天".into(),
            amount: "1,200".into(),
            ..RecordDraft::new(RecordKind::ViolationUsage)
        },
    )
    .unwrap();
    desk.enter_record(
        subject,
        &RecordDraft {
            date: "2026-06-01".into(),
            amount: "3000".into(),
            second_amount: "9000".into(),
            status: TheftStatus::Pending,
            ..RecordDraft::new(RecordKind::Theft)
        },
    )
    .unwrap();
    let kinds: Vec<RecordKind> = desk
        .records_of(subject)
        .unwrap()
        .iter()
        .map(|v| v.record.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            RecordKind::Arrears,
            RecordKind::ViolationUsage,
            RecordKind::Theft
        ]
    );

    let person = desk
        .create_subject(&SubjectDraft {
            kind: SubjectKind::NaturalPerson,
            name: "陈海".into(),
            code: "11010519491231002X".into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    let draft = RecordDraft {
        account_no: String::new(),
        ..payment()
    };
    desk.enter_record(person, &draft).unwrap();
    assert_eq!(
        desk.records_of(person).unwrap()[0].record.kind(),
        RecordKind::PersonPayment
    );
}
}

xinyidian_core::on_both_engines! {
fn the_same_record_twice_is_refused() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    desk.enter_record(subject, &payment()).unwrap();
    let before = audit_rows(&desk);
    let err = desk.enter_record(subject, &payment()).unwrap_err();
    assert!(matches!(err, DeskError::RecordRefused(_)), "{err:?}");
    assert!(err.to_string().contains("不能重复录入"), "{err}");
    assert_eq!(desk.count_records().unwrap(), 1);
    assert_eq!(audit_rows(&desk), before);
}
}

xinyidian_core::on_both_engines! {
fn a_correction_keeps_the_natural_key_consistent() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let first = desk.enter_record(subject, &arrears()).unwrap();
    let second_draft = RecordDraft {
        period_start: "2026-04-01".into(),
        period_end: "2026-06-30".into(),
        ..arrears()
    };
    let second = desk.enter_record(subject, &second_draft).unwrap();

    // Moving the second onto the first one's key is refused, and nothing changes.
    let before = audit_rows(&desk);
    let second_before = view(&desk, second).record;
    let err = desk.correct_record(second, &arrears()).unwrap_err();
    assert!(err.to_string().contains("另一条已登记的记录相同"), "{err}");
    assert_eq!(view(&desk, second).record, second_before);
    assert_eq!(audit_rows(&desk), before);

    // A non-key correction keeps the key; a key correction moves it.
    let old_key = view(&desk, first).record.key();
    desk.correct_record(
        first,
        &RecordDraft {
            amount: "23,500.00".into(),
            ..arrears()
        },
    )
    .unwrap();
    assert_eq!(view(&desk, first).record.key(), old_key);
    desk.correct_record(
        first,
        &RecordDraft {
            period_end: "2026-02-28".into(),
            ..arrears()
        },
    )
    .unwrap();
    let moved = view(&desk, first).record;
    assert_ne!(moved.key(), old_key);
    // The old key is free again: the original record may be entered anew.
    desk.enter_record(subject, &arrears()).unwrap();
    assert_eq!(desk.count_records().unwrap(), 3);

    let log = desk.audit_log(&AuditFilter::default(), 3).unwrap();
    assert!(log[1].content.summary.starts_with("更正"), "{:?}", log[1]);
    assert!(log[1].content.summary.contains("→"));
}
}

xinyidian_core::on_both_engines! {
fn a_correction_cannot_change_the_kind_or_save_nothing() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let id = desk.enter_record(subject, &payment()).unwrap();
    let err = desk.correct_record(id, &arrears()).unwrap_err();
    assert!(err.to_string().contains("不能改变记录类别"), "{err}");
    let err = desk.correct_record(id, &payment()).unwrap_err();
    assert!(err.to_string().contains("没有改变"), "{err}");
    let err = desk
        .correct_record(
            id,
            &RecordDraft {
                amount: "12.345".into(),
                ..payment()
            },
        )
        .unwrap_err();
    assert_eq!(err.record_field_errors()[0].field, RecordField::Amount);
    let Record::Payment(p) = view(&desk, id).record else {
        panic!()
    };
    assert_eq!(p.amount.0, 640_000);
}
}

xinyidian_core::on_both_engines! {
/// Rule D-1 through the counter: reminder, six months exactly, one day more, then a just cause.
fn reminder_six_months_then_just_cause() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let id = desk.enter_record(subject, &arrears()).unwrap();
    assert!(reason(&view(&desk, id).outcome).contains("尚未催告"));

    // Today is 2026-11-28: a reminder on 2026-05-28 ends its six months today.
    desk.record_reminder(id, "2026年5月28日").unwrap();
    let v = view(&desk, id);
    let Outcome::NotDishonest(c) = &v.outcome else {
        panic!("{:?}", v.outcome)
    };
    assert_eq!(c.becomes_on, Some(d(2026, 11, 29)));
    assert!(
        c.reason.contains("数额较大标准：10,000.00 元"),
        "{}",
        c.reason
    );

    clock.advance(Duration::days(1));
    let v = view(&desk, id);
    let Outcome::Dishonest(f) = &v.outcome else {
        panic!("{:?}", v.outcome)
    };
    assert_eq!(f.rule, RuleId::D1);
    assert_eq!(f.since, d(2026, 11, 29));
    assert!(
        f.reason.contains("数额较大标准：10,000.00 元"),
        "{}",
        f.reason
    );

    desk.record_just_cause(id, "供电设施故障导致停产，经核实")
        .unwrap();
    let v = view(&desk, id);
    let Outcome::NotDishonest(c) = &v.outcome else {
        panic!("{:?}", v.outcome)
    };
    assert!(
        c.reason.contains("有正当理由：供电设施故障导致停产"),
        "{}",
        c.reason
    );

    let log = desk.audit_log(&AuditFilter::default(), 2).unwrap();
    assert!(log[0].content.summary.starts_with("登记正当理由"));
    assert!(
        log[1]
            .content
            .summary
            .starts_with("登记催告日期 2026-05-28")
    );
}
}

xinyidian_core::on_both_engines! {
fn paid_on_the_last_day_never_becomes_a_record() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let id = desk.enter_record(subject, &arrears()).unwrap();
    desk.record_reminder(id, "2026-05-28").unwrap();
    desk.settle_arrears(id, "2026-11-28").unwrap();
    clock.advance(Duration::days(400));
    let v = view(&desk, id);
    assert!(
        reason(&v.outcome).contains("已于 2026-11-28 结清"),
        "{:?}",
        v.outcome
    );
    assert!(matches!(v.outcome, Outcome::NotDishonest(_)));
}
}

xinyidian_core::on_both_engines! {
fn under_the_threshold_in_force_is_not_a_record() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    desk.set_large_arrears_threshold(30_000).unwrap();
    let id = desk
        .enter_record(
            subject,
            &RecordDraft {
                reminded_on: "2026-01-10".into(),
                ..arrears()
            },
        )
        .unwrap();
    let v = view(&desk, id);
    assert!(matches!(v.outcome, Outcome::NotDishonest(_)));
    assert!(
        reason(&v.outcome).contains("低于数额较大标准 30,000.00 元"),
        "{:?}",
        v.outcome
    );
}
}

xinyidian_core::on_both_engines! {
fn single_field_actions_refuse_and_write_nothing() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let pay = desk.enter_record(subject, &payment()).unwrap();
    let arr = desk.enter_record(subject, &arrears()).unwrap();
    let before_rows = audit_rows(&desk);
    let before = view(&desk, arr).record;

    let err = desk.record_reminder(pay, "2026-05-01").unwrap_err();
    assert!(
        err.to_string().contains("只有欠费记录可以登记催告"),
        "{err}"
    );
    let err = desk.settle_arrears(pay, "2026-05-01").unwrap_err();
    assert!(err.to_string().contains("只有欠费记录"), "{err}");

    for (r, field, text) in [
        (
            desk.record_reminder(arr, "2026-02-30"),
            RecordField::RemindedOn,
            "没有 30 日",
        ),
        (
            desk.record_reminder(arr, "2026-11-29"),
            RecordField::RemindedOn,
            "晚于今天",
        ),
        (
            desk.record_reminder(arr, "2025-12-31"),
            RecordField::RemindedOn,
            "早于欠缴统计开始日",
        ),
        (
            desk.settle_arrears(arr, ""),
            RecordField::SettledOn,
            "不能为空",
        ),
        (
            desk.record_just_cause(arr, "  "),
            RecordField::JustCause,
            "不能为空",
        ),
    ] {
        let err = r.unwrap_err();
        let e = &err.record_field_errors()[0];
        assert_eq!(e.field, field, "{err}");
        assert!(e.message.contains(text), "{err}");
    }
    let err = desk
        .record_reminder(RecordId(9999), "2026-05-01")
        .unwrap_err();
    assert!(matches!(err, DeskError::NotFound(_)), "{err:?}");
    assert_eq!(view(&desk, arr).record, before);
    assert_eq!(audit_rows(&desk), before_rows);

    // Once reminded or settled, a second reminder or settlement is refused.
    desk.record_reminder(arr, "2026-05-01").unwrap();
    let err = desk.record_reminder(arr, "2026-06-01").unwrap_err();
    assert!(err.to_string().contains("已于 2026-05-01 催告"), "{err}");
    desk.settle_arrears(arr, "2026-06-01").unwrap();
    let err = desk.settle_arrears(arr, "2026-06-02").unwrap_err();
    assert!(err.to_string().contains("已于 2026-06-01 结清"), "{err}");
}
}

xinyidian_core::on_both_engines! {
fn signed_out_nothing_can_be_entered() {
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let id = desk.enter_record(subject, &arrears()).unwrap();
    desk.sign_out().unwrap();
    assert!(matches!(
        desk.enter_record(subject, &payment()),
        Err(DeskError::NotSignedIn)
    ));
    assert!(matches!(
        desk.record_reminder(id, "2026-05-01"),
        Err(DeskError::NotSignedIn)
    ));
}
}

#[test]
fn a_worker_desk_shares_the_file_the_operator_and_the_date() {
    let clock = clock();
    let dir = tempfile::tempdir().unwrap();
    let (mut desk, subject) = desk_on(Store::open(&dir.path().join("x.sqlite3")).unwrap(), &clock);
    let mut worker = desk.worker_desk().unwrap().unwrap();
    assert_eq!(worker.today(), desk.today());
    assert_eq!(
        worker.operator().map(|o| o.staff_no.clone()),
        Some("A1".into())
    );
    let id = std::thread::spawn(move || worker.enter_record(subject, &payment()).unwrap())
        .join()
        .unwrap();
    assert_eq!(desk.records_of(subject).unwrap()[0].id, id);
    desk.enter_record(subject, &arrears()).unwrap();

    let (mem, _) = self::desk(&clock);
    assert!(mem.worker_desk().unwrap().is_none());
}

/// A payment file of `rows` distinct rows for the first subject (several parsing batches).
fn payments_file(dir: &std::path::Path, rows: u32) -> std::path::PathBuf {
    let mut csv = String::from(
        "机构名称,统一社会信用代码,用户编号,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期\n",
    );
    for i in 0..rows {
        let start = d(2010, 1, 1) + Duration::days(i64::from(i));
        let end = start + Duration::days(27);
        let paid = end + Duration::days(3);
        csv.push_str(&format!(
            "湛江市霞山区海港贸易有限公司,{USCC},{ACCOUNT},电费,否,{start},{end},{}.5,千瓦时,{}.25,广东电网有限责任公司湛江供电局,,{paid}\n",
            100 + i,
            20 + i
        ));
    }
    let path = dir.join("缴费.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn bulk_import_on_disk_cancel_commit_reopen_and_reimport() {
    use xinyidian_core::desk::{ImportOptions, Progress};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("counter.sqlite3");
    let clock = clock();
    let (mut desk, _) = desk_on(Store::open(&db).unwrap(), &clock);
    let file = payments_file(dir.path(), 3000);

    // Cancelled at the first batch: an error, and not one row written.
    let cancelled = Progress::new();
    cancelled.cancel();
    let err = desk
        .import_records(&file, None, ImportOptions::default(), &cancelled)
        .unwrap_err();
    assert!(matches!(err, DeskError::Cancelled(_)), "{err}");
    assert_eq!(desk.count_records().unwrap(), 0);

    let progress = Progress::new();
    let first = desk
        .import_records(&file, None, ImportOptions::default(), &progress)
        .unwrap();
    assert!(first.written, "{:?}", first.errors);
    assert_eq!((first.rows, first.inserted), (3000, 3000));
    // The reader's progress reached the end of the file.
    let (done, total) = progress.get();
    assert!(total > 0 && done == total, "{done}/{total}");

    // Committed to the file (the log is copied in the background): a fresh open sees it all.
    drop(desk);
    let mut desk = Desk::new(Store::open(&db).unwrap(), Box::new(clock.clone()));
    desk.sign_in("A1", PW).unwrap();
    assert_eq!(desk.count_records().unwrap(), 3000);
    let again = desk
        .import_records(&file, None, ImportOptions::default(), &Progress::new())
        .unwrap();
    assert_eq!((again.inserted, again.unchanged), (0, 3000));
    assert_eq!(desk.count_records().unwrap(), 3000);
}

xinyidian_core::on_both_engines! {
/// A row repeated in one file, a row differing only in its amount (part of a payment's natural
/// key, so a record of its own), and then the file again: each row counts as the row-by-row rule
/// says, on both engines (PostgreSQL looks up and writes a whole batch by COPY).
fn repeated_and_changed_keys_in_one_file_count_as_row_by_row() {
    use xinyidian_core::desk::{ImportOptions, Progress};
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let (mut desk, subject) = desk(&clock);
    let row = |amount: &str, start: &str, end: &str| {
        format!(
            "湛江市霞山区海港贸易有限公司,{USCC},{ACCOUNT},电费,否,{start},{end},100.5,千瓦时,{amount},广东电网有限责任公司湛江供电局,,2024-02-05\n"
        )
    };
    let mut csv = String::from(
        "机构名称,统一社会信用代码,用户编号,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期\n",
    );
    csv.push_str(&row("20.25", "2024-01-01", "2024-01-31"));
    csv.push_str(&row("30.25", "2024-02-01", "2024-02-29"));
    csv.push_str(&row("21.25", "2024-01-01", "2024-01-31"));
    csv.push_str(&row("30.25", "2024-02-01", "2024-02-29"));
    let path = dir.path().join("缴费.csv");
    std::fs::write(&path, csv).unwrap();
    let first = desk
        .import_records(&path, None, ImportOptions::default(), &Progress::new())
        .unwrap();
    assert_eq!(
        (first.rows, first.inserted, first.updated, first.unchanged),
        (4, 3, 0, 1)
    );
    assert_eq!(desk.records_of(subject).unwrap().len(), 3);
    let again = desk
        .import_records(&path, None, ImportOptions::default(), &Progress::new())
        .unwrap();
    assert_eq!(
        (again.rows, again.inserted, again.updated, again.unchanged),
        (4, 0, 0, 4)
    );
    assert_eq!(desk.records_of(subject).unwrap().len(), 3);
}
}
