"""Checks on the PDF of the book, built through LaTeX by ``make pdf`` (``make test`` builds it first).

The PDF must carry what the HTML carries: the worked example's numbers, glued in from executed code; the
math, typeset by LaTeX (not left as TeX source); every figure; and cross references that resolve. And it must read
like a book: no blank pages, the intro as one chapter, a part per part of _toc.yml with its caption as the running
head, the solutions at the end, the references once, and the HTML's equation numbers.
BOOK_LATEX=path checks another build's LaTeX folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

import mlp

ROOT = Path(__file__).resolve().parents[1]
LATEX = Path(os.environ.get("BOOK_LATEX", ROOT / "_build" / "latex")).resolve()
PDF = LATEX / "book.pdf"
HTML = LATEX.parent / "html"


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed: apt-get install -y poppler-utils")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def pdf() -> Path:
    if not PDF.is_file():
        pytest.fail(f"no PDF at {PDF}: run `make pdf` (`make test` does)")
    return PDF


@pytest.fixture(scope="module")
def text(pdf) -> str:
    """The PDF's text, with typographic minus signs as ASCII and words not split at line ends."""
    return poppler("pdftotext", "-layout", str(pdf), "-").replace("\u2212", "-")


def test_pdf_shows_the_worked_example_losses(text):
    result = mlp.explain(mlp.problem2())
    losses = {section: mlp.fmt(result[section]["loss"]) for section in result if "loss" in result[section]}
    assert len(losses) == 3  # before the step, after updating both layers, after updating the second only
    shown = set(re.findall(r"-?\d+\.\d+|\d+", text))
    missing = {section: value for section, value in losses.items() if value not in shown}
    assert not missing, f"losses mlp computes that the PDF does not show: {missing}"


def test_math_is_typeset_by_latex(pdf, text):
    fonts = poppler("pdffonts", str(pdf))
    assert re.search(r"CMMI\d+", fonts), "no math italic font in the PDF: was any formula typeset?"
    assert re.search(r"CMSY\d+", fonts), "no math symbol font in the PDF"
    raw = re.findall(r"\\(?:frac|mathbf|begin|end|partial|sum|top)\b|\$\$", text)
    assert not raw, f"TeX source left in the PDF's text: {sorted(set(raw))}"


def test_every_figure_of_the_html_book_is_in_the_pdf(pdf):
    """Figures (glued ones included) in the pages' HTML: each is in the LaTeX, under the same label, with an
    image (the page shows a figure's SVG, the PDF its PNG: two files, so they are matched by label)."""
    if not HTML.is_dir():
        pytest.fail(f"no HTML build at {HTML} to compare with: run `make book`")
    html_figures, html_images = set(), 0
    for page in HTML.glob("chapters/**/*.html"):
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("article")
        if article is None:
            continue
        docname = page.relative_to(HTML).with_suffix("").as_posix()
        for img in article.find_all("img", src=True):
            html_images += 1
            figure = img.find_parent("figure")
            assert figure is not None and figure.get("id"), f"{docname}: an image outside a labelled figure"
            html_figures.add(f"{docname}:{figure['id']}")
    tex = (LATEX / "book.tex").read_text(encoding="utf-8")
    labels = set(re.findall(r"\\label\{\\detokenize\{([^}]+)\}\}", tex))
    assert html_figures, "no figure on the HTML pages"
    assert html_figures <= labels, f"figures on the HTML pages that the LaTeX leaves out: {html_figures - labels}"
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{([^}]+)\}", tex)
    assert len(included) >= html_images, f"{html_images} images on the HTML pages, {len(included)} in the LaTeX"
    images = [line for line in poppler("pdfimages", "-list", str(pdf)).splitlines()[2:] if " image " in line]
    raster = [name for name in included if (LATEX / f"{name}.png").exists() or (LATEX / f"{name}.jpg").exists()]
    assert len(images) >= len(raster), f"{len(raster)} raster figures included, {len(images)} embedded"


def test_no_undefined_reference_or_citation(pdf):
    log = (LATEX / "book.log").read_text(encoding="utf-8", errors="replace")
    undefined = re.findall(r"LaTeX Warning: (?:Reference|Citation|Hyper reference) .*? undefined", log)
    assert not undefined, f"undefined in the PDF: {undefined[:10]}"


# The book's structure (see _ext/latex_book.py and latex_elements in _config.yml).


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    return poppler("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def tex() -> str:
    return (LATEX / "book.tex").read_text(encoding="utf-8")


def toc_parts() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [part["caption"] for part in toc["parts"]]


def test_no_blank_page(pages):
    """One-sided, chapters open on the next page: no page is left empty for a right-hand start. A page counts as
    blank when nothing but its running head and foot (the page number, the chapter or section) is on it."""
    assert len(pages) > 40
    heads = {"Backpropagation, worked and checked", *toc_parts()}
    blank = []
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if lines and lines[0] in heads:
            lines = lines[1:]
        if lines and re.fullmatch(r"(.*\S\s{2,})?\d+|\d+\s{2,}.*", lines[-1]):
            lines = lines[:-1]  # the foot: section and page number
        if not lines:
            blank.append(number)
    assert blank == [], f"blank pages: {blank} of {len(pages)}"


def test_the_intro_is_one_chapter_and_each_part_starts_with_its_caption(tex):
    chapters = re.findall(r"^\\chapter\{(.*)\}", tex, re.M)
    assert chapters[0] == "Introduction", chapters
    assert "The network" not in chapters and "The pages" not in chapters
    assert re.search(r"^\\section\{The network\}", tex, re.M)
    parts = re.findall(r"^\\part\{(.*?)\}", tex, re.M)
    assert parts == toc_parts()
    assert tex.index("\\chapter{Introduction}") < tex.index("\\part{")


def test_running_heads_match_the_part(pages):
    """Each page's head names the part it is in; the intro's pages (before the first part) the book's title."""
    parts = toc_parts()
    current = "Backpropagation, worked and checked"
    wrong = []
    checked = 0
    seen = []
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) >= 2 and re.fullmatch(r"Part [IVX]+", lines[0]) and lines[1] in parts:
            current = lines[1]  # a part's title page
            seen.append(current)
            continue
        if lines[0] in parts or lines[0] == "Backpropagation, worked and checked":
            checked += 1
            if lines[0] != current:
                wrong.append((number, lines[0], current))
    assert seen == parts, f"part title pages {seen}, _toc.yml's parts {parts}"
    assert checked > len(pages) // 2, "most pages should carry a running head"
    assert wrong == [], f"pages whose head is not their part's (page, head, part): {wrong[:10]}"


def test_references_once(text, tex):
    assert "Bibliography" not in text
    assert re.findall(r"^\\chapter\{References\}", tex, re.M) == []  # the page that held the list is dropped
    assert tex.count("\\begin{sphinxthebibliography}") == 1
    assert "\\renewcommand{\\bibname}{References}" in tex
    entries = re.findall(r"^\\bibitem", tex, re.M)
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    assert 0 < len(entries) <= bib.count("@"), "every cited work once"


def test_solutions_are_collected_at_the_end(pages, tex):
    exercise_pages = [n for n, page in enumerate(pages) if re.search(r"^\s*Exercise \d+", page, re.M)]
    solution_pages = [n for n, page in enumerate(pages) if "Solution to Exercise" in page]
    assert exercise_pages and solution_pages
    assert min(solution_pages) > max(exercise_pages), "a solution is printed before the last exercise"
    assert tex.index("\\chapter{Solutions}") > tex.rindex("\\part{")
    # sphinx-exercise labels each solution with \phantomsection \label{...}; each exercise points to its page
    solution = r"\\phantomsection \\label\{([^}]+)\}\s*\\begin\{sphinxadmonition\}\{note\}\{Solution to"
    solutions = re.findall(solution, tex)
    pointers = re.findall(r"Solution on page~\\pageref\{([^}]+)\}", tex)
    assert len(solutions) == tex.count("{Solution to") > 0
    assert sorted(pointers) == sorted(solutions), "each exercise points to its solution's page"


def test_equations_have_the_numbers_the_html_gives_them():
    """One numbering scheme: equation (n) of the HTML is (n) in the PDF, not (chapter.n)."""
    if not HTML.is_dir():
        pytest.fail(f"no HTML build at {HTML} to compare with: run `make book`")
    html = {}
    for page in HTML.glob("chapters/**/*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for block in soup.select("div.math[id^=equation-]"):
            docname = page.relative_to(HTML).with_suffix("").as_posix()
            html[f"{docname}:{block['id'].removeprefix('equation-')}"] = block.find(class_="eqno").get_text()
    aux = (LATEX / "book.aux").read_text(encoding="utf-8")
    # HTML ids are the labels in lower case
    labels = re.findall(r"\\newlabel\{equation:([^}]+)\}\{\{([^}]*)\}", aux)
    pdf = {label.lower(): f"({number})" for label, number in labels}
    assert len(html) > 20
    assert set(html) <= set(pdf), f"labelled equations the PDF lacks: {sorted(set(html) - set(pdf))[:5]}"
    different = {label: (html[label], pdf[label]) for label in html if html[label].rstrip("#") != pdf[label]}
    assert different == {}, f"equation numbers (HTML, PDF) that differ: {dict(list(different.items())[:5])}"


def test_no_html_only_text_in_the_pdf(text):
    assert "top right" not in text, "the PDF refers to the HTML page's buttons"


PLUMBING = (
    "set_matplotlib_formats",
    "from myst_nb import glue",
    "stable_figure_formats",
    "from mlp_book.glue import",
    "glue(",
    "display=False",
    "Markdown(",  # a cell that builds a table as Markdown: the PDF prints the table (_ext/latex_print.py)
)


def test_no_page_with_plumbing_code(pages):
    """Set-up and glue cells are tagged remove-cell or remove-input, and code the web page folds (hide-input) is
    left out: the PDF prints teaching code only."""
    shown = [(number, s) for number, page in enumerate(pages, start=1) for s in PLUMBING if s in page]
    assert shown == [], f"(page, plumbing) printed in the PDF: {shown}"


def test_the_indicator_is_a_blackboard_one(text):
    """amssymb's \\mathbb has no digits: its \\mathbb{1} prints U+22AE (the issue saw U+2AEE); the preamble takes
    Palatino's blackboard 1 instead."""
    wrong = {char: text.count(char) for char in "\u22ae\u2aee" if char in text}
    assert wrong == {}, f"\\mathbb{{1}} printed as {wrong}"
    assert "indicator 1[" in " ".join(text.split()), "the indicator 1[k = i] of the prerequisites"


def site() -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["html"]["baseurl"].rstrip("/") + "/"


def test_the_html_edition_s_address_is_on_the_title_page_and_the_interactive_page(pages):
    """The PDF sends the reader to the HTML edition: its address, on the title page and on "Check your numbers"."""
    address = site()
    assert address in " ".join(pages[0].split()), f"the title page does not print {address}"
    (interactive,) = [page for page in pages if "This page is interactive" in page]
    # a long address breaks at a slash, at the end of a line
    assert f"{address}chapters/your_numbers.html" in "".join(interactive.split())


def bookmarks() -> list[str]:
    """The PDF's bookmarks, as hyperref writes them to book.out (PDF strings: octal-escaped UTF-16)."""
    out = (LATEX / "book.out").read_text(encoding="latin-1")
    titles = []
    for escaped in re.findall(r"^\\BOOKMARK \[-?\d\]\[-\]\{[^}]*\}\{(.*)\}\{[^}]*\}% \d+$", out, re.M):
        raw = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), escaped)
        raw = re.sub(r"\\(.)", r"\1", raw).encode("latin-1")
        titles.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1"))
    return titles


def test_bookmarks_keep_the_math_of_titles(pdf):
    """hyperref drops math from a PDF string ("The loss: change" for "The loss: change $\\delta_2$"): the
    titles' formulas are given to it in Unicode (_ext/latex_print.py)."""
    log = (LATEX / "book.log").read_text(encoding="utf-8", errors="replace")
    assert "Token not allowed in a PDF string" not in log
    titles = bookmarks()
    assert len(titles) > 50
    for title in ("The loss: change δ₂", "The output bias W²₀", "What an error δ is, and how it flows"):
        assert title in titles, f"no bookmark {title!r}"
    assert [t for t in titles if "  " in t or t.endswith(("change", " to"))] == []


def test_figures_are_vector_drawings(tex):
    """Every figure the pages draw with matplotlib is a PDF in the LaTeX (mlp_book/formats.py), not a PNG
    printed at 100 to 250 dpi."""
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{([^}]+)\}(\.\w+)\}", tex)
    assert included, "no figure in the LaTeX"
    raster = [name + ext for name, ext in included if ext != ".pdf"]
    assert raster == [], f"figures included as raster images: {raster}"


def test_no_runt_page_ends_a_chapter(pdf, pages):
    """A chapter does not end on a page of one or two lines (a figure page is not a runt)."""
    with_images = {int(line.split()[0]) for line in poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]}
    starts = [
        n for n, page in enumerate(pages, start=1) if re.search(r"^\s*CHAPTER\s*$|^\s*Part [IVX]+\s*$", page, re.M)
    ]
    heads = {"Backpropagation, worked and checked", *toc_parts()}
    runts = []
    for number in (start - 1 for start in starts if start > 1 and start - 1 not in starts):
        lines = [line.strip() for line in pages[number - 1].splitlines() if line.strip()]
        lines = lines[1:] if lines and lines[0] in heads else lines
        lines = lines[:-1] if lines and re.fullmatch(r"(.*\S\s{2,})?\d+|\d+\s{2,}.*", lines[-1]) else lines
        if 0 < len(lines) <= 2 and number not in with_images:
            runts.append((number, lines))
    assert runts == [], f"chapters that end on a page of one or two lines: {runts}"


def test_code_in_tables_stays_in_its_column():
    """No line of code (the typewriter font) is wider than its table column or the text: LaTeX's log names each
    Overfull box with the fonts in it."""
    log = (LATEX / "book.log").read_text(encoding="utf-8", errors="replace")
    overfull = re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\).*\n(.*)", log, re.M)
    code = [(width, line) for width, line in overfull if "/txtt/" in line]
    assert code == [], f"code wider than its column (pt, box): {code}"
