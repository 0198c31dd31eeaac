//! `platform`: the exchange with 湛江市公共信用信息共享平台 (rules E-1..E-3, issue 18): export
//! batches, their history, the platform's feedback, its dishonesty lists, and the publication
//! file of commitments. Supervisors only; every step is in the audit trail.

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;

use super::{Cli, ExitCode, open_desk_signed_in, parse_date_arg, with_terminal_progress};
use xinyidian::desk::{ExportOptions, Progress, batch_status_label};
use xinyidian::documents::platform::BatchFormat;
use xinyidian::domain::platform::PlatformClass;

#[derive(Subcommand, Debug)]
pub enum PlatformCmd {
    /// 生成报送批次（规则 E-1）：自上一个已接收批次以来新增、更正、撤销的记录，每类一个文件
    Export {
        /// 只导出这些信息类（可重复；如 公用事业缴费信息、信用承诺信息，或 payment、commitment）
        #[arg(long = "class", value_parser = parse_class)]
        classes: Vec<PlatformClass>,
        /// 只统计各类将报送的行数，不生成文件、不记录批次
        #[arg(long)]
        dry_run: bool,
        /// 用 CSV（UTF-8 带 BOM）代替 Excel 工作簿
        #[arg(long)]
        csv: bool,
        /// 批次文件夹放在此文件夹中
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// 列出报送批次
    Batches,
    /// 把已记录的批次文件原样重新生成（与第一次生成的文件逐字节相同）
    Rewrite {
        batch: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// 导入平台对待反馈批次的反馈文件：标记被拒收的行，其余行确认接收
    Feedback { file: PathBuf },
    /// 确认平台已全部接收某批次（没有反馈文件时）
    Accept { batch: String },
    /// 作废待反馈的批次（须写明原因）；其内容下次重新报送
    Void {
        batch: String,
        #[arg(long)]
        reason: String,
    },
    /// 平台下发的严重失信主体名单等名单（规则 E-2）
    #[command(subcommand)]
    Lists(ListsCmd),
    /// 生成信用承诺公示文件（规则 E-3：仅可向社会公开的承诺，个人证件号码遮蔽）
    Publish {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ListsCmd {
    /// 导入名单快照（XLSX/CSV）；有一行不合格就全部不导入
    Import {
        file: PathBuf,
        /// 名单截至日期（文件中没有写明时必填）
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
        as_of: Option<NaiveDate>,
    },
    /// 列出已导入的名单快照
    List,
}

fn parse_class(s: &str) -> Result<PlatformClass, String> {
    PlatformClass::from_label_or_key(s.trim()).ok_or_else(|| {
        format!("信息类“{s}”无法识别：请写附件 4 的信息类名称，如 公用事业缴费信息、信用承诺信息")
    })
}

pub(super) fn platform(cli: &Cli, cmd: &PlatformCmd) -> Result<ExitCode> {
    let mut desk = open_desk_signed_in(cli)?;
    match cmd {
        PlatformCmd::Export {
            classes,
            dry_run,
            csv,
            out,
        } => {
            let out = match (out, dry_run) {
                (Some(o), _) => o.clone(),
                (None, true) => PathBuf::from("."),
                (None, false) => bail!("请用 --out 指定批次文件夹放在哪个文件夹中"),
            };
            let opts = ExportOptions {
                classes: classes.clone(),
                format: if *csv {
                    BatchFormat::CsvBom
                } else {
                    BatchFormat::Xlsx
                },
                dry_run: *dry_run,
            };
            let progress = Progress::new();
            let s = with_terminal_progress("生成报送批次", &progress, || {
                desk.platform_export(&opts, &out, &progress)
            })?;
            if cli.json {
                println!("{}", serde_json::to_string(&s)?);
                return Ok(0);
            }
            for c in &s.classes {
                println!(
                    "{}\t新增 {}\t更正 {}\t撤销 {}{}",
                    c.class,
                    c.new,
                    c.corrected,
                    c.withdrawn,
                    if c.still_refused > 0 {
                        format!("\t（被拒收且未修改 {} 条，未重报）", c.still_refused)
                    } else {
                        String::new()
                    }
                );
            }
            match (&s.batch_no, &s.dir) {
                (Some(no), Some(dir)) => println!(
                    "已生成批次 {no}：共 {} 行，文件在 {}",
                    s.rows(),
                    dir.display()
                ),
                _ => println!("试运行：共 {} 行将报送（未生成文件）", s.rows()),
            }
            Ok(0)
        }
        PlatformCmd::Batches => {
            let batches = desk.platform_batches()?;
            if batches.is_empty() {
                println!("尚无报送批次");
            }
            for b in batches {
                let files: Vec<serde_json::Value> =
                    serde_json::from_str(&b.files).unwrap_or_default();
                let rows: u64 = files.iter().filter_map(|f| f["rows"].as_u64()).sum();
                println!(
                    "{}\t{}\t{}\t{} 个文件 {rows} 行\t{}{}",
                    b.batch_no,
                    b.created_at,
                    b.staff_no,
                    files.len(),
                    batch_status_label(&b.status),
                    b.note.map(|n| format!("（{n}）")).unwrap_or_default()
                );
            }
            Ok(0)
        }
        PlatformCmd::Rewrite { batch, out } => {
            let dir = desk.platform_rewrite(batch, out)?;
            println!("已重新生成批次 {batch} 的文件：{}", dir.display());
            Ok(0)
        }
        PlatformCmd::Feedback { file } => {
            let s = desk.platform_feedback(file)?;
            println!(
                "批次 {}：接收 {} 行，拒收 {} 行",
                s.batch_no, s.accepted, s.refused
            );
            for r in desk.platform_refusals(&s.batch_no)? {
                println!(
                    "拒收：{} 第 {} 行（{}，{}）：{}",
                    r.class, r.row, r.record_key, r.change, r.reason
                );
            }
            Ok(0)
        }
        PlatformCmd::Accept { batch } => {
            let s = desk.platform_accept(batch)?;
            println!("已确认平台接收批次 {}：{} 行", s.batch_no, s.accepted);
            Ok(0)
        }
        PlatformCmd::Void { batch, reason } => {
            desk.platform_void(batch, reason)?;
            println!("已作废批次 {batch}");
            Ok(0)
        }
        PlatformCmd::Lists(ListsCmd::Import { file, as_of }) => {
            let progress = Progress::new();
            let s = with_terminal_progress("导入平台名单", &progress, || {
                desk.import_list_snapshot(file, *as_of, &progress)
            })?;
            if cli.json {
                println!("{}", serde_json::to_string(&s)?);
                return Ok(0);
            }
            println!(
                "已导入名单（截至 {}）：{} 条，其中严重失信主体名单 {} 条",
                s.as_of.map(|d| d.to_string()).unwrap_or_default(),
                s.entries,
                s.serious
            );
            for (_, name) in &s.newly_listed {
                println!("新列入：{name}（已重新认定守信用电主体资格）");
            }
            for (_, name) in &s.no_longer_listed {
                println!("已移出：{name}（已重新认定守信用电主体资格）");
            }
            Ok(0)
        }
        PlatformCmd::Lists(ListsCmd::List) => {
            let snaps = desk.list_snapshots()?;
            if snaps.is_empty() {
                println!("尚未导入平台名单");
            }
            for s in snaps {
                println!(
                    "截至 {}\t{} 条\t{}\t{} 导入（{}）",
                    s.as_of, s.entries, s.file_name, s.imported_at, s.staff_no
                );
            }
            Ok(0)
        }
        PlatformCmd::Publish { out } => {
            let format = if out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
            {
                BatchFormat::CsvBom
            } else {
                BatchFormat::Xlsx
            };
            let progress = Progress::new();
            let n = with_terminal_progress("生成公示文件", &progress, || {
                desk.publish_commitments(out, format, &progress)
            })?;
            println!("已生成信用承诺公示文件 {}：{n} 条", out.display());
            Ok(0)
        }
    }
}
