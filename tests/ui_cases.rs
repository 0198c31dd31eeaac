//! The 信易电业务 tab of a subject page, headless: accept an application on a commitment,
//! record the connection (deadline one year later), then the proof is asked for (rule C-2).

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use xinyidian::desk::{Desk, FixedClock};
use xinyidian::domain::case::CaseStatus;
use xinyidian::domain::letter::Relation;
use xinyidian::domain::operator::OperatorDraft;
use xinyidian::domain::subject::{AccountDraft, SubjectDraft, SubjectId, SubjectKind};
use xinyidian::domain::trust::Business;
use xinyidian::store::Store;
use xinyidian::ui::CounterApp;

const USCC: &str = "91440300708461136T";
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
            account_no: "0300123456".into(),
            usage_address: "湛江经济技术开发区钢铁产业园区一路 8 号".into(),
            supply_start: String::new(),
        },
    )
    .unwrap();
    let mut f = d.letter_fields_for(id).unwrap();
    f.relation = Some(Relation::Tenant);
    d.issue_letter(id, Business::NewConnection, &f, None)
        .unwrap();
    (d, id)
}

#[test]
fn a_clerk_accepts_connects_and_the_proof_is_due_a_year_later() {
    let (d, id) = desk();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1366.0, 900.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut CounterApp| app.ui(ui), CounterApp::new(d));
    h.run();
    let input = h.get_by_role_and_label(Role::TextInput, "查询");
    input.focus();
    input.type_text(USCC);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label("信易电业务").click();
    h.run();
    h.get_by_label("受理").click();
    h.run();
    h.run();
    let cases = h.state().desk().cases_of(id).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].status, CaseStatus::Accepted);

    // A connection date in the future is refused with a message; nothing changes.
    let date = h.get_by_role_and_label(Role::TextInput, "接火送电日期");
    date.focus();
    for _ in 0..12 {
        h.key_press(egui::Key::Backspace);
    }
    h.get_by_role_and_label(Role::TextInput, "接火送电日期")
        .type_text("2026-12-01");
    h.run();
    h.get_by_label("登记接电").click();
    h.run();
    assert_eq!(
        h.state().desk().cases_of(id).unwrap()[0].status,
        CaseStatus::Accepted
    );
    for _ in 0..12 {
        h.get_by_role_and_label(Role::TextInput, "接火送电日期")
            .focus();
        h.key_press(egui::Key::Backspace);
    }
    h.get_by_role_and_label(Role::TextInput, "接火送电日期")
        .type_text("2026-11-28");
    h.run();
    h.get_by_label("登记接电").click();
    h.run();
    h.run();
    let c = &h.state().desk().cases_of(id).unwrap()[0];
    assert_eq!(c.status, CaseStatus::Connected);
    assert_eq!(c.deadline, NaiveDate::from_ymd_opt(2027, 11, 28));
    h.get_by_label("物业权属证明（PDF/JPG/PNG）");
}
