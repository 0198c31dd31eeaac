//! The bulk import's PostgreSQL path (issue 17, point 3): one batch of rows at a time, looked up
//! together and written by COPY, with the result of each row exactly as
//! [`super::RecordImport::upsert`] gives it row by row.
//!
//! Per batch: the rows' (subject, kind, key digest) go by COPY into a temporary table and one
//! join finds the records already stored; each row is then decided in file order (a key met
//! earlier in the same batch counts as stored); new rows get ids from the table's identity
//! sequence and go into `power_record` by one COPY; changed ones are updated one by one (a
//! re-import changes few). The import holds the write lock, so nothing else writes meanwhile.

use std::collections::HashMap;
use std::io::Write;

use super::records::{EncodedRecord, Upsert, digest_clash, keyed_across_subjects, update_content};
use super::sql::{Conn, Value};
use super::{StoreError, bulk::iso_date};
use crate::domain::records::RecordId;
use crate::domain::subject::SubjectId;

/// Where a natural key is unique: under its subject, or across subjects (violation, theft).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Scope {
    Subject(i64),
    Across,
}

fn scope(subject: SubjectId, enc: &EncodedRecord) -> Scope {
    if keyed_across_subjects(enc.kind) {
        Scope::Across
    } else {
        Scope::Subject(subject.0)
    }
}

/// A record as this batch knows it: its id (negative until a new row gets its real one) and
/// its stored form.
struct Known {
    id: i64,
    payload: Vec<u8>,
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Sqlite(format!("写入数据库服务器时出错（{e}）"))
}

/// Write one batch; `rows` in file order.
pub(super) fn upsert_batch(
    conn: Conn<'_>,
    rows: &[(SubjectId, &EncodedRecord)],
    source: &str,
    now: &str,
) -> Result<Vec<Upsert>, StoreError> {
    let Some(pg) = conn.pg_conn() else {
        return Err(StoreError::Sqlite(
            "内部错误：批量写入只用于数据库服务器".into(),
        ));
    };
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let map = |e: postgres::Error| super::postgres::store_error(&e, pg.target());
    // 1. The stored records with these keys.
    pg.batch(
        "CREATE TEMP TABLE IF NOT EXISTS xyd_import_keys (
             ord BIGINT, subject_id BIGINT, across BOOLEAN, key_digest BIGINT
         ) ON COMMIT DROP;
         TRUNCATE xyd_import_keys",
    )?;
    {
        let mut client = pg.client();
        let mut w = client
            .copy_in("COPY xyd_import_keys (ord, subject_id, across, key_digest) FROM STDIN")
            .map_err(map)?;
        let mut line = String::with_capacity(64);
        for (i, (subject, enc)) in rows.iter().enumerate() {
            use std::fmt::Write as _;
            line.clear();
            let across = if keyed_across_subjects(enc.kind) {
                "t"
            } else {
                "f"
            };
            let _ = writeln!(line, "{i}\t{}\t{across}\t{}", subject.0, enc.digest);
            w.write_all(line.as_bytes()).map_err(io)?;
        }
        w.finish().map_err(map)?;
    }
    // The planner learns the batch's size (a temporary table has no statistics), so that it
    // probes the (subject, key digest) index once per row instead of scanning the table.
    pg.batch("ANALYZE xyd_import_keys")?;
    let mut found = conn.rows(
        "SELECT k.ord, p.id, p.payload FROM xyd_import_keys k
         JOIN power_record p ON p.subject_id = k.subject_id AND p.key_digest = k.key_digest
         WHERE NOT k.across AND p.kind NOT IN ('violation_usage', 'theft')",
        vec![],
    )?;
    if rows.iter().any(|(_, enc)| keyed_across_subjects(enc.kind)) {
        found.extend(conn.rows(
            "SELECT k.ord, p.id, p.payload FROM xyd_import_keys k
             JOIN power_record p ON p.key_digest = k.key_digest
                  AND p.kind IN ('violation_usage', 'theft')
             WHERE k.across",
            vec![],
        )?);
    }
    let mut stored: HashMap<usize, Known> = HashMap::with_capacity(found.len());
    for r in &found {
        let ord: i64 = r.get(0)?;
        stored.insert(
            usize::try_from(ord).unwrap_or(usize::MAX),
            Known {
                id: r.get(1)?,
                payload: r.get(2)?,
            },
        );
    }
    // 2. Each row in file order.
    let mut seen: HashMap<(Scope, i64), usize> = HashMap::new();
    let mut known: Vec<Known> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut inserts: Vec<(i64, SubjectId, &EncodedRecord)> = Vec::new();
    let mut insert_at: HashMap<i64, usize> = HashMap::new();
    let mut updates: Vec<(i64, SubjectId, &EncodedRecord)> = Vec::new();
    let mut need_ids = 0usize;
    for (i, (subject, enc)) in rows.iter().enumerate() {
        let key = (scope(*subject, enc), enc.digest);
        let slot = match seen.get(&key) {
            Some(&k) => Some(k),
            None => stored.remove(&i).map(|s| {
                known.push(s);
                seen.insert(key, known.len() - 1);
                known.len() - 1
            }),
        };
        match slot {
            Some(k) => {
                if known[k].payload == enc.payload {
                    out.push(Upsert::Unchanged(RecordId(known[k].id)));
                    continue;
                }
                // Equal digests, different content: the keys must be equal too.
                let stored_record = super::records::decode_payload(
                    known[k].id,
                    &Value::Blob(known[k].payload.clone()),
                )?;
                let record = enc.record()?;
                if stored_record.key() != record.key() {
                    return Err(digest_clash(&record));
                }
                known[k].payload.clone_from(&enc.payload);
                out.push(Upsert::Updated(RecordId(known[k].id)));
                if known[k].id < 0 {
                    // A row inserted earlier in this batch: insert the newer content instead.
                    if let Some(&at) = insert_at.get(&known[k].id) {
                        inserts[at] = (known[k].id, *subject, enc);
                    }
                } else {
                    updates.push((known[k].id, *subject, enc));
                }
            }
            None => {
                // A new key: a provisional id until the sequence gives the real one.
                need_ids += 1;
                let provisional = -(need_ids as i64);
                known.push(Known {
                    id: provisional,
                    payload: enc.payload.clone(),
                });
                seen.insert(key, known.len() - 1);
                insert_at.insert(provisional, inserts.len());
                inserts.push((provisional, *subject, enc));
                out.push(Upsert::Inserted(RecordId(provisional)));
            }
        }
    }
    // 3. Ids for the new rows, then one COPY.
    let mut real: HashMap<i64, i64> = HashMap::with_capacity(inserts.len());
    if !inserts.is_empty() {
        let ids = conn.rows(
            "SELECT nextval(pg_get_serial_sequence('power_record', 'id'))
             FROM generate_series(1, ?1)",
            vec![Value::Int(i64::try_from(inserts.len()).unwrap_or(i64::MAX))],
        )?;
        for ((provisional, _, _), r) in inserts.iter().zip(&ids) {
            real.insert(*provisional, r.get(0)?);
        }
        let mut client = pg.client();
        let mut w = client
            .copy_in(
                "COPY power_record (id, subject_id, kind, key_digest, record_date, payload,
                     source, created_at, updated_at) FROM STDIN",
            )
            .map_err(map)?;
        let mut line: Vec<u8> = Vec::with_capacity(512);
        let tail = {
            let mut t = Vec::new();
            super::copy::copy_text(&Value::Text(source.to_string()), &mut t);
            t.push(b'\t');
            t.extend_from_slice(now.as_bytes());
            t.push(b'\t');
            t.extend_from_slice(now.as_bytes());
            t.push(b'\n');
            t
        };
        for (provisional, subject, enc) in &inserts {
            line.clear();
            let id = real.get(provisional).copied().unwrap_or(0);
            let mut date = [0u8; 10];
            line.extend_from_slice(
                format!(
                    "{id}\t{}\t{}\t{}\t{}\t",
                    subject.0,
                    enc.kind.key(),
                    enc.digest,
                    iso_date(enc.date, &mut date)
                )
                .as_bytes(),
            );
            line.extend_from_slice(b"\\\\x");
            line.extend_from_slice(hex::encode(&enc.payload).as_bytes());
            line.push(b'\t');
            line.extend_from_slice(&tail);
            w.write_all(&line).map_err(io)?;
        }
        w.finish().map_err(map)?;
    }
    // 4. The changed records.
    for (id, subject, enc) in &updates {
        update_content(conn, *id, *subject, enc, source, now)?;
    }
    // Provisional ids become real ones.
    for u in &mut out {
        match u {
            Upsert::Inserted(RecordId(id))
            | Upsert::Updated(RecordId(id))
            | Upsert::Unchanged(RecordId(id))
                if *id < 0 =>
            {
                *id = real.get(id).copied().unwrap_or(0);
            }
            _ => {}
        }
    }
    Ok(out)
}
