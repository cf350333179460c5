# cleanprod: `make run` sets up and serves the demo; `make test` runs lint, types and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := cleanprod.settings

.PHONY: run install assets migrate demo serve test lint typecheck pytest pdf-deps browser-deps office-deps debian-packages benchmark messages clean

run: install assets pdf-deps migrate demo serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# ECharts comes from the npm registry into static files, so pages work offline.
cleanprod/static/vendor/echarts.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p cleanprod/static/vendor
	cp node_modules/echarts/dist/echarts.min.js $@

assets: cleanprod/static/vendor/echarts.min.js

migrate: install
	mkdir -p var
	$(BIN)/cleanprod migrate --noinput

demo: install
	$(BIN)/cleanprod load_demo

# The task worker runs beside the web server and stops with it.
serve: install assets
	$(BIN)/cleanprod collectstatic --noinput --verbosity 0
	@echo "cleanprod is serving http://$(HOST):$(PORT)/ (Ctrl+C stops the server and the worker)"
	$(BIN)/cleanprod db_worker --queue-name '*' & worker=$$!; \
	$(BIN)/cleanprod alerts_watch & watcher=$$!; \
	trap "kill $$worker $$watcher 2>/dev/null" EXIT INT TERM; \
	$(BIN)/cleanprod runserver --noreload $(HOST):$(PORT)

test: install assets browser-deps office-deps lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy cleanprod benchmarks

pytest: install assets
	$(BIN)/python -m pytest

# PDF reports need Pango and a CJK font (WeasyPrint); browser tests drive Debian's chromium.
# Both come from Debian's packages, installed here when missing and we are root.
pdf-deps:
	@$(MAKE) --no-print-directory debian-packages CHECK='fc-list 2>/dev/null | grep -qi "noto sans cjk" && ldconfig -p | grep -q libpangoft2' \
		PACKAGES="fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0"

browser-deps: pdf-deps
	@$(MAKE) --no-print-directory debian-packages CHECK='command -v chromium >/dev/null 2>&1' PACKAGES="chromium"

# A test opens the Word audit report in LibreOffice, as auditors without Microsoft Word do.
office-deps:
	@$(MAKE) --no-print-directory debian-packages CHECK='command -v libreoffice >/dev/null 2>&1' \
		PACKAGES="libreoffice-writer-nogui"

debian-packages:
	@if ! sh -c '$(CHECK)'; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGES) >/dev/null; \
		else \
			echo "missing Debian packages: install them with apt-get install $(PACKAGES)"; \
			if [ "$${CI:-}" = "true" ]; then exit 1; fi; \
		fi; \
	fi

benchmark: install
	$(BIN)/python benchmarks/import_throughput.py

# Regenerate the translation catalogue after changing user-facing strings.
messages: install
	$(BIN)/cleanprod makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*'
	$(BIN)/cleanprod compilemessages --locale zh_Hans --ignore '.venv/*' --ignore 'node_modules/*'

clean:
	rm -rf var/test.sqlite3 var/cache var/static
