"""mlp: backpropagation through a two-layer network, in the notation of the source.

x (N) -> z1 = W1^T x + W1_0 -> H = f(z1) (N1) -> z2 = W2^T H + W2_0 -> y_hat = softmax(z2) (K)

The equations are in :mod:`mlp.core` (unchecked, on one screen); the functions here check
their input once and call it. See :mod:`mlp.network` for the shape table. Examples are
columns: x has shape (N,) for one example or (N, B) for a batch. Activations and losses,
each with its derivative, are in :mod:`mlp.activations` and :mod:`mlp.losses`.
"""

from mlp import activations, losses
from mlp.errors import InputError
from mlp.gradcheck import check_gradients, numerical_gradients, relative_error
from mlp.network import (
    Forward,
    Gradients,
    Params,
    backward,
    forward,
    init_params,
    loss_and_gradients,
    loss_value,
    sgd_step,
)
from mlp.numbers import fmt, format_array
from mlp.one_step import explain
from mlp.output_layer import softmax, softmax_backward, softmax_jacobian
from mlp.spec import load_spec, problem2, relu_example
from mlp.training import train

__all__ = [
    "Forward",
    "Gradients",
    "InputError",
    "Params",
    "activations",
    "backward",
    "check_gradients",
    "explain",
    "fmt",
    "format_array",
    "forward",
    "init_params",
    "load_spec",
    "loss_and_gradients",
    "loss_value",
    "losses",
    "numerical_gradients",
    "problem2",
    "relative_error",
    "relu_example",
    "sgd_step",
    "softmax",
    "softmax_backward",
    "softmax_jacobian",
    "train",
]
