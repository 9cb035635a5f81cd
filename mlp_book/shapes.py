"""The one shape table (:data:`mlp.shapes.SHAPE_TABLE`) rendered for the book."""

from __future__ import annotations

from mlp.shapes import SHAPE_TABLE


def shape_table_markdown() -> str:
    """The table as MyST Markdown (math in $...$, code names in backticks)."""
    lines = ["| math | code | shape | meaning |", "|---|---|---|---|"]
    lines += [f"| ${r.tex}$ | `{r.code}` | {r.shape} | {r.meaning} |" for r in SHAPE_TABLE]
    return "\n".join(lines)
