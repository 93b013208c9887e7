PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
DATA ?= ./data
N ?= 10000

.PHONY: install serve test bench eval-search eval-extract eval-reprints clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/folio serve --host $(HOST) --port $(PORT) --data $(DATA)

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --n $(N)

eval-extract: $(STAMP)
	$(BIN)/python -m benchmarks.eval_extract

eval-search: $(STAMP)
	$(BIN)/python -m benchmarks.eval_search

eval-reprints: $(STAMP)
	$(BIN)/python -m benchmarks.eval_reprints --originals 100
	$(BIN)/python -m benchmarks.eval_reprints --originals 100 --hard

clean:
	rm -rf $(VENV) build *.egg-info
