"""The PDF's structure: a book in parts, as _toc.yml has it, with the intro as one chapter and the solutions at the end.

Sphinx's LaTeX builder makes every section of the root page a chapter (the intro became three near-empty ones),
drops the captions of the parts, prints the sphinx-exercise solutions right after their exercises, and prints the
bibliography as a chapter of its own after the page that holds it. On the LaTeX builder's one assembled document
(the HTML is left as it is), this extension

* gathers the root page's own text under one chapter, "Introduction";
* starts each part of _toc.yml (each captioned toctree of the root page) with ``\\part``, and sets the running head
  of its pages to the part's caption (``\\bookpart``, used by the page style in _config.yml's LaTeX preamble);
* moves every solution into a chapter "Solutions" at the start of the last part, and leaves under each exercise a
  line with the page of its solution;
* drops the page that only holds the bibliography (``{bibliography}``), whose citations Sphinx has moved to the
  end of the book, where they are printed under the title "References" (``\\bibname``, in the preamble).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

INTRODUCTION = "Introduction"
SOLUTIONS = "Solutions"


def latex(code: str) -> nodes.raw:
    return nodes.raw("", code + "\n", format="latex")


def tex_escape(text: str) -> str:
    for char, escaped in (("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"), ("&", r"\&"), ("%", r"\%")):
        text = text.replace(char, escaped)
    for char in "$#_":
        text = text.replace(char, "\\" + char)
    return text


def part_start(caption: str) -> nodes.raw:
    caption = tex_escape(caption)
    return latex(f"\\part{{{caption}}}\\gdef\\bookpart{{{caption}}}")


class MarkBibliographyPages(SphinxPostTransform):
    """Before Sphinx's BibliographyTransform (750) moves every citation to the end, note the pages holding them."""

    default_priority = 740
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for page in self.document.findall(addnodes.start_of_file):
            if any(True for _ in page.findall(nodes.citation)):
                page["book_bibliography_page"] = True


class BookStructure(SphinxPostTransform):
    default_priority = 800  # after Sphinx's BibliographyTransform (750)
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        root = next(iter(self.document.findall(nodes.section)), None)
        if root is None or self.document.get("docname") != self.config.root_doc:
            return
        wrappers = [
            child
            for child in root.children
            if isinstance(child, nodes.compound) and any(True for _ in child.findall(addnodes.start_of_file))
        ]
        if not wrappers:
            return  # a single page: nothing to arrange
        self.introduction(root, wrappers)
        self.parts(wrappers)
        self.solutions(wrappers)
        for page in list(self.document.findall(addnodes.start_of_file)):
            if page.get("book_bibliography_page"):
                page.parent.remove(page)

    def introduction(self, root: nodes.section, wrappers: list[nodes.Element]) -> None:
        """The root page's text, up to its first toctree, becomes one chapter (its sections are sections)."""
        first = root.index(wrappers[0])
        body = [child for child in root.children[:first] if not isinstance(child, nodes.title)]
        if not body:
            return
        chapter = nodes.section("", nodes.title(INTRODUCTION, INTRODUCTION), ids=["book-introduction"])
        for child in body:
            root.remove(child)
            chapter += child
        root.insert(1, chapter)  # after the root's title, which LaTeX takes as the book's title

    def parts(self, wrappers: list[nodes.Element]) -> None:
        toctrees = list(self.env.get_doctree(self.config.root_doc).findall(addnodes.toctree))
        captions = [toctree.get("caption") for toctree in toctrees]
        if len(captions) != len(wrappers) or not all(captions):
            return  # not a book in parts
        for wrapper, caption in zip(wrappers, captions, strict=True):
            wrapper.insert(0, part_start(caption))

    def solutions(self, wrappers: list[nodes.Element]) -> None:
        found = list(self.document.findall(solution_node))
        if not found:
            return
        exercises = {
            node.get("label"): node
            for node in self.document.findall(lambda n: isinstance(n, exercise_node | exercise_enumerable_node))
        }
        registry = self.env.sphinx_exercise_registry
        chapter = nodes.section("", nodes.title(SOLUTIONS, SOLUTIONS), ids=["book-solutions"])
        docname = None
        for solution in found:
            target = solution.get("target_label")
            docname = registry.get(target, {}).get("docname", docname)
            exercise = exercises.get(target)
            if exercise is not None:
                # visit_solution_node (sphinx-exercise) labels the solution "{docname}:{label}"
                label = f"{registry[solution['label']]['docname']}:{solution['label']}"
                exercise.parent.insert(
                    exercise.parent.index(exercise) + 1,
                    latex(f"\\par\\sphinxAtStartPar\\emph{{Solution on page~\\pageref{{{label}}}.}}\\par"),
                )
            solution.parent.remove(solution)
            chapter += solution
        # The solutions' links and labels are the exercise page's: the writer names them after the file it is in.
        page = addnodes.start_of_file(docname=docname or self.config.root_doc)
        page += chapter
        last = wrappers[-1]
        last.insert(1 if isinstance(last[0], nodes.raw) else 0, page)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(MarkBibliographyPages)
    app.add_post_transform(BookStructure)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
