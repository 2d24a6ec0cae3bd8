# Two commands for a fresh machine (see README):
#   make serve   build the graph, load the store and serve it on http://127.0.0.1:8000/
#   make test    lint and run every test, slow ones (browser, load, faults) included
# Both create .venv and install the pinned dependencies when missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint browser rapper comunica varnish virtuoso

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/kg build && $(BIN)/kg serve

lint: $(STAMP)
	$(BIN)/ruff check src tests server.py

# Debian's chromium for the browser tests (tests/browser): Playwright drives /usr/bin/chromium
# and never downloads a browser of its own. Installing needs root (as on CI).
browser:
	@test -x /usr/bin/chromium || { test "$$(id -u)" = 0 \
	  || { echo "tests/browser need Debian's chromium: run 'sudo apt-get install chromium'"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's raptor (rapper) for tests/test_clients.py: an RDF parser of its own reads every dump.
rapper:
	@command -v rapper >/dev/null || { test "$$(id -u)" = 0 \
	  || { echo "tests/test_clients.py needs raptor: run 'sudo apt-get install raptor2-utils'"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq raptor2-utils; }

# Comunica (npm, the versions in tests/clients/package-lock.json; Node 20 or later) for
# tests/test_clients.py: a JavaScript SPARQL engine querying the endpoint and the dumps.
COMUNICA := tests/clients/node_modules/.bin/comunica-sparql

comunica: $(COMUNICA)

$(COMUNICA): tests/clients/package-lock.json
	npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error
	touch $(COMUNICA)

# Debian's varnish for the reverse-proxy cache test (tests/test_reverse_proxy_cache.py); the
# test starts its own varnishd on a free port, never the system service.
varnish:
	@test -x /usr/sbin/varnishd || { test "$$(id -u)" = 0 \
	  || { echo "tests need Debian's varnish: run 'sudo apt-get install varnish'"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish; }

# Debian's Virtuoso for the remote-engine comparison (tests/test_remote_store.py); the tests
# start their own virtuoso-t on a fresh database and free ports, never the system service.
virtuoso:
	@test -x /usr/bin/virtuoso-t || { test "$$(id -u)" = 0 \
	  || { echo "tests need Debian's Virtuoso: run 'sudo apt-get install virtuoso-opensource'"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource; }

test: lint browser rapper comunica varnish virtuoso
	$(BIN)/python -m pytest -m "" -q
