//! The record importer on an arbitrary `.xlsx` file (see `records_csv`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::import(data, "xlsx"));
