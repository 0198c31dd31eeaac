//! The tamper-evident audit trail: every write records who did what, where and when, and each row
//! is chained to the previous one, so editing, deleting or inserting a row outside the program
//! breaks the chain.
//!
//! Two rules, one after the other in the same table (issue 14, point 7):
//! - rows written before schema version 12 carry an unkeyed SHA-256 of the previous hash and
//!   their content ([`chain_hash`]); anyone could recompute it after an edit;
//! - rows written since carry an HMAC-SHA256 under a key the database does not hold
//!   ([`keyed_mac`], [`AuditKey`]), and the end of the chain is anchored outside the table by a
//!   [`HeadRecord`] signed with the same key, so truncation and re-chaining are detected.

use chrono::{NaiveDate, NaiveDateTime};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit row, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditContent {
    /// The real time of the action (never the `--date` business date).
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
    /// The business date the action was taken on, when it differed from the real date of `at`
    /// (`--date`); keyed rows include it in their MAC.
    pub business_date: Option<NaiveDate>,
}

/// A stored audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub content: AuditContent,
    pub prev_hash: String,
    /// The SHA-256 (legacy rows) or the HMAC (keyed rows) of the row.
    pub hash: String,
    /// The id of the key a keyed row was signed with; `None` for a legacy row.
    pub key_id: Option<String>,
}

fn put_field(out: &mut impl FnMut(&[u8]), s: &str) {
    out(&(s.len() as u64).to_le_bytes());
    out(s.as_bytes());
}

fn content_fields(out: &mut impl FnMut(&[u8]), seq: i64, prev_hash: &str, c: &AuditContent) {
    put_field(out, &seq.to_string());
    put_field(out, prev_hash);
    put_field(out, &c.at.format("%Y-%m-%d %H:%M:%S").to_string());
    put_field(out, &c.staff_no);
    put_field(out, &c.window);
    put_field(out, &c.action);
    put_field(
        out,
        &c.subject_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    put_field(out, &c.summary);
}

/// The hash of a legacy row: SHA-256 over the previous hash and every content field, each
/// length-prefixed so that moving text between fields changes the hash. The business date is not
/// part of it (legacy rows have none).
pub fn chain_hash(seq: i64, prev_hash: &str, c: &AuditContent) -> String {
    let mut h = Sha256::new();
    content_fields(&mut |b: &[u8]| h.update(b), seq, prev_hash, c);
    hex::encode(h.finalize())
}

/// The secret key of the keyed chain: 32 random bytes kept outside the database.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key itself.
        write!(f, "AuditKey({})", self.id())
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A short public name of the key (16 hex digits of a hash of it), stored with each keyed
    /// row so that a verifier holding another key says so instead of reporting edits.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"xinyidian audit key id\0");
        h.update(self.0);
        hex::encode(&h.finalize()[..8])
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC pads a key shorter than the hash's 64-byte block with zeros; padding it here
        // gives the same MAC through the infallible fixed-size constructor.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        <Hmac<Sha256> as KeyInit>::new(&block.into())
    }
}

/// The MAC of a keyed row: HMAC-SHA256 under `key` over a domain tag, every field of
/// [`chain_hash`] and the business date.
pub fn keyed_mac(key: &AuditKey, seq: i64, prev_hash: &str, c: &AuditContent) -> String {
    let mut m = key.mac();
    m.update(b"xinyidian audit row v2\0");
    content_fields(&mut |b: &[u8]| m.update(b), seq, prev_hash, c);
    put_field(
        &mut |b: &[u8]| m.update(b),
        &c.business_date.map(|d| d.to_string()).unwrap_or_default(),
    );
    hex::encode(m.finalize().into_bytes())
}

/// The anchor of the chain's end, kept in a file beside the database (and shown on the daily
/// summary): the last row's sequence number and hash, the number of rows, signed with the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadRecord {
    /// Sequence number of the last row (0: no row yet).
    pub seq: i64,
    /// Hash (or MAC) of the last row; [`GENESIS_HASH`] when there is none.
    pub hash: String,
    /// Rows in the table.
    pub count: u64,
    /// Which key signed the record.
    pub key_id: String,
    /// HMAC of the fields above.
    pub mac: String,
}

fn head_mac(key: &AuditKey, seq: i64, hash: &str, count: u64) -> String {
    let mut m = key.mac();
    m.update(b"xinyidian audit head v1\0");
    let mut out = |b: &[u8]| m.update(b);
    put_field(&mut out, &seq.to_string());
    put_field(&mut out, hash);
    put_field(&mut out, &count.to_string());
    hex::encode(m.finalize().into_bytes())
}

impl HeadRecord {
    /// A signed head for the chain ending at `seq` with `hash`, holding `count` rows.
    pub fn sign(key: &AuditKey, seq: i64, hash: &str, count: u64) -> Self {
        Self {
            seq,
            hash: hash.to_string(),
            count,
            key_id: key.id(),
            mac: head_mac(key, seq, hash, count),
        }
    }

    /// Whether `key` signed this record as it stands.
    pub fn is_signed_by(&self, key: &AuditKey) -> bool {
        self.key_id == key.id() && head_mac(key, self.seq, &self.hash, self.count) == self.mac
    }
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
    #[error("第 {seq} 条日志没有密钥签名，而此前的日志已有：记录被删除后按旧规则重写过")]
    Unkeyed { seq: i64 },
    #[error(
        "第 {seq} 条起的日志由另一个审计密钥签名，本机的密钥无法校验：请在写入这些日志的电脑上校验，或用环境变量 XINYIDIAN_KEY_DIR 指向保存该密钥的文件夹"
    )]
    OtherKey { seq: i64 },
    #[error(
        "本机没有审计密钥，无法校验第 {seq} 条起的密钥签名：请在写入这些日志的电脑上校验，或用环境变量 XINYIDIAN_KEY_DIR 指向保存该密钥的文件夹"
    )]
    NoKey { seq: i64 },
    #[error(
        "找不到操作日志的锚定文件“{path}”：无法确认日志末尾没有被删除。请把该文件与数据库放在同一文件夹后再校验"
    )]
    HeadMissing { path: String },
    #[error("锚定文件“{path}”无法读取或签名不符（被改动过，或由另一个审计密钥签名）")]
    HeadForged { path: String },
    #[error(
        "日志末尾被删除过：锚定文件记录到第 {head_seq} 条（共 {head_count} 条），数据库中只到第 {last_seq} 条（共 {count} 条）"
    )]
    Truncated {
        head_seq: i64,
        head_count: u64,
        last_seq: i64,
        count: u64,
    },
    #[error(
        "日志与锚定文件不符：锚定文件记录到第 {head_seq} 条（共 {head_count} 条），数据库中到第 {last_seq} 条（共 {count} 条）；日志被改写过，或锚定文件被换成了旧的"
    )]
    HeadMismatch {
        head_seq: i64,
        head_count: u64,
        last_seq: i64,
        count: u64,
    },
}

/// Checks rows one at a time, in sequence order, so that a long trail can be streamed.
pub struct ChainVerifier {
    key: Option<AuditKey>,
    prev: String,
    expected_seq: i64,
    count: u64,
    legacy: u64,
    keyed_since: Option<i64>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::with_key(None)
    }
}

impl ChainVerifier {
    /// A verifier of keyed rows under `key` (legacy rows need none).
    pub fn with_key(key: Option<AuditKey>) -> Self {
        Self {
            key,
            prev: GENESIS_HASH.to_string(),
            expected_seq: 1,
            count: 0,
            legacy: 0,
            keyed_since: None,
        }
    }

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
        let expected = match &row.key_id {
            None => {
                if self.keyed_since.is_some() {
                    return Err(ChainBreak::Unkeyed { seq: row.seq });
                }
                chain_hash(row.seq, &row.prev_hash, &row.content)
            }
            Some(id) => {
                let Some(key) = &self.key else {
                    return Err(ChainBreak::NoKey { seq: row.seq });
                };
                if *id != key.id() {
                    return Err(ChainBreak::OtherKey { seq: row.seq });
                }
                keyed_mac(key, row.seq, &row.prev_hash, &row.content)
            }
        };
        if expected != row.hash {
            return Err(ChainBreak::Edited { seq: row.seq });
        }
        if row.key_id.is_some() {
            self.keyed_since.get_or_insert(row.seq);
        } else {
            self.legacy += 1;
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

    /// Rows checked by the legacy (unkeyed) rule.
    pub fn legacy_count(&self) -> u64 {
        self.legacy
    }

    /// The first keyed row.
    pub fn keyed_since(&self) -> Option<i64> {
        self.keyed_since
    }

    /// The sequence number and hash of the last row checked.
    pub fn last(&self) -> (i64, &str) {
        (self.expected_seq - 1, &self.prev)
    }

    /// Compare the end of an intact chain with its anchor.
    pub fn check_head(&self, head: &HeadRecord) -> Result<(), ChainBreak> {
        let (last_seq, last_hash) = self.last();
        if head.seq == last_seq && head.hash == last_hash && head.count == self.count {
            return Ok(());
        }
        let (head_seq, head_count, count) = (head.seq, head.count, self.count);
        if head.seq > last_seq || head.count > self.count {
            return Err(ChainBreak::Truncated {
                head_seq,
                head_count,
                last_seq,
                count,
            });
        }
        Err(ChainBreak::HeadMismatch {
            head_seq,
            head_count,
            last_seq,
            count,
        })
    }
}

/// Check rows in sequence order; the first break is reported. Keyed rows need `key`.
pub fn verify_chain<'a>(rows: impl IntoIterator<Item = &'a AuditEntry>) -> Result<u64, ChainBreak> {
    verify_chain_with(None, rows)
}

/// [`verify_chain`] with the key of the keyed rows.
pub fn verify_chain_with<'a>(
    key: Option<&AuditKey>,
    rows: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<u64, ChainBreak> {
    let mut v = ChainVerifier::with_key(key.cloned());
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
                    business_date: None,
                };
                let hash = chain_hash(seq, &prev, &content);
                let e = AuditEntry {
                    seq,
                    content,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                    key_id: None,
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

    /// `chain(n)` followed by `m` rows signed with `key`.
    fn keyed(n: i64, m: i64, key: &AuditKey) -> Vec<AuditEntry> {
        let mut rows = chain(n);
        for seq in n + 1..=n + m {
            let prev = rows
                .last()
                .map_or(GENESIS_HASH.to_string(), |r| r.hash.clone());
            let mut content = rows[0].content.clone();
            content.summary = format!("新增：主体 {seq}");
            content.business_date = NaiveDate::from_ymd_opt(2020, 1, 1);
            let hash = keyed_mac(key, seq, &prev, &content);
            rows.push(AuditEntry {
                seq,
                content,
                prev_hash: prev,
                hash,
                key_id: Some(key.id()),
            });
        }
        rows
    }

    #[test]
    fn padded_key_is_the_standard_hmac() {
        let key = AuditKey::from_bytes([0x0b; 32]);
        let mut a = key.mac();
        a.update(b"Hi There");
        let mut b = <Hmac<Sha256> as KeyInit>::new_from_slice(&[0x0b; 32]).unwrap();
        b.update(b"Hi There");
        assert_eq!(a.finalize().into_bytes(), b.finalize().into_bytes());
    }

    #[test]
    fn keyed_rows_after_legacy_rows_verify_and_anchor() {
        let key = AuditKey::from_bytes([7; 32]);
        let rows = keyed(3, 3, &key);
        let mut v = ChainVerifier::with_key(Some(key.clone()));
        for r in &rows {
            v.push(r).unwrap();
        }
        assert_eq!(
            (v.count(), v.legacy_count(), v.keyed_since()),
            (6, 3, Some(4))
        );
        let head = HeadRecord::sign(&key, 6, &rows[5].hash, 6);
        assert!(head.is_signed_by(&key));
        assert!(!head.is_signed_by(&AuditKey::from_bytes([8; 32])));
        assert_eq!(v.check_head(&head), Ok(()));

        // The business date is part of a keyed row's MAC.
        let mut moved = rows.clone();
        moved[4].content.business_date = None;
        assert_eq!(
            verify_chain_with(Some(&key), &moved),
            Err(ChainBreak::Edited { seq: 5 })
        );
    }

    #[test]
    fn rechaining_truncation_and_other_keys_are_detected() {
        let key = AuditKey::from_bytes([7; 32]);
        let rows = keyed(2, 3, &key);
        // Rewritten by the old, unkeyed rule: the key was required from row 3 on.
        let mut rechained = rows.clone();
        rechained[4].key_id = None;
        rechained[4].hash = chain_hash(5, &rechained[4].prev_hash, &rechained[4].content);
        assert_eq!(
            verify_chain_with(Some(&key), &rechained),
            Err(ChainBreak::Unkeyed { seq: 5 })
        );
        // Without the key, or with another one, the keyed rows cannot pass.
        assert_eq!(verify_chain(&rows), Err(ChainBreak::NoKey { seq: 3 }));
        let other = AuditKey::from_bytes([9; 32]);
        assert_eq!(
            verify_chain_with(Some(&other), &rows),
            Err(ChainBreak::OtherKey { seq: 3 })
        );
        // The newest rows deleted: the chain itself is intact, the anchor is not.
        let head = HeadRecord::sign(&key, 5, &rows[4].hash, 5);
        let mut v = ChainVerifier::with_key(Some(key));
        for r in &rows[..3] {
            v.push(r).unwrap();
        }
        assert!(matches!(
            v.check_head(&head),
            Err(ChainBreak::Truncated {
                head_seq: 5,
                last_seq: 3,
                ..
            })
        ));
    }
}
