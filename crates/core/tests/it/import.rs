//! Import of power-supply record files (rule S-2) and the dishonesty rules applied to what was
//! imported (rules D-1..D-3): valid and invalid CSV (UTF-8, BOM, GBK) and XLSX files, every
//! whole-file error, every row error, and the rejected-rows file.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use xinyidian_core::documents::import::{
    FileFormat, ImportError, ImportedRow, ProgressUnit, RejectWriter, RowError, RowNote,
    open_records,
};
use xinyidian_core::domain::dishonesty::{
    DishonestyParams, Outcome, RuleId, assess, assess_record,
};
use xinyidian_core::domain::id_codes::{resident_id_check_char, uscc_check_char};
use xinyidian_core::domain::records::{Fen, Record, RecordKind, SubjectRef, TheftStatus};
use xinyidian_core::domain::subject::SubjectCode;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 3, 1)
}

fn uscc(body: &str) -> String {
    format!("{body}{}", uscc_check_char(body).unwrap())
}

fn usccs() -> (String, String) {
    (uscc("91440800MA4UMB8E0"), uscc("91440802MA51XY123"))
}

fn rid(body: &str) -> String {
    format!("{body}{}", resident_id_check_char(body).unwrap())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn collect(path: &Path, kind: Option<RecordKind>) -> (Vec<ImportedRow>, Vec<RowError>) {
    let reader = open_records(path, kind, today()).unwrap();
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for r in reader {
        match r {
            Ok(row) => ok.push(row),
            Err(e) => bad.push(e),
        }
    }
    (ok, bad)
}

fn open_err(path: &Path) -> ImportError {
    match open_records(path, None, today()) {
        Ok(_) => panic!("expected an error for {}", path.display()),
        Err(e) => e,
    }
}

const PAY_HEADER: &str = "机构名称,统一社会信用代码,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期";

fn payments_csv() -> String {
    let (a, b) = usccs();
    format!(
        "{PAY_HEADER}\n\
         湛江市海港贸易有限公司,{a},电费,否,2024-01-01,2024-01-31,\"1,234.5\",千瓦时,\"1,234.50\",湛江供电局,{b},2024-02-05\n\
         湛江市海港贸易有限公司,{a},电费,是,2024/2/1,2024/2/29,800,千瓦时,¥1234.5,湛江供电局,{b},2024年3月5日\n\
         湛江市海港贸易有限公司,{a},电费,否,20240301,20240331,800,千瓦时,１２３４．５,湛江供电局,{b},45387\n"
    )
}

xinyidian_core::on_both_engines! {
fn utf8_payments_in_every_amount_and_date_form() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "缴费.csv", payments_csv().as_bytes());
    let reader = open_records(&p, None, today()).unwrap();
    assert_eq!(reader.kind(), RecordKind::Payment);
    assert!(reader.header().kind_detected);
    assert_eq!(reader.format(), FileFormat::CsvUtf8 { bom: false });
    assert!(reader.header().unknown.is_empty());
    let rows: Vec<_> = reader.map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    for r in &rows {
        let Record::Payment(p) = &r.record else {
            panic!("{:?}", r.record)
        };
        assert_eq!(p.amount, Fen(123_450));
        assert_eq!(p.subject_name, "湛江市海港贸易有限公司");
    }
    let Record::Payment(second) = &rows[1].record else {
        panic!()
    };
    assert_eq!(second.period_end, d(2024, 2, 29));
    assert_eq!(second.paid_on, d(2024, 3, 5));
    assert_eq!(second.prepaid, Some(true));
    let Record::Payment(third) = &rows[2].record else {
        panic!()
    };
    // 45387 is the Excel serial of 2024-04-05.
    assert_eq!(third.paid_on, d(2024, 4, 5));
    let Record::Payment(first) = &rows[0].record else {
        panic!()
    };
    assert_eq!(first.usage.unwrap().0, 1_234_500);
}
}

xinyidian_core::on_both_engines! {
fn reimporting_the_same_file_gives_the_same_keys() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", payments_csv().as_bytes());
    let keys = |p: &Path| -> Vec<String> {
        collect(p, None)
            .0
            .iter()
            .map(|r| r.record.key().as_str().to_string())
            .collect()
    };
    let first = keys(&p);
    assert_eq!(first, keys(&p));
    let unique: std::collections::BTreeSet<_> = first.iter().collect();
    assert_eq!(unique.len(), 3);
}
}

xinyidian_core::on_both_engines! {
fn bom_crlf_title_row_blank_lines_and_quoted_breaks_keep_excel_row_numbers() {
    let (a, _) = usccs();
    let line = |name: &str, amount: &str| {
        format!("{name},{a},电费,否,2024-01-01,2024-01-31,1,千瓦时,{amount},,,2024-02-05\r\n")
    };
    // Excel rows: 1 title, 2 header, 3 blank, 4 a record whose quoted name holds a line break
    // (one row in Excel), 5 an all-empty row, 6 valid, 7 a negative amount.
    let text = format!(
        "\u{feff}公用事业缴费信息\r\n{PAY_HEADER}\r\n\r\n{}{}{}{}",
        line("\"湛江市海港\r\n贸易有限公司\"", "1"),
        ",,,,,,,,,,,\r\n",
        line("湛江市海港贸易有限公司", "1"),
        line("湛江市海港贸易有限公司", "-1"),
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "b.csv", text.as_bytes());
    let reader = open_records(&p, None, today()).unwrap();
    assert_eq!(reader.format(), FileFormat::CsvUtf8 { bom: true });
    assert_eq!(reader.header().row, 2);
    let (ok, bad) = collect(&p, None);
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].row, 6);
    assert_eq!(bad.len(), 2);
    assert_eq!(bad[0].row, 4);
    assert!(bad[0].to_string().contains("换行"), "{}", bad[0]);
    assert_eq!(bad[1].row, 7);
    assert!(bad[1].to_string().contains("负数"), "{}", bad[1]);
}
}

xinyidian_core::on_both_engines! {
fn gbk_file_is_detected_and_decoded() {
    // GBK has no U+00A5 ¥; clerks' GBK files carry the full-width ￥.
    let text = payments_csv().replace('¥', "￥");
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(&text);
    assert!(!had_errors);
    assert!(std::str::from_utf8(&bytes).is_err());
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "gbk.csv", &bytes);
    let reader = open_records(&p, None, today()).unwrap();
    assert_eq!(reader.format(), FileFormat::CsvGbk);
    assert_eq!(reader.kind(), RecordKind::Payment);
    let (ok, bad) = collect(&p, None);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok.len(), 3);
    assert_eq!(ok[0].record.subject_name(), "湛江市海港贸易有限公司");
}
}

xinyidian_core::on_both_engines! {
fn large_gbk_file_streams_across_buffers() {
    let (a, _) = usccs();
    let mut text = String::from(PAY_HEADER);
    text.push('\n');
    for i in 0..20_000 {
        text.push_str(&format!(
            "湛江市第{i}号贸易有限公司,{a},电费,否,2024-01-01,2024-01-31,1,千瓦时,{}.{:02},湛江供电局,,2024-02-05\n",
            i,
            i % 100
        ));
    }
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "big.csv", &bytes);
    let mut reader = open_records(&p, None, today()).unwrap();
    let mut n = 0;
    let mut last = None;
    for r in reader.by_ref() {
        let r = r.unwrap();
        n += 1;
        last = Some(r);
    }
    assert_eq!(n, 20_000);
    let last = last.unwrap();
    assert_eq!(last.row, 20_001);
    assert_eq!(last.record.subject_name(), "湛江市第19999号贸易有限公司");
    let progress = reader.progress();
    assert_eq!(progress.unit, ProgressUnit::Bytes);
    assert_eq!(progress.done, bytes.len() as u64);
    assert_eq!(progress.fraction(), 1.0);
}
}

xinyidian_core::on_both_engines! {
fn xlsx_with_formula_date_and_number_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let (a, b) = usccs();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("缴费.xlsx");
    let mut wb = Workbook::new();
    // A cover sheet without records comes first: it is skipped.
    wb.add_worksheet()
        .set_name("说明")
        .unwrap()
        .write_string(0, 0, "本文件由营销系统导出")
        .unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("缴费").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "公用事业缴费信息").unwrap();
    for (c, h) in PAY_HEADER.split(',').enumerate() {
        ws.write_string(1, c as u16, h).unwrap();
    }
    ws.write_string(2, 0, "湛江市海港贸易有限公司").unwrap();
    ws.write_string(2, 1, &a).unwrap();
    ws.write_string(2, 2, "电费").unwrap();
    ws.write_boolean(2, 3, false).unwrap();
    ws.write_datetime_with_format(2, 4, ExcelDateTime::from_ymd(2024, 2, 1).unwrap(), &date)
        .unwrap();
    ws.write_datetime_with_format(2, 5, ExcelDateTime::from_ymd(2024, 2, 29).unwrap(), &date)
        .unwrap();
    ws.write_number(2, 6, 800.5).unwrap();
    ws.write_string(2, 7, "千瓦时").unwrap();
    ws.write_formula(2, 8, Formula::new("=1000+234.5").set_result("1234.5"))
        .unwrap();
    ws.write_string(2, 9, "湛江供电局").unwrap();
    ws.write_string(2, 10, &b).unwrap();
    ws.write_datetime_with_format(2, 11, ExcelDateTime::from_ymd(2024, 3, 5).unwrap(), &date)
        .unwrap();
    // Row 4: a USCC typed into a number cell lost its last digits; a formula error amount.
    ws.write_string(3, 0, "湛江市海港贸易有限公司").unwrap();
    ws.write_number(3, 1, 914_408_001_234_567_890.0).unwrap();
    ws.write_datetime_with_format(3, 4, ExcelDateTime::from_ymd(2024, 2, 1).unwrap(), &date)
        .unwrap();
    ws.write_datetime_with_format(3, 5, ExcelDateTime::from_ymd(2024, 2, 29).unwrap(), &date)
        .unwrap();
    ws.write_formula(3, 8, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    ws.write_number(3, 11, 45356.0).unwrap();
    wb.save(&p).unwrap();

    let reader = open_records(&p, None, today()).unwrap();
    assert_eq!(reader.format(), FileFormat::Xlsx);
    assert_eq!(reader.header().sheet.as_deref(), Some("缴费"));
    assert_eq!(reader.header().row, 2);
    let (ok, bad) = collect(&p, None);
    assert_eq!(ok.len(), 1, "{bad:?}");
    assert_eq!(ok[0].row, 3);
    let Record::Payment(pay) = &ok[0].record else {
        panic!()
    };
    assert_eq!(pay.amount, Fen(123_450));
    assert_eq!(pay.period_start, d(2024, 2, 1));
    assert_eq!(pay.period_end, d(2024, 2, 29));
    assert_eq!(pay.paid_on, d(2024, 3, 5));
    assert_eq!(pay.prepaid, Some(false));
    assert_eq!(pay.usage.unwrap().0, 800_500);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].row, 4);
    let msg = bad[0].to_string();
    assert!(msg.contains("15 位有效数字"), "{msg}");
    assert!(msg.contains("#DIV/0!"), "{msg}");
    assert!(msg.contains("缴费金额"), "{msg}");
}
}

xinyidian_core::on_both_engines! {
fn whole_file_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let dp = dir.path();
    let e = open_err(&write(dp, "empty.csv", b""));
    assert!(matches!(e, ImportError::Empty { .. }));
    assert!(e.to_string().contains("是空的"));
    let e = open_err(&write(dp, "bom-only.csv", b"\xEF\xBB\xBF\r\n"));
    assert!(matches!(e, ImportError::Empty { .. }));

    let e = open_err(&write(
        dp,
        "header.csv",
        format!("{PAY_HEADER}\n\n,,,\n").as_bytes(),
    ));
    assert_eq!(e, ImportError::HeadersOnly { header_row: 1 });
    assert!(e.to_string().contains("只有表头"));

    let mut utf16 = vec![0xFF, 0xFE];
    for u in "机构名称\t缴费金额".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let e = open_err(&write(dp, "u16.txt", &utf16));
    assert_eq!(e, ImportError::Utf16);
    assert!(e.to_string().contains("CSV UTF-8"));

    let e = open_err(&write(dp, "latin.csv", b"a,b\nc,\xFF\xFE\xFF\n"));
    assert_eq!(e, ImportError::WrongEncoding { line: 2 });
    assert!(e.to_string().contains("既不是 UTF-8 也不是 GBK"));

    let e = open_err(&write(dp, "bin.csv", b"\x7fELF\x00\x00\x01"));
    assert_eq!(e, ImportError::NotText);

    let e = open_err(&write(dp, "broken.xlsx", b"PK\x03\x04 not really a zip"));
    assert!(matches!(e, ImportError::Workbook { .. }));
    assert!(e.to_string().contains("损坏"));

    let e = open_err(&write(dp, "nohead.csv", "姓名：张三\n1,2,3\n".as_bytes()));
    assert!(matches!(e, ImportError::HeaderNotFound { .. }));
    assert!(e.to_string().contains("姓名：张三"), "{e}");

    let e = open_err(&write(
        dp,
        "kind.csv",
        "机构名称,统一社会信用代码,缴费金额\nx,y,1\n".as_bytes(),
    ));
    assert!(matches!(e, ImportError::UnknownKind { .. }));
    assert!(e.to_string().contains("计量开始日"), "{e}");

    let p = write(
        dp,
        "missing.csv",
        "机构名称,统一社会信用代码,缴费金额\nx,y,1\n".as_bytes(),
    );
    let e = open_records(&p, Some(RecordKind::Arrears), today())
        .err()
        .unwrap();
    assert!(matches!(e, ImportError::MissingColumns { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("欠缴统计开始日") && msg.contains("欠费金额"),
        "{msg}"
    );

    let e = open_err(&write(
        dp,
        "dup.csv",
        format!("{PAY_HEADER},缴费金额（元）\n").as_bytes(),
    ));
    assert!(matches!(e, ImportError::DuplicateColumn { .. }));
    assert!(e.to_string().contains("缴费金额"));

    let e = open_err(&dp.join("does-not-exist.csv"));
    assert!(matches!(e, ImportError::Open { .. }));
}
}

xinyidian_core::on_both_engines! {
fn an_unclosed_quote_that_swallows_the_file_is_stopped() {
    let (a, _) = usccs();
    let mut text = format!(
        "{PAY_HEADER}\n湛江市海港贸易有限公司,{a},电费,否,2024-01-01,2024-01-31,1,千瓦时,1,,,2024-02-05\n\"unclosed,"
    );
    let row = "x".repeat(100);
    for _ in 0..12_000 {
        text.push_str(&row);
        text.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "long.csv", text.as_bytes());
    let (ok, bad) = collect(&p, None);
    assert_eq!(ok.len(), 1);
    assert_eq!(bad.len(), 1);
    assert!(bad[0].fatal);
    assert_eq!(bad[0].row, 3);
    assert!(bad[0].to_string().contains("引号没有闭合"), "{}", bad[0]);
}
}

xinyidian_core::on_both_engines! {
fn truncated_files_are_reported_on_their_last_row() {
    let (a, _) = usccs();
    let good =
        format!("湛江市海港贸易有限公司,{a},电费,否,2024-01-01,2024-01-31,1,千瓦时,1,,,2024-02-05");
    let dir = tempfile::tempdir().unwrap();
    // Cut in the middle of a row (no final line break, fewer columns).
    let cut = format!("{PAY_HEADER}\n{good}\n湛江市海港贸易有限公司,{a},电费,否,2024-0");
    let (ok, bad) = collect(&write(dir.path(), "cut.csv", cut.as_bytes()), None);
    assert_eq!(ok.len(), 1);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].row, 3);
    assert!(bad[0].to_string().contains("被截断"), "{}", bad[0]);
    // Cut inside a quoted field.
    let cut = format!("{PAY_HEADER}\n{good}\n\"湛江市海港");
    let (_, bad) = collect(&write(dir.path(), "cut2.csv", cut.as_bytes()), None);
    assert!(bad[0].to_string().contains("引号没有闭合"), "{}", bad[0]);
    // A complete last row without a final line break is fine.
    let whole = format!("{PAY_HEADER}\n{good}");
    let (ok, bad) = collect(&write(dir.path(), "whole.csv", whole.as_bytes()), None);
    assert_eq!((ok.len(), bad.len()), (1, 0));
}
}

xinyidian_core::on_both_engines! {
fn row_errors_name_row_column_value_and_reason() {
    let (a, _) = usccs();
    let wrong_check = format!("{}{}", &a[..17], if a.ends_with('0') { '1' } else { '0' });
    let rows = [
        // 2: 2023-02-30 does not exist.
        format!("甲公司,{a},电费,否,2023-02-01,2023-02-30,1,千瓦时,10,,,2023-03-05"),
        // 3: wrong USCC check character.
        format!("乙公司,{wrong_check},电费,否,2023-02-01,2023-02-28,1,千瓦时,10,,,2023-03-05"),
        // 4: end before start, payment in the future, three decimals.
        format!("丙公司,{a},电费,否,2023-02-10,2023-02-01,1,千瓦时,10.123,,,2027-01-01"),
        // 5: empty name, bad 是否预缴费, unquoted comma shifts the row.
        format!(",{a},电费,也许,2023-02-01,2023-02-28,1,千瓦时,10,,,2023-03-05,多余"),
        // 6: amount with a bad thousands separator, date unreadable.
        format!("丁公司,{a},电费,否,2023-02-01,2023-02-28,1,千瓦时,\"1,23\",,,下个月"),
    ];
    let text = format!("{PAY_HEADER}\n{}\n", rows.join("\n"));
    let dir = tempfile::tempdir().unwrap();
    let (ok, bad) = collect(&write(dir.path(), "bad.csv", text.as_bytes()), None);
    assert!(ok.is_empty());
    assert_eq!(
        bad.iter().map(|e| e.row).collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6]
    );
    let p = &bad[0].problems[0];
    assert_eq!(p.column, "计量截止日");
    assert_eq!(p.value, "2023-02-30");
    assert!(p.reason.contains("没有 30 日"), "{}", p.reason);
    assert!(bad[1].problems[0].reason.contains("校验位应为"));
    assert_eq!(bad[1].problems[0].column, "统一社会信用代码");
    let msg = bad[2].to_string();
    assert!(msg.contains("早于开始日"), "{msg}");
    assert!(msg.contains("晚于今天"), "{msg}");
    assert!(msg.contains("两位小数"), "{msg}");
    assert_eq!(bad[2].problems.len(), 3);
    let msg = bad[3].to_string();
    assert!(msg.contains("机构名称：不能为空"), "{msg}");
    assert!(msg.contains("是”或“否"), "{msg}");
    assert!(msg.contains("多出 1 个"), "{msg}");
    let msg = bad[4].to_string();
    assert!(msg.contains("千分位"), "{msg}");
    assert!(msg.contains("无法识别"), "{msg}");
    assert_eq!(bad[4].cells[8], "1,23");
}
}

xinyidian_core::on_both_engines! {
fn invalid_utf8_in_a_utf8_file_is_a_row_error() {
    let (a, _) = usccs();
    let mut bytes = format!("\u{feff}{PAY_HEADER}\n").into_bytes();
    bytes.extend(b"\xC3\x28bad");
    bytes
        .extend(format!(",{a},电费,否,2024-01-01,2024-01-31,1,千瓦时,1,,,2024-02-05\n").as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let (_, bad) = collect(&write(dir.path(), "mixed.csv", &bytes), None);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].problems[0].column, "机构名称");
    assert!(bad[0].problems[0].reason.contains("不是 UTF-8"));
}
}

xinyidian_core::on_both_engines! {
fn person_payments_with_first_generation_id_are_converted_and_flagged() {
    let id18 = rid("44080319850315123");
    let wrong = format!(
        "44080319850315123{}",
        if id18.ends_with('1') { '2' } else { '1' }
    );
    let header = "姓名,证件类型,证件号码,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期";
    let text = format!(
        "{header}\n\
         陈海,居民身份证,{id18},电费,否,2024-01-01,2024-01-31,100,千瓦时,60.5,,,2024-02-03\n\
         李娜,身份证,440803850315124,电费,否,2024-01-01,2024-01-31,100,千瓦时,60.5,,,2024-02-03\n\
         王五,居民身份证,{wrong},电费,否,2024-01-01,2024-01-31,100,千瓦时,60.5,,,2024-02-03\n\
         赵六,驾驶证,123,电费,否,2024-01-01,2024-01-31,100,千瓦时,60.5,,,2024-02-03\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "person.csv", text.as_bytes());
    let (ok, bad) = collect(&p, None);
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].record.kind(), RecordKind::PersonPayment);
    assert!(ok[0].notes.is_empty());
    assert_eq!(ok[1].notes.len(), 1);
    assert!(matches!(
        ok[1].notes[0],
        RowNote::FirstGenerationIdUpgraded { .. }
    ));
    assert!(ok[1].notes[0].to_string().contains("ID-2"));
    let SubjectRef::Code {
        code: SubjectCode::Person { doc },
    } = ok[1].record.subject()
    else {
        panic!()
    };
    assert_eq!(doc.number.len(), 18);
    assert!(doc.number.starts_with("44080319850315124"));
    // A wrong check digit: the value in the message is masked (rule ID-3).
    assert_eq!(bad.len(), 2);
    assert!(bad[0].problems[0].reason.contains("校验位"));
    assert_eq!(
        bad[0].problems[0].value,
        format!("440803********{}", &wrong[14..])
    );
    assert!(bad[1].problems[0].reason.contains("证件类型无法识别"));
}
}

xinyidian_core::on_both_engines! {
fn arrears_import_feeds_the_d1_rule() {
    let (a, _) = usccs();
    let header = "机构名称,统一社会信用代码,用户编号,欠缴类型名称,欠缴统计开始日,欠缴统计截止日,欠费金额,认定机构,认定机构统一社会信用代码,认定日期,催告日期,正当理由,结清日期";
    let text = format!(
        "{header}\n\
         甲公司,{a},0301234567,电费,2024-01-01,2024-03-31,\"20,000.00\",湛江供电局,,2024-04-10,2024-04-15,无,\n\
         甲公司,{a},0301234567,电费,2024-04-01,2024-06-30,\"20,000.00\",湛江供电局,,2024-07-10,2024-07-15,计量装置故障，电量有争议,\n\
         甲公司,{a},0301234567,电费,2024-07-01,2024-09-30,9999.99,湛江供电局,,2024-10-10,2024-10-15,,\n\
         甲公司,{a},0301234567,电费,2024-10-01,2024-12-31,50000,湛江供电局,,2025-01-10,2025-01-15,,2025-07-15\n\
         甲公司,{a},0301234567,电费,2025-01-01,2025-03-31,50000,湛江供电局,,2025-04-10,2024-12-15,,\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let (ok, bad) = collect(&write(dir.path(), "arrears.csv", text.as_bytes()), None);
    assert_eq!(ok.len(), 4);
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0]
            .to_string()
            .contains("催告日期 2024-12-15 早于欠缴统计开始日 2025-01-01"),
        "{}",
        bad[0]
    );
    let records: Vec<Record> = ok.into_iter().map(|r| r.record).collect();
    let Record::Arrears(first) = &records[0] else {
        panic!()
    };
    assert_eq!(first.just_cause, None, "“无” means no just cause");
    assert_eq!(first.reminded_on, Some(d(2024, 4, 15)));
    let params = DishonestyParams::default();
    let result = assess(&records, &[], today(), &params);
    // Only the first: the second has a just cause, the third is under 10,000 元, the fourth was
    // paid on the last day (2025-01-15 + 6 months).
    assert_eq!(result.findings.len(), 1);
    assert_eq!(result.findings[0].rule, RuleId::D1);
    assert_eq!(result.findings[0].since, d(2024, 10, 16));
    assert_eq!(result.cleared.len(), 3);
    assert!(
        result
            .cleared
            .iter()
            .all(|c| c.reason.contains("数额较大标准：10,000.00 元"))
    );
    match assess_record(&records[3], today(), &params) {
        Outcome::NotDishonest(c) => assert!(c.reason.contains("已于 2025-07-15 结清")),
        o => panic!("{o:?}"),
    }
}
}

xinyidian_core::on_both_engines! {
fn violation_and_theft_files() {
    let (a, _) = usccs();
    let violation = "用户编号,用户名称,违约用电日期,违约用电金额,违约用电量,违约用电天数,违约用电总金额,违约用电时间段\n\
         0301234567,甲公司,2025-06-01,300,120.5,3天,450,2025-06-01至2025-06-03\n\
         0301234567,甲公司,2025-06-01,300,120.5,-3,450,2025-06-01至2025-06-03\n";
    let dir = tempfile::tempdir().unwrap();
    let (ok, bad) = collect(&write(dir.path(), "v.csv", violation.as_bytes()), None);
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].record.kind(), RecordKind::ViolationUsage);
    let Record::Violation(v) = &ok[0].record else {
        panic!()
    };
    assert_eq!(v.days, Some(3));
    assert_eq!(v.total_amount, Fen(45_000));
    assert!(bad[0].to_string().contains("天数"));

    let theft = format!(
        "用户编号,用户名称,统一社会信用代码,证件类型,证件号码,窃电发现日期,窃电量,补缴电费金额,违约使用电费金额,处理状态,结清日期\n\
         0301234567,甲公司,{a},,,2025-03-05,1000,3000,9000,,2025-04-01\n\
         0309999999,某个体户,,,,2025-05-05,,100,300,处理中,\n\
         ,无名,,,,2025-05-05,,100,300,,\n"
    );
    let (ok, bad) = collect(&write(dir.path(), "t.csv", theft.as_bytes()), None);
    assert_eq!(ok.len(), 2);
    let Record::Theft(t) = &ok[0].record else {
        panic!()
    };
    assert_eq!(t.status, TheftStatus::Settled);
    assert_eq!(t.penalty_fees, Fen(900_000));
    assert!(matches!(t.subject, SubjectRef::Code { .. }));
    let Record::Theft(t) = &ok[1].record else {
        panic!()
    };
    assert!(matches!(t.subject, SubjectRef::Account { .. }));
    assert!(bad[0].to_string().contains("至少填写"), "{}", bad[0]);
}
}

xinyidian_core::on_both_engines! {
fn rejected_rows_file_opens_in_excel() {
    let (a, _) = usccs();
    let text = format!(
        "{PAY_HEADER},备注\n甲公司,{a},电费,否,2023-02-01,2023-02-30,1,千瓦时,10,,,2023-03-05,请核对\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "in.csv", text.as_bytes());
    let reader = open_records(&p, None, today()).unwrap();
    assert_eq!(reader.header().unknown, vec!["备注".to_string()]);
    assert!(reader.header().notices()[0].contains("备注"));
    let out = dir.path().join("rejected.csv");
    let mut w = RejectWriter::create(&out, reader.header()).unwrap();
    for r in reader {
        if let Err(e) = r {
            w.write(&e).unwrap();
        }
    }
    assert_eq!(w.finish().unwrap(), 1);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next().unwrap(), format!("{PAY_HEADER},备注,原因"));
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&format!("甲公司,{a},电费,否,2023-02-01,2023-02-30,")),
        "{row}"
    );
    assert!(
        row.contains(",请核对,第 2 行：计量截止日“2023-02-30”"),
        "{row}"
    );
    // The rejected file itself is importable again once corrected (原因 is ignored).
    let fixed = text.replace("2023-02-30", "2023-02-28");
    let p2 = write(dir.path(), "fixed.csv", fixed.as_bytes());
    let (ok, bad) = collect(&p2, None);
    assert_eq!((ok.len(), bad.len()), (1, 0));
}
}

xinyidian_core::on_both_engines! {
fn tab_separated_text_is_read() {
    let (a, _) = usccs();
    let text = format!(
        "{}\n甲公司\t{a}\t电费\t否\t2024-01-01\t2024-01-31\t1\t千瓦时\t1,234.50\t\t\t2024-02-05\n",
        PAY_HEADER.replace(',', "\t")
    );
    let dir = tempfile::tempdir().unwrap();
    let (ok, bad) = collect(&write(dir.path(), "tab.txt", text.as_bytes()), None);
    assert!(bad.is_empty(), "{bad:?}");
    let Record::Payment(p) = &ok[0].record else {
        panic!()
    };
    assert_eq!(p.amount, Fen(123_450));
}
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    /// Pieces that make CSV parsing and validation interesting: the header names, quotes,
    /// delimiters, line ends, BOMs, GBK and invalid bytes, dates, amounts and identifiers.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(PAY_HEADER.as_bytes().to_vec()),
            Just(b"\"".to_vec()),
            Just(b",".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\xEF\xBB\xBF".to_vec()),
            Just(b"\xFF\xC3".to_vec()),
            Just(b"\xD5\xC5".to_vec()),
            Just("2023-02-30".as_bytes().to_vec()),
            Just("45351".as_bytes().to_vec()),
            Just("-1,234.5".as_bytes().to_vec()),
            Just("９１４４０８".as_bytes().to_vec()),
            Just("440803850315124".as_bytes().to_vec()),
            Just("窃电发现日期,用户名称".as_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..12),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// No input makes the import panic; every refused row names a row number.
        #[test]
        fn arbitrary_files_never_panic(pieces in proptest::collection::vec(piece(), 0..40)) {
            let dir = tempfile::tempdir().unwrap();
            let bytes: Vec<u8> = pieces.concat();
            let p = write(dir.path(), "x.csv", &bytes);
            if let Ok(reader) = open_records(&p, None, today()) {
                for row in reader.take(1_000) {
                    match row {
                        Ok(r) => prop_assert!(r.row >= 1),
                        Err(e) => {
                            prop_assert!(e.row >= 1);
                            prop_assert!(!e.to_string().is_empty());
                        }
                    }
                }
            }
        }
    }
}

/// Workbooks that tried to kill the program (issue 14 point 5): each is refused quickly with a
/// Chinese message naming where and what the limit is, or read with bounded memory.
mod hostile_workbooks {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    const PKG_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="缴费" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const WB_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
    const SHEET_TAIL: &str = "</sheetData></worksheet>";

    type WritePart = dyn Fn(&mut dyn Write);

    /// A minimal XLSX written part by part; `sheet` and `strings` write their part's body.
    fn raw_xlsx(path: &Path, sheet: impl FnOnce(&mut dyn Write), strings: Option<&WritePart>) {
        let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(None);
        for (name, body) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", PKG_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WB_RELS),
        ] {
            z.start_file(name, opts).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        z.write_all(SHEET_HEAD.as_bytes()).unwrap();
        sheet(&mut z);
        z.write_all(SHEET_TAIL.as_bytes()).unwrap();
        if let Some(strings) = strings {
            z.start_file("xl/sharedStrings.xml", opts).unwrap();
            strings(&mut z);
        }
        z.finish().unwrap();
    }

    fn inline(r: &str, text: &str) -> String {
        format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    /// The header row of a payment file as inline strings.
    fn header_row() -> String {
        let cells: String = PAY_HEADER
            .split(',')
            .enumerate()
            .map(|(i, h)| inline(&format!("{}1", (b'A' + i as u8) as char), h))
            .collect();
        format!(r#"<row r="1">{cells}</row>"#)
    }

    #[test]
    fn one_cell_at_xfd1048576_is_one_row_not_a_grid() {
        use rust_xlsxwriter::Workbook;
        let dir = tempfile::tempdir().unwrap();
        // The issue's file: a single cell at the last cell of the grid (it aborted the process
        // allocating 549,755,813,888 bytes).
        let p = dir.path().join("xfd.xlsx");
        let mut wb = Workbook::new();
        wb.add_worksheet()
            .write_string(1_048_575, 16_383, "x")
            .unwrap();
        wb.save(&p).unwrap();
        assert!(std::fs::metadata(&p).unwrap().len() < 10_000);
        let e = open_err(&p);
        assert!(matches!(e, ImportError::HeaderNotFound { .. }), "{e}");

        // With a header and one good row: the good row imports, the far cell is its row's error.
        let (a, b) = usccs();
        let p = dir.path().join("xfd2.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in PAY_HEADER.split(',').enumerate() {
            ws.write_string(0, c as u16, h).unwrap();
        }
        let row = [
            "甲公司",
            &a,
            "电费",
            "否",
            "2024-01-01",
            "2024-01-31",
            "1",
            "千瓦时",
            "10",
            "湛江供电局",
            &b,
            "2024-02-05",
        ];
        for (c, v) in row.iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        wb.save(&p).unwrap();
        let (ok, bad) = collect(&p, None);
        assert_eq!(ok.len(), 1, "{bad:?}");
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].row, 1_048_576);
        assert!(bad[0].to_string().contains("多出 1 个"), "{}", bad[0]);
    }

    #[test]
    fn a_cell_beyond_excels_grid_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("far.xlsx");
        raw_xlsx(
            &p,
            |w| {
                w.write_all(header_row().as_bytes()).unwrap();
                w.write_all(format!(r#"<row r="2">{}</row>"#, inline("ZZZZ2", "x")).as_bytes())
                    .unwrap();
            },
            None,
        );
        let e = open_err(&p).to_string();
        assert!(e.contains("缴费") && e.contains("16384"), "{e}");
    }

    #[test]
    fn an_overlong_inline_cell_is_named_with_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("long.xlsx");
        // 1 MiB stands for the issue's 2 GiB cell: anything past the limit is refused the same
        // way, before a byte of it is kept.
        raw_xlsx(
            &p,
            |w| {
                w.write_all(header_row().as_bytes()).unwrap();
                w.write_all(br#"<row r="2"><c r="C2" t="inlineStr"><is><t>"#)
                    .unwrap();
                w.write_all(&vec![b'A'; 1 << 20]).unwrap();
                w.write_all(b"</t></is></c></row>").unwrap();
            },
            None,
        );
        let e = open_err(&p);
        assert!(matches!(e, ImportError::CellTooLong { .. }), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("工作表“缴费”")
                && msg.contains("第 2 行 C 列（C2）")
                && msg.contains("32767"),
            "{msg}"
        );
        assert!(msg.chars().count() < 300, "{msg}");
    }

    #[test]
    fn an_overlong_shared_string_is_named_by_the_cell_that_uses_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("shared.xlsx");
        let strings = |w: &mut dyn Write| {
            w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>short</t></si><si><t>"#).unwrap();
            w.write_all(&vec![b' '; 1 << 20]).unwrap();
            w.write_all(b"</t></si></sst>").unwrap();
        };
        raw_xlsx(
            &p,
            |w| {
                w.write_all(header_row().as_bytes()).unwrap();
                w.write_all(br#"<row r="5"><c r="D5" t="s"><v>1</v></c></row>"#)
                    .unwrap();
            },
            Some(&strings),
        );
        let msg = open_err(&p).to_string();
        assert!(
            msg.contains("第 5 行 D 列（D5）") && msg.contains("32767"),
            "{msg}"
        );
    }

    #[test]
    fn compressed_whitespace_is_refused_as_a_bomb() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bomb.xlsx");
        // Whitespace in 4 KB runs between empty elements: no run is long, the whole is 48 MB from
        // under 1 MB (the issue's file was 4 GB from 4 MB).
        let chunk: Vec<u8> = b"<x/>".iter().chain(&[b' '; 4092]).copied().collect();
        raw_xlsx(
            &p,
            |w| {
                w.write_all(header_row().as_bytes()).unwrap();
                for _ in 0..(48 << 20) / chunk.len() {
                    w.write_all(&chunk).unwrap();
                }
            },
            None,
        );
        assert!(std::fs::metadata(&p).unwrap().len() < 1 << 20);
        let e = open_err(&p);
        assert!(matches!(e, ImportError::WorkbookLimit { .. }), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("压缩比超过 200 倍") && msg.contains("sheet1.xml"),
            "{msg}"
        );

        // One long run of whitespace in the shared strings, outside any string.
        let p = dir.path().join("bomb2.xlsx");
        let strings = |w: &mut dyn Write| {
            w.write_all(br#"<sst uniqueCount="1"><si><t>a</t></si>"#)
                .unwrap();
            w.write_all(&vec![b'\n'; 1 << 20]).unwrap();
            w.write_all(b"</sst>").unwrap();
        };
        raw_xlsx(
            &p,
            |w| w.write_all(header_row().as_bytes()).unwrap(),
            Some(&strings),
        );
        let msg = open_err(&p).to_string();
        assert!(
            msg.contains("sharedStrings.xml") && msg.contains("256 KB"),
            "{msg}"
        );
    }

    #[test]
    fn a_declared_string_count_calamine_would_reserve_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("count.xlsx");
        let strings = |w: &mut dyn Write| {
            w.write_all(br#"<sst uniqueCount="4000000000000"><si><t>a</t></si></sst>"#)
                .unwrap();
        };
        raw_xlsx(
            &p,
            |w| w.write_all(header_row().as_bytes()).unwrap(),
            Some(&strings),
        );
        let msg = open_err(&p).to_string();
        assert!(
            msg.contains("4000000000000") && msg.contains("共享字符串"),
            "{msg}"
        );
    }

    #[test]
    fn a_streamed_sheet_imports_like_before() {
        let (a, b) = usccs();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ok.xlsx");
        let row = |r: u32, amount: &str| {
            let vals = [
                "乙公司",
                &a,
                "电费",
                "否",
                "2024-01-01",
                "2024-01-31",
                "1",
                "千瓦时",
                amount,
                "湛江供电局",
                &b,
                "2024-02-05",
            ];
            let cells: String = vals
                .iter()
                .enumerate()
                .map(|(i, v)| inline(&format!("{}{r}", (b'A' + i as u8) as char), v))
                .collect();
            format!(r#"<row r="{r}">{cells}</row>"#)
        };
        raw_xlsx(
            &p,
            |w| {
                w.write_all(header_row().as_bytes()).unwrap();
                w.write_all(row(2, "10").as_bytes()).unwrap();
                // Blank rows (styled empty cells) are skipped; row numbers stay Excel's.
                w.write_all(br#"<row r="3"><c r="A3" s="1"/></row>"#)
                    .unwrap();
                w.write_all(row(7, "x").as_bytes()).unwrap();
            },
            None,
        );
        let reader = open_records(&p, None, today()).unwrap();
        assert_eq!(reader.header().sheet.as_deref(), Some("缴费"));
        let (ok, bad) = collect(&p, None);
        assert_eq!(ok.iter().map(|r| r.row).collect::<Vec<_>>(), vec![2]);
        assert_eq!(bad.iter().map(|r| r.row).collect::<Vec<_>>(), vec![7]);
        assert!(bad[0].to_string().contains("缴费金额“x”"), "{}", bad[0]);
    }
}

xinyidian_core::on_both_engines! {
/// Error lines quote at most ~60 characters of a bad value, with control characters escaped,
/// and OS errors are said in Chinese (issue 14 point 10).
fn error_lines_quote_values_short_and_escaped() {
    let (a, b) = usccs();
    let long_date = format!("\u{1b}[2J{}", "9".repeat(100_000));
    let text = format!(
        "{PAY_HEADER}\n甲公司,{a},电费,否,2024-01-01,2024-01-31,1,千瓦时,10,湛江供电局,{b},{long_date}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "long.csv", text.as_bytes());
    let (_, bad) = collect(&p, None);
    let line = bad[0].to_string();
    assert!(line.contains("缴纳日期"), "{line}");
    assert!(line.chars().count() < 400, "{} chars", line.chars().count());
    assert!(
        !line.contains('\u{1b}') && line.contains("\\u{001B}"),
        "{line}"
    );
    assert!(line.contains("共 100004 字"), "{line}");
    // The rejected-rows file's 原因 column is the same short line; the cells stay as written.
    let reader = open_records(&p, None, today()).unwrap();
    let out = dir.path().join("rejected.csv");
    let mut w = RejectWriter::create(&out, reader.header()).unwrap();
    for r in reader {
        if let Err(e) = r {
            w.write(&e).unwrap();
        }
    }
    w.finish().unwrap();
    let saved = std::fs::read_to_string(&out).unwrap();
    assert_eq!(saved.matches(&long_date).count(), 1);
}
}

xinyidian_core::on_both_engines! {
fn files_that_cannot_be_opened_are_explained_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    for (path, expect) in [
        (dir.path().join("does-not-exist.csv"), "文件不存在"),
        (dir.path().to_path_buf(), "文件夹"),
    ] {
        let e = open_err(&path);
        let msg = e.to_string();
        assert!(matches!(e, ImportError::Open { .. }), "{msg}");
        assert!(msg.contains(expect), "{msg}");
        assert!(
            !msg.contains("os error") && !msg.contains("No such"),
            "{msg}"
        );
    }
    let header = open_records(
        &write(dir.path(), "a.csv", payments_csv().as_bytes()),
        None,
        today(),
    )
    .unwrap()
    .header()
    .clone();
    let e = RejectWriter::create(&dir.path().join("no/such/dir/r.csv"), &header)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("不存在") && !e.contains("os error"), "{e}");
}
}
