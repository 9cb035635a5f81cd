"""The claims of chapters/pitfalls.md, asserted against computations that do not go through
the page or through mlp's backward pass.

The first tests check each pitfall on its own, with a loss written here in plain numpy and
differentiated by centered differences (and, for ReLU at 0, by autograd). The last tests
run the page's code cells, recording what they glue into the text, and check those numbers
against the same independent computations.
"""

from __future__ import annotations

import re
from pathlib import Path

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import reference
from mystnb_pages import run_page

import mlp

PAGE = Path(__file__).resolve().parents[1] / "chapters" / "pitfalls.md"
GOOD = 1e-7  # a correct gradient checks below this (float64, off any kink)
WRONG = 1e-2  # a wrong one above this


# ---------------------------------------------------------------------------------------------
# Independent references: tests/reference.py's network (plain numpy), its squared loss differenced here


def ref_loss(params, X, Y, activation="sigmoid"):
    """Mean over the columns of 1/2 ||y - y_hat||^2."""
    return float(reference.loss(params, np.asarray(X, dtype=float), np.asarray(Y, dtype=float), activation, "squared"))


def ref_gradients(params, X, Y, activation="sigmoid"):
    """Centered differences of ref_loss, entry by entry."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    return mlp.Params(*reference.numerical_gradients(params, X, Y, activation, "squared"))


def num(text: str) -> float:
    """A number the page glues as text, through mlp_book.display.prose: its minus sign is U+2212, never a hyphen."""
    assert "-" not in text, f"a hyphen for a minus sign in {text!r}"
    return float(text.replace("\u2212", "-"))


@pytest.fixture(scope="module")
def p2():
    spec = mlp.problem2()
    return spec.params, spec.x, spec.y


def random_batch(B: int):
    """B seeded Problem 2 sized examples (N = K = 2): inputs X (2, B) and one-hot targets Y (2, B)."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, B))
    return X, np.eye(2)[:, rng.integers(0, 2, size=B)]


def relu_net(seed, N=4, N1=6, K=3):
    """A random ReLU network and one example: some hidden units off, none within 1e-3 of the kink.

    Draws from a generator seeded with ``seed`` until a network qualifies, so the result is fixed.
    """
    rng = np.random.default_rng(seed)
    while True:
        params = mlp.init_params(rng, N, N1, K)
        params = params._replace(W1_0=0.3 * rng.standard_normal(N1))
        x = rng.standard_normal(N)
        y = np.eye(K)[rng.integers(0, K)]
        z1 = reference.forward(params, x, "relu")["z1"][:, 0]
        if np.abs(z1).min() > 1e-3 and np.any(z1 < 0) and np.any(z1 > 0):
            return params, x, y


# ---------------------------------------------------------------------------------------------
# 1. Transposes


def test_forgotten_transpose_runs_on_problem2_and_is_wrong(p2):
    params, x, _ = p2
    z1_ref = reference.forward(params, x)["z1"][:, 0]
    wrong = params.W1 @ x + params.W1_0  # square W1: no error
    assert np.array_equal(params.W1.T @ x + params.W1_0, z1_ref)
    assert not np.allclose(wrong, z1_ref)


def test_forgotten_transpose_raises_for_a_rectangular_matrix(rng):
    W1 = rng.standard_normal((3, 4))
    x = rng.standard_normal(3)
    assert (W1.T @ x).shape == (4,)
    with pytest.raises(ValueError):
        W1 @ x
    # mlp refuses a transposed W1 with a message that names it
    params = mlp.Params(W1.T, np.zeros(3), rng.standard_normal((4, 2)), np.zeros(2))
    with pytest.raises(mlp.InputError, match="W1"):
        mlp.forward(params, x, "sigmoid")


def test_transposed_outer_product_fails_the_gradient_check(p2):
    params, x, y = p2
    delta1 = mlp.loss_and_gradients(params, x, y, "sigmoid")[2].delta1
    numeric = ref_gradients(params, x, y).W1
    assert mlp.relative_error(np.outer(x, delta1), numeric) < GOOD
    assert np.outer(delta1, x).shape == params.W1.shape  # a shape check cannot tell
    assert mlp.relative_error(np.outer(delta1, x), numeric) > WRONG


def test_bias_broadcasts_along_examples_silently_when_B_equals_N1(p2):
    params, _, _ = p2
    X = np.array([[1.0, 0.0], [0.0, 1.0]])  # B = 2 = N1
    z1_ref = reference.forward(params, X)["z1"]
    wrong = params.W1.T @ X + params.W1_0
    assert not np.allclose(wrong, z1_ref)
    assert np.allclose(params.W1.T @ X + params.W1_0[:, np.newaxis], z1_ref)
    assert np.allclose(mlp.forward(params, X, "sigmoid").z1, z1_ref)
    with pytest.raises(ValueError):
        params.W1.T @ np.ones((2, 3)) + params.W1_0  # B = 3 != N1


# ---------------------------------------------------------------------------------------------
# 2. ReLU'(0)


def test_relu_derivative_at_zero_depends_on_who_you_ask():
    assert mlp.activations.relu_prime(np.array([0.0]))[0] == 0.0
    h = 1e-6
    assert (mlp.activations.relu(h) - mlp.activations.relu(-h)) / (2 * h) == pytest.approx(0.5, rel=1e-12)
    # autograd: np.maximum splits a tie evenly, np.where picks the branch that is selected
    assert autograd.grad(lambda z: anp.maximum(z, 0.0))(0.0) == 0.5
    assert autograd.grad(lambda z: anp.where(z > 0, z, 0.0))(0.0) == 0.0


def test_relu_at_problem2_kink_freezes_the_second_unit(p2):
    params, x, y = p2
    fwd, _, g = mlp.loss_and_gradients(params, x, y, "relu")
    assert fwd.z1[1] == 0.0
    assert g.grad_W1_0[1] == 0.0 and np.all(g.grad_W1[:, 1] == 0.0)
    assert g.grad_H[1] != 0.0  # with relu'(0) = 1 it would move


# ---------------------------------------------------------------------------------------------
# 3. -0.0


def test_outer_product_prints_a_negative_zero_and_mlp_does_not(p2):
    params, x, y = p2
    delta1 = mlp.loss_and_gradients(params, x, y, "sigmoid")[2].delta1
    outer = np.outer(x, delta1)
    negative_zeros = np.signbit(outer) & (outer == 0)
    assert negative_zeros.any()
    assert "-0." in str(outer)
    assert np.array_equal(outer, np.outer(x, delta1) + 0.0)  # -0.0 == 0.0: equality cannot see it
    assert not re.search(r"-0(?![.\d])", mlp.format_array(outer))
    assert not (np.signbit(outer + 0.0) & (outer == 0)).any()


# ---------------------------------------------------------------------------------------------
# 4. Sum or mean


def test_mean_over_copies_is_the_one_example_gradient(p2):
    params, x, y = p2
    B = 8
    one = mlp.loss_and_gradients(params, x, y, "sigmoid")[2].params()
    batch = mlp.loss_and_gradients(params, np.tile(x[:, None], (1, B)), np.tile(y[:, None], (1, B)), "sigmoid")[
        2
    ].params()
    for a, b in zip(one, batch, strict=True):
        assert mlp.relative_error(a, b) < 1e-14
    # and the mean is what the reference loss means by a batch loss
    assert ref_loss(params, np.tile(x[:, None], (1, B)), np.tile(y[:, None], (1, B))) == pytest.approx(
        ref_loss(params, x, y), rel=1e-14
    )


def test_sum_step_overshoots_where_mean_step_descends(p2):
    params, _, _ = p2
    B = 32
    X, Y = random_batch(B)
    g = ref_gradients(params, X, Y)  # gradient of the mean loss
    before = ref_loss(params, X, Y)
    mean_step = [p - 0.5 * d for p, d in zip(params, g, strict=True)]
    sum_step = [p - 0.5 * B * d for p, d in zip(params, g, strict=True)]
    assert ref_loss(mean_step, X, Y) < before < ref_loss(sum_step, X, Y)


# ---------------------------------------------------------------------------------------------
# 5. Exact or approximate


def test_two_correct_softmax_backward_passes_agree_to_rounding(rng):
    differ = 0
    for _ in range(20):
        y_hat = mlp.softmax(rng.standard_normal(5))
        v = rng.standard_normal(5)
        a = mlp.softmax_jacobian(y_hat).T @ v
        b = mlp.softmax_backward(y_hat, v)
        assert mlp.relative_error(a, b) < 1e-14
        differ += not np.array_equal(a, b)
    assert differ > 0  # `==` would have called some of these different


# ---------------------------------------------------------------------------------------------
# 6. The sign of the update


def test_minus_step_descends_and_plus_step_climbs(p2):
    params, x, y = p2
    g = ref_gradients(params, x, y)
    before = ref_loss(params, x, y)
    down = [p - 0.5 * d for p, d in zip(params, g, strict=True)]
    up = [p + 0.5 * d for p, d in zip(params, g, strict=True)]
    assert ref_loss(down, x, y) < before < ref_loss(up, x, y)
    # mlp's sgd_step is the minus step
    new = mlp.sgd_step(params, mlp.loss_and_gradients(params, x, y, "sigmoid")[2], 0.5)
    for a, b in zip(new, down, strict=True):
        assert np.allclose(a, b, rtol=0, atol=1e-9)


def test_plus_with_negated_delta_is_the_same_update(p2):
    params, x, y = p2
    fwd, _, g = mlp.loss_and_gradients(params, x, y, "sigmoid")
    minus_gradient = mlp.softmax_backward(fwd.y_hat, y - fwd.y_hat)
    assert np.allclose(
        params.W2 + 0.5 * np.outer(fwd.H, minus_gradient), params.W2 - 0.5 * g.grad_W2, rtol=0, atol=1e-15
    )


# ---------------------------------------------------------------------------------------------
# 7. ReLU's derivative from the output


def relu_gradients(params, x, y, relu_prime_of_H):
    """A backward pass whose ReLU derivative is computed from H (written here, not the page's)."""
    fwd, _, g = mlp.loss_and_gradients(params, x, y, "relu")
    delta1 = g.grad_H * relu_prime_of_H(fwd.H)
    return np.outer(x, delta1), delta1


@pytest.mark.parametrize("seed", range(5))
def test_relu_derivative_from_output_with_ge_zero_fails_the_check(seed):
    params, x, y = relu_net(seed)
    numeric = ref_gradients(params, x, y, "relu")
    buggy_W1, buggy_W1_0 = relu_gradients(params, x, y, lambda H: H >= 0)
    right_W1, right_W1_0 = relu_gradients(params, x, y, lambda H: H > 0)
    assert mlp.relative_error(buggy_W1, numeric.W1) > WRONG
    assert mlp.relative_error(buggy_W1_0, numeric.W1_0) > WRONG
    assert mlp.relative_error(right_W1, numeric.W1) < GOOD
    assert mlp.relative_error(right_W1_0, numeric.W1_0) < GOOD
    assert mlp.relative_error(mlp.loss_and_gradients(params, x, y, "relu")[2].grad_W1, numeric.W1) < GOOD


# ---------------------------------------------------------------------------------------------
# The page itself: run its code cells and check what it glues into the text


@pytest.fixture(scope="module")
def page():
    """Run the page's cells in one namespace; return (namespace, glued values)."""
    return run_page(PAGE)


def test_page_glues_only_what_its_text_uses(page):
    _, glued = page
    used = set(re.findall(r"\{glue:text\}`([\w]+)", PAGE.read_text(encoding="utf-8")))
    assert used == set(glued)


def test_page_transpose_numbers(page, p2):
    _, glued = page
    params, x, _ = p2
    z1_ref = reference.forward(params, x)["z1"][:, 0]
    assert num(glued["pit_z1_right_2"]) == z1_ref[1]
    assert num(glued["pit_z1_wrong_2"]) == params.W1[1, 0] * x[0] + params.W1[1, 1] * x[1] + params.W1_0[1]
    assert glued["pit_outer_right_err"] < GOOD
    assert glued["pit_outer_wrong_err"] > WRONG


def test_page_relu_and_negative_zero_numbers(page, p2):
    _, glued = page
    params, x, y = p2
    assert glued["pit_relu_fd_at_0"] == pytest.approx(0.5)
    delta1 = mlp.loss_and_gradients(params, x, y, "sigmoid")[2].delta1
    outer = np.outer(x, delta1)
    assert glued["pit_negzero_count"] == int(np.sum(np.signbit(outer) & (outer == 0))) > 0
    assert num(glued["pit_delta1_1"]) == pytest.approx(delta1[0], abs=5e-5)


def test_page_batch_numbers(page, p2):
    namespace, glued = page
    params, _, _ = p2
    X, Y, B = namespace["XR"], namespace["YR"], glued["pit_B"]
    assert X.shape[1] == B
    g = ref_gradients(params, X, Y)
    before = ref_loss(params, X, Y)
    mean_after = ref_loss([p - glued["pit_lr"] * d for p, d in zip(params, g, strict=True)], X, Y)
    sum_after = ref_loss([p - glued["pit_effective_lr"] * d for p, d in zip(params, g, strict=True)], X, Y)
    assert num(glued["pit_batch_loss"]) == pytest.approx(before, abs=5e-5)
    assert num(glued["pit_after_mean"]) == pytest.approx(mean_after, abs=5e-5)
    assert num(glued["pit_after_sum"]) == pytest.approx(sum_after, abs=5e-5)
    assert num(glued["pit_after_mean"]) < num(glued["pit_batch_loss"]) < num(glued["pit_after_sum"])


def test_page_equality_and_sign_numbers(page, p2):
    _, glued = page
    params, x, y = p2
    assert 0 < glued["pit_jac_diff"] < 1e-15 or glued["pit_jac_diff"] == 0
    assert glued["pit_allclose_tiny"] is True
    assert glued["pit_off_by_2_err"] == pytest.approx(1 / 3, rel=1e-2)
    g = ref_gradients(params, x, y)
    assert num(glued["pit_loss_before"]) == pytest.approx(ref_loss(params, x, y), abs=5e-5)
    down = [p - 0.5 * d for p, d in zip(params, g, strict=True)]
    up = [p + 0.5 * d for p, d in zip(params, g, strict=True)]
    assert num(glued["pit_loss_down"]) == pytest.approx(ref_loss(down, x, y), abs=5e-5)
    assert num(glued["pit_loss_up"]) == pytest.approx(ref_loss(up, x, y), abs=5e-5)


def test_page_relu_from_output_numbers(page):
    namespace, glued = page
    net, x7, y7 = namespace["net"], namespace["x7"], namespace["y7"]
    z1 = reference.forward(net, x7, "relu")["z1"][:, 0]
    assert glued["pit_n_off"] == int(np.sum(z1 < 0)) > 0
    assert glued["pit_N1"] == z1.size
    assert glued["pit_buggy_err"] > WRONG
    assert glued["pit_z1_err"] < GOOD
    assert glued["pit_Hpos_err"] < GOOD
    # and the page's buggy gradient really is what `>= 0` gives, checked against the reference
    numeric = ref_gradients(net, x7, y7, "relu")
    buggy_W1, _ = relu_gradients(net, x7, y7, lambda H: H >= 0)
    assert mlp.relative_error(buggy_W1, numeric.W1) == pytest.approx(glued["pit_buggy_err"], rel=1e-2)


def test_page_training_does_not_reveal_the_relu_bug(page):
    namespace, glued = page
    net, x7, y7 = namespace["net"], namespace["x7"], namespace["y7"]
    lr, steps = namespace["spec"].lr, glued["pit_train_steps"]
    runs = {}
    for name, rule in (("right", lambda H: H > 0), ("buggy", lambda H: H >= 0)):
        params, losses = [np.array(a) for a in net], []
        for _ in range(steps):
            losses.append(ref_loss(params, x7, y7, "relu"))
            g_W1, g_W1_0 = relu_gradients(mlp.Params(*params), x7, y7, rule)
            g = mlp.loss_and_gradients(mlp.Params(*params), x7, y7, "relu")[2]
            params = [p - lr * d for p, d in zip(params, (g_W1, g_W1_0, g.grad_W2, g.grad_W2_0), strict=True)]
        runs[name] = (np.array(losses), params)
    assert runs["right"][0][-1] < runs["right"][0][0]  # training works
    assert np.array_equal(runs["right"][0], runs["buggy"][0])  # ... and cannot tell the two apart
    weight_gap = np.abs(runs["right"][1][0] - runs["buggy"][1][0]).max()
    assert weight_gap > 0.1
    assert num(glued["pit_train_loss_gap"]) == 0.0
    assert num(glued["pit_train_weight_gap"]) == pytest.approx(weight_gap, abs=5e-5)
    assert num(glued["pit_train_first"]) == pytest.approx(runs["right"][0][0], abs=5e-5)
    assert num(glued["pit_train_last"]) == pytest.approx(runs["right"][0][-1], abs=5e-5)


# ---------------------------------------------------------------------------------------------
# The table "What a gradient check catches": each line, against centered differences


def centered(loss, p, h=1e-5):
    """Centered differences of loss(q) at the array p, entry by entry."""
    g = np.zeros_like(p)
    for idx in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[idx] += h
        down[idx] -= h
        g[idx] = (loss(up) - loss(down)) / (2 * h)
    return g


def sigmoid_net(W1, W1_0, W2, W2_0, X, Y, forward_W1=lambda W1, X: W1.T @ X, bias=lambda b: b[:, None]):
    """Mean squared loss and the book's backward pass, with a forward pass that can be made wrong.

    forward_W1 computes the first layer's product, bias shapes W1_0 for adding to the (N1, B) product.
    Returns the loss and the backward pass's delta1 (N1, B); the backward pass is the book's, whatever
    the forward pass did.
    """
    z1 = forward_W1(W1, X) + bias(W1_0)
    H = 1 / (1 + np.exp(-z1))
    z2 = W2.T @ H + W2_0[:, None]
    e = np.exp(z2 - z2.max(axis=0))
    y_hat = e / e.sum(axis=0)
    B = X.shape[1]
    g = (y_hat - Y) / B
    delta2 = y_hat * (g - np.sum(y_hat * g, axis=0))
    delta1 = (W2 @ delta2) * H * (1 - H)
    return 0.5 * np.sum((Y - y_hat) ** 2) / B, delta1


def test_check_catches_a_bias_broadcast_along_the_examples(p2):
    params, _, _ = p2
    W1, W1_0, W2, W2_0 = params
    X = np.array([[1.0, 0.0], [0.0, 1.0]])  # B = 2 = N1, as on the page
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    wrong_bias = lambda b: b  # noqa: E731  broadcast along the last axis: bias b added to example b
    _, delta1 = sigmoid_net(W1, W1_0, W2, W2_0, X, Y, bias=wrong_bias)
    numeric = centered(lambda b: sigmoid_net(W1, b, W2, W2_0, X, Y, bias=wrong_bias)[0], W1_0)
    assert mlp.relative_error(delta1.sum(axis=1), numeric) > WRONG
    # with the bias as a column the same check passes
    _, delta1 = sigmoid_net(W1, W1_0, W2, W2_0, X, Y)
    numeric = centered(lambda b: sigmoid_net(W1, b, W2, W2_0, X, Y)[0], W1_0)
    assert mlp.relative_error(delta1.sum(axis=1), numeric) < GOOD


def test_check_catches_a_forgotten_forward_transpose_only_if_the_backward_pass_kept_it(p2):
    params, x, y = p2
    W1, W1_0, W2, W2_0 = params
    X, Y = x[:, None], y[:, None]
    forgotten = lambda W, X: W @ X  # noqa: E731  the forward pass without its transpose
    _, delta1 = sigmoid_net(W1, W1_0, W2, W2_0, X, Y, forward_W1=forgotten)
    numeric = centered(lambda W: sigmoid_net(W, W1_0, W2, W2_0, X, Y, forward_W1=forgotten)[0], W1)
    assert mlp.relative_error(X @ delta1.T, numeric) > WRONG  # backward still x delta1^T: caught
    assert mlp.relative_error(delta1 @ X.T, numeric) < GOOD  # transposed to match: passes


def test_check_catches_sum_versus_mean_only_when_they_disagree(p2):
    params, _, _ = p2
    B = 8
    X, Y = random_batch(B)
    backward_mean = mlp.loss_and_gradients(params, X, Y, "sigmoid")[2].grad_W2_0
    numeric_mean = centered(lambda b: ref_loss(params._replace(W2_0=b), X, Y), params.W2_0)
    numeric_sum = B * numeric_mean  # the sum loss is B times the mean loss
    assert mlp.relative_error(backward_mean, numeric_mean) < GOOD
    assert mlp.relative_error(B * backward_mean, numeric_sum) < GOOD  # both use the sum: passes
    assert mlp.relative_error(backward_mean, numeric_sum) > WRONG  # they disagree: caught


def test_check_passes_a_negative_zero_and_a_wrong_update_sign(p2):
    params, x, y = p2
    grads = mlp.loss_and_gradients(params, x, y, "sigmoid")[2]
    assert np.signbit(np.outer(x, grads.delta1)).any()  # the -0 of pitfall 3
    assert mlp.relative_error(np.outer(x, grads.delta1), ref_gradients(params, x, y).W1) < GOOD
    assert max(mlp.check_gradients(params, x, y, "sigmoid").values()) < GOOD  # the gradient is right ...
    up = mlp.Params(*(p + 0.5 * g for p, g in zip(params, grads.params(), strict=True)))
    assert ref_loss(up, x, y) > ref_loss(params, x, y)  # ... and the + step still climbs


def test_check_at_the_relu_kink_disagrees_with_both_conventions():
    h = 1e-6
    numeric = (mlp.activations.relu(h) - mlp.activations.relu(-h)) / (2 * h)
    for convention in (0.0, 1.0):
        assert abs(numeric - convention) > WRONG


def test_page_has_the_table_of_what_a_check_catches():
    text = PAGE.read_text(encoding="utf-8")
    table = text[text.index("## What a gradient check catches") :]
    rows = [r for r in table.splitlines() if re.match(r"\| \d\. ", r)]
    assert [r.split(".")[0] for r in rows] == ["| 1", "| 1", "| 1", "| 2", "| 3", "| 4", "| 5", "| 6", "| 7"]
    verdict = {r.split("|")[1].strip(): r.split("|")[2] for r in rows}
    assert "**no**" in verdict["3. a printed `-0.`"] and "**no**" in verdict["6. the sign of the update"]
