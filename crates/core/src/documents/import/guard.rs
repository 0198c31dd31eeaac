//! Limits checked before calamine reads a workbook, so that no file can make the import take
//! unbounded memory (issue 14 point 5).
//!
//! calamine reads the parts it needs at open (the relationships, the shared strings, the styles,
//! the theme and the workbook) whole, through quick-xml, whose buffer grows to the size of the
//! largest text node or tag. A zip can say anything about its own sizes, so each of those parts
//! is decompressed here first — a chunk at a time, counting the real bytes — and checked: its
//! total size, its compression ratio, and the length of every text run and tag. The worksheets
//! are streamed later ([`super::stream`]), so they need only the run check, which also names the
//! cell. XLS and ODS are read whole by calamine and are bounded by their size.
//!
//! The scanner is hand-written because no XML crate bounds the size of one event; it recognises
//! only what it must (tags with their quoted attributes, comments, CDATA, processing
//! instructions) and refuses a DOCTYPE, which no spreadsheet writes.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use quick_xml::events::Event;
use zip::ZipArchive;

use super::ImportError;
use super::columns::col_letter;

/// Largest XLSX file (compressed). A 1,000,000-row export is about 40 MB.
pub(crate) const MAX_XLSX_FILE_BYTES: u64 = 256 << 20;
/// Largest XLS or ODS file: calamine holds these whole, with every cell of every sheet.
pub(crate) const MAX_WHOLE_FILE_BYTES: u64 = 32 << 20;
/// Largest ODS content (decompressed): read whole too.
pub(crate) const MAX_ODS_CONTENT_BYTES: u64 = 256 << 20;
/// Largest zip central directory: the zip reader keeps one entry in memory per file.
const MAX_CENTRAL_DIR_BYTES: u64 = 4 << 20;
/// Largest shared-string table (decompressed): calamine keeps every string.
pub(crate) const MAX_SHARED_STRINGS_BYTES: u64 = 128 << 20;
/// Largest of the other parts read at open (styles, theme, workbook, relationships).
pub(crate) const MAX_PART_BYTES: u64 = 32 << 20;
/// Excel's own limit on the characters of one cell.
pub(crate) const MAX_CELL_CHARS: usize = 32_767;
/// One text run or tag, in bytes: a full cell of Chinese characters (3 bytes each) escaped
/// twice over still fits; anything longer is not a spreadsheet cell.
pub(crate) const MAX_RUN_BYTES: usize = 256 << 10;
/// A part that grows more than this many times when decompressed (and beyond
/// [`RATIO_FLOOR_BYTES`]) is a compression bomb: real sheets compress 5–30 times.
pub(crate) const MAX_RATIO: u64 = 200;
const RATIO_FLOOR_BYTES: u64 = 32 << 20;
/// Excel's grid: 1,048,576 rows, 16,384 columns (XFD).
pub(crate) const MAX_ROWS: u32 = 1_048_576;
pub(crate) const MAX_COLS: u32 = 16_384;

const MB: u64 = 1 << 20;

/// The reason of a zip that is not an XLSX package (it may still be an OpenDocument sheet).
pub(crate) const NOT_XLSX: &str = "缺少 _rels/.rels，不是 Excel 工作簿";

fn limit(reason: String) -> ImportError {
    ImportError::WorkbookLimit { reason }
}

fn broken(reason: impl Into<String>) -> ImportError {
    ImportError::Workbook {
        reason: reason.into(),
    }
}

/// Refuse a file too large to be read whole (XLS, ODS) or at all (XLSX).
pub(crate) fn check_file_size(len: u64, max: u64, what: &str) -> Result<(), ImportError> {
    if len > max {
        return Err(limit(format!(
            "有 {} MB，{what}最多 {} MB",
            len.div_ceil(MB),
            max / MB
        )));
    }
    Ok(())
}

/// The central directory's size from the end-of-central-directory record (zip64 too), read
/// before the zip reader loads every entry.
fn check_central_directory(file: &mut File, len: u64) -> Result<(), ImportError> {
    let tail_len = len.min(22 + 65_535);
    let mut tail = vec![0u8; tail_len as usize];
    let io = |_| broken("文件读取失败");
    file.seek(SeekFrom::Start(len - tail_len)).map_err(io)?;
    file.read_exact(&mut tail).map_err(io)?;
    let Some(pos) = tail
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .filter(|p| p + 22 <= tail.len())
    else {
        // Not a zip the reader could open either; it says so itself.
        return Ok(());
    };
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at =
        |b: &[u8], i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let mut cd_size = u32_at(&tail, pos + 12);
    if (u16_at(&tail, pos + 10) == 0xFFFF || cd_size == 0xFFFF_FFFF) && pos >= 20 {
        let loc = pos - 20;
        if &tail[loc..loc + 4] == b"PK\x06\x07" {
            let mut off = [0u8; 8];
            off.copy_from_slice(&tail[loc + 8..loc + 16]);
            let mut rec = [0u8; 56];
            file.seek(SeekFrom::Start(u64::from_le_bytes(off)))
                .map_err(io)?;
            file.read_exact(&mut rec).map_err(io)?;
            if &rec[..4] == b"PK\x06\x06" {
                let mut size = [0u8; 8];
                size.copy_from_slice(&rec[40..48]);
                cd_size = u64::from_le_bytes(size);
            }
        }
    }
    if cd_size > MAX_CENTRAL_DIR_BYTES {
        return Err(limit(format!(
            "的文件目录有 {} MB（含成千上万个内部文件），最多 {} MB",
            cd_size.div_ceil(MB),
            MAX_CENTRAL_DIR_BYTES / MB
        )));
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(())
}

type Zip = ZipArchive<BufReader<File>>;

struct Entries {
    zip: Zip,
    /// Lower-cased entry name → index (calamine looks parts up case-insensitively too).
    by_name: HashMap<String, usize>,
}

impl Entries {
    fn index(&self, name: &str) -> Option<usize> {
        let name = name.strip_prefix('/').unwrap_or(name);
        self.by_name.get(&name.to_ascii_lowercase()).copied()
    }

    /// Decompress a part through the scanner, counting the real bytes.
    fn scan(&mut self, index: usize, scanner: &mut Scanner<'_>) -> Result<(), ImportError> {
        let mut part = self
            .zip
            .by_index(index)
            .map_err(|_| broken("内部文件损坏或已加密"))?;
        let compressed = part.compressed_size().max(1);
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = match part.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => return Err(broken(format!("内部文件“{name}”无法解压，文件已损坏"))),
            };
            total += n as u64;
            if let Some(max) = scanner.max_total
                && total > max
            {
                return Err(limit(format!("中的“{name}”解压后超过 {} MB", max / MB)));
            }
            if total > RATIO_FLOOR_BYTES && total / compressed > MAX_RATIO {
                return Err(limit(format!(
                    "中的“{name}”压缩比超过 {MAX_RATIO} 倍（正常的表格约 5 至 30 倍），是异常构造的“压缩炸弹”"
                )));
            }
            scanner.feed(&buf[..n])?;
        }
        scanner.finish()
    }

    /// The attributes (local name, value) of every element named `element` in a small part
    /// (already scanned), parsed with quick-xml; `what` names the part in the error.
    fn elements(
        &mut self,
        index: usize,
        element: &str,
        what: &str,
    ) -> Result<Vec<Vec<(String, String)>>, ImportError> {
        let part = self
            .zip
            .by_index(index)
            .map_err(|_| broken("内部文件损坏或已加密"))?;
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == element => {
                    let attrs = e
                        .attributes()
                        .flatten()
                        .map(|a| {
                            let v = a
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .map(|v| v.into_owned())
                                .unwrap_or_default();
                            (a.key.local_name().as_ref().to_string(), v)
                        })
                        .collect();
                    out.push(attrs);
                }
                Ok(Event::Eof) => break,
                Err(_) => return Err(broken(format!("{what}格式错误"))),
                _ => {}
            }
        }
        Ok(out)
    }

    /// A relationships part's entries.
    fn relationships(&mut self, index: usize) -> Result<Vec<Rel>, ImportError> {
        Ok(self
            .elements(index, "Relationship", "关系文件（.rels）")?
            .into_iter()
            .map(|attrs| {
                let mut rel = Rel::default();
                for (k, v) in attrs {
                    match k.as_str() {
                        "Id" => rel.id = v,
                        "Type" => rel.kind = v,
                        "Target" => rel.target = v,
                        _ => {}
                    }
                }
                rel
            })
            .collect())
    }

    /// The workbook's sheets: (name, relationship id).
    fn sheets(&mut self, index: usize) -> Result<Vec<(String, String)>, ImportError> {
        Ok(self
            .elements(index, "sheet", "工作簿目录（workbook.xml）")?
            .into_iter()
            .map(|attrs| {
                let (mut name, mut id) = (String::new(), String::new());
                for (k, v) in attrs {
                    match k.as_str() {
                        "name" => name = v,
                        "id" => id = v,
                        _ => {}
                    }
                }
                (name, id)
            })
            .collect())
    }
}

#[derive(Default)]
struct Rel {
    id: String,
    kind: String,
    target: String,
}

/// Open a zip-based workbook once its size and its central directory have been checked, with
/// its entries found by lower-case name (the two formats name their parts case-insensitively).
fn open_zip(path: &Path, max_bytes: u64, what: &str) -> Result<Entries, ImportError> {
    let mut file = File::open(path).map_err(|e| broken(crate::documents::io_reason(&e)))?;
    let len = file
        .metadata()
        .map_err(|e| broken(crate::documents::io_reason(&e)))?
        .len();
    check_file_size(len, max_bytes, what)?;
    check_central_directory(&mut file, len)?;
    let zip = ZipArchive::new(BufReader::new(file)).map_err(|_| broken("不是完整的压缩包"))?;
    let by_name = (0..zip.len())
        .filter_map(|i| {
            let name = zip.name_for_index(i)?.ok()?;
            Some((name.to_ascii_lowercase(), i))
        })
        .collect();
    Ok(Entries { zip, by_name })
}

/// Check an XLSX before calamine opens it; see the module documentation.
pub(crate) fn check_xlsx(path: &Path) -> Result<(), ImportError> {
    let mut entries = open_zip(path, MAX_XLSX_FILE_BYTES, ".xlsx 文件")?;

    let part = |entries: &mut Entries, name: &str| -> Result<Option<usize>, ImportError> {
        let Some(i) = entries.index(name) else {
            return Ok(None);
        };
        let mut s = Scanner::new(PartKind::Other, name, Some(MAX_PART_BYTES));
        entries.scan(i, &mut s)?;
        Ok(Some(i))
    };

    let Some(pkg) = part(&mut entries, "_rels/.rels")? else {
        return Err(broken(NOT_XLSX));
    };
    let target = entries
        .relationships(pkg)?
        .into_iter()
        .find(|r| r.kind.ends_with("/relationships/officeDocument"))
        .map(|r| r.target)
        .ok_or_else(|| broken("找不到工作簿主文件"))?;
    let (dir, wb_name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let wb_name = if wb_name.is_empty() {
        "workbook.xml"
    } else {
        wb_name
    };
    let rels = match part(&mut entries, &format!("{dir}_rels/{wb_name}.rels"))? {
        Some(i) => entries.relationships(i)?,
        None => Vec::new(),
    };
    let Some(wb) = part(&mut entries, &format!("{dir}{wb_name}"))? else {
        return Err(broken("找不到工作簿主文件"));
    };
    part(&mut entries, &format!("{dir}styles.xml"))?;
    part(&mut entries, &format!("{dir}theme/theme1.xml"))?;

    let mut long_strings = Vec::new();
    let ss_name = format!("{dir}sharedStrings.xml");
    if let Some(i) = entries.index(&ss_name) {
        let mut s = Scanner::new(
            PartKind::SharedStrings,
            &ss_name,
            Some(MAX_SHARED_STRINGS_BYTES),
        );
        entries.scan(i, &mut s)?;
        long_strings = s.long_strings;
    }

    // Each part once, however many sheets name it.
    let mut scanned = std::collections::HashSet::new();
    for (name, id) in entries.sheets(wb)? {
        let Some(rel) = rels.iter().find(|r| r.id == id) else {
            continue;
        };
        let path = match rel.target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("{dir}{}", rel.target),
        };
        if let Some(i) = entries.index(&path)
            && scanned.insert(i)
        {
            let mut s = Scanner::new(PartKind::Worksheet, &name, None);
            s.long_refs = &long_strings;
            entries.scan(i, &mut s)?;
        }
    }
    if let Some(first) = long_strings.first() {
        // A long string no cell uses: still refused, calamine would load it.
        return Err(limit(format!(
            "的共享字符串表第 {} 项超过 {} 字",
            first + 1,
            MAX_CELL_CHARS
        )));
    }
    Ok(())
}

/// Check an ODS (a zip, read whole by calamine): the file's size and its content's.
pub(crate) fn check_ods(path: &Path) -> Result<(), ImportError> {
    let mut entries = open_zip(path, MAX_WHOLE_FILE_BYTES, ".ods 文件")?;
    for name in ["content.xml", "styles.xml", "meta.xml", "settings.xml"] {
        if let Some(i) = entries.index(name) {
            let max = if name == "content.xml" {
                MAX_ODS_CONTENT_BYTES
            } else {
                MAX_PART_BYTES
            };
            let kind = if name == "content.xml" {
                PartKind::OdsContent
            } else {
                PartKind::Other
            };
            let mut s = Scanner::new(kind, name, Some(max));
            entries.scan(i, &mut s)?;
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PartKind {
    SharedStrings,
    Worksheet,
    /// An ODS content.xml: its repeated rows and cells are counted as calamine will expand them.
    OdsContent,
    Other,
}

/// Most cells an ODS may expand to (calamine builds every sheet as a full rectangle, with a
/// formula text per cell): about 4 M cells are 250 MB.
pub(crate) const MAX_ODS_CELLS: u64 = 4_000_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    Tag,
    Bang,
    Comment,
    Cdata,
    Pi,
}

/// How many bytes of a tag are kept to read its name and attributes (`r`, `t`, the ODS repeat
/// counts); an ODS row or cell tag longer than this is refused, so no attribute is missed.
const TAG_PREFIX: usize = 4096;

/// The byte-level XML scanner of one part.
struct Scanner<'a> {
    kind: PartKind,
    /// The part's name, or the sheet's for a worksheet.
    name: String,
    max_total: Option<u64>,
    state: State,
    run: usize,
    quote: u8,
    tag: [u8; TAG_PREFIX],
    tag_len: usize,
    tail: [u8; 2],
    // Shared strings.
    si_count: u64,
    in_si: bool,
    si_bytes: usize,
    si_long: bool,
    unique_count: Option<u64>,
    long_strings: Vec<u64>,
    // Worksheets.
    long_refs: &'a [u64],
    row: u64,
    cell: String,
    cell_shared: bool,
    in_v: bool,
    v_num: u64,
    // ODS content.
    ods: OdsCount,
}

/// The cells an ODS expands to, counted the way calamine builds its rectangles.
#[derive(Default)]
struct OdsCount {
    row_repeat: u64,
    row_width: u64,
    row_filled_width: u64,
    empty_rows: u64,
    rows: u64,
    width: u64,
    earlier_tables: u64,
}

impl<'a> Scanner<'a> {
    fn new(kind: PartKind, name: &str, max_total: Option<u64>) -> Self {
        Self {
            kind,
            name: name.to_string(),
            max_total,
            state: State::Text,
            run: 0,
            quote: 0,
            tag: [0; TAG_PREFIX],
            tag_len: 0,
            tail: [0; 2],
            si_count: 0,
            in_si: false,
            si_bytes: 0,
            si_long: false,
            unique_count: None,
            long_strings: Vec::new(),
            long_refs: &[],
            row: 0,
            cell: String::new(),
            cell_shared: false,
            in_v: false,
            v_num: 0,
            ods: OdsCount::default(),
        }
    }

    /// Where the scanner is, as the clerk would look for it.
    fn place(&self) -> String {
        if self.cell.is_empty() {
            format!("第 {} 行", self.row.max(1))
        } else {
            let (col, row) = split_ref(&self.cell);
            match (col, row) {
                (Some(c), Some(r)) => {
                    format!("第 {r} 行 {} 列（{}）", col_letter(c as usize), self.cell)
                }
                _ => format!("第 {} 行", self.row.max(1)),
            }
        }
    }

    fn too_long(&self) -> ImportError {
        match self.kind {
            PartKind::Worksheet => ImportError::CellTooLong {
                sheet: self.name.clone(),
                place: self.place(),
                limit: MAX_CELL_CHARS,
            },
            _ => limit(format!(
                "中的“{}”有一段内容超过 {} KB",
                self.name,
                MAX_RUN_BYTES / 1024
            )),
        }
    }

    fn feed(&mut self, buf: &[u8]) -> Result<(), ImportError> {
        let mut i = 0;
        while i < buf.len() {
            if self.state == State::Text {
                let rest = &buf[i..];
                match memchr::memchr(b'<', rest) {
                    None => {
                        self.text(rest)?;
                        i = buf.len();
                    }
                    Some(p) => {
                        self.text(&rest[..p])?;
                        self.end_text()?;
                        self.state = State::Tag;
                        self.quote = 0;
                        self.tag_len = 0;
                        self.run = 0;
                        self.markup(b'<')?;
                        i += p + 1;
                    }
                }
            } else if self.state == State::Tag && self.run >= 2 {
                // Inside a tag, only quotes and '>' matter: skip to the next one.
                let rest = &buf[i..];
                let hit = if self.quote != 0 {
                    memchr::memchr(self.quote, rest)
                } else {
                    memchr::memchr3(b'"', b'\'', b'>', rest)
                };
                let n = hit.unwrap_or(rest.len());
                self.bulk(&rest[..n])?;
                i += n;
                if hit.is_some() {
                    let b = buf[i];
                    i += 1;
                    self.markup(b)?;
                }
            } else {
                let b = buf[i];
                i += 1;
                self.markup(b)?;
            }
        }
        Ok(())
    }

    /// Bytes of a tag that are neither quotes nor its end.
    fn bulk(&mut self, t: &[u8]) -> Result<(), ImportError> {
        self.run += t.len();
        if self.run > MAX_RUN_BYTES {
            return Err(self.too_long());
        }
        let room = TAG_PREFIX - self.tag_len;
        let keep = t.len().min(room);
        self.tag[self.tag_len..self.tag_len + keep].copy_from_slice(&t[..keep]);
        self.tag_len += keep;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ImportError> {
        if self.kind == PartKind::SharedStrings
            && let Some(n) = self.unique_count
            && n > self.si_count.max(1024)
        {
            // calamine reserves room for the declared count before reading a string.
            return Err(limit(format!(
                "的共享字符串表声明有 {n} 项，实际只有 {} 项",
                self.si_count
            )));
        }
        Ok(())
    }

    fn text(&mut self, t: &[u8]) -> Result<(), ImportError> {
        if t.is_empty() {
            return Ok(());
        }
        self.run += t.len();
        if self.kind == PartKind::SharedStrings && self.in_si {
            self.si_bytes += t.len();
            if self.si_bytes > MAX_RUN_BYTES && !self.si_long {
                self.si_long = true;
                if self.long_strings.len() < 1024 {
                    self.long_strings.push(self.si_count.saturating_sub(1));
                }
            }
            return Ok(());
        }
        if self.run > MAX_RUN_BYTES {
            return Err(self.too_long());
        }
        if self.in_v && self.cell_shared {
            for &b in t {
                if b.is_ascii_digit() {
                    self.v_num = self
                        .v_num
                        .saturating_mul(10)
                        .saturating_add(u64::from(b - b'0'));
                }
            }
        }
        Ok(())
    }

    fn end_text(&mut self) -> Result<(), ImportError> {
        if self.in_v
            && self.cell_shared
            && self.run > 0
            && self.long_refs.binary_search(&self.v_num).is_ok()
        {
            return Err(self.too_long());
        }
        self.run = 0;
        self.v_num = 0;
        Ok(())
    }

    fn markup(&mut self, b: u8) -> Result<(), ImportError> {
        self.run += 1;
        if self.run > MAX_RUN_BYTES {
            return Err(self.too_long());
        }
        if self.tag_len < TAG_PREFIX {
            self.tag[self.tag_len] = b;
            self.tag_len += 1;
        }
        let tail = self.tail;
        self.tail = [tail[1], b];
        match self.state {
            State::Text => {}
            State::Tag => {
                if self.run == 2 && b == b'?' {
                    self.state = State::Pi;
                } else if self.run == 2 && b == b'!' {
                    self.state = State::Bang;
                } else if self.quote != 0 {
                    if b == self.quote {
                        self.quote = 0;
                    }
                } else if b == b'"' || b == b'\'' {
                    self.quote = b;
                } else if b == b'>' {
                    self.end_tag()?;
                    self.state = State::Text;
                    self.run = 0;
                }
            }
            State::Bang => {
                let seen = &self.tag[..self.tag_len];
                if seen == b"<!--" {
                    self.state = State::Comment;
                    self.tail = [0; 2];
                } else if seen == b"<![CDATA[" {
                    self.state = State::Cdata;
                    self.tail = [0; 2];
                } else if !(b"<!--".starts_with(seen) || b"<![CDATA[".starts_with(seen)) {
                    return Err(broken(format!(
                        "“{}”含有表格文件不会有的 DOCTYPE 声明",
                        self.name
                    )));
                }
            }
            State::Comment => {
                if tail == *b"--" && b == b'>' {
                    self.state = State::Text;
                    self.run = 0;
                }
            }
            State::Cdata => {
                if tail == *b"]]" && b == b'>' {
                    self.state = State::Text;
                    self.run = 0;
                }
            }
            State::Pi => {
                if tail[1] == b'?' && b == b'>' {
                    self.state = State::Text;
                    self.run = 0;
                }
            }
        }
        Ok(())
    }

    /// A cell reference (`XFD1048576`, or a row number alone) inside Excel's grid. calamine
    /// reads references with unchecked arithmetic, which overflows on longer ones.
    fn check_ref(&self, v: &[u8], row_only: bool) -> Result<(), ImportError> {
        let letters = v.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        let digits = &v[letters..];
        let ok_shape = (if row_only { letters == 0 } else { letters <= 3 })
            && !digits.is_empty()
            && digits.len() <= 7
            && digits.iter().all(u8::is_ascii_digit);
        let text = String::from_utf8_lossy(v);
        let (col, row) = split_ref(&text);
        let inside = ok_shape
            && row.is_some_and(|r| (1..=u64::from(MAX_ROWS)).contains(&r))
            && (letters == 0 || col.is_some_and(|c| c < MAX_COLS));
        if inside {
            return Ok(());
        }
        Err(ImportError::CellOutsideGrid {
            sheet: self.name.clone(),
            cell: crate::domain::text::shown_value(&text),
        })
    }

    /// A complete tag: note the elements the checks follow.
    fn end_tag(&mut self) -> Result<(), ImportError> {
        let len = self.tag_len;
        let tag = &self.tag[1..len.saturating_sub(1).max(1)];
        let closing = tag.first() == Some(&b'/');
        let body = if closing { &tag[1..] } else { tag };
        let name_end = body
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .unwrap_or(body.len());
        let qname = &body[..name_end];
        let local = match qname.iter().rposition(|b| *b == b':') {
            Some(p) => &qname[p + 1..],
            None => qname,
        };
        let self_closing = self.tag[..len].ends_with(b"/>");
        let attrs = &body[name_end..];
        match (self.kind, local, closing) {
            (PartKind::Worksheet, b"dimension", false) => {
                if let Some(v) = attr(attrs, b"ref") {
                    for part in v.split(|b| *b == b':') {
                        self.check_ref(part, false)?;
                    }
                }
            }
            (PartKind::Worksheet, b"row", false) => {
                if let Some(v) = attr(attrs, b"r") {
                    self.check_ref(v, true)?;
                    self.row = std::str::from_utf8(v)
                        .ok()
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(self.row);
                }
                self.cell.clear();
            }
            (PartKind::Worksheet, b"c", false) => {
                self.cell = match attr(attrs, b"r") {
                    Some(v) => {
                        self.check_ref(v, false)?;
                        String::from_utf8_lossy(v).into_owned()
                    }
                    None => String::new(),
                };
                self.cell_shared = attr(attrs, b"t") == Some(b"s");
            }
            (PartKind::Worksheet, b"v", false) if !self_closing => {
                self.in_v = true;
                self.v_num = 0;
            }
            (PartKind::Worksheet, b"v", true) => self.in_v = false,
            (PartKind::Worksheet, b"c", true) => {
                self.in_v = false;
                self.cell_shared = false;
            }
            (PartKind::SharedStrings, b"sst", false) => {
                self.unique_count = attr(attrs, b"uniqueCount")
                    .and_then(|v| std::str::from_utf8(v).ok())
                    .and_then(|v| v.trim().parse().ok());
            }
            (PartKind::SharedStrings, b"si", false) => {
                self.si_count += 1;
                self.in_si = !self_closing;
                self.si_bytes = 0;
                self.si_long = false;
            }
            (PartKind::SharedStrings, b"si", true) => self.in_si = false,
            (PartKind::OdsContent, b"table-row" | b"table-cell" | b"covered-table-cell", false)
                if len >= TAG_PREFIX =>
            {
                return Err(limit(format!(
                    "中的“{}”有异常长的表格行或单元格标记",
                    self.name
                )));
            }
            (PartKind::OdsContent, b"table-row", false) => {
                let n = repeat(
                    attr(attrs, b"table:number-rows-repeated"),
                    u64::from(MAX_ROWS),
                );
                self.ods.row_repeat = n;
                self.ods.row_width = 0;
                self.ods.row_filled_width = 0;
                if self_closing {
                    self.ods.empty_rows = self.ods.empty_rows.saturating_add(n);
                }
            }
            (PartKind::OdsContent, b"table-cell" | b"covered-table-cell", false) => {
                let n = repeat(
                    attr(attrs, b"table:number-columns-repeated"),
                    u64::from(MAX_COLS),
                );
                self.ods.row_width = self.ods.row_width.saturating_add(n);
                if !self_closing || attr(attrs, b"office:value-type").is_some() {
                    self.ods.row_filled_width = self.ods.row_width;
                }
            }
            (PartKind::OdsContent, b"table-row", true) => {
                let c = &mut self.ods;
                if c.row_filled_width > 0 {
                    c.rows = c
                        .rows
                        .saturating_add(c.empty_rows)
                        .saturating_add(c.row_repeat);
                    c.empty_rows = 0;
                    c.width = c.width.max(c.row_filled_width);
                } else {
                    c.empty_rows = c.empty_rows.saturating_add(c.row_repeat);
                }
                let cells = c
                    .earlier_tables
                    .saturating_add(c.rows.min(u64::from(MAX_ROWS)).saturating_mul(c.width));
                if cells > MAX_ODS_CELLS {
                    return Err(limit(format!(
                        "的表格展开后有 {cells} 个单元格（重复行列），最多 {MAX_ODS_CELLS} 个"
                    )));
                }
            }
            (PartKind::OdsContent, b"table", true) => {
                let c = &mut self.ods;
                c.earlier_tables = c
                    .earlier_tables
                    .saturating_add(c.rows.min(u64::from(MAX_ROWS)).saturating_mul(c.width));
                *c = OdsCount {
                    earlier_tables: c.earlier_tables,
                    ..OdsCount::default()
                };
            }
            _ => {}
        }
        Ok(())
    }
}

/// An ODS repeat count: 1 when absent, at most `max` (calamine's own cap).
fn repeat(v: Option<&[u8]>, max: u64) -> u64 {
    v.and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, max)
}

/// The value of attribute `name` in a tag's attribute text (possibly cut off).
fn attr<'t>(mut s: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
    loop {
        let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
        s = &s[start..];
        let eq = s.iter().position(|b| *b == b'=')?;
        let key = s[..eq].trim_ascii();
        s = s[eq + 1..].trim_ascii_start();
        let quote = *s.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = s[1..].iter().position(|b| *b == quote)?;
        let value = &s[1..1 + end];
        if key == name {
            return Some(value);
        }
        s = &s[end + 2..];
    }
}

/// "XFD1048576" → (column index, row number).
pub(crate) fn split_ref(r: &str) -> (Option<u32>, Option<u64>) {
    let letters: String = r.chars().take_while(char::is_ascii_alphabetic).collect();
    let col = if letters.is_empty() || letters.len() > 4 {
        None
    } else {
        letters
            .bytes()
            .try_fold(0u32, |a, b| {
                Some(a * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1)
            })
            .map(|c| c - 1)
    };
    let row = r[letters.len()..].parse().ok();
    (col, row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(kind: PartKind, xml: &[u8]) -> Result<Scanner<'static>, ImportError> {
        let mut s = Scanner::new(kind, "表1", None);
        for chunk in xml.chunks(7) {
            s.feed(chunk)?;
        }
        s.finish()?;
        Ok(s)
    }

    #[test]
    fn long_inline_cell_is_named() {
        let mut xml = b"<sheetData><row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>".to_vec();
        xml.extend(std::iter::repeat_n(b'x', MAX_RUN_BYTES + 1));
        xml.extend(b"</t></is></c></row></sheetData>");
        let e = scan(PartKind::Worksheet, &xml).err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(
            e.contains("表1") && e.contains("第 3 行 B 列（B3）") && e.contains("32767"),
            "{e}"
        );
    }

    #[test]
    fn markup_inside_comments_and_cdata_counts_as_one_run() {
        let mut xml = b"<a><!--".to_vec();
        xml.extend(b"<b>".repeat(MAX_RUN_BYTES / 3 + 1));
        xml.extend(b"--></a>");
        assert!(scan(PartKind::Other, &xml).is_err());
        let mut xml = b"<a><![CDATA[".to_vec();
        xml.extend(b"<b>".repeat(MAX_RUN_BYTES / 3 + 1));
        xml.extend(b"]]></a>");
        assert!(scan(PartKind::Other, &xml).is_err());
        // A '>' inside a quoted attribute does not end the tag.
        let mut xml = b"<a x=\"".to_vec();
        xml.extend(b">".repeat(MAX_RUN_BYTES + 1));
        xml.extend(b"\"/>");
        assert!(scan(PartKind::Other, &xml).is_err());
        assert!(scan(PartKind::Other, b"<!DOCTYPE a [<!ENTITY x \"y\">]><a/>").is_err());
        assert!(
            scan(
                PartKind::Other,
                b"<?xml version=\"1.0\"?><a b='>'><!-- c --></a>"
            )
            .is_ok()
        );
    }

    #[test]
    fn shared_strings_declared_count_and_long_entries() {
        let s = scan(
            PartKind::SharedStrings,
            b"<sst uniqueCount=\"2\"><si><t>a</t></si><si/></sst>",
        );
        assert!(s.is_ok());
        let e = scan(
            PartKind::SharedStrings,
            b"<sst uniqueCount=\"99999999999\"><si><t>a</t></si></sst>",
        );
        assert!(e.is_err());
        let mut xml = b"<sst><si><t>a</t></si><si>".to_vec();
        for _ in 0..5 {
            xml.extend(b"<r><t>");
            xml.extend(std::iter::repeat_n(b'y', MAX_RUN_BYTES / 4));
            xml.extend(b"</t></r>");
        }
        xml.extend(b"</si></sst>");
        let s = scan(PartKind::SharedStrings, &xml).ok();
        assert_eq!(s.map(|s| s.long_strings), Some(vec![1]));
    }

    #[test]
    fn ods_repeats_are_counted_before_calamine_expands_them() {
        let ok = b"<table:table><table:table-row><table:table-cell office:value-type=\"string\"><text:p>a</text:p></table:table-cell><table:table-cell table:number-columns-repeated=\"1020\"/></table:table-row><table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row></table:table>";
        assert!(scan(PartKind::OdsContent, ok).is_ok());
        let bomb = b"<table:table><table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row></table:table>";
        let e = scan(PartKind::OdsContent, bomb)
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("单元格")));
    }

    #[test]
    fn refs_split() {
        assert_eq!(split_ref("XFD1048576"), (Some(16_383), Some(1_048_576)));
        assert_eq!(split_ref("A1"), (Some(0), Some(1)));
        assert_eq!(attr(b" r=\"C7\" t='s'", b"t"), Some(&b"s"[..]));
    }
}
