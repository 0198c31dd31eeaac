//! The built binary, run against a test database as the administrator A1.

use std::path::Path;
use std::process::{Command, Output};

use super::counter::PW;

/// Run `xinyidian --db DB --date 2026-11-28 ARGS…` signed in as A1.
pub fn run(db: &Path, args: &[&str]) -> Output {
    run_on(db, "2026-11-28", args)
}

/// Run the binary as of `date` (the CLI's `--date`), signed in as A1; a first password change,
/// when asked for, keeps the same password.
pub fn run_on(db: &Path, date: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xinyidian"))
        .arg("--db")
        .arg(db)
        .arg("--date")
        .arg(date)
        .args(args)
        .env_remove("XINYIDIAN_DB")
        .env("XINYIDIAN_OPERATOR", "A1")
        .env("XINYIDIAN_PASSWORD", PW)
        .env("XINYIDIAN_NEW_PASSWORD", PW)
        .output()
        .unwrap()
}

/// The command's stdout, after asserting that it succeeded (both streams shown otherwise).
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The command's stderr, after asserting that it failed.
pub fn fails(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}
