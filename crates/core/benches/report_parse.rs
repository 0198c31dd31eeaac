//! Reading and parsing a 30-page public credit report (target < 300 ms), the report generated in
//! memory by `xinyidian_core::dev::report_pdf`.
//!
//! Run: `cargo bench --bench report_parse`

use std::time::{Duration, Instant};

use xinyidian_core::dev::report_pdf;
use xinyidian_core::documents::credit_report::{parse_report_text, read_report_pdf};

fn main() {
    let bytes = report_pdf::large_report(30);
    // Check the fixture once: 30 pages, the last entry found.
    let text = read_report_pdf(&bytes).expect("the generated report reads");
    let parsed = parse_report_text(&text.text());
    assert!(text.page_count >= 30, "{} pages", text.page_count);
    assert_eq!(
        parsed.report.adverse.len(),
        1,
        "{:?}",
        parsed.report.adverse
    );

    let mut read_times = Vec::new();
    let mut parse_times = Vec::new();
    let mut totals = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let text = read_report_pdf(&bytes).expect("reads");
        let read = t.elapsed();
        let t2 = Instant::now();
        let parsed = parse_report_text(&text.text());
        let parse = t2.elapsed();
        std::hint::black_box(parsed);
        read_times.push(read);
        parse_times.push(parse);
        totals.push(read + parse);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let total = median(&mut totals);
    println!(
        "report_parse: {} pages, {} KB, {} characters",
        text.page_count,
        bytes.len() / 1024,
        text.text().chars().count()
    );
    println!(
        "  read (pdf-extract + checks) median {:.1} ms, parse median {:.1} ms, total median {:.1} ms, max {:.1} ms (target < 300 ms)",
        ms(median(&mut read_times)),
        ms(median(&mut parse_times)),
        ms(total),
        ms(*totals.iter().max().expect("20 runs")),
    );
    if total > Duration::from_millis(300) {
        println!("  OVER TARGET");
    }
}
