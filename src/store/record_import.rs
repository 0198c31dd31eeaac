//! Writing many power-supply records in one transaction (bulk import, rule S-2). Same result as
//! [`Writer::upsert_record`] row by row, with what a million rows make expensive taken out of the
//! loop: the timestamp is formatted once, the payload is serialised into a reused buffer, a new
//! natural key costs one index probe (INSERT … ON CONFLICT DO NOTHING; only a key already stored
//! is read back and compared), subjects named again and again by a marketing export are looked up
//! once, and the page cache is enlarged while the import runs.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, params};

use super::records::{RecordId, Upsert};
use super::{StoreError, Writer, bulk::iso_date, ts_to_sql};
use crate::domain::records::{Record, SubjectRef};
use crate::domain::subject::{SubjectId, ValidSubject};

/// Page cache while importing, in KiB: the natural-key and subject indexes of a large table stay
/// in memory, well inside the import's memory budget.
const IMPORT_CACHE_KIB: i64 = 96 * 1024;

/// Subjects remembered by one import; past this the memo starts again (memory stays bounded
/// whatever the file holds).
const MAX_REMEMBERED_SUBJECTS: usize = 200_000;

/// Writes the records of one import; made by [`Writer::record_import`].
pub struct RecordImport<'w, 'c> {
    writer: &'w Writer<'c>,
    source: String,
    now: String,
    payload: Vec<u8>,
    /// Subject by code type, then code.
    subjects: HashMap<&'static str, HashMap<String, SubjectId>>,
    remembered: usize,
    old_cache: Option<i64>,
}

impl<'c> Writer<'c> {
    /// Start writing the records of an import labelled `source` (`import:<file name>`) at `now`.
    pub fn record_import(
        &self,
        source: &str,
        now: NaiveDateTime,
    ) -> Result<RecordImport<'_, 'c>, StoreError> {
        let old: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        let old_cache = Some(old);
        Ok(RecordImport {
            writer: self,
            source: source.to_string(),
            now: ts_to_sql(now),
            payload: Vec::with_capacity(512),
            subjects: HashMap::new(),
            remembered: 0,
            old_cache,
        })
    }
}

impl RecordImport<'_, '_> {
    /// The subject a record names (see [`super::Reader::resolve_subject_ref`]), remembered for
    /// the next rows of the same subject.
    pub fn resolve_subject(&mut self, r: &SubjectRef) -> Result<Option<SubjectId>, StoreError> {
        let (t, v) = r.parts();
        if let Some(id) = self.subjects.get(t).and_then(|m| m.get(v)) {
            return Ok(Some(*id));
        }
        let found = self.writer.resolve_subject_ref(r)?;
        if let Some(id) = found {
            self.remember(t, v, id);
        }
        Ok(found)
    }

    /// Register a subject the file names (`--create-subjects`) and remember it.
    pub fn insert_subject(
        &mut self,
        r: &SubjectRef,
        s: &ValidSubject,
    ) -> Result<SubjectId, StoreError> {
        let id = self.writer.insert_subject_at(s, &self.now)?;
        let (t, v) = r.parts();
        self.remember(t, v, id);
        Ok(id)
    }

    fn remember(&mut self, t: &'static str, v: &str, id: SubjectId) {
        if self.remembered >= MAX_REMEMBERED_SUBJECTS {
            self.subjects.clear();
            self.remembered = 0;
        }
        self.remembered += 1;
        self.subjects
            .entry(t)
            .or_default()
            .insert(v.to_string(), id);
    }

    /// Insert a record, or update the stored one with the same natural key when its content
    /// changed (as [`Writer::upsert_record`]).
    pub fn upsert(&mut self, subject: SubjectId, record: &Record) -> Result<Upsert, StoreError> {
        let conn = self.writer.conn;
        let key = record.key();
        self.payload.clear();
        serde_json::to_writer(&mut self.payload, record)
            .map_err(|e| StoreError::BadData(format!("用电记录无法保存：{e}")))?;
        // serde_json writes UTF-8 only.
        let payload = std::str::from_utf8(&self.payload)
            .map_err(|e| StoreError::BadData(format!("用电记录无法保存：{e}")))?;
        let mut date = [0u8; 10];
        let date = iso_date(record.date(), &mut date);
        let inserted = conn
            .prepare_cached(
                "INSERT INTO power_record (subject_id, kind, natural_key, account_no,
                    record_date, payload, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (natural_key) DO NOTHING",
            )?
            .execute(params![
                subject.0,
                record.kind().key(),
                key.as_str(),
                record.account_no(),
                date,
                payload,
                self.source,
                self.now
            ])?;
        if inserted == 1 {
            return Ok(Upsert::Inserted(RecordId(conn.last_insert_rowid())));
        }
        let (id, same): (i64, bool) = conn
            .prepare_cached("SELECT id, payload = ?2 FROM power_record WHERE natural_key = ?1")?
            .query_row(params![key.as_str(), payload], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or_else(|| StoreError::BadData(format!("用电记录 {} 无法写入", key.as_str())))?;
        if same {
            return Ok(Upsert::Unchanged(RecordId(id)));
        }
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
            payload,
            self.source,
            self.now
        ])?;
        Ok(Upsert::Updated(RecordId(id)))
    }
}

impl Drop for RecordImport<'_, '_> {
    /// The cache size is not part of the transaction: put it back however the import ends.
    fn drop(&mut self) {
        if let Some(old) = self.old_cache {
            // Nothing useful can be done with a failure here; the setting only affects speed.
            let _ = self.writer.conn.pragma_update(None, "cache_size", old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{Uscc, uscc_check_char};
    use crate::domain::records::{ArrearsRecord, Fen};
    use crate::domain::subject::{SubjectCode, SubjectKind};
    use crate::store::Store;
    use chrono::NaiveDate;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn code() -> SubjectCode {
        let body = "91440800MA4UMB8E0";
        SubjectCode::Uscc {
            code: Uscc::parse(&format!("{body}{}", uscc_check_char(body).unwrap())).unwrap(),
        }
    }

    fn arrears(amount: i64) -> Record {
        Record::Arrears(ArrearsRecord {
            subject: code(),
            subject_name: "湛江市海港贸易有限公司".into(),
            account_no: Some("0300000001".into()),
            arrears_type: "电费".into(),
            period_start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            period_end: NaiveDate::from_ymd_opt(2025, 1, 31).unwrap(),
            amount: Fen(amount),
            determined_by: None,
            determined_by_uscc: None,
            determined_on: None,
            reminded_on: None,
            just_cause: None,
            paid_off_on: None,
        })
    }

    #[test]
    fn inserts_then_leaves_or_updates_like_single_upserts() {
        let mut st = Store::open_in_memory().unwrap();
        let subject = ValidSubject {
            kind: SubjectKind::Organization,
            code: code(),
            name: "湛江市海港贸易有限公司".into(),
            legal_rep: None,
            founded_on: None,
            phone: String::new(),
            address: String::new(),
        };
        let r = SubjectRef::Code { code: code() };
        let outcomes = st
            .write(|w| {
                let mut out = w.record_import("import:a.csv", now())?;
                assert_eq!(out.resolve_subject(&r)?, None);
                let id = out.insert_subject(&r, &subject)?;
                // Remembered, and found by a fresh lookup too.
                assert_eq!(out.resolve_subject(&r)?, Some(id));
                assert_eq!(w.resolve_subject_ref(&r)?, Some(id));
                let a = out.upsert(id, &arrears(100))?;
                let b = out.upsert(id, &arrears(100))?;
                // Same natural key (arrears are keyed without the amount), new content.
                let c = out.upsert(id, &arrears(250))?;
                Ok::<_, StoreError>((id, a, b, c))
            })
            .unwrap();
        let (id, a, b, c) = outcomes;
        let Upsert::Inserted(rid) = a else {
            panic!("{a:?}")
        };
        assert_eq!(b, Upsert::Unchanged(rid));
        assert_eq!(c, Upsert::Updated(rid));
        let stored = st.read().records_of(id).unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].record, arrears(250));
        assert_eq!(stored[0].source, "import:a.csv");
        // The page cache is back to what it was.
        let cache: i64 = st
            .read()
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(cache, -2000);
    }
}
