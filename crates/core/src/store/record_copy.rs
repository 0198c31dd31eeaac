//! The bulk import's PostgreSQL path (issue 17, point 3): one batch of rows at a time, looked up
//! together and written by COPY, with the result of each row exactly as
//! [`super::RecordImport::upsert`] gives it row by row.
//!
//! Per batch: the rows' (subject, key digest) go as arrays into one join that finds the records
//! already stored; each row is then decided in file order (a key met
//! earlier in the same batch counts as stored); new rows get ids from the table's identity
//! sequence and go into `power_record` by one binary COPY; changed ones are updated one by one (a
//! re-import changes few). The import holds the write lock, so nothing else writes meanwhile.
//!
//! A first import is mostly subjects with no records yet, and probing the key index for each of
//! their rows was a third of its server time (issue 17). So [`ImportState`] asks once per
//! subject whether it had any record when the import began; a row of such a subject skips the
//! probe unless this import may already have written its key (a Bloom filter of the keys
//! written, bounded in size: a false "maybe" costs one probe, never a wrong answer).

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

/// Subjects whose record-less start one import remembers; past this the memo starts again
/// (memory stays bounded; a subject asked again then counts as having records, which only
/// costs probes).
const MAX_FRESH_SUBJECTS: usize = 1_000_000;

/// Bits of the Bloom filter of the keys one import has written: 2 MiB. At a million keys a
/// record-less subject's row is probed needlessly about once in 500; at ten million, often.
const BLOOM_BITS: usize = 1 << 24;
const BLOOM_HASHES: u64 = 4;

/// What one import on PostgreSQL knows between batches.
pub(super) struct ImportState {
    /// Subject → it had no record when the import began.
    fresh: foldhash::HashMap<i64, bool>,
    /// The (subject, key digest) pairs this import has written for record-less subjects.
    /// Hand-written (a few lines) rather than a crate: the digest is already a hash.
    written: Vec<u64>,
}

impl ImportState {
    pub(super) fn new() -> Self {
        Self {
            fresh: Default::default(),
            written: Vec::new(),
        }
    }

    /// A subject this import registered: it has no records.
    pub(super) fn registered(&mut self, subject: SubjectId) {
        self.remember(subject.0, true);
    }

    fn remember(&mut self, subject: i64, fresh: bool) {
        if self.fresh.len() >= MAX_FRESH_SUBJECTS {
            self.fresh.clear();
        }
        self.fresh.insert(subject, fresh);
    }

    fn bloom_bits(subject: i64, digest: i64) -> impl Iterator<Item = usize> {
        // Two hashes of the pair (splitmix64 finaliser), combined as h1 + i·h2.
        let mix = |mut z: u64| {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let h1 = mix((digest as u64) ^ (subject as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let h2 = mix(h1) | 1;
        (0..BLOOM_HASHES).map(move |i| (h1.wrapping_add(i.wrapping_mul(h2)) as usize) % BLOOM_BITS)
    }

    fn note_written(&mut self, subject: i64, digest: i64) {
        if self.written.is_empty() {
            self.written = vec![0; BLOOM_BITS / 64];
        }
        for b in Self::bloom_bits(subject, digest) {
            self.written[b / 64] |= 1 << (b % 64);
        }
    }

    /// Whether this import may have written the key (false: it certainly has not).
    fn may_have_written(&self, subject: i64, digest: i64) -> bool {
        !self.written.is_empty()
            && Self::bloom_bits(subject, digest)
                .all(|b| self.written[b / 64] & (1 << (b % 64)) != 0)
    }
}

/// Write one batch; `rows` in file order.
pub(super) fn upsert_batch(
    conn: Conn<'_>,
    state: &mut ImportState,
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
    // 0. Whether each subject of the batch had records when the import began, asked once per
    // subject (one probe of the index's leading column each).
    {
        let mut ask: Vec<i64> = rows
            .iter()
            .filter(|(s, enc)| !keyed_across_subjects(enc.kind) && !state.fresh.contains_key(&s.0))
            .map(|(s, _)| s.0)
            .collect();
        ask.sort_unstable();
        ask.dedup();
        if !ask.is_empty() {
            let mut client = pg.client();
            let with_records: std::collections::HashSet<i64> = client
                .query(
                    "SELECT s FROM unnest($1::int8[]) AS s
                      WHERE EXISTS (SELECT 1 FROM power_record p WHERE p.subject_id = s)",
                    &[&ask],
                )
                .map_err(map)?
                .iter()
                .map(|r| r.try_get::<_, i64>(0))
                .collect::<Result<_, _>>()
                .map_err(map)?;
            for s in ask {
                state.remember(s, !with_records.contains(&s));
            }
        }
    }
    // 1. The stored records with these keys: the batch's keys go as arrays (no temporary
    // table, no round trip to fill it), and one join probes the (subject, key digest) index
    // per row that needs it (see 0). Hash and merge joins are switched off for it: the
    // planner would otherwise read the whole table to build a hash for a large batch.
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
        } else if state.fresh.get(&subject.0) == Some(&true)
            && !state.may_have_written(subject.0, enc.digest)
        {
            // A subject with no record before the import, and a key this import has not
            // written: nothing stored can have it.
        } else {
            ords.push(ord);
            subjects.push(subject.0);
            digests.push(enc.digest);
        }
    }
    let mut found: Vec<(i64, i64, Vec<u8>)> = Vec::new();
    if !ords.is_empty() || !across_ords.is_empty() {
        let mut client = pg.client();
        // JIT compiling each batch's join cost more than the join (issue 17 profile).
        client
            .batch_execute(
                "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;
                 SET LOCAL jit = off",
            )
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
    // Indexed by the row's place in the batch (no hashing per row: a batch is 64k rows).
    let mut stored: Vec<Option<Known>> = Vec::new();
    if !found.is_empty() {
        stored.resize_with(rows.len(), || None);
        for (ord, id, payload) in found {
            if let Some(slot) = usize::try_from(ord).ok().and_then(|o| stored.get_mut(o)) {
                *slot = Some(Known { id, payload });
            }
        }
    }
    // 2. Each row in file order. A new row's provisional id is -(1 + its place in `inserts`),
    // so that it leads back to its insert without a map.
    let mut seen: foldhash::HashMap<(Scope, i64), usize> =
        foldhash::HashMap::with_capacity_and_hasher(rows.len(), Default::default());
    let mut known: Vec<Known> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut inserts: Vec<(SubjectId, &EncodedRecord)> = Vec::new();
    let mut updates: Vec<(i64, SubjectId, &EncodedRecord)> = Vec::new();
    for (i, (subject, enc)) in rows.iter().enumerate() {
        let key = (scope(*subject, enc), enc.digest);
        let slot = match seen.get(&key) {
            Some(&k) => Some(k),
            None => stored.get_mut(i).and_then(Option::take).map(|s| {
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
                match insert_index(known[k].id) {
                    // A row inserted earlier in this batch: insert the newer content instead.
                    Some(at) => {
                        if let Some(slot) = inserts.get_mut(at) {
                            *slot = (*subject, enc);
                        }
                    }
                    None => updates.push((known[k].id, *subject, enc)),
                }
            }
            None => {
                // A new key: a provisional id until the sequence gives the real one.
                let provisional = -1 - i64::try_from(inserts.len()).unwrap_or(i64::MAX - 1);
                known.push(Known {
                    id: provisional,
                    payload: enc.payload.clone(),
                });
                seen.insert(key, known.len() - 1);
                inserts.push((*subject, enc));
                out.push(Upsert::Inserted(RecordId(provisional)));
            }
        }
    }
    drop(seen);
    drop(known);
    // 3. Ids for the new rows, then one COPY.
    let mut first_id = 0i64;
    if !inserts.is_empty() {
        // One block of ids from the identity sequence in one statement (not a nextval per
        // row): safe because every writer holds the write lock, so no other session takes ids
        // between the two calls; like nextval, the block is not given back on rollback.
        let n = i64::try_from(inserts.len()).unwrap_or(i64::MAX);
        let last: i64 = conn
            .rows(
                "SELECT setval(pg_get_serial_sequence('power_record', 'id'),
                        nextval(pg_get_serial_sequence('power_record', 'id')) + ?1 - 1)",
                vec![Value::Int(n)],
            )?
            .first()
            .map(|r| r.get(0))
            .transpose()?
            .ok_or_else(|| StoreError::BadData("内部错误：没有取得记录编号".into()))?;
        first_id = last - n + 1;
        for (subject, enc) in &inserts {
            if state.fresh.get(&subject.0) == Some(&true) && !keyed_across_subjects(enc.kind) {
                state.note_written(subject.0, enc.digest);
            }
        }
        copy_rows(pg, &inserts, first_id, source, now)?;
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
            | Upsert::Unchanged(RecordId(id)) => {
                if let Some(at) = insert_index(*id) {
                    *id = first_id + i64::try_from(at).unwrap_or(0);
                }
            }
        }
    }
    Ok(out)
}

/// The place in the batch's inserts that a provisional id stands for (see step 2 of
/// [`upsert_batch`]); `None` for a stored record's real id.
fn insert_index(id: i64) -> Option<usize> {
    (id < 0).then(|| usize::try_from(-1 - id).ok()).flatten()
}

/// Bytes handed to the connection at a time during the COPY.
const COPY_CHUNK: usize = 1 << 20;

/// The new rows by one binary COPY, ids `first_id`, `first_id + 1`, … in order.
///
/// The tuples are framed here into a large buffer, not by `postgres::binary_copy`, whose
/// writer enters the connection's runtime once per row (a third of the writing thread's time
/// in the issue 17 profile). The format is PostgreSQL's documented binary COPY: a header,
/// then per tuple a 16-bit field count and per field a 32-bit length and the value (int8 in
/// network order, text as UTF-8, bytea as its bytes), then a −1 trailer. Binary, so that the
/// payload goes as its bytes (text COPY doubles it into hex) and nothing is parsed as text.
fn copy_rows(
    pg: &super::sql::PgConn,
    inserts: &[(SubjectId, &EncodedRecord)],
    first_id: i64,
    source: &str,
    now: &str,
) -> Result<(), StoreError> {
    use std::io::Write;
    let map = |e: postgres::Error| super::postgres::store_error(&e, pg.target());
    let mut client = pg.client();
    let mut sink = client
        .copy_in(
            "COPY power_record (id, subject_id, kind, key_digest, record_date, payload,
                 source, created_at, updated_at) FROM STDIN (FORMAT binary)",
        )
        .map_err(map)?;
    let mut buf: Vec<u8> = Vec::with_capacity(COPY_CHUNK + 4096);
    buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    buf.extend_from_slice(&0i32.to_be_bytes()); // flags: no OIDs
    buf.extend_from_slice(&0i32.to_be_bytes()); // no header extension
    let mut date = [0u8; 10];
    for (id, (subject, enc)) in (first_id..).zip(inserts) {
        buf.extend_from_slice(&9i16.to_be_bytes());
        field(&mut buf, &id.to_be_bytes())?;
        field(&mut buf, &subject.0.to_be_bytes())?;
        field(&mut buf, enc.kind.key().as_bytes())?;
        field(&mut buf, &enc.digest.to_be_bytes())?;
        field(&mut buf, iso_date(enc.date, &mut date).as_bytes())?;
        field(&mut buf, &enc.payload)?;
        field(&mut buf, source.as_bytes())?;
        field(&mut buf, now.as_bytes())?;
        field(&mut buf, now.as_bytes())?;
        if buf.len() >= COPY_CHUNK {
            send(&mut sink, &buf, pg.target())?;
            buf.clear();
        }
    }
    buf.extend_from_slice(&(-1i16).to_be_bytes());
    send(&mut sink, &buf, pg.target())?;
    sink.finish().map_err(map)?;
    return Ok(());

    fn field(buf: &mut Vec<u8>, value: &[u8]) -> Result<(), StoreError> {
        // Every value here is far below 2 GiB (a payload is a few hundred bytes, a text a
        // file name); one that is not cannot be framed, and the import stops unwritten.
        let len = i32::try_from(value.len()).map_err(|_| {
            StoreError::BadData("一条记录的内容过长，无法写入：请检查导入文件".into())
        })?;
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(value);
        Ok(())
    }

    fn send(
        sink: &mut postgres::CopyInWriter<'_>,
        bytes: &[u8],
        target: &str,
    ) -> Result<(), StoreError> {
        // The writer fails only when sending fails; it wraps the connection's error.
        sink.write_all(bytes).map_err(|e| {
            let detail = e.to_string();
            match e
                .into_inner()
                .map(|inner| inner.downcast::<postgres::Error>())
            {
                Some(Ok(pg)) => super::postgres::store_error(&pg, target),
                _ => StoreError::Unreachable {
                    target: target.to_string(),
                    detail: format!("发送数据时连接中断（{detail}）"),
                },
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_never_forgets_a_written_key() {
        let mut st = ImportState::new();
        assert!(!st.may_have_written(1, 42));
        for i in 0..100_000i64 {
            st.note_written(i % 700, i.wrapping_mul(0x9e37_79b9));
        }
        for i in 0..100_000i64 {
            assert!(st.may_have_written(i % 700, i.wrapping_mul(0x9e37_79b9)));
        }
        // Keys never written: rarely a "maybe" (about 1e-6 at this fill).
        let maybes = (0..100_000i64)
            .filter(|i| st.may_have_written(1_000 + i, *i))
            .count();
        assert!(maybes < 100, "{maybes}");
    }

    #[test]
    fn a_provisional_id_leads_back_to_its_insert() {
        assert_eq!(insert_index(-1), Some(0));
        assert_eq!(insert_index(-65_536), Some(65_535));
        // Real ids (and 0, never given) are not provisional.
        assert_eq!(insert_index(1), None);
        assert_eq!(insert_index(0), None);
        assert_eq!(insert_index(i64::MIN), usize::try_from(i64::MAX).ok());
    }

    #[test]
    fn the_subject_memo_stays_bounded() {
        let mut st = ImportState::new();
        for s in 0..(MAX_FRESH_SUBJECTS as i64 + 10) {
            st.remember(s, true);
        }
        assert!(st.fresh.len() <= MAX_FRESH_SUBJECTS);
        assert_eq!(st.fresh.get(&(MAX_FRESH_SUBJECTS as i64 + 9)), Some(&true));
    }
}
