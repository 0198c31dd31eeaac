//! Typed queries on operators, settings and the audit trail.

use super::sql::{OptionalExtension, Row, params, params_from_iter};
use chrono::{NaiveDate, NaiveDateTime};

use super::{Reader, StoreError, Writer, date_from_sql, ts_from_sql, ts_to_sql};
use crate::domain::audit::{AuditContent, AuditEntry, GENESIS_HASH, keyed_mac};
use crate::domain::operator::{Operator, OperatorId, Role, ValidOperator};

const OPERATOR_COLUMNS: &str =
    "id, staff_no, name, role, hall, \"window\", active, failed_attempts, locked_until";

/// An operator row as stored, read by column name; converted outside the rusqlite closure so
/// that bad data becomes a [`StoreError`] instead of a panic.
struct OperatorRow {
    id: i64,
    staff_no: String,
    name: String,
    role: String,
    hall: String,
    window: String,
    active: bool,
    failed_attempts: i64,
    locked_until: Option<String>,
}

fn operator_row(r: &Row) -> super::sql::Result<OperatorRow> {
    Ok(OperatorRow {
        id: r.get("id")?,
        staff_no: r.get("staff_no")?,
        name: r.get("name")?,
        role: r.get("role")?,
        hall: r.get("hall")?,
        window: r.get("window")?,
        active: r.get("active")?,
        failed_attempts: r.get("failed_attempts")?,
        locked_until: r.get("locked_until")?,
    })
}

fn operator_from(row: OperatorRow) -> Result<Operator, StoreError> {
    let role = &row.role;
    Ok(Operator {
        id: OperatorId(row.id),
        role: Role::from_key(role).ok_or_else(|| StoreError::BadData(format!("角色“{role}”")))?,
        staff_no: row.staff_no,
        name: row.name,
        hall: row.hall,
        window: row.window,
        active: row.active,
        failed_attempts: u32::try_from(row.failed_attempts).unwrap_or(u32::MAX),
        locked_until: row.locked_until.map(|t| ts_from_sql(&t)).transpose()?,
    })
}

/// Which audit rows to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub staff_no: Option<String>,
    pub subject_id: Option<i64>,
    /// A fragment of the action name.
    pub action: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// An audit row as stored, read by column name (older files lack the last two columns, see
/// `audit_columns`).
struct RawAudit {
    seq: i64,
    at: String,
    staff_no: String,
    window: String,
    action: String,
    subject_id: Option<i64>,
    summary: String,
    prev_hash: String,
    hash: String,
    business_date: Option<String>,
    key_id: Option<String>,
}

fn audit_row(r: &Row) -> super::sql::Result<RawAudit> {
    Ok(RawAudit {
        seq: r.get("seq")?,
        at: r.get("at")?,
        staff_no: r.get("staff_no")?,
        window: r.get("window")?,
        action: r.get("action")?,
        subject_id: r.get("subject_id")?,
        summary: r.get("summary")?,
        prev_hash: r.get("prev_hash")?,
        hash: r.get("hash")?,
        business_date: r.get("business_date")?,
        key_id: r.get("key_id")?,
    })
}

fn audit_from(row: RawAudit) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: row.seq,
        content: AuditContent {
            at: ts_from_sql(&row.at)?,
            staff_no: row.staff_no,
            window: row.window,
            action: row.action,
            subject_id: row.subject_id,
            summary: row.summary,
            business_date: date_from_sql(row.business_date)?,
        },
        prev_hash: row.prev_hash,
        hash: row.hash,
        key_id: row.key_id,
    })
}

fn audit_columns(conn: super::sql::Conn<'_>) -> Result<&'static str, StoreError> {
    // A PostgreSQL store is always at the current schema (its migrations run at open).
    let version: i64 = match conn.lite() {
        Some(c) => c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        None => super::KEYED_AUDIT_VERSION,
    };
    Ok(if version >= super::KEYED_AUDIT_VERSION {
        "seq, at, staff_no, \"window\", action, subject_id, summary, prev_hash, hash, business_date,
         key_id"
    } else {
        "seq, at, staff_no, \"window\", action, subject_id, summary, prev_hash, hash,
         NULL AS business_date, NULL AS key_id"
    })
}

impl Reader<'_> {
    /// How many operators exist (0 means the first start: ask for the admin account).
    pub fn count_operators(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM operator")?
            .query_row(params![], |r| r.get(0))?)
    }

    /// The operator with 工号 `staff_no`, with the stored password hash.
    pub fn operator_by_staff_no(
        &self,
        staff_no: &str,
    ) -> Result<Option<(Operator, String)>, StoreError> {
        let sql =
            format!("SELECT {OPERATOR_COLUMNS}, password_hash FROM operator WHERE staff_no = ?1");
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row([staff_no], |r| {
                Ok((operator_row(r)?, r.get::<_, String>("password_hash")?))
            })
            .optional()?;
        row.map(|(o, h)| Ok((operator_from(o)?, h))).transpose()
    }

    /// The operator with key `id`, with the stored password hash.
    pub fn operator(&self, id: OperatorId) -> Result<Option<(Operator, String)>, StoreError> {
        let sql = format!("SELECT {OPERATOR_COLUMNS}, password_hash FROM operator WHERE id = ?1");
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id.0], |r| {
                Ok((operator_row(r)?, r.get::<_, String>("password_hash")?))
            })
            .optional()?;
        row.map(|(o, h)| Ok((operator_from(o)?, h))).transpose()
    }

    /// Every operator, by 工号.
    pub fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let sql = format!("SELECT {OPERATOR_COLUMNS} FROM operator ORDER BY staff_no");
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![], operator_row)?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter().map(operator_from).collect()
    }

    /// A setting's stored value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM setting WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Audit rows matching `filter`, newest first, at most `limit`.
    pub fn audit_rows(&self, f: &AuditFilter, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let columns = audit_columns(self.conn)?;
        let mut sql = format!("SELECT {columns} FROM audit WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = &f.staff_no {
            args.push(s.clone());
            sql.push_str(&format!(" AND staff_no = ?{}", args.len()));
        }
        if let Some(id) = f.subject_id {
            args.push(id.to_string());
            sql.push_str(&format!(
                " AND subject_id = CAST(?{} AS INTEGER)",
                args.len()
            ));
        }
        if let Some(a) = &f.action {
            args.push(format!("%{a}%"));
            sql.push_str(&format!(" AND action LIKE ?{}", args.len()));
        }
        if let Some(d) = f.from {
            args.push(format!("{d} 00:00:00"));
            sql.push_str(&format!(" AND at >= ?{}", args.len()));
        }
        if let Some(d) = f.to {
            args.push(format!("{d} 23:59:59"));
            sql.push_str(&format!(" AND at <= ?{}", args.len()));
        }
        sql.push_str(&format!(
            " ORDER BY seq DESC LIMIT {}",
            limit.min(1_000_000)
        ));
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(args.iter()), audit_row)?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter().map(audit_from).collect()
    }

    /// The last audit row's sequence number and hash (`(0, GENESIS_HASH)` with none).
    pub fn last_audit(&self) -> Result<(i64, String), StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
            .query_row(params![], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or_else(|| (0, GENESIS_HASH.to_string())))
    }

    /// How many audit rows there are.
    pub fn count_audit(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM audit")?
            .query_row(params![], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many audit rows are signed with a key.
    pub fn count_keyed_audit(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM audit WHERE key_id IS NOT NULL")?
            .query_row(params![], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Feed every audit row, oldest first, to `f` (streamed: the trail may be long).
    pub fn for_each_audit_row<E: From<StoreError>>(
        &self,
        mut f: impl FnMut(AuditEntry) -> Result<(), E>,
    ) -> Result<(), E> {
        let columns = audit_columns(self.conn)?;
        let sql = format!("SELECT {columns} FROM audit ORDER BY seq");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::from)?;
        let rows = stmt
            .query_map(params![], audit_row)
            .map_err(StoreError::from)?;
        for row in rows {
            f(audit_from(row.map_err(StoreError::from)?)?)?;
        }
        Ok(())
    }
}

impl Writer<'_> {
    pub fn insert_operator(
        &self,
        o: &ValidOperator,
        password_hash: &str,
        now: NaiveDateTime,
    ) -> Result<OperatorId, StoreError> {
        let new_id: i64 = self.conn.prepare_cached(
"INSERT INTO operator (staff_no, name, role, hall, \"window\", password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            )?.query_row(params![
                o.staff_no,
                o.name,
                o.role.key(),
                o.hall,
                o.window,
                password_hash,
                ts_to_sql(now)
            ], |r| r.get(0))?;
        Ok(OperatorId(new_id))
    }

    /// Change name, role, hall and window (the 工号 stays).
    pub fn update_operator(&self, id: OperatorId, o: &ValidOperator) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE operator SET name = ?2, role = ?3, hall = ?4, \"window\" = ?5 WHERE id = ?1",
            )?
            .execute(params![id.0, o.name, o.role.key(), o.hall, o.window])?;
        Ok(n == 1)
    }

    pub fn set_operator_active(&self, id: OperatorId, active: bool) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached("UPDATE operator SET active = ?2 WHERE id = ?1")?
            .execute(params![id.0, active])?;
        Ok(n == 1)
    }

    /// Store a new password hash and clear any lockout.
    pub fn set_password_hash(&self, id: OperatorId, hash: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE operator SET password_hash = ?2, failed_attempts = 0, locked_until = NULL
                 WHERE id = ?1",
            )?
            .execute(params![id.0, hash])?;
        Ok(n == 1)
    }

    /// Record the failure count and lock after a wrong password (or clear both after a right one).
    pub fn set_sign_in_failures(
        &self,
        id: OperatorId,
        failures: u32,
        locked_until: Option<NaiveDateTime>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE operator SET failed_attempts = ?2, locked_until = ?3 WHERE id = ?1",
            )?
            .execute(params![id.0, failures, locked_until.map(ts_to_sql)])?;
        Ok(())
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO setting (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        Ok(())
    }

    /// Append one audit row, chained to the last one and signed with the audit key, inside the
    /// action's own transaction. Its sequence number is never one given before: it follows the
    /// highest of the last row, the highest ever given (`sqlite_sequence`) and the head file's,
    /// so rows deleted from the end leave a gap that `audit verify` reports.
    pub fn append_audit(&self, c: &AuditContent) -> Result<i64, StoreError> {
        if self.reanchor.replace(false) {
            let why = self.audit.reanchor.clone().unwrap_or_default();
            let (last, _) = self.last_audit()?;
            self.insert_audit(&AuditContent {
                at: c.at,
                staff_no: String::new(),
                window: String::new(),
                action: super::REANCHOR_ACTION.to_string(),
                subject_id: None,
                summary: format!("{why}：日志此前到第 {last} 条，自本条起重新锚定"),
                business_date: None,
            })?;
        }
        self.insert_audit(c)
    }

    fn insert_audit(&self, c: &AuditContent) -> Result<i64, StoreError> {
        let key = self
            .audit
            .key
            .as_ref()
            .ok_or_else(|| StoreError::Anchor("本机没有审计密钥，无法写入操作日志".into()))?;
        let (last, prev) = self.last_audit()?;
        // The highest number ever given: SQLite's AUTOINCREMENT table; on PostgreSQL the
        // audit_seq sequence (read under the audit lock, so no other writer moves it).
        let given: i64 = match self.conn.engine() {
            super::Engine::Sqlite => self
                .conn
                .prepare_cached(
                    "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'audit'",
                )?
                .query_row(params![], |r| r.get(0))?,
            // Every write transaction on PostgreSQL holds the store's write lock (see
            // `Store::write`), so no other writer moves the sequence meanwhile.
            super::Engine::Postgres => self
                .conn
                .prepare_cached(
                    "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM audit_seq",
                )?
                .query_row(params![], |r| r.get(0))?,
        };
        let anchored = match self.audit.head.as_deref().map(super::anchor::read_head) {
            Some(super::HeadState::Present(_, h)) if h.is_signed_by(key) => h.seq,
            _ => 0,
        };
        let seq = last.max(given).max(anchored) + 1;
        let content = AuditContent {
            business_date: self
                .audit
                .business_date
                .or(c.business_date)
                .filter(|d| *d != c.at.date()),
            ..c.clone()
        };
        let hash = keyed_mac(key, seq, &prev, &content);
        self.conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, staff_no, \"window\", action, subject_id, summary,
                    prev_hash, hash, business_date, key_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                seq,
                ts_to_sql(content.at),
                content.staff_no,
                content.window,
                content.action,
                content.subject_id,
                content.summary,
                prev,
                hash,
                content.business_date.map(|d| d.to_string()),
                key.id()
            ])?;
        if self.conn.engine() == super::Engine::Postgres {
            self.conn
                .prepare_cached("SELECT setval('audit_seq', ?1)")?
                .query_row(params![seq], |_| Ok(()))?;
        }
        self.appended.replace(Some((seq, hash)));
        Ok(seq)
    }

    /// Record who accepted a USCC failing the national check, and why (rule ID-1).
    pub fn set_code_override(
        &self,
        subject: crate::domain::subject::SubjectId,
        reason: &str,
        by: OperatorId,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE subject SET code_override_reason = ?2, code_override_by = ?3 WHERE id = ?1",
            )?
            .execute(params![subject.0, reason, by.0])?;
        Ok(())
    }
}
