"""Work one gradient step through a network, step by step, as text or as JSON.

This is what ``python -m mlp example`` and ``python -m mlp explain SPEC`` print: the
forward pass, the loss, every gradient of the backward pass, the updated parameters,
and the loss after the step in the source's two cases (both layers updated; only the
second layer updated).
"""

from __future__ import annotations

import numpy as np

from mlp import core
from mlp.activations import get_activation
from mlp.core import PER_EXAMPLE
from mlp.errors import InputError
from mlp.losses import get_loss
from mlp.pass_table import PASS, SECTIONS
from mlp.softmax import softmax_complement, softmax_jacobian
from mlp.spec import Spec
from mlp.validate import all_finite

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
                after = (
                    f" after the gradient step with lr = {lr:g} (try a smaller lr)"
                    if section not in ("forward", "backward")
                    else ""
                )
                raise InputError(
                    f"{name} ({section}) overflowed to inf or nan{after}: the weights or inputs are too large"
                )
    return result


def to_jsonable(value):
    """Arrays become nested lists in spec layout; -0.0 becomes 0.0; an entry beyond float64's range
    (only grad_y_hat's -y / y_hat can be) becomes null, since JSON has no infinity."""
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    a = np.asarray(value, dtype=np.float64) + 0.0  # + 0.0 turns -0.0 into 0.0
    if all_finite(a):
        return a.tolist()
    return np.where(np.isfinite(a), a, None).tolist()


def fmt(v: float, decimals: int = 4) -> str:
    """A number for people: exact zeros as 0, whole numbers without decimals, others
    rounded to ``decimals`` places, and magnitudes from 1e15 on in scientific notation;
    never a minus sign in front of a zero."""
    v = float(v)
    if v == 0:
        return "0"
    if not np.isfinite(v):
        return "nan" if np.isnan(v) else "inf" if v > 0 else "-inf"
    if abs(v) >= 1e15:  # digits beyond the 16th are not data: 1e308 as 309 digits would mislead
        return f"{v:.{decimals}e}"
    if v.is_integer():
        return str(int(v))
    s = f"{v:.{decimals}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def format_array(a, decimals: int = 4, indent: int = 0) -> str:
    """A vector as [a, b], a matrix as rows of aligned columns, one row per line."""
    a = np.asarray(a)
    if a.ndim == 0:
        return fmt(a, decimals)
    if a.ndim == 1:
        return "[" + ", ".join(fmt(v, decimals) for v in a) + "]"
    if a.ndim > 2:
        raise InputError(f"format_array takes a scalar, vector or matrix; got shape {a.shape}")
    if a.size == 0:
        return "[" + ", ".join("[]" for _ in a) + "]"
    cells = [[fmt(v, decimals) for v in row] for row in a]
    width = max(len(c) for row in cells for c in row)
    rows = ["[" + ", ".join(c.rjust(width) for c in row) + "]" for row in cells]
    pad = " " * (indent + 1)
    return "[" + ("\n" + pad).join(rows) + "]"


_LOSSDEF = {"squared": "1/2 ||y - y_hat||^2", "cross_entropy": "-sum_k y[k] log y_hat[k]"}


def format_report(spec: Spec, result: dict, title: str, eqs: dict | None = None) -> str:
    """The readable, step-by-step layout of explain()'s result."""
    eqs = eqs or {}
    p = spec.params
    names = {"f": spec.activation, "loss": _LOSSDEF[spec.loss], "lr": f"{spec.lr:g}"}
    lines = [title, "", "Given"]
    given = [("x", spec.x), ("y", spec.y), ("W1", p.W1), ("W1_0", p.W1_0), ("W2", p.W2), ("W2_0", p.W2_0)]
    for name, value in given:
        lines.append(f"  {name:<5}= " + format_array(value, indent=9))
    names["fused"] = ""
    if spec.loss == "cross_entropy":  # the fused form is y_hat - y only for targets that sum to 1
        names["fused"] = " = " + ("y_hat - y" if targets_sum_to_one(spec.y) else "y_hat * sum(y) - y")
    for key, heading in SECTIONS.items():
        rows = [(q.name, q.eq_plain.format(**names)) for q in PASS if q.section == key and q.name in result[key]]
        lines += ["", heading.format(**names)]
        width = max(len(label) for _, label in rows)
        if key == "backward" and "softmax_jacobian" not in result[key]:
            lines.append(f"  (J, K x K, is shown only for K <= {JACOBIAN_MAX_K}; here K = {len(spec.y)})")
        for name, label in rows:
            tag = f"   ({eqs[key, name]})" if (key, name) in eqs else ""
            value = format_array(result[key][name], indent=width + 5)
            if "\n" in value and tag:
                first, rest = value.split("\n", 1)
                value = first + tag + "\n" + rest
            else:
                value += tag
            lines.append(f"  {label:<{width}} = {value}")
    before = result["forward"]["loss"]
    lines += [
        "",
        f"Loss: {fmt(before)} before the step, {fmt(result['after_both_layers']['loss'])} after it with both "
        f"layers updated, {fmt(result['after_second_layer_only']['loss'])} with only the second layer updated.",
    ]
    return "\n".join(lines)
