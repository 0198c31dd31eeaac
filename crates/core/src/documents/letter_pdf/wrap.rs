//! Breaking a paragraph into lines: unbreakable tokens measured by their glyph advances, the
//! Chinese line-breaking rules (no line starts with a closing mark, none ends with an opening
//! one; a run of Latin letters or digits such as a 统一社会信用代码 is not split), and the runs
//! of one role, scale and font a line is drawn in.
//!
//! Separate from the page layout because it knows nothing of pages: it works on any measure and
//! is tested with made-up widths.

use super::{FontFace, LetterFont, LetterPdfError, PlacedRun, RunRole};

/// One unbreakable piece of a paragraph: a CJK character, a run of Latin letters/digits, a
/// space, or a blank.
#[derive(Debug, Clone)]
pub(super) struct Token {
    text: String,
    role: RunRole,
    hscale: f32,
    pub(super) width: f32,
    space: bool,
    face: FontFace,
    /// No line break right after this token: a label stays on the line of its value.
    glue: bool,
}

/// A piece of a paragraph before breaking: text with one role and one horizontal scale.
pub(super) struct Segment<'a> {
    pub(super) text: &'a str,
    pub(super) role: RunRole,
    hscale: f32,
    /// Field name for error messages about missing glyphs.
    field: &'static str,
    /// Kept on one line with what follows (a label and its value).
    glue: bool,
}

impl<'a> Segment<'a> {
    pub(super) fn text(text: &'a str) -> Self {
        Self {
            text,
            role: RunRole::Text,
            hscale: 100.0,
            field: "承诺书正文",
            glue: false,
        }
    }

    /// A label that never ends a line: it moves to the next line with its value (issue 15,
    /// point 7: "证件号码:" and the number it names stay together).
    pub(super) fn label(text: &'a str) -> Self {
        Self {
            glue: true,
            ..Self::text(text)
        }
    }

    pub(super) fn value(text: &'a str, field: &'static str) -> Self {
        Self {
            text,
            role: RunRole::Value,
            hscale: 100.0,
            field,
            glue: false,
        }
    }

    pub(super) fn blank(text: &'a str, hscale: f32) -> Self {
        Self {
            text,
            role: RunRole::Blank,
            hscale,
            field: "承诺书正文",
            glue: false,
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

pub(super) fn tokenize(
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
                        glue: seg.glue,
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
                glue: seg.glue,
            });
        }
        flush(&mut tokens, &mut word, &mut word_width, word_face);
    }
    Ok(tokens)
}

/// Split a token wider than a whole line into pieces that fit (a very long Latin name).
pub(super) fn split_wide(token: Token, limit: f32, size: f32, font: &LetterFont) -> Vec<Token> {
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
pub(super) fn break_lines(
    tokens: Vec<Token>,
    first_width: f32,
    rest_width: f32,
) -> Vec<Vec<Token>> {
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
                .is_some_and(|t| t.glue || t.text.chars().last().is_some_and(no_line_end))
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
pub(super) fn line_runs(tokens: Vec<Token>, x: f32, size: f32) -> Vec<PlacedRun> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::letter_pdf::{BODY_SIZE, MARGIN_LEFT};

    fn tok(s: &str) -> Token {
        Token {
            text: s.to_string(),
            role: RunRole::Text,
            hscale: 100.0,
            width: s.chars().count() as f32,
            space: s == " ",
            face: FontFace::Main,
            glue: false,
        }
    }

    #[test]
    fn a_label_moves_to_the_next_line_with_its_value() {
        let mut tokens: Vec<Token> = ["类", "型", " ", "证", "号", ":", " ", "0123456789"]
            .iter()
            .map(|s| tok(s))
            .collect();
        for t in &mut tokens[3..7] {
            t.glue = true;
        }
        let lines: Vec<String> = break_lines(tokens, 14.0, 14.0)
            .into_iter()
            .map(|l| l.into_iter().map(|t| t.text).collect())
            .collect();
        assert_eq!(lines, vec!["类型", "证号: 0123456789"]);
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

    #[test]
    fn runs_switch_font_inside_a_name() {
        let font = LetterFont::bundled().unwrap();
        // 鿫 (U+9FEB) is not in the serif: the window's sans-serif draws it.
        let tokens = tokenize(&[Segment::value("陈鿫明", "申请人姓名")], BODY_SIZE, font).unwrap();
        let runs = line_runs(tokens, MARGIN_LEFT, BODY_SIZE);
        let got: Vec<(&str, FontFace)> = runs.iter().map(|r| (r.text.as_str(), r.face)).collect();
        assert_eq!(
            got,
            vec![
                ("陈", FontFace::Main),
                ("鿫", FontFace::Sans),
                ("明", FontFace::Main)
            ]
        );
        // Each run starts where the previous one ends.
        assert!((runs[1].x - (runs[0].x + runs[0].width)).abs() < 1e-3);
        assert!((runs[2].x - (runs[1].x + runs[1].width)).abs() < 1e-3);
    }
}
