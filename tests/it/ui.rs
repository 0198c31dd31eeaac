//! The counter window, headless through egui_kittest: widgets are found by role and label as a
//! screen reader would, and driven with clicks and typed text.

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use xinyidian::desk::{Desk, FixedClock, ManualClock};
use xinyidian::domain::operator::{OperatorDraft, Role as OpRole};
use xinyidian::domain::subject::{AccountDraft, SubjectDraft, SubjectKind};
use xinyidian::ui::CounterApp;
use xinyidian_core::store::Store;

const USCC: &str = "91440300708461136T";

const PW: &str = "counter-2026";

fn nine_am() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

fn admin() -> OperatorDraft {
    OperatorDraft {
        staff_no: "A1".into(),
        name: "管理员甲".into(),
        hall: "霞山营业厅".into(),
        window: "1 号窗口".into(),
        ..OperatorDraft::default()
    }
}

/// A desk with the admin A1 signed in.
fn desk() -> Desk {
    let mut d = Desk::new(
        Store::open_in_memory().unwrap(),
        Box::new(FixedClock::At(nine_am())),
    );
    d.setup_admin(&admin(), PW).unwrap();
    d
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
    // The account is listed with its address and again with its pilot park (rule T-5).
    assert!(h.query_all_by_label("0300123456").count() >= 1);
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
    register_by_enter(&mut h);
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

fn type_into(h: &mut Harness<'static, CounterApp>, label: &str, text: &str) {
    let field = h
        .query_by_role_and_label(Role::TextInput, label)
        .unwrap_or_else(|| h.get_by_role_and_label(Role::PasswordInput, label));
    field.focus();
    field.type_text(text);
    h.run();
}

#[test]
fn first_start_asks_for_the_admin_then_opens_the_counter() {
    let d = Desk::new(
        Store::open_in_memory().unwrap(),
        Box::new(FixedClock::At(nine_am())),
    );
    let mut h = harness(d);
    h.get_by_label("首次使用：请创建管理员账号");
    type_into(&mut h, "工号", "A1");
    type_into(&mut h, "姓名", "管理员甲");
    type_into(&mut h, "密码", "short");
    type_into(&mut h, "确认密码", "short");
    h.get_by_role_and_label(Role::Button, "创建管理员并登录")
        .click();
    h.run();
    h.get_by_label_contains("至少 8 个字符");
    assert!(h.state().desk().operator().is_none());
    type_into(&mut h, "密码", "-and-longer");
    type_into(&mut h, "确认密码", "-and-longer");
    h.get_by_role_and_label(Role::Button, "创建管理员并登录")
        .click();
    h.run();
    assert_eq!(h.state().desk().operator().unwrap().role, OpRole::Admin);
    h.get_by_role_and_label(Role::Button, "退出登录");
}

#[test]
fn sign_in_refuses_a_wrong_password_then_accepts_the_right_one() {
    let mut d = desk();
    d.add_operator(
        &OperatorDraft {
            staff_no: "C1".into(),
            name: "柜员丙".into(),
            role: OpRole::Clerk,
            hall: "霞山营业厅".into(),
            window: "3 号窗口".into(),
        },
        PW,
    )
    .unwrap();
    d.sign_out().unwrap();
    let mut h = harness(d);
    h.get_by_label("请登录");
    type_into(&mut h, "工号", "C1");
    type_into(&mut h, "密码", "wrong-password");
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label_contains("工号或密码不正确");
    // The cursor is back in the password box, to type it again at once.
    assert!(
        h.get_by_role_and_label(Role::PasswordInput, "密码")
            .is_focused()
    );
    type_into(&mut h, "密码", PW);
    h.get_by_role_and_label(Role::Button, "登录").click();
    h.run();
    h.get_by_label("柜员 柜员丙（霞山营业厅 3 号窗口）");
    // A clerk sees no audit page.
    assert!(h.query_by_role_and_label(Role::Button, "日志").is_none());
}

#[test]
fn idle_lock_keeps_unsaved_input_and_unlocks_with_the_password() {
    let clock = ManualClock::new(nine_am());
    let mut d = Desk::new(Store::open_in_memory().unwrap(), Box::new(clock.clone()));
    d.setup_admin(&admin(), PW).unwrap();
    let mut h = harness(d);
    h.get_by_role_and_label(Role::Button, "新建主体").click();
    h.run();
    type_into(&mut h, "名称", "湛江市赤坎区金沙饲料有限公司");
    clock.advance(chrono::Duration::minutes(11));
    h.run();
    h.get_by_label("窗口已锁定");
    assert!(h.query_by_role_and_label(Role::TextInput, "名称").is_none());
    type_into(&mut h, "密码", "wrong-password");
    h.get_by_role_and_label(Role::Button, "解锁").click();
    h.run();
    h.get_by_label_contains("工号或密码不正确");
    type_into(&mut h, "密码", PW);
    h.get_by_role_and_label(Role::Button, "解锁").click();
    h.run();
    let name = h.get_by_role_and_label(Role::TextInput, "名称");
    assert_eq!(
        name.value().as_deref(),
        Some("湛江市赤坎区金沙饲料有限公司")
    );
}

#[test]
fn supervisor_accepts_a_code_failing_only_its_check_character() {
    let mut h = harness(desk());
    h.get_by_role_and_label(Role::Button, "新建主体").click();
    h.run();
    type_into(&mut h, "名称", "福建早期试点企业");
    type_into(&mut h, "统一社会信用代码", "91440300708461136A");
    h.get_by_role_and_label(
        Role::CheckBox,
        "该代码为合法签发的早期代码，校验位不符，由班长认可（依据 ID-1）",
    )
    .click();
    h.run();
    type_into(&mut h, "认可原因", "已核对营业执照原件");
    h.get_by_role_and_label(Role::Button, "保存（Enter）")
        .click();
    h.run();
    assert_eq!(h.state().desk().count_subjects().unwrap(), 1);
    h.get_by_role_and_label(Role::Button, "编辑主体信息");
}

/// Another window's long import: a second connection inside one write transaction, until
/// [`OtherWindowsImport::commit`].
struct OtherWindowsImport {
    release: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl OtherWindowsImport {
    fn start(path: &std::path::Path) -> Self {
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let path = path.to_path_buf();
        let thread = std::thread::spawn(move || {
            let mut other = Store::open(&path).unwrap();
            other
                .write(|_| {
                    held_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    Ok::<_, xinyidian_core::store::StoreError>(())
                })
                .unwrap();
        });
        held_rx.recv().unwrap();
        Self { release, thread }
    }

    fn commit(self) {
        self.release.send(()).unwrap();
        self.thread.join().unwrap();
    }
}

/// The window on a database file, with the admin signed in.
fn file_harness(path: &std::path::Path) -> Harness<'static, CounterApp> {
    let mut d = Desk::new(
        Store::open(path).unwrap(),
        Box::new(FixedClock::At(nine_am())),
    );
    d.setup_admin(&admin(), PW).unwrap();
    harness(d)
}

/// Fill 新建主体 with a company and press Enter.
fn register_by_enter(h: &mut Harness<'static, CounterApp>) {
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
}

/// Issue 14, point 9: a save made while another window's long import holds the database neither
/// freezes the window nor fails. The window keeps drawing, says beside the form that it waits,
/// keeps what was typed, and saves once the import commits.
#[test]
fn a_save_during_another_windows_import_waits_with_a_message_then_goes_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counter.sqlite3");
    let mut h = file_harness(&path);

    let import = OtherWindowsImport::start(&path);
    register_by_enter(&mut h);
    h.get_by_label_contains("数据库正被其他窗口的导入占用");
    assert_eq!(h.state().desk().count_subjects().unwrap(), 0);
    // Later frames keep waiting (the window is drawn; nothing is written yet).
    std::thread::sleep(xinyidian::ui::saving::RETRY_EVERY);
    h.run();
    h.get_by_label_contains("数据库正被其他窗口的导入占用");
    assert_eq!(h.state().desk().count_subjects().unwrap(), 0);

    import.commit();
    std::thread::sleep(xinyidian::ui::saving::RETRY_EVERY);
    h.run();
    assert_eq!(h.state().desk().count_subjects().unwrap(), 1);
    h.get_by_label_contains("已登记");
    assert!(
        h.query_by_label_contains("数据库正被其他窗口的导入占用")
            .is_none()
    );
}

/// A waiting save can be given up: 取消保存 drops it, and nothing is saved after the import.
#[test]
fn a_waiting_save_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counter.sqlite3");
    let mut h = file_harness(&path);
    let import = OtherWindowsImport::start(&path);
    register_by_enter(&mut h);
    h.get_by_role_and_label(Role::Button, "取消保存").click();
    h.run();
    import.commit();
    std::thread::sleep(xinyidian::ui::saving::RETRY_EVERY);
    h.run();
    assert_eq!(h.state().desk().count_subjects().unwrap(), 0);
    assert!(
        h.query_by_label_contains("数据库正被其他窗口的导入占用")
            .is_none()
    );
    // The form and what was typed are still there.
    h.get_by_role_and_label(Role::TextInput, "名称");
}

/// Started with `--date`, the window says which business date it works on (issue 15); on the
/// real calendar it shows plain 今天.
#[test]
fn a_business_date_set_with_date_is_shown_on_the_status_line() {
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let desk = crate::support::counter::admin_desk(
        Store::open_in_memory().unwrap(),
        FixedClock::Date(day),
    );
    let h = crate::support::counter::harness(desk);
    h.get_by_label("业务日期 2026-03-01（启动时用 --date 指定，不是今天的日期）");
    let (desk, _) = crate::support::counter::company_desk();
    let h = crate::support::counter::harness(desk);
    h.get_by_label("今天 2026-11-28");
}

#[test]
fn ctrl_n_opens_new_subject_with_the_code_that_was_not_found() {
    let mut h = harness(seeded_desk());
    let unknown = "91440800617123456X";
    search(&mut h, unknown);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    let code = h.get_by_role_and_label(Role::TextInput, "统一社会信用代码");
    assert_eq!(code.value().as_deref(), Some(unknown));
}

#[test]
fn f1_opens_the_help_of_the_page_and_esc_closes_it() {
    use egui_kittest::kittest::Queryable;
    let (d, _) = crate::support::counter::company_desk();
    let mut h = crate::support::counter::harness(d);
    h.key_press(egui::Key::F1);
    h.run();
    h.get_by_label_contains("Ctrl+N 新建主体");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label_contains("Ctrl+N 新建主体").is_none());
    h.get_by_label("设置").click();
    h.run();
    h.key_press(egui::Key::F1);
    h.run();
    h.get_by_label_contains("失信信息等级与修复时限");
}

#[test]
fn settings_warn_until_the_accepting_units_uscc_is_set() {
    use egui_kittest::kittest::Queryable;
    let unit = |uscc: String| xinyidian::domain::commitment::AcceptingUnit {
        name: "广东电网有限责任公司湛江供电局".into(),
        uscc,
    };
    let body = "91440800190364217";
    let full = format!(
        "{body}{}",
        xinyidian::domain::id_codes::uscc_check_char(body).unwrap()
    );
    for (uscc, warned) in [(String::new(), true), (full, false)] {
        let (mut d, _) = crate::support::counter::company_desk();
        d.set_accepting_unit(&unit(uscc)).unwrap();
        let mut h = crate::support::counter::harness(d);
        h.get_by_label("设置").click();
        h.run();
        assert_eq!(
            h.query_by_label_contains("尚未填写承诺受理单位").is_some(),
            warned
        );
    }
}

#[test]
fn esc_on_a_filled_new_subject_form_asks_first() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable;
    let (d, _) = crate::support::counter::company_desk();
    let mut h = crate::support::counter::harness(d);
    h.get_by_role_and_label(Role::Button, "新建主体").click();
    h.run();
    // Untouched: Esc leaves at once.
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_role_and_label(Role::TextInput, "名称").is_none());
    assert!(h.query_by_label_contains("尚未保存").is_none());
    h.get_by_role_and_label(Role::Button, "新建主体").click();
    h.run();
    let name = h.get_by_role_and_label(Role::TextInput, "名称");
    name.focus();
    name.type_text("湛江市赤坎区南海水产有限公司");
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    h.get_by_label_contains("已填写的内容尚未保存");
    h.get_by_role_and_label(Role::Button, "继续填写").click();
    h.run();
    assert!(h.query_by_label_contains("尚未保存").is_none());
    // Still there, as typed; two Esc discard it.
    h.key_press(egui::Key::Escape);
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label_contains("尚未保存").is_none());
    assert!(h.query_by_role_and_label(Role::TextInput, "名称").is_none());
}

#[test]
fn enter_in_the_last_box_adds_an_operator() {
    let mut h = harness(desk());
    h.get_by_role_and_label(Role::Button, "设置").click();
    h.run();
    let fields = [("工号", "C9"), ("初始密码", "counter-2026")];
    // 姓名 appears once (no operator is being edited).
    type_into(&mut h, "姓名", "柜员壬");
    for (label, text) in fields {
        type_into(&mut h, label, text);
    }
    h.key_press(egui::Key::Enter);
    h.run();
    let ops = h.state().desk().operators().unwrap();
    assert!(
        ops.iter().any(|o| o.staff_no == "C9" && o.name == "柜员壬"),
        "{ops:?}"
    );
}

#[test]
fn a_search_for_a_mistyped_code_names_the_wrong_character() {
    let mut h = harness(desk());
    // 91440300708461136T with its check character changed.
    type_into(&mut h, "查询", "91440300708461136A");
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label_contains("没有找到“91440300708461136A”：");
    h.get_by_label_contains("校验");
}
