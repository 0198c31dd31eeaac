//! Repairs and objections in the window (rules X-1..X-3): the forms a clerk fills in from a
//! record (申请信用修复, 提出异议), the lists of applications and objections with filters (the
//! 修复异议 page and the 待办 tabs), and each one's details with the steps its operator may take
//! — supervisors decide with reasons, clerks attach the signed 信用修复承诺书.

use std::path::PathBuf;

use egui::RichText;

use super::Command;
use super::forms::{ERROR_COLOR, FormKeys, FormOutcome};
use super::record_form::RecordForm;
use super::saving;
use crate::desk::{
    CreditFilter, CreditQueueRow, CreditTarget, Desk, DeskError, ObjectionRequest, ObjectionStep,
    RecordView, RepairRequest, RepairStep,
};
use crate::domain::credit::{
    Correction, CreditRow, EvidenceFile, Objection, ObjectionGround, ObjectionId, ObjectionStatus,
    RepairApplication, RepairId, RepairRoute, RepairStatus, Step, TargetRef, Urgency,
};
use crate::domain::operator::Action;
use crate::domain::subject::Subject;

/// Where a printed 信用修复承诺书 goes by default: the user's documents folder.
fn default_letter_path(code: &str) -> String {
    let dir = crate::print::documents_dir();
    dir.join(format!("信用修复承诺书-{code}.pdf"))
        .display()
        .to_string()
}

/// A path box with 浏览…; says so when no file dialog can open.
fn path_row(ui: &mut egui::Ui, label: &str, path: &mut String, _salt: &str) {
    ui.horizontal_wrapped(|ui| {
        super::files::path_row(
            ui,
            label,
            path,
            "文件路径，或点“浏览…”选择",
            360.0,
            super::files::Browse::Open(
                "扫描件或照片（PDF/JPG/PNG）",
                &["pdf", "jpg", "jpeg", "png"],
            ),
            true,
        );
    });
}

/// Evidence files being gathered: a list and the box for the next one.
#[derive(Debug, Default, Clone)]
struct EvidenceList {
    files: Vec<(String, String)>,
    next_path: String,
    next_label: String,
}

impl EvidenceList {
    fn ui(&mut self, ui: &mut egui::Ui, salt: &str) {
        let mut remove = None;
        for (i, (p, label)) in self.files.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("{}. {label}：{p}", i + 1));
                if ui.small_button("移除").clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            self.files.remove(i);
        }
        path_row(ui, "证明材料", &mut self.next_path, salt);
        ui.horizontal(|ui| {
            let l = ui.label("材料说明");
            ui.add(
                egui::TextEdit::singleline(&mut self.next_label)
                    .hint_text("如：缴费凭证、整改证明")
                    .desired_width(200.0),
            )
            .labelled_by(l.id);
            if ui
                .add_enabled(
                    !self.next_path.trim().is_empty(),
                    egui::Button::new("添加材料"),
                )
                .clicked()
            {
                self.push();
            }
        });
    }

    /// Whether anything was chosen or typed (Esc then asks first).
    fn is_touched(&self) -> bool {
        !self.files.is_empty() || !self.next_path.trim().is_empty() || !self.next_label.is_empty()
    }

    /// The box's file joins the list (a file typed but not added still counts on submit).
    fn push(&mut self) {
        let p = self.next_path.trim().to_string();
        if !p.is_empty() {
            let label = match self.next_label.trim() {
                "" => "证明材料".to_string(),
                l => l.to_string(),
            };
            self.files.push((p, label));
        }
        self.next_path.clear();
        self.next_label.clear();
    }

    fn paths(&mut self) -> Vec<(PathBuf, String)> {
        self.push();
        self.files
            .iter()
            .map(|(p, l)| (PathBuf::from(p), l.clone()))
            .collect()
    }
}

/// What a credit form asks of the tab that shows it.
pub enum FormDone {
    /// Keep showing it.
    Open,
    /// Closed (saved or cancelled), with a notice; the records must be read again.
    Closed(Option<Command>),
}

/// 申请信用修复 on a record: route, statement, evidence, and where to save the letter.
pub struct RepairForm {
    target: TargetRef,
    summary: String,
    periods: Option<crate::domain::credit::Periods>,
    route: RepairRoute,
    statement: String,
    evidence: EvidenceList,
    out: String,
    keys: FormKeys,
}

impl RepairForm {
    pub fn new(record: &RecordView) -> Self {
        let route = match record.record.kind() {
            crate::domain::records::RecordKind::Theft => RepairRoute::TheftRectified,
            crate::domain::records::RecordKind::Arrears
            | crate::domain::records::RecordKind::PersonArrears => RepairRoute::ArrearsPaid,
            _ => RepairRoute::StopAndEvidence,
        };
        Self {
            target: TargetRef::Record { id: record.id.0 },
            summary: record.record.summary(),
            periods: record.credit.periods,
            route,
            statement: String::new(),
            evidence: EvidenceList::default(),
            out: default_letter_path(&format!("R{}", record.id.0)),
            keys: FormKeys::new(),
        }
    }

    /// On a broken commitment (D-4) or any target the desk listed.
    pub fn for_target(t: &CreditTarget) -> Self {
        Self {
            target: t.target.target.clone(),
            summary: t.target.summary.clone(),
            periods: t.credit.periods,
            route: RepairRoute::StopAndEvidence,
            statement: String::new(),
            evidence: EvidenceList::default(),
            out: default_letter_path(&t.target.target.label().replace(' ', "-")),
            keys: FormKeys::new(),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk, subject: &Subject) -> FormDone {
        ui.strong(format!("申请信用修复：{}", self.summary));
        if let Some(p) = self.periods {
            ui.label(
                RichText::new(format!(
                    "{}失信信息：{} 认定，最早可于 {} 申请修复，{} 公示期满（X-2）",
                    p.grade.label(),
                    p.decided_on,
                    p.earliest_repair,
                    p.publication_end
                ))
                .weak(),
            );
        }
        ui.horizontal(|ui| {
            let l = ui.label("修复方式");
            egui::ComboBox::from_id_salt("repair_route")
                .selected_text(self.route.label())
                .width(420.0)
                .show_ui(ui, |ui| {
                    for r in RepairRoute::ALL {
                        ui.selectable_value(&mut self.route, r, r.label());
                    }
                })
                .response
                .labelled_by(l.id);
        });
        let mut enter = self.keys.multiline(
            ui,
            "整改情况说明",
            &mut self.statement,
            "写明整改情况；Ctrl+Enter 登记",
            3,
            560.0,
        );
        self.evidence.ui(ui, "repair_evidence");
        enter |= self.keys.line(ui, "承诺书保存到", &mut self.out, "", 420.0);
        let dirty = !self.statement.trim().is_empty() || self.evidence.is_touched();
        let outcome = self
            .keys
            .buttons(ui, "登记并打印信用修复承诺书", enter, dirty);
        let asked = outcome == FormOutcome::Submit;
        let req = RepairRequest {
            subject: subject.id,
            targets: vec![self.target.clone()],
            route: self.route,
            statement: self.statement.clone(),
            evidence: if asked {
                self.evidence.paths()
            } else {
                Vec::new()
            },
        };
        let mut done = match outcome {
            FormOutcome::Cancel => FormDone::Closed(None),
            _ => FormDone::Open,
        };
        if let Some(r) = saving::save(ui, "open_repair", asked, || desk.open_repair(&req)) {
            match r {
                Ok(opened) => {
                    let path = PathBuf::from(self.out.trim());
                    let msg = match std::fs::write(&path, &opened.pdf) {
                        Ok(()) => format!(
                            "已登记信用修复申请 {}（待受理）：承诺书 {} 已保存到 {}，请申请人签字盖章后在“修复异议”中上传",
                            opened.application.id,
                            opened.application.commitment.code,
                            path.display()
                        ),
                        Err(e) => format!(
                            "已登记信用修复申请 {}，但承诺书未能保存到 {}（{e}）：请在“修复异议”中重新打印",
                            opened.application.id,
                            path.display()
                        ),
                    };
                    done = FormDone::Closed(Some(Command::info(msg)));
                }
                Err(e) => self.keys.refuse(e.to_string()),
            }
        }
        done
    }
}

/// 提出异议 on a record: grounds, statement, evidence and the sealed commitment.
pub struct ObjectionForm {
    target: TargetRef,
    summary: String,
    grounds: Vec<ObjectionGround>,
    statement: String,
    evidence: EvidenceList,
    sealed: String,
    keys: FormKeys,
}

impl ObjectionForm {
    pub fn new(record: &RecordView) -> Self {
        Self::on(
            TargetRef::Record { id: record.id.0 },
            record.record.summary(),
        )
    }

    /// On a broken commitment (D-4) or any target the desk listed.
    pub fn for_target(t: &CreditTarget) -> Self {
        Self::on(t.target.target.clone(), t.target.summary.clone())
    }

    fn on(target: TargetRef, summary: String) -> Self {
        Self {
            target,
            summary,
            grounds: Vec::new(),
            statement: String::new(),
            evidence: EvidenceList::default(),
            sealed: String::new(),
            keys: FormKeys::new(),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk, subject: &Subject) -> FormDone {
        ui.strong(format!("提出异议：{}", self.summary));
        ui.label(RichText::new("异议期间该记录标注“异议中”，核查结论不因异议而改变（X-3）").weak());
        ui.horizontal_wrapped(|ui| {
            ui.label("异议理由");
            for g in ObjectionGround::ALL {
                let mut on = self.grounds.contains(&g);
                if ui.checkbox(&mut on, g.label()).changed() {
                    if on {
                        self.grounds.push(g);
                    } else {
                        self.grounds.retain(|x| *x != g);
                    }
                }
            }
        });
        let enter = self.keys.multiline(
            ui,
            "异议事由说明",
            &mut self.statement,
            "写明异议事由；Ctrl+Enter 登记",
            3,
            560.0,
        );
        self.evidence.ui(ui, "objection_evidence");
        path_row(
            ui,
            "盖章的异议申诉信用承诺书",
            &mut self.sealed,
            "objection_sealed",
        );
        let dirty = !self.statement.trim().is_empty()
            || !self.grounds.is_empty()
            || self.evidence.is_touched()
            || !self.sealed.trim().is_empty();
        let outcome = self.keys.buttons(ui, "登记异议", enter, dirty);
        let asked = outcome == FormOutcome::Submit;
        let req = ObjectionRequest {
            subject: subject.id,
            target: self.target.clone(),
            grounds: self.grounds.clone(),
            statement: self.statement.clone(),
            evidence: if asked {
                self.evidence.paths()
            } else {
                Vec::new()
            },
            commitment_scan: PathBuf::from(self.sealed.trim()),
        };
        let mut done = match outcome {
            FormOutcome::Cancel => FormDone::Closed(None),
            _ => FormDone::Open,
        };
        if let Some(r) = saving::save(ui, "open_objection", asked, || desk.open_objection(&req)) {
            match r {
                Ok(o) => {
                    done = FormDone::Closed(Some(Command::info(format!(
                        "已登记异议申诉 {}（待受理，受理时限 {}）",
                        o.id,
                        o.deadline.map(|d| d.to_string()).unwrap_or_default()
                    ))))
                }
                Err(e) => self.keys.refuse(e.to_string()),
            }
        }
        done
    }
}

// ---------------------------------------------------------------------------------------------
// Lists and details

/// Repairs or objections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditKind {
    Repairs,
    Objections,
}

impl CreditKind {
    pub fn label(self) -> &'static str {
        match self {
            CreditKind::Repairs => "信用修复申请",
            CreditKind::Objections => "异议申诉",
        }
    }
}

/// One application or objection, loaded for its details.
enum Detail {
    Repair(Box<RepairApplication>),
    Objection(Box<Objection>),
}

/// The list of one kind with its filters, and the selected item's details and steps.
pub struct CreditPanel {
    kind: CreditKind,
    open_only: bool,
    name_filter: String,
    rows: Vec<(CreditRow, Option<Urgency>)>,
    selected: Option<i64>,
    detail: Option<Detail>,
    reason: String,
    upload: String,
    letter_out: String,
    amend: Option<(Subject, RecordForm)>,
    /// A list that could not be read.
    error: Option<String>,
    /// A refused step of the selected item, and the box it belongs under.
    step_error: Option<(StepBox, String)>,
}

/// The box of a detail's step that a refusal is shown under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepBox {
    Letter,
    Upload,
    Reason,
}

impl CreditPanel {
    pub fn new(kind: CreditKind, open_only: bool, desk: &Desk) -> Self {
        let mut p = Self {
            kind,
            open_only,
            name_filter: String::new(),
            rows: Vec::new(),
            selected: None,
            detail: None,
            reason: String::new(),
            upload: String::new(),
            letter_out: String::new(),
            amend: None,
            error: None,
            step_error: None,
        };
        p.reload(desk);
        p
    }

    /// Which kind it lists.
    pub fn kind(&self) -> CreditKind {
        self.kind
    }

    /// Rows shown (tests).
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    pub fn reload(&mut self, desk: &Desk) {
        let result: Result<Vec<(CreditRow, Option<Urgency>)>, DeskError> = if self.open_only {
            desk.credit_queue().map(|(r, o)| {
                let pick = match self.kind {
                    CreditKind::Repairs => r,
                    CreditKind::Objections => o,
                };
                pick.into_iter()
                    .map(|CreditQueueRow { row, urgency }| (row, Some(urgency)))
                    .collect()
            })
        } else {
            let f = CreditFilter {
                limit: 1000,
                ..CreditFilter::default()
            };
            match self.kind {
                CreditKind::Repairs => desk
                    .repair_applications(&f)
                    .map(|v| v.iter().map(|a| (Desk::repair_row(a), None)).collect()),
                CreditKind::Objections => desk
                    .objections(&f)
                    .map(|v| v.iter().map(|o| (Desk::objection_row(o), None)).collect()),
            }
        };
        match result {
            Ok(rows) => {
                self.rows = rows;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        if let Some(id) = self.selected {
            self.load_detail(desk, id);
        }
    }

    fn load_detail(&mut self, desk: &Desk, id: i64) {
        let d = match self.kind {
            CreditKind::Repairs => desk
                .repair_application(RepairId(id))
                .map(|a| Detail::Repair(Box::new(a))),
            CreditKind::Objections => desk
                .objection(ObjectionId(id))
                .map(|o| Detail::Objection(Box::new(o))),
        };
        match d {
            Ok(d) => {
                if let Detail::Repair(a) = &d {
                    self.letter_out = default_letter_path(&a.commitment.code);
                }
                self.detail = Some(d);
                self.selected = Some(id);
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let mut command = None;
        ui.horizontal(|ui| {
            let l = ui.label("名称或代码");
            ui.add(
                egui::TextEdit::singleline(&mut self.name_filter)
                    .hint_text("筛选")
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
            if ui.checkbox(&mut self.open_only, "只看在办").changed() {
                self.reload(desk);
            }
            if ui.button("刷新").clicked() {
                self.reload(desk);
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(ERROR_COLOR, e);
        }
        let needle = self.name_filter.trim().to_uppercase();
        let shown: Vec<&(CreditRow, Option<Urgency>)> = self
            .rows
            .iter()
            .filter(|(r, _)| {
                needle.is_empty()
                    || r.subject_name.to_uppercase().contains(&needle)
                    || r.subject_code.contains(&needle)
            })
            .collect();
        if shown.is_empty() {
            ui.label(RichText::new(format!("没有{}", self.kind.label())).weak());
        }
        let mut clicked = None;
        egui::ScrollArea::both()
            .id_salt(("credit_rows", self.kind.label()))
            .max_height(220.0)
            .show(ui, |ui| {
                egui::Grid::new(("credit_grid", self.kind.label()))
                    .striped(true)
                    .num_columns(7)
                    .show(ui, |ui| {
                        for h in [
                            "编号",
                            "状态",
                            "时限",
                            "主体",
                            "记录",
                            "申请日期",
                            "受理柜员",
                        ] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for (r, urgency) in &shown {
                            let picked = self.selected == Some(r.id);
                            if ui.selectable_label(picked, r.id.to_string()).clicked() {
                                clicked = Some(r.id);
                            }
                            ui.label(&r.status_label);
                            let deadline = r.deadline.map(|d| d.to_string()).unwrap_or_default();
                            match urgency {
                                Some(Urgency::Overdue) => {
                                    ui.colored_label(ERROR_COLOR, format!("{deadline} 已超期"))
                                }
                                Some(Urgency::DueSoon) => ui.colored_label(
                                    egui::Color32::from_rgb(160, 100, 0),
                                    format!("{deadline} 即将到期"),
                                ),
                                _ => ui.label(deadline),
                            };
                            if ui.link(&r.subject_name).clicked() {
                                command = Some(Command::OpenSubject(r.subject_id));
                            }
                            ui.label(&r.targets);
                            ui.label(r.opened_on.to_string());
                            ui.label(format!("{} {}", r.hall, r.opened_by).trim().to_string());
                            ui.end_row();
                        }
                    });
            });
        if let Some(id) = clicked {
            self.reason.clear();
            self.upload.clear();
            self.step_error = None;
            self.amend = None;
            self.load_detail(desk, id);
        }
        ui.separator();
        if let Some(c) = self.detail_ui(ui, desk) {
            command = Some(c);
        }
        command
    }

    fn detail_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        let detail = self.detail.as_ref()?;
        let may_decide = desk.may(Action::DecideCredit);
        let may_handle = desk.may(Action::HandleCredit);
        let mut result: Option<Result<String, DeskError>> = None;
        // Which box a refusal belongs under (issue 15, point 3): the letter's, the upload's or
        // the reason's.
        let mut at = StepBox::Reason;
        let shown = self.step_error.clone();
        let said = |b: StepBox| {
            shown
                .as_ref()
                .filter(|(w, _)| *w == b)
                .map(|(_, m)| m.as_str())
        };
        let mut view: Option<EvidenceFile> = None;
        egui::ScrollArea::vertical()
            .id_salt("credit_detail")
            .show(ui, |ui| match detail {
                Detail::Repair(a) => {
                    let a = a.as_ref().clone();
                    view = repair_facts_ui(ui, &a);
                    if !a.status.is_open() {
                        return;
                    }
                    if may_handle {
                        ui.horizontal_wrapped(|ui| {
                            let l = ui.label("承诺书另存为");
                            let r = ui
                                .add(
                                    egui::TextEdit::singleline(&mut self.letter_out)
                                        .desired_width(360.0),
                                )
                                .labelled_by(l.id);
                            let enter = super::forms::enter_in(ui, &r);
                            if ui.button("重新打印承诺书").clicked() || enter {
                                at = StepBox::Letter;
                                let path = PathBuf::from(self.letter_out.trim());
                                result = Some(desk.repair_letter_pdf(a.id).and_then(|pdf| {
                                    std::fs::write(&path, pdf)
                                        .map(|_| format!("已保存到 {}", path.display()))
                                        .map_err(|e| {
                                            DeskError::FileWrite(format!(
                                                "无法写出 {}：{e}",
                                                path.display()
                                            ))
                                        })
                                }));
                            }
                        });
                        if let Some(m) = said(StepBox::Letter) {
                            ui.colored_label(ERROR_COLOR, m);
                        }
                        let asked = ui
                            .horizontal_wrapped(|ui| {
                                let row = super::files::path_row(
                                    ui,
                                    "已签字盖章的承诺书",
                                    &mut self.upload,
                                    "文件路径，或点“浏览…”选择",
                                    360.0,
                                    super::files::Browse::Open(
                                        "扫描件或照片（PDF/JPG/PNG）",
                                        &["pdf", "jpg", "jpeg", "png"],
                                    ),
                                    true,
                                );
                                ui.button("上传已签承诺书").clicked() || row.enter
                            })
                            .inner;
                        let path = PathBuf::from(self.upload.trim());
                        if let Some(r) = saving::save(ui, "repair_attach", asked, || {
                            desk.attach_repair_letter(a.id, &path)
                        }) {
                            at = StepBox::Upload;
                            result = Some(r.map(|_| "已上传信用修复承诺书".into()));
                        }
                        if let Some(m) = said(StepBox::Upload) {
                            ui.colored_label(ERROR_COLOR, m);
                        }
                    }
                    if may_decide {
                        let steps: &[(&str, RepairStep)] = match a.status {
                            RepairStatus::Submitted => &[
                                ("受理", RepairStep::Accept),
                                (
                                    "不予受理",
                                    RepairStep::NotAccept {
                                        reason: String::new(),
                                    },
                                ),
                            ],
                            RepairStatus::Accepted => &[("开始审核", RepairStep::Review)],
                            RepairStatus::Reviewing => &[
                                ("准予修复", RepairStep::Repair),
                                (
                                    "不予修复",
                                    RepairStep::Reject {
                                        reason: String::new(),
                                    },
                                ),
                            ],
                            _ => &[],
                        };
                        reason_box(ui, &mut self.reason, said(StepBox::Reason));
                        ui.horizontal(|ui| {
                            for (label, step) in steps {
                                let asked = ui.button(*label).clicked();
                                let step = match step {
                                    RepairStep::NotAccept { .. } => RepairStep::NotAccept {
                                        reason: self.reason.clone(),
                                    },
                                    RepairStep::Reject { .. } => RepairStep::Reject {
                                        reason: self.reason.clone(),
                                    },
                                    s => s.clone(),
                                };
                                let salt = format!("repair_step_{label}");
                                if let Some(r) = saving::save(ui, &salt, asked, || {
                                    desk.decide_repair(a.id, &step)
                                }) {
                                    result = Some(r.map(|n| {
                                        format!("修复申请 {}：{}", n.id, n.status.label())
                                    }));
                                }
                            }
                        });
                    } else {
                        ui.label(RichText::new("受理、审核与修复决定由班长办理").weak());
                    }
                }
                Detail::Objection(o) => {
                    let o = o.as_ref().clone();
                    view = objection_facts_ui(ui, &o);
                    if !o.status.is_open() {
                        return;
                    }
                    if !may_decide {
                        ui.label(RichText::new("受理、核实与更正决定由班长办理").weak());
                        return;
                    }
                    if let Some((subject, form)) = &mut self.amend {
                        let outcome = form.ui(ui, subject, desk.today());
                        reason_box(ui, &mut self.reason, said(StepBox::Reason));
                        let draft = form.draft.clone();
                        let reason = self.reason.clone();
                        let asked = outcome == super::forms::FormOutcome::Submit;
                        if let Some(r) = saving::save(ui, "objection_amend", asked, || {
                            desk.decide_objection(
                                o.id,
                                &ObjectionStep::Amend {
                                    draft: Box::new(draft),
                                    reason,
                                },
                            )
                        }) {
                            result = Some(r.map(|_| "已按异议更正记录".into()));
                        }
                        if outcome == super::forms::FormOutcome::Cancel {
                            self.amend = None;
                        }
                        return;
                    }
                    reason_box(ui, &mut self.reason, said(StepBox::Reason));
                    let reason = self.reason.clone();
                    let steps: Vec<(&str, ObjectionStep)> = match o.status {
                        ObjectionStatus::Submitted => vec![
                            ("受理", ObjectionStep::Accept),
                            ("不予受理", ObjectionStep::NotAccept { reason }),
                        ],
                        ObjectionStatus::Accepted => vec![("开始核实", ObjectionStep::Verify)],
                        ObjectionStatus::Verifying => vec![
                            (
                                "更正：撤销该记录",
                                ObjectionStep::Withdraw {
                                    reason: reason.clone(),
                                },
                            ),
                            ("不予更正", ObjectionStep::Uphold { reason }),
                        ],
                        _ => Vec::new(),
                    };
                    ui.horizontal(|ui| {
                        for (label, step) in &steps {
                            let asked = ui.button(*label).clicked();
                            let salt = format!("objection_step_{label}");
                            if let Some(r) =
                                saving::save(ui, &salt, asked, || desk.decide_objection(o.id, step))
                            {
                                result =
                                    Some(r.map(|n| {
                                        format!("异议申诉 {}：{}", n.id, n.status.label())
                                    }));
                            }
                        }
                        if o.status == ObjectionStatus::Verifying
                            && let TargetRef::Record { id } = o.target.target
                            && ui.button("更正：修改记录内容…").clicked()
                        {
                            match desk
                                .record_view(crate::domain::records::RecordId(id))
                                .and_then(|v| Ok((desk.subject(o.subject_id)?, v)))
                            {
                                Ok((s, v)) => self.amend = Some((s, RecordForm::correct(&v))),
                                Err(e) => result = Some(Err(e)),
                            }
                        }
                    });
                }
            });
        // 查看: the file in the system viewer, from a temporary copy.
        if let Some(f) = view {
            match desk.credit_file_for_viewing(&f) {
                Ok(p) => {
                    if let Err(e) = opener::open(&p) {
                        self.step_error = Some((
                            StepBox::Reason,
                            format!(
                                "无法打开查看程序（{e}）：文件已保存在 {}，请手动打开",
                                p.display()
                            ),
                        ));
                    }
                }
                Err(e) => self.step_error = Some((StepBox::Reason, e.to_string())),
            }
        }
        match result {
            Some(Ok(msg)) => {
                self.reason.clear();
                self.upload.clear();
                self.amend = None;
                self.step_error = None;
                self.reload(desk);
                Some(Command::info(msg))
            }
            Some(Err(e)) => {
                self.step_error = Some((at, e.to_string()));
                None
            }
            None => None,
        }
    }
}

/// The reason box of a supervisor's step, with its message line (always there, so the step
/// buttons below never move). Enter does not decide: a step is a choice between buttons.
fn reason_box(ui: &mut egui::Ui, reason: &mut String, message: Option<&str>) {
    ui.horizontal(|ui| {
        let l = ui.label("理由");
        ui.add(
            egui::TextEdit::singleline(reason)
                .hint_text("不予受理、不予修复、更正或不予更正时必填")
                .desired_width(480.0),
        )
        .labelled_by(l.id);
    });
    ui.label(RichText::new(message.unwrap_or(" ")).color(ERROR_COLOR));
}

fn steps_ui(ui: &mut egui::Ui, steps: &[Step]) {
    for s in steps {
        let mut line = format!("{} {}（{}）", s.on, s.status, s.by);
        if let Some(r) = &s.reason {
            line.push_str(&format!("，理由：{r}"));
        }
        if let Some(d) = s.deadline {
            line.push_str(&format!("，下一步时限 {d}"));
        }
        ui.label(line);
    }
}

/// The evidence files; returns the one whose 查看 was clicked.
fn files_ui(ui: &mut egui::Ui, files: &[EvidenceFile]) -> Option<EvidenceFile> {
    let mut view = None;
    for f in files {
        ui.horizontal(|ui| {
            ui.label(format!(
                "材料：{}（{}，{} 上传）",
                f.label, f.file_name, f.attached_on
            ));
            if ui.small_button("查看").clicked() {
                view = Some(f.clone());
            }
        });
    }
    view
}

fn repair_facts_ui(ui: &mut egui::Ui, a: &RepairApplication) -> Option<EvidenceFile> {
    ui.strong(format!(
        "信用修复申请 {}：{}（{}）",
        a.id,
        a.status.label(),
        a.subject_name
    ));
    for t in &a.targets {
        let p = t
            .periods
            .map(|p| format!("，{}，最早可修复 {}", p.grade.label(), p.earliest_repair))
            .unwrap_or_default();
        ui.label(format!(
            "修复记录：{}（{}{p}）",
            t.target.label(),
            t.summary
        ));
    }
    ui.label(format!("修复方式：{}", a.route.label()));
    ui.label(format!("整改情况：{}", a.statement));
    let mut view = files_ui(ui, &a.evidence);
    ui.label(format!(
        "信用修复承诺书 {}：{}",
        a.commitment.code,
        if a.commitment.signed.is_some() {
            "已上传签字盖章件"
        } else {
            "尚未上传签字盖章件（修复前必须上传）"
        }
    ));
    if let Some(d) = a.repaired_on {
        ui.label(format!("{d} 起不再计入任何规则（X-2）"));
    }
    if let Some(signed) = &a.commitment.signed
        && ui.small_button("查看已签承诺书").clicked()
    {
        view = Some(signed.clone());
    }
    steps_ui(ui, &a.steps);
    view
}

fn objection_facts_ui(ui: &mut egui::Ui, o: &Objection) -> Option<EvidenceFile> {
    ui.strong(format!(
        "异议申诉 {}：{}（{}）",
        o.id,
        o.status.label(),
        o.subject_name
    ));
    ui.label(format!(
        "异议记录：{}（{}）",
        o.target.target.label(),
        o.target.summary
    ));
    let g: Vec<&str> = o.grounds.iter().map(|g| g.label()).collect();
    ui.label(format!("异议理由：{}", g.join("、")));
    ui.label(format!("事由说明：{}", o.statement));
    let mut view = files_ui(ui, &o.evidence);
    ui.horizontal(|ui| {
        ui.label(format!(
            "异议申诉信用承诺书：{}",
            o.commitment_scan.file_name
        ));
        if ui.small_button("查看").clicked() {
            view = Some(o.commitment_scan.clone());
        }
    });
    match &o.correction {
        Some(Correction::Withdrawn) => {
            ui.label("更正：撤销该记录");
        }
        Some(Correction::Amended { before, after }) => {
            ui.label(format!("更正：{before} → {after}"));
        }
        None => {}
    }
    steps_ui(ui, &o.steps);
    view
}

/// The 修复异议 page: both lists, one at a time.
pub struct CreditPage {
    kind: CreditKind,
    panel: CreditPanel,
}

impl CreditPage {
    pub fn load(desk: &Desk) -> Self {
        Self {
            kind: CreditKind::Repairs,
            panel: CreditPanel::new(CreditKind::Repairs, false, desk),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk) -> Option<Command> {
        ui.horizontal(|ui| {
            ui.heading("信用修复与异议申诉");
            ui.label(
                RichText::new("在主体页面的“用电记录”中对记录申请修复或提出异议（X-1..X-3）")
                    .weak(),
            );
        });
        ui.horizontal(|ui| {
            for k in [CreditKind::Repairs, CreditKind::Objections] {
                if ui.selectable_label(self.kind == k, k.label()).clicked() && self.kind != k {
                    self.kind = k;
                    self.panel = CreditPanel::new(k, self.panel.open_only, desk);
                }
            }
        });
        ui.separator();
        self.panel.ui(ui, desk)
    }
}
