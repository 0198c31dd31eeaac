//! Reading the text layer of a report PDF with bounded time and memory.
//!
//! Order of defences, cheapest first, all before any text is extracted:
//! 1. file size and signature (a PNG renamed `.pdf`, an HTML error page, an OFD/ZIP file);
//! 2. a raw scan of the streams lopdf inflates while *loading* (cross-reference and object
//!    streams), each inflated only as far as a counter, stopping at the limit;
//! 3. after loading: encryption, the declared and the real page count, `/Parent` cycles;
//! 4. every remaining stream decoded here, through its whole filter chain, by the bounded
//!    streaming decoder of `filters` (each stage capped, plus a total cap), and stored back as a
//!    plain stream, so that lopdf's own decoders never decide what pdf-extract reads; image
//!    streams are emptied (pdf-extract would inflate and parse them as text otherwise);
//! 5. form XObjects: cycles and the total amount of content that `Do` would make pdf-extract
//!    parse (a small form drawn a million times is a bomb too).
//!
//! Extraction itself runs page by page under `catch_unwind` (pdf-extract panics on odd input),
//! with the panic message silenced (`quiet`), a cap on the characters produced and a deadline.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::filters::{self, DecodeError, Filter};
use super::inflate::{Inflated, zlib_inflated_size};
use super::quiet::catch_quietly;
use super::{ReportReadError, ReportText};

/// Largest file accepted: a real report is a few MB.
pub const MAX_FILE_BYTES: usize = 30 * 1024 * 1024;
/// Most pages accepted (declared in the page tree, and counted).
pub const MAX_PAGES: usize = 300;
/// Most bytes one stream may inflate to.
pub const MAX_STREAM_BYTES: u64 = 32 * 1024 * 1024;
/// Most bytes all streams together may inflate to.
pub const MAX_TOTAL_BYTES: u64 = 160 * 1024 * 1024;
/// Most content bytes pdf-extract may be made to parse, counting every `Do` of a form.
pub const MAX_CONTENT_WORK: u64 = 256 * 1024 * 1024;
/// Most characters extracted.
pub const MAX_TEXT_CHARS: usize = 4_000_000;
/// Extraction gives up after this long (a backstop: the checks above bound the work).
pub const EXTRACT_DEADLINE: Duration = Duration::from_secs(30);
/// Encrypted object streams cannot be probed before lopdf decrypts and inflates them while
/// loading; their raw size is capped instead (a legitimate one holds a few hundred small objects).
const MAX_ENCRYPTED_OBJSTM_RAW: usize = 128 * 1024;
/// Form XObjects nested deeper than this are refused.
const MAX_FORM_DEPTH: usize = 16;
/// Visits of the form graph before giving up.
const MAX_FORM_VISITS: usize = 200_000;

/// Read the report's text layer; see the module documentation for the limits.
pub fn read(bytes: &[u8]) -> Result<ReportText, ReportReadError> {
    if bytes.is_empty() {
        return Err(ReportReadError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReportReadError::TooLarge {
            bytes: bytes.len() as u64,
            limit: MAX_FILE_BYTES as u64,
        });
    }
    let head = bytes.get(..1024).unwrap_or(bytes);
    if find(head, b"%PDF-", 0).is_none() {
        return Err(ReportReadError::NotPdf {
            detected: sniff(bytes).to_string(),
        });
    }
    // lopdf and pdf-extract are not meant to panic on bad input, but pdf-extract does; nothing
    // that happens while reading may take the program down.
    match catch_quietly(|| read_pdf(bytes)) {
        Ok(result) => result,
        Err(_) => Err(ReportReadError::Corrupt {
            detail: "文件结构异常，读取时出错".into(),
        }),
    }
}

/// [`read`] after the signature check.
fn read_pdf(bytes: &[u8]) -> Result<ReportText, ReportReadError> {
    let raw_encrypted = find(bytes, b"/Encrypt", 0).is_some();
    scan_load_time_streams(bytes, raw_encrypted)?;

    let mut doc = match Document::load_mem(bytes) {
        Ok(doc) => doc,
        Err(e) => return Err(load_error(bytes, raw_encrypted, &e.to_string())),
    };
    if doc.trailer.get(b"Encrypt").is_ok() {
        // lopdf opens documents whose user password is empty by itself; what is left encrypted
        // needs a password we do not have.
        return Err(ReportReadError::Encrypted);
    }
    let was_encrypted = doc.was_encrypted();

    let page_count = check_pages(&doc)?;
    let images = decode_streams(&mut doc)?;
    check_forms(&doc)?;

    let mut out = Collector::new(Instant::now() + EXTRACT_DEADLINE);
    let mut unreadable = Vec::new();
    for page_num in 1..=u32::try_from(page_count).unwrap_or(u32::MAX) {
        out.start_page();
        let result = catch_quietly(|| pdf_extract::output_doc_page(&doc, &mut out, page_num));
        if let Some(abort) = out.abort.take() {
            return Err(abort);
        }
        match result {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => unreadable.push(page_num),
        }
        out.finish_page();
    }
    if !unreadable.is_empty() && unreadable.len() == page_count {
        return Err(ReportReadError::Corrupt {
            detail: "每一页都无法解析".into(),
        });
    }
    let text = ReportText {
        pages: out.pages,
        page_count,
        images,
        unreadable_pages: unreadable,
        was_encrypted,
    };
    if !text.has_text_layer() {
        return Err(ReportReadError::NoTextLayer {
            pages: page_count,
            images,
            partial_text: text.text(),
        });
    }
    Ok(text)
}

/// Name what the file is when it is not a PDF: the clerk can then tell the applicant.
fn sniff(bytes: &[u8]) -> &'static str {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    let head = bytes.get(..512).unwrap_or(bytes);
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    if starts(b"\x89PNG") {
        "是 PNG 图片"
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        "是 JPEG 图片"
    } else if starts(b"GIF8") {
        "是 GIF 图片"
    } else if starts(b"BM") {
        "是 BMP 图片"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "是 TIFF 图片"
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        "是 WebP 图片"
    } else if starts(b"PK\x03\x04") {
        "是 OFD 或 ZIP 压缩文件；如为 OFD 版报告，请改下载 PDF 版"
    } else if starts(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "是旧版 Word/Excel 文件"
    } else if starts(b"Rar!") || starts(b"7z\xBC\xAF") {
        "是压缩包"
    } else if find(&lower, b"<html", 0).is_some() || find(&lower, b"<!doctype", 0).is_some() {
        "是网页，可能下载时出错，保存成了网页"
    } else {
        "文件开头没有 PDF 标记"
    }
}

fn load_error(bytes: &[u8], raw_encrypted: bool, detail: &str) -> ReportReadError {
    if raw_encrypted {
        return ReportReadError::Encrypted;
    }
    let tail_start = bytes.len().saturating_sub(2048);
    let tail = bytes.get(tail_start..).unwrap_or(&[]);
    let detail = if find(tail, b"%%EOF", 0).is_none() {
        "文件结尾缺失，可能没有下载完整".to_string()
    } else {
        format!("无法解析文件结构：{detail}")
    };
    ReportReadError::Corrupt { detail }
}

/// Naive search of `needle` in `hay` from `from`.
pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let rel = hay.get(i..)?.iter().position(|&b| b == first)?;
        i += rel;
        if hay.get(i..i + needle.len())? == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn rfind(hay: &[u8], needle: &[u8], before: usize, window: usize) -> Option<usize> {
    let start = before.saturating_sub(window);
    let part = hay.get(start..before)?;
    part.windows(needle.len())
        .rposition(|w| w == needle)
        .map(|p| start + p)
}

/// Step 2: cross-reference streams and object streams are inflated by lopdf while it loads, so
/// they are probed on the raw bytes first. Every `stream` keyword is found, the dictionary
/// before it read back to its `obj`, and the data up to `endstream` counted.
fn scan_load_time_streams(bytes: &[u8], encrypted: bool) -> Result<(), ReportReadError> {
    let mut from = 0;
    let mut prev_end = 0;
    let mut total: u64 = 0;
    while let Some(kw) = find(bytes, b"stream", from) {
        from = kw + 6;
        // `endstream` also contains `stream`.
        if kw >= 3 && bytes.get(kw - 3..kw) == Some(b"end") {
            continue;
        }
        let mut start = kw + 6;
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let end = find(bytes, b"endstream", start).unwrap_or(bytes.len());
        // Skip the data: each byte of the file is looked at about twice.
        from = from.max(end);
        // The dictionary lies between this object's `obj` and `stream`, after the previous
        // stream; a dictionary of more than 8 KB is not looked into.
        let lo = kw.saturating_sub(8 * 1024).max(prev_end);
        prev_end = end;
        let Some(obj) = rfind(bytes, b"obj", kw, kw - lo) else {
            continue;
        };
        let dict = bytes.get(obj..kw).unwrap_or(&[]);
        let is_objstm = find(dict, b"/ObjStm", 0).is_some();
        let is_xref = find(dict, b"/XRef", 0).is_some();
        if !is_objstm && !is_xref || find(dict, b"/Filter", 0).is_none() {
            continue;
        }
        let data = bytes.get(start..end).unwrap_or(&[]);
        // An encrypted object stream cannot be probed (cross-reference streams are never
        // encrypted): its raw size is capped instead.
        if encrypted && is_objstm {
            if data.len() > MAX_ENCRYPTED_OBJSTM_RAW {
                return Err(ReportReadError::Hostile {
                    detail: format!(
                        "加密文件中的对象流有 {} KB，超过 {} KB 的上限",
                        data.len() / 1024,
                        MAX_ENCRYPTED_OBJSTM_RAW / 1024
                    ),
                });
            }
            continue;
        }
        // The whole chain as written (predictors only shrink, so parameters can be ignored).
        let chain: Option<Vec<Filter>> = filters::raw_filter_names(dict).map(|names| {
            names
                .into_iter()
                .map(|name| Filter { name, parms: None })
                .collect()
        });
        let size = match chain {
            Some(chain) => match filters::decoded_size(data, &chain, MAX_STREAM_BYTES) {
                Ok(n) => n,
                Err(DecodeError::OverLimit) => return Err(stream_too_big(MAX_STREAM_BYTES)),
                // lopdf cannot decode it either: it fails to load the stream.
                Err(DecodeError::Unsupported(_)) => 0,
            },
            None => match zlib_inflated_size(data, MAX_STREAM_BYTES) {
                Inflated::OverLimit => return Err(stream_too_big(MAX_STREAM_BYTES)),
                Inflated::Size(n) => n,
            },
        };
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(total_too_big());
        }
    }
    Ok(())
}

fn stream_too_big(limit: u64) -> ReportReadError {
    ReportReadError::Hostile {
        detail: format!("其中一段数据解压后超过 {} MB", limit >> 20),
    }
}

fn total_too_big() -> ReportReadError {
    ReportReadError::Hostile {
        detail: format!("全部数据解压后超过 {} MB", MAX_TOTAL_BYTES >> 20),
    }
}

/// Step 3: the declared page count, the real one, and `/Parent` chains (pdf-extract follows them
/// recursively to inherit resources; a cycle would overflow the stack, which cannot be caught).
fn check_pages(doc: &Document) -> Result<usize, ReportReadError> {
    let declared = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|p| doc.dereference(p).ok())
        .and_then(|(_, p)| p.as_dict().ok())
        .and_then(|p| p.get(b"Count").ok())
        .and_then(|c| c.as_i64().ok());
    if let Some(n) = declared
        && n > MAX_PAGES as i64
    {
        return Err(ReportReadError::TooManyPages {
            pages: u64::try_from(n).unwrap_or(u64::MAX),
            limit: MAX_PAGES as u64,
        });
    }
    let pages: Vec<ObjectId> = doc.page_iter().take(MAX_PAGES + 1).collect();
    if pages.len() > MAX_PAGES {
        return Err(ReportReadError::TooManyPages {
            pages: pages.len() as u64,
            limit: MAX_PAGES as u64,
        });
    }
    if pages.is_empty() {
        return Err(ReportReadError::Corrupt {
            detail: "文件中没有页面".into(),
        });
    }
    for &page in &pages {
        let mut seen = HashSet::new();
        let mut id = page;
        loop {
            if !seen.insert(id) || seen.len() > 64 {
                return Err(ReportReadError::Corrupt {
                    detail: "页面树结构循环引用".into(),
                });
            }
            let parent = doc
                .get_dictionary(id)
                .ok()
                .and_then(|d| d.get(b"Parent").ok())
                .and_then(|p| p.as_reference().ok());
            match parent {
                Some(p) => id = p,
                None => break,
            }
        }
    }
    Ok(pages.len())
}

fn is_image(stream: &Stream) -> bool {
    matches!(
        stream.dict.get(b"Subtype").and_then(Object::as_name),
        Ok(b"Image")
    )
}

/// Step 4: empty every image (counted, for the scan diagnosis) and decode every other stream
/// through its filter chain, bounded per stage and in total, into a plain stream. Returns the
/// number of images.
fn decode_streams(doc: &mut Document) -> Result<usize, ReportReadError> {
    let ids: Vec<ObjectId> = doc.objects.keys().copied().collect();
    let mut images = 0;
    let mut total: u64 = 0;
    for id in ids {
        let decoded = {
            let Some(Object::Stream(stream)) = doc.objects.get(&id) else {
                continue;
            };
            if is_image(stream) {
                images += 1;
                Some(Vec::new())
            } else {
                decode_stream(doc, stream)?
            }
        };
        let size = match (&decoded, doc.objects.get(&id)) {
            (Some(d), _) => d.len() as u64,
            (None, Some(Object::Stream(s))) => s.content.len() as u64,
            (None, _) => 0,
        };
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(total_too_big());
        }
        if let (Some(d), Some(Object::Stream(stream))) = (decoded, doc.objects.get_mut(&id)) {
            stream.set_plain_content(d);
        }
    }
    Ok(images)
}

/// The decoded content of a non-image stream: `None` when it has no filter (it stays as it is),
/// empty when a filter cannot be decoded here (a text extractor has nothing to read in it).
fn decode_stream(doc: &Document, stream: &Stream) -> Result<Option<Vec<u8>>, ReportReadError> {
    let chain = match filters::chain(&stream.dict, |o| doc.dereference(o).ok().map(|(_, o)| o)) {
        Ok(c) if c.is_empty() => return Ok(None),
        Ok(c) => c,
        Err(_) => return Ok(Some(Vec::new())),
    };
    match filters::decode(&stream.content, &chain, MAX_STREAM_BYTES) {
        Ok(d) => Ok(Some(d)),
        Err(DecodeError::OverLimit) => Err(stream_too_big(MAX_STREAM_BYTES)),
        Err(DecodeError::Unsupported(_)) => Ok(Some(Vec::new())),
    }
}

/// The `XObject` dictionary of a resources object (direct or referenced).
fn xobject_dict<'a>(doc: &'a Document, resources: Option<&'a Object>) -> Option<&'a Dictionary> {
    let (_, res) = doc.dereference(resources?).ok()?;
    let xo = res.as_dict().ok()?.get(b"XObject").ok()?;
    doc.dereference(xo).ok()?.1.as_dict().ok()
}

/// The page's resources as pdf-extract finds them: its own, else the nearest ancestor's.
fn page_resources(doc: &Document, page: ObjectId) -> Option<&Object> {
    let mut id = page;
    for _ in 0..64 {
        let dict = doc.get_dictionary(id).ok()?;
        if let Ok(r) = dict.get(b"Resources") {
            return Some(r);
        }
        id = dict.get(b"Parent").ok()?.as_reference().ok()?;
    }
    None
}

/// `Do` operands of a content stream, with how often each name is drawn.
fn drawn_names(content: &[u8]) -> Vec<(Vec<u8>, u64)> {
    let mut counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    if let Ok(ops) = lopdf::content::Content::decode(content) {
        for op in ops.operations {
            if op.operator == "Do"
                && let Some(Ok(name)) = op.operands.first().map(Object::as_name)
            {
                *counts.entry(name.to_vec()).or_default() += 1;
            }
        }
    }
    counts.into_iter().collect()
}

/// A form's inflated size and the names it draws, with how often.
type FormInfo = (u64, Vec<(Vec<u8>, u64)>);

struct FormWalk<'a> {
    doc: &'a Document,
    forms: HashMap<ObjectId, FormInfo>,
    stack: Vec<ObjectId>,
    visits: usize,
}

impl FormWalk<'_> {
    /// Content bytes pdf-extract parses when it draws `form` once, its nested forms included.
    fn cost(
        &mut self,
        form: ObjectId,
        caller: Option<&Dictionary>,
    ) -> Result<u64, ReportReadError> {
        self.visits += 1;
        if self.visits > MAX_FORM_VISITS || self.stack.len() > MAX_FORM_DEPTH {
            return Err(ReportReadError::Hostile {
                detail: "表单对象嵌套过深".into(),
            });
        }
        if self.stack.contains(&form) {
            return Err(ReportReadError::Hostile {
                detail: "表单对象循环引用自身".into(),
            });
        }
        let Some((size, names)) = self.forms.get(&form).cloned() else {
            return Ok(0);
        };
        let doc = self.doc;
        let own = doc
            .get_object(form)
            .ok()
            .and_then(|o| o.as_stream().ok())
            .and_then(|s| s.dict.get(b"Resources").ok());
        // pdf-extract falls back to the caller's resources when a form has none.
        let xobjects = match own {
            Some(r) => xobject_dict(doc, Some(r)),
            None => caller,
        };
        self.stack.push(form);
        let mut total = size;
        for (name, times) in &names {
            let child = xobjects
                .and_then(|x| x.get(name).ok())
                .and_then(|o| o.as_reference().ok());
            if let Some(child) = child {
                let c = self.cost(child, xobjects)?;
                total = total.saturating_add(c.saturating_mul(*times));
                if total > MAX_CONTENT_WORK {
                    break;
                }
            }
        }
        self.stack.pop();
        Ok(total)
    }
}

/// Step 5: forms that draw themselves, and the content work `Do` multiplies.
fn check_forms(doc: &Document) -> Result<(), ReportReadError> {
    let mut forms = HashMap::new();
    for (&id, object) in &doc.objects {
        if let Ok(stream) = object.as_stream()
            && matches!(
                stream.dict.get(b"Subtype").and_then(Object::as_name),
                Ok(b"Form")
            )
        {
            let content = stream
                .decompressed_content()
                .unwrap_or_else(|_| stream.content.clone());
            forms.insert(id, (content.len() as u64, drawn_names(&content)));
        }
    }
    if forms.is_empty() {
        return Ok(());
    }
    let mut walk = FormWalk {
        doc,
        forms,
        stack: Vec::new(),
        visits: 0,
    };
    let mut work: u64 = 0;
    for page in doc.page_iter().take(MAX_PAGES) {
        let content = doc.get_page_content(page).unwrap_or_default();
        work = work.saturating_add(content.len() as u64);
        let xobjects = xobject_dict(doc, page_resources(doc, page));
        for (name, times) in drawn_names(&content) {
            let child = xobjects
                .and_then(|x| x.get(&name).ok())
                .and_then(|o| o.as_reference().ok());
            if let Some(child) = child {
                let c = walk.cost(child, xobjects)?;
                work = work.saturating_add(c.saturating_mul(times));
            }
        }
        if work > MAX_CONTENT_WORK {
            return Err(ReportReadError::Hostile {
                detail: format!(
                    "页面反复引用表单对象，需解析的内容超过 {} MB",
                    MAX_CONTENT_WORK >> 20
                ),
            });
        }
    }
    Ok(())
}

/// Collects the text of each page like pdf-extract's `PlainTextOutput` (a line break when the
/// baseline moves, a space for a gap), with a character cap and a deadline.
struct Collector {
    pages: Vec<String>,
    current: String,
    height: f64,
    last_end: f64,
    last_y: f64,
    first_char: bool,
    chars: usize,
    deadline: Instant,
    abort: Option<ReportReadError>,
}

impl Collector {
    fn new(deadline: Instant) -> Self {
        Self {
            pages: Vec::new(),
            current: String::new(),
            height: 0.0,
            last_end: 100_000.0,
            last_y: 0.0,
            first_char: false,
            chars: 0,
            deadline,
            abort: None,
        }
    }

    fn start_page(&mut self) {
        self.current.clear();
        self.last_end = 100_000.0;
        self.last_y = 0.0;
        self.first_char = false;
    }

    fn finish_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.current));
    }

    fn stop(&mut self, e: ReportReadError) -> Result<(), OutputError> {
        self.abort = Some(e);
        Err(OutputError::FormatError(std::fmt::Error))
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        self.chars += 1;
        if self.chars > MAX_TEXT_CHARS {
            return self.stop(ReportReadError::Hostile {
                detail: format!("文字超过 {MAX_TEXT_CHARS} 个字符"),
            });
        }
        if self.chars.is_multiple_of(4096) && Instant::now() > self.deadline {
            return self.stop(ReportReadError::Hostile {
                detail: format!("读取超过 {} 秒", EXTRACT_DEADLINE.as_secs()),
            });
        }
        // The glyph origin in top-down page space, and the font size in page units.
        let x = trm.m31;
        let y = self.height - trm.m32;
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt();
        if self.first_char {
            if (y - self.last_y).abs() > size * 1.5 {
                self.current.push('\n');
            }
            if x < self.last_end && (y - self.last_y).abs() > size * 0.5 {
                self.current.push('\n');
            }
            if x > self.last_end + size * 0.1 {
                self.current.push(' ');
            }
        }
        self.current.push_str(ch);
        self.first_char = false;
        self.last_y = y;
        self.last_end = x + width * size;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.first_char = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_impostors() {
        assert!(sniff(b"\x89PNG\r\n\x1a\n....").contains("PNG"));
        assert!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).contains("JPEG"));
        assert!(sniff(b"PK\x03\x04....").contains("OFD"));
        assert!(sniff(b"<!DOCTYPE html><html>").contains("网页"));
        assert!(sniff(b"hello").contains("没有 PDF 标记"));
    }

    #[test]
    fn find_and_rfind() {
        assert_eq!(find(b"abcabc", b"ca", 0), Some(2));
        assert_eq!(find(b"abcabc", b"ca", 3), None);
        assert_eq!(find(b"ab", b"abc", 0), None);
        assert_eq!(rfind(b"obj 1 obj 2 stream", b"obj", 12, 100), Some(6));
    }

    #[test]
    fn refuses_before_parsing() {
        assert!(matches!(read(b""), Err(ReportReadError::Empty)));
        assert!(matches!(
            read(b"\x89PNG\r\n\x1a\n"),
            Err(ReportReadError::NotPdf { .. })
        ));
        let big = vec![b' '; MAX_FILE_BYTES + 1];
        assert!(matches!(read(&big), Err(ReportReadError::TooLarge { .. })));
        let e = read(b"%PDF-1.7\n1 0 obj\n<<").unwrap_err();
        assert!(matches!(e, ReportReadError::Corrupt { .. }), "{e:?}");
        assert!(e.to_string().contains("没有下载完整"), "{e}");
    }
}
