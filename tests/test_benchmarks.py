"""Each script in benchmarks/ runs through with --quick and prints its whole table.

A smoke run: every step of the script (checks, timing loop, report) on few repetitions. Its times
are not asserted (the targets are the scripts' to report, never the tests'); the table's columns,
rows and ratios are, and what is not a time (gradients that agree, accuracies) is checked too.
page_render.py needs the built book (make book) and Debian's Chromium, as tests/test_browser.py does.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"-?\d[\d,]*(?:\.\d+)?"


def run_script(name: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), "--quick", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    return proc.stdout


def test_backprop_quick_prints_every_configuration_and_ratio():
    out = run_script("backprop.py")
    lines = out.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("B ") and "mlp µs" in line)
    for column in ("mlp µs", "matmuls µs", "lean µs", "autograd µs", "torch µs", "mlp/matmuls", "lean/matmuls"):
        assert column in header
    for column in ("mlp/lean", "autograd/mlp", "torch/mlp", "batched", "<=torch", ">=2.5x torch", "<=bound x matmuls"):
        assert column in header
    row = re.compile(
        rf"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(float32|float64) \|\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+"
        rf"({NUMBER})\s+({NUMBER}|skipped) \|\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+({NUMBER}|-) \|"
        r"\s+(PASS|FAIL)\s+(PASS|FAIL|-)\s+(PASS|FAIL|-)\s+(PASS|FAIL|-)$"
    )
    rows = [m.groups() for m in map(row.match, lines) if m]
    configs = [(1, 2, 2, 2), (64, 64, 32, 10), (256, 784, 256, 10)]
    assert [(tuple(map(int, r[:4])), r[4]) for r in rows] == [(c, d) for c in configs for d in ("float32", "float64")]
    for r in rows:
        t_mlp, t_matmuls, t_lean, t_autograd = (float(v) for v in r[5:9])
        assert min(t_mlp, t_matmuls, t_lean, t_autograd) > 0
        # the printed ratios are ratios
        for printed, (a, b) in zip(r[10:14], [(t_mlp, t_matmuls), (t_lean, t_matmuls), (t_mlp, t_lean),
                                              (t_autograd, t_mlp)], strict=True):  # fmt: skip
            # the times are printed to 0.1 µs and the ratio to 0.01, from the unrounded times: the ratio of two
            # printed times differs from it by at most their rounding (a 3.2 µs time alone carries 1.6%)
            slack = (a / b) * (0.05 / a + 0.05 / b) * 1.01 + 0.005 + 1e-9
            assert abs(float(printed) - a / b) <= slack, (printed, a, b)
        assert r[15] == "PASS"  # batched: the same Python lines for 1, 2 and B examples (not a time)
    assert all(r[18] != "-" for r in rows)  # a matmul bound at every configuration (issue 9)
    if "torch is not installed" in out:
        assert {r[9] for r in rows} == {"skipped"} and {r[16] for r in rows} == {r[17] for r in rows} == {"-"}
    agree = re.search(r"gradients: lean(?:, autograd)? and (?:autograd|torch) agree with mlp to a relative (\S+)", out)
    assert agree and float(agree[1]) < 1e-4


def test_digits_quick_prints_both_contenders_and_the_ratio():
    out = run_script("digits.py")
    assert "--quick: 2 epochs instead of 50" in out
    assert "seeds 0..1" in out  # two seeds: both orders of the contenders
    header = next(line for line in out.splitlines() if line.startswith("contender"))
    for column in ("median s", "min s", "max s", "median CPU s", "median acc %", "test accuracy % by seed"):
        assert column in header
    rows = {}
    for name in ("mlp.train", "MLPClassifier"):
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        values = [float(v) for v in line.split()[1:]]
        assert len(values) == 5 + 2, line  # 5 summary columns, then one accuracy per seed
        rows[name] = values
        assert 0 < values[1] <= values[0] <= values[2]  # min <= median <= max
        assert all(50 < acc <= 100 for acc in values[4:])  # 2 epochs already learn the digits (seeded)
    ratio = float(re.search(r"ratio MLPClassifier / mlp.train \(median wall-clock times\): (\S+)", out)[1])
    # The medians are printed to 3 decimals (milliseconds): the printed ratio must lie within what they allow.
    sk, ours, half = rows["MLPClassifier"][0], rows["mlp.train"][0], 0.0005
    assert (sk - half) / (ours + half) - 0.005 <= ratio <= (sk + half) / max(ours - half, 1e-9) + 0.005
    assert re.search(r"^  (PASS|FAIL)  mlp.train at least 2.5x faster", out, re.M)
    assert re.search(r"^  (PASS|FAIL)  same accuracy", out, re.M)


def test_page_render_quick_measures_both_renderers():
    if not (ROOT / "_build" / "html" / "index.html").exists():
        pytest.fail("no built book in _build/html: run `make book` first (`make test` does)")
    if not Path("/usr/bin/chromium").is_file():
        pytest.fail("Chromium is not installed at /usr/bin/chromium: apt-get install -y chromium")
    out = run_script("page_render.py")
    page = re.search(r"^page: (\S+)\.html, (\d+) math elements; 1 load\(s\) of each build", out, re.M)
    assert page and int(page[2]) > 0
    header = next(line for line in out.splitlines() if line.startswith("build"))
    for column in ("math complete", "load event", "layout shift", "bytes (wire)", "bytes (decoded)", "requests"):
        assert column in header
    measured = {}
    for label in ("KaTeX at build time", "MathJax 3 in the browser"):
        line = next(line for line in out.splitlines() if line.startswith(label))
        m = re.fullmatch(
            rf"{re.escape(label)}\s+({NUMBER}) ms\s+({NUMBER}) ms\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+(\d+)", line
        )
        assert m, line
        measured[label] = [float(v.replace(",", "")) for v in m.groups()]
        assert min(measured[label][:2] + measured[label][3:]) > 0
    line = next(line for line in out.splitlines() if line.startswith("ratio MathJax / KaTeX"))
    ratios = [float(v) for v in line.removeprefix("ratio MathJax / KaTeX").split()]
    katex, mathjax = measured["KaTeX at build time"], measured["MathJax 3 in the browser"]
    expected = [mathjax[i] / katex[i] for i in (0, 1, 3, 4, 5)]
    assert ratios == pytest.approx(expected, rel=0.01, abs=0.01)
    targets = re.findall(
        r"^(PASS|FAIL)  (math complete by the load event|layout shift below 0.01|no more bytes)", out, re.M
    )
    assert [t[1] for t in targets] == ["math complete by the load event", "layout shift below 0.01", "no more bytes"]
