//! The queries of the publicity figures (issue 20, point 3): counts the database can make
//! itself, and the rows the desk counts (cases, commitments of the period).

use chrono::NaiveDate;

use super::sql::params;
use super::{Reader, StoreError};
use crate::domain::case::{Case, CaseId};
use crate::domain::commitment::{Commitment, CommitmentId};

/// Rows of (id, JSON) decoded as `T` with its id set; `what` names the table in a message.
fn decode_rows<T: serde::de::DeserializeOwned>(
    rows: Vec<(i64, String)>,
    what: &str,
    set_id: impl Fn(&mut T, i64),
) -> Result<Vec<T>, StoreError> {
    rows.into_iter()
        .map(|(id, j)| {
            let mut v: T = serde_json::from_str(&j)
                .map_err(|e| StoreError::BadData(format!("{what} {id}：{e}")))?;
            set_id(&mut v, id);
            Ok(v)
        })
        .collect()
}

impl Reader<'_> {
    /// Commitments whose 承诺编码 date lies in `[from, to]`.
    pub fn commitments_made_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Commitment>, StoreError> {
        let rows: Vec<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, record FROM commitment WHERE code_date BETWEEN ?1 AND ?2 ORDER BY id",
            )?
            .query_map(params![from.to_string(), to.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        decode_rows(rows, "承诺记录", |c: &mut Commitment, id| {
            c.id = CommitmentId(id)
        })
    }

    /// Cases applied for on or before `to` that may have had an event on or after `from`:
    /// still open, or changed since.
    pub fn cases_for_period(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Case>, StoreError> {
        let rows: Vec<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, record FROM xyd_case
                 WHERE applied_on <= ?2 AND (status IN ('accepted', 'connected') OR updated_at >= ?1)
                 ORDER BY id",
            )?
            .query_map(params![from.to_string(), to.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        decode_rows(rows, "信易电案件", |c: &mut Case, id| {
            c.id = CaseId(id)
        })
    }

    /// (守信用电主体 now, standings decided trusted in the period, decided not trusted).
    pub fn trust_counts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(u64, u64, u64), StoreError> {
        let n = |sql: &str, args: Vec<super::sql::Value>| -> Result<u64, StoreError> {
            let v: i64 = self
                .conn
                .prepare_cached(sql)?
                .query_row(super::sql::params_from_iter(args), |r| r.get(0))?;
            Ok(v.max(0) as u64)
        };
        let p = || {
            vec![
                super::sql::Value::Text(from.to_string()),
                super::sql::Value::Text(to.to_string()),
            ]
        };
        Ok((
            n(
                "SELECT count(*) FROM trust_status WHERE trustworthy = 1",
                Vec::new(),
            )?,
            n(
                "SELECT count(*) FROM trust_status WHERE trustworthy = 1 AND as_of BETWEEN ?1 AND ?2",
                p(),
            )?,
            n(
                "SELECT count(*) FROM trust_status WHERE trustworthy = 0 AND as_of BETWEEN ?1 AND ?2",
                p(),
            )?,
        ))
    }

    /// Records of `kind` dated in `[from, to]` (theft by the day it was found, violation usage
    /// by the day it happened: the day they became dishonesty records, D-2, D-3).
    pub fn count_records_dated(
        &self,
        kind: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u64, StoreError> {
        let v: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM power_record WHERE kind = ?1 AND record_date BETWEEN ?2 AND ?3",
            )?
            .query_row(params![kind, from.to_string(), to.to_string()], |r| r.get(0))?;
        Ok(v.max(0) as u64)
    }
}
