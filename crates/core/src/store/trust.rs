//! Typed queries for the trust check (pilot parks are in `parks.rs`): stored verdicts with
//! their inputs (rule T-7: "verdicts are stored with the check date, the operator and the inputs
//! they used"), and each subject's current 守信用电主体 status.

use std::collections::HashSet;

use super::sql::{OptionalExtension, params};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{Reader, StoreError, Writer, date_from_sql, ts_from_sql, ts_to_sql};
use crate::domain::records::Record;
use crate::domain::subject::SubjectId;
use crate::domain::trust::{Business, TrustedRow, Verdict, VerdictId};

/// A verdict as listed in a subject's check history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictRow {
    pub id: VerdictId,
    pub subject_id: SubjectId,
    pub checked_on: NaiveDate,
    pub checked_at: NaiveDateTime,
    pub operator: String,
    pub business: Option<Business>,
    pub account_no: Option<String>,
    pub trustworthy: bool,
    pub eligible: Option<bool>,
    pub complete: bool,
    pub headline: String,
}

/// A stored verdict exactly as it was decided, with the inputs it used (JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredVerdict {
    pub row: VerdictRow,
    pub verdict: Verdict,
    pub inputs: serde_json::Value,
}

/// A subject's 守信用电主体 status from its latest check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustStatus {
    pub subject_id: SubjectId,
    pub trustworthy: bool,
    pub as_of: NaiveDate,
    pub headline: String,
    pub verdict_id: Option<VerdictId>,
}

/// One subject's facts for the nightly re-evaluation.
#[derive(Debug, Clone)]
pub struct CheckRow {
    pub subject_id: SubjectId,
    pub name: String,
    pub code: String,
    pub founded_on: Option<NaiveDate>,
    pub supply_start: Option<NaiveDate>,
    /// Records that can be dishonesty records (payments left out: no rule counts them).
    pub records: Vec<Record>,
}

const VERDICT_ROW: &str = "id, subject_id, checked_on, checked_at, operator, business, account_no,
     trustworthy, eligible, complete, headline";

/// A verdict row as stored, read by column name; converted outside the rusqlite closure so that
/// bad data becomes a [`StoreError`] instead of a panic.
struct RawVerdictRow {
    id: i64,
    subject_id: i64,
    checked_on: String,
    checked_at: String,
    operator: String,
    business: Option<String>,
    account_no: Option<String>,
    trustworthy: bool,
    eligible: Option<bool>,
    complete: bool,
    headline: String,
}

fn raw_verdict_row(r: &super::sql::Row) -> super::sql::Result<RawVerdictRow> {
    Ok(RawVerdictRow {
        id: r.get("id")?,
        subject_id: r.get("subject_id")?,
        checked_on: r.get("checked_on")?,
        checked_at: r.get("checked_at")?,
        operator: r.get("operator")?,
        business: r.get("business")?,
        account_no: r.get("account_no")?,
        trustworthy: r.get("trustworthy")?,
        eligible: r.get("eligible")?,
        complete: r.get("complete")?,
        headline: r.get("headline")?,
    })
}

fn verdict_row(raw: RawVerdictRow) -> Result<VerdictRow, StoreError> {
    Ok(VerdictRow {
        id: VerdictId(raw.id),
        subject_id: SubjectId(raw.subject_id),
        checked_on: date_from_sql(Some(raw.checked_on))?
            .ok_or_else(|| StoreError::BadData("核查日期".into()))?,
        checked_at: ts_from_sql(&raw.checked_at)?,
        operator: raw.operator,
        business: raw.business.as_deref().and_then(Business::parse),
        account_no: raw.account_no,
        trustworthy: raw.trustworthy,
        eligible: raw.eligible,
        complete: raw.complete,
        headline: raw.headline,
    })
}

impl Reader<'_> {
    /// A subject's verdicts, newest first.
    pub fn verdicts_of(
        &self,
        subject: SubjectId,
        limit: usize,
    ) -> Result<Vec<VerdictRow>, StoreError> {
        let raws = self
            .conn
            .prepare_cached(&format!(
                "SELECT {VERDICT_ROW} FROM verdict WHERE subject_id = ?1 ORDER BY id DESC LIMIT ?2"
            ))?
            .query_map(params![subject.0, limit as i64], raw_verdict_row)?
            .collect::<super::sql::Result<Vec<_>>>()?;
        raws.into_iter().map(verdict_row).collect()
    }

    /// One stored verdict, exactly as decided.
    pub fn verdict(&self, id: VerdictId) -> Result<Option<StoredVerdict>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {VERDICT_ROW}, verdict, inputs FROM verdict WHERE id = ?1"
            ))?
            .query_row([id.0], |r| {
                Ok((
                    raw_verdict_row(r)?,
                    r.get::<_, String>("verdict")?,
                    r.get::<_, String>("inputs")?,
                ))
            })
            .optional()?;
        let Some((raw, verdict, inputs)) = row else {
            return Ok(None);
        };
        let bad = |e: serde_json::Error| StoreError::BadData(format!("核查结果 {}：{e}", id.0));
        Ok(Some(StoredVerdict {
            row: verdict_row(raw)?,
            verdict: serde_json::from_str(&verdict).map_err(bad)?,
            inputs: serde_json::from_str(&inputs).map_err(bad)?,
        }))
    }

    /// A number that grows with every committed user action, in this window or another
    /// counter's (each writes one audit row): pages that show derived facts re-read them when it
    /// moves. One index lookup.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT coalesce(max(seq), 0) FROM audit")?
            .query_row(params![], |r| r.get(0))?)
    }

    /// A subject's current status, if it was ever checked.
    pub fn trust_status(&self, subject: SubjectId) -> Result<Option<TrustStatus>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT trustworthy, as_of, headline, verdict_id FROM trust_status
                 WHERE subject_id = ?1",
            )?
            .query_row([subject.0], |r| {
                Ok((
                    r.get::<_, bool>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                ))
            })
            .optional()?;
        row.map(|(trustworthy, as_of, headline, vid)| {
            Ok(TrustStatus {
                subject_id: subject,
                trustworthy,
                as_of: date_from_sql(Some(as_of))?
                    .ok_or_else(|| StoreError::BadData("认定日期".into()))?,
                headline,
                verdict_id: vid.map(VerdictId),
            })
        })
        .transpose()
    }

    /// Which of `ids` are currently 守信用电主体 (for badges in search results).
    pub fn trusted_among(&self, ids: &[SubjectId]) -> Result<HashSet<SubjectId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM trust_status WHERE subject_id = ?1 AND trustworthy = 1",
        )?;
        let mut out = HashSet::new();
        for id in ids {
            if stmt.exists([id.0])? {
                out.insert(*id);
            }
        }
        Ok(out)
    }

    /// Every current 守信用电主体, by name.
    pub fn trusted_subjects(&self) -> Result<Vec<TrustedRow>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT s.id, s.name, s.kind, s.code_type, s.code, s.phone, s.address, t.as_of
                 FROM trust_status t JOIN subject s ON s.id = t.subject_id
                 WHERE t.trustworthy = 1 ORDER BY s.name, s.id",
            )?
            .query_map(params![], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, name, kind, code_type, code, phone, address, as_of)| {
                Ok(TrustedRow {
                    subject_id: SubjectId(id),
                    name,
                    kind,
                    code_type,
                    code,
                    phone,
                    address,
                    as_of: date_from_sql(Some(as_of))?
                        .ok_or_else(|| StoreError::BadData("认定日期".into()))?,
                })
            })
            .collect()
    }

    /// Subjects that have at least one credit report (the nightly check looks these up).
    pub fn subjects_with_reports(&self) -> Result<Vec<SubjectId>, StoreError> {
        let rows = self
            .conn
            .prepare_cached("SELECT DISTINCT subject_id FROM credit_report")?
            .query_map(params![], |r| r.get::<_, i64>(0))?
            .collect::<super::sql::Result<Vec<_>>>()?;
        Ok(rows.into_iter().map(SubjectId).collect())
    }

    /// Stream every subject with what the nightly check needs, in key order. Subjects are read
    /// in batches of [`CHECK_BATCH`] by key, each batch with its non-payment records in one
    /// range query, so memory stays at one batch whatever the engine (PostgreSQL cannot keep
    /// two cursors open on one connection). `f` returns `false` to stop early.
    pub fn for_each_check_row(
        &self,
        mut f: impl FnMut(CheckRow) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let mut after = i64::MIN;
        loop {
            let subjects = self
                .conn
                .prepare_cached(
                    "SELECT s.id, s.name, s.code, s.founded_on,
                            (SELECT min(a.supply_start) FROM account a WHERE a.subject_id = s.id)
                                AS supply_start
                     FROM subject s WHERE s.id > ?1 ORDER BY s.id LIMIT ?2",
                )?
                .query(params![after, CHECK_BATCH])?;
            let mut subjects = subjects;
            let mut batch = Vec::new();
            while let Some(r) = subjects.next()? {
                batch.push((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ));
            }
            let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
                return Ok(());
            };
            let (first, last) = (first.0, last.0);
            let mut records = self
                .conn
                .prepare_cached(
                    "SELECT subject_id, id, payload FROM power_record
                     WHERE kind NOT IN ('payment', 'person_payment')
                       AND subject_id BETWEEN ?1 AND ?2
                     ORDER BY subject_id, id",
                )?
                .query(params![first, last])?;
            let mut pending: Option<(i64, Record)> = next_record(&mut records)?;
            for (id, name, code, founded_on, supply_start) in batch {
                let mut recs = Vec::new();
                while let Some((sid, _)) = &pending {
                    if *sid > id {
                        break;
                    }
                    let next = next_record(&mut records)?;
                    if let Some((sid, record)) = std::mem::replace(&mut pending, next)
                        && sid == id
                    {
                        recs.push(record);
                    }
                }
                let row = CheckRow {
                    subject_id: SubjectId(id),
                    name,
                    code,
                    founded_on: date_from_sql(founded_on)?,
                    supply_start: date_from_sql(supply_start)?,
                    records: recs,
                };
                if !f(row)? {
                    return Ok(());
                }
                after = id;
            }
        }
    }
}

/// Subjects per batch of [`Reader::for_each_check_row`].
const CHECK_BATCH: i64 = 2000;

fn next_record(rows: &mut super::sql::Rows) -> Result<Option<(i64, Record)>, StoreError> {
    Ok(match rows.next()? {
        Some(r) => Some((
            r.get(0)?,
            super::records::decode_payload(
                r.get(1)?,
                r.value(2).unwrap_or(&super::sql::Value::Null),
            )?,
        )),
        None => None,
    })
}

/// What a verdict row stores besides the verdict itself.
pub struct NewVerdict<'a> {
    pub subject: SubjectId,
    pub checked_at: NaiveDateTime,
    pub operator: &'a str,
    pub verdict: &'a Verdict,
    pub inputs: &'a serde_json::Value,
}

impl Writer<'_> {
    /// Store a verdict with its inputs and make it the subject's current status.
    pub fn insert_verdict(&self, v: &NewVerdict<'_>) -> Result<VerdictId, StoreError> {
        let json = serde_json::to_string(v.verdict)
            .map_err(|e| StoreError::BadData(format!("核查结果无法保存：{e}")))?;
        let new_id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO verdict (subject_id, checked_on, checked_at, operator, business,
                     account_no, trustworthy, eligible, complete, headline, verdict, inputs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
            )?
            .query_row(
                params![
                    v.subject.0,
                    v.verdict.date.to_string(),
                    ts_to_sql(v.checked_at),
                    v.operator,
                    v.verdict.business.map(Business::label),
                    v.verdict.account_no,
                    v.verdict.trustworthy,
                    v.verdict.eligible,
                    v.verdict.complete,
                    v.verdict.headline,
                    json,
                    v.inputs.to_string(),
                ],
                |r| r.get(0),
            )?;
        let id = VerdictId(new_id);
        self.set_trust_status(
            v.subject,
            v.verdict.trustworthy,
            v.verdict.date,
            &v.verdict.headline,
            Some(id),
        )?;
        Ok(id)
    }

    /// Record a subject's current status (the nightly refresh calls this per subject).
    /// The stored standing (守信用电主体 or not) of a subject, if one is stored.
    pub fn trust_flag(&self, subject: SubjectId) -> Result<Option<bool>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT trustworthy FROM trust_status WHERE subject_id = ?1")?
            .query_row([subject.0], |r| r.get::<_, bool>(0))
            .optional()?)
    }

    pub fn set_trust_status(
        &self,
        subject: SubjectId,
        trustworthy: bool,
        as_of: NaiveDate,
        headline: &str,
        verdict: Option<VerdictId>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO trust_status (subject_id, trustworthy, as_of, headline, verdict_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (subject_id) DO UPDATE SET trustworthy = excluded.trustworthy,
                     as_of = excluded.as_of, headline = excluded.headline,
                     verdict_id = coalesce(excluded.verdict_id, trust_status.verdict_id)",
            )?
            .execute(params![
                subject.0,
                trustworthy,
                as_of.to_string(),
                headline,
                verdict.map(|v| v.0)
            ])?;
        Ok(())
    }
}
