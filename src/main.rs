//! `xinyidian`: no arguments opens the counter window; a subcommand runs headless.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => open_window(&cli, started).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(1)
        }
    }
}

fn open_window(cli: &cli::Cli, started: std::time::Instant) -> anyhow::Result<()> {
    // The window's first start creates the database (and its folder).
    let desk = cli::open_desk_for_write(cli, true)?;
    xinyidian::ui::run(desk, started).map_err(|e| anyhow::anyhow!("无法打开窗口：{e}"))
}
