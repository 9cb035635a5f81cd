"""Numbers and arrays formatted for the book: prose, plain text and LaTeX, zeros as 0, never -0."""

from __future__ import annotations

import numpy as np

from mlp.numbers import cells, fmt


def latex_array(a, decimals: int = 4) -> str:
    """A scalar as a number, a vector as a column (bmatrix), a matrix as a bmatrix.

    Vectors are columns, as in the source's notation: [1, 0] becomes
    \\begin{bmatrix} 1 \\\\ 0 \\end{bmatrix}.
    """
    ndim, rows = cells(a, decimals, "latex_array")
    if ndim == 0:
        return rows[0][0]
    rows = [[c] for c in rows[0]] if ndim == 1 else rows  # a vector is a column
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(row) for row in rows) + r" \end{bmatrix}"


MINUS = "\u2212"  # the minus sign of typeset text; "-" is a hyphen


def prose(a, decimals: int = 4) -> str:
    """A number, vector ([a, b]) or matrix ([[a, b], [c, d]]) for a line of prose, through ``fmt``.

    Negative numbers get a true minus sign (U+2212), as in typeset math, not a hyphen:
    ``prose([0.6267, -0.6267])`` is ``"[0.6267, \u22120.6267]"``. (Code output and JSON keep "-".)
    """
    a = np.asarray(a)
    if a.ndim == 0:
        return fmt(a, decimals).replace("-", MINUS)
    return "[" + ", ".join(prose(row, decimals) for row in a) + "]"


def _top_level(latex: str, separator: str) -> list[str]:
    """latex cut at each `separator` outside braces and environments (\\begin ... \\end)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        if latex.startswith(r"\begin", i) or latex[i] == "{":
            depth += 1
        elif latex.startswith(r"\end", i) or latex[i] == "}":
            depth -= 1
        elif depth == 0 and latex.startswith(separator, i):
            parts.append(latex[start:i])
            start = i + len(separator)
            i = start
            continue
        i += 1 if latex[i] != "\\" else 2
    return [*parts, latex[start:]]


def aligned(*pieces: str) -> str:
    """Display math that fits a phone's column: one relation per row, the rows aligned at their equals signs.

    ``aligned(r"a = b = c, \\qquad d = e")`` is the rows ``a = b``, ``= c``, ``d = e``. A further piece that starts
    with + or - continues the row above on a row of its own, indented: ``aligned("W' = W", "- 0.5 G = V")`` is
    ``W' = W``, ``- 0.5 G``, ``= V``. Only the top level is cut: nothing inside braces or a matrix.
    """
    rows = []
    for piece in pieces:
        for equation in _top_level(piece, r"\qquad"):
            first, *rest = (part.strip() for part in _top_level(equation.strip(), "="))
            if first[:1] in "+-":
                rows.append(rf"&\quad {first}")
            elif rest:
                rows.append(f"{first} &= {rest.pop(0)}")
            else:
                raise ValueError(f"no = to align at in {equation.strip()!r}")
            rows += [f"&= {part}" for part in rest]
    return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}"
