"""validate._fast_path accepts exactly what the full check accepts, and returns the same arrays.

The fast path restates check_example's rules for the common case (Params of float ndarrays of one
dtype, fitting shapes, finite values) in a few attribute tests. This test draws inputs near those
rules, on both sides of each (a transposed or short array, a NaN in one array, a second dtype, an
integer array, a list, a 1-D x), and holds the fast path to the full check, run with the fast path
switched off: the same InputError message, or the same arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp import validate
from mlp.core import Params
from mlp.errors import InputError

FINITE = [(), ("x", "W2", "y"), validate.ALL_INPUTS]


def outcome(params, x, y, finite):
    try:
        return validate.check_example(params, x, y, finite=finite)
    except InputError as e:
        return str(e)


@st.composite
def near_valid(draw):
    N, N1, K, B = (draw(st.integers(1, 3)) for _ in range(4))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    shapes = {"W1": (N, N1), "W1_0": (N1,), "W2": (N1, K), "W2_0": (K,), "x": (N, B), "y": (K, B)}
    if draw(st.booleans()):
        shapes["x"], shapes["y"] = (N,), (K,)  # one example
    arrays = {name: np.full(shape, 0.5, dtype) for name, shape in shapes.items()}
    for _ in range(draw(st.integers(0, 2))):  # break a rule, or two
        name = draw(st.sampled_from(sorted(arrays)))
        a = arrays[name]
        change = draw(st.sampled_from(["nan", "inf", "transpose", "short", "dtype", "int", "list", "3d"]))
        floats = isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size
        if change == "nan" and floats:
            a = a.copy()
            a.flat[draw(st.integers(0, a.size - 1))] = np.nan
        elif change == "inf" and floats:
            a = a.copy()
            a.flat[-1] = -np.inf
        elif change == "transpose":
            a = np.asarray(a).T
        elif change == "short":
            a = np.asarray(a)[..., :-1]
        elif change == "dtype":
            a = np.asarray(a)
            a = a.astype(np.float32 if a.dtype == np.float64 else np.float64)
        elif change == "int":
            a = np.ones(np.shape(a), dtype=np.int64)
        elif change == "list":
            a = np.asarray(a).tolist()
        elif change == "3d":
            a = np.asarray(a)[None]
        arrays[name] = a
    params = Params(arrays["W1"], arrays["W1_0"], arrays["W2"], arrays["W2_0"])
    if draw(st.booleans()):
        params = tuple(params)  # a plain tuple takes the full check
    y = arrays["y"] if draw(st.booleans()) else None
    return params, arrays["x"], y, draw(st.sampled_from(FINITE))


@given(near_valid())
def test_the_fast_path_agrees_with_the_full_check(case):
    params, x, y, finite = case
    fast = outcome(params, x, y, finite)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(validate, "_fast_path", lambda *args: None)
        full = outcome(params, x, y, finite)
    assert type(fast) is type(full), (fast, full)
    if isinstance(full, str):
        assert fast == full
        return
    (fast_params, fast_x, fast_y), (full_params, full_x, full_y) = fast, full
    assert isinstance(fast_params, Params)
    for a, b in zip((*fast_params, fast_x, fast_y), (*full_params, full_x, full_y), strict=True):
        if b is None:
            assert a is None
        else:
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def test_the_fast_path_is_taken_for_the_common_case():
    params = Params(np.ones((2, 3)), np.ones(3), np.ones((3, 2)), np.ones(2))
    x, y = np.ones((2, 4)), np.ones((2, 4))
    assert validate._fast_path(params, x, y, validate.ALL_INPUTS) == (params, x, y)
    x_nan = x.copy()
    x_nan[1, 2] = np.nan
    assert validate._fast_path(params, x_nan, y, validate.ALL_INPUTS) is None  # the full check names it
    assert validate._fast_path(params, x_nan, y, ()) is not None  # not asked to look at values
