# `make demo` and `make test` work on a fresh machine with Python 3.11: each creates .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check grammar clean browser prometheus neovim yaml-language-server openssl

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@# compat mode puts the checkout on sys.path with a .pth line; the default import hook
	@# costs every `svtool` start ~20 ms
	$(BIN)/python -m pip install -q -e '.[test]' --config-settings editable_mode=compat
	@# byte-compile now: a cold `svtool` start should not compile its own sources
	$(BIN)/python -m compileall -q supervisor_tools
	touch $(STAMP)

# The clean example, then one with the mistakes real configs have: its findings would exit 1,
# and --exit-zero keeps them from failing `make demo`.
demo: $(STAMP)
	$(BIN)/svtool lint fixtures/demo/supervisord.conf
	$(BIN)/svtool show fixtures/demo/supervisord.conf
	@echo
	@echo '# an example with the mistakes real configs have (fixtures/demo/flawed/):'
	$(BIN)/svtool lint --exit-zero fixtures/demo/flawed/supervisord.conf

# lint-imports checks the layer contracts in pyproject.toml (drawn in docs/architecture.md)
check: $(STAMP)
	$(BIN)/ruff check supervisor_tools
	$(BIN)/mypy supervisor_tools
	$(BIN)/lint-imports --no-logo --no-cache

test: check browser prometheus neovim yaml-language-server openssl
	$(BIN)/python -m pytest -q -p no:cacheprovider

# $(call debian,COMMAND,PACKAGE,WHAT NEEDS IT): install a Debian package the tests need when
# COMMAND is missing; as root with apt-get, else say how (no commas in the arguments).
debian = @if ! command -v $(1) >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2); \
	  else \
	    echo "$(3) need $(1): apt-get install $(2) (as root)"; \
	  fi; \
	fi

# The HTTPS probe tests make a self-signed certificate with the openssl command.
openssl:
	$(call debian,openssl,openssl,the HTTPS probe tests)

# The web console's tests drive Debian's Chromium with Playwright (no browser download).
browser:
	$(call debian,/usr/bin/chromium,chromium,the web console tests)

# The /metrics end-to-end test scrapes `svtool run` with Debian's Prometheus server, which the
# test starts itself on a free loopback port with its own config and storage. The package's
# own service (port 9090, when the package manager starts it) is stopped and disabled here:
# nothing of this machine should start scraping because a test needed the binary.
prometheus:
	@if [ ! -x /usr/bin/prometheus ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends prometheus && \
	    { systemctl disable --now prometheus >/dev/null 2>&1 || \
	      service prometheus stop >/dev/null 2>&1 || true; }; \
	  else \
	    echo "the /metrics tests need /usr/bin/prometheus: apt-get install prometheus (as root)"; \
	  fi; \
	fi

# tests/lsp/test_neovim.py runs Debian's Neovim headless as a real LSP client of svtool lsp.
neovim:
	$(call debian,nvim,neovim,the editor tests)

# tests/lsp/test_yaml_schema.py runs the real yaml-language-server (npm) on the YAML form;
# it is installed into the venv, never into the repository.
YAML_LS := $(VENV)/yaml-ls/node_modules/.bin/yaml-language-server
yaml-language-server: $(YAML_LS)

$(YAML_LS): | $(STAMP)
	@if command -v npm >/dev/null; then \
	  mkdir -p $(VENV)/yaml-ls && \
	  npm install --silent --no-audit --no-fund --prefix $(VENV)/yaml-ls yaml-language-server; \
	else \
	  echo "the YAML editor tests need node and npm (apt-get install nodejs npm)"; \
	fi

grammar: $(STAMP)
	$(BIN)/python grammar/build_parser.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
