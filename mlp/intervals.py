"""The operations of the table of the pass (:mod:`mlp.pass_table`), over intervals.

A reader who rounds each number to 4 decimals and carries on from the rounded numbers drifts
from the exact values; how far depends on the step. Grading (:mod:`mlp.compare`) asks: could this
step, applied to the reader's own earlier numbers, each somewhere within its rounding, give the
reader's number? So every operation here maps intervals to an interval that holds every value
the operation takes over them: ``(lo, hi)``, two float64 arrays of the quantity's shape (matrices
as rows, as in a spec). An exact number is the interval ``(v, v)``; over such intervals the
operations compute the step itself.

The page's script (_static/your_numbers.js) implements the same operations, in the same way;
tests/your_numbers_cases.json holds the two equal. Bounds are those of exact arithmetic on the
float64 ends (no outward rounding): grading allows for that with a slack far below the rounding
it measures.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Interval = tuple[np.ndarray, np.ndarray]


def exact(v) -> Interval:
    a = np.asarray(v, dtype=np.float64)
    return a, a


def around(v, radius: float) -> Interval:
    a = np.asarray(v, dtype=np.float64)
    return a - radius, a + radius


def _clean(lo, hi) -> Interval:
    """nan (inf - inf, 0 * inf in a sum) means the bound is unknown: the whole line."""
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    return np.where(np.isnan(lo), -np.inf, lo), np.where(np.isnan(hi), np.inf, hi)


def add(a: Interval, b: Interval) -> Interval:
    with np.errstate(invalid="ignore"):
        return _clean(a[0] + b[0], a[1] + b[1])


def sub(a: Interval, b: Interval) -> Interval:
    with np.errstate(invalid="ignore"):
        return _clean(a[0] - b[1], a[1] - b[0])


def _times(u, v):
    """u * v with 0 * inf = 0: an exact zero stays zero whatever it multiplies."""
    with np.errstate(invalid="ignore"):
        return np.where((u == 0) | (v == 0), 0.0, u * v)


def mul(a: Interval, b: Interval) -> Interval:
    p = [_times(u, v) for u in a for v in b]
    return _clean(np.minimum.reduce(p), np.maximum.reduce(p))


def total(a: Interval, axis: int = 0) -> Interval:
    """The sum along an axis, term by term in order (as the page's script sums)."""
    lo, hi = np.moveaxis(a[0], axis, 0), np.moveaxis(a[1], axis, 0)
    acc = (np.zeros(lo.shape[1:]), np.zeros(hi.shape[1:]))
    for k in range(lo.shape[0]):
        acc = add(acc, (lo[k], hi[k]))
    return acc


def increasing(f: Callable, a: Interval) -> Interval:
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return _clean(f(a[0]), f(a[1]))


def square(a: Interval) -> Interval:
    lo, hi = a
    small = np.minimum(lo * lo, hi * hi)
    big = np.maximum(lo * lo, hi * hi)
    return np.where((lo <= 0) & (hi >= 0), 0.0, small), big


def s_one_minus_s(a: Interval) -> Interval:
    """s (1 - s): a parabola with its top, 1/4, at s = 1/2."""
    lo, hi = a
    ends = (lo * (1 - lo), hi * (1 - hi))
    top = np.where((lo <= 0.5) & (hi >= 0.5), 0.25, np.maximum(*ends))
    return np.minimum(*ends), top


def one_minus_square(a: Interval) -> Interval:
    sq = square(a)
    return 1 - sq[1], 1 - sq[0]


def _sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _relu(z):
    return np.where(z > 0, z, 0.0)


F = {"sigmoid": _sigmoid, "relu": _relu, "tanh": np.tanh, "identity": lambda z: np.asarray(z, dtype=np.float64)}


def _step01(z) -> np.ndarray:  # relu'(z): 1 where z > 0, else 0 (relu'(0) = 0, as mlp's)
    return np.where(z > 0, 1.0, 0.0)


# ---- the operations, each (inputs..., activation) -> interval -------------------------------------------------


def affine(W: Interval, v: Interval, b: Interval, act: str) -> Interval:
    """W^T v + b, each output a sum over the inputs in order."""
    terms = mul((W[0], W[1]), (v[0][:, None], v[1][:, None]))  # (n, m): W[i, j] v[i]
    return add(total(terms, axis=0), b)


def activation(z: Interval, act: str) -> Interval:
    return increasing(F[act], z)  # every activation is nondecreasing


def softmax(z: Interval, act: str = "") -> Interval:
    """y_hat[k] = 1 / (1 + sum_{j != k} exp(z[j] - z[k])): increasing in z[k], decreasing in the others."""
    lo, hi = z
    K = lo.shape[0]
    out_lo, out_hi = np.empty(K), np.empty(K)
    with np.errstate(over="ignore"):
        for k in range(K):
            a = b = 0.0  # summed in order, as the page's script sums
            for j in range(K):
                if j != k:
                    a += float(np.exp(hi[j] - lo[k]))
                    b += float(np.exp(lo[j] - hi[k]))
            out_lo[k], out_hi[k] = 1 / (1 + a), 1 / (1 + b)
    return out_lo, out_hi


def _logsumexp(z) -> float:
    m = float(np.max(z))
    if not np.isfinite(m):
        return m
    s = 0.0
    for v in z:
        s += float(np.exp(v - m))
    return m + float(np.log(s))


def squared_loss(y: Interval, y_hat: Interval, act: str = "") -> Interval:
    lo, hi = total(square(sub(y_hat, y)))
    return 0.5 * lo, 0.5 * hi


def cross_entropy(y: Interval, y_hat: Interval, act: str = "") -> Interval:
    """-sum_k y[k] log y_hat[k] (a zero target adds 0; a y_hat down to 0 lets the loss be as large as any)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log = _clean(np.where(y_hat[0] > 0, np.log(np.maximum(y_hat[0], 0)), -np.inf), np.log(y_hat[1]))
    return total(mul((-y[1], -y[0]), log))


def cross_entropy_logits(y: Interval, z: Interval, act: str = "") -> Interval:
    """sum_k y[k] (logsumexp(z) - z[k]) = sum(y) logsumexp(z) - y . z; logsumexp increases in every z."""
    lse = (np.asarray(_logsumexp(z[0])), np.asarray(_logsumexp(z[1])))
    return sub(mul(total(y), lse), total(mul(y, z)))


def squared_grad(y: Interval, y_hat: Interval, act: str = "") -> Interval:
    return sub(y_hat, y)


def cross_entropy_grad(y: Interval, y_hat: Interval, act: str = "") -> Interval:
    """-y / y_hat, 0 where the target is 0; any number where y_hat may be 0."""
    lo, hi = y_hat
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = -y[0] / lo, -y[0] / hi
    positive = (lo > 0) | (hi < 0)
    zero = (y[0] == 0) & (y[1] == 0)
    out_lo = np.where(zero, 0.0, np.where(positive, np.minimum(a, b), -np.inf))
    out_hi = np.where(zero, 0.0, np.where(positive, np.maximum(a, b), np.inf))
    return _clean(out_lo, out_hi)


def jacobian(y_hat: Interval, act: str = "") -> Interval:
    """diag(y_hat) - y_hat y_hat^T: y_hat (1 - y_hat) on the diagonal, -y_hat[k] y_hat[i] off it."""
    lo, hi = y_hat
    off = mul((lo[:, None], hi[:, None]), (lo[None, :], hi[None, :]))
    out_lo, out_hi = -off[1], -off[0]
    diag = s_one_minus_s(y_hat)
    idx = np.diag_indices(lo.shape[0])
    out_lo[idx], out_hi[idx] = diag
    return out_lo, out_hi


def jacobian_product(J: Interval, g: Interval, act: str = "") -> Interval:
    """J^T g: entry i is sum_k J[k, i] g[k]."""
    return total(mul(J, (g[0][:, None], g[1][:, None])), axis=0)


def softmax_backward(y_hat: Interval, g: Interval, act: str = "") -> Interval:
    """y_hat * (g - y_hat . g)."""
    inner = total(mul(y_hat, g))
    return mul(y_hat, sub(g, inner))


def cross_entropy_delta2(y: Interval, y_hat: Interval, act: str = "") -> Interval:
    """y_hat * sum(y) - y."""
    return sub(mul(y_hat, total(y)), y)


def outer(a: Interval, b: Interval, act: str = "") -> Interval:
    """a b^T."""
    return mul((a[0][:, None], a[1][:, None]), (b[0][None, :], b[1][None, :]))


def copy(a: Interval, act: str = "") -> Interval:
    return a


def matvec(W: Interval, d: Interval, act: str = "") -> Interval:
    """W d: entry j is sum_k W[j, k] d[k]."""
    return total(mul(W, (d[0][None, :], d[1][None, :])), axis=1)


def hadamard(a: Interval, b: Interval, act: str = "") -> Interval:
    return mul(a, b)


def f_prime(z: Interval, act: str) -> Interval:
    """f'(z) for the activation: sigmoid s (1 - s), tanh 1 - t^2, relu 1 where z > 0 (0 at 0), identity 1."""
    if act == "sigmoid":
        return s_one_minus_s(activation(z, act))
    if act == "tanh":
        return one_minus_square(activation(z, act))
    if act == "relu":
        return _step01(z[0]), _step01(z[1])
    return np.ones_like(z[0]), np.ones_like(z[1])


def f_prime_of_H(H: Interval, act: str) -> Interval:
    """f'(z1) from H = f(z1): H (1 - H) for the sigmoid, 1 - H^2 for tanh."""
    return s_one_minus_s(H) if act == "sigmoid" else one_minus_square(H)


def step(W: Interval, lr: Interval, g: Interval, act: str = "") -> Interval:
    """W - lr g."""
    return sub(W, mul(lr, g))


OPS: dict[str, Callable[..., Interval]] = {
    f.__name__: f
    for f in (
        affine, activation, softmax, squared_loss, cross_entropy, cross_entropy_logits, squared_grad,
        cross_entropy_grad, jacobian, jacobian_product, softmax_backward, cross_entropy_delta2, outer, copy,
        matvec, hadamard, f_prime, f_prime_of_H, step,
    )
}  # fmt: skip
