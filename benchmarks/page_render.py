"""Math typeset at build time (KaTeX, the book's setting) against math typeset in the browser (MathJax 3).

Run from the repository root (``make render-benchmark`` does, after installing what it needs):

    .venv/bin/python benchmarks/page_render.py               # build both books, 7 loads each
    .venv/bin/python benchmarks/page_render.py --no-build    # measure the books already built
    .venv/bin/python benchmarks/page_render.py --network 4g  # over an emulated 4G link
    .venv/bin/python benchmarks/page_render.py --quick       # no build, 1 load each: a smoke run (the tests')

It builds the book twice into _build/render-benchmark/: as configured (every formula pre-rendered by KaTeX
during the build), and with Sphinx's MathJax renderer, MathJax served from the book itself (npm ``mathjax``,
pinned in package.json, copied to _static/mathjax/ of that build), so neither build asks another host for
anything. It takes the page with the most math elements, serves both builds from 127.0.0.1 (gzip-compressed,
as any web server would), and loads that page in headless Chromium (Debian's), alternating between the builds,
each load in a fresh browser context (empty cache). Per load it records:

* math complete: the first animation frame at which every math element holds typeset output (KaTeX's or
  MathJax's) and none of the math fonts is still loading, in ms from navigation start; and the load event;
* layout shift: the sum of PerformanceObserver "layout-shift" entries until 1 s after the math is complete;
* bytes over the wire (Resource Timing transferSize, page and subresources) and decoded bytes; requests.

It prints medians and the targets (PASS/FAIL): math complete by the load event, layout shift below 0.01,
and no more bytes than the MathJax build. Missing a target does not change the exit code (0).

``--quick`` builds nothing, because a MathJax build of the book executes every notebook again (minutes): it
measures the heaviest page of the book ``make book`` built (_build/html) against a MathJax version of that one
page made from it (each KaTeX formula replaced by its TeX, as Sphinx's MathJax renderer writes it, KaTeX's
stylesheets and font preloads replaced by MathJax's script, the rest of the build copied as it is), one load
each, without a warm-up load. That runs every step of a measurement and prints the whole table, but the
MathJax page is close to, not byte for byte, what a MathJax build writes: take the numbers of a full run.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import re
import shutil
import statistics
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # the book's page list and Chromium's flags, as the tests use them
from book_pages import CHROMIUM_FLAGS, toc_pages  # noqa: E402

OUT = ROOT / "_build" / "render-benchmark"
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
CHROMIUM = "/usr/bin/chromium"
NETWORKS = {  # Chrome DevTools' presets: latency ms, bytes/s down and up
    "local": None,
    "4g": {"latency": 60, "downloadThroughput": 9_000_000 / 8, "uploadThroughput": 9_000_000 / 8},
    "3g": {"latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8},
}
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".txt", ".map"}

# Runs before any of the page's scripts: watches layout shifts, and notes the first frame at which every math
# element is typeset and no font is loading.
PROBE = """
window.__render = {cls: 0, mathDone: null};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__render.cls += e.value;
}).observe({type: "layout-shift", buffered: true});
function __mathTypeset() {
  if (document.readyState === "loading") return false;
  const math = document.querySelectorAll("span.math, div.math");
  for (const m of math) if (!m.querySelector(".katex, mjx-container")) return false;
  void document.body.offsetHeight;  // lay the page out now, so that the fonts it needs start to load
  // KaTeX's fonts (KaTeX_*) or MathJax's (MJX*): none still loading
  for (const f of document.fonts) if (/^["']?(KaTeX_|MJX)/.test(f.family) && f.status === "loading") return false;
  return math.length > 0;
}
(function frame() {
  if (__mathTypeset()) { window.__render.mathDone = performance.now(); return; }
  requestAnimationFrame(frame);
})();
"""

RESULT = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const all = [nav, ...resources];
  return {
    mathDone: window.__render.mathDone,
    load: nav.loadEventStart,
    cls: window.__render.cls,
    transfer: all.reduce((sum, e) => sum + e.transferSize, 0),
    decoded: all.reduce((sum, e) => sum + e.decodedBodySize, 0),
    requests: all.length,
    math: document.querySelectorAll("span.math, div.math").length,
  };
}"""


def build(name: str, config: Path | None, toc: str | None) -> Path:
    out = OUT / name
    cmd = [str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", ".", "--path-output", str(out), "--all"]
    if config is not None:
        cmd += ["--config", str(config)]
    if toc is not None:
        cmd += ["--toc", toc]
    print(f"building the {name} book ...", flush=True)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    html = out / "_build" / "html"
    if not (html / "index.html").exists():
        sys.exit(f"the {name} build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return html


def mathjax_config() -> Path:
    """_config.yml with Sphinx's MathJax renderer, loading MathJax from the book's own _static/mathjax/."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config.setdefault("sphinx", {})
    # --config moves the folder local extensions are found relative to: make their paths absolute
    sphinx["local_extensions"] = {k: str(ROOT / v) for k, v in (sphinx.get("local_extensions") or {}).items()}
    settings = sphinx.setdefault("config", {})
    settings["html_math_renderer"] = "mathjax"
    settings["mathjax_path"] = "mathjax/tex-mml-chtml.js"  # relative to _static
    settings["templates_path"] = [str(ROOT / p) for p in settings.get("templates_path", [])]
    path = OUT / "_config_mathjax.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def mathjax_copy(katex_html: Path, page: str) -> Path:
    """--quick: a copy of the KaTeX build whose page `page` typesets its math with MathJax in the browser."""
    from bs4 import BeautifulSoup

    out = OUT / "quick-mathjax"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(katex_html, out)
    (out / "_static" / "mathjax").symlink_to(MATHJAX, target_is_directory=True)  # served as it is
    path = out / f"{page}.html"
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for element in soup.select("span.math, div.math"):
        typeset = element.select_one("span.katex-display") or element.select_one("span.katex")
        tex = typeset.select_one('annotation[encoding="application/x-tex"]').get_text()
        typeset.replace_with("\\[" + tex + "\\]" if element.name == "div" else "\\(" + tex + "\\)")
    for link in soup.select("link"):
        if "/katex/" in link.get("href", ""):
            link.decompose()
    root = "../" * page.count("/")
    config = soup.new_tag("script")
    config.string = (
        'window.MathJax = {"options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}'
    )
    script = soup.new_tag("script", attrs={"async": "async", "src": f"{root}_static/mathjax/tex-mml-chtml.js"})
    soup.head.append(config)
    soup.head.append(script)
    path.write_text(str(soup), encoding="utf-8")
    return out


def heaviest_page(html: Path, toc_file: Path) -> tuple[str, int]:
    counts = {}
    for page in toc_pages(toc_file):
        path = html / f"{page}.html"
        if path.exists():
            counts[page] = len(re.findall(r'<(?:span|div) class="math[ "]', path.read_text(encoding="utf-8")))
    page = max(counts, key=counts.get)
    return page, counts[page]


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, text gzip-compressed when the browser accepts it (as a production server would)."""

    def log_message(self, format, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix not in COMPRESSED or "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(directory)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def measure(browser, url: str, network: dict | None) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(120_000)  # not Playwright's 30 s: a busy machine (other builds, tests) is slow
    try:
        page = context.new_page()
        if network is not None:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {"offline": False, **network})
        page.add_init_script(PROBE)
        page.goto(url, wait_until="load")
        page.wait_for_function("window.__render.mathDone !== null", timeout=60_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # layout shifts right after the math is complete still count
        return page.evaluate(RESULT)
    finally:
        context.close()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=7, help="loads of each build (default 7)")
    parser.add_argument("--no-build", action="store_true", help="measure the builds already in _build/render-benchmark")
    parser.add_argument("--toc", help="another _toc.yml to build (default: the book's)")
    parser.add_argument("--network", choices=sorted(NETWORKS), default="local", help="emulated link (default: none)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="no build, 1 load each: _build/html's heaviest page against a MathJax copy of it (see above)",
    )
    args = parser.parse_args(argv)
    if not MATHJAX.is_dir():
        sys.exit(f"MathJax is not installed at {MATHJAX}: npm ci")
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium")

    if args.quick:
        katex_html = ROOT / "_build" / "html"
        if not (katex_html / "index.html").exists():
            sys.exit(f"no built book in {katex_html}: run `make book` first")
        page, _ = heaviest_page(katex_html, Path(args.toc) if args.toc else ROOT / "_toc.yml")
        builds = {"katex": katex_html, "mathjax": mathjax_copy(katex_html, page)}
        args.loads = 1
        print("--quick: no build; the MathJax page is a copy of the KaTeX one with the TeX put back (a smoke run)")
    elif args.no_build:
        builds = {name: OUT / name / "_build" / "html" for name in ("katex", "mathjax")}
    else:
        builds = {"katex": build("katex", None, args.toc), "mathjax": build("mathjax", mathjax_config(), args.toc)}
        shutil.copytree(MATHJAX, builds["mathjax"] / "_static" / "mathjax", dirs_exist_ok=True)
    page, count = heaviest_page(builds["katex"], Path(args.toc) if args.toc else ROOT / "_toc.yml")
    print(
        f"page: {page}.html, {count} math elements; {args.loads} load(s) of each build, alternating; "
        f"network: {args.network}"
    )

    from playwright.sync_api import sync_playwright

    servers = {name: serve(html) for name, html in builds.items()}
    runs: dict[str, list[dict]] = {name: [] for name in builds}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
            try:
                for name in builds if not args.quick else []:  # a warm-up load each: the OS file cache
                    measure(browser, f"{servers[name][1]}/{page}.html", NETWORKS[args.network])
                for i in range(args.loads):
                    order = list(builds) if i % 2 == 0 else list(reversed(builds))
                    for name in order:
                        runs[name].append(measure(browser, f"{servers[name][1]}/{page}.html", NETWORKS[args.network]))
            finally:
                browser.close()
    finally:
        for server, _ in servers.values():
            server.shutdown()
            server.server_close()

    med = {name: {key: statistics.median(r[key] for r in rs) for key in rs[0]} for name, rs in runs.items()}
    print()
    print(
        f"{'build':<26}{'math complete':>15}{'load event':>12}{'layout shift':>14}"
        f"{'bytes (wire)':>14}{'bytes (decoded)':>17}{'requests':>10}"
    )
    labels = {"katex": "KaTeX at build time", "mathjax": "MathJax 3 in the browser"}
    for name, m in med.items():
        print(
            f"{labels[name]:<26}{m['mathDone']:>12.0f} ms{m['load']:>9.0f} ms{m['cls']:>14.4f}"
            f"{m['transfer']:>14,.0f}{m['decoded']:>17,.0f}{m['requests']:>10.0f}"
        )
    k, j = med["katex"], med["mathjax"]
    print(
        f"{'ratio MathJax / KaTeX':<26}{j['mathDone'] / k['mathDone']:>15.2f}{j['load'] / k['load']:>12.2f}"
        f"{'':>14}{j['transfer'] / k['transfer']:>14.2f}{j['decoded'] / k['decoded']:>17.2f}"
        f"{j['requests'] / k['requests']:>10.2f}"
    )
    print()
    late = [r["mathDone"] - r["load"] for r in runs["katex"]]
    targets = [
        (
            "math complete by the load event (KaTeX, every load, 1 frame = 17 ms slack)",
            max(late) <= 17,
            f"latest {max(late):+.0f} ms from the load event",
        ),
        (
            "layout shift below 0.01 (KaTeX, every load)",
            max(r["cls"] for r in runs["katex"]) < 0.01,
            f"worst {max(r['cls'] for r in runs['katex']):.4f}",
        ),
        (
            "no more bytes than the MathJax build (median, over the wire)",
            k["transfer"] <= j["transfer"],
            f"{k['transfer']:,.0f} vs {j['transfer']:,.0f}",
        ),
    ]
    for text, ok, detail in targets:
        print(f"{'PASS' if ok else 'FAIL'}  {text}: {detail}")


if __name__ == "__main__":
    main()
