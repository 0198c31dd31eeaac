//! The Debian package (issue 20, point 4): built from the test binary by
//! `packaging/deb/build-deb.sh`, then checked by `packaging/deb/test-deb.sh` — control fields,
//! dependencies satisfied here, installed into a fresh root, `--version` from the installed
//! binary, and the first frame under Xvfb.

use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
#[cfg(target_os = "linux")]
fn the_deb_installs_into_a_fresh_root_and_its_binary_runs() {
    if !(have("dpkg-deb") && have("dpkg-shlibdeps")) {
        eprintln!("跳过：本机没有 dpkg-deb / dpkg-shlibdeps（apt-get install dpkg-dev）");
        return;
    }
    let _x = crate::support::x_server_lock();
    let out = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let built = Command::new(format!("{root}/packaging/deb/build-deb.sh"))
        .arg(env!("CARGO_BIN_EXE_xinyidian"))
        .arg(out.path())
        .env("DEB_COMPRESS", "none")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let deb = String::from_utf8(built.stdout).unwrap().trim().to_string();
    assert!(
        deb.ends_with("_amd64.deb") || deb.ends_with(".deb"),
        "{deb}"
    );
    let test = Command::new(format!("{root}/packaging/deb/test-deb.sh"))
        .arg(&deb)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&test.stdout);
    assert!(
        test.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&test.stderr)
    );
    assert!(
        text.contains(&format!("xinyidian {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("== ok"), "{text}");
}
