//! Whole-PDF tests of the credit report reader (rules T-3, T-4): fixtures are generated in memory
//! by `xinyidian_core::dev::report_pdf`, hostile files by hand.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use xinyidian_core::dev::report_pdf as fx;
use xinyidian_core::documents::credit_report::{
    ParsedReport, ReportReadError, parse_report_text, read_and_parse, read_report_pdf,
};
use xinyidian_core::domain::report::{
    AdverseKind, Chapter, DateLabel, Freshness, Platform, ReportFact, ReportKind,
    adverse_in_window, freshness,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn parse(bytes: &[u8]) -> ParsedReport {
    read_and_parse(bytes).unwrap_or_else(|e| panic!("should read: {e}"))
}

#[test]
fn printpdf_fixture_round_trips_through_pdf_extract() {
    let text = read_report_pdf(&fx::clean_org_report()).unwrap();
    let all = text.text();
    assert!(all.contains("法人和非法人组织公共信用信息报告"), "{all}");
    assert!(all.contains(fx::REPORT_NO), "{all}");
    assert!(all.contains("查询期内无相关信息"), "{all}");
    assert_eq!(text.page_count, 2);
    assert!(text.unreadable_pages.is_empty());
    assert!(!text.was_encrypted);
}

#[test]
fn clean_organisation_report() {
    let p = parse(&fx::clean_org_report());
    let r = &p.report;
    assert_eq!(r.report_no.as_deref(), Some(fx::REPORT_NO));
    assert_eq!(r.generated_on(), Some(d(2026, 5, 4)));
    assert_eq!(r.platform, Platform::CreditChina);
    assert_eq!(r.kind, Some(ReportKind::Organization));
    assert_eq!(r.subject_name.as_deref(), Some(fx::ORG_NAME));
    assert_eq!(r.subject_code.as_deref(), Some(fx::uscc().as_str()));
    assert_eq!(r.is_about(&fx::uscc()), Some(true));
    assert_eq!(r.legal_rep.as_deref(), Some("张三"));
    assert_eq!(r.summary.administrative, Some(1));
    assert!(r.adverse.is_empty(), "{:?}", r.adverse);
    assert!(r.missing.is_empty(), "{:?}", r.missing);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    // Rule T-3 on the parsed date: 5 days is fresh, 6 stale.
    let generated = r.generated_on().unwrap();
    assert_eq!(
        freshness(generated, d(2026, 5, 9), 5),
        Freshness::Fresh { age_days: 5 }
    );
    assert_eq!(
        freshness(generated, d(2026, 5, 10), 5),
        Freshness::Stale { age_days: 6 }
    );
    assert_eq!(
        freshness(generated, d(2026, 5, 3), 5),
        Freshness::FutureDated { days_ahead: 1 }
    );
}

fn kinds(p: &ParsedReport) -> Vec<(AdverseKind, u32)> {
    p.report.adverse.iter().map(|e| (e.kind, e.index)).collect()
}

#[test]
fn adverse_entries_in_each_chapter_and_permits_do_not_count() {
    let p = parse(&fx::adverse_org_report());
    assert_eq!(
        kinds(&p),
        vec![
            (AdverseKind::AdministrativePenalty, 1),
            (AdverseKind::SeriousDishonestyList, 1),
            (AdverseKind::AbnormalOperation, 1),
            (AdverseKind::DishonestExecutee, 1),
            (AdverseKind::OtherDishonesty, 2),
        ]
    );
    let e = &p.report.adverse;
    assert_eq!(e[0].date.unwrap().date, d(2024, 12, 24));
    assert_eq!(e[0].date.unwrap().label, DateLabel::PenaltyDecision);
    assert_eq!(e[1].date.unwrap().label, DateLabel::Listed);
    assert_eq!(e[2].date, None, "列入日期 is — —");
    assert_eq!(e[3].date.unwrap().date, d(2023, 1, 9));
    assert_eq!(e[3].date.unwrap().label, DateLabel::Published);
    assert_eq!(e[4].date.unwrap().label, DateLabel::Recorded);
    // The counts of the summary agree with the chapters: no mismatch problem.
    assert!(
        !p.problems.iter().any(|x| x.message.contains("正文读到")),
        "{:?}",
        p.problems
    );
    // Rule T-4 over 2023-05-09..2026-05-09: the 失信被执行人 entry (published 2023-01-09) is
    // older; the undated 经营异常 entry counts.
    let inside: Vec<AdverseKind> = adverse_in_window(&p.report, d(2023, 5, 9), d(2026, 5, 9))
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        inside,
        vec![
            AdverseKind::AdministrativePenalty,
            AdverseKind::SeriousDishonestyList,
            AdverseKind::AbnormalOperation,
            AdverseKind::OtherDishonesty,
        ]
    );
}

#[test]
fn person_report() {
    let p = parse(&fx::person_report());
    let r = &p.report;
    assert_eq!(r.kind, Some(ReportKind::Person));
    assert_eq!(r.platform, Platform::CreditGuangdong);
    assert_eq!(r.subject_name.as_deref(), Some("王五"));
    assert_eq!(r.subject_code.as_deref(), Some("440802********1234"));
    assert_eq!(
        r.generated_at,
        Some(d(2026, 5, 4).and_hms_opt(19, 2, 57).unwrap())
    );
    assert!(r.adverse.is_empty());
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn text_split_over_lines_spaced_and_wrapped() {
    let p = parse(&fx::split_lines_report());
    let r = &p.report;
    assert_eq!(r.report_no.as_deref(), Some(fx::REPORT_NO));
    assert_eq!(
        r.generated_at,
        Some(d(2026, 5, 4).and_hms_opt(19, 2, 57).unwrap())
    );
    assert_eq!(r.platform, Platform::CreditZhanjiang);
    assert_eq!(r.subject_name.as_deref(), Some(fx::ORG_NAME));
    assert_eq!(r.subject_code.as_deref(), Some(fx::uscc().as_str()));
    assert_eq!(r.legal_rep.as_deref(), Some("李四"));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn half_width_colons() {
    let full = parse(&fx::clean_org_report()).report;
    let half = parse(&fx::half_width_report()).report;
    assert_eq!(full, half);
}

#[test]
fn multi_page_with_repeated_headers_and_footers() {
    let text = read_report_pdf(&fx::multi_page_report()).unwrap();
    assert!(text.page_count >= 4, "{}", text.page_count);
    assert!(text.pages.iter().all(|p| p.contains("本报告仅供参考")));
    let p = parse_report_text(&text.text());
    assert_eq!(
        kinds(&p),
        kinds(&parse(&fx::adverse_org_report())),
        "{:?}",
        p.report.adverse
    );
    for e in &p.report.adverse {
        assert!(
            !e.raw.contains("本报告仅供参考") && !e.raw.contains("页"),
            "{}",
            e.raw
        );
    }
    assert_eq!(p.report.report_no.as_deref(), Some(fx::REPORT_NO));
    // The same problems as on one page: only the undated 经营异常 entry.
    assert_eq!(p.problems, parse(&fx::adverse_org_report()).problems);
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
}

#[test]
fn scan_without_text_is_its_own_error_and_keeps_what_was_read() {
    let e = read_report_pdf(&fx::scan_only_report(3)).unwrap_err();
    match &e {
        ReportReadError::NoTextLayer {
            pages,
            partial_text,
            ..
        } => {
            assert_eq!(*pages, 3);
            assert!(partial_text.contains("信用中国"), "{partial_text}");
        }
        other => panic!("expected NoTextLayer, got {other:?}"),
    }
    assert!(
        e.to_string().contains("扫描件") && e.to_string().contains("手工录入"),
        "{e}"
    );
}

#[test]
fn encrypted_with_a_password_is_refused() {
    let e = read_report_pdf(&fx::encrypted_report("1234")).unwrap_err();
    assert_eq!(e, ReportReadError::Encrypted);
    assert!(e.to_string().contains("密码"), "{e}");
}

#[test]
fn encrypted_without_user_password_is_opened() {
    let text = read_report_pdf(&fx::encrypted_report("")).unwrap();
    assert!(text.was_encrypted);
    let p = parse_report_text(&text.text());
    assert_eq!(p.report.report_no.as_deref(), Some(fx::REPORT_NO));
}

#[test]
fn truncated_file_is_corrupt() {
    let bytes = fx::clean_org_report();
    for cut in [bytes.len() / 2, bytes.len() - 40, 200] {
        match read_report_pdf(&bytes[..cut]) {
            Err(ReportReadError::Corrupt { detail }) => {
                assert!(!detail.is_empty());
            }
            Err(ReportReadError::NoTextLayer { .. }) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let e = read_report_pdf(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(e.to_string().contains("重新下载"), "{e}");
}

#[test]
fn png_renamed_to_pdf() {
    let e = read_report_pdf(&fx::png_bytes()).unwrap_err();
    assert!(matches!(e, ReportReadError::NotPdf { .. }), "{e:?}");
    assert!(e.to_string().contains("PNG 图片"), "{e}");
}

fn refused_quickly(bytes: &[u8]) -> ReportReadError {
    let t = Instant::now();
    let e = read_report_pdf(bytes).expect_err("must be refused");
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "{:?} for {e:?}",
        t.elapsed()
    );
    e
}

#[test]
fn content_stream_bomb_is_refused_before_inflating() {
    // 600 MB of zeros in a 4 MB file.
    let bytes = fx::content_bomb(600 << 20);
    assert!(bytes.len() < 5 << 20, "{}", bytes.len());
    let e = refused_quickly(&bytes);
    assert!(matches!(e, ReportReadError::Hostile { .. }), "{e:?}");
    assert!(e.to_string().contains("解压后超过"), "{e}");
}

#[test]
fn object_and_xref_stream_bombs_are_refused_before_loading() {
    for ty in ["ObjStm", "XRef"] {
        let e = refused_quickly(&fx::load_time_stream_bomb(ty, 400 << 20));
        assert!(matches!(e, ReportReadError::Hostile { .. }), "{ty}: {e:?}");
    }
}

#[test]
fn million_page_claims_are_refused() {
    let e = refused_quickly(&fx::page_count_bomb());
    assert!(
        matches!(
            e,
            ReportReadError::TooManyPages {
                pages: 1_000_000,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("1000000 页"), "{e}");
    // A node that lists itself: lopdf's page walk gives up; either way it is refused.
    let e = refused_quickly(&fx::page_tree_loop());
    assert!(
        matches!(
            e,
            ReportReadError::TooManyPages { .. } | ReportReadError::Corrupt { .. }
        ),
        "{e:?}"
    );
}

#[test]
fn huge_declared_length_does_not_allocate() {
    // Whatever lopdf makes of it, the answer comes fast and is an error, not a crash.
    let _ = refused_quickly(&fx::huge_declared_length());
}

#[test]
fn self_drawing_form_and_form_amplification_are_refused() {
    let e = refused_quickly(&fx::self_drawing_form());
    assert!(e.to_string().contains("循环"), "{e}");
    let e = refused_quickly(&fx::form_amplification());
    assert!(e.to_string().contains("反复引用"), "{e}");
}

#[test]
fn too_large_and_empty_files() {
    let e = read_report_pdf(&vec![b'%'; 31 << 20]).unwrap_err();
    assert!(matches!(e, ReportReadError::TooLarge { .. }));
    assert!(e.to_string().contains("31 MB"), "{e}");
    assert_eq!(read_report_pdf(&[]).unwrap_err(), ReportReadError::Empty);
}

#[test]
fn garbage_after_the_header_never_panics() {
    let base = fx::clean_org_report();
    let mut x: u32 = 99;
    for round in 0..30 {
        let mut b = base.clone();
        for _ in 0..20 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let at = 16 + (x as usize >> 3) % (b.len() - 16);
            b[at] = (x >> 24) as u8;
        }
        let t = Instant::now();
        let _ = read_and_parse(&b);
        assert!(t.elapsed() < Duration::from_secs(10), "round {round}");
    }
}

#[test]
fn chapters_are_recorded() {
    let r = parse(&fx::adverse_org_report()).report;
    let seen: Vec<Chapter> = r.chapters.iter().map(|c| c.chapter).collect();
    assert_eq!(seen.first(), Some(&Chapter::Registration));
    assert!(seen.contains(&Chapter::Notes));
    let admin = r
        .chapters
        .iter()
        .find(|c| c.chapter == Chapter::Administrative)
        .unwrap();
    assert_eq!(admin.entries, 3);
    assert!(r.found.contains(&ReportFact::Summary));
}

// ---- a corpus of reports written by real producers (tests/fixtures/reports, made by make.sh) ----

/// The committed fixtures: (file, producer, kind). Made by `tests/fixtures/reports/make.sh`.
const CORPUS: &[(&str, &str, ReportKind)] = &[
    (
        "reportlab-org.pdf",
        "reportlab (ASCII85 + Flate)",
        ReportKind::Organization,
    ),
    (
        "reportlab-person.pdf",
        "reportlab (ASCII85 + Flate)",
        ReportKind::Person,
    ),
    (
        "reportlab-table-org.pdf",
        "reportlab, two-column tables",
        ReportKind::Organization,
    ),
    (
        "libreoffice-org.pdf",
        "LibreOffice, two-column tables",
        ReportKind::Organization,
    ),
    (
        "libreoffice-person.pdf",
        "LibreOffice, two-column tables",
        ReportKind::Person,
    ),
    ("fpdf2-org.pdf", "fpdf2", ReportKind::Organization),
    ("fpdf2-person.pdf", "fpdf2", ReportKind::Person),
    ("printpdf-org.pdf", "printpdf", ReportKind::Organization),
    ("printpdf-person.pdf", "printpdf", ReportKind::Person),
    (
        "qpdf-objstm-org.pdf",
        "qpdf object streams (LibreOffice)",
        ReportKind::Organization,
    ),
    (
        "qpdf-objstm-person.pdf",
        "qpdf object streams (LibreOffice)",
        ReportKind::Person,
    ),
];

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reports")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (kind, chapter, index, date label, date) of each adverse entry, in report order.
fn adverse_facts(p: &ParsedReport) -> Vec<(AdverseKind, Chapter, u32, DateLabel, NaiveDate)> {
    p.report
        .adverse
        .iter()
        .map(|e| {
            let date = e.date.unwrap_or_else(|| panic!("undated entry {e:?}"));
            (e.kind, e.chapter, e.index, date.label, date.date)
        })
        .collect()
}

fn assert_org_facts(p: &ParsedReport, what: &str) {
    let r = &p.report;
    assert_eq!(r.kind, Some(ReportKind::Organization), "{what}");
    assert_eq!(
        r.report_no.as_deref(),
        Some("2026050419025750859D39"),
        "{what}"
    );
    assert_eq!(
        r.generated_at,
        d(2026, 5, 4).and_hms_opt(19, 2, 57),
        "{what}"
    );
    assert!(r.generated_time_known, "{what}");
    assert_eq!(
        r.issuing_unit.as_deref(),
        Some("国家公共信用和地理空间信息中心"),
        "{what}"
    );
    assert_eq!(r.platform, Platform::CreditChina, "{what}");
    assert_eq!(
        r.subject_name.as_deref(),
        Some("湛江市霞山区海港贸易有限公司"),
        "{what}"
    );
    assert_eq!(
        r.subject_code.as_deref(),
        Some(fx::uscc().as_str()),
        "{what}"
    );
    assert_eq!(r.legal_rep.as_deref(), Some("张三"), "{what}");
    let s = &r.summary;
    let counts = [
        s.administrative,
        s.honors,
        s.serious_dishonesty,
        s.abnormal_operation,
        s.commitments,
        s.evaluations,
        s.judicial,
        s.other,
    ];
    assert_eq!(counts, [2, 0, 0, 1, 0, 0, 1, 0].map(Some), "{what}: {s:?}");
    assert_eq!(
        adverse_facts(p),
        vec![
            (
                AdverseKind::AdministrativePenalty,
                Chapter::Administrative,
                1,
                DateLabel::PenaltyDecision,
                d(2025, 12, 24)
            ),
            (
                AdverseKind::AbnormalOperation,
                Chapter::AbnormalOperation,
                1,
                DateLabel::Listed,
                d(2025, 3, 10)
            ),
            (
                AdverseKind::DishonestExecutee,
                Chapter::Judicial,
                1,
                DateLabel::Published,
                d(2025, 7, 1)
            ),
        ],
        "{what}"
    );
    let judicial = &r.adverse[2];
    assert!(
        judicial
            .dates
            .iter()
            .any(|x| x.label == DateLabel::CaseFiled && x.date == d(2025, 6, 6)),
        "{what}: {judicial:?}"
    );
}

fn assert_person_facts(p: &ParsedReport, what: &str) {
    let r = &p.report;
    assert_eq!(r.kind, Some(ReportKind::Person), "{what}");
    assert_eq!(
        r.report_no.as_deref(),
        Some("2026050509153012345678"),
        "{what}"
    );
    assert_eq!(
        r.generated_at,
        d(2026, 5, 5).and_hms_opt(9, 15, 30),
        "{what}"
    );
    assert_eq!(r.issuing_unit.as_deref(), Some("信用广东"), "{what}");
    assert_eq!(r.platform, Platform::CreditGuangdong, "{what}");
    assert_eq!(r.subject_name.as_deref(), Some("王五"), "{what}");
    assert_eq!(
        r.subject_code.as_deref(),
        Some("440802********1234"),
        "{what}"
    );
    assert_eq!(r.summary.judicial, Some(1), "{what}");
    assert_eq!(r.summary.administrative, Some(0), "{what}");
    assert_eq!(r.summary.other, Some(0), "{what}");
    assert_eq!(
        adverse_facts(p),
        vec![(
            AdverseKind::DishonestExecutee,
            Chapter::Judicial,
            1,
            DateLabel::Published,
            d(2024, 9, 15)
        )],
        "{what}"
    );
}

#[test]
fn corpus_of_real_producers_is_read_with_every_fact() {
    let mut total = 0;
    for (file, producer, kind) in CORPUS {
        let bytes = fixture(file);
        total += bytes.len();
        assert!(bytes.len() < 120_000, "{file}: {} bytes", bytes.len());
        let what = format!("{file} ({producer})");
        let p = read_and_parse(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        match kind {
            ReportKind::Organization => assert_org_facts(&p, &what),
            ReportKind::Person => assert_person_facts(&p, &what),
        }
        // Every fact found, nothing doubted: the report decides rule T-4 on its own.
        assert!(
            p.report.missing.is_empty(),
            "{what}: {:?}",
            p.report.missing
        );
        assert!(p.report.doubts.is_empty(), "{what}: {:?}", p.report.doubts);
        assert!(p.problems.is_empty(), "{what}: {:?}", p.problems);
    }
    assert!(total < 1_000_000, "corpus is {total} bytes");
}

#[test]
fn corpus_uses_the_filter_chains_and_object_streams_it_stands_for() {
    let has = |file: &str, needle: &[u8]| fixture(file).windows(needle.len()).any(|w| w == needle);
    assert!(has("reportlab-org.pdf", b"/ASCII85Decode /FlateDecode"));
    assert!(has("qpdf-objstm-org.pdf", b"/ObjStm"));
    assert!(has("qpdf-objstm-person.pdf", b"/ObjStm"));
    assert!(has("ghostscript-org.pdf", b"Ghostscript"));
}

/// Known gap: Ghostscript's re-distilled reports lose a text layer pdf-extract can read; they
/// are refused as a scan (hand entry), never misread.
#[test]
fn ghostscript_reports_are_refused_as_without_text_not_misread() {
    for file in ["ghostscript-org.pdf", "ghostscript-person.pdf"] {
        let e = read_and_parse(&fixture(file)).unwrap_err();
        assert!(
            matches!(e, ReportReadError::NoTextLayer { .. }),
            "{file}: {e:?}"
        );
    }
}

/// Writes the printpdf members of the corpus from the lines `make.py lines` printed (run by
/// `tests/fixtures/reports/make.sh`; ignored otherwise).
#[test]
#[ignore = "fixture generator, run by tests/fixtures/reports/make.sh"]
fn write_printpdf_fixtures() {
    let lines_dir = std::env::var("XYD_FIXTURE_LINES").expect("XYD_FIXTURE_LINES");
    let out_dir = std::env::var("XYD_FIXTURE_OUT").expect("XYD_FIXTURE_OUT");
    for kind in ["org", "person"] {
        let text = std::fs::read_to_string(format!("{lines_dir}/lines-{kind}.txt")).expect("lines");
        let lines: Vec<fx::Line> = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    fx::Line::title(l)
                } else {
                    fx::Line::new(l)
                }
            })
            .collect();
        let pdf = fx::render(&fx::paginate(lines), None, None);
        std::fs::write(format!("{out_dir}/printpdf-{kind}.pdf"), pdf).expect("write");
    }
}

// ---- filter chains and bombs in them (issue 14, point 1) ----

/// ASCII85 as PDF writes it (`z` for four zero bytes, `~>` at the end).
fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(4) {
        let mut b = [0u8; 4];
        b[..chunk.len()].copy_from_slice(chunk);
        let v = u32::from_be_bytes(b);
        if v == 0 && chunk.len() == 4 {
            out.push(b'z');
            continue;
        }
        let mut digits = [0u8; 5];
        let mut x = v;
        for dgt in digits.iter_mut().rev() {
            *dgt = (x % 85) as u8 + b'!';
            x /= 85;
        }
        out.extend_from_slice(&digits[..chunk.len() + 1]);
    }
    out.extend_from_slice(b"~>");
    out
}

/// The clean printpdf report with every content stream re-encoded through `encode`, declared as
/// `filters`.
fn reencoded(filters: &[&str], encode: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(&fx::clean_org_report()).unwrap();
    let pages: Vec<lopdf::ObjectId> = doc.page_iter().collect();
    let mut content_ids = Vec::new();
    for page in pages {
        content_ids.extend(doc.get_page_contents(page));
    }
    assert!(!content_ids.is_empty());
    for id in content_ids {
        let stream = doc.get_object_mut(id).unwrap().as_stream_mut().unwrap();
        let plain = stream.get_plain_content().unwrap();
        let names: Vec<lopdf::Object> = filters
            .iter()
            .map(|f| lopdf::Object::Name(f.as_bytes().to_vec()))
            .collect();
        stream.dict.set("Filter", lopdf::Object::Array(names));
        stream.dict.remove(b"DecodeParms");
        stream.set_content(encode(&plain));
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn ascii85_and_asciihex_over_flate_are_read() {
    let a85 = reencoded(&["ASCII85Decode", "FlateDecode"], |p| ascii85(&zlib(p)));
    let p = parse(&a85);
    assert_eq!(p.report.report_no.as_deref(), Some(fx::REPORT_NO));
    assert_eq!(p.report.subject_name.as_deref(), Some(fx::ORG_NAME));
    let hex = reencoded(&["ASCIIHexDecode", "FlateDecode"], |p| {
        let mut h = hex::encode(zlib(p)).into_bytes();
        h.push(b'>');
        h
    });
    let p = parse(&hex);
    assert_eq!(p.report.report_no.as_deref(), Some(fx::REPORT_NO));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn a_bomb_under_ascii85_is_refused_at_the_limit() {
    // 256 MB of zeros, Flate-compressed (about 1.7 MB) and then ASCII85-encoded.
    let bomb = ascii85(&fx::zlib_zeros(256 << 20));
    let pdf = fx::one_page(
        &bomb,
        "/Filter [/ASCII85Decode /FlateDecode]",
        Vec::new(),
        "",
    );
    let e = refused_quickly(&pdf);
    assert!(matches!(e, ReportReadError::Hostile { .. }), "{e:?}");
    assert!(e.to_string().contains("解压后超过"), "{e}");
}

// ---- no panic text from a dependency reaches the user (issue 14, point 1) ----

/// A page on which pdf-extract panics ("Descendant fonts required": a Type0 font without its
/// descendant font).
fn panicking_pdf() -> Vec<u8> {
    fx::one_page(
        b"BT /F1 12 Tf (x) Tj ET",
        "",
        Vec::new(),
        "/Font << /F1 << /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H >> >>",
    )
}

#[test]
fn a_caught_dependency_panic_prints_nothing() {
    if std::env::var_os("XYD_PANIC_CHILD").is_some() {
        // In the child: read the file; a caught panic becomes an error or an unreadable page.
        let _ = read_and_parse(&panicking_pdf());
        println!("child done");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "credit_report::a_caught_dependency_panic_prints_nothing",
            "--nocapture",
        ])
        .env("XYD_PANIC_CHILD", "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("child done"), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stdout.contains("panicked"), "{stdout}");
}
