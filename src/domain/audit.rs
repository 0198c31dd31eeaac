//! The tamper-evident audit trail: every write records who did what, where and when, and each row
//! stores the SHA-256 of the previous row's hash and its own content, so editing, deleting or
//! inserting a row outside the program breaks the chain.

use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit row, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditContent {
    pub at: NaiveDateTime,
    /// 工号 of the operator ("" for actions before any operator exists).
    pub staff_no: String,
    /// 营业厅/窗口 of the operator at the time.
    pub window: String,
    /// The action's Chinese name.
    pub action: String,
    pub subject_id: Option<i64>,
    /// Before/after summary; personal ID numbers masked (rule ID-3).
    pub summary: String,
}

/// A stored audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub content: AuditContent,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of a row: SHA-256 over the previous hash and every content field, each
/// length-prefixed so that moving text between fields changes the hash.
pub fn chain_hash(seq: i64, prev_hash: &str, c: &AuditContent) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field(&seq.to_string());
    field(prev_hash);
    field(&c.at.format("%Y-%m-%d %H:%M:%S").to_string());
    field(&c.staff_no);
    field(&c.window);
    field(&c.action);
    field(&c.subject_id.map(|i| i.to_string()).unwrap_or_default());
    field(&c.summary);
    hex::encode(h.finalize())
}

/// Where and why the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum ChainBreak {
    #[error("第 {seq} 条日志的内容被改动过（哈希不符）")]
    Edited { seq: i64 },
    #[error("第 {seq} 条日志之前的记录被删除或插入过（与上一条的哈希不相接）")]
    Unlinked { seq: i64 },
    #[error("第 {expected} 条日志缺失（序号跳到了 {found}），记录被删除过")]
    Gap { expected: i64, found: i64 },
}

/// Checks rows one at a time, in sequence order, so that a long trail can be streamed.
pub struct ChainVerifier {
    prev: String,
    expected_seq: i64,
    count: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev: GENESIS_HASH.to_string(),
            expected_seq: 1,
            count: 0,
        }
    }
}

impl ChainVerifier {
    /// Check the next row; the first break is returned.
    pub fn push(&mut self, row: &AuditEntry) -> Result<(), ChainBreak> {
        if row.seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                expected: self.expected_seq,
                found: row.seq,
            });
        }
        if row.prev_hash != self.prev {
            return Err(ChainBreak::Unlinked { seq: row.seq });
        }
        if chain_hash(row.seq, &row.prev_hash, &row.content) != row.hash {
            return Err(ChainBreak::Edited { seq: row.seq });
        }
        self.prev.clone_from(&row.hash);
        self.expected_seq += 1;
        self.count += 1;
        Ok(())
    }

    /// Rows checked so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// Check rows in sequence order; the first break is reported.
pub fn verify_chain<'a>(rows: impl IntoIterator<Item = &'a AuditEntry>) -> Result<u64, ChainBreak> {
    let mut v = ChainVerifier::default();
    for row in rows {
        v.push(row)?;
    }
    Ok(v.count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let content = AuditContent {
                    at: NaiveDate::from_ymd_opt(2026, 11, 28)
                        .unwrap()
                        .and_hms_opt(9, 0, seq as u32)
                        .unwrap(),
                    staff_no: "ZJ001".into(),
                    window: "霞山营业厅 3 号窗口".into(),
                    action: "登记主体".into(),
                    subject_id: Some(seq),
                    summary: format!("新增：主体 {seq}"),
                };
                let hash = chain_hash(seq, &prev, &content);
                let e = AuditEntry {
                    seq,
                    content,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&[]), Ok(0));
    }

    #[test]
    fn edit_delete_and_insert_are_detected() {
        let mut edited = chain(5);
        edited[2].content.summary = "新增：别的主体".into();
        assert_eq!(verify_chain(&edited), Err(ChainBreak::Edited { seq: 3 }));

        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(
            verify_chain(&deleted),
            Err(ChainBreak::Gap {
                expected: 2,
                found: 3
            })
        );

        // A row inserted with a fresh sequence and its own valid hash still does not link.
        let mut inserted = chain(3);
        let mut fake = inserted[1].clone();
        fake.content.summary = "伪造".into();
        fake.prev_hash = GENESIS_HASH.into();
        fake.hash = chain_hash(2, &fake.prev_hash, &fake.content);
        inserted[1] = fake;
        assert_eq!(
            verify_chain(&inserted),
            Err(ChainBreak::Unlinked { seq: 2 })
        );
    }
}
