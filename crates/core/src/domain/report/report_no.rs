//! The 报告编号 of a 信用中国 report and its cross-check against the generation time printed in
//! the header: a number that does not match is a warning that the report may have been altered.
//!
//! Separate because it is a check of one fact, with its own error type, and not part of rule T-3
//! or T-4 themselves.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::domain::id_codes::normalize;

/// A 报告编号 as issued by 信用中国: 22 characters, the first 14 the generation time
/// `yyyyMMddHHmmss`, then 8 digits or capital letters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportNo {
    pub text: String,
    pub generated_at: NaiveDateTime,
}

/// Why a 报告编号 does not have the 信用中国 shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ReportNoError {
    #[error("报告编号应为 22 位，读到的是 {actual} 位：请核对报告编号")]
    WrongLength { actual: usize },
    #[error(
        "报告编号第 {position} 位“{ch}”不对：前 14 位应为数字（生成时间），后 8 位为数字或大写字母"
    )]
    BadChar { position: usize, ch: char },
    #[error("报告编号前 14 位“{text}”不是有效的时间（应为年月日时分秒）")]
    BadTime { text: String },
}

impl ReportNo {
    /// Normalise (spaces removed, full-width folded, upper-cased) and check the shape.
    pub fn parse(input: &str) -> Result<Self, ReportNoError> {
        let text = normalize(input);
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 22 {
            return Err(ReportNoError::WrongLength {
                actual: chars.len(),
            });
        }
        for (i, &c) in chars.iter().enumerate() {
            let ok = if i < 14 {
                c.is_ascii_digit()
            } else {
                c.is_ascii_digit() || c.is_ascii_uppercase()
            };
            if !ok {
                return Err(ReportNoError::BadChar {
                    position: i + 1,
                    ch: c,
                });
            }
        }
        let stamp: String = chars.iter().take(14).collect();
        let generated_at = NaiveDateTime::parse_from_str(&stamp, "%Y%m%d%H%M%S")
            .map_err(|_| ReportNoError::BadTime { text: stamp })?;
        Ok(Self { text, generated_at })
    }
}

/// How far the 报告编号's time may lie from the printed generation time before it is worth a
/// warning: the portals stamp the number when the request is made, the header when it is drawn.
pub const REPORT_NO_TOLERANCE_MINUTES: i64 = 10;

/// Cross-check the 报告编号 against the header's generation time. `None`: consistent. A text:
/// the warning for the clerk (not an error: local portals may number reports differently).
/// When the header printed only a date (`time_known` false), only the dates are compared.
pub fn check_report_no(
    report_no: &str,
    generated_at: NaiveDateTime,
    time_known: bool,
) -> Option<String> {
    let no = match ReportNo::parse(report_no) {
        Ok(no) => no,
        Err(e) => {
            return Some(format!(
                "{e}；与信用中国的编号规则不同，请核对报告是否为原件"
            ));
        }
    };
    let fmt_header = if time_known {
        generated_at.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        generated_at.format("%Y-%m-%d").to_string()
    };
    let consistent = if time_known {
        (no.generated_at - generated_at).num_minutes().abs() <= REPORT_NO_TOLERANCE_MINUTES
    } else {
        no.generated_at.date() == generated_at.date()
    };
    if consistent {
        None
    } else {
        Some(format!(
            "报告编号中的时间 {} 与报告生成日期 {} 不一致：请核对报告是否被改动过",
            no.generated_at.format("%Y-%m-%d %H:%M:%S"),
            fmt_header
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::tests::d;
    use chrono::NaiveTime;

    #[test]
    fn report_no_shape_and_time() {
        let no = ReportNo::parse("2026050419025750859D39").unwrap();
        assert_eq!(
            no.generated_at,
            d(2026, 5, 4).and_hms_opt(19, 2, 57).unwrap()
        );
        assert_eq!(
            ReportNo::parse(" ２０２６050419025750859d39 ")
                .unwrap()
                .text,
            "2026050419025750859D39"
        );
        assert_eq!(
            ReportNo::parse("202605041902575085"),
            Err(ReportNoError::WrongLength { actual: 18 })
        );
        assert_eq!(
            ReportNo::parse("2026050419025A50859D39"),
            Err(ReportNoError::BadChar {
                position: 14,
                ch: 'A'
            })
        );
        assert!(matches!(
            ReportNo::parse("2026023019025750859D39"),
            Err(ReportNoError::BadTime { .. })
        ));
        assert!(
            ReportNo::parse("2026050419025750859D3-")
                .unwrap_err()
                .to_string()
                .contains("第 22 位")
        );
    }

    #[test]
    fn report_no_cross_check() {
        let at = d(2026, 5, 4).and_hms_opt(19, 2, 57).unwrap();
        assert_eq!(check_report_no("2026050419025750859D39", at, true), None);
        assert_eq!(
            check_report_no(
                "2026050419025750859D39",
                d(2026, 5, 4).and_time(NaiveTime::MIN),
                false
            ),
            None
        );
        let w = check_report_no("2026050319025750859D39", at, true).unwrap();
        assert!(
            w.contains("2026-05-03 19:02:57") && w.contains("不一致"),
            "{w}"
        );
        let w = check_report_no(
            "2026050419025750859D39",
            d(2026, 5, 5).and_time(NaiveTime::MIN),
            false,
        )
        .unwrap();
        assert!(w.contains("2026-05-05"), "{w}");
        // More than the tolerance apart on the same day.
        assert!(check_report_no("2026050418025750859D39", at, true).is_some());
        assert!(check_report_no("ABC", at, true).unwrap().contains("22 位"));
    }
}
