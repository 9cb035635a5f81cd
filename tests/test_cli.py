"""`python -m mlp explain`: a network from a JSON spec, and every kind of bad input.

Bad input, or output that cannot be written, must be answered with exactly one line on standard
error, naming the problem, exit code 2, nothing on standard output and no traceback: whether the
spec comes on standard input (`-`) or from a file.

The command line runs in this process (``mlp.cli.run`` with captured streams, see conftest.run_cli):
only the last tests start an interpreter, for what only a real process shows (``python -m mlp``
itself, and standard output that is a full disk or a pipe nobody reads).
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import reference
from conftest import CliRun, run_cli

import mlp
from mlp import cli
from mlp.one_step import JACOBIAN_MAX_K, explain
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
    """The whole step for SPEC_342 by tests/reference.py (plain numpy, no mlp)."""
    params = tuple(np.array(SPEC_342[k]) for k in ("W1", "W1_0", "W2", "W2_0"))
    return reference.one_step(params, SPEC_342["x"], SPEC_342["y"], "relu", "cross_entropy", SPEC_342["lr"])


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
    from mlp.one_step import explain
    from mlp.report import format_report

    for y, form in (([0.0, 1.0], "delta2 = J^T grad_y_hat = y_hat - y "), ([0.5, 1.0], "= y_hat * sum(y) - y ")):
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
        ["W2 has 3 rows but W1 has 4 columns", "N1, the number of hidden units", "(W2 has shape (3, 2))"],
    ),
    ("shape-W1_0", spec_with(W1_0=[0.0, 0.0]), ["W1_0 has 2 entries but W1 has 4 columns", "N1, the number"]),
    ("shape-W1-vs-x", spec_with(x=[1.0, 2.0]), ["x has 2 entries but W1 has 3 rows", "N, the number of inputs"]),
    ("shape-y", spec_with(y=[0.0, 1.0, 0.0]), ["y has 3 entries but W2 has 2 columns", "K, the number of outputs"]),
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


@pytest.mark.parametrize("mode", ["stdin", "file"])
@pytest.mark.parametrize(("text", "fragments"), [c[1:] for c in BAD_SPECS], ids=[c[0] for c in BAD_SPECS])
def test_bad_spec(run_mlp, tmp_path, text, fragments, mode):
    if mode == "stdin":
        proc = run_mlp("explain", "-", stdin=text)
    else:
        path = tmp_path / "bad.json"
        path.write_text(text, encoding="utf-8")
        proc = run_mlp("explain", "--json", str(path))
    assert_one_line_error(proc, fragments)


def test_the_good_spec_parses():
    """Guard for the table above: the spec the bad ones are made from is itself fine."""
    spec = parse_spec(json.loads(json.dumps(SPEC_342)))
    assert (spec.activation, spec.loss, spec.lr) == ("relu", "cross_entropy", 0.1)


def test_the_book_s_relu_example_ships_as_data():
    """mlp.relu_example(), the second worked example's page: its own network, not the source's, with N != N1."""
    spec = mlp.relu_example()
    assert "book's own" in spec.source and "not from the source" in spec.source
    (N, N1), K = spec.params.W1.shape, spec.params.W2.shape[1]
    assert (N, N1, K) == (2, 3, 2) and N != N1  # a transposed W1 would not fit
    assert (spec.activation, spec.loss, spec.lr) == ("relu", "cross_entropy", 0.5)


def test_the_relu_example_has_one_inactive_hidden_unit():
    spec = mlp.relu_example()
    result = explain(spec)
    forward, backward = result["forward"], result["backward"]
    assert forward["z1"][1] < 0 and forward["H"][1] == 0  # unit 2 is off, away from the kink
    assert np.all(forward["z1"][[0, 2]] > 0)  # and only unit 2
    assert backward["grad_H"][1] != 0  # the unit does receive a gradient ...
    assert backward["delta1"][1] == 0 and backward["grad_W1_0"][1] == 0  # ... and passes none on
    assert np.all(backward["grad_W1"][:, 1] == 0) and np.all(backward["grad_W2"][1] == 0)
    ref = reference.one_step(spec.params, spec.x, spec.y, "relu", "cross_entropy", spec.lr)
    for section, quantities in ref.items():
        for name, value in quantities.items():
            np.testing.assert_allclose(result[section][name], value, rtol=1e-12, atol=1e-15, err_msg=name)


def test_the_relu_example_round_trips_through_json(run_mlp):
    text = mlp.spec.relu_example_text()
    spec = parse_spec(json.loads(text))
    again = {
        "x": spec.x.tolist(),
        "y": spec.y.tolist(),
        **{name: value.tolist() for name, value in zip(mlp.Params._fields, spec.params, strict=True)},
        "activation": spec.activation,
        "loss": spec.loss,
        "lr": spec.lr,
        "source": spec.source,
    }
    assert again == json.loads(text)
    for field, a, b in zip(spec.params._fields, parse_spec(again).params, spec.params, strict=True):
        assert np.array_equal(a, b), field
    proc = run_mlp("explain", "-", stdin=text)
    assert proc.returncode == 0 and "relu hidden layer" in proc.stdout
    assert not re.search(r"(?<![\d.])-0(?:\.0+)?(?![\d.])", proc.stdout), "-0 printed"


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


def test_a_text_stream_on_standard_input_works_like_bytes():
    """A stream without .buffer (io.StringIO, as a test or a notebook may pass) is read as text."""
    as_text = run_cli("explain", "--json", "-", stdin=io.StringIO(json.dumps(SPEC_342)))
    as_bytes = run_cli("explain", "--json", "-", stdin=json.dumps(SPEC_342).encode("utf-8"))
    assert (as_text.returncode, as_text.stderr) == (0, "")
    assert as_text.stdout == as_bytes.stdout
    assert json.loads(as_text.stdout)["forward"]["loss"] == pytest.approx(independent_342()["forward"]["loss"])


class _Unreadable(io.RawIOBase):
    def read(self, size=-1):
        raise OSError(errno.EIO, os.strerror(errno.EIO))


def test_standard_input_that_cannot_be_read():
    assert_one_line_error(
        run_cli("explain", "-", stdin=_Unreadable()), ["cannot read standard input", os.strerror(errno.EIO)]
    )


# ---------------------------------------------------------------------------------------------
# The holes issue 9 lists, each closed: one line and exit 2, or the right answer


def test_json_integer_of_more_than_4300_digits():
    """Python refuses to convert such an integer from text (sys.get_int_max_str_digits), without saying where it
    is: the one line names the key and the entry."""
    text = json.dumps(SPEC_342).replace('"x": [1.0,', '"x": [' + "1" * 4301 + ",", 1)
    assert "1" * 4301 in text
    for proc in (run_cli("explain", "-", stdin=text), run_cli("explain", "--json", "-", stdin=text)):
        assert_one_line_error(proc, ["x has a number too large for floating point", "x[0]"])


def test_lr_of_10_to_the_400_in_a_spec():
    text = spec_with(lr=10**400)
    assert '"lr": 1' + "0" * 400 in text
    assert_one_line_error(run_cli("explain", "-", stdin=text), ["lr must be a finite number >= 0", "401 digits"])


@pytest.mark.parametrize("lr", [10**400, 10**5000, -(10**400)], ids=["10**400", "10**5000", "-10**400"])
def test_lr_of_huge_integers_in_sgd_step_and_train(lr, rng):
    params = mlp.init_params(rng, 3, 4, 2)
    x, y = rng.standard_normal(3), np.array([0.0, 1.0])
    _, _, grads = mlp.loss_and_gradients(params, x, y, "sigmoid")
    with pytest.raises(mlp.InputError, match="lr must be a finite number >= 0"):
        mlp.sgd_step(params, grads, lr=lr)
    X, labels = rng.standard_normal((3, 8)), np.arange(8) % 2
    with pytest.raises(mlp.InputError, match="lr must be a finite number >= 0"):
        mlp.train(X, labels, 4, lr=lr, epochs=1, activation="relu")


def test_explain_standard_input_when_standard_input_is_closed(monkeypatch):
    """`python -m mlp explain - <&-`: Python then has sys.stdin = None."""
    monkeypatch.setattr(sys, "stdin", None)
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(["explain", "-"], stdin=None, stdout=out, stderr=err)
    assert_one_line_error(CliRun(code, out.getvalue(), err.getvalue()), ["standard input is closed"])
    # a command that reads no standard input still works
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["example"], stdin=None, stdout=out, stderr=err) == 0
    assert (err.getvalue(), out.getvalue()) == ("", run_cli("example").stdout)


class _Unwritable(io.TextIOBase):
    """Standard output whose write (or flush) fails as a closed pipe's or a full disk's does."""

    def __init__(self, error: OSError, on: str):
        self.error, self.on = error, on

    def writable(self):
        return True

    def write(self, text):
        if self.on == "write":
            raise self.error
        return len(text)

    def flush(self):
        if self.on == "flush":
            raise self.error


@pytest.mark.parametrize("on", ["write", "flush"])
@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)), os.strerror(errno.EPIPE)),
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), os.strerror(errno.ENOSPC)),
    ],
    ids=["broken-pipe", "disk-full"],
)
def test_unwritable_standard_output(error, shown, on):
    err = io.StringIO()
    code = cli.run(["example"], stdin=io.BytesIO(b""), stdout=_Unwritable(error, on), stderr=err)
    assert code == 2
    assert err.getvalue() == f"mlp: error: cannot write the output: {shown}\n"


def big_k_spec(K: int) -> str:
    """A 1-1-K network: the spec is small (O(K)), its softmax Jacobian would be K x K."""
    rng = np.random.default_rng(K)
    y = np.zeros(K)
    y[3] = 1.0
    spec = {
        "x": [0.5],
        "y": y.tolist(),
        "W1": [[1.0]],
        "W1_0": [0.0],
        "W2": [rng.standard_normal(K).round(3).tolist()],
        "W2_0": rng.standard_normal(K).round(3).tolist(),
        "activation": "tanh",
        "loss": "cross_entropy",
        "lr": 0.1,
    }
    return json.dumps(spec)


def test_explain_at_K_5000_needs_memory_linear_in_K():
    """The K x K Jacobian at K = 5000 would be 200 MB of float64: explain neither makes nor prints it."""
    K = 5000
    text = big_k_spec(K)
    assert len(text) < 100_000
    tracemalloc.start()
    try:
        proc = run_cli("explain", "-", stdin=text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (proc.returncode, proc.stderr) == (0, "")
    assert peak < 20e6, f"peak {peak / 1e6:.0f} MB; the K x K matrix alone is {K * K * 8 / 1e6:.0f} MB"
    assert f"(J, K x K, is shown only for K <= {JACOBIAN_MAX_K}; here K = {K})" in proc.stdout
    assert "J = diag(y_hat)" not in proc.stdout
    js = run_cli("explain", "--json", "-", stdin=text)
    assert js.returncode == 0
    backward = json.loads(js.stdout)["backward"]
    assert "softmax_jacobian" not in backward
    assert len(backward["delta2"]) == K


@pytest.mark.parametrize(("K", "shown"), [(JACOBIAN_MAX_K, True), (JACOBIAN_MAX_K + 1, False)])
def test_the_jacobian_is_shown_up_to_K_10(K, shown):
    spec = mlp.load_spec(big_k_spec(K))
    result = explain(spec)
    assert ("softmax_jacobian" in result["backward"]) is shown
    if shown:
        y_hat = result["forward"]["y_hat"]
        np.testing.assert_allclose(
            result["backward"]["softmax_jacobian"], reference.softmax_jacobian(y_hat), atol=1e-16
        )
    text = run_cli("explain", "-", stdin=big_k_spec(K)).stdout
    assert bool(re.search(r"\n  J = diag\(y_hat\) - y_hat y_hat\^T +=", text)) is shown
    assert ("is shown only for K <= 10" in text) is not shown


def test_lr_minus_zero_prints_as_0():
    text = spec_with(lr=-0.0)
    assert '"lr": -0.0' in text
    proc = run_cli("explain", "-", stdin=text)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "(lr = 0)" in proc.stdout
    assert not re.search(r"-0(?![.0-9]*[1-9])", proc.stdout), "a -0 is printed"
    js = run_cli("explain", "--json", "-", stdin=text)
    assert not re.search(r"-0\.0(?![0-9]*[1-9])", js.stdout)
    # with lr = 0 nothing moves: the updated weights are the given ones
    assert json.loads(js.stdout)["updated"]["W1"] == SPEC_342["W1"]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("explain", "no\nsuch.json"), ["cannot read spec file", "no\\nsuch.json"]),
        (("example", "--ver\nbose"), ["unrecognized arguments", "--ver\\nbose"]),
        (("frob\r\nnicate",), ["invalid choice", "frob\\r\\nnicate"]),
    ],
    ids=["file-name", "option", "command"],
)
def test_an_argument_holding_a_newline_gives_a_one_line_error(args, fragments):
    assert_one_line_error(run_cli(*args), fragments)


def test_a_key_given_twice_is_refused():
    text = json.dumps(SPEC_342)[:-1] + ', "lr": 0.5}'
    assert text.count('"lr"') == 2
    assert_one_line_error(run_cli("explain", "-", stdin=text), ["gives the key 'lr' twice", "give each key once"])


def test_w1_given_transposed_says_it_looks_transposed():
    W1_T = np.array(SPEC_342["W1"]).T.tolist()  # (N1, N) = (4, 3): one row per hidden unit
    proc = run_cli("explain", "-", stdin=spec_with(W1=W1_T))
    assert_one_line_error(proc, ["W1 has shape (4, 3)", "expected (N, N1) = (3, 4)", "looks transposed", "W1.T"])
    W2_T = np.array(SPEC_342["W2"]).T.tolist()
    proc = run_cli("explain", "-", stdin=spec_with(W2=W2_T))
    assert_one_line_error(proc, ["W2 has shape (2, 4)", "expected (N1, K) = (4, 2)", "looks transposed", "W2.T"])


@pytest.mark.parametrize(("activation", "expected"), [("relu", [0, 1, 1, 1]), ("tanh", None), ("sigmoid", None)])
def test_text_output_shows_f_prime_of_z1(activation, expected):
    proc = run_cli("explain", "-", stdin=spec_with(activation=activation))
    assert (proc.returncode, proc.stderr) == (0, "")
    z1 = np.array(independent_342()["forward"]["z1"])
    values = reference.f_prime(activation, z1)
    if expected is not None:
        np.testing.assert_array_equal(values, expected)
    line = next(line for line in proc.stdout.splitlines() if line.lstrip().startswith(f"{activation}'(z1)"))
    assert line.split(" = ", 1)[1] == mlp.format_array(values)
    # and it comes between grad H and delta1, which it multiplies
    order = [line.split("=")[0].strip() for line in proc.stdout.splitlines() if " = " in line]
    assert order.index("grad_H") < order.index(f"{activation}'(z1)") < order.index("delta1")


def test_example_shows_sigmoid_prime_of_z1_as_h_times_1_minus_h():
    proc = run_cli("example")
    H = mlp.explain(mlp.problem2())["forward"]["H"]
    line = next(line for line in proc.stdout.splitlines() if line.lstrip().startswith("sigmoid'(z1)"))
    assert line.split(" = ", 1)[1] == mlp.format_array(H * (1 - H))


@pytest.mark.parametrize(
    ("y", "loss", "warned"),
    [
        ([0.5, 1.0], "cross_entropy", "1.5"),
        ([0.0, 0.0], "cross_entropy", "0"),
        ([0.3, 0.7], "cross_entropy", None),
        ([0.5, 1.0], "squared", None),
        ([0.0, 1.0], "cross_entropy", None),
    ],
    ids=["sums-to-1.5", "sums-to-0", "soft-label", "squared-loss", "one-hot"],
)
def test_cross_entropy_target_that_does_not_sum_to_1_is_warned_about(y, loss, warned):
    proc = run_cli("explain", "-", stdin=spec_with(y=y, loss=loss))
    assert proc.returncode == 0
    assert proc.stdout.startswith("Network '-'")
    if warned is None:
        assert proc.stderr == ""
    else:
        assert proc.stderr.count("\n") == 1 and proc.stderr.endswith("\n")
        assert proc.stderr.startswith(f"mlp: warning: the cross-entropy target y sums to {warned}, not 1")
        assert "y_hat * sum(y) - y" in proc.stderr


@pytest.mark.parametrize(("y", "fused"), [([0.0, 1.0], "y_hat - y"), ([0.5, 1.0], "y_hat * sum(y) - y")])
def test_the_fused_cross_entropy_form_is_on_the_delta2_line_not_the_loss_line(y, fused):
    lines = run_cli("explain", "-", stdin=spec_with(y=y)).stdout.splitlines()
    loss_line = next(line for line in lines if line.lstrip().startswith("loss ="))
    delta2_line = next(line for line in lines if line.lstrip().startswith("delta2 ="))
    assert loss_line.split(" = ")[1] == "-sum_k y[k] log y_hat[k]"
    assert "y_hat - y" not in loss_line
    assert delta2_line.startswith(f"  delta2 = J^T grad_y_hat = {fused} ")
    delta2 = explain(parse_spec(SPEC_342 | {"y": y}))["backward"]["delta2"]
    assert delta2_line.endswith(" = " + mlp.format_array(delta2))


# ---------------------------------------------------------------------------------------------
# Real processes: `python -m mlp` itself, and standard output that only a process can have


REPO = Path(__file__).resolve().parents[1]


def python_m_mlp(*args: str, stdin: bytes = b"", stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """``python -m mlp ARGS`` in a fresh interpreter, with strict UTF-8 streams (as under en_US.UTF-8)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PYTHONSTARTUP")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "mlp", *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )


def test_smoke_python_m_mlp_example():
    proc = python_m_mlp("example")
    assert (proc.returncode, proc.stderr) == (0, b"")
    text = proc.stdout.decode("utf-8")
    assert text == run_cli("example").stdout  # the process prints what run() prints
    assert "loss = 1/2 ||y - y_hat||^2 = 0.3927   (source eq 31)" in text


def test_smoke_python_m_mlp_bad_input():
    proc = python_m_mlp("explain", "-", stdin=b'{"x": [1, 2,], }')
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert proc.stderr == b"mlp: error: malformed JSON: Expecting value at line 1, column 13\n"


def assert_one_line_write_error(proc: subprocess.CompletedProcess, reason: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode("utf-8") == f"mlp: error: cannot write the output: {reason}\n"


def test_output_into_a_full_disk():
    """`python -m mlp example > /dev/full`: every write fails with ENOSPC."""
    with open("/dev/full", "wb") as full:
        proc = python_m_mlp("example", stdout=full)
    assert_one_line_write_error(proc, os.strerror(errno.ENOSPC))


def test_output_into_a_pipe_whose_reader_has_closed():
    """`python -m mlp example | head -1` once head has exited: the read end is closed before mlp writes."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = python_m_mlp("example", stdout=write_end)
    finally:
        os.close(write_end)
    assert_one_line_write_error(proc, os.strerror(errno.EPIPE))


@pytest.mark.parametrize(
    ("mine", "words"),
    [
        ('{"forward": {"z1": [1' + "0" * 5000 + "]}}", ["your numbers: forward.z1", "too large"]),
        ('{"forward": {"z1": [1' + "0" * 400 + "]}}", ["your numbers: forward.z1", "too large"]),
        ('{"forward": {}}', ["hold no quantity"]),
        ('{"forward": {"z1": [true, 0, 1, 1]}}', ["your numbers: forward.z1", "only real numbers"]),
        ('{"forward": {"z1": [0, 0, 0, 0], "z1": [1, 1, 1, 1]}}', ["your numbers gives the key 'z1' twice"]),
        ('{"forward": {"z1": [0, 0, 0, 0]', ["your numbers: malformed JSON"]),
    ],
    ids=["huge-integer", "integer-beyond-float64", "no-quantity", "boolean", "duplicate-key", "malformed"],
)
def test_compare_refuses_bad_numbers_in_one_line(tmp_path, mine, words):
    spec, numbers = tmp_path / "spec.json", tmp_path / "mine.json"
    spec.write_text(json.dumps(SPEC_342), encoding="utf-8")
    numbers.write_text(mine, encoding="utf-8")
    assert_one_line_error(run_cli("explain", str(spec), "--compare", str(numbers)), words)


def test_compare_names_a_quantity_mlp_does_not_compute_for_large_k(tmp_path):
    """The K x K Jacobian is computed only for K <= 10: comparing it at K = 11 is a one-line error."""
    K = JACOBIAN_MAX_K + 1
    spec = dict(SPEC_342, y=[1.0] + [0.0] * (K - 1), W2=[[0.1] * K for _ in range(4)], W2_0=[0.0] * K)
    spec_file, numbers = tmp_path / "spec.json", tmp_path / "mine.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    numbers.write_text(json.dumps({"backward": {"softmax_jacobian": [[0.0] * K] * K}}), encoding="utf-8")
    assert_one_line_error(
        run_cli("explain", str(spec_file), "--compare", str(numbers)), ["does not compute backward.softmax_jacobian"]
    )


def test_fmt_names_nan_and_infinities():
    assert [mlp.fmt(v) for v in (float("nan"), float("inf"), -float("inf"))] == ["nan", "inf", "-inf"]


# ---------------------------------------------------------------------------------------------
# The holes issue 19 lists, each closed


def test_closed_standard_output_is_one_line_and_exit_2():
    """`python -m mlp example >&-`: Python sets sys.stdout to None."""
    proc = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(1); sys.stdout = None; from mlp.cli import main; main()",
         "example"],
        capture_output=False, stderr=subprocess.PIPE, cwd=REPO, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.decode() == "mlp: error: standard output is closed: nothing can be written\n"


def test_a_file_name_the_terminal_cannot_encode_is_escaped_not_a_traceback(tmp_path):
    name = tmp_path / "réseau.json"
    name.write_text(json.dumps(SPEC_342), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PYTHONSTARTUP")}
    env["PYTHONIOENCODING"] = "ascii"
    proc = subprocess.run([sys.executable, "-m", "mlp", "explain", str(name)], capture_output=True, cwd=REPO,
                          env=env, timeout=60, check=False)  # fmt: skip
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
    assert b"r\\xe9seau.json" in proc.stdout.splitlines()[0]
    missing = subprocess.run([sys.executable, "-m", "mlp", "explain", str(tmp_path / "désolé.json")],
                             capture_output=True, cwd=REPO, env=env, timeout=60, check=False)  # fmt: skip
    assert missing.returncode == 2 and missing.stderr.count(b"\n") == 1 and b"d\\xe9sol\\xe9.json" in missing.stderr


def test_compare_with_an_empty_name_is_refused_as_your_numbers_file(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC_342), encoding="utf-8")
    assert_one_line_error(run_cli("explain", str(spec), "--compare", ""), ["cannot read file of your numbers ''"])


def test_compare_reads_mlp_s_own_json_output_null_and_all(tmp_path):
    """explain --json writes grad_y_hat as null where y_hat underflowed: --compare takes that output back."""
    saturated = dict(SPEC_342, loss="cross_entropy", W2_0=[900.0, -900.0], y=[0.0, 1.0])
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(saturated), encoding="utf-8")
    own = run_cli("explain", "--json", str(spec))
    assert own.returncode == 0 and "null" in own.stdout
    (tmp_path / "own.json").write_text(own.stdout, encoding="utf-8")
    proc = run_cli("explain", str(spec), "--compare", str(tmp_path / "own.json"), "--json")
    assert proc.returncode == 0, proc.stderr
    verdicts = json.loads(proc.stdout)["verdicts"]
    assert set(verdicts.values()) == {"agrees"}
