# Entry points; the scripts in scripts/ do the work.
.PHONY: all deps tree build check series check-series demo bench
all: demo

deps:
	scripts/install-deps.sh

tree: deps
	scripts/make-tree.sh

build: tree
	scripts/build.sh

check: build
	scripts/check.sh

series:
	scripts/export-series.sh

check-series: tree
	scripts/check-series.sh

# The main job: a live COLO pair with checkpoint statistics.
# Options: make demo DEMO_ARGS="--rate 51200 --threshold 16M --duration 20"
demo: build
	scripts/demo.py $(DEMO_ARGS)

# Pause vs dirty rate, with and without migrate-ram: bench/results/
bench: build
	bench/run.py $(BENCH_ARGS)
