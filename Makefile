# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: run test install migrate demo bench load-test clean vendor-tokens

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py render_entries

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

bench: install
	$(PY) bench/list_page.py
	$(PY) bench/list_page.py --postgres
	$(PY) bench/throughput.py --sqlite
	$(PY) bench/throughput.py

# Two gunicorn "hosts" behind HAProxy, PgBouncer (transaction pooling) and
# Redis, from Debian's packages (docs/deployment.md).
load-test: install
	command -v haproxy >/dev/null && command -v pgbouncer >/dev/null || apt-get install -y haproxy pgbouncer
	$(PY) bench/load_hosts.py

# The Digital Agency design tokens (DADS, MIT): the package's built CSS, vendored
# and committed (static/vendor/dads/). Not part of run or test; rerun to update.
DADS_TOKENS_VERSION ?= 1.1.9
vendor-tokens:
	rm -rf .vendor-tmp && mkdir -p .vendor-tmp static/vendor/dads
	cd .vendor-tmp && npm pack --silent @digital-go-jp/design-tokens@$(DADS_TOKENS_VERSION) && tar xzf digital-go-jp-design-tokens-$(DADS_TOKENS_VERSION).tgz
	{ echo "/* @digital-go-jp/design-tokens $(DADS_TOKENS_VERSION) (MIT, see LICENSE here), dist/tokens.css, vendored by make vendor-tokens. */"; cat .vendor-tmp/package/dist/tokens.css; } > static/vendor/dads/tokens.css
	cp .vendor-tmp/package/LICENSE static/vendor/dads/LICENSE
	rm -rf .vendor-tmp

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
