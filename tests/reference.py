"""The two-layer network written once for the tests, apart from mlp: the reference mlp is compared with.

Plain numpy, examples as columns, the book's notation:

    z1 = W1^T x + W1_0 (N1, B)   H = f(z1)   z2 = W2^T H + W2_0 (K, B)   y_hat = softmax(z2)

The loss of a batch is the mean over its B columns (as in mlp). Nothing here imports mlp, and the
backward pass is not mlp's: it goes example by example through the explicit K x K softmax Jacobian
(delta2 = J^T grad y_hat) and sums outer products, where mlp fuses and multiplies whole matrices.
It is meant for moderate values (the extremes are tests/test_extremes.py's, against mpmath).

The functions that compute the loss take ``xp``, the array module: numpy by default, or
``autograd.numpy`` to let HIPS autograd differentiate the very same lines.
"""

from __future__ import annotations

import numpy as np

FIELDS = ("W1", "W1_0", "W2", "W2_0")


def columns(a):
    """An example (n,) as one column (n, 1); a batch (n, B) as it is."""
    a = np.asarray(a, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def f(activation: str, z, xp=np):
    """The hidden layer's activation."""
    if activation == "sigmoid":
        return 1.0 / (1.0 + xp.exp(-z))
    if activation == "relu":
        return xp.where(z > 0, z, 0.0)  # derivative 0 at 0, as mlp's
    if activation == "tanh":
        return xp.tanh(z)
    if activation == "identity":
        return z
    raise KeyError(activation)


def f_prime(activation: str, z):
    """f'(z), written by hand."""
    if activation == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)
    if activation == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if activation == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if activation == "identity":
        return np.ones_like(z)
    raise KeyError(activation)


def softmax(z, xp=np):
    """softmax of each column (of a vector, if z is one), shifted by the column's largest entry."""
    e = xp.exp(z - xp.max(z, axis=0))
    return e / xp.sum(e, axis=0)


def softmax_jacobian(y_hat):
    """J[k, i] = d y_hat[k] / d z2[i] = y_hat[k] (1[k = i] - y_hat[i]), for one example."""
    K = len(y_hat)
    return np.array([[y_hat[k] * ((k == i) - y_hat[i]) for i in range(K)] for k in range(K)])


def loss_of_y_hat(loss: str, y, y_hat, xp=np):
    """Mean over the columns of 1/2 ||y - y_hat||^2 or of -sum_k y[k] log y_hat[k] (y, y_hat: (K,) or (K, B))."""
    B = y.shape[1] if y.ndim == 2 else 1
    if loss == "squared":
        return 0.5 * xp.sum((y - y_hat) ** 2) / B
    if loss == "cross_entropy":
        return -xp.sum(y * xp.log(y_hat)) / B
    raise KeyError(loss)


def loss_grad(loss: str, y, y_hat):
    """dl/dy_hat of one example's loss (no 1/B): y_hat - y, or -y / y_hat."""
    if loss == "squared":
        return y_hat - y
    if loss == "cross_entropy":
        return -y / y_hat
    raise KeyError(loss)


def forward(params, x, activation: str = "sigmoid", xp=np) -> dict:
    """z1, H, z2, y_hat, each with one column per example (x is (N,) or (N, B))."""
    W1, W1_0, W2, W2_0 = params
    X = x[:, None] if x.ndim == 1 else x
    z1 = xp.dot(W1.T, X) + xp.reshape(W1_0, (-1, 1))
    H = f(activation, z1, xp)
    z2 = xp.dot(W2.T, H) + xp.reshape(W2_0, (-1, 1))
    return {"z1": z1, "H": H, "z2": z2, "y_hat": softmax(z2, xp)}


def loss(params, x, y, activation: str = "sigmoid", loss: str = "squared", xp=np):
    """The network's loss, the mean over the examples (columns)."""
    Y = y[:, None] if y.ndim == 1 else y
    return loss_of_y_hat(loss, Y, forward(params, x, activation, xp)["y_hat"], xp)


def backward(params, x, y, activation: str = "sigmoid", loss: str = "squared") -> dict:
    """Every gradient of the mean loss, example by example through the explicit softmax Jacobian.

    grad_y_hat, delta2, grad_H and delta1 have a column per example and carry the factor 1/B, as
    mlp's do; the parameter gradients are sums over the examples of outer products.
    """
    W2 = params[2]
    X, Y = columns(x), columns(y)
    B = X.shape[1]
    fwd = forward(params, X, activation)
    z1, H, y_hat = fwd["z1"], fwd["H"], fwd["y_hat"]
    grad_y_hat = np.column_stack([loss_grad(loss, Y[:, b], y_hat[:, b]) / B for b in range(B)])
    delta2 = np.column_stack([softmax_jacobian(y_hat[:, b]).T @ grad_y_hat[:, b] for b in range(B)])
    grad_H = np.column_stack([W2 @ delta2[:, b] for b in range(B)])
    delta1 = grad_H * f_prime(activation, z1)
    return {
        "grad_y_hat": grad_y_hat,
        "delta2": delta2,
        "grad_W2": sum(np.outer(H[:, b], delta2[:, b]) for b in range(B)),
        "grad_W2_0": delta2.sum(axis=1),
        "grad_H": grad_H,
        "delta1": delta1,
        "grad_W1": sum(np.outer(X[:, b], delta1[:, b]) for b in range(B)),
        "grad_W1_0": delta1.sum(axis=1),
    }


def parameter_gradients(grads: dict) -> tuple:
    """(grad W1, grad W1_0, grad W2, grad W2_0) from backward()'s dict."""
    return tuple(grads["grad_" + name] for name in FIELDS)


def step(params, grads, lr: float, layers=(1, 2)) -> tuple:
    """W <- W - lr * grad W for the parameters of the given layers (grads: four arrays)."""
    layer_of = (1, 1, 2, 2)
    return tuple(p - lr * g if layer in layers else p for p, g, layer in zip(params, grads, layer_of, strict=True))


def one_step(params, x, y, activation: str, loss_name: str, lr: float) -> dict:
    """One example through one gradient step, in the layout of ``mlp.explain`` (vectors 1-D).

    Sections: forward, backward (with f_prime_z1), updated, after_both_layers,
    after_second_layer_only.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def vectors(d):
        return {k: v[:, 0] for k, v in d.items()}

    fwd = vectors(forward(params, x, activation))
    grads = backward(params, x, y, activation, loss_name)
    grad_params = parameter_gradients(grads)
    both = step(params, grad_params, lr, (1, 2))
    second = step(params, grad_params, lr, (2,))
    after_both = vectors(forward(both, x, activation))
    after_second = vectors(forward(second, x, activation))
    return {
        "forward": fwd | {"loss": float(loss_of_y_hat(loss_name, y, fwd["y_hat"]))},
        "backward": {k: v[:, 0] if k in ("grad_y_hat", "delta2", "grad_H", "delta1") else v for k, v in grads.items()}
        | {"f_prime_z1": f_prime(activation, fwd["z1"])},
        "updated": dict(zip(FIELDS, both, strict=True)),
        "after_both_layers": after_both | {"loss": float(loss_of_y_hat(loss_name, y, after_both["y_hat"]))},
        "after_second_layer_only": {
            "z2": after_second["z2"],
            "y_hat": after_second["y_hat"],
            "loss": float(loss_of_y_hat(loss_name, y, after_second["y_hat"])),
        },
    }


def centered(fn, a, h: float = 1e-5, relative: bool = False):
    """d fn / d a by centered differences, entry by entry; a is not modified.

    relative=True steps each entry by h * |a[idx]| instead of h (for log(y_hat) near a small y_hat,
    a fixed step is not small).
    """
    a = np.asarray(a, dtype=np.float64)
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        step_size = h * abs(a[idx]) if relative else h
        up, down = a.copy(), a.copy()
        up[idx] += step_size
        down[idx] -= step_size
        g[idx] = (fn(up) - fn(down)) / (up[idx] - down[idx])
    return g


def numerical_gradients(params, x, y, activation: str = "sigmoid", loss_name: str = "squared", h: float = 1e-5):
    """Centered differences of loss() in each of the four parameters: a tuple of four arrays."""
    out = []
    for i in range(4):

        def of_param(a, i=i):
            p = list(params)
            p[i] = a
            return float(loss(p, x, y, activation, loss_name))

        out.append(centered(of_param, params[i], h))
    return tuple(out)


def loss_of_intermediates(params, x, y, activation: str, loss_name: str) -> tuple[dict, dict]:
    """The network's intermediates z1, H, z2, y_hat (in x's layout), and the loss as a function of each.

    The function of z1 runs the rest of the network from a given z1, and so on: centered differences of
    it give dl/dz1 = delta1 (the functions of H, z2 and y_hat give grad H, delta2 and grad y_hat).
    """
    _, _, W2, W2_0 = params
    Y = columns(y)

    def of_y_hat(y_hat):
        return float(loss_of_y_hat(loss_name, Y, columns(y_hat)))

    def of_z2(z2):
        return of_y_hat(softmax(columns(z2)))

    def of_H(H):
        return of_z2(W2.T @ columns(H) + W2_0[:, None])

    def of_z1(z1):
        return of_H(f(activation, columns(z1)))

    layout = (-1,) if x.ndim == 1 else (-1, x.shape[1])
    points = {k: v.reshape(layout) for k, v in forward(params, x, activation).items()}
    return points, {"z1": of_z1, "H": of_H, "z2": of_z2, "y_hat": of_y_hat}
