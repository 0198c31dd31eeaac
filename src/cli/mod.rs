//! The headless command line: batch work and scripting. Every command calls `desk`, exactly as
//! the window does. Errors are printed in Chinese on stderr; exit status 1 means the command ran
//! and found a problem (an invalid code, a refused action), 2 a usage error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};

mod audit;
mod backup;
mod cases;
mod credit;
mod demo;
mod letters;
mod operators;
mod platform;
mod records;
mod report;
mod settings;
mod stats;
mod subjects;
mod trust;

use xinyidian::desk::{self, Desk, FixedClock, OpenMode, OpenOptions, Progress, SystemClock};
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
    Code(subjects::CodeCmd),
    /// 登记、查询主体
    #[command(subcommand)]
    Subject(subjects::SubjectCmd),
    /// 为主体登记用电户（用户编号）
    #[command(subcommand)]
    Account(subjects::AccountCmd),
    /// 用电记录：从营销系统导入、查看
    #[command(subcommand)]
    Records(records::RecordsCmd),
    /// 信用报告：导入、查看（规则 T-3、T-4）
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// 操作员账号（管理员）
    #[command(subcommand)]
    Operator(operators::OperatorCmd),
    /// 操作日志
    #[command(subcommand)]
    Audit(audit::AuditCmd),
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
    /// 信用修复申请：登记、上传承诺书、受理、审核、修复（规则 X-1、X-2）
    #[command(subcommand)]
    Repair(credit::RepairCmd),
    /// 异议申诉：登记、受理、核实、更正或不予更正（规则 X-3）
    #[command(subcommand)]
    Objection(credit::ObjectionCmd),
    /// 工作日历：法定节假日与调休上班日（办理时限按工作日计算，规则 X-3）
    #[command(subcommand)]
    Calendar(credit::CalendarCmd),
    /// 程序设置（管理员）：本机安装编号、失信信息等级、修复与异议办理时限
    #[command(subcommand)]
    Settings(settings::SettingsCmd),
    /// 与湛江市公共信用信息共享平台交换数据：报送批次、反馈、名单、公示（主管）
    #[command(subcommand)]
    Platform(platform::PlatformCmd),
    /// 诚信宣传数据：某期间、某营业厅的承诺、信易电、守信用电主体、修复与异议、失信记录（班长）
    Stats(stats::StatsArgs),
    /// 备份本机数据库：立即备份、列出、校验、恢复（管理员）
    #[command(subcommand)]
    Backup(backup::BackupCmd),
    /// 数据库：检查完整性；把本机数据库文件整体复制到营业厅/全市共用的数据库服务器
    #[command(subcommand)]
    Db(DbCmd),
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
        /// 在此数据库服务器（一个空库，postgres://…）上测量：数据先在本机生成，再复制过去
        #[arg(long, value_name = "URL")]
        server: Option<PathBuf>,
    },
}

/// `db` subcommands.
#[derive(Subcommand, Debug)]
pub enum DbCmd {
    /// 检查数据库（班长）：数据页与索引、引用关系、证明文件的 SHA-256、操作日志；有问题时退出码 1
    Check,
    /// 把本机数据库文件整体复制到新建的空服务器数据库（核对行数与哈希、操作日志完整，全部成功才保存）
    Copy {
        /// 本机数据库文件（.sqlite3）
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// 服务器数据库地址：postgres://用户名@服务器/数据库名（密码用环境变量 XINYIDIAN_DB_PASSWORD 或提示输入）
        #[arg(long, value_name = "URL")]
        to: PathBuf,
    },
}

fn db_copy(from: &std::path::Path, to: &std::path::Path) -> Result<ExitCode> {
    let mut opts = OpenOptions::new(OpenMode::Create);
    let mut progress = |table: &str, rows: u64| eprintln!("正在复制 {table}（{rows} 行）…");
    let summary = match desk::copy_database(from, to, &opts, &mut progress) {
        Err(desk::DeskError::Store(desk::StoreError::PasswordNeeded { target })) => {
            opts.password = Some(password_from(
                desk::PASSWORD_ENV,
                &format!("数据库服务器 {target} 的密码："),
            )?);
            desk::copy_database(from, to, &opts, &mut progress)?
        }
        other => other?,
    };
    for (table, rows, hash) in &summary.tables {
        println!("{table}\t{rows} 行\tSHA-256 {}", &hash[..16]);
    }
    println!(
        "复制完成：{} 张表，操作日志 {} 条校验一致",
        summary.tables.len(),
        summary.audit_rows
    );
    Ok(0)
}

pub(super) fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    parse_date(s)
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
    clock_for(cli.date)
}

/// The desk's clock: `--date` fixes the business date (never a security clock), else the system's.
pub fn clock_for(date: Option<chrono::NaiveDate>) -> Box<dyn xinyidian::desk::Clock> {
    match date {
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

pub(super) fn open_desk_with(cli: &Cli, opts: &OpenOptions) -> Result<Desk> {
    let path = db_path(cli)?;
    match Desk::open_with(&path, opts, clock_of(cli)) {
        // A PostgreSQL server that wants a password: asked for once, never taken from the
        // command line (issue 17, point 1).
        Err(xinyidian::desk::DeskError::Store(xinyidian::desk::StoreError::PasswordNeeded {
            target,
        })) => {
            let password = password_from(
                xinyidian::desk::PASSWORD_ENV,
                &format!("数据库服务器 {target} 的密码："),
            )?;
            let opts = OpenOptions {
                password: Some(password),
                ..opts.clone()
            };
            Ok(Desk::open_with(&path, &opts, clock_of(cli))?)
        }
        other => Ok(other?),
    }
}

/// A password from `var`, or asked on the terminal without echo.
pub(super) fn password_from(var: &str, prompt: &str) -> Result<String> {
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
        Command::Code(subjects::CodeCmd::Check { codes }) => Ok(subjects::code_check(cli, codes)),
        Command::Subject(cmd) => subjects::subject(cli, cmd),
        Command::Records(cmd) => records::records(cli, cmd),
        Command::Platform(cmd) => platform::platform(cli, cmd),
        Command::Report(cmd) => report::run(cli, cmd),
        Command::Operator(cmd) => operators::operator(cli, cmd),
        Command::Audit(cmd) => audit::audit(cli, cmd),
        Command::Account(cmd) => subjects::account(cli, cmd),
        Command::Check(args) => trust::check(cli, args),
        Command::Trusted(cmd) => trust::trusted(cli, cmd),
        Command::Park(cmd) => trust::park(cli, cmd),
        Command::Letter(args) => letters::letter(cli, args),
        Command::Commitment(cmd) => letters::commitment(cli, cmd),
        Command::Cases(cmd) => cases::cases(cli, cmd),
        Command::Case(cmd) => cases::case(cli, cmd),
        Command::Settings(cmd) => settings::settings(cli, cmd),
        Command::Repair(cmd) => credit::repair(cli, cmd),
        Command::Objection(cmd) => credit::objection(cli, cmd),
        Command::Calendar(cmd) => credit::calendar(cli, cmd),
        Command::Db(DbCmd::Copy { from, to }) => db_copy(from, to),
        Command::Db(DbCmd::Check) => backup::db_check(cli),
        Command::Backup(cmd) => backup::backup(cli, cmd),
        Command::Stats(args) => stats::stats(cli, args),
        Command::Demo { subjects, seed } => demo::demo(cli, *subjects, *seed),
        Command::Bench { subjects, server } => demo::bench(*subjects, server.as_deref()),
    }
}

/// The business date as the desk's clock gives it (`--date`, else the calendar): the desk stays
/// the one reader of the clock, also for commands that open no database.
pub(super) fn today(cli: &Cli) -> NaiveDate {
    xinyidian::desk::Clock::today(clock_of(cli).as_ref())
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
