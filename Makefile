# One-command entry points for the SNA pipeline.
#   make report   build the environment from uv.lock, then run the workflow on the demo data
#                 (CONFIG=config/<yours>.yaml: on that configuration, checked first)
#   make test     same environment, then the whole test suite
#   make verify   check the published files against their manifests, then re-run the edition
#                 in a temporary directory and compare it with them
# Everything runs offline once `make env` has installed the locked packages.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
CORES ?= 4
# Debian packages the pipeline needs at run time (byte-identical PDFs) and in tests
# (pdftoppm/pdftotext for page checks, chromium for the axe-core accessibility checks).
SYSTEM_PACKAGES_RUN := libharfbuzz-subset0
SYSTEM_PACKAGES_TEST := poppler-utils chromium

export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy
export UV_PYTHON_DOWNLOADS := never

.PHONY: report test verify env system-packages system-packages-test lint clean-processed

# With CONFIG, the configuration is checked first: Snakemake reads a --configfile before the
# Snakefile and names neither the file nor the line of a YAML mistake in it.
report: env system-packages
	$(if $(CONFIG),$(VENV)/bin/python -m pipeline.config_checks --configfile $(CONFIG),)
	$(VENV)/bin/snakemake --cores $(CORES) $(if $(CONFIG),--configfile $(CONFIG),)

test: env system-packages system-packages-test
	$(VENV)/bin/python -m pytest

verify: env system-packages
	$(VENV)/bin/python -m pipeline.audit.verify $(if $(EDITION),--edition $(EDITION),)

# Style checks: ruff for Python, snakefmt for the workflow files. (`snakemake --lint` runs in
# the test suite, which allows only the conda/container advice; see README.)
lint: env
	$(VENV)/bin/ruff check pipeline tests bench scripts
	$(VENV)/bin/snakefmt --check Snakefile rules

env: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked --python $(shell command -v $(PYTHON))
	touch $@

system-packages:
	@$(MAKE) --no-print-directory _apt PKGS="$(SYSTEM_PACKAGES_RUN)"

system-packages-test:
	@$(MAKE) --no-print-directory _apt PKGS="$(SYSTEM_PACKAGES_TEST)"

# Installs missing Debian packages when run as root; otherwise prints the exact command.
_apt:
	@missing=""; for p in $(PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them with: sudo apt-get install -y --no-install-recommends$$missing"; exit 1; \
	  fi; \
	fi

clean-processed:
	rm -rf data/processed/* logs/
