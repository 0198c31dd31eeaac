//! The app's integration tests, one binary (as cargo's own `tests/testsuite`): the command line
//! through the built program, the window headless through egui_kittest, and the system
//! clipboard. What needs only the core is tested in `crates/core/tests/it`.

mod support;

mod backup_cli;
mod cli;
mod clipboard;
mod credit_cli;
mod deb;
mod records_cli;
mod report_ui;
mod reports_cli;
mod trust_cli;
mod ui;
mod ui_audit;
mod ui_backup;
mod ui_cases;
mod ui_credit;
mod ui_export;
mod ui_keyboard;
mod ui_layout;
mod ui_letter;
mod ui_opening;
mod ui_queue;
mod ui_records;
mod ui_trust;
