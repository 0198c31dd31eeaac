//! One keyboard contract for the forms (issue 15, point 3): the cursor starts in the first field,
//! Enter submits, a refusal sends the cursor back to the first field in error, and a message
//! appearing under a field never moves the buttons below it.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::support::counter::{company_desk, harness, open_tab};

#[test]
fn the_new_subject_form_starts_in_its_first_field_and_returns_to_the_field_in_error() {
    let (d, _) = company_desk();
    let mut h = harness(d);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    h.run();
    assert!(
        h.get_by_role_and_label(Role::TextInput, "名称")
            .is_focused(),
        "the cursor starts in 名称"
    );
    let save = h
        .get_by_role_and_label(Role::Button, "保存（Enter）")
        .rect();
    // Typed straight away, without a click: it lands in 名称.
    h.get_by_role_and_label(Role::TextInput, "名称")
        .type_text("湛江市赤坎区南海水产有限公司");
    h.run();
    let code = h.get_by_role_and_label(Role::TextInput, "统一社会信用代码");
    code.focus();
    code.type_text("91440800MA4W");
    h.run();
    // The live message under the code leaves the buttons where they were.
    h.get_by_label_contains("输入的是 12 位");
    assert_eq!(
        h.get_by_role_and_label(Role::Button, "保存（Enter）")
            .rect(),
        save,
        "a message under a field moves nothing below it"
    );
    // Enter in another field submits; the refusal sends the cursor to the code.
    let phone = h.get_by_role_and_label(Role::TextInput, "联系电话");
    phone.focus();
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    h.get_by_label("有栏目需要修改，请看标红的提示");
    assert!(
        h.get_by_role_and_label(Role::TextInput, "统一社会信用代码")
            .is_focused(),
        "the cursor is back in the field in error"
    );
    assert!(
        !h.get_by_role_and_label(Role::TextInput, "联系电话")
            .is_focused()
    );
}

#[test]
fn the_account_form_starts_in_its_first_field_and_enter_adds_the_account() {
    let (d, id) = company_desk();
    let mut h = harness(d);
    open_tab(&mut h, "基本信息");
    h.get_by_role_and_label(Role::Button, "添加用电户").click();
    h.run();
    h.run();
    let no = h.get_by_role_and_label(Role::TextInput, "用户编号");
    assert!(no.is_focused(), "the cursor starts in 用户编号");
    no.type_text("0300999999");
    h.run();
    let addr = h.get_by_role_and_label(Role::TextInput, "用电地址");
    addr.focus();
    addr.type_text("湛江市霞山区人民大道南 1 号");
    h.run();
    let since = h.get_by_role_and_label(Role::TextInput, "用电开始日期");
    since.focus();
    since.type_text("2022-13-01");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    // A wrong date: refused, nothing added, the cursor back in the date.
    assert_eq!(h.state().desk().subject(id).unwrap().accounts.len(), 1);
    assert!(
        h.get_by_role_and_label(Role::TextInput, "用电开始日期")
            .is_focused()
    );
    for _ in 0..10 {
        h.key_press(egui::Key::Backspace);
        h.run();
    }
    h.get_by_role_and_label(Role::TextInput, "用电开始日期")
        .type_text("2022-12-01");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    assert_eq!(h.state().desk().subject(id).unwrap().accounts.len(), 2);
}
