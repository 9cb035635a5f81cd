"""How many words a student reads on the homework path, counted in the built HTML.

    .venv/bin/python tools/path_words.py [_build/html]

The path is the pages a student reads to do the homework: the intro, the card, the prerequisites, Problem 1 and
Problem 2. A word is a token of the article's text with a letter in it; code cells, their outputs, math, images and
scripts are not text. Three counts per page: all of the text; without the collapsed dropdowns ("Going further",
"Relation to the source"), which a first reading skips; and the main column alone, without the margin notes too.
"""

import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
PATH = ["intro", "card", "prerequisites", "problem1", "problem2"]
NOT_TEXT = ["pre", "div.cell_input", "div.cell_output", ".math", ".katex", "script", "style", "a.headerlink", "img"]
NOT_TEXT += ["svg", "nav"]
COUNTS = {"all": [], "without dropdowns": ["div.dropdown.admonition"]}
COUNTS["main column"] = [*COUNTS["without dropdowns"], "aside.margin"]


def words(html: str, leave_out: list[str]) -> int:
    """Words of the page's article, without what the CSS selectors leave_out (and what is not text)."""
    article = BeautifulSoup(html, "html.parser").find("article")
    for selector in NOT_TEXT + leave_out:
        for tag in article.select(selector):
            tag.decompose()
    return sum(1 for token in article.get_text(" ").split() if re.search("[A-Za-z]", token))


def path_words(html_dir: Path) -> dict[str, dict[str, int]]:
    """{page: {count: words}} for every page of the path, and "total"."""
    table = {
        page: {
            name: words((html_dir / "chapters" / f"{page}.html").read_text(encoding="utf-8"), leave_out)
            for name, leave_out in COUNTS.items()
        }
        for page in PATH
    }
    table["total"] = {name: sum(row[name] for row in table.values()) for name in COUNTS}
    return table


def main() -> None:
    html_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"
    print(f"{'page':14}" + "".join(f"{name:>20}" for name in COUNTS))
    for page, row in path_words(html_dir).items():
        print(f"{page:14}" + "".join(f"{row[name]:>20}" for name in COUNTS))


if __name__ == "__main__":
    main()
