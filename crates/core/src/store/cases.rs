//! Typed queries on 信易电 cases (rules C-2, D-4, D-5) and the 待办 queue.
//!
//! The queue reads only plain columns (no JSON) through the `(status, deadline)` index, so that
//! it stays fast with 100,000 open cases.

use std::ops::ControlFlow;

use super::sql::{OptionalExtension, Value, params, params_from_iter};
use chrono::{NaiveDate, NaiveDateTime};

use super::{Reader, StoreError, Writer, date_from_sql, ts_to_sql};
use crate::domain::case::{
    Case, CaseId, CaseStats, CaseStatus, QueueCounts, QueueQuery, QueueRow, QueueSort, QueueTab,
};
use crate::domain::commitment::CommitmentId;
use crate::domain::subject::SubjectId;
use crate::domain::trust::Business;

fn decode(id: i64, json: &str) -> Result<Case, StoreError> {
    let mut c: Case = serde_json::from_str(json)
        .map_err(|e| StoreError::BadData(format!("信易电案件 {id}：{e}")))?;
    c.id = CaseId(id);
    Ok(c)
}

fn encode(c: &Case) -> Result<String, StoreError> {
    serde_json::to_string(c).map_err(|e| StoreError::BadData(format!("信易电案件无法保存：{e}")))
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// A stored `YYYY-MM-DD`, read without a format string (the queue reads three per row).
fn fast_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

fn parse_day(s: String) -> Result<NaiveDate, StoreError> {
    match fast_day(&s) {
        Some(d) => Ok(d),
        None => date_from_sql(Some(s))?.ok_or_else(|| StoreError::BadData("日期".into())),
    }
}

fn parse_opt_day(s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.map(parse_day).transpose()
}

/// The rows any tab may show, word for word the condition of the partial queue indexes of
/// migration 9 (SQLite uses a partial index only when the query names its condition).
const QUEUE_ROWS: &str = "c.status NOT IN ('fulfilled', 'withdrawn')";

/// The WHERE clause and parameters of a queue tab and its filters. `for_window`: the status
/// term is written `+c.status` so that SQLite cannot seek the (status, deadline) queue index
/// with it and then sort the whole tab, but walks the index of the sort order instead; a count
/// wants that seek.
fn queue_filter(q: &QueueQuery, for_window: bool) -> (String, Vec<Value>) {
    let st = if for_window { "+c.status" } else { "c.status" };
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    match q.tab {
        QueueTab::DueWithin(_) | QueueTab::AwaitingDecision => {
            clauses.push(format!("{st} = 'connected'"))
        }
        QueueTab::Overdue => clauses.push(format!("{st} IN ('connected', 'broken')")),
        QueueTab::AwaitingConnection => clauses.push(format!("{st} = 'accepted'")),
        QueueTab::AllOpen => clauses.push(format!("{st} IN ('accepted', 'connected')")),
    }
    if let Some((from, to)) = q.deadline_range() {
        if let Some(from) = from {
            let p = arg(Value::Text(from.to_string()));
            clauses.push(format!("c.deadline >= {p}"));
        }
        if let Some(to) = to {
            let p = arg(Value::Text(to.to_string()));
            clauses.push(format!("c.deadline <= {p}"));
        }
    }
    if let Some(h) = &q.hall {
        let p = arg(Value::Text(h.clone()));
        clauses.push(format!("c.hall = {p}"));
    }
    if let Some(c) = &q.clerk {
        let p = arg(Value::Text(c.clone()));
        clauses.push(format!("c.opened_by = {p}"));
    }
    if let Some(park) = q.park_id {
        let p = arg(Value::Int(park));
        clauses.push(format!("c.park_id = {p}"));
    }
    if let Some(text) = q.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // A 用户编号 (of the case or any of the subject's accounts) or code exactly, or a name
        // fragment (LIKE with its wildcards escaped).
        let exact = arg(Value::Text(crate::domain::id_codes::normalize(text)));
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let like = arg(Value::Text(format!("%{escaped}%")));
        clauses.push(format!(
            "(c.account_no = {exact} \
             OR c.subject_id IN (SELECT subject_id FROM account WHERE account_no = {exact}) \
             OR c.subject_id IN (SELECT id FROM subject \
             WHERE code = {exact} OR name LIKE {like} ESCAPE '\\'))"
        ));
    }
    (clauses.join(" AND "), args)
}

impl Reader<'_> {
    /// One case.
    pub fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        let row: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM xyd_case WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?;
        row.map(|j| decode(id.0, &j)).transpose()
    }

    /// A subject's cases, newest first.
    pub fn cases_of(&self, subject: SubjectId) -> Result<Vec<Case>, StoreError> {
        let rows = self.id_json_rows(
            "SELECT id, record FROM xyd_case WHERE subject_id = ?1 ORDER BY id DESC",
            subject.0,
        )?;
        rows.iter().map(|(id, j)| decode(*id, j)).collect()
    }

    /// The cases resting on a commitment, newest first.
    pub fn cases_of_commitment(&self, c: CommitmentId) -> Result<Vec<Case>, StoreError> {
        let rows = self.id_json_rows(
            "SELECT id, record FROM xyd_case WHERE commitment_id = ?1 ORDER BY id DESC",
            c.0,
        )?;
        rows.iter().map(|(id, j)| decode(*id, j)).collect()
    }

    /// The queue: a tab's cases with their filters, sorted, as plain rows (all of them: the
    /// CLI list). The window pages with [`Reader::case_queue_window`].
    pub fn case_queue(&self, q: &QueueQuery) -> Result<Vec<QueueRow>, StoreError> {
        self.case_queue_window(q, 0, None)
    }

    /// How many cases a tab holds with its filters: a count over the covering queue index
    /// (every filter column is in it), no row is read.
    pub fn case_queue_count(&self, q: &QueueQuery) -> Result<u64, StoreError> {
        let (filter, args) = queue_filter(q, false);
        let sql = format!("SELECT count(*) FROM xyd_case c WHERE {filter}");
        let n: i64 = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Rows `offset ..` (at most `limit`, all when `None`) of a tab in its sort order. The sort,
    /// the offset and the limit are applied in SQL on the case columns of the covering queue
    /// index; only the rows of the page are joined with their subject and park and turned into
    /// Rust values, so a page costs about the same whether the tab holds 100 or 100,000 cases.
    pub fn case_queue_window(
        &self,
        q: &QueueQuery,
        offset: u64,
        limit: Option<u64>,
    ) -> Result<Vec<QueueRow>, StoreError> {
        let mut out = Vec::new();
        self.case_queue_each(q, offset, limit, &mut |r| {
            out.push(r);
            ControlFlow::Continue(())
        })?;
        Ok(out)
    }

    /// Like [`Reader::case_queue_window`], handing each row to `each` as it is read (one
    /// statement, so one consistent snapshot); `each` may stop early. Returns whether every row
    /// was handed over.
    pub fn case_queue_each(
        &self,
        q: &QueueQuery,
        offset: u64,
        limit: Option<u64>,
        each: &mut dyn FnMut(QueueRow) -> ControlFlow<()>,
    ) -> Result<bool, StoreError> {
        let (filter, mut args) = queue_filter(q, self.conn.engine() == super::Engine::Sqlite);
        let dir = if q.descending { "DESC" } else { "ASC" };
        // Each order is the whole key of one queue index of migration 9 and then the rowid:
        // the sort column, the deadline, then fixed tie-breaks. So the index yields the rows in
        // order (descending is the exact reverse) and no part of the order is left to sort.
        const TIES: [&str; 4] = ["c.status", "c.hall", "c.opened_by", "c.park_id"];
        let keys: Vec<&str> = match q.sort {
            QueueSort::Deadline => [&["c.deadline", "c.applied_on"][..], &TIES, &["c.id"]].concat(),
            QueueSort::Applied => [&["c.applied_on", "c.deadline"][..], &TIES, &["c.id"]].concat(),
            QueueSort::Hall => vec![
                "c.hall",
                "c.deadline",
                "c.applied_on",
                "c.status",
                "c.opened_by",
                "c.park_id",
                "c.id",
            ],
            QueueSort::Clerk => vec![
                "c.opened_by",
                "c.deadline",
                "c.applied_on",
                "c.status",
                "c.hall",
                "c.park_id",
                "c.id",
            ],
            // Subjects by name (index subject_name: name, id), each one's cases by its index.
            QueueSort::Subject => [
                &["s.name", "s.id", "c.deadline", "c.applied_on"][..],
                &TIES,
                &["c.id"],
            ]
            .concat(),
        };
        let order = keys
            .iter()
            .map(|k| format!("{k} {dir}"))
            .collect::<Vec<_>>()
            .join(", ");
        // Only the subject sort needs the subject inside the page query: CROSS JOIN makes
        // SQLite walk the subjects by name (index subject_name) and INDEXED BY each one's cases
        // in order (xyd_case_by_subject), rather than sort all cases or, with a hall filter,
        // scan the hall's cases once per subject.
        let lite = self.conn.engine() == super::Engine::Sqlite;
        let from = if q.sort == QueueSort::Subject && lite {
            "subject s CROSS JOIN xyd_case c INDEXED BY xyd_case_by_subject ON s.id = c.subject_id"
        } else if q.sort == QueueSort::Subject {
            "subject s JOIN xyd_case c ON s.id = c.subject_id"
        } else {
            "xyd_case c"
        };
        // LIMIT -1: no limit. Offsets beyond i64 are clamped (they select nothing either way).
        // PostgreSQL has no LIMIT -1; its largest value does the same.
        let limit = limit.map_or(if lite { -1 } else { i64::MAX }, |n| {
            i64::try_from(n).unwrap_or(i64::MAX)
        });
        args.push(Value::Int(limit));
        let lim = args.len();
        args.push(Value::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
        let off = args.len();
        // The inner query cuts the window out of an index (ids only, no row read; the status
        // term, true of every tab, lets SQLite use the partial indexes); the outer one reads
        // and joins the window's rows only and repeats the order, which the join need not keep.
        let sql = format!(
            "SELECT c.id, c.subject_id, s.name AS subject_name, s.phone, c.account_no,
                    c.usage_address, c.business, c.commitment_code, c.status, c.applied_on,
                    c.connected_on, c.deadline, c.opened_by, c.hall,
                    coalesce(p.name, '') AS park_name
             FROM (SELECT c.id FROM {from}
                   WHERE {filter} AND {QUEUE_ROWS}
                   ORDER BY {order}
                   LIMIT ?{lim} OFFSET ?{off}) k
             JOIN xyd_case c ON c.id = k.id
             JOIN subject s ON s.id = c.subject_id
             LEFT JOIN park p ON p.id = c.park_id
             ORDER BY {order}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let business: String = r.get("business")?;
            let status: String = r.get("status")?;
            let row = QueueRow {
                case_id: CaseId(r.get("id")?),
                subject_id: SubjectId(r.get("subject_id")?),
                subject_name: r.get("subject_name")?,
                phone: r.get("phone")?,
                account_no: r.get("account_no")?,
                usage_address: r.get("usage_address")?,
                business: Business::parse(&business)
                    .ok_or_else(|| StoreError::BadData(format!("业务类型“{business}”")))?,
                commitment_code: r.get("commitment_code")?,
                status: CaseStatus::from_key(&status)
                    .ok_or_else(|| StoreError::BadData(format!("案件状态“{status}”")))?,
                applied_on: parse_day(r.get("applied_on")?)?,
                connected_on: parse_opt_day(r.get("connected_on")?)?,
                deadline: parse_opt_day(r.get("deadline")?)?,
                opened_by: r.get("opened_by")?,
                hall: r.get("hall")?,
                park: r.get("park_name")?,
            };
            if each(row).is_break() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// How many cases each tab holds as of `today`: range counts on the queue index only.
    pub fn case_counts(&self, today: NaiveDate) -> Result<QueueCounts, StoreError> {
        let t = today.to_string();
        let plus = |n: u64| {
            today
                .checked_add_days(chrono::Days::new(n))
                .unwrap_or(NaiveDate::MAX)
                .to_string()
        };
        let count = |sql: &str, args: &[&dyn super::sql::ToValue]| -> Result<u64, StoreError> {
            let n: i64 = self
                .conn
                .prepare_cached(sql)?
                .query_row(args, |r| r.get(0))?;
            Ok(n.max(0) as u64)
        };
        const DUE: &str = "SELECT count(*) FROM xyd_case
             WHERE status = 'connected' AND deadline >= ?1 AND deadline <= ?2";
        let awaiting_decision = count(
            "SELECT count(*) FROM xyd_case WHERE status = 'connected' AND deadline < ?1",
            &[&t],
        )?;
        let broken_overdue = count(
            "SELECT count(*) FROM xyd_case WHERE status = 'broken' AND deadline < ?1",
            &[&t],
        )?;
        let awaiting_connection = count(
            "SELECT count(*) FROM xyd_case WHERE status = 'accepted'",
            &[],
        )?;
        let connected = count(
            "SELECT count(*) FROM xyd_case WHERE status = 'connected'",
            &[],
        )?;
        Ok(QueueCounts {
            due_30: count(DUE, &[&t, &plus(30)])?,
            due_60: count(DUE, &[&t, &plus(60)])?,
            due_90: count(DUE, &[&t, &plus(90)])?,
            overdue: awaiting_decision + broken_overdue,
            awaiting_decision,
            awaiting_connection,
            open: awaiting_connection + connected,
        })
    }

    /// Halls and clerks (工号) that opened open cases, for the queue filters.
    pub fn case_halls_and_clerks(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let halls = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT hall FROM xyd_case WHERE status IN ('accepted', 'connected')
                 AND hall <> '' ORDER BY hall",
            )?
            .query_map(params![], |r| r.get::<_, String>(0))?
            .collect::<super::sql::Result<Vec<_>>>()?;
        let clerks = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT opened_by FROM xyd_case WHERE status IN ('accepted', 'connected')
                 ORDER BY opened_by",
            )?
            .query_map(params![], |r| r.get::<_, String>(0))?
            .collect::<super::sql::Result<Vec<_>>>()?;
        Ok((halls, clerks))
    }

    /// Cases per application month and status, and the totals (the dashboard).
    pub fn case_stats(&self) -> Result<CaseStats, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT substr(applied_on, 1, 7), status, count(*) FROM xyd_case
                 GROUP BY 1, 2 ORDER BY 1, 2",
            )?
            .query_map(params![], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        let mut stats = CaseStats::default();
        for (month, status, n) in rows {
            let status = CaseStatus::from_key(&status)
                .ok_or_else(|| StoreError::BadData(format!("案件状态“{status}”")))?;
            let n = n.max(0) as u64;
            match status {
                CaseStatus::Fulfilled => stats.fulfilled += n,
                CaseStatus::Broken => stats.broken += n,
                CaseStatus::Withdrawn => stats.withdrawn += n,
                CaseStatus::Accepted | CaseStatus::Connected => stats.open += n,
            }
            stats.by_month.push((month, status, n));
        }
        Ok(stats)
    }
}

impl Writer<'_> {
    /// Store a new case (its `id` is ignored) and return its key.
    pub fn insert_case(&self, c: &Case, now: NaiveDateTime) -> Result<CaseId, StoreError> {
        let json = encode(c)?;
        let now = ts_to_sql(now);
        let new_id: i64 = self.conn.prepare_cached(
"INSERT INTO xyd_case (subject_id, commitment_id, commitment_code, business,
                     account_no, usage_address, park_id, status, applied_on, connected_on, deadline,
                     opened_by, hall, record, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) RETURNING id",
            )?.query_row(params![
                c.subject_id.0,
                c.commitment_id.0,
                c.commitment_code,
                c.business.label(),
                c.account_no,
                c.usage_address,
                c.park_id,
                c.status.key(),
                c.applied_on.to_string(),
                day(c.connected_on),
                day(c.deadline),
                c.opened_by,
                c.hall,
                json,
                now,
            ], |r| r.get(0))?;
        Ok(CaseId(new_id))
    }

    /// Replace a case after a transition.
    ///
    /// Optimistic: `base` is the case as the step read it, and the row is changed only if it is
    /// still that case. A step another window saved in between is never overwritten: this one
    /// fails with [`StoreError::Conflict`] and nothing is saved (issue 17, no lost update).
    pub fn update_case(&self, base: &Case, c: &Case, now: NaiveDateTime) -> Result<(), StoreError> {
        // Writers are serialised on both engines (SQLite's BEGIN IMMEDIATE, the PostgreSQL
        // write lock), so the case read here is the one this transaction overwrites.
        match self.case(c.id)? {
            None => return Err(StoreError::BadData(format!("信易电案件 {} 不存在", c.id))),
            Some(current) if current != *base => {
                return Err(StoreError::Conflict(format!(
                    "信易电案件 {} 刚被其他窗口修改，本次操作未保存：请刷新后按最新状态重新办理",
                    c.id
                )));
            }
            Some(_) => {}
        }
        let json = encode(c)?;
        self.conn
            .prepare_cached(
                "UPDATE xyd_case SET status = ?2, connected_on = ?3, deadline = ?4, record = ?5,
                     updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                c.id.0,
                c.status.key(),
                day(c.connected_on),
                day(c.deadline),
                json,
                ts_to_sql(now),
            ])?;
        Ok(())
    }
}
