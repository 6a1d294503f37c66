#!/usr/bin/env python3
"""Patch the dirtier boot sector parameters in place.

The image holds the magic b"DRTY" followed by little-endian u32
pages_per_second (0 = unlimited) and u32 working_set_pages.
"""
import argparse
import struct
import sys

MAGIC = b"DRTY"
WS_BASE = 1 << 20
PAGE_SIZE = 4096
U32_MAX = (1 << 32) - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image", help="boot sector image built by build.sh")
    ap.add_argument("--rate", type=int, required=True,
                    help="pages dirtied per second (0 = as fast as possible)")
    ap.add_argument("--working-set-pages", type=int, required=True,
                    help="number of 4 KiB pages starting at 1 MiB")
    args = ap.parse_args()

    if not 0 <= args.rate <= U32_MAX:
        ap.error("--rate must be in [0, 2^32-1]")
    n = args.working_set_pages
    if n < 1:
        ap.error("--working-set-pages must be >= 1")
    if WS_BASE + n * PAGE_SIZE > 1 << 32:
        ap.error("working set 1 MiB + %d*4 KiB does not fit below 4 GiB" % n)

    with open(args.image, "r+b") as f:
        data = f.read()
        pos = data.find(MAGIC)
        if pos < 0:
            sys.exit("%s: magic %r not found" % (args.image, MAGIC))
        if data.find(MAGIC, pos + 1) >= 0:
            sys.exit("%s: magic %r found more than once" % (args.image, MAGIC))
        off = pos + len(MAGIC)
        if off + 8 > len(data):
            sys.exit("%s: parameters after magic are truncated" % args.image)
        f.seek(off)
        f.write(struct.pack("<II", args.rate, n))


if __name__ == "__main__":
    main()
