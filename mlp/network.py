"""The public, checked network: forward, backward, loss, gradient step, in the source's notation.

Each function checks its inputs once (shapes, dtypes, NaN and inf; InputError names the array,
the shape it should have and the index of a NaN) and then calls the unchecked core,
:mod:`mlp.core`, where the equations are.

Shape table (the one the book reuses, kept in :mod:`mlp.shapes`). N inputs, N1 hidden
units, K classes, B examples in a batch; a single example drops the trailing B.

    math                             code              shape    meaning
    x                                x                 (N, B)   input, one example per column
    y                                y                 (K, B)   target (one-hot for classification)
    W1                               W1                (N, N1)  first-layer weights
    W1_0                             W1_0              (N1,)    first-layer bias
    W2                               W2                (N1, K)  second-layer weights
    W2_0                             W2_0              (K,)     second-layer bias
    z1 = W1^T x + W1_0               z1                (N1, B)  hidden pre-activation
    H = f(z1)                        H                 (N1, B)  hidden activation
    z2 = W2^T H + W2_0               z2                (K, B)   output pre-activation (logits)
    y_hat = softmax(z2)              y_hat             (K, B)   predicted probabilities
    loss = l(y, y_hat)               loss              ()       the loss: the mean over the B columns
    grad_y_hat = dl/dy_hat           grad_y_hat        (K, B)   loss gradient dl/dy_hat
    J = diag(y_hat) - y_hat y_hat^T  softmax_jacobian  (K, K)   softmax Jacobian dy_hat/dz2 (one example)
    delta2 = J^T grad_y_hat          delta2            (K, B)   output error dl/dz2
    grad_W2 = H delta2^T             grad_W2           (N1, K)  gradient of W2
    grad_W2_0 = delta2               grad_W2_0         (K,)     gradient of W2_0: delta2 summed over the B columns
    grad_H = W2 delta2               grad_H            (N1, B)  gradient at the hidden layer
    f'(z1)                           f_prime_z1        (N1, B)  the activation's slope at z1
    delta1 = grad_H * f'(z1)         delta1            (N1, B)  hidden error dl/dz1
    grad_W1 = x delta1^T             grad_W1           (N, N1)  gradient of W1
    grad_W1_0 = delta1               grad_W1_0         (N1,)    gradient of W1_0: delta1 summed over the B columns

A gradient always has the shape of what it is taken with respect to. The loss of a batch
is the *mean* over its examples (see :mod:`mlp.losses`), so parameter gradients are sums
over the batch of per-example terms that each carry 1/B.
"""

from __future__ import annotations

import numpy as np

from mlp import core
from mlp.activations import get_activation
from mlp.core import Forward, Gradients, Params
from mlp.errors import InputError
from mlp.losses import get_loss
from mlp.validate import (
    PARAMS,
    all_finite,
    as_float_array,
    check_example,
    check_fields,
    check_finite,
    check_int,
    check_lr,
    check_params,
    overflowed,
)

__all__ = ["Forward", "Gradients", "Params", "backward", "forward", "init_params", "loss_value", "sgd_step"]


def _columns(a: np.ndarray) -> np.ndarray:
    """View one example (shape (n,)) as a batch of one column (shape (n, 1))."""
    return a[:, None] if a.ndim == 1 else a


def _like(x: np.ndarray, values: tuple, per_example=None) -> tuple:
    """values (a Forward or Gradients) in the layout of x: per-example quantities (those named in
    per_example; default all) are vectors again if x was one. Parameter gradients keep their shape."""
    if x.ndim == 2:
        return values
    return type(values)(
        *(
            v[:, 0] if per_example is None or name in per_example else v
            for name, v in zip(values._fields, values, strict=True)
        )
    )


def forward(params: Params, x, activation: str) -> Forward:
    """Forward pass. x: (N,) or (N, B) -> z1, H: (N1[, B]); z2, y_hat: (K[, B]).

    Raises InputError, naming the array, for a shape that does not fit or a NaN/inf.
    """
    act = get_activation(activation)
    params, x, _ = check_example(params, x, finite=())  # shapes; NaN and inf are caught in z1 and z2
    with np.errstate(over="ignore", invalid="ignore"):  # a NaN or inf is refused just below, not warned about
        fwd = core.forward(params, _columns(x), act)
    for name in ("z1", "z2"):
        if not all_finite(getattr(fwd, name)):
            _refuse_non_finite(name, params, x)
    return _like(x, fwd)


def _refuse_non_finite(name: str, params: Params, x: np.ndarray):
    """z1 or z2 holds a NaN or inf: raise InputError naming the input that has one, or the overflow.

    Checking z1 and z2 is enough to catch a NaN or inf anywhere in x, W1, W1_0, W2 or W2_0,
    so forward checks two arrays instead of five. Each z1[j] adds W1[i, j] * x[i] over every
    input i, and W1_0[j]; a NaN or inf among them makes the sum NaN or inf (inf * 0 is NaN).
    Likewise z2 for W2 and W2_0, since H = f(z1) is finite when z1 is.
    """
    check_example(params, x)  # raises InputError for the first input that holds a NaN or inf
    what = "hidden pre-activation z1" if name == "z1" else "logits z2"
    raise overflowed(f"the {what}")


def loss_value(y, fwd, loss: str = "squared") -> float:
    """The loss l(y, y_hat): one example, or the mean over the columns of a batch.

    Pass the Forward of the pass (exact: computed from its logits z2, as mlp.backward does) or
    an array y_hat of probabilities. y and y_hat must have the same shape, (K,) or (K, B): no
    broadcasting, which would silently compare the wrong entries.
    """
    lossf = get_loss(loss)
    logits = isinstance(fwd, Forward)
    y_hat = as_float_array("z2" if logits else "y_hat", fwd.z2 if logits else fwd)
    y = as_float_array("y", y)
    if y.shape != y_hat.shape or y.ndim not in (1, 2) or y.size == 0:
        raise InputError(
            f"y has shape {y.shape} and y_hat has shape {y_hat.shape}: they must be the same, (K,) for one example"
            " or (K, B) for a batch, with K >= 1 and B >= 1"
        )
    check_finite("y", y)
    check_finite("z2" if logits else "y_hat", y_hat)
    return lossf.value(y, y_hat) if logits else lossf.of_probabilities(y, y_hat)


def backward(params: Params, x, y, fwd: Forward, activation: str, loss: str = "squared") -> Gradients:
    """Backward pass: every gradient of the loss, from the output back to W1.

    x: (N[, B]), y: (K[, B]) and fwd from forward(params, x, activation). Returns
    Gradients in the layout of x; parameter gradients have their parameter's shape.
    delta2 = J^T grad y_hat is computed from the logits in a form without cancellation
    (for cross-entropy, y_hat * sum(y) - y, which is y_hat - y for a one-hot target).
    """
    act = get_activation(activation)
    lossf = get_loss(loss)
    # Shapes of everything; NaN/inf only in what this pass reads (x, y, W2): it never reads W1, W1_0, W2_0.
    params, x, y = check_example(params, x, y, finite=("x", "W2", "y"))
    hidden = (params.W2.shape[0], *x.shape[1:])  # (N1[, B])
    try:  # the common case, a Forward of arrays from forward(): four shape comparisons
        fits = fwd.z1.shape == hidden and fwd.H.shape == hidden and fwd.z2.shape == fwd.y_hat.shape == y.shape
    except AttributeError:
        fits = False
    if not fits:  # name the field that does not fit, or take lists of the right shapes as arrays
        what = "the Forward that forward(params, x, activation) returned"
        check_fields(fwd, {"z1": hidden, "H": hidden, "z2": y.shape, "y_hat": y.shape}, what, finite=False)
        fwd = Forward(*(as_float_array(name, getattr(fwd, name)) for name in Forward._fields))
    if x.ndim == 2:
        return core.backward(params, x, y, fwd, act, lossf)
    grads = core.backward(params, _columns(x), _columns(y), Forward(*map(_columns, fwd)), act, lossf)
    return _like(x, grads, per_example=core.PER_EXAMPLE)


def sgd_step(params: Params, grads: Gradients | Params, lr: float, layers=(1, 2)) -> Params:
    """One gradient-descent step W <- W - lr * grad W, returning new Params.

    The old params are left untouched, and the result shares no array with them. ``layers``
    says which layers move: (1, 2) for both (the source's Case 1), (2,) for the second only (Case 2).
    """
    lr = check_lr(lr)
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
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, as InputError
        new = core.step(params, g, lr, tuple(moving))
    new = Params(*(n.copy() if n is p else n for n, p in zip(new, params, strict=True)))  # share nothing
    for name, p in zip(PARAMS, new, strict=True):
        if not all_finite(p):
            raise overflowed(f"the step's {name} - lr * grad_{name}", lr)
    return new


def loss_and_gradients(params: Params, x, y, activation: str, loss: str = "squared"):
    """Forward, loss and backward in one call: returns (fwd, loss value, Gradients)."""
    fwd = forward(params, x, activation)
    return fwd, loss_value(y, fwd, loss), backward(params, x, y, fwd, activation, loss)


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
