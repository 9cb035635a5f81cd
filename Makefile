# Two commands do all the set-up on a fresh machine:
#   make book   creates .venv, installs what the book needs, builds _build/html (strict)
#   make test   the same set-up, then ruff, the book build, the PDF, and every test (pytest, nbval,
#               the browser tests in Debian's Chromium)
# Also: make pdf (_build/latex/book.pdf), make notebooks (re-execute chapters/*.ipynb in place after a
# change to mlp, then commit them: strict nbval compares their stored outputs), make render-benchmark.
# A system package that is missing (python3-venv, node, npm, TeX Live, Chromium) is installed when make runs
# as root with apt-get; otherwise make stops at once and prints the one command that installs it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
LATEX_DIR := _build/latex

# What each step needs from the system, as program-or-TeX-file:Debian-package.
SYSTEM_BOOK := node:nodejs npm:npm
SYSTEM_PDF := latexmk:latexmk pdflatex:texlive-latex-recommended fncychap.sty:texlive-latex-extra \
	t1xtt.tfm:texlive-fonts-recommended tgtermes.sty:tex-gyre pdftotext:poppler-utils
SYSTEM_BROWSER := chromium:chromium

# $(call need,LIST): install or name the Debian packages in LIST whose program or TeX file is missing.
define need
	@missing=""; \
	for pair in $(1); do \
	  what=$${pair%%:*}; pkg=$${pair##*:}; \
	  case $$what in \
	    *.sty|*.tfm) kpsewhich $$what >/dev/null 2>&1 ;; \
	    *) command -v $$what >/dev/null 2>&1 ;; \
	  esac && continue; \
	  case " $$missing " in *" $$pkg "*) ;; *) missing="$$missing $$pkg" ;; esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing system packages:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing system packages:$$missing. Install them with:"; \
	    echo "  sudo apt-get install -y --no-install-recommends$$missing"; \
	    exit 1; \
	  fi; \
	fi
endef

.PHONY: book pdf test lint example clean render-benchmark system-book system-pdf system-test notebooks
# `make -j` must not run the HTML and LaTeX builds at once: they share _build/.doctrees.
.NOTPARALLEL:

system-book:
	$(call need,$(SYSTEM_BOOK))

system-pdf:
	$(call need,$(SYSTEM_PDF))

system-test:
	$(call need,$(SYSTEM_BOOK) $(SYSTEM_PDF) $(SYSTEM_BROWSER))

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is needed; found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@# Debian splits venv's pip bootstrap (ensurepip) into the python3-venv package.
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null; \
	  else \
	    echo "Python's venv module cannot bootstrap pip here. Install it with:"; \
	    echo "  sudo apt-get install -y --no-install-recommends python3-venv"; exit 1; \
	  fi; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[book,test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# katex (typesets the math during the build), axe-core (browser tests) and mathjax (render-benchmark only),
# exactly as package-lock.json pins them.
$(NODE_STAMP): package.json package-lock.json | system-book
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

book: system-book $(STAMP) $(NODE_STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

# Sphinx's LaTeX builder, then latexmk. After `make book` the LaTeX builder reuses the executed
# notebooks in _build/.doctrees instead of running them again.
pdf: system-book system-pdf $(STAMP) $(NODE_STAMP)
	$(BIN)/jupyter-book build . --builder latex -W -n --keep-going
	cd $(LATEX_DIR) && latexmk -pdf -dvi- -ps- -interaction=nonstopmode -halt-on-error -file-line-error \
		book.tex >latexmk.out 2>&1 || { tail -n 40 latexmk.out; exit 1; }
	@echo "PDF: $(LATEX_DIR)/book.pdf"

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

example: $(STAMP)
	$(BIN)/python -m mlp example

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pytest exits 5 when it collects no test: make treats that like any failure.
test: system-test lint book pdf
	$(BIN)/python -m pytest

render-benchmark: system-test $(STAMP) $(NODE_STAMP)
	$(BIN)/python benchmarks/page_render.py

clean:
	rm -rf _build
