//! The window's clipboard is the system's (issue: clerks copy codes from the marketing system
//! and messaging apps all day). egui-winit is taken here without features of its own, so this
//! test sees exactly the clipboard eframe is built with: compiled without eframe's `clipboard`
//! feature, text set here never reaches another program and the test fails.
//!
//! Runs against an X server: `DISPLAY` when set, else a private `Xvfb` started for the test
//! (Debian packages `xvfb` and `xclip`, installed by `.ci/run`). The clipboard itself is used in
//! a child process of this test binary that starts with `DISPLAY` set: the other tests of the
//! binary run on other threads meanwhile, so setting the variable here would race with them.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Xvfb(Option<Child>);

impl Drop for Xvfb {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// An X display for the test: the session's, or a private Xvfb.
fn display() -> (String, Xvfb) {
    if let Ok(d) = std::env::var("DISPLAY")
        && !d.is_empty()
    {
        return (d, Xvfb(None));
    }
    // A display number unlikely to be taken, different per test process.
    let n = 200 + std::process::id() % 500;
    let d = format!(":{n}");
    let child = Command::new("Xvfb")
        .args([d.as_str(), "-screen", "0", "640x480x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is needed for the clipboard test: apt-get install xvfb xclip");
    let guard = Xvfb(Some(child));
    let socket = format!("/tmp/.X11-unix/X{n}");
    let start = Instant::now();
    while !std::path::Path::new(&socket).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "Xvfb did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (d, guard)
}

fn xclip(display: &str, args: &[&str]) -> Command {
    let mut c = Command::new("xclip");
    c.env("DISPLAY", display).args(args);
    c
}

/// Poll `f` until it gives `Some` (selection owners answer asynchronously).
fn eventually<T>(mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if start.elapsed() > Duration::from_secs(10) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Set in the child process that uses the clipboard.
const CHILD: &str = "XYD_CLIPBOARD_CHILD";

#[test]
fn text_is_shared_with_other_programs_both_ways() {
    if std::env::var_os(CHILD).is_some() {
        share_both_ways();
        println!("child done");
        return;
    }
    let _x = crate::support::x_server_lock();
    let (d, _xvfb) = display();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "clipboard::text_is_shared_with_other_programs_both_ways",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("DISPLAY", &d)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("child done"), "{stdout}\n{stderr}");
}

/// In the child, where `DISPLAY` is the test's X server from the start.
fn share_both_ways() {
    let d = std::env::var("DISPLAY").expect("DISPLAY set by the parent");
    // SAFETY: no display handle is passed (arboard opens its own X connection from DISPLAY).
    let mut clipboard = unsafe { egui_winit::clipboard::Clipboard::new(None) };

    // Copy in the window, paste in another program.
    let code = "91440800MA4UMB8E0X";
    clipboard.set_text(code.to_string());
    let pasted = eventually(|| {
        let out = xclip(&d, &["-selection", "clipboard", "-o"])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (text == code).then_some(text)
    });
    assert_eq!(
        pasted.as_deref(),
        Some(code),
        "text copied in the window did not reach the system clipboard (eframe built without its `clipboard` feature?)"
    );

    // Copy in another program, paste in the window.
    let name = "湛江市海港贸易有限公司";
    // xclip stays in the background owning the selection: not on the pipes the parent reads.
    let mut owner = xclip(&d, &["-selection", "clipboard", "-i"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xclip is needed for the clipboard test: apt-get install xclip");
    {
        use std::io::Write;
        let mut stdin = owner.stdin.take().expect("stdin");
        stdin.write_all(name.as_bytes()).expect("write to xclip");
    }
    let _ = owner.wait();
    let got = eventually(|| clipboard.get().filter(|t| t == name));
    assert_eq!(
        got.as_deref(),
        Some(name),
        "text copied in another program did not paste"
    );
}
