// Typesets TeX with KaTeX for the book build (_ext/katex_prerender.py starts one per build).
// Usage: node katex_render.js /path/to/katex.min.js
// Reads one JSON request a line on stdin: {"tex": "...", "display": true},
// writes one JSON answer a line on stdout: {"html": "...", "warnings": [...]} or {"error": "..."}.
// Talking through the pipes node is started with means there is no socket to connect to
// before it listens.
"use strict";
const readline = require("readline");
const katex = require(process.argv[2]);

const input = readline.createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });

input.on("line", (line) => {
  let answer;
  let tex = "";
  try {
    const request = JSON.parse(line);
    tex = request.tex;
    const warnings = [];
    const html = katex.renderToString(tex, {
      displayMode: request.display,
      // A formula KaTeX cannot read must fail the build, not be drawn in red.
      throwOnError: true,
      // Input real LaTeX would treat differently (e.g. a bare \\ in display math) is reported.
      strict: (code, message) => {
        warnings.push(`${code}: ${message}`);
        return "ignore";
      },
      trust: false,
    });
    answer = { html, warnings };
  } catch (e) {
    const where = e.position === undefined ? "" : ` at "${tex.slice(e.position, e.position + 30)}"`;
    answer = { error: (e.rawMessage || e.message || String(e)) + where };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
