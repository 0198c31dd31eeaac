//! The counter window, headless through egui_kittest: widgets are found by role and label as a
//! screen reader would, and driven with clicks and typed text.

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use xinyidian::desk::{Desk, FixedClock};
use xinyidian::domain::subject::{AccountDraft, SubjectDraft, SubjectKind};
use xinyidian::store::Store;
use xinyidian::ui::CounterApp;

const USCC: &str = "91440300708461136T";

fn desk() -> Desk {
    let at = NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    Desk::new(
        Store::open_in_memory().unwrap(),
        Box::new(FixedClock::At(at)),
    )
}

fn harness(desk: Desk) -> Harness<'static, CounterApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 768.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(desk));
    h.run();
    h
}

fn seeded_desk() -> Desk {
    let mut d = desk();
    let id = d
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: "湛江市霞山区海港贸易有限公司".into(),
            code: USCC.into(),
            legal_rep_name: "陈海".into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    d.add_account(
        id,
        &AccountDraft {
            account_no: "0300123456".into(),
            usage_address: "湛江经济技术开发区钢铁产业园区一路 8 号".into(),
            supply_start: "2021-03-01".into(),
        },
    )
    .unwrap();
    d.create_subject(&SubjectDraft {
        kind: SubjectKind::Organization,
        name: "湛江市坡头区南海水产有限公司".into(),
        code: "91110108551385082Q".into(),
        ..SubjectDraft::default()
    })
    .unwrap();
    d
}

fn search(h: &mut Harness<'static, CounterApp>, text: &str) {
    let input = h.get_by_role_and_label(Role::TextInput, "查询");
    input.focus();
    input.type_text(text);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
}

#[test]
fn search_by_code_opens_the_subject_page() {
    let mut h = harness(seeded_desk());
    // A scanner types the code in lower case with a trailing space; Enter ends it.
    search(&mut h, "91440300708461136t ");
    h.get_by_label("湛江市霞山区海港贸易有限公司");
    h.get_by_label(USCC);
    h.get_by_label("0300123456");
    assert!(h.query_by_label("湛江市坡头区南海水产有限公司").is_none());
}

#[test]
fn search_by_name_fragment_lists_results_and_a_click_opens_one() {
    let mut h = harness(seeded_desk());
    search(&mut h, "南海水产");
    h.get_by_label_contains("共 1 条");
    h.get_by_label("湛江市坡头区南海水产有限公司").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "编辑主体信息");
    h.get_by_label("91110108551385082Q");
}

#[test]
fn new_subject_with_wrong_check_character_shows_inline_error_and_is_not_saved() {
    let mut h = harness(desk());
    h.get_by_role_and_label(Role::Button, "新建主体").click();
    h.run();
    let name = h.get_by_role_and_label(Role::TextInput, "名称");
    name.focus();
    name.type_text("湛江市赤坎区金沙饲料有限公司");
    h.run();
    let code = h.get_by_role_and_label(Role::TextInput, "统一社会信用代码");
    code.focus();
    code.type_text("91440300708461136A");
    h.run();
    h.get_by_label_contains("校验位应为 T");
    h.get_by_role_and_label(Role::Button, "保存（Enter）")
        .click();
    h.run();
    assert_eq!(h.state().desk().count_subjects().unwrap(), 0);
    h.get_by_label_contains("校验位应为 T");
}

#[test]
fn new_subject_saved_with_enter_opens_its_page() {
    let mut h = harness(desk());
    h.get_by_role_and_label(Role::Button, "新建主体").click();
    h.run();
    let name = h.get_by_role_and_label(Role::TextInput, "名称");
    name.focus();
    name.type_text("湛江市赤坎区金沙饲料有限公司");
    h.run();
    let code = h.get_by_role_and_label(Role::TextInput, "统一社会信用代码");
    code.focus();
    code.type_text(USCC);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().desk().count_subjects().unwrap(), 1);
    h.get_by_role_and_label(Role::Button, "编辑主体信息");
    h.get_by_label_contains("已登记");
}

#[test]
fn duplicate_code_is_refused_with_the_existing_name() {
    let mut h = harness(seeded_desk());
    h.get_by_role_and_label(Role::Button, "新建主体").click();
    h.run();
    let name = h.get_by_role_and_label(Role::TextInput, "名称");
    name.focus();
    name.type_text("另一家公司");
    h.run();
    let code = h.get_by_role_and_label(Role::TextInput, "统一社会信用代码");
    code.focus();
    code.type_text(USCC);
    h.run();
    h.get_by_role_and_label(Role::Button, "保存（Enter）")
        .click();
    h.run();
    h.get_by_label_contains("已登记为“湛江市霞山区海港贸易有限公司”");
    assert_eq!(h.state().desk().count_subjects().unwrap(), 2);
}

#[test]
fn escape_cancels_the_new_subject_form() {
    let mut h = harness(desk());
    h.get_by_role_and_label(Role::Button, "新建主体").click();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "名称");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_role_and_label(Role::TextInput, "名称").is_none());
    h.get_by_label_contains("最近办理");
}
