"""Input checks that turn bad input into one clear sentence instead of a deep traceback.

Every check raises :class:`InputError` (a ValueError) whose message names the array,
the shape it should have and the shape it has.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


class InputError(ValueError):
    """Bad input to mlp: the message says what is wrong and where."""


def _shape(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def as_float_array(name: str, value) -> np.ndarray:
    """value as a floating-point array; integers become float64, other dtypes are refused."""
    try:
        a = np.asarray(value)
    except ValueError:
        raise InputError(f"{name} is not a rectangular array of numbers (rows of different lengths?)") from None
    if a.dtype.kind == "f":  # already floating point: the common case, and the cheapest test
        return a
    if a.dtype == object:
        raise InputError(f"{name} is not a rectangular array of numbers (rows of different lengths?)")
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        kinds = {"U": "text", "S": "text", "b": "true/false", "c": "complex numbers", "M": "dates", "m": "durations"}
        raise InputError(f"{name} must contain only real numbers; got {kinds.get(a.dtype.kind, a.dtype.name)}")
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    return a


def all_finite(a: np.ndarray) -> bool:
    """True if no entry of a is NaN or inf.

    Counting the finite entries gives the same answer as np.isfinite(a).all() and, on the
    small arrays of a forward or backward pass, in about half the time.
    """
    return np.count_nonzero(np.isfinite(a)) == a.size


def check_finite(name: str, a: np.ndarray) -> None:
    """Refuse NaN and inf, naming the first offending entry."""
    if not all_finite(a):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        where = f" at index {list(bad)}" if bad else ""
        raise InputError(f"{name} contains {a[bad]}{where}: values must be finite")


def _check_shape(name: str, a: np.ndarray, expected: tuple, symbols: str) -> None:
    if a.shape != expected:
        raise InputError(f"{name} has shape {_shape(a.shape)}, expected {symbols} = {_shape(expected)}")


ALL_INPUTS = ("x", "W1", "W1_0", "W2", "W2_0", "y")


def check_example(params, x, y=None, finite=ALL_INPUTS):
    """Check params (W1, W1_0, W2, W2_0), x and optionally y against each other.

    N comes from x, N1 and K from the columns of W1 and W2; everything else must fit.
    Every array's shape is checked; the arrays named in ``finite`` are also checked for
    NaN and inf (the backward pass, which never reads W1, W1_0 or W2_0, skips those).
    Returns the same values as float arrays (a tuple params, x, y).
    """
    from mlp.network import Params  # local import: network imports this module

    if len(params) != 4:
        raise InputError(f"params must be (W1, W1_0, W2, W2_0); got {len(params)} arrays")
    W1, W1_0, W2, W2_0 = params
    W1, W1_0 = as_float_array("W1", W1), as_float_array("W1_0", W1_0)
    W2, W2_0 = as_float_array("W2", W2), as_float_array("W2_0", W2_0)
    x = as_float_array("x", x)
    if x.ndim not in (1, 2):
        raise InputError(f"x must have shape (N,) or (N, B); got {_shape(x.shape)}")
    if W1.ndim != 2:
        raise InputError(f"W1 must be a matrix of shape (N, N1); got shape {_shape(W1.shape)}")
    N, N1 = x.shape[0], W1.shape[1]
    _check_shape("W1", W1, (N, N1), "(N, N1)")
    _check_shape("W1_0", W1_0, (N1,), "(N1,)")
    if W2.ndim != 2:
        raise InputError(f"W2 must be a matrix of shape (N1, K); got shape {_shape(W2.shape)}")
    K = W2.shape[1]
    _check_shape("W2", W2, (N1, K), "(N1, K)")
    _check_shape("W2_0", W2_0, (K,), "(K,)")
    for name, a in (("x", x), ("W1", W1), ("W1_0", W1_0), ("W2", W2), ("W2_0", W2_0)):
        if name in finite:
            check_finite(name, a)
    if y is not None:
        y = as_float_array("y", y)
        expected = (K, *x.shape[1:])
        _check_shape("y", y, expected, "(K,)" if x.ndim == 1 else "(K, B)")
        if "y" in finite:
            check_finite("y", y)
    return Params(W1, W1_0, W2, W2_0), x, y


def check_lr(lr) -> float:
    """A learning rate must be a finite, non-negative real number."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise InputError(f"lr must be a number; got {lr!r}")
    if not math.isfinite(lr) or lr < 0:
        raise InputError(f"lr must be a finite number >= 0; got {lr!r}")
    return float(lr)
