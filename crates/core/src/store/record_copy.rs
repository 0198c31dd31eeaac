//! The bulk import's PostgreSQL path (issue 17, point 3): one batch of rows at a time, looked up
//! together and written by COPY, with the result of each row exactly as
//! [`super::RecordImport::upsert`] gives it row by row.
//!
//! Per batch: the rows' (subject, key digest) go as arrays into one join that finds the records
//! already stored; each row is then decided in file order (a key met
//! earlier in the same batch counts as stored); new rows get ids from the table's identity
//! sequence and go into `power_record` by one binary COPY; changed ones are updated one by one (a
//! re-import changes few). The import holds the write lock, so nothing else writes meanwhile.

use std::collections::HashMap;

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
    // 1. The stored records with these keys: the batch's keys go as arrays (no temporary
    // table, no round trip to fill it), and one join probes the (subject, key digest) index
    // per row. Hash and merge joins are switched off for it: the planner would otherwise
    // read the whole table to build a hash for a large batch.
    let mut ords: Vec<i64> = Vec::with_capacity(rows.len());
    let mut subjects: Vec<i64> = Vec::with_capacity(rows.len());
    let mut digests: Vec<i64> = Vec::with_capacity(rows.len());
    let mut across_ords: Vec<i64> = Vec::new();
    let mut across_digests: Vec<i64> = Vec::new();
    for (i, (subject, enc)) in rows.iter().enumerate() {
        let ord = i64::try_from(i).unwrap_or(i64::MAX);
        if keyed_across_subjects(enc.kind) {
            across_ords.push(ord);
            across_digests.push(enc.digest);
        } else {
            ords.push(ord);
            subjects.push(subject.0);
            digests.push(enc.digest);
        }
    }
    let mut found: Vec<(i64, i64, Vec<u8>)> = Vec::new();
    {
        let mut client = pg.client();
        client
            .batch_execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
            .map_err(map)?;
        if !ords.is_empty() {
            for r in client
                .query(
                    "SELECT k.ord, p.id, p.payload
                       FROM unnest($1::int8[], $2::int8[], $3::int8[]) AS k (ord, subject_id, key_digest)
                       JOIN power_record p
                         ON p.subject_id = k.subject_id AND p.key_digest = k.key_digest
                      WHERE p.kind NOT IN ('violation_usage', 'theft')",
                    &[&ords, &subjects, &digests],
                )
                .map_err(map)?
            {
                found.push((r.try_get(0).map_err(map)?, r.try_get(1).map_err(map)?, r.try_get(2).map_err(map)?));
            }
        }
        if !across_ords.is_empty() {
            for r in client
                .query(
                    "SELECT k.ord, p.id, p.payload
                       FROM unnest($1::int8[], $2::int8[]) AS k (ord, key_digest)
                       JOIN power_record p
                         ON p.key_digest = k.key_digest AND p.kind IN ('violation_usage', 'theft')",
                    &[&across_ords, &across_digests],
                )
                .map_err(map)?
            {
                found.push((
                    r.try_get(0).map_err(map)?,
                    r.try_get(1).map_err(map)?,
                    r.try_get(2).map_err(map)?,
                ));
            }
        }
        client
            .batch_execute("SET LOCAL enable_hashjoin = on; SET LOCAL enable_mergejoin = on")
            .map_err(map)?;
    }
    let mut stored: HashMap<usize, Known> = HashMap::with_capacity(found.len());
    for (ord, id, payload) in found {
        stored.insert(
            usize::try_from(ord).unwrap_or(usize::MAX),
            Known { id, payload },
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
        // Binary COPY: the payload goes as its bytes (text COPY doubles it into hex, which
        // the server then decodes), and no value is formatted or parsed as text.
        let mut client = pg.client();
        let sink = client
            .copy_in(
                "COPY power_record (id, subject_id, kind, key_digest, record_date, payload,
                     source, created_at, updated_at) FROM STDIN (FORMAT binary)",
            )
            .map_err(map)?;
        use postgres::types::Type;
        let mut w = postgres::binary_copy::BinaryCopyInWriter::new(
            sink,
            &[
                Type::INT8,
                Type::INT8,
                Type::TEXT,
                Type::INT8,
                Type::TEXT,
                Type::BYTEA,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
            ],
        );
        let mut date = [0u8; 10];
        for (provisional, subject, enc) in &inserts {
            let id = real.get(provisional).copied().unwrap_or(0);
            let day = iso_date(enc.date, &mut date);
            w.write(&[
                &id,
                &subject.0,
                &enc.kind.key(),
                &enc.digest,
                &day,
                &enc.payload.as_slice(),
                &source,
                &now,
                &now,
            ])
            .map_err(map)?;
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
