//! A counter window on a fresh in-memory desk, for the headless UI tests.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use xinyidian::desk::{Desk, FixedClock};
use xinyidian::domain::operator::OperatorDraft;
use xinyidian::domain::subject::{AccountDraft, SubjectDraft, SubjectId, SubjectKind};
use xinyidian::ui::CounterApp;
use xinyidian_core::store::Store;

pub const USCC: &str = "91440300708461136T";
pub const ACCOUNT: &str = "0300123456";
pub const PW: &str = "counter-2026";

/// A desk on 2026-11-28 09:00 with the admin A1 signed in, and one company (with its legal
/// representative) that has one account in the steel park.
pub fn company_desk() -> (Desk, SubjectId) {
    company_desk_on(Store::open_in_memory().unwrap())
}

/// A desk on `store` with `clock`, its administrator A1 set up and signed in.
pub fn admin_desk(store: Store, clock: FixedClock) -> Desk {
    let mut d = Desk::new(store, Box::new(clock));
    d.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员甲".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    d.set_accepting_unit(&xinyidian_core::dev::test_unit())
        .unwrap();
    d
}

/// [`company_desk`] on a given store (a file, where a test needs one).
pub fn company_desk_on(store: Store) -> (Desk, SubjectId) {
    let at = NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let mut d = admin_desk(store, FixedClock::At(at));
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

/// The window on `desk`, at 1366×900 with the bundled font.
pub fn harness(desk: Desk) -> Harness<'static, CounterApp> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 900.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(desk));
    h.run();
    h
}

/// Search the company by its code and open one tab of its page.
pub fn open_tab(h: &mut Harness<'static, CounterApp>, tab: &str) {
    let input = h.get_by_role_and_label(Role::TextInput, "查询");
    input.focus();
    input.type_text(USCC);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label(tab).click();
    h.run();
}

/// Step the window until a widget whose label contains `text` shows (a worker thread reads a
/// file meanwhile), then let it settle.
pub fn wait_for(h: &mut Harness<'static, CounterApp>, text: &str) {
    let until = Instant::now() + Duration::from_secs(20);
    while h.query_all_by_label_contains(text).next().is_none() {
        assert!(Instant::now() < until, "“{text}” never showed");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.run_ok();
}

/// Replace the whole text of the text box labelled `label` (select all, then type).
pub fn replace_text(h: &mut Harness<'static, CounterApp>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    h.run();
}
