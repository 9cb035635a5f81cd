"""`make` names every missing system package in one apt-get line on standard error, before doing anything else.

The test runs make with a PATH on which node, npm, Chromium, TeX and pdftotext do not exist, a `python3`
whose venv cannot bootstrap pip (as on Debian without python3-venv), and an `id` that says we are not root,
so make must stop and print the line, not install anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bare_path(tmp_path):
    """A bin folder with only make, a non-root `id`, and a python3 without ensurepip."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "make").symlink_to(shutil.which("make"))
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    (bin_dir / "python3").write_text(
        f'#!/bin/sh\ncase "$*" in *ensurepip*) exit 1 ;; esac\nexec {sys.executable} "$@"\n'
    )
    for script in ("id", "python3"):
        (bin_dir / script).chmod(0o755)
    return bin_dir


@pytest.mark.parametrize(
    ("target", "packages"),
    [
        ("book", ["python3-venv", "nodejs", "npm"]),
        (
            "test",
            [
                "python3-venv",
                "nodejs",
                "npm",
                "latexmk",
                "texlive-latex-recommended",
                "texlive-latex-extra",
                "texlive-fonts-recommended",
                "tex-gyre",
                "poppler-utils",
                "chromium",
            ],
        ),
    ],
)
def test_make_names_every_missing_package_in_one_line_first(tmp_path, bare_path, target, packages):
    work = tmp_path / "book"
    work.mkdir()
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    env = {"PATH": str(bare_path), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    proc = subprocess.run(
        ["make", target, "PYTHON=python3"], cwd=work, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if "apt-get install" in line]
    assert len(lines) == 1, proc.stderr
    assert lines[0].split("--no-install-recommends")[1].split() == packages, proc.stderr
    assert proc.stdout == "", f"make did something before naming the missing packages:\n{proc.stdout}"
    assert sorted(os.listdir(work)) == ["Makefile"], "make created files before naming the missing packages"
