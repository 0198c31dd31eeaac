//! Typed queries on subjects and accounts (rule S-1).

use super::sql::{OptionalExtension, Row, params};
use chrono::NaiveDateTime;

use super::{Reader, StoreError, Writer, date_from_sql, ts_from_sql, ts_to_sql};
use crate::domain::id_codes::{IdDocKind, IdDocument, Uscc, mask_id_number};
use crate::domain::subject::{
    Account, AccountId, LegalRep, Subject, SubjectCode, SubjectId, SubjectKind, SubjectSummary,
    ValidAccount, ValidSubject,
};

const SUMMARY_COLUMNS: &str = "s.id, s.kind, s.code_type, s.code, s.name, s.phone, s.address";

fn kind_from_sql(k: &str) -> Result<SubjectKind, StoreError> {
    SubjectKind::from_key(k).ok_or_else(|| StoreError::BadData(format!("主体类别“{k}”")))
}

fn code_from_sql(code_type: &str, code: String) -> Result<SubjectCode, StoreError> {
    if code_type == "uscc" {
        return Ok(SubjectCode::Uscc {
            code: Uscc::from_stored(code),
        });
    }
    let kind = IdDocKind::from_key(code_type)
        .ok_or_else(|| StoreError::BadData(format!("证件类型“{code_type}”")))?;
    Ok(SubjectCode::Person {
        doc: IdDocument { kind, number: code },
    })
}

/// The columns of a summary row, read by name; converted outside the rusqlite closure so that
/// bad data becomes a [`StoreError`] instead of a panic.
struct SummaryRow {
    id: i64,
    kind: String,
    code_type: String,
    code: String,
    name: String,
    phone: String,
    address: String,
}

fn summary_row(r: &Row) -> super::sql::Result<SummaryRow> {
    Ok(SummaryRow {
        id: r.get("id")?,
        kind: r.get("kind")?,
        code_type: r.get("code_type")?,
        code: r.get("code")?,
        name: r.get("name")?,
        phone: r.get("phone")?,
        address: r.get("address")?,
    })
}

fn summary_from(row: SummaryRow) -> Result<SubjectSummary, StoreError> {
    let code_masked = if row.code_type == "uscc" {
        row.code
    } else {
        mask_id_number(&row.code)
    };
    Ok(SubjectSummary {
        id: SubjectId(row.id),
        kind: kind_from_sql(&row.kind)?,
        code_masked,
        name: row.name,
        phone: row.phone,
        address: row.address,
    })
}

/// Quote a user fragment as an FTS5 string (a phrase): doubled quotes, nothing else special.
fn fts_phrase(fragment: &str) -> String {
    format!("\"{}\"", fragment.replace('"', "\"\""))
}

/// Whether the `ascii` tokenizer of `subject_ngram` keeps `c` inside a token: every non-ASCII
/// character and ASCII letters and digits. A fragment made of such characters is exactly one
/// token, so the index answers it; ASCII punctuation and spaces split tokens and are left to the
/// scan.
fn ngram_indexed(c: char) -> bool {
    !c.is_ascii() || c.is_ascii_alphanumeric()
}

/// Escape LIKE wildcards so that `%` or `_` typed by a clerk match themselves.
fn like_pattern(fragment: &str) -> String {
    let mut p = String::with_capacity(fragment.len() + 2);
    p.push('%');
    for c in fragment.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Reader<'_> {
    /// The subject with its accounts.
    pub fn subject(&self, id: SubjectId) -> Result<Option<Subject>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, kind, code_type, code, name, legal_rep_name, legal_rep_id_type,
                        legal_rep_id_number, founded_on, phone, address, created_at, updated_at
                 FROM subject WHERE id = ?1",
            )?
            .query_row([id.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                ))
            })
            .optional()?;
        let Some((
            id,
            kind,
            code_type,
            code,
            name,
            lr_name,
            lr_type,
            lr_no,
            founded,
            phone,
            address,
            created,
            updated,
        )) = row
        else {
            return Ok(None);
        };
        let legal_rep = match lr_name {
            Some(name) => {
                let doc = match (lr_type, lr_no) {
                    (Some(t), Some(number)) => Some(IdDocument {
                        kind: IdDocKind::from_key(&t)
                            .ok_or_else(|| StoreError::BadData(format!("证件类型“{t}”")))?,
                        number,
                    }),
                    _ => None,
                };
                Some(LegalRep { name, doc })
            }
            None => None,
        };
        Ok(Some(Subject {
            id: SubjectId(id),
            kind: kind_from_sql(&kind)?,
            code: code_from_sql(&code_type, code)?,
            name,
            legal_rep,
            founded_on: date_from_sql(founded)?,
            phone,
            address,
            created_at: ts_from_sql(&created)?,
            updated_at: ts_from_sql(&updated)?,
            accounts: self.accounts_of(SubjectId(id))?,
        }))
    }

    /// The subject keyed by (`code_type`, normalised `code`), with its name.
    pub fn subject_by_code(
        &self,
        code_type: &str,
        code: &str,
    ) -> Result<Option<(SubjectId, String)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name FROM subject WHERE code_type = ?1 AND code = ?2")?
            .query_row([code_type, code], |r| Ok((SubjectId(r.get(0)?), r.get(1)?)))
            .optional()?)
    }

    /// Subjects whose code (USCC or ID number, any type) is exactly `code`.
    pub fn subjects_with_code(&self, code: &str) -> Result<Vec<SubjectSummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM subject s WHERE s.code = ?1");
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map([code], summary_row)?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter().map(summary_from).collect()
    }

    /// The subject owning 用户编号 `account_no`.
    pub fn subject_by_account_no(
        &self,
        account_no: &str,
    ) -> Result<Option<SubjectSummary>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM account a JOIN subject s ON s.id = a.subject_id
             WHERE a.account_no = ?1"
        );
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row([account_no], summary_row)
            .optional()?;
        row.map(summary_from).transpose()
    }

    /// Names containing `fragment` by LIKE, in key order, at most `limit` rows.
    fn scan_names(&self, fragment: &str, limit: i64) -> Result<Vec<SummaryRow>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM subject s WHERE s.name LIKE ?1 ESCAPE '\\'
             ORDER BY s.id LIMIT ?2"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![like_pattern(fragment), limit], summary_row)?
            .collect::<super::sql::Result<Vec<_>>>()?)
    }

    /// Subjects whose name contains `fragment`, in registration order, at most `limit`.
    /// Three or more characters use the trigram index; one or two characters use the index of
    /// single characters and character pairs (migration 7). Only a short fragment with ASCII
    /// punctuation or spaces, which that index leaves out, scans the names, stopping at `limit`.
    pub fn search_names(
        &self,
        fragment: &str,
        limit: usize,
    ) -> Result<Vec<SubjectSummary>, StoreError> {
        let fragment = fragment.trim();
        if fragment.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // PostgreSQL answers every length with one LIKE: its pg_trgm index serves three
        // characters and more; a shorter fragment walks the names in key order up to `limit`.
        let pg = self.conn.engine() == super::Engine::Postgres;
        let rows = if pg {
            self.scan_names(fragment, limit)?
        } else if fragment.chars().count() >= 3 {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM subject_fts f JOIN subject s ON s.id = f.rowid
                 WHERE subject_fts MATCH ?1 ORDER BY f.rowid LIMIT ?2"
            );
            self.conn
                .prepare_cached(&sql)?
                .query_map(params![fts_phrase(fragment), limit], summary_row)?
                .collect::<super::sql::Result<Vec<_>>>()?
        } else if fragment.chars().all(ngram_indexed) {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM subject_ngram g JOIN subject s ON s.id = g.rowid
                 WHERE subject_ngram MATCH ?1 ORDER BY g.rowid LIMIT ?2"
            );
            self.conn
                .prepare_cached(&sql)?
                .query_map(params![fts_phrase(fragment), limit], summary_row)?
                .collect::<super::sql::Result<Vec<_>>>()?
        } else {
            self.scan_names(fragment, limit)?
        };
        rows.into_iter().map(summary_from).collect()
    }

    /// The most recently created or edited subjects.
    pub fn recent_subjects(&self, limit: usize) -> Result<Vec<SubjectSummary>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM subject s ORDER BY s.updated_at DESC, s.id DESC LIMIT ?1"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], summary_row)?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter().map(summary_from).collect()
    }

    /// How many subjects are registered.
    pub fn count_subjects(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM subject")?
            .query_row(params![], |r| r.get(0))?)
    }

    /// The accounts of a subject, by 用户编号.
    pub fn accounts_of(&self, subject: SubjectId) -> Result<Vec<Account>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT id, subject_id, account_no, usage_address, supply_start
                 FROM account WHERE subject_id = ?1 ORDER BY account_no",
            )?
            .query_map([subject.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, sid, no, addr, start)| {
                Ok(Account {
                    id: AccountId(id),
                    subject_id: SubjectId(sid),
                    account_no: no,
                    usage_address: addr,
                    supply_start: date_from_sql(start)?,
                })
            })
            .collect()
    }

    /// The account with key `id`.
    pub fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, subject_id, account_no, usage_address, supply_start
                 FROM account WHERE id = ?1",
            )?
            .query_row([id.0], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .optional()?;
        row.map(|(id, sid, no, addr, start)| {
            Ok(Account {
                id: AccountId(id),
                subject_id: SubjectId(sid),
                account_no: no,
                usage_address: addr,
                supply_start: date_from_sql(start)?,
            })
        })
        .transpose()
    }

    /// The account with 用户编号 `account_no`, with the name of its subject.
    pub fn account_by_no(&self, account_no: &str) -> Result<Option<(Account, String)>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.subject_id, a.account_no, a.usage_address, a.supply_start, s.name
                 FROM account a JOIN subject s ON s.id = a.subject_id WHERE a.account_no = ?1",
            )?
            .query_row([account_no], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .optional()?;
        row.map(|(id, sid, no, addr, start, name)| {
            Ok((
                Account {
                    id: AccountId(id),
                    subject_id: SubjectId(sid),
                    account_no: no,
                    usage_address: addr,
                    supply_start: date_from_sql(start)?,
                },
                name,
            ))
        })
        .transpose()
    }
}

fn legal_rep_columns(s: &ValidSubject) -> (Option<&str>, Option<&str>, Option<&str>) {
    match &s.legal_rep {
        Some(lr) => (
            Some(lr.name.as_str()),
            lr.doc.as_ref().map(|d| d.kind.key()),
            lr.doc.as_ref().map(|d| d.number.as_str()),
        ),
        None => (None, None, None),
    }
}

impl Writer<'_> {
    /// Register a subject. The caller has checked that the code is free; the UNIQUE constraint
    /// stays as the last guard.
    pub fn insert_subject(
        &self,
        s: &ValidSubject,
        now: NaiveDateTime,
    ) -> Result<SubjectId, StoreError> {
        self.insert_subject_at(s, &ts_to_sql(now))
    }

    /// [`Writer::insert_subject`] with the timestamp already in its SQL form (bulk loads).
    pub(super) fn insert_subject_at(
        &self,
        s: &ValidSubject,
        now: &str,
    ) -> Result<SubjectId, StoreError> {
        let (code_type, code) = s.code.parts();
        let (lr_name, lr_type, lr_no) = legal_rep_columns(s);
        let mut founded = [0u8; 10];
        let founded = s.founded_on.map(|d| super::bulk::iso_date(d, &mut founded));
        let new_id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO subject (kind, code_type, code, name, legal_rep_name,
                    legal_rep_id_type, legal_rep_id_number, founded_on, phone, address,
                    created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id",
            )?
            .query_row(
                params![
                    s.kind.key(),
                    code_type,
                    code,
                    s.name,
                    lr_name,
                    lr_type,
                    lr_no,
                    founded,
                    s.phone,
                    s.address,
                    now,
                ],
                |r| r.get(0),
            )?;
        Ok(SubjectId(new_id))
    }

    /// Overwrite a subject's fields (its key included: a corrected code). Returns false when no
    /// such subject exists.
    pub fn update_subject(
        &self,
        id: SubjectId,
        s: &ValidSubject,
        now: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let (code_type, code) = s.code.parts();
        let (lr_name, lr_type, lr_no) = legal_rep_columns(s);
        let n = self
            .conn
            .prepare_cached(
                "UPDATE subject SET kind = ?2, code_type = ?3, code = ?4, name = ?5,
                    legal_rep_name = ?6, legal_rep_id_type = ?7, legal_rep_id_number = ?8,
                    founded_on = ?9, phone = ?10, address = ?11, updated_at = ?12
                 WHERE id = ?1",
            )?
            .execute(params![
                id.0,
                s.kind.key(),
                code_type,
                code,
                s.name,
                lr_name,
                lr_type,
                lr_no,
                s.founded_on.map(|d| d.to_string()),
                s.phone,
                s.address,
                ts_to_sql(now),
            ])?;
        Ok(n == 1)
    }

    /// Add a power-supply account to a subject and mark the subject as touched.
    pub fn insert_account(
        &self,
        subject: SubjectId,
        a: &ValidAccount,
        now: NaiveDateTime,
    ) -> Result<AccountId, StoreError> {
        let now = ts_to_sql(now);
        let id = self.insert_account_at(subject, a, &now)?;
        self.touch_subject(subject, &now)?;
        Ok(id)
    }

    /// The account row of [`Writer::insert_account`], with the timestamp already in its SQL
    /// form and the subject left untouched (bulk loads).
    pub(super) fn insert_account_at(
        &self,
        subject: SubjectId,
        a: &ValidAccount,
        now: &str,
    ) -> Result<AccountId, StoreError> {
        let mut date = [0u8; 10];
        let start = a.supply_start.map(|d| super::bulk::iso_date(d, &mut date));
        let new_id: i64 = self.conn.prepare_cached(
"INSERT INTO account (subject_id, account_no, usage_address, supply_start, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            )?.query_row(params![
                subject.0,
                a.account_no,
                a.usage_address,
                start,
                now
            ], |r| r.get(0))?;
        Ok(AccountId(new_id))
    }

    /// Change an account's address or start date (its 用户编号 too).
    pub fn update_account(
        &self,
        id: AccountId,
        a: &ValidAccount,
        now: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE account SET account_no = ?2, usage_address = ?3, supply_start = ?4
                 WHERE id = ?1",
            )?
            .execute(params![
                id.0,
                a.account_no,
                a.usage_address,
                a.supply_start.map(|d| d.to_string()),
            ])?;
        if n == 1 {
            let sid: i64 = self
                .conn
                .prepare_cached("SELECT subject_id FROM account WHERE id = ?1")?
                .query_row([id.0], |r| r.get(0))?;
            self.touch_subject(SubjectId(sid), &ts_to_sql(now))?;
        }
        Ok(n == 1)
    }

    fn touch_subject(&self, id: SubjectId, now: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE subject SET updated_at = ?2 WHERE id = ?1")?
            .execute(params![id.0, now])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_codes::uscc_check_char;
    use crate::store::Store;
    use chrono::NaiveDate;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap()
    }

    fn org(name: &str, body: &str) -> ValidSubject {
        let code = format!("{body}{}", uscc_check_char(body).unwrap());
        ValidSubject {
            kind: SubjectKind::Organization,
            code: SubjectCode::Uscc {
                code: Uscc::parse(&code).unwrap(),
            },
            name: name.into(),
            legal_rep: None,
            founded_on: NaiveDate::from_ymd_opt(2020, 1, 2),
            phone: String::new(),
            address: "湛江".into(),
        }
    }

    #[test]
    fn insert_find_update_and_search() {
        let mut st = Store::open_in_memory().unwrap();
        let a = org("湛江市霞山区海港贸易有限公司", "91440800MA4UMB8E0");
        let b = org("广东宝钢湛江钢铁有限公司", "91440800MA4ABCDE1");
        let (ia, ib) = st
            .write(|w| {
                Ok::<_, StoreError>((w.insert_subject(&a, now())?, w.insert_subject(&b, now())?))
            })
            .unwrap();
        let r = st.read();
        assert_eq!(r.count_subjects().unwrap(), 2);
        let (_, code) = a.code.parts();
        assert_eq!(r.subject_by_code("uscc", code).unwrap().unwrap().0, ia);
        let hits = r.search_names("湛江钢铁", 10).unwrap();
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![ib]);
        // Two characters: the scan path.
        let hits = r.search_names("湛江", 10).unwrap();
        assert_eq!(hits.len(), 2);
        assert!(r.search_names("不存在的名字", 10).unwrap().is_empty());
        // Wildcards and quotes typed by a clerk are literal.
        assert!(r.search_names("%", 10).unwrap().is_empty());
        assert!(r.search_names("\"海港\"", 10).unwrap().is_empty());

        let renamed = ValidSubject {
            name: "湛江市海港物流有限公司".into(),
            ..a.clone()
        };
        st.write(|w| w.update_subject(ia, &renamed, now())).unwrap();
        let r = st.read();
        assert!(r.search_names("海港贸易", 10).unwrap().is_empty());
        assert_eq!(r.search_names("海港物流", 10).unwrap()[0].id, ia);
        assert_eq!(
            r.subject(ia).unwrap().unwrap().name,
            "湛江市海港物流有限公司"
        );
    }

    fn person(name: &str, n: u32) -> ValidSubject {
        let body = format!("44080219800101{n:03}");
        let check = crate::domain::id_codes::resident_id_check_char(&body).unwrap();
        ValidSubject {
            kind: SubjectKind::NaturalPerson,
            code: SubjectCode::Person {
                doc: IdDocument {
                    kind: IdDocKind::ResidentId,
                    number: format!("{body}{check}"),
                },
            },
            name: name.into(),
            legal_rep: None,
            founded_on: None,
            phone: String::new(),
            address: String::new(),
        }
    }

    /// What `search_names` must return: the ids of every name containing `fragment` (ASCII
    /// letters without regard to case, as LIKE and the indexes do), in id order.
    fn brute_force(names: &[(SubjectId, String)], fragment: &str, limit: usize) -> Vec<SubjectId> {
        let f = fragment.trim().to_ascii_lowercase();
        names
            .iter()
            .filter(|(_, n)| n.to_ascii_lowercase().contains(&f))
            .map(|(id, _)| *id)
            .take(limit)
            .collect()
    }

    #[test]
    fn one_and_two_character_fragments_use_the_pair_index() {
        let mut st = Store::open_in_memory().unwrap();
        let names = [
            "陈海明",
            "陈明海",
            "湛江市海港贸易有限公司",
            "湛江ABC电子有限公司",
            "湛江市（霞山）A&B商行",
            "李小梅",
            "海陈",
            "Abc Trading",
            "湛江 鼎盛 水产",
        ];
        let mut stored = Vec::new();
        st.write(|w| {
            for (i, n) in names.iter().enumerate() {
                let id = w.insert_subject(&person(n, i as u32), now())?;
                stored.push((id, n.to_string()));
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
        let r = st.read();
        let ids = |frag: &str, limit: usize| -> Vec<SubjectId> {
            r.search_names(frag, limit)
                .unwrap()
                .iter()
                .map(|h| h.id)
                .collect()
        };
        // Rare pair: only the name where 陈 is followed by 海, not 海陈 or 陈明海; answered by
        // the pair index itself.
        assert_eq!(ids("陈海", 100), vec![stored[0].0]);
        let indexed = |st: &Store, phrase: &str| -> Vec<i64> {
            st.lite()
                .prepare("SELECT rowid FROM subject_ngram WHERE subject_ngram MATCH ?1")
                .unwrap()
                .query_map([phrase], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(indexed(&st, "\"陈海\""), vec![stored[0].0.0]);
        assert_eq!(indexed(&st, "\"ab\"").len(), 2);
        // Common pair, bounded by the limit, in registration order.
        assert_eq!(ids("有限", 100).len(), 2);
        assert_eq!(ids("湛江", 2), vec![stored[2].0, stored[3].0]);
        // Single characters, full-width punctuation, ASCII in any case, and the scan path for
        // ASCII punctuation and spaces.
        for frag in [
            "海", "陈", "梅", "限", "（", "霞山", "ab", "BC", "a", "&", "A&", "&B", "c ", " 鼎",
            "盛 ", "z", "无", "海陈", "明海",
        ] {
            assert_eq!(ids(frag, 100), brute_force(&stored, frag, 100), "{frag}");
        }
        assert_eq!(ids("ab", 100).len(), 2, "湛江ABC… and Abc Trading");

        // A rename keeps both indexes right: the old pairs no longer find it, the new ones do.
        let renamed = person("梁海燕", 0);
        st.write(|w| w.update_subject(stored[0].0, &renamed, now()))
            .unwrap();
        stored[0].1 = "梁海燕".into();
        assert!(indexed(&st, "\"陈海\"").is_empty());
        assert_eq!(indexed(&st, "\"海燕\""), vec![stored[0].0.0]);
        let r = st.read();
        assert!(
            !r.search_names("陈海", 100)
                .unwrap()
                .iter()
                .any(|h| h.id == stored[0].0)
        );
        assert_eq!(r.search_names("海燕", 100).unwrap()[0].id, stored[0].0);
        assert_eq!(r.search_names("燕", 100).unwrap()[0].id, stored[0].0);
        for frag in ["陈", "梁", "海", "陈海", "明海"] {
            let got: Vec<_> = r
                .search_names(frag, 100)
                .unwrap()
                .iter()
                .map(|h| h.id)
                .collect();
            assert_eq!(got, brute_force(&stored, frag, 100), "{frag}");
        }
    }

    #[test]
    fn bulk_load_indexes_names_and_keeps_the_triggers() {
        let mut st = Store::open_in_memory().unwrap();
        let triggers = |st: &Store| -> i64 {
            st.lite()
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let before = triggers(&st);
        // A failed bulk load writes nothing and leaves the triggers in place.
        let failed: Result<(), StoreError> = st.write(|w| {
            w.bulk_subjects(now(), |b| {
                b.insert_subject(&person("陈海明", 1))?;
                Err(StoreError::BadData("故意失败".into()))
            })
        });
        assert!(failed.is_err());
        assert_eq!(triggers(&st), before);
        assert_eq!(st.read().count_subjects().unwrap(), 0);

        let typed = st
            .write(|w| w.insert_subject(&person("陈明", 0), now()))
            .unwrap();
        let mut stored = vec![(typed, "陈明".to_string())];
        st.write(|w| {
            w.bulk_subjects(now(), |b| {
                for (i, n) in ["陈海明", "湛江市海港贸易有限公司", "海陈"]
                    .iter()
                    .enumerate()
                {
                    let id = b.insert_subject(&person(n, i as u32 + 1))?;
                    stored.push((id, n.to_string()));
                }
                Ok::<_, StoreError>(())
            })
        })
        .unwrap();
        assert_eq!(triggers(&st), before);
        // Typed afterwards: the restored triggers index it.
        let later = st
            .write(|w| w.insert_subject(&person("海港陈海", 9), now()))
            .unwrap();
        stored.push((later, "海港陈海".into()));
        let r = st.read();
        for frag in ["陈", "陈海", "海港", "海港贸易", "陈海明", "海陈", "公司"] {
            let got: Vec<_> = r
                .search_names(frag, 100)
                .unwrap()
                .iter()
                .map(|h| h.id)
                .collect();
            assert_eq!(got, brute_force(&stored, frag, 100), "{frag}");
        }
    }

    #[test]
    fn accounts_belong_to_subjects() {
        let mut st = Store::open_in_memory().unwrap();
        let a = org("湛江市霞山区海港贸易有限公司", "91440800MA4UMB8E0");
        let acc = ValidAccount {
            account_no: "0300123456".into(),
            usage_address: "湛江经济技术开发区钢铁产业园区".into(),
            supply_start: NaiveDate::from_ymd_opt(2021, 3, 1),
        };
        let id = st
            .write(|w| {
                let id = w.insert_subject(&a, now())?;
                w.insert_account(id, &acc, now())?;
                Ok::<_, StoreError>(id)
            })
            .unwrap();
        let r = st.read();
        let s = r.subject(id).unwrap().unwrap();
        assert_eq!(s.accounts.len(), 1);
        assert_eq!(s.accounts[0].supply_start, acc.supply_start);
        assert_eq!(
            r.subject_by_account_no("0300123456").unwrap().unwrap().id,
            id
        );
        // A duplicate 用户编号 is refused by the store.
        let dup = st.write(|w| w.insert_account(id, &acc, now()));
        assert!(dup.is_err());
    }

    #[test]
    fn person_codes_are_masked_in_summaries() {
        let mut st = Store::open_in_memory().unwrap();
        let p = ValidSubject {
            kind: SubjectKind::NaturalPerson,
            code: SubjectCode::Person {
                doc: IdDocument {
                    kind: IdDocKind::ResidentId,
                    number: "11010519491231002X".into(),
                },
            },
            name: "李小梅".into(),
            legal_rep: None,
            founded_on: None,
            phone: String::new(),
            address: String::new(),
        };
        st.write(|w| w.insert_subject(&p, now())).unwrap();
        let hits = st.read().search_names("小梅", 5).unwrap();
        assert_eq!(hits[0].code_masked, "110105********002X");
        assert_eq!(st.read().recent_subjects(5).unwrap().len(), 1);
    }
}
