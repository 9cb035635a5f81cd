"""The softmax output layer: the function, its Jacobian, and the product Problem 2 needs.

Examples are columns: ``z`` has shape (K,) for one example or (K, B) for a batch, and
the softmax is taken down each column (axis 0).
"""

from __future__ import annotations

import numpy as np

from mlp.validate import InputError


def softmax(z):
    """softmax(z)[k] = exp(z[k]) / sum_j exp(z[j]), down axis 0.

    Stable: the column maximum is subtracted first, so the largest exponent is
    exp(0) = 1 and logits of +-1000 give exact 0s and 1s with no overflow and no
    warning. Shapes: (K,) -> (K,), or (K, B) -> (K, B).
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_jacobian(y_hat):
    """Jacobian J[k, i] = d y_hat[k] / d z2[i] = y_hat[k] (1[k = i] - y_hat[i]).

    In matrix form J = diag(y_hat) - y_hat y_hat^T, shape (K, K), symmetric, and each
    row (and column) sums to zero because the outputs always sum to one. Takes the
    softmax *output* y_hat of one example, shape (K,).
    """
    y_hat = np.asarray(y_hat)
    if y_hat.ndim != 1:
        raise InputError(f"softmax_jacobian takes one example, shape (K,); got shape {y_hat.shape}")
    return np.diag(y_hat) - np.outer(y_hat, y_hat)


def softmax_backward(y_hat, grad_y_hat):
    """delta2 = J^T grad_y_hat without building J: y_hat * (grad_y_hat - y_hat . grad_y_hat).

    This is the Jacobian-vector product that carries a loss gradient through the
    softmax (Problem 2's squared loss). Works column by column: shapes (K,) or (K, B),
    the same for both arguments; costs O(K) per example instead of O(K^2).
    """
    y_hat = np.asarray(y_hat)
    grad_y_hat = np.asarray(grad_y_hat)
    inner = np.sum(y_hat * grad_y_hat, axis=0, keepdims=True)  # y_hat^T grad_y_hat, per column
    return y_hat * (grad_y_hat - inner)
