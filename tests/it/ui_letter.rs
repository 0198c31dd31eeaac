//! The window's 承诺书 tab for a 自然人: the person form, headless through egui_kittest (rule
//! C-1, issue 14 point 4).

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use crate::support::counter::{company_desk, harness};
use xinyidian::domain::letter::LetterForm;
use xinyidian::domain::subject::{SubjectDraft, SubjectKind};

/// A valid resident ID (GB 11643 check character X).
const PERSON_ID: &str = "11010519491231002X";

#[test]
fn the_letter_tab_of_a_person_shows_the_person_form_and_issues_it() {
    let (mut d, _) = company_desk();
    let id = d
        .create_subject(&SubjectDraft {
            kind: SubjectKind::NaturalPerson,
            name: "陈𨋢明".into(),
            code: PERSON_ID.into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    let mut h = harness(d);
    let input = h.get_by_role_and_label(Role::TextInput, "查询");
    input.focus();
    input.type_text(PERSON_ID);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label("承诺书").click();
    h.run();

    // The person's fields, prefilled; none of the unit form's.
    h.get_by_role_and_label(Role::TextInput, "申请人姓名");
    h.get_by_role_and_label(Role::TextInput, "证件号码");
    assert!(
        h.query_by_role_and_label(Role::TextInput, "法定代表人姓名")
            .is_none()
    );
    assert!(
        h.query_by_role_and_label(Role::TextInput, "统一社会信用代码")
            .is_none()
    );

    h.get_by_label("出具承诺书").click();
    h.run();
    h.get_by_label("请选择申请人与用电地址对应建筑物的关系：业主或租户");
    assert!(h.state().desk().commitments_of(id).unwrap().is_empty());
    h.get_by_label("业主").click();
    h.run();
    h.get_by_label("出具承诺书").click();
    h.run();
    h.run();
    let list = h.state().desk().commitments_of(id).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].letter.form, LetterForm::Person);
    assert_eq!(list[0].committer_name, "陈𨋢明");
    h.get_by_label(&format!("承诺编码 {}", list[0].code));
}
