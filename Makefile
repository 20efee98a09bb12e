# The two commands of the README: `make run` and `make test`. Both set everything up on a fresh machine:
# `make run` installs what running needs (requirements-local.txt), `make test` adds the rest (requirements-dev.txt).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
RUN_STAMP := $(VENV)/.run-$(shell cat requirements.txt requirements-local.txt | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-local.txt requirements-dev.txt | sha1sum | cut -c1-12)

# The local stack's settings; every target below that talks to it follows them (README, "Settings").
COUNTY ?= demo
API_PORT ?= 8000
AWS_PORT ?= 5100
DRILL ?=
LOCAL := COUNTY=$(COUNTY) API_PORT=$(API_PORT) AWS_PORT=$(AWS_PORT) DRILL=$(DRILL)

.PHONY: install install-run browser console run reset test test-unit mutation demo bench recount check-config synth deploy clean

install-run: $(RUN_STAMP)
install: $(DEV_STAMP)

$(RUN_STAMP): requirements.txt requirements-local.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PIP) -r requirements-local.txt
	rm -f $(VENV)/.run-* && touch $@

$(DEV_STAMP): $(RUN_STAMP) requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	rm -f $(VENV)/.dev-* && touch $@

run: install-run  ## the local stack on 127.0.0.1:$(API_PORT) (Ctrl-C stops it; its data stays in .local/data/$(COUNTY)/)
	$(LOCAL) $(PY) -m local.run

reset: install-run  ## forget the local data of $(COUNTY): the next `make run` starts from the seed
	$(LOCAL) $(PY) -m local.run --reset

# The browser tier drives Debian's Chromium (Playwright's own browser download needs the internet); without the
# Noto fonts Chinese and Uyghur render as empty boxes. Installed only when missing.
BROWSER_PACKAGES := chromium fonts-noto-cjk fonts-noto-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@missing=$$(for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing" $$missing; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends $$missing; fi

# The web console: console/src built into chalicelib/console_assets/ (committed: run and test need no Node.js).
# npm packages at the lock file's versions; only after a change to console/.
console:
	test -d console/node_modules || (cd console && npm ci --no-audit --no-fund)
	cd console && node build.mjs

test: install browser  ## every tier: unit (no network), integration (moto), e2e (HTTP), browser (the console in Chromium)
	$(PY) -m pytest -n 2 -q

test-unit: install
	$(PY) -m pytest -q tests/unit

# mutmut workers (the machine is shared: 1) and hypothesis examples per property test for each mutant
MUTATION_CHILDREN ?= 1
MUTATION_EXAMPLES ?= 3
mutation: install  ## mutation testing (mutmut) of the domain's access, case, deadlines and working time, and two case-service rules, over the unit tier; prints the score and the time taken (not part of `make test`)
	rm -rf mutants
	set -f; start=$$(date +%s); \
	  MUTATION_EXAMPLES=$(MUTATION_EXAMPLES) $(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) $$($(PY) -m tests.mutation_score scope) > mutants.log 2>&1; \
	  status=$$?; tail -n 3 mutants.log; $(PY) -m tests.mutation_score report; \
	  echo "mutation run: $$(( $$(date +%s) - start )) s with $(MUTATION_CHILDREN) worker(s)"; exit $$status

demo: install-run  ## plays the article's irrigation case against the running `make run` (and a late case in a drill)
	$(PY) -m local.demo

recount: install-run  ## recount every aggregate from the timelines, against the running `make run`
	$(PY) -m admin.recount --local

BENCH_CASES ?= 30000
CDK_VERSION := 2.1148.0
CDK := node_modules/.bin/cdk
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

$(CDK):
	npm install --no-save --no-audit --no-fund --silent aws-cdk@$(CDK_VERSION)

check-config: install-run  ## validate chalicelib/counties/$(COUNTY).yaml: every problem listed, exit non-zero
	$(PY) infra/check_config.py $(COUNTY)

synth: install check-config $(CDK)  ## offline: the CloudFormation template for $(COUNTY) in cdk.out/
	COUNTY=$(COUNTY) $(CDK) synth --app "$(PY) infra/cdk_app.py" --output cdk.out --quiet
	$(PY) infra/summary.py cdk.out/dev.template.json $(COUNTY)

deploy: install check-config $(CDK)  ## bootstrap (idempotent) and deploy $(COUNTY)
	COUNTY=$(COUNTY) $(CDK) bootstrap --app "$(PY) infra/cdk_app.py"
	COUNTY=$(COUNTY) $(CDK) deploy --app "$(PY) infra/cdk_app.py" --require-approval never

clean:  ## also deletes .local/: the local token key and every county's local data
	rm -rf $(VENV) .local chalice.out .pytest_cache mutants mutants.log

bench: install browser  ## benchmarks (the console load in Chromium too): each prints its figures and targets; `-` keeps going past a missed target
	-$(PY) bench/round_trips.py
	-$(PY) bench/page_reads.py
	-$(PY) bench/request_overhead.py
	-$(PY) bench/package_size.py
	-$(PY) bench/timer_transitions.py
	-$(PY) bench/cost_per_case.py --cases $(BENCH_CASES)
	-$(PY) bench/soak.py --people 1 --minutes 1
	-$(PY) bench/soak.py --people 8 --minutes 1
	-$(PY) bench/console_load.py
