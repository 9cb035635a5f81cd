"""A gradient checker: centered finite differences over every parameter entry.

    d loss / d theta_i  ~  (loss(theta + h e_i) - loss(theta - h e_i)) / (2 h)

The error of this estimate is O(h^2) (truncation) plus O(eps / h) (rounding), so in
float64 h around 1e-5 to 1e-6 gives about 10 correct digits.
"""

from __future__ import annotations

import numpy as np

from mlp.network import Params, forward, loss_value
from mlp.validate import InputError


def _flat(name: str, a) -> np.ndarray:
    """An array, or a sequence of arrays such as Params, as one float64 vector."""
    if isinstance(a, tuple | list) and any(np.ndim(p) > 0 for p in a):
        return np.concatenate([_flat(name, p) for p in a])
    try:
        return np.ravel(np.asarray(a, dtype=np.float64))
    except (TypeError, ValueError):
        raise InputError(f"relative_error: {name} is not an array of numbers") from None


def relative_error(a, b) -> float:
    """max |a - b| / max(|a| + |b|), with the denominator floored at 1e-300.

    Scale-free: 1e-7 means about seven digits agree. Two zero arrays give 0. a and b are
    arrays of the same shape, or two Params (all four arrays are compared at once).
    """
    a, b = _flat("a", a), _flat("b", b)
    if a.shape != b.shape:
        raise InputError(f"relative_error: a has {a.size} entries but b has {b.size}")
    num = np.max(np.abs(a - b), initial=0.0)
    den = max(np.max(np.abs(a) + np.abs(b), initial=0.0), 1e-300)
    return float(num / den)


def centered_differences(f, params: Params, h: float = 1e-6) -> Params:
    """Numerical gradient of the scalar function f(params) for every entry of every array.

    Returns a Params of the same shapes. Each entry costs two calls to f; the inputs
    are copied, never modified.
    """
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


def numerical_gradients(params: Params, x, y, activation="sigmoid", loss="squared", h: float = 1e-6) -> Params:
    """Centered-difference gradients of the network's loss with respect to every parameter."""

    def f(p):
        return loss_value(y, forward(p, x, activation).y_hat, loss)

    return centered_differences(f, params, h)


def check_gradients(params: Params, x, y, activation="sigmoid", loss="squared", h: float = 1e-6) -> dict:
    """Relative error of the backward pass against centered differences, per parameter.

    Returns {"W1": err, "W1_0": err, "W2": err, "W2_0": err}.
    """
    from mlp.network import loss_and_gradients

    analytic = loss_and_gradients(params, x, y, activation, loss)[2].params()
    numeric = numerical_gradients(params, x, y, activation, loss, h)
    return {name: relative_error(a, n) for name, a, n in zip(Params._fields, analytic, numeric, strict=True)}
