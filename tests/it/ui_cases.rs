//! The 信易电业务 tab of a subject page, headless: accept an application on a commitment,
//! record the connection (deadline one year later), then the proof is asked for (rule C-2).

use chrono::NaiveDate;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::support::counter::{company_desk, harness, open_tab};
use xinyidian::desk::Desk;
use xinyidian::domain::case::CaseStatus;
use xinyidian::domain::letter::Relation;
use xinyidian::domain::subject::SubjectId;
use xinyidian::domain::trust::Business;

/// The company with an issued, unsigned letter for a new connection.
fn desk() -> (Desk, SubjectId) {
    let (mut d, id) = company_desk();
    let mut f = d.letter_fields_for(id).unwrap();
    f.relation = Some(Relation::Tenant);
    d.issue_letter(id, Business::NewConnection, &f).unwrap();
    (d, id)
}

#[test]
fn a_clerk_accepts_connects_and_the_proof_is_due_a_year_later() {
    let (d, id) = desk();
    let mut h = harness(d);
    open_tab(&mut h, "信易电业务");
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
