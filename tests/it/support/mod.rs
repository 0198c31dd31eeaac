//! Helpers shared by the app's integration tests: the built binary, and a counter window on a
//! fresh desk. The report PDF generator is the core's (`xinyidian_core::dev::report_pdf`).

pub mod cli;
pub mod counter;

/// Held by the tests that start an X server and draw or share through it (the clipboard, the
/// package's first frame): one at a time, so that neither times out while the other renders.
pub fn x_server_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}
