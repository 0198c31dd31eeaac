//! Typed queries on repair applications and objections (rules X-1..X-3), what they name, and
//! the working-day calendar an admin imported.
//!
//! Each application or objection is stored whole as JSON beside the plain columns its lists and
//! 待办 tabs filter on; `credit_target` indexes what each names, so that "is this record under
//! an open repair or objection" is one probe.

use chrono::{NaiveDate, NaiveDateTime};

use super::sql::{OptionalExtension, Value, params, params_from_iter};
use super::{Reader, StoreError, Writer, ts_to_sql};
use crate::domain::calendar::{CalendarDay, DayKind};
use crate::domain::credit::{Objection, ObjectionId, RepairApplication, RepairId, TargetRef};
use crate::domain::subject::SubjectId;

/// Which applications or objections a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreditFilter {
    /// Only these status keys (empty: all).
    pub statuses: Vec<String>,
    pub subject: Option<SubjectId>,
    pub hall: Option<String>,
    /// Opened on or after.
    pub from: Option<NaiveDate>,
    /// Opened on or before.
    pub to: Option<NaiveDate>,
    /// At most this many, newest first (0: no limit).
    pub limit: i64,
}

fn decode<T: serde::de::DeserializeOwned>(
    what: &str,
    id: i64,
    json: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::BadData(format!("{what} {id}：{e}")))
}

fn encode<T: serde::Serialize>(what: &str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::BadData(format!("{what}无法保存：{e}")))
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn repair_from(id: i64, json: &str) -> Result<RepairApplication, StoreError> {
    let mut a: RepairApplication = decode("修复申请", id, json)?;
    a.id = RepairId(id);
    Ok(a)
}

fn objection_from(id: i64, json: &str) -> Result<Objection, StoreError> {
    let mut o: Objection = decode("异议申诉", id, json)?;
    o.id = ObjectionId(id);
    Ok(o)
}

/// The WHERE clause of a list and its parameters.
fn filter_sql(f: &CreditFilter) -> (String, Vec<Value>) {
    let mut clauses = vec!["1 = 1".to_string()];
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    if !f.statuses.is_empty() {
        let list: Vec<String> = f
            .statuses
            .iter()
            .map(|s| arg(Value::Text(s.clone())))
            .collect();
        clauses.push(format!("status IN ({})", list.join(", ")));
    }
    if let Some(s) = f.subject {
        let p = arg(Value::Int(s.0));
        clauses.push(format!("subject_id = {p}"));
    }
    if let Some(h) = &f.hall {
        let p = arg(Value::Text(h.clone()));
        clauses.push(format!("hall = {p}"));
    }
    if let Some(d) = f.from {
        let p = arg(Value::Text(d.to_string()));
        clauses.push(format!("opened_on >= {p}"));
    }
    if let Some(d) = f.to {
        let p = arg(Value::Text(d.to_string()));
        clauses.push(format!("opened_on <= {p}"));
    }
    let mut sql = clauses.join(" AND ");
    sql.push_str(" ORDER BY id DESC");
    if f.limit > 0 {
        let p = arg(Value::Int(f.limit));
        sql.push_str(&format!(" LIMIT {p}"));
    }
    (sql, args)
}

impl Reader<'_> {
    /// One repair application.
    pub fn repair(&self, id: RepairId) -> Result<Option<RepairApplication>, StoreError> {
        let row: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM repair_application WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?;
        row.map(|j| repair_from(id.0, &j)).transpose()
    }

    /// A list of repair applications, newest first.
    pub fn repairs(&self, f: &CreditFilter) -> Result<Vec<RepairApplication>, StoreError> {
        let (wh, args) = filter_sql(f);
        let rows = self
            .conn
            .prepare_cached(&format!(
                "SELECT id, record FROM repair_application WHERE {wh}"
            ))?
            .query_map(params_from_iter(args), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.iter().map(|(id, j)| repair_from(*id, j)).collect()
    }

    /// Repair applications with an id above `after`, in id order, at most `limit` (the platform
    /// batch walks their 信用修复承诺书 by slices).
    pub fn repairs_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<RepairApplication>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT id, record FROM repair_application WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?
            .query_map(params![after, limit], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.iter().map(|(id, j)| repair_from(*id, j)).collect()
    }

    /// The application whose 信用修复承诺书 has this 承诺编码.
    pub fn repair_by_code(&self, code: &str) -> Result<Option<RepairApplication>, StoreError> {
        let row: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT id, record FROM repair_application WHERE code = ?1")?
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(id, j)| repair_from(id, &j)).transpose()
    }

    /// One objection.
    pub fn objection(&self, id: ObjectionId) -> Result<Option<Objection>, StoreError> {
        let row: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM objection WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?;
        row.map(|j| objection_from(id.0, &j)).transpose()
    }

    /// A list of objections, newest first.
    pub fn objections(&self, f: &CreditFilter) -> Result<Vec<Objection>, StoreError> {
        let (wh, args) = filter_sql(f);
        let rows = self
            .conn
            .prepare_cached(&format!("SELECT id, record FROM objection WHERE {wh}"))?
            .query_map(params_from_iter(args), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.iter().map(|(id, j)| objection_from(*id, j)).collect()
    }

    /// The applications and objections that name a record or commitment: `(owner kind, id)`
    /// with `repair` or `objection`.
    pub fn credit_owners(&self, target: &TargetRef) -> Result<Vec<(String, i64)>, StoreError> {
        let (kind, id) = target.parts();
        Ok(self
            .conn
            .prepare_cached(
                "SELECT owner_kind, owner_id FROM credit_target
                 WHERE ref_kind = ?1 AND ref_id = ?2 ORDER BY owner_id",
            )?
            .query_map(params![kind, id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<super::sql::Result<Vec<_>>>()?)
    }

    /// The subjects with a repair decided 已修复 or an objection that is open or corrected:
    /// those whose checks need credit marks (everyone else has none).
    pub fn subjects_with_credit_marks(&self) -> Result<Vec<SubjectId>, StoreError> {
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(
                "SELECT subject_id FROM repair_application WHERE status = 'repaired'
                 UNION
                 SELECT subject_id FROM objection
                 WHERE status IN ('submitted', 'accepted', 'verifying', 'corrected')",
            )?
            .query_map(params![], |r| r.get::<_, i64>(0))?
            .collect::<super::sql::Result<Vec<_>>>()?;
        Ok(ids.into_iter().map(SubjectId).collect())
    }

    /// The days an admin imported into the calendar, in date order.
    pub fn calendar_days(&self) -> Result<Vec<CalendarDay>, StoreError> {
        let rows: Vec<(String, String, String)> = self
            .conn
            .prepare_cached("SELECT day, kind, name FROM work_calendar ORDER BY day")?
            .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(d, k, name)| {
                let date = NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| StoreError::BadData(format!("工作日历日期 {d}")))?;
                let kind = match k.as_str() {
                    "holiday" => DayKind::Holiday,
                    "workday" => DayKind::Workday,
                    _ => return Err(StoreError::BadData(format!("工作日历 {d} 的类型 {k}"))),
                };
                Ok(CalendarDay { date, kind, name })
            })
            .collect()
    }
}

fn kind_key(k: DayKind) -> &'static str {
    match k {
        DayKind::Holiday => "holiday",
        DayKind::Workday => "workday",
    }
}

impl Writer<'_> {
    fn insert_targets(
        &self,
        owner: &str,
        id: i64,
        targets: &[&TargetRef],
    ) -> Result<(), StoreError> {
        for t in targets {
            let (kind, ref_id) = t.parts();
            self.conn
                .prepare_cached(
                    "INSERT INTO credit_target (owner_kind, owner_id, ref_kind, ref_id)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                )?
                .execute(params![owner, id, kind, ref_id])?;
        }
        Ok(())
    }

    /// Store a new repair application (its `id` is ignored) with the serial of its 承诺编码.
    pub fn insert_repair(
        &self,
        a: &RepairApplication,
        serial: u32,
        now: NaiveDateTime,
    ) -> Result<RepairId, StoreError> {
        let json = encode("修复申请", a)?;
        let now = ts_to_sql(now);
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO repair_application (subject_id, status, opened_on, opened_by, hall,
                     deadline, repaired_on, code, code_date, serial, record, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12) RETURNING id",
            )?
            .query_row(
                params![
                    a.subject_id.0,
                    a.status.key(),
                    a.opened_on.to_string(),
                    a.opened_by,
                    a.hall,
                    day(a.deadline),
                    day(a.repaired_on),
                    a.commitment.code,
                    a.commitment.made_on.to_string(),
                    i64::from(serial),
                    json,
                    now,
                ],
                |r| r.get(0),
            )?;
        let targets: Vec<&TargetRef> = a.targets.iter().map(|t| &t.target).collect();
        self.insert_targets("repair", id, &targets)?;
        Ok(RepairId(id))
    }

    /// Replace a repair application after a step; optimistic like [`Writer::update_case`]: a
    /// step another window saved in between fails this one with [`StoreError::Conflict`].
    pub fn update_repair(
        &self,
        base: &RepairApplication,
        a: &RepairApplication,
        now: NaiveDateTime,
    ) -> Result<(), StoreError> {
        match self.repair(a.id)? {
            None => return Err(StoreError::BadData(format!("修复申请 {} 不存在", a.id))),
            Some(current) if current != *base => {
                return Err(StoreError::Conflict(format!(
                    "修复申请 {} 刚被其他窗口办理，本次操作未保存：请刷新后按最新状态重新办理",
                    a.id
                )));
            }
            Some(_) => {}
        }
        let json = encode("修复申请", a)?;
        self.conn
            .prepare_cached(
                "UPDATE repair_application SET status = ?2, deadline = ?3, repaired_on = ?4,
                     record = ?5, updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                a.id.0,
                a.status.key(),
                day(a.deadline),
                day(a.repaired_on),
                json,
                ts_to_sql(now),
            ])?;
        Ok(())
    }

    /// Store a new objection (its `id` is ignored).
    pub fn insert_objection(
        &self,
        o: &Objection,
        now: NaiveDateTime,
    ) -> Result<ObjectionId, StoreError> {
        let json = encode("异议申诉", o)?;
        let now = ts_to_sql(now);
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO objection (subject_id, status, opened_on, opened_by, hall, deadline,
                     decided_on, record, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) RETURNING id",
            )?
            .query_row(
                params![
                    o.subject_id.0,
                    o.status.key(),
                    o.opened_on.to_string(),
                    o.opened_by,
                    o.hall,
                    day(o.deadline),
                    day(o.decided_on),
                    json,
                    now,
                ],
                |r| r.get(0),
            )?;
        self.insert_targets("objection", id, &[&o.target.target])?;
        Ok(ObjectionId(id))
    }

    /// Replace an objection after a step (optimistic, as [`Writer::update_repair`]).
    pub fn update_objection(
        &self,
        base: &Objection,
        o: &Objection,
        now: NaiveDateTime,
    ) -> Result<(), StoreError> {
        match self.objection(o.id)? {
            None => return Err(StoreError::BadData(format!("异议申诉 {} 不存在", o.id))),
            Some(current) if current != *base => {
                return Err(StoreError::Conflict(format!(
                    "异议申诉 {} 刚被其他窗口办理，本次操作未保存：请刷新后按最新状态重新办理",
                    o.id
                )));
            }
            Some(_) => {}
        }
        let json = encode("异议申诉", o)?;
        self.conn
            .prepare_cached(
                "UPDATE objection SET status = ?2, deadline = ?3, decided_on = ?4, record = ?5,
                     updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                o.id.0,
                o.status.key(),
                day(o.deadline),
                day(o.decided_on),
                json,
                ts_to_sql(now),
            ])?;
        Ok(())
    }

    /// Replace the imported calendar of `years` by `days` (days outside those years are
    /// ignored by the caller's check).
    pub fn replace_calendar_years(
        &self,
        years: &[i32],
        days: &[CalendarDay],
    ) -> Result<(), StoreError> {
        for y in years {
            self.conn
                .prepare_cached("DELETE FROM work_calendar WHERE day >= ?1 AND day <= ?2")?
                .execute(params![format!("{y:04}-01-01"), format!("{y:04}-12-31")])?;
        }
        for d in days {
            self.conn
                .prepare_cached("INSERT INTO work_calendar (day, kind, name) VALUES (?1, ?2, ?3)")?
                .execute(params![d.date.to_string(), kind_key(d.kind), d.name])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::credit::{ObjectionStatus, RepairStatus};

    #[test]
    fn status_keys_match_the_sql_of_this_module() {
        // The SQL above names these keys literally.
        for k in ["submitted", "accepted", "reviewing", "repaired"] {
            assert!(RepairStatus::parse(k).is_some(), "{k}");
        }
        for k in ["submitted", "accepted", "verifying", "corrected"] {
            assert!(ObjectionStatus::parse(k).is_some(), "{k}");
        }
        let open: Vec<&str> = RepairStatus::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.key())
            .collect();
        assert_eq!(open, ["submitted", "accepted", "reviewing"]);
    }

    #[test]
    fn a_filter_names_its_parameters_in_order() {
        let (sql, args) = filter_sql(&CreditFilter {
            statuses: vec!["submitted".into(), "accepted".into()],
            subject: Some(SubjectId(4)),
            limit: 10,
            ..CreditFilter::default()
        });
        assert!(sql.contains("status IN (?1, ?2)"), "{sql}");
        assert!(sql.contains("subject_id = ?3"), "{sql}");
        assert!(sql.ends_with("LIMIT ?4"), "{sql}");
        assert_eq!(args.len(), 4);
    }
}
