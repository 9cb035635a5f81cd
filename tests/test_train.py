"""mlp.train: minibatch SGD with the hand-derived gradients, checked against mlp's own functions.

The lean forward/backward pass inside the training loop must agree with mlp.forward and
mlp.backward; the loop must be the update W <- W - lr grad W; the history must measure
what it says; a seed must fix the run; bad input must raise InputError with a message
that names the problem. On the digits data the network must reach the accuracy the
training chapter promises, and the squared loss's output error must vanish for a
confidently wrong prediction where cross-entropy's does not.
"""

from __future__ import annotations

import numpy as np
import pytest
import reference

import mlp
from mlp import InputError, Params
from mlp.training import History, accuracy, one_hot, predict, train

# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits_split():
    """The chapter's data: scikit-learn's digits scaled to [0, 1], stratified 80/20 split, seed 0.

    Returned with examples as columns: X_train (64, M_train), labels_train, X_test, labels_test.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.data / digits.data.max()
    Xtr, Xte, ytr, yte = train_test_split(X, digits.target, test_size=0.2, stratify=digits.target, random_state=0)
    return Xtr.T, ytr, Xte.T, yte


def blobs(rng, N=5, K=3, M=60, spread=0.3):
    """K well-separated Gaussian clusters in N dimensions, examples as columns: X (N, M), labels (M,)."""
    centres = 2.0 * rng.standard_normal((N, K))
    labels = np.arange(M) % K
    X = centres[:, labels] + spread * rng.standard_normal((N, M))
    return X, labels


def allclose_params(a, b, rtol=1e-12, atol=1e-14):
    return all(np.allclose(p, q, rtol=rtol, atol=atol) for p, q in zip(a, b, strict=True))


def equal_params(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


# --------------------------------------------------------------------------------------
# the lean pass is mlp's pass
# --------------------------------------------------------------------------------------


def test_training_loop_equals_checked_forward_backward_sgd_step(rng):
    """A few epochs of train() and the same epochs written with mlp.forward / backward / sgd_step."""
    X, labels = blobs(rng, M=23)
    N, K, N1, B, lr, epochs, seed = X.shape[0], 3, 4, 5, 0.3, 3, 7
    result = train(X, labels, N1, lr=lr, batch_size=B, epochs=epochs, seed=seed, activation="relu")

    # the reference loop: public, checked functions only. The seed's generator is split in two
    # streams, the first for the initial weights, the second for the order of the examples.
    init_rng, order_rng = np.random.default_rng(seed).spawn(2)
    params = mlp.init_params(init_rng, N, N1, K)
    Y = one_hot(labels, K)
    for _ in range(epochs):
        order = order_rng.permutation(X.shape[1])
        for start in range(0, X.shape[1], B):
            cols = order[start : start + B]
            fwd = mlp.forward(params, X[:, cols], "relu")
            grads = mlp.backward(params, X[:, cols], Y[:, cols], fwd, "relu", "cross_entropy")
            params = mlp.sgd_step(params, grads, lr)
    assert allclose_params(result.params, params)


def test_full_batch_epoch_is_one_gradient_step(rng):
    """With B = M an epoch is one step on the whole set, whatever the shuffle."""
    X, labels = blobs(rng, M=30)
    start = train(X, labels, 4, epochs=0, seed=3, activation="relu").params
    one = train(X, labels, params=start, batch_size=X.shape[1], epochs=1, lr=0.5, seed=3, activation="relu").params
    _, _, grads = mlp.loss_and_gradients(start, X, one_hot(labels, 3), "relu", "cross_entropy")
    assert allclose_params(one, mlp.sgd_step(start, grads, 0.5), rtol=1e-10, atol=1e-13)
    assert not equal_params(one, start)


# --------------------------------------------------------------------------------------
# history, seeds, determinism
# --------------------------------------------------------------------------------------


def test_history_with_zero_learning_rate_is_the_loss_of_the_initial_weights(rng):
    """With lr = 0 nothing moves, so every epoch's mean over minibatches is the full-set loss."""
    X, labels = blobs(rng, M=50)
    X_val, labels_val = blobs(np.random.default_rng(1), M=20)
    result = train(
        X, labels, 6, lr=0.0, batch_size=8, epochs=3, seed=2, X_val=X_val, labels_val=labels_val, activation="relu"
    )
    start = train(X, labels, 6, epochs=0, seed=2, activation="relu").params
    assert equal_params(result.params, start)
    y_hat = mlp.forward(start, X, "relu").y_hat
    full_loss = mlp.loss_value(one_hot(labels, 3), y_hat, "cross_entropy")
    full_acc = float(np.mean(y_hat.argmax(axis=0) == labels))
    assert np.allclose(result.history.loss, full_loss, rtol=1e-12)
    assert result.history.accuracy == [pytest.approx(full_acc, abs=1e-12)] * 3
    val_loss = mlp.loss_value(one_hot(labels_val, 3), mlp.forward(start, X_val, "relu").y_hat, "cross_entropy")
    assert np.allclose(result.history.val_loss, val_loss, rtol=1e-12)
    assert result.history.val_accuracy == [accuracy(start, X_val, labels_val, "relu")] * 3


def test_history_has_one_entry_per_epoch(rng):
    X, labels = blobs(rng)
    h = train(X, labels, 4, epochs=4, activation="relu").history
    assert isinstance(h, History)
    assert len(h.loss) == len(h.accuracy) == 4
    assert h.val_loss == h.val_accuracy == []
    assert all(0.0 <= a <= 1.0 for a in h.accuracy)
    assert all(a * X.shape[1] == round(a * X.shape[1]) for a in h.accuracy)  # a count of examples / M


def test_history_is_the_mean_over_minibatches_measured_before_each_step(rng):
    """Two full-batch epochs: each epoch has one minibatch, measured at the weights before its step."""
    X, labels = blobs(rng, M=24)
    Y = one_hot(labels, 3)
    start = train(X, labels, 4, epochs=0, seed=5, activation="relu").params
    h = train(X, labels, params=start, batch_size=24, epochs=2, lr=0.5, seed=5, activation="relu").history
    after_one = train(X, labels, params=start, batch_size=24, epochs=1, lr=0.5, seed=5, activation="relu").params
    for entry, params in enumerate((start, after_one)):
        y_hat = mlp.forward(params, X, "relu").y_hat
        assert h.loss[entry] == pytest.approx(mlp.loss_value(Y, y_hat, "cross_entropy"), rel=1e-12)
        assert h.accuracy[entry] == accuracy(params, X, labels, "relu")
    assert h.loss[1] < h.loss[0]


@pytest.mark.parametrize("loss", ["cross_entropy", "squared"])
def test_training_reduces_the_loss(loss, rng):
    X, labels = blobs(rng, M=90)
    lr = 0.1 if loss == "cross_entropy" else 1.0
    result = train(
        X, labels, 8, loss=loss, lr=lr, batch_size=10, epochs=20, seed=0, X_val=X, labels_val=labels, activation="relu"
    )
    h = result.history
    start = train(X, labels, 8, loss=loss, epochs=0, seed=0, activation="relu").params
    loss_before = mlp.loss_value(one_hot(labels, 3), mlp.forward(start, X, "relu").y_hat, loss)
    assert h.val_loss[-1] < 0.5 * loss_before
    assert h.loss[-1] < h.loss[0]
    assert h.val_accuracy[-1] == 1.0  # separated clusters: every example right


def test_same_seed_same_run_other_seed_other_run(rng):
    X, labels = blobs(rng)
    a = train(X, labels, 5, epochs=3, seed=11, activation="relu")
    b = train(X, labels, 5, epochs=3, seed=11, activation="relu")
    c = train(X, labels, 5, epochs=3, seed=12, activation="relu")
    assert equal_params(a.params, b.params) and a.history == b.history
    assert not equal_params(a.params, c.params)


def test_given_params_use_the_same_shuffles_as_drawn_ones(rng):
    """The initial weights and the order of the examples come from independent streams."""
    X, labels = blobs(rng)
    start = train(X, labels, 5, epochs=0, seed=4, activation="relu").params
    drawn = train(X, labels, 5, epochs=2, seed=4, activation="relu")
    given = train(X, labels, params=start, epochs=2, seed=4, activation="relu")
    assert equal_params(drawn.params, given.params)


def test_train_does_not_modify_its_inputs(rng):
    X, labels = blobs(rng)
    start = train(X, labels, 5, epochs=0, activation="relu").params
    copies = [a.copy() for a in (X, labels, *start)]
    train(X, labels, params=start, epochs=2, activation="relu")
    assert all(np.array_equal(a, b) for a, b in zip((X, labels, *start), copies, strict=True))


# --------------------------------------------------------------------------------------
# the chapter's claims on digits
# --------------------------------------------------------------------------------------


def test_reaches_97_percent_on_digits_with_cross_entropy(digits_split):
    """The chapter's run: 64-64-10, ReLU, softmax, cross-entropy, lr 0.1, B 32, 50 epochs, seed 0."""
    X_train, labels_train, X_test, labels_test = digits_split
    result = train(X_train, labels_train, 64, lr=0.1, batch_size=32, epochs=50, seed=0, activation="relu")
    assert accuracy(result.params, X_test, labels_test, "relu") >= 0.97


def test_squared_loss_learns_more_slowly_on_digits(digits_split):
    X_train, labels_train, X_test, labels_test = digits_split
    acc = {
        loss: train(
            X_train,
            labels_train,
            64,
            loss=loss,
            epochs=5,
            seed=0,
            X_val=X_test,
            labels_val=labels_test,
            activation="relu",
        ).history.val_accuracy[-1]
        for loss in ("cross_entropy", "squared")
    }
    assert acc["cross_entropy"] > acc["squared"] + 0.2


def output_delta(z2, y, loss):
    """delta2 from mlp.backward for one example whose logits are z2 (W2 = 0, W2_0 = z2)."""
    params = Params(np.zeros((1, 1)), np.zeros(1), np.zeros((1, z2.size)), z2)
    x = np.zeros(1)
    fwd = mlp.forward(params, x, "relu")
    return fwd.y_hat, mlp.backward(params, x, y, fwd, "relu", loss).delta2


@pytest.mark.parametrize("margin", [4.0, 8.0, 12.0])
def test_confidently_wrong_squared_delta_vanishes_cross_entropy_does_not(margin):
    K, true_class, said = 10, 3, 8
    z2 = np.zeros(K)
    z2[said] = margin
    y = np.eye(K)[true_class]
    y_hat, delta_ce = output_delta(z2, y, "cross_entropy")
    _, delta_sq = output_delta(z2, y, "squared")
    # the formulas of the chapter, computed independently of mlp.backward (tests/reference.py's Jacobian)
    J = reference.softmax_jacobian(y_hat)
    assert np.allclose(delta_ce, y_hat - y, atol=1e-15)
    assert np.allclose(delta_sq, J.T @ (y_hat - y), atol=1e-15)
    # cross-entropy: |delta2| stays above 1; squared: it shrinks with the margin (e^-margin)
    assert np.linalg.norm(delta_ce) > 1.0
    assert np.linalg.norm(delta_sq) < 30 * np.exp(-margin)
    assert abs(delta_sq[said]) <= y_hat[said] * (1 - y_hat[said]) * 2  # carries the factor y_hat (1 - y_hat)


def test_squared_delta_is_smaller_than_cross_entropy_delta_for_any_prediction(rng):
    K = 10
    for _ in range(50):
        z2 = 3.0 * rng.standard_normal(K)
        y = np.eye(K)[rng.integers(K)]
        _, delta_ce = output_delta(z2, y, "cross_entropy")
        _, delta_sq = output_delta(z2, y, "squared")
        assert np.linalg.norm(delta_sq) < np.linalg.norm(delta_ce)


# --------------------------------------------------------------------------------------
# predict, accuracy, one_hot
# --------------------------------------------------------------------------------------


def test_predict_and_accuracy(rng):
    params = mlp.init_params(rng, 3, 4, 2)
    X = rng.standard_normal((3, 9))
    predicted = predict(params, X, "relu")
    assert predicted.shape == (9,)
    assert np.array_equal(predicted, mlp.forward(params, X, "relu").y_hat.argmax(axis=0))
    assert accuracy(params, X, predicted, "relu") == 1.0
    assert accuracy(params, X, 1 - predicted, "relu") == 0.0


def test_one_hot_columns():
    assert np.array_equal(one_hot(np.array([2, 0]), 3), [[0, 1], [0, 0], [1, 0]])


# --------------------------------------------------------------------------------------
# bad input: InputError, with a message that names the problem
# --------------------------------------------------------------------------------------


@pytest.fixture
def small(rng):
    X, labels = blobs(rng, N=4, K=3, M=12)
    return X, labels


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda X, y: (X, np.where(y == 2, 3, y)), r"labels\[2\] = 3 is outside the classes 0\.\.2"),
        (lambda X, y: (X, np.where(y == 0, -1, y)), r"labels\[0\] = -1 is outside the classes"),
        (lambda X, y: (X, y.astype(float)), r"labels must be integer class numbers.*float64"),
        (lambda X, y: (X, y.reshape(3, 4)), r"labels must have shape \(M,\)"),
        (lambda X, y: (X, y[:-1]), r"labels has 11 entries but X has 12 columns"),
        (lambda X, y: (X.T, y), r"labels has 12 entries but X has 4 columns \(examples\).*pass X\.T"),
        (lambda X, y: (X.ravel(), y), r"X must have shape \(N, M\)"),
        (lambda X, y: (np.where(X == X[1, 5], np.nan, X), y), r"X contains nan at index \[1, 5\]"),
        (lambda X, y: (np.where(X == X[0, 0], np.inf, X), y), r"X contains inf"),
        (lambda X, y: (X.astype(str), y), r"X must contain only real numbers"),
        (lambda X, y: (X, y[:0]), r"labels is empty"),
    ],
)
def test_bad_data_raises_input_error(small, change, message):
    X, labels = change(*small)
    with pytest.raises(InputError, match=message):
        train(X, labels, 4, n_classes=3, epochs=1, activation="relu")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -0.1}, r"lr must be a finite number >= 0"),
        ({"lr": float("nan")}, r"lr must be a finite number"),
        ({"batch_size": 0}, r"batch_size must be an integer >= 1; got 0"),
        ({"batch_size": 2.5}, r"batch_size must be an integer >= 1; got 2\.5"),
        ({"epochs": -1}, r"epochs must be an integer >= 0; got -1"),
        ({"seed": -3}, r"seed must be an integer >= 0; got -3"),
        ({"seed": 1.5}, r"seed must be an integer >= 0"),
        ({"loss": "hinge"}, r"unknown loss 'hinge'"),
        ({"activation": "softplus"}, r"unknown activation 'softplus'"),
        ({"n_classes": 1}, r"n_classes must be an integer >= 2"),
        ({"n_classes": 2}, r"labels\[2\] = 2 is outside the classes 0\.\.1"),
        ({"hidden": None}, r"give the number of hidden units"),
        ({"hidden": 0}, r"hidden must be an integer >= 1; got 0"),
    ],
)
def test_bad_settings_raise_input_error(small, kwargs, message):
    X, labels = small
    settings = {"hidden": 4, "epochs": 1, "activation": "relu"} | kwargs
    with pytest.raises(InputError, match=message):
        train(X, labels, **settings)


def test_bad_params_and_validation_data_raise_input_error(small, rng):
    X, labels = small
    good = mlp.init_params(rng, 4, 5, 3)
    with pytest.raises(InputError, match=r"x has 4 rows but W1 has 3 rows: N, the number of inputs"):
        train(X, labels, params=mlp.init_params(rng, 3, 5, 3), activation="relu")
    with pytest.raises(InputError, match=r"hidden = 6 but the given params have N1 = 5"):
        train(X, labels, 6, params=good, activation="relu")
    with pytest.raises(InputError, match=r"labels\[2\] = 2 is outside the classes 0\.\.1"):
        train(X, labels, params=mlp.init_params(rng, 4, 5, 2), activation="relu")  # K comes from W2: 2 classes
    with pytest.raises(InputError, match=r"W2_0 contains nan"):
        train(X, labels, params=good._replace(W2_0=np.array([0.0, np.nan, 0.0])), activation="relu")
    with pytest.raises(InputError, match=r"give both X_val and labels_val, or neither"):
        train(X, labels, 4, X_val=X, activation="relu")
    with pytest.raises(InputError, match=r"X_val has 3 rows \(features\) but X has N = 4"):
        train(X, labels, 4, X_val=X[:3], labels_val=labels, activation="relu")
    with pytest.raises(InputError, match=r"labels_val\[0\] = 7 is outside the classes 0\.\.2"):
        train(X, labels, 4, X_val=X, labels_val=np.full(labels.shape, 7), activation="relu")


def test_divergence_raises_input_error_suggesting_a_smaller_learning_rate(small):
    X, labels = small
    with pytest.raises(InputError, match=r"training, in epoch 1: .*overflowed.*lr = 1e\+300 \(try a smaller lr\)"):
        train(X * 1e10, labels, 4, lr=1e300, epochs=3, activation="relu")


def test_predict_and_accuracy_check_their_input(rng):
    params = mlp.init_params(rng, 3, 4, 2)
    with pytest.raises(InputError, match=r"X must have shape \(N, M\)"):
        predict(params, np.zeros(3), "relu")
    with pytest.raises(InputError, match=r"x has shape|W1 has shape"):
        predict(params, np.zeros((5, 2)), "relu")
    with pytest.raises(InputError, match=r"labels\[1\] = 2 is outside the classes 0\.\.1"):
        accuracy(params, np.zeros((3, 2)), np.array([0, 2]), "relu")


def test_n_classes_that_contradicts_the_given_params_is_an_input_error(small, rng):
    """It used to reach the training loop and fail there with numpy's broadcasting error."""
    X, labels = small
    with pytest.raises(InputError, match=r"n_classes = 4 but the given params have K = 3 outputs"):
        train(X, labels, n_classes=4, params=mlp.init_params(rng, 4, 5, 3), epochs=1, activation="relu")


def test_data_without_features_and_one_hot_without_k_are_input_errors():
    with pytest.raises(InputError, match=r"X has shape \(0, 3\): an example needs at least one feature"):
        train(np.zeros((0, 3)), np.array([0, 1, 0]), 4, epochs=1, activation="relu")
    with pytest.raises(InputError, match=r"K must be an integer >= 1; got None"):
        one_hot(np.array([0, 1]), None)


def test_the_holes_of_issue_19_are_one_line_errors(small):
    """params=5 was a TypeError; a label of 10**5 trained 100,001 classes and 10**9 was a MemoryError; data that
    overflow with lr = 0 said "try lr < 0"."""
    X, labels = small
    with pytest.raises(InputError, match=r"params must be \(W1, W1_0, W2, W2_0\), such as a Params; got int"):
        train(X, labels, params=5, activation="relu", epochs=1)
    for big in (10**5, 10**9):
        sparse = labels.copy()
        sparse[0] = big
        with pytest.raises(InputError, match=rf"the largest label is {big}, which makes {big + 1} classes"):
            train(X, sparse, 4, activation="relu", epochs=1)
    with pytest.raises(InputError, match=r"W2 would have N1 x K = 1000 x 1000000 entries"):
        train(X, labels, 1000, activation="relu", epochs=1, n_classes=10**6)
    with pytest.raises(
        InputError, match=r"overflowed to inf or nan with lr = 0, before any step: the weights or inputs"
    ):
        train(np.full_like(X, 1e308), labels, 4, activation="identity", epochs=1, lr=0.0)
