"""Input checks that turn bad input into one clear sentence instead of a deep traceback.

Every check raises :class:`InputError` (a ValueError) whose message names the array,
the shape it should have and the shape it has.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from mlp.core import Params
from mlp.errors import InputError

__all__ = ["InputError"]


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
    if a.dtype == object:  # rectangular, but numpy could not store the entries as numbers
        return _from_objects(name, a)
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        kinds = {"U": "text", "S": "text", "b": "true/false", "c": "complex numbers", "M": "dates", "m": "durations"}
        raise InputError(f"{name} must contain only real numbers; got {kinds.get(a.dtype.kind, a.dtype.name)}")
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    return a


def _from_objects(name: str, a: np.ndarray) -> np.ndarray:
    """An object array (None, a dict, a Fraction, an integer too large for float64, ...) as
    float64 if every entry is a real number that fits; otherwise name the first one that is not."""
    for index, v in np.ndenumerate(a):
        where = f" at {name}{list(index)}" if index else ""
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise InputError(f"{name} must contain only real numbers; got {v!r}{where}")
        try:
            float(v)
        except OverflowError:
            raise InputError(f"{name} has a number too large for floating point{where}") from None
    return a.astype(np.float64)


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
PARAMS = ("W1", "W1_0", "W2", "W2_0")


def float_params(params, what: str = "params", prefix: str = "") -> tuple[np.ndarray, ...]:
    """The four arrays of params (W1, W1_0, W2, W2_0) as float arrays, named prefix + field."""
    try:
        n = len(params)
    except TypeError:
        n = None
    if n != 4:
        got = f"{n} arrays" if n is not None else repr(params)
        raise InputError(f"{what} must be (W1, W1_0, W2, W2_0); got {got}")
    W1, W1_0, W2, W2_0 = params
    return (
        as_float_array(prefix + "W1", W1),
        as_float_array(prefix + "W1_0", W1_0),
        as_float_array(prefix + "W2", W2),
        as_float_array(prefix + "W2_0", W2_0),
    )


# Where each size comes from, for the messages of arrays that disagree about one.
SIZES = {
    "N": "N, the number of inputs, is x's length and W1's number of rows",
    "N1": "N1, the number of hidden units, is W1's number of columns, W1_0's length and W2's number of rows",
    "K": "K, the number of outputs, is W2's number of columns, W2_0's length and y's length",
}


def _disagree(one: str, many: str, other: str, size: str) -> InputError:
    """Two arrays that disagree about a size: name both, and say where the size comes from."""
    return InputError(f"{one} but {other}: {SIZES[size]} ({many})")


def check_params(params, what: str = "params", prefix: str = "", N: int | None = None, x_is_vector: bool = True):
    """params (W1, W1_0, W2, W2_0) as a Params of float arrays whose shapes fit one another.

    W1 is (N, N1) and W2 is (N1, K); W1_0 must be (N1,) and W2_0 (K,), and N, N1, K must
    each be at least 1. N, if given (by x), is checked first: a transposed W1 is then
    reported as W1's fault. ``prefix`` goes in front of each name in a message ("grad_"
    for gradients). Values are not checked for NaN or inf.
    """
    W1, W1_0, W2, W2_0 = float_params(params, what, prefix)
    if W1.ndim != 2:
        raise InputError(f"{prefix}W1 must be a matrix of shape (N, N1); got shape {_shape(W1.shape)}")
    if W1.size == 0:
        raise InputError(f"{prefix}W1 has shape {_shape(W1.shape)}: a network needs N >= 1 and N1 >= 1")
    N1 = W1.shape[1]
    if N is not None and W1.shape[0] != N:
        if W1.shape[1] == N and W1_0.shape == (W1.shape[0],):  # N1 x N: written with a row per hidden unit
            raise InputError(
                f"{prefix}W1 has shape {_shape(W1.shape)}, expected (N, N1) = {_shape((N, W1.shape[0]))}: it looks"
                f" transposed. W1 has one row per input (row i holds the weights leaving x[i]); pass {prefix}W1.T"
            )
        if not prefix:
            raise _disagree(f"x has {N} {'entries' if x_is_vector else 'rows'}", f"W1 has shape {_shape(W1.shape)}",
                            f"W1 has {W1.shape[0]} rows", "N")  # fmt: skip
        _check_shape(prefix + "W1", W1, (N, N1), "(N, N1)")
    if W1_0.ndim == 1 and W1_0.shape[0] != N1 and not prefix:
        raise _disagree(f"W1_0 has {W1_0.shape[0]} entries", f"W1 has shape {_shape(W1.shape)}",
                        f"W1 has {N1} columns", "N1")  # fmt: skip
    _check_shape(prefix + "W1_0", W1_0, (N1,), "(N1,)")
    if W2.ndim != 2:
        raise InputError(f"{prefix}W2 must be a matrix of shape (N1, K); got shape {_shape(W2.shape)}")
    K = W2.shape[1]
    if W2.shape[0] != N1 and W2.shape[1] == N1 and W2_0.shape == (W2.shape[0],):
        raise InputError(
            f"{prefix}W2 has shape {_shape(W2.shape)}, expected (N1, K) = {_shape((N1, W2.shape[0]))}: it looks"
            f" transposed. W2 has one row per hidden unit; pass {prefix}W2.T"
        )
    if W2.shape[0] != N1 and not prefix:
        raise _disagree(f"W2 has {W2.shape[0]} rows", f"W2 has shape {_shape(W2.shape)}", f"W1 has {N1} columns", "N1")
    _check_shape(prefix + "W2", W2, (N1, K), "(N1, K)")
    if K == 0:
        raise InputError(f"{prefix}W2 has shape {_shape(W2.shape)}: a network needs at least one output (K >= 1)")
    if W2_0.ndim == 1 and W2_0.shape[0] != K and not prefix:
        raise _disagree(f"W2_0 has {W2_0.shape[0]} entries", f"W2 has shape {_shape(W2.shape)}",
                        f"W2 has {K} columns", "K")  # fmt: skip
    _check_shape(prefix + "W2_0", W2_0, (K,), "(K,)")
    return Params(W1, W1_0, W2, W2_0)


def check_example(params, x, y=None, finite=ALL_INPUTS):
    """Check params (W1, W1_0, W2, W2_0), x and optionally y against each other.

    N comes from x, N1 and K from the columns of W1 and W2; everything else must fit.
    Every array's shape is checked; the arrays named in ``finite`` are also checked for
    NaN and inf (the backward pass, which never reads W1, W1_0 or W2_0, skips those).
    Returns the same values as float arrays (a tuple params, x, y).
    """
    x = as_float_array("x", x)
    if x.ndim not in (1, 2):
        raise InputError(f"x must have shape (N,) or (N, B); got {_shape(x.shape)}")
    if x.size == 0:
        if x.shape[0] == 0:
            raise InputError(f"x has shape {_shape(x.shape)}: an example needs at least one input (N >= 1)")
        raise InputError(f"x has shape {_shape(x.shape)}: a batch needs at least one example (B >= 1)")
    params = check_params(params, N=x.shape[0], x_is_vector=x.ndim == 1)  # N comes from x
    W1, W1_0, W2, W2_0 = params
    for name, a in (("x", x), ("W1", W1), ("W1_0", W1_0), ("W2", W2), ("W2_0", W2_0)):
        if name in finite:
            check_finite(name, a)
    if y is not None:
        y = as_float_array("y", y)
        expected = (W2.shape[1], *x.shape[1:])
        if y.ndim == x.ndim and y.shape[0] != W2.shape[1]:
            what_y = f"y has {y.shape[0]} {'entries' if y.ndim == 1 else 'rows'}"
            raise _disagree(what_y, f"W2 has shape {_shape(W2.shape)}", f"W2 has {W2.shape[1]} columns", "K")
        _check_shape("y", y, expected, "(K,)" if x.ndim == 1 else "(K, B)")
        if "y" in finite:
            check_finite("y", y)
    return params, x, y


def check_fields(values, shapes: dict, what: str, finite: bool = True) -> None:
    """Every named field of a Forward or Gradients must be an array of the given shape.

    ``what`` says where the values should come from, for the message ("the Forward that
    forward(params, x) returned").
    """
    for name, shape in shapes.items():
        if not hasattr(values, name):
            raise InputError(f"expected {what}; got {type(values).__name__}, which has no {name}")
        a = as_float_array(name, getattr(values, name))
        if a.shape != shape:
            raise InputError(f"{name} has shape {_shape(a.shape)}, expected {_shape(shape)}: it is not {what}")
        if finite:
            check_finite(name, a)


def check_int(name: str, value, minimum: int = 1) -> int:
    """An integer (not a bool) >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def check_step(h) -> float:
    """A finite-difference step: a finite number > 0."""
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not (math.isfinite(h) and h > 0):
        raise InputError(f"h must be a finite number > 0, such as 1e-6; got {h!r}")
    return float(h)


def check_lr(lr) -> float:
    """A learning rate must be a finite, non-negative real number."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise InputError(f"lr must be a number; got {lr!r}")
    try:
        value = float(lr)
    except OverflowError:  # an integer such as 10**400
        value = math.inf
    if not math.isfinite(value) or value < 0:
        shown = (
            f"{lr!r}"
            if not isinstance(lr, int) or abs(lr) < 10**20
            else f"an integer of {len(str(abs(lr))) if abs(lr) < 10**4300 else 'more than 4300'} digits"
        )
        raise InputError(f"lr must be a finite number >= 0; got {shown}")
    return value + 0.0  # + 0.0: -0.0 becomes 0.0


# ---- training data ----------------------------------------------------------------------------------------------


def check_labels(name: str, labels, K: int | None = None) -> np.ndarray:
    """A 1-D array of integer class numbers, each in 0..K-1 (any non-negative integer if K is None)."""
    a = np.asarray(labels)
    if a.ndim != 1:
        raise InputError(f"{name} must have shape (M,): one class number per example; got shape {a.shape}")
    if a.dtype == bool or not np.issubdtype(a.dtype, np.integer):
        raise InputError(f"{name} must be integer class numbers 0, 1, ..., K-1; got {a.dtype} values")
    if a.size == 0:
        raise InputError(f"{name} is empty: there are no examples")
    top = K - 1 if K is not None else None
    outside = (a < 0) | (a > top) if top is not None else a < 0
    if outside.any():
        i = int(np.argmax(outside))
        allowed = f"0..{top}" if top is not None else "non-negative integers"
        raise InputError(f"{name}[{i}] = {a[i]} is outside the classes {allowed}")
    return a.astype(np.intp, copy=False)


def check_dataset(name: str, X, labels, K: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Check X (N, M) against labels (M,); return them as float64 and integer arrays.

    ``name`` is how the error messages call X ("X" or "X_val"); the labels are called
    ``labels`` or ``labels_val`` to match.
    """
    lname = "labels" + name[1:]
    X = as_float_array(name, X)
    if X.ndim != 2:
        raise InputError(f"{name} must have shape (N, M), one example per column; got shape {X.shape}")
    if X.shape[0] == 0:
        raise InputError(f"{name} has shape {X.shape}: an example needs at least one feature (N >= 1)")
    labels = check_labels(lname, labels, K)
    if labels.size != X.shape[1]:
        hint = f" (examples are columns: if yours are rows, pass {name}.T)" if labels.size == X.shape[0] else ""
        raise InputError(f"{lname} has {labels.size} entries but {name} has {X.shape[1]} columns (examples){hint}")
    check_finite(name, X)
    return X.astype(np.float64, copy=False), labels


# ---- overflow --------------------------------------------------------------------------------------------------------


def overflowed(what: str, lr: float | None = None) -> InputError:
    """The one message for a computation that left float64's range: what overflowed, and what to try. ``lr`` is
    given where a gradient step came first (0: none moved anything, so the inputs or weights themselves did)."""
    if lr is None or lr == 0:
        after = "" if lr is None else " with lr = 0, before any step"
        return InputError(f"{what} overflowed to inf or nan{after}: the weights or inputs are too large")
    return InputError(f"{what} overflowed to inf or nan after the gradient step with lr = {lr:g} (try a smaller lr)")
