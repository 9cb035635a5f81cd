# Two commands do all the set-up on a fresh machine:
#   make book   creates .venv, installs what the book needs, builds _build/html (strict)
#   make test   the same set-up, then ruff, the book build, and every test (pytest, nbval)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test lint example clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is needed; found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[book,test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

example: $(STAMP)
	$(BIN)/python -m mlp example

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pytest exits 5 when it collects no test: make treats that like any failure.
test: lint book
	$(BIN)/python -m pytest

clean:
	rm -rf _build
