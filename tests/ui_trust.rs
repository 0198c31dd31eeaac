//! The window's trust-check and letter tabs, headless through egui_kittest (rules T-1..T-7,
//! C-1..C-4).

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use xinyidian::desk::{Desk, FixedClock};
use xinyidian::domain::operator::OperatorDraft;
use xinyidian::domain::subject::{AccountDraft, SubjectDraft, SubjectId, SubjectKind};
use xinyidian::store::Store;
use xinyidian::ui::CounterApp;

const USCC: &str = "91440300708461136T";
const ACCOUNT: &str = "0300123456";
const PW: &str = "counter-2026";

fn desk() -> (Desk, SubjectId) {
    let at = NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let mut d = Desk::new(
        Store::open_in_memory().unwrap(),
        Box::new(FixedClock::At(at)),
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
    let id = d
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: "湛江市霞山区海港贸易有限公司".into(),
            code: USCC.into(),
            legal_rep_name: "陈海明".into(),
            legal_rep_id_number: "11010519491231002X".into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    d.add_account(
        id,
        &AccountDraft {
            account_no: ACCOUNT.into(),
            usage_address: "湛江经济技术开发区钢铁产业园区一路 8 号".into(),
            supply_start: "2021-03-01".into(),
        },
    )
    .unwrap();
    (d, id)
}

fn harness(desk: Desk) -> Harness<'static, CounterApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 900.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(desk));
    h.run();
    h
}

fn open_tab(h: &mut Harness<'static, CounterApp>, tab: &str) {
    let input = h.get_by_role_and_label(Role::TextInput, "查询");
    input.focus();
    input.type_text(USCC);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label(tab).click();
    h.run();
}

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
    h.get_by_label("不符合（2 项待补充）");
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
