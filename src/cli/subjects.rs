//! `code`, `subject` and `account`: check identity codes (rules ID-1, ID-2), register, edit and
//! find subjects, add their 用电户.

use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::json;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in, today};
use xinyidian::domain::id_codes::{CodeKind, IdDocKind, check_code};
use xinyidian::domain::subject::{
    AccountDraft, Subject, SubjectDraft, SubjectKind, SubjectSummary,
};

#[derive(Subcommand, Debug)]
pub enum CodeCmd {
    /// 逐个校验代码：全部合法时退出码为 0，否则为 1
    Check {
        #[arg(required = true, value_name = "CODE")]
        codes: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SubjectCmd {
    /// 登记新主体
    Add(SubjectArgs),
    /// 修改已登记的主体（只改给出的栏目）
    Edit {
        /// 统一社会信用代码、证件号码或用户编号
        code: String,
        #[command(flatten)]
        fields: SubjectEditArgs,
    },
    /// 按名称片段、代码或用户编号查询
    Find {
        query: String,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// 显示一个主体的全部信息
    Show { code: String },
    /// 最近登记或修改的主体
    Recent {
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

#[derive(Args, Debug)]
pub struct SubjectArgs {
    /// 主体类别：法人及非法人组织（法人）、个体工商户（个体）、自然人（个人）
    #[arg(long, value_parser = parse_kind)]
    kind: SubjectKind,
    /// 名称或姓名
    #[arg(long)]
    name: String,
    /// 统一社会信用代码（组织、个体）或证件号码（自然人）
    #[arg(long)]
    code: String,
    /// 自然人的证件类型（默认居民身份证）
    #[arg(long, value_parser = parse_id_kind, default_value = "居民身份证")]
    id_type: IdDocKind,
    /// 法定代表人姓名
    #[arg(long)]
    legal_rep: Option<String>,
    /// 法定代表人证件类型（默认居民身份证）
    #[arg(long, value_parser = parse_id_kind, default_value = "居民身份证")]
    legal_rep_id_type: IdDocKind,
    /// 法定代表人证件号码
    #[arg(long)]
    legal_rep_id: Option<String>,
    /// 成立日期
    #[arg(long)]
    founded: Option<String>,
    /// 联系电话
    #[arg(long)]
    phone: Option<String>,
    /// 注册地址
    #[arg(long)]
    address: Option<String>,
    /// 班长认可校验位不符但合法签发的早期代码（规则 ID-1），须写明原因
    #[arg(long, value_name = "原因")]
    accept_check_failure: Option<String>,
}

#[derive(Args, Debug)]
pub struct SubjectEditArgs {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    legal_rep: Option<String>,
    #[arg(long, value_parser = parse_id_kind)]
    legal_rep_id_type: Option<IdDocKind>,
    #[arg(long)]
    legal_rep_id: Option<String>,
    #[arg(long)]
    founded: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    address: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum AccountCmd {
    /// 为主体添加用电户
    Add {
        /// 主体的统一社会信用代码或证件号码
        code: String,
        /// 用户编号
        #[arg(long)]
        account_no: String,
        /// 用电地址
        #[arg(long)]
        address: String,
        /// 用电开始日期
        #[arg(long)]
        since: Option<String>,
    },
}

fn parse_kind(s: &str) -> Result<SubjectKind, String> {
    SubjectKind::from_label_or_key(s).ok_or_else(|| {
        format!("主体类别“{s}”无法识别：请填 法人及非法人组织、个体工商户 或 自然人")
    })
}

fn parse_id_kind(s: &str) -> Result<IdDocKind, String> {
    IdDocKind::from_label_or_key(s).ok_or_else(|| {
        let all: Vec<&str> = IdDocKind::ALL.iter().map(|k| k.label()).collect();
        format!("证件类型“{s}”无法识别：可选 {}", all.join("、"))
    })
}

fn kind_key(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Uscc => "uscc",
        CodeKind::ResidentId => "resident_id",
        CodeKind::Other => "other",
    }
}

fn kind_label(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Uscc => "统一社会信用代码",
        CodeKind::ResidentId => "居民身份证号码",
        CodeKind::Other => "其他证件号码",
    }
}

pub(super) fn code_check(cli: &Cli, codes: &[String]) -> ExitCode {
    let today = today(cli);
    let checks: Vec<_> = codes.iter().map(|c| check_code(c, today)).collect();
    let all_valid = checks.iter().all(|c| c.result.is_ok());
    if cli.json {
        let arr: Vec<_> = checks
            .iter()
            .map(|c| {
                json!({
                    "input": c.input,
                    "normalized": c.normalized,
                    "kind": kind_key(c.kind),
                    "valid": c.result.is_ok(),
                    "error": c.result.as_ref().err().map(|e| e.to_string()),
                    "warnings": c.warnings.iter().map(|w| w.message.clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(arr));
    } else {
        for c in &checks {
            let verdict = match &c.result {
                Ok(()) => "合法".to_string(),
                Err(e) => format!("不合法：{e}"),
            };
            println!(
                "{}\t{}\t{}",
                xinyidian::domain::text::shown_value(&c.normalized),
                kind_label(c.kind),
                verdict
            );
            for w in &c.warnings {
                println!("\t提示：{}", w.message);
            }
        }
    }
    if all_valid { 0 } else { 1 }
}

fn summary_json(s: &SubjectSummary) -> serde_json::Value {
    json!({
        "id": s.id.0,
        "kind": s.kind.key(),
        "kind_label": s.kind.label(),
        "code": s.code_masked,
        "name": s.name,
        "phone": s.phone,
        "address": s.address,
    })
}

fn subject_json(s: &Subject) -> serde_json::Value {
    json!({
        "id": s.id.0,
        "kind": s.kind.key(),
        "kind_label": s.kind.label(),
        "code_type": s.code.parts().0,
        "code": s.code.full(),
        "name": s.name,
        "legal_rep": s.legal_rep.as_ref().map(|lr| json!({
            "name": lr.name,
            "id_type": lr.doc.as_ref().map(|d| d.kind.label()),
            "id_number": lr.doc.as_ref().map(|d| d.number.clone()),
        })),
        "founded_on": s.founded_on,
        "phone": s.phone,
        "address": s.address,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "accounts": s.accounts.iter().map(|a| json!({
            "account_no": a.account_no,
            "usage_address": a.usage_address,
            "supply_start": a.supply_start,
        })).collect::<Vec<_>>(),
    })
}

fn print_summaries(cli: &Cli, hits: &[SubjectSummary], exact: Option<bool>) {
    if cli.json {
        let mut v = json!({ "hits": hits.iter().map(summary_json).collect::<Vec<_>>() });
        if let Some(exact) = exact {
            v["exact"] = json!(exact);
        }
        println!("{v}");
        return;
    }
    if hits.is_empty() {
        println!("没有找到符合条件的主体");
        return;
    }
    for h in hits {
        println!(
            "{}\t{}\t{}\t{}",
            h.code_masked,
            h.kind.label(),
            h.name,
            h.address
        );
    }
    println!("共 {} 条", hits.len());
}

pub(super) fn subject(cli: &Cli, cmd: &SubjectCmd) -> Result<ExitCode> {
    let mut desk = match cmd {
        SubjectCmd::Add(_) | SubjectCmd::Edit { .. } => open_desk_signed_in(cli)?,
        _ => open_desk(cli)?,
    };
    match cmd {
        SubjectCmd::Add(a) => {
            let draft = SubjectDraft {
                kind: a.kind,
                name: a.name.clone(),
                code: a.code.clone(),
                id_kind: a.id_type,
                legal_rep_name: a.legal_rep.clone().unwrap_or_default(),
                legal_rep_id_kind: a.legal_rep_id_type,
                legal_rep_id_number: a.legal_rep_id.clone().unwrap_or_default(),
                founded_on: a.founded.clone().unwrap_or_default(),
                phone: a.phone.clone().unwrap_or_default(),
                address: a.address.clone().unwrap_or_default(),
            };
            let id = match &a.accept_check_failure {
                Some(reason) => desk.create_subject_accepting_code(&draft, reason)?,
                None => desk.create_subject(&draft)?,
            };
            let s = desk.subject(id)?;
            if cli.json {
                println!("{}", subject_json(&s));
            } else {
                println!(
                    "已登记：{}（{} {}）",
                    s.name,
                    s.code.type_label(),
                    s.code.full()
                );
            }
            Ok(0)
        }
        SubjectCmd::Edit { code, fields } => {
            let s = desk.subject_by_code(code)?;
            let mut d = SubjectDraft::from_subject(&s);
            let set = |dst: &mut String, v: &Option<String>| {
                if let Some(v) = v {
                    dst.clone_from(v);
                }
            };
            set(&mut d.name, &fields.name);
            set(&mut d.legal_rep_name, &fields.legal_rep);
            set(&mut d.legal_rep_id_number, &fields.legal_rep_id);
            set(&mut d.founded_on, &fields.founded);
            set(&mut d.phone, &fields.phone);
            set(&mut d.address, &fields.address);
            if let Some(k) = fields.legal_rep_id_type {
                d.legal_rep_id_kind = k;
            }
            desk.update_subject(s.id, &d)?;
            let s = desk.subject(s.id)?;
            if cli.json {
                println!("{}", subject_json(&s));
            } else {
                println!("已保存：{}", s.name);
            }
            Ok(0)
        }
        SubjectCmd::Find { query, limit } => {
            let l = desk.lookup(query, *limit)?;
            print_summaries(cli, &l.hits, Some(l.exact));
            Ok(if l.hits.is_empty() { 1 } else { 0 })
        }
        SubjectCmd::Show { code } => {
            let s = desk.subject_by_code(code)?;
            if cli.json {
                println!("{}", subject_json(&s));
            } else {
                println!("{}（{}）", s.name, s.kind.label());
                println!("{}：{}", s.code.type_label(), s.code.full());
                if let Some(lr) = &s.legal_rep {
                    let doc = lr
                        .doc
                        .as_ref()
                        .map(|d| format!("（{} {}）", d.kind.label(), d.number))
                        .unwrap_or_default();
                    println!("法定代表人：{}{doc}", lr.name);
                }
                if let Some(d) = s.founded_on {
                    println!("成立日期：{d}");
                }
                println!("联系电话：{}", s.phone);
                println!("注册地址：{}", s.address);
                for a in &s.accounts {
                    let since = a
                        .supply_start
                        .map(|d| format!("，{d} 起用电"))
                        .unwrap_or_default();
                    println!("用电户 {}：{}{since}", a.account_no, a.usage_address);
                }
            }
            Ok(0)
        }
        SubjectCmd::Recent { limit } => {
            let hits = desk.recent_subjects(*limit)?;
            print_summaries(cli, &hits, None);
            Ok(0)
        }
    }
}

/// `account add`: a new 用电户 for a registered subject.
pub(super) fn account(cli: &Cli, cmd: &AccountCmd) -> Result<ExitCode> {
    let AccountCmd::Add {
        code,
        account_no,
        address,
        since,
    } = cmd;
    let mut desk = open_desk_signed_in(cli)?;
    let subject = desk.subject_by_code(code)?;
    let draft = AccountDraft {
        account_no: account_no.clone(),
        usage_address: address.clone(),
        supply_start: since.clone().unwrap_or_default(),
    };
    let id = desk.add_account(subject.id, &draft)?;
    if cli.json {
        println!(
            "{}",
            json!({"account_id": id.0, "subject_id": subject.id.0})
        );
    } else {
        println!(
            "已为“{}”添加用电户 {}",
            subject.name,
            draft.account_no.trim()
        );
    }
    Ok(0)
}
