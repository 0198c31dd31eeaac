//! `audit`: verify the audit trail's hash chain and list its rows (supervisors and above).

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use chrono::NaiveDate;

use super::{Cli, ExitCode, open_desk_signed_in, open_desk_with};
use xinyidian::desk::AuditFilter;
use xinyidian::desk::{OpenMode, OpenOptions};
use xinyidian::domain::text::parse_date;

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// 校验操作日志的哈希链：完整时退出码为 0，否则指出第一条被改动的记录并退出码为 1
    Verify,
    /// 列出操作日志（班长及以上）
    List {
        #[arg(long, value_name = "工号")]
        staff: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

pub(super) fn audit(cli: &Cli, cmd: &AuditCmd) -> Result<ExitCode> {
    match cmd {
        AuditCmd::Verify => {
            // Read-only, and an older schema is fine: an evidence copy is verified as it is.
            let desk = open_desk_with(
                cli,
                &OpenOptions {
                    allow_old_schema: true,
                    ..OpenOptions::new(OpenMode::ReadOnly)
                },
            )?;
            let v = desk.verify_audit()?;
            if cli.json {
                println!(
                    "{}",
                    json!({"intact": v.intact(), "rows_checked": v.rows_checked,
                           "broken": v.broken.as_ref().map(|b| b.to_string()),
                           "legacy_rows": v.legacy_rows, "keyed_since": v.keyed_since,
                           "head": v.head, "reanchored": v.reanchored})
                );
            } else {
                print_audit_verdict(&v, desk.engine() == xinyidian::desk::Engine::Postgres);
            }
            Ok(if v.intact() { 0 } else { 1 })
        }
        AuditCmd::List {
            staff,
            from,
            to,
            limit,
        } => {
            let desk = open_desk_signed_in(cli)?;
            let date = |s: &Option<String>| -> Result<Option<NaiveDate>> {
                s.as_deref()
                    .map(parse_date)
                    .transpose()
                    .map_err(anyhow::Error::msg)
            };
            let filter = AuditFilter {
                staff_no: staff.as_deref().map(xinyidian::domain::id_codes::normalize),
                from: date(from)?,
                to: date(to)?,
                ..AuditFilter::default()
            };
            let rows = desk.audit_log(&filter, *limit)?;
            if cli.json {
                println!("{}", serde_json::to_string(&rows)?);
            } else {
                for r in rows {
                    let c = &r.content;
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        r.seq,
                        c.at.format("%Y-%m-%d %H:%M:%S"),
                        c.staff_no,
                        c.window,
                        c.action,
                        c.summary
                    );
                }
            }
            Ok(0)
        }
    }
}

fn print_audit_verdict(v: &xinyidian::desk::AuditVerdict, shared: bool) {
    if let Some(b) = &v.broken {
        println!("操作日志被改动：{b}");
        return;
    }
    match (v.keyed_since, &v.head) {
        (Some(since), Some(h)) => println!(
            "操作日志完整：共 {} 条，哈希链未被改动；第 {since} 条起有密钥签名，末尾与锚定记录相符（第 {} 条，签名 {}…）",
            v.rows_checked,
            h.seq,
            h.mac.get(..16).unwrap_or(&h.mac)
        ),
        (None, Some(h)) => println!(
            "操作日志完整：共 {} 条，哈希链未被改动，末尾与锚定记录相符（第 {} 条）",
            v.rows_checked, h.seq
        ),
        // A shared server has no head file: its anchor is the database's append-only triggers.
        (_, None) if shared => println!(
            "操作日志完整：共 {} 条，哈希链未被改动（共用数据库：由服务器的只追加规则保护，不另设锚定文件）",
            v.rows_checked
        ),
        (_, None) => println!(
            "操作日志完整：共 {} 条，哈希链未被改动（未锚定：内存数据库，或尚未被本版本写入的旧数据库）",
            v.rows_checked
        ),
    }
    if v.legacy_rows > 0 {
        println!(
            "其中前 {} 条写于升级之前，按旧规则（无密钥 SHA-256）校验：这些记录只能证明彼此相接，密钥签名与锚定自升级时开始",
            v.legacy_rows
        );
    }
    if !v.reanchored.is_empty() {
        let seqs: Vec<String> = v.reanchored.iter().map(i64::to_string).collect();
        println!(
            "注意：第 {} 条记录了锚定文件缺失或不符后重新锚定，请核实当时的原因",
            seqs.join("、")
        );
    }
}
