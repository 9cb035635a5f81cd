// The book's own page behaviour (linked on every page by _ext/html_fixes.py); the page works without it.
// * A display equation wider than the column is drawn smaller until it fits, but not below MIN_SCALE of
//   its size; one that still does not fit scrolls sideways in its own box (book.css shows a cue).
// * A figure shown wider than the column (book.css keeps its text legible) is marked, for a scroll cue.
// * Each cell of a table with a header row gets its column's heading as data-label, which book.css
//   shows above the cell when a narrow screen lays the table out as one card per row.
// * Search results quote each formula once, as its TeX: the snippet is the text of the page, and KaTeX's
//   HTML holds every formula three times (MathML, its TeX annotation, and the drawn glyphs), which read
//   as "W01W^1_0W01".
// * The download button's notebook (_ext/reader_notebooks.py) is saved as a file, not shown as JSON.
"use strict";
(() => {
  const MIN_SCALE = 0.8; // below this, a formula's subscripts are too small to read on a phone

  function fitEquations() {
    for (const box of document.querySelectorAll("div.math > .katex-display")) {
      const katex = box.querySelector(":scope > .katex");
      if (!katex) continue;
      katex.style.fontSize = "";
      const available = box.clientWidth;
      if (available === 0 || box.scrollWidth <= available) continue;
      // Scale by the ratio of widths, then a little more while a rounded glyph box still sticks out.
      let scale = Math.max(MIN_SCALE, available / box.scrollWidth);
      for (let step = 0; step < 10; step++) {
        katex.style.fontSize = `${scale * 1.21}em`; // KaTeX's own size is 1.21em
        if (box.scrollWidth <= available || scale === MIN_SCALE) break;
        scale = Math.max(MIN_SCALE, scale * 0.98);
      }
    }
  }

  function markWideFigures() {
    for (const figure of document.querySelectorAll(".bd-article figure")) {
      figure.classList.toggle("book-scrolls", figure.scrollWidth > figure.clientWidth + 1);
    }
  }

  function labelTableCells() {
    for (const table of document.querySelectorAll(".bd-article table")) {
      const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) continue;
      const labels = [...head.cells].map((cell) => cell.textContent.trim());
      for (const body of table.tBodies) {
        for (const row of body.rows) {
          [...row.cells].forEach((cell, i) => {
            if (labels[i]) cell.dataset.label = labels[i];
          });
        }
      }
      table.classList.add("book-cards");
    }
  }

  function quoteMathOnceInSearchResults() {
    // Sphinx's searchtools.js (a `const`, so not on window) builds each snippet with Search.htmlToText.
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      for (const math of page.querySelectorAll(".katex")) {
        const tex = math.querySelector('annotation[encoding="application/x-tex"]');
        math.replaceWith(tex ? tex.textContent : math.textContent);
      }
      return htmlToText(page.documentElement.outerHTML, anchor);
    };
  }

  function downloadNotebooks() {
    for (const link of document.querySelectorAll("a.btn-download-notebook-button")) {
      link.setAttribute("download", link.pathname.split("/").pop());
    }
  }

  let pending = 0;
  function refit() {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      fitEquations();
      markWideFigures();
    });
  }

  function start() {
    quoteMathOnceInSearchResults();
    downloadNotebooks();
    labelTableCells();
    fitEquations();
    // Fonts change an equation's width: fit again once they are in, and whenever the column changes.
    document.fonts.ready.then(fitEquations);
    window.addEventListener("resize", refit);
    window.addEventListener("load", markWideFigures); // once the images have their sizes
  }

  // At DOMContentLoaded every script of the page has run, searchtools.js included.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
