"""The one shape table: every symbol of the book, its name in code, and its shape.

N inputs, N1 hidden units, K classes, B examples in a batch (a single example drops
the trailing B). Its rows come from the one table of the pass (:mod:`mlp.pass_table`). The book
renders this table (``mlp_book.shapes.shape_table_markdown``) and
the docstring of :mod:`mlp.network` embeds it (``shape_table_text``), so the two cannot
drift apart. A gradient always has the shape of what it is taken with respect to.
"""

from __future__ import annotations

from typing import NamedTuple

from mlp.pass_table import GIVEN, PASS, Quantity


class Row(NamedTuple):
    tex: str  # the symbol as the book writes it (LaTeX)
    plain: str  # the same in plain text, for docstrings
    code: str  # the name in code and in the CLI's JSON
    shape: str  # the shape, in terms of N, N1, K and B
    meaning: str


def _shape(dims: tuple[str, ...], batch: bool) -> str:
    dims = (*dims, "B") if batch else dims
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _plain(q: Quantity) -> str:
    return q.eq_plain.format(f="f", loss="l(y, y_hat)", fused="")


# The givens, then the quantities of the forward and backward passes, from the one table of the pass.
SHAPE_TABLE: tuple[Row, ...] = (
    *(Row(g.tex, g.key, g.key, _shape(g.shape, g.batch), g.meaning) for g in GIVEN if g.shape),
    *(
        Row(q.eq_tex, _plain(q), q.name, _shape(q.shape, q.batch), q.meaning)
        for q in PASS
        if q.section in ("forward", "backward")
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
