"""The backward pass against two independent references, on random networks.

* centered finite differences of a loss written here in plain numpy (not through mlp);
* HIPS autograd differentiating the same forward pass and loss written in autograd.numpy.

Every activation x both losses x shapes with N, N1, K all different, single examples (x of
shape (N,)) and batches (x of shape (N, B), including B = 1). Hypothesis draws the shapes and a
seed; a seeded numpy generator draws the values.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import reference
from hypothesis import assume, given
from hypothesis import strategies as st

import mlp
from mlp import Params, backward, forward, loss_and_gradients

ACTIVATIONS = ["sigmoid", "relu", "tanh", "identity"]
LOSSES = ["squared", "cross_entropy"]
CASES = [(a, loss) for a in ACTIVATIONS for loss in LOSSES]
KINK_MARGIN = 1e-3  # finite differences step 1e-5: stay this far from ReLU's kink at 0


# ---------------------------------------------------------------------------------------------
# Random networks


@st.composite
def networks(draw, activation: str, loss: str):
    """(params, x, y): N, N1, K all different, a single example or a batch of B columns."""
    N, N1, K = draw(st.lists(st.integers(1, 6), min_size=3, max_size=3, unique=True).filter(lambda s: s[2] >= 2))
    B = draw(st.sampled_from([None, 1, 2, 3, 5]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    cols = () if B is None else (B,)
    x = rng.standard_normal((N, *cols))
    params = Params(
        rng.standard_normal((N, N1)) / np.sqrt(N),
        0.5 * rng.standard_normal(N1),
        rng.standard_normal((N1, K)) / np.sqrt(N1),
        0.5 * rng.standard_normal(K),
    )
    kinds = ["one-hot", "soft"] if loss == "squared" else ["one-hot", "soft", "unnormalized"]
    kind = draw(st.sampled_from(kinds))
    if kind == "one-hot":
        y = np.eye(K)[:, rng.integers(0, K, size=cols or None)]
    elif kind == "soft":  # a probability vector per example (label smoothing, soft labels)
        y = rng.dirichlet(np.ones(K), size=cols or None).T
    else:  # any non-negative targets (a spec may give them): -sum y log y_hat is still a loss
        y = rng.uniform(0.0, 2.0, (K, *cols))
    if activation == "relu":  # stay off the kink: finite differences are meaningless there
        z1 = np.einsum("nj,n...->j...", params.W1, x) + params.W1_0.reshape(N1, *([1] * len(cols)))
        assume(np.min(np.abs(z1)) > KINK_MARGIN)
    return params, x, y


# ---------------------------------------------------------------------------------------------
# The independent reference: tests/reference.py (plain numpy, not mlp), differenced here


Gradients_FIELDS = mlp.Gradients._fields
H_STEP = 1e-5  # near eps^(1/3): truncation (h^2) and rounding (eps/h) errors both about 1e-11


def rel_err(a, b) -> float:
    """max |a - b| / max(|a| + |b|); 0 when both are exactly zero."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"shapes differ: {a.shape} vs {b.shape}"
    num = np.max(np.abs(a - b), initial=0.0)
    den = np.max(np.abs(a) + np.abs(b), initial=0.0)
    return 0.0 if num == 0 else float(num / den)


def assume_resolvable(fd, loss_value: float) -> None:
    """Skip a draw whose gradient is too small for float64 finite differences to show 7 digits.

    Rounding in the loss limits a centered difference to about eps * |loss| / h (~2e-11 here) in
    absolute terms; a relative error below 1e-7 (with a factor 10 to spare) needs a gradient
    array of at least 5e7 times that, about 1e-3. Arrays that are exactly zero (a dead ReLU layer)
    are compared exactly and kept. About 1 draw in 150 is skipped; the autograd test, which has
    no such floor, checks every draw.
    """
    peak = float(np.max(np.abs(fd), initial=0.0))
    resolution = np.finfo(np.float64).eps * max(abs(loss_value), 1.0) / H_STEP
    assume(peak == 0.0 or peak > 5e7 * resolution)


def param_fd(params, x, y, activation, loss) -> Params:
    return Params(*reference.numerical_gradients(params, x, y, activation, loss, h=H_STEP))


# ---------------------------------------------------------------------------------------------
# Backward against centered differences


@pytest.mark.parametrize(("activation", "loss"), CASES)
@given(data=st.data())
def test_parameter_gradients_match_centered_differences(activation, loss, data):
    params, x, y = data.draw(networks(activation, loss))
    _, value, g = loss_and_gradients(params, x, y, activation, loss)
    assert value == pytest.approx(reference.loss(params, x, y, activation, loss), rel=1e-12, abs=1e-14)
    numeric = param_fd(params, x, y, activation, loss)
    for fd in numeric:
        assume_resolvable(fd, value)
    for name, analytic, fd, p in zip(Params._fields, g.params(), numeric, params, strict=True):
        assert analytic.shape == p.shape, f"grad_{name} must have {name}'s shape"
        assert rel_err(analytic, fd) < 1e-7, f"grad_{name}: relative error {rel_err(analytic, fd):.2e}"


@pytest.mark.parametrize(("activation", "loss"), CASES)
@given(data=st.data())
def test_intermediate_gradients_match_centered_differences(activation, loss, data):
    """grad_y_hat = dl/dy_hat, delta2 = dl/dz2, grad_H = dl/dH, delta1 = dl/dz1 (batch: of the mean loss)."""
    params, x, y = data.draw(networks(activation, loss))
    fwd = forward(params, x, activation)
    g = backward(params, x, y, fwd, activation, loss)
    points, loss_of = reference.loss_of_intermediates(params, x, y, activation, loss)
    value = reference.loss(params, x, y, activation, loss)
    for name in ("z1", "H", "z2", "y_hat"):
        np.testing.assert_allclose(getattr(fwd, name), points[name], rtol=1e-12, atol=1e-12)
    for grad_name, wrt in (("grad_y_hat", "y_hat"), ("delta2", "z2"), ("grad_H", "H"), ("delta1", "z1")):
        analytic = getattr(g, grad_name)
        fd = reference.centered(loss_of[wrt], points[wrt], H_STEP, relative=(wrt, loss) == ("y_hat", "cross_entropy"))
        assume_resolvable(fd, value)
        assert analytic.shape == points[wrt].shape, f"{grad_name} must have the layout of {wrt}"
        assert rel_err(analytic, fd) < 1e-7, f"{grad_name}: relative error {rel_err(analytic, fd):.2e}"


@pytest.mark.parametrize(("activation", "loss"), CASES)
@given(data=st.data())
def test_backward_matches_the_reference_backward_pass(activation, loss, data):
    """mlp's fused, batched pass and the reference's example-by-example pass through the explicit Jacobian."""
    params, x, y = data.draw(networks(activation, loss))
    g = backward(params, x, y, forward(params, x, activation), activation, loss)
    ref = reference.backward(params, x, y, activation, loss)
    for name in Gradients_FIELDS:
        ours, theirs = getattr(g, name), ref[name]
        theirs = theirs.reshape(ours.shape) if x.ndim == 1 and theirs.ndim == 2 and ours.ndim == 1 else theirs
        assert ours.shape == theirs.shape, name
        assert rel_err(ours, theirs) < 1e-10, f"{name}: relative error {rel_err(ours, theirs):.2e}"


# ---------------------------------------------------------------------------------------------
# Backward against autograd


def autograd_loss(activation: str, loss: str):
    """The network's mean loss as a function of (W1, W1_0, W2, W2_0, X, Y): tests/reference.py's lines,
    run on autograd.numpy so that autograd can differentiate them."""

    def total(W1, W1_0, W2, W2_0, X, Y):
        return reference.loss((W1, W1_0, W2, W2_0), X, Y, activation, loss, xp=anp)

    return total


@pytest.mark.parametrize(("activation", "loss"), CASES)
@given(data=st.data())
def test_parameter_gradients_match_autograd(activation, loss, data):
    params, x, y = data.draw(networks(activation, loss))
    X, Y = x.reshape(len(x), -1), y.reshape(len(y), -1)
    total = autograd_loss(activation, loss)
    expected = autograd.grad(total, argnum=(0, 1, 2, 3))(*params, X, Y)
    _, value, g = loss_and_gradients(params, x, y, activation, loss)
    assert value == pytest.approx(float(total(*params, X, Y)), rel=1e-12, abs=1e-14)
    for name, ours, theirs in zip(Params._fields, g.params(), expected, strict=True):
        assert ours.shape == np.shape(theirs)
        assert rel_err(ours, theirs) < 1e-10, f"grad_{name}: relative error {rel_err(ours, theirs):.2e}"


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_batch_gradient_is_the_mean_over_examples(activation, loss, rng):
    """The batch loss is the mean of the per-example losses: autograd on the sum, divided by B, agrees."""
    N, N1, K, B = 3, 5, 4, 6
    params = mlp.init_params(rng, N, N1, K)
    params = params._replace(W1_0=0.3 * rng.standard_normal(N1), W2_0=0.3 * rng.standard_normal(K))
    x = rng.standard_normal((N, B))
    y = np.eye(K)[:, rng.integers(0, K, B)] if loss == "cross_entropy" else rng.standard_normal((K, B))
    total = autograd_loss(activation, loss)

    def summed(*args):
        return total(*args) * B

    of_sum = autograd.grad(summed, argnum=(0, 1, 2, 3))(*params, x, y)
    _, _, g = loss_and_gradients(params, x, y, activation, loss)
    for ours, theirs in zip(g.params(), of_sum, strict=True):
        assert rel_err(ours, np.asarray(theirs) / B) < 1e-10
        assert rel_err(ours, theirs) > 0.5  # and not the gradient of the sum


# ---------------------------------------------------------------------------------------------
# mlp's own gradient checker agrees with the independent one


@pytest.mark.parametrize(("activation", "loss"), [("tanh", "cross_entropy"), ("sigmoid", "squared")])
def test_mlp_gradient_checker_agrees(activation, loss, rng):
    params = mlp.init_params(rng, 4, 3, 2)
    x, y = rng.standard_normal((4, 3)), np.eye(2)[:, [0, 1, 1]]
    numeric = mlp.numerical_gradients(params, x, y, activation, loss)
    independent = param_fd(params, x, y, activation, loss)
    for a, b in zip(numeric, independent, strict=True):
        assert rel_err(a, b) < 1e-7
    errors = mlp.check_gradients(params, x, y, activation, loss)
    assert set(errors) == {"W1", "W1_0", "W2", "W2_0"}
    assert max(errors.values()) < 1e-7
    assert mlp.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert mlp.relative_error([1.0], [3.0]) == pytest.approx(0.5)


def test_mlp_gradient_checker_catches_a_wrong_gradient(rng):
    """A checker that cannot fail is no check: a gradient off by a factor of 2 must show."""
    params = mlp.init_params(rng, 3, 4, 2)
    x, y = rng.standard_normal(3), np.array([0.0, 1.0])
    numeric = mlp.numerical_gradients(params, x, y, "sigmoid", "squared")
    _, _, g = loss_and_gradients(params, x, y, "sigmoid", "squared")
    assert mlp.relative_error(2 * g.grad_W2, numeric.W2) > 0.3


# ---------------------------------------------------------------------------------------------
# Regression tests for the checker's own input


def test_relative_error_refuses_different_shapes_of_the_same_size(rng):
    """It used to flatten both sides and compare a (3, 4) with a (4, 3) entry by entry."""
    g = rng.standard_normal((3, 4))
    with pytest.raises(mlp.InputError, match=r"a has shape \(3, 4\) but b has shape \(4, 3\)"):
        mlp.relative_error(g, g.reshape(4, 3))
    params = mlp.init_params(rng, 3, 4, 2)
    swapped = params._replace(W1_0=params.W2_0, W2_0=params.W1_0)
    with pytest.raises(mlp.InputError, match=r"a\[1\] has shape \(4,\) but b\[1\] has shape \(2,\)"):
        mlp.relative_error(params, swapped)
    assert mlp.relative_error(params, list(params)) == 0.0  # a Params against a list of the same arrays


@pytest.mark.parametrize(
    ("a", "message"),
    [(None, "got None"), (True, "true/false"), ([np.nan, 1.0], "contains nan"), ([np.inf, 1.0], "contains inf")],
    ids=["None", "bool", "nan", "inf"],
)
def test_relative_error_refuses_what_is_not_finite_numbers(a, message):
    with pytest.raises(mlp.InputError, match=message):
        mlp.relative_error(a, a)


def test_relative_error_of_huge_numbers_does_not_overflow(rng):
    assert mlp.relative_error([1e308], [-1e308]) == 1.0  # |a - b| overflowed to inf, then inf / inf = nan
    a, b = rng.standard_normal(5), rng.standard_normal(5)
    # dividing by a power of two is exact: the scale cannot change the answer
    assert mlp.relative_error(a * 2.0**1000, b * 2.0**1000) == mlp.relative_error(a, b)


def test_numerical_gradients_of_integer_params_are_those_of_the_same_floats():
    """An integer array used to round theta +- h back to an integer: differences of 1 / (2 h)."""
    spec = mlp.problem2()
    as_ints = Params(*(np.rint(p).astype(np.int64) for p in spec.params))
    as_floats = Params(*(p.astype(np.float64) for p in as_ints))
    numeric = mlp.numerical_gradients(as_ints, spec.x, spec.y, "sigmoid")
    for got, want in zip(numeric, mlp.numerical_gradients(as_floats, spec.x, spec.y, "sigmoid"), strict=True):
        np.testing.assert_array_equal(got, want)
    assert max(mlp.check_gradients(as_ints, spec.x, spec.y, "sigmoid").values()) < 1e-7
    with pytest.raises(mlp.InputError, match=r"h must be a finite number > 0"):
        mlp.numerical_gradients(as_floats, spec.x, spec.y, "sigmoid", h=0.0)


# ---- the check does not cry wolf, and still catches -----------------------------------------------------------


@pytest.mark.parametrize("gap", [0.0, 1.0, 10.0, 40.0, 100.0, 300.0, 700.0])
@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_check_gradients_raises_no_false_alarm_at_any_logit_gap(gap, loss):
    """A right gradient (mlp's, which tests/test_extremes.py holds to mpmath) at every logit gap: no error over 1e-6.
    Before, 30% of parameter arrays at a gap of 700 were reported above 1e-7 and 22% above 0.1."""
    rng = np.random.default_rng(int(gap) + (loss == "squared"))
    for trial in range(5):
        N, N1, K = 2, 3, 3
        params = mlp.init_params(rng, N, N1, K)
        x = rng.standard_normal(N)
        H = mlp.activations.sigmoid(params.W1.T @ x + params.W1_0)
        params = params._replace(W2_0=np.array([gap, 0.0, -1.0]) - params.W2.T @ H)
        y = np.eye(K)[trial % K]
        errors = mlp.check_gradients(params, x, y, "sigmoid", loss)
        assert max(errors.values()) <= 1e-6, (gap, loss, trial, dict(errors), errors.unresolved)


def test_check_gradients_is_silent_on_an_exact_tiny_gradient():
    """identity, W1 = [[1]], W2 = [[0, -50]], y = [0, 1], squared loss: grad_W2 = +-3.857e-22 exactly, which no
    difference resolves. It reported 1.0 for all four arrays; now 0, with the entries counted as unresolved."""
    params = mlp.Params(np.array([[1.0]]), np.array([0.0]), np.array([[0.0, -50.0]]), np.array([0.0, 0.0]))
    errors = mlp.check_gradients(params, np.array([1.0]), np.array([0.0, 1.0]), "identity", "squared")
    assert dict(errors) == {"W1": 0.0, "W1_0": 0.0, "W2": 0.0, "W2_0": 0.0}
    assert errors.unresolved["W2"] == 2


@pytest.mark.parametrize("size", [1e-2, 1e-4])
def test_check_gradients_still_catches_a_wrong_gradient_it_can_resolve(size, monkeypatch):
    """One entry of the backward pass off by a relative 1% or 0.01%: caught (well above 1e-7) wherever the
    difference resolves it, in that array only."""
    spec = mlp.problem2()
    real = mlp.gradcheck.backward

    def wrong(*args, **kwargs):
        g = real(*args, **kwargs)
        W2 = g.grad_W2.copy()
        W2[0, 0] *= 1 + size
        return g._replace(grad_W2=W2)

    monkeypatch.setattr(mlp.gradcheck, "backward", wrong)
    errors = mlp.check_gradients(spec.params, spec.x, spec.y, "sigmoid", "squared")
    assert errors["W2"] > size / 10 and errors["W1"] == errors["W1_0"] == errors["W2_0"] == 0.0


def test_check_gradients_in_float32_says_it_cannot_resolve_rather_than_that_the_gradient_is_wrong():
    """float32 with h = 1e-6: the loss's rounding over h (about 3) dwarfs every gradient of Problem 2. The check
    no longer reports 'probably wrong'; it counts every entry as unresolved."""
    spec = mlp.problem2()
    p32 = mlp.Params(*(a.astype(np.float32) for a in spec.params))
    errors = mlp.check_gradients(p32, spec.x.astype(np.float32), spec.y.astype(np.float32), "sigmoid")
    assert max(errors.values()) == 0.0
    assert sum(errors.unresolved.values()) == sum(a.size for a in spec.params)
