"""Light tests of mlp_book.figures: each function returns a Figure that shows the values it is given.

The values come from mlp (Problem 2, and a random 3-4-2 network whose entries are all different),
so a figure that typed its own numbers, dropped one, or put a gradient in a value card would fail.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation, Text

import mlp
from mlp_book import figures
from mlp_book.figures import array_lines


def run_example(params, x, y, activation, loss):
    fwd = mlp.forward(params, x, activation)
    grads = mlp.backward(params, x, y, fwd, activation, loss)
    return SimpleNamespace(
        params=params,
        x=x,
        y=y,
        activation=activation,
        loss_name=loss,
        fwd=fwd,
        grads=grads,
        loss=mlp.loss_value(y, fwd.y_hat, loss),
    )


@pytest.fixture
def problem2():
    spec = mlp.problem2()
    return run_example(spec.params, spec.x, spec.y, spec.activation, spec.loss)


@pytest.fixture
def odd(rng):
    """N, N1, K all different, nonzero biases, a tanh hidden layer and cross-entropy."""
    W1, _, W2, _ = mlp.init_params(rng, 3, 4, 2)
    params = mlp.Params(W1, rng.standard_normal(4), W2, rng.standard_normal(2))
    return run_example(params, rng.standard_normal(3), np.array([0.0, 1.0]), "tanh", "cross_entropy")


@pytest.fixture(params=["problem2", "odd"])
def example(request):
    return request.getfixturevalue(request.param)


def graph(ex, **kw):
    return figures.computational_graph(
        ex.params, ex.x, ex.y, ex.fwd, ex.grads, ex.loss, activation=ex.activation, loss_name=ex.loss_name, **kw
    )


def texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


# array_lines: the text of every card


def test_array_lines_uses_mlp_fmt_and_draws_vectors_as_columns():
    v = np.array([0.25, -0.0, 3.0, -1e-9])
    lines = array_lines(v)
    assert len(lines) == len(v)
    numbers = [re.search(r"-?[\d.]+", line).group() for line in lines]
    assert numbers == [mlp.fmt(a) for a in v]
    assert not any(re.search(r"-0(?![.\d]*[1-9])", line) for line in lines), lines
    assert lines[0].startswith("⎡") and lines[-1].startswith("⎣") and lines[1].startswith("⎢")
    assert len({len(line) for line in lines}) == 1  # right-aligned in one column


def test_array_lines_writes_a_matrix_row_by_row():
    a = np.array([[1.5, -22.125], [-0.0, 4.0], [7.0, 0.5]])
    lines = array_lines(a, decimals=3)
    assert [line.split() for line in (ln.strip("⎡⎢⎣⎤⎥⎦") for ln in lines)] == [
        [mlp.fmt(v, 3) for v in row] for row in a
    ]
    assert len({len(line) for line in lines}) == 1
    assert array_lines(np.float64(-0.0)) == [mlp.fmt(0.0)]
    assert array_lines([[2.0, 3.0]]) == [f"[{mlp.fmt(2.0)}  {mlp.fmt(3.0)}]"]
    with pytest.raises(ValueError, match="shape"):
        array_lines(np.zeros((2, 2, 2)))


# network_diagram


def test_network_diagram_writes_every_weight_on_its_edge_and_every_bias(example):
    p = example.params
    fig = figures.network_diagram(p, activation=example.activation)
    assert isinstance(fig, Figure)
    shown = {t.get_text() for t in texts(fig)}
    N, N1 = p.W1.shape
    K = p.W2.shape[1]
    for name, W in (("W^1", p.W1), ("W^2", p.W2)):
        for (i, j), w in np.ndenumerate(W):
            assert f"${name}[{i + 1},{j + 1}]$ = {mlp.fmt(w)}" in shown, (name, i, j)
    for name, b in (("W^1_0", p.W1_0), ("W^2_0", p.W2_0)):
        for j, v in enumerate(b):
            assert f"bias ${name}[{j + 1}]$ = {mlp.fmt(v)}" in shown, (name, j)
    edges = [line for line in fig.axes[0].get_lines()]
    assert len(edges) == N * N1 + N1 * K
    assert any(example.activation in t for t in shown)
    assert not any("z_1[" in t for t in shown)  # no values asked for, none drawn


def test_network_diagram_labels_each_unit_with_its_value(example):
    fig = figures.network_diagram(example.params, example.x, example.fwd, activation=example.activation)
    shown = "\n".join(t.get_text() for t in texts(fig))
    for i, v in enumerate(example.x):
        assert f"$x[{i + 1}]$ = {mlp.fmt(v)}" in shown
    for name, values in (("z_1", example.fwd.z1), ("H", example.fwd.H), ("z_2", example.fwd.z2)):
        for j, v in enumerate(values):
            assert f"${name}[{j + 1}]$ = {mlp.fmt(v)}" in shown, (name, j)
    for k, v in enumerate(example.fwd.y_hat):
        assert rf"$\hat{{y}}[{k + 1}]$ = {mlp.fmt(v)}" in shown


def test_network_diagram_labels_do_not_overlap_and_fit_the_figure(example):
    """Each weight has a line of its own between two rows of units, so no label covers another."""
    fig = figures.network_diagram(example.params, example.x, example.fwd, activation=example.activation)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [t.get_bbox_patch().get_window_extent(renderer) for t in texts(fig) if t.get_bbox_patch()]
    N, N1 = example.params.W1.shape
    assert len(labels) == N * N1 + N1 * example.params.W2.shape[1]
    for a, b in combinations(labels, 2):
        assert not a.overlaps(b), (a, b)
    frame = fig.bbox
    for t in texts(fig):
        b = t.get_window_extent(renderer)
        assert frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1, t.get_text()


# computational_graph


def card_with(fig, array) -> list[Text]:
    """The cards whose lines below their title are exactly array_lines(array)."""
    return [t for t in texts(fig) if t.get_text().split("\n")[1:] == array_lines(array)]


def test_computational_graph_puts_each_value_and_gradient_in_its_own_kind_of_card(example):
    fig = graph(example)
    assert isinstance(fig, Figure)
    values = {"x": example.x, "y": example.y, "loss": example.loss, **example.fwd._asdict()}
    values |= example.params._asdict()
    gradients = {k: v for k, v in example.grads._asdict().items()}
    for name, a in values.items():
        cards = card_with(fig, a)
        assert cards, f"no card shows {name}"
        assert any(c.get_color() == "black" for c in cards), f"{name} is not in a value card"
    for name, g in gradients.items():
        cards = card_with(fig, g)
        assert cards, f"no card shows {name}"
        assert all(c.get_color() == figures._VERMILLION for c in cards), f"{name} is not in a gradient card"
    shown = "\n".join(t.get_text() for t in texts(fig))
    assert example.activation in shown


def test_computational_graph_draws_the_forward_and_the_backward_pass(example):
    fig = graph(example)
    arrows = [a.arrow_patch for a in fig.findobj(Annotation) if a.arrow_patch is not None]
    dashed = [a for a in arrows if a.get_linestyle() == "--"]
    solid = [a for a in arrows if a.get_linestyle() == "-"]
    # x -> z1 -> H -> z2 -> y_hat -> loss, and W1, W1_0, W2, W2_0, y feeding in: 5 + 5 forward arrows;
    # the backward pass runs loss -> y_hat -> z2 -> H -> z1, and stops there: 4 arrows.
    assert (len(solid), len(dashed)) == (10, 4)
    assert all(a.get_edgecolor() == pytest.approx(to_rgba(figures._VERMILLION)) for a in dashed)


def test_computational_graph_cards_do_not_overlap_and_fit_the_figure(example):
    fig = graph(example)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in texts(fig) if t.get_bbox_patch()]
    assert len(boxes) >= 15
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    frame = fig.bbox
    for b in boxes:
        assert frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1


def test_figures_are_the_same_bytes_every_time(problem2):
    """nbval compares the book's glued figures byte for byte: drawing must be deterministic."""
    assert png(graph(problem2)) == png(graph(problem2))
    p = problem2.params
    assert png(figures.network_diagram(p, problem2.x, problem2.fwd)) == png(
        figures.network_diagram(p, problem2.x, problem2.fwd)
    )
    assert png(figures.loss_bar_chart(0.3, 0.1, 0.2)) == png(figures.loss_bar_chart(0.3, 0.1, 0.2))


# loss_bar_chart


def test_loss_bar_chart_draws_each_loss_as_a_labelled_bar(rng):
    losses = rng.uniform(0.05, 2.0, size=3)
    fig = figures.loss_bar_chart(*losses)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3
    top_to_bottom = sorted(bars, key=lambda b: -b.get_y())
    for bar, loss, word in zip(top_to_bottom, losses, ("before", "both layers", "second layer"), strict=True):
        assert bar.get_width() == pytest.approx(loss)
        # named on the line right above it (not beside it: the chart is narrow), from its left end
        above = [t for t in ax.texts if 0 < t.get_position()[1] - (bar.get_y() + bar.get_height()) < 0.1]
        assert [t.get_text() for t in above if t.get_position()[0] == 0 and word in t.get_text()], word
    shown = [t.get_text() for t in texts(fig)]
    for v in losses:
        assert mlp.fmt(v) in shown
    assert ax.get_xlim()[1] > max(losses)


# bad input: one clear InputError naming the problem


def test_bad_input_is_an_input_error_that_names_the_problem(problem2, odd):
    ex = problem2
    with pytest.raises(mlp.InputError, match="unknown loss 'hinge'"):
        figures.computational_graph(ex.params, ex.x, ex.y, ex.fwd, ex.grads, ex.loss, loss_name="hinge")
    with pytest.raises(mlp.InputError, match="unknown activation 'swish'"):
        figures.network_diagram(ex.params, activation="swish")
    with pytest.raises(mlp.InputError, match="z1 has shape"):  # forward values of another network
        figures.network_diagram(ex.params, ex.x, odd.fwd)
    with pytest.raises(mlp.InputError, match="delta1 has shape"):
        figures.computational_graph(ex.params, ex.x, ex.y, ex.fwd, ex.grads._replace(delta1=np.zeros(3)), ex.loss)
    with pytest.raises(mlp.InputError, match="one example"):
        figures.network_diagram(ex.params, np.ones((2, 3)))
    with pytest.raises(mlp.InputError, match="W2_0 has 3 entries but W2 has 2 columns"):
        figures.network_diagram(ex.params._replace(W2_0=np.zeros(3)))
    with pytest.raises(mlp.InputError, match="after_both"):
        figures.loss_bar_chart(0.4, float("nan"), 0.2)
    with pytest.raises(mlp.InputError, match="before must be one number"):
        figures.loss_bar_chart([0.4, 0.3], 0.2, 0.2)


def test_importing_the_figures_starts_no_pyplot_state():
    code = "import sys, mlp_book.figures; sys.exit('matplotlib.pyplot' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False, timeout=60).returncode == 0


def test_figures_refuse_what_is_not_a_network_or_a_forward(problem2):
    """params=None used to fail in len(); a Forward of the wrong kind in getattr()."""
    ex = problem2
    with pytest.raises(mlp.InputError, match=r"params must be \(W1, W1_0, W2, W2_0\); got None"):
        figures.network_diagram(None)
    with pytest.raises(mlp.InputError, match=r"expected the Forward for this network and one example; got tuple"):
        figures.network_diagram(ex.params, ex.x, (1, 2, 3, 4))
    with pytest.raises(mlp.InputError, match="array_lines takes a scalar, vector or matrix"):
        figures.array_lines(np.zeros((2, 2, 2)))


# drawn for a phone's column (issue 21)


def smallest_text_widths(fig) -> float:
    """The figure's width in units of its smallest text, measured from its SVG as the book's pages are."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
    from html_fixes import svg_text_sizes, svg_width

    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    return svg_width(svg) / min(svg_text_sizes(svg))


# At 390 px a figure is shown no smaller than the small print (14 px, tests/test_browser.py), so a figure as wide as
# this many of its smallest letters is 1.5 screens (585 px) wide there: the widest tests/test_browser.py allows.
PHONE_LIMIT = 1.5 * 390 / 14


@pytest.mark.parametrize("spec", [mlp.problem2, mlp.relu_example])
def test_the_book_s_figures_are_narrow_enough_for_a_phone(spec):
    """The book's three drawings of its two networks (Problem 2's and relu_cross_entropy's), and the loss chart."""
    ex = spec()
    ex = run_example(ex.params, ex.x, ex.y, ex.activation, ex.loss)
    drawn = {
        "network": figures.network_diagram(ex.params, ex.x, ex.fwd, activation=ex.activation),
        "graph": graph(ex),
        "loss": figures.loss_bar_chart(0.3, 0.1, 0.2),
    }
    wide = {name: round(smallest_text_widths(fig), 1) for name, fig in drawn.items()}
    assert all(w <= PHONE_LIMIT for w in wide.values()), (wide, PHONE_LIMIT)
    # a figure box at 390 px is 342 px wide inside: the loss chart fits it, not even scrolling
    assert wide["loss"] <= 342 / 14, "the loss chart fits a phone's column"
