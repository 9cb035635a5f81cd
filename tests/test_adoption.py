"""What a reader or an instructor needs to take the book away: an install that cannot be confused with another
package, one repository URL and version that every copy agrees with, the branch that Colab and Binder open,
the licenses, and the source.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import repository_url  # noqa: E402

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
HTML = ROOT / "_build" / "html"
# Which distribution provides an importable name, where the two differ.
PROVIDED_BY = {"sklearn": "scikit-learn", "IPython": "ipykernel", "matplotlib_inline": "ipykernel"}


def test_the_distribution_is_not_the_index_s_mlp():
    assert canonicalize_name(PROJECT["name"]) == "backprop-book" != "mlp"
    assert {"mlp", "mlp_book"} <= set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    for path in (ROOT / "README.md", ROOT / "chapters" / "running.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"pip install\s+['\"]?mlp\b(?![-_\w])(?!.*unrelated)", text), path.name
        assert f'"{repository_url.requirement()}"' in text, f"{path.name} has no install command for the notebooks"


def top_level_imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_notebooks_extra_brings_everything_the_notebooks_import():
    imported = set()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                imported |= top_level_imports("".join(cell["source"]))
    for path in sorted((ROOT / "mlp_book").glob("*.py")):  # what the notebooks import imports
        imported |= top_level_imports(path.read_text(encoding="utf-8"))
    assert "myst_nb" in imported  # by mlp_book.glue, in the book build only, where the book extra brings it
    ours = ("mlp", "mlp_book", "myst_nb")
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m not in ours}
    assert {"numpy", "matplotlib", "sklearn"} <= third_party  # the scan sees the notebooks' imports
    brought = {canonicalize_name(Requirement(r).name) for r in PROJECT["dependencies"]}
    brought |= {canonicalize_name(Requirement(r).name) for r in PROJECT["optional-dependencies"]["notebooks"]}
    missing = sorted(m for m in third_party if canonicalize_name(PROVIDED_BY.get(m, m)) not in brought)
    assert not missing, f"imported by the notebooks but not in the notebooks extra: {missing}"
    assert not {"myst-nb", "jupyter-book"} & brought  # mlp_book.glue needs no myst_nb outside the book


def test_every_copy_of_the_install_command_agrees_with_config():
    url = repository_url.repository_url()
    assert url.startswith("https://github.com/")
    assert repository_url.problems(url) == []
    assert repository_url.problems("https://github.com/someone/else")  # the check sees a disagreement
    assert repository_url.requirement().endswith(f"@v{PROJECT['version']}")  # pinned to this version


@pytest.fixture(scope="module")
def built() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail("no built book in _build/html: run `make book` first (`make test` does)")
    return HTML


def test_the_notebooks_branch_holds_both_editions_and_binder_s_environment(tmp_path):
    """What the publish workflow pushes as the branch `notebooks` (tools/notebooks_branch.py), after both builds."""
    import notebooks_branch

    written = notebooks_branch.assemble(tmp_path / "branch")
    for edition, prefix in (("html", ""), ("student/_build/html", "student/")):
        built_here = sorted((ROOT / "_build" / edition / "notebooks").rglob("*.ipynb"))
        assert built_here, f"no reader notebooks in _build/{edition}: run `make book book-student`"
        assert {Path(prefix) / p.relative_to(ROOT / "_build" / edition / "notebooks") for p in built_here} <= set(
            written
        )
    assert len(written) == 2 * len(list((ROOT / "_build" / "html" / "notebooks").rglob("*.ipynb")))
    lines = (tmp_path / "branch" / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [repository_url.requirement()] and Requirement(lines[0]).name == PROJECT["name"]
    assert Requirement(lines[0]).url.endswith(f"@v{PROJECT['version']}")
    runtime = (tmp_path / "branch" / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    version = runtime.removeprefix("python-")
    assert runtime.startswith("python-") and SpecifierSet(PROJECT["requires-python"]).contains(version + ".0")
    assert not (ROOT / "binder").exists(), "Binder runs from the branch `notebooks`; main has no environment of its own"


def test_licenses_for_code_and_for_text():
    code = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert code.startswith("MIT License") and PROJECT["license"] == "MIT"
    assert "Permission is hereby granted, free of charge" in code and "LICENSE-text" in code
    text = (ROOT / "LICENSE-text").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in text
    for section in ("Section 1 -- Definitions.", "Section 3 -- License Conditions.", "Section 8 -- Interpretation."):
        assert section in text  # the whole legal code, not only a link to it


def test_the_source_homework_is_named_and_cited(built):
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    entry = re.search(r"@misc\{hw3solution,(.*?)\n\}", bib, re.S)
    assert entry and "{HW} 3 Solution" in entry.group(1)
    for page in ("intro", "references"):
        source = (ROOT / "chapters" / f"{page}.md").read_text(encoding="utf-8")
        assert "*HW 3 Solution*" in source and "`hw3solution`" in source, page
    references = (built / "chapters" / "references.html").read_text(encoding="utf-8")
    assert "HW 3 Solution" in references and "names no author" in references
