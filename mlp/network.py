"""The two-layer network of the source, forward and backward, in its own notation.

Shape table (the one the book reuses, kept in :mod:`mlp.shapes`). N inputs, N1 hidden
units, K classes, B examples in a batch; a single example drops the trailing B.

    math                      code              shape    meaning
    x                         x                 (N, B)   input, one example per column
    y                         y                 (K, B)   target (one-hot for classification)
    W1                        W1                (N, N1)  first-layer weights
    W1_0                      W1_0              (N1,)    first-layer bias
    z1 = W1^T x + W1_0        z1                (N1, B)  hidden pre-activation
    H = f(z1)                 H                 (N1, B)  hidden activation
    W2                        W2                (N1, K)  second-layer weights
    W2_0                      W2_0              (K,)     second-layer bias
    z2 = W2^T H + W2_0        z2                (K, B)   output pre-activation (logits)
    y_hat = softmax(z2)       y_hat             (K, B)   predicted probabilities
    grad y_hat                grad_y_hat        (K, B)   loss gradient
    J                         softmax_jacobian  (K, K)   softmax Jacobian
    delta2 = J^T grad y_hat   delta2            (K, B)   output error dl/dz2
    grad W2 = H delta2^T      grad_W2           (N1, K)  gradient of W2
    grad W2_0 = delta2        grad_W2_0         (K,)     gradient of W2_0 (summed over B)
    grad H = W2 delta2        grad_H            (N1, B)  gradient at the hidden layer
    delta1 = grad H * f'(z1)  delta1            (N1, B)  hidden error dl/dz1
    grad W1 = x delta1^T      grad_W1           (N, N1)  gradient of W1
    grad W1_0 = delta1        grad_W1_0         (N1,)    gradient of W1_0 (summed over B)

A gradient always has the shape of what it is taken with respect to. The loss of a batch
is the *mean* over its examples (see :mod:`mlp.losses`), so parameter gradients are sums
over the batch of per-example terms that each carry 1/B.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlp.activations import get_activation
from mlp.losses import get_loss
from mlp.softmax import softmax, softmax_backward
from mlp.validate import (
    PARAMS,
    InputError,
    all_finite,
    as_float_array,
    check_example,
    check_fields,
    check_finite,
    check_int,
    check_lr,
    check_params,
)


class Params(NamedTuple):
    """The four parameter arrays: W1 (N, N1), W1_0 (N1,), W2 (N1, K), W2_0 (K,)."""

    W1: np.ndarray
    W1_0: np.ndarray
    W2: np.ndarray
    W2_0: np.ndarray


class Forward(NamedTuple):
    """Every intermediate of the forward pass, in the layout of x (vector or columns)."""

    z1: np.ndarray
    H: np.ndarray
    z2: np.ndarray
    y_hat: np.ndarray


class Gradients(NamedTuple):
    """Every quantity the backward pass computes, in the order it computes them."""

    grad_y_hat: np.ndarray
    delta2: np.ndarray
    grad_W2: np.ndarray
    grad_W2_0: np.ndarray
    grad_H: np.ndarray
    delta1: np.ndarray
    grad_W1: np.ndarray
    grad_W1_0: np.ndarray

    def params(self) -> Params:
        """The four parameter gradients as a Params, each of its parameter's shape."""
        return Params(self.grad_W1, self.grad_W1_0, self.grad_W2, self.grad_W2_0)


def _columns(a: np.ndarray) -> np.ndarray:
    """View one example (shape (n,)) as a batch of one column (shape (n, 1))."""
    return a[:, np.newaxis] if a.ndim == 1 else a


def _like(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Give a per-example quantity the layout of x: a vector again if x was one."""
    return a[:, 0] if x.ndim == 1 else a


def forward(params: Params, x, activation: str = "sigmoid") -> Forward:
    """Forward pass. x: (N,) or (N, B) -> z1, H: (N1[, B]); z2, y_hat: (K[, B]).

    Raises InputError, naming the array, for a shape that does not fit or a NaN/inf.
    """
    act = get_activation(activation)
    params, x, _ = check_example(params, x, finite=())  # shapes; NaN and inf are caught in z1 and z2
    W1, W1_0, W2, W2_0 = params
    X = _columns(x)  # (N, B)
    # The biases are added to every column (example): W1_0[:, None] is W1_0 as a column.
    # A NaN or inf input (say inf + -inf) would make numpy warn; it is refused just below instead.
    with np.errstate(over="ignore", invalid="ignore"):
        z1 = W1.T @ X + W1_0[:, np.newaxis]  # (N1, B)  z1 = W1^T x + W1_0
        if not all_finite(z1):
            _refuse_non_finite("z1", params, x)
        H = act.f(z1)  # (N1, B)  H = f(z1)
        z2 = W2.T @ H + W2_0[:, np.newaxis]  # (K, B)   z2 = W2^T H + W2_0
        if not all_finite(z2):
            _refuse_non_finite("z2", params, x)
    y_hat = softmax(z2)  # (K, B)   y_hat = softmax(z2)
    return Forward(_like(x, z1), _like(x, H), _like(x, z2), _like(x, y_hat))


def _refuse_non_finite(name: str, params: Params, x: np.ndarray):
    """z1 or z2 holds a NaN or inf: raise InputError naming the input that has one, or the overflow.

    Checking z1 and z2 is enough to catch a NaN or inf anywhere in x, W1, W1_0, W2 or W2_0,
    so forward checks two arrays instead of five. Each z1[j] adds W1[i, j] * x[i] over every
    input i, and W1_0[j]; a NaN or inf among them makes the sum NaN or inf (inf * 0 is NaN).
    Likewise z2 for W2 and W2_0, since H = f(z1) is finite when z1 is.
    """
    check_example(params, x)  # raises InputError for the first input that holds a NaN or inf
    what = "hidden pre-activation z1" if name == "z1" else "logits z2"
    raise InputError(f"the {what} overflowed to inf: the weights or inputs are too large")


def loss_value(y, y_hat, loss: str = "squared") -> float:
    """The loss l(y, y_hat): one example, or the mean over the columns of a batch.

    y and y_hat must have the same shape, (K,) or (K, B): no broadcasting, which would
    silently compare the wrong entries (and a batch's sum would pass for its mean).
    """
    lossf = get_loss(loss)
    y, y_hat = as_float_array("y", y), as_float_array("y_hat", y_hat)
    if y.shape != y_hat.shape or y.ndim not in (1, 2) or y.size == 0:
        raise InputError(
            f"y has shape {y.shape} and y_hat has shape {y_hat.shape}: they must be the same, (K,) for one example"
            " or (K, B) for a batch, with K >= 1 and B >= 1"
        )
    check_finite("y", y)
    check_finite("y_hat", y_hat)
    return lossf.value(y, y_hat)


def backward(params: Params, x, y, fwd: Forward, activation: str = "sigmoid", loss: str = "squared") -> Gradients:
    """Backward pass: every gradient of the loss, from the output back to W1.

    x: (N[, B]), y: (K[, B]) and fwd from forward(params, x, activation). Returns
    Gradients in the layout of x; parameter gradients have their parameter's shape.
    For cross-entropy, delta2 uses the fused, stable form y_hat * sum(y) - y (which is
    y_hat - y for a one-hot target) instead of pushing -y / y_hat through the Jacobian.
    """
    act = get_activation(activation)
    lossf = get_loss(loss)
    # Shapes of everything; NaN/inf only in what this pass reads (x, y, W2): it never reads W1, W1_0, W2_0.
    params, x, y = check_example(params, x, y, finite=("x", "W2", "y"))
    W2 = params.W2
    X, Y = _columns(x), _columns(y)  # (N, B), (K, B)
    hidden = (W2.shape[0], *x.shape[1:])  # (N1[, B])
    try:  # the common case, a Forward of arrays from forward(): three shape comparisons
        z1, H, y_hat = fwd.z1, fwd.H, fwd.y_hat
        fits = z1.shape == hidden and H.shape == hidden and y_hat.shape == y.shape
    except AttributeError:
        fits = False
    if not fits:  # name the field that does not fit, or take lists of the right shapes as arrays
        what = "the Forward that forward(params, x, activation) returned"
        check_fields(fwd, {"z1": hidden, "H": hidden, "y_hat": y.shape}, what, finite=False)
        z1, H, y_hat = (as_float_array(name, getattr(fwd, name)) for name in ("z1", "H", "y_hat"))
    z1, H, y_hat = _columns(z1), _columns(H), _columns(y_hat)

    grad_y_hat = lossf.grad(Y, y_hat)  # (K, B)
    if lossf.fused_delta is not None:
        delta2 = lossf.fused_delta(Y, y_hat)  # (K, B)  = J^T grad_y_hat, simplified
    else:
        delta2 = softmax_backward(y_hat, grad_y_hat)  # (K, B)  delta2 = J^T grad_y_hat
    grad_W2 = H @ delta2.T  # (N1, K)  grad W2 = H delta2^T
    grad_W2_0 = delta2.sum(axis=1)  # (K,)     grad W2_0 = delta2
    grad_H = W2 @ delta2  # (N1, B)  grad H = W2 delta2
    delta1 = grad_H * act.f_prime(z1)  # (N1, B)  delta1 = grad H * f'(z1)
    grad_W1 = X @ delta1.T  # (N, N1)  grad W1 = x delta1^T
    grad_W1_0 = delta1.sum(axis=1)  # (N1,)    grad W1_0 = delta1

    def per_example(a):
        return _like(x, a)

    return Gradients(
        per_example(grad_y_hat),
        per_example(delta2),
        grad_W2,
        grad_W2_0,
        per_example(grad_H),
        per_example(delta1),
        grad_W1,
        grad_W1_0,
    )


def sgd_step(params: Params, grads: Gradients | Params, lr: float, layers=(1, 2)) -> Params:
    """One gradient-descent step W <- W - lr * grad W, returning new Params.

    The old params are left untouched. ``layers`` says which layers move: (1, 2) for
    both (the source's Case 1), (2,) for the second only (Case 2).
    """
    check_lr(lr)
    try:
        moving = set(layers)
    except TypeError:
        moving = None
    if moving is None or not moving <= {1, 2}:
        raise InputError(f"layers must be a subset of (1, 2), such as (1, 2) or (2,); got {layers!r}")
    params = check_params(params)
    g = check_params(grads.params() if isinstance(grads, Gradients) else grads, "grads", "grad_")
    for name, p, gp in zip(PARAMS, params, g, strict=True):
        if gp.shape != p.shape:  # no broadcasting: a gradient has the shape of its parameter
            raise InputError(f"grad_{name} has shape {gp.shape}, but {name} has shape {p.shape}: they must match")
        check_finite(name, p)
        check_finite(f"grad_{name}", gp)
    W1, W1_0, W2, W2_0 = (p.copy() for p in params)  # copies: the result shares nothing with params
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, as InputError
        if 1 in moving:
            W1, W1_0 = W1 - lr * g.W1, W1_0 - lr * g.W1_0
        if 2 in moving:
            W2, W2_0 = W2 - lr * g.W2, W2_0 - lr * g.W2_0
    new = Params(W1, W1_0, W2, W2_0)
    for name, p in zip(PARAMS, new, strict=True):
        if not all_finite(p):
            raise InputError(f"the step overflowed: {name} - lr * grad_{name} is not finite; try an lr below {lr:g}")
    return new


def loss_and_gradients(params: Params, x, y, activation: str = "sigmoid", loss: str = "squared"):
    """Forward, loss and backward in one call: returns (fwd, loss value, Gradients)."""
    fwd = forward(params, x, activation)
    return fwd, loss_value(y, fwd.y_hat, loss), backward(params, x, y, fwd, activation, loss)


def init_params(rng: np.random.Generator, N: int, N1: int, K: int, dtype=np.float64) -> Params:
    """Random parameters: He-scaled normal weights (std sqrt(2 / fan_in)), zero biases.

    Pass a seeded generator, e.g. ``np.random.default_rng(0)``: there is no global state.
    """
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); got {rng!r}")
    N, N1, K = check_int("N", N), check_int("N1", N1), check_int("K", K)
    W1 = rng.standard_normal((N, N1)) * np.sqrt(2.0 / N)
    W2 = rng.standard_normal((N1, K)) * np.sqrt(2.0 / N1)
    return Params(W1.astype(dtype), np.zeros(N1, dtype), W2.astype(dtype), np.zeros(K, dtype))
