# Two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint bench sample clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed  ## create the environment and open the dashboard on the sample city
	$(BIN)/streamlit run dashboard.py --server.port $(PORT) --browser.serverPort $(PORT)  # the printed URL follows PORT

test: $(BIN)/.installed  ## create the environment, check style and types, run every test
	$(BIN)/ruff check .
	$(BIN)/mypy scoring snapshots ledger ui dashboard.py
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/mypy scoring snapshots ledger ui dashboard.py

bench: $(BIN)/.installed  ## print speed and memory figures
	for b in benchmarks/bench_*.py; do PYTHONPATH=. $(BIN)/python $$b || exit 1; done

sample: $(BIN)/.installed  ## regenerate the sample data (deterministic)
	$(BIN)/python sample_data/generate.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
