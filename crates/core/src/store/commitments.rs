//! Typed queries on credit commitments (rules C-3, C-4).

use super::sql::{OptionalExtension, params};
use chrono::{NaiveDate, NaiveDateTime};

use super::{Reader, StoreError, Writer, ts_to_sql};
use crate::domain::commitment::{Commitment, CommitmentId};
use crate::domain::subject::SubjectId;
use crate::domain::trust::Business;

fn decode(id: i64, json: &str) -> Result<Commitment, StoreError> {
    let mut c: Commitment = serde_json::from_str(json)
        .map_err(|e| StoreError::BadData(format!("承诺记录 {id}：{e}")))?;
    c.id = CommitmentId(id);
    Ok(c)
}

impl Reader<'_> {
    /// One commitment.
    pub fn commitment(&self, id: CommitmentId) -> Result<Option<Commitment>, StoreError> {
        let row: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM commitment WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?;
        row.map(|j| decode(id.0, &j)).transpose()
    }

    /// The commitment with this 承诺编码.
    pub fn commitment_by_code(&self, code: &str) -> Result<Option<Commitment>, StoreError> {
        let row: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT id, record FROM commitment WHERE code = ?1")?
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(id, j)| decode(id, &j)).transpose()
    }

    /// A subject's commitments, newest first.
    pub fn commitments_of(&self, subject: SubjectId) -> Result<Vec<Commitment>, StoreError> {
        let rows = self.id_json_rows(
            "SELECT id, record FROM commitment WHERE subject_id = ?1 ORDER BY id DESC",
            subject.0,
        )?;
        rows.iter().map(|(id, j)| decode(*id, j)).collect()
    }

    /// The running (unsigned, undecided) commitment of a subject for a business, if any: a
    /// reprint reuses it instead of issuing a new code.
    pub fn open_commitment(
        &self,
        subject: SubjectId,
        business: Business,
    ) -> Result<Option<Commitment>, StoreError> {
        let row: Option<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, record FROM commitment
                 WHERE subject_id = ?1 AND business = ?2 AND signed = 0 AND fulfilment IS NULL
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row(params![subject.0, business.label()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(id, j)| decode(id, &j)).transpose()
    }

    /// The verdict a commitment was issued on, if any.
    pub fn commitment_verdict(&self, id: CommitmentId) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT verdict_id FROM commitment WHERE id = ?1")?
            .query_row([id.0], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten())
    }

    /// Subjects that have at least one commitment (the nightly check looks these up).
    pub fn subjects_with_commitments(&self) -> Result<Vec<SubjectId>, StoreError> {
        let rows = self
            .conn
            .prepare_cached("SELECT DISTINCT subject_id FROM commitment")?
            .query_map(params![], |r| r.get::<_, i64>(0))?
            .collect::<super::sql::Result<Vec<_>>>()?;
        Ok(rows.into_iter().map(SubjectId).collect())
    }

    /// The largest serial of a day's 承诺编码 — letters and 信用修复承诺书 alike — within
    /// `first ..= last` (this installation's block, `domain::installation`). Call inside the issuing transaction: writers are serialised, so
    /// the next number stays free until that transaction ends, and a rollback leaves no gap.
    pub fn largest_commitment_serial(
        &self,
        day: NaiveDate,
        first: u32,
        last: u32,
    ) -> Result<Option<u32>, StoreError> {
        let max: Option<i64> = self
            .conn
            .prepare_cached(
                // Letters and 信用修复承诺书 (rule X-1) share one serial space.
                "SELECT max(s) FROM (
                     SELECT max(serial) AS s FROM commitment
                     WHERE code_date = ?1 AND serial BETWEEN ?2 AND ?3
                     UNION ALL
                     SELECT max(serial) FROM repair_application
                     WHERE code_date = ?1 AND serial BETWEEN ?2 AND ?3
                 ) AS both_kinds",
            )?
            .query_row(
                params![day.to_string(), i64::from(first), i64::from(last)],
                |r| r.get(0),
            )?;
        max.map(|m| u32::try_from(m).map_err(|_| StoreError::BadData("承诺编码流水号".into())))
            .transpose()
    }
}

impl Writer<'_> {
    /// Store a new commitment (its `id` is ignored) and return its key.
    pub fn insert_commitment(
        &self,
        c: &Commitment,
        serial: u32,
        verdict: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<CommitmentId, StoreError> {
        let json = serde_json::to_string(c)
            .map_err(|e| StoreError::BadData(format!("承诺记录无法保存：{e}")))?;
        let now = ts_to_sql(now);
        let new_id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO commitment (subject_id, code, code_date, serial, business, verdict_id,
                     signed, fulfilment, valid_until, record, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id",
            )?
            .query_row(
                params![
                    c.subject_id.0,
                    c.code,
                    c.made_on.to_string(),
                    serial,
                    c.business.label(),
                    verdict,
                    c.is_signed(),
                    c.fulfilment.map(|f| f.label()),
                    c.valid_until.map(|d| d.to_string()),
                    json,
                    now,
                ],
                |r| r.get(0),
            )?;
        Ok(CommitmentId(new_id))
    }

    /// Replace a commitment's record (fields corrected, scan attached, status decided).
    pub fn update_commitment(&self, c: &Commitment, now: NaiveDateTime) -> Result<(), StoreError> {
        let json = serde_json::to_string(c)
            .map_err(|e| StoreError::BadData(format!("承诺记录无法保存：{e}")))?;
        let n = self
            .conn
            .prepare_cached(
                "UPDATE commitment SET signed = ?2, fulfilment = ?3, valid_until = ?4, record = ?5,
                     updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                c.id.0,
                c.is_signed(),
                c.fulfilment.map(|f| f.label()),
                c.valid_until.map(|d| d.to_string()),
                json,
                ts_to_sql(now),
            ])?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::BadData(format!("承诺记录 {} 不存在", c.id)))
        }
    }
}
