"""Typeset every formula while the book is built, so a page needs no math JavaScript and no network.

Sphinx's HTML math renderer "katex" defined here hands each formula to KaTeX (``node_modules/katex``, pinned in
package.json, installed by ``make`` with ``npm ci``) running in one ``node`` process, and writes KaTeX's HTML into
the page. The page links KaTeX's stylesheet, written into ``_static/katex/`` of the output (not into the source
``_static``, whose every .css and .js Jupyter Book links into every page) with its fonts embedded as ``data:`` URIs:
a book opened from disk (``file://``) gets its fonts too, where Chromium refuses a font file from a ``file://`` URL
(a font is fetched in CORS mode, and a ``file://`` page has an opaque origin).

Unlike sphinxcontrib-katex's pre-rendering, which this replaces:

* a formula KaTeX cannot typeset (``\\label``, ``\\eqref``, ``multline``, an undefined command, ...) is a Sphinx
  warning at the page and line it comes from (so ``-W`` fails the build and names the page), where KaTeX would
  otherwise draw the command in red and carry on;
* input that LaTeX would treat differently (KaTeX's "strict" checks) is a warning too, as is a numbered
  environment (``align``, ``equation``, ``gather``) whose line numbers KaTeX would count on its own;
* node is spoken to through its standard input and output, so there is no socket to reach before it listens,
  and nothing loads from a CDN.

Configuration (``sphinx: config:`` in _config.yml): ``html_math_renderer: katex``. KaTeX comes from
``node_modules/katex/dist`` in the book folder (``npm ci``), run by the ``node`` on PATH.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

RENDERER = "katex"
RENDER_SCRIPT = Path(__file__).with_name("katex_render.js")
BOOK_CSS = Path(__file__).with_name("katex_book.css")
OUT_DIR = "katex"  # under the output's _static/
INSTALL_HINT = "run `make book` (it runs `npm ci`), or `npm ci` in the book folder"


class KatexProcess:
    """One node process typesetting TeX for this build: a JSON line in, a JSON line out."""

    def __init__(self, node: str, katex_js: Path) -> None:
        self.pid = os.getpid()
        self.stderr = tempfile.TemporaryFile()  # a file, not a pipe nobody reads, which could fill and block node
        self.proc = subprocess.Popen(
            [node, str(RENDER_SCRIPT), str(katex_js)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )

    def render(self, tex: str, display: bool) -> dict[str, Any]:
        request = json.dumps({"tex": tex, "display": display}) + "\n"
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(request.encode())
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline()
        except BrokenPipeError:
            answer = b""
        if not answer:
            self.proc.kill()
            self.proc.wait()
            self.stderr.seek(0)
            stderr = self.stderr.read().decode(errors="replace").strip()
            raise ExtensionError(f"the KaTeX process (node {RENDER_SCRIPT.name}) stopped: {stderr}")
        return json.loads(answer)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.stderr.close()


KATEX_DIST = "node_modules/katex/dist"  # in the book folder: `npm ci` puts it there (package-lock.json)


def katex_dist(app: Sphinx) -> Path:
    return (Path(app.srcdir) / KATEX_DIST).resolve()


def katex_process(app: Sphinx) -> KatexProcess:
    process = getattr(app, "_katex_process", None)
    if process is None or process.pid != os.getpid():  # a forked parallel writer starts its own
        node = shutil.which("node")
        if node is None:
            raise ExtensionError("KaTeX needs node, which is not on PATH: apt-get install nodejs")
        process = KatexProcess(node, katex_dist(app) / "katex.min.js")
        app._katex_process = process  # type: ignore[attr-defined]
    return process


def typeset(translator: Any, node: nodes.Element, tex: str, display: bool) -> str:
    app = translator.builder.app
    answer = katex_process(app).render(tex, display)
    docname = translator.builder.current_docname
    source = " ".join(node.astext().split())  # as the author wrote it (tex may wrap it in split or aligned)
    shown = source if len(source) <= 200 else source[:200] + " ..."
    if "error" in answer:
        logger.warning("KaTeX cannot typeset $%s$: %s", shown, answer["error"], location=node, type="katex")
        app._katex_warned.add(docname)
        return f'<span class="katex-error" title="{html.escape(answer["error"])}">{html.escape(node.astext())}</span>'
    for warning in answer["warnings"]:
        logger.warning("KaTeX (strict) in $%s$: %s", shown, warning, location=node, type="katex")
        app._katex_warned.add(docname)
    if 'class="eqn-num"' in answer["html"]:
        logger.warning(
            "KaTeX numbers the lines of $%s$ itself, (1), (2), ... down the page, apart from the book's equation "
            "numbers: use the starred environment, or $$ \\begin{aligned} ... \\end{aligned} $$ (label)",
            shown,
            location=node,
            type="katex",
        )
        app._katex_warned.add(docname)
    if display:
        # A formula wider than the column scrolls sideways (katex_book.css); keyboard users scroll it once
        # it has the focus (axe-core: scrollable-region-focusable), as MathJax makes every formula focusable.
        return answer["html"].replace('<span class="katex-display">', '<span class="katex-display" tabindex="0">', 1)
    return answer["html"]


def breaks_lines(tex: str) -> bool:
    """Whether ``\\\\`` ends a line of the formula itself, not a row of a matrix or other environment in it."""
    depth = 0
    for token in re.findall(r"\\begin\{|\\end\{|\\\\", tex):
        if token == "\\begin{":
            depth += 1
        elif token == "\\end{":
            depth -= 1
        elif depth == 0:
            return True
    return False


def display_tex(node: nodes.math_block) -> str:
    """The TeX Sphinx's MathJax renderer would typeset for a display block (blank lines separate equations), except
    that a formula is wrapped in ``split`` only if it has lines of its own: ``x = \\begin{bmatrix} 1 \\\\ 0
    \\end{bmatrix}`` stays one line, which KaTeX can break after ``=`` where the column is narrow (book.css)."""
    if node["nowrap"]:
        return node.astext()
    parts = [part.strip() for part in node.astext().split("\n\n") if part.strip()]
    parts = [f"\\begin{{split}}{part}\\end{{split}}" if breaks_lines(part) else part for part in parts]
    if len(parts) == 1:
        return parts[0]
    return "\\begin{aligned}" + " \\\\ ".join(parts) + "\\end{aligned}"


def visit_math(self: Any, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(typeset(self, node, node.astext(), display=False))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(self: Any, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node["number"] and not node["nowrap"]:
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(typeset(self, node, display_tex(node), display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def is_katex_html(app: Sphinx) -> bool:
    builder = app.builder
    return builder.format == "html" and getattr(builder, "math_renderer_name", None) == RENDERER


def embed_fonts(css: str, dist: Path) -> str:
    """KaTeX's stylesheet with each font's WOFF2 file inlined as a data: URI and its WOFF and TTF fallbacks dropped
    (every browser that runs the book's pages reads WOFF2). A browser decodes a font only when a page uses it."""

    def inline(match: re.Match) -> str:
        sources = [source.strip() for source in match[1].split(",")]
        woff2 = next((source for source in sources if source.endswith('format("woff2")')), None)
        if woff2 is None:
            raise ExtensionError(f"KaTeX's stylesheet names no WOFF2 file in {match[0][:120]}")
        path = dist / re.fullmatch(r'url\(([^)]+)\) format\("woff2"\)', woff2)[1]
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    embedded, count = re.subn(r"src:([^;}]+)", inline, css)
    if count == 0:
        raise ExtensionError("KaTeX's stylesheet has no @font-face src to embed")
    return embedded


def builder_inited(app: Sphinx) -> None:
    if not is_katex_html(app):
        return
    dist = katex_dist(app)
    if not (dist / "katex.min.js").is_file():
        raise ExtensionError(f"KaTeX is not installed at {dist}: {INSTALL_HINT}")
    app._katex_warned = set()  # type: ignore[attr-defined]  # docnames with a KaTeX warning in this build
    target = Path(app.outdir) / "_static" / OUT_DIR
    target.mkdir(parents=True, exist_ok=True)
    css = embed_fonts((dist / "katex.min.css").read_text(encoding="utf-8"), dist)
    (target / "katex.min.css").write_text(css, encoding="utf-8")
    copy_asset(str(BOOK_CSS), str(target))


def html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if not is_katex_html(app) or doctree is None or not app.env.get_domain("math").has_equations(pagename):
        return
    app.add_css_file(f"{OUT_DIR}/katex.min.css")
    app.add_css_file(f"{OUT_DIR}/{BOOK_CSS.name}")


def warned_file(app: Sphinx) -> Path:
    return Path(app.doctreedir) / "katex-warned.json"


def outdated_after_warnings(app: Sphinx, env: Any, added: set, changed: set, removed: set) -> list[str]:
    """Pages whose math drew a warning in the last build are written again, so an incremental build of
    unchanged sources warns (and fails under -W) again instead of passing."""
    try:
        warned = json.loads(warned_file(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [docname for docname in warned if docname in env.found_docs]


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    process = getattr(app, "_katex_process", None)
    if process is not None and process.pid == os.getpid():
        process.close()
        app._katex_process = None  # type: ignore[attr-defined]
    if is_katex_html(app) and exception is None:
        warned_file(app).write_text(json.dumps(sorted(app._katex_warned)), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer(RENDERER, (visit_math, None), (visit_displaymath, None))
    app.connect("builder-inited", builder_inited)
    app.connect("html-page-context", html_page_context)
    app.connect("env-get-outdated", outdated_after_warnings)
    app.connect("build-finished", build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
