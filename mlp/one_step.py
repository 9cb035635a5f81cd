"""Work one gradient step through a network, every quantity of it: what ``python -m mlp example`` and
``python -m mlp explain SPEC`` compute (:mod:`mlp.report` lays it out as text, :func:`mlp.numbers.to_jsonable` as
JSON): the forward pass, the loss, every gradient of the backward pass, the updated parameters, and the loss
after the step in the source's two cases (both layers updated; only the second layer updated).
"""

from __future__ import annotations

import numpy as np

from mlp import core
from mlp.activations import get_activation
from mlp.core import PER_EXAMPLE
from mlp.losses import get_loss
from mlp.output_layer import softmax_complement, softmax_jacobian
from mlp.pass_table import PASS
from mlp.spec import Spec
from mlp.validate import all_finite, overflowed

JACOBIAN_MAX_K = 10  # the K x K softmax Jacobian is shown (and computed) only up to this K
TARGET_SUM_TOLERANCE = 1e-9  # a cross-entropy target "sums to 1" within this


def targets_sum_to_one(y) -> bool:
    """Do the targets sum to 1 (one-hot or soft labels), so that the fused delta2 is y_hat - y?"""
    return abs(float(np.sum(y)) - 1.0) <= TARGET_SUM_TOLERANCE


def explain(spec: Spec) -> dict:
    """Every quantity of one step, as nested dicts of numpy arrays and floats.

    Keys: forward {z1, H, z2, y_hat, loss}; backward {grad_y_hat, softmax_jacobian (only for
    K <= 10: it has K^2 entries), delta2, grad_W2, grad_W2_0, grad_H, f_prime_z1, delta1, grad_W1,
    grad_W1_0}; updated {W1, W1_0, W2, W2_0}; after_both_layers {z1, H, z2, y_hat, loss};
    after_second_layer_only {z2, y_hat, loss}. The spec was checked when it was parsed; this
    runs the unchecked core (mlp.core) once for each pass. Memory O(N N1 + N1 K).
    """
    p, lr = spec.params, spec.lr
    act, lossf = get_activation(spec.activation), get_loss(spec.loss)
    x, y = spec.x[:, None], spec.y[:, None]  # one example, as a column

    def vector(a):
        return a[:, 0]

    # An overflow is reported below as one InputError, not as numpy's RuntimeWarnings along the way.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fwd = core.forward(p, x, act)
        grads = core.backward(p, x, y, fwd, act, lossf)
        both = core.step(p, grads.params(), lr, layers=(1, 2))
        second = core.step(p, grads.params(), lr, layers=(2,))
        after_both = core.forward(both, x, act)
        after_second = core.forward(second, x, act)
        backward = {name: (vector(v) if name in PER_EXAMPLE else v) for name, v in grads._asdict().items()}
        backward["f_prime_z1"] = vector(act.f_prime(fwd.z1))
        if p.W2.shape[1] <= JACOBIAN_MAX_K:
            complement = softmax_complement(fwd.z2, fwd.y_hat)
            backward["softmax_jacobian"] = softmax_jacobian(vector(fwd.y_hat), vector(complement))
        order = [q.name for q in PASS if q.section == "backward"]  # the table's order
        result = {
            "forward": {**{k: vector(v) for k, v in fwd._asdict().items()}, "loss": lossf.value(y, fwd.z2)},
            "backward": {k: backward[k] for k in order if k in backward},
            "updated": both._asdict(),
            "after_both_layers": {
                **{k: vector(v) for k, v in after_both._asdict().items()},
                "loss": lossf.value(y, after_both.z2),
            },
            "after_second_layer_only": {
                "z2": vector(after_second.z2),
                "y_hat": vector(after_second.y_hat),
                "loss": lossf.value(y, after_second.z2),
            },
        }
    for section, values in result.items():  # e.g. z1 = inf under a saturated sigmoid, which JSON cannot carry
        for name, value in values.items():
            if (section, name) == ("backward", "grad_y_hat"):
                continue  # -y / y_hat overflows where y_hat underflows to 0; nothing downstream reads it
            if not all_finite(np.asarray(value)):
                raise overflowed(f"{name} ({section})", None if section in ("forward", "backward") else lr)
    return result
