//! A one-sheet XLSX written as it goes: the package parts first, then the worksheet's rows
//! straight into its deflated zip entry, so memory stays a few buffers whatever the row count.
//!
//! Why not rust_xlsxwriter: it keeps every cell in memory unless its `constant_memory` feature is
//! on, which this crate's build does not enable (a million rows of a batch would take gigabytes).
//! The workbook is the minimum Excel, WPS and calamine open: inline strings (every cell is text,
//! so an ID number or a 用户编号 keeps its leading zeros and digits), a bold header row frozen
//! in place, fixed column widths.
//!
//! Byte-identical output for identical input: fixed zip timestamps (1980-01-01) and host system,
//! no creation time unless the caller gives one, deflate at a fixed level (1: a million-row batch is written in a few seconds; the
//! platform takes the file size).

use std::fs::File;
use std::io::{BufWriter, Write};

use chrono::NaiveDateTime;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

/// Data rows one worksheet holds (Excel: 1,048,576 rows, one of them the header).
pub(crate) const MAX_SHEET_ROWS: u64 = 1_048_575;
/// Excel's limit of one cell, in characters.
pub(crate) const MAX_CELL: usize = 32_767;
/// What the zip entry may reach without the zip64 extension (kept clear of 4 GiB).
const MAX_ENTRY_BYTES: u64 = 4_000_000_000;

/// Why a row could not be written (mapped to the caller's error with the path).
#[derive(Debug)]
pub(crate) enum XlsxStreamError {
    Io(std::io::Error),
    Zip(zip::result::ZipError),
    SheetFull,
    CellTooLong { column: u64 },
    TooLarge,
}

impl From<std::io::Error> for XlsxStreamError {
    fn from(e: std::io::Error) -> Self {
        XlsxStreamError::Io(e)
    }
}

impl From<zip::result::ZipError> for XlsxStreamError {
    fn from(e: zip::result::ZipError) -> Self {
        XlsxStreamError::Zip(e)
    }
}

pub(crate) struct XlsxStream {
    zip: ZipWriter<BufWriter<File>>,
    rows: u64,
    bytes: u64,
    buf: String,
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(DateTime::default())
        .system(System::Dos)
}

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
    r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
    r#"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#,
    "</Types>"
);

const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
    "</Relationships>"
);

const APP: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#,
    "<Application>信易电</Application></Properties>"
);

const WORKBOOK_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    "</Relationships>"
);

/// Two cell formats: 0 plain text, 1 bold (the header).
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<fonts count="2"><font><sz val="11"/><name val="宋体"/><family val="2"/></font>"#,
    r#"<font><b/><sz val="11"/><name val="宋体"/><family val="2"/></font></fonts>"#,
    r#"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
    r#"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>"#,
    r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
    "</styleSheet>"
);

impl XlsxStream {
    /// Start the workbook in `file`: every part but the worksheet, then the worksheet up to its
    /// header row. `created` goes into the document properties when given (a fixed value keeps
    /// re-writes identical).
    pub(crate) fn start(
        file: File,
        sheet: &str,
        header: &[String],
        created: Option<NaiveDateTime>,
    ) -> Result<Self, XlsxStreamError> {
        let mut zip = ZipWriter::new(BufWriter::with_capacity(256 * 1024, file));
        let opts = options();
        zip.start_file("[Content_Types].xml", opts)?;
        zip.write_all(CONTENT_TYPES.as_bytes())?;
        zip.start_file("_rels/.rels", opts)?;
        zip.write_all(ROOT_RELS.as_bytes())?;
        zip.start_file("docProps/app.xml", opts)?;
        zip.write_all(APP.as_bytes())?;
        zip.start_file("docProps/core.xml", opts)?;
        zip.write_all(core_xml(created).as_bytes())?;
        zip.start_file("xl/workbook.xml", opts)?;
        let mut workbook = String::from(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
            r#"<bookViews><workbookView/></bookViews><sheets><sheet name=""#
        ));
        escape_into(&mut workbook, sheet);
        workbook.push_str(r#"" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
        zip.write_all(workbook.as_bytes())?;
        zip.start_file("xl/_rels/workbook.xml.rels", opts)?;
        zip.write_all(WORKBOOK_RELS.as_bytes())?;
        zip.start_file("xl/styles.xml", opts)?;
        zip.write_all(STYLES.as_bytes())?;
        zip.start_file("xl/worksheets/sheet1.xml", opts)?;
        let mut head = String::from(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
            r#"<sheetViews><sheetView tabSelected="1" workbookViewId="0">"#,
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#,
            r#"<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>"#,
            r#"<sheetFormatPr defaultRowHeight="15"/>"#
        ));
        if !header.is_empty() {
            // Wide enough for a name or a USCC; the clerk can widen the rest.
            head.push_str(&format!(
                r#"<cols><col min="1" max="{}" width="20" customWidth="1"/></cols>"#,
                header.len()
            ));
        }
        head.push_str("<sheetData>");
        let mut this = Self {
            zip,
            rows: 0,
            bytes: 0,
            buf: head,
        };
        this.push_row(1, header, 1)?;
        Ok(this)
    }

    /// Append one data row.
    pub(crate) fn write_row(&mut self, cells: &[String]) -> Result<(), XlsxStreamError> {
        if self.rows >= MAX_SHEET_ROWS {
            return Err(XlsxStreamError::SheetFull);
        }
        self.rows += 1;
        self.push_row(self.rows + 1, cells, 0)
    }

    fn push_row(&mut self, r: u64, cells: &[String], style: u8) -> Result<(), XlsxStreamError> {
        use std::fmt::Write as _;
        let _ = write!(self.buf, r#"<row r="{r}">"#);
        for (i, v) in cells.iter().enumerate() {
            if v.chars().count() > MAX_CELL {
                return Err(XlsxStreamError::CellTooLong {
                    column: i as u64 + 1,
                });
            }
            if v.is_empty() {
                continue;
            }
            self.buf.push_str(r#"<c r=""#);
            push_col_letters(&mut self.buf, i);
            let _ = write!(self.buf, "{r}\"");
            if style != 0 {
                let _ = write!(self.buf, r#" s="{style}""#);
            }
            self.buf.push_str(r#" t="inlineStr"><is><t"#);
            if v.starts_with(char::is_whitespace) || v.ends_with(char::is_whitespace) {
                self.buf.push_str(r#" xml:space="preserve""#);
            }
            self.buf.push('>');
            escape_into(&mut self.buf, v);
            self.buf.push_str("</t></is></c>");
        }
        self.buf.push_str("</row>");
        if self.buf.len() >= 64 * 1024 {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> Result<(), XlsxStreamError> {
        self.bytes += self.buf.len() as u64;
        if self.bytes > MAX_ENTRY_BYTES {
            return Err(XlsxStreamError::TooLarge);
        }
        self.zip.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }

    /// Data rows written so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Close the worksheet and the package; the file is complete and flushed.
    pub(crate) fn finish(mut self) -> Result<(), XlsxStreamError> {
        self.buf.push_str("</sheetData></worksheet>");
        self.flush_buf()?;
        let mut out = self.zip.finish()?;
        out.flush()?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(())
    }
}

fn core_xml(created: Option<NaiveDateTime>) -> String {
    let mut s = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        "\n",
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
        "<dc:creator>信易电</dc:creator>"
    ));
    if let Some(t) = created {
        s.push_str(&format!(
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{}</dcterms:created>"#,
            t.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    s.push_str("</cp:coreProperties>");
    s
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
fn push_col_letters(out: &mut String, col: usize) {
    let mut n = col + 1;
    let mut letters = [0u8; 4];
    let mut len = 0;
    while n > 0 && len < letters.len() {
        let rem = (n - 1) % 26;
        letters[len] = b'A' + rem as u8;
        len += 1;
        n = (n - 1) / 26;
    }
    for b in letters[..len].iter().rev() {
        out.push(char::from(*b));
    }
}

/// XML text: the five special characters escaped; characters XML 1.0 cannot hold (controls
/// other than tab and line breaks) written in OOXML's `_xHHHH_` form, and a literal `_x` that
/// would read as that form escaped too, so that every value reads back as written.
fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    for (i, c) in s.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("_x{:04X}_", c as u32));
            }
            '_' if looks_escaped(&bytes[i..]) => out.push_str("_x005F_"),
            c => out.push(c),
        }
    }
}

fn looks_escaped(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        let letters = |c| {
            let mut s = String::new();
            push_col_letters(&mut s, c);
            s
        };
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(16_383), "XFD");
    }

    #[test]
    fn text_is_escaped_for_xml() {
        let mut s = String::new();
        escape_into(&mut s, "a&b<c>\"d\u{1}_x0041_");
        assert_eq!(s, "a&amp;b&lt;c&gt;&quot;d_x0001__x005F_x0041_");
    }
}
