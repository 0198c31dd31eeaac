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

/// 打印 with direct printing on (issue 15, point 7): the PDF is kept in the letters folder, the
/// printer command gets that file and the named printer, the status line says so and offers to
/// open it, and the print is audited. Ctrl+P prints the same way.
#[cfg(unix)]
#[test]
fn print_keeps_the_pdf_sends_it_to_the_printer_and_is_audited() {
    use std::os::unix::fs::PermissionsExt;
    use xinyidian::desk::PrintSettings;
    use xinyidian_core::store::AuditFilter;

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("printed.txt");
    let script = dir.path().join("fake-lp");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\necho 'request id is FAKE-1 (1 file(s))'\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    xinyidian::print::use_lp_command(&script);

    let (mut d, _) = company_desk();
    let code = crate::support::counter::USCC;
    d.set_print_settings(&PrintSettings {
        direct: true,
        printer: "柜台打印机".into(),
    })
    .unwrap();
    let mut h = harness(d);
    let input = h.get_by_role_and_label(Role::TextInput, "查询");
    input.focus();
    input.type_text(code);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    h.get_by_label("承诺书").click();
    h.run();
    h.get_by_label("租户").click();
    h.run();
    h.get_by_label("出具承诺书").click();
    h.run();
    h.run();
    h.get_by_label("打印").click();
    h.run();
    h.run();

    let printed = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines[..3], ["-d", "柜台打印机", "--"], "{printed}");
    let pdf = std::path::PathBuf::from(lines[3]);
    assert!(pdf.ends_with(std::path::Path::new("信易电承诺书").join(pdf.file_name().unwrap())));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"), "kept");
    assert!(
        h.query_by_label_contains("已送打印机（request id is FAKE-1")
            .is_some(),
        "the status line says it went out"
    );
    h.get_by_label("打开所在文件夹");

    // Ctrl+P prints again.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    h.run();
    h.run();
    let printed = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        printed.lines().filter(|l| *l == "--").count(),
        2,
        "{printed}"
    );

    let audit = h
        .state()
        .desk()
        .audit_log(&AuditFilter::default(), 20)
        .unwrap();
    let rows: Vec<&str> = audit
        .iter()
        .map(|e| e.content.summary.as_str())
        .filter(|s| s.starts_with("打印承诺书"))
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].contains("已送打印机 柜台打印机"), "{rows:?}");
}
