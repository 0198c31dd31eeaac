//! Importing the applicant's public credit report at the desk (rules T-3, T-4): the evidence store,
//! the checks at import and the hand-entry path (the `report` commands through the built binary
//! are the app's `reports_cli` tests). Report PDFs come from the generator in
//! `xinyidian_core::dev::report_pdf`; the fixtures are generated on 2026-05-04 19:02:57.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use xinyidian_core::desk::{
    Desk, DeskError, FixedClock, HandAdverse, HandFacts, ReportImport, ReportRefusal, ReportStatus,
};
use xinyidian_core::dev::report_pdf as fx;
use xinyidian_core::domain::operator::{OperatorDraft, Role};
use xinyidian_core::domain::report::{AdverseKind, Freshness, ReportFact};
use xinyidian_core::domain::subject::{SubjectDraft, SubjectId, SubjectKind};
use xinyidian_core::domain::trust::{Business, Rule, RuleOutcome};
use xinyidian_core::store::{AuditFilter, Store};

const PW: &str = "counter-2026";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A desk whose today is `today` (10:00), admin A1 and clerk C1; signed in as the clerk.
fn desk_on(today: NaiveDate) -> Desk {
    let mut desk = Desk::new(
        xinyidian_core::dev::engines::fresh_store(),
        Box::new(FixedClock::At(today.and_hms_opt(10, 0, 0).unwrap())),
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
    desk.add_operator(
        &OperatorDraft {
            staff_no: "C1".into(),
            name: "柜员丙".into(),
            role: Role::Clerk,
            hall: "霞山营业厅".into(),
            window: "3 号窗口".into(),
        },
        PW,
    )
    .unwrap();
    desk.sign_out().unwrap();
    desk.sign_in("C1", PW).unwrap();
    desk
}

fn add_org(desk: &mut Desk, name: &str, code: &str) -> SubjectId {
    desk.create_subject(&SubjectDraft {
        kind: SubjectKind::Organization,
        name: name.into(),
        code: code.into(),
        ..SubjectDraft::default()
    })
    .unwrap()
}

/// The subject the fixtures are about.
fn fixture_subject(desk: &mut Desk) -> SubjectId {
    add_org(desk, fx::ORG_NAME, &fx::uscc())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn import_audit_rows(desk: &mut Desk) -> usize {
    // The audit trail is for supervisors: look as the admin, then come back.
    desk.sign_out().unwrap();
    desk.sign_in("A1", PW).unwrap();
    let n = desk
        .audit_log(&AuditFilter::default(), 1000)
        .unwrap()
        .iter()
        .filter(|r| r.content.action == "导入信用报告")
        .count();
    desk.sign_out().unwrap();
    desk.sign_in("C1", PW).unwrap();
    n
}

fn refusal(r: Result<ReportImport, DeskError>) -> ReportRefusal {
    match r {
        Err(DeskError::ReportRefused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

xinyidian_core::on_both_engines! {
fn clean_report_is_stored_with_its_original_and_shown() {
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let bytes = fx::clean_org_report();
    let f = write(dir.path(), "报告.pdf", &bytes);
    let out = desk.import_report(s, &f).unwrap();
    let ReportImport::Stored {
        view,
        freshness,
        advice,
        ..
    } = &out
    else {
        panic!("{out:?}");
    };
    assert_eq!(*freshness, Freshness::Fresh { age_days: 2 });
    assert!(advice.is_none());
    assert_eq!(view.status_at_import, ReportStatus::Valid);
    assert_eq!(view.report.report_no.as_deref(), Some(fx::REPORT_NO));
    assert_eq!(view.report.subject_name.as_deref(), Some(fx::ORG_NAME));
    assert_eq!(view.file_name, "报告.pdf");
    assert_eq!(view.imported_by, "C1");
    assert_eq!(view.media_type, "application/pdf");
    assert_eq!(view.size, bytes.len() as u64);
    assert!(!view.hand_entered);
    assert!(view.extracted.contains(&ReportFact::GeneratedAt));
    assert!(view.report.adverse.is_empty());
    assert!(out.message().contains("有效"), "{}", out.message());

    let latest = desk.latest_report(s).unwrap().unwrap();
    assert_eq!(latest.id, view.id);
    assert_eq!(desk.reports_of(s).unwrap().len(), 1);
    assert_eq!(desk.report(view.id).unwrap(), latest);
    // The original comes back byte for byte, named by its hash.
    let p = desk.original_path_for_viewing(view.id).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), bytes);
    assert!(p.to_string_lossy().contains(&view.sha256));
    assert_eq!(import_audit_rows(&mut desk), 1);
    assert!(desk.verify_audit().unwrap().broken.is_none());
}
}

xinyidian_core::on_both_engines! {
fn adverse_entries_are_stored_with_their_dates() {
    let mut desk = desk_on(d(2026, 5, 4));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "a.pdf", &fx::adverse_org_report());
    let view = desk.import_report(s, &f).unwrap().view().unwrap().clone();
    let kinds: Vec<AdverseKind> = view.report.adverse.iter().map(|e| e.kind).collect();
    assert!(
        kinds.contains(&AdverseKind::AdministrativePenalty),
        "{kinds:?}"
    );
    assert!(kinds.contains(&AdverseKind::DishonestExecutee), "{kinds:?}");
    let penalty = view
        .report
        .adverse
        .iter()
        .find(|e| e.kind == AdverseKind::AdministrativePenalty)
        .unwrap();
    assert_eq!(penalty.date.map(|x| x.date), Some(d(2024, 12, 24)));
}
}

xinyidian_core::on_both_engines! {
fn same_file_twice_is_recognised_and_not_duplicated() {
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let bytes = fx::clean_org_report();
    let f1 = write(dir.path(), "第一次.pdf", &bytes);
    let f2 = write(dir.path(), "另存为.pdf", &bytes);
    let first = desk.import_report(s, &f1).unwrap();
    let again = desk.import_report(s, &f2).unwrap();
    let ReportImport::AlreadyImported { view } = &again else {
        panic!("{again:?}");
    };
    assert_eq!(view.id, first.view().unwrap().id);
    assert_eq!(view.file_name, "第一次.pdf");
    assert!(
        again.message().contains("未重复保存"),
        "{}",
        again.message()
    );
    assert_eq!(desk.reports_of(s).unwrap().len(), 1);
    assert_eq!(import_audit_rows(&mut desk), 1);
}
}

xinyidian_core::on_both_engines! {
fn mismatched_name_or_code_is_refused_and_nothing_stored() {
    let mut desk = desk_on(d(2026, 5, 6));
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "r.pdf", &fx::clean_org_report());

    let other_name = add_org(&mut desk, "湛江市赤坎区另一家贸易有限公司", &fx::uscc());
    let r = refusal(desk.import_report(other_name, &f));
    assert!(
        matches!(&r, ReportRefusal::SubjectMismatch { field, .. } if *field == "名称"),
        "{r:?}"
    );
    let msg = r.to_string();
    assert!(
        msg.contains("不一致") && msg.contains(fx::ORG_NAME),
        "{msg}"
    );
    assert!(msg.contains("未保存"), "{msg}");

    let other_code = add_org(&mut desk, fx::ORG_NAME, "91440300708461136T");
    let r = refusal(desk.import_report(other_code, &f));
    assert!(
        matches!(&r, ReportRefusal::SubjectMismatch { field, .. } if *field == "统一社会信用代码"),
        "{r:?}"
    );
    assert!(r.to_string().contains("91440300708461136T"), "{r}");

    assert!(desk.reports_of(other_name).unwrap().is_empty());
    assert!(desk.reports_of(other_code).unwrap().is_empty());
    assert!(desk.latest_report(other_code).unwrap().is_none());
    assert_eq!(import_audit_rows(&mut desk), 0);
}
}

xinyidian_core::on_both_engines! {
fn six_days_old_is_kept_as_expired_with_advice() {
    let mut desk = desk_on(d(2026, 5, 10));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "r.pdf", &fx::clean_org_report());
    let out = desk.import_report(s, &f).unwrap();
    let ReportImport::Stored {
        view,
        freshness,
        advice,
        ..
    } = &out
    else {
        panic!("{out:?}");
    };
    assert_eq!(*freshness, Freshness::Stale { age_days: 6 });
    assert_eq!(view.status_at_import, ReportStatus::Expired);
    let advice = advice.as_deref().unwrap();
    assert!(
        advice.contains("已过期") && advice.contains("重新") && advice.contains("T-3"),
        "{advice}"
    );
    assert!(out.message().contains("已过期"), "{}", out.message());
    assert_eq!(desk.reports_of(s).unwrap().len(), 1);
    // Five days old is still fresh (the boundary of T-3)...
    let mut desk = desk_on(d(2026, 5, 9));
    let s = fixture_subject(&mut desk);
    let out = desk.import_report(s, &f).unwrap();
    assert_eq!(out.view().unwrap().status_at_import, ReportStatus::Valid);
}
}

xinyidian_core::on_both_engines! {
fn max_age_is_a_setting() {
    let mut desk = desk_on(d(2026, 5, 10));
    assert_eq!(desk.report_max_age_days().unwrap(), 5);
    // Clerks may not change it.
    assert!(matches!(
        desk.set_report_max_age_days(7),
        Err(DeskError::Forbidden { .. })
    ));
    desk.sign_out().unwrap();
    desk.sign_in("A1", PW).unwrap();
    assert!(desk.set_report_max_age_days(0).is_err());
    desk.set_report_max_age_days(7).unwrap();
    assert_eq!(desk.report_max_age_days().unwrap(), 7);
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "r.pdf", &fx::clean_org_report());
    let out = desk.import_report(s, &f).unwrap();
    assert_eq!(out.view().unwrap().status_at_import, ReportStatus::Valid);
}
}

xinyidian_core::on_both_engines! {
fn future_dated_is_refused() {
    let mut desk = desk_on(d(2026, 5, 3));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "r.pdf", &fx::clean_org_report());
    let r = refusal(desk.import_report(s, &f));
    assert!(matches!(r, ReportRefusal::FutureDated { .. }), "{r:?}");
    assert!(r.to_string().contains("晚于今天"), "{r}");
    assert!(desk.reports_of(s).unwrap().is_empty());
}
}

xinyidian_core::on_both_engines! {
fn hostile_and_corrupt_files_are_refused_without_storing() {
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.pdf", b"");
    assert!(matches!(
        refusal(desk.import_report(s, &empty)),
        ReportRefusal::Unreadable(_)
    ));
    let bomb = write(dir.path(), "bomb.pdf", &fx::page_count_bomb());
    let r = refusal(desk.import_report(s, &bomb));
    assert!(r.to_string().contains("未保存"), "{r}");
    let missing = dir.path().join("不存在.pdf");
    assert!(matches!(
        refusal(desk.import_report(s, &missing)),
        ReportRefusal::CannotOpen { .. }
    ));
    assert!(desk.reports_of(s).unwrap().is_empty());
}
}

fn hand_facts() -> HandFacts {
    HandFacts {
        facts: vec![
            (ReportFact::SubjectCode, fx::uscc()),
            (ReportFact::Kind, "法人和非法人组织".into()),
            (ReportFact::ReportNo, fx::REPORT_NO.into()),
            (ReportFact::GeneratedAt, "2026-05-04 19:02:57".into()),
            (ReportFact::SubjectName, fx::ORG_NAME.into()),
            (ReportFact::Platform, "信用中国".into()),
            (ReportFact::IssuingUnit, "   ".into()),
        ],
        adverse: vec![HandAdverse {
            kind: AdverseKind::AdministrativePenalty,
            date: Some(d(2024, 12, 24)),
            title: "湛霞市监罚〔2024〕12号".into(),
        }],
        chapters_confirmed: true,
    }
}

xinyidian_core::on_both_engines! {
fn png_renamed_to_pdf_goes_to_hand_entry_and_records_who_typed() {
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "照片.pdf", &fx::png_bytes());
    let out = desk.import_report(s, &f).unwrap();
    let ReportImport::NeedsHandEntry(h) = &out else {
        panic!("{out:?}");
    };
    assert!(h.reason.contains("不是 PDF"), "{}", h.reason);
    assert!(out.message().contains("手工录入"), "{}", out.message());
    assert_eq!(h.missing.len(), 3);
    assert!(desk.reports_of(s).unwrap().is_empty());

    // Missing facts are named, nothing stored.
    let r = refusal(desk.save_hand_entered_report(s, &f, &HandFacts::default()));
    assert!(matches!(r, ReportRefusal::MissingFacts(_)), "{r:?}");
    assert!(r.to_string().contains("报告生成日期"), "{r}");
    // A wrong typed value names its field.
    let mut bad = hand_facts();
    bad.facts[3].1 = "昨天".into();
    let r = refusal(desk.save_hand_entered_report(s, &f, &bad));
    assert!(r.to_string().contains("报告生成日期"), "{r}");
    assert!(desk.reports_of(s).unwrap().is_empty());

    let out = desk.save_hand_entered_report(s, &f, &hand_facts()).unwrap();
    let view = out.view().unwrap();
    assert!(view.hand_entered);
    assert_eq!(view.media_type, "image/png");
    assert!(view.extracted.is_empty());
    let typed: Vec<(ReportFact, &str)> = view
        .report
        .hand_entered
        .iter()
        .map(|h| (h.fact, h.operator.as_str()))
        .collect();
    assert_eq!(typed.len(), 6, "{typed:?}");
    assert!(typed.iter().all(|(_, op)| *op == "C1"));
    assert!(typed.contains(&(ReportFact::GeneratedAt, "C1")));
    let hand = view.hand_entry.as_ref().unwrap();
    assert_eq!(hand.staff_no, "C1");
    assert_eq!(hand.adverse_typed, 1);
    assert!(hand.chapters_confirmed);
    assert!(view.report.unread_adverse_chapters().is_empty());
    assert_eq!(view.report.adverse.len(), 1);
    assert_eq!(
        view.report.adverse[0].kind,
        AdverseKind::AdministrativePenalty
    );
    // Saving the same file again is recognised.
    let again = desk.save_hand_entered_report(s, &f, &hand_facts()).unwrap();
    assert!(matches!(again, ReportImport::AlreadyImported { .. }));
    assert_eq!(desk.reports_of(s).unwrap().len(), 1);
}
}

xinyidian_core::on_both_engines! {
fn encrypted_report_goes_to_hand_entry() {
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "加密.pdf", &fx::encrypted_report("1234"));
    let out = desk.import_report(s, &f).unwrap();
    let ReportImport::NeedsHandEntry(h) = &out else {
        panic!("{out:?}");
    };
    assert!(h.reason.contains("密码"), "{}", h.reason);
    let view = desk
        .save_hand_entered_report(s, &f, &hand_facts())
        .unwrap()
        .view()
        .unwrap()
        .clone();
    assert_eq!(view.media_type, "application/pdf");
    // The hand-typed facts still face the checks: a mismatching name is refused.
    let other = add_org(
        &mut desk,
        "湛江市坡头区南海水产有限公司",
        "91110108551385082Q",
    );
    let mut facts = hand_facts();
    facts.facts.retain(|(f, _)| *f != ReportFact::SubjectCode);
    facts
        .facts
        .push((ReportFact::SubjectCode, "91110108551385082Q".into()));
    let r = refusal(desk.save_hand_entered_report(other, &f, &facts));
    assert!(matches!(r, ReportRefusal::SubjectMismatch { .. }), "{r:?}");
}
}

xinyidian_core::on_both_engines! {
fn scan_only_shows_partial_text_then_hand_entry_stores_it() {
    let mut desk = desk_on(d(2026, 5, 10));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "扫描.pdf", &fx::scan_only_report(2));
    let out = desk.import_report(s, &f).unwrap();
    let ReportImport::NeedsHandEntry(h) = &out else {
        panic!("{out:?}");
    };
    assert!(h.partial_text.contains("信用中国"), "{}", h.partial_text);
    assert!(h.reason.contains("扫描件"), "{}", h.reason);
    let out = desk.save_hand_entered_report(s, &f, &hand_facts()).unwrap();
    // Hand-entered, and six days old: the same T-3 marking as a parsed report.
    let ReportImport::Stored { view, advice, .. } = &out else {
        panic!("{out:?}");
    };
    assert_eq!(view.status_at_import, ReportStatus::Expired);
    assert!(advice.is_some());
    assert!(view.hand_entry.as_ref().unwrap().reason.contains("扫描件"));
}
}

xinyidian_core::on_both_engines! {
fn latest_report_is_the_most_recently_generated() {
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let newer: Vec<fx::Line> = fx::clean_org_lines()
        .into_iter()
        .map(|l| {
            if l.text.contains("报告生成日期") {
                fx::Line::new("报告生成日期：2026年05月05日")
            } else {
                l
            }
        })
        .collect();
    let newer = write(
        dir.path(),
        "新.pdf",
        &fx::render(&fx::paginate(newer), None, None),
    );
    let older = write(dir.path(), "旧.pdf", &fx::clean_org_report());
    let a = desk.import_report(s, &newer).unwrap();
    let b = desk.import_report(s, &older).unwrap();
    assert_ne!(a.view().unwrap().id, b.view().unwrap().id);
    let latest = desk.latest_report(s).unwrap().unwrap();
    assert_eq!(latest.id, a.view().unwrap().id);
    assert_eq!(latest.report.generated_on(), Some(d(2026, 5, 5)));
    let all = desk.reports_of(s).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, latest.id);
}
}

xinyidian_core::on_both_engines! {
fn signed_out_cannot_import() {
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "r.pdf", &fx::clean_org_report());
    desk.sign_out().unwrap();
    assert!(matches!(
        desk.import_report(s, &f),
        Err(DeskError::NotSignedIn)
    ));
}
}

#[test]
fn reports_survive_reopening_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("counter.sqlite3");
    let bytes = fx::clean_org_report();
    let f = write(dir.path(), "r.pdf", &bytes);
    let id = {
        let mut desk = Desk::new(
            Store::open(&db).unwrap(),
            Box::new(FixedClock::At(d(2026, 5, 6).and_hms_opt(9, 0, 0).unwrap())),
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
        let s = fixture_subject(&mut desk);
        desk.import_report(s, &f).unwrap().view().unwrap().id
    };
    let desk = Desk::new(
        Store::open(&db).unwrap(),
        Box::new(FixedClock::At(d(2026, 5, 7).and_hms_opt(9, 0, 0).unwrap())),
    );
    let v = desk.report(id).unwrap();
    assert_eq!(v.report.report_no.as_deref(), Some(fx::REPORT_NO));
    assert_eq!(
        std::fs::read(desk.original_path_for_viewing(id).unwrap()).unwrap(),
        bytes
    );
}

// ---- issue 14 point 12: a report rule never passes on a report the reader doubts ----

fn t4(desk: &mut Desk, s: SubjectId) -> (RuleOutcome, Vec<String>, Option<bool>) {
    let v = desk
        .run_check(s, Some(Business::NewConnection), None)
        .unwrap()
        .verdict;
    let row = v.rule(Rule::T4).unwrap();
    (row.outcome, row.evidence.clone(), v.eligible)
}

fn corpus_file(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/reports")
            .join(name),
    )
    .unwrap()
}

xinyidian_core::on_both_engines! {
fn an_entry_in_a_two_column_table_is_read_and_fails_t4() {
    // reportlab's two-column tables (label cell | value cell); 司法判决 1 条, and chapter 八 holds
    // a 失信被执行人 entry published 2025-07-01, inside the window.
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "表格版.pdf",
        &corpus_file("reportlab-table-org.pdf"),
    );
    let view = desk.import_report(s, &f).unwrap().view().unwrap().clone();
    assert!(view.report.doubts.is_empty(), "{:?}", view.report.doubts);
    assert!(
        view.report
            .adverse
            .iter()
            .any(|e| e.kind == AdverseKind::DishonestExecutee),
        "{:?}",
        view.report.adverse
    );
    let (outcome, evidence, eligible) = t4(&mut desk, s);
    assert_eq!(outcome, RuleOutcome::Fail, "{evidence:?}");
    assert!(
        evidence.iter().any(|e| e.contains("失信被执行人")),
        "{evidence:?}"
    );
    assert_ne!(eligible, Some(true));
}
}

xinyidian_core::on_both_engines! {
fn a_doubted_report_leaves_t4_pending_until_a_clerk_confirms_it() {
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "报告.pdf", &fx::unreadable_entry_report());
    let out = desk.import_report(s, &f).unwrap();
    let ReportImport::Stored { view, warnings, .. } = &out else {
        panic!("{out:?}");
    };
    assert!(view.report.adverse.is_empty());
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("为 1 条，正文读到 0 条")),
        "{warnings:?}"
    );
    assert_eq!(view.report.doubts.len(), 1, "{:?}", view.report.doubts);
    assert!(view.report.confirmed.is_none());

    // Before: the parser noted the mismatch, yet T-4 passed. Now it waits for the clerk, with
    // the discrepancy as evidence, and the subject is not eligible.
    let (outcome, evidence, eligible) = t4(&mut desk, s);
    assert_eq!(outcome, RuleOutcome::Pending, "{evidence:?}");
    assert!(
        evidence
            .iter()
            .any(|e| e.contains("为 1 条，正文读到 0 条")),
        "{evidence:?}"
    );
    assert_ne!(eligible, Some(true));

    // The clerk checks the paper and types the entry the reader missed, with its date.
    let id = view.id;
    let confirmed = desk
        .confirm_report_by_hand(
            id,
            &HandFacts {
                adverse: vec![HandAdverse {
                    kind: AdverseKind::DishonestExecutee,
                    date: Some(d(2025, 6, 6)),
                    title: "（2025）粤0802执100号".into(),
                }],
                ..HandFacts::default()
            },
        )
        .unwrap();
    let c = confirmed.report.confirmed.clone().unwrap();
    assert_eq!(c.operator, "C1");
    assert_eq!(c.at, d(2026, 5, 6).and_hms_opt(10, 0, 0).unwrap());
    assert_eq!(confirmed.report.adverse.len(), 1);
    assert!(confirmed.hand_entry.as_ref().unwrap().chapters_confirmed);
    assert_eq!(desk.latest_report(s).unwrap().unwrap(), confirmed);
    let (outcome, evidence, _) = t4(&mut desk, s);
    assert_eq!(outcome, RuleOutcome::Fail, "{evidence:?}");
    assert!(
        evidence.iter().any(|e| e.contains("2025-06-06")),
        "{evidence:?}"
    );
    // Import and confirmation are both in the audit trail, which still verifies.
    assert_eq!(import_audit_rows(&mut desk), 2);
    assert!(desk.verify_audit().unwrap().broken.is_none());
}
}

xinyidian_core::on_both_engines! {
fn a_confirmed_report_is_decided_on_the_confirmed_facts() {
    // The clerk finds on the paper that the one entry is older than the window: T-4 passes,
    // naming who confirmed.
    let mut desk = desk_on(d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "报告.pdf", &fx::unreadable_entry_report());
    let id = desk.import_report(s, &f).unwrap().view().unwrap().id;
    assert_eq!(t4(&mut desk, s).0, RuleOutcome::Pending);
    desk.confirm_report_by_hand(
        id,
        &HandFacts {
            adverse: vec![HandAdverse {
                kind: AdverseKind::DishonestExecutee,
                date: Some(d(2020, 1, 6)),
                title: "（2020）粤0802执1号".into(),
            }],
            ..HandFacts::default()
        },
    )
    .unwrap();
    let (outcome, evidence, _) = t4(&mut desk, s);
    assert_eq!(outcome, RuleOutcome::Pass, "{evidence:?}");
    assert!(
        evidence
            .iter()
            .any(|e| e.contains("C1") && e.contains("人工核对确认")),
        "{evidence:?}"
    );
    // Signed out, nobody confirms.
    desk.sign_out().unwrap();
    assert!(
        desk.confirm_report_by_hand(id, &HandFacts::default())
            .is_err()
    );
}
}
