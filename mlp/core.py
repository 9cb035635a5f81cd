"""The network as the book writes it: four parameters, the forward pass and the backward pass.

Nothing here checks its input: the public functions (mlp.forward, mlp.backward, mlp.train, ...)
check everything once, at the boundary, and then call these. Examples are columns: x is (N, B),
y is (K, B); see mlp.shapes for the one shape table.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlp.activations import Activation
from mlp.losses import Loss
from mlp.output_layer import softmax


class Params(NamedTuple):
    """The four parameter arrays: W1 (N, N1), W1_0 (N1,), W2 (N1, K), W2_0 (K,)."""

    W1: np.ndarray
    W1_0: np.ndarray
    W2: np.ndarray
    W2_0: np.ndarray


class Forward(NamedTuple):
    """Every intermediate of the forward pass."""

    z1: np.ndarray
    H: np.ndarray
    z2: np.ndarray
    y_hat: np.ndarray


PER_EXAMPLE = ("grad_y_hat", "delta2", "grad_H", "delta1")  # the Gradients with a column per example


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


def forward(params: Params, x: np.ndarray, act: Activation) -> Forward:
    """x (N, B) -> z1, H (N1, B) -> z2, y_hat (K, B). Biases add to every column."""
    W1, W1_0, W2, W2_0 = params
    z1 = W1.T @ x + W1_0[:, None]  # (N1, B)  z1 = W1^T x + W1_0
    H = act.f(z1)  # (N1, B)  H = f(z1)
    z2 = W2.T @ H + W2_0[:, None]  # (K, B)   z2 = W2^T H + W2_0
    y_hat = softmax(z2)  # (K, B)   y_hat = softmax(z2)
    return Forward(z1, H, z2, y_hat)


def backward(params, x, y, fwd: Forward, act: Activation, loss: Loss) -> Gradients:
    """Gradients of the loss (mean over the B columns), from the output back to W1."""
    grad_y_hat = loss.grad(y, fwd.z2, fwd.y_hat)  # (K, B)   dl/dy_hat
    delta2 = loss.delta2(y, fwd.z2, fwd.y_hat)  # (K, B)   delta2 = J^T grad y_hat
    return Gradients(grad_y_hat, delta2, *backward_from(delta2, params, x, fwd, act))


def backward_from(delta2, params: Params, x, fwd: Forward, act: Activation) -> tuple:
    """From the output error delta2 back to W1, the same for every loss:
    grad_W2, grad_W2_0, grad_H, delta1, grad_W1, grad_W1_0."""
    grad_W2 = fwd.H @ delta2.T  # (N1, K)  grad W2 = H delta2^T
    grad_W2_0 = delta2.sum(axis=1)  # (K,)     grad W2_0 = delta2, summed over B
    grad_H = params.W2 @ delta2  # (N1, B)  grad H = W2 delta2
    delta1 = grad_H * act.f_prime(fwd.z1)  # (N1, B)  delta1 = grad H * f'(z1)
    grad_W1 = x @ delta1.T  # (N, N1)  grad W1 = x delta1^T
    grad_W1_0 = delta1.sum(axis=1)  # (N1,)    grad W1_0 = delta1, summed over B
    return grad_W2, grad_W2_0, grad_H, delta1, grad_W1, grad_W1_0


def step(params: Params, grads: Params, lr: float, layers=(1, 2)) -> Params:
    """W <- W - lr * grad W for the parameters of the given layers; new arrays, the old ones untouched."""
    W1, W1_0, W2, W2_0 = params
    if 1 in layers:
        W1, W1_0 = W1 - lr * grads.W1, W1_0 - lr * grads.W1_0
    if 2 in layers:
        W2, W2_0 = W2 - lr * grads.W2, W2_0 - lr * grads.W2_0
    return Params(W1, W1_0, W2, W2_0)
