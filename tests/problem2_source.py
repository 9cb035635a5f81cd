"""The source's Problem 2, typed in once from the source document: its givens (eqs 12, 16, 17, 25) and every number
it prints in eqs 14-34, as printed (strings, so the printed precision is kept). tests/test_problem2.py and
tests/test_corrections.py both read it."""

from __future__ import annotations

import numpy as np

SOURCE_X = [1.0, 0.0]
SOURCE_Y = [0.0, 1.0]
SOURCE_W1 = [[3.0, 6.0], [4.0, 5.0]]
SOURCE_W1_0 = [1.0, -6.0]
SOURCE_W2 = [[2.0, 3.0], [4.0, 3.0]]  # eq 16 prints (W2)^T = [[2, 4], [3, 3]]
SOURCE_W2_0 = [-1.0, -2.0]
SOURCE_LR = 0.5

# The same, as float arrays.
X, Y, W1, W1_0, W2, W2_0 = (np.array(a) for a in (SOURCE_X, SOURCE_Y, SOURCE_W1, SOURCE_W1_0, SOURCE_W2, SOURCE_W2_0))
LR = SOURCE_LR

# (equation, section of explain(), key, numbers as the source prints them, matrices row by row).
# eq 14 prints H to 3 decimals (0.982); eq 29 prints the updated H to 4 (0.9821).
GOLDEN = [
    (14, "forward", "H", ["0.982", "0.5"]),
    (16, "forward", "y_hat", ["0.6267", "0.3733"]),
    (17, "backward", "grad_y_hat", ["0.6267", "-0.6267"]),
    (19, "backward", "grad_W2", [["0.2880", "-0.2880"], ["0.1466", "-0.1466"]]),
    (20, "backward", "grad_W2_0", ["0.2932", "-0.2932"]),
    (21, "backward", "grad_H", ["-0.2932", "0.2932"]),
    (22, "backward", "grad_W1", [["-0.0052", "0.0733"], ["0", "0"]]),
    (23, "backward", "grad_W1_0", ["-0.0052", "0.0733"]),
    (25, "updated", "W2", [["1.8560", "3.1440"], ["3.9267", "3.0733"]]),
    (26, "updated", "W2_0", ["-1.1466", "-1.8534"]),
    (27, "updated", "W1", [["3.0026", "5.9633"], ["4", "5"]]),
    (28, "updated", "W1_0", ["1.0026", "-6.0367"]),
    (29, "after_both_layers", "H", ["0.9821", "0.4817"]),
    (30, "after_both_layers", "y_hat", ["0.4633", "0.5367"]),
    (31, "forward", "loss", "0.3927"),
    (32, "after_both_layers", "loss", "0.2146"),
    (33, "after_second_layer_only", "y_hat", ["0.4672", "0.5328"]),
    (34, "after_second_layer_only", "loss", "0.2183"),
]


def printed_tolerance(printed: str) -> float:
    """Half a unit in the last printed place: "0.982" -> 5e-4, "0.2880" -> 5e-5.

    A number printed without a decimal point ("4", "0") is an exact value in the source.
    """
    decimals = len(printed.split(".")[1]) if "." in printed else None
    return 0.0 if decimals is None else 0.5 * 10.0**-decimals


def agrees_to_printed(value, printed) -> bool:
    """True when every entry of value rounds to the source's printed entry (``printed``: a string, or nested lists
    of strings)."""
    value, printed = np.ravel(value), np.ravel(printed)
    assert value.shape == printed.shape
    return all(abs(float(v) - float(p)) <= printed_tolerance(p) + 1e-12 for v, p in zip(value, printed, strict=True))
