"""Numbers for people, in one place: every number mlp and the book show goes through :func:`fmt`.

``fmt`` writes one number (4 decimals, exact zeros as 0, never -0); :func:`cells` is the one shape check and
layout of a scalar, vector or matrix, on which :func:`format_array` (text), the book's LaTeX and prose
(mlp_book.display) and its figures (mlp_book.figures) build; :func:`to_jsonable` is what ``explain --json``
writes; :func:`magnitude` is how a rounding error is shown (only its power of ten).
"""

from __future__ import annotations

import math

import numpy as np

from mlp.errors import InputError
from mlp.validate import all_finite


def to_jsonable(value):
    """Arrays become nested lists in spec layout; -0.0 becomes 0.0; an entry beyond float64's range
    (only grad_y_hat's -y / y_hat can be) becomes null, since JSON has no infinity."""
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    a = np.asarray(value, dtype=np.float64) + 0.0  # + 0.0 turns -0.0 into 0.0
    if all_finite(a):
        return a.tolist()
    return np.where(np.isfinite(a), a, None).tolist()


def fmt(v: float, decimals: int = 4) -> str:
    """A number for people: exact zeros as 0, whole numbers without decimals, others
    rounded to ``decimals`` places, and magnitudes from 1e15 on in scientific notation;
    never a minus sign in front of a zero."""
    v = float(v)
    if v == 0:
        return "0"
    if not np.isfinite(v):
        return "nan" if np.isnan(v) else "inf" if v > 0 else "-inf"
    if abs(v) >= 1e15:  # digits beyond the 16th are not data: 1e308 as 309 digits would mislead
        return f"{v:.{decimals}e}"
    if v.is_integer():
        return str(int(v))
    s = f"{v:.{decimals}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def cells(a, decimals: int = 4, who: str = "format_array") -> tuple[int, list[list[str]]]:
    """A scalar, vector or matrix as its number of dimensions and rows of numbers written by fmt: a scalar is one
    row of one, a vector one row. Anything else is an InputError that names ``who``."""
    a = np.asarray(a)
    if a.ndim > 2:
        raise InputError(f"{who} takes a scalar, vector or matrix; got shape {a.shape}")
    rows = a.reshape(1, -1) if a.ndim < 2 else a
    return a.ndim, [[fmt(v, decimals) for v in row] for row in rows]


def format_array(a, decimals: int = 4, indent: int = 0) -> str:
    """A vector as [a, b], a matrix as rows of aligned columns, one row per line."""
    ndim, rows = cells(a, decimals)
    if ndim == 0:
        return rows[0][0]
    if ndim == 1:
        return "[" + ", ".join(rows[0]) + "]"
    if not any(rows):
        return "[" + ", ".join("[]" for _ in rows) + "]"
    width = max(len(c) for row in rows for c in row)
    lines = ["[" + ", ".join(c.rjust(width) for c in row) + "]" for row in rows]
    pad = " " * (indent + 1)
    return "[" + ("\n" + pad).join(lines) + "]"


def magnitude(value: float, up: bool = False) -> str:
    """A number whose digits are rounding error, shown only as a power of ten: its nearest (6.8e-10 -> "1e-9"), or
    with ``up`` the smallest above it, for "below ..." claims (4.2e-9 -> "1e-8").

    A finite-difference check measures rounding error, and its digits differ between machines (the last bits
    of every loss differ; divided by a tiny 2h, they move the second digit). What a machine does not change is
    the order of magnitude, so that is all a page shows and stores of such a number.
    """
    if value == 0:
        return "0"
    exponent = math.log10(abs(float(value)))
    return f"1e{math.ceil(exponent) if up else round(exponent)}"
