//! The printed 诚信守法用电承诺书 (rule C-1) as a PDF, with the 承诺编码 (rule C-4) and its QR
//! code in the footer of every page.
//!
//! Page set-up follows GB/T 9704 (党政机关公文格式): A4, top margin 37 mm, left 28 mm, right
//! 26 mm, bottom 35 mm, body 16 pt (三号) on a fixed 28.95 pt pitch (22 lines per page), title
//! 22 pt (二号) centred. Lines are broken by measuring each glyph's advance in the font, with the
//! usual Chinese rules (no line starts with a closing mark, none ends with an opening one; a
//! run of Latin letters or digits such as a 统一社会信用代码 is not split).
//!
//! The font is a 宋体-like serif, Noto Serif SC (`crate::assets::LETTER_FONT`, issue 15 point
//! 7), embedded as a subset: printpdf keeps only the glyphs the letter uses and writes a
//! `/ToUnicode` map, so the text can be searched and copied and the file stays small. A
//! character the serif lacks is drawn from the window's Noto Sans SC (`CJK_FONT`: the newest
//! unified ideographs U+9FEB..U+9FEF), and the CJK Extension B..F characters of Cantonese names
//! such as 𨋢 (U+282E2) from the bundled fallback (`crate::assets::CJK_FALLBACK_FONT`,
//! HKSCS-2004's Extension B..F characters), each embedded as a further subset only when used:
//! the font is chosen per run, so a legal name prints exactly. A character neither font has, an emoji or an invisible character is refused with a
//! message naming it ([`unprintable_chars`] lets the desk refuse it when the name is entered).
//! The output is deterministic: the same letter and code give the same bytes, so a reprint is
//! identical to the first print.
//!
//! Layout ([`layout_letter`]) and drawing ([`LetterLayout::to_pdf`]) are separate so that tests
//! can check every position against the margins.
//!
//! The parts: `font` (the faces, glyph advances, and what cannot be printed), `wrap` (a
//! paragraph cut into unbreakable tokens and broken into lines by the Chinese rules), `layout`
//! (blocks of lines on the GB/T 9704 pitch grid, pagination, footer and QR code) and `draw`
//! (the laid-out pages written as a deterministic PDF). This file holds the page set-up, the
//! error and the laid-out types that pass between them.

mod draw;
mod font;
mod layout;
mod wrap;

use crate::domain::letter::{CommitmentCode, ValidLetter};

pub use font::{FontFace, LetterFont, check_printable, is_emoji, unprintable_chars};
pub use layout::{TextLetter, layout_letter, layout_text_letter};

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
    /// Filled rectangles (x, y, w, h, grey 0 black ..= 1 white): the bars of a chart.
    pub rects: Vec<[f32; 5]>,
}

/// The whole letter laid out, page by page.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterLayout {
    pub pages: Vec<PageLayout>,
    code: String,
    /// The document's title for the PDF's metadata.
    title: String,
}

/// Lay out and render the letter with a font given as bytes. The bundled `LETTER_FONT` is parsed
/// once per process ([`LetterFont::bundled`]); other bytes are parsed on each call (keep a
/// [`LetterFont`] and use [`render_letter_with`] to print several).
pub fn render_letter(
    letter: &ValidLetter,
    code: &CommitmentCode,
    font: &[u8],
) -> Result<Vec<u8>, LetterPdfError> {
    // Same address and length as the static bundled bytes: the same immutable font.
    if std::ptr::eq(font, crate::assets::LETTER_FONT) {
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

/// Lay out and render a letter of our own wording (the 信用修复承诺书) with the bundled font.
pub fn render_text_letter(
    letter: &TextLetter,
    code: &CommitmentCode,
) -> Result<Vec<u8>, LetterPdfError> {
    let font = LetterFont::bundled()?;
    for (_, value) in &letter.fields {
        font.check_printable("填写内容", value)?;
    }
    layout_text_letter(letter, code, font)?.to_pdf(font)
}

impl LetterLayout {
    /// Pages laid out by another document in the letter's style (the publicity summary), drawn
    /// by the same code; `title` names the document in the PDF's metadata.
    pub(crate) fn from_pages(pages: Vec<PageLayout>, title: &str) -> Self {
        Self {
            pages,
            code: String::new(),
            title: title.to_string(),
        }
    }

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
}
