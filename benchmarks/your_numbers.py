"""How fast "Check your numbers" recomputes, and how big its script is.

Run from the repository root after `make book`:

    .venv/bin/python benchmarks/your_numbers.py             # 200 recomputes at N = N1 = K = 10
    .venv/bin/python benchmarks/your_numbers.py --repeats 50

It serves _build/html on 127.0.0.1, opens chapters/your_numbers.html in headless Chromium (Debian's), loads a
seeded random network with N = N1 = K = 10 through the #spec= fragment, and then, repeatedly, changes one weight
the way typing does (set the field's value, dispatch an ``input`` event) and measures in the page:

* handler: from the ``input`` event to the end of its handler, which reads every field, computes the whole step
  (forward, backward, update, both cases) and writes every value into the page;
* with layout: the same, then the style and layout it causes (forced by reading ``offsetHeight``);
* to the next frame: from the event to the start of the next animation frame, after style and layout;
* compute only: ``explain`` on the same network, without the page.

It prints the medians (and the 90th percentile), the size in bytes of _static/your_numbers.js and .css as
written and gzip-compressed, and whether the median handler with its layout fits in one 60 Hz frame (16.7 ms). It always
exits 0 when it runs through.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import statistics
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # Chromium's flags, as the tests use them
from book_pages import CHROMIUM_FLAGS  # noqa: E402

HTML = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
FRAME_MS = 1000 / 60

MEASURE = """async (repeats) => {
  const field = document.querySelector('.yn-cell[aria-label="W1[1, 1]"]');
  const handler = [], layout = [], frame = [], compute = [];
  const spec = JSON.parse(decodeURIComponent(location.hash.slice(6).split("&")[0]));
  const table = JSON.parse(document.getElementById("yn-config").textContent).table;
  for (let r = 0; r < repeats; r++) {
    field.value = String(0.5 + (r % 7) / 8);
    const t0 = performance.now();
    field.dispatchEvent(new Event("input", {bubbles: true}));
    const t1 = performance.now();
    void document.body.offsetHeight; // style and layout, now
    const t5 = performance.now();
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const t2 = performance.now();
    const t3 = performance.now();
    window.yourNumbers.explain(spec, table);
    const t4 = performance.now();
    handler.push(t1 - t0); layout.push(t5 - t0); frame.push(t2 - t0); compute.push(t4 - t3);
  }
  return {handler, layout, frame, compute, renders: Number(document.getElementById("yn-app").dataset.renders)};
}"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def size_line(path: Path) -> str:
    data = path.read_bytes()
    return f"{path.relative_to(ROOT)}: {len(data)} bytes, {len(gzip.compress(data, 9))} gzip-compressed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    if not (HTML / "chapters" / "your_numbers.html").is_file():
        sys.exit("no _build/html/chapters/your_numbers.html: run `make book` first")
    from playwright.sync_api import sync_playwright

    rng = np.random.default_rng(0)
    n = 10
    spec = {
        "x": rng.standard_normal(n).tolist(),
        "y": np.eye(n)[3].tolist(),
        "W1": rng.standard_normal((n, n)).tolist(),
        "W1_0": rng.standard_normal(n).tolist(),
        "W2": rng.standard_normal((n, n)).tolist(),
        "W2_0": rng.standard_normal(n).tolist(),
        "activation": "tanh",
        "loss": "cross_entropy",
        "lr": 0.5,
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/chapters/your_numbers.html#spec=" + quote(json.dumps(spec))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url, wait_until="load")
            page.wait_for_selector("#yn-app[data-renders]")
            assert page.locator('.yn-cell[data-cell="W1"]').count() == n * n, "the network did not load"
            page.evaluate(MEASURE, 20)  # warm-up: the JIT compiles the hot functions
            result = page.evaluate(MEASURE, args.repeats)
            version = browser.version
            browser.close()
    finally:
        httpd.shutdown()

    def stats(xs):
        xs = sorted(xs)
        return f"median {statistics.median(xs):7.3f} ms   p90 {xs[int(0.9 * (len(xs) - 1))]:7.3f} ms"

    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"Chromium {version}, N = N1 = K = {n}, {args.repeats} recomputes ({result['renders']} renders in all)")
    print(f"  load average {load} on {os.cpu_count()} cores: other processes slow every number below")
    print(f"  handler (read, compute, write):  {stats(result['handler'])}")
    print(f"  handler, then style and layout:  {stats(result['layout'])}")
    print(f"  input event to the next frame:   {stats(result['frame'])}")
    print(f"  compute only (explain):          {stats(result['compute'])}")
    median = statistics.median(result["layout"])
    verdict = "PASS" if median < FRAME_MS else "FAIL"
    print(f"  target: the median handler with its layout within one 60 Hz frame ({FRAME_MS:.1f} ms): {verdict}")
    for name in ("your_numbers.js", "your_numbers.css"):
        print("  " + size_line(ROOT / "_static" / name))


if __name__ == "__main__":
    main()
