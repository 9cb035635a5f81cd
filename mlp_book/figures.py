"""Figures for the book: the network diagram, the computational graph, the loss bar chart.

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
    fontsize: float = 13,
    dpi: float = 100,
) -> Figure:
    """The N-N1-K network as circles and edges, each weight written on its edge.

    Edge input i -> hidden j carries W1[i, j]; hidden j -> output k carries W2[j, k];
    each hidden and output unit has its bias (W1_0[j], W2_0[k]) written below it. With
    ``x`` and ``fwd`` (from :func:`mlp.forward`) the units are labelled with their values
    too: x[i]; z1[j] and H[j]; z2[k] and y_hat[k].
    """
    get_activation(activation)
    params, x_checked, _ = _one_example(params, x)
    W1, W1_0, W2, W2_0 = params
    N, N1 = W1.shape
    K = W2.shape[1]
    if fwd is not None:
        _check_values(fwd, {"z1": (N1,), "H": (N1,), "z2": (K,), "y_hat": (K,)}, "the Forward")
    gap = 2.3  # vertical distance between units, inches
    height = gap * (max(N, N1, K) - 1) + 2.7
    layer_x = (1.55, 5.05, 8.55)
    fig, ax = _canvas(10.6, height, dpi)

    def column(n):
        mid = (height - 0.75) / 2 + 0.1
        return [mid + gap * ((n - 1) / 2 - i) for i in range(n)]

    pos_in, pos_hid, pos_out = column(N), column(N1), column(K)
    radius = 0.4

    def edges(xs, ys_from, ys_to, W, name):
        x0, x1 = xs
        for i, y0 in enumerate(ys_from):
            for j, y1 in enumerate(ys_to):
                ax.plot([x0 + radius, x1 - radius], [y0, y1], color=_BLUE, lw=1.3, zorder=1)
                # Labels sit 30% along each edge, where edges leaving one unit have spread apart.
                t = 0.3
                lx, ly = x0 + radius + t * (x1 - x0 - 2 * radius), y0 + t * (y1 - y0)
                ax.text(
                    lx,
                    ly,
                    rf"${name}[{i + 1},{j + 1}]$ = {fmt(W[i, j], decimals)}",
                    ha="center",
                    va="center",
                    fontsize=fontsize * 0.9,
                    zorder=3,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": _BLUE, "lw": 0.6},
                )

    edges(layer_x[:2], pos_in, pos_hid, W1, "W^1")
    edges(layer_x[1:], pos_hid, pos_out, W2, "W^2")

    def units(xc, ys, symbol, fc):
        for i, yc in enumerate(ys):
            ax.add_patch(_circle(xc, yc, radius, fc))
            ax.text(xc, yc, rf"${symbol}[{i + 1}]$", ha="center", va="center", fontsize=fontsize * 0.85, zorder=5)

    units(layer_x[0], pos_in, "x", "#FFFFFF")
    units(layer_x[1], pos_hid, "H", "#E6F0F8")
    units(layer_x[2], pos_out, r"\hat{y}", "#E6F0F8")

    for layer, positions, bias in ((1, pos_hid, W1_0), (2, pos_out, W2_0)):  # each bias under its unit
        for j, yc in enumerate(positions):
            ax.text(
                layer_x[layer],
                yc - radius - 0.12,
                rf"bias $W^{layer}_0[{j + 1}]$ = {fmt(bias[j], decimals)}",
                ha="center",
                va="top",
                fontsize=fontsize * 0.9,
                color=_GREEN,
            )

    if x is not None:
        for i, yc in enumerate(pos_in):
            ax.text(
                layer_x[0] - radius - 0.12,
                yc,
                rf"$x[{i + 1}]$ = {fmt(x_checked[i], decimals)}",
                ha="right",
                va="center",
                fontsize=fontsize,
            )
    if fwd is not None:
        for j, yc in enumerate(pos_hid):
            ax.text(
                layer_x[1],
                yc + radius + 0.1,
                rf"$z_1[{j + 1}]$ = {fmt(fwd.z1[j], decimals)}" "\n" rf"$H[{j + 1}]$ = {fmt(fwd.H[j], decimals)}",
                ha="center",
                va="bottom",
                fontsize=fontsize * 0.9,
            )
        for k, yc in enumerate(pos_out):
            ax.text(
                layer_x[2] + radius + 0.12,
                yc,
                rf"$z_2[{k + 1}]$ = {fmt(fwd.z2[k], decimals)}"
                "\n"
                rf"$\hat{{y}}[{k + 1}]$ = {fmt(fwd.y_hat[k], decimals)}",
                ha="left",
                va="center",
                fontsize=fontsize * 0.9,
            )

    top = height - 0.25
    ax.text(layer_x[0], top, "input $x$", ha="center", va="top", fontsize=fontsize, weight="bold")
    ax.text(
        layer_x[1],
        top,
        rf"hidden $H = \mathrm{{{activation}}}(z_1)$",
        ha="center",
        va="top",
        fontsize=fontsize,
        weight="bold",
    )
    ax.text(
        layer_x[2],
        top,
        r"output $\hat{y} = \mathrm{softmax}(z_2)$",
        ha="center",
        va="top",
        fontsize=fontsize,
        weight="bold",
    )
    return fig


def _circle(xc, yc, r, fc):
    from matplotlib.patches import Circle

    return Circle((xc, yc), r, fc=fc, ec="black", lw=1.3, zorder=4)


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
    feed z1 and W2, W2_0 feed z2 from the left, each with its gradient card further left;
    the target y feeds the loss. The backward pass runs bottom to top as dashed orange
    arrows between the gradient cards. The inputs x and y are constants: they get no
    gradient. ``grads`` is from :func:`mlp.backward` for the same (x, y). The layout is
    measured from the cards, so any network size fits; the figure is tall and narrow, to
    be legible in a page's text column.
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

    # Measure every card, in inches, box included; then lay the cards out in four columns:
    # parameter gradients | parameters, target | values (top to bottom: x ... loss) | gradients.
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

    sep, gap, arrow_room, margin = 0.15, 0.55, 0.8, 0.15  # inches
    w_grad_param = max(w(g) for cards in beside.values() for _, g in cards)
    w_param = max(w(v) for cards in beside.values() for v, _ in cards)
    w_value, w_grad = max(w(v) for v, _ in chain), max(w(g) for _, g in chain)
    x_param = margin + w_grad_param + sep + w_param  # right edge of the parameter cards
    x_value = x_param + arrow_room + w_value / 2
    x_grad = x_value + w_value / 2 + 2 * sep + w_grad / 2
    width = x_grad + w_grad / 2 + margin

    def pair_h(cards):
        return [max(h(v), h(g)) for v, g in cards]

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
            pv.set_position((x_param - w(pv) / 2, y - ph / 2))
            if pg is not None:  # right beside its parameter
                pg.set_position((x_param - w(pv) - sep - w(pg) / 2, y - ph / 2))
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
    fontsize: float = 11,
    dpi: float = 100,
) -> Figure:
    """Horizontal bars: the loss before one gradient step and after it in the source's two cases.

    Case 1 updates both layers; Case 2 only the second layer (the hidden values H stay
    as they were). Each bar is labelled with its value.
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
    fig = Figure(figsize=(8.0, 3.2), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    ypos = np.arange(len(values))[::-1]
    ax.barh(ypos, values, color=colors, height=0.6)
    ax.set_yticks(ypos, labels, fontsize=fontsize)
    top = max(values) if max(values) > 0 else 1.0
    for yv, v in zip(ypos, values, strict=True):
        ax.text(v + 0.01 * top, yv, fmt(v, decimals), va="center", ha="left", fontsize=fontsize)
    ax.set_xlim(0, 1.18 * top)
    ax.set_xlabel(loss_label, fontsize=fontsize)
    ax.tick_params(axis="x", labelsize=fontsize * 0.9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{loss_label.capitalize()} before and after one gradient step", fontsize=fontsize)
    return fig
