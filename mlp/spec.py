"""Network specs: one example and its network, written as JSON by a student.

    {"x": [..N], "y": [..K], "W1": [[..N1] x N rows], "W1_0": [..N1],
     "W2": [[..K] x N1 rows], "W2_0": [..K],
     "activation": "sigmoid|relu|tanh|identity", "loss": "squared|cross_entropy", "lr": 0.5}

Matrices are written row by row, as printed on paper: ``"W1": [[3, 6], [4, 5]]`` is the
source's W1, whose first *row* belongs to input x[1].
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from mlp.activations import ACTIVATIONS
from mlp.core import Params
from mlp.errors import InputError, lookup
from mlp.losses import LOSSES
from mlp.validate import check_example, check_lr

REQUIRED = ("x", "y", "W1", "W1_0", "W2", "W2_0", "activation", "loss", "lr")
DOCUMENTATION_KEYS = ("source", "note")


@dataclass(frozen=True)
class Spec:
    """A checked spec: float arrays of fitting shapes, a known activation and loss."""

    params: Params
    x: object
    y: object
    activation: str
    loss: str
    lr: float
    source: str = ""


def parse_spec(obj) -> Spec:
    """Check a decoded JSON object and turn it into a Spec; InputError names any problem."""
    if not isinstance(obj, dict):
        raise InputError(f"the spec must be a JSON object {{...}}; got a JSON {type(obj).__name__}")
    missing = [k for k in REQUIRED if k not in obj]
    if missing:
        raise InputError(f"the spec is missing the key {missing[0]!r} (required: {', '.join(REQUIRED)})")
    unknown = sorted(set(obj) - set(REQUIRED) - set(DOCUMENTATION_KEYS))
    if unknown:
        raise InputError(f"the spec has an unknown key {unknown[0]!r} (allowed: {', '.join(REQUIRED)})")
    for key, table in (("activation", ACTIVATIONS), ("loss", LOSSES)):
        lookup(key, obj[key], table)
    for key in ("x", "y"):
        if not isinstance(obj[key], list) or any(isinstance(v, list) for v in obj[key]):
            raise InputError(f"{key} must be a flat list of numbers (one example)")
    for key in ("x", "y", "W1", "W1_0", "W2", "W2_0"):
        _refuse_booleans(key, obj[key])
    params = Params(obj["W1"], obj["W1_0"], obj["W2"], obj["W2_0"])
    params, x, y = check_example(params, obj["x"], obj["y"])
    lr = check_lr(obj["lr"])
    return Spec(params, x, y, obj["activation"], obj["loss"], lr, str(obj.get("source", "")))


def _refuse_booleans(key: str, value, where: str = "") -> None:
    """JSON's true and false are not numbers, though numpy would read [true, 0.5] as [1.0, 0.5]."""
    if isinstance(value, bool):
        raise InputError(f"{key} must contain only real numbers; got {json.dumps(value)} at {key}{where}")
    if isinstance(value, list) and where.count("[") < 2:  # deeper is the wrong shape, refused later
        for i, v in enumerate(value):
            _refuse_booleans(key, v, f"{where}[{i}]")


def load_spec(text: str) -> Spec:
    """Parse JSON text into a Spec; malformed JSON raises InputError with line and column."""
    return parse_spec(load_json(text, "the spec"))


def load_json(text: str, what: str):
    """Decode JSON text as mlp reads it: a key given twice, malformed JSON, nesting too deep and integers of
    more than 4300 digits raise InputError naming ``what`` ("the spec", "your numbers")."""
    prefix = "" if what == "the spec" else f"{what}: "
    try:
        return json.loads(
            text, object_pairs_hook=lambda pairs: _refuse_duplicate_keys(pairs, what), parse_int=_parse_int
        )
    except json.JSONDecodeError as e:
        raise InputError(f"{prefix}malformed JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise InputError(f"{prefix}malformed JSON: lists or objects nested too deeply") from None
    except ValueError as e:  # Python refuses integers of more than 4300 digits (sys.set_int_max_str_digits)
        if isinstance(e, InputError):
            raise
        raise InputError(f"{what} has a number with too many digits: {str(e).split(';')[0]}") from None


def _parse_int(digits: str) -> int:
    """A JSON integer. Python refuses to read one of more than 4300 digits, with a message that cannot say where it
    is; it is far beyond float64 too, so it stands in as 10^400 (with its sign), which the checks then refuse as
    too large for floating point, naming its key and index."""
    if len(digits.lstrip("-")) > 4300:
        return -(10**400) if digits.startswith("-") else 10**400
    return int(digits)


def _refuse_duplicate_keys(pairs, what: str = "the spec"):
    """A JSON object as a dict; a key given twice is an error (json.loads would keep the last one silently)."""
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise InputError(f"{what} gives the key {key!r} twice; give each key once")
        seen[key] = value
    return seen


def problem2_text() -> str:
    """The JSON text of the source's Problem 2 network, shipped inside the package."""
    return resources.files("mlp").joinpath("data/problem2.json").read_text(encoding="utf-8")


def problem2() -> Spec:
    """The source's Problem 2 network (x, y, W1, W1_0, W2, W2_0, sigmoid, squared, lr 0.5)."""
    return load_spec(problem2_text())


def relu_example_text() -> str:
    """The JSON text of the book's own second example (not the source's), shipped inside the package."""
    return resources.files("mlp").joinpath("data/relu_example.json").read_text(encoding="utf-8")


def relu_example() -> Spec:
    """The book's second worked example: a 2-3-2 network (N = 2 inputs, N1 = 3 hidden units), ReLU hidden layer,
    softmax output, cross-entropy loss, lr 0.5, with hidden unit 2 inactive (z1[2] < 0)."""
    return load_spec(relu_example_text())
