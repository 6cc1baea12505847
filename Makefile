# One command each: `make run` (chat locally), `make test` (everything CI runs).
# Every target sets up what is missing first; nothing is re-done when its inputs are unchanged.

SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c
QUIET_PIP   := { grep -v '^WARNING: Location' || true; }

VENV      := .venv
BIN       := $(VENV)/bin
MODEL     := models/leadbot.tar.gz
TRAINING  := config.yml domain.yml $(wildcard data/*.yml)
WIDGET    := web/widget/vendor/socket.io.min.js
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# One OpenBLAS thread per process (see bot/parse/classifier.py): its pool can deadlock across threads.
export OPENBLAS_NUM_THREADS := 1

.PHONY: setup run run-prod test lint stories validate bench clean

setup: $(BIN)/.installed $(WIDGET) $(MODEL)

$(BIN)/.installed: pyproject.toml
	@PY=$$(scripts/find-python310) && echo "Using $$PY" && \
	  { [ -x $(BIN)/python ] || $$PY -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip 2>&1 | $(QUIET_PIP)
	$(BIN)/python -m pip install -q -e '.[dev]' 2>&1 | $(QUIET_PIP)
	$(BIN)/python -c "import rasa, rasa_sdk, spacy, lingua, bot"
	touch $@

$(WIDGET): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	npm run --prefix web --silent build

# Retrained only when the NLU data, rules, domain or pipeline changed.
$(MODEL): $(TRAINING) | $(BIN)/.installed
	$(BIN)/rasa train --fixed-model-name leadbot --out models --quiet

run: setup
	$(BIN)/python -m bot.ops local

# PostgreSQL + Redis + two Rasa instances behind nginx (Debian packages); see deploy/README.md.
run-prod: setup
	$(BIN)/python -m bot.ops production

validate: $(BIN)/.installed
	$(BIN)/rasa data validate --quiet
	$(BIN)/leadbot check sla.yml

lint: $(BIN)/.installed
	$(BIN)/ruff check bot actions tests benchmarks scripts
	$(BIN)/ruff format --check bot actions tests benchmarks
	$(BIN)/mypy bot actions

stories: $(MODEL)
	$(BIN)/rasa test core --stories tests/test_stories.yml --model $(MODEL) \
	  --fail-on-prediction-errors --out results

test: setup validate lint
	$(BIN)/pytest
	$(MAKE) --no-print-directory stories

# Every benchmarks/bench_*.py in turn (long: the NLU cross-validation trains 15 models);
# `make bench BENCH="--only parse sla"` or `--skip nlu load` for a subset, `--list` to see them.
bench: setup
	$(BIN)/python benchmarks/run_all.py $(BENCH)

clean:
	rm -rf $(VENV) models results logs var web/node_modules web/widget/vendor
