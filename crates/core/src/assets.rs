//! Files bundled into the program.

/// Noto Sans SC Regular (SIL Open Font License 1.1, licence in `assets/fonts/OFL.txt`): the
/// window's face, and the letter's for the few characters `LETTER_FONT` lacks.
pub static CJK_FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Regular.ttf");

/// Noto Serif SC Regular (SIL OFL 1.1, licence in `assets/fonts/OFL.txt`), the body face of
/// printed letters and reports (issue 15, point 7: a 宋体-like serif after GB/T 9704), embedded
/// as a subset. Made from Debian's fonts-noto-cjk by `assets/fonts/make-serif.sh`.
pub static LETTER_FONT: &[u8] = include_bytes!("../assets/fonts/NotoSerifSC-Regular.ttf");

/// The letter's fallback for CJK Extension B..F characters that `CJK_FONT` lacks: the
/// HKSCS-2004 characters of those ranges (Cantonese names, e.g. 𨋢 U+282E2), cut from Hanazono
/// HanaMinB by `assets/fonts/make-fallback.sh` (SIL OFL 1.1, licence in
/// `assets/fonts/OFL-Hanazono.txt`). Embedded (subset) in a letter only when a name needs it.
pub static CJK_FALLBACK_FONT: &[u8] = include_bytes!("../assets/fonts/XinyidianHanExt-Regular.ttf");
