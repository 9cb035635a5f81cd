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
