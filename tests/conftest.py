"""Shared test set-up: a deterministic hypothesis profile and a helper that runs the CLI in process.

Hypothesis profiles (choose with the HYPOTHESIS_PROFILE environment variable):
  ci        (default) derandomized, so every run draws the same examples; modest example counts
  thorough  randomized and ten times more examples, for a deeper look before a release
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from mlp import cli

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=400, deadline=None, derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))  # tools/book_pages.py: the book's pages and Chromium's flags, for the tests


@pytest.fixture
def rng():
    """A freshly seeded generator for each test: no global random state."""
    return np.random.default_rng(20240611)


@dataclass
class CliRun:
    """What one run of the command line gave: its exit code and the text of its two output streams."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | bytes | io.IOBase | None = None) -> CliRun:
    """Run ``python -m mlp ARGS`` in this process: ``mlp.cli.run`` with captured streams.

    ``stdin`` is text (sent as UTF-8 bytes, as a terminal or pipe would), raw bytes, or a stream
    given as it is; None gives an empty standard input.
    """
    if stdin is None or isinstance(stdin, str | bytes):
        data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
        stdin = io.BytesIO(data)
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(list(args), stdin=stdin, stdout=out, stderr=err)
    return CliRun(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def run_mlp():
    """The command line, run in process (see run_cli); tests/test_cli.py also runs it in a subprocess."""
    return run_cli
