# The two commands the README opens with: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
FOLIO := $(VENV)/bin/folio
export OMP_THREAD_LIMIT := 1
FOLIO_HOME ?= $(CURDIR)/folio-data
export FOLIO_HOME
DEMO_PROFILE ?= office200

.PHONY: setup demo test bench bench-setup bench-queue hostile clean

setup:
	@bash scripts/setup.sh

demo: setup
	@rm -rf "$(FOLIO_HOME)/samples/$(DEMO_PROFILE)"
	$(FOLIO) samples render --profile $(DEMO_PROFILE) --out "$(FOLIO_HOME)/samples/$(DEMO_PROFILE)"
	$(FOLIO) run "$(FOLIO_HOME)/samples/$(DEMO_PROFILE)" --catalog samples/data/catalog.csv \
		--batch "sample-$(DEMO_PROFILE)" --export "$(FOLIO_HOME)/export.jsonl"
	@echo "records: $(FOLIO_HOME)/export.jsonl (ground truth: $(FOLIO_HOME)/samples/$(DEMO_PROFILE)/truth.jsonl)"

test: setup
	$(VENV)/bin/python -m pytest -q

# img2table (compared beside Folio) lives in its own venv, .venv-bench: its opencv-contrib must not meet ours
bench-setup:
	@bash scripts/bench-setup.sh

bench: setup bench-setup
	$(VENV)/bin/python -m bench.run
	$(VENV)/bin/python -m bench.memory

# pages per minute through real Redis and folio worker processes (1, then 2 workers); a benchmark, not a test
bench-queue: setup
	$(VENV)/bin/python -m bench.queue_throughput

# the hostile-file matrix (docs/input-limits.md) through the real pipeline, in a throw-away FOLIO_HOME
hostile: setup
	@rm -rf "$(FOLIO_HOME)/hostile"
	FOLIO_HOME="$(FOLIO_HOME)/hostile" $(FOLIO) samples hostile --out "$(FOLIO_HOME)/hostile/files"

clean:
	rm -rf "$(FOLIO_HOME)" bench/out
