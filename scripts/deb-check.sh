#!/usr/bin/env bash
# Builds the Debian package with cargo-deb and installs it into a clean root (an empty folder
# with its own dpkg database), then runs it from there: `corridor --help`, and a headless export
# of the bundled story from an empty folder with an empty home, so that the maps can only come
# from the binary itself.
#
#   scripts/deb-check.sh            # release build, as shipped
#   scripts/deb-check.sh dev        # the debug build the tests already made (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-release}"
if ! cargo deb --version >/dev/null 2>&1; then
  cargo install --locked cargo-deb --version '^3'
fi
out=$(mktemp -d)
cargo deb --profile "$profile" --no-strip --output "$out" >&2
deb=$(ls "$out"/*.deb)
echo "built $deb ($(du -h "$deb" | cut -f1))"

# Its dependencies are packages this system has.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for dep in $(echo "$depends" | tr ',' '\n' | sed 's/(.*)//; s/|.*//' | tr -d ' '); do
  dpkg-query -W -f='${Status}\n' "$dep" 2>/dev/null | grep -q "ok installed" ||
    { echo "missing dependency on this system: $dep" >&2; exit 1; }
done

root=$(mktemp -d)
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-not-root --force-depends --log=/dev/null -i "$deb"
for f in usr/bin/corridor usr/share/applications/corridor.desktop \
  usr/share/icons/hicolor/scalable/apps/corridor.svg usr/share/mime/packages/corridor.xml; do
  [ -e "$root/$f" ] || { echo "not installed: /$f" >&2; exit 1; }
done
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$root/usr/share/applications/corridor.desktop"
fi

"$root/usr/bin/corridor" --help >/dev/null
home=$(mktemp -d)
work=$(mktemp -d)
(cd "$work" && env -i PATH=/usr/bin:/bin HOME="$home" \
  "$root/usr/bin/corridor" export --slide 1 --out "$work/slide-1.png" --size 1024x768)
[ -s "$work/slide-1.png" ] || { echo "the export wrote nothing" >&2; exit 1; }
[ -e "$home/.local/share/corridor/maps-$(cargo pkgid | sed 's/.*[#@]//')/corridor.toml" ] ||
  { echo "the bundled maps were not written to the data folder" >&2; exit 1; }
echo "installed into $root and ran there: --help, and an export of slide 1 ($(du -h "$work/slide-1.png" | cut -f1))"
rm -rf "$root" "$home" "$work" "$out"
