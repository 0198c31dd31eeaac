//! `cases` and `case`: 信易电 cases and the 待办 queue on the command line (rules C-2, D-4, D-5).
//!
//! `--date` is the global "today": `case connect 12 --date 2026-03-01` records a connection on
//! that day; `--on` records an earlier one.

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::json;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in, parse_date_arg};
use xinyidian::desk::Desk;
use xinyidian::domain::case::{Case, CaseId, QueueQuery, QueueRow, QueueSort, QueueTab};

/// Tab and filters shared by `cases list` and `cases export`.
#[derive(clap::Args, Debug)]
pub struct QueueArgs {
    /// 只列出补证期限在今后 DAYS 天内（含第 DAYS 天）的已接电案件
    #[arg(long, value_name = "DAYS", conflicts_with_all = ["overdue", "awaiting_decision", "awaiting_connection"])]
    pub due_within: Option<u32>,
    /// 只列出已过补证期限的案件（含已认定违诺的）
    #[arg(long, conflicts_with_all = ["awaiting_decision", "awaiting_connection"])]
    pub overdue: bool,
    /// 只列出已逾期、尚待班长认定违诺或延期的案件
    #[arg(long, conflicts_with = "awaiting_connection")]
    pub awaiting_decision: bool,
    /// 只列出已受理、尚未接电的案件
    #[arg(long)]
    pub awaiting_connection: bool,
    /// 只看某营业厅受理的案件
    #[arg(long)]
    pub hall: Option<String>,
    /// 只看某柜员（工号）受理的案件
    #[arg(long, value_name = "工号")]
    pub clerk: Option<String>,
    /// 排序：deadline（补证期限，默认）、subject、applied、hall、clerk
    #[arg(long, default_value = "deadline", value_parser = parse_sort)]
    pub sort: QueueSort,
}

fn parse_sort(s: &str) -> Result<QueueSort, String> {
    match s.trim() {
        "deadline" | "期限" => Ok(QueueSort::Deadline),
        "subject" | "主体" => Ok(QueueSort::Subject),
        "applied" | "受理" => Ok(QueueSort::Applied),
        "hall" | "营业厅" => Ok(QueueSort::Hall),
        "clerk" | "柜员" => Ok(QueueSort::Clerk),
        _ => Err(format!(
            "排序方式“{s}”无法识别：可选 deadline、subject、applied、hall、clerk"
        )),
    }
}

impl QueueArgs {
    fn query(&self, today: NaiveDate) -> QueueQuery {
        let tab = if let Some(d) = self.due_within {
            QueueTab::DueWithin(d)
        } else if self.overdue {
            QueueTab::Overdue
        } else if self.awaiting_decision {
            QueueTab::AwaitingDecision
        } else if self.awaiting_connection {
            QueueTab::AwaitingConnection
        } else {
            QueueTab::AllOpen
        };
        QueueQuery {
            hall: self.hall.clone(),
            clerk: self.clerk.clone(),
            sort: self.sort,
            ..QueueQuery::new(tab, today)
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum CasesCmd {
    /// 列出待办的信易电案件（默认全部在办：已受理与已接电）
    List(QueueArgs),
    /// 导出待办案件（XLSX，班长）
    Export {
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
        #[command(flatten)]
        queue: QueueArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum CaseCmd {
    /// 凭信用承诺受理信易电业务（已受理）
    Open {
        #[arg(value_name = "承诺编码")]
        commitment: String,
        /// 办理业务的用电户（用户编号）
        #[arg(long, value_name = "用户编号")]
        account: Option<String>,
    },
    /// 显示一个案件
    Show {
        #[arg(value_name = "案件编号")]
        case: i64,
    },
    /// 录入接火送电日期（默认今天，即 --date）；补证期限为接电后一年（C-2）
    Connect {
        #[arg(value_name = "案件编号")]
        case: i64,
        /// 接电日期（早于今天时使用）
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        on: Option<NaiveDate>,
    },
    /// 上传物业权属证明（PDF、JPG、PNG，不超过 20 MB）：承诺全部履行
    Fulfil {
        #[arg(value_name = "案件编号")]
        case: i64,
        file: PathBuf,
    },
    /// 接火送电前中止报装（D-5：不作信用记录）
    Withdraw {
        #[arg(value_name = "案件编号")]
        case: i64,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// 认定违诺（班长，D-4）：补证期限届满后
    Breach {
        #[arg(value_name = "案件编号")]
        case: i64,
        /// 未履行的承诺内容（认定理由）
        #[arg(long)]
        reason: String,
        /// 违诺责任追究内容（默认：记入失信记录并推送共享平台）
        #[arg(long, default_value = "")]
        liability: String,
    },
    /// 延长补证期限（班长），须写明理由
    Extend {
        #[arg(value_name = "案件编号")]
        case: i64,
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        until: NaiveDate,
        #[arg(long)]
        reason: String,
    },
}

fn row_json(r: &QueueRow, today: NaiveDate) -> serde_json::Value {
    json!({
        "case_id": r.case_id.0,
        "subject": r.subject_name,
        "phone": r.phone,
        "account_no": r.account_no,
        "usage_address": r.usage_address,
        "business": r.business.label(),
        "commitment_code": r.commitment_code,
        "state": r.state(today).label(),
        "applied_on": r.applied_on,
        "connected_on": r.connected_on,
        "deadline": r.deadline,
        "days_left": r.days_left(today),
        "hall": r.hall,
        "clerk": r.opened_by,
        "park": r.park,
    })
}

fn case_json(c: &Case, today: NaiveDate) -> serde_json::Value {
    let mut j = serde_json::to_value(c).unwrap_or_else(|_| json!({}));
    j["state"] = json!(c.state(today).label());
    j["days_left"] = json!(c.days_left(today));
    j
}

fn print_case(c: &Case, today: NaiveDate) {
    println!("案件 {}：{}", c.id, c.state(today).label());
    println!(
        "  业务：{}，承诺编码 {}",
        c.business.label(),
        c.commitment_code
    );
    if !c.account_no.is_empty() {
        println!("  用户编号：{}", c.account_no);
    }
    println!("  用电地址：{}", c.usage_address);
    println!(
        "  受理：{}（{}）",
        c.applied_on,
        format!("{} {}", c.hall, c.opened_by).trim()
    );
    if let Some(d) = c.connected_on {
        println!("  接电：{d}");
    }
    if let Some(d) = c.deadline {
        println!("  补证期限：{d}");
    }
    for e in &c.extensions {
        println!(
            "  延期：{} → {}（{} {}，理由：{}）",
            e.previous_deadline, e.until, e.granted_on, e.granted_by, e.reason
        );
    }
    if let Some(p) = &c.proof {
        println!("  物业权属证明：{}（{}）", p.file_name, p.attached_on);
    }
    if let Some(d) = &c.decision {
        println!(
            "  违诺认定：{}（{}，{}）；未履行内容：{}；责任追究：{}",
            d.decided_on, d.unit.name, d.decided_by, d.unfulfilled, d.liability_pursued
        );
    }
    if let Some(w) = &c.withdrawal {
        println!(
            "  中止：{}（{}，D-5 不作信用记录）",
            w.withdrawn_on, w.reason
        );
    }
}

fn print_rows(rows: &[QueueRow], today: NaiveDate) {
    if rows.is_empty() {
        println!("没有符合条件的案件");
        return;
    }
    println!("案件\t状态\t补证期限\t剩余天数\t主体\t联系电话\t用户编号\t营业厅\t柜员");
    for r in rows {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.case_id,
            r.state(today).label(),
            r.deadline.map(|d| d.to_string()).unwrap_or_default(),
            r.days_left(today)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            r.subject_name,
            r.phone,
            r.account_no,
            r.hall,
            r.opened_by
        );
    }
    println!("共 {} 件", rows.len());
}

pub fn cases(cli: &Cli, cmd: &CasesCmd) -> Result<ExitCode> {
    match cmd {
        CasesCmd::List(args) => {
            let desk = open_desk(cli)?;
            let today = desk.today();
            let rows = desk.case_queue(&args.query(today))?;
            if cli.json {
                println!(
                    "{}",
                    serde_json::Value::Array(rows.iter().map(|r| row_json(r, today)).collect())
                );
            } else {
                print_rows(&rows, today);
            }
        }
        CasesCmd::Export { out, queue } => {
            let mut desk = open_desk_signed_in(cli)?;
            let q = queue.query(desk.today());
            let n = desk.export_cases(&q, out)?;
            if cli.json {
                println!("{}", json!({"rows": n, "file": out}));
            } else {
                println!("已导出 {n} 件（{}）：{}", q.tab.label(), out.display());
            }
        }
    }
    Ok(0)
}

fn show(cli: &Cli, desk: &Desk, c: &Case, done: &str) {
    let today = desk.today();
    if cli.json {
        println!("{}", case_json(c, today));
    } else {
        if !done.is_empty() {
            println!("{done}");
        }
        print_case(c, today);
    }
}

pub fn case(cli: &Cli, cmd: &CaseCmd) -> Result<ExitCode> {
    match cmd {
        CaseCmd::Open {
            commitment,
            account,
        } => {
            let mut desk = open_desk_signed_in(cli)?;
            let c = desk.commitment_by_code(commitment)?;
            let case = desk.open_case(c.id, account.as_deref())?;
            show(cli, &desk, &case, "已受理信易电业务");
        }
        CaseCmd::Show { case } => {
            let desk = open_desk(cli)?;
            let c = desk.case(CaseId(*case))?;
            show(cli, &desk, &c, "");
        }
        CaseCmd::Connect { case, on } => {
            let mut desk = open_desk_signed_in(cli)?;
            let on = on.unwrap_or_else(|| desk.today());
            let c = desk.connect_case(CaseId(*case), on)?;
            show(cli, &desk, &c, "已录入接电日期");
        }
        CaseCmd::Fulfil { case, file } => {
            let mut desk = open_desk_signed_in(cli)?;
            let c = desk.fulfil_case(CaseId(*case), file)?;
            show(cli, &desk, &c, "已补证，承诺全部履行");
        }
        CaseCmd::Withdraw { case, reason } => {
            let mut desk = open_desk_signed_in(cli)?;
            let c = desk.withdraw_case(CaseId(*case), reason)?;
            show(cli, &desk, &c, "已中止（D-5：不作信用记录）");
        }
        CaseCmd::Breach {
            case,
            reason,
            liability,
        } => {
            let mut desk = open_desk_signed_in(cli)?;
            let c = desk.decide_breach(CaseId(*case), reason, liability)?;
            show(cli, &desk, &c, "已认定违诺（D-4）");
        }
        CaseCmd::Extend {
            case,
            until,
            reason,
        } => {
            let mut desk = open_desk_signed_in(cli)?;
            let c = desk.extend_case(CaseId(*case), *until, reason)?;
            show(cli, &desk, &c, "已延长补证期限");
        }
    }
    Ok(0)
}
