# Two commands do all the set-up on a fresh machine:
#   make book   creates .venv, installs what the book needs, builds _build/html (strict)
#   make test   the same set-up, then ruff, the book build, the PDF, and every test (pytest, nbval,
#               the browser tests in Debian's Chromium)
# Also: make pdf (_build/latex/book.pdf), make book-student (every exercise, no solution: HTML and PDF in
# _build/student/_build), make notebooks (re-execute chapters/*.ipynb in place after a
# change to mlp, then commit them: strict nbval compares their stored outputs), make notebooks-branch (the
# reader notebooks of both editions, as the branch `notebooks` holds them), make render-benchmark.
# Both book builds write a reader notebook of every page that shows code (_ext/reader_notebooks.py), into the
# folder notebooks/ of their HTML: _build/html/notebooks/ and _build/student/_build/html/notebooks/.
# _build/html is the site as published: make pdf and make book-student put both PDFs and the student edition
# (student/) into it, and each HTML build a zip of its reader notebooks; every page links them (_ext/other_forms.py).
# .ci/release-build makes a release's files from them (.github/workflows/release.yml).
# The Python toolchain is installed from requirements.lock (exact versions and hashes); `make lock` updates it.
# The system packages that are missing (python3-venv, node, npm, TeX Live, Chromium) are all installed at once
# when make runs as root with apt-get; otherwise make stops before doing anything else and prints, on standard
# error, the one apt-get line that installs them all.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
LATEX_DIR := _build/latex

# What each step needs from the system, as check:Debian-package. A check is a program on PATH, a TeX file
# (found by kpsewhich), or `ensurepip`: Python's venv module can bootstrap pip (Debian splits that into
# python3-venv).
SYSTEM_PYTHON := ensurepip:python3-venv
SYSTEM_BOOK := $(SYSTEM_PYTHON) node:nodejs npm:npm
SYSTEM_PDF := latexmk:latexmk pdflatex:texlive-latex-recommended fncychap.sty:texlive-latex-extra \
	t1xtt.tfm:texlive-fonts-recommended tgtermes.sty:tex-gyre pdftotext:poppler-utils
SYSTEM_BROWSER := chromium:chromium

# $(call need,LIST): before anything else, find every Debian package in LIST whose check fails, and install
# them all with one apt-get (when make runs as root and apt-get exists) or name them all in one
# `apt-get install` line on standard error and stop.
define need
	@missing=""; \
	for pair in $(1); do \
	  what=$${pair%%:*}; pkg=$${pair##*:}; \
	  case $$what in \
	    ensurepip) $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1 ;; \
	    *.sty|*.tfm) kpsewhich $$what >/dev/null 2>&1 ;; \
	    *) command -v $$what >/dev/null 2>&1 ;; \
	  esac && continue; \
	  case " $$missing " in *" $$pkg "*) ;; *) missing="$$missing $$pkg" ;; esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing system packages:$$missing" >&2; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing system packages:$$missing. Install them all with:" >&2; \
	    echo "  sudo apt-get install -y --no-install-recommends$$missing" >&2; \
	    exit 1; \
	  fi; \
	fi
endef

.PHONY: book pdf book-student test lint example clean render-benchmark system-python system-book system-pdf system-test notebooks notebooks-branch lock
# `make -j` must not run the HTML and LaTeX builds at once: they share _build/.doctrees.
.NOTPARALLEL:

system-python:
	$(call need,$(SYSTEM_PYTHON))

system-book:
	$(call need,$(SYSTEM_BOOK))

system-pdf:
	$(call need,$(SYSTEM_PDF))

system-test:
	$(call need,$(SYSTEM_BOOK) $(SYSTEM_PDF) $(SYSTEM_BROWSER))

# The Python packages that build and test the book, at the exact versions and hashes of requirements.lock
# (`make lock` updates it from pyproject.toml); then mlp itself, editable, without dependencies.
$(STAMP): pyproject.toml requirements.lock | system-python
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is needed; found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# Re-resolve requirements.lock from pyproject.toml's book and test extras: the newest releases that fit, for
# every platform and Python >= 3.11, with hashes. Review the diff, run `make test`, and commit both files.
LOCK_COMMAND := uv pip compile pyproject.toml --extra book --extra test --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock" -o requirements.lock
# uv runs from a venv of its own, so a broken lock can always be re-made.
UV_VERSION := 0.13.9
lock: | system-python
	test -x .venv-lock/bin/uv || { $(PYTHON) -m venv .venv-lock && .venv-lock/bin/python -m pip install --quiet uv==$(UV_VERSION); }
	.venv-lock/bin/$(LOCK_COMMAND)

# katex (typesets the math during the build), axe-core (browser tests) and mathjax (render-benchmark only),
# exactly as package-lock.json pins them.
$(NODE_STAMP): package.json package-lock.json | system-book
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

book: system-book $(STAMP) $(NODE_STAMP)
	rm -rf _build/html/_sources  # an older build's copies of the MyST sources: the site has none (html_copy_source)
	$(BIN)/jupyter-book build . -W -n --keep-going

# Sphinx's LaTeX builder, then latexmk. After `make book` the LaTeX builder reuses the executed
# notebooks in _build/.doctrees instead of running them again.
pdf: system-book system-pdf $(STAMP) $(NODE_STAMP)
	$(BIN)/jupyter-book build . --builder latex -W -n --keep-going
	cd $(LATEX_DIR) && latexmk -pdf -dvi- -ps- -interaction=nonstopmode -halt-on-error -file-line-error \
		book.tex >latexmk.out 2>&1 || { tail -n 40 latexmk.out; exit 1; }
	mkdir -p _build/html && cp $(LATEX_DIR)/book.pdf _build/html/backprop-book.pdf  # the site links it (_ext/other_forms.py)
	@echo "PDF: $(LATEX_DIR)/book.pdf"

# The student edition: every exercise and no solution (_ext/student_edition.py), strict like the full book, in a
# folder of its own so the full build is untouched: HTML in $(STUDENT)/_build/html, PDF in
# $(STUDENT)/_build/latex/book.pdf. Then the site as published: the edition's PDF beside its HTML, and the edition in
# the book's folder student/ (_build/html/student), where every page of the book links it (_ext/other_forms.py).
STUDENT := _build/student
book-student: system-book system-pdf $(STAMP) $(NODE_STAMP)
	rm -rf $(STUDENT)/_build/html  # what it publishes is this build's files, and nothing an older build left
	BOOK_EDITION=student $(BIN)/jupyter-book build . -W -n --keep-going --path-output $(STUDENT)
	BOOK_EDITION=student $(BIN)/jupyter-book build . --builder latex -W -n --keep-going --path-output $(STUDENT)
	cd $(STUDENT)/_build/latex && latexmk -pdf -dvi- -ps- -interaction=nonstopmode -halt-on-error -file-line-error \
		book.tex >latexmk.out 2>&1 || { tail -n 40 latexmk.out; exit 1; }
	cp $(STUDENT)/_build/latex/book.pdf $(STUDENT)/_build/html/backprop-book-student.pdf
	rm -rf _build/html/student && mkdir -p _build/html && cp -r $(STUDENT)/_build/html _build/html/student
	@echo "student edition: $(STUDENT)/_build/html/index.html and $(STUDENT)/_build/latex/book.pdf (also in _build/html/student)"

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

# The content of the repository's branch `notebooks` (the reader notebooks of both editions and Binder's
# environment), which the publish workflow pushes: Colab and Binder open the notebooks from there.
notebooks-branch: book book-student
	$(BIN)/python tools/notebooks_branch.py _build/notebooks-branch

example: $(STAMP)
	$(BIN)/python -m mlp example

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pytest exits 5 when it collects no test: make treats that like any failure.
test: system-test lint book pdf book-student
	$(BIN)/python -m pytest

render-benchmark: system-test $(STAMP) $(NODE_STAMP)
	$(BIN)/python benchmarks/page_render.py

clean:
	rm -rf _build
