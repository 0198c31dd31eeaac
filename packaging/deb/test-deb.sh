#!/usr/bin/env bash
# Check a built .deb as a hall's IT staff would: its control fields, that its dependencies are
# satisfied on this Debian machine, that it installs into a fresh, empty root (dpkg --root: a
# container-less root, no chroot needed), that the installed binary runs `--version`, and —
# when Xvfb is there — that the installed program opens its window to the first frame.
#
# Usage: packaging/deb/test-deb.sh PACKAGE.deb
set -euo pipefail
deb=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== control"
dpkg-deb -f "$deb" Package Version Depends
for f in Package Version Architecture Depends Description; do
  [ -n "$(dpkg-deb -f "$deb" "$f")" ] || { echo "控制字段 $f 为空" >&2; exit 1; }
done
# The listing is read whole first: `grep -q` on the pipe would end it early (SIGPIPE, pipefail).
files=$(dpkg-deb -c "$deb")
grep -q './usr/share/applications/xinyidian.desktop' <<< "$files" || { echo "缺少桌面文件" >&2; exit 1; }
grep -q './usr/share/icons/hicolor/scalable/apps/xinyidian.svg' <<< "$files" || { echo "缺少图标" >&2; exit 1; }

echo "== dependencies on this machine"
missing=0
IFS=',' read -ra deps <<< "$(dpkg-deb -f "$deb" Depends)"
for dep in "${deps[@]}"; do
  ok=0
  IFS='|' read -ra alts <<< "$dep"
  for alt in "${alts[@]}"; do
    name=$(echo "$alt" | sed 's/(.*//; s/ //g; s/:any//')
    dpkg -s "$name" >/dev/null 2>&1 && ok=1
  done
  [ "$ok" = 1 ] || { echo "未满足的依赖：$dep"; missing=1; }
done
[ "$missing" = 0 ] || { echo "依赖不全：请先 apt-get install 上述软件包" >&2; exit 1; }

echo "== install into a fresh root"
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status"
# --force-depends: the empty root records no libc6; the libraries themselves are the machine's.
dpkg --root="$root" --force-depends --force-script-chrootless -i "$deb" >"$work/dpkg.log" 2>&1 \
  || { cat "$work/dpkg.log" >&2; exit 1; }
status=$(dpkg --root="$root" -s xinyidian)
grep -q '^Status: install ok installed' <<< "$status"
"$root/usr/bin/xinyidian" --version

if command -v xvfb-run >/dev/null 2>&1; then
  echo "== first frame under Xvfb"
  export XINYIDIAN_KEY_DIR=$work/keys
  out=$(XINYIDIAN_FIRST_FRAME_PROBE=1 LIBGL_ALWAYS_SOFTWARE=1 timeout 120 \
        xvfb-run -a "$root/usr/bin/xinyidian" --db "$work/counter.sqlite3" 2>&1 || true)
  echo "$out" | grep '首帧耗时' || { echo "窗口未能显示：$out" >&2; exit 1; }
fi
echo "== ok"
