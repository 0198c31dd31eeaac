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

/// Press Esc and let the window settle.
fn esc(h: &mut egui_kittest::Harness<'static, xinyidian::ui::CounterApp>) {
    h.key_press(egui::Key::Escape);
    h.run();
    h.run();
}

const ASK: &str = "已填写的内容尚未保存，放弃吗？（再按 Esc 也是放弃）";

#[test]
fn the_record_form_starts_in_its_first_box_and_esc_asks_before_dropping_what_was_typed() {
    let (d, id) = company_desk();
    let mut h = harness(d);
    open_tab(&mut h, "用电记录");
    h.get_by_role_and_label(Role::Button, "录入用电记录")
        .click();
    h.run();
    h.run();
    assert!(
        h.get_by_role_and_label(Role::TextInput, "缴费类型名称")
            .is_focused(),
        "the cursor starts in the form's first box"
    );
    // Typed at once, then Enter: the refusal sends the cursor to the first box in error.
    h.get_by_role_and_label(Role::TextInput, "缴费类型名称")
        .type_text("电费");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    assert!(h.state().desk().records_of(id).unwrap().is_empty());
    assert!(
        h.get_by_role_and_label(Role::TextInput, "计量开始日")
            .is_focused(),
        "after the refusal the cursor is in the first box in error"
    );
    // One Esc asks; 继续填写 keeps the form; two Esc close it.
    esc(&mut h);
    h.get_by_label(ASK);
    h.get_by_role_and_label(Role::Button, "继续填写")
        .click_accesskit();
    h.run();
    assert!(h.query_by_label(ASK).is_none());
    h.get_by_role_and_label(Role::TextInput, "缴费类型名称");
    esc(&mut h);
    esc(&mut h);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "缴费类型名称")
            .is_none(),
        "the second Esc closes the form"
    );
    // The page is still the subject's: the form took the Esc, not the page.
    h.get_by_role_and_label(Role::Button, "录入用电记录");
}

#[test]
fn the_repair_form_shows_its_refusal_under_the_statement_and_esc_on_an_empty_form_closes_it() {
    let (mut d, id) = company_desk();
    d.enter_record(
        id,
        &xinyidian::domain::record_draft::RecordDraft {
            account_no: crate::support::counter::ACCOUNT.into(),
            period_start: "2025-10-01".into(),
            period_end: "2025-12-31".into(),
            amount: "23000".into(),
            reminded_on: "2026-01-05".into(),
            ..xinyidian::domain::record_draft::RecordDraft::new(
                xinyidian::domain::records::RecordKind::Arrears,
            )
        },
    )
    .unwrap();
    let mut h = harness(d);
    open_tab(&mut h, "用电记录");
    h.get_by_role_and_label(Role::Button, "申请信用修复")
        .click();
    h.run();
    h.run();
    let statement = h.get_by_role_and_label(Role::MultilineTextInput, "整改情况说明");
    assert!(statement.is_focused(), "the cursor starts in the statement");
    let submit = h
        .get_by_role_and_label(Role::Button, "登记并打印信用修复承诺书")
        .rect();
    // Ctrl+Enter submits from the multi-line box; the refusal sits under it.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run();
    h.run();
    let message = h.get_by_label("请填写整改情况说明").rect();
    let statement = h
        .get_by_role_and_label(Role::MultilineTextInput, "整改情况说明")
        .rect();
    assert!(
        message.min.y >= statement.max.y && message.min.y - statement.max.y < 20.0,
        "the message {message:?} is right under its box {statement:?}"
    );
    assert_eq!(
        h.get_by_role_and_label(Role::Button, "登记并打印信用修复承诺书")
            .rect(),
        submit,
        "the message took its reserved line: the buttons did not move"
    );
    assert!(
        h.state()
            .desk()
            .repair_applications(&xinyidian_core::store::CreditFilter::default())
            .unwrap()
            .is_empty(),
        "nothing registered"
    );
    // Nothing typed: one Esc closes it without asking.
    esc(&mut h);
    assert!(h.query_by_label(ASK).is_none());
    assert!(
        h.query_by_role_and_label(Role::MultilineTextInput, "整改情况说明")
            .is_none()
    );
}

#[test]
fn enter_in_any_box_adds_an_operator_and_esc_closes_the_operator_edit() {
    let (d, _) = company_desk();
    let mut h = harness(d);
    h.get_by_label("设置").click();
    h.run();
    for (role, label, text) in [
        (Role::TextInput, "工号", "C7"),
        (Role::PasswordInput, "初始密码", "counter-2027"),
        (Role::TextInput, "姓名", "柜员丙"),
    ] {
        let input = h.get_by_role_and_label(role, label);
        input.focus();
        input.type_text(text);
        h.run();
    }
    // Enter in 姓名, not only in the last box.
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    let ops = h.state().desk().operators().unwrap();
    let added = ops.iter().find(|o| o.staff_no == "C7").expect("added");
    assert_eq!(added.name, "柜员丙");
    h.get_by_label("已添加操作员");
    // 修改 opens the edit row; Esc closes it unchanged.
    let edit_buttons: Vec<_> = h
        .query_all_by_role_and_label(Role::Button, "修改")
        .collect();
    assert_eq!(edit_buttons.len(), 2);
    edit_buttons[1].click_accesskit();
    h.run();
    h.get_by_label_contains("修改操作员 C7");
    esc(&mut h);
    assert!(h.query_by_label_contains("修改操作员 C7").is_none());
}

#[test]
fn esc_on_a_changed_letter_asks_before_leaving_the_subject() {
    let (d, _) = company_desk();
    let mut h = harness(d);
    open_tab(&mut h, "承诺书");
    let name = h.get_by_role_and_label(Role::TextInput, "法定代表人姓名");
    name.focus();
    name.type_text("（核对）");
    h.run();
    esc(&mut h);
    h.get_by_label(ASK);
    h.get_by_role_and_label(Role::TextInput, "法定代表人姓名");
    esc(&mut h);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "法定代表人姓名")
            .is_none(),
        "the second Esc leaves the page"
    );
    h.get_by_role_and_label(Role::TextInput, "查询");
}

#[test]
fn esc_on_an_unchanged_subject_edit_closes_it_and_on_a_changed_one_asks() {
    let (d, _) = company_desk();
    let mut h = harness(d);
    open_tab(&mut h, "基本信息");
    h.get_by_role_and_label(Role::Button, "编辑主体信息")
        .click();
    h.run();
    h.run();
    esc(&mut h);
    assert!(h.query_by_label("修改主体信息").is_none());
    h.get_by_role_and_label(Role::Button, "编辑主体信息")
        .click();
    h.run();
    h.run();
    let phone = h.get_by_role_and_label(Role::TextInput, "联系电话");
    phone.focus();
    phone.type_text("0759-2345678");
    h.run();
    esc(&mut h);
    h.get_by_label(ASK);
    h.get_by_label("修改主体信息");
    h.get_by_role_and_label(Role::Button, "放弃")
        .click_accesskit();
    h.run();
    assert!(h.query_by_label("修改主体信息").is_none());
}
