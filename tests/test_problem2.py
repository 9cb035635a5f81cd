"""Problem 2 of the source, number by number.

Two references, asked the same questions as mlp:

* GOLDEN: every number the source prints in eqs 14-34, typed in from the source as printed
  (strings, so the printed precision is kept). mlp must agree at that precision.
* by_hand(): the same step in plain float64 scalar arithmetic (math.exp and loops, no numpy,
  no mlp). mlp must agree with it to 1e-12.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from problem2_source import (
    GOLDEN,
    SOURCE_LR,
    SOURCE_W1,
    SOURCE_W1_0,
    SOURCE_W2,
    SOURCE_W2_0,
    SOURCE_X,
    SOURCE_Y,
    printed_tolerance,
)

from mlp import backward, explain, forward, loss_value, problem2, sgd_step

GOLDEN_IDS = [f"eq{eq}-{key}" for eq, _, key, _ in GOLDEN]

# The keys `python -m mlp example --json` documents (more may exist).
DOCUMENTED_KEYS = {
    "forward": {"z1", "H", "z2", "y_hat", "loss"},
    "backward": {"grad_y_hat", "delta2", "grad_W2", "grad_W2_0", "grad_H", "delta1", "grad_W1", "grad_W1_0"},
    "updated": {"W1", "W1_0", "W2", "W2_0"},
    "after_both_layers": {"H", "y_hat", "loss"},
    "after_second_layer_only": {"y_hat", "loss"},
}

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def flat(value) -> list:
    """Nested lists (or a scalar) flattened row by row."""
    if isinstance(value, list):
        return [v for item in value for v in flat(item)]
    return [value]


def shape_of(value) -> tuple:
    return np.shape(np.array(value, dtype=object))


# ---------------------------------------------------------------------------------------------
# The independent computation: scalar float64 arithmetic, written out, for any small network.
# Deliberately not tests/reference.py's numpy network: a second, different method (Python floats,
# math.exp and loops, no numpy), so that the source's numbers are checked by two independent computations.


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _forward_by_hand(W1, W1_0, W2, W2_0, x):
    N, N1, K = len(W1), len(W1_0), len(W2_0)
    z1 = [sum(W1[i][j] * x[i] for i in range(N)) + W1_0[j] for j in range(N1)]  # W1^T x + W1_0
    H = [_sigmoid(z) for z in z1]
    z2 = [sum(W2[j][k] * H[j] for j in range(N1)) + W2_0[k] for k in range(K)]  # W2^T H + W2_0
    m = max(z2)
    e = [math.exp(z - m) for z in z2]
    y_hat = [v / sum(e) for v in e]
    return z1, H, z2, y_hat


def _squared_loss_by_hand(y, y_hat) -> float:
    return 0.5 * sum((a - b) ** 2 for a, b in zip(y, y_hat, strict=True))


def by_hand() -> dict:
    """Problem 2's whole step, in the layout of explain(): vectors as lists, matrices row by row."""
    x, y, W1, W1_0, W2, W2_0, lr = SOURCE_X, SOURCE_Y, SOURCE_W1, SOURCE_W1_0, SOURCE_W2, SOURCE_W2_0, SOURCE_LR
    N, N1, K = len(x), len(W1_0), len(y)
    z1, H, z2, y_hat = _forward_by_hand(W1, W1_0, W2, W2_0, x)
    loss = _squared_loss_by_hand(y, y_hat)

    grad_y_hat = [y_hat[k] - y[k] for k in range(K)]  # d(1/2 ||y - y_hat||^2) / d y_hat
    # d y_hat[k] / d z2[i] = y_hat[k] (1[k = i] - y_hat[i]);  delta2[i] = sum_k (that) grad_y_hat[k]
    delta2 = [sum(y_hat[k] * ((k == i) - y_hat[i]) * grad_y_hat[k] for k in range(K)) for i in range(K)]
    grad_W2 = [[H[j] * delta2[k] for k in range(K)] for j in range(N1)]
    grad_W2_0 = list(delta2)
    grad_H = [sum(W2[j][k] * delta2[k] for k in range(K)) for j in range(N1)]
    delta1 = [grad_H[j] * H[j] * (1.0 - H[j]) for j in range(N1)]
    grad_W1 = [[x[i] * delta1[j] for j in range(N1)] for i in range(N)]
    grad_W1_0 = list(delta1)

    new_W1 = [[W1[i][j] - lr * grad_W1[i][j] for j in range(N1)] for i in range(N)]
    new_W1_0 = [W1_0[j] - lr * grad_W1_0[j] for j in range(N1)]
    new_W2 = [[W2[j][k] - lr * grad_W2[j][k] for k in range(K)] for j in range(N1)]
    new_W2_0 = [W2_0[k] - lr * grad_W2_0[k] for k in range(K)]

    _, H_both, _, y_hat_both = _forward_by_hand(new_W1, new_W1_0, new_W2, new_W2_0, x)
    _, _, _, y_hat_second = _forward_by_hand(W1, W1_0, new_W2, new_W2_0, x)
    return {
        "forward": {"z1": z1, "H": H, "z2": z2, "y_hat": y_hat, "loss": loss},
        "backward": {
            "grad_y_hat": grad_y_hat,
            "delta2": delta2,
            "grad_W2": grad_W2,
            "grad_W2_0": grad_W2_0,
            "grad_H": grad_H,
            "delta1": delta1,
            "grad_W1": grad_W1,
            "grad_W1_0": grad_W1_0,
        },
        "updated": {"W1": new_W1, "W1_0": new_W1_0, "W2": new_W2, "W2_0": new_W2_0},
        "after_both_layers": {"H": H_both, "y_hat": y_hat_both, "loss": _squared_loss_by_hand(y, y_hat_both)},
        "after_second_layer_only": {"y_hat": y_hat_second, "loss": _squared_loss_by_hand(y, y_hat_second)},
    }


HAND = by_hand()


# ---------------------------------------------------------------------------------------------
# The references agree with each other (guards against a typo in GOLDEN or a slip in by_hand).


@pytest.mark.parametrize(("eq", "section", "key", "printed"), GOLDEN, ids=GOLDEN_IDS)
def test_independent_computation_reproduces_the_source(eq, section, key, printed):
    hand = HAND[section][key]
    assert shape_of(hand) == shape_of(printed)
    for value, p in zip(flat(hand), flat(printed), strict=True):
        assert abs(value - float(p)) <= printed_tolerance(p), f"eq {eq}: {value} is not {p} as printed"


def test_source_prints_h_to_three_decimals_in_eq14_and_four_in_eq29():
    assert printed_tolerance("0.982") == pytest.approx(5e-4)
    assert printed_tolerance("0.9821") == pytest.approx(5e-5)
    # H[1] before the step rounds to 0.9820 at 4 decimals; the source's "0.982" is the same number shortened.
    assert f"{HAND['forward']['H'][0]:.4f}" == "0.9820"


# ---------------------------------------------------------------------------------------------
# mlp against both references.


def test_problem2_spec_holds_the_source_givens():
    spec = problem2()
    p = spec.params
    np.testing.assert_array_equal(spec.x, SOURCE_X)
    np.testing.assert_array_equal(spec.y, SOURCE_Y)
    np.testing.assert_array_equal(p.W1, SOURCE_W1)
    np.testing.assert_array_equal(p.W1_0, SOURCE_W1_0)
    np.testing.assert_array_equal(p.W2, SOURCE_W2)
    np.testing.assert_array_equal(p.W2_0, SOURCE_W2_0)
    assert spec.lr == SOURCE_LR
    assert (spec.activation, spec.loss) == ("sigmoid", "squared")
    assert all(a.dtype == np.float64 for a in (*p, spec.x, spec.y))


@pytest.fixture(scope="module")
def result():
    return explain(problem2())


@pytest.mark.parametrize(("eq", "section", "key", "printed"), GOLDEN, ids=GOLDEN_IDS)
def test_mlp_matches_the_source_at_its_printed_precision(result, eq, section, key, printed):
    got = np.asarray(result[section][key])
    assert got.shape == shape_of(printed), f"eq {eq}: {key} has shape {got.shape}"
    for value, p in zip(got.ravel(), flat(printed), strict=True):
        assert abs(value - float(p)) <= printed_tolerance(p), f"eq {eq}: mlp gives {value}, the source {p}"


@pytest.mark.parametrize(
    ("section", "key"), [(s, k) for s, keys in DOCUMENTED_KEYS.items() for k in sorted(keys)], ids=str
)
def test_mlp_matches_the_independent_computation(result, section, key):
    np.testing.assert_allclose(result[section][key], HAND[section][key], rtol=1e-12, atol=1e-12)


def test_library_functions_match_the_independent_computation():
    spec = problem2()
    p, x, y = spec.params, spec.x, spec.y
    fwd = forward(p, x, "sigmoid")
    for name in ("z1", "H", "z2", "y_hat"):
        np.testing.assert_allclose(getattr(fwd, name), HAND["forward"][name], rtol=1e-12, atol=1e-12)
    assert loss_value(y, fwd.y_hat, "squared") == pytest.approx(HAND["forward"]["loss"], rel=1e-12)
    g = backward(p, x, y, fwd, "sigmoid", "squared")
    for name in DOCUMENTED_KEYS["backward"]:
        np.testing.assert_allclose(getattr(g, name), HAND["backward"][name], rtol=1e-12, atol=1e-12)
    second = sgd_step(p, g, 0.5, layers=(2,))
    np.testing.assert_array_equal(second.W1, SOURCE_W1)  # Case 2: the first layer does not move
    np.testing.assert_array_equal(second.W1_0, SOURCE_W1_0)
    np.testing.assert_allclose(second.W2, HAND["updated"]["W2"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(second.W2_0, HAND["updated"]["W2_0"], rtol=1e-12, atol=1e-12)


def test_both_updates_lower_the_loss_and_case1_more(result):
    before = result["forward"]["loss"]
    both, second = result["after_both_layers"]["loss"], result["after_second_layer_only"]["loss"]
    assert both < second < before  # 0.2146 < 0.2183 < 0.3927 in the source


# ---------------------------------------------------------------------------------------------
# `python -m mlp example`: the text report and --json.


def four_decimals(v: float) -> str:
    """The display rule: exact zeros as 0, whole numbers without decimals, others to 4 places."""
    if v == 0:
        return "0"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.4f}"


@pytest.fixture(scope="module")
def example_text(run_mlp):
    proc = run_mlp("example")
    assert (proc.returncode, proc.stderr) == (0, "")
    return proc.stdout


def value_after_tag(text: str, eq: int) -> list[str]:
    """The number tokens printed on the line tagged (source eq N), plus the rows of a matrix that follow it."""
    lines = text.splitlines()
    tagged = [i for i, line in enumerate(lines) if f"(source eq {eq})" in line]
    assert len(tagged) == 1, f"(source eq {eq}) should tag exactly one line"
    i = tagged[0]
    chunk = [lines[i].replace(f"(source eq {eq})", "").rsplit(" = ", 1)[1]]
    for line in lines[i + 1 :]:
        if not line.strip() or "=" in line:
            break
        chunk.append(line)
    return NUMBER.findall(" ".join(chunk))


@pytest.mark.parametrize(("eq", "section", "key", "printed"), GOLDEN, ids=GOLDEN_IDS)
def test_example_text_prints_each_source_number_to_four_decimals(example_text, eq, section, key, printed):
    tokens = value_after_tag(example_text, eq)
    expected = [four_decimals(v) for v in flat(HAND[section][key])]
    assert tokens == expected, f"eq {eq}: printed {tokens}"
    for token, p in zip(tokens, flat(printed), strict=True):
        assert abs(float(token) - float(p)) <= printed_tolerance(p)


def test_example_text_summarises_the_three_losses(example_text):
    last = example_text.strip().splitlines()[-1]
    assert NUMBER.findall(last) == ["0.3927", "0.2146", "0.2183"]


def test_example_text_never_prints_minus_zero(example_text):
    tokens = NUMBER.findall(example_text)
    assert len(tokens) > 50
    minus_zero = [t for t in tokens if t.startswith("-") and float(t) == 0]
    assert minus_zero == []


@pytest.fixture(scope="module")
def example_json(run_mlp):
    proc = run_mlp("example", "--json")
    assert (proc.returncode, proc.stderr) == (0, "")
    return proc.stdout


def test_example_json_has_the_documented_keys(example_json):
    data = json.loads(example_json)
    assert set(DOCUMENTED_KEYS) <= set(data)
    for section, keys in DOCUMENTED_KEYS.items():
        missing = keys - set(data[section])
        assert not missing, f"{section} lacks {sorted(missing)}"


@pytest.mark.parametrize(
    ("section", "key"), [(s, k) for s, keys in DOCUMENTED_KEYS.items() for k in sorted(keys)], ids=str
)
def test_example_json_values_in_spec_layout(example_json, section, key):
    value = json.loads(example_json)[section][key]
    hand = HAND[section][key]
    assert shape_of(value) == shape_of(hand)  # matrices as nested lists, row by row; vectors flat
    np.testing.assert_allclose(value, hand, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("eq", "section", "key", "printed"), GOLDEN, ids=GOLDEN_IDS)
def test_example_json_matches_the_source(example_json, eq, section, key, printed):
    value = json.loads(example_json)[section][key]
    assert shape_of(value) == shape_of(printed)
    for v, p in zip(flat(value), flat(printed), strict=True):
        assert abs(v - float(p)) <= printed_tolerance(p), f"eq {eq}: {v} vs {p}"


def test_example_json_has_no_minus_zero(example_json):
    numbers = []

    def walk(v):
        if isinstance(v, dict):
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)
        else:
            numbers.append(v)

    walk(json.loads(example_json))
    assert any(v == 0 for v in numbers)  # Problem 2 has zeros (z1[2], grad_W1's second row) ...
    assert [v for v in numbers if v == 0 and math.copysign(1.0, v) < 0] == []  # ... none of them -0
    assert not re.search(r"-0\.0(?![0-9]*[1-9])", example_json)
