"""What the built-book checks share: the pages of _toc.yml, and how Chromium is started.

Used by tests/test_book_html.py, tests/test_browser.py and benchmarks/page_render.py.
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# Debian's Chromium, as root, on a machine whose network reaches only package registries.
# Playwright itself adds --headless and a fresh --user-data-dir.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def toc_pages(toc_file: Path = ROOT / "_toc.yml") -> list[str]:
    """Every page listed in a _toc.yml (root, chapters, sections, parts), as a path without suffix."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            for part in entry.get("parts") or []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    return [str(Path(page).with_suffix("")) for page in pages]
