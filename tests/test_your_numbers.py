"""The page "Check your numbers" (chapters/your_numbers.md, _static/your_numbers.js) against mlp, in Chromium.

The page computes the step in JavaScript; these tests ask it and mlp the same questions. Random networks go in
through the page's #spec= fragment, all in one tab: every data-key value must match mlp.explain to a relative
error of 1e-10 (or an absolute 1e-14); the tied and saturated cases of the shared file of cases
(tests/your_numbers_cases.json, which tests/test_grading.py and a Node test of the script also run) to 1e-12
(1e-300). Then typing, grading a reader's numbers (students of the shared file, through the page's own links, and
the CLI's --compare on the same numbers), check mode, bad input, the keyboard, a phone's width and axe-core. Run
after `make book`.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from book_pages import CHROMIUM_FLAGS
from test_browser import AXE, AXE_REPORT, CHROMIUM, HTML, server  # noqa: F401  (server is a fixture)
from test_cli import SPEC_342

import mlp
from mlp.activations import get_activation
from mlp.compare import quantities
from mlp.numbers import fmt, to_jsonable
from mlp.one_step import explain
from mlp.pass_table import PASS
from mlp.spec import parse_spec
from mlp.validate import InputError

PAGE = "chapters/your_numbers.html"
ACTIVATIONS = ("sigmoid", "relu", "tanh", "identity")
LOSSES = ("squared", "cross_entropy")
N_RANDOM = 120
RTOL, ATOL = 1e-10, 1e-14


@pytest.fixture(scope="module")
def tab(server):  # noqa: F811
    """One tab on the page for the whole module; console errors and requests to other hosts are collected."""
    if not (HTML / PAGE).is_file():
        pytest.fail(f"no {PAGE} in {HTML}: run `make book` first (`make test` does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.errors = []  # console errors, uncaught exceptions and foreign requests
            host = server.split("//", 1)[1]

            def route(r):
                if r.request.url.startswith(("http://", "https://")) and host not in r.request.url.split("/")[2]:
                    page.errors.append(f"request to another host: {r.request.url}")
                    r.abort("blockedbyclient")
                else:
                    r.continue_()

            page.route("**/*", route)
            page.on("console", lambda m: m.type == "error" and "favicon" not in m.text and page.errors.append(m.text))
            page.on("pageerror", lambda e: page.errors.append(f"uncaught: {e}"))
            page.base = f"{server}/{PAGE}"
            page.goto(page.base, wait_until="load")
            page.wait_for_selector("#yn-app[data-renders]")
            yield page
        finally:
            browser.close()


@pytest.fixture
def fresh(tab):
    """The tab back on Problem 2, the compare fields off and empty; afterwards, no console error."""
    tab.evaluate("""() => {
      const t = document.getElementById("yn-mine-toggle"), c = document.getElementById("yn-check-toggle");
      for (const f of document.querySelectorAll(".yn-mine-cell, #yn-mine-json")) {
        f.value = "";
        f.dispatchEvent(new Event("input", {bubbles: true}));
      }
      if (c.checked) c.click();
      if (t.checked) t.click();
    }""")
    tab.click('button[data-preset="problem2"]')
    yield tab
    assert tab.errors == [], tab.errors
    tab.errors.clear()


def page_values(tab) -> dict:
    return tab.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('[data-key]')]"
        ".map((e) => [e.dataset.key, JSON.parse(e.dataset.value)]))"
    )


def cli_values(spec: dict) -> dict:
    """mlp.explain on the spec, as `explain --json` prints it, flattened to {"section.name": value}."""
    result = to_jsonable(explain(parse_spec(spec)))
    return {f"{s}.{n}": v for s, d in result.items() for n, v in d.items()}


def spec_hash(spec: dict, mine: dict | None = None, check: bool = False) -> str:
    """The page's address for a network, and a reader's numbers: #spec=<JSON>&mine=<JSON>&check=1."""
    h = "#spec=" + quote(json.dumps(spec), safe="")
    if mine is not None:
        h += "&mine=" + quote(json.dumps(mine), safe="")
    return h + ("&check=1" if check else "")


CASES = json.loads((Path(__file__).parent / "your_numbers_cases.json").read_text(encoding="utf-8"))


# ---- random networks through the fragment -------------------------------------------------------------------------


def random_spec(rng: np.random.Generator, i: int) -> dict:
    """Sizes 1 to 6; every activation and loss in turn; a random lr. Entries are multiples of 1/16, so that z1 is
    exact in any order of summation: a ReLU unit whose z1 is made exactly 0 is 0 in numpy and in the page alike.
    Every fifth network gets output biases in the hundreds: logits far apart, probabilities that underflow."""
    N, N1, K = (int(n) for n in rng.integers(1, 7, size=3))
    activation, loss = ACTIVATIONS[i % 4], LOSSES[(i // 4) % 2]

    def q(shape):
        return rng.integers(-48, 49, size=shape) / 16  # in [-3, 3]

    x, W1, W1_0, W2, W2_0 = q(N), q((N, N1)), q(N1), q((N1, K)), q(K)
    if i % 5 == 0:
        W2_0 = rng.integers(-700, 701, size=K).astype(float)
    if activation == "relu" or i % 7 == 0:
        j = int(rng.integers(N1))
        W1_0[j] = -(W1[:, j] @ x)  # z1[j] = 0 exactly: the kink
    y = np.zeros(K)
    if i % 3 == 2 and K > 1:
        y = rng.integers(0, 5, size=K).astype(float)
        y[0] += 1
        y /= y.sum()  # a soft target
    else:
        y[int(rng.integers(K))] = 1.0
    lr = float(np.exp(rng.uniform(np.log(0.01), np.log(5.0))))
    spec = {"x": x, "y": y, "W1": W1, "W1_0": W1_0, "W2": W2, "W2_0": W2_0}
    return {**{k: v.tolist() for k, v in spec.items()}, "activation": activation, "loss": loss, "lr": lr}


def logsumexp_loss(y, z2) -> float:
    """The cross-entropy from the logits, -sum_k y[k] log softmax(z2)[k], in plain numpy (no clipping)."""
    z2, y = np.asarray(z2), np.asarray(y)
    m = z2.max()
    return float(np.sum(y * (m - z2 + np.log(np.sum(np.exp(z2 - m))))))


def test_random_networks_match_mlp(tab):
    rng = np.random.default_rng(13)
    specs = [random_spec(rng, i) for i in range(N_RANDOM)]
    kinks = sum(
        s["activation"] == "relu" and 0.0 in (np.array(s["W1"]).T @ np.array(s["x"]) + s["W1_0"]).tolist()
        for s in specs
    )
    gaps = [np.ptp(cli_values(s)["forward.z2"]) for s in specs]
    assert kinks >= N_RANDOM // 4 and max(gaps) > 745, "the random networks reach ReLU's kink and underflowing softmax"
    results = tab.evaluate(
        """async (hashes) => {
          const app = document.getElementById("yn-app");
          const out = [];
          for (const h of hashes) {
            const n = Number(app.dataset.fragments || 0);
            location.hash = h;
            while (Number(app.dataset.fragments || 0) === n) await new Promise((r) => setTimeout(r, 0));
            const values = Object.fromEntries([...document.querySelectorAll("[data-key]")]
              .map((e) => [e.dataset.key, JSON.parse(e.dataset.value)]));
            out.push({values, error: document.getElementById("yn-status").getAttribute("data-error")});
          }
          return out;
        }""",
        [spec_hash(s) for s in specs],
    )
    worst_rel, worst_abs, entries, underflows = (0.0, ""), (0.0, ""), 0, 0
    for i, (spec, got) in enumerate(zip(specs, results, strict=True)):
        assert got["error"] is None, f"spec {i}: the page reports an error"
        want = cli_values(spec)
        assert set(want) <= set(got["values"]), f"keys of explain --json that the page lacks: {set(want) - set(got)}"
        act = get_activation(spec["activation"])
        want.setdefault("backward.f_prime_z1", act.f_prime(np.array(want["forward.z1"])).tolist())  # page-only today
        if spec["loss"] == "cross_entropy":
            # The page takes the loss from the logits; a version of mlp that clips log(y_hat) caps it near 708.
            for section in ("forward", "after_both_layers", "after_second_layer_only"):
                want[f"{section}.loss"] = logsumexp_loss(spec["y"], want[f"{section}.z2"])
            # -y / y_hat, 0 where the target is 0 and -inf where y_hat underflowed (JSON's null); not clipped.
            y, y_hat = np.array(spec["y"]), np.array(want["forward.y_hat"])
            with np.errstate(divide="ignore", over="ignore"):
                want["backward.grad_y_hat"] = np.where(y == 0, 0.0, -y / np.where(y == 0, 1.0, y_hat))
            got["values"]["backward.grad_y_hat"] = [
                -np.inf if v is None else v for v in got["values"]["backward.grad_y_hat"]
            ]
            underflows += int(np.isinf(want["backward.grad_y_hat"]).any())
        for key in set(want) & set(got["values"]):
            a, b = np.asarray(got["values"][key], dtype=float), np.asarray(want[key], dtype=float)
            assert a.shape == b.shape, f"spec {i}, {key}: shape {a.shape}, mlp's {b.shape}"
            same = a == b  # -inf == -inf, where a subtraction would give nan
            err = np.abs(np.where(same, 0.0, a) - np.where(same, 0.0, b))
            ok = same | (err <= RTOL * np.abs(b)) | (err <= ATOL)
            assert ok.all(), f"spec {i} {spec}, {key}: page {a[~ok]} mlp {b[~ok]}"
            entries += b.size
            rel = np.where(err > ATOL, err / np.maximum(np.abs(b), np.finfo(float).tiny), 0.0)  # needs the rtol test
            small = np.where(err > RTOL * np.abs(b), err, 0.0)  # needs the atol test
            worst_rel = max(worst_rel, (float(rel.max()), f"spec {i}, {key}"))
            worst_abs = max(worst_abs, (float(small.max()), f"spec {i}, {key}"))
    assert underflows > 0, "some cross-entropy network has a target class whose probability underflows to 0"
    print(
        f"\n{N_RANDOM} random networks, {entries} entries, {underflows} with a target's y_hat underflowing to 0:"
        f" worst relative error {worst_rel[0]:.3g} ({worst_rel[1]}) among entries off by more than {ATOL:g};"
        f" worst absolute error {worst_abs[0]:.3g} ({worst_abs[1]}) among entries off by more than {RTOL:g} relative"
    )
    assert tab.errors == [], tab.errors


EXTREMES = [c for c in CASES["cases"] if c["kind"] == "extreme"]


def test_tied_and_saturated_logits_give_mlp_s_values_in_the_page(tab):
    """The shared file's extremes through the page's own fragment: tied leading logits with the target elsewhere
    (delta2 = [1.59e-18, 1.59e-18, -3.19e-18], where the page once gave [0, 0, -3.19e-18]), saturated logits,
    pre-activations on ReLU's kink, to 1e-12 relative (1e-300 absolute)."""
    for case in EXTREMES:
        n = int(tab.evaluate("document.getElementById('yn-app').dataset.fragments || 0"))
        tab.evaluate("(h) => { location.hash = h; }", spec_hash(case["spec"]))
        tab.wait_for_function(f"() => Number(document.getElementById('yn-app').dataset.fragments) > {n}")
        assert tab.locator("#yn-status").get_attribute("data-error") is None, case["name"]
        got = page_values(tab)
        for key, want in case["values"].items():
            a = np.array([-np.inf if v is None else v for v in np.ravel(got[key])], dtype=float)
            b = np.array([-np.inf if v is None else v for v in np.ravel(want)], dtype=float)
            with np.errstate(invalid="ignore"):
                err = np.abs(np.where(a == b, 0.0, a - b))
            assert np.all((a == b) | (err <= 1e-12 * np.abs(b)) | (err <= 1e-300)), (case["name"], key, a, b)
    tied = next(c for c in EXTREMES if c["name"] == "tied logits, target elsewhere")
    assert tied["values"]["backward.delta2"][0] > 0
    assert tab.errors == [], tab.errors


def test_the_page_writes_numbers_as_mlp_fmt_does(tab):
    """Ties at the 5th decimal round half to even in Python; JavaScript's toFixed rounds them up."""
    values = [0.03125, -0.03125, 0.96875, 2.5, -0.0, 0.0, -0.00004, 0.00005, 1e15, 1.00005e15, 1.00015e15, 9.99995e15,
              1e308, -1e-300, 123.45675, 0.99995, 12345678.123456789, 4503599627370495.5, 7.77e25, 1 / 3]  # fmt: skip
    assert tab.evaluate("(vs) => vs.map((v) => window.yourNumbers.fmt(v))", values) == [fmt(v) for v in values]


# ---- typing ---------------------------------------------------------------------------------------------------------


def cell(tab, name, i, j=None):
    return tab.locator(
        f'.yn-cell[aria-label="{name}[{i}]"]' if j is None else f'.yn-cell[aria-label="{name}[{i}, {j}]"]'
    )


def fragment_parts(tab) -> dict:
    h = tab.evaluate("location.hash")
    assert h.startswith("#spec=")
    parts = dict(part.split("=", 1) for part in h[1:].split("&"))
    return {k: tab.evaluate("(h) => decodeURIComponent(h)", v) for k, v in parts.items()}


def fragment_spec(tab) -> dict:
    return json.loads(fragment_parts(tab)["spec"])


def test_typing_changes_the_fragment_and_every_value(fresh):
    before = page_values(fresh)
    field = cell(fresh, "W1", 1, 2)
    field.click()
    field.press("Control+a")
    field.press_sequentially("-2.5")  # key by key: the page recomputes on each
    spec = fragment_spec(fresh)
    assert spec["W1"][0][1] == -2.5
    after = page_values(fresh)
    assert after["forward.z1"] != before["forward.z1"]
    for key, value in cli_values(spec).items():
        np.testing.assert_allclose(after[key], value, rtol=RTOL, atol=ATOL, err_msg=key)
    fresh.select_option("#yn-activation", "tanh")
    assert fragment_spec(fresh)["activation"] == "tanh"
    assert page_values(fresh)["forward.H"] == pytest.approx(np.tanh(after["forward.z1"]).tolist(), rel=1e-15)


def test_presets_are_the_source_and_the_exercise_variants(fresh):
    base = json.loads(mlp.spec.problem2_text())
    for preset, change in [
        ("problem2", {}),
        ("cross-entropy", {"loss": "cross_entropy"}),
        ("relu", {"activation": "relu"}),
        ("lr-0.1", {"lr": 0.1}),
        ("lr-1", {"lr": 1.0}),
        ("lr-5", {"lr": 5.0}),
    ]:
        fresh.click(f'button[data-preset="{preset}"]')
        want = {k: base[k] for k in mlp.spec.REQUIRED} | change
        assert fragment_spec(fresh) == want, preset
        assert page_values(fresh)["after_both_layers.loss"] == pytest.approx(cli_values(want)["after_both_layers.loss"])


# ---- grading a reader's numbers ----------------------------------------------------------------------------------

VERDICTS = (
    "() => Object.fromEntries([...document.querySelectorAll('.yn-q')].map((b) => [b.dataset.q, b.dataset.verdict]))"
)


def open_attempt(tab, spec: dict, mine: dict, check: bool = True) -> None:
    """The page on a network and a reader's numbers, through the link a student would send."""
    n = int(tab.evaluate("document.getElementById('yn-app').dataset.fragments || 0"))
    tab.evaluate("(h) => { location.hash = h; }", spec_hash(spec, mine, check))
    tab.wait_for_function(f"() => Number(document.getElementById('yn-app').dataset.fragments) > {n}")


def cli_grades(run_mlp, tmp_path, spec: dict, mine: dict) -> tuple[int, dict]:
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    (tmp_path / "mine.json").write_text(json.dumps(mine), encoding="utf-8")
    proc = run_mlp("explain", str(tmp_path / "spec.json"), "--compare", str(tmp_path / "mine.json"), "--json")
    assert proc.stderr == ""
    return proc.returncode, json.loads(proc.stdout)


# One student of each kind, from random networks and the extremes, and one with a square transpose.
ATTEMPTS = [
    next((c, s) for c in CASES["cases"] for s in c["students"] if s["kind"] == kind and c["kind"] == group)
    for kind in ("careful", "partial", "slip", "transpose")
    for group in ("random", "extreme")
] + [next((c, s) for c in CASES["cases"] for s in c["students"] if s["transposed"].get(s.get("transpose")) == "values")]


@pytest.mark.parametrize(("case", "student"), ATTEMPTS, ids=[f"{c['name']}-{s['kind']}" for c, s in ATTEMPTS])
def test_a_link_of_an_attempt_opens_graded_as_the_cli_grades_it(fresh, case, student, run_mlp, tmp_path):
    open_attempt(fresh, case["spec"], student["mine"])
    assert fresh.locator("#yn-mine-toggle").is_checked() and fresh.locator("#yn-check-toggle").is_checked()
    verdicts = fresh.evaluate(VERDICTS)
    assert verdicts == student["verdicts"]
    summary = fresh.locator("#yn-summary")
    assert summary.get_attribute("data-first-wrong") == (student["first_wrong"] or "")
    code, cli = cli_grades(run_mlp, tmp_path, case["spec"], student["mine"])
    assert cli["verdicts"] == verdicts and cli["first_wrong"] == student["first_wrong"]
    assert code == (0 if student["first_wrong"] is None else 1)
    if student["first_wrong"]:
        q = next(q for q in PASS if q.key == student["first_wrong"])
        assert q.label in summary.inner_text() and "first wrong step" in summary.inner_text()
        wrong = fresh.locator(f'.yn-q[data-q="{q.key}"] .yn-verdict').inner_text()
        assert wrong.startswith("✗ wrong")
        if student["transposed"].get(q.key):
            assert "transpose" in wrong
    # The page writes the same attempt back into its address.
    assert json.loads(fragment_parts(fresh)["mine"]) == student["mine"]


def test_the_page_grades_every_student_of_the_shared_file_as_mlp_does(tab):
    """The script as Chromium runs it, on all the shared file's students (the Node test runs the same file)."""
    results = tab.evaluate(
        """(cases) => {
          const table = JSON.parse(document.getElementById("yn-config").textContent).table;
          const api = window.yourNumbers, out = [];
          const flat = (v) => (Array.isArray(v) ? v.flat() : [v]);
          const shape = (v) => (!Array.isArray(v) ? [] : Array.isArray(v[0]) ? [v.length, v[0].length] : [v.length]);
          for (const c of cases) {
            const spec = api.checkSpec(c.spec), values = api.explain(spec, table);
            for (const s of c.students) {
              const mine = {};
              for (const [sec, d] of Object.entries(s.mine)) {
                for (const [n, v] of Object.entries(d)) mine[`${sec}.${n}`] = {values: flat(v), shape: shape(v)};
              }
              const r = api.grade(spec, table, values, mine, 4);
              out.push({verdicts: r.verdicts, first_wrong: r.firstWrong});
            }
          }
          return out;
        }""",
        CASES["cases"],
    )
    want = [{"verdicts": s["verdicts"], "first_wrong": s["first_wrong"]} for c in CASES["cases"] for s in c["students"]]
    assert len(results) == len(want) >= 600
    assert results == want
    assert tab.errors == [], tab.errors


def test_typing_a_slip_makes_that_step_wrong_and_the_next_follow(fresh, run_mlp, tmp_path):
    """Problem 2 typed by hand: grad H with its signs swapped (W2^T delta2 taken for W2 delta2, say), delta1 from it."""
    fresh.check("#yn-mine-toggle")
    mine = {"forward": {"z1": [4, 0], "loss": 0.3928}, "backward": {"delta2": [0.2932, -0.2932],
            "grad_H": [0.2932, -0.2932], "delta1": [0.0052, -0.0733]}}  # fmt: skip
    for section, names in mine.items():
        for name, value in names.items():
            cells = fresh.locator(f'.yn-q[data-q="{section}.{name}"] .yn-mine-cell')
            for i, v in enumerate(np.ravel(value)):
                cells.nth(i).fill(str(v))
    verdicts = {k: v for k, v in fresh.evaluate(VERDICTS).items() if v != "missing"}
    assert verdicts == {"forward.z1": "agrees", "forward.loss": "rounding", "backward.delta2": "agrees",
                        "backward.grad_H": "wrong", "backward.delta1": "follows"}  # fmt: skip
    assert fresh.locator("#yn-summary").get_attribute("data-first-wrong") == "backward.grad_H"
    follows = fresh.locator('.yn-q[data-q="backward.delta1"] .yn-verdict').inner_text()
    assert follows.startswith("→ follows") and "∇H" in follows
    rounding = fresh.locator('.yn-q[data-q="forward.loss"] .yn-verdict').inner_text()
    assert "carry more digits" in rounding
    spec = {k: v for k, v in json.loads(mlp.spec.problem2_text()).items() if k in mlp.spec.REQUIRED}
    code, cli = cli_grades(run_mlp, tmp_path, spec, mine)
    assert code == 1 and {k: v for k, v in cli["verdicts"].items() if v != "missing"} == verdicts


def test_check_mode_hides_each_value_until_the_reader_has_typed_theirs(fresh):
    fresh.check("#yn-check-toggle")
    assert fresh.locator("#yn-mine-toggle").is_checked()  # check mode brings the fields
    value = fresh.locator('.yn-q[data-q="forward.z2"] .yn-value .yn-m')
    assert not value.is_visible()
    assert fresh.locator('.yn-q[data-q="forward.z2"] .yn-value').get_attribute("aria-hidden") == "true"
    assert fragment_parts(fresh).get("check") == "1"
    cells = fresh.locator('.yn-q[data-q="forward.z2"] .yn-mine-cell')
    cells.nth(0).fill("2.964")
    assert not value.is_visible()  # half typed: still hidden
    cells.nth(1).fill("2.446")
    assert value.is_visible()
    assert fresh.locator('.yn-q[data-q="forward.z2"]').get_attribute("data-verdict") == "agrees"
    assert not fresh.locator('.yn-q[data-q="forward.y_hat"] .yn-value .yn-m').is_visible()
    fresh.uncheck("#yn-check-toggle")
    assert fresh.locator('.yn-q[data-q="forward.y_hat"] .yn-value .yn-m').is_visible()


def test_matrix_fields_show_their_rows_and_the_arrow_keys_move_between_them(fresh):
    fresh.check("#yn-mine-toggle")
    grid = fresh.locator('.yn-q[data-q="backward.grad_W2"] .yn-mine-grid')
    assert grid.locator("tr").count() == 2 and grid.locator("tr").first.locator("input").count() == 2
    first = grid.locator(".yn-mine-cell").first
    first.focus()
    fresh.keyboard.press("ArrowDown")
    assert fresh.evaluate("document.activeElement.getAttribute('aria-label')") == "Your ∇W²[2, 1], backward pass"
    fresh.keyboard.press("ArrowRight")  # the entry is empty: the caret is at its end
    assert fresh.evaluate("document.activeElement.getAttribute('aria-label')") == "Your ∇W²[2, 2], backward pass"
    fresh.keyboard.press("ArrowUp")
    assert fresh.evaluate("document.activeElement.getAttribute('aria-label')") == "Your ∇W²[1, 2], backward pass"
    # a row of numbers pasted into the first entry fills the entries after it
    first.focus()
    fresh.evaluate("""() => {
      const f = document.activeElement, data = new DataTransfer();
      data.setData("text/plain", "0.288 -0.288 0.1466 -0.1466");
      f.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""")
    assert [grid.locator(".yn-mine-cell").nth(i).input_value() for i in range(4)] == [
        "0.288",
        "-0.288",
        "0.1466",
        "-0.1466",
    ]
    assert fresh.locator('.yn-q[data-q="backward.grad_W2"]').get_attribute("data-verdict") == "agrees"


def test_a_pasted_matrix_of_the_transposed_shape_is_named_transposed(fresh):
    spec = dict(SPEC_COMPARE)
    grad = quantities(parse_spec(spec))["backward.grad_W2"]  # 4 x 2
    fresh.evaluate("(h) => { location.hash = h; }", spec_hash(spec))
    fresh.wait_for_function("() => document.getElementById('yn-activation').value === 'tanh'")
    fresh.check("#yn-mine-toggle")
    fresh.fill("#yn-mine-json", json.dumps({"backward": {"grad_W2": np.round(grad.T, 4).tolist()}}))
    block = fresh.locator('.yn-q[data-q="backward.grad_W2"]')
    assert block.get_attribute("data-verdict") == "wrong"
    assert "transposed shape" in block.locator(".yn-verdict").inner_text()
    assert "numbers are right" in block.locator(".yn-verdict").inner_text()
    fresh.fill("#yn-mine-json", "")


def test_the_page_lists_the_keys_of_your_numbers(fresh):
    keys = fresh.evaluate("() => [...document.querySelectorAll('table code')].map((c) => c.textContent)")
    assert [q.key for q in PASS] == [k for k in keys if k in {q.key for q in PASS}]


def test_the_summary_stays_in_view_beside_the_fields_on_a_phone(fresh):
    fresh.set_viewport_size({"width": 390, "height": 844})
    try:
        fresh.check("#yn-mine-toggle")
        fresh.locator('.yn-q[data-q="forward.z1"] .yn-mine-cell').first.fill("4")
        for key in ("forward.z1", "backward.delta1", "after_second_layer_only.loss"):
            fresh.locator(f'.yn-q[data-q="{key}"]').scroll_into_view_if_needed()
            box = fresh.locator("#yn-summary").bounding_box()
            assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 844 + 1, (key, box)
    finally:
        fresh.set_viewport_size({"width": 1280, "height": 900})


SPEC_COMPARE = SPEC_342 | {"activation": "tanh", "lr": 0.5}  # 3-4-2: every kind of shape differs


def test_pasted_numbers_that_do_not_fit_are_refused_by_name(fresh):
    fresh.check("#yn-mine-toggle")
    for text, message in [
        ("{", "not valid JSON"),
        ('{"forward": {"z9": 1}}', "unknown quantity 'forward.z9'"),
        ('{"forward": {"z1": ["a", 0]}}', "forward.z1 must be a number"),
        ('{"forward": {"z1": [1, 2, 3]}}', "forward.z1 has shape (3,); the page's has shape (2,)"),
        ('{"backward": {"grad_W2": [[1, 2], [3]]}}', "backward.grad_W2 is not a rectangular array"),
    ]:
        fresh.fill("#yn-mine-json", text)
        assert any(message in e for e in error_texts(fresh)), (text, error_texts(fresh))
    fresh.fill("#yn-mine-json", '{"forward": {"z1": [4, 0]}}')
    assert error_texts(fresh) == []
    assert fresh.locator('.yn-q[data-q="forward.z1"]').get_attribute("data-verdict") == "agrees"
    fresh.fill("#yn-mine-json", "")


def test_cli_compare_nothing_wrong_and_bad_numbers(run_mlp, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC_COMPARE), encoding="utf-8")
    z1 = quantities(parse_spec(SPEC_COMPARE))["forward.z1"]
    (tmp_path / "mine.json").write_text(json.dumps({"forward": {"z1": [float(fmt(v)) for v in z1]}}), encoding="utf-8")
    proc = run_mlp("explain", str(spec), "--compare", str(tmp_path / "mine.json"))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "1 agrees" in proc.stdout and "No step is wrong" in proc.stdout
    for bad, fragment in [
        ({"forward": {"z9": 1}}, "unknown quantity 'forward.z9'"),
        ({"forward": {"z1": [1, 2]}}, "forward.z1 has shape (2,); mlp's forward.z1 has shape (4,)"),
        ({"forward": {"z1": ["a", 1, 2, 3]}}, "forward.z1 must contain only real numbers"),
        ([1, 2], "must be a JSON object"),
    ]:
        (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
        proc = run_mlp("explain", str(spec), "--compare", str(tmp_path / "bad.json"))
        assert proc.returncode == 2 and proc.stdout == "", bad
        assert fragment in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# ---- bad input ----------------------------------------------------------------------------------------------------


def error_texts(tab) -> list[str]:
    return tab.evaluate("() => [...document.querySelectorAll('[data-error]')].map((e) => e.textContent)")


@pytest.mark.parametrize(
    ("typed", "message"),
    [("a", 'is not a number: "a"'), ("", "is empty"), ("1e400", "is too large: 1e400"), ("1..2", "is not a number")],
)
def test_a_field_that_is_not_a_number_is_named_and_nothing_else_changes(fresh, typed, message):
    before_values, before_hash = page_values(fresh), fresh.evaluate("location.hash")
    cell(fresh, "W2_0", 2).fill(typed)
    errors = error_texts(fresh)
    assert any(e.startswith("W2_0[2]") and message in e for e in errors), errors
    assert cell(fresh, "W2_0", 2).get_attribute("aria-invalid") == "true"
    assert page_values(fresh) == before_values
    assert fresh.evaluate("location.hash") == before_hash
    cell(fresh, "W2_0", 2).fill("-2")
    assert error_texts(fresh) == []
    assert page_values(fresh) == before_values  # -2 is Problem 2's own W2_0[2]


def test_sizes_changed_midway_keep_what_was_typed(fresh):
    cell(fresh, "x", 1).fill("0.25")
    fresh.fill("#yn-size-N", "11")
    assert any(e.startswith("N must be a whole number from 1 to") for e in error_texts(fresh))
    assert fresh.locator('.yn-cell[data-cell="x"]').count() == 2  # nothing redrawn
    fresh.fill("#yn-size-N", "")
    assert any("empty" in e for e in error_texts(fresh))
    fresh.fill("#yn-size-N", "3")
    fresh.fill("#yn-size-K", "1")
    assert error_texts(fresh) == []
    spec = fragment_spec(fresh)
    assert spec["x"] == [0.25, 0.0, 0.0] and len(spec["W1"]) == 3  # a new input, its weights 0
    assert spec["y"] == [0.0] and spec["W2"] == [[2.0], [4.0]] and spec["W2_0"] == [-1.0]  # the first output kept
    values = page_values(fresh)
    for key, value in cli_values(spec).items():
        np.testing.assert_allclose(values[key], value, rtol=RTOL, atol=ATOL, err_msg=key)
    assert values["forward.y_hat"] == [1.0]  # one output: softmax is 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"W1_0": [1, -6, 0]}, "W1_0"),
        ({"W1": [[3, 6], [4, 5], [1, 1]]}, "W1"),
        ({"W1": [[3, 6], [4]]}, "W1"),
        ({"y": [0, 1, 0]}, "y"),
        ({"x": [1, True]}, "x"),
        ({"activation": "softplus"}, "activation"),
        ({"lr": -1}, "lr"),
        ({"W2_0": [1e308, 1e308], "W2": [[1e308, 1e308], [1e308, 1e308]]}, "overflow"),
    ],
)
def test_a_link_whose_network_does_not_fit_is_refused_with_the_clis_message(fresh, change, named):
    before = page_values(fresh)
    spec = {k: v for k, v in json.loads(mlp.spec.problem2_text()).items() if k in mlp.spec.REQUIRED} | change
    with pytest.raises(InputError) as cli:
        explain(parse_spec(spec))
    n = int(fresh.evaluate("document.getElementById('yn-app').dataset.fragments || 0"))
    fresh.evaluate("(h) => { location.hash = h; }", spec_hash(spec))
    fresh.wait_for_function(f"() => Number(document.getElementById('yn-app').dataset.fragments) > {n}")
    status = fresh.locator("#yn-status")
    assert status.get_attribute("data-error") == named
    if named == "overflow":  # the wording of this one differs between versions of mlp
        assert "z2" in str(cli.value) and "overflowed to inf" in str(cli.value)
        assert "z2 (forward) overflowed to inf or nan" in status.inner_text()
    else:
        assert str(cli.value) in status.inner_text()
    assert page_values(fresh) == before


# ---- keyboard, phone, accessibility -------------------------------------------------------------------------------


def test_keyboard_alone_loads_a_preset_and_edits_a_cell(fresh):
    fresh.focus('button[data-preset="relu"]')
    fresh.keyboard.press("Enter")
    assert fresh.locator("#yn-activation").input_value() == "relu"
    fresh.focus('.yn-cell[aria-label="x[1]"]')
    fresh.keyboard.press("Tab")
    assert fresh.evaluate("document.activeElement.getAttribute('aria-label')") == "x[2]"
    fresh.keyboard.press("Control+a")
    fresh.keyboard.type("3")
    assert fragment_spec(fresh)["x"] == [1.0, 3.0]
    fresh.focus("#yn-mine-toggle")
    fresh.keyboard.press("Space")
    assert fresh.locator("#yn-mine-toggle").is_checked()
    assert fresh.locator(".yn-mine-cell").first.is_visible()


def test_a_phone_screen_and_axe_with_every_field_open(fresh):
    """At 390 px nothing widens the page; axe-core, with the compare fields and error messages showing, finds no
    serious or critical violation."""
    fresh.set_viewport_size({"width": 390, "height": 844})
    try:
        fresh.click('button[data-preset="problem2"]')
        for name, value in (("N", "10"), ("N1", "10"), ("K", "10")):
            fresh.fill(f"#yn-size-{name}", value)
        fresh.check("#yn-mine-toggle")
        fresh.locator('.yn-q[data-q="forward.z1"] .yn-mine-cell').first.fill("1")
        cell(fresh, "W1", 3, 3).fill("oops")
        width = fresh.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        fresh.add_script_tag(path=str(AXE))
        # The theme's back-to-top button shows (fading in) once the page is scrolled, as filling the fields does;
        # mid-fade axe-core measures its contrast too low. It is the theme's, on every page, not this page's.
        report = AXE_REPORT.replace("axe.run(document,", 'axe.run({exclude: [["#pst-back-to-top"]]},')
        assert report != AXE_REPORT
        violations = fresh.evaluate(f"({report})()")
        assert violations == [], violations
    finally:
        fresh.set_viewport_size({"width": 1280, "height": 900})
        cell(fresh, "W1", 3, 3).fill("0")


def test_every_input_has_a_label(fresh):
    fresh.check("#yn-mine-toggle")
    unlabelled = fresh.evaluate("""() => [...document.querySelectorAll('#yn-app input, #yn-app select, .yn-q input')]
      .filter((f) => !(f.labels && f.labels.length) && !f.getAttribute('aria-label')).map((f) => f.outerHTML)""")
    assert unlabelled == []
    cells = sum(int(np.prod([2 for _ in q.shape])) for q in PASS)  # Problem 2: every size is 2
    assert fresh.locator("#yn-app input, .yn-q input").count() == 3 + 1 + 16 + cells  # sizes, lr, the 6 grids, yours
