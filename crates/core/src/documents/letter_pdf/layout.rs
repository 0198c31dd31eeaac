//! Laying out the letter on the page: the title, the filled-in fields, the commitments and the
//! signature block as blocks of lines on the GB/T 9704 pitch grid, cut into pages (no widow or
//! orphan line, the signature block kept whole), with the footer (承诺编码, 第 N 页 共 M 页) and
//! the QR code on every page.
//!
//! Separate from the drawing so that tests can check every position against the margins
//! without reading a PDF.

use qrcode::{EcLevel, QrCode};

use crate::domain::letter::{
    Applicant, BLANK, CommitmentCode, DATE_LINE, LABEL_APPLICANT_NAME, LABEL_LEGAL_REP_ID_KIND,
    LABEL_LEGAL_REP_ID_NUMBER, LABEL_LEGAL_REP_NAME, LABEL_RELATION, LABEL_USCC,
    PERSON_LABEL_ID_KIND, PERSON_LABEL_ID_NUMBER, PERSON_LABEL_NAME, PERSON_LABEL_RELATION,
    PERSON_PREAMBLE, PERSON_SIGN, PERSON_SIGN_NOTE, PREAMBLE, SIGN_LEGAL_REP, SIGN_LEGAL_REP_NOTE,
    SIGN_ORGANIZATION, SIGN_ORGANIZATION_NOTE, TITLE, ValidLetter,
};

use super::wrap::{Segment, break_lines, line_runs, split_wide, tokenize};
use super::{
    BODY_SIZE, FOOTER_BASELINE, FOOTER_SIZE, FontFace, LINE_PITCH, LetterFont, LetterLayout,
    LetterPdfError, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MAX_PAGES, PAGE_HEIGHT,
    PAGE_WIDTH, PageLayout, PlacedRun, QR_BOTTOM, QR_MODULE, QrPlacement, RunRole, TEXT_WIDTH,
    TITLE_SIZE,
};

/// Horizontal stretch of the hand-signing blanks, so a signature fits (text stays `_____`).
const SIGN_BLANK_WIDTH: f32 = 9.0 * BODY_SIZE;
/// Horizontal stretch of the date blanks (`____年____月____日`).
const DATE_BLANK_SCALE: f32 = 175.0;

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
    title_block_of(TITLE, font)
}

fn title_block_of(title: &str, font: &LetterFont) -> Result<Block, LetterPdfError> {
    let tokens = tokenize(&[Segment::text(title)], TITLE_SIZE, font)?;
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

/// Add the signature block so that it never stands alone on a page (issue 15, point 7): the
/// last two lines of the text before it (the whole paragraph when it has three or fewer, so
/// that no page keeps a single line of it) travel with it as one kept block.
fn push_signature(blocks: &mut Vec<Block>, mut sig: Block) {
    if let Some(prev) = blocks.last_mut().filter(|b| !b.keep_together) {
        let n = prev.lines.len();
        let k = if n <= 3 { n } else { 2 };
        let mut carried: Vec<Line> = prev.lines.drain(n - k..).collect();
        carried.append(&mut sig.lines);
        sig.lines = carried;
        if prev.lines.is_empty() {
            blocks.pop();
        }
    }
    blocks.push(sig);
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
                            Segment::label(LABEL_LEGAL_REP_ID_NUMBER),
                            Segment::label(" "),
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
                            Segment::label(PERSON_LABEL_ID_NUMBER),
                            Segment::label(" "),
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
    push_signature(&mut blocks, signature_block(font, person)?);

    let bodies = paginate(blocks)?;
    let qr = qr_placement(code)?;
    let count = bodies.len();
    let mut pages = Vec::with_capacity(count);
    for (i, mut runs) in bodies.into_iter().enumerate() {
        runs.extend(footer_runs(code, i + 1, count, font)?);
        pages.push(PageLayout {
            runs,
            qr: qr.clone(),
            rects: Vec::new(),
        });
    }
    Ok(LetterLayout {
        pages,
        code: code.as_str().to_string(),
        title: TITLE.to_string(),
    })
}

/// A letter of our own wording in the same style (the 信用修复承诺书, rule X-1): the title,
/// labelled fields, the body paragraphs (each opened with a two-character indent), the
/// signature block of a unit or of a person, and the footer with the 承诺编码 and its QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLetter {
    pub title: String,
    /// `(label, value)`: the label printed as text, the value as a filled-in value.
    pub fields: Vec<(String, String)>,
    /// The opening paragraph, without indent.
    pub preamble: String,
    pub paragraphs: Vec<String>,
    /// The person form of the signature block (签字 and date only).
    pub person: bool,
}

/// Lay out a [`TextLetter`].
pub fn layout_text_letter(
    letter: &TextLetter,
    code: &CommitmentCode,
    font: &LetterFont,
) -> Result<LetterLayout, LetterPdfError> {
    let mut blocks = vec![title_block_of(&letter.title, font)?];
    for (label, value) in &letter.fields {
        blocks.push(paragraph(
            &[
                Segment::text(label),
                Segment::text(" "),
                Segment::value(value, "填写内容"),
            ],
            0.0,
            font,
            "填写内容",
        )?);
    }
    blocks.push(paragraph(
        &[Segment::text(&letter.preamble)],
        2.0 * BODY_SIZE,
        font,
        "承诺书正文",
    )?);
    for p in &letter.paragraphs {
        blocks.push(paragraph(
            &[Segment::text(p)],
            2.0 * BODY_SIZE,
            font,
            "承诺书正文",
        )?);
    }
    push_signature(&mut blocks, signature_block(font, letter.person)?);
    let bodies = paginate(blocks)?;
    let qr = qr_placement(code)?;
    let count = bodies.len();
    let mut pages = Vec::with_capacity(count);
    for (i, mut runs) in bodies.into_iter().enumerate() {
        runs.extend(footer_runs(code, i + 1, count, font)?);
        pages.push(PageLayout {
            runs,
            qr: qr.clone(),
            rects: Vec::new(),
        });
    }
    Ok(LetterLayout {
        pages,
        code: code.as_str().to_string(),
        title: letter.title.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
