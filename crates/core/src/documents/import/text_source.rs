//! Streaming CSV: encoding detection (UTF-8 with or without BOM, else GBK), a byte-level guard
//! that bounds the size of one record, counts bytes for the progress bar and finds the Excel row
//! number of every record, and a streaming GBK → UTF-8 decoder. Nothing here holds more than a
//! few buffers of the file.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{Arc, Mutex, MutexGuard};

use encoding_rs::{CoderResult, GBK};

/// How much of the file is looked at to decide the format and the encoding.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// The longest record accepted (one row of the file). Real rows are a few hundred bytes; a longer
/// one means a damaged file, typically an unclosed quote swallowing the rest.
pub(crate) const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Empty,
    Zip,
    Cfb,
    Utf16,
    Binary,
    Utf8 {
        bom: bool,
    },
    Gbk,
    /// Neither UTF-8 nor GBK; the 1-based line of the first bad byte.
    BadEncoding {
        line: u64,
    },
}

/// Decide from the first [`SNIFF_BYTES`] bytes. `complete` says the sniff holds the whole file.
pub(crate) fn sniff(head: &[u8], complete: bool) -> Sniffed {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Sniffed::Cfb;
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Sniffed::Utf16;
    }
    let (bom, body) = match head.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (true, rest),
        None => (false, head),
    };
    if body
        .iter()
        .all(|b| b.is_ascii_whitespace() || *b == b',' || *b == b'\t')
    {
        return Sniffed::Empty;
    }
    if body.contains(&0) {
        return Sniffed::Binary;
    }
    // A full sniff may end inside a character: judge only up to its last line break (0x0A is
    // never part of a multi-byte UTF-8 or GBK character).
    let judged = if complete {
        body
    } else {
        match body.iter().rposition(|b| *b == b'\n') {
            Some(p) => &body[..p],
            None => body,
        }
    };
    match std::str::from_utf8(judged) {
        Ok(_) => return Sniffed::Utf8 { bom },
        // Only a character cut by the end of the sniff is wrong: still UTF-8.
        Err(e) if !complete && e.error_len().is_none() => return Sniffed::Utf8 { bom },
        Err(_) if bom => {
            // A BOM says UTF-8; invalid bytes later are reported row by row.
            return Sniffed::Utf8 { bom };
        }
        Err(_) => {}
    }
    let mut decoder = GBK.new_decoder_without_bom_handling();
    let mut out = vec![0u8; judged.len().saturating_mul(3).saturating_add(16)];
    let (result, read, _) = decoder.decode_to_utf8_without_replacement(judged, &mut out, complete);
    match result {
        encoding_rs::DecoderResult::Malformed(..) => {
            let line = 1 + judged
                .get(..read)
                .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
                as u64;
            Sniffed::BadEncoding { line }
        }
        _ => Sniffed::Gbk,
    }
}

/// Choose the field delimiter from the first line: a tab when the line has tabs and no commas
/// (Excel's 文本文件（制表符分隔）), else a comma.
pub(crate) fn delimiter(head: &[u8]) -> u8 {
    let first = head.split(|b| *b == b'\n').next().unwrap_or(head);
    if !first.contains(&b',') && first.contains(&b'\t') {
        b'\t'
    } else {
        b','
    }
}

/// State shared between the guard (inside the reader chain) and the record reader.
#[derive(Debug, Default)]
pub(crate) struct GuardShared {
    /// Excel row numbers of the records seen by the guard and not yet taken by the reader.
    pub(crate) starts: VecDeque<u64>,
    /// Raw bytes read from the file.
    pub(crate) bytes: u64,
    /// The file ended inside a quoted field (truncated, or an unclosed quote).
    pub(crate) ended_in_quotes: bool,
    /// The file's end was reached.
    pub(crate) eof: bool,
    /// Set when a record exceeded [`MAX_RECORD_BYTES`]: its row.
    pub(crate) too_long_row: Option<u64>,
    /// The last byte read was a line break (a complete file usually ends with one).
    pub(crate) ends_with_break: bool,
}

pub(crate) type Shared = Arc<Mutex<GuardShared>>;

pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, GuardShared> {
    // A poisoned lock only means another thread panicked mid-update; the counters stay usable.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    LineStart,
    FieldStart,
    Unquoted,
    Quoted,
    QuotedQuote,
}

/// The guard's view of the CSV syntax.
struct Scan {
    delim: u8,
    state: State,
    record_bytes: u64,
    /// The Excel row the next line starts on (1-based). A quoted line break does not advance it:
    /// Excel shows such a record in one row.
    row: u64,
    prev_cr: bool,
}

impl Scan {
    fn end_of_record(&mut self, b: u8) {
        self.row += 1;
        self.prev_cr = b == b'\r';
        self.state = State::LineStart;
    }

    /// Feed a chunk. Inside a field the scan jumps to the next byte that can change the state
    /// (delimiter, line break, quote), which keeps the guard cheap on long files.
    fn feed_chunk(&mut self, chunk: &[u8], shared: &mut GuardShared) -> Result<(), ()> {
        let mut rest = chunk;
        while let Some(&b) = rest.first() {
            let delim = self.delim;
            let skip = match self.state {
                State::Unquoted => memchr::memchr3(delim, b'\n', b'\r', rest).unwrap_or(rest.len()),
                State::Quoted => memchr::memchr(b'"', rest).unwrap_or(rest.len()),
                _ => 0,
            };
            if skip == 0 {
                self.feed(b, shared)?;
                rest = rest.get(1..).unwrap_or(&[]);
            } else {
                self.record_bytes += skip as u64;
                if self.record_bytes > MAX_RECORD_BYTES {
                    shared.too_long_row = Some(self.row);
                    return Err(());
                }
                rest = rest.get(skip..).unwrap_or(&[]);
            }
        }
        Ok(())
    }

    /// Feed one byte; `Err` when the current record grew beyond [`MAX_RECORD_BYTES`].
    fn feed(&mut self, b: u8, shared: &mut GuardShared) -> Result<(), ()> {
        if self.state == State::LineStart {
            match b {
                b'\n' => {
                    if !self.prev_cr {
                        self.row += 1;
                    }
                    self.prev_cr = false;
                    return Ok(());
                }
                b'\r' => {
                    self.row += 1;
                    self.prev_cr = true;
                    return Ok(());
                }
                _ => {
                    self.prev_cr = false;
                    shared.starts.push_back(self.row);
                    self.record_bytes = 0;
                    self.state = State::FieldStart;
                }
            }
        }
        self.record_bytes += 1;
        if self.record_bytes > MAX_RECORD_BYTES {
            shared.too_long_row = Some(self.row);
            return Err(());
        }
        let line_break = b == b'\n' || b == b'\r';
        match self.state {
            State::LineStart | State::FieldStart => {
                if b == b'"' {
                    self.state = State::Quoted;
                } else if line_break {
                    self.end_of_record(b);
                } else if b != self.delim {
                    self.state = State::Unquoted;
                }
            }
            State::Unquoted => {
                if b == self.delim {
                    self.state = State::FieldStart;
                } else if line_break {
                    self.end_of_record(b);
                }
            }
            State::Quoted => {
                if b == b'"' {
                    self.state = State::QuotedQuote;
                }
            }
            State::QuotedQuote => {
                if b == b'"' {
                    self.state = State::Quoted;
                } else if b == self.delim {
                    self.state = State::FieldStart;
                } else if line_break {
                    self.end_of_record(b);
                } else {
                    self.state = State::Unquoted;
                }
            }
        }
        Ok(())
    }
}

/// Reads raw bytes, mirroring the csv crate's record boundaries (RFC 4180 quoting, CR, LF or
/// CRLF line ends, blank lines skipped) to know the Excel row of every record and to stop a
/// record from growing without bound.
pub(crate) struct Guard<R> {
    inner: R,
    scan: Scan,
    shared: Shared,
}

impl<R: Read> Guard<R> {
    pub(crate) fn new(inner: R, delim: u8, shared: Shared) -> Self {
        Self {
            inner,
            scan: Scan {
                delim,
                state: State::LineStart,
                record_bytes: 0,
                row: 1,
                prev_cr: false,
            },
            shared,
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        let mut shared = lock(&self.shared);
        shared.bytes += n as u64;
        if n == 0 {
            shared.eof = true;
            shared.ended_in_quotes = self.scan.state == State::Quoted;
            return Ok(0);
        }
        let chunk = buf.get(..n).unwrap_or(&[]);
        shared.ends_with_break = matches!(chunk.last(), Some(b'\n' | b'\r'));
        if self.scan.feed_chunk(chunk, &mut shared).is_err() {
            return Err(io::Error::other("record too long"));
        }
        Ok(n)
    }
}

/// Streams GBK bytes out as UTF-8. Malformed sequences become U+FFFD, which the row check reports
/// as a character it cannot read.
pub(crate) struct GbkReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    inbuf: Vec<u8>,
    in_pos: usize,
    in_len: usize,
    outbuf: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    input_done: bool,
    finished: bool,
}

impl<R: Read> GbkReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            decoder: GBK.new_decoder_without_bom_handling(),
            inbuf: vec![0; 32 * 1024],
            in_pos: 0,
            in_len: 0,
            outbuf: vec![0; 100 * 1024],
            out_pos: 0,
            out_len: 0,
            input_done: false,
            finished: false,
        }
    }
}

impl<R: Read> Read for GbkReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out_len {
                let avail = self.outbuf.get(self.out_pos..self.out_len).unwrap_or(&[]);
                let n = avail.len().min(buf.len());
                if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
                    dst.copy_from_slice(src);
                }
                self.out_pos += n;
                return Ok(n);
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            if self.in_pos >= self.in_len && !self.input_done {
                let n = loop {
                    match self.inner.read(&mut self.inbuf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other?,
                    }
                };
                self.in_pos = 0;
                self.in_len = n;
                if n == 0 {
                    self.input_done = true;
                }
            }
            let src = self.inbuf.get(self.in_pos..self.in_len).unwrap_or(&[]);
            let (result, read, written, _) =
                self.decoder
                    .decode_to_utf8(src, &mut self.outbuf, self.input_done);
            self.in_pos += read;
            self.out_pos = 0;
            self.out_len = written;
            if self.input_done && result == CoderResult::InputEmpty {
                self.finished = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(input: &[u8]) -> (Vec<u64>, Vec<Vec<String>>, GuardShared) {
        let shared = Shared::default();
        let guard = Guard::new(input, b',', shared.clone());
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(guard);
        let mut recs = Vec::new();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.unwrap();
            recs.push(rec.iter().map(String::from).collect());
            rows.push(lock(&shared).starts.pop_front().unwrap());
        }
        let s = std::mem::take(&mut *lock(&shared));
        (rows, recs, s)
    }

    #[test]
    fn excel_rows_follow_blank_lines_crlf_and_quoted_breaks() {
        let (rows, recs, s) = rows_of(b"a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n5,6\r7,8\n\n9,10");
        assert_eq!(recs.len(), 6);
        assert_eq!(rows, vec![1, 2, 4, 5, 6, 8]);
        assert_eq!(recs[2][1], "x\r\ny");
        assert!(!s.ended_in_quotes);
        assert!(s.eof);
    }

    #[test]
    fn unclosed_quote_is_seen_at_the_end() {
        let (_, recs, s) = rows_of(b"a,b\n1,\"never closed\n2,3\n");
        assert_eq!(recs.len(), 2);
        assert!(s.ended_in_quotes);
    }

    #[test]
    fn too_long_record_stops_reading() {
        let mut data = b"a,\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', (MAX_RECORD_BYTES + 10) as usize));
        let shared = Shared::default();
        let mut g = Guard::new(&data[..], b',', shared.clone());
        let mut sink = Vec::new();
        assert!(g.read_to_end(&mut sink).is_err());
        assert_eq!(lock(&shared).too_long_row, Some(1));
    }

    #[test]
    fn gbk_streams_in_small_pieces() {
        let text = "机构名称,缴费金额\n湛江市海港贸易有限公司,1234.50\n".repeat(5000);
        let (bytes, _, _) = GBK.encode(&text);
        let mut out = String::new();
        GbkReader::new(&bytes[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
        // A one-byte destination still makes progress.
        let mut r = GbkReader::new(&bytes[..20]);
        let mut one = [0u8; 1];
        let mut got = Vec::new();
        while r.read(&mut one).unwrap() == 1 {
            got.push(one[0]);
        }
        assert!(String::from_utf8(got).unwrap().starts_with("机构名称"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"", true), Sniffed::Empty);
        assert_eq!(sniff(b"\xEF\xBB\xBF \r\n,,\n", true), Sniffed::Empty);
        assert_eq!(sniff(b"PK\x03\x04rest", true), Sniffed::Zip);
        assert_eq!(sniff(b"\xFF\xFEa\0", true), Sniffed::Utf16);
        assert_eq!(sniff(b"a,b\0c", true), Sniffed::Binary);
        assert_eq!(
            sniff("机构名称,a".as_bytes(), true),
            Sniffed::Utf8 { bom: false }
        );
        assert_eq!(
            sniff("\u{feff}机构名称".as_bytes(), true),
            Sniffed::Utf8 { bom: true }
        );
        let (gbk, _, _) = GBK.encode("机构名称,缴费金额\n");
        assert_eq!(sniff(&gbk, true), Sniffed::Gbk);
        assert_eq!(
            sniff(b"a,b\nc,\xFF\xFF\n", true),
            Sniffed::BadEncoding { line: 2 }
        );
        // A UTF-8 character cut by the end of an incomplete sniff is still UTF-8.
        let s = "机构名称".as_bytes();
        assert_eq!(sniff(&s[..5], false), Sniffed::Utf8 { bom: false });
        assert_eq!(delimiter(b"a\tb\n"), b'\t');
        assert_eq!(delimiter(b"a,b\tc\n"), b',');
    }
}
