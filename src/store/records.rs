//! Typed queries on power-supply records (rule S-2). A record is stored whole as JSON next to the
//! columns that queries need (subject, kind, natural key, date); the natural key is UNIQUE, so a
//! re-import updates a record instead of duplicating it.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, params};

use super::{Reader, StoreError, Writer, ts_to_sql};
use crate::domain::records::{Record, SubjectRef};
use crate::domain::subject::SubjectId;

/// Database key of a power-supply record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub i64);

/// What writing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted(RecordId),
    Updated(RecordId),
    Unchanged(RecordId),
}

/// A stored record with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: RecordId,
    pub record: Record,
    /// `counter` or `import:<file name>`.
    pub source: String,
}

impl Reader<'_> {
    /// The subject a record names: by code, or by 用户编号 for violation records.
    pub fn resolve_subject_ref(&self, r: &SubjectRef) -> Result<Option<SubjectId>, StoreError> {
        match r {
            SubjectRef::Code { code } => {
                let (t, c) = code.parts();
                Ok(self.subject_by_code(t, c)?.map(|(id, _)| id))
            }
            SubjectRef::Account { account_no } => {
                Ok(self.account_by_no(account_no)?.map(|(a, _)| a.subject_id))
            }
        }
    }

    /// Every record of a subject, oldest first.
    pub fn records_of(&self, subject: SubjectId) -> Result<Vec<StoredRecord>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT id, payload, source FROM power_record WHERE subject_id = ?1
                 ORDER BY record_date, id",
            )?
            .query_map([subject.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, payload, source)| {
                Ok(StoredRecord {
                    id: RecordId(id),
                    record: serde_json::from_str(&payload)
                        .map_err(|e| StoreError::BadData(format!("用电记录 {id}：{e}")))?,
                    source,
                })
            })
            .collect()
    }

    /// How many records are stored.
    pub fn count_records(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM power_record")?
            .query_row([], |r| r.get(0))?)
    }
}

impl Writer<'_> {
    /// Insert a record, or update the one with the same natural key when its content changed.
    pub fn upsert_record(
        &self,
        subject: SubjectId,
        record: &Record,
        source: &str,
        now: NaiveDateTime,
    ) -> Result<Upsert, StoreError> {
        let key = record.key();
        let payload = serde_json::to_string(record)
            .map_err(|e| StoreError::BadData(format!("用电记录无法保存：{e}")))?;
        let existing: Option<(i64, String)> = self
            .conn
            .prepare_cached("SELECT id, payload FROM power_record WHERE natural_key = ?1")?
            .query_row([key.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let now = ts_to_sql(now);
        match existing {
            Some((id, old)) if old == payload => Ok(Upsert::Unchanged(RecordId(id))),
            Some((id, _)) => {
                self.conn
                    .prepare_cached(
                        "UPDATE power_record SET subject_id = ?2, account_no = ?3,
                            record_date = ?4, payload = ?5, source = ?6, updated_at = ?7
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id,
                        subject.0,
                        record.account_no(),
                        record.date().to_string(),
                        payload,
                        source,
                        now
                    ])?;
                Ok(Upsert::Updated(RecordId(id)))
            }
            None => {
                self.conn
                    .prepare_cached(
                        "INSERT INTO power_record (subject_id, kind, natural_key, account_no,
                            record_date, payload, source, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                    )?
                    .execute(params![
                        subject.0,
                        record.kind().key(),
                        key.as_str(),
                        record.account_no(),
                        record.date().to_string(),
                        payload,
                        source,
                        now
                    ])?;
                Ok(Upsert::Inserted(RecordId(self.conn.last_insert_rowid())))
            }
        }
    }
}

// Counter entry and correction of one record (desk/record_entry.rs).

impl Reader<'_> {
    /// One record by its database key, with its subject.
    pub fn record(&self, id: RecordId) -> Result<Option<(SubjectId, StoredRecord)>, StoreError> {
        let row: Option<(i64, String, String)> = self
            .conn
            .prepare_cached("SELECT subject_id, payload, source FROM power_record WHERE id = ?1")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(subject, payload, source)| {
            Ok((
                SubjectId(subject),
                StoredRecord {
                    id,
                    record: serde_json::from_str(&payload)
                        .map_err(|e| StoreError::BadData(format!("用电记录 {}：{e}", id.0)))?,
                    source,
                },
            ))
        })
        .transpose()
    }

    /// The record holding a natural key, with its subject.
    pub fn record_by_key(
        &self,
        key: &crate::domain::records::RecordKey,
    ) -> Result<Option<(RecordId, SubjectId)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, subject_id FROM power_record WHERE natural_key = ?1")?
            .query_row([key.as_str()], |r| {
                Ok((RecordId(r.get(0)?), SubjectId(r.get(1)?)))
            })
            .optional()?)
    }
}

impl Writer<'_> {
    /// Insert a new record (the caller has checked that its natural key is free).
    pub fn insert_record(
        &self,
        subject: SubjectId,
        record: &Record,
        source: &str,
        now: NaiveDateTime,
    ) -> Result<RecordId, StoreError> {
        let payload = serde_json::to_string(record)
            .map_err(|e| StoreError::BadData(format!("用电记录无法保存：{e}")))?;
        self.conn
            .prepare_cached(
                "INSERT INTO power_record (subject_id, kind, natural_key, account_no,
                    record_date, payload, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?
            .execute(params![
                subject.0,
                record.kind().key(),
                record.key().as_str(),
                record.account_no(),
                record.date().to_string(),
                payload,
                source,
                ts_to_sql(now)
            ])?;
        Ok(RecordId(self.conn.last_insert_rowid()))
    }

    /// Replace a record's content, its natural key included (a correction may change a key
    /// field; the caller has checked that the new key is free).
    pub fn replace_record(
        &self,
        id: RecordId,
        record: &Record,
        now: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let payload = serde_json::to_string(record)
            .map_err(|e| StoreError::BadData(format!("用电记录无法保存：{e}")))?;
        self.conn
            .prepare_cached(
                "UPDATE power_record SET kind = ?2, natural_key = ?3, account_no = ?4,
                    record_date = ?5, payload = ?6, updated_at = ?7
                 WHERE id = ?1",
            )?
            .execute(params![
                id.0,
                record.kind().key(),
                record.key().as_str(),
                record.account_no(),
                record.date().to_string(),
                payload,
                ts_to_sql(now)
            ])?;
        Ok(())
    }
}
