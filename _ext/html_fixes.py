"""Fixes for defects of the HTML toolchain (Sphinx 7.4, pydata-sphinx-theme) that show in a browser.

* Sphinx 7.4 links an inline script added after the builder starts (sphinx-thebe's
  ``const THEBE_JS_URL = ...``, sphinx-togglebutton's selector) twice: once as added (file name None), and
  again from the registry in ``prepare_writing`` (file name ''), which it does not recognise as the same.
  The second ``const`` declaration is a SyntaxError on every page. Drop the copy.
* docutils gives each bibliography entry the role ``doc-biblioentry``, deprecated in DPUB-ARIA 1.1 and not
  allowed on a div, inside a ``role="list"``: a list with no list items (axe-core: aria-required-children,
  critical). Give the entries the role ``listitem``.
* myst-nb names the summary of a hidden code cell "Toggle hidden content" (aria-label) while it shows
  "Show code cell source": a name that leaves out the visible text (axe-core: label-content-name-mismatch,
  serious, WCAG 2.5.3). Drop the aria-label: the summary is named by the text it shows.

It also links the book's own stylesheet and script (static/book.css, static/book.js: narrow screens, search
snippets) and its print stylesheet (static/print.css: the article alone) into every page, and serves
static/favicon.svg (``html: favicon:`` in _config.yml). And it gives each SVG figure the width below which its
smallest text would be smaller than the page's small print (``--book-min-width``, in rem): on a phone, book.css
shows such a figure at that width, in a box that scrolls.

A browser may break a line between an inline formula and the punctuation after it (KaTeX draws a formula as
inline blocks, and a line may start after one), so a line would start with ", " or ". ". Each inline formula
followed by punctuation is wrapped, with the punctuation, in ``<span class="book-nowrap">``, where book.css
allows no break (the formula itself still breaks where KaTeX allows).
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode
from sphinx.application import Sphinx


def _key(script: Any) -> tuple:
    attributes = getattr(script, "attributes", {})
    return (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        if _key(script) not in seen:
            seen.add(_key(script))
            unique.append(script)
    scripts[:] = unique


def visit_citation(self: Any, node: nodes.citation) -> None:
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: Any, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


def visit_hidden_cell(self: Any, node: HideCodeCellNode) -> None:
    """myst_nb.sphinx_.visit_HideCellInput (myst-nb 1.4), without the summary's aria-label."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n</summary>\n')


def depart_hidden_cell(self: Any, node: HideCodeCellNode) -> None:
    self.body.append("</details>\n")


STATIC = Path(__file__).with_name("static")
SMALL_PRINT_REM = 0.875  # the footer's font size in sphinx-book-theme: the page's small print


def svg_text_sizes(svg: str) -> list[float]:
    """The size, in the SVG's own units (points), of every piece of text matplotlib drew as paths.

    Matplotlib places each text at ``translate(x y) scale(s -s)`` on glyphs drawn at 100 units a point.
    """
    return [100 * float(s) for s in re.findall(r"translate\([^)]*\) scale\(([\d.]+) -\1\)", svg)]


def svg_width(svg: str) -> float:
    """The SVG's width in its own units (the first number of its viewBox)."""
    match = re.search(r'viewBox="[\d.\-]+ [\d.\-]+ ([\d.]+) [\d.]+"', svg)
    if match is None:
        raise ValueError("the SVG has no viewBox")
    return float(match[1])


def figure_min_width(path: Path) -> float | None:
    """The width (rem) at which the smallest text of the SVG figure at path is SMALL_PRINT_REM, or None."""
    svg = path.read_text(encoding="utf-8")
    sizes = svg_text_sizes(svg)
    return SMALL_PRINT_REM * svg_width(svg) / min(sizes) if sizes else None


def legible_figures(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    body = context.get("body")
    if not body or ".svg" not in body:
        return
    sources = {Path(name).name: Path(app.srcdir) / source for source, name in app.builder.images.items()}

    def add_width(match: re.Match) -> str:
        source = sources.get(match[2])
        width = figure_min_width(source) if source is not None and source.is_file() else None
        if width is None:
            return match[0]
        return f'{match[1]} style="--book-min-width: {width:.1f}rem"'

    context["body"] = re.sub(r'(<img\b[^>]*\bsrc="[^"]*_images/([^"/]+\.svg)")', add_width, body)


INLINE_MATH = '<span class="math notranslate nohighlight">'
SPAN_TAG = re.compile(r"<span\b|</span>")
# What may not start a line: closing brackets and punctuation, right after the formula.
TRAILING = re.compile(r"[)\]]*[,.;:!?]+|[)\]]+")


def punctuation_with_math(body: str) -> str:
    """body with each inline formula that punctuation follows wrapped, with the punctuation, in a nowrap span."""
    pieces, done = [], 0
    start = body.find(INLINE_MATH)
    while start != -1:
        depth, end = 0, -1
        for tag in SPAN_TAG.finditer(body, start):
            depth += 1 if tag[0] == "<span" else -1
            if depth == 0:
                end = tag.end()
                break
        if end == -1:
            break  # not well formed: leave the rest as it is
        trailing = TRAILING.match(body, end)
        if trailing:
            pieces += [body[done:start], '<span class="book-nowrap">', body[start : trailing.end()], "</span>"]
            done = end = trailing.end()
        start = body.find(INLINE_MATH, end)
    return "".join(pieces) + body[done:]


def keep_punctuation_with_math(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if context.get("body") and INLINE_MATH in context["body"]:
        context["body"] = punctuation_with_math(context["body"])


def add_static(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("book.css")
        app.add_css_file("print.css", media="print")  # the page printed from the browser: the article alone
        app.add_js_file("book.js")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", add_static)
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_hidden_cell))
    app.connect("html-page-context", drop_duplicate_scripts)
    app.connect("html-page-context", legible_figures)
    app.connect("html-page-context", keep_punctuation_with_math)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
