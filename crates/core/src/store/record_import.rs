//! Writing many power-supply records in one transaction (bulk import, rule S-2). Same result as
//! [`Writer::upsert_record`] row by row, with what a million rows make expensive taken out of the
//! loop: the timestamp is formatted once, the key digest and the stored form come prepared
//! ([`EncodedRecord`], made on the parsing thread), a new natural key costs one probe of the one
//! (subject, key digest) index (INSERT … ON CONFLICT DO NOTHING; only a key already stored is
//! read back and compared), subjects named again and again by a marketing export are looked up
//! once, and the page cache is enlarged while the import runs.

use chrono::NaiveDateTime;
use foldhash::HashMap;
use rusqlite::CachedStatement;

use super::sql::OptionalExtension;

use super::records::{EncodedRecord, Found, Upsert, find_by_key, update_content};
use super::{StoreError, Writer, bulk::iso_date, ts_to_sql};
use crate::domain::records::{RecordId, RecordKind};
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
    /// The insert of every row, prepared once (SQLite; PostgreSQL caches its statements).
    insert: Option<CachedStatement<'c>>,
    /// The id of the row [`RecordImport::insert_new`] inserted last.
    last_id: i64,
    /// Whether the last row was already stored (see [`RecordImport::upsert`]).
    expect_stored: bool,
    /// The kind bound to the insert (bindings outlive each execution).
    bound_kind: Option<RecordKind>,
    source: String,
    now: String,
    /// Subject by code type and code.
    subjects: HashMap<(&'static str, CodeKey), SubjectId>,
    remembered: usize,
    old_cache: Option<i64>,
    /// PostgreSQL: what the batches know of each other (`store/record_copy.rs`).
    copy_state: super::record_copy::ImportState,
}

impl<'c> Writer<'c> {
    /// Start writing the records of an import labelled `source` (`import:<file name>`) at `now`.
    pub fn record_import(
        &self,
        source: &str,
        now: NaiveDateTime,
    ) -> Result<RecordImport<'_, 'c>, StoreError> {
        let source_text = source;
        let Some(conn) = self.conn.lite() else {
            return Ok(RecordImport {
                writer: self,
                insert: None,
                last_id: 0,
                expect_stored: false,
                bound_kind: None,
                source: source_text.to_string(),
                now: ts_to_sql(now),
                subjects: HashMap::default(),
                remembered: 0,
                old_cache: None,
                copy_state: super::record_copy::ImportState::new(),
            });
        };
        let old: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        let old_cache = Some(old);
        // No conflict target: either unique key (the subject's, or the cross-subject one of the
        // account-keyed kinds) means the record is already stored.
        let mut insert = conn.prepare_cached(
            "INSERT INTO power_record (subject_id, kind, key_digest, record_date, payload,
                source, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
             ON CONFLICT DO NOTHING",
        )?;
        let now = ts_to_sql(now);
        insert.raw_bind_parameter(6, source)?;
        insert.raw_bind_parameter(7, now.as_str())?;
        Ok(RecordImport {
            writer: self,
            insert: Some(insert),
            last_id: 0,
            expect_stored: false,
            bound_kind: None,
            source: source.to_string(),
            now,
            subjects: HashMap::default(),
            remembered: 0,
            old_cache,
            copy_state: super::record_copy::ImportState::new(),
        })
    }
}

impl RecordImport<'_, '_> {
    /// The subject a record names, by the record's [`Record::subject_parts`] (a code type and
    /// the code, or `account` and a 用户编号), remembered for the next rows of the same subject.
    pub fn resolve_subject(
        &mut self,
        (t, v): (&'static str, &str),
    ) -> Result<Option<SubjectId>, StoreError> {
        if let Some(id) = self.subjects.get(&(t, CodeKey::new(v))) {
            return Ok(Some(*id));
        }
        let found = self.writer.subject_named((t, v))?;
        if let Some(id) = found {
            self.remember(t, v, id);
        }
        Ok(found)
    }

    /// Look up together the subjects a batch of rows names (PostgreSQL: one query per batch
    /// instead of one per subject; every query is a round trip to the server). What is found is
    /// remembered for [`RecordImport::resolve_subject`]; what is not is looked up again there
    /// (row by row, as before), so the result never depends on this call. On SQLite, where a
    /// look-up is a function call, it does nothing.
    pub fn prefetch_subjects<'a>(
        &mut self,
        parts: impl Iterator<Item = (&'static str, &'a str)>,
    ) -> Result<(), StoreError> {
        if self.writer.conn.lite().is_some() {
            return Ok(());
        }
        // The values travel as one text split on the server (unit separator, U+001F): codes
        // and 用户编号 never hold it, and a value that does is left to the row-by-row path.
        const SEP: char = '\u{1f}';
        let mut codes = String::new();
        let mut accounts = String::new();
        let mut seen: foldhash::HashSet<(&'static str, &str)> = Default::default();
        for (t, v) in parts {
            if v.contains(SEP)
                || self.subjects.contains_key(&(t, CodeKey::new(v)))
                || !seen.insert((t, v))
            {
                continue;
            }
            let list = if t == "account" {
                &mut accounts
            } else {
                &mut codes
            };
            if !list.is_empty() {
                list.push(SEP);
            }
            list.push_str(v);
        }
        if seen.is_empty() {
            return Ok(());
        }
        let conn = self.writer.conn;
        let mut found: Vec<(String, String, i64)> = Vec::new();
        if !codes.is_empty() {
            let mut stmt = conn.prepare_cached(
                "SELECT code_type, code, id FROM subject
                 WHERE code = ANY (string_to_array(?1, chr(31)))",
            )?;
            let rows =
                stmt.query_map([codes.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            for r in rows {
                found.push(r?);
            }
        }
        if !accounts.is_empty() {
            let mut stmt = conn.prepare_cached(
                "SELECT 'account', account_no, subject_id FROM account
                 WHERE account_no = ANY (string_to_array(?1, chr(31)))",
            )?;
            let rows = stmt.query_map([accounts.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            for r in rows {
                found.push(r?);
            }
        }
        let types: Vec<&'static str> = {
            let mut t: Vec<&'static str> = seen.iter().map(|(t, _)| *t).collect();
            t.sort_unstable();
            t.dedup();
            t
        };
        for (t, v, id) in found {
            // Only a pair the batch asked for: the same code under another code type is a
            // different subject.
            let Some(t) = types.iter().copied().find(|s| *s == t) else {
                continue;
            };
            if seen.contains(&(t, v.as_str())) {
                self.remember(t, &v, SubjectId(id));
            }
        }
        Ok(())
    }

    /// Register the subject a record names (`--create-subjects`) and remember it under the
    /// record's subject parts.
    pub fn insert_subject(
        &mut self,
        (t, v): (&'static str, &str),
        s: &ValidSubject,
    ) -> Result<SubjectId, StoreError> {
        let id = self.writer.insert_subject_at(s, &self.now)?;
        self.copy_state.registered(id);
        self.remember(t, v, id);
        Ok(id)
    }

    fn remember(&mut self, t: &'static str, v: &str, id: SubjectId) {
        if self.remembered >= MAX_REMEMBERED_SUBJECTS {
            self.subjects.clear();
            self.remembered = 0;
        }
        self.remembered += 1;
        self.subjects.insert((t, CodeKey::new(v)), id);
    }

    /// Insert a record, or update the stored one with the same natural key when its content
    /// changed (as [`Writer::upsert_record`]). `enc` is the record prepared by
    /// [`EncodedRecord::new`], possibly on another thread.
    pub fn upsert(
        &mut self,
        subject: SubjectId,
        enc: &EncodedRecord,
    ) -> Result<Upsert, StoreError> {
        let conn = self.writer.conn;
        // A file is mostly new rows or mostly rows already stored (a re-import): try first what
        // the previous row turned out to be, so that each row costs one statement, not two.
        let existing = if self.expect_stored {
            find_by_key(conn, subject, enc)?
        } else {
            None
        };
        let existing = match existing {
            Some(found) => Some(found),
            None => {
                if self.insert_new(subject, enc)? {
                    self.expect_stored = false;
                    return Ok(Upsert::Inserted(RecordId(self.last_id)));
                }
                find_by_key(conn, subject, enc)?
            }
        };
        self.expect_stored = true;
        match existing {
            Some(Found { id, same: true, .. }) => Ok(Upsert::Unchanged(RecordId(id))),
            Some(Found { id, .. }) => {
                update_content(conn, id, subject, enc, &self.source, &self.now)?;
                Ok(Upsert::Updated(RecordId(id)))
            }
            // Refused by a unique key, yet not found by it: only a damaged index does this.
            None => Err(StoreError::BadData(format!(
                "用电记录 {} 无法写入：数据库索引可能已损坏，请联系系统管理员",
                enc.record()?.key().as_str()
            ))),
        }
    }

    /// [`RecordImport::upsert`] for many rows at once, in file order, with each row's result.
    /// On PostgreSQL the batch is looked up and written by COPY (`store/record_copy.rs`); on
    /// SQLite row by row, which is its fast path.
    pub fn upsert_batch(
        &mut self,
        rows: &[(SubjectId, &EncodedRecord)],
    ) -> Result<Vec<Upsert>, StoreError> {
        if self.insert.is_none() {
            return super::record_copy::upsert_batch(
                self.writer.conn,
                &mut self.copy_state,
                rows,
                &self.source,
                &self.now,
            );
        }
        rows.iter().map(|(s, enc)| self.upsert(*s, enc)).collect()
    }

    /// Insert the record unless its key is taken; whether it was inserted.
    fn insert_new(&mut self, subject: SubjectId, enc: &EncodedRecord) -> Result<bool, StoreError> {
        // No conflict target: either unique key (the subject's, or the cross-subject one of the
        // account-keyed kinds) means the record is already stored. The source and the time
        // (?6, ?7) stay bound from the start of the import, and the kind while it does not
        // change (a file holds one kind).
        let Some(ins) = &mut self.insert else {
            let mut date = [0u8; 10];
            let id: Option<i64> = self
                .writer
                .conn
                .prepare_cached(
                    "INSERT INTO power_record (subject_id, kind, key_digest, record_date, payload,
                        source, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                     ON CONFLICT DO NOTHING RETURNING id",
                )?
                .query_row(
                    super::sql::params![
                        subject.0,
                        enc.kind.key(),
                        enc.digest,
                        iso_date(enc.date, &mut date),
                        enc.payload,
                        self.source,
                        self.now
                    ],
                    |r| r.get(0),
                )
                .optional()?;
            self.last_id = id.unwrap_or(0);
            return Ok(id.is_some());
        };
        if self.bound_kind != Some(enc.kind) {
            ins.raw_bind_parameter(2, enc.kind.key())?;
            self.bound_kind = Some(enc.kind);
        }
        let mut date = [0u8; 10];
        ins.raw_bind_parameter(1, subject.0)?;
        ins.raw_bind_parameter(3, enc.digest)?;
        ins.raw_bind_parameter(4, iso_date(enc.date, &mut date))?;
        ins.raw_bind_parameter(5, enc.payload.as_slice())?;
        let inserted = ins.raw_execute()? == 1;
        if let Some(conn) = self.writer.conn.lite() {
            self.last_id = conn.last_insert_rowid();
        }
        Ok(inserted)
    }
}

/// A subject's code as the memo holds it: inline when short (every USCC, 证件号码 and 用户编号 in
/// practice), so that a lookup compares in place instead of following a pointer, on every row.
#[derive(Debug, PartialEq, Eq, Hash)]
enum CodeKey {
    Inline {
        len: u8,
        bytes: [u8; CodeKey::INLINE],
    },
    Heap(Box<str>),
}

impl CodeKey {
    const INLINE: usize = 30;

    fn new(code: &str) -> Self {
        let mut bytes = [0u8; Self::INLINE];
        match bytes.get_mut(..code.len()) {
            Some(inline) => {
                inline.copy_from_slice(code.as_bytes());
                Self::Inline {
                    len: code.len() as u8,
                    bytes,
                }
            }
            None => Self::Heap(code.into()),
        }
    }
}

impl Drop for RecordImport<'_, '_> {
    /// The cache size is not part of the transaction: put it back however the import ends.
    fn drop(&mut self) {
        if let Some(old) = self.old_cache {
            // Nothing useful can be done with a failure here; the setting only affects speed.
            if let Some(conn) = self.writer.conn.lite() {
                let _ = conn.pragma_update(None, "cache_size", old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_codes::{Uscc, uscc_check_char};
    use crate::domain::records::{ArrearsRecord, Fen, Record};
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
        let outcomes = st
            .write(|w| {
                let mut out = w.record_import("import:a.csv", now())?;
                assert_eq!(out.resolve_subject(arrears(100).subject_parts())?, None);
                let id = out.insert_subject(arrears(100).subject_parts(), &subject)?;
                // Remembered, and found by a fresh lookup too.
                assert_eq!(out.resolve_subject(arrears(250).subject_parts())?, Some(id));
                assert_eq!(w.subject_named(arrears(1).subject_parts())?, Some(id));
                let enc = EncodedRecord::new;
                let a = out.upsert(id, &enc(&arrears(100)))?;
                let b = out.upsert(id, &enc(&arrears(100)))?;
                // Same natural key (arrears are keyed without the amount), new content.
                let c = out.upsert(id, &enc(&arrears(250)))?;
                // A new row right after stored ones (the writer first looks for it).
                let mut later = arrears(80);
                if let Record::Arrears(a) = &mut later {
                    a.period_start = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
                    a.period_end = NaiveDate::from_ymd_opt(2025, 2, 28).unwrap();
                }
                let d = out.upsert(id, &enc(&later))?;
                assert!(matches!(d, Upsert::Inserted(_)), "{d:?}");
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
        assert_eq!(stored.len(), 2);
        assert_eq!(stored[0].record, arrears(250));
        assert_eq!(stored[0].source, "import:a.csv");
        // The page cache is back to what it was.
        let cache: i64 = st
            .lite()
            .query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0))
            .unwrap();
        assert_eq!(cache, -2000);
    }

    fn subject_named(body: &str, name: &str) -> ValidSubject {
        ValidSubject {
            kind: SubjectKind::Organization,
            code: SubjectCode::Uscc {
                code: Uscc::parse(&format!("{body}{}", uscc_check_char(body).unwrap())).unwrap(),
            },
            name: name.into(),
            legal_rep: None,
            founded_on: None,
            phone: String::new(),
            address: String::new(),
        }
    }

    /// Arrears of `s` for one month of 2025 (the month is the natural key).
    fn arrears_of(s: &ValidSubject, month: u32, amount: i64) -> Record {
        let start = NaiveDate::from_ymd_opt(2025, month, 1).unwrap();
        Record::Arrears(ArrearsRecord {
            subject: s.code.clone(),
            subject_name: s.name.clone(),
            account_no: None,
            arrears_type: "电费".into(),
            period_start: start,
            period_end: start,
            amount: Fen(amount),
            determined_by: None,
            determined_by_uscc: None,
            determined_on: None,
            reminded_on: None,
            just_cause: None,
            paid_off_on: None,
        })
    }

    crate::on_both_engines! {
    /// Batches see each other: a key written by an earlier batch of the same import is found
    /// again (for a subject registered by the import, whose rows skip the index probe on
    /// PostgreSQL, and for one with records from before), and an import rolled back leaves
    /// nothing, not even for the next import's ids.
    fn batches_of_one_import_see_each_other() {
        let mut st = crate::dev::engines::fresh_store();
        let a = subject_named("91440800MA4UMB8E0", "湛江市海港贸易有限公司");
        let b = subject_named("91440800MA4W2XY30", "湛江市赤坎五金商行");
        let enc = |r: &Record| EncodedRecord::new(r);
        let a_id = st
            .write(|w| {
                let mut out = w.record_import("import:old.csv", now())?;
                let id = out.insert_subject(arrears_of(&a, 1, 1).subject_parts(), &a)?;
                let e = enc(&arrears_of(&a, 1, 100));
                out.upsert_batch(&[(id, &e)])?;
                Ok::<_, StoreError>(id)
            })
            .unwrap();
        // An import that fails after its first batch: nothing of it stays.
        let failed = st.write(|w| {
            let mut out = w.record_import("import:broken.csv", now())?;
            let e = enc(&arrears_of(&a, 5, 500));
            out.upsert_batch(&[(a_id, &e)])?;
            Err::<(), _>(StoreError::BadData("中断".into()))
        });
        assert!(failed.is_err());
        assert_eq!(st.read().records_of(a_id).unwrap().len(), 1);
        let (b_id, first, second) = st
            .write(|w| {
                let mut out = w.record_import("import:new.csv", now())?;
                let b_id = out.insert_subject(arrears_of(&b, 1, 1).subject_parts(), &b)?;
                let rows1 = [
                    enc(&arrears_of(&a, 1, 100)),
                    enc(&arrears_of(&a, 2, 200)),
                    enc(&arrears_of(&b, 1, 300)),
                ];
                let first = out.upsert_batch(&[
                    (a_id, &rows1[0]),
                    (a_id, &rows1[1]),
                    (b_id, &rows1[2]),
                ])?;
                let rows2 = [
                    enc(&arrears_of(&b, 1, 310)),
                    enc(&arrears_of(&b, 2, 320)),
                    enc(&arrears_of(&a, 2, 200)),
                    enc(&arrears_of(&b, 2, 320)),
                ];
                let second = out.upsert_batch(&[
                    (b_id, &rows2[0]),
                    (b_id, &rows2[1]),
                    (a_id, &rows2[2]),
                    (b_id, &rows2[3]),
                ])?;
                Ok::<_, StoreError>((b_id, first, second))
            })
            .unwrap();
        assert!(matches!(first[0], Upsert::Unchanged(_)), "{first:?}");
        let (Upsert::Inserted(a2), Upsert::Inserted(b1)) = (first[1], first[2]) else {
            panic!("{first:?}")
        };
        assert!(a2.0 > 0 && b1.0 > a2.0, "{first:?}");
        assert_eq!(second[0], Upsert::Updated(b1), "{second:?}");
        let Upsert::Inserted(b2) = second[1] else {
            panic!("{second:?}")
        };
        assert_eq!(second[2], Upsert::Unchanged(a2));
        assert_eq!(second[3], Upsert::Unchanged(b2));
        let stored_b = st.read().records_of(b_id).unwrap();
        assert_eq!(stored_b.len(), 2);
        assert!(stored_b.iter().any(|r| r.record == arrears_of(&b, 1, 310)));
        assert_eq!(st.read().records_of(a_id).unwrap().len(), 2);
        // The ids the import reported are the stored ones.
        let mut ids: Vec<i64> = stored_b.iter().map(|r| r.id.0).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![b1.0, b2.0]);
    }
    }

    #[test]
    fn memo_keys_tell_every_code_apart() {
        let long = "A".repeat(CodeKey::INLINE + 1);
        let edge = "B".repeat(CodeKey::INLINE);
        assert_eq!(CodeKey::new("12"), CodeKey::new("12"));
        assert_ne!(CodeKey::new("12"), CodeKey::new("12\0"));
        assert_ne!(CodeKey::new(""), CodeKey::new("\0"));
        assert!(matches!(CodeKey::new(&edge), CodeKey::Inline { .. }));
        assert_eq!(CodeKey::new(&long), CodeKey::Heap(long.clone().into()));
        assert_ne!(CodeKey::new(&long), CodeKey::new(&long[1..]));
    }

    #[test]
    fn account_keyed_records_are_unique_across_subjects() {
        use crate::domain::records::ViolationRecord;
        let mut st = Store::open_in_memory().unwrap();
        let subject = |code: SubjectCode, name: &str| ValidSubject {
            kind: SubjectKind::Organization,
            code,
            name: name.into(),
            legal_rep: None,
            founded_on: None,
            phone: String::new(),
            address: String::new(),
        };
        let other = {
            let body = "91440800MA4UMB9F1";
            SubjectCode::Uscc {
                code: Uscc::parse(&format!("{body}{}", uscc_check_char(body).unwrap())).unwrap(),
            }
        };
        let violation = Record::Violation(ViolationRecord {
            account_no: "0300000001".into(),
            user_name: "湛江市海港贸易有限公司".into(),
            occurred_on: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            amount: None,
            energy: None,
            days: None,
            total_amount: Fen(50_000),
            period_text: "2025年3月".into(),
        });
        let enc = EncodedRecord::new(&violation);
        let (a, b, first, same, moved) = st
            .write(|w| {
                let a = w.insert_subject(&subject(code(), "甲"), now())?;
                let b = w.insert_subject(&subject(other, "乙"), now())?;
                let mut out = w.record_import("import:v.csv", now())?;
                let first = out.upsert(a, &enc)?;
                // The account now resolves to another subject: the row is found, not doubled,
                // and stays with its subject while its content is the same ...
                let same = out.upsert(b, &enc)?;
                // ... while a changed row follows the account (as a re-import always did).
                let mut changed = violation.clone();
                if let Record::Violation(v) = &mut changed {
                    v.user_name = "湛江市乙公司".into();
                }
                let moved = out.upsert(b, &EncodedRecord::new(&changed))?;
                Ok::<_, StoreError>((a, b, first, same, moved))
            })
            .unwrap();
        let Upsert::Inserted(id) = first else {
            panic!("{first:?}")
        };
        assert_eq!(same, Upsert::Unchanged(id));
        assert_eq!(moved, Upsert::Updated(id));
        assert!(st.read().records_of(a).unwrap().is_empty());
        assert_eq!(st.read().records_of(b).unwrap().len(), 1);
        assert_eq!(
            st.read().record_by_key(a, &violation).unwrap(),
            Some((id, b))
        );
    }
}
