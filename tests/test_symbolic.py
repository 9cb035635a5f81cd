"""Problem 1's formulas against SymPy's own derivatives (mlp_book.symbolic), exactly.

Each formula of chapters/problem1.md is compared with SymPy's differentiation of the symbolic forward pass,
for a general activation f and a general loss ell, and for the concrete cases the page discusses. Negative
tests show that the comparison rejects wrong formulas, and a numeric test ties the symbolic derivative to
mlp.backward.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import mlp
from mlp_book import symbolic
from mlp_book.symbolic import Net

# Sizes (N, N1, K) all different from one another, in both orders of N1 and K: a sum over the wrong range
# or a transposed product cannot pass by accident.
SIZES = [(2, 3, 2), (3, 2, 4)]


def failures(checks):
    return [f"{c.formula} [{c.case}]: residual {c.residual}" for c in checks if not c.verified]


@pytest.mark.parametrize("size", SIZES, ids=str)
def test_every_formula_holds_for_any_activation_and_loss(size):
    checks = symbolic.check_network(Net(*size))
    # 7 matrix formulas, 5 entry-wise gradients, 6 partial derivatives
    assert len(checks) == 18
    assert not failures(checks)


def test_problem2_setting_sigmoid_and_squared_loss_in_both_forms():
    checks = symbolic.check_network(Net(2, 2, 2, hidden="sigmoid", loss="squared"), forms=("matrix", "entry-wise"))
    assert len(checks) == 12
    assert not failures(checks)


@pytest.mark.parametrize(("size", "hidden"), [((3, 2, 4), "f"), ((2, 3, 2), "sigmoid")], ids=str)
def test_matrix_form_for_the_cross_entropy(size, hidden):
    checks = symbolic.check_network(Net(*size, hidden=hidden, loss="cross_entropy"), forms=("matrix",))
    assert len(checks) == 7
    assert not failures(checks)


def test_special_cases_squared_loss_cross_entropy_sigmoid():
    checks = symbolic.check_special_cases()
    assert {c.label for c in checks} == {
        "p1-sq-grad",
        "p1-sq-delta2",
        "p1-ce-grad",
        "p1-ce-general",
        "p1-ce-delta2",
        "p1-sigmoid",
    }
    assert not failures(checks)


def test_cross_entropy_delta2_is_y_hat_minus_y_only_when_targets_sum_to_one():
    net = Net(2, 2, 3, hidden="sigmoid", loss="cross_entropy")
    d2 = symbolic.autodiff(net)["delta2"]
    residual = net.residual(d2, net.y_hat - net.y)  # y free: sum(y) need not be 1
    assert not all(r == 0 for r in residual)
    # a counterexample: a random target does not sum to 1
    assert symbolic.difference_at_random_point(net, d2, net.y_hat - net.y) > 1e-3
    assert symbolic.difference_at_random_point(net, d2, sum(net.y) * net.y_hat - net.y) < 1e-12


def test_relu_on_every_region():
    checks = symbolic.check_relu(2, 3, 2, forms=("matrix",))
    assert len(checks) == 2**3 * 7
    assert not failures(checks)
    assert {c.case for c in checks} >= {"(2, 3, 2): ReLU on region +-+, general loss"}


def test_relu_convention_matches_mlp():
    assert symbolic.relu_derivative_convention()


# -- the check can fail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "key"),
    [((2, 2, 2), "eq9_scalar"), ((3, 2, 2), "eq9_scalar"), ((2, 3, 2), "eq7_sum_to_K"), ((2, 2, 2), "transposed")],
    ids=str,
)
def test_wrong_formulas_of_the_right_shape_are_rejected(size, key):
    net = Net(*size, hidden="sigmoid", loss="squared")
    wrong = symbolic.source_as_printed(net)[key]
    exact = symbolic.autodiff(net)["grad_W1"]
    assert wrong.shape == exact.shape  # so only the algebra can tell
    assert not all(r == 0 for r in net.residual(exact, wrong))
    # and a counterexample: at random numbers the two differ
    assert symbolic.difference_at_random_point(net, exact, wrong) > 1e-6
    # while the right formula agrees there to rounding
    assert symbolic.difference_at_random_point(net, exact, symbolic.matrix_form(net)["grad_W1"]) < 1e-12


def test_transposed_outer_product_is_rejected_by_its_shape():
    net = Net(2, 3, 2)
    wrong = symbolic.source_as_printed(net)["transposed"]
    with pytest.raises(ValueError, match=r"shape mismatch.*\(2, 3\).*\(3, 2\)"):
        net.residual(symbolic.autodiff(net)["grad_W1"], wrong)


def test_softmax_jacobian_without_its_outer_product_is_rejected():
    net = Net(2, 2, 3, hidden="sigmoid", loss="squared")
    exact = symbolic.autodiff_partials(net)["J"]
    assert not all(r == 0 for r in net.residual(exact, sp.diag(*net.y_hat)))
    assert symbolic.difference_at_random_point(net, exact, sp.diag(*net.y_hat)) > 1e-6


def test_sum_over_K_and_scalar_x_are_not_offered_where_they_do_not_exist():
    # eq 9's x[j] needs j <= N; eq 7's sum to K only differs from the right one when K < N1
    assert set(symbolic.source_as_printed(Net(2, 3, 2))) == {"transposed", "eq7_sum_to_K"}
    assert set(symbolic.source_as_printed(Net(3, 2, 4))) == {"transposed", "eq9_scalar"}


# -- the symbolic derivative and mlp.backward give the same numbers ------------------------------------------


@pytest.mark.parametrize(
    ("size", "hidden", "loss"),
    [((2, 3, 2), "sigmoid", "squared"), ((3, 2, 2), "sigmoid", "cross_entropy")],
    ids=str,
)
def test_symbolic_derivatives_evaluate_to_mlp_backward(size, hidden, loss, rng):
    N, N1, K = size
    net = Net(*size, hidden=hidden, loss=loss)
    exact = symbolic.autodiff(net)
    params = mlp.init_params(rng, N, N1, K)
    params = mlp.Params(params.W1, rng.standard_normal(N1), params.W2, rng.standard_normal(K))
    x = rng.standard_normal(N)
    y = np.eye(K)[rng.integers(K)]
    numbers = symbolic.evaluate(net, exact, params, x, y)
    grads = mlp.backward(params, x, y, mlp.forward(params, x, hidden), hidden, loss)
    for name, value in numbers.items():
        np.testing.assert_allclose(getattr(grads, name), value, rtol=1e-10, atol=1e-12, err_msg=name)


def test_relu_region_derivatives_evaluate_to_mlp_backward(rng):
    # a point in region (+, -, +): z1 = W1^T x + W1_0 with W1 = 0 and biases of those signs
    net = Net(2, 3, 2, hidden="relu", loss="squared", pattern=(1, 0, 1))
    exact = symbolic.autodiff(net)
    W1 = 0.1 * rng.standard_normal((2, 3))
    W1_0 = np.array([2.0, -2.0, 2.0])
    x = rng.standard_normal(2)
    assert np.array_equal(W1.T @ x + W1_0 > 0, [True, False, True])
    params = mlp.Params(W1, W1_0, rng.standard_normal((3, 2)), rng.standard_normal(2))
    y = np.array([1.0, 0.0])
    numbers = symbolic.evaluate(net, exact, params, x, y)
    grads = mlp.backward(params, x, y, mlp.forward(params, x, "relu"), "relu", "squared")
    for name, value in numbers.items():
        np.testing.assert_allclose(getattr(grads, name), value, rtol=1e-10, atol=1e-12, err_msg=name)
    assert not grads.grad_W1[:, 1].any()  # the inactive unit's column


# -- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden": "tanh"}, "unknown hidden activation 'tanh'"),
        ({"loss": "hinge"}, "unknown loss 'hinge'"),
        ({"hidden": "relu"}, "ReLU needs a pattern of N1 = 3 entries"),
        ({"hidden": "relu", "pattern": (1, 0)}, "ReLU needs a pattern of N1 = 3 entries"),
        ({"pattern": (1, 0, 1)}, "a pattern is for the ReLU hidden layer only"),
    ],
)
def test_bad_networks_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Net(2, 3, 2, **kwargs)


def test_evaluate_refuses_the_undefined_functions():
    net = Net(2, 3, 2)
    with pytest.raises(ValueError, match="concrete activation and loss"):
        symbolic.evaluate(net, {}, None, None, None)


def test_summary_groups_relu_regions_and_names_every_equation_checked():
    rows = symbolic.summary(symbolic.check_relu(2, 2, 2))
    assert len(rows) == 7
    for row in rows:
        assert row.cases == ["(2, 2, 2): ReLU on every region, general loss"]
        assert row.verified
    labels = {label for row in rows for label in row.labels}
    assert {"p1-bp1", "p1-bp2", "p1-bp3", "p1-bp4"} <= labels


def test_the_labels_are_the_pages():
    page = (Path(__file__).resolve().parents[1] / "chapters" / "problem1.md").read_text(encoding="utf-8")
    defined = set(re.findall(r"^\$\$ \(([\w-]+)\)$", page, flags=re.MULTILINE))
    used = {f.label for f in symbolic.FORMULAS.values()}.union(*symbolic.ALSO_IN.values())
    assert used <= defined, used - defined
    assert set(symbolic.PAGE_ORDER) == set(symbolic.FORMULAS)
