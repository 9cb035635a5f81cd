"""Check a reader's own numbers against the ones mlp computes, quantity by quantity.

A value *agrees* when it is the same number once both are rounded to the 4 decimals the book shows
(``fmt``: exact zeros as 0, never -0). The first quantity that does not agree, in the order of the
pass, is where a hand computation went wrong; ``STEPS`` says how each quantity is computed from the
ones before it. ``python -m mlp explain SPEC --compare MINE.json`` and the book's page "Check your
numbers" use this same rule and this same table.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import numpy as np

from mlp.errors import InputError
from mlp.explain import explain, fmt
from mlp.spec import Spec, _refuse_booleans, load_json
from mlp.validate import as_float_array, check_finite

DECIMALS = 4


class Step(NamedTuple):
    """One quantity of the pass: its key ("section.name", as in ``explain --json``), how it is
    computed, and from what (keys of earlier quantities, or the given x, y, W1, W1_0, W2, W2_0, lr)."""

    key: str
    formula: str
    inputs: tuple[str, ...]


def _step(key: str, formula: str, *inputs: str) -> Step:
    return Step(key, formula, inputs)


# In the order of the pass. A formula may name {f} (the activation) or depend on the loss (a dict).
STEPS: tuple[Step, ...] = (
    _step("forward.z1", "z1 = W1^T x + W1_0", "W1", "x", "W1_0"),
    _step("forward.H", "H = {f}(z1)", "forward.z1"),
    _step("forward.z2", "z2 = W2^T H + W2_0", "W2", "forward.H", "W2_0"),
    _step("forward.y_hat", "y_hat = softmax(z2)", "forward.z2"),
    _step("forward.loss", "loss = {loss}", "y", "forward.z2"),
    _step("backward.grad_y_hat", "grad_y_hat = {grad_y_hat}", "y", "forward.y_hat"),
    _step("backward.softmax_jacobian", "J = diag(y_hat) - y_hat y_hat^T", "forward.y_hat"),
    _step("backward.delta2", "delta2 = {delta2}", "backward.softmax_jacobian", "backward.grad_y_hat"),
    _step("backward.grad_W2", "grad_W2 = H delta2^T", "forward.H", "backward.delta2"),
    _step("backward.grad_W2_0", "grad_W2_0 = delta2", "backward.delta2"),
    _step("backward.grad_H", "grad_H = W2 delta2", "W2", "backward.delta2"),
    _step("backward.f_prime_z1", "f'(z1) = {f_prime}", "forward.z1"),
    _step("backward.delta1", "delta1 = grad_H * f'(z1)", "backward.grad_H", "backward.f_prime_z1"),
    _step("backward.grad_W1", "grad_W1 = x delta1^T", "x", "backward.delta1"),
    _step("backward.grad_W1_0", "grad_W1_0 = delta1", "backward.delta1"),
    _step("updated.W1", "W1 - lr grad_W1", "W1", "lr", "backward.grad_W1"),
    _step("updated.W1_0", "W1_0 - lr grad_W1_0", "W1_0", "lr", "backward.grad_W1_0"),
    _step("updated.W2", "W2 - lr grad_W2", "W2", "lr", "backward.grad_W2"),
    _step("updated.W2_0", "W2_0 - lr grad_W2_0", "W2_0", "lr", "backward.grad_W2_0"),
    _step("after_both_layers.z1", "z1 = W1^T x + W1_0, updated", "updated.W1", "x", "updated.W1_0"),
    _step("after_both_layers.H", "H = {f}(z1)", "after_both_layers.z1"),
    _step("after_both_layers.z2", "z2 = W2^T H + W2_0, updated", "updated.W2", "after_both_layers.H", "updated.W2_0"),
    _step("after_both_layers.y_hat", "y_hat = softmax(z2)", "after_both_layers.z2"),
    _step("after_both_layers.loss", "loss = {loss}", "y", "after_both_layers.z2"),
    _step("after_second_layer_only.z2", "z2 = W2^T H + W2_0, H of before", "updated.W2", "forward.H", "updated.W2_0"),
    _step("after_second_layer_only.y_hat", "y_hat = softmax(z2)", "after_second_layer_only.z2"),
    _step("after_second_layer_only.loss", "loss = {loss}", "y", "after_second_layer_only.z2"),
)  # fmt: skip

ORDER = {s.key: i for i, s in enumerate(STEPS)}

WORDS = {
    "squared": {
        "loss": "1/2 ||y - y_hat||^2",
        "grad_y_hat": "y_hat - y",
        "delta2": "J^T grad_y_hat = y_hat * (grad_y_hat - y_hat . grad_y_hat)",
    },
    "cross_entropy": {
        "loss": "sum_k y[k] (logsumexp(z2) - z2[k])",
        "grad_y_hat": "-y / y_hat",
        "delta2": "J^T grad_y_hat = y_hat * sum(y) - y",
    },
}
F_PRIME = {
    "sigmoid": "sigmoid(z1) * (1 - sigmoid(z1))",
    "relu": "1 where z1 > 0, else 0",
    "tanh": "1 - tanh(z1)^2",
    "identity": "1",
}


def formula(step: Step, activation: str, loss: str) -> str:
    """The step's formula in plain text, for this activation and loss."""
    return step.formula.format(f=activation, f_prime=F_PRIME[activation], **WORDS[loss])


def quantities(spec: Spec) -> dict[str, np.ndarray]:
    """Every quantity of ``explain(spec)`` as {"section.name": array}, with f'(z1) as backward.f_prime_z1."""
    result = explain(spec)
    flat = {
        f"{section}.{name}": np.asarray(v, dtype=np.float64) for section, d in result.items() for name, v in d.items()
    }
    return flat


def shown(a) -> np.ndarray:
    """The numbers as the book shows them, read back: each rounded by fmt to 4 decimals."""
    a = np.asarray(a, dtype=np.float64)
    return np.array([float(fmt(v, DECIMALS)) for v in a.ravel()]).reshape(a.shape)


class Verdict(NamedTuple):
    key: str
    agrees: bool
    entry: tuple[int, ...] | None  # the first entry that does not agree, counted from 1 as in the math
    mine: float | None
    computed: float | None


def _mine_arrays(mine) -> dict[str, np.ndarray]:
    """{"section": {"name": value}} (the layout of ``explain --json``) as {"section.name": array}."""
    if not isinstance(mine, dict) or not mine:
        raise InputError('your numbers must be a JSON object such as {"forward": {"z1": [4, 0]}}')
    out = {}
    for section, names in mine.items():
        if not isinstance(names, dict):
            raise InputError(f"your numbers: {section!r} must be an object of quantities, as in explain --json")
        for name, value in names.items():
            key = f"{section}.{name}"
            if key not in ORDER:
                raise InputError(f"your numbers: unknown quantity {key!r}: the keys are those of explain --json")
            _refuse_booleans(f"your numbers: {key}", value)
            a = as_float_array(f"your numbers: {key}", value)
            check_finite(f"your numbers: {key}", a)
            out[key] = a.astype(np.float64, copy=False)
    if not out:
        raise InputError('your numbers hold no quantity: give at least one, e.g. {"forward": {"z1": [4, 0]}}')
    return out


def compare(mine, spec: Spec) -> list[Verdict]:
    """A verdict for each quantity in ``mine`` (decoded JSON, keyed as explain --json), in the order of the pass."""
    computed = quantities(spec)
    verdicts = []
    for key, a in sorted(_mine_arrays(mine).items(), key=lambda kv: ORDER[kv[0]]):
        if key not in computed:  # softmax_jacobian, K x K, is computed only for small K
            raise InputError(f"your numbers: mlp does not compute {key} for this network (K = {len(spec.y)})")
        c = computed[key]
        if a.shape != c.shape:
            raise InputError(f"your numbers: {key} has shape {a.shape}; mlp's {key} has shape {c.shape}")
        differs = np.argwhere(shown(a) != shown(c))
        if len(differs) == 0:
            verdicts.append(Verdict(key, True, None, None, None))
        else:
            idx = tuple(int(i) for i in differs[0])
            verdicts.append(Verdict(key, False, tuple(i + 1 for i in idx), float(a[idx]), float(c[idx])))
    return verdicts


def first_disagreement(verdicts: list[Verdict]) -> Verdict | None:
    return next((v for v in verdicts if not v.agrees), None)


def format_comparison(verdicts: list[Verdict], spec: Spec) -> str:
    """One line per quantity compared, then the first that disagrees and how it is computed."""
    steps = {s.key: s for s in STEPS}
    width = max(len(v.key) for v in verdicts)
    lines = []
    for v in verdicts:
        if v.agrees:
            lines.append(f"{v.key:<{width}}  agrees")
        else:
            where = f" at entry {list(v.entry)}" if v.entry else ""
            lines.append(f"{v.key:<{width}}  differs{where}: yours {fmt(v.mine)}, mlp's {fmt(v.computed)}")
    first = first_disagreement(verdicts)
    if first is None:
        lines.append(f"All {len(verdicts)} agree to the {DECIMALS} decimals shown.")
    else:
        step = steps[first.key]
        lines.append(
            f"First disagreement in the order of the pass: {first.key}, computed as "
            f"{formula(step, spec.activation, spec.loss)} from {', '.join(step.inputs)}."
        )
    return "\n".join(lines)


def verdicts_jsonable(verdicts: list[Verdict]) -> dict:
    first = first_disagreement(verdicts)
    return {
        "agrees": {v.key: v.agrees for v in verdicts},
        "first_disagreement": None if first is None else first.key,
    }


def load_mine(text: str):
    """Your numbers as decoded JSON, read as a spec is (mlp.spec.load_json): a key given twice, malformed
    JSON or a number of more than 4300 digits raises InputError."""
    return load_json(text, "your numbers")


def report(spec: Spec, mine_text: str, as_json: bool = False) -> tuple[str, int]:
    """What ``explain SPEC --compare MINE`` prints, and its exit code: 0 if all agree, 1 if one does not.
    Bad numbers raise InputError, which the CLI reports."""
    verdicts = compare(load_mine(mine_text), spec)
    text = json.dumps(verdicts_jsonable(verdicts), indent=2) if as_json else format_comparison(verdicts, spec)
    return text, 0 if first_disagreement(verdicts) is None else 1
