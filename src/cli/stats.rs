//! `stats`: the publicity figures of a period and hall (issue 20, point 3), printed, or written
//! as a one-page PDF summary (`--out F.pdf`) or an XLSX (`--out F.xlsx`).

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;

use super::{Cli, ExitCode, open_desk_signed_in, parse_date_arg};
use xinyidian::desk::stats_period;
use xinyidian::domain::case::CaseId;

#[derive(clap::Args, Debug)]
pub struct StatsArgs {
    /// 统计开始日期
    #[arg(long, value_parser = parse_date_arg)]
    pub from: NaiveDate,
    /// 统计结束日期（含）
    #[arg(long, value_parser = parse_date_arg)]
    pub to: NaiveDate,
    /// 只统计某营业厅（承诺、信易电案件、修复与异议；失信记录与守信用电主体按全市统计）
    #[arg(long)]
    pub hall: Option<String>,
    /// 典型案例：信易电案件编号，可写多个（主体名称隐去后列入）
    #[arg(long = "typical", value_name = "案件编号")]
    pub typical: Vec<i64>,
    /// 输出文件：.pdf（一页摘要，含图表）或 .xlsx（数据表）；不写则打印
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub(super) fn stats(cli: &Cli, args: &StatsArgs) -> Result<ExitCode> {
    let mut desk = open_desk_signed_in(cli)?;
    let period = stats_period(args.from, args.to, args.hall.as_deref());
    let typical: Vec<CaseId> = args.typical.iter().map(|i| CaseId(*i)).collect();
    let started = std::time::Instant::now();
    let report = match &args.out {
        Some(out) => desk.export_publicity(&period, &typical, out)?,
        None => desk.publicity_figures(&period, &typical)?,
    };
    if cli.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(0);
    }
    println!("统计期间：{}", period.label());
    for (group, item, n) in report.figures.rows() {
        println!("{group}\t{item}\t{n}");
    }
    for t in &report.typical {
        println!(
            "典型案例 {}：{}，{}，{}",
            t.case_id, t.subject, t.business, t.outcome
        );
    }
    if let Some(out) = &args.out {
        println!("已写出 {}", out.display());
    }
    eprintln!("用时 {:.2} 秒", started.elapsed().as_secs_f64());
    Ok(0)
}
