#!/usr/bin/env bash
# Makes assets/fonts/XinyidianHanExt-Regular.ttf, the letter's fallback font for the CJK
# Extension B..F characters that the main font (Noto Sans SC) lacks (issue 14, point 10).
#
# Source: HanaMinB.ttf of Debian's fonts-hanazono (GlyphWiki Project, 花園明朝B, dual-licensed
# under the Hanazono Font License or the SIL OFL 1.1; we take it under the OFL, see
# OFL-Hanazono.txt). The whole font is 30 MB (all 60,317 characters of Extensions B..F), far
# too much to bundle, so it is cut down to a documented character set:
#
#   every character of HKSCS-2004 (香港增补字符集, Python's `big5hkscs` codec) in Unicode
#   planes 2 and 3, i.e. in the CJK Extension B..F ranges, that Noto Sans SC does not have.
#
# These are the Cantonese characters of Hong Kong and Guangdong names (𨋢 U+282E2, 𠝹 …) — the
# ones a Zhanjiang counter meets. A character outside this set is refused at registration and
# at letter time with a message naming it (documents::letter_pdf::unprintable_chars).
#
# The OFL reserves the names "HanaMinB", "花園明朝B" and "Hanazono Font" for the original, so
# the subset is renamed "Xinyidian Han Ext" (OFL §3); the copyright notice is kept. Layout
# tables and hinting are dropped (a name is drawn glyph by glyph). Timestamps are kept, so the
# output is the same file on every run with the same inputs.
#
# Needs: apt-get install fonts-hanazono; pip install fonttools (tested with 4.68.0).
# Run from anywhere: bash assets/fonts/make-fallback.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${HANAMINB:-/usr/share/fonts/truetype/hanazono/HanaMinB.ttf}"
main="$here/NotoSansSC-Regular.ttf"
out="$here/XinyidianHanExt-Regular.ttf"

if [[ ! -f "$src" ]]; then
    echo "找不到 $src：请先 apt-get install fonts-hanazono（或设置 HANAMINB=路径）" >&2
    exit 1
fi

python3 - "$src" "$main" "$out" <<'PY'
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

src, main, out = sys.argv[1:4]

# Extension B..F: U+20000..U+2EBEF (B 20000–2A6DF, C 2A700–2B73F, D 2B740–2B81F,
# E 2B820–2CEAF, F 2CEB0–2EBEF).
EXT_B_TO_F = (0x20000, 0x2EBEF)

hkscs = set()
for lead in range(0x81, 0xFF):
    for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
        try:
            text = bytes([lead, trail]).decode("big5hkscs")
        except UnicodeDecodeError:
            continue
        hkscs.update(ord(c) for c in text)

main_cmap = TTFont(main, lazy=True).getBestCmap()
font = TTFont(src, recalcTimestamp=False)
src_cmap = font.getBestCmap()

wanted = sorted(
    c
    for c in hkscs
    if EXT_B_TO_F[0] <= c <= EXT_B_TO_F[1] and c in src_cmap and c not in main_cmap
)

options = subset.Options()
options.layout_features = []
options.hinting = False
options.name_IDs = ["*"]
options.name_languages = ["*"]
options.notdef_outline = True
options.recalc_timestamp = False
subsetter = subset.Subsetter(options=options)
subsetter.populate(unicodes=wanted)
subsetter.subset(font)

# Rename (OFL reserved font names); keep the copyright (name ID 0) and licence (13, 14).
family = "Xinyidian Han Ext"
names = {
    1: family,
    2: "Regular",
    3: f"{family} Regular (subset of HanaMinB 20170904, HKSCS-2004 Ext B-F)",
    4: f"{family} Regular",
    6: "XinyidianHanExt-Regular",
    16: family,
    17: "Regular",
}
name = font["name"]
name.names = [n for n in name.names if n.nameID not in names and n.nameID not in (18, 21, 22)]
for name_id, value in names.items():
    name.setName(value, name_id, 3, 1, 0x409)
    name.setName(value, name_id, 1, 0, 0)
font["name"].names.sort(key=lambda n: (n.platformID, n.platEncID, n.langID, n.nameID))
font.save(out)

print(f"{out}: {len(wanted)} characters (HKSCS-2004 ∩ Ext B..F ∩ HanaMinB − Noto Sans SC)")
PY
ls -l "$out"
