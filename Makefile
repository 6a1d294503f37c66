# Entry points; the scripts in scripts/ do the work.
.PHONY: all deps tree build check series check-series
all: build

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
