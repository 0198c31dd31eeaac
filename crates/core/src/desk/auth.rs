//! Sign-in, operators, permissions and the audit trail.
//!
//! Every write action goes through [`Desk::act`] (or [`Desk::begin`] and [`Desk::commit`]),
//! which authorises it with [`Desk::authorize`] (the permission lives here, not in the window)
//! and appends its audit row with [`append_audit`] inside its own transaction. Sign-in, its
//! failures, sign-out, one's own password and the first admin are not authorised actions and
//! call [`append_audit`] themselves.

use std::path::Path;
use std::sync::OnceLock;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use serde::Serialize;

use super::act::AuditLine;
use super::{Desk, DeskError};
use crate::domain::audit::{AuditContent, AuditEntry, ChainBreak, ChainVerifier, HeadRecord};
use crate::domain::operator::{
    Action, Operator, OperatorDraft, OperatorId, Role, after_failed_sign_in, is_locked,
    validate_password,
};
use crate::domain::subject::SubjectId;
use crate::store::{
    AuditFilter, HeadState, KEYED_AUDIT_VERSION, REANCHOR_ACTION, StoreError, Writer,
};

/// Setting key and default of the idle lock.
pub const IDLE_LOCK_KEY: &str = "idle_lock_minutes";
pub const IDLE_LOCK_DEFAULT: u32 = 10;

/// Outcome of `audit verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerdict {
    /// Rows checked before the first break (all rows when intact).
    pub rows_checked: u64,
    /// The first break, including an end that does not reach its anchor.
    pub broken: Option<ChainBreak>,
    /// Rows checked by the old, unkeyed SHA-256 rule (written before the upgrade to schema 12).
    pub legacy_rows: u64,
    /// The first row signed with the audit key (the keyed chain starts at the upgrade).
    pub keyed_since: Option<i64>,
    /// The head record the end was checked against (`None`: in memory, or an old database
    /// never opened by this version for writing).
    pub head: Option<HeadRecord>,
    /// Rows where the program re-anchored the chain because its head file was missing or not
    /// signed by this computer's key: each is worth asking about.
    pub reanchored: Vec<i64>,
}

impl AuditVerdict {
    /// Whether the chain is intact and reaches its anchor.
    pub fn intact(&self) -> bool {
        self.broken.is_none()
    }
}

fn hash_password(pw: &str) -> Result<String, DeskError> {
    Argon2::default()
        .hash_password(pw.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DeskError::Internal(format!("密码加密失败（{e}）")))
}

fn password_matches(pw: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(pw.as_bytes(), hash)
        .is_ok()
}

/// A hash to verify against when the 工号 does not exist, so that an unknown 工号 takes as long
/// to refuse as a wrong password and the answer reveals nothing.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("占位密码-never-matches").unwrap_or_default())
}

fn operator_not_found(id: OperatorId) -> DeskError {
    DeskError::NotFound(format!("编号为 {} 的操作员", id.0))
}

/// Append an audit row for `op` (or the system when no one is signed in yet).
pub(super) fn append_audit(
    w: &Writer<'_>,
    op: Option<&Operator>,
    now: chrono::NaiveDateTime,
    action: &str,
    subject_id: Option<i64>,
    summary: String,
) -> Result<(), StoreError> {
    let (staff_no, window) = match op {
        Some(o) => (
            o.staff_no.clone(),
            [o.hall.as_str(), o.window.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        None => (String::new(), String::new()),
    };
    w.append_audit(&AuditContent {
        at: now,
        staff_no,
        window,
        action: action.to_string(),
        subject_id,
        summary,
        // The store adds the business date when `--date` sets it apart from `now`.
        business_date: None,
    })?;
    Ok(())
}

impl Desk {
    /// The signed-in operator.
    pub fn operator(&self) -> Option<&Operator> {
        self.session.as_ref()
    }

    /// The signed-in operator if their role allows `action`; otherwise a refusal naming the role
    /// needed.
    pub fn authorize(&self, action: Action) -> Result<Operator, DeskError> {
        let op = self.session.as_ref().ok_or(DeskError::NotSignedIn)?;
        let needed = action.required_role();
        if op.role.includes(needed) {
            Ok(op.clone())
        } else {
            Err(DeskError::Forbidden {
                action: action.label(),
                needed: needed.label(),
                have: op.role.label(),
            })
        }
    }

    /// Whether the window may show an action to the signed-in operator.
    pub fn may(&self, action: Action) -> bool {
        self.authorize(action).is_ok()
    }

    /// A new database has no operator: the first start asks for the admin account.
    pub fn needs_setup(&self) -> Result<bool, DeskError> {
        Ok(self.store.read().count_operators()? == 0)
    }

    /// Create the first admin account on a new database and sign it in.
    pub fn setup_admin(
        &mut self,
        draft: &OperatorDraft,
        password: &str,
    ) -> Result<Operator, DeskError> {
        let now = self.now();
        let valid = OperatorDraft {
            role: Role::Admin,
            ..draft.clone()
        }
        .validate()
        .map_err(DeskError::InvalidOperator)?;
        validate_password(password).map_err(DeskError::Password)?;
        let hash = hash_password(password)?;
        let id = self.store.write(|w| {
            if w.count_operators()? > 0 {
                return Err(DeskError::SetupDone);
            }
            let id = w.insert_operator(&valid, &hash, now)?;
            let op = w.operator(id)?.map(|(o, _)| o);
            append_audit(
                w,
                op.as_ref(),
                now,
                "初始化管理员",
                None,
                format!("新增管理员 {}（{}）", valid.name, valid.staff_no),
            )?;
            Ok(id)
        })?;
        let op = self.load_operator(id)?;
        self.session = Some(op.clone());
        Ok(op)
    }

    fn load_operator(&self, id: OperatorId) -> Result<Operator, DeskError> {
        self.store
            .read()
            .operator(id)?
            .map(|(o, _)| o)
            .ok_or_else(|| operator_not_found(id))
    }

    /// Sign in with 工号 and password. Five wrong passwords in a row lock the account for 15
    /// minutes; the message never tells whether the 工号 exists.
    pub fn sign_in(&mut self, staff_no: &str, password: &str) -> Result<Operator, DeskError> {
        let now = self.now();
        let staff_no = crate::domain::id_codes::normalize(staff_no);
        let found = self.store.read().operator_by_staff_no(&staff_no)?;
        let Some((op, hash)) = found else {
            let _ = password_matches(password, dummy_hash());
            return Err(DeskError::BadCredentials);
        };
        if is_locked(op.locked_until, now) {
            let _ = password_matches(password, dummy_hash());
            return Err(DeskError::AccountLocked {
                until: op
                    .locked_until
                    .map(|t| t.format("%H:%M").to_string())
                    .unwrap_or_default(),
            });
        }
        let ok = password_matches(password, &hash);
        if !ok || !op.active {
            if op.active {
                self.note_failed_sign_in(&op, now)?;
            }
            return Err(DeskError::BadCredentials);
        }
        self.store.write(|w| {
            w.set_sign_in_failures(op.id, 0, None)?;
            append_audit(w, Some(&op), now, "登录", None, String::new())
        })?;
        let op = self.load_operator(op.id)?;
        self.session = Some(op.clone());
        Ok(op)
    }

    fn note_failed_sign_in(
        &mut self,
        op: &Operator,
        now: chrono::NaiveDateTime,
    ) -> Result<(), DeskError> {
        // An expired lock starts a fresh count.
        let before = if op.locked_until.is_some() {
            0
        } else {
            op.failed_attempts
        };
        let (failures, locked_until) = after_failed_sign_in(before, now);
        self.store.write(|w| {
            w.set_sign_in_failures(op.id, failures, locked_until)?;
            let summary = match locked_until {
                Some(t) => format!(
                    "连续 {failures} 次密码错误，账号锁定至 {}",
                    t.format("%H:%M")
                ),
                None => format!("密码错误（第 {failures} 次）"),
            };
            let action = if locked_until.is_some() {
                "账号锁定"
            } else {
                "登录失败"
            };
            append_audit(w, Some(op), now, action, None, summary)
        })?;
        Ok(())
    }

    /// Sign out (the window returns to the sign-in screen).
    pub fn sign_out(&mut self) -> Result<(), DeskError> {
        let now = self.now();
        if let Some(op) = self.session.take() {
            self.store
                .write(|w| append_audit(w, Some(&op), now, "退出登录", None, String::new()))?;
        }
        Ok(())
    }

    /// Re-enter the password after the idle lock. Wrong passwords count toward the lockout; a
    /// locked account is signed out.
    pub fn unlock(&mut self, password: &str) -> Result<(), DeskError> {
        let op = self.session.clone().ok_or(DeskError::NotSignedIn)?;
        match self.sign_in(&op.staff_no, password) {
            Ok(_) => Ok(()),
            Err(e @ DeskError::AccountLocked { .. }) => {
                self.session = None;
                Err(e)
            }
            Err(e) => {
                // Keep the session (the form input stays) unless the account just got locked.
                if let Ok(Some((o, _))) = self.store.read().operator(op.id)
                    && is_locked(o.locked_until, self.now())
                {
                    self.session = None;
                }
                Err(e)
            }
        }
    }

    /// Every operator (admin).
    pub fn operators(&self) -> Result<Vec<Operator>, DeskError> {
        self.authorize(Action::ManageOperators)?;
        Ok(self.store.read().operators()?)
    }

    /// Create an operator account (admin).
    pub fn add_operator(
        &mut self,
        draft: &OperatorDraft,
        password: &str,
    ) -> Result<OperatorId, DeskError> {
        let act = self.begin(Action::ManageOperators)?;
        let valid = draft.validate().map_err(DeskError::InvalidOperator)?;
        validate_password(password).map_err(DeskError::Password)?;
        let hash = hash_password(password)?;
        self.commit(act, |w, a| {
            if let Some((existing, _)) = w.operator_by_staff_no(&valid.staff_no)? {
                return Err(DeskError::DuplicateOperator {
                    staff_no: valid.staff_no.clone(),
                    name: existing.name,
                });
            }
            let id = w.insert_operator(&valid, &hash, a.now)?;
            let detail = format!(
                "新增操作员 {}（{}，{}）",
                valid.name,
                valid.staff_no,
                valid.role.label()
            );
            Ok((id, AuditLine::new(None, detail)))
        })
    }

    /// Change an operator's name, role, hall or window (admin).
    pub fn update_operator(
        &mut self,
        id: OperatorId,
        draft: &OperatorDraft,
    ) -> Result<(), DeskError> {
        let act = self.begin(Action::ManageOperators)?;
        let valid = draft.validate().map_err(DeskError::InvalidOperator)?;
        if id == act.me.id && valid.role != act.me.role {
            return Err(DeskError::SelfChange(
                "不能修改自己的角色，请由另一位管理员操作",
            ));
        }
        self.commit(act, |w, _| {
            let (before, _) = w.operator(id)?.ok_or_else(|| operator_not_found(id))?;
            w.update_operator(id, &valid)?;
            let detail = format!(
                "修改操作员 {}：{} {} {} → {} {} {}",
                before.staff_no,
                before.name,
                before.role.label(),
                before.window,
                valid.name,
                valid.role.label(),
                valid.window
            );
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// Enable or disable an account (admin; not one's own).
    pub fn set_operator_active(&mut self, id: OperatorId, active: bool) -> Result<(), DeskError> {
        let act = self.begin(Action::ManageOperators)?;
        if id == act.me.id {
            return Err(DeskError::SelfChange("不能停用自己的账号"));
        }
        self.commit(act, |w, _| {
            let (o, _) = w.operator(id)?.ok_or_else(|| operator_not_found(id))?;
            w.set_operator_active(id, active)?;
            let verb = if active { "启用" } else { "停用" };
            let detail = format!("{verb}操作员 {}（{}）", o.name, o.staff_no);
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// Set a new password for an operator (admin); also lifts a lockout.
    pub fn reset_password(&mut self, id: OperatorId, password: &str) -> Result<(), DeskError> {
        let act = self.begin(Action::ManageOperators)?;
        validate_password(password).map_err(DeskError::Password)?;
        let hash = hash_password(password)?;
        self.commit(act, |w, _| {
            let (o, _) = w.operator(id)?.ok_or_else(|| operator_not_found(id))?;
            w.set_password_hash(id, &hash)?;
            let detail = format!("重置操作员 {}（{}）的密码", o.name, o.staff_no);
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// Change one's own password.
    pub fn change_own_password(&mut self, old: &str, new: &str) -> Result<(), DeskError> {
        let me = self.session.clone().ok_or(DeskError::NotSignedIn)?;
        let (_, hash) = self
            .store
            .read()
            .operator(me.id)?
            .ok_or(DeskError::NotSignedIn)?;
        if !password_matches(old, &hash) {
            return Err(DeskError::Password("原密码不正确".into()));
        }
        validate_password(new).map_err(DeskError::Password)?;
        let new_hash = hash_password(new)?;
        let now = self.now();
        self.store.write(|w| {
            w.set_password_hash(me.id, &new_hash)?;
            append_audit(w, Some(&me), now, "修改密码", None, String::new())
                .map_err(DeskError::from)
        })
    }

    /// Minutes without input before the window locks.
    pub fn idle_lock_minutes(&self) -> Result<u32, DeskError> {
        Ok(self
            .store
            .read()
            .setting(IDLE_LOCK_KEY)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(IDLE_LOCK_DEFAULT))
    }

    /// Change the idle lock (admin), 1 to 120 minutes.
    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<(), DeskError> {
        let act = self.begin(Action::ChangeSettings)?;
        if !(1..=120).contains(&minutes) {
            return Err(DeskError::Setting(
                "自动锁屏时间应在 1 到 120 分钟之间".into(),
            ));
        }
        let before = self.idle_lock_minutes()?;
        self.commit(act, |w, _| {
            w.set_setting(IDLE_LOCK_KEY, &minutes.to_string())?;
            let detail = format!("自动锁屏时间 {before} 分钟 → {minutes} 分钟");
            Ok(((), AuditLine::new(None, detail)))
        })
    }

    /// Audit rows for the supervisors' page, newest first.
    pub fn audit_log(
        &self,
        filter: &AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, DeskError> {
        self.authorize(Action::ViewAudit)?;
        Ok(self.store.read().audit_rows(filter, limit)?)
    }

    /// Walk the whole chain and report the first broken row, then check that its end reaches
    /// the head record beside the database. Needs no sign-in: it only reads, and an auditor
    /// runs it from the command line, on a read-only copy too.
    pub fn verify_audit(&self) -> Result<AuditVerdict, DeskError> {
        let mut v = ChainVerifier::with_key(self.store.audit_key().cloned());
        let mut broken = None;
        let mut reanchored = Vec::new();
        self.store.read().for_each_audit_row(|row| {
            if broken.is_none() {
                match v.push(&row) {
                    Err(b) => broken = Some(b),
                    Ok(()) if row.key_id.is_some() && row.content.action == REANCHOR_ACTION => {
                        reanchored.push(row.seq);
                    }
                    Ok(()) => {}
                }
            }
            Ok::<_, DeskError>(())
        })?;
        let mut head = None;
        if broken.is_none() {
            let keyed_schema = self.store.schema_version()? >= KEYED_AUDIT_VERSION;
            match self.store.audit_head() {
                HeadState::NotAnchored => {}
                // A database of an earlier version, never written by this one: nothing to
                // anchor yet.
                HeadState::Missing(_) if !keyed_schema => {}
                HeadState::Missing(p) => {
                    broken = Some(ChainBreak::HeadMissing {
                        path: p.display().to_string(),
                    })
                }
                HeadState::Unreadable(p) => {
                    broken = Some(ChainBreak::HeadForged {
                        path: p.display().to_string(),
                    })
                }
                HeadState::Present(p, h) => {
                    let (last, _) = v.last();
                    broken = match self.store.audit_key() {
                        None => Some(ChainBreak::NoKey { seq: last }),
                        Some(k) if !h.is_signed_by(k) => Some(ChainBreak::HeadForged {
                            path: p.display().to_string(),
                        }),
                        Some(_) => v.check_head(&h).err(),
                    };
                    head = Some(h);
                }
            }
        }
        Ok(AuditVerdict {
            rows_checked: v.count(),
            broken,
            legacy_rows: v.legacy_count(),
            keyed_since: v.keyed_since(),
            head,
            reanchored,
        })
    }

    /// Operators' names by 工号, for lists that show who did something (any signed-in operator:
    /// names are not secret at the counter).
    pub fn staff_names(&self) -> Result<std::collections::HashMap<String, String>, DeskError> {
        self.operator().ok_or(DeskError::NotSignedIn)?;
        Ok(self
            .store
            .read()
            .operators()?
            .into_iter()
            .map(|o| (o.staff_no, o.name))
            .collect())
    }

    /// The subject an audit search names by its code, 用户编号 or name (issue 15, point 6): one
    /// subject, or a message saying there is none or which several it could be.
    pub fn audit_subject(&self, query: &str) -> Result<SubjectId, DeskError> {
        let l = self.lookup(query, 20)?;
        match l.hits.as_slice() {
            [one] => Ok(one.id),
            [] => Err(DeskError::NotFound(format!("主体“{}”", query.trim()))),
            many => {
                let names: Vec<&str> = many.iter().take(3).map(|h| h.name.as_str()).collect();
                Err(DeskError::Setting(format!(
                    "“{}”对应 {} 个主体（{}{}）：请输入完整的名称或统一社会信用代码",
                    query.trim(),
                    many.len(),
                    names.join("、"),
                    if many.len() > 3 { "…" } else { "" }
                )))
            }
        }
    }

    /// Write the audit rows a filter selects to a CSV (supervisor; audited), with subjects by
    /// name. Returns how many rows were written.
    pub fn export_audit(
        &mut self,
        filter: &AuditFilter,
        limit: usize,
        path: &Path,
    ) -> Result<usize, DeskError> {
        let rows = self.audit_log(filter, limit)?;
        let r = self.store.read();
        let mut names = std::collections::HashMap::new();
        for id in rows.iter().filter_map(|e| e.content.subject_id) {
            if let std::collections::hash_map::Entry::Vacant(v) = names.entry(id)
                && let Some(s) = r.subject(SubjectId(id))?
            {
                v.insert(s.name);
            }
        }
        let tmp = path.with_extension("csv.part");
        crate::documents::audit_csv::write_audit_csv(&tmp, &rows, &|id| {
            names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("主体 {id}"))
        })
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| crate::documents::io_reason(&e)))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            DeskError::FileWrite(format!("无法写入“{}”：{e}", path.display()))
        })?;
        let n = rows.len();
        self.act(Action::ViewAudit, |_, _| {
            Ok((
                (),
                AuditLine::new(None, format!("导出操作日志 {n} 条：{}", path.display())),
            ))
        })?;
        Ok(n)
    }

    /// The head record of the audit chain (for the daily summary): `None` in memory or when the
    /// file is missing or unreadable.
    pub fn audit_head(&self) -> Option<HeadRecord> {
        match self.store.audit_head() {
            HeadState::Present(_, h) => Some(h),
            _ => None,
        }
    }
}
