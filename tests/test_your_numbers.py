"""The page "Check your numbers" (chapters/your_numbers.md, _static/your_numbers.js) against mlp, in Chromium.

The page computes the step in JavaScript; these tests ask it and mlp the same questions. Random networks go in
through the page's #spec= fragment, all in one tab: every data-key value must match mlp.explain to a relative
error of 1e-10 (or an absolute 1e-14). Then typing, "compare with my numbers" (and the CLI's --compare on the same
numbers), bad input, the keyboard, a phone's width and axe-core. Run after `make book`.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import numpy as np
import pytest
from book_pages import CHROMIUM_FLAGS
from test_browser import AXE, AXE_REPORT, CHROMIUM, HTML, server  # noqa: F401  (server is a fixture)
from test_cli import SPEC_342

import mlp
from mlp.activations import get_activation
from mlp.compare import STEPS, quantities
from mlp.explain import explain, fmt, to_jsonable
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
      const t = document.getElementById("yn-mine-toggle");
      for (const f of document.querySelectorAll(".yn-mine-field, #yn-mine-json")) f.value = "";
      document.getElementById("yn-mine-json").dispatchEvent(new Event("input", {bubbles: true}));
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


def spec_hash(spec: dict) -> str:
    return "#spec=" + quote(json.dumps(spec), safe="")


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


def fragment_spec(tab) -> dict:
    h = tab.evaluate("location.hash")
    assert h.startswith("#spec=")
    return json.loads(tab.evaluate("(h) => decodeURIComponent(h)", h[len("#spec=") :]))


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


# ---- compare with my numbers ------------------------------------------------------------------------------------

SPEC_COMPARE = SPEC_342 | {"activation": "tanh", "lr": 0.5}  # 3-4-2: every kind of shape differs
VERDICTS = (
    "() => Object.fromEntries([...document.querySelectorAll('.yn-q')].map((b) => "
    "[b.dataset.q, b.querySelector('.yn-verdict').dataset.verdict || null]))"
)
PLANTED = ["forward.z2", "backward.delta2", "backward.grad_W1", "updated.W2_0", "after_second_layer_only.loss"]


def hand_numbers(spec: dict) -> dict[str, str]:
    """Each quantity as a careful student writes it: every entry rounded to 4 decimals, row by row."""
    values = quantities(parse_spec(spec))
    return {key: " ".join(fmt(v) for v in np.ravel(values[key])) for key in (s.key for s in STEPS)}


@pytest.mark.parametrize("planted", PLANTED)
def test_compare_names_the_first_planted_error_and_agrees_with_the_cli(fresh, planted, run_mlp, tmp_path):
    fresh.evaluate("(h) => { location.hash = h; }", spec_hash(SPEC_COMPARE))
    fresh.wait_for_function("() => document.getElementById('yn-activation').value === 'tanh'")
    fresh.check("#yn-mine-toggle")
    mine = hand_numbers(SPEC_COMPARE)
    numbers = mine[planted].split(" ")
    numbers[-1] = fmt(float(numbers[-1]) + 0.001)  # one slip in the last entry
    mine[planted] = " ".join(numbers)
    # A reader who checks the pass so far: every quantity up to the planted one, and a few after it.
    keys = [s.key for s in STEPS]
    typed = keys[: keys.index(planted) + 3]
    for key in typed:
        fresh.fill(f'.yn-q[data-q="{key}"] .yn-mine-field', mine[key])
    verdicts = fresh.evaluate(VERDICTS)
    assert {k: v for k, v in verdicts.items() if v} == {k: "differs" if k == planted else "agrees" for k in typed}
    summary = fresh.locator("#yn-summary")
    assert summary.get_attribute("data-first-disagreement") == planted
    assert planted in summary.inner_text() and "computed as" in summary.inner_text()
    # The CLI, given the same numbers, says the same.
    sections: dict = {}
    for key in typed:
        section, name = key.split(".")
        shape = quantities(parse_spec(SPEC_COMPARE))[key].shape
        sections.setdefault(section, {})[name] = np.array([float(t) for t in mine[key].split()]).reshape(shape).tolist()
    (tmp_path / "spec.json").write_text(json.dumps(SPEC_COMPARE), encoding="utf-8")
    (tmp_path / "mine.json").write_text(json.dumps(sections), encoding="utf-8")
    proc = run_mlp("explain", str(tmp_path / "spec.json"), "--compare", str(tmp_path / "mine.json"), "--json")
    assert (proc.returncode, proc.stderr) == (1, "")
    cli = json.loads(proc.stdout)
    assert cli["first_disagreement"] == planted
    assert cli["agrees"] == {k: v == "agrees" for k, v in verdicts.items() if v}
    text = run_mlp("explain", str(tmp_path / "spec.json"), "--compare", str(tmp_path / "mine.json"))
    assert f"First disagreement in the order of the pass: {planted}" in text.stdout
    # The same file, pasted into the page, fills the same fields and gets the same verdicts.
    fresh.evaluate("() => { for (const f of document.querySelectorAll('.yn-mine-field')) f.value = ''; }")
    fresh.fill("#yn-mine-json", json.dumps(sections))
    assert fresh.evaluate(VERDICTS) == verdicts
    assert summary.get_attribute("data-first-disagreement") == planted
    fresh.fill("#yn-mine-json", "")


def test_pasted_numbers_that_do_not_fit_are_refused_by_name(fresh):
    fresh.check("#yn-mine-toggle")
    for text, message in [
        ("{", "not valid JSON"),
        ('{"forward": {"z9": 1}}', "unknown quantity 'forward.z9'"),
        ('{"forward": {"z1": ["a", 0]}}', "forward.z1 must be a number"),
    ]:
        fresh.fill("#yn-mine-json", text)
        assert any(message in e for e in error_texts(fresh)), (text, error_texts(fresh))
    fresh.fill("#yn-mine-json", '{"forward": {"z1": [4, 0]}}')
    assert error_texts(fresh) == []
    assert fresh.locator('.yn-q[data-q="forward.z1"] .yn-verdict').get_attribute("data-verdict") == "agrees"
    fresh.fill("#yn-mine-json", "")


def test_cli_compare_all_agree_and_bad_numbers(run_mlp, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC_COMPARE), encoding="utf-8")
    mine = {"forward": {"z1": [float(v) for v in hand_numbers(SPEC_COMPARE)["forward.z1"].split()]}}
    (tmp_path / "mine.json").write_text(json.dumps(mine), encoding="utf-8")
    proc = run_mlp("explain", str(spec), "--compare", str(tmp_path / "mine.json"))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "All 1 agree" in proc.stdout
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
    assert fresh.locator(".yn-mine-field").first.is_visible()


def test_a_phone_screen_and_axe_with_every_field_open(fresh):
    """At 390 px nothing widens the page; axe-core, with the compare fields and error messages showing, finds no
    serious or critical violation."""
    fresh.set_viewport_size({"width": 390, "height": 844})
    try:
        fresh.click('button[data-preset="problem2"]')
        for name, value in (("N", "10"), ("N1", "10"), ("K", "10")):
            fresh.fill(f"#yn-size-{name}", value)
        fresh.check("#yn-mine-toggle")
        fresh.fill('.yn-q[data-q="forward.z1"] .yn-mine-field', "1 2")
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
    unlabelled = fresh.evaluate("""() => [...document.querySelectorAll('#yn-app input, #yn-app select, .yn-q input')]
      .filter((f) => !(f.labels && f.labels.length) && !f.getAttribute('aria-label')).map((f) => f.outerHTML)""")
    assert unlabelled == []
    assert fresh.locator("#yn-app input, .yn-q input").count() >= 3 + 1 + 14 + len(STEPS)  # sizes, lr, 2-2-2 grids
