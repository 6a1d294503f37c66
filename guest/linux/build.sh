#!/bin/sh
# Build the Linux test guest from Debian packages only:
#   guest/linux/build.sh [OUTDIR]       (default: build/guest-linux)
# Downloads (apt-get download, never installed on the host) the Debian
# kernel and busybox-static into OUTDIR/debs, builds our static tools with
# gcc -static, and writes OUTDIR/vmlinuz and OUTDIR/initramfs.cpio.gz.
# Host needs: apt-get, dpkg-deb, gcc and libc6-dev (static libc), gzip.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-$top/build/guest-linux}" && cd "${1:-$top/build/guest-linux}" && pwd)
debs=$out/debs
# Modules the guest needs: the disk on q35's AHCI, and the e1000 NIC.
modules="ahci sd_mod e1000"

mkdir -p "$debs"
download() {  # package...
    (cd "$debs" && apt-get -q -o APT::Sandbox::User=root download "$@") ||
    { [ "$(id -u)" = 0 ] && apt-get -q update &&
      (cd "$debs" && apt-get -q -o APT::Sandbox::User=root download "$@"); }
}
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
if [ -z "$kpkg" ]; then
    [ "$(id -u)" = 0 ] && apt-get -q update
    kpkg=$(apt-cache depends linux-image-amd64 |
           sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
fi
[ -n "$kpkg" ] || { echo "$0: cannot find the kernel package" >&2; exit 1; }
ls "$debs"/"$kpkg"_*.deb >/dev/null 2>&1 || download "$kpkg"
ls "$debs"/busybox-static_*.deb >/dev/null 2>&1 || download busybox-static

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
deb=$(ls "$debs"/"$kpkg"_*.deb | tail -1)
dpkg-deb -x "$deb" "$tmp/kernel"
dpkg-deb -x "$(ls "$debs"/busybox-static_*.deb | tail -1)" "$tmp/busybox"
kver=${kpkg#linux-image-}
kmods=$tmp/kernel/lib/modules/$kver

root=$tmp/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/etc" \
         "$root/lib/modules" "$root/tmp"
cp "$tmp/busybox/bin/busybox" "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
    [ "$app" = busybox ] || ln -s busybox "$root/bin/$app"
done
for tool in disktest echod memdirty randhttpd; do
    gcc -static -O2 -Wall -o "$root/bin/$tool" "$here/$tool.c"
done
install -m 755 "$here/init.sh" "$root/init"

# The modules and their dependencies, dependencies first (read from each
# module's .modinfo "depends=": there is no modules.dep before depmod).
: > "$root/etc/modules-order"
add_module() {
    grep -qx "$1" "$root/etc/modules-order" && return 0
    ko=$(find "$kmods/kernel" -name "$1.ko" | head -1)
    [ -n "$ko" ] || { echo "$0: module $1 not found" >&2; exit 1; }
    deps=$(tr '\0' '\n' < "$ko" | sed -n 's/^depends=//p' | head -1 | tr ',' ' ')
    for d in $deps; do add_module "$d"; done
    cp "$(find "$kmods/kernel" -name "$1.ko" | head -1)" "$root/lib/modules/$1.ko"
    echo "$1" >> "$root/etc/modules-order"
}
for m in $modules; do add_module "$m"; done

(cd "$root" && find . | sort | "$root/bin/busybox" cpio -o -H newc 2>/dev/null) |
    gzip -9 > "$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
cp "$tmp/kernel/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "built $out/vmlinuz ($kver) and $out/initramfs.cpio.gz" \
     "(modules: $(tr '\n' ' ' < "$root/etc/modules-order"))"
