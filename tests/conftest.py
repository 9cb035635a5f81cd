"""Shared test set-up: a deterministic hypothesis profile and a helper that runs the CLI.

Hypothesis profiles (choose with the HYPOTHESIS_PROFILE environment variable):
  ci        (default) derandomized, so every run draws the same examples; modest example counts
  thorough  randomized and ten times more examples, for a deeper look before a release
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

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


@pytest.fixture
def rng():
    """A freshly seeded generator for each test: no global random state."""
    return np.random.default_rng(20240611)


@pytest.fixture(scope="session")
def run_mlp():
    """Run ``python -m mlp ARGS`` in a fresh interpreter, as a student would.

    ``stdin`` (text, sent as UTF-8, or raw bytes) goes to standard input. The child's standard
    streams are strict UTF-8, as under an en_US.UTF-8 locale. Returns a CompletedProcess whose
    stdout and stderr are text.
    """

    def run(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PYTHONSTARTUP")}
        env["PYTHONIOENCODING"] = "utf-8"
        data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
        proc = subprocess.run(
            [sys.executable, "-m", "mlp", *args],
            input=data,
            capture_output=True,
            cwd=REPO,
            env=env,
            timeout=60,
            check=False,
        )
        return subprocess.CompletedProcess(
            proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
        )

    return run
