"""Time one forward + backward pass of mlp against HIPS autograd and torch.

Run from the repository root:

    .venv/bin/python benchmarks/backprop.py            # full run
    .venv/bin/python benchmarks/backprop.py --quick    # fewer repetitions

The network is the book's: x -> z1 = W1^T x + W1_0 -> H = relu(z1) -> z2 = W2^T H + W2_0
-> y_hat = softmax(z2), with the cross-entropy loss (mean over the batch) and one-hot
targets. Each contender computes the gradients of all four parameters:

- mlp:       fwd = mlp.forward(params, x, "relu"); mlp.backward(params, x, y, fwd, "relu",
             "cross_entropy"), exactly as a reader of the book would call them.
- matmuls:   only the five matrix products that pass does (W1.T @ X, W2.T @ H,
             H @ delta2.T, W2 @ delta2, X @ delta1.T): a floor for any batched implementation.
- lean:      the same equations in numpy with nothing else: no input checks, no grad_y_hat,
             the plain delta2 = (y_hat - Y) / B (not its exact form near saturation), the
             leanest calls (np.maximum.reduce, np.add.reduce). What mlp's pass costs beyond
             it is the price of checking, reporting every quantity and exactness; lean/matmuls
             is what numpy's per-call overhead costs the equations written plainly, one call
             per operation: a reference floor for the bounds on mlp/matmuls.
- autograd:  autograd.grad of the same loss written with autograd.numpy.
- torch:     torch.autograd.grad of the same loss written as a torch user would
             (examples as rows, F.cross_entropy with class labels); skipped if torch is
             not installed.

Before timing, the script checks that autograd and torch give mlp's gradients. Timing:
seeded data, warm-up calls, then repetitions in which the contenders are timed in turn
(round-robin, starting with a different one each time) so that machine noise hits all of
them alike; each reported time is the median over the repetitions. Every contender runs on
the same number of threads (--threads, default 1): numpy's BLAS through threadpoolctl,
torch through torch.set_num_threads. With one thread the clock is the process's CPU time,
which other processes on a busy machine do not inflate; with more, the wall clock.

The targets are printed as PASS/FAIL columns; missing one does not change the exit code
(0). Timings are never asserted in the tests.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from lean import lean_gradients
from machine import blas_description, cpu_name

import mlp

CONFIGS = [(1, 2, 2, 2), (64, 64, 32, 10), (256, 784, 256, 10)]  # (B, N, N1, K)
DTYPES = [np.float32, np.float64]
ACTIVATION = "relu"
LOSS = "cross_entropy"

# Targets: (B, N, N1, K) each applies to, and the bound.
TORCH_PARITY_AT = (256, 784, 256, 10)  # mlp time <= torch time
TORCH_SPEEDUP_AT = (64, 64, 32, 10)  # torch time / mlp time >= 2.5
TORCH_SPEEDUP = 2.5
# mlp's checked forward + backward within this many times its own five matrix products (issue 9).
MATMUL_BOUNDS = {(1, 2, 2, 2): 4.0, (64, 64, 32, 10): 2.0, (256, 784, 256, 10): 1.15}


# ---------------------------------------------------------------------------------------
# Environment: threads and BLAS
# ---------------------------------------------------------------------------------------


def limit_threads(threads: int, torch):
    """Limit numpy's BLAS (via threadpoolctl) and torch (if given) to `threads` threads.

    Returns the threadpoolctl limiter (keep it alive), or None without threadpoolctl.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limiter = None
    else:
        limiter = threadpool_limits(limits=threads, user_api="blas")
    if torch is not None:
        torch.set_num_threads(threads)
    return limiter


def import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def print_environment(threads: int, torch) -> None:
    import autograd

    print(f"python {platform.python_version()}, numpy {np.__version__}, autograd {version_of(autograd)}, ", end="")
    print(f"torch {torch.__version__ if torch is not None else 'not installed (skipped)'}")
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores)")
    print(f"numpy BLAS: {blas_description()}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"{var}={os.environ[var]!r}" if var in os.environ else f"{var} not set")
    torch_threads = f"torch.set_num_threads({torch.get_num_threads()})" if torch is not None else "torch skipped"
    print(f"threads: {threads} for every contender (numpy BLAS via threadpoolctl, {torch_threads})")
    print(f"network: hidden activation {ACTIVATION}, softmax output, {LOSS} loss (mean over the batch)")


def version_of(module) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module.__name__)
    except PackageNotFoundError:
        return "?"


# ---------------------------------------------------------------------------------------
# The contenders
# ---------------------------------------------------------------------------------------


def make_data(B: int, N: int, N1: int, K: int, dtype, seed: int = 0):
    """Seeded params, inputs X (N, B), class labels (B,) and one-hot targets Y (K, B)."""
    rng = np.random.default_rng(seed)
    params = mlp.init_params(rng, N, N1, K, dtype=dtype)
    # Nonzero biases so that their gradients flow through every contender the same way.
    params = params._replace(
        W1_0=(0.1 * rng.standard_normal(N1)).astype(dtype),
        W2_0=(0.1 * rng.standard_normal(K)).astype(dtype),
    )
    X = rng.standard_normal((N, B)).astype(dtype)
    labels = rng.integers(0, K, size=B)
    Y = np.zeros((K, B), dtype=dtype)
    Y[labels, np.arange(B)] = 1
    return params, X, labels, Y


def mlp_pass(params, X, Y) -> mlp.Gradients:
    """One forward + backward pass with mlp, as a user calls it."""
    fwd = mlp.forward(params, X, ACTIVATION)
    return mlp.backward(params, X, Y, fwd, ACTIVATION, LOSS)


def make_matmuls(params, X, Y) -> Callable[[], None]:
    """The five matrix products of mlp's pass, on the intermediates of a real pass."""
    fwd = mlp.forward(params, X, ACTIVATION)
    g = mlp.backward(params, X, Y, fwd, ACTIVATION, LOSS)
    W1, W2, H, delta2, delta1 = params.W1, params.W2, fwd.H, g.delta2, g.delta1

    def matmuls():
        W1.T @ X  # z1, without the bias
        W2.T @ H  # z2, without the bias
        H @ delta2.T  # grad_W2
        W2 @ delta2  # grad_H
        X @ delta1.T  # grad_W1

    return matmuls


def make_lean(params, X, Y) -> Callable[[], tuple]:
    """The pass's equations in the leanest numpy, unchecked (benchmarks/lean.py): the reference floor."""
    return lambda: lean_gradients(*params, X, Y)


def make_autograd(X, Y) -> Callable:
    """autograd.grad of the loss, written with autograd.numpy in the book's layout."""
    import autograd.numpy as anp
    from autograd import grad

    def loss(params):
        W1, W1_0, W2, W2_0 = params
        z1 = W1.T @ X + W1_0[:, None]
        H = anp.maximum(z1, 0.0)
        z2 = W2.T @ H + W2_0[:, None]
        shifted = z2 - anp.max(z2, axis=0, keepdims=True)
        log_y_hat = shifted - anp.log(anp.sum(anp.exp(shifted), axis=0, keepdims=True))
        return -anp.sum(Y * log_y_hat) / X.shape[1]

    return grad(loss)


def make_torch(torch, params, X, labels) -> tuple[Callable, tuple]:
    """torch.autograd.grad of the loss as a torch user writes it: examples as rows."""
    import torch.nn.functional as F

    W1, W1_0, W2, W2_0 = (torch.from_numpy(a.copy()).requires_grad_() for a in params)
    X_rows = torch.from_numpy(np.ascontiguousarray(X.T))  # (B, N)
    targets = torch.from_numpy(labels)

    def torch_pass():
        H = torch.relu(X_rows @ W1 + W1_0)
        logits = H @ W2 + W2_0
        loss = F.cross_entropy(logits, targets)
        return torch.autograd.grad(loss, (W1, W1_0, W2, W2_0))

    return torch_pass


def check_agreement(name: str, reference: mlp.Params, grads, dtype) -> float:
    """Largest difference between two sets of gradients, relative to the largest gradient entry."""
    worst = 0.0
    for field, ref, got in zip(mlp.Params._fields, reference, grads, strict=True):
        got = np.asarray(got.detach().numpy() if hasattr(got, "detach") else got)
        if got.shape != ref.shape:
            raise SystemExit(f"{name}: gradient of {field} has shape {got.shape}, mlp's has {ref.shape}")
        scale = max(float(np.max(np.abs(ref))), np.finfo(dtype).tiny)
        worst = max(worst, float(np.max(np.abs(got - ref))) / scale)
    tolerance = 1e-4 if dtype == np.float32 else 1e-10
    if not worst <= tolerance:
        raise SystemExit(f"{name} disagrees with mlp: relative difference {worst:.1e} > {tolerance:.0e}")
    return worst


def python_lines_executed(fn: Callable[[], object]) -> int:
    """How many lines of Python code one call of fn executes (numpy's C code is not counted)."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def is_batched(N: int, N1: int, K: int, B: int, dtype) -> tuple[bool, list[int]]:
    """True if mlp's pass runs the same Python lines for 1, 2 and B examples: no loop over examples.

    The b examples are b copies of one, so that a branch that depends on the values (the exact
    forms near saturation) goes the same way for every b: only a loop over examples can differ."""
    params, X, _, Y = make_data(1, N, N1, K, dtype)
    counts = []
    for b in sorted({1, 2, B}):
        Xb, Yb = np.repeat(X, b, axis=1), np.repeat(Y, b, axis=1)
        mlp_pass(params, Xb, Yb)  # once untraced: a first call may run one-time set-up code
        counts.append(python_lines_executed(lambda Xb=Xb, Yb=Yb: mlp_pass(params, Xb, Yb)))
    return len(set(counts)) == 1, counts


# ---------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------


def time_calls(fn: Callable[[], object], calls: int, clock: Callable[[], float]) -> float:
    """Seconds per call, averaged over `calls` back-to-back calls."""
    start = clock()
    for _ in range(calls):
        fn()
    return (clock() - start) / calls


def median_times(
    contenders: dict[str, Callable], repeats: int, sample_seconds: float, clock: Callable[[], float]
) -> dict[str, float]:
    """Median seconds per call of each contender, timed round-robin.

    Each sample is `calls` back-to-back calls, with `calls` chosen per contender from a
    warm-up so that a sample takes about sample_seconds. Repetition r starts with contender
    r mod n, so no contender always runs first or last. The garbage collector is off while
    timing (as in timeit).
    """
    names = list(contenders)
    calls = {}
    for name in names:
        fn = contenders[name]
        for _ in range(3):  # warm-up: caches, lazy initialisation, autograd tracing
            fn()
        one = statistics.median(time_calls(fn, 1, clock) for _ in range(5))
        calls[name] = max(1, round(sample_seconds / max(one, 1e-9)))
    samples = {name: [] for name in names}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(repeats):
            for i in range(len(names)):
                name = names[(r + i) % len(names)]
                samples[name].append(time_calls(contenders[name], calls[name], clock))
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: statistics.median(s) for name, s in samples.items()}


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def micro(seconds: float | None) -> str:
    return "skipped" if seconds is None else f"{seconds * 1e6:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter repetitions (a rough check)")
    parser.add_argument("--threads", type=int, default=1, help="threads for numpy's BLAS and torch (default 1)")
    args = parser.parse_args(argv)
    repeats, sample_seconds = (7, 0.002) if args.quick else (41, 0.01)

    torch = import_torch()
    limiter = limit_threads(args.threads, torch)  # noqa: F841  (kept alive for the whole run)
    print_environment(args.threads, torch)
    # With one thread, the process's CPU time is the time the pass computes, and time that
    # other processes take the core from it does not count; with more, only the wall clock
    # tells how long a pass takes.
    if args.threads == 1:
        clock, clock_name = time.process_time, "CPU time of this process (time.process_time)"
    else:
        clock, clock_name = time.perf_counter, "wall-clock time (time.perf_counter)"
    print(f"timing: {clock_name}; {repeats} round-robin repetitions, samples of about {sample_seconds * 1e3:g} ms")
    print("each time below is the median over the repetitions of the time per call, in microseconds")
    print()

    header = (
        f"{'B':>4} {'N':>4} {'N1':>4} {'K':>3} {'dtype':>7} | {'mlp µs':>9} {'matmuls µs':>10} {'lean µs':>8} "
        f"{'autograd µs':>11} {'torch µs':>9} | {'mlp/matmuls':>11} {'lean/matmuls':>12} {'mlp/lean':>8} "
        f"{'autograd/mlp':>12} {'torch/mlp':>9} | "
        f"{'batched':>7} {'<=torch':>7} {'>=2.5x torch':>12} {'<=bound x matmuls':>17}"
    )
    print(header)
    print("-" * len(header))
    misses = []
    agreement = []
    for config in CONFIGS:
        B, N, N1, K = config
        for dtype in DTYPES:
            dname = np.dtype(dtype).name
            params, X, labels, Y = make_data(B, N, N1, K, dtype)
            reference = mlp_pass(params, X, Y).params()
            autograd_pass = make_autograd(X, Y)
            contenders = {
                "mlp": lambda params=params, X=X, Y=Y: mlp_pass(params, X, Y),
                "matmuls": make_matmuls(params, X, Y),
                "lean": make_lean(params, X, Y),
                "autograd": lambda params=params, f=autograd_pass: f(tuple(params)),
            }
            errors = [check_agreement("lean", reference, contenders["lean"](), dtype)]
            errors.append(check_agreement("autograd", reference, contenders["autograd"](), dtype))
            if torch is not None:
                contenders["torch"] = make_torch(torch, params, X, labels)
                errors.append(check_agreement("torch", reference, contenders["torch"](), dtype))
            agreement.append(max(errors))

            t = median_times(contenders, repeats, sample_seconds, clock)
            t_mlp, t_mm, t_lean, t_ag, t_torch = t["mlp"], t["matmuls"], t["lean"], t["autograd"], t.get("torch")

            batched, line_counts = is_batched(N, N1, K, B, dtype)
            targets = {
                "batched": batched,
                "<=torch": None if config != TORCH_PARITY_AT or t_torch is None else t_mlp <= t_torch,
                ">=2.5x torch": None
                if config != TORCH_SPEEDUP_AT or t_torch is None
                else t_torch / t_mlp >= TORCH_SPEEDUP,
                "<=bound x matmuls": None if config not in MATMUL_BOUNDS else t_mlp / t_mm <= MATMUL_BOUNDS[config],
            }
            misses += [f"{name} at {config} {dname}" for name, ok in targets.items() if ok is False]
            if not batched:
                misses.append(f"(Python lines run for 1, 2 and {B} examples: {line_counts})")
            print(
                f"{B:>4} {N:>4} {N1:>4} {K:>3} {dname:>7} | {micro(t_mlp):>9} {micro(t_mm):>10} {micro(t_lean):>8} "
                f"{micro(t_ag):>11} {micro(t_torch):>9} | {ratio(t_mlp, t_mm):>11} {ratio(t_lean, t_mm):>12} "
                f"{ratio(t_mlp, t_lean):>8} {ratio(t_ag, t_mlp):>12} {ratio(t_torch, t_mlp):>9} | "
                f"{verdict(targets['batched']):>7} {verdict(targets['<=torch']):>7} "
                f"{verdict(targets['>=2.5x torch']):>12} {verdict(targets['<=bound x matmuls']):>17}",
                flush=True,
            )

    print()
    who = "lean, autograd and torch agree" if torch is not None else "lean and autograd agree"
    print(f"gradients: {who} with mlp to a relative {max(agreement):.1e} (largest over all rows)")
    print("targets:")
    print("  batched          mlp's pass runs the same number of Python lines for 1, 2 and B examples")
    print(f"  <=torch          at {TORCH_PARITY_AT}: mlp no slower than torch's autograd")
    print(f"  >=2.5x torch     at {TORCH_SPEEDUP_AT}: mlp at least {TORCH_SPEEDUP}x faster than torch")
    bounds = ", ".join(f"{bound}x at {config}" for config, bound in MATMUL_BOUNDS.items())
    print(f"  <=bound x matmuls  mlp within {bounds} of its five matrix products alone")
    print("  (lean/matmuls is what the same equations cost written plainly in numpy with nothing else:")
    print("  a bound below it is out of reach of a plain numpy pass, checked or not)")
    if torch is None:
        print("torch is not installed: the torch column and the torch targets were skipped.")
    print("all targets met" if not misses else "targets missed: " + "; ".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
