//! The record importer on an arbitrary `.csv` file: every row read to the end, kind recognised
//! from the header; errors are fine, panics and unbounded memory are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::import(data, "csv"));
