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
    use xinyidian::desk::{Desk, OpenMode, OpenOptions};
    // The window's first start creates the database (and its folder). It is opened after the
    // first frame, behind the opening screen (which also asks a server's password).
    let path = cli::db_path(cli)?;
    let date = cli.date;
    let location = path.display().to_string();
    let opener = xinyidian::ui::opening::Opener {
        location,
        open: std::sync::Arc::new(move |password, steps| {
            let opts = OpenOptions {
                password,
                on_upgrade_step: Some(steps),
                ..OpenOptions::new(OpenMode::Create)
            };
            Desk::open_with(&path, &opts, cli::clock_for(date))
        }),
    };
    xinyidian::ui::run(opener, started).map_err(|e| anyhow::anyhow!("无法打开窗口：{e}"))
}
