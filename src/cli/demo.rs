//! `demo` and `bench`: reproducible demonstration data for Zhanjiang, and the search benchmark
//! on a temporary database.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::{Cli, ExitCode, open_desk_signed_in, with_terminal_progress};
use xinyidian::desk::{Desk, OpenMode, OpenOptions, Progress, SystemClock};
use xinyidian::domain::operator::OperatorDraft;

pub(super) fn demo(cli: &Cli, subjects: u64, seed: u64) -> Result<ExitCode> {
    let mut desk = open_desk_signed_in(cli)?;
    let progress = Progress::new();
    let started = Instant::now();
    let summary = with_terminal_progress("生成演示数据", &progress, || {
        desk.generate_demo(subjects, seed, &progress)
    })?;
    let secs = started.elapsed().as_secs_f64();
    if cli.json {
        println!(
            "{}",
            json!({"subjects": summary.subjects, "accounts": summary.accounts, "seconds": secs})
        );
    } else {
        println!(
            "已生成 {} 个主体、{} 个用电户，用时 {secs:.1} 秒",
            summary.subjects, summary.accounts
        );
    }
    Ok(0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

pub(super) fn bench(subjects: u64, server: Option<&std::path::Path>) -> Result<ExitCode> {
    if subjects == 0 {
        bail!("--subjects 至少为 1");
    }
    if let Some(url) = server
        && !xinyidian::desk::is_server_url(url)
    {
        bail!("--server 应为数据库服务器地址，例如 postgres://xinyidian@localhost/xyd_bench");
    }
    let dir = tempfile_dir()?;
    let path = dir.join("bench.sqlite3");
    let mut desk = Desk::open(&path)?;
    desk.setup_admin(
        &OperatorDraft {
            staff_no: "BENCH".into(),
            name: "基准测试".into(),
            ..OperatorDraft::default()
        },
        "bench-password",
    )?;
    let progress = Progress::new();
    let started = Instant::now();
    with_terminal_progress("生成基准数据", &progress, || {
        desk.generate_demo(subjects, 1, &progress)
    })?;
    let generate = started.elapsed();
    println!("生成 {subjects} 个主体：{:.1} 秒", generate.as_secs_f64());
    if let Some(url) = server {
        // The same data on the server (issue 17: look-up at 1M subjects on PostgreSQL): built
        // here, where it is fast, and moved by `db copy`'s path.
        drop(desk);
        let started = Instant::now();
        let opts = OpenOptions::new(OpenMode::Create);
        let mut told = |table: &str, rows: u64| eprintln!("正在复制 {table}（{rows} 行）…");
        xinyidian::desk::copy_database(&path, url, &opts, &mut told)?;
        println!(
            "复制到数据库服务器：{:.1} 秒",
            started.elapsed().as_secs_f64()
        );
        desk = Desk::open_with(url, &opts, Box::new(SystemClock))?;
        desk.sign_in("BENCH", "bench-password")?;
    }

    // Exact code lookups over codes spread across the data set.
    let step = (subjects / 200).max(1) as usize;
    let sample = desk.recent_subjects(subjects as usize)?;
    let codes: Vec<String> = sample
        .iter()
        .step_by(step)
        .filter_map(|s| desk.subject(s.id).ok().map(|f| f.code.full().to_string()))
        .collect();
    let mut times = Vec::new();
    for c in &codes {
        let t = Instant::now();
        let l = desk.lookup(c, 100)?;
        times.push(t.elapsed());
        if !l.exact {
            bail!("基准数据有误：代码 {c} 未找到");
        }
    }
    println!(
        "按代码精确查询（{} 次）：中位数 {:.3} 毫秒",
        times.len(),
        median(times).as_secs_f64() * 1e3
    );
    for fragment in [
        "海港贸易",
        "湛江市霞山",
        "红树林水产",
        "钢构有限公司",
        "鼎盛",
        "陈海",
    ] {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..20 {
            let t = Instant::now();
            n = desk.lookup(fragment, 100)?.hits.len();
            times.push(t.elapsed());
        }
        println!(
            "名称片段“{fragment}”前 100 条（命中 {n}）：中位数 {:.2} 毫秒",
            median(times).as_secs_f64() * 1e3
        );
    }
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(0)
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("xinyidian-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建临时目录 {}", dir.display()))?;
    Ok(dir)
}
