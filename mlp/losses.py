"""Losses l(y, y_hat) for one example, their gradients with respect to y_hat, and the
fused softmax + cross-entropy delta.

Shapes: y and y_hat are (K,) for one example or (K, B) for a batch (examples as
columns). The loss of a batch is the **mean** of the per-example losses, so every
gradient here carries a factor 1/B (B = 1 for a single example). That keeps a learning
rate meaningful whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from mlp.validate import InputError


def _batch_size(y) -> int:
    """B: the number of columns (examples) of y, or 1 for a single example of shape (K,)."""
    shape = np.shape(y)
    return shape[1] if len(shape) == 2 else 1


def squared_loss(y, y_hat):
    """The source's loss: 1/2 ||y - y_hat||^2 (mean over the columns of a batch)."""
    r = np.asarray(y_hat) - np.asarray(y)
    return 0.5 * float(np.sum(r * r)) / _batch_size(y)


def squared_loss_grad(y, y_hat):
    """d(squared loss)/d y_hat = y_hat - y (divided by B for a batch). Shape of y_hat."""
    return (np.asarray(y_hat) - np.asarray(y)) / _batch_size(y)


def _clipped(p):
    """Probabilities raised to at least the smallest positive normal number of their dtype,
    so that log(p) and 1 / p stay finite at p = 0 (log gives about -708 in float64)."""
    p = np.asarray(p)
    return np.maximum(p, np.finfo(p.dtype).tiny)


def cross_entropy(y, y_hat):
    """Cross-entropy -sum_k y[k] log y_hat[k] (mean over a batch).

    Finite at probabilities 0 and 1: log is clipped at the smallest normal number, and
    a zero target times a clipped log is exactly 0.
    """
    y = np.asarray(y)
    return -float(np.sum(y * np.log(_clipped(y_hat)))) / _batch_size(y) + 0.0  # + 0.0: a zero loss is 0.0, not -0.0


def cross_entropy_grad(y, y_hat):
    """d(cross-entropy)/d y_hat = -y / y_hat (divided by B), with y_hat clipped as in the loss.

    Large where the model gives a target class a tiny probability. Through the softmax
    it combines into the well-behaved softmax_cross_entropy_delta.
    """
    return -np.asarray(y) / _clipped(y_hat) / _batch_size(y)


def softmax_cross_entropy_delta(y, y_hat):
    """delta2 = d(cross-entropy)/d z2 through the softmax: y_hat * sum(y) - y (divided by B).

    The softmax Jacobian cancels the 1 / y_hat of the cross-entropy gradient, leaving
    this simple, bounded expression; when the targets of each example sum to 1 (one-hot
    or soft labels) it is y_hat - y. Shape of y_hat.
    """
    y = np.asarray(y)
    return (np.asarray(y_hat) * y.sum(axis=0, keepdims=True) - y) / _batch_size(y)


class Loss(NamedTuple):
    """A loss, its gradient with respect to y_hat, and (optionally) a fused delta2."""

    name: str
    value: Callable
    grad: Callable
    fused_delta: Callable | None


LOSSES: dict[str, Loss] = {
    "squared": Loss("squared", squared_loss, squared_loss_grad, None),
    "cross_entropy": Loss("cross_entropy", cross_entropy, cross_entropy_grad, softmax_cross_entropy_delta),
}


def get_loss(name: str) -> Loss:
    """Look a loss up by name; an unknown name raises InputError listing the known ones."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(LOSSES))
        raise InputError(f"unknown loss {name!r}: expected one of {known}") from None
