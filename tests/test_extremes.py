"""Exact at the extremes: the loss and every gradient against an arbitrary-precision reference (mpmath).

For logit gaps from 0 to 700 (the float64 range of exp), both losses, targets on the leading class or on
another, a 2-3-K network whose logits are set to that gap: every loss and every entry of grad_y_hat, delta2,
grad_W2, grad_W2_0, grad_H, delta1, grad_W1 and grad_W1_0 is within 1e-9 relative of the 400-digit value, or
within 1e-300 absolute (an entry that underflows float64). float32 and float16 within their own precision,
never capped.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

import mlp

mp.mp.dps = 400  # 1 - e^-700 needs about 305 digits to differ from 1
GAPS = [0.0, 1.0, 10.0, 20.0, 37.0, 40.0, 100.0, 300.0, 700.0]
REL, ABS = 1e-9, 1e-300


def network(gap: float, K: int, dtype=np.float64):
    """A 2-3-K sigmoid network whose logits for x are [gap, 0, -1, ...]: W2 small, W2_0 sets the gap."""
    rng = np.random.default_rng(int(gap) * 10 + K)
    W1, W1_0 = rng.standard_normal((2, 3)), rng.standard_normal(3)
    W2 = 0.5 * rng.standard_normal((3, K))
    x = np.array([0.7, -0.4])
    H = mlp.activations.sigmoid(W1.T @ x + W1_0)
    target = np.array([gap, 0.0, -1.0, 0.5][:K])
    W2_0 = target - W2.T @ H
    return mlp.Params(*(a.astype(dtype) for a in (W1, W1_0, W2, W2_0))), x.astype(dtype)


def logits_network(z2, dtype=np.float64):
    """A 1-1-K network whose logits are z2 for any input: W1, W1_0 and W2 zero, W2_0 = z2."""
    K = len(z2)
    return mlp.Params(*(np.asarray(a, dtype) for a in (np.zeros((1, 1)), np.zeros(1), np.zeros((1, K)), z2)))


def reference(params, x, y, loss):
    """Forward and backward in 400-digit arithmetic, from the float64 inputs (exactly converted)."""
    W1, W1_0, W2, W2_0 = (mp.matrix(np.atleast_2d(a).tolist()) for a in params)
    W1_0, W2_0 = W1_0.T, W2_0.T
    N, N1, K = W1.rows, W1.cols, W2.cols
    xs, ys = [mp.mpf(float(v)) for v in x], [mp.mpf(float(v)) for v in y]
    z1 = [sum(W1[i, j] * xs[i] for i in range(N)) + W1_0[j] for j in range(N1)]
    H = [1 / (1 + mp.exp(-z)) for z in z1]
    z2 = [sum(W2[j, k] * H[j] for j in range(N1)) + W2_0[k] for k in range(K)]
    top = max(z2)
    e = [mp.exp(z - top) for z in z2]
    y_hat = [v / sum(e) for v in e]
    if loss == "squared":
        value = sum((a - b) ** 2 for a, b in zip(y_hat, ys, strict=True)) / 2
        g = [a - b for a, b in zip(y_hat, ys, strict=True)]
    else:
        lse = top + mp.log(sum(e))
        value = -sum(b * (z - lse) for b, z in zip(ys, z2, strict=True))
        g = [-b / a for a, b in zip(y_hat, ys, strict=True)]
    inner = sum(a * b for a, b in zip(y_hat, g, strict=True))
    delta2 = [a * (b - inner) for a, b in zip(y_hat, g, strict=True)]
    grad_W2 = [[H[j] * delta2[k] for k in range(K)] for j in range(N1)]
    grad_H = [sum(W2[j, k] * delta2[k] for k in range(K)) for j in range(N1)]
    delta1 = [grad_H[j] * H[j] * (1 - H[j]) for j in range(N1)]
    grad_W1 = [[xs[i] * delta1[j] for j in range(N1)] for i in range(N)]
    return {
        "loss": value,
        "grad_y_hat": g,
        "delta2": delta2,
        "grad_W2": grad_W2,
        "grad_W2_0": delta2,
        "grad_H": grad_H,
        "delta1": delta1,
        "grad_W1": grad_W1,
        "grad_W1_0": delta1,
    }


def worst_error(ours, exact, absolute=ABS) -> float:
    """The largest relative error of ours against exact, over the entries not within `absolute` of exact."""
    ours = np.atleast_1d(np.asarray(ours, dtype=np.float64)).ravel()
    exact = [mp.mpf(v) for v in np.array(exact, dtype=object).ravel()]
    worst = 0.0
    for a, b in zip(ours, exact, strict=True):
        if not np.isfinite(a):
            return float("inf")
        diff = abs(mp.mpf(float(a)) - b)
        if diff <= absolute:
            continue
        worst = max(worst, float(diff / abs(b)) if b != 0 else float("inf"))
    return worst


CASES = [(gap, K, loss, hot) for gap in GAPS for K in (2, 4) for loss in ("squared", "cross_entropy") for hot in (0, 1)]


@pytest.mark.parametrize(("gap", "K", "loss", "hot"), CASES)
def test_loss_and_every_gradient_entry_match_400_digits(gap, K, loss, hot):
    params, x = network(gap, K)
    y = np.eye(K)[hot]  # hot = 0: the target is the leading class; 1: another class
    _, value, g = mlp.loss_and_gradients(params, x, y, "sigmoid", loss)
    exact = reference(params, x, y, loss)
    assert worst_error(value, exact["loss"]) <= REL, ("loss", value, exact["loss"])
    for name in exact:
        if name == "loss" or (name == "grad_y_hat" and loss == "cross_entropy" and gap > 700):
            continue
        err = worst_error(getattr(g, name), exact[name])
        assert err <= REL, (name, err, getattr(g, name), [mp.nstr(v, 5) for v in np.ravel(exact[name])])


def test_the_issue_case_cross_entropy_of_1000_is_1000_and_falls():
    """Logits [0, 1000], target the first class: the loss is 1000 (not 708.4, the cap of clipped logs)."""
    spec = mlp.load_spec(
        '{"x":[1],"y":[1,0],"W1":[[1]],"W1_0":[0],"W2":[[0,0]],"W2_0":[0,1000],'
        '"activation":"identity","loss":"cross_entropy","lr":0.1}'
    )
    result = mlp.explain(spec)
    assert result["forward"]["loss"] == 1000.0
    assert result["after_both_layers"]["loss"] < 1000.0
    errors = mlp.check_gradients(spec.params, spec.x, spec.y, "identity", "cross_entropy")
    assert max(errors.values()) < 1e-6, errors  # no false alarm: the analytic gradient is right


def test_squared_loss_delta2_through_a_saturated_softmax_keeps_its_sign():
    """Logits [0, 40], y = [1, 0]: delta2 = [-2p, 2p] (p = e^-40 / (1 + e^-40)), not [-8.5e-18, 0]."""
    params = logits_network([0.0, 40.0])
    fwd = mlp.forward(params, np.zeros(1), "identity")
    g = mlp.backward(params, np.zeros(1), np.array([1.0, 0.0]), fwd, "identity", "squared")
    p = mp.exp(-40) / (1 + mp.exp(-40))
    exact = [-2 * p * (1 - p) ** 2 - 0, 2 * p * (1 - p) ** 2]
    assert worst_error(g.delta2, exact) < 1e-12


@pytest.mark.parametrize(("dtype", "gap", "rel"), [(np.float32, 80.0, 1e-5), (np.float16, 30.0, 2e-3)])
def test_lower_precisions_are_right_to_their_own_precision_never_capped(dtype, gap, rel):
    params, x = network(gap, 2, dtype)
    y = np.array([0.0, 1.0], dtype)  # the other class: the loss is about the gap
    fwd, value, g = mlp.loss_and_gradients(params, x, y, "sigmoid", "cross_entropy")
    assert fwd.z2.dtype == dtype and g.delta2.dtype == dtype
    exact = reference(params, x, y, "cross_entropy")
    assert worst_error(value, exact["loss"]) <= rel
    assert worst_error(g.delta2, exact["delta2"]) <= rel


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("gap", [5.0, 6.5, 7.3, 8.0])
@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_lower_precisions_near_saturation(dtype, gap, loss):
    """Gaps where y_hat is just short of 1 in float32 and float16: 1 - y_hat must not be taken plainly."""
    params, x = network(gap, 2, dtype)
    y = np.array([1.0, 0.0], dtype)  # the leading class: delta2 is made of 1 - y_hat
    _, value, g = mlp.loss_and_gradients(params, x, y, "sigmoid", loss)
    exact = reference(params, x, y, loss)
    # float16's own precision: 11 bits, and below 6.1e-5 only subnormals, 6e-8 apart (a squared loss of 1e-6)
    rel, absolute = (2e-3, 4 * 2.0**-24) if dtype == np.float16 else (1e-5, 1e-40)
    assert worst_error(value, exact["loss"], absolute) <= rel
    assert worst_error(g.delta2, exact["delta2"], absolute) <= rel, (g.delta2, exact["delta2"])


@pytest.mark.parametrize(("dtype", "rel"), [(np.float64, REL), (np.float32, 1e-5)])
@pytest.mark.parametrize("offset", [-0.3, -0.01, 0.01, 0.3])
@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_either_side_of_the_saturation_threshold(dtype, rel, offset, loss):
    """Just below its dtype's SATURATED a probability takes the plain formulas, just above the exact ones:
    right to the dtype's precision on both sides (the threshold costs at most a fifth of its bits)."""
    threshold = mlp.losses.SATURATED[np.dtype(dtype)]
    gap = float(np.log(threshold / (1 - threshold))) + offset  # K = 2: y_hat[0] = 1 / (1 + e^-gap)
    params, x = network(gap, 2, dtype)
    y = np.array([1.0, 0.0], dtype)  # the leading class: delta2 is made of 1 - y_hat
    fwd, value, g = mlp.loss_and_gradients(params, x, y, "sigmoid", loss)
    assert (mlp.losses.near_one(fwd.y_hat) is None) == (offset < 0)
    exact = reference(params, x, y, loss)
    for name in ("loss", "delta2", "grad_W2", "grad_W1"):
        ours = value if name == "loss" else getattr(g, name)
        assert worst_error(ours, exact[name]) <= rel, (name, ours, exact[name])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_squared_delta2_with_tied_leading_logits_and_the_target_elsewhere(dtype):
    """z2 = [g, g, -g], y on the third class: r - y_hat . r cancels in the tied entries, whose exact value
    is tiny and positive; d = r - r[top] keeps it. Alone, and beside a saturated column in one batch."""
    g = 10.0 if dtype == np.float32 else 40.0
    params = logits_network([g, g, -g], dtype)
    x, y = np.zeros(1, dtype), np.array([0.0, 0.0, 1.0], dtype)
    exact = reference(params, x, y, "squared")["delta2"]
    rel = 1e-5 if dtype == np.float32 else REL
    g1 = mlp.backward(params, x, y, mlp.forward(params, x, "sigmoid"), "sigmoid", "squared")
    assert worst_error(g1.delta2, exact) <= rel, (g1.delta2, exact)
    # A linear hidden layer H = x: column 1 (x = 0) has the same logits, column 2 (x = 1) has z2 = [g, g, 2g],
    # whose third class is near 1.
    params2 = mlp.Params(*(np.asarray(a, dtype) for a in ([[1.0]], [0.0], [[0.0, 0.0, 3 * g]], [g, g, -g])))
    X, Y = np.array([[0.0, 1.0]], dtype), np.stack([y, y], axis=1)
    g2 = mlp.backward(params2, X, Y, mlp.forward(params2, X, "identity"), "identity", "squared")
    assert mlp.losses.near_one(mlp.forward(params2, X, "identity").y_hat) is not None
    assert worst_error(g2.delta2[:, 0] * 2, exact) <= rel  # the batch mean carries 1/2


def test_zero_targets_give_zero_not_minus_zero():
    y, z2 = np.array([0.0, 1.0]), np.array([0.3, -0.2])
    grad = mlp.losses.cross_entropy_grad(y, mlp.softmax(z2))
    assert grad[0] == 0 and not np.signbit(grad[0])
    for y, z2 in [([1.0], [3.0]), ([1.0, 0.0], [1000.0, -1000.0])]:  # the entry near 1 has no others to sum
        delta = mlp.losses.cross_entropy_delta(np.array(y), np.array(z2))
        assert np.all(delta == 0) and not np.any(np.signbit(delta))


def test_a_one_hot_y_hat_given_as_integers():
    y, z2, y_hat = np.array([1.0, 0.0, 0.0]), np.array([50.0, 0.0, 0.0]), np.array([1, 0, 0])
    for delta in (mlp.losses.cross_entropy_delta(y, z2, y_hat), mlp.losses.squared_loss_delta(y, z2, y_hat)):
        assert delta.dtype.kind == "f"
        np.testing.assert_array_equal(delta, 0.0)


def test_a_float32_gradient_beyond_the_range_is_minus_inf_without_a_warning():
    """The target's class is 100 logits behind: y_hat = e^-100 is subnormal in float32 and 1 / y_hat
    exceeds float32's range. -inf is the correctly rounded value; delta2 stays exact."""
    params = logits_network([0.0, 100.0], np.float32)
    x, y = np.zeros(1, np.float32), np.array([1.0, 0.0], np.float32)
    g = mlp.backward(params, x, y, mlp.forward(params, x, "identity"), "identity", "cross_entropy")
    assert g.grad_y_hat[0] == -np.inf and g.grad_y_hat[1] == 0
    assert g.delta2[0] == pytest.approx(-1.0) and g.delta2[1] == pytest.approx(1.0)


def test_tied_leading_logits_with_an_underflowed_target_do_not_warn():
    """z2 = [800, 800, 0], target on the third class: y_hat = [0.5, 0.5, 0], grad y_hat[3] = -inf, no warning."""
    params = logits_network([800.0, 800.0, 0.0])
    x, y = np.zeros(1), np.array([0.0, 0.0, 1.0])
    fwd = mlp.forward(params, x, "identity")
    g = mlp.backward(params, x, y, fwd, "identity", "cross_entropy")  # filterwarnings=error: a warning fails
    assert g.grad_y_hat[2] == -np.inf and np.all(g.grad_y_hat[:2] == 0)
    np.testing.assert_array_equal(g.delta2, [0.5, 0.5, -1.0])
    assert mlp.loss_value(y, fwd, "cross_entropy") == 800.0 + np.log(2.0)


# ---- the hidden layer's derivatives at saturation ---------------------------------------------------------------

ZS = [0.0, 1e-8, 0.5, 3.0, 9.0, 19.0, 40.0, 100.0, 300.0, 700.0]


@pytest.mark.parametrize("z", ZS + [-z for z in ZS if z])
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_sigmoid_and_tanh_derivatives_are_exact_where_the_function_saturates(name, z):
    """s(1 - s) and 1 - t^2 cancel where s and t round to 1: sigmoid'(40) was 0 (exact 4.25e-18), and grad_W1 with
    it. The e^-|z| forms are within 1e-12 of the 400-digit value for |z| up to 700 in float64, and within float32's
    precision (or its smallest normal, below which it has none) in float32."""
    act = mlp.activations.get_activation(name)
    e = mp.exp(-abs(mp.mpf(z)))
    exact = e / (1 + e) ** 2 if name == "sigmoid" else 1 / mp.cosh(mp.mpf(z)) ** 2
    got = float(act.f_prime(np.float64(z)))
    assert abs(got - float(exact)) <= 1e-12 * float(exact), (got, float(exact))
    got32 = act.f_prime(np.float32(z))
    assert got32.dtype == np.float32
    tiny32 = float(np.finfo(np.float32).tiny)
    assert abs(float(got32) - float(exact)) <= max(4 * float(np.finfo(np.float32).eps) * float(exact), tiny32)


def test_a_saturated_hidden_unit_still_passes_its_gradient_on():
    """z1 = 40 through a sigmoid: grad_W1 is about 2e-18, not 0, and equals the 400-digit chain rule."""
    params = mlp.Params(np.array([[1.0]]), np.array([39.0]), np.array([[1.0, -1.0]]), np.array([0.0, 0.0]))
    x, y = np.array([1.0]), np.array([0.0, 1.0])
    _, _, grads = mlp.loss_and_gradients(params, x, y, "sigmoid", "squared")
    z = mp.mpf(40)
    h = 1 / (1 + mp.exp(-z))  # H; the logits are [h, -h]
    p1 = mp.exp(h) / (mp.exp(h) + mp.exp(-h))  # y_hat = [p1, 1 - p1]
    r1, r2 = p1, (1 - p1) - 1  # r = y_hat - y
    d = p1 * (1 - p1) * (r1 - r2)  # delta2 = J^T r = [d, -d] for K = 2, with d = p1 p2 (r1 - r2)
    grad_H = 1 * d + (-1) * (-d)  # W2 delta2
    exact = grad_H * mp.exp(-z) / (1 + mp.exp(-z)) ** 2  # times sigmoid'(40); x = 1
    assert float(exact) > 1e-18  # s(1 - s) made it 0
    assert abs(float(grads.grad_W1[0, 0]) - float(exact)) <= 1e-9 * float(exact)
