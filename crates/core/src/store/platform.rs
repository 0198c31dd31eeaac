//! The exchange with 湛江市公共信用信息共享平台 (rules E-1..E-3, issue 18): batches and the rows
//! each sent, the watermark of what the platform accepted, and the platform's dishonesty lists
//! as dated snapshots (T-1(c)). Schema step 13 on both engines.

use chrono::{NaiveDate, NaiveDateTime};

use super::sql::{OptionalExtension, Value, params};
use super::{Reader, StoreError, StoredRecord, Writer, records::decode_payload, ts_to_sql};
use crate::domain::commitment::{Commitment, CommitmentId};
use crate::domain::records::RecordId;
use crate::domain::trust::ListHit;

/// A batch as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    pub id: i64,
    /// 批次号, e.g. `440800-20261202-001`.
    pub batch_no: String,
    pub created_at: String,
    pub staff_no: String,
    /// `xlsx` or `csv`.
    pub format: String,
    /// JSON: the files written, `[{class, file, rows, sha256}]`.
    pub files: String,
    /// `pending` (awaiting the platform), `accepted`, `void`.
    pub status: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
}

const BATCH_COLUMNS: &str =
    "id, batch_no, created_at, staff_no, format, files, status, decided_at, decided_by, note";

fn batch_row(r: &super::sql::Row) -> super::sql::Result<BatchRow> {
    Ok(BatchRow {
        id: r.get(0)?,
        batch_no: r.get(1)?,
        created_at: r.get(2)?,
        staff_no: r.get(3)?,
        format: r.get(4)?,
        files: r.get(5)?,
        status: r.get(6)?,
        decided_at: r.get(7)?,
        decided_by: r.get(8)?,
        note: r.get(9)?,
    })
}

/// One row a batch sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub class: String,
    /// The data row in the class's file, from 1 (the header is row 0).
    pub row_no: i64,
    /// `r` a power-supply record, `c` a commitment.
    pub ref_kind: String,
    pub ref_id: i64,
    /// `new`, `corrected`, `withdrawn`.
    pub change: String,
    pub digest: i64,
    /// The cells as sent, joined by U+001F.
    pub cells: String,
    /// The platform's reason, when it refused the row.
    pub refused: Option<String>,
}

/// A row to record in a batch.
#[derive(Debug, Clone, Copy)]
pub struct NewItem<'a> {
    pub class: &'a str,
    pub row_no: i64,
    pub ref_kind: &'a str,
    pub ref_id: i64,
    pub change: &'a str,
    pub digest: i64,
    pub cells: &'a str,
}

/// What the platform last accepted of one record or commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentState {
    pub ref_id: i64,
    /// The content accepted (meaningless unless `accepted`).
    pub digest: i64,
    pub withdrawn: bool,
    /// Whether the platform ever accepted the row.
    pub accepted: bool,
    /// The content of the row the platform refused last, until a later one is accepted.
    pub refused_digest: Option<i64>,
    pub batch_id: i64,
    pub row_no: i64,
}

/// A list snapshot as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRow {
    pub id: i64,
    /// 名单截至.
    pub as_of: NaiveDate,
    pub imported_at: String,
    pub staff_no: String,
    pub file_name: String,
    pub sha256: String,
    pub entries: i64,
}

/// An entry to store in a snapshot.
#[derive(Debug, Clone)]
pub struct NewListEntry<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub hit: &'a ListHit,
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::BadData(format!("名单日期“{s}”无法识别")))
}

impl Reader<'_> {
    /// Every batch, newest first.
    pub fn platform_batches(&self) -> Result<Vec<BatchRow>, StoreError> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM platform_batch ORDER BY id DESC");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_map(params![], batch_row)?
            .collect::<super::sql::Result<Vec<_>>>()?)
    }

    /// One batch by 批次号.
    pub fn platform_batch(&self, batch_no: &str) -> Result<Option<BatchRow>, StoreError> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM platform_batch WHERE batch_no = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([batch_no], batch_row)
            .optional()?)
    }

    /// The batch awaiting the platform's answer, if any (at most one: see the desk).
    pub fn pending_platform_batch(&self) -> Result<Option<BatchRow>, StoreError> {
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM platform_batch WHERE status = 'pending'
             ORDER BY id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![], batch_row)
            .optional()?)
    }

    /// How many batches were made on `day` (`YYYY-MM-DD`): the next 批次号's serial.
    pub fn platform_batches_on(&self, day: &str) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM platform_batch WHERE created_at LIKE ?1")?
            .query_row([format!("{day}%")], |r| r.get(0))?)
    }

    /// A batch's rows of one class, in file order, `limit` from after `after_row`.
    pub fn platform_items(
        &self,
        batch_id: i64,
        class: &str,
        after_row: i64,
        limit: i64,
    ) -> Result<Vec<ItemRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT class, row_no, ref_kind, ref_id, change, digest, cells, refused
                 FROM platform_item WHERE batch_id = ?1 AND class = ?2 AND row_no > ?3
                 ORDER BY row_no LIMIT ?4",
            )?
            .query_map(params![batch_id, class, after_row, limit], item_row)?
            .collect::<super::sql::Result<Vec<_>>>()?)
    }

    /// How many rows a batch sent.
    pub fn count_platform_items(&self, batch_id: i64) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM platform_item WHERE batch_id = ?1")?
            .query_row([batch_id], |r| r.get(0))?)
    }

    /// The row (class, row number) a batch sent for one record or commitment.
    pub fn platform_item_of(
        &self,
        batch_id: i64,
        ref_kind: &str,
        ref_id: i64,
    ) -> Result<Option<(String, i64)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT class, row_no FROM platform_item
                 WHERE batch_id = ?1 AND ref_kind = ?2 AND ref_id = ?3 LIMIT 1",
            )?
            .query_row(params![batch_id, ref_kind, ref_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// How many commitments are stored.
    pub fn count_commitments(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM commitment")?
            .query_row(params![], |r| r.get(0))?)
    }

    /// A batch's rows the platform refused.
    pub fn refused_platform_items(&self, batch_id: i64) -> Result<Vec<ItemRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT class, row_no, ref_kind, ref_id, change, digest, cells, refused
                 FROM platform_item WHERE batch_id = ?1 AND refused IS NOT NULL
                 ORDER BY class, row_no",
            )?
            .query_map([batch_id], item_row)?
            .collect::<super::sql::Result<Vec<_>>>()?)
    }

    /// The refusal of a record or commitment in the newest batch that sent it, if that batch
    /// refused it (the window shows it beside the record).
    pub fn platform_refusal(
        &self,
        ref_kind: &str,
        ref_id: i64,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT b.batch_no, i.refused FROM platform_item i
                 JOIN platform_batch b ON b.id = i.batch_id
                 WHERE i.ref_kind = ?1 AND i.ref_id = ?2 AND b.status <> 'void'
                 ORDER BY i.batch_id DESC LIMIT 1",
            )?
            .query_row(params![ref_kind, ref_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .optional()?
            .and_then(|(b, reason)| reason.map(|r| (b, r))))
    }

    /// The cells last accepted for a record or commitment (a withdrawal repeats them).
    pub fn platform_sent_cells(&self, s: &SentState, class: &str) -> Result<String, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT cells FROM platform_item WHERE batch_id = ?1 AND class = ?2 AND row_no = ?3",
            )?
            .query_row(params![s.batch_id, class, s.row_no], |r| r.get(0))
            .optional()?
            .unwrap_or_default())
    }

    /// What the platform accepted of one class's rows with `ref_id` in `(after, upto]`
    /// (`upto`: `None` for no bound), by id.
    pub fn platform_sent_range(
        &self,
        ref_kind: &str,
        class: &str,
        after: i64,
        upto: Option<i64>,
    ) -> Result<Vec<SentState>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT ref_id, digest, withdrawn, batch_id, row_no, accepted, refused_digest
                 FROM platform_sent WHERE ref_kind = ?1 AND class = ?2 AND ref_id > ?3 AND ref_id <= ?4
                 ORDER BY ref_id",
            )?
            .query_map(
                params![ref_kind, class, after, upto.unwrap_or(i64::MAX)],
                |r| {
                    Ok(SentState {
                        ref_id: r.get(0)?,
                        digest: r.get(1)?,
                        withdrawn: r.get::<_, i64>(2)? != 0,
                        batch_id: r.get(3)?,
                        row_no: r.get(4)?,
                        accepted: r.get::<_, i64>(5)? != 0,
                        refused_digest: r.get(6)?,
                    })
                },
            )?
            .collect::<super::sql::Result<Vec<_>>>()?)
    }

    /// Records of the given kinds with id above `after`, by id, at most `limit` (the export
    /// walks the table in such slices, so memory stays bounded).
    pub fn records_after(
        &self,
        kinds: &[&str],
        after: i64,
        limit: i64,
    ) -> Result<Vec<(crate::domain::subject::SubjectId, StoredRecord)>, StoreError> {
        // The kinds are the program's own keys, never user input.
        let list = kinds
            .iter()
            .map(|k| format!("'{}'", k.replace('\'', "")))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT id, subject_id, payload, source FROM power_record
             WHERE id > ?1 AND kind IN ({list}) ORDER BY id LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![after, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            out.push((
                crate::domain::subject::SubjectId(r.get(1)?),
                StoredRecord {
                    id: RecordId(id),
                    record: decode_payload(id, r.value(2).unwrap_or(&Value::Null))?,
                    source: r.get(3)?,
                },
            ));
        }
        Ok(out)
    }

    /// Commitments with id above `after`, by id, at most `limit`.
    pub fn commitments_after(&self, after: i64, limit: i64) -> Result<Vec<Commitment>, StoreError> {
        let rows = self
            .conn
            .prepare_cached("SELECT id, record FROM commitment WHERE id > ?1 ORDER BY id LIMIT ?2")?
            .query_map(params![after, limit], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, json)| {
                let mut c: Commitment = serde_json::from_str(&json)
                    .map_err(|e| StoreError::BadData(format!("承诺记录 {id}：{e}")))?;
                c.id = CommitmentId(id);
                Ok(c)
            })
            .collect()
    }

    /// Every list snapshot, newest (by 名单截至, then import) first.
    pub fn list_snapshots(&self) -> Result<Vec<SnapshotRow>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT id, as_of, imported_at, staff_no, file_name, sha256, entries
                 FROM list_snapshot ORDER BY as_of DESC, id DESC",
            )?
            .query_map(params![], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(id, as_of, imported_at, staff_no, file_name, sha256, entries)| {
                    Ok(SnapshotRow {
                        id,
                        as_of: parse_date(&as_of)?,
                        imported_at,
                        staff_no,
                        file_name,
                        sha256,
                        entries,
                    })
                },
            )
            .collect()
    }

    /// The newest snapshot (by 名单截至) not after `day`: a snapshot dated after the check date
    /// says nothing of that date.
    pub fn newest_list_snapshot(&self, day: NaiveDate) -> Result<Option<SnapshotRow>, StoreError> {
        Ok(self.list_snapshots()?.into_iter().find(|s| s.as_of <= day))
    }

    /// The entries of a snapshot naming `code` (a USCC or ID number).
    pub fn list_hits(&self, snapshot: i64, code: &str) -> Result<Vec<ListHit>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT list_type, serious, listed_on, removed_on, reason, authority
                 FROM list_entry WHERE snapshot_id = ?1 AND code = ?2 ORDER BY listed_on, id",
            )?
            .query_map(params![snapshot, code], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(list_type, serious, listed_on, removed_on, reason, authority)| {
                    Ok(ListHit {
                        list_type,
                        serious: serious != 0,
                        listed_on: parse_date(&listed_on)?,
                        removed_on: removed_on.as_deref().map(parse_date).transpose()?,
                        reason,
                        authority,
                    })
                },
            )
            .collect()
    }

    /// The codes (USCC or ID number) a snapshot lists as in force on `day` on the serious list,
    /// with the subjects they name, for the list of subjects whose standing changed.
    pub fn listed_subjects(
        &self,
        snapshot: i64,
        day: NaiveDate,
    ) -> Result<Vec<crate::domain::subject::SubjectId>, StoreError> {
        let day = date_text(day);
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT s.id FROM list_entry e JOIN subject s ON s.code = e.code
                 WHERE e.snapshot_id = ?1 AND e.serious = 1 AND e.listed_on <= ?2
                   AND (e.removed_on IS NULL OR e.removed_on > ?2)
                 ORDER BY s.id",
            )?
            .query_map(params![snapshot, day], |r| r.get(0))?
            .collect::<super::sql::Result<Vec<_>>>()?;
        Ok(ids
            .into_iter()
            .map(crate::domain::subject::SubjectId)
            .collect())
    }
}

fn item_row(r: &super::sql::Row) -> super::sql::Result<ItemRow> {
    Ok(ItemRow {
        class: r.get(0)?,
        row_no: r.get(1)?,
        ref_kind: r.get(2)?,
        ref_id: r.get(3)?,
        change: r.get(4)?,
        digest: r.get(5)?,
        cells: r.get(6)?,
        refused: r.get(7)?,
    })
}

impl Writer<'_> {
    /// Record a new batch (`pending`); its id.
    pub fn insert_platform_batch(
        &self,
        batch_no: &str,
        now: NaiveDateTime,
        staff_no: &str,
        format: &str,
        files: &str,
    ) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "INSERT INTO platform_batch (batch_no, created_at, staff_no, format, files, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending') RETURNING id",
            )?
            .query_row(
                params![batch_no, ts_to_sql(now), staff_no, format, files],
                |r| r.get(0),
            )?)
    }

    /// Record one row a batch sent.
    pub fn insert_platform_item(
        &self,
        batch_id: i64,
        item: &NewItem<'_>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO platform_item (batch_id, class, row_no, ref_kind, ref_id, change,
                     digest, cells)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                batch_id,
                item.class,
                item.row_no,
                item.ref_kind,
                item.ref_id,
                item.change,
                item.digest,
                item.cells
            ])?;
        Ok(())
    }

    /// Mark a row of a batch as refused; `false` when the batch has no such row.
    pub fn refuse_platform_item(
        &self,
        batch_id: i64,
        class: &str,
        row_no: i64,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE platform_item SET refused = ?4
                 WHERE batch_id = ?1 AND class = ?2 AND row_no = ?3",
            )?
            .execute(params![batch_id, class, row_no, reason])?;
        Ok(n == 1)
    }

    /// Accept a batch: every row not refused becomes what the platform holds (the watermark
    /// moves); the refused ones will be sent again once their content changes.
    pub fn accept_platform_batch(
        &self,
        batch_id: i64,
        now: NaiveDateTime,
        staff_no: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO platform_sent (ref_kind, ref_id, class, digest, withdrawn, accepted,
                     refused_digest, batch_id, row_no)
                 SELECT ref_kind, ref_id, class, digest,
                        CASE WHEN change = 'withdrawn' THEN 1 ELSE 0 END, 1, NULL, batch_id, row_no
                 FROM platform_item WHERE batch_id = ?1 AND refused IS NULL
                 ON CONFLICT (ref_kind, ref_id) DO UPDATE SET class = excluded.class,
                     digest = excluded.digest, withdrawn = excluded.withdrawn, accepted = 1,
                     refused_digest = NULL, batch_id = excluded.batch_id,
                     row_no = excluded.row_no",
            )?
            .execute([batch_id])?;
        // A refused row keeps what the platform accepted before (if anything): only the refused
        // content is noted, so that the same content is not sent again.
        self.conn
            .prepare_cached(
                "INSERT INTO platform_sent (ref_kind, ref_id, class, digest, withdrawn, accepted,
                     refused_digest, batch_id, row_no)
                 SELECT ref_kind, ref_id, class, 0, 0, 0, digest, batch_id, row_no
                 FROM platform_item WHERE batch_id = ?1 AND refused IS NOT NULL
                 ON CONFLICT (ref_kind, ref_id) DO UPDATE
                     SET refused_digest = excluded.refused_digest",
            )?
            .execute([batch_id])?;
        self.decide_platform_batch(batch_id, "accepted", now, staff_no, note)
    }

    /// Record the files a batch wrote (JSON).
    pub fn set_platform_batch_files(&self, batch_id: i64, files: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE platform_batch SET files = ?2 WHERE id = ?1")?
            .execute(params![batch_id, files])?;
        Ok(())
    }

    /// Set a pending batch's final status (`accepted` or `void`).
    pub fn decide_platform_batch(
        &self,
        batch_id: i64,
        status: &str,
        now: NaiveDateTime,
        staff_no: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE platform_batch SET status = ?2, decided_at = ?3, decided_by = ?4, note = ?5
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![batch_id, status, ts_to_sql(now), staff_no, note])?;
        if n != 1 {
            return Err(StoreError::Conflict(
                "该批次已被其他窗口处理：请刷新后查看其状态".into(),
            ));
        }
        Ok(())
    }

    /// Record a list snapshot; its id.
    pub fn insert_list_snapshot(
        &self,
        as_of: NaiveDate,
        now: NaiveDateTime,
        staff_no: &str,
        file_name: &str,
        sha256: &str,
        entries: i64,
    ) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "INSERT INTO list_snapshot (as_of, imported_at, staff_no, file_name, sha256, entries)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            )?
            .query_row(
                params![
                    date_text(as_of),
                    ts_to_sql(now),
                    staff_no,
                    file_name,
                    sha256,
                    entries
                ],
                |r| r.get(0),
            )?)
    }

    /// Store one entry of a snapshot.
    pub fn insert_list_entry(&self, snapshot: i64, e: &NewListEntry<'_>) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO list_entry (snapshot_id, code, name, list_type, serious, listed_on,
                     reason, authority, removed_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                snapshot,
                e.code,
                e.name,
                e.hit.list_type,
                i64::from(e.hit.serious),
                date_text(e.hit.listed_on),
                e.hit.reason,
                e.hit.authority,
                e.hit.removed_on.map(date_text)
            ])?;
        Ok(())
    }
}
