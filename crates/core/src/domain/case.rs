//! The 信易电 case (rules C-2, D-4, D-5): a subject connected before it proves ownership of the
//! building, with one year after connection to bring the proof.
//!
//! Lifecycle: 已受理 → 已接电 (deadline = connection + 1 year) → 已补证, or 逾期 once today is
//! past the deadline (derived, never stored) → 违诺 decided by a supervisor, or an extension with
//! a reason. 已中止 when withdrawn before connection (D-5: no credit record at all).
//! Every transition is a pure function of the case and `today`; a refusal says why in Chinese.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::commitment::{AcceptingUnit, CommitmentId, proof_deadline};
use super::subject::SubjectId;
use super::trust::Business;

/// Database key of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub i64);

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The stored stage of a case. 逾期 is not stored: see [`Case::state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 已受理: application accepted, not yet connected.
    Accepted,
    /// 已接电: connected, the property proof is due by the deadline (C-2).
    Connected,
    /// 已补证: the proof was attached; commitment 全部履行.
    Fulfilled,
    /// 违诺: a supervisor decided the commitment broken (D-4).
    Broken,
    /// 已中止: withdrawn before connection (D-5).
    Withdrawn,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::Accepted,
        CaseStatus::Connected,
        CaseStatus::Fulfilled,
        CaseStatus::Broken,
        CaseStatus::Withdrawn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CaseStatus::Accepted => "accepted",
            CaseStatus::Connected => "connected",
            CaseStatus::Fulfilled => "fulfilled",
            CaseStatus::Broken => "broken",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Accepted => "已受理",
            CaseStatus::Connected => "已接电",
            CaseStatus::Fulfilled => "已补证",
            CaseStatus::Broken => "违诺",
            CaseStatus::Withdrawn => "已中止",
        }
    }

    /// Whether the case still needs work (the queue lists only these).
    pub fn is_open(self) -> bool {
        matches!(self, CaseStatus::Accepted | CaseStatus::Connected)
    }
}

/// What a case is as of a day: the stored stage, or 逾期 for a connected case past its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Accepted,
    Connected,
    /// 逾期: connected, today is after the deadline and no proof was attached.
    Overdue,
    Fulfilled,
    Broken,
    Withdrawn,
}

impl CaseState {
    pub fn label(self) -> &'static str {
        match self {
            CaseState::Accepted => "已受理",
            CaseState::Connected => "已接电",
            CaseState::Overdue => "逾期",
            CaseState::Fulfilled => "已补证",
            CaseState::Broken => "违诺",
            CaseState::Withdrawn => "已中止",
        }
    }
}

/// The property-ownership proof as attached (stored by SHA-256 in the evidence store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
    pub attached_on: NaiveDate,
    /// 工号 of the clerk who attached it.
    pub attached_by: String,
}

/// A deadline extension a supervisor granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub granted_on: NaiveDate,
    pub previous_deadline: NaiveDate,
    pub until: NaiveDate,
    pub reason: String,
    /// 工号 of the supervisor.
    pub granted_by: String,
}

/// A supervisor's decision that the commitment is broken (rule D-4, C-3 fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachDecision {
    /// 承诺履行状态认定日期.
    pub decided_on: NaiveDate,
    /// 未履行的承诺内容.
    pub unfulfilled: String,
    /// 违诺责任追究内容.
    pub liability_pursued: String,
    /// 承诺履行状态认定单位 (the accepting unit from the settings).
    pub unit: AcceptingUnit,
    /// 工号 of the supervisor.
    pub decided_by: String,
}

/// A withdrawal before connection (rule D-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseWithdrawal {
    pub withdrawn_on: NaiveDate,
    pub reason: String,
    pub recorded_by: String,
}

/// A 信易电 case as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub subject_id: SubjectId,
    /// The commitment the case rests on and its 承诺编码.
    pub commitment_id: CommitmentId,
    pub commitment_code: String,
    /// The stored trust check the commitment was issued on, if any.
    pub verdict_id: Option<i64>,
    pub business: Business,
    /// 用户编号 (empty for a new connection that has none yet).
    pub account_no: String,
    pub usage_address: String,
    /// The pilot park of the account, if chosen (rule T-5), and its name.
    pub park_id: Option<i64>,
    pub park: String,
    /// The day the application was accepted (the case opened).
    pub applied_on: NaiveDate,
    /// 工号 and hall of the clerk who opened it.
    pub opened_by: String,
    pub hall: String,
    pub status: CaseStatus,
    /// 接火送电 date.
    pub connected_on: Option<NaiveDate>,
    /// The current proof deadline (connection + 1 year, or the last extension).
    pub deadline: Option<NaiveDate>,
    pub extensions: Vec<Extension>,
    pub proof: Option<Proof>,
    pub decision: Option<BreachDecision>,
    pub withdrawal: Option<CaseWithdrawal>,
}

/// Why a transition was refused; `Display` is the message for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CaseRefusal(pub String);

fn refuse<T>(msg: impl Into<String>) -> Result<T, CaseRefusal> {
    Err(CaseRefusal(msg.into()))
}

/// Longest reason or decision text accepted.
pub const MAX_REASON: usize = 500;

/// A required free text: trimmed, not empty, at most [`MAX_REASON`] characters.
fn reason_text(what: &str, s: &str) -> Result<String, CaseRefusal> {
    let t = s.trim();
    if t.is_empty() {
        return refuse(format!("请填写{what}：没有{what}不能保存"));
    }
    if t.chars().count() > MAX_REASON {
        return refuse(format!("{what}不能超过 {MAX_REASON} 个字，请精简"));
    }
    Ok(t.to_string())
}

/// 未履行的承诺内容 when a proof deadline is missed (rule C-2).
pub const DEFAULT_UNFULFILLED: &str = "未在接火送电后一年内补齐物业权属证明或相关证明文件";

/// 违诺责任追究内容 when the supervisor gives none.
pub const DEFAULT_LIABILITY_PURSUED: &str =
    "记入失信记录（违反信用承诺，D-4）并推送湛江市公共信用信息共享平台";

impl Case {
    /// The case as of `today`: 逾期 once today is after the deadline of a connected case.
    pub fn state(&self, today: NaiveDate) -> CaseState {
        match self.status {
            CaseStatus::Accepted => CaseState::Accepted,
            CaseStatus::Connected => match self.deadline {
                Some(d) if today > d => CaseState::Overdue,
                _ => CaseState::Connected,
            },
            CaseStatus::Fulfilled => CaseState::Fulfilled,
            CaseStatus::Broken => CaseState::Broken,
            CaseStatus::Withdrawn => CaseState::Withdrawn,
        }
    }

    /// Days until the deadline (negative when overdue), for a connected case.
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        match (self.status, self.deadline) {
            (CaseStatus::Connected, Some(d)) => Some((d - today).num_days()),
            _ => None,
        }
    }

    fn closed_refusal(&self, what: &str) -> CaseRefusal {
        CaseRefusal(format!(
            "案件 {} 已{}，不能再{what}",
            self.id,
            match self.status {
                CaseStatus::Fulfilled => "补证（承诺全部履行）",
                CaseStatus::Broken => "认定违诺",
                CaseStatus::Withdrawn => "中止",
                CaseStatus::Accepted => "受理",
                CaseStatus::Connected => "接电",
            }
        ))
    }

    /// Enter the connection date (接火送电): the deadline becomes that day + 1 year (C-2;
    /// 29 February → 28 February). Refused before the application or after today.
    pub fn connect(&self, on: NaiveDate, today: NaiveDate) -> Result<Case, CaseRefusal> {
        match self.status {
            CaseStatus::Accepted => {}
            CaseStatus::Connected => {
                return refuse(format!(
                    "案件 {} 已于 {} 接电，不能重复录入接电日期",
                    self.id,
                    self.connected_on.map(|d| d.to_string()).unwrap_or_default()
                ));
            }
            _ => return Err(self.closed_refusal("录入接电日期")),
        }
        if on < self.applied_on {
            return refuse(format!(
                "接电日期 {on} 早于受理日期 {}：请核对接火送电日期",
                self.applied_on
            ));
        }
        if on > today {
            return refuse(format!(
                "接电日期 {on} 在今天（{today}）之后：请在实际接火送电后再录入"
            ));
        }
        let deadline = proof_deadline(on)
            .ok_or_else(|| CaseRefusal(format!("接电日期 {on} 无法计算补证期限")))?;
        Ok(Case {
            status: CaseStatus::Connected,
            connected_on: Some(on),
            deadline: Some(deadline),
            ..self.clone()
        })
    }

    /// Attach the property proof: the commitment is fulfilled (全部履行). Only while connected
    /// and not overdue: once the deadline has passed a supervisor first extends it.
    pub fn fulfil(&self, proof: Proof, today: NaiveDate) -> Result<Case, CaseRefusal> {
        match self.state(today) {
            CaseState::Connected => {}
            CaseState::Accepted => {
                return refuse(format!(
                    "案件 {} 尚未接电：请先录入接电日期，再上传物业权属证明",
                    self.id
                ));
            }
            CaseState::Overdue => {
                return refuse(format!(
                    "案件 {} 已逾期（补证期限 {}）：请先由班长批准延期，或认定违诺",
                    self.id,
                    self.deadline.map(|d| d.to_string()).unwrap_or_default()
                ));
            }
            _ => return Err(self.closed_refusal("上传物业权属证明")),
        }
        Ok(Case {
            status: CaseStatus::Fulfilled,
            proof: Some(proof),
            ..self.clone()
        })
    }

    /// Withdraw the application before connection (D-5: no credit record at all).
    pub fn withdraw(&self, reason: &str, by: &str, today: NaiveDate) -> Result<Case, CaseRefusal> {
        match self.status {
            CaseStatus::Accepted => {}
            CaseStatus::Connected => {
                return refuse(format!(
                    "案件 {} 已于 {} 接火送电：接电后不能中止（D-5 只适用于接火送电前主动中止），请按期补证或由班长处理",
                    self.id,
                    self.connected_on.map(|d| d.to_string()).unwrap_or_default()
                ));
            }
            _ => return Err(self.closed_refusal("中止")),
        }
        let reason = match reason.trim() {
            "" => "申请人主动中止用电报装".to_string(),
            _ => reason_text("中止原因", reason)?,
        };
        Ok(Case {
            status: CaseStatus::Withdrawn,
            withdrawal: Some(CaseWithdrawal {
                withdrawn_on: today,
                reason,
                recorded_by: by.to_string(),
            }),
            ..self.clone()
        })
    }

    /// A supervisor decides the commitment broken (D-4): only once the deadline has passed,
    /// and only with the unfulfilled content stated.
    pub fn decide_breach(
        &self,
        unfulfilled: &str,
        liability_pursued: &str,
        unit: &AcceptingUnit,
        by: &str,
        today: NaiveDate,
    ) -> Result<Case, CaseRefusal> {
        match self.state(today) {
            CaseState::Overdue => {}
            CaseState::Connected => {
                return refuse(format!(
                    "案件 {} 的补证期限 {} 尚未届满：期限过后才能认定违诺",
                    self.id,
                    self.deadline.map(|d| d.to_string()).unwrap_or_default()
                ));
            }
            CaseState::Accepted => {
                return refuse(format!(
                    "案件 {} 尚未接电，不能认定违诺（接电前中止的不作信用记录，D-5）",
                    self.id
                ));
            }
            _ => return Err(self.closed_refusal("认定违诺")),
        }
        let unfulfilled = reason_text("未履行的承诺内容（认定理由）", unfulfilled)?;
        let liability_pursued = match liability_pursued.trim() {
            "" => DEFAULT_LIABILITY_PURSUED.to_string(),
            _ => reason_text("违诺责任追究内容", liability_pursued)?,
        };
        Ok(Case {
            status: CaseStatus::Broken,
            decision: Some(BreachDecision {
                decided_on: today,
                unfulfilled,
                liability_pursued,
                unit: unit.clone(),
                decided_by: by.to_string(),
            }),
            ..self.clone()
        })
    }

    /// A supervisor extends the deadline of a connected case (before or after it passed) to a
    /// later day, with a reason.
    pub fn extend(
        &self,
        until: NaiveDate,
        reason: &str,
        by: &str,
        today: NaiveDate,
    ) -> Result<Case, CaseRefusal> {
        let current = match (self.status, self.deadline) {
            (CaseStatus::Connected, Some(d)) => d,
            (CaseStatus::Accepted, _) => {
                return refuse(format!("案件 {} 尚未接电，还没有补证期限可以延长", self.id));
            }
            _ => return Err(self.closed_refusal("延期")),
        };
        let reason = reason_text("延期理由", reason)?;
        if until <= current {
            return refuse(format!(
                "新的补证期限 {until} 不晚于原期限 {current}：延期后的日期必须更晚"
            ));
        }
        if until <= today {
            return refuse(format!(
                "新的补证期限 {until} 不在今天（{today}）之后：请给申请人留出补证时间"
            ));
        }
        let mut next = self.clone();
        next.extensions.push(Extension {
            granted_on: today,
            previous_deadline: current,
            until,
            reason,
            granted_by: by.to_string(),
        });
        next.deadline = Some(until);
        Ok(next)
    }
}

/// Which open cases a queue shows (the 待办 tabs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueTab {
    /// Connected, deadline within the next N days (today … today + N, both included).
    DueWithin(u32),
    /// Deadline passed without a proof: undecided (awaiting decision) and decided 违诺.
    Overdue,
    /// Overdue and not yet decided: what a supervisor must act on.
    AwaitingDecision,
    /// Accepted, waiting for the connection date.
    AwaitingConnection,
    /// Every open case (accepted or connected).
    AllOpen,
}

impl QueueTab {
    pub fn label(self) -> String {
        match self {
            QueueTab::DueWithin(d) => format!("{d} 天内到期"),
            QueueTab::Overdue => "逾期".into(),
            QueueTab::AwaitingDecision => "待认定".into(),
            QueueTab::AwaitingConnection => "待接电".into(),
            QueueTab::AllOpen => "全部在办".into(),
        }
    }
}

/// How a queue is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueSort {
    /// Earliest deadline first (the default: what is most urgent).
    #[default]
    Deadline,
    Subject,
    Applied,
    Hall,
    Clerk,
}

/// A queue request: tab, filters, sort, as of `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueQuery {
    pub tab: QueueTab,
    pub today: NaiveDate,
    /// 营业厅 of the clerk who opened the case.
    pub hall: Option<String>,
    /// 工号 of the clerk who opened the case.
    pub clerk: Option<String>,
    pub park_id: Option<i64>,
    pub sort: QueueSort,
    pub descending: bool,
    /// A subject's name fragment, its code, or a 用户编号 (issue 15, point 5).
    pub search: Option<String>,
}

impl QueueQuery {
    pub fn new(tab: QueueTab, today: NaiveDate) -> Self {
        Self {
            tab,
            today,
            hall: None,
            clerk: None,
            park_id: None,
            sort: QueueSort::default(),
            descending: false,
            search: None,
        }
    }

    /// The deadline range the tab covers (inclusive), when it is bounded by the deadline.
    pub fn deadline_range(&self) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
        match self.tab {
            QueueTab::DueWithin(days) => Some((
                Some(self.today),
                self.today
                    .checked_add_days(chrono::Days::new(u64::from(days)))
                    .or(Some(NaiveDate::MAX)),
            )),
            QueueTab::Overdue | QueueTab::AwaitingDecision => {
                Some((None, self.today.pred_opt().or(Some(NaiveDate::MIN))))
            }
            QueueTab::AwaitingConnection | QueueTab::AllOpen => None,
        }
    }
}

/// One row of the queue: what the clerk needs to call and the supervisor to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueRow {
    pub case_id: CaseId,
    pub subject_id: SubjectId,
    pub subject_name: String,
    /// 联系电话 to call.
    pub phone: String,
    pub account_no: String,
    pub usage_address: String,
    pub business: Business,
    pub commitment_code: String,
    pub status: CaseStatus,
    pub applied_on: NaiveDate,
    pub connected_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub opened_by: String,
    pub hall: String,
    pub park: String,
}

impl QueueRow {
    /// The row's state as of `today` (逾期 derived).
    pub fn state(&self, today: NaiveDate) -> CaseState {
        match (self.status, self.deadline) {
            (CaseStatus::Connected, Some(d)) if today > d => CaseState::Overdue,
            (CaseStatus::Connected, _) => CaseState::Connected,
            (CaseStatus::Accepted, _) => CaseState::Accepted,
            (CaseStatus::Fulfilled, _) => CaseState::Fulfilled,
            (CaseStatus::Broken, _) => CaseState::Broken,
            (CaseStatus::Withdrawn, _) => CaseState::Withdrawn,
        }
    }

    /// Days until the deadline (negative when overdue).
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        self.deadline.map(|d| (d - today).num_days())
    }
}

/// How many cases each tab holds (the navigation label and the tab captions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct QueueCounts {
    pub due_30: u64,
    pub due_60: u64,
    pub due_90: u64,
    pub overdue: u64,
    pub awaiting_decision: u64,
    pub awaiting_connection: u64,
    pub open: u64,
}

impl QueueCounts {
    /// What needs attention soon: due within 30 days plus awaiting a decision.
    pub fn attention(&self) -> u64 {
        self.due_30 + self.awaiting_decision
    }

    pub fn of(&self, tab: QueueTab) -> Option<u64> {
        match tab {
            QueueTab::DueWithin(30) => Some(self.due_30),
            QueueTab::DueWithin(60) => Some(self.due_60),
            QueueTab::DueWithin(90) => Some(self.due_90),
            QueueTab::DueWithin(_) => None,
            QueueTab::Overdue => Some(self.overdue),
            QueueTab::AwaitingDecision => Some(self.awaiting_decision),
            QueueTab::AwaitingConnection => Some(self.awaiting_connection),
            QueueTab::AllOpen => Some(self.open),
        }
    }
}

/// Cases per month by status, and fulfilled vs broken (the dashboard).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CaseStats {
    /// (month "YYYY-MM" of the application, status, count), months ascending.
    pub by_month: Vec<(String, CaseStatus, u64)>,
    pub fulfilled: u64,
    pub broken: u64,
    pub withdrawn: u64,
    pub open: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn case() -> Case {
        Case {
            id: CaseId(1),
            subject_id: SubjectId(1),
            commitment_id: CommitmentId(1),
            commitment_code: "44080020240105000001".into(),
            verdict_id: None,
            business: Business::NewConnection,
            account_no: String::new(),
            usage_address: "湛江经济技术开发区钢铁产业园区".into(),
            park_id: None,
            park: String::new(),
            applied_on: d(2024, 2, 1),
            opened_by: "C1".into(),
            hall: "霞山营业厅".into(),
            status: CaseStatus::Accepted,
            connected_on: None,
            deadline: None,
            extensions: vec![],
            proof: None,
            decision: None,
            withdrawal: None,
        }
    }

    fn proof(on: NaiveDate) -> Proof {
        Proof {
            sha256: "0".repeat(64),
            file_name: "产权证.pdf".into(),
            media_type: "application/pdf".into(),
            attached_on: on,
            attached_by: "C1".into(),
        }
    }

    #[test]
    fn leap_day_connection_is_due_28_february() {
        let c = case().connect(d(2024, 2, 29), d(2024, 3, 1)).unwrap();
        assert_eq!(c.deadline, Some(d(2025, 2, 28)));
        assert_eq!(c.state(d(2025, 2, 28)), CaseState::Connected);
        assert_eq!(c.state(d(2025, 3, 1)), CaseState::Overdue);
        assert_eq!(c.days_left(d(2025, 2, 27)), Some(1));
    }

    #[test]
    fn connection_date_bounds() {
        let e = case().connect(d(2024, 1, 31), d(2024, 3, 1)).unwrap_err();
        assert!(e.0.contains("早于受理日期"), "{e}");
        let e = case().connect(d(2024, 3, 2), d(2024, 3, 1)).unwrap_err();
        assert!(e.0.contains("之后"), "{e}");
        let c = case().connect(d(2024, 2, 1), d(2024, 2, 1)).unwrap();
        assert!(c.connect(d(2024, 2, 1), d(2024, 2, 1)).is_err(), "twice");
    }

    #[test]
    fn fulfil_only_while_connected_and_in_time() {
        let today = d(2024, 6, 1);
        assert!(case().fulfil(proof(today), today).is_err());
        let c = case().connect(d(2024, 2, 29), today).unwrap();
        let f = c.fulfil(proof(today), today).unwrap();
        assert_eq!(f.status, CaseStatus::Fulfilled);
        assert!(f.fulfil(proof(today), today).is_err());
        let late = d(2025, 3, 1);
        let e = c.fulfil(proof(late), late).unwrap_err();
        assert!(e.0.contains("已逾期"), "{e}");
        // The deadline day itself is still in time.
        assert!(c.fulfil(proof(d(2025, 2, 28)), d(2025, 2, 28)).is_ok());
    }

    #[test]
    fn withdraw_only_before_connection() {
        let w = case().withdraw("", "C1", d(2024, 2, 10)).unwrap();
        assert_eq!(w.status, CaseStatus::Withdrawn);
        assert!(w.withdrawal.unwrap().reason.contains("主动中止"));
        let c = case().connect(d(2024, 2, 2), d(2024, 2, 3)).unwrap();
        let e = c.withdraw("不办了", "C1", d(2024, 3, 1)).unwrap_err();
        assert!(e.0.contains("D-5"), "{e}");
    }

    #[test]
    fn breach_only_after_the_deadline_and_with_a_reason() {
        let unit = AcceptingUnit::default();
        let c = case().connect(d(2024, 2, 29), d(2024, 3, 1)).unwrap();
        let e = c
            .decide_breach(DEFAULT_UNFULFILLED, "", &unit, "S1", d(2025, 2, 28))
            .unwrap_err();
        assert!(e.0.contains("尚未届满"), "{e}");
        let e = c
            .decide_breach("  ", "", &unit, "S1", d(2025, 3, 1))
            .unwrap_err();
        assert!(e.0.contains("请填写"), "{e}");
        let b = c
            .decide_breach(DEFAULT_UNFULFILLED, "", &unit, "S1", d(2025, 3, 1))
            .unwrap();
        assert_eq!(b.status, CaseStatus::Broken);
        let dec = b.decision.as_ref().unwrap();
        assert_eq!(dec.decided_on, d(2025, 3, 1));
        assert_eq!(dec.liability_pursued, DEFAULT_LIABILITY_PURSUED);
        assert!(b.extend(d(2026, 1, 1), "x", "S1", d(2025, 3, 2)).is_err());
        assert!(
            case()
                .decide_breach("x", "", &unit, "S1", d(2030, 1, 1))
                .is_err()
        );
    }

    #[test]
    fn extension_needs_a_reason_and_a_later_day() {
        let c = case().connect(d(2024, 2, 29), d(2024, 3, 1)).unwrap();
        let today = d(2025, 3, 5);
        assert!(c.extend(d(2025, 6, 1), " ", "S1", today).is_err());
        assert!(c.extend(d(2025, 2, 28), "理由", "S1", today).is_err());
        assert!(c.extend(d(2025, 3, 5), "理由", "S1", today).is_err());
        let e = c
            .extend(d(2025, 6, 1), "产权登记中心排队", "S1", today)
            .unwrap();
        assert_eq!(e.deadline, Some(d(2025, 6, 1)));
        assert_eq!(e.state(today), CaseState::Connected);
        assert_eq!(e.extensions[0].previous_deadline, d(2025, 2, 28));
        assert!(case().extend(d(2025, 6, 1), "理由", "S1", today).is_err());
    }

    #[test]
    fn queue_ranges() {
        let q = QueueQuery::new(QueueTab::DueWithin(30), d(2026, 1, 1));
        assert_eq!(
            q.deadline_range(),
            Some((Some(d(2026, 1, 1)), Some(d(2026, 1, 31))))
        );
        let q = QueueQuery::new(QueueTab::Overdue, d(2026, 1, 1));
        assert_eq!(q.deadline_range(), Some((None, Some(d(2025, 12, 31)))));
    }
}
