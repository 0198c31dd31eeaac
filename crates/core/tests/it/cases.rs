//! 信易电 cases through the desk (rules C-2, D-4, D-5): every lifecycle transition legal and
//! illegal, the deadline arithmetic, the queue's day boundaries, permissions, the trust check's
//! view of broken and withdrawn commitments, and bad input refused with nothing written.

use chrono::{Duration, NaiveDate};

use xinyidian_core::desk::{Desk, DeskError, ManualClock};
use xinyidian_core::domain::case::{CaseId, CaseState, CaseStatus, QueueQuery, QueueTab};
use xinyidian_core::domain::commitment::Fulfilment;
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::letter::Relation;
use xinyidian_core::domain::operator::{OperatorDraft, Role};
use xinyidian_core::domain::subject::{AccountDraft, SubjectDraft, SubjectId, SubjectKind};
use xinyidian_core::domain::trust::{Business, Rule, RuleOutcome};
use xinyidian_core::store::AuditFilter;

const PW: &str = "counter-2026";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn clock_at(day: NaiveDate) -> ManualClock {
    ManualClock::new(day.and_hms_opt(9, 0, 0).unwrap())
}

fn uscc(n: u32) -> String {
    let body = format!("91440800{n:09}");
    format!("{body}{}", uscc_check_char(&body).unwrap())
}

/// A desk with A1 (admin), S1 (supervisor) and C1 (clerk, 霞山营业厅); signed in as C1.
fn desk(clock: &ManualClock) -> Desk {
    desk_on(xinyidian_core::dev::engines::fresh_store(), clock)
}

/// As [`desk`], on a given store.
fn desk_on(store: xinyidian_core::store::Store, clock: &ManualClock) -> Desk {
    let mut dk = Desk::new(store, Box::new(clock.clone()));
    dk.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员甲".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    dk.set_accepting_unit(&xinyidian_core::dev::test_unit())
        .unwrap();
    for (no, name, role, hall) in [
        ("S1", "班长乙", Role::Supervisor, "霞山营业厅"),
        ("C1", "柜员丙", Role::Clerk, "霞山营业厅"),
        ("C2", "柜员丁", Role::Clerk, "赤坎营业厅"),
    ] {
        dk.add_operator(
            &OperatorDraft {
                staff_no: no.into(),
                name: name.into(),
                role,
                hall: hall.into(),
                window: "3 号窗口".into(),
            },
            PW,
        )
        .unwrap();
    }
    as_op(&mut dk, "C1");
    dk
}

fn as_op(dk: &mut Desk, staff_no: &str) {
    dk.sign_out().unwrap();
    dk.sign_in(staff_no, PW).unwrap();
}

/// A company with an account in the steel park, supplied since 2020, and a commitment letter.
fn company_with_letter(
    dk: &mut Desk,
    n: u32,
) -> (SubjectId, xinyidian_core::domain::commitment::CommitmentId) {
    let id = dk
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: format!("湛江市第{n}钢构有限公司"),
            code: uscc(n),
            legal_rep_name: "陈海明".into(),
            phone: format!("0759-22{n:05}"),
            ..SubjectDraft::default()
        })
        .unwrap();
    dk.add_account(
        id,
        &AccountDraft {
            account_no: format!("0300{n:06}"),
            usage_address: "湛江经济技术开发区钢铁产业园区一路 8 号".into(),
            supply_start: "2020-01-01".into(),
        },
    )
    .unwrap();
    let mut f = dk.letter_fields_for(id).unwrap();
    f.relation = Some(Relation::Tenant);
    f.legal_rep_id_number = "11010519491231002X".into();
    let c = dk
        .issue_letter(id, Business::NewConnection, &f)
        .unwrap()
        .commitment;
    (id, c.id)
}

fn audit_len(dk: &mut Desk) -> usize {
    let me = dk.operator().unwrap().staff_no.clone();
    as_op(dk, "A1");
    // Signing in and out adds rows of its own: count them out.
    let n = dk
        .audit_log(&AuditFilter::default(), 100_000)
        .unwrap()
        .iter()
        .filter(|r| !matches!(r.content.action.as_str(), "登录" | "退出登录"))
        .count();
    as_op(dk, &me);
    n
}

xinyidian_core::on_both_engines! {
fn lifecycle_open_connect_fulfil() {
    let clock = clock_at(d(2026, 3, 2));
    let mut dk = desk(&clock);
    let (sid, cid) = company_with_letter(&mut dk, 1);
    let case = dk.open_case(cid, Some("0300000001")).unwrap();
    assert_eq!(case.status, CaseStatus::Accepted);
    assert_eq!(case.opened_by, "C1");
    assert_eq!(case.hall, "霞山营业厅");
    assert_eq!(case.applied_on, d(2026, 3, 2));
    assert_eq!(case.account_no, "0300000001");
    assert!(case.usage_address.contains("钢铁产业园区"));
    // One running case per commitment.
    let e = dk.open_case(cid, None).unwrap_err();
    assert!(e.to_string().contains("不能重复受理"), "{e}");

    clock.advance(Duration::days(10));
    let c = dk.connect_case(case.id, d(2026, 3, 10)).unwrap();
    assert_eq!(c.status, CaseStatus::Connected);
    assert_eq!(c.deadline, Some(d(2027, 3, 10)));
    assert_eq!(
        dk.commitment(cid).unwrap().valid_until,
        Some(d(2027, 3, 10))
    );

    let dir = tempfile::tempdir().unwrap();
    let proof = dir.path().join("不动产权证.jpg");
    std::fs::write(&proof, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).unwrap();
    let f = dk.fulfil_case(case.id, &proof).unwrap();
    assert_eq!(f.status, CaseStatus::Fulfilled);
    let p = f.proof.as_ref().unwrap();
    assert_eq!(p.media_type, "image/jpeg");
    assert_eq!(p.sha256.len(), 64);
    let com = dk.commitment(cid).unwrap();
    assert_eq!(com.fulfilment, Some(Fulfilment::Full));
    assert_eq!(com.fulfilment_decided_on, Some(d(2026, 3, 12)));
    assert_eq!(
        com.deciding_unit.as_ref().unwrap().name,
        "广东电网有限责任公司湛江供电局"
    );
    // Closed: nothing more can happen to it.
    assert!(dk.withdraw_case(case.id, "").is_err());
    assert!(dk.fulfil_case(case.id, &proof).is_err());
    as_op(&mut dk, "S1");
    assert!(dk.extend_case(case.id, d(2028, 1, 1), "理由").is_err());
    assert!(dk.decide_breach(case.id, "未补证", "").is_err());
    assert_eq!(dk.cases_of(sid).unwrap().len(), 1);
    // Every step is in the audit trail.
    as_op(&mut dk, "A1");
    let rows = dk
        .audit_log(
            &AuditFilter {
                subject_id: Some(sid.0),
                ..AuditFilter::default()
            },
            100,
        )
        .unwrap();
    let s: Vec<&str> = rows.iter().map(|r| r.content.summary.as_str()).collect();
    assert!(s.iter().any(|x| x.contains("受理信易电业务")), "{s:?}");
    assert!(s.iter().any(|x| x.contains("接电：2026-03-10")), "{s:?}");
    assert!(s.iter().any(|x| x.contains("全部履行")), "{s:?}");
}
}

xinyidian_core::on_both_engines! {
fn leap_day_connection_is_due_on_28_february() {
    let clock = clock_at(d(2024, 2, 29));
    let mut dk = desk(&clock);
    let (_, cid) = company_with_letter(&mut dk, 2);
    let case = dk.open_case(cid, None).unwrap();
    let c = dk.connect_case(case.id, d(2024, 2, 29)).unwrap();
    assert_eq!(c.deadline, Some(d(2025, 2, 28)));
    assert_eq!(c.state(d(2025, 2, 28)), CaseState::Connected);
    assert_eq!(c.state(d(2025, 3, 1)), CaseState::Overdue);
}
}

xinyidian_core::on_both_engines! {
fn bad_connection_dates_are_refused_and_nothing_is_written() {
    let clock = clock_at(d(2026, 3, 2));
    let mut dk = desk(&clock);
    let (_, cid) = company_with_letter(&mut dk, 3);
    let case = dk.open_case(cid, None).unwrap();
    let before = audit_len(&mut dk);
    let e = dk.connect_case(case.id, d(2026, 3, 1)).unwrap_err();
    assert!(e.to_string().contains("早于受理日期 2026-03-02"), "{e}");
    let e = dk.connect_case(case.id, d(2026, 3, 3)).unwrap_err();
    assert!(e.to_string().contains("在今天（2026-03-02）之后"), "{e}");
    assert_eq!(dk.case(case.id).unwrap(), case);
    assert_eq!(dk.commitment(cid).unwrap().valid_until, None);
    assert_eq!(audit_len(&mut dk), before);
}
}

xinyidian_core::on_both_engines! {
fn proof_that_is_not_accepted_is_refused_and_nothing_is_written() {
    let clock = clock_at(d(2026, 3, 2));
    let mut dk = desk(&clock);
    let (_, cid) = company_with_letter(&mut dk, 4);
    let case = dk.open_case(cid, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("产权证.pdf");
    std::fs::write(&pdf, "%PDF-1.4 proof").unwrap();
    // Before connection: refused whatever the file.
    let e = dk.fulfil_case(case.id, &pdf).unwrap_err();
    assert!(e.to_string().contains("尚未接电"), "{e}");
    let case = dk.connect_case(case.id, d(2026, 3, 2)).unwrap();
    let fake = dir.path().join("产权证.png");
    std::fs::write(&fake, "这是一个文本文件").unwrap();
    let e = dk.fulfil_case(case.id, &fake).unwrap_err();
    assert!(e.to_string().contains("不是 PDF、JPG 或 PNG"), "{e}");
    let empty = dir.path().join("空.pdf");
    std::fs::write(&empty, b"").unwrap();
    assert!(
        dk.fulfil_case(case.id, &empty)
            .unwrap_err()
            .to_string()
            .contains("空文件")
    );
    let missing = dk
        .fulfil_case(case.id, &dir.path().join("没有.pdf"))
        .unwrap_err();
    assert!(missing.to_string().contains("无法读取"), "{missing}");
    assert_eq!(dk.case(case.id).unwrap(), case);
    assert_eq!(dk.commitment(cid).unwrap().fulfilment, None);
}
}

xinyidian_core::on_both_engines! {
fn withdrawal_only_before_connection_and_it_leaves_no_record() {
    let clock = clock_at(d(2026, 3, 2));
    let mut dk = desk(&clock);
    let (sid, cid) = company_with_letter(&mut dk, 5);
    let case = dk.open_case(cid, None).unwrap();
    let w = dk
        .withdraw_case(case.id, "无法取得房产证，主动中止报装")
        .unwrap();
    assert_eq!(w.status, CaseStatus::Withdrawn);
    assert_eq!(w.withdrawal.as_ref().unwrap().withdrawn_on, d(2026, 3, 2));
    // The commitment is not decided either way (no credit record, D-5).
    assert_eq!(dk.commitment(cid).unwrap().fulfilment, None);
    assert!(dk.connect_case(case.id, d(2026, 3, 2)).is_err());

    let v = dk.run_check(sid, None, None).unwrap().verdict;
    let d4 = v.rule(Rule::D4).unwrap();
    assert_eq!(d4.outcome, RuleOutcome::Pass, "{d4:?}");
    assert!(
        d4.evidence.iter().any(|e| e.contains("D-5")),
        "{:?}",
        d4.evidence
    );

    // After a withdrawal a new case may rest on the same commitment; once connected it cannot
    // be withdrawn.
    let again = dk.open_case(cid, None).unwrap();
    dk.connect_case(again.id, d(2026, 3, 2)).unwrap();
    let e = dk.withdraw_case(again.id, "").unwrap_err();
    assert!(e.to_string().contains("D-5"), "{e}");
}
}

xinyidian_core::on_both_engines! {
fn breach_after_the_deadline_makes_the_next_check_fail_d4() {
    let clock = clock_at(d(2024, 2, 29));
    let mut dk = desk(&clock);
    let (sid, cid) = company_with_letter(&mut dk, 6);
    let case = dk.open_case(cid, None).unwrap();
    dk.connect_case(case.id, d(2024, 2, 29)).unwrap();
    let before = dk.run_check(sid, None, None).unwrap().verdict;
    assert_eq!(before.rule(Rule::D4).unwrap().outcome, RuleOutcome::Pass);

    // On the deadline day: not yet.
    clock.advance(Duration::days(365)); // 2025-02-28
    assert_eq!(dk.today(), d(2025, 2, 28));
    as_op(&mut dk, "S1");
    let e = dk
        .decide_breach(case.id, "未在接火送电后一年内补交物业权属证明", "")
        .unwrap_err();
    assert!(e.to_string().contains("尚未届满"), "{e}");
    // The day after, the queue shows it as awaiting a decision.
    clock.advance(Duration::days(1));
    let awaiting = dk
        .case_queue(&QueueQuery::new(QueueTab::AwaitingDecision, dk.today()))
        .unwrap();
    assert_eq!(awaiting.len(), 1);
    assert_eq!(awaiting[0].state(dk.today()), CaseState::Overdue);
    // A decision needs its reason; the refusal writes nothing.
    let e = dk.decide_breach(case.id, "   ", "").unwrap_err();
    assert!(e.to_string().contains("请填写未履行的承诺内容"), "{e}");
    assert_eq!(dk.case(case.id).unwrap().status, CaseStatus::Connected);
    // Overdue: the clerk cannot attach the proof any more without an extension.
    as_op(&mut dk, "C1");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("产权证.pdf");
    std::fs::write(&pdf, "%PDF-1.4 late").unwrap();
    let e = dk.fulfil_case(case.id, &pdf).unwrap_err();
    assert!(e.to_string().contains("已逾期"), "{e}");

    as_op(&mut dk, "S1");
    let b = dk
        .decide_breach(
            case.id,
            "未在接火送电后一年内补交物业权属证明",
            "配合执法部门停电处理",
        )
        .unwrap();
    assert_eq!(b.status, CaseStatus::Broken);
    let com = dk.commitment(cid).unwrap();
    assert_eq!(com.fulfilment, Some(Fulfilment::None));
    assert_eq!(
        com.unfulfilled.as_deref(),
        Some("未在接火送电后一年内补交物业权属证明")
    );
    assert_eq!(
        com.liability_pursued.as_deref(),
        Some("配合执法部门停电处理")
    );
    assert_eq!(com.fulfilment_decided_on, Some(d(2025, 3, 1)));
    assert!(com.deciding_unit.is_some());
    // Decided cases leave the decision tab but stay in 逾期.
    let today = dk.today();
    assert!(
        dk.case_queue(&QueueQuery::new(QueueTab::AwaitingDecision, today))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        dk.case_queue(&QueueQuery::new(QueueTab::Overdue, today))
            .unwrap()
            .len(),
        1
    );

    let after = dk.run_check(sid, None, None).unwrap().verdict;
    let d4 = after.rule(Rule::D4).unwrap();
    assert_eq!(d4.outcome, RuleOutcome::Fail, "{d4:?}");
    assert!(!after.trustworthy);
}
}

xinyidian_core::on_both_engines! {
fn a_clerk_is_refused_decisions_and_nothing_is_written() {
    let clock = clock_at(d(2024, 1, 10));
    let mut dk = desk(&clock);
    let (_, cid) = company_with_letter(&mut dk, 7);
    let case = dk.open_case(cid, None).unwrap();
    let case = dk.connect_case(case.id, d(2024, 1, 10)).unwrap();
    clock.advance(Duration::days(400));
    let e = dk.decide_breach(case.id, "未补证", "").unwrap_err();
    assert!(matches!(e, DeskError::Forbidden { .. }), "{e:?}");
    assert!(e.to_string().contains("需要班长权限"), "{e}");
    let e = dk
        .extend_case(case.id, d(2025, 12, 31), "产权登记排队")
        .unwrap_err();
    assert!(matches!(e, DeskError::Forbidden { .. }), "{e:?}");
    assert_eq!(dk.case(case.id).unwrap(), case);
    assert_eq!(dk.commitment(cid).unwrap().fulfilment, None);
    // Signed out, nothing at all.
    dk.sign_out().unwrap();
    assert!(matches!(
        dk.connect_case(case.id, d(2024, 1, 10)),
        Err(DeskError::NotSignedIn)
    ));
}
}

xinyidian_core::on_both_engines! {
fn extension_moves_the_deadline_and_then_the_proof_is_accepted() {
    let clock = clock_at(d(2024, 1, 10));
    let mut dk = desk(&clock);
    let (_, cid) = company_with_letter(&mut dk, 8);
    let case = dk.open_case(cid, None).unwrap();
    dk.connect_case(case.id, d(2024, 1, 10)).unwrap();
    clock.advance(Duration::days(370)); // 2025-01-14, overdue since 2025-01-11
    as_op(&mut dk, "S1");
    let e = dk.extend_case(case.id, d(2025, 3, 1), "  ").unwrap_err();
    assert!(e.to_string().contains("请填写延期理由"), "{e}");
    let e = dk.extend_case(case.id, d(2025, 1, 5), "排队").unwrap_err();
    assert!(e.to_string().contains("不晚于原期限"), "{e}");
    let e = dk.extend_case(case.id, d(2025, 1, 14), "排队").unwrap_err();
    assert!(e.to_string().contains("不在今天"), "{e}");
    let x = dk
        .extend_case(
            case.id,
            d(2025, 3, 1),
            "不动产登记中心补办中，已提供受理回执",
        )
        .unwrap();
    assert_eq!(x.deadline, Some(d(2025, 3, 1)));
    assert_eq!(x.extensions.len(), 1);
    assert_eq!(x.extensions[0].previous_deadline, d(2025, 1, 10));
    assert_eq!(x.state(dk.today()), CaseState::Connected);
    assert_eq!(dk.commitment(cid).unwrap().valid_until, Some(d(2025, 3, 1)));
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("产权证.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n body").unwrap();
    as_op(&mut dk, "C1");
    assert_eq!(
        dk.fulfil_case(case.id, &png).unwrap().status,
        CaseStatus::Fulfilled
    );
}
}

xinyidian_core::on_both_engines! {
fn queue_day_boundaries_filters_and_counts() {
    // Cases connected on consecutive days: deadlines fall on consecutive days a year later.
    let clock = clock_at(d(2025, 1, 1));
    let mut dk = desk(&clock);
    let mut ids = Vec::new();
    for n in 0..4u32 {
        let (_, cid) = company_with_letter(&mut dk, 20 + n);
        ids.push(dk.open_case(cid, None).unwrap().id);
    }
    // Case 0 by C2 in another hall, left unconnected.
    as_op(&mut dk, "C2");
    let (_, c2) = company_with_letter(&mut dk, 30);
    let other = dk.open_case(c2, None).unwrap();
    as_op(&mut dk, "C1");
    // Deadlines: 2026-01-01, 2026-01-31, 2026-02-01, and (connected 2025-01-01 … ) see below.
    let connects = [d(2025, 1, 1), d(2025, 1, 31), d(2025, 2, 1), d(2025, 3, 3)];
    for (id, on) in ids.iter().zip(connects) {
        clock_set(&clock, &dk, on);
        dk.connect_case(*id, on).unwrap();
    }
    let today = d(2026, 1, 1);
    let q = |tab| QueueQuery::new(tab, today);
    let due30: Vec<CaseId> = dk
        .case_queue(&q(QueueTab::DueWithin(30)))
        .unwrap()
        .iter()
        .map(|r| r.case_id)
        .collect();
    // Due today (2026-01-01) and exactly in 30 days (2026-01-31); not in 31 (2026-02-01).
    assert_eq!(due30, vec![ids[0], ids[1]]);
    let due31 = dk.case_queue(&q(QueueTab::DueWithin(31))).unwrap();
    assert_eq!(due31.len(), 3);
    assert_eq!(due31[2].days_left(today), Some(31));
    assert!(dk.case_queue(&q(QueueTab::Overdue)).unwrap().is_empty());
    // The next day the first is overdue.
    let tomorrow = QueueQuery::new(QueueTab::Overdue, d(2026, 1, 2));
    let over = dk.case_queue(&tomorrow).unwrap();
    assert_eq!(over.len(), 1);
    assert_eq!(over[0].case_id, ids[0]);
    assert_eq!(over[0].days_left(d(2026, 1, 2)), Some(-1));
    assert_eq!(over[0].phone, "0759-2200020");
    let all = dk.case_queue(&q(QueueTab::DueWithin(90))).unwrap();
    assert_eq!(all.len(), 4);
    // Filters: the clerk, the hall.
    let mut by_c2 = q(QueueTab::AllOpen);
    by_c2.clerk = Some("C2".into());
    let rows = dk.case_queue(&by_c2).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].case_id, other.id);
    assert_eq!(rows[0].hall, "赤坎营业厅");
    let mut by_hall = q(QueueTab::AllOpen);
    by_hall.hall = Some("霞山营业厅".into());
    assert_eq!(dk.case_queue(&by_hall).unwrap().len(), 4);
    assert_eq!(
        dk.case_queue(&q(QueueTab::AwaitingConnection))
            .unwrap()
            .len(),
        1
    );
    let mut desc = q(QueueTab::DueWithin(90));
    desc.descending = true;
    assert_eq!(dk.case_queue(&desc).unwrap()[0].case_id, ids[3]);

    clock_set(&clock, &dk, today);
    let counts = dk.case_counts().unwrap();
    assert_eq!(counts.due_30, 2);
    assert_eq!(counts.due_60, 3);
    assert_eq!(counts.due_90, 4);
    assert_eq!(counts.overdue, 0);
    assert_eq!(counts.awaiting_connection, 1);
    assert_eq!(counts.open, 5);
    let f = dk.queue_filters().unwrap();
    assert_eq!(
        f.halls,
        vec!["赤坎营业厅".to_string(), "霞山营业厅".to_string()]
    );
    assert_eq!(f.clerks, vec!["C1".to_string(), "C2".to_string()]);
}
}

/// Move a manual clock forward to `day` (09:00).
fn clock_set(clock: &ManualClock, dk: &Desk, day: NaiveDate) {
    let by = day.and_hms_opt(9, 0, 0).unwrap() - dk.now();
    assert!(by >= Duration::zero(), "the clock only moves forward");
    clock.advance(by);
}

xinyidian_core::on_both_engines! {
fn export_is_for_supervisors_and_writes_the_queue() {
    let clock = clock_at(d(2026, 3, 2));
    let mut dk = desk(&clock);
    let (_, cid) = company_with_letter(&mut dk, 40);
    dk.open_case(cid, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("待办.xlsx");
    let q = QueueQuery::new(QueueTab::AllOpen, dk.today());
    assert!(matches!(
        dk.export_cases(&q, &out),
        Err(DeskError::Forbidden { .. })
    ));
    assert!(!out.exists());
    as_op(&mut dk, "S1");
    assert_eq!(dk.export_cases(&q, &out).unwrap(), 1);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
    let stats = dk.case_stats().unwrap();
    assert_eq!(stats.open, 1);
    assert_eq!(
        stats.by_month,
        vec![("2026-03".to_string(), CaseStatus::Accepted, 1)]
    );
}
}

/// Thirteen open cases in two halls, nine connected (three a day, so that sorts tie), four
/// waiting for connection; the clock on 2026-01-10.
fn many_cases() -> (Desk, ManualClock) {
    let clock = clock_at(d(2025, 1, 1));
    let mut dk = desk(&clock);
    let mut ids = Vec::new();
    for n in 0..13u32 {
        as_op(&mut dk, if n % 3 == 0 { "C2" } else { "C1" });
        // Names out of id order: 湛江市第6x… sorts before 湛江市第7x….
        let (_, cid) = company_with_letter(&mut dk, 70 - 2 * n + (n % 2) * 9);
        ids.push(dk.open_case(cid, None).unwrap().id);
    }
    as_op(&mut dk, "C1");
    for (k, id) in ids.iter().take(9).enumerate() {
        // Three a day on 2025-01-01, -07 and -13: due 2026-01-01, -07 (overdue) and -13.
        let on = d(2025, 1, 1) + Duration::days((k as i64 / 3) * 6);
        clock_set(&clock, &dk, on);
        dk.connect_case(*id, on).unwrap();
    }
    clock_set(&clock, &dk, d(2026, 1, 10));
    (dk, clock)
}

xinyidian_core::on_both_engines! {
fn queue_pages_cut_every_sort_into_the_same_rows() {
    use xinyidian_core::domain::case::QueueSort;
    let (dk, _clock) = many_cases();
    let today = dk.today();
    let mut checked = 0;
    for tab in [
        QueueTab::DueWithin(30),
        QueueTab::Overdue,
        QueueTab::AwaitingDecision,
        QueueTab::AwaitingConnection,
        QueueTab::AllOpen,
    ] {
        for sort in [
            QueueSort::Deadline,
            QueueSort::Subject,
            QueueSort::Applied,
            QueueSort::Hall,
            QueueSort::Clerk,
        ] {
            for descending in [false, true] {
                for hall in [None, Some("赤坎营业厅".to_string())] {
                    let q = QueueQuery {
                        sort,
                        descending,
                        hall,
                        ..QueueQuery::new(tab, today)
                    };
                    let all = dk.case_queue(&q).unwrap();
                    // The index-only count is the number of rows.
                    assert_eq!(dk.case_queue_count(&q).unwrap(), all.len() as u64);
                    // Pages of 4 put together are the whole list, in order, each row once.
                    let mut paged = Vec::new();
                    for offset in (0..all.len() + 4).step_by(4) {
                        let page = dk.case_queue_window(&q, offset as u64, 4).unwrap();
                        assert!(page.len() <= 4);
                        assert_eq!(page.len(), all.len().saturating_sub(offset).min(4));
                        paged.extend(page);
                    }
                    assert_eq!(paged, all, "{tab:?} {sort:?} desc={descending}");
                    // A window across the end holds the remainder; beyond the end, nothing.
                    if !all.is_empty() {
                        let tail = dk.case_queue_window(&q, all.len() as u64 - 1, 10).unwrap();
                        assert_eq!(tail, all[all.len() - 1..]);
                    }
                    assert!(
                        dk.case_queue_window(&q, all.len() as u64, 10)
                            .unwrap()
                            .is_empty()
                    );
                    assert!(dk.case_queue_window(&q, u64::MAX, 10).unwrap().is_empty());
                    checked += all.len();
                }
            }
        }
    }
    assert!(checked > 0);
    // The sorts are what they say.
    let q = |sort, descending| QueueQuery {
        sort,
        descending,
        ..QueueQuery::new(QueueTab::AllOpen, today)
    };
    let names: Vec<String> = dk
        .case_queue_window(&q(QueueSort::Subject, false), 0, 100)
        .unwrap()
        .into_iter()
        .map(|r| r.subject_name)
        .collect();
    assert_eq!(names.len(), 13);
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    let halls: Vec<String> = dk
        .case_queue_window(&q(QueueSort::Hall, true), 0, 100)
        .unwrap()
        .into_iter()
        .map(|r| r.hall)
        .collect();
    assert!(halls.windows(2).all(|w| w[0] >= w[1]), "{halls:?}");
    assert_ne!(halls.first(), halls.last());
    let deadlines: Vec<_> = dk
        .case_queue_window(&q(QueueSort::Deadline, false), 0, 100)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.deadline)
        .collect();
    assert_eq!(deadlines.len(), 9);
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]));
    // The counts of the navigation agree with the tabs' counts.
    let counts = dk.case_counts().unwrap();
    for tab in [
        QueueTab::DueWithin(30),
        QueueTab::Overdue,
        QueueTab::AwaitingDecision,
        QueueTab::AwaitingConnection,
        QueueTab::AllOpen,
    ] {
        assert_eq!(
            counts.of(tab),
            Some(dk.case_queue_count(&QueueQuery::new(tab, today)).unwrap()),
            "{tab:?}"
        );
    }
    assert_eq!(counts.open, 13);
}
}

xinyidian_core::on_both_engines! {
fn cancelled_export_writes_nothing_and_keeps_the_old_file() {
    use xinyidian_core::desk::Progress;
    let (mut dk, _clock) = many_cases();
    as_op(&mut dk, "S1");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("待办.xlsx");
    let q = QueueQuery::new(QueueTab::AllOpen, dk.today());
    let before = audit_len(&mut dk);
    let cancelled = Progress::new();
    cancelled.cancel();
    assert!(matches!(
        dk.export_cases_with(&q, &out, &cancelled),
        Err(DeskError::Cancelled(_))
    ));
    // No file, no temporary file, no audit row.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert_eq!(audit_len(&mut dk), before);
    // An older export stays as it was when a new one is cancelled.
    std::fs::write(&out, b"old").unwrap();
    assert!(dk.export_cases_with(&q, &out, &cancelled).is_err());
    assert_eq!(std::fs::read(&out).unwrap(), b"old");
    // A finished export replaces it, reports its progress as complete, and leaves no temporary.
    let p = Progress::new();
    assert_eq!(dk.export_cases_with(&q, &out, &p).unwrap(), 13);
    assert_eq!(p.fraction(), 1.0);
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_eq!(audit_len(&mut dk), before + 1);
}
}

xinyidian_core::on_both_engines! {
fn a_breach_updates_the_stored_standing_and_t1a_names_the_broken_letter() {
    let clock = clock_at(d(2024, 2, 29));
    let mut dk = desk(&clock);
    let (sid, cid) = company_with_letter(&mut dk, 7);
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("已签.pdf");
    std::fs::write(&scan, "%PDF-1.4 signed").unwrap();
    dk.attach_signed_letter(cid, &scan).unwrap();
    let case = dk.open_case(cid, None).unwrap();
    dk.connect_case(case.id, d(2024, 2, 29)).unwrap();
    clock.advance(Duration::days(366)); // 2025-03-01, the day after the deadline
    as_op(&mut dk, "S1");
    dk.decide_breach(case.id, "未在接火送电后一年内补交物业权属证明", "")
        .unwrap();
    // Nobody ran a check: the stored standing was refreshed by the decision itself.
    let st = dk.trust_status(sid).unwrap().expect("standing stored");
    assert!(!st.trustworthy);
    assert_eq!(st.as_of, d(2025, 3, 1));
    let live = dk.standing(sid).unwrap();
    assert_eq!(live.dishonesty_records, 1, "{live:?}");
    assert!(live.incentives.is_empty());
    let v = dk.run_check(sid, None, None).unwrap().verdict;
    let t1a = v.rule(Rule::T1a).unwrap();
    assert_eq!(t1a.outcome, RuleOutcome::Fail, "{t1a:?}");
    assert!(
        t1a.evidence.iter().any(|e| e.contains("违诺")),
        "T-1(a) must name the broken letter: {t1a:?}"
    );
    assert!(
        !t1a.evidence.iter().any(|e| e.contains("尚未出具")),
        "{t1a:?}"
    );
}
}

xinyidian_core::on_both_engines! {
/// Two windows on one store act on the same case: the step saved second was computed from the
/// case as it was before the first, and is refused with a Chinese message instead of
/// overwriting it (no lost update); the first window's step stands.
fn a_step_computed_from_a_stale_case_is_refused_not_saved_over_another() {
    let clock = clock_at(d(2026, 3, 2));
    let db = xinyidian_core::dev::engines::SharedDb::new();
    let mut dk = desk_on(db.open(), &clock);
    let (_, cid) = company_with_letter(&mut dk, 1);
    let case = dk.open_case(cid, Some("0300000001")).unwrap();
    // Window 2 reads the case and prepares a withdrawal ...
    let mut other = db.open();
    let stale = other.read().case(case.id).unwrap().unwrap();
    let withdrawn = stale.withdraw("客户撤回申请", "C2", d(2026, 3, 2)).unwrap();
    // ... while window 1 enters the connection.
    let connected = dk.connect_case(case.id, d(2026, 3, 2)).unwrap();
    assert_eq!(connected.status, CaseStatus::Connected);
    let now = d(2026, 3, 2).and_hms_opt(9, 5, 0).unwrap();
    let e = other
        .write(|w| w.update_case(&stale, &withdrawn, now))
        .unwrap_err();
    assert!(matches!(e, xinyidian_core::store::StoreError::Conflict(_)), "{e:?}");
    assert!(e.to_string().contains("刚被其他窗口修改"), "{e}");
    assert_eq!(dk.case(case.id).unwrap().status, CaseStatus::Connected);
}
}

xinyidian_core::on_both_engines! {
fn publicity_figures_equal_the_hand_count_for_the_period_and_hall() {
    // 霞山 (C1): case 1 connected and proof supplied, case 2 withdrawn. 赤坎 (C2): case 3 open,
    // accepted in the period. A theft record found in the period.
    let clock = clock_at(d(2026, 3, 2));
    let mut dk = desk(&clock);
    let (_, c1) = company_with_letter(&mut dk, 1);
    let (_, c2) = company_with_letter(&mut dk, 2);
    let k1 = dk.open_case(c1, None).unwrap();
    let k2 = dk.open_case(c2, None).unwrap();
    dk.connect_case(k1.id, d(2026, 3, 2)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let proof = dir.path().join("权属证明.png");
    std::fs::write(&proof, b"\x89PNG\r\n\x1a\n proof").unwrap();
    dk.fulfil_case(k1.id, &proof).unwrap();
    dk.withdraw_case(k2.id, "无法取得权属证明").unwrap();
    as_op(&mut dk, "C2");
    let (s3, c3) = company_with_letter(&mut dk, 3);
    dk.open_case(c3, None).unwrap();
    dk.enter_record(
        s3,
        &xinyidian_core::domain::record_draft::RecordDraft {
            account_no: "0300000003".into(),
            date: "2026-03-01".into(),
            amount: "1000".into(),
            second_amount: "3000".into(),
            ..xinyidian_core::domain::record_draft::RecordDraft::new(
                xinyidian_core::domain::records::RecordKind::Theft,
            )
        },
    )
    .unwrap();
    as_op(&mut dk, "S1");
    let period = |hall: Option<&str>| xinyidian_core::desk::stats_period(d(2026, 3, 1), d(2026, 3, 31), hall);
    let all = dk.publicity_figures(&period(None), &[k1.id]).unwrap();
    let f = &all.figures;
    assert_eq!((f.commitments_issued, f.commitments_signed), (3, 0));
    assert_eq!(
        (f.cases_accepted, f.cases_connected, f.cases_fulfilled, f.cases_broken, f.cases_withdrawn),
        (3, 1, 1, 0, 1)
    );
    assert_eq!(f.dishonesty, [0, 1, 0, 0]);
    // The typical case is masked.
    assert_eq!(all.typical[0].subject, "湛江市＊＊＊有限公司");
    assert!(all.typical[0].outcome.contains("补交物业权属证明"));
    let xiashan = dk.publicity_figures(&period(Some("霞山营业厅")), &[]).unwrap().figures;
    assert_eq!((xiashan.commitments_issued, xiashan.cases_accepted, xiashan.cases_withdrawn), (2, 2, 1));
    // Outside the period nothing of it counts.
    let april = dk
        .publicity_figures(&xinyidian_core::desk::stats_period(d(2026, 4, 1), d(2026, 4, 30), None), &[])
        .unwrap()
        .figures;
    assert_eq!((april.cases_accepted, april.commitments_issued, april.dishonesty[1]), (0, 0, 0));
    // The files: a one-page PDF and the XLSX.
    let pdf = dir.path().join("宣传.pdf");
    dk.export_publicity(&period(None), &[k1.id], &pdf).unwrap();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(lopdf::Document::load_mem(&bytes).unwrap().get_pages().len(), 1);
    let xlsx = dir.path().join("宣传.xlsx");
    dk.export_publicity(&period(None), &[], &xlsx).unwrap();
    assert!(xlsx.exists());
    // A clerk may not.
    as_op(&mut dk, "C1");
    assert!(matches!(dk.publicity_figures(&period(None), &[]), Err(DeskError::Forbidden { .. })));
}
}

xinyidian_core::on_both_engines! {
fn the_queue_is_searched_by_name_code_or_account() {
    let clock = clock_at(d(2026, 3, 2));
    let mut dk = desk(&clock);
    for n in 1..=3 {
        let (_, c) = company_with_letter(&mut dk, n);
        dk.open_case(c, None).unwrap();
    }
    let find = |dk: &Desk, text: &str| {
        dk.case_queue(&QueueQuery {
            search: Some(text.to_string()),
            ..QueueQuery::new(QueueTab::AllOpen, d(2026, 3, 2))
        })
        .unwrap()
        .into_iter()
        .map(|r| r.subject_name)
        .collect::<Vec<_>>()
    };
    assert_eq!(find(&dk, "第2钢构"), vec!["湛江市第2钢构有限公司"]);
    assert_eq!(find(&dk, &uscc(3)), vec!["湛江市第3钢构有限公司"]);
    assert_eq!(find(&dk, "0300000001"), vec!["湛江市第1钢构有限公司"]);
    assert_eq!(find(&dk, "钢构").len(), 3);
    // LIKE's wildcards are literal.
    assert!(find(&dk, "%").is_empty());
    assert!(find(&dk, "_").is_empty());
    assert_eq!(
        dk.case_queue_count(&QueueQuery {
            search: Some("第2".into()),
            ..QueueQuery::new(QueueTab::AllOpen, d(2026, 3, 2))
        })
        .unwrap(),
        1
    );
}
}
