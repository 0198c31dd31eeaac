//! The stored form of a power-supply record (the `payload` column since migration 11): the
//! record's fields in declaration order, in a compact binary encoding. A city-wide import writes
//! a million of them in one transaction, and the JSON it replaced was 430 bytes for a payment, 170
//! of them field names; this form is about 150 bytes, and writing it is a few copies instead of
//! escaping every string (bulk import speed, issue 4).
//!
//! Layout: a version byte ([`VERSION`]), a kind byte, then the fields. Integers are LEB128
//! varints (signed ones zigzag-encoded), strings a length then UTF-8, dates days from the common
//! era, `Option`s a 0/1 byte then the value, enums their stable key (as in the rest of the
//! database). The form is positional: any change to a record type needs a new version, and a
//! migration that rewrites the stored payloads. The encoder destructures each record, so a new
//! field does not compile until it is written here.
//!
//! Decoding never panics: a truncated, overlong or otherwise damaged payload is an error naming
//! what could not be read.

use chrono::{Datelike, NaiveDate};

use crate::domain::id_codes::{IdDocKind, IdDocument, Uscc};
use crate::domain::records::{
    ArrearsRecord, Fen, PaymentRecord, Quantity, Record, SubjectRef, TheftRecord, TheftStatus,
    ViolationRecord,
};
use crate::domain::subject::SubjectCode;

/// Version of the layout below.
const VERSION: u8 = 1;

const PAYMENT: u8 = 1;
const ARREARS: u8 = 2;
const VIOLATION: u8 = 3;
const THEFT: u8 = 4;

/// Append the stored form of `record` to `out`.
pub(super) fn encode(record: &Record, out: &mut Vec<u8>) {
    let mut w = Out(out);
    w.0.push(VERSION);
    match record {
        Record::Payment(p) => {
            let PaymentRecord {
                subject,
                subject_name,
                account_no,
                fee_type,
                prepaid,
                period_start,
                period_end,
                usage,
                usage_unit,
                amount,
                agency_name,
                agency_uscc,
                paid_on,
            } = p;
            w.0.push(PAYMENT);
            w.code(subject);
            w.str(subject_name);
            w.opt_str(account_no.as_deref());
            w.str(fee_type);
            w.opt(*prepaid, |w, b| w.0.push(u8::from(b)));
            w.date(*period_start);
            w.date(*period_end);
            w.opt(*usage, |w, q| w.int(q.0));
            w.opt_str(usage_unit.as_deref());
            w.int(amount.0);
            w.opt_str(agency_name.as_deref());
            w.opt_str(agency_uscc.as_ref().map(Uscc::as_str));
            w.date(*paid_on);
        }
        Record::Arrears(a) => {
            let ArrearsRecord {
                subject,
                subject_name,
                account_no,
                arrears_type,
                period_start,
                period_end,
                amount,
                determined_by,
                determined_by_uscc,
                determined_on,
                reminded_on,
                just_cause,
                paid_off_on,
            } = a;
            w.0.push(ARREARS);
            w.code(subject);
            w.str(subject_name);
            w.opt_str(account_no.as_deref());
            w.str(arrears_type);
            w.date(*period_start);
            w.date(*period_end);
            w.int(amount.0);
            w.opt_str(determined_by.as_deref());
            w.opt_str(determined_by_uscc.as_ref().map(Uscc::as_str));
            w.opt(*determined_on, Out::date);
            w.opt(*reminded_on, Out::date);
            w.opt_str(just_cause.as_deref());
            w.opt(*paid_off_on, Out::date);
        }
        Record::Violation(v) => {
            let ViolationRecord {
                account_no,
                user_name,
                occurred_on,
                amount,
                energy,
                days,
                total_amount,
                period_text,
            } = v;
            w.0.push(VIOLATION);
            w.str(account_no);
            w.str(user_name);
            w.date(*occurred_on);
            w.opt(*amount, |w, f| w.int(f.0));
            w.opt(*energy, |w, q| w.int(q.0));
            w.opt(*days, |w, d| w.uint(u64::from(d)));
            w.int(total_amount.0);
            w.str(period_text);
        }
        Record::Theft(t) => {
            let TheftRecord {
                subject,
                subject_name,
                account_no,
                found_on,
                energy,
                recovered_fees,
                penalty_fees,
                status,
                settled_on,
            } = t;
            w.0.push(THEFT);
            match subject {
                SubjectRef::Code { code } => {
                    w.0.push(0);
                    w.code(code);
                }
                SubjectRef::Account { account_no } => {
                    w.0.push(1);
                    w.str(account_no);
                }
            }
            w.str(subject_name);
            w.opt_str(account_no.as_deref());
            w.date(*found_on);
            w.opt(*energy, |w, q| w.int(q.0));
            w.int(recovered_fees.0);
            w.int(penalty_fees.0);
            w.str(status.key());
            w.opt(*settled_on, Out::date);
        }
    }
}

/// The record stored as `bytes`, or what could not be read (in Chinese, for the error shown).
pub(super) fn decode(bytes: &[u8]) -> Result<Record, String> {
    let mut r = In(bytes);
    let version = r.byte("格式版本")?;
    if version != VERSION {
        return Err(format!(
            "存储格式版本 {version} 无法识别：请使用较新版本的程序打开此数据库"
        ));
    }
    let record = match r.byte("记录类型")? {
        PAYMENT => Record::Payment(PaymentRecord {
            subject: r.code()?,
            subject_name: r.str("机构名称")?,
            account_no: r.opt_str("用户编号")?,
            fee_type: r.str("缴费类型名称")?,
            prepaid: r.opt("是否预缴费", |r| r.flag("是否预缴费"))?,
            period_start: r.date("计量开始日")?,
            period_end: r.date("计量截止日")?,
            usage: r.opt("使用量", |r| r.int("使用量").map(Quantity))?,
            usage_unit: r.opt_str("使用单位")?,
            amount: Fen(r.int("缴费金额")?),
            agency_name: r.opt_str("经办机关全称")?,
            agency_uscc: r
                .opt_str("经办机关统一社会信用代码")?
                .map(Uscc::from_stored),
            paid_on: r.date("缴纳日期")?,
        }),
        ARREARS => Record::Arrears(ArrearsRecord {
            subject: r.code()?,
            subject_name: r.str("机构名称")?,
            account_no: r.opt_str("用户编号")?,
            arrears_type: r.str("欠缴类型名称")?,
            period_start: r.date("欠缴统计开始日")?,
            period_end: r.date("欠缴统计截止日")?,
            amount: Fen(r.int("欠费金额")?),
            determined_by: r.opt_str("认定机构")?,
            determined_by_uscc: r
                .opt_str("认定机构统一社会信用代码")?
                .map(Uscc::from_stored),
            determined_on: r.opt("认定日期", |r| r.date("认定日期"))?,
            reminded_on: r.opt("催告日期", |r| r.date("催告日期"))?,
            just_cause: r.opt_str("正当理由")?,
            paid_off_on: r.opt("结清日期", |r| r.date("结清日期"))?,
        }),
        VIOLATION => Record::Violation(ViolationRecord {
            account_no: r.str("用户编号")?,
            user_name: r.str("用户名称")?,
            occurred_on: r.date("违约用电日期")?,
            amount: r.opt("违约用电金额", |r| r.int("违约用电金额").map(Fen))?,
            energy: r.opt("违约用电量", |r| r.int("违约用电量").map(Quantity))?,
            days: r.opt("违约用电天数", |r| {
                u32::try_from(r.uint("违约用电天数")?)
                    .map_err(|_| "违约用电天数超出范围".to_string())
            })?,
            total_amount: Fen(r.int("违约用电总金额")?),
            period_text: r.str("违约用电时间段")?,
        }),
        THEFT => Record::Theft(TheftRecord {
            subject: match r.byte("主体")? {
                0 => SubjectRef::Code { code: r.code()? },
                1 => SubjectRef::Account {
                    account_no: r.str("用户编号")?,
                },
                other => return Err(format!("主体类型 {other} 无法识别")),
            },
            subject_name: r.str("用户名称")?,
            account_no: r.opt_str("用户编号")?,
            found_on: r.date("窃电发现日期")?,
            energy: r.opt("窃电量", |r| r.int("窃电量").map(Quantity))?,
            recovered_fees: Fen(r.int("补缴电费金额")?),
            penalty_fees: Fen(r.int("违约使用电费金额")?),
            status: {
                let key = r.str("处理状态")?;
                TheftStatus::from_key(&key).ok_or_else(|| format!("处理状态“{key}”无法识别"))?
            },
            settled_on: r.opt("结清日期", |r| r.date("结清日期"))?,
        }),
        other => return Err(format!("记录类型 {other} 无法识别")),
    };
    if !r.0.is_empty() {
        return Err(format!("记录末尾多出 {} 字节", r.0.len()));
    }
    Ok(record)
}

struct Out<'a>(&'a mut Vec<u8>);

impl Out<'_> {
    fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    /// Zigzag: small negative numbers stay short.
    fn int(&mut self, v: i64) {
        self.uint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt<T>(&mut self, v: Option<T>, f: impl FnOnce(&mut Self, T)) {
        match v {
            None => self.0.push(0),
            Some(v) => {
                self.0.push(1);
                f(self, v);
            }
        }
    }

    fn opt_str(&mut self, s: Option<&str>) {
        self.opt(s, Out::str);
    }

    fn date(&mut self, d: NaiveDate) {
        self.int(i64::from(d.num_days_from_ce()));
    }

    fn code(&mut self, code: &SubjectCode) {
        match code {
            SubjectCode::Uscc { code } => {
                self.0.push(0);
                self.str(code.as_str());
            }
            SubjectCode::Person { doc } => {
                self.0.push(1);
                self.str(doc.kind.key());
                self.str(&doc.number);
            }
        }
    }
}

/// The bytes not read yet.
struct In<'a>(&'a [u8]);

impl In<'_> {
    fn byte(&mut self, what: &str) -> Result<u8, String> {
        let (&b, rest) = self
            .0
            .split_first()
            .ok_or_else(|| format!("记录不完整，缺少“{what}”"))?;
        self.0 = rest;
        Ok(b)
    }

    fn uint(&mut self, what: &str) -> Result<u64, String> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte(what)?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                // The tenth byte may only carry the top bit.
                if shift == 63 && b > 1 {
                    break;
                }
                return Ok(v);
            }
        }
        Err(format!("“{what}”的数值无法读取"))
    }

    fn int(&mut self, what: &str) -> Result<i64, String> {
        let z = self.uint(what)?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn flag(&mut self, what: &str) -> Result<bool, String> {
        match self.byte(what)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(format!("“{what}”的值 {other} 无法识别")),
        }
    }

    fn str(&mut self, what: &str) -> Result<String, String> {
        let len = self.uint(what)?;
        let len = usize::try_from(len)
            .ok()
            .filter(|n| *n <= self.0.len())
            .ok_or_else(|| format!("记录不完整，“{what}”被截断"))?;
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(s.to_vec()).map_err(|_| format!("“{what}”不是有效的文字"))
    }

    fn opt<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut Self) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        if self.flag(what)? {
            f(self).map(Some)
        } else {
            Ok(None)
        }
    }

    fn opt_str(&mut self, what: &str) -> Result<Option<String>, String> {
        self.opt(what, |r| r.str(what))
    }

    fn date(&mut self, what: &str) -> Result<NaiveDate, String> {
        let days = self.int(what)?;
        i32::try_from(days)
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| format!("“{what}”不是有效日期"))
    }

    fn code(&mut self) -> Result<SubjectCode, String> {
        match self.byte("主体代码")? {
            0 => Ok(SubjectCode::Uscc {
                code: Uscc::from_stored(self.str("统一社会信用代码")?),
            }),
            1 => {
                let key = self.str("证件类型")?;
                let kind =
                    IdDocKind::from_key(&key).ok_or_else(|| format!("证件类型“{key}”无法识别"))?;
                Ok(SubjectCode::Person {
                    doc: IdDocument {
                        kind,
                        number: self.str("证件号码")?,
                    },
                })
            }
            other => Err(format!("主体代码类型 {other} 无法识别")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn uscc() -> Uscc {
        Uscc::from_stored("91440800MA4UMB8E0X".into())
    }

    fn person() -> SubjectCode {
        SubjectCode::Person {
            doc: IdDocument {
                kind: IdDocKind::Passport,
                number: "E12345678".into(),
            },
        }
    }

    /// Every kind, with every optional field present and absent, and extreme values.
    fn samples() -> Vec<Record> {
        let payment = PaymentRecord {
            subject: SubjectCode::Uscc { code: uscc() },
            subject_name: "湛江市海港贸易有限公司".into(),
            account_no: Some("0300000001".into()),
            fee_type: "电费".into(),
            prepaid: Some(true),
            period_start: d(2025, 1, 1),
            period_end: d(2025, 1, 31),
            usage: Some(Quantity(1_234_567)),
            usage_unit: Some("千瓦时".into()),
            amount: Fen(123_450),
            agency_name: Some("广东电网有限责任公司湛江供电局".into()),
            agency_uscc: Some(uscc()),
            paid_on: d(2025, 2, 5),
        };
        let bare_payment = PaymentRecord {
            subject: person(),
            account_no: None,
            prepaid: None,
            usage: None,
            usage_unit: None,
            amount: Fen(i64::MAX),
            agency_name: None,
            agency_uscc: None,
            paid_on: d(-4, 2, 29),
            ..payment.clone()
        };
        let arrears = ArrearsRecord {
            subject: SubjectCode::Uscc { code: uscc() },
            subject_name: "湛江市海港贸易有限公司".into(),
            account_no: Some("0300000001".into()),
            arrears_type: "电费".into(),
            period_start: d(2024, 2, 29),
            period_end: d(2024, 3, 31),
            amount: Fen(0),
            determined_by: Some("湛江供电局".into()),
            determined_by_uscc: Some(uscc()),
            determined_on: Some(d(2024, 4, 1)),
            reminded_on: Some(d(2024, 4, 2)),
            just_cause: Some("不可抗力|停产\\".into()),
            paid_off_on: Some(d(2024, 10, 2)),
        };
        let bare_arrears = ArrearsRecord {
            subject: person(),
            account_no: None,
            amount: Fen(i64::MIN),
            determined_by: None,
            determined_by_uscc: None,
            determined_on: None,
            reminded_on: None,
            just_cause: None,
            paid_off_on: None,
            ..arrears.clone()
        };
        let violation = ViolationRecord {
            account_no: "0300000001".into(),
            user_name: "湛江市海港贸易有限公司".into(),
            occurred_on: d(2025, 3, 1),
            amount: Some(Fen(5_000)),
            energy: Some(Quantity(-1)),
            days: Some(u32::MAX),
            total_amount: Fen(50_000),
            period_text: "2025-03-01至2025-03-31".into(),
        };
        let bare_violation = ViolationRecord {
            amount: None,
            energy: None,
            days: None,
            period_text: String::new(),
            ..violation.clone()
        };
        let theft = TheftRecord {
            subject: SubjectRef::Code { code: person() },
            subject_name: "张三".into(),
            account_no: Some("0300000009".into()),
            found_on: d(2023, 6, 1),
            energy: Some(Quantity(9_000)),
            recovered_fees: Fen(80_000),
            penalty_fees: Fen(240_000),
            status: TheftStatus::Settled,
            settled_on: Some(d(2023, 7, 1)),
        };
        let bare_theft = TheftRecord {
            subject: SubjectRef::Account {
                account_no: "0300000009".into(),
            },
            account_no: None,
            energy: None,
            status: TheftStatus::Referred,
            settled_on: None,
            ..theft.clone()
        };
        vec![
            Record::Payment(payment),
            Record::Payment(bare_payment),
            Record::Arrears(arrears),
            Record::Arrears(bare_arrears),
            Record::Violation(violation),
            Record::Violation(bare_violation),
            Record::Theft(theft),
            Record::Theft(bare_theft),
        ]
    }

    fn encoded(r: &Record) -> Vec<u8> {
        let mut out = Vec::new();
        encode(r, &mut out);
        out
    }

    #[test]
    fn every_kind_reads_back_as_written() {
        for r in samples() {
            assert_eq!(decode(&encoded(&r)), Ok(r.clone()), "{r:?}");
        }
    }

    #[test]
    fn a_payment_is_less_than_half_its_json() {
        let r = &samples()[0];
        let json = serde_json::to_vec(r).unwrap();
        let compact = encoded(r);
        assert!(
            compact.len() * 2 < json.len(),
            "{} / {}",
            compact.len(),
            json.len()
        );
    }

    #[test]
    fn damaged_payloads_are_refused_without_panicking() {
        for r in samples() {
            let bytes = encoded(&r);
            // Every truncation is an error, never a panic nor a shorter record.
            for n in 0..bytes.len() {
                assert!(decode(&bytes[..n]).is_err(), "{r:?} cut at {n}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(decode(&longer).unwrap_err().contains("多出"));
            // Flipping any byte either fails or reads some record: it must not panic.
            for i in 0..bytes.len() {
                let mut bad = bytes.clone();
                bad[i] ^= 0xff;
                let _ = decode(&bad);
            }
        }
        assert!(decode(&[2, PAYMENT]).unwrap_err().contains("版本"));
        assert!(decode(&[VERSION, 9]).unwrap_err().contains("记录类型"));
        // A varint longer than 64 bits.
        let mut long = vec![VERSION, VIOLATION];
        long.extend([0xff; 11]);
        assert!(decode(&long).is_err());
        // JSON from before migration 11 is not this form.
        let json = serde_json::to_vec(&samples()[0]).unwrap();
        assert!(decode(&json).is_err());
    }

    #[test]
    fn varints_cover_the_whole_range() {
        for v in [0, 1, -1, 63, -64, 64, 127, 128, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            Out(&mut out).int(v);
            let mut r = In(&out);
            assert_eq!(r.int("x"), Ok(v));
            assert!(r.0.is_empty());
        }
        let mut out = Vec::new();
        Out(&mut out).uint(u64::MAX);
        assert_eq!(out.len(), 10);
        assert_eq!(In(&out).uint("x"), Ok(u64::MAX));
    }
}
