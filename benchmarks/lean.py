"""The pass's equations in the leanest numpy and nothing else: the reference floor of the benchmarks.

No input checks, no grad_y_hat, the plain delta2 = (y_hat - Y) / B (not its exact form near
saturation), one numpy call per operation. backprop.py times one call of lean_gradients, digits.py
a training loop of them; what mlp costs beyond it is the price of its checks, its full report and
its exact forms.
"""

from __future__ import annotations

import numpy as np


def lean_gradients(W1, W1_0, W2, W2_0, X, Y) -> tuple:
    """(grad_W1, grad_W1_0, grad_W2, grad_W2_0) of the mean cross-entropy of a ReLU-softmax network.

    X (N, B) and Y (K, B), one-hot: the book's layout, as mlp.forward and mlp.backward take it.
    """
    z1 = W1.T @ X + W1_0[:, None]
    H = np.maximum(z1, 0.0)
    z2 = W2.T @ H + W2_0[:, None]
    e = np.exp(z2 - np.maximum.reduce(z2, axis=0))
    delta2 = (e / np.add.reduce(e, axis=0) - Y) / X.shape[1]
    delta1 = (W2 @ delta2) * (z1 > 0)
    return X @ delta1.T, np.add.reduce(delta1, axis=1), H @ delta2.T, np.add.reduce(delta2, axis=1)
