"""Every solution on chapters/exercises.md runs here, and its answers are checked.

The page's code cells are executed in order in one namespace, with ``myst_nb.glue`` replaced
by a recorder, so the tests see exactly the numbers the text shows. Each answer is then
compared with an independent computation: HIPS autograd differentiating tests/reference.py's
network run on autograd.numpy (not through mlp), sympy for the tanh derivative, and plain loops for
shapes and sums.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import reference
import sympy
from mystnb_pages import run_page

import mlp

PAGE = Path(__file__).resolve().parents[1] / "chapters" / "exercises.md"
FMT_TOL = 5e-5  # numbers glued through mlp.fmt carry 4 decimals
FMT6_TOL = 5e-7  # ... or 6


# ---------------------------------------------------------------------------------------------
# Running the page


@pytest.fixture(scope="module")
def page():
    """Run the page's cells in one namespace; return (namespace, glued values)."""
    return run_page(PAGE)


def num(glued_value) -> float:
    """A glued number: a float, or a string from mlp_book.display.prose (whose minus sign is U+2212)."""
    if isinstance(glued_value, str):
        assert "-" not in glued_value, f"a hyphen for a minus sign in {glued_value!r}"
        glued_value = glued_value.replace("\u2212", "-")
    return float(glued_value)


def vec(glued_value) -> np.ndarray:
    """A glued vector: a string from mlp_book.display.prose, like "[0.9993, \u22120.0052]"."""
    assert "-" not in glued_value, f"a hyphen for a minus sign in {glued_value!r}"
    return np.array(json.loads(glued_value.replace("\u2212", "-")), dtype=float)


# ---------------------------------------------------------------------------------------------
# The independent reference: tests/reference.py's network and losses (not mlp), run on autograd.numpy


ACT = {name: (lambda z, name=name: reference.f(name, z, xp=anp)) for name in ("sigmoid", "tanh", "relu")}


def ag_forward(theta, X, activation):
    """z1, H, y_hat, a column per example."""
    fwd = reference.forward(theta, X, activation, xp=anp)
    return fwd["z1"], fwd["H"], fwd["y_hat"]


def ag_loss(theta, X, Y, activation="sigmoid", loss="squared"):
    return reference.loss(theta, X, Y, activation, loss, xp=anp)


ag_grad = autograd.grad(ag_loss)
step = reference.step


@pytest.fixture(scope="module")
def p2():
    spec = mlp.problem2()
    return [np.array(a) for a in spec.params], spec.x, spec.y, spec.lr


# ---------------------------------------------------------------------------------------------
# The page's structure: enough exercises, each with a hidden solution


def test_every_exercise_has_a_dropdown_solution():
    text = PAGE.read_text(encoding="utf-8")
    exercises = re.findall(r"^```\{exercise(?:-start)?\}.*\n:label: ([\w-]+)", text, re.M)
    solutions = re.findall(r"^```\{solution-start\} ([\w-]+)\n:class: dropdown", text, re.M)
    assert len(exercises) >= 8
    assert exercises == solutions
    assert "{solution}" not in text  # all solutions are gated, so they can hold code cells


def test_page_glues_exactly_what_its_text_uses(page):
    _, glued = page
    used = set(re.findall(r"\{glue:text\}`([\w]+)", PAGE.read_text(encoding="utf-8")))
    assert used == set(glued)


# ---------------------------------------------------------------------------------------------
# One test per exercise


def test_shapes(page):
    ns, glued = page
    N, N1, K, B = ns["N"], ns["N1"], ns["K"], ns["B"]
    assert len({N, N1, K, B}) == 4  # all different, so no transpose can hide
    assert glued["ex_shapes_grad_W1"] == (N, N1)
    assert glued["ex_shapes_delta1"] == (N1, B)
    expected = {"z1": (N1, B), "H": (N1, B), "z2": (K, B), "y_hat": (K, B), "delta2": (K, B)}
    expected |= {"grad_W2": (N1, K), "grad_W2_0": (K,), "grad_H": (N1, B), "delta1": (N1, B)}
    expected |= {"grad_W1": (N, N1), "grad_W1_0": (N1,)}
    for name, shape in expected.items():
        assert ns["shapes"][name] == shape, name
    assert glued["ex_shapes_n_params"] == N * N1 + N1 + N1 * K + K
    assert eval(glued["ex_shapes_formula"].replace("×", "*")) == glued["ex_shapes_n_params"]
    with pytest.raises(ValueError):
        ns["products"]["W1 @ X"]()
    assert ns["products"]["X @ delta1.T"]().shape == (N, N1)


def test_softmax_rows(page, p2, rng):
    _, glued = page
    theta, x, y, _ = p2
    # independent: the Jacobian built entry by entry, and autograd's bias gradient, for random networks
    for _ in range(10):
        K = int(rng.integers(2, 7))
        y_hat = np.exp(rng.standard_normal(K))
        y_hat /= y_hat.sum()
        J = np.array([[y_hat[k] * ((k == i) - y_hat[i]) for i in range(K)] for k in range(K)])
        assert np.abs(J.sum(axis=1)).max() < 1e-15
        net = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, K)), rng.standard_normal(K)]
        for loss in ("squared", "cross_entropy"):
            g = ag_grad(net, rng.standard_normal(3), np.eye(K)[0], "tanh", loss)
            assert abs(g[3].sum()) < 1e-14 and np.abs(g[2].sum(axis=1)).max() < 1e-14
    assert 0 <= glued["ex_softmax_worst"] < 1e-14
    assert num(glued["ex_softmax_sum_before"]) == theta[3].sum()
    after = step(theta, ag_grad(theta, x, y), 0.5)[3].sum()
    assert num(glued["ex_softmax_sum_after"]) == pytest.approx(after, abs=1e-12)
    assert num(glued["ex_softmax_sum_after"]) == pytest.approx(theta[3].sum(), abs=1e-12)


def test_tanh(page, p2):
    _, glued = page
    theta, x, y, lr = p2
    z = sympy.symbols("z")
    tanh = (sympy.exp(z) - sympy.exp(-z)) / (sympy.exp(z) + sympy.exp(-z))
    assert sympy.simplify(sympy.diff(tanh, z) - (1 - tanh**2)) == 0
    X, Y = x[:, None], y[:, None]
    z1, H, _ = ag_forward(theta, X, "tanh")
    g = ag_grad(theta, x, y, "tanh")
    assert np.allclose(vec(glued["ex_tanh_H"]), H[:, 0], rtol=0, atol=FMT_TOL)
    assert np.allclose(vec(glued["ex_tanh_delta1"]), g[1], rtol=0, atol=FMT_TOL)  # grad W1_0 = delta1
    assert num(glued["ex_tanh_loss"]) == pytest.approx(ag_loss(theta, X, Y, "tanh"), abs=FMT_TOL)
    assert num(glued["ex_tanh_after"]) == pytest.approx(ag_loss(step(theta, g, lr), X, Y, "tanh"), abs=FMT_TOL)
    tanh_prime = autograd.grad(anp.tanh)
    sigmoid_prime = autograd.grad(ACT["sigmoid"])
    assert num(glued["ex_tanh_prime_0"]) == tanh_prime(0.0) == 1.0
    assert num(glued["ex_sigmoid_prime_0"]) == sigmoid_prime(0.0) == 0.25
    assert num(glued["ex_tanh_over_sigmoid_0"]) == tanh_prime(0.0) / sigmoid_prime(0.0)
    assert num(glued["ex_tanh_prime_4"]) == pytest.approx(tanh_prime(float(z1[0, 0])), abs=FMT_TOL)
    assert num(glued["ex_z1_1"]) == z1[0, 0] and num(glued["ex_z1_2"]) == z1[1, 0]
    assert abs(g[1][1]) > abs(g[1][0])  # the unit at z1 = 0 gets the larger gradient
    assert np.all(g[2][1] == 0)  # ... and its outgoing weights none, since tanh(0) = 0


def test_cross_entropy(page, p2):
    _, glued = page
    theta, x, y, lr = p2
    X, Y = x[:, None], y[:, None]
    g = ag_grad(theta, x, y, "sigmoid", "cross_entropy")
    y_hat = ag_forward(theta, X, "sigmoid")[2][:, 0]
    assert np.allclose(g[3], y_hat - y, rtol=0, atol=1e-15)  # delta2 = y_hat - y
    assert np.allclose(vec(glued["ex_ce_delta2"]), g[3], rtol=0, atol=FMT_TOL)
    assert num(glued["ex_ce_loss"]) == pytest.approx(-np.log(y_hat[1]), abs=FMT_TOL)
    after = ag_loss(step(theta, g, lr), X, Y, "sigmoid", "cross_entropy")
    assert num(glued["ex_ce_after"]) == pytest.approx(after, abs=FMT_TOL)
    g_sq = ag_grad(theta, x, y, "sigmoid", "squared")
    assert np.allclose(g_sq[3] / g[3], 2 * y_hat[0] * y_hat[1], rtol=1e-12)
    assert num(glued["ex_ce_ratio"]) == pytest.approx(2 * y_hat[0] * y_hat[1], abs=FMT_TOL)
    assert num(glued["ex_sq_after"]) == pytest.approx(ag_loss(step(theta, g_sq, lr), X, Y), abs=FMT_TOL)


def test_relu(page, p2):
    _, glued = page
    theta, x, y, lr = p2
    X, Y = x[:, None], y[:, None]
    z1, H, y_hat = ag_forward(theta, X, "relu")
    assert z1[1, 0] == 0.0
    g = ag_grad(theta, x, y, "relu")
    assert g[1][1] == 0.0 and np.all(g[0][:, 1] == 0) and np.all(g[2][1] == 0)  # the unit is frozen
    assert np.array_equal(vec(glued["ex_relu_H"]), H[:, 0])
    assert np.allclose(vec(glued["ex_relu_yhat"]), y_hat[:, 0], rtol=0, atol=FMT_TOL)
    assert num(glued["ex_relu_loss"]) == pytest.approx(ag_loss(theta, X, Y, "relu"), abs=FMT6_TOL)
    assert num(glued["ex_relu_after"]) == pytest.approx(ag_loss(step(theta, g, lr), X, Y, "relu"), abs=FMT6_TOL)
    # relu'(0) = 1: the subgradient from the right, as autograd gives for a unit just above the kink
    shifted = [theta[0], theta[1] + np.array([0.0, 1e-12]), theta[2], theta[3]]
    g_right = ag_grad(shifted, x, y, "relu")
    assert num(glued["ex_relu_alt_delta"]) == pytest.approx(g_right[1][1], abs=FMT6_TOL)
    alt = [g[0].copy(), g[1].copy(), g[2], g[3]]
    alt[0][:, 1], alt[1][1] = x * g_right[1][1], g_right[1][1]
    z1_alt = ag_forward(step(theta, alt, lr), X, "relu")[0]
    assert num(glued["ex_relu_alt_z1_2"]) == pytest.approx(z1_alt[1, 0], abs=FMT6_TOL)
    assert z1_alt[1, 0] < 0


def test_learning_rates(page, p2):
    ns, glued = page
    theta, x, y, _ = p2
    X, Y = x[:, None], y[:, None]
    g = ag_grad(theta, x, y)
    grad_sq = sum(float(np.sum(a**2)) for a in g)
    loss0 = ag_loss(theta, X, Y)
    rates = ns["learning_rates"]
    assert len(rates) == 3
    for i, lr in enumerate(rates):
        assert glued[f"ex_lr_{i}"] == lr
        assert glued[f"ex_lr_after_{i}"] == pytest.approx(ag_loss(step(theta, g, lr), X, Y), rel=1e-3)
    assert num(glued["ex_lr_grad_sq"]) == pytest.approx(grad_sq, abs=FMT_TOL)
    assert num(glued["ex_lr_critical"]) == pytest.approx(loss0 / grad_sq, abs=FMT_TOL)
    # the claims of the text: the loss falls for every rate, and the largest rate is past the critical one
    afters = [glued[f"ex_lr_after_{i}"] for i in range(3)]
    assert all(a < loss0 for a in afters) and afters == sorted(afters, reverse=True)
    assert loss0 - max(rates) * grad_sq < 0


def test_case3(page, p2):
    _, glued = page
    theta, x, y, lr = p2
    X, Y = x[:, None], y[:, None]
    g = ag_grad(theta, x, y)
    for case, layers in (("ex_case1", (1, 2)), ("ex_case2", (2,)), ("ex_case3", (1,))):
        assert num(glued[case]) == pytest.approx(ag_loss(step(theta, g, lr, layers), X, Y), abs=FMT_TOL)
    assert num(glued["ex_case3"]) > num(glued["ex_case2"]) > num(glued["ex_case1"])
    z1 = ag_forward(theta, X, "sigmoid")[0][:, 0]
    assert num(glued["ex_case_z1_1"]) == z1[0]
    assert num(glued["ex_case_sigmoid_prime_4"]) == pytest.approx(
        autograd.grad(ACT["sigmoid"])(float(z1[0])), abs=FMT_TOL
    )
    assert num(glued["ex_case_max_W1"]) == pytest.approx(np.abs(g[0]).max(), abs=FMT_TOL)
    assert num(glued["ex_case_max_W2"]) == pytest.approx(np.abs(g[2]).max(), abs=FMT_TOL)


def test_batch(page, p2):
    ns, glued = page
    theta, x, y, lr = p2
    X2, Y2 = ns["X2"], ns["Y2"]
    assert np.array_equal(X2[:, 0], x) and np.array_equal(Y2[:, 0], y)
    g = ag_grad(theta, X2, Y2)
    per = [ag_grad(theta, X2[:, b], Y2[:, b]) for b in range(2)]
    for i in range(4):
        assert np.allclose(g[i], (per[0][i] + per[1][i]) / 2, rtol=0, atol=1e-15)
    assert 0 <= glued["ex_batch_diff"] < 1e-15
    assert np.allclose(vec(glued["ex_batch_gW2_0"]), g[3], rtol=0, atol=FMT_TOL)
    assert num(glued["ex_batch_loss"]) == pytest.approx(ag_loss(theta, X2, Y2), abs=FMT_TOL)
    assert num(glued["ex_batch_after"]) == pytest.approx(ag_loss(step(theta, g, lr), X2, Y2), abs=FMT_TOL)


def test_find_the_bug(page, p2, rng):
    ns, glued = page
    theta, x, y, _ = p2
    params = mlp.Params(*theta)
    exact = ag_grad(theta, x, y)
    buggy, fixed = ns["backward_buggy"](params, x, y), ns["backward_fixed"](params, x, y)
    assert mlp.relative_error(buggy.W2, exact[2]) < 1e-12 and mlp.relative_error(buggy.W2_0, exact[3]) < 1e-12
    assert mlp.relative_error(buggy.W1, exact[0]) > 1e-2 and mlp.relative_error(buggy.W1_0, exact[1]) > 1e-2
    for a, b in zip(fixed, exact, strict=True):
        assert mlp.relative_error(a, b) < 1e-12
    assert glued["ex_bug_W1_err"] > 1e-2
    assert glued["ex_bug_W2_err"] < 1e-7
    assert glued["ex_bug_fixed_err"] < 1e-7
    # the fix holds on networks with all sizes different, where the bug raises
    for _ in range(5):
        N, N1, K = 3, 4, 2
        net = [
            rng.standard_normal((N, N1)),
            rng.standard_normal(N1),
            rng.standard_normal((N1, K)),
            rng.standard_normal(K),
        ]
        xr, yr = rng.standard_normal(N), np.eye(K)[1]
        with pytest.raises(ValueError):
            ns["backward_buggy"](mlp.Params(*net), xr, yr)
        for a, b in zip(ns["backward_fixed"](mlp.Params(*net), xr, yr), ag_grad(net, xr, yr), strict=True):
            assert mlp.relative_error(a, b) < 1e-12
