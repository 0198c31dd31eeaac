//! The commitment letter through the desk (rules C-1..C-5): issue, reprint, unique gap-free codes
//! under concurrent writers, bad input refused with nothing written.

use chrono::{NaiveDate, NaiveDateTime};
use xinyidian_core::desk::{Desk, DeskError, FixedClock};
use xinyidian_core::domain::commitment::{
    CommitmentType, Publicity, committer_kind_label, content_text_for,
};
use xinyidian_core::domain::id_codes::{IdDocKind, uscc_check_char};
use xinyidian_core::domain::letter::{LetterField, LetterForm, Relation};
use xinyidian_core::domain::operator::OperatorDraft;
use xinyidian_core::domain::subject::{SubjectDraft, SubjectId, SubjectKind};
use xinyidian_core::domain::trust::{Business, Rule, RuleOutcome};
use xinyidian_core::store::Store;

const PW: &str = "counter-2026";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn uscc(n: u32) -> String {
    let body = format!("91440800{n:09}");
    format!("{body}{}", uscc_check_char(&body).unwrap())
}

fn clock() -> Box<FixedClock> {
    Box::new(FixedClock::At(NaiveDateTime::new(
        today(),
        chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
    )))
}

fn setup(store: Store) -> Desk {
    let mut desk = Desk::new(store, clock());
    desk.setup_admin(
        &OperatorDraft {
            staff_no: "A1".into(),
            name: "管理员甲".into(),
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    desk.set_accepting_unit(&xinyidian_core::dev::test_unit())
        .unwrap();
    desk
}

fn company(desk: &mut Desk, n: u32, rep_id: &str) -> SubjectId {
    desk.create_subject(&SubjectDraft {
        kind: SubjectKind::Organization,
        name: format!("湛江市第{n}贸易有限公司"),
        code: uscc(n),
        legal_rep_name: "陈海明".into(),
        legal_rep_id_number: rep_id.into(),
        ..SubjectDraft::default()
    })
    .unwrap()
}

const REP_ID: &str = "440803199001011234";

fn valid_rep_id() -> String {
    // A resident ID with a correct check character.
    let body = &REP_ID[..17];
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body}{check}")
}

xinyidian_core::on_both_engines! {
fn issue_fills_every_c3_field_and_a_reprint_reuses_the_code() {
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let id = company(&mut desk, 1, &valid_rep_id());
    let mut fields = desk.letter_fields_for(id).unwrap();
    assert_eq!(fields.legal_rep_name, "陈海明");
    assert_eq!(fields.uscc, uscc(1));
    fields.relation = Some(Relation::Tenant);
    let first = desk
        .issue_letter(id, Business::NewConnection, &fields)
        .unwrap();
    let c = &first.commitment;
    assert!(!first.reused);
    assert_eq!(c.code, "44080020261128000001");
    assert_eq!(c.commitment_type, CommitmentType::ProofSubstitute);
    assert_eq!(c.publicity, Publicity::Public);
    assert!(c.reason.contains("用电报装"));
    assert!(c.content.starts_with("一、"));
    assert!(c.fulfilment.is_none(), "履行状态 stays empty while running");
    assert_eq!(c.made_on, today());
    assert!(first.pdf.starts_with(b"%PDF"));

    let again = desk
        .issue_letter(id, Business::NewConnection, &fields)
        .unwrap();
    assert!(again.reused);
    assert_eq!(again.commitment.code, c.code);
    assert_eq!(again.pdf, first.pdf, "a reprint is the same document");
    assert_eq!(desk.letter_pdf(c.id).unwrap(), first.pdf);
    assert_eq!(desk.commitments_of(id).unwrap().len(), 1);

    // A different business is a different commitment with the next serial.
    let other = desk.issue_letter(id, Business::Transfer, &fields).unwrap();
    assert_eq!(other.commitment.code, "44080020261128000002");

    // The check sees the issued letter as pending its signature (rule T-1(a)).
    let v = desk.run_check(id, None, None).unwrap().verdict;
    let row = v.rule(Rule::T1a).unwrap();
    assert_eq!(row.outcome, RuleOutcome::Pending);
    assert!(row.evidence[0].contains("4408002026112800000"), "{row:?}");
}
}

xinyidian_core::on_both_engines! {
fn bad_letters_are_refused_and_nothing_is_written() {
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let id = company(&mut desk, 2, &valid_rep_id());
    let base = desk.letter_fields_for(id).unwrap();
    let audit_before = desk
        .audit_log(&xinyidian_core::store::AuditFilter::default(), 1000)
        .unwrap()
        .len();

    let mut missing_rep = base.clone();
    missing_rep.legal_rep_name = "  ".into();
    missing_rep.relation = Some(Relation::Owner);
    let e = desk
        .issue_letter(id, Business::NewConnection, &missing_rep)
        .unwrap_err();
    match &e {
        DeskError::InvalidLetter(errs) => {
            assert!(errs.iter().any(|x| x.field == LetterField::LegalRepName))
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("法定代表人姓名"), "{e}");

    let mut bad_id = base.clone();
    bad_id.relation = Some(Relation::Owner);
    let mut n = valid_rep_id();
    let last = if n.ends_with('0') { '1' } else { '0' };
    n.pop();
    n.push(last);
    bad_id.legal_rep_id_number = n;
    let e = desk
        .issue_letter(id, Business::NewConnection, &bad_id)
        .unwrap_err();
    assert!(e.to_string().contains("校验"), "{e}");

    let mut other_code = base.clone();
    other_code.relation = Some(Relation::Owner);
    other_code.uscc = uscc(99);
    let e = desk
        .issue_letter(id, Business::NewConnection, &other_code)
        .unwrap_err();
    assert!(e.to_string().contains("不一致"), "{e}");

    assert!(desk.commitments_of(id).unwrap().is_empty());
    let audit_after = desk
        .audit_log(&xinyidian_core::store::AuditFilter::default(), 1000)
        .unwrap()
        .len();
    assert_eq!(audit_before, audit_after);
}
}

fn person(desk: &mut Desk, name: &str) -> SubjectId {
    desk.create_subject(&SubjectDraft {
        kind: SubjectKind::NaturalPerson,
        name: name.into(),
        code: valid_rep_id(),
        ..SubjectDraft::default()
    })
    .unwrap()
}

xinyidian_core::on_both_engines! {
fn a_natural_person_gets_the_person_form_and_t1a_passes_once_signed() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let id = person(&mut desk, "陈海明");
    let mut f = desk.letter_fields_for(id).unwrap();
    assert_eq!(f.form, LetterForm::Person);
    assert_eq!(f.applicant_name, "陈海明");
    assert_eq!(f.person_id_kind, IdDocKind::ResidentId);
    assert_eq!(f.person_id_number, valid_rep_id());
    assert!(f.uscc.is_empty() && f.legal_rep_name.is_empty());

    // The relation is still the clerk's choice, named as the person form names it.
    let e = desk
        .issue_letter(id, Business::NewConnection, &f)
        .unwrap_err();
    match &e {
        DeskError::InvalidLetter(errs) => {
            assert_eq!(errs.len(), 1);
            assert_eq!(errs[0].field, LetterField::PersonRelation);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("申请人与用电地址"), "{e}");

    f.relation = Some(Relation::Owner);
    let issued = desk.issue_letter(id, Business::NewConnection, &f).unwrap();
    let c = &issued.commitment;
    assert!(!issued.reused);
    assert_eq!(c.code, "44080020261128000001");
    // The C-3 record of a person: 承诺人类别 自然人, 承诺人代码 the 证件号码, and the content
    // the person signed.
    assert_eq!(c.committer_kind, SubjectKind::NaturalPerson);
    assert_eq!(committer_kind_label(c.committer_kind), "自然人");
    assert_eq!(c.committer_name, "陈海明");
    assert_eq!(c.committer_code, valid_rep_id());
    assert_eq!(c.content, content_text_for(LetterForm::Person));
    assert!(c.content.contains("对我进行停电处理"));
    assert_eq!(c.letter.form, LetterForm::Person);
    assert!(issued.pdf.starts_with(b"%PDF"));
    // A reprint is the same document.
    assert_eq!(desk.letter_pdf(c.id).unwrap(), issued.pdf);
    let again = desk.issue_letter(id, Business::NewConnection, &f).unwrap();
    assert!(again.reused);
    assert_eq!(again.pdf, issued.pdf);

    // Before the signed scan: T-1(a) pending; after it: passed (rule T-1(a)).
    let v = desk.run_check(id, None, None).unwrap().verdict;
    assert_eq!(v.rule(Rule::T1a).unwrap().outcome, RuleOutcome::Pending);
    let scan = dir.path().join("已签.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n signed by hand").unwrap();
    desk.attach_signed_letter(c.id, &scan).unwrap();
    let out = desk.finalise_check(c.id).unwrap();
    let row = out.verdict.rule(Rule::T1a).unwrap();
    assert_eq!(row.outcome, RuleOutcome::Pass, "{row:?}");
    assert!(row.evidence[0].contains(&c.code), "{row:?}");
}
}

xinyidian_core::on_both_engines! {
fn a_person_letter_must_be_the_person_s_own_and_a_unit_cannot_use_it() {
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let p = person(&mut desk, "陈海明");
    let mut f = desk.letter_fields_for(p).unwrap();
    f.relation = Some(Relation::Tenant);

    // Another valid ID number: refused, both numbers masked in the message (ID-3).
    let mut other = f.clone();
    other.person_id_kind = IdDocKind::Passport;
    other.person_id_number = "E12345678".into();
    let e = desk
        .issue_letter(p, Business::NewConnection, &other)
        .unwrap_err();
    assert!(e.to_string().contains("不一致"), "{e}");
    assert!(!e.to_string().contains(&valid_rep_id()), "{e}");

    // The unit form for a person, and the person form for a company: refused.
    let mut unit_form = f.clone();
    unit_form.form = LetterForm::Unit;
    unit_form.uscc = uscc(7);
    unit_form.legal_rep_name = "陈海明".into();
    unit_form.legal_rep_id_number = valid_rep_id();
    let e = desk
        .issue_letter(p, Business::NewConnection, &unit_form)
        .unwrap_err();
    assert!(e.to_string().contains("自然人承诺书"), "{e}");
    let company_id = company(&mut desk, 7, &valid_rep_id());
    let mut person_form = f.clone();
    person_form.applicant_name = "湛江市第7贸易有限公司".into();
    let e = desk
        .issue_letter(company_id, Business::NewConnection, &person_form)
        .unwrap_err();
    assert!(e.to_string().contains("不能使用自然人承诺书"), "{e}");
    assert!(desk.commitments_of(p).unwrap().is_empty());
    assert!(desk.commitments_of(company_id).unwrap().is_empty());

    // A company's letter is still annex 2's unit form.
    let cf = desk.letter_fields_for(company_id).unwrap();
    assert_eq!(cf.form, LetterForm::Unit);
    assert_eq!(cf.legal_rep_name, "陈海明");
}
}

xinyidian_core::on_both_engines! {
fn an_extension_b_name_issues_and_an_emoji_name_is_refused_naming_it() {
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let id = person(&mut desk, "陈𨋢明");
    let mut f = desk.letter_fields_for(id).unwrap();
    f.relation = Some(Relation::Owner);
    let issued = desk.issue_letter(id, Business::NewConnection, &f).unwrap();
    let text = pdf_extract::extract_text_from_mem(&issued.pdf).unwrap();
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(text.contains("申请人姓名:陈𨋢明"), "{text}");

    let mut emoji = f.clone();
    emoji.applicant_name = "陈明😀".into();
    let before = desk.commitments_of(id).unwrap();
    let e = desk
        .issue_letter(id, Business::Transfer, &emoji)
        .unwrap_err();
    assert!(
        e.to_string().contains("😀") && e.to_string().contains("表情符号"),
        "{e}"
    );
    assert_eq!(desk.commitments_of(id).unwrap(), before, "nothing written");
}
}

xinyidian_core::on_both_engines! {
/// Four counters issuing at once on one store (one SQLite file, or one PostgreSQL database
/// shared by a hall) get unique, gap-free 承诺编码 (rule C-4), and the audit trail they write
/// together is one chain that verifies.
fn four_connections_issuing_at_once_get_unique_gap_free_codes() {
    let db = xinyidian_core::dev::engines::SharedDb::new();
    let mut desk = setup(db.open());
    let ids: Vec<SubjectId> = (0..40)
        .map(|n| company(&mut desk, 100 + n, &valid_rep_id()))
        .collect();
    drop(desk);
    let codes: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = ids
            .chunks(10)
            .map(|chunk| {
                let chunk = chunk.to_vec();
                let db = &db;
                s.spawn(move || {
                    let mut d = Desk::new(db.open(), clock());
                    d.sign_in("A1", PW).unwrap();
                    chunk
                        .into_iter()
                        .map(|id| {
                            let mut f = d.letter_fields_for(id).unwrap();
                            f.relation = Some(Relation::Owner);
                            d.issue_letter(id, Business::NewConnection, &f)
                                .unwrap()
                                .commitment
                                .code
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut codes = codes;
    codes.sort();
    let expected: Vec<String> = (1..=40).map(|n| format!("44080020261128{n:06}")).collect();
    assert_eq!(codes, expected);
    let mut d = Desk::new(db.open(), clock());
    d.sign_in("A1", PW).unwrap();
    let v = d.verify_audit().unwrap();
    assert!(v.intact(), "{v:?}");
    assert!(v.rows_checked > 40, "{v:?}");
}
}

xinyidian_core::on_both_engines! {
fn attaching_the_signed_scan_gives_the_letter_for_t1a() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let id = company(&mut desk, 3, &valid_rep_id());
    let mut f = desk.letter_fields_for(id).unwrap();
    f.relation = Some(Relation::Owner);
    let c = desk
        .issue_letter(id, Business::NewConnection, &f)
        .unwrap()
        .commitment;

    // Refused, nothing stored: a text file named .pdf, an empty file, a missing file, > 20 MB.
    let fake = dir.path().join("承诺书.pdf");
    std::fs::write(&fake, "这不是扫描件").unwrap();
    let e = desk.attach_signed_letter(c.id, &fake).unwrap_err();
    assert!(e.to_string().contains("不是 PDF、JPG 或 PNG"), "{e}");
    let empty = dir.path().join("空.png");
    std::fs::write(&empty, b"").unwrap();
    assert!(desk.attach_signed_letter(c.id, &empty).is_err());
    assert!(
        desk.attach_signed_letter(c.id, &dir.path().join("没有.png"))
            .is_err()
    );
    let big = dir.path().join("大.png");
    let f_big = std::fs::File::create(&big).unwrap();
    f_big.set_len(21 * 1024 * 1024).unwrap();
    let e = desk.attach_signed_letter(c.id, &big).unwrap_err();
    assert!(e.to_string().contains("20 MB"), "{e}");
    assert!(!desk.commitment(c.id).unwrap().is_signed());
    assert!(desk.finalise_check(c.id).is_err(), "not signed yet");

    let scan = dir.path().join("已签.png");
    std::fs::write(&scan, b"\x89PNG\r\n\x1a\n fake image body").unwrap();
    let signed = desk.attach_signed_letter(c.id, &scan).unwrap();
    assert!(signed.is_signed());
    assert_eq!(signed.signed_on, Some(today()));
    assert_eq!(signed.signed_file.as_ref().unwrap().len(), 64);
    let back = std::fs::read(desk.signed_letter_for_viewing(c.id).unwrap()).unwrap();
    assert_eq!(back, std::fs::read(&scan).unwrap());

    let out = desk.finalise_check(c.id).unwrap();
    assert_eq!(
        out.verdict.rule(Rule::T1a).unwrap().outcome,
        RuleOutcome::Pass
    );
    assert_eq!(out.verdict.business, Some(Business::NewConnection));
}
}

xinyidian_core::on_both_engines! {
fn a_name_the_letter_cannot_print_is_refused_at_registration() {
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let before = desk.count_subjects().unwrap();
    // CJK Extension G: a real character that neither bundled font draws.
    let e = desk
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: "湛江\u{3134A}实业有限公司".into(),
            code: uscc(77),
            ..SubjectDraft::default()
        })
        .unwrap_err();
    assert!(matches!(e, DeskError::Invalid(_)), "{e:?}");
    assert!(e.to_string().contains("U+3134A"), "{e}");
    assert_eq!(desk.count_subjects().unwrap(), before, "nothing written");
    // An Extension B name the fallback font has registers.
    desk.create_subject(&SubjectDraft {
        kind: SubjectKind::Organization,
        name: "湛江𨋢记实业有限公司".into(),
        code: uscc(78),
        ..SubjectDraft::default()
    })
    .unwrap();
}
}

xinyidian_core::on_both_engines! {
/// Two PCs that each keep their own database (SQLite mode) cannot see each other's serials: each
/// hands out only its installation number's block (rule C-4, README "Several PCs"), so their
/// codes of the same day never collide, and the block is gap-free on each PC.
fn pcs_with_their_own_files_issue_codes_from_their_installation_blocks() {
    use xinyidian_core::domain::installation::InstallationNo;
    let issue_three = |no: Option<u32>| -> Vec<String> {
        let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
        desk.set_installation_no(no.map(|n| InstallationNo::new(n).unwrap()))
            .unwrap();
        (0..3)
            .map(|n| {
                let id = company(&mut desk, 200 + n, &valid_rep_id());
                let mut f = desk.letter_fields_for(id).unwrap();
                f.relation = Some(Relation::Owner);
                desk.issue_letter(id, Business::NewConnection, &f)
                    .unwrap()
                    .commitment
                    .code
            })
            .collect()
    };
    let day = "44080020261128";
    assert_eq!(
        issue_three(Some(7)),
        ["070001", "070002", "070003"].map(|s| format!("{day}{s}"))
    );
    assert_eq!(
        issue_three(Some(12)),
        ["120001", "120002", "120003"].map(|s| format!("{day}{s}"))
    );
    // Unnumbered: block 0, as before the setting existed.
    assert_eq!(
        issue_three(None),
        ["000001", "000002", "000003"].map(|s| format!("{day}{s}"))
    );
}
}

xinyidian_core::on_both_engines! {
fn only_an_admin_sets_the_installation_number_and_the_change_is_audited() {
    use xinyidian_core::domain::installation::InstallationNo;
    use xinyidian_core::domain::operator::Role;
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    desk.add_operator(
        &OperatorDraft {
            staff_no: "C1".into(),
            name: "柜员乙".into(),
            role: Role::Clerk,
            ..OperatorDraft::default()
        },
        PW,
    )
    .unwrap();
    let five = InstallationNo::new(5).unwrap();
    desk.set_installation_no(Some(five)).unwrap();
    assert_eq!(desk.installation_no().unwrap(), Some(five));
    let rows = desk
        .audit_log(&xinyidian_core::desk::AuditFilter::default(), 5)
        .unwrap();
    assert!(
        rows.iter().any(|r| r
            .content
            .summary
            .contains("本机安装编号 未设置 → 05（承诺编码序号 050001–059999）")),
        "{rows:?}"
    );
    desk.sign_out().unwrap();
    desk.sign_in("C1", PW).unwrap();
    let e = desk.set_installation_no(None).unwrap_err();
    assert!(matches!(e, DeskError::Forbidden { .. }), "{e:?}");
    assert_eq!(desk.installation_no().unwrap(), Some(five));
}
}

xinyidian_core::on_both_engines! {
fn no_letter_without_the_accepting_units_uscc() {
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let id = company(&mut desk, 1, &valid_rep_id());
    desk.set_accepting_unit(&xinyidian_core::domain::commitment::AcceptingUnit {
        name: "广东电网有限责任公司湛江供电局".into(),
        uscc: String::new(),
    })
    .unwrap();
    let mut fields = desk.letter_fields_for(id).unwrap();
    fields.relation = Some(Relation::Tenant);
    let e = desk
        .issue_letter(id, Business::NewConnection, &fields)
        .unwrap_err();
    assert!(e.to_string().contains("承诺受理单位"), "{e}");
    assert!(desk.commitments_of(id).unwrap().is_empty());
    // Set, it issues.
    desk.set_accepting_unit(&xinyidian_core::dev::test_unit())
        .unwrap();
    assert!(desk.issue_letter(id, Business::NewConnection, &fields).is_ok());
}
}

/// What a print would have sent, without a printer.
#[derive(Default)]
struct FakePrinter {
    refuse: bool,
    sent: std::cell::RefCell<Vec<(std::path::PathBuf, String)>>,
    opened: std::cell::RefCell<Vec<std::path::PathBuf>>,
}

impl xinyidian_core::desk::PrintSink for FakePrinter {
    fn print(&self, pdf: &std::path::Path, printer: &str) -> Result<String, String> {
        if self.refuse {
            return Err("打印机未接受：lp: 没有默认打印机".into());
        }
        self.sent
            .borrow_mut()
            .push((pdf.to_path_buf(), printer.to_string()));
        Ok("request id is HP-7 (1 file(s))".into())
    }

    fn open(&self, pdf: &std::path::Path) -> Result<(), String> {
        self.opened.borrow_mut().push(pdf.to_path_buf());
        Ok(())
    }
}

xinyidian_core::on_both_engines! {
fn printing_keeps_the_pdf_sends_it_as_set_and_audits_how_it_went() {
    use xinyidian_core::desk::{PrintRoute, PrintSettings};
    use xinyidian_core::store::AuditFilter;
    let mut desk = setup(xinyidian_core::dev::engines::fresh_store());
    let id = company(&mut desk, 7, &valid_rep_id());
    let mut fields = desk.letter_fields_for(id).unwrap();
    fields.relation = Some(Relation::Owner);
    let issued = desk
        .issue_letter(id, Business::NewConnection, &fields)
        .unwrap();
    let code = issued.commitment.code.clone();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("承诺书");

    // Default: opened in the viewer; the PDF is kept where the clerk can find it again.
    assert_eq!(desk.print_settings().unwrap(), PrintSettings::default());
    let sink = FakePrinter::default();
    let p = desk.print_letter(issued.commitment.id, &out, &sink).unwrap();
    assert_eq!(p.route, PrintRoute::Viewer);
    assert_eq!(p.path, out.join(format!("诚信守法用电承诺书-{code}.pdf")));
    assert_eq!(std::fs::read(&p.path).unwrap(), issued.pdf, "the letter as issued");
    assert_eq!(*sink.opened.borrow(), vec![p.path.clone()]);
    assert!(sink.sent.borrow().is_empty());

    // Direct printing to a named printer (admin).
    desk.set_print_settings(&PrintSettings {
        direct: true,
        printer: " HP-LaserJet ".into(),
    })
    .unwrap();
    assert_eq!(desk.print_settings().unwrap().printer, "HP-LaserJet");
    let p = desk.print_letter(issued.commitment.id, &out, &sink).unwrap();
    assert_eq!(p.route, PrintRoute::Printer);
    assert_eq!(p.sent.as_deref(), Ok("request id is HP-7 (1 file(s))"));
    assert_eq!(
        *sink.sent.borrow(),
        vec![(p.path.clone(), "HP-LaserJet".to_string())]
    );

    // A printer that refuses: not an error, the PDF is kept and the failure audited.
    let refusing = FakePrinter {
        refuse: true,
        ..FakePrinter::default()
    };
    let p = desk
        .print_letter(issued.commitment.id, &out, &refusing)
        .unwrap();
    assert!(p.sent.as_ref().unwrap_err().contains("没有默认打印机"));
    assert!(p.path.exists());

    let log = desk.audit_log(&AuditFilter::default(), 20).unwrap();
    let prints: Vec<&str> = log
        .iter()
        .map(|e| e.content.summary.as_str())
        .filter(|s| s.starts_with("打印承诺书"))
        .collect();
    assert_eq!(prints.len(), 3, "{prints:?}");
    assert!(prints.iter().any(|s| s.contains("已用 PDF 阅读器打开")));
    assert!(prints.iter().any(|s| s.contains("已送打印机 HP-LaserJet")));
    assert!(prints.iter().any(|s| s.contains("未能送打印机")));
    assert!(prints.iter().all(|s| s.contains(&code) && s.contains("PDF 保存在")));
    assert!(log.iter().any(|e| e.content.summary.contains("打印设置：直接送打印机（HP-LaserJet）")));

    // A printer name that would be an option to lp is refused.
    assert!(matches!(
        desk.set_print_settings(&PrintSettings {
            direct: true,
            printer: "-o evil".into(),
        }),
        Err(DeskError::Setting(_))
    ));
    // Signed out: nothing printed, nothing written.
    desk.sign_out().unwrap();
    let before = std::fs::read_dir(&out).unwrap().count();
    assert!(desk.print_letter(issued.commitment.id, &out, &sink).is_err());
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), before);
}
}
