//! The command line, through the built binary.

use crate::support;

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const VALID_USCC: &str = "91440300708461136T";
const VALID_ID: &str = "11010519491231002X";

struct Env {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Env {
    /// A new database with the administrator A1 (every write below runs as A1).
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("counter.sqlite3");
        let env = Self { _dir: dir, db };
        let o = env.run(&[
            "operator",
            "add",
            "--staff-no",
            "A1",
            "--name",
            "管理员甲",
            "--role",
            "admin",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        env
    }

    fn run(&self, args: &[&str]) -> Output {
        support::cli::run(&self.db, args)
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn code_check_all_valid_exits_zero() {
    let env = Env::new();
    let o = env.run(&["code", "check", VALID_USCC, "11010519491231002x"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("91440300708461136T\t统一社会信用代码\t合法"),
        "{out}"
    );
    assert!(
        out.contains("11010519491231002X\t居民身份证号码\t合法"),
        "{out}"
    );
}

#[test]
fn code_check_json_and_failure_exit_status() {
    let env = Env::new();
    let full_width = "９１４４０３００７０８４６１１３６Ｔ";
    let o = env.run(&[
        "--json",
        "code",
        "check",
        full_width,
        "91440300708461136A",
        "110105491231002",
        "H12345678",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 4);
    assert_eq!(arr[0]["input"], full_width);
    assert_eq!(arr[0]["normalized"], VALID_USCC);
    assert_eq!(arr[0]["kind"], "uscc");
    assert_eq!(arr[0]["valid"], true);
    assert_eq!(arr[0]["error"], Value::Null);
    assert_eq!(arr[1]["valid"], false);
    assert!(arr[1]["error"].as_str().unwrap().contains("校验位应为 T"));
    assert_eq!(arr[2]["kind"], "resident_id");
    assert!(arr[2]["error"].as_str().unwrap().contains("15 位"));
    assert_eq!(arr[3]["kind"], "other");
    assert_eq!(arr[3]["valid"], true);
}

#[test]
fn subject_add_find_show_and_duplicate() {
    let env = Env::new();
    let o = env.run(&[
        "subject",
        "add",
        "--kind",
        "法人",
        "--name",
        "湛江市霞山区海港贸易有限公司",
        "--code",
        &VALID_USCC.to_lowercase(),
        "--legal-rep",
        "陈海",
        "--legal-rep-id",
        VALID_ID,
        "--founded",
        "2019-05-06",
        "--phone",
        "0759-2345678",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("已登记"));

    let o = env.run(&["--json", "subject", "find", "海港贸易"]);
    assert!(o.status.success());
    let v = json(&o);
    assert_eq!(v["hits"][0]["code"], VALID_USCC);
    assert_eq!(v["exact"], false);

    let o = env.run(&["--json", "subject", "show", VALID_USCC]);
    let v = json(&o);
    assert_eq!(v["name"], "湛江市霞山区海港贸易有限公司");
    assert_eq!(v["legal_rep"]["id_number"], VALID_ID);
    assert_eq!(v["founded_on"], "2019-05-06");

    let o = env.run(&[
        "subject",
        "add",
        "--kind",
        "法人及非法人组织",
        "--name",
        "另一家公司",
        "--code",
        VALID_USCC,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("已登记为“湛江市霞山区海港贸易有限公司”"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn invalid_subject_is_refused_and_nothing_written() {
    let env = Env::new();
    let o = env.run(&[
        "subject",
        "add",
        "--kind",
        "自然人",
        "--name",
        "李小梅",
        "--code",
        "110105194912310021",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("【代码/证件号码】校验位应为 X"), "{err}");
    let o = env.run(&["--json", "subject", "recent"]);
    assert_eq!(json(&o)["hits"].as_array().unwrap().len(), 0);

    let o = env.run(&[
        "subject", "add", "--kind", "公司", "--name", "x", "--code", "y",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("主体类别“公司”无法识别"));
}

#[test]
fn accounts_and_person_masking() {
    let env = Env::new();
    let o = env.run(&[
        "subject",
        "add",
        "--kind",
        "自然人",
        "--name",
        "李小梅",
        "--code",
        VALID_ID,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&[
        "account",
        "add",
        VALID_ID,
        "--account-no",
        "0300123456",
        "--address",
        "湛江经济技术开发区钢铁产业园区一路 8 号",
        "--since",
        "2021-03-01",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // By 用户编号: an exact hit, with the ID number masked in the list (rule ID-3).
    let v = json(&env.run(&["--json", "subject", "find", "0300123456"]));
    assert_eq!(v["exact"], true);
    assert_eq!(v["hits"][0]["code"], "110105********002X");
    // On the subject's own record the number is whole.
    let v = json(&env.run(&["--json", "subject", "show", "0300123456"]));
    assert_eq!(v["code"], VALID_ID);
    assert_eq!(v["accounts"][0]["supply_start"], "2021-03-01");
}

#[test]
fn edit_changes_only_given_fields() {
    let env = Env::new();
    env.run(&[
        "subject",
        "add",
        "--kind",
        "法人",
        "--name",
        "甲公司",
        "--code",
        VALID_USCC,
        "--phone",
        "13800138000",
    ]);
    let o = env.run(&["subject", "edit", VALID_USCC, "--name", "乙公司"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&env.run(&["--json", "subject", "show", VALID_USCC]));
    assert_eq!(v["name"], "乙公司");
    assert_eq!(v["phone"], "13800138000");
    let o = env.run(&["subject", "edit", VALID_USCC, "--phone", "12"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("联系电话"));
}

#[test]
fn database_that_is_not_sqlite_is_explained_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("报表.xlsx");
    let content = "PK\u{3}\u{4} not a database ".repeat(100);
    std::fs::write(&path, &content).unwrap();
    let o = support::cli::run(&path, &["subject", "recent"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("不是信易电数据库"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
}

#[test]
fn newer_database_is_refused() {
    let env = Env::new();
    assert!(env.run(&["subject", "recent"]).status.success());
    {
        let c = rusqlite::Connection::open(&env.db).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    let o = env.run(&["subject", "recent"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("较新版本"), "{}", stderr(&o));
}

#[test]
fn demo_is_deterministic_for_a_seed() {
    let a = Env::new();
    let b = Env::new();
    for env in [&a, &b] {
        let o = env.run(&["demo", "--subjects", "120", "--seed", "9"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let ra = json(&a.run(&["--json", "subject", "recent", "--limit", "200"]));
    let rb = json(&b.run(&["--json", "subject", "recent", "--limit", "200"]));
    assert_eq!(ra["hits"].as_array().unwrap().len(), 120);
    assert_eq!(ra, rb);
    let codes: Vec<String> = ra["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] != "natural_person")
        .map(|h| h["code"].as_str().unwrap().to_string())
        .collect();
    let refs: Vec<&str> = ["code", "check"]
        .into_iter()
        .chain(codes.iter().map(String::as_str))
        .collect();
    assert!(
        a.run(&refs).status.success(),
        "demo codes must all be valid"
    );
}

#[test]
fn writes_need_a_signed_in_operator_with_the_right_role() {
    let env = Env::new();
    let o = Command::new(env!("CARGO_BIN_EXE_xinyidian"))
        .args(["--db"])
        .arg(&env.db)
        .args([
            "subject", "add", "--kind", "法人", "--name", "甲", "--code", VALID_USCC,
        ])
        .env_remove("XINYIDIAN_OPERATOR")
        .env_remove("XINYIDIAN_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--operator"), "{}", stderr(&o));

    let o = env.run(&[
        "operator",
        "add",
        "--staff-no",
        "C1",
        "--name",
        "柜员丙",
        "--role",
        "柜员",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = env.run(&["--operator", "C1", "demo", "--subjects", "3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("需要管理员权限"), "{}", stderr(&o));
    let o = env.run(&[
        "--operator",
        "C1",
        "subject",
        "add",
        "--kind",
        "法人",
        "--name",
        "甲",
        "--code",
        VALID_USCC,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    let wrong = Command::new(env!("CARGO_BIN_EXE_xinyidian"))
        .arg("--db")
        .arg(&env.db)
        .args([
            "--operator",
            "C1",
            "subject",
            "edit",
            VALID_USCC,
            "--name",
            "乙",
        ])
        .env("XINYIDIAN_PASSWORD", "not-the-password")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("工号或密码不正确"));
}

#[test]
fn audit_verify_passes_then_names_a_tampered_row() {
    let env = Env::new();
    env.run(&[
        "subject",
        "add",
        "--kind",
        "法人",
        "--name",
        "甲公司",
        "--code",
        VALID_USCC,
    ]);
    let o = env.run(&["audit", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("操作日志完整"));
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute("UPDATE audit SET summary = '改过' WHERE seq = 2", [])
        .unwrap();
    let o = env.run(&["--json", "audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["intact"], false);
    assert!(v["broken"].as_str().unwrap().contains("第 2 条"));
}

#[test]
fn first_account_must_be_admin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite3");
    let o = support::cli::run(
        &db,
        &[
            "operator",
            "add",
            "--staff-no",
            "C1",
            "--name",
            "柜员",
            "--role",
            "clerk",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("第一个账号必须是管理员"));
}

// ---- issue 14, point 8: only our own files, never created on a read, read-only copies ----

fn table_count(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn another_programs_sqlite_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("微信.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE message (id INTEGER PRIMARY KEY, body TEXT);")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    for args in [
        &["subject", "recent"][..],
        &["audit", "verify"][..],
        &[
            "subject",
            "add",
            "--kind",
            "法人",
            "--name",
            "甲公司",
            "--code",
            VALID_USCC,
        ][..],
    ] {
        let o = support::cli::run(&path, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains("不是信易电数据库"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(table_count(&path), 1);
    let wal = dir.path().join("微信.db-wal");
    assert!(!wal.exists());
}

#[test]
fn a_mistyped_path_is_an_error_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo/counter.sqlite3");
    for args in [&["audit", "verify"][..], &["subject", "recent"][..]] {
        let o = support::cli::run(&path, args);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("数据库文件"), "{}", stderr(&o));
        assert!(stderr(&o).contains("不存在"), "{}", stderr(&o));
        assert!(!stdout(&o).contains("完整"), "{}", stdout(&o));
    }
    assert!(!dir.path().join("typo").exists());
}

#[test]
fn a_read_only_copy_can_be_read_and_verified() {
    let env = Env::new();
    let o = env.run(&[
        "subject",
        "add",
        "--kind",
        "法人",
        "--name",
        "甲公司",
        "--code",
        VALID_USCC,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let evidence = tempfile::tempdir().unwrap();
    let copy = evidence.path().join("证据.sqlite3");
    std::fs::copy(&env.db, &copy).unwrap();
    let head = |db: &std::path::Path| {
        let mut name = db.file_name().unwrap().to_os_string();
        name.push(".audit-head");
        db.with_file_name(name)
    };
    std::fs::copy(head(&env.db), head(&copy)).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [&copy, &head(&copy)] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
    }
    let o = support::cli::run(&copy, &["audit", "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("操作日志完整"), "{}", stdout(&o));
    assert!(stdout(&o).contains("锚定"), "{}", stdout(&o));
    let o = support::cli::run(&copy, &["subject", "find", "甲公司"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("甲公司"));
}

#[test]
fn audit_rows_keep_the_real_time_under_date() {
    let env = Env::new();
    let real = chrono::Local::now().date_naive();
    let o = env.run(&["--json", "audit", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json(&o);
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        let at = r["content"]["at"].as_str().unwrap();
        // Run near midnight, the action may have been yesterday.
        let day = chrono::NaiveDate::parse_from_str(&at[..10], "%Y-%m-%d").unwrap();
        assert!((real - day).num_days() <= 1, "stamped {at}");
        if day.to_string() != "2026-11-28" {
            assert_eq!(r["content"]["business_date"], "2026-11-28");
        }
    }
}

#[test]
fn settings_installation_sets_shows_refuses_and_clears_the_number() {
    let env = Env::new();
    let o = env.run(&["settings", "installation", "07"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("本机安装编号：07（承诺编码序号 070001–079999）"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = env.run(&["--json", "settings", "installation"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["installation_no"], 7);
    assert_eq!(v["serial_first"], 70001);
    let o = env.run(&["settings", "installation", "100"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("1 到 99"), "{}", stderr(&o));
    let o = env.run(&["settings", "installation", "--clear"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("未设置（承诺编码序号 000001–009999）"));
}
