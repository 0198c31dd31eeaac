//! Identifiers: 统一社会信用代码 (rule ID-1, GB 32100-2015), 居民身份证号码 (rule ID-2,
//! GB 11643-1999) and the other 证件类型 accepted at the counter.
//!
//! Everything here is pure: normalisation, parsing and check characters. Functions that depend on
//! the date (a birth date may not lie in the future) take `today` as an argument.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The 31 characters of GB 32100, valued 0..30 in this order (no I, O, Z, S, V).
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights W_i = 3^(i-1) mod 31 for positions 1..17 (rule ID-1).
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714-1997 weights for the 8 body characters of the embedded 组织机构代码.
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// ISO 7064 MOD 11-2 weights of GB 11643 (rule ID-2).
const RESIDENT_ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Σ mod 11 → check character (rule ID-2).
const RESIDENT_ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Normalise what a clerk typed or a scanner sent: trim, drop every inner space (also the
/// ideographic space U+3000), fold full-width ASCII from a Chinese IME to half-width, upper-case.
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .filter_map(|c| {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                other => other,
            };
            if c.is_whitespace() || c == '\u{3000}' {
                None
            } else {
                Some(c.to_ascii_uppercase())
            }
        })
        .collect()
}

/// Why an identifier was refused. `Display` gives the Chinese message shown to the clerk: it names
/// the position or part that is wrong and what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum IdError {
    #[error("{what}不能为空，请输入")]
    Empty { what: &'static str },
    #[error("{what}应为 {expected} 位，输入的是 {actual} 位，请核对是否漏输或多输")]
    WrongLength {
        what: &'static str,
        expected: usize,
        actual: usize,
    },
    #[error("第 {position} 位“{ch}”不能出现在{what}中{hint}")]
    ForbiddenChar {
        what: &'static str,
        position: usize,
        ch: char,
        hint: &'static str,
    },
    #[error("校验位应为 {expected}，输入的是 {actual}：请逐位核对{what}")]
    CheckChar {
        what: &'static str,
        expected: char,
        actual: char,
    },
    #[error("出生日期 {text} 不是真实的日期（第 7–14 位），请核对身份证号码")]
    BirthDateInvalid { text: String },
    #[error("出生日期 {date} 晚于今天（第 7–14 位），请核对身份证号码")]
    BirthDateFuture { date: NaiveDate },
    #[error("这是 15 位的第一代身份证号码，柜台不受理：请申请人出示 18 位的第二代居民身份证")]
    FirstGeneration,
    #[error(
        "{what}第 {position} 位有一个看不见的字符（{unicode}），多半是复制时带来的：请删除后重新输入"
    )]
    HiddenChar {
        what: &'static str,
        position: usize,
        unicode: String,
    },
    #[error("{what}格式不正确：{expected}")]
    Format {
        what: &'static str,
        expected: &'static str,
    },
}

/// A warning that does not block acceptance (rule ID-1: a failing embedded GB 11714 check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdWarning {
    pub message: String,
}

/// A validated 统一社会信用代码 (normalised, 18 characters, correct check character).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Uscc(String);

impl Uscc {
    /// Normalise and validate `input` (rule ID-1).
    pub fn parse(input: &str) -> Result<Self, IdError> {
        // What exports hold is a normalised, valid code: checked byte by byte, without the
        // character-by-character copy (an import validates a code or two on every row).
        match Self::parse_plain(input) {
            Some(code) => Ok(code),
            None => Self::parse_normalized(normalize(input)),
        }
    }

    /// Validate a normalised code, naming the first problem (rule ID-1).
    fn parse_normalized(s: String) -> Result<Self, IdError> {
        refuse_hidden(&s, "统一社会信用代码")?;
        check_uscc_shape(&s)?;
        let expected = uscc_check_char(&s).ok_or(IdError::Empty {
            what: "统一社会信用代码",
        })?;
        let actual = s.chars().nth(17).unwrap_or('?');
        if expected != actual {
            return Err(IdError::CheckChar {
                what: "统一社会信用代码",
                expected,
                actual,
            });
        }
        Ok(Self(s))
    }

    /// The code when `input` is already normalised and valid; `None` sends everything else,
    /// every error included, through the full path of [`Uscc::parse`], which names the problem.
    fn parse_plain(input: &str) -> Option<Self> {
        let b = input.as_bytes();
        if b.len() != 18 {
            return None;
        }
        let mut sum = 0u32;
        for (i, &c) in b.iter().enumerate() {
            let v = *USCC_VALUES.get(usize::from(c))?;
            if v == NOT_USCC || ((2..8).contains(&i) && !c.is_ascii_digit()) {
                return None;
            }
            if let Some(w) = USCC_WEIGHTS.get(i) {
                sum += u32::from(v) * w;
            }
        }
        let check = *USCC_ALPHABET
            .as_bytes()
            .get(((31 - sum % 31) % 31) as usize)?;
        (check == b[17]).then(|| Self(input.to_string()))
    }

    /// Accept a code whose shape is right but whose national check character fails. Rule ID-1:
    /// a few legally issued pilot-era codes (Fujian 91350…) do; only a supervisor may do this,
    /// which the desk enforces and records.
    pub fn parse_accepting_check_failure(input: &str) -> Result<Self, IdError> {
        let s = normalize(input);
        refuse_hidden(&s, "统一社会信用代码")?;
        check_uscc_shape(&s)?;
        Ok(Self(s))
    }

    /// A code read back from the store, validated when it was written.
    pub(crate) fn from_stored(code: String) -> Self {
        Self(code)
    }

    /// The code as stored and displayed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 行政区划码, positions 3-8.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Whether positions 3-8 name a division of 湛江市 (4408xx).
    pub fn is_zhanjiang(&self) -> bool {
        self.region_code().starts_with("4408")
    }

    /// Warnings that do not block acceptance: the embedded 组织机构代码 (positions 9-17) fails its
    /// GB 11714 check (rule ID-1).
    pub fn warnings(&self) -> Vec<IdWarning> {
        let body = &self.0[8..17];
        match org_code_check_char(&body[..8]) {
            Some(expected) if body.ends_with(expected) => Vec::new(),
            Some(expected) => vec![IdWarning {
                message: format!(
                    "第 9–17 位的组织机构代码校验位按 GB 11714 应为 {expected}：早期代码可能如此，请留意核对"
                ),
            }],
            None => Vec::new(),
        }
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Value of each ASCII byte in [`USCC_ALPHABET`] (`NOT_USCC` for the others), built at compile
/// time: every imported row checks two codes, and a search of the alphabet per character was
/// a hot spot of bulk imports.
const USCC_VALUES: [u8; 128] = {
    let mut t = [NOT_USCC; 128];
    let a = USCC_ALPHABET.as_bytes();
    let mut i = 0;
    while i < a.len() {
        t[a[i] as usize] = i as u8;
        i += 1;
    }
    t
};
const NOT_USCC: u8 = u8::MAX;

fn uscc_value(c: char) -> Option<u32> {
    let v = *USCC_VALUES.get(c as usize)?;
    (v != NOT_USCC).then_some(u32::from(v))
}

fn check_uscc_shape(s: &str) -> Result<(), IdError> {
    const WHAT: &str = "统一社会信用代码";
    if s.is_empty() {
        return Err(IdError::Empty { what: WHAT });
    }
    let n = s.chars().count();
    if n != 18 {
        return Err(IdError::WrongLength {
            what: WHAT,
            expected: 18,
            actual: n,
        });
    }
    for (i, c) in s.chars().enumerate() {
        if uscc_value(c).is_none() {
            let hint = match c {
                'I' | 'O' | 'Z' | 'S' | 'V' => {
                    "（代码不使用字母 I、O、Z、S、V，可能是数字 1、0、2、5 或字母 U 输错了）"
                }
                _ => "（只允许数字和大写字母）",
            };
            return Err(IdError::ForbiddenChar {
                what: WHAT,
                position: i + 1,
                ch: c,
                hint,
            });
        }
        if (2..8).contains(&i) && !c.is_ascii_digit() {
            return Err(IdError::ForbiddenChar {
                what: WHAT,
                position: i + 1,
                ch: c,
                hint: "（第 3–8 位是行政区划码，只能是数字）",
            });
        }
    }
    Ok(())
}

/// The check character C18 for the first 17 characters of `s` (rule ID-1).
pub fn uscc_check_char(s: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0;
    for (c, w) in s.chars().take(17).zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
        count += 1;
    }
    if count != 17 {
        return None;
    }
    let v = (31 - sum % 31) % 31;
    USCC_ALPHABET
        .as_bytes()
        .get(v as usize)
        .map(|&b| char::from(b))
}

/// The GB 11714 check character for 8 body characters (digits, or letters A=10 … Z=35).
pub fn org_code_check_char(body: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0;
    for (c, w) in body.chars().zip(ORG_CODE_WEIGHTS) {
        let v = c.to_digit(36)?;
        sum += v * w;
        count += 1;
    }
    if count != 8 {
        return None;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        d => char::from_digit(d, 10),
    }
}

/// A validated 18-digit 居民身份证号码 (also 港澳台居民居住证, same check, rule ID-2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResidentId(String);

impl ResidentId {
    /// Normalise and validate `input` as of `today` (the birth date may not be in the future).
    /// A 15-digit first-generation number is refused (rule ID-2: counter refuses).
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdError> {
        const WHAT: &str = "居民身份证号码";
        let s = normalize(input);
        if s.is_empty() {
            return Err(IdError::Empty { what: WHAT });
        }
        refuse_hidden(&s, WHAT)?;
        let n = s.chars().count();
        if n == 15 && s.chars().all(|c| c.is_ascii_digit()) {
            return Err(IdError::FirstGeneration);
        }
        if n != 18 {
            return Err(IdError::WrongLength {
                what: WHAT,
                expected: 18,
                actual: n,
            });
        }
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c == 'X');
            if !ok {
                let hint = if i == 17 {
                    "（最后一位只能是数字或 X）"
                } else {
                    "（前 17 位只能是数字）"
                };
                return Err(IdError::ForbiddenChar {
                    what: WHAT,
                    position: i + 1,
                    ch: c,
                    hint,
                });
            }
        }
        let birth = &s[6..14];
        let date =
            NaiveDate::parse_from_str(birth, "%Y%m%d").map_err(|_| IdError::BirthDateInvalid {
                text: birth.to_string(),
            })?;
        if date.year() < 1850 {
            return Err(IdError::BirthDateInvalid {
                text: birth.to_string(),
            });
        }
        if date > today {
            return Err(IdError::BirthDateFuture { date });
        }
        let expected = resident_id_check_char(&s[..17]).unwrap_or('?');
        let actual = s.chars().nth(17).unwrap_or('?');
        if expected != actual {
            return Err(IdError::CheckChar {
                what: WHAT,
                expected,
                actual,
            });
        }
        Ok(Self(s))
    }

    /// Convert a 15-digit first-generation number to 18 digits: insert `19` before the year and
    /// compute the check character. Rule ID-2 allows this in bulk import only (the row is flagged).
    pub fn upgrade_first_generation(input: &str, today: NaiveDate) -> Result<Self, IdError> {
        let s = normalize(input);
        if s.len() != 15 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(IdError::Format {
                what: "第一代身份证号码",
                expected: "应为 15 位数字",
            });
        }
        let body = format!("{}19{}", &s[..6], &s[6..]);
        let check = resident_id_check_char(&body).unwrap_or('0');
        Self::parse(&format!("{body}{check}"), today)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Birth date, positions 7-14 (already validated).
    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }

    /// Sequence digit 17 odd = male.
    pub fn is_male(&self) -> bool {
        self.0
            .as_bytes()
            .get(16)
            .is_some_and(|b| (b - b'0') % 2 == 1)
    }

    /// The masked form for lists, search results and exports (rule ID-3).
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Check character for the first 17 digits of a resident ID (ISO 7064 MOD 11-2).
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0;
    for (c, w) in first17.chars().zip(RESIDENT_ID_WEIGHTS) {
        sum += c.to_digit(10)? * w;
        count += 1;
    }
    (count == 17).then(|| RESIDENT_ID_CHECK[(sum % 11) as usize])
}

/// Mask a personal ID number: keep the first 6 and the last 4 characters (rule ID-3).
pub fn mask_id_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..6].iter().collect();
    out.extend(std::iter::repeat_n('*', chars.len() - 10));
    out.extend(&chars[chars.len() - 4..]);
    out
}

/// 证件类型 of a natural person or a legal representative (rule ID-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdDocKind {
    ResidentId,
    Passport,
    HkMacaoPermit,
    TaiwanPermit,
    ForeignerPermanentResidence,
    Other,
}

impl IdDocKind {
    pub const ALL: [IdDocKind; 6] = [
        IdDocKind::ResidentId,
        IdDocKind::Passport,
        IdDocKind::HkMacaoPermit,
        IdDocKind::TaiwanPermit,
        IdDocKind::ForeignerPermanentResidence,
        IdDocKind::Other,
    ];

    /// The Chinese name printed on forms and shown in the window.
    pub fn label(self) -> &'static str {
        match self {
            IdDocKind::ResidentId => "居民身份证",
            IdDocKind::Passport => "护照",
            IdDocKind::HkMacaoPermit => "港澳居民来往内地通行证",
            IdDocKind::TaiwanPermit => "台湾居民来往大陆通行证",
            IdDocKind::ForeignerPermanentResidence => "外国人永久居留身份证",
            IdDocKind::Other => "其他",
        }
    }

    /// The stable key stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            IdDocKind::ResidentId => "resident_id",
            IdDocKind::Passport => "passport",
            IdDocKind::HkMacaoPermit => "hk_macao_permit",
            IdDocKind::TaiwanPermit => "taiwan_permit",
            IdDocKind::ForeignerPermanentResidence => "foreigner_permanent_residence",
            IdDocKind::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Accepts the stable key or the Chinese label (CLI and import files use either).
    pub fn from_label_or_key(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.key() == s || k.label() == s)
            .or(match s {
                "身份证" | "居民身份证号码" => Some(IdDocKind::ResidentId),
                "港澳通行证" | "回乡证" => Some(IdDocKind::HkMacaoPermit),
                "台胞证" => Some(IdDocKind::TaiwanPermit),
                "永久居留证" | "外国人永久居留证" => {
                    Some(IdDocKind::ForeignerPermanentResidence)
                }
                _ => None,
            })
    }
}

/// A validated personal identity document: kind + normalised number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdDocument {
    pub kind: IdDocKind,
    pub number: String,
}

impl IdDocument {
    /// Validate `number` for `kind`: the full GB 11643 check for 居民身份证, format checks for the
    /// others (rule ID-2).
    pub fn parse(kind: IdDocKind, number: &str, today: NaiveDate) -> Result<Self, IdError> {
        let s = normalize(number);
        refuse_hidden(&s, "证件号码")?;
        let number = match kind {
            IdDocKind::ResidentId => ResidentId::parse(&s, today)?.0,
            IdDocKind::Passport => {
                const WHAT: &str = "护照号码";
                require(&s, WHAT)?;
                if !(5..=17).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(IdError::Format {
                        what: WHAT,
                        expected: "应为 5–17 位字母或数字",
                    });
                }
                s
            }
            IdDocKind::HkMacaoPermit => {
                const WHAT: &str = "港澳居民来往内地通行证号码";
                require(&s, WHAT)?;
                let ok = matches!(s.chars().next(), Some('H' | 'M'))
                    && (s.len() == 9 || s.len() == 11)
                    && s[1..].chars().all(|c| c.is_ascii_digit());
                if !ok {
                    return Err(IdError::Format {
                        what: WHAT,
                        expected: "应为 H 或 M 开头加 8 位数字（换证次数可再加 2 位）",
                    });
                }
                s
            }
            IdDocKind::TaiwanPermit => {
                const WHAT: &str = "台湾居民来往大陆通行证号码";
                require(&s, WHAT)?;
                let ok = (s.len() == 8 || s.len() == 10) && s.chars().all(|c| c.is_ascii_digit());
                if !ok {
                    return Err(IdError::Format {
                        what: WHAT,
                        expected: "应为 8 位数字（换证次数可再加 2 位）",
                    });
                }
                s
            }
            IdDocKind::ForeignerPermanentResidence => {
                const WHAT: &str = "外国人永久居留身份证号码";
                require(&s, WHAT)?;
                let old = s.len() == 15
                    && s[..3].chars().all(|c| c.is_ascii_uppercase())
                    && s[3..].chars().all(|c| c.is_ascii_digit());
                let new = s.len() == 18
                    && s.starts_with('9')
                    && s[..17].chars().all(|c| c.is_ascii_digit())
                    && s[17..].chars().all(|c| c.is_ascii_digit() || c == 'X');
                if !(old || new) {
                    return Err(IdError::Format {
                        what: WHAT,
                        expected: "应为 3 位字母加 12 位数字（旧版），或 9 开头的 18 位（新版）",
                    });
                }
                s
            }
            IdDocKind::Other => {
                const WHAT: &str = "证件号码";
                require(&s, WHAT)?;
                if s.chars().count() > 30 {
                    return Err(IdError::Format {
                        what: WHAT,
                        expected: "最多 30 个字符",
                    });
                }
                s
            }
        };
        Ok(Self { kind, number })
    }

    /// The number masked for lists and exports (rule ID-3).
    pub fn masked(&self) -> String {
        mask_id_number(&self.number)
    }
}

/// A zero-width space or a direction mark pasted with a code would otherwise surface as a
/// puzzling length ("输入的是 19 位"): name it and where it is.
fn refuse_hidden(s: &str, what: &'static str) -> Result<(), IdError> {
    match s
        .chars()
        .enumerate()
        .find(|(_, c)| super::text::is_hidden_char(*c))
    {
        Some((i, c)) => Err(IdError::HiddenChar {
            what,
            position: i + 1,
            unicode: format!("U+{:04X}", c as u32),
        }),
        None => Ok(()),
    }
}

fn require(s: &str, what: &'static str) -> Result<(), IdError> {
    if s.is_empty() {
        Err(IdError::Empty { what })
    } else {
        Ok(())
    }
}

/// What kind of code a free-standing input looks like (for `code check` and the search bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    Uscc,
    ResidentId,
    Other,
}

/// The outcome of checking one free-standing code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeCheck {
    pub input: String,
    pub normalized: String,
    pub kind: CodeKind,
    pub result: Result<(), IdError>,
    pub warnings: Vec<IdWarning>,
}

/// Two-digit province codes of GB/T 2260 (with 71 台湾 and 81–83 for 港澳台居民居住证).
fn is_province_code(p: &str) -> bool {
    matches!(
        p,
        "11" | "12"
            | "13"
            | "14"
            | "15"
            | "21"
            | "22"
            | "23"
            | "31"
            | "32"
            | "33"
            | "34"
            | "35"
            | "36"
            | "37"
            | "41"
            | "42"
            | "43"
            | "44"
            | "45"
            | "46"
            | "50"
            | "51"
            | "52"
            | "53"
            | "54"
            | "61"
            | "62"
            | "63"
            | "64"
            | "65"
            | "71"
            | "81"
            | "82"
            | "83"
    )
}

/// Decide what `input` is meant to be and check it. Both USCCs and resident IDs have 18
/// characters: whichever validates wins; when neither does, the shape decides which error to show
/// (a province code and a plausible birth date read as a resident ID).
pub fn check_code(input: &str, today: NaiveDate) -> CodeCheck {
    let normalized = normalize(input);
    let make = |kind, result, warnings| CodeCheck {
        input: input.to_string(),
        normalized: normalized.clone(),
        kind,
        result,
        warnings,
    };
    let uscc = Uscc::parse(&normalized);
    if let Ok(code) = &uscc {
        return make(CodeKind::Uscc, Ok(()), code.warnings());
    }
    if let Err(e) = refuse_hidden(&normalized, "代码") {
        return make(CodeKind::Other, Err(e), Vec::new());
    }
    let rid = ResidentId::parse(&normalized, today);
    if rid.is_ok() {
        return make(CodeKind::ResidentId, Ok(()), Vec::new());
    }
    let n = normalized.len();
    let digits_only = n >= 1
        && normalized.is_ascii()
        && normalized[..n - 1].chars().all(|c| c.is_ascii_digit())
        && normalized[n - 1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'X');
    let looks_personal = digits_only
        && (n == 15
            || (n == 18
                && is_province_code(&normalized[..2])
                && matches!(&normalized[6..8], "18" | "19" | "20")));
    if looks_personal {
        return make(CodeKind::ResidentId, rid.map(|_| ()), Vec::new());
    }
    // Without a stated 证件类型 only shapes that are unmistakable count as another document: a
    // 港澳 or 台湾 permit, a foreigner's permanent residence card, a passport number with its
    // letter prefix. A bare run of digits is a resident ID or a code with digits missing or
    // extra (17 digits is not a passport), and is reported as one.
    let other_doc = if digits_only && !matches!(n, 8 | 10) {
        None
    } else {
        IdDocKind::ALL[1..5]
            .iter()
            .filter(|k| {
                **k != IdDocKind::Passport
                    || normalized.starts_with(|c: char| c.is_ascii_alphabetic())
            })
            .find_map(|k| IdDocument::parse(*k, &normalized, today).ok())
    };
    if other_doc.is_some() && n != 18 {
        return make(CodeKind::Other, Ok(()), Vec::new());
    }
    if digits_only && n != 18 {
        return make(CodeKind::ResidentId, rid.map(|_| ()), Vec::new());
    }
    make(CodeKind::Uscc, uscc.map(|_| ()), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uscc_value_table_agrees_with_the_alphabet() {
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            assert_eq!(
                uscc_value(c),
                USCC_ALPHABET.find(c).map(|i| i as u32),
                "{c:?}"
            );
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    /// Build a valid USCC from a 17-character body by appending its check character.
    fn with_check(body: &str) -> String {
        format!("{body}{}", uscc_check_char(body).unwrap())
    }

    #[test]
    fn the_plain_path_agrees_with_the_full_one() {
        use proptest::prelude::*;
        let valid = with_check("91440800MA4UMB8E0");
        proptest!(|(s in "[0-9A-Z]{18}|[0-9A-Za-z ]{16,19}|9144[0-9]{4}[0-9A-Z]{9}[0-9A-Z]")| {
            let full = Uscc::parse_normalized(normalize(&s));
            match Uscc::parse_plain(&s) {
                // Accepted: exactly what the full path accepts.
                Some(code) => prop_assert_eq!(Ok(code), full),
                // Passed on: an already normal code the full path must then refuse.
                None if s == normalize(&s) && s.len() == 18 => prop_assert!(full.is_err()),
                None => {}
            }
        });
        assert_eq!(Uscc::parse_plain(&valid).map(|u| u.0), Some(valid.clone()));
        assert!(Uscc::parse_plain(&valid.to_lowercase()).is_none());
        assert!(Uscc::parse(&valid.to_lowercase()).is_ok());
    }

    #[test]
    fn published_real_world_usccs_validate() {
        for code in [
            "91440300708461136T",
            "91110108551385082Q",
            "914403001922038216",
            "91350100M000100Y43",
        ] {
            assert!(Uscc::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn uscc_check_char_and_message_names_expected() {
        let good = with_check("91440800MA4UMB8E0");
        assert!(Uscc::parse(&good).is_ok());
        let last = good.chars().last().unwrap();
        let wrong = if last == '0' { '1' } else { '0' };
        let bad = format!("{}{}", &good[..17], wrong);
        let err = Uscc::parse(&bad).unwrap_err();
        assert_eq!(
            err,
            IdError::CheckChar {
                what: "统一社会信用代码",
                expected: last,
                actual: wrong
            }
        );
        assert!(err.to_string().contains(&format!("校验位应为 {last}")));
    }

    #[test]
    fn uscc_normalises_full_width_spaces_and_case() {
        let good = with_check("91440800MA4UMB8E0");
        let full: String = good
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        let messy = format!("  {}\u{3000}{} ", &full[..3 * 6], &full[3 * 6..]).to_lowercase();
        assert_eq!(Uscc::parse(&messy).unwrap().as_str(), good);
        assert_eq!(Uscc::parse(&good.to_lowercase()).unwrap().as_str(), good);
    }

    #[test]
    fn uscc_letter_department_codes_are_allowed() {
        for body in [
            "A1440800MA4UMB8E0",
            "N2440800123456789",
            "Y1440800123456789",
        ] {
            assert!(Uscc::parse(&with_check(body)).is_ok(), "{body}");
        }
    }

    #[test]
    fn uscc_forbidden_characters_name_position() {
        let good = with_check("91440800MA4UMB8E0");
        let bad = format!("{}I{}", &good[..9], &good[10..]);
        let err = Uscc::parse(&bad).unwrap_err();
        assert!(matches!(
            err,
            IdError::ForbiddenChar {
                position: 10,
                ch: 'I',
                ..
            }
        ));
        assert!(err.to_string().contains("第 10 位"));
        let bad_region = format!("91A{}", &good[3..]);
        assert!(matches!(
            Uscc::parse(&bad_region).unwrap_err(),
            IdError::ForbiddenChar { position: 3, .. }
        ));
        let chinese = format!("{}中", &good[..17]);
        assert!(matches!(
            Uscc::parse(&chinese).unwrap_err(),
            IdError::ForbiddenChar {
                position: 18,
                ch: '中',
                ..
            }
        ));
    }

    #[test]
    fn uscc_wrong_length_and_empty() {
        assert_eq!(
            Uscc::parse("9144080").unwrap_err(),
            IdError::WrongLength {
                what: "统一社会信用代码",
                expected: 18,
                actual: 7
            }
        );
        assert!(matches!(
            Uscc::parse("   ").unwrap_err(),
            IdError::Empty { .. }
        ));
    }

    #[test]
    fn embedded_org_code_failure_is_only_a_warning() {
        // Use the wrong GB 11714 check character on purpose; the USCC check itself is right.
        let expected = org_code_check_char("MA4UMB8E").unwrap();
        let wrong = if expected == '0' { '1' } else { '0' };
        let code = with_check(&format!("91440800MA4UMB8E{wrong}"));
        let u = Uscc::parse(&code).unwrap();
        assert_eq!(u.warnings().len(), 1);
        assert!(u.warnings()[0].message.contains(expected));
        let ok = Uscc::parse(&with_check(&format!("91440800MA4UMB8E{expected}"))).unwrap();
        assert!(ok.warnings().is_empty());
        assert!(ok.is_zhanjiang());
    }

    #[test]
    fn org_code_check_char_known_values() {
        // GB 11714 examples: D2143569-? → compute by the formula by hand.
        // 3*13+7*2+9*1+10*4+5*3+8*5+4*6+2*9 = 39+14+9+40+15+40+24+18 = 199; 199 mod 11 = 1 → 10 → X
        assert_eq!(org_code_check_char("D2143569"), Some('X'));
        // 0*... all zeros: sum 0 → 11 → '0'
        assert_eq!(org_code_check_char("00000000"), Some('0'));
    }

    #[test]
    fn resident_id_valid_and_lower_case_x() {
        // 11010519491231002X is the GB 11643 standard's own example.
        let id = ResidentId::parse("11010519491231002x", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert!(!id.is_male());
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31));
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn resident_id_hk_macao_taiwan_residence_permits_accepted() {
        for prefix in ["810000", "820000", "830000"] {
            let body = format!("{prefix}19900101001");
            let full = format!("{body}{}", resident_id_check_char(&body).unwrap());
            assert!(ResidentId::parse(&full, today()).is_ok(), "{full}");
        }
        // A retired county code must not be refused.
        let body = "44082319800101001";
        let full = format!("{body}{}", resident_id_check_char(body).unwrap());
        assert!(ResidentId::parse(&full, today()).is_ok());
    }

    #[test]
    fn resident_id_errors() {
        let t = today();
        assert_eq!(
            ResidentId::parse("11010519491231002", t).unwrap_err(),
            IdError::WrongLength {
                what: "居民身份证号码",
                expected: 18,
                actual: 17
            }
        );
        assert_eq!(
            ResidentId::parse("110105491231002", t).unwrap_err(),
            IdError::FirstGeneration
        );
        assert_eq!(
            ResidentId::parse("110105194912310021", t).unwrap_err(),
            IdError::CheckChar {
                what: "居民身份证号码",
                expected: 'X',
                actual: '1'
            }
        );
        let feb30 = "44080019900230001";
        let feb30 = format!("{feb30}{}", resident_id_check_char(feb30).unwrap());
        assert!(matches!(
            ResidentId::parse(&feb30, t).unwrap_err(),
            IdError::BirthDateInvalid { .. }
        ));
        let future = "44080020270101001";
        let future = format!("{future}{}", resident_id_check_char(future).unwrap());
        assert!(matches!(
            ResidentId::parse(&future, t).unwrap_err(),
            IdError::BirthDateFuture { .. }
        ));
        assert!(matches!(
            ResidentId::parse("1101051949123100AX", t).unwrap_err(),
            IdError::ForbiddenChar { position: 17, .. }
        ));
        assert!(matches!(
            ResidentId::parse("11010519491231002Y", t).unwrap_err(),
            IdError::ForbiddenChar { position: 18, .. }
        ));
    }

    #[test]
    fn first_generation_upgrade_for_bulk_import() {
        let id = ResidentId::upgrade_first_generation("110105491231002", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn other_documents_format_checks() {
        let t = today();
        assert!(IdDocument::parse(IdDocKind::HkMacaoPermit, "h12345678", t).is_ok());
        assert!(IdDocument::parse(IdDocKind::HkMacaoPermit, "M1234567801", t).is_ok());
        assert!(IdDocument::parse(IdDocKind::HkMacaoPermit, "X12345678", t).is_err());
        assert!(IdDocument::parse(IdDocKind::TaiwanPermit, "12345678", t).is_ok());
        assert!(IdDocument::parse(IdDocKind::TaiwanPermit, "1234567", t).is_err());
        assert!(IdDocument::parse(IdDocKind::Passport, "E12345678", t).is_ok());
        assert!(IdDocument::parse(IdDocKind::Passport, "E1-2", t).is_err());
        assert!(
            IdDocument::parse(IdDocKind::ForeignerPermanentResidence, "USA123456789012", t).is_ok()
        );
        assert!(IdDocument::parse(IdDocKind::Other, "", t).is_err());
        assert_eq!(
            IdDocKind::from_label_or_key("身份证"),
            Some(IdDocKind::ResidentId)
        );
    }

    #[test]
    fn check_code_classifies() {
        let t = today();
        let uscc = with_check("91440800MA4UMB8E0");
        assert_eq!(check_code(&uscc, t).kind, CodeKind::Uscc);
        assert!(check_code(&uscc, t).result.is_ok());
        let c = check_code("11010519491231002x", t);
        assert_eq!((c.kind, c.result.is_ok()), (CodeKind::ResidentId, true));
        let c = check_code("110105194912310021", t);
        assert_eq!(c.kind, CodeKind::ResidentId);
        assert!(matches!(
            c.result,
            Err(IdError::CheckChar { expected: 'X', .. })
        ));
        let c = check_code("110105491231002", t);
        assert_eq!(c.result, Err(IdError::FirstGeneration));
        let c = check_code("H12345678", t);
        assert_eq!((c.kind, c.result.is_ok()), (CodeKind::Other, true));
        let c = check_code("91440800MA4UMB8EOX", t);
        assert_eq!(c.kind, CodeKind::Uscc);
        assert!(c.result.is_err());
    }

    #[test]
    fn bare_digits_are_not_another_document() {
        let t = today();
        // 17 digits: a resident ID with a digit missing, not a passport.
        let c = check_code("44080319900101123", t);
        assert_eq!(c.kind, CodeKind::ResidentId);
        assert!(
            matches!(
                c.result,
                Err(IdError::WrongLength {
                    expected: 18,
                    actual: 17,
                    ..
                })
            ),
            "{:?}",
            c.result
        );
        let c = check_code("12345", t);
        assert!(c.result.is_err(), "{c:?}");
        // Passports keep their letter prefix; 台湾 permits are 8 or 10 digits.
        assert!(check_code("E12345678", t).result.is_ok());
        assert_eq!(check_code("12345678", t).kind, CodeKind::Other);
    }

    #[test]
    fn hidden_characters_in_a_code_are_named() {
        let t = today();
        let uscc = with_check("91440800MA4UMB8E0");
        let pasted = format!("{}\u{200B}{}", &uscc[..5], &uscc[5..]);
        let c = check_code(&pasted, t);
        let e = c.result.unwrap_err();
        assert!(
            matches!(e, IdError::HiddenChar { position: 6, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("U+200B"), "{e}");
        assert!(matches!(
            Uscc::parse(&pasted),
            Err(IdError::HiddenChar { .. })
        ));
        assert!(matches!(
            ResidentId::parse("11010519491231002\u{202E}X", t),
            Err(IdError::HiddenChar { position: 18, .. })
        ));
    }

    #[test]
    fn mask_keeps_first_six_last_four() {
        assert_eq!(mask_id_number("440881199001011234"), "440881********1234");
        assert_eq!(mask_id_number("12345"), "*****");
    }
}
