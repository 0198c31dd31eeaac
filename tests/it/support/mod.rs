//! Helpers shared by the app's integration tests: the built binary, and a counter window on a
//! fresh desk. The report PDF generator is the core's (`xinyidian_core::dev::report_pdf`).

pub mod cli;
pub mod counter;
