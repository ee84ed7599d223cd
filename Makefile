# Two commands on a fresh machine: `make synth` and `make test`.
# Both set up .venv (pinned by requirements.lock) and node_modules (pinned by
# package-lock.json) when missing or when a lock file changed, and never call AWS.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := synth
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
CDK_OUT := cdk.out

# Stamps are keyed on the content of the lock files: re-running with nothing
# changed installs nothing; editing a lock file re-installs once.
PY_LOCK_HASH := $(shell cat requirements.lock pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
NPM_LOCK_HASH := $(shell cat package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
PY_STAMP := $(VENV)/.installed-$(PY_LOCK_HASH)
NPM_STAMP := node_modules/.installed-$(NPM_LOCK_HASH)

# No AWS: no telemetry, notices or version look-ups; no credential or IMDS probing.
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true
export AWS_EC2_METADATA_DISABLED := true
export AWS_PAGER :=
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# jsii prints a banner on every start under Node 20 (end of life); the prerequisite
# check prints one line about it instead.
NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := $(NODE_MAJOR)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
# Deprecated aws-cdk-lib APIs fail the synth instead of printing a warning.
export JSII_DEPRECATED := fail
CDK_FLAGS := --no-notices --no-version-reporting --ci

.PHONY: synth test lint typecheck unit consumer bench test-under-load review clean prereqs setup lock plan mutation

prereqs:
	@scripts/check_prereqs.sh "$(PYTHON)"

$(VENV)/bin/python: | prereqs
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.lock pyproject.toml | $(VENV)/bin/python
	rm -f $(VENV)/.installed-*
	$(PY) -m pip install --quiet --no-deps --require-virtualenv -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation --require-virtualenv -e .
	$(PY) -m pip check
	touch $@

$(NPM_STAMP): package-lock.json | prereqs
	rm -f node_modules/.installed-*
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

setup: $(PY_STAMP) $(NPM_STAMP)

synth: setup
	rm -rf $(CDK_OUT)
	$(CDK) synth $(CDK_FLAGS) --quiet
	@$(PY) scripts/list_templates.py $(CDK_OUT)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: setup
	$(PY) -m mypy --strict constructs_lib stacks app.py

# Two workers: each starts its own jsii runtime; test modules stay whole on one worker so
# that each synthesizes its app once.
PYTEST_WORKERS ?= 2
unit: setup
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

# The library as another team's app gets it: the built wheel in an environment with the
# lowest aws-cdk-lib, constructs, cdk-nag and PyYAML pyproject.toml allows (cached in
# .consumer/, keyed on those versions), every public name imported and every example
# type-checked and synthesized from a copy outside the repository, with aws-cdk-lib's
# default feature flags (python app.py) and with the example's cdk.json (the pinned CLI).
consumer: setup
	$(PY) scripts/consumer.py --cdk $(CDK)

test: lint typecheck unit consumer

bench: setup
	$(PY) scripts/bench.py

# `make test` RUNS times (default 5) in a fresh clone while a CPU-bound process runs.
test-under-load:
	scripts/test_under_load.sh $(RUNS)

# Update the subnet record beside platform.yaml (platform.subnets.json): recorded subnets
# never move; growth adds subnet groups in free space. Synth only reads the record.
# ADOPT=1 records networks deployed by a version without records where they are;
# ARGS='--add-cidr prod=10.42.0.0/16 --release prod=EmrServerless2 --check' pass through.
plan: setup
	$(PY) -m constructs_lib.platform_subnets $(if $(ADOPT),--adopt) $(ARGS)

# Mutation testing of the pure rule modules with their fast tests, in a scratch copy
# (.mutation/): the score per module. About 15 minutes on two cores; not part of `make test`.
mutation: setup
	$(PY) scripts/mutation.py

# What the working tree changes, as the pull-request comment (cdk.out/review.md) and the full
# report (cdk.out/review-full.md). BASE=<git ref> compares with that ref, synthesized in a
# temporary directory with this venv (BASE=main make review); without BASE there is no base.
BASE ?=
review: synth
	$(PY) scripts/review.py --head $(CDK_OUT) --output $(CDK_OUT)/review.md \
		$(if $(strip $(BASE)),--base-ref '$(BASE)')

clean:
	rm -rf $(CDK_OUT) .bench .mypy_cache .ruff_cache .pytest_cache .hypothesis .mutation

# Re-pin every Python package from pyproject.toml's ranges (needs the package index).
lock: | prereqs
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet ".[cli]" $$($(PYTHON) -c 'import tomllib; \
	  print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["dependency-groups"]["dev"]))')
	{ echo "# Every package of the development environment, pinned. Regenerate with: make lock"; \
	  .lock-venv/bin/pip freeze --all --exclude-editable | grep -v '^emr-serverless-constructs'; } > requirements.lock
	rm -rf .lock-venv
