#!/usr/bin/env bash
# The real-window test (issue 15): the release binary's actual window, on a private X server
# (Xvfb), driven the way a clerk drives it — keys, clicks and the X clipboard through xdotool and
# xclip — from sign-in through search, 新建主体, 信用核查 and 承诺书. The headless kittest tests
# cover layout and logic; this one covers what only a real window has: winit and the GL context
# under Mesa, real key events, IME-free text input, and the system clipboard.
#
# Usage: bash scripts/real-window-test.sh   (from anywhere; XINYIDIAN_BIN=path skips the build)
# Needs: xvfb, xdotool, xclip, imagemagick (import), poppler-utils (pdftotext) and Mesa's
# libgl1-mesa-dri; .ci/run installs them.
# Output: a screenshot per step in target/real-window/NN-step.png, the window's log in
# target/real-window/app.log. Exit status 0 only if the CLI, reading the same database after
# the window is gone, finds what the clicks should have saved.
#
# Coordinates: egui draws its own widgets, so xdotool sees no controls, only one X window. The
# script uses the keyboard wherever the app has a way (Tab, Enter, Ctrl+F, Ctrl+N, Ctrl+V) and
# clicks only where it must (the subject page's tabs, the 运行信用核查 button, the 租户 radio
# button, 出具承诺书, 退出登录), at positions read off screenshots of the window at its fixed
# 1280×720 size, placed at the screen's top-left corner. A layout change that moves one of those
# controls shows as a failed check below; the screenshots show where things went.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/target/real-window

say() { printf '== %s\n' "$*"; }
fail() {
  printf 'real-window test FAILED: %s\n' "$*" >&2
  printf '(screenshots and app.log in %s)\n' "$out" >&2
  exit 1
}

for tool in Xvfb xdotool xclip import convert pdftotext timeout; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "$tool not found (apt-get install xvfb xdotool xclip imagemagick poppler-utils)"
done

started=$(date +%s)

# The program under test: the release build, as a counter PC runs it.
if [ -n "${XINYIDIAN_BIN:-}" ]; then
  bin=$XINYIDIAN_BIN
else
  say "cargo build --release --bin xinyidian"
  cargo build --release --bin xinyidian
  bin=$root/target/release/xinyidian
fi
[ -x "$bin" ] || fail "no program at $bin"
built=$(date +%s)

# Everything the run writes stays under target/real-window: the database, the audit key, the
# documents folder and HOME itself (the window and its libraries write caches and settings
# there), so the real home is never touched and each run starts clean.
rm -rf "$out"
mkdir -p "$out/home" "$out/audit-key" "$out/documents"
export HOME=$out/home
export XINYIDIAN_KEY_DIR=$out/audit-key
export XINYIDIAN_DOCUMENTS_DIR=$out/documents
unset XINYIDIAN_DB XINYIDIAN_OPERATOR XINYIDIAN_PASSWORD XINYIDIAN_NEW_PASSWORD
db=$out/desk.sqlite3
password='Zj-2026-counter'

# The subject registered through the window (typed into the search box), and a second one whose
# code only ever reaches the window through the X clipboard.
typed_code=91440800MA4UMB8E0P
typed_name=湛江市霞山区海滨电器有限公司
pasted_code=91440300708461136T
pasted_name=湛江市赤坎区北桥五金商行

say "preparing $db with the command line"
XINYIDIAN_NEW_PASSWORD=$password \
  "$bin" --db "$db" operator add --staff-no A1 --name 管理员甲 --role admin
# Letters need the accepting unit (rule C-3); without it 出具承诺书 is refused.
XINYIDIAN_OPERATOR=A1 XINYIDIAN_PASSWORD=$password \
  "$bin" --db "$db" settings unit --uscc 914408001903456783 --name 广东电网有限责任公司湛江供电局

# A private X server. -displayfd lets Xvfb pick a free display number itself: other tests (the
# clipboard test) may hold :99 or any fixed number at the same time.
xvfb_pid=''
app_pid=''
cleanup() {
  # Only the processes this script started, by their ids.
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; fi
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap cleanup EXIT

: >"$out/display"
Xvfb -displayfd 3 -screen 0 1366x900x24 -nolisten tcp 3>"$out/display" >"$out/xvfb.log" 2>&1 &
xvfb_pid=$!
display=''
for _ in $(seq 50); do
  display=$(tr -dc 0-9 <"$out/display") || true
  [ -n "$display" ] && break
  sleep 0.2
done
[ -n "$display" ] || fail "Xvfb did not start within 10 s (see $out/xvfb.log)"
export DISPLAY=:$display
say "Xvfb on $DISPLAY (pid $xvfb_pid)"

# No window manager: the window keeps the position and size it asks for, and keyboard focus
# follows the pointer (X's PointerRoot), which stays over the window. eframe draws with OpenGL;
# Mesa's software renderer (llvmpipe) serves it on a server without a GPU.
export LIBGL_ALWAYS_SOFTWARE=1
"$bin" --db "$db" >"$out/app.log" 2>&1 &
app_pid=$!
say "window started (pid $app_pid)"

win=$(timeout 30 xdotool search --sync --onlyvisible --pid "$app_pid" 2>/dev/null | head -1) ||
  true
[ -n "$win" ] || fail "the window did not appear within 30 s (see $out/app.log)"
# A known size at the corner, so the click positions below hold. (No --sync: without a window
# manager a move to where the window already is sends no event to wait for.)
timeout 5 xdotool windowmove "$win" 0 0 || true
timeout 5 xdotool windowsize "$win" 1280 720 || true
geometry=$(xdotool getwindowgeometry "$win")
grep -q 'Position: 0,0' <<<"$geometry" && grep -q 'Geometry: 1280x720' <<<"$geometry" ||
  fail "the window is not 1280×720 at 0,0: $geometry"
xdotool mousemove 1000 650
timeout 5 xdotool windowfocus "$win" 2>/dev/null || true

shot_no=0
# A screenshot of the window after the step has had time to draw (egui repaints on input).
shot() {
  sleep "${2:-0.8}"
  kill -0 "$app_pid" 2>/dev/null || fail "the window closed unexpectedly at step $1 (see app.log)"
  shot_no=$((shot_no + 1))
  local file
  file=$(printf '%s/%02d-%s.png' "$out" "$shot_no" "$1")
  timeout 20 import -window root "$file" || fail "screenshot $file failed"
  say "step $shot_no: $1 ($(basename "$file"))"
}
click() { xdotool mousemove "$1" "$2"; sleep 0.15; xdotool click 1; sleep 0.3; }
key() { xdotool key --delay 80 "$@"; sleep 0.2; }
# ASCII only: xdotool types other characters by remapping a spare keycode per character, and
# the window drops some of them when they come fast, so Chinese text goes through the clipboard
# (as a clerk copies a name from the marketing system).
type_ascii() { xdotool type --delay 40 "$1"; sleep 0.2; }
# Put text on the X clipboard (xclip stays in the background as its owner until the next copy)
# and paste it with Ctrl+V into the field that has the cursor.
paste() {
  printf '%s' "$1" | timeout 10 xclip -selection clipboard -in >/dev/null 2>&1
  [ "$(timeout 10 xclip -selection clipboard -out)" = "$1" ] || fail "the X clipboard does not hold “$1”"
  key ctrl+v
}
# Wait until the pixel at ($1, $2) has colour $3 (RRGGBB): up to $4 seconds. egui draws
# everything itself, so a pixel of a known control is how the script knows a screen is up
# (and that the control is still where the clicks expect it).
wait_color() {
  local x=$1 y=$2 want=$3 limit=$4 what=$5 got='' t=0
  while :; do
    got=$(timeout 10 import -window root png:- | convert - -crop "1x1+$x+$y" -format '%[hex:u.p{0,0}]' info:) || true
    [ "$got" = "$want" ] && return 0
    t=$((t + 1))
    [ "$t" -le "$((limit * 4))" ] || {
      shot "failed-$what" 0
      fail "$what: pixel ($x, $y) is #$got, not #$want, after $limit s"
    }
    sleep 0.25
  done
}
# The probes: the white inside of the sign-in screen's 工号 box; the light blue of a selected
# button (the left panel's 查询, a subject page's tab); the dot of a checked radio button.
white=FFFFFF
selected=90D1FF
dot=000000

# Wait until a read-only CLI command succeeds against the database (the window's save is
# committed): up to $1 seconds.
wait_cli() {
  local limit=$1 what=$2
  shift 2
  local t=0
  until "$bin" --db "$db" "$@" >/dev/null 2>&1; do
    t=$((t + 1))
    [ "$t" -le "$((limit * 2))" ] || { shot "failed-$what" 0; fail "$what: not saved within $limit s"; }
    sleep 0.5
  done
}

# 1. The opening screen opens the database on a worker thread, then the sign-in screen has the
# cursor in 工号.
wait_color 600 237 $white 60 "sign-in screen shown"
shot opened 0.5
type_ascii A1
key Tab
type_ascii "$password"
shot sign-in-filled 0.3
key Return
wait_color 20 70 $selected 30 "signed in (查询 selected in the left panel)"
shot signed-in 0.5

# 2. The search box has the cursor after sign-in (Ctrl+F puts it there anyway): a code nobody
# has registered yet.
key ctrl+f
type_ascii "$typed_code"
key Return
shot search-not-found

# 3. Ctrl+N: 新建主体, with the searched code already in 统一社会信用代码. The cursor goes to 名称
# (a click there too, in case it did not); Tab walks the fields in reading order: 名称, 统一社会信用
# 代码, 法定代表人姓名, 证件类型 (a drop-down, left as 居民身份证), 证件号码, 成立日期, 联系电话,
# 注册地址. Enter in a field saves.
key ctrl+n
shot new-subject-form
click 430 154
key ctrl+a
paste "$typed_name"
key Tab Tab
paste 陈海明
key Tab Tab
type_ascii 440803199001011234
key Tab
type_ascii 2019-05-06
key Tab
type_ascii 0759-2223456
key Tab
paste '湛江市霞山区人民大道南 88 号'
shot new-subject-filled 0.5
key Return
wait_cli 10 "subject $typed_code registered in the window" subject show "$typed_code"
wait_color 120 110 $selected 10 "subject page open (基本信息 selected)"
shot subject-registered 0.3

# 4. 信用核查 tab, 运行信用核查 (no 信易电 business: the 守信用电主体 check).
click 282 117
wait_color 285 110 $selected 10 "信用核查 tab selected"
shot check-tab 0.3
click 506 164
shot check-done 1.2

# 5. 承诺书 tab: the form is filled from the subject; choose 租户 and 出具承诺书.
click 386 117
wait_color 372 110 $selected 10 "承诺书 tab selected"
shot letter-tab 0.5
click 369 509
wait_color 343 509 $dot 10 "租户 chosen"
shot letter-tenant 0.2
click 149 563
t=0
until "$bin" --db "$db" --json commitment list "$typed_code" 2>/dev/null | grep -q '"承诺编码"'; do
  t=$((t + 1))
  [ "$t" -le 20 ] || { shot failed-letter 0; fail "no commitment letter issued for $typed_code"; }
  sleep 0.5
done
shot letter-issued

# 6. A code from the X clipboard: Ctrl+F, select what is there, Ctrl+V, Enter. Nothing found,
# so Ctrl+N registers it: the code in the saved subject came only through the clipboard.
key ctrl+f
key ctrl+a
paste "$pasted_code"
shot clipboard-code-pasted 0.5
key Return
shot clipboard-search-not-found
key ctrl+n
shot clipboard-new-subject
click 430 154
key ctrl+a
paste "$pasted_name"
key Return
wait_cli 10 "subject $pasted_code (code pasted from the clipboard) registered" \
  subject show "$pasted_code"
shot clipboard-subject-registered

# 7. 退出登录 (audited), then the window is closed. Every save above is already committed; the
# window has no unsaved state to lose.
click 1234 24
wait_color 600 237 $white 10 "signed out (sign-in screen shown)"
shot signed-out 0.3
kill "$app_pid" 2>/dev/null || true
timeout 10 tail --pid="$app_pid" -f /dev/null || kill -KILL "$app_pid" 2>/dev/null || true
app_pid=''

# 8. What the CLI finds in the same database.
say "checking the database with the command line"
subject=$("$bin" --db "$db" --json subject show "$typed_code") ||
  fail "subject $typed_code was not registered"
for want in "\"name\":\"$typed_name\"" '"name":"陈海明"' '"id_number":"440803199001011234"' \
  '"founded_on":"2019-05-06"' '"phone":"0759-2223456"'; do
  grep -qF "$want" <<<"$subject" || fail "subject $typed_code lacks $want: $subject"
done
letters=$("$bin" --db "$db" --json commitment list "$typed_code")
code=$(grep -o '"承诺编码":"[0-9]*"' <<<"$letters" | head -1 | cut -d'"' -f4)
[ -n "$code" ] || fail "no commitment letter for $typed_code: $letters"
# The record (rule C-3) does not hold 业主/租户; the letter does: print it again (same code, no
# new record) and read it.
XINYIDIAN_OPERATOR=A1 XINYIDIAN_PASSWORD=$password \
  "$bin" --db "$db" commitment print --out "$out/letter-$code.pdf" "$code" >/dev/null
letter_text=$(pdftotext -layout "$out/letter-$code.pdf" -)
grep -q '关系: *租户' <<<"$letter_text" || fail "letter $code does not say 租户: $letter_text"
grep -qF "$typed_name" <<<"$letter_text" || fail "letter $code does not name $typed_name"
pasted=$("$bin" --db "$db" --json subject show "$pasted_code") ||
  fail "subject $pasted_code (pasted from the clipboard) was not registered"
grep -qF "\"name\":\"$pasted_name\"" <<<"$pasted" ||
  fail "subject $pasted_code has the wrong name: $pasted"
audit=$(XINYIDIAN_OPERATOR=A1 XINYIDIAN_PASSWORD=$password "$bin" --db "$db" --json audit list)
for action in 登录 登记主体 信用核查 退出登录; do
  grep -qF "\"action\":\"$action\"" <<<"$audit" || fail "no “$action” in the audit trail"
done
grep -qF "信用核查：$typed_name" <<<"$audit" || fail "no 信用核查 of $typed_name in the audit trail"
XINYIDIAN_OPERATOR=A1 XINYIDIAN_PASSWORD=$password "$bin" --db "$db" audit verify >/dev/null ||
  fail "the audit trail does not verify"

ended=$(date +%s)
say "real-window test passed: signed in, searched $typed_code (not found), registered it," \
  "ran 信用核查, issued letter $code (租户), pasted $pasted_code from the X clipboard and" \
  "registered it, signed out; $shot_no screenshots in $out;" \
  "$((ended - built)) s in the window (build $((built - started)) s)"
