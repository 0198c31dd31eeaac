//! `repair`, `objection`, `calendar` and `settings grade|limits` through the built binary
//! (issue 19, rules X-1..X-3).

use std::path::Path;
use std::process::Output;

use crate::support;
use crate::support::cli::{fails, ok};

const USCC: &str = "91440300708461136T";

fn run(db: &Path, args: &[&str]) -> Output {
    support::cli::run(db, args)
}

/// A database with A1, one subject and an arrears record dishonest since 2026-07-06 (reminded
/// 2026-01-05), so repairable (一般: from 2026-10-06) on 2026-11-28.
fn setup(dir: &Path) -> (std::path::PathBuf, String) {
    let db = dir.join("counter.sqlite3");
    ok(&run(
        &db,
        &[
            "operator",
            "add",
            "--staff-no",
            "A1",
            "--name",
            "管理员甲",
            "--role",
            "admin",
        ],
    ));
    ok(&run(
        &db,
        &[
            "subject",
            "add",
            "--kind",
            "法人",
            "--name",
            "湛江市霞山区海港贸易有限公司",
            "--code",
            USCC,
        ],
    ));
    let header = "机构名称,统一社会信用代码,用户编号,欠缴类型名称,欠缴统计开始日,欠缴统计截止日,欠费金额,认定机构,认定机构统一社会信用代码,认定日期,催告日期,正当理由,结清日期";
    let f = dir.join("欠费.csv");
    std::fs::write(
        &f,
        format!("{header}\n湛江市霞山区海港贸易有限公司,{USCC},,电费,2025-10-01,2025-12-31,\"20,000.00\",湛江供电局,,,2026-01-05,,\n"),
    )
    .unwrap();
    ok(&run(&db, &["records", "import", f.to_str().unwrap()]));
    let list = ok(&run(&db, &["records", "list", USCC]));
    let id = list
        .lines()
        .find(|l| l.contains("失信记录"))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("{list}"))
        .to_string();
    (db, id)
}

#[test]
fn a_repair_runs_from_the_command_line_and_the_record_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, rec) = setup(dir.path());
    assert!(rec.starts_with('R'), "{rec}");
    let receipt = dir.path().join("收据.png");
    std::fs::write(&receipt, b"\x89PNG\r\n\x1a\n receipt").unwrap();
    let pdf = dir.path().join("信用修复承诺书.pdf");
    let out = ok(&run(
        &db,
        &[
            "repair",
            "open",
            "--subject",
            USCC,
            "--record",
            &rec,
            "--route",
            "arrears",
            "--statement",
            "已缴清欠费及违约金",
            "--evidence",
            &format!("{}=缴费凭证", receipt.display()),
            "--out",
            pdf.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("已登记信用修复申请 1"), "{out}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    // Repair needs the signed letter.
    ok(&run(&db, &["repair", "decide", "1", "accept"]));
    ok(&run(&db, &["repair", "decide", "1", "review"]));
    let e = fails(&run(&db, &["repair", "decide", "1", "repair"]));
    assert!(e.contains("信用修复承诺书"), "{e}");
    let signed = dir.path().join("已签.pdf");
    std::fs::write(&signed, b"%PDF-1.4 signed").unwrap();
    ok(&run(
        &db,
        &["repair", "attach", "1", signed.to_str().unwrap()],
    ));
    // A refusal without a reason is refused.
    let e = fails(&run(&db, &["repair", "decide", "1", "reject"]));
    assert!(e.contains("理由"), "{e}");
    ok(&run(&db, &["repair", "decide", "1", "repair"]));
    let show = ok(&run(&db, &["repair", "show", "1"]));
    assert!(
        show.contains("已修复") && show.contains("修复日期：2026-11-28"),
        "{show}"
    );
    let list = ok(&run(&db, &["records", "list", USCC]));
    assert!(list.contains("【已修复（2026-11-28）】"), "{list}");
    let open = ok(&run(&db, &["repair", "list", "--open"]));
    assert!(open.contains("共 0 件"), "{open}");
}

#[test]
fn objections_calendar_and_settings_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (db, rec) = setup(dir.path());
    let sealed = dir.path().join("承诺书.jpg");
    std::fs::write(&sealed, b"\xff\xd8\xff\xe0 jpeg").unwrap();
    let e = fails(&run(
        &db,
        &[
            "objection",
            "open",
            "--subject",
            USCC,
            "--record",
            &rec,
            "--ground",
            "没理由",
            "--statement",
            "x",
            "--sealed",
            sealed.to_str().unwrap(),
        ],
    ));
    assert!(e.contains("异议理由“没理由”无法识别"), "{e}");
    let out = ok(&run(
        &db,
        &[
            "objection",
            "open",
            "--subject",
            USCC,
            "--record",
            &rec,
            "--ground",
            "错误",
            "--statement",
            "催告日期有误",
            "--sealed",
            sealed.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("异议中"), "{out}");
    let list = ok(&run(&db, &["records", "list", USCC]));
    assert!(list.contains("【异议中】"), "{list}");
    ok(&run(&db, &["objection", "decide", "1", "accept"]));
    ok(&run(&db, &["objection", "decide", "1", "verify"]));
    ok(&run(
        &db,
        &[
            "objection",
            "decide",
            "1",
            "uphold",
            "--reason",
            "经核实催告记录无误",
        ],
    ));
    let show = ok(&run(&db, &["objection", "show", "1"]));
    assert!(
        show.contains("不予更正") && show.contains("经核实催告记录无误"),
        "{show}"
    );

    // Grades and limits are settings.
    let g = ok(&run(&db, &["settings", "grade"]));
    assert!(g.contains("D-2") && g.contains("严重"), "{g}");
    let g = ok(&run(&db, &["settings", "grade", "D-1", "严重"]));
    assert!(g.lines().next().unwrap().contains("严重"), "{g}");
    let l = ok(&run(&db, &["settings", "limits", "--accept", "3"]));
    assert!(l.contains("受理 3"), "{l}");
    assert!(fails(&run(&db, &["settings", "limits", "--decide", "0"])).contains("决定时限"));

    // The calendar: shipped years, an import replacing one.
    let cal = ok(&run(&db, &["calendar", "list", "--year", "2026"]));
    assert!(cal.contains("2026-10-10\t上班"), "{cal}");
    let f = dir.path().join("2027.csv");
    std::fs::write(
        &f,
        "日期,类型,名称\n2027-10-01,放假,国庆节\n2027-10-09,上班,国庆节调休\n",
    )
    .unwrap();
    ok(&run(&db, &["calendar", "import", f.to_str().unwrap()]));
    let cal = ok(&run(&db, &["calendar", "list", "--year", "2027"]));
    assert!(
        cal.contains("2027-10-09\t上班") && cal.contains("共 2 天"),
        "{cal}"
    );
}
