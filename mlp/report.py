"""The text report of one step (``python -m mlp example`` and ``explain SPEC``): the givens, then each section of
the table of the pass, a quantity a line, with the source's equation numbers for Problem 2."""

from __future__ import annotations

from mlp.numbers import fmt, format_array
from mlp.one_step import JACOBIAN_MAX_K, targets_sum_to_one
from mlp.pass_table import PASS, SECTIONS
from mlp.spec import Spec

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
            tag = f"   (source {eqs[key, name]})" if (key, name) in eqs else ""
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
