//! The trust check through the desk (rules T-1..T-7): scenario boundaries, stored verdicts,
//! pilot parks, the nightly refresh; and a property over the pure rules.

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use xinyidian_core::desk::{Desk, ImportOptions, Progress};
use xinyidian_core::dev::report_pdf as fx;
use xinyidian_core::domain::park::ParkDraft;
use xinyidian_core::domain::records::{Fen, Record, SubjectRef, TheftRecord, TheftStatus};
use xinyidian_core::domain::report::{CreditReport, Platform};
use xinyidian_core::domain::subject::{AccountDraft, SubjectDraft, SubjectKind};
use xinyidian_core::domain::trust::{
    Business, BusinessRequest, CheckInput, CheckSettings, LetterState, ParkMatch, Rule,
    RuleOutcome, SubjectFacts, check,
};
use xinyidian_core::store::Store;

use crate::support::{PW, d, desk_at, uscc};
const NAME: &str = "湛江市海港贸易有限公司";

/// A subject with one account in the 石化产业园 that has used power since `since`.
fn subject_with_account(
    desk: &mut Desk,
    since: &str,
    address: &str,
) -> xinyidian_core::domain::subject::Subject {
    let id = desk
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: NAME.into(),
            code: uscc(1),
            founded_on: "2010-05-01".into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    desk.add_account(
        id,
        &AccountDraft {
            account_no: "0301234567".into(),
            usage_address: address.into(),
            supply_start: since.into(),
        },
    )
    .unwrap();
    desk.subject(id).unwrap()
}

fn import_theft(desk: &mut Desk, found_on: &str) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("窃电.csv");
    std::fs::write(
        &f,
        format!(
            "用户名称,统一社会信用代码,用户编号,窃电发现日期,补缴电费金额,违约使用电费金额\n{NAME},{},0301234567,{found_on},1200,3600\n",
            uscc(1)
        ),
    )
    .unwrap();
    desk.import_records(&f, None, ImportOptions::default(), &Progress::new())
        .unwrap();
}

fn t1b(desk: &mut Desk, subject: xinyidian_core::domain::subject::SubjectId) -> RuleOutcome {
    let out = desk.run_check(subject, None, None).unwrap();
    out.verdict.rule(Rule::T1b).unwrap().outcome
}

xinyidian_core::on_both_engines! {
fn theft_exactly_three_years_back_is_outside_one_day_later_inside() {
    let today = d(2026, 11, 28);
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), today);
    let s = subject_with_account(&mut desk, "2015-01-01", "湛江市霞山区人民大道 1 号");
    import_theft(&mut desk, "2023-11-28");
    assert_eq!(t1b(&mut desk, s.id), RuleOutcome::Pass);
    import_theft(&mut desk, "2023-11-29");
    let out = desk.run_check(s.id, None, None).unwrap();
    let row = out.verdict.rule(Rule::T1b).unwrap();
    assert_eq!(row.outcome, RuleOutcome::Fail);
    assert!(row.evidence.iter().any(|e| e.contains("D-2")), "{row:?}");
    assert!(!out.verdict.trustworthy);
}
}

xinyidian_core::on_both_engines! {
fn leap_day_check_looks_back_to_the_first_of_march() {
    let today = d(2028, 2, 29);
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), today);
    let s = subject_with_account(&mut desk, "2015-01-01", "湛江市霞山区人民大道 1 号");
    import_theft(&mut desk, "2025-02-28");
    assert_eq!(t1b(&mut desk, s.id), RuleOutcome::Pass);
    import_theft(&mut desk, "2025-03-01");
    assert_eq!(t1b(&mut desk, s.id), RuleOutcome::Fail);
}
}

xinyidian_core::on_both_engines! {
fn ten_months_of_supply_looks_back_only_to_the_supply_start() {
    let today = d(2026, 11, 28);
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), today);
    let s = subject_with_account(&mut desk, "2026-01-28", "湛江市霞山区人民大道 1 号");
    let out = desk.run_check(s.id, None, None).unwrap();
    let w = out.verdict.power_window.unwrap();
    assert_eq!(w.start, d(2026, 1, 28));
    assert!(w.note.contains("不满三年"), "{}", w.note);
}
}

xinyidian_core::on_both_engines! {
fn arrears_not_yet_a_dishonesty_record_pass_with_a_warning() {
    let today = d(2026, 11, 28);
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), today);
    let s = subject_with_account(&mut desk, "2015-01-01", "湛江市霞山区人民大道 1 号");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("欠费.csv");
    std::fs::write(
        &f,
        format!(
            "机构名称,统一社会信用代码,用户编号,欠缴类型名称,欠缴统计开始日,欠缴统计截止日,欠费金额,催告日期\n{NAME},{},0301234567,电费,2026-01-01,2026-06-30,50000,2026-07-01\n",
            uscc(1)
        ),
    )
    .unwrap();
    desk.import_records(&f, None, ImportOptions::default(), &Progress::new())
        .unwrap();
    let out = desk.run_check(s.id, None, None).unwrap();
    let row = out.verdict.rule(Rule::T1b).unwrap();
    assert_eq!(row.outcome, RuleOutcome::Pass);
    assert!(
        row.evidence.iter().any(|e| e.contains("尚未构成失信记录")),
        "{row:?}"
    );
}
}

xinyidian_core::on_both_engines! {
fn verdict_is_stored_and_shown_as_it_was_after_the_data_changed() {
    let today = d(2026, 11, 28);
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), today);
    let s = subject_with_account(&mut desk, "2015-01-01", "湛江市霞山区人民大道 1 号");
    let first = desk
        .run_check(s.id, Some(Business::NewConnection), Some("0301234567"))
        .unwrap();
    import_theft(&mut desk, "2026-10-01");
    let second = desk.run_check(s.id, None, None).unwrap();
    assert_eq!(
        second.verdict.rule(Rule::T1b).unwrap().outcome,
        RuleOutcome::Fail
    );
    let stored = desk.verdict(first.id).unwrap();
    assert_eq!(stored.verdict, first.verdict);
    assert_eq!(stored.row.operator, "A1");
    assert_eq!(stored.inputs["settings"]["report_max_age_days"], 5);
    let history = desk.verdicts_of(s.id, 10).unwrap();
    assert_eq!(
        history.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
    assert_eq!(history[1].business, Some(Business::NewConnection));
    // The check is in the audit trail.
    let log = desk
        .audit_log(&xinyidian_core::store::AuditFilter::default(), 50)
        .unwrap();
    assert!(log.iter().any(|e| e.content.action == "信用核查"));
}
}

xinyidian_core::on_both_engines! {
fn pilot_park_chosen_passes_hint_pending_outside_fails() {
    let today = d(2026, 11, 28);
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), today);
    let s = subject_with_account(&mut desk, "2015-01-01", "湛江经开区东海岛石化产业园 8 号");
    let t5 = |desk: &mut Desk| {
        desk.run_check(s.id, Some(Business::Transfer), Some("0301234567"))
            .unwrap()
            .verdict
            .rule(Rule::T5)
            .unwrap()
            .outcome
    };
    assert_eq!(t5(&mut desk), RuleOutcome::Pending);
    let parks = desk.parks().unwrap();
    let petro = parks.iter().find(|p| p.name == "石化产业园区").unwrap();
    desk.set_account_park(s.accounts[0].id, Some(petro.id))
        .unwrap();
    assert_eq!(t5(&mut desk), RuleOutcome::Pass);
    desk.set_account_park(s.accounts[0].id, None).unwrap();
    desk.update_account(
        s.accounts[0].id,
        &AccountDraft {
            account_no: "0301234567".into(),
            usage_address: "湛江市霞山区人民大道 1 号".into(),
            supply_start: "2015-01-01".into(),
        },
    )
    .unwrap();
    assert_eq!(t5(&mut desk), RuleOutcome::Fail);
    // An unknown account is refused, not silently ignored.
    let e = desk
        .run_check(s.id, Some(Business::Transfer), Some("0399999999"))
        .unwrap_err();
    assert!(e.to_string().contains("0399999999"), "{e}");
}
}

xinyidian_core::on_both_engines! {
fn parks_are_data_an_admin_extends_and_clerks_may_not() {
    let today = d(2026, 11, 28);
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), today);
    assert_eq!(desk.parks().unwrap().len(), 3, "annex 1 seeds three parks");
    let draft = ParkDraft {
        zone: "湛江经济技术开发区".into(),
        name: "新材料产业园区".into(),
        keywords: "新材料产业园".into(),
    };
    let id = desk.add_park(&draft).unwrap();
    let e = desk.add_park(&draft).unwrap_err();
    assert!(e.to_string().contains("已存在"), "{e}");
    let e = desk.add_park(&ParkDraft::default()).unwrap_err();
    assert!(e.to_string().contains("【试点区域】"), "{e}");
    desk.update_park(id, &draft, false).unwrap();
    assert!(
        !desk
            .parks()
            .unwrap()
            .iter()
            .find(|p| p.id == id)
            .unwrap()
            .active
    );
    desk.sign_out().unwrap();
    desk.sign_in("C1", PW).unwrap();
    assert!(desk.add_park(&draft).is_err());
}
}

#[test]
fn check_all_refreshes_statuses_and_a_cancelled_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let today = d(2026, 11, 28);
    let mut desk = desk_at(Store::open(&path).unwrap(), today);
    desk.generate_demo(3000, 7, &Progress::new()).unwrap();
    let cancelled = Progress::new();
    cancelled.cancel();
    assert!(desk.check_all(&cancelled).is_err());
    let any = desk.lookup("湛江", 1).unwrap().hits[0].id;
    assert!(desk.trust_status(any).unwrap().is_none());
    let r = desk.check_all(&Progress::new()).unwrap();
    assert_eq!(r.subjects, 3000);
    // No subject has a signed letter yet, so none is a 守信用电主体 (rule T-1(a)).
    assert_eq!(r.trustworthy, 0);
    let st = desk.trust_status(any).unwrap().unwrap();
    assert_eq!(st.as_of, today);
    assert!(!st.trustworthy);
}

xinyidian_core::on_both_engines! {
fn trusted_export_writes_an_xlsx_file() {
    let dir = tempfile::tempdir().unwrap();
    let today = d(2026, 11, 28);
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), today);
    let out = dir.path().join("守信用电主体.xlsx");
    assert_eq!(desk.export_trusted(&out).unwrap(), 0);
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip archive");
    let e = desk
        .export_trusted(&dir.path().join("no/such/dir/x.xlsx"))
        .unwrap_err();
    assert!(e.to_string().contains("无法写入"), "{e}");
}
}

/// The fixture report's subject, with an account in the steel park.
fn fixture_subject(desk: &mut Desk) -> xinyidian_core::domain::subject::SubjectId {
    let id = desk
        .create_subject(&SubjectDraft {
            kind: SubjectKind::Organization,
            name: fx::ORG_NAME.into(),
            code: fx::uscc(),
            founded_on: "2015-03-18".into(),
            ..SubjectDraft::default()
        })
        .unwrap();
    desk.add_account(
        id,
        &AccountDraft {
            account_no: "0309876543".into(),
            usage_address: "湛江经济技术开发区钢铁产业园 2 号".into(),
            supply_start: "2016-01-01".into(),
        },
    )
    .unwrap();
    let s = desk.subject(id).unwrap();
    let steel = desk
        .parks()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "钢铁产业园区")
        .unwrap();
    desk.set_account_park(s.accounts[0].id, Some(steel.id))
        .unwrap();
    id
}

fn import_fixture(desk: &mut Desk, s: xinyidian_core::domain::subject::SubjectId, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("报告.pdf");
    std::fs::write(&f, bytes).unwrap();
    desk.import_report(s, &f).unwrap();
}

xinyidian_core::on_both_engines! {
fn an_imported_clean_report_passes_t1c_t3_t4_and_the_business_is_eligible() {
    // The fixture report was generated on 2026-05-04.
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    import_fixture(&mut desk, s, &fx::clean_org_report());
    let v = desk
        .run_check(s, Some(Business::NewConnection), Some("0309876543"))
        .unwrap()
        .verdict;
    for rule in [Rule::T1b, Rule::D4, Rule::T1c, Rule::T3, Rule::T4, Rule::T5] {
        assert_eq!(
            v.rule(rule).unwrap().outcome,
            RuleOutcome::Pass,
            "{rule:?}: {v:#?}"
        );
    }
    assert_eq!(v.rule(Rule::T1a).unwrap().outcome, RuleOutcome::Pending);
    assert_eq!(v.eligible, Some(true));
    assert!(!v.trustworthy, "no signed letter yet");
    assert!(v.headline.starts_with("可办理信易电"), "{}", v.headline);
}
}

xinyidian_core::on_both_engines! {
fn an_adverse_report_fails_t4_and_t1c_and_a_stale_one_fails_t3() {
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 5, 6));
    let s = fixture_subject(&mut desk);
    import_fixture(&mut desk, s, &fx::adverse_org_report());
    let v = desk
        .run_check(s, Some(Business::Transfer), Some("0309876543"))
        .unwrap()
        .verdict;
    assert_eq!(v.rule(Rule::T4).unwrap().outcome, RuleOutcome::Fail);
    assert_eq!(v.rule(Rule::T1c).unwrap().outcome, RuleOutcome::Fail);
    assert_eq!(v.eligible, Some(false));
    assert_eq!(v.headline, "不符合");

    // Checked six days after the report was generated: kept as 已过期, and T-3 fails.
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 5, 10));
    let s2 = fixture_subject(&mut desk);
    import_fixture(&mut desk, s2, &fx::clean_org_report());
    let v = desk
        .run_check(s2, Some(Business::NewConnection), Some("0309876543"))
        .unwrap()
        .verdict;
    let row = v.rule(Rule::T3).unwrap();
    assert_eq!(row.outcome, RuleOutcome::Fail);
    assert_eq!(
        row.advice.as_deref(),
        Some("报告已超过 5 天，请申请人重新下载")
    );
}
}

// ---- property over the pure rules ----

fn theft(found_on: NaiveDate) -> Record {
    Record::Theft(TheftRecord {
        subject: SubjectRef::Account {
            account_no: "0301234567".into(),
        },
        subject_name: NAME.into(),
        account_no: Some("0301234567".into()),
        found_on,
        energy: None,
        recovered_fees: Fen::from_yuan(100),
        penalty_fees: Fen::from_yuan(300),
        status: TheftStatus::Pending,
        settled_on: None,
    })
}

fn report(generated: NaiveDate) -> CreditReport {
    let mut r = CreditReport::empty();
    r.generated_at = Some(NaiveDateTime::new(generated, chrono::NaiveTime::MIN));
    r.platform = Platform::CreditGuangdong;
    r.subject_name = Some(NAME.into());
    r.subject_code = Some(uscc(1));
    r.refresh_found();
    r
}

proptest! {
    /// Adding a dishonesty record never turns a failing verdict into a passing one.
    #[test]
    fn adding_a_dishonesty_record_never_helps(
        existing in proptest::collection::vec(0u32..2000, 0..4),
        added in 0u32..2000,
        age in 0u32..9,
        signed in any::<bool>(),
        business in any::<bool>(),
    ) {
        let today = d(2026, 11, 28);
        let days = |n: u32| today - chrono::Days::new(u64::from(n));
        let before: Vec<Record> = existing.iter().map(|n| theft(days(*n))).collect();
        let mut after = before.clone();
        after.push(theft(days(added)));
        let r = report(days(age));
        let facts = SubjectFacts {
            name: NAME.into(),
            code: uscc(1),
            founded_on: Some(d(2010, 1, 1)),
            supply_start: Some(d(2012, 1, 1)),
        };
        let input = |records: &[Record]| {
            let i = CheckInput {
                today,
                subject: facts.clone(),
                records,
                breaches: &[],
                credit: &xinyidian_core::domain::credit::NO_MARKS,
                report: Some((&r, "报告".to_string())),
                letter: if signed {
                    LetterState::Signed { code: "44080020261101000001".into(), signed_on: d(2026, 11, 1) }
                } else {
                    LetterState::None
                },
                business: business.then_some(BusinessRequest {
                    business: Business::NewConnection,
                    account_no: None,
                    usage_address: None,
                    park: ParkMatch::Unknown,
                }),
                settings: CheckSettings::default(),
                lists: None,
            };
            check(&i)
        };
        let v0 = input(&before);
        let v1 = input(&after);
        prop_assert!(!v1.trustworthy || v0.trustworthy);
        prop_assert!(v1.eligible != Some(true) || v0.eligible == Some(true));
        for (a, b) in v0.rules.iter().zip(&v1.rules) {
            prop_assert!(!(a.outcome == RuleOutcome::Fail && b.outcome == RuleOutcome::Pass));
        }
    }
}

// ---- the stored standing follows every event (issue: stale 守信用电主体 after a breach) ----

/// The fixture subject, clean report imported, letter issued and signed: a 守信用电主体 without
/// anyone having pressed 核查.
fn trusted_fixture(desk: &mut Desk) -> xinyidian_core::domain::subject::SubjectId {
    let s = fixture_subject(desk);
    desk.update_subject(
        s,
        &SubjectDraft {
            legal_rep_name: "陈海明".into(),
            ..SubjectDraft::from_subject(&desk.subject(s).unwrap())
        },
    )
    .unwrap();
    import_fixture(desk, s, &fx::clean_org_report());
    let mut f = desk.letter_fields_for(s).unwrap();
    f.relation = Some(xinyidian_core::domain::letter::Relation::Tenant);
    f.legal_rep_id_number = "11010519491231002X".into();
    let c = desk
        .issue_letter(s, Business::NewConnection, &f)
        .unwrap()
        .commitment;
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("已签承诺书.pdf");
    std::fs::write(&scan, "%PDF-1.4 signed scan").unwrap();
    desk.attach_signed_letter(c.id, &scan).unwrap();
    s
}

xinyidian_core::on_both_engines! {
fn signing_the_letter_makes_the_stored_standing_trusted_and_a_theft_record_ends_it() {
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 5, 6));
    let s = trusted_fixture(&mut desk);
    let st = desk
        .trust_status(s)
        .unwrap()
        .expect("standing stored with the signed letter");
    assert!(st.trustworthy, "{st:?}");
    assert!(
        desk.trusted_subjects()
            .unwrap()
            .iter()
            .any(|r| r.subject_id == s)
    );
    let live = desk.standing(s).unwrap();
    assert!(live.trustworthy);
    assert_eq!(live.dishonesty_records, 0);

    // A theft record imported for its account: the list drops it in the same transaction.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("窃电.csv");
    std::fs::write(
        &f,
        format!(
            "用户名称,统一社会信用代码,用户编号,窃电发现日期,补缴电费金额,违约使用电费金额\n{},{},0309876543,2026-01-10,1200,3600\n",
            fx::ORG_NAME,
            fx::uscc()
        ),
    )
    .unwrap();
    desk.import_records(&f, None, ImportOptions::default(), &Progress::new())
        .unwrap();
    let st = desk.trust_status(s).unwrap().unwrap();
    assert!(!st.trustworthy, "{st:?}");
    assert!(
        !desk
            .trusted_subjects()
            .unwrap()
            .iter()
            .any(|r| r.subject_id == s)
    );
    let live = desk.standing(s).unwrap();
    assert!(!live.trustworthy);
    assert_eq!(live.dishonesty_records, 1);
    assert!(live.incentives.is_empty());
}
}

xinyidian_core::on_both_engines! {
fn eleven_days_of_use_is_no_three_year_record_but_enough_for_xinyidian() {
    // RULES.md T-2: the shortened window is 信易电's (T-6) only.
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 5, 6));
    let s = trusted_fixture(&mut desk);
    let account = desk.subject(s).unwrap().accounts[0].clone();
    desk.update_account(
        account.id,
        &AccountDraft {
            account_no: account.account_no.clone(),
            usage_address: account.usage_address.clone(),
            supply_start: "2026-04-25".into(),
        },
    )
    .unwrap();
    let v = desk
        .run_check(s, Some(Business::NewConnection), Some("0309876543"))
        .unwrap()
        .verdict;
    let t1b = v.rule(Rule::T1b).unwrap();
    assert_eq!(t1b.outcome, RuleOutcome::Fail, "{t1b:?}");
    assert!(
        t1b.evidence
            .iter()
            .any(|e| e.contains("用电未满 3 年") && e.contains("2026-04-25")),
        "{t1b:?}"
    );
    assert!(!v.trustworthy);
    assert!(v.incentives.is_empty());
    assert_eq!(v.rule(Rule::T6Power).unwrap().outcome, RuleOutcome::Pass);
    assert_eq!(v.eligible, Some(true), "{v:#?}");
    // The stored standing agrees, without a separate check.
    assert!(!desk.trust_status(s).unwrap().unwrap().trustworthy);
}
}
