//! Bounded, streaming decoding of a PDF stream's filter chain (ISO 32000-1 §7.4): ASCIIHex,
//! ASCII85, RunLength, LZW (with `EarlyChange`), Flate, and the PNG and TIFF predictors of
//! `DecodeParms` (one dictionary, or an array parallel to `Filter`).
//!
//! Each stage is a [`Read`] pulling from the stage before, and each stage's output passes
//! through a counter that stops with [`DecodeError::OverLimit`] as soon as it exceeds the limit:
//! a bomb in any stage (a Flate stream under an ASCII85 one, an LZW stream of repeated codes, a
//! run-length stream of 128-byte runs) is stopped at the limit, and nothing larger than the limit
//! plus one read buffer per stage is ever allocated.
//!
//! Flate is flate2 and LZW is weezl (the decoders lopdf itself uses). ASCIIHex, ASCII85 and
//! RunLength are a few lines each and have no well-kept streaming crate; the predictors are
//! written here because lopdf's work on a whole buffer (and trust `Columns`).
//!
//! Like the common readers, damaged data is decoded as far as it goes: a broken Flate or LZW
//! stream ends where it breaks, and the bytes before are kept.

use std::io::{self, Read};

use lopdf::{Dictionary, Object};

/// Why a chain was not decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// A stage produced more than the limit.
    OverLimit,
    /// A filter this reader does not decode (DCT, JPX, CCITT, JBIG2 or an unknown name).
    Unsupported(String),
}

/// One filter of a chain, with its parameters.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub name: Vec<u8>,
    pub parms: Option<Dictionary>,
}

/// Marker inside an `io::Error`: a stage passed the limit.
#[derive(Debug)]
struct OverLimit;

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decoded data over the limit")
    }
}

impl std::error::Error for OverLimit {}

fn is_over_limit(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<OverLimit>())
}

/// Counts what a stage produces; an error once more than `limit` bytes have passed.
struct Limited<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = n as u64;
        if n64 > self.left {
            return Err(io::Error::other(OverLimit));
        }
        self.left -= n64;
        Ok(n)
    }
}

/// Turns a decoder's error into the end of its data (damaged data decodes as far as it goes),
/// except the limit, which must stop everything.
struct Tolerant<R> {
    inner: R,
    done: bool,
}

impl<R: Read> Read for Tolerant<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if is_over_limit(&e) => Err(e),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(_) => {
                self.done = true;
                Ok(0)
            }
        }
    }
}

/// Reads one byte at a time from a buffered source.
struct ByteSource<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
}

impl<R: Read> ByteSource<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; 8192].into_boxed_slice(),
            pos: 0,
            len: 0,
        }
    }

    fn next(&mut self) -> io::Result<Option<u8>> {
        if self.pos == self.len {
            self.len = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.pos = 0;
            if self.len == 0 {
                return Ok(None);
            }
        }
        let b = self.buf.get(self.pos).copied();
        self.pos += 1;
        Ok(b)
    }
}

/// Bytes decoded but not yet handed out.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    at: usize,
}

impl Pending {
    fn drain_into(&mut self, buf: &mut [u8]) -> usize {
        let avail = self.bytes.get(self.at..).unwrap_or(&[]);
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.at += n;
        if self.at >= self.bytes.len() {
            self.bytes.clear();
            self.at = 0;
        }
        n
    }

    fn is_empty(&self) -> bool {
        self.at >= self.bytes.len()
    }
}

/// A decoder that turns input bytes into output a piece at a time.
trait Step {
    /// Decode some more into `out`; `false` at the end of the data.
    fn step(&mut self, out: &mut Vec<u8>) -> io::Result<bool>;
}

/// A [`Step`] as a [`Read`].
struct Stepper<S> {
    step: S,
    pending: Pending,
    ended: bool,
}

impl<S: Step> Stepper<S> {
    fn new(step: S) -> Self {
        Self {
            step,
            pending: Pending::default(),
            ended: false,
        }
    }
}

impl<S: Step> Read for Stepper<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.pending.is_empty() && !self.ended {
            let mut out = std::mem::take(&mut self.pending.bytes);
            out.clear();
            self.ended = !self.step.step(&mut out)?;
            self.pending = Pending { bytes: out, at: 0 };
        }
        Ok(self.pending.drain_into(buf))
    }
}

/// How many output bytes a step may produce before handing them out.
const STEP_CHUNK: usize = 16 * 1024;

fn is_pdf_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// ASCIIHexDecode: pairs of hex digits, white space ignored, `>` ends; an odd last digit is
/// followed by 0.
struct AsciiHex<R> {
    src: ByteSource<R>,
}

impl<R: Read> Step for AsciiHex<R> {
    fn step(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let mut high: Option<u8> = None;
        while out.len() < STEP_CHUNK {
            let Some(b) = self.src.next()? else {
                if let Some(h) = high {
                    out.push(h << 4);
                }
                return Ok(false);
            };
            let v = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                b'>' => {
                    if let Some(h) = high {
                        out.push(h << 4);
                    }
                    return Ok(false);
                }
                // White space and (tolerantly) anything else is skipped.
                _ => continue,
            };
            match high.take() {
                Some(h) => out.push((h << 4) | v),
                None => high = Some(v),
            }
        }
        // Never stop inside a pair: finish it.
        if let Some(h) = high {
            loop {
                match self.src.next()? {
                    Some(b) if b.is_ascii_hexdigit() => {
                        let v = (b as char).to_digit(16).unwrap_or(0) as u8;
                        out.push((h << 4) | v);
                        break;
                    }
                    Some(b'>') | None => {
                        out.push(h << 4);
                        return Ok(false);
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(true)
    }
}

/// ASCII85Decode: groups of five `!`..`u` to four bytes, `z` for four zeros, `~>` ends.
struct Ascii85<R> {
    src: ByteSource<R>,
}

fn flush85(group: &[u8], out: &mut Vec<u8>) {
    // A final partial group of n characters (2..=4) gives n - 1 bytes, padded with `u`.
    let n = group.len();
    if n < 2 {
        return;
    }
    let mut value: u64 = 0;
    for i in 0..5 {
        let c = group.get(i).copied().unwrap_or(84);
        value = value * 85 + u64::from(c);
    }
    let v = u32::try_from(value).unwrap_or(u32::MAX);
    let bytes = v.to_be_bytes();
    out.extend_from_slice(bytes.get(..n - 1).unwrap_or(&bytes));
}

impl<R: Read> Step for Ascii85<R> {
    fn step(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let mut group: Vec<u8> = Vec::with_capacity(5);
        while out.len() < STEP_CHUNK || !group.is_empty() {
            let Some(b) = self.src.next()? else {
                flush85(&group, out);
                return Ok(false);
            };
            match b {
                b'!'..=b'u' => {
                    group.push(b - b'!');
                    if group.len() == 5 {
                        flush85(&group, out);
                        group.clear();
                    }
                }
                b'z' if group.is_empty() => out.extend_from_slice(&[0, 0, 0, 0]),
                b'~' => {
                    flush85(&group, out);
                    return Ok(false);
                }
                b if is_pdf_space(b) => {}
                // Invalid data: decoding ends here, as in common readers.
                _ => {
                    flush85(&group, out);
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

/// RunLengthDecode: a length byte 0..=127 copies the next n + 1 bytes, 129..=255 repeats the
/// next byte 257 - n times, 128 ends.
struct RunLength<R> {
    src: ByteSource<R>,
}

impl<R: Read> Step for RunLength<R> {
    fn step(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        while out.len() < STEP_CHUNK {
            let Some(len) = self.src.next()? else {
                return Ok(false);
            };
            match len {
                0..=127 => {
                    for _ in 0..=len {
                        match self.src.next()? {
                            Some(b) => out.push(b),
                            None => return Ok(false),
                        }
                    }
                }
                128 => return Ok(false),
                _ => {
                    let Some(b) = self.src.next()? else {
                        return Ok(false);
                    };
                    out.extend(std::iter::repeat_n(b, 257 - usize::from(len)));
                }
            }
        }
        Ok(true)
    }
}

/// LZWDecode with weezl, fed a chunk of input at a time.
struct Lzw<R> {
    inner: R,
    decoder: weezl::decode::Decoder,
    input: Box<[u8]>,
    at: usize,
    len: usize,
    input_ended: bool,
}

impl<R: Read> Step for Lzw<R> {
    fn step(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        out.resize(STEP_CHUNK, 0);
        let mut written = 0;
        let mut stalls = 0;
        loop {
            if self.at == self.len && !self.input_ended {
                self.len = self.inner.read(&mut self.input)?;
                self.at = 0;
                self.input_ended = self.len == 0;
            }
            let inp = self.input.get(self.at..self.len).unwrap_or(&[]);
            let dst = out.get_mut(written..).unwrap_or(&mut []);
            let r = self.decoder.decode_bytes(inp, dst);
            self.at += r.consumed_in;
            written += r.consumed_out;
            if r.consumed_in == 0 && r.consumed_out == 0 {
                stalls += 1;
            } else {
                stalls = 0;
            }
            let more = match r.status {
                Ok(weezl::LzwStatus::Ok | weezl::LzwStatus::NoProgress) => {
                    // No progress with input at hand (or none left) twice running: the end.
                    stalls < 2 && !(self.input_ended && self.at == self.len && stalls > 0)
                }
                Ok(weezl::LzwStatus::Done) | Err(_) => false,
            };
            if !more {
                out.truncate(written);
                return Ok(false);
            }
            if written == out.len() {
                return Ok(true);
            }
        }
    }
}

fn int_param(parms: Option<&Dictionary>, key: &[u8], default: i64) -> i64 {
    parms
        .and_then(|p| p.get(key).ok())
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(default)
}

/// Largest row a predictor accepts: `Columns` is the file's word, and a row is buffered whole.
const MAX_ROW_BYTES: usize = 1 << 20;

/// The PNG predictors (`Predictor` 10..=15: a tag byte per row) and the TIFF predictor 2.
struct Predictor<R> {
    src: R,
    png: bool,
    /// Bytes per pixel (at least 1), as PNG defines it for filtering.
    bpp: usize,
    bits: usize,
    colors: usize,
    row: Vec<u8>,
    prev: Vec<u8>,
    raw: Vec<u8>,
    /// Bytes of one stored row (the PNG tag byte included).
    raw_len: usize,
}

impl<R: Read> Predictor<R> {
    /// Fill `raw` with a full row (tag byte included for PNG); `false` at the end.
    fn fill(&mut self) -> io::Result<bool> {
        let mut got = 0;
        while got < self.raw.len() {
            let dst = self.raw.get_mut(got..).unwrap_or(&mut []);
            match self.src.read(dst) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if got == 0 {
            return Ok(false);
        }
        // A short last row is decoded as far as it goes.
        self.raw.truncate(got);
        Ok(true)
    }

    fn png_row(&mut self) {
        let tag = self.raw.first().copied().unwrap_or(0);
        let data = self.raw.get(1..).unwrap_or(&[]);
        self.row.clear();
        for (i, &x) in data.iter().enumerate() {
            let a = if i >= self.bpp {
                self.row.get(i - self.bpp).copied().unwrap_or(0)
            } else {
                0
            };
            let b = self.prev.get(i).copied().unwrap_or(0);
            let c = if i >= self.bpp {
                self.prev.get(i - self.bpp).copied().unwrap_or(0)
            } else {
                0
            };
            let v = match tag {
                1 => x.wrapping_add(a),
                2 => x.wrapping_add(b),
                3 => x.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => x.wrapping_add(paeth(a, b, c)),
                _ => x,
            };
            self.row.push(v);
        }
        self.prev.clear();
        self.prev.extend_from_slice(&self.row);
    }

    fn tiff_row(&mut self) {
        self.row.clear();
        self.row.extend_from_slice(&self.raw);
        match self.bits {
            8 => {
                for i in self.colors..self.row.len() {
                    let left = self.row.get(i - self.colors).copied().unwrap_or(0);
                    if let Some(v) = self.row.get_mut(i) {
                        *v = v.wrapping_add(left);
                    }
                }
            }
            16 => {
                let step = 2 * self.colors;
                let mut i = step;
                while i + 1 < self.row.len() {
                    let l = u16::from_be_bytes([
                        self.row.get(i - step).copied().unwrap_or(0),
                        self.row.get(i - step + 1).copied().unwrap_or(0),
                    ]);
                    let x = u16::from_be_bytes([
                        self.row.get(i).copied().unwrap_or(0),
                        self.row.get(i + 1).copied().unwrap_or(0),
                    ]);
                    let [h, lo] = x.wrapping_add(l).to_be_bytes();
                    if let Some(v) = self.row.get_mut(i) {
                        *v = h;
                    }
                    if let Some(v) = self.row.get_mut(i + 1) {
                        *v = lo;
                    }
                    i += 2;
                }
            }
            // Other depths (1, 2, 4 bits) are left as stored: they only occur in images.
            _ => {}
        }
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let pa = (p - i16::from(a)).abs();
    let pb = (p - i16::from(b)).abs();
    let pc = (p - i16::from(c)).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

impl<R: Read> Step for Predictor<R> {
    fn step(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        let full = self.raw_len;
        self.raw.resize(full, 0);
        if !self.fill()? {
            return Ok(false);
        }
        let short = self.raw.len() < full;
        if self.png {
            self.png_row();
        } else {
            self.tiff_row();
        }
        out.extend_from_slice(&self.row);
        self.raw.resize(full, 0);
        Ok(!short)
    }
}

/// Wrap `src` in the predictor `parms` ask for, if any.
fn predicted<'a>(src: Box<dyn Read + 'a>, parms: Option<&Dictionary>) -> Box<dyn Read + 'a> {
    let predictor = int_param(parms, b"Predictor", 1);
    if predictor != 2 && !(10..=15).contains(&predictor) {
        return src;
    }
    let clamp = |v: i64, lo: i64, hi: i64| usize::try_from(v.clamp(lo, hi)).unwrap_or(1);
    let colors = clamp(int_param(parms, b"Colors", 1), 1, 32);
    let bits = clamp(int_param(parms, b"BitsPerComponent", 8), 1, 16);
    let columns = clamp(int_param(parms, b"Columns", 1), 1, i64::MAX >> 8);
    let row_bytes = columns
        .saturating_mul(colors)
        .saturating_mul(bits)
        .div_ceil(8)
        .min(MAX_ROW_BYTES);
    let png = predictor >= 10;
    let raw_len = row_bytes + usize::from(png);
    Box::new(Stepper::new(Predictor {
        src,
        png,
        bpp: (colors * bits).div_ceil(8).max(1),
        bits,
        colors,
        row: Vec::with_capacity(row_bytes),
        prev: vec![0; row_bytes],
        raw: Vec::with_capacity(raw_len),
        raw_len,
    }))
}

/// A valid zlib header (RFC 1950): deflate, check bits right.
fn zlib_header(data: &[u8]) -> bool {
    match data {
        [cmf, flg, ..] => cmf & 0x0F == 8 && ((u16::from(*cmf) << 8) | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

/// Decode `data` through `filters`, each stage's output capped at `limit` bytes.
pub(crate) fn decode(data: &[u8], filters: &[Filter], limit: u64) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    run(data, filters, limit, |chunk| {
        out.extend_from_slice(chunk);
    })?;
    Ok(out)
}

/// How many bytes the chain decodes to, without keeping them.
pub(crate) fn decoded_size(
    data: &[u8],
    filters: &[Filter],
    limit: u64,
) -> Result<u64, DecodeError> {
    let mut n: u64 = 0;
    run(data, filters, limit, |chunk| n += chunk.len() as u64)?;
    Ok(n)
}

fn run(
    data: &[u8],
    filters: &[Filter],
    limit: u64,
    mut sink: impl FnMut(&[u8]),
) -> Result<(), DecodeError> {
    let mut reader: Box<dyn Read + '_> = Box::new(data);
    for f in filters {
        let parms = f.parms.as_ref();
        let stage: Box<dyn Read + '_> = match f.name.as_slice() {
            b"ASCIIHexDecode" | b"AHx" => Box::new(Stepper::new(AsciiHex {
                src: ByteSource::new(reader),
            })),
            b"ASCII85Decode" | b"A85" => Box::new(Stepper::new(Ascii85 {
                src: ByteSource::new(reader),
            })),
            b"RunLengthDecode" | b"RL" => Box::new(Stepper::new(RunLength {
                src: ByteSource::new(reader),
            })),
            b"FlateDecode" | b"Fl" => {
                // The header is looked at without consuming it: two bytes are read ahead and put
                // back in front.
                let mut head = [0u8; 2];
                let mut got = 0;
                while got < 2 {
                    match reader.read(head.get_mut(got..).unwrap_or(&mut [])) {
                        Ok(0) => break,
                        Ok(n) => got += n,
                        Err(e) if is_over_limit(&e) => return Err(DecodeError::OverLimit),
                        Err(_) => break,
                    }
                }
                let head_bytes = head.get(..got).unwrap_or(&[]).to_vec();
                let zlib = zlib_header(&head_bytes);
                let joined = io::Cursor::new(head_bytes).chain(reader);
                let inflate: Box<dyn Read + '_> = if zlib {
                    Box::new(flate2::read::ZlibDecoder::new(joined))
                } else {
                    // No zlib header: raw deflate, as some producers write it.
                    Box::new(flate2::read::DeflateDecoder::new(joined))
                };
                predicted(
                    Box::new(Tolerant {
                        inner: inflate,
                        done: false,
                    }),
                    parms,
                )
            }
            b"LZWDecode" | b"LZW" => {
                let early = int_param(parms, b"EarlyChange", 1) != 0;
                let decoder = if early {
                    weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
                } else {
                    weezl::decode::Decoder::new(weezl::BitOrder::Msb, 8)
                };
                let lzw = Stepper::new(Lzw {
                    inner: reader,
                    decoder,
                    input: vec![0; 8192].into_boxed_slice(),
                    at: 0,
                    len: 0,
                    input_ended: false,
                });
                predicted(
                    Box::new(Tolerant {
                        inner: lzw,
                        done: false,
                    }),
                    parms,
                )
            }
            // Encryption is undone by lopdf while loading; `Identity` is the only other value.
            b"Crypt" => reader,
            other => {
                return Err(DecodeError::Unsupported(
                    String::from_utf8_lossy(other).into_owned(),
                ));
            }
        };
        reader = Box::new(Limited {
            inner: stage,
            left: limit,
        });
    }
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => sink(buf.get(..n).unwrap_or(&[])),
            Err(e) if is_over_limit(&e) => return Err(DecodeError::OverLimit),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // A source error other than the limit: the data ends there.
            Err(_) => return Ok(()),
        }
    }
}

/// The filter chain of a stream dictionary, with each filter's parameters (`DecodeParms` as one
/// dictionary or an array parallel to `Filter`; `null` entries mean none). `resolve` turns an
/// indirect reference into its object.
pub(crate) fn chain<'a>(
    dict: &'a Dictionary,
    resolve: impl Fn(&'a Object) -> Option<&'a Object>,
) -> Result<Vec<Filter>, DecodeError> {
    let deref = |o: &'a Object| -> Option<&'a Object> {
        match o {
            Object::Reference(_) => resolve(o),
            other => Some(other),
        }
    };
    let Some(filter) = dict.get(b"Filter").ok().and_then(deref) else {
        return Ok(Vec::new());
    };
    let names: Vec<Vec<u8>> = match filter {
        Object::Name(n) => vec![n.clone()],
        Object::Array(items) => items
            .iter()
            .filter_map(|o| deref(o).and_then(|o| o.as_name().ok()).map(<[u8]>::to_vec))
            .collect(),
        _ => return Err(DecodeError::Unsupported("Filter".into())),
    };
    let parms = dict
        .get(b"DecodeParms")
        .or_else(|_| dict.get(b"DP"))
        .ok()
        .and_then(deref);
    let parm_at = |i: usize| -> Option<Dictionary> {
        match parms? {
            Object::Dictionary(d) if i == 0 => Some(d.clone()),
            Object::Array(a) => deref(a.get(i)?)?.as_dict().ok().cloned(),
            _ => None,
        }
    };
    Ok(names
        .into_iter()
        .enumerate()
        .map(|(i, name)| Filter {
            name,
            parms: parm_at(i),
        })
        .collect())
}

/// Filter names as written in a raw dictionary (`/Filter /FlateDecode` or `/Filter [/A85 /Fl]`),
/// for the streams lopdf decodes while loading, before any object is parsed.
pub(crate) fn raw_filter_names(dict: &[u8]) -> Option<Vec<Vec<u8>>> {
    let at = super::pdf::find(dict, b"/Filter", 0)? + b"/Filter".len();
    let rest = dict.get(at..)?;
    let rest = rest.get(rest.iter().position(|b| !is_pdf_space(*b))?..)?;
    let is_delim = |b: u8| is_pdf_space(b) || b"/[]<>()%".contains(&b);
    let name_at = |s: &[u8]| -> Option<Vec<u8>> {
        let s = s.strip_prefix(b"/")?;
        let end = s.iter().position(|b| is_delim(*b)).unwrap_or(s.len());
        Some(s.get(..end)?.to_vec())
    };
    if rest.first() == Some(&b'[') {
        let close = rest.iter().position(|b| *b == b']')?;
        let inner = rest.get(1..close)?;
        let mut names = Vec::new();
        let mut i = 0;
        while let Some(p) = inner.get(i..)?.iter().position(|b| *b == b'/') {
            let name = name_at(inner.get(i + p..)?)?;
            i += p + 1 + name.len();
            names.push(name);
        }
        Some(names)
    } else {
        Some(vec![name_at(rest)?])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn f(name: &str) -> Filter {
        Filter {
            name: name.as_bytes().to_vec(),
            parms: None,
        }
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn a85(data: &[u8]) -> Vec<u8> {
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
            for d in digits.iter_mut().rev() {
                *d = (x % 85) as u8 + b'!';
                x /= 85;
            }
            out.extend_from_slice(&digits[..chunk.len() + 1]);
        }
        out.extend_from_slice(b"~>");
        out
    }

    fn hex(data: &[u8]) -> Vec<u8> {
        let mut s = hex::encode_upper(data).into_bytes();
        s.push(b'>');
        s
    }

    fn lzw(data: &[u8], early: bool) -> Vec<u8> {
        let mut e = if early {
            weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
        } else {
            weezl::encode::Encoder::new(weezl::BitOrder::Msb, 8)
        };
        e.encode(data).unwrap()
    }

    fn sample() -> Vec<u8> {
        (0..50_000u32)
            .flat_map(|i| format!("BT /F1 12 Tf ({i}) Tj ET\n").into_bytes())
            .collect()
    }

    #[test]
    fn each_filter_round_trips() {
        let text = sample();
        assert_eq!(
            decode(&zlib(&text), &[f("FlateDecode")], u64::MAX).unwrap(),
            text
        );
        assert_eq!(
            decode(&a85(&text), &[f("ASCII85Decode")], u64::MAX).unwrap(),
            text
        );
        assert_eq!(decode(&hex(&text), &[f("AHx")], u64::MAX).unwrap(), text);
        assert_eq!(
            decode(&lzw(&text, true), &[f("LZWDecode")], u64::MAX).unwrap(),
            text
        );
        let late = Filter {
            name: b"LZWDecode".to_vec(),
            parms: Some(Dictionary::from_iter(vec![(
                "EarlyChange",
                Object::Integer(0),
            )])),
        };
        assert_eq!(decode(&lzw(&text, false), &[late], u64::MAX).unwrap(), text);
        // Run length: a literal run of 3, a repeat of 130 × 'x', end.
        let rl = [2u8, b'a', b'b', b'c', 129, b'x', 128, b'q'];
        let mut want = b"abc".to_vec();
        want.extend(std::iter::repeat_n(b'x', 128));
        assert_eq!(
            decode(&rl, &[f("RunLengthDecode")], u64::MAX).unwrap(),
            want
        );
        // ASCII85 edge cases: partial last group, `z`, white space.
        assert_eq!(
            decode(b"87cURD]i,\"Ebo80~>", &[f("A85")], 100).unwrap(),
            b"Hello World!"
        );
        assert_eq!(
            decode(b"z\n!!~>", &[f("A85")], 100).unwrap(),
            [0, 0, 0, 0, 0]
        );
        assert_eq!(decode(b"4 1 6>", &[f("AHx")], 100).unwrap(), [0x41, 0x60]);
    }

    #[test]
    fn chains_decode_in_order() {
        let text = sample();
        let chain = [f("ASCII85Decode"), f("FlateDecode")];
        assert_eq!(decode(&a85(&zlib(&text)), &chain, u64::MAX).unwrap(), text);
        let chain = [f("ASCIIHexDecode"), f("FlateDecode")];
        assert_eq!(decode(&hex(&zlib(&text)), &chain, u64::MAX).unwrap(), text);
        let chain = [f("ASCII85Decode"), f("LZWDecode")];
        assert_eq!(
            decode(&a85(&lzw(&text, true)), &chain, u64::MAX).unwrap(),
            text
        );
        let chain = [f("FlateDecode"), f("FlateDecode")];
        assert_eq!(decode(&zlib(&zlib(&text)), &chain, u64::MAX).unwrap(), text);
    }

    #[test]
    fn png_and_tiff_predictors() {
        // Four rows of 4 columns, 1 colour: None, Sub, Up, Paeth.
        let rows: [[u8; 4]; 4] = [[1, 2, 3, 4], [5, 5, 5, 5], [9, 8, 7, 6], [1, 1, 1, 1]];
        let mut enc = Vec::new();
        enc.extend_from_slice(&[0, 1, 2, 3, 4]);
        enc.extend_from_slice(&[1, 5, 0, 0, 0]);
        enc.extend_from_slice(&[2, 4, 3, 2, 1]);
        // Paeth of [1,1,1,1] over [9,8,7,6]: predictions b=9, then paeth(a,b,c).
        let prev = rows[2];
        let mut row = [0u8; 4];
        for i in 0..4 {
            let a = if i > 0 { rows[3][i - 1] } else { 0 };
            let c = if i > 0 { prev[i - 1] } else { 0 };
            row[i] = rows[3][i].wrapping_sub(paeth(a, prev[i], c));
        }
        enc.push(4);
        enc.extend_from_slice(&row);
        let parms = Dictionary::from_iter(vec![
            ("Predictor", Object::Integer(12)),
            ("Columns", Object::Integer(4)),
        ]);
        let chain = [Filter {
            name: b"FlateDecode".to_vec(),
            parms: Some(parms),
        }];
        let want: Vec<u8> = rows.iter().flatten().copied().collect();
        assert_eq!(decode(&zlib(&enc), &chain, u64::MAX).unwrap(), want);

        let tiff = Dictionary::from_iter(vec![
            ("Predictor", Object::Integer(2)),
            ("Columns", Object::Integer(3)),
            ("Colors", Object::Integer(1)),
        ]);
        let chain = [Filter {
            name: b"LZWDecode".to_vec(),
            parms: Some(tiff),
        }];
        let out = decode(&lzw(&[10, 1, 1, 20, 2, 2], true), &chain, u64::MAX).unwrap();
        assert_eq!(out, [10, 11, 12, 20, 22, 24]);
    }

    #[test]
    fn a_bomb_in_any_stage_stops_at_the_limit() {
        let zeros = vec![0u8; 8 << 20];
        let z = zlib(&zeros);
        // Flate inside ASCII85: the inner stage is the bomb.
        let chain = [f("ASCII85Decode"), f("FlateDecode")];
        assert_eq!(
            decode(&a85(&z), &chain, 1 << 20),
            Err(DecodeError::OverLimit)
        );
        assert_eq!(decoded_size(&a85(&z), &chain, 16 << 20), Ok(8 << 20));
        // Two Flate stages: the outer one is small, the inner one is the bomb.
        let chain = [f("FlateDecode"), f("FlateDecode")];
        let zz = zlib(&z);
        assert!(zz.len() < 100_000);
        assert_eq!(
            decoded_size(&zz, &chain, 1 << 20),
            Err(DecodeError::OverLimit)
        );
        // The first stage is the bomb and the second shrinks (hex digits → bytes).
        let hexes = zlib(&vec![b'0'; 8 << 20]);
        let chain = [f("FlateDecode"), f("ASCIIHexDecode")];
        assert_eq!(
            decoded_size(&hexes, &chain, 5 << 20),
            Err(DecodeError::OverLimit)
        );
        assert_eq!(decoded_size(&hexes, &chain, 9 << 20), Ok(4 << 20));
        // Run length and LZW bombs.
        let rl: Vec<u8> = [129u8, 0].repeat(100_000);
        assert_eq!(
            decoded_size(&rl, &[f("RL")], 1 << 20),
            Err(DecodeError::OverLimit)
        );
        let l = lzw(&zeros, true);
        assert_eq!(
            decoded_size(&l, &[f("LZW")], 1 << 20),
            Err(DecodeError::OverLimit)
        );
        assert_eq!(decoded_size(&l, &[f("LZW")], 16 << 20), Ok(8 << 20));
        // `z` in ASCII85: 4 bytes each.
        let zs = vec![b'z'; 1 << 20];
        assert_eq!(
            decoded_size(&zs, &[f("A85")], 1 << 20),
            Err(DecodeError::OverLimit)
        );
    }

    #[test]
    fn broken_data_decodes_as_far_as_it_goes() {
        let text = sample();
        let z = zlib(&text);
        let cut = decode(&z[..z.len() / 2], &[f("FlateDecode")], u64::MAX).unwrap();
        assert!(!cut.is_empty() && text.starts_with(&cut));
        // Raw deflate (no zlib header).
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"BT (raw) Tj ET").unwrap();
        let raw = e.finish().unwrap();
        assert_eq!(decode(&raw, &[f("Fl")], 100).unwrap(), b"BT (raw) Tj ET");
        assert!(matches!(
            decode(b"xx", &[f("DCTDecode")], 100),
            Err(DecodeError::Unsupported(_))
        ));
        let mut x: u32 = 9;
        for _ in 0..500 {
            let junk: Vec<u8> = (0..200)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect();
            for name in ["Fl", "LZW", "A85", "AHx", "RL"] {
                let _ = decode(&junk, &[f(name)], 1 << 20);
            }
        }
        // A predictor with absurd columns does not allocate them.
        let parms = Dictionary::from_iter(vec![
            ("Predictor", Object::Integer(15)),
            ("Columns", Object::Integer(i64::MAX)),
            ("Colors", Object::Integer(i64::MAX)),
        ]);
        let chain = [Filter {
            name: b"FlateDecode".to_vec(),
            parms: Some(parms),
        }];
        let _ = decode(&z, &chain, 64 << 20);
    }

    #[test]
    fn parameters_per_filter() {
        let mut d = Dictionary::new();
        d.set(
            "Filter",
            Object::Array(vec![
                Object::Name(b"A85".to_vec()),
                Object::Name(b"Fl".to_vec()),
            ]),
        );
        d.set(
            "DecodeParms",
            Object::Array(vec![
                Object::Null,
                Object::Dictionary(Dictionary::from_iter(vec![(
                    "Predictor",
                    Object::Integer(12),
                )])),
            ]),
        );
        let c = chain(&d, |_| None).unwrap();
        assert_eq!(c.len(), 2);
        assert!(c[0].parms.is_none());
        assert_eq!(int_param(c[1].parms.as_ref(), b"Predictor", 1), 12);
        assert_eq!(
            raw_filter_names(b"<< /Type /ObjStm /Filter [ /ASCII85Decode/FlateDecode ] >>"),
            Some(vec![b"ASCII85Decode".to_vec(), b"FlateDecode".to_vec()])
        );
        assert_eq!(
            raw_filter_names(b"<< /Filter /FlateDecode /N 3 >>"),
            Some(vec![b"FlateDecode".to_vec()])
        );
    }
}
