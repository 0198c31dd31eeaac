//! The 待办 page headless through egui_kittest: a clerk sees the overdue case with its phone
//! and no decision buttons; a supervisor decides the breach from the queue (rules C-2, D-4).

use chrono::{Duration, NaiveDate};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use xinyidian::desk::{Desk, ManualClock};
use xinyidian::domain::case::{CaseId, CaseStatus};
use xinyidian::domain::commitment::Fulfilment;
use xinyidian::domain::letter::Relation;
use xinyidian::domain::operator::{OperatorDraft, Role as OpRole};
use xinyidian::domain::subject::{AccountDraft, SubjectDraft, SubjectKind};
use xinyidian::domain::trust::Business;
use xinyidian::ui::CounterApp;
use xinyidian_core::store::Store;

const PW: &str = "counter-2026";
const USCC: &str = "91440300708461136T";

/// A desk with one case connected on 2024-02-29, its clock on 2025-03-01 (one day overdue),
/// signed in as `staff_no`.
fn overdue_desk(staff_no: &str) -> (Desk, CaseId) {
    let clock = ManualClock::new(
        NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
    );
    let mut d = Desk::new(Store::open_in_memory().unwrap(), Box::new(clock.clone()));
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
    for (no, role) in [("S1", OpRole::Supervisor), ("C1", OpRole::Clerk)] {
        d.add_operator(
            &OperatorDraft {
                staff_no: no.into(),
                name: format!("操作员{no}"),
                role,
                hall: "霞山营业厅".into(),
                window: "2 号窗口".into(),
            },
            PW,
        )
        .unwrap();
    }
    let id = d
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: "湛江市霞山区海港贸易有限公司".into(),
            code: USCC.into(),
            legal_rep_name: "陈海明".into(),
            legal_rep_id_number: "11010519491231002X".into(),
            phone: "0759-2345678".into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    d.add_account(
        id,
        &AccountDraft {
            account_no: "0300123456".into(),
            usage_address: "湛江经济技术开发区钢铁产业园区一路 8 号".into(),
            supply_start: String::new(),
        },
    )
    .unwrap();
    let mut f = d.letter_fields_for(id).unwrap();
    f.relation = Some(Relation::Owner);
    let c = d
        .issue_letter(id, Business::NewConnection, &f)
        .unwrap()
        .commitment;
    let case = d.open_case(c.id, Some("0300123456")).unwrap();
    d.connect_case(case.id, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        .unwrap();
    clock.advance(Duration::days(366)); // 2025-03-01
    d.sign_out().unwrap();
    d.sign_in(staff_no, PW).unwrap();
    (d, case.id)
}

fn harness(desk: Desk) -> Harness<'static, CounterApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(desk));
    h.run();
    h
}

fn open_queue(h: &mut Harness<'static, CounterApp>) {
    // The navigation shows how many cases need attention.
    h.get_by_role_and_label(Role::Button, "待办 (1)").click();
    h.run();
}

#[test]
fn a_clerk_sees_the_queue_read_only_with_the_phone_to_call() {
    let (desk, case) = overdue_desk("C1");
    let mut h = harness(desk);
    open_queue(&mut h);
    h.get_by_label_contains("只读");
    // The clerk lands on 30 天内到期 (empty); the overdue case is under 逾期.
    h.get_by_label("逾期 (1)").click();
    h.run();
    h.get_by_label("湛江市霞山区海港贸易有限公司");
    h.get_by_label("0759-2345678");
    h.get_by_label("逾期 1 天");
    assert!(
        h.query_by_role_and_label(Role::Button, "认定违诺")
            .is_none()
    );
    assert!(h.query_by_role_and_label(Role::Button, "延期").is_none());
    assert!(
        h.query_by_role_and_label(Role::Button, "导出 XLSX")
            .is_none()
    );
    assert_eq!(
        h.state().desk().case(case).unwrap().status,
        CaseStatus::Connected
    );
}

#[test]
fn a_supervisor_decides_a_breach_from_the_queue() {
    let (desk, case) = overdue_desk("S1");
    let mut h = harness(desk);
    open_queue(&mut h);
    // Supervisors land on 待认定 when something awaits them.
    h.get_by_label("待认定 (1)");
    h.get_by_label("0759-2345678");
    h.get_by_role_and_label(Role::Button, "认定违诺").click();
    h.run();
    // Without a reason the decision is refused and nothing is written.
    h.get_by_role_and_label(Role::Button, "确认认定违诺")
        .click();
    h.run();
    h.get_by_label_contains("请填写未履行的承诺内容");
    assert_eq!(
        h.state().desk().case(case).unwrap().status,
        CaseStatus::Connected
    );
    let field = h.get_by_role_and_label(Role::MultilineTextInput, "未履行的承诺内容（认定理由）");
    field.focus();
    field.type_text("未在接火送电后一年内补交物业权属证明");
    h.run();
    h.get_by_role_and_label(Role::Button, "确认认定违诺")
        .click();
    h.run();
    let desk = h.state().desk();
    let c = desk.case(case).unwrap();
    assert_eq!(c.status, CaseStatus::Broken);
    assert_eq!(
        desk.commitment(c.commitment_id).unwrap().fulfilment,
        Some(Fulfilment::None)
    );
    h.get_by_label_contains("已认定案件");
    // Decided: the queue no longer asks for it and the navigation count drops.
    h.get_by_label("待认定 (0)");
    assert!(
        h.query_by_role_and_label(Role::Button, "待办 (1)")
            .is_none()
    );
}

#[test]
fn the_dashboard_opens_from_the_queue() {
    let (desk, _) = overdue_desk("S1");
    let mut h = harness(desk);
    open_queue(&mut h);
    h.get_by_role_and_label(Role::Button, "统计图表").click();
    h.run();
    h.get_by_label_contains("在办 1");
    h.get_by_label("按受理月份、状态的案件数");
    // Nothing fulfilled or broken yet: said in words, not an empty plot.
    h.get_by_label_contains("尚无已补证或认定违诺的案件");
    h.get_by_role_and_label(Role::Button, "返回待办").click();
    h.run();
    h.get_by_label("待认定 (1)");
}

/// 1,200 connected cases on a database file (so that the page has its prefetch thread), the
/// desk's clock on 2025-06-01, nobody signed in (the queue is read-only then).
fn big_queue(dir: &std::path::Path) -> Desk {
    use xinyidian::domain::case::Case;
    use xinyidian::domain::commitment::{
        AcceptingUnit, Commitment, CommitmentId, CommitmentType, LIABILITY, Publicity,
        proof_deadline,
    };
    let path = dir.join("queue.sqlite3");
    let now = NaiveDate::from_ymd_opt(2025, 6, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let clock = || Box::new(xinyidian::desk::FixedClock::At(now));
    let mut d = Desk::new(Store::open(&path).unwrap(), clock());
    d.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员甲".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    let s = d
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: "湛江市霞山区海港贸易有限公司".into(),
            code: USCC.into(),
            phone: "0759-2345678".into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    let mut store = Store::open(&path).unwrap();
    store
        .write(|w| {
            let c = Commitment {
                id: CommitmentId(0),
                subject_id: s,
                code: "44080020250101000001".into(),
                committer_name: "湛江市霞山区海港贸易有限公司".into(),
                committer_kind: SubjectKind::Organization,
                committer_code: String::new(),
                commitment_type: CommitmentType::ProofSubstitute,
                business: Business::NewConnection,
                reason: String::new(),
                content: String::new(),
                liability: LIABILITY.into(),
                made_on: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                valid_until: None,
                fulfilment: None,
                unfulfilled: None,
                liability_pursued: None,
                fulfilment_decided_on: None,
                accepting_unit: AcceptingUnit::default(),
                deciding_unit: None,
                publicity: Publicity::Public,
                letter: Default::default(),
                signed_file: None,
                signed_on: None,
                issued_by: "A1".into(),
            };
            let cid = w.insert_commitment(&c, 1, None, now)?;
            let base = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
            for i in 0..1200u64 {
                let connected = base + Duration::days((i * 37 % 300) as i64);
                w.insert_case(
                    &Case {
                        id: CaseId(0),
                        subject_id: s,
                        commitment_id: cid,
                        commitment_code: c.code.clone(),
                        verdict_id: None,
                        business: Business::NewConnection,
                        account_no: format!("03{i:08}"),
                        usage_address: format!("钢铁产业园区 {i} 号"),
                        park_id: None,
                        park: String::new(),
                        applied_on: base,
                        opened_by: "C1".into(),
                        hall: "霞山营业厅".into(),
                        status: CaseStatus::Connected,
                        connected_on: Some(connected),
                        deadline: proof_deadline(connected),
                        extensions: vec![],
                        proof: None,
                        decision: None,
                        withdrawal: None,
                    },
                    now,
                )?;
            }
            Ok::<_, xinyidian_core::store::StoreError>(())
        })
        .unwrap();
    d.sign_out().unwrap();
    d
}

#[test]
fn the_queue_table_pages_through_more_rows_than_one_window() {
    use xinyidian::domain::case::{QueueQuery, QueueTab};
    use xinyidian::ui::queue::{QueuePage, WINDOW};
    let dir = tempfile::tempdir().unwrap();
    let desk = big_queue(dir.path());
    let all = desk
        .case_queue(&QueueQuery::new(QueueTab::AllOpen, desk.today()))
        .unwrap();
    assert_eq!(all.len(), 1200);
    assert!(all.len() > 2 * WINDOW);
    let mut page = QueuePage::load(&desk);
    page.show_tab(QueueTab::AllOpen, &desk);
    assert_eq!(page.total(), 1200);
    // Only the first window is read.
    assert!(page.row(0).is_some());
    assert!(page.row(WINDOW).is_none());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(
            |ui, (p, d): &mut (QueuePage, Desk)| {
                p.ui(ui, d);
            },
            (page, desk),
        );
    h.run();
    h.get_by_label_contains("共 1200 件");
    h.get_by_label(&all[0].account_no);
    // Far beyond the first window: the table shows the rows the full query has there.
    for target in [1100usize, 640, 1199] {
        h.state_mut().0.scroll_to_row(target);
        // The scroll is animated and the window is read on the prefetch thread: wait for both.
        for _ in 0..400 {
            h.step();
            if h.state().0.row(target).is_some() && h.query_by_label(&all[0].account_no).is_none() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        h.step();
        h.get_by_label(&all[target].account_no);
        assert_eq!(
            h.state().0.row(target).map(|r| r.case_id),
            Some(all[target].case_id)
        );
        assert!(h.query_by_label(&all[0].account_no).is_none());
    }
}

#[test]
fn the_queue_searches_names_its_clerks_remembers_its_tab_and_opens_the_subject() {
    let (desk, _) = overdue_desk("C1");
    let mut h = harness(desk);
    open_queue(&mut h);
    h.get_by_label("逾期 (1)").click();
    h.run();
    // The clerk by name, not by 工号.
    h.get_by_label("管理员甲");
    // Search: a name that fits nothing empties the tab, a 用户编号 finds the case.
    let input = h.get_by_role_and_label(Role::TextInput, "查找");
    input.focus();
    input.type_text("南海水产");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label_contains("中没有案件");
    let input = h.get_by_role_and_label(Role::TextInput, "查找");
    input.focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_role_and_label(Role::TextInput, "查找")
        .type_text("0300123456");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label_contains("共 1 件");
    // Another page and back: still 逾期.
    h.get_by_role_and_label(Role::Button, "设置").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "待办 (1)").click();
    h.run();
    h.get_by_label_contains("逾期 1 天");
    // The subject's name opens its page.
    h.get_by_label("湛江市霞山区海港贸易有限公司").click();
    h.run();
    h.get_by_label("用电记录");
}

#[test]
fn at_1024_by_600_the_decisions_are_inside_the_window() {
    let (desk, _) = overdue_desk("S1");
    let mut h = Harness::builder()
        .with_size(egui::vec2(1024.0, 600.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(desk));
    h.run();
    h.get_by_role_and_label(Role::Button, "待办 (1)").click();
    h.run();
    h.get_by_label("逾期 (1)").click();
    h.run();
    for label in ["认定违诺", "延期"] {
        let r = h.get_by_role_and_label(Role::Button, label).rect();
        assert!(
            r.max.x <= 1024.0 && r.max.y <= 600.0 && r.min.x >= 0.0,
            "{label} at {r:?}"
        );
    }
}

#[test]
fn at_1024_the_search_bar_does_not_overlap_the_operator() {
    let (desk, _) = overdue_desk("S1");
    let mut h = Harness::builder()
        .with_size(egui::vec2(1024.0, 600.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(desk));
    h.run();
    let new = h.get_by_role_and_label(Role::Button, "新建主体").rect();
    let out = h.get_by_role_and_label(Role::Button, "退出登录").rect();
    let op = h.get_by_label_contains("操作员S1").rect();
    assert!(
        new.max.x <= op.min.x,
        "新建主体 {new:?} overlaps the operator {op:?}"
    );
    assert!(
        op.max.x <= out.min.x + 1.0 && out.max.x <= 1024.0,
        "{op:?} {out:?}"
    );
}

#[test]
fn the_extension_form_submits_on_enter_and_esc_closes_it() {
    let (desk, case) = overdue_desk("S1");
    let mut h = harness(desk);
    open_queue(&mut h);
    h.get_by_role_and_label(Role::Button, "延期").click();
    h.run();
    h.get_by_label_contains("批准延期：案件");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label_contains("批准延期：案件").is_none());
    h.get_by_role_and_label(Role::Button, "延期").click();
    h.run();
    let until = h.get_by_role_and_label(Role::TextInput, "新的补证期限");
    until.focus();
    until.type_text("2025-06-30");
    h.run();
    let reason = h.get_by_role_and_label(Role::TextInput, "延期理由");
    reason.focus();
    reason.type_text("不动产登记中心补办中");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    let c = h.state().desk().case(case).unwrap();
    assert_eq!(c.deadline, NaiveDate::from_ymd_opt(2025, 6, 30));
}

#[test]
fn the_extension_form_takes_enter_puts_its_message_under_the_date_and_esc_asks_first() {
    let (desk, case) = overdue_desk("S1");
    let mut h = harness(desk);
    open_queue(&mut h);
    h.get_by_label("逾期 (1)").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "延期").click();
    h.run();
    h.run();
    let until = h.get_by_role_and_label(Role::TextInput, "新的补证期限");
    assert!(until.is_focused(), "the cursor starts in the date");
    until.type_text("2025-13-01");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    // Refused: the message under the date (it names the field), the cursor back in it.
    let message = h.get_by_label_contains("新的补证期限：").rect();
    let until = h.get_by_role_and_label(Role::TextInput, "新的补证期限");
    assert!(until.is_focused());
    assert!(
        message.min.y >= until.rect().max.y && message.min.y - until.rect().max.y < 20.0,
        "{message:?} under {:?}",
        until.rect()
    );
    assert_eq!(h.state().desk().case(case).unwrap().extensions.len(), 0);
    // Something typed: the first Esc asks, the second closes.
    h.key_press(egui::Key::Escape);
    h.run();
    h.get_by_label_contains("放弃吗");
    h.get_by_role_and_label(Role::TextInput, "新的补证期限");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(
        h.query_by_role_and_label(Role::TextInput, "新的补证期限")
            .is_none()
    );
    // Again, right this time: Enter in the reason grants the extension.
    h.get_by_role_and_label(Role::Button, "延期").click();
    h.run();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "新的补证期限")
        .type_text("2025-06-30");
    h.run();
    let reason = h.get_by_role_and_label(Role::TextInput, "延期理由");
    reason.focus();
    reason.type_text("不动产登记中心出证延迟");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    let c = h.state().desk().case(case).unwrap();
    assert_eq!(c.extensions.len(), 1);
    assert_eq!(c.deadline, NaiveDate::from_ymd_opt(2025, 6, 30));
}
