//! The exchange with 湛江市公共信用信息共享平台 through the desk (issue 18, rules E-1..E-3):
//! incremental batches and their watermark, feedback, byte-identical rewrites, list snapshots
//! deciding T-1(c), and who may do it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use xinyidian_core::desk::{Desk, DeskError, ExportOptions, FixedClock, ImportOptions, Progress};
use xinyidian_core::documents::platform::BatchFormat;
use xinyidian_core::domain::commitment::AcceptingUnit;
use xinyidian_core::domain::id_codes::uscc_check_char;
use xinyidian_core::domain::platform::{Catalog, PlatformClass};
use xinyidian_core::domain::subject::{SubjectDraft, SubjectId, SubjectKind};
use xinyidian_core::domain::trust::{Rule, RuleOutcome};
use xinyidian_core::store::Store;

use crate::support::{PW, d, uscc};

/// [`support::desk_at`] with the accepting unit set (the platform requires its USCC).
fn desk_at(store: Store, today: NaiveDate) -> Desk {
    let mut desk = crate::support::desk_at(store, today);
    desk.set_accepting_unit(&AcceptingUnit {
        name: "广东电网有限责任公司湛江供电局".into(),
        uscc: {
            let body = "91440800190364217";
            format!("{body}{}", uscc_check_char(body).unwrap())
        },
    })
    .unwrap();
    desk
}

fn subject(desk: &mut Desk, n: u32, name: &str) -> SubjectId {
    desk.create_subject(&SubjectDraft {
        kind: SubjectKind::Organization,
        name: name.into(),
        code: uscc(n),
        founded_on: "2010-05-01".into(),
        ..SubjectDraft::default()
    })
    .unwrap()
}

const PAYMENT_HEADER: &str = "机构名称,统一社会信用代码,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期";

/// Import payments: (subject number, name, month, 使用量).
fn import_payments(desk: &mut Desk, dir: &Path, rows: &[(u32, &str, u32, u32)]) {
    let mut text = format!("{PAYMENT_HEADER}\n");
    for (n, name, m, used) in rows {
        text.push_str(&format!(
            "{name},{},电费,否,2025-{m:02}-01,2025-{m:02}-28,{used},千瓦时,100,湛江供电局,,2025-{m:02}-28\n",
            uscc(*n)
        ));
    }
    let f = dir.join("缴费.csv");
    std::fs::write(&f, text).unwrap();
    desk.import_records(&f, None, ImportOptions::default(), &Progress::new())
        .unwrap();
}

fn export(desk: &mut Desk, out: &Path) -> xinyidian_core::desk::ExportSummary {
    desk.platform_export(
        &ExportOptions {
            classes: vec![PlatformClass::Payment],
            format: BatchFormat::CsvBom,
            dry_run: false,
        },
        out,
        &Progress::new(),
    )
    .unwrap()
}

fn payment_class(s: &xinyidian_core::desk::ExportSummary) -> &xinyidian_core::desk::ClassCount {
    &s.classes[0]
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "no BOM: {}",
        path.display()
    );
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    r.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn sha(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

xinyidian_core::on_both_engines! {
fn batches_send_what_changed_once_and_nothing_when_nothing_changed() {
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 28));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    subject(&mut desk, 1, "湛江市甲公司");
    subject(&mut desk, 2, "湛江市乙公司");
    import_payments(&mut desk, dir.path(), &[(1, "湛江市甲公司", 1, 800), (2, "湛江市乙公司", 1, 500)]);

    // A dry run counts and writes nothing.
    let dry = desk
        .platform_export(
            &ExportOptions { classes: vec![PlatformClass::Payment], dry_run: true, ..ExportOptions::default() },
            &out,
            &Progress::new(),
        )
        .unwrap();
    assert_eq!(payment_class(&dry).new, 2);
    assert!(files_of(&out).is_empty());

    let first = export(&mut desk, &out);
    assert_eq!((payment_class(&first).new, first.rows()), (2, 2));
    let batch_dir = first.dir.clone().unwrap();
    let rows = read_csv(&batch_dir.join("公用事业缴费信息.csv"));
    // The header is the catalog's (annex 4's) columns exactly, one row per record.
    let catalog = Catalog::builtin();
    assert_eq!(rows[0], catalog.class(PlatformClass::Payment).unwrap().columns);
    assert_eq!(rows.len(), 3);
    assert!(rows[1].contains(&uscc(1)), "{:?}", rows[1]);
    assert!(batch_dir.join("变更清单.csv").exists() && batch_dir.join("批次说明.csv").exists());

    // While the batch awaits the platform, no second batch.
    let e = desk
        .platform_export(&ExportOptions { classes: vec![PlatformClass::Payment], ..ExportOptions::default() }, &out, &Progress::new())
        .unwrap_err();
    assert!(e.to_string().contains("尚待平台反馈"), "{e}");

    let no = first.batch_no.clone().unwrap();
    desk.platform_accept(&no).unwrap();
    // Nothing changed: an empty batch.
    let second = export(&mut desk, &out);
    assert_eq!(second.rows(), 0);
    desk.platform_accept(second.batch_no.as_deref().unwrap()).unwrap();

    // A correction (使用量 is not part of a payment's key) appears once, as 更正.
    import_payments(&mut desk, dir.path(), &[(1, "湛江市甲公司", 1, 810)]);
    let third = export(&mut desk, &out);
    let c = payment_class(&third);
    assert_eq!((c.new, c.corrected, c.withdrawn), (0, 1, 0));
    let manifest = read_csv(&third.dir.clone().unwrap().join("变更清单.csv"));
    assert_eq!(manifest[1][3], "更正");
    desk.platform_accept(third.batch_no.as_deref().unwrap()).unwrap();
    assert_eq!(export(&mut desk, &out).rows(), 0);

    // Every batch is recorded; the audit trail names each step.
    assert_eq!(desk.platform_batches().unwrap().len(), 4);
}
}

xinyidian_core::on_both_engines! {
fn feedback_marks_the_refused_rows_and_they_are_sent_again_once_corrected() {
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 28));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    subject(&mut desk, 1, "湛江市甲公司");
    let second = subject(&mut desk, 2, "湛江市乙公司");
    import_payments(&mut desk, dir.path(), &[(1, "湛江市甲公司", 1, 800), (2, "湛江市乙公司", 1, 500)]);
    let first = export(&mut desk, &out);
    let no = first.batch_no.clone().unwrap();

    // A feedback file for another batch: refused, nothing changes.
    let other = dir.path().join("其他批次反馈.csv");
    std::fs::write(&other, "批次号,信息类,行号,原因\n440800-20200101-001,公用事业缴费信息,2,数据格式错误\n").unwrap();
    let e = desk.platform_feedback(&other).unwrap_err();
    assert!(e.to_string().contains("440800-20200101-001"), "{e}");
    // A row the batch never sent: named, nothing applied.
    let unknown = dir.path().join("未知行.csv");
    std::fs::write(&unknown, format!("批次号,信息类,行号,原因\n{no},公用事业缴费信息,9,数据重复\n")).unwrap();
    let e = desk.platform_feedback(&unknown).unwrap_err();
    assert!(e.to_string().contains("第 9 行"), "{e}");
    assert_eq!(desk.platform_batches().unwrap()[0].status, "pending");

    // The second data row (Excel row 3) is refused.
    let fb = dir.path().join("反馈.csv");
    std::fs::write(&fb, format!("批次号,信息类,行号,原因\n{no},公用事业缴费信息,3,数据格式错误\n")).unwrap();
    let s = desk.platform_feedback(&fb).unwrap();
    assert_eq!((s.refused, s.accepted), (1, 1));
    let refused = desk.platform_refusals(&no).unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].row, 3);
    assert_eq!(refused[0].reason, "数据格式错误");
    // The record itself says so wherever it is shown.
    let views = desk.records_of(second).unwrap();
    let shown = views[0].platform_refusal.as_deref().unwrap_or_default();
    assert!(shown.contains("数据格式错误") && shown.contains(&no), "{shown}");
    // Unchanged, it is not sent again; corrected, it is (as 新增: the platform never took it).
    let again = export(&mut desk, &out);
    assert_eq!((again.rows(), payment_class(&again).still_refused), (0, 1));
    desk.platform_accept(again.batch_no.as_deref().unwrap()).unwrap();
    import_payments(&mut desk, dir.path(), &[(2, "湛江市乙公司", 1, 501)]);
    let fixed = export(&mut desk, &out);
    let c = payment_class(&fixed);
    assert_eq!((c.new, c.corrected), (1, 0));
}
}

xinyidian_core::on_both_engines! {
fn a_batch_is_written_again_byte_for_byte_after_the_data_changed() {
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 28));
    let dir = tempfile::tempdir().unwrap();
    let (out, again) = (dir.path().join("out"), dir.path().join("again"));
    std::fs::create_dir(&out).unwrap();
    std::fs::create_dir(&again).unwrap();
    subject(&mut desk, 1, "湛江市甲公司");
    import_payments(&mut desk, dir.path(), &[(1, "湛江市甲公司", 1, 800), (1, "湛江市甲公司", 2, 700)]);
    let first = desk
        .platform_export(&ExportOptions::default(), &out, &Progress::new())
        .unwrap();
    import_payments(&mut desk, dir.path(), &[(1, "湛江市甲公司", 1, 999)]);
    let no = first.batch_no.clone().unwrap();
    let rewritten = desk.platform_rewrite(&no, &again).unwrap();
    let (a, b) = (files_of(&first.dir.unwrap()), files_of(&rewritten));
    assert_eq!(a.len(), b.len());
    assert!(a.iter().any(|p| p.extension().is_some_and(|e| e == "xlsx")));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.file_name(), y.file_name());
        assert_eq!(sha(x), sha(y), "{} differs", x.display());
    }
}
}

fn list_file(dir: &Path, rows: &[(&str, &str, &str, &str)]) -> PathBuf {
    let mut text =
        String::from("名称,统一社会信用代码,名单类型,列入日期,列入原因,认定机关,移出日期\n");
    for (name, code, list, listed) in rows {
        text.push_str(&format!(
            "{name},{code},{list},{listed},拒不履行法定义务,湛江市发展和改革局,\n"
        ));
    }
    let f = dir.join("严重失信主体名单.csv");
    std::fs::write(&f, text).unwrap();
    f
}

fn t1c(desk: &mut Desk, s: SubjectId) -> (RuleOutcome, Vec<String>) {
    let v = desk.run_check(s, None, None).unwrap().verdict;
    let r = v.rule(Rule::T1c).unwrap();
    (r.outcome, r.evidence.clone())
}

xinyidian_core::on_both_engines! {
fn a_list_snapshot_decides_t1c_for_every_subject_until_it_is_stale() {
    let store = xinyidian_core::dev::engines::fresh_store();
    let mut desk = desk_at(store, d(2026, 11, 28));
    let dir = tempfile::tempdir().unwrap();
    let listed = subject(&mut desk, 1, "湛江市甲公司");
    let clean = subject(&mut desk, 2, "湛江市乙公司");
    // Without a snapshot (and without a report) T-1(c) waits for a report.
    assert_eq!(t1c(&mut desk, clean).0, RuleOutcome::Pending);

    let f = list_file(dir.path(), &[("湛江市甲公司", &uscc(1), "严重失信主体名单", "2025-03-05")]);
    let s = desk.import_list_snapshot(&f, Some(d(2026, 11, 20)), &Progress::new()).unwrap();
    assert_eq!((s.entries, s.serious), (1, 1));
    assert_eq!(s.newly_listed.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![listed]);
    let (o, ev) = t1c(&mut desk, listed);
    assert_eq!(o, RuleOutcome::Fail);
    assert!(ev[0].contains("2025-03-05 列入") && ev[0].contains("湛江市发展和改革局"), "{ev:?}");
    let (o, ev) = t1c(&mut desk, clean);
    assert_eq!(o, RuleOutcome::Pass);
    assert!(ev[0].contains("未列入（名单截至 2026-11-20）"), "{ev:?}");
    // The nightly check uses it too.
    let all = desk.check_all(&Progress::new()).unwrap();
    assert_eq!(all.list_as_of, Some(d(2026, 11, 20)));

    // Two months later the snapshot is stale: pending again, with its date.
    let store = desk.into_store();
    let mut later = Desk::new(store, Box::new(FixedClock::At(d(2027, 1, 28).and_hms_opt(9, 0, 0).unwrap())));
    later.sign_in("A1", PW).unwrap();
    let (o, ev) = t1c(&mut later, clean);
    assert_eq!(o, RuleOutcome::Pending);
    assert!(ev[0].contains("名单截至 2026-11-20"), "{ev:?}");
}
}

xinyidian_core::on_both_engines! {
fn a_list_with_a_broken_code_is_refused_with_the_row_and_nothing_imported() {
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 28));
    let dir = tempfile::tempdir().unwrap();
    let mut bad = uscc(1);
    bad.pop();
    bad.push(if uscc(1).ends_with('0') { '1' } else { '0' });
    let f = list_file(dir.path(), &[("湛江市甲公司", &uscc(2), "严重失信主体名单", "2025-03-05"), ("湛江市乙公司", &bad, "严重失信主体名单", "2025-03-05")]);
    let e = desk.import_list_snapshot(&f, Some(d(2026, 11, 20)), &Progress::new()).unwrap_err();
    assert!(e.to_string().contains("第 3 行"), "{e}");
    assert!(desk.list_snapshots().unwrap().is_empty());
    // A snapshot dated after today is refused too.
    let f = list_file(dir.path(), &[("湛江市甲公司", &uscc(2), "严重失信主体名单", "2025-03-05")]);
    let e = desk.import_list_snapshot(&f, Some(d(2026, 12, 20)), &Progress::new()).unwrap_err();
    assert!(e.to_string().contains("晚于今天"), "{e}");
}
}

xinyidian_core::on_both_engines! {
fn a_clerk_may_not_export_or_import_lists() {
    let mut desk = desk_at(xinyidian_core::dev::engines::fresh_store(), d(2026, 11, 28));
    desk.sign_in("C1", PW).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = desk.platform_export(&ExportOptions::default(), dir.path(), &Progress::new()).unwrap_err();
    assert!(matches!(e, DeskError::Forbidden { .. }), "{e}");
    let f = list_file(dir.path(), &[("湛江市甲公司", &uscc(2), "严重失信主体名单", "2025-03-05")]);
    let e = desk.import_list_snapshot(&f, Some(d(2026, 11, 20)), &Progress::new()).unwrap_err();
    assert!(matches!(e, DeskError::Forbidden { .. }), "{e}");
}
}
