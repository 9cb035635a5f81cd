"""Checks on the PDF of the book, built through LaTeX by ``make pdf`` (``make test`` builds it first).

The PDF must carry what the HTML carries: the worked example's numbers, glued in from executed code; the
math, typeset by LaTeX (not left as TeX source); every figure; and cross references that resolve.
BOOK_LATEX=path checks another build's LaTeX folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
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
    """Figures (glued ones included) in the pages' HTML: each is included by the LaTeX and embedded."""
    if not HTML.is_dir():
        pytest.fail(f"no HTML build at {HTML} to compare with: run `make book`")
    html_figures = set()
    for page in HTML.glob("chapters/**/*.html"):
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("article")
        if article is not None:
            html_figures |= {Path(img["src"]).stem for img in article.find_all("img", src=True)}
    tex = (LATEX / "book.tex").read_text(encoding="utf-8")
    included = set(re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{([^}]+)\}", tex))
    assert included >= html_figures, f"figures on the HTML pages that the LaTeX leaves out: {html_figures - included}"
    images = [line for line in poppler("pdfimages", "-list", str(pdf)).splitlines()[2:] if " image " in line]
    raster = [name for name in included if (LATEX / f"{name}.png").exists() or (LATEX / f"{name}.jpg").exists()]
    assert len(images) >= len(raster), f"{len(raster)} raster figures included, {len(images)} embedded"


def test_no_undefined_reference_or_citation(pdf):
    log = (LATEX / "book.log").read_text(encoding="utf-8", errors="replace")
    undefined = re.findall(r"LaTeX Warning: (?:Reference|Citation|Hyper reference) .*? undefined", log)
    assert not undefined, f"undefined in the PDF: {undefined[:10]}"
