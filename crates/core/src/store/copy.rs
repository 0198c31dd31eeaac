//! `db copy` (issue 17, point 6): a hall's SQLite file moved whole into the shared PostgreSQL
//! store on the day it switches over.
//!
//! All or nothing: every table goes in by COPY inside one PostgreSQL transaction holding the
//! write lock, then, still inside it, each table is counted and hashed on both sides (every
//! column of every row, in key order) and the audit chain is verified on the copy; the
//! transaction commits only if all of it agrees. The rows keep their ids and the audit rows their
//! sequence numbers, hashes and key, so the copy's chain is the file's chain.

use std::io::Write;

use sha2::{Digest, Sha256};

use super::sql::{Conn, Value};
use super::{Db, Reader, Store, StoreError};
use crate::domain::audit::ChainVerifier;

/// The tables in the order their references need, each with its key column.
const TABLES: &[(&str, &str)] = &[
    ("operator", "id"),
    ("subject", "id"),
    ("park", "id"),
    ("account", "id"),
    ("setting", "key"),
    ("power_record", "id"),
    ("verdict", "id"),
    ("trust_status", "subject_id"),
    ("commitment", "id"),
    ("evidence_blob", "sha256"),
    ("credit_report", "id"),
    ("xyd_case", "id"),
    ("platform_batch", "id"),
    ("platform_item", "id"),
    ("platform_sent", "id"),
    ("list_snapshot", "id"),
    ("list_entry", "id"),
    ("repair_application", "id"),
    ("objection", "id"),
    ("credit_target", "id"),
    ("work_calendar", "day"),
    ("audit", "seq"),
];

/// Rows read from the file per batch (memory stays bounded whatever its size).
const BATCH: i64 = 5000;

/// What a copy moved, table by table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopySummary {
    /// `(table, rows, SHA-256 of its rows)`, equal on both sides.
    pub tables: Vec<(String, u64, String)>,
    /// Audit rows verified on the copy.
    pub audit_rows: u64,
}

fn quote(col: &str) -> String {
    format!("\"{col}\"")
}

/// The columns of `table` on the PostgreSQL side, in table order.
fn pg_columns(to: Conn<'_>, table: &str) -> Result<Vec<String>, StoreError> {
    let rows = to.rows(
        "SELECT column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
        vec![Value::Text(table.to_string())],
    )?;
    rows.iter().map(|r| Ok(r.get::<_, String>(0)?)).collect()
}

/// One value in COPY's text format.
pub(super) fn copy_text(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"\\N"),
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Real(f) => out.extend_from_slice(f.to_string().as_bytes()),
        Value::Text(s) => {
            for b in s.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b => out.push(b),
                }
            }
        }
        Value::Blob(b) => {
            // bytea's hex form, its backslash escaped for COPY.
            out.extend_from_slice(b"\\\\x");
            out.extend_from_slice(hex::encode(b).as_bytes());
        }
    }
}

/// Feed one value to a table's hash, the same way on both engines.
fn hash_value(h: &mut Sha256, v: &Value) {
    match v {
        Value::Null => h.update([0u8]),
        Value::Int(i) => {
            h.update([1u8]);
            h.update(i.to_le_bytes());
        }
        Value::Real(f) => {
            h.update([2u8]);
            h.update(f.to_le_bytes());
        }
        Value::Text(s) => {
            h.update([3u8]);
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
        Value::Blob(b) => {
            h.update([4u8]);
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        }
    }
}

/// Count and hash `table` on `conn`, every column of every row in key order, by batches.
fn table_digest(
    conn: Conn<'_>,
    table: &str,
    key: &str,
    cols: &[String],
) -> Result<(u64, String), StoreError> {
    let list = cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
    let mut h = Sha256::new();
    let mut n = 0u64;
    // Keyset paging (each slice starts after the last key), so that a million rows cost a
    // million, not half a billion, row visits. Bytewise order on both engines: a server's
    // collation (zh_CN, en_US) would order text keys otherwise than SQLite and the hashes
    // would differ.
    // Of the keys in `TABLES`, `setting.key`, `evidence_blob.sha256` and `work_calendar.day`
    // are text.
    let text_key = matches!(key, "key" | "sha256" | "day");
    let order = match conn.engine() {
        super::Engine::Postgres if text_key => format!("{} COLLATE \"C\"", quote(key)),
        _ => quote(key),
    };
    let key_at = cols.iter().position(|c| c == key);
    let mut last: Option<Value> = None;
    loop {
        let rows = match (&last, key_at) {
            (Some(k), Some(_)) => conn.rows(
                &format!("SELECT {list} FROM {table} WHERE {order} > ?1 ORDER BY {order} LIMIT ?2"),
                vec![k.clone(), Value::Int(BATCH)],
            )?,
            _ => conn.rows(
                &format!("SELECT {list} FROM {table} ORDER BY {order} LIMIT ?1 OFFSET ?2"),
                vec![Value::Int(BATCH), Value::Int(n as i64)],
            )?,
        };
        for r in &rows {
            for i in 0..cols.len() {
                hash_value(&mut h, r.value(i).unwrap_or(&Value::Null));
            }
            n += 1;
        }
        if (rows.len() as i64) < BATCH {
            return Ok((n, hex::encode(h.finalize())));
        }
        if let (Some(i), Some(r)) = (key_at, rows.last()) {
            last = r.value(i).cloned();
        }
    }
}

impl Store {
    /// Copy this SQLite store whole into `target`, an empty PostgreSQL store (see the module
    /// comment). `progress` hears each table as it starts (name, rows in the file).
    pub fn copy_into(
        &self,
        target: &Store,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<CopySummary, StoreError> {
        let Db::Lite(lite) = &self.db else {
            return Err(StoreError::Sqlite(
                "只能从本机数据库文件复制到数据库服务器：--from 应为 .sqlite3 文件".into(),
            ));
        };
        let Db::Pg(pg) = &target.db else {
            return Err(StoreError::Sqlite(
                "复制的目标应为数据库服务器（postgres://…）".into(),
            ));
        };
        let from = Conn::Lite(lite);
        let to = Conn::Pg(pg.conn());
        // The file's chain must be intact before it is copied: a copy of a broken chain would
        // look like a break made on the server.
        let key = self.audit.key.clone();
        let mut v = ChainVerifier::with_key(key.clone());
        Reader { conn: from }.for_each_audit_row(|row| {
            v.push(&row).map_err(|b| {
                StoreError::Anchor(format!(
                    "本机数据库的操作日志不完整（{b:?}），不能复制：请先用 audit verify 查明原因"
                ))
            })
        })?;
        pg.conn().batch("BEGIN").map_err(StoreError::from)?;
        let out = (|| -> Result<CopySummary, StoreError> {
            to.execute(
                "SELECT pg_advisory_xact_lock(?1)",
                vec![Value::Int(0x5859_4431)],
            )?;
            for table in ["operator", "subject", "audit", "power_record", "commitment"] {
                let n: i64 =
                    to.query_row(&format!("SELECT count(*) FROM {table}"), vec![], |r| {
                        r.get(0)
                    })?;
                if n > 0 {
                    return Err(StoreError::Sqlite(format!(
                        "目标数据库已有数据（{table} 表 {n} 行）：只能复制到新建的空数据库，以免两份数据混在一起"
                    )));
                }
            }
            // The seeded pilot parks come with the file, under its ids.
            to.execute("DELETE FROM park", vec![])?;
            let mut summary = CopySummary::default();
            for (table, key) in TABLES {
                let cols = pg_columns(to, table)?;
                let total: i64 =
                    from.query_row(&format!("SELECT count(*) FROM {table}"), vec![], |r| {
                        r.get(0)
                    })?;
                progress(table, u64::try_from(total).unwrap_or(0));
                copy_table(lite, pg, table, key, &cols)?;
                let (n_from, h_from) = table_digest(from, table, key, &cols)?;
                let (n_to, h_to) = table_digest(to, table, key, &cols)?;
                if (n_from, &h_from) != (n_to, &h_to) {
                    return Err(StoreError::Sqlite(format!(
                        "{table} 表复制后核对不一致（本机 {n_from} 行，服务器 {n_to} 行）：未保存任何数据"
                    )));
                }
                summary.tables.push((table.to_string(), n_to, h_to));
            }
            // Identities continue after the copied ids; the audit sequence after its rows.
            for (table, key) in TABLES {
                if *key == "id" {
                    to.execute(
                        &format!(
                            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                             coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                        ),
                        vec![],
                    )?;
                }
            }
            to.execute(
                "SELECT setval('audit_seq', coalesce((SELECT max(seq) FROM audit), 0) + 1, false)",
                vec![],
            )?;
            let mut v = ChainVerifier::with_key(key.clone());
            Reader { conn: to }.for_each_audit_row(|row| {
                v.push(&row).map_err(|b| {
                    StoreError::Anchor(format!("复制后的操作日志校验失败（{b:?}）：未保存任何数据"))
                })
            })?;
            summary.audit_rows = v.count();
            Ok(summary)
        })();
        match out {
            Ok(s) => {
                pg.conn().batch("COMMIT").map_err(StoreError::from)?;
                Ok(s)
            }
            Err(e) => {
                let _ = pg.conn().batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// COPY one table from the file, in batches by key.
fn copy_table(
    lite: &rusqlite::Connection,
    pg: &super::postgres::PgStore,
    table: &str,
    key: &str,
    cols: &[String],
) -> Result<(), StoreError> {
    let list = cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
    let mut client = pg.conn().client();
    let map = |e: postgres::Error| super::postgres::store_error(&e, pg.shown());
    let mut writer = client
        .copy_in(&format!("COPY {table} ({list}) FROM STDIN"))
        .map_err(map)?;
    let mut stmt = lite.prepare(&format!(
        "SELECT {list} FROM {table} ORDER BY {}",
        quote(key)
    ))?;
    let mut rows = stmt.query([])?;
    let mut line = Vec::with_capacity(512);
    let io = |e: std::io::Error| StoreError::Sqlite(format!("写入数据库服务器时出错（{e}）"));
    while let Some(r) = rows.next()? {
        line.clear();
        for i in 0..cols.len() {
            if i > 0 {
                line.push(b'\t');
            }
            let v = match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(i) => Value::Int(i),
                rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                rusqlite::types::ValueRef::Text(t) => {
                    Value::Text(String::from_utf8_lossy(t).into_owned())
                }
                rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            };
            copy_text(&v, &mut line);
        }
        line.push(b'\n');
        writer.write_all(&line).map_err(io)?;
    }
    writer.finish().map_err(map)?;
    Ok(())
}
