"""Figures for the book: the network diagram, the computational graph, the loss bar chart.

Each is drawn for a phone's column as well as a laptop's: narrow, with text of one size or two, so that
shown no smaller than the page's small print it is at most about one and a half phone screens wide.

Every function draws values it is given (computed by :mod:`mlp`), and types no number
of its own: change the network and the figure changes with it. Each returns a
``matplotlib.figure.Figure`` built without pyplot, so there is no global figure state
and nothing is shown until the caller displays or glues it.

Numbers are printed with :func:`mlp.fmt`: exact zeros as 0 (never -0), whole numbers
without decimals. Vectors are drawn as columns and matrices row by row, as in the
source's notation; ``W1[i, j]`` (1-based in the labels) joins input ``x[i]`` to hidden
unit ``H[j]``, because ``z1 = W1^T x + W1_0``.

Requires matplotlib (the "book" extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from mlp.activations import get_activation
from mlp.core import Forward, Gradients, Params
from mlp.errors import InputError
from mlp.losses import get_loss
from mlp.numbers import cells, fmt
from mlp.validate import as_float_array, check_example, check_fields, check_finite, check_params

__all__ = ["array_lines", "computational_graph", "loss_bar_chart", "network_diagram"]

# Okabe-Ito colours (safe for colour-blind readers); every colour also has a text cue.
_BLUE, _VERMILLION, _GREY, _GREEN = "#0072B2", "#D55E00", "#666666", "#009E73"
_VALUE_CARD = {"boxstyle": "round,pad=0.4", "fc": "#E6F0F8", "ec": _BLUE, "lw": 1.2}
_GRAD_CARD = {"boxstyle": "round,pad=0.4", "fc": "#FBEAE0", "ec": _VERMILLION, "lw": 1.2}
_CONST_CARD = {"boxstyle": "round,pad=0.4", "fc": "#F2F2F2", "ec": _GREY, "lw": 1.0, "ls": "--"}

_LOSS_TITLES = {
    "squared": r"$\ell = \frac{1}{2}\,\|y - \hat{y}\|^2$",
    "cross_entropy": r"$\ell = -\sum_k y[k] \log \hat{y}[k]$",
}


def array_lines(a, decimals: int = 4) -> list[str]:
    """A scalar, vector (drawn as a column) or matrix as lines of text with bracket pieces.

    Columns are right-aligned; numbers go through :func:`mlp.fmt`, so a zero is "0".
    """
    ndim, rows = cells(np.asarray(a, dtype=np.float64), decimals, "array_lines")
    if ndim == 0:
        return rows[0]
    rows = [[c] for c in rows[0]] if ndim == 1 else rows  # a vector is a column
    widths = [max(len(row[j]) for row in rows) for j in range(len(rows[0]))]
    bodies = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    if len(bodies) == 1:
        return [f"[{bodies[0]}]"]
    left = ["⎡"] + ["⎢"] * (len(bodies) - 2) + ["⎣"]
    right = ["⎤"] + ["⎥"] * (len(bodies) - 2) + ["⎦"]
    return [f"{lb}{body}{rb}" for lb, body, rb in zip(left, bodies, right, strict=True)]


def _card_text(title: str, value, decimals: int) -> str:
    return "\n".join([title, *array_lines(value, decimals)])


def _canvas(width: float, height: float, dpi: float) -> tuple[Figure, object]:
    """A figure whose axes fill it, with data units equal to inches and no axis lines."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _arrow(ax, source, target, *, src_at=(1.0, 0.5), dst_at=(0.0, 0.5), color="black", style="-|>", ls="-", y=None):
    """An arrow from a point of one text card to a point of another (fractions of each card's box).

    With ``y`` (data units) the arrow is horizontal at that height, whatever the cards' heights.
    """
    src_coords, dst_coords = source, target
    if y is not None:
        src_at, dst_at = (src_at[0], y), (dst_at[0], y)
        src_coords, dst_coords = (source, "data"), (target, "data")
    ax.annotate(
        "",
        xy=dst_at,
        xycoords=dst_coords,
        xytext=src_at,
        textcoords=src_coords,
        arrowprops={
            "arrowstyle": style,
            "color": color,
            "lw": 1.4,
            "ls": ls,
            "shrinkA": 7,
            "shrinkB": 7,
            "mutation_scale": 14,
        },
    )


def _one_example(params, x, y=None):
    """Check params (and x, y) with mlp's own checks; the figures draw one example, x of shape (N,)."""
    if x is None:  # the diagram without values: any x of the right length will do for the checks
        x = np.zeros(check_params(params).W1.shape[0])
    params, x, y = check_example(params, x, y)
    if x.ndim != 1:
        raise InputError(f"the figures draw one example: x must have shape (N,); got shape {x.shape}")
    return params, x, y


def _check_values(values, shapes: dict, what: str) -> None:
    """Every field of a Forward or Gradients must have the shape this network gives it, for one example."""
    check_fields(values, shapes, f"{what} for this network and one example")


def network_diagram(
    params: Params,
    x=None,
    fwd: Forward | None = None,
    *,
    activation: str = "sigmoid",
    decimals: int = 4,
    fontsize: float = 11,
    dpi: float = 100,
) -> Figure:
    """The N-N1-K network, drawn top to bottom: a box per unit, an edge per weight, each weight on its edge.

    Inputs are the top row, hidden units the middle row, outputs the bottom row (a key above says so).
    Edge input i -> hidden j carries W1[i, j]; hidden j -> output k carries W2[j, k]. Each hidden and
    output unit's box ends with its bias (W1_0[j], W2_0[k]). With ``x`` and ``fwd`` (from
    :func:`mlp.forward`) the boxes hold the units' values too: x[i]; z1[j] and H[j]; z2[k] and y_hat[k].

    Drawn for a narrow column: the rows are as wide as their boxes, and the weights between two rows each
    get a line of their own, where their edge crosses it, so no label covers another however many there
    are. All text is ``fontsize``; the figure's size is measured from it.
    """
    get_activation(activation)
    params, x_checked, _ = _one_example(params, x)
    W1, W1_0, W2, W2_0 = params
    N, N1 = W1.shape
    K = W2.shape[1]
    if fwd is not None:
        _check_values(fwd, {"z1": (N1,), "H": (N1,), "z2": (K,), "y_hat": (K,)}, "the Forward")
    d = decimals
    fig = Figure(dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    renderer = FigureCanvasAgg(fig).get_renderer()

    def text(s, **kw):
        return ax.text(0, 0, s, fontsize=fontsize, zorder=5, **kw)

    def size(t):
        bb = t.get_window_extent(renderer)
        return bb.width / dpi, bb.height / dpi

    em = fontsize / 72  # inches
    pad, line = 0.45 * em, 1.5 * em  # inside a unit's box; between the baselines of its lines

    # Each unit: its lines of text (black values, then its green bias), in a box.
    def unit(lines, bias=None):
        texts = [text(s, ha="center", va="baseline") for s in lines]
        if bias is not None:
            texts.append(text(bias, ha="center", va="baseline", color=_GREEN))
        width = max(size(t)[0] for t in texts) + 2 * pad
        return {"texts": texts, "w": width, "h": line * (len(texts) - 1) + 1.25 * em + 2 * pad}

    def values(symbol, i, *pairs):
        return [rf"${s}[{i + 1}]$ = {fmt(v[i], d)}" for s, v in pairs] if pairs else [rf"${symbol}[{i + 1}]$"]

    inputs = [unit(values("x", i, *([("x", x_checked)] if x is not None else []))) for i in range(N)]
    hidden_values = [("z_1", fwd.z1), ("H", fwd.H)] if fwd is not None else []
    output_values = [("z_2", fwd.z2), (r"\hat{y}", fwd.y_hat)] if fwd is not None else []
    hidden = [unit(values("H", j, *hidden_values), rf"bias $W^1_0[{j + 1}]$ = {fmt(W1_0[j], d)}") for j in range(N1)]
    outputs = [
        unit(values(r"\hat{y}", k, *output_values), rf"bias $W^2_0[{k + 1}]$ = {fmt(W2_0[k], d)}") for k in range(K)
    ]
    key = [
        text("top row: input $x$", ha="left", va="baseline", weight="bold"),
        text(rf"middle row: hidden $H = \mathrm{{{activation}}}(z_1)$", ha="left", va="baseline", weight="bold"),
        text(r"bottom row: output $\hat{y} = \mathrm{softmax}(z_2)$", ha="left", va="baseline", weight="bold"),
    ]

    def weights(W, name):
        return {
            (i, j): text(
                rf"${name}[{i + 1},{j + 1}]$ = {fmt(W[i, j], d)}",
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": _BLUE, "lw": 0.6},
            )
            for (i, j) in np.ndindex(W.shape)
        }

    labels = [weights(W1, "W^1"), weights(W2, "W^2")]
    label_w = max(size(t)[0] for band in labels for t in band.values()) + 0.4 * em  # with its box
    label_h = max(size(t)[1] for band in labels for t in band.values()) + 0.65 * em  # its box, and a gap

    # Rows of boxes, centred; a weight's label must not stick out of the figure, so the outermost boxes'
    # centres stay half a label from the edges.
    gap = 0.8 * em
    rows = [inputs, hidden, outputs]
    width = max(
        max(sum(u["w"] for u in row) + gap * (len(row) - 1) for row in rows),
        max(size(t)[0] for t in key),
        label_w,
    )
    for row in rows:
        total = sum(u["w"] for u in row) + gap * (len(row) - 1)
        left = (width - total) / 2
        for u in row:
            u["x"] = left + u["w"] / 2
            left += u["w"] + gap
    margin, row_gap = 0.12, 0.5 * em
    shift = max(0.0, max(label_w / 2 - u["x"] for row in rows for u in row))
    width += 2 * (shift + margin)
    for row in rows:
        for u in row:
            u["x"] += shift + margin

    band_h = [len(band) * label_h + 2 * row_gap for band in labels]
    key_h = line * (len(key) - 1) + 1.25 * em
    height = 2 * margin + key_h + 2 * row_gap + sum(max(u["h"] for u in row) for row in rows) + sum(band_h)

    y = height - margin
    for i, t in enumerate(key):
        t.set_position((margin, y - 0.95 * em - i * line))
    y -= key_h + 2 * row_gap
    for r, row in enumerate(rows):
        row_h = max(u["h"] for u in row)
        for u in row:
            u["top"], u["bottom"] = y, y - u["h"]
            ax.add_patch(
                FancyBboxPatch(
                    (u["x"] - u["w"] / 2, u["bottom"]),
                    u["w"],
                    u["h"],
                    boxstyle=f"round,pad=0,rounding_size={0.4 * em}",
                    fc="#FFFFFF" if r == 0 else "#E6F0F8",
                    ec="black",
                    lw=1.2,
                    zorder=4,
                )
            )
            for i, t in enumerate(u["texts"]):
                t.set_position((u["x"], y - pad - 0.95 * em - i * line))
        y -= row_h
        if r < len(labels):
            y -= band_h[r]

    # Edges from the bottom of a box to the top of the next row's; the weights, one a line, each on its edge.
    for r, band in enumerate(labels):
        upper, lower = rows[r], rows[r + 1]
        y_top = min(u["bottom"] for u in upper) - row_gap
        for k, ((i, j), t) in enumerate(band.items()):
            a, b = upper[i], lower[j]
            ax.plot([a["x"], b["x"]], [a["bottom"], b["top"]], color=_BLUE, lw=1.3, zorder=1)
            ly = y_top - (k + 0.5) * label_h
            f = (a["bottom"] - ly) / (a["bottom"] - b["top"])
            t.set_position((a["x"] + f * (b["x"] - a["x"]), ly))

    fig.set_size_inches(width, height)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    return fig


def computational_graph(
    params: Params,
    x,
    y,
    fwd: Forward,
    grads: Gradients,
    loss: float,
    *,
    activation: str = "sigmoid",
    loss_name: str = "squared",
    decimals: int = 4,
    fontsize: float = 12,
    dpi: float = 100,
) -> Figure:
    """The forward pass as a graph; each node shows its value (blue) and gradient (orange).

    The chain x -> z1 -> H -> z2 -> y_hat -> loss runs top to bottom as blue value cards
    joined by solid arrows, each with its gradient card to its right. Parameters W1, W1_0
    feed z1 and W2, W2_0 feed z2 from the left, each with its gradient card under it;
    the target y feeds the loss. The backward pass runs bottom to top as dashed orange
    arrows between the gradient cards. The inputs x and y are constants: they get no
    gradient. ``grads`` is from :func:`mlp.backward` for the same (x, y). The layout is
    measured from the cards, so any network size fits; the figure is tall and narrow, to
    be legible in a page's text column (the cards make three columns).
    """
    get_loss(loss_name)
    get_activation(activation)
    params, x, y = _one_example(params, x, y)
    W1, W1_0, W2, W2_0 = params
    (N, N1), K = W1.shape, W2.shape[1]
    _check_values(fwd, {"z1": (N1,), "H": (N1,), "z2": (K,), "y_hat": (K,)}, "the Forward")
    grad_shapes = {"grad_y_hat": (K,), "delta2": (K,), "grad_W2": (N1, K), "grad_W2_0": (K,), "grad_H": (N1,)}
    _check_values(grads, grad_shapes | {"delta1": (N1,), "grad_W1": (N, N1), "grad_W1_0": (N1,)}, "the Gradients")
    loss_array = as_float_array("loss", loss)
    if loss_array.ndim != 0:
        raise InputError(f"loss must be one number; got shape {loss_array.shape}")
    check_finite("loss", loss_array)
    d = decimals

    fig = Figure(dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")

    def card(text, style, color="black"):
        kw = {"ha": "center", "va": "center", "family": "monospace", "fontsize": fontsize, "zorder": 3}
        return ax.text(0, 0, text, color=color, bbox=style, **kw)

    def value(title, a):
        return card(_card_text(title, a, d), _VALUE_CARD)

    def gradient(title, a):
        return card(_card_text(title, a, d), _GRAD_CARD, _VERMILLION)

    # Main row, one (value card, gradient card) per node. x is a constant; the loss seeds the backward pass.
    act = rf"\mathrm{{{activation}}}"
    nodes = [
        (r"$z_1 = (W^1)^T x + W^1_0$", fwd.z1, r"$\delta_1 = \partial\ell/\partial z_1$", grads.delta1),
        (rf"$H = {act}(z_1)$", fwd.H, r"$\nabla H = \partial\ell/\partial H$", grads.grad_H),
        (r"$z_2 = (W^2)^T H + W^2_0$", fwd.z2, r"$\delta_2 = \partial\ell/\partial z_2$", grads.delta2),
        (
            r"$\hat{y} = \mathrm{softmax}(z_2)$",
            fwd.y_hat,
            r"$\nabla\hat{y} = \partial\ell/\partial\hat{y}$",
            grads.grad_y_hat,
        ),
    ]
    chain = [(value("$x$ (input)", x), card("no gradient:\ninput is fixed", _CONST_CARD, _GREY))]
    chain += [(value(vt, v), gradient(gt, g)) for vt, v, gt, g in nodes]
    seed = card("$\\partial\\ell/\\partial\\ell = 1$\n(start here)", _GRAD_CARD, _VERMILLION)
    chain.append((value(_LOSS_TITLES[loss_name], loss_array), seed))
    # Left of the node they feed: the parameters (gradient card left of the value card), the target.
    parameters = {
        1: (("W^1", W1, grads.grad_W1), ("W^1_0", W1_0, grads.grad_W1_0)),
        3: (("W^2", W2, grads.grad_W2), ("W^2_0", W2_0, grads.grad_W2_0)),
    }
    beside = {
        i: [(value(f"${t}$", v), gradient(rf"$\nabla {t}$", g)) for t, v, g in ps] for i, ps in parameters.items()
    }
    beside[5] = [(card(_card_text("$y$ (target)", y, d), _CONST_CARD), None)]
    legend = ax.text(0, 0, "blue: value\norange: gradient", ha="left", va="top", fontsize=fontsize)

    # Measure every card, in inches, box included; then lay the cards out in three columns:
    # parameters (each with its gradient under it), target | values (top to bottom: x ... loss) | gradients.
    renderer = FigureCanvasAgg(fig).get_renderer()

    def size(t):
        if t is None:
            return 0.0, 0.0
        t.update_bbox_position_size(renderer)
        bb = t.get_bbox_patch().get_window_extent(renderer) if t.get_bbox_patch() else t.get_window_extent(renderer)
        return bb.width / dpi, bb.height / dpi

    def w(t):
        return size(t)[0]

    def h(t):
        return size(t)[1]

    sep, gap, arrow_room, margin = 0.15, 0.55, 0.55, 0.15  # inches
    w_grad_param = max(w(g) for cards in beside.values() for _, g in cards)
    w_param = max(w(v) for cards in beside.values() for v, _ in cards)
    w_value, w_grad = max(w(v) for v, _ in chain), max(w(g) for _, g in chain)
    x_param = margin + max(w_grad_param, w_param)  # right edge of the parameter cards
    x_value = x_param + arrow_room + w_value / 2
    x_grad = x_value + w_value / 2 + 2 * sep + w_grad / 2
    width = x_grad + w_grad / 2 + margin

    def pair_h(cards):  # a parameter's card and its gradient's under it
        return [h(v) + (sep + h(g) if g is not None else 0.0) for v, g in cards]

    bands = [
        max(h(v), h(g), sum(pair_h(beside.get(i, []))) + sep * (len(beside.get(i, [])) - 1))
        for i, (v, g) in enumerate(chain)
    ]
    bands[0] = max(bands[0], h(legend))
    height = 2 * margin + sum(bands) + gap * (len(bands) - 1)

    top = height - margin
    for i, ((v, g), band) in enumerate(zip(chain, bands, strict=True)):
        yc = top - band / 2
        v.set_position((x_value, yc))
        g.set_position((x_grad, yc))
        cards = beside.get(i, [])
        y = yc + (sum(pair_h(cards)) + sep * (len(cards) - 1)) / 2  # the top of this node's parameters
        for (pv, pg), ph in zip(cards, pair_h(cards), strict=True):
            pv.set_position((x_param - w(pv) / 2, y - h(pv) / 2))
            if pg is not None:  # right under its parameter
                pg.set_position((x_param - w(pg) / 2, y - h(pv) - sep - h(pg) / 2))
            y -= ph + sep
        top -= band + gap
    legend.set_position((margin, height - margin))

    fig.set_size_inches(width, height)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)

    down, up = {"src_at": (0.5, 0.0), "dst_at": (0.5, 1.0)}, {"src_at": (0.5, 1.0), "dst_at": (0.5, 0.0)}
    for i, ((v0, g0), (v1, g1)) in enumerate(pairwise(chain)):
        _arrow(ax, v0, v1, **down)
        if i > 0:  # no gradient flows back into the constant input x
            _arrow(ax, g1, g0, color=_VERMILLION, ls="--", **up)
    for i, cards in beside.items():
        for k, (pv, _) in enumerate(cards):
            _arrow(ax, pv, chain[i][0], src_at=(1.0, 0.5), dst_at=(0.0, 1 - (k + 1) / (len(cards) + 1)))
    return fig


def loss_bar_chart(
    before: float,
    after_both: float,
    after_second_only: float,
    *,
    loss_label: str = "squared loss",
    decimals: int = 4,
    fontsize: float = 12,
    dpi: float = 100,
) -> Figure:
    """Horizontal bars: the loss before one gradient step and after it in the source's two cases.

    Case 1 updates both layers; Case 2 only the second layer (the hidden values H stay
    as they were). Each bar is labelled with its value, and named on the line above it, so
    the chart is as narrow as its longest name and fits a phone's column.
    """
    labels: Sequence[str] = (
        "before the step",
        "Case 1: both layers updated",
        "Case 2: only the second layer updated",
    )
    values = []
    for name, v in (("before", before), ("after_both", after_both), ("after_second_only", after_second_only)):
        a = as_float_array(name, v)
        if a.ndim != 0:
            raise InputError(f"{name} must be one number (a loss); got shape {a.shape}")
        check_finite(name, a)
        values.append(float(a))
    colors = [_GREY, _BLUE, _VERMILLION]
    fig = Figure(figsize=(3.7, 3.4), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ypos = np.arange(len(values))[::-1].astype(float)
    bar = 0.45  # the bar's height; its name sits on the line above it
    ax.barh(ypos, values, color=colors, height=bar)
    ax.set_yticks([])
    top = max(values) if max(values) > 0 else 1.0
    for yv, v, label in zip(ypos, values, labels, strict=True):
        ax.text(0, yv + bar / 2 + 0.04, label, va="bottom", ha="left", fontsize=fontsize)
        ax.text(v + 0.01 * top, yv, fmt(v, decimals), va="center", ha="left", fontsize=fontsize)
    ax.set_xlim(0, 1.25 * top)
    ax.set_ylim(-0.5, len(values) - 0.5 + 0.15)
    ax.set_xlabel(loss_label, fontsize=fontsize)
    ax.tick_params(axis="x", labelsize=fontsize)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.set_title(f"{loss_label.capitalize()} before and after\none gradient step", fontsize=fontsize)
    return fig
