"""Numerics at the edges, the softmax layer, the update step, dtypes, shapes and library errors."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import reference

import mlp
from mlp import (
    InputError,
    Params,
    backward,
    forward,
    loss_and_gradients,
    loss_value,
    sgd_step,
    softmax,
    softmax_backward,
    softmax_jacobian,
)
from mlp.activations import relu, relu_prime, sigmoid, sigmoid_prime
from mlp.losses import cross_entropy, cross_entropy_delta, cross_entropy_grad
from mlp_book.display import latex_array, prose

ACTIVATIONS = ["sigmoid", "relu", "tanh", "identity"]
LOSSES = ["squared", "cross_entropy"]
CASES = [(a, loss) for a in ACTIVATIONS for loss in LOSSES]
STRICT_FP = {"over": "raise", "divide": "raise", "invalid": "raise"}  # overflow, log(0), inf - inf: all errors


def random_net(rng, N=3, N1=4, K=2):
    W1 = rng.standard_normal((N, N1))
    return Params(W1, rng.standard_normal(N1), rng.standard_normal((N1, K)), rng.standard_normal(K))


# ---------------------------------------------------------------------------------------------
# Extreme values


def test_softmax_at_plus_minus_1000_is_exact_without_overflow():
    with np.errstate(**STRICT_FP):
        np.testing.assert_array_equal(softmax(np.array([1000.0, -1000.0])), [1.0, 0.0])
        np.testing.assert_array_equal(softmax(np.array([-1000.0, 1000.0])), [0.0, 1.0])
        np.testing.assert_array_equal(softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])
        np.testing.assert_array_equal(softmax(np.array([-1000.0, -1000.0, -1000.0, -1000.0])), [0.25] * 4)
        # a batch: each column separately
        np.testing.assert_array_equal(softmax(np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])), np.eye(2))
        # large but close logits keep their difference: softmax([1000, 999]) = softmax([1, 0])
        e = math.exp(-1.0)
        np.testing.assert_allclose(softmax(np.array([1000.0, 999.0])), [1 / (1 + e), e / (1 + e)], rtol=1e-15)


def test_sigmoid_at_plus_minus_1000_is_exact_without_overflow():
    with np.errstate(**STRICT_FP):
        z = np.array([-1000.0, 1000.0])
        np.testing.assert_array_equal(sigmoid(z), [0.0, 1.0])
        np.testing.assert_array_equal(sigmoid_prime(z), [0.0, 0.0])
        np.testing.assert_array_equal(mlp.activations.tanh(z), [-1.0, 1.0])
        np.testing.assert_array_equal(mlp.activations.tanh_prime(z), [0.0, 0.0])
        # and both branches of the stable form agree with the textbook formula at ordinary z
        z = np.linspace(-30, 30, 121)
        np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
        assert sigmoid(np.float64(0.0)) == 0.5


def test_cross_entropy_of_probabilities_0_and_1_is_never_capped():
    """From probabilities alone a certain-and-wrong prediction has an infinite loss (the logits'
    loss is finite and exact: tests/test_extremes.py); a certain-and-right one has loss 0."""
    with np.errstate(**STRICT_FP):
        assert cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])) == math.inf
        assert cross_entropy(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
        np.testing.assert_array_equal(cross_entropy_grad(np.array([1.0, 0.0]), np.array([1.0, 0.0])), [-1.0, 0.0])
        for y, z2 in (([0.0, 1.0], [1000.0, 0.0]), ([1.0, 0.0], [1000.0, 0.0])):
            d = cross_entropy_delta(np.array(y), np.array(z2))
            np.testing.assert_array_equal(d, np.array([1.0, 0.0]) - np.array(y))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_saturated_network_with_cross_entropy_stays_finite(activation):
    """Logits of +-1000 give y_hat = [1, 0] exactly; loss and every gradient stay finite."""
    params = Params(np.ones((2, 3)), np.zeros(3), np.zeros((3, 2)), np.array([1000.0, -1000.0]))
    x, y = np.array([0.5, -0.25]), np.array([0.0, 1.0])
    with np.errstate(**STRICT_FP):
        fwd, value, g = loss_and_gradients(params, x, y, activation, "cross_entropy")
    np.testing.assert_array_equal(fwd.y_hat, [1.0, 0.0])
    assert value == 2000.0  # log-sum-exp: the true loss, not a cap
    for name, a in g._asdict().items():
        if name != "grad_y_hat":  # -y / y_hat = -e^2000: beyond float64, and read by nothing downstream
            assert np.isfinite(a).all(), name
    np.testing.assert_array_equal(g.delta2, [1.0, -1.0])  # y_hat - y, bounded although -y / y_hat is huge


# ---------------------------------------------------------------------------------------------
# The softmax layer


def fd_softmax_jacobian(z, h=1e-6):
    """J[k, i] = d softmax(z)[k] / d z[i], by centered differences of tests/reference.py's softmax."""

    J = np.zeros((len(z), len(z)))
    for i in range(len(z)):
        dz = np.zeros_like(z)
        dz[i] = h
        J[:, i] = (reference.softmax(z + dz) - reference.softmax(z - dz)) / (2 * h)
    return J


@pytest.mark.parametrize("K", [2, 3, 7])
def test_softmax_jacobian_rows_sum_to_zero_symmetric_and_right(K, rng):
    z = rng.standard_normal(K) * 2
    y_hat = softmax(z)
    J = softmax_jacobian(y_hat)
    assert J.shape == (K, K)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-16)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-16)
    np.testing.assert_array_equal(J, J.T)
    np.testing.assert_allclose(J, fd_softmax_jacobian(z), rtol=1e-8, atol=1e-10)
    g = rng.standard_normal(K)
    np.testing.assert_allclose(softmax_backward(y_hat, g), J.T @ g, rtol=1e-13, atol=1e-15)


def test_softmax_jacobian_takes_one_example():
    with pytest.raises(ValueError, match=r"one example"):
        softmax_jacobian(np.full((2, 3), 0.5))


@pytest.mark.parametrize("targets", ["one-hot", "soft", "unnormalized"])
def test_fused_softmax_cross_entropy_delta_is_jacobian_transpose_times_gradient(targets, rng):
    K = 5
    z2 = rng.standard_normal(K)
    y_hat = softmax(z2)
    y = {
        "one-hot": np.eye(K)[2],
        "soft": rng.dirichlet(np.ones(K)),
        "unnormalized": rng.uniform(0, 2, K),
    }[targets]
    via_jacobian = reference.softmax_jacobian(y_hat).T @ cross_entropy_grad(y, y_hat)
    np.testing.assert_allclose(cross_entropy_delta(y, z2), via_jacobian, rtol=1e-12, atol=1e-15)


def test_fused_delta_in_a_batch_is_per_column_and_divided_by_b(rng):
    K, B = 4, 3
    z2 = rng.standard_normal((K, B))
    y_hat = softmax(z2)
    y = np.eye(K)[:, [0, 3, 3]]
    fused = cross_entropy_delta(y, z2)
    for j in range(B):
        expected = reference.softmax_jacobian(y_hat[:, j]).T @ (-y[:, j] / y_hat[:, j]) / B
        np.testing.assert_allclose(fused[:, j], expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_cross_entropy_delta2_equals_the_unfused_product(activation, rng):
    params, x = random_net(rng), rng.standard_normal((3, 4))
    y = np.eye(2)[:, [0, 1, 1, 0]]
    fwd = forward(params, x, activation)
    g = backward(params, x, y, fwd, activation, "cross_entropy")
    unfused = softmax_backward(fwd.y_hat, cross_entropy_grad(y, fwd.y_hat))
    np.testing.assert_allclose(g.delta2, unfused, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# The update step


def test_sgd_step_leaves_the_old_params_untouched(rng):
    params = random_net(rng)
    before = [p.copy() for p in params]
    x, y = rng.standard_normal(3), np.array([1.0, 0.0])
    _, _, g = loss_and_gradients(params, x, y, "tanh", "squared")
    grads_before = [a.copy() for a in g.params()]
    both = sgd_step(params, g, 0.5)
    second = sgd_step(params, g, 0.5, layers=(2,))
    for old, kept in zip(params, before, strict=True):
        np.testing.assert_array_equal(old, kept)
    for a, kept in zip(g.params(), grads_before, strict=True):
        np.testing.assert_array_equal(a, kept)
    for new, old, grad in zip(both, before, g.params(), strict=True):
        np.testing.assert_array_equal(new, old - 0.5 * grad)
        assert not np.shares_memory(new, old)
    np.testing.assert_array_equal(second.W1, before[0])
    np.testing.assert_array_equal(second.W1_0, before[1])
    np.testing.assert_array_equal(second.W2, before[2] - 0.5 * g.grad_W2)
    np.testing.assert_array_equal(second.W2_0, before[3] - 0.5 * g.grad_W2_0)
    # a Params of gradients works like Gradients
    np.testing.assert_array_equal(sgd_step(params, g.params(), 0.5).W1, both.W1)


def test_sgd_step_refuses_a_bad_learning_rate_or_layer(rng):
    params = random_net(rng)
    g = Params(*(np.ones_like(p) for p in params))
    with pytest.raises(InputError, match=r"lr must be a finite number >= 0; got -0\.1"):
        sgd_step(params, g, -0.1)
    with pytest.raises(InputError, match=r"lr must be a number; got 'fast'"):
        sgd_step(params, g, "fast")
    with pytest.raises(InputError, match=r"lr must be a finite number"):
        sgd_step(params, g, float("nan"))
    with pytest.raises(InputError, match=r"layers must be a subset of \(1, 2\)"):
        sgd_step(params, g, 0.1, layers=(3,))


# ---------------------------------------------------------------------------------------------
# ReLU's kink


def test_relu_derivative_at_zero_is_zero():
    assert relu_prime(np.float64(0.0)) == 0.0
    np.testing.assert_array_equal(relu_prime(np.array([-1.0, -0.0, 0.0, 5e-324, 1.0])), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


def test_relu_unit_at_exactly_zero_passes_no_gradient(rng):
    """A hidden unit whose z1 is exactly 0 (as in the source's Problem 2) gets delta1 = 0."""
    x = np.array([1.0, 2.0])
    W1 = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0]])
    W1_0 = np.array([-2.0, 1.0, 0.5])  # z1 = W1^T x + W1_0 = [0, 1, 3.5]
    params = Params(W1, W1_0, rng.standard_normal((3, 2)), np.zeros(2))
    fwd, _, g = loss_and_gradients(params, x, np.array([0.0, 1.0]), "relu", "cross_entropy")
    np.testing.assert_array_equal(fwd.z1, [0.0, 1.0, 3.5])
    assert g.grad_H[0] != 0.0
    assert g.delta1[0] == 0.0
    np.testing.assert_array_equal(g.grad_W1[:, 0], [0.0, 0.0])
    assert g.grad_W1_0[0] == 0.0
    assert np.all(g.delta1[1:] == g.grad_H[1:])  # relu' = 1 for the positive units


# ---------------------------------------------------------------------------------------------
# Dtypes


@pytest.mark.parametrize(("activation", "loss"), CASES)
@pytest.mark.parametrize("batch", [False, True])
def test_float32_stays_float32_through_forward_and_backward(activation, loss, batch, rng):
    params = mlp.init_params(rng, 3, 4, 2, dtype=np.float32)
    params = params._replace(W1_0=np.full(4, 0.1, np.float32))
    x = rng.standard_normal((3, 5) if batch else 3).astype(np.float32)
    y = (np.eye(2)[:, [0, 1, 1, 0, 1]] if batch else np.array([0.0, 1.0])).astype(np.float32)
    fwd = forward(params, x, activation)
    g = backward(params, x, y, fwd, activation, loss)
    for name, a in (*fwd._asdict().items(), *g._asdict().items()):
        assert a.dtype == np.float32, f"{name} is {a.dtype}"
    for a in sgd_step(params, g, 0.1):
        assert a.dtype == np.float32
    assert math.isfinite(loss_value(y, fwd.y_hat, loss))


def test_float32_extremes_stay_finite_and_float32():
    z = np.array([1000.0, -1000.0], np.float32)
    assert softmax(z).dtype == np.float32
    np.testing.assert_array_equal(softmax(z), [1.0, 0.0])
    assert sigmoid(z).dtype == np.float32
    np.testing.assert_array_equal(sigmoid(z), [1.0, 0.0])
    y, y_hat = np.array([0.0, 1.0], np.float32), np.array([0.75, 0.25], np.float32)
    assert math.isfinite(cross_entropy(y, y_hat))
    assert cross_entropy_grad(y, y_hat).dtype == np.float32
    assert cross_entropy_delta(y, z).dtype == np.float32
    np.testing.assert_array_equal(cross_entropy_delta(y, z), [1.0, -1.0])


def test_integer_inputs_become_float64():
    params = Params([[3, 6], [4, 5]], [1, -6], [[2, 3], [4, 3]], [-1, -2])
    fwd = forward(params, [1, 0], "sigmoid")
    assert all(a.dtype == np.float64 for a in fwd)
    np.testing.assert_array_equal(fwd.z1, [4.0, 0.0])


# ---------------------------------------------------------------------------------------------
# Shapes: batches are columns, and a batch is exactly its examples side by side


@pytest.mark.parametrize(("activation", "loss"), CASES)
@pytest.mark.parametrize("B", [3, 4, 2], ids=["B==N", "B==N1", "B==K"])
def test_batch_equals_stacked_single_examples(activation, loss, B, rng):
    """N = 3, N1 = 4, K = 2: a batch of B = N, N1 or K columns must not broadcast a bias the wrong way."""
    params = random_net(rng, N=3, N1=4, K=2)
    x = rng.standard_normal((3, B))
    y = np.eye(2)[:, rng.integers(0, 2, B)]
    fwd, value, g = loss_and_gradients(params, x, y, activation, loss)
    singles = [loss_and_gradients(params, x[:, j], y[:, j], activation, loss) for j in range(B)]
    for name in ("z1", "H", "z2", "y_hat"):
        stacked = np.stack([getattr(s[0], name) for s in singles], axis=1)
        np.testing.assert_allclose(getattr(fwd, name), stacked, rtol=1e-13, atol=1e-15, err_msg=name)
    assert value == pytest.approx(np.mean([s[1] for s in singles]), rel=1e-13)
    # per-example quantities: the columns of the batch, each scaled by 1/B (the loss is the mean)
    for name in ("grad_y_hat", "delta2", "grad_H", "delta1"):
        stacked = np.stack([getattr(s[2], name) for s in singles], axis=1)
        np.testing.assert_allclose(getattr(g, name), stacked / B, rtol=1e-12, atol=1e-15, err_msg=name)
    # parameter gradients: the mean of the single-example gradients
    for name in ("grad_W1", "grad_W1_0", "grad_W2", "grad_W2_0"):
        mean = np.mean([getattr(s[2], name) for s in singles], axis=0)
        np.testing.assert_allclose(getattr(g, name), mean, rtol=1e-12, atol=1e-15, err_msg=name)


def test_single_example_keeps_vector_layout(rng):
    params = random_net(rng)
    fwd, _, g = loss_and_gradients(params, rng.standard_normal(3), np.array([1.0, 0.0]), "relu", "squared")
    assert [a.shape for a in fwd] == [(4,), (4,), (2,), (2,)]
    assert [a.shape for a in g] == [(2,), (2,), (4, 2), (2,), (4,), (4,), (3, 4), (4,)]
    fwd1, _, g1 = loss_and_gradients(params, rng.standard_normal((3, 1)), np.array([[1.0], [0.0]]), "relu", "squared")
    assert [a.shape for a in fwd1] == [(4, 1), (4, 1), (2, 1), (2, 1)]
    assert [a.shape for a in g1.params()] == [(3, 4), (4,), (4, 2), (2,)]


# ---------------------------------------------------------------------------------------------
# Library-level bad input: InputError naming the array, the expected and the actual shape


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"W1": np.ones((2, 4))}, ["x has 3 entries but W1 has 2 rows", "N, the number of inputs", "(2, 4)"]),
        ({"W1_0": np.ones(3)}, ["W1_0 has 3 entries but W1 has 4 columns", "N1, the number of hidden units"]),
        ({"W2": np.ones((3, 2))}, ["W2 has 3 rows but W1 has 4 columns", "N1, the number of hidden units"]),
        ({"W2_0": np.ones(4)}, ["W2_0 has 4 entries but W2 has 2 columns", "K, the number of outputs"]),
        ({"W2_0": np.ones((2, 1))}, ["W2_0 has shape (2, 1), expected (K,) = (2,)"]),
    ],
    ids=["W1", "W1_0", "W2", "W2_0", "W2_0-column"],
)
def test_forward_with_a_wrong_shape_names_the_arrays_and_where_the_size_comes_from(change, fragments, rng):
    """Both arrays that disagree are named, and where the size comes from: an extra entry in x is not W1's fault."""
    params = random_net(rng)._replace(**change)
    with pytest.raises(InputError) as err:
        forward(params, rng.standard_normal(3), "sigmoid")
    for fragment in fragments:
        assert fragment in str(err.value)


def test_library_errors_for_x_y_and_values(rng):
    params = random_net(rng)
    with pytest.raises(InputError, match=r"x must have shape \(N,\) or \(N, B\); got \(3, 1, 1\)"):
        forward(params, np.ones((3, 1, 1)), "sigmoid")
    with pytest.raises(InputError, match=r"^x has 5 entries but W1 has 3 rows: N, the number of inputs"):
        forward(params, np.ones(5), "sigmoid")  # N comes from x
    fwd = forward(params, np.ones((3, 2)), "sigmoid")
    with pytest.raises(InputError, match=r"^y has shape \(2,\), expected \(K, B\) = \(2, 2\)"):
        backward(params, np.ones((3, 2)), np.ones(2), fwd, "sigmoid")
    with pytest.raises(InputError, match=r"^x contains nan at index \[1\]"):
        forward(params, np.array([0.0, np.nan, 1.0]), "sigmoid")
    with pytest.raises(InputError, match=r"^W2 contains inf at index \[2, 1\]"):
        bad = params.W2.copy()
        bad[2, 1] = np.inf
        forward(params._replace(W2=bad), np.ones(3), "sigmoid")
    with pytest.raises(InputError, match=r"^W1 is not a rectangular array"):
        forward(params._replace(W1=[[1.0, 2.0, 3.0, 4.0], [1.0], [1.0, 2.0]]), np.ones(3), "sigmoid")
    with pytest.raises(InputError, match=r"^x must contain only real numbers"):
        forward(params, np.array(["a", "b", "c"]), "sigmoid")
    with pytest.raises(InputError, match=r"unknown activation 'softplus'"):
        forward(params, np.ones(3), "softplus")
    with pytest.raises(InputError, match=r"unknown loss 'hinge'"):
        loss_value(np.ones(2), np.ones(2), "hinge")


# ---------------------------------------------------------------------------------------------
# Display: zeros as 0, never -0


def test_numbers_print_zero_never_minus_zero():
    assert mlp.fmt(-0.0) == "0"
    assert mlp.fmt(0.0) == "0"
    assert mlp.fmt(-0.00001) == "0.0000"  # rounds to zero at 4 decimals: no minus sign either
    assert mlp.fmt(-0.00005001) == "-0.0001"
    assert mlp.fmt(4.0) == "4"
    assert mlp.fmt(0.98201379) == "0.9820"
    assert mlp.fmt(0.98201379, 3) == "0.982"
    text = mlp.format_array(np.array([[-0.0, 1.5], [0.0, -2.0]]))
    assert "-0" not in text
    assert re.findall(r"-?\d+(?:\.\d+)?", text) == ["0", "1.5000", "0", "-2"]
    assert len(text.splitlines()) == 2  # a matrix prints one row per line
    assert "-0" not in latex_array(np.array([-0.0, -0.00001]))


def test_prose_writes_a_true_minus_sign_and_no_negative_zero():
    assert prose(np.array([0.6267, -0.6267, -0.0])) == "[0.6267, \u22120.6267, 0]"
    assert prose(-6.0) == "\u22126"
    assert prose(np.array([[1.0, -0.5], [0.0, 2.0]])) == "[[1, \u22120.5000], [0, 2]]"
    assert "-" not in prose(np.array([-1e-5, -3.25]))


# ---------------------------------------------------------------------------------------------
# Regression tests: bad input that used to give a raw numpy error, or a silent wrong answer


@pytest.mark.parametrize(
    ("change", "x", "message"),
    [
        ({"W1": np.ones((3, 0)), "W1_0": np.ones(0), "W2": np.ones((0, 2))}, np.ones(3), r"^W1 has shape \(3, 0\)"),
        ({"W2": np.ones((4, 0)), "W2_0": np.ones(0)}, np.ones(3), r"^W2 has shape \(4, 0\).*K >= 1"),
        ({}, np.ones((3, 0)), r"^x has shape \(3, 0\).*at least one example"),
        ({}, np.ones(0), r"^x has shape \(0,\).*at least one input"),
    ],
    ids=["N1=0", "K=0", "B=0", "N=0"],
)
def test_empty_dimensions_are_refused(change, x, message, rng):
    """K = 0 used to fail deep in softmax; N1 = 0 and B = 0 passed silently."""
    with pytest.raises(InputError, match=message):
        forward(random_net(rng)._replace(**change), x, "sigmoid")


def test_params_that_are_not_four_arrays_are_refused(rng):
    with pytest.raises(InputError, match=r"params must be \(W1, W1_0, W2, W2_0\); got None"):
        forward(None, np.ones(3), "sigmoid")
    with pytest.raises(InputError, match=r"^W1 must contain only real numbers; got None"):
        forward(random_net(rng)._replace(W1=None), np.ones(3), "sigmoid")


def test_entries_numpy_stores_as_objects(rng):
    params = random_net(rng)
    with pytest.raises(InputError, match=r"^x has a number too large for floating point at x\[0\]"):
        forward(params, [10**400, 0, 0], "sigmoid")
    with pytest.raises(InputError, match=r"^x must contain only real numbers; got None at x\[1\]"):
        forward(params, [1.0, None, 0.0], "sigmoid")
    from fractions import Fraction

    exact = forward(params, [Fraction(1, 2), 0, 1], "sigmoid")  # real numbers that fit: taken as float64
    np.testing.assert_array_equal(exact.z1, forward(params, np.array([0.5, 0.0, 1.0]), "sigmoid").z1)


def test_backward_refuses_a_forward_of_another_batch_or_no_forward(rng):
    params = random_net(rng)
    x, y = rng.standard_normal((3, 2)), np.eye(2)
    other = forward(params, rng.standard_normal((3, 5)), "sigmoid")
    with pytest.raises(InputError, match=r"^z1 has shape \(4, 5\), expected \(4, 2\): it is not the Forward"):
        backward(params, x, y, other, "sigmoid")
    with pytest.raises(InputError, match=r"expected the Forward .* got NoneType"):
        backward(params, x, y, None, "sigmoid")
    fwd = forward(params, x, "sigmoid")
    as_lists = mlp.Forward(*(a.tolist() for a in fwd))  # right shapes, as lists: fine
    np.testing.assert_array_equal(
        backward(params, x, y, as_lists, "sigmoid").grad_W1, backward(params, x, y, fwd, "sigmoid").grad_W1
    )


def test_loss_value_refuses_shapes_that_would_broadcast(rng):
    """y (K, 1) against y_hat (K, B) used to broadcast and return the batch's sum as its mean."""
    y_hat = softmax(rng.standard_normal((2, 3)))
    with pytest.raises(InputError, match=r"y has shape \(2, 1\) and y_hat has shape \(2, 3\)"):
        loss_value(np.array([[0.0], [1.0]]), y_hat)
    with pytest.raises(InputError, match=r"y has shape \(2,\) and y_hat has shape \(2, 2\)"):
        loss_value(np.array([0.0, 1.0]), y_hat[:, :2])  # B == K: would broadcast along the wrong axis
    with pytest.raises(InputError, match=r"must be the same"):
        loss_value(np.zeros((2, 0)), np.zeros((2, 0)))
    with pytest.raises(InputError, match=r"^y_hat contains nan"):
        loss_value([0.0, 1.0], [np.nan, 1.0])
    # the mean over the batch, as before
    y = np.eye(2)[:, [0, 1, 1]]
    assert loss_value(y, y_hat) == pytest.approx(np.mean([loss_value(y[:, j], y_hat[:, j]) for j in range(3)]))


def test_sgd_step_refuses_gradients_that_would_broadcast(rng):
    """A bias gradient of shape (N1, 1) used to turn W1_0 into an (N1, N1) matrix, silently."""
    params = random_net(rng)
    g = Params(*(np.ones_like(p) for p in params))
    with pytest.raises(InputError, match=r"grad_W1_0 has shape \(4, 1\), expected \(N1,\) = \(4,\)"):
        sgd_step(params, g._replace(W1_0=np.ones((4, 1))), 0.1)
    with pytest.raises(InputError, match=r"grad_W2_0 has shape \(1,\), expected \(K,\) = \(2,\)"):
        sgd_step(params, g._replace(W2_0=np.ones(1)), 0.1)
    with pytest.raises(InputError, match=r"grad_W1 has shape \(4, 4\), but W1 has shape \(3, 4\)"):
        sgd_step(params, g._replace(W1=np.ones((4, 4))), 0.1)
    with pytest.raises(InputError, match=r"grads must be \(W1, W1_0, W2, W2_0\); got 3 arrays"):
        sgd_step(params, tuple(g)[:3], 0.1)
    with pytest.raises(InputError, match=r"^grad_W2 contains nan"):
        sgd_step(params, g._replace(W2=np.full((4, 2), np.nan)), 0.1)
    with pytest.raises(InputError, match=r"layers must be a subset of \(1, 2\).*got 2"):
        sgd_step(params, g, 0.1, layers=2)
    with pytest.raises(
        InputError,
        match=r"the step's W1 - lr \* grad_W1 overflowed to inf or nan after the gradient step with lr = 1e\+300",
    ):
        sgd_step(params, g._replace(W1=np.full((3, 4), 1e300)), 1e300)


def test_init_params_refuses_bad_sizes_and_a_missing_generator():
    with pytest.raises(InputError, match=r"N1 must be an integer >= 1; got 0"):
        mlp.init_params(np.random.default_rng(0), 3, 0, 2)
    with pytest.raises(InputError, match=r"rng must be a numpy.random.Generator"):
        mlp.init_params(0, 3, 4, 2)


def test_cross_entropy_of_a_perfect_prediction_is_plus_zero():
    value = cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert value == 0.0
    assert math.copysign(1.0, value) == 1.0  # not -0.0


def test_display_helpers_refuse_what_they_cannot_show_and_write_huge_numbers_short():
    assert mlp.fmt(1e308) == "1.0000e+308"  # not 309 digits of which 292 are noise
    assert mlp.fmt(-2.5e15, 2) == "-2.50e+15"
    assert mlp.fmt(123456789012345.0) == "123456789012345"  # below 1e15: still the whole number
    with pytest.raises(InputError, match="format_array takes a scalar, vector or matrix"):
        mlp.format_array(np.zeros((2, 2, 2)))
    assert mlp.format_array(np.zeros((2, 0))) == "[[], []]"
    with pytest.raises(InputError, match="latex_array takes"):
        latex_array(np.zeros((2, 2, 2)))
    with pytest.raises(InputError, match="softmax_jacobian takes one example"):
        softmax_jacobian(np.zeros((2, 2)))


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("W1_0", r"^W1_0 contains -inf at index \[0\]"),  # inf + -inf inside z1: no RuntimeWarning
        ("W2_0", r"^W2_0 contains -inf at index \[0\]"),  # inf + -inf inside z2
        ("W1", r"^W1 contains nan at index \[1, 0\]"),  # hidden by ReLU if only H were checked
    ],
)
def test_forward_finds_a_non_finite_input_through_z1_and_z2(where, message):
    # forward checks z1 and z2 rather than each input; the error must still name the input.
    W1, W1_0, W2, W2_0 = np.array([[1e308], [1e308]]), np.array([0.0]), np.array([[1.0, 2.0]]), np.zeros(2)
    if where == "W1_0":  # W1^T x overflows to +inf (no warning), then + -inf
        W1_0 = np.array([-np.inf])
    elif where == "W2_0":  # W2^T H overflows to +inf, then + -inf
        W1, W2, W2_0 = np.ones((2, 1)), np.array([[1e308, 2.0]]), np.array([-np.inf, 0.0])
    else:
        W1 = np.array([[-1.0], [np.nan]])
    with pytest.raises(InputError, match=message):
        mlp.forward(mlp.Params(W1, W1_0, W2, W2_0), np.array([1.0, 1.0]), "relu")


def test_forward_reports_an_overflow_of_finite_inputs():
    params = mlp.Params(np.array([[1e308], [1e308]]), np.array([0.0]), np.array([[1.0, 2.0]]), np.zeros(2))
    with pytest.raises(InputError, match=r"^the hidden pre-activation z1 overflowed to inf"):
        mlp.forward(params, np.array([10.0, 10.0]), "sigmoid")


def test_aligned_puts_one_relation_per_row_and_cuts_only_the_top_level():
    """The worked examples' equations, one relation per row so they fit a phone (mlp_book.display.aligned)."""
    from mlp_book.display import aligned, latex_array

    x = latex_array(np.array([[1.0, -2.0], [0.5, 0.0]]))
    rows = aligned(rf"a = b = {x}, \qquad d = {{e = f}}")
    assert rows == rf"\begin{{aligned}} a &= b \\ &= {x}, \\ d &= {{e = f}} \end{{aligned}}"
    # an update: the step on a row of its own, then its value
    assert aligned("W' = W", "- 0.5 G = V") == r"\begin{aligned} W' &= W \\ &\quad - 0.5 G \\ &= V \end{aligned}"
    with pytest.raises(ValueError, match="no = to align at"):
        aligned(r"\frac{a}{b}")
