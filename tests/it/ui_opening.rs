//! The opening screen (issue 15, point 10; issue 17, point 1): the window draws before the
//! database is open, asks a server's password in a password box, says when the server is not
//! there, and hands over to the counter once the database is open.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use xinyidian::desk::{Desk, DeskError, StoreError, SystemClock};
use xinyidian::ui::WindowApp;
use xinyidian::ui::opening::Opener;
use xinyidian_core::store::Store;

const TARGET: &str = "xyd@10.0.0.5:5432/hall";

fn harness(opener: Opener) -> Harness<'static, WindowApp> {
    Harness::builder()
        .with_size(egui::vec2(1024.0, 600.0))
        .with_context_setup(xinyidian::ui::fonts::install)
        .build_ui_state(|ui, app: &mut WindowApp| app.ui(ui), WindowApp::new(opener))
}

/// Step until `text` shows (the open runs on a worker thread).
fn wait_for(h: &mut Harness<'static, WindowApp>, text: &str) {
    let until = Instant::now() + Duration::from_secs(20);
    while h.query_all_by_label_contains(text).next().is_none() {
        assert!(Instant::now() < until, "“{text}” never showed");
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
}

fn wait_for_counter(h: &mut Harness<'static, WindowApp>) {
    let until = Instant::now() + Duration::from_secs(20);
    while h.state().counter().is_none() {
        assert!(Instant::now() < until, "the counter never opened");
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
    h.run();
}

#[test]
fn the_window_draws_while_the_database_is_still_opening() {
    // The open waits until the test has seen the first frame: nothing is opened before it.
    let gate = Arc::new(Mutex::new(()));
    let held = gate.lock().unwrap();
    let g = Arc::clone(&gate);
    let opener = Opener {
        location: "/tmp/xyd-test.sqlite3".into(),
        open: Arc::new(move |_, steps| {
            (steps.0)(1, 2);
            let _wait = g.lock();
            Ok(Desk::new(Store::open_in_memory()?, Box::new(SystemClock)))
        }),
    };
    let mut h = harness(opener);
    wait_for(&mut h, "正在升级数据库结构：第 1 / 2 步");
    assert!(h.state().counter().is_none());
    drop(held);
    wait_for_counter(&mut h);
    // A new database: the counter starts with the administrator's setup.
    h.get_by_label_contains("首次使用");
}

#[test]
fn a_server_password_is_asked_in_the_window_and_a_wrong_one_again() {
    let tries = Arc::new(AtomicUsize::new(0));
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let (t, s) = (Arc::clone(&tries), Arc::clone(&seen));
    let opener = Opener {
        location: TARGET.into(),
        open: Arc::new(move |password, _| {
            t.fetch_add(1, Ordering::SeqCst);
            s.lock().unwrap().push(password.clone());
            let target = TARGET.to_string();
            match password.as_deref() {
                None => Err(DeskError::Store(StoreError::PasswordNeeded { target })),
                Some("right") => Ok(Desk::new(Store::open_in_memory()?, Box::new(SystemClock))),
                Some(_) => Err(DeskError::Store(StoreError::LoginRefused { target })),
            }
        }),
    };
    let mut h = harness(opener);
    wait_for(&mut h, "需要密码");
    let input = h.get_by_role(Role::PasswordInput);
    input.type_text("wrong");
    h.run();
    h.key_press(egui::Key::Enter);
    // Refused: asked again with the reason, the box emptied and focused.
    let until = Instant::now() + Duration::from_secs(20);
    while tries.load(Ordering::SeqCst) < 2 || h.query_by_role(Role::PasswordInput).is_none() {
        assert!(Instant::now() < until, "the retry never ran");
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
    wait_for(&mut h, "需要密码");
    h.run();
    h.get_by_role(Role::PasswordInput).type_text("right");
    h.run();
    h.key_press(egui::Key::Enter);
    wait_for_counter(&mut h);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![None, Some("wrong".into()), Some("right".into())]
    );
}

#[test]
fn a_server_that_is_down_is_named_with_retry_and_the_window_keeps_running() {
    let tries = Arc::new(AtomicUsize::new(0));
    let t = Arc::clone(&tries);
    let opener = Opener {
        location: TARGET.into(),
        open: Arc::new(move |_, _| {
            if t.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(DeskError::Store(StoreError::Unreachable {
                    target: TARGET.into(),
                    detail: "连接被拒绝".into(),
                }))
            } else {
                Ok(Desk::new(Store::open_in_memory()?, Box::new(SystemClock)))
            }
        }),
    };
    let mut h = harness(opener);
    wait_for(&mut h, "无法打开数据库");
    h.get_by_label_contains("连接被拒绝");
    h.get_by_label("重试").click();
    wait_for_counter(&mut h);
    assert_eq!(tries.load(Ordering::SeqCst), 2);
}
