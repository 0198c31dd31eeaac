//! `repair`, `objection` and `calendar`: credit repair and objections on the command line
//! (rules X-1..X-3). Records are named as `records list` shows them (`R12`), broken
//! commitments by their 承诺编码.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use serde_json::json;

use super::{Cli, ExitCode, open_desk, open_desk_signed_in};
use xinyidian::desk::{
    CreditFilter, Desk, ObjectionRequest, ObjectionStep, RepairRequest, RepairStep,
};
use xinyidian::domain::credit::{
    CreditLimits, Grade, GradeSettings, Objection, ObjectionGround, ObjectionId, ObjectionStatus,
    RepairApplication, RepairId, RepairRoute, RepairStatus, Step, TargetRef,
};
use xinyidian::domain::dishonesty::RuleId;
use xinyidian::domain::subject::SubjectId;

#[derive(Subcommand, Debug)]
pub enum RepairCmd {
    /// 登记信用修复申请（柜员）：打印信用修复承诺书（PDF），由申请人签字盖章后用 repair attach 上传
    Open {
        /// 主体的统一社会信用代码或证件号码
        #[arg(long, value_name = "代码")]
        subject: String,
        /// 要修复的失信记录：R 加记录编号（records list 显示），或违诺的承诺编码；可写多个
        #[arg(long = "record", value_name = "R编号|承诺编码", required = true)]
        records: Vec<String>,
        /// 修复方式：arrears（缴清欠费及违约金）、theft（停止窃电、整改并补缴）、stop（停止违法违规行为并提供证明）
        #[arg(long, value_parser = parse_route)]
        route: RepairRoute,
        /// 整改情况说明
        #[arg(long)]
        statement: String,
        /// 证明材料（PDF、JPG、PNG，每份不超过 20 MB），可写成 文件=说明，可写多个
        #[arg(long = "evidence", value_name = "FILE[=说明]", required = true)]
        evidence: Vec<String>,
        /// 信用修复承诺书 PDF 的保存位置
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// 显示一个修复申请
    Show {
        #[arg(value_name = "申请编号")]
        id: i64,
    },
    /// 列出修复申请（默认全部，最新的在前）
    List {
        /// 只列出在办的（待受理、已受理、审核中）
        #[arg(long)]
        open: bool,
        /// 只看某主体（代码）
        #[arg(long, value_name = "代码")]
        subject: Option<String>,
    },
    /// 上传签字盖章的信用修复承诺书（柜员）
    Attach {
        #[arg(value_name = "申请编号")]
        id: i64,
        file: PathBuf,
    },
    /// 补充证明材料（柜员）
    Evidence {
        #[arg(value_name = "申请编号")]
        id: i64,
        file: PathBuf,
        #[arg(long, default_value = "证明材料")]
        label: String,
    },
    /// 重新打印信用修复承诺书（与登记时完全相同）
    Letter {
        #[arg(value_name = "申请编号")]
        id: i64,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// 办理修复申请（班长）：accept 受理、not-accept 不予受理、review 开始审核、repair 修复、reject 不予修复
    Decide {
        #[arg(value_name = "申请编号")]
        id: i64,
        #[arg(value_name = "决定", value_parser = ["accept", "not-accept", "review", "repair", "reject"])]
        decision: String,
        /// 不予受理、不予修复的理由（必填）
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ObjectionCmd {
    /// 登记异议申诉（柜员）：异议期间记录标注“异议中”，不改变核查结论
    Open {
        #[arg(long, value_name = "代码")]
        subject: String,
        /// 有异议的记录：R 加记录编号，或违诺的承诺编码
        #[arg(long = "record", value_name = "R编号|承诺编码")]
        record: String,
        /// 异议理由：错误、遗漏、重复、不应公示、超期公示、与认定机关不一致，可写多个
        #[arg(long = "ground", value_parser = parse_ground, required = true)]
        grounds: Vec<ObjectionGround>,
        /// 异议事由说明
        #[arg(long)]
        statement: String,
        /// 证明材料，可写成 文件=说明，可写多个
        #[arg(long = "evidence", value_name = "FILE[=说明]")]
        evidence: Vec<String>,
        /// 盖章的异议申诉信用承诺书扫描件（必填）
        #[arg(long, value_name = "FILE")]
        sealed: PathBuf,
    },
    /// 显示一个异议申诉
    Show {
        #[arg(value_name = "异议编号")]
        id: i64,
    },
    /// 列出异议申诉
    List {
        #[arg(long)]
        open: bool,
        #[arg(long, value_name = "代码")]
        subject: Option<String>,
    },
    /// 办理异议（班长）：accept 受理、not-accept 不予受理、verify 开始核实、withdraw 更正为撤销该记录、uphold 不予更正
    /// （更正记录的具体内容请在窗口中办理）
    Decide {
        #[arg(value_name = "异议编号")]
        id: i64,
        #[arg(value_name = "决定", value_parser = ["accept", "not-accept", "verify", "withdraw", "uphold"])]
        decision: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// 列出工作日历中的放假和调休上班日（默认今年和明年）
    List {
        #[arg(long)]
        year: Option<i32>,
    },
    /// 导入一年或几年的放假安排（管理员）：CSV 或 XLSX，列为 日期、类型（放假/上班）、名称；文件中的年份整年替换
    Import { file: PathBuf },
}

fn parse_route(s: &str) -> Result<RepairRoute, String> {
    RepairRoute::parse(s).ok_or_else(|| {
        format!("修复方式“{s}”无法识别：可选 arrears（缴清欠费）、theft（窃电整改）、stop（停止违法行为）")
    })
}

fn parse_ground(s: &str) -> Result<ObjectionGround, String> {
    ObjectionGround::parse(s).ok_or_else(|| {
        format!(
            "异议理由“{s}”无法识别：可选 错误、遗漏、重复、不应公示、超期公示、与认定机关不一致"
        )
    })
}

/// `R12` (a record) or a 20-character 承诺编码 (a broken commitment).
fn target(desk: &Desk, s: &str) -> Result<TargetRef> {
    let t = s.trim();
    if let Some(n) = t.strip_prefix(['R', 'r']) {
        let id: i64 = n
            .parse()
            .with_context(|| format!("记录编号“{t}”应为 R 加数字，例如 R12"))?;
        return Ok(TargetRef::Record { id });
    }
    let c = desk
        .commitment_by_code(t)
        .with_context(|| format!("没有承诺编码为 {t} 的承诺：记录请写成 R 加编号"))?;
    Ok(TargetRef::Commitment {
        id: c.id.0,
        code: c.code,
    })
}

fn evidence(items: &[String]) -> Vec<(PathBuf, String)> {
    items
        .iter()
        .map(|e| match e.split_once('=') {
            Some((f, label)) => (PathBuf::from(f), label.to_string()),
            None => (PathBuf::from(e), "证明材料".to_string()),
        })
        .collect()
}

fn subject_of(desk: &Desk, code: &Option<String>) -> Result<Option<SubjectId>> {
    Ok(match code {
        Some(c) => Some(desk.subject_by_code(c)?.id),
        None => None,
    })
}

fn write_pdf(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("无法写出 {}", path.display()))
}

/// The filter of `repair list` and `objection list`: the open statuses with `--open`, the
/// subject with `--subject`.
fn list_filter(
    desk: &Desk,
    open: bool,
    open_keys: Vec<&'static str>,
    subject: &Option<String>,
) -> Result<CreditFilter> {
    Ok(CreditFilter {
        statuses: if open {
            open_keys.into_iter().map(str::to_string).collect()
        } else {
            Vec::new()
        },
        subject: subject_of(desk, subject)?,
        ..CreditFilter::default()
    })
}

/// The list of `repair list` and `objection list`.
fn print_rows(cli: &Cli, rows: &[xinyidian::domain::credit::CreditRow]) -> Result<ExitCode> {
    if cli.json {
        println!("{}", serde_json::to_string(rows)?);
        return Ok(0);
    }
    for r in rows {
        println!(
            "{}\t{}\t{}\t{}\t{}\t时限 {}",
            r.id,
            r.status_label,
            r.subject_name,
            r.targets,
            r.opened_on,
            r.deadline.map_or_else(|| "—".into(), |d| d.to_string())
        );
    }
    println!("共 {} 件", rows.len());
    Ok(0)
}

fn print_steps(steps: &[Step]) {
    for s in steps {
        let mut line = format!("  {} {}（{}）", s.on, s.status, s.by);
        if let Some(r) = &s.reason {
            line.push_str(&format!("，理由：{r}"));
        }
        if let Some(d) = s.deadline {
            line.push_str(&format!("，下一步时限 {d}"));
        }
        println!("{line}");
    }
}

fn print_repair(a: &RepairApplication) {
    println!(
        "信用修复申请 {}：{}（{} {}）",
        a.id,
        a.status.label(),
        a.subject_name,
        a.subject_code
    );
    for t in &a.targets {
        let p = t
            .periods
            .map(|p| format!("，{}，最早可修复 {}", p.grade.label(), p.earliest_repair))
            .unwrap_or_default();
        println!("  修复记录：{}（{}{p}）", t.target.label(), t.summary);
    }
    println!("  修复方式：{}", a.route.label());
    println!("  整改情况：{}", a.statement);
    for e in &a.evidence {
        println!(
            "  证明材料：{}（{}，SHA-256 {}）",
            e.label,
            e.file_name,
            &e.sha256[..16.min(e.sha256.len())]
        );
    }
    println!(
        "  信用修复承诺书：{}（{}）",
        a.commitment.code,
        if a.commitment.signed.is_some() {
            "已上传签字盖章件"
        } else {
            "尚未上传签字盖章件"
        }
    );
    if let Some(d) = a.deadline {
        println!("  本步时限：{d}");
    }
    if let Some(d) = a.repaired_on {
        println!("  修复日期：{d}（自该日起不再计入任何规则，X-2）");
    }
    print_steps(&a.steps);
}

fn print_objection(o: &Objection) {
    println!(
        "异议申诉 {}：{}（{} {}）",
        o.id,
        o.status.label(),
        o.subject_name,
        o.subject_code
    );
    println!(
        "  异议记录：{}（{}）",
        o.target.target.label(),
        o.target.summary
    );
    let g: Vec<&str> = o.grounds.iter().map(|g| g.label()).collect();
    println!("  异议理由：{}", g.join("、"));
    println!("  事由说明：{}", o.statement);
    for e in &o.evidence {
        println!("  证明材料：{}（{}）", e.label, e.file_name);
    }
    println!("  异议申诉信用承诺书：{}", o.commitment_scan.file_name);
    if let Some(d) = o.deadline {
        println!("  本步时限：{d}");
    }
    match &o.correction {
        Some(xinyidian::domain::credit::Correction::Withdrawn) => println!("  更正：撤销该记录"),
        Some(xinyidian::domain::credit::Correction::Amended { before, after }) => {
            println!("  更正：{before} → {after}")
        }
        None => {}
    }
    print_steps(&o.steps);
}

pub(super) fn repair(cli: &Cli, cmd: &RepairCmd) -> Result<ExitCode> {
    match cmd {
        RepairCmd::Open {
            subject,
            records,
            route,
            statement,
            evidence: files,
            out,
        } => {
            let mut desk = open_desk_signed_in(cli)?;
            let s = desk.subject_by_code(subject)?;
            let targets = records
                .iter()
                .map(|r| target(&desk, r))
                .collect::<Result<Vec<_>>>()?;
            let opened = desk.open_repair(&RepairRequest {
                subject: s.id,
                targets,
                route: *route,
                statement: statement.clone(),
                evidence: evidence(files),
            })?;
            write_pdf(out, &opened.pdf)?;
            let a = &opened.application;
            if cli.json {
                println!("{}", serde_json::to_string(a)?);
            } else {
                println!(
                    "已登记信用修复申请 {}（待受理，受理时限 {}），信用修复承诺书 {} 已保存到 {}",
                    a.id,
                    a.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    a.commitment.code,
                    out.display()
                );
                println!("请申请人签字盖章后用 `repair attach {} 扫描件` 上传", a.id);
            }
            Ok(0)
        }
        RepairCmd::Show { id } => {
            let desk = open_desk(cli)?;
            let a = desk.repair_application(RepairId(*id))?;
            if cli.json {
                println!("{}", serde_json::to_string(&a)?);
            } else {
                print_repair(&a);
            }
            Ok(0)
        }
        RepairCmd::List { open, subject } => {
            let desk = open_desk(cli)?;
            let filter = list_filter(&desk, *open, RepairStatus::open_keys(), subject)?;
            let list = desk.repair_applications(&filter)?;
            print_rows(cli, &list.iter().map(Desk::repair_row).collect::<Vec<_>>())
        }
        RepairCmd::Attach { id, file } => {
            let mut desk = open_desk_signed_in(cli)?;
            let a = desk.attach_repair_letter(RepairId(*id), file)?;
            println!(
                "已上传修复申请 {} 的信用修复承诺书 {}",
                a.id, a.commitment.code
            );
            Ok(0)
        }
        RepairCmd::Evidence { id, file, label } => {
            let mut desk = open_desk_signed_in(cli)?;
            let a = desk.add_repair_evidence(RepairId(*id), file, label)?;
            println!(
                "已补充证明材料，修复申请 {} 共 {} 份",
                a.id,
                a.evidence.len()
            );
            Ok(0)
        }
        RepairCmd::Letter { id, out } => {
            let desk = open_desk(cli)?;
            write_pdf(out, &desk.repair_letter_pdf(RepairId(*id))?)?;
            println!("已保存到 {}", out.display());
            Ok(0)
        }
        RepairCmd::Decide {
            id,
            decision,
            reason,
        } => {
            let step = match decision.as_str() {
                "accept" => RepairStep::Accept,
                "not-accept" => RepairStep::NotAccept {
                    reason: reason.clone(),
                },
                "review" => RepairStep::Review,
                "repair" => RepairStep::Repair,
                "reject" => RepairStep::Reject {
                    reason: reason.clone(),
                },
                other => bail!("决定“{other}”无法识别"),
            };
            let mut desk = open_desk_signed_in(cli)?;
            let a = desk.decide_repair(RepairId(*id), &step)?;
            if cli.json {
                println!("{}", serde_json::to_string(&a)?);
            } else {
                println!("修复申请 {}：{}", a.id, a.status.label());
                if let Some(d) = a.deadline {
                    println!("下一步时限：{d}");
                }
            }
            Ok(0)
        }
    }
}

pub(super) fn objection(cli: &Cli, cmd: &ObjectionCmd) -> Result<ExitCode> {
    match cmd {
        ObjectionCmd::Open {
            subject,
            record,
            grounds,
            statement,
            evidence: files,
            sealed,
        } => {
            let mut desk = open_desk_signed_in(cli)?;
            let s = desk.subject_by_code(subject)?;
            let target = target(&desk, record)?;
            let o = desk.open_objection(&ObjectionRequest {
                subject: s.id,
                target,
                grounds: grounds.clone(),
                statement: statement.clone(),
                evidence: evidence(files),
                commitment_scan: sealed.clone(),
            })?;
            if cli.json {
                println!("{}", serde_json::to_string(&o)?);
            } else {
                println!(
                    "已登记异议申诉 {}（待受理，受理时限 {}）：{} 在处理期间标注“异议中”",
                    o.id,
                    o.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    o.target.target.label()
                );
            }
            Ok(0)
        }
        ObjectionCmd::Show { id } => {
            let desk = open_desk(cli)?;
            let o = desk.objection(ObjectionId(*id))?;
            if cli.json {
                println!("{}", serde_json::to_string(&o)?);
            } else {
                print_objection(&o);
            }
            Ok(0)
        }
        ObjectionCmd::List { open, subject } => {
            let desk = open_desk(cli)?;
            let filter = list_filter(&desk, *open, ObjectionStatus::open_keys(), subject)?;
            let list = desk.objections(&filter)?;
            print_rows(
                cli,
                &list.iter().map(Desk::objection_row).collect::<Vec<_>>(),
            )
        }
        ObjectionCmd::Decide {
            id,
            decision,
            reason,
        } => {
            let reason = reason.clone();
            let step = match decision.as_str() {
                "accept" => ObjectionStep::Accept,
                "not-accept" => ObjectionStep::NotAccept { reason },
                "verify" => ObjectionStep::Verify,
                "withdraw" => ObjectionStep::Withdraw { reason },
                "uphold" => ObjectionStep::Uphold { reason },
                other => bail!("决定“{other}”无法识别"),
            };
            let mut desk = open_desk_signed_in(cli)?;
            let o = desk.decide_objection(ObjectionId(*id), &step)?;
            if cli.json {
                println!("{}", serde_json::to_string(&o)?);
            } else {
                println!("异议申诉 {}：{}", o.id, o.status.label());
            }
            Ok(0)
        }
    }
}

pub(super) fn calendar(cli: &Cli, cmd: &CalendarCmd) -> Result<ExitCode> {
    match cmd {
        CalendarCmd::List { year } => {
            let desk = open_desk(cli)?;
            let cal = desk.work_calendar()?;
            let this = chrono::Datelike::year(&desk.today());
            let years: Vec<i32> = match year {
                Some(y) => vec![*y],
                None => vec![this, this + 1],
            };
            let mut rows = Vec::new();
            for y in &years {
                if !cal.covers(*y) {
                    eprintln!(
                        "{y} 年不在工作日历中：只按周六、周日休息计算，请管理员导入当年的放假安排"
                    );
                }
                rows.extend(cal.year(*y).into_iter().cloned());
            }
            if cli.json {
                println!("{}", serde_json::to_string(&rows)?);
            } else {
                for d in &rows {
                    println!("{}\t{}\t{}", d.date, d.kind.label(), d.name);
                }
                println!("共 {} 天", rows.len());
            }
            Ok(0)
        }
        CalendarCmd::Import { file } => {
            let mut desk = open_desk_signed_in(cli)?;
            let done = desk.import_calendar(file)?;
            let y: Vec<String> = done.years.iter().map(|y| y.to_string()).collect();
            println!("已导入 {} 年的放假安排，共 {} 天", y.join("、"), done.days);
            Ok(0)
        }
    }
}

/// `settings grade`: show the grades, or set one.
pub(super) fn grade(cli: &Cli, rule: &Option<String>, grade: &Option<String>) -> Result<ExitCode> {
    let (Some(rule), Some(grade)) = (rule, grade) else {
        let desk = open_desk(cli)?;
        print_grades(cli, &desk.credit_grades()?);
        return Ok(0);
    };
    let r = match rule.trim().to_uppercase().replace('-', "").as_str() {
        "D1" => RuleId::D1,
        "D2" => RuleId::D2,
        "D3" => RuleId::D3,
        "D4" => RuleId::D4,
        _ => bail!(
            "规则“{rule}”无法识别：可选 D-1（欠费）、D-2（窃电）、D-3（违约用电）、D-4（违反信用承诺）"
        ),
    };
    let Some(g) = Grade::parse(grade) else {
        bail!("等级“{grade}”无法识别：可选 轻微、一般、严重");
    };
    let mut desk = open_desk_signed_in(cli)?;
    desk.set_credit_grade(r, g)?;
    print_grades(cli, &desk.credit_grades()?);
    Ok(0)
}

fn print_grades(cli: &Cli, g: &GradeSettings) {
    if cli.json {
        println!("{}", serde_json::to_string(g).unwrap_or_default());
        return;
    }
    for rule in GradeSettings::RULES {
        if let Some(grade) = g.of(rule) {
            println!("{rule}\t{}\t{}", rule.title(), grade.describe());
        }
    }
}

/// `settings limits`: show the time limits, or set them.
pub(super) fn limits(cli: &Cli, set: &[Option<u32>; 4]) -> Result<ExitCode> {
    if set.iter().all(Option::is_none) {
        let desk = open_desk(cli)?;
        print_limits(cli, &desk.credit_limits()?);
        return Ok(0);
    }
    let mut desk = open_desk_signed_in(cli)?;
    let cur = desk.credit_limits()?;
    let new = CreditLimits {
        accept_days: set[0].unwrap_or(cur.accept_days),
        verify_days: set[1].unwrap_or(cur.verify_days),
        decide_days: set[2].unwrap_or(cur.decide_days),
        warn_days: set[3].unwrap_or(cur.warn_days),
    };
    desk.set_credit_limits(new)?;
    print_limits(cli, &new);
    Ok(0)
}

fn print_limits(cli: &Cli, l: &CreditLimits) {
    if cli.json {
        println!("{}", json!(l));
    } else {
        println!(
            "信用修复与异议办理时限（工作日）：受理 {}，核实 {}，决定 {}；到期前 {} 个工作日提醒",
            l.accept_days, l.verify_days, l.decide_days, l.warn_days
        );
    }
}
