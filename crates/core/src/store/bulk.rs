//! Loading many subjects in one transaction (demo data, benchmarks). Row by row, the name-index
//! triggers of migrations 1 and 4 dominate the cost and the default page cache spills to the WAL;
//! here the insert triggers are suspended, the page cache is enlarged, and both name indexes are
//! filled set-wise at the end, in the same transaction. The triggers are recreated from their own
//! stored SQL before the transaction commits, so the schema seen by everyone else never changes,
//! and a failed or cancelled load rolls the DROP back together with the rows.

use std::cell::RefCell;

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, Writer, ts_to_sql};
use crate::domain::subject::{AccountId, SubjectId, ValidAccount, ValidSubject};
pub(super) use crate::domain::text::iso_date;

/// `AFTER INSERT ON subject` triggers whose work [`fill_name_indexes`] does in bulk.
const DEFERRED_TRIGGERS: &[&str] = &["subject_fts_ai", "subject_ngram_ai"];

/// Page cache during a bulk load, in KiB (negative `cache_size`): the indexes being built stay in
/// memory instead of spilling to the WAL.
const BULK_CACHE_KIB: i64 = 256 * 1024;

/// Inserts available inside [`Writer::bulk_subjects`].
pub struct SubjectBulk<'w, 'c> {
    writer: &'w Writer<'c>,
    now: String,
    grams: RefCell<String>,
}

impl SubjectBulk<'_, '_> {
    /// Register a subject (see [`Writer::insert_subject`]) and index its name for one- and
    /// two-character search. The grams are built here rather than by the trigger's SQL, which
    /// re-walks the UTF-8 name for every position.
    pub fn insert_subject(&self, s: &ValidSubject) -> Result<SubjectId, StoreError> {
        let id = self.writer.insert_subject_at(s, &self.now)?;
        let mut grams = self.grams.borrow_mut();
        name_grams(&s.name, &mut grams);
        // PostgreSQL's trigram index is kept by the server itself.
        if let Some(conn) = self.writer.conn.lite() {
            conn.prepare_cached("INSERT INTO subject_ngram (rowid, grams) VALUES (?1, ?2)")?
                .execute(params![id.0, grams.as_str()])?;
        }
        Ok(id)
    }

    /// Add an account to a subject registered in this load. Unlike [`Writer::insert_account`]
    /// the subject is not touched: it was created at the same instant.
    pub fn insert_account(
        &self,
        subject: SubjectId,
        a: &ValidAccount,
    ) -> Result<AccountId, StoreError> {
        self.writer.insert_account_at(subject, a, &self.now)
    }
}

/// The content `subject_ngram_ai` (migration 7) indexes for `name`: every character and every
/// pair of neighbouring characters, space-separated (order does not matter to the index).
fn name_grams(name: &str, out: &mut String) {
    out.clear();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        out.push(' ');
        out.push(c);
        if let Some(&next) = chars.peek() {
            out.push(next);
        }
        out.push(' ');
    }
}

impl Writer<'_> {
    /// Run `f`, which inserts many subjects, with the name-index triggers suspended and a large
    /// page cache; then index the new names in two set-wise statements and restore the triggers.
    /// All inside the caller's transaction: an error from `f` rolls everything back.
    pub fn bulk_subjects<T, E>(
        &self,
        now: NaiveDateTime,
        f: impl FnOnce(&SubjectBulk<'_, '_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let Some(conn) = self.conn.lite() else {
            // PostgreSQL: nothing to suspend; the rows go in one by one.
            return f(&SubjectBulk {
                writer: self,
                now: ts_to_sql(now),
                grams: RefCell::new(String::new()),
            });
        };
        let first_new: i64 = conn
            .query_row("SELECT coalesce(max(id), 0) + 1 FROM subject", [], |r| {
                r.get(0)
            })
            .map_err(StoreError::from)?;
        let triggers = suspend_triggers(conn)?;
        let old_cache: i64 = conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)
            .map_err(StoreError::from)?;
        let out = f(&SubjectBulk {
            writer: self,
            now: ts_to_sql(now),
            grams: RefCell::new(String::new()),
        })
        .and_then(|v| {
            fill_name_indexes(conn, first_new)?;
            for sql in &triggers {
                conn.execute_batch(sql).map_err(StoreError::from)?;
            }
            Ok(v)
        });
        // The cache size is not part of the transaction: put it back on every path.
        let restored = conn.pragma_update(None, "cache_size", old_cache);
        let v = out?;
        restored.map_err(StoreError::from)?;
        Ok(v)
    }
}

/// Drop the deferred triggers and return their SQL, to recreate them exactly as they were.
fn suspend_triggers(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut saved = Vec::new();
    for name in DEFERRED_TRIGGERS {
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        let Some(sql) = sql else {
            return Err(StoreError::BadData(format!("缺少触发器 {name}")));
        };
        conn.execute_batch(&format!("DROP TRIGGER {name}"))?;
        saved.push(sql);
    }
    Ok(saved)
}

/// What the trigger `subject_fts_ai` (migration 1) would have done for every subject from
/// `first_new` on (`subject_ngram_ai`'s work is done row by row by [`SubjectBulk`]).
fn fill_name_indexes(conn: &Connection, first_new: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO subject_fts (rowid, name) SELECT id, name FROM subject WHERE id >= ?1",
        [first_new],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_are_what_the_trigger_indexes() {
        let conn = Connection::open_in_memory().unwrap();
        let mut grams = String::new();
        for name in ["陈海明", "A", "湛江 AB（霞山）", "", "ab"] {
            name_grams(name, &mut grams);
            let sql: String = conn
                .query_row(
                    "WITH RECURSIVE p (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 64)
                     SELECT coalesce(group_concat(substr(?1, n, 1) || ' ' || substr(?1, n, 2), ' '), '')
                     FROM p WHERE n <= length(?1)",
                    [name],
                    |r| r.get(0),
                )
                .unwrap();
            let mut a: Vec<&str> = grams.split_whitespace().collect();
            let mut b: Vec<&str> = sql.split_whitespace().collect();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{name}");
        }
    }
}
