//! `backup` and `db check`: backups of the embedded database, their verification and restore,
//! and the integrity check (issue 20, points 1 and 2).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Subcommand;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in};
use xinyidian::desk::{BackupSchedule, BackupSettings, DbCheck, list_backups, verify_backup};

#[derive(Subcommand, Debug)]
pub enum BackupCmd {
    /// 立即备份（管理员）：一致的数据库副本、签名的锚定文件，写出后立即校验，按保留份数删除较早的备份
    Now {
        /// 备份文件夹（默认：设置中的文件夹）
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// 列出备份文件夹中的备份，最新的在前
    List {
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// 校验一个备份文件（或用 pg_restore 恢复出的服务器数据库）：数据页、引用、证明文件、操作日志
    Verify { file: PathBuf },
    /// 用备份恢复数据库（管理员）：先校验，当前数据库另存后替换；须加 --yes 确认
    Restore {
        file: PathBuf,
        #[arg(long)]
        yes: bool,
    },
}

fn print_check(cli: &Cli, c: &DbCheck) -> ExitCode {
    if cli.json {
        println!("{}", serde_json::to_string(c).unwrap_or_default());
    } else {
        println!("{}", c.summary());
        for p in &c.integrity.problems {
            println!("  数据页：{p}");
        }
        for b in &c.integrity.bad_blobs {
            println!("  证明文件被改动：{b}");
        }
    }
    if c.ok() { 0 } else { 1 }
}

pub(super) fn backup(cli: &Cli, cmd: &BackupCmd) -> Result<ExitCode> {
    match cmd {
        BackupCmd::Now { dir } => {
            let mut desk = open_desk_signed_in(cli)?;
            eprintln!("正在备份…");
            let done = desk.backup_now(dir.as_deref())?;
            if cli.json {
                println!("{}", serde_json::to_string(&done)?);
            } else {
                println!(
                    "已备份到 {}（{:.1} MB）：{}",
                    done.path.display(),
                    done.bytes as f64 / 1_048_576.0,
                    done.check.summary()
                );
                for r in &done.removed {
                    println!("已按保留份数删除较早的备份 {}", r.display());
                }
            }
            Ok(0)
        }
        BackupCmd::List { dir } => {
            let dir = match dir {
                Some(d) => d.clone(),
                None => match open_desk(cli)?.backup_settings()?.dir {
                    Some(d) => d,
                    None => {
                        bail!("尚未设置备份文件夹：请用 --dir 指定，或 `settings backup --dir`")
                    }
                },
            };
            let list = list_backups(&dir)?;
            if cli.json {
                println!("{}", serde_json::to_string(&list)?);
            } else {
                for b in &list {
                    println!(
                        "{}\t{:.1} MB\t{}{}",
                        b.made_at.map(|t| t.to_string()).unwrap_or_default(),
                        b.bytes as f64 / 1_048_576.0,
                        b.path.display(),
                        if b.has_head {
                            ""
                        } else {
                            "\t（缺少锚定文件）"
                        }
                    );
                }
                println!("共 {} 份", list.len());
            }
            Ok(0)
        }
        BackupCmd::Verify { file } => {
            let key_dir = xinyidian::desk::default_key_dir();
            let c = verify_backup(file, key_dir)?;
            Ok(print_check(cli, &c))
        }
        BackupCmd::Restore { file, yes } => {
            if !yes {
                bail!(
                    "恢复会用备份替换当前数据库（当前数据库另存保留）：确认请加 --yes，并先关闭所有信易电窗口"
                );
            }
            let mut desk = open_desk_signed_in(cli)?;
            let done = desk.restore_backup(file)?;
            println!(
                "已从 {} 恢复：{}；恢复前的数据库另存为 {}",
                file.display(),
                done.check.summary(),
                done.kept_aside.display()
            );
            Ok(0)
        }
    }
}

/// `db check`.
pub(super) fn db_check(cli: &Cli) -> Result<ExitCode> {
    let desk = open_desk_signed_in(cli)?;
    let c = desk.db_check(&mut |done, total| {
        if done % 1000 == 0 {
            eprintln!("正在核对证明文件 {done}/{total}…");
        }
    })?;
    Ok(print_check(cli, &c))
}

/// `settings backup`.
pub(super) fn settings(
    cli: &Cli,
    dir: &Option<PathBuf>,
    keep: &Option<u32>,
    schedule: &Option<String>,
) -> Result<ExitCode> {
    if dir.is_none() && keep.is_none() && schedule.is_none() {
        let desk = open_desk(cli)?;
        print_settings(cli, &desk.backup_settings()?, desk.last_backup()?);
        return Ok(0);
    }
    let mut desk = open_desk_signed_in(cli)?;
    let cur = desk.backup_settings()?;
    let schedule = match schedule {
        Some(s) => match BackupSchedule::parse(s) {
            Some(x) => x,
            None => bail!(
                "自动备份“{s}”无法识别：可选 off（不自动）、start（每天首次启动时）或 HH:MM（每天该时刻）"
            ),
        },
        None => cur.schedule,
    };
    let new = BackupSettings {
        dir: dir.clone().or(cur.dir),
        keep: keep.unwrap_or(cur.keep),
        schedule,
    };
    desk.set_backup_settings(&new)?;
    print_settings(cli, &new, desk.last_backup()?);
    Ok(0)
}

fn print_settings(cli: &Cli, s: &BackupSettings, last: Option<chrono::NaiveDateTime>) {
    if cli.json {
        println!("{}", serde_json::to_string(s).unwrap_or_default());
    } else {
        println!(
            "备份文件夹：{}；保留 {} 份；{}；上次备份：{}",
            s.dir
                .as_ref()
                .map_or("未设置".into(), |d| d.display().to_string()),
            s.keep,
            s.schedule.label(),
            last.map_or("无".into(), |t| t.to_string())
        );
    }
}
