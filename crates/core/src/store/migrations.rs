//! Append-only schema migrations, tracked in `PRAGMA user_version`. Never edit a shipped step:
//! add a new one at the end.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;

use crate::domain::records::Record;

/// Each entry moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: subjects (rule S-1), their accounts, and name search.
    r#"
    CREATE TABLE subject (
        id                  INTEGER PRIMARY KEY,
        kind                TEXT NOT NULL
                            CHECK (kind IN ('organization', 'individual_business', 'natural_person')),
        code_type           TEXT NOT NULL,
        code                TEXT NOT NULL,
        name                TEXT NOT NULL,
        legal_rep_name      TEXT,
        legal_rep_id_type   TEXT,
        legal_rep_id_number TEXT,
        founded_on          TEXT,
        phone               TEXT NOT NULL DEFAULT '',
        address             TEXT NOT NULL DEFAULT '',
        created_at          TEXT NOT NULL,
        updated_at          TEXT NOT NULL,
        UNIQUE (code_type, code)
    );
    CREATE INDEX subject_code ON subject (code);
    CREATE INDEX subject_updated ON subject (updated_at);

    CREATE TABLE account (
        id            INTEGER PRIMARY KEY,
        subject_id    INTEGER NOT NULL REFERENCES subject (id) ON DELETE CASCADE,
        account_no    TEXT NOT NULL UNIQUE,
        usage_address TEXT NOT NULL,
        supply_start  TEXT,
        created_at    TEXT NOT NULL
    );
    CREATE INDEX account_subject ON account (subject_id);

    -- Chinese substring search: the trigram tokenizer indexes every 3-character window.
    CREATE VIRTUAL TABLE subject_fts USING fts5 (
        name, content = 'subject', content_rowid = 'id', tokenize = 'trigram'
    );
    CREATE TRIGGER subject_fts_ai AFTER INSERT ON subject BEGIN
        INSERT INTO subject_fts (rowid, name) VALUES (new.id, new.name);
    END;
    CREATE TRIGGER subject_fts_ad AFTER DELETE ON subject BEGIN
        INSERT INTO subject_fts (subject_fts, rowid, name) VALUES ('delete', old.id, old.name);
    END;
    CREATE TRIGGER subject_fts_au AFTER UPDATE OF name ON subject BEGIN
        INSERT INTO subject_fts (subject_fts, rowid, name) VALUES ('delete', old.id, old.name);
        INSERT INTO subject_fts (rowid, name) VALUES (new.id, new.name);
    END;
    "#,
    // 2: operators, the hash-chained audit trail, settings, and the supervisor's acceptance of a
    // USCC that fails the national check (rule ID-1).
    r#"
    CREATE TABLE operator (
        id              INTEGER PRIMARY KEY,
        staff_no        TEXT NOT NULL UNIQUE,
        name            TEXT NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'admin')),
        hall            TEXT NOT NULL DEFAULT '',
        window          TEXT NOT NULL DEFAULT '',
        password_hash   TEXT NOT NULL,
        active          INTEGER NOT NULL DEFAULT 1,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    TEXT,
        created_at      TEXT NOT NULL
    );

    CREATE TABLE audit (
        seq         INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        staff_no    TEXT NOT NULL,
        window      TEXT NOT NULL,
        action      TEXT NOT NULL,
        subject_id  INTEGER,
        summary     TEXT NOT NULL,
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL
    );
    CREATE INDEX audit_staff ON audit (staff_no);
    CREATE INDEX audit_subject ON audit (subject_id);
    CREATE INDEX audit_at ON audit (at);

    CREATE TABLE setting (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    ALTER TABLE subject ADD COLUMN code_override_reason TEXT;
    ALTER TABLE subject ADD COLUMN code_override_by INTEGER REFERENCES operator (id);
    "#,
    // 3: power-supply records (rule S-2), stored whole as JSON beside the columns queries need;
    // the natural key makes re-imports idempotent.
    r#"
    CREATE TABLE power_record (
        id          INTEGER PRIMARY KEY,
        subject_id  INTEGER NOT NULL REFERENCES subject (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        natural_key TEXT NOT NULL UNIQUE,
        account_no  TEXT,
        record_date TEXT NOT NULL,
        payload     TEXT NOT NULL,
        source      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX power_record_subject ON power_record (subject_id, record_date);
    "#,
    // 4 (trust check): pilot parks (rule T-5, seeded with annex 1), the park chosen on an
    // account, stored verdicts with everything they used (rules T-1..T-7), and each subject's
    // current 守信用电主体 status (refreshed by `check --all`).
    r#"
    CREATE TABLE park (
        id       INTEGER PRIMARY KEY,
        zone     TEXT NOT NULL,
        name     TEXT NOT NULL,
        keywords TEXT NOT NULL DEFAULT '',
        active   INTEGER NOT NULL DEFAULT 1,
        UNIQUE (zone, name)
    );
    INSERT INTO park (zone, name, keywords) VALUES
        ('湛江经济技术开发区', '石化产业园区', '石化产业园'),
        ('湛江经济技术开发区', '钢铁产业园区', '钢铁产业园'),
        ('湛江奋勇高新技术产业开发区', '东盟产业园区', '东盟产业园');

    ALTER TABLE account ADD COLUMN park_id INTEGER REFERENCES park (id);

    CREATE TABLE verdict (
        id          INTEGER PRIMARY KEY,
        subject_id  INTEGER NOT NULL REFERENCES subject (id) ON DELETE CASCADE,
        checked_on  TEXT NOT NULL,
        checked_at  TEXT NOT NULL,
        operator    TEXT NOT NULL,
        business    TEXT,
        account_no  TEXT,
        trustworthy INTEGER NOT NULL,
        eligible    INTEGER,
        complete    INTEGER NOT NULL,
        headline    TEXT NOT NULL,
        verdict     TEXT NOT NULL,
        inputs      TEXT NOT NULL
    );
    CREATE INDEX verdict_subject ON verdict (subject_id, id);

    -- The nightly re-check reads only records that can be dishonesty records (rule T-1(b)).
    CREATE INDEX power_record_adverse ON power_record (subject_id, id)
        WHERE kind NOT IN ('payment', 'person_payment');

    CREATE TABLE trust_status (
        subject_id  INTEGER PRIMARY KEY REFERENCES subject (id) ON DELETE CASCADE,
        trustworthy INTEGER NOT NULL,
        as_of       TEXT NOT NULL,
        headline    TEXT NOT NULL,
        verdict_id  INTEGER REFERENCES verdict (id) ON DELETE SET NULL
    );
    CREATE INDEX trust_status_trusted ON trust_status (trustworthy) WHERE trustworthy = 1;
    "#,
    // 5 (commitment letters): the credit commitment record of rule C-3, whole as JSON beside the
    // columns queries need. (code_date, serial) is unique: serials are taken inside the issuing
    // transaction, so a failed issue leaves no gap (rule C-4).
    r#"
    CREATE TABLE commitment (
        id          INTEGER PRIMARY KEY,
        subject_id  INTEGER NOT NULL REFERENCES subject (id) ON DELETE RESTRICT,
        code        TEXT NOT NULL UNIQUE,
        code_date   TEXT NOT NULL,
        serial      INTEGER NOT NULL,
        business    TEXT NOT NULL,
        verdict_id  INTEGER REFERENCES verdict (id) ON DELETE SET NULL,
        signed      INTEGER NOT NULL DEFAULT 0,
        fulfilment  TEXT,
        valid_until TEXT,
        record      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        UNIQUE (code_date, serial)
    );
    CREATE INDEX commitment_subject ON commitment (subject_id, id);
    "#,
    // 6: the content-addressed evidence store, shared by the credit reports (rules T-3, T-4),
    // the signed commitment letters and the property proofs, and the imported credit reports.
    // Evidence is never modified or deleted: the triggers refuse it.
    r#"
    CREATE TABLE evidence_blob (
        sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        bytes      BLOB NOT NULL,
        size       INTEGER NOT NULL,
        media_type TEXT NOT NULL
    );
    CREATE TRIGGER evidence_blob_no_update BEFORE UPDATE ON evidence_blob BEGIN
        SELECT RAISE(ABORT, 'evidence_blob is append-only');
    END;
    CREATE TRIGGER evidence_blob_no_delete BEFORE DELETE ON evidence_blob BEGIN
        SELECT RAISE(ABORT, 'evidence_blob is append-only');
    END;

    CREATE TABLE credit_report (
        id               INTEGER PRIMARY KEY,
        subject_id       INTEGER NOT NULL REFERENCES subject (id),
        sha256           TEXT NOT NULL REFERENCES evidence_blob (sha256),
        file_name        TEXT NOT NULL,
        report_no        TEXT,
        generated_at     TEXT,
        payload          TEXT NOT NULL,
        extracted        TEXT NOT NULL,
        hand_entry       TEXT,
        problems         TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('valid', 'expired')),
        imported_by      TEXT NOT NULL,
        imported_by_name TEXT NOT NULL,
        imported_at      TEXT NOT NULL,
        UNIQUE (subject_id, sha256)
    );
    CREATE INDEX credit_report_latest ON credit_report (subject_id, generated_at, id);
    "#,
    // 7: one- and two-character name search (the trigram index cannot answer fragments shorter
    // than three characters). Each name is indexed as its single characters and its overlapping
    // character pairs, space-separated; the `ascii` tokenizer keeps every non-ASCII character
    // (CJK, full-width punctuation) inside its token, so a pair is one token. `name_pos` lists
    // character positions because a trigger may not use a recursive WITH.
    r#"
    CREATE TABLE name_pos (n INTEGER PRIMARY KEY);
    WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 512)
    INSERT INTO name_pos (n) SELECT n FROM c;

    CREATE VIRTUAL TABLE subject_ngram USING fts5 (
        grams, content = '', contentless_delete = 1, tokenize = 'ascii'
    );
    CREATE TRIGGER subject_ngram_ai AFTER INSERT ON subject BEGIN
        INSERT INTO subject_ngram (rowid, grams)
        SELECT new.id, group_concat(substr(new.name, n, 1) || ' ' || substr(new.name, n, 2), ' ')
        FROM name_pos WHERE n <= length(new.name);
    END;
    CREATE TRIGGER subject_ngram_ad AFTER DELETE ON subject BEGIN
        DELETE FROM subject_ngram WHERE rowid = old.id;
    END;
    CREATE TRIGGER subject_ngram_au AFTER UPDATE OF name ON subject BEGIN
        DELETE FROM subject_ngram WHERE rowid = old.id;
        INSERT INTO subject_ngram (rowid, grams)
        SELECT new.id, group_concat(substr(new.name, n, 1) || ' ' || substr(new.name, n, 2), ' ')
        FROM name_pos WHERE n <= length(new.name);
    END;

    INSERT INTO subject_ngram (rowid, grams)
    SELECT s.id, (SELECT group_concat(substr(s.name, n, 1) || ' ' || substr(s.name, n, 2), ' ')
                  FROM name_pos WHERE n <= length(s.name))
    FROM subject s;
    "#,
    // 8 (信易电 cases): one row per application resting on a commitment (rules C-2, D-4, D-5),
    // whole as JSON beside the columns the 待办 queue filters and shows, so that the queue reads
    // no JSON. 逾期 is derived from the deadline, never stored.
    r#"
    CREATE TABLE xyd_case (
        id              INTEGER PRIMARY KEY,
        subject_id      INTEGER NOT NULL REFERENCES subject (id) ON DELETE RESTRICT,
        commitment_id   INTEGER NOT NULL REFERENCES commitment (id) ON DELETE RESTRICT,
        commitment_code TEXT NOT NULL,
        business        TEXT NOT NULL,
        account_no      TEXT NOT NULL DEFAULT '',
        usage_address   TEXT NOT NULL DEFAULT '',
        park_id         INTEGER REFERENCES park (id),
        status          TEXT NOT NULL
                        CHECK (status IN ('accepted', 'connected', 'fulfilled', 'broken', 'withdrawn')),
        applied_on      TEXT NOT NULL,
        connected_on    TEXT,
        deadline        TEXT,
        opened_by       TEXT NOT NULL,
        hall            TEXT NOT NULL DEFAULT '',
        record          TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    -- Covering index of the queue: a tab is one sequential range of it, the table (with its
    -- JSON) is not read.
    CREATE INDEX xyd_case_queue ON xyd_case (
        status, deadline, applied_on, hall, opened_by, park_id, subject_id, business,
        commitment_code, account_no, connected_on, usage_address
    );
    CREATE INDEX xyd_case_subject ON xyd_case (subject_id, id);
    CREATE INDEX xyd_case_commitment ON xyd_case (commitment_id);
    CREATE INDEX xyd_case_applied ON xyd_case (applied_on);
    "#,
    // 9 (issue 8, the paged 待办 queue): one index per sort order, led by the sort key, so that
    // a window (LIMIT/OFFSET) of any tab in any order walks an index instead of sorting up to
    // 100,000 rows. Partial: only the rows a tab can show (open and 违诺), which the queue
    // query names with this very term; the filter columns follow so that no row is read. The
    // queue orders by the whole key and then the id, so that no part of a sort is left to do.
    // The plain applied_on index goes: SQLite preferred it to the partial one and then read
    // every row to test its status.
    r#"
    DROP INDEX xyd_case_applied;
    CREATE INDEX xyd_case_by_deadline ON xyd_case (
        deadline, applied_on, status, hall, opened_by, park_id
    ) WHERE status NOT IN ('fulfilled', 'withdrawn');
    CREATE INDEX xyd_case_by_applied ON xyd_case (
        applied_on, deadline, status, hall, opened_by, park_id
    ) WHERE status NOT IN ('fulfilled', 'withdrawn');
    CREATE INDEX xyd_case_by_hall ON xyd_case (
        hall, deadline, applied_on, status, opened_by, park_id
    ) WHERE status NOT IN ('fulfilled', 'withdrawn');
    CREATE INDEX xyd_case_by_clerk ON xyd_case (
        opened_by, deadline, applied_on, status, hall, park_id
    ) WHERE status NOT IN ('fulfilled', 'withdrawn');
    CREATE INDEX xyd_case_by_subject ON xyd_case (
        subject_id, deadline, applied_on, status, hall, opened_by, park_id
    ) WHERE status NOT IN ('fulfilled', 'withdrawn');
    CREATE INDEX subject_name ON subject (name, id);
    "#,
    // 10 (bulk import speed, issue 4): one index instead of two on power_record. The natural key
    // is indexed by a 64-bit digest (`xyd_key_digest`: the first 8 bytes of its SHA-256) under
    // its subject, so the same B-tree finds a re-imported record and lists a subject's records;
    // the text key stays in the row, compared whenever a digest matches. A million-row import
    // used to insert into a long-text UNIQUE index and the (subject, date) index, each insert at
    // a random place. Kinds that may be keyed by 用户编号 rather than by the subject's code
    // (违约用电, 窃电) keep a key that is unique across subjects: an account that passes to
    // another subject takes its records along on re-import, as before.
    r#"
    CREATE TABLE power_record_v10 (
        id          INTEGER PRIMARY KEY,
        subject_id  INTEGER NOT NULL REFERENCES subject (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        key_digest  INTEGER NOT NULL,
        natural_key TEXT NOT NULL,
        account_no  TEXT,
        record_date TEXT NOT NULL,
        payload     TEXT NOT NULL,
        source      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        UNIQUE (subject_id, key_digest)
    );
    INSERT INTO power_record_v10 (id, subject_id, kind, key_digest, natural_key, account_no,
            record_date, payload, source, created_at, updated_at)
        SELECT id, subject_id, kind, xyd_key_digest(natural_key), natural_key, account_no,
            record_date, payload, source, created_at, updated_at
        FROM power_record ORDER BY id;
    DROP TABLE power_record;
    ALTER TABLE power_record_v10 RENAME TO power_record;
    CREATE UNIQUE INDEX power_record_account_key ON power_record (key_digest)
        WHERE kind IN ('violation_usage', 'theft');
    CREATE INDEX power_record_adverse ON power_record (subject_id, id)
        WHERE kind NOT IN ('payment', 'person_payment');
    "#,
    // 11 (bulk import speed, issue 4): records stored in their compact binary form
    // (`store/record_codec.rs`, through `xyd_stored_record`) instead of JSON, and without the
    // natural-key text: a record's key is a function of the record, recomputed whenever a digest
    // matches. The 用户编号 column goes too: no query reads it, and the record holds it. A payment
    // row shrinks from about 620 bytes to about 290, and a million-row import writes that much
    // less to the log and the file. A payload that is not a readable record is kept as it was,
    // and reading it reports the damaged row.
    r#"
    CREATE TABLE power_record_v11 (
        id          INTEGER PRIMARY KEY,
        subject_id  INTEGER NOT NULL REFERENCES subject (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        key_digest  INTEGER NOT NULL,
        record_date TEXT NOT NULL,
        payload     BLOB NOT NULL,
        source      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        UNIQUE (subject_id, key_digest)
    );
    INSERT INTO power_record_v11 (id, subject_id, kind, key_digest, record_date, payload,
            source, created_at, updated_at)
        SELECT id, subject_id, kind, key_digest, record_date,
            xyd_stored_record(payload), source, created_at, updated_at
        FROM power_record ORDER BY id;
    DROP TABLE power_record;
    ALTER TABLE power_record_v11 RENAME TO power_record;
    CREATE UNIQUE INDEX power_record_account_key ON power_record (key_digest)
        WHERE kind IN ('violation_usage', 'theft');
    CREATE INDEX power_record_adverse ON power_record (subject_id, id)
        WHERE kind NOT IN ('payment', 'person_payment');
    "#,
    // 12 (issue 14, points 6 and 7): the audit trail's sequence numbers are never reused
    // (AUTOINCREMENT keeps the highest one ever given in sqlite_sequence, so deleting the newest
    // rows does not hand their numbers to later writes); each row may record the business date
    // (`--date`) beside its real time; and rows from now on are signed with a key kept outside
    // the database (`key_id` names it; NULL marks a row of the old, unkeyed SHA-256 rule).
    r#"
    CREATE TABLE audit_v12 (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        at            TEXT NOT NULL,
        staff_no      TEXT NOT NULL,
        window        TEXT NOT NULL,
        action        TEXT NOT NULL,
        subject_id    INTEGER,
        summary       TEXT NOT NULL,
        prev_hash     TEXT NOT NULL,
        hash          TEXT NOT NULL,
        business_date TEXT,
        key_id        TEXT
    );
    INSERT INTO audit_v12 (seq, at, staff_no, window, action, subject_id, summary, prev_hash,
            hash)
        SELECT seq, at, staff_no, window, action, subject_id, summary, prev_hash, hash
        FROM audit ORDER BY seq;
    DROP TABLE audit;
    ALTER TABLE audit_v12 RENAME TO audit;
    CREATE INDEX audit_staff ON audit (staff_no);
    CREATE INDEX audit_subject ON audit (subject_id);
    CREATE INDEX audit_at ON audit (at);
    "#,
    // 13 (issue 18, rules E-1..E-3): the exchange with 湛江市公共信用信息共享平台. A batch and each
    // row it sent (the cells as sent, so that the batch can be written again byte for byte and a
    // withdrawal repeats what was sent); what the platform last accepted of each record or
    // commitment (the watermark: a row is sent again only when its content changed); the
    // platform's dishonesty lists as dated snapshots (T-1(c)).
    r#"
    CREATE TABLE platform_batch (
        id          INTEGER PRIMARY KEY,
        batch_no    TEXT NOT NULL UNIQUE,
        created_at  TEXT NOT NULL,
        staff_no    TEXT NOT NULL,
        format      TEXT NOT NULL,
        files       TEXT NOT NULL,
        status      TEXT NOT NULL,
        decided_at  TEXT,
        decided_by  TEXT,
        note        TEXT
    );
    CREATE TABLE platform_item (
        id          INTEGER PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES platform_batch (id),
        class       TEXT NOT NULL,
        row_no      INTEGER NOT NULL,
        ref_kind    TEXT NOT NULL,
        ref_id      INTEGER NOT NULL,
        change      TEXT NOT NULL,
        digest      INTEGER NOT NULL,
        cells       TEXT NOT NULL,
        refused     TEXT,
        UNIQUE (batch_id, class, row_no)
    );
    CREATE INDEX platform_item_ref ON platform_item (ref_kind, ref_id);
    CREATE TABLE platform_sent (
        id          INTEGER PRIMARY KEY,
        ref_kind    TEXT NOT NULL,
        ref_id      INTEGER NOT NULL,
        class       TEXT NOT NULL,
        digest      INTEGER NOT NULL,
        withdrawn   INTEGER NOT NULL,
        accepted    INTEGER NOT NULL,
        refused_digest INTEGER,
        batch_id    INTEGER NOT NULL,
        row_no      INTEGER NOT NULL,
        UNIQUE (ref_kind, ref_id)
    );
    CREATE TABLE list_snapshot (
        id          INTEGER PRIMARY KEY,
        as_of       TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        staff_no    TEXT NOT NULL,
        file_name   TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        entries     INTEGER NOT NULL
    );
    CREATE TABLE list_entry (
        id          INTEGER PRIMARY KEY,
        snapshot_id INTEGER NOT NULL REFERENCES list_snapshot (id),
        code        TEXT NOT NULL,
        name        TEXT NOT NULL,
        list_type   TEXT NOT NULL,
        serious     INTEGER NOT NULL,
        listed_on   TEXT NOT NULL,
        reason      TEXT NOT NULL,
        authority   TEXT NOT NULL,
        removed_on  TEXT
    );
    CREATE INDEX list_entry_code ON list_entry (snapshot_id, code);
    "#,
    // 14 (issue 19, rules X-1..X-3): repair applications and objections, whole as JSON beside
    // the columns their lists and the 待办 tabs filter on; what each names (so that "is this
    // record under repair or objection" is one index probe); the working-day calendar an admin
    // imported (years not in it use the shipped one). A repair's 信用修复承诺书 takes its
    // 承诺编码 from the letters' serial space: code_date and serial are read with theirs.
    r#"
    CREATE TABLE repair_application (
        id          INTEGER PRIMARY KEY,
        subject_id  INTEGER NOT NULL REFERENCES subject (id) ON DELETE RESTRICT,
        status      TEXT NOT NULL,
        opened_on   TEXT NOT NULL,
        opened_by   TEXT NOT NULL,
        hall        TEXT NOT NULL DEFAULT '',
        deadline    TEXT,
        repaired_on TEXT,
        code        TEXT NOT NULL UNIQUE,
        code_date   TEXT NOT NULL,
        serial      INTEGER NOT NULL,
        record      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX repair_subject ON repair_application (subject_id, id);
    CREATE INDEX repair_status ON repair_application (status, deadline);
    CREATE INDEX repair_code_date ON repair_application (code_date, serial);
    CREATE TABLE objection (
        id          INTEGER PRIMARY KEY,
        subject_id  INTEGER NOT NULL REFERENCES subject (id) ON DELETE RESTRICT,
        status      TEXT NOT NULL,
        opened_on   TEXT NOT NULL,
        opened_by   TEXT NOT NULL,
        hall        TEXT NOT NULL DEFAULT '',
        deadline    TEXT,
        decided_on  TEXT,
        record      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX objection_subject ON objection (subject_id, id);
    CREATE INDEX objection_status ON objection (status, deadline);
    CREATE TABLE credit_target (
        id          INTEGER PRIMARY KEY,
        owner_kind  TEXT NOT NULL CHECK (owner_kind IN ('repair', 'objection')),
        owner_id    INTEGER NOT NULL,
        ref_kind    TEXT NOT NULL CHECK (ref_kind IN ('r', 'c')),
        ref_id      INTEGER NOT NULL,
        UNIQUE (owner_kind, owner_id, ref_kind, ref_id)
    );
    CREATE INDEX credit_target_ref ON credit_target (ref_kind, ref_id);
    CREATE TABLE work_calendar (
        day         TEXT PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
        name        TEXT NOT NULL
    );
    "#,
    // 15 (issue 17): nothing changes on SQLite. PostgreSQL checks power_record's subjects once
    // per statement instead of once per row (its step 15); the number is kept the same on both
    // engines.
    "SELECT 1;",
];

/// The first schema version whose audit rows are keyed and anchored.
pub const KEYED_AUDIT_VERSION: i64 = 12;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Apply every step the file has not seen, each in its own transaction with its version bump.
pub(super) fn migrate(conn: &mut Connection, on_step: &dyn Fn(u64, u64)) -> rusqlite::Result<()> {
    migrate_to(conn, SCHEMA_VERSION, on_step)
}

/// Apply the steps up to version `target` (tests stop half-way, to fill in old rows).
fn migrate_to(
    conn: &mut Connection,
    target: i64,
    on_step: &dyn Fn(u64, u64),
) -> rusqlite::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current < target {
        // Step 10 indexes stored natural keys by their digest, computed as the application does.
        conn.create_scalar_function(
            "xyd_key_digest",
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                Ok(super::records::key_digest(
                    ctx.get_raw(0).as_str().unwrap_or(""),
                ))
            },
        )?;
        // Step 11 rewrites the JSON payloads of earlier versions in the stored binary form.
        conn.create_scalar_function(
            "xyd_stored_record",
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                let json: Value = ctx.get(0)?;
                let record = match &json {
                    Value::Text(t) => serde_json::from_str::<Record>(t).ok(),
                    _ => None,
                };
                Ok(match record {
                    Some(record) => {
                        let mut out = Vec::new();
                        super::record_codec::encode(&record, &mut out);
                        Value::Blob(out)
                    }
                    None => json,
                })
            },
        )?;
    }
    let steps = MIGRATIONS.iter().take(target.max(0) as usize);
    let first = current.max(0) as usize;
    let count = (target.max(0) as usize)
        .min(MIGRATIONS.len())
        .saturating_sub(first) as u64;
    for (i, sql) in steps.enumerate().skip(first) {
        on_step((i - first) as u64 + 1, count);
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_pair_migration_indexes_existing_names() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute(
            "INSERT INTO subject (kind, code_type, code, name, created_at, updated_at)
             VALUES ('natural_person', 'resident_id', 'x', '陈海明', '', '')",
            [],
        )
        .unwrap();
        migrate(&mut conn, &|_, _| {}).unwrap();
        let hits = |q: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM subject_ngram WHERE subject_ngram MATCH ?1",
                [q],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(hits("\"陈海\""), 1);
        assert_eq!(hits("\"明\""), 1);
        assert_eq!(hits("\"海陈\""), 0);
    }

    #[test]
    fn key_digest_migration_keeps_records_and_their_uniqueness() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..9] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 9).unwrap();
        conn.execute_batch(
            "INSERT INTO subject (id, kind, code_type, code, name, created_at, updated_at)
                 VALUES (1, 'organization', 'uscc', 'a', '甲', '', ''),
                        (2, 'organization', 'uscc', 'b', '乙', '', '');
             INSERT INTO power_record (id, subject_id, kind, natural_key, account_no, record_date,
                     payload, source, created_at, updated_at)
                 VALUES (7, 1, 'payment', 'payment|k1', NULL, '2025-01-01', '{}', 'counter', '', ''),
                        (9, 1, 'violation_usage', 'violation_usage|k2', '0300', '2025-02-01', '{}',
                         'counter', '', '');",
        )
        .unwrap();
        migrate_to(&mut conn, 10, &|_, _| {}).unwrap();
        let rows: Vec<(i64, i64, String)> = conn
            .prepare("SELECT id, key_digest, natural_key FROM power_record ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 2);
        for (_, digest, key) in &rows {
            assert_eq!(*digest, crate::store::records::key_digest(key));
        }
        assert_eq!((rows[0].0, rows[1].0), (7, 9));
        let insert = |subject: i64, kind: &str, key: &str| {
            conn.execute(
                "INSERT INTO power_record (subject_id, kind, key_digest, natural_key, record_date,
                     payload, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, '2025-01-01', '{}', 'counter', '', '')",
                rusqlite::params![subject, kind, crate::store::records::key_digest(key), key],
            )
        };
        // Unique under its subject ...
        assert!(insert(1, "payment", "payment|k1").is_err());
        assert!(insert(2, "payment", "payment|k1").is_ok());
        // ... and across subjects for the account-keyed kinds.
        assert!(insert(2, "violation_usage", "violation_usage|k2").is_err());
    }

    #[test]
    fn compact_payload_migration_keeps_every_record() {
        use crate::domain::records::{ArrearsRecord, Fen, ViolationRecord};
        use crate::domain::subject::SubjectCode;
        use chrono::NaiveDate;
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 10, &|_, _| {}).unwrap();
        let d = |m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        let arrears = Record::Arrears(ArrearsRecord {
            subject: SubjectCode::Uscc {
                code: crate::domain::id_codes::Uscc::from_stored("91440800MA4UMB8E0X".into()),
            },
            subject_name: "湛江市海港贸易有限公司".into(),
            account_no: Some("0300000001".into()),
            arrears_type: "电费".into(),
            period_start: d(1),
            period_end: d(2),
            amount: Fen(1_000_000),
            determined_by: None,
            determined_by_uscc: None,
            determined_on: None,
            reminded_on: Some(d(3)),
            just_cause: Some("停产".into()),
            paid_off_on: None,
        });
        let violation = Record::Violation(ViolationRecord {
            account_no: "0300000001".into(),
            user_name: "湛江市海港贸易有限公司".into(),
            occurred_on: d(4),
            amount: None,
            energy: None,
            days: Some(3),
            total_amount: Fen(50_000),
            period_text: String::new(),
        });
        conn.execute(
            "INSERT INTO subject (id, kind, code_type, code, name, created_at, updated_at)
             VALUES (1, 'organization', 'uscc', 'a', '甲', '', '')",
            [],
        )
        .unwrap();
        let put = |id: i64, r: &Record, payload: &str| {
            let key = r.key();
            conn.execute(
                "INSERT INTO power_record (id, subject_id, kind, key_digest, natural_key,
                     record_date, payload, source, created_at, updated_at)
                 VALUES (?1, 1, ?2, ?3, ?4, '2025-01-01', ?5, 'counter', 'c', 'u')",
                rusqlite::params![
                    id,
                    r.kind().key(),
                    crate::store::records::key_digest(key.as_str()),
                    key.as_str(),
                    payload
                ],
            )
            .unwrap();
        };
        put(3, &arrears, &serde_json::to_string(&arrears).unwrap());
        put(5, &violation, &serde_json::to_string(&violation).unwrap());
        // A payload damaged outside the program: kept, not lost and not fatal.
        let mut other = violation.clone();
        if let Record::Violation(v) = &mut other {
            v.occurred_on = d(5);
        }
        put(8, &other, "{\"record\":");
        migrate(&mut conn, &|_, _| {}).unwrap();
        let rows: Vec<(i64, i64, Value, String, String)> = conn
            .prepare(
                "SELECT id, key_digest, payload, created_at, updated_at FROM power_record
                 ORDER BY id",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 3);
        for ((id, digest, payload, c, u), (want_id, want)) in
            rows.iter()
                .zip([(3, &arrears), (5, &violation), (8, &other)])
        {
            assert_eq!(*id, want_id);
            assert_eq!(
                *digest,
                crate::store::records::key_digest(want.key().as_str())
            );
            assert_eq!((c.as_str(), u.as_str()), ("c", "u"));
            match payload {
                Value::Blob(b) => assert_eq!(&super::super::record_codec::decode(b).unwrap(), want),
                Value::Text(t) => assert_eq!((*id, t.as_str()), (8, "{\"record\":")),
                other => panic!("{other:?}"),
            }
        }
        // Both uniqueness rules survive the rebuild.
        let dup = |subject: i64, kind: &str, digest: i64| {
            conn.execute(
                "INSERT INTO subject (id, kind, code_type, code, name, created_at, updated_at)
                 VALUES (2, 'organization', 'uscc', 'b', '乙', '', '') ON CONFLICT DO NOTHING",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO power_record (subject_id, kind, key_digest, record_date, payload,
                     source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, '2025-01-01', x'01', 'counter', '', '')",
                rusqlite::params![subject, kind, digest],
            )
        };
        assert!(dup(1, "arrears", rows[0].1).is_err());
        assert!(dup(2, "violation_usage", rows[1].1).is_err());
        assert!(dup(2, "arrears", rows[0].1).is_ok());
    }
}
