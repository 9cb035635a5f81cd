"""The student edition (``make book-student``): every exercise, and no solution, in the HTML and in the PDF.

Each check is made on the full book too, where the opposite must hold, so that a test that cannot see a solution
is not mistaken for a student edition without one. ``make test`` builds both editions first.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import snowballstemmer
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "chapters" / "exercises.md"
FULL = ROOT / "_build"
STUDENT = ROOT / "_build" / "student" / "_build"
STUDENT_NOTE = "This is the student edition of the book"


def need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"no {path.relative_to(ROOT)}: run `make book pdf book-student` (`make test` does)")
    return path


def words(text: str) -> str:
    return " ".join(re.findall(r"[A-Za-z]+", text))


def solution_phrases() -> list[str]:
    """From each solution in exercises.md, 8 words of its longest run of plain words (no math, code or roles)."""
    source = SOURCE.read_text(encoding="utf-8")
    blocks = re.findall(r"^```\{solution-start\}.*?^```\{solution-end\}", source, re.S | re.M)
    phrases = []
    for block in blocks:
        prose = re.sub(r"^```\{code-cell\}.*?^```", "", block, flags=re.S | re.M)
        runs = re.split(r"\$[^$]*\$|`[^`]*`|\{[^}]*\}|[^\sA-Za-z,.;:'()-]", prose)
        best = max((words(r) for r in runs), key=lambda w: len(w.split()))
        phrases.append(" ".join(best.split()[:8]))
    return phrases


def html_text(root: Path) -> str:
    soup = BeautifulSoup(need(root / "html" / "chapters" / "exercises.html").read_text(encoding="utf-8"), "html.parser")
    return soup.find("main").get_text(" ", strip=True)


def html_counts(root: Path) -> tuple[int, int]:
    soup = BeautifulSoup(need(root / "html" / "chapters" / "exercises.html").read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main")
    exercises = main.select("div.exercise")
    solutions = main.select("div.solution")
    return len(exercises), len(solutions)


def pdf_text(root: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed: apt-get install -y poppler-utils")
    pdf = need(root / "latex" / "book.pdf")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_words(text: str) -> str:
    """The PDF's text as words, twice: with a word hyphenated at a line end joined, and split (LaTeX hyphenates)."""
    return words(re.sub(r"-\n", "", text)) + " | " + words(text)


def test_every_solution_yields_a_phrase_to_look_for():
    phrases = solution_phrases()
    n_exercises = len(re.findall(r"^```\{exercise(?:-start)?\}", SOURCE.read_text(encoding="utf-8"), re.M))
    assert len(phrases) == n_exercises >= 5  # one solution per exercise
    assert all(len(p.split()) >= 5 for p in phrases), phrases


def test_the_student_html_has_every_exercise_and_no_solution():
    full_exercises, full_solutions = html_counts(FULL)
    exercises, solutions = html_counts(STUDENT)
    assert full_exercises == full_solutions == len(solution_phrases())  # the full book: each with its solution
    assert exercises == full_exercises
    assert solutions == 0


def test_no_solution_text_in_the_student_html():
    full, student = words(html_text(FULL)), words(html_text(STUDENT))
    for phrase in solution_phrases():
        assert phrase in full, f"the full book lacks a solution's text: {phrase!r}"
        assert phrase not in student, f"solution text in the student edition: {phrase!r}"
    assert STUDENT_NOTE in html_text(STUDENT) and STUDENT_NOTE not in html_text(FULL)


def test_no_solution_text_in_the_student_pdf():
    full_text, student_text = pdf_text(FULL), pdf_text(STUDENT)
    full, student = pdf_words(full_text), pdf_words(student_text)
    assert "Solution to Exercise" in full and "Solution to Exercise" not in student
    for phrase in solution_phrases():
        assert phrase in full, f"the full PDF lacks a solution's text: {phrase!r}"
        assert phrase not in student, f"solution text in the student PDF: {phrase!r}"
    titles = sorted(set(re.findall(r"^Exercise (\d+)", student_text, re.M)), key=int)
    assert titles == [str(n) for n in range(1, len(solution_phrases()) + 1)]  # every exercise is there


def published_words(path: Path, data: bytes | None = None) -> str:
    """The words of one published file as a reader meets them: a page's text (its tags dropped), a notebook's cells,
    each file of a zip, any other text. (A PDF's text is read by the test above.)"""
    data = path.read_bytes() if data is None else data
    if path.suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(published_words(Path(name), archive.read(name)) for name in archive.namelist())
    raw = data.decode("utf-8", errors="ignore")
    if path.suffix == ".html":
        raw = html.unescape(re.sub(r"<[^>]*>", " ", raw))
    elif path.suffix == ".ipynb":
        nb = json.loads(raw)
        cells = ["".join(c["source"]) for c in nb["cells"]]
        outputs = [json.dumps(o) for c in nb["cells"] for o in c.get("outputs", [])]
        raw = "\n".join(cells + outputs)
    return words(raw)


def site_files(root: Path) -> list[Path]:
    """The files an edition publishes that hold text (the full site's copy of the student edition, in student/, is
    the student edition's own files)."""
    html_dir = root / "html"
    return sorted(
        p
        for p in html_dir.rglob("*")
        if p.is_file()
        and p.suffix not in {".png", ".woff2", ".ico", ".pdf"}
        and (root == STUDENT or p.relative_to(html_dir).parts[0] != "student")
    )


def test_no_file_the_student_edition_publishes_holds_a_solution():
    """Every file of the student site (pages, reader notebooks, scripts, sources if there were any), not only the page.
    (The search index holds single words, not phrases: the next test reads it.)

    The same scan over the full book finds every solution, in its page and in its reader notebook: the scan sees them.
    """
    phrases = solution_phrases()
    full = {path: published_words(path) for path in site_files(FULL)}
    for phrase in phrases:
        holders = {path.relative_to(FULL / "html").as_posix() for path, text in full.items() if phrase in text}
        assert {"chapters/exercises.html", "notebooks/chapters/exercises.ipynb"} <= holders, (phrase, holders)
    leaks = {
        path.relative_to(STUDENT / "html").as_posix(): [p for p in phrases if p in published_words(path)]
        for path in site_files(STUDENT)
    }
    leaks = {path: found for path, found in leaks.items() if found}
    assert not leaks, f"the student edition publishes solutions: {leaks}"
    assert not (STUDENT / "html" / "_sources").exists()


def search_terms(root: Path) -> dict[str, set[str]]:
    """Sphinx's search index: each (stemmed) word, and the pages it is found on."""
    text = need(root / "html" / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    docnames = index["docnames"]
    return {
        term: {docnames[d] for d in (docs if isinstance(docs, list) else [docs])}
        for term, docs in index["terms"].items()
    }


def page_stems(root: Path, page: str) -> set[str]:
    """Every word of a built page's text (code and formulas' TeX included), as is and as Sphinx stems it. The
    book's search language (_ext/math_search.py) also indexes a formula's symbols by name and glyph (\\delta as
    "delta" and "δ"): those are words of the page too."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from math_search import MathSearchEnglish

    stem = snowballstemmer.stemmer("porter").stemWord  # Sphinx's English search index stems so
    html = need(root / "html" / f"{page}.html").read_text(encoding="utf-8")
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    words = {w.lower() for w in re.findall(r"\w+", text) + MathSearchEnglish({}).split(text)}
    return words | {stem(w) for w in words}


def test_the_student_search_index_finds_only_what_the_student_page_says():
    """The search index is stemmed single words, not text: each word it lists for the student edition's exercises
    page must be a word of that page. In the full book, the words of the solutions are listed there too: the check
    sees them."""
    page = "chapters/exercises"
    full, student = search_terms(FULL), search_terms(STUDENT)
    on_page = page_stems(STUDENT, page)
    solutions_only = sorted(w for w, pages in full.items() if page in pages and w.lower() not in on_page)
    assert len(solutions_only) >= 20, solutions_only
    leaked = sorted(w for w, pages in student.items() if page in pages and w.lower() not in on_page)
    assert not leaked, f"the student edition's search finds words that its {page} does not show: {leaked[:20]}"


def test_each_pdf_prints_the_address_of_its_own_html_edition():
    """The title page and "Check your numbers" send a reader of the student PDF to the student edition's site
    (the book's site, folder student/), and a reader of the book's PDF to the book's (_ext/latex_print.py)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    book = config["html"]["baseurl"].rstrip("/") + "/"
    for root, site in ((FULL, book), (STUDENT, book + "student/")):
        text = "".join(pdf_text(root).split())  # a long address breaks at a line's end
        assert f"HTMLedition,withtheinteractivepages:{site}" in text
        assert f"{site}chapters/your_numbers.html" in text
    assert book + "student/" not in "".join(pdf_text(FULL).split())
