"""The softmax output layer: the function, 1 minus it without cancellation, its Jacobian, and J^T v.

Examples are columns: ``z`` has shape (K,) for one example or (K, B) for a batch, and
the softmax is taken down each column (axis 0).
"""

from __future__ import annotations

import numpy as np

from mlp.errors import InputError


def softmax(z):
    """softmax(z)[k] = exp(z[k]) / sum_j exp(z[j]), down axis 0.

    Stable: the column maximum is subtracted first, so the largest exponent is
    exp(0) = 1 and logits of +-1000 give exact 0s and 1s with no overflow and no
    warning. Shapes: (K,) -> (K,), or (K, B) -> (K, B).
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    e /= e.sum(axis=0, keepdims=True)
    return e


def top_mask(a):
    """True at each column's largest entry of a (K,) or (K, B) array (the first, if tied), False elsewhere."""
    rows = np.arange(a.shape[0])
    return (rows[:, None] if a.ndim == 2 else rows) == np.argmax(a, axis=0)


def sum_of_others(a, mask):
    """The sum of each column of a over the entries where mask is False: shape () or (B,).

    Where one probability rounds to 1, this is how 1 - y_hat of that class stays exact: as the sum
    of the others (mask True at that class only), never as 1 minus a number that has lost them.
    """
    return np.add.reduce(a, axis=0, where=~mask)


def softmax_complement(z, y_hat=None):
    """1 - softmax(z), entry by entry, without cancellation. Shape of z.

    Where one logit leads by far, its probability rounds to 1 and 1 - y_hat to 0, though the
    exact value is the sum of the other probabilities (e^-40 for a gap of 40). So the entry
    of each column's largest logit is computed as that sum; the others as 1 - y_hat.
    ``y_hat``, if given, is softmax(z), already computed.
    """
    y_hat = softmax(z) if y_hat is None else y_hat
    top = top_mask(y_hat)
    return np.where(top, sum_of_others(y_hat, top), 1.0 - y_hat)


def log_softmax(z):
    """log softmax(z) = (z - max) - log1p(sum of exp(z[j] - max) over all but the max), down axis 0.

    Exact where one logit leads by far: its entry is -log1p(e^-gap + ...), computed directly, where
    max + log(sum exp) - z would round the small term away. Shape of z.
    """
    z = np.asarray(z)
    shifted = z - z.max(axis=0)
    e = np.exp(shifted)
    return shifted - np.log1p(sum_of_others(e, top_mask(e)))


def softmax_jacobian(y_hat, complement=None):
    """Jacobian J[k, i] = d y_hat[k] / d z2[i] = y_hat[k] (1[k = i] - y_hat[i]), shape (K, K).

    J = diag(y_hat) - y_hat y_hat^T: symmetric; each row sums to zero (adding a constant to every
    logit changes nothing) and so, by symmetry, does each column. Takes one example's softmax
    output y_hat, shape (K,). ``complement`` (1 - y_hat, e.g. softmax_complement(z2)) makes the
    diagonal y_hat (1 - y_hat) exact where y_hat rounds to 1.
    """
    y_hat = np.asarray(y_hat)
    if y_hat.ndim != 1:
        raise InputError(f"softmax_jacobian takes one example, shape (K,); got shape {y_hat.shape}")
    J = -np.outer(y_hat, y_hat)
    one_minus = 1.0 - y_hat if complement is None else np.asarray(complement)
    J[np.diag_indices_from(J)] = y_hat * one_minus
    return J


def softmax_backward(y_hat, grad_y_hat):
    """J^T v without building J: y_hat * (v - y_hat . v), column by column. O(K) per example.

    This is the Jacobian-vector product that carries any loss gradient v = grad y_hat through
    the softmax. Shapes (K,) or (K, B), the same for both arguments. (mlp's own backward pass
    uses each loss's exact form of the product, mlp.losses.)
    """
    y_hat = np.asarray(y_hat)
    grad_y_hat = np.asarray(grad_y_hat)
    inner = np.sum(y_hat * grad_y_hat, axis=0, keepdims=True)  # y_hat^T grad_y_hat, per column
    return y_hat * (grad_y_hat - inner)
