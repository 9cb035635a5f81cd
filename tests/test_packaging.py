"""The sdist and the wheel build with the lowest setuptools that pyproject.toml allows, and pass twine's checks.

`python -m build` (as .ci/release-build runs it) in a fresh isolated environment, with setuptools held at the lowest
published release that build-system.requires allows (PIP_CONSTRAINT): first the sdist from a copy of the source, then
the wheel from the sdist. pip fetches that setuptools from the package index (or its cache).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOWEST_SETUPTOOLS = "77.0.1"  # setuptools 77.0.0 was never published; 76 cannot read license = "MIT" (PEP 639)
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "_build", "node_modules", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "dist", "build"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    (requirement,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    assert requirement.specifier.contains(LOWEST_SETUPTOOLS)
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    constraints = tmp / "constraints.txt"
    constraints.write_text(f"setuptools=={LOWEST_SETUPTOOLS}\n", encoding="utf-8")
    env = {**os.environ, "PIP_CONSTRAINT": str(constraints)}
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp / "dist"), str(source)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = (tmp / "dist").glob("*.whl")
    (sdist,) = (tmp / "dist").glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_built_with_the_lowest_allowed_setuptools(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/WHEEL")]
        assert f"Generator: setuptools ({LOWEST_SETUPTOOLS})" in wheel.read(name).decode()


def test_twine_check_strict_passes(built):
    twine = Path(sys.executable).with_name("twine")
    result = subprocess.run(
        [str(twine), "check", "--strict", str(built["wheel"]), str(built["sdist"])], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_the_wheel_holds_the_packages_and_their_data(built):
    version = PYPROJECT["project"]["version"]
    assert built["wheel"].name == f"backprop_book-{version}-py3-none-any.whl"
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"backprop_book-{version}.dist-info/METADATA").decode()
    data = {n for n in names if n.startswith("mlp/data/") and n.endswith(".json")}
    expected = {f"mlp/data/{p.name}" for p in (ROOT / "mlp" / "data").glob("*.json")}
    assert expected and data == expected
    for package in ("mlp", "mlp_book"):
        modules = {f"{package}/{p.name}" for p in (ROOT / package).glob("*.py")}
        assert modules <= names, f"{package}: {sorted(modules - names)} missing"
    assert not any(n.startswith(("tests/", "chapters/", "_ext/")) for n in names)
    assert "License-Expression: MIT" in metadata
    for label, url in PYPROJECT["project"]["urls"].items():
        assert f"Project-URL: {label}, {url}" in metadata


def test_the_sdist_holds_the_source_and_the_licenses(built):
    version = PYPROJECT["project"]["version"]
    with tarfile.open(built["sdist"]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    wanted = {"pyproject.toml", "README.md", "LICENSE", "LICENSE-text", "mlp/__init__.py", "mlp/data/problem2.json"}
    assert wanted <= names
    assert built["sdist"].name == f"backprop_book-{version}.tar.gz"
