//! The print fonts: the main face and the CJK Extension fallback, glyph advances, and the
//! characters the letter refuses (invisible characters, emoji, characters neither face has).
//!
//! Separate from the layout because the desk uses it on its own: [`unprintable_chars`] and
//! [`check_printable`] refuse a name at registration that the letter could not print exactly.

use std::sync::OnceLock;

use printpdf::ParsedFont;
use unicode_properties::UnicodeEmoji;

use crate::domain::text::is_hidden_char;

use super::{BODY_SIZE, LetterPdfError};

/// Emoji in the sense of the letter: `Emoji=Yes` in Unicode, except ASCII (digits, `#` and `*`
/// are keycap bases but ordinary characters). The fonts may draw some of them (☎, ©) as text,
/// but a registered name with a pictograph is a typing accident, not a legal name.
pub fn is_emoji(c: char) -> bool {
    !c.is_ascii() && c.is_emoji_char()
}

/// Which embedded font draws a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontFace {
    /// The main font (`LETTER_FONT`, Noto Serif SC).
    Main,
    /// The window's Noto Sans SC (`CJK_FONT`), for the few characters the serif lacks (the
    /// newest unified ideographs U+9FEB..U+9FEF), so that every name the window showed and the
    /// sans-serif letter printed before still prints.
    Sans,
    /// The CJK Extension fallback (`CJK_FALLBACK_FONT`), for characters the main font lacks.
    Fallback,
}

/// One parsed font program.
#[derive(Debug, Clone)]
pub(super) struct Face {
    pub(super) font: ParsedFont,
    units_per_em: f32,
}

impl Face {
    fn parse(bytes: &[u8]) -> Result<Self, LetterPdfError> {
        let mut warnings = Vec::new();
        let font = ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or_else(|| {
            LetterPdfError::Font {
                detail: warnings
                    .first()
                    .map(|w| format!("{w:?}"))
                    .unwrap_or_else(|| "不是可用的字体文件".into()),
            }
        })?;
        let units_per_em = f32::from(font.pdf_font_metrics.units_per_em);
        if units_per_em <= 0.0 {
            return Err(LetterPdfError::Font {
                detail: "字体的 unitsPerEm 为 0".into(),
            });
        }
        Ok(Self { font, units_per_em })
    }

    fn advance(&self, ch: char, size: f32) -> Option<f32> {
        let gid = self.font.lookup_glyph_index(u32::from(ch))?;
        if gid == 0 {
            return None;
        }
        Some(f32::from(self.font.get_horizontal_advance(gid)) * size / self.units_per_em)
    }
}

/// The bundled fallback, parsed on first use. `None` only if the bundled bytes were damaged
/// (a unit test parses them); the letter then refuses the characters only it has.
fn bundled_fallback() -> Option<&'static Face> {
    static FALLBACK: OnceLock<Option<Face>> = OnceLock::new();
    FALLBACK
        .get_or_init(|| Face::parse(crate::assets::CJK_FALLBACK_FONT).ok())
        .as_ref()
}

/// The window's sans-serif, parsed the first time the main font lacks a character (rare: a
/// letter of ordinary names never parses it).
fn bundled_sans() -> Option<&'static Face> {
    static SANS: OnceLock<Option<Face>> = OnceLock::new();
    SANS.get_or_init(|| Face::parse(crate::assets::CJK_FONT).ok())
        .as_ref()
}

/// The print fonts, parsed once: the main font, then the window's sans-serif and the bundled
/// CJK Extension fallback for the characters it lacks. Parsing the main font (14.5 MB) is the
/// slow part of rendering, so a caller that prints several letters keeps one `LetterFont` (see
/// the `letter` bench).
#[derive(Debug, Clone)]
pub struct LetterFont {
    pub(super) main: Face,
    /// Whether [`FontFace::Sans`] may draw what the main font lacks (the bundled fonts only: a
    /// font given by the caller is used with the Extension fallback alone).
    with_sans: bool,
    pub(super) fallback: Option<&'static Face>,
}

impl LetterFont {
    /// The bundled `LETTER_FONT` (Noto Serif SC) with its fallbacks, parsed on first use and
    /// kept for the life of the process (about 40 ms saved on every later letter).
    pub fn bundled() -> Result<&'static LetterFont, LetterPdfError> {
        static BUNDLED: OnceLock<Result<LetterFont, LetterPdfError>> = OnceLock::new();
        BUNDLED
            .get_or_init(|| {
                Ok(LetterFont {
                    main: Face::parse(crate::assets::LETTER_FONT)?,
                    with_sans: true,
                    fallback: bundled_fallback(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parse a TrueType/OpenType font as the main font; the bundled CJK Extension fallback
    /// draws what it lacks.
    pub fn parse(bytes: &[u8]) -> Result<Self, LetterPdfError> {
        Ok(Self {
            main: Face::parse(bytes)?,
            with_sans: false,
            fallback: bundled_fallback(),
        })
    }

    /// The parsed face behind `face`, if this font set has it.
    pub(super) fn face(&self, face: FontFace) -> Option<&Face> {
        match face {
            FontFace::Main => Some(&self.main),
            FontFace::Sans if self.with_sans => bundled_sans(),
            FontFace::Sans => None,
            FontFace::Fallback => self.fallback,
        }
    }

    /// The font that draws `ch` (the main font when it has the glyph) and its advance at
    /// `size` pt, or `None` when no font has it.
    pub fn glyph(&self, ch: char, size: f32) -> Option<(FontFace, f32)> {
        [FontFace::Main, FontFace::Sans, FontFace::Fallback]
            .into_iter()
            .find_map(|f| Some((f, self.face(f)?.advance(ch, size)?)))
    }

    /// Advance of `ch` at `size` pt, or `None` when no font has a glyph for it.
    pub fn advance(&self, ch: char, size: f32) -> Option<f32> {
        self.glyph(ch, size).map(|(_, a)| a)
    }

    /// Width of `text` at `size` pt and horizontal scale `hscale` (percent); characters without
    /// a glyph count as zero (the layout refuses them before this matters).
    pub fn width(&self, text: &str, size: f32, hscale: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(c, size).unwrap_or(0.0))
            .sum::<f32>()
            * hscale
            / 100.0
    }

    /// Why `ch` cannot be printed in `field`, if it cannot.
    fn refusal(&self, field: &'static str, ch: char) -> Option<LetterPdfError> {
        if is_hidden_char(ch) {
            Some(LetterPdfError::Hidden {
                field,
                code: u32::from(ch),
            })
        } else if is_emoji(ch) {
            Some(LetterPdfError::Emoji {
                field,
                chars: vec![ch],
            })
        } else if self.glyph(ch, BODY_SIZE).is_none() {
            Some(LetterPdfError::MissingGlyph {
                field,
                ch,
                code: u32::from(ch),
            })
        } else {
            None
        }
    }

    /// Check that `text` prints exactly in `field`: no invisible character, no emoji, and a
    /// glyph for every character in one of the fonts. Emoji are named all at once.
    pub fn check_printable(&self, field: &'static str, text: &str) -> Result<(), LetterPdfError> {
        let mut first = None;
        let mut emoji: Vec<char> = Vec::new();
        for c in text.chars() {
            match self.refusal(field, c) {
                Some(LetterPdfError::Emoji { .. }) if emoji.contains(&c) => {}
                Some(LetterPdfError::Emoji { .. }) => emoji.push(c),
                Some(e) => {
                    first.get_or_insert(e);
                }
                None => {}
            }
        }
        if !emoji.is_empty() {
            return Err(LetterPdfError::Emoji {
                field,
                chars: emoji,
            });
        }
        first.map_or(Ok(()), Err)
    }

    /// The distinct characters of `text` this font pair cannot print, in order of appearance.
    pub fn unprintable_chars(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if !out.contains(&c) && self.refusal("", c).is_some() {
                out.push(c);
            }
        }
        out
    }
}

/// The distinct characters of `text` that the letter cannot print, in order of appearance:
/// invisible characters (`text::is_hidden_char`), emoji ([`is_emoji`]), and characters neither
/// the main font nor the CJK Extension fallback has. Pure (the bundled fonts are parsed once per
/// process, about 40 ms the first time); the desk calls it when a name is entered so that a
/// name the letter would refuse is refused at registration. If the bundled font could not be
/// parsed, every character is unprintable.
pub fn unprintable_chars(text: &str) -> Vec<char> {
    match LetterFont::bundled() {
        Ok(font) => font.unprintable_chars(text),
        Err(_) => {
            let mut out: Vec<char> = Vec::new();
            for c in text.chars() {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// [`LetterFont::check_printable`] with the bundled fonts: the message to show when a value of
/// `field` (e.g. "主体名称") cannot be printed on the letter.
pub fn check_printable(field: &'static str, text: &str) -> Result<(), LetterPdfError> {
    LetterFont::bundled()?.check_printable(field, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_fallback_parses_and_draws_what_the_main_font_lacks() {
        let font = LetterFont::bundled().unwrap();
        assert!(font.fallback.is_some(), "bundled fallback parses");
        // The serif covers HKSCS's Extension B characters itself: 𨋢 (U+282E2) is Main.
        assert_eq!(
            font.glyph('\u{282E2}', BODY_SIZE).unwrap().0,
            FontFace::Main
        );
        // 鿫 (U+9FEB): not in Noto Serif SC, drawn by the window's Noto Sans SC at one em.
        let (face, adv) = font.glyph('\u{9FEB}', BODY_SIZE).unwrap();
        assert_eq!(face, FontFace::Sans);
        assert!((adv - BODY_SIZE).abs() < 0.5, "{adv}");
        // The main font wins whenever it has the glyph.
        assert_eq!(font.glyph('湛', BODY_SIZE).unwrap().0, FontFace::Main);
        assert_eq!(font.glyph('A', BODY_SIZE).unwrap().0, FontFace::Main);
        assert_eq!(font.glyph('\u{10FFFD}', BODY_SIZE), None);
        // With Noto Sans SC as the main font (a caller's font: no sans step), 𨋢 comes from
        // the Extension fallback.
        let sans = LetterFont::parse(crate::assets::CJK_FONT).unwrap();
        let (face, adv) = sans.glyph('\u{282E2}', BODY_SIZE).unwrap();
        assert_eq!(face, FontFace::Fallback);
        assert!((adv - BODY_SIZE).abs() < 0.5, "{adv}");
        assert_eq!(sans.glyph('\u{9FEB}', BODY_SIZE).unwrap().0, FontFace::Main);
    }

    #[test]
    fn unprintable_chars_names_emoji_hidden_and_missing_characters_once_each() {
        assert!(unprintable_chars("陈𨋢明 Chan Lap-ming（湛江）").is_empty());
        assert_eq!(
            unprintable_chars("陈😀明😀\u{200B}\u{10FFFD}"),
            vec!['😀', '\u{200B}', '\u{10FFFD}']
        );
        // Keycap bases are emoji in Unicode but ordinary characters here.
        assert!(unprintable_chars("0123456789#*").is_empty());
        assert!(is_emoji('😀') && is_emoji('❤') && !is_emoji('7') && !is_emoji('湛'));
    }

    #[test]
    fn emoji_are_refused_with_a_message_that_names_them() {
        let err = check_printable("申请人姓名", "陈😀明🎉😀").unwrap_err();
        assert_eq!(
            err,
            LetterPdfError::Emoji {
                field: "申请人姓名",
                chars: vec!['😀', '🎉']
            }
        );
        assert_eq!(
            err.to_string(),
            "申请人姓名含有表情符号“😀”“🎉”，承诺书无法打印，请删除"
        );
        let err = check_printable("申请人姓名", "陈\u{200B}明").unwrap_err();
        assert!(err.to_string().contains("U+200B"), "{err}");
        assert!(
            !err.to_string().contains('\u{200B}'),
            "the hidden character is not printed"
        );
        assert_eq!(check_printable("申请人姓名", "陈𨋢明"), Ok(()));
    }
}
