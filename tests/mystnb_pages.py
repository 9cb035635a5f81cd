"""Run the code cells of a MyST text notebook (a chapters/*.md page) inside a test.

The page's own cells run in one namespace, in order, with ``myst_nb.glue`` replaced by a
recorder, so a test can check every value the page glues into its text against an
independent computation, and run every solution's code.
"""

import re
from pathlib import Path

import myst_nb
import pytest

CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)


def page_code(path: Path) -> list[str]:
    """The source of every code cell of a MyST text notebook, without its option lines."""
    cells = []
    for match in CELL.finditer(path.read_text(encoding="utf-8")):
        lines = match.group(1).split("\n")
        if lines[0].strip() == "---":  # a YAML block of options
            lines = lines[lines.index("---", 1) + 1 :]
        while lines and re.match(r"^:[\w-]+:", lines[0]):  # :tags: [...] style options
            lines = lines[1:]
        cells.append("\n".join(lines))
    return cells


def run_page(path: Path, min_cells: int = 10) -> tuple[dict, dict]:
    """Run the page's cells in one namespace; return (namespace, glued values)."""
    glued = {}
    mp = pytest.MonkeyPatch()
    mp.setattr(myst_nb, "glue", lambda name, value, display=True: glued.__setitem__(name, value))
    mp.setenv("MLP_BOOK_BUILD", "1")  # mlp_book.glue glues through myst_nb, as in the book build
    namespace: dict = {}
    try:
        cells = page_code(path)
        assert len(cells) > min_cells, f"{path.name}: expected more than {min_cells} code cells, found {len(cells)}"
        for i, source in enumerate(cells):
            exec(compile(source, f"{path.name}, code cell {i}", "exec"), namespace)
    finally:
        mp.undo()
    return namespace, glued
