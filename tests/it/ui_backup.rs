//! 设置 → 备份与恢复 in the window (issue 20): settings, 立即备份 off the window's thread, the
//! backups listed with 校验, and 关于 with the version and the database file.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::support::counter::{company_desk_on, harness, wait_for};
use xinyidian_core::store::Store;

#[test]
fn a_backup_runs_off_the_window_thread_and_is_listed_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("备份");
    std::fs::create_dir(&backups).unwrap();
    let (d, _) = company_desk_on(Store::open(&dir.path().join("counter.sqlite3")).unwrap());
    let mut h = harness(d);
    h.get_by_label("设置").click();
    h.run();
    h.get_by_label("关于");
    h.get_by_label(env!("CARGO_PKG_VERSION"));
    h.get_by_label_contains("counter.sqlite3");
    let input = h.get_by_role_and_label(Role::TextInput, "备份文件夹");
    input.focus();
    input.type_text(backups.to_str().unwrap());
    h.run();
    h.get_by_role_and_label(Role::Button, "保存备份设置")
        .click_accesskit();
    h.run();
    h.get_by_label("已保存备份设置");
    h.get_by_role_and_label(Role::Button, "立即备份")
        .click_accesskit();
    wait_for(&mut h, "已备份到");
    h.get_by_label_contains("检查通过");
    h.get_by_label_contains("文件夹中的备份（1 份");
    h.get_by_role_and_label(Role::Button, "校验")
        .click_accesskit();
    h.run();
    assert!(h.query_all_by_label_contains("检查通过").count() >= 1);
    // 恢复 asks first.
    h.get_by_role_and_label(Role::Button, "恢复…")
        .click_accesskit();
    h.run();
    h.get_by_label_contains("恢复将替换当前数据库");
    h.get_by_role_and_label(Role::Button, "取消")
        .click_accesskit();
    h.run();
    assert!(h.query_by_label_contains("恢复将替换当前数据库").is_none());
    assert_eq!(xinyidian::desk::list_backups(&backups).unwrap().len(), 1);
}

#[test]
fn the_publicity_figures_are_made_from_the_export_page() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = company_desk_on(Store::open(&dir.path().join("counter.sqlite3")).unwrap());
    let mut h = harness(d);
    h.get_by_label("导出").click();
    h.run();
    let out = dir.path().join("宣传.xlsx");
    crate::support::counter::replace_text(&mut h, "保存为", out.to_str().unwrap());
    h.get_by_role_and_label(Role::Button, "生成")
        .click_accesskit();
    wait_for(&mut h, "已生成诚信宣传数据");
    assert!(out.exists());
}
