#!/usr/bin/env bash
# Configure (once) and build the work tree into build/obj: x86_64-softmmu with
# what COLO needs, plus the qtests, and make the firmware findable in-tree.
# CONFIGURE_EXTRA adds configure arguments; NINJA_FLAGS adds ninja arguments.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=${QEMU_SRC:-$top/build/qemu}
obj=${QEMU_OBJ:-$top/build/obj}
. "$top/scripts/progress-lib.sh"
shift $#

# shellcheck disable=SC2206 # CONFIGURE_EXTRA is split into words on purpose
configure_args=(--target-list=x86_64-softmmu --without-default-features
    --enable-kvm --enable-tcg --enable-replication --enable-colo-proxy
    --enable-slirp --enable-fdt=system --enable-tools --disable-docs
    --disable-install-blobs --python=/usr/bin/python3 --cc="ccache gcc"
    --cxx="ccache g++" --prefix=/usr ${CONFIGURE_EXTRA:-})

[ -x "$src/configure" ] || fail build "no QEMU tree in $src; run 'make tree' first."
# A cold build (objects plus ccache) takes about 6 GiB.
if [ -f "$obj/build.ninja" ]; then need=1; else need=${BUILD_NEED_GIB:-6}; fi
need_disk build "$obj" "$need" "the build in $obj"
mkdir -p "$obj"
# Let the work tree and check-series' bisect tree share ccache hits.
export CCACHE_BASEDIR=$top/build CCACHE_NOHASHDIR=1
want="${configure_args[*]}"
if [ ! -f "$obj/build.ninja" ] || [ "$(cat "$obj/.colo-configure" 2>/dev/null)" != "$want" ]; then
    rm -f "$obj/.colo-configure"
    (cd "$obj" && step configure "$obj/configure.log" \
        "$src/configure" "${configure_args[@]}") ||
        fail build "configure failed (last lines above); fix what it reports" \
             "(often a missing package: run scripts/install-deps.sh) and run again."
    echo "$want" > "$obj/.colo-configure"
fi

# The qtests we run; a patch early in the series may not have all of them.
targets=(qemu-system-x86_64 qemu-img)
for t in tests/qtest/migration-test tests/qtest/qmp-cmd-test \
         tests/qtest/test-hmp tests/qtest/test-colo-compare \
         tests/qtest/test-filter-mirror tests/unit/test-vmstate; do
    ninja -C "$obj" -t query "$t" > /dev/null 2>&1 && targets+=("$t")
done
# ninja prints "[done/total] what" per edge: the latest one is the status.
STEP_STATUS="tail -c 4096 '$obj/ninja.log' | grep -a '^\[[0-9]*/[0-9]*\]' | tail -n 1" \
STEP_ERRORS="grep -av '^\['" step build "$obj/ninja.log" \
    ninja -C "$obj" ${NINJA_FLAGS:-} "${targets[@]}" ||
    fail build "the build failed (errors above, full log $obj/ninja.log);" \
         "if the work tree was edited fix the error, else report it with the log."
# x86 option ROMs (linuxboot_dma.bin for -kernel); needs gcc-multilib.
step "option ROMs" "$obj/optionrom.log" make -C "$obj/pc-bios/optionrom" ||
    fail build "the option ROMs failed (last lines above); run" \
         "scripts/install-deps.sh (they need gcc-multilib) and run again."

# The binary looks for firmware in qemu-bundle/<datadir> beside itself.
datadir=$obj/qemu-bundle/usr/share/qemu
mkdir -p "$datadir"
for f in /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom \
         "$obj"/pc-bios/optionrom/*.bin "$src"/pc-bios/keymaps; do
    [ -e "$f" ] && ln -sfn "$f" "$datadir/$(basename "$f")"
done
echo "build: $obj/qemu-system-x86_64 ready"
