"""Numbers and arrays formatted for the book: plain text and LaTeX, zeros as 0, never -0."""

from __future__ import annotations

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
