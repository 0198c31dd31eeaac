//! The importer reads a path (as the desk does): the input is written to a file of this process.

use std::path::PathBuf;

use chrono::NaiveDate;
use xinyidian_core::documents::import::open_records;

fn path(ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("xinyidian-fuzz-{}.{ext}", std::process::id()))
}

pub fn import(data: &[u8], ext: &str) {
    let p = path(ext);
    if std::fs::write(&p, data).is_err() {
        return;
    }
    let today = NaiveDate::from_ymd_opt(2026, 5, 4).unwrap_or_default();
    if let Ok(reader) = open_records(&p, None, today) {
        // Every row, as the import does; cap the count so a slow input is not an endless one.
        for row in reader.take(1_000_000) {
            let _ = row;
        }
    }
}
