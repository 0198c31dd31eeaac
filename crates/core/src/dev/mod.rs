//! Test support shared by the tests and benchmarks of both crates (feature `testing`, enabled
//! only by their dev-dependencies; never part of the program). Test code: it panics on failure.

pub mod engines;
pub mod report_pdf;
