//! Drawing a laid-out letter into a PDF: the fonts embedded as subsets, one text section and
//! the QR code's modules per page, and the file made deterministic (subset tags and the trailer
//! `/ID` derived from the content), so that a reprint is byte for byte the first print.
//!
//! Separate from the layout because nothing here decides a position; it writes what the layout
//! placed.

use printpdf::{
    Color, FontId, Greyscale, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Pt, Rect, TextItem, TextMatrix, TextRenderingMode, WindingOrder,
};
use sha2::{Digest, Sha256};

use super::{FontFace, LetterFont, LetterLayout, LetterPdfError, PageLayout, RunRole};

impl LetterLayout {
    /// Draw the layout into a PDF with `font` embedded as a subset. Deterministic: the same
    /// layout gives the same bytes.
    pub fn to_pdf(&self, font: &LetterFont) -> Result<Vec<u8>, LetterPdfError> {
        let mut doc = PdfDocument::new(format!("{} {}", self.title, self.code).trim());
        doc.metadata.info.creator = "信易电柜台".into();
        doc.metadata.info.producer = "信易电柜台".into();
        doc.metadata.info.subject = format!("承诺编码 {}", self.code);

        // The resource name doubles as the subset tag ("ABCDEF+NotoSerifSC-Regular"), which
        // must be six capital letters; derive it from the text so that it is stable per letter.
        // A fallback face is embedded only when a run needs it: a letter without such
        // characters is the same file as before the fallback existed.
        let texts = self.texts();
        let mut ids = FontIds { faces: Vec::new() };
        for face in [FontFace::Main, FontFace::Sans, FontFace::Fallback] {
            let used = face == FontFace::Main
                || self
                    .pages
                    .iter()
                    .flat_map(|p| &p.runs)
                    .any(|r| r.face == face);
            // The layout only places a face's runs when the face exists.
            let Some(parsed) = font.face(face).filter(|_| used) else {
                continue;
            };
            // Salted until it differs from the faces already embedded (the same text gives the
            // same tag).
            let mut tag = String::new();
            for salt in [
                "",
                "\u{0}sans",
                "\u{0}fallback",
                "\u{0}again",
                "\u{0}again2",
            ] {
                let mut salted = texts.clone();
                if !salt.is_empty() {
                    salted.push(salt);
                }
                tag = subset_tag(&salted);
                if !ids.faces.iter().any(|(_, id)| id.0 == tag) {
                    break;
                }
            }
            let id = FontId(tag);
            doc.resources
                .fonts
                .map
                .insert(id.clone(), printpdf::PdfFont::new(parsed.font.clone()));
            ids.faces.push((face, id));
        }

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

/// The resource names of the embedded fonts, the main one first.
struct FontIds {
    faces: Vec<(FontFace, FontId)>,
}

impl FontIds {
    fn of(&self, face: FontFace) -> Option<&FontId> {
        self.faces
            .iter()
            .find(|(f, _)| *f == face)
            .or(self.faces.first())
            .map(|(_, id)| id)
    }
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
            if let Some(id) = ids.of(face) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(id.clone()),
                    size: Pt(size),
                });
            }
        }
        if run.hscale != hscale {
            hscale = run.hscale;
            ops.push(Op::SetHorizontalScaling { percent: hscale });
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(run.x), Pt(run.y)),
        });
        // The title in bold: the bundled serif has one weight, so its outline is stroked too
        // (GB/T 9704 sets the title in a heavier face than the body).
        let bold = run.role == RunRole::Title;
        if bold {
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::FillStroke,
            });
            ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
        }
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(run.text.clone())],
        });
        if bold {
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::Fill,
            });
        }
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
    // Filled-in values are underlined, as on a form filled by hand.
    let underlines = page
        .runs
        .iter()
        .filter(|r| r.role == RunRole::Value && !r.text.trim().is_empty())
        .map(|r| [r.x, r.y - 0.14 * r.size, r.width, 0.6, 0.0]);
    for [x, y, w, h, grey] in page.rects.iter().copied().chain(underlines) {
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetFillColor {
            col: Color::Greyscale(Greyscale::new(grey, None)),
        });
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
        ops.push(Op::RestoreGraphicsState);
    }
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
}
