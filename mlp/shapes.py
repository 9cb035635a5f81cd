"""The one shape table: every symbol of the book, its name in code, and its shape.

N inputs, N1 hidden units, K classes, B examples in a batch (a single example drops
the trailing B). The book renders this table (``mlp_book.shapes.shape_table_markdown``) and
the docstring of :mod:`mlp.network` embeds it (``shape_table_text``), so the two cannot
drift apart. A gradient always has the shape of what it is taken with respect to.
"""

from __future__ import annotations

from typing import NamedTuple


class Row(NamedTuple):
    tex: str  # the symbol as the book writes it (LaTeX)
    plain: str  # the same in plain text, for docstrings
    code: str  # the name in code and in the CLI's JSON
    shape: str  # the shape, in terms of N, N1, K and B
    meaning: str


SHAPE_TABLE: tuple[Row, ...] = (
    Row(r"x", "x", "x", "(N, B)", "input, one example per column"),
    Row(r"y", "y", "y", "(K, B)", "target (one-hot for classification)"),
    Row(r"W^1", "W1", "W1", "(N, N1)", "first-layer weights"),
    Row(r"W^1_0", "W1_0", "W1_0", "(N1,)", "first-layer bias"),
    Row(r"z_1 = (W^1)^T x + W^1_0", "z1 = W1^T x + W1_0", "z1", "(N1, B)", "hidden pre-activation"),
    Row(r"H = f(z_1)", "H = f(z1)", "H", "(N1, B)", "hidden activation"),
    Row(r"W^2", "W2", "W2", "(N1, K)", "second-layer weights"),
    Row(r"W^2_0", "W2_0", "W2_0", "(K,)", "second-layer bias"),
    Row(r"z_2 = (W^2)^T H + W^2_0", "z2 = W2^T H + W2_0", "z2", "(K, B)", "output pre-activation (logits)"),
    Row(r"\hat{y} = \mathrm{softmax}(z_2)", "y_hat = softmax(z2)", "y_hat", "(K, B)", "predicted probabilities"),
    Row(r"\nabla\hat{y} = \partial\ell/\partial\hat{y}", "grad y_hat", "grad_y_hat", "(K, B)", "loss gradient"),
    Row(
        r"J = \mathrm{diag}(\hat{y}) - \hat{y}\hat{y}^T",
        "J",
        "softmax_jacobian",
        "(K, K)",
        "softmax Jacobian dy_hat/dz2 (one example)",
    ),
    Row(r"\delta_2 = J^T \nabla\hat{y}", "delta2 = J^T grad y_hat", "delta2", "(K, B)", "output error dl/dz2"),
    Row(r"\nabla W^2 = H \delta_2^T", "grad W2 = H delta2^T", "grad_W2", "(N1, K)", "gradient of W2"),
    Row(
        r"\nabla W^2_0 = \delta_2",
        "grad W2_0 = delta2",
        "grad_W2_0",
        "(K,)",
        "gradient of W2_0: delta2 summed over the B columns",
    ),
    Row(r"\nabla H = W^2 \delta_2", "grad H = W2 delta2", "grad_H", "(N1, B)", "gradient at the hidden layer"),
    Row(r"\delta_1 = \nabla H \odot f'(z_1)", "delta1 = grad H * f'(z1)", "delta1", "(N1, B)", "hidden error dl/dz1"),
    Row(r"\nabla W^1 = x \delta_1^T", "grad W1 = x delta1^T", "grad_W1", "(N, N1)", "gradient of W1"),
    Row(
        r"\nabla W^1_0 = \delta_1",
        "grad W1_0 = delta1",
        "grad_W1_0",
        "(N1,)",
        "gradient of W1_0: delta1 summed over the B columns",
    ),
)


def shape_table_text() -> str:
    """The table as aligned plain text, for docstrings and terminals."""
    header = Row("", "math", "code", "shape", "meaning")
    rows = (header, *SHAPE_TABLE)
    widths = [max(len(getattr(r, f)) for r in rows) for f in ("plain", "code", "shape")]
    out = []
    for r in rows:
        cells = (r.plain.ljust(widths[0]), r.code.ljust(widths[1]), r.shape.ljust(widths[2]), r.meaning)
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)
