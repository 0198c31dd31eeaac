//! Typed queries on power-supply records (rule S-2). A record is stored whole in a compact
//! binary form ([`super::record_codec`]) next to the columns that queries need (subject, kind,
//! key digest, date). The natural key is unique under its subject (indexed by its digest, see
//! [`key_digest`]), and across subjects for the kinds that an account number may key; so a
//! re-import updates a record instead of duplicating it. The key itself is not stored: it is a
//! function of the record ([`Record::key`]), recomputed in the rare case it must be compared.

use super::sql::{Conn, Value};
use super::sql::{OptionalExtension, params};
use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

use super::{Reader, StoreError, Writer, record_codec, ts_to_sql};
use crate::domain::records::{Record, RecordId, RecordKind};
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

/// A record made ready for storage: the columns of its row (kind, key digest, date)
/// and its stored form. Pure computation, so a bulk import prepares rows on another thread than
/// the one writing, and hands over this instead of the record: three allocations instead of a
/// dozen cross the threads. The rare paths that need the record itself decode it
/// ([`EncodedRecord::record`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRecord {
    pub kind: RecordKind,
    pub digest: i64,
    pub date: NaiveDate,
    pub payload: Vec<u8>,
}

impl EncodedRecord {
    pub fn new(record: &Record) -> Self {
        let digest = key_digest(record.key().as_str());
        // Sized for a payment row at once (about 190 bytes) instead of growing.
        let mut payload = Vec::with_capacity(256);
        record_codec::encode(record, &mut payload);
        Self {
            kind: record.kind(),
            digest,
            date: record.date(),
            payload,
        }
    }

    /// The record itself, decoded from its stored form.
    pub fn record(&self) -> Result<Record, StoreError> {
        record_codec::decode(&self.payload)
            .map_err(|e| StoreError::BadData(format!("用电记录无法保存：{e}")))
    }
}

/// The record stored in the payload column of row `id` (a damaged payload is an error naming
/// the row, never a panic).
pub(super) fn decode_payload(id: i64, value: &Value) -> Result<Record, StoreError> {
    let damaged = |e: &str| StoreError::BadData(format!("用电记录 {id} 已损坏：{e}"));
    match value {
        Value::Blob(b) => record_codec::decode(b).map_err(|e| damaged(&e)),
        // Migration 11 leaves a payload it could not read as it was (text), for this message.
        _ => Err(damaged("内容无法识别，请联系系统管理员")),
    }
}

/// What [`find_by_key`] found.
pub(super) struct Found {
    pub id: i64,
    pub subject: SubjectId,
    /// The stored record is `enc`'s, byte for byte.
    pub same: bool,
}

/// The stored record with `enc`'s natural key: under `subject`, or under any subject for the
/// kinds keyed across subjects. A digest match whose record has another key is a true SHA-256
/// collision: refused ([`digest_clash`]), never merged.
pub(super) fn find_by_key(
    conn: Conn<'_>,
    subject: SubjectId,
    enc: &EncodedRecord,
) -> Result<Option<Found>, StoreError> {
    let map = |r: &super::sql::Row| -> super::sql::Result<Found> {
        Ok(Found {
            id: r.get(0)?,
            subject: SubjectId(r.get(1)?),
            same: r.get(2)?,
        })
    };
    let found = if keyed_across_subjects(enc.kind) {
        // The very term of the partial index, so that SQLite uses it.
        conn.prepare_cached(
            "SELECT id, subject_id, payload = ?2 FROM power_record
             WHERE kind IN ('violation_usage', 'theft') AND key_digest = ?1",
        )?
        .query_row(params![enc.digest, enc.payload], map)
    } else {
        conn.prepare_cached(
            "SELECT id, subject_id, payload = ?3 FROM power_record
             WHERE subject_id = ?1 AND key_digest = ?2",
        )?
        .query_row(params![subject.0, enc.digest, enc.payload], map)
    }
    .optional()?;
    let Some(found) = found else {
        return Ok(None);
    };
    // Equal records have equal keys; otherwise compare the keys themselves.
    if !found.same {
        let stored = conn
            .prepare_cached("SELECT payload FROM power_record WHERE id = ?1")?
            .query_row([found.id], |r| {
                Ok(decode_payload(found.id, r.value(0).unwrap_or(&Value::Null)))
            })??;
        let record = enc.record()?;
        if stored.key() != record.key() {
            return Err(digest_clash(&record));
        }
    }
    Ok(Some(found))
}

/// Overwrite a stored record (same natural key) with new content from `source`, moving it to
/// `subject` if the key now resolves there (an account passed on).
pub(super) fn update_content(
    conn: Conn<'_>,
    id: i64,
    subject: SubjectId,
    enc: &EncodedRecord,
    source: &str,
    now: &str,
) -> Result<(), StoreError> {
    let mut date = [0u8; 10];
    let date = crate::domain::text::iso_date(enc.date, &mut date);
    conn.prepare_cached(
        "UPDATE power_record SET subject_id = ?2, record_date = ?3, payload = ?4, source = ?5,
            updated_at = ?6
         WHERE id = ?1",
    )?
    .execute(params![id, subject.0, date, enc.payload, source, now])?;
    Ok(())
}

/// The refusal for two natural keys with the same digest (never seen: SHA-256).
pub(super) fn digest_clash(record: &Record) -> StoreError {
    StoreError::BadData(format!(
        "用电记录 {} 与已存记录的索引摘要相同但内容不同，无法写入：请联系系统管理员",
        record.key().as_str()
    ))
}

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
    /// The subject a record names, given as [`Record::subject_parts`]: a code type and the
    /// code, or `account` and a 用户编号 (violation records name the account).
    pub fn subject_named(
        &self,
        (t, v): (&'static str, &str),
    ) -> Result<Option<SubjectId>, StoreError> {
        if t == "account" {
            Ok(self.account_by_no(v)?.map(|(a, _)| a.subject_id))
        } else {
            Ok(self.subject_by_code(t, v)?.map(|(id, _)| id))
        }
    }

    /// Every record of a subject, oldest first.
    pub fn records_of(&self, subject: SubjectId) -> Result<Vec<StoredRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, payload, source FROM power_record WHERE subject_id = ?1
             ORDER BY record_date, id",
        )?;
        let mut rows = stmt.query([subject.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            out.push(StoredRecord {
                id: RecordId(id),
                record: decode_payload(id, r.value(1).unwrap_or(&Value::Null))?,
                source: r.get(2)?,
            });
        }
        Ok(out)
    }

    /// How many records are stored.
    pub fn count_records(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM power_record")?
            .query_row(params![], |r| r.get(0))?)
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
        let enc = EncodedRecord::new(record);
        let now = ts_to_sql(now);
        match find_by_key(self.conn, subject, &enc)? {
            Some(Found { id, same: true, .. }) => Ok(Upsert::Unchanged(RecordId(id))),
            Some(Found { id, .. }) => {
                update_content(self.conn, id, subject, &enc, source, &now)?;
                Ok(Upsert::Updated(RecordId(id)))
            }
            None => self
                .insert_encoded(subject, &enc, source, &now)
                .map(Upsert::Inserted),
        }
    }

    /// Insert a prepared record; the caller has found its key free.
    fn insert_encoded(
        &self,
        subject: SubjectId,
        enc: &EncodedRecord,
        source: &str,
        now: &str,
    ) -> Result<RecordId, StoreError> {
        let mut date = [0u8; 10];
        let new_id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO power_record (subject_id, kind, key_digest, record_date, payload,
                    source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
            )?
            .query_row(
                params![
                    subject.0,
                    enc.kind.key(),
                    enc.digest,
                    crate::domain::text::iso_date(enc.date, &mut date),
                    enc.payload,
                    source,
                    now
                ],
                |r| r.get(0),
            )?;
        Ok(RecordId(new_id))
    }
}

// Counter entry and correction of one record (desk/record_entry.rs).

impl Reader<'_> {
    /// One record by its database key, with its subject.
    pub fn record(&self, id: RecordId) -> Result<Option<(SubjectId, StoredRecord)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT subject_id, payload, source FROM power_record WHERE id = ?1")?;
        let mut rows = stmt.query([id.0])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        Ok(Some((
            SubjectId(r.get(0)?),
            StoredRecord {
                id,
                record: decode_payload(id.0, r.value(1).unwrap_or(&Value::Null))?,
                source: r.get(2)?,
            },
        )))
    }

    /// The record that already holds `record`'s natural key, were it entered for `subject`:
    /// under that subject, or under any subject for the kinds keyed across subjects.
    pub fn record_by_key(
        &self,
        subject: SubjectId,
        record: &Record,
    ) -> Result<Option<(RecordId, SubjectId)>, StoreError> {
        let enc = EncodedRecord::new(record);
        Ok(find_by_key(self.conn, subject, &enc)?.map(|f| (RecordId(f.id), f.subject)))
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
        let enc = EncodedRecord::new(record);
        self.insert_encoded(subject, &enc, source, &ts_to_sql(now))
    }

    /// Replace a record's content, its natural key included (a correction may change a key
    /// field; the caller has checked that the new key is free).
    pub fn replace_record(
        &self,
        id: RecordId,
        record: &Record,
        now: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let enc = EncodedRecord::new(record);
        let mut date = [0u8; 10];
        self.conn
            .prepare_cached(
                "UPDATE power_record SET kind = ?2, key_digest = ?3, record_date = ?4,
                    payload = ?5, updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                id.0,
                enc.kind.key(),
                enc.digest,
                crate::domain::text::iso_date(enc.date, &mut date),
                enc.payload,
                ts_to_sql(now)
            ])?;
        Ok(())
    }
}
