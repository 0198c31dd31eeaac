//! The evidence store and the imported credit reports (rules T-3, T-4).
//!
//! Originals (report PDFs here; signed commitment letters and property proofs later) live inside
//! the database in `evidence_blob`, keyed by their SHA-256. Inside rather than in a folder beside
//! the file because the blob is then written in the same transaction as the row that cites it
//! (never a row without its file, never an orphan file after a refused action), a backup is one
//! file, and the clerk's PC has no second place that someone could edit. Triggers refuse any
//! UPDATE or DELETE of a blob, and [`Reader::get_blob`] re-hashes what it reads.

use super::sql::{OptionalExtension, params};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Reader, StoreError, Writer, ts_from_sql, ts_to_sql};
use crate::domain::report::{CreditReport, Freshness, ReportFact, ReportId, freshness};
use crate::domain::subject::SubjectId;

/// The SHA-256 of `bytes` as 64 lower-case hex digits (the key of [`Reader::get_blob`]).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A stored original, by reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlobRef {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// False when the same bytes were already stored (content addressing: one copy).
    pub newly_stored: bool,
}

/// A stored original with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub media_type: String,
}

/// Rule T-3 as judged on the day of import: 有效 or 已过期.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// 有效: at most the allowed number of days old when imported.
    Valid,
    /// 已过期: kept as evidence, but a fresh report is needed.
    Expired,
}

impl ReportStatus {
    /// The badge shown to the clerk.
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::Valid => "有效",
            ReportStatus::Expired => "已过期",
        }
    }

    fn key(self) -> &'static str {
        match self {
            ReportStatus::Valid => "valid",
            ReportStatus::Expired => "expired",
        }
    }

    fn from_key(k: &str) -> Result<Self, StoreError> {
        match k {
            "valid" => Ok(ReportStatus::Valid),
            "expired" => Ok(ReportStatus::Expired),
            other => Err(StoreError::BadData(format!("信用报告状态“{other}”"))),
        }
    }
}

/// What the clerk did by hand on a report, beyond the facts (those are in
/// [`CreditReport::hand_entered`] with the operator of each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandEntrySummary {
    /// 工号 of the operator who typed.
    pub staff_no: String,
    pub operator_name: String,
    /// Adverse entries typed from the paper.
    pub adverse_typed: u32,
    /// The clerk confirmed the rule T-4 chapters on the paper (the file could not be read).
    pub chapters_confirmed: bool,
    /// Why the file could not be read by the program (the refusal shown at the time).
    pub reason: String,
}

/// A report as it goes into the store.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub subject: SubjectId,
    pub sha256: &'a str,
    pub file_name: &'a str,
    pub report: &'a CreditReport,
    /// Facts the program read from the file.
    pub extracted: &'a [ReportFact],
    pub hand_entry: Option<&'a HandEntrySummary>,
    pub problems: &'a [String],
    pub status: ReportStatus,
    pub imported_by: &'a str,
    pub imported_by_name: &'a str,
    pub imported_at: NaiveDateTime,
}

/// An imported credit report, as the report page, the CLI and the trust check see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportView {
    pub id: ReportId,
    pub subject_id: SubjectId,
    /// The facts: read from the file, completed or corrected by hand where
    /// `report.hand_entered` says so.
    pub report: CreditReport,
    /// SHA-256 of the original file (its key in the evidence store).
    pub sha256: String,
    pub file_name: String,
    pub size: u64,
    pub media_type: String,
    pub imported_at: NaiveDateTime,
    /// 工号 of the operator who imported it.
    pub imported_by: String,
    pub imported_by_name: String,
    /// Whether any fact was typed by hand.
    pub hand_entered: bool,
    /// The facts the program read from the file itself.
    pub extracted: Vec<ReportFact>,
    pub hand_entry: Option<HandEntrySummary>,
    /// What the parser could not find or found inconsistent.
    pub problems: Vec<String>,
    /// Rule T-3 on the day of import.
    pub status_at_import: ReportStatus,
}

impl ReportView {
    /// Rule T-3 on `today` (`None`: the generation date is unknown).
    pub fn freshness(&self, today: NaiveDate, max_age_days: u32) -> Option<Freshness> {
        self.report
            .generated_on()
            .map(|g| freshness(g, today, max_age_days))
    }
}

const REPORT_COLUMNS: &str = "r.id, r.subject_id, r.sha256, r.file_name, r.payload, r.extracted,
    r.hand_entry, r.problems, r.status, r.imported_by, r.imported_by_name, r.imported_at,
    b.size, b.media_type";

/// A stored credit report with its original's size and type, read by column name.
struct ReportRow {
    id: i64,
    subject_id: i64,
    sha256: String,
    file_name: String,
    payload: String,
    extracted: String,
    hand_entry: Option<String>,
    problems: String,
    status: String,
    imported_by: String,
    imported_by_name: String,
    imported_at: String,
    size: i64,
    media_type: String,
}

fn report_row(r: &super::sql::Row) -> super::sql::Result<ReportRow> {
    Ok(ReportRow {
        id: r.get("id")?,
        subject_id: r.get("subject_id")?,
        sha256: r.get("sha256")?,
        file_name: r.get("file_name")?,
        payload: r.get("payload")?,
        extracted: r.get("extracted")?,
        hand_entry: r.get("hand_entry")?,
        problems: r.get("problems")?,
        status: r.get("status")?,
        imported_by: r.get("imported_by")?,
        imported_by_name: r.get("imported_by_name")?,
        imported_at: r.get("imported_at")?,
        size: r.get("size")?,
        media_type: r.get("media_type")?,
    })
}

fn json_from<T: serde::de::DeserializeOwned>(
    id: i64,
    what: &str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::BadData(format!("信用报告 {id} 的{what}：{e}")))
}

fn json_to<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::BadData(format!("信用报告无法保存：{e}")))
}

fn view_from(row: ReportRow) -> Result<ReportView, StoreError> {
    let ReportRow {
        id,
        subject_id,
        sha256,
        file_name,
        payload,
        extracted,
        hand_entry,
        problems,
        status,
        imported_by,
        imported_by_name,
        imported_at,
        size,
        media_type,
    } = row;
    let report: CreditReport = json_from(id, "内容", &payload)?;
    let hand_entry: Option<HandEntrySummary> = hand_entry
        .as_deref()
        .map(|h| json_from(id, "手工录入记录", h))
        .transpose()?;
    Ok(ReportView {
        id: ReportId(id),
        subject_id: SubjectId(subject_id),
        hand_entered: !report.hand_entered.is_empty() || hand_entry.is_some(),
        report,
        sha256,
        file_name,
        size: u64::try_from(size).unwrap_or(0),
        media_type,
        imported_at: ts_from_sql(&imported_at)?,
        imported_by,
        imported_by_name,
        extracted: json_from(id, "读取项", &extracted)?,
        hand_entry,
        problems: json_from(id, "问题", &problems)?,
        status_at_import: ReportStatus::from_key(&status)?,
    })
}

impl Reader<'_> {
    /// A stored original, checked against its hash (a mismatch means the database was tampered
    /// with or damaged, and is reported rather than served).
    pub fn get_blob(&self, sha256: &str) -> Result<Option<Blob>, StoreError> {
        let row: Option<(Vec<u8>, String)> = self
            .conn
            .prepare_cached("SELECT bytes, media_type FROM evidence_blob WHERE sha256 = ?1")?
            .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((bytes, media_type)) = row else {
            return Ok(None);
        };
        if sha256_hex(&bytes) != sha256 {
            return Err(StoreError::BadData(format!(
                "原件 {sha256} 的内容与其哈希值不符，可能已被改动"
            )));
        }
        Ok(Some(Blob {
            sha256: sha256.to_string(),
            bytes,
            media_type,
        }))
    }

    /// Whether an original with this hash is stored.
    pub fn has_blob(&self, sha256: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM evidence_blob WHERE sha256 = ?1")?
            .query_row([sha256], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The report of `subject` whose original has this hash (a second import of the same file).
    pub fn report_by_hash(
        &self,
        subject: SubjectId,
        sha256: &str,
    ) -> Result<Option<ReportView>, StoreError> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM credit_report r JOIN evidence_blob b ON b.sha256 = r.sha256
             WHERE r.subject_id = ?1 AND r.sha256 = ?2"
        );
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![subject.0, sha256], report_row)
            .optional()?;
        row.map(view_from).transpose()
    }

    /// One report.
    pub fn report(&self, id: ReportId) -> Result<Option<ReportView>, StoreError> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM credit_report r JOIN evidence_blob b ON b.sha256 = r.sha256
             WHERE r.id = ?1"
        );
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id.0], report_row)
            .optional()?;
        row.map(view_from).transpose()
    }

    /// Every report of a subject, the most recently generated first (unknown dates last).
    pub fn reports_of(&self, subject: SubjectId) -> Result<Vec<ReportView>, StoreError> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM credit_report r JOIN evidence_blob b ON b.sha256 = r.sha256
             WHERE r.subject_id = ?1
             ORDER BY r.generated_at IS NULL, r.generated_at DESC, r.id DESC"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map([subject.0], report_row)?
            .collect::<super::sql::Result<Vec<_>>>()?;
        rows.into_iter().map(view_from).collect()
    }

    /// The subject's most recently generated report (ties: the last imported).
    pub fn latest_report(&self, subject: SubjectId) -> Result<Option<ReportView>, StoreError> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM credit_report r JOIN evidence_blob b ON b.sha256 = r.sha256
             WHERE r.subject_id = ?1
             ORDER BY r.generated_at IS NULL, r.generated_at DESC, r.id DESC LIMIT 1"
        );
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row([subject.0], report_row)
            .optional()?;
        row.map(view_from).transpose()
    }

    /// How many reports are stored (all subjects).
    pub fn count_reports(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM credit_report")?
            .query_row(params![], |r| r.get(0))?)
    }
}

impl Writer<'_> {
    /// Store an original, content-addressed: the key is computed here from the bytes, never taken
    /// from the caller. Storing the same bytes again keeps the one copy.
    pub fn put_blob(&self, bytes: &[u8], media_type: &str) -> Result<BlobRef, StoreError> {
        let sha256 = sha256_hex(bytes);
        let size = bytes.len() as u64;
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO evidence_blob (sha256, bytes, size, media_type)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sha256) DO NOTHING",
            )?
            .execute(params![
                sha256,
                bytes,
                i64::try_from(size).unwrap_or(i64::MAX),
                media_type
            ])?;
        Ok(BlobRef {
            sha256,
            size,
            media_type: media_type.to_string(),
            newly_stored: inserted == 1,
        })
    }

    /// Replace a stored report's facts after a clerk confirmed them by hand against the paper
    /// (rule T-4; the facts record who confirmed and when, the audit row says so too). The
    /// original and the import record are unchanged.
    pub fn confirm_report(
        &self,
        id: ReportId,
        report: &CreditReport,
        hand: &HandEntrySummary,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE credit_report SET payload = ?2, hand_entry = ?3 WHERE id = ?1")?
            .execute(params![id.0, json_to(report)?, json_to(hand)?])?;
        Ok(())
    }

    /// Insert an imported report (its original must be stored already).
    pub fn insert_report(&self, r: &NewReport<'_>) -> Result<ReportId, StoreError> {
        let hand = r.hand_entry.map(json_to).transpose()?;
        let new_id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO credit_report (subject_id, sha256, file_name, report_no, generated_at,
                    payload, extracted, hand_entry, problems, status, imported_by,
                    imported_by_name, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
            )?
            .query_row(
                params![
                    r.subject.0,
                    r.sha256,
                    r.file_name,
                    r.report.report_no,
                    r.report.generated_at.map(ts_to_sql),
                    json_to(r.report)?,
                    json_to(&r.extracted)?,
                    hand,
                    json_to(&r.problems)?,
                    r.status.key(),
                    r.imported_by,
                    r.imported_by_name,
                    ts_to_sql(r.imported_at),
                ],
                |r| r.get(0),
            )?;
        Ok(ReportId(new_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn blobs_are_content_addressed_checked_and_append_only() {
        let mut s = Store::open_in_memory().unwrap();
        let a: BlobRef = s
            .write(|w| w.put_blob(b"%PDF-1.7 abc", "application/pdf"))
            .unwrap();
        assert!(a.newly_stored);
        assert_eq!(a.sha256, sha256_hex(b"%PDF-1.7 abc"));
        let again: BlobRef = s
            .write(|w| w.put_blob(b"%PDF-1.7 abc", "application/pdf"))
            .unwrap();
        assert!(!again.newly_stored);
        let got = s.read().get_blob(&a.sha256).unwrap().unwrap();
        assert_eq!(got.bytes, b"%PDF-1.7 abc");
        assert!(s.read().get_blob(&"0".repeat(64)).unwrap().is_none());
        // The triggers refuse to change or remove evidence.
        let upd = s.lite().execute(
            "UPDATE evidence_blob SET bytes = x'00' WHERE sha256 = ?1",
            [&a.sha256],
        );
        assert!(upd.is_err());
        let del = s
            .lite()
            .execute("DELETE FROM evidence_blob WHERE sha256 = ?1", [&a.sha256]);
        assert!(del.is_err());
        assert!(s.read().has_blob(&a.sha256).unwrap());
    }

    #[test]
    fn tampered_blob_is_reported_not_served() {
        let mut s = Store::open_in_memory().unwrap();
        let a: BlobRef = s.write(|w| w.put_blob(b"original", "text/plain")).unwrap();
        s.lite()
            .execute_batch("DROP TRIGGER evidence_blob_no_update")
            .unwrap();
        s.lite()
            .execute(
                "UPDATE evidence_blob SET bytes = x'41' WHERE sha256 = ?1",
                [&a.sha256],
            )
            .unwrap();
        let e = s.read().get_blob(&a.sha256).unwrap_err();
        assert!(e.to_string().contains("哈希值不符"), "{e}");
    }
}
