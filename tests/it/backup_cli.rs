//! `backup`, `db check` and `settings backup` through the built binary (issue 20).

use std::path::Path;
use std::process::Output;

use crate::support;
use crate::support::cli::ok;

fn run(db: &Path, args: &[&str]) -> Output {
    support::cli::run(db, args)
}

#[test]
fn backup_list_verify_restore_and_check_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("counter.sqlite3");
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
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
    let shown = ok(&run(
        &db,
        &[
            "settings",
            "backup",
            "--dir",
            backups.to_str().unwrap(),
            "--keep",
            "3",
            "--schedule",
            "start",
        ],
    ));
    assert!(
        shown.contains("保留 3 份") && shown.contains("每天首次启动时"),
        "{shown}"
    );
    let bad = run(&db, &["settings", "backup", "--schedule", "半夜"]);
    assert!(!bad.status.success());

    let out = ok(&run(&db, &["backup", "now"]));
    assert!(
        out.contains("已备份到") && out.contains("检查通过"),
        "{out}"
    );
    let list = ok(&run(&db, &["backup", "list"]));
    assert!(list.contains("共 1 份"), "{list}");
    let file = list
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .nth(2)
        .unwrap()
        .to_string();
    let v = ok(&run(&db, &["backup", "verify", &file]));
    assert!(v.starts_with("检查通过"), "{v}");
    let c = ok(&run(&db, &["db", "check"]));
    assert!(c.contains("操作日志") && c.starts_with("检查通过"), "{c}");

    // Restore asks for --yes, then replaces the database and keeps the old one.
    let no = run(&db, &["backup", "restore", &file]);
    assert!(!no.status.success());
    assert!(String::from_utf8_lossy(&no.stderr).contains("--yes"));
    let r = ok(&run(&db, &["backup", "restore", &file, "--yes"]));
    assert!(r.contains("恢复前的数据库另存为"), "{r}");
    let audit = ok(&run(&db, &["audit", "verify"]));
    assert!(!audit.is_empty());

    // A corrupted file fails verification with exit status 1 or a refusal.
    let broken = dir.path().join("坏.sqlite3");
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len();
    for b in &mut bytes[n / 2..] {
        *b = 0x5A;
    }
    std::fs::write(&broken, bytes).unwrap();
    let v = run(&db, &["backup", "verify", broken.to_str().unwrap()]);
    assert!(!v.status.success());
}
