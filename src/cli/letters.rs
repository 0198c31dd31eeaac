//! `letter` and `commitment`: the integrity commitment letter on the command line (C-1..C-5).

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in};
use xinyidian::domain::commitment::Commitment;
use xinyidian::domain::id_codes::mask_id_number;
use xinyidian::domain::letter::{LetterForm, Relation};
use xinyidian::domain::subject::SubjectKind;
use xinyidian::domain::trust::Business;

/// `xinyidian letter`. A 自然人 gets the person form (申请人姓名、证件类型、证件号码), filled from
/// the subject; every other subject annex 2's unit form.
#[derive(clap::Args, Debug)]
pub struct LetterArgs {
    /// 主体的统一社会信用代码、自然人的证件号码或用户编号
    pub code: String,
    /// 输出的 PDF 文件
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// 申请单位（自然人为申请人）与用电地址对应建筑物的关系：业主 或 租户
    #[arg(long, value_parser = parse_relation)]
    pub relation: Option<Relation>,
    /// 信易电业务：用电报装 或 更名过户
    #[arg(long, default_value = "用电报装", value_parser = parse_business)]
    pub business: Business,
    /// 更正法定代表人姓名（默认取主体登记信息；自然人不适用）
    #[arg(long)]
    pub legal_rep: Option<String>,
    /// 更正法定代表人身份证号码（默认取主体登记信息；自然人不适用）
    #[arg(long)]
    pub legal_rep_id: Option<String>,
}

fn parse_relation(s: &str) -> Result<Relation, String> {
    Relation::from_label_or_key(s).ok_or_else(|| format!("“{s}”无法识别：请填 业主 或 租户"))
}

fn parse_business(s: &str) -> Result<Business, String> {
    Business::parse(s).ok_or_else(|| format!("业务类型“{s}”无法识别：请填 用电报装 或 更名过户"))
}

#[derive(Subcommand, Debug)]
pub enum CommitmentCmd {
    /// 显示一项信用承诺（C-3 的全部数据项）
    Show {
        #[arg(value_name = "承诺编码")]
        code: String,
    },
    /// 列出主体的信用承诺
    List {
        /// 主体的统一社会信用代码或用户编号
        code: String,
    },
    /// 上传签字盖章后的承诺书扫描件（PDF、JPG、PNG，不超过 20 MB），并重新核查
    Attach {
        #[arg(value_name = "承诺编码")]
        code: String,
        file: PathBuf,
    },
    /// 重新打印承诺书（同一承诺编码，不新建记录）
    Print {
        #[arg(value_name = "承诺编码")]
        code: String,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
}

/// 承诺人代码 as the command line shows it: a 自然人's 证件号码 masked (rule ID-3: only the
/// subject's own page and the printed letter show it whole).
fn committer_code_shown(c: &Commitment) -> String {
    if c.committer_kind == SubjectKind::NaturalPerson {
        mask_id_number(&c.committer_code)
    } else {
        c.committer_code.clone()
    }
}

/// The JSON of a commitment with annex 4's data-item names (rule C-3).
pub fn commitment_json(c: &Commitment) -> serde_json::Value {
    json!({
        "id": c.id.0,
        "承诺编码": c.code,
        "承诺人名称": c.committer_name,
        "承诺人类别": xinyidian::domain::commitment::committer_kind_label(c.committer_kind),
        "承诺人代码": committer_code_shown(c),
        "承诺类型": c.commitment_type.label(),
        "承诺事由": c.reason,
        "承诺内容": c.content,
        "违诺责任": c.liability,
        "承诺作出日期": c.made_on,
        "承诺有效期": c.valid_until,
        "承诺履行状态": c.fulfilment.map(|f| f.label()).unwrap_or(""),
        "未履行的承诺内容": c.unfulfilled,
        "违诺责任追究内容": c.liability_pursued,
        "承诺履行状态认定日期": c.fulfilment_decided_on,
        "承诺受理单位": c.accepting_unit.name,
        "承诺受理单位统一社会信用代码": c.accepting_unit.uscc,
        "承诺履行状态认定单位": c.deciding_unit.as_ref().map(|u| u.name.clone()),
        "承诺履行状态认定单位代码": c.deciding_unit.as_ref().map(|u| u.uscc.clone()),
        "公开类型": c.publicity.label(),
        "承诺书文件": c.signed_file,
        "business": c.business.label(),
        "signed": c.is_signed(),
        "signed_on": c.signed_on,
        "issued_by": c.issued_by,
    })
}

fn write_pdf(out: &PathBuf, pdf: &[u8]) -> Result<()> {
    // The reason in Chinese, not the OS's English text inside the Chinese message.
    std::fs::write(out, pdf).map_err(|e| {
        anyhow::anyhow!(
            "无法写入 {}（{}）：请确认文件夹存在、有写入权限，且文件未被其他程序打开",
            out.display(),
            xinyidian::documents::io_reason(&e)
        )
    })
}

pub fn letter(cli: &Cli, args: &LetterArgs) -> Result<ExitCode> {
    let mut desk = open_desk_signed_in(cli)?;
    let s = desk.subject_by_code(&args.code)?;
    let mut fields = desk.letter_fields_for(s.id)?;
    fields.relation = args.relation;
    if fields.form == LetterForm::Person
        && (args.legal_rep.is_some() || args.legal_rep_id.is_some())
    {
        anyhow::bail!(
            "“{}”是自然人，承诺书由申请人本人签字，没有法定代表人：请去掉 --legal-rep / --legal-rep-id",
            s.name
        );
    }
    if let Some(n) = &args.legal_rep {
        fields.legal_rep_name = n.clone();
    }
    if let Some(n) = &args.legal_rep_id {
        fields.legal_rep_id_number = n.clone();
    }
    let issued = desk.issue_letter(s.id, args.business, &fields)?;
    write_pdf(&args.out, &issued.pdf)?;
    if cli.json {
        let mut j = commitment_json(&issued.commitment);
        j["reused"] = json!(issued.reused);
        j["file"] = json!(args.out);
        println!("{j}");
    } else {
        println!(
            "{}承诺书 {}：已写入 {}",
            if issued.reused {
                "重新打印"
            } else {
                "已出具"
            },
            issued.commitment.code,
            args.out.display()
        );
    }
    Ok(0)
}

pub fn commitment(cli: &Cli, cmd: &CommitmentCmd) -> Result<ExitCode> {
    match cmd {
        CommitmentCmd::Show { code } => {
            let desk = open_desk(cli)?;
            let c = desk.commitment_by_code(code)?;
            let j = commitment_json(&c);
            if cli.json {
                println!("{j}");
            } else if let Some(map) = j.as_object() {
                for (k, v) in map {
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    println!("{k}：{v}");
                }
            }
        }
        CommitmentCmd::List { code } => {
            let desk = open_desk(cli)?;
            let s = desk.subject_by_code(code)?;
            let all = desk.commitments_of(s.id)?;
            if cli.json {
                println!(
                    "{}",
                    serde_json::Value::Array(all.iter().map(commitment_json).collect())
                );
            } else if all.is_empty() {
                println!("“{}”暂无信用承诺", s.name);
            } else {
                for c in &all {
                    println!(
                        "{}  {}  {}  {}",
                        c.code,
                        c.made_on,
                        c.business.label(),
                        if c.is_signed() {
                            "已签署"
                        } else {
                            "待签署"
                        }
                    );
                }
            }
        }
        CommitmentCmd::Attach { code, file } => {
            let mut desk = open_desk_signed_in(cli)?;
            let c = desk.commitment_by_code(code)?;
            let c = desk.attach_signed_letter(c.id, file)?;
            let out = desk.finalise_check(c.id)?;
            if cli.json {
                let mut j = commitment_json(&c);
                j["verdict"] = super::trust::verdict_json(&out.verdict, Some(out.id.0));
                println!("{j}");
            } else {
                println!("已上传承诺书 {} 的签字盖章件。重新核查：", c.code);
                super::trust::print_verdict(&out.verdict);
            }
        }
        CommitmentCmd::Print { code, out } => {
            let desk = open_desk(cli)?;
            let c = desk.commitment_by_code(code)?;
            let pdf = desk.letter_pdf(c.id)?;
            write_pdf(out, &pdf)?;
            println!("已重新打印承诺书 {}：{}", c.code, out.display());
        }
    }
    Ok(0)
}
