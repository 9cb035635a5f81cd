"""Minibatch stochastic gradient descent for the two-layer network, with mlp's own gradients.

Data follow the book's layout: examples are *columns*. ``X`` has shape (N, M) for M
examples of N features, and ``labels`` has shape (M,) with class numbers 0..K-1. (Most
libraries, scikit-learn included, store examples as rows: pass ``X.T``.)

One epoch visits every training example once, in an order drawn from a seeded
generator, B examples (one minibatch) at a time. Each minibatch takes one step

    W <- W - lr * grad W        for W in (W1, W1_0, W2, W2_0),

where grad W is the gradient of the minibatch's *mean* loss, computed with the formulas
of :func:`mlp.backward` (the step is :func:`mlp.sgd_step`'s).

The inputs are checked once, up front; every minibatch then runs the unchecked core
(:func:`mlp.core.forward`, the loss's delta2 and :func:`mlp.core.backward_from`), the very
equations the book derives.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlp import core
from mlp.activations import get_activation
from mlp.core import Params
from mlp.errors import InputError
from mlp.losses import Loss, get_loss
from mlp.network import forward, init_params
from mlp.validate import as_float_array, check_dataset, check_example, check_int, check_labels, check_lr, overflowed


class History(NamedTuple):
    """What training measured, one entry per epoch.

    ``loss`` (mean over the examples) and ``accuracy`` (fraction classified correctly)
    are those of the training examples *during* the epoch: each minibatch is measured
    just before its step, and the epoch's entry averages over its minibatches, weighted
    by their sizes (as scikit-learn's ``loss_curve_`` does). That reuses the forward pass
    the step needs anyway. ``val_loss`` and ``val_accuracy`` are measured on held-out data
    after the epoch's last step, and are empty lists when no held-out data were given.
    """

    loss: list[float]
    accuracy: list[float]
    val_loss: list[float]
    val_accuracy: list[float]


class TrainResult(NamedTuple):
    """The trained parameters and the history of the run."""

    params: Params
    history: History


def one_hot(labels, K: int) -> np.ndarray:
    """Class numbers (M,) -> one-hot targets (K, M), one column per example."""
    K = check_int("K", K)
    labels = check_labels("labels", labels, K)
    Y = np.zeros((K, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


MAX_INFERRED_CLASSES = 1000  # labels beyond this (and beyond the number of examples) need n_classes
MAX_W2_ENTRIES = 10**8  # 800 MB of float64: a W2 beyond this is a mistake, refused before it is allocated


def predict(params: Params, X, activation: str) -> np.ndarray:
    """The most probable class of every column of X (N, M): an integer array (M,)."""
    X = as_float_array("X", X)
    if X.ndim != 2:
        raise InputError(f"X must have shape (N, M), one example per column; got shape {X.shape}")
    return forward(params, X, activation).z2.argmax(axis=0)  # the largest logit: the most probable class


def accuracy(params: Params, X, labels, activation: str) -> float:
    """Fraction of the columns of X whose predicted class equals its label."""
    K = np.shape(params[2])[1] if len(params) == 4 and np.ndim(params[2]) == 2 else None
    X, labels = check_dataset("X", X, labels, K)
    return float(np.mean(predict(params, X, activation) == labels))


def _evaluate(params: Params, X, Y, labels, activation: str, lossf: Loss) -> tuple[float, float]:
    """Mean loss and accuracy of params on a whole (checked) data set."""
    fwd = forward(params, X, activation)
    return lossf.value(Y, fwd.z2), float(np.mean(fwd.z2.argmax(axis=0) == labels))


def train(
    X,
    labels,
    hidden: int | None = None,
    *,
    activation: str,
    loss: str = "cross_entropy",
    lr: float = 0.1,
    batch_size: int = 32,
    epochs: int = 30,
    seed: int = 0,
    n_classes: int | None = None,
    params: Params | None = None,
    X_val=None,
    labels_val=None,
) -> TrainResult:
    """Train the N -> hidden -> K network by minibatch SGD; return the params and a History.

    X: (N, M), one example per column; labels: (M,) class numbers 0..K-1, where K is
    ``n_classes`` (default: the number of columns of the given params' W2, else the
    largest label + 1, and at least 2). ``seed`` seeds
    ``numpy.random.default_rng``, split into two independent streams: one draws the
    initial parameters (:func:`mlp.init_params`, skipped when ``params`` is given), the
    other the order of the examples in every epoch. The same seed gives the same run.
    Each epoch's loss and accuracy go into the History (see there), and so do those on
    ``X_val`` (N, M_val) with ``labels_val`` (M_val,) if given. Bad input raises
    InputError; so does a run that overflows, suggesting a smaller learning rate.
    """
    act = get_activation(activation)
    lossf = get_loss(loss)
    lr = check_lr(lr)
    batch_size = check_int("batch_size", batch_size)
    epochs = check_int("epochs", epochs, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    if n_classes is not None:
        n_classes = check_int("n_classes", n_classes, minimum=2)
    if params is not None and (isinstance(params, str | bytes) or not isinstance(params, tuple | list)):
        raise InputError(f"params must be (W1, W1_0, W2, W2_0), such as a Params; got {type(params).__name__}")
    if params is not None and len(params) == 4 and np.ndim(params[2]) == 2:
        K_params = np.shape(params[2])[1]  # K is the number of columns of W2
        if n_classes is not None and n_classes != K_params:
            raise InputError(f"n_classes = {n_classes} but the given params have K = {K_params} outputs (W2 columns)")
        n_classes = K_params
    X, labels = check_dataset("X", X, labels, n_classes)
    K = n_classes if n_classes is not None else max(int(labels.max()) + 1, 2)
    N, M = X.shape
    if n_classes is None and K > max(MAX_INFERRED_CLASSES, M):
        raise InputError(
            f"the largest label is {K - 1}, which makes {K} classes for {M} examples: give n_classes if you mean it"
        )
    width = hidden if params is None and isinstance(hidden, int) else (np.shape(params[0])[1] if params else 0)
    if width and width * K > MAX_W2_ENTRIES:
        raise InputError(
            f"W2 would have N1 x K = {width} x {K} entries (more than {MAX_W2_ENTRIES:,}): too many classes"
        )

    init_rng, order_rng = np.random.default_rng(seed).spawn(2)
    if params is None:
        if hidden is None:
            raise InputError("give the number of hidden units (hidden=...) or initial params")
        params = init_params(init_rng, N, check_int("hidden", hidden), K)
    else:
        params, _, _ = check_example(params, X[:, :1])
        if hidden is not None and hidden != params.W1.shape[1]:
            raise InputError(f"hidden = {hidden!r} but the given params have N1 = {params.W1.shape[1]} hidden units")
    params = Params(*(np.array(W, dtype=np.float64) for W in params))  # train's own copies, updated in place
    Y = one_hot(labels, K)  # (K, M)

    validate = X_val is not None or labels_val is not None
    if validate:
        if X_val is None or labels_val is None:
            raise InputError("give both X_val and labels_val, or neither")
        X_val, labels_val = check_dataset("X_val", X_val, labels_val, K)
        if X_val.shape[0] != N:
            raise InputError(f"X_val has {X_val.shape[0]} rows (features) but X has N = {N}")
        Y_val = one_hot(labels_val, K)

    history = History([], [], [], [])
    for epoch in range(1, epochs + 1):
        # A fresh shuffle every epoch: the columns are put in a random order once, and the
        # minibatches are consecutive blocks of B columns of the shuffled copy (views, no copying).
        order = order_rng.permutation(M)
        X_shuffled, Y_shuffled = X[:, order], Y[:, order]  # (N, M), (K, M)
        Z2 = np.empty_like(Y_shuffled)  # (K, M): each minibatch's logits, computed just before its step
        # Overflow is not checked step by step (that is the point of the lean path);
        # a run that blows up leaves inf or NaN behind, which is checked after the epoch.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, M, batch_size):
                x = X_shuffled[:, start : start + batch_size]  # (N, B)
                y = Y_shuffled[:, start : start + batch_size]  # (K, B)
                fwd = core.forward(params, x, act)
                delta2 = lossf.delta2(y, fwd.z2, fwd.y_hat)  # the step needs no grad_y_hat
                grad_W2, grad_W2_0, _, _, grad_W1, grad_W1_0 = core.backward_from(delta2, params, x, fwd, act)
                Z2[:, start : start + batch_size] = fwd.z2
                for W, grad_W in zip(params, (grad_W1, grad_W1_0, grad_W2, grad_W2_0), strict=True):
                    W -= lr * grad_W  # W <- W - lr * grad W, as mlp.sgd_step, in place
        if not (np.isfinite(Z2).all() and all(np.isfinite(W).all() for W in params)):
            raise overflowed(f"training, in epoch {epoch}: the outputs or the weights", lr)
        # The epoch's loss and accuracy, scored once over all its minibatches' predictions: the
        # mean over all M examples is the mean of the minibatch means, weighted by their sizes.
        history.loss.append(lossf.value(Y_shuffled, Z2))
        history.accuracy.append(float(np.mean(Z2.argmax(axis=0) == labels[order])))  # as predict() does
        if validate:
            val_loss, val_acc = _evaluate(params, X_val, Y_val, labels_val, activation, lossf)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_acc)
    return TrainResult(params, history)
