"""Write tests/your_numbers_cases.json: the one file of cases that mlp and the page's script are both held to.

    .venv/bin/python tools/your_numbers_cases.py          # write it
    .venv/bin/python tools/your_numbers_cases.py --check  # exit 1 if the file's table is not mlp's today

Each case is a network (a spec) with every quantity mlp computes for it, and, for most, simulated students with
the verdicts mlp gives them:

- ``careful``: every step computed from the student's own earlier numbers, each rounded to the book's 4 decimals
  (the first route the book teaches for it, from the table of the pass);
- ``slip``: the same, but one entry of one quantity off by 0.1 (1 + |its value|) (10 or 100 times that where the
  rounding of the student's numbers allows as much: ``size``), and everything after it computed from that; the
  slips go through every quantity in turn;
- ``careful, other routes``: the same, by the last route the table lists for each step (delta2 = J^T grad_y_hat,
  f'(z1) from H, the cross-entropy from the logits);
- ``partial``: careful, but only two quantities in three given (the others: ``missing``);
- ``transpose``: careful, but one matrix typed transposed (its transposed shape, or its transpose where it is
  square).

The random networks (sizes 1 to 4, every activation and loss) are kept only where every value stays the same to
1e-13 when the sums are taken in other orders (the units permuted; tests/reference.py), so that no value hangs on
the order of a sum: mlp (BLAS) and the page (a loop) are then held equal to 1e-12. The extreme cases (tied and
saturated logits, pre-activations on ReLU's kink, probabilities that underflow) are mlp's own values, which
tests/test_extremes.py holds to mpmath. tests/test_grading.py and tests/js/your_numbers.test.mjs run the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import reference  # noqa: E402

from mlp import compare, intervals, pass_table  # noqa: E402
from mlp.numbers import to_jsonable  # noqa: E402
from mlp.spec import parse_spec  # noqa: E402

OUT = ROOT / "tests" / "your_numbers_cases.json"
N_RANDOM = 200
SEED = 2026
MATRICES = ("backward.grad_W2", "backward.grad_W1", "updated.W1", "updated.W2")


def random_spec(rng: np.random.Generator, i: int) -> dict:
    """Sizes 1 to 4; activations and losses in turn; entries with 2 decimals, as a homework gives them."""
    N, N1, K = (int(n) for n in rng.integers(1, 5, size=3))
    activation = pass_table.ACTIVATIONS[i % 4]
    loss = pass_table.LOSSES[(i // 4) % 2]

    def q(shape):
        return np.round(rng.uniform(-2, 2, size=shape), 2)

    y = np.zeros(K)
    y[int(rng.integers(K))] = 1.0
    if i % 10 == 9 and K > 1:  # now and then a soft target
        y = np.round(rng.dirichlet(np.ones(K)), 2)
        y[-1] = round(1 - y[:-1].sum(), 2)
    spec = {"x": q(N), "y": y, "W1": q((N, N1)), "W1_0": q(N1), "W2": q((N1, K)), "W2_0": q(K)}
    lr = float(np.round(rng.uniform(0.05, 2.0), 2))
    return {**{k: v.tolist() for k, v in spec.items()}, "activation": activation, "loss": loss, "lr": lr}


def extreme_specs() -> list[tuple[str, dict]]:
    base = {"x": [1.0, 0.0], "W1": [[3.0, 6.0], [4.0, 5.0]], "W1_0": [1.0, -6.0], "lr": 0.5}
    three = {"W2": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]}
    out = [
        # the case: tied leading logits, the target elsewhere (delta2 [1.59e-18, 1.59e-18, -3.19e-18])
        ("tied logits, target elsewhere", {**base, **three, "W2_0": [20.0, 20.0, -20.0], "y": [0.0, 0.0, 1.0],
                                           "activation": "sigmoid", "loss": "squared"}),
        ("tied logits, cross-entropy", {**base, **three, "W2_0": [20.0, 20.0, -20.0], "y": [0.0, 0.0, 1.0],
                                        "activation": "sigmoid", "loss": "cross_entropy"}),
        ("all logits tied", {**base, **three, "W2_0": [3.0, 3.0, 3.0], "y": [0.0, 1.0, 0.0],
                             "activation": "tanh", "loss": "squared"}),
    ]  # fmt: skip
    for gap in (40.0, 700.0, 800.0):
        for loss in pass_table.LOSSES:
            for hot in (0, 1):
                y = [0.0, 0.0]
                y[hot] = 1.0
                out.append((f"saturated, gap {gap:g}, {loss}, target {hot + 1}",
                            {**base, "W2": [[0.0, 0.0], [0.0, 0.0]], "W2_0": [gap / 2, -gap / 2], "y": y,
                             "activation": "sigmoid", "loss": loss}))  # fmt: skip
    second = {"W2": [[2.0, 3.0], [4.0, 3.0]], "W2_0": [-1.0, -2.0], "y": [0.0, 1.0]}
    for shift in (0.0, 1e-300, -1e-300, 2.0**-40):
        out.append((f"ReLU pre-activation at 0 {'+' if shift >= 0 else '-'} {abs(shift):g}",
                    {**base, **second, "W1_0": [1.0, -3.0 + shift], "W1": [[3.0, 3.0], [4.0, 5.0]],
                     "activation": "relu", "loss": "cross_entropy"}))  # fmt: skip
    out.append(("sigmoid saturated in the hidden layer",
                {**base, **second, "W1_0": [40.0, -40.0], "activation": "sigmoid", "loss": "squared"}))  # fmt: skip
    return out


def values(spec) -> dict:
    return {k: to_jsonable(v) for k, v in compare.quantities(spec).items()}


def order_independent(spec, rng: np.random.Generator) -> bool:
    """Every value the same to 1e-13 when the inputs, hidden units and classes are taken in another order (which
    changes only the order in which each sum is taken), three times over; and to the reference's (tests/reference.py,
    plain numpy), another computation of the same step."""
    base = compare.quantities(spec)
    p = spec.params
    ref = reference.one_step(p, spec.x, spec.y, spec.activation, spec.loss, spec.lr)
    others = [{f"{s}.{n}": np.asarray(v, dtype=np.float64) for s, d in ref.items() for n, v in d.items()}]
    for _ in range(3):
        order = {d: rng.permutation(n) for d, n in (("N", len(spec.x)), ("N1", len(p.W1_0)), ("K", len(spec.y)))}
        raw = {
            "x": spec.x[order["N"]], "y": spec.y[order["K"]], "W1": p.W1[np.ix_(order["N"], order["N1"])],
            "W1_0": p.W1_0[order["N1"]], "W2": p.W2[np.ix_(order["N1"], order["K"])], "W2_0": p.W2_0[order["K"]],
        }  # fmt: skip
        rest = {"activation": spec.activation, "loss": spec.loss, "lr": spec.lr}
        turned = compare.quantities(parse_spec({**{k: v.tolist() for k, v in raw.items()}, **rest}))
        back = {}
        for q in pass_table.PASS:
            v = turned[q.key]
            for axis, d in enumerate(q.shape):
                v = np.take(v, np.argsort(order[d]), axis=axis)
            back[q.key] = v
        others.append(back)
    for other in others:
        for key, a in base.items():
            b = other.get(key)
            if b is None:
                continue
            if not np.all(np.isfinite(a)) or not np.allclose(a, b, rtol=1e-13, atol=0.0):
                return False
    return True


def simulate(
    spec,
    rng: np.random.Generator,
    slip: str | None = None,
    transpose: str | None = None,
    last: bool = False,
    size: float = 1.0,
) -> dict:
    """A student's numbers: each step by its first route (``last``: its last) from the student's own numbers,
    rounded to 4 decimals. A step the student cannot compute from them (-y / y_hat where y_hat is 0.0000) is left
    out, as a student would leave it."""
    computed = compare.quantities(spec)
    p = spec.params
    own = {"x": spec.x, "y": spec.y, "W1": p.W1, "W1_0": p.W1_0, "W2": p.W2, "W2_0": p.W2_0, "lr": spec.lr}
    mine = {}
    for q in pass_table.PASS:
        if q.key not in computed:
            continue
        routes = [r for r in q.routes_for(spec.activation, spec.loss) if all(k in own for k in r.inputs)]
        route = routes[-1 if last else 0]
        lo, hi = intervals.OPS[route.op](*(intervals.exact(own[k]) for k in route.inputs), spec.activation)
        with np.errstate(invalid="ignore"):
            v = compare.shown((lo + hi) / 2)  # lo = hi: the step itself, from the student's numbers
        if not np.all(np.isfinite(v)):
            continue
        if q.key == slip:
            at = tuple(int(rng.integers(0, n)) for n in v.shape)
            v[at] = round(float(v[at]) + size * 0.1 * (1 + abs(float(v[at]))), 4)
        own[q.key] = v
        mine[q.key] = v.T if q.key == transpose else v
    return mine


def layout(mine: dict) -> dict:
    """{"section.name": array} as explain --json lays it out: {"section": {"name": value}}."""
    out: dict = {}
    for key, v in mine.items():
        section, name = key.split(".", 1)
        out.setdefault(section, {})[name] = np.asarray(v).tolist()
    return out


def graded(spec, kind: str, mine: dict, **about) -> dict:
    verdicts = compare.grade(mine, spec)
    result = compare.verdicts_jsonable(verdicts)
    out = {"kind": kind, **about, "mine": layout(mine), "verdicts": result["verdicts"],
            "first_wrong": result["first_wrong"], "transposed": result["transposed"],
            "tolerance": max(v.tolerance for v in verdicts)}  # fmt: skip
    if not np.isfinite(out["tolerance"]):
        out["tolerance"] = None  # the student's numbers do not bound some step (JSON has no infinity)
    return out


def students(spec, rng: np.random.Generator, i: int) -> list[dict]:
    out = []
    careful = simulate(spec, rng)
    out.append(graded(spec, "careful", careful))
    out.append(graded(spec, "careful, other routes", simulate(spec, rng, last=True)))
    keys = list(careful)
    slip = keys[i % len(keys)]
    # A slip of 0.1 (1 + |value|) can lie within what the rounding of the student's earlier numbers allows
    # (delta2 through J^T grad_y_hat where y_hat is 0.0003 tolerates about 0.3): then no grader could tell it
    # from rounding, and the slip is made 10 or 100 times as large.
    for size in (1.0, 10.0, 100.0):
        student = graded(spec, "slip", simulate(spec, rng, slip=slip, size=size), slip=slip, size=size)
        if student["verdicts"][slip] == "wrong":
            break
    out.append(student)
    shape = {k: np.shape(careful[k]) for k in MATRICES}
    candidates = [k for k in MATRICES if shape[k] != (1, 1)]
    # a reader who checks only some of the pass: every third quantity left out
    partial = {k: v for j, (k, v) in enumerate(careful.items()) if j % 3 != 1}
    out.append(graded(spec, "partial", partial))
    if candidates:
        key = candidates[i % len(candidates)]
        out.append(graded(spec, "transpose", simulate(spec, rng, transpose=key), transpose=key))
    return out


def build() -> dict:
    rng = np.random.default_rng(SEED)
    cases = []
    i = 0
    while sum(c["kind"] == "random" for c in cases) < N_RANDOM:
        raw = random_spec(rng, i)
        spec = parse_spec(raw)
        i += 1
        if not order_independent(spec, rng):
            continue
        cases.append({"kind": "random", "name": f"random {i - 1}", "spec": raw, "values": values(spec),
                      "students": students(spec, rng, len(cases))})  # fmt: skip
    for name, raw in extreme_specs():
        spec = parse_spec(raw)
        cases.append({"kind": "extreme", "name": name, "spec": raw, "values": values(spec),
                      "students": students(spec, rng, len(cases))})  # fmt: skip
    return {
        "about": "Written by tools/your_numbers_cases.py; run by tests/test_grading.py (mlp) and "
        "tests/js/your_numbers.test.mjs (the page's script). Values: mlp's, to 1e-12 relative (1e-300 absolute).",
        "decimals": compare.DECIMALS,
        "radius": compare.RADIUS,
        "config": pass_table.config(),
        "cases": cases,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the file's table is mlp's")
    args = parser.parse_args()
    if args.check:
        stored = json.loads(OUT.read_text(encoding="utf-8"))
        if stored["config"] != pass_table.config():
            print(f"{OUT.relative_to(ROOT)} holds another table of the pass: run tools/your_numbers_cases.py")
            return 1
        return 0
    OUT.write_text(json.dumps(build(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
