//! The store's one doorway to SQL, on either engine (issue 17): the embedded SQLite file of one
//! counter PC, or the PostgreSQL server a hall or the city shares.
//!
//! The typed queries of the other `store` modules are written once against [`Conn`], whose
//! surface follows rusqlite's (`prepare_cached`, `query_row`, `query_map`, `execute`, `params!`)
//! so that the SQL both engines understand alike is written once. Where the dialects differ
//! (name search, the serial counter, the audit lock, bulk loading) the module asks
//! [`Conn::engine`] and writes each engine's SQL by hand.
//!
//! Values cross as [`Value`]s. On PostgreSQL each parameter is converted to the type the server
//! inferred for its placeholder and each column is read by its type, so the store's Rust code
//! does not care that SQLite's `INTEGER` is PostgreSQL's `BIGINT` or that a blob is `bytea`.
//! Rows are read whole before the caller sees them: the connection is free again when a row
//! closure runs, and every query the store makes is bounded (a page, a subject, a batch).

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::rc::Rc;

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded file of one counter PC.
    Sqlite,
    /// A shared PostgreSQL server (15 or newer).
    Postgres,
}

/// One SQL value, engine-neutral.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A Rust value that can be bound as a parameter.
pub(crate) trait ToValue {
    fn to_value(&self) -> Value;
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_to_value!(i64, i32, u32, i16, u16, u8, bool);

impl ToValue for u64 {
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToValue for usize {
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// A Rust value a column can be read as.
pub(crate) trait FromValue: Sized {
    fn from_value(v: &Value) -> std::result::Result<Self, String>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Int(i) => Ok(*i),
            other => Err(format!("应为整数，实为 {}", kind(other))),
        }
    }
}
macro_rules! narrow_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> std::result::Result<Self, String> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| format!("整数 {i} 超出范围"))
            }
        }
    )*};
}
narrow_from_value!(i32, u32, u64, usize, u16, u8);

impl FromValue for bool {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        Ok(i64::from_value(v)? != 0)
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Real(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            other => Err(format!("应为数值，实为 {}", kind(other))),
        }
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            other => Err(format!("应为文本，实为 {}", kind(other))),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            other => Err(format!("应为二进制数据，实为 {}", kind(other))),
        }
    }
}
impl FromValue for Value {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        Ok(v.clone())
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "空值",
        Value::Int(_) => "整数",
        Value::Real(_) => "小数",
        Value::Text(_) => "文本",
        Value::Blob(_) => "二进制数据",
    }
}

/// Why a statement failed, before the store turns it into a [`super::StoreError`].
#[derive(Debug)]
pub(crate) enum SqlError {
    /// A query that must return a row returned none.
    NoRows,
    Lite(rusqlite::Error),
    /// A PostgreSQL error, with the server's address as messages show it.
    Pg(postgres::Error, String),
    /// A column held a value of another type than the code reads.
    Type {
        column: String,
        why: String,
    },
}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => SqlError::NoRows,
            e => SqlError::Lite(e),
        }
    }
}
impl From<postgres::Error> for SqlError {
    fn from(e: postgres::Error) -> Self {
        SqlError::Pg(e, String::new())
    }
}

pub(crate) type Result<T> = std::result::Result<T, SqlError>;

/// `optional()` as rusqlite has it: no row is `None`, not an error.
pub(crate) trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}
impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(SqlError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A result row, read whole.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    names: Rc<Vec<String>>,
    values: Vec<Value>,
}

/// A column by position or by name.
pub(crate) trait ColumnIndex {
    fn position(&self, names: &[String]) -> Option<usize>;
    fn label(&self) -> String;
}
impl ColumnIndex for usize {
    fn position(&self, names: &[String]) -> Option<usize> {
        (*self < names.len()).then_some(*self)
    }
    fn label(&self) -> String {
        format!("第 {} 列", self + 1)
    }
}
impl ColumnIndex for &str {
    fn position(&self, names: &[String]) -> Option<usize> {
        names.iter().position(|n| n == self)
    }
    fn label(&self) -> String {
        (*self).to_string()
    }
}

impl Row {
    /// The value of column `i` as a `T`.
    pub(crate) fn get<I: ColumnIndex, T: FromValue>(&self, i: I) -> Result<T> {
        let at = i.position(&self.names).ok_or_else(|| SqlError::Type {
            column: i.label(),
            why: "查询结果没有这一列".into(),
        })?;
        T::from_value(&self.values[at]).map_err(|why| SqlError::Type {
            column: i.label(),
            why,
        })
    }

    /// The value of column `i` as stored.
    pub(crate) fn value(&self, i: usize) -> Option<&Value> {
        self.values.get(i)
    }
}

/// Parameters of one statement.
pub(crate) trait Params {
    fn into_values(self) -> Vec<Value>;
}
impl<T: ToValue, const N: usize> Params for [T; N] {
    fn into_values(self) -> Vec<Value> {
        self.iter().map(ToValue::to_value).collect()
    }
}
impl Params for &[&dyn ToValue] {
    fn into_values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}
impl<const N: usize> Params for &[&dyn ToValue; N] {
    fn into_values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}
impl Params for Vec<Value> {
    fn into_values(self) -> Vec<Value> {
        self
    }
}

/// Parameters from an iterator (a query built clause by clause).
pub(crate) fn params_from_iter<I>(it: I) -> Vec<Value>
where
    I: IntoIterator,
    I::Item: ToValue,
{
    it.into_iter().map(|v| v.to_value()).collect()
}

/// `params![a, b, …]`: a statement's parameters of mixed types.
macro_rules! params {
    () => { &[] as &[&dyn $crate::store::sql::ToValue] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::store::sql::ToValue),+] as &[&dyn $crate::store::sql::ToValue] };
}
pub(crate) use params;

/// A connection (or an open transaction) on either engine.
#[derive(Clone, Copy)]
pub(crate) enum Conn<'a> {
    Lite(&'a rusqlite::Connection),
    Pg(&'a PgConn),
}

impl<'a> Conn<'a> {
    /// Which engine this is.
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Conn::Lite(_) => Engine::Sqlite,
            Conn::Pg(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection (the bulk paths that stay SQLite-specific).
    pub(crate) fn lite(&self) -> Option<&'a rusqlite::Connection> {
        match self {
            Conn::Lite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    /// The PostgreSQL connection (COPY paths).
    pub(crate) fn pg_conn(&self) -> Option<&'a PgConn> {
        match self {
            Conn::Pg(c) => Some(c),
            Conn::Lite(_) => None,
        }
    }

    /// A statement (prepared, and cached, when it first runs).
    pub(crate) fn prepare_cached(&self, sql: &str) -> Result<Stmt<'a>> {
        Ok(Stmt {
            conn: *self,
            sql: sql.to_string(),
        })
    }

    /// Run one statement; the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, p: impl Params) -> Result<usize> {
        self.run(sql, p.into_values())
    }

    /// The first row of a query, mapped by `f`; [`SqlError::NoRows`] when there is none.
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        p: impl Params,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        let rows = self.rows(sql, p.into_values())?;
        rows.first().map_or(Err(SqlError::NoRows), f)
    }

    /// Run several statements without parameters.
    #[cfg(test)]
    pub(crate) fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c) => c.batch(sql),
        }
    }

    /// Every row of a query.
    pub(crate) fn rows(&self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>> {
        match self {
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let names: Rc<Vec<String>> =
                    Rc::new(stmt.column_names().map(str::to_string).collect());
                let n = names.len();
                let mut rows =
                    stmt.query(rusqlite::params_from_iter(values.iter().map(lite_value)))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let mut vals = Vec::with_capacity(n);
                    for i in 0..n {
                        vals.push(from_lite(r.get_ref(i)?));
                    }
                    out.push(Row {
                        names: names.clone(),
                        values: vals,
                    });
                }
                Ok(out)
            }
            Conn::Pg(c) => c.rows(sql, &values),
        }
    }

    fn run(&self, sql: &str, values: Vec<Value>) -> Result<usize> {
        match self {
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(values.iter().map(lite_value)))?)
            }
            Conn::Pg(c) => c.execute(sql, &values),
        }
    }
}

fn lite_value(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as L;
    match v {
        Value::Null => L::Null,
        Value::Int(i) => L::Integer(*i),
        Value::Real(f) => L::Real(*f),
        Value::Text(s) => L::Text(s.clone()),
        Value::Blob(b) => L::Blob(b.clone()),
    }
}

fn from_lite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef as R;
    match v {
        R::Null => Value::Null,
        R::Integer(i) => Value::Int(i),
        R::Real(f) => Value::Real(f),
        R::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        R::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// A statement on a [`Conn`].
pub(crate) struct Stmt<'a> {
    conn: Conn<'a>,
    sql: String,
}

impl Stmt<'_> {
    /// The first row, mapped by `f`; [`SqlError::NoRows`] when there is none.
    pub(crate) fn query_row<T>(
        &mut self,
        p: impl Params,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.conn.query_row(&self.sql, p, f)
    }

    /// Every row, mapped by `f`.
    pub(crate) fn query_map<T>(
        &mut self,
        p: impl Params,
        f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let rows = self.conn.rows(&self.sql, p.into_values())?;
        Ok(rows.iter().map(f).collect::<Vec<_>>().into_iter())
    }

    /// Every row, to be walked with [`Rows::next`].
    pub(crate) fn query(&mut self, p: impl Params) -> Result<Rows> {
        let rows = self.conn.rows(&self.sql, p.into_values())?;
        Ok(Rows {
            it: rows.into_iter(),
            current: None,
        })
    }

    /// Run it; the number of rows changed.
    pub(crate) fn execute(&mut self, p: impl Params) -> Result<usize> {
        self.conn.execute(&self.sql, p)
    }

    /// Whether the query returns a row.
    pub(crate) fn exists(&mut self, p: impl Params) -> Result<bool> {
        Ok(!self.conn.rows(&self.sql, p.into_values())?.is_empty())
    }
}

/// The rows of a query, walked as rusqlite's cursor is.
pub(crate) struct Rows {
    it: std::vec::IntoIter<Row>,
    current: Option<Row>,
}

impl Rows {
    /// The next row, or `None` after the last.
    pub(crate) fn next(&mut self) -> Result<Option<&Row>> {
        self.current = self.it.next();
        Ok(self.current.as_ref())
    }
}

/// A connection to a PostgreSQL server with its prepared statements.
pub struct PgConn {
    client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// The server as messages show it.
    target: String,
    /// A statement failed because the connection went away: the next action reconnects.
    broken: std::cell::Cell<bool>,
}

impl PgConn {
    /// Wrap a connected client.
    pub(crate) fn new(client: postgres::Client, target: &str) -> Self {
        Self {
            client: RefCell::new(client),
            statements: RefCell::default(),
            target: target.to_string(),
            broken: std::cell::Cell::new(false),
        }
    }

    /// `e` with the server's address; a lost connection marks this one for replacement.
    fn fail(&self, e: postgres::Error) -> SqlError {
        self.note_error(&e);
        SqlError::Pg(e, self.target.clone())
    }

    /// Mark the connection for replacement when `e` says it was lost.
    pub(crate) fn note_error(&self, e: &postgres::Error) {
        if e.is_closed()
            || e.as_db_error()
                .is_none_or(|d| d.code().code().starts_with("57P"))
        {
            self.broken.set(true);
        }
    }

    /// The server as messages show it.
    pub(crate) fn target(&self) -> &str {
        &self.target
    }

    /// Forget prepared statements (after a migration changed the tables they read).
    pub(crate) fn forget_statements(&self) {
        self.statements.borrow_mut().clear();
    }

    /// Whether the connection to the server is gone.
    pub(crate) fn is_closed(&self) -> bool {
        self.broken.get() || self.client.borrow().is_closed()
    }

    /// Replace a lost connection.
    pub(crate) fn replace_client(&self, client: postgres::Client) {
        *self.client.borrow_mut() = client;
        self.broken.set(false);
        self.forget_statements();
    }

    /// The client itself (COPY).
    pub(crate) fn client(&self) -> std::cell::RefMut<'_, postgres::Client> {
        self.client.borrow_mut()
    }

    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        let r = self.client.borrow_mut().batch_execute(sql);
        r.map_err(|e| self.fail(e))
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let translated = dollar_placeholders(sql);
        let prepared = self.client.borrow_mut().prepare(&translated);
        let stmt = prepared.map_err(|e| self.fail(e))?;
        let mut cache = self.statements.borrow_mut();
        // Statements built clause by clause (the audit filter) vary; the cache stays bounded.
        if cache.len() > 512 {
            cache.clear();
        }
        cache.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    fn execute(&self, sql: &str, values: &[Value]) -> Result<usize> {
        let stmt = self.statement(sql)?;
        let args: Vec<PgArg<'_>> = values.iter().map(PgArg).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        let n = self.client.borrow_mut().execute(&stmt, &refs);
        let n = n.map_err(|e| self.fail(e))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn rows(&self, sql: &str, values: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let args: Vec<PgArg<'_>> = values.iter().map(PgArg).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        let rows = self.client.borrow_mut().query(&stmt, &refs);
        let rows = rows.map_err(|e| self.fail(e))?;
        let names: Rc<Vec<String>> = Rc::new(
            stmt.columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect(),
        );
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut vals = Vec::with_capacity(names.len());
            for i in 0..names.len() {
                let v: PgVal = r.try_get(i)?;
                vals.push(v.0);
            }
            out.push(Row {
                names: names.clone(),
                values: vals,
            });
        }
        Ok(out)
    }
}

/// SQLite's `?1` / `?` placeholders as PostgreSQL's `$1`, outside quoted text.
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next_plain = 0u32;
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    next_plain += 1;
                    out.push_str(&next_plain.to_string());
                } else {
                    out.push_str(&digits);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A parameter converted to the type the server gave its placeholder.
#[derive(Debug)]
struct PgArg<'a>(&'a Value);

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for PgArg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    i.to_string().to_sql(ty, out)
                }
                _ => Err(format!("整数不能用作 {ty} 参数").into()),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => Err(format!("小数不能用作 {ty} 参数").into()),
            },
            Value::Text(s) => match *ty {
                Type::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => s.trim().parse::<i32>()?.to_sql(ty, out),
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                _ => s.as_str().to_sql(&Type::TEXT, out),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.as_slice().to_sql(ty, out),
                _ => Err(format!("二进制数据不能用作 {ty} 参数").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column read by its type.
struct PgVal(Value);

impl<'a> postgres::types::FromSql<'a> for PgVal {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(PgVal(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Value::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(<Vec<u8>>::from_sql(ty, raw)?),
            Type::OID => Value::Int(i64::from(u32::from_sql(ty, raw)?)),
            _ => Value::Text(String::from_sql(&Type::TEXT, raw)?),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(PgVal(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            dollar_placeholders("SELECT ?1, ?2 WHERE a = '?' AND b = ?"),
            "SELECT $1, $2 WHERE a = '?' AND b = $1"
        );
        assert_eq!(dollar_placeholders("x = ?10 \"q?\""), "x = $10 \"q?\"");
    }

    #[test]
    fn sqlite_rows_are_read_by_name_and_type() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let conn = Conn::Lite(&c);
        conn.execute_batch("CREATE TABLE t (a INTEGER, b TEXT, c BLOB)")
            .unwrap();
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            params![7i64, "七", vec![1u8, 2]],
        )
        .unwrap();
        let (a, b, c2): (i64, String, Vec<u8>) = conn
            .query_row("SELECT a, b, c FROM t", [] as [i64; 0], |r| {
                Ok((r.get("a")?, r.get(1)?, r.get("c")?))
            })
            .unwrap();
        assert_eq!((a, b.as_str(), c2), (7, "七", vec![1, 2]));
        let wrong = conn.query_row("SELECT b FROM t", [] as [i64; 0], |r| r.get::<_, i64>(0));
        assert!(matches!(wrong, Err(SqlError::Type { .. })), "{wrong:?}");
        let none = conn
            .query_row("SELECT a FROM t WHERE a = 8", [] as [i64; 0], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
            .unwrap();
        assert_eq!(none, None);
    }
}
