"""Versions, releases and upkeep: one version everywhere, the files checked against their published schemas, the
release's scripts, the site's links to its other forms, and the tools pinned alike.

The schemas are the ones check-jsonschema vendors (``--builtin-schema vendor.*``): nothing is downloaded.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "_ext"))
import release  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
SCHEMAS = {  # file (glob) -> the vendored schema it must satisfy
    ".github/workflows/*.yml": "vendor.github-workflows",
    ".github/dependabot.yml": "vendor.dependabot",
    "CITATION.cff": "vendor.citation-file-format",
    ".github/ISSUE_TEMPLATE/config.yml": "vendor.github-issue-config",
}


def validate(schema: str, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, paths)], capture_output=True, text=True
    )


def files(pattern: str) -> list[Path]:
    found = sorted(ROOT.glob(pattern))
    assert found, f"no {pattern}"
    return found


@pytest.mark.parametrize("pattern", SCHEMAS)
def test_valid_against_the_published_schema(pattern):
    result = validate(SCHEMAS[pattern], *files(pattern))
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue_forms_are_valid_and_cover_both_kinds_of_report():
    forms = [p for p in files(".github/ISSUE_TEMPLATE/*.yml") if p.name != "config.yml"]
    result = validate("vendor.github-issue-forms", *forms)
    assert result.returncode == 0, result.stdout + result.stderr
    names = {yaml.safe_load(p.read_text(encoding="utf-8"))["name"] for p in forms}
    assert names == {"An error in the book", "A problem running it"}


def test_the_schemas_are_checked_for_real(tmp_path):
    """A workflow without jobs, a citation without a title: both fail, so the passes above mean something."""
    workflow = tmp_path / "broken.yml"
    workflow.write_text("on: push\n", encoding="utf-8")
    citation = tmp_path / "CITATION.cff"
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    citation.write_text(re.sub(r"(?m)^title: .*\n", "", text, count=1), encoding="utf-8")
    assert validate("vendor.github-workflows", workflow).returncode != 0
    assert validate("vendor.citation-file-format", citation).returncode != 0


def test_one_version_named_alike_in_pyproject_changelog_and_citation():
    assert release.problems() == []
    version = PYPROJECT["project"]["version"]
    assert release.problems(tag=f"v{version}") == []
    assert release.problems(tag="v999.0.0"), "a tag that is not the version is refused"
    sections = release.changelog_sections()
    assert next(iter(sections)) == "Unreleased"  # Keep a Changelog: newest first, Unreleased on top
    dates = [date for name, (date, _) in sections.items() if name != "Unreleased"]
    assert dates == sorted(dates, reverse=True) and all(dates)


def test_the_changelog_parser_sees_a_missing_section():
    text = "# Changelog\n\n## [Unreleased]\n\n## [0.0.1] - 2026-01-01\n\n- x\n\n[0.0.1]: https://example.org\n"
    sections = release.changelog_sections(text)
    assert sections == {"Unreleased": (None, ""), "0.0.1": ("2026-01-01", "- x")}
    assert PYPROJECT["project"]["version"] not in sections


def test_the_citation_names_this_edition_and_the_source():
    cff = release.citation()
    assert cff["title"] == CONFIG["title"]
    assert cff["repository-code"] == CONFIG["repository"]["url"]
    assert cff["url"] == CONFIG["html"]["baseurl"]
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}  # LICENSE and LICENSE-text
    (source,) = [r for r in cff["references"] if r["title"] == "HW 3 Solution"]
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    assert "@misc{hw3solution," in bib and "{HW} 3 Solution" in bib
    assert source["authors"] == [{"name": "Anonymous"}]


def test_project_urls_agree_with_the_book_s_configuration():
    urls = PYPROJECT["project"]["urls"]
    repository = CONFIG["repository"]["url"].rstrip("/")
    assert urls["Homepage"] == CONFIG["html"]["baseurl"]
    assert urls["Source"] == repository
    assert urls["Issues"] == f"{repository}/issues"


def test_build_system_needs_the_setuptools_that_reads_the_license_expression():
    (requirement,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    assert requirement.name == "setuptools"
    assert not requirement.specifier.contains("76.1.0")  # fails on license = "MIT" (PEP 639)
    assert requirement.specifier.contains("77.0.1")  # the lowest published 77, tests/test_packaging.py builds with it
    assert PYPROJECT["project"]["license"] == "MIT"


def locked_version(name: str) -> str:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return re.search(rf"(?m)^{re.escape(name)}==([^\s;]+)", lock).group(1)


def test_pre_commit_runs_the_locked_ruff():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = [r for r in config["repos"] if r["repo"] == "https://github.com/astral-sh/ruff-pre-commit"]
    assert {hook["id"] for hook in repo["hooks"]} == {"ruff-check", "ruff-format"}
    pinned = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]]
    (ruff,) = [r for r in pinned if r.name == "ruff"]
    assert repo["rev"] == f"v{locked_version('ruff')}" and ruff.specifier == SpecifierSet(f"=={locked_version('ruff')}")


def test_dependabot_watches_actions_npm_and_the_python_lock_and_stays_on_jupyter_book_1():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"github-actions", "npm", "uv"}
    ignored = {i["dependency-name"]: i["versions"] for i in ecosystems["uv"]["ignore"]}
    assert ignored == {"jupyter-book": [">=2"], "sphinx": [">=8"]}
    book = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["book"]]
    (jb,) = [r for r in book if r.name == "jupyter-book"]
    assert not jb.specifier.contains("2.0.0") and jb.specifier.contains(locked_version("jupyter-book"))
    assert locked_version("sphinx").split(".")[0] == "7"  # what Jupyter Book 1 allows (sphinx~=7.0)
    assert "uv pip compile" in (ROOT / "Makefile").read_text(encoding="utf-8")  # the lock is uv's


def test_ci_runs_on_a_maintained_node_lts():
    for path in files(".github/workflows/*.yml"):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, job in workflow["jobs"].items():
            if "bash .ci/run" not in [step.get("run") for step in job["steps"]]:
                continue
            (node,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-node@")]
            major = int(node["with"]["node-version"])
            assert major % 2 == 0 and major >= 22, f"{path.name} {name}: Node {major} is no maintained LTS line"


def test_the_release_workflow_runs_the_tests_builds_publishes_and_is_ready_for_pypi():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    trigger = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert trigger == {"push": {"tags": ["v*"]}}
    jobs = workflow["jobs"]
    runs = [step.get("run") for step in jobs["build"]["steps"]]
    assert runs.index("bash .ci/run") < runs.index("bash .ci/release-build")
    script = (ROOT / ".ci" / "release-build").read_text(encoding="utf-8")
    for command in ("python -m build", "twine check --strict", "make book pdf book-student", "release.py check"):
        assert command in script
    assert "gh release create" in " ".join(str(s.get("run")) for s in jobs["github-release"]["steps"])
    assert any("publish-pages" in str(s.get("run")) for s in jobs["pages"]["steps"])
    pypi = jobs["pypi"]
    assert pypi["if"] == "vars.PUBLISH_TO_PYPI == 'true'"  # off until switched on
    assert pypi["permissions"] == {"id-token": "write"}  # trusted publishing: OIDC, no token
    assert any(s.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for s in pypi["steps"])
    assert "password" not in str(pypi) and "secrets." not in str(pypi)


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def site(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    (folder / "chapters").mkdir(parents=True)
    (folder / "index.html").write_text(name, encoding="utf-8")
    (folder / "chapters" / "intro.html").write_text(name, encoding="utf-8")
    return folder


def published(remote: Path, tmp_path: Path) -> dict[str, str]:
    clone = tmp_path / f"clone{len(list(tmp_path.glob('clone*')))}"
    git("clone", "-q", "--branch", "gh-pages", str(remote), str(clone), cwd=tmp_path)
    assert git("rev-list", "--count", "HEAD", cwd=clone).strip() == "1"  # one commit: no history of old sites
    return {
        p.relative_to(clone).as_posix(): p.read_text(encoding="utf-8")
        for p in clone.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(clone).parts
    }


def test_publish_pages_keeps_the_newest_release_at_the_root(tmp_path):
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    env = {"PATH": "/usr/bin:/bin", "PUBLISH_REMOTE": str(remote), "HOME": str(tmp_path)}

    def publish(name: str, what: str) -> None:
        subprocess.run(
            ["bash", str(ROOT / ".ci" / "publish-pages"), str(site(tmp_path, name)), what],
            env=env,
            check=True,
            capture_output=True,
        )

    publish("main-1", "main")  # no release yet: main is the root too
    assert published(remote, tmp_path)["index.html"] == "main-1"
    work = tmp_path / "work"  # the remote gets the tags v0.1.0 and v0.2.0
    git("init", "-q", str(work), cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x", cwd=work)
    for tag in ("v0.1.0", "v0.2.0"):
        git("tag", tag, cwd=work)
    git("push", "-q", str(remote), "--tags", cwd=work)
    publish("release-2", "v0.2.0")
    publish("release-1", "v0.1.0")  # a patch to an older edition does not take over the root
    publish("main-2", "main")  # nor does main, once a version is released
    files = published(remote, tmp_path)
    assert files["index.html"] == files["chapters/intro.html"] == "release-2"
    assert files["v0.2.0/index.html"] == "release-2" and files["v0.1.0/index.html"] == "release-1"
    assert files["dev/index.html"] == files["dev/chapters/intro.html"] == "main-2"
    assert ".nojekyll" in files


@pytest.fixture(scope="module")
def built_site() -> Path:
    html = ROOT / "_build" / "html"
    if not (html / "index.html").exists() or not (html / "student" / "index.html").exists():
        pytest.fail("no built site in _build/html with student/: run `make book pdf book-student` (make test does)")
    return html


def test_every_page_links_the_same_version_s_other_forms(built_site):
    from bs4 import BeautifulSoup
    from other_forms import forms

    version = PYPROJECT["project"]["version"]
    for root, student in ((built_site, False), (built_site / "student", True)):
        targets = [path for _, path in forms(student)]
        assert all((root / path).is_file() for path in targets), f"missing in {root}: {targets}"
        for page in sorted((root / "chapters").glob("*.html")):  # index.html only redirects to the intro
            nav = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("nav.other-forms")
            assert nav is not None, f"{page.relative_to(built_site)} does not link the book's other forms"
            assert f"version {version}" in nav.get_text(" ")
            hrefs = [a["href"] for a in nav.select("a")]
            resolved = {(page.parent / h).resolve() for h in hrefs if not h.startswith("https://")}
            assert resolved == {(root / path).resolve() for path in targets}, page
            assert f"{CONFIG['repository']['url']}/releases" in hrefs
    student_nav = (built_site / "student" / "index.html").read_text(encoding="utf-8")
    assert "Student edition (no solutions)" not in student_nav  # it links its own forms only


def test_the_issue_and_edit_buttons_are_on(built_site):
    assert CONFIG["html"]["use_issues_button"] is True and CONFIG["html"]["use_edit_page_button"] is True
    page = (built_site / "chapters" / "problem1.html").read_text(encoding="utf-8")
    repository = CONFIG["repository"]["url"]
    assert f"{repository}/issues/new" in page
    assert f"{repository}/edit/{CONFIG['repository']['branch']}/chapters/problem1.md" in page
