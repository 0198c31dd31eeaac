//! Append-only schema migrations, tracked in `PRAGMA user_version`. Never edit a shipped step:
//! add a new one at the end.

use rusqlite::Connection;

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
    // 4: one- and two-character name search (the trigram index cannot answer fragments shorter
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
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Apply every step the file has not seen, each in its own transaction with its version bump.
pub(super) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
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
    fn migration_4_indexes_existing_names() {
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
        migrate(&mut conn).unwrap();
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
}
