"""Unit tests of _ext/katex_prerender.py's functions that need no Sphinx build.

Embedding KaTeX's fonts in its stylesheet, the TeX a display block becomes, which pages are written again
after a warning, and what ``typeset`` writes
and warns about (with stand-ins for the translator and the node process). One test talks to a real
node process (node and node_modules/katex, as the build does).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import katex_prerender as kp  # noqa: E402

KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"


# ---------------------------------------------------------------------------------------------
# embed_fonts: KaTeX's fonts inside its stylesheet, so a page opened from disk (file://) has them


CSS = """
@font-face{font-family:KaTeX_AMS;font-style:normal;font-weight:400;src:url(fonts/KaTeX_AMS-Regular.woff2) \
format("woff2"),url(fonts/KaTeX_AMS-Regular.woff) format("woff"),url(fonts/KaTeX_AMS-Regular.ttf) format("truetype")}
.katex{font:normal 1.21em KaTeX_Main,Times New Roman,serif}
"""


def test_embed_fonts_inlines_the_woff2_file_and_drops_the_fallbacks(tmp_path):
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "KaTeX_AMS-Regular.woff2").write_bytes(b"wOF2 font bytes")
    css = kp.embed_fonts(CSS, tmp_path)
    assert 'src:url(data:font/woff2;base64,d09GMiBmb250IGJ5dGVz) format("woff2")}' in css  # base64 of the bytes
    assert "url(fonts/" not in css and 'woff")' not in css and "truetype" not in css
    assert ".katex{font:normal 1.21em KaTeX_Main,Times New Roman,serif}" in css  # other rules as they were


def test_embed_fonts_of_katex_own_stylesheet_leaves_no_font_file_to_fetch():
    css = kp.embed_fonts((KATEX_DIST / "katex.min.css").read_text(encoding="utf-8"), KATEX_DIST)
    assert css.count("@font-face") == css.count("data:font/woff2;base64,") > 15
    assert "url(fonts/" not in css


def test_embed_fonts_refuses_a_stylesheet_without_woff2(tmp_path):
    with pytest.raises(ExtensionError):
        kp.embed_fonts('@font-face{font-family:X;src:url(x.ttf) format("truetype")}', tmp_path)
    with pytest.raises(ExtensionError):
        kp.embed_fonts(".katex{color:red}", tmp_path)


# ---------------------------------------------------------------------------------------------
# display_tex


def block(text: str, nowrap: bool = False) -> nodes.math_block:
    node = nodes.math_block(text, text)
    node["nowrap"] = nowrap
    return node


@pytest.mark.parametrize(
    ("text", "tex"),
    [
        ("a = b", "a = b"),
        ("  a = b \n", "a = b"),
        ("a &= b \\\\ c &= d", "\\begin{split}a &= b \\\\ c &= d\\end{split}"),
        ("a = b\n\nc = d", "\\begin{aligned}a = b \\\\ c = d\\end{aligned}"),
        (
            "a = b\n\nc &= d \\\\ e",
            "\\begin{aligned}a = b \\\\ \\begin{split}c &= d \\\\ e\\end{split}\\end{aligned}",
        ),
        ("a = b\n\n\n\n", "a = b"),
        # rows of a matrix are not lines of the formula: no split, so KaTeX can break the line after `=`
        ("x = \\begin{bmatrix} 1 \\\\ 0 \\end{bmatrix}", "x = \\begin{bmatrix} 1 \\\\ 0 \\end{bmatrix}"),
        (
            "\\begin{bmatrix} 1 \\end{bmatrix} \\\\ y",
            "\\begin{split}\\begin{bmatrix} 1 \\end{bmatrix} \\\\ y\\end{split}",
        ),
    ],
    ids=[
        "one-line",
        "stripped",
        "line-breaks-split",
        "blank-line-equations",
        "both",
        "trailing-blank-lines",
        "matrix-rows",
        "matrix-then-line-break",
    ],
)
def test_display_tex_is_what_sphinx_mathjax_renderer_would_typeset_but_for_matrix_rows(text, tex):
    assert kp.display_tex(block(text)) == tex


def test_display_tex_of_a_nowrap_block_is_the_text_as_it_is():
    text = "\\begin{align*} a \\\\ b \\end{align*}\n\nc"
    assert kp.display_tex(block(text, nowrap=True)) == text


# ---------------------------------------------------------------------------------------------
# Which builder renders with KaTeX; which pages are written again


@pytest.mark.parametrize(
    ("fmt", "renderer", "expected"),
    [("html", "katex", True), ("html", "mathjax", False), ("latex", "katex", False), ("html", None, False)],
)
def test_is_katex_html(fmt, renderer, expected):
    builder = SimpleNamespace(format=fmt)
    if renderer is not None:
        builder.math_renderer_name = renderer
    assert kp.is_katex_html(SimpleNamespace(builder=builder)) is expected


def test_pages_that_warned_last_time_are_written_again(tmp_path):
    app = SimpleNamespace(doctreedir=str(tmp_path))
    env = SimpleNamespace(found_docs={"chapters/a", "chapters/b"})
    assert kp.warned_file(app) == tmp_path / "katex-warned.json"
    assert kp.outdated_after_warnings(app, env, set(), set(), set()) == []  # no file yet: nothing
    kp.warned_file(app).write_text(json.dumps(["chapters/a", "chapters/removed"]), encoding="utf-8")
    assert kp.outdated_after_warnings(app, env, set(), set(), set()) == ["chapters/a"]
    kp.warned_file(app).write_text("{not json", encoding="utf-8")
    assert kp.outdated_after_warnings(app, env, set(), set(), set()) == []


def test_build_finished_records_the_pages_that_warned(tmp_path):
    builder = SimpleNamespace(format="html", math_renderer_name="katex")
    app = SimpleNamespace(builder=builder, doctreedir=str(tmp_path), _katex_warned={"b", "a"})
    kp.build_finished(app, None)
    assert json.loads(kp.warned_file(app).read_text(encoding="utf-8")) == ["a", "b"]
    kp.warned_file(app).unlink()
    kp.build_finished(app, RuntimeError("the build failed"))
    assert not kp.warned_file(app).exists()  # a failed build records nothing


# ---------------------------------------------------------------------------------------------
# typeset: the HTML written and the warnings, with a stand-in for the node process


class FakeProcess:
    def __init__(self, answer: dict):
        self.pid, self.answer, self.requests = os.getpid(), answer, []

    def render(self, tex, display):
        self.requests.append((tex, display))
        return self.answer


def fake_translator(answer: dict):
    app = SimpleNamespace(
        _katex_process=FakeProcess(answer),
        _katex_warned=set(),
    )
    return SimpleNamespace(builder=SimpleNamespace(app=app, current_docname="chapters/page"))


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(kp.logger, "warning", lambda msg, *args, **kwargs: seen.append(msg % args))
    return seen


def test_typeset_writes_katex_html(warnings):
    html = '<span class="katex"><span class="mord mathbf">x</span></span>'
    tr = fake_translator({"html": html, "warnings": []})
    node = nodes.math("\\R", "\\R")
    assert kp.typeset(tr, node, "\\R", display=False) == html
    app = tr.builder.app
    assert app._katex_process.requests == [("\\R", False)]
    assert warnings == [] and app._katex_warned == set()


def test_typeset_makes_a_display_formula_focusable(warnings):
    html = '<span class="katex-display"><span class="katex">x</span></span>'
    tr = fake_translator({"html": html, "warnings": []})
    out = kp.typeset(tr, nodes.math_block("x", "x"), "x", display=True)
    assert out == '<span class="katex-display" tabindex="0"><span class="katex">x</span></span>'


def test_typeset_of_a_formula_katex_cannot_read_warns_and_escapes_it(warnings):
    tr = fake_translator({"error": 'Undefined control sequence: \\foo at "\\foo"'})
    node = nodes.math("a < \\foo", "a < \\foo")
    out = kp.typeset(tr, node, "a < \\foo", display=False)
    assert out == (
        '<span class="katex-error" title="Undefined control sequence: \\foo at &quot;\\foo&quot;">a &lt; \\foo</span>'
    )
    assert warnings == ['KaTeX cannot typeset $a < \\foo$: Undefined control sequence: \\foo at "\\foo"']
    assert tr.builder.app._katex_warned == {"chapters/page"}


def test_typeset_passes_on_strict_warnings_and_numbered_lines(warnings):
    tr = fake_translator({"html": '<span class="eqn-num"></span>', "warnings": ["newLineInDisplayMode: ..."]})
    long_source = "x + " * 100
    kp.typeset(tr, nodes.math_block(long_source, long_source), long_source, display=True)
    assert len(warnings) == 2
    assert warnings[0].startswith("KaTeX (strict) in $x + x + ") and warnings[0].endswith(
        " ...$: newLineInDisplayMode: ..."
    )
    assert len(warnings[0].split("$")[1]) == 200 + len(" ...")  # a long formula is cut at 200 characters
    assert "KaTeX numbers the lines of" in warnings[1]
    assert tr.builder.app._katex_warned == {"chapters/page"}


# ---------------------------------------------------------------------------------------------
# The node process itself


def test_katex_process_typesets_reports_errors_and_says_when_node_stopped():
    node = shutil.which("node")
    if node is None or not (KATEX_DIST / "katex.min.js").is_file():
        pytest.fail("needs node (apt-get install nodejs) and node_modules/katex (npm ci)")
    process = kp.KatexProcess(node, KATEX_DIST / "katex.min.js")
    try:
        answer = process.render("\\mathbb{R}^2", False)
        assert answer["warnings"] == []
        assert 'class="katex"' in answer["html"] and "mathbb" in answer["html"]
        assert "\\mathbb{R}^2" in answer["html"]  # the source, in the MathML annotation
        assert "Undefined control sequence" in process.render("\\nosuchcommand", False)["error"]
        assert process.render("a \\\\ b", True)["warnings"]  # a bare \\ in display math: strict
    finally:
        process.close()
    process = kp.KatexProcess(node, ROOT / "no-such-katex.js")  # node exits at once
    with pytest.raises(
        ExtensionError, match=r"(?s)the KaTeX process \(node katex_render.js\) stopped: .*Cannot find module"
    ):
        process.render("x", False)
    process.close()
