//! The credit report in the window, headless through egui_kittest: the report page's freshness
//! badge and adverse entries, and a file dropped on a subject page going through the worker
//! thread into the hand-entry form.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use xinyidian_core::dev::report_pdf as fx;

use crate::support::counter::wait_for;

use xinyidian::desk::{Desk, FixedClock};
use xinyidian::domain::operator::OperatorDraft;
use xinyidian::domain::subject::{SubjectDraft, SubjectId, SubjectKind};
use xinyidian::ui::CounterApp;
use xinyidian_core::store::Store;

const PW: &str = "counter-2026";

fn desk_on(y: i32, m: u32, d: u32) -> (Desk, SubjectId) {
    let mut desk = Desk::new(
        Store::open_in_memory().unwrap(),
        Box::new(FixedClock::At(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        )),
    );
    desk.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员甲".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    let id = desk
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: fx::ORG_NAME.into(),
            code: fx::uscc(),
            ..SubjectDraft::default()
        })
        .unwrap();
    (desk, id)
}

fn harness(desk: Desk) -> Harness<'static, CounterApp> {
    let mut h = Harness::builder()
        // Tall enough that the hand-entry form's buttons are on screen below the subject's facts.
        .with_size(egui::vec2(1366.0, 1400.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(desk));
    h.run();
    h
}

fn open_subject(h: &mut Harness<'static, CounterApp>) {
    let input = h.get_by_role_and_label(Role::TextInput, "查询");
    input.focus();
    input.type_text(&fx::uscc());
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
}

#[test]
fn report_page_shows_badge_and_adverse_entries() {
    let (mut desk, s) = desk_on(2026, 5, 6);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("报告.pdf");
    std::fs::write(&f, fx::adverse_org_report()).unwrap();
    desk.import_report(s, &f).unwrap();
    let mut h = harness(desk);
    open_subject(&mut h);
    h.get_by_label("信用报告（1）");
    h.get_by_role_and_label(Role::Button, "导入信用报告");
    h.get_by_label_contains("查看报告").click();
    h.run();
    h.get_by_label(&format!("信用报告 {}", fx::REPORT_NO));
    h.get_by_label("有效");
    h.get_by_label_contains("符合时效要求");
    assert!(h.get_all_by_label("行政处罚").count() >= 1);
    h.get_by_label("处罚决定日期 2024-12-24");
    h.get_by_label("失信被执行人");
    h.get_by_role_and_label(Role::Button, "打开原件");
    // Back to the subject.
    h.get_by_role_and_label(Role::Button, "← 返回主体").click();
    h.run();
    h.get_by_label("信用报告（1）");
}

#[test]
fn stale_report_shows_expired_badge() {
    let (mut desk, s) = desk_on(2026, 5, 10);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("报告.pdf");
    std::fs::write(&f, fx::clean_org_report()).unwrap();
    desk.import_report(s, &f).unwrap();
    let mut h = harness(desk);
    open_subject(&mut h);
    h.get_by_label_contains("查看报告").click();
    h.run();
    h.get_by_label("已过期");
    h.get_by_label_contains("请申请人重新下载");
    h.get_by_label("报告中没有不良信息");
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropped_scan_opens_the_hand_entry_form_and_saves() {
    let (desk, _) = desk_on(2026, 5, 6);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("扫描件.pdf");
    std::fs::write(&f, fx::scan_only_report(1)).unwrap();
    let mut h = harness(desk);
    open_subject(&mut h);
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(f.clone())));
    h.step();
    wait_for(&mut h, "手工录入信用报告");
    h.get_by_label_contains("可能是扫描件");
    // The partly read text is shown beside the form.
    h.get_by_label_contains("信用中国");
    for (label, value) in [
        ("报告生成日期", "2026-05-04"),
        ("主体名称", fx::ORG_NAME),
        ("统一社会信用代码/证件号码", fx::uscc().as_str()),
        ("下载平台", "信用中国"),
    ] {
        let input = h.get_by_role_and_label(Role::TextInput, label);
        input.focus();
        input.type_text(value);
        h.run();
    }
    h.get_by_role_and_label(Role::Button, "保存报告（Enter）")
        .click();
    h.run();
    h.get_by_label("信用报告（1）");
    h.get_by_label_contains("已保存信用报告");
    let s = h.state().desk().subject_by_code(&fx::uscc()).unwrap();
    let v = h.state().desk().latest_report(s.id).unwrap().unwrap();
    assert!(v.hand_entered);
    assert!(v.report.hand_entered.iter().all(|x| x.operator == "A1"));
    assert_eq!(v.file_name, "扫描件.pdf");
}

#[test]
fn settings_page_edits_the_report_max_age() {
    let (desk, _) = desk_on(2026, 5, 6);
    let mut h = harness(desk);
    h.get_by_role_and_label(Role::Button, "设置").click();
    h.run();
    let input = h.get_by_role_and_label(Role::TextInput, "报告生成后多少天内有效");
    input.focus();
    h.run();
    // The field holds the default 5; the cursor is at its end.
    h.key_press(egui::Key::Backspace);
    h.get_by_role_and_label(Role::TextInput, "报告生成后多少天内有效")
        .type_text("7");
    h.run();
    h.get_by_role_and_label(Role::Button, "保存有效天数")
        .click();
    h.run();
    h.get_by_label("已保存信用报告有效天数");
    assert_eq!(h.state().desk().report_max_age_days().unwrap(), 7);
}

#[test]
fn settings_page_sets_the_installation_number_and_names_a_wrong_one() {
    let (desk, _) = desk_on(2026, 5, 6);
    let mut h = harness(desk);
    h.get_by_role_and_label(Role::Button, "设置").click();
    h.run();
    h.get_by_label("本机出具的承诺编码序号为 000001–009999");
    let label = "安装编号（1–99，留空表示不分段）";
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, label)
        .type_text("120");
    h.run();
    // The wrong value is named under the field before anything is saved.
    h.get_by_label_contains("本机安装编号“120”无效");
    for _ in 0..3 {
        h.key_press(egui::Key::Backspace);
    }
    h.get_by_role_and_label(Role::TextInput, label)
        .type_text("7");
    h.run();
    h.get_by_label("本机出具的承诺编码序号为 070001–079999");
    h.get_by_role_and_label(Role::Button, "保存安装编号")
        .click();
    h.run();
    h.get_by_label("已保存本机安装编号");
    assert_eq!(
        h.state().desk().installation_no().unwrap().map(|n| n.get()),
        Some(7)
    );
}

#[test]
fn a_doubted_report_is_confirmed_by_hand_on_its_page() {
    // Issue 14 point 12: the summary counts an entry the reader did not find.
    let (mut desk, s) = desk_on(2026, 5, 6);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("报告.pdf");
    std::fs::write(&f, fx::unreadable_entry_report()).unwrap();
    desk.import_report(s, &f).unwrap();
    let mut h = harness(desk);
    open_subject(&mut h);
    h.get_by_label_contains("查看报告").click();
    h.run();
    h.get_by_label("人工核对确认（依据 T-4）");
    assert!(h.get_all_by_label_contains("正文读到 0 条").count() >= 1);
    h.get_by_role_and_label(Role::Button, "补录一条不良信息")
        .click();
    h.run();
    let date = h.get_by_role_and_label(Role::TextInput, "日期");
    date.focus();
    date.type_text("2025-06-06");
    h.run();
    h.get_by_label_contains("我已对照报告原件核对各章").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "人工核对确认")
        .click();
    h.run();
    h.get_by_label_contains("对照原件人工核对确认（依据 T-4）");
    h.get_by_label_contains("2025-06-06");
    assert!(h.query_by_label("人工核对确认（依据 T-4）").is_none());
}

#[test]
fn a_report_is_imported_from_the_path_typed_into_its_box() {
    let (desk, _) = desk_on(2026, 5, 6);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("报告.pdf");
    std::fs::write(&f, fx::clean_org_report()).unwrap();
    let mut h = harness(desk);
    open_subject(&mut h);
    // Nothing typed: nothing to import.
    assert!({
        use egui_kittest::kittest::NodeT;
        h.get_by_role_and_label(Role::Button, "导入信用报告")
            .accesskit_node()
            .is_disabled()
    });
    let input = h.get_by_role_and_label(Role::TextInput, "报告文件");
    input.focus();
    input.type_text(f.to_str().unwrap());
    h.run();
    h.get_by_role_and_label(Role::Button, "导入信用报告")
        .click();
    h.step();
    crate::support::counter::wait_for(&mut h, "信用报告（1）");
}
