//! Helpers shared by the integration tests and benchmarks.

pub mod counter;
pub mod report_pdf;
