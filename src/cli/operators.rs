//! `operator`: operator accounts (administrators only, except the first administrator of a new
//! database).

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use serde_json::json;

use super::{Cli, ExitCode, open_desk, open_desk_for_write, open_desk_signed_in, password_from};
use xinyidian::desk::Desk;
use xinyidian::domain::operator::{OperatorDraft, Role};

#[derive(Subcommand, Debug)]
pub enum OperatorCmd {
    /// 添加操作员。新数据库上第一个账号必须是管理员，无需 --operator。
    /// 新账号的密码取自环境变量 XINYIDIAN_NEW_PASSWORD，或在终端提示输入。
    Add {
        #[arg(long, value_name = "工号")]
        staff_no: String,
        #[arg(long)]
        name: String,
        /// 柜员（clerk）、班长（supervisor）或管理员（admin）
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, default_value = "")]
        hall: String,
        #[arg(long, default_value = "")]
        window: String,
    },
    /// 列出操作员
    List,
    /// 停用操作员
    Disable {
        #[arg(value_name = "工号")]
        staff_no: String,
    },
    /// 启用操作员
    Enable {
        #[arg(value_name = "工号")]
        staff_no: String,
    },
    /// 重置操作员密码（新密码取自 XINYIDIAN_NEW_PASSWORD 或提示输入）
    ResetPassword {
        #[arg(value_name = "工号")]
        staff_no: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::from_label_or_key(s).ok_or_else(|| {
        format!("角色“{s}”无法识别：请填 柜员（clerk）、班长（supervisor）或 管理员（admin）")
    })
}

pub(super) fn operator(cli: &Cli, cmd: &OperatorCmd) -> Result<ExitCode> {
    // `operator add` on a new database is the explicit setup: the one command that creates it.
    let mut desk = match cmd {
        OperatorCmd::Add { .. } => open_desk_for_write(cli, true)?,
        _ => open_desk(cli)?,
    };
    let find = |desk: &Desk, staff_no: &str| -> Result<xinyidian::domain::operator::Operator> {
        let no = xinyidian::domain::id_codes::normalize(staff_no);
        desk.operators()?
            .into_iter()
            .find(|o| o.staff_no == no)
            .with_context(|| format!("没有工号为 {no} 的操作员"))
    };
    match cmd {
        OperatorCmd::Add {
            staff_no,
            name,
            role,
            hall,
            window,
        } => {
            let draft = OperatorDraft {
                staff_no: staff_no.clone(),
                name: name.clone(),
                role: *role,
                hall: hall.clone(),
                window: window.clone(),
            };
            if desk.needs_setup()? {
                if *role != Role::Admin {
                    bail!("这是新数据库：第一个账号必须是管理员，请用 --role admin");
                }
                let pw = password_from("XINYIDIAN_NEW_PASSWORD", "新管理员的密码：")?;
                desk.setup_admin(&draft, &pw)?;
            } else {
                drop(desk);
                desk = open_desk_signed_in(cli)?;
                let pw = password_from("XINYIDIAN_NEW_PASSWORD", "新操作员的密码：")?;
                desk.add_operator(&draft, &pw)?;
            }
            if cli.json {
                println!(
                    "{}",
                    json!({"staff_no": xinyidian::domain::id_codes::normalize(staff_no), "role": role.key()})
                );
            } else {
                println!(
                    "已添加{} {}（工号 {}）",
                    role.label(),
                    name,
                    xinyidian::domain::id_codes::normalize(staff_no)
                );
            }
            Ok(0)
        }
        OperatorCmd::List => {
            let desk = open_desk_signed_in(cli)?;
            let ops = desk.operators()?;
            if cli.json {
                println!("{}", serde_json::to_string(&ops)?);
            } else {
                for o in ops {
                    let state = if o.active { "正常" } else { "已停用" };
                    println!(
                        "{}\t{}\t{}\t{} {}\t{state}",
                        o.staff_no,
                        o.name,
                        o.role.label(),
                        o.hall,
                        o.window
                    );
                }
            }
            Ok(0)
        }
        OperatorCmd::Disable { staff_no } | OperatorCmd::Enable { staff_no } => {
            let mut desk = open_desk_signed_in(cli)?;
            let o = find(&desk, staff_no)?;
            let enable = matches!(cmd, OperatorCmd::Enable { .. });
            desk.set_operator_active(o.id, enable)?;
            println!(
                "已{}操作员 {}（{}）",
                if enable { "启用" } else { "停用" },
                o.name,
                o.staff_no
            );
            Ok(0)
        }
        OperatorCmd::ResetPassword { staff_no } => {
            let mut desk = open_desk_signed_in(cli)?;
            let o = find(&desk, staff_no)?;
            let pw = password_from("XINYIDIAN_NEW_PASSWORD", "新密码：")?;
            desk.reset_password(o.id, &pw)?;
            println!("已重置操作员 {}（{}）的密码", o.name, o.staff_no);
            Ok(0)
        }
    }
}
