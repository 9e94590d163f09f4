#!/usr/bin/env python3
"""Remakes assets/fonts/NotoSansSC-Corridor-Subset.otf: Noto Sans CJK SC cut down to the
characters Corridor shows (those already in the subset, plus every CJK character in maps/ and
src/), so that the binary stays small. Needs fonttools (pip install fonttools) and Debian's
fonts-noto-cjk (/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, face 2 = SC).

    python3 scripts/subset-cjk-font.py
"""
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "assets/fonts/NotoSansSC-Corridor-Subset.otf"
SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def cjk(text):
    return {ord(c) for c in text if 0x2E80 <= ord(c) <= 0x9FFF or 0xFF00 <= ord(c) <= 0xFFEF}


def main():
    if not SOURCE.exists():
        sys.exit(f"{SOURCE} is missing: apt-get install fonts-noto-cjk")
    wanted = set(TTFont(OUT).getBestCmap()) if OUT.exists() else set()
    for folder, pattern in [("maps", "*"), ("src", "**/*.rs")]:
        for path in (ROOT / folder).glob(pattern):
            if path.is_file():
                wanted |= cjk(path.read_text(encoding="utf-8", errors="ignore"))
    options = subset.Options()
    options.font_number = 2  # Noto Sans CJK SC
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(SOURCE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    font.save(str(OUT))
    print(f"{OUT.relative_to(ROOT)}: {len(wanted)} characters")


if __name__ == "__main__":
    main()
