# Entry points; the scripts in scripts/ do the work.  "make help" lists them.
.PHONY: all help deps tree build check check-sanitizers series check-series \
	check-series-full \
	demo demo-memory bench bench-tb-invalidation \
	bench-proxy-nodelay bench-checkpoint-flush bench-memory-map bench-int-arrays \
	bench-resume bench-flush-streaming \
	bench-stack soak clean \
	distclean
export PYTHONDONTWRITEBYTECODE = 1
all: demo

help:
	@echo "make help          this list"
	@echo "make demo (make)   set everything up, then run the full COLO stack (Linux guest, disk, network) live"
	@echo "make demo-memory   a memory-only COLO pair (boot-sector guest dirtying RAM at a set rate)"
	@echo "make check         set everything up, then checkpatch, QAPI tests, qtests and a short demo"
	@echo "make check-sanitizers  the COLO qtests on an ASan+UBSan build (build/obj-san); not in CI"
	@echo "make bench         guest pause against dirty rate, with and without migrate-ram (bench/results/)"
	@echo "make bench-tb-invalidation  TCG: exact invalidation vs a full translation flush per checkpoint, full stack"
	@echo "make bench-proxy-nodelay    the client's round trip with and without nodelay=on on the proxy chardevs"
	@echo "make bench-checkpoint-flush the pause without and with the block flush in each checkpoint's VM stop (full stack)"
	@echo "make bench-memory-map the pause with and without memory map rebuilds in the secondary's device load (full stack)"
	@echo "make bench-int-arrays the pause with device state integer arrays in one piece and element by element (full stack)"
	@echo "make bench-flush-streaming the secondary's cache flush with streaming stores and with memcpy() at 250 MiB/s (full stack)"
	@echo "make bench-resume  a resume of replication, live and with the doc's procedure, at 256 MiB and 1 GiB: VM stopped, client's gap (full stack)"
	@echo "make bench-stack   full stack: the pause (both sides, phases) and the client, idle and at guest dirty rates, threshold 0 vs migrate-ram"
	@echo "make soak          the full stack for SOAK_MINUTES (30) at each of SOAK_INTERVALS (100 0 ms): RSS, fds, threads (bench/results/soak.md); not in CI"
	@echo "make deps          install the Debian packages (as root; the other targets run it first)"
	@echo "make tree          fetch the pinned base and apply patches/ in build/qemu"
	@echo "make build         build build/qemu into build/obj"
	@echo "make series        export build/qemu's commits back into patches/, a folder per group"
	@echo "make check-series  build every patch on its own; at each group's tip (but the last) the tests it adds"
	@echo "make check-series-full  check-series, and at each patch the tests it adds or changes (about 40 min)"
	@echo "make clean         remove build outputs; keep build/qemu, the downloaded base and ccache"
	@echo "make distclean     remove build/ and the downloaded base (refuses unexported work; FORCE=1)"

deps:
	scripts/install-deps.sh

tree: deps
	scripts/make-tree.sh

build: tree
	scripts/build.sh

check: build
	scripts/check.sh

# The COLO runtime tests on an AddressSanitizer + UBSan build.
check-sanitizers: tree
	scripts/check-sanitizers.sh

series:
	scripts/export-series.sh

check-series: tree
	scripts/check-series.sh

check-series-full: tree
	scripts/check-series.sh --tests

# The main job: the full COLO stack of docs/COLO-FT.txt on a Linux guest,
# with a client through colo-compare and checkpoint statistics.
# Options: make demo DEMO_ARGS="--duration 60 --failover primary --resume"
demo: build
	scripts/colo_stack.py $(DEMO_ARGS)

# A memory-only pair: make demo-memory DEMO_ARGS="--rate 51200 --threshold 16M"
demo-memory: build
	scripts/demo.py $(DEMO_ARGS)

# Pause vs dirty rate, with and without migrate-ram: bench/results/
bench: build
	bench/run.py $(BENCH_ARGS)

# TCG: the series' exact invalidation vs a full flush, full COLO stack
bench-tb-invalidation: build
	bench/tb_invalidation.py $(BENCH_ARGS)

# The pause without and with the block flush in each checkpoint's VM stop
bench-checkpoint-flush: build
	bench/checkpoint_flush.py $(BENCH_ARGS)

# The secondary's COLO cache flush with streaming stores and with memcpy()
bench-flush-streaming: build
	bench/flush_streaming.py $(BENCH_ARGS)

# The pause with and without the memory map rebuilds of the device load
bench-memory-map: build
	bench/memory_map.py $(BENCH_ARGS)

# The pause with integer arrays of the device state in one piece and
# element by element
bench-int-arrays: build
	bench/int_arrays.py $(BENCH_ARGS)

# A resume of replication: live against the doc's procedure
bench-resume: build
	bench/resume.py $(BENCH_ARGS)

# The client's latency with and without nodelay=on on the proxy chardevs
bench-proxy-nodelay: build
	bench/proxy_nodelay.py $(BENCH_ARGS)

# Soak: the full stack for SOAK_MINUTES at each checkpoint interval of
# SOAK_INTERVALS (ms; 0 is back to back); fails on growth, errors, a stall
SOAK_MINUTES ?= 30
SOAK_INTERVALS ?= 100 0
soak: build
	rc=0; for i in $(SOAK_INTERVALS); do \
		scripts/colo_soak.py --minutes $(SOAK_MINUTES) --interval $$i \
			--md build/soak-$$i.md --json build/soak-$$i.json || rc=1; \
	done; \
	for i in $(SOAK_INTERVALS); do cat build/soak-$$i.md; done \
		> bench/results/soak.md; exit $$rc

# Full COLO stack: the pause (both sides, per phase) and the client, idle
# and at guest dirty rates, threshold 0 vs migrate-ram: bench/results/stack.*
bench-stack: build
	bench/stack.py $(BENCH_ARGS)

clean:
	scripts/clean.sh

distclean:
	scripts/clean.sh --dist
