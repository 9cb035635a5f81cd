"""A gradient checker: centered finite differences over every parameter entry.

    d loss / d theta_i  ~  (loss(theta + h e_i) - loss(theta - h e_i)) / (2 h)

The error of this estimate is O(h^2) (truncation) plus O(eps / h) (rounding), so in
float64 h around 1e-5 to 1e-6 gives about 10 correct digits.
"""

from __future__ import annotations

import numpy as np

from mlp import core
from mlp.activations import get_activation
from mlp.core import Params
from mlp.errors import InputError
from mlp.losses import get_loss
from mlp.network import backward, forward
from mlp.validate import as_float_array, check_example, check_finite, check_step, float_params


def _arrays(name: str, a) -> list[tuple[str, np.ndarray]]:
    """a as a list of (name, float array): one array, or each array of a sequence of arrays
    of different shapes, such as Params (named a[0], a[1], ...)."""
    if isinstance(a, tuple | list):
        try:
            np.asarray(a)
        except ValueError:  # not one rectangular array: a sequence of arrays, such as Params
            return [named for i, p in enumerate(a) for named in _arrays(f"{name}[{i}]", p)]
    array = as_float_array(f"relative_error: {name}", a)
    check_finite(f"relative_error: {name}", array)
    return [(name, array)]


def relative_error(a, b) -> float:
    """max |a - b| / max(|a| + |b|), with the denominator floored at 1e-300.

    Scale-free: 1e-7 means about seven digits agree. Two zero arrays give 0. a and b are
    arrays of the same shape, or two Params (all four arrays are compared at once, each
    with the array of the same place in the other). Shapes that differ, NaN and inf are
    an InputError.
    """
    xs, ys = _arrays("a", a), _arrays("b", b)
    if len(xs) != len(ys):
        raise InputError(f"relative_error: a is {len(xs)} array(s) but b is {len(ys)}")
    for (name_a, p), (name_b, q) in zip(xs, ys, strict=True):
        if p.shape != q.shape:  # flattening would compare the wrong entries, e.g. of a transposed gradient
            raise InputError(f"relative_error: {name_a} has shape {p.shape} but {name_b} has shape {q.shape}")
    a = np.concatenate([np.ravel(p).astype(np.float64, copy=False) for _, p in xs])
    b = np.concatenate([np.ravel(q).astype(np.float64, copy=False) for _, q in ys])
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    if scale > 1.0:  # divide by a power of two (exact) so that a - b and |a| + |b| cannot overflow
        shift = -int(np.frexp(scale)[1])
        a, b = np.ldexp(a, shift), np.ldexp(b, shift)
    num = np.max(np.abs(a - b), initial=0.0)
    den = max(np.max(np.abs(a) + np.abs(b), initial=0.0), 1e-300)
    return float(num / den)


def centered_differences(f, params: Params, h: float = 1e-6) -> Params:
    """Numerical gradient of the scalar function f(params) for every entry of every array.

    Returns a Params of the same shapes. Each entry costs two calls to f; the inputs
    are copied, never modified.
    """
    h = check_step(h)
    # Float copies: an integer array would round every shifted entry p + h back to an integer.
    params = Params(*float_params(params))
    out = []
    for i, p in enumerate(params):
        g = np.zeros_like(p, dtype=np.float64)
        for idx in np.ndindex(p.shape):
            shifted = [q.copy() for q in params]
            shifted[i][idx] = p[idx] + h
            up = f(Params(*shifted))
            shifted[i][idx] = p[idx] - h
            down = f(Params(*shifted))
            g[idx] = (up - down) / (2.0 * h)
        out.append(g)
    return Params(*out)


def numerical_gradients(params: Params, x, y, activation: str, loss: str = "squared", h: float = 1e-6) -> Params:
    """Centered-difference gradients of the network's loss with respect to every parameter.

    The inputs are checked once; each of the 2 x (number of parameters) losses then runs the
    unchecked core (mlp.core.forward) and takes the loss from the logits.
    """
    checked, f = _network_loss(params, x, y, activation, loss)
    return centered_differences(f, checked, h)


def _network_loss(params: Params, x, y, activation: str, loss: str):
    """The inputs checked once, and the network's loss as a function of its parameters alone: each call runs the
    unchecked core (mlp.core.forward) and takes the loss from the logits. Returns (checked params, f)."""
    act, lossf = get_activation(activation), get_loss(loss)
    params, x, y = check_example(params, x, y)
    X, Y = (a[:, None] if a.ndim == 1 else a for a in (x, y))

    def f(p):
        return lossf.value(Y, core.forward(p, X, act).z2)

    return params, f


ROUNDING = 64  # the loss's own rounding: up to this many units of its last place (a generous bound for a few sums)


class GradientCheck(dict):
    """{"W1": err, "W1_0": err, "W2": err, "W2_0": err}: per parameter, the relative error of the backward pass
    beyond what the centered differences can resolve (0 where every entry agrees within the difference's own error
    bound). Also ``unresolved``: per parameter, how many entries lie below what the difference can resolve (the
    gradient and the difference both within the bound of 0: they agree, but the check says nothing of them), and
    ``bounds``: the error bound of each entry's difference, a Params; and ``raw``: the plain relative errors
    (:func:`relative_error` of each array and its differences), which a right gradient can push up to 1 where the
    differences cannot resolve it."""

    unresolved: dict[str, int]
    bounds: Params
    raw: dict[str, float]


def check_gradients(params: Params, x, y, activation: str, loss: str = "squared", h: float = 1e-6) -> GradientCheck:
    """The backward pass against centered differences, each entry judged within the difference's own error bound.

    A centered difference D(h) = (l(theta + h) - l(theta - h)) / 2h errs by its truncation, h^2 l'''(theta) / 6,
    estimated as |D(2h) - D(h)| / 3 from a second difference at 2h, and by the loss's rounding divided by h
    (ROUNDING units of the loss's last place, and the rounding of theta + h itself). An entry agrees when the
    backward pass lies within twice that bound of D(h); the relative error is what lies beyond it, over the largest
    |a| + |n| of the array. So a right gradient gives 0 at any logit gap, and a wrong one that the difference can
    resolve is still caught. Returns a :class:`GradientCheck` (a dict of the relative errors; ``unresolved``
    counts the entries below what the difference can resolve). Each entry costs four losses.
    """
    analytic = backward(params, x, y, forward(params, x, activation), activation, loss).params()
    theta, f = _network_loss(params, x, y, activation, loss)
    once, twice = centered_differences(f, theta, h), centered_differences(f, theta, 2 * h)
    dtype = np.result_type(*theta, np.asarray(x))  # as the checked x: float32 stays float32
    eps = float(np.finfo(dtype if np.issubdtype(dtype, np.floating) else np.float64).eps)
    scale = abs(f(theta))  # the loss rounds relative to its size
    result, unresolved, bounds, raw = GradientCheck(), {}, [], {}
    for name, a, n, n2, t in zip(Params._fields, analytic, once, twice, theta, strict=True):
        a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
        truncation = np.abs(np.asarray(n2, dtype=np.float64) - n) / 3
        rounding = ROUNDING * eps * scale / h + 2 * eps * np.abs(t) / h * np.abs(n)
        bound = 2 * (truncation + rounding)  # twice the estimate: it is an estimate
        beyond = np.maximum(np.abs(a - n) - bound, 0.0)
        den = max(float(np.max(np.abs(a) + np.abs(n), initial=0.0)), 1e-300)
        result[name] = float(np.max(beyond, initial=0.0) / den)
        unresolved[name] = int(np.count_nonzero((np.abs(n) <= bound) & (np.abs(a) <= bound)))
        bounds.append(bound)
        raw[name] = relative_error(a, n)
    result.unresolved, result.bounds, result.raw = unresolved, Params(*bounds), raw
    return result
