"""The locked toolchain: requirements.lock pins what pyproject.toml asks for, with hashes, and `make` uses it.

`make lock` re-resolves the lock from pyproject.toml (see the Makefile); these tests fail when the two files
drift apart, e.g. after a requirement is added or tightened in pyproject.toml without `make lock`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
EXTRAS = ("book", "test")


def locked() -> dict[str, list[tuple[str, Requirement]]]:
    """name -> [(the entry's text, the entry as a Requirement)], one for each `name==version ; marker` line."""
    entries: dict[str, list[tuple[str, Requirement]]] = {}
    for block in LOCK.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        line = block.split("--hash")[0].strip()
        if not line or line.startswith("#"):
            continue
        req = Requirement(line)
        entries.setdefault(canonicalize_name(req.name), []).append((block, req))
    return entries


def wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in EXTRAS:
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return reqs


def test_every_requirement_of_pyproject_is_locked_at_a_version_it_allows():
    entries = locked()
    env = default_environment()
    for req in wanted():
        name = canonicalize_name(req.name)
        assert name in entries, f"{req.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        here = [r for _, r in entries[name] if r.marker is None or r.marker.evaluate(env)]
        assert here, f"requirements.lock has no {req.name} for this Python/platform"
        for r in here:
            (spec,) = r.specifier
            assert spec.operator == "==", f"{r} is not an exact pin"
            assert req.specifier.contains(spec.version, prereleases=True), (
                f"requirements.lock pins {r}, which pyproject.toml's {req} does not allow: run `make lock`"
            )


def test_every_locked_package_has_a_hash_and_an_exact_version():
    entries = locked()
    assert len(entries) > 50  # the whole toolchain, not a stub
    for name, items in entries.items():
        for block, req in items:
            assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), f"{name} has no sha256 hash in requirements.lock"
            assert str(req.specifier).startswith("=="), f"{name} is not pinned exactly: {req}"


def test_the_lock_names_the_command_that_updates_it_and_make_uses_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "#    make lock" in LOCK.read_text(encoding="utf-8").splitlines()[1]
    command = re.search(r"^LOCK_COMMAND := (.+?)(?<!\\)$", makefile, re.M | re.S).group(1)
    for extra in EXTRAS:
        assert f"--extra {extra}" in command
    assert "--generate-hashes" in command and "-o requirements.lock" in command
    # the venv is installed from the lock, hash-checked; mlp itself without dependencies
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert re.search(r"^\$\(STAMP\): pyproject\.toml requirements\.lock", makefile, re.M)
