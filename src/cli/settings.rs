//! `settings`: program settings an administrator sets from the command line (for the hall's IT
//! staff setting up a dozen PCs by script).

use anyhow::{Result, bail};
use clap::Subcommand;
use serde_json::json;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in};
use xinyidian::domain::installation::{InstallationNo, serial_block};

#[derive(Subcommand, Debug)]
pub enum SettingsCmd {
    /// 本机安装编号（1–99）：营业厅的每台电脑各用本机数据库时须各不相同，承诺编码才不会重复（规则 C-4）。
    /// 不带参数时显示当前编号；--clear 清除（只有一台电脑时）
    Installation {
        #[arg(value_name = "编号", conflicts_with = "clear")]
        number: Option<String>,
        #[arg(long)]
        clear: bool,
    },
    /// 失信信息等级（规则 X-2：轻微、一般、严重，决定最短与最长公示期）。不带参数时列出；
    /// 例如 `settings grade D-2 严重`
    Grade {
        #[arg(value_name = "规则")]
        rule: Option<String>,
        #[arg(value_name = "等级", requires = "rule")]
        grade: Option<String>,
    },
    /// 备份设置（管理员）：备份文件夹、保留份数、自动备份（off / start 每天首次启动时 / HH:MM 每天该时刻）。不带参数时显示
    Backup {
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        #[arg(long)]
        keep: Option<u32>,
        #[arg(long)]
        schedule: Option<String>,
    },
    /// 承诺受理单位（管理员）：名称与统一社会信用代码，出具承诺书前必须填写（规则 C-3）。不带参数时显示
    Unit {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        uscc: Option<String>,
    },
    /// 信用修复与异议的办理时限（工作日，规则 X-3）。不带参数时显示
    Limits {
        /// 受理时限
        #[arg(long)]
        accept: Option<u32>,
        /// 核实时限（受理后开始审核、核实）
        #[arg(long)]
        verify: Option<u32>,
        /// 决定时限（开始核实后作出决定）
        #[arg(long)]
        decide: Option<u32>,
        /// 到期前几个工作日提醒
        #[arg(long)]
        warn: Option<u32>,
    },
}

pub(super) fn settings(cli: &Cli, cmd: &SettingsCmd) -> Result<ExitCode> {
    let (number, clear) = match cmd {
        SettingsCmd::Installation { number, clear } => (number, clear),
        SettingsCmd::Grade { rule, grade } => return super::credit::grade(cli, rule, grade),
        SettingsCmd::Unit { name, uscc } => return unit(cli, name, uscc),
        SettingsCmd::Backup {
            dir,
            keep,
            schedule,
        } => return super::backup::settings(cli, dir, keep, schedule),
        SettingsCmd::Limits {
            accept,
            verify,
            decide,
            warn,
        } => return super::credit::limits(cli, &[*accept, *verify, *decide, *warn]),
    };
    let no = if *clear {
        None
    } else if let Some(text) = number {
        match InstallationNo::parse(text)? {
            Some(n) => Some(n),
            None => bail!("请填写 1 到 99 之间的编号；要清除编号请用 --clear"),
        }
    } else {
        let desk = open_desk(cli)?;
        let no = desk.installation_no()?;
        print_installation(cli, no);
        return Ok(0);
    };
    let mut desk = open_desk_signed_in(cli)?;
    desk.set_installation_no(no)?;
    print_installation(cli, no);
    Ok(0)
}

fn print_installation(cli: &Cli, no: Option<InstallationNo>) {
    let (first, last) = serial_block(no);
    if cli.json {
        println!(
            "{}",
            json!({"installation_no": no.map(InstallationNo::get), "serial_first": first, "serial_last": last})
        );
    } else {
        let shown = no.map_or("未设置".to_string(), |n| n.to_string());
        println!("本机安装编号：{shown}（承诺编码序号 {first:06}–{last:06}）");
    }
}

/// `settings unit`: show the accepting unit, or change its name and USCC.
fn unit(cli: &Cli, name: &Option<String>, uscc: &Option<String>) -> Result<ExitCode> {
    let print = |u: &xinyidian::domain::commitment::AcceptingUnit| {
        if cli.json {
            println!("{}", json!({"name": u.name, "uscc": u.uscc}));
        } else {
            let code = if u.uscc.is_empty() {
                "未填写"
            } else {
                u.uscc.as_str()
            };
            println!("承诺受理单位：{}（统一社会信用代码 {code}）", u.name);
        }
    };
    if name.is_none() && uscc.is_none() {
        print(&open_desk(cli)?.accepting_unit()?);
        return Ok(0);
    }
    let mut desk = open_desk_signed_in(cli)?;
    let mut u = desk.accepting_unit()?;
    if let Some(n) = name {
        u.name = n.clone();
    }
    if let Some(c) = uscc {
        u.uscc = c.clone();
    }
    desk.set_accepting_unit(&u)?;
    print(&desk.accepting_unit()?);
    Ok(0)
}
