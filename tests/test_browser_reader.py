"""The built book as a reader on a phone, a tablet and a laptop sees it (issue 21, second pass).

The same server and Chromium as tests/test_browser.py, but each width in a browser context of its own: a phone
(390 x 844, touch), a tablet (768 px) and a laptop (1366 px). On every page it checks that

* a table laid out as cards on the phone labels each cell with its column's heading as drawn, not with the
  heading's text, which holds each formula three times (MathML, TeX, glyphs): "f(z)f(z)f(z)", "δ2\\delta_2δ2";
* the previous and next links' titles are not cut off;
* on the homework path, no line on the phone starts with a comma, full stop, semicolon or colon (a browser may
  break a line between an inline formula and the punctuation after it, or inside a word too long for the line);
* "Back to top", once the theme shows it, covers no text and is legible (contrast at least 4.5:1);

and that the page-contents drawer closes after a tap on one of its links (over http and from disk), and that
search finds "delta" and "δ" on every page whose math has δ, with snippets that show no TeX.
Run after ``make book``; BOOK_HTML=path checks another build.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from book_pages import CHROMIUM_FLAGS
from bs4 import BeautifulSoup
from test_browser import CHROMIUM, HOMEWORK_PATH, HTML, PAGES, server  # noqa: F401  (server: the fixture)

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 900}}
DEVICES = {390: PHONE, 768: TABLET, 1366: LAPTOP}

# Pages whose tables hold math in their headings (issue 21 counted 45 such labels on them).
PAGES_WITH_MATH_HEADINGS = ["chapters/card", "chapters/prerequisites", "chapters/corrections"]


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def devices(chromium):
    contexts = {width: chromium.new_context(**device, service_workers="block") for width, device in DEVICES.items()}
    try:
        yield contexts
    finally:
        for context in contexts.values():
            context.close()


def load(context, url: str):
    tab = context.new_page()
    tab.goto(url, wait_until="load")
    tab.evaluate("document.fonts.ready.then(() => true)")
    tab.wait_for_function("() => new Promise((done) => requestAnimationFrame(() => done(true)))")
    return tab


# Each label a phone shows above a card's cell (on screen: not in a closed dropdown): book.js's copy of the heading
# (.book-card-label) or, as book.js did before, the ::before content drawn from data-label.
CARD_LABELS = """() => [...document.querySelectorAll(".bd-article table.book-cards > tbody > tr > td")].map((cell) => {
  if (!cell.checkVisibility()) return null; // in a closed dropdown
  const copy = cell.querySelector(":scope > .book-card-label");
  if (copy) return {text: copy.textContent.replace(/\u200b/g, ""), shown: copy.getBoundingClientRect().height > 0};
  const before = getComputedStyle(cell, "::before").content;
  return before && before !== "none" ? {text: JSON.parse(before), shown: true} : null;
}).filter(Boolean)"""

PREV_NEXT = """() => [...document.querySelectorAll(".prev-next-area a")].map((link) => {
  const title = link.querySelector(".prev-next-title");
  return {
    title: title.textContent.trim(),
    cut: Math.max(link.scrollWidth - link.clientWidth, title.scrollWidth - title.clientWidth,
                  title.getBoundingClientRect().right - link.getBoundingClientRect().right,
                  link.getBoundingClientRect().left - title.getBoundingClientRect().left),
    ellipsis: getComputedStyle(title).textOverflow === "ellipsis",
  };
})"""

# Every comma, full stop, semicolon or colon that starts a line of the article, where the character before it is
# not a space (so nothing but a bad break put it there): its line is below that character's, and it is left of it.
LINE_STARTS = """() => {
  const article = document.querySelector("article.bd-article");
  const skip = "pre, .katex-mathml, script, style, .headerlink";
  const rect = (node, offset) => {
    const range = document.createRange();
    range.setStart(node, offset);
    range.setEnd(node, offset + 1);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 || r.height > 0);
    return rects[rects.length - 1] || null;
  };
  const found = [];
  let previous = null;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest(skip) || parent.getClientRects().length === 0) continue;
    const text = node.textContent;
    for (let i = 0; i < text.length; i++) {
      if (/[\\s\\u200b]/.test(text[i])) {
        previous = null;
        continue;
      }
      if (/[,.;:]/.test(text[i]) && previous) {
        const here = rect(node, i);
        const before = rect(previous.node, previous.offset);
        if (here && before && here.top >= before.bottom - 2 && here.left < before.left) {
          const lead = previous.node.textContent.slice(Math.max(0, previous.offset - 25), previous.offset + 1);
          found.push(`${lead}⏎${text.slice(i, i + 25)}`.replace(/\\s+/g, " "));
        }
      }
      previous = {node, offset: i};
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def readings(server, devices):  # noqa: F811
    """Every page at every width, read once: card labels, previous/next links, and lines that start badly."""
    if not all((HTML / f"{page}.html").is_file() for page in PAGES):
        pytest.fail("not every page of _toc.yml is built: run `make book`")
    results = {}
    for width, context in devices.items():
        for page in PAGES:
            tab = load(context, f"{server}/{page}.html")
            try:
                results[page, width] = {
                    "labels": tab.evaluate(CARD_LABELS) if width == 390 else [],
                    "prev_next": tab.evaluate(PREV_NEXT),
                    "line_starts": tab.evaluate(LINE_STARTS) if width == 390 and page in HOMEWORK_PATH else [],
                }
            finally:
                tab.close()
    return results


def repeats(text: str) -> bool:
    """Whether the label holds a run of two or more characters, not all letters, twice in a row, as "f(z)f(z)f(z)"
    and "δ2δ2" do ("training" repeats "in")."""
    runs = re.findall(r"(\S{2,}?)\1", re.sub(r"\s+", "", text))
    return any(not run.isalpha() for run in runs)


@pytest.mark.parametrize("page", PAGES)
def test_card_labels_show_the_heading_as_drawn(readings, page):
    labels = readings[page, 390]["labels"]
    if page in PAGES_WITH_MATH_HEADINGS:
        assert labels, f"{page}: no table laid out as cards at 390 px"
    bad = sorted({label["text"] for label in labels if "\\" in label["text"] or repeats(label["text"])})
    assert bad == [], f"{page} at 390 px: card labels with TeX or a formula written more than once: {bad}"
    hidden = [label["text"] for label in labels if not label["shown"] or not label["text"].strip()]
    assert hidden == [], f"{page} at 390 px: empty or hidden card labels {hidden}"


@pytest.mark.parametrize("width", list(DEVICES))
@pytest.mark.parametrize("page", PAGES)
def test_previous_and_next_titles_are_not_cut(readings, page, width):
    links = readings[page, width]["prev_next"]
    assert links or page == PAGES[-1], f"{page}: no previous/next link"
    cut = [(link["title"], round(link["cut"])) for link in links if link["cut"] > 1 or link["ellipsis"]]
    assert cut == [], f"{page} at {width} px: previous/next titles cut off (px hidden) {cut}"


@pytest.mark.parametrize("page", HOMEWORK_PATH)
def test_no_line_starts_with_punctuation_on_a_phone(readings, page):
    starts = readings[page, 390]["line_starts"]
    assert starts == [], f"{page} at 390 px: lines that start with punctuation (⏎ marks the break): {starts}"


DRAWER_OPEN = "() => document.querySelector('#pst-secondary-sidebar-modal').open"


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_the_page_contents_drawer_closes_after_a_tap_on_a_link(server, devices, scheme):  # noqa: F811
    """On a phone the page's contents ("On this page") open as a drawer over most of the screen; tapping a section
    takes the reader there and closes the drawer."""
    page = "chapters/problem1"
    url = f"{server}/{page}.html" if scheme == "http" else (HTML / f"{page}.html").as_uri()
    tab = load(devices[390], url)
    try:
        toggle = tab.locator(".secondary-toggle:visible")
        assert toggle.count() == 1, "no page-contents button on the phone"
        toggle.tap()
        tab.wait_for_function(DRAWER_OPEN)
        links = tab.locator("#pst-secondary-sidebar-modal a[href^='#']")
        assert links.count() >= 3, "the drawer lists no sections"
        link = links.nth(2)
        target = link.get_attribute("href")
        link.tap()
        tab.wait_for_function(f"() => !({DRAWER_OPEN})()", timeout=5000)
        assert urlsplit(tab.url).fragment == target[1:], tab.url
        top = tab.evaluate(f"document.getElementById({target[1:]!r}).getBoundingClientRect().top")
        assert 0 <= top < 844 / 2, f"the section tapped ({target}) is not at the top of the screen: at {top} px"
    finally:
        tab.close()


# The first colour that is not transparent, behind the element and up its ancestors, as [r, g, b].
BACK_TO_TOP = """() => {
  const button = document.getElementById("pst-back-to-top");
  if (!button || getComputedStyle(button).display === "none") return null;
  const rgb = (color) => (color.match(/[\\d.]+/g) || []).map(Number);
  let background = null;
  for (let el = button; el && !background; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) background = c.slice(0, 3);
  }
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  const header = document.querySelector(".bd-header-article");
  return {
    color: rgb(getComputedStyle(button).color).slice(0, 3),
    background: background || [255, 255, 255],
    button: box(button),
    article: box(document.querySelector("article.bd-article")),
    header: header ? box(header) : null,
    // the header bar's other buttons, which "Back to top" must not push off the screen
    offScreen: [...document.querySelectorAll(".bd-header-article button, .bd-header-article a.btn")]
      .filter((b) => b !== button && b.getClientRects().length
        && b.getBoundingClientRect().right > Math.min(innerWidth, document.documentElement.clientWidth) + 1)
      .map((b) => b.title || b.getAttribute("aria-label") || b.className),
    viewport: {width: innerWidth, height: innerHeight},
  };
}"""


def luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["left"] >= outer["left"] - 1
        and inner["right"] <= outer["right"] + 1
        and inner["top"] >= outer["top"] - 1
        and inner["bottom"] <= outer["bottom"] + 1
    )


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("width", list(DEVICES))
def test_back_to_top_covers_no_text_and_is_legible(server, devices, width):  # noqa: F811
    """The theme shows "Back to top" when the reader scrolls up. It must not lie over the text column (it hid
    problem2's eq (36)), unless it sits in the header bar, which the text already scrolls under; its text must
    have a contrast of at least 4.5:1 (WCAG AA) with what is behind it."""
    tab = load(devices[width], f"{server}/chapters/problem2.html")
    try:
        tab.evaluate("window.scrollTo(0, 4000)")
        tab.wait_for_timeout(200)
        tab.evaluate("window.scrollBy(0, -300)")
        tab.wait_for_timeout(300)
        report = tab.evaluate(BACK_TO_TOP)
    finally:
        tab.close()
    if width < 1200:  # the theme shows the button below 1200 px
        assert report is not None, f"no 'Back to top' at {width} px after scrolling up"
    if report is None:
        return
    in_header = report["header"] is not None and inside(report["button"], report["header"])
    assert in_header or not overlaps(report["button"], report["article"]), (
        f"'Back to top' at {width} px lies over the text column: {report['button']} on {report['article']}"
    )
    assert report["offScreen"] == [], f"at {width} px 'Back to top' pushes {report['offScreen']} off the screen"
    ratio = contrast(report["color"], report["background"])
    assert ratio >= 4.5, f"'Back to top' at {width} px: {report['color']} on {report['background']} is {ratio:.1f}:1"


def pages_with_delta() -> list[str]:
    """The pages whose math has δ (\\delta in a formula's TeX), from the built HTML."""
    found = []
    for page in PAGES:
        soup = BeautifulSoup((HTML / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        tex = " ".join(a.get_text() for a in soup.select('annotation[encoding="application/x-tex"]'))
        if re.search(r"\\delta(?![A-Za-z])", tex):
            found.append(page)
    return found


SEARCH_DONE = """() => {
  const summary = document.querySelector("#search-results .search-summary");
  const items = document.querySelectorAll("#search-results li");
  return summary && !/^\\s*$/.test(summary.textContent)
    && [...items].every((li) => li.querySelector("p.context"));
}"""


@pytest.mark.parametrize("query", ["delta", "δ"])
def test_search_finds_every_page_whose_math_has_delta(server, devices, query):  # noqa: F811
    expected = pages_with_delta()
    assert len(expected) >= 10, f"only {expected} have δ in their math"
    tab = load(devices[1366], f"{server}/search.html?q={quote(query)}")
    try:
        tab.wait_for_function(SEARCH_DONE, timeout=30000)
        results = tab.eval_on_selector_all(
            "#search-results li",
            "items => items.map((li) => [li.querySelector('a').getAttribute('href'),"
            " (li.querySelector('p.context') || {}).textContent || ''])",
        )
    finally:
        tab.close()
    found = {re.sub(r"\.html(#.*)?$", "", href) for href, _ in results}
    missing = [page for page in expected if page not in found]
    assert missing == [], f"search for {query!r} misses {missing}"
    tex = [snippet for _, snippet in results if re.search(r"\\[A-Za-z]{2,}", snippet)]
    assert tex == [], f"snippets of {query!r} that show TeX: {tex[:3]}"
    # Each snippet quotes the page where it matched: around a δ (and, for "delta", the word itself).
    word = "delta" if query == "delta" else "δ"
    elsewhere = [(href, snippet) for href, snippet in results if word not in snippet.lower() and "δ" not in snippet]
    assert elsewhere == [], f"snippets of {query!r} that do not show where the page matched: {elsewhere[:3]}"
