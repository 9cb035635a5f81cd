"""The book's repository URL and version: set once, copied where a reader copies an install command.

    .venv/bin/python tools/repository_url.py          # write the install command into README.md and running.md
    .venv/bin/python tools/repository_url.py --check  # exit 1, naming each file, if a copy disagrees

The URL is ``repository.url`` in _config.yml (and the site, ``html.baseurl``, its GitHub Pages address unless it
is a domain of your own), the version ``project.version`` in pyproject.toml, and the install
command the one the reader notebooks' first cell runs (``reader_notebooks_install`` in _config.yml, see
_ext/reader_notebooks.py): ``pip install "backprop-book[notebooks] @ git+<URL>@v<version>"``. The launch buttons
and the reader notebooks read both from their sources; the README and chapters/running.md hold the command as
text, so this script writes it there, and tests/test_adoption.py runs the check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
from latex_print import github_pages_site  # noqa: E402
from reader_notebooks import DEFAULT_INSTALL, book_version, install_requirement  # noqa: E402
from sphinx.errors import ExtensionError  # noqa: E402

DOCUMENTS = [ROOT / "README.md", ROOT / "chapters" / "running.md"]  # install commands with the URL
# A pip install of the book's package from the repository: "backprop-book[notebooks] @ git+https://...@v0.1.0".
INSTALL = re.compile(r'"backprop-book\[notebooks\] @ git\+[^"\s]*"')


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def repository_url() -> str:
    return config()["repository"]["url"].rstrip("/")


def version() -> str:
    return book_version(ROOT)


def requirement(url: str | None = None) -> str:
    """What a reader's pip installs, as the reader notebooks' first cell has it."""
    template = config()["sphinx"]["config"].get("reader_notebooks_install", DEFAULT_INSTALL)
    return install_requirement(template, url or repository_url(), version())


def pages_site(url: str) -> str | None:
    """The GitHub Pages site of a repository, as the build derives it (_ext/latex_print.py), without the final /."""
    try:
        return github_pages_site(url).rstrip("/")
    except ExtensionError:  # not a GitHub repository: it has no GitHub Pages site
        return None


def problems(url: str) -> list[str]:
    """What disagrees with the configuration, one line each; empty when everything agrees."""
    wanted = f'"{requirement(url)}"'
    found = []
    site = config()["html"]["baseurl"].rstrip("/")
    if ".github.io" in site and site != pages_site(url):  # a custom domain is yours
        found.append(f"_config.yml: html.baseurl {site}/ is not the GitHub Pages site of {url}")
    for path in DOCUMENTS:
        commands = INSTALL.findall(path.read_text(encoding="utf-8"))
        if not commands:
            found.append(f"{path.name}: no install command ({wanted})")
        found += [f"{path.name}: {c}, not {wanted}" for c in commands if c != wanted]
    return found


def main(argv: list[str]) -> int:
    url = repository_url()
    if argv != ["--check"]:
        for path in DOCUMENTS:
            text = path.read_text(encoding="utf-8")
            path.write_text(INSTALL.sub(f'"{requirement(url)}"', text), encoding="utf-8")
    found = problems(url)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
