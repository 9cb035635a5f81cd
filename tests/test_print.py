"""The summary card, "the homework on one printable page", prints on one page: from the browser and in the PDF.

From the browser: Debian's Chromium (Playwright, as in tests/test_browser.py) opens the card from a server on
127.0.0.1 that serves _build/html and prints it (page.pdf(), the print media type, the browser's own margins) on
US Letter and on A4; each print is one page (pdfinfo), and holds the card's last words. The print stylesheet is
_ext/static/print.css. In the PDF (``make pdf``), the card chapter starts and ends on one page
(its layout: _ext/latex_print.py). Run after ``make book pdf`` (``make test`` does). BOOK_HTML=path and
BOOK_LATEX=path check other builds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_browser import HTML, browser, server  # noqa: F401  (the fixtures that serve the book and open it)

ROOT = Path(__file__).resolve().parents[1]
LATEX = Path(os.environ.get("BOOK_LATEX", ROOT / "_build" / "latex")).resolve()
PRINTS = HTML.parent / "screenshots" / "print"  # the prints, for people to look at
CARD = "chapters/card.html"
CARD_START = "The homework on one printable page: with this card"
CARD_END = "step by step"  # from the card's last paragraph: a print that stops short lacks it


def run(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is not installed: apt-get install -y poppler-utils")
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def card_url(server):  # noqa: F811  (test_browser's server of the built book)
    if not (HTML / CARD).exists():
        pytest.fail(f"no built card in {HTML}: run `make book` first (`make test` does)")
    return f"{server}/{CARD}"


@pytest.fixture(scope="module")
def page(browser):  # noqa: F811  (test_browser's Chromium, at 1366 x 900)
    tab = browser.new_page()
    try:
        yield tab
    finally:
        tab.close()


def print_pages(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.M)[1])


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_the_card_prints_on_one_page_from_the_browser(page, card_url, paper):
    page.goto(card_url, wait_until="load")
    page.evaluate("document.fonts.ready")
    PRINTS.mkdir(parents=True, exist_ok=True)
    pdf = PRINTS / f"card-{paper}.pdf"
    page.pdf(path=str(pdf), format=paper, print_background=True)
    text = " ".join(run("pdftotext", str(pdf), "-").split())
    assert "Summary card" in text and CARD_END in text, f"the {paper} print lacks the card's start or end"
    assert print_pages(pdf) == 1, f"the card prints on {print_pages(pdf)} {paper} pages"


def test_the_card_is_one_page_of_the_pdf():
    pdf = LATEX / "book.pdf"
    if not pdf.is_file():
        pytest.fail(f"no PDF at {pdf}: run `make pdf` (`make test` does)")
    pages = run("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]
    flat = [" ".join(p.split()) for p in pages]
    start = next(n for n, p in enumerate(flat) if CARD_START in p)
    after = next(n for n in range(start + 1, len(pages)) if re.search(r"^\s*CHAPTER\b", pages[n], re.M))
    ends = [n for n in range(start, after) if CARD_END in flat[n]]
    assert ends, "the card's last paragraph is not in the PDF"
    assert after - start == 1 and ends == [start], f"the card spans PDF pages {start + 1} to {after}"
