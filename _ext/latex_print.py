"""What the printed book (the LaTeX builder) says or shows differently from the web page.

* **The HTML edition's address.** The site is ``html.baseurl`` in _config.yml, the GitHub Pages address of
  ``repository.url`` (tools/repository_url.py checks that they agree), and the GitHub Pages address of
  ``repository.url`` if it is left empty; the student edition's is its folder ``student/`` (_ext/student_edition.py).
  The PDF's title page prints it (``\\authoraddress``), and the role ``{html-edition}`docname``` prints the
  address of a page of it, for a page that only the HTML can show (chapters/your_numbers.md).
* **Code the web page folds** (cells tagged ``hide-input``: the reader opens it if they want) is left out of the
  PDF, which cannot fold: the PDF prints the cell's output, the part the text is about.
* **A page on one sheet.** The pages listed in ``latex_one_page`` (_config.yml: the summary card, "the homework on
  one printable page") are set in the environment ``bookonepage`` of the LaTeX preamble: a chapter head of one
  line, small type, tight headings, so that the chapter fits one page of the PDF.
* **Math in section titles** is typeset in the text but is no PDF string: hyperref drops it from the bookmarks
  ("The loss: change" for "The loss: change $\\delta_2$"). Each formula of a title is written as
  ``\\texorpdfstring{formula}{the same in Unicode}`` (``δ₂``), so the bookmarks read as the titles do.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from tex_glyphs import ACCENT_MARKS, GREEK

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------------------------
# The HTML edition's address


def github_pages_site(repository: str) -> str:
    """https://github.com/<owner>/<name> -> https://<owner>.github.io/<name>/ (GitHub Pages' address)."""
    owner, _, name = repository.rstrip("/").removeprefix("https://github.com/").partition("/")
    if not owner or not name or "/" in name:
        raise ExtensionError(f"latex_print: {repository!r} is not a GitHub repository's address")
    return f"https://{owner.lower()}.github.io/{name}/"


def site_address(app: Sphinx, config) -> None:
    """html_baseurl, where the HTML edition is published: the GitHub Pages site of the repository unless set."""
    if not config.html_baseurl:
        repository = (config.html_theme_options or {}).get("repository_url", "")
        config.html_baseurl = github_pages_site(repository)


def title_page_address(app: Sphinx, config) -> None:
    """The title page's foot names the HTML edition (this edition's: the student edition's is under student/)."""
    address = config.html_baseurl.rstrip("/") + "/"
    elements = dict(config.latex_elements)
    elements["preamble"] = (
        elements.get("preamble", "")
        + "\n% The HTML edition's address, on the title page (_ext/latex_print.py, from html.baseurl).\n"
        + f"\\authoraddress{{The HTML edition, with the interactive pages:\\\\ \\url{{{address}}}}}\n"
    )
    config.latex_elements = elements


def html_edition_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """{html-edition}`chapters/your_numbers`: the address of that page in the HTML edition, as a link."""
    env = inliner.document.settings.env
    docname = text.strip().removesuffix(".md").removesuffix(".ipynb").strip("/")
    if docname not in env.found_docs:
        message = inliner.reporter.error(f"html-edition: no page {docname!r}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    url = f"{env.config.html_baseurl.rstrip('/')}/{docname}.html"
    return [nodes.reference(rawtext, url, refuri=url)], []


# ---------------------------------------------------------------------------------------------------------------
# Folded code


class DropFoldedCode(SphinxPostTransform):
    """The source of a code cell tagged hide-input (folded on the web page) is not printed; its output is."""

    default_priority = 400
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for cell in list(self.document.findall(nodes.container)):
            if cell.get("nb_element") != "cell_code" or "tag_hide-input" not in cell["classes"]:
                continue
            for child in list(cell.children):
                if isinstance(child, nodes.container) and child.get("nb_element") == "cell_code_source":
                    cell.remove(child)
            if not cell.children:
                cell.parent.remove(cell)


# ---------------------------------------------------------------------------------------------------------------
# One page


class OnePage(SphinxPostTransform):
    """Each page of latex_one_page in the environment bookonepage (defined in _config.yml's LaTeX preamble)."""

    default_priority = 400
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        wanted = set(self.config.latex_one_page)
        for page in self.document.findall(addnodes.start_of_file):
            if page.get("docname") in wanted:
                # \clearpage first: the page before ends (and gets its running head and foot) in the normal style
                page.insert(0, nodes.raw("", "\\clearpage\\begin{bookonepage}\n", format="latex"))
                page.append(nodes.raw("", "\\end{bookonepage}\n", format="latex"))


# ---------------------------------------------------------------------------------------------------------------
# Math in titles, for the bookmarks

SYMBOLS = {
    **GREEK,
    "ell": "ℓ",
    "nabla": "∇",
    "odot": "⊙",
    "cdot": "·",
    "times": "×",
    "top": "ᵀ",
    "to": "→",
    "leftarrow": "←",
    "partial": "∂",
    "sum": "Σ",
    "in": "∈",
    "le": "≤",
    "ge": "≥",
    "neq": "≠",
    "approx": "≈",
}
SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "bigl", "bigr", "Bigl", "Bigr", "mathrm", "text"}
SUPERSCRIPT = dict(zip("0123456789+-=()Tnijk", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵀⁿⁱʲᵏ", strict=True))
SUBSCRIPT = dict(zip("0123456789+-=()aeijklmnopstx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚₛₜₓ", strict=True))
TOKEN = re.compile(r"\\([A-Za-z]+|.)|([_^])|\{|\}|'|\s+|.", re.S)


def tex_to_unicode(tex: str) -> str:
    """A title's formula as a PDF string can hold it: $W^2_0$ -> W²₀, $\\delta_2$ -> δ₂, $f'(z_1)$ -> f′(z₁).

    ValueError for a command it does not know, so a new one is added here rather than dropped from a bookmark.
    """
    tokens = [m.group(0) for m in TOKEN.finditer(tex)]

    def group(i: int) -> tuple[str, int]:
        """The text of the argument that starts at tokens[i] (a {group} or one token), and the index after it."""
        if tokens[i] != "{":
            return convert(tokens[i : i + 1]), i + 1
        depth, j = 1, i + 1
        while depth:
            depth += {"{": 1, "}": -1}.get(tokens[j], 0)
            j += 1
        return convert(tokens[i + 1 : j - 1]), j

    def convert(part: list[str]) -> str:
        nonlocal tokens
        saved, tokens = tokens, part
        out, i = [], 0
        try:
            while i < len(tokens):
                token = tokens[i]
                if token in ("_", "^"):
                    text, i = group(i + 1)
                    table = SUBSCRIPT if token == "_" else SUPERSCRIPT
                    out.append("".join(table[c] for c in text) if all(c in table for c in text) else token + text)
                elif token.startswith("\\"):
                    command = token[1:]
                    if command in ACCENT_MARKS:
                        text, i = group(i + 1)
                        out.append(text + ACCENT_MARKS[command])
                    elif command in SYMBOLS:
                        out.append(SYMBOLS[command])
                        i += 1
                    elif command in SPACES:
                        out.append(" " if command in {" ", "quad", "qquad"} else "")
                        i += 1
                    else:
                        raise ValueError(f"no Unicode for \\{command} in the title's formula {tex!r}")
                elif token in ("{", "}"):
                    i += 1
                elif token == "'":
                    out.append("′")
                    i += 1
                else:
                    out.append(" " if token.isspace() else token)
                    i += 1
        finally:
            tokens = saved
        return "".join(out)

    return re.sub(r"\s+", " ", convert(tokens)).strip()


def tex_string_escape(text: str) -> str:
    """text as the argument of a LaTeX command (TeX's special characters escaped)."""
    special = {"\\": "", "{": "\\{", "}": "\\}", "_": "\\_", "^": "\\textasciicircum{}", "~": "\\textasciitilde{}"}
    special |= {c: "\\" + c for c in "#$%&"}
    return "".join(special.get(c, c) for c in text)


class MathInTitlesForBookmarks(SphinxPostTransform):
    """$...$ in a section's title: \\texorpdfstring{the formula}{its Unicode}, for hyperref's bookmarks."""

    default_priority = 400
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for title in self.document.findall(nodes.title):
            if not isinstance(title.parent, nodes.section):
                continue
            for math in list(title.findall(nodes.math)):
                tex = math.astext()
                try:
                    text = tex_string_escape(tex_to_unicode(tex))
                except ValueError as error:
                    logger.warning(f"latex_print: {error}", location=title)
                    continue
                raw = f"\\texorpdfstring{{\\protect\\({tex}\\protect\\)}}{{{text}}}"
                math.parent.replace(math, nodes.raw("", raw, format="latex"))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", site_address, priority=400)  # before student_edition moves it to student/ (500)
    app.connect("config-inited", title_page_address, priority=600)
    app.add_role("html-edition", html_edition_role)
    app.add_config_value("latex_one_page", [], "")  # read when the LaTeX is written
    app.add_post_transform(DropFoldedCode)
    app.add_post_transform(OnePage)
    app.add_post_transform(MathInTitlesForBookmarks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
