//! The printed 诚信守法用电承诺书 (rules C-1, C-4): wording read back from the PDF, the embedded
//! font subset, margins, the QR code of the 承诺编码, determinism.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use lopdf::{Document, Object};
use xinyidian_core::assets::{CJK_FONT, LETTER_FONT};
use xinyidian_core::documents::letter_pdf::{
    FontFace, LetterFont, LetterPdfError, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP,
    PAGE_HEIGHT, PAGE_WIDTH, RunRole, layout_letter, render_letter, render_letter_with,
    unprintable_chars,
};
use xinyidian_core::domain::id_codes::{
    IdDocKind, org_code_check_char, resident_id_check_char, uscc_check_char,
};
use xinyidian_core::domain::letter::{
    COMMITMENTS, CommitmentCode, DATE_LINE, LABEL_APPLICANT_NAME, LABEL_LEGAL_REP_ID_KIND,
    LABEL_LEGAL_REP_ID_NUMBER, LABEL_LEGAL_REP_NAME, LABEL_RELATION, LABEL_USCC, LetterField,
    LetterFields, LetterForm, PERSON_COMMITMENTS, PERSON_LABEL_ID_KIND, PERSON_LABEL_ID_NUMBER,
    PERSON_LABEL_NAME, PERSON_LABEL_RELATION, PERSON_PREAMBLE, PERSON_SIGN, PERSON_SIGN_NOTE,
    PREAMBLE, Relation, SIGN_LEGAL_REP, SIGN_LEGAL_REP_NOTE, SIGN_ORGANIZATION,
    SIGN_ORGANIZATION_NOTE, TITLE, ValidLetter,
};

const EPS: f32 = 0.05;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

fn font() -> &'static LetterFont {
    LetterFont::bundled().expect("bundled font parses")
}

/// Noto Sans SC as the main font: it lacks HKSCS's Extension B characters, so the Extension
/// fallback is exercised.
fn sans_main() -> &'static LetterFont {
    static FONT: std::sync::OnceLock<LetterFont> = std::sync::OnceLock::new();
    FONT.get_or_init(|| LetterFont::parse(CJK_FONT).expect("window font parses"))
}

/// 𨋢 (U+282E2, CJK Extension B, HKSCS): common in Cantonese names, missing from Noto Sans SC.
const EXT_B: char = '\u{282E2}';

fn uscc() -> String {
    let org8 = "MA4W1234";
    let body = format!("91440800{org8}{}", org_code_check_char(org8).unwrap());
    format!("{body}{}", uscc_check_char(&body).unwrap())
}

fn resident_id() -> String {
    let body = "44080219850315201";
    format!("{body}{}", resident_id_check_char(body).unwrap())
}

fn fields(name: &str) -> LetterFields {
    LetterFields {
        applicant_name: name.into(),
        uscc: uscc(),
        legal_rep_name: "陈志明".into(),
        legal_rep_id_kind: IdDocKind::ResidentId,
        legal_rep_id_number: resident_id(),
        relation: Some(Relation::Owner),
        ..LetterFields::default()
    }
}

fn person_fields(name: &str) -> LetterFields {
    LetterFields {
        form: LetterForm::Person,
        applicant_name: name.into(),
        person_id_kind: IdDocKind::ResidentId,
        person_id_number: resident_id(),
        relation: Some(Relation::Tenant),
        ..LetterFields::default()
    }
}

fn person_letter(name: &str) -> ValidLetter {
    person_fields(name)
        .validate(today())
        .expect("valid person letter")
}

/// The text of a PDF as poppler's pdftotext reads it, or `None` when it is not installed.
fn pdftotext(pdf: &[u8]) -> Option<String> {
    std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .ok()?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    let txt = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(txt.status.success());
    Some(String::from_utf8(txt.stdout).unwrap())
}

fn letter(name: &str) -> ValidLetter {
    fields(name).validate(today()).expect("valid letter")
}

fn code() -> CommitmentCode {
    CommitmentCode::new(NaiveDate::from_ymd_opt(2024, 5, 31).unwrap(), 42).unwrap()
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What the letter must say, in reading order, fields filled (footer not included).
fn expected_body(v: &ValidLetter) -> String {
    if v.form() == LetterForm::Person {
        return expected_person_body(v);
    }
    let mut s = String::new();
    s += TITLE;
    s += LABEL_APPLICANT_NAME;
    s += v.applicant_name();
    s += LABEL_USCC;
    s += v.uscc().unwrap().as_str();
    s += LABEL_LEGAL_REP_NAME;
    s += v.legal_rep_name().unwrap();
    s += LABEL_LEGAL_REP_ID_KIND;
    s += v.legal_rep_id().unwrap().kind.label();
    s += LABEL_LEGAL_REP_ID_NUMBER;
    s += &v.legal_rep_id().unwrap().number;
    s += LABEL_RELATION;
    s += v.relation().label();
    s += PREAMBLE;
    for c in COMMITMENTS {
        s += c;
    }
    s += SIGN_LEGAL_REP;
    s += "_____";
    s += SIGN_LEGAL_REP_NOTE;
    s += SIGN_ORGANIZATION;
    s += "_____";
    s += SIGN_ORGANIZATION_NOTE;
    s += DATE_LINE;
    strip_ws(&s)
}

/// The person form, in reading order, fields filled (footer not included).
fn expected_person_body(v: &ValidLetter) -> String {
    let id = v.person_id().unwrap();
    let mut s = String::new();
    s += TITLE;
    s += PERSON_LABEL_NAME;
    s += v.applicant_name();
    s += PERSON_LABEL_ID_KIND;
    s += id.kind.label();
    s += PERSON_LABEL_ID_NUMBER;
    s += &id.number;
    s += PERSON_LABEL_RELATION;
    s += v.relation().label();
    s += PERSON_PREAMBLE;
    for c in PERSON_COMMITMENTS {
        s += c;
    }
    s += PERSON_SIGN;
    s += "_____";
    s += PERSON_SIGN_NOTE;
    s += DATE_LINE;
    strip_ws(&s)
}

/// Remove the footer lines from extracted text and count them.
fn without_footers(text: &str, code: &str, pages: usize) -> (String, usize) {
    let mut t = strip_ws(text);
    let footer = format!("承诺编码：{code}");
    let count = t.matches(&footer).count();
    t = t.replace(&footer, "");
    if pages > 1 {
        for n in 1..=pages {
            let page_no = format!("第{n}页共{pages}页");
            assert_eq!(t.matches(&page_no).count(), 1, "{page_no} once");
            t = t.replace(&page_no, "");
        }
    }
    (t, count)
}

fn page_count(pdf: &[u8]) -> usize {
    Document::load_mem(pdf).unwrap().get_pages().len()
}

#[test]
fn extracted_text_is_the_annex_with_the_fields_filled() {
    let v = letter("湛江市霞山区海滨电子科技有限公司");
    let pdf = render_letter(&v, &code(), LETTER_FONT).unwrap();
    let pages = page_count(&pdf);
    let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
    let (body, footers) = without_footers(&text, code().as_str(), pages);
    assert_eq!(footers, pages, "one 承诺编码 footer per page");
    assert_eq!(body, expected_body(&v));
    // The relation is printed in place of "_____ (业主/租户)"; the signature blanks stay empty.
    assert!(!body.contains("(业主/租户)"));
    assert!(body.contains("关系:业主我单位"));
    assert!(body.contains("法定代表人：_____(签字)"));
    assert!(body.contains("____年____月____日"));
}

#[test]
fn poppler_reads_the_same_text_when_installed() {
    // pdftotext (poppler-utils) is a second, independent reader of the ToUnicode map.
    let Ok(out) = std::process::Command::new("pdftotext").arg("-v").output() else {
        eprintln!("pdftotext not installed: check skipped");
        return;
    };
    assert!(out.status.success() || !out.stderr.is_empty());
    let v = letter("湛江市霞山区海滨电子科技有限公司");
    let pdf = render_letter_with(&v, &code(), font()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let txt = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(txt.status.success());
    let text = String::from_utf8(txt.stdout).unwrap();
    let (body, footers) = without_footers(&text, code().as_str(), page_count(&pdf));
    assert_eq!(footers, page_count(&pdf));
    assert_eq!(body, expected_body(&v));
}

/// The font dictionaries of the document: (BaseFont, FontFile2 decoded length, has ToUnicode).
fn embedded_fonts(doc: &Document) -> Vec<(String, usize, bool)> {
    let mut out = Vec::new();
    for obj in doc.objects.values() {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Type0".as_slice()) {
            continue;
        }
        let base =
            String::from_utf8_lossy(dict.get(b"BaseFont").unwrap().as_name().unwrap()).into_owned();
        let to_unicode = dict.get(b"ToUnicode").is_ok();
        let descendant = match dict.get(b"DescendantFonts").unwrap() {
            Object::Array(a) => a[0].clone(),
            other => other.clone(),
        };
        let descendant = match descendant {
            Object::Reference(id) => doc.get_object(id).unwrap().as_dict().unwrap().clone(),
            Object::Dictionary(d) => d,
            other => panic!("unexpected descendant {other:?}"),
        };
        let desc_ref = descendant
            .get(b"FontDescriptor")
            .unwrap()
            .as_reference()
            .unwrap();
        let desc = doc.get_object(desc_ref).unwrap().as_dict().unwrap();
        let file_ref = desc.get(b"FontFile2").unwrap().as_reference().unwrap();
        let stream = doc.get_object(file_ref).unwrap().as_stream().unwrap();
        let len = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone())
            .len();
        out.push((base, len, to_unicode));
    }
    out
}

#[test]
fn font_is_embedded_as_a_small_subset_with_to_unicode() {
    let pdf = render_letter_with(&letter("湛江市某某实业有限公司"), &code(), font()).unwrap();
    assert!(pdf.len() < 200 * 1024, "PDF is {} bytes", pdf.len());
    let doc = Document::load_mem(&pdf).unwrap();
    let fonts = embedded_fonts(&doc);
    assert_eq!(fonts.len(), 1, "{fonts:?}");
    let (base, len, to_unicode) = &fonts[0];
    let (tag, name) = base.split_once('+').expect("subset tag ABCDEF+");
    assert_eq!(tag.len(), 6);
    assert!(tag.chars().all(|c| c.is_ascii_uppercase()), "{tag}");
    // The serif body face (issue 15, point 7), not the window's sans-serif.
    assert!(name.contains("NotoSerifSC"), "{name}");
    assert!(*to_unicode, "ToUnicode map written");
    assert!(
        *len < LETTER_FONT.len() / 20,
        "embedded font program {len} bytes vs {} TTF",
        LETTER_FONT.len()
    );
}

#[test]
fn a_forty_character_name_wraps_and_everything_stays_inside_the_margins() {
    let name = "湛江经济技术开发区东海岛石化产业园区配套新能源电力设备制造与综合服务有限责任公司";
    assert_eq!(name.chars().count(), 40);
    let v = letter(name);
    let layout = layout_letter(&v, &code(), font()).unwrap();

    // The name is split over two lines, both parts are values, and together they are the name.
    let parts: Vec<_> = layout.pages[0]
        .runs
        .iter()
        .filter(|r| r.role == RunRole::Value && name.contains(r.text.as_str()))
        .collect();
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(format!("{}{}", parts[0].text, parts[1].text), name);
    assert!(parts[1].y < parts[0].y, "second part on a lower line");
    assert!(
        (parts[1].x - MARGIN_LEFT).abs() < EPS,
        "continuation starts at the margin"
    );

    let right = PAGE_WIDTH - MARGIN_RIGHT;
    for (p, page) in layout.pages.iter().enumerate() {
        for r in &page.runs {
            assert!(r.x >= MARGIN_LEFT - EPS, "page {p}: {r:?} left of margin");
            assert!(
                r.x + r.width <= right + EPS,
                "page {p}: {r:?} past right margin"
            );
            match r.role {
                RunRole::FooterCode | RunRole::PageNumber => {
                    // Footer lives in the bottom margin.
                    assert!(r.y + r.size <= MARGIN_BOTTOM, "{r:?}");
                    assert!(r.y > 0.0);
                }
                _ => {
                    // Body: the em box (0.88 up, 0.12 down) inside the text block.
                    assert!(
                        r.y + 0.88 * r.size <= PAGE_HEIGHT - MARGIN_TOP + EPS,
                        "{r:?}"
                    );
                    assert!(r.y - 0.12 * r.size >= MARGIN_BOTTOM - EPS, "{r:?}");
                }
            }
        }
        let qr = &page.qr;
        assert!(qr.x >= MARGIN_LEFT && qr.x + qr.width as f32 * qr.module <= right + EPS);
        // Quiet zone of 4 modules below the text block and above the page edge.
        assert!(qr.y + (qr.width + 4) as f32 * qr.module <= MARGIN_BOTTOM + EPS);
        assert!(qr.y >= 4.0 * qr.module);
    }

    // The PDF draws exactly these positions: compare the Tm operators of each page.
    let pdf = layout.to_pdf(font()).unwrap();
    let doc = Document::load_mem(&pdf).unwrap();
    for (page_no, page_id) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(page_id).unwrap();
        let positions: Vec<(f32, f32)> = content
            .operations
            .iter()
            .filter(|op| op.operator == "Tm")
            .map(|op| {
                (
                    op.operands[4].as_float().unwrap(),
                    op.operands[5].as_float().unwrap(),
                )
            })
            .collect();
        let page = &layout.pages[page_no as usize - 1];
        let expected: Vec<(f32, f32)> = page.runs.iter().map(|r| (r.x, r.y)).collect();
        assert_eq!(positions.len(), expected.len());
        for (got, want) in positions.iter().zip(&expected) {
            assert!((got.0 - want.0).abs() < 0.01 && (got.1 - want.1).abs() < 0.01);
        }
    }
}

#[test]
fn qr_code_drawn_is_qrcode_s_matrix_of_the_code() {
    let c = code();
    let pdf = render_letter_with(&letter("湛江市某某实业有限公司"), &c, font()).unwrap();
    let qr = qrcode::QrCode::with_error_correction_level(c.as_str(), qrcode::EcLevel::M).unwrap();
    let n = qr.width();
    let want: BTreeSet<(usize, usize)> = qr
        .to_colors()
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == qrcode::Color::Dark)
        .map(|(i, _)| (i % n, i / n))
        .collect();

    let doc = Document::load_mem(&pdf).unwrap();
    let pages = doc.get_pages();
    assert!(!pages.is_empty());
    let mut underlines = 0;
    for (_, page_id) in pages {
        let content = doc.get_and_decode_page_content(page_id).unwrap();
        let rects: Vec<[f32; 4]> = content
            .operations
            .iter()
            .filter(|op| op.operator == "re")
            .map(|op| {
                let f = |i: usize| op.operands[i].as_float().unwrap();
                [f(0), f(1), f(2), f(3)]
            })
            .collect();
        // The modules are the squares (the values' underlines are thin bars).
        underlines += rects.iter().filter(|r| r[3] < 1.0 && r[2] > r[3]).count();
        let rects: Vec<[f32; 4]> = rects
            .into_iter()
            .filter(|r| (r[2] - r[3]).abs() < 1e-3)
            .collect();
        assert_eq!(rects.len(), want.len(), "one filled square per dark module");
        let module = rects[0][2];
        assert!(
            rects
                .iter()
                .all(|r| (r[2] - module).abs() < 1e-3 && (r[3] - module).abs() < 1e-3)
        );
        let left = rects.iter().map(|r| r[0]).fold(f32::INFINITY, f32::min);
        let bottom = rects.iter().map(|r| r[1]).fold(f32::INFINITY, f32::min);
        // Finder patterns are dark in the first column and the last row, so `left` and
        // `bottom` are the code's own edges.
        let got: BTreeSet<(usize, usize)> = rects
            .iter()
            .map(|r| {
                let col = ((r[0] - left) / module).round() as usize;
                let row_from_bottom = ((r[1] - bottom) / module).round() as usize;
                (col, n - 1 - row_from_bottom)
            })
            .collect();
        assert_eq!(got, want);
        // The fill operator paints them.
        assert!(content.operations.iter().any(|op| op.operator == "f"));
    }
    // The filled-in values (name, code, representative, ID kind and number, relation) are
    // underlined.
    assert!(
        underlines >= 5,
        "every filled value underlined: {underlines}"
    );
}

#[test]
fn reprint_is_byte_identical_and_another_code_differs() {
    let v = letter("湛江市某某实业有限公司");
    let a = render_letter_with(&v, &code(), font()).unwrap();
    let b = render_letter_with(&v, &code(), font()).unwrap();
    assert!(a == b, "same letter, same bytes");
    let other = CommitmentCode::new(NaiveDate::from_ymd_opt(2024, 5, 31).unwrap(), 43).unwrap();
    let c = render_letter_with(&v, &other, font()).unwrap();
    assert!(a != c);
    // The trailer /ID is no longer printpdf's pseudo-random letters.
    let doc = Document::load_mem(&a).unwrap();
    let Object::Array(ids) = doc.trailer.get(b"ID").unwrap() else {
        panic!("trailer ID is an array")
    };
    let first = ids[0].as_str().unwrap();
    assert_eq!(first.len(), 32);
    assert!(first.iter().all(u8::is_ascii_hexdigit));
}

#[test]
fn page_numbers_and_footer_on_every_page() {
    let pdf = render_letter_with(&letter("湛江市某某实业有限公司"), &code(), font()).unwrap();
    let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    // The annex does not fit 22 lines of 16 pt: two pages, each with code and page number.
    assert_eq!(pages.len(), 2);
    for (i, text) in pages.iter().enumerate() {
        let t = strip_ws(text);
        assert!(
            t.contains(&format!("承诺编码：{}", code())),
            "page {i}: {t}"
        );
        assert!(t.contains(&format!("第{}页共2页", i + 1)), "page {i}: {t}");
    }
    // The signature block is kept whole on the last page, with the last commitment.
    let last = strip_ws(&pages[1]);
    assert!(last.contains("法定代表人：_____(签字)单位名称：_____(盖章)____年____月____日"));
    assert!(last.contains(&strip_ws(COMMITMENTS[6])));
}

#[test]
fn invalid_fields_never_reach_the_printer() {
    let mut f = fields("湛江市某某实业有限公司");
    f.legal_rep_name = String::new();
    let errs = f.validate(today()).unwrap_err();
    assert_eq!(errs[0].field, LetterField::LegalRepName);
    assert!(errs[0].message.contains("法定代表人姓名不能为空"));

    let mut f = fields("湛江市某某实业有限公司");
    let good = resident_id();
    let wrong = if good.ends_with('0') { '1' } else { '0' };
    f.legal_rep_id_number = format!("{}{wrong}", &good[..17]);
    let errs = f.validate(today()).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, LetterField::LegalRepIdNumber);
    assert!(
        errs[0].message.contains("校验位应为"),
        "{}",
        errs[0].message
    );
}

#[test]
fn a_character_missing_from_the_font_is_refused_not_printed_as_a_box() {
    // A CJK Extension G character: a legal name character that neither font draws. (A
    // private-use character is refused earlier, when the fields are checked.)
    let v = letter("湛江\u{3134A}实业有限公司");
    let err = render_letter_with(&v, &code(), font()).unwrap_err();
    assert_eq!(
        err,
        LetterPdfError::MissingGlyph {
            field: "申请用电单位名称",
            ch: '\u{3134A}',
            code: 0x3134A
        }
    );
    assert!(
        fields("湛江\u{10FFFD}实业有限公司")
            .validate(today())
            .is_err()
    );
    assert!(err.to_string().contains("申请用电单位名称"));
}

#[test]
fn a_broken_font_is_an_error() {
    let err = render_letter(&letter("湛江市某某实业有限公司"), &code(), b"not a font").unwrap_err();
    assert!(matches!(err, LetterPdfError::Font { .. }));
    assert!(err.to_string().contains("打印字体"));
}

#[test]
fn longest_names_and_every_id_kind_still_render() {
    // 100-character name (the store's limit) of Latin words and a long permit label.
    let name = "Zhanjiang Harbour Renewable Energy Equipment Manufacturing and Integrated Services Company Limited";
    let mut f = fields(&name[..name.len().min(100)]);
    f.legal_rep_id_kind = IdDocKind::HkMacaoPermit;
    f.legal_rep_id_number = "H1234567801".into();
    f.relation = Some(Relation::Tenant);
    let v = f.validate(today()).unwrap();
    let layout = layout_letter(&v, &code(), font()).unwrap();
    let right = PAGE_WIDTH - MARGIN_RIGHT;
    for r in layout.pages.iter().flat_map(|p| &p.runs) {
        assert!(
            r.x >= MARGIN_LEFT - EPS && r.x + r.width <= right + EPS,
            "{r:?}"
        );
    }
    // Words are not split: every value run of the name ends at a word boundary.
    let value_runs: Vec<&str> = layout.pages[0]
        .runs
        .iter()
        .filter(|r| r.role == RunRole::Value)
        .map(|r| r.text.as_str())
        .collect();
    assert!(value_runs.len() >= 2, "{value_runs:?}");
    let words: BTreeSet<&str> = name.split(' ').collect();
    for run in value_runs.iter().take(2) {
        for w in run.split(' ').filter(|w| !w.is_empty()) {
            assert!(words.contains(w), "split word {w} in {run}");
        }
    }
    let pdf = layout.to_pdf(font()).unwrap();
    let text = strip_ws(&pdf_extract::extract_text_from_mem(&pdf).unwrap());
    assert!(text.contains("港澳居民来往内地通行证"));
    assert!(text.contains("H1234567801"));
    assert!(text.contains("关系:租户"));
}

#[test]
fn a_person_letter_reads_back_with_the_person_wording_and_the_commitments() {
    let v = person_letter("陈志明");
    let pdf = render_letter_with(&v, &code(), font()).unwrap();
    let pages = page_count(&pdf);
    let readers = [
        (
            "pdf-extract",
            Some(pdf_extract::extract_text_from_mem(&pdf).unwrap()),
        ),
        ("pdftotext", pdftotext(&pdf)),
    ];
    for (reader, text) in readers {
        let Some(text) = text else {
            eprintln!("{reader} not installed: check skipped");
            continue;
        };
        let (body, footers) = without_footers(&text, code().as_str(), pages);
        assert_eq!(footers, pages, "{reader}: one 承诺编码 footer per page");
        assert_eq!(body, expected_person_body(&v), "{reader}");
        assert!(body.contains("申请人姓名:陈志明"), "{reader}: {body}");
        assert!(
            body.contains(&format!("身份证件类型居民身份证证件号码:{}", resident_id())),
            "{reader}: {body}"
        );
        assert!(body.contains("我郑重承诺:一、"), "{reader}");
        // Five commitments verbatim from annex 2, the other two with 我单位 → 我.
        for (annex, person) in COMMITMENTS.iter().zip(PERSON_COMMITMENTS) {
            assert!(body.contains(&strip_ws(person)), "{reader}: {person}");
            assert_eq!(body.contains(&strip_ws(annex)), *annex == person, "{annex}");
        }
        assert!(
            body.contains("申请人：_____(签字)____年____月____日"),
            "{reader}"
        );
        // Nothing of the unit form.
        for unit in ["单位", "统一社会信用代码", "法定代表人", "盖章"] {
            assert!(!body.contains(unit), "{reader}: {unit} in {body}");
        }
    }
}

#[test]
fn a_person_letter_stays_inside_the_margins_and_is_deterministic() {
    let v = person_letter("欧阳𨋢𠝹");
    let layout = layout_letter(&v, &code(), font()).unwrap();
    let right = PAGE_WIDTH - MARGIN_RIGHT;
    for r in layout.pages.iter().flat_map(|p| &p.runs) {
        assert!(
            r.x >= MARGIN_LEFT - EPS && r.x + r.width <= right + EPS,
            "{r:?}"
        );
    }
    let a = layout.to_pdf(font()).unwrap();
    assert!(a == render_letter_with(&v, &code(), font()).unwrap());
    assert!(a.len() < 200 * 1024, "{} bytes", a.len());
}

#[test]
fn an_extension_b_character_prints_exactly_from_the_fallback_font() {
    let name = format!("湛江市霞山区{EXT_B}记五金店");
    let v = letter(&name);
    // The bundled serif has HKSCS's Extension B characters itself: one run, one font.
    let bundled = layout_letter(&v, &code(), font()).unwrap();
    assert!(
        bundled.pages[0]
            .runs
            .iter()
            .any(|r| r.text == name && r.face == FontFace::Main)
    );
    // A main font without them (Noto Sans SC): the Extension fallback draws the one character.
    let font = sans_main();
    let layout = layout_letter(&v, &code(), font).unwrap();
    // The name is three runs: main font, fallback for 𨋢, main font.
    let faces: Vec<(&str, FontFace)> = layout.pages[0]
        .runs
        .iter()
        .filter(|r| r.role == RunRole::Value && name.contains(r.text.as_str()))
        .map(|r| (r.text.as_str(), r.face))
        .collect();
    assert_eq!(
        faces,
        vec![
            ("湛江市霞山区", FontFace::Main),
            ("𨋢", FontFace::Fallback),
            ("记五金店", FontFace::Main)
        ]
    );
    assert!(
        layout
            .pages
            .iter()
            .flat_map(|p| &p.runs)
            .filter(|r| r.face == FontFace::Fallback)
            .count()
            == 1,
        "only the one character comes from the fallback"
    );

    let pdf = layout.to_pdf(font).unwrap();
    assert!(pdf.len() < 200 * 1024, "PDF is {} bytes", pdf.len());
    let doc = Document::load_mem(&pdf).unwrap();
    let fonts = embedded_fonts(&doc);
    assert_eq!(fonts.len(), 2, "{fonts:?}");
    let fallback = fonts
        .iter()
        .find(|(base, _, _)| base.contains("XinyidianHanExt"))
        .expect("fallback embedded");
    let (tag, _) = fallback.0.split_once('+').expect("subset tag");
    assert!(tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()));
    assert!(fallback.2, "fallback has a ToUnicode map");
    assert!(
        fallback.1 < xinyidian_core::assets::CJK_FALLBACK_FONT.len() / 20,
        "fallback embedded as a subset: {} bytes",
        fallback.1
    );
    let main = fonts
        .iter()
        .find(|(b, _, _)| b.contains("NotoSansSC"))
        .unwrap();
    assert_ne!(
        main.0.split_once('+').unwrap().0,
        tag,
        "distinct subset tags"
    );

    // Both readers get the name back exactly, 𨋢 included.
    let extracted = strip_ws(&pdf_extract::extract_text_from_mem(&pdf).unwrap());
    assert!(
        extracted.contains(&format!("申请用电单位名称:{name}")),
        "{extracted}"
    );
    if let Some(text) = pdftotext(&pdf) {
        let (body, _) = without_footers(&text, code().as_str(), page_count(&pdf));
        assert_eq!(body, expected_body(&v));
    }
}

#[test]
fn a_letter_without_rare_characters_embeds_only_the_main_font() {
    let pdf = render_letter_with(&letter("湛江市某某实业有限公司"), &code(), font()).unwrap();
    let fonts = embedded_fonts(&Document::load_mem(&pdf).unwrap());
    assert_eq!(fonts.len(), 1, "{fonts:?}");
    assert!(fonts[0].0.contains("NotoSerifSC"));
}

#[test]
fn a_character_the_serif_lacks_is_drawn_by_the_window_sans_serif() {
    // 鿫 (U+9FEB, a Unicode 11 ideograph): in Noto Sans SC, not in Noto Serif SC. The name the
    // window shows still prints, from a second embedded subset.
    let name = "湛江鿫材料有限公司";
    let pdf = render_letter_with(&letter(name), &code(), font()).unwrap();
    let fonts = embedded_fonts(&Document::load_mem(&pdf).unwrap());
    assert_eq!(fonts.len(), 2, "{fonts:?}");
    assert!(
        fonts.iter().any(|f| f.0.contains("NotoSerifSC")),
        "{fonts:?}"
    );
    assert!(fonts.iter().any(|f| f.0.contains("NotoSans")), "{fonts:?}");
    assert!(
        fonts.iter().all(|f| f.1 < CJK_FONT.len() / 20),
        "both embedded as subsets: {fonts:?}"
    );
    let extracted = strip_ws(&pdf_extract::extract_text_from_mem(&pdf).unwrap());
    assert!(extracted.contains(name), "{extracted}");
}

#[test]
fn emoji_and_invisible_characters_are_refused_with_a_message_naming_them() {
    // Refused where the fields are checked, before any letter is drawn, naming the character.
    let err = format!(
        "{:?}",
        person_fields("陈志明😀").validate(today()).unwrap_err()
    );
    assert!(err.contains("😀") && err.contains("表情符号"), "{err}");
    let err = format!(
        "{:?}",
        fields("湛江\u{200B}实业有限公司")
            .validate(today())
            .unwrap_err()
    );
    assert!(err.contains("U+200B"), "{err}");
    // The same characters, found before any letter is made (for registration).
    assert_eq!(unprintable_chars("陈志明😀"), vec!['😀']);
    assert_eq!(
        unprintable_chars(&format!("陈{EXT_B}明")),
        Vec::<char>::new()
    );
    assert_eq!(unprintable_chars("湛江\u{10FFFD}"), vec!['\u{10FFFD}']);
}

#[test]
fn the_signature_block_never_stands_alone_on_a_page() {
    use xinyidian_core::documents::letter_pdf::{TextLetter, layout_text_letter};
    // The title (two pitches), a one-line preamble and 19 one-line paragraphs fill the first
    // page's 22 lines exactly: the signature block has to go over, and takes the last
    // paragraph with it.
    let letter = TextLetter {
        title: "信用修复承诺书".into(),
        fields: Vec::new(),
        preamble: "本承诺人郑重承诺如下：".into(),
        paragraphs: (1..=19).map(|n| format!("第{n}条承诺。")).collect(),
        person: false,
    };
    let layout = layout_text_letter(&letter, &code(), font()).unwrap();
    assert_eq!(layout.pages.len(), 2);
    let last: Vec<&str> = layout.pages[1]
        .runs
        .iter()
        .map(|r| r.text.as_str())
        .collect();
    assert!(last.iter().any(|t| t.contains("第19条承诺")), "{last:?}");
    let first: Vec<&str> = layout.pages[0]
        .runs
        .iter()
        .map(|r| r.text.as_str())
        .collect();
    assert!(first.iter().any(|t| t.contains("第18条承诺")), "{first:?}");
}
