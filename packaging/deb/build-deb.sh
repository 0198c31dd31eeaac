#!/usr/bin/env bash
# Build the Debian package of 信易电柜台 from a built binary (issue 20, point 4): the binary, a
# desktop entry with its icon, the font licence, and the runtime libraries declared — those the
# binary links (as dpkg-shlibdeps finds them) and those the window loads when it starts (X11,
# xkbcommon, OpenGL: winit and glutin open them at run time, so no tool sees them).
#
# Usage: packaging/deb/build-deb.sh [BINARY] [OUT_DIR]   (default target/release/xinyidian, target/deb)
# DEB_COMPRESS=none|gzip|xz (default xz) sets dpkg-deb's compression; the tests use none.
# Hand-written instead of cargo-deb, which is not installed on this machine and cannot be
# fetched here; the result is the same kind of package.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${1:-target/release/xinyidian}
out=${2:-target/deb}
[ -x "$bin" ] || { echo "找不到可执行文件 $bin：请先 cargo build --release" >&2; exit 1; }
version=$("$bin" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/pkg
install -Dm755 "$bin" "$root/usr/bin/xinyidian"
install -Dm644 packaging/deb/xinyidian.desktop "$root/usr/share/applications/xinyidian.desktop"
install -Dm644 packaging/icons/xinyidian.svg "$root/usr/share/icons/hicolor/scalable/apps/xinyidian.svg"
install -Dm644 crates/core/assets/fonts/OFL.txt "$root/usr/share/doc/xinyidian/OFL.txt"
cat > "$root/usr/share/doc/xinyidian/copyright" <<COPY
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: xinyidian

Files: *
Copyright: 湛江供电局
License: proprietary

Files: usr/share/doc/xinyidian/OFL.txt
Comment: the bundled fonts (Noto Sans SC and the CJK Extension fallback), SIL Open Font License 1.1
License: OFL-1.1
COPY

# dpkg-shlibdeps wants a debian/control beside it naming the package.
mkdir -p "$stage/debian"
printf 'Source: xinyidian\n\nPackage: xinyidian\nArchitecture: any\n' > "$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O -e pkg/usr/bin/xinyidian 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
runtime="libx11-6, libx11-xcb1, libxcursor1, libxi6, libxrandr2, libxkbcommon-x11-0, libgl1, libegl1"
depends=${shlibs:+$shlibs, }$runtime
size=$(du -sk "$root" | cut -f1)

mkdir -p "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: xinyidian
Version: $version
Architecture: $arch
Maintainer: 湛江供电局信息中心 <it@zhanjiang.invalid>
Installed-Size: $size
Depends: $depends
Recommends: xdg-desktop-portal-gtk | zenity, fonts-noto-cjk
Section: misc
Priority: optional
Homepage: https://www.zhanjiang.gov.cn/
Description: 信易电柜台：湛江供电局营业厅信用业务
 信易电（以信用承诺代替物业权属证明办理用电报装）、守信用电主体认定、
 失信记录、信用修复与异议申诉，以及与湛江市公共信用信息共享平台的数据交换。
 同一程序也提供命令行（xinyidian --help）。
CONTROL

mkdir -p "$out"
deb="$out/xinyidian_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb"
