//! The printed 诚信守法用电承诺书 (rule C-1) as a PDF, with the 承诺编码 (rule C-4) and its QR
//! code in the footer of every page.
//!
//! Page set-up follows GB/T 9704 (党政机关公文格式): A4, top margin 37 mm, left 28 mm, right
//! 26 mm, bottom 35 mm, body 16 pt (三号) on a fixed 28.95 pt pitch (22 lines per page), title
//! 22 pt (二号) centred. Lines are broken by measuring each glyph's advance in the font, with the
//! usual Chinese rules (no line starts with a closing mark, none ends with an opening one; a
//! run of Latin letters or digits such as a 统一社会信用代码 is not split).
//!
//! The font is the window's own (`crate::assets::CJK_FONT`), embedded as a subset: printpdf
//! keeps only the glyphs the letter uses and writes a `/ToUnicode` map, so the text can be
//! searched and copied and the file stays small. A character the main font lacks — the CJK
//! Extension B..F characters of Cantonese names such as 𨋢 (U+282E2) — is drawn from the
//! bundled fallback (`crate::assets::CJK_FALLBACK_FONT`, HKSCS-2004's Extension B..F
//! characters), embedded as a second subset: the font is chosen per run, so a legal name prints
//! exactly. A character neither font has, an emoji or an invisible character is refused with a
//! message naming it ([`unprintable_chars`] lets the desk refuse it when the name is entered).
//! The output is deterministic: the same letter and code give the same bytes, so a reprint is
//! identical to the first print.
//!
//! Layout ([`layout_letter`]) and drawing ([`LetterLayout::to_pdf`]) are separate so that tests
//! can check every position against the margins.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Greyscale, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Pt, Rect, TextItem, TextMatrix, WindingOrder,
};
use qrcode::{EcLevel, QrCode};
use sha2::{Digest, Sha256};

use unicode_properties::UnicodeEmoji;

use crate::domain::letter::{
    Applicant, BLANK, CommitmentCode, DATE_LINE, LABEL_APPLICANT_NAME, LABEL_LEGAL_REP_ID_KIND,
    LABEL_LEGAL_REP_ID_NUMBER, LABEL_LEGAL_REP_NAME, LABEL_RELATION, LABEL_USCC,
    PERSON_LABEL_ID_KIND, PERSON_LABEL_ID_NUMBER, PERSON_LABEL_NAME, PERSON_LABEL_RELATION,
    PERSON_PREAMBLE, PERSON_SIGN, PERSON_SIGN_NOTE, PREAMBLE, SIGN_LEGAL_REP, SIGN_LEGAL_REP_NOTE,
    SIGN_ORGANIZATION, SIGN_ORGANIZATION_NOTE, TITLE, ValidLetter,
};
use crate::domain::text::is_hidden_char;

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;

/// A4 width in pt.
pub const PAGE_WIDTH: f32 = 210.0 * MM;
/// A4 height in pt.
pub const PAGE_HEIGHT: f32 = 297.0 * MM;
/// GB/T 9704 top margin (天头), 37 mm.
pub const MARGIN_TOP: f32 = 37.0 * MM;
/// GB/T 9704 left margin (订口), 28 mm.
pub const MARGIN_LEFT: f32 = 28.0 * MM;
/// Right margin: 210 − 28 − 156 mm text width = 26 mm.
pub const MARGIN_RIGHT: f32 = 26.0 * MM;
/// Bottom margin: 297 − 37 − 225 mm text height = 35 mm. The footer lives inside it.
pub const MARGIN_BOTTOM: f32 = 35.0 * MM;
/// Width of the text block (156 mm).
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// Body size: 三号 = 16 pt.
pub const BODY_SIZE: f32 = 16.0;
/// Fixed line pitch: 22 lines fill the 225 mm text height (GB/T 9704).
pub const LINE_PITCH: f32 = 28.95;
/// Title size: 二号 = 22 pt.
pub const TITLE_SIZE: f32 = 22.0;
/// Footer size: 五号 = 10.5 pt.
pub const FOOTER_SIZE: f32 = 10.5;
/// Baseline of the footer text, 18 mm above the bottom edge.
pub const FOOTER_BASELINE: f32 = 18.0 * MM;
/// Side of one QR module (0.75 mm: a 21-module code is 15.75 mm, easy for a phone to read).
pub const QR_MODULE: f32 = 0.75 * MM;
/// Bottom edge of the QR code, 12 mm above the page edge; its quiet zone (4 modules) stays
/// clear of the text block above and the page edge below.
pub const QR_BOTTOM: f32 = 12.0 * MM;
/// Pages a letter may take at most. Validated fields need two; this only bounds the work.
const MAX_PAGES: usize = 8;
/// Horizontal stretch of the hand-signing blanks, so a signature fits (text stays `_____`).
const SIGN_BLANK_WIDTH: f32 = 9.0 * BODY_SIZE;
/// Horizontal stretch of the date blanks (`____年____月____日`).
const DATE_BLANK_SCALE: f32 = 175.0;

/// Why a letter could not be rendered. `Display` is the message for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LetterPdfError {
    #[error("打印字体无法读取（{detail}）：程序文件可能已损坏，请重新安装信易电柜台")]
    Font { detail: String },
    #[error(
        "{field}中的“{ch}”（U+{code:04X}）在打印字体中没有字形，打印出来会缺字：请核对是否输入了生僻字或特殊符号，必要时改用常用写法"
    )]
    MissingGlyph {
        field: &'static str,
        ch: char,
        code: u32,
    },
    #[error("{field}含有表情符号{}，承诺书无法打印，请删除", quoted(.chars))]
    Emoji {
        field: &'static str,
        chars: Vec<char>,
    },
    #[error("{field}含有看不见的字符（U+{code:04X}），打印出来会与登记的不一致：请删除后重新输入")]
    Hidden { field: &'static str, code: u32 },
    #[error("承诺书超过 {MAX_PAGES} 页，无法打印：请缩短{field}")]
    TooLong { field: &'static str },
    #[error("承诺编码无法生成二维码（{detail}）：请核对承诺编码")]
    Qr { detail: String },
    #[error("生成 PDF 失败（{detail}）：请重试，仍失败请联系管理员")]
    Pdf { detail: String },
}

/// Each emoji of a message in its own quotes: “😀”“🎉”.
fn quoted(chars: &[char]) -> String {
    chars.iter().map(|c| format!("“{c}”")).collect()
}

/// Emoji in the sense of the letter: `Emoji=Yes` in Unicode, except ASCII (digits, `#` and `*`
/// are keycap bases but ordinary characters). The fonts may draw some of them (☎, ©) as text,
/// but a registered name with a pictograph is a typing accident, not a legal name.
pub fn is_emoji(c: char) -> bool {
    !c.is_ascii() && c.is_emoji_char()
}

/// Which embedded font draws a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontFace {
    /// The main font (`CJK_FONT`).
    Main,
    /// The CJK Extension fallback (`CJK_FALLBACK_FONT`), for characters the main font lacks.
    Fallback,
}

/// One parsed font program.
#[derive(Debug, Clone)]
struct Face {
    font: ParsedFont,
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

/// The print fonts, parsed once: the main font, and the bundled CJK Extension fallback for the
/// characters it lacks. Parsing the 10.5 MB main font is the slow part of rendering, so a
/// caller that prints several letters keeps one `LetterFont` (see the `letter` bench).
#[derive(Debug, Clone)]
pub struct LetterFont {
    main: Face,
    fallback: Option<&'static Face>,
}

impl LetterFont {
    /// The bundled `CJK_FONT` with the fallback, parsed on first use and kept for the life of
    /// the process (about 30 ms saved on every later letter; the window holds the same bytes
    /// anyway).
    pub fn bundled() -> Result<&'static LetterFont, LetterPdfError> {
        static BUNDLED: OnceLock<Result<LetterFont, LetterPdfError>> = OnceLock::new();
        BUNDLED
            .get_or_init(|| LetterFont::parse(crate::assets::CJK_FONT))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parse a TrueType/OpenType font (the bundled `CJK_FONT`) as the main font; the bundled
    /// fallback draws what it lacks.
    pub fn parse(bytes: &[u8]) -> Result<Self, LetterPdfError> {
        Ok(Self {
            main: Face::parse(bytes)?,
            fallback: bundled_fallback(),
        })
    }

    /// The font that draws `ch` (the main font when it has the glyph) and its advance at
    /// `size` pt, or `None` when neither font has it.
    pub fn glyph(&self, ch: char, size: f32) -> Option<(FontFace, f32)> {
        if let Some(a) = self.main.advance(ch, size) {
            return Some((FontFace::Main, a));
        }
        self.fallback?
            .advance(ch, size)
            .map(|a| (FontFace::Fallback, a))
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

/// What a placed run of text is, for tests and for drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunRole {
    /// The centred title.
    Title,
    /// Annex wording: labels, the preamble, the commitments, the signature labels.
    Text,
    /// A value the clerk filled in.
    Value,
    /// A blank left for handwriting (`_____`), stretched horizontally.
    Blank,
    /// 承诺编码 in the footer.
    FooterCode,
    /// 第 N 页 共 M 页 in the footer.
    PageNumber,
}

/// One run of text at an absolute position (PDF points, origin bottom-left, `y` = baseline).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedRun {
    pub text: String,
    pub x: f32,
    pub y: f32,
    pub size: f32,
    /// Horizontal scaling in percent (100 = none), PDF `Tz`.
    pub hscale: f32,
    /// Advance width of the whole run, measured from the font's glyph advances.
    pub width: f32,
    pub role: RunRole,
    /// The font the run is drawn in.
    pub face: FontFace,
}

/// The QR code of one page: dark modules as filled squares.
#[derive(Debug, Clone, PartialEq)]
pub struct QrPlacement {
    /// Left edge, pt.
    pub x: f32,
    /// Bottom edge, pt.
    pub y: f32,
    /// Side of one module, pt.
    pub module: f32,
    /// Modules per side.
    pub width: usize,
    /// Row-major, top row first: `true` = dark (as `qrcode::QrCode::to_colors`).
    pub dark: Vec<bool>,
}

impl QrPlacement {
    /// The rectangle (x, y, w, h) of module (col, row), row 0 at the top.
    pub fn module_rect(&self, col: usize, row: usize) -> (f32, f32, f32, f32) {
        let x = self.x + col as f32 * self.module;
        let y = self.y + (self.width.saturating_sub(row + 1)) as f32 * self.module;
        (x, y, self.module, self.module)
    }
}

/// One laid-out page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLayout {
    pub runs: Vec<PlacedRun>,
    pub qr: QrPlacement,
}

/// The whole letter laid out, page by page.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterLayout {
    pub pages: Vec<PageLayout>,
    code: String,
}

/// Lay out and render the letter with a font given as bytes. The bundled `CJK_FONT` is parsed
/// once per process ([`LetterFont::bundled`]); other bytes are parsed on each call (keep a
/// [`LetterFont`] and use [`render_letter_with`] to print several).
pub fn render_letter(
    letter: &ValidLetter,
    code: &CommitmentCode,
    font: &[u8],
) -> Result<Vec<u8>, LetterPdfError> {
    // Same address and length as the static bundled bytes: the same immutable font.
    if std::ptr::eq(font, crate::assets::CJK_FONT) {
        return render_letter_with(letter, code, LetterFont::bundled()?);
    }
    let font = LetterFont::parse(font)?;
    render_letter_with(letter, code, &font)
}

/// Lay out and render the letter with an already parsed font.
pub fn render_letter_with(
    letter: &ValidLetter,
    code: &CommitmentCode,
    font: &LetterFont,
) -> Result<Vec<u8>, LetterPdfError> {
    layout_letter(letter, code, font)?.to_pdf(font)
}

// ---------------------------------------------------------------------------------------------
// Line breaking

/// One unbreakable piece of a paragraph: a CJK character, a run of Latin letters/digits, a
/// space, or a blank.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    role: RunRole,
    hscale: f32,
    width: f32,
    space: bool,
    face: FontFace,
}

/// A piece of a paragraph before breaking: text with one role and one horizontal scale.
struct Segment<'a> {
    text: &'a str,
    role: RunRole,
    hscale: f32,
    /// Field name for error messages about missing glyphs.
    field: &'static str,
}

impl<'a> Segment<'a> {
    fn text(text: &'a str) -> Self {
        Self {
            text,
            role: RunRole::Text,
            hscale: 100.0,
            field: "承诺书正文",
        }
    }

    fn value(text: &'a str, field: &'static str) -> Self {
        Self {
            text,
            role: RunRole::Value,
            hscale: 100.0,
            field,
        }
    }

    fn blank(text: &'a str, hscale: f32) -> Self {
        Self {
            text,
            role: RunRole::Blank,
            hscale,
            field: "承诺书正文",
        }
    }
}

/// A line may not start with these (closing punctuation, 避头).
fn no_line_start(c: char) -> bool {
    "，。、；：？！）》」』”’〉】…—,.;:?!)]%".contains(c)
}

/// A line may not end with these (opening punctuation, 避尾).
fn no_line_end(c: char) -> bool {
    "（《「『“‘〈【([".contains(c)
}

/// Letters, digits and the joiners inside codes and Latin words stay together.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '&' | '\'' | '+' | '@')
}

fn tokenize(
    segments: &[Segment<'_>],
    size: f32,
    font: &LetterFont,
) -> Result<Vec<Token>, LetterPdfError> {
    let mut tokens: Vec<Token> = Vec::new();
    for seg in segments {
        // Every emoji of a field named at once, before the first missing glyph.
        font.check_printable(seg.field, seg.text)?;
        // Blanks stay one token: an underline is not broken. A word is drawn in one font.
        let mut word = String::new();
        let mut word_width = 0.0;
        let mut word_face = FontFace::Main;
        let flush =
            |tokens: &mut Vec<Token>, word: &mut String, width: &mut f32, face: FontFace| {
                if !word.is_empty() {
                    tokens.push(Token {
                        text: std::mem::take(word),
                        role: seg.role,
                        hscale: seg.hscale,
                        width: *width * seg.hscale / 100.0,
                        space: false,
                        face,
                    });
                    *width = 0.0;
                }
            };
        for c in seg.text.chars() {
            let (face, adv) = font.glyph(c, size).ok_or(LetterPdfError::MissingGlyph {
                field: seg.field,
                ch: c,
                code: u32::from(c),
            })?;
            if seg.role == RunRole::Blank || is_word_char(c) {
                if face != word_face {
                    flush(&mut tokens, &mut word, &mut word_width, word_face);
                    word_face = face;
                }
                word.push(c);
                word_width += adv;
                continue;
            }
            flush(&mut tokens, &mut word, &mut word_width, word_face);
            tokens.push(Token {
                text: c.to_string(),
                role: seg.role,
                hscale: seg.hscale,
                width: adv * seg.hscale / 100.0,
                space: c == ' ',
                face,
            });
        }
        flush(&mut tokens, &mut word, &mut word_width, word_face);
    }
    Ok(tokens)
}

/// Split a token wider than a whole line into pieces that fit (a very long Latin name).
fn split_wide(token: Token, limit: f32, size: f32, font: &LetterFont) -> Vec<Token> {
    if token.width <= limit {
        return vec![token];
    }
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut width = 0.0;
    for c in token.text.chars() {
        let adv = font.advance(c, size).unwrap_or(0.0) * token.hscale / 100.0;
        if width + adv > limit && !piece.is_empty() {
            out.push(Token {
                text: std::mem::take(&mut piece),
                width,
                ..token.clone()
            });
            width = 0.0;
        }
        piece.push(c);
        width += adv;
    }
    if !piece.is_empty() {
        out.push(Token {
            text: piece,
            width,
            ..token
        });
    }
    out
}

/// Break tokens into lines of at most `first_width` (first line) / `rest_width` (others).
fn break_lines(tokens: Vec<Token>, first_width: f32, rest_width: f32) -> Vec<Vec<Token>> {
    let mut lines: Vec<Vec<Token>> = Vec::new();
    let mut line: Vec<Token> = Vec::new();
    let mut used = 0.0;
    let limit = |lines: &Vec<Vec<Token>>| {
        if lines.is_empty() {
            first_width
        } else {
            rest_width
        }
    };
    for token in tokens {
        if line.is_empty() && token.space {
            continue; // no leading space on a line
        }
        if used + token.width <= limit(&lines) + 0.01 {
            used += token.width;
            line.push(token);
            continue;
        }
        // The token does not fit: move back what may not end a line, and the last token too
        // when this one may not start a line (a comma is never alone at a line start) — unless
        // what moves would not fit the next line either: overflowing the margin is worse.
        let starts_bad = token.text.chars().next().is_some_and(no_line_start);
        let mut keep = line.len();
        if starts_bad && keep > 1 {
            keep -= 1;
        }
        while keep > 1
            && line
                .get(keep - 1)
                .and_then(|t| t.text.chars().last())
                .is_some_and(no_line_end)
        {
            keep -= 1;
        }
        let moved: f32 = line.iter().skip(keep).map(|t| t.width).sum::<f32>() + token.width;
        if moved > rest_width + 0.01 {
            keep = line.len();
        }
        let carry = line.split_off(keep);
        while line.last().is_some_and(|t| t.space) {
            line.pop();
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        used = 0.0;
        for t in carry.into_iter().chain(std::iter::once(token)) {
            if line.is_empty() && t.space {
                continue;
            }
            used += t.width;
            line.push(t);
        }
    }
    while line.last().is_some_and(|t| t.space) {
        line.pop();
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Merge a line's tokens into runs of one role and scale, starting at `x`; `y` is set later.
fn line_runs(tokens: Vec<Token>, x: f32, size: f32) -> Vec<PlacedRun> {
    let mut runs: Vec<PlacedRun> = Vec::new();
    let mut pen = x;
    for t in tokens {
        match runs.last_mut() {
            Some(r) if r.role == t.role && r.hscale == t.hscale && r.face == t.face => {
                r.text.push_str(&t.text);
                r.width += t.width;
            }
            _ => runs.push(PlacedRun {
                text: t.text,
                x: pen,
                y: 0.0,
                size,
                hscale: t.hscale,
                width: t.width,
                role: t.role,
                face: t.face,
            }),
        }
        pen += t.width;
    }
    runs
}

// ---------------------------------------------------------------------------------------------
// Blocks and pages

/// A laid-out line before pagination: runs with final `x`, and its height on the pitch grid.
#[derive(Debug, Clone)]
struct Line {
    runs: Vec<PlacedRun>,
    /// Height of the line box (a multiple of the pitch for body text).
    height: f32,
    /// Baseline, measured down from the top of the line box.
    baseline: f32,
}

/// Lines that paginate together: a paragraph (may split, at least two lines on each side) or a
/// block kept whole (the signature block).
struct Block {
    lines: Vec<Line>,
    keep_together: bool,
    /// Name of the field whose length could be at fault when the letter runs too long.
    field: &'static str,
}

/// Baseline of `size` text centred on a line box of `height`: the ideographic em box (0.88 em
/// above the baseline, 0.12 em below) sits in the middle of the box.
fn centred_baseline(height: f32, size: f32) -> f32 {
    (height - size) / 2.0 + 0.88 * size
}

/// A paragraph of body text broken into lines inside the text block.
fn paragraph(
    segments: &[Segment<'_>],
    first_indent: f32,
    font: &LetterFont,
    field: &'static str,
) -> Result<Block, LetterPdfError> {
    let tokens = tokenize(segments, BODY_SIZE, font)?;
    let tokens = tokens
        .into_iter()
        .flat_map(|t| split_wide(t, TEXT_WIDTH - first_indent, BODY_SIZE, font))
        .collect();
    let lines = break_lines(tokens, TEXT_WIDTH - first_indent, TEXT_WIDTH)
        .into_iter()
        .enumerate()
        .map(|(i, toks)| {
            let x = MARGIN_LEFT + if i == 0 { first_indent } else { 0.0 };
            Line {
                runs: line_runs(toks, x, BODY_SIZE),
                height: LINE_PITCH,
                baseline: centred_baseline(LINE_PITCH, BODY_SIZE),
            }
        })
        .collect();
    Ok(Block {
        lines,
        keep_together: false,
        field,
    })
}

fn title_block(font: &LetterFont) -> Result<Block, LetterPdfError> {
    let tokens = tokenize(&[Segment::text(TITLE)], TITLE_SIZE, font)?;
    let width: f32 = tokens.iter().map(|t| t.width).sum();
    let mut runs = line_runs(tokens, MARGIN_LEFT + (TEXT_WIDTH - width) / 2.0, TITLE_SIZE);
    for r in &mut runs {
        r.role = RunRole::Title;
    }
    // The title and the empty line after it take two pitches.
    Ok(Block {
        lines: vec![Line {
            runs,
            height: 2.0 * LINE_PITCH,
            baseline: centred_baseline(LINE_PITCH, TITLE_SIZE),
        }],
        keep_together: true,
        field: "标题",
    })
}

/// The signature block, blanks left for the pen, aligned to end two characters before the
/// right margin: an empty pitch, then 签字, 盖章 and the date with an empty pitch between each.
/// The person form has the applicant's 签字 and the date only.
fn signature_block(font: &LetterFont, person: bool) -> Result<Block, LetterPdfError> {
    let blank_scale = 100.0 * SIGN_BLANK_WIDTH / font.width(BLANK, BODY_SIZE, 100.0).max(1.0);
    let rows: Vec<Vec<Segment<'_>>> = if person {
        vec![
            vec![
                Segment::text(PERSON_SIGN),
                Segment::blank(BLANK, blank_scale),
                Segment::text(PERSON_SIGN_NOTE),
            ],
            date_segments(),
        ]
    } else {
        vec![
            vec![
                Segment::text(SIGN_LEGAL_REP),
                Segment::blank(BLANK, blank_scale),
                Segment::text(SIGN_LEGAL_REP_NOTE),
            ],
            vec![
                Segment::text(SIGN_ORGANIZATION),
                Segment::blank(BLANK, blank_scale),
                Segment::text(SIGN_ORGANIZATION_NOTE),
            ],
            date_segments(),
        ]
    };
    let mut token_rows = Vec::new();
    for row in &rows {
        token_rows.push(tokenize(row, BODY_SIZE, font)?);
    }
    let widest = token_rows
        .iter()
        .map(|r| r.iter().map(|t| t.width).sum::<f32>())
        .fold(0.0_f32, f32::max);
    let x = (MARGIN_LEFT + TEXT_WIDTH - 2.0 * BODY_SIZE - widest).max(MARGIN_LEFT);
    let mut lines = vec![Line {
        runs: Vec::new(),
        height: LINE_PITCH,
        baseline: 0.0,
    }];
    for (i, row) in token_rows.into_iter().enumerate() {
        if i > 0 {
            lines.push(Line {
                runs: Vec::new(),
                height: LINE_PITCH,
                baseline: 0.0,
            });
        }
        lines.push(Line {
            runs: line_runs(row, x, BODY_SIZE),
            height: LINE_PITCH,
            baseline: centred_baseline(LINE_PITCH, BODY_SIZE),
        });
    }
    Ok(Block {
        lines,
        keep_together: true,
        field: "签字栏",
    })
}

/// `____年____月____日` with the blanks stretched for handwriting; the text stays verbatim.
fn date_segments() -> Vec<Segment<'static>> {
    let mut out = Vec::new();
    let mut rest = DATE_LINE;
    while !rest.is_empty() {
        let blank_len = rest.len() - rest.trim_start_matches('_').len();
        let (len, blank) = if blank_len > 0 {
            (blank_len, true)
        } else {
            (rest.find('_').unwrap_or(rest.len()), false)
        };
        // `_` is ASCII, so `len` is on a character boundary.
        let Some((piece, tail)) = rest.split_at_checked(len) else {
            break;
        };
        out.push(if blank {
            Segment::blank(piece, DATE_BLANK_SCALE)
        } else {
            Segment::text(piece)
        });
        rest = tail;
    }
    out
}

/// Cut blocks into pages of the text block (37 mm from the top to 35 mm from the bottom). A
/// paragraph may split with at least two lines on each page; a kept block moves whole.
fn paginate(blocks: Vec<Block>) -> Result<Vec<Vec<PlacedRun>>, LetterPdfError> {
    let bottom = PAGE_HEIGHT - MARGIN_BOTTOM;
    let mut pages: Vec<Vec<PlacedRun>> = vec![Vec::new()];
    let mut cursor = MARGIN_TOP; // distance of the next line box from the top edge
    let mut page_empty = true;

    for block in blocks {
        let lines = block.lines;
        let mut start = 0;
        while start < lines.len() {
            let remaining = lines.get(start..).unwrap_or_default();
            let room = bottom - cursor + 0.01;
            let mut used = 0.0;
            let fit = remaining
                .iter()
                .take_while(|l| {
                    used += l.height;
                    used <= room
                })
                .count();
            let total = remaining.len();
            let mut take = if fit >= total {
                total
            } else if block.keep_together {
                0
            } else {
                let k = fit.min(total.saturating_sub(2));
                if k >= 2 { k } else { 0 }
            };
            if take == 0 {
                if !page_empty {
                    if pages.len() >= MAX_PAGES {
                        return Err(LetterPdfError::TooLong { field: block.field });
                    }
                    pages.push(Vec::new());
                    cursor = MARGIN_TOP;
                    page_empty = true;
                    continue;
                }
                // Not even an empty page holds it whole: split where the page ends.
                if fit == 0 {
                    return Err(LetterPdfError::TooLong { field: block.field });
                }
                take = fit;
            }
            let page = pages
                .last_mut()
                .ok_or(LetterPdfError::TooLong { field: block.field })?;
            for line in remaining.iter().take(take) {
                let baseline_y = PAGE_HEIGHT - cursor - line.baseline;
                page.extend(line.runs.iter().cloned().map(|mut r| {
                    r.y = baseline_y;
                    r
                }));
                cursor += line.height;
            }
            page_empty = false;
            start += take;
            if start < lines.len() {
                if pages.len() >= MAX_PAGES {
                    return Err(LetterPdfError::TooLong { field: block.field });
                }
                pages.push(Vec::new());
                cursor = MARGIN_TOP;
                page_empty = true;
            }
        }
    }
    Ok(pages)
}

// ---------------------------------------------------------------------------------------------
// The letter

/// Lay out the letter: the annex 2 wording (or the derived person form) with the fields filled
/// in after their labels, the signature block left blank, and on every page the footer with the
/// 承诺编码 and its QR code (plus 第 N 页 共 M 页 when there is more than one page).
pub fn layout_letter(
    letter: &ValidLetter,
    code: &CommitmentCode,
    font: &LetterFont,
) -> Result<LetterLayout, LetterPdfError> {
    let mut blocks = vec![title_block(font)?];
    let (fields, preamble, person): (Vec<(Vec<Segment<'_>>, &'static str)>, &str, bool) =
        match letter.applicant() {
            Applicant::Unit {
                uscc,
                legal_rep_name,
                legal_rep_id: id,
            } => (
                vec![
                    (
                        vec![
                            Segment::text(LABEL_APPLICANT_NAME),
                            Segment::text(" "),
                            Segment::value(letter.applicant_name(), "申请用电单位名称"),
                        ],
                        "申请用电单位名称",
                    ),
                    (
                        vec![
                            Segment::text(LABEL_USCC),
                            Segment::text(" "),
                            Segment::value(uscc.as_str(), "统一社会信用代码"),
                        ],
                        "统一社会信用代码",
                    ),
                    (
                        vec![
                            Segment::text(LABEL_LEGAL_REP_NAME),
                            Segment::text(" "),
                            Segment::value(legal_rep_name, "法定代表人姓名"),
                        ],
                        "法定代表人姓名",
                    ),
                    (
                        // The annex's blank between the two labels takes the 证件类型.
                        vec![
                            Segment::text(LABEL_LEGAL_REP_ID_KIND),
                            Segment::text(" "),
                            Segment::value(id.kind.label(), "法定代表人身份证件类型"),
                            Segment::text(" "),
                            Segment::text(LABEL_LEGAL_REP_ID_NUMBER),
                            Segment::text(" "),
                            Segment::value(&id.number, "法定代表人证件号码"),
                        ],
                        "法定代表人证件号码",
                    ),
                    (
                        // "_____ (业主/租户)" becomes the chosen word.
                        vec![
                            Segment::text(LABEL_RELATION),
                            Segment::text(" "),
                            Segment::value(letter.relation().label(), "关系"),
                        ],
                        "关系",
                    ),
                ],
                PREAMBLE,
                false,
            ),
            Applicant::Person { id } => (
                vec![
                    (
                        vec![
                            Segment::text(PERSON_LABEL_NAME),
                            Segment::text(" "),
                            Segment::value(letter.applicant_name(), "申请人姓名"),
                        ],
                        "申请人姓名",
                    ),
                    (
                        vec![
                            Segment::text(PERSON_LABEL_ID_KIND),
                            Segment::text(" "),
                            Segment::value(id.kind.label(), "身份证件类型"),
                            Segment::text(" "),
                            Segment::text(PERSON_LABEL_ID_NUMBER),
                            Segment::text(" "),
                            Segment::value(&id.number, "证件号码"),
                        ],
                        "证件号码",
                    ),
                    (
                        vec![
                            Segment::text(PERSON_LABEL_RELATION),
                            Segment::text(" "),
                            Segment::value(letter.relation().label(), "关系"),
                        ],
                        "关系",
                    ),
                ],
                PERSON_PREAMBLE,
                true,
            ),
        };
    for (segments, field) in &fields {
        blocks.push(paragraph(segments, 0.0, font, field)?);
    }
    blocks.push(paragraph(
        &[Segment::text(preamble)],
        0.0,
        font,
        "承诺书正文",
    )?);
    for c in letter.form().commitments() {
        // Body paragraphs open with a two-character indent (GB/T 9704).
        blocks.push(paragraph(
            &[Segment::text(c)],
            2.0 * BODY_SIZE,
            font,
            "承诺书正文",
        )?);
    }
    blocks.push(signature_block(font, person)?);

    let bodies = paginate(blocks)?;
    let qr = qr_placement(code)?;
    let count = bodies.len();
    let mut pages = Vec::with_capacity(count);
    for (i, mut runs) in bodies.into_iter().enumerate() {
        runs.extend(footer_runs(code, i + 1, count, font)?);
        pages.push(PageLayout {
            runs,
            qr: qr.clone(),
        });
    }
    Ok(LetterLayout {
        pages,
        code: code.as_str().to_string(),
    })
}

fn footer_runs(
    code: &CommitmentCode,
    page: usize,
    count: usize,
    font: &LetterFont,
) -> Result<Vec<PlacedRun>, LetterPdfError> {
    let mut runs = Vec::new();
    let label = format!("承诺编码：{code}");
    let tokens = tokenize(&[Segment::text(&label)], FOOTER_SIZE, font)?;
    for mut r in line_runs(tokens, MARGIN_LEFT, FOOTER_SIZE) {
        r.y = FOOTER_BASELINE;
        r.role = RunRole::FooterCode;
        runs.push(r);
    }
    if count > 1 {
        let text = format!("第 {page} 页 共 {count} 页");
        let tokens = tokenize(&[Segment::text(&text)], FOOTER_SIZE, font)?;
        let width: f32 = tokens.iter().map(|t| t.width).sum();
        let x = MARGIN_LEFT + (TEXT_WIDTH - width) / 2.0;
        // One run: the spaces belong to the page-number text.
        runs.push(PlacedRun {
            text,
            x,
            y: FOOTER_BASELINE,
            size: FOOTER_SIZE,
            hscale: 100.0,
            width,
            role: RunRole::PageNumber,
            face: FontFace::Main,
        });
    }
    Ok(runs)
}

/// The QR code of the 承诺编码, right-aligned to the text block inside the bottom margin.
fn qr_placement(code: &CommitmentCode) -> Result<QrPlacement, LetterPdfError> {
    let qr =
        QrCode::with_error_correction_level(code.as_str().as_bytes(), EcLevel::M).map_err(|e| {
            LetterPdfError::Qr {
                detail: e.to_string(),
            }
        })?;
    let width = qr.width();
    let dark = qr
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok(QrPlacement {
        x: PAGE_WIDTH - MARGIN_RIGHT - width as f32 * QR_MODULE,
        y: QR_BOTTOM,
        module: QR_MODULE,
        width,
        dark,
    })
}

impl LetterLayout {
    /// The 承诺编码 the layout was made for.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// All text in drawing order, one string per run (what a text extractor should find).
    pub fn texts(&self) -> Vec<&str> {
        self.pages
            .iter()
            .flat_map(|p| p.runs.iter().map(|r| r.text.as_str()))
            .collect()
    }

    /// Draw the layout into a PDF with `font` embedded as a subset. Deterministic: the same
    /// layout gives the same bytes.
    pub fn to_pdf(&self, font: &LetterFont) -> Result<Vec<u8>, LetterPdfError> {
        let mut doc = PdfDocument::new(&format!("{TITLE} {}", self.code));
        doc.metadata.info.creator = "信易电柜台".into();
        doc.metadata.info.producer = "信易电柜台".into();
        doc.metadata.info.subject = format!("承诺编码 {}", self.code);

        // The resource name doubles as the subset tag ("ABCDEF+NotoSansSC-Regular"), which
        // must be six capital letters; derive it from the text so that it is stable per letter.
        let texts = self.texts();
        let main_id = FontId(subset_tag(&texts));
        doc.resources.fonts.map.insert(
            main_id.clone(),
            printpdf::PdfFont::new(font.main.font.clone()),
        );
        // The fallback is embedded only when a run needs it: a letter without such characters
        // is the same file as before the fallback existed.
        let uses_fallback = self
            .pages
            .iter()
            .flat_map(|p| &p.runs)
            .any(|r| r.face == FontFace::Fallback);
        let fallback_id = match font.fallback {
            Some(face) if uses_fallback => {
                let mut salted = texts.clone();
                salted.push("\u{0}fallback");
                let mut tag = subset_tag(&salted);
                if tag == main_id.0 {
                    salted.push("\u{0}again");
                    tag = subset_tag(&salted);
                }
                let id = FontId(tag);
                doc.resources
                    .fonts
                    .map
                    .insert(id.clone(), printpdf::PdfFont::new(face.font.clone()));
                Some(id)
            }
            // The layout only places fallback runs when the fallback exists.
            _ => None,
        };
        let ids = FontIds {
            main: main_id,
            fallback: fallback_id,
        };

        let pages = self
            .pages
            .iter()
            .map(|p| PdfPage::new(Mm(210.0), Mm(297.0), page_ops(p, &ids)))
            .collect();
        doc.pages = pages;

        let opts = PdfSaveOptions {
            optimize: true,
            subset_fonts: true,
            secure: true,
            image_optimization: None,
        };
        let mut warnings = Vec::new();
        let mut bytes = doc.save(&opts, &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
        {
            return Err(LetterPdfError::Pdf {
                detail: w.msg.clone(),
            });
        }
        if !bytes.starts_with(b"%PDF-") {
            return Err(LetterPdfError::Pdf {
                detail: "输出不是 PDF".into(),
            });
        }
        fix_trailer_id(&mut bytes);
        Ok(bytes)
    }
}

/// The resource names of the embedded fonts.
struct FontIds {
    main: FontId,
    fallback: Option<FontId>,
}

fn page_ops(page: &PageLayout, ids: &FontIds) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut size = -1.0_f32;
    let mut face = FontFace::Main;
    let mut hscale = 100.0_f32;
    ops.push(Op::StartTextSection);
    for run in &page.runs {
        if run.size != size || run.face != face {
            size = run.size;
            face = run.face;
            let id = match (face, &ids.fallback) {
                (FontFace::Fallback, Some(id)) => id,
                _ => &ids.main,
            };
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(id.clone()),
                size: Pt(size),
            });
        }
        if run.hscale != hscale {
            hscale = run.hscale;
            ops.push(Op::SetHorizontalScaling { percent: hscale });
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(run.x), Pt(run.y)),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(run.text.clone())],
        });
    }
    if hscale != 100.0 {
        ops.push(Op::SetHorizontalScaling { percent: 100.0 });
    }
    ops.push(Op::EndTextSection);

    // QR code: each dark module a filled square (vector, no image).
    let qr = &page.qr;
    ops.push(Op::SaveGraphicsState);
    ops.push(Op::SetFillColor {
        col: Color::Greyscale(Greyscale::new(0.0, None)),
    });
    for (i, dark) in qr.dark.iter().enumerate() {
        if !dark || qr.width == 0 {
            continue;
        }
        let (x, y, w, h) = qr.module_rect(i % qr.width, i / qr.width);
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }
    ops.push(Op::RestoreGraphicsState);
    ops
}

/// Six capital letters from the SHA-256 of the text: the PDF subset tag (ISO 32000-1 9.6.4).
fn subset_tag(texts: &[&str]) -> String {
    let mut h = Sha256::new();
    for t in texts {
        h.update(t.as_bytes());
        h.update([0u8]);
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// printpdf fills the trailer `/ID` with two pseudo-random 32-character strings that change on
/// every save. Replace both, in place and at the same length (the cross-reference offsets stay
/// valid), with the first 32 hex digits of the SHA-256 of everything before the trailer, so that
/// the same letter is the same file. Leaves the bytes alone if the pattern is not found.
fn fix_trailer_id(bytes: &mut [u8]) {
    let Some(trailer) = rfind(bytes, b"trailer") else {
        return;
    };
    let digest = Sha256::digest(bytes.get(..trailer).unwrap_or_default());
    let id: Vec<u8> = hex::encode(digest)
        .into_bytes()
        .into_iter()
        .take(32)
        .collect();
    let Some(id_key) = find(bytes.get(trailer..).unwrap_or_default(), b"/ID").map(|i| i + trailer)
    else {
        return;
    };
    let mut pos = id_key + 3;
    for _ in 0..2 {
        let Some(open) = bytes
            .get(pos..)
            .and_then(|tail| tail.iter().position(|&b| b == b'('))
            .map(|i| i + pos)
        else {
            return;
        };
        let Some(close) = bytes
            .get(open + 1..)
            .and_then(|tail| tail.iter().position(|&b| b == b')'))
            .map(|i| i + open + 1)
        else {
            return;
        };
        if close - open - 1 == id.len()
            && let Some(slot) = bytes.get_mut(open + 1..close)
        {
            slot.copy_from_slice(&id);
        }
        pos = close + 1;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(s: &str) -> Token {
        Token {
            text: s.to_string(),
            role: RunRole::Text,
            hscale: 100.0,
            width: s.chars().count() as f32,
            space: s == " ",
            face: FontFace::Main,
        }
    }

    fn broken(text: &[&str], first: f32, rest: f32) -> Vec<String> {
        break_lines(text.iter().map(|s| tok(s)).collect(), first, rest)
            .into_iter()
            .map(|l| l.into_iter().map(|t| t.text).collect())
            .collect()
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        assert_eq!(
            broken(&["一", "二", "三", "，", "四"], 3.0, 3.0),
            vec!["一二", "三，四"]
        );
        assert_eq!(
            broken(&["一", "二", "三", "。"], 3.0, 3.0),
            vec!["一二", "三。"]
        );
    }

    #[test]
    fn moving_punctuation_never_pushes_text_past_the_margin() {
        // Carrying "cdef" down with the comma would make a 5-wide line on a 4-wide measure.
        assert_eq!(
            broken(&["ab", "cdef", "，"], 6.0, 4.0),
            vec!["abcdef", "，"]
        );
        assert_eq!(
            broken(&["ab", "cdef", "，"], 6.0, 5.0),
            vec!["ab", "cdef，"]
        );
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        assert_eq!(
            broken(&["一", "二", "《", "三", "》"], 3.0, 3.0),
            vec!["一二", "《三》"]
        );
    }

    #[test]
    fn words_stay_whole_and_spaces_vanish_at_line_edges() {
        assert_eq!(
            broken(&["ab", " ", "cdef", " ", "gh"], 6.0, 6.0),
            vec!["ab", "cdef", "gh"]
        );
        // A first-line indent makes the first line shorter.
        assert_eq!(
            broken(&["一", "二", "三", "四", "五"], 2.0, 3.0),
            vec!["一二", "三四五"]
        );
    }

    fn line(height: f32) -> Line {
        Line {
            runs: vec![PlacedRun {
                text: "字".into(),
                x: MARGIN_LEFT,
                y: 0.0,
                size: BODY_SIZE,
                hscale: 100.0,
                width: BODY_SIZE,
                role: RunRole::Text,
                face: FontFace::Main,
            }],
            height,
            baseline: centred_baseline(height, BODY_SIZE),
        }
    }

    fn block(n: usize, keep_together: bool) -> Block {
        Block {
            lines: (0..n).map(|_| line(LINE_PITCH)).collect(),
            keep_together,
            field: "测试",
        }
    }

    #[test]
    fn twenty_two_lines_fill_a_page() {
        let pages = paginate(vec![block(22, false)]).unwrap();
        assert_eq!(pages.len(), 1);
        let pages = paginate(vec![block(23, false)]).unwrap();
        assert_eq!(pages.len(), 2);
        // 23 lines: 21 + 2, never a single widow line on the second page.
        assert_eq!(pages[0].len(), 21);
        assert_eq!(pages[1].len(), 2);
        let lowest = pages[0].iter().map(|r| r.y).fold(f32::MAX, f32::min);
        assert!(lowest - 0.12 * BODY_SIZE >= MARGIN_BOTTOM);
    }

    #[test]
    fn no_orphan_line_and_kept_blocks_move_whole() {
        // 21 lines, then a 3-line paragraph: one line would be alone at the foot: it moves.
        let pages = paginate(vec![block(21, false), block(3, false)]).unwrap();
        assert_eq!((pages[0].len(), pages[1].len()), (21, 3));
        // A kept block of 5 after 20 lines moves to the next page.
        let pages = paginate(vec![block(20, false), block(5, true)]).unwrap();
        assert_eq!((pages[0].len(), pages[1].len()), (20, 5));
        // A kept block taller than a page is split rather than looping.
        let pages = paginate(vec![block(30, true)]).unwrap();
        assert_eq!((pages[0].len(), pages[1].len()), (22, 8));
        // Bounded: an absurd length is an error, not an endless document.
        assert!(matches!(
            paginate(vec![block(22 * MAX_PAGES + 1, false)]),
            Err(LetterPdfError::TooLong { .. })
        ));
    }

    #[test]
    fn date_line_keeps_its_text() {
        let segs = date_segments();
        let joined: String = segs.iter().map(|s| s.text).collect();
        assert_eq!(joined, DATE_LINE);
        assert!(
            segs.iter()
                .all(|s| (s.role == RunRole::Blank) == s.text.starts_with('_'))
        );
        assert_eq!(segs.len(), 6);
    }

    #[test]
    fn trailer_id_is_replaced_in_place() {
        let mut bytes = b"%PDF-1.3\n1 0 obj\n<<>>\nendobj\nxref\ntrailer\n<</Root 1 0 R/ID[(ABCDEFGHIJABCDEFGHIJABCDEFGHIJAB)(JIHGFEDCBAJIHGFEDCBAJIHGFEDCBAJI)]>>\n%%EOF".to_vec();
        let len = bytes.len();
        fix_trailer_id(&mut bytes);
        assert_eq!(bytes.len(), len);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("ABCDEFGHIJ"));
        let digest = hex::encode(Sha256::digest(&bytes[..text.find("trailer").unwrap()]));
        assert_eq!(text.matches(&digest[..32]).count(), 2);
        // No trailer: untouched, no panic.
        let mut other = b"%PDF-1.3 /ID[(".to_vec();
        fix_trailer_id(&mut other);
        assert_eq!(other, b"%PDF-1.3 /ID[(");
    }

    #[test]
    fn subset_tag_is_six_capitals_and_stable() {
        let a = subset_tag(&["诚信", "守法"]);
        assert_eq!(a.len(), 6);
        assert!(a.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(a, subset_tag(&["诚信", "守法"]));
        assert_ne!(a, subset_tag(&["诚信守", "法"]));
    }

    #[test]
    fn single_page_footer_has_no_page_number() {
        let font = LetterFont::parse(crate::assets::CJK_FONT).unwrap();
        let code = CommitmentCode::parse("44080020240531000042").unwrap();
        let one = footer_runs(&code, 1, 1, &font).unwrap();
        assert!(one.iter().all(|r| r.role == RunRole::FooterCode));
        assert_eq!(
            one.iter().map(|r| r.text.as_str()).collect::<String>(),
            "承诺编码：44080020240531000042"
        );
        let two = footer_runs(&code, 2, 3, &font).unwrap();
        let page_no: Vec<_> = two
            .iter()
            .filter(|r| r.role == RunRole::PageNumber)
            .collect();
        assert_eq!(page_no.len(), 1);
        assert_eq!(page_no[0].text, "第 2 页 共 3 页");
        // Glyph advances, not character counts: a digit is narrower than a CJK character.
        let digit = font.advance('4', BODY_SIZE).unwrap();
        let han = font.advance('湛', BODY_SIZE).unwrap();
        assert!((han - BODY_SIZE).abs() < 0.01, "{han}");
        assert!(digit < 0.7 * han, "{digit}");
        assert_eq!(font.advance('\u{10FFFD}', BODY_SIZE), None);
    }

    #[test]
    fn the_bundled_fallback_parses_and_draws_what_the_main_font_lacks() {
        let font = LetterFont::bundled().unwrap();
        assert!(font.fallback.is_some(), "bundled fallback parses");
        // 𨋢 (U+282E2, HKSCS): not in Noto Sans SC, drawn by the fallback at one em.
        let (face, adv) = font.glyph('\u{282E2}', BODY_SIZE).unwrap();
        assert_eq!(face, FontFace::Fallback);
        assert!((adv - BODY_SIZE).abs() < 0.5, "{adv}");
        // The main font wins whenever it has the glyph.
        assert_eq!(font.glyph('湛', BODY_SIZE).unwrap().0, FontFace::Main);
        assert_eq!(font.glyph('A', BODY_SIZE).unwrap().0, FontFace::Main);
        assert_eq!(font.glyph('\u{10FFFD}', BODY_SIZE), None);
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

    #[test]
    fn runs_switch_font_inside_a_name() {
        let font = LetterFont::bundled().unwrap();
        let tokens = tokenize(&[Segment::value("陈𨋢明", "申请人姓名")], BODY_SIZE, font).unwrap();
        let runs = line_runs(tokens, MARGIN_LEFT, BODY_SIZE);
        let got: Vec<(&str, FontFace)> = runs.iter().map(|r| (r.text.as_str(), r.face)).collect();
        assert_eq!(
            got,
            vec![
                ("陈", FontFace::Main),
                ("𨋢", FontFace::Fallback),
                ("明", FontFace::Main)
            ]
        );
        // Each run starts where the previous one ends.
        assert!((runs[1].x - (runs[0].x + runs[0].width)).abs() < 1e-3);
        assert!((runs[2].x - (runs[1].x + runs[1].width)).abs() < 1e-3);
    }
}
