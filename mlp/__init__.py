"""mlp: backpropagation through a two-layer network, in the notation of the source.

x (N) -> z1 = W1^T x + W1_0 -> H = f(z1) (N1) -> z2 = W2^T H + W2_0 -> y_hat = softmax(z2) (K)

See :mod:`mlp.network` for the shape table. Examples are columns: x has shape (N,) for
one example or (N, B) for a batch.
"""

from mlp.activations import (
    ACTIVATIONS,
    get_activation,
    identity,
    identity_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    tanh,
    tanh_prime,
)
from mlp.explain import explain, fmt, format_array
from mlp.gradcheck import centered_differences, check_gradients, numerical_gradients, relative_error
from mlp.losses import (
    LOSSES,
    cross_entropy,
    cross_entropy_grad,
    get_loss,
    softmax_cross_entropy_delta,
    squared_loss,
    squared_loss_grad,
)
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
from mlp.softmax import softmax, softmax_backward, softmax_jacobian
from mlp.spec import Spec, load_spec, parse_spec, problem2
from mlp.validate import InputError

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Forward",
    "Gradients",
    "InputError",
    "Params",
    "Spec",
    "backward",
    "centered_differences",
    "check_gradients",
    "cross_entropy",
    "cross_entropy_grad",
    "explain",
    "fmt",
    "format_array",
    "forward",
    "get_activation",
    "get_loss",
    "identity",
    "identity_prime",
    "init_params",
    "load_spec",
    "loss_and_gradients",
    "loss_value",
    "numerical_gradients",
    "parse_spec",
    "problem2",
    "relative_error",
    "relu",
    "relu_prime",
    "sgd_step",
    "sigmoid",
    "sigmoid_prime",
    "softmax",
    "softmax_backward",
    "softmax_cross_entropy_delta",
    "softmax_jacobian",
    "squared_loss",
    "squared_loss_grad",
    "tanh",
    "tanh_prime",
]
