#!/bin/sh
# Build the 512-byte dirtier boot sector: guest/build.sh OUT
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 OUT" >&2
    exit 2
fi
out=$1
src=$(cd "$(dirname "$0")" && pwd)/dirtier.S
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -m32 -c -nostdlib -o "$tmp/dirtier.o" "$src"
ld -m elf_i386 -nostdlib -e _start -Ttext 0x7c00 --oformat binary \
   -o "$tmp/dirtier.bin" "$tmp/dirtier.o"

fail() { echo "$0: error: $*" >&2; exit 1; }
size=$(wc -c < "$tmp/dirtier.bin")
[ "$size" -eq 512 ] || fail "image is $size bytes, expected 512"
sig=$(od -An -tx1 -j510 -N2 "$tmp/dirtier.bin" | tr -d ' \n')
[ "$sig" = "55aa" ] || fail "missing 0x55 0xAA boot signature (got '$sig')"
n=$(LC_ALL=C grep -a -o DRTY "$tmp/dirtier.bin" | wc -l)
[ "$n" -eq 1 ] || fail "magic DRTY found $n times, expected exactly once"

cp "$tmp/dirtier.bin" "$out"
echo "built $out (512 bytes)"
