"""The numeric claims of chapters/corrections.md, each checked with mlp and with plain numpy.

The plain-numpy side is written here from the source's entry-wise equations (with the
page's corrections), not from mlp's matrix code, so the two sides are independent. The
source's printed values are quoted from the source document as printed (strings, so that
the number of decimals is kept); they are the source's numbers, not mlp output.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import reference
from problem2_source import LR, W1, W1_0, W2, W2_0, X, Y, agrees_to_printed

import mlp

PAGE = Path(__file__).resolve().parents[1] / "chapters" / "corrections.md"

# ---------------------------------------------------------------------------------------
# Plain numpy, entry by entry, from the source's equations (corrected as the page says).
#
# forward_np and backward_np are deliberately not tests/reference.py's network: they are the source's
# entry-wise equations (sums over k, eq by eq) that this page corrects, so each correction is checked on
# the equations it is about. The activations, softmax, loss and centered differences are reference.py's.
# ---------------------------------------------------------------------------------------


def sigmoid(z):
    return reference.f("sigmoid", z)


def relu(z):
    return reference.f("relu", z)


softmax = reference.softmax


def forward_np(W1, W1_0, W2, W2_0, x, f=sigmoid):
    z1 = np.array([W1[:, k] @ x + W1_0[k] for k in range(W1.shape[1])])  # z1[k] = (W1_k)^T x + W1_0[k]
    H = f(z1)
    z2 = np.array([W2[:, k] @ H + W2_0[k] for k in range(W2.shape[1])])  # z2[k] = (W2_k)^T H + W2_0[k]
    return z1, H, softmax(z2)


def dyhat_dz2(y_hat, k, i):
    """Eqs 3 and 5: d y_hat[k] / d z2[i] = y_hat[k] (1[i = k] - y_hat[i])."""
    return y_hat[k] * ((i == k) - y_hat[i])


def backward_np(W1, W1_0, W2, W2_0, x, y, f_prime=lambda z: sigmoid(z) * (1 - sigmoid(z)), f=sigmoid):
    """The source's eqs 1 to 11, entry-wise, with the sums over N1 and the whole vector x."""
    z1, H, y_hat = forward_np(W1, W1_0, W2, W2_0, x, f)
    N1, K = W2.shape
    grad_y_hat = y_hat - y  # eq 17
    # eqs 1 to 3: column i of grad W2 is sum_k d y_hat[k] / d W2_i * grad y_hat[k]
    grad_W2 = np.column_stack([sum(dyhat_dz2(y_hat, k, i) * H * grad_y_hat[k] for k in range(K)) for i in range(K)])
    # eqs 4, 5 (transposed: a column)
    grad_W2_0 = np.array([sum(dyhat_dz2(y_hat, k, i) * grad_y_hat[k] for k in range(K)) for i in range(K)])
    # eq 6: d y_hat[k] / d H = y_hat[k] (W2_k - sum_j y_hat[j] W2_j)
    m = sum(y_hat[j] * W2[:, j] for j in range(K))
    grad_H = sum(y_hat[k] * (W2[:, k] - m) * grad_y_hat[k] for k in range(K))
    # eqs 7 to 11, with k = 1..N1 and the whole input x
    grad_W1 = np.column_stack([f_prime(z1[k]) * x * grad_H[k] for k in range(N1)])
    grad_W1_0 = np.array([f_prime(z1[k]) * grad_H[k] for k in range(N1)])
    return {
        "H": H,
        "y_hat": y_hat,
        "grad_y_hat": grad_y_hat,
        "grad_W2": grad_W2,
        "grad_W2_0": grad_W2_0,
        "grad_H": grad_H,
        "grad_W1": grad_W1,
        "grad_W1_0": grad_W1_0,
    }


def half_squared(y, y_hat):
    return float(reference.loss_of_y_hat("squared", y, y_hat))


def problem2_np() -> dict:
    """Every quantity of Problem 2 that the source prints, in plain numpy."""
    out = backward_np(W1, W1_0, W2, W2_0, X, Y)
    out["loss"] = half_squared(Y, out["y_hat"])
    new = {
        "W1_new": W1 - LR * out["grad_W1"],
        "W1_0_new": W1_0 - LR * out["grad_W1_0"],
        "W2_new": W2 - LR * out["grad_W2"],
        "W2_0_new": W2_0 - LR * out["grad_W2_0"],
    }
    out.update(new)
    _, out["H_new"], out["y_hat_case1"] = forward_np(new["W1_new"], new["W1_0_new"], new["W2_new"], new["W2_0_new"], X)
    out["loss_case1"] = half_squared(Y, out["y_hat_case1"])
    _, _, out["y_hat_case2"] = forward_np(W1, W1_0, new["W2_new"], new["W2_0_new"], X)  # W1 and W1_0 unchanged
    out["loss_case2"] = half_squared(Y, out["y_hat_case2"])
    return out


def numerical_grad(f, a, h=1e-6):
    """Centered differences of the scalar f with respect to every entry of the array a."""
    return reference.centered(f, a, h)


def grad_W1_as_written(x, grad_H, f_prime_z1, units, scalar_x=False):
    """Eqs 7 to 9 with a chosen range of k: the source's range(K) or the right range(N1)."""
    N, N1 = x.shape[0], grad_H.shape[0]
    g = np.zeros((N, N1))
    for k in units:
        if scalar_x:
            g[:, k] += x[k] * f_prime_z1[k] * grad_H[k]  # eq 9 as written: the number X[k], over column k
        else:
            g[:, k] += x * f_prime_z1[k] * grad_H[k]
    return g


def grad_W1_0_as_written(grad_H, f_prime_z1, units):
    """Eqs 10 and 11 with a chosen range of k."""
    g = np.zeros(grad_H.shape[0])
    for k in units:
        g[k] += f_prime_z1[k] * grad_H[k]
    return g


def relu_network(N, N1, K, seed):
    """A random ReLU network with every hidden unit clearly active, and its mlp gradients."""
    rng = np.random.default_rng(seed)
    params = mlp.init_params(rng, N, N1, K)
    x = rng.standard_normal(N)
    # Biases that put every pre-activation at least 0.5 above ReLU's kink.
    params = params._replace(W1_0=np.maximum(0.5 - params.W1.T @ x, 0.0) + rng.uniform(0, 0.5, N1))
    y = np.eye(K)[0]
    fwd, _, grads = mlp.loss_and_gradients(params, x, y, "relu", "squared")
    assert (fwd.z1 >= 0.5).all()
    return params, x, y, fwd, grads


# ---------------------------------------------------------------------------------------
# The source's numbers are right.
# ---------------------------------------------------------------------------------------


def test_mlp_problem2_has_the_source_givens():
    spec = mlp.problem2()
    for name, ours, source in zip(mlp.Params._fields, spec.params, (W1, W1_0, W2, W2_0), strict=True):
        np.testing.assert_array_equal(ours, source, err_msg=name)
    np.testing.assert_array_equal(spec.x, X)
    np.testing.assert_array_equal(spec.y, Y)
    assert spec.lr == LR and spec.activation == "sigmoid" and spec.loss == "squared"


def test_eq14_dropped_a_trailing_zero_not_a_digit():
    H1 = mlp.forward(mlp.problem2().params, X, "sigmoid").H[0]
    assert mlp.fmt(H1, 4) == "0.9820"  # so "0.982" is the same value with the zero dropped
    assert mlp.fmt(H1, 3) == "0.982"
    assert mlp.fmt(mlp.explain(mlp.problem2())["after_both_layers"]["H"][0], 4) == "0.9821"  # eq 29


# ---------------------------------------------------------------------------------------
# Eqs 7, 8, 10: the sum runs over the N1 hidden units, not over K.
# ---------------------------------------------------------------------------------------


def test_sum_over_K_misses_hidden_units_when_N1_exceeds_K():
    N, N1, K = 3, 4, 2
    params, x, y, fwd, grads = relu_network(N, N1, K, seed=1)
    fp = (fwd.z1 > 0).astype(float)

    def loss_of_W1(w):
        return half_squared(y, forward_np(w, params.W1_0, params.W2, params.W2_0, x, relu)[2])

    def loss_of_W1_0(b):
        return half_squared(y, forward_np(params.W1, b, params.W2, params.W2_0, x, relu)[2])

    numeric_np = numerical_grad(loss_of_W1, params.W1)
    numeric_mlp = mlp.numerical_gradients(params, x, y, "relu", "squared")
    np.testing.assert_allclose(numeric_np, numeric_mlp.W1, atol=1e-9)

    as_written = grad_W1_as_written(x, grads.grad_H, fp, range(K))
    corrected = grad_W1_as_written(x, grads.grad_H, fp, range(N1))
    assert mlp.relative_error(corrected, numeric_np) < 1e-7
    assert mlp.relative_error(corrected, grads.grad_W1) < 1e-12
    assert mlp.relative_error(as_written, numeric_np) > 0.05
    # The first K columns are right; the hidden units K+1..N1 are never visited.
    np.testing.assert_allclose(as_written[:, :K], numeric_np[:, :K], atol=1e-8)
    assert not as_written[:, K:].any()
    assert np.abs(numeric_np[:, K:]).max(axis=0).min() > 1e-3  # ...although their true gradients are not zero

    # Eq 10, the bias, has the same range and the same fault.
    numeric_b = numerical_grad(loss_of_W1_0, params.W1_0)
    assert mlp.relative_error(grad_W1_0_as_written(grads.grad_H, fp, range(N1)), numeric_b) < 1e-7
    assert mlp.relative_error(grad_W1_0_as_written(grads.grad_H, fp, range(K)), numeric_b) > 0.05


def test_sum_over_K_runs_off_H_when_K_exceeds_N1():
    N, N1, K = 3, 2, 4
    _, x, _, fwd, grads = relu_network(N, N1, K, seed=2)
    fp = (fwd.z1 > 0).astype(float)
    with pytest.raises(IndexError):
        grad_W1_as_written(x, grads.grad_H, fp, range(K))
    with pytest.raises(IndexError):
        grad_W1_0_as_written(grads.grad_H, fp, range(K))
    np.testing.assert_allclose(grad_W1_as_written(x, grads.grad_H, fp, range(N1)), grads.grad_W1, rtol=1e-12)


# ---------------------------------------------------------------------------------------
# Eq 9: the derivative is the whole input vector x, not the number X[k].
# ---------------------------------------------------------------------------------------


def test_eq9_scalar_reading_fills_each_column_with_one_input():
    spec = mlp.problem2()
    fwd, _, grads = mlp.loss_and_gradients(spec.params, spec.x, spec.y, spec.activation, spec.loss)
    fp = mlp.activations.sigmoid_prime(fwd.z1)
    vector_reading = grad_W1_as_written(X, grads.grad_H, fp, range(2))
    scalar_reading = grad_W1_as_written(X, grads.grad_H, fp, range(2), scalar_x=True)
    np.testing.assert_allclose(vector_reading, np.outer(X, grads.delta1), rtol=1e-12)
    np.testing.assert_allclose(vector_reading, grads.grad_W1, rtol=1e-12)
    np.testing.assert_allclose(vector_reading, problem2_np()["grad_W1"], rtol=1e-12)
    # Entry (1, 2) is x[1] delta1[2] (printed 0.0733 in eq 22); the scalar reading fills column 2 with
    # x[2] delta1[2] = 0, and column 1 with x[1] delta1[1] in both rows, where x[2] = 0 belongs.
    assert agrees_to_printed(vector_reading[0, 1], "0.0733")
    assert scalar_reading[0, 1] == 0 and scalar_reading[1, 0] == scalar_reading[0, 0] != 0
    assert not np.allclose(scalar_reading, grads.grad_W1, atol=1e-3)
    for k in range(2):  # each column holds one number: X[k] times the unit's factor
        assert np.all(scalar_reading[:, k] == scalar_reading[0, k])


def test_eq9_scalar_reading_cannot_be_evaluated_when_N1_exceeds_N():
    _, x, _, fwd, grads = relu_network(3, 4, 2, seed=1)
    with pytest.raises(IndexError):
        grad_W1_as_written(x, grads.grad_H, (fwd.z1 > 0).astype(float), range(4), scalar_x=True)


# ---------------------------------------------------------------------------------------
# Eqs 1 to 6 are right, including for N1 != K.
# ---------------------------------------------------------------------------------------


def test_eqs_1_to_6_entrywise_match_mlp_and_finite_differences(rng):
    N, N1, K = 3, 4, 5
    params = mlp.init_params(rng, N, N1, K)._replace(W1_0=rng.standard_normal(4), W2_0=rng.standard_normal(5))
    x, y = rng.standard_normal(N), np.eye(K)[2]
    ours = backward_np(*params, x, y)
    _, _, grads = mlp.loss_and_gradients(params, x, y, "sigmoid", "squared")
    for name in ("grad_W2", "grad_W2_0", "grad_H", "grad_W1", "grad_W1_0"):
        assert ours[name].shape == getattr(grads, name).shape, name
        assert mlp.relative_error(ours[name], getattr(grads, name)) < 1e-12, name
    assert ours["grad_W2"].shape == (N1, K)  # eq 2: a row of K column blocks of N1 entries

    # Eq 6's form of d y_hat[k] / d H, against centered differences of y_hat[k] in H.
    _, H, y_hat = forward_np(*params, x)
    m = params.W2 @ y_hat
    for k in range(K):
        source_form = params.W2[:, k] * y_hat[k] - sum(params.W2[:, j] * y_hat[k] * y_hat[j] for j in range(K))
        numeric = numerical_grad(lambda h, k=k: softmax(params.W2.T @ h + params.W2_0)[k], H)
        np.testing.assert_allclose(source_form, numeric, atol=1e-9)
        np.testing.assert_allclose(source_form, y_hat[k] * (params.W2[:, k] - m), atol=1e-15)


# ---------------------------------------------------------------------------------------
# Eqs 19 and 21: read as printed, they are zero.
# ---------------------------------------------------------------------------------------


def test_eq19_first_bracket_read_as_a_difference_is_zero():
    ours = problem2_np()
    y_hat, H = ours["y_hat"], ours["H"]
    literal = y_hat[0] * (1 - y_hat[0]) * H - y_hat[0] * y_hat[1] * H
    np.testing.assert_allclose(literal, 0.0, atol=1e-15)
    columns = np.column_stack([y_hat[0] * (1 - y_hat[0]) * H, -y_hat[0] * y_hat[1] * H])
    columns2 = np.column_stack([-y_hat[0] * y_hat[1] * H, y_hat[1] * (1 - y_hat[1]) * H])
    meant = columns * ours["grad_y_hat"][0] + columns2 * ours["grad_y_hat"][1]
    grad_W2 = mlp.explain(mlp.problem2())["backward"]["grad_W2"]
    np.testing.assert_allclose(meant, grad_W2, rtol=1e-12)
    assert agrees_to_printed(meant, [["0.2880", "-0.2880"], ["0.1466", "-0.1466"]])
    assert np.abs(meant).min() > 0.1


@pytest.mark.parametrize("K", [2, 3, 5])
def test_eq21_without_the_grad_y_hat_factors_is_zero_for_any_network(K, rng):
    N1 = 4
    W = rng.standard_normal((N1, K))
    y_hat = mlp.softmax(rng.standard_normal(K))
    grad_y_hat = rng.standard_normal(K)
    m = W @ y_hat
    printed_form = sum(y_hat[i] * (W[:, i] - m) for i in range(K))
    meant = sum(y_hat[i] * (W[:, i] - m) * grad_y_hat[i] for i in range(K))
    np.testing.assert_allclose(printed_form, 0.0, atol=1e-14)
    np.testing.assert_allclose(meant, W @ mlp.softmax_backward(y_hat, grad_y_hat), rtol=1e-10, atol=1e-14)
    assert np.abs(meant).max() > 1e-3


def test_eq21_with_the_factors_gives_the_printed_grad_H():
    ours = problem2_np()
    grad_H = mlp.explain(mlp.problem2())["backward"]["grad_H"]
    np.testing.assert_allclose(ours["grad_H"], grad_H, rtol=1e-12)
    assert agrees_to_printed(grad_H, ["-0.2932", "0.2932"])


# ---------------------------------------------------------------------------------------
# Notation slips with numeric consequences.
# ---------------------------------------------------------------------------------------


def test_gradient_with_respect_to_the_target_is_minus_grad_y_hat():
    spec = mlp.problem2()
    y_hat = mlp.forward(spec.params, spec.x, spec.activation).y_hat
    grad_y = numerical_grad(lambda t: half_squared(t, y_hat), Y.copy())
    grad_y_mlp = numerical_grad(lambda t: mlp.loss_value(t, y_hat, "squared"), Y.copy())
    np.testing.assert_allclose(grad_y, grad_y_mlp, atol=1e-9)
    np.testing.assert_allclose(grad_y, -mlp.losses.squared_loss_grad(Y, y_hat), atol=1e-9)
    assert agrees_to_printed(-grad_y, ["0.6267", "-0.6267"])  # eq 17's vector is -grad y


def test_case2_uses_the_original_hidden_values():
    ours = problem2_np()
    explained = mlp.explain(mlp.problem2())
    H_old, H_new = ours["H"], ours["H_new"]
    with_old = softmax(ours["W2_new"].T @ H_old + ours["W2_0_new"])
    with_new = softmax(ours["W2_new"].T @ H_new + ours["W2_0_new"])
    np.testing.assert_allclose(with_old, explained["after_second_layer_only"]["y_hat"], rtol=1e-12)
    np.testing.assert_allclose(with_new, explained["after_both_layers"]["y_hat"], rtol=1e-12)
    assert agrees_to_printed(with_old, ["0.4672", "0.5328"])  # eq 33
    assert not agrees_to_printed(with_new, ["0.4672", "0.5328"])
    assert agrees_to_printed(with_new, ["0.4633", "0.5367"])  # eq 30's value instead


def test_half_sum_of_squared_gradient_is_the_loss_only_for_the_squared_loss():
    spec = mlp.problem2()
    y_hat = mlp.forward(spec.params, spec.x, spec.activation).y_hat
    squared = mlp.loss_value(Y, y_hat, "squared")
    assert squared == pytest.approx(0.5 * np.sum(mlp.losses.squared_loss_grad(Y, y_hat) ** 2), rel=1e-14)
    assert squared == pytest.approx(half_squared(Y, y_hat), rel=1e-14)
    ce = mlp.loss_value(Y, y_hat, "cross_entropy")
    assert ce == pytest.approx(-np.log(y_hat[1]), rel=1e-14)
    assert abs(ce - 0.5 * np.sum(mlp.losses.cross_entropy_grad(Y, y_hat) ** 2)) > 1.0
    # Eq 32 needs the residual of the updated prediction: eq 17's gradient gives back eq 31's loss.
    y_hat_new = problem2_np()["y_hat_case1"]
    assert agrees_to_printed(0.5 * np.sum((y_hat_new - Y) ** 2), "0.2146")
    assert agrees_to_printed(0.5 * np.sum(mlp.losses.squared_loss_grad(Y, y_hat) ** 2), "0.3927")


# ---------------------------------------------------------------------------------------
# The page covers the whole source.
# ---------------------------------------------------------------------------------------


def _equation_numbers(text: str) -> set[int]:
    """Every equation number the text names: "eq 7", "eqs 7, 8 and 10", "12 to 25", table Eq cells."""
    found: set[int] = set()
    spans = re.findall(r"\b[Ee]qs?\.? ((?:\d+(?:, | and | to |, and ))*\d+)", text)
    spans += [row.split("|")[1] for row in text.splitlines() if re.match(r"\| *(before |after )?\d", row)]
    for span in spans:
        for a, b in re.findall(r"(\d+)(?: to (\d+))?", span):
            found.update(range(int(a), int(b or a) + 1))
    return found


def test_page_names_every_equation_of_the_source():
    text = PAGE.read_text(encoding="utf-8")
    missing = set(range(1, 35)) - _equation_numbers(text)
    assert not missing, f"the corrections page never names source eqs {sorted(missing)}"


def test_page_tables_use_only_the_three_kinds():
    text = PAGE.read_text(encoding="utf-8")
    rows = [r for r in text.splitlines() if re.match(r"\| *(before |after )?\d", r) and r.count("|") == 6]
    assert len(rows) >= 20
    kinds = {r.split("|")[2].strip() for r in rows}  # | Eq | Kind | source | book | why |
    assert kinds == {"error", "slip", "change"}
