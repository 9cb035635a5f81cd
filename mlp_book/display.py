"""Numbers and arrays formatted for the book: prose, plain text and LaTeX, zeros as 0, never -0."""

from __future__ import annotations

import math

import numpy as np

from mlp.errors import InputError
from mlp.explain import fmt


def latex_array(a, decimals: int = 4) -> str:
    """A scalar as a number, a vector as a column (bmatrix), a matrix as a bmatrix.

    Vectors are columns, as in the source's notation: [1, 0] becomes
    \\begin{bmatrix} 1 \\\\ 0 \\end{bmatrix}.
    """
    a = np.asarray(a)
    if a.ndim == 0:
        return fmt(a, decimals)
    rows = a[:, np.newaxis] if a.ndim == 1 else a
    if rows.ndim != 2:
        raise InputError(f"latex_array takes a scalar, vector or matrix; got shape {a.shape}")
    body = r" \\ ".join(" & ".join(fmt(v, decimals) for v in row) for row in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


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


def magnitude(value: float) -> str:
    """A number whose digits are rounding error, shown only as its nearest power of ten: 6.8e-10 -> "1e-9".

    A finite-difference check measures rounding error, and its digits differ between machines (the last bits
    of every loss differ; divided by a tiny 2h, they move the second digit). What a machine does not change is
    the order of magnitude, so that is all a page shows and stores of such a number.
    """
    if value == 0:
        return "0"
    return f"1e{round(math.log10(abs(float(value))))}"


def bound(value: float) -> str:
    """The smallest power of ten above a rounding-error number, for "below ..." claims: 4.2e-9 -> "1e-8"."""
    if value == 0:
        return "0"
    return f"1e{math.ceil(math.log10(abs(float(value))))}"
