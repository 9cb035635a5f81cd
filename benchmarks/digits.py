"""Train the book's digits network with mlp.train and with scikit-learn's MLPClassifier, and time both.

Run from the repository root:

    .venv/bin/python benchmarks/digits.py              # 5 seeds, about ten seconds
    .venv/bin/python benchmarks/digits.py --seeds 9 --threads 2
    .venv/bin/python benchmarks/digits.py --quick      # 2 seeds of 2 epochs: a smoke run (the tests')

The task is chapters/training.ipynb's: scikit-learn's `load_digits`, gray levels divided by
16, a stratified 80/20 train/test split (random_state 0). Both contenders train the same
network and take the same steps:

- 64 inputs -> 64 ReLU hidden units -> 10 softmax outputs, cross-entropy loss (mean over
  the minibatch);
- plain minibatch SGD: learning rate 0.1, constant; minibatches of 32; 50 epochs; the
  training set reshuffled every epoch; no momentum, no weight penalty, no early stopping.

    mlp.train       train(X_train.T, labels, 64, lr=0.1, batch_size=32, epochs=50, seed=s)
    MLPClassifier   MLPClassifier(hidden_layer_sizes=(64,), activation="relu", solver="sgd",
                    learning_rate="constant", learning_rate_init=0.1, batch_size=32,
                    max_iter=50, momentum=0, nesterovs_momentum=False, alpha=0,
                    early_stopping=False, n_iter_no_change=51, random_state=s).fit(...)

A third contender, lean loop, is a reference floor rather than a rival: the same SGD steps (the same
initial parameters and shuffles as mlp.train for the seed) through benchmarks/lean.py, the
equations in the leanest numpy, unchecked: no grad_y_hat, the plain delta2 = (y_hat - y) / B, no per-epoch loss
and accuracy. MLPClassifier / lean loop is what these steps reach written plainly in numpy, one
call per operation; a target above it is out of reach of mlp.train too.

The time is that of the training call alone (data loading, the split and scoring are not
timed), with a garbage collection before each call. For every seed the two contenders run
back to back, in alternating order (mlp first for even seeds, scikit-learn first for odd
ones), so that machine noise hits both alike, after one untimed warm-up epoch each. Each
reported time is the median over the seeds; the accuracy is measured on the test set.
Both contenders run numpy's BLAS on the same number of threads (--threads, default 1,
through threadpoolctl): for matrices this small, more threads mostly add overhead and noise.

Targets, printed as PASS/FAIL (the exit code is 0 either way; timings are never asserted in
the tests):

- speed: MLPClassifier's median wall-clock time / mlp's median wall-clock time >= 2.5.
  The CPU-time ratio is printed beside it: with one BLAS thread both contenders run on
  one core, so CPU time is the work done, and a wall-clock ratio far from the CPU-time
  ratio means that other processes took turns on the cores (see the load average);
- same accuracy: the median test accuracies differ by at most 1 percentage point (3.6
  test images of 360), the spread that the seed alone produces.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn
from lean import lean_gradients
from machine import blas_description, cpu_name
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from mlp.network import init_params
from mlp.training import accuracy, one_hot, train

HIDDEN, LR, BATCH, EPOCHS = 64, 0.1, 32, 50
SPLIT_SEED, TEST_SIZE = 0, 0.2
SPEEDUP_TARGET = 2.5  # MLPClassifier time / mlp time
SAME_ACCURACY = 0.01  # largest difference of the median test accuracies (fraction)


def load_split():
    """The notebook's data: rows (M, 64) scaled to [0, 1], a stratified, seeded 80/20 split."""
    digits = load_digits()
    X = digits.data / digits.data.max()
    return train_test_split(X, digits.target, test_size=TEST_SIZE, stratify=digits.target, random_state=SPLIT_SEED)


def fit_mlp(X_train_rows, labels_train, seed: int, epochs: int):
    """mlp.train on examples as columns; returns the trained Params."""
    X_train = X_train_rows.T  # (64, M): the book's layout
    return train(
        X_train, labels_train, HIDDEN, lr=LR, batch_size=BATCH, epochs=epochs, seed=seed, activation="relu"
    ).params


def fit_lean(X_train_rows, labels_train, seed: int, epochs: int):
    """The same steps as fit_mlp through benchmarks/lean.py and nothing else (see the module's docstring)."""
    X = np.ascontiguousarray(X_train_rows.T)  # (N, M)
    Y = one_hot(labels_train, 10)  # (K, M)
    N, M = X.shape
    init_rng, order_rng = np.random.default_rng(seed).spawn(2)  # as mlp.train seeds its two streams
    params = tuple(np.array(W) for W in init_params(init_rng, N, HIDDEN, 10))  # W1, W1_0, W2, W2_0
    for _ in range(epochs):
        order = order_rng.permutation(M)
        X_shuffled, Y_shuffled = X[:, order], Y[:, order]
        for start in range(0, M, BATCH):
            x, y = X_shuffled[:, start : start + BATCH], Y_shuffled[:, start : start + BATCH]
            for W, grad_W in zip(params, lean_gradients(*params, x, y), strict=True):
                W -= LR * grad_W
    return params


def make_sklearn(seed: int, epochs: int) -> MLPClassifier:
    return MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        activation="relu",
        solver="sgd",
        alpha=0.0,
        batch_size=BATCH,
        learning_rate="constant",
        learning_rate_init=LR,
        max_iter=epochs,
        momentum=0.0,
        nesterovs_momentum=False,
        early_stopping=False,
        n_iter_no_change=epochs + 1,  # never stop early
        shuffle=True,
        random_state=seed,
    )


def fit_sklearn(X_train_rows, labels_train, seed: int, epochs: int) -> MLPClassifier:
    clf = make_sklearn(seed, epochs)
    # MLPClassifier warns (ConvergenceWarning) whenever it stops at max_iter, which is what a
    # fixed number of epochs means here: silence that warning only.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        clf.fit(X_train_rows, labels_train)
    if clf.n_iter_ != epochs:
        raise RuntimeError(f"MLPClassifier stopped after {clf.n_iter_} epochs instead of {epochs}")
    return clf


def timed(fn, *args):
    """(wall-clock seconds, CPU seconds of this process, result) of one call, after a garbage collection."""
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return time.perf_counter() - start, time.process_time() - start_cpu, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (runs per contender), default 5")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for both contenders, default 1")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 seeds (both orders) of 2 epochs: every step of the script in a few seconds; the numbers mean little",
    )
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.threads < 1:
        parser.error("--seeds and --threads must be at least 1")
    seeds, epochs = (2, 2) if args.quick else (args.seeds, EPOCHS)

    X_train_rows, X_test_rows, labels_train, labels_test = load_split()
    M_train, N = X_train_rows.shape
    steps = epochs * -(-M_train // BATCH)

    with threadpool_limits(limits=args.threads, user_api="blas"):
        print(f"python {platform.python_version()}, numpy {np.__version__}, scikit-learn {sklearn.__version__}")
        print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores)")
        print(f"numpy BLAS: {blas_description()}")
        if hasattr(os, "getloadavg"):
            print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
        print(
            f"task: digits, {M_train} training and {len(labels_test)} test images; network {N}-{HIDDEN}-10, "
            f"ReLU, softmax, cross-entropy"
        )
        print(f"SGD: lr {LR}, batch {BATCH}, {epochs} epochs ({steps} steps), no momentum, no penalty")
        print(f"seeds 0..{seeds - 1}, contenders alternating; times are of the training call only")
        if args.quick:
            print(f"--quick: {epochs} epochs instead of {EPOCHS}, a smoke run; its times and accuracies mean little")
        print()

        fit_mlp(X_train_rows, labels_train, 0, 1)  # warm-up: imports, caches, first calls
        fit_sklearn(X_train_rows, labels_train, 0, 1)
        fit_lean(X_train_rows, labels_train, 0, 1)

        names = ["mlp.train", "MLPClassifier", "lean loop"]
        times = {name: [] for name in names}
        cpu_times = {name: [] for name in names}
        accs = {name: [] for name in names}
        for seed in range(seeds):
            order = names if seed % 2 == 0 else names[::-1]
            for name in order:
                if name == "mlp.train":
                    t, cpu, params = timed(fit_mlp, X_train_rows, labels_train, seed, epochs)
                    acc = accuracy(params, X_test_rows.T, labels_test, "relu")
                elif name == "lean loop":
                    t, cpu, params = timed(fit_lean, X_train_rows, labels_train, seed, epochs)
                    acc = accuracy(params, X_test_rows.T, labels_test, "relu")
                else:
                    t, cpu, clf = timed(fit_sklearn, X_train_rows, labels_train, seed, epochs)
                    acc = clf.score(X_test_rows, labels_test)
                times[name].append(t)
                cpu_times[name].append(cpu)
                accs[name].append(acc)

    header = (
        f"{'contender':14} {'median s':>9} {'min s':>7} {'max s':>7} {'median CPU s':>13} "
        f"{'median acc %':>13}   test accuracy % by seed"
    )
    print(header)
    print("-" * len(header))
    for name in times:
        t = times[name]
        by_seed = " ".join(f"{100 * a:6.2f}" for a in accs[name])
        cpu = statistics.median(cpu_times[name])
        print(
            f"{name:14} {statistics.median(t):9.3f} {min(t):7.3f} {max(t):7.3f} {cpu:13.3f} "
            f"{100 * statistics.median(accs[name]):13.2f}   {by_seed}"
        )
    print()
    ratio = statistics.median(times["MLPClassifier"]) / statistics.median(times["mlp.train"])
    cpu_ratio = statistics.median(cpu_times["MLPClassifier"]) / statistics.median(cpu_times["mlp.train"])
    gap = statistics.median(accs["mlp.train"]) - statistics.median(accs["MLPClassifier"])
    speed_ok = ratio >= SPEEDUP_TARGET
    same_ok = abs(gap) <= SAME_ACCURACY + 1e-12
    print(f"ratio MLPClassifier / mlp.train (median wall-clock times): {ratio:.2f}")
    print(f"ratio MLPClassifier / mlp.train (median CPU times, a check on noise from other processes): {cpu_ratio:.2f}")
    lean_ratio = statistics.median(times["MLPClassifier"]) / statistics.median(times["lean loop"])
    print(f"ratio MLPClassifier / lean loop (the reference floor, median wall-clock times): {lean_ratio:.2f}")
    print(f"median accuracy, mlp.train minus MLPClassifier: {100 * gap:+.2f} percentage points")
    print("targets:")
    print(f"  {'PASS' if speed_ok else 'FAIL'}  mlp.train at least {SPEEDUP_TARGET}x faster (ratio {ratio:.2f})")
    print(
        f"  {'PASS' if same_ok else 'FAIL'}  same accuracy: medians within {100 * SAME_ACCURACY:g} percentage point "
        f"({100 * gap:+.2f})"
    )
    if not speed_ok:
        print("  (other processes add noise to the times: rerun before drawing a conclusion from one miss)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
