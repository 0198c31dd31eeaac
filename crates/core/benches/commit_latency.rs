//! What durable commits cost (issue 14, point 13): 200 single-row counter actions (a setting and
//! its audit row, then the audit head file) on a file database, with `synchronous=NORMAL` (the
//! old setting: the last commits before a power cut may be lost) and `synchronous=FULL` (every
//! action on disk when it returns). Median and 95th percentile per action.
//!
//! Run: `cargo bench --bench commit_latency` (the temporary folder decides the disk measured:
//! set TMPDIR to a folder on the counter PC's disk).

use std::time::{Duration, Instant};

use xinyidian_core::desk::{Desk, SystemClock};
use xinyidian_core::domain::operator::OperatorDraft;
use xinyidian_core::store::{OpenMode, OpenOptions, Store};

const ACTIONS: usize = 200;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run(durable: bool) -> Vec<Duration> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let opts = OpenOptions {
        durable,
        key_dir: Some(dir.path().join("keys")),
        ..OpenOptions::new(OpenMode::Create)
    };
    let store = Store::open_with(&dir.path().join("bench.sqlite3"), &opts).expect("open");
    let mut desk = Desk::new(store, Box::new(SystemClock));
    desk.setup_admin(
        &OperatorDraft {
            staff_no: "BENCH".into(),
            name: "基准测试".into(),
            ..OperatorDraft::default()
        },
        "bench-password",
    )
    .expect("admin");
    let mut times: Vec<Duration> = (0..ACTIONS)
        .map(|i| {
            let t = Instant::now();
            desk.set_idle_lock_minutes(10 + (i % 2) as u32)
                .expect("action");
            t.elapsed()
        })
        .collect();
    times.sort();
    times
}

/// The head file's share: the same small file written, synced and renamed into place.
fn head_only() -> Vec<Duration> {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("temporary folder");
    let (tmp, path) = (dir.path().join("h.tmp"), dir.path().join("h"));
    let body = [b'x'; 220];
    let mut times: Vec<Duration> = (0..ACTIONS)
        .map(|_| {
            let t = Instant::now();
            let mut f = std::fs::File::create(&tmp).expect("create");
            f.write_all(&body).expect("write");
            f.sync_all().expect("sync");
            std::fs::rename(&tmp, &path).expect("rename");
            t.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn main() {
    println!(
        "{ACTIONS} 次单行柜台操作（设置 + 操作日志 + 锚定文件），临时目录 {}",
        std::env::temp_dir().display()
    );
    for (label, durable) in [("synchronous=NORMAL", false), ("synchronous=FULL", true)] {
        let t = run(durable);
        print_line(label, &t);
    }
    print_line("其中锚定文件", &head_only());
}

fn print_line(label: &str, t: &[Duration]) {
    let median = t[t.len() / 2];
    let p95 = t[t.len() * 95 / 100];
    println!(
        "{label:<20} 中位数 {:.2} 毫秒，p95 {:.2} 毫秒",
        ms(median),
        ms(p95)
    );
}
