//! The credit-report reader and parser on arbitrary bytes: `read_and_parse` must return (a
//! report or a refusal), never panic, abort or take unbounded memory; the parser alone must
//! accept any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyidian_core::documents::credit_report::{parse_report_text, read_and_parse};

fuzz_target!(|data: &[u8]| {
    let _ = read_and_parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_report_text(text);
    }
});
