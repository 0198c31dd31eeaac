//! Whole-PDF tests of the credit report reader (rules T-3, T-4): fixtures are generated in memory
//! by `support::report_pdf`, hostile files by hand.

mod support;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use support::report_pdf as fx;
use xinyidian::documents::credit_report::{
    ParsedReport, ReportReadError, parse_report_text, read_and_parse, read_report_pdf,
};
use xinyidian::domain::report::{
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
