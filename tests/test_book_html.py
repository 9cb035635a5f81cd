"""Checks on the built book: run after `make book` (``make test`` does both, in that order).

The strict build already fails on warnings; these tests read the HTML it wrote and check
what a reader sees: every page exists, no glue key is left unresolved, and the worked
example shows the numbers that `mlp` computes.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from book_pages import toc_pages
from bs4 import BeautifulSoup

import mlp

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def built():
    if not (HTML / "index.html").exists():
        pytest.fail("no built book in _build/html: run `make book` first (`make test` does)")
    return HTML


def page_text(built, name):
    soup = BeautifulSoup((built / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    for tag in main.find_all(["script", "style"]):
        tag.decompose()
    return main.get_text(" ", strip=True)


def test_every_page_in_the_toc_was_built(built):
    files = toc_pages()
    assert len(files) >= 5
    missing = [f for f in files if not (built / f"{f}.html").exists()]
    assert not missing, f"pages in _toc.yml with no HTML: {missing}"


@pytest.mark.parametrize("page", toc_pages())
def test_no_glue_key_left_unresolved(built, page):
    text = page_text(built, page)
    assert "{glue" not in text and "glue:text" not in text and "glue:math" not in text


@pytest.mark.parametrize(
    ("page", "spec"), [("chapters/problem2", mlp.problem2), ("chapters/relu_cross_entropy", mlp.relu_example)]
)
def test_worked_example_shows_the_numbers_mlp_computes(built, page, spec):
    text = page_text(built, page)
    shown = set(re.findall(r"-?\d+(?:\.\d+)?", text.replace("\u2212", "-")))
    result = mlp.explain(spec())
    expected = {}
    for section in ("forward", "backward", "updated", "after_both_layers", "after_second_layer_only"):
        for name, value in result[section].items():
            for idx, v in np.ndenumerate(np.asarray(value)):
                expected[f"{section}.{name}{list(idx)}"] = mlp.fmt(v)
    missing = {k: v for k, v in expected.items() if v not in shown}
    assert not missing, f"values mlp computes that {page} does not show: {missing}"
    assert not re.search(r"(?<![\w.])-0(?:\.0+)?(?![\d.])", text), "the page shows a -0"


CODE_COLUMN = 88  # characters of code the book's column shows at its widest without scrolling


@pytest.mark.parametrize("page", toc_pages())
def test_code_on_the_page_fits_the_column(built, page):
    """Every line of code a reader sees (code cells, hidden ones included, and literal blocks) is at most 88
    characters long, so no code block scrolls sideways in the book's column."""
    soup = BeautifulSoup((built / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    assert article is not None
    long = [
        line
        for pre in article.find_all("pre")
        if not pre.find_parent(class_="cell_output")
        for line in pre.get_text().split("\n")
        if len(line) > CODE_COLUMN
    ]
    assert long == [], f"{page}: {len(long)} code lines longer than {CODE_COLUMN} characters, e.g. {long[:3]}"


def test_the_homework_path_stays_a_quarter_shorter(built):
    """Issue 20 cut the words a student reads on the homework path by a quarter: 4056 in the main column and 4165
    without the dropdowns before it (tools/path_words.py, on the build of 9292fcf). A page that grows back fails."""
    from path_words import path_words, words

    total = path_words(built)["total"]
    assert total["main column"] <= 0.75 * 4056, total
    assert total["without dropdowns"] <= 0.75 * 4165, total
    # The counts leave out what they say they do, and count words, not numbers or math
    page = (
        '<article><p>Two words 0.5</p><div class="dropdown admonition"><p>folded away</p></div>'
        '<aside class="margin sidebar"><p>a margin note</p></aside><span class="math">x y z</span></article>'
    )
    assert [words(page, leave_out) for leave_out in ([], ["div.dropdown.admonition"])] == [7, 5]
    assert words(page, ["div.dropdown.admonition", "aside.margin"]) == 2
