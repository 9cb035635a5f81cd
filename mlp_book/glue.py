"""Glue a value into the book, stored so that its bytes do not depend on the machine.

The rule, written down once: **every float that a page stores is rounded to 10 significant
digits** (``SIGNIFICANT_DIGITS``) before it is glued. A page shows at most 4 decimals or 2
significant digits of it, so nothing a reader sees is lost. What is dropped is the last five
or six digits of a float64, which differ between machines: another BLAS kernel
(``OPENBLAS_CORETYPE``), numpy's SIMD path for exp and log, or another libm rounds the last
bit differently. A notebook stores what its cells glue, and strict nbval compares the stored
text byte for byte with a fresh run; a float stored at full precision
(``0.2146458712377283`` on one machine, ``0.21464587123772821`` on another) fails that
comparison on a machine nobody changed.

Floats inside lists, tuples, dicts and numpy arrays are rounded too. Everything else
(integers, strings, LaTeX, figures) is glued as it is.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

SIGNIFICANT_DIGITS = 10


def stable(value):
    """value with every float rounded to SIGNIFICANT_DIGITS significant digits (see above).

    0.21464587123772821 -> 0.2146458712; -0.0 -> 0.0; integers, strings and other objects
    are returned unchanged.
    """
    if isinstance(value, bool | numbers.Integral | str):
        return value
    if isinstance(value, numbers.Real):  # float and numpy floating scalars
        return float(f"{float(value):.{SIGNIFICANT_DIGITS}g}") + 0.0  # + 0.0: never -0.0
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.array([stable(v) for v in value.ravel()], dtype=np.float64).reshape(value.shape)
    if isinstance(value, list | tuple):
        return type(value)(stable(v) for v in value)
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items()}
    return value


def glue(name: str, value, display: bool = False):
    """myst_nb.glue(name, stable(value), display): the page formats the stored value, e.g. ``:.4f``."""
    from myst_nb import glue as myst_glue

    return myst_glue(name, stable(value), display=display)


def magnitude(value: float) -> str:
    """A number whose digits are rounding error, shown only as its nearest power of ten: 6.8e-10 -> "1e-9".

    A finite-difference check measures rounding error, and its digits differ between machines (the last bits
    of every loss differ; divided by a tiny 2h, they move the second digit). What a machine does not change is
    the order of magnitude, so that is all a page shows and stores of such a number.
    """
    return f"1e{round(math.log10(abs(float(value))))}"


def bound(value: float) -> str:
    """The smallest power of ten above a rounding-error number, for "below ..." claims: 4.2e-9 -> "1e-8"."""
    return f"1e{math.ceil(math.log10(abs(float(value))))}"
