"""Search finds a formula's symbols by name and by glyph: "delta" and "δ" find every page whose math has ``\\delta``.

Sphinx indexes a formula as the TeX its author wrote, split into words at every character that is not a letter, digit
or underscore: ``\\delta^{[2]}`` gives the word "delta", but ``\\delta_2`` gives "delta_2", which a search for
"delta" does not find, and the glyph "δ" that the reader sees is in no formula's TeX at all. This extension registers
the book's English search language (Sphinx's own, ``sphinx.search.en``, with its stemmer and stop words), whose
splitter first rewrites each TeX command it knows as the symbol's name and glyph (``\\delta`` as "delta δ",
``\\nabla`` as "nabla ∇ gradient", ``\\hat{y}`` as "y_hat ŷ") and drops the commands that only lay a formula out
(``\\frac``, ``\\left``, ``\\mathbf``, ``\\begin{bmatrix}``, ...). Nothing is added to the page: only the index
(searchindex.js) changes. The splitter sees text, not nodes; the commands it rewrites are TeX's, so outside math
(code that prints TeX, say) they mean the same symbols.

A word of prose that holds a Greek letter (``δ₂`` written as Unicode) is indexed with that letter on its own too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sphinx.application import Sphinx
from sphinx.search.en import SearchEnglish
from tex_glyphs import ACCENT_MARKS, GREEK

# A command's words in the index: its name, the glyph the reader sees, and what the book calls it. Only a letter
# is a word (∇, ∂ or ≤ is not, to Sphinx's splitter in Python or in the browser): "nabla" finds ∇, "∇" nothing.
SYMBOLS = {name: f"{name.lower()} {glyph}" for name, glyph in GREEK.items()}
SYMBOLS["epsilon"] = "epsilon ϵ ε"
SYMBOLS["varepsilon"] = "epsilon varepsilon ε ϵ"
SYMBOLS["phi"] = "phi ϕ φ"
SYMBOLS["varphi"] = "phi varphi φ ϕ"
SYMBOLS.update(
    {
        "nabla": "nabla gradient",
        "partial": "partial derivative",
        "ell": "ell ℓ loss",
        "prod": "prod product",
        "odot": "odot hadamard",
        "top": "transpose",
        "intercal": "transpose",
        "infty": "infinity",
    }
)

# Commands that only lay a formula out: not words a reader searches for.
LAYOUT = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr frac dfrac tfrac mathbf mathrm mathit mathsf "
    "mathcal mathbb boldsymbol bm text textrm textbf textit operatorname displaystyle textstyle scriptstyle "
    "quad qquad cdots ldots dots vdots ddots underbrace overbrace underset overset limits nolimits tag label "
    "hspace vspace phantom hphantom vphantom mkern mathop mathrel mathbin color colorbox boxed "
    "hat bar tilde vec".split()
)

ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[^}]*\}")
# \hat{y}, \hat y, \hat{\mathbf{y}}: the accent on one letter
ACCENTED = re.compile(r"\\(hat|bar|tilde|vec)\s*(?:\{\s*(?:\\math[a-z]+\s*\{\s*)?([A-Za-z])\s*\}?\s*\}|([A-Za-z]))")
MATHBB = re.compile(r"\\mathbb\s*\{\s*([A-Za-z0-9])\s*\}")
DOUBLE_STRUCK = {"R": "ℝ reals", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼 expectation", "1": "𝟙 indicator"}
COMMAND = re.compile(r"\\([A-Za-z]+)")
GLYPHS = frozenset("".join(GREEK.values()) + "ℓ")


def accented(match: re.Match) -> str:
    name, mark = match[1], ACCENT_MARKS[match[1]]
    letter = match[2] or match[3]
    return f" {letter} {letter}_{name} {unicodedata.normalize('NFC', letter + mark)} "


def double_struck(match: re.Match) -> str:
    return f" {match[1]} {DOUBLE_STRUCK.get(match[1], '')} "


def command(match: re.Match) -> str:
    name = match[1]
    if name in SYMBOLS:
        return f" {SYMBOLS[name]} {match[0]}"  # and the command, which keeps its subscript: delta_2 as before
    if name in LAYOUT:
        return " "
    return match[0]


def symbol_words(text: str) -> str:
    """The text with each TeX command it knows written as the words a reader searches for."""
    if "\\" not in text:
        return text
    text = ENVIRONMENT.sub(" ", text)
    text = ACCENTED.sub(accented, text)
    text = MATHBB.sub(double_struck, text)
    return COMMAND.sub(command, text)


class MathSearchEnglish(SearchEnglish):
    """Sphinx's English search, whose words include each formula's symbols by name and glyph."""

    def split(self, input: str) -> list[str]:
        words = super().split(symbol_words(input))
        glyphs = [char for word in words if len(word) > 1 for char in word if char in GLYPHS]
        return words + glyphs


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(MathSearchEnglish)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
