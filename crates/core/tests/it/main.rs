//! The core's integration tests, one binary (as cargo's own `tests/testsuite`): one module per
//! area, all through the public API of `xinyidian_core`. Nothing here links the window: the tests
//! that need the built program or egui are the app's (`tests/it` at the top).

mod backup;
mod cases;
mod credit;
mod credit_report;
mod desk_auth;
mod import;
mod letter_pdf;
mod letters;
mod platform;
mod record_entry;
mod reports;
mod shared_store;
mod support;
mod trust;
