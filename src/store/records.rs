//! Typed queries on power-supply records (rule S-2). A record is stored whole as JSON next to the
//! columns that queries need (subject, kind, natural key, date). The natural key is unique under
//! its subject (indexed by its digest, see [`key_digest`]), and across subjects for the kinds
//! that an account number may key; so a re-import updates a record instead of duplicating it.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Reader, StoreError, Writer, ts_to_sql};
use crate::domain::records::{Record, RecordKey, RecordKind, SubjectRef};
use crate::domain::subject::SubjectId;

/// The 64-bit digest a natural key is indexed by: the first 8 bytes of its SHA-256, read as a
/// big-endian signed integer. Stable across versions (migration 10 computed it for stored rows
/// with this very function); rows whose digests match are still compared by their full key.
pub fn key_digest(key: &str) -> i64 {
    let hash = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    i64::from_be_bytes(first)
}

/// Kinds whose key may name an account rather than the subject's code: their keys are unique
/// across subjects (the partial index `power_record_account_key` of migration 10).
pub(super) fn keyed_across_subjects(kind: RecordKind) -> bool {
    matches!(kind, RecordKind::ViolationUsage | RecordKind::Theft)
}

/// A record made ready for storage: its natural key, the key's digest and the JSON payload.
/// Pure computation, so a bulk import prepares rows on another thread than the one writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRecord {
    pub key: RecordKey,
    pub digest: i64,
    pub payload: String,
}

impl EncodedRecord {
    pub fn new(record: &Record) -> Result<Self, StoreError> {
        let key = record.key();
        let digest = key_digest(key.as_str());
        // Sized for a payment row at once (about 420 bytes) instead of growing four times.
        let mut buf = Vec::with_capacity(512);
        serde_json::to_writer(&mut buf, record)
            .map_err(|e| StoreError::BadData(format!("用电记录无法保存：{e}")))?;
        let payload = String::from_utf8(buf)
            .map_err(|e| StoreError::BadData(format!("用电记录无法保存：{e}")))?;
        Ok(Self {
            key,
            digest,
            payload,
        })
    }
}

/// The stored record with a record's natural key: under `subject`, or under any subject for
/// the kinds keyed across subjects. `(id, subject, same key, same payload)`; a digest match
/// whose key differs is a true SHA-256 collision, reported by the callers.
pub(super) fn find_by_key(
    conn: &rusqlite::Connection,
    subject: SubjectId,
    kind: RecordKind,
    enc: &EncodedRecord,
) -> Result<Option<(i64, SubjectId, bool, bool)>, StoreError> {
    type Found = (i64, SubjectId, bool, bool);
    let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Found> {
        Ok((r.get(0)?, SubjectId(r.get(1)?), r.get(2)?, r.get(3)?))
    };
    let found = if keyed_across_subjects(kind) {
        // The very term of the partial index, so that SQLite uses it.
        conn.prepare_cached(
            "SELECT id, subject_id, natural_key = ?2, payload = ?3 FROM power_record
             WHERE kind IN ('violation_usage', 'theft') AND key_digest = ?1",
        )?
        .query_row(params![enc.digest, enc.key.as_str(), enc.payload], map)
    } else {
        conn.prepare_cached(
            "SELECT id, subject_id, natural_key = ?3, payload = ?4 FROM power_record
             WHERE subject_id = ?1 AND key_digest = ?2",
        )?
        .query_row(
            params![subject.0, enc.digest, enc.key.as_str(), enc.payload],
            map,
        )
    };
    Ok(found.optional()?)
}

/// Overwrite a stored record (same natural key) with new content from `source`, moving it to
/// `subject` if the key now resolves there (an account passed on).
pub(super) fn update_content(
    conn: &rusqlite::Connection,
    id: i64,
    subject: SubjectId,
    record: &Record,
    enc: &EncodedRecord,
    source: &str,
    now: &str,
) -> Result<(), StoreError> {
    let mut date = [0u8; 10];
    let date = super::bulk::iso_date(record.date(), &mut date);
    conn.prepare_cached(
        "UPDATE power_record SET subject_id = ?2, account_no = ?3,
            record_date = ?4, payload = ?5, source = ?6, updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        subject.0,
        record.account_no(),
        date,
        enc.payload,
        source,
        now
    ])?;
    Ok(())
}

/// The refusal for two natural keys with the same digest (never seen: SHA-256).
pub(super) fn digest_clash(key: &RecordKey) -> StoreError {
    StoreError::BadData(format!(
        "用电记录 {} 与已存记录的索引摘要相同但内容不同，无法写入：请联系系统管理员",
        key.as_str()
    ))
}

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
        let enc = EncodedRecord::new(record)?;
        let now = ts_to_sql(now);
        match find_by_key(self.conn, subject, record.kind(), &enc)? {
            Some((_, _, false, _)) => Err(digest_clash(&enc.key)),
            Some((id, _, true, true)) => Ok(Upsert::Unchanged(RecordId(id))),
            Some((id, _, true, false)) => {
                update_content(self.conn, id, subject, record, &enc, source, &now)?;
                Ok(Upsert::Updated(RecordId(id)))
            }
            None => self
                .insert_encoded(subject, record, &enc, source, &now)
                .map(Upsert::Inserted),
        }
    }

    /// Insert a prepared record; the caller has found its key free.
    fn insert_encoded(
        &self,
        subject: SubjectId,
        record: &Record,
        enc: &EncodedRecord,
        source: &str,
        now: &str,
    ) -> Result<RecordId, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO power_record (subject_id, kind, key_digest, natural_key, account_no,
                    record_date, payload, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            )?
            .execute(params![
                subject.0,
                record.kind().key(),
                enc.digest,
                enc.key.as_str(),
                record.account_no(),
                record.date().to_string(),
                enc.payload,
                source,
                now
            ])?;
        Ok(RecordId(self.conn.last_insert_rowid()))
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

    /// The record that already holds `record`'s natural key, were it entered for `subject`:
    /// under that subject, or under any subject for the kinds keyed across subjects.
    pub fn record_by_key(
        &self,
        subject: SubjectId,
        record: &Record,
    ) -> Result<Option<(RecordId, SubjectId)>, StoreError> {
        // Only the key is looked up: no payload to serialise (its comparison is not used).
        let key = record.key();
        let enc = EncodedRecord {
            digest: key_digest(key.as_str()),
            key,
            payload: String::new(),
        };
        match find_by_key(self.conn, subject, record.kind(), &enc)? {
            Some((_, _, false, _)) => Err(digest_clash(&enc.key)),
            Some((id, owner, true, _)) => Ok(Some((RecordId(id), owner))),
            None => Ok(None),
        }
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
        let enc = EncodedRecord::new(record)?;
        self.insert_encoded(subject, record, &enc, source, &ts_to_sql(now))
    }

    /// Replace a record's content, its natural key included (a correction may change a key
    /// field; the caller has checked that the new key is free).
    pub fn replace_record(
        &self,
        id: RecordId,
        record: &Record,
        now: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let enc = EncodedRecord::new(record)?;
        self.conn
            .prepare_cached(
                "UPDATE power_record SET kind = ?2, key_digest = ?3, natural_key = ?4,
                    account_no = ?5, record_date = ?6, payload = ?7, updated_at = ?8
                 WHERE id = ?1",
            )?
            .execute(params![
                id.0,
                record.kind().key(),
                enc.digest,
                enc.key.as_str(),
                record.account_no(),
                record.date().to_string(),
                enc.payload,
                ts_to_sql(now)
            ])?;
        Ok(())
    }
}
