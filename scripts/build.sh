#!/usr/bin/env bash
# Configure (once) and build the work tree into build/obj: x86_64-softmmu with
# what COLO needs, plus the qtests, and make the firmware findable in-tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=${QEMU_SRC:-$top/build/qemu}
obj=${QEMU_OBJ:-$top/build/obj}
shift $#

configure_args=(--target-list=x86_64-softmmu --without-default-features
    --enable-kvm --enable-tcg --enable-replication --enable-colo-proxy
    --enable-slirp --enable-fdt=system --enable-tools --disable-docs
    --disable-install-blobs --python=/usr/bin/python3 --cc="ccache gcc"
    --cxx="ccache g++" --prefix=/usr)

mkdir -p "$obj"
# Let the work tree and check-series' bisect tree share ccache hits.
export CCACHE_BASEDIR=$top/build CCACHE_NOHASHDIR=1
want="${configure_args[*]}"
if [ ! -f "$obj/build.ninja" ] || [ "$(cat "$obj/.colo-configure" 2>/dev/null)" != "$want" ]; then
    (cd "$obj" && "$src/configure" "${configure_args[@]}") > "$obj/configure.log" 2>&1 || {
        tail -30 "$obj/configure.log" >&2
        echo "build: configure failed; see $obj/configure.log" >&2
        exit 1
    }
    echo "$want" > "$obj/.colo-configure"
fi

if ! ninja -C "$obj" ${NINJA_FLAGS:-} qemu-system-x86_64 qemu-img \
        tests/qtest/migration-test tests/qtest/qmp-cmd-test \
        tests/qtest/test-hmp > "$obj/ninja.log" 2>&1; then
    grep -v "^\[" "$obj/ninja.log" | cut -c1-300 | tail -40 >&2
    echo "build: ninja failed; see $obj/ninja.log" >&2
    exit 1
fi
# x86 option ROMs (linuxboot_dma.bin for -kernel); needs gcc-multilib.
make -s -C "$obj/pc-bios/optionrom" > "$obj/optionrom.log" 2>&1 || {
    cat "$obj/optionrom.log" >&2
    echo "build: option ROMs failed" >&2
    exit 1
}

# The binary looks for firmware in qemu-bundle/<datadir> beside itself.
datadir=$obj/qemu-bundle/usr/share/qemu
mkdir -p "$datadir"
for f in /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom \
         "$obj"/pc-bios/optionrom/*.bin "$src"/pc-bios/keymaps; do
    [ -e "$f" ] && ln -sfn "$f" "$datadir/$(basename "$f")"
done
echo "build: $obj/qemu-system-x86_64 ready"
