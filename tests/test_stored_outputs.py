"""What the notebooks store depends only on what the page shows, never on the machine's last bits.

Strict nbval compares every stored output of chapters/*.ipynb with a fresh run. A float stored at full
precision encodes the BLAS kernel and SIMD path that computed it, so the rule (mlp_book.glue) is: every float a
page stores is rounded to 10 significant digits. These tests check the rule and that no stored text breaks it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from mlp_book.glue import SIGNIFICANT_DIGITS, stable

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
NUMBER = re.compile(r"(?<![\w.])[-+]?\d+\.\d+(?:[eE][-+]?\d+)?")


def significant_digits(number: str) -> int:
    mantissa = re.split("[eE]", number.lstrip("+-"))[0]
    return len(mantissa.replace(".", "").lstrip("0"))


def stored_texts(path: Path):
    """(cell index, mime type, text) of every stored textual output of a notebook."""
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        for out in cell.get("outputs", []):
            if "text" in out:
                yield i, "stream", "".join(out["text"])
            for mime, value in out.get("data", {}).items():
                if "image" not in mime:
                    yield i, mime, "".join(value) if isinstance(value, list) else json.dumps(value)


def test_the_rule():
    assert stable(0.21464587123772821) == stable(0.2146458712377283) == 0.2146458712
    assert stable(1.1920928955078125e-07) == 1.192092896e-07
    assert repr(stable(-0.0)) == "0.0"
    assert stable(np.float32(0.1)) == 0.1000000015  # float32 0.1 is 0.100000001490116...
    assert type(stable(np.float64(0.5))) is float
    assert stable([0.12345678901234, {"a": (1 / 3,)}]) == [0.123456789, {"a": (0.3333333333,)}]
    a = stable(np.array([[1 / 3, 2 / 3]]))
    assert a.shape == (1, 2) and a[0, 1] == 0.6666666667
    assert stable(7) == 7 and stable(True) is True and stable("0.12345678901234") == "0.12345678901234"
    assert significant_digits(repr(stable(np.pi))) == SIGNIFICANT_DIGITS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_float_carries_more_than_10_significant_digits(path):
    assert NOTEBOOKS, "no notebooks found"
    too_long = [
        (i, mime, n)
        for i, mime, text in stored_texts(path)
        for n in NUMBER.findall(text)
        if significant_digits(n) > SIGNIFICANT_DIGITS
    ]
    assert not too_long, f"stored floats at full precision (use mlp_book.glue.glue, or round): {too_long[:5]}"


def test_notebooks_glue_through_the_rule():
    for path in NOTEBOOKS:
        source = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
        assert "from myst_nb import glue" not in source, path.name
        assert re.search(r"^from mlp_book\.glue import (.+, )?glue\b", source, re.M), path.name
