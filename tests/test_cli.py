"""`python -m mlp explain`: a network from a JSON spec, and every kind of bad input.

Bad input must be answered with exactly one line on standard error, naming the problem, exit code
2, nothing on standard output and no traceback: whether the spec comes on standard input (`-`) or
from a file.
"""

from __future__ import annotations

import json
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from mlp.spec import parse_spec

# A 3-4-2 network, ReLU hidden layer, cross-entropy. z1 = W1^T x + W1_0 = [-1.4, 0.5, 1.55, 1.05]:
# one hidden unit is off, none is near ReLU's kink.
SPEC_342 = {
    "x": [1.0, -2.0, 0.5],
    "y": [0.0, 1.0],
    "W1": [[0.5, -1.0, 0.25, 1.5], [0.75, 0.5, -0.5, 0.25], [-1.0, 2.0, 1.0, -0.5]],
    "W1_0": [0.1, 1.5, -0.2, 0.3],
    "W2": [[1.0, -0.5], [0.5, 0.25], [-0.75, 1.0], [0.2, -0.3]],
    "W2_0": [0.05, -0.1],
    "activation": "relu",
    "loss": "cross_entropy",
    "lr": 0.1,
}


def independent_342() -> dict:
    """The whole step for SPEC_342 in plain numpy, written out (no mlp)."""
    x, y = np.array(SPEC_342["x"]), np.array(SPEC_342["y"])
    W1, W1_0 = np.array(SPEC_342["W1"]), np.array(SPEC_342["W1_0"])
    W2, W2_0 = np.array(SPEC_342["W2"]), np.array(SPEC_342["W2_0"])
    lr = SPEC_342["lr"]

    def run(W1, W1_0, W2, W2_0):
        z1 = W1.T @ x + W1_0
        H = np.maximum(z1, 0.0)
        z2 = W2.T @ H + W2_0
        y_hat = np.exp(z2) / np.sum(np.exp(z2))
        return z1, H, z2, y_hat, -np.sum(y * np.log(y_hat))

    z1, H, z2, y_hat, loss = run(W1, W1_0, W2, W2_0)
    grad_y_hat = -y / y_hat
    J = np.diag(y_hat) - np.outer(y_hat, y_hat)  # J[k, i] = d y_hat[k] / d z2[i]
    delta2 = J.T @ grad_y_hat
    grad_W2, grad_W2_0 = np.outer(H, delta2), delta2
    grad_H = W2 @ delta2
    delta1 = grad_H * (z1 > 0)
    grad_W1, grad_W1_0 = np.outer(x, delta1), delta1
    new = (W1 - lr * grad_W1, W1_0 - lr * grad_W1_0, W2 - lr * grad_W2, W2_0 - lr * grad_W2_0)
    _, H_both, _, y_hat_both, loss_both = run(*new)
    _, _, _, y_hat_second, loss_second = run(W1, W1_0, new[2], new[3])
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
        "updated": dict(zip(("W1", "W1_0", "W2", "W2_0"), new, strict=True)),
        "after_both_layers": {"H": H_both, "y_hat": y_hat_both, "loss": loss_both},
        "after_second_layer_only": {"y_hat": y_hat_second, "loss": loss_second},
    }


def test_independent_342_is_a_meaningful_case():
    ref = independent_342()
    np.testing.assert_allclose(ref["forward"]["z1"], [-1.4, 0.5, 1.55, 1.05], rtol=1e-14)
    assert ref["backward"]["delta1"][0] == 0.0  # the ReLU gate closes one unit ...
    assert ref["backward"]["grad_H"][0] != 0.0  # ... that does receive a gradient
    assert ref["after_both_layers"]["loss"] < ref["forward"]["loss"]


@pytest.mark.parametrize("source", ["stdin", "file"])
def test_explain_json_answers_a_342_relu_cross_entropy_network(run_mlp, tmp_path, source):
    text = json.dumps(SPEC_342)
    if source == "stdin":
        proc = run_mlp("explain", "--json", "-", stdin=text)
    else:
        path = tmp_path / "net.json"
        path.write_text(text, encoding="utf-8")
        proc = run_mlp("explain", "--json", str(path))
    assert (proc.returncode, proc.stderr) == (0, "")
    got = json.loads(proc.stdout)
    for section, values in independent_342().items():
        for key, expected in values.items():
            value = got[section][key]
            assert np.shape(value) == np.shape(expected), f"{section}.{key} layout"
            np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-14, err_msg=f"{section}.{key}")


def test_explain_text_shows_the_342_network(run_mlp):
    proc = run_mlp("explain", "-", stdin=json.dumps(SPEC_342))
    assert (proc.returncode, proc.stderr) == (0, "")
    ref = independent_342()
    out = proc.stdout
    assert "relu" in out
    assert "cross_entropy" in out
    assert f"= {ref['forward']['loss']:.4f}" in out
    z1 = ref["forward"]["z1"]
    assert "[" + ", ".join(f"{v:.4f}" for v in z1) + "]" in out  # [-1.4000, 0.5000, 1.5500, 1.0500]
    last = out.strip().splitlines()[-1]
    for key in ("forward", "after_both_layers", "after_second_layer_only"):
        assert f"{ref[key]['loss']:.4f}" in last


def test_explain_never_prints_minus_zero(run_mlp):
    """Cross-entropy's gradient -y / y_hat is -0.0 wherever a target is 0: zeros must still print as 0."""
    ref = independent_342()
    assert ref["backward"]["grad_y_hat"][0] == 0.0
    assert math.copysign(1.0, ref["backward"]["grad_y_hat"][0]) < 0  # IEEE gives -0.0 here
    text = run_mlp("explain", "-", stdin=json.dumps(SPEC_342))
    assert text.returncode == 0
    tokens = re.findall(r"-?\d+(?:\.\d+)?", text.stdout)
    assert "0" in tokens
    assert [t for t in tokens if t.startswith("-") and float(t) == 0] == []
    js = run_mlp("explain", "--json", "-", stdin=json.dumps(SPEC_342))
    assert js.returncode == 0
    grad_y_hat = json.loads(js.stdout)["backward"]["grad_y_hat"]
    assert grad_y_hat[0] == 0.0
    assert math.copysign(1.0, grad_y_hat[0]) > 0
    assert not re.search(r"-0\.0(?![0-9]*[1-9])", js.stdout)


def test_explain_text_names_the_fused_delta2_the_targets_get():
    """y_hat - y is the fused delta2 only for targets that sum to 1; soft targets get y_hat * sum(y) - y."""
    from mlp.explain import explain, format_report

    for y, form in (([0.0, 1.0], "delta2 = J^T grad y_hat = y_hat - y "), ([0.5, 1.0], "= y_hat * sum(y) - y ")):
        spec = parse_spec(SPEC_342 | {"y": y})
        text = format_report(spec, explain(spec), "title")
        assert form in text
        loss_line = next(line for line in text.splitlines() if line.lstrip().startswith("loss ="))
        assert "y_hat - y" not in loss_line and "sum(y) - y" not in loss_line  # not read as the loss
        delta2 = explain(spec)["backward"]["delta2"]
        np.testing.assert_allclose(delta2, explain(spec)["forward"]["y_hat"] * sum(y) - np.array(y), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Bad input


def spec_with(**changes) -> str:
    spec = dict(SPEC_342)
    for key, value in changes.items():
        if value is DELETE:
            del spec[key]
        else:
            spec[key] = value
    return json.dumps(spec)  # NaN and inf become the JSON literals NaN and Infinity


DELETE = object()

# (id, spec text, fragments the one-line message must contain)
BAD_SPECS = [
    ("malformed-json", '{"x": [1, 2,], }', ["malformed JSON", "line 1, column 13"]),
    ("malformed-json-multiline", '{\n  "x": [1, 2]\n  "y": [0, 1]\n}', ["malformed JSON", "line 3, column 3"]),
    ("empty", "", ["malformed JSON", "line 1, column 1"]),
    ("not-an-object", "[1, 2, 3]", ["the spec must be a JSON object", "list"]),
    ("missing-key", spec_with(W2_0=DELETE), ["missing the key 'W2_0'"]),
    ("unknown-key", spec_with(W3=[1.0]), ["unknown key 'W3'"]),
    (
        "shape-W2",
        spec_with(W2=[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
        ["W2 has shape (3, 2)", "expected (N1, K) = (4, 2)"],
    ),
    ("shape-W1_0", spec_with(W1_0=[0.0, 0.0]), ["W1_0 has shape (2,)", "expected (N1,) = (4,)"]),
    ("shape-W1-vs-x", spec_with(x=[1.0, 2.0]), ["W1 has shape (3, 4)", "expected (N, N1) = (2, 4)"]),
    ("shape-y", spec_with(y=[0.0, 1.0, 0.0]), ["y has shape (3,)", "expected (K,) = (2,)"]),
    ("nan", spec_with(x=[1.0, math.nan, 0.5]), ["x contains nan", "index [1]", "finite"]),
    (
        "infinity",
        spec_with(W1=[[0.5, -1.0, math.inf, 1.5], [0.75, 0.5, -0.5, 0.25], [-1.0, 2.0, 1.0, -0.5]]),
        ["W1 contains inf", "index [0, 2]", "finite"],
    ),
    ("minus-infinity", spec_with(W2_0=[0.0, -math.inf]), ["W2_0 contains -inf", "index [1]", "finite"]),
    ("nan-in-y", spec_with(y=[math.nan, 1.0]), ["y contains nan", "finite"]),
    (
        "unknown-activation",
        spec_with(activation="softplus"),
        ["unknown activation 'softplus'", "identity, relu, sigmoid, tanh"],
    ),
    ("unknown-loss", spec_with(loss="hinge"), ["unknown loss 'hinge'", "cross_entropy, squared"]),
    ("activation-not-a-string", spec_with(activation=["relu"]), ["unknown activation ['relu']"]),
    ("negative-lr", spec_with(lr=-0.1), ["lr must be a finite number >= 0", "-0.1"]),
    ("string-lr", spec_with(lr="fast"), ["lr must be a number", "'fast'"]),
    ("numeric-string-lr", spec_with(lr="0.1"), ["lr must be a number", "'0.1'"]),
    ("bool-lr", spec_with(lr=True), ["lr must be a number", "True"]),
    ("infinite-lr", spec_with(lr=math.inf), ["lr must be a finite number >= 0", "inf"]),
    (
        "ragged-W1",
        spec_with(W1=[[0.5, -1.0, 0.25, 1.5], [0.75, 0.5], [-1.0, 2.0, 1.0, -0.5]]),
        ["W1 is not a rectangular array"],
    ),
    ("string-in-x", spec_with(x=[1.0, "two", 0.5]), ["x must contain only real numbers; got text"]),
    ("x-nested", spec_with(x=[[1.0], [-2.0], [0.5]]), ["x must be a flat list of numbers"]),
    # numpy reads [true, -1.0, ...] as [1.0, -1.0, ...]: JSON's true must be refused before it gets there
    (
        "true-in-W1",
        spec_with(W1=[[True, -1.0, 0.25, 1.5], [0.75, 0.5, -0.5, 0.25], [-1.0, 2.0, 1.0, -0.5]]),
        ["W1 must contain only real numbers", "true at W1[0][0]"],
    ),
    ("null-in-x", spec_with(x=[1.0, None, 0.5]), ["x must contain only real numbers", "None at x[1]"]),
    ("huge-integer", spec_with(x=[10**400, -2.0, 0.5]), ["x has a number too large for floating point", "x[0]"]),
    ("nested-too-deeply", "[" * 100_000 + "]" * 100_000, ["malformed JSON", "nested too deeply"]),
    # overflow: one line, no RuntimeWarning, no inf in the output (JSON has no inf)
    (
        "overflow-in-z1",
        spec_with(x=[1.5e308, 1.5e308, 0.5], activation="sigmoid"),
        ["z1 (forward) overflowed", "too large"],
    ),
    ("overflow-after-the-step", spec_with(lr=1e300), ["after the gradient step with lr = 1e+300", "smaller lr"]),
]


def assert_one_line_error(proc, fragments):
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.endswith("\n")
    assert proc.stderr.count("\n") == 1, f"more than one line: {proc.stderr!r}"
    line = proc.stderr.rstrip("\n")
    assert line.startswith("mlp: error: ")
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"


@pytest.fixture(scope="module")
def bad_spec_runs(run_mlp, tmp_path_factory):
    """Every bad spec through the CLI twice, on standard input and from a file, run concurrently
    (each run is a fresh interpreter; most of its time is importing numpy)."""
    folder = tmp_path_factory.mktemp("bad_specs")
    jobs = {}
    for case_id, text, _ in BAD_SPECS:
        path = folder / f"{case_id}.json"
        path.write_text(text, encoding="utf-8")
        jobs[case_id, "stdin"] = (("explain", "-"), text)
        jobs[case_id, "file"] = (("explain", "--json", str(path)), None)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {key: pool.submit(run_mlp, *args, stdin=stdin) for key, (args, stdin) in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("mode", ["stdin", "file"])
@pytest.mark.parametrize(("case_id", "fragments"), [(c[0], c[2]) for c in BAD_SPECS], ids=[c[0] for c in BAD_SPECS])
def test_bad_spec(bad_spec_runs, case_id, fragments, mode):
    assert_one_line_error(bad_spec_runs[case_id, mode], fragments)


def test_the_good_spec_parses():
    """Guard for the table above: the spec the bad ones are made from is itself fine."""
    spec = parse_spec(json.loads(json.dumps(SPEC_342)))
    assert (spec.activation, spec.loss, spec.lr) == ("relu", "cross_entropy", 0.1)


def test_missing_file(run_mlp, tmp_path):
    missing = tmp_path / "no-such-spec.json"
    assert_one_line_error(run_mlp("explain", str(missing)), ["cannot read spec file", str(missing), "No such file"])


def test_directory_instead_of_a_file(run_mlp, tmp_path):
    assert_one_line_error(run_mlp("explain", str(tmp_path)), ["cannot read spec file", "directory"])


def test_spec_that_is_not_utf8(run_mlp, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(SPEC_342).replace("relu", "r\u00e9lu").encode("latin-1"))
    assert_one_line_error(run_mlp("explain", str(path)), ["is not UTF-8 text"])
    proc = run_mlp("explain", "-", stdin=path.read_bytes())
    assert_one_line_error(proc, ["standard input is not UTF-8 text"])


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        ((), ["required", "command"]),
        (("explain",), ["required", "spec"]),
        (("frobnicate",), ["invalid choice", "frobnicate"]),
        (("example", "--verbose"), ["unrecognized arguments", "--verbose"]),
    ],
    ids=["no-command", "no-spec", "unknown-command", "unknown-option"],
)
def test_usage_errors_are_one_line_too(run_mlp, args, fragments):
    assert_one_line_error(run_mlp(*args), fragments)
