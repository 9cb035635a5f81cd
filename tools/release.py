"""A release of the book: one version, named alike everywhere, and the files a GitHub Release carries.

    .venv/bin/python tools/release.py check [--tag v0.1.0]  # pyproject.toml, CHANGELOG.md, CITATION.cff, tag agree
    .venv/bin/python tools/release.py notes                 # this version's section of CHANGELOG.md, the release's text
    .venv/bin/python tools/release.py assemble OUT          # after make book pdf book-student: the release's files

The version is ``project.version`` in pyproject.toml, and only there is it chosen: the reader notebooks pin their
install to the tag ``v<version>``, CHANGELOG.md has a section ``## [<version>] - <date>``, and CITATION.cff names the
same version and that date (``date-released``). .ci/release-build runs all three commands; tests/test_release.py runs
the check.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import sys
import tempfile
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
from other_forms import write_zip  # noqa: E402  (the zip of the site's reader notebooks is written alike)

NAME = "backprop-book"
# The Keep a Changelog heading of a released version: ## [0.1.0] - 2026-12-07
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.M)


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def changelog_sections(text: str | None = None) -> dict[str, tuple[str | None, str]]:
    """version (or "Unreleased") -> (date, the section's text without its heading), in the file's order."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8") if text is None else text
    matches = list(HEADING.finditer(text))
    sections = {}
    for here, after in zip(matches, [*matches[1:], None], strict=True):
        end = after.start() if after else len(text)
        body = text[here.end() : end]
        body = re.split(r"^\[[^\]]+\]: ", body, maxsplit=1, flags=re.M)[0]  # the link references at the end
        sections[here["version"]] = (here["date"], body.strip())
    return sections


def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def problems(tag: str | None = None) -> list[str]:
    """What disagrees about this release's version and date; empty when all agree."""
    found = []
    v = version()
    sections = changelog_sections()
    if "Unreleased" not in sections:
        found.append("CHANGELOG.md has no section ## [Unreleased] for the changes since the last release")
    if v not in sections:
        found.append(f"CHANGELOG.md has no section ## [{v}] - <date> for version {v} (pyproject.toml)")
    date = sections.get(v, (None, ""))[0]
    if v in sections and date is None:
        found.append(f"CHANGELOG.md's section [{v}] has no date (## [{v}] - YYYY-MM-DD)")
    if v in sections and not sections[v][1]:
        found.append(f"CHANGELOG.md's section [{v}] is empty")
    cff = citation()
    if str(cff.get("version")) != v:
        found.append(f"CITATION.cff names version {cff.get('version')!r}, pyproject.toml {v!r}")
    released = cff.get("date-released")
    if isinstance(released, datetime.date):
        released = released.isoformat()
    if date is not None and released != date:
        found.append(f"CITATION.cff's date-released is {released}, CHANGELOG.md dates {v} {date}")
    if tag is not None and tag != f"v{v}":
        found.append(f"the tag is {tag}, but pyproject.toml's version is {v}: the tag must be v{v}")
    return found


def zip_folder(folder: Path, target: Path, prefix: str) -> None:
    """folder's files, under prefix/ in the zip, with fixed times: the same files make the same zip."""
    write_zip(target, folder, sorted(p for p in folder.rglob("*") if p.is_file()), f"{prefix}/")


def assemble(out: Path) -> list[Path]:
    """The release's files besides the wheel and sdist, into out; then SHA256SUMS of everything in out."""
    v = version()
    build = ROOT / "_build"
    student = build / "student" / "_build"
    sources = {
        "full PDF (make pdf)": build / "latex" / "book.pdf",
        "student PDF (make book-student)": student / "latex" / "book.pdf",
        "site (make book)": build / "html" / "index.html",
        "student edition in the site (make book-student)": build / "html" / "student" / "index.html",
        "student site (make book-student)": student / "html" / "index.html",
    }
    missing = [f"{what}: {path.relative_to(ROOT)}" for what, path in sources.items() if not path.is_file()]
    if missing:
        raise SystemExit("release: missing " + "; ".join(missing))
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for source, name in (
        (build / "latex" / "book.pdf", f"{NAME}-{v}.pdf"),
        (student / "latex" / "book.pdf", f"{NAME}-{v}-student.pdf"),
    ):
        (out / name).write_bytes(source.read_bytes())
        made.append(out / name)
    for folder, name in (
        (build / "html", f"{NAME}-{v}-html"),  # the whole site: the book, its PDF and notebooks, student/
        (student / "html", f"{NAME}-{v}-student-html"),  # the student edition alone, to host without solutions
    ):
        zip_folder(folder, out / f"{name}.zip", name)
        made.append(out / f"{name}.zip")
    sys.path.insert(0, str(ROOT / "tools"))
    import notebooks_branch

    with tempfile.TemporaryDirectory() as tmp:
        notebooks_branch.assemble(Path(tmp) / "notebooks")
        zip_folder(Path(tmp) / "notebooks", out / f"{NAME}-{v}-notebooks.zip", f"{NAME}-{v}-notebooks")
    made.append(out / f"{NAME}-{v}-notebooks.zip")
    files = sorted(p for p in out.iterdir() if p.is_file() and p.name != "SHA256SUMS")
    (out / "SHA256SUMS").write_text(
        "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files), encoding="utf-8"
    )
    return made


def main(argv: list[str]) -> int:
    usage = __doc__.strip().splitlines()[2:5]
    if argv[:1] == ["check"] and len(argv) in (1, 3) and (len(argv) == 1 or argv[1] == "--tag"):
        found = problems(argv[2] if len(argv) == 3 else None)
        for problem in found:
            print(f"release: {problem}", file=sys.stderr)
        if not found:
            print(f"release {version()}: pyproject.toml, CHANGELOG.md and CITATION.cff agree")
        return 1 if found else 0
    if argv == ["notes"]:
        print(changelog_sections()[version()][1])
        return 0
    if argv[:1] == ["assemble"] and len(argv) == 2:
        for path in assemble(Path(argv[1])):
            print(f"{path.stat().st_size:>12,}  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return 0
    print("\n".join(usage), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
