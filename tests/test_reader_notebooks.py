"""The reader notebooks (_ext/reader_notebooks.py): every page that shows code, as a notebook any Jupyter shows as
the page reads, and runs where a reader opens it.

Checked on what ``make book`` and ``make book-student`` wrote (``make test`` builds both first), edition by
edition, against the built HTML of the same page: which pages have one and what their buttons open; no MyST left
in their Markdown; the numbers, headings, equation numbers, figures and margin notes of the page in the text;
and each notebook, copied alone into an empty folder, run top to bottom in a fresh virtualenv that has only what
a reader installs (``pip install "<checkout>[notebooks]"``: no myst_nb, no nbval, no jupyter-book), with the
book's outputs. Seconds per notebook are written to _build/reader_runs.txt.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from unittest.mock import MagicMock

import myst_nb.core.render
import nbformat
import pytest
import yaml
from book_pages import toc_pages
from bs4 import BeautifulSoup
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import repository_url  # noqa: E402
from reader_markdown import Code  # noqa: E402
from reader_notebooks import INSTALL_TAG, code_cell, merged_streams, setup  # noqa: E402  (tools/repository_url.py puts _ext on the path)

EDITIONS = {"book": ROOT / "_build" / "html", "student": ROOT / "_build" / "student" / "_build" / "html"}
FOLDER = "notebooks"
BRANCH_PREFIX = {"book": "", "student": "student/"}
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TIMES = ROOT / "_build" / "reader_runs.txt"

# MyST that a Jupyter front end would show as it is typed: roles, directives (``` and ::: fences), targets,
# labelled display math, and a glue key.
MYST = re.compile(
    r"\{[a-z][\w:-]*\}`"  # {doc}`intro`, {glue:text}`t_lr`
    r"|^\s*(?:>\s*)*(?:`{3,}|:{3,})\s*\{[\w:-]+\}"  # ```{margin}, :::{important}
    r"|^\s*\([\w-]+\)=\s*$"  # (shape-table)=
    r"|\$\$\s*\([\w-]+\)"  # $$ (eq-label)
    r"|\{glue",
    re.M,
)
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def shows_code(page: str) -> bool:
    """Whether the page's source has a code cell whose code the page shows (no remove-cell or remove-input)."""
    source = ROOT / f"{page}.md"
    hidden = {"remove-cell", "remove-input"}
    if source.exists():
        for options in re.findall(
            r"^```\{code-cell\}[^\n]*\n((?:[:-].*\n)*)", source.read_text(encoding="utf-8"), re.M
        ):
            tags = set(re.findall(r"[\w-]+", "".join(re.findall(r"tags:\s*\[([^\]]*)\]", options))))
            if not tags & hidden:
                return True
        return False
    nb = nbformat.read(ROOT / f"{page}.ipynb", as_version=4)
    return any(c.cell_type == "code" and not hidden & set(c.metadata.get("tags", [])) for c in nb.cells)


PAGES = [page for page in toc_pages() if shows_code(page)]
CASES = [(edition, page) for edition in EDITIONS for page in PAGES]


def built(edition: str) -> Path:
    root = EDITIONS[edition]
    if not (root / "index.html").exists():
        pytest.fail(f"no built {edition} in {root.relative_to(ROOT)}: run `make book book-student` (`make test` does)")
    return root


def notebook_path(edition: str, page: str) -> Path:
    return built(edition) / FOLDER / f"{page}.ipynb"


def load(edition: str, page: str) -> nbformat.NotebookNode:
    path = notebook_path(edition, page)
    if not path.exists():
        pytest.fail(f"no reader notebook {path.relative_to(ROOT)}")
    return nbformat.read(path, as_version=4)


def markdown_text(nb) -> str:
    """Everything a reader reads in the notebook: its Markdown cells and the Markdown its outputs show."""
    parts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    parts += [o["data"]["text/markdown"] for o in outputs_of(nb) if "text/markdown" in o.get("data", {})]
    return "\n\n".join(parts)


def outputs_of(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def all_text(nb) -> str:
    """The notebook's Markdown, code, and the text of its outputs."""
    parts = [c.source for c in nb.cells]
    for out in outputs_of(nb):
        parts.append(out.get("text", ""))
        parts += [v for k, v in out.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(parts)


def article(edition: str, page: str) -> BeautifulSoup:
    html = (built(edition) / f"{page}.html").read_text(encoding="utf-8")
    found = BeautifulSoup(html, "html.parser").select_one("article.bd-article")
    assert found is not None, f"{page}: no article in the HTML"
    return found


def page_text(edition: str, page: str) -> str:
    """The article's text as a reader reads it, each formula as its TeX (KaTeX's annotation), once."""
    soup = article(edition, page)
    for math in soup.select(".katex"):
        tex = math.select_one('annotation[encoding="application/x-tex"]')
        math.replace_with(" " + (tex.get_text() if tex else math.get_text()) + " ")
    for tag in soup.select("script, style, a.headerlink, button.copybtn"):
        tag.decompose()
    return soup.get_text(" ")


# ---------------------------------------------------------------------------------------------------------------
# Which pages, and their buttons


# The pages of the toc that show no code cell, so have no reader notebook (what code they run, the page hides).
# A new page shows code, or is named here.
READ_ONLY_PAGES = {
    "chapters/intro",
    "chapters/card",
    "chapters/your_numbers",
    "chapters/running",
    "chapters/references",
}


def test_the_pages_that_show_code_are_those_of_the_issue():
    """Every page of the toc computes where a reader sees it, in its order, except the read-only ones."""
    assert PAGES == [page for page in toc_pages() if page not in READ_ONLY_PAGES], PAGES
    assert {"chapters/problem1", "chapters/problem2", "chapters/relu_cross_entropy", "chapters/exercises"} <= set(PAGES)


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_reader_notebook_for_every_page_that_shows_code_and_no_other(edition):
    root = built(edition)
    written = {str(p.relative_to(root / FOLDER).with_suffix("")) for p in (root / FOLDER).rglob("*.ipynb")}
    in_html = {page for page in toc_pages() if article(edition, page).select("div.cell_input")}
    assert written == in_html == set(PAGES)


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_page_s_buttons_open_its_reader_notebook(edition):
    root = built(edition)
    owner_repo = repository_url.repository_url().removeprefix("https://github.com/")
    branch, prefix = "notebooks", BRANCH_PREFIX[edition]
    assert CONFIG["launch_buttons"]["binderhub_url"] and CONFIG["launch_buttons"]["colab_url"]
    for page in toc_pages():
        soup = BeautifulSoup((root / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        colab = [a["href"] for a in soup.select('a[href^="https://colab.research.google.com/"]')]
        binder = [a["href"] for a in soup.select('a[href^="https://mybinder.org/"]')]
        download = [a["href"] for a in soup.select("a.btn-download-notebook-button")]
        assert not soup.select('a[href*="_sources/"]'), f"{page}: a link to a page's source"
        if page in PAGES:
            assert colab == [
                f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{prefix}{page}.ipynb"
            ]
            assert binder == [f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{prefix}{page}.ipynb"]
            assert len(download) == 1
            target = (root / page).parent / download[0]
            assert target.resolve() == notebook_path(edition, page).resolve() and target.is_file(), download
        else:
            assert colab == binder == download == [], f"{page}: buttons for a notebook it does not have"
    assert not (root / "_sources").exists(), "the site publishes the pages' MyST sources"


# ---------------------------------------------------------------------------------------------------------------
# What the notebook says


@pytest.mark.parametrize(("edition", "page"), CASES)
def test_no_myst_in_the_notebook_s_markdown(edition, page):
    nb = load(edition, page)
    found = [m.group(0) for m in MYST.finditer(markdown_text(nb))]
    assert not found, f"{edition} {page}: MyST a reader's Jupyter would show as typed: {found[:5]}"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "myst_nb" not in code and not re.search(r"\bglue\(", code), "a reader notebook that glues"


@pytest.mark.parametrize(("edition", "page"), CASES)
def test_the_notebook_reads_as_the_page(edition, page):
    """Every number the page shows is in the notebook; so are its headings, equation numbers, figures and notes."""
    nb = load(edition, page)
    text, markdown, soup = all_text(nb), markdown_text(nb), article(edition, page)

    missing = sorted(set(NUMBER.findall(page_text(edition, page))) - set(NUMBER.findall(text)))
    assert not missing, f"{edition} {page}: numbers the page shows that its notebook does not: {missing[:10]}"

    headings = [len(h[1]) for h in re.findall(r"^(>?\s*)(#{1,6}) ", markdown, re.M)]
    shown = [int(h.name[1]) for h in soup.select("h1, h2, h3, h4, h5, h6") if h.find_parent("section")]
    assert headings == shown, f"{edition} {page}: heading levels {headings} where the page has {shown}"

    for number in (e.get_text().strip("()# ") for e in soup.select("span.eqno")):
        assert f"\\tag{{{number}}}" in markdown, f"{edition} {page}: equation ({number}) has no \\tag"

    # Figures: PNG inside the Markdown (Colab shows no attachments), each in a cell of its own, as many as the page's
    images = [c for c in nb.cells if c.cell_type == "markdown" and "](data:image/png;base64," in c.source]
    assert len(images) == len(soup.select("figure img, div.cell_output img")), f"{edition} {page}: figures"
    assert all(c.source.count("](data:") == 1 and len(c.source.split("\n\n")) <= 2 for c in images)
    assert not any(c.get("attachments") for c in nb.cells) and "attachment:" not in markdown

    for note in soup.select("aside.margin p.sidebar-title, div.admonition:not(.dropdown) > p.admonition-title"):
        title = " ".join(note.get_text().split())
        if not title.startswith(("Exercise", "Solution")):
            assert re.search(rf"^> \*\*{re.escape(title)}\*\*", markdown, re.M), f"{edition} {page}: note {title!r}"


def test_problem2_s_worked_numbers_are_in_its_text():
    """Problem 2's notebook: the source's losses and the output error in the Markdown, not in an output."""
    for edition in EDITIONS:
        nb = load(edition, "chapters/problem2")
        markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        for value in ("0.3927", "0.2146", "0.2183", "0.2932"):
            assert value in markdown, f"{edition}: {value} not in Problem 2's text"
        assert "Values for the text below" not in all_text(nb)  # no list of glued values: the text has them


def test_solutions_fold_away_in_the_book_and_are_absent_from_the_student_edition():
    book, student = load("book", "chapters/exercises"), load("student", "chapters/exercises")
    exercises = re.findall(r"^> \*\*(Exercise \d+)", markdown_text(book), re.M)
    assert len(exercises) >= 5 and re.findall(r"^> \*\*(Exercise \d+)", markdown_text(student), re.M) == exercises
    summaries = re.findall(r"<summary><strong>Solution to (Exercise \d+)", markdown_text(book))
    assert sorted(set(summaries), key=lambda e: int(e.split()[1])) == exercises
    assert "Solution to" not in markdown_text(student) and "<details>" not in markdown_text(student)
    in_solutions = [
        c for c in book.cells if c.cell_type == "code" and c.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert in_solutions and all(c.metadata["jupyter"].get("outputs_hidden") for c in in_solutions)
    student_code = {c.source for c in student.cells if c.cell_type == "code"}
    assert not student_code & {c.source for c in in_solutions}


@pytest.mark.parametrize(("edition", "page"), CASES)
def test_the_first_cell_installs_this_version_of_the_book_s_package(edition, page):
    nb = load(edition, page)
    first = nb.cells[0]
    assert first.cell_type == "code" and INSTALL_TAG in first.metadata.get("tags", [])
    requirement = repository_url.requirement()
    assert f'"{requirement}"' in first.source and VERSION in requirement
    assert nb.metadata["backprop_book"]["version"] == VERSION
    assert sum(INSTALL_TAG in c.metadata.get("tags", []) for c in nb.cells) == 1


# ---------------------------------------------------------------------------------------------------------------
# Where a reader runs it

COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv*", "_build", "node_modules", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis", "build"
)
# Appended to each notebook's copy: where `mlp` came from, and what the environment does not have.
PROBE = """import importlib.util, json, mlp
print(json.dumps({"mlp": mlp.__file__, "absent": [m for m in ("myst_nb", "nbval", "jupyter_book")
                                                 if importlib.util.find_spec(m) is None]}))"""


def reader_env() -> dict[str, str]:
    """The test's environment without anything that points Python at this checkout or at the book build."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONWARNINGS", "MLP_BOOK_BUILD"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=reader_env(), **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="session")
def reader(tmp_path_factory) -> dict:
    """A fresh virtualenv with only `pip install "<checkout>[notebooks]"`, and a Jupyter kernel spec for it."""
    base = tmp_path_factory.mktemp("reader")
    checkout = base / "checkout"
    shutil.copytree(ROOT, checkout, ignore=COPY_IGNORE)  # a copy, so that pip's build leaves nothing here
    venv = base / "venv"
    python = venv / "bin" / "python"
    start = time.perf_counter()
    run(sys.executable, "-m", "venv", venv, timeout=120)
    # --no-compile: pip would byte-compile all of SymPy, SciPy and scikit-learn, two thirds of the install's time
    # here (35 s instead of 90 s on this 2-core machine); the kernel compiles only what the notebooks import.
    run(python, "-m", "pip", "install", "--quiet", "--no-compile", f"{checkout}[notebooks]", timeout=900)
    seconds = time.perf_counter() - start
    TIMES.parent.mkdir(exist_ok=True)
    TIMES.write_text(f"virtualenv + pip install [notebooks]\t{seconds:.1f} s\n", encoding="utf-8")
    kernels = base / "jupyter" / "kernels" / "reader"
    kernels.mkdir(parents=True)
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"], "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps({**spec, "display_name": "reader"}), encoding="utf-8")
    return {"base": base, "checkout": checkout, "python": python, "jupyter": base / "jupyter"}


def test_the_reader_environment_is_only_the_install(reader):
    listed = json.loads(run(reader["python"], "-m", "pip", "list", "--format", "json", timeout=120).stdout)
    names = {p["name"].lower().replace("_", "-") for p in listed}
    assert "backprop-book" in names and "mlp" not in names  # the book's package, not the index's "mlp"
    for tool in ("myst-nb", "nbval", "jupyter-book", "pytest", "sphinx"):
        assert tool not in names, f"{tool} is in the reader's environment: the extra should not bring it"
    for needed in ("numpy", "matplotlib", "sympy", "scikit-learn", "ipykernel"):
        assert needed in names, f"the notebooks extra does not bring {needed}"


def test_the_install_cell_installs_the_package_where_it_is_missing(reader):
    """The Colab case: uninstall the package, run the first cell (its requirement pointed at the local copy)."""
    python = reader["python"]
    run(python, "-m", "pip", "uninstall", "--yes", "--quiet", "backprop-book", timeout=120)
    probe = "import importlib.util; print(importlib.util.find_spec('mlp') is None)"
    assert run(python, "-c", probe, cwd=reader["base"], timeout=60).stdout.strip() == "True"
    requirement = repository_url.requirement()
    local = f"backprop-book[notebooks] @ {reader['checkout'].as_uri()}"
    source = load("book", "chapters/problem2").cells[0].source.replace(requirement, local)
    assert local in source
    result = run(python, "-c", source + "\nimport mlp\nprint(mlp.__file__)", cwd=reader["base"], timeout=900)
    assert str(reader["base"] / "venv") in result.stdout, result.stdout  # installed into the reader's venv
    # Where another version is installed, the cell says so, and what to install
    older = run(python, "-c", source.replace(VERSION, "0.0.1"), cwd=reader["base"], timeout=60).stdout
    assert older.startswith(f"This notebook was made with backprop-book 0.0.1; this Python has {VERSION}.")
    assert f'pip install "{local}"' in older


def comparable(outputs: list) -> list:
    """Outputs as the book stores them (streams merged, as MyST-NB merges them), text compared, images by type."""
    shown = []
    for out in merged_streams([nbformat.from_dict(dict(o)) for o in outputs]):
        if out["output_type"] == "stream":
            shown.append((out["name"], out["text"]))
        else:
            data = out.get("data", {})
            shown.append(tuple(sorted((k, v if k.startswith("text/") else "<image>") for k, v in data.items())))
    return shown


def code_of(nb) -> list:
    return [(c.source, c.outputs) for c in nb.cells if c.cell_type == "code"]


def test_a_printing_loop_flushed_in_pieces_is_one_output_as_on_the_page():
    """How a kernel splits a cell's printing in time (a slow machine flushes a loop in pieces, anywhere in a line)
    does not reach the notebook or the page: the pieces are joined as printed (merged_streams), and MyST-NB's pages
    use the same merge. CI once split gradient_checking's loop in one edition and not the other; MyST-NB's own
    merge then gave a blank line (a split before a newline), and merged twice, a loop printed twice."""
    printed = "row 1\nrow 2\nrow 3\n"
    whole = {"cell_type": "code", "source": "for i in (1, 2, 3): print(f'row {i}')", "metadata": {}}
    whole["outputs"] = [
        {"output_type": "stream", "name": "stderr", "text": "a warning\n"},
        {"output_type": "stream", "name": "stdout", "text": printed},
    ]
    item = Code(cell_index=0)
    expected = code_cell(whole, item, 1).outputs
    assert [(o["name"], o["text"]) for o in expected] == [("stdout", printed), ("stderr", "a warning\n")]
    for cut in (3, 5, 6, 7, 12):  # inside a line, just before a newline, just after one
        pieces = [
            {"output_type": "stream", "name": "stdout", "text": [printed[:cut]]},
            {"output_type": "stream", "name": "stderr", "text": "a warning\n"},
            {"output_type": "stream", "name": "stdout", "text": printed[cut:]},
        ]
        executed = {**whole, "outputs": copy.deepcopy(pieces)}
        assert code_cell(executed, item, 1).outputs == expected, cut
        assert executed["outputs"] == pieces, "the executed notebook's outputs are left as they were"
    setup(MagicMock())  # as Sphinx loads the extension
    assert myst_nb.core.render.coalesce_streams is merged_streams, "the pages merge streams the same way"


@pytest.mark.parametrize("page", PAGES)
def test_the_student_notebooks_run_the_book_s_code_or_less(page):
    """A student notebook holds the book's code cells, with their outputs, less the solutions': where it holds all
    of them, the book's run (below) runs it too, and it is not run twice."""
    book, student = code_of(load("book", page)), code_of(load("student", page))
    differ = [source.splitlines()[0] for source, outputs in student if (source, outputs) not in book]
    assert not differ, f"student cells not in the book's notebook, or with other outputs: {differ}"
    assert (student == book) == (page != "chapters/exercises")


@pytest.mark.parametrize(("edition", "page"), [(e, p) for e, p in CASES if e == "book" or p == "chapters/exercises"])
def test_the_notebook_runs_alone_where_a_reader_opens_it(reader, edition, page, tmp_path, monkeypatch):
    stored = load(edition, page)
    name = f"{Path(page).name}.ipynb"
    folder = tmp_path / "alone"
    folder.mkdir()
    shutil.copy(notebook_path(edition, page), folder / name)
    nb = nbformat.read(folder / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    monkeypatch.setenv("JUPYTER_PATH", str(reader["jupyter"]))  # where nbclient finds the "reader" kernel
    client = NotebookClient(
        nb, kernel_name="reader", timeout=600, resources={"metadata": {"path": str(folder)}}, record_timing=False
    )
    start = time.perf_counter()
    client.execute(env=reader_env())
    with TIMES.open("a", encoding="utf-8") as out:
        out.write(f"{edition} {page}\t{time.perf_counter() - start:.1f} s\n")

    probe = json.loads(nb.cells[-1].outputs[0]["text"])
    assert probe["mlp"].startswith(str(reader["base"] / "venv")), probe  # not this checkout's mlp/
    assert probe["absent"] == ["myst_nb", "nbval", "jupyter_book"], probe
    assert sorted(os.listdir(folder)) == [name], "the notebook needs files beside it"
    assert nb.cells[0].outputs == []  # the install cell does nothing where mlp is installed
    ran = [c for c in nb.cells[:-1] if c.cell_type == "code"]
    book = [c for c in stored.cells if c.cell_type == "code"]
    assert len(ran) == len(book) > 1
    for i, (fresh, kept) in enumerate(zip(ran, book, strict=True)):
        assert comparable(fresh.outputs) == comparable(kept.outputs), f"{edition} {page}: code cell {i} differs"
