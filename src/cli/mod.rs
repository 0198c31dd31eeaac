//! The headless command line: batch work and scripting. Every command calls `desk`, exactly as
//! the window does. Errors are printed in Chinese on stderr; exit status 1 means the command ran
//! and found a problem (an invalid code, a refused action), 2 a usage error.

mod report;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use serde_json::json;

mod cases;
mod letters;
mod trust;

use xinyidian::desk::{self, ImportOptions};
use xinyidian::desk::{
    AuditFilter, Desk, FixedClock, OpenMode, OpenOptions, Progress, SystemClock,
};
use xinyidian::domain::dishonesty::Outcome;
use xinyidian::domain::id_codes::{CodeKind, IdDocKind, check_code};
use xinyidian::domain::operator::{OperatorDraft, Role};
use xinyidian::domain::records::RecordKind;
use xinyidian::domain::subject::{
    AccountDraft, Subject, SubjectDraft, SubjectKind, SubjectSummary,
};
use xinyidian::domain::text::parse_date;

/// 信易电柜台：不带参数运行打开柜台窗口；带子命令时在命令行中执行批量操作。
#[derive(Parser, Debug)]
#[command(name = "xinyidian", version, about, long_about = None)]
pub struct Cli {
    /// 数据库文件路径（默认在本机数据目录中）
    #[arg(long, global = true, env = "XINYIDIAN_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// 以此日期为“今天”（YYYY-MM-DD），用于核对与测试
    #[arg(long, global = true, value_name = "YYYY-MM-DD", value_parser = parse_date_arg)]
    pub date: Option<NaiveDate>,
    /// 以 JSON 输出（便于其他程序读取）
    #[arg(long, global = true)]
    pub json: bool,
    /// 执行写操作的操作员工号（密码取自环境变量 XINYIDIAN_PASSWORD，或在终端提示输入）
    #[arg(long, global = true, env = "XINYIDIAN_OPERATOR", value_name = "工号")]
    pub operator: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 校验统一社会信用代码、身份证号码等
    #[command(subcommand)]
    Code(CodeCmd),
    /// 登记、查询主体
    #[command(subcommand)]
    Subject(SubjectCmd),
    /// 为主体登记用电户（用户编号）
    #[command(subcommand)]
    Account(AccountCmd),
    /// 用电记录：从营销系统导入、查看
    #[command(subcommand)]
    Records(RecordsCmd),
    /// 信用报告：导入、查看（规则 T-3、T-4）
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// 操作员账号（管理员）
    #[command(subcommand)]
    Operator(OperatorCmd),
    /// 操作日志
    #[command(subcommand)]
    Audit(AuditCmd),
    /// 信用核查：守信用电主体与信易电办理条件（规则 T-1..T-7）；退出码 0 表示核查已完成
    Check(trust::CheckArgs),
    /// 守信用电主体名单
    #[command(subcommand)]
    Trusted(trust::TrustedCmd),
    /// 信易电试点园区（规则 T-5）
    #[command(subcommand)]
    Park(trust::ParkCmd),
    /// 填写并打印诚信守法用电承诺书（PDF），生成承诺编码与信用承诺记录（规则 C-1..C-4）
    Letter(letters::LetterArgs),
    /// 信用承诺记录
    #[command(subcommand)]
    Commitment(letters::CommitmentCmd),
    /// 信易电待办：列出、导出（规则 C-2）
    #[command(subcommand)]
    Cases(cases::CasesCmd),
    /// 信易电案件：受理、接电、补证、中止、认定违诺、延期（规则 C-2、D-4、D-5）
    #[command(subcommand)]
    Case(cases::CaseCmd),
    /// 生成湛江地区的演示数据（可重复：同一种子得到同样的数据）
    Demo {
        /// 生成的主体数量
        #[arg(long, default_value_t = 1000)]
        subjects: u64,
        /// 随机种子
        #[arg(long, default_value_t = 2022)]
        seed: u64,
    },
    /// 性能基准：在临时数据库中生成数据并测量查询耗时
    Bench {
        /// 主体数量
        #[arg(long, default_value_t = 1_000_000)]
        subjects: u64,
    },
}

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

fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    parse_date(s)
}

fn parse_kind(s: &str) -> Result<SubjectKind, String> {
    SubjectKind::from_label_or_key(s).ok_or_else(|| {
        format!("主体类别“{s}”无法识别：请填 法人及非法人组织、个体工商户 或 自然人")
    })
}

fn parse_record_kind(s: &str) -> Result<RecordKind, String> {
    RecordKind::from_label_or_key(s).ok_or_else(|| format!("记录类别“{s}”无法识别"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::from_label_or_key(s).ok_or_else(|| {
        format!("角色“{s}”无法识别：请填 柜员（clerk）、班长（supervisor）或 管理员（admin）")
    })
}

fn parse_id_kind(s: &str) -> Result<IdDocKind, String> {
    IdDocKind::from_label_or_key(s).ok_or_else(|| {
        let all: Vec<&str> = IdDocKind::ALL.iter().map(|k| k.label()).collect();
        format!("证件类型“{s}”无法识别：可选 {}", all.join("、"))
    })
}

/// The exit status of a command that ran: 0 all good, 1 a problem was found.
pub type ExitCode = i32;

/// Where the database lives: `--db`, `XINYIDIAN_DB`, or the platform data directory.
pub fn db_path(cli: &Cli) -> Result<PathBuf> {
    match &cli.db {
        Some(p) => Ok(p.clone()),
        None => desk::default_path().context("无法确定本机的数据目录：请用 --db 指定数据库文件"),
    }
}

fn clock_of(cli: &Cli) -> Box<dyn xinyidian::desk::Clock> {
    match cli.date {
        Some(d) => Box::new(FixedClock::Date(d)),
        None => Box::new(SystemClock),
    }
}

/// Open the desk for a read command: read-only, never creating the file (issue 14, point 8).
pub fn open_desk(cli: &Cli) -> Result<Desk> {
    open_desk_with(cli, &OpenOptions::new(OpenMode::ReadOnly))
}

/// Open the desk for writing; `create`: a missing file becomes a new database (the window's
/// first start, the first administrator's setup).
pub fn open_desk_for_write(cli: &Cli, create: bool) -> Result<Desk> {
    let mode = if create {
        OpenMode::Create
    } else {
        OpenMode::Existing
    };
    let mut desk = open_desk_with(cli, &OpenOptions::new(mode))?;
    // A write waiting for another window's long import says so, then goes through.
    desk.on_lock_wait(|| eprintln!("正在等待其他窗口完成导入…"));
    Ok(desk)
}

fn open_desk_with(cli: &Cli, opts: &OpenOptions) -> Result<Desk> {
    let path = db_path(cli)?;
    Ok(Desk::open_with(&path, opts, clock_of(cli))?)
}

/// A password from `var`, or asked on the terminal without echo.
fn password_from(var: &str, prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!("请在环境变量 {var} 中提供密码（非交互运行时无法提示输入）");
    }
    rpassword::prompt_password(prompt).context("无法读取密码")
}

/// Open the desk and sign in the operator named by `--operator` (every write needs one).
pub fn open_desk_signed_in(cli: &Cli) -> Result<Desk> {
    let mut desk = open_desk_for_write(cli, false)?;
    let Some(staff_no) = &cli.operator else {
        bail!(
            "写操作需要指明操作员：请加 --operator 工号（或设置环境变量 XINYIDIAN_OPERATOR），密码放在 XINYIDIAN_PASSWORD 中"
        );
    };
    let pw = password_from("XINYIDIAN_PASSWORD", &format!("工号 {staff_no} 的密码："))?;
    desk.sign_in(staff_no, &pw)?;
    Ok(desk)
}

/// Run a subcommand; `Ok(code)` is the process exit status.
pub fn run(cli: &Cli, command: &Command) -> Result<ExitCode> {
    end_quietly_on_closed_pipe();
    match command {
        Command::Code(CodeCmd::Check { codes }) => Ok(code_check(cli, codes)),
        Command::Subject(cmd) => subject(cli, cmd),
        Command::Records(cmd) => records(cli, cmd),
        Command::Report(cmd) => report::run(cli, cmd),
        Command::Operator(cmd) => operator(cli, cmd),
        Command::Audit(cmd) => audit(cli, cmd),
        Command::Account(AccountCmd::Add {
            code,
            account_no,
            address,
            since,
        }) => {
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
        Command::Check(args) => trust::check(cli, args),
        Command::Trusted(cmd) => trust::trusted(cli, cmd),
        Command::Park(cmd) => trust::park(cli, cmd),
        Command::Letter(args) => letters::letter(cli, args),
        Command::Commitment(cmd) => letters::commitment(cli, cmd),
        Command::Cases(cmd) => cases::cases(cli, cmd),
        Command::Case(cmd) => cases::case(cli, cmd),
        Command::Demo { subjects, seed } => demo(cli, *subjects, *seed),
        Command::Bench { subjects } => bench(*subjects),
    }
}

fn today(cli: &Cli) -> NaiveDate {
    cli.date
        .unwrap_or_else(|| chrono::Local::now().date_naive())
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

fn code_check(cli: &Cli, codes: &[String]) -> ExitCode {
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

fn subject(cli: &Cli, cmd: &SubjectCmd) -> Result<ExitCode> {
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

/// Run `work` while a terminal line shows its progress; Ctrl+C asks it to stop.
fn with_terminal_progress<T>(label: &str, progress: &Progress, work: impl FnOnce() -> T) -> T {
    let p = progress.clone();
    // A second Ctrl+C after the first ends the process the usual way.
    let _ = ctrlc::set_handler(move || {
        if p.is_cancelled() {
            std::process::exit(130);
        }
        p.cancel();
    });
    let tty = std::io::stderr().is_terminal();
    let shown = progress.clone();
    let label = label.to_string();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_flag = stop.clone();
    let reporter = std::thread::spawn(move || {
        let mut last = Instant::now();
        while !stop_flag.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            // Off a terminal (CI logs), a line every 5 s is enough.
            if !tty && last.elapsed() < Duration::from_secs(5) {
                continue;
            }
            last = Instant::now();
            let (done, total) = shown.get();
            let mut err = std::io::stderr();
            let pct = shown.fraction() * 100.0;
            let end = if tty { "\r" } else { "\n" };
            let _ = write!(
                err,
                "{label} {pct:5.1}%（{done}/{total}），Ctrl+C 取消{end}"
            );
            let _ = err.flush();
        }
    });
    let out = work();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = reporter.join();
    if tty {
        eprintln!();
    }
    out
}

fn demo(cli: &Cli, subjects: u64, seed: u64) -> Result<ExitCode> {
    let mut desk = open_desk_signed_in(cli)?;
    let progress = Progress::new();
    let started = Instant::now();
    let summary = with_terminal_progress("生成演示数据", &progress, || {
        desk.generate_demo(subjects, seed, &progress)
    })?;
    let secs = started.elapsed().as_secs_f64();
    if cli.json {
        println!(
            "{}",
            json!({"subjects": summary.subjects, "accounts": summary.accounts, "seconds": secs})
        );
    } else {
        println!(
            "已生成 {} 个主体、{} 个用电户，用时 {secs:.1} 秒",
            summary.subjects, summary.accounts
        );
    }
    Ok(0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn bench(subjects: u64) -> Result<ExitCode> {
    if subjects == 0 {
        bail!("--subjects 至少为 1");
    }
    let dir = tempfile_dir()?;
    let path = dir.join("bench.sqlite3");
    let mut desk = Desk::open(&path)?;
    desk.setup_admin(
        &OperatorDraft {
            staff_no: "BENCH".into(),
            name: "基准测试".into(),
            ..OperatorDraft::default()
        },
        "bench-password",
    )?;
    let progress = Progress::new();
    let started = Instant::now();
    with_terminal_progress("生成基准数据", &progress, || {
        desk.generate_demo(subjects, 1, &progress)
    })?;
    let generate = started.elapsed();
    println!("生成 {subjects} 个主体：{:.1} 秒", generate.as_secs_f64());

    // Exact code lookups over codes spread across the data set.
    let step = (subjects / 200).max(1) as usize;
    let sample = desk.recent_subjects(subjects as usize)?;
    let codes: Vec<String> = sample
        .iter()
        .step_by(step)
        .filter_map(|s| desk.subject(s.id).ok().map(|f| f.code.full().to_string()))
        .collect();
    let mut times = Vec::new();
    for c in &codes {
        let t = Instant::now();
        let l = desk.lookup(c, 100)?;
        times.push(t.elapsed());
        if !l.exact {
            bail!("基准数据有误：代码 {c} 未找到");
        }
    }
    println!(
        "按代码精确查询（{} 次）：中位数 {:.3} 毫秒",
        times.len(),
        median(times).as_secs_f64() * 1e3
    );
    for fragment in [
        "海港贸易",
        "湛江市霞山",
        "红树林水产",
        "钢构有限公司",
        "鼎盛",
        "陈海",
    ] {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..20 {
            let t = Instant::now();
            n = desk.lookup(fragment, 100)?.hits.len();
            times.push(t.elapsed());
        }
        println!(
            "名称片段“{fragment}”前 100 条（命中 {n}）：中位数 {:.2} 毫秒",
            median(times).as_secs_f64() * 1e3
        );
    }
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(0)
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("xinyidian-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建临时目录 {}", dir.display()))?;
    Ok(dir)
}

fn operator(cli: &Cli, cmd: &OperatorCmd) -> Result<ExitCode> {
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

fn audit(cli: &Cli, cmd: &AuditCmd) -> Result<ExitCode> {
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
                print_audit_verdict(&v);
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

fn print_audit_verdict(v: &xinyidian::desk::AuditVerdict) {
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

fn records(cli: &Cli, cmd: &RecordsCmd) -> Result<ExitCode> {
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
                    println!(
                        "{}\t{}\t{}\t{verdict}",
                        v.record.date(),
                        v.record.kind().label(),
                        v.record.summary()
                    );
                }
                println!("共 {} 条", views.len());
            }
            Ok(0)
        }
    }
}

/// `xinyidian report list … | head`: once the reader has gone, the command should simply end,
/// as other command-line tools do. Rust ignores SIGPIPE, which turns the next `println!` into a
/// panic ("failed printing to stdout"); the default action ends the process silently instead.
/// Only for subcommands: the window must never be killed by a pipe some library writes to.
fn end_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called on the main thread before any other thread exists in a subcommand run;
    // `signal` with SIG_DFL installs no handler code, it only restores the default action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
