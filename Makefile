# A11y Judge — every target creates .venv in the repo root and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
export A11Y_JUDGE_HOME ?= $(CURDIR)/data

.PHONY: setup run demo test lint bench clean browser-deps pdf-deps image fuzz

$(STAMP): pyproject.toml hatch_build.py src/a11y_judge/_termscan.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

AXE := $(VENV)/axe/axe.min.js

## Debian's Chromium for the browser tests (never `playwright install`: it downloads and fails offline),
## and axe-core (pinned, sha512-checked, from the npm registry) that they inject into every page.
CHROMIUM := /usr/bin/chromium
browser-deps: $(AXE)
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "Debian's chromium did not install at $(CHROMIUM)"; exit 1; }

$(AXE): scripts/fetch_axe.py
	$(PY) scripts/fetch_axe.py $@

## Pango for WeasyPrint's PDF reports, poppler-utils for the PDF structure tests.
pdf-deps:
	@{ command -v pdfinfo >/dev/null 2>&1 && ldconfig -p | grep -q libpangoft2-1.0; } || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; }

demo: setup
	$(BIN)/a11y-judge demo

run: demo pdf-deps
	$(BIN)/streamlit run app/main.py --server.port $(PORT) --server.headless true \
	  --browser.gatherUsageStats false

## The browser suite must run here: without Chromium it fails instead of skipping.
test: setup browser-deps pdf-deps
	A11Y_JUDGE_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q

## The long fuzz run (make test runs 40 derandomized inputs per fuzz target; this runs 2000 random).
fuzz: setup
	A11Y_JUDGE_FUZZ_EXAMPLES=$${A11Y_JUDGE_FUZZ_EXAMPLES:-2000} A11Y_JUDGE_FUZZ_RANDOM=1 \
	  $(BIN)/python -m pytest -q tests/fuzz

lint: setup
	$(BIN)/ruff check src app tests scripts
	$(BIN)/ruff format --check src app tests scripts
	$(BIN)/mypy

bench: setup
	$(BIN)/python scripts/bench.py

## The one-container image (README "Container"). Where Docker Hub is unreachable, the machine's
## docker-offline.sh builds it with BuildKit and the CA bundle as a build secret; else docker build.
IMAGE ?= a11y-judge:latest
DOCKER_OFFLINE ?= $(wildcard $(CURDIR)/../shared/tools/docker-offline.sh)
image:
	$(if $(DOCKER_OFFLINE),$(DOCKER_OFFLINE) build $(IMAGE) .,DOCKER_BUILDKIT=1 docker build -t $(IMAGE) .)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
