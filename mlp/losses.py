"""Losses l(y, y_hat), their gradients with respect to y_hat, and delta2 = dl/dz2 through the softmax.

Shapes: y, y_hat and the logits z2 are (K,) for one example or (K, B) for a batch (examples as
columns). The loss of a batch is the **mean** of the per-example losses, so every gradient here
carries a factor 1/B (B = 1 for a single example), which keeps a learning rate meaningful
whatever the batch size.

Exact at the extremes. Where one logit leads by far, its probability rounds to 1, and
anything computed from the rounded probabilities loses what the loss and its gradient are
made of (1 - y_hat is e^-40 at a gap of 40, not 0). So the network's loss and delta2 are
computed from the logits z2: the cross-entropy through log-sum-exp (:func:`mlp.output_layer.log_softmax`)
(never from clipped probabilities, which would cap it), and, where a probability is near 1
(:func:`near_one`), its 1 - y_hat as the sum of the other probabilities (as
:func:`mlp.output_layer.softmax_complement` does). The functions of y_hat are kept for what a page
computes by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from mlp.errors import lookup
from mlp.output_layer import log_softmax, softmax, sum_of_others, top_mask


def _batch_size(y) -> int:
    """B: the number of columns (examples) of y, or 1 for a single example of shape (K,)."""
    shape = np.shape(y)
    return shape[1] if len(shape) == 2 else 1


def _saturation(dtype) -> float:
    """1 - 2^-k with k a fifth of dtype's significand bits: 1 - 2^-10 in float64, 1 - 2^-4 in float32,
    1 - 2^-2 in float16. Up to it, 1 - y_hat computed plainly loses at most k of those bits (a
    relative error of about 2^-43, 2^-20 or 2^-9 times the few roundings in y_hat itself)."""
    return 1.0 - 2.0 ** -((np.finfo(dtype).nmant + 1) // 5)


SATURATED = {np.dtype(t): _saturation(t) for t in (np.float16, np.float32, np.float64)}


def near_one(y_hat):
    """True where a probability exceeds its dtype's SATURATED (at most one entry per column: they
    sum to 1), or None if none does, the common case, where the plain formulas are exact enough.
    There the exact forms, which cost more, take over."""
    threshold = SATURATED.get(y_hat.dtype)
    if threshold is None:  # another float type, or integers (a one-hot y_hat given by hand): as float64
        threshold = _saturation(y_hat.dtype if np.issubdtype(y_hat.dtype, np.inexact) else np.float64)
    near = y_hat > threshold
    return near if np.count_nonzero(near) else None


def residual(y, z2, y_hat=None):
    """r = y_hat - y from the logits, an entry whose probability is near 1 as (1 - y) - (1 - y_hat),
    exact (see near_one). ``y_hat``, if given, is softmax(z2), already computed. Returns (r, y_hat)."""
    z2, y = np.asarray(z2), np.asarray(y)
    y_hat = softmax(z2) if y_hat is None else y_hat
    r = y_hat - y
    near = near_one(y_hat)  # where y_hat is near 1, its entry is (1 - y) - (1 - y_hat)
    r = r if near is None else np.where(near, (1.0 - y) - sum_of_others(y_hat, near), r)
    return r, y_hat


# --- the squared loss, the source's: 1/2 ||y - y_hat||^2 ------------------------------------------


def squared_loss(y, y_hat):
    """1/2 ||y - y_hat||^2 from probabilities (mean over the columns of a batch)."""
    r = np.asarray(y_hat) - np.asarray(y)
    return 0.5 * float(np.sum(r * r)) / _batch_size(y)


def squared_loss_grad(y, y_hat):
    """d(squared loss)/d y_hat = y_hat - y (divided by B for a batch). Shape of y_hat."""
    return (np.asarray(y_hat) - np.asarray(y)) / _batch_size(y)


def squared_loss_grad_from_logits(y, z2, y_hat=None):
    """y_hat - y (divided by B), an entry whose probability is near 1 exact (see residual). Shape of z2."""
    return residual(y, z2, y_hat)[0] / _batch_size(y)


def squared_loss_from_logits(y, z2):
    """The squared loss of softmax(z2), with the residual computed exactly (see residual)."""
    r, _ = residual(y, z2)
    return 0.5 * float(np.sum(r * r)) / _batch_size(y)


def squared_loss_delta(y, z2, y_hat=None):
    """delta2 = J^T (y_hat - y) / B for the squared loss, without cancellation. Shape of z2.

    J^T r = y_hat * (r - y_hat . r). With m the leading class, y_hat . r = r[m] + sum_j y_hat[j] d[j]
    where d = r - r[m] (because the y_hat sum to 1), so delta2 = y_hat * (d - T) with T = y_hat . d:
    every term is either exact or carries a small weight y_hat[j], where the plain formula
    subtracts two numbers that both round to 1.
    """
    r, y_hat = residual(y, z2, y_hat)
    d = r - np.sum(r, axis=0, where=top_mask(y_hat))  # (K, B): r - r[m], m each column's leading class
    T = np.sum(y_hat * d, axis=0)
    return y_hat * (d - T) / _batch_size(y)


# --- cross-entropy: -sum_k y[k] log y_hat[k] -----------------------------------------------------------


def cross_entropy(y, y_hat):
    """-sum_k y[k] log y_hat[k] from probabilities (mean over a batch); a zero target adds 0.

    A probability that has underflowed to 0 under a positive target gives inf: computed from the
    logits (cross_entropy_from_logits) the same loss is finite and exact.
    """
    y, y_hat = np.asarray(y), np.asarray(y_hat)
    with np.errstate(divide="ignore"):
        terms = np.where(y != 0, y * np.log(np.where(y != 0, y_hat, 1.0)), 0.0)
    return -float(np.sum(terms)) / _batch_size(y) + 0.0  # + 0.0: a zero loss is 0.0, not -0.0


def cross_entropy_grad(y, y_hat):
    """d(cross-entropy)/d y_hat = -y / y_hat (divided by B); 0 where the target is 0. Shape of y_hat.

    Large where the model gives a target class a tiny probability. Through the softmax it
    combines into the bounded cross_entropy_delta.
    """
    y, y_hat = np.asarray(y), np.asarray(y_hat)
    shape = y_hat.shape if y.shape == y_hat.shape else np.broadcast_shapes(y.shape, y_hat.shape)
    out = np.zeros(shape, np.result_type(y_hat, 1.0))  # 0 (not -0) where the target is 0
    # A probability that underflowed to 0 under a target gives -inf, one too small for the dtype's
    # range gives a -y / y_hat beyond it: -inf too, the correctly rounded value. Neither is warned about.
    with np.errstate(divide="ignore", over="ignore"):
        np.divide(-y, y_hat, out=out, where=y != 0)
    out /= _batch_size(y)
    return out


def cross_entropy_grad_from_logits(y, z2, y_hat=None):
    """-y / y_hat (divided by B), 0 where the target is 0; y_hat = softmax(z2) if not given."""
    return cross_entropy_grad(y, softmax(z2) if y_hat is None else y_hat)


def cross_entropy_from_logits(y, z2):
    """-sum_k y[k] log softmax(z2)[k], by log-sum-exp: finite and exact for any finite logits."""
    y = np.asarray(y)
    return -float(np.sum(y * log_softmax(z2))) / _batch_size(y) + 0.0


def cross_entropy_delta(y, z2, y_hat=None):
    """delta2 = J^T grad y_hat for cross-entropy: y_hat * sum(y) - y (divided by B). Shape of z2.

    The softmax Jacobian cancels the 1 / y_hat of the gradient, leaving this bounded form; for
    targets that sum to 1 (one-hot or soft labels) it is y_hat - y. A column's entries sum to 0
    (s sum(y_hat) - sum(y) = s - s), so the entry of a probability near 1, where y_hat * s - y
    would cancel, is computed as minus the sum of the others, which do not.
    """
    z2, y = np.asarray(z2), np.asarray(y)
    y_hat = softmax(z2) if y_hat is None else y_hat
    delta = y_hat * y.sum(axis=0) - y
    near = near_one(y_hat)
    if near is not None:  # the entries near 1: minus the sum of the others (0.0 -: never -0)
        delta = np.where(near, 0.0 - sum_of_others(delta, near), delta)
    return delta / _batch_size(y)


class Loss(NamedTuple):
    """A loss: its value from the logits, its gradient in y_hat, and delta2 from the logits."""

    name: str
    value: Callable  # (y, z2) -> float
    grad: Callable  # (y, z2, y_hat) -> grad y_hat
    delta2: Callable  # (y, z2, y_hat) -> delta2 = J^T grad y_hat
    of_probabilities: Callable  # (y, y_hat) -> float, for a y_hat given without its logits


LOSSES: dict[str, Loss] = {
    "squared": Loss(
        "squared", squared_loss_from_logits, squared_loss_grad_from_logits, squared_loss_delta, squared_loss
    ),
    "cross_entropy": Loss(
        "cross_entropy",
        cross_entropy_from_logits,
        cross_entropy_grad_from_logits,
        cross_entropy_delta,
        cross_entropy,
    ),
}


def get_loss(name: str) -> Loss:
    """Look a loss up by name; an unknown name raises InputError listing the known ones."""
    return lookup("loss", name, LOSSES)
