//! 设置: the database, one's own password, and (admin) the idle lock and the operators.

use egui::RichText;

use super::forms::{self, ERROR_COLOR};
use super::saving::{self, Queued};
use crate::desk::{DbInfo, Desk};
use crate::domain::operator::{Action, Operator, OperatorDraft, Role};

#[derive(Default)]
struct PasswordChange {
    old: String,
    new: String,
    confirm: String,
}

#[derive(Default)]
pub struct SettingsPage {
    info: Option<Result<DbInfo, String>>,
    operators: Vec<Operator>,
    idle_minutes: String,
    report_max_age: String,
    /// 本机安装编号 as typed (rule C-4's serial blocks); empty: none.
    installation: String,
    /// 数额较大 (rule D-1): the value in force for display, and the admin's input in whole yuan.
    threshold: Option<crate::domain::records::Fen>,
    threshold_yuan: String,
    new_op: OperatorDraft,
    new_op_password: String,
    reset_password: String,
    own: PasswordChange,
    /// The last outcome, shown in the section it belongs to (issue 15, point 3): (section,
    /// succeeded, text).
    message: Option<(&'static str, bool, String)>,
    parks: super::parks::ParksSettings,
    /// 承诺受理单位 and its USCC (rule C-3), as the admin types them.
    unit: Option<crate::domain::commitment::AcceptingUnit>,
    /// An operator's 停用/启用 or 重置密码 while it waits for the database.
    operator_change: Queued<(Operator, u8)>,
    /// Grades of dishonesty records and the repair/objection limits (rules ).
    grades: Option<crate::domain::credit::GradeSettings>,
    limits: [String; 4],
    calendar_years: Vec<i32>,
    calendar_path: String,
    backup: Option<super::backup_panel::BackupPanel>,
    /// The accepting unit's name or USCC is not set (issue 15, point 8): said at the top.
    unit_missing: bool,
    /// The operator being edited (name, role, hall, window), issue 15 point 6.
    edit_op: Option<(crate::domain::operator::OperatorId, OperatorDraft)>,
    /// How 打印 prints (issue 15, point 7), as the admin sets it.
    print: Option<crate::desk::PrintSettings>,
}

/// One labelled line; returns whether Enter ended the input there.
fn line_ui(ui: &mut egui::Ui, label: &str, value: &mut String, password: bool, width: f32) -> bool {
    let l = ui.label(label);
    let r = ui
        .add(
            egui::TextEdit::singleline(value)
                .password(password)
                .desired_width(width),
        )
        .labelled_by(l.id);
    r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

impl SettingsPage {
    pub fn load(desk: &Desk) -> Self {
        let mut p = Self {
            info: Some(desk.db_info().map_err(|e| e.to_string())),
            idle_minutes: desk
                .idle_lock_minutes()
                .map(|m| m.to_string())
                .unwrap_or_default(),
            report_max_age: desk
                .report_max_age_days()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            installation: desk
                .installation_no()
                .ok()
                .flatten()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            threshold: desk
                .dishonesty_params()
                .ok()
                .map(|p| p.large_arrears_threshold),
            ..Self::default()
        };
        p.grades = desk.credit_grades().ok();
        if let Ok(l) = desk.credit_limits() {
            p.limits = [
                l.accept_days.to_string(),
                l.verify_days.to_string(),
                l.decide_days.to_string(),
                l.warn_days.to_string(),
            ];
        }
        p.backup = Some(super::backup_panel::BackupPanel::load(desk));
        p.unit_missing = desk
            .accepting_unit()
            .map(|u| u.name.trim().is_empty() || u.uscc.trim().is_empty())
            .unwrap_or(false);
        p.calendar_years = desk.work_calendar().map(|c| c.years()).unwrap_or_default();
        p.threshold_yuan = p
            .threshold
            .map(|t| (t.0 / 100).to_string())
            .unwrap_or_default();
        if desk.may(Action::ManageOperators) {
            p.operators = desk.operators().unwrap_or_default();
        }
        p
    }

    fn done(
        &mut self,
        desk: &Desk,
        r: Result<(), crate::desk::DeskError>,
        ok: &str,
        section: &'static str,
    ) {
        match r {
            Ok(()) => {
                *self = Self {
                    message: Some((section, true, ok.to_string())),
                    ..Self::load(desk)
                };
            }
            Err(e) => self.message = Some((section, false, e.to_string())),
        }
    }

    /// The section's last outcome, under its boxes and buttons.
    fn message_ui(&self, ui: &mut egui::Ui, section: &str) {
        if let Some((s, ok, text)) = &self.message
            && *s == section
        {
            forms::outcome_ui(ui, *ok, text);
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<super::Command> {
        let mut command = None;
        ui.heading("设置");
        if self.unit_missing {
            ui.label(
                RichText::new(
                    "尚未填写承诺受理单位的名称或统一社会信用代码：承诺书上会缺少该代码，向市信用平台报送也会被拒收。请管理员在下方“承诺受理单位”中填写。",
                )
                .color(ERROR_COLOR),
            );
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.strong("关于");
            self.database_ui(ui);
            ui.separator();
            self.own_password_ui(ui, desk);
            if desk.may(Action::ChangeSettings) {
                ui.separator();
                ui.strong("自动锁屏");
                ui.horizontal(|ui| {
                    let enter = line_ui(
                        ui,
                        "无操作多少分钟后锁定窗口",
                        &mut self.idle_minutes,
                        false,
                        60.0,
                    );
                    let asked = ui.button("保存").clicked() || enter;
                    let parsed = self.idle_minutes.trim().parse::<u32>().map_err(|_| {
                        crate::desk::DeskError::Setting("请填写 1 到 120 之间的整数分钟数".into())
                    });
                    if let Some(r) = saving::save_parsed(ui, "idle_lock", asked, parsed, |m| {
                        desk.set_idle_lock_minutes(m)
                    }) {
                        self.done(desk, r, "已保存自动锁屏时间", "idle");
                    }
                });
                self.message_ui(ui, "idle");
                ui.separator();
                ui.strong("信用报告有效期（规则 T-3）");
                ui.horizontal(|ui| {
                    let enter = line_ui(
                        ui,
                        "报告生成后多少天内有效",
                        &mut self.report_max_age,
                        false,
                        60.0,
                    );
                    let asked = ui.button("保存有效天数").clicked() || enter;
                    let parsed = self.report_max_age.trim().parse::<u32>().map_err(|_| {
                        crate::desk::DeskError::Setting("请填写 1 到 60 之间的整数天数".into())
                    });
                    if let Some(r) = saving::save_parsed(ui, "report_age", asked, parsed, |d| {
                        desk.set_report_max_age_days(d)
                    }) {
                        self.done(desk, r, "已保存信用报告有效天数", "report_age");
                    }
                });
                self.message_ui(ui, "report_age");
            }
            ui.separator();
            self.installation_ui(ui, desk);
            ui.separator();
            self.threshold_ui(ui, desk);
            ui.separator();
            self.credit_ui(ui, desk);
            ui.separator();
            self.parks.ui(ui, desk);
            ui.separator();
            self.accepting_unit_ui(ui, desk);
            ui.separator();
            self.print_ui(ui, desk);
            if desk.may(Action::ManageOperators) {
                ui.separator();
                self.operators_ui(ui, desk);
            }
            if let Some(b) = &mut self.backup {
                ui.separator();
                command = b.ui(ui, desk);
            }
        });
        command
    }

    /// 承诺受理单位 of the commitment records (rule C-3): everyone sees it, the admin changes it.
    fn accepting_unit_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.strong("承诺受理单位（信用承诺记录，规则 C-3）");
        if self.unit.is_none() {
            self.unit = desk.accepting_unit().ok();
        }
        let may = desk.may(Action::ChangeSettings);
        let mut save = false;
        if let Some(u) = &mut self.unit {
            if may {
                ui.horizontal_wrapped(|ui| {
                    let a = line_ui(ui, "单位名称", &mut u.name, false, 260.0);
                    let b = line_ui(ui, "统一社会信用代码", &mut u.uscc, false, 180.0);
                    save = ui.button("保存受理单位").clicked() || a || b;
                });
            } else {
                ui.label(format!("{}（{}）", u.name, u.uscc));
            }
        }
        if let Some(u) = self.unit.clone()
            && let Some(r) =
                saving::save(ui, "accepting_unit", save, || desk.set_accepting_unit(&u))
        {
            self.done(desk, r, "已保存承诺受理单位", "unit");
            self.unit = None;
        }
        self.message_ui(ui, "unit");
    }

    /// 打印: straight to the printer or through the PDF viewer (issue 15, point 7). Everyone sees
    /// it; the admin changes it.
    fn print_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.strong("打印承诺书");
        if self.print.is_none() {
            self.print = desk.print_settings().ok();
        }
        let may = desk.may(Action::ChangeSettings);
        let mut save = false;
        if let Some(p) = &mut self.print {
            ui.add_enabled_ui(may, |ui| {
                ui.checkbox(
                    &mut p.direct,
                    "直接送打印机（Linux 用 CUPS，Windows 用系统打印）；不勾选时在 PDF 阅读器中打开后打印",
                );
                ui.horizontal_wrapped(|ui| {
                    let enter = ui
                        .add_enabled_ui(p.direct, |ui| {
                            line_ui(ui, "打印机名称", &mut p.printer, false, 220.0)
                        })
                        .inner;
                    save |= may && enter;
                    ui.label(RichText::new("留空表示本机的默认打印机").weak());
                    if may {
                        save = ui.button("保存打印设置").clicked();
                    }
                });
            });
            ui.label(
                RichText::new(format!(
                    "每次打印的 PDF 都保存在 {}，并记入操作日志",
                    crate::print::letters_dir().display()
                ))
                .weak(),
            );
        }
        if let Some(p) = self.print.clone()
            && let Some(r) =
                saving::save(ui, "print_settings", save, || desk.set_print_settings(&p))
        {
            self.done(desk, r, "已保存打印设置", "print");
            self.print = None;
        }
        self.message_ui(ui, "print");
    }

    /// 本机安装编号: which block of the day's 承诺编码 serials this PC hands out (rule C-4).
    /// Everyone sees it; the admin changes it.
    fn installation_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        use crate::domain::installation::{InstallationNo, serial_block};
        ui.strong("本机安装编号（承诺编码序号分段，规则 C-4）");
        let parsed = InstallationNo::parse(&self.installation);
        let range = match &parsed {
            Ok(no) => {
                let (first, last) = serial_block(*no);
                format!("本机出具的承诺编码序号为 {first:06}–{last:06}")
            }
            Err(e) => e.to_string(),
        };
        if desk.may(Action::ChangeSettings) {
            ui.horizontal_wrapped(|ui| {
                let enter = line_ui(
                    ui,
                    "安装编号（1–99，留空表示不分段）",
                    &mut self.installation,
                    false,
                    60.0,
                );
                let asked = ui.button("保存安装编号").clicked() || enter;
                let parsed = parsed
                    .clone()
                    .map_err(|e| crate::desk::DeskError::Setting(e.to_string()));
                if let Some(r) = saving::save_parsed(ui, "installation_no", asked, parsed, |no| {
                    desk.set_installation_no(no)
                }) {
                    self.done(desk, r, "已保存本机安装编号", "installation");
                }
            });
        }
        let color = if parsed.is_ok() {
            ui.visuals().weak_text_color()
        } else {
            ERROR_COLOR
        };
        ui.label(RichText::new(range).color(color));
        self.message_ui(ui, "installation");
        ui.label(
            RichText::new(
                "营业厅有多台电脑且各自使用本机数据库时，每台电脑须填写不同的编号，承诺编码才不会重复；\
                 只有一台电脑或共用数据库服务器时可留空。",
            )
            .weak(),
        );
    }

    /// 数额较大 of rule D-1: everyone sees the value in force; the admin changes it.
    /// Grades, time limits and the working-day calendar: everyone sees them, the
    /// admin changes them.
    fn credit_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        use crate::domain::credit::{CreditLimits, Grade, GradeSettings};
        ui.strong("信用修复与异议（规则 X-2、X-3）");
        let admin = desk.may(Action::ChangeSettings);
        if let Some(g) = self.grades {
            for rule in GradeSettings::RULES {
                let Some(current) = g.of(rule) else { continue };
                ui.horizontal(|ui| {
                    let l = ui.label(format!("{rule} {}：", rule.title()));
                    if !admin {
                        ui.label(current.describe());
                        return;
                    }
                    let mut chosen = current;
                    egui::ComboBox::from_id_salt(("grade", rule.as_str()))
                        .selected_text(current.describe())
                        .width(260.0)
                        .show_ui(ui, |ui| {
                            for grade in Grade::ALL {
                                ui.selectable_value(&mut chosen, grade, grade.describe());
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    let salt = format!("grade_{rule}");
                    if let Some(r) = saving::save(ui, &salt, chosen != current, || {
                        desk.set_credit_grade(rule, chosen)
                    }) {
                        self.done(desk, r, "已保存失信信息等级", "credit");
                    }
                });
            }
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("办理时限（工作日）：");
            let [a, v, d, w] = &mut self.limits;
            let mut enter = line_ui(ui, "受理", a, false, 40.0);
            enter |= line_ui(ui, "核实", v, false, 40.0);
            enter |= line_ui(ui, "决定", d, false, 40.0);
            enter |= line_ui(ui, "提前提醒", w, false, 40.0);
            if !admin {
                return;
            }
            let asked = ui.button("保存时限").clicked() || enter;
            let num = |s: &String| s.trim().parse::<u32>();
            let parsed = match (num(a), num(v), num(d), num(w)) {
                (Ok(a), Ok(v), Ok(d), Ok(w)) => Ok(CreditLimits {
                    accept_days: a,
                    verify_days: v,
                    decide_days: d,
                    warn_days: w,
                }),
                _ => Err(crate::desk::DeskError::Setting(
                    "办理时限请填写整数个工作日".into(),
                )),
            };
            if let Some(r) = saving::save_parsed(ui, "credit_limits", asked, parsed, |l| {
                desk.set_credit_limits(l)
            }) {
                self.done(desk, r, "已保存办理时限", "credit");
            }
        });
        let years: Vec<String> = self.calendar_years.iter().map(|y| y.to_string()).collect();
        ui.label(format!(
            "工作日历（法定节假日与调休上班日）：已有 {} 年；未收录的年份只按周六、周日休息计算",
            years.join("、")
        ));
        if admin {
            ui.horizontal_wrapped(|ui| {
                let row = super::files::path_row(
                    ui,
                    "导入放假安排",
                    &mut self.calendar_path,
                    "CSV 或 XLSX：日期、类型（放假/上班）、名称",
                    320.0,
                    super::files::Browse::Open("表格", &["csv", "xlsx"]),
                    true,
                );
                let asked = ui.button("导入日历").clicked() || row.enter;
                let path = std::path::PathBuf::from(self.calendar_path.trim());
                if let Some(r) = saving::save(ui, "calendar_import", asked, || {
                    desk.import_calendar(&path).map(drop)
                }) {
                    self.done(desk, r, "已导入工作日历", "credit");
                }
            });
        }
        self.message_ui(ui, "credit");
    }

    fn threshold_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.strong("失信认定");
        if let Some(t) = self.threshold {
            ui.label(format!(
                "欠费“数额较大”标准（规则 D-1）：{t}。欠费达到该金额、无正当理由且催告后超过六个月仍未缴纳，才认定为失信记录。"
            ));
        }
        if !desk.may(Action::ChangeSettings) {
            return;
        }
        ui.horizontal(|ui| {
            let enter = line_ui(
                ui,
                "数额较大标准（元）",
                &mut self.threshold_yuan,
                false,
                120.0,
            );
            let asked = ui.button("保存标准").clicked() || enter;
            let digits: String = crate::domain::id_codes::normalize(&self.threshold_yuan)
                .chars()
                .filter(|c| *c != ',')
                .collect();
            let parsed = digits.trim_end_matches("元").parse::<i64>().map_err(|_| {
                crate::desk::DeskError::Setting("数额较大标准请填写整数元，如 10000".into())
            });
            if let Some(r) = saving::save_parsed(ui, "arrears_threshold", asked, parsed, |y| {
                desk.set_large_arrears_threshold(y)
            }) {
                self.done(desk, r, "已保存数额较大标准", "threshold");
            }
        });
        self.message_ui(ui, "threshold");
    }

    fn database_ui(&self, ui: &mut egui::Ui) {
        match &self.info {
            Some(Ok(info)) => {
                egui::Grid::new("settings_info")
                    .num_columns(2)
                    .spacing([16.0, 6.0])
                    .show(ui, |ui| {
                        for (k, v) in [
                            ("数据库文件", info.path.clone()),
                            ("数据库版本", info.schema_version.to_string()),
                            ("已登记主体", format!("{} 个", info.subjects)),
                            ("程序版本", env!("CARGO_PKG_VERSION").to_string()),
                        ] {
                            ui.label(RichText::new(k).weak());
                            ui.label(v);
                            ui.end_row();
                        }
                    });
                ui.label(
                    RichText::new("更换数据库文件：用 --db 参数或环境变量 XINYIDIAN_DB 启动程序。")
                        .weak(),
                );
            }
            Some(Err(e)) => {
                ui.label(RichText::new(e).color(ERROR_COLOR));
            }
            None => {}
        }
    }

    fn own_password_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.strong("修改我的密码");
        ui.horizontal(|ui| {
            let mut enter = line_ui(ui, "原密码", &mut self.own.old, true, 120.0);
            enter |= line_ui(ui, "新密码", &mut self.own.new, true, 120.0);
            enter |= line_ui(ui, "确认新密码", &mut self.own.confirm, true, 120.0);
            let asked = ui.button("修改密码").clicked() || enter;
            let typed = if self.own.new != self.own.confirm {
                Err(crate::desk::DeskError::Password(
                    "两次输入的新密码不一致".into(),
                ))
            } else {
                Ok(&self.own)
            };
            if let Some(r) = saving::save_parsed(ui, "own_password", asked, typed, |own| {
                desk.change_own_password(&own.old, &own.new)
            }) {
                self.own = PasswordChange::default();
                self.done(desk, r, "密码已修改", "own");
            }
        });
        self.message_ui(ui, "own");
    }

    fn operators_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) {
        ui.strong("操作员");
        let me = desk.operator().map(|o| o.id);
        let mut action: Option<(Operator, u8)> = None;
        let mut edit = None;
        egui::Grid::new("operators")
            .num_columns(6)
            .striped(true)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for t in ["工号", "姓名", "角色", "营业厅 / 窗口", "状态", ""] {
                    ui.strong(t);
                }
                ui.end_row();
                for o in &self.operators {
                    ui.label(&o.staff_no);
                    ui.label(&o.name);
                    ui.label(o.role.label());
                    ui.label(format!("{} {}", o.hall, o.window));
                    let locked = o.locked_until.is_some_and(|t| t > desk.now());
                    ui.label(match (o.active, locked) {
                        (false, _) => "已停用",
                        (true, true) => "已锁定",
                        (true, false) => "正常",
                    });
                    ui.horizontal(|ui| {
                        if Some(o.id) != me {
                            let label = if o.active { "停用" } else { "启用" };
                            if ui.button(label).clicked() {
                                action = Some((o.clone(), 0));
                            }
                        }
                        if ui.button("重置密码").clicked() {
                            action = Some((o.clone(), 1));
                        }
                        if ui.button("修改").clicked() {
                            edit = Some((
                                o.id,
                                OperatorDraft {
                                    staff_no: o.staff_no.clone(),
                                    name: o.name.clone(),
                                    role: o.role,
                                    hall: o.hall.clone(),
                                    window: o.window.clone(),
                                },
                            ));
                        }
                    });
                    ui.end_row();
                }
            });
        if edit.is_some() {
            self.edit_op = edit;
        }
        let mut close = false;
        if let Some((id, draft)) = &mut self.edit_op {
            let id = *id;
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("修改操作员 {}：", draft.staff_no));
                let mut enter = line_ui(ui, "姓名", &mut draft.name, false, 80.0);
                let l = ui.label("角色");
                egui::ComboBox::from_id_salt("edit_op_role")
                    .selected_text(draft.role.label())
                    .show_ui(ui, |ui| {
                        for r in Role::ALL {
                            ui.selectable_value(&mut draft.role, r, r.label());
                        }
                    })
                    .response
                    .labelled_by(l.id);
                enter |= line_ui(ui, "营业厅", &mut draft.hall, false, 100.0);
                enter |= line_ui(ui, "窗口", &mut draft.window, false, 80.0);
                let asked = ui.button("保存修改（Enter）").clicked() || enter;
                if ui.button("取消（Esc）").clicked() || forms::esc_pressed(ui) {
                    close = true;
                }
                let d = draft.clone();
                if let Some(r) =
                    saving::save(ui, "edit_operator", asked, || desk.update_operator(id, &d))
                {
                    self.message = Some(match r {
                        Ok(()) => ("operators", true, format!("已修改操作员 {}", d.staff_no)),
                        Err(e) => ("operators", false, e.to_string()),
                    });
                    close = self.message.as_ref().is_some_and(|m| m.1);
                }
            });
        }
        if close {
            self.edit_op = None;
            self.operators = desk.operators().unwrap_or_default();
        }
        ui.horizontal(|ui| {
            line_ui(ui, "重置为新密码", &mut self.reset_password, true, 140.0);
            ui.label(RichText::new("（先填新密码，再点该操作员的“重置密码”）").weak());
        });
        let reset_to = &self.reset_password;
        let changed = self
            .operator_change
            .run(ui, "operator", action, |(o, what)| {
                if *what == 0 {
                    desk.set_operator_active(o.id, !o.active)
                } else {
                    desk.reset_password(o.id, reset_to)
                }
            });
        if let Some(((o, _), r)) = changed {
            self.done(desk, r, &format!("已更新操作员 {}", o.name), "operators");
        }

        ui.add_space(8.0);
        ui.strong("添加操作员");
        ui.horizontal_wrapped(|ui| {
            // Enter in any box adds the operator (issue 15, point 3).
            let mut enter = line_ui(ui, "工号", &mut self.new_op.staff_no, false, 80.0);
            enter |= line_ui(ui, "姓名", &mut self.new_op.name, false, 80.0);
            let l = ui.label("角色");
            egui::ComboBox::from_id_salt("new_op_role")
                .selected_text(self.new_op.role.label())
                .show_ui(ui, |ui| {
                    for r in Role::ALL {
                        ui.selectable_value(&mut self.new_op.role, r, r.label());
                    }
                })
                .response
                .labelled_by(l.id);
            enter |= line_ui(ui, "营业厅", &mut self.new_op.hall, false, 100.0);
            enter |= line_ui(ui, "窗口", &mut self.new_op.window, false, 80.0);
            enter |= line_ui(ui, "初始密码", &mut self.new_op_password, true, 120.0);
            let asked = ui.button("添加（Enter）").clicked() || enter;
            if let Some(r) = saving::save(ui, "add_operator", asked, || {
                desk.add_operator(&self.new_op, &self.new_op_password)
                    .map(drop)
            }) {
                self.done(desk, r, "已添加操作员", "operators");
            }
        });
        self.message_ui(ui, "operators");
    }
}
