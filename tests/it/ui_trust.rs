//! The window's trust-check and letter tabs, headless through egui_kittest (rules T-1..T-7,
//! C-1..C-4).

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::support::counter::{company_desk as desk, harness, open_tab};

#[test]
fn the_check_tab_runs_a_check_and_explains_every_rule() {
    let (d, id) = desk();
    let mut h = harness(d);
    open_tab(&mut h, "信用核查");
    h.get_by_label("尚未核查。选择业务后点击“运行信用核查”。");
    h.get_by_label("运行信用核查").click();
    h.run();
    h.run();
    // Headline, rule rows with IDs, and the next step for the missing report.
    h.get_by_label("待补充（2 项），补齐后重新核查");
    h.get_by_label("[T-1(c)]");
    h.get_by_label("[T-1(b)]");
    assert!(
        h.query_all_by_label_contains("下一步：").count() >= 2,
        "advice lines are shown"
    );
    let history = h.state().desk().verdicts_of(id, 10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].operator, "A1");
}

#[test]
fn the_letter_tab_issues_a_letter_and_shows_its_code() {
    let (d, id) = desk();
    let mut h = harness(d);
    open_tab(&mut h, "承诺书");
    // Prefilled from the subject.
    h.get_by_role_and_label(Role::TextInput, "法定代表人姓名");
    h.get_by_label("出具承诺书").click();
    h.run();
    // No relation chosen yet: inline error, nothing stored.
    h.get_by_label("请选择申请单位与用电地址对应建筑物的关系：业主或租户");
    assert!(h.state().desk().commitments_of(id).unwrap().is_empty());
    h.get_by_label("租户").click();
    h.run();
    h.get_by_label("出具承诺书").click();
    h.run();
    h.run();
    let list = h.state().desk().commitments_of(id).unwrap();
    assert_eq!(list.len(), 1);
    let code = list[0].code.clone();
    assert_eq!(code, "44080020261128000001");
    h.get_by_label(&format!("承诺编码 {code}"));
    h.get_by_label("打印");
    h.get_by_label("另存为…");
}
