//! Public credit report PDFs built in memory, for the tests and the benchmark. The generator is
//! the source of truth: no binary PDF is committed.
//!
//! The reports are drawn with printpdf 0.12.8 and the bundled Noto Sans SC. printpdf subsets the
//! font into a CIDFontType2 with Identity-H encoding and writes a `/ToUnicode` CMap for the
//! subset, so pdf-extract gets the Chinese text back without any extra step.
//!
//! Hostile files (encrypted, bombs, cycles) are assembled by hand or with lopdf.

use lopdf::encryption::{EncryptionState, EncryptionVersion, Permissions};
use printpdf::{
    Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect,
    TextItem,
};

/// A valid 统一社会信用代码 for the fixtures (the check character is computed).
pub fn uscc() -> String {
    let body = "91440800MA4UJ4K37";
    let c = crate::domain::id_codes::uscc_check_char(body).expect("17 valid characters");
    format!("{body}{c}")
}

pub const REPORT_NO: &str = "2026050419025750859D39";
pub const ORG_NAME: &str = "湛江市霞山区海港贸易有限公司";

/// One printed line: its text, indentation (mm), font size (pt), and letter spacing (pt; a
/// justified line in some portals, which pdf-extract reads back as `报 告 编 号`).
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    pub indent: f32,
    pub size: f32,
    pub spacing: f32,
}

impl Line {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            indent: 0.0,
            size: 10.5,
            spacing: 0.0,
        }
    }

    pub fn spaced(text: impl Into<String>) -> Self {
        Self {
            spacing: 4.0,
            ..Self::new(text)
        }
    }

    pub fn title(text: impl Into<String>) -> Self {
        Self {
            size: 16.0,
            indent: 30.0,
            ..Self::new(text)
        }
    }
}

/// Lines per A4 page at the fixtures' line height.
pub const LINES_PER_PAGE: usize = 34;

/// Draw pages of lines. `header`/`footer`, when given, are drawn on every page (the footer with
/// `第 N 页 共 M 页`).
pub fn render(pages: &[Vec<Line>], header: Option<&str>, footer: Option<&str>) -> Vec<u8> {
    let font = ParsedFont::from_bytes(crate::assets::CJK_FONT, 0, &mut Vec::new())
        .expect("the bundled font parses");
    let mut doc = PdfDocument::new("公共信用信息报告");
    let font_id = doc.add_font(&font);
    let total = pages.len();
    let text_op = |ops: &mut Vec<Op>, line: &Line, x: f32, y: f32| {
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(font_id.clone()),
            size: Pt(line.size),
        });
        ops.push(Op::SetCharacterSpacing {
            multiplier: line.spacing,
        });
        ops.push(Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(line.text.clone())],
        });
        ops.push(Op::EndTextSection);
    };
    let mm = |v: f32| v * 72.0 / 25.4;
    let pdf_pages = pages
        .iter()
        .enumerate()
        .map(|(n, lines)| {
            let mut ops = Vec::new();
            // A frame, as the portals draw tables: graphics must not disturb the text.
            ops.push(Op::DrawRectangle {
                rectangle: Rect::from_xywh(
                    Pt(mm(15.0)),
                    Pt(mm(20.0)),
                    Pt(mm(180.0)),
                    Pt(mm(255.0)),
                ),
            });
            if let Some(h) = header {
                text_op(&mut ops, &Line::new(h), mm(20.0), mm(285.0));
            }
            for (i, line) in lines.iter().enumerate() {
                let y = mm(270.0 - 7.0 * i as f32);
                text_op(&mut ops, line, mm(20.0 + line.indent), y);
            }
            if let Some(f) = footer {
                let text = format!("{f}    第 {} 页 共 {total} 页", n + 1);
                text_op(&mut ops, &Line::new(text), mm(60.0), mm(10.0));
            }
            PdfPage::new(Mm(210.0), Mm(297.0), ops)
        })
        .collect();
    doc.with_pages(pdf_pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new())
}

/// Break lines into pages of [`LINES_PER_PAGE`].
pub fn paginate(lines: Vec<Line>) -> Vec<Vec<Line>> {
    lines.chunks(LINES_PER_PAGE).map(<[Line]>::to_vec).collect()
}

fn plain(lines: &[&str]) -> Vec<Line> {
    lines.iter().map(|l| Line::new(*l)).collect()
}

/// The header block of an organisation report, labels with full-width colons.
pub fn org_header(name: &str, code: &str) -> Vec<Line> {
    vec![
        Line::title("法人和非法人组织公共信用信息报告"),
        Line::new(format!("报告编号：{REPORT_NO}")),
        Line::new("报告生成日期：2026年05月04日"),
        Line::new("报告出具单位：国家公共信用和地理空间信息中心"),
        Line::new(format!("机构名称：{name}")),
        Line::new(format!("统一社会信用代码：{code}")),
        Line::new("法定代表人/负责人：张三"),
        Line::new("存续"),
    ]
}

fn summary(admin: u32, serious: u32, abnormal: u32, judicial: u32, other: u32) -> Vec<Line> {
    vec![
        Line::new("信用信息概要"),
        Line::new(format!(
            "行政管理 {admin}条    诚实守信 0条    严重失信主体名单 {serious}条    经营异常 {abnormal}条"
        )),
        Line::new(format!(
            "信用承诺 0条    信用评价 0条    司法判决 {judicial}条    其他 {other}条"
        )),
    ]
}

fn empty_chapter(title: &str) -> Vec<Line> {
    plain(&[title, "查询期内无相关信息"])
}

fn closing() -> Vec<Line> {
    plain(&[
        "十、信用状况提升建议",
        "建议秉持诚信理念，合法有序开展经营活动。",
        "报告说明",
        "一、本报告由信用中国网站生成，可通过报告编号核验真伪。",
    ])
}

/// Lines of a clean organisation report: one 行政许可, nothing bad.
pub fn clean_org_lines() -> Vec<Line> {
    let mut l = org_header(ORG_NAME, &uscc());
    l.extend(summary(1, 0, 0, 0, 0));
    l.extend(plain(&[
        "一、登记注册基础信息",
        "企业类型：有限责任公司    成立日期：2015年03月18日",
        "二、行政管理信息",
        "行政许可信息",
        "第 1 条",
        "行政许可决定文书号：湛霞许字〔2024〕1号",
        "许可决定日期：2024年03月01日",
        "行政处罚信息",
        "查询期内无相关信息",
    ]));
    for ch in [
        "三、诚实守信相关荣誉信息",
        "四、严重失信主体名单信息",
        "五、经营（活动）异常名录",
        "六、信用承诺信息",
        "七、信用评价信息",
        "八、司法判决及执行信息",
        "九、其他信息",
    ] {
        l.extend(empty_chapter(ch));
    }
    l.extend(closing());
    l
}

/// Lines of a report with bad entries in 二/四/五/八/九, next to good ones that must not count
/// (two 行政许可, a 司法判决, a 纳税信用A级 in 九).
pub fn adverse_org_lines() -> Vec<Line> {
    let mut l = org_header(ORG_NAME, &uscc());
    l.extend(summary(3, 1, 1, 2, 2));
    l.extend(plain(&[
        "一、登记注册基础信息",
        "二、行政管理信息",
        "行政许可信息",
        "第 1 条",
        "行政许可决定文书号：湛霞许字〔2024〕1号",
        "许可决定日期：2024年03月01日",
        "第 2 条",
        "行政许可决定文书号：湛霞许字〔2025〕7号",
        "许可决定日期：2025年06月11日",
        "行政处罚信息",
        "第 1 条",
        "行政处罚决定书文号：湛霞市监罚〔2024〕12号",
        "处罚类别：罚款",
        "处罚决定日期：2024年12月24日",
        "处罚机关：湛江市霞山区市场监督管理局",
        "三、诚实守信相关荣誉信息",
        "查询期内无相关信息",
        "四、严重失信主体名单信息",
        "第 1 条",
        "名单类型：重大税收违法失信主体",
        "列入日期：2023-06-30",
        "五、经营（活动）异常名录",
        "第 1 条",
        "列入经营异常名录原因类型名称：未按规定报送年度报告",
        "列入日期：— —",
        "六、信用承诺信息",
        "查询期内无相关信息",
        "七、信用评价信息",
        "查询期内无相关信息",
        "八、司法判决及执行信息",
        "（一）司法判决",
        "第 1 条",
        "案号：（2023）粤0802民初1号",
        "（二）失信被执行人",
        "第 1 条",
        "失信被执行人行为具体情形：有履行能力而拒不履行生效法律文书确定义务",
        "立案时间：2022年05月06日",
        "发布时间：2023年01月09日",
        "九、其他信息",
        "第 1 条",
        "纳税信用A级纳税人",
        "评价年度：2024",
        "第 2 条",
        "拖欠农民工工资失信联合惩戒对象",
        "记录日期：2025-03-01",
    ]));
    l.extend(closing());
    l
}

/// A 个人 report (labels unknown from public sources: 姓名 / 证件号码, as the parser assumes).
pub fn person_lines() -> Vec<Line> {
    let mut l = plain(&[
        "个人公共信用信息报告",
        "报告编号：2026050419025750859D39",
        "报告生成日期：2026-05-04 19:02:57",
        "报告出具单位：信用广东",
        "姓名：王五",
        "证件类型：居民身份证",
        "证件号码：440802********1234",
    ]);
    l.extend(summary(0, 0, 0, 0, 0));
    for ch in [
        "一、基础信息",
        "二、行政管理信息",
        "三、诚实守信相关荣誉信息",
        "四、严重失信主体名单信息",
        "五、经营（活动）异常名录",
        "六、信用承诺信息",
        "七、信用评价信息",
        "八、司法判决及执行信息",
        "九、其他信息",
    ] {
        l.extend(empty_chapter(ch));
    }
    l.extend(closing());
    l
}

/// Labels and values on separate lines, a label wrapped over two lines, a wrapped name, letter-
/// spaced labels, half-width colons.
pub fn split_lines_lines() -> Vec<Line> {
    let code = uscc();
    let mut l = vec![
        Line::title("法人和非法人组织公共信用信息报告"),
        Line::spaced("报告编号"),
        Line::new(REPORT_NO),
        Line::spaced("报告生成日期"),
        Line::new("2026-05-04 19:02:57"),
        Line::new("报告出具单位"),
        Line::new("信用湛江"),
        Line::new("机构名称：湛江市霞山区海港贸易有"),
        Line::new("限公司"),
        Line::new(format!("统一社会信用代码:{code}")),
        Line::new("法定代表人/"),
        Line::new("负责人:李四"),
    ];
    l.extend(summary(0, 0, 0, 0, 0));
    for ch in [
        "一、登记注册基础信息",
        "二、行政管理信息",
        "三、诚实守信相关荣誉信息",
        "四、严重失信主体名单信息",
        "五、经营（活动）异常名录",
        "六、信用承诺信息",
        "七、信用评价信息",
        "八、司法判决及执行信息",
        "九、其他信息",
    ] {
        l.extend(empty_chapter(ch));
    }
    l.extend(closing());
    l
}

/// Half-width colons throughout (`报告编号:…`), the rest as the clean report.
pub fn half_width_lines() -> Vec<Line> {
    clean_org_lines()
        .into_iter()
        .map(|mut l| {
            l.text = l.text.replace('：', ":");
            l
        })
        .collect()
}

/// A report of about `pages` pages: `filler` 行政许可 entries make it long, one 行政处罚 entry at
/// the end must still be found.
pub fn long_lines(pages: usize) -> Vec<Line> {
    let permits = (pages * LINES_PER_PAGE).saturating_sub(60) / 3;
    let mut l = org_header(ORG_NAME, &uscc());
    l.extend(summary(permits as u32 + 1, 0, 0, 0, 0));
    l.extend(plain(&[
        "一、登记注册基础信息",
        "二、行政管理信息",
        "行政许可信息",
    ]));
    for i in 1..=permits {
        l.push(Line::new(format!("第 {i} 条")));
        l.push(Line::new(format!(
            "行政许可决定文书号：湛霞许字〔2024〕{i}号"
        )));
        l.push(Line::new("许可决定日期：2024年03月01日"));
    }
    l.extend(plain(&[
        "行政处罚信息",
        "第 1 条",
        "行政处罚决定书文号：湛霞市监罚〔2025〕3号",
        "处罚决定日期：2025年08月08日",
    ]));
    for ch in [
        "三、诚实守信相关荣誉信息",
        "四、严重失信主体名单信息",
        "五、经营（活动）异常名录",
        "六、信用承诺信息",
        "七、信用评价信息",
        "八、司法判决及执行信息",
        "九、其他信息",
    ] {
        l.extend(empty_chapter(ch));
    }
    l.extend(closing());
    l
}

pub const PAGE_HEADER: &str =
    "法人和非法人组织公共信用信息报告    报告编号：2026050419025750859D39";
pub const PAGE_FOOTER: &str = "本报告仅供参考，以信用中国网站查询结果为准";

pub fn clean_org_report() -> Vec<u8> {
    render(&paginate(clean_org_lines()), None, None)
}

pub fn adverse_org_report() -> Vec<u8> {
    render(&paginate(adverse_org_lines()), None, None)
}

pub fn person_report() -> Vec<u8> {
    render(&paginate(person_lines()), None, None)
}

pub fn split_lines_report() -> Vec<u8> {
    render(&paginate(split_lines_lines()), None, None)
}

pub fn half_width_report() -> Vec<u8> {
    render(&paginate(half_width_lines()), None, None)
}

/// The adverse report spread over several pages, with the header and footer on every page.
pub fn multi_page_report() -> Vec<u8> {
    let pages: Vec<Vec<Line>> = adverse_org_lines()
        .chunks(14)
        .map(<[Line]>::to_vec)
        .collect();
    render(&pages, Some(PAGE_HEADER), Some(PAGE_FOOTER))
}

/// About 30 pages, for the benchmark.
pub fn large_report(pages: usize) -> Vec<u8> {
    render(
        &paginate(long_lines(pages)),
        Some(PAGE_HEADER),
        Some(PAGE_FOOTER),
    )
}

/// Pages with graphics and a single watermark word but no text layer: what a scan looks like
/// to a text extractor.
pub fn scan_only_report(pages: usize) -> Vec<u8> {
    let p: Vec<Vec<Line>> = (0..pages).map(|_| vec![Line::new("信用中国")]).collect();
    render(&p, None, None)
}

/// The clean report encrypted with lopdf (RC4 128-bit). `user_password` empty: owner
/// restrictions only, which any viewer opens without asking.
pub fn encrypted_report(user_password: &str) -> Vec<u8> {
    let bytes = clean_org_report();
    let mut doc = lopdf::Document::load_mem(&bytes).expect("own PDF loads");
    let version = EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner-secret",
        user_password,
        key_length: 128,
        permissions: Permissions::PRINTABLE,
    };
    let state = EncryptionState::try_from(version).expect("encryption state");
    doc.encrypt(&state).expect("encrypts");
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saves");
    out
}

/// A minimal PNG (signature and IHDR), as if a photo were renamed `.pdf`.
pub fn png_bytes() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&[0, 0, 0, 13]);
    v.extend_from_slice(b"IHDR");
    v.extend_from_slice(&[
        0, 0, 4, 0, 0, 0, 3, 0, 8, 2, 0, 0, 0, 0x5d, 0x1d, 0x6e, 0x5d,
    ]);
    v.extend(std::iter::repeat_n(0u8, 4096));
    v
}

/// Assemble a PDF from object bodies (object `i + 1` is `objects[i]`, bytes between `obj` and
/// `endobj`), with a correct cross-reference table. `root` is the catalog's object number.
pub fn assemble(objects: &[Vec<u8>], root: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream_object(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

/// A one-page PDF whose page draws `content` with the given extra resources (hand-written).
pub fn one_page(
    content: &[u8],
    content_dict: &str,
    extra_objects: Vec<Vec<u8>>,
    resources: &str,
) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << {resources} >> >>")
            .into_bytes(),
        stream_object(content_dict, content),
    ];
    objects.extend(extra_objects);
    assemble(&objects, 1)
}

/// A zlib stream that inflates to `size` zero bytes, written directly (fixed Huffman codes: one
/// literal, then back-references of 258 bytes at distance 1) so that the test itself never holds
/// the inflated data. About 6.3 bytes per 1,000 inflated.
pub fn zlib_zeros(size: u64) -> Vec<u8> {
    struct W {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl W {
        fn bits(&mut self, v: u64, n: u32) {
            self.acc |= v << self.n;
            self.n += n;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes are sent most significant bit first.
        fn code(&mut self, code: u64, len: u32) {
            let mut rev = 0;
            for i in 0..len {
                rev |= ((code >> i) & 1) << (len - 1 - i);
            }
            self.bits(rev, len);
        }
    }
    let mut w = W {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    w.bits(1, 1); // final block
    w.bits(1, 2); // fixed Huffman
    w.code(0x30, 8); // literal 0
    let mut left = size.saturating_sub(1);
    while left >= 258 {
        w.code(0b1100_0101, 8); // length symbol 285 = 258
        w.code(0, 5); // distance symbol 0 = 1
        left -= 258;
    }
    for _ in 0..left {
        w.code(0x30, 8);
    }
    w.code(0, 7); // end of block (symbol 256)
    w.bits(0, 7);
    w.out.extend_from_slice(&[0, 0, 0, 0]); // adler32: never reached by the probe
    w.out
}

/// A page whose content stream inflates to `size` bytes of zeros.
pub fn content_bomb(size: u64) -> Vec<u8> {
    one_page(&zlib_zeros(size), "/Filter /FlateDecode", Vec::new(), "")
}

/// A page tree that claims a million pages.
pub fn page_count_bomb() -> Vec<u8> {
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1000000 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ];
    assemble(&objects, 1)
}

/// A page tree whose one `Pages` node lists itself a million times (the real count is huge too).
pub fn page_tree_loop() -> Vec<u8> {
    let kids = "2 0 R ".repeat(100_000);
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{kids} 3 0 R] /Count 1 >>").into_bytes(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
    ];
    assemble(&objects, 1)
}

/// A content stream that declares a length of a hundred gigabytes.
pub fn huge_declared_length() -> Vec<u8> {
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        b"<< /Length 99999999999 >>\nstream\nBT ET\nendstream".to_vec(),
    ];
    assemble(&objects, 1)
}

/// A stream of type `ty` (`ObjStm` or `XRef`: both are inflated by lopdf while it loads the
/// file) that inflates to `size` bytes.
pub fn load_time_stream_bomb(ty: &str, size: u64) -> Vec<u8> {
    let data = zlib_zeros(size);
    let objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        stream_object(
            &format!("/Type /{ty} /N 1 /First 4 /Size 5 /W [1 2 1] /Filter /FlateDecode"),
            &data,
        ),
    ];
    assemble(&objects, 1)
}

/// A form XObject that draws itself: pdf-extract would recurse until the stack overflows.
pub fn self_drawing_form() -> Vec<u8> {
    let form = stream_object(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /F1 5 0 R >> >>",
        b"/F1 Do",
    );
    one_page(b"/F1 Do", "", vec![form], "/XObject << /F1 5 0 R >>")
}

/// A form drawn 100,000 times per page, each time parsing 4 KB: 400 MB of content work.
pub fn form_amplification() -> Vec<u8> {
    let form_content = b"0 0 m 1 1 l S\n".repeat(300);
    let form = stream_object(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10]",
        &form_content,
    );
    let page = b"/F1 Do\n".repeat(100_000);
    one_page(&page, "", vec![form], "/XObject << /F1 5 0 R >>")
}

/// Issue 14 point 12: the summary says 司法判决 1 条, but chapter 八 prints its one
/// 失信被执行人 entry as a row of a wide table without labels or `第 N 条`, which the reader
/// cannot take apart: it reads 0 entries there and doubts the report.
pub fn unreadable_entry_lines() -> Vec<Line> {
    let mut l = org_header(ORG_NAME, &uscc());
    l.extend(summary(0, 0, 0, 1, 0));
    for ch in [
        "一、登记注册基础信息",
        "二、行政管理信息",
        "三、诚实守信相关荣誉信息",
        "四、严重失信主体名单信息",
        "五、经营（活动）异常名录",
        "六、信用承诺信息",
        "七、信用评价信息",
    ] {
        l.extend(empty_chapter(ch));
    }
    l.extend(plain(&[
        "八、司法判决及执行信息",
        "失信被执行人",
        "1    （2025）粤0802执100号    有履行能力而拒不履行    2025-06-06",
    ]));
    l.extend(empty_chapter("九、其他信息"));
    l.extend(closing());
    l
}

pub fn unreadable_entry_report() -> Vec<u8> {
    render(&paginate(unreadable_entry_lines()), None, None)
}
