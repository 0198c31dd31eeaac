//! 设置 → 备份与恢复 (issue 20): the backup folder, how many are kept and the schedule; 立即备份
//! and 数据库检查 on a worker thread (the window never waits for them); the backups in the
//! folder with 校验 and 恢复 (asked twice). Also the scheduled backup the window starts by itself.

use std::path::PathBuf;
use std::sync::mpsc;

use egui::RichText;

use super::Command;
use super::forms::ERROR_COLOR;
use super::saving;
use crate::desk::{
    BackupEntry, BackupSchedule, BackupSettings, Desk, DeskError, list_backups, verify_backup,
};
use crate::domain::operator::Action;

/// Work on another thread and its answer, polled each frame.
pub struct Job {
    what: &'static str,
    rx: mpsc::Receiver<Result<String, String>>,
}

impl Job {
    /// Run `f` on a desk of its own (a second connection), or say why not.
    pub fn start(
        desk: &Desk,
        what: &'static str,
        f: impl FnOnce(&mut Desk) -> Result<String, DeskError> + Send + 'static,
    ) -> Result<Self, String> {
        let mut worker = match desk.worker_desk() {
            Ok(Some(d)) => d,
            Ok(None) => return Err("内存数据库不能在后台办理，请改用数据库文件".into()),
            Err(e) => return Err(e.to_string()),
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f(&mut worker).map_err(|e| e.to_string()));
        });
        Ok(Self { what, rx })
    }

    /// The answer once there is one.
    pub fn poll(&self) -> Option<Result<String, String>> {
        match self.rx.try_recv() {
            Ok(r) => Some(r),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err(format!("{}意外中止", self.what))),
        }
    }
}

/// The 备份与恢复 section of 设置.
pub struct BackupPanel {
    dir: String,
    keep: String,
    schedule: BackupSchedule,
    time: String,
    list: Vec<BackupEntry>,
    job: Option<Job>,
    /// The backup asked to be restored (the second click restores it).
    confirm: Option<PathBuf>,
    message: Option<(bool, String)>,
    last: Option<String>,
}

impl BackupPanel {
    pub fn load(desk: &Desk) -> Self {
        let s = desk.backup_settings().unwrap_or_default();
        let time = match s.schedule {
            BackupSchedule::DailyAt { time } => time.format("%H:%M").to_string(),
            _ => "18:00".into(),
        };
        let mut p = Self {
            dir: s
                .dir
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            keep: s.keep.to_string(),
            schedule: s.schedule,
            time,
            list: Vec::new(),
            job: None,
            confirm: None,
            message: None,
            last: desk.last_backup().ok().flatten().map(|t| t.to_string()),
        };
        p.refresh_list();
        p
    }

    fn refresh_list(&mut self) {
        let dir = PathBuf::from(self.dir.trim());
        self.list = if self.dir.trim().is_empty() {
            Vec::new()
        } else {
            list_backups(&dir).unwrap_or_default()
        };
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        ui.strong("备份与恢复");
        if desk.db_location_is_server() {
            ui.label("共用数据库服务器由信息管理员用 pg_dump 备份（见 README），本机不备份。");
            return None;
        }
        let admin = desk.may(Action::ManageBackups);
        ui.label(format!(
            "上次备份：{}",
            self.last.as_deref().unwrap_or("无")
        ));
        // Enter in any of the settings' boxes saves them (issue 15, point 3).
        let mut enter = false;
        ui.horizontal_wrapped(|ui| {
            enter |= super::files::path_row(
                ui,
                "备份文件夹",
                &mut self.dir,
                "文件夹路径，或点“浏览…”选择",
                360.0,
                super::files::Browse::Folder,
                admin,
            )
            .enter;
            let l = ui.label("保留份数");
            let r = ui
                .add_enabled(
                    admin,
                    egui::TextEdit::singleline(&mut self.keep).desired_width(40.0),
                )
                .labelled_by(l.id);
            enter |= super::forms::enter_in(ui, &r);
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("自动备份");
            ui.add_enabled_ui(admin, |ui| {
                ui.radio_value(&mut self.schedule, BackupSchedule::Off, "不自动备份");
                ui.radio_value(
                    &mut self.schedule,
                    BackupSchedule::DailyAtStart,
                    "每天首次启动时",
                );
                let at = matches!(self.schedule, BackupSchedule::DailyAt { .. });
                if ui.radio(at, "每天定时").clicked()
                    && !at
                    && let Some(BackupSchedule::DailyAt { time }) =
                        BackupSchedule::parse(&self.time)
                {
                    self.schedule = BackupSchedule::DailyAt { time };
                }
                let l = ui.label("时刻");
                let r = ui
                    .add(egui::TextEdit::singleline(&mut self.time).desired_width(50.0))
                    .labelled_by(l.id);
                enter |= super::forms::enter_in(ui, &r);
            });
        });
        if admin {
            ui.horizontal(|ui| {
                let asked = ui.button("保存备份设置").clicked() || enter;
                let schedule = match self.schedule {
                    BackupSchedule::DailyAt { .. } => BackupSchedule::parse(&self.time),
                    s => Some(s),
                };
                let parsed = match (self.keep.trim().parse::<u32>(), schedule) {
                    (Ok(keep), Some(schedule)) => Ok(BackupSettings {
                        dir: match self.dir.trim() {
                            "" => None,
                            d => Some(PathBuf::from(d)),
                        },
                        keep,
                        schedule,
                    }),
                    (Err(_), _) => Err(DeskError::Setting("保留份数请填写 1 到 365 的整数".into())),
                    (_, None) => Err(DeskError::Setting(
                        "定时备份的时刻请写成 18:00 这样的时:分".into(),
                    )),
                };
                if let Some(r) = saving::save_parsed(ui, "backup_settings", asked, parsed, |s| {
                    desk.set_backup_settings(&s)
                }) {
                    self.message = Some(match r {
                        Ok(()) => (true, "已保存备份设置".into()),
                        Err(e) => (false, e.to_string()),
                    });
                    self.refresh_list();
                }
            });
        }
        ui.horizontal(|ui| match &self.job {
            Some(job) => {
                ui.spinner();
                ui.label(format!("正在{}…（可以继续办理其他业务）", job.what));
                if let Some(r) = job.poll() {
                    self.message = Some(match r {
                        Ok(m) => (true, m),
                        Err(e) => (false, e),
                    });
                    self.job = None;
                    self.last = desk.last_backup().ok().flatten().map(|t| t.to_string());
                    self.refresh_list();
                } else {
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_millis(200));
                }
            }
            None => {
                if admin && ui.button("立即备份").clicked() {
                    let dir = PathBuf::from(self.dir.trim());
                    let dir = (!self.dir.trim().is_empty()).then_some(dir);
                    match Job::start(desk, "备份", move |d| {
                        d.backup_now(dir.as_deref()).map(|b| {
                            format!("已备份到 {}：{}", b.path.display(), b.check.summary())
                        })
                    }) {
                        Ok(j) => self.job = Some(j),
                        Err(e) => self.message = Some((false, e)),
                    }
                }
                if desk.may(Action::ViewAudit) && ui.button("数据库检查").clicked() {
                    match Job::start(desk, "检查数据库", |d| {
                        d.db_check(&mut |_, _| {}).map(|c| c.summary())
                    }) {
                        Ok(j) => self.job = Some(j),
                        Err(e) => self.message = Some((false, e)),
                    }
                }
            }
        });
        if let Some((ok, m)) = &self.message {
            super::forms::outcome_ui(ui, *ok, m);
        }
        let mut command = None;
        if !self.list.is_empty() {
            ui.label(
                RichText::new(format!(
                    "文件夹中的备份（{} 份，最新的在前）",
                    self.list.len()
                ))
                .weak(),
            );
        }
        let key_dir = desk.key_dir();
        let mut verify: Option<PathBuf> = None;
        let mut restore: Option<PathBuf> = None;
        for b in &self.list {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "{}  {:.1} MB  {}",
                    b.made_at.map(|t| t.to_string()).unwrap_or_default(),
                    b.bytes as f64 / 1_048_576.0,
                    b.path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                ));
                if ui.small_button("校验").clicked() {
                    verify = Some(b.path.clone());
                }
                if admin {
                    if self.confirm.as_ref() == Some(&b.path) {
                        ui.label(
                            RichText::new(
                                "恢复将替换当前数据库（当前数据库另存保留），完成后需重新登录：",
                            )
                            .color(ERROR_COLOR),
                        );
                        if ui.small_button("确认恢复").clicked() {
                            restore = Some(b.path.clone());
                        }
                        if ui.small_button("取消").clicked() {
                            self.confirm = None;
                        }
                    } else if ui.small_button("恢复…").clicked() {
                        self.confirm = Some(b.path.clone());
                    }
                }
            });
        }
        if let Some(p) = verify {
            self.message = Some(match verify_backup(&p, key_dir.clone()) {
                Ok(c) => (c.ok(), c.summary()),
                Err(e) => (false, e.to_string()),
            });
        }
        if let Some(p) = restore {
            self.confirm = None;
            match desk.restore_backup(&p) {
                Ok(done) => {
                    command = Some(Command::SignedOut);
                    self.message = Some((
                        true,
                        format!("已恢复，恢复前的数据库另存为 {}", done.kept_aside.display()),
                    ));
                }
                Err(e) => self.message = Some((false, e.to_string())),
            }
        }
        command
    }
}
