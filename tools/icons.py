#!/usr/bin/env python3
"""Draws StreamFix's toolbar and store icons (a play sign on an indigo disc, with an amber
repair dot) as PNG,
with the standard library only, so no image files need to live in the repository."""
import struct
import sys
import zlib
from pathlib import Path

SIZES = (16, 32, 48, 96, 128)
# Bright enough to stand out on a dark toolbar or panel bar (about 3:1), with the white
# play sign still over 4.5:1 on it.
BASE = (88, 101, 242)
DOT = (255, 183, 3)
WHITE = (255, 255, 255)


def inside_disc(x, y, cx, cy, r):
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def inside_play(x, y, n):
    # Triangle pointing right, centred.
    x0, x1 = 0.34 * n, 0.70 * n
    top, bottom, mid = 0.28 * n, 0.72 * n, 0.5 * n
    if x < x0 or x > x1:
        return False
    half = (bottom - top) / 2 * (1 - (x - x0) / (x1 - x0))
    return mid - half <= y <= mid + half


def pixel(px, py, n):
    # 4x4 supersampling for smooth edges.
    acc = [0, 0, 0]
    cover = 0
    for sx in range(4):
        for sy in range(4):
            x, y = px + (sx + 0.5) / 4, py + (sy + 0.5) / 4
            if inside_disc(x, y, 0.78 * n, 0.78 * n, 0.2 * n):
                colour = DOT
            elif inside_disc(x, y, 0.46 * n, 0.46 * n, 0.46 * n):
                colour = WHITE if inside_play(x - 0.04 * n, y - 0.04 * n, n) else BASE
            else:
                continue
            cover += 1
            acc = [a + c for a, c in zip(acc, colour)]
    if not cover:
        return (0, 0, 0, 0)
    return tuple(round(a / cover) for a in acc) + (round(255 * cover / 16),)


def png(n):
    rows = b"".join(b"\0" + b"".join(bytes(pixel(x, y, n)) for x in range(n)) for y in range(n))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for n in SIZES:
        (out / f"{n}.png").write_bytes(png(n))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "icons")
