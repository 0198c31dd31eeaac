//! 设置: where the data lives and what this installation is.

use egui::RichText;

use crate::desk::{DbInfo, Desk};

pub struct SettingsPage {
    info: Result<DbInfo, String>,
}

impl SettingsPage {
    pub fn load(desk: &Desk) -> Self {
        Self {
            info: desk.db_info().map_err(|e| e.to_string()),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("设置");
        ui.add_space(8.0);
        match &self.info {
            Ok(info) => {
                egui::Grid::new("settings_info")
                    .num_columns(2)
                    .spacing([16.0, 6.0])
                    .show(ui, |ui| {
                        ui.label(RichText::new("数据库文件").weak());
                        ui.label(&info.path);
                        ui.end_row();
                        ui.label(RichText::new("数据库版本").weak());
                        ui.label(info.schema_version.to_string());
                        ui.end_row();
                        ui.label(RichText::new("已登记主体").weak());
                        ui.label(format!("{} 个", info.subjects));
                        ui.end_row();
                        ui.label(RichText::new("程序版本").weak());
                        ui.label(env!("CARGO_PKG_VERSION"));
                        ui.end_row();
                    });
                ui.add_space(8.0);
                ui.label(
                    RichText::new("更换数据库文件：用 --db 参数或环境变量 XINYIDIAN_DB 启动程序。")
                        .weak(),
                );
            }
            Err(e) => {
                ui.label(RichText::new(e).color(super::forms::ERROR_COLOR));
            }
        }
    }
}
