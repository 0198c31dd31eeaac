//! `check`, `trusted` and `park`: the trust check on the command line (rules T-1..T-7).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Subcommand;
use serde_json::json;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in, with_terminal_progress};
use xinyidian::desk::Progress;
use xinyidian::domain::park::{ParkDraft, ParkId};
use xinyidian::domain::trust::{Business, Verdict};

/// `xinyidian check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// 主体的统一社会信用代码、证件号码或用户编号（与 --all 二选一）
    pub code: Option<String>,
    /// 重新核查全部主体（每晚刷新守信用电主体名单）
    #[arg(long, conflicts_with_all = ["code", "business", "account"])]
    pub all: bool,
    /// 信易电业务：用电报装 或 更名过户
    #[arg(long, value_parser = parse_business)]
    pub business: Option<Business>,
    /// 办理业务的用电户（用户编号）
    #[arg(long, value_name = "用户编号")]
    pub account: Option<String>,
}

fn parse_business(s: &str) -> Result<Business, String> {
    Business::parse(s).ok_or_else(|| format!("业务类型“{s}”无法识别：请填 用电报装 或 更名过户"))
}

#[derive(Subcommand, Debug)]
pub enum TrustedCmd {
    /// 列出守信用电主体
    List,
    /// 导出守信用电主体名单（XLSX），用于节能、光伏项目优先支持（T-7）
    Export {
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ParkCmd {
    /// 列出信易电试点园区（T-5）
    List,
    /// 新增试点园区（管理员）
    Add {
        /// 试点区域，如 湛江经济技术开发区
        #[arg(long)]
        zone: String,
        /// 园区名称，如 石化产业园区
        #[arg(long)]
        name: String,
        /// 地址关键词（空格或顿号分隔）
        #[arg(long, default_value = "")]
        keywords: String,
    },
    /// 为用电户指定所属试点园区（编号见 park list；填 none 表示不在园区）
    Assign {
        #[arg(value_name = "用户编号")]
        account_no: String,
        #[arg(value_name = "园区编号|none")]
        park: String,
    },
}

/// The JSON form of a verdict (`check --json`).
pub fn verdict_json(v: &Verdict, id: Option<i64>) -> serde_json::Value {
    json!({
        "verdict_id": id,
        "subject": {"name": v.subject.name, "code": shown_code(&v.subject.code)},
        "date": v.date,
        "business": v.business.map(Business::label),
        "account": v.account_no,
        "trustworthy": v.trustworthy,
        "eligible": v.eligible,
        "complete": v.complete,
        "headline": v.headline,
        "incentives": v.incentives,
        "rules": v.rules.iter().map(|r| json!({
            "id": r.id,
            "title": r.title,
            "outcome": r.outcome,
            "evidence": r.evidence.join("；"),
            "evidence_items": r.evidence,
            "advice": r.advice,
            "basis": r.basis,
        })).collect::<Vec<_>>(),
    })
}

/// The subject's code as a verdict prints it: a USCC whole, a personal ID number masked (rule
/// ID-3: a terminal's scrollback and a redirected file are lists, not the subject's page).
fn shown_code(code: &str) -> String {
    match xinyidian::domain::id_codes::Uscc::parse(code) {
        Ok(_) => code.to_string(),
        Err(_) => xinyidian::domain::id_codes::mask_id_number(code),
    }
}

/// Print a verdict for a person at a terminal.
pub fn print_verdict(v: &Verdict) {
    println!(
        "{}（{}）  核查日期 {}",
        v.subject.name,
        shown_code(&v.subject.code),
        v.date
    );
    println!("结论：{}", v.headline);
    if !v.incentives.is_empty() {
        println!("守信激励：{}", v.incentives.join("、"));
    }
    for r in &v.rules {
        println!(
            "{} [{}] {} {}",
            r.outcome.mark(),
            r.id,
            r.title,
            r.outcome.label()
        );
        for e in &r.evidence {
            println!("      {e}");
        }
        if let Some(a) = &r.advice {
            println!("      → {a}");
        }
    }
}

pub fn check(cli: &Cli, args: &CheckArgs) -> Result<ExitCode> {
    let mut desk = open_desk_signed_in(cli)?;
    if args.all {
        let progress = Progress::new();
        let r = with_terminal_progress("重新核查", &progress, || desk.check_all(&progress))?;
        if cli.json {
            println!("{}", serde_json::to_string(&r)?);
        } else {
            println!(
                "已重新核查 {} 个主体：守信用电主体 {} 个，回溯期内有失信记录 {} 个",
                r.subjects, r.trustworthy, r.with_dishonesty
            );
        }
        return Ok(0);
    }
    let Some(code) = &args.code else {
        bail!("请给出主体的代码，或用 --all 核查全部主体");
    };
    let s = desk.subject_by_code(code)?;
    let out = desk.run_check(s.id, args.business, args.account.as_deref())?;
    if cli.json {
        println!("{}", verdict_json(&out.verdict, Some(out.id.0)));
    } else {
        print_verdict(&out.verdict);
        println!("（核查记录编号 {}）", out.id.0);
    }
    Ok(0)
}

pub fn trusted(cli: &Cli, cmd: &TrustedCmd) -> Result<ExitCode> {
    match cmd {
        TrustedCmd::List => {
            let desk = open_desk(cli)?;
            let rows = desk.trusted_subjects()?;
            if cli.json {
                println!("{}", serde_json::to_string(&rows)?);
            } else if rows.is_empty() {
                println!("暂无守信用电主体（可先运行 check --all）");
            } else {
                for r in &rows {
                    println!("{}  {}  认定于 {}", r.name, r.code, r.as_of);
                }
            }
        }
        TrustedCmd::Export { out } => {
            let mut desk = open_desk_signed_in(cli)?;
            let n = desk.export_trusted(out)?;
            if cli.json {
                println!("{}", json!({"written": n, "file": out}));
            } else {
                println!("已导出守信用电主体 {n} 个到 {}", out.display());
            }
        }
    }
    Ok(0)
}

pub fn park(cli: &Cli, cmd: &ParkCmd) -> Result<ExitCode> {
    match cmd {
        ParkCmd::List => {
            let desk = open_desk(cli)?;
            let parks = desk.parks()?;
            if cli.json {
                println!("{}", serde_json::to_string(&parks)?);
            } else {
                for p in &parks {
                    println!(
                        "{:>3}  {}{}  关键词：{}",
                        p.id.0,
                        p.label(),
                        if p.active { "" } else { "（已停用）" },
                        p.keywords.join("、")
                    );
                }
            }
        }
        ParkCmd::Add {
            zone,
            name,
            keywords,
        } => {
            let mut desk = open_desk_signed_in(cli)?;
            let id = desk.add_park(&ParkDraft {
                zone: zone.clone(),
                name: name.clone(),
                keywords: keywords.clone(),
            })?;
            if cli.json {
                println!("{}", json!({"park_id": id.0}));
            } else {
                println!(
                    "已新增试点园区 {} {}（编号 {}）",
                    zone.trim(),
                    name.trim(),
                    id.0
                );
            }
        }
        ParkCmd::Assign { account_no, park } => {
            let mut desk = open_desk_signed_in(cli)?;
            let s = desk.subject_by_code(account_no)?;
            let no = xinyidian::domain::id_codes::normalize(account_no);
            let Some(a) = s.accounts.iter().find(|a| a.account_no == no) else {
                bail!("未找到用户编号 {no}：请核对后重试");
            };
            let park_id = match park.trim() {
                "none" | "无" | "" => None,
                n => Some(ParkId(n.parse().map_err(|_| {
                    anyhow::anyhow!("园区编号“{n}”应为数字（见 park list），或填 none")
                })?)),
            };
            desk.set_account_park(a.id, park_id)?;
            println!("已更新用电户 {no} 的所属园区");
        }
    }
    Ok(0)
}
