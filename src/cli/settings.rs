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
}

pub(super) fn settings(cli: &Cli, cmd: &SettingsCmd) -> Result<ExitCode> {
    let SettingsCmd::Installation { number, clear } = cmd;
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
