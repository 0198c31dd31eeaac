//! Credit repair and objections through the desk (issue 19, rules X-1..X-3): a repaired arrears
//! record stops counting from the repair date (and only from it), a record past its maximum
//! period stops by itself, an objection marks a record without changing a verdict and may
//! withdraw or correct it, the working-day calendar, the 待办 tabs, who may do what, and
//! refusals that write nothing.

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use xinyidian_core::desk::{
    Desk, DeskError, ExportOptions, ManualClock, ObjectionRequest, ObjectionStep, Progress,
    RepairRequest, RepairStep,
};
use xinyidian_core::documents::platform::BatchFormat;
use xinyidian_core::domain::commitment::AcceptingUnit;
use xinyidian_core::domain::credit::{
    Correction, Grade, ObjectionGround, ObjectionStatus, RepairRoute, RepairStatus, TargetRef,
    Urgency,
};
use xinyidian_core::domain::dishonesty::{Outcome, RuleId};
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::operator::{OperatorDraft, Role};
use xinyidian_core::domain::platform::PlatformClass;
use xinyidian_core::domain::record_draft::RecordDraft;
use xinyidian_core::domain::records::RecordKind;
use xinyidian_core::domain::subject::{AccountDraft, SubjectDraft, SubjectId, SubjectKind};
use xinyidian_core::domain::trust::{Rule, RuleOutcome};
use xinyidian_core::store::{AuditFilter, CreditFilter, RecordId, Store};

use crate::support::{PW, d, uscc};

const ACCOUNT: &str = "0300123456";

/// A desk on `store` at 09:00 of `today` with the admin A1 (signed in), the clerk C1, the
/// accepting unit set, and one subject (supplied since 2021) with one account.
fn setup(store: Store, today: NaiveDate) -> (Desk, ManualClock, SubjectId) {
    let clock = ManualClock::new(today.and_hms_opt(9, 0, 0).unwrap());
    let mut desk = Desk::new(store, Box::new(clock.clone()));
    desk.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员甲".into(),
            hall: "霞山营业厅".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    desk.add_operator(
        &OperatorDraft {
            staff_no: "C1".into(),
            name: "柜员乙".into(),
            role: Role::Clerk,
            hall: "霞山营业厅".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    desk.set_accepting_unit(&AcceptingUnit {
        name: "广东电网有限责任公司湛江供电局".into(),
        uscc: {
            let body = "91440800190364217";
            format!("{body}{}", uscc_check_char(body).unwrap())
        },
    })
    .unwrap();
    let id = subject(&mut desk, 1, "湛江市霞山区海港贸易有限公司");
    desk.add_account(
        id,
        &AccountDraft {
            account_no: ACCOUNT.into(),
            usage_address: "湛江市霞山区人民大道 8 号".into(),
            supply_start: "2021-03-01".into(),
        },
    )
    .unwrap();
    (desk, clock, id)
}

fn subject(desk: &mut Desk, n: u32, name: &str) -> SubjectId {
    desk.create_subject(&SubjectDraft {
        kind: SubjectKind::Organization,
        name: name.into(),
        code: uscc(n),
        founded_on: "2010-05-01".into(),
        ..SubjectDraft::default()
    })
    .unwrap()
}

/// 23,000 元 of arrears for the last quarter of 2025, reminded on `reminded`: a dishonesty
/// record from reminder + six months + one day (D-1).
fn arrears(desk: &mut Desk, subject: SubjectId, reminded: &str) -> RecordId {
    let id = desk
        .enter_record(
            subject,
            &RecordDraft {
                account_no: ACCOUNT.into(),
                period_start: "2025-01-01".into(),
                period_end: "2025-03-31".into(),
                amount: "23000".into(),
                ..RecordDraft::new(RecordKind::Arrears)
            },
        )
        .unwrap();
    desk.record_reminder(id, reminded).unwrap();
    id
}

fn payment(desk: &mut Desk, subject: SubjectId) -> RecordId {
    desk.enter_record(subject, &payment_draft("6400")).unwrap()
}

fn payment_draft(amount: &str) -> RecordDraft {
    RecordDraft {
        account_no: ACCOUNT.into(),
        period_start: "2026-01-01".into(),
        period_end: "2026-01-31".into(),
        quantity: "8,000".into(),
        usage_unit: "千瓦时".into(),
        amount: amount.into(),
        date: "2026-02-05".into(),
        ..RecordDraft::new(RecordKind::Payment)
    }
}

/// A file with `bytes` in a fresh folder kept by `dir`.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR receipt";
const PDF: &[u8] = b"%PDF-1.4\n% signed and sealed\n";

fn t1b(desk: &mut Desk, subject: SubjectId) -> (RuleOutcome, Vec<String>) {
    let v = desk.run_check(subject, None, None).unwrap().verdict;
    let r = v.rule(Rule::T1b).unwrap();
    (r.outcome, r.evidence.clone())
}

fn as_clerk(desk: &mut Desk) {
    desk.sign_in("C1", PW).unwrap();
}

fn as_admin(desk: &mut Desk) {
    desk.sign_in("A1", PW).unwrap();
}

fn repair_request(subject: SubjectId, record: RecordId, evidence: PathBuf) -> RepairRequest {
    RepairRequest {
        subject,
        targets: vec![TargetRef::Record { id: record.0 }],
        route: RepairRoute::ArrearsPaid,
        statement: "已于 2026-11-20 缴清欠费及违约金".into(),
        evidence: vec![(evidence, "缴费凭证".into())],
    }
}

xinyidian_core::on_both_engines! {
fn a_repaired_arrears_record_stops_counting_from_the_repair_date_only() {
    // Reminded 2026-01-05: dishonest from 2026-07-06, 一般 → repair from 2026-10-06.
    let (mut desk, clock, s) = setup(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 27));
    let rec = arrears(&mut desk, s, "2026-01-05");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // The arrears reach the platform first (E-1).
    let arrears_export = |desk: &mut Desk| {
        desk.platform_export(
            &ExportOptions { classes: vec![PlatformClass::Arrears], format: BatchFormat::CsvBom, dry_run: false },
            &out,
            &Progress::new(),
        )
        .unwrap()
    };
    let first = arrears_export(&mut desk);
    assert_eq!(first.classes[0].new, 1);
    desk.platform_accept(first.batch_no.as_deref().unwrap()).unwrap();

    let (before, _) = t1b(&mut desk, s);
    assert_eq!(before, RuleOutcome::Fail);
    let view = desk.record_view(rec).unwrap();
    let p = view.credit.periods.unwrap();
    assert_eq!((p.grade, p.earliest_repair, p.publication_end), (Grade::General, d(2026, 10, 6), d(2027, 7, 6)));

    as_clerk(&mut desk);
    let receipt = file(dir.path(), "缴费凭证.png", PNG);
    let opened = desk.open_repair(&repair_request(s, rec, receipt.clone())).unwrap();
    let app = opened.application;
    assert!(opened.pdf.starts_with(b"%PDF"));
    assert_eq!(app.status, RepairStatus::Submitted);
    assert_eq!(app.commitment.code.len(), 20);
    assert!(app.commitment.code.starts_with("44080020261127"), "{}", app.commitment.code);
    // Friday 27 November + 2 working days = Tuesday 1 December.
    assert_eq!(app.deadline, Some(d(2026, 12, 1)));
    // The evidence can be viewed as it was given.
    let copy = desk.credit_file_for_viewing(&app.evidence[0]).unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), PNG);
    // A reprint is the same file.
    assert_eq!(desk.repair_letter_pdf(app.id).unwrap(), opened.pdf);
    // A letter issued the same day takes the next serial: one space, no shared code (C-4).
    let mut f = desk.letter_fields_for(s).unwrap();
    f.legal_rep_name = "陈海明".into();
    f.legal_rep_id_number = "11010519491231002X".into();
    f.relation = Some(xinyidian_core::domain::letter::Relation::Tenant);
    let letter = desk
        .issue_letter(s, xinyidian_core::domain::trust::Business::NewConnection, &f)
        .unwrap()
        .commitment;
    assert_eq!(letter.code, format!("{}000002", &app.commitment.code[..14]));
    // The same record cannot be in two open applications.
    let e = desk.open_repair(&repair_request(s, rec, receipt.clone())).unwrap_err();
    assert!(e.to_string().contains("不能重复申请"), "{e}");

    // A clerk cannot decide.
    let e = desk.decide_repair(app.id, &RepairStep::Accept).unwrap_err();
    assert!(matches!(e, DeskError::Forbidden { .. }), "{e}");

    as_admin(&mut desk);
    desk.decide_repair(app.id, &RepairStep::Accept).unwrap();
    desk.decide_repair(app.id, &RepairStep::Review).unwrap();
    // Without the signed 信用修复承诺书 there is no repair (X-2: a public commitment).
    let e = desk.decide_repair(app.id, &RepairStep::Repair).unwrap_err();
    assert!(e.to_string().contains("信用修复承诺书"), "{e}");
    as_clerk(&mut desk);
    desk.attach_repair_letter(app.id, &file(dir.path(), "承诺书.pdf", PDF)).unwrap();
    as_admin(&mut desk);
    clock.advance(Duration::days(3)); // Monday 30 November
    let done = desk.decide_repair(app.id, &RepairStep::Repair).unwrap();
    assert_eq!((done.status, done.repaired_on), (RepairStatus::Repaired, Some(d(2026, 11, 30))));
    assert_eq!(done.steps.len(), 4);

    // From the repair date on, T-1(b) passes and the record shows 已修复.
    let (after, evidence) = t1b(&mut desk, s);
    assert_eq!(after, RuleOutcome::Pass, "{evidence:?}");
    assert!(evidence.iter().any(|e| e.contains("已于 2026-11-30 信用修复")), "{evidence:?}");
    let view = desk.record_view(rec).unwrap();
    assert!(matches!(view.outcome, Outcome::NotDishonest(_)));
    assert_eq!(view.credit.label(), "已修复（2026-11-30）");
    // A check dated before the repair still fails.
    clock.advance(Duration::days(-1));
    assert_eq!(t1b(&mut desk, s).0, RuleOutcome::Fail);
    clock.advance(Duration::days(1));

    // Repaired once: not again.
    as_clerk(&mut desk);
    let e = desk.open_repair(&repair_request(s, rec, receipt)).unwrap_err();
    assert!(e.to_string().contains("已于 2026-11-30 修复"), "{e}");
    as_admin(&mut desk);

    // The platform hears the record withdrawn in the next batch.
    let next = arrears_export(&mut desk);
    assert_eq!((next.classes[0].new, next.classes[0].withdrawn), (0, 1));

    desk.platform_accept(next.batch_no.as_deref().unwrap()).unwrap();
    // The 信用修复承诺书 goes to 信用承诺信息 as a commitment of its own (信用修复型, C-3, E-1).
    let commitments = desk
        .platform_export(
            &ExportOptions { classes: vec![PlatformClass::Commitment], format: BatchFormat::CsvBom, dry_run: false },
            &out,
            &Progress::new(),
        )
        .unwrap();
    // The 诚信守法用电承诺书 issued above and the 信用修复承诺书.
    assert_eq!(commitments.classes[0].new, 2);
    let file = commitments.dir.unwrap().join(commitments.classes[0].file.clone().unwrap());
    let text = String::from_utf8(std::fs::read(file).unwrap()).unwrap();
    assert!(text.contains("信用修复型") && text.contains(&app.commitment.code), "{text}");

    let log = desk.audit_log(&AuditFilter::default(), 100).unwrap();
    let text: Vec<&str> = log.iter().map(|e| e.content.summary.as_str()).collect();
    assert!(text.iter().any(|t| t.contains("登记信用修复申请")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("审核中 → 已修复")), "{text:?}");
}
}

xinyidian_core::on_both_engines! {
fn repair_refusals_name_the_problem_and_write_nothing() {
    let (mut desk, _clock, s) = setup(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 27));
    let rec = arrears(&mut desk, s, "2026-01-05");
    let pay = payment(&mut desk, s);
    let other = subject(&mut desk, 2, "湛江市赤坎区南海水产有限公司");
    let dir = tempfile::tempdir().unwrap();
    let receipt = file(dir.path(), "缴费凭证.png", PNG);
    as_clerk(&mut desk);
    let refused = |desk: &mut Desk, req: &RepairRequest| desk.open_repair(req).unwrap_err().to_string();

    // Not a dishonesty record.
    let e = refused(&mut desk, &repair_request(s, pay, receipt.clone()));
    assert!(e.contains("不是失信记录"), "{e}");
    // Another subject's record.
    let e = refused(&mut desk, &repair_request(other, rec, receipt.clone()));
    assert!(e.contains("不属于本主体"), "{e}");
    // Evidence that is not PDF/JPG/PNG, or over 20 MB.
    let txt = file(dir.path(), "说明.pdf", b"just text");
    let e = refused(&mut desk, &repair_request(s, rec, txt));
    assert!(e.contains("不是 PDF、JPG 或 PNG"), "{e}");
    let big = dir.path().join("扫描.pdf");
    std::fs::File::create(&big).unwrap().set_len(21 * 1024 * 1024).unwrap();
    let e = refused(&mut desk, &repair_request(s, rec, big));
    assert!(e.contains("超过 20 MB"), "{e}");
    // No evidence at all.
    let mut none = repair_request(s, rec, receipt.clone());
    none.evidence.clear();
    assert!(refused(&mut desk, &none).contains("证明材料"));
    assert!(desk.repair_applications(&CreditFilter::default()).unwrap().is_empty(), "a refusal writes nothing");
    // Before the minimum period: 严重 needs a year, the earliest date is named.
    as_admin(&mut desk);
    desk.set_credit_grade(RuleId::D1, Grade::Serious).unwrap();
    as_clerk(&mut desk);
    let e = refused(&mut desk, &repair_request(s, rec, receipt.clone()));
    assert!(e.contains("2027-07-06") && e.contains("X-2"), "{e}");
    assert!(desk.repair_applications(&CreditFilter::default()).unwrap().is_empty());

    // A decision without a reason.
    as_admin(&mut desk);
    desk.set_credit_grade(RuleId::D1, Grade::General).unwrap();
    as_clerk(&mut desk);
    let app = desk.open_repair(&repair_request(s, rec, receipt)).unwrap().application;
    as_admin(&mut desk);
    let e = desk.decide_repair(app.id, &RepairStep::NotAccept { reason: " ".into() }).unwrap_err();
    assert!(e.to_string().contains("请填写不予受理的理由"), "{e}");
    // Out of order.
    let e = desk.decide_repair(app.id, &RepairStep::Repair).unwrap_err();
    assert!(e.to_string().contains("待受理"), "{e}");
    let no = desk
        .decide_repair(app.id, &RepairStep::NotAccept { reason: "证明材料与欠费记录不符".into() })
        .unwrap();
    assert_eq!(no.status, RepairStatus::NotAccepted);
    assert_eq!(no.reason(), Some("证明材料与欠费记录不符"));
    assert!(no.deadline.is_none());
    // The record still counts.
    assert_eq!(t1b(&mut desk, s).0, RuleOutcome::Fail);
}
}

xinyidian_core::on_both_engines! {
fn a_record_past_its_maximum_period_stops_counting_by_itself() {
    // Reminded 2025-01-05: dishonest from 2025-07-06; 一般 ends 2026-07-06, 严重 2028-07-06.
    let (mut desk, _clock, s) = setup(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 27));
    arrears(&mut desk, s, "2025-01-05");
    let (outcome, evidence) = t1b(&mut desk, s);
    assert_eq!(outcome, RuleOutcome::Pass, "{evidence:?}");
    assert!(evidence.iter().any(|e| e.contains("2026-07-06 公示期满") && e.contains("X-2")), "{evidence:?}");
    desk.set_credit_grade(RuleId::D1, Grade::Serious).unwrap();
    assert_eq!(t1b(&mut desk, s).0, RuleOutcome::Fail);
    // The setting is the grades' only source and is audited.
    assert_eq!(desk.credit_grades().unwrap().arrears, Grade::Serious);
    let log = desk.audit_log(&AuditFilter::default(), 5).unwrap();
    assert!(log.iter().any(|e| e.content.summary.contains("一般 → 严重")));
}
}

xinyidian_core::on_both_engines! {
fn an_objection_marks_the_record_and_may_withdraw_or_correct_it() {
    // Wednesday 30 September 2026: 国庆 1–7 October off, so 2 working days end on 9 October.
    let (mut desk, clock, s) = setup(xinyidian_core::dev::engines::fresh_store(), d(2026, 9, 30));
    let rec = arrears(&mut desk, s, "2026-01-05");
    let pay = payment(&mut desk, s);
    let dir = tempfile::tempdir().unwrap();
    let sealed = file(dir.path(), "异议申诉信用承诺书.pdf", PDF);
    let request = |target: RecordId| ObjectionRequest {
        subject: s,
        target: TargetRef::Record { id: target.0 },
        grounds: vec![ObjectionGround::Error],
        statement: "欠费已于催告前结清，记录有误".into(),
        evidence: vec![(file(dir.path(), "收据.png", PNG), "缴费收据".into())],
        commitment_scan: sealed.clone(),
    };
    as_clerk(&mut desk);
    // The sealed commitment is required and checked like any scan.
    let mut bad = request(rec);
    bad.commitment_scan = file(dir.path(), "承诺书.docx", b"PK\x03\x04 word");
    assert!(desk.open_objection(&bad).unwrap_err().to_string().contains("不是 PDF、JPG 或 PNG"));
    let mut no_grounds = request(rec);
    no_grounds.grounds.clear();
    assert!(desk.open_objection(&no_grounds).unwrap_err().to_string().contains("异议理由"));

    let o = desk.open_objection(&request(rec)).unwrap();
    assert_eq!(o.status, ObjectionStatus::Submitted);
    assert_eq!(o.deadline, Some(d(2026, 10, 9)));
    let e = desk.open_objection(&request(rec)).unwrap_err();
    assert!(e.to_string().contains("已有异议申诉"), "{e}");

    // 异议中 wherever the record is shown; the verdict is unchanged.
    let view = desk.record_view(rec).unwrap();
    assert_eq!(view.credit.disputed, Some(o.id));
    assert!(matches!(view.outcome, Outcome::Dishonest(_)));
    let (outcome, evidence) = t1b(&mut desk, s);
    assert_eq!(outcome, RuleOutcome::Fail);
    assert!(evidence.iter().any(|e| e.contains("异议中")), "{evidence:?}");
    // It is in the 待办 tab, and overdue once its limit has passed.
    let (_, queue) = desk.credit_queue().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].row.id, o.id.0);
    assert_eq!(queue[0].urgency, Urgency::InTime);
    clock.advance(Duration::days(10)); // Saturday 10 October, an adjusted working day
    assert_eq!(desk.credit_queue().unwrap().1[0].urgency, Urgency::Overdue);

    // A clerk cannot decide; a supervisor takes it through, reasons required.
    assert!(matches!(desk.decide_objection(o.id, &ObjectionStep::Accept), Err(DeskError::Forbidden { .. })));
    as_admin(&mut desk);
    desk.decide_objection(o.id, &ObjectionStep::Accept).unwrap();
    let v = desk.decide_objection(o.id, &ObjectionStep::Verify).unwrap();
    assert_eq!(v.status, ObjectionStatus::Verifying);
    let e = desk.decide_objection(o.id, &ObjectionStep::Withdraw { reason: String::new() }).unwrap_err();
    assert!(e.to_string().contains("理由"), "{e}");
    let done = desk
        .decide_objection(o.id, &ObjectionStep::Withdraw { reason: "经核实系重复登记".into() })
        .unwrap();
    assert_eq!(done.status, ObjectionStatus::Corrected);
    // Withdrawn: no longer counting, shown as 已撤销, the queue is empty.
    let view = desk.record_view(rec).unwrap();
    assert!(view.credit.withdrawn.is_some() && view.credit.disputed.is_none());
    assert_eq!(t1b(&mut desk, s).0, RuleOutcome::Pass);
    assert!(desk.credit_queue().unwrap().1.is_empty());

    // A payment record may be disputed too, and corrected field by field.
    as_clerk(&mut desk);
    let o2 = desk.open_objection(&request(pay)).unwrap();
    as_admin(&mut desk);
    desk.decide_objection(o2.id, &ObjectionStep::Accept).unwrap();
    desk.decide_objection(o2.id, &ObjectionStep::Verify).unwrap();
    let fixed = desk
        .decide_objection(
            o2.id,
            &ObjectionStep::Amend { draft: Box::new(payment_draft("6500")), reason: "缴费金额录入有误".into() },
        )
        .unwrap();
    let Some(Correction::Amended { before, after }) = &fixed.correction else {
        panic!("{:?}", fixed.correction)
    };
    assert_ne!(before, after);
    let log = desk.audit_log(&AuditFilter::default(), 3).unwrap();
    assert!(log.iter().any(|e| e.content.summary.contains("记录更正") && e.content.summary.contains("→")), "{:?}", log[0].content.summary);
    // Upheld needs its reasons; a decided objection takes no further step.
    assert!(desk.decide_objection(o2.id, &ObjectionStep::Uphold { reason: "x".into() }).is_err());
}
}

xinyidian_core::on_both_engines! {
fn the_calendar_is_data_an_admin_imports() {
    let (mut desk, _clock, _s) = setup(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 27));
    let cal = desk.work_calendar().unwrap();
    assert_eq!(cal.years(), vec![2025, 2026, 2027]);
    // Shipped 2027 has the statutory days only: Saturday 9 October 2027 is a weekend.
    assert!(!cal.is_working_day(d(2027, 10, 9)));
    let dir = tempfile::tempdir().unwrap();
    let f = file(
        dir.path(),
        "2027年节假日.csv",
        "日期,类型,名称\n2027-10-01,放假,国庆节\n2027-10-04,放假,国庆节\n2027-10-09,上班,国庆节调休\n".as_bytes(),
    );
    as_clerk(&mut desk);
    assert!(matches!(desk.import_calendar(&f), Err(DeskError::Forbidden { .. })));
    as_admin(&mut desk);
    let bad = file(dir.path(), "坏.csv", "日期,类型\n2027-02-30,放假\n".as_bytes());
    let e = desk.import_calendar(&bad).unwrap_err().to_string();
    assert!(e.contains("第 2 行"), "{e}");
    let done = desk.import_calendar(&f).unwrap();
    assert_eq!((done.years.clone(), done.days), (vec![2027], 3));
    let cal = desk.work_calendar().unwrap();
    assert!(cal.is_working_day(d(2027, 10, 9)));
    assert!(!cal.is_working_day(d(2027, 10, 4)));
    // The imported year replaced the shipped one whole; other years are untouched.
    assert!(cal.is_working_day(d(2027, 2, 8)), "shipped 2027 春节 entry replaced");
    assert!(!cal.is_working_day(d(2026, 10, 1)));
}
}
