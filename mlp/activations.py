"""Hidden-layer activations, each with its derivative right beside it.

Every derivative takes the *pre-activation* ``z`` (not the activation's output), so
``f_prime(z1)`` is the factor :math:`f'(z_1)` in
:math:`\\delta_1 = \\nabla H \\odot f'(z_1)`. All functions are elementwise: any shape
in, the same shape out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from mlp.errors import lookup


def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), computed without overflow.

    For z >= 0 it evaluates 1 / (1 + exp(-z)); for z < 0 the equal form
    exp(z) / (1 + exp(z)). Neither form ever exponentiates a large positive
    number, so sigmoid(+-1000) is exactly 1 and 0 with no warning.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """Derivative of the sigmoid at the pre-activation z: s(z) (1 - s(z)), computed as e / (1 + e)^2 with
    e = exp(-|z|) (the derivative is even), which stays exact where s(z) rounds to 1 and 1 - s(z) would lose
    every digit: sigmoid_prime(40) is 4.25e-18, not 0."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return e / ((1.0 + e) * (1.0 + e))


def relu(z):
    """Rectified linear unit max(z, 0)."""
    return np.maximum(z, 0.0)  # a float array keeps its dtype


def relu_prime(z):
    """Derivative of relu at the pre-activation z: 1 where z > 0, else 0.

    ReLU has no derivative at z = 0; we take relu'(0) = 0, as the relu of PyTorch
    and JAX do (autograd differentiates np.maximum(z, 0) to 0.5 there). It matters in the source's Problem 2, where
    the second hidden unit's pre-activation z1[2] is exactly 0.
    """
    z = np.asarray(z)
    return (z > 0).astype(z.dtype)


def tanh(z):
    """Hyperbolic tangent (numpy's tanh is stable at any z)."""
    return np.tanh(z)


def tanh_prime(z):
    """Derivative of tanh at the pre-activation z: 1 - tanh(z)^2 = 4 e / (1 + e)^2 with e = exp(-2|z|), which
    stays exact where tanh(z) rounds to +-1 and 1 - tanh(z)^2 would cancel."""
    z = np.asarray(z)
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def identity(z):
    """The identity: a linear hidden layer."""
    return np.asarray(z)


def identity_prime(z):
    """Derivative of the identity: ones of z's shape and dtype."""
    return np.ones_like(np.asarray(z))


class Activation(NamedTuple):
    """An activation f and its derivative f', both taking the pre-activation."""

    name: str
    f: Callable
    f_prime: Callable


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime),
    "relu": Activation("relu", relu, relu_prime),
    "tanh": Activation("tanh", tanh, tanh_prime),
    "identity": Activation("identity", identity, identity_prime),
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name; an unknown name raises InputError listing the known ones."""
    return lookup("activation", name, ACTIVATIONS)
