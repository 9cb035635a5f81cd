"""The student edition: every exercise, no solution (``make book-student``, or BOOK_EDITION=student).

sphinx-exercise has a switch for this, ``hide_solutions``, but with the gated form that chapters/exercises.md
uses (``solution-start`` ... ``solution-end``, needed for code cells inside a solution) it crashes the build
(executablebooks/sphinx-exercise#89: the start directive returns nothing, and the end node is left unmatched).
So this extension lets sphinx-exercise build every solution as usual, and then removes each finished solution
node, with everything inside it (its text, code cells and outputs), before anything is written. The solutions'
code still runs during the build, so the student edition is checked exactly like the full one.
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

VARIABLE = "BOOK_EDITION"  # "student": no solutions; anything else (or unset): the full book
FOLDER = "student"  # where the student edition lies in the published site (also in the Makefile and workflows)


class RemoveSolutions(SphinxTransform):
    """After sphinx-exercise has merged each gated solution into one node (priority 10), drop those nodes."""

    default_priority = 50

    def apply(self, **kwargs: Any) -> None:
        if not self.config.student_edition:
            return
        from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node

        for kind in (solution_node, solution_start_node, solution_end_node):
            for node in list(self.document.findall(kind)):
                node.parent.remove(node)


def add_tag(app: Sphinx, config) -> None:
    """The Sphinx tag ``student``, so a page can say what differs: ```{only} student``` / ```{only} not student```.

    The student edition is published in the folder ``student/`` of the book's site, so its address is there too.
    """
    if config.student_edition:
        app.tags.add("student")
        if config.html_baseurl:
            config.html_baseurl = f"{config.html_baseurl.rstrip('/')}/{FOLDER}/"


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("student_edition", os.environ.get(VARIABLE) == "student", "env")
    app.connect("config-inited", add_tag)
    app.add_transform(RemoveSolutions)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
