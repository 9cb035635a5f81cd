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
    residual = net.difference(d2, net.y_hat - net.y)  # y free: sum(y) need not be 1
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
    assert not all(r == 0 for r in net.difference(exact, wrong))
    # and a counterexample: at random numbers the two differ
    assert symbolic.difference_at_random_point(net, exact, wrong) > 1e-6
    # while the right formula agrees there to rounding
    assert symbolic.difference_at_random_point(net, exact, symbolic.matrix_form(net)["grad_W1"]) < 1e-12


def test_transposed_outer_product_is_rejected_by_its_shape():
    net = Net(2, 3, 2)
    wrong = symbolic.source_as_printed(net)["transposed"]
    with pytest.raises(ValueError, match=r"shape mismatch.*\(2, 3\).*\(3, 2\)"):
        net.difference(symbolic.autodiff(net)["grad_W1"], wrong)


def test_softmax_jacobian_without_its_outer_product_is_rejected():
    net = Net(2, 2, 3, hidden="sigmoid", loss="squared")
    exact = symbolic.autodiff_partials(net)["J"]
    assert not all(r == 0 for r in net.difference(exact, sp.diag(*net.y_hat)))
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


# -- the derivatives table (prerequisites page and summary card) ----------------------------------------------


def test_derivatives_table_covers_every_activation_mlp_offers():
    assert sorted(row.name for row in symbolic.DERIVATIVES) == sorted(mlp.activations.ACTIVATIONS)


def test_derivatives_table_agrees_with_sympy():
    checks = symbolic.check_derivatives()
    assert len(checks) == len(mlp.activations.ACTIVATIONS)
    assert not failures(checks)


@pytest.mark.parametrize("row", symbolic.DERIVATIVES, ids=lambda r: r.name)
def test_derivatives_table_gives_the_numbers_of_mlp(row):
    z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])  # 0 included: the table's ReLU'(0) is mlp's 0
    mlp_prime = mlp.activations.ACTIVATIONS[row.name].f_prime
    np.testing.assert_allclose(symbolic.derivative_values(row, z), mlp_prime(z), atol=1e-15)


def test_a_wrong_derivative_in_terms_of_H_is_rejected():
    tanh = next(r for r in symbolic.DERIVATIVES if r.name == "tanh")
    wrong = tanh._replace(prime_of_H=lambda H: 1 - H)  # the sigmoid's pattern misapplied
    assert not failures(symbolic.check_derivatives((tanh,)))
    assert failures(symbolic.check_derivatives((wrong,)))


def test_derivatives_table_has_one_row_per_activation():
    lines = symbolic.derivative_table_markdown().splitlines()
    assert len(lines) == 2 + len(symbolic.DERIVATIVES)
    assert all(line.count("|") == 6 for line in lines)


# -- the summary card ---------------------------------------------------------------------------------------------


def test_card_rows_are_formulas_the_page_checks():
    checked = {c.key for c in symbolic.run_page() if c.verified}
    assert {row.key for row in symbolic.CARD} <= checked
    assert {row.step for row in symbolic.CARD} == {"BP1", "BP2", "BP3", "BP4"}


CARD_SIZES = {"N": 3, "N1": 4, "K": 2, 1: 1}


def card_shape(row):
    """The shape the card's factors multiply out to, at (N, N1, K) = (3, 4, 2); ValueError if they do not fit."""
    factors = [np.zeros(tuple(CARD_SIZES[d] for d in shape)) for shape in row.factors]
    if row.op == "product":
        out = factors[0]
        for f in factors[1:]:
            out = out @ f
        return out.shape
    if len({f.shape for f in factors}) != 1:  # entrywise or equal: the factors share one shape
        raise ValueError(f"factors of different shapes: {[f.shape for f in factors]}")
    return factors[0].shape


@pytest.mark.parametrize("row", symbolic.CARD, ids=lambda r: r.key)
def test_card_shapes_multiply_out_and_are_the_shapes_mlp_returns(row, rng):
    shape = card_shape(row)
    assert shape == tuple(CARD_SIZES[d] for d in row.result)
    params = mlp.init_params(rng, 3, 4, 2)
    x = rng.standard_normal(3)
    grads = mlp.backward(params, x, np.eye(2)[0], mlp.forward(params, x, "sigmoid"), "sigmoid", "squared")
    stored = shape if shape[1] != 1 else shape[:1]  # mlp stores a column (n, 1) as (n,)
    assert getattr(grads, row.key).shape == stored


def test_card_shape_check_can_fail():
    transposed = symbolic.CARD[-1]._replace(factors=((1, "N1"), ("N", 1)))  # delta1 x^T: does not multiply out
    with pytest.raises(ValueError):
        card_shape(transposed)
    swapped = symbolic.CARD[-1]._replace(factors=(("N1", 1), (1, "N")))  # multiplies out, to (N1, N)
    assert card_shape(swapped) != tuple(CARD_SIZES[d] for d in swapped.result)


def test_summary_markdown_has_a_line_per_formula_and_says_when_one_fails():
    rows = symbolic.summary(symbolic.check_relu(2, 2, 2))
    table = symbolic.summary_markdown(rows)
    lines = [line for line in table.splitlines() if line.startswith("| {eq}")]
    assert len(lines) == len(rows) == 7
    assert all(line.endswith("| a | verified |") for line in lines)
    failed = [rows[0]._replace(verified=False), *rows[1:]]
    assert "**NOT EQUAL**" in symbolic.summary_markdown(failed)
