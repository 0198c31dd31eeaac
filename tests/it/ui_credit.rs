//! Repairs and objections in the window, headless through egui_kittest (issue 19): 申请信用修复
//! and 提出异议 from a record, the 修复异议 page with a supervisor's steps, and the 待办 tabs.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::support::counter::{ACCOUNT, company_desk as desk, harness, open_tab};
use xinyidian::domain::record_draft::RecordDraft;
use xinyidian::domain::records::RecordKind;
use xinyidian::ui::CounterApp;

/// The company with 23,000 元 of arrears reminded on 2026-01-05: a dishonesty record since
/// 2026-07-06, repairable (一般) from 2026-10-06; today is 2026-11-28.
fn window() -> Harness<'static, CounterApp> {
    let (mut d, id) = desk();
    d.enter_record(
        id,
        &RecordDraft {
            account_no: ACCOUNT.into(),
            period_start: "2025-10-01".into(),
            period_end: "2025-12-31".into(),
            amount: "23000".into(),
            reminded_on: "2026-01-05".into(),
            ..RecordDraft::new(RecordKind::Arrears)
        },
    )
    .unwrap();
    harness(d)
}

fn type_into(h: &mut Harness<'static, CounterApp>, label: &str, text: &str) {
    let input = h.get_by_role_and_label(Role::TextInput, label);
    input.focus();
    input.type_text(text);
    h.run();
}

fn type_multiline(h: &mut Harness<'static, CounterApp>, label: &str, text: &str) {
    let input = h.get_by_role_and_label(Role::MultilineTextInput, label);
    input.focus();
    input.type_text(text);
    h.run();
}

fn click(h: &mut Harness<'static, CounterApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    h.run();
}

#[test]
fn a_repair_is_registered_from_the_record_and_decided_on_the_credit_page() {
    let dir = tempfile::tempdir().unwrap();
    let receipt = dir.path().join("收据.png");
    std::fs::write(&receipt, b"\x89PNG\r\n\x1a\n receipt").unwrap();
    let letter = dir.path().join("承诺书.pdf");
    let mut h = window();
    open_tab(&mut h, "用电记录");
    h.get_by_label_contains("已可申请信用修复（最短公示期至 2026-10-06 已满）");
    click(&mut h, "申请信用修复");
    type_multiline(&mut h, "整改情况说明", "已于 2026-11-20 缴清欠费及违约金");
    type_into(&mut h, "证明材料", receipt.to_str().unwrap());
    crate::support::counter::replace_text(&mut h, "承诺书保存到", letter.to_str().unwrap());
    click(&mut h, "登记并打印信用修复承诺书");
    h.get_by_label_contains("已登记信用修复申请 1");
    assert!(std::fs::read(&letter).unwrap().starts_with(b"%PDF"));

    // The supervisor's steps on the 修复异议 page.
    h.get_by_label("修复异议").click();
    h.run();
    h.get_by_label("1").click();
    h.run();
    h.get_by_label_contains("尚未上传签字盖章件");
    click(&mut h, "受理");
    assert!(h.query_all_by_label_contains("修复申请 1：已受理").count() >= 1);
    assert_eq!(
        h.state()
            .desk()
            .repair_application(xinyidian::domain::credit::RepairId(1))
            .unwrap()
            .status,
        xinyidian::domain::credit::RepairStatus::Accepted
    );
    click(&mut h, "开始审核");
    click(&mut h, "准予修复");
    h.get_by_label_contains("作出公开信用承诺是修复的条件");
    // Not repaired: the record still counts.
    let views = {
        let d = h.state().desk();
        let s = d.subject_by_code(crate::support::counter::USCC).unwrap();
        d.records_of(s.id).unwrap()
    };
    assert!(views[0].credit.repaired.is_none());
    assert_eq!(
        views[0].credit.periods.map(|p| p.grade.label()),
        Some("一般")
    );
}

#[test]
fn an_objection_marks_the_record_and_has_its_own_todo_tab() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("承诺书.jpg");
    std::fs::write(&sealed, b"\xff\xd8\xff\xe0 jpeg").unwrap();
    let mut h = window();
    open_tab(&mut h, "用电记录");
    click(&mut h, "提出异议");
    h.get_by_label("错误").click();
    h.run();
    type_multiline(&mut h, "异议事由说明", "催告日期有误");
    type_into(&mut h, "盖章的异议申诉信用承诺书", sealed.to_str().unwrap());
    click(&mut h, "登记异议");
    h.get_by_label_contains("已登记异议申诉 1");
    h.get_by_label("【异议中】");
    // The verdict does not change: still a dishonesty record.
    h.get_by_label("失信记录 · D-1");

    h.get_by_label("待办").click();
    h.run();
    h.get_by_label("异议申诉 (1)").click();
    h.run();
    h.get_by_label("待受理");
    h.get_by_label("1").click();
    h.run();
    h.get_by_label_contains("异议理由：错误");
    click(&mut h, "不予受理");
    h.get_by_label_contains("请填写不予受理的理由");
    type_into(&mut h, "理由", "非本局认定的信息");
    click(&mut h, "不予受理");
    assert!(
        h.query_all_by_label_contains("异议申诉 1：不予受理")
            .count()
            >= 1
    );
    assert!(h.state().desk().credit_queue().unwrap().1.is_empty());
}
