//! Reading the applicant's public credit report (公共信用信息报告) from its PDF: the text layer
//! ([`read_report_pdf`]) and the facts in it ([`parse_report_text`]) for rules T-3 and T-4.
//!
//! No portal publishes a machine-readable report, so the text is read as printed and parsed
//! tolerantly; whatever cannot be found is listed, for the clerk to complete by hand.

mod filters;
mod inflate;
mod parse;
mod pdf;
mod quiet;

use serde::Serialize;

use crate::domain::report::{CreditReport, ReportFact};

pub use parse::parse_report_text;
pub use pdf::{MAX_FILE_BYTES, MAX_PAGES, MAX_STREAM_BYTES, MAX_TOTAL_BYTES};

/// The text layer of a report PDF, page by page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportText {
    /// The text of each page (lines separated by `\n`).
    pub pages: Vec<String>,
    pub page_count: usize,
    /// Images in the file (a scan is images without text).
    pub images: usize,
    /// Pages whose text could not be extracted (1-based); their text is empty.
    pub unreadable_pages: Vec<u32>,
    /// The file was encrypted with an empty user password (owner restrictions only) and opened.
    pub was_encrypted: bool,
}

/// Pages are joined with a form feed, which [`parse_report_text`] uses to recognise the page
/// headers and footers repeated on every page.
pub const PAGE_BREAK: char = '\u{c}';

impl ReportText {
    /// The whole text, pages separated by [`PAGE_BREAK`].
    pub fn text(&self) -> String {
        let sep = format!("\n{PAGE_BREAK}\n");
        self.pages.join(&sep)
    }

    /// Characters that carry content: CJK ideographs, ASCII letters and digits.
    pub fn meaningful_chars(&self) -> usize {
        self.pages
            .iter()
            .flat_map(|p| p.chars())
            .filter(|&c| is_meaningful(c))
            .count()
    }

    /// Whether the file has a usable text layer: enough readable characters for its page count,
    /// and most of the printed characters readable (a font without a Unicode map yields symbols).
    pub fn has_text_layer(&self) -> bool {
        let meaningful = self.meaningful_chars();
        let printed = self
            .pages
            .iter()
            .flat_map(|p| p.chars())
            .filter(|c| !c.is_whitespace())
            .count();
        let needed = 40.max(15 * self.page_count);
        meaningful >= needed && meaningful * 2 >= printed
    }
}

fn is_meaningful(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Why a report PDF could not be read. `Display` is the Chinese message for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ReportReadError {
    /// The file has no bytes.
    #[error("所选文件是空的（0 字节）：请重新选择信用报告 PDF 文件")]
    Empty,
    /// Larger than [`MAX_FILE_BYTES`].
    #[error(
        "文件有 {} MB，超过 {} MB 的上限：公共信用信息报告一般只有几 MB，请确认选对了文件",
        bytes.div_ceil(1 << 20),
        limit >> 20
    )]
    TooLarge { bytes: u64, limit: u64 },
    /// No `%PDF-` signature; `detected` names what it seems to be (a PNG, a web page, …).
    #[error(
        "这不是 PDF 文件（{detected}）：请申请人从信用中国、信用广东或信用湛江下载 PDF 格式的报告"
    )]
    NotPdf { detected: String },
    /// Truncated or broken beyond what lopdf and pdf-extract can read.
    #[error("PDF 文件已损坏或不完整（{detail}）：请申请人重新下载报告")]
    Corrupt { detail: String },
    /// Encrypted with a user password (owner-only restrictions are opened).
    #[error("PDF 设有打开密码，无法读取：请申请人提供未加密的报告，或对照原件手工录入报告内容")]
    Encrypted,
    /// More pages than [`MAX_PAGES`] (declared in the page tree, or counted).
    #[error("PDF 有 {pages} 页，超过 {limit} 页的上限：这不像一份公共信用信息报告，请确认文件")]
    TooManyPages { pages: u64, limit: u64 },
    /// Refused as a bomb: streams inflating past the limits, forms drawing themselves, too much
    /// text, or extraction past its deadline.
    #[error(
        "PDF 内容异常（{detail}），为安全起见已拒绝读取：请申请人重新下载报告，或对照原件手工录入"
    )]
    Hostile { detail: String },
    /// No usable text layer: a scan or a photo (or a font without a Unicode map).
    #[error(
        "PDF 中没有可读取的文字（共 {pages} 页，可能是扫描件或拍照件）：请对照原件手工录入报告编号、报告生成日期、主体名称、统一社会信用代码或证件号码，以及不良信息"
    )]
    NoTextLayer {
        pages: usize,
        images: usize,
        /// Whatever text could be read (a watermark, a header), to help the clerk.
        partial_text: String,
    },
}

/// Extract the text layer of a report PDF. Size, page count and inflated stream sizes are checked
/// before anything is extracted (limits: [`MAX_FILE_BYTES`], [`MAX_PAGES`], [`MAX_STREAM_BYTES`],
/// [`MAX_TOTAL_BYTES`]); a panic inside the PDF libraries becomes [`ReportReadError::Corrupt`].
pub fn read_report_pdf(bytes: &[u8]) -> Result<ReportText, ReportReadError> {
    pdf::read(bytes)
}

/// Something the parser could not find or found inconsistent, for the clerk to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseProblem {
    /// The fact concerned, when there is one (the form can put the message next to its field).
    pub fact: Option<ReportFact>,
    pub message: String,
}

/// A parsed report: the facts found, and the problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedReport {
    pub report: CreditReport,
    pub problems: Vec<ParseProblem>,
}

/// Read and parse in one go.
pub fn read_and_parse(bytes: &[u8]) -> Result<ParsedReport, ReportReadError> {
    let text = read_report_pdf(bytes)?;
    let mut parsed = parse_report_text(&text.text());
    for page in &text.unreadable_pages {
        let message = format!("第 {page} 页的文字无法读取：请对照原件核对该页内容（依据 T-4）");
        // The page may hold bad entries: rule T-4 waits for the clerk.
        parsed.report.doubts.push(message.clone());
        parsed.problems.push(ParseProblem {
            fact: None,
            message,
        });
    }
    Ok(parsed)
}
