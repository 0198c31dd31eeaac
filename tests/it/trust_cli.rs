//! `check`, `trusted`, `park`, `letter` and `commitment` through the built binary.

use crate::support;
use crate::support::cli::ok;

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const USCC: &str = "91440300708461136T";
const PW: &str = "counter-2026";

struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("counter.sqlite3");
        let env = Self { dir, db };
        ok(&env.run(&[
            "operator",
            "add",
            "--staff-no",
            "A1",
            "--name",
            "管理员甲",
            "--role",
            "admin",
        ]));
        ok(&env.run(&[
            "settings",
            "unit",
            "--uscc",
            &xinyidian_core::dev::test_unit().uscc,
        ]));
        ok(&env.run(&[
            "subject",
            "add",
            "--kind",
            "法人",
            "--name",
            "湛江市霞山区海港贸易有限公司",
            "--code",
            USCC,
            "--legal-rep",
            "陈海明",
            "--legal-rep-id",
            "11010519491231002X",
        ]));
        ok(&env.run(&[
            "account",
            "add",
            USCC,
            "--account-no",
            "0300123456",
            "--address",
            "湛江经济技术开发区石化产业园 8 号",
            "--since",
            "2019-01-01",
        ]));
        env
    }

    fn run(&self, args: &[&str]) -> Output {
        support::cli::run(&self.db, args)
    }
}

#[test]
fn check_json_has_every_rule_and_exits_zero_whatever_the_verdict() {
    let env = Env::new();
    let out = ok(&env.run(&[
        "--json",
        "check",
        USCC,
        "--business",
        "用电报装",
        "--account",
        "0300123456",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["subject"]["code"], USCC);
    assert_eq!(v["subject"]["name"], "湛江市霞山区海港贸易有限公司");
    assert_eq!(v["date"], "2026-11-28");
    assert_eq!(v["trustworthy"], false);
    assert_eq!(v["eligible"], false, "no credit report yet");
    let rules = v["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "T-1(a)", "T-1(b)", "T-6", "D-4", "T-1(c)", "T-3", "T-4", "T-5"
        ]
    );
    for r in rules {
        assert!(r["title"].is_string());
        assert!(r["evidence"].is_string());
        let o = r["outcome"].as_str().unwrap();
        assert!(
            ["pass", "fail", "pending", "not_applicable"].contains(&o),
            "{o}"
        );
    }
    // The park is only hinted by the address: pending until chosen on the account.
    assert_eq!(rules[7]["outcome"], "pending");
    ok(&env.run(&["park", "assign", "0300123456", "1"]));
    let out = ok(&env.run(&[
        "--json",
        "check",
        USCC,
        "--business",
        "用电报装",
        "--account",
        "0300123456",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rules"][7]["outcome"], "pass");

    // Without a business, eligibility is null and T-3..T-5 do not apply.
    let out = ok(&env.run(&["--json", "check", USCC]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["eligible"].is_null());
    assert_eq!(v["rules"][5]["outcome"], "not_applicable");
}

#[test]
fn unknown_subject_and_bad_business_are_clear_errors() {
    let env = Env::new();
    let o = env.run(&["check", "91440800MA4UMB8E0X"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("未找到"));
    let o = env.run(&["check", USCC, "--business", "销户"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("用电报装 或 更名过户"));
}

#[test]
fn check_all_and_trusted_export() {
    let env = Env::new();
    let out = ok(&env.run(&["--json", "check", "--all"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["subjects"], 1);
    assert_eq!(v["trustworthy"], 0);
    let xlsx = env.dir.path().join("守信用电主体.xlsx");
    ok(&env.run(&["trusted", "export", "--out", xlsx.to_str().unwrap()]));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
}

#[test]
fn letter_issues_once_reprints_the_same_code_and_attach_finalises() {
    let env = Env::new();
    let pdf = env.dir.path().join("承诺书.pdf");
    let out = ok(&env.run(&[
        "--json",
        "letter",
        USCC,
        "--out",
        pdf.to_str().unwrap(),
        "--relation",
        "租户",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["承诺编码"], "44080020261128000001");
    assert_eq!(v["承诺类型"], "证明事项型");
    assert_eq!(v["公开类型"], "可向社会公开");
    assert_eq!(v["承诺履行状态"], "");
    assert_eq!(v["reused"], false);
    let first = std::fs::read(&pdf).unwrap();
    assert!(first.starts_with(b"%PDF"));

    let out = ok(&env.run(&[
        "--json",
        "letter",
        USCC,
        "--out",
        pdf.to_str().unwrap(),
        "--relation",
        "租户",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["承诺编码"], "44080020261128000001");
    assert_eq!(v["reused"], true);
    assert_eq!(std::fs::read(&pdf).unwrap(), first);
    let list: Value =
        serde_json::from_str(&ok(&env.run(&["--json", "commitment", "list", USCC]))).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Missing relation: a clear message, exit 1.
    let o = env.run(&["letter", USCC, "--out", pdf.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("业主或租户"));

    let scan = env.dir.path().join("已签.jpg");
    std::fs::write(
        &scan,
        [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'],
    )
    .unwrap();
    let out = ok(&env.run(&[
        "--json",
        "commitment",
        "attach",
        "44080020261128000001",
        scan.to_str().unwrap(),
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["signed"], true);
    assert_eq!(v["verdict"]["rules"][0]["outcome"], "pass");
}

#[test]
fn a_case_from_letter_to_breach_and_the_next_check_fails_d4() {
    let env = Env::new();
    let pdf = env.dir.path().join("承诺书.pdf");
    ok(&env.run(&[
        "letter",
        USCC,
        "--out",
        pdf.to_str().unwrap(),
        "--relation",
        "业主",
    ]));
    let code = "44080020261128000001";
    let v: Value = serde_json::from_str(&ok(&env.run(&[
        "--json",
        "case",
        "open",
        code,
        "--account",
        "0300123456",
    ])))
    .unwrap();
    assert_eq!(v["status"], "accepted");
    let id = v["id"].to_string();
    let v: Value =
        serde_json::from_str(&ok(&env.run(&["--json", "case", "connect", &id]))).unwrap();
    assert_eq!(v["deadline"], "2027-11-28");
    let list: Value = serde_json::from_str(&ok(&env.run(&[
        "--json",
        "cases",
        "list",
        "--due-within",
        "365",
    ])))
    .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["phone"], serde_json::Value::String(String::new()));

    // Before the deadline a breach is refused; after it, a supervisor (A1 is admin) decides.
    let o = env.run(&["case", "breach", &id, "--reason", "未补交物业权属证明"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("尚未届满"));
    let late = |args: &[&str]| {
        let mut a = vec!["--date", "2027-12-01"];
        a.extend_from_slice(args);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run_late = |args: &[&str]| {
        let a = late(args);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        Command::new(env!("CARGO_BIN_EXE_xinyidian"))
            .arg("--db")
            .arg(&env.db)
            .args(&refs)
            .env_remove("XINYIDIAN_DB")
            .env("XINYIDIAN_OPERATOR", "A1")
            .env("XINYIDIAN_PASSWORD", PW)
            .output()
            .unwrap()
    };
    let overdue: Value =
        serde_json::from_str(&ok(&run_late(&["--json", "cases", "list", "--overdue"]))).unwrap();
    assert_eq!(overdue.as_array().unwrap().len(), 1);
    ok(&run_late(&[
        "case",
        "breach",
        &id,
        "--reason",
        "未补交物业权属证明",
    ]));
    let v: Value = serde_json::from_str(&ok(&run_late(&["--json", "check", USCC]))).unwrap();
    let d4 = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "D-4")
        .unwrap()
        .clone();
    assert_eq!(d4["outcome"], "fail", "{d4}");
}

#[test]
fn a_closed_output_pipe_ends_the_command_quietly() {
    // `xinyidian check … --json | head -c 1`: the reader goes away before the output is written.
    let env = Env::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xinyidian"))
        .args(["--db"])
        .arg(&env.db)
        .args(["--date", "2026-11-28", "--json", "park", "list"])
        .env_remove("XINYIDIAN_DB")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "a panic's exit status");
}
