#!/usr/bin/env bash
# Makes assets/fonts/NotoSerifSC-Regular.ttf, the body face of printed letters (issue 15,
# point 7: the letter after GB/T 9704's look, a 宋体-like serif).
#
# Source: NotoSerifCJK-Regular.ttc of Debian's fonts-noto-cjk (Google and Adobe, SIL OFL 1.1,
# licence in OFL.txt), face 2 of the collection (Noto Serif CJK SC). The collection's face maps
# every character to its Simplified Chinese glyph; this script keeps that face's characters
# except Hangul syllables and Jamo (a Chinese letter never prints them), drops hinting and the
# layout tables with the glyphs only they reach (the letter draws glyph by glyph from the
# character map, as it does with Noto Sans SC: no shaping), and turns the cubic (CFF) outlines
# into quadratic TrueType ones (fontTools' cu2qu, 1 unit tolerance), the form the letter's
# subsetter and the bundled Noto Sans SC already use. The name "Noto" is not reserved by the
# OFL, so the font keeps it; the family is renamed "Noto Serif SC" as Google ships it.
# Timestamps are kept, so the output is the same file on every run with the same inputs.
#
# Needs: apt-get install fonts-noto-cjk; pip install fonttools (tested with 4.61).
# Run from anywhere: bash assets/fonts/make-serif.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${NOTO_SERIF_CJK:-/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc}"
out="$here/NotoSerifSC-Regular.ttf"

if [[ ! -f "$src" ]]; then
    echo "找不到 $src：请先 apt-get install fonts-noto-cjk（或设置 NOTO_SERIF_CJK=路径）" >&2
    exit 1
fi

python3 - "$src" "$out" <<'PY'
import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

src, out = sys.argv[1:3]
SC_FACE = 2

font = TTCollection(src, recalcTimestamp=False).fonts[SC_FACE]
assert font["name"].getDebugName(4) == "Noto Serif CJK SC", font["name"].getDebugName(4)

def hangul(cp):
    return 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F \
        or 0xA960 <= cp <= 0xA97F or 0xD7B0 <= cp <= 0xD7FF

keep = sorted(cp for cp in font.getBestCmap() if not hangul(cp))
opts = subset.Options()
opts.layout_features = []
opts.hinting = False
opts.notdef_outline = True
opts.recalc_timestamp = False
opts.name_languages = ["*"]
opts.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "GSUB", "GPOS", "GDEF"]
sub = subset.Subsetter(opts)
sub.populate(unicodes=keep)
sub.subset(font)

# CFF → glyf (after fontTools' Snippets/otf2ttf.py).
glyph_order = font.getGlyphOrder()
gs = font.getGlyphSet()
glyf = newTable("glyf")
glyf.glyphOrder = glyph_order
glyf.glyphs = {}
for name in glyph_order:
    pen = TTGlyphPen(gs)
    gs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
    glyf[name] = pen.glyph()
font["loca"] = newTable("loca")
font["glyf"] = glyf
del font["CFF "]
font["maxp"] = newTable("maxp")
maxp = font["maxp"]
maxp.tableVersion = 0x00010000
for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
             "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions"):
    setattr(maxp, attr, 0)
maxp.maxZones = 1
maxp.maxComponentElements = max(
    (len(g.components) for g in glyf.glyphs.values() if hasattr(g, "components")), default=0)
font["head"].indexToLocFormat = 1
font["head"].glyphDataFormat = 0
post = font["post"]
post.formatType = 2.0
post.extraNames = []
post.mapping = {}
post.glyphOrder = glyph_order
font.sfntVersion = "\x00\x01\x00\x00"

# The family as Google ships the single-region font.
name = font["name"]
for rec in name.names:
    if rec.nameID in (1, 4, 16):
        text = rec.toUnicode().replace("Noto Serif CJK SC", "Noto Serif SC")
        rec.string = text
    elif rec.nameID == 6:
        rec.string = rec.toUnicode().replace("NotoSerifCJKsc", "NotoSerifSC")
font.save(out)
print(f"{out}: {len(glyph_order)} glyphs, {len(keep)} characters")
PY
