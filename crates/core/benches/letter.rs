//! Time to render one 诚信守法用电承诺书 (median of 20, targets < 50 ms and < 200 KB), split into
//! parsing the 14.5 MB CJK font and the rest (layout, subsetting, PDF writing); then a 自然人
//! letter whose name needs the CJK Extension fallback font (two embedded subsets).
//!
//! Run: `cargo bench --bench letter`

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use xinyidian_core::assets::LETTER_FONT;
use xinyidian_core::documents::letter_pdf::{LetterFont, render_letter, render_letter_with};
use xinyidian_core::domain::id_codes::{
    IdDocKind, org_code_check_char, resident_id_check_char, uscc_check_char,
};
use xinyidian_core::domain::letter::{CommitmentCode, LetterFields, LetterForm, Relation};

const RUNS: usize = 20;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let org8 = "MA4W1234";
    let uscc_body = format!("91440800{org8}{}", org_code_check_char(org8).unwrap());
    let id_body = "44080219850315201";
    let letter = LetterFields {
        applicant_name: "湛江经济技术开发区东海岛石化产业园区配套新能源电力设备制造有限公司".into(),
        uscc: format!("{uscc_body}{}", uscc_check_char(&uscc_body).unwrap()),
        legal_rep_name: "陈志明".into(),
        legal_rep_id_kind: IdDocKind::ResidentId,
        legal_rep_id_number: format!("{id_body}{}", resident_id_check_char(id_body).unwrap()),
        relation: Some(Relation::Tenant),
        ..LetterFields::default()
    }
    .validate(today)
    .unwrap();
    let code = CommitmentCode::new(NaiveDate::from_ymd_opt(2024, 5, 31).unwrap(), 1).unwrap();

    // Cold: what the first letter of a run of the program costs (parse the 14.5 MB font, then
    // lay out, subset and write). Measured with a fresh parse each time.
    let reference =
        render_letter_with(&letter, &code, &LetterFont::parse(LETTER_FONT).unwrap()).unwrap();
    let mut cold = Vec::new();
    let mut parse = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let font = LetterFont::parse(LETTER_FONT).unwrap();
        parse.push(t.elapsed());
        let out = render_letter_with(&letter, &code, &font).unwrap();
        cold.push(t.elapsed());
        drop(font);
        assert_eq!(out, reference);
    }

    // Warm: `render_letter` with the bundled bytes reuses the font parsed once per process.
    let first = Instant::now();
    let pdf = render_letter(&letter, &code, LETTER_FONT).unwrap();
    let first = first.elapsed();
    assert_eq!(pdf, reference);
    let mut warm = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = render_letter(&letter, &code, LETTER_FONT).unwrap();
        warm.push(t.elapsed());
        assert_eq!(out, pdf);
    }

    let warm = median(warm);
    println!(
        "letter: render_letter, font parsed once per process  median {:>7.2} ms  (target < 50 ms)",
        ms(warm)
    );
    println!(
        "letter: first letter of the process (parse included)        {:>7.2} ms",
        ms(first)
    );
    println!(
        "letter: parse + render with a fresh LetterFont        median {:>7.2} ms",
        ms(median(cold))
    );
    println!(
        "letter:   of which LetterFont::parse (14.5 MB TTF)    median {:>7.2} ms",
        ms(median(parse))
    );
    println!(
        "letter: PDF size {} bytes = {:.1} KB (target < 200 KB)",
        pdf.len(),
        pdf.len() as f64 / 1024.0
    );

    // A 自然人 letter with 𨋢 (U+282E2) in the name: the fallback font is embedded too.
    let person = LetterFields {
        form: LetterForm::Person,
        applicant_name: "陈𨋢明".into(),
        person_id_kind: IdDocKind::ResidentId,
        person_id_number: format!("{id_body}{}", resident_id_check_char(id_body).unwrap()),
        relation: Some(Relation::Owner),
        ..LetterFields::default()
    }
    .validate(today)
    .unwrap();
    let person_pdf = render_letter(&person, &code, LETTER_FONT).unwrap();
    let mut fallback = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = render_letter(&person, &code, LETTER_FONT).unwrap();
        fallback.push(t.elapsed());
        assert_eq!(out, person_pdf);
    }
    let fallback = median(fallback);
    println!(
        "letter: 自然人 letter with an Extension B name (2 fonts) median {:>7.2} ms  (target < 50 ms)",
        ms(fallback)
    );
    println!(
        "letter: its PDF size {} bytes = {:.1} KB (target < 200 KB)",
        person_pdf.len(),
        person_pdf.len() as f64 / 1024.0
    );
    if warm > Duration::from_millis(50)
        || pdf.len() > 200 * 1024
        || fallback > Duration::from_millis(50)
        || person_pdf.len() > 200 * 1024
    {
        println!("letter: OVER TARGET");
    }
}
