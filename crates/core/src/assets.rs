//! Files bundled into the program.

/// Noto Sans SC Regular (SIL Open Font License 1.1, licence in `assets/fonts/OFL.txt`). The same
/// bytes draw the window and are embedded (subset) in printed letters, so screen and paper agree.
pub static CJK_FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Regular.ttf");

/// The letter's fallback for CJK Extension B..F characters that `CJK_FONT` lacks: the
/// HKSCS-2004 characters of those ranges (Cantonese names, e.g. 𨋢 U+282E2), cut from Hanazono
/// HanaMinB by `assets/fonts/make-fallback.sh` (SIL OFL 1.1, licence in
/// `assets/fonts/OFL-Hanazono.txt`). Embedded (subset) in a letter only when a name needs it.
pub static CJK_FALLBACK_FONT: &[u8] = include_bytes!("../assets/fonts/XinyidianHanExt-Regular.ttf");
