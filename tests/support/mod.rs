//! Helpers shared by the integration tests and benchmarks.

pub mod cli;
pub mod counter;
pub mod report_pdf;
