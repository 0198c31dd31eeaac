//! The installation number (本机安装编号) and the block of 承诺编码 serials it owns (rule C-4).
//!
//! A 承诺编码 is `440800` + date + a 6-digit serial and must be unique city-wide. A PC that keeps
//! its own SQLite file cannot see the serials other PCs hand out, so the serial space of a day is
//! cut into 100 blocks of 9,999: serial `b·10000 + 1 ..= b·10000 + 9999` belongs to installation
//! number `b`. A hall numbers its PCs 1–99 in 设置; a PC without a number uses block 0, which is
//! right for the only PC of a hall (and for a shared server, where one store hands out every
//! serial). Two PCs with the same number, or two unnumbered PCs, can collide — that is why the
//! number exists (README, "Several PCs").

use std::fmt;

use super::letter::MAX_COMMITMENT_SERIAL;

/// Serials per installation and day.
pub const SERIALS_PER_BLOCK: u32 = 9_999;

/// A PC's installation number, 1 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstallationNo(u8);

impl InstallationNo {
    /// The largest number: block 99 ends at serial 999999, the last 6-digit serial.
    pub const MAX: u8 = 99;

    /// A number from 1 to 99.
    pub fn new(n: u32) -> Result<Self, InstallationNoError> {
        match u8::try_from(n) {
            Ok(b) if (1..=Self::MAX).contains(&b) => Ok(Self(b)),
            _ => Err(InstallationNoError(n.to_string())),
        }
    }

    /// What a clerk typed: empty means "no number" (block 0); leading zeros are fine ("07").
    pub fn parse(text: &str) -> Result<Option<Self>, InstallationNoError> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 3 {
            return Err(InstallationNoError(t.to_string()));
        }
        let n: u32 = t.parse().map_err(|_| InstallationNoError(t.to_string()))?;
        Self::new(n).map(Some)
    }

    /// The number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for InstallationNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// An installation number out of range or not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("本机安装编号“{0}”无效：请填写 1 到 99 之间的整数，或留空（本营业厅只有这一台电脑时）")]
pub struct InstallationNoError(pub String);

/// The serials an installation may hand out on one day: `first ..= last`.
pub fn serial_block(installation: Option<InstallationNo>) -> (u32, u32) {
    let b = installation.map_or(0, |i| u32::from(i.get()));
    let first = b * 10_000 + 1;
    (
        first,
        (first + SERIALS_PER_BLOCK - 1).min(MAX_COMMITMENT_SERIAL),
    )
}

/// The next serial of the block after the largest one already used in it (`None`: none yet),
/// or `None` when the day's block is used up.
pub fn next_serial(installation: Option<InstallationNo>, largest_used: Option<u32>) -> Option<u32> {
    let (first, last) = serial_block(installation);
    let next = match largest_used {
        Some(u) if u >= first => u.checked_add(1)?,
        _ => first,
    };
    (next <= last).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_partition_the_serial_space_without_overlap() {
        assert_eq!(serial_block(None), (1, 9_999));
        assert_eq!(
            serial_block(Some(InstallationNo::new(1).unwrap())),
            (10_001, 19_999)
        );
        assert_eq!(
            serial_block(Some(InstallationNo::new(99).unwrap())),
            (990_001, 999_999)
        );
        let mut last_end = 0;
        for n in 1..=99 {
            let (a, b) = serial_block(Some(InstallationNo::new(n).unwrap()));
            assert!(a > last_end.max(9_999), "block {n} overlaps the one before");
            last_end = b;
        }
    }

    #[test]
    fn next_serial_starts_at_the_block_and_stops_at_its_end() {
        let five = Some(InstallationNo::new(5).unwrap());
        assert_eq!(next_serial(five, None), Some(50_001));
        assert_eq!(next_serial(five, Some(50_001)), Some(50_002));
        assert_eq!(next_serial(five, Some(59_998)), Some(59_999));
        assert_eq!(next_serial(five, Some(59_999)), None);
        assert_eq!(next_serial(None, Some(3)), Some(4));
        assert_eq!(next_serial(None, Some(9_999)), None);
    }

    #[test]
    fn parse_accepts_1_to_99_and_empty() {
        assert_eq!(InstallationNo::parse(" ").unwrap(), None);
        assert_eq!(InstallationNo::parse("07").unwrap().unwrap().get(), 7);
        assert_eq!(
            InstallationNo::parse("99").unwrap().unwrap().to_string(),
            "99"
        );
        for bad in ["0", "100", "-1", "ab", "1.5", "0007"] {
            let e = InstallationNo::parse(bad).unwrap_err();
            assert!(e.to_string().contains("1 到 99"), "{bad}: {e}");
        }
    }
}
