"""Grading a reader's numbers with follow-through (mlp/compare.py), on the shared file of cases.

tests/your_numbers_cases.json (written by tools/your_numbers_cases.py) holds networks, mlp's values for each, and
simulated students with their verdicts. mlp is held to it here; the page's script is held to the same file by
tests/js/your_numbers.test.mjs, which the last test runs under Node. Also: the interval operations hold every value
their step takes over the intervals, the table of the pass is the one everything reads, and the CLI's verdicts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mlp import compare, intervals, pass_table
from mlp.errors import InputError
from mlp.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests" / "your_numbers_cases.json").read_text(encoding="utf-8"))
RTOL, ATOL = 1e-12, 1e-300


def arrays(layout: dict) -> dict[str, np.ndarray]:
    return {f"{s}.{n}": np.asarray(v, dtype=np.float64) for s, d in layout.items() for n, v in d.items()}


def test_the_file_holds_todays_table_and_enough_cases():
    assert CASES["config"] == pass_table.config(), "the table changed: run tools/your_numbers_cases.py"
    kinds = [c["kind"] for c in CASES["cases"]]
    assert kinds.count("random") >= 200
    names = " ".join(c["name"] for c in CASES["cases"])
    for extreme in ("tied logits", "saturated, gap 800", "ReLU pre-activation at 0", "sigmoid saturated"):
        assert extreme in names
    tied = next(c for c in CASES["cases"] if c["name"] == "tied logits, target elsewhere")
    assert tied["values"]["backward.delta2"][0] > 0 and tied["values"]["backward.delta2"][0] < 1e-17


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["name"])
def test_mlp_gives_the_file_s_values(case):
    got = compare.quantities(parse_spec(case["spec"]))
    assert set(got) == set(case["values"])
    for key, want in case["values"].items():
        b = np.array([np.nan if v is None else v for v in np.ravel(want)] if np.ndim(want) else want, dtype=float)
        b = np.where(np.isnan(b), -np.inf, b).reshape(np.shape(got[key]))  # null: -inf (grad_y_hat underflowed)
        a = got[key]
        same = a == b
        with np.errstate(invalid="ignore"):  # -inf - -inf where both are -inf: same, and not compared
            err = np.abs(np.where(same, 0.0, a - b))
        assert np.all(same | (err <= RTOL * np.abs(b)) | (err <= ATOL)), f"{key}: mlp {a}, the file {b}"


STUDENTS = [(c, s) for c in CASES["cases"] for s in c["students"]]


def test_the_simulated_students_are_graded_as_the_issue_asks():
    """Careful, whether giving every quantity or some: nothing wrong. One slip: that step, and only it, is wrong. A
    transpose: that step is wrong and said to be transposed, unless the matrix is its own transpose at 4 decimals."""
    counts = {"careful": 0, "careful, other routes": 0, "partial": 0, "slip": 0, "transpose": 0}
    for case, s in STUDENTS:
        wrong = [k for k, v in s["verdicts"].items() if v == "wrong"]
        counts[s["kind"]] += 1
        if s["kind"] in ("careful", "careful, other routes", "partial"):
            assert wrong == [], case["name"]
        elif s["kind"] == "slip":
            assert wrong == [s["slip"]] and s["first_wrong"] == s["slip"], case["name"]
        else:
            m = np.asarray(arrays(s["mine"])[s["transpose"]])
            if np.array_equal(compare.shown(m), compare.shown(m.T)):
                assert wrong == [], case["name"]
            else:
                assert wrong == [s["transpose"]] and s["transpose"] in s["transposed"], case["name"]
    assert all(n >= 200 for n in counts.values()), counts
    every_slip = {s["slip"] for _, s in STUDENTS if s["kind"] == "slip"}
    assert every_slip == {q.key for q in pass_table.PASS}, "a slip in every quantity of the pass"
    verdicts = {v for _, s in STUDENTS for v in s["verdicts"].values()}
    assert verdicts == set(compare.VERDICTS)


@pytest.mark.parametrize(("case", "student"), STUDENTS, ids=[f"{c['name']}-{s['kind']}" for c, s in STUDENTS])
def test_mlp_gives_the_file_s_verdicts(case, student):
    verdicts = compare.grade(compare.mine_arrays(student["mine"]), parse_spec(case["spec"]))
    result = compare.verdicts_jsonable(verdicts)
    assert result["verdicts"] == student["verdicts"]
    assert result["first_wrong"] == student["first_wrong"]
    assert result["transposed"] == student["transposed"]


def test_the_careful_student_of_the_issue_gets_rounding_not_wrong():
    """Problem 2's loss from the rounded y_hat: 1/2 (0.6267^2 + 0.6267^2) = 0.39275, written 0.3928."""
    spec = parse_spec(json.loads(__import__("mlp").spec.problem2_text()))
    mine = {"forward.y_hat": np.array([0.6267, 0.3733]), "forward.loss": np.array(0.3928)}
    v = {x.key: x for x in compare.grade(mine, spec)}
    assert v["forward.y_hat"].verdict == "agrees"
    assert v["forward.loss"].verdict == "rounding" and "carry more digits" in compare.note(v["forward.loss"])
    mine["forward.loss"] = np.array(0.3940)  # beyond what the rounding of y_hat allows
    assert {x.key: x.verdict for x in compare.grade(mine, spec)}["forward.loss"] == "wrong"


@pytest.mark.parametrize("op", sorted(intervals.OPS))
def test_each_operation_holds_every_value_it_takes_over_its_intervals(op):
    """Points drawn inside the input intervals, the operation applied to them exactly (degenerate intervals):
    every result lies inside the interval the operation gives for the whole box."""
    rng = np.random.default_rng(abs(hash(op)) % 2**32)
    uses = {(r.op, r.inputs, a) for q in pass_table.PASS for r in q.routes for a in r.activations}
    spec = parse_spec(CASES["cases"][3]["spec"])
    base = {k: np.asarray(v, dtype=float) for k, v in compare.quantities(spec).items()}
    p = spec.params
    base |= {"x": spec.x, "y": spec.y, "W1": p.W1, "W1_0": p.W1_0, "W2": p.W2, "W2_0": p.W2_0, "lr": np.array(0.5)}
    checked = 0
    for name, inputs, act in sorted(uses):
        if name != op:
            continue
        for width in (1e-4, 0.3):
            box = [intervals.around(base[k], 0.0 if k in ("y", "x", "lr") else width) for k in inputs]
            lo, hi = intervals.OPS[op](*box, act)
            for _ in range(30):
                point = [intervals.exact(b[0] + rng.random(b[0].shape) * (b[1] - b[0])) for b in box]
                v = intervals.OPS[op](*point, act)[0]
                tol = 1e-12 * np.maximum(1, np.abs(v))
                assert np.all((v >= lo - tol) & (v <= hi + tol)), (op, act, inputs, width)
                checked += 1
    assert checked > 0


def test_everything_that_lists_the_quantities_reads_the_table():
    from mlp.one_step import explain
    from mlp.shapes import SHAPE_TABLE

    keys = [q.key for q in pass_table.PASS]
    spec = parse_spec(CASES["cases"][0]["spec"])
    assert [f"{s}.{n}" for s, d in explain(spec).items() for n in d] == keys
    givens = [g.key for g in pass_table.GIVEN if g.shape]
    assert [r.code for r in SHAPE_TABLE] == givens + [
        q.name for q in pass_table.PASS if q.section in ("forward", "backward")
    ]
    sources = [ROOT / "mlp" / name for name in ("one_step.py", "report.py", "compare.py", "shapes.py")]
    sources.append(ROOT / "_static" / "your_numbers.js")
    sources.append(ROOT / "chapters" / "your_numbers.md")
    for path in sources:  # no other file spells out the keys of the pass
        text = path.read_text(encoding="utf-8")
        listed = [k for k in keys if f'"{k}"' in text or f"'{k}'" in text]
        assert len(listed) <= 2, f"{path.name} lists {listed}"


def test_a_matrix_of_another_shape_is_refused_by_name():
    spec = parse_spec(CASES["cases"][0]["spec"])
    N = len(spec.x)
    with pytest.raises(InputError, match=r"backward\.grad_W1 has shape"):
        compare.grade({"backward.grad_W1": np.zeros((N + 1, N + 7))}, spec)


def test_the_page_s_script_passes_the_same_cases():
    node = shutil.which("node")
    assert node, "node is not installed: .ci/run and `make test` install it"
    proc = subprocess.run(
        [node, "--test", str(ROOT / "tests" / "js" / "your_numbers.test.mjs")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout and "# pass 0" not in proc.stdout, proc.stdout[-2000:]


def test_a_delta2_that_no_route_bounds_is_not_waved_through():
    """A saturated cross-entropy network: y_hat rounds to [1.0000, 0.0000], so -y / y_hat, had the reader computed
    it, could be anything. The reader leaves grad_y_hat and J out, as they must; delta2 is still held to the routes
    that their numbers bound (y_hat * sum(y) - y), not waved through as rounding."""
    case = next(c for c in CASES["cases"] if c["name"] == "saturated, gap 40, cross_entropy, target 2")
    spec = parse_spec(case["spec"])
    mine = {k: compare.shown(v) for k, v in compare.quantities(spec).items()}
    del mine["backward.grad_y_hat"], mine["backward.softmax_jacobian"]
    verdicts = {v.key: v for v in compare.grade(mine, spec)}
    assert verdicts["backward.delta2"].verdict == "agrees"
    mine["backward.delta2"] = np.array([7.0, -3.0])
    verdicts = {v.key: v for v in compare.grade(mine, spec)}
    assert verdicts["backward.delta2"].verdict == "wrong"


def test_a_network_with_more_than_10_outputs_is_graded_without_j():
    """J is computed only for K <= 10: beyond, no route goes through it, and nothing fails."""
    K = 11
    raw = {"x": [1.0], "y": [1.0] + [0.0] * (K - 1), "W1": [[1.0]], "W1_0": [0.0], "W2": [[0.1 * k for k in range(K)]],
           "W2_0": [0.0] * K, "activation": "tanh", "loss": "cross_entropy", "lr": 0.5}  # fmt: skip
    spec = parse_spec(raw)
    computed = compare.quantities(spec)
    assert "backward.softmax_jacobian" not in computed
    mine = {k: compare.shown(v) for k, v in computed.items() if k != "backward.grad_y_hat"}
    verdicts = compare.grade(mine, spec)
    assert compare.first_wrong(verdicts) is None and len(verdicts) == len(pass_table.PASS) - 1


def test_numbers_from_1e15_on_are_graded_to_the_digits_the_book_shows():
    """fmt writes 1.2346e+15 from 1e15 on: a reader who copies it agrees (half a unit of the mantissa's 4th
    decimal), and one off in the 3rd decimal of the mantissa does not."""
    raw = {"x": [1.0], "y": [1.0, 0.0], "W1": [[1.23456789e15]], "W1_0": [0.0], "W2": [[0.0, 0.0]],
           "W2_0": [0.0, 0.0], "activation": "identity", "loss": "squared", "lr": 0.5}  # fmt: skip
    spec = parse_spec(raw)
    z1 = compare.quantities(spec)["forward.z1"]
    assert __import__("mlp").fmt(z1[0]) == "1.2346e+15"
    copied = {"forward.z1": np.array([float("1.2346e+15")])}
    assert compare.grade(copied, spec)[0].verdict == "agrees"
    assert compare.radius(z1)[0] == 0.5e11
    off = {"forward.z1": np.array([float("1.2366e+15")])}
    assert compare.grade(off, spec)[0].verdict == "wrong"
