"""A page of the book, as Jupyter renders it: its resolved doctree turned into notebook cells.

``page_items(doctree, page)`` walks a page after Sphinx has resolved it (glue pasted, references and
equation numbers known, ``{only}`` blocks decided) and returns what a reader notebook holds, in the page's
order: Markdown (CommonMark with GitHub's tables, ``$...$`` and ``$$...$$`` math, and the few HTML tags that
JupyterLab, Notebook, Colab and nbconvert all render) and references to the code cells the page shows. The
Markdown holds no MyST: admonitions and margin notes become quoted blocks with a bold title, dropdowns and
solutions ``<details>``, cross-references links into the published HTML book, numbered equations carry the
book's number as ``\\tag``, figures are PNG images in the Markdown itself (``data:`` URLs, which JupyterLab, Colab and
nbconvert all show; Colab shows no cell attachments, googlecolab/colabtools#3836), each in a cell of its own with the
book's caption, so that the text's cells stay readable when a reader edits them.

A node this module does not know is an error that names the page and the node, never text dropped in silence.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import admonitionlabels


class ReaderNotebookError(Exception):
    """A page holds something that has no Markdown form here."""


@dataclass
class Markdown:
    """Text of a Markdown cell; ``alone``: not merged with the text around it (a figure, whose image is long)."""

    text: str
    alone: bool = False


@dataclass
class Code:
    """A code cell the page shows: its index in the executed notebook, and whether the page folds it away."""

    cell_index: int
    source_hidden: bool = False
    outputs_hidden: bool = False
    title: str = ""  # a solution's code: "Solution to Exercise 1 (...)", its first line, and Colab's form title


Item = Markdown | Code


@dataclass(frozen=True)
class Page:
    """What the conversion needs to know about the page besides its doctree."""

    docname: str
    url: str  # the page in the published HTML book, absolute
    srcdir: Path
    numbers: dict  # Sphinx's env.toc_fignumbers[docname]: {"figure": {id: (3,)}, "displaymath": ..., ...}
    numfig_format: dict  # {"figure": "Fig. %s", "table": "Table %s", ...}
    png_for: dict = field(default_factory=dict)  # the PNG that myst-nb also has for an SVG it shows (paths)
    level: int = 0  # heading level of the enclosing section
    in_table: bool = False


# ---------------------------------------------------------------------------------------------------------------
# Inline content


# Backslash escapes for the characters that would start Markdown or math. Not for [, ], ( and ), nor for a
# backslash itself: JupyterLab and Notebook read \[, \( and \\[ as the start of math. A backslash is &#92;, and a
# [ of plain text starts no link unless "](" follows it (see inline).
_ESCAPE = re.compile(r"([`*_$~])")
# What would make a paragraph's first characters a heading, a quote or a list: "#", ">", "+", "-", "1." or "1)".
_LINE_START = re.compile(r"^(\s*)(?:([#>+-])|(\d+)([.)])(?=\s|$))")


def escape(text: str, page: Page) -> str:
    """Plain text as Markdown that shows exactly that text."""
    text = text.replace("&", "&amp;").replace("\\", "&#92;").replace("<", "&lt;").replace("](", "&#93;(")
    text = _ESCAPE.sub(r"\\\1", text)
    if page.in_table:
        text = text.replace("|", "\\|")
    return text


def tex_inline(tex: str, page: Page) -> str:
    tex = " ".join(strip_tex_comments(tex).split())
    if page.in_table:  # a | would end the table's cell in some renderers
        tex = tex.replace("\\|", "\\Vert ").replace("|", "\\vert ")
    return f"${tex}$"


def strip_tex_comments(tex: str) -> str:
    """TeX without its % comments, so that the lines can be joined into one."""
    return "\n".join(re.sub(r"(?<!\\)%.*$", "", line) for line in tex.split("\n"))


def code_span(text: str) -> str:
    ticks = max((len(m) for m in re.findall(r"`+", text)), default=0) + 1
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{'`' * ticks}{pad}{text}{pad}{'`' * ticks}"


def inline(node: nodes.Node, page: Page) -> str:
    """The Markdown of node's inline content."""
    parts: list[str] = []
    for child in node.children:
        part = inline_node(child, page)
        if part.startswith("(") and parts and parts[-1].endswith("]"):  # no Markdown this module writes ends in ]
            parts[-1] = parts[-1][:-1] + "&#93;"  # text "[1, 0]", then "(...": a link
        parts.append(part)
    return "".join(parts)


def plain(node: nodes.Node) -> str:
    """A title as HTML text (a <summary> holds no Markdown), its formulas as $...$ for MathJax."""
    if isinstance(node, nodes.math):
        return f"${html.escape(node.astext())}$"
    if isinstance(node, nodes.Text):
        return html.escape(node.astext())
    return "".join(plain(child) for child in node.children)


def inline_node(node: nodes.Node, page: Page) -> str:
    if isinstance(node, nodes.Text):
        return escape(node.astext().replace("\n", " "), page)
    if isinstance(node, nodes.math):
        return tex_inline(node.astext(), page)
    if isinstance(node, nodes.literal | addnodes.literal_strong | addnodes.literal_emphasis):
        text = code_span(node.astext().replace("\n", " "))
        return text.replace("|", "\\|") if page.in_table else text
    if isinstance(node, nodes.strong):
        return wrap("**", inline(node, page))
    if isinstance(node, nodes.emphasis | nodes.title_reference):
        return wrap("*", inline(node, page))
    if isinstance(node, nodes.subscript):
        return f"<sub>{inline(node, page)}</sub>"
    if isinstance(node, nodes.superscript):
        return f"<sup>{inline(node, page)}</sup>"
    if isinstance(node, nodes.reference):
        return link(node, page)
    if isinstance(node, nodes.raw):
        return node.astext() if "html" in node.get("format", "").split() else ""
    if isinstance(node, nodes.target | nodes.substitution_definition | nodes.comment | addnodes.index):
        return ""
    if isinstance(node, nodes.image):
        return image(node, page)
    if isinstance(node, nodes.inline | nodes.abbreviation | nodes.generated):
        return inline(node, page)
    if isinstance(node, nodes.footnote_reference):
        return f"<sup>{escape(node.astext(), page)}</sup>"
    raise ReaderNotebookError(f"{page.docname}: no Markdown for the inline node <{node.tagname}> ({where(node)})")


def wrap(marker: str, text: str) -> str:
    """**text**, with the spaces that CommonMark does not allow inside the markers moved outside."""
    stripped = text.strip()
    if not stripped:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def absolute(page: Page, node: nodes.Element) -> str:
    """Where a reference goes, as an absolute URL into the published book (or outside it)."""
    if "refuri" in node:
        return urljoin(page.url, node["refuri"])
    if "refid" in node:
        return f"{page.url}#{node['refid']}"
    raise ReaderNotebookError(f"{page.docname}: a reference with no target ({where(node)})")


def link(node: nodes.reference, page: Page) -> str:
    text = inline(node, page)
    url = absolute(page, node).replace(" ", "%20").replace(")", "%29").replace("(", "%28")
    return f"[{text}]({url})" if text.strip() else f"<{url}>"


def where(node: nodes.Node) -> str:
    return f"line {node.line}" if getattr(node, "line", None) else f"in <{node.parent.tagname}>" if node.parent else ""


# ---------------------------------------------------------------------------------------------------------------
# Images


def image(node: nodes.image, page: Page) -> str:
    """An image, as a Markdown image of a data: URL (the PNG myst-nb has beside an SVG, where it has one)."""
    uri = node["uri"]
    path = page.png_for.get(uri, uri)
    file = (page.srcdir / path).resolve()
    if not file.is_file():
        raise ReaderNotebookError(f"{page.docname}: no image file {path} ({where(node)})")
    mime = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}.get(
        file.suffix.lower()
    )
    if mime is None:
        raise ReaderNotebookError(f"{page.docname}: an image of a type a notebook cannot show: {file.name}")
    alt = " ".join(node.get("alt", "").split()).replace("[", "(").replace("]", ")")
    return f"![{escape(alt, page)}](data:{mime};base64,{base64.b64encode(file.read_bytes()).decode('ascii')})"


# ---------------------------------------------------------------------------------------------------------------
# Blocks


def page_items(doctree: nodes.document, page: Page) -> list[Item]:
    """The page as reader-notebook items, adjacent Markdown merged into one cell (figures apart)."""
    return merge(blocks(doctree, page))


def merge(items: list[Item]) -> list[Item]:
    merged: list[Item] = []
    for item in items:
        if isinstance(item, Markdown) and not item.text.strip():
            continue
        if isinstance(item, Markdown) and merged and isinstance(merged[-1], Markdown):
            if item.alone or merged[-1].alone:
                merged.append(item)
                continue
            merged[-1] = Markdown(merged[-1].text + "\n\n" + item.text)
        else:
            merged.append(item)
    return merged


def text(markdown: str) -> list[Item]:
    return [Markdown(markdown)]


def children(node: nodes.Element, page: Page, but: tuple = ()) -> list[Item]:
    """The items of node's children, but those in ``but`` (a title the caller shows its own way)."""
    items: list[Item] = []
    for child in node.children:
        if not any(child is skipped for skipped in but):
            items += blocks(child, page)
    return items


def blocks(node: nodes.Node, page: Page) -> list[Item]:
    """The Markdown and code cells of one block-level node."""
    name = type(node).__name__
    if name in EXTENSION_BLOCKS:  # first: sphinx-exercise's nodes are admonitions too
        return EXTENSION_BLOCKS[name](node, page)
    for kind, convert in BLOCKS:
        if isinstance(node, kind):
            return convert(node, page)
    raise ReaderNotebookError(f"{page.docname}: no Markdown for the block <{node.tagname}> ({where(node)})")


def section(node: nodes.section, page: Page) -> list[Item]:
    title = first_title(node)
    if title is None:  # sphinx-exercise's wrapper of an exercise's or a solution's content
        return children(node, page)
    inner = replace(page, level=page.level + 1)
    heading = "#" * min(inner.level, 6) + " " + inline(title, inner)
    return text(heading) + children(node, inner, but=(title,))


def paragraph(node: nodes.paragraph, page: Page) -> list[Item]:
    line = inline(node, page).strip()
    if page.in_table:
        return text(line)
    line = _LINE_START.sub(lambda m: m[1] + (f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"), line, count=1)
    if re.match(r"\s*\[[^\]]*\]:", line):  # "[a]: b" would be a link definition, and vanish
        line = line.replace("[", "&#91;", 1)
    return text(line)


def math_block(node: nodes.math_block, page: Page) -> list[Item]:
    tex = " ".join(strip_tex_comments(node.astext()).split())
    number = equation_number(node, page)
    tag = f" \\tag{{{number}}}" if number else ""
    return text(f"$$ {tex}{tag} $$")


def equation_number(node: nodes.math_block, page: Page) -> str:
    """The number the book prints beside the equation, as Sphinx's HTML writer finds it."""
    if not node.get("ids"):
        return ""
    number = page.numbers.get("displaymath", {}).get(node["ids"][0])
    if number:
        return ".".join(map(str, number))
    return str(node.get("number") or "")


def literal_block(node: nodes.literal_block, page: Page) -> list[Item]:
    code = node.astext().rstrip("\n")
    language = node.get("language", "")
    language = {"ipython3": "python", "ipython": "python", "default": "", "myst-ansi": "", "none": ""}.get(
        language, language
    )
    fence = "`" * max(3, max((len(m) + 1 for m in re.findall(r"`{3,}", code)), default=3))
    return text(f"{fence}{language}\n{code}\n{fence}")


def bullet_list(node: nodes.Element, page: Page) -> list[Item]:
    enumerated = isinstance(node, nodes.enumerated_list)
    start = int(node.get("start", 1))
    lines = []
    for i, item in enumerate(node.children):
        marker = f"{start + i}. " if enumerated else "- "
        body = markdown_of(children(item, page), page, "a list item")
        indent = " " * len(marker)
        first, *rest = body.split("\n")
        lines.append(marker + first)
        lines += [indent + line if line else "" for line in rest]
    return text("\n".join(lines))


def markdown_of(items: list[Item], page: Page, what: str) -> str:
    """The Markdown of items that cannot hold a code cell (a list item, a table cell)."""
    parts = []
    for item in items:
        if isinstance(item, Code):
            raise ReaderNotebookError(f"{page.docname}: a code cell inside {what}, which a notebook cannot show")
        parts.append(item.text)
    return "\n\n".join(p for p in parts if p.strip())


def table(node: nodes.table, page: Page) -> list[Item]:
    cells = replace(page, in_table=True)
    title = first_title(node)
    rows = []
    header = None
    for part in node.findall(nodes.thead):
        header = [row_cells(row, cells) for row in part.findall(nodes.row)][-1]
    for part in node.findall(nodes.tbody):
        rows += [row_cells(row, cells) for row in part.findall(nodes.row)]
    width = max(len(r) for r in [*(rows or [[]]), header or []])
    header = header or [""] * width
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
    caption = []
    if title is not None:
        caption = text(bold_caption(node, "table", inline(title, page), page))
    return caption + text("\n".join(lines))


def row_cells(row: nodes.row, page: Page) -> list[str]:
    out = []
    for entry in row.children:
        if entry.get("morecols") or entry.get("morerows"):
            raise ReaderNotebookError(f"{page.docname}: a table cell that spans cells, which Markdown cannot show")
        body = markdown_of(children(entry, page), page, "a table cell")
        out.append(body.replace("\n\n", "<br>").replace("\n", "<br>"))
    return out


def bold_caption(node: nodes.Element, kind: str, caption: str, page: Page) -> str:
    """ "**Fig. 3** The network ...", numbered as the book numbers it."""
    number = page.numbers.get(kind, {}).get(node["ids"][0]) if node.get("ids") else None
    if not number:
        return caption
    label = page.numfig_format.get(kind, kind.title() + " %s") % ".".join(map(str, number))
    return f"**{label}** {caption}".strip()


def figure(node: nodes.figure, page: Page) -> list[Item]:
    images, caption, legend = [], "", []
    for child in node.children:
        if isinstance(child, nodes.caption):
            caption = inline(child, page)
        elif isinstance(child, nodes.legend):
            legend += children(child, page)
        else:
            images += blocks(child, page)
    shown = markdown_of(images, page, "a figure") + "\n\n" + bold_caption(node, "figure", caption, page)
    return [Markdown(shown, alone=True), *legend]


def standalone_image(node: nodes.image, page: Page) -> list[Item]:
    return [Markdown(image(node, page), alone=True)]


def quoted(items: list[Item], title: str) -> list[Item]:
    """Items as quoted blocks (> ...), the first opened by its bold title. A code cell splits the quote."""
    out: list[Item] = []
    pending = f"**{title}**" if title else ""
    for item in merge(items) or [Markdown("")]:
        if isinstance(item, Code):
            if pending:
                out.append(Markdown("> " + pending))
                pending = ""
            out.append(item)
            continue
        body = "\n\n".join(p for p in (pending, item.text) if p)
        pending = ""
        out.append(Markdown("\n".join("> " + line if line else ">" for line in body.split("\n"))))
    return out


def details(items: list[Item], summary: str, label: str | None = None) -> list[Item]:
    """Items folded into <details> under summary (plain text; label: the same as HTML, with $math$ for MathJax).

    A code cell between them is folded too (source and outputs hidden, in JupyterLab and Notebook), and titled.
    """
    out: list[Item] = []
    label = label or html.escape(summary)
    items = merge(items) or [Markdown("")]
    if isinstance(items[0], Code):  # say where it starts: a folded cell alone would not say whose it is
        items.insert(0, Markdown("It starts with the folded code cell below (click it to open it)."))
    for i, item in enumerate(items):
        if isinstance(item, Code):
            out.append(replace(item, source_hidden=True, outputs_hidden=True, title=f"{summary}, its code"))
            continue
        shown = label if i == 0 else f"{label}, continued"
        body = f"<details>\n<summary><strong>{shown}</strong></summary>\n\n{item.text}\n\n</details>"
        out.append(Markdown(body))
    return out


def admonition(node: nodes.Element, page: Page) -> list[Item]:
    title_node = first_title(node)
    title = inline(title_node, page) if title_node is not None else str(admonitionlabels.get(node.tagname, ""))
    body = children(node, page, but=(title_node,))
    if "dropdown" in node.get("classes", []):
        if title_node is None:
            return details(body, title)
        return details(body, " ".join(title_node.astext().split()), plain(title_node))
    return quoted(body, title)


def exercise(node: nodes.Element, page: Page) -> list[Item]:
    """sphinx-exercise's exercise: a quoted block titled "Exercise 3 (Dimension check)", as the book numbers it."""
    titles = tuple(c for c in node.children if isinstance(c, nodes.title | nodes.subtitle))
    title = "".join(inline(c, page) for c in titles)  # " (Dimension check)": the HTML writer adds the number
    number = page.numbers.get("exercise", {}).get(node["ids"][0]) if node.get("ids") else None
    if number:
        title = escape(page.numfig_format.get("exercise", "Exercise %s") % ".".join(map(str, number)), page) + title
    return quoted(children(node, page, but=titles), " ".join(title.split()))


def solution(node: nodes.Element, page: Page) -> list[Item]:
    """sphinx-exercise's solution: folded away in <details>, as the book folds it."""
    titles = tuple(c for c in node.children if isinstance(c, nodes.title | nodes.subtitle))
    title = " ".join("".join(c.astext() for c in titles).split())
    label = " ".join("".join(plain(c) for c in titles).split())
    return details(children(node, page, but=titles), title, label)


def container(node: nodes.container, page: Page) -> list[Item]:
    element = node.get("nb_element", "")
    if element == "cell_code":
        return code_cell(node, page)
    if element == "mime_bundle":  # not resolved by a builder: take what a notebook shows best
        by_type = {child.get("mime_type"): child for child in node.children}
        for mime in ("image/png", "image/svg+xml", "text/markdown", "text/latex", "text/html", "text/plain"):
            if mime in by_type:
                return children(by_type[mime], page)
    if "literal-block-wrapper" in node.get("classes", []):  # a code block with a caption
        caption = node.next_node(nodes.caption)
        items = text(f"**{inline(caption, page)}**") if caption is not None else []
        return items + children(node, page, but=(caption,))
    return children(node, page)


def code_cell(node: nodes.container, page: Page) -> list[Item]:
    """A code cell: a Code item where the page shows its source, else the outputs the page shows, as Markdown."""
    if not shows_source(node):  # the page shows only the outputs (remove-input): they are part of its text
        return children(node, page)
    tags = node.get("cell_metadata", {}).get("tags", [])
    return [
        Code(
            node["cell_index"],
            source_hidden="hide-input" in tags or "hide-cell" in tags,
            outputs_hidden="hide-output" in tags or "hide-cell" in tags,
        )
    ]


def shows_source(cell: nodes.container) -> bool:
    """Whether the page shows the code of a myst-nb code cell (in a HideCodeCellNode inside it, where folded)."""
    return any(part.get("nb_element") == "cell_code_source" for part in cell.findall(nodes.container))


def folded_output(node: nodes.Element, page: Page) -> list[Item]:
    """The output of a cell whose code the page removes and whose output it folds (remove-input, hide-output)."""
    return details(children(node, page), node.get("prompt_show", "Show code cell output").replace("{type}", "output"))


def raw(node: nodes.raw, page: Page) -> list[Item]:
    """Raw HTML as it is, without scripts and styles (a thebe configuration, a kernel name: page machinery)."""
    if "html" not in node.get("format", "").split():
        return []
    markup = re.sub(r"<(script|style)\b.*?</\1>", "", node.astext(), flags=re.S | re.I).strip()
    return text(markup) if markup else []


def nothing(node: nodes.Node, page: Page) -> list[Item]:
    return []


def block_quote(node: nodes.block_quote, page: Page) -> list[Item]:
    return quoted(children(node, page), "")


def sidebar(node: nodes.sidebar, page: Page) -> list[Item]:
    """A margin note: a quoted block with its title."""
    title = first_title(node)
    return quoted(children(node, page, but=(title,)), inline(title, page) if title is not None else "")


def rubric(node: nodes.rubric, page: Page) -> list[Item]:
    return text(f"**{inline(node, page)}**")


BLOCKS: list[tuple[type | tuple[type, ...], Callable[..., list[Item]]]] = [
    (nodes.document, children),
    (nodes.section, section),
    (nodes.paragraph, paragraph),
    (nodes.math_block, math_block),
    (nodes.literal_block, literal_block),
    ((nodes.bullet_list, nodes.enumerated_list), bullet_list),
    (nodes.table, table),
    (nodes.figure, figure),
    (nodes.image, standalone_image),
    (nodes.sidebar, sidebar),
    (nodes.Admonition, admonition),
    (nodes.container, container),
    (nodes.block_quote, block_quote),
    (nodes.rubric, rubric),
    (nodes.raw, raw),
    (nodes.transition, lambda node, page: text("---")),
    (
        # addnodes.tabular_col_spec: a table's column widths in the PDF ({tabularcolumns}), nothing to show
        (
            nodes.target,
            nodes.comment,
            nodes.substitution_definition,
            addnodes.index,
            nodes.meta,
            addnodes.tabular_col_spec,
        ),
        nothing,
    ),
]


def first_title(node: nodes.Element) -> nodes.title | None:
    """The node's own title: its first child, if that is a title."""
    return node[0] if node.children and isinstance(node[0], nodes.title) else None


# Nodes of other extensions, by class name (so that this module imports none of them).
EXTENSION_BLOCKS: dict[str, Callable[..., list[Item]]] = {
    "exercise_node": exercise,
    "exercise_enumerable_node": exercise,
    "solution_node": solution,
    "HideCodeCellNode": folded_output,
}
