//! `records`: import the marketing system's record files and list a subject's records with
//! whether each one is a dishonesty record (rules D-1..D-5).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Subcommand;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in, with_terminal_progress};
use xinyidian::desk::{ImportOptions, Progress};
use xinyidian::domain::dishonesty::Outcome;
use xinyidian::domain::records::RecordKind;

#[derive(Subcommand, Debug)]
pub enum RecordsCmd {
    /// 导入营销系统导出的记录文件（CSV：UTF-8 或 GBK；XLSX/XLS）。默认有一行不合格就全部不写入
    Import {
        file: PathBuf,
        /// 记录类别（默认按表头识别）
        #[arg(long, value_parser = parse_record_kind)]
        kind: Option<RecordKind>,
        /// 只检查，不写入
        #[arg(long)]
        dry_run: bool,
        /// 写入合格的行，不合格的行连同原因另存为“文件名-未导入.csv”
        #[arg(long)]
        skip_invalid: bool,
        /// 自动登记文件中出现但尚未登记的主体
        #[arg(long)]
        create_subjects: bool,
    },
    /// 列出主体的用电记录，以及每条是否构成失信记录（规则 D-1..D-5）
    List { code: String },
}

fn parse_record_kind(s: &str) -> Result<RecordKind, String> {
    RecordKind::from_label_or_key(s).ok_or_else(|| format!("记录类别“{s}”无法识别"))
}

pub(super) fn records(cli: &Cli, cmd: &RecordsCmd) -> Result<ExitCode> {
    match cmd {
        RecordsCmd::Import {
            file,
            kind,
            dry_run,
            skip_invalid,
            create_subjects,
        } => {
            let mut desk = open_desk_signed_in(cli)?;
            let opts = ImportOptions {
                dry_run: *dry_run,
                skip_invalid: *skip_invalid,
                create_subjects: *create_subjects,
            };
            let progress = Progress::new();
            let started = Instant::now();
            let summary = with_terminal_progress("导入用电记录", &progress, || {
                desk.import_records(file, *kind, opts, &progress)
            })?;
            let secs = started.elapsed().as_secs_f64();
            if cli.json {
                println!("{}", serde_json::to_string(&summary)?);
            } else {
                println!(
                    "{}（{}）：共 {} 行，用时 {secs:.1} 秒",
                    summary.kind, summary.format, summary.rows
                );
                for n in &summary.notices {
                    println!("提示：{n}");
                }
                for n in &summary.row_notes {
                    println!("提示：{n}");
                }
                // Row errors go to stderr with every other error (issue 14), so that a script
                // reading stdout sees only the result.
                for e in &summary.errors {
                    eprintln!("{e}");
                }
                if summary.rejected as usize > summary.errors.len() {
                    eprintln!(
                        "……另有 {} 行有问题未列出",
                        summary.rejected as usize - summary.errors.len()
                    );
                }
                if summary.written {
                    println!(
                        "已写入：新增 {}，更新 {}，未变 {}，新登记主体 {}，拒绝 {}",
                        summary.inserted,
                        summary.updated,
                        summary.unchanged,
                        summary.created_subjects,
                        summary.rejected
                    );
                    if let Some(p) = &summary.reject_file
                        && summary.rejected > 0
                    {
                        println!("不合格的行已另存为 {}", p.display());
                    }
                } else if *dry_run && summary.rejected == 0 {
                    println!(
                        "检查通过（未写入）：可新增 {}，更新 {}，未变 {}",
                        summary.inserted, summary.updated, summary.unchanged
                    );
                } else {
                    eprintln!(
                        "未写入任何记录：请修改上述 {} 行后重新导入，或加 --skip-invalid 只导入合格的行",
                        summary.rejected
                    );
                }
            }
            Ok(if summary.written || (*dry_run && summary.rejected == 0) {
                0
            } else {
                1
            })
        }
        RecordsCmd::List { code } => {
            let desk = open_desk(cli)?;
            let s = desk.subject_by_code(code)?;
            let views = desk.records_of(s.id)?;
            if cli.json {
                println!("{}", serde_json::to_string(&views)?);
            } else {
                for v in &views {
                    let verdict = match &v.outcome {
                        Outcome::Dishonest(f) => {
                            format!("失信记录（{}）：{}", f.rule.as_str(), f.reason)
                        }
                        Outcome::NotDishonest(c) => c.reason.clone(),
                    };
                    // R + id names the record for `repair open` and `objection open`.
                    let credit = v.credit.label();
                    println!(
                        "R{}\t{}\t{}\t{}\t{verdict}{}",
                        v.id.0,
                        v.record.date(),
                        v.record.kind().label(),
                        v.record.summary(),
                        if credit.is_empty() {
                            String::new()
                        } else {
                            format!("【{credit}】")
                        }
                    );
                }
                println!("共 {} 条", views.len());
            }
            Ok(0)
        }
    }
}
