//! 日志 by subject code or name with its CSV export, the 守信名单 page, and editing an operator
//! (issue 15, point 6), headless through egui_kittest.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::support::counter::{company_desk as desk, harness};

#[test]
fn the_audit_log_is_filtered_by_subject_name_and_exported() {
    let (d, _) = desk();
    let mut h = harness(d);
    h.get_by_label("日志").click();
    h.run();
    let input = h.get_by_role_and_label(Role::TextInput, "主体（代码或名称）");
    input.focus();
    input.type_text("海港贸易");
    h.run();
    h.get_by_role_and_label(Role::Button, "筛选").click();
    h.run();
    // The rows about the subject, named, not numbered.
    assert!(h.query_all_by_label("湛江市霞山区海港贸易有限公司").count() >= 1);
    h.get_by_label_contains("共 2 条");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("日志.csv");
    crate::support::counter::replace_text(&mut h, "导出到", out.to_str().unwrap());
    h.get_by_role_and_label(Role::Button, "导出 CSV").click();
    h.run();
    h.get_by_label_contains("已导出 2 条");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with('\u{FEFF}') && text.contains("湛江市霞山区海港贸易有限公司"),
        "{text}"
    );
    // A name that fits nothing says so.
    let input = h.get_by_role_and_label(Role::TextInput, "主体（代码或名称）");
    input.focus();
    input.type_text("不存在");
    h.run();
    h.get_by_role_and_label(Role::Button, "筛选").click();
    h.run();
    h.get_by_label_contains("未找到主体");
}

#[test]
fn the_trusted_page_lists_and_exports_and_an_operator_is_edited() {
    let (d, _) = desk();
    let mut h = harness(d);
    h.get_by_label("守信名单").click();
    h.run();
    h.get_by_label_contains("共 0 个");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("守信.xlsx");
    crate::support::counter::replace_text(&mut h, "导出到", out.to_str().unwrap());
    h.get_by_role_and_label(Role::Button, "导出 XLSX").click();
    h.run();
    h.get_by_label_contains("已导出 0 个");
    assert!(out.exists());

    h.get_by_label("设置").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "修改")
        .click_accesskit();
    h.run();
    h.get_by_label_contains("修改操作员 A1");
    let name = h
        .query_all_by_role_and_label(Role::TextInput, "姓名")
        .next()
        .unwrap();
    name.focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.query_all_by_role_and_label(Role::TextInput, "姓名")
        .next()
        .unwrap()
        .type_text("管理员戊");
    h.run();
    h.get_by_role_and_label(Role::Button, "保存修改（Enter）")
        .click_accesskit();
    h.run();
    let ops = h.state().desk().operators().unwrap();
    assert_eq!(ops[0].name, "管理员戊");
}
