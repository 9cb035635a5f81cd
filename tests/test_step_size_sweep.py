"""The step-size sweep of gradient_checking.ipynb, checked by its data rather than by its image's bytes.

Left of each minimum the sweep's curves are rounding error, whose last bits differ between machines (BLAS
kernel, numpy's SIMD exp), so the glued figure's bytes do too. Its one cell is therefore tagged
``nbval-ignore-output``: the only stored output in the book that strict nbval does not compare (checked below).
Instead, these tests recompute the plotted data, as the notebook does, on whatever machine runs them, and hold
it to what the figure and the text claim, with stated tolerances:

* truncation side (where C h^2 is over 100 times the rounding model, in each precision): the measured error
  equals C h^2 within 2 %, C taken from the float64 curve at the largest step, as in the notebook;
* rounding side (float64, h up to 1e-7): within a factor of 10 of the model eps |loss| / (h * denominator),
  above or below: rounding errors add up with random signs, so only the order of magnitude is predictable;
* the minimum: float64 below 1e-10 at an h within a factor of 10 of the model's best; float32 worse than
  1e-6 at its best; float32 at h <= 1e-9 exactly 1.0 (every difference exactly zero).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mlp

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "chapters" / "gradient_checking.ipynb"


def flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


@pytest.fixture(scope="module")
def sweep():
    """The notebook's sweep (cells "reference = flat(analytic)" and "denominator = ..."), recomputed here."""
    spec = mlp.problem2()
    params, x, y = spec.params, spec.x, spec.y
    _, loss, grads = mlp.loss_and_gradients(params, x, y, spec.activation, spec.loss)
    reference = flat(grads.params())
    steps = np.logspace(-12, -1, 45)
    curves = {}
    for dtype in (np.float64, np.float32):
        p = mlp.Params(*(a.astype(dtype) for a in params))
        xd, yd = x.astype(dtype), y.astype(dtype)
        curves[dtype] = np.array(
            [
                mlp.relative_error(flat(mlp.numerical_gradients(p, xd, yd, spec.activation, h=h)), reference)
                for h in steps
            ]
        )
    denominator = 2 * np.abs(reference).max()
    C = curves[np.float64][-1] / steps[-1] ** 2
    return steps, curves, loss, denominator, C


def test_the_notebook_draws_this_sweep():
    """The test's copy of the sweep is the notebook's: the same steps and the same call."""
    source = "".join("".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"])

    def tokens(code):  # compared as tokens: the formatter wraps the notebook's code at the book's 88 columns
        return " ".join(code.replace("[", " [ ").replace("]", " ] ").split())  # ruff's wrapping: same tokens

    for line in (
        "steps = np.logspace(-12, -1, 45)",
        "mlp.relative_error( flat(mlp.numerical_gradients(p, xd, yd, spec.activation, h=h)), reference, )"
        " for h in steps",
        "C = curves[np.float64][-1] / steps[-1] ** 2",
    ):
        assert tokens(line) in tokens(source), line


def test_truncation_side_is_C_h_squared_in_both_precisions(sweep):
    steps, curves, loss, denominator, C = sweep
    for dtype, at_least in ((np.float64, 8), (np.float32, 2)):
        rounding = np.finfo(dtype).eps * loss / (steps * denominator)
        right = C * steps**2 > 100 * rounding  # where truncation outweighs the rounding model 100 to 1
        assert right.sum() >= at_least
        np.testing.assert_allclose(curves[dtype][right], C * steps[right] ** 2, rtol=0.02, err_msg=str(dtype))


def test_float64_rounding_side_follows_eps_over_h(sweep):
    steps, curves, loss, denominator, _ = sweep
    left = steps <= 1e-7
    model = np.finfo(np.float64).eps * loss / (steps[left] * denominator)
    ratio = curves[np.float64][left] / model
    assert np.all((ratio > 0.1) & (ratio < 10)), ratio


def test_the_minima(sweep):
    steps, curves, loss, denominator, C = sweep
    best64 = int(np.argmin(curves[np.float64]))
    predicted64 = (np.finfo(np.float64).eps * loss / (denominator * C)) ** (1 / 3)
    assert curves[np.float64][best64] < 1e-10
    assert 0.1 < steps[best64] / predicted64 < 10
    assert curves[np.float32].min() > 1e-6
    assert np.all(curves[np.float32][steps <= 1e-9] == 1.0)


def test_only_the_sweep_figure_escapes_nbval():
    """Exactly one cell in the book is tagged nbval-ignore-output; it only glues the sweep's figure, and the
    notebook stores no output for it (the book's build executes it)."""
    tagged = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if "nbval-ignore-output" in tags or "nbval-skip" in tags or "NBVAL" in "".join(cell["source"]):
                tagged.append((path.name, cell))
    assert len(tagged) == 1, [name for name, _ in tagged]
    name, cell = tagged[0]
    assert name == "gradient_checking.ipynb"
    code = [line for line in "".join(cell["source"]).splitlines() if line and not line.startswith("#")]
    assert code == ['glue("gc_fig_step_size", fig, display=False)']
    assert cell["outputs"] == [], "tools/execute_notebooks.py stores no output for this cell"
