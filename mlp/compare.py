"""Grade a reader's own numbers for one step, the way a good grader does: with follow-through.

Each quantity the reader gives (keyed as ``explain --json``) gets one verdict, in the order of the
pass (:data:`mlp.pass_table.PASS`):

- ``agrees``: mlp's number rounded to the book's 4 decimals (within half a unit of the 4th decimal of it);
- ``rounding``: not the same, but what a route of the table gives from the reader's own earlier
  numbers, which all agree or are rounding themselves, within the rounding those numbers carry;
- ``follows``: not the same, because an earlier number of the reader's is wrong (or follows from one),
  and what a route gives from the reader's numbers: right, given them;
- ``wrong``: what no route gives from the reader's own earlier numbers: the mistake is in this step;
- ``missing``: not given.

"Within the rounding" is propagated, not a fixed tolerance: each number the reader gives is taken
as anything within half a unit of its 4th decimal, and the route is applied to those intervals
(:mod:`mlp.intervals`); the reader's number, itself rounded, must lie within half a unit of the
result. An earlier quantity the reader did not give is taken as anything mlp's value, or a route from the
reader's numbers, gives, rounded the same way (and as wrong, if such a route starts from a wrong number). The
first ``wrong`` is the mistake. A matrix typed with the transposed shape, or (square) holding the
transpose of what the step gives, is ``wrong``, and said to be transposed.

``python -m mlp explain SPEC --compare MINE`` prints these verdicts, and the book's page "Check your
numbers" gives the same ones (tests/your_numbers_cases.json holds the two equal).
"""

from __future__ import annotations

import json
from typing import NamedTuple

import numpy as np

from mlp import intervals
from mlp.errors import InputError
from mlp.numbers import fmt
from mlp.one_step import explain
from mlp.pass_table import ORDER, PASS, QUANTITIES, Route
from mlp.spec import Spec, _refuse_booleans, load_json
from mlp.validate import as_float_array, check_finite

DECIMALS = 4
RADIUS = 0.5 * 10.0**-DECIMALS  # a number given to 4 decimals is within this of what it stands for
SCIENTIFIC = 1e15  # from here on fmt writes 4 decimals of the mantissa: 1.2346e+15
SLACK = 1e-12  # relative: the floating-point rounding of the bounds themselves
VERDICTS = ("agrees", "rounding", "follows", "wrong", "missing")


class Verdict(NamedTuple):
    key: str
    verdict: str  # one of VERDICTS
    entry: tuple[int, ...] | None = None  # the first entry that does not agree (wrong: that no route gives), from 1
    mine: float | None = None  # the reader's number there
    computed: float | None = None  # mlp's
    expected: float | None = None  # wrong: what the route gives there from the reader's numbers (its middle)
    route: Route | None = None  # the route that gives the reader's number; wrong: the first route of the step
    transposed: str = ""  # "shape": typed with the transposed shape; "values": holds the transpose (square)
    because: tuple[str, ...] = ()  # follows: the reader's earlier quantities that are wrong or follow
    tolerance: float = 0.0  # rounding: the largest distance from the route's value accepted (half its width + RADIUS)
    right: bool = False  # wrong, transposed shape: its numbers, transposed back, agree or fit a route


def quantities(spec: Spec) -> dict[str, np.ndarray]:
    """Every quantity of ``explain(spec)`` as {"section.name": array}."""
    return {
        f"{section}.{name}": np.asarray(v, dtype=np.float64)
        for section, d in explain(spec).items()
        for name, v in d.items()
    }


def shown(a) -> np.ndarray:
    """The numbers as the book shows them, read back: each rounded by fmt to 4 decimals."""
    a = np.asarray(a, dtype=np.float64)
    return np.array([float(fmt(v, DECIMALS)) for v in a.ravel()]).reshape(a.shape)


def radius(v) -> np.ndarray:
    """What a number written as the book writes it (fmt) may be off by: half a unit of its 4th decimal, or of the
    4th decimal of its mantissa from 1e15 on."""
    a = np.abs(np.asarray(v, dtype=np.float64))
    big = np.isfinite(a) & (a >= SCIENTIFIC)
    exponent = np.floor(np.log10(np.where(big, a, 1.0)))
    return np.where(big, 0.5 * 10.0 ** (exponent - DECIMALS), RADIUS)


def _fits(mine: np.ndarray, interval: intervals.Interval) -> np.ndarray:
    """Where the reader's number, itself rounded, could be the route's value: within its radius of the interval."""
    lo, hi = interval
    finite = [np.where(np.isfinite(b), np.abs(b), 0.0) for b in (lo, hi)]
    tol = radius(mine) + SLACK * np.maximum.reduce([np.ones_like(mine), np.abs(mine), *finite])
    with np.errstate(invalid="ignore"):
        return (mine >= lo - tol) & (mine <= hi + tol)


def _agrees(mine: np.ndarray, computed: np.ndarray) -> np.ndarray:
    """Where the reader's number is mlp's rounded to 4 decimals: within half a unit of the 4th decimal (either
    neighbour of a tie), with the slack that keeps a last-bit difference in mlp's value from deciding it."""
    finite = np.isfinite(computed) & np.isfinite(mine)
    c, m = np.where(finite, computed, 0.0), np.where(finite, mine, 0.0)
    close = np.abs(m - c) <= radius(c) + SLACK * np.maximum.reduce([np.ones_like(c), np.abs(c), np.abs(m)])
    return (finite & close) | (mine == computed)  # -inf agrees with -inf (a gradient beyond float64)


def _entry(mask: np.ndarray) -> tuple[int, ...] | None:
    """The first index (row-major) where mask is False, counted from 1; None if there is none."""
    bad = np.argwhere(~mask)
    return None if len(bad) == 0 else tuple(int(i) + 1 for i in bad[0])


def grade(mine: dict[str, np.ndarray], spec: Spec) -> list[Verdict]:
    """A verdict for every quantity mlp computes for this network, in the order of the pass.

    ``mine`` is {"section.name": array} (see :func:`mine_arrays`); an array may have the transposed shape.
    """
    computed = quantities(spec)
    for key in mine:
        if key not in computed:  # softmax_jacobian, K x K, is computed only for small K
            raise InputError(f"your numbers: mlp does not compute {key} for this network (K = {len(spec.y)})")
    p = spec.params
    given = {"x": spec.x, "y": spec.y, "W1": p.W1, "W1_0": p.W1_0, "W2": p.W2, "W2_0": p.W2_0, "lr": spec.lr}
    known = {k: intervals.exact(v) for k, v in given.items()}
    bad: set[str] = set()  # the reader's quantities that are wrong or follow from one that is
    verdicts = []
    for q in PASS:
        if q.key not in computed:
            continue
        c = computed[q.key]
        # the routes of this network (J is computed only for K <= 10: no route goes through it beyond)
        routes = [r for r in q.routes_for(spec.activation, spec.loss) if all(k in known for k in r.inputs)]
        results = [(r, intervals.OPS[r.op](*(known[k] for k in r.inputs), spec.activation)) for r in routes]
        if q.key not in mine:
            verdicts.append(Verdict(q.key, "missing"))
            # What the reader may have used without writing it down: mlp's value, or what a route gives from
            # the reader's numbers, rounded. Where no route does (the reader's numbers do not bound -y / y_hat
            # where y_hat is 0.0000), the reader cannot have had it: no route of a later step goes through it.
            # The quantity carries a mistake on, if a route it may come from has one.
            bounded = [iv for _, iv in results if np.all(np.isfinite(iv[0]) & np.isfinite(iv[1]))]
            if bounded:
                known[q.key] = _hull([_rounded(c), *(_widened(iv) for iv in bounded)])
            if any(bad.intersection(r.inputs) for r in routes):
                bad.add(q.key)
            continue
        m, transposed = mine[q.key], ""
        if m.shape != c.shape:
            if m.ndim == 2 and m.T.shape == c.shape:
                m, transposed = m.T, "shape"
            else:
                raise InputError(f"your numbers: {q.key} has shape {m.shape}; mlp's {q.key} has shape {c.shape}")
        fitting = [(r, iv) for r, iv in results if _fits(m, iv).all()]
        agree = _agrees(m, c)
        entry = _entry(agree)
        at = None if entry is None else tuple(i - 1 for i in entry)
        common = {"entry": entry, "mine": None if at is None else float(m[at]),
                  "computed": None if at is None else float(c[at]), "transposed": transposed}  # fmt: skip
        clean = [(r, iv) for r, iv in fitting if not bad.intersection(r.inputs)]
        if transposed or (not fitting and entry is not None):
            r, iv = results[0]
            fit = _fits(m, iv)
            where = _entry(fit) or entry or (1,) * m.ndim
            at = tuple(i - 1 for i in where)
            middle = float((iv[0][at] + iv[1][at]) / 2) if np.isfinite(iv[0][at]) and np.isfinite(iv[1][at]) else None
            if not transposed and m.ndim == 2 and m.shape[0] == m.shape[1]:
                if _agrees(m.T, c).all() or any(_fits(m.T, iv).all() for _, iv in results):
                    transposed = "values"
            right = transposed == "shape" and (entry is None or bool(fitting))
            verdicts.append(
                Verdict(q.key, "wrong", where, float(m[at]), float(c[at]), middle, r, transposed, right=right)
            )
            bad.add(q.key)
        elif entry is None:
            verdicts.append(Verdict(q.key, "agrees"))
        elif clean:
            # the tightest route that gives it: its half width and the reader's own rounding (inf: unbounded)
            tol, r = min((float(np.max((iv[1] - iv[0]) / 2 + radius(m))), i) for i, (_, iv) in enumerate(clean))
            verdicts.append(Verdict(q.key, "rounding", route=clean[r][0], tolerance=tol, **common))
        else:
            r, _ = fitting[0]
            because = tuple(k for k in r.inputs if k in bad)
            verdicts.append(Verdict(q.key, "follows", route=r, because=because, **common))
            bad.add(q.key)
        known[q.key] = _rounded(m)
        if transposed == "values":  # the steps after it may have taken it either way round
            known[q.key] = _hull([known[q.key], _rounded(m.T)])
    return verdicts


def _hull(parts: list[intervals.Interval]) -> intervals.Interval:
    return np.minimum.reduce([lo for lo, _ in parts]), np.maximum.reduce([hi for _, hi in parts])


def _widened(iv: intervals.Interval) -> intervals.Interval:
    return iv[0] - radius(iv[0]), iv[1] + radius(iv[1])


def _rounded(v: np.ndarray) -> intervals.Interval:
    """What a number written to 4 decimals may stand for: within its radius; an infinite one, anything."""
    r = radius(v)
    finite = np.isfinite(v)
    with np.errstate(invalid="ignore"):
        return np.where(finite, v - r, -np.inf), np.where(finite, v + r, np.inf)


def first_wrong(verdicts: list[Verdict]) -> Verdict | None:
    return next((v for v in verdicts if v.verdict == "wrong"), None)


def mine_arrays(mine) -> dict[str, np.ndarray]:
    """{"section": {"name": value}} (the layout of ``explain --json``, any subset) as {"section.name": array}."""
    if not isinstance(mine, dict) or not mine:
        raise InputError('your numbers must be a JSON object such as {"forward": {"z1": [4, 0]}}')
    out = {}
    for section, names in mine.items():
        if not isinstance(names, dict):
            raise InputError(f"your numbers: {section!r} must be an object of quantities, as in explain --json")
        for name, value in names.items():
            key = f"{section}.{name}"
            if key not in ORDER:
                raise InputError(f"your numbers: unknown quantity {key!r}: the keys are those of explain --json")
            _refuse_booleans(f"your numbers: {key}", value)
            a = as_float_array(f"your numbers: {key}", _nulls_as_minus_inf(value))
            # -inf is what explain --json writes as null (grad_y_hat where y_hat underflowed): its own output reads
            check_finite(f"your numbers: {key}", np.where(a == -np.inf, 0.0, a))
            out[key] = a.astype(np.float64, copy=False)
    if not out:
        raise InputError('your numbers hold no quantity: give at least one, e.g. {"forward": {"z1": [4, 0]}}')
    return out


def _nulls_as_minus_inf(value):
    if value is None:
        return -np.inf
    if isinstance(value, list):
        return [_nulls_as_minus_inf(v) for v in value]
    return value


def note(v: Verdict, activation: str = "f") -> str:
    """What the verdict means for this quantity, in a sentence or two."""
    plain = "" if v.route is None else v.route.plain.replace("{f}", activation)
    where = f" at entry {list(v.entry)}" if v.entry and len(v.entry) else ""
    if v.verdict == "agrees":
        return f"agrees to the {DECIMALS} decimals shown"
    if v.verdict == "missing":
        return "not given"
    if v.verdict == "wrong":
        if v.transposed == "shape":
            return "wrong: typed with the transposed shape" + (
                " (its numbers are right: write it in the step's shape)" if v.right else ""
            )
        text = f"wrong{where}: yours {fmt(v.mine)}"
        if v.expected is not None:
            text += f"; from your numbers, {plain} gives {fmt(v.expected)}"
        text += f" (mlp's {fmt(v.computed)})"
        if v.transposed == "values":
            text += "; yours is the transpose of what the step gives"
        return text
    if v.verdict == "rounding":
        return (
            f"rounding{where}: yours {fmt(v.mine)}, mlp's {fmt(v.computed)}; it is what {plain} gives from "
            f"your numbers, within their rounding ({_within(v.tolerance)}): carry more digits to agree"
        )
    return f"follows{where} from your {', '.join(v.because)}: {plain} gives it from your numbers"


def _within(tolerance: float) -> str:
    if np.isfinite(tolerance):
        return f"up to {tolerance:.1g}"
    return "your numbers carry too few digits to bound it"


def format_comparison(verdicts: list[Verdict], spec: Spec) -> str:
    """One line per quantity given, a count of the verdicts, then the mistake: the first wrong step."""
    given = [v for v in verdicts if v.verdict != "missing"]
    width = max(len(v.key) for v in given)
    label = max(len(QUANTITIES[v.key].label) for v in given)
    lines = [f"{v.key:<{width}}  {QUANTITIES[v.key].label:<{label}}  {note(v, spec.activation)}" for v in given]
    counts = {name: sum(v.verdict == name for v in verdicts) for name in VERDICTS}
    lines.append("Verdicts: " + ", ".join(f"{n} {name}" for name, n in counts.items() if n) + ".")
    first = first_wrong(verdicts)
    if first is None:
        lines.append(f"No step is wrong: each number agrees to the {DECIMALS} decimals shown, or follows from yours.")
    else:
        q = QUANTITIES[first.key]
        routes = "; or ".join(
            f"{r.plain.replace('{f}', spec.activation)} from {', '.join(r.inputs)}"
            for r in q.routes_for(spec.activation, spec.loss)
        )
        lines.append(f"The mistake, the first wrong step in the order of the pass: {first.key}, computed as {routes}.")
    return "\n".join(lines)


def verdicts_jsonable(verdicts: list[Verdict], activation: str = "f") -> dict:
    first = first_wrong(verdicts)
    return {
        "verdicts": {v.key: v.verdict for v in verdicts},
        "first_wrong": None if first is None else first.key,
        "transposed": {v.key: v.transposed for v in verdicts if v.transposed},
        "notes": {v.key: note(v, activation) for v in verdicts if v.verdict != "missing"},
        "decimals": DECIMALS,
    }


def load_mine(text: str):
    """Your numbers as decoded JSON, read as a spec is (mlp.spec.load_json): a key given twice, malformed
    JSON or a number of more than 4300 digits raises InputError."""
    return load_json(text, "your numbers")


def report(spec: Spec, mine_text: str, as_json: bool = False) -> tuple[str, int]:
    """What ``explain SPEC --compare MINE`` prints, and its exit code: 0 if no step is wrong, 1 if one is.
    Bad numbers raise InputError, which the CLI reports."""
    verdicts = grade(mine_arrays(load_mine(mine_text)), spec)
    text = (
        json.dumps(verdicts_jsonable(verdicts, spec.activation), indent=2)
        if as_json
        else format_comparison(verdicts, spec)
    )
    return text, 0 if first_wrong(verdicts) is None else 1
