"""The converter from a page's doctree to a reader notebook's Markdown (_ext/reader_markdown.py), node by node.

tests/test_reader_notebooks.py checks the notebooks of the real pages; these tests check the rules on small
doctrees built here, and read the Markdown back with markdown-it-py (CommonMark, with GitHub's tables and
strikethrough, and $ math as Jupyter reads it), the parser MyST itself uses: what a reader's Jupyter shows must be
the text the page holds.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest
from docutils import nodes
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import reader_markdown as rm  # noqa: E402

PAGE = rm.Page(
    docname="chapters/demo",
    url="https://example.org/book/chapters/demo.html",
    srcdir=ROOT,
    numbers={"displaymath": {"equation-demo": (7,)}, "figure": {"fig-demo": (3,)}, "table": {"tab-demo": (2,)}},
    numfig_format={"figure": "Fig. %s", "table": "Table %s", "exercise": "Exercise %s"},
)
COMMONMARK = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(dollarmath_plugin)
# Where JupyterLab and Notebook start math besides $ (their MathJax reads \( \[ and, in Markdown, \\( \\[).
MATH_START = re.compile(r"\\\\?[(\[]")


def shown_text(markdown: str) -> str:
    """The text a reader sees, whitespace collapsed: the Markdown rendered, its tags dropped; no math in it."""
    tokens = [t for block in COMMONMARK.parse(markdown) for t in [block, *(block.children or [])]]
    assert not [t for t in tokens if "math" in t.type], f"{markdown!r} holds math"
    rendered = COMMONMARK.render(markdown)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


def markdown(items) -> str:
    assert all(isinstance(i, rm.Markdown) for i in items), items
    return "\n\n".join(i.text for i in items)


TOKENS = ["a", "b", " ", "\n", "1", ".", ")", "*", "_", "`", "[", "]", "(", ")", "$", "<", ">", "&", "#", "-", "+"]
TOKENS += ["|", "\\", "~", "!", ":", "1. ", "**", "~~", "[a](b)", "[a]: b", "<b>", "&amp;", "![x](y)", "    ", "$x$"]


@given(st.lists(st.sampled_from(TOKENS), max_size=12).map("".join))
@example("*a* and _b_ and `c` and ~~d~~")
@example("1. a numbered line")
@example("2) another")
@example("# not a heading")
@example("> not a quote")
@example("- not a list")
@example("[a](b) <b>x</b> &amp; \\* \\")
@example("[a]: b")
@example("a \\[x\\] and \\(y\\) cost $5 and $6")
def test_plain_text_shows_as_itself(text):
    paragraph = nodes.paragraph("", "", nodes.Text(text))
    converted = markdown(rm.blocks(paragraph, PAGE))
    assert shown_text(converted) == " ".join(text.split())
    assert not MATH_START.search(converted), converted  # JupyterLab would typeset what follows


def test_text_that_ends_in_a_bracket_before_a_parenthesis_makes_no_link():
    """A glued "[1, 0]" (its own inline node) followed by text that opens a parenthesis."""
    paragraph = nodes.paragraph("", "", nodes.inline("", "", nodes.Text("x = [1, 0]")), nodes.Text("(input)"))
    assert shown_text(markdown(rm.blocks(paragraph, PAGE))) == "x = [1, 0](input)"


def test_math_stays_math_and_references_lead_into_the_book():
    paragraph = nodes.paragraph(
        "",
        "",
        nodes.Text("so "),
        nodes.math("", "W^1_0 * x"),
        nodes.Text(" by "),
        nodes.reference("", "", nodes.Text("(12)"), refuri="problem1.html#equation-p1-bp1"),
        nodes.Text(" and "),
        nodes.reference("", "", nodes.Text("here"), refid="sec"),
    )
    converted = markdown(rm.blocks(paragraph, PAGE))
    assert converted == (
        "so $W^1_0 * x$ by [(12)](https://example.org/book/chapters/problem1.html#equation-p1-bp1)"
        " and [here](https://example.org/book/chapters/demo.html#sec)"
    )


def test_a_numbered_equation_is_one_line_with_the_book_s_number():
    block = nodes.math_block("", "a = b % a comment\n  + c", ids=["equation-demo"])
    assert markdown(rm.blocks(block, PAGE)) == "$$ a = b + c \\tag{7} $$"
    assert markdown(rm.blocks(nodes.math_block("", "x\n= 1"), PAGE)) == "$$ x = 1 $$"


def test_a_table_keeps_its_columns_with_bars_in_text_code_and_math():
    def row(*cells):
        return nodes.row("", *(nodes.entry("", nodes.paragraph("", "", *c)) for c in cells))

    head = nodes.thead("", row([nodes.Text("a")], [nodes.Text("b")], [nodes.Text("c")]))
    body = nodes.tbody("", row([nodes.Text("x|y")], [nodes.literal("", "p | q")], [nodes.math("", r"|x| + \|v\|")]))
    table = nodes.table("", nodes.title("", "", nodes.Text("Bars")), nodes.tgroup("", head, body), ids=["tab-demo"])
    converted = markdown(rm.blocks(table, PAGE))
    assert converted.startswith("**Table 2** Bars")
    rendered = COMMONMARK.render(converted)
    assert rendered.count("<td>") == 3 and rendered.count("<th>") == 3, rendered
    assert r"$\vert x\vert  + \Vert v\Vert $" in converted


def test_a_code_cell_splits_a_quote_and_is_folded_inside_a_solution():
    code = rm.Code(cell_index=4)
    quoted = rm.quoted([rm.Markdown("Before."), code, rm.Markdown("After.")], "Exercise 1 (Shapes)")
    assert [type(i).__name__ for i in quoted] == ["Markdown", "Code", "Markdown"]
    assert quoted[0].text == "> **Exercise 1 (Shapes)**\n>\n> Before." and quoted[2].text == "> After."

    folded = rm.details([code, rm.Markdown("Because.")], "Solution to Exercise 1 (Shapes)")
    assert [type(i).__name__ for i in folded] == ["Markdown", "Code", "Markdown"]
    assert folded[0].text.startswith("<details>\n<summary><strong>Solution to Exercise 1 (Shapes)</strong>")
    assert "folded code cell below" in folded[0].text  # a folded cell alone would not say whose it is
    assert "Solution to Exercise 1 (Shapes), continued" in folded[2].text
    title = "Solution to Exercise 1 (Shapes), its code"
    assert folded[1] == rm.Code(cell_index=4, source_hidden=True, outputs_hidden=True, title=title)


def test_a_list_item_s_second_block_stays_in_the_item():
    item = nodes.list_item("", nodes.paragraph("", "", nodes.Text("one")), nodes.math_block("", "x = 1"))
    converted = markdown(rm.blocks(nodes.enumerated_list("", item, start=3), PAGE))
    assert converted == "3. one\n\n   $$ x = 1 $$"
    assert '<ol start="3">' in COMMONMARK.render(converted)


def test_a_node_it_does_not_know_is_an_error_that_names_the_page():
    with pytest.raises(rm.ReaderNotebookError, match=r"chapters/demo: no Markdown for the block <footnote>"):
        rm.blocks(nodes.footnote("", nodes.paragraph("", "note")), PAGE)
    with pytest.raises(rm.ReaderNotebookError, match=r"chapters/demo: no Markdown for the inline node <problematic>"):
        rm.blocks(nodes.paragraph("", "", nodes.problematic("", "?")), PAGE)


def test_a_figure_is_a_cell_of_its_own_with_its_png_inside_and_the_book_s_caption(tmp_path):
    png = tmp_path / "figure.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(40)))
    page = rm.Page(**{**PAGE.__dict__, "srcdir": tmp_path, "png_for": {"figure.svg": "figure.png"}})
    figure = nodes.figure(
        "", nodes.image(uri="figure.svg", alt="A [plot]"), nodes.caption("", "", nodes.Text("Loss.")), ids=["fig-demo"]
    )
    items = rm.merge(rm.text("Before.") + rm.blocks(figure, page) + rm.text("After."))
    assert [i.text.split("\n")[0][:40] for i in items] == [
        "Before.",
        "![A (plot)](data:image/png;base64,iVBORw",
        "After.",
    ]
    assert items[1].text.endswith("\n\n**Fig. 3** Loss.")
    assert shown_text(items[1].text) == "Fig. 3 Loss."
