//! The window's power-supply record pages, headless through egui_kittest: the 用电记录 tab of a
//! subject page, the record form, the import page and the 数额较大 setting.

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::support::counter::{
    ACCOUNT, USCC, company_desk as desk, company_desk_on as desk_on, harness, open_tab, wait_for,
};
use xinyidian::domain::record_draft::RecordDraft;
use xinyidian::domain::records::{RecordKind, TheftStatus};
use xinyidian::ui::CounterApp;
use xinyidian_core::store::Store;

fn type_into(h: &mut Harness<'static, CounterApp>, label: &str, text: &str) {
    let input = h.get_by_role_and_label(Role::TextInput, label);
    input.focus();
    input.type_text(text);
    h.run();
}

fn clear(h: &mut Harness<'static, CounterApp>, label: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.run();
    for _ in 0..12 {
        h.key_press(egui::Key::Backspace);
        h.run();
    }
}

#[test]
fn the_records_tab_highlights_dishonesty_records_with_their_rule() {
    let (mut d, id) = desk();
    d.enter_record(
        id,
        &RecordDraft {
            account_no: ACCOUNT.into(),
            date: "2026-06-01".into(),
            amount: "3000".into(),
            second_amount: "9000".into(),
            status: TheftStatus::Pending,
            ..RecordDraft::new(RecordKind::Theft)
        },
    )
    .unwrap();
    // Reminded more than six months ago, 23,000 元, unpaid: rule D-1.
    d.enter_record(
        id,
        &RecordDraft {
            account_no: ACCOUNT.into(),
            period_start: "2025-01-01".into(),
            period_end: "2025-03-31".into(),
            amount: "23000".into(),
            reminded_on: "2026-01-10".into(),
            ..RecordDraft::new(RecordKind::Arrears)
        },
    )
    .unwrap();
    d.enter_record(
        id,
        &RecordDraft {
            account_no: ACCOUNT.into(),
            period_start: "2026-01-01".into(),
            period_end: "2026-01-31".into(),
            amount: "6400".into(),
            date: "2026-02-05".into(),
            ..RecordDraft::new(RecordKind::Payment)
        },
    )
    .unwrap();
    let mut h = harness(d);
    open_tab(&mut h, "用电记录");
    h.get_by_label("用电记录（3 条，其中失信记录 2 条）");
    h.get_by_label("失信记录 · D-2");
    h.get_by_label("失信记录 · D-1");
    // The explanation names the threshold in force, and the header repeats it.
    h.get_by_label_contains("数额较大标准：10,000.00 元");
    h.get_by_label_contains("欠费“数额较大”标准：10,000.00 元");
    h.get_by_label_contains("依据 D-2");
    // The payment is listed but not flagged.
    assert_eq!(h.query_all_by_label_contains("6,400.00 元").count(), 2);
    assert!(h.query_by_label("失信记录 · D-3").is_none());
}

#[test]
fn a_bad_amount_shows_inline_and_nothing_is_written() {
    let (d, _) = desk();
    let mut h = harness(d);
    open_tab(&mut h, "用电记录");
    h.get_by_label("尚无用电记录");
    h.get_by_role_and_label(Role::Button, "录入用电记录")
        .click();
    h.run();
    type_into(&mut h, "计量开始日", "2026-01-01");
    type_into(&mut h, "计量截止日", "2026-01-31");
    type_into(&mut h, "缴费金额", "-6400");
    type_into(&mut h, "缴纳日期", "2026-02-05");
    h.get_by_label_contains("金额不能为负数");
    // Below the fold of the 1366×900 window (each field keeps a line for its message):
    // clicked as a screen reader would.
    h.get_by_role_and_label(Role::Button, "保存记录（Enter）")
        .click_accesskit();
    h.run();
    assert_eq!(h.state().desk().count_records().unwrap(), 0);
    h.get_by_label_contains("金额不能为负数");
    h.get_by_label("有栏目需要修改，请看标红的提示");
}

#[test]
fn a_record_entered_in_the_form_appears_and_a_reminder_is_recorded() {
    let (d, id) = desk();
    let mut h = harness(d);
    open_tab(&mut h, "用电记录");
    h.get_by_role_and_label(Role::Button, "录入用电记录")
        .click();
    h.run();
    h.get_by_label("拖欠公用事业费用信息").click();
    h.run();
    type_into(&mut h, "欠缴统计开始日", "2025-01-01");
    type_into(&mut h, "欠缴统计截止日", "2025-03-31");
    type_into(&mut h, "欠费金额", "23,000");
    // Below the fold of the 1366×900 window (each field keeps a line for its message):
    // clicked as a screen reader would.
    h.get_by_role_and_label(Role::Button, "保存记录（Enter）")
        .click_accesskit();
    h.run();
    h.get_by_label("已录入用电记录");
    h.get_by_label_contains("尚未催告");
    h.get_by_role_and_label(Role::Button, "登记催告").click();
    h.run();
    // The form starts at today's date.
    h.get_by_role_and_label(Role::TextInput, "催告日期");
    h.get_by_role_and_label(Role::Button, "登记催告").click();
    h.run();
    h.get_by_label("已登记催告");
    let views = h.state().desk().records_of(id).unwrap();
    let xinyidian::domain::records::Record::Arrears(a) = &views[0].record else {
        panic!("{:?}", views[0].record)
    };
    assert_eq!(a.reminded_on, NaiveDate::from_ymd_opt(2026, 11, 28));
}

#[test]
fn the_import_page_previews_a_csv_then_imports_it() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("缴费.csv");
    let row = |month: u32, amount: &str| {
        format!(
            "湛江市霞山区海港贸易有限公司,{USCC},电费,2026-{month:02}-01,2026-{month:02}-28,{amount},2026-{:02}-05,柜台\n",
            month + 1
        )
    };
    let text = format!(
        "机构名称,统一社会信用代码,缴费类型名称,计量开始日,计量截止日,缴费金额,缴纳日期,备注\n{}{}{}",
        row(1, "6400"),
        row(2, "-5"),
        row(3, "\"1,234.50\"")
    );
    std::fs::write(&f, text).unwrap();

    let (d, id) = desk();
    let mut h = harness(d);
    h.get_by_role_and_label(Role::Button, "导入").click();
    h.run();
    type_into(&mut h, "文件", &f.display().to_string());
    h.get_by_role_and_label(Role::Button, "预览").click();
    wait_for(&mut h, "行合格");
    h.get_by_label("前 3 行：2 行合格，1 行有问题");
    h.get_by_label("备注（忽略）");
    h.get_by_label("缴费金额");
    h.get_by_label_contains("按表头自动识别");
    h.get_by_label_contains("金额不能为负数");
    h.get_by_label_contains("1,234.50 元");

    // All or nothing: the bad row stops the import and is listed with its column and value.
    h.get_by_role_and_label(Role::Button, "开始导入").click();
    h.run();
    h.get_by_label_contains("未写入任何记录：有 1 行有问题");
    h.get_by_label("-5");
    assert_eq!(h.state().desk().count_records().unwrap(), 0);

    // Skipping the bad row writes the others and sets the bad one aside.
    h.get_by_role_and_label(
        Role::CheckBox,
        "跳过有问题的行：其余行照常导入，有问题的行另存为 CSV（默认：有一行有问题就全部不导入）",
    )
    .click();
    h.run();
    h.get_by_role_and_label(Role::Button, "开始导入").click();
    h.run();
    h.get_by_label("已写入数据库");
    h.get_by_label_contains("有问题的行已另存为");
    assert_eq!(h.state().desk().records_of(id).unwrap().len(), 2);
    // Written once: the button waits for a new preview, whose options start afresh (issue 15).
    h.run();
    assert!(
        h.get_by_role_and_label(Role::Button, "开始导入")
            .accesskit_node()
            .is_disabled()
    );
    h.get_by_label_contains("该文件已导入");
    assert!(dir.path().join("缴费-未导入.csv").exists());
}

#[test]
fn on_a_database_file_the_import_runs_off_the_window_thread() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("欠费.csv");
    std::fs::write(
        &f,
        format!(
            "机构名称,统一社会信用代码,欠缴类型名称,欠缴统计开始日,欠缴统计截止日,欠费金额,催告日期\n\
             湛江市霞山区海港贸易有限公司,{USCC},电费,2025-01-01,2025-03-31,23000,2026-01-10\n"
        ),
    )
    .unwrap();
    let (d, id) = desk_on(Store::open(&dir.path().join("x.sqlite3")).unwrap());
    let mut h = harness(d);
    h.get_by_role_and_label(Role::Button, "导入").click();
    h.run();
    type_into(&mut h, "文件", &f.display().to_string());
    h.key_press(egui::Key::Enter);
    wait_for(&mut h, "行合格");
    h.get_by_role_and_label(Role::Button, "开始导入").click();
    wait_for(&mut h, "已写入数据库");
    let views = h.state().desk().records_of(id).unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].source, "import:欠费.csv");
    // The window's own desk sees the worker's import, judged by rule D-1.
    assert!(matches!(
        views[0].outcome,
        xinyidian::domain::dishonesty::Outcome::Dishonest(_)
    ));
}

#[test]
fn the_settings_page_shows_and_changes_the_large_arrears_threshold() {
    let (d, _) = desk();
    let mut h = harness(d);
    h.get_by_role_and_label(Role::Button, "设置").click();
    h.run();
    h.get_by_label_contains("欠费“数额较大”标准（规则 D-1）：10,000.00 元");
    clear(&mut h, "数额较大标准（元）");
    type_into(&mut h, "数额较大标准（元）", "abc");
    h.get_by_role_and_label(Role::Button, "保存标准").click();
    h.run();
    h.get_by_label("数额较大标准请填写整数元，如 10000");
    assert_eq!(
        h.state()
            .desk()
            .dishonesty_params()
            .unwrap()
            .large_arrears_threshold
            .0,
        1_000_000
    );
    clear(&mut h, "数额较大标准（元）");
    type_into(&mut h, "数额较大标准（元）", "30,000");
    h.get_by_role_and_label(Role::Button, "保存标准").click();
    h.run();
    h.get_by_label("已保存数额较大标准");
    h.get_by_label_contains("欠费“数额较大”标准（规则 D-1）：30,000.00 元");
    assert_eq!(
        h.state()
            .desk()
            .dishonesty_params()
            .unwrap()
            .large_arrears_threshold
            .0,
        3_000_000
    );
}
