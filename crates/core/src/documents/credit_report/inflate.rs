//! How many bytes a Flate (zlib / deflate) stream expands to, counted without keeping them, and
//! stopping as soon as a limit is passed. A PDF bomb (a few hundred kilobytes that inflate to
//! gigabytes) is thereby refused before lopdf or pdf-extract inflate it in full.
//!
//! Only symbol lengths are counted: literals add one byte, back-references their length, so no
//! output window is kept. The decoder follows RFC 1951 (the canonical-Huffman scheme of zlib's
//! `puff.c`) and never panics: every table access is checked.

/// The outcome of probing one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inflated {
    /// The stream inflates to this many bytes (up to the point where the data ends or breaks,
    /// which is also where lopdf stops).
    Size(u64),
    /// It inflates to more than the limit.
    OverLimit,
}

const MAX_BITS: usize = 15;

/// Base lengths and extra bits of length symbols 257..285.
const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Base distances and extra bits of distance symbols 0..29.
const DIST_BASE: [u32; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order in which code-length code lengths are stored.
const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// The decoder stopped: the data ended or is invalid. Counting ends there.
struct Stop;

struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    bit_buf: u32,
    bit_cnt: u32,
}

impl Bits<'_> {
    fn need(&mut self, n: u32) -> Result<u32, Stop> {
        while self.bit_cnt < n {
            let byte = *self.data.get(self.pos).ok_or(Stop)?;
            self.pos += 1;
            self.bit_buf |= u32::from(byte) << self.bit_cnt;
            self.bit_cnt += 8;
        }
        let v = self.bit_buf & ((1u32 << n) - 1);
        self.bit_buf >>= n;
        self.bit_cnt -= n;
        Ok(v)
    }
}

/// A canonical Huffman code: how many codes of each length, and the symbols in code order.
struct Huffman {
    count: [u16; MAX_BITS + 1],
    symbol: Vec<u16>,
}

impl Huffman {
    /// Build from code lengths; `Stop` when the lengths over-subscribe the code space.
    fn new(lengths: &[u8]) -> Result<Self, Stop> {
        let mut count = [0u16; MAX_BITS + 1];
        for &l in lengths {
            let slot = count.get_mut(usize::from(l)).ok_or(Stop)?;
            *slot += 1;
        }
        let mut left: i32 = 1;
        for len in 1..=MAX_BITS {
            left <<= 1;
            left -= i32::from(count.get(len).copied().unwrap_or(0));
            if left < 0 {
                return Err(Stop);
            }
        }
        let mut offs = [0u16; MAX_BITS + 1];
        for len in 1..MAX_BITS {
            let next = offs.get(len).copied().unwrap_or(0) + count.get(len).copied().unwrap_or(0);
            if let Some(o) = offs.get_mut(len + 1) {
                *o = next;
            }
        }
        let mut symbol = vec![0u16; lengths.len()];
        for (sym, &l) in lengths.iter().enumerate() {
            if l != 0 {
                let o = offs.get_mut(usize::from(l)).ok_or(Stop)?;
                let slot = symbol.get_mut(usize::from(*o)).ok_or(Stop)?;
                *slot = u16::try_from(sym).map_err(|_| Stop)?;
                *o += 1;
            }
        }
        Ok(Self { count, symbol })
    }

    fn decode(&self, bits: &mut Bits<'_>) -> Result<u16, Stop> {
        let mut code: i32 = 0;
        let mut first: i32 = 0;
        let mut index: i32 = 0;
        for len in 1..=MAX_BITS {
            code |= i32::try_from(bits.need(1)?).map_err(|_| Stop)?;
            let count = i32::from(self.count.get(len).copied().unwrap_or(0));
            if code - count < first {
                let at = usize::try_from(index + (code - first)).map_err(|_| Stop)?;
                return self.symbol.get(at).copied().ok_or(Stop);
            }
            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }
        Err(Stop)
    }
}

/// Count the inflated size of a zlib stream as lopdf would inflate it (lopdf retries as raw
/// deflate after the two header bytes when the zlib header is bad, so both start at byte 2),
/// giving up with [`Inflated::OverLimit`] as soon as `limit` is passed.
pub(crate) fn zlib_inflated_size(data: &[u8], limit: u64) -> Inflated {
    let body = data.get(2..).unwrap_or(&[]);
    deflate_size(body, limit)
}

/// Count the inflated size of raw deflate data, up to `limit`.
pub(crate) fn deflate_size(data: &[u8], limit: u64) -> Inflated {
    let mut bits = Bits {
        data,
        pos: 0,
        bit_buf: 0,
        bit_cnt: 0,
    };
    let mut out: u64 = 0;
    let fixed = fixed_tables();
    loop {
        match block(&mut bits, &mut out, limit, fixed.as_ref()) {
            Ok(true) => return Inflated::Size(out),
            Ok(false) => {}
            Err(Stop) if out > limit => return Inflated::OverLimit,
            Err(Stop) => return Inflated::Size(out),
        }
    }
}

fn fixed_tables() -> Option<(Huffman, Huffman)> {
    let mut lengths = [0u8; 288];
    for (i, l) in lengths.iter_mut().enumerate() {
        *l = match i {
            0..=143 => 8,
            144..=255 => 9,
            256..=279 => 7,
            _ => 8,
        };
    }
    let lit = Huffman::new(&lengths).ok()?;
    let dist = Huffman::new(&[5u8; 30]).ok()?;
    Some((lit, dist))
}

/// One block; `Ok(true)` after the final block. `Err(Stop)` when data ends, is invalid, or the
/// count passed the limit (the caller tells these apart by the count).
fn block(
    bits: &mut Bits<'_>,
    out: &mut u64,
    limit: u64,
    fixed: Option<&(Huffman, Huffman)>,
) -> Result<bool, Stop> {
    let last = bits.need(1)? == 1;
    match bits.need(2)? {
        0 => stored(bits, out, limit)?,
        1 => {
            let (lit, dist) = fixed.ok_or(Stop)?;
            codes(bits, out, limit, lit, dist)?;
        }
        2 => {
            let (lit, dist) = dynamic_tables(bits)?;
            codes(bits, out, limit, &lit, &dist)?;
        }
        _ => return Err(Stop),
    }
    Ok(last)
}

fn stored(bits: &mut Bits<'_>, out: &mut u64, limit: u64) -> Result<(), Stop> {
    bits.bit_buf = 0;
    bits.bit_cnt = 0;
    let Some(&[a, b, c, d]) = bits.data.get(bits.pos..bits.pos + 4) else {
        return Err(Stop);
    };
    let len = u16::from_le_bytes([a, b]);
    let nlen = u16::from_le_bytes([c, d]);
    if len != !nlen {
        return Err(Stop);
    }
    bits.pos += 4;
    let available = bits.data.len().saturating_sub(bits.pos);
    let take = usize::from(len).min(available);
    bits.pos += take;
    *out += take as u64;
    if *out > limit || take < usize::from(len) {
        return Err(Stop);
    }
    Ok(())
}

fn dynamic_tables(bits: &mut Bits<'_>) -> Result<(Huffman, Huffman), Stop> {
    let nlen = usize::try_from(bits.need(5)?).map_err(|_| Stop)? + 257;
    let ndist = usize::try_from(bits.need(5)?).map_err(|_| Stop)? + 1;
    let ncode = usize::try_from(bits.need(4)?).map_err(|_| Stop)? + 4;
    if nlen > 286 || ndist > 30 {
        return Err(Stop);
    }
    let mut cl = [0u8; 19];
    for &slot in CL_ORDER.iter().take(ncode) {
        let v = u8::try_from(bits.need(3)?).map_err(|_| Stop)?;
        *cl.get_mut(slot).ok_or(Stop)? = v;
    }
    let cl_code = Huffman::new(&cl)?;
    let mut lengths = vec![0u8; nlen + ndist];
    let mut i = 0;
    while i < nlen + ndist {
        let sym = cl_code.decode(bits)?;
        let (value, repeat) = match sym {
            0..=15 => (u8::try_from(sym).map_err(|_| Stop)?, 1),
            16 => {
                let prev = *lengths.get(i.checked_sub(1).ok_or(Stop)?).ok_or(Stop)?;
                (prev, 3 + bits.need(2)?)
            }
            17 => (0, 3 + bits.need(3)?),
            18 => (0, 11 + bits.need(7)?),
            _ => return Err(Stop),
        };
        for _ in 0..repeat {
            *lengths.get_mut(i).ok_or(Stop)? = value;
            i += 1;
        }
    }
    if lengths.get(256).copied().unwrap_or(0) == 0 {
        return Err(Stop);
    }
    let lit = Huffman::new(lengths.get(..nlen).ok_or(Stop)?)?;
    let dist = Huffman::new(lengths.get(nlen..).ok_or(Stop)?)?;
    Ok((lit, dist))
}

fn codes(
    bits: &mut Bits<'_>,
    out: &mut u64,
    limit: u64,
    lit: &Huffman,
    dist: &Huffman,
) -> Result<(), Stop> {
    loop {
        let sym = lit.decode(bits)?;
        match sym {
            0..=255 => *out += 1,
            256 => return Ok(()),
            _ => {
                let li = usize::from(sym - 257);
                let base = *LEN_BASE.get(li).ok_or(Stop)?;
                let extra = *LEN_EXTRA.get(li).ok_or(Stop)?;
                let len = u64::from(base) + u64::from(bits.need(u32::from(extra))?);
                let di = usize::from(dist.decode(bits)?);
                let dbase = *DIST_BASE.get(di).ok_or(Stop)?;
                let dextra = *DIST_EXTRA.get(di).ok_or(Stop)?;
                let d = u64::from(dbase) + u64::from(bits.need(u32::from(dextra))?);
                if d > *out {
                    // A reference before the start: invalid data, inflaters stop here.
                    return Err(Stop);
                }
                *out += len;
            }
        }
        if *out > limit {
            return Err(Stop);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Dictionary, Stream};

    /// Compress with lopdf (flate2 underneath), the same library that inflates in production.
    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut s = Stream::new(Dictionary::new(), data.to_vec());
        s.compress().unwrap();
        assert!(s.is_compressed(), "test data should be compressible");
        s.content
    }

    #[test]
    fn counts_what_lopdf_inflates() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("BT /F1 12 Tf ({i}) Tj ET\n").into_bytes())
            .collect();
        let z = zlib(&text);
        assert_eq!(
            zlib_inflated_size(&z, u64::MAX),
            Inflated::Size(text.len() as u64)
        );
        assert_eq!(zlib_inflated_size(&z, 1000), Inflated::OverLimit);
        // Pseudo-random bytes: mostly literals, dynamic tables.
        let mut x: u32 = 12345;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8 % 40
            })
            .collect();
        assert_eq!(
            zlib_inflated_size(&zlib(&noise), u64::MAX),
            Inflated::Size(noise.len() as u64)
        );
    }

    #[test]
    fn a_bomb_is_stopped_at_the_limit_quickly() {
        let zeros = vec![0u8; 64 << 20];
        let z = zlib(&zeros);
        assert!(z.len() < 100_000, "{}", z.len());
        let t = std::time::Instant::now();
        assert_eq!(zlib_inflated_size(&z, 1 << 20), Inflated::OverLimit);
        assert_eq!(zlib_inflated_size(&z, u64::MAX), Inflated::Size(64 << 20));
        assert!(t.elapsed().as_secs_f64() < 2.0, "{:?}", t.elapsed());
    }

    #[test]
    fn garbage_and_truncation_do_not_panic() {
        assert_eq!(zlib_inflated_size(&[], 10), Inflated::Size(0));
        assert_eq!(zlib_inflated_size(&[0x78], 10), Inflated::Size(0));
        let z = zlib("hello ".repeat(50).as_bytes());
        for cut in 0..z.len() {
            let _ = zlib_inflated_size(&z[..cut], 1000);
        }
        let mut x: u32 = 7;
        for _ in 0..2000 {
            let junk: Vec<u8> = (0..64)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect();
            let _ = zlib_inflated_size(&junk, 1 << 20);
        }
        // Stored blocks.
        let mut stored = vec![0x78, 0x01, 0x01, 5, 0, !5, 0xff];
        stored.extend_from_slice(b"abcde");
        assert_eq!(zlib_inflated_size(&stored, 100), Inflated::Size(5));
        assert_eq!(zlib_inflated_size(&stored, 3), Inflated::OverLimit);
    }
}
