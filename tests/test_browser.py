"""The built book in a real browser, as a reader offline sees it.

Debian's Chromium (``apt-get install -y chromium``; never a browser downloaded by Playwright), driven by
Playwright, opens every page listed in _toc.yml from a server on 127.0.0.1 that serves _build/html. For each
page it checks:

* no request goes to any host but that server (requests elsewhere are blocked and listed);
* no console error and no failed local request (allow-list below, each entry with its reason);
* every formula was typeset at build time: no raw TeX in the text, no KaTeX error element, no red error text,
  KaTeX's font loaded, and no MathJax at all;
* every image decoded and carries alt text (not a file name);
* every link to the book and every #fragment resolves;
* axe-core (node_modules, pinned in package.json) finds no serious or critical accessibility violation.

It saves a full-page screenshot of each page in _build/screenshots/ for people to look at.

It reads every page as a phone (390 x 844) and a laptop (1366 x 900) do too: no page scrolls sideways; on the
worked example no display equation is wider than the column, and elsewhere one that is scrolls in a box with a
visible cue; tables fit the column; one search box; the chapter menu opens, navigates and closes (also at 900 px);
and a screenshot of each page at each width goes to _build/screenshots/390/ and /1366/. It opens each page from
disk (file://) as well, where the KaTeX fonts must load, and checks the favicon and the search results' snippets.
Run after ``make book`` (``make test`` does both). BOOK_HTML=path checks another build.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from book_pages import CHROMIUM_FLAGS, toc_pages
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = HTML.parent / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NARROW = {"width": 390, "height": 844}  # a phone
WIDE = {"width": 1366, "height": 900}  # a laptop
VIEWPORT = WIDE

# Console errors that are harmless: (regular expression, why). None is needed today: the two the toolchain
# logged on every page were fixed at their source (see _ext/html_fixes.py and html_context in _config.yml).
CONSOLE_ALLOW: list[tuple[str, str]] = []

KATEX_ERROR_RED = "rgb(204, 0, 0)"  # KaTeX's errorColor #cc0000, for commands it could not typeset


PAGES = toc_pages()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server():
    """Serve the built book on 127.0.0.1 at a free port; stop the server afterwards."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book in {HTML}: run `make book` first (`make test` does)")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(HTML)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium")
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: npm ci")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
            service_workers="block",
        )
        try:
            yield context
        finally:
            context.close()


@dataclass
class Visit:
    """What one load of one page showed."""

    foreign: list[str] = field(default_factory=list)  # requests to another host (blocked)
    failed: list[str] = field(default_factory=list)  # local requests that failed or got an error status
    console: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    math: dict = field(default_factory=dict)
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    downloads: list[list] = field(default_factory=list)  # [download attribute, href] of the notebook's button
    axe: list[dict] = field(default_factory=list)
    missing: bool = False  # the page's HTML was not built


MATH_REPORT = """() => {
  const RED = "KATEX_ERROR_RED";
  const skip = "pre, code, script, style, textarea, noscript, .katex, .highlight";
  const rawTex = /\\$\\$|\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]|\\\\begin\\{|\\$[^$\\s][^$]*\\\\[A-Za-z]+[^$]*\\$/;
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    if (!node.parentElement.closest(skip) && rawTex.test(text)) raw.push(text.trim().slice(0, 120));
  }
  const elements = [...document.querySelectorAll("span.math, div.math")];
  const red = [];
  for (const el of document.querySelectorAll(".katex, .katex *")) {
    if (getComputedStyle(el).color === RED && getComputedStyle(el.parentElement).color !== RED) {
      red.push(el.textContent.slice(0, 80));
    }
  }
  return {
    count: elements.length,
    katex: document.querySelectorAll(".katex").length,
    untypeset: elements.filter((m) => !m.querySelector(".katex")).map((m) => m.textContent.trim().slice(0, 80)),
    errors: [...document.querySelectorAll(".katex-error")].map((e) => (e.title || e.textContent).slice(0, 160)),
    red,
    raw,
    mathjax: typeof window.MathJax !== "undefined" || !!document.querySelector("mjx-container")
      || [...document.scripts].some((s) => /mathjax/i.test(s.src)),
    fontStatus: [...document.fonts].filter((f) => f.family.replace(/["']/g, "") === "KaTeX_Main").map((f) => f.status),
  };
}""".replace("KATEX_ERROR_RED", KATEX_ERROR_RED)

IMAGES_REPORT = """async () => {
  const images = [...document.images];
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  return images.map((img) => ({src: img.currentSrc || img.src, alt: img.getAttribute("alt"), width: img.naturalWidth}));
}"""

AXE_REPORT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


def open_page(context, base: str, page: str):
    """Load the page in a new tab, run every check but axe-core, and start axe-core; returns (tab, visit)."""
    visit = Visit()
    if not (HTML / f"{page}.html").is_file():
        visit.missing = True
        return None, visit
    tab = context.new_page()
    host = urlsplit(base).netloc

    def route(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != host:
            visit.foreign.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def console(message):
        if message.type == "error":
            text = f"{message.text} ({message.location.get('url', '')})"
            if not any(re.search(pattern, text) for pattern, _ in CONSOLE_ALLOW):
                visit.console.append(text)

    def response(response):
        if urlsplit(response.url).netloc == host and response.status >= 400:
            visit.failed.append(f"{response.status} {response.url}")

    def request_failed(request):
        if urlsplit(request.url).netloc == host:
            visit.failed.append(f"{request.failure} {request.url}")

    tab.route("**/*", route)
    tab.on("console", console)
    tab.on("pageerror", lambda error: visit.console.append(f"uncaught: {error}"))
    tab.on("response", response)
    tab.on("requestfailed", request_failed)
    tab.goto(f"{base}/{page}.html", wait_until="load")
    tab.wait_for_load_state("networkidle")
    tab.evaluate("document.fonts.ready.then(() => true)")
    visit.images = tab.evaluate(IMAGES_REPORT)
    visit.math = tab.evaluate(MATH_REPORT)
    visit.links = tab.evaluate("[...document.querySelectorAll('a[href], area[href]')].map((a) => a.href)")
    visit.downloads = tab.evaluate(
        "[...document.querySelectorAll('a.btn-download-notebook-button')]"
        ".map((a) => [a.getAttribute('download'), a.href])"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / f"{page.replace('/', '__')}.jpeg", full_page=True, type="jpeg", quality=85)
    tab.add_script_tag(path=str(AXE))
    tab.evaluate(f"() => {{ window.axeViolations = ({AXE_REPORT})(); }}")  # runs on while the next page loads
    return tab, visit


def finish_page(tab, visit: Visit) -> None:
    if tab is not None:
        try:
            visit.axe = tab.evaluate("() => window.axeViolations")
        finally:
            tab.close()


@pytest.fixture(scope="module")
def visits(server, browser) -> dict[str, Visit]:
    """Every page loaded once for all the tests. While axe-core (slow on a page of formulas) scans one page,
    the next one loads: two renderer processes, two cores."""
    results: dict[str, Visit] = {}
    running: list = []
    try:
        for page in PAGES:
            tab, results[page] = open_page(browser, server, page)
            running.append((tab, results[page]))
            if len(running) == 2:
                finish_page(*running.pop(0))
    finally:
        for tab, visit in running:
            finish_page(tab, visit)
    return results


def visited(visits: dict[str, Visit], page: str) -> Visit:
    assert not visits[page].missing, f"{page}.html is not in {HTML}: is it in _toc.yml but not built?"
    return visits[page]


@functools.cache
def anchors(path: Path) -> frozenset[str]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    return frozenset(ids | {tag["name"] for tag in soup.find_all("a", attrs={"name": True})})


@pytest.mark.parametrize("page", PAGES)
def test_no_request_leaves_the_server(visits, page):
    assert visited(visits, page).foreign == [], f"{page} asks other hosts for {visited(visits, page).foreign}"


@pytest.mark.parametrize("page", PAGES)
def test_no_console_error_or_failed_request(visits, page):
    v = visited(visits, page)
    assert v.console == [], f"{page}: console errors {v.console}"
    assert v.failed == [], f"{page}: failed requests {v.failed}"


@pytest.mark.parametrize("page", PAGES)
def test_all_math_typeset_at_build_time(visits, page):
    math = visited(visits, page).math
    assert not math["mathjax"], f"{page} loads MathJax"
    assert math["untypeset"] == [], f"{page}: math elements without KaTeX output {math['untypeset']}"
    assert math["errors"] == [], f"{page}: KaTeX errors {math['errors']}"
    assert math["red"] == [], f"{page}: TeX drawn in KaTeX's error red {math['red']}"
    assert math["raw"] == [], f"{page}: raw TeX in the text {math['raw']}"
    if math["count"]:
        assert math["katex"] >= math["count"]
        assert "loaded" in math["fontStatus"], f"{page}: KaTeX_Main font not loaded ({math['fontStatus']})"


@pytest.mark.parametrize("page", PAGES)
def test_images_decode_and_have_alt_text(visits, page):
    images = visited(visits, page).images
    broken = [img["src"] for img in images if img["width"] == 0]
    no_alt = [img["src"] for img in images if not (img["alt"] or "").strip()]
    # myst-nb's default alt text for a figure is its file name: that describes nothing
    file_name_alt = [img["alt"] for img in images if re.search(r"\.(png|jpe?g|svg|gif|webp)$", img["alt"] or "", re.I)]
    assert broken == [], f"{page}: images that did not decode {broken}"
    assert no_alt == [], f"{page}: images without alt text {no_alt}"
    assert file_name_alt == [], f"{page}: images whose alt text is a file name {file_name_alt}"


@pytest.mark.parametrize("page", PAGES)
def test_the_download_button_saves_the_page_s_notebook(visits, server, page):
    """book.js gives the reader notebook's link a download attribute: the browser saves problem2.ipynb, not JSON."""
    notebook = HTML / "notebooks" / f"{page}.ipynb"
    downloads = visited(visits, page).downloads
    if notebook.exists():
        assert downloads == [[notebook.name, f"{server}/notebooks/{page}.ipynb"]]
    else:
        assert downloads == []


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_and_anchors_resolve(visits, server, page):
    host = urlsplit(server).netloc
    broken = []
    for href in visited(visits, page).links:
        url = urlsplit(href)
        if url.scheme not in ("http", "https") or url.netloc != host:
            continue  # mailto:, javascript:, and links out (launch and repository buttons): not loaded
        target = HTML / unquote(url.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href} (no such file)")
        elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in anchors(target):
            broken.append(f"{href} (no id {unquote(url.fragment)!r} on {target.relative_to(HTML)})")
    assert broken == [], f"{page}: broken links {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violation(visits, page):
    violations = visited(visits, page).axe
    assert violations == [], f"{page}: axe-core " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in violations
    )


# Every reader: a phone, a laptop, a book opened from disk.

LAYOUT_REPORT = """() => {
  const root = document.documentElement;
  const visible = (el) => el.offsetParent !== null && getComputedStyle(el).visibility !== "hidden";
  const equations = [...document.querySelectorAll("div.math > .katex-display")].map((box) => {
    const style = getComputedStyle(box);
    return {
      tex: (box.querySelector("annotation") || box).textContent.trim().slice(0, 60),
      overflow: box.scrollWidth - box.clientWidth,
      scrolls: style.overflowX === "auto" || style.overflowX === "scroll",
      cue: style.backgroundImage.includes("radial-gradient") && style.backgroundAttachment.includes("scroll"),
    };
  });
  const article = document.querySelector(".bd-article").getBoundingClientRect();
  const tables = [...document.querySelectorAll(".bd-article table")].map((table) => {
    const box = table.getBoundingClientRect();
    const container = table.closest(".pst-scrollable-table-container") || table.parentElement;
    return {
      caption: (table.caption || table).textContent.trim().slice(0, 60),
      beyond: Math.max(box.right - article.right, container.scrollWidth - container.clientWidth),
    };
  });
  const smallPrint = document.querySelector(".bd-footer-content p, .bd-footer-content");
  return {
    sideways: root.scrollWidth - root.clientWidth,
    equations,
    tables,
    figures: [...document.querySelectorAll(".bd-article img")].map((img) => ({
      src: new URL(img.currentSrc || img.src).pathname, width: img.getBoundingClientRect().width})),
    smallPrint: parseFloat(getComputedStyle(smallPrint).fontSize),
    searchBoxes: [...document.querySelectorAll(".search-button-field, .search-button")].filter(visible).length,
  };
}"""


@dataclass
class Layout:
    sideways: int
    equations: list[dict]
    tables: list[dict]
    figures: list[dict]
    smallPrint: float
    searchBoxes: int


def read_layout(context, base: str, page: str, viewport: dict) -> Layout:
    tab = context.new_page()
    try:
        tab.set_viewport_size(viewport)
        tab.goto(f"{base}/{page}.html", wait_until="load")
        tab.evaluate("document.fonts.ready.then(() => true)")
        tab.evaluate(IMAGES_REPORT)  # every image loaded and decoded, so it has its displayed size
        tab.wait_for_function("() => new Promise((done) => requestAnimationFrame(() => done(true)))")
        folder = SCREENSHOTS / str(viewport["width"])
        folder.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=folder / f"{page.replace('/', '__')}.jpeg", full_page=True, type="jpeg", quality=80)
        return Layout(**tab.evaluate(LAYOUT_REPORT))
    finally:
        tab.close()


@pytest.fixture(scope="module")
def layouts(server, browser) -> dict[tuple[str, int], Layout]:
    """Every page at both widths, each with a screenshot."""
    if not all((HTML / f"{page}.html").is_file() for page in PAGES):
        pytest.fail("not every page of _toc.yml is built: run `make book`")
    return {
        (page, viewport["width"]): read_layout(browser, server, page, viewport)
        for viewport in (NARROW, WIDE)
        for page in PAGES
    }


WIDTHS = [NARROW["width"], WIDE["width"]]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_no_page_scrolls_sideways(layouts, page, width):
    assert layouts[page, width].sideways <= 0, f"{page} at {width} px is {layouts[page, width].sideways} px too wide"


@pytest.mark.parametrize("width", WIDTHS)
def test_worked_example_equations_fit_the_column(layouts, width):
    """Every number of Problem 2 visible without scrolling: each display equation fits (book.js shrinks it)."""
    equations = layouts["chapters/problem2", width].equations
    assert len(equations) > 20
    wide = [(e["tex"], e["overflow"]) for e in equations if e["overflow"] > 0]
    assert wide == [], f"display equations of Problem 2 wider than the {width} px page's column: {wide}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_a_wide_equation_scrolls_in_its_box_with_a_cue(layouts, page, width):
    """Any display equation still wider than the column (below book.js's smallest scale) scrolls in its own box,
    whose shadow shows on the side with more to see (book.css)."""
    for equation in layouts[page, width].equations:
        assert equation["scrolls"] and equation["cue"], f"{page}: {equation['tex']!r} has no scroll box with a cue"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_tables_fit_the_column(layouts, page, width):
    beyond = [(t["caption"], round(t["beyond"])) for t in layouts[page, width].tables if t["beyond"] > 1]
    assert beyond == [], f"{page} at {width} px: tables wider than the column (px beyond it) {beyond}"


def test_the_corrections_tables_become_cards_on_a_phone(layouts):
    """The page with the widest tables: at 390 px each row is a card (checked by fitting above), at 1366 a table."""
    assert len(layouts["chapters/corrections", NARROW["width"]].tables) >= 4


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_one_search_box(layouts, page, width):
    assert layouts[page, width].searchBoxes == 1, f"{page} at {width} px shows {layouts[page, width].searchBoxes}"


@pytest.mark.parametrize("width", [390, 900, 1366])
def test_the_chapter_menu_opens_navigates_and_closes(browser, server, width):
    """Below 992 px the menu is a dialog the toggle opens; wider, the toggle hides and shows the sidebar."""
    tab = browser.new_page()
    try:
        tab.set_viewport_size({"width": width, "height": 844})
        tab.goto(f"{server}/chapters/problem2.html", wait_until="load")
        toggle = tab.locator(".primary-toggle:visible")
        assert toggle.count() == 1, f"{toggle.count()} visible menu buttons at {width} px"
        sidebar = tab.locator("#pst-primary-sidebar")
        link = tab.get_by_role("link", name="Exercises", exact=True)
        dialog = tab.locator("#pst-primary-sidebar-modal")
        if width < 992:
            assert not link.is_visible(), "the menu is open before the button is pressed"
            toggle.click()
            tab.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open")
            link = dialog.get_by_role("link", name="Exercises", exact=True)
            assert link.is_visible()
            tab.keyboard.press("Escape")  # closes
            tab.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open")
            assert not link.is_visible()
            toggle.click()
            tab.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open")
        else:
            assert sidebar.is_visible() and link.is_visible()
            toggle.click()  # closes
            tab.wait_for_function(
                "() => getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility === 'hidden'"
            )
            toggle.click()  # opens again
            tab.wait_for_function(
                "() => getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility === 'visible'"
            )
        with tab.expect_navigation():
            link.click()
        assert tab.url.endswith("/chapters/exercises.html"), tab.url
        assert tab.locator("h1").first.inner_text().startswith("Exercises")
        if width < 992:
            assert not tab.evaluate("document.querySelector('#pst-primary-sidebar-modal').open")
    finally:
        tab.close()


@pytest.mark.parametrize("page", PAGES)
def test_opened_from_disk_the_math_has_its_fonts(browser, page):
    """From a file:// URL (README: open _build/html/index.html) Chromium refuses font files, so the KaTeX fonts are
    embedded in the stylesheet; nothing on the page may fail to load."""
    tab = browser.new_page()
    failed, console = [], []
    tab.on("requestfailed", lambda request: failed.append(f"{request.failure} {request.url}"))
    tab.on("console", lambda message: message.type == "error" and console.append(message.text))
    try:
        tab.goto((HTML / f"{page}.html").as_uri(), wait_until="load")
        tab.evaluate("document.fonts.ready.then(() => true)")
        report = tab.evaluate(MATH_REPORT)
        assert failed == [] and console == [], f"{page} from disk: failed {failed}, console {console}"
        if report["count"]:
            # one entry per face of KaTeX_Main; a face no formula uses stays "unloaded"
            assert "loaded" in report["fontStatus"] and "error" not in report["fontStatus"], report["fontStatus"]
            assert tab.evaluate("document.fonts.check('16px KaTeX_Main', 'x')")
    finally:
        tab.close()


def test_every_page_has_a_favicon(server, browser):
    tab = browser.new_page()
    try:
        for page in PAGES:
            tab.goto(f"{server}/{page}.html", wait_until="domcontentloaded")
            href = tab.evaluate("document.querySelector('link[rel~=icon]')?.href")
            assert href, f"{page} names no favicon"
            response = tab.request.get(href)
            assert response.ok and "svg" in response.headers["content-type"], f"{page}: {href} {response.status}"
    finally:
        tab.close()


def test_search_snippets_quote_each_formula_once(server, browser):
    """A snippet is the text of the page; KaTeX's HTML holds a formula three times (MathML, TeX, glyphs)."""
    tab = browser.new_page()
    try:
        tab.goto(f"{server}/search.html?q=bias", wait_until="load")
        tab.wait_for_function("() => document.querySelectorAll('#search-results li p.context').length >= 3")
        snippets = tab.eval_on_selector_all("#search-results li p.context", "ps => ps.map((p) => p.textContent)")
        tab.goto(f"{server}/chapters/problem1.html", wait_until="load")
        tripled = tab.evaluate("""() => [...document.querySelectorAll(".katex")].map((math) => {
            const tex = math.querySelector("annotation").textContent;
            const mathml = math.querySelector(".katex-mathml").textContent.replace(tex, "");
            return mathml + tex;
        })""")
        assert any(re.search(r"[\\^_]", snippet) for snippet in snippets), "no formula in the snippets of 'bias'"
        garbled = [s for s in snippets if any(len(t) > 2 and t in s for t in tripled)]
        assert garbled == [], f"snippets with a formula written twice: {garbled[:3]}"
    finally:
        tab.close()


def figure_text(page: str, figure: dict) -> float:
    """The CSS px of the smallest text of a figure as displayed, measured from its SVG at the displayed scale."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from html_fixes import svg_text_sizes, svg_width  # the one reader of these helpers

    path = HTML / unquote(figure["src"]).lstrip("/")
    assert path.suffix == ".svg", f"{page}: figure {path.name} is not a vector drawing"
    svg = path.read_text(encoding="utf-8")
    sizes = svg_text_sizes(svg)
    assert sizes, f"{page}: no text found in {path.name}"
    return min(sizes) * figure["width"] / svg_width(svg)


@pytest.mark.parametrize("page", PAGES)
def test_figure_text_is_as_large_as_the_small_print_on_a_phone(layouts, page):
    """Every figure is an SVG (vector: sharp when zoomed), and at 390 px its smallest text, measured from the SVG
    at the scale it is displayed, is at least the size of the page's small print (the footer)."""
    layout = layouts[page, NARROW["width"]]
    too_small = [
        f"{Path(f['src']).name}: {figure_text(page, f):.1f} px"
        for f in layout.figures
        if figure_text(page, f) < layout.smallPrint - 0.05
    ]
    assert too_small == [], f"{page}: figure text below the small print ({layout.smallPrint} px): {too_small}"


FIGURES_PER_PAGE = {  # the book's figures: a test below that found none on a page would prove nothing
    "chapters/prerequisites": 1,
    "chapters/problem2": 3,
    "chapters/relu_cross_entropy": 1,
    "chapters/training": 3,
    "chapters/gradient_checking": 1,
}


def test_the_book_s_figures_are_where_the_tests_look_for_them(layouts):
    found = {page: len(layouts[page, NARROW["width"]].figures) for page in PAGES}
    assert {page: n for page, n in found.items() if n} == FIGURES_PER_PAGE


@pytest.mark.parametrize("page", PAGES)
def test_no_figure_is_wider_than_one_and_a_half_screens_on_a_phone(layouts, page):
    """Issue 21: at 390 px every figure, drawn no smaller than the small print (the test above), is at most 1.5
    screens wide: a figure that needs more is drawn for a narrow column (mlp_book.figures, the pages' plots)."""
    widest = 1.5 * NARROW["width"]
    wide = [
        f"{Path(f['src']).name}: {f['width']:.0f} px"
        for f in layouts[page, NARROW["width"]].figures
        if f["width"] > widest
    ]
    assert wide == [], f"{page}: figures wider than {widest:.0f} px at {NARROW['width']} px: {wide}"


@pytest.mark.parametrize("page", PAGES)
def test_figure_labels_are_at_least_12_px_on_a_laptop(layouts, page):
    """Issue 21: at 1366 px no figure's text, its smallest label included, is drawn below 12 px."""
    small = [
        f"{Path(f['src']).name}: {figure_text(page, f):.1f} px"
        for f in layouts[page, WIDE["width"]].figures
        if figure_text(page, f) < 12 - 0.05
    ]
    assert small == [], f"{page}: figure text below 12 px at {WIDE['width']} px: {small}"


TABLET = {"width": 768, "height": 1024}


@pytest.mark.parametrize("viewport", [NARROW, TABLET], ids=["390", "768"])
def test_margin_notes_take_the_whole_column_where_there_is_no_margin(server, browser, viewport):
    """Where the theme has no margin (below 992 px), a margin note ("Relation to the source") sits between the
    paragraphs, as wide as the text, instead of floating beside it and squeezing the worked equations into half
    the column (book.css): at 768 px that squeezed Problem 2's eq (30) to 69%."""
    page = browser.new_page()
    try:
        page.set_viewport_size(viewport)
        page.goto(f"{server}/chapters/problem2.html")
        widths = page.evaluate(
            """() => {
                const column = document.querySelector('article.bd-article').getBoundingClientRect().width;
                return [...document.querySelectorAll('aside.margin')].map((a) => [
                    a.getBoundingClientRect().width / column, getComputedStyle(a).float]);
            }"""
        )
    finally:
        page.close()
    assert widths, "Problem 2 has margin notes"
    for share, float_ in widths:
        assert share > 0.9 and float_ == "none", widths


# The homework path: the pages a student reads for the homework (and the second worked example).
HOMEWORK_PATH = [
    "chapters/intro",
    "chapters/card",
    "chapters/prerequisites",
    "chapters/problem1",
    "chapters/problem2",
    "chapters/relu_cross_entropy",
]
# Display equations allowed to scroll in their box on a phone: a graph of the pass, nine columns wide.
SCROLLS_ON_A_PHONE = [r"\begin{array}{ccccccccc}"]
EQUATIONS_REPORT = """() => [...document.querySelectorAll('div.math > .katex-display')].map((box) => {
  const katex = box.querySelector(':scope > .katex');
  const bases = [...katex.querySelectorAll(':scope > .katex-html > .base')].map((b) => b.getBoundingClientRect());
  return {
    tex: (box.querySelector('annotation') || box).textContent.trim().replace(/\\s+/g, ' ').slice(0, 70),
    whiteSpace: getComputedStyle(katex).whiteSpace,
    scale: katex.style.fontSize ? parseFloat(katex.style.fontSize) / 1.21 : 1,
    // a piece that starts left of the one before it, below it, was put on a line of its own
    wrapped: bases.some((b, i) => i > 0 && b.left < bases[i - 1].left && b.top >= bases[i - 1].bottom - 1),
    overflow: box.scrollWidth - box.clientWidth,
  };
})"""


@pytest.mark.parametrize("page", HOMEWORK_PATH)
def test_homework_path_equations_are_not_wrapped_nor_shrunk_below_80_percent_on_a_phone(server, browser, page):
    """At 390 px no display equation is broken onto lines by the browser (it broke inside parentheses and after
    "in"): long ones are written one relation per row; book.js shrinks one to 80% at most, and only the graph of
    the pass still scrolls in its box."""
    tab = browser.new_page()
    try:
        tab.set_viewport_size(NARROW)
        tab.goto(f"{server}/{page}.html", wait_until="load")
        tab.evaluate("document.fonts.ready.then(() => true)")
        equations = tab.evaluate(EQUATIONS_REPORT)
    finally:
        tab.close()
    assert all(e["whiteSpace"] == "nowrap" for e in equations), page
    assert [e["tex"] for e in equations if e["wrapped"]] == [], page
    assert [(e["tex"], e["scale"]) for e in equations if e["scale"] < 0.8 - 1e-6] == [], page
    scrolls = [e["tex"] for e in equations if e["overflow"] > 0]
    assert [tex for tex in scrolls if not any(tex.startswith(s) for s in SCROLLS_ON_A_PHONE)] == [], page
