// The page's script (_static/your_numbers.js) on the shared file of cases (tests/your_numbers_cases.json), which
// tests/test_grading.py holds mlp to: the same values, to 1e-12 relative (1e-300 absolute), and the same verdicts.
// Run by `node --test tests/js/`; tests/test_grading.py runs it, so `make test` does.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import test from "node:test";

const require = createRequire(import.meta.url);
const page = require("../../_static/your_numbers.js");
const CASES = JSON.parse(readFileSync(new URL("../your_numbers_cases.json", import.meta.url), "utf8"));
const RTOL = 1e-12;
const ATOL = 1e-300;

const flat = (v) => (Array.isArray(v) ? v.flat() : [v]);
const shapeOf = (v) => (!Array.isArray(v) ? [] : Array.isArray(v[0]) ? [v.length, v[0].length] : [v.length]);

/** {"section": {"name": value}} as the page reads a reader's numbers: {"section.name": {values, shape}}. */
function mine(layout) {
  const out = {};
  for (const [section, names] of Object.entries(layout)) {
    for (const [name, value] of Object.entries(names)) out[`${section}.${name}`] = { values: flat(value), shape: shapeOf(value) };
  }
  return out;
}

test("the file has the cases the issue asks for", () => {
  assert.ok(CASES.cases.filter((c) => c.kind === "random").length >= 200);
  assert.ok(CASES.cases.some((c) => c.name === "tied logits, target elsewhere"));
  assert.equal(CASES.decimals, 4);
});

let entries = 0;
let graded = 0;
for (const c of CASES.cases) {
  test(`values: ${c.name}`, () => {
    const spec = page.checkSpec(c.spec);
    const got = page.explain(spec, CASES.config);
    assert.deepEqual(Object.keys(got), Object.keys(c.values));
    for (const [key, want] of Object.entries(c.values)) {
      const a = flat(got[key]), b = flat(want).map((v) => (v === null ? -Infinity : v));
      assert.deepEqual(shapeOf(got[key]), shapeOf(want), key);
      b.forEach((w, i) => {
        const err = Math.abs(a[i] - w);
        const ok = a[i] === w || err <= RTOL * Math.abs(w) || err <= ATOL;
        assert.ok(ok, `${c.name}, ${key}[${i}]: the page ${a[i]}, mlp ${w}`);
        entries += 1;
      });
    }
  });
  for (const s of c.students) {
    test(`verdicts: ${c.name}, ${s.kind}`, () => {
      const spec = page.checkSpec(c.spec);
      const values = page.explain(spec, CASES.config);
      const result = page.grade(spec, CASES.config, values, mine(s.mine), CASES.decimals);
      assert.deepEqual(result.verdicts, s.verdicts);
      assert.equal(result.firstWrong, s.first_wrong);
      const transposed = Object.fromEntries(
        Object.entries(result.details).filter(([, d]) => d.transposed).map(([k, d]) => [k, d.transposed]),
      );
      assert.deepEqual(transposed, s.transposed);
      graded += 1;
    });
  }
}

test("every value and every student was checked", () => {
  const students = CASES.cases.reduce((n, c) => n + c.students.length, 0);
  assert.equal(graded, students);
  assert.ok(entries > 10000, `${entries} entries`);
});
