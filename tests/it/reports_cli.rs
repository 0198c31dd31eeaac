//! The `report` commands through the built binary (rules T-3, T-4): import, show, list and a
//! refusal. The desk side of report imports is the core's `reports` tests; the report PDF comes
//! from the generator in `xinyidian_core::dev::report_pdf`, generated on 2026-05-04 19:02:57.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::cli::run_on as run;
use xinyidian_core::dev::report_pdf as fx;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", out(o)))
}

#[test]
fn cli_report_import_show_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("counter.sqlite3");
    let day = "2026-05-06";
    let o = run(
        &db,
        day,
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
    );
    assert!(o.status.success(), "{}", err(&o));
    let code = fx::uscc();
    let o = run(
        &db,
        day,
        &[
            "subject",
            "add",
            "--kind",
            "法人",
            "--name",
            fx::ORG_NAME,
            "--code",
            &code,
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let f = write(dir.path(), "adverse.pdf", &fx::adverse_org_report());
    let fs = f.to_string_lossy().into_owned();

    let o = run(&db, day, &["report", "import", &fs, "--subject", &code]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("已保存信用报告"), "{}", out(&o));
    let o = run(
        &db,
        day,
        &["--json", "report", "import", &fs, "--subject", &code],
    );
    assert!(o.status.success(), "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["outcome"], "already_imported");
    let id = v["report"]["id"].as_i64().unwrap();

    let o = run(&db, day, &["--json", "report", "show", &id.to_string()]);
    assert!(o.status.success(), "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["report_no"], fx::REPORT_NO);
    assert_eq!(v["generated_at"], "2026-05-04T00:00:00");
    assert_eq!(v["platform"], "信用中国");
    assert_eq!(v["subject_name"], fx::ORG_NAME);
    assert_eq!(v["subject_code"], code.as_str());
    assert_eq!(v["fresh"], true);
    let adverse = v["adverse"].as_array().unwrap();
    assert!(adverse.iter().any(|e| e["kind"] == "administrative_penalty"
        && e["kind_label"] == "行政处罚"
        && e["date"] == "2024-12-24"));
    // Fresh or not as of --date.
    let o = run(
        &db,
        "2026-05-20",
        &["--json", "report", "show", &id.to_string()],
    );
    let v = json(&o);
    assert_eq!(v["fresh"], false);
    assert_eq!(v["as_of"], "2026-05-20");
    let o = run(&db, "2026-05-20", &["report", "show", &id.to_string()]);
    assert!(
        out(&o).contains("已过期") && out(&o).contains("行政处罚"),
        "{}",
        out(&o)
    );

    let o = run(&db, day, &["report", "list", &code]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains(fx::REPORT_NO) && out(&o).contains("共 1 份"),
        "{}",
        out(&o)
    );

    // Refused: another subject's code. Exit 1, the reason on stderr, nothing stored.
    let o = run(
        &db,
        day,
        &[
            "subject",
            "add",
            "--kind",
            "法人",
            "--name",
            "湛江市坡头区南海水产有限公司",
            "--code",
            "91110108551385082Q",
        ],
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = run(
        &db,
        day,
        &["report", "import", &fs, "--subject", "91110108551385082Q"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("不一致"), "{}", err(&o));
    let o = run(
        &db,
        day,
        &["--json", "report", "list", "91110108551385082Q"],
    );
    assert_eq!(json(&o), serde_json::json!([]));
}
